//! OpenAPI v3 documents for the served group versions, built from `schema`.

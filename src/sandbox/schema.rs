//! Schemas of the served kinds, written from their types: feeds OpenAPI and field validation.

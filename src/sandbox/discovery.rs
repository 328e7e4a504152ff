//! Discovery documents: legacy (/api, /apis, group versions) and aggregated v2.

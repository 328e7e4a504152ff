//! API discovery (aggregated v2 with legacy fallback), its on-disk cache, and resolving what the
//! user typed (`ds`, `daemonsets.apps`, `all`) to API resources.

//! Label and field selectors: parsing with the API server's errors, and matching.

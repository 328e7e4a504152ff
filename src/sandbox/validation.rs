//! Validation of the common errors with the API server's messages, and unknown-field checks.

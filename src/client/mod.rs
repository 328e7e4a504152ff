//! The HTTP client: one reqwest client per command built from a resolved `RestConfig`,
//! API errors as the server's `Status`, watch streams, `-v` request logging.

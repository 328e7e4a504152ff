//! The simulated cluster: an HTTPS Kubernetes API server with a store, controllers and
//! server-side printers, run in-process.
pub mod store;

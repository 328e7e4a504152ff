//! kubectl-rs: a kubectl-compatible Kubernetes client with a built-in simulated cluster.
//!
//! Layers, lowest first (a lower layer never imports a higher one):
//! `kubeconfig` → `client` → `discovery` → `manifest`/`apply`/`describe`/`print` → `resource`
//! (the resource builder) → `cmd`.
//! `sandbox` is the simulated API server; it shares only plain JSON helpers with the rest.

pub mod apply;
pub mod client;
pub mod cmd;
pub mod context;
pub mod describe;
pub mod discovery;
pub mod error;
pub mod kubeconfig;
pub mod manifest;
pub mod print;
pub mod resource;
pub mod sandbox;

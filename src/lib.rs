//! kubectl-rs: a kubectl-compatible Kubernetes client with a built-in simulated cluster.
//!
//! Layers, lowest first (a lower layer never imports a higher one):
//! `kubeconfig` → `client` → `discovery` → `manifest`/`apply`/`describe`/`print` → `resource`
//! (the resource builder) → `cmd`.
//! Below them all, in their own crates (see ARCHITECTURE.md): `kcore` (crates/core: patch
//! engines, selectors, Go-compatible formatting) and the simulated cluster (crates/sandbox),
//! re-exported here as `sandbox` so that `kubectl_rs::sandbox::…` paths keep working.

pub mod apply;
pub mod client;
pub mod cmd;
pub mod context;
pub mod describe;
pub mod discovery;
pub mod drain;
pub mod editor;
pub mod error;
pub mod explain;
pub mod i18n;
pub mod kubeconfig;
pub mod manifest;
pub mod ops;
pub mod print;
pub mod proxy;
pub mod resource;
#[cfg(test)]
mod testutil;
pub use kubectl_rs_sandbox as sandbox;
#[cfg(test)]
mod testalloc;

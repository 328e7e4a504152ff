//! The simulated cluster: an HTTPS Kubernetes API server with a store, controllers and
//! server-side printers, run in-process.

pub mod authn;
pub mod autoscaling;
pub mod bootstrap;
pub mod cel;
pub mod certificates;
pub mod clock;
pub mod componentstatus;
pub mod controllers;
pub mod crd;
pub mod decode;
pub mod defaults;
mod defaults_groups;
pub mod discovery;
pub mod eviction;
pub mod handlers;
pub mod history;
pub mod metrics;
pub mod openapi;
mod openapi_embedded;
pub mod openapi_v2pb;
pub mod persist;
pub mod podattach;
pub mod podexec;
pub mod podlog;
pub mod podportforward;
pub(crate) mod podstreams;
pub mod policy;
pub mod protobuf;
pub mod quota;
pub mod rbac;
pub mod resources;
pub mod reviews;
pub mod runtime;
pub mod schema;
pub mod server;
pub mod status;
pub mod store;
pub mod stored;
pub mod tables;
mod tables_groups;
mod tables_more;
#[cfg(test)]
mod testfixtures;
pub mod tokenrequest;
pub mod typed;
pub mod validation;
mod validation_ingress;

/// Label and field selectors live in the core crate (the CLI parses them too).
pub use kcore::selectors;

pub use clock::Clock;
pub use server::{start, SandboxHandle, SandboxOptions};

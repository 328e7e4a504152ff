//! The simulated cluster: an HTTPS Kubernetes API server with a store, controllers and
//! server-side printers, run in-process.

pub mod clock;
pub mod controllers;
pub mod defaults;
pub mod discovery;
pub mod handlers;
pub mod openapi;
pub mod protobuf;
pub mod resources;
pub mod schema;
pub mod selectors;
pub mod server;
pub mod status;
pub mod store;
pub mod tables;
pub mod validation;

pub use clock::Clock;
pub use server::{start, SandboxHandle, SandboxOptions};

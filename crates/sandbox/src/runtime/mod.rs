//! The simulated container runtime: a built-in shell ([`interp`]) over a per-container
//! virtual filesystem ([`vfs`]).

pub mod interp;
pub mod parse;
pub mod vfs;

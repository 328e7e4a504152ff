//! The command tree: one file per command.

pub mod flags;

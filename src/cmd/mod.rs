//! The command tree: one file per command.
pub mod completion;
pub mod generate;

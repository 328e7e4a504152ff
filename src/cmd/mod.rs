//! The command tree: one file per command.

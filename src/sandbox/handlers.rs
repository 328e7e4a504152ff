//! The REST handlers: URL routing, verbs, list/watch, patch, delete options, dry run.

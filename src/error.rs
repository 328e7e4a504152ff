//! The one place where errors become kubectl's messages and exit codes.

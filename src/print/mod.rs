//! Output printers: server-side Tables through kubectl's tabwriter, json, yaml, name, jsonpath,
//! custom-columns, go-template, and ages.

pub mod age;
pub mod gofmt;
pub mod tabwriter;

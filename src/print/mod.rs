//! Output printers: server-side Tables through kubectl's tabwriter, json, yaml, name, jsonpath,
//! custom-columns, go-template, and ages.
//!
//! Error messages are kubectl's text without the `error: ` prefix (the caller adds it).

pub mod age;
pub mod custom_columns;
pub mod gofmt;
pub mod json;
pub mod jsonpath;
pub mod name;
pub mod table;
pub mod tabwriter;
pub mod yaml;

/// Errors of the printers; `Display` is kubectl's message (without `error: `).
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// Writing to the output failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The object to print does not have the expected shape.
    #[error("{0}")]
    InvalidObject(String),
    /// A template (jsonpath, go-template, custom-columns) failed to parse or execute; the text
    /// is kubectl's whole message, which may end with newlines (print it without adding one).
    #[error("{0}")]
    Template(String),
    /// `-o` named no known printer.
    #[error("unable to match a printer suitable for the output format {}, allowed formats are: {}", crate::print::gofmt::go_quote(.format), .allowed.join(","))]
    UnknownFormat {
        /// The format as given.
        format: String,
        /// Allowed formats, sorted.
        allowed: Vec<String>,
    },
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Reading reference fixtures copied from /work/shared/reference.

    /// Contents of `tests/fixtures/<rel>`.
    pub fn fixture(rel: &str) -> String {
        let path = format!("{}/tests/fixtures/{}", env!("CARGO_MANIFEST_DIR"), rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    /// A JSON fixture.
    pub fn json_fixture(rel: &str) -> serde_json::Value {
        serde_json::from_str(&fixture(rel)).expect("fixture is JSON")
    }
}

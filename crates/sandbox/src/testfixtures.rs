//! The reference files under `tests/fixtures/reference/` (outputs and responses of a real
//! v1.36 cluster), read by the unit tests of every module that compares with them.

use serde_json::Value;

/// The text of `tests/fixtures/reference/<name>`.
pub(crate) fn fixture_text(name: &str) -> String {
    let p = format!(
        "{}/../../tests/fixtures/reference/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// `tests/fixtures/reference/<name>` parsed as JSON.
pub(crate) fn fixture_json(name: &str) -> Value {
    let text = fixture_text(name);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

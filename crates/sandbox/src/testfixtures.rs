//! The reference files under `tests/fixtures/reference/` (outputs and responses of a real
//! v1.36 cluster), read by the unit tests of every module that compares with them.

use proptest::prelude::*;
use serde_json::Value;

/// JSON trees for property tests: objects of up to `max_fields` keys drawn from `keys`,
/// arrays, and leaves that are null, booleans, integers or `strings`.
pub(crate) fn json_tree(
    keys: Vec<&'static str>,
    strings: impl Strategy<Value = Value> + 'static,
    max_fields: usize,
) -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(keys);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        strings,
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..max_fields).prop_map(|m| {
                Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

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

//! kubectl's `-o json`: Go `json.MarshalIndent(obj, "", "    ")` plus a newline, with Go's
//! escaping (`<`, `>`, `&`, U+2028, U+2029 as `\u003c`…), sorted keys, and the `List` wrapper
//! `get` prints for several objects. Also the `--show-managed-fields=false` stripping shared
//! with `-o yaml`.

use std::io::Write;

use serde_json::{Map, Value};

use super::PrintError;

pub use kcore::gojson::{
    go_json_string, push_go_json_indent_at, to_go_json, to_go_json_indent, to_go_json_ordered,
    FieldOrder,
};

/// What `get -o json|yaml` prints for zero or several objects (`get.go` `printGeneric`):
/// `{"apiVersion": "v1", "items": [...], "kind": "List", "metadata": {"resourceVersion": ""}}`.
pub fn list_wrapper(items: Vec<Value>) -> Value {
    let mut meta = Map::new();
    meta.insert("resourceVersion".into(), Value::String(String::new()));
    let mut m = Map::new();
    m.insert("apiVersion".into(), Value::String("v1".into()));
    m.insert("items".into(), Value::Array(items));
    m.insert("kind".into(), Value::String("List".into()));
    m.insert("metadata".into(), Value::Object(meta));
    Value::Object(m)
}

/// cli-runtime `OmitManagedFieldsPrinter`: drops `metadata.managedFields` from the object, or
/// from each item of a list.
pub fn strip_managed_fields(obj: &mut Value) {
    if let Some(Value::Array(items)) = obj.get_mut("items") {
        for item in items {
            strip_one(item);
        }
        return;
    }
    strip_one(obj);
}

fn strip_one(obj: &mut Value) {
    if let Some(Value::Object(meta)) = obj.get_mut("metadata") {
        meta.remove("managedFields");
    }
}

/// A typed object as client-go's JSON encoder writes it: compact, keys in Go struct order,
/// and a newline (what kubectl stores in the last-applied annotation of objects it builds).
pub fn to_go_json_typed_line(obj: &Value) -> String {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let order = |path: &[&str]| super::goorder::field_order(kind, path);
    let mut text = to_go_json_ordered(obj, "", &order);
    text.push('\n');
    text
}

/// [`print_json_typed`]'s text of one item of a typed list of kind `list_kind`, nested
/// `depth` levels deep (a typed list written item by item), appended to `out`.
pub fn push_go_json_typed_item_at(
    item: &Value,
    list_kind: &str,
    indent: &str,
    depth: usize,
    out: &mut String,
) {
    let order = |path: &[&str]| super::goorder::field_order(list_kind, path);
    kcore::gojson::push_go_json_ordered_at(item, indent, depth, &["items"], &order, out);
}

/// [`print_json`] for a typed object: keys in Go struct order.
pub fn print_json_typed(obj: &Value, w: &mut dyn Write) -> Result<(), PrintError> {
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if kind.is_empty() {
        return print_json(obj, w);
    }
    let order = |path: &[&str]| super::goorder::field_order(&kind, path);
    let mut text = to_go_json_ordered(obj, "    ", &order);
    text.push('\n');
    w.write_all(text.as_bytes())?;
    Ok(())
}

/// cli-runtime `JSONPrinter.PrintObj`: four-space indented JSON and a newline. Objects without
/// `kind` give kubectl's "missing apiVersion or kind" error.
pub fn print_json(obj: &Value, w: &mut dyn Write) -> Result<(), PrintError> {
    super::require_kind(obj)?;
    let mut text = to_go_json_indent(obj, "    ");
    text.push('\n');
    w.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::testutil::fixture;
    use serde_json::json;

    #[test]
    fn reference_daemonset_json_round_trips_byte_for_byte() {
        let want = fixture("reference/12-get-ds-json.stdout");
        let obj: Value = serde_json::from_str(&want).unwrap();
        let mut out = Vec::new();
        print_json(&obj, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    /// The kubectl-1.33 `*.json` fixtures are `-o json` outputs: printing them again must give
    /// the same bytes (escaping of `<>&`, control characters, unicode, floats).
    #[test]
    fn kubectl_json_fixtures_round_trip() {
        for name in ["yaml-cm", "yaml-s", "yaml-f"] {
            let want = fixture(&format!("kubectl-1.33/{name}.json"));
            let obj: Value = serde_json::from_str(&want).unwrap();
            let mut out = Vec::new();
            print_json(&obj, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), want, "{name}");
        }
    }

    #[test]
    fn escaping_matches_go() {
        let v = json!({"s": "<a href=\"x\">&</a>\n\t\r\u{1}\u{8}\u{c}\u{7f}\u{2028}é😀\\"});
        assert_eq!(
            to_go_json(&v),
            r#"{"s":"\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e\n\t\r\u0001\b\f"#.to_string()
                + "\u{7f}\\u2028é😀\\\\\"}"
        );
    }

    #[test]
    fn empty_collections_and_numbers() {
        let v = json!({"a": [], "b": {}, "c": [1, 2.5, null, true], "d": 1e21});
        let want = "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1,\n    2.5,\n    null,\n    true\n  ],\n  \"d\": 1e+21\n}";
        assert_eq!(to_go_json_indent(&v, "  "), want);
    }

    #[test]
    fn list_wrapper_and_managed_fields() {
        let mut item = json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p", "managedFields": [{}]}});
        strip_managed_fields(&mut item);
        assert_eq!(item["metadata"], json!({"name": "p"}));
        let mut list = list_wrapper(vec![
            json!({"kind": "Pod", "metadata": {"managedFields": []}}),
        ]);
        strip_managed_fields(&mut list);
        let mut out = Vec::new();
        print_json(&list, &mut out).unwrap();
        let want = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"kind\": \"Pod\",\n            \"metadata\": {}\n        }\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n";
        assert_eq!(String::from_utf8(out).unwrap(), want);
        let err = print_json(&json!({"a": 1}), &mut Vec::new()).unwrap_err();
        assert!(err.to_string().starts_with("missing apiVersion or kind"));
    }
}

//! Go `encoding/json` output details that kubectl's bytes depend on: `json.Marshal` and
//! `json.MarshalIndent` of a decoded JSON value (what kubectl sends, prints with `-o json`
//! and stores as the last-applied configuration), with Go's escaping and number text.

use serde_json::{Number, Value};

use crate::gofmt::json_float;

/// Go `encoding/json` string literal (HTML-safe, as `json.Marshal` does by default).
pub fn go_json_string(s: &str, out: &mut String) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", ch as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The name Go's `encoding/json` gives a JSON value's type in its unmarshal errors
/// (`json: cannot unmarshal string into Go value of type …`).
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Go `encoding/json` text of a JSON number as decoded by apimachinery (int64 or float64).
pub fn json_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return json_float(u as f64);
    }
    json_float(n.as_f64().unwrap_or(0.0))
}

/// Go `json.MarshalIndent(v, prefix "", indent)` of a decoded JSON value.
pub fn to_go_json_indent(v: &Value, indent: &str) -> String {
    let mut out = String::new();
    write_value(v, indent, 0, &mut out);
    out
}

/// [`to_go_json_indent`] of a value nested `depth` levels deep, appended to `out`.
pub fn push_go_json_indent_at(v: &Value, indent: &str, depth: usize, out: &mut String) {
    write_value(v, indent, depth, out);
}

/// Go `json.Marshal` (compact) of a decoded JSON value.
pub fn to_go_json(v: &Value) -> String {
    to_go_json_indent(v, "")
}

fn newline(indent: &str, depth: usize, out: &mut String) {
    if indent.is_empty() {
        return;
    }
    out.push('\n');
    for _ in 0..depth {
        out.push_str(indent);
    }
}

fn write_value(v: &Value, indent: &str, depth: usize, out: &mut String) {
    write_ordered(v, indent, depth, &mut Vec::new(), None, out);
}

/// The Go struct field order of the object at `path` (the keys from the root, list indices
/// left out), for printing typed objects as kubectl's JSON printer does; None: sorted.
pub type FieldOrder<'a> = dyn Fn(&[&str]) -> Option<&'static [&'static str]> + 'a;

/// Like [`to_go_json_indent`], with each object's keys in `order` (keys it does not list come
/// after, sorted): kubectl prints typed objects (what `create deployment` builds) in struct
/// order, not sorted as it prints decoded JSON.
pub fn to_go_json_ordered(v: &Value, indent: &str, order: &FieldOrder<'_>) -> String {
    let mut out = String::new();
    let mut path = Vec::new();
    write_ordered(v, indent, 0, &mut path, Some(order), &mut out);
    out
}

/// [`to_go_json_ordered`] of a value nested `depth` levels deep at `path` (an item of a
/// typed list written item by item), appended to `out`.
pub fn push_go_json_ordered_at<'a>(
    v: &'a Value,
    indent: &str,
    depth: usize,
    path: &[&'a str],
    order: &FieldOrder<'_>,
    out: &mut String,
) {
    write_ordered(v, indent, depth, &mut path.to_vec(), Some(order), out);
}

/// Writes `v` with each object's keys in `order`'s struct order, or sorted without one.
fn write_ordered<'a>(
    v: &'a Value,
    indent: &str,
    depth: usize,
    path: &mut Vec<&'a str>,
    order: Option<&FieldOrder<'_>>,
    out: &mut String,
) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&json_number(n)),
        Value::String(s) => go_json_string(s, out),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(indent, depth + 1, out);
                write_ordered(item, indent, depth + 1, path, order, out);
            }
            newline(indent, depth, out);
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            if let Some(order) = order {
                let known = order(path).unwrap_or_default();
                let rank = |k: &str| known.iter().position(|x| *x == k).unwrap_or(known.len());
                keys.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
            }
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(indent, depth + 1, out);
                go_json_string(k, out);
                out.push(':');
                if !indent.is_empty() {
                    out.push(' ');
                }
                path.push(k);
                write_ordered(&map[k], indent, depth + 1, path, order, out);
                path.pop();
            }
            newline(indent, depth, out);
            out.push('}');
        }
    }
}

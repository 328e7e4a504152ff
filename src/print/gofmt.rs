//! How Go prints decoded JSON values: `fmt.Sprint` of an `interface{}` (`%v`: `map[k:v]`,
//! `[a b]`, `<nil>`, floats as `%g`-shortest like `1e+06`) and `encoding/json`'s number text.
//! kubectl's table cells, custom-columns, jsonpath text and go-templates all go through these.

use kcore::gofmt::go_float;
use serde_json::{Number, Value};

/// Go `fmt.Sprint(v)` of a value decoded from JSON into `interface{}` (maps print with sorted
/// keys, as Go's fmt does).
pub fn sprint(v: &Value) -> String {
    kcore::gofmt::sprint_with(v, &sprint_number)
}

/// The int64 a JSON number decodes to in kubectl (an integer, or an integral float such as
/// `3.0` within int64 range; observed with kubectl 1.33 `get --sort-by`), else `None` (float64).
pub fn go_int(n: &Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    if n.is_u64() {
        return None;
    }
    let f = n.as_f64()?;
    // 2^63 is exactly representable; anything at or beyond it is not an int64.
    if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)
    {
        Some(f as i64)
    } else {
        None
    }
}

/// The value as kubectl holds it after decoding JSON: integral numbers (also `3.0`) become
/// int64, so later comparisons between them and float literals behave as in Go.
pub fn normalize_ints(v: &Value) -> Value {
    match v {
        Value::Number(n) if !n.is_i64() => match go_int(n) {
            Some(i) => Value::from(i),
            None => v.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(normalize_ints).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize_ints(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// [`normalize_ints`] of a value owned by the caller, changed where it stands.
pub fn normalize_ints_in_place(v: &mut Value) {
    match v {
        Value::Number(n) if !n.is_i64() => {
            if let Some(i) = go_int(n) {
                *v = Value::from(i);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_ints_in_place),
        Value::Object(m) => m.values_mut().for_each(normalize_ints_in_place),
        _ => {}
    }
}

/// `%v` of a JSON number as apimachinery decodes it: integers stay integers (int64), anything
/// else is a float64 printed like Go's `%v` (`strconv.FormatFloat(f, 'g', -1, 64)` with `e+06`).
pub fn sprint_number(n: &Number) -> String {
    if let Some(i) = go_int(n) {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        // Go decodes integers beyond int64 as float64.
        return go_float(u as f64);
    }
    go_float(n.as_f64().unwrap_or(0.0))
}

pub use kcore::gofmt::go_quote;
pub use kcore::gojson::json_number;

/// Go `fmt.Sprintf("%#v", v)` of a value decoded from JSON into `interface{}` (kubectl dumps
/// the object this way in jsonpath and template execution errors).
pub fn sharp_v(v: &Value) -> String {
    match v {
        Value::Null => "interface {}(nil)".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => sprint_number(n),
        Value::String(s) => go_quote(s),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(sharp_v).collect();
            format!("[]interface {{}}{{{}}}", inner.join(", "))
        }
        Value::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}:{}", go_quote(k), sharp_v(v)))
                .collect();
            format!("map[string]interface {{}}{{{}}}", inner.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sprint_of_nested_values() {
        let v = json!({"b": [1, "x", null], "a": {"k": true}, "f": 1.5});
        assert_eq!(sprint(&v), "map[a:map[k:true] b:[1 x <nil>] f:1.5]");
        assert_eq!(sprint(&json!([])), "[]");
        assert_eq!(sprint(&json!({})), "map[]");
    }

    #[test]
    fn sharp_v_dump() {
        let v = json!({"a": [1, "x\"y", null], "b": {}, "c": 2.5, "d": true});
        assert_eq!(
            sharp_v(&v),
            r#"map[string]interface {}{"a":[]interface {}{1, "x\"y", interface {}(nil)}, "b":map[string]interface {}{}, "c":2.5, "d":true}"#
        );
        assert_eq!(go_quote("a\tb\u{1}é"), r#""a\tb\x01é""#);
    }

    /// Integers beyond int64 decode to float64 (kubectl.1.33 `-o jsonpath`).
    #[test]
    fn numbers_beyond_int64() {
        assert_eq!(
            sprint(&json!(12345678901234567890u64)),
            "1.2345678901234567e+19"
        );
        assert_eq!(
            json_number(&serde_json::Number::from(12345678901234567890u64)),
            "12345678901234567000"
        );
    }
}

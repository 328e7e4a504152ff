//! How Go prints decoded JSON values: `fmt.Sprint` of an `interface{}` (`%v`: `map[k:v]`,
//! `[a b]`, `<nil>`, floats as `%g`-shortest like `1e+06`) and `encoding/json`'s number text.
//! kubectl's table cells, custom-columns, jsonpath text and go-templates all go through these.

use serde_json::{Number, Value};

/// Go `fmt.Sprint(v)` of a value decoded from JSON into `interface{}` (maps print with sorted
/// keys, as Go's fmt does).
pub fn sprint(v: &Value) -> String {
    let mut out = String::new();
    sprint_into(v, &mut out);
    out
}

fn sprint_into(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&sprint_number(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                sprint_into(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                sprint_into(item, out);
            }
            out.push(']');
        }
    }
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
        return format_float_g(u as f64);
    }
    format_float_g(n.as_f64().unwrap_or(0.0))
}

/// Shortest round-trip decimal digits of `f` (no sign) and the decimal exponent of the first
/// digit: 1500.0 → ("15", 3).
fn shortest_digits(f: f64) -> (String, i32) {
    let e = format!("{:e}", f.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    (digits, exp.parse().unwrap_or(0))
}

fn fmt_e(neg: bool, digits: &str, exp: i32) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push_str(&digits[..1]);
    if digits.len() > 1 {
        s.push('.');
        s.push_str(&digits[1..]);
    }
    s.push('e');
    s.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        s.push('0');
    }
    s.push_str(&a.to_string());
    s
}

fn fmt_f(neg: bool, digits: &str, exp: i32) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if exp < 0 {
        s.push_str("0.");
        for _ in 0..(-exp - 1) {
            s.push('0');
        }
        s.push_str(digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            s.push_str(digits);
            for _ in digits.len()..int_len {
                s.push('0');
            }
        } else {
            s.push_str(&digits[..int_len]);
            s.push('.');
            s.push_str(&digits[int_len..]);
        }
    }
    s
}

/// Go `strconv.FormatFloat(f, 'g', -1, 64)`, which is also `%v` of a float64: shortest digits,
/// exponent form (`1e+06`, `1.5e-07`) when the exponent is below -4 or at least 6.
pub fn format_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let (digits, exp) = shortest_digits(f);
    if !(-4..6).contains(&exp) {
        fmt_e(f < 0.0, &digits, exp)
    } else {
        fmt_f(f < 0.0, &digits, exp)
    }
}

/// Go `encoding/json` text of a float64: plain decimal, exponent form below 1e-6 or from 1e21
/// (`1e+21`, `1e-7`).
pub fn format_float_json(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let neg = f < 0.0;
    let (digits, exp) = shortest_digits(f);
    let abs = f.abs();
    if !(1e-6..1e21).contains(&abs) {
        let s = fmt_e(neg, &digits, exp);
        // Go trims `e-07` to `e-7` (only a single leading zero of a negative exponent).
        if let Some(pos) = s.find("e-0") {
            let mut t = s.clone();
            t.remove(pos + 2);
            return t;
        }
        return s;
    }
    fmt_f(neg, &digits, exp)
}

/// Go `encoding/json` text of a JSON number as decoded by apimachinery (int64 or float64).
pub fn json_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return format_float_json(u as f64);
    }
    format_float_json(n.as_f64().unwrap_or(0.0))
}

pub use kcore::gofmt::go_quote;

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

    #[test]
    fn json_floats() {
        assert_eq!(format_float_json(1000000.0), "1000000");
        assert_eq!(format_float_json(0.5), "0.5");
        assert_eq!(format_float_json(1e21), "1e+21");
        assert_eq!(format_float_json(1.5e-7), "1.5e-7");
        assert_eq!(format_float_json(1e-6), "0.000001");
        assert_eq!(format_float_json(-2.25), "-2.25");
        assert_eq!(format_float_json(1.2345e25), "1.2345e+25");
    }

    /// Expectations from kubectl.1.33 `-o jsonpath` over a list of floats (tests/fixtures/README).
    #[test]
    fn go_percent_v_floats() {
        let cases = [
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (100000.5, "100000.5"),
            (1e20, "1e+20"),
            (1e21, "1e+21"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (3.0, "3"),
            (-0.0, "-0"),
            (2.5, "2.5"),
            (1e100, "1e+100"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_g(f), want, "{f}");
        }
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

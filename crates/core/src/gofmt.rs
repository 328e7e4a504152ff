//! Go's formatting verbs as kubectl's messages use them.
//!
//! One `go_quote` for the whole program. It replaced four copies that differed on control
//! characters: print's (this one, Go's `strconv.Quote`), the selector parser's (same but for
//! non-ASCII control characters), describe's (no `\a \b \f \v`), and the sandbox
//! validator's (JSON escaping: `\u0001` where Go writes `\x01`). Go's `%q` is
//! `strconv.Quote` in all those places, so this is the right one for each; for printable text
//! they all agreed.

use serde_json::{Number, Value};

/// Go `strconv.Quote` (`%q`): double-quoted with Go escapes, printable Unicode kept.
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => {
                if (c as u32) <= 0xFFFF {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go `strconv.ParseBool`: the spellings Go accepts, `None` for anything else.
pub fn go_parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` (what pflag's int flags use): an optional sign, then
/// decimal, `0x` hex, `0o`/leading-`0` octal or `0b` binary digits, `_` between digits.
pub fn go_parse_int(s: &str) -> Result<i64, String> {
    let syntax = || format!("strconv.ParseInt: parsing {}: invalid syntax", go_quote(s));
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    // Underscores only with a base prefix, and only between digits.
    if digits.contains('_') {
        let ok = prefixed
            && !digits.starts_with('_')
            && !digits.ends_with('_')
            && !digits.contains("__");
        if !ok {
            return Err(syntax());
        }
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() || !clean.chars().all(|c| c.is_digit(radix)) {
        return Err(syntax());
    }
    let signed = if neg { format!("-{clean}") } else { clean };
    i64::from_str_radix(&signed, radix).map_err(|_| {
        format!(
            "strconv.ParseInt: parsing {}: value out of range",
            go_quote(s)
        )
    })
}

/// Go's `%v` of a decoded JSON value (`map[a:1 b:x]`, `[1 2]`, `<nil>`), as apimachinery's
/// messages, the JSONPath printer and kustomize's vars write it. Map keys come out sorted, as
/// Go's `fmt` sorts them (serde_json's map is ordered by key). Numbers are as apimachinery's
/// `util/json` decodes them: an integer literal within int64 stays one, anything else is a
/// float64.
pub fn go_value(v: &Value) -> String {
    sprint_with(v, &|n| match n.as_i64() {
        Some(i) => i.to_string(),
        None => go_float(n.as_f64().unwrap_or(0.0)),
    })
}

/// Go `fmt.Sprint` of a decoded JSON value, with `number` writing the numbers: callers differ
/// only on what a JSON number decodes to (int64 or float64).
pub fn sprint_with(v: &Value, number: &dyn Fn(&Number) -> String) -> String {
    let mut out = String::new();
    sprint_into(v, number, &mut out);
    out
}

fn sprint_into(v: &Value, number: &dyn Fn(&Number) -> String, out: &mut String) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                sprint_into(item, number, out);
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
                sprint_into(item, number, out);
            }
            out.push(']');
        }
    }
}

/// Go `strconv.FormatFloat(f, 'g', -1, 64)`, which is also `%v` of a float64: shortest digits,
/// exponent form (`1e+06`, `1.5e-07`) when the exponent is below -4 or at least 6 (kubectl
/// 1.33's jsonpath and describe print 1000000.5 as `1.0000005e+06` and 1e20 as `1e+20`).
pub fn go_float(f: f64) -> String {
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
pub fn json_float(f: f64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_values() {
        assert_eq!(
            go_value(&json!({"b": [1, "x"], "a": null})),
            "map[a:<nil> b:[1 x]]"
        );
        assert_eq!(go_value(&json!(1.5)), "1.5");
        assert_eq!(go_value(&json!(3.0)), "3");
        assert_eq!(go_value(&json!(0.00001)), "1e-05");
        assert_eq!(go_value(&json!(1e21)), "1e+21");
        assert_eq!(go_value(&json!(0.0001)), "0.0001");
        assert_eq!(go_value(&json!(-1.5e-7)), "-1.5e-07");
        // An integer literal is an int64; a float64 at 1e6 and above is `%g`'s exponent form;
        // an integer beyond int64 is a float64.
        assert_eq!(go_value(&json!(1000000)), "1000000");
        assert_eq!(go_value(&json!(1000000.5)), "1.0000005e+06");
        assert_eq!(go_value(&json!(10000000000000000000u64)), "1e+19");
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
            assert_eq!(go_float(f), want, "{f}");
        }
    }

    #[test]
    fn json_floats() {
        assert_eq!(json_float(1000000.0), "1000000");
        assert_eq!(json_float(0.5), "0.5");
        assert_eq!(json_float(1e21), "1e+21");
        assert_eq!(json_float(1.5e-7), "1.5e-7");
        assert_eq!(json_float(1e-6), "0.000001");
        assert_eq!(json_float(-2.25), "-2.25");
        assert_eq!(json_float(1.2345e25), "1.2345e+25");
    }

    #[test]
    fn quotes_like_strconv_quote() {
        assert_eq!(go_quote("a\tb\u{1}é"), r#""a\tb\x01é""#);
        assert_eq!(go_quote("\u{7}\u{8}\u{c}\u{b}\u{7f}"), r#""\a\b\f\v\x7f""#);
        assert_eq!(go_quote("\u{85}"), r#""\u0085""#);
        assert_eq!(go_quote("say \"hi\"\\"), r#""say \"hi\"\\""#);
    }
}

//! Go's formatting verbs as kubectl's messages use them.
//!
//! One `go_quote` for the whole program. It replaced four copies that differed on control
//! characters: print's (this one, Go's `strconv.Quote`), the selector parser's (same but for
//! non-ASCII control characters), describe's (no `\a \b \f \v`), and the sandbox
//! validator's (JSON escaping: `\u0001` where Go writes `\x01`). Go's `%q` is
//! `strconv.Quote` in all those places, so this is the right one for each; for printable text
//! they all agreed.

use serde_json::Value;

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
/// Go's `fmt` sorts them (serde_json's map is ordered by key).
pub fn go_value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::String(s) => s.clone(),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(go_value).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_value(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// A JSON number as Go prints the int64 or float64 it decodes to.
fn go_number(n: &serde_json::Number) -> String {
    let f = n.as_f64().unwrap_or(0.0);
    if (n.is_i64() || n.is_u64()) && f.abs() < 1e21 {
        n.to_string()
    } else {
        go_float(f)
    }
}

/// Go's `%v` of a float64: the shortest form, plain from 1e-4 to 1e21, else `1e-05`, `1e+21`
/// (explicit sign, at least two exponent digits).
pub fn go_float(f: f64) -> String {
    if f == 0.0 || (1e-4..1e21).contains(&f.abs()) {
        return format!("{f}");
    }
    let s = format!("{f:e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mant}e{sign}{digits:0>2}")
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
    }

    #[test]
    fn quotes_like_strconv_quote() {
        assert_eq!(go_quote("a\tb\u{1}é"), r#""a\tb\x01é""#);
        assert_eq!(go_quote("\u{7}\u{8}\u{c}\u{b}\u{7f}"), r#""\a\b\f\v\x7f""#);
        assert_eq!(go_quote("\u{85}"), r#""\u0085""#);
        assert_eq!(go_quote("say \"hi\"\\"), r#""say \"hi\"\\""#);
    }
}

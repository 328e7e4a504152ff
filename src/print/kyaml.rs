//! kubectl's `-o kyaml` (cli-runtime `KYAMLPrinter` over sigs.k8s.io/yaml v1.6.0 `kyaml`):
//! a `---` document of JSON-like YAML — `{`/`[` blocks with trailing commas, 2-space indent,
//! keys unquoted when unambiguous, every string value double-quoted, multi-line strings folded
//! with `\` line continuations, numbers exactly as Go's JSON prints them.

use std::io::Write;

use serde_json::Value;

use super::gofmt::json_number;
use super::PrintError;
use kcore::goyaml::{go_parse_int_base0, is_base60_float, is_yaml_style_float, parse_timestamp};

/// The kyaml document of one object, `---\n…\n`.
pub fn to_kyaml_string(v: &Value) -> String {
    let mut out = String::from("---\n");
    render(v, 0, &mut out);
    out.push('\n');
    out
}

/// A watch event `{type, object}` in KYAML (struct order: `type` first).
pub fn watch_event_kyaml(event_type: &str, obj: &Value) -> String {
    let mut out = String::from("---\n{\n");
    indent(1, &mut out);
    out.push_str("type: ");
    render_string(event_type, 2, false, &mut out);
    out.push_str(",\n");
    indent(1, &mut out);
    out.push_str("object: ");
    render(obj, 1, &mut out);
    out.push_str(",\n}\n");
    out
}

/// Prints one object as kubectl's KYAML printer does.
pub fn print_kyaml(obj: &Value, w: &mut dyn Write) -> Result<(), PrintError> {
    super::require_kind(obj)?;
    w.write_all(to_kyaml_string(obj).as_bytes())?;
    Ok(())
}

/// An item of a `List` as [`to_kyaml_string`] renders it inside the list's `items`.
pub fn push_list_item(item: &Value, out: &mut String) {
    render(item, 1, out);
}

fn indent(level: usize, out: &mut String) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn render(v: &Value, level: usize, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&json_number(n)),
        Value::String(s) => render_string(s, level + 1, false, out),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            let cuddle = items
                .iter()
                .all(|i| matches!(i, Value::Array(_) | Value::Object(_)));
            if cuddle {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    render(item, level, out);
                }
                out.push(']');
            } else {
                out.push_str("[\n");
                indent(level, out);
                for item in items {
                    indent(1, out);
                    render(item, level + 1, out);
                    out.push_str(",\n");
                    indent(level, out);
                }
                out.push(']');
            }
        }
        Value::Object(m) => {
            out.push_str("{\n");
            for (k, item) in m {
                indent(level + 1, out);
                render_string(k, level + 1, true, out);
                out.push_str(": ");
                render(item, level + 1, out);
                out.push_str(",\n");
            }
            indent(level, out);
            out.push('}');
        }
    }
}

/// kyaml `renderString`; keys use lazy quoting and compact escapes.
fn render_string(s: &str, level: usize, key: bool, out: &mut String) {
    let multi = s.contains('\n');
    if key && !multi && !needs_quotes(s) {
        out.push_str(s);
        return;
    }
    let fold = multi && !key;
    let mut buf = String::from("\"");
    if fold {
        buf.push_str("\\\n");
    }
    for c in s.chars() {
        if buf.ends_with('\n') {
            indent(level, &mut buf);
            buf.push(if c != '\n' && c.is_whitespace() {
                '\\'
            } else {
                ' '
            });
        }
        match c {
            '\n' if key => buf.push_str("\\n"),
            '\t' if key => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n\\\n"),
            '\t' => buf.push('\t'),
            '"' | '\\' => {
                buf.push('\\');
                buf.push(c);
            }
            c if is_go_printable(c) => buf.push(c),
            c => buf.push_str(&escape(c)),
        }
    }
    if fold {
        if !buf.ends_with('\n') {
            buf.push_str("\\\n");
        }
        indent(level, &mut buf);
    }
    buf.push('"');
    out.push_str(&buf);
}

/// Go `unicode.IsPrint` for the characters that matter here.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32, 0xAD | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0xFEFF | 0xFFF9..=0xFFFB)
        && !(0xE000..=0xF8FF).contains(&(c as u32))
}

fn escape(c: char) -> String {
    match c {
        '\u{7}' => "\\a".into(),
        '\u{8}' => "\\b".into(),
        '\u{c}' => "\\f".into(),
        '\r' => "\\r".into(),
        '\u{b}' => "\\v".into(),
        '\0' => "\\0".into(),
        '\u{1b}' => "\\e".into(),
        '\u{85}' => "\\N".into(),
        '\u{a0}' => "\\_".into(),
        '\u{2028}' => "\\L".into(),
        '\u{2029}' => "\\P".into(),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => format!("\\x{:02x}", c as u32),
        c if (c as u32) < 0x10000 => format!("\\u{:04x}", c as u32),
        c => format!("\\U{:08x}", c as u32),
    }
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || is_type_ambiguous(s) {
        return true;
    }
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphabetic() || c.is_numeric() || c == '_' {
            continue;
        }
        if i > 0 && i + 1 < chars.len() && matches!(c, '-' | '.' | '/') {
            continue;
        }
        return true;
    }
    false
}

fn is_type_ambiguous(s: &str) -> bool {
    let lower = s.to_lowercase();
    if s.len() <= 5
        && matches!(
            lower.as_str(),
            "null"
                | "~"
                | ""
                | "true"
                | "y"
                | "yes"
                | "on"
                | "false"
                | "n"
                | "no"
                | "off"
                | ".inf"
                | "-.inf"
                | "+.inf"
                | ".nan"
        )
    {
        return true;
    }
    if matches!(
        s,
        "1" | "t" | "T" | "TRUE" | "true" | "True" | "0" | "f" | "F" | "FALSE" | "false" | "False"
    ) {
        return true;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if go_parse_int_base0(&plain, true) || go_parse_float(&plain) {
        return true;
    }
    is_sexagesimal(s) || parse_timestamp(s)
}

/// Go `strconv.ParseFloat(s, 64)` success (decimal, inf/infinity/nan, hex floats).
fn go_parse_float(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s).to_lowercase();
    if matches!(body.as_str(), "inf" | "infinity") || s.eq_ignore_ascii_case("nan") {
        return true;
    }
    if let Some(hex) = body.strip_prefix("0x") {
        let Some((mant, exp)) = hex.split_once('p') else {
            return false;
        };
        let digits = mant.replace('.', "");
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        return !digits.is_empty()
            && mant.matches('.').count() <= 1
            && digits.chars().all(|c| c.is_ascii_hexdigit())
            && !exp.is_empty()
            && exp.chars().all(|c| c.is_ascii_digit());
    }
    is_yaml_style_float(s) && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// `^[+-]?[1-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`: go-yaml's base-60 float without a
/// leading zero.
fn is_sexagesimal(s: &str) -> bool {
    !s.strip_prefix(['+', '-']).unwrap_or(s).starts_with('0') && is_base60_float(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: &Value) -> String {
        let mut out = String::new();
        render(v, 0, &mut out);
        out
    }

    /// Expectations from sigs.k8s.io/yaml v1.6.0 `kyaml_test.go` (`TestKYAMLOutput`).
    #[test]
    fn upstream_expectations() {
        assert_eq!(body(&json!("")), r#""""#);
        assert_eq!(body(&json!("abc")), r#""abc""#);
        assert_eq!(
            body(&json!("This\n is a\n  multi-line\n string")),
            "\"\\\n   This\\n\\\n  \\ is a\\n\\\n  \\  multi-line\\n\\\n  \\ string\\\n  \""
        );
        assert_eq!(body(&json!([1, 2, 3])), "[\n  1,\n  2,\n  3,\n]");
        assert_eq!(body(&json!({"a": 1, "b": 2})), "{\n  a: 1,\n  b: 2,\n}");
        let keys = json!({"NULL": 1, "null": 2, "unambiguous": 3, "~": 4, "-1": 5, "_1": 6, "__1__2__": 7,
            "+.inf": 8, "3.14": 9, "_": 10, "with-dash": 11, "with.dot": 12, "with/slash": 13,
            "not safe": 14, "with\\backslash": 15, "-": 16, "trailing-dash-": 17, ".leading.dot": 18,
            "11:00": 19, "2006": 20, "2006-1-2": 21, "yes": 22, "t": 23});
        let want_quoted = [
            "NULL",
            "null",
            "~",
            "-1",
            "_1",
            "__1__2__",
            "+.inf",
            "3.14",
            "not safe",
            "with\\\\backslash",
            "-",
            "trailing-dash-",
            ".leading.dot",
            "11:00",
            "2006",
            "2006-1-2",
            "yes",
            "t",
        ];
        let want_plain = ["unambiguous", "_", "with-dash", "with.dot", "with/slash"];
        let text = body(&keys);
        for k in want_quoted {
            assert!(
                text.contains(&format!("  \"{k}\": ")),
                "{k} should be quoted in {text}"
            );
        }
        for k in want_plain {
            assert!(
                text.contains(&format!("  {k}: ")),
                "{k} should be plain in {text}"
            );
        }
    }

    #[test]
    fn documents_nesting_and_escapes() {
        let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"x": "a\tb\u{1}\"é"},
            "list": [{"a": 1}, {}], "mixed": ["s", [1]], "empty": [], "n": null, "f": 1e21});
        let want = "---\n{\n  apiVersion: \"v1\",\n  data: {\n    x: \"a\tb\\x01\\\"é\",\n  },\n  empty: [],\n  \"f\": 1e+21,\n  kind: \"ConfigMap\",\n  list: [{\n    a: 1,\n  }, {}],\n  mixed: [\n    \"s\",\n    [\n      1,\n    ],\n  ],\n  \"n\": null,\n}\n";
        assert_eq!(to_kyaml_string(&obj), want);
        let mut out = Vec::new();
        print_kyaml(&obj, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), want);
        assert!(print_kyaml(&json!({}), &mut Vec::new()).is_err());
    }
}

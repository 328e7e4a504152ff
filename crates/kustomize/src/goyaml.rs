//! The YAML kustomize quotes a built-in plugin's config with in its configuration errors
//! (`trouble configuring builtin PatchTransformer with config: ` + sigs.k8s.io/yaml's
//! `Marshal`, i.e. JSON → go-yaml v2): keys sorted, 2-space indent, sequences at their key's
//! indent, and go-yaml v2's choice of scalar style: plain when that reads back as the same
//! string, `|`/`|-`/`|+` literals for multi-line strings, else single or double quotes.

use serde_json::Value;

/// The block YAML of a config value (a map at the top), each line ending in a newline.
pub(crate) fn block(v: &Value) -> String {
    let mut out = String::new();
    emit(v, 0, &mut out);
    out
}

fn emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                let x = &m[k];
                let key = scalar(k, indent);
                match x {
                    Value::Object(o) if !o.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        emit(x, indent + 2, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        emit(x, indent, out);
                    }
                    other => out.push_str(&format!("{pad}{key}: {}\n", value(other, indent + 2))),
                }
            }
        }
        Value::Array(a) => {
            for x in a {
                match x {
                    Value::Object(o) if !o.is_empty() => {
                        // The first key goes on the dash's line.
                        let mut inner = String::new();
                        emit(x, indent + 2, &mut inner);
                        out.push_str(&format!("{pad}- {}", &inner[indent + 2..]));
                    }
                    other => out.push_str(&format!("{pad}- {}\n", value(other, indent + 2))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", value(other, indent))),
    }
}

fn value(v: &Value, indent: usize) -> String {
    match v {
        Value::String(s) => scalar(s, indent),
        Value::Object(_) => "{}".to_string(),
        Value::Array(_) => "[]".to_string(),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

/// A string scalar at `indent` (the indent its literal lines would take) in go-yaml v2's
/// style.
fn scalar(s: &str, indent: usize) -> String {
    if !kcore::goyaml::resolves_to_string(s) {
        return double_quoted(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let special = chars
        .iter()
        .any(|&c| c != '\n' && c != '\t' && (c.is_control() || c == '\u{feff}'));
    let space_break = s.contains(" \n");
    let break_space = s.contains("\n ");
    let leading_space = s.starts_with(' ') || s.starts_with('\n');
    let trailing_space = s.ends_with(' ');
    let multiline = s.contains('\n');
    if special || space_break {
        return double_quoted(s);
    }
    if multiline {
        if trailing_space {
            return double_quoted(s);
        }
        return literal(s, indent);
    }
    let mut indicators = false;
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_space = chars.get(i + 1).is_none_or(|n| *n == ' ' || *n == '\t');
        let preceded_by_space = i > 0 && (chars[i - 1] == ' ' || chars[i - 1] == '\t');
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => indicators = true,
                '?' | ':' | '-' if followed_by_space => indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_space => indicators = true,
                '#' if preceded_by_space => indicators = true,
                _ => {}
            }
        }
    }
    let plain = !indicators && !leading_space && !trailing_space && !break_space;
    if plain {
        s.to_string()
    } else if !break_space {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double_quoted(s)
    }
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `|` literal: `-` strips a missing final newline, `+` keeps several, and an indentation
/// indicator when the text starts with a space or a newline.
fn literal(s: &str, indent: usize) -> String {
    let chomp = if !s.ends_with('\n') {
        "-"
    } else if s.ends_with("\n\n") || s == "\n" {
        "+"
    } else {
        ""
    };
    let hint = if s.starts_with(' ') || s.starts_with('\n') {
        "2"
    } else {
        ""
    };
    let pad = " ".repeat(indent);
    let body = s.strip_suffix('\n').unwrap_or(s);
    let mut out = format!("|{hint}{chomp}");
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_take_go_yaml_v2_styles() {
        for (s, want) in [
            ("../p.yaml", "../p.yaml"),
            ("app=web", "app=web"),
            ("true", "\"true\""),
            ("1.5", "\"1.5\""),
            ("0x1F", "\"0x1F\""),
            ("2024-01-02", "\"2024-01-02\""),
            ("a: b", "'a: b'"),
            ("-x", "-x"),
            ("- x", "'- x'"),
            (" lead", "' lead'"),
            ("it's", "it's"),
            ("a #b", "'a #b'"),
        ] {
            assert_eq!(scalar(s, 2), want, "{s:?}");
        }
        assert_eq!(scalar("a: 1\nb: 2", 2), "|-\n  a: 1\n  b: 2");
        assert_eq!(scalar("a\n\nb\n", 0), "|\na\n\nb");
        assert_eq!(scalar("a \nb", 0), "\"a \\nb\"");
    }
}

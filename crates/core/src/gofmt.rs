//! Go's formatting verbs as kubectl's messages use them.
//!
//! One `go_quote` for the whole program. It replaced four copies that differed on control
//! characters: print's (this one, Go's `strconv.Quote`), the selector parser's (same but for
//! non-ASCII control characters), describe's (no `\a \b \f \v`), and the sandbox
//! validator's (JSON escaping: `\u0001` where Go writes `\x01`). Go's `%q` is
//! `strconv.Quote` in all those places, so this is the right one for each; for printable text
//! they all agreed.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_strconv_quote() {
        assert_eq!(go_quote("a\tb\u{1}é"), r#""a\tb\x01é""#);
        assert_eq!(go_quote("\u{7}\u{8}\u{c}\u{b}\u{7f}"), r#""\a\b\f\v\x7f""#);
        assert_eq!(go_quote("\u{85}"), r#""\u0085""#);
        assert_eq!(go_quote("say \"hi\"\\"), r#""say \"hi\"\\""#);
    }
}

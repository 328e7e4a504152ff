//! Go's `base64.StdEncoding.DecodeString`, which kubectl uses for base64 it is given (`config
//! set` of a `[]byte` field, the go-template `base64decode` function). It differs from a strict
//! RFC 4648 decoder in two ways users meet: `\r` and `\n` anywhere are skipped (so the wrapped
//! output of `base64(1)` decodes), and non-zero trailing bits are accepted. Errors are Go's
//! `CorruptInputError` text with Go's offset into the input as given.

/// The value of a standard-alphabet character, if it is one.
fn value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

fn is_newline(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// `illegal base64 data at input byte N`.
fn corrupt(offset: usize) -> String {
    format!("illegal base64 data at input byte {offset}")
}

/// Decodes standard, padded base64 as Go does (`encoding/base64`, non-strict).
pub fn decode_std(input: &str) -> Result<Vec<u8>, String> {
    let src = input.as_bytes();
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    // One quantum (Go's decodeQuantum) per turn.
    while si < src.len() {
        let mut buf = [0u8; 4];
        let mut len = 4;
        let mut j = 0;
        let mut trailing = None;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // A padded encoding must end on a whole quantum.
                return Err(corrupt(si - j));
            }
            let c = src[si];
            si += 1;
            if let Some(v) = value(c) {
                buf[j] = v;
                j += 1;
                continue;
            }
            if is_newline(c) {
                continue;
            }
            if c != b'=' || j < 2 {
                return Err(corrupt(si - 1));
            }
            if j == 2 {
                // "==": the second '=' may follow newlines.
                while si < src.len() && is_newline(src[si]) {
                    si += 1;
                }
                if si == src.len() {
                    return Err(corrupt(src.len()));
                }
                if src[si] != b'=' {
                    return Err(corrupt(si - 1));
                }
                si += 1;
            }
            while si < src.len() && is_newline(src[si]) {
                si += 1;
            }
            if si < src.len() {
                trailing = Some(si);
            }
            len = j;
            break;
        }
        let v = u32::from(buf[0]) << 18
            | u32::from(buf[1]) << 12
            | u32::from(buf[2]) << 6
            | u32::from(buf[3]);
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        out.extend_from_slice(&bytes[..len - 1]);
        if let Some(at) = trailing {
            return Err(corrupt(at));
        }
        if len < 4 {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_go() {
        let cases: [(&str, &str); 8] = [
            ("", ""),
            ("aGVsbG8=", "hello"),
            ("aGVsbA==", "hell"),
            ("aGVs", "hel"),
            // Newlines anywhere are skipped, as in base64(1)'s wrapped output.
            ("aGV\nsbG\r\n8=\n", "hello"),
            ("aGVsbA=\n=", "hell"),
            // Non-zero trailing bits are accepted (Go's non-strict decoding).
            ("aGVsbB==", "hell"),
            ("\n", ""),
        ];
        for (input, want) in cases {
            assert_eq!(decode_std(input).unwrap(), want.as_bytes(), "{input:?}");
        }
    }

    #[test]
    fn errors_carry_gos_offsets() {
        // Offsets checked with Go 1.26's base64.StdEncoding.DecodeString.
        for (input, offset) in [
            ("aGVsbG8", 4),
            ("a", 0),
            ("aG!s", 2),
            ("a===", 1),
            ("aGVsbA=", 7),
            ("aGVsbA=x", 6),
            ("aGVsbG8=aGVs", 8),
            ("#Comment", 0),
            ("aG\nV", 1),
            ("aGVsbA==\n\nx", 10),
        ] {
            assert_eq!(
                decode_std(input).unwrap_err(),
                format!("illegal base64 data at input byte {offset}"),
                "{input:?}"
            );
        }
    }
}

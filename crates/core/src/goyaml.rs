//! go-yaml v2's resolution of plain scalars (`resolve.go`): which unquoted texts read back as
//! something other than a string (YAML 1.1 booleans, null, numbers, base-60 floats,
//! timestamps). sigs.k8s.io/yaml's `Marshal` quotes those, so kubectl's `-o yaml`, kubectl's
//! KYAML and kustomize's config errors all decide quoting with it.

/// Whether go-yaml would read `s` back, unquoted, as a string (`resolve` plus
/// `isBase60Float`); if not, the encoder double-quotes it.
pub fn resolves_to_string(s: &str) -> bool {
    !(resolves_to_non_string(s) || is_base60_float(s))
}

fn resolves_to_non_string(s: &str) -> bool {
    const MAP: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no",
        "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null",
        "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF",
    ];
    let Some(first) = s.chars().next() else {
        return true; // "" resolves to null
    };
    let hint = match first {
        '+' | '-' => 'S',
        '0'..='9' => 'D',
        'y' | 'Y' | 'n' | 'N' | 't' | 'T' | 'f' | 'F' | 'o' | 'O' | '~' => 'M',
        '.' => '.',
        _ => return false,
    };
    if MAP.contains(&s) {
        return true;
    }
    match hint {
        '.' => is_dot_float(s),
        'D' | 'S' => {
            if parse_timestamp(s) {
                return true;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            go_parse_int_base0(&plain, true)
                || go_parse_int_base0(&plain, false)
                || (is_yaml_style_float(&plain) && plain.parse::<f64>().is_ok_and(f64::is_finite))
                || plain
                    .strip_prefix("0b")
                    .or_else(|| plain.strip_prefix("-0b"))
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c == '0' || c == '1'))
        }
        _ => false,
    }
}

/// Go `strconv.ParseFloat` success for text starting with `.` (`.5`, `.5e3`).
fn is_dot_float(s: &str) -> bool {
    let rest = &s[1..];
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let tail = &rest[digits..];
    tail.is_empty() || is_exponent(tail)
}

fn is_exponent(t: &str) -> bool {
    let Some(t) = t.strip_prefix(['e', 'E']) else {
        return false;
    };
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
pub fn is_yaml_style_float(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    let int_digits = t.chars().take_while(char::is_ascii_digit).count();
    let mut rest = &t[int_digits..];
    if int_digits == 0 {
        let Some(r) = rest.strip_prefix('.') else {
            return false;
        };
        let frac = r.chars().take_while(char::is_ascii_digit).count();
        if frac == 0 {
            return false;
        }
        rest = &r[frac..];
    } else if let Some(r) = rest.strip_prefix('.') {
        let frac = r.chars().take_while(char::is_ascii_digit).count();
        rest = &r[frac..];
    }
    rest.is_empty() || is_exponent(rest)
}

/// Go `strconv.ParseInt(s, 0, 64)` (signed) or `ParseUint(s, 0, 64)` success, without
/// underscores.
pub fn go_parse_int_base0(s: &str, signed: bool) -> bool {
    let (neg, body) = if signed {
        match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        }
    } else {
        (false, s)
    };
    let (radix, digits) =
        if let Some(d) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, d)
        } else if let Some(d) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, d)
        } else if let Some(d) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, d)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return false;
    }
    let Ok(v) = u64::from_str_radix(digits, radix) else {
        return false;
    };
    if !signed {
        return true;
    }
    if neg {
        v <= (i64::MAX as u64) + 1
    } else {
        v <= i64::MAX as u64
    }
}

/// go-yaml `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
pub fn is_base60_float(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    let b = t.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() || !t.contains(':') {
        return false;
    }
    let mut i = 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        match i - start {
            1 => {}
            2 if b[start] <= b'5' => {}
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml's timestamp resolution: Go `time.Parse` with `2006-1-2T15:4:5.999999999Z07:00`,
/// the same with `t`, `2006-1-2 15:4:5.999999999`, or `2006-1-2`.
pub fn parse_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let year_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if year_digits != 4 || b.get(4) != Some(&b'-') {
        return false;
    }
    let year: i32 = s[..4].parse().unwrap_or(0);
    let mut i = 5;
    let Some(month) = getnum(b, &mut i) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = getnum(b, &mut i) else {
        return false;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let sep = b[i];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return false;
    }
    i += 1;
    let (Some(h), true) = (getnum(b, &mut i), b.get(i) == Some(&b':')) else {
        return false;
    };
    i += 1;
    let (Some(m), true) = (getnum(b, &mut i), b.get(i) == Some(&b':')) else {
        return false;
    };
    i += 1;
    let Some(sec) = getnum(b, &mut i) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if b.get(i).is_some_and(|&c| c == b'.' || c == b',')
        && b.get(i + 1).is_some_and(u8::is_ascii_digit)
    {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if sep == b' ' {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+') | Some(b'-') => {
            let z = &b[i + 1..];
            z.len() == 5
                && z[0].is_ascii_digit()
                && z[1].is_ascii_digit()
                && z[2] == b':'
                && z[3].is_ascii_digit()
                && z[4].is_ascii_digit()
        }
        _ => false,
    }
}

/// Go's `getnum(value, false)`: one or two digits.
fn getnum(b: &[u8], i: &mut usize) -> Option<u32> {
    let d1 = *b.get(*i)?;
    if !d1.is_ascii_digit() {
        return None;
    }
    *i += 1;
    let mut v = u32::from(d1 - b'0');
    if let Some(&d2) = b.get(*i) {
        if d2.is_ascii_digit() {
            v = v * 10 + u32::from(d2 - b'0');
            *i += 1;
        }
    }
    Some(v)
}

fn days_in(month: u32, year: i32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_rules() {
        for s in [
            "1",
            "-1",
            "+1",
            "0x1F",
            "0o17",
            "017",
            "1_000",
            "1.5",
            ".5",
            "1e3",
            "yes",
            "Off",
            "~",
            "",
            "12:30",
            "2026-1-2",
            "2026-11-27T19:54:23Z",
            "2026-11-27 1:2:3.5",
            "0b101",
        ] {
            assert!(!resolves_to_string(s), "{s:?} should need quotes");
        }
        for s in [
            "abc",
            "1a",
            ".",
            "2026-13-01",
            "2026-02-30",
            "12:60",
            "0x",
            "1e999",
            "--1",
            "0b",
            "1.2.3",
            "yes please",
        ] {
            assert!(resolves_to_string(s), "{s:?} should stay plain");
        }
    }
}

//! Normalising CLI output so that two runs against live clusters can be compared: random
//! name suffixes, uids, timestamps, ages and resource versions differ between runs, nothing
//! else may. Ages change width, so runs of spaces are collapsed; alignment is checked apart
//! (`misaligned`).

/// Replaces run-dependent tokens with fixed placeholders of the same width.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&normalize_line(line));
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_'
}

/// kubectl ages: `36s`, `5m5s`, `10m`, `3h5m`, `2d3h`, `<unknown>`.
fn is_age(tok: &str) -> bool {
    if tok == "<unknown>" || tok == "<invalid>" {
        return true;
    }
    if tok.is_empty() {
        return false;
    }
    let mut digits = false;
    for c in tok.chars() {
        if c.is_ascii_digit() {
            digits = true;
        } else if "smhdy".contains(c) && digits {
            digits = false;
        } else {
            return false;
        }
    }
    !digits && tok.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// 36-character uuid.
fn is_uid(tok: &str) -> bool {
    let b = tok.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}

/// `name-abcde` where the suffix uses kube's random alphabet (5 chars): `-XXXXX`.
fn random_suffix_at(tok: &str) -> Option<usize> {
    let b = tok.as_bytes();
    if b.len() < 7 || b[b.len() - 6] != b'-' {
        return None;
    }
    let suffix = &b[b.len() - 5..];
    let alphabet = b"bcdfghjklmnpqrstvwxz2456789";
    // A suffix made only of letters could be a real word: require at least one digit or
    // consonant-only shape (kube's alphabet has no vowels).
    if suffix.iter().all(|c| alphabet.contains(c)) {
        Some(b.len() - 5)
    } else {
        None
    }
}

fn normalize_token(tok: &str) -> String {
    if is_uid(tok) {
        return "U".repeat(36);
    }
    if is_age(tok) {
        return "AGE".to_string();
    }
    // RFC 3339 timestamps.
    if tok.len() == 20 && tok.as_bytes()[4] == b'-' && tok.ends_with('Z') && tok.contains('T') {
        return "T".repeat(20);
    }
    if let Some(at) = random_suffix_at(tok) {
        return format!("{}XXXXX", &tok[..at]);
    }
    for prefix in ["containerd://", "sha256:"] {
        if let Some(rest) = tok.strip_prefix(prefix) {
            if rest.len() >= 16 && rest.chars().all(|c| c.is_ascii_hexdigit()) {
                return format!("{prefix}ID");
            }
        }
    }
    tok.to_string()
}

fn normalize_line(line: &str) -> String {
    // Describe timestamps: `Mon, 02 Jan 2006 15:04:05 -0700`.
    let line = replace_describe_times(line);
    let line = replace_rfc3339(&line);
    let line = replace_hex_runs(&line);
    let mut out = String::with_capacity(line.len());
    let mut tok = String::new();
    let flush = |tok: &mut String, out: &mut String| {
        if !tok.is_empty() {
            out.push_str(&normalize_token(tok));
            tok.clear();
        }
    };
    for c in line.chars() {
        if is_word(c) || c == '<' || c == '>' || c == ':' && tok.contains("containerd") {
            tok.push(c);
        } else {
            flush(&mut tok, &mut out);
            out.push(c);
        }
    }
    flush(&mut tok, &mut out);
    let out = mask_after(&out, "resourceVersion", |c| c.is_ascii_digit());
    // Pull timings and image sizes are made up by each kubelet.
    let out = match out.find("Successfully pulled image \"") {
        Some(p) => match out[p + 27..].find('"') {
            Some(q) => format!("{} in PULLTIME", &out[..p + 28 + q]),
            None => out,
        },
        None => out,
    };
    let out = mask_after(&out, "controller-revision-hash", |c| c.is_ascii_hexdigit());
    collapse_spaces(out.trim_end())
}

/// Runs of two or more spaces become two: widths move with ages.
fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = 0;
    for c in s.chars() {
        if c == ' ' {
            run += 1;
            continue;
        }
        if run > 0 {
            out.push_str(if run == 1 { " " } else { "  " });
            run = 0;
        }
        out.push(c);
    }
    out
}

/// Checks a kubectl table: every column starts at the same offset on every line of a block,
/// and no line ends in spaces. Returns the first problem found.
pub fn misaligned(text: &str) -> Option<String> {
    for block in text.split("\n\n") {
        let lines: Vec<&str> = block.lines().collect();
        let Some(header) = lines.first() else {
            continue;
        };
        if !header.starts_with("NAME") && !header.starts_with("NAMESPACE") {
            continue;
        }
        let starts: Vec<usize> = header
            .match_indices("   ")
            .map(|(i, _)| i)
            .filter_map(|i| {
                let rest = &header[i..];
                let n = rest.len() - rest.trim_start().len();
                (n >= 3).then_some(i + n)
            })
            .collect();
        for l in &lines {
            if l.ends_with(' ') {
                return Some(format!("trailing spaces: {l:?}"));
            }
            for &s in &starts {
                if l.len() > s && l.as_bytes()[s - 1] != b' ' {
                    return Some(format!("cell runs into the column at {s}: {l:?}"));
                }
            }
        }
    }
    None
}

/// Masks the run of characters accepted by `keep` that follows `key` and its separators.
fn mask_after(s: &str, key: &str, keep: fn(char) -> bool) -> String {
    let Some(pos) = s.find(key) else {
        return s.to_string();
    };
    let (head, tail) = s.split_at(pos + key.len());
    let sep: String = tail.chars().take_while(|c| "\": =".contains(*c)).collect();
    let rest = &tail[sep.len()..];
    let n = rest.chars().take_while(|c| keep(*c)).count();
    if n == 0 {
        return s.to_string();
    }
    format!("{head}{sep}V{}", mask_after(&rest[n..], key, keep))
}

/// `2006-01-02T15:04:05Z` (and with fractional seconds) becomes `TIME`.
fn replace_rfc3339(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let digit = |j: usize| b.get(j).is_some_and(|c| c.is_ascii_digit());
    while i < b.len() {
        let shape = (0..4).all(|k| digit(i + k))
            && b.get(i + 4) == Some(&b'-')
            && b.get(i + 10) == Some(&b'T')
            && b.get(i + 13) == Some(&b':')
            && b.get(i + 16) == Some(&b':');
        if shape {
            let mut j = i + 19;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
                j += 1;
            }
            if b.get(j) == Some(&b'Z') {
                out.push_str("TIME");
                i = j + 1;
                continue;
            }
        }
        out.push(b[i] as char);
        i += 1;
    }
    out
}

/// Runs of 32 or more hex digits (container, image, machine ids) become `HEX`.
fn replace_hex_runs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut run = String::new();
    for c in line.chars().chain(std::iter::once('\u{0}')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        if run.len() >= 32 {
            out.push_str("HEX");
        } else {
            out.push_str(&run);
        }
        run.clear();
        if c != '\u{0}' {
            out.push(c);
        }
    }
    out
}

fn replace_describe_times(line: &str) -> String {
    const DAYS: [&str; 7] = [
        "Mon, ", "Tue, ", "Wed, ", "Thu, ", "Fri, ", "Sat, ", "Sun, ",
    ];
    let mut s = line.to_string();
    for d in DAYS {
        while let Some(p) = s.find(d) {
            // "Mon, 02 Jan 2006 15:04:05 -0700" is 31 characters.
            if s.len() >= p + 31 && s.as_bytes()[p + 25] == b' ' {
                s.replace_range(p..p + 31, &"T".repeat(31));
            } else {
                break;
            }
        }
    }
    s
}

/// Puts rows whose order is random in kubectl's output into one order: in each table block
/// (lines between blank lines, the `NAME`/`NAMESPACE` header first) only runs of adjacent rows
/// with equal name columns are sorted; in normalised text those are siblings told apart only by
/// a random suffix (a DaemonSet's pods, which kubectl lists by that random name). Every other
/// row keeps its place, so a difference in order fails the comparison.
pub fn sort_random_siblings(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for block in text.split("\n\n") {
        let mut lines: Vec<&str> = block.split('\n').collect();
        let key_cols = if lines[0].starts_with("NAMESPACE") {
            2
        } else if lines[0].starts_with("NAME") {
            1
        } else {
            0
        };
        if key_cols > 0 {
            let key = |l: &str| -> Vec<String> {
                l.split_whitespace()
                    .take(key_cols)
                    .map(str::to_string)
                    .collect()
            };
            let mut start = 1;
            while start < lines.len() {
                let k = key(lines[start]);
                let end = (start..lines.len())
                    .find(|&i| key(lines[i]) != k)
                    .unwrap_or(lines.len());
                lines[start..end].sort();
                start = end;
            }
        }
        out.push(lines.join("\n"));
    }
    out.join("\n\n")
}

#[test]
fn normalizes_run_dependent_tokens() {
    let a = "node-exporter-k8gb4   1/1     Running   0          5s    uid 0b1c2d3e-0000-4000-8000-0123456789ab";
    let b = "node-exporter-zz2x9   1/1     Running   0          7s    uid 11111111-2222-4333-8444-555555555555";
    assert_eq!(normalize(a), normalize(b));
    assert_eq!(normalize("web   5s    x"), normalize("web   15s   x"));
    assert_ne!(normalize("web 5s"), normalize("web 5s x"));
    assert_eq!(
        normalize("\"resourceVersion\": \"123\""),
        normalize("\"resourceVersion\": \"456\"")
    );
    assert_eq!(
        normalize("Start Time:  Mon, 02 Jan 2006 15:04:05 +0000"),
        normalize("Start Time:  Fri, 27 Nov 2026 20:41:47 +0000")
    );
    assert_eq!(normalize("node-exporter"), "node-exporter");
}

#[test]
fn only_random_siblings_are_sorted() {
    // Distinct names keep kubectl's order (a wrong order must show up)...
    let t = "NAME   READY\nweb    1/1\napi    1/1\n";
    assert_eq!(sort_random_siblings(t), t);
    // ...while pods told apart only by a random suffix are put in one order.
    let a = normalize("NAME  NODE\nds-k8gb4  w1\nds-zz2x9  w2\nweb  w1\n");
    let b = normalize("NAME  NODE\nds-bb2x9  w2\nds-zz2x9  w1\nweb  w1\n");
    assert_ne!(a, b);
    assert_eq!(sort_random_siblings(&a), sort_random_siblings(&b));
    // With a NAMESPACE column the namespace is part of the name.
    let t = "NAMESPACE  NAME\nb  ds-XXXXX\na  ds-XXXXX\n";
    assert_eq!(sort_random_siblings(t), t);
}

//! Test helpers: fixture files and request bodies recorded in kubectl `-v=8` logs.

/// A file under `tests/fixtures/`.
pub fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Undoes Go's `%q` quoting of a `Request Body` in a `-v=8` log line.
fn go_unquote(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The request body logged on the line containing `marker` in a recorded log: the visible
/// text and the full length (kubectl truncates long bodies in its logs).
pub fn recorded_body(log: &str, marker: &str) -> (String, usize) {
    let log = fixture(&format!("reference/{log}"));
    let line = log.lines().find(|l| l.contains(marker)).unwrap();
    let quoted = line.split_once("body=\"").unwrap().1;
    let quoted = quoted.strip_suffix('"').unwrap();
    match quoted.rsplit_once(" [truncated ") {
        Some((visible, rest)) => {
            let hidden: usize = rest.trim_end_matches(" chars]").parse().unwrap();
            let visible = go_unquote(visible);
            let total = visible.len() + hidden;
            (visible, total)
        }
        None => {
            let visible = go_unquote(quoted);
            let total = visible.len();
            (visible, total)
        }
    }
}

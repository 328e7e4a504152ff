//! Go's `path.Clean` and `path.Join` (also `filepath`'s on Unix): lexical, no file system.

/// Go's `path.Clean`: `.` and empty elements dropped, `..` resolved against what precedes it
/// (dropped at the root, kept when nothing precedes it), `.` for an empty result.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            part => parts.push(part),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

/// Go's `path.Join` of two elements: the non-empty ones joined with `/` and cleaned (`""` when
/// both are empty).
pub fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => String::new(),
        (true, false) => clean(b),
        (false, true) => clean(a),
        (false, false) => clean(&format!("{a}/{b}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_is_go_path_clean() {
        for (input, want) in [
            ("a/./b/../c/", "a/c"),
            ("/../x", "/x"),
            ("../../x", "../../x"),
            ("a/../..", ".."),
            ("", "."),
            ("/", "/"),
            ("//a//b/", "/a/b"),
            ("echo", "echo"),
        ] {
            assert_eq!(clean(input), want, "{input:?}");
        }
    }

    #[test]
    fn join_is_go_path_join() {
        assert_eq!(join("", ""), "");
        assert_eq!(join("", "a/./b"), "a/b");
        assert_eq!(join("a/", ""), "a");
        assert_eq!(join("./dir", "a.yaml"), "dir/a.yaml");
        assert_eq!(join("/x/../y", "a"), "/y/a");
        assert_eq!(join("a", "../../b"), "../b");
    }
}

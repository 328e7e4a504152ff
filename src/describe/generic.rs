//! kubectl's generic describer for kinds without a typed one: name, namespace, labels,
//! annotations, then every other field of the object (sorted, nested by indentation, with
//! kubectl's "smart" labels such as `API Version` and `Creation Timestamp`).

use serde_json::{Map, Value};

use super::events::finish_with_events;
use super::writer::{PrefixWriter, LEVEL_0};
use super::{DescribeOptions, Events};
// Integers print as int64, every other number (`1234567.0` too) as a float64: what kubectl's
// describe prints (print::gofmt::sprint takes integral floats as int64, as `get --sort-by` does).
use kcore::gofmt::go_value as sprint;

const SKIP: &[&str] = &[
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
];

/// Renders any object the generic way (events: `None` when off).
pub fn describe_generic(obj: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    super::text::print_meta_header(&mut w, obj);
    if let Some(m) = obj.as_object() {
        print_content(&mut w, LEVEL_0, m, "");
    }
    finish_with_events(&mut w, events, opts)
}

/// `printUnstructuredContent`.
fn print_content(w: &mut PrefixWriter, level: usize, content: &Map<String, Value>, prefix: &str) {
    // serde_json maps iterate in sorted key order, as Go's sort.Strings orders them.
    for (field, value) in content {
        let path = format!("{prefix}.{field}");
        if SKIP.contains(&path.as_str()) {
            continue;
        }
        match value {
            Value::Object(m) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                print_content(w, level + 1, m, &path);
            }
            Value::Array(items) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                for item in items {
                    match item {
                        Value::Object(m) => print_content(w, level + 1, m, &path),
                        other => w.write(level + 1, &format!("{}\n", sprint(other))),
                    }
                }
            }
            other => w.write(
                level,
                &format!("{}:\t{}\n", smart_label(field), sprint(other)),
            ),
        }
    }
}

/// kubectl's `smartLabelFor`: splits camelCase into Title Case words, merging acronym runs
/// with the next word and upper-casing API/URL/UID/GUID; fields with other characters stay.
pub fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    let parts = camel_split(field);
    let mut merged: Vec<String> = Vec::new();
    let mut n = 0;
    while n < parts.len() {
        let part = &parts[n];
        if n + 1 < parts.len() {
            let next = &parts[n + 1];
            let all_upper = part.chars().all(|c| !c.is_alphabetic() || c.is_uppercase());
            if part.chars().count() >= 2
                && all_upper
                && next.chars().next().is_some_and(char::is_uppercase)
            {
                merged.push(format!("{part}{next}"));
                n += 2;
                continue;
            }
        }
        merged.push(part.clone());
        n += 1;
    }
    let words: Vec<String> = merged
        .into_iter()
        .filter(|p| p != "_")
        .map(|p| {
            let upper = p.to_uppercase();
            if ["API", "URL", "UID", "GUID"].contains(&upper.as_str()) {
                upper
            } else if p.to_lowercase() == p {
                title(&p)
            } else {
                p
            }
        })
        .collect();
    words.join(" ")
}

/// golang.org/x/text Title for a lowercase word (also after `-`).
fn title(word: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in word.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            start = false;
        } else {
            out.push(c);
        }
        if c == '-' {
            start = true;
        }
    }
    out
}

/// fatih/camelcase `Split`: runs of lower, upper, digit and other characters; an upper run
/// followed by lower letters gives its last letter to the next word (`HTTPServer` → `HTTP`,
/// `Server`).
fn camel_split(src: &str) -> Vec<String> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Lower,
        Upper,
        Digit,
        Other,
    }
    let class = |c: char| {
        if c.is_lowercase() {
            Class::Lower
        } else if c.is_uppercase() {
            Class::Upper
        } else if c.is_numeric() {
            Class::Digit
        } else {
            Class::Other
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last: Option<Class> = None;
    for c in src.chars() {
        let cl = class(c);
        if Some(cl) == last {
            runs.last_mut().expect("a run exists").push(c);
        } else {
            runs.push(vec![c]);
        }
        last = Some(cl);
    }
    for n in 0..runs.len().saturating_sub(1) {
        let upper_then_lower = runs[n].first().is_some_and(|c| c.is_uppercase())
            && runs[n + 1].first().is_some_and(|c| c.is_lowercase());
        if upper_then_lower {
            let moved = runs[n].pop().expect("non-empty run");
            runs[n + 1].insert(0, moved);
        }
    }
    runs.into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.into_iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_labels_like_kubectl() {
        for (input, want) in [
            ("apiVersion", "API Version"),
            ("creationTimestamp", "Creation Timestamp"),
            ("uid", "UID"),
            ("holderIdentity", "Holder Identity"),
            ("leaseDurationSeconds", "Lease Duration Seconds"),
            ("involvedObject", "Involved Object"),
            ("kind", "Kind"),
            ("podIPs", "Pod I Ps"),
            (
                "deprecated.daemonset.template.generation",
                "deprecated.daemonset.template.generation",
            ),
            ("HTTPServer", "HTTPServer"),
            // v1.36 merges an acronym run with the next word (v1.33 printed "HTTP Get Action").
            ("HTTPGetAction", "HTTPGet Action"),
            ("URLPath", "URLPath"),
            ("deepAPIURLValue", "Deep APIURLValue"),
            ("x-y", "X - Y"),
        ] {
            assert_eq!(smart_label(input), want, "{input:?}");
        }
    }

    #[test]
    fn nested_values_print_like_go() {
        let v = serde_json::json!([1, "a", [true, null], {"b": 2.5, "a": {}}]);
        assert_eq!(sprint(&v), "[1 a [true <nil>] map[a:map[] b:2.5]]");
        // Beyond int64 kubectl holds a float64 (kubectl.1.33 describe: `1e+19`).
        let big = serde_json::json!(10000000000000000000u64);
        assert_eq!(sprint(&big), "1e+19");
    }
}

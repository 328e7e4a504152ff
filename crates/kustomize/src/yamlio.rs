//! Reading YAML as kustomize's kyaml does (YAML 1.2 scalars, `---` separated documents,
//! empty documents dropped, `List` kinds expanded into their items).

use serde::Deserialize;
use serde_json::Value;

use crate::Error;

/// Parses every document of `text` as JSON values (nulls for empty documents).
pub fn parse_documents(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(text) {
        let v = Value::deserialize(doc).map_err(|e| go_yaml_error(&e.to_string()))?;
        out.push(v);
    }
    Ok(out)
}

/// libyaml problems raised by the scanner (go-yaml counts their lines differently).
const SCANNER_PROBLEMS: &[&str] = &[
    "mapping values are not allowed in this context",
    "found character that cannot start any token",
    "could not find expected ':'",
    "found unexpected end of stream",
    "did not find expected comment or line break",
    "found unknown escape character",
    "found a tab character that violates indentation",
    "block sequence entries are not allowed in this context",
];

fn mark_line(s: &str) -> Option<usize> {
    let rest = &s[s.find(" at line ")? + 9..];
    rest.split(' ').next()?.parse().ok()
}

/// A YAML syntax error in go-yaml's words (`yaml: line N: problem`), from libyaml's
/// `problem at line L column C[, context at line L column C]` as serde_yaml_ng words it:
/// go-yaml names the context's line when there is one, else the problem's, counting from 0
/// for parser errors and from 1 for scanner errors.
pub fn go_yaml_error(msg: &str) -> String {
    let (problem_part, context_part) = match msg.find(", while ") {
        Some(i) => (&msg[..i], Some(&msg[i + 2..])),
        None => (msg, None),
    };
    let problem = match problem_part.find(" at line ") {
        Some(i) => &problem_part[..i],
        None => problem_part,
    };
    let scanner = SCANNER_PROBLEMS.contains(&problem)
        || context_part.is_some_and(|c| c.starts_with("while scanning"));
    // go-yaml's `fail`: the context mark's (0-based) line unless it is 0, else the problem
    // mark's; scanner errors count one more.
    let zero_based = |part: &str| {
        mark_line(part)
            .map(|l| l.saturating_sub(1))
            .filter(|l| *l != 0)
    };
    let line = context_part
        .and_then(zero_based)
        .or_else(|| zero_based(problem_part))
        .map(|l| if scanner { l + 1 } else { l })
        .unwrap_or(0);
    if line == 0 {
        format!("yaml: {problem}")
    } else {
        format!("yaml: line {line}: {problem}")
    }
}

/// kyaml's resource reading: documents that are empty are skipped, `*List` kinds with
/// `items` contribute their items, anything else must be a map with `kind`.
pub fn resources_from_bytes(text: &str) -> Result<Vec<Value>, Error> {
    let docs = parse_documents(text).map_err(Error::new)?;
    let mut out = Vec::new();
    for d in docs {
        match d {
            Value::Null => continue,
            Value::Object(ref m) if m.is_empty() => continue,
            Value::Object(ref m) => {
                let kind = m.get("kind").and_then(Value::as_str).unwrap_or("");
                if kind.ends_with("List") {
                    if let Some(Value::Array(items)) = m.get("items") {
                        for it in items {
                            if it.is_object() {
                                out.push(it.clone());
                            }
                        }
                        continue;
                    }
                }
                out.push(d);
            }
            other => {
                return Err(Error::new(format!(
                    "wrong node kind: expected MappingNode but got {}",
                    node_kind(&other)
                )))
            }
        }
    }
    Ok(out)
}

/// kyaml's `IsNilOrEmpty` for a parsed node: null, `{}` or `[]`.
pub fn is_nil_or_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// The documents of a resource file as kustomize's resource factory sees them: empty
/// documents (null, `{}`, `[]`) are skipped and `*List` kinds contribute their items (empty
/// ones skipped); what is left may still be no object at all, which the caller refuses as
/// kustomize does (`missing Resource metadata`, not a YAML error).
pub fn resource_documents(text: &str) -> Result<Vec<Value>, Error> {
    let docs = parse_documents(text).map_err(Error::new)?;
    let mut out = Vec::new();
    for d in docs {
        if is_nil_or_empty(&d) {
            continue;
        }
        if let Value::Object(m) = &d {
            let kind = m.get("kind").and_then(Value::as_str).unwrap_or("");
            if kind.ends_with("List") {
                if let Some(Value::Array(items)) = m.get("items") {
                    out.extend(items.iter().filter(|i| !is_nil_or_empty(i)).cloned());
                    continue;
                }
            }
        }
        out.push(d);
    }
    Ok(out)
}

fn node_kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "SequenceNode",
        Value::Object(_) => "MappingNode",
        _ => "ScalarNode",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_read_as_go_yamls() {
        // Parser error with a context: the context's line, counted from 0.
        let e = parse_documents("a: b\nc:\n  d: [x\n").unwrap_err();
        assert!(e.starts_with("yaml: line "), "{e}");
        // Scanner error without a context: the problem's line, counted from 1.
        let e = parse_documents("resources:\n- a.yaml\n  bad: [\n").unwrap_err();
        assert_eq!(
            e,
            "yaml: line 3: mapping values are not allowed in this context"
        );
    }

    #[test]
    fn lists_expand_and_empty_documents_drop() {
        let v = resources_from_bytes(
            "---\n---\napiVersion: v1\nkind: List\nitems:\n- kind: A\n- kind: B\n",
        )
        .unwrap();
        assert_eq!(v.len(), 2);
    }
}

/// go-yaml v2's YAML 1.1 booleans (sigs.k8s.io/yaml reads kustomization files with it):
/// plain `y`, `yes`, `on`… are `true`, `n`, `no`, `off`… are `false`.
fn yaml11_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// Rewrites the plain YAML 1.1 boolean values of a kustomization file's block mappings and
/// sequences (`key: yes`, `- off`) to `true`/`false`, so that the YAML 1.2 reader decodes
/// them as go-yaml v2 does. Block scalars (`|`, `>`) are left alone: inline patches keep
/// their text.
pub fn yaml11_booleans(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut block: Option<usize> = None; // indentation of the line that opened a block scalar
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        if let Some(i) = block {
            if body.trim().is_empty() || indent > i {
                out.push_str(line);
                continue;
            }
            block = None;
        }
        let trimmed = body.trim_end();
        let value_start = value_start(trimmed);
        let value = &trimmed[value_start..];
        let (value, comment) = match value.find(" #") {
            Some(i) => (&value[..i], &value[i..]),
            None => (value, ""),
        };
        if value.starts_with(['|', '>']) {
            block = Some(indent);
        }
        match yaml11_bool(value.trim_end()) {
            Some(b) if value_start > 0 => {
                out.push_str(&trimmed[..value_start]);
                out.push_str(if b { "true" } else { "false" });
                out.push_str(comment);
                out.push_str(&line[body.len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// Where a line's value starts: after `- ` markers and a plain `key: ` (0 when there is no
/// value position, e.g. a comment or a lone key).
fn value_start(line: &str) -> usize {
    let mut i = line.len() - line.trim_start().len();
    let mut found = false;
    while line[i..].starts_with("- ") {
        i += 2;
        i += line[i..].len() - line[i..].trim_start().len();
        found = true;
    }
    let rest = &line[i..];
    if rest.starts_with(['#', '"', '\'', '[', '{']) {
        return 0;
    }
    if let Some(k) = rest.find(": ") {
        let key = &rest[..k];
        if !key.contains(['"', '\'', '#', '{', '[']) {
            let mut j = i + k + 2;
            j += line[j..].len() - line[j..].trim_start().len();
            return j;
        }
        return 0;
    }
    if found {
        i
    } else {
        0
    }
}

#[cfg(test)]
mod yaml11_tests {
    use super::yaml11_booleans;

    #[test]
    fn plain_values_become_booleans_outside_block_scalars() {
        let src = "namespace: yes\nlabels:\n- includeSelectors: on # c\n  pairs:\n    a: No\n- off\nq: 'yes'\npatches:\n- patch: |-\n    x: yes\n  target: {}\nk: yesno\n";
        let want = "namespace: true\nlabels:\n- includeSelectors: true # c\n  pairs:\n    a: false\n- false\nq: 'yes'\npatches:\n- patch: |-\n    x: yes\n  target: {}\nk: yesno\n";
        assert_eq!(yaml11_booleans(src), want);
    }
}

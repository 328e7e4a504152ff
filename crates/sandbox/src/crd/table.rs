//! Server-side printing of custom resources: the Name column, then the version's
//! `additionalPrinterColumns` (or, when it has none, Age), cells read with the column's
//! JSONPath and typed as apiextensions' table convertor types them.

use chrono::{DateTime, Utc};
use kcore::gofmt::go_value;
use serde_json::{json, Value};

const NAME_DESCRIPTION: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const CREATION_DESCRIPTION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// One printer column.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub ty: String,
    pub format: String,
    pub description: String,
    pub priority: i64,
    pub json_path: String,
}

impl Column {
    /// The columns of a version (`serveDefaultColumnsIfEmpty`: Age when none are given).
    pub fn for_version(cols: &Value) -> Vec<Column> {
        let cols = cols.as_array().cloned().unwrap_or_default();
        if cols.is_empty() {
            return vec![Column {
                name: "Age".into(),
                ty: "date".into(),
                format: String::new(),
                description: CREATION_DESCRIPTION.into(),
                priority: 0,
                json_path: ".metadata.creationTimestamp".into(),
            }];
        }
        cols.iter()
            .map(|c| {
                let path = c["jsonPath"].as_str().unwrap_or_default().to_string();
                Column {
                    name: c["name"].as_str().unwrap_or_default().into(),
                    ty: c["type"].as_str().unwrap_or_default().into(),
                    format: c["format"].as_str().unwrap_or_default().into(),
                    description: c["description"]
                        .as_str()
                        .filter(|d| !d.is_empty())
                        .map(str::to_string)
                        .unwrap_or_else(|| {
                            format!(
                                "Custom resource definition column (in JSONPath format): {path}"
                            )
                        }),
                    priority: c["priority"].as_i64().unwrap_or(0),
                    json_path: path,
                }
            })
            .collect()
    }
}

/// One step of a simple JSONPath.
enum Step {
    Field(String),
    Index(usize),
    All,
    /// `[?(@.a.b=="v")]`
    Filter(Vec<String>, Value),
}

fn parse_path(path: &str) -> Option<Vec<Step>> {
    let p = path.trim();
    let p = p
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(p);
    let mut steps = Vec::new();
    let mut rest = p.strip_prefix('$').unwrap_or(p);
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end > 0 {
                steps.push(Step::Field(r[..end].to_string()));
            }
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r[..end].trim();
            rest = &r[end + 1..];
            if inner == "*" {
                steps.push(Step::All);
            } else if let Ok(i) = inner.parse::<usize>() {
                steps.push(Step::Index(i));
            } else if let Some(f) = inner.strip_prefix("?(@.").and_then(|x| x.strip_suffix(')')) {
                let (lhs, rhs) = f.split_once("==")?;
                let rhs = rhs.trim();
                let value = if let Some(s) = rhs.strip_prefix('"').and_then(|x| x.strip_suffix('"'))
                {
                    json!(s)
                } else if let Some(s) = rhs.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
                    json!(s)
                } else {
                    serde_json::from_str(rhs).ok()?
                };
                steps.push(Step::Filter(
                    lhs.trim().split('.').map(str::to_string).collect(),
                    value,
                ));
            } else {
                let key = inner.trim_matches(|c| c == '\'' || c == '"');
                steps.push(Step::Field(key.to_string()));
            }
        } else {
            return None;
        }
    }
    Some(steps)
}

/// The values a simple JSONPath finds in `obj`.
pub fn find<'a>(obj: &'a Value, path: &str) -> Vec<&'a Value> {
    let Some(steps) = parse_path(path) else {
        return Vec::new();
    };
    let mut cur = vec![obj];
    for s in &steps {
        let mut next = Vec::new();
        for v in cur {
            match s {
                Step::Field(f) => next.extend(v.get(f)),
                Step::Index(i) => next.extend(v.get(*i)),
                Step::All => match v {
                    Value::Array(a) => next.extend(a.iter()),
                    Value::Object(m) => next.extend(m.values()),
                    _ => {}
                },
                Step::Filter(lhs, want) => {
                    if let Value::Array(a) = v {
                        next.extend(a.iter().filter(|item| {
                            let mut x = *item;
                            for k in lhs {
                                match x.get(k) {
                                    Some(y) => x = y,
                                    None => return false,
                                }
                            }
                            x == want
                        }));
                    }
                }
            }
        }
        cur = next;
    }
    cur
}

/// `cellForJSONValue`.
fn cell(col: &Column, v: &Value, now: DateTime<Utc>) -> Value {
    match col.ty.as_str() {
        "string" => json!(go_value(v)),
        "integer" => match v {
            Value::Number(n) if n.is_i64() => json!(n.as_i64()),
            Value::Number(n) => n.as_f64().map(|f| json!(f as i64)).unwrap_or(Value::Null),
            _ => Value::Null,
        },
        "number" => match v {
            Value::Number(n) => json!(n.as_f64()),
            _ => Value::Null,
        },
        "boolean" => match v {
            Value::Bool(b) => json!(b),
            _ => Value::Null,
        },
        "date" => match v {
            Value::String(s) => match DateTime::parse_from_rfc3339(s) {
                Ok(t) => json!(kcore::duration::human_duration(now - t.with_timezone(&Utc))),
                Err(_) => json!("<invalid>"),
            },
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

fn row_object(obj: &Value, include: crate::tables::IncludeObject) -> Value {
    use crate::tables::IncludeObject;
    match include {
        IncludeObject::None => Value::Null,
        IncludeObject::Object => obj.clone(),
        IncludeObject::Metadata => json!({
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": obj["metadata"],
        }),
    }
}

/// The Table of custom resources `items` (served objects) of one version.
pub fn table(
    columns: &[Column],
    items: &[Value],
    include: crate::tables::IncludeObject,
    now: DateTime<Utc>,
) -> Value {
    let mut defs = vec![json!({"name": "Name", "type": "string", "format": "name",
        "description": NAME_DESCRIPTION, "priority": 0})];
    defs.extend(columns.iter().map(|c| {
        json!({"name": c.name, "type": c.ty, "format": c.format,
               "description": c.description, "priority": c.priority})
    }));
    let rows: Vec<Value> = items
        .iter()
        .map(|obj| {
            let mut cells = vec![obj["metadata"]["name"].clone()];
            for c in columns {
                let found = find(obj, &c.json_path);
                cells.push(match found.first() {
                    Some(v) if !v.is_null() => cell(c, v, now),
                    _ => Value::Null,
                });
            }
            json!({"cells": cells, "object": row_object(obj, include)})
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": defs,
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths() {
        let obj = json!({"spec": {"replicas": 3, "l": [{"n": "a"}, {"n": "b"}]},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
        assert_eq!(find(&obj, ".spec.replicas"), [&json!(3)]);
        assert_eq!(find(&obj, ".spec.l[1].n"), [&json!("b")]);
        assert_eq!(
            find(&obj, ".status.conditions[?(@.type==\"Ready\")].status"),
            [&json!("True")]
        );
        assert!(find(&obj, ".spec.missing").is_empty());
        assert_eq!(go_value(&obj["spec"]["l"]), "[map[n:a] map[n:b]]");
    }

    #[test]
    fn default_columns_are_name_and_age() {
        let cols = Column::for_version(&Value::Null);
        let now = DateTime::parse_from_rfc3339("2026-01-01T01:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let obj = json!({"metadata": {"name": "x", "creationTimestamp": "2026-01-01T00:00:00Z"}});
        let t = table(&cols, &[obj], crate::tables::IncludeObject::None, now);
        assert_eq!(t["columnDefinitions"][1]["name"], "Age");
        assert_eq!(t["rows"][0]["cells"], json!(["x", "60m"]));
    }
}

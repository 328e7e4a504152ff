//! `replacements` (`filters/replacement`): copy a value from a source field into target fields,
//! with kyaml's path syntax (`a.b.[name=x].c`, `*`, list indexes), delimiter/index options
//! and `create`.

use regex::Regex;
use serde_json::{Map, Value};

use crate::resource::{scalar_string, Gvk, Res, ResId};
use crate::target::Loader;
use crate::Error;

/// kyaml `SmarterPathSplitter`: splits on `.` except inside `[...]`.
pub fn split_path(path: &str) -> Vec<String> {
    crate::fieldspec::split_outside_brackets(path, '.')
}

fn ids(r: &Res) -> Vec<ResId> {
    let mut v = vec![r.cur_id()];
    v.extend(r.prev_ids());
    v
}

fn s(v: &Value, k: &str) -> String {
    v.get(k).map(scalar_string).unwrap_or_default()
}

fn gvk_of(v: &Value) -> Gvk {
    Gvk {
        group: s(v, "group"),
        version: s(v, "version"),
        kind: s(v, "kind"),
    }
}

/// `types.SourceSelector.String()`-ish rendering used in errors.
fn source_string(v: &Value) -> String {
    let id = ResId {
        gvk: gvk_of(v),
        name: s(v, "name"),
        namespace: s(v, "namespace"),
    };
    let mut out = id.id_string();
    if !s(v, "fieldPath").is_empty() {
        out.push_str(&format!(":{}", s(v, "fieldPath")));
    }
    out
}

pub(crate) fn lookup<'a>(node: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = node;
    for p in path {
        cur = match cur {
            Value::Object(m) => m.get(p)?,
            Value::Array(a) => {
                if let Some((k, val)) = parse_match(p) {
                    a.iter()
                        .find(|e| e.get(&k).map(scalar_string).as_deref() == Some(&val))?
                } else if let Ok(i) = p.parse::<usize>() {
                    a.get(i)?
                } else {
                    return None;
                }
            }
            _ => return None,
        };
    }
    Some(cur)
}

fn parse_match(p: &str) -> Option<(String, String)> {
    let inner = p.strip_prefix('[')?.strip_suffix(']')?;
    let (k, v) = inner.split_once('=')?;
    Some((k.to_string(), v.to_string()))
}

/// The empty node kyaml creates for a missing path part (`getPathPartKind`): a list before
/// an index or `[k=v]` part, a map before a field, and at the end a placeholder the value
/// replaces.
fn fresh_node(rest: &[String]) -> Value {
    match rest.first() {
        None => Value::Null,
        Some(n) if n.starts_with('[') || n.parse::<usize>().is_ok() => Value::Array(Vec::new()),
        Some(_) => Value::Object(Map::new()),
    }
}

/// The text kyaml matches `[field=regex]` against (the value's YAML, trimmed).
fn match_text(v: &Value) -> String {
    scalar_string(v).trim().to_string()
}

/// kyaml `PathMatcher`: every node the path reaches (creating missing parts when asked).
/// `[field=value]` takes `value` as an unanchored regular expression, as kyaml does.
fn matches<'a>(
    node: &'a mut Value,
    path: &[String],
    create: bool,
) -> Result<Vec<&'a mut Value>, String> {
    if path.is_empty() {
        return Ok(vec![node]);
    }
    let p = &path[0];
    let rest = &path[1..];
    if let Value::Null = node {
        if !create {
            return Ok(vec![]);
        }
        *node = if p.starts_with('[') || p.parse::<usize>().is_ok() {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        };
    }
    match node {
        Value::Object(m) => {
            if p == "*" {
                let mut out = Vec::new();
                for v in m.values_mut() {
                    out.extend(matches(v, rest, create)?);
                }
                return Ok(out);
            }
            if !m.contains_key(p) {
                if !create {
                    return Ok(vec![]);
                }
                m.insert(p.clone(), fresh_node(rest));
            }
            matches(m.get_mut(p).unwrap(), rest, create)
        }
        Value::Array(a) => {
            if p == "*" || p == "-" {
                let mut out = Vec::new();
                for v in a.iter_mut() {
                    out.extend(matches(v, rest, create)?);
                }
                return Ok(out);
            }
            if let Ok(i) = p.parse::<usize>() {
                if i == a.len() && create {
                    a.push(fresh_node(rest));
                }
                if a.len() < i + 1 {
                    return Err(format!(
                        "index {i} specified but only {} elements found",
                        a.len()
                    ));
                }
                return matches(&mut a[i], rest, create);
            }
            let Some((k, val)) = parse_match(p) else {
                return Ok(vec![]);
            };
            let re = Regex::new(&val).map_err(|e| e.to_string())?;
            let hit = |e: &Value| -> bool {
                if k.is_empty() {
                    return !e.is_object() && !e.is_array() && re.is_match(&match_text(e));
                }
                match e.get(&k) {
                    None | Some(Value::Null) => false,
                    Some(f) => re.is_match(&match_text(f)),
                }
            };
            if !a.iter().any(&hit) {
                if !create {
                    return Ok(vec![]);
                }
                a.push(if k.is_empty() {
                    Value::String(val.clone())
                } else {
                    let mut e = Map::new();
                    e.insert(k.clone(), Value::String(val.clone()));
                    Value::Object(e)
                });
            }
            let mut out = Vec::new();
            for e in a.iter_mut() {
                if hit(e) {
                    out.extend(matches(e, rest, create)?);
                }
            }
            Ok(out)
        }
        _ => Ok(vec![]),
    }
}

/// Sets a target scalar keeping its own type, as kyaml sets only the node's text.
fn set_keeping_tag(target: &mut Value, value: &Value) {
    let text = scalar_string(value);
    match (&*target, value) {
        (_, Value::Object(_) | Value::Array(_)) => *target = value.clone(),
        (Value::Object(_) | Value::Array(_), _) => *target = value.clone(),
        // A scalar kyaml created (or a null) has no tag: only the text is copied, and YAML
        // resolves its type from it when printed.
        (Value::Null, _) => *target = implicit_scalar(&text),
        (Value::String(_), _) => *target = Value::String(text),
        (Value::Number(_), _) => {
            *target = text
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| text.parse::<f64>().map(Value::from))
                .unwrap_or(Value::String(text))
        }
        (Value::Bool(_), _) => {
            *target = match text.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(text),
            }
        }
    }
}

/// The type go-yaml v3 resolves a plain scalar's text to.
fn implicit_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::from(i);
        }
    }
    let is_float = {
        let (mant, exp) = match digits.find(['e', 'E']) {
            Some(i) => (&digits[..i], Some(&digits[i + 1..])),
            None => (digits, None),
        };
        let mant_ok = match mant.split_once('.') {
            Some((a, b)) => {
                let digits = |x: &str| x.bytes().all(|c| c.is_ascii_digit());
                digits(a) && digits(b) && !(a.is_empty() && b.is_empty())
            }
            None => !mant.is_empty() && mant.bytes().all(|c| c.is_ascii_digit()),
        };
        let exp_ok = exp.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
        });
        mant_ok && exp_ok
    };
    if is_float {
        if let Some(n) = text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

struct Sel {
    gvk: [Option<Regex>; 3],
    name: Option<Regex>,
    namespace: Option<Regex>,
    label: String,
    annotation: String,
    empty_id: bool,
}

fn anchored(p: &str) -> Result<Option<Regex>, Error> {
    if p.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{p})$"))
        .map(Some)
        .map_err(|e| Error::new(format!("error creating target selector: {e}")))
}

impl Sel {
    fn new(v: &Value) -> Result<Sel, Error> {
        Ok(Sel {
            gvk: [
                anchored(&s(v, "group"))?,
                anchored(&s(v, "version"))?,
                anchored(&s(v, "kind"))?,
            ],
            name: anchored(&s(v, "name"))?,
            namespace: anchored(&s(v, "namespace"))?,
            label: s(v, "labelSelector"),
            annotation: s(v, "annotationSelector"),
            empty_id: ["group", "version", "kind", "name", "namespace"]
                .iter()
                .all(|k| s(v, k).is_empty()),
        })
    }

    fn selects(&self, id: &ResId) -> bool {
        let m = |r: &Option<Regex>, x: &str| r.as_ref().is_none_or(|r| r.is_match(x));
        m(&self.gvk[0], &id.gvk.group)
            && m(&self.gvk[1], &id.gvk.version)
            && m(&self.gvk[2], &id.gvk.kind)
            && m(&self.name, &id.name)
            && m(&self.namespace, &id.namespace)
    }

    fn labels_match(&self, r: &Res) -> Result<bool, Error> {
        let empty = Value::Object(Map::new());
        let meta = r.obj.get("metadata");
        for (sel, field) in [(&self.label, "labels"), (&self.annotation, "annotations")] {
            if sel.is_empty() {
                continue;
            }
            let ls = kcore::selectors::LabelSelector::parse(sel).map_err(Error::new)?;
            if !ls.matches(meta.and_then(|m| m.get(field)).unwrap_or(&empty)) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Applies every replacement in order.
pub fn apply(
    ldr: &Loader,
    rs: &mut [Res],
    reps: &[Value],
    config_err: &dyn Fn(Error) -> Error,
) -> Result<(), Error> {
    let mut all = Vec::new();
    for r in reps {
        if let Some(path) = r.get("path").map(scalar_string).filter(|p| !p.is_empty()) {
            let b = ldr.load_file(&path).map_err(config_err)?;
            for d in
                crate::yamlio::parse_documents(&String::from_utf8_lossy(&b)).map_err(Error::new)?
            {
                match d {
                    Value::Array(a) => all.extend(a),
                    Value::Null => {}
                    other => all.push(other),
                }
            }
        } else {
            all.push(r.clone());
        }
    }
    for r in &all {
        let source = r.get("source").filter(|v| !v.is_null());
        let source_value = r.get("sourceValue").filter(|v| !v.is_null());
        let targets = r.get("targets").filter(|v| !v.is_null());
        if (source.is_none() && source_value.is_none()) || targets.is_none() {
            return Err(Error::new(
                "replacements must specify a source and at least one target",
            ));
        }
        let value = match (source, source_value) {
            (Some(_), Some(_)) => {
                return Err(Error::new(
                    "value and resource selectors are mutually exclusive",
                ))
            }
            // v5.8's static `sourceValue`: an untagged scalar, typed by YAML where kyaml
            // puts the node itself rather than copying its text.
            (None, Some(v)) => implicit_scalar(&scalar_string(v)),
            (Some(source), None) => source_value_of(rs, source)?,
            (None, None) => unreachable!("checked above"),
        };
        apply_targets(rs, &value, targets.unwrap())?;
    }
    Ok(())
}

/// The value a replacement's `source` selects.
fn source_value_of(rs: &[Res], source: &Value) -> Result<Value, Error> {
    {
        let sel = ResId {
            gvk: gvk_of(source),
            name: s(source, "name"),
            namespace: s(source, "namespace"),
        };
        let mut found: Option<usize> = None;
        for (i, res) in rs.iter().enumerate() {
            let hit = ids(res).iter().any(|id| {
                (sel.name.is_empty() || sel.name == id.name)
                    && (sel.namespace.is_empty() || sel.ns_equals(id))
                    && id.gvk.is_selected(&sel.gvk)
            });
            if hit {
                if found.is_some() {
                    return Err(Error::new(format!(
                        "multiple matches for selector {}",
                        source_string(source)
                    )));
                }
                found = Some(i);
            }
        }
        let Some(si) = found else {
            return Err(Error::new(format!(
                "nothing selected by {}",
                source_string(source)
            )));
        };
        let mut fp = s(source, "fieldPath");
        if fp.is_empty() {
            fp = "metadata.name".into();
        }
        let value = lookup(&rs[si].obj, &split_path(&fp)).cloned();
        let value = match value {
            None | Some(Value::Null) => {
                return Err(Error::new(format!(
                    "fieldPath `{fp}` is missing for replacement source {}",
                    ResId {
                        gvk: gvk_of(source),
                        name: s(source, "name"),
                        namespace: s(source, "namespace"),
                    }
                    .id_string()
                )))
            }
            Some(v) => v,
        };
        let mut value = value;
        if let Some(o) = source.get("options") {
            let delim = s(o, "delimiter");
            if !delim.is_empty() {
                if value.is_object() || value.is_array() {
                    return Err(Error::new(
                        "delimiter option can only be used with scalar nodes",
                    ));
                }
                let text = scalar_string(&value);
                let parts: Vec<&str> = text.split(delim.as_str()).collect();
                let idx = o.get("index").and_then(Value::as_i64).unwrap_or(0);
                if idx < 0 || idx as usize >= parts.len() {
                    return Err(Error::new(format!(
                        "options.index {idx} is out of bounds for value {text}"
                    )));
                }
                value = Value::String(parts[idx as usize].to_string());
            }
        }
        Ok(value)
    }
}

/// Writes a replacement's value into every field its targets select.
fn apply_targets(rs: &mut [Res], value: &Value, targets: &Value) -> Result<(), Error> {
    {
        for t in targets.as_array().cloned().unwrap_or_default() {
            let Some(select) = t.get("select").filter(|v| !v.is_null()) else {
                return Err(Error::new("target must specify resources to select"));
            };
            let ssel = Sel::new(select)?;
            let rejects: Vec<Sel> = t
                .get("reject")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(Sel::new).collect::<Result<Vec<_>, _>>())
                .transpose()?
                .unwrap_or_default();
            let mut paths: Vec<String> = t
                .get("fieldPaths")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(scalar_string).collect())
                .unwrap_or_default();
            if paths.is_empty() {
                paths.push("metadata.name".into());
            }
            let opts = t.get("options");
            let create = opts
                .and_then(|o| o.get("create"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let delim = opts.map(|o| s(o, "delimiter")).unwrap_or_default();
            let index = opts
                .and_then(|o| o.get("index"))
                .and_then(Value::as_i64)
                .unwrap_or(0);
            for res in rs.iter_mut() {
                if !ssel.labels_match(res)? {
                    continue;
                }
                let mut rejected_by_labels = false;
                for rj in &rejects {
                    if rj.label.is_empty() && rj.annotation.is_empty() {
                        continue;
                    }
                    if rj.labels_match(res)? {
                        rejected_by_labels = true;
                    }
                }
                if rejected_by_labels {
                    continue;
                }
                let rids = ids(res);
                if rejects
                    .iter()
                    .any(|rj| !rj.empty_id && rids.iter().any(|id| rj.selects(id)))
                {
                    continue;
                }
                if !rids.iter().any(|id| ssel.selects(id)) {
                    continue;
                }
                for fp in &paths {
                    let parts = split_path(fp);
                    let what = if create {
                        format!("unable to find or create field {fp:?} in replacement target")
                    } else {
                        format!("unable to find field {fp:?} in replacement target")
                    };
                    let targets = matches(&mut res.obj, &parts, create)
                        .map_err(|e| Error::new(format!("{what}: {e}")))?;
                    if targets.is_empty() {
                        return Err(Error::new(what));
                    }
                    for tf in targets {
                        let mut v = value.clone();
                        if !delim.is_empty() {
                            if tf.is_object() || tf.is_array() {
                                return Err(Error::new(
                                    "delimiter option can only be used with scalar nodes",
                                ));
                            }
                            let cur = scalar_string(tf);
                            let mut tv: Vec<String> =
                                cur.split(delim.as_str()).map(String::from).collect();
                            let vs = scalar_string(&v);
                            if index < 0 {
                                tv.insert(0, vs);
                            } else if index as usize >= tv.len() {
                                tv.push(vs);
                            } else {
                                tv[index as usize] = vs;
                            }
                            v = Value::String(tv.join(&delim));
                        }
                        set_keeping_tag(tf, &v);
                    }
                }
            }
        }
    }
    Ok(())
}

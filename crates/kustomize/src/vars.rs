//! `vars` (deprecated, still applied by kustomize v5.8): `$(NAME)` references in the fields
//! of the `varReference` configuration are replaced by a field of a resource.
//!
//! - Each level, after its transformers, binds its vars to the one resource whose current
//!   or previous id matches the `objref` (`ResAccumulator.MergeVars`); two matches are an
//!   error, none leaves the var unbound. Var names must be unique across the whole build.
//! - At the very end (after name hashes and name references), every var takes the value of
//!   its `fieldref.fieldPath` (default `metadata.name`) in the resource bound to it, and the
//!   `varReference` fields get `$(NAME)` replaced (`refvar`); `$$` escapes a `$`, unknown
//!   names stay as written, and a string that is exactly `$(NAME)` takes the value's type.
//! - Vars never used are logged ("well-defined vars that were never replaced").

use std::collections::BTreeMap;

use kcore::gofmt::{go_float, go_value};
use serde_json::Value;

use crate::fieldspec::{self, CreateKind, FieldSpec};
use crate::resource::{scalar_string, Gvk, Res, ResId};
use crate::Error;

/// One var, as declared (`types.Var`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    pub api_version: String,
    pub gvk: Gvk,
    pub obj_name: String,
    pub namespace: String,
    pub field_path: String,
}

/// A field of a var, matched without case as Go's JSON decoding does.
fn get<'a>(v: Option<&'a Value>, k: &str) -> Option<&'a Value> {
    let m = v?.as_object()?;
    m.get(k).or_else(|| {
        m.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, x)| x)
    })
}

fn s(v: Option<&Value>, k: &str) -> String {
    get(v, k).map(scalar_string).unwrap_or_default()
}

impl Var {
    pub fn from_value(v: &Value) -> Var {
        let o = get(Some(v), "objref");
        Var {
            name: s(Some(v), "name"),
            api_version: s(o, "apiVersion"),
            gvk: Gvk {
                group: s(o, "group"),
                version: s(o, "version"),
                kind: s(o, "kind"),
            },
            obj_name: s(o, "name"),
            namespace: s(o, "namespace"),
            field_path: s(get(Some(v), "fieldref"), "fieldPath"),
        }
    }

    /// `Target.GVK()`: the group and version taken from `apiVersion` when it is set.
    fn with_gvk(mut self) -> Var {
        if !self.api_version.is_empty() {
            let parts: Vec<&str> = self.api_version.split('/').collect();
            match parts.as_slice() {
                [g, v] => {
                    self.gvk.group = g.to_string();
                    self.gvk.version = v.to_string();
                }
                [v] => self.gvk.version = v.to_string(),
                _ => {}
            }
        }
        self
    }

    /// `Var.Defaulting`.
    fn defaulted(self) -> Var {
        let mut v = self.with_gvk();
        if v.field_path.is_empty() {
            v.field_path = "metadata.name".into();
        }
        v
    }

    /// Go's `%v` of the struct: `{NAME KIND.VERSION.GROUP {FIELDPATH}}` (the objref prints
    /// as its embedded Gvk's `String()`, which it inherits).
    pub fn go_string(&self) -> String {
        format!(
            "{{{} {} {{{}}}}}",
            self.name,
            self.gvk.id_string(),
            self.field_path
        )
    }
}

/// Go's `%v` of a slice of vars.
pub fn go_slice(vars: &[Var]) -> String {
    let items: Vec<String> = vars.iter().map(Var::go_string).collect();
    format!("[{}]", items.join(" "))
}

/// A level's var set (`types.VarSet`), by name.
#[derive(Debug, Clone, Default)]
pub struct VarSet(BTreeMap<String, Var>);

impl VarSet {
    /// `VarSet.Merge`: a name already present is an error.
    pub fn merge(&mut self, v: Var) -> Result<(), Error> {
        if self.0.contains_key(&v.name) {
            return Err(Error::new(format!("var '{}' already encountered", v.name)));
        }
        let v = v.defaulted();
        self.0.insert(v.name.clone(), v);
        Ok(())
    }

    pub fn merge_set(&mut self, o: &VarSet) -> Result<(), Error> {
        for v in o.0.values() {
            self.merge(v.clone())?;
        }
        Ok(())
    }
}

/// `ResAccumulator.MergeVars`: binds each var to the resource its objref names.
pub fn merge_vars(rs: &mut [Res], set: &mut VarSet, incoming: &[Var]) -> Result<(), Error> {
    for v in incoming {
        let v = v.clone().with_gvk();
        let target = ResId {
            gvk: v.gvk.clone(),
            name: v.obj_name.clone(),
            namespace: v.namespace.clone(),
        };
        let full = !target.namespace.is_empty() || target.gvk.is_cluster_scoped();
        let matched: Vec<usize> = rs
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                let mut ids = vec![r.cur_id()];
                ids.extend(r.prev_ids());
                ids.iter().any(|id| {
                    id.gvk == target.gvk
                        && id.name == target.name
                        && (!full || target.ns_equals(id))
                })
            })
            .map(|(i, _)| i)
            .collect();
        if matched.len() > 1 {
            return Err(Error::new(format!(
                "found {} resId matches for var {} (unable to disambiguate)",
                matched.len(),
                v.go_string()
            )));
        }
        if let [i] = matched.as_slice() {
            rs[*i].ref_vars.push(v.name.clone());
        }
    }
    for v in incoming {
        set.merge(v.clone())?;
    }
    Ok(())
}

/// A var's value (`GetFieldValue`): a typed scalar, or something that cannot replace text.
#[derive(Debug, Clone)]
enum Val {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Other(Value),
}

impl Val {
    fn text(&self) -> String {
        match self {
            Val::Str(s) => s.clone(),
            Val::Int(i) => i.to_string(),
            Val::Float(f) => go_float(*f),
            Val::Bool(b) => b.to_string(),
            Val::Other(_) => String::new(),
        }
    }

    fn node(&self) -> Value {
        match self {
            Val::Str(s) => Value::String(s.clone()),
            Val::Int(i) => Value::from(*i),
            Val::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Val::Bool(b) => Value::Bool(*b),
            Val::Other(v) => v.clone(),
        }
    }
}

fn field_value(r: &Res, path: &str) -> Option<Val> {
    let mut parts = Vec::new();
    for p in crate::replacements::split_path(path) {
        // `convertSliceIndex`: `a[0]` is `a` then `0`.
        if let Some(open) = p.rfind('[').filter(|_| p.ends_with(']')) {
            let idx = &p[open + 1..p.len() - 1];
            if !idx.is_empty() && idx.bytes().all(|b| b.is_ascii_digit()) {
                if open > 0 {
                    parts.push(p[..open].to_string());
                }
                parts.push(idx.to_string());
                continue;
            }
        }
        parts.push(p);
    }
    let v = crate::replacements::lookup(&r.obj, &parts)?;
    Some(match v {
        Value::String(s) => Val::Str(s.clone()),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Val::Int(i),
            None => Val::Float(n.as_f64().unwrap_or(0.0)),
        },
        Value::Bool(b) => Val::Bool(*b),
        Value::Null => Val::Str(String::new()),
        other => Val::Other(other.clone()),
    })
}

/// `refvar.DoReplacements`: `$(NAME)` expanded, `$$` kept as one `$`.
fn expand(input: &str, map: &mut dyn FnMut(&str) -> Option<Val>) -> Result<String, Val> {
    let b = input.as_bytes();
    let mut out = String::new();
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < b.len() {
        if b[cursor] == b'$' && cursor + 1 < b.len() {
            out.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let (read, is_var, advance) = match rest.as_bytes()[0] {
                b'$' => ("$".to_string(), false, 1),
                b'(' => match rest[1..].find(')') {
                    Some(i) => (rest[1..i + 1].to_string(), true, i + 2),
                    None => ("$(".to_string(), false, 1),
                },
                _ => {
                    let c = rest.chars().next().unwrap();
                    // Go slices one byte here; a multi-byte character stays whole.
                    (format!("${c}"), false, c.len_utf8())
                }
            };
            if is_var {
                let mapped = map(&read);
                if input == format!("$({read})") {
                    return Err(mapped.unwrap_or(Val::Str(input.to_string())));
                }
                match mapped {
                    Some(v) => out.push_str(&v.text()),
                    None => out.push_str(&format!("$({read})")),
                }
            } else {
                out.push_str(&read);
            }
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    if checkpoint <= input.len() {
        out.push_str(&input[checkpoint.min(input.len())..]);
    }
    Ok(out)
}

/// Replaces one string node (`updateNodeValue`).
fn replace_string(node: &mut Value, map: &mut dyn FnMut(&str) -> Option<Val>) {
    let Value::String(text) = &*node else { return };
    *node = match expand(text, map) {
        Ok(s) => Value::String(s),
        Err(v) => v.node(),
    };
}

/// `ResAccumulator.ResolveVars`: kustomize's log lines (values that cannot replace text,
/// vars never used) go to `logged`, also when replacing fails.
pub fn resolve(
    rs: &mut [Res],
    set: &VarSet,
    specs: &[FieldSpec],
    logged: &mut Vec<String>,
) -> Result<(), Error> {
    let mut values: BTreeMap<String, Val> = BTreeMap::new();
    for v in set.0.values() {
        let bound = rs
            .iter()
            .find(|r| r.ref_vars.iter().any(|n| n == &v.name))
            .ok_or_else(|| {
                Error::new(format!(
                    "var '{}' cannot be mapped to a field in the set of known resources",
                    v.go_string()
                ))
            })?;
        let val = field_value(bound, &v.field_path).ok_or_else(|| {
            Error::new(format!(
                "field specified in var '{}' not found in corresponding resource",
                v.go_string()
            ))
        })?;
        values.insert(v.name.clone(), val);
    }
    if values.is_empty() {
        return Ok(());
    }
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    let mut bad: Vec<String> = Vec::new();
    let mut map = |k: &str| -> Option<Val> {
        match values.get(k) {
            None => None,
            Some(Val::Other(v)) => {
                bad.push(format!(
                    "MakePrimitiveReplacer: bad replacement type={} val={}",
                    go_type(v),
                    go_value(v)
                ));
                None
            }
            Some(v) => {
                *used.entry(k.to_string()).or_default() += 1;
                Some(v.clone())
            }
        }
    };
    let result = replace_all(rs, specs, &mut map);
    logged.append(&mut bad);
    let unused: Vec<&str> = values
        .keys()
        .filter(|k| !used.contains_key(*k))
        .map(String::as_str)
        .collect();
    if !unused.is_empty() {
        logged.push(format!(
            "well-defined vars that were never replaced: {}",
            unused.join(",")
        ));
    }
    result
}

/// Go's type name of a decoded YAML value (`%T`).
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "map[string]interface {}",
        _ => "[]interface {}",
    }
}

fn replace_all(
    rs: &mut [Res],
    specs: &[FieldSpec],
    map: &mut dyn FnMut(&str) -> Option<Val>,
) -> Result<(), Error> {
    for r in rs.iter_mut() {
        for fs in specs {
            fieldspec::apply(
                r,
                fs,
                CreateKind::None,
                &mut |node: &mut Value| match node {
                    Value::Null => Ok(()),
                    Value::String(_) => {
                        replace_string(node, map);
                        Ok(())
                    }
                    Value::Object(m) => {
                        for v in m.values_mut() {
                            replace_string(v, map);
                        }
                        Ok(())
                    }
                    Value::Array(items) => {
                        for it in items.iter_mut() {
                            if !it.is_string() {
                                return Err(Error::new("invalid value type expect a string"));
                            }
                            replace_string(it, map);
                        }
                        Ok(())
                    }
                    _ => Ok(()),
                },
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str) -> Result<String, Val> {
        let mut map = |k: &str| match k {
            "A" => Some(Val::Str("x".into())),
            "N" => Some(Val::Int(8080)),
            _ => None,
        };
        expand(input, &mut map)
    }

    /// `$$` is one `$`, unknown names stay, a lone `$(` stays, text around vars is kept.
    #[test]
    fn expands_like_refvar() {
        assert_eq!(run("a-$(A)-$(N)").unwrap(), "a-x-8080");
        assert_eq!(run("$$(A)").unwrap(), "$(A)");
        assert_eq!(run("$(B) $(A").unwrap(), "$(B) $(A");
        assert_eq!(run("$x$").unwrap(), "$x$");
    }

    /// A string that is exactly one var takes the value's own type.
    #[test]
    fn a_whole_var_keeps_its_type() {
        assert!(matches!(run("$(N)"), Err(Val::Int(8080))));
        assert!(matches!(run("$(B)"), Err(Val::Str(s)) if s == "$(B)"));
    }

    /// Go's `%v` of the var (the objref prints as its Gvk).
    #[test]
    fn vars_print_as_go_does() {
        let v = Var::from_value(&serde_json::json!({
            "name": "X", "objref": {"kind": "ConfigMap", "name": "c", "apiVersion": "v1"}
        }));
        assert_eq!(v.go_string(), "{X ConfigMap.[noVer].[noGrp] {}}");
        assert_eq!(
            v.defaulted().go_string(),
            "{X ConfigMap.v1.[noGrp] {metadata.name}}"
        );
    }
}

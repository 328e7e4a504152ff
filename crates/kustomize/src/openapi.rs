//! The OpenAPI schema strategic-merge patches consult (kyaml `openapi`): kustomize's built-in
//! Kubernetes schema, or the custom one a kustomization names with `openapi: {path: FILE}`.
//!
//! kustomize holds the schema in a process-wide variable (`openapi.SetSchema`): the top
//! kustomization sets it (or resets it to the built-in one), and a kustomization read later
//! (a base, a component) sets it only while nothing has set it yet. A custom schema replaces
//! the built-in one entirely: kinds it does not describe get no merge keys. Here the state is
//! per thread, reset at the start of each build.
//!
//! Schemas are found by `x-kubernetes-group-version-kind` on a definition; fields through
//! `properties` (else `additionalProperties`), list elements through `items` of a schema
//! whose `type` is `array`, and `$ref`s as JSON pointers into the document (`#/definitions/X`).
//! Extension keys match without case (kube-openapi lowercases them).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use kcore::patch::patchmeta::{PatchMeta, Schema as Builtin};
use serde_json::{Map, Value};

use crate::Error;

/// kustomize's only built-in schema version (`kubernetesapi.DefaultOpenAPI`).
pub const DEFAULT_VERSION: &str = "v1.21.2";

/// A parsed custom schema document.
#[derive(Debug, Default)]
pub struct Custom {
    root: Value,
    by_type: HashMap<(String, String), String>,
}

#[derive(Debug, Default, Clone)]
enum State {
    /// Nothing set (the built-in schema, and a later kustomization may still set one).
    #[default]
    Unset,
    /// `openapi: {version: v1.21.2}`: the built-in schema, set.
    Version,
    Custom(Rc<Custom>),
}

thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State::Unset) };
}

/// Forgets any schema set by an earlier build on this thread.
pub fn reset() {
    STATE.with(|s| *s.borrow_mut() = State::Unset);
}

/// `openapi.SetSchema(field, bytes, reset)`. `schema` is the content of `field["path"]`
/// when the field names one.
pub fn set_schema(
    field: &Map<String, Value>,
    schema: Option<&[u8]>,
    reset: bool,
) -> Result<(), Error> {
    let is_set = STATE.with(|s| !matches!(*s.borrow(), State::Unset));
    if is_set && !reset {
        return Ok(());
    }
    let version = field.get("version").map(crate::resource::scalar_string);
    if let Some(bytes) = schema {
        if version.is_some() {
            return Err(Error::new(
                "builtin version and custom schema provided, cannot use both",
            ));
        }
        let custom = parse(bytes)?;
        STATE.with(|s| *s.borrow_mut() = State::Custom(Rc::new(custom)));
        return Ok(());
    }
    let version = version.unwrap_or_default();
    if version.is_empty() {
        STATE.with(|s| *s.borrow_mut() = State::Unset);
        return Ok(());
    }
    if version != DEFAULT_VERSION {
        return Err(Error::new("the specified OpenAPI version is not built in"));
    }
    STATE.with(|s| *s.borrow_mut() = State::Version);
    Ok(())
}

/// Parses a schema document (JSON, or YAML when it does not start with `{`).
fn parse(bytes: &[u8]) -> Result<Custom, Error> {
    let text = String::from_utf8_lossy(bytes);
    let root: Value = if bytes.first() == Some(&b'{') {
        serde_json::from_str(&text).map_err(|e| Error::new(format!("invalid schema file: {e}")))?
    } else {
        serde_yaml_ng::from_str(&text)
            .map_err(|e| Error::new(format!("invalid schema file: {e}")))?
    };
    let mut by_type = HashMap::new();
    if let Some(defs) = root.get("definitions").and_then(Value::as_object) {
        for (name, d) in defs {
            let Some(Value::Array(gvks)) = ext(d, "x-kubernetes-group-version-kind") else {
                continue;
            };
            for g in gvks {
                let s = |k: &str| g.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                let (group, version, kind) = (s("group"), s("version"), s("kind"));
                let api_version = if group.is_empty() {
                    version
                } else {
                    format!("{group}/{version}")
                };
                by_type.insert((api_version, kind), name.clone());
            }
        }
    }
    Ok(Custom { root, by_type })
}

fn ext<'a>(schema: &'a Value, key: &str) -> Option<&'a Value> {
    schema
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Multi-key merge lists of the built-in schema (`x-kubernetes-list-map-keys`, read only
/// when the list also declares a patch strategy).
const LIST_MAP_KEYS: &[(&str, &str, &[&str])] = &[
    ("core.v1.Container", "ports", &["containerPort", "protocol"]),
    (
        "core.v1.EphemeralContainer",
        "ports",
        &["containerPort", "protocol"],
    ),
    (
        "core.v1.PodSpec",
        "topologySpreadConstraints",
        &["topologyKey", "whenUnsatisfiable"],
    ),
    ("core.v1.ServiceSpec", "ports", &["port", "protocol"]),
];

/// A position in the schema (kyaml `ResourceSchema`).
#[derive(Debug, Clone)]
pub enum Sch {
    /// The built-in schema: the node (for a list field, its elements' schema), whether the
    /// field is a list, and the field's patch metadata.
    Builtin {
        node: Builtin,
        meta: PatchMeta,
        keys: &'static [&'static str],
    },
    /// A schema object of a custom document.
    Custom(Rc<Custom>, Value),
}

impl Sch {
    /// `SchemaForResourceType`.
    pub fn for_type(api_version: &str, kind: &str) -> Option<Sch> {
        match STATE.with(|s| s.borrow().clone()) {
            State::Custom(c) => {
                let name = c
                    .by_type
                    .get(&(api_version.to_string(), kind.to_string()))?;
                let def = c.root.get("definitions")?.get(name)?.clone();
                Some(Sch::Custom(c, def))
            }
            _ => {
                let node = Builtin::for_kind(api_version, kind);
                node.is_known().then_some(Sch::Builtin {
                    node,
                    meta: PatchMeta::default(),
                    keys: &[],
                })
            }
        }
    }

    /// `ResourceSchema.Field`.
    pub fn field(&self, key: &str) -> Option<Sch> {
        match self {
            Sch::Builtin { node, .. } => {
                let (child, meta) = node.field(key);
                if !child.is_known() && meta == PatchMeta::default() {
                    return None;
                }
                let keys = LIST_MAP_KEYS
                    .iter()
                    .find(|(s, f, _)| *s == node.name() && *f == key)
                    .map(|(_, _, k)| *k)
                    .unwrap_or(&[]);
                Some(Sch::Builtin {
                    node: child,
                    meta,
                    keys,
                })
            }
            Sch::Custom(c, v) => {
                let s = match v.get("properties").and_then(|p| p.get(key)) {
                    Some(s) => s,
                    None => v.get("additionalProperties").filter(|a| a.is_object())?,
                };
                c.resolved(s).map(|s| Sch::Custom(c.clone(), s))
            }
        }
    }

    /// `ResourceSchema.Elements`.
    pub fn elements(&self) -> Option<Sch> {
        match self {
            Sch::Builtin { node, meta, .. } => {
                (!meta.strategy.is_empty() || !meta.list_type.is_empty()).then_some(Sch::Builtin {
                    node: *node,
                    meta: PatchMeta::default(),
                    keys: &[],
                })
            }
            Sch::Custom(c, v) => {
                let is_array = match v.get("type") {
                    Some(Value::String(t)) => t == "array",
                    Some(Value::Array(a)) => a.len() == 1 && a[0] == "array",
                    _ => false,
                };
                if !is_array {
                    return None;
                }
                let items = v.get("items").filter(|i| i.is_object())?;
                c.resolved(items).map(|s| Sch::Custom(c.clone(), s))
            }
        }
    }

    /// `PatchStrategyAndKeyList`.
    pub fn strategy_and_keys(&self) -> (String, Vec<String>) {
        match self {
            Sch::Builtin { meta, keys, .. } => {
                if meta.strategy.is_empty() {
                    return (String::new(), Vec::new());
                }
                let keys: Vec<String> = if !keys.is_empty() {
                    keys.iter().map(|k| k.to_string()).collect()
                } else if !meta.merge_key.is_empty() {
                    vec![meta.merge_key.to_string()]
                } else {
                    Vec::new()
                };
                (meta.strategy.to_string(), keys)
            }
            Sch::Custom(_, v) => {
                let Some(ps) = ext(v, "x-kubernetes-patch-strategy") else {
                    return (String::new(), Vec::new());
                };
                let ps = ps.as_str().unwrap_or("").to_string();
                if let Some(Value::Array(l)) = ext(v, "x-kubernetes-list-map-keys") {
                    let keys = l
                        .iter()
                        .map(|k| k.as_str().unwrap_or("").to_string())
                        .collect();
                    return (ps, keys);
                }
                match ext(v, "x-kubernetes-patch-merge-key").and_then(Value::as_str) {
                    Some(k) => (ps, vec![k.to_string()]),
                    None => (ps, Vec::new()),
                }
            }
        }
    }

    /// `schemaHasMergeStrategy`: the list merges by element.
    pub fn merges(&self) -> bool {
        self.strategy_and_keys().0.split(',').any(|s| s == "merge")
    }
}

impl Custom {
    /// Follows `$ref`s (JSON pointers into the document); `None` when one does not resolve.
    fn resolved(&self, s: &Value) -> Option<Value> {
        let mut cur = s.clone();
        for _ in 0..64 {
            let Some(r) = cur.get("$ref").and_then(Value::as_str) else {
                return Some(cur);
            };
            // Only the definitions are part of kyaml's global schema.
            let ptr = r
                .strip_prefix('#')
                .filter(|p| p.starts_with("/definitions/"))?;
            cur = self.root.pointer(ptr)?.clone();
        }
        None
    }
}

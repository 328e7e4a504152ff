//! Schemas of the served kinds, written from their types: feeds OpenAPI and field validation.
//!
//! The schemas are kept in a compact line-based description ([`SCHEMAS`]) rather than as Rust
//! structs or JSON, so that one screen shows a whole type. It is parsed once on first use.
//!
//! Format: `@name header-flags` starts a schema; each indented line is `field type flags`.
//! Names use short prefixes (`core.`, `apps.`, `meta.`, `events.`, `coord.`, `disc.`, `auto.`, `batch.`,
//! `version.`) expanded to the Go package paths OpenAPI uses. Types: `string`, `bytes`, `int32`,
//! `int64`, `bool`, `object` (free-form: anything goes below it), a schema name, `[T]` (array),
//! `{T}` (map with values T). Flags: `req=a,b` required fields, `gvk=group/version/Kind`
//! (`*` as group: core plus the document's group), `mt=atomic` map type, `d=<json>` default,
//! `e=A|B` enum (of the items, on a list; `@signals`: the POSIX signal names), `at` atomic list, `lt=` list type,
//! `lk=` list map keys, `ps=` patch strategy, `mk=` patch merge key, and `mm=k1,k2` for the
//! common "merge by k1, list map keyed by k1,k2" combination. The header flag `list` also
//! defines the kind's `<name>List` (apiVersion, items, kind, ListMeta metadata), whose schema
//! every list kind shares.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use super::store::GroupResource;

/// A field's type.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// `type: string`.
    Str,
    /// base64 text (`format: byte`).
    Bytes,
    /// `format: int32`.
    Int32,
    /// `format: int64`.
    Int64,
    /// `type: boolean`.
    Bool,
    /// A free-form object: every key below it is accepted.
    Any,
    /// Another schema, by full name.
    Ref(String),
    /// A list of this type.
    Array(Box<Ty>),
    /// A map from strings to values of this type.
    Map(Box<Ty>),
}

/// One property of an object schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The JSON name.
    pub name: String,
    pub ty: Ty,
    /// OpenAPI `default` (what kube-openapi declares, not what defaulting does).
    pub default: Option<Value>,
    /// Allowed values (of the items, for a list).
    pub enum_values: Vec<String>,
    /// `x-kubernetes-patch-strategy`: "merge", "retainKeys" or "merge,retainKeys".
    pub patch_strategy: Option<String>,
    /// `x-kubernetes-patch-merge-key`: the key that identifies list items in a merge.
    pub merge_key: Option<String>,
    /// `x-kubernetes-list-type`: "atomic", "set" or "map".
    pub list_type: Option<String>,
    /// `x-kubernetes-list-map-keys`.
    pub list_map_keys: Vec<String>,
    /// `x-kubernetes-map-type` ("atomic": replaced whole by merges).
    pub map_type: Option<String>,
}

/// A group/version/kind as OpenAPI's `x-kubernetes-group-version-kind` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gvk {
    /// `*` means "core plus the group of the document the schema appears in".
    pub group: String,
    /// The API version ("v1").
    pub version: String,
    /// The kind ("DaemonSet").
    pub kind: String,
}

/// A named schema: an object with fields, or one of the few scalar-like types (`raw`).
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// The full OpenAPI name (`io.k8s.api.apps.v1.DaemonSet`).
    pub name: String,
    /// The properties, in name order.
    pub fields: Vec<Field>,
    /// Names of the required properties.
    pub required: Vec<String>,
    /// `x-kubernetes-group-version-kind`, for the top-level kinds.
    pub gvk: Vec<Gvk>,
    /// `x-kubernetes-map-type` of the whole object.
    pub map_type: Option<String>,
    /// The whole OpenAPI schema of a type that has no properties (Time, Quantity, ...).
    pub raw: Option<Value>,
}

impl Field {
    /// A field of type `ty` with no flags.
    fn new(name: &str, ty: Ty) -> Field {
        Field {
            name: name.to_string(),
            ty,
            default: None,
            enum_values: vec![],
            patch_strategy: None,
            merge_key: None,
            list_type: None,
            list_map_keys: vec![],
            map_type: None,
        }
    }
}

impl Schema {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// A served resource: what the OpenAPI paths and the validators need to know about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Served {
    /// API group, "" for core.
    pub group: &'static str,
    /// API version ("v1").
    pub version: &'static str,
    /// Plural resource name ("daemonsets").
    pub resource: &'static str,
    /// Kind ("DaemonSet").
    pub kind: &'static str,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// Served subresources: "status" and/or "scale".
    pub subresources: &'static [&'static str],
    /// Whether DELETE on the collection is allowed (namespaces do not allow it).
    pub delete_collection: bool,
    /// Whether DELETE answers with the deleted object rather than a Status.
    pub delete_returns_object: bool,
}

const fn served(
    group: &'static str,
    resource: &'static str,
    kind: &'static str,
    namespaced: bool,
    subresources: &'static [&'static str],
) -> Served {
    Served {
        group,
        version: "v1",
        resource,
        kind,
        namespaced,
        subresources,
        delete_collection: true,
        delete_returns_object: false,
    }
}

/// A resource whose DELETE returns the deleted object.
const fn returns_deleted(s: Served) -> Served {
    Served {
        delete_returns_object: true,
        ..s
    }
}

/// Every resource the sandbox serves, in the order the documents list them.
pub const SERVED: &[Served] = &[
    served("", "configmaps", "ConfigMap", true, &[]),
    served("", "endpoints", "Endpoints", true, &[]),
    served("", "events", "Event", true, &[]),
    served("", "limitranges", "LimitRange", true, &[]),
    Served {
        group: "",
        version: "v1",
        resource: "namespaces",
        kind: "Namespace",
        namespaced: false,
        subresources: &["status"],
        delete_collection: false,
        delete_returns_object: false,
    },
    served("", "nodes", "Node", false, &["status"]),
    returns_deleted(served("", "pods", "Pod", true, &["status"])),
    returns_deleted(served(
        "",
        "resourcequotas",
        "ResourceQuota",
        true,
        &["status"],
    )),
    served("", "secrets", "Secret", true, &[]),
    returns_deleted(served("", "serviceaccounts", "ServiceAccount", true, &[])),
    returns_deleted(served("", "services", "Service", true, &["status"])),
    served(
        "apps",
        "controllerrevisions",
        "ControllerRevision",
        true,
        &[],
    ),
    served("apps", "daemonsets", "DaemonSet", true, &["status"]),
    served(
        "apps",
        "deployments",
        "Deployment",
        true,
        &["scale", "status"],
    ),
    served(
        "apps",
        "replicasets",
        "ReplicaSet",
        true,
        &["scale", "status"],
    ),
    served("batch", "cronjobs", "CronJob", true, &["status"]),
    served("batch", "jobs", "Job", true, &["status"]),
    served("coordination.k8s.io", "leases", "Lease", true, &[]),
    served(
        "discovery.k8s.io",
        "endpointslices",
        "EndpointSlice",
        true,
        &[],
    ),
    served("events.k8s.io", "events", "Event", true, &[]),
];

/// The served resource for a group/resource.
pub fn served_resource(gr: &GroupResource) -> Option<&'static Served> {
    SERVED
        .iter()
        .find(|s| s.group == gr.group && s.resource == gr.resource)
}

/// The package prefix of a group's types (`io.k8s.api.apps.v1.`).
pub fn package_of(group: &str, version: &str) -> String {
    match group {
        "" => format!("io.k8s.api.core.{version}."),
        "events.k8s.io" => format!("io.k8s.api.events.{version}."),
        "coordination.k8s.io" => format!("io.k8s.api.coordination.{version}."),
        g => format!("io.k8s.api.{}.{version}.", g.split('.').next().unwrap_or(g)),
    }
}

/// The schema name of a served resource's kind (`io.k8s.api.apps.v1.DaemonSet`).
pub fn kind_schema_name(s: &Served) -> String {
    format!("{}{}", package_of(s.group, s.version), s.kind)
}

/// The schema of the objects of a group/resource, when served.
pub fn schema_for(gr: &GroupResource) -> Option<&'static Schema> {
    served_resource(gr).and_then(|s| get(&kind_schema_name(s)))
}

/// A schema by full name.
pub fn get(name: &str) -> Option<&'static Schema> {
    all().get(name)
}

/// Every schema, by full name.
pub fn all() -> &'static BTreeMap<String, Schema> {
    static ALL: OnceLock<BTreeMap<String, Schema>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut map = parse(SCHEMAS).unwrap_or_else(|e| panic!("built-in schema table: {e}"));
        for s in raw_schemas() {
            map.insert(s.name.clone(), s);
        }
        map
    })
}

/// Names of the schemas reachable from `roots` (the roots included).
pub fn closure<'a>(roots: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.into_iter().map(str::to_string).collect();
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(s) = get(&name) {
            for f in &s.fields {
                if let Some(r) = ref_of(&f.ty) {
                    if !seen.contains(r) {
                        stack.push(r.to_string());
                    }
                }
            }
        }
    }
    seen
}

/// The schema a type refers to, looking through arrays and maps.
pub fn ref_of(ty: &Ty) -> Option<&str> {
    match ty {
        Ty::Ref(r) => Some(r),
        Ty::Array(t) | Ty::Map(t) => ref_of(t),
        _ => None,
    }
}

/// A point in a schema, for walking a JSON value alongside its type (strict decoding,
/// strategic merge patches): descend with [`Node::child`] for object keys and
/// [`Node::item`] for list elements.
#[derive(Clone, Copy, Debug)]
pub enum Node {
    /// An object with declared fields.
    Object(&'static Schema),
    /// A map with values of this type (labels, data, resource lists).
    Map(&'static Ty),
    /// A list of this type.
    Array(&'static Ty),
    /// Scalars and types without fields (Time, Quantity, IntOrString, free-form objects).
    Leaf,
}

impl Node {
    /// The node of a type.
    pub fn of(ty: &'static Ty) -> Node {
        match ty {
            Ty::Ref(r) => match get(r) {
                Some(s) if s.raw.is_none() => Node::Object(s),
                _ => Node::Leaf,
            },
            Ty::Array(t) => Node::Array(t),
            Ty::Map(t) => Node::Map(t),
            _ => Node::Leaf,
        }
    }

    /// The root node of a served resource's objects.
    pub fn root(gr: &GroupResource) -> Option<Node> {
        schema_for(gr).map(Node::Object)
    }

    /// The declared field `key` of an object node (with its patch metadata).
    pub fn field(&self, key: &str) -> Option<&'static Field> {
        match self {
            Node::Object(s) => s.field(key),
            _ => None,
        }
    }

    /// The node under `key`: a field's type, a map's value type; None when `key` is not
    /// declared (or this node has no keys).
    pub fn child(&self, key: &str) -> Option<Node> {
        match self {
            Node::Object(s) => s.field(key).map(|f| Node::of(&f.ty)),
            Node::Map(t) => Some(Node::of(t)),
            Node::Array(_) | Node::Leaf => None,
        }
    }

    /// The node of a list's elements.
    pub fn item(&self) -> Option<Node> {
        match self {
            Node::Array(t) => Some(Node::of(t)),
            _ => None,
        }
    }
}

const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.";

fn expand(short: &str) -> String {
    let (prefix, rest) = match short.split_once('.') {
        Some(p) => p,
        None => {
            return match short {
                "Quantity" => "io.k8s.apimachinery.pkg.api.resource.Quantity".into(),
                "IntOrString" => "io.k8s.apimachinery.pkg.util.intstr.IntOrString".into(),
                "RawExtension" => "io.k8s.apimachinery.pkg.runtime.RawExtension".into(),
                other => other.into(),
            }
        }
    };
    let pkg = match prefix {
        "core" => "io.k8s.api.core.v1.",
        "apps" => "io.k8s.api.apps.v1.",
        "events" => "io.k8s.api.events.v1.",
        "coord" => "io.k8s.api.coordination.v1.",
        "disc" => "io.k8s.api.discovery.v1.",
        "auto" => "io.k8s.api.autoscaling.v1.",
        "batch" => "io.k8s.api.batch.v1.",
        "meta" => META,
        "version" => "io.k8s.apimachinery.pkg.version.",
        _ => return short.to_string(),
    };
    format!("{pkg}{rest}")
}

/// The types without properties, as OpenAPI describes them.
fn raw_schemas() -> Vec<Schema> {
    let raw = |name: &str, v: Value| Schema {
        name: expand(name),
        fields: vec![],
        required: vec![],
        gvk: vec![],
        map_type: None,
        raw: Some(v),
    };
    vec![
        raw(
            "meta.Time",
            json!({"format": "date-time", "type": "string"}),
        ),
        raw(
            "meta.MicroTime",
            json!({"format": "date-time", "type": "string"}),
        ),
        raw("meta.FieldsV1", json!({"type": "object"})),
        raw("meta.Patch", json!({"type": "object"})),
        raw("RawExtension", json!({"type": "object"})),
        raw(
            "Quantity",
            json!({"oneOf": [{"type": "string"}, {"type": "number"}]}),
        ),
        raw(
            "IntOrString",
            json!({"format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]}),
        ),
    ]
}

/// Signal names a container's stop signal may take.
fn signals() -> Vec<String> {
    let mut v: Vec<String> = [
        "SIGABRT",
        "SIGALRM",
        "SIGBUS",
        "SIGCHLD",
        "SIGCLD",
        "SIGCONT",
        "SIGFPE",
        "SIGHUP",
        "SIGILL",
        "SIGINT",
        "SIGIO",
        "SIGIOT",
        "SIGKILL",
        "SIGPIPE",
        "SIGPOLL",
        "SIGPROF",
        "SIGPWR",
        "SIGQUIT",
        "SIGRTMAX",
        "SIGRTMIN",
        "SIGSEGV",
        "SIGSTKFLT",
        "SIGSTOP",
        "SIGSYS",
        "SIGTERM",
        "SIGTRAP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGUSR1",
        "SIGUSR2",
        "SIGVTALRM",
        "SIGWINCH",
        "SIGXCPU",
        "SIGXFSZ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend((1..=14).map(|i| format!("SIGRTMAX-{i}")));
    v.extend((1..=15).map(|i| format!("SIGRTMIN+{i}")));
    v.sort();
    v
}

fn parse_ty(s: &str) -> Result<Ty, String> {
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return Ok(Ty::Array(Box::new(parse_ty(inner)?)));
    }
    if let Some(inner) = s.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        return Ok(Ty::Map(Box::new(parse_ty(inner)?)));
    }
    Ok(match s {
        "string" => Ty::Str,
        "bytes" => Ty::Bytes,
        "int32" => Ty::Int32,
        "int64" => Ty::Int64,
        "bool" => Ty::Bool,
        "object" => Ty::Any,
        "" => return Err("missing type".into()),
        other if other.contains('.') || other.chars().next().is_some_and(char::is_uppercase) => {
            Ty::Ref(expand(other))
        }
        other => return Err(format!("unknown type {other:?}")),
    })
}

fn list(v: &str) -> Vec<String> {
    v.split(',').map(str::to_string).collect()
}

/// The `<kind>List` of a kind (the `list` header flag).
fn list_schema(kind: &Schema) -> Schema {
    let mut metadata = Field::new("metadata", Ty::Ref(format!("{META}ListMeta")));
    metadata.default = Some(json!({}));
    let items = Ty::Array(Box::new(Ty::Ref(kind.name.clone())));
    Schema {
        name: format!("{}List", kind.name),
        fields: vec![
            Field::new("apiVersion", Ty::Str),
            Field::new("items", items),
            Field::new("kind", Ty::Str),
            metadata,
        ],
        required: vec!["items".to_string()],
        gvk: kind
            .gvk
            .iter()
            .map(|g| Gvk {
                kind: format!("{}List", g.kind),
                ..g.clone()
            })
            .collect(),
        map_type: None,
        raw: None,
    }
}

/// Parses the schema description (see the module doc for the format).
pub fn parse(text: &str) -> Result<BTreeMap<String, Schema>, String> {
    let mut out: BTreeMap<String, Schema> = BTreeMap::new();
    let mut cur: Option<Schema> = None;
    for (n, line) in text.lines().enumerate() {
        let err = |m: String| format!("line {}: {m}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or_default();
        if let Some(name) = first.strip_prefix('@') {
            if let Some(s) = cur.take() {
                out.insert(s.name.clone(), s);
            }
            let mut s = Schema {
                name: expand(name),
                fields: vec![],
                required: vec![],
                gvk: vec![],
                map_type: None,
                raw: None,
            };
            let mut with_list = false;
            for w in words {
                if w == "list" {
                    with_list = true;
                    continue;
                }
                let (k, v) = w
                    .split_once('=')
                    .ok_or_else(|| err(format!("bad flag {w:?}")))?;
                match k {
                    "req" => s.required = list(v),
                    "mt" => s.map_type = Some(v.to_string()),
                    "gvk" => {
                        let p: Vec<&str> = v.split('/').collect();
                        if p.len() != 3 {
                            return Err(err(format!("bad gvk {v:?}")));
                        }
                        s.gvk.push(Gvk {
                            group: p[0].into(),
                            version: p[1].into(),
                            kind: p[2].into(),
                        });
                    }
                    _ => return Err(err(format!("unknown header flag {k:?}"))),
                }
            }
            if with_list {
                let l = list_schema(&s);
                out.insert(l.name.clone(), l);
            }
            cur = Some(s);
            continue;
        }
        let s = cur
            .as_mut()
            .ok_or_else(|| err("field before any schema".into()))?;
        let ty = parse_ty(words.next().unwrap_or_default()).map_err(&err)?;
        let mut f = Field::new(first, ty);
        for w in words {
            let (k, v) = w.split_once('=').unwrap_or((w, ""));
            match k {
                "at" => f.list_type = Some("atomic".into()),
                "lt" => f.list_type = Some(v.into()),
                "lk" => f.list_map_keys = list(v),
                "ps" => f.patch_strategy = Some(v.into()),
                "mk" => f.merge_key = Some(v.into()),
                "mt" => f.map_type = Some(v.into()),
                "mm" => {
                    let keys = list(v);
                    f.patch_strategy = Some("merge".into());
                    f.merge_key = keys.first().cloned();
                    f.list_type = Some("map".into());
                    f.list_map_keys = keys;
                }
                "d" => {
                    f.default = Some(
                        serde_json::from_str(v)
                            .map_err(|e| err(format!("bad default {v:?}: {e}")))?,
                    )
                }
                "e" if v == "@signals" => f.enum_values = signals(),
                "e" => f.enum_values = v.split('|').map(str::to_string).collect(),
                _ => return Err(err(format!("unknown field flag {k:?}"))),
            }
        }
        s.fields.push(f);
    }
    if let Some(s) = cur.take() {
        out.insert(s.name.clone(), s);
    }
    Ok(out)
}

/// The type of a field as an OpenAPI v3 schema (refs as `#/components/schemas/...`).
fn ty_openapi(ty: &Ty, in_property: bool) -> Value {
    match ty {
        Ty::Str => json!({"type": "string"}),
        Ty::Bytes => json!({"format": "byte", "type": "string"}),
        Ty::Int32 => json!({"format": "int32", "type": "integer"}),
        Ty::Int64 => json!({"format": "int64", "type": "integer"}),
        Ty::Bool => json!({"type": "boolean"}),
        Ty::Any => json!({"type": "object"}),
        // A property that is a struct wraps its ref in allOf (so siblings like `default` are
        // allowed); items and map values use the bare ref, as kube-openapi does.
        Ty::Ref(r) if in_property => {
            json!({"allOf": [{"$ref": format!("#/components/schemas/{r}")}]})
        }
        Ty::Ref(r) => json!({"$ref": format!("#/components/schemas/{r}")}),
        Ty::Array(t) => json!({"items": ty_openapi(t, false), "type": "array"}),
        Ty::Map(t) => json!({"additionalProperties": ty_openapi(t, false), "type": "object"}),
    }
}

/// The OpenAPI v3 form of a schema; `doc_group` resolves `*` in its group-version-kinds.
pub fn to_openapi(s: &Schema, doc_group: &str) -> Value {
    if let Some(raw) = &s.raw {
        return raw.clone();
    }
    let mut props = Map::new();
    for f in &s.fields {
        let mut p = ty_openapi(&f.ty, true);
        let o = p.as_object_mut().expect("schemas are objects");
        if let Some(d) = &f.default {
            o.insert("default".into(), d.clone());
        }
        if !f.enum_values.is_empty() {
            // On a list the values constrain its items.
            match o.get_mut("items").and_then(Value::as_object_mut) {
                Some(items) => items.insert("enum".into(), json!(f.enum_values)),
                None => o.insert("enum".into(), json!(f.enum_values)),
            };
        }
        if !f.list_map_keys.is_empty() {
            o.insert("x-kubernetes-list-map-keys".into(), json!(f.list_map_keys));
        }
        if let Some(v) = &f.list_type {
            o.insert("x-kubernetes-list-type".into(), json!(v));
        }
        if let Some(v) = &f.map_type {
            o.insert("x-kubernetes-map-type".into(), json!(v));
        }
        if let Some(v) = &f.merge_key {
            o.insert("x-kubernetes-patch-merge-key".into(), json!(v));
        }
        if let Some(v) = &f.patch_strategy {
            o.insert("x-kubernetes-patch-strategy".into(), json!(v));
        }
        props.insert(f.name.clone(), p);
    }
    let mut out = Map::new();
    out.insert("properties".into(), Value::Object(props));
    if !s.required.is_empty() {
        out.insert("required".into(), json!(s.required));
    }
    out.insert("type".into(), json!("object"));
    if !s.gvk.is_empty() {
        let mut gvks = vec![];
        for g in &s.gvk {
            let groups: Vec<&str> = if g.group == "*" {
                if doc_group.is_empty() {
                    vec![""]
                } else {
                    vec!["", doc_group]
                }
            } else {
                vec![g.group.as_str()]
            };
            for group in groups {
                gvks.push(json!({"group": group, "kind": g.kind, "version": g.version}));
            }
        }
        out.insert("x-kubernetes-group-version-kind".into(), Value::Array(gvks));
    }
    if let Some(m) = &s.map_type {
        out.insert("x-kubernetes-map-type".into(), json!(m));
    }
    Value::Object(out)
}

/// The built-in schemas of every served type, in the format described in the module doc.
pub const SCHEMAS: &str = r#"
@meta.ObjectMeta
  annotations {string}
  creationTimestamp meta.Time
  deletionGracePeriodSeconds int64
  deletionTimestamp meta.Time
  finalizers [string] lt=set ps=merge
  generateName string
  generation int64
  labels {string}
  managedFields [meta.ManagedFieldsEntry] at
  name string
  namespace string
  ownerReferences [meta.OwnerReference] mm=uid
  resourceVersion string
  selfLink string
  uid string
@meta.ListMeta
  continue string
  remainingItemCount int64
  resourceVersion string
  selfLink string
  shardInfo meta.ShardInfo
@meta.ShardInfo req=selector
  selector string d=""
@meta.ManagedFieldsEntry
  apiVersion string
  fieldsType string
  fieldsV1 meta.FieldsV1
  manager string
  operation string
  subresource string
  time meta.Time
@meta.OwnerReference req=apiVersion,kind,name,uid mt=atomic
  apiVersion string d=""
  blockOwnerDeletion bool
  controller bool
  kind string d=""
  name string d=""
  uid string d=""
@meta.LabelSelector mt=atomic
  matchExpressions [meta.LabelSelectorRequirement] at
  matchLabels {string}
@meta.LabelSelectorRequirement req=key,operator
  key string d=""
  operator string d=""
  values [string] at
@meta.Condition req=type,status,lastTransitionTime,reason,message
  lastTransitionTime meta.Time
  message string d=""
  observedGeneration int64
  reason string d=""
  status string d=""
  type string d=""
@meta.Status gvk=/v1/Status
  apiVersion string
  code int32
  details meta.StatusDetails
  kind string
  message string
  metadata meta.ListMeta d={}
  reason string
  status string
@meta.StatusDetails
  causes [meta.StatusCause] at
  group string
  kind string
  name string
  retryAfterSeconds int32
  uid string
@meta.StatusCause
  field string
  message string
  reason string
@meta.DeleteOptions gvk=*/v1/DeleteOptions
  apiVersion string
  dryRun [string] at
  gracePeriodSeconds int64
  ignoreStoreReadErrorWithClusterBreakingPotential bool
  kind string
  orphanDependents bool
  preconditions meta.Preconditions
  propagationPolicy string
@meta.Preconditions
  resourceVersion string
  uid string
@meta.WatchEvent req=type,object gvk=*/v1/WatchEvent
  object RawExtension
  type string d=""
@meta.APIResourceList req=groupVersion,resources gvk=/v1/APIResourceList
  apiVersion string
  groupVersion string d=""
  kind string
  resources [meta.APIResource] at
@meta.APIResource req=name,singularName,namespaced,kind,verbs
  categories [string] at
  group string
  kind string d=""
  name string d=""
  namespaced bool d=false
  shortNames [string] at
  singularName string d=""
  storageVersionHash string
  verbs [string]
  version string
@meta.APIVersions req=versions,serverAddressByClientCIDRs gvk=/v1/APIVersions
  apiVersion string
  kind string
  serverAddressByClientCIDRs [meta.ServerAddressByClientCIDR] at
  versions [string] at
@meta.ServerAddressByClientCIDR req=clientCIDR,serverAddress
  clientCIDR string d=""
  serverAddress string d=""
@meta.APIGroupList req=groups gvk=/v1/APIGroupList
  apiVersion string
  groups [meta.APIGroup] at
  kind string
@meta.APIGroup req=name,versions gvk=/v1/APIGroup
  apiVersion string
  kind string
  name string d=""
  preferredVersion meta.GroupVersionForDiscovery d={}
  serverAddressByClientCIDRs [meta.ServerAddressByClientCIDR] at
  versions [meta.GroupVersionForDiscovery] at
@meta.GroupVersionForDiscovery req=groupVersion,version
  groupVersion string d=""
  version string d=""
@version.Info req=major,minor,gitVersion,gitCommit,gitTreeState,buildDate,goVersion,compiler,platform
  buildDate string d=""
  compiler string d=""
  emulationMajor string
  emulationMinor string
  gitCommit string d=""
  gitTreeState string d=""
  gitVersion string d=""
  goVersion string d=""
  major string d=""
  minCompatibilityMajor string
  minCompatibilityMinor string
  minor string d=""
  platform string d=""
@auto.Scale gvk=autoscaling/v1/Scale
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec auto.ScaleSpec d={}
  status auto.ScaleStatus d={}
@auto.ScaleSpec
  replicas int32 d=0
@auto.ScaleStatus req=replicas
  replicas int32 d=0
  selector string
@apps.DaemonSet gvk=apps/v1/DaemonSet list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec apps.DaemonSetSpec d={}
  status apps.DaemonSetStatus d={}
@apps.DaemonSetSpec req=selector,template
  minReadySeconds int32
  revisionHistoryLimit int32
  selector meta.LabelSelector
  template core.PodTemplateSpec d={}
  updateStrategy apps.DaemonSetUpdateStrategy d={}
@apps.DaemonSetUpdateStrategy
  rollingUpdate apps.RollingUpdateDaemonSet
  type string e=OnDelete|RollingUpdate
@apps.RollingUpdateDaemonSet
  maxSurge IntOrString
  maxUnavailable IntOrString
@apps.DaemonSetStatus req=currentNumberScheduled,numberMisscheduled,desiredNumberScheduled,numberReady
  collisionCount int32
  conditions [apps.DaemonSetCondition] mm=type
  currentNumberScheduled int32 d=0
  desiredNumberScheduled int32 d=0
  numberAvailable int32
  numberMisscheduled int32 d=0
  numberReady int32 d=0
  numberUnavailable int32
  observedGeneration int64
  updatedNumberScheduled int32
@apps.DaemonSetCondition req=type,status
  lastTransitionTime meta.Time
  message string
  reason string
  status string d=""
  type string d=""
@apps.Deployment gvk=apps/v1/Deployment list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec apps.DeploymentSpec d={}
  status apps.DeploymentStatus d={}
@apps.DeploymentSpec req=selector,template
  minReadySeconds int32
  paused bool
  progressDeadlineSeconds int32
  replicas int32
  revisionHistoryLimit int32
  selector meta.LabelSelector
  strategy apps.DeploymentStrategy d={} ps=retainKeys
  template core.PodTemplateSpec d={}
@apps.DeploymentStrategy
  rollingUpdate apps.RollingUpdateDeployment
  type string e=Recreate|RollingUpdate
@apps.RollingUpdateDeployment
  maxSurge IntOrString
  maxUnavailable IntOrString
@apps.DeploymentStatus
  availableReplicas int32
  collisionCount int32
  conditions [apps.DeploymentCondition] mm=type
  observedGeneration int64
  readyReplicas int32
  replicas int32
  terminatingReplicas int32
  unavailableReplicas int32
  updatedReplicas int32
@apps.DeploymentCondition req=type,status
  lastTransitionTime meta.Time
  lastUpdateTime meta.Time
  message string
  reason string
  status string d=""
  type string d=""
@apps.ReplicaSet gvk=apps/v1/ReplicaSet list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec apps.ReplicaSetSpec d={}
  status apps.ReplicaSetStatus d={}
@apps.ReplicaSetSpec req=selector
  minReadySeconds int32
  replicas int32
  selector meta.LabelSelector
  template core.PodTemplateSpec d={}
@apps.ReplicaSetStatus req=replicas
  availableReplicas int32
  conditions [apps.ReplicaSetCondition] mm=type
  fullyLabeledReplicas int32
  observedGeneration int64
  readyReplicas int32
  replicas int32 d=0
  terminatingReplicas int32
@apps.ReplicaSetCondition req=type,status
  lastTransitionTime meta.Time
  message string
  reason string
  status string d=""
  type string d=""
@apps.ControllerRevision req=revision gvk=apps/v1/ControllerRevision list
  apiVersion string
  data RawExtension
  kind string
  metadata meta.ObjectMeta d={}
  revision int64 d=0
@disc.EndpointSlice req=addressType,endpoints gvk=discovery.k8s.io/v1/EndpointSlice list
  addressType string d="" e=FQDN|IPv4|IPv6
  apiVersion string
  endpoints [disc.Endpoint] at
  kind string
  metadata meta.ObjectMeta d={}
  ports [disc.EndpointPort] at
@disc.Endpoint req=addresses
  addresses [string] lt=set
  conditions disc.EndpointConditions d={}
  deprecatedTopology {string}
  hints disc.EndpointHints
  hostname string
  nodeName string
  targetRef core.ObjectReference
  zone string
@disc.EndpointConditions
  ready bool
  serving bool
  terminating bool
@disc.EndpointHints
  forNodes [disc.ForNode] at
  forZones [disc.ForZone] at
@disc.ForNode req=name
  name string d=""
@disc.ForZone req=name
  name string d=""
@disc.EndpointPort mt=atomic
  appProtocol string
  name string
  port int32
  protocol string e=SCTP|TCP|UDP
@batch.CronJob gvk=batch/v1/CronJob list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec batch.CronJobSpec d={}
  status batch.CronJobStatus d={}
@batch.CronJobSpec req=schedule,jobTemplate
  concurrencyPolicy string e=Allow|Forbid|Replace
  failedJobsHistoryLimit int32
  jobTemplate batch.JobTemplateSpec d={}
  schedule string d=""
  startingDeadlineSeconds int64
  successfulJobsHistoryLimit int32
  suspend bool
  timeZone string
@batch.CronJobStatus
  active [core.ObjectReference] at
  lastScheduleTime meta.Time
  lastSuccessfulTime meta.Time
@batch.JobTemplateSpec
  metadata meta.ObjectMeta d={}
  spec batch.JobSpec d={}
@batch.Job gvk=batch/v1/Job list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec batch.JobSpec d={}
  status batch.JobStatus d={}
@batch.JobSpec req=template
  activeDeadlineSeconds int64
  backoffLimit int32
  backoffLimitPerIndex int32
  completionMode string e=Indexed|NonIndexed
  completions int32
  managedBy string
  manualSelector bool
  maxFailedIndexes int32
  parallelism int32
  podFailurePolicy batch.PodFailurePolicy
  podReplacementPolicy string e=Failed|TerminatingOrFailed
  selector meta.LabelSelector
  successPolicy batch.SuccessPolicy
  suspend bool
  template core.PodTemplateSpec d={}
  ttlSecondsAfterFinished int32
@batch.PodFailurePolicy req=rules
  rules [batch.PodFailurePolicyRule] at
@batch.PodFailurePolicyRule req=action
  action string d="" e=Count|FailIndex|FailJob|Ignore
  onExitCodes batch.PodFailurePolicyOnExitCodesRequirement
  onPodConditions [batch.PodFailurePolicyOnPodConditionsPattern] at
@batch.PodFailurePolicyOnExitCodesRequirement req=operator,values
  containerName string
  operator string d="" e=In|NotIn
  values [int32] lt=set
@batch.PodFailurePolicyOnPodConditionsPattern req=type
  status string d=""
  type string d=""
@batch.SuccessPolicy req=rules
  rules [batch.SuccessPolicyRule] at
@batch.SuccessPolicyRule
  succeededCount int32
  succeededIndexes string
@batch.JobStatus
  active int32
  completedIndexes string
  completionTime meta.Time
  conditions [batch.JobCondition] at ps=merge mk=type
  failed int32
  failedIndexes string
  ready int32
  startTime meta.Time
  succeeded int32
  terminating int32
  uncountedTerminatedPods batch.UncountedTerminatedPods
@batch.UncountedTerminatedPods
  failed [string] lt=set
  succeeded [string] lt=set
@batch.JobCondition req=type,status
  lastProbeTime meta.Time
  lastTransitionTime meta.Time
  message string
  reason string
  status string d=""
  type string d=""
@coord.Lease gvk=coordination.k8s.io/v1/Lease list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec coord.LeaseSpec d={}
@coord.LeaseSpec
  acquireTime meta.MicroTime
  holderIdentity string
  leaseDurationSeconds int32
  leaseTransitions int32
  preferredHolder string
  renewTime meta.MicroTime
  strategy string
@events.Event req=eventTime gvk=events.k8s.io/v1/Event list
  action string
  apiVersion string
  deprecatedCount int32
  deprecatedFirstTimestamp meta.Time
  deprecatedLastTimestamp meta.Time
  deprecatedSource core.EventSource d={}
  eventTime meta.MicroTime
  kind string
  metadata meta.ObjectMeta d={}
  note string
  reason string
  regarding core.ObjectReference d={}
  related core.ObjectReference
  reportingController string
  reportingInstance string
  series events.EventSeries
  type string
@events.EventSeries req=count,lastObservedTime
  count int32 d=0
  lastObservedTime meta.MicroTime
@core.Namespace gvk=/v1/Namespace list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec core.NamespaceSpec d={}
  status core.NamespaceStatus d={}
@core.NamespaceSpec
  finalizers [string] at
@core.NamespaceStatus
  conditions [core.NamespaceCondition] mm=type
  phase string e=Active|Terminating
@core.NamespaceCondition req=type,status
  lastTransitionTime meta.Time
  message string
  reason string
  status string d=""
  type string d=""
@core.Node gvk=/v1/Node list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec core.NodeSpec d={}
  status core.NodeStatus d={}
@core.NodeSpec
  configSource core.NodeConfigSource
  externalID string
  podCIDR string
  podCIDRs [string] lt=set ps=merge
  providerID string
  taints [core.Taint] at
  unschedulable bool
@core.NodeConfigSource
  configMap core.ConfigMapNodeConfigSource
@core.ConfigMapNodeConfigSource req=namespace,name,kubeletConfigKey
  kubeletConfigKey string d=""
  name string d=""
  namespace string d=""
  resourceVersion string
  uid string
@core.Taint req=key,effect
  effect string d="" e=NoExecute|NoSchedule|PreferNoSchedule
  key string d=""
  timeAdded meta.Time
  value string
@core.NodeStatus
  addresses [core.NodeAddress] mm=type
  allocatable {Quantity}
  capacity {Quantity}
  conditions [core.NodeCondition] mm=type
  config core.NodeConfigStatus
  daemonEndpoints core.NodeDaemonEndpoints d={}
  declaredFeatures [string] at
  features core.NodeFeatures
  images [core.ContainerImage] at
  nodeInfo core.NodeSystemInfo d={}
  phase string e=Pending|Running|Terminated
  runtimeHandlers [core.NodeRuntimeHandler] at
  volumesAttached [core.AttachedVolume] at
  volumesInUse [string] at
@core.NodeAddress req=type,address
  address string d=""
  type string d=""
@core.NodeCondition req=type,status
  lastHeartbeatTime meta.Time
  lastTransitionTime meta.Time
  message string
  reason string
  status string d=""
  type string d=""
@core.NodeConfigStatus
  active core.NodeConfigSource
  assigned core.NodeConfigSource
  error string
  lastKnownGood core.NodeConfigSource
@core.NodeDaemonEndpoints
  kubeletEndpoint core.DaemonEndpoint d={}
@core.DaemonEndpoint req=Port
  Port int32 d=0
@core.NodeFeatures
  supplementalGroupsPolicy bool
@core.ContainerImage
  names [string] at
  sizeBytes int64
@core.NodeSystemInfo req=machineID,systemUUID,bootID,kernelVersion,osImage,containerRuntimeVersion,kubeletVersion,kubeProxyVersion,operatingSystem,architecture
  architecture string d=""
  bootID string d=""
  containerRuntimeVersion string d=""
  kernelVersion string d=""
  kubeProxyVersion string d=""
  kubeletVersion string d=""
  machineID string d=""
  operatingSystem string d=""
  osImage string d=""
  swap core.NodeSwapStatus
  systemUUID string d=""
@core.NodeSwapStatus
  capacity int64
@core.NodeRuntimeHandler
  features core.NodeRuntimeHandlerFeatures
  name string d=""
@core.NodeRuntimeHandlerFeatures
  recursiveReadOnlyMounts bool
  userNamespaces bool
@core.AttachedVolume req=name,devicePath
  devicePath string d=""
  name string d=""
@core.Pod gvk=/v1/Pod list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec core.PodSpec d={}
  status core.PodStatus d={}
@core.PodTemplateSpec
  metadata meta.ObjectMeta d={}
  spec core.PodSpec d={}
@core.PodSpec req=containers
  activeDeadlineSeconds int64
  affinity core.Affinity
  automountServiceAccountToken bool
  containers [core.Container] mm=name
  dnsConfig core.PodDNSConfig
  dnsPolicy string e=ClusterFirst|ClusterFirstWithHostNet|Default|None
  enableServiceLinks bool
  ephemeralContainers [core.EphemeralContainer] mm=name
  hostAliases [core.HostAlias] mm=ip
  hostIPC bool
  hostNetwork bool
  hostPID bool
  hostUsers bool
  hostname string
  hostnameOverride string
  imagePullSecrets [core.LocalObjectReference] mm=name
  initContainers [core.Container] mm=name
  nodeName string
  nodeSelector {string} mt=atomic
  os core.PodOS
  overhead {Quantity}
  preemptionPolicy string e=Never|PreemptLowerPriority
  priority int32
  priorityClassName string
  readinessGates [core.PodReadinessGate] at
  resourceClaims [core.PodResourceClaim] mm=name ps=merge,retainKeys
  resources core.ResourceRequirements
  restartPolicy string e=Always|Never|OnFailure
  runtimeClassName string
  schedulerName string
  schedulingGates [core.PodSchedulingGate] mm=name
  schedulingGroup core.PodSchedulingGroup
  securityContext core.PodSecurityContext
  serviceAccount string
  serviceAccountName string
  setHostnameAsFQDN bool
  shareProcessNamespace bool
  subdomain string
  terminationGracePeriodSeconds int64
  tolerations [core.Toleration] at
  topologySpreadConstraints [core.TopologySpreadConstraint] mm=topologyKey,whenUnsatisfiable
  volumes [core.Volume] mm=name ps=merge,retainKeys
@core.Container req=name
  args [string] at
  command [string] at
  env [core.EnvVar] mm=name
  envFrom [core.EnvFromSource] at
  image string
  imagePullPolicy string e=Always|IfNotPresent|Never
  lifecycle core.Lifecycle
  livenessProbe core.Probe
  name string d=""
  ports [core.ContainerPort] mm=containerPort,protocol
  readinessProbe core.Probe
  resizePolicy [core.ContainerResizePolicy] at
  resources core.ResourceRequirements d={}
  restartPolicy string
  restartPolicyRules [core.ContainerRestartRule] at
  securityContext core.SecurityContext
  startupProbe core.Probe
  stdin bool
  stdinOnce bool
  terminationMessagePath string
  terminationMessagePolicy string e=FallbackToLogsOnError|File
  tty bool
  volumeDevices [core.VolumeDevice] mm=devicePath
  volumeMounts [core.VolumeMount] mm=mountPath
  workingDir string
@core.EphemeralContainer req=name
  args [string] at
  command [string] at
  env [core.EnvVar] mm=name
  envFrom [core.EnvFromSource] at
  image string
  imagePullPolicy string e=Always|IfNotPresent|Never
  lifecycle core.Lifecycle
  livenessProbe core.Probe
  name string d=""
  ports [core.ContainerPort] mm=containerPort,protocol
  readinessProbe core.Probe
  resizePolicy [core.ContainerResizePolicy] at
  resources core.ResourceRequirements d={}
  restartPolicy string
  restartPolicyRules [core.ContainerRestartRule] at
  securityContext core.SecurityContext
  startupProbe core.Probe
  stdin bool
  stdinOnce bool
  targetContainerName string
  terminationMessagePath string
  terminationMessagePolicy string e=FallbackToLogsOnError|File
  tty bool
  volumeDevices [core.VolumeDevice] mm=devicePath
  volumeMounts [core.VolumeMount] mm=mountPath
  workingDir string
@core.ContainerPort req=containerPort
  containerPort int32 d=0
  hostIP string
  hostPort int32
  name string
  protocol string d="TCP" e=SCTP|TCP|UDP
@core.EnvVar req=name
  name string d=""
  value string
  valueFrom core.EnvVarSource
@core.EnvVarSource
  configMapKeyRef core.ConfigMapKeySelector
  fieldRef core.ObjectFieldSelector
  fileKeyRef core.FileKeySelector
  resourceFieldRef core.ResourceFieldSelector
  secretKeyRef core.SecretKeySelector
@core.ConfigMapKeySelector req=key mt=atomic
  key string d=""
  name string d=""
  optional bool
@core.SecretKeySelector req=key mt=atomic
  key string d=""
  name string d=""
  optional bool
@core.FileKeySelector req=volumeName,path,key mt=atomic
  key string d=""
  optional bool d=false
  path string d=""
  volumeName string d=""
@core.ObjectFieldSelector req=fieldPath mt=atomic
  apiVersion string
  fieldPath string d=""
@core.ResourceFieldSelector req=resource mt=atomic
  containerName string
  divisor Quantity
  resource string d=""
@core.EnvFromSource
  configMapRef core.ConfigMapEnvSource
  prefix string
  secretRef core.SecretEnvSource
@core.ConfigMapEnvSource
  name string d=""
  optional bool
@core.SecretEnvSource
  name string d=""
  optional bool
@core.ResourceRequirements
  claims [core.ResourceClaim] lt=map lk=name
  limits {Quantity}
  requests {Quantity}
@core.ResourceClaim req=name
  name string d=""
  request string
@core.ContainerResizePolicy req=resourceName,restartPolicy
  resourceName string d=""
  restartPolicy string d=""
@core.ContainerRestartRule req=action
  action string
  exitCodes core.ContainerRestartRuleOnExitCodes
@core.ContainerRestartRuleOnExitCodes req=operator
  operator string
  values [int32] lt=set
@core.Probe
  exec core.ExecAction
  failureThreshold int32
  grpc core.GRPCAction
  httpGet core.HTTPGetAction
  initialDelaySeconds int32
  periodSeconds int32
  successThreshold int32
  tcpSocket core.TCPSocketAction
  terminationGracePeriodSeconds int64
  timeoutSeconds int32
@core.ExecAction
  command [string] at
@core.GRPCAction req=port
  port int32 d=0
  service string d=""
@core.HTTPGetAction req=port
  host string
  httpHeaders [core.HTTPHeader] at
  path string
  port IntOrString
  scheme string e=HTTP|HTTPS
@core.HTTPHeader req=name,value
  name string d=""
  value string d=""
@core.TCPSocketAction req=port
  host string
  port IntOrString
@core.SleepAction req=seconds
  seconds int64 d=0
@core.Lifecycle
  postStart core.LifecycleHandler
  preStop core.LifecycleHandler
  stopSignal string e=@signals
@core.LifecycleHandler
  exec core.ExecAction
  httpGet core.HTTPGetAction
  sleep core.SleepAction
  tcpSocket core.TCPSocketAction
@core.SecurityContext
  allowPrivilegeEscalation bool
  appArmorProfile core.AppArmorProfile
  capabilities core.Capabilities
  privileged bool
  procMount string e=Default|Unmasked
  readOnlyRootFilesystem bool
  runAsGroup int64
  runAsNonRoot bool
  runAsUser int64
  seLinuxOptions core.SELinuxOptions
  seccompProfile core.SeccompProfile
  windowsOptions core.WindowsSecurityContextOptions
@core.Capabilities
  add [string] at
  drop [string] at
@core.AppArmorProfile req=type
  localhostProfile string
  type string d="" e=Localhost|RuntimeDefault|Unconfined
@core.SeccompProfile req=type
  localhostProfile string
  type string d="" e=Localhost|RuntimeDefault|Unconfined
@core.SELinuxOptions
  level string
  role string
  type string
  user string
@core.WindowsSecurityContextOptions
  gmsaCredentialSpec string
  gmsaCredentialSpecName string
  hostProcess bool
  runAsUserName string
@core.PodSecurityContext
  appArmorProfile core.AppArmorProfile
  fsGroup int64
  fsGroupChangePolicy string e=Always|OnRootMismatch
  runAsGroup int64
  runAsNonRoot bool
  runAsUser int64
  seLinuxChangePolicy string
  seLinuxOptions core.SELinuxOptions
  seccompProfile core.SeccompProfile
  supplementalGroups [int64] at
  supplementalGroupsPolicy string e=Merge|Strict
  sysctls [core.Sysctl] at
  windowsOptions core.WindowsSecurityContextOptions
@core.Sysctl req=name,value
  name string d=""
  value string d=""
@core.VolumeDevice req=name,devicePath
  devicePath string d=""
  name string d=""
@core.VolumeMount req=name,mountPath
  mountPath string d=""
  mountPropagation string e=Bidirectional|HostToContainer|None
  name string d=""
  readOnly bool
  recursiveReadOnly string
  subPath string
  subPathExpr string
@core.Affinity
  nodeAffinity core.NodeAffinity
  podAffinity core.PodAffinity
  podAntiAffinity core.PodAntiAffinity
@core.NodeAffinity
  preferredDuringSchedulingIgnoredDuringExecution [core.PreferredSchedulingTerm] at
  requiredDuringSchedulingIgnoredDuringExecution core.NodeSelector
@core.PreferredSchedulingTerm req=weight,preference
  preference core.NodeSelectorTerm d={}
  weight int32 d=0
@core.NodeSelector req=nodeSelectorTerms mt=atomic
  nodeSelectorTerms [core.NodeSelectorTerm] at
@core.NodeSelectorTerm mt=atomic
  matchExpressions [core.NodeSelectorRequirement] at
  matchFields [core.NodeSelectorRequirement] at
@core.NodeSelectorRequirement req=key,operator
  key string d=""
  operator string d="" e=DoesNotExist|Exists|Gt|In|Lt|NotIn
  values [string] at
@core.PodAffinity
  preferredDuringSchedulingIgnoredDuringExecution [core.WeightedPodAffinityTerm] at
  requiredDuringSchedulingIgnoredDuringExecution [core.PodAffinityTerm] at
@core.PodAntiAffinity
  preferredDuringSchedulingIgnoredDuringExecution [core.WeightedPodAffinityTerm] at
  requiredDuringSchedulingIgnoredDuringExecution [core.PodAffinityTerm] at
@core.WeightedPodAffinityTerm req=weight,podAffinityTerm
  podAffinityTerm core.PodAffinityTerm d={}
  weight int32 d=0
@core.PodAffinityTerm req=topologyKey
  labelSelector meta.LabelSelector
  matchLabelKeys [string] at
  mismatchLabelKeys [string] at
  namespaceSelector meta.LabelSelector
  namespaces [string] at
  topologyKey string d=""
@core.Toleration
  effect string e=NoExecute|NoSchedule|PreferNoSchedule
  key string
  operator string e=Equal|Exists|Gt|Lt
  tolerationSeconds int64
  value string
@core.TopologySpreadConstraint req=maxSkew,topologyKey,whenUnsatisfiable
  labelSelector meta.LabelSelector
  matchLabelKeys [string] at
  maxSkew int32 d=0
  minDomains int32
  nodeAffinityPolicy string e=Honor|Ignore
  nodeTaintsPolicy string e=Honor|Ignore
  topologyKey string d=""
  whenUnsatisfiable string d="" e=DoNotSchedule|ScheduleAnyway
@core.PodDNSConfig
  nameservers [string] at
  options [core.PodDNSConfigOption] at
  searches [string] at
@core.PodDNSConfigOption
  name string
  value string
@core.HostAlias req=ip
  hostnames [string] at
  ip string d=""
@core.LocalObjectReference mt=atomic
  name string d=""
@core.PodOS req=name
  name string d=""
@core.PodReadinessGate req=conditionType
  conditionType string d=""
@core.PodResourceClaim req=name
  name string d=""
  resourceClaimName string
  resourceClaimTemplateName string
@core.PodSchedulingGate req=name
  name string d=""
@core.PodSchedulingGroup
  podGroupName string
@core.Volume req=name
  awsElasticBlockStore object
  azureDisk object
  azureFile object
  cephfs object
  cinder object
  configMap core.ConfigMapVolumeSource
  csi core.CSIVolumeSource
  downwardAPI core.DownwardAPIVolumeSource
  emptyDir core.EmptyDirVolumeSource
  ephemeral core.EphemeralVolumeSource
  fc object
  flexVolume object
  flocker object
  gcePersistentDisk object
  gitRepo object
  glusterfs object
  hostPath core.HostPathVolumeSource
  image core.ImageVolumeSource
  iscsi object
  name string d=""
  nfs core.NFSVolumeSource
  persistentVolumeClaim core.PersistentVolumeClaimVolumeSource
  photonPersistentDisk object
  portworxVolume object
  projected core.ProjectedVolumeSource
  quobyte object
  rbd object
  scaleIO object
  secret core.SecretVolumeSource
  storageos object
  vsphereVolume object
@core.HostPathVolumeSource req=path
  path string d=""
  type string e=|BlockDevice|CharDevice|Directory|DirectoryOrCreate|File|FileOrCreate|Socket
@core.EmptyDirVolumeSource
  medium string
  sizeLimit Quantity
@core.ConfigMapVolumeSource
  defaultMode int32
  items [core.KeyToPath] at
  name string d=""
  optional bool
@core.SecretVolumeSource
  defaultMode int32
  items [core.KeyToPath] at
  optional bool
  secretName string
@core.KeyToPath req=key,path
  key string d=""
  mode int32
  path string d=""
@core.PersistentVolumeClaimVolumeSource req=claimName
  claimName string d=""
  readOnly bool
@core.DownwardAPIVolumeSource
  defaultMode int32
  items [core.DownwardAPIVolumeFile] at
@core.DownwardAPIVolumeFile req=path
  fieldRef core.ObjectFieldSelector
  mode int32
  path string d=""
  resourceFieldRef core.ResourceFieldSelector
@core.ProjectedVolumeSource
  defaultMode int32
  sources [core.VolumeProjection] at
@core.VolumeProjection
  clusterTrustBundle core.ClusterTrustBundleProjection
  configMap core.ConfigMapProjection
  downwardAPI core.DownwardAPIProjection
  podCertificate core.PodCertificateProjection
  secret core.SecretProjection
  serviceAccountToken core.ServiceAccountTokenProjection
@core.ClusterTrustBundleProjection req=path
  labelSelector meta.LabelSelector
  name string
  optional bool
  path string d=""
  signerName string
@core.ConfigMapProjection
  items [core.KeyToPath] at
  name string d=""
  optional bool
@core.SecretProjection
  items [core.KeyToPath] at
  name string d=""
  optional bool
@core.DownwardAPIProjection
  items [core.DownwardAPIVolumeFile] at
@core.PodCertificateProjection req=signerName,keyType
  certificateChainPath string
  credentialBundlePath string
  keyPath string
  keyType string
  maxExpirationSeconds int32
  signerName string
  userAnnotations {string}
@core.ServiceAccountTokenProjection req=path
  audience string
  expirationSeconds int64
  path string d=""
@core.NFSVolumeSource req=server,path
  path string d=""
  readOnly bool
  server string d=""
@core.CSIVolumeSource req=driver
  driver string d=""
  fsType string
  nodePublishSecretRef core.LocalObjectReference
  readOnly bool
  volumeAttributes {string}
@core.ImageVolumeSource
  pullPolicy string e=Always|IfNotPresent|Never
  reference string
@core.EphemeralVolumeSource
  volumeClaimTemplate core.PersistentVolumeClaimTemplate
@core.PersistentVolumeClaimTemplate req=spec
  metadata meta.ObjectMeta d={}
  spec core.PersistentVolumeClaimSpec d={}
@core.PersistentVolumeClaimSpec
  accessModes [string] at e=ReadOnlyMany|ReadWriteMany|ReadWriteOnce|ReadWriteOncePod
  dataSource core.TypedLocalObjectReference
  dataSourceRef core.TypedObjectReference
  resources core.VolumeResourceRequirements d={}
  selector meta.LabelSelector
  storageClassName string
  volumeAttributesClassName string
  volumeMode string e=Block|Filesystem
  volumeName string
@core.TypedLocalObjectReference req=kind,name mt=atomic
  apiGroup string
  kind string d=""
  name string d=""
@core.TypedObjectReference req=kind,name
  apiGroup string
  kind string d=""
  name string d=""
  namespace string
@core.VolumeResourceRequirements
  limits {Quantity}
  requests {Quantity}
@core.PodStatus
  allocatedResources {Quantity}
  conditions [core.PodCondition] mm=type
  containerStatuses [core.ContainerStatus] at
  ephemeralContainerStatuses [core.ContainerStatus] at
  extendedResourceClaimStatus core.PodExtendedResourceClaimStatus
  hostIP string
  hostIPs [core.HostIP] at ps=merge mk=ip
  initContainerStatuses [core.ContainerStatus] at
  message string
  nodeAllocatableResourceClaimStatuses [core.NodeAllocatableResourceClaimStatus] at
  nominatedNodeName string
  observedGeneration int64
  phase string e=Failed|Pending|Running|Succeeded|Unknown
  podIP string
  podIPs [core.PodIP] mm=ip
  qosClass string e=BestEffort|Burstable|Guaranteed
  reason string
  resize string
  resourceClaimStatuses [core.PodResourceClaimStatus] mm=name ps=merge,retainKeys
  resources core.ResourceRequirements
  startTime meta.Time
@core.PodCondition req=type,status
  lastProbeTime meta.Time
  lastTransitionTime meta.Time
  message string
  observedGeneration int64
  reason string
  status string d=""
  type string d=""
@core.HostIP req=ip
  ip string d=""
@core.PodIP req=ip
  ip string d=""
@core.PodExtendedResourceClaimStatus req=requestMappings,resourceClaimName
  requestMappings [core.ContainerExtendedResourceRequest] at
  resourceClaimName string d=""
@core.ContainerExtendedResourceRequest req=containerName,resourceName,requestName
  containerName string d=""
  requestName string d=""
  resourceName string d=""
@core.NodeAllocatableResourceClaimStatus req=resourceClaimName,resources
  containers [string] lt=set
  resourceClaimName string d=""
  resources {Quantity}
@core.PodResourceClaimStatus req=name
  name string d=""
  resourceClaimName string
@core.ContainerStatus req=name,ready,restartCount,image,imageID
  allocatedResources {Quantity}
  allocatedResourcesStatus [core.ResourceStatus] mm=name
  containerID string
  image string d=""
  imageID string d=""
  lastState core.ContainerState d={}
  name string d=""
  ready bool d=false
  resources core.ResourceRequirements
  restartCount int32 d=0
  started bool
  state core.ContainerState d={}
  stopSignal string e=@signals
  user core.ContainerUser
  volumeMounts [core.VolumeMountStatus] mm=mountPath
@core.ResourceStatus req=name
  name string d=""
  resources [core.ResourceHealth] lt=map lk=resourceID
@core.ResourceHealth req=resourceID
  health string
  message string
  resourceID string d=""
@core.ContainerState
  running core.ContainerStateRunning
  terminated core.ContainerStateTerminated
  waiting core.ContainerStateWaiting
@core.ContainerStateRunning
  startedAt meta.Time
@core.ContainerStateTerminated req=exitCode
  containerID string
  exitCode int32 d=0
  finishedAt meta.Time
  message string
  reason string
  signal int32
  startedAt meta.Time
@core.ContainerStateWaiting
  message string
  reason string
@core.ContainerUser
  linux core.LinuxContainerUser
@core.LinuxContainerUser req=uid,gid
  gid int64 d=0
  supplementalGroups [int64] at
  uid int64 d=0
@core.VolumeMountStatus req=name,mountPath
  mountPath string d=""
  name string d=""
  readOnly bool
  recursiveReadOnly string
  volumeStatus core.VolumeStatus
@core.VolumeStatus
  image core.ImageVolumeStatus
@core.ImageVolumeStatus req=imageRef
  imageRef string
@core.Service gvk=/v1/Service list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec core.ServiceSpec d={}
  status core.ServiceStatus d={}
@core.ServiceSpec
  allocateLoadBalancerNodePorts bool
  clusterIP string
  clusterIPs [string] at
  externalIPs [string] at
  externalName string
  externalTrafficPolicy string e=Cluster|Local
  healthCheckNodePort int32
  internalTrafficPolicy string e=Cluster|Local
  ipFamilies [string] at e=|IPv4|IPv6
  ipFamilyPolicy string e=PreferDualStack|RequireDualStack|SingleStack
  loadBalancerClass string
  loadBalancerIP string
  loadBalancerSourceRanges [string] at
  ports [core.ServicePort] mm=port,protocol
  publishNotReadyAddresses bool
  selector {string} mt=atomic
  sessionAffinity string e=ClientIP|None
  sessionAffinityConfig core.SessionAffinityConfig
  trafficDistribution string
  type string e=ClusterIP|ExternalName|LoadBalancer|NodePort
@core.ServicePort req=port
  appProtocol string
  name string
  nodePort int32
  port int32 d=0
  protocol string d="TCP" e=SCTP|TCP|UDP
  targetPort IntOrString
@core.SessionAffinityConfig
  clientIP core.ClientIPConfig
@core.ClientIPConfig
  timeoutSeconds int32
@core.ServiceStatus
  conditions [meta.Condition] mm=type
  loadBalancer core.LoadBalancerStatus d={}
@core.LoadBalancerStatus
  ingress [core.LoadBalancerIngress] at
@core.LoadBalancerIngress
  hostname string
  ip string
  ipMode string
  ports [core.PortStatus] at
@core.PortStatus req=port,protocol
  error string
  port int32 d=0
  protocol string d="" e=SCTP|TCP|UDP
@core.LimitRange gvk=/v1/LimitRange list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec core.LimitRangeSpec d={}
@core.LimitRangeSpec req=limits
  limits [core.LimitRangeItem] at
@core.LimitRangeItem req=type
  default {Quantity}
  defaultRequest {Quantity}
  max {Quantity}
  maxLimitRequestRatio {Quantity}
  min {Quantity}
  type string d=""
@core.ResourceQuota gvk=/v1/ResourceQuota list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  spec core.ResourceQuotaSpec d={}
  status core.ResourceQuotaStatus d={}
@core.ResourceQuotaSpec
  hard {Quantity}
  scopeSelector core.ScopeSelector
  scopes [string] at e=BestEffort|CrossNamespacePodAffinity|NotBestEffort|NotTerminating|PriorityClass|Terminating|VolumeAttributesClass
@core.ResourceQuotaStatus
  hard {Quantity}
  used {Quantity}
@core.ScopeSelector mt=atomic
  matchExpressions [core.ScopedResourceSelectorRequirement] at
@core.ScopedResourceSelectorRequirement req=scopeName,operator
  operator string d="" e=DoesNotExist|Exists|In|NotIn
  scopeName string d="" e=BestEffort|CrossNamespacePodAffinity|NotBestEffort|NotTerminating|PriorityClass|Terminating|VolumeAttributesClass
  values [string] at
@core.Endpoints gvk=/v1/Endpoints list
  apiVersion string
  kind string
  metadata meta.ObjectMeta d={}
  subsets [core.EndpointSubset] at
@core.EndpointSubset
  addresses [core.EndpointAddress] at
  notReadyAddresses [core.EndpointAddress] at
  ports [core.EndpointPort] at
@core.EndpointAddress req=ip mt=atomic
  hostname string
  ip string d=""
  nodeName string
  targetRef core.ObjectReference
@core.EndpointPort req=port mt=atomic
  appProtocol string
  name string
  port int32 d=0
  protocol string e=SCTP|TCP|UDP
@core.ObjectReference mt=atomic
  apiVersion string
  fieldPath string
  kind string
  name string
  namespace string
  resourceVersion string
  uid string
@core.ConfigMap gvk=/v1/ConfigMap list
  apiVersion string
  binaryData {bytes}
  data {string}
  immutable bool
  kind string
  metadata meta.ObjectMeta d={}
@core.Secret gvk=/v1/Secret list
  apiVersion string
  data {bytes}
  immutable bool
  kind string
  metadata meta.ObjectMeta d={}
  stringData {string}
  type string
@core.ServiceAccount gvk=/v1/ServiceAccount list
  apiVersion string
  automountServiceAccountToken bool
  imagePullSecrets [core.LocalObjectReference] at
  kind string
  metadata meta.ObjectMeta d={}
  secrets [core.ObjectReference] mm=name
@core.Event req=metadata,involvedObject gvk=/v1/Event list
  action string
  apiVersion string
  count int32
  eventTime meta.MicroTime
  firstTimestamp meta.Time
  involvedObject core.ObjectReference d={}
  kind string
  lastTimestamp meta.Time
  message string
  metadata meta.ObjectMeta d={}
  reason string
  related core.ObjectReference
  reportingComponent string d=""
  reportingInstance string d=""
  series core.EventSeries
  source core.EventSource d={}
  type string
@core.EventSeries
  count int32
  lastObservedTime meta.MicroTime
@core.EventSource
  component string
  host string
"#;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testfixtures::fixture_text as fixture;

    /// Every schema of the reference documents with the group of the document it came from.
    fn reference_schemas() -> BTreeMap<String, (&'static str, Value)> {
        let mut all = BTreeMap::new();
        for (f, group) in [
            ("openapi-v3-api-v1.nodesc.json", ""),
            ("openapi-v3-apis-apps-v1.nodesc.json", "apps"),
        ] {
            let doc: Value = serde_json::from_str(&fixture(f)).unwrap();
            for (k, v) in doc["components"]["schemas"].as_object().unwrap() {
                all.insert(k.clone(), (group, v.clone()));
            }
        }
        all
    }

    #[test]
    fn table_parses_and_every_reference_resolves() {
        let names: Vec<&str> = all().keys().map(String::as_str).collect();
        assert!(names.len() > 150, "{}", names.len());
        for s in all().values() {
            for f in &s.fields {
                if let Some(r) = ref_of(&f.ty) {
                    assert!(
                        get(r).is_some(),
                        "{}.{} refers to missing {r}",
                        s.name,
                        f.name
                    );
                }
            }
            for r in &s.required {
                assert!(s.field(r).is_some(), "{} requires unknown {r}", s.name);
            }
        }
        for sv in SERVED {
            let name = kind_schema_name(sv);
            assert!(get(&name).is_some(), "{name}");
            assert!(get(&format!("{name}List")).is_some(), "{name}List");
        }
    }

    #[test]
    fn bad_descriptions_are_errors_not_panics() {
        assert!(parse("  name string")
            .unwrap_err()
            .contains("before any schema"));
        assert!(parse("@core.X\n  a strin")
            .unwrap_err()
            .contains("unknown type"));
        assert!(parse("@core.X\n  a string zz=1")
            .unwrap_err()
            .contains("unknown field flag"));
        assert!(parse("@core.X gvk=a/b").unwrap_err().contains("bad gvk"));
        assert!(parse("@core.X\n  a string d={")
            .unwrap_err()
            .contains("bad default"));
    }

    /// Our schemas, rendered, equal the real server's (descriptions removed) for every schema
    /// both have; fields we keep free-form (`object`) and union hints are the only differences.
    #[test]
    fn schemas_agree_with_the_real_server() {
        let reference = reference_schemas();
        let mut compared = 0;
        let mut problems = vec![];
        for s in all().values() {
            let Some((doc_group, want)) = reference.get(&s.name) else {
                continue;
            };
            compared += 1;
            let mut got = to_openapi(s, doc_group);
            let mut want = want.clone();
            if let Some(o) = want.as_object_mut() {
                o.remove("x-kubernetes-unions");
            }
            // Free-form stand-ins for rarely used volume sources compare as equal.
            for f in s.fields.iter().filter(|f| f.ty == Ty::Any) {
                got["properties"][&f.name] = want["properties"][&f.name].clone();
            }
            if got != want {
                problems.push(format!("{}:\n got {got}\nwant {want}", s.name));
            }
        }
        assert!(compared > 150, "compared only {compared}");
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn patch_metadata_agrees_with_the_merge_key_table() {
        let table = fixture("patch-merge-keys-1.36.tsv");
        let served = reference_closure();
        let free_form = free_form_volume_sources();
        let mut checked = 0;
        for line in table.lines().skip(1) {
            let c: Vec<&str> = line.split('\t').collect();
            let (schema, field) = (c[0], c[1]);
            let Some(s) = get(schema) else {
                // Rows of the served kinds' trees may be missing only for the volume sources
                // kept free-form.
                let ok = !served.contains(schema) || free_form.contains(schema);
                assert!(ok, "{schema}.{field} not covered");
                continue;
            };
            let f = s
                .field(field)
                .unwrap_or_else(|| panic!("{schema}.{field} missing"));
            let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
            assert_eq!(
                f.patch_strategy,
                opt(c[2]),
                "{schema}.{field} patch strategy"
            );
            assert_eq!(f.merge_key, opt(c[3]), "{schema}.{field} merge key");
            assert_eq!(f.list_type, opt(c[4]), "{schema}.{field} list type");
            let keys: Vec<String> = c
                .get(5)
                .filter(|k| !k.is_empty())
                .map(|k| list(k))
                .unwrap_or_default();
            assert_eq!(f.list_map_keys, keys, "{schema}.{field} list map keys");
            checked += 1;
        }
        assert!(checked > 60, "checked only {checked}");
        // Every served kind's tree is covered, including these rows.
        for (s, f) in [
            ("io.k8s.api.core.v1.PodSpec", "volumes"),
            ("io.k8s.api.core.v1.Container", "ports"),
            ("io.k8s.api.apps.v1.DeploymentSpec", "strategy"),
        ] {
            assert!(
                table.lines().any(|l| l.starts_with(&format!("{s}\t{f}\t"))),
                "{s}.{f}"
            );
            assert!(get(s).and_then(|x| x.field(f)).is_some());
        }
    }

    /// The schemas the real documents reach from the kinds we serve.
    fn reference_closure() -> BTreeSet<String> {
        let reference = reference_schemas();
        let mut stack: Vec<String> = SERVED.iter().map(kind_schema_name).collect();
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some((_, v)) = reference.get(&n) {
                let text = v.to_string();
                for part in text.split("#/components/schemas/").skip(1) {
                    stack.push(part.split('"').next().unwrap_or_default().to_string());
                }
            }
        }
        seen
    }

    /// The reference schemas of the Volume fields we keep free-form.
    fn free_form_volume_sources() -> BTreeSet<String> {
        let reference = reference_schemas();
        let vol = &reference["io.k8s.api.core.v1.Volume"].1["properties"];
        let ours = get("io.k8s.api.core.v1.Volume").unwrap();
        ours.fields
            .iter()
            .filter(|f| f.ty == Ty::Any)
            .filter_map(|f| vol[&f.name]["allOf"][0]["$ref"].as_str())
            .map(|r| r.trim_start_matches("#/components/schemas/").to_string())
            .collect()
    }

    #[test]
    fn nodes_walk_the_tree() {
        let root = Node::root(&GroupResource::new("apps", "deployments")).unwrap();
        let containers = root
            .child("spec")
            .and_then(|n| n.child("template"))
            .and_then(|n| n.child("spec"))
            .unwrap();
        let f = containers.field("containers").unwrap();
        assert_eq!(
            (f.patch_strategy.as_deref(), f.merge_key.as_deref()),
            (Some("merge"), Some("name"))
        );
        let c = Node::of(&f.ty).item().unwrap();
        assert!(matches!(c, Node::Object(s) if s.name == "io.k8s.api.core.v1.Container"));
        assert!(c.child("imagePullPolicyy").is_none());
        let labels = root
            .child("metadata")
            .and_then(|m| m.child("labels"))
            .unwrap();
        assert!(matches!(labels.child("anything"), Some(Node::Leaf)));
        assert!(labels.item().is_none());
        let time = root
            .child("metadata")
            .and_then(|m| m.child("creationTimestamp"))
            .unwrap();
        assert!(matches!(time, Node::Leaf));
        assert!(Node::root(&GroupResource::new("x", "y")).is_none());
    }

    #[test]
    fn served_lookup() {
        let ds = GroupResource::new("apps", "daemonsets");
        assert_eq!(
            schema_for(&ds).unwrap().name,
            "io.k8s.api.apps.v1.DaemonSet"
        );
        let ev = GroupResource::new("events.k8s.io", "events");
        assert_eq!(schema_for(&ev).unwrap().name, "io.k8s.api.events.v1.Event");
        let lease = GroupResource::new("coordination.k8s.io", "leases");
        assert_eq!(
            schema_for(&lease).unwrap().name,
            "io.k8s.api.coordination.v1.Lease"
        );
        assert!(schema_for(&GroupResource::new("apps", "statefulsets")).is_none());
        let c = closure(["io.k8s.api.apps.v1.DaemonSet"]);
        assert!(c.contains("io.k8s.api.core.v1.Container"));
        assert!(c.contains("io.k8s.apimachinery.pkg.util.intstr.IntOrString"));
        assert!(!c.contains("io.k8s.api.core.v1.Node"));
    }
}

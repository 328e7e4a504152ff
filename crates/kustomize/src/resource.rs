//! One resource during a build: its object plus the build state kustomize keeps in
//! `internal.config.kubernetes.io/*` annotations (previous ids, name prefixes and suffixes,
//! whether a generator wants the hash suffix, the generator's merge behavior). Here that state
//! lives beside the object, so it never has to be stripped from the output, except for one
//! visible effect: kustomize removes an `annotations` map left empty once its build
//! annotations are gone ([`Res::finish`]).

use serde_json::{Map, Value};

/// A group/version/kind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

/// `s`, or `placeholder` when it is empty (how resids print missing parts).
pub(crate) fn or_placeholder<'a>(s: &'a str, placeholder: &'a str) -> &'a str {
    if s.is_empty() {
        placeholder
    } else {
        s
    }
}

impl Gvk {
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk {
            group,
            version,
            kind: kind.to_string(),
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// resid `Gvk.IsSelected`: empty selector fields match anything.
    pub fn is_selected(&self, sel: &Gvk) -> bool {
        (sel.group.is_empty() || sel.group == self.group)
            && (sel.version.is_empty() || sel.version == self.version)
            && (sel.kind.is_empty() || sel.kind == self.kind)
    }

    /// resid `Gvk.String`: `Kind.version.group` with placeholders for empty parts.
    pub fn id_string(&self) -> String {
        format!(
            "{}.{}.{}",
            or_placeholder(&self.kind, "[noKind]"),
            or_placeholder(&self.version, "[noVer]"),
            or_placeholder(&self.group, "[noGrp]")
        )
    }

    /// kyaml's precomputed list of kinds that are certainly cluster scoped.
    pub fn is_cluster_scoped(&self) -> bool {
        let av = self.api_version();
        CLUSTER_SCOPED
            .iter()
            .any(|(a, k)| *a == av && *k == self.kind)
    }
}

const CLUSTER_SCOPED: &[(&str, &str)] = &[
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
    ),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
];

/// A resource id: gvk, name, namespace.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResId {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

impl ResId {
    /// resid `EffectiveNamespace`.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            "_non_namespaceable_"
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    pub fn ns_equals(&self, o: &ResId) -> bool {
        self.effective_namespace() == o.effective_namespace()
    }

    pub fn equals(&self, o: &ResId) -> bool {
        self.ns_equals(o) && self.gvk == o.gvk && self.name == o.name
    }

    /// resid `ResId.String`.
    pub fn id_string(&self) -> String {
        let name = if self.name.is_empty() {
            "[noName]"
        } else {
            &self.name
        };
        let ns = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        format!("{}/{}.{}", self.gvk.id_string(), name, ns)
    }
}

/// A generator's `behavior`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Behavior {
    #[default]
    Unspecified,
    Create,
    Merge,
    Replace,
}

impl Behavior {
    pub fn parse(s: &str) -> Behavior {
        match s {
            "create" => Behavior::Create,
            "merge" => Behavior::Merge,
            "replace" => Behavior::Replace,
            _ => Behavior::Unspecified,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Behavior::Unspecified => "unspecified",
            Behavior::Create => "create",
            Behavior::Merge => "merge",
            Behavior::Replace => "replace",
        }
    }
}

/// One resource and its build state.
#[derive(Debug, Clone)]
pub struct Res {
    pub obj: Value,
    /// previousNames/Namespaces/Kinds, oldest first.
    pub prev: Vec<(String, String, String)>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    pub needs_hash: bool,
    pub behavior: Behavior,
    /// kustomize wrote a build annotation into `metadata.annotations` at some point.
    pub annotated: bool,
    /// The vars bound to this resource (`refVarNames`).
    pub ref_vars: Vec<String>,
}

impl Res {
    pub fn new(obj: Value) -> Res {
        Res {
            obj,
            prev: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            behavior: Behavior::Unspecified,
            annotated: false,
            ref_vars: Vec::new(),
        }
    }

    pub fn str_at(&self, path: &[&str]) -> String {
        let mut cur = &self.obj;
        for p in path {
            match cur.get(p) {
                Some(v) => cur = v,
                None => return String::new(),
            }
        }
        match cur {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }

    pub fn kind(&self) -> String {
        self.str_at(&["kind"])
    }
    pub fn name(&self) -> String {
        self.str_at(&["metadata", "name"])
    }
    pub fn namespace(&self) -> String {
        self.str_at(&["metadata", "namespace"])
    }
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(&self.str_at(&["apiVersion"]), &self.kind())
    }

    pub fn cur_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name(),
            namespace: self.namespace(),
        }
    }

    pub fn prev_ids(&self) -> Vec<ResId> {
        let gvk = self.gvk();
        self.prev
            .iter()
            .map(|(name, ns, kind)| ResId {
                gvk: Gvk {
                    kind: kind.clone(),
                    ..gvk.clone()
                },
                name: name.clone(),
                namespace: ns.clone(),
            })
            .collect()
    }

    pub fn org_id(&self) -> ResId {
        self.prev_ids()
            .into_iter()
            .next()
            .unwrap_or_else(|| self.cur_id())
    }

    /// `StorePreviousId`.
    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        let ns = id.effective_namespace().to_string();
        self.prev.push((id.name, ns, id.gvk.kind));
        self.annotated = true;
    }

    pub fn add_prefix(&mut self, p: &str) {
        if !p.is_empty() {
            self.prefixes.push(p.to_string());
            self.annotated = true;
        }
    }

    pub fn add_suffix(&mut self, s: &str) {
        if !s.is_empty() {
            self.suffixes.push(s.to_string());
            self.annotated = true;
        }
    }

    pub fn meta_mut(&mut self) -> &mut Map<String, Value> {
        let obj = self.obj.as_object_mut().expect("resource is a map");
        let meta = obj
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if !meta.is_object() {
            *meta = Value::Object(Map::new());
        }
        meta.as_object_mut().unwrap()
    }

    pub fn set_name(&mut self, name: &str) {
        self.meta_mut()
            .insert("name".into(), Value::String(name.to_string()));
    }

    pub fn set_namespace(&mut self, ns: &str) {
        let meta = self.meta_mut();
        if ns.is_empty() {
            meta.remove("namespace");
        } else {
            meta.insert("namespace".into(), Value::String(ns.to_string()));
        }
    }

    pub fn string_map(&self, field: &str) -> Vec<(String, String)> {
        string_map(self.obj.get("metadata").and_then(|m| m.get(field)))
    }

    /// kyaml `setMapInMetadata`: the field is cleared and, when the map is not empty,
    /// rewritten with string values.
    pub fn set_string_map(&mut self, field: &str, m: Vec<(String, String)>) {
        let meta = self.meta_mut();
        meta.remove(field);
        if m.is_empty() {
            return;
        }
        let mut out = Map::new();
        for (k, v) in m {
            out.insert(k, Value::String(v));
        }
        meta.insert(field.to_string(), Value::Object(out));
    }

    /// The end of a build: kustomize deletes its build annotations and clears an
    /// `annotations` map they leave empty.
    pub fn finish(&mut self) {
        if !self.annotated {
            return;
        }
        if let Some(Value::Object(meta)) = self.obj.get_mut("metadata") {
            if let Some(Value::Object(a)) = meta.get("annotations") {
                if a.is_empty() {
                    meta.remove("annotations");
                }
            } else if matches!(meta.get("annotations"), Some(Value::Null)) {
                meta.remove("annotations");
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        match &self.obj {
            Value::Object(m) => m.is_empty(),
            Value::Null => true,
            _ => false,
        }
    }
}

/// A map's entries with their scalars as text; empty when it is not a map.
pub fn string_map(v: Option<&Value>) -> Vec<(String, String)> {
    match v {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| (k.clone(), scalar_string(v)))
            .collect(),
        _ => Vec::new(),
    }
}

/// A scalar as kyaml holds it (its text).
pub fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

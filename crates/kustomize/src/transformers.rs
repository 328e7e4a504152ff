//! The built-in transformers (`internal/builtins/*Transformer.go` and `api/filters/*`), each
//! over the whole list of accumulated resources.

use regex::Regex;
use serde_json::{Map, Value};

use crate::fieldspec::{self, CreateKind, FieldSpec};
use crate::resource::{or_placeholder, scalar_string, Gvk, Res};
use crate::yamlio;
use crate::Error;

fn set_string(node: &mut Value, v: &str) {
    *node = Value::String(v.to_string());
}

/// `setRoleBindingSubjects` of the `NamespaceTransformer`: which subjects of (Cluster)RoleBindings
/// get the namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubjectMode {
    /// `defaultOnly` (the default): subjects named `default`.
    #[default]
    DefaultOnly,
    /// `allServiceAccounts`: subjects of kind `ServiceAccount`.
    AllServiceAccounts,
    /// `none`.
    None,
}

/// `NamespaceTransformer`.
pub fn namespace(
    rs: &mut [Res],
    ns: &str,
    specs: &[FieldSpec],
    unset_only: bool,
    mode: SubjectMode,
) -> Result<(), Error> {
    for r in rs.iter_mut() {
        if r.is_empty() {
            continue;
        }
        r.store_previous_id();
        let gvk = r.gvk();
        let set = |node: &mut Value| -> Result<(), Error> {
            if unset_only && !(node.is_null() || node.as_str() == Some("")) {
                return Ok(());
            }
            set_string(node, ns);
            Ok(())
        };
        let mut set = set;
        if !gvk.is_cluster_scoped() {
            let fs = FieldSpec {
                path: "metadata/namespace".into(),
                create: true,
                ..Default::default()
            };
            fieldspec::apply(r, &fs, CreateKind::Scalar, &mut set)?;
        }
        let is_rb = gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding";
        if is_rb && mode != SubjectMode::None {
            let (field, want) = match mode {
                SubjectMode::AllServiceAccounts => ("kind", "ServiceAccount"),
                _ => ("name", "default"),
            };
            if let Some(Value::Array(subjects)) = r.obj.get_mut("subjects") {
                for s in subjects.iter_mut() {
                    if s.get(field).and_then(Value::as_str) == Some(want) {
                        if let Some(m) = s.as_object_mut() {
                            let e = m.entry("namespace").or_insert(Value::Null);
                            set(e)?;
                        }
                    }
                }
            }
        }
        let av = gvk.api_version();
        for fs in specs {
            if fs.path == "metadata/namespace" {
                continue;
            }
            if av != "v1" && fs.path == "metadata/name" {
                continue;
            }
            let spec_is_rb = fs.gvk.kind == "RoleBinding" || fs.gvk.kind == "ClusterRoleBinding";
            if is_rb && spec_is_rb && fs.path == "subjects/namespace" {
                continue;
            }
            fieldspec::apply(r, fs, CreateKind::Scalar, &mut set)
                .map_err(|e| e.wrap("namespace transformation failed"))?;
        }
    }
    Ok(())
}

/// `PrefixTransformer`/`SuffixTransformer`.
pub fn prefix_suffix(
    rs: &mut [Res],
    affix: &str,
    specs: &[FieldSpec],
    is_prefix: bool,
) -> Result<(), Error> {
    for r in rs.iter_mut() {
        let id = r.org_id();
        // shouldSkip: these kinds never get a prefix or suffix.
        let skip = id.gvk.kind == "CustomResourceDefinition"
            || id.gvk.kind == "Namespace"
            || (id.gvk.group == "apiregistration.k8s.io" && id.gvk.kind == "APIService");
        if skip {
            continue;
        }
        for fs in specs {
            if !id.gvk.is_selected(&fs.gvk) {
                continue;
            }
            if fs.path == "metadata/name" {
                if is_prefix {
                    r.add_prefix(affix);
                } else {
                    r.add_suffix(affix);
                }
                if !affix.is_empty() {
                    r.store_previous_id();
                }
            }
            fieldspec::apply(r, fs, CreateKind::None, &mut |node| {
                let cur = scalar_string(node);
                let v = if is_prefix {
                    format!("{affix}{cur}")
                } else {
                    format!("{cur}{affix}")
                };
                set_string(node, &v);
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// `LabelTransformer`/`AnnotationsTransformer`: sets every pair on each selected map.
pub fn set_map_entries(
    rs: &mut [Res],
    pairs: &[(String, String)],
    specs: &[FieldSpec],
) -> Result<(), Error> {
    if pairs.is_empty() {
        return Ok(());
    }
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for r in rs.iter_mut() {
        for fs in specs {
            fieldspec::apply(r, fs, CreateKind::Map, &mut |node| {
                if node.is_null() {
                    *node = Value::Object(Map::new());
                }
                let Some(m) = node.as_object_mut() else {
                    return Err(Error::new("wrong node kind: expected MappingNode"));
                };
                for (k, v) in &sorted {
                    m.insert(k.clone(), Value::String(v.clone()));
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// An `images:` entry.
#[derive(Debug, Clone, Default)]
pub struct Image {
    pub name: String,
    pub new_name: String,
    pub new_tag: String,
    pub tag_suffix: String,
    pub digest: String,
}

impl Image {
    pub fn from_value(v: &Value) -> Image {
        let s = |k: &str| v.get(k).map(scalar_string).unwrap_or_default();
        Image {
            name: s("name"),
            new_name: s("newName"),
            new_tag: s("newTag"),
            tag_suffix: s("tagSuffix"),
            digest: s("digest"),
        }
    }
}

/// `image.Split`: name, tag, digest.
fn split_image(image: &str) -> (String, String, String) {
    let (search, slash) = match image.find('/') {
        Some(i) if i > 0 => (&image[i..], i),
        _ => (image, 0),
    };
    let id = search.find('@');
    let ic = search.find(':');
    match (id, ic) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (Some(d), c) if c.is_none() || d < c.unwrap() => {
            let d = d + slash;
            (
                image[..d].to_string(),
                String::new(),
                image[d + 1..].to_string(),
            )
        }
        (Some(d), Some(c)) => {
            let (d, c) = (d + slash, c + slash);
            (
                image[..c].to_string(),
                image[c + 1..d].to_string(),
                image[d + 1..].to_string(),
            )
        }
        (None, Some(c)) => {
            let c = c + slash;
            (
                image[..c].to_string(),
                image[c + 1..].to_string(),
                String::new(),
            )
        }
        _ => unreachable!(),
    }
}

fn update_image(img: &Image, re: &Option<Regex>, node: &mut Value) {
    let Value::String(value) = node else { return };
    let Some(re) = re else { return };
    if !re.is_match(value) {
        return;
    }
    let (mut name, mut tag, mut digest) = split_image(value);
    if !img.new_name.is_empty() {
        name = img.new_name.clone();
    }
    if !img.new_tag.is_empty() && !img.digest.is_empty() {
        tag = img.new_tag.clone();
        digest = img.digest.clone();
    } else if !img.new_tag.is_empty() {
        tag = img.new_tag.clone();
        digest.clear();
    } else if !img.digest.is_empty() {
        tag.clear();
        digest = img.digest.clone();
    } else if !img.tag_suffix.is_empty() {
        tag.push_str(&img.tag_suffix);
        digest.clear();
    }
    if !tag.is_empty() {
        name = format!("{name}:{tag}");
    }
    if !digest.is_empty() {
        name = format!("{name}@{digest}");
    }
    *node = Value::String(name);
}

fn walk_containers(node: &mut Value, img: &Image, re: &Option<Regex>) {
    match node {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                walk_containers(v, img, re);
                if k == "containers" || k == "initContainers" {
                    if let Value::Array(items) = v {
                        for it in items.iter_mut() {
                            if let Some(Value::Object(c)) = Some(it) {
                                if let Some(i) = c.get_mut("image") {
                                    update_image(img, re, i);
                                }
                            }
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            for it in items {
                walk_containers(it, img, re);
            }
        }
        _ => {}
    }
}

/// `ImageTagTransformer`: the legacy walk over every `containers`/`initContainers`, then
/// the configured field specs.
pub fn images(rs: &mut [Res], img: &Image, specs: &[FieldSpec]) -> Result<(), Error> {
    let re = Regex::new(&format!(
        "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
        img.name
    ))
    .ok();
    for r in rs.iter_mut() {
        if r.kind() == "CustomResourceDefinition" {
            continue;
        }
        walk_containers(&mut r.obj, img, &re);
    }
    for r in rs.iter_mut() {
        if r.kind() == "CustomResourceDefinition" {
            continue;
        }
        for fs in specs {
            let fs = FieldSpec {
                create: false,
                ..fs.clone()
            };
            fieldspec::apply(r, &fs, CreateKind::None, &mut |node| {
                update_image(img, &re, node);
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// `ReplicaCountTransformer`.
pub fn replicas(rs: &mut [Res], name: &str, count: i64, specs: &[FieldSpec]) -> Result<(), Error> {
    let mut found = false;
    for fs in specs {
        for r in rs.iter_mut() {
            let mut ids = r.prev_ids();
            ids.push(r.cur_id());
            if !ids
                .iter()
                .any(|id| id.name == name && id.gvk.is_selected(&fs.gvk))
            {
                continue;
            }
            found = true;
            fieldspec::apply(r, fs, CreateKind::Scalar, &mut |node| {
                *node = Value::from(count);
                Ok(())
            })?;
        }
    }
    if !found {
        return Err(Error::new(format!(
            "resource with name {name} does not match a config with the following GVK [{}]",
            specs
                .iter()
                .map(|f| f.gvk.id_string())
                .collect::<Vec<_>>()
                .join(" ")
        )));
    }
    Ok(())
}

/// A patch target (`types.Selector`).
#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
    pub label_selector: String,
    pub annotation_selector: String,
}

impl Selector {
    pub fn from_value(v: &Value) -> Selector {
        let s = |k: &str| v.get(k).map(scalar_string).unwrap_or_default();
        Selector {
            gvk: Gvk {
                group: s("group"),
                version: s("version"),
                kind: s("kind"),
            },
            name: s("name"),
            namespace: s("namespace"),
            label_selector: s("labelSelector"),
            annotation_selector: s("annotationSelector"),
        }
    }
}

fn anchored(p: &str) -> Result<Option<Regex>, Error> {
    if p.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{p})$"))
        .map(Some)
        .map_err(|e| Error::new(e.to_string()))
}

/// `resWrangler.Select`.
pub fn select(rs: &[Res], sel: &Selector) -> Result<Vec<usize>, Error> {
    let name_re = anchored(&sel.name)?;
    let ns_re = anchored(&sel.namespace)?;
    let gvk_res = [
        anchored(&sel.gvk.group)?,
        anchored(&sel.gvk.version)?,
        anchored(&sel.gvk.kind)?,
    ];
    let label = if sel.label_selector.is_empty() {
        None
    } else {
        Some(kcore::selectors::LabelSelector::parse(&sel.label_selector).map_err(Error::new)?)
    };
    let ann = if sel.annotation_selector.is_empty() {
        None
    } else {
        Some(kcore::selectors::LabelSelector::parse(&sel.annotation_selector).map_err(Error::new)?)
    };
    let m = |re: &Option<Regex>, s: &str| re.as_ref().is_none_or(|r| r.is_match(s));
    let mut out = Vec::new();
    for (i, r) in rs.iter().enumerate() {
        let cur = r.cur_id();
        let org = r.org_id();
        if !m(&ns_re, org.effective_namespace()) && !m(&ns_re, cur.effective_namespace()) {
            continue;
        }
        if !m(&name_re, &org.name) && !m(&name_re, &cur.name) {
            continue;
        }
        let g = r.gvk();
        if !m(&gvk_res[0], &g.group) || !m(&gvk_res[1], &g.version) || !m(&gvk_res[2], &g.kind) {
            continue;
        }
        let meta = r.obj.get("metadata");
        let empty = Value::Object(Map::new());
        if let Some(l) = &label {
            if !l.matches(meta.and_then(|m| m.get("labels")).unwrap_or(&empty)) {
                continue;
            }
        }
        if let Some(a) = &ann {
            if !a.matches(meta.and_then(|m| m.get("annotations")).unwrap_or(&empty)) {
                continue;
            }
        }
        out.push(i);
    }
    Ok(out)
}

/// Applies a strategic merge patch to one resource (`Resource.ApplySmPatch`): name, kind and
/// namespace stay unless the patch options allow changing them. `$patch: delete` empties it.
pub fn apply_smp(
    r: &mut Res,
    patch: &Value,
    allow_name: bool,
    allow_kind: bool,
) -> Result<(), Error> {
    let (n, ns, k) = (r.name(), r.namespace(), r.kind());
    if allow_name || allow_kind {
        r.store_previous_id();
    }
    if patch.get("$patch").and_then(Value::as_str) == Some("delete") {
        r.obj = Value::Object(Map::new());
        return Ok(());
    }
    let merged = crate::merge2::merge(patch, &r.obj)?.unwrap_or(Value::Object(Map::new()));
    r.obj = merged;
    if r.is_empty() {
        return Ok(());
    }
    if !allow_kind {
        if let Some(m) = r.obj.as_object_mut() {
            m.insert("kind".into(), Value::String(k));
        }
    }
    if !allow_name {
        r.set_name(&n);
    }
    r.set_namespace(&ns);
    Ok(())
}

/// Parses a JSON 6902 patch given as JSON or YAML (`jsonPatchFromBytes`).
pub fn json_patch_from_text(text: &str) -> Result<Value, Error> {
    if text.is_empty() {
        return Err(Error::new("empty json patch operations"));
    }
    let v: Value = if text.starts_with('[') {
        serde_json::from_str(text).map_err(|e| Error::new(e.to_string()))?
    } else {
        let docs = yamlio::parse_documents(text).map_err(Error::new)?;
        docs.into_iter().next().unwrap_or(Value::Null)
    };
    if !v.is_array() {
        return Err(Error::new(
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
        ));
    }
    Ok(v)
}

/// Applies JSON 6902 operations to one resource (`patchjson6902.Filter`).
pub fn apply_json6902(r: &mut Res, ops: &Value) -> Result<(), Error> {
    r.store_previous_id();
    let out = kcore::patch::apply_json_patch(&r.obj, ops).map_err(|e| Error::new(e.to_string()))?;
    r.obj = out;
    Ok(())
}

/// kustomize's legacy sort order (`SortOrderTransformer` with `order: legacy`).
pub fn legacy_sort(rs: &mut [Res], first: &[String], last: &[String]) {
    let order = |kind: &str| -> i64 {
        if let Some(i) = first.iter().position(|k| k == kind) {
            return -(first.len() as i64) + i as i64;
        }
        if let Some(i) = last.iter().position(|k| k == kind) {
            return 1 + i as i64;
        }
        0
    };
    let gvk_str = |g: &Gvk| {
        format!(
            "{}_{}_{}",
            or_placeholder(&g.group, "~G"),
            or_placeholder(&g.version, "~V"),
            or_placeholder(&g.kind, "~K")
        )
    };
    let id_str = |r: &Res| {
        let id = r.cur_id();
        let ns = if id.namespace.is_empty() {
            "~X".to_string()
        } else {
            id.namespace.clone()
        };
        let nm = if id.name.is_empty() {
            "~N".to_string()
        } else {
            id.name.clone()
        };
        format!("{}|{}|{}", id.gvk.id_string(), ns, nm)
    };
    rs.sort_by(|a, b| {
        let (ga, gb) = (a.gvk(), b.gvk());
        if ga != gb {
            let (ia, ib) = (order(&ga.kind), order(&gb.kind));
            if ia != ib {
                return ia.cmp(&ib);
            }
            if ga.kind == "Namespace"
                && gb.kind == "Namespace"
                && (ga.group.is_empty() || gb.group.is_empty())
            {
                return gvk_str(&gb).cmp(&gvk_str(&ga));
            }
            return gvk_str(&ga).cmp(&gvk_str(&gb));
        }
        id_str(a).cmp(&id_str(b))
    });
}

pub const DEFAULT_ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

pub const DEFAULT_ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

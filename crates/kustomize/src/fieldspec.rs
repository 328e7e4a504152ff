//! Field specs (`types.FieldSpec`) and the transformer configuration built from them
//! (`builtinconfig.TransformerConfig`): which fields each transformer touches, for which kinds.
//! The defaults are kustomize's own tables (`builtinpluginconsts`), kept as YAML beside this
//! file; `configurations:` files add to them.

use serde_json::{Map, Value};

use crate::resource::{Gvk, Res};
use crate::Error;

/// One field spec.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSpec {
    pub gvk: Gvk,
    pub path: String,
    pub create: bool,
}

impl FieldSpec {
    pub fn from_value(v: &Value) -> FieldSpec {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        // A Gvk takes any scalar as its text.
        let g = |k: &str| {
            v.get(k)
                .filter(|x| !x.is_object() && !x.is_array())
                .map(crate::resource::scalar_string)
                .unwrap_or_default()
        };
        FieldSpec {
            gvk: Gvk {
                group: g("group"),
                version: g("version"),
                kind: g("kind"),
            },
            path: s("path"),
            create: v.get("create").and_then(Value::as_bool).unwrap_or(false),
        }
    }

    fn same_target(&self, o: &FieldSpec) -> bool {
        self.gvk == o.gvk && self.path == o.path
    }
}

/// A name reference: the kind referred to and the fields that refer to it.
#[derive(Debug, Clone, Default)]
pub struct NameBackRef {
    pub gvk: Gvk,
    pub referrers: Vec<FieldSpec>,
}

/// `builtinconfig.TransformerConfig`.
#[derive(Debug, Clone, Default)]
pub struct TransformerConfig {
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    pub common_labels: Vec<FieldSpec>,
    pub template_labels: Vec<FieldSpec>,
    pub labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub name_reference: Vec<NameBackRef>,
    pub images: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
    pub var_reference: Vec<FieldSpec>,
}

const DEFAULTS: &[&str] = &[
    include_str!("config/nameprefix.yaml"),
    include_str!("config/namesuffix.yaml"),
    include_str!("config/namespace.yaml"),
    include_str!("config/commonlabels.yaml"),
    include_str!("config/templatelabels.yaml"),
    include_str!("config/commonannotations.yaml"),
    include_str!("config/namereference.yaml"),
    include_str!("config/images.yaml"),
    include_str!("config/replicas.yaml"),
    include_str!("config/varreference.yaml"),
];

/// Merges `more` into `list`, skipping specs already there (`FsSlice.MergeAll`); a spec for
/// the same field that differs in `create` is kustomize's conflict.
pub fn merge_all(list: &mut Vec<FieldSpec>, more: &[FieldSpec]) -> Result<(), Error> {
    for fs in more {
        if let Some(existing) = list.iter().find(|e| e.same_target(fs)) {
            if existing.create != fs.create {
                return Err(Error::new(format!(
                    "conflicting fieldspecs: {:?} vs {:?}",
                    existing.path, fs.path
                )));
            }
            continue;
        }
        list.push(fs.clone());
    }
    Ok(())
}

fn specs(v: Option<&Value>) -> Vec<FieldSpec> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(FieldSpec::from_value).collect())
        .unwrap_or_default()
}

impl TransformerConfig {
    pub fn defaults() -> TransformerConfig {
        let mut tc = TransformerConfig::default();
        for text in DEFAULTS {
            let v: Value = serde_yaml_ng::from_str(text).expect("built-in field specs parse");
            tc.merge_value(&v).expect("built-in field specs merge");
        }
        tc.sort_fields();
        tc
    }

    /// `sortFields`: each list in kustomize's kind order (`Gvk.IsLessThan`).
    pub fn sort_fields(&mut self) {
        for l in [
            &mut self.name_prefix,
            &mut self.name_suffix,
            &mut self.namespace,
            &mut self.common_labels,
            &mut self.labels,
            &mut self.template_labels,
            &mut self.common_annotations,
            &mut self.images,
            &mut self.replicas,
            &mut self.var_reference,
        ] {
            l.sort_by_key(|a| gvk_order(&a.gvk));
        }
    }

    /// Adds the specs of one configuration document.
    pub fn merge_value(&mut self, v: &Value) -> Result<(), Error> {
        merge_all(&mut self.name_prefix, &specs(v.get("namePrefix")))?;
        merge_all(&mut self.name_suffix, &specs(v.get("nameSuffix")))?;
        merge_all(&mut self.namespace, &specs(v.get("namespace")))?;
        merge_all(&mut self.common_labels, &specs(v.get("commonLabels")))?;
        merge_all(&mut self.template_labels, &specs(v.get("templateLabels")))?;
        merge_all(&mut self.labels, &specs(v.get("labels")))?;
        merge_all(
            &mut self.common_annotations,
            &specs(v.get("commonAnnotations")),
        )?;
        merge_all(&mut self.images, &specs(v.get("images")))?;
        merge_all(&mut self.replicas, &specs(v.get("replicas")))?;
        merge_all(&mut self.var_reference, &specs(v.get("varReference")))?;
        if let Some(refs) = v.get("nameReference").and_then(Value::as_array) {
            for r in refs {
                let gvk = FieldSpec::from_value(r).gvk;
                let referrers = specs(r.get("fieldSpecs"));
                match self.name_reference.iter_mut().find(|b| b.gvk == gvk) {
                    Some(b) => merge_all(&mut b.referrers, &referrers)?,
                    None => self.name_reference.push(NameBackRef { gvk, referrers }),
                }
            }
        }
        Ok(())
    }

    pub fn merge(&mut self, o: &TransformerConfig) -> Result<(), Error> {
        self.merge_unsorted(o)?;
        self.sort_fields();
        Ok(())
    }

    fn merge_unsorted(&mut self, o: &TransformerConfig) -> Result<(), Error> {
        merge_all(&mut self.name_prefix, &o.name_prefix)?;
        merge_all(&mut self.name_suffix, &o.name_suffix)?;
        merge_all(&mut self.namespace, &o.namespace)?;
        merge_all(&mut self.common_labels, &o.common_labels)?;
        merge_all(&mut self.template_labels, &o.template_labels)?;
        merge_all(&mut self.labels, &o.labels)?;
        merge_all(&mut self.common_annotations, &o.common_annotations)?;
        merge_all(&mut self.images, &o.images)?;
        merge_all(&mut self.replicas, &o.replicas)?;
        merge_all(&mut self.var_reference, &o.var_reference)?;
        for b in &o.name_reference {
            match self.name_reference.iter_mut().find(|x| x.gvk == b.gvk) {
                Some(x) => merge_all(&mut x.referrers, &b.referrers)?,
                None => self.name_reference.push(b.clone()),
            }
        }
        Ok(())
    }
}

/// resid `Gvk.IsLessThan` as a sort key: the legacy kind order, then `group_version_kind`.
fn gvk_order(g: &Gvk) -> (i64, String) {
    let first = crate::transformers::DEFAULT_ORDER_FIRST;
    let last = crate::transformers::DEFAULT_ORDER_LAST;
    let idx = if let Some(i) = first.iter().position(|k| *k == g.kind) {
        -(first.len() as i64) + i as i64
    } else if let Some(i) = last.iter().position(|k| *k == g.kind) {
        1 + i as i64
    } else {
        0
    };
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    (
        idx,
        format!(
            "{}_{}_{}",
            or(&g.group, "~G"),
            or(&g.version, "~V"),
            or(&g.kind, "~K")
        ),
    )
}

/// The kind of node a spec creates at its last step when missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateKind {
    /// Never create the last step (only look it up).
    None,
    Map,
    Scalar,
}

/// kustomize `utils.PathSplitter`: splits on `/`, keeping `[...]` groups whole.
pub fn split_path(path: &str) -> Vec<String> {
    split_outside_brackets(path, '/')
}

/// Splits `path` on `sep` except inside `[...]`.
pub(crate) fn split_outside_brackets(path: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c)
            }
            ']' => {
                depth -= 1;
                cur.push(c)
            }
            c if c == sep && depth == 0 => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Applies `set` to every node the spec selects in `res` (`fieldspec.Filter`). Returns
/// kustomize's error text on a path through a scalar.
pub fn apply(
    res: &mut Res,
    fs: &FieldSpec,
    create_kind: CreateKind,
    set: &mut dyn FnMut(&mut Value) -> Result<(), Error>,
) -> Result<(), Error> {
    if !res.gvk().is_selected(&fs.gvk) {
        return Ok(());
    }
    let path = split_path(&fs.path);
    let id = res.cur_id();
    walk(&mut res.obj, &path, fs.create, create_kind, set).map_err(|e| {
        Error::new(format!(
            "considering field '{}' of object {}: {}",
            fs.path,
            crate::target::resid_from_node(&id),
            e.0
        ))
    })
}

fn walk(
    node: &mut Value,
    path: &[String],
    create: bool,
    create_kind: CreateKind,
    set: &mut dyn FnMut(&mut Value) -> Result<(), Error>,
) -> Result<(), Error> {
    if path.is_empty() {
        return set(node);
    }
    match node {
        Value::Null => Ok(()),
        Value::Array(items) => {
            for it in items.iter_mut() {
                walk(it, path, create, create_kind, set).map_err(|e| {
                    Error::new(format!(
                        "visit traversal on path: [{}]: {}",
                        path.join(" "),
                        e.0
                    ))
                })?;
            }
            Ok(())
        }
        Value::Object(map) => {
            let (name, is_seq) = match path[0].strip_suffix("[]") {
                Some(n) => (n.to_string(), true),
                None => (path[0].clone(), false),
            };
            if name.is_empty() {
                return Err(Error::new("cannot set or create an empty field name"));
            }
            let lookup_only = !create || create_kind == CreateKind::None || is_seq;
            if lookup_only {
                match map.get_mut(&name) {
                    Some(child) => walk(child, &path[1..], create, create_kind, set),
                    None => Ok(()),
                }
            } else {
                let last = path.len() <= 1;
                let child = map.entry(name).or_insert(Value::Null);
                if child.is_null() {
                    *child = if last && create_kind == CreateKind::Scalar {
                        Value::Null
                    } else {
                        Value::Object(Map::new())
                    };
                }
                walk(child, &path[1..], create, create_kind, set)
            }
        }
        _ => Err(Error::new("expected sequence or mapping node")),
    }
}

//! Name references (`accumulator/namereferencetransformer.go`, `filters/nameref`): once names
//! have changed (prefix, suffix, namespace, hash), every field that names another resource
//! (per the `nameReference` field specs) is pointed at that resource's new name.

use serde_json::{Map, Value};

use crate::fieldspec::{self, CreateKind, FieldSpec, NameBackRef};
use crate::resource::{Gvk, Res, ResId};
use crate::Error;

/// What nameref needs to know about a candidate, taken before any field is rewritten.
#[derive(Clone)]
struct Cand {
    cur: ResId,
    prev: Vec<ResId>,
    org_ns: String,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Cand {
    fn of(r: &Res) -> Cand {
        Cand {
            cur: r.cur_id(),
            prev: r.prev_ids(),
            org_ns: r.org_id().effective_namespace().to_string(),
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
        }
    }
}

fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() > b.len() { (b, a) } else { (a, b) };
    let diff = long.len() - short.len();
    if short.is_empty() {
        return diff == 0;
    }
    (0..short.len()).all(|i| long[i + diff] == short[i])
}

fn affixes_equal(a: &Cand, b: &Cand, allow_empty: bool) -> bool {
    if allow_empty {
        let pe = a.prefixes.is_empty() || b.prefixes.is_empty();
        let se = a.suffixes.is_empty() || b.suffixes.is_empty();
        (pe || same_ending(&a.prefixes, &b.prefixes))
            && (se || same_ending(&a.suffixes, &b.suffixes))
    } else {
        same_ending(&a.prefixes, &b.prefixes) && same_ending(&a.suffixes, &b.suffixes)
    }
}

struct Ctx<'a> {
    referrer: Cand,
    referrer_obj: Value,
    spec: &'a FieldSpec,
    target: &'a Gvk,
    cands: Vec<Cand>,
}

impl Ctx<'_> {
    fn role_ref_gvk(&self) -> Option<Gvk> {
        if !self.spec.path.ends_with("roleRef/name") {
            return None;
        }
        let rr = self.referrer_obj.get("roleRef")?;
        let group = rr.get("apiGroup")?.as_str()?.to_string();
        let kind = rr.get("kind")?.as_str()?.to_string();
        Some(Gvk {
            group,
            version: String::new(),
            kind,
        })
    }

    fn select(
        &self,
        old: &str,
        cands: Vec<Cand>,
        identical: fn(&[Cand]) -> bool,
    ) -> Result<Option<Cand>, Error> {
        let mut c: Vec<Cand> = cands
            .into_iter()
            .filter(|c| c.prev.iter().any(|id| id.name == old))
            .filter(|c| c.prev.iter().any(|id| id.gvk.is_selected(self.target)))
            .collect();
        if let Some(g) = self.role_ref_gvk() {
            c.retain(|c| c.prev.iter().any(|id| id.gvk.is_selected(&g)));
        }
        let referrer = &self.referrer.cur;
        if !referrer.gvk.is_cluster_scoped() {
            c.retain(|x| {
                x.cur.gvk.is_cluster_scoped()
                    || x.cur.gvk.kind == "ServiceAccount"
                    || referrer.ns_equals(&x.cur)
            });
        }
        if c.len() == 1 {
            return Ok(c.pop());
        }
        c.retain(|x| affixes_equal(x, &self.referrer, true));
        if c.len() > 1 {
            c.retain(|x| affixes_equal(x, &self.referrer, false));
        }
        if c.len() == 1 {
            return Ok(c.pop());
        }
        if c.is_empty() {
            return Ok(None);
        }
        if identical(&c) {
            return Ok(Some(c.swap_remove(0)));
        }
        let ids: Vec<String> = c.iter().map(|x| x.cur.id_string()).collect();
        Err(Error::new(format!(
            "found multiple possible referrals: {}",
            ids.join(", ")
        )))
    }

    fn set_scalar(&self, node: &mut Value) -> Result<(), Error> {
        let Value::String(old) = node else {
            return Ok(());
        };
        let old = old.clone();
        if let Some(r) = self.select(&old, self.cands.clone(), all_names_same)? {
            if r.cur.name != old {
                *node = Value::String(r.cur.name);
            }
        }
        Ok(())
    }

    fn set_mapping(&self, node: &mut Map<String, Value>) -> Result<(), Error> {
        let Some(name) = node.get("name") else {
            return Err(Error::new("path config error; no 'name' field in node"));
        };
        let old = crate::resource::scalar_string(name);
        let cands = match node.get("namespace") {
            None => self.cands.clone(),
            Some(ns) => {
                let ns = crate::resource::scalar_string(ns);
                let by_org: Vec<Cand> = self
                    .cands
                    .iter()
                    .filter(|c| c.org_ns == ns && c.org_ns != "_non_namespaceable_")
                    .cloned()
                    .collect();
                if !by_org.is_empty() {
                    by_org
                } else {
                    self.cands
                        .iter()
                        .filter(|c| {
                            let e = c.cur.effective_namespace();
                            e == ns && e != "_non_namespaceable_"
                        })
                        .cloned()
                        .collect()
                }
            }
        };
        let Some(r) = self.select(&old, cands, all_names_namespaces_same)? else {
            return Ok(());
        };
        if r.cur.name == old && r.cur.namespace.is_empty() {
            return Ok(());
        }
        node.insert("name".into(), Value::String(r.cur.name.clone()));
        if r.cur.namespace.is_empty() {
            return Ok(());
        }
        node.insert("namespace".into(), Value::String(r.cur.namespace.clone()));
        Ok(())
    }

    fn set(&self, node: &mut Value) -> Result<(), Error> {
        match node {
            Value::Null => Ok(()),
            Value::Object(m) => self.set_mapping(m),
            Value::Array(items) => {
                for it in items.iter_mut() {
                    match it {
                        Value::Object(m) => self.set_mapping(m)?,
                        Value::Array(_) => {
                            return Err(Error::new("node must be a scalar, sequence or map"))
                        }
                        other => self.set_scalar(other)?,
                    }
                }
                Ok(())
            }
            other => self.set_scalar(other),
        }
    }
}

fn all_names_same(c: &[Cand]) -> bool {
    c.iter().all(|x| x.cur.name == c[0].cur.name)
}

fn all_names_namespaces_same(c: &[Cand]) -> bool {
    c.iter()
        .all(|x| x.cur.name == c[0].cur.name && x.cur.namespace == c[0].cur.namespace)
}

/// `SubsetThatCouldBeReferencedByResource`.
fn could_be_referenced(referrer: &Res, all: &[Cand]) -> Vec<Cand> {
    let rid = referrer.cur_id();
    if rid.gvk.is_cluster_scoped() {
        return all.to_vec();
    }
    let mut rb_namespaces: Vec<String> = Vec::new();
    if referrer.kind() == "RoleBinding" {
        if let Some(Value::Array(subjects)) = referrer.obj.get("subjects") {
            for s in subjects {
                if s.get("kind").and_then(Value::as_str) == Some("ServiceAccount") {
                    if let Some(ns) = s.get("namespace").and_then(Value::as_str) {
                        rb_namespaces.push(ns.to_string());
                    }
                }
            }
        }
    }
    all.iter()
        .filter(|c| {
            c.cur.gvk.is_cluster_scoped()
                || c.cur.ns_equals(&rid)
                || rb_namespaces.contains(&c.cur.namespace)
        })
        .cloned()
        .collect()
}

/// Runs the name reference fix over all resources.
pub fn fix(rs: &mut [Res], backrefs: &[NameBackRef]) -> Result<(), Error> {
    let all: Vec<Cand> = rs.iter().map(Cand::of).collect();
    let org_ids: Vec<ResId> = rs.iter().map(|r| r.org_id()).collect();
    for i in 0..rs.len() {
        let mut filters: Vec<(&FieldSpec, &Gvk)> = Vec::new();
        for b in backrefs {
            for spec in &b.referrers {
                if org_ids[i].gvk.is_selected(&spec.gvk) {
                    filters.push((spec, &b.gvk));
                }
            }
        }
        if filters.is_empty() {
            continue;
        }
        let cands = could_be_referenced(&rs[i], &all);
        for (spec, target) in filters {
            let ctx = Ctx {
                referrer: Cand::of(&rs[i]),
                referrer_obj: rs[i].obj.clone(),
                spec,
                target,
                cands: cands.clone(),
            };
            let spec = FieldSpec {
                gvk: rs[i].gvk(),
                ..spec.clone()
            };
            let id = rs[i].cur_id();
            fieldspec::apply(&mut rs[i], &spec, CreateKind::None, &mut |node| {
                ctx.set(node)
            })
            .map_err(|e| {
                e.wrap(format!(
                    "updating name reference in '{}' field of '{}'",
                    spec.path,
                    id.id_string()
                ))
            })?;
        }
    }
    Ok(())
}

//! The garbage collector: honours ownerReferences across every stored kind. Background: a
//! dependent whose owners are all gone is deleted (dangling references to some owners are
//! removed). Foreground: an owner with the `foregroundDeletion` finalizer has its dependents
//! deleted and loses the finalizer once no blocking dependent is left. Orphan: an owner with
//! the `orphan` finalizer has its references stripped from dependents, then loses the finalizer.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;

use super::{delete_object, is_terminating, next_batch, Batch};
use crate::store::{EventType as Change, GroupResource, Store, WatchEvent};

const FOREGROUND: &str = "foregroundDeletion";
const ORPHAN: &str = "orphan";

#[derive(Clone, Debug)]
struct Node {
    gr: GroupResource,
    ns: String,
    name: String,
    /// (owner uid, blockOwnerDeletion)
    owners: Vec<(String, bool)>,
    terminating: bool,
    finalizers: Vec<String>,
}

impl Node {
    fn from(gr: &GroupResource, obj: &Value) -> Node {
        let m = &obj["metadata"];
        let owners = m["ownerReferences"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| {
                Some((
                    r["uid"].as_str()?.to_string(),
                    r["blockOwnerDeletion"].as_bool() == Some(true),
                ))
            })
            .collect();
        Node {
            gr: gr.clone(),
            ns: m["namespace"].as_str().unwrap_or_default().to_string(),
            name: m["name"].as_str().unwrap_or_default().to_string(),
            owners,
            terminating: is_terminating(obj),
            finalizers: m["finalizers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str().map(String::from))
                .collect(),
        }
    }
    fn wants(&self, finalizer: &str) -> bool {
        self.terminating && self.finalizers.iter().any(|f| f == finalizer)
    }
}

#[derive(Default)]
struct Graph {
    nodes: HashMap<String, Node>,
    dependents: HashMap<String, HashSet<String>>,
}

impl Graph {
    fn upsert(&mut self, uid: &str, node: Node) {
        self.remove(uid);
        for (o, _) in &node.owners {
            self.dependents
                .entry(o.clone())
                .or_default()
                .insert(uid.to_string());
        }
        self.nodes.insert(uid.to_string(), node);
    }
    fn remove(&mut self, uid: &str) -> Option<Node> {
        let old = self.nodes.remove(uid)?;
        for (o, _) in &old.owners {
            if let Some(s) = self.dependents.get_mut(o) {
                s.remove(uid);
                if s.is_empty() {
                    self.dependents.remove(o);
                }
            }
        }
        Some(old)
    }
}

struct Collector {
    store: Arc<Store>,
    graph: Graph,
}

fn uid_of_event(ev: &WatchEvent) -> String {
    ev.object["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

impl Collector {
    fn relist(&mut self) {
        self.graph = Graph::default();
        for gr in self.store.resources() {
            for obj in self.store.list(&gr, None).0 {
                let uid = obj["metadata"]["uid"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if !uid.is_empty() {
                    self.graph.upsert(&uid, Node::from(&gr, &obj));
                }
            }
        }
    }

    /// Deletes a dependent whose owners are all gone; strips references to missing owners.
    fn check_dependent(&mut self, uid: &str) {
        let Some(node) = self.graph.nodes.get(uid).cloned() else {
            return;
        };
        if node.owners.is_empty() {
            return;
        }
        let missing: Vec<&String> = node
            .owners
            .iter()
            .map(|(o, _)| o)
            .filter(|o| !self.graph.nodes.contains_key(*o))
            .collect();
        if missing.is_empty() {
            return;
        }
        if missing.len() == node.owners.len() {
            let _ = delete_object(&self.store, &node.gr, &node.ns, &node.name);
            return;
        }
        let missing: HashSet<String> = missing.into_iter().cloned().collect();
        let _ = self.store.modify_keep(&node.gr, &node.ns, &node.name, |o| {
            Ok(super::remove_owner_refs(o, |r| {
                missing.contains(r["uid"].as_str().unwrap_or_default())
            }))
        });
    }

    fn drop_finalizer(&self, node: &Node, finalizer: &str) {
        let _ = self
            .store
            .modify_retry(&node.gr, &node.ns, &node.name, |o| {
                Ok(super::remove_finalizer(o, finalizer))
            });
    }

    /// Foreground and orphan handling for a terminating owner.
    fn check_owner(&mut self, uid: &str) {
        let Some(owner) = self.graph.nodes.get(uid).cloned() else {
            return;
        };
        let deps: Vec<String> = self
            .graph
            .dependents
            .get(uid)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        if owner.wants(ORPHAN) {
            for d in &deps {
                let Some(dep) = self.graph.nodes.get(d).cloned() else {
                    continue;
                };
                let _ = self.store.modify_keep(&dep.gr, &dep.ns, &dep.name, |o| {
                    Ok(super::remove_owner_refs(o, |r| r["uid"] == uid))
                });
            }
            self.drop_finalizer(&owner, ORPHAN);
            return;
        }
        if owner.wants(FOREGROUND) {
            let mut blocking = false;
            for d in &deps {
                let Some(dep) = self.graph.nodes.get(d).cloned() else {
                    continue;
                };
                if dep.owners.iter().any(|(o, block)| o == uid && *block) {
                    blocking = true;
                }
                if !dep.terminating {
                    let _ = delete_object(&self.store, &dep.gr, &dep.ns, &dep.name);
                }
            }
            if !blocking {
                self.drop_finalizer(&owner, FOREGROUND);
            }
        }
    }
}

/// Garbage collector loop.
pub async fn run(store: Arc<Store>, mut rx: crate::store::Receiver) {
    let mut c = Collector {
        store,
        graph: Graph::default(),
    };
    c.relist();
    let mut deps: BTreeSet<String> = c.graph.nodes.keys().cloned().collect();
    let mut owners: BTreeSet<String> = deps.clone();
    loop {
        for uid in std::mem::take(&mut owners) {
            super::guarded(|| c.check_owner(&uid));
        }
        for uid in std::mem::take(&mut deps) {
            super::guarded(|| c.check_dependent(&uid));
        }
        let batch = next_batch(&mut rx).await;
        match super::settle(&mut rx, batch).await {
            Batch::Closed => return,
            Batch::Resync => {
                c.relist();
                deps.extend(c.graph.nodes.keys().cloned());
                owners.extend(c.graph.nodes.keys().cloned());
            }
            Batch::Events(evs) => {
                for ev in evs {
                    let uid = uid_of_event(&ev);
                    if uid.is_empty() {
                        continue;
                    }
                    if ev.kind == Change::Deleted {
                        if let Some(old) = c.graph.remove(&uid) {
                            owners.extend(old.owners.iter().map(|(o, _)| o.clone()));
                        }
                        if let Some(ds) = c.graph.dependents.get(&uid) {
                            deps.extend(ds.iter().cloned());
                        }
                        continue;
                    }
                    let node = Node::from(&ev.gr, &ev.object);
                    if !node.owners.is_empty() {
                        deps.insert(uid.clone());
                        // An owner waiting in foreground re-checks when a dependent changes.
                        owners.extend(node.owners.iter().map(|(o, _)| o.clone()));
                    }
                    if node.wants(FOREGROUND) || node.wants(ORPHAN) {
                        owners.insert(uid.clone());
                    }
                    c.graph.upsert(&uid, node);
                }
                owners.retain(|o| c.graph.nodes.get(o).is_some_and(|n| n.terminating));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testutil::{eventually, eventually_gone};
    use serde_json::json;

    fn cm() -> GroupResource {
        GroupResource::new("", "configmaps")
    }

    fn owned(name: &str, owner: &Value, block: bool) -> Value {
        json!({"metadata": {"name": name, "namespace": "a", "ownerReferences": [{
            "apiVersion": "v1", "kind": "ConfigMap", "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "blockOwnerDeletion": block}]}})
    }

    async fn setup() -> (Arc<Store>, Value, tokio::task::JoinHandle<()>) {
        let store = Arc::new(Store::new());
        let owner = store
            .create(
                &cm(),
                json!({"metadata": {"name": "owner", "namespace": "a"}}),
            )
            .unwrap();
        store.create(&cm(), owned("dep1", &owner, true)).unwrap();
        store.create(&cm(), owned("dep2", &owner, false)).unwrap();
        let h = tokio::spawn(run(store.clone(), store.subscribe()));
        tokio::task::yield_now().await;
        (store, owner, h)
    }

    /// Deletes the owner as the API server does for a propagation policy (its finalizer and a
    /// deletionTimestamp) and waits for the collector to finish with it.
    async fn delete_owner_with(store: &Store, finalizer: &str) {
        store
            .modify(&cm(), "a", "owner", |o| {
                o["metadata"]["finalizers"] = json!([finalizer]);
                o["metadata"]["deletionTimestamp"] = json!(store.clock().rfc3339());
                Ok(true)
            })
            .unwrap();
        eventually_gone(store, &cm(), "a", "owner").await;
    }

    #[tokio::test]
    async fn background_deletes_dependents_of_a_gone_owner() {
        let (store, _, h) = setup().await;
        store.remove(&cm(), "a", "owner").unwrap();
        eventually(5, "dependents gone", || async {
            store.list(&cm(), Some("a")).0.is_empty().then_some(())
        })
        .await;
        // A dependent naming an owner that never existed goes too.
        store
            .create(
                &cm(),
                owned(
                    "stray",
                    &json!({"metadata": {"name": "x", "uid": "nope"}}),
                    false,
                ),
            )
            .unwrap();
        eventually_gone(&store, &cm(), "a", "stray").await;
        h.abort();
    }

    #[tokio::test]
    async fn foreground_waits_for_blocking_dependents() {
        let (store, _, h) = setup().await;
        delete_owner_with(&store, FOREGROUND).await;
        assert!(store.get(&cm(), "a", "dep1").is_none());
        assert!(store.get(&cm(), "a", "dep2").is_none());
        h.abort();
    }

    #[tokio::test]
    async fn orphan_strips_references() {
        let (store, _, h) = setup().await;
        delete_owner_with(&store, ORPHAN).await;
        crate::controllers::testutil::gc_barrier(&store).await;
        for d in ["dep1", "dep2"] {
            let dep = store.get(&cm(), "a", d).expect("orphan survives");
            assert!(dep["metadata"].get("ownerReferences").is_none(), "{dep}");
        }
        h.abort();
    }
}

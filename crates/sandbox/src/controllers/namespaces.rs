//! Namespaces: the four namespaces a cluster starts with, the `default` ServiceAccount and
//! `kube-root-ca.crt` ConfigMap every namespace gets (serviceaccounts-controller and
//! root-ca-cert-publisher), and the namespace controller that empties a terminating namespace
//! and then removes it.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Value};

use super::ControllerOptions;
use super::{apply_defaults, delete_object, gr_namespaces, is_terminating, Batch, Requeue};
use crate::store::{EventType as Change, Store};

const INITIAL: [&str; 4] = ["default", "kube-node-lease", "kube-public", "kube-system"];

const ROOT_CA: &str = "kube-root-ca.crt";
const ROOT_CA_DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the \
kube-apiserver when using internal endpoints such as the internal service IP or \
kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

use super::{gr_configmaps, gr_serviceaccounts};

/// A namespace as the API server stores it after defaulting.
pub fn namespace_object(name: &str) -> Value {
    let mut ns = json!({
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    });
    apply_defaults(&gr_namespaces(), &mut ns);
    ns
}

/// Creates the default ServiceAccount and root CA ConfigMap of a namespace when missing.
fn populate(store: &Store, ns: &str, ca_pem: &str) {
    if store.get(&gr_serviceaccounts(), ns, "default").is_none() {
        let sa = json!({"kind": "ServiceAccount", "apiVersion": "v1",
            "metadata": {"name": "default", "namespace": ns}});
        let _ = store.create(&gr_serviceaccounts(), sa);
    }
    if store.get(&gr_configmaps(), ns, ROOT_CA).is_none() {
        let cm = json!({"kind": "ConfigMap", "apiVersion": "v1",
            "metadata": {"name": ROOT_CA, "namespace": ns,
                "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION}},
            "data": {"ca.crt": ca_pem}});
        let _ = store.create(&gr_configmaps(), cm);
    }
}

/// Creates `default`, `kube-node-lease`, `kube-public`, `kube-system` and their contents.
pub fn bootstrap(store: &Store, opts: &ControllerOptions) {
    for name in INITIAL {
        if store.get(&gr_namespaces(), "", name).is_none() {
            let _ = store.create(&gr_namespaces(), namespace_object(name));
        }
        populate(store, name, &opts.ca_pem);
    }
}

fn condition(t: &str, status: &str, reason: &str, message: &str, now: &str) -> Value {
    json!({"type": t, "status": status, "lastTransitionTime": now, "reason": reason,
        "message": message})
}

/// Deletes what is left in `ns`; true when nothing is left.
fn purge(store: &Store, ns: &str) -> bool {
    let mut remaining: Vec<String> = Vec::new();
    for gr in store.resources() {
        if gr == gr_namespaces() {
            continue;
        }
        let (items, _) = store.list(&gr, Some(ns));
        if items.is_empty() {
            continue;
        }
        for o in &items {
            let name = o["metadata"]["name"].as_str().unwrap_or_default();
            let _ = delete_object(store, &gr, ns, name);
        }
        let left = store.list(&gr, Some(ns)).0.len();
        if left > 0 {
            // `resource.group`, with a bare trailing dot for the core group, as the real one.
            remaining.push(format!(
                "{}.{} has {left} resource instances",
                gr.resource, gr.group
            ));
        }
    }
    if remaining.is_empty() {
        return true;
    }
    // Tell the user what the namespace is waiting for, as the real controller does.
    remaining.sort();
    let msg = format!("Some resources are remaining: {}", remaining.join(", "));
    let _ = store.modify_keep(&gr_namespaces(), "", ns, |n| {
        let now = store.clock().rfc3339();
        let conds = json!([
            condition(
                "NamespaceDeletionDiscoveryFailure",
                "False",
                "ResourcesDiscovered",
                "All resources successfully discovered",
                &now
            ),
            condition(
                "NamespaceDeletionGroupVersionParsingFailure",
                "False",
                "ParsedGroupVersions",
                "All legacy kube types successfully parsed",
                &now
            ),
            condition(
                "NamespaceDeletionContentFailure",
                "False",
                "ContentDeleted",
                "All content successfully deleted, may be waiting on finalization",
                &now
            ),
            condition(
                "NamespaceContentRemaining",
                "True",
                "SomeResourcesRemain",
                &msg,
                &now
            ),
            condition(
                "NamespaceFinalizersRemaining",
                "False",
                "ContentHasNoFinalizers",
                "All content-preserving finalizers finished",
                &now
            ),
        ]);
        let same = n["status"]["conditions"]
            .as_array()
            .and_then(|c| c.get(3))
            .is_some_and(|c| c["message"] == json!(msg));
        if same {
            return Ok(false);
        }
        n["status"]["phase"] = json!("Terminating");
        n["status"]["conditions"] = conds;
        Ok(true)
    });
    false
}

/// Empties a terminating (or already removed) namespace; removes it once empty.
fn finish(store: &Store, ns: &str) -> bool {
    if !purge(store, ns) {
        return false;
    }
    if let Some(obj) = store.get(&gr_namespaces(), "", ns) {
        if !is_terminating(&obj) {
            return true;
        }
        let metadata_finalizers = obj["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty());
        if metadata_finalizers {
            // Others still hold it; drop our spec finalizer and let them finish.
            let _ = store.modify_keep(&gr_namespaces(), "", ns, |n| {
                if n["spec"]["finalizers"]
                    .as_array()
                    .is_some_and(|f| f.is_empty())
                {
                    return Ok(false);
                }
                n["spec"]["finalizers"] = json!([]);
                Ok(true)
            });
            return true;
        }
        let _ = store.remove(&gr_namespaces(), "", ns);
    }
    true
}

/// How long the namespace controller waits after a namespace starts terminating before it
/// deletes the contents (kube-controller-manager's `namespaceDeletionGracePeriod`): objects
/// deleted right after their namespace, as `delete -f` of a file holding both does, are still
/// there to delete.
pub const DELETION_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// The cluster time left until a terminating namespace's grace period is over.
fn grace_left(store: &Store, ns: &Value) -> std::time::Duration {
    let since = ns["metadata"]["deletionTimestamp"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| store.clock().now() - t.with_timezone(&chrono::Utc))
        .and_then(|d| d.to_std().ok())
        .unwrap_or_default();
    DELETION_GRACE.saturating_sub(since)
}

/// Queues a terminating namespace for emptying once its grace period is over.
fn schedule(
    store: &Store,
    name: &str,
    ns: &Value,
    pending: &BTreeSet<String>,
    waiting: &mut BTreeSet<String>,
    queue: &mut Requeue<String>,
) {
    if !pending.contains(name) && waiting.insert(name.to_string()) {
        queue.add(name.to_string(), grace_left(store, ns));
    }
}

/// Namespace controller loop.
pub async fn run(store: Arc<Store>, opts: ControllerOptions, mut rx: crate::store::Receiver) {
    // Namespaces being emptied: re-checked whenever something inside them changes.
    let mut pending: BTreeSet<String> = BTreeSet::new();
    // Terminating namespaces still in their grace period, and the queue that releases them.
    let mut waiting: BTreeSet<String> = BTreeSet::new();
    let mut queue: Requeue<String> = Requeue::new(store.clock());
    let scan = |pending: &BTreeSet<String>,
                waiting: &mut BTreeSet<String>,
                queue: &mut Requeue<String>| {
        for ns in store.list(&gr_namespaces(), None).0 {
            let name = ns["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if is_terminating(&ns) {
                schedule(&store, &name, &ns, pending, waiting, queue);
            } else {
                populate(&store, &name, &opts.ca_pem);
            }
        }
    };
    scan(&pending, &mut waiting, &mut queue);
    loop {
        let mut dirty: BTreeSet<String> = BTreeSet::new();
        let (batch, due) = queue.next(&mut rx).await;
        for name in due {
            waiting.remove(&name);
            pending.insert(name.clone());
            dirty.insert(name);
        }
        match batch {
            None => {}
            Some(Batch::Closed) => return,
            Some(Batch::Resync) => {
                scan(&pending, &mut waiting, &mut queue);
                dirty.extend(pending.iter().cloned());
            }
            Some(Batch::Events(evs)) => {
                for ev in evs {
                    if ev.gr == gr_namespaces() {
                        if ev.kind == Change::Deleted {
                            pending.insert(ev.name.clone());
                            dirty.insert(ev.name.clone());
                        } else if is_terminating(&ev.object) {
                            schedule(
                                &store,
                                &ev.name,
                                &ev.object,
                                &pending,
                                &mut waiting,
                                &mut queue,
                            );
                        } else if ev.kind == Change::Added {
                            populate(&store, &ev.name, &opts.ca_pem);
                        }
                    } else if pending.contains(&ev.namespace) {
                        dirty.insert(ev.namespace.clone());
                    } else if ev.kind == Change::Deleted
                        && !ev.namespace.is_empty()
                        && ((ev.gr == gr_serviceaccounts() && ev.name == "default")
                            || (ev.gr == gr_configmaps() && ev.name == ROOT_CA))
                    {
                        // Both controllers put these back while the namespace lives.
                        let alive = store
                            .get(&gr_namespaces(), "", &ev.namespace)
                            .is_some_and(|n| !is_terminating(&n));
                        if alive {
                            populate(&store, &ev.namespace, &opts.ca_pem);
                        }
                    }
                }
            }
        }
        for ns in dirty {
            if super::guarded(|| finish(&store, &ns)).unwrap_or(true) {
                pending.remove(&ns);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testutil::{eventually, eventually_gone, opts};

    #[test]
    fn bootstrap_creates_namespaces_like_a_cluster() {
        let store = Store::new();
        bootstrap(&store, &opts());
        let (nss, _) = store.list(&gr_namespaces(), None);
        let names: Vec<_> = nss
            .iter()
            .map(|n| n["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, INITIAL);
        for n in &nss {
            let name = n["metadata"]["name"].as_str().unwrap();
            assert_eq!(n["metadata"]["labels"]["kubernetes.io/metadata.name"], name);
            assert_eq!(n["spec"]["finalizers"], json!(["kubernetes"]));
            assert_eq!(n["status"]["phase"], "Active");
            assert!(store.get(&gr_serviceaccounts(), name, "default").is_some());
            let cm = store.get(&gr_configmaps(), name, ROOT_CA).unwrap();
            assert_eq!(cm["data"]["ca.crt"], opts().ca_pem);
        }
    }

    #[tokio::test]
    async fn terminating_namespace_is_emptied_then_removed() {
        let clock = crate::Clock::manual(chrono::Utc::now());
        let store = Arc::new(Store::with_clock(clock.clone()));
        let o = opts();
        bootstrap(&store, &o);
        let h = tokio::spawn(run(store.clone(), o, store.subscribe()));
        store
            .create(&gr_namespaces(), namespace_object("demo"))
            .unwrap();
        eventually(5, "default SA in new namespace", || async {
            store.get(&gr_serviceaccounts(), "demo", "default")
        })
        .await;
        let cm = json!({"metadata": {"name": "c", "namespace": "demo", "finalizers": ["x/y"]}});
        store.create(&gr_configmaps(), cm).unwrap();
        crate::controllers::testutil::delete_namespace(&store, "demo");
        // Nothing is deleted during the grace period (the content is still there to delete,
        // as `delete -f` of a namespace and its objects expects).
        // (The test runtime is single-threaded: yielding lets the controller see the change.)
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        assert!(store.get(&gr_configmaps(), "demo", "c").is_some());
        assert!(store
            .get(&gr_serviceaccounts(), "demo", "default")
            .is_some());
        clock.advance(DELETION_GRACE);
        let ns = eventually(5, "remaining condition", || async {
            store
                .get(&gr_namespaces(), "", "demo")
                .filter(|n| n["status"]["conditions"].is_array())
        })
        .await;
        assert_eq!(
            ns["status"]["conditions"][3]["message"],
            "Some resources are remaining: configmaps. has 1 resource instances"
        );
        assert!(store
            .get(&gr_serviceaccounts(), "demo", "default")
            .is_none());
        // Releasing the finalizer lets the configmap go, then the namespace.
        store
            .modify(&gr_configmaps(), "demo", "c", |c| {
                c["metadata"]["finalizers"] = json!([]);
                Ok(true)
            })
            .unwrap();
        eventually_gone(&store, &gr_namespaces(), "", "demo").await;
        h.abort();
    }
}

//! The resource quota controller (kube-controller-manager's `resourcequota`): keeps each
//! ResourceQuota's `status.hard` equal to its spec and `status.used` to what the objects of its
//! namespace use of each limited resource, recounted after every batch of changes.

use std::sync::Arc;

use super::gr_resourcequotas;
use crate::quota::{self, ListCache};
use crate::store::Store;

/// Recounts every quota; writes only the statuses that change.
pub fn sync_all(store: &Store) {
    let gr = gr_resourcequotas();
    let mut cache = ListCache::default();
    for q in store.list_shared(&gr, None).0 {
        let want = quota::status(store, &q, &mut cache);
        if q["status"] == want {
            continue;
        }
        let (ns, name) = (super::ns_of(&q), super::name_of(&q));
        let _ = store.modify_retry(&gr, ns, name, |live| {
            live["status"] = want.clone();
            Ok(true)
        });
    }
}

/// Runs the controller until the store closes `rx`.
pub async fn run(store: Arc<Store>, rx: crate::store::Receiver) {
    super::driver::converge_on(rx, |_| true, || sync_all(&store)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::GroupResource;
    use serde_json::json;

    #[test]
    fn status_counts_what_the_namespace_holds() {
        let store = Store::new();
        let core = |r: &str| GroupResource::new("", r);
        let hard = json!({"pods": "2", "configmaps": "5", "requests.cpu": "1", "count/deployments.apps": "1"});
        store
            .create(
                &gr_resourcequotas(),
                json!({"metadata": {"name": "q", "namespace": "n"}, "spec": {"hard": hard}}),
            )
            .unwrap();
        store
            .create(
                &core("configmaps"),
                json!({"metadata": {"name": "c", "namespace": "n"}}),
            )
            .unwrap();
        store
            .create(
                &core("configmaps"),
                json!({"metadata": {"name": "c", "namespace": "other"}}),
            )
            .unwrap();
        let pod = |name: &str, cpu: &str| {
            json!({"metadata": {"name": name, "namespace": "n"},
            "spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": cpu}}}]}})
        };
        store.create(&core("pods"), pod("a", "100m")).unwrap();
        store.create(&core("pods"), pod("b", "250m")).unwrap();
        sync_all(&store);
        let q = store.get(&gr_resourcequotas(), "n", "q").unwrap();
        assert_eq!(
            q["status"]["hard"],
            json!({"pods": "2", "configmaps": "5", "requests.cpu": "1", "count/deployments.apps": "1"})
        );
        assert_eq!(
            q["status"]["used"],
            json!({"pods": "2", "configmaps": "1", "requests.cpu": "350m", "count/deployments.apps": "0"})
        );
    }
}

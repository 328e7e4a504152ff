//! The cache a workload controller keeps of its own objects and the pods they control: the
//! owners by key and by uid, and the pods by key and by their controller's uid (one index for
//! Job and StatefulSet, instead of a copy in each).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{controller_ref, name_of, ns_of, uid_of};
use crate::store::EventType as Change;

/// `(namespace, name)`.
pub(crate) type Key = (String, String);

/// Records a change of `obj` in a cache by key with its uid index; returns its key.
pub(crate) fn observe_keyed(
    by_key: &mut HashMap<Key, Value>,
    uid_to_key: &mut HashMap<String, Key>,
    change: Change,
    obj: &Value,
) -> Key {
    let key = (ns_of(obj).to_string(), name_of(obj).to_string());
    if change == Change::Deleted {
        by_key.remove(&key);
        uid_to_key.remove(uid_of(obj));
    } else {
        by_key.insert(key.clone(), obj.clone());
        uid_to_key.insert(uid_of(obj).to_string(), key.clone());
    }
    key
}

/// Owners of one kind and the pods whose controller reference names that kind.
pub(crate) struct OwnedPods {
    /// The controller reference kind of the pods kept (`Job`, `StatefulSet`).
    kind: &'static str,
    /// The owners by key.
    pub(crate) owners: HashMap<Key, Value>,
    /// Owner uid → key.
    pub(crate) uid_to_owner: HashMap<String, Key>,
    /// The owned pods by key.
    pub(crate) pods: HashMap<Key, Value>,
    /// Owner uid → the keys of its pods.
    pub(crate) pods_by_owner: HashMap<String, HashSet<Key>>,
}

impl OwnedPods {
    /// An empty index of `kind`'s pods.
    pub(crate) fn new(kind: &'static str) -> Self {
        OwnedPods {
            kind,
            owners: HashMap::new(),
            uid_to_owner: HashMap::new(),
            pods: HashMap::new(),
            pods_by_owner: HashMap::new(),
        }
    }

    /// Forgets everything (before a relist).
    pub(crate) fn clear(&mut self) {
        self.owners.clear();
        self.uid_to_owner.clear();
        self.pods.clear();
        self.pods_by_owner.clear();
    }

    /// Records an owner's change; returns its key.
    pub(crate) fn observe_owner(&mut self, change: Change, owner: &Value) -> Key {
        observe_keyed(&mut self.owners, &mut self.uid_to_owner, change, owner)
    }

    /// Records a pod's change when its controller is of this kind; returns the owner's key
    /// when the owner is known.
    pub(crate) fn observe_pod(&mut self, change: Change, pod: &Value) -> Option<Key> {
        let owner = controller_ref(pod).filter(|r| r["kind"] == self.kind)?;
        let owner_uid = owner["uid"].as_str().unwrap_or_default().to_string();
        let key = (ns_of(pod).to_string(), name_of(pod).to_string());
        if change == Change::Deleted {
            self.pods.remove(&key);
            if let Some(s) = self.pods_by_owner.get_mut(&owner_uid) {
                s.remove(&key);
            }
        } else {
            self.pods.insert(key.clone(), pod.clone());
            self.pods_by_owner
                .entry(owner_uid.clone())
                .or_default()
                .insert(key);
        }
        self.uid_to_owner.get(&owner_uid).cloned()
    }
}

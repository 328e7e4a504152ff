//! The sandbox's storage: every object as JSON, keyed by group/resource, namespace and name,
//! with one cluster-wide, monotonically increasing resourceVersion (like etcd's revision) and a
//! bounded history of changes so that watches can resume from a resourceVersion.
//!
//! The store enforces only what etcd and the generic registry enforce for every kind: unique
//! names, `generateName`, uid, creationTimestamp, resourceVersion, optimistic concurrency, and
//! removal of a terminating object once its finalizers are gone. Defaulting, validation and
//! per-kind rules live above it (the HTTP layer and the controllers share them).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use rand::Rng;
use serde_json::{json, Value};
use tokio::sync::broadcast;

use super::clock::Clock;

/// How many changes are kept for watches that resume from an older resourceVersion, and how
/// many bytes of object text they may hold (the older ones go first, as from kube-apiserver's
/// bounded watch cache; a watch from before them gets `410 Gone`).
const HISTORY: usize = 100_000;
const HISTORY_BYTES: usize = 64 << 20;

/// The change feed's ring: small, since a subscriber that falls behind it catches up from
/// the history (`stored::Receiver`); what it holds is text shared with the history.
const RING: usize = 256;

pub use kcore::resource::GroupResource;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

pub use crate::stored::{Change, Receiver, Stored, WatchEvent};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    AlreadyExists,
    /// The object was modified since the resourceVersion the caller sent.
    #[error("conflict")]
    Conflict,
    /// The watch asked for a resourceVersion older than the kept history.
    #[error("too old resource version")]
    Gone,
    #[error("{0}")]
    Invalid(String),
    /// The data dir could not commit the write (nothing changed).
    #[error("{0}")]
    Storage(String),
}

/// What `Store::watch_from` hands back: the kept past changes and a receiver for new ones.
pub type WatchStart = (Vec<Arc<WatchEvent>>, Receiver);

/// Each object's current version as text (shared with its change in the history).
type Objects = BTreeMap<(String, String), Arc<Stored>>;

struct Inner {
    rv: u64,
    objects: HashMap<GroupResource, Objects>,
    /// With `--data-dir`: where every write is committed before it is acknowledged (`Some`
    /// inside: open; `Some(None)`: closed by `close`, so writes fail).
    persist: Option<Option<crate::persist::Persist>>,
}

/// The in-memory object store. Cheap to share (`Arc<Store>`).
pub struct Store {
    inner: Mutex<Inner>,
    tx: broadcast::Sender<Arc<Change>>,
    /// The kept changes (locked after `inner` when both are).
    history: crate::stored::SharedHistory,
    clock: Clock,
    /// The simulated containers (their logs), shared by the kubelet and `pods/log`.
    runtime: Arc<crate::runtime::Runtime>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

/// A random suffix for `generateName`, as the API server makes it (5 characters).
pub use kcore::rand::random_suffix;

/// A random version-4 UUID in its canonical text form.
pub fn new_uid() -> String {
    let b: [u8; 16] = rand::thread_rng().gen();
    let h = |r: std::ops::Range<usize>| b[r].iter().map(|x| format!("{x:02x}")).collect::<String>();
    let v = (b[6] & 0x0f) | 0x40;
    let var = (b[8] & 0x3f) | 0x80;
    format!(
        "{}-{}-{:02x}{}-{:02x}{}-{}",
        h(0..4),
        h(4..6),
        v,
        h(7..8),
        var,
        h(9..10),
        h(10..16)
    )
}

/// Namespace and name of an object ("" when absent).
pub fn ns_name(obj: &Value) -> (String, String) {
    let m = &obj["metadata"];
    (
        m["namespace"].as_str().unwrap_or_default().to_string(),
        m["name"].as_str().unwrap_or_default().to_string(),
    )
}

fn set_rv(obj: &mut Value, rv: u64) {
    obj["metadata"]["resourceVersion"] = json!(rv.to_string());
}

/// Terminating, no finalizers left and no grace period still running (a gracefully deleted
/// pod stays until its kubelet sets the grace period to 0 or removes it). Namespaces also
/// wait for their `spec.finalizers` (the namespace controller empties them).
fn is_terminating_without_finalizers(gr: &GroupResource, obj: &Value) -> bool {
    let m = &obj["metadata"];
    let empty = |v: &Value| v.as_array().map(|f| f.is_empty()).unwrap_or(true);
    !m["deletionTimestamp"].is_null()
        && empty(&m["finalizers"])
        && m["deletionGracePeriodSeconds"].as_i64().unwrap_or(0) == 0
        && (!gr.group.is_empty()
            || gr.resource != "namespaces"
            || empty(&obj["spec"]["finalizers"]))
}

impl Store {
    /// An empty store on the wall clock.
    pub fn new() -> Self {
        Self::with_clock(Clock::real())
    }

    /// An empty store whose timestamps, and whose controllers' timers, follow `clock`.
    pub fn with_clock(clock: Clock) -> Self {
        let (tx, _) = broadcast::channel(RING);
        Store {
            inner: Mutex::new(Inner {
                rv: 1,
                objects: HashMap::new(),
                persist: None,
            }),
            tx,
            history: Arc::default(),
            clock,
            runtime: Arc::default(),
        }
    }

    /// A store kept in the data dir `dir` (see `persist`): what it holds is loaded, and every
    /// later write is committed there before it returns. resourceVersions continue after the
    /// last one written; watches from before the restart get `410 Gone`.
    pub fn open(dir: &std::path::Path, clock: Clock) -> anyhow::Result<Self> {
        let (persist, loaded) = crate::persist::Persist::open(dir)?;
        let mut store = Self::with_clock(clock);
        {
            let inner = store.inner.get_mut().unwrap_or_else(|e| e.into_inner());
            inner.persist = Some(Some(persist));
            inner.rv = loaded.rv.max(1);
            store
                .history
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .compacted = inner.rv;
            for (gr, obj) in loaded.objects {
                let key = ns_name(&obj);
                let rv = obj["metadata"]["resourceVersion"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_default();
                inner
                    .objects
                    .entry(gr)
                    .or_default()
                    .insert(key, Stored::encode(&obj, rv));
            }
        }
        Ok(store)
    }

    /// Closes the data dir (a sandbox shutting down): later writes fail, and another store
    /// may open it.
    pub fn close(&self) {
        let mut inner = self.lock();
        if let Some(p) = inner.persist.as_mut() {
            *p = None;
        }
    }

    /// Commits one change to the data dir, if there is one: the object's state after the
    /// change (`None`: removed) at resourceVersion `rv`.
    fn commit(
        inner: &Inner,
        rv: u64,
        gr: &GroupResource,
        key: &(String, String),
        obj: Option<&Stored>,
    ) -> Result<(), StoreError> {
        let p = match &inner.persist {
            None => return Ok(()),
            Some(None) => return Err(StoreError::Storage("the sandbox is shutting down".into())),
            Some(Some(p)) => p,
        };
        p.commit(rv, gr, &key.0, &key.1, obj.map(Stored::json))
            .map_err(StoreError::Storage)
    }

    /// The cluster's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The cluster's simulated containers.
    pub fn runtime(&self) -> &Arc<crate::runtime::Runtime> {
        &self.runtime
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn history(&self) -> std::sync::MutexGuard<'_, crate::stored::History> {
        self.history.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records one change (the caller holds `inner`, so changes are recorded in order) and
    /// sends it to the subscribers.
    fn emit(&self, ch: Change) {
        let ch = Arc::new(ch);
        {
            let mut h = self.history();
            h.push(Arc::clone(&ch));
            while h.changes.len() > HISTORY || h.bytes > HISTORY_BYTES {
                h.pop();
            }
        }
        let _ = self.tx.send(ch);
    }

    /// The latest resourceVersion handed out.
    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    /// The newest resourceVersion whose change is no longer kept: watches from before it get
    /// `410 Gone`.
    pub fn compacted_rv(&self) -> u64 {
        self.history().compacted
    }

    /// Forgets the changes up to `rv` (etcd's compaction; see `history::run_compactor`).
    pub fn compact(&self, rv: u64) {
        let inner = self.lock();
        let rv = rv.min(inner.rv);
        let mut h = self.history();
        while h.changes.front().is_some_and(|e| e.rv <= rv) {
            h.pop();
        }
        h.compacted = h.compacted.max(rv);
    }

    /// Stores a new object. Fills `metadata.name` from `generateName`, and `uid`,
    /// `creationTimestamp` and `resourceVersion`. The caller has defaulted and validated it.
    pub fn create(&self, gr: &GroupResource, mut obj: Value) -> Result<Value, StoreError> {
        let mut inner = self.lock();
        if !obj["metadata"].is_object() {
            obj["metadata"] = json!({});
        }
        let ns = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let objects = inner.objects.entry(gr.clone()).or_default();
        let name = match obj["metadata"]["name"].as_str() {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => {
                let prefix = obj["metadata"]["generateName"].as_str().unwrap_or_default();
                if prefix.is_empty() {
                    return Err(StoreError::Invalid(
                        "name or generateName is required".into(),
                    ));
                }
                // Retry on the (unlikely) collision, as the registry does.
                let mut tries = 0;
                loop {
                    let n = format!("{prefix}{}", random_suffix(5));
                    if !objects.contains_key(&(ns.clone(), n.clone())) || tries > 8 {
                        break n;
                    }
                    tries += 1;
                }
            }
        };
        let key = (ns.clone(), name.clone());
        if objects.contains_key(&key) {
            return Err(StoreError::AlreadyExists);
        }
        let meta = &mut obj["metadata"];
        meta["name"] = json!(name);
        if meta["uid"].as_str().unwrap_or_default().is_empty() {
            meta["uid"] = json!(new_uid());
        }
        if meta["creationTimestamp"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
        {
            meta["creationTimestamp"] = json!(self.clock.rfc3339());
        }
        let rv = inner.rv + 1;
        set_rv(&mut obj, rv);
        let stored = Stored::encode(&obj, rv);
        Self::commit(&inner, rv, gr, &key, Some(&stored))?;
        inner.rv = rv;
        inner
            .objects
            .entry(gr.clone())
            .or_default()
            .insert(key, Arc::clone(&stored));
        self.emit(Change {
            kind: EventType::Added,
            gr: gr.clone(),
            namespace: ns,
            name,
            rv,
            stored,
        });
        Ok(obj)
    }

    /// The stored version of an object (its text).
    pub fn get_stored(&self, gr: &GroupResource, ns: &str, name: &str) -> Option<Arc<Stored>> {
        let inner = self.lock();
        inner
            .objects
            .get(gr)?
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    /// Like `get`, but a tree shared with the other readers of this version.
    pub fn get_shared(&self, gr: &GroupResource, ns: &str, name: &str) -> Option<Arc<Value>> {
        self.get_stored(gr, ns, name).map(|s| s.value())
    }

    pub fn get(&self, gr: &GroupResource, ns: &str, name: &str) -> Option<Value> {
        self.get_shared(gr, ns, name).map(Arc::unwrap_or_clone)
    }

    /// The stored versions of all objects of a type, in one namespace or (with `None`) all,
    /// sorted by namespace and name, plus the resourceVersion of this snapshot.
    pub fn list_stored(&self, gr: &GroupResource, ns: Option<&str>) -> (Vec<Arc<Stored>>, u64) {
        let inner = self.lock();
        let items = match inner.objects.get(gr) {
            None => Vec::new(),
            Some(objs) => match ns {
                None => objs.values().cloned().collect(),
                Some(ns) => objs
                    .range((ns.to_string(), String::new())..)
                    .take_while(|((n, _), _)| n == ns)
                    .map(|(_, v)| Arc::clone(v))
                    .collect(),
            },
        };
        (items, inner.rv)
    }

    /// All objects of a type, in one namespace or (with `None`) all, sorted by namespace and
    /// name, plus the resourceVersion of this snapshot.
    pub fn list(&self, gr: &GroupResource, ns: Option<&str>) -> (Vec<Value>, u64) {
        let (items, rv) = self.list_stored(gr, ns);
        (
            items
                .iter()
                .map(|s| Arc::unwrap_or_clone(s.value()))
                .collect(),
            rv,
        )
    }

    /// Like `list`, but trees shared with the other readers of each version.
    pub fn list_shared(&self, gr: &GroupResource, ns: Option<&str>) -> (Vec<Arc<Value>>, u64) {
        let (items, rv) = self.list_stored(gr, ns);
        (items.iter().map(|s| s.value()).collect(), rv)
    }

    /// One page of a list: the objects (in one namespace or all) that come after `after` in
    /// (namespace, name) order and satisfy `keep`, at most `limit` of them (0: all), with how
    /// many more match and this snapshot's resourceVersion. Without `keep` every object
    /// matches, and only the page's objects are decoded.
    pub fn list_page(
        &self,
        gr: &GroupResource,
        ns: Option<&str>,
        after: Option<&(String, String)>,
        limit: usize,
        keep: Option<&dyn Fn(&Value) -> bool>,
    ) -> (Vec<Arc<Stored>>, usize, u64) {
        // The snapshot is taken under the lock; the decoding and filtering happen outside it.
        let (candidates, rv) = {
            let inner = self.lock();
            let Some(objs) = inner.objects.get(gr) else {
                return (Vec::new(), 0, inner.rv);
            };
            let start = match (ns, after) {
                (_, Some(a)) => std::ops::Bound::Excluded(a.clone()),
                (Some(ns), None) => std::ops::Bound::Included((ns.to_string(), String::new())),
                (None, None) => std::ops::Bound::Unbounded,
            };
            let mut out = Vec::new();
            for ((n, _), v) in objs.range((start, std::ops::Bound::Unbounded)) {
                if ns.is_some_and(|ns| ns != n) {
                    if ns.is_some_and(|ns| n.as_str() > ns) {
                        break;
                    }
                    continue;
                }
                out.push(Arc::clone(v));
            }
            (out, inner.rv)
        };
        let mut page = Vec::new();
        let mut remaining = 0;
        for s in candidates {
            let full = limit != 0 && page.len() >= limit;
            let Some(keep) = keep else {
                if full {
                    remaining += 1;
                } else {
                    page.push(s);
                }
                continue;
            };
            if !keep(&s.value()) {
                continue;
            }
            if full {
                remaining += 1;
            } else {
                page.push(s);
            }
        }
        (page, remaining, rv)
    }

    /// Replaces an object. With `expected_rv`, fails with `Conflict` when the stored object has
    /// another resourceVersion. An object that is terminating and has no finalizers left is
    /// removed (DELETED), as the registry does.
    pub fn update(
        &self,
        gr: &GroupResource,
        obj: Value,
        expected_rv: Option<&str>,
    ) -> Result<Value, StoreError> {
        self.write(gr, obj, expected_rv, true)
    }

    /// Like `update`, but a terminating object without finalizers stays: for writes during a
    /// deletion grace period (a pod being stopped by its kubelet, a namespace being emptied),
    /// which the registry keeps until the grace ends.
    pub fn update_keep(
        &self,
        gr: &GroupResource,
        obj: Value,
        expected_rv: Option<&str>,
    ) -> Result<Value, StoreError> {
        self.write(gr, obj, expected_rv, false)
    }

    /// Like `modify_retry`, writing with `update_keep`.
    pub fn modify_keep<F>(
        &self,
        gr: &GroupResource,
        ns: &str,
        name: &str,
        mut f: F,
    ) -> Result<Value, StoreError>
    where
        F: FnMut(&mut Value) -> Result<bool, StoreError>,
    {
        loop {
            match self.modify_once(gr, ns, name, &mut f, false) {
                Err(StoreError::Conflict) => continue,
                other => return other,
            }
        }
    }

    fn write(
        &self,
        gr: &GroupResource,
        mut obj: Value,
        expected_rv: Option<&str>,
        remove_when_done: bool,
    ) -> Result<Value, StoreError> {
        let mut inner = self.lock();
        let (ns, name) = ns_name(&obj);
        let key = (ns.clone(), name.clone());
        let old = inner
            .objects
            .get(gr)
            .and_then(|o| o.get(&key))
            .cloned()
            .ok_or(StoreError::NotFound)?;
        if let Some(exp) = expected_rv.filter(|s| !s.is_empty()) {
            if exp.parse::<u64>().ok() != Some(old.rv()) {
                return Err(StoreError::Conflict);
            }
        }
        let old = old.value();
        // Immutable identity fields always come from the stored object.
        for f in ["uid", "creationTimestamp"] {
            obj["metadata"][f] = old["metadata"][f].clone();
        }
        if old["metadata"]["deletionTimestamp"].is_string() {
            obj["metadata"]["deletionTimestamp"] = old["metadata"]["deletionTimestamp"].clone();
        }
        let rv = inner.rv + 1;
        set_rv(&mut obj, rv);
        let removed = remove_when_done && is_terminating_without_finalizers(gr, &obj);
        let stored = Stored::encode(&obj, rv);
        Self::commit(&inner, rv, gr, &key, (!removed).then_some(&*stored))?;
        inner.rv = rv;
        drop(old);
        let kind = if removed {
            inner.objects.get_mut(gr).map(|o| o.remove(&key));
            EventType::Deleted
        } else {
            inner
                .objects
                .entry(gr.clone())
                .or_default()
                .insert(key, Arc::clone(&stored));
            EventType::Modified
        };
        self.emit(Change {
            kind,
            gr: gr.clone(),
            namespace: ns,
            name,
            rv,
            stored,
        });
        Ok(obj)
    }

    /// Reads, changes and writes one object atomically. `f` returns `Ok(false)` to leave the
    /// object untouched (no new resourceVersion, no event).
    pub fn modify<F>(
        &self,
        gr: &GroupResource,
        ns: &str,
        name: &str,
        f: F,
    ) -> Result<Value, StoreError>
    where
        F: FnOnce(&mut Value) -> Result<bool, StoreError>,
    {
        self.modify_once(gr, ns, name, f, true)
    }

    /// One read-change-write of [`Store::modify`]; `remove_when_done` false keeps a
    /// terminating object without finalizers (as `update_keep`).
    fn modify_once<F>(
        &self,
        gr: &GroupResource,
        ns: &str,
        name: &str,
        f: F,
        remove_when_done: bool,
    ) -> Result<Value, StoreError>
    where
        F: FnOnce(&mut Value) -> Result<bool, StoreError>,
    {
        let current = self.get(gr, ns, name).ok_or(StoreError::NotFound)?;
        let rv = current["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut next = current.clone();
        if !f(&mut next)? {
            return Ok(current);
        }
        self.write(gr, next, Some(&rv), remove_when_done)
    }

    /// Like `modify`, retried on conflicts (for controllers racing with API writes).
    pub fn modify_retry<F>(
        &self,
        gr: &GroupResource,
        ns: &str,
        name: &str,
        mut f: F,
    ) -> Result<Value, StoreError>
    where
        F: FnMut(&mut Value) -> Result<bool, StoreError>,
    {
        loop {
            match self.modify(gr, ns, name, &mut f) {
                Err(StoreError::Conflict) => continue,
                other => return other,
            }
        }
    }

    /// Removes an object now (no grace, no finalizers: callers decide those first).
    pub fn remove(&self, gr: &GroupResource, ns: &str, name: &str) -> Result<Value, StoreError> {
        let mut inner = self.lock();
        let key = (ns.to_string(), name.to_string());
        if !inner.objects.get(gr).is_some_and(|o| o.contains_key(&key)) {
            return Err(StoreError::NotFound);
        }
        let rv = inner.rv + 1;
        Self::commit(&inner, rv, gr, &key, None)?;
        inner.rv = rv;
        let mut obj = inner
            .objects
            .get_mut(gr)
            .and_then(|o| o.remove(&key))
            .map(|s| Arc::unwrap_or_clone(s.value()))
            .ok_or(StoreError::NotFound)?;
        set_rv(&mut obj, rv);
        self.emit(Change {
            kind: EventType::Deleted,
            gr: gr.clone(),
            namespace: ns.to_string(),
            name: name.to_string(),
            rv,
            stored: Stored::encode(&obj, rv),
        });
        Ok(obj)
    }

    /// Subscribes to every change after `since` (a resourceVersion). Returns the kept changes
    /// newer than `since` and a receiver for later ones; no change is missed or repeated.
    /// `since == 0` means "from now".
    pub fn watch_from(&self, since: u64) -> Result<WatchStart, StoreError> {
        let inner = self.lock();
        let rx = self.receiver(inner.rv);
        if since == 0 || since >= inner.rv {
            return Ok((Vec::new(), rx));
        }
        let past = self
            .history()
            .after(since, usize::MAX)
            .ok_or(StoreError::Gone)?;
        Ok((past.iter().map(Change::event).collect(), rx))
    }

    fn receiver(&self, at: u64) -> Receiver {
        Receiver::new(self.tx.subscribe(), Arc::clone(&self.history), at)
    }

    /// Every resource type that currently has at least one object (for controllers that sweep
    /// all kinds, like the namespace controller and the garbage collector).
    pub fn resources(&self) -> Vec<GroupResource> {
        let inner = self.lock();
        let mut out: Vec<GroupResource> = inner
            .objects
            .iter()
            .filter(|(_, o)| !o.is_empty())
            .map(|(gr, _)| gr.clone())
            .collect();
        out.sort();
        out
    }

    /// How many receivers of the change feed there are (controllers and open watches): a
    /// test sees a client's watch begin by it.
    pub fn watchers(&self) -> usize {
        self.tx.receiver_count()
    }

    /// A receiver of all changes from now on (for controllers).
    pub fn subscribe(&self) -> Receiver {
        let inner = self.lock();
        self.receiver(inner.rv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods() -> GroupResource {
        GroupResource::new("", "pods")
    }

    fn add_pod(s: &Store, ns: &str, name: &str) -> Value {
        s.create(
            &pods(),
            json!({"metadata": {"namespace": ns, "name": name}}),
        )
        .unwrap()
    }

    #[test]
    fn create_fills_identity_and_generate_name() {
        let s = Store::new();
        let o = s
            .create(
                &pods(),
                json!({"metadata": {"namespace": "default", "generateName": "web-"}}),
            )
            .unwrap();
        let name = o["metadata"]["name"].as_str().unwrap();
        assert!(name.starts_with("web-") && name.len() == 9, "{name}");
        assert!(name[4..]
            .bytes()
            .all(|b| kcore::rand::ALPHANUMS.contains(&b)));
        assert_eq!(o["metadata"]["uid"].as_str().unwrap().len(), 36);
        assert_eq!(o["metadata"]["resourceVersion"], "2");
        let again = json!({"metadata": {"namespace": "default", "name": name}});
        assert_eq!(s.create(&pods(), again), Err(StoreError::AlreadyExists));
    }

    #[test]
    fn update_checks_resource_version_and_keeps_identity() {
        let s = Store::new();
        let o = add_pod(&s, "a", "p");
        let mut changed = o.clone();
        changed["metadata"]["uid"] = json!("forged");
        changed["spec"] = json!({"x": 1});
        let u = s.update(&pods(), changed.clone(), Some("2")).unwrap();
        assert_eq!(u["metadata"]["uid"], o["metadata"]["uid"]);
        assert_eq!(
            s.update(&pods(), changed, Some("2")),
            Err(StoreError::Conflict)
        );
    }

    #[test]
    fn list_is_scoped_and_sorted() {
        let s = Store::new();
        for (ns, n) in [("b", "z"), ("a", "y"), ("b", "a"), ("ab", "q")] {
            add_pod(&s, ns, n);
        }
        let (b, _) = s.list(&pods(), Some("b"));
        let names: Vec<_> = b.iter().map(|o| ns_name(o).1).collect();
        assert_eq!(names, ["a", "z"]);
        assert_eq!(s.list(&pods(), None).0.len(), 4);
    }

    #[test]
    fn list_page_pages_in_key_order_within_a_namespace() {
        let s = Store::new();
        for (ns, n) in [("b", "z"), ("a", "y"), ("b", "a"), ("b", "m"), ("c", "q")] {
            add_pod(&s, ns, n);
        }
        let names = |v: &[Arc<Stored>]| v.iter().map(|o| ns_name(&o.value()).1).collect::<Vec<_>>();
        let (page, more, _) = s.list_page(&pods(), Some("b"), None, 2, None);
        assert_eq!((names(&page), more), (vec!["a".to_string(), "m".into()], 1));
        let after = ("b".to_string(), "m".to_string());
        let (page, more, _) = s.list_page(&pods(), Some("b"), Some(&after), 2, None);
        assert_eq!((names(&page), more), (vec!["z".to_string()], 0));
        let (page, more, _) = s.list_page(
            &pods(),
            None,
            None,
            0,
            Some(&|o: &Value| ns_name(o).1 != "y"),
        );
        assert_eq!((page.len(), more), (4, 0));
    }

    #[test]
    fn terminating_object_without_finalizers_is_removed_on_update() {
        let s = Store::new();
        let o = s
            .create(
                &pods(),
                json!({"metadata": {"namespace": "a", "name": "p", "finalizers": ["x"],
                    "deletionTimestamp": "2026-01-01T00:00:00Z"}}),
            )
            .unwrap();
        let mut next = o.clone();
        next["metadata"]["finalizers"] = json!([]);
        s.update(&pods(), next, None).unwrap();
        assert!(s.get(&pods(), "a", "p").is_none());
    }

    #[test]
    fn graceful_deletion_waits_for_zero_grace() {
        let s = Store::new();
        let o = add_pod(&s, "a", "p");
        let mut next = o.clone();
        next["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        next["metadata"]["deletionGracePeriodSeconds"] = json!(30);
        let kept = s.update(&pods(), next, None).unwrap();
        assert!(s.get(&pods(), "a", "p").is_some());
        let mut done = kept.clone();
        done["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        s.update(&pods(), done, None).unwrap();
        assert!(s.get(&pods(), "a", "p").is_none());
    }

    #[test]
    fn resources_lists_non_empty_types() {
        let s = Store::new();
        add_pod(&s, "a", "p");
        let cm = GroupResource::new("", "configmaps");
        s.create(&cm, json!({"metadata": {"namespace": "a", "name": "c"}}))
            .unwrap();
        s.remove(&cm, "a", "c").unwrap();
        assert_eq!(s.resources(), vec![pods()]);
    }

    #[test]
    fn update_keep_leaves_terminating_objects() {
        let s = Store::new();
        add_pod(&s, "a", "p");
        let kept = s
            .modify_keep(&pods(), "a", "p", |o| {
                o["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
                Ok(true)
            })
            .unwrap();
        assert!(kept["metadata"]["deletionTimestamp"].is_string());
        assert!(s.get(&pods(), "a", "p").is_some());
        s.update(&pods(), kept, None).unwrap();
        assert!(s.get(&pods(), "a", "p").is_none());
    }

    #[test]
    fn watch_replays_history_then_streams() {
        let s = Store::new();
        add_pod(&s, "a", "p1");
        let rv = s.current_rv();
        add_pod(&s, "a", "p2");
        let (past, mut rx) = s.watch_from(rv).unwrap();
        assert_eq!(past.len(), 1);
        assert_eq!(past[0].name, "p2");
        s.remove(&pods(), "a", "p1").unwrap();
        let ev = rx.try_recv().unwrap();
        assert_eq!((ev.kind, ev.name.as_str()), (EventType::Deleted, "p1"));
    }

    #[test]
    fn each_version_is_stored_once_as_text() {
        let s = Store::new();
        let mut rx = s.subscribe();
        let o = add_pod(&s, "a", "p");
        let added = rx.try_recv().unwrap();
        let stored = s.get_stored(&pods(), "a", "p").unwrap();
        // The map, the change feed and the history share one text.
        assert!(Arc::ptr_eq(added.object.stored(), &stored));
        assert_eq!(stored.json(), serde_json::to_vec(&o).unwrap().as_slice());
        // Readers at the same time share one decoding.
        let page = s.list_shared(&pods(), None).0;
        assert!(Arc::ptr_eq(&added.object, &page[0]));
        s.update(&pods(), o, None).unwrap();
        let modified = rx.try_recv().unwrap();
        assert_eq!(modified.object["metadata"]["resourceVersion"], "3");
        let (past, _) = s.watch_from(1).unwrap();
        assert!(Arc::ptr_eq(past[0].object.stored(), added.object.stored()));
        assert_eq!(past[0].object["metadata"]["resourceVersion"], "2");
        assert!(Arc::ptr_eq(
            past[1].object.stored(),
            &s.get_stored(&pods(), "a", "p").unwrap()
        ));
        // A deletion keeps its last state with the deletion's resourceVersion.
        s.remove(&pods(), "a", "p").unwrap();
        let deleted = rx.try_recv().unwrap();
        let (past, _) = s.watch_from(3).unwrap();
        assert_eq!((past[0].kind, past[0].rv), (EventType::Deleted, 4));
        assert_eq!(**past[0].object, **deleted.object);
        assert_eq!(past[0].object["metadata"]["resourceVersion"], "4");
    }

    #[test]
    fn a_subscriber_behind_the_ring_catches_up_from_the_history() {
        let s = Store::new();
        let mut rx = s.subscribe();
        let n = RING as u64 * 3;
        for i in 0..n {
            add_pod(&s, "a", &format!("p{i}"));
        }
        // Every change, in order, none twice, although the ring kept only the last ones.
        for rv in 2..2 + n {
            assert_eq!(rx.try_recv().unwrap().rv, rv);
        }
        assert!(rx.try_recv().is_err());
        // Once the history no longer has them, the subscriber is told it lagged.
        let mut slow = s.subscribe();
        for i in 0..n {
            add_pod(&s, "b", &format!("p{i}"));
        }
        s.compact(s.current_rv() - 1);
        assert!(matches!(
            slow.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
    }

    #[test]
    fn history_is_bounded_by_bytes() {
        let s = Store::new();
        let big = "x".repeat(1 << 20);
        for i in 0..(HISTORY_BYTES >> 20) + 8 {
            s.create(
                &GroupResource::new("", "configmaps"),
                json!({"metadata": {"namespace": "a", "name": format!("c{i}")}, "data": {"k": big}}),
            )
            .unwrap();
        }
        let h = s.history();
        assert!(h.bytes <= HISTORY_BYTES, "{}", h.bytes);
        assert!(h.compacted > 1);
        drop(h);
        assert_eq!(s.watch_from(2).err(), Some(StoreError::Gone));
    }

    #[test]
    fn compaction_expires_older_watches_only() {
        let s = Store::new();
        for n in ["p1", "p2", "p3"] {
            add_pod(&s, "a", n);
        }
        // rv 2, 3, 4: compacting to 3 keeps only the change at 4.
        s.compact(3);
        assert_eq!(s.compacted_rv(), 3);
        assert_eq!(s.watch_from(2).err(), Some(StoreError::Gone));
        let (past, _) = s.watch_from(3).unwrap();
        assert_eq!(past.iter().map(|e| e.rv).collect::<Vec<_>>(), [4]);
        // Never past the present, never backwards.
        s.compact(100);
        assert_eq!(s.compacted_rv(), 4);
        s.compact(1);
        assert_eq!(s.compacted_rv(), 4);
        assert!(s.watch_from(4).unwrap().0.is_empty());
    }
}

//! How the store keeps objects: each version once, as its compact JSON text, shared by the
//! store's map, the change history and the change feed; decoded into a `Value` tree only when
//! someone reads it, and that tree shared by every reader while one still holds it.
//!
//! A pod's 3.7 KB of JSON is 25-35 KB as a `serde_json::Value` tree (a map and a string per
//! field): holding the text instead is what lets 50,000 pods fit in a small heap. Controllers
//! keep in their caches only the trees (or fields) they need.

use std::collections::VecDeque;
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use serde_json::value::RawValue;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::controllers::podview::PodView;
use crate::store::{EventType, GroupResource};

/// One stored version of one object: its JSON text and resourceVersion.
pub struct Stored {
    rv: u64,
    json: Box<[u8]>,
    /// The tree someone decoded last, while anyone still holds it: concurrent readers (the
    /// controllers handling one change) share one decoding.
    tree: Mutex<Weak<Value>>,
    /// Likewise for `pod_view`.
    view: Mutex<Weak<PodView>>,
}

impl std::fmt::Debug for Stored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stored")
            .field("rv", &self.rv)
            .field("bytes", &self.json.len())
            .finish()
    }
}

impl Stored {
    /// Encodes `obj` (whose resourceVersion is `rv`).
    pub fn encode(obj: &Value, rv: u64) -> Arc<Stored> {
        // A Value always serializes (its map keys are strings).
        let json = serde_json::to_vec(obj).unwrap_or_default();
        Arc::new(Stored {
            rv,
            json: json.into_boxed_slice(),
            tree: Mutex::new(Weak::new()),
            view: Mutex::new(Weak::new()),
        })
    }

    /// The object's resourceVersion.
    pub fn rv(&self) -> u64 {
        self.rv
    }

    /// The object's JSON text (compact, as serde_json writes a `Value`).
    pub fn json(&self) -> &[u8] {
        &self.json
    }

    /// The object's top-level fields, each as its JSON text, in the order a tree of it
    /// serializes them (sorted): what lists and watches copy without decoding the whole
    /// object (a tree costs ~10 times the text to build and free). `None` when the text is
    /// not an object.
    pub fn fields(&self) -> Option<Vec<(String, &RawValue)>> {
        let m: std::collections::BTreeMap<String, &RawValue> =
            serde_json::from_slice(&self.json).ok()?;
        Some(m.into_iter().collect())
    }

    /// The object as a tree: the one another reader still holds, or a new decoding.
    pub fn value(&self) -> Arc<Value> {
        let mut cache = self.tree.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = cache.upgrade() {
            return v;
        }
        // The text was written from a Value by serde_json: it parses back to it.
        let v = Arc::new(serde_json::from_slice(&self.json).unwrap_or_default());
        *cache = Arc::downgrade(&v);
        v
    }
}

impl Stored {
    /// What the controllers that index every pod (ReplicaSet, DaemonSet, Endpoints) keep of
    /// one, shared by them while any of them holds it.
    pub fn pod_view(&self) -> Arc<PodView> {
        let mut cache = self.view.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = cache.upgrade() {
            return v;
        }
        let v = Arc::new(PodView::of(&self.value()));
        *cache = Arc::downgrade(&v);
        v
    }
}

/// One change as the store keeps it (in its history and its change feed): no tree.
#[derive(Debug)]
pub struct Change {
    pub kind: EventType,
    pub gr: GroupResource,
    pub namespace: String,
    pub name: String,
    pub rv: u64,
    pub stored: Arc<Stored>,
}

/// An object decoded on first use, once per holder.
pub struct Lazy {
    stored: Arc<Stored>,
    tree: OnceLock<Arc<Value>>,
}

impl Lazy {
    /// The stored version (its text).
    pub fn stored(&self) -> &Arc<Stored> {
        &self.stored
    }
}

impl Lazy {
    /// `Stored::pod_view` of this object.
    pub fn pod_view(&self) -> Arc<PodView> {
        self.stored.pod_view()
    }
}

impl Deref for Lazy {
    type Target = Arc<Value>;
    fn deref(&self) -> &Arc<Value> {
        self.tree.get_or_init(|| self.stored.value())
    }
}

impl std::fmt::Debug for Lazy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.stored.fmt(f)
    }
}

/// One change as a watcher (a controller, a watch request) receives it. `object` is the object
/// after the change (for DELETED, the last state with the deletion's resourceVersion), decoded
/// when first read: a watcher that skips a change by its kind, type or name never decodes it.
#[derive(Debug)]
pub struct WatchEvent {
    change: Arc<Change>,
    pub object: Lazy,
}

impl Deref for WatchEvent {
    type Target = Change;
    fn deref(&self) -> &Change {
        &self.change
    }
}

impl Change {
    /// This change for one watcher.
    pub fn event(self: &Arc<Self>) -> Arc<WatchEvent> {
        Arc::new(WatchEvent {
            object: Lazy {
                stored: Arc::clone(&self.stored),
                tree: OnceLock::new(),
            },
            change: Arc::clone(self),
        })
    }
}

/// The kept changes, oldest first: what watches resume from, and what a subscriber that fell
/// behind the change feed's small ring catches up from.
#[derive(Default)]
pub(crate) struct History {
    pub changes: VecDeque<Arc<Change>>,
    /// The bytes of object text `changes` refers to (each version once).
    pub bytes: usize,
    /// Changes up to this resourceVersion are no longer kept (dropped from the front, or made
    /// before a restart).
    pub compacted: u64,
}

impl History {
    /// Drops the oldest change.
    pub fn pop(&mut self) {
        if let Some(old) = self.changes.pop_front() {
            self.bytes -= old.stored.json.len();
            self.compacted = self.compacted.max(old.rv);
        }
    }

    pub fn push(&mut self, c: Arc<Change>) {
        self.bytes += c.stored.json.len();
        self.changes.push_back(c);
    }

    /// The kept changes after `since`, at most `max` of them; `None` when some were dropped.
    pub fn after(&self, since: u64, max: usize) -> Option<Vec<Arc<Change>>> {
        if since < self.compacted {
            return None;
        }
        let i = self.changes.partition_point(|c| c.rv <= since);
        Some(self.changes.iter().skip(i).take(max).cloned().collect())
    }
}

pub(crate) type SharedHistory = Arc<Mutex<History>>;

/// A subscription to the store's changes (`Store::subscribe`): a receiver of tokio's broadcast
/// ring of recent changes, handing each watcher its own `WatchEvent` (so the ring holds only
/// text). The ring is small; a subscriber that falls behind it catches up from the history,
/// and sees `Lagged` only when the history no longer has what it missed.
pub struct Receiver {
    rx: broadcast::Receiver<Arc<Change>>,
    history: SharedHistory,
    /// The resourceVersion of the last change handed out.
    last: u64,
    /// Changes caught up from the history, to hand out before the ring's.
    backlog: VecDeque<Arc<Change>>,
}

impl Receiver {
    pub(crate) fn new(
        rx: broadcast::Receiver<Arc<Change>>,
        history: SharedHistory,
        at: u64,
    ) -> Self {
        Receiver {
            rx,
            history,
            last: at,
            backlog: VecDeque::new(),
        }
    }

    /// Refills the backlog from the history after the ring overflowed; false when the history
    /// no longer has the changes after `last`.
    fn catch_up(&mut self) -> bool {
        let h = self.history.lock().unwrap_or_else(|e| e.into_inner());
        match h.after(self.last, 4096) {
            Some(v) => {
                self.backlog.extend(v);
                true
            }
            None => false,
        }
    }

    /// The event for `c` if it is the next change; `Err` when changes before it were missed
    /// and the history no longer has them.
    fn hand_out(
        &mut self,
        c: Arc<Change>,
        from_ring: bool,
    ) -> Result<Option<Arc<WatchEvent>>, u64> {
        if c.rv <= self.last {
            return Ok(None);
        }
        if from_ring && c.rv > self.last + 1 {
            // Changes came between (the ring overflowed past a catch-up): take them, and
            // this one, from the history.
            return if self.catch_up() {
                Ok(None)
            } else {
                Err(c.rv - self.last - 1)
            };
        }
        self.last = c.rv;
        Ok(Some(c.event()))
    }

    pub async fn recv(&mut self) -> Result<Arc<WatchEvent>, broadcast::error::RecvError> {
        loop {
            if let Some(c) = self.backlog.pop_front() {
                if let Ok(Some(ev)) = self.hand_out(c, false) {
                    return Ok(ev);
                }
                continue;
            }
            match self.rx.recv().await {
                Ok(c) => match self.hand_out(c, true) {
                    Ok(Some(ev)) => return Ok(ev),
                    Ok(None) => {}
                    Err(n) => return Err(broadcast::error::RecvError::Lagged(n)),
                },
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    if !self.catch_up() {
                        return Err(broadcast::error::RecvError::Lagged(n));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    pub fn try_recv(&mut self) -> Result<Arc<WatchEvent>, broadcast::error::TryRecvError> {
        loop {
            if let Some(c) = self.backlog.pop_front() {
                if let Ok(Some(ev)) = self.hand_out(c, false) {
                    return Ok(ev);
                }
                continue;
            }
            match self.rx.try_recv() {
                Ok(c) => match self.hand_out(c, true) {
                    Ok(Some(ev)) => return Ok(ev),
                    Ok(None) => {}
                    Err(n) => return Err(broadcast::error::TryRecvError::Lagged(n)),
                },
                Err(broadcast::error::TryRecvError::Lagged(n)) => {
                    if !self.catch_up() {
                        return Err(broadcast::error::TryRecvError::Lagged(n));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pod_view_is_shared_by_its_readers_while_one_holds_it() {
        let pod = json!({"metadata": {"name": "p", "namespace": "a", "labels": {"app": "x"}}});
        let s = Stored::encode(&pod, 7);
        let (a, b) = (s.pod_view(), s.pod_view());
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(*a, PodView::of(&pod));
    }
}

//! The loop every keyed controller runs (what client-go's informer plus work queue give the
//! real ones): sync the dirty keys, wait for the next batch of changes or the next requeued key,
//! let the batch settle, then record each change and mark the keys it touches dirty. A lagged
//! subscription relists everything.

use std::collections::BTreeSet;
use std::time::Duration;

use super::owned::Key;
use super::{guarded, next_batch, settle, Batch, Requeue};
use crate::clock::Clock;
use crate::store::WatchEvent;

/// A controller driven by [`drive`]: a cache of the objects it needs and a sync per key.
pub(crate) trait KeyedController {
    /// Rebuilds the cache from the store; returns every key (all of them are synced).
    fn relist(&mut self) -> Vec<Key>;

    /// Records one change in the cache and marks the keys it affects dirty.
    fn observe(&mut self, ev: &WatchEvent, dirty: &mut BTreeSet<Key>);

    /// Brings one key (an owner's namespace and name) to its wanted state; `Some(wait)` syncs
    /// it again after `wait` of cluster time (a key whose object is gone by then is a no-op).
    fn sync(&mut self, key: &Key) -> Option<Duration>;
}

/// For controllers that converge the whole cluster at once: runs `sync`, then again after
/// every batch of changes in which an event `matters` (and after a lagged subscription), until
/// the store closes `rx`.
pub(crate) async fn converge_on(
    mut rx: crate::store::Receiver,
    matters: impl Fn(&WatchEvent) -> bool,
    mut sync: impl FnMut(),
) {
    guarded(&mut sync);
    loop {
        let batch = next_batch(&mut rx).await;
        let touched = match settle(&mut rx, batch).await {
            Batch::Closed => return,
            Batch::Resync => true,
            Batch::Events(evs) => evs.iter().any(|ev| matters(ev)),
        };
        if touched {
            guarded(&mut sync);
        }
    }
}

/// Runs `c` until the store closes its subscription `rx`; requeued keys fall due on `clock`.
pub(crate) async fn drive(
    mut c: impl KeyedController,
    clock: &Clock,
    mut rx: crate::store::Receiver,
) {
    let mut later = Requeue::new(clock);
    let mut dirty: BTreeSet<Key> = c.relist().into_iter().collect();
    loop {
        for key in std::mem::take(&mut dirty) {
            if let Some(Some(wait)) = guarded(|| c.sync(&key)) {
                later.add(key, wait);
            }
        }
        let (batch, due) = later.next(&mut rx).await;
        dirty.extend(due);
        let Some(batch) = batch else { continue };
        match settle(&mut rx, batch).await {
            Batch::Closed => return,
            Batch::Resync => dirty.extend(c.relist()),
            Batch::Events(evs) => {
                for ev in evs {
                    c.observe(&ev, &mut dirty);
                }
            }
        }
    }
}

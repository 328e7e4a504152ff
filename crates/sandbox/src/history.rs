//! The bounded change history as kube-apiserver exposes it: compaction, `410 Gone` for watches,
//! lists and continue tokens from before it, and watch bookmark timing.
//!
//! kube-apiserver compacts etcd every 5 minutes (`--etcd-compaction-interval`) to the revision
//! it saw at the previous run, and its watch cache keeps a bounded window of events; a request
//! for a resourceVersion before what is kept is answered with the texts below (from
//! k8s.io/apiserver's watch cache and etcd3 store).

use std::sync::Arc;
use std::time::Duration;

use axum::response::Response;
use serde_json::json;

use crate::clock::Ticker;
use crate::status::{json_response, ApiError};
use crate::store::Store;

/// How often the history is compacted (kube-apiserver's default compaction interval).
pub const COMPACTION_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// How often a watch that allows bookmarks gets one, in cluster time (the watch cache's
/// bookmark frequency).
pub const BOOKMARK_FREQUENCY: Duration = Duration::from_secs(60);

/// kube-apiserver's compactor: every `COMPACTION_INTERVAL` of cluster time, forgets the changes
/// up to the resourceVersion of the previous run, so that what is kept is between one and two
/// intervals old.
pub async fn run_compactor(store: Arc<Store>) {
    let mut ticker = Ticker::new(store.clock(), COMPACTION_INTERVAL);
    ticker.tick().await;
    let mut previous = store.current_rv();
    loop {
        ticker.tick().await;
        store.compact(previous);
        previous = store.current_rv();
    }
}

/// A watch from a resourceVersion before the kept history (the watch cache's message, with
/// the newest compacted resourceVersion), sent as an ERROR event.
pub fn watch_too_old(rv: u64, compacted: u64) -> ApiError {
    ApiError::gone(format!("too old resource version: {rv} ({compacted})"))
}

/// A list at exactly a resourceVersion that was compacted away.
pub fn list_too_old() -> ApiError {
    ApiError::gone("The resourceVersion for the provided list is too old.")
}

/// etcd3's text for a continue token whose snapshot was compacted: the client may start over
/// or go on inconsistently with the token in `metadata.continue`.
pub const INCONSISTENT_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/// The 410 for an expired continue token, carrying the `inconsistent` token that resumes at
/// the same place in the current state.
pub fn continue_expired(inconsistent: &str) -> Response {
    let body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {"continue": inconsistent},
        "status": "Failure",
        "message": INCONSISTENT_CONTINUE,
        "reason": "Expired",
        "code": 410,
    });
    json_response(410, body.to_string())
}

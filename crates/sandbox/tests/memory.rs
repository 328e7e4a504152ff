//! Heap bytes the sandbox keeps per pod (issue 13's memory targets), counted by a global
//! allocator: pods are created through the API router (as `benches/sandbox-scale.sh` does,
//! without TLS), run by the simulated kubelets, then the live heap is read once the cluster is
//! quiet, and the peak while serving a list of them.
//!
//! `SANDBOX_MEM_PODS=5000 cargo test -p kubectl-rs-sandbox --release --test memory -- --nocapture`
//! prints the figures for other sizes (default: 300 pods, enough for the per-pod budget).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt as _;
use kubectl_rs_sandbox::controllers::{self, ControllerOptions};
use kubectl_rs_sandbox::handlers::{self, ApiState};
use kubectl_rs_sandbox::store::{GroupResource, Store};
use tower::ServiceExt as _;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn add(n: usize) {
    let now = LIVE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(now, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        add(l.size());
        System.alloc(l)
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        add(l.size());
        System.alloc_zeroed(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if new >= l.size() {
            add(new - l.size());
        } else {
            LIVE.fetch_sub(l.size() - new, Relaxed);
        }
        System.realloc(p, l, new)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn mb(n: usize) -> f64 {
    n as f64 / 1_048_576.0
}

async fn request(
    app: &axum::Router,
    method: &str,
    path: &str,
    accept: &str,
    body: String,
) -> Vec<u8> {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", "Bearer memtest")
        .header("content-type", "application/json")
        .header("accept", accept)
        .body(Body::from(body))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    assert!(status.is_success(), "{method} {path}: {status}");
    bytes
}

/// Waits until the store's revision has not moved for a while (every controller idle; node
/// leases are renewed every 10 s, so a short pause is quiet enough).
async fn quiet(store: &Store) {
    let mut last = store.current_rv();
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = store.current_rv();
        if now == last {
            return;
        }
        last = now;
    }
    panic!("the store never became quiet (rv {last})");
}

fn running(store: &Store) -> usize {
    let (pods, _) = store.list(&GroupResource::new("", "pods"), Some("default"));
    pods.iter()
        .filter(|p| p["status"]["phase"] == "Running")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_cost_a_bounded_heap() {
    // A measuring knob of this harness (there is no CLI Context here).
    #[allow(clippy::disallowed_methods)]
    let n: usize = std::env::var("SANDBOX_MEM_PODS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let store = Arc::new(Store::new());
    let _tasks = controllers::spawn(
        store.clone(),
        ControllerOptions {
            // A node runs at most 110 pods.
            nodes: n / 100 + 1,
            kubelet_delay: Duration::from_millis(50),
            ..ControllerOptions::default()
        },
    );
    let app = handlers::router(Arc::new(ApiState {
        store: store.clone(),
        token: "memtest".into(),
        server_address: "127.0.0.1:1".into(),
        metrics: true,
        ephemeral_containers: true,
    }));
    quiet(&store).await;
    let base = LIVE.load(Relaxed);

    for i in 0..n {
        let pod = format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"scale-{i:05}","labels":{{"app":"scale"}}}},"spec":{{"containers":[{{"name":"c","image":"registry.k8s.io/pause:3.10"}}]}}}}"#
        );
        request(
            &app,
            "POST",
            "/api/v1/namespaces/default/pods",
            "application/json",
            pod,
        )
        .await;
    }
    for round in 0.. {
        quiet(&store).await;
        let r = running(&store);
        if r == n {
            break;
        }
        assert!(round < 100, "only {r} of {n} pods Running");
        eprintln!("{r} of {n} pods Running (rv {})", store.current_rv());
    }
    let json = request(
        &app,
        "GET",
        "/api/v1/namespaces/default/pods",
        "application/json",
        String::new(),
    )
    .await;
    let json_len = json.len();
    drop(json);
    let live = LIVE.load(Relaxed) - base;
    let per_pod = live / n;
    eprintln!(
        "{n} pods Running: {:.1} MB live above the empty cluster, {} bytes a pod ({} bytes of JSON a pod)",
        mb(live),
        per_pod,
        json_len / n
    );

    // 170 KB a pod before controllers shared the store's objects and the history kept
    // replaced versions as text; 80 KB before the store kept every version as text and the
    // pod-indexing controllers only a view of each pod; 42 KB before the event recorder kept
    // digests of its keys, 41 KB before the pod-indexing controllers kept a typed view of
    // each pod instead of a tree, 36 KB before containers' root files were built on first
    // change and equal read-only volumes shared, 30 KB since (debug build; a release build
    // allocates the same; up to ~8 KB more on a loaded machine). The history's share is
    // bounded, compacted below.
    assert!(
        per_pod < 40_000,
        "{per_pod} bytes a pod: objects are held as trees (store, change feed or caches)"
    );

    store.compact(store.current_rv());
    let compacted = LIVE.load(Relaxed) - base;
    eprintln!(
        "after compacting the history: {:.1} MB, {} bytes a pod",
        mb(compacted),
        compacted / n
    );
    // 70 KB before, 31 KB since (30.4 KB with the recorder's digests, 24.9 KB with the typed
    // pod view, 21.5 KB with one environment and no shell per quiet container, 18.1 KB with
    // root files on first change and shared read-only volumes; what controllers have in
    // flight while it is read varies with the machine's load, up to ~9 KB).
    assert!(
        compacted / n < 29_000,
        "{} bytes a pod once the history is compacted",
        compacted / n
    );

    let table = "application/json;as=Table;v=v1;g=meta.k8s.io";
    for (what, accept) in [("JSON", "application/json"), ("Table", table)] {
        let before = LIVE.load(Relaxed);
        PEAK.store(before, Relaxed);
        let body = request(
            &app,
            "GET",
            "/api/v1/namespaces/default/pods",
            accept,
            String::new(),
        )
        .await;
        let peak = PEAK.load(Relaxed) - before;
        eprintln!(
            "list as {what} ({:.1} MB): peak {:.1} MB above the live heap ({:.1}× the response)",
            mb(body.len()),
            mb(peak),
            peak as f64 / body.len() as f64
        );
        // Items are decoded one at a time: the peak is the response and one object (2-2.5×,
        // up to 5× on a loaded machine, where controllers allocate meanwhile), not every
        // object of the list as a tree (11-30× the response).
        assert!(
            peak < 8 * body.len(),
            "a list as {what} peaks at {peak} bytes for a {}-byte response",
            body.len()
        );
    }

    // A watch from resourceVersion 0 starts with an ADDED event per pod, read here as they
    // come: the server writes each from its object's text, never every object at once.
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let req = Request::builder()
        .uri("/api/v1/namespaces/default/pods?watch=1&resourceVersion=0&timeoutSeconds=60")
        .header("authorization", "Bearer memtest")
        .body(Body::empty())
        .unwrap();
    let mut body = app.clone().oneshot(req).await.unwrap().into_body();
    let (mut added, mut bytes) = (0, 0);
    while added < n {
        let frame = body.frame().await.expect("the watch ended early").unwrap();
        if let Ok(data) = frame.into_data() {
            bytes += data.len();
            let event = b"\"type\":\"ADDED\"";
            added += data.windows(event.len()).filter(|w| w == event).count();
        }
    }
    drop(body);
    let peak = PEAK.load(Relaxed) - before;
    eprintln!(
        "watch from 0 ({:.1} MB until {n} ADDED): peak {:.1} MB above the live heap ({:.1}× the events)",
        mb(bytes),
        mb(peak),
        peak as f64 / bytes as f64
    );
    // Every object as a tree before the first was sent: ~7× the events (25 KB a pod); 0.2×
    // since.
    assert!(
        peak < bytes,
        "a watch from 0 peaks at {peak} bytes for {bytes} bytes of events"
    );
}

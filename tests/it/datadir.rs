//! `sandbox --data-dir`: the cluster survives restarts and `kill -9`.
//!
//! The crash test spawns the real binary, applies ConfigMaps into it from several concurrent
//! clients, kills it with SIGKILL after a seeded-random number of acknowledged applies, starts
//! it again on the same data dir, and checks that every acknowledged apply is there with its
//! last acknowledged content (an apply that was in flight at the kill may be either).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kubectl_rs::sandbox::{start, SandboxOptions};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::AsyncBufReadExt as _;

/// A sandbox process on a data dir.
struct Proc {
    child: tokio::process::Child,
    url: String,
}

/// Starts `kubectl-rs sandbox --data-dir DIR` and waits until it serves (it prints "Press
/// Ctrl-C to stop." once the port is bound and the kubeconfig written).
async fn spawn(dir: &Path) -> Proc {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_kubectl-rs"));
    c.args(["sandbox", "--port", "0", "--nodes", "1", "--data-dir"])
        .arg(dir)
        .arg("--kubeconfig-out")
        .arg(dir.with_extension("kubeconfig"))
        .env("HOME", dir.parent().unwrap())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let mut child = c.spawn().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = String::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(u) = line.split("serving on ").nth(1) {
            url = u.to_string();
        }
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    assert!(
        url.starts_with("https://127.0.0.1:"),
        "the sandbox did not start"
    );
    // Keep draining its output so that it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Proc { child, url }
}

/// A client with the data dir's credentials (the same files across restarts).
fn client(dir: &Path) -> reqwest::Client {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let pem = format!("{}{}", read("admin.crt"), read("admin.key"));
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(read("ca.crt").as_bytes()).unwrap())
        .identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A small deterministic generator (xorshift64*), so a failing round can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// What the clients know about one ConfigMap.
#[derive(Default, Clone, Debug)]
struct Known {
    /// The last acknowledged content, with the uid, creationTimestamp and resourceVersion the
    /// server answered.
    acked: Option<(String, String, String, u64)>,
    /// Content sent but not acknowledged when the server died.
    in_flight: Vec<String>,
}

const NAMES: usize = 150;
const WORKERS: usize = 4;
/// Acknowledged applies in all, over at least `ROUNDS` kills.
const TOTAL: usize = 1_000;
const ROUNDS: usize = 5;

async fn apply(c: &reqwest::Client, url: &str, name: &str, value: &str) -> Option<Value> {
    let body = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default"},
        "data": {"value": value},
    });
    let resp = c
        .patch(format!(
            "{url}/api/v1/namespaces/default/configmaps/{name}?fieldManager=crash&force=true"
        ))
        .header("content-type", "application/apply-patch+yaml")
        .body(body.to_string())
        .send()
        .await
        .ok()?;
    let code = resp.status();
    let v: Value = resp.json().await.ok()?;
    assert!(
        code == StatusCode::OK || code == StatusCode::CREATED,
        "{code}: {v}"
    );
    Some(v)
}

fn rv_of(v: &Value) -> u64 {
    v["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap()
}

/// Every ConfigMap of `default` on the server: name → (value, uid, creationTimestamp).
async fn stored(c: &reqwest::Client, url: &str) -> BTreeMap<String, (String, String, String)> {
    let list: Value = c
        .get(format!("{url}/api/v1/namespaces/default/configmaps"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| {
            o["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("crash-")
        })
        .map(|o| {
            let m = &o["metadata"];
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (
                s(&m["name"]),
                (
                    s(&o["data"]["value"]),
                    s(&m["uid"]),
                    s(&m["creationTimestamp"]),
                ),
            )
        })
        .collect()
}

/// Checks the restarted server against what the clients were told; settles the in-flight
/// applies to what the server kept.
fn check(
    round: usize,
    known: &mut BTreeMap<String, Known>,
    got: &BTreeMap<String, (String, String, String)>,
) {
    for (name, k) in known.iter_mut() {
        let have = got.get(name);
        match (&k.acked, have) {
            (Some((value, uid, created, _)), Some((v, u, c))) => {
                assert!(
                    v == value || k.in_flight.contains(v),
                    "round {round}: {name} is {v:?}, acknowledged {value:?} (in flight {:?})",
                    k.in_flight
                );
                assert_eq!(
                    (u, c),
                    (uid, created),
                    "round {round}: {name} lost its identity"
                );
            }
            (Some((value, ..)), None) => {
                panic!("round {round}: {name} (acknowledged {value:?}) is gone")
            }
            (None, Some((v, ..))) => assert!(
                k.in_flight.contains(v),
                "round {round}: {name} is {v:?}, never sent"
            ),
            (None, None) => {}
        }
        if let Some((v, u, c)) = have {
            let rv = k.acked.as_ref().map(|a| a.3).unwrap_or(0);
            k.acked = Some((v.clone(), u.clone(), c.clone(), rv));
        }
        k.in_flight.clear();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_applies_survive_sigkill() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut rng = Rng(0x5eed_1234_abcd_0013);
    let known: Arc<Mutex<BTreeMap<String, Known>>> = Arc::default();
    let mut proc = spawn(&dir).await;
    let c = client(&dir);
    let mut done = 0;
    let mut max_rv = 0;
    let mut round = 0;
    while done < TOTAL || round < ROUNDS {
        // Kill after this many acknowledged applies (about TOTAL / ROUNDS on average); the
        // round's other applies are in flight then, or never sent.
        let kill_at = 1 + rng.below((2 * TOTAL / ROUNDS) as u64) as usize;
        let this_round = kill_at + 4 * WORKERS;
        let acks = Arc::new(AtomicUsize::new(0));
        let ops: Vec<(String, String)> = (0..this_round)
            .map(|i| {
                let n = rng.below(NAMES as u64);
                (format!("crash-{n}"), format!("r{round}-op{i}"))
            })
            .collect();
        let pid = proc.child.id().unwrap() as i32;
        let (kill_tx, mut kill_rx) = tokio::sync::mpsc::channel::<()>(1);
        let mut tasks = Vec::new();
        for w in 0..WORKERS {
            // Each name belongs to one worker, so its applies are sequential and "the last
            // acknowledged content" is well defined.
            let mine: Vec<_> = ops
                .iter()
                .filter(|(n, _)| n[6..].parse::<usize>().unwrap() % WORKERS == w)
                .cloned()
                .collect();
            let (c, url, known, acks, kill_tx) = (
                c.clone(),
                proc.url.clone(),
                known.clone(),
                acks.clone(),
                kill_tx.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut top = 0;
                for (name, value) in mine {
                    known
                        .lock()
                        .unwrap()
                        .entry(name.clone())
                        .or_default()
                        .in_flight
                        .push(value.clone());
                    let Some(v) = apply(&c, &url, &name, &value).await else {
                        return top;
                    };
                    assert_eq!(v["data"]["value"], value.as_str());
                    let rv = rv_of(&v);
                    top = top.max(rv);
                    let m = &v["metadata"];
                    let s = |x: &Value| x.as_str().unwrap().to_string();
                    {
                        let mut k = known.lock().unwrap();
                        let e = k.get_mut(&name).unwrap();
                        e.in_flight.clear();
                        e.acked = Some((value, s(&m["uid"]), s(&m["creationTimestamp"]), rv));
                    }
                    if acks.fetch_add(1, Ordering::SeqCst) + 1 == kill_at {
                        let _ = kill_tx.try_send(());
                    }
                }
                top
            }));
        }
        drop(kill_tx);
        let _ = kill_rx.recv().await;
        // SIGKILL while the other workers' applies are in flight.
        unsafe_kill(pid);
        let status = proc.child.wait().await.unwrap();
        assert!(
            !status.success(),
            "round {round}: the sandbox was not killed"
        );
        let mut round_rv = 0;
        for t in tasks {
            round_rv = round_rv.max(t.await.unwrap());
        }
        let acked = acks.load(Ordering::SeqCst);
        assert!(acked >= kill_at, "round {round}: {acked} < {kill_at}");
        done += acked;

        proc = spawn(&dir).await;
        let got = stored(&c, &proc.url).await;
        check(round, &mut known.lock().unwrap(), &got);
        // resourceVersions go on after the last one acknowledged before the kill.
        let next = apply(&c, &proc.url, "crash-probe", &format!("after-{round}"))
            .await
            .unwrap();
        assert!(
            rv_of(&next) > round_rv.max(max_rv),
            "round {round}: resourceVersion {} after {}",
            rv_of(&next),
            round_rv.max(max_rv)
        );
        max_rv = rv_of(&next);
        round += 1;
    }
    let _ = proc.child.start_kill();
    let _ = proc.child.wait().await;
}

/// SIGKILL to one process by id (the sandbox this test spawned).
fn unsafe_kill(pid: i32) {
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// In-process restarts: identity, resourceVersions, credentials and controllers carry over.
#[tokio::test]
async fn restart_keeps_objects_credentials_and_controllers() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let opts = SandboxOptions {
        data_dir: Some(dir.clone()),
        nodes: 1,
        ..Default::default()
    };
    let h = start(opts.clone()).await.unwrap();
    let store = h.store();
    let cm = kubectl_rs::sandbox::store::GroupResource::new("", "configmaps");
    let created = store
        .create(
            &cm,
            json!({"metadata": {"namespace": "default", "name": "keep"}, "data": {"a": "1"}}),
        )
        .unwrap();
    let ca = h.ca_pem().to_string();
    let cert = h.client_cert_pem().to_string();
    let token = h.token().to_string();
    let kubeconfig = std::fs::read_to_string(dir.join("kubeconfig")).unwrap();
    assert!(kubeconfig.contains(&h.server_url()), "{kubeconfig}");
    let rv_before = store.current_rv();
    drop(store);
    h.shutdown().await;

    let h = start(opts.clone()).await.unwrap();
    let store = h.store();
    let again = store.get(&cm, "default", "keep").unwrap();
    assert_eq!(
        again, created,
        "kept as acknowledged, resourceVersion included"
    );
    assert!(store.current_rv() >= rv_before);
    assert_eq!(
        (h.ca_pem(), h.client_cert_pem(), h.token()),
        (ca.as_str(), cert.as_str(), token.as_str()),
        "the same credentials, so existing kubeconfigs keep working"
    );
    // A watch from before the restart cannot be served from history any more.
    assert!(store.watch_from(rv_before - 1).is_err());
    let next = store
        .create(
            &cm,
            json!({"metadata": {"namespace": "default", "name": "next"}}),
        )
        .unwrap();
    let rv = |v: &Value| {
        v["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    assert!(rv(&next) > rv_before);
    // The bootstrap objects were not made twice, and the namespaces kept their uids.
    let (nodes, _) = store.list(
        &kubectl_rs::sandbox::store::GroupResource::new("", "nodes"),
        None,
    );
    assert_eq!(nodes.len(), 1);
    drop(store);
    h.shutdown().await;

    // A second sandbox on a data dir in use is refused with a clear error.
    let h = start(opts.clone()).await.unwrap();
    let err = start(opts.clone()).await.err().unwrap().to_string();
    assert!(err.contains("is in use by another sandbox"), "{err}");
    h.shutdown().await;
}

/// A data dir whose database is not one gives an error on the command line, not a panic.
#[tokio::test]
async fn corrupt_data_dir_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir: PathBuf = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("state.redb"), vec![0x42u8; 8192]).unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_kubectl-rs"))
        .args(["sandbox", "--port", "0", "--data-dir"])
        .arg(&dir)
        .arg("--kubeconfig-out")
        .arg(tmp.path().join("kc"))
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "data dir {}: {}/state.redb is corrupt or not a kubectl-rs sandbox database",
            dir.display(),
            dir.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!tmp.path().join("kc").exists());
}

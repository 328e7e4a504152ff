//! Hostile names and namespaces (issue 11): `""`, `.`, `..`, `a/b`, `%2e%2e`, `../../x`, very
//! long and unicode names, given with `-n`, as `TYPE NAME`, as `TYPE/NAME` and inside manifests,
//! for every command that takes them. Each case must
//! - leave every object on the server as it was (all resources, all namespaces), and
//! - print what kubectl prints and exit as it does (compared with the real kubectl on the same
//!   sandbox state, when it is installed; a few messages are also checked verbatim).
//!
//! The rule under test is general (client-go's request builder checks every path segment), so
//! the cases are the product of hostile values and commands, not a list of known bad inputs.

use crate::common;

use std::collections::BTreeMap;

use common::{eventually, oracle, Output, TestEnv};
use serde_json::Value;

/// Every object on the server, minus what the sandbox's own heartbeats change (status,
/// resourceVersion, managed fields, lease renewals): any other difference is a change made by
/// the command under test.
fn snapshot(env: &TestEnv) -> BTreeMap<String, Value> {
    let store = env.sandbox.store();
    let mut out = BTreeMap::new();
    for gr in store.resources() {
        let (items, _) = store.list(&gr, None);
        for mut o in items {
            // The nodes' own events (registration, heartbeats) come from the sandbox.
            if o["involvedObject"]["kind"] == "Node" || o["regarding"]["kind"] == "Node" {
                continue;
            }
            let ns = o["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let name = o["metadata"]["name"].as_str().unwrap_or("").to_string();
            if let Some(m) = o.as_object_mut() {
                m.remove("status");
            }
            if let Some(m) = o["metadata"].as_object_mut() {
                m.remove("resourceVersion");
                m.remove("managedFields");
            }
            if gr.resource == "leases" {
                if let Some(s) = o["spec"].as_object_mut() {
                    s.remove("renewTime");
                }
            }
            out.insert(format!("{}/{}/{ns}/{name}", gr.group, gr.resource), o);
        }
    }
    out
}

/// The differences between two snapshots, for the failure message.
fn changes(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in before {
        match after.get(k) {
            None => out.push(format!("deleted {k}")),
            Some(w) if w != v => out.push(format!("changed {k}")),
            _ => {}
        }
    }
    for k in after.keys().filter(|k| !before.contains_key(*k)) {
        out.push(format!("created {k}"));
    }
    out
}

/// Output with the program name made comparable (`kubectl.1.33` is the oracle's file name).
fn comparable(o: &Output) -> Output {
    let fix = |s: &str| {
        s.replace("kubectl.1.33 ", "kubectl ")
            .replace("kubectl-rs ", "kubectl ")
    };
    Output {
        stdout: fix(&o.stdout),
        stderr: fix(&o.stderr),
        code: o.code,
    }
}

const LONG: usize = 300;

/// The hostile values: not one path segment, empty, or legal but odd.
fn hostile() -> Vec<String> {
    let mut v: Vec<String> = [
        "", ".", "..", "a/b", "%2e%2e", "../../x", "é", "名前", "a b",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("x".repeat(LONG));
    v.push("../".repeat(LONG / 3));
    v
}

/// Commands on one object named `n` in namespace `team` (which holds ConfigMaps `a` and `b`).
fn by_name(n: &str) -> Vec<Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let slash = format!("cm/{n}");
    vec![
        s(&["-n", "team", "delete", "cm", n]),
        s(&["-n", "team", "delete", &slash]),
        s(&["-n", "team", "get", "cm", n]),
        s(&["-n", "team", "get", "cm", n, "-o", "name"]),
        s(&["-n", "team", "get", &slash]),
        s(&["-n", "team", "get", "cm", "a", n]),
        s(&["-n", "team", "describe", "cm", n]),
        s(&["-n", "team", "label", "cm", n, "x=y"]),
        s(&["-n", "team", "annotate", "cm", n, "x=y"]),
        s(&[
            "-n",
            "team",
            "patch",
            "cm",
            n,
            "-p",
            r#"{"data":{"k":"v"}}"#,
        ]),
        s(&["-n", "team", "scale", "deploy", n, "--replicas=1"]),
        s(&["-n", "team", "rollout", "restart", "deploy", n]),
        s(&[
            "-n",
            "team",
            "rollout",
            "status",
            "deploy",
            n,
            "--timeout=1s",
        ]),
        s(&[
            "-n",
            "team",
            "wait",
            "cm",
            n,
            "--for=delete",
            "--timeout=1s",
        ]),
        s(&["-n", "team", "wait", &slash, "--for=delete", "--timeout=1s"]),
    ]
}

/// Commands in namespace `ns` on an object that exists only in `team`.
fn in_namespace(ns: &str) -> Vec<Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let flag = format!("--namespace={ns}");
    let mut out = vec![
        s(&["-n", ns, "get", "cm"]),
        s(&["-n", ns, "get", "cm", "-o", "json"]),
        s(&["-n", ns, "get", "cm", "a"]),
        s(&[&flag, "delete", "cm", "a"]),
        s(&["-n", ns, "describe", "cm", "a"]),
        s(&["-n", ns, "label", "cm", "a", "x=y"]),
        s(&["-n", ns, "annotate", "cm", "a", "x=y"]),
        s(&["-n", ns, "patch", "cm", "a", "-p", "{}"]),
        s(&["-n", ns, "scale", "deploy", "a", "--replicas=1"]),
        s(&["-n", ns, "rollout", "restart", "deploy", "a"]),
    ];
    // `-n ""` is the context's namespace, where these would legitimately act.
    if !ns.is_empty() {
        out.push(s(&["-n", ns, "delete", "cm", "--all"]));
        out.push(s(&["-n", ns, "create", "cm", "zz"]));
        out.push(s(&["-n", ns, "label", "cm", "--all", "x=y"]));
    }
    out
}

/// Commands on a manifest file.
fn on_file(f: &str) -> Vec<Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        s(&["delete", "-f", f]),
        s(&["get", "-f", f]),
        s(&["get", "-f", f, "-o", "name"]),
        s(&["label", "-f", f, "x=y"]),
        s(&["annotate", "-f", f, "x=y"]),
        s(&["apply", "-f", f]),
        s(&["apply", "--server-side", "-f", f]),
        s(&["create", "-f", f]),
        s(&["describe", "-f", f]),
        s(&["patch", "-f", f, "-p", "{}"]),
        s(&["scale", "-f", f, "--replicas=1"]),
        s(&["wait", "-f", f, "--for=delete", "--timeout=1s"]),
        s(&["rollout", "status", "-f", f, "--timeout=1s"]),
        s(&["rollout", "restart", "-f", f]),
    ]
}

/// Which of a file's commands to run.
type Keep = fn(&Vec<String>) -> bool;

fn manifest(kind: &str, api: &str, name: Option<&str>, ns: &str) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap();
    let name = name
        .map(|n| format!("  name: {}\n", q(n)))
        .unwrap_or_default();
    format!(
        "apiVersion: {api}\nkind: {kind}\nmetadata:\n{name}  namespace: {}\nspec:\n  selector:\n    matchLabels: {{app: x}}\n  template:\n    metadata:\n      labels: {{app: x}}\n    spec:\n      containers: [{{name: c, image: nginx}}]\n",
        q(ns)
    )
}

/// Waits until the sandbox has registered its nodes and stopped changing on its own.
async fn settle(env: &TestEnv) {
    let store = env.sandbox.store();
    let nodes = kubectl_rs::sandbox::store::GroupResource::new("", "nodes");
    eventually(|| {
        let (items, _) = store.list(&nodes, None);
        let ready = !items.is_empty()
            && items.iter().all(|n| {
                n["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            });
        async move { ready }
    })
    .await;
    let mut last = snapshot(env);
    eventually(|| {
        let now = snapshot(env);
        let quiet = now == last;
        last = now;
        async move { quiet }
    })
    .await;
}

async fn setup() -> TestEnv {
    let env = TestEnv::start().await;
    settle(&env).await;
    for args in [
        &["create", "namespace", "team"][..],
        &[
            "-n",
            "team",
            "create",
            "configmap",
            "a",
            "--from-literal=k=v",
        ],
        &["-n", "team", "create", "configmap", "b"],
    ] {
        let o = env.ours(args).await;
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
    }
    env
}

/// Runs one case with both CLIs; returns a failure description, if any.
async fn run_case(env: &TestEnv, args: &[String]) -> Option<String> {
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let before = snapshot(env);
    let theirs = match env.kubectl(&argv).await {
        Some(o) => {
            let after = snapshot(env);
            let c = changes(&before, &after);
            // Both CLIs must see the same state: a case kubectl itself acts on is not one.
            assert!(
                c.is_empty(),
                "kubectl changed the server on {args:?}: {c:?}"
            );
            Some(comparable(&o.normalized()))
        }
        None => None,
    };
    let ours = env.ours(&argv).await;
    let after = snapshot(env);
    let c = changes(&before, &after);
    if !c.is_empty() {
        return Some(format!("{args:?}: kubectl-rs changed the server: {c:?}"));
    }
    let ours = comparable(&ours.normalized());
    if let Some(mut theirs) = theirs {
        // v1.36 `scale` returns the builder's error as it is where v1.33 wrapped it in
        // `no objects passed to scale %v` (see tests/it/scale.rs): the same error either way.
        if let Some(rest) = theirs
            .stderr
            .strip_prefix("error: no objects passed to scale ")
        {
            if ours.stderr.ends_with(rest) {
                theirs.stderr = ours.stderr.clone();
            }
        }
        if ours != theirs {
            return Some(format!(
                "{args:?}: differs from kubectl\n--- kubectl (code {}):\n{}{}\n--- kubectl-rs (code {}):\n{}{}",
                theirs.code, theirs.stdout, theirs.stderr, ours.code, ours.stdout, ours.stderr
            ));
        }
    }
    None
}

async fn run_all(env: &TestEnv, cases: Vec<Vec<String>>) {
    let mut failures = Vec::new();
    for args in &cases {
        if let Some(f) = run_case(env, args).await {
            failures.push(f);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_object_names() {
    let env = setup().await;
    let cases = hostile().iter().flat_map(|n| by_name(n)).collect();
    run_all(&env, cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_namespaces() {
    let env = setup().await;
    let cases = hostile().iter().flat_map(|ns| in_namespace(ns)).collect();
    run_all(&env, cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_manifests() {
    let env = setup().await;
    let mut cases = Vec::new();
    let mut files: Vec<(String, Keep)> = Vec::new();
    let mut values: Vec<Option<String>> = hostile().into_iter().map(Some).collect();
    values.push(None); // no name at all
    for (i, v) in values.iter().enumerate() {
        // As the object's name (a ConfigMap and a Deployment, in `team`)...
        // (the workload commands on a Deployment, the others on a ConfigMap)...
        for (kind, api) in [("ConfigMap", "v1"), ("Deployment", "apps/v1")] {
            let f = format!("name-{i}-{kind}.yaml");
            std::fs::write(env.work.join(&f), manifest(kind, api, v.as_deref(), "team")).unwrap();
            let workload = |c: &Vec<String>| c[0] == "scale" || c[0] == "rollout";
            files.push((
                f,
                if kind == "Deployment" {
                    workload
                } else {
                    |_: &Vec<String>| true
                },
            ));
        }
        // ...and as its namespace (name `a`, which exists in `team`).
        if let Some(ns) = v.as_deref().filter(|ns| !ns.is_empty()) {
            let f = format!("ns-{i}.yaml");
            std::fs::write(
                env.work.join(&f),
                manifest("ConfigMap", "v1", Some("a"), ns),
            )
            .unwrap();
            let some =
                |c: &Vec<String>| ["delete", "get", "apply", "label"].contains(&c[0].as_str());
            files.push((f, some));
        }
    }
    for (f, keep) in &files {
        cases.extend(on_file(f).into_iter().filter(keep));
    }
    run_all(&env, cases).await;
}

/// Hostile documents rather than names (issue 11): alias bombs, self-referencing anchors,
/// nesting past Go's limits, binary garbage, NUL bytes, invalid UTF-8, UTF-16 with and without
/// a byte-order mark. Each is refused with kubectl's message and exit code by every command that
/// reads `-f`, and nothing on the server changes. The valid stand-in object is a ConfigMap `a`
/// in `team` (which exists), so a document that *did* decode would show up as a change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_documents() {
    let env = setup().await;
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: team\n";
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: team}\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n"
        ));
    }
    bomb.push_str("data: {k: v}\n");
    let deep = 10_001;
    let deep_json = format!(
        r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"a","namespace":"team"}},"x":{}{}}}"#,
        "[".repeat(deep),
        "]".repeat(deep)
    );
    let utf16 = |big_endian: bool, bom: bool, text: &str| {
        let mut out = Vec::new();
        if bom {
            out.extend(if big_endian {
                [0xFE, 0xFF]
            } else {
                [0xFF, 0xFE]
            });
        }
        for u in text.encode_utf16() {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    };
    // A kind nobody serves: only a decoder that read every character right names it.
    let odd_kind = "apiVersion: v1\nkind: ConfigMäp\nmetadata:\n  name: a\n  namespace: team\n";
    let docs: Vec<(&str, Vec<u8>)> = vec![
        ("bomb.yaml", bomb.into_bytes()),
        (
            "self-anchor.yaml",
            format!("{cm}data: &d {{k: *d}}\n").into_bytes(),
        ),
        ("deep.json", deep_json.into_bytes()),
        (
            "garbage.bin",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
                .collect(),
        ),
        (
            "nul.yaml",
            format!("{cm}data:\n  k: \"v\0\"\n")
                .replace("\"v\0\"", "v\0")
                .into_bytes(),
        ),
        (
            "bad-utf8.yaml",
            [odd_kind.as_bytes(), b"data:\n  k: \xff\xfe\xfd\n"].concat(),
        ),
        ("utf16le-bom.yaml", utf16(false, true, odd_kind)),
        ("utf16be-bom.yaml", utf16(true, true, odd_kind)),
        ("utf16le.yaml", utf16(false, false, cm)),
        (
            "utf8-bom.yaml",
            [&[0xEF, 0xBB, 0xBF][..], odd_kind.as_bytes()].concat(),
        ),
    ];
    let mut cases = Vec::new();
    for (f, bytes) in &docs {
        std::fs::write(env.work.join(f), bytes).unwrap();
        cases.extend(on_file(f).into_iter().filter(|c| {
            ["delete", "get", "apply", "create", "label", "describe"].contains(&c[0].as_str())
        }));
    }
    run_all(&env, cases).await;
}

/// kubectl's messages, checked verbatim so that the rule holds without the oracle too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_messages() {
    let env = setup().await;
    std::fs::write(
        env.work.join("nameless.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: team\n",
    )
    .unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["-n", "team", "delete", "cm", ".."],
            "error: invalid resource name \"..\": [may not be '..']\n",
        ),
        (
            &["-n", "team", "delete", "cm", ""],
            "error: resource name may not be empty\n",
        ),
        (
            &["-n", "team", "delete", "cm", "."],
            "error: invalid resource name \".\": [may not be '.']\n",
        ),
        (
            &["-n", "team", "get", "cm", "%2e%2e"],
            "error: invalid resource name \"%2e%2e\": [may not contain '%']\n",
        ),
        (
            &["-n", "a/%b", "get", "cm", "x"],
            "error: invalid namespace \"a/%b\": [may not contain '/' may not contain '%']\n",
        ),
        (
            &["-n", "..", "delete", "cm", "a"],
            "error: invalid namespace \"..\": [may not be '..']\n",
        ),
        (
            &["delete", "-f", "nameless.yaml"],
            "error: error when deleting \"nameless.yaml\": resource name may not be empty\n",
        ),
        (
            &["label", "-f", "nameless.yaml", "x=y"],
            "error: resource name may not be empty\n",
        ),
    ];
    for (args, want) in cases {
        let before = snapshot(&env);
        let got = env.ours(args).await;
        assert_eq!(
            (got.stdout.as_str(), got.stderr.as_str(), got.code),
            ("", *want, 1),
            "{args:?}"
        );
        assert!(changes(&before, &snapshot(&env)).is_empty(), "{args:?}");
    }
    if oracle().is_some() {
        for (args, want) in cases {
            let theirs = env.kubectl(args).await.unwrap();
            assert_eq!(theirs.stderr, *want, "the oracle disagrees on {args:?}");
        }
    }
}

/// `--raw` sends the typed path; a path the URL parser would rewrite is refused, not sent as
/// another path (kubectl sends it verbatim, which this client's HTTP stack cannot).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_paths_are_not_rewritten() {
    let env = setup().await;
    let got = env
        .ours(&["get", "--raw", "/api/v1/namespaces/team/configmaps/a"])
        .await;
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert!(got.stdout.contains(r#""name":"a""#), "{}", got.stdout);
    for raw in [
        "/api/v1/namespaces/team/configmaps/..",
        "/api/v1/namespaces/team/configmaps/%2e%2E",
        "/api/v1/namespaces/team/configmaps/./..",
    ] {
        let got = env.ours(&["get", "--raw", raw]).await;
        assert_eq!(got.code, 1, "{raw}");
        assert!(got.stdout.is_empty(), "{raw}: {}", got.stdout);
        assert!(
            got.stderr.contains("cannot send unchanged"),
            "{raw}: {}",
            got.stderr
        );
    }
    let got = env.ours(&["get", "--raw", "/a%zz"]).await;
    assert_eq!(
        got.stderr,
        "error: --raw must be a valid URL path: parse \"/a%zz\": invalid URL escape \"%zz\"\n"
    );
    if let Some(theirs) = env.kubectl(&["get", "--raw", "/a%zz"]).await {
        assert_eq!(theirs.stderr, got.stderr);
    }
}

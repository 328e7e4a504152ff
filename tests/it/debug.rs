//! `debug` against the real kubectl (the oracle, v1.33) on identical sandboxes: each case
//! runs kubectl-rs in one cluster and kubectl in another with the same pods, then compares
//! stdout, stderr, exit code and the objects each left behind. Generated names end in a random
//! suffix (`debugger-xxxxx`, `node-debugger-NODE-xxxxx`, the token volume's
//! `kube-api-access-xxxxx`), so those are normalised before comparing. v1.33 defaults to the
//! deprecated `legacy` profile where v1.36 defaults to `general`, and words the legacy
//! warning differently: the oracle is always given `--profile`, and its warning is rewritten
//! to v1.36's. Error cases also check that nothing on the server changed.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{advancing, assert_same, Output, TestEnv};

const PODS: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
  annotations: {note: kept-or-not}
spec:
  securityContext: {runAsUser: 1000}
  initContainers:
  - {name: init, image: busybox, command: [sh, -c, 'true']}
  containers:
  - name: app
    image: nginx:1.25
    livenessProbe: {exec: {command: ['true']}}
    readinessProbe: {exec: {command: ['true']}}
    startupProbe: {exec: {command: ['true']}}
    securityContext: {allowPrivilegeEscalation: false}
  - name: side
    image: busybox
    command: [sh, -c, 'sleep infinity']
---
apiVersion: v1
kind: Pod
metadata: {name: plain}
spec:
  containers:
  - {name: main, image: busybox, command: [sh, -c, 'sleep infinity']}
"#;

const LEGACY_V133: &str = "--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly specify a profile, for example \"--profile=general\".";
const LEGACY_V136: &str = "--profile=legacy is deprecated and planned to be removed in v1.39. It is recommended to specify other profile, for example \"--profile=general\".";

/// A cluster with the two pods running (manual clock).
async fn cluster() -> TestEnv {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pods.yaml"), PODS).unwrap();
    let out = env.ours(&["apply", "-f", "pods.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let store = env.sandbox.store();
    advancing(&env, Duration::from_secs(1), || {
        let store = store.clone();
        async move {
            ["web", "plain"].iter().all(|n| {
                store
                    .get(&pods(), "default", n)
                    .is_some_and(|p| p["status"]["phase"] == "Running")
            })
        }
    })
    .await;
    env
}

fn pods() -> kubectl_rs::sandbox::store::GroupResource {
    kubectl_rs::sandbox::store::GroupResource::new("", "pods")
}

/// `prefix` followed by five characters of utilrand's alphabet becomes `prefixXXXXX`.
fn norm_suffix(s: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(prefix) {
        let after = &rest[i + prefix.len()..];
        let suffix: String = after.chars().take(5).collect();
        out.push_str(&rest[..i + prefix.len()]);
        let random = suffix.len() == 5
            && suffix
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if random {
            out.push_str("XXXXX");
            rest = &after[5..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn norm_text(s: &str) -> String {
    let mut s = norm_suffix(s, "debugger-");
    for node in ["kind-multinodes-worker-", "kind-multinodes-worker2-"] {
        s = norm_suffix(&s, &format!("node-debugger-{node}"));
    }
    norm_suffix(&s, "kube-api-access-")
        .replace("kubectl-rs", "kubectl")
        .replace(LEGACY_V133, LEGACY_V136)
}

fn norm_output(o: &Output, program: &str) -> Output {
    Output {
        stdout: norm_text(&o.stdout.replace(program, "kubectl")),
        stderr: norm_text(&o.stderr.replace(program, "kubectl")),
        code: o.code,
    }
}

/// Every stored object but leases and events, without what differs between two clusters
/// (uids, times, resource versions, managed fields, statuses, random suffixes); pods whose
/// node the scheduler picked lose their node (the copies without `--same-node`).
fn snapshot(env: &TestEnv) -> BTreeMap<String, Value> {
    let store = env.sandbox.store();
    let mut out = BTreeMap::new();
    for gr in store.resources() {
        if ["leases", "events", "endpointslices", "endpoints"].contains(&gr.resource.as_str()) {
            continue;
        }
        for mut o in store.list(&gr, None).0 {
            if let Some(m) = o.as_object_mut() {
                m.remove("status");
                // Each cluster has its own CA.
                if o_is_root_ca(m) {
                    m.remove("data");
                }
            }
            if let Some(m) = o["metadata"].as_object_mut() {
                for k in [
                    "uid",
                    "resourceVersion",
                    "managedFields",
                    "creationTimestamp",
                    "ownerReferences",
                ] {
                    m.remove(k);
                }
            }
            if gr.resource == "pods"
                && o["metadata"]["name"] != "web"
                && o["metadata"]["name"] != "plain"
            {
                let on_chosen_node = o["spec"]["nodeName"].is_string()
                    && !o["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with("node-debugger-");
                if on_chosen_node
                    && !o["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .ends_with("-same")
                {
                    o["spec"].as_object_mut().map(|s| s.remove("nodeName"));
                }
            }
            // kubectl fills --env from a Go map: in random order.
            for list in ["containers", "initContainers", "ephemeralContainers"] {
                for c in o["spec"][list].as_array_mut().into_iter().flatten() {
                    if let Some(env) = c["env"].as_array_mut() {
                        env.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
                    }
                }
            }
            let text = norm_text(&serde_json::to_string(&o).unwrap());
            let o: Value = serde_json::from_str(&text).unwrap();
            let key = format!(
                "{}/{}/{}",
                gr.resource,
                o["metadata"]["namespace"].as_str().unwrap_or_default(),
                o["metadata"]["name"].as_str().unwrap_or_default()
            );
            out.insert(key, o);
        }
    }
    out
}

/// The ConfigMaps that hold each sandbox's own CA.
fn o_is_root_ca(m: &serde_json::Map<String, Value>) -> bool {
    let name = m.get("metadata").and_then(|md| md.get("name"));
    name == Some(&json!("kube-root-ca.crt"))
        || name == Some(&json!("extension-apiserver-authentication"))
}

/// What one CLI did: its output and the cluster before and after it.
struct Run {
    out: Output,
    before: BTreeMap<String, Value>,
    after: BTreeMap<String, Value>,
    env: TestEnv,
}

/// Runs `args` with kubectl-rs in a fresh cluster, and with the oracle in another (None
/// when it is not installed); the oracle's `legacy` default is replaced by `oracle_profile`.
async fn pair(args: &[&str], files: &[(&str, &str)]) -> (Run, Option<Run>) {
    let ours_env = cluster().await;
    for (name, text) in files {
        std::fs::write(ours_env.work.join(name), text).unwrap();
    }
    let before = snapshot(&ours_env);
    let out = ours_env.ours(args).await;
    let ours = Run {
        before,
        out: norm_output(&out, "kubectl-rs"),
        after: snapshot(&ours_env),
        env: ours_env,
    };
    if crate::common::oracle().is_none() {
        return (ours, None);
    }
    let theirs_env = cluster().await;
    for (name, text) in files {
        std::fs::write(theirs_env.work.join(name), text).unwrap();
    }
    let mut oracle_args: Vec<&str> = args.to_vec();
    if !args.iter().any(|a| a.starts_with("--profile")) {
        let at = args.iter().position(|a| *a == "--").unwrap_or(args.len());
        oracle_args.insert(at, "--profile=general");
    }
    let before = snapshot(&theirs_env);
    let Some(out) = theirs_env.kubectl(&oracle_args).await else {
        return (ours, None);
    };
    let mut after = snapshot(&theirs_env);
    // v1.36 labels the node debugging pod (v1.33 does not).
    for (k, p) in after.iter_mut() {
        if k.contains("/node-debugger-") {
            p["metadata"]["labels"]["app.kubernetes.io/managed-by"] = json!("kubectl-debug");
        }
    }
    let theirs = Run {
        before,
        out: norm_output(&out, &crate::common::oracle_name()),
        after,
        env: theirs_env,
    };
    (ours, Some(theirs))
}

/// `pair` returning only what kubectl-rs did, after asserting both CLIs printed the same
/// and left the same objects.
async fn same(args: &[&str], files: &[(&str, &str)]) -> Run {
    let (ours, theirs) = pair(args, files).await;
    // debug writes pods only.
    for (k, v) in &ours.before {
        if !k.starts_with("pods/") {
            assert_eq!(Some(v), ours.after.get(k), "{args:?} changed {k}");
        }
    }
    if let Some(theirs) = theirs {
        let what = args.join(" ");
        assert_same(&what, &ours.out, &theirs.out);
        assert_objects_same(&what, &ours.after, &theirs.after);
    }
    ours
}

#[track_caller]
fn assert_objects_same(
    what: &str,
    ours: &BTreeMap<String, Value>,
    theirs: &BTreeMap<String, Value>,
) {
    let keys = |m: &BTreeMap<String, Value>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(ours), keys(theirs), "{what}: objects differ");
    for (k, v) in ours {
        let a = serde_json::to_string_pretty(v).unwrap();
        let b = serde_json::to_string_pretty(&theirs[k]).unwrap();
        if a != b {
            let diff: Vec<String> = a
                .lines()
                .zip(b.lines())
                .filter(|(x, y)| x != y)
                .take(6)
                .map(|(x, y)| format!("kubectl-rs: {x}\nkubectl:    {y}"))
                .collect();
            panic!(
                "{what}: {k} differs\n{}\n--- kubectl-rs:\n{a}",
                diff.join("\n")
            );
        }
    }
}

fn pod<'a>(run: &'a Run, name: &str) -> &'a Value {
    &run.after[&format!("pods/default/{name}")]
}

#[tokio::test]
async fn an_ephemeral_container_joins_the_pod_and_runs() {
    let run = same(
        &[
            "debug",
            "web",
            "--image=busybox",
            "--profile=general",
            "--",
            "sh",
            "-c",
            "echo hi from the debugger",
        ],
        &[],
    )
    .await;
    assert_eq!(
        run.out.stdout,
        "Defaulting debug container name to debugger-XXXXX.\n"
    );
    // The pod runs as user 1000, and the general profile adds SYS_PTRACE.
    assert!(
        run.out
            .stderr
            .starts_with("Warning: Non-root user is configured"),
        "{:?}",
        run.out
    );
    let ec = &pod(&run, "web")["spec"]["ephemeralContainers"][0];
    assert_eq!(ec["name"], "debugger-XXXXX");
    assert_eq!(
        ec["command"],
        json!(["sh", "-c", "echo hi from the debugger"])
    );
    assert_eq!(
        ec["securityContext"],
        json!({"capabilities": {"add": ["SYS_PTRACE"]}})
    );
    // The simulated kubelet starts it; its log is the command's output.
    let env = &run.env;
    let store = env.sandbox.store();
    let name = store.get(&pods(), "default", "web").unwrap()["spec"]["ephemeralContainers"][0]
        ["name"]
        .as_str()
        .unwrap()
        .to_string();
    advancing(env, Duration::from_secs(1), || {
        let store = store.clone();
        async move {
            let p = store.get(&pods(), "default", "web").unwrap();
            p["status"]["ephemeralContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
        }
    })
    .await;
    let p = store.get(&pods(), "default", "web").unwrap();
    assert_eq!(
        p["status"]["phase"], "Running",
        "an ephemeral container does not end its pod"
    );
    assert_eq!(p["status"]["ephemeralContainerStatuses"][0]["ready"], false);
    let logs = env.ours(&["logs", "web", "-c", &name]).await;
    assert_eq!(logs.stdout, "hi from the debugger\n", "{logs:?}");
    // A running ephemeral container takes exec like any other.
    let out = env
        .ours(&[
            "debug",
            "web",
            "--image=busybox",
            "-c",
            "long",
            "-q",
            "--",
            "sleep",
            "3600",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    advancing(env, Duration::from_secs(1), || {
        let store = store.clone();
        async move {
            let p = store.get(&pods(), "default", "web").unwrap();
            p["status"]["ephemeralContainerStatuses"][1]["state"]["running"].is_object()
        }
    })
    .await;
    let out = env
        .ours(&["exec", "web", "-c", "long", "--", "echo", "inside"])
        .await;
    assert_eq!((out.stdout.as_str(), out.code), ("inside\n", 0), "{out:?}");
}

#[tokio::test]
async fn ephemeral_containers_per_profile_match_kubectl() {
    for profile in [
        "general",
        "baseline",
        "restricted",
        "netadmin",
        "sysadmin",
        "legacy",
    ] {
        let p = format!("--profile={profile}");
        let run = same(
            &[
                "debug",
                "web",
                "--image=busybox:1.36",
                &p,
                "-c",
                "dbg",
                "--target=app",
                "--env=A=1,B=two",
                "--env=C=3",
                "--image-pull-policy=IfNotPresent",
                "--arguments-only",
                "--",
                "sleep",
                "5",
            ],
            &[],
        )
        .await;
        assert!(
            run.out.stdout.starts_with("Targeting container \"app\"."),
            "{profile}: {:?}",
            run.out
        );
        let ec = &pod(&run, "web")["spec"]["ephemeralContainers"][0];
        assert_eq!(ec["targetContainerName"], "app", "{profile}");
        assert_eq!(ec["args"], json!(["sleep", "5"]), "{profile}");
        assert_eq!(ec["env"].as_array().map(Vec::len), Some(3), "{profile}");
    }
}

#[tokio::test]
async fn the_default_profile_is_general() {
    // The oracle is v1.33 (default legacy); `pair` gives it --profile=general.
    let run = same(&["debug", "plain", "--image=busybox", "-q"], &[]).await;
    assert_eq!(run.out.stdout, "");
    assert_eq!(run.out.stderr, "");
    let ec = &pod(&run, "plain")["spec"]["ephemeralContainers"][0];
    assert_eq!(
        ec["securityContext"]["capabilities"]["add"],
        json!(["SYS_PTRACE"])
    );
}

#[tokio::test]
async fn copies_of_a_pod_match_kubectl() {
    let cases: &[&[&str]] = &[
        &[
            "debug",
            "web",
            "--copy-to=c1",
            "--image=busybox",
            "--profile=general",
        ],
        &[
            "debug",
            "web",
            "--copy-to=c2-same",
            "--image=busybox",
            "--profile=general",
            "--keep-labels",
            "--keep-annotations",
            "--keep-liveness",
            "--keep-readiness",
            "--keep-startup",
            "--share-processes=false",
            "--same-node",
            "-c",
            "dbg",
            "--env=A=1",
            "--",
            "sh",
            "-c",
            "sleep 1",
        ],
        &[
            "debug",
            "web",
            "--copy-to=c3",
            "--profile=general",
            "--set-image=*=busybox:1.36",
            "-c",
            "app",
            "--",
            "sleep",
            "10",
        ],
        &[
            "debug",
            "web",
            "--copy-to=c4",
            "--profile=legacy",
            "--set-image=app=nginx:2,side=busybox:2",
        ],
        &[
            "debug",
            "web",
            "--copy-to=c5",
            "--profile=restricted",
            "--image=busybox",
            "--keep-init-containers=false",
            "--arguments-only",
            "--",
            "a",
            "b",
        ],
        &[
            "debug",
            "web",
            "--copy-to=c6",
            "--profile=sysadmin",
            "--image=busybox",
            "-c",
            "init",
        ],
        &[
            "debug",
            "web",
            "--copy-to=c7",
            "--profile=netadmin",
            "--image=busybox",
            "--image-pull-policy=Never",
            "-q",
        ],
        &[
            "debug",
            "web",
            "--copy-to=c8",
            "--profile=baseline",
            "--image=busybox",
            "--replace",
        ],
        &[
            "debug",
            "plain",
            "--copy-to=c9",
            "--profile=general",
            "-c",
            "main",
            "--image=alpine",
            "--env=X=y",
        ],
    ];
    for args in cases {
        let run = same(args, &[]).await;
        assert_eq!(run.out.code, 0, "{args:?}: {:?}", run.out);
    }
    // --replace deleted the original.
    let run = same(
        &[
            "debug",
            "web",
            "--copy-to=web-copy",
            "--profile=general",
            "--image=busybox",
            "--replace",
        ],
        &[],
    )
    .await;
    assert!(!run.after.contains_key("pods/default/web"));
    let copy = pod(&run, "web-copy");
    assert!(copy["metadata"]["labels"].is_null());
    assert_eq!(copy["spec"]["shareProcessNamespace"], true);
    assert!(
        copy["spec"]["initContainers"].is_array(),
        "init containers are kept by default"
    );
    assert!(copy["spec"]["containers"][0]["livenessProbe"].is_null());
}

#[tokio::test]
async fn node_debugging_pods_match_kubectl() {
    for profile in [
        "general",
        "baseline",
        "restricted",
        "netadmin",
        "sysadmin",
        "legacy",
    ] {
        let p = format!("--profile={profile}");
        let run = same(
            &[
                "debug",
                "node/kind-multinodes-worker",
                "--image=busybox",
                &p,
                "--",
                "sleep",
                "1",
            ],
            &[],
        )
        .await;
        assert_eq!(
            run.out.stdout,
            "Creating debugging pod node-debugger-kind-multinodes-worker-XXXXX with container debugger on node kind-multinodes-worker.\n",
            "{profile}"
        );
        let p = pod(&run, "node-debugger-kind-multinodes-worker-XXXXX");
        assert_eq!(
            p["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "kubectl-debug"
        );
        assert_eq!(p["spec"]["restartPolicy"], "Never");
        let host = matches!(profile, "general" | "netadmin" | "sysadmin" | "legacy");
        assert_eq!(
            p["spec"]["hostPID"].as_bool() == Some(true),
            host,
            "{profile}"
        );
        let mounted = matches!(profile, "general" | "sysadmin" | "legacy");
        assert_eq!(
            p["spec"]["containers"][0]["volumeMounts"][0]["mountPath"] == "/host",
            mounted,
            "{profile}"
        );
    }
    // -c names the container; -n places the pod.
    let run = same(
        &[
            "debug",
            "node/kind-multinodes-worker2",
            "--image=busybox",
            "--profile=general",
            "-c",
            "dbg",
            "-n",
            "kube-system",
        ],
        &[],
    )
    .await;
    assert!(
        run.out
            .stdout
            .contains("with container dbg on node kind-multinodes-worker2."),
        "{:?}",
        run.out
    );
    assert!(run
        .after
        .contains_key("pods/kube-system/node-debugger-kind-multinodes-worker2-XXXXX"));
}

#[tokio::test]
async fn custom_profiles_merge_into_the_container() {
    let custom_json = r#"{"env": [{"name": "FROM_CUSTOM", "value": "yes"}], "securityContext": {"runAsUser": 0}, "workingDir": "/tmp", "unknownField": 1}"#;
    let custom_yaml = "env:\n- name: FROM_YAML\n  value: 'y'\nstdin: true\n";
    // Numbers for strings are written as strings; `yes` is YAML 1.1's true.
    let custom_coerced = r#"{"env": [{"name": "N", "value": 5}], "workingDir": 7, "tty": true}"#;
    let files = [
        ("custom.json", custom_json),
        ("custom.yaml", custom_yaml),
        ("coerced.json", custom_coerced),
        ("yes.yaml", "stdin: yes\n"),
        ("empty.yaml", ""),
    ];
    let run = same(
        &[
            "debug",
            "web",
            "--image=busybox",
            "--profile=sysadmin",
            "--custom=custom.json",
            "-c",
            "dbg",
        ],
        &files,
    )
    .await;
    let ec = &pod(&run, "web")["spec"]["ephemeralContainers"][0];
    assert_eq!(
        ec["securityContext"],
        json!({"privileged": true, "runAsUser": 0})
    );
    assert_eq!(ec["workingDir"], "/tmp");
    same(
        &[
            "debug",
            "web",
            "--copy-to=cc",
            "--image=busybox",
            "--profile=general",
            "--custom=custom.yaml",
            "-c",
            "dbg",
        ],
        &files,
    )
    .await;
    same(
        &[
            "debug",
            "node/kind-multinodes-worker",
            "--image=busybox",
            "--profile=general",
            "--custom=custom.yaml",
        ],
        &files,
    )
    .await;
    let custom = |f: &'static str| {
        [
            "debug",
            "web",
            "--image=busybox",
            "--profile=general",
            f,
            "-c",
            "d",
        ]
    };
    let run = same(&custom("--custom=coerced.json"), &files).await;
    let ec = &pod(&run, "web")["spec"]["ephemeralContainers"][0];
    assert_eq!(
        (ec["workingDir"].as_str(), ec["env"][0]["value"].as_str()),
        (Some("7"), Some("5"))
    );
    let run = same(&custom("--custom=yes.yaml"), &files).await;
    assert_eq!(
        pod(&run, "web")["spec"]["ephemeralContainers"][0]["stdin"],
        true
    );
    same(&custom("--custom=empty.yaml"), &files).await;
}

/// Bad input: kubectl's words and exit code, and the cluster as it was.
#[tokio::test]
async fn bad_input_is_refused_as_kubectl_refuses_it() {
    let custom_name = r#"{"name": "x"}"#;
    let custom_cmd = "command: [sh]\n";
    let custom_bad = "{not json: [\n";
    let custom_list = "[1, 2]";
    let files = [
        ("name.json", custom_name),
        ("cmd.yaml", custom_cmd),
        ("bad.yaml", custom_bad),
        ("list.json", custom_list),
        // A number for a string becomes a string (then the command is refused); other
        // wrong types are refused as Go's decoder words it.
        ("cmdnum.yaml", "command: [1]\n"),
        ("envstr.yaml", "env: x\n"),
        ("stdinstr.yaml", "stdin: \"yes\"\n"),
        ("scstr.json", r#"{"securityContext": "x"}"#),
        ("pods.yaml", PODS),
    ];
    let cases: &[&[&str]] = &[
        &["debug", "web"],
        &["debug", "--image=busybox"],
        &["debug", "web", "--image=busybox", "--profile=bogus"],
        &["debug", "web", "--image=busybox", "--replace"],
        &["debug", "web", "--image=busybox", "--same-node"],
        &["debug", "web", "--image=busybox", "--set-image=a=b"],
        &["debug", "web", "--copy-to=x"],
        &["debug", "web", "--copy-to=x", "--", "sh"],
        &["debug", "web", "--copy-to=x", "-c", "nope", "--", "sh"],
        &[
            "debug",
            "web",
            "--copy-to=x",
            "--target=app",
            "--image=busybox",
        ],
        &["debug", "web", "--image=Bad Image"],
        &[
            "debug",
            "web",
            "--image=busybox",
            "--image-pull-policy=Sometimes",
        ],
        &["debug", "web", "--image=busybox", "--env=FOO"],
        &["debug", "web", "--image=busybox", "--set-image=*"],
        &["debug", "web", "--image=busybox", "-t"],
        &["debug", "web", "--copy-to=x", "--set-image=app=Bad Image"],
        &["debug", "web", "--attach"],
        &["debug", "nope", "--image=busybox"],
        &["debug", "deployment/nope", "--image=busybox"],
        &["debug", "svc/kubernetes", "--image=busybox"],
        &["debug", "node/nope", "--image=busybox"],
        &["debug", "web", "-f", "pods.yaml", "--image=busybox"],
        &["debug", "a/b/c", "--image=busybox"],
        &["debug", "pods/", "--image=busybox"],
        &["debug", "web", "--image=busybox", "-n", "nope"],
        &[
            "debug",
            "web",
            "--image=busybox",
            "--custom=/nonexistent/custom.json",
        ],
        &["debug", "web", "--image=busybox", "--custom=name.json"],
        &["debug", "web", "--image=busybox", "--custom=cmd.yaml"],
        &["debug", "web", "--image=busybox", "--custom=bad.yaml"],
        &["debug", "web", "--image=busybox", "--custom=list.json"],
        &["debug", "web", "--image=busybox", "--custom=cmdnum.yaml"],
        &["debug", "web", "--image=busybox", "--custom=envstr.yaml"],
        &["debug", "web", "--image=busybox", "--custom=stdinstr.yaml"],
        &["debug", "web", "--image=busybox", "--custom=scstr.json"],
        // The server refuses these: a name taken by a container, a target that is no
        // container, a copy named like an existing pod.
        &["debug", "web", "--image=busybox", "-c", "app"],
        &["debug", "web", "--image=busybox", "-c", "Not_A_Name"],
        &["debug", "web", "--image=busybox", "--target=nope", "-q"],
        &["debug", "web", "--image=busybox", "--copy-to=plain"],
        &["debug", "web", "--image=busybox", "--copy-to=Bad_Name"],
        &[
            "debug",
            "node/kind-multinodes-worker",
            "--image=busybox",
            "-c",
            "UPPER",
        ],
    ];
    // Nothing changes, so one cluster per CLI serves every case.
    let ours_env = cluster_with(&files).await;
    let theirs_env = match crate::common::oracle() {
        Some(_) => Some(cluster_with(&files).await),
        None => None,
    };
    let ours_before = snapshot(&ours_env);
    let theirs_before = theirs_env.as_ref().map(snapshot);
    for args in cases {
        let what = args.join(" ");
        let ours = norm_output(&ours_env.ours(args).await, "kubectl-rs");
        assert_ne!(ours.code, 0, "{what}: {ours:?}");
        assert_objects_same(
            &format!("{what} (unchanged)"),
            &snapshot(&ours_env),
            &ours_before,
        );
        let (Some(env), Some(before)) = (&theirs_env, &theirs_before) else {
            continue;
        };
        let mut oracle_args = args.to_vec();
        let at = args.iter().position(|a| *a == "--").unwrap_or(args.len());
        if !args.iter().any(|a| a.starts_with("--profile")) {
            oracle_args.insert(at, "--profile=general");
        }
        let theirs = env.kubectl(&oracle_args).await.unwrap();
        let theirs = norm_output(&theirs, &crate::common::oracle_name());
        assert_same(&what, &ours, &theirs);
        assert_objects_same(
            &format!("{what} (kubectl unchanged)"),
            &snapshot(env),
            before,
        );
    }
}

async fn cluster_with(files: &[(&str, &str)]) -> TestEnv {
    let env = cluster().await;
    for (name, text) in files {
        std::fs::write(env.work.join(name), text).unwrap();
    }
    env
}

/// Runs `args` with `input` on stdin in a fresh cluster, the clock moving from the start
/// (a debugging container with stdin waits for it), normalised.
async fn attached(program: &str, cache: &str, args: &[&str], input: &[u8]) -> (Output, TestEnv) {
    let env = cluster().await;
    let out = crate::attach::drive(&env, program, cache, args, input, &|| true).await;
    (out, env)
}

/// `-i`/`--attach`: debug waits for the debugging container (ephemeral, in a copy, or in a
/// node pod), attaches with stdin, and exits as kubectl does; a container that ends with a
/// failure is reported through kubectl's warning and its log.
#[tokio::test]
async fn debug_attaches_to_the_debugging_container() {
    let Some(oracle) = crate::common::oracle() else {
        return;
    };
    let ours_bin = env!("CARGO_BIN_EXE_kubectl-rs");
    let cases: &[(&[&str], &[u8])] = &[
        (
            &[
                "debug",
                "web",
                "-i",
                "--image=busybox",
                "--target=app",
                "--",
                "sh",
                "-c",
                "read l; echo hi $l",
            ],
            b"piped\n",
        ),
        (
            &[
                "debug",
                "plain",
                "-q",
                "-i",
                "--image=busybox",
                "-c",
                "dbg",
                "--",
                "sh",
                "-c",
                "read l; echo got $l; exit 3",
            ],
            b"line\n",
        ),
        (
            &[
                "debug",
                "plain",
                "-it",
                "--image=busybox",
                "--",
                "sh",
                "-c",
                "read l; echo got $l",
            ],
            b"tty\n",
        ),
        (
            &[
                "debug",
                "web",
                "-i",
                "--copy-to=web-copy",
                "--image=busybox",
                "-c",
                "dbg",
                "--",
                "sh",
                "-c",
                "read l; echo got $l",
            ],
            b"copied\n",
        ),
        (
            &[
                "debug",
                "node/kind-multinodes-worker",
                "-i",
                "--image=busybox",
                "--",
                "sh",
                "-c",
                "read l; echo got $l",
            ],
            b"on the node\n",
        ),
    ];
    for (args, input) in cases {
        // The oracle needs --profile (see the module comment), before `--`.
        let mut theirs_args = args.to_vec();
        let dash = theirs_args.iter().position(|a| *a == "--").unwrap();
        theirs_args.insert(dash, "--profile=general");
        let (ours, env_ours) = attached(ours_bin, "cache-rs", args, input).await;
        let (theirs, env_theirs) = attached(oracle, "cache-kubectl", &theirs_args, input).await;
        let ours = norm_output(&ours, "kubectl-rs");
        let theirs = norm_output(
            &crate::attach::as_v136(theirs),
            &crate::common::oracle_name(),
        );
        let what = args.join(" ");
        assert_same(&what, &ours, &theirs);
        let mut after = snapshot(&env_theirs);
        // v1.36 labels the node debugging pod (v1.33 does not).
        for (k, p) in after.iter_mut() {
            if k.contains("/node-debugger-") {
                p["metadata"]["labels"]["app.kubernetes.io/managed-by"] = json!("kubectl-debug");
            }
        }
        assert_objects_same(&what, &snapshot(&env_ours), &after);
    }
}

/// What kubectl refuses around attaching: `--attach` with no container to attach to (before
/// anything is sent), and a debugging container the server rejects (before any wait or
/// attach); nothing changes on the server.
#[tokio::test]
async fn attaching_refusals_match_kubectl() {
    for args in [
        &[
            "debug",
            "web",
            "--attach",
            "--copy-to=x",
            "--set-image=*=busybox",
        ][..],
        &["debug", "web", "-i", "--image=busybox", "-c", "app"],
        &["debug", "missing", "-it", "--image=busybox"],
    ] {
        let run = same(args, &[]).await;
        assert_eq!(run.out.code, 1, "{args:?}: {:?}", run.out);
        assert_objects_same(&args.join(" "), &run.after, &run.before);
    }
}

/// The subresource as kube-apiserver serves it, written to directly.
#[tokio::test]
async fn the_ephemeralcontainers_subresource_guards_existing_containers() {
    let env = cluster().await;
    let out = env
        .ours(&["debug", "web", "--image=busybox", "-c", "one", "-q"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let h = &env.sandbox;
    let pem = format!("{}{}", h.client_cert_pem(), h.client_key_pem());
    let c = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(h.ca_pem().as_bytes()).unwrap())
        .identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let url = format!(
        "{}/api/v1/namespaces/default/pods/web/ephemeralcontainers",
        h.server_url()
    );
    let send = |m: Method, ct: &'static str, body: Option<String>| {
        let mut r = c.request(m, &url);
        if let Some(b) = body {
            r = r.header("content-type", ct).body(b);
        }
        async move {
            let resp = r.send().await.unwrap();
            let code = resp.status();
            (code, resp.json::<Value>().await.unwrap())
        }
    };
    let (code, got) = send(Method::GET, "", None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(got["kind"], "Pod");
    assert_eq!(got["spec"]["ephemeralContainers"][0]["name"], "one");
    let before = snapshot(&env);

    // Removing an existing ephemeral container.
    let mut pod = got.clone();
    pod["spec"]["ephemeralContainers"] = json!([]);
    let (code, status) = send(Method::PUT, "application/json", Some(pod.to_string())).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{status}");
    assert_eq!(
        status["message"],
        "Pod \"web\" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers \"one\" may not be removed\n"
    );
    // Changing one.
    let mut pod = got.clone();
    pod["spec"]["ephemeralContainers"][0]["image"] = json!("alpine");
    let (code, status) = send(Method::PUT, "application/json", Some(pod.to_string())).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{status}");
    let msg = status["message"].as_str().unwrap();
    assert!(
        msg.starts_with("Pod \"web\" is invalid: spec.ephemeralContainers[\"one\"]: Forbidden: existing ephemeral containers \"one\" may not be changed\n"),
        "{msg}"
    );
    // Fields ephemeral containers may not have.
    let patch = json!({"spec": {"ephemeralContainers": [
        {"name": "two", "image": "busybox", "ports": [{"containerPort": 80}],
         "readinessProbe": {"exec": {"command": ["true"]}},
         "volumeMounts": [{"name": "x", "mountPath": "/x", "subPath": "y"}]}]}});
    let (code, status) = send(
        Method::PATCH,
        "application/strategic-merge-patch+json",
        Some(patch.to_string()),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{status}");
    let fields: Vec<&str> = status["details"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    // (Where the patch puts the new container in the list is the merge's business.)
    for f in [
        "].volumeMounts[0].name",
        "].ports",
        "].readinessProbe",
        "].volumeMounts[0].subPath",
    ] {
        assert!(
            fields
                .iter()
                .any(|x| x.starts_with("spec.ephemeralContainers[") && x.ends_with(f)),
            "{f} in {fields:?}"
        );
    }
    assert_objects_same("refused writes", &snapshot(&env), &before);

    // Everything but the ephemeral containers is ignored: the labels stay, a new one is added.
    let mut pod = got.clone();
    pod["metadata"]["labels"] = json!({"changed": "yes"});
    pod["spec"]["containers"][0]["image"] = json!("nginx:9");
    let mut list = pod["spec"]["ephemeralContainers"]
        .as_array()
        .unwrap()
        .clone();
    list.push(json!({"name": "two", "image": "busybox", "terminationMessagePolicy": "File", "imagePullPolicy": "Always"}));
    pod["spec"]["ephemeralContainers"] = json!(list);
    let (code, saved) = send(Method::PUT, "application/json", Some(pod.to_string())).await;
    assert_eq!(code, StatusCode::OK, "{saved}");
    assert_eq!(saved["metadata"]["labels"], json!({"app": "web"}));
    assert_eq!(saved["spec"]["containers"][0]["image"], "nginx:1.25");
    assert_eq!(saved["spec"]["ephemeralContainers"][1]["name"], "two");
    assert_eq!(
        saved["spec"]["ephemeralContainers"][1]["terminationMessagePath"],
        "/dev/termination-log"
    );

    // A pod cannot be created with ephemeral containers.
    let out = env
        .ours(&[
            "run",
            "x",
            "--image=busybox",
            "--overrides",
            r#"{"spec": {"ephemeralContainers": [{"name": "e", "image": "busybox"}]}}"#,
        ])
        .await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("spec.ephemeralContainers: Forbidden: cannot be set on create"),
        "{out:?}"
    );
}

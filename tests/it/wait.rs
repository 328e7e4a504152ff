//! `wait` against the sandbox, compared with the real kubectl (when installed) on a twin
//! sandbox given the same commands: the seed flow (pods becoming Ready after an apply),
//! conditions, jsonpath, delete and create waits that a concurrent change satisfies, timeouts,
//! and the errors. kubectl v1.33 and v1.36 print the same for these cases, except that v1.36
//! accepts `-o kyaml` (the one case using it is checked on kubectl-rs alone).

// The shared harness trips one clippy lint (reported to the lead; not edited here).
use crate::common;

use std::time::Duration;

use common::{assert_same, oracle, Output, TestEnv};

const CMS: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  labels: {app: x}
data: {k: v1}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: b
  labels: {app: x}
data: {k: v1}
";

const A_V2: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  labels: {app: x}
data: {k: v2}
";

const LATER: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: later
";

const LATER_LABELED: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: later
  labels: {app: late}
";

/// When a racing change is made.
const CHANGE_AFTER: Duration = Duration::from_millis(2000);

/// Each process may take this long (the longest wait asked for is a few seconds).
const LIMIT: Duration = Duration::from_secs(40);

/// kubectl names itself after its binary in one message; v1.36 also lists `kyaml` among
/// the output formats (cli-runtime `JSONYamlPrintFlags`).
fn as_kubectl(mut o: Output) -> Output {
    o.stderr = o
        .stderr
        .replace("jsonpath-file,name,", "jsonpath-file,kyaml,name,");
    o.stderr = o.stderr.replace(&common::oracle_name(), "kubectl");
    // client-go's reflector logs a watch that its own timeout closed within a second; whether
    // that happens depends on the machine's load, not on what is compared.
    o.stderr = o
        .stderr
        .lines()
        .filter(|l| !(l.starts_with('I') && l.contains("Unexpected watch close")))
        .map(|l| format!("{l}\n"))
        .collect();
    o.stderr = o
        .stderr
        .replace("'kubectl wait --help'", "'kubectl-rs wait --help'");
    o
}

async fn run(env: &TestEnv, oracle: bool, args: &[&str]) -> Output {
    let what = args.join(" ");
    let run = async {
        if oracle {
            as_kubectl(env.kubectl(args).await.expect("kubectl installed"))
        } else {
            env.ours(args).await
        }
    };
    tokio::time::timeout(LIMIT, run)
        .await
        .unwrap_or_else(|_| panic!("{what}: did not finish"))
}

/// Runs `args` with both tools, each on its own sandbox, and compares.
async fn both(ours: &TestEnv, theirs: &TestEnv, args: &[&str]) {
    let b = run(theirs, true, args).await.normalized();
    let a = run(ours, false, args).await.normalized();
    assert_same(&args.join(" "), &a, &b);
}

/// Runs `args` with one tool while `change` (run with kubectl-rs after a pause) alters the
/// sandbox: the wait must see the change through its watch.
async fn racing(env: &TestEnv, oracle: bool, args: &[&str], change: &[&str]) -> Output {
    let waiting = run(env, oracle, args);
    let changing = async {
        // Long enough for the wait to have listed, even on a busy machine.
        tokio::time::sleep(CHANGE_AFTER).await;
        let o = env.ours(change).await;
        assert_eq!(o.code, 0, "{change:?}: {o:?}");
    };
    let (out, ()) = tokio::join!(waiting, changing);
    out.normalized()
}

fn write(envs: [&TestEnv; 2], name: &str, text: &str) {
    for e in envs {
        std::fs::write(e.work.join(name), text).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_cases_match_kubectl() {
    if oracle().is_none() {
        return;
    }
    let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
    write([&ours, &theirs], "cms.yaml", CMS);
    let cases: &[&[&str]] = &[
        // The seed script: wait right after the apply.
        &["apply", "-f", "node-exporter-daemonset.yaml"],
        &[
            "wait",
            "--for=condition=Ready",
            "pod",
            "-l",
            "app=node-exporter",
            "--timeout=60s",
        ],
        &["wait", "--for=condition=Ready", "pod", "--all"],
        &["wait", "--for=condition=ready=TRUE", "pod", "-A", "--all"],
        &[
            "wait",
            "--for=condition=Ready",
            "pod",
            "-l",
            "app=node-exporter",
            "--field-selector",
            "spec.nodeName=kind-multinodes-worker",
        ],
        &[
            "wait",
            "--for=jsonpath={.status.phase}=Running",
            "pod",
            "-l",
            "app=node-exporter",
        ],
        &[
            "wait",
            "--for=jsonpath=.status.phase",
            "pod",
            "-l",
            "app=node-exporter",
            "-o",
            "name",
        ],
        &[
            "wait",
            "--for=jsonpath={.status.numberReady}=2",
            "-f",
            "node-exporter-daemonset.yaml",
        ],
        &[
            "wait",
            "--for=jsonpath={.status.numberReady}=2",
            "daemonset/node-exporter",
            "-o",
            "jsonpath={.metadata.name}",
        ],
        &[
            "wait",
            "--for=condition=Ready",
            "pod",
            "-l",
            "app=node-exporter",
            "-o",
            "go-template={{.metadata.namespace}}{{\"\\n\"}}",
        ],
        // Not met: once with a zero timeout, until the deadline otherwise.
        &[
            "wait",
            "--for=condition=Ready=false",
            "pod",
            "-l",
            "app=node-exporter",
            "--timeout=0",
        ],
        &[
            "wait",
            "--for=condition=Ready=false",
            "pod",
            "-l",
            "app=node-exporter",
            "--timeout=1s",
        ],
        &[
            "wait",
            "--for=condition=Ready",
            "-f",
            "node-exporter-daemonset.yaml",
            "--timeout=1s",
        ],
        &[
            "wait",
            "--for=delete",
            "pod",
            "-l",
            "app=node-exporter",
            "--timeout=0",
        ],
        &[
            "wait",
            "--for=delete",
            "pod",
            "-l",
            "app=node-exporter",
            "--timeout=1s",
        ],
        &[
            "wait",
            "--for=jsonpath={.status.conditions}=x",
            "pod",
            "-l",
            "app=node-exporter",
        ],
        &[
            "wait",
            "--for=jsonpath={.status.conditions[*].type}=x",
            "pod",
            "-l",
            "app=node-exporter",
        ],
        // Nothing there.
        &["wait", "--for=condition=Ready", "pod", "-l", "app=none"],
        &["wait", "--for=delete", "pod", "-l", "app=none"],
        &["wait", "--for=delete", "pod/nope"],
        &["wait", "--for=condition=Ready", "pod/nope", "pod/nope2"],
        &["wait", "--for=condition=Ready", "-n", "nons", "pod/x"],
        &["wait", "--for=delete", "-n", "nons", "pod/x"],
        &[
            "wait",
            "--for=condition=Ready",
            "pods,ds",
            "-l",
            "app=node-exporter",
            "--timeout=1s",
        ],
        &["wait", "--for=condition=Ready", "-f", "unknown-kind.yaml"],
        &["wait", "--for=condition=Ready", "-f", "missing.yaml"],
        // Wait errors first, then the files' errors as one aggregate.
        &[
            "wait",
            "--for=condition=Ready",
            "-f",
            "unknown-kind.yaml",
            "-f",
            "node-exporter-daemonset.yaml",
            "-f",
            "missing-kind.yaml",
            "--timeout=0",
        ],
        &[
            "wait",
            "--for=jsonpath={.kind}",
            "-f",
            "unknown-kind.yaml",
            "-f",
            "node-exporter-daemonset.yaml",
            "-f",
            "missing-kind.yaml",
        ],
        &["wait", "--for=create", "pod/nope", "--timeout=1s"],
        &["wait", "--for=create", "pod/nope", "--timeout=0"],
        &["wait", "--for=create", "pod/x", "pod/y", "--timeout=1s"],
        &[
            "wait",
            "--for=create",
            "-f",
            "unknown-kind.yaml",
            "-f",
            "node-exporter-daemonset.yaml",
        ],
        &[
            "wait",
            "--for=create",
            "pod",
            "-l",
            "app=node-exporter",
            "--timeout=0",
        ],
        // Usage errors.
        // (No --for: v1.33 says `""`, v1.36 `[]`; a unit test covers v1.36.)
        &["wait", "--for=bogus", "pod/nope"],
        &["wait", "--for=jsonpath={.status.phase}=", "pod/nope"],
        &["wait", "--for=jsonpath={.a}=b=c", "pod/nope"],
        &["wait", "--for=jsonpath=", "pod/nope"],
        &["wait", "--for=jsonpath={.status.phase", "pod/nope"],
        &["wait", "--for=condition=Ready", "pod"],
        &["wait", "--for=condition=Ready"],
        &["wait", "--for=condition=Ready", "pod/x", "--local"],
        &["wait", "--for=condition=Ready", "pod/x", "--timeout=bad"],
        &["wait", "--for=condition=Ready", "pod", "-l", "a=b", "pod/x"],
        &["wait", "--for=condition=Ready", "pod", "x", "-l", "a=b"],
        &["wait", "--for=delete", "pod", "--all", "-l", "a=b"],
        &["wait", "--for=condition=Ready", "pod", "--all", "-l", "a=b"],
        &[
            "wait",
            "--for=condition=Ready",
            "pod",
            "--all",
            "--field-selector",
            "a=b",
        ],
        &[
            "wait",
            "--for=condition=Ready",
            "pod/x",
            "-o",
            "custom-columns=A:.a",
        ],
        // Configmaps for the racing cases below.
        &["create", "-f", "cms.yaml"],
        &["wait", "--for=delete", "cm/a", "--timeout=1s"],
        &["wait", "--for=create", "-f", "cms.yaml", "-o", "name"],
        &["wait", "--for=jsonpath={.data.k}=v1", "cm", "-l", "app=x"],
    ];
    for args in cases {
        both(&ours, &theirs, args).await;
    }

    write([&ours, &theirs], "a-v2.yaml", A_V2);
    write([&ours, &theirs], "later.yaml", LATER);
    write([&ours, &theirs], "later-labeled.yaml", LATER_LABELED);
    let races: &[(&[&str], &[&str])] = &[
        (
            &[
                "wait",
                "--for=jsonpath={.data.k}=v2",
                "cm/a",
                "--timeout=20s",
            ],
            &["apply", "-f", "a-v2.yaml"],
        ),
        (
            &["wait", "--for=delete", "cm/b", "--timeout=20s"],
            &["delete", "cm", "b", "--wait=false"],
        ),
        (
            &["wait", "--for=create", "cm/later", "--timeout=20s"],
            &["create", "-f", "later.yaml"],
        ),
        (
            &[
                "wait",
                "--for=create",
                "cm",
                "-l",
                "app=late",
                "--timeout=20s",
            ],
            &["apply", "-f", "later-labeled.yaml"],
        ),
    ];
    for (wait, change) in races {
        let b = racing(&theirs, true, wait, change).await;
        let a = racing(&ours, false, wait, change).await;
        assert_same(&wait.join(" "), &a, &b);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_without_oracle() {
    let env = TestEnv::start().await;
    // The seed script: the pods start Pending and become Ready while the wait watches them.
    assert_eq!(
        env.ours(&["apply", "-f", "node-exporter-daemonset.yaml"])
            .await
            .code,
        0
    );
    let o = env
        .ours(&[
            "wait",
            "--for=condition=Ready",
            "pod",
            "-l",
            "app=node-exporter",
            "--timeout=60s",
        ])
        .await
        .normalized();
    assert_eq!(
        (o.stdout.as_str(), o.stderr.as_str(), o.code),
        (
            "pod/node-exporter-XXXXX condition met\npod/node-exporter-XXXXX condition met\n",
            "",
            0
        )
    );
    std::fs::write(env.work.join("cms.yaml"), CMS).unwrap();
    assert_eq!(env.ours(&["create", "-f", "cms.yaml"]).await.code, 0);
    let o = env
        .ours(&["wait", "--for=jsonpath={.data.k}=v1", "cm/a", "-o", "kyaml"])
        .await;
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stdout.starts_with("---\n"), "{}", o.stdout);
    assert!(o.stdout.contains("name: \"a\""), "{}", o.stdout);
    // Two conditions: one line each.
    let o = env
        .ours(&[
            "wait",
            "--for=create",
            "--for=condition=Ready=false",
            "cm/a",
            "--timeout=0",
        ])
        .await;
    assert_eq!(
        (o.stdout.as_str(), o.stderr.as_str(), o.code),
        (
            "configmap/a condition met\n",
            "error: condition not met for configmaps/a\n",
            1
        )
    );
    // --local checks the file's object without the server.
    let o = env
        .ours(&[
            "wait",
            "--for=jsonpath={.data.k}=v1",
            "-f",
            "cms.yaml",
            "--local",
        ])
        .await;
    assert_eq!(
        (o.stdout.as_str(), o.code),
        ("configmap/a condition met\nconfigmap/b condition met\n", 0)
    );
    // A negative timeout waits (a week); the change ends it.
    let waiting = env.ours(&["wait", "--for=delete", "cm/a", "--timeout=-1s"]);
    let deleting = async {
        tokio::time::sleep(CHANGE_AFTER).await;
        env.ours(&["delete", "cm", "a"]).await
    };
    let (o, _) = tokio::join!(waiting, deleting);
    assert_eq!(
        (o.stdout.as_str(), o.code),
        ("configmap/a condition met\n", 0)
    );
}

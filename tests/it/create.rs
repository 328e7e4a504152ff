//! `kubectl-rs create <generator>` against the real kubectl (the oracle, v1.33) on the same
//! sandbox: the objects built (`--dry-run=client` in every format), the objects created, and
//! the errors. v1.33 still prints `creationTimestamp: null` for objects that have none;
//! v1.34+ (so the v1.36 target) omits it (kubernetes#130989), so it is dropped from the
//! oracle's output before comparing.

use crate::common;

use common::{assert_same, Output, TestEnv};

pub(crate) fn without_null_creation_timestamp(s: &str) -> String {
    const KEY: &str = "\"creationTimestamp\": null";
    let mut out = s.to_string();
    // JSON: the only key of its object (`{}` remains), between others, or last.
    while let Some(i) = out.find(KEY) {
        let end = i + KEY.len();
        let open = out[..i].trim_end();
        let close = out[end..].trim_start();
        if open.ends_with('{') && close.starts_with('}') {
            let from = open.len();
            let to = out.len() - close.len() + 1;
            out.replace_range(from..to, "}");
        } else if out[end..].starts_with(',') {
            let next = out[end + 1..].find(|c: char| !c.is_whitespace()).unwrap() + end + 1;
            out.replace_range(i..next, "");
        } else {
            let comma = out[..i].rfind(',').unwrap();
            out.replace_range(comma..end, "");
        }
    }
    // YAML: the line goes; a mapping left empty prints as `{}`.
    let lines: Vec<&str> = out.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut kept: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() != "creationTimestamp: null" {
            kept.push(line.to_string());
            continue;
        }
        let alone = lines
            .get(i + 1)
            .is_none_or(|next| indent(next) < indent(line));
        if let Some(prev) = kept.last_mut() {
            if alone && prev.ends_with(':') && indent(prev) < indent(line) {
                prev.push_str(" {}");
            }
        }
    }
    kept.iter().map(|l| format!("{l}\n")).collect()
}

fn as_kubectl(o: &Output) -> Output {
    let fix = |s: &str| s.replace("kubectl-rs", "kubectl");
    Output {
        stdout: fix(&o.stdout),
        stderr: fix(&o.stderr),
        code: o.code,
    }
}

/// Runs both CLIs; the oracle's output adjusted for v1.36.
async fn both(env: &TestEnv, args: &[&str]) -> Option<(Output, Output)> {
    let theirs = env.kubectl(args).await?;
    let ours = as_kubectl(&env.ours(args).await);
    let theirs = Output {
        stdout: without_null_creation_timestamp(&theirs.stdout),
        ..theirs
    };
    Some((ours, theirs))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generators_build_what_kubectl_builds() {
    let env = TestEnv::start().await;
    std::fs::write(env.work.join("f1.txt"), "hello\n").unwrap();
    std::fs::write(env.work.join("e.env"), "A=1\n# comment\nB=two\n").unwrap();
    let cases: &[&[&str]] = &[
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx:1.27",
            "--image=busybox",
            "--replicas=2",
            "--port=80",
        ],
        &[
            "create",
            "deploy",
            "web",
            "--image=busybox",
            "--",
            "sleep",
            "10",
        ],
        &["create", "namespace", "shop"],
        &["create", "ns", "shop"],
        &[
            "create",
            "configmap",
            "c1",
            "--from-literal=a=1",
            "--from-literal=b=2",
            "--from-file=f1.txt",
            "--from-file=k=f1.txt",
        ],
        &["create", "cm", "c1", "--from-env-file=e.env"],
        &[
            "create",
            "secret",
            "generic",
            "s1",
            "--from-literal=p=x",
            "--from-file=f1.txt",
        ],
        &[
            "create",
            "secret",
            "generic",
            "s1",
            "--from-literal=p=x",
            "--type=kubernetes.io/basic-auth",
        ],
        &["create", "serviceaccount", "robot"],
        &["create", "sa", "robot", "-n", "kube-system"],
        &["create", "job", "j", "--image=busybox", "--", "echo", "hi"],
        &[
            "create",
            "cronjob",
            "c",
            "--image=busybox",
            "--schedule=*/5 * * * *",
        ],
        &[
            "create",
            "cj",
            "c",
            "--image=busybox",
            "--schedule=0 1 * * *",
            "--restart=Never",
            "--",
            "date",
        ],
    ];
    for case in cases {
        for output in ["yaml", "json", "name", ""] {
            // Flags go before `--` (what follows is the container command).
            let dash = case.iter().position(|a| *a == "--").unwrap_or(case.len());
            let mut args = case[..dash].to_vec();
            args.push("--dry-run=client");
            if !output.is_empty() {
                args.extend(["-o", output]);
            }
            args.extend_from_slice(&case[dash..]);
            let Some((ours, theirs)) = both(&env, &args).await else {
                return;
            };
            assert_same(&format!("{args:?}"), &ours, &theirs);
        }
    }
    let errors: &[&[&str]] = &[
        &["create", "cm", "bad", "--from-literal==x"],
        &[
            "create",
            "cm",
            "bad",
            "--from-literal=a=1",
            "--from-literal=a=2",
        ],
        &["create", "cm", "bad", "--from-file=nope.txt"],
        &[
            "create",
            "cm",
            "bad",
            "--from-env-file=e.env",
            "--from-literal=a=b",
        ],
        &["create", "cm", "bad key", "--from-literal=a b=1"],
        &[
            "create",
            "secret",
            "generic",
            "bad",
            "--from-literal=a=1",
            "--from-literal=a=2",
        ],
        &["create", "namespace"],
        &["create", "namespace", "a", "b"],
        &["create", "deployment", "x"],
        &["create", "job", "j"],
        &["create", "job", "j", "--image=x", "--from=cronjob/c"],
        &["create", "cronjob", "c"],
        &["create", "cronjob", "c", "--image=x"],
        &["create", "job", "j", "--from=cronjob/c", "--", "echo"],
    ];
    for args in errors {
        let Some((ours, theirs)) = both(&env, args).await else {
            return;
        };
        assert_same(&format!("{args:?}"), &ours, &theirs);
    }
    env.sandbox.shutdown().await;
}

/// Objects created on the server, printed and reported as kubectl does; each CLI works in its
/// own namespace (named in the output as NS).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generators_create_on_the_server() {
    let env = TestEnv::start().await;
    if common::oracle().is_none() {
        return;
    }
    for ns in ["k", "r"] {
        let o = env.kubectl(&["create", "namespace", ns]).await.unwrap();
        assert_eq!(o.code, 0, "{o:?}");
    }
    let cases: &[&[&str]] = &[
        &["create", "configmap", "c1", "--from-literal=a=1"],
        &["create", "configmap", "c1", "--from-literal=a=1"],
        &[
            "create",
            "secret",
            "generic",
            "s1",
            "--from-literal=a=1",
            "-o",
            "yaml",
        ],
        &["create", "secret", "generic", "s1", "--from-literal=a=1"],
        &["create", "serviceaccount", "robot", "-o", "json"],
        &["create", "serviceaccount", "robot"],
        &["create", "deployment", "web", "--image=nginx", "-o", "json"],
        &["create", "deployment", "web", "--image=nginx"],
        &[
            "create",
            "deployment",
            "web2",
            "--image=nginx",
            "--dry-run=server",
            "-o",
            "yaml",
        ],
        &[
            "create",
            "deployment",
            "web2",
            "--image=nginx",
            "--dry-run=server",
        ],
    ];
    for case in cases {
        let run = |ns: &'static str| {
            let mut args = vec!["-n", ns];
            args.extend_from_slice(case);
            args
        };
        let theirs = env.kubectl(&run("k")).await.unwrap();
        let ours = as_kubectl(&env.ours(&run("r")).await);
        let fix = |o: &Output, ns: &str| Output {
            stdout: without_null_creation_timestamp(&o.stdout)
                .replace(&format!("\"{ns}\""), "\"NS\"")
                .replace(&format!(": {ns}\n"), ": NS\n"),
            stderr: o.stderr.clone(),
            code: o.code,
        };
        assert_same(
            &format!("{case:?}"),
            &fix(&ours, "r").normalized(),
            &fix(&theirs, "k").normalized(),
        );
    }
    // Namespaces are not wrapped in "failed to create".
    let theirs = env.kubectl(&["create", "namespace", "k"]).await.unwrap();
    let ours = env.ours(&["create", "namespace", "k"]).await;
    assert_same("create namespace twice", &ours, &theirs);
    env.sandbox.shutdown().await;
}

//! kubectl's deprecated flags that Kubernetes' test/cmd suite still uses, compared with the
//! real kubectl on a twin sandbox: `--record` on label/annotate/apply, the boolean
//! `--dry-run=true|false`, `apply --force`, `exec -f`, `--as-user-extra`, and exec credential
//! plugins that `--token` or a stdin manifest keep from running.

use crate::common;

use common::{assert_same, oracle, snapshot, Output, TestEnv};

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: c
    image: nginx
";

const PC10: &str = "apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: rec-pc
value: 10
";

const PC20: &str = "apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: rec-pc
value: 20
";

/// Both outputs with klog's time and pid, and the program name, made comparable.
pub(crate) fn plain(o: Output) -> Output {
    let n = o.normalized();
    let klog = |s: &str| {
        s.split_inclusive('\n')
            .map(|l| match l.find("helpers.go:") {
                // v1.33's line numbers differ from v1.36's, checked separately.
                Some(i) if l.starts_with('W') => {
                    let rest = &l[i + "helpers.go:".len()..];
                    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                    format!("W helpers.go{rest}")
                }
                _ => l.to_string(),
            })
            .collect::<String>()
    };
    Output {
        stdout: n.stdout,
        stderr: klog(&n.stderr)
            .replace(&common::oracle_name(), "kubectl-rs")
            .replace("'kubectl-rs ", "'kubectl "),
        code: n.code,
    }
}

/// Our stderr with the klog line numbers kept (v1.36's, seen on the kit's kubectl v1.36.2).
async fn ours_stderr(env: &TestEnv, args: &[&str]) -> String {
    let e = env.ours(args).await.stderr;
    e.split_inclusive('\n')
        .map(|l| match l.find("helpers.go:") {
            Some(i) if l.starts_with('W') => format!("W {}", &l[i..]),
            _ => l.to_string(),
        })
        .collect()
}

/// Runs `args` with both CLIs (the oracle on `theirs`) when the oracle is installed.
pub(crate) async fn both(ours: &TestEnv, theirs: &TestEnv, args: &[&str]) -> Output {
    let a = plain(ours.ours(args).await);
    if let Some(b) = theirs.kubectl(args).await {
        assert_same(&args.join(" "), &a, &plain(b));
    }
    a
}

pub(crate) fn write(env: &TestEnv, name: &str, text: &str) {
    std::fs::write(env.work.join(name), text).unwrap();
}

pub(crate) async fn annotation(env: &TestEnv, what: &[&str]) -> String {
    let mut args = vec!["get"];
    args.extend_from_slice(what);
    args.extend_from_slice(&[
        "-o",
        r"jsonpath={.metadata.annotations.kubernetes\.io/change-cause}",
    ]);
    env.ours(&args).await.stdout
}

#[tokio::test]
async fn record_writes_the_change_cause() {
    let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
    for env in [&ours, &theirs] {
        write(env, "pod.yaml", POD);
        assert_eq!(env.ours(&["create", "-f", "pod.yaml"]).await.code, 0);
    }
    let out = both(
        &ours,
        &theirs,
        &["label", "pods", "web", "a=b", "--record=true"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stderr,
        "Flag --record has been deprecated, --record will be removed in the future\n"
    );
    let want = "kubectl-rs label pods web a=b --record=true";
    assert_eq!(annotation(&ours, &["pod", "web"]).await, want);
    // --record=false leaves the recorded cause alone.
    both(
        &ours,
        &theirs,
        &["label", "pods", "web", "c=d", "--record=false"],
    )
    .await;
    assert_eq!(annotation(&ours, &["pod", "web"]).await, want);
    // annotate records before its own pairs, so a given change-cause wins.
    both(
        &ours,
        &theirs,
        &["annotate", "pods", "web", "x=y", "--record"],
    )
    .await;
    assert_eq!(
        annotation(&ours, &["pod", "web"]).await,
        "kubectl-rs annotate pods web x=y --record=true"
    );
    both(
        &ours,
        &theirs,
        &[
            "annotate",
            "pods",
            "web",
            "kubernetes.io/change-cause=mine",
            "--record",
        ],
    )
    .await;
    assert_eq!(annotation(&ours, &["pod", "web"]).await, "mine");
    if oracle().is_some() {
        let theirs_cause = annotation(&theirs, &["pod", "web"]).await;
        assert_eq!(theirs_cause, "mine");
    }

    // apply records on the object as read: the last-applied annotation holds it too.
    for env in [&ours, &theirs] {
        write(env, "pc.yaml", PC10);
    }
    both(&ours, &theirs, &["apply", "-f", "pc.yaml", "--record"]).await;
    let cause = annotation(&ours, &["priorityclass", "rec-pc"]).await;
    assert_eq!(cause, "kubectl-rs apply --filename=pc.yaml --record=true");
    let last = ours
        .ours(&[
            "apply",
            "view-last-applied",
            "priorityclass/rec-pc",
            "-o",
            "json",
        ])
        .await
        .stdout;
    assert!(last.contains("--record=true"), "{last}");
}

#[tokio::test]
async fn boolean_dry_run_values_are_deprecated_spellings() {
    let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
    let before = snapshot(&ours);
    for v in ["true", "1", "T"] {
        let flag = format!("--dry-run={v}");
        let args = ["create", "cm", "x", &flag, "-o", "name"];
        let out = both(&ours, &theirs, &args).await;
        assert_eq!(out.stdout, "configmap/x\n");
        assert_eq!(
            ours_stderr(&ours, &args).await,
            format!("W helpers.go:733] --dry-run={v} is deprecated (boolean value) and can be replaced with --dry-run=client.\n")
        );
    }
    let args = ["create", "cm", "x", "--dry-run", "-o", "name"];
    both(&ours, &theirs, &args).await;
    assert_eq!(
        ours_stderr(&ours, &args).await,
        "W helpers.go:719] --dry-run is deprecated and can be replaced with --dry-run=client.\n"
    );
    assert_eq!(snapshot(&ours), before, "a client dry run changed nothing");
    // false means none: the object is created.
    let args = ["create", "cm", "x", "--dry-run=F", "-o", "name"];
    both(&ours, &theirs, &args).await;
    assert_eq!(ours.ours(&["get", "cm", "x", "-o", "name"]).await.code, 0);
    assert_eq!(
        ours_stderr(&ours, &["create", "cm", "z", "--dry-run=false", "-o", "name"]).await,
        "W helpers.go:736] --dry-run=false is deprecated (boolean value) and can be replaced with --dry-run=none.\n"
    );
    let out = both(&ours, &theirs, &["create", "cm", "y", "--dry-run=yes"]).await;
    assert_eq!(
        out.stderr,
        "error: Invalid dry-run value (yes). Must be \"none\", \"server\", or \"client\".\n"
    );
}

#[tokio::test]
async fn apply_force_deletes_and_recreates_on_an_invalid_patch() {
    let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
    for env in [&ours, &theirs] {
        write(env, "pc10.yaml", PC10);
        write(env, "pc20.yaml", PC20);
    }
    both(&ours, &theirs, &["apply", "-f", "pc10.yaml"]).await;
    let uid = ["get", "pc", "rec-pc", "-o", "jsonpath={.metadata.uid}"];
    let first = ours.ours(&uid).await.stdout;
    // The value is immutable: without --force the patch is refused.
    let out = ours.ours(&["apply", "-f", "pc20.yaml"]).await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("value: Forbidden: may not be changed in an update"),
        "{out:?}"
    );
    let out = both(
        &ours,
        &theirs,
        &["apply", "-f", "pc20.yaml", "--force", "--grace-period=0"],
    )
    .await;
    assert_eq!(
        out,
        Output {
            stdout: "priorityclass.scheduling.k8s.io/rec-pc configured\n".into(),
            stderr: String::new(),
            code: 0
        }
    );
    let got = ours
        .ours(&["get", "pc", "rec-pc", "-o", "jsonpath={.value}"])
        .await;
    assert_eq!(got.stdout, "20");
    assert_ne!(
        ours.ours(&uid).await.stdout,
        first,
        "the object was re-created"
    );
    // --force with --server-side or --prune is refused as before.
    let out = both(
        &ours,
        &theirs,
        &["apply", "-f", "pc10.yaml", "--force", "--server-side"],
    )
    .await;
    assert_eq!(
        out.stderr,
        "error: --force cannot be used with --server-side\n"
    );
}

#[tokio::test]
async fn exec_takes_its_pod_from_a_file() {
    let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
    let two = format!("{POD}---\n{}", POD.replace("name: web", "name: web2"));
    for env in [&ours, &theirs] {
        write(env, "pod.yaml", POD);
        write(env, "two.yaml", &two);
    }
    let before = snapshot(&ours);
    let cases: [&[&str]; 4] = [
        &["exec", "-f", "two.yaml", "--", "echo", "hi"],
        &["exec", "-f", "pod.yaml"],
        &["exec", "web", "-f", "pod.yaml", "--", "echo"],
        &["exec", "-f", "nope.yaml", "--", "echo"],
    ];
    let want = [
        "error: cannot exec into multiple objects at a time\n",
        "error: you must specify at least one command for the container\n",
        "error: resource/name arguments cannot be provided when a path is specified\n",
        "error: the path \"nope.yaml\" does not exist\n",
    ];
    for (args, want) in cases.iter().zip(want) {
        let out = both(&ours, &theirs, args).await;
        assert_eq!((out.stderr.as_str(), out.code), (want, 1), "{args:?}");
    }
    // v1.36 (seen on the kit's kubectl v1.36.2) checks the container against the pod as
    // read from the file, without fetching it; v1.33 fetched it first.
    let out = ours
        .ours(&["exec", "-f", "pod.yaml", "-c", "zz", "--", "echo"])
        .await;
    assert_eq!(
        (out.stderr.as_str(), out.code),
        (
            "error: container zz is not valid for pod web out of: c\n",
            1
        )
    );
    assert_eq!(snapshot(&ours), before);
    // The pod comes from the file as read: once it exists, the command runs in it.
    assert_eq!(ours.ours(&["create", "-f", "pod.yaml"]).await.code, 0);
    let ready = ours
        .ours(&["wait", "--for=condition=Ready", "pod/web", "--timeout=60s"])
        .await;
    assert_eq!(ready.code, 0, "{ready:?}");
    let out = ours
        .ours(&["exec", "-f", "pod.yaml", "--", "echo", "hi"])
        .await;
    assert_eq!((out.stdout.as_str(), out.code), ("hi\n", 0), "{out:?}");
}

#[tokio::test]
async fn as_user_extra_sends_impersonate_extra_headers() {
    let env = TestEnv::start().await;
    let out = env
        .ours(&[
            "auth",
            "whoami",
            "-o",
            "jsonpath={.status.userInfo.extra}",
            "--as=someone",
            "--as-user-extra",
            "key1=hello there",
            "--as-user-extra",
            "key1=one,two",
            "--as-user-extra",
            "key2=val3",
            "--as-user-extra",
            "no-equals",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let extra: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        extra,
        serde_json::json!({"key1": ["hello there", "one,two"], "key2": ["val3"]})
    );
    // Extras need a user to impersonate, as uid and groups do.
    let out = env.ours(&["get", "ns", "--as-user-extra", "k=v"]).await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("requesting uid, groups or user-extra for"),
        "{out:?}"
    );
}

#[tokio::test]
async fn exec_plugins_yield_to_tokens_and_stdin_manifests() {
    let env = TestEnv::start().await;
    let kc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(&env.kubeconfig).unwrap()).unwrap();
    let server = kc["clusters"][0]["cluster"]["server"].as_str().unwrap();
    let plugin = |mode: &str, command: &str| {
        format!(
            "apiVersion: v1
clusters:
- cluster:
    server: {server}
    insecure-skip-tls-verify: true
  name: c
contexts:
- context: {{cluster: c, user: u}}
  name: c
current-context: c
kind: Config
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: {command}
      interactiveMode: {mode}
"
        )
    };
    write(&env, "ls.yaml", &plugin("IfAvailable", "ls"));
    // With --token the plugin never runs.
    let token = format!("--token={}", env.sandbox.token());
    let out = env
        .ours(&[
            "--kubeconfig=ls.yaml",
            &token,
            "get",
            "ns",
            "default",
            "-o",
            "name",
        ])
        .await;
    assert_eq!(out.stdout, "namespace/default\n", "{out:?}");
    // Nor with a client certificate (here the sandbox's own user, given the plugin too).
    let mut with_cert = kc.clone();
    with_cert["users"][0]["user"]["exec"] = serde_yaml_ng::from_str(
        "{apiVersion: client.authentication.k8s.io/v1, command: ls, interactiveMode: Never}",
    )
    .unwrap();
    write(
        &env,
        "cert.yaml",
        &serde_yaml_ng::to_string(&with_cert).unwrap(),
    );
    let out = env
        .ours(&[
            "--kubeconfig=cert.yaml",
            "get",
            "ns",
            "default",
            "-o",
            "name",
        ])
        .await;
    assert_eq!(out.stdout, "namespace/default\n", "{out:?}");
    // Without them, `ls` answers with text: the universal decoder reads it as a YAML string.
    let out = env
        .ours(&["--kubeconfig=ls.yaml", "get", "ns", "default", "-o", "name"])
        .await;
    assert!(
        out.stderr.contains("getting credentials: decoding stdout: couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type struct"),
        "{out:?}"
    );
}

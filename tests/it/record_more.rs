//! `--record` on the commands that create or change objects besides label/annotate/apply/
//! patch/scale/autoscale: `create -f` (and `create --edit`), `run` (with `--expose`),
//! `expose`, `edit` and `set image|resources|selector|serviceaccount`. kubectl records the
//! command line as the `kubernetes.io/change-cause` annotation of what it sends; `replace`,
//! `set env`, `set subject` and the `create` generators refuse the flag. Each step runs on twin
//! sandboxes with both CLIs.

use crate::common;
use crate::deprecated_flags::{annotation, both, plain, write};

use common::{oracle, oracle_name, snapshot, TestEnv};

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: rec-pod
  labels:
    app: rec
spec:
  containers:
  - name: c
    image: nginx
";

const DEPRECATED: &str =
    "Flag --record has been deprecated, --record will be removed in the future\n";

/// Both CLIs with the oracle's name, in the change cause it prints, made ours.
async fn both_named(ours: &TestEnv, theirs: &TestEnv, args: &[&str]) -> common::Output {
    let a = plain(ours.ours(args).await);
    if let Some(b) = theirs.kubectl(args).await {
        let mut b = plain(b);
        b.stdout = b.stdout.replace(&oracle_name(), "kubectl-rs");
        common::assert_same(&args.join(" "), &a, &b);
    }
    a
}

/// The change cause on both servers, the same once the oracle's name is ours.
async fn causes(ours: &TestEnv, theirs: &TestEnv, what: &[&str]) -> String {
    let mine = annotation(ours, what).await;
    if oracle().is_some() {
        let other = annotation(theirs, what)
            .await
            .replace(&oracle_name(), "kubectl-rs");
        assert_eq!(mine, other, "change cause of {what:?}");
    }
    mine
}

#[tokio::test]
async fn create_run_and_expose_record_the_command() {
    let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
    for env in [&ours, &theirs] {
        write(env, "pod.yaml", POD);
    }
    let out = both(&ours, &theirs, &["create", "-f", "pod.yaml", "--record"]).await;
    assert_eq!((out.code, out.stderr.as_str()), (0, DEPRECATED), "{out:?}");
    assert_eq!(
        causes(&ours, &theirs, &["pod", "rec-pod"]).await,
        "kubectl-rs create --filename=pod.yaml --record=true"
    );
    // The deprecation notice comes before the missing -f error.
    let out = both(&ours, &theirs, &["create", "--record"]).await;
    assert_eq!(
        out.stderr,
        format!("{DEPRECATED}error: must specify one of -f and -k\n")
    );

    // A client dry run prints the object with the change cause.
    let args = [
        "run",
        "rec-run",
        "--image=nginx",
        "--record",
        "--dry-run=client",
        "-o",
        "json",
    ];
    // (v1.36 no longer prints `creationTimestamp: null`: only ours is checked.)
    let out = ours.ours(&args).await;
    assert!(
        out.stdout
            .contains(r#""kubernetes.io/change-cause": "kubectl-rs run rec-run --image=nginx --record=true --dry-run=client --output=json""#),
        "{}",
        out.stdout
    );
    // run --expose records on the pod and on the service.
    let args = [
        "run",
        "rec-run",
        "--image=nginx",
        "--port=80",
        "--expose",
        "--record=true",
    ];
    let out = both(&ours, &theirs, &args).await;
    assert_eq!(out.code, 0, "{out:?}");
    let want = "kubectl-rs run rec-run --image=nginx --port=80 --expose=true --record=true";
    assert_eq!(causes(&ours, &theirs, &["pod", "rec-run"]).await, want);
    assert_eq!(causes(&ours, &theirs, &["service", "rec-run"]).await, want);

    let out = both(
        &ours,
        &theirs,
        &[
            "expose",
            "pod",
            "rec-pod",
            "--port=81",
            "--name=rec-svc",
            "--record",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        causes(&ours, &theirs, &["service", "rec-svc"]).await,
        "kubectl-rs expose pod rec-pod --port=81 --name=rec-svc --record=true"
    );
    // --record=false records nothing, but still says the flag is deprecated.
    let out = both(
        &ours,
        &theirs,
        &[
            "expose",
            "pod",
            "rec-pod",
            "--port=82",
            "--name=rec-svc2",
            "--record=false",
        ],
    )
    .await;
    assert_eq!(out.stderr, DEPRECATED);
    assert_eq!(causes(&ours, &theirs, &["service", "rec-svc2"]).await, "");

    // The commands without the flag refuse it, and nothing changes.
    let before = snapshot(&ours);
    for args in [
        &["replace", "-f", "pod.yaml", "--record"][..],
        &["set", "env", "pod/rec-pod", "A=B", "--record"],
        &["create", "configmap", "rec-cm", "--record"],
    ] {
        let out = both(&ours, &theirs, args).await;
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        assert!(
            out.stderr.starts_with("error: unknown flag: --record\n"),
            "{out:?}"
        );
    }
    let after = snapshot(&ours);
    let changed: Vec<&String> = after
        .keys()
        .chain(before.keys())
        .filter(|k| after.get(*k) != before.get(*k))
        // The endpoints controller follows rec-pod becoming ready meanwhile.
        .filter(|k| !k.starts_with("endpoints/") && !k.starts_with("endpointslices/"))
        .collect();
    assert!(changed.is_empty(), "changed: {changed:?}");
}

#[tokio::test]
async fn set_commands_record_the_command() {
    let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
    for env in [&ours, &theirs] {
        let out = env
            .ours(&["create", "deployment", "rec-dep", "--image=nginx"])
            .await;
        assert_eq!(out.code, 0, "{out:?}");
        let out = env
            .ours(&[
                "create",
                "service",
                "clusterip",
                "rec-svc",
                "--tcp=80:80",
                "--clusterip=None",
            ])
            .await;
        assert_eq!(out.code, 0, "{out:?}");
    }
    let cases: [&[&str]; 4] = [
        &[
            "set",
            "image",
            "deployment/rec-dep",
            "nginx=nginx:2",
            "--record",
        ],
        &[
            "set",
            "resources",
            "deployment/rec-dep",
            "--limits=cpu=200m",
            "--record",
        ],
        &[
            "set",
            "serviceaccount",
            "deployment/rec-dep",
            "rec-sa",
            "--record",
        ],
        &["set", "selector", "service/rec-svc", "app=rec", "--record"],
    ];
    for args in cases {
        // A client dry run shows the change cause in the printed object; the server is left alone.
        let mut dry = args.to_vec();
        // (Only the annotation: the deployment's status moves on under the controllers.)
        dry.extend([
            "--dry-run=client",
            "-o",
            r"jsonpath={.metadata.annotations.kubernetes\.io/change-cause}",
        ]);
        let out = both_named(&ours, &theirs, &dry).await;
        assert_eq!(out.code, 0, "{dry:?}: {out:?}");
        assert!(out.stdout.starts_with("kubectl-rs set "), "{}", out.stdout);
        let out = both(&ours, &theirs, args).await;
        assert_eq!(
            (out.code, out.stderr.as_str()),
            (0, DEPRECATED),
            "{args:?}: {out:?}"
        );
        let what = args[2].split_once('/').unwrap();
        let want = format!("kubectl-rs {} --record=true", args[..4].join(" "));
        assert_eq!(causes(&ours, &theirs, &[what.0, what.1]).await, want);
    }
    // An image already set still records (the annotation alone is the patch).
    let args = [
        "set",
        "image",
        "deployment/rec-dep",
        "nginx=nginx:2",
        "--record",
    ];
    let out = both(&ours, &theirs, &args).await;
    assert_eq!(out.stdout, "deployment.apps/rec-dep image updated\n");
    assert_eq!(
        causes(&ours, &theirs, &["deployment", "rec-dep"]).await,
        "kubectl-rs set image deployment/rec-dep nginx=nginx:2 --record=true"
    );
}

#[tokio::test]
async fn edit_records_the_command() {
    let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
    let script = ours.work.join("editor.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nsed -i 's/^\\(    app: rec\\)/\\1x/' \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    for env in [&ours, &theirs] {
        write(env, "pod.yaml", POD);
    }
    let run = |env: &TestEnv, program: &str, cache: &str, args: &[&str]| {
        let mut c = env.command(program, args, cache);
        c.env("KUBE_EDITOR", &script);
        c
    };
    let steps: [&[&str]; 2] = [
        &["create", "--edit", "-f", "pod.yaml", "--record"],
        &["edit", "pod/rec-pod", "--record"],
    ];
    for (i, args) in steps.iter().enumerate() {
        let o = run(&ours, env!("CARGO_BIN_EXE_kubectl-rs"), "cache-rs", args)
            .output()
            .await
            .unwrap();
        assert!(o.status.success(), "{args:?}: {o:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr), DEPRECATED);
        if let Some(k) = oracle() {
            let t = run(&theirs, k, "cache-kubectl", args)
                .output()
                .await
                .unwrap();
            assert_eq!(o.stdout, t.stdout, "{args:?}");
            assert_eq!(t.status.code(), o.status.code(), "{args:?}");
        }
        let want = if i == 0 {
            "kubectl-rs create --edit=true --filename=pod.yaml --record=true"
        } else {
            "kubectl-rs edit pod/rec-pod --record=true"
        };
        assert_eq!(causes(&ours, &theirs, &["pod", "rec-pod"]).await, want);
    }
}

//! `set env` against the real kubectl (twin sandboxes and hostile inputs, see `mutate.rs`),
//! and `-e -` reading variables from stdin.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use crate::common::{self, assert_same, Output, TestEnv};
use crate::mutate::{hostile_after, twins};

/// The ConfigMap and Secret the `--from` cases import (one key each or `--keys`: Go visits
/// a map in random order, so a several-key import has no one expected output).
const SOURCES: &[&[&str]] = &[
    &["create", "configmap", "cm", "--from-literal=my-key=v1"],
    &[
        "create",
        "configmap",
        "two-keys",
        "--from-literal=a=1",
        "--from-literal=b=2",
    ],
    &[
        "create",
        "secret",
        "generic",
        "sec",
        "--from-literal=pass.word=s3",
    ],
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_env_changes_what_kubectl_changes() {
    let mut cases: Vec<&[&str]> = SOURCES.to_vec();
    cases.extend_from_slice(&[
        &["set", "env", "deployment/web", "A=1", "B=x=y"],
        &["set", "env", "deploy/web", "--list"],
        &["set", "env", "deploy", "two", "-c", "b", "--env=C=3", "D=4"],
        &[
            "set",
            "env",
            "deploy/two",
            "-c",
            "a*",
            "-e",
            "E=5",
            "--dry-run=client",
            "-o",
            "yaml",
        ],
        &["set", "env", "deploy/two", "--list"],
        // Unchanged: nothing patched or printed.
        &["set", "env", "deploy/web", "A=1"],
        &[
            "set",
            "env",
            "deploy/web",
            "--overwrite=false",
            "A=1",
            "F=6",
        ],
        &["set", "env", "deploy/web", "B-", "-o", "json"],
        &["set", "env", "deploy/web", "--from=configmap/cm"],
        &[
            "set",
            "env",
            "deploy/web",
            "--from=secret/sec",
            "--prefix=P_",
            "-o",
            "name",
        ],
        &[
            "set",
            "env",
            "deploy/two",
            "--from=configmap/two-keys",
            "--keys=b",
            "--dry-run=server",
            "-o",
            "json",
        ],
        &["set", "env", "deploy/web", "--list", "--resolve"],
        &["set", "env", "deploy/web", "--list"],
        &["set", "env", "pod/job-pod", "-c", "init", "--list"],
        &[
            "set",
            "env",
            "cronjob/nightly",
            "T=1",
            "--field-manager=mine",
        ],
        &["set", "env", "deploy", "--all", "G=7", "-c", "nginx"],
        &["set", "env", "deploy", "-l", "tier=front", "--list"],
        // No container matches: a warning, nothing changed.
        &["set", "env", "deploy/web", "-c", "nope", "X=1"],
        &[
            "set", "env", "-f", "web.yaml", "--local", "L=1", "-o", "yaml",
        ],
        &["set", "env", "-f", "web.yaml", "--list"],
        &["set", "env", "-f", "web.yaml", "H=8"],
        // Removing every variable drops `env`.
        &[
            "set",
            "env",
            "deploy/web",
            "A-",
            "F-",
            "G-",
            "H-",
            "MY_KEY-",
            "P_PASS_WORD-",
        ],
        // Only a removal through -e: patched, then kubectl's complaint.
        &["set", "env", "deploy/two", "-e", "C-"],
        &[
            "get",
            "deployments",
            "-o",
            "jsonpath={.items[*].spec.template.spec.containers}",
        ],
    ]);
    twins(&cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_env_refuses_bad_input_and_changes_nothing() {
    let mut prep: Vec<&[&str]> = SOURCES.to_vec();
    prep.push(&["set", "env", "deploy/web", "A=1"]);
    hostile_after(
        &prep,
        &[
            &["set", "env"],
            &["set", "env", "A=1"],
            &["set", "env", "deploy/web", "x", "A=1", "y"],
            &["set", "env", "deploy/web", "1A=x"],
            &["set", "env", "deploy/web", ".=x"],
            &["set", "env", "deploy/web", "..a=x"],
            &["set", "env", "deploy/web", "a b=x"],
            &["set", "env", "deploy/web", "-e", "foo"],
            &["set", "env", "deploy/web", "-e", "=x"],
            &["set", "env", "deploy/web", "A-", "A=2"],
            &["set", "env", "deploy/web", "--keys=a"],
            &["set", "env", "deploy/web", "--list", "-o", "yaml"],
            &["set", "env", "deploy", "--all", "-l", "a=b", "X=1"],
            &["set", "env", "deploy/web", "-l", "a=b", "X=1"],
            &["set", "env", "deploy/web", "--from=deploy/two"],
            &["set", "env", "deploy/web", "--from=configmap/nope", "X=1"],
            &["set", "env", "deploy/nope", "X=1"],
            &["set", "env", "svc/kubernetes", "X=1"],
            &["set", "env", "--local", "deploy/web", "X=1"],
            &[
                "set",
                "env",
                "--local",
                "-f",
                "web.yaml",
                "X=1",
                "--dry-run=server",
            ],
            &["set", "env", "deploy/web", "X=1", "--dry-run=maybe"],
            &["set", "env", "deploy/web", "X=1", "-o", "wide"],
            &["set", "env", "deploy/web", "--overwrite=false", "--env=A=2"],
            &[
                "set",
                "env",
                "deploy/web",
                "-c",
                "ngin*",
                "--overwrite=false",
                "B=1",
                "A=3",
            ],
        ],
    )
    .await;
}

/// A deployment whose variables reference its own fields, its container's resources, and
/// ConfigMaps and Secrets that are missing or lack the key.
const REFERENCES: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: refs
  labels: {app: refs}
  annotations: {note: x y}
spec:
  selector: {matchLabels: {app: refs}}
  template:
    metadata: {labels: {app: refs}}
    spec:
      containers:
      - name: c
        image: nginx
        resources: {limits: {cpu: 1500m, memory: 1Gi}, requests: {cpu: 250m}}
        env:
        - {name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: LABELS, valueFrom: {fieldRef: {fieldPath: metadata.labels}}}
        - {name: APP, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['app']\"}}}
        - {name: NOTE, valueFrom: {fieldRef: {fieldPath: \"metadata.annotations['note']\"}}}
        - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
        - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
        - {name: CPUM, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
        - {name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
        - {name: GONE, valueFrom: {secretKeyRef: {name: nope, key: k}}}
        - {name: NOKEY, valueFrom: {configMapKeyRef: {name: cm, key: nokey}}}
        - {name: GONE2, valueFrom: {secretKeyRef: {name: nope, key: k2}}}
        - {name: KEY, valueFrom: {configMapKeyRef: {name: cm, key: my-key}}}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_env_lists_and_resolves_references_as_kubectl() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("refs.yaml");
    std::fs::write(&file, REFERENCES).unwrap();
    let file = file.display().to_string();
    let apply = ["apply", "-f", file.as_str()];
    let local = [
        "set",
        "env",
        "-f",
        file.as_str(),
        "--local",
        "--list",
        "--resolve",
        "X=1",
    ];
    let mut cases: Vec<&[&str]> = SOURCES.to_vec();
    cases.extend_from_slice(&[
        &apply,
        &["set", "env", "deploy/refs", "--list"],
        // Resolution errors are printed, sorted, and the exit code stays 0.
        &["set", "env", "deploy/refs", "--list", "--resolve"],
        &local,
        &[
            "set",
            "env",
            "deploy/refs",
            "--list",
            "--resolve",
            "-c",
            "other",
        ],
    ]);
    twins(&cases).await;
}

/// Runs `program` with `input` on stdin.
async fn with_stdin(
    env: &TestEnv,
    program: &str,
    cache: &str,
    args: &[&str],
    input: &str,
) -> Output {
    let mut c = env.command(program, args, cache);
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_env_reads_variables_from_stdin() {
    let Some(kubectl) = common::oracle() else {
        return;
    };
    let (ours_env, theirs_env) = (TestEnv::start().await, TestEnv::start().await);
    let input = "X=1 # comment\nY=2=3\n#Z=1\nno equals sign\n\n";
    for env in [&ours_env, &theirs_env] {
        let o = env
            .ours(&["create", "deployment", "d", "--image=a", "--image=b"])
            .await;
        assert_eq!(o.code, 0, "{}", o.stderr);
    }
    for args in [
        &["set", "env", "deploy/d", "-e", "-", "-c", "a"][..],
        &["set", "env", "deploy/d", "-", "--list"][..],
        &[
            "set",
            "env",
            "deploy/d",
            "--env=-",
            "W=0",
            "-c",
            "b",
            "-o",
            "jsonpath={.spec.template.spec.containers}",
        ][..],
    ] {
        let ours = with_stdin(
            &ours_env,
            env!("CARGO_BIN_EXE_kubectl-rs"),
            "cache-rs",
            args,
            input,
        )
        .await;
        let theirs = with_stdin(&theirs_env, kubectl, "cache-kubectl", args, input).await;
        assert_same(&format!("{args:?}"), &ours, &theirs);
    }
    let args = ["set", "env", "deploy/d", "--list"];
    let ours = ours_env.ours(&args).await.stdout;
    assert_eq!(ours, theirs_env.ours(&args).await.stdout);
    assert!(ours.contains("X=1 \nY=2=3\n"), "{ours}");
}

//! `create rolebinding`, `create clusterrolebinding` and `set subject` against the real
//! kubectl (twin sandboxes, see `mutate.rs`), and the `--user` these commands declare for
//! their subjects: it shadows the global kubeconfig `--user` there (wherever it is typed on
//! the line), while every other command keeps the global one.

use crate::common::{self, TestEnv};
use crate::mutate::{hostile, hostile_after, twins};

/// A role binding as `create rolebinding --dry-run=client -o yaml` prints it, in a file both
/// CLIs read (`--local -f`).
fn binding_file() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rb.yaml");
    std::fs::write(
        &path,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: local-rb\n  namespace: default\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: admin\nsubjects:\n- apiGroup: rbac.authorization.k8s.io\n  kind: User\n  name: admin\n",
    )
    .unwrap();
    let p = path.display().to_string();
    (dir, p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_rolebinding_creates_what_kubectl_creates() {
    twins(&[
        &[
            "create",
            "rolebinding",
            "admins",
            "--clusterrole=admin",
            "--user=u1",
            "--user=u2,u3",
            "--user=u1",
            "--group=g1",
            "--serviceaccount=mon:sa-dev",
        ],
        &["get", "rolebinding", "admins", "-o", "yaml"],
        &[
            "create",
            "rolebinding",
            "readers",
            "--role=reader",
            "--serviceaccount=a:b",
            "-o",
            "json",
            "--save-config",
        ],
        &[
            "create",
            "rolebinding",
            "shown",
            "--role=r",
            "--group=g",
            "-n",
            "kube-public",
            "--dry-run=client",
            "-o",
            "yaml",
        ],
        &[
            "create",
            "rolebinding",
            "server",
            "--role=r",
            "--dry-run=server",
            "-o",
            "name",
        ],
        &[
            "create",
            "rolebinding",
            "strict",
            "--role=r",
            "--user=x",
            "--validate=strict",
            "--field-manager=me",
        ],
        &["create", "rolebinding", "admins", "--role=r"],
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_rolebinding_refuses_bad_input_and_changes_nothing() {
    hostile(&[
        &["create", "rolebinding", "x"],
        &["create", "rolebinding", "--role=r"],
        &["create", "rolebinding", "a", "b", "--role=r"],
        &["create", "rolebinding", "", "--role=r"],
        &["create", "rolebinding", "x", "--role=r", "--clusterrole=c"],
        &["create", "rolebinding", "x", "--role=", "--clusterrole="],
        &[
            "create",
            "rolebinding",
            "x",
            "--role=r",
            "--serviceaccount=sa",
        ],
        &[
            "create",
            "rolebinding",
            "x",
            "--role=r",
            "--serviceaccount=:sa",
        ],
        &[
            "create",
            "rolebinding",
            "x",
            "--role=r",
            "--serviceaccount=ns:",
        ],
        &[
            "create",
            "rolebinding",
            "x",
            "--role=r",
            "--serviceaccount=a:b:c",
        ],
        &["create", "rolebinding", "x", "--role=r", "--dry-run=maybe"],
        &["create", "rolebinding", "x", "--role=r", "--validate=bogus"],
        &["create", "rolebinding", "x", "--role=r", "-o", "wide"],
        &["create", "rolebinding", "Bad_Name", "--role=r"],
        &["create", "rolebinding", "x", "--role=r", "-n", "nope"],
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_clusterrolebinding_creates_what_kubectl_creates() {
    twins(&[
        &[
            "create",
            "clusterrolebinding",
            "admins",
            "--clusterrole=cluster-admin",
            "--user=u1",
            "--user=u2",
            "--group=g1",
            "--serviceaccount=kube-system:default",
        ],
        &["get", "clusterrolebinding", "admins", "-o", "json"],
        &[
            "create",
            "clusterrolebinding",
            "dry",
            "--clusterrole=view",
            "--dry-run=client",
            "-o",
            "json",
        ],
        &[
            "create",
            "clusterrolebinding",
            "dry",
            "--clusterrole=view",
            "--dry-run=server",
        ],
        &[
            "create",
            "clusterrolebinding",
            "admins",
            "--clusterrole=view",
        ],
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_clusterrolebinding_refuses_bad_input_and_changes_nothing() {
    hostile(&[
        &["create", "clusterrolebinding"],
        &["create", "clusterrolebinding", "x"],
        &["create", "clusterrolebinding", "x", "--role=r"],
        &["create", "clusterrolebinding", "--clusterrole=c"],
        &["create", "clusterrolebinding", "", "--clusterrole=c"],
        &[
            "create",
            "clusterrolebinding",
            "x",
            "--clusterrole=c",
            "--serviceaccount=:sa",
        ],
        &[
            "create",
            "clusterrolebinding",
            "x",
            "--clusterrole=c",
            "--dry-run=nope",
        ],
        &["create", "clusterrolebinding", "a/b", "--clusterrole=c"],
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_subject_changes_what_kubectl_changes() {
    let (_dir, file) = binding_file();
    twins(&[
        &[
            "create",
            "rolebinding",
            "rb",
            "--clusterrole=view",
            "--user=a",
        ],
        &["create", "rolebinding", "rb2", "--role=r", "--group=g"],
        &["label", "rolebinding", "rb2", "team=x"],
        &["create", "clusterrolebinding", "crb", "--clusterrole=view"],
        // Already a subject: nothing patched, nothing printed.
        &["set", "subject", "rolebinding", "rb", "--user=a"],
        &[
            "set",
            "subject",
            "rolebinding",
            "rb",
            "--user=z",
            "--user=b",
            "--user=b",
            "--user=a",
            "--group=g2",
            "--serviceaccount=:sa1",
            "--serviceaccount=other:sa2",
        ],
        &["get", "rolebinding", "rb", "-o", "yaml"],
        &[
            "set",
            "subject",
            "clusterrolebinding/crb",
            "--serviceaccount=kube-system:builder",
            "-o",
            "json",
        ],
        &[
            "set",
            "subject",
            "rolebinding",
            "--all",
            "--group=everyone",
            "--dry-run=client",
            "-o",
            "name",
        ],
        &[
            "set",
            "subject",
            "rolebinding",
            "-l",
            "team=x",
            "--user=labelled",
            "--field-manager=mine",
        ],
        &[
            "set",
            "subject",
            "rolebinding",
            "rb2",
            "--user=server",
            "--dry-run=server",
            "-o",
            "yaml",
        ],
        &[
            "set",
            "subject",
            "--local",
            "-f",
            &file,
            "--user=foo",
            "-o",
            "yaml",
        ],
        &["set", "subject", "--local", "-f", &file, "--user=admin"],
        &["set", "subject", "-f", &file, "--user=x", "-n", "default"],
        // Not a binding: reported after the others are done.
        &[
            "set",
            "subject",
            "svc/kubernetes",
            "rolebinding/rb2",
            "--user=mixed",
        ],
        // The global `--user` typed anywhere on these commands is theirs.
        &[
            "--user=nobody",
            "set",
            "subject",
            "rolebinding",
            "rb",
            "--user=early",
        ],
        &[
            "create",
            "--user=nobody",
            "rolebinding",
            "by-nobody",
            "--role=r",
        ],
        &["get", "rolebindings", "-o", "yaml"],
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_subject_refuses_bad_input_and_changes_nothing() {
    let (_dir, file) = binding_file();
    hostile_after(
        &[
            &[
                "create",
                "rolebinding",
                "rb",
                "--clusterrole=view",
                "--user=a",
            ],
            &["create", "clusterrolebinding", "crb", "--clusterrole=view"],
        ],
        &[
            &["set", "subject"],
            &["set", "subject", "rolebinding", "rb"],
            &[
                "set",
                "subject",
                "clusterrolebinding",
                "crb",
                "--serviceaccount=:sa",
            ],
            &[
                "set",
                "subject",
                "clusterrolebinding",
                "crb",
                "--serviceaccount=sa",
            ],
            &[
                "set",
                "subject",
                "rolebinding",
                "rb",
                "--serviceaccount=a:b:c",
            ],
            &["set", "subject", "rolebinding", "rb", "--serviceaccount=a:"],
            &["set", "subject", "rolebinding", "nope", "--user=x"],
            &["set", "subject", "rolebinding", "rb", "pod/x", "--user=x"],
            &["set", "subject", "svc/kubernetes", "--user=x"],
            // kubectl names the object by its plural alone (`deployments/web`).
            &["set", "subject", "deploy/web", "--user=x"],
            &[
                "set",
                "subject",
                "rolebinding",
                "--all",
                "-l",
                "a=b",
                "--user=x",
            ],
            &["set", "subject", "rolebinding/rb", "-l", "a=b", "--user=x"],
            &["set", "subject", "--local", "rolebinding", "rb", "--user=x"],
            &["set", "subject", "--local", "--user=x"],
            &[
                "set",
                "subject",
                "--local",
                "-f",
                &file,
                "--user=x",
                "--dry-run=server",
            ],
            &[
                "set",
                "subject",
                "rolebinding",
                "rb",
                "--user=x",
                "-o",
                "wide",
            ],
            &[
                "set",
                "subject",
                "rolebinding",
                "rb",
                "--user=x",
                "--dry-run=bad",
            ],
            // Elsewhere `--user` is still the kubeconfig user.
            &["get", "pods", "--user=nobody"],
            &[
                "--user=nobody",
                "create",
                "role",
                "r",
                "--verb=get",
                "--resource=pods",
            ],
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_of_the_subject_user_is_not_the_kubeconfig_user() {
    if common::oracle().is_none() {
        return;
    }
    let env = TestEnv::start().await;
    for line in [
        &["create", "rolebinding", "x", "--user", ""][..],
        &["set", "subject", "--user", ""][..],
        &["get", "pods", "--user", ""][..],
        &["create", "clusterrolebinding", "x", "--clusterrole", ""][..],
        &["--user=nobody", "create", "rolebinding", "x", "-n", ""][..],
        &["create", "rolebinding", "x", "--user=nobody", "-n", ""][..],
        &["--user=nobody", "get", "pods", "-n", ""][..],
    ] {
        let mut args = vec!["__complete"];
        args.extend_from_slice(line);
        let ours = env.ours(&args).await;
        let theirs = env.kubectl(&args).await.unwrap();
        assert_eq!(ours.stdout, theirs.stdout, "__complete {line:?}");
        assert_eq!(ours.code, 0);
    }
    env.sandbox.shutdown().await;
}

//! Command-line compatibility with spf13/pflag and cobra (issues 19 and 12): flag errors in
//! pflag's words for every kind of flag, named as the user typed them, with cobra's pointer to
//! the help and kubectl's exit code; a repeated flag takes its last value. Compared with the
//! real kubectl; refused command lines leave the server as it was.

use crate::mutate::{hostile_after, twins};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flag_errors_read_as_pflag() {
    hostile_after(
        &[],
        &[
            // A flag without its value, long and short, global and local.
            &["get", "pods", "--user"],
            &["get", "pods", "-n"],
            &["-n"],
            &["get", "pods", "-wn"],
            &["create", "deployment", "x", "--image"],
            &["apply", "-f"],
            &["label", "deploy", "web", "a=b", "-l"],
            &["scale", "deploy/web", "--replicas"],
            &["set", "image", "deploy/web", "nginx=n:2", "--selector"],
            // Unknown flags, and a shorthand inside a group.
            &["get", "pods", "--foo"],
            &["get", "pods", "--foo=bar"],
            &["get", "pods", "-z"],
            &["get", "pods", "-zq"],
            &["get", "pods", "-wz"],
            &["delete", "deploy", "web", "--nope"],
            &["annotate", "deploy", "web", "a=b", "-Z"],
            // Booleans Go's strconv.ParseBool refuses.
            &["delete", "deploy", "web", "--force=maybe"],
            &["get", "pods", "--watch=maybe"],
            &["get", "pods", "-A=x"],
            &["label", "deploy", "web", "a=b", "--overwrite=yes"],
            &["api-resources", "--namespaced=x"],
            &["config", "view", "--raw=x"],
            // Integers strconv.ParseInt refuses, by syntax and by range.
            &["delete", "deploy", "web", "--grace-period=x"],
            &[
                "delete",
                "deploy",
                "web",
                "--grace-period=99999999999999999999",
            ],
            &["get", "pods", "--chunk-size=1x"],
            &["create", "deployment", "x", "--image=a", "--replicas=x"],
            &[
                "create",
                "deployment",
                "x",
                "--image=a",
                "--replicas=99999999999",
            ],
            &["create", "deployment", "x", "--image=a", "--port=x"],
            &["rollout", "undo", "deploy/web", "--to-revision=x"],
            &["get", "pods", "-v", "x"],
            // `diff` reports flag errors as usage errors, with exit code 2.
            &["diff", "--foo"],
            &["diff", "-f"],
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_flags_take_the_last_value() {
    twins(&[
        // A global flag given twice: the last one counts.
        &["get", "deploy", "-n", "nope", "-n", "default", "-o", "name"],
        &[
            "--namespace",
            "nope",
            "get",
            "deploy",
            "--namespace=default",
            "-o",
            "name",
        ],
        // Local flags: single-valued ones are replaced, list flags accumulate.
        &["get", "deploy", "web", "-o", "yaml", "-o", "name"],
        &[
            "create",
            "deployment",
            "x",
            "--image=a",
            "--replicas",
            "2",
            "--replicas",
            "3",
            "--dry-run=client",
            "-o",
            "jsonpath={.spec.replicas}",
        ],
        &[
            "create",
            "configmap",
            "c",
            "--from-literal=a=1",
            "--from-literal=b=2",
            "-o",
            "name",
        ],
        &[
            "label",
            "deploy",
            "web",
            "x=1",
            "--overwrite",
            "--overwrite=false",
        ],
        // Go's other spellings of a boolean.
        &["label", "deploy", "web", "x=2", "--overwrite=T"],
        &["annotate", "deploy", "web", "a=1"],
        &["annotate", "deploy", "web", "a=2", "--overwrite=1"],
        &["annotate", "deploy", "web", "a=3", "--overwrite=F"],
        // A value that looks like a flag is the value, as pflag reads it.
        &["get", "deploy", "-l", "-x", "-o", "name"],
    ])
    .await;
}

/// A small kustomization: a Deployment and a RoleBinding with a name prefix and a label.
const KUSTOMIZATION: &str =
    "namePrefix: k-\ncommonLabels:\n  from: kust\nresources:\n- deploy.yaml\n- rb.yaml\n";
const KUST_DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n";
const KUST_RB: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: User\n  name: alice\n  apiGroup: rbac.authorization.k8s.io\n";

/// `-k DIR` names the `set` commands' targets as it does `apply`'s (kubectl's FilenameOptions).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_commands_take_a_kustomization() {
    use crate::common::{assert_same, Output, TestEnv};
    if crate::common::oracle().is_none() {
        return;
    }
    let (ours_env, theirs_env) = (TestEnv::start().await, TestEnv::start().await);
    for env in [&ours_env, &theirs_env] {
        let dir = env.work.join("kust");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kustomization.yaml"), KUSTOMIZATION).unwrap();
        std::fs::write(dir.join("deploy.yaml"), KUST_DEPLOY).unwrap();
        std::fs::write(dir.join("rb.yaml"), KUST_RB).unwrap();
        let out = env.ours(&["apply", "-k", "kust"]).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let clean = |o: Output| Output {
        stderr: o
            .stderr
            .replace("kubectl-rs", "kubectl")
            .replace("kubectl.1.33", "kubectl"),
        ..o
    };
    let cases: &[&[&str]] = &[
        &["set", "image", "-k", "kust", "nginx=nginx:1.26"],
        &["set", "image", "-k", "kust", "*=nginx:1.27", "--dry-run=client", "-o", "jsonpath={.spec.template.spec.containers[0].image}"],
        &["set", "resources", "-k", "kust", "--limits=cpu=200m"],
        &["set", "serviceaccount", "-k", "kust", "robot"],
        // kubectl's `set env` still wants `-f` or a resource besides `-k`.
        &["set", "env", "-k", "kust", "A=1"],
        &["set", "env", "-k", "kust", "deploy/k-web", "A=1"],
        &["set", "subject", "-k", "kust", "--user=bob"],
        &["set", "image", "--local", "-k", "kust", "nginx=n:2", "-o", "jsonpath={.spec.template.spec.containers[0].image}"],
        // -k excludes -f, and needs a kustomization.
        &["set", "image", "-k", "kust", "-f", "kust/deploy.yaml", "nginx=n:3"],
        &["set", "env", "-k", "nowhere", "B=2"],
        &["get", "deploy,rolebinding", "-o", "jsonpath={range .items[*]}{.metadata.name} {.spec.template.spec.containers[0].image} {.spec.template.spec.serviceAccountName} {.spec.template.spec.containers[0].env} {.spec.template.spec.containers[0].resources} {.subjects}{\"\\n\"}{end}"],
    ];
    for args in cases {
        let ours = clean(ours_env.ours(args).await);
        let theirs = clean(theirs_env.kubectl(args).await.unwrap());
        assert_same(&format!("{args:?}"), &ours, &theirs);
    }
}

/// `-v=8`/`-v=9` log request and response bodies: a Secret's values, its last-applied
/// annotation and a token never reach the log (nor credentials in headers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_logs_never_show_secrets() {
    let env = crate::common::TestEnv::start().await;
    let kubeconfig = std::fs::read_to_string(&env.kubeconfig).unwrap();
    let token = kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .map(|t| t.trim_matches('"').to_string());
    std::fs::write(
        env.work.join("s.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: applied\nstringData:\n  pw: hunter2-applied\n",
    )
    .unwrap();
    let mut seen = String::new();
    for args in [
        &[
            "create",
            "secret",
            "generic",
            "s",
            "--from-literal=pw=hunter2-literal",
            "-v=9",
        ][..],
        &["apply", "-f", "s.yaml", "-v=9"],
        &["get", "secret", "s", "-o", "yaml", "-v=8"],
        &["get", "secrets", "-v=9"],
        &["get", "secrets", "-o", "json", "-v=9"],
        &["create", "token", "default", "-v=9"],
    ] {
        let out = env.ours(args).await;
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("Response Body"),
            "{args:?}: {}",
            out.stderr
        );
        seen.push_str(&out.stderr);
        if args[0] == "create" && args[1] == "token" {
            let tok = out.stdout.trim();
            assert!(!tok.is_empty());
            assert!(!out.stderr.contains(tok), "token logged: {}", out.stderr);
        }
    }
    for secret in [
        "hunter2",
        "aHVudGVyMi1saXRlcmFs", // base64 of hunter2-literal
        "aHVudGVyMi1hcHBsaWVk", // base64 of hunter2-applied
    ] {
        assert!(!seen.contains(secret), "{secret} logged:\n{seen}");
    }
    assert!(seen.contains("<masked>"), "{seen}");
    if let Some(t) = token.filter(|t| !t.is_empty()) {
        assert!(!seen.contains(&t), "bearer token logged");
        assert!(seen.contains("Authorization: Bearer <masked>"), "{seen}");
    }
}

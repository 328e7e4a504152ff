//! `auth whoami`, `auth can-i` against the real kubectl (the oracle, v1.33) on the same
//! sandbox: stdout, stderr and exit code, and that nothing on the server changed (the reviews
//! are answered, never stored). v1.34+ omits the zero `creationTimestamp` of typed objects
//! (kubernetes#130989), so it is dropped from the oracle's output before comparing, and
//! v1.36 lists `kyaml` among the output formats.

use crate::common;
use crate::create::without_null_creation_timestamp;
use common::{assert_same, snapshot, Output, TestEnv};

/// Runs both CLIs; None when the oracle is not installed.
async fn both(env: &TestEnv, args: &[&str]) -> Option<(Output, Output)> {
    let theirs = env.kubectl(args).await?;
    let theirs = if theirs.stdout.contains("creationTimestamp") {
        Output {
            stdout: without_null_creation_timestamp(&theirs.stdout),
            ..theirs
        }
    } else {
        theirs
    };
    // v1.36 offers kyaml among the output formats.
    let theirs = Output {
        stderr: theirs
            .stderr
            .replace("jsonpath-file,name,", "jsonpath-file,kyaml,name,"),
        ..theirs
    };
    let ours = env.ours(args).await;
    // Usage errors name the program as it was invoked.
    let ours = Output {
        stderr: ours.stderr.replace("'kubectl-rs ", "'kubectl "),
        ..ours
    };
    Some((ours.normalized(), theirs.normalized()))
}

/// Runs `cases` through both CLIs, checking the server is untouched by each.
async fn compare(env: &TestEnv, cases: &[&[&str]]) {
    for args in cases {
        let before = snapshot(env);
        let Some((ours, theirs)) = both(env, args).await else {
            return;
        };
        assert_same(&format!("{args:?}"), &ours, &theirs);
        assert_eq!(snapshot(env), before, "{args:?} changed the server");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoami_prints_the_self_subject_review() {
    let env = TestEnv::start().await;
    // The table without the oracle: the recorded v1.36 layout (the credential id differs
    // per sandbox).
    let ours = env.ours(&["auth", "whoami"]).await;
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    let lines: Vec<&str> = ours.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "ATTRIBUTE                                           VALUE"
    );
    assert_eq!(
        lines[1],
        "Username                                            kubernetes-admin"
    );
    assert_eq!(
        lines[2],
        "Groups                                              [system:masters system:authenticated]"
    );
    assert!(
        lines[3].starts_with("Extra: authentication.kubernetes.io/credential-id   [X509SHA256=")
    );
    compare(
        &env,
        &[
            &["auth", "whoami"],
            &["auth", "whoami", "-o", "json"],
            &["auth", "whoami", "-o", "yaml"],
            &["auth", "whoami", "-o", "name"],
            &["auth", "whoami", "-o", "jsonpath={.status.userInfo.groups}"],
            &[
                "auth",
                "whoami",
                "-o",
                "go-template={{.status.userInfo.username}}",
            ],
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn can_i_answers_and_warns_as_kubectl() {
    let env = TestEnv::start().await;
    compare(
        &env,
        &[
            &["auth", "can-i", "create", "pods"],
            &["auth", "can-i", "list", "deployments.apps"],
            &["auth", "can-i", "get", "deploy/web", "-n", "kube-system"],
            &["auth", "can-i", "get", "pods", "--subresource=log"],
            &["auth", "can-i", "get", "pods", "-q"],
            &["auth", "can-i", "get", "nodes"],
            &["auth", "can-i", "get", "nodes", "-A"],
            &[
                "auth",
                "can-i",
                "get",
                "clusterroles.rbac.authorization.k8s.io",
            ],
            &["auth", "can-i", "get", "foo"],
            &["auth", "can-i", "get", "Foo.Bar/x"],
            &["auth", "can-i", "get", "all"],
            &["auth", "can-i", "impersonate", "users"],
            &["auth", "can-i", "frob", "pods"],
            &["auth", "can-i", "*", "*"],
            &["auth", "can-i", "get", "/logs/"],
            &["auth", "can-i", "frob", "/logs"],
            &[
                "auth",
                "can-i",
                "approve",
                "certificatesigningrequests.certificates.k8s.io",
            ],
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn can_i_list_prints_the_rules_table() {
    let env = TestEnv::start().await;
    let ours = env
        .ours(&["auth", "can-i", "--list", "-n", "default"])
        .await;
    // Recorded from kubectl v1.36 against a kube-apiserver v1.36 (kubectl-1.36-more/11).
    let recorded = include_str!("../fixtures/reference/v136-more/auth-can-i-list.stdout");
    assert_eq!(ours.stdout, recorded);
    compare(
        &env,
        &[
            &["auth", "can-i", "--list"],
            &["auth", "can-i", "--list", "--no-headers"],
            &["auth", "can-i", "--list", "-n", "kube-system"],
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn can_i_hostile_inputs_get_kubectls_errors() {
    let env = TestEnv::start().await;
    compare(
        &env,
        &[
            &["auth", "can-i"],
            &["auth", "can-i", "get"],
            &["auth", "can-i", "get", "pods", "extra"],
            &["auth", "can-i", "--list", "pods"],
            &["auth", "can-i", "--list", "-q"],
            &["auth", "can-i", "--list", "-A"],
            &["auth", "can-i", "--list", "--subresource=log"],
            &["auth", "can-i", "get", "/x", "--subresource=log"],
            &["auth", "can-i", "get", "pods", "--no-headers"],
            &["auth", "can-i", "get", "nodes", "--no-headers"],
            &["auth", "can-i", "get", "pods", "--bogus"],
            &["auth", "whoami", "-o", "wide"],
            &["auth", "bogus"],
        ],
    )
    .await;
}

/// Cluster services in kube-system and default (one named by its `kubernetes.io/name`, one
/// guessed https by its port number, one by its port name).
const CLUSTER_SERVICES: &str = "apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {kubernetes.io/cluster-service: \"true\", kubernetes.io/name: CoreDNS}}
spec: {ports: [{name: dns, port: 53, protocol: UDP}, {name: metrics, port: 9153}]}
---
apiVersion: v1
kind: Service
metadata: {name: dash, namespace: kube-system, labels: {kubernetes.io/cluster-service: \"true\"}}
spec: {ports: [{port: 443}]}
---
apiVersion: v1
kind: Service
metadata: {name: plain, namespace: default, labels: {kubernetes.io/cluster-service: \"true\"}}
spec: {ports: [{name: https, port: 8443}]}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_info_lists_the_cluster_services() {
    let env = TestEnv::start().await;
    let ours = env.ours(&["cluster-info"]).await;
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    assert!(ours
        .stdout
        .starts_with("Kubernetes control plane is running at https://127.0.0.1:"));
    assert!(ours.stdout.ends_with(
        "\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n"
    ));
    compare(&env, &[&["cluster-info"], &["cluster-info", "-n", "nope"]]).await;
    std::fs::write(env.work.join("cluster-services.yaml"), CLUSTER_SERVICES).unwrap();
    let applied = env.ours(&["apply", "-f", "cluster-services.yaml"]).await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let ours = env.ours(&["cluster-info"]).await;
    assert!(
        ours.stdout
            .contains("\nCoreDNS is running at https://127.0.0.1:"),
        "{}",
        ours.stdout
    );
    compare(
        &env,
        &[
            &["cluster-info"],
            &["cluster-info", "-n", "default"],
            &["cluster-info", "ignored", "args"],
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_role_builds_what_kubectl_builds() {
    let env = TestEnv::start().await;
    let role = |extra: &'static [&'static str]| -> Vec<&'static str> {
        let mut v = vec!["create", "role", "r", "--dry-run=client"];
        v.extend_from_slice(extra);
        v
    };
    let cases: Vec<Vec<&str>> = vec![
        role(&["--verb=get,list,watch", "--resource=pods", "-o", "yaml"]),
        role(&[
            "--verb=get,get,list",
            "--resource=rs.apps,pods,pods/status,deploy.apps/scale",
            "--resource-name=a",
            "--resource-name=a,b",
            "-o",
            "json",
        ]),
        role(&["--verb=*,get", "--resource=*", "-o", "json"]),
        role(&["--verb=get", "--resource=*,foo", "-o", "yaml"]),
        role(&[
            "--verb=bind",
            "--resource=roles.rbac.authorization.k8s.io",
            "-o",
            "yaml",
        ]),
        role(&[
            "--verb=impersonate",
            "--resource=users,serviceaccounts",
            "-o",
            "yaml",
        ]),
        role(&["--verb=frob", "--resource=pods", "-o", "name"]),
        role(&["--verb=get", "--resource=pods"]),
        role(&[
            "--verb=get",
            "--resource=pods",
            "-n",
            "kube-system",
            "-o",
            "json",
        ]),
        // Hostile: kubectl's validation messages.
        role(&["--verb=get", "--resource=foo"]),
        role(&["--verb=get", "--resource=foo.bar"]),
        role(&["--verb=use", "--resource=pods"]),
        role(&["--verb=impersonate", "--resource=users,foo"]),
        role(&["--verb=get"]),
        role(&["--resource=pods"]),
        role(&["--verb=get", "--resource=/status"]),
        role(&["--verb=get", "--resource=.apps"]),
        role(&["--verb=get", "--resource=pods", "-o", "wide"]),
        vec!["create", "role", "--verb=get", "--resource=pods"],
        vec!["create", "role", "a", "b", "--verb=get", "--resource=pods"],
    ];
    let cases: Vec<&[&str]> = cases.iter().map(Vec::as_slice).collect();
    compare(&env, &cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_role_creates_on_the_server() {
    let ours = TestEnv::start().await;
    let theirs = TestEnv::start().await;
    let args = [
        "create",
        "role",
        "reader",
        "--verb=get,list",
        "--resource=pods,deploy.apps/scale",
        "--resource-name=web",
        "-n",
        "default",
    ];
    let a = ours.ours(&args).await;
    let Some(b) = theirs.kubectl(&args).await else {
        return;
    };
    assert_same("create role", &a, &b);
    let gr = kubectl_rs::sandbox::store::GroupResource::new("rbac.authorization.k8s.io", "roles");
    let get = |env: &TestEnv| {
        let mut o = env
            .sandbox
            .store()
            .get(&gr, "default", "reader")
            .expect("role created");
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "managedFields",
        ] {
            o["metadata"].as_object_mut().unwrap().remove(k);
        }
        o
    };
    assert_eq!(get(&ours), get(&theirs));
    // Again: AlreadyExists, and nothing changes.
    let before = snapshot(&ours);
    let a = ours.ours(&args).await;
    let b = theirs.kubectl(&args).await.unwrap();
    assert_same("create role again", &a, &b);
    assert_eq!(snapshot(&ours), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_clusterrole_builds_what_kubectl_builds() {
    let env = TestEnv::start().await;
    let cr = |extra: &'static [&'static str]| -> Vec<&'static str> {
        let mut v = vec!["create", "clusterrole", "c", "--dry-run=client"];
        v.extend_from_slice(extra);
        v
    };
    let cases: Vec<Vec<&str>> = vec![
        cr(&[
            "--verb=get,list",
            "--resource=pods,rs.apps/scale",
            "-o",
            "yaml",
        ]),
        cr(&[
            "--verb=get",
            "--non-resource-url=/logs/*,/healthz,/logs/*",
            "-o",
            "json",
        ]),
        cr(&[
            "--verb=get",
            "--resource=nodes",
            "--non-resource-url=*",
            "-o",
            "yaml",
        ]),
        cr(&[
            "--aggregation-rule=a=b,c=d",
            "--aggregation-rule=a=e",
            "-o",
            "json",
        ]),
        cr(&["--aggregation-rule=rbac.example.com/x=true", "-o", "yaml"]),
        cr(&["--verb=get", "--resource=pods"]),
        // Hostile: kubectl's validation messages.
        cr(&["--aggregation-rule=a=b", "--verb=get"]),
        cr(&["--aggregation-rule=ab"]),
        cr(&["--verb=get"]),
        cr(&["--resource=pods"]),
        cr(&["--verb=watch", "--non-resource-url=/x"]),
        cr(&["--verb=get", "--non-resource-url=x"]),
        cr(&["--verb=get", "--non-resource-url=/a*/b"]),
        cr(&["--verb=get", "--resource=foo"]),
        cr(&["--verb=escalate", "--resource=pods"]),
    ];
    let cases: Vec<&[&str]> = cases.iter().map(Vec::as_slice).collect();
    compare(&env, &cases).await;
}

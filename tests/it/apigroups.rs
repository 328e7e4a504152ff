//! Every API group of a v1.36 kube-apiserver, served by the sandbox: the real kubectl prints
//! the same discovery (`api-versions`, `api-resources`) as against a real v1.36 server
//! (recorded in tests/fixtures/reference/kubectl-1.36-more), the server-side tables of the
//! newer groups' kinds, the decoder's type errors, Secret `stringData`, and `delete -f` of a
//! namespace together with its contents.

use std::time::Duration;

use crate::common;

use common::normalize::normalize;
use common::{oracle, Output, TestEnv};

fn reference(name: &str) -> Output {
    let dir = common::fixtures().join("reference/kubectl-1.36-more");
    let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).unwrap();
    Output {
        stdout: read("stdout"),
        stderr: read("stderr"),
        code: read("rc").trim().parse().unwrap(),
    }
}

#[track_caller]
fn assert_output(what: &str, got: &Output, want: &Output) {
    assert!(
        got == want,
        "{what}\n--- want (code {}):\n{}{}\n--- got (code {}):\n{}{}",
        want.code,
        want.stdout,
        want.stderr,
        got.code,
        got.stdout,
        got.stderr
    );
}

fn ok(stdout: &str) -> Output {
    Output {
        stdout: stdout.to_string(),
        stderr: String::new(),
        code: 0,
    }
}

/// Ages and timestamps replaced (see `normalize`), on both sides.
fn normalized(o: &Output) -> Output {
    Output {
        stdout: normalize(&o.stdout),
        stderr: normalize(&o.stderr),
        code: o.code,
    }
}

#[tokio::test]
async fn discovery_prints_as_a_v136_server() {
    if oracle().is_none() {
        return;
    }
    // The recorded cluster had no metrics-server.
    let env = TestEnv::with(kubectl_rs::sandbox::SandboxOptions {
        name: "kind-multinodes".into(),
        metrics: false,
        ..Default::default()
    })
    .await;
    for (args, name) in [
        (&["api-versions"][..], "25-api-versions"),
        (&["api-resources"][..], "23-api-resources"),
        (
            &["api-resources", "-o", "wide"][..],
            "24-api-resources-wide",
        ),
    ] {
        let got = env.kubectl(args).await.unwrap();
        assert_output(&format!("kubectl {args:?}"), &got, &reference(name));
    }
}

const OBJECTS: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules:
- apiGroups: [\"\"]
  resources: [pods]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-pods}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
- {kind: User, name: joe, apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: bot, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules:
- apiGroups: [\"\"]
  resources: [nodes]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: read-nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
subjects:
- {kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: nginx
  tls:
  - hosts: [a.example.com]
  rules:
  - host: a.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
  - host: b.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec:
  podSelector:
    matchLabels: {app: web}
  policyTypes: [Ingress]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 30%
  selector:
    matchLabels: {app: web}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
globalDefault: false
description: important
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
  annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}
provisioner: example.com/fast
allowVolumeExpansion: true
";

/// Objects of the newer groups, created from a manifest, print with the columns
/// kube-apiserver v1.36's printers give them.
#[tokio::test]
async fn newer_groups_print_as_the_real_server() {
    if oracle().is_none() {
        return;
    }
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("objects.yaml"), OBJECTS).unwrap();
    let created = env
        .kubectl(&["create", "-f", "objects.yaml"])
        .await
        .unwrap();
    assert_output(
        "create",
        &created,
        &ok("role.rbac.authorization.k8s.io/reader created
rolebinding.rbac.authorization.k8s.io/read-pods created
clusterrole.rbac.authorization.k8s.io/node-reader created
clusterrolebinding.rbac.authorization.k8s.io/read-nodes created
ingress.networking.k8s.io/web created
networkpolicy.networking.k8s.io/deny created
poddisruptionbudget.policy/web created
priorityclass.scheduling.k8s.io/high created
storageclass.storage.k8s.io/fast created
"),
    );
    let cases: &[(&[&str], &str)] = &[
        (
            &["get", "roles"],
            "NAME     CREATED AT\nreader   2026-01-01T00:00:00Z\n",
        ),
        (
            &["get", "rolebindings", "-o", "wide"],
            "NAME        ROLE          AGE   USERS       GROUPS   SERVICEACCOUNTS
read-pods   Role/reader   0s    jane, joe   devs     default/bot
",
        ),
        (
            &["get", "clusterrole", "node-reader"],
            "NAME          CREATED AT\nnode-reader   2026-01-01T00:00:00Z\n",
        ),
        (
            &["get", "clusterrolebinding", "read-nodes"],
            "NAME         ROLE                      AGE\nread-nodes   ClusterRole/node-reader   0s\n",
        ),
        (
            &["get", "ingress"],
            "NAME   CLASS   HOSTS                         ADDRESS   PORTS     AGE
web    nginx   a.example.com,b.example.com             80, 443   0s
",
        ),
        (
            &["get", "networkpolicy"],
            "NAME   POD-SELECTOR   AGE\ndeny   app=web        0s\n",
        ),
        (
            &["get", "pdb"],
            "NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE
web    N/A             30%               0                     0s
",
        ),
        (
            &["get", "priorityclass", "high"],
            "NAME   VALUE   GLOBAL-DEFAULT   AGE   PREEMPTIONPOLICY
high   1000    false            0s    PreemptLowerPriority
",
        ),
        (
            &["get", "storageclass"],
            "NAME             PROVISIONER        RECLAIMPOLICY   VOLUMEBINDINGMODE   ALLOWVOLUMEEXPANSION   AGE
fast (default)   example.com/fast   Delete          Immediate           true                   0s
",
        ),
    ];
    for (args, want) in cases {
        let got = env.kubectl(args).await.unwrap();
        assert_output(
            &format!("kubectl {args:?}"),
            &normalized(&got),
            &normalized(&ok(want)),
        );
    }
}

const BAD: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: \"x\"
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - {name: c, image: nginx}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data:
  a: 1
";

/// Wrong types are refused with the decoder's message, and nothing is stored.
#[tokio::test]
async fn wrong_types_are_refused_with_the_decoders_message() {
    if oracle().is_none() {
        return;
    }
    let env = TestEnv::start().await;
    std::fs::write(env.work.join("bad.yaml"), BAD).unwrap();
    let snapshot = ["get", "deploy,cm", "-A", "-o", "name"];
    let before = env.kubectl(&snapshot).await.unwrap();
    for verb in ["create", "apply"] {
        let got = env.kubectl(&[verb, "-f", "bad.yaml"]).await.unwrap();
        assert_output(
            verb,
            &got,
            &Output {
                stdout: String::new(),
                stderr: "Error from server (BadRequest): error when creating \"bad.yaml\": Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32
Error from server (BadRequest): error when creating \"bad.yaml\": ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string
"
                .into(),
                code: 1,
            },
        );
    }
    assert_eq!(env.kubectl(&snapshot).await.unwrap(), before);
}

const SECRET: &str = "apiVersion: v1
kind: Secret
metadata: {name: creds}
data:
  user: YWRtaW4=
stringData:
  password: hunter2
";

/// `stringData` ends up base64-encoded in `data` and is never stored or returned.
#[tokio::test]
async fn secret_string_data_is_merged_into_data() {
    if oracle().is_none() {
        return;
    }
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("secret.yaml"), SECRET).unwrap();
    let got = env.kubectl(&["create", "-f", "secret.yaml"]).await.unwrap();
    assert_output("create", &got, &ok("secret/creds created\n"));
    let got = env.kubectl(&["get", "secret", "creds"]).await.unwrap();
    assert_output(
        "get",
        &got,
        &ok("NAME    TYPE     DATA   AGE\ncreds   Opaque   2      0s\n"),
    );
    let got = env
        .kubectl(&[
            "get",
            "secret",
            "creds",
            "-o",
            "jsonpath={.data}|{.stringData}",
        ])
        .await
        .unwrap();
    assert_output(
        "data",
        &got,
        &ok("{\"password\":\"aHVudGVyMg==\",\"user\":\"YWRtaW4=\"}|"),
    );
}

const TEAM: &str = "apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: team}
data: {a: \"1\"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: bot, namespace: team}
";

/// `delete -f` of a namespace and its contents: the namespace turns Terminating and its
/// objects are still there to delete one by one (the namespace controller waits 5s); the
/// namespace goes once the controller has run. v1.36 names the namespace of a deleted
/// namespaced object (`deleted from team namespace`); kubectl v1.33 does not, so its lines
/// are turned into v1.36's before comparing.
#[tokio::test]
async fn delete_f_of_a_namespace_with_its_contents() {
    if oracle().is_none() {
        return;
    }
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("team.yaml"), TEAM).unwrap();
    let got = env.kubectl(&["apply", "-f", "team.yaml"]).await.unwrap();
    assert_eq!(got.code, 0, "{got:?}");
    let got = env
        .kubectl(&["delete", "-f", "team.yaml", "--wait=false"])
        .await
        .unwrap();
    let v136 = Output {
        stdout: got
            .stdout
            .replace("\" deleted\n", "\" deleted from team namespace\n")
            .replacen(
                "namespace \"team\" deleted from team namespace",
                "namespace \"team\" deleted",
                1,
            ),
        ..got
    };
    assert_output(
        "delete -f",
        &v136,
        &ok("namespace \"team\" deleted
configmap \"cfg\" deleted from team namespace
serviceaccount \"bot\" deleted from team namespace
"),
    );
    let got = env
        .kubectl(&["get", "ns", "team", "-o", "jsonpath={.status.phase}"])
        .await
        .unwrap();
    assert_output("terminating", &got, &ok("Terminating"));
    let got = env.kubectl(&["create", "-f", "team.yaml"]).await.unwrap();
    assert_eq!(
        got.stderr,
        "Error from server (AlreadyExists): error when creating \"team.yaml\": object is being deleted: namespaces \"team\" already exists
Error from server (Forbidden): error when creating \"team.yaml\": configmaps \"cfg\" is forbidden: unable to create new content in namespace team because it is being terminated
Error from server (Forbidden): error when creating \"team.yaml\": serviceaccounts \"bot\" is forbidden: unable to create new content in namespace team because it is being terminated
"
    );
    common::advancing(&env, Duration::from_secs(1), || async {
        let got = env.kubectl(&["get", "ns", "team"]).await.unwrap();
        got.code == 1
    })
    .await;
}

/// The self reviews are answered as a real server answers its cluster administrator:
/// `auth whoami`, `auth can-i` and `auth can-i --list` print the recorded v1.36 output (the
/// client certificate's fingerprint differs, and is compared in form only).
#[tokio::test]
async fn self_reviews_answer_as_for_a_cluster_admin() {
    if oracle().is_none() {
        return;
    }
    let env = TestEnv::start().await;
    let fingerprint = |o: Output| {
        let mut stdout = String::new();
        for line in o.stdout.split_inclusive('\n') {
            match line.find("[X509SHA256=") {
                Some(i) => {
                    let hex = &line[i + 12..line.len() - 2];
                    assert!(
                        hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
                        "{line}"
                    );
                    stdout.push_str(&line[..i + 12]);
                    stdout.push_str("…]\n");
                }
                None => stdout.push_str(line),
            }
        }
        Output { stdout, ..o }
    };
    for (args, name) in [
        (&["auth", "whoami"][..], "09-auth-whoami"),
        (&["auth", "can-i", "create", "pods"][..], "10-auth-can-i"),
        (
            &["auth", "can-i", "--list", "-n", "default"][..],
            "11-auth-can-i-list",
        ),
    ] {
        let got = env.kubectl(args).await.unwrap();
        assert_output(
            &format!("kubectl {args:?}"),
            &fingerprint(got),
            &fingerprint(reference(name)),
        );
    }
}

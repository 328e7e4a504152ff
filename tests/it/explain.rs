//! `explain` against the sandbox's OpenAPI v3 documents: kubectl-rs and the real kubectl run
//! with the same arguments against the same sandbox must print the same stdout and stderr and
//! exit with the same code, and the v1.36 recordings (tests/fixtures/reference/
//! kubectl-1.36-more/0[1-6]-explain-*) must come out byte for byte.
//!
//! `--output=plaintext-openapiv2` renders the sandbox's `/openapi/v2` (JSON) with kubectl's
//! `pkg/explain`: recording 04 (a real v1.36 server's v2 output) must come out byte for byte.
//! The sandbox serves that document as JSON and, as the oracle asks for it, as protobuf
//! (crates/sandbox/src/openapi_v2pb.rs); the v2 cases here are checked against the recording
//! and kubectl's source (tests/it/crdv2.rs runs the oracle on v2 for custom resources).
//!
//! `explain` only reads: every case, good or bad, leaves the server's resourceVersion where it
//! was (manual clock, so no controller writes in between).

use crate::common;
use common::{assert_same, Output, TestEnv};

fn reference(name: &str) -> (Vec<String>, Output) {
    let dir = common::fixtures().join("reference/kubectl-1.36-more");
    let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).unwrap();
    let args = read("cmd")
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect();
    (
        args,
        Output {
            stdout: read("stdout"),
            stderr: read("stderr"),
            code: read("rc").trim().parse().unwrap(),
        },
    )
}

/// Runs `args` with both CLIs, compares them, and checks nothing on the server changed.
async fn same(env: &TestEnv, args: &[&str]) -> Output {
    let before = env.sandbox.store().current_rv();
    let ours = env.ours(args).await;
    if let Some(theirs) = env.kubectl(args).await {
        assert_same(&args.join(" "), &ours, &theirs);
    }
    assert_eq!(
        env.sandbox.store().current_rv(),
        before,
        "{args:?} changed the server"
    );
    ours
}

#[tokio::test]
async fn recorded_cases_match_v136_and_the_oracle() {
    let env = TestEnv::manual_clock().await;
    for name in [
        "01-explain-pods",
        "02-explain-pod-spec-containers",
        "03-explain-ds-recursive",
        "04-explain-deploy-v2",
        "05-explain-nope",
        "06-explain-api-version",
    ] {
        let (args, want) = reference(name);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // The oracle cannot read the sandbox's JSON OpenAPI v2 (see the module doc).
        let ours = if name.starts_with("04-") {
            env.ours(&args).await
        } else {
            same(&env, &args).await
        };
        assert!(
            ours == want,
            "{name}\n--- want (code {}):\n{}{}\n--- got (code {}):\n{}{}",
            want.code,
            want.stdout,
            want.stderr,
            ours.code,
            ours.stdout,
            ours.stderr
        );
    }
}

#[tokio::test]
async fn kinds_groups_paths_and_types_match_the_oracle() {
    let env = TestEnv::manual_clock().await;
    let cases: &[&[&str]] = &[
        // Several kinds and groups, by plural, singular, short name and kind.
        &["explain", "svc"],
        &["explain", "deployment"],
        &["explain", "Pod"],
        &["explain", "cronjobs.batch"],
        &["explain", "ingresses.networking.k8s.io.spec"],
        &["explain", "ev"],
        &["explain", "crd.spec.versions"],
        &["explain", "clusterroles.rules"],
        // Deep paths, arrays of objects, maps, enums.
        &["explain", "pods.spec.containers.resources.limits"],
        &["explain", "pods.spec.containers.ports.protocol"],
        &["explain", "po.spec.restartPolicy"],
        &["explain", "svc.spec.type"],
        &["explain", "svc.spec"],
        &["explain", "pods.metadata.labels"],
        &["explain", "deployments.apps.spec.replicas"],
        &[
            "explain",
            "cronjobs.spec.jobTemplate.spec.template.spec.volumes.configMap",
        ],
        &["explain", "nodes.status.capacity"],
        &["explain", "pv.spec.accessModes"],
        &["explain", "networkpolicies.spec.policyTypes"],
        &["explain", "pods.spec."],
        &["explain", "pods..spec"],
        // --recursive on big kinds, --api-version.
        &["explain", "pods.spec", "--recursive"],
        &["explain", "crd.spec", "--recursive"],
        &["explain", "statefulsets", "--recursive=true"],
        &["explain", "pods", "--recursive=false"],
        &[
            "explain",
            "hpa.spec.metrics",
            "--api-version=autoscaling/v2",
        ],
        &["explain", "hpa", "--api-version=autoscaling/v1"],
        &["explain", "deployments", "--api-version=apps/v1"],
    ];
    for args in cases {
        let out = same(&env, args).await;
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
}

#[tokio::test]
async fn errors_match_the_oracle() {
    let env = TestEnv::manual_clock().await;
    let cases: &[&[&str]] = &[
        &["explain"],
        &["explain", "pods", "svc"],
        &["explain", "nope"],
        &["explain", "nope.spec"],
        &["explain", "pods.nope"],
        &["explain", "pods.spec.hostname.x"],
        &["explain", "pods.spec.containers.nope"],
        &["explain", "pods[0]"],
        // kubectl's prefix match wants the plural: the group becomes a field.
        &["explain", "deployment.apps"],
        &["explain", "hpa.autoscaling"],
        &["explain", "events.events.k8s.io"],
        &["explain", "pods.spec..containers"],
        &["explain", "pods.spec.containers[0]"],
        &["explain", "pods", "--api-version=v2"],
        &["explain", "pods", "--api-version=apps/v1"],
        &["explain", "pods", "--api-version=a/b/c"],
        &["explain", "deployments.apps", "--api-version=apps/v1"],
        &["explain", "pods", "--output=yaml"],
    ];
    for args in cases {
        let out = same(&env, args).await;
        assert_ne!(out.code, 0, "{args:?}");
    }
}

/// v1.36's `-R` and `-o` shorthands (kubectl v0.36 explain.go; the v1.33 oracle lacks them)
/// print what the long flags print in the oracle.
#[tokio::test]
async fn v136_shorthands_equal_the_long_flags() {
    let env = TestEnv::manual_clock().await;
    for (short, long) in [
        (
            &["explain", "-R", "pods.spec.volumes"][..],
            &["explain", "--recursive", "pods.spec.volumes"][..],
        ),
        (
            &["explain", "-o", "plaintext", "svc"][..],
            &["explain", "--output=plaintext", "svc"][..],
        ),
        (
            &["explain", "-oyaml", "svc"][..],
            &["explain", "--output=yaml", "svc"][..],
        ),
    ] {
        let ours = env.ours(short).await;
        assert_eq!(ours, env.ours(long).await, "{short:?}");
        if let Some(theirs) = env.kubectl(long).await {
            assert_same(&short.join(" "), &ours, &theirs);
        }
    }
}

/// `-o plaintext-openapiv2` below the kind (kubectl `pkg/explain`): a field path through a
/// reference and an array (`RESOURCE:` with both descriptions, a blank line between), a map
/// of primitives (`FIELD:`), a primitive that ignores the rest of the path (kube-openapi's
/// field lookup), `--recursive`, the missing field error, and the field names agreeing with
/// the oracle-checked OpenAPI v3 explanation of the same kind.
#[tokio::test]
async fn openapiv2_paths_recursion_and_errors() {
    let env = TestEnv::manual_clock().await;
    let before = env.sandbox.store().current_rv();
    let v2 = |args: &'static [&'static str]| {
        let mut a = args.to_vec();
        a.push("--output=plaintext-openapiv2");
        a
    };
    let out = env
        .ours(&v2(&["explain", "deploy.spec.template.spec.containers"]))
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.starts_with(
            "KIND:     Deployment\nVERSION:  apps/v1\n\nRESOURCE: containers <[]Object>\n\nDESCRIPTION:\n     List of containers belonging to the pod."
        ),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\n\n     A single application container that you want to run within a pod.\n\nFIELDS:\n   args\t<[]string>\n"), "{}", out.stdout);
    assert!(
        out.stdout.contains("\n   name\t<string> -required-\n"),
        "{}",
        out.stdout
    );

    let out = env.ours(&v2(&["explain", "pods.metadata.labels"])).await;
    assert!(
        out.stdout.starts_with("KIND:     Pod\nVERSION:  v1\n\nFIELD:    labels <map[string]string>\n\nDESCRIPTION:\n     Map of string keys"),
        "{}",
        out.stdout
    );
    let out = env
        .ours(&v2(&["explain", "pods.spec.nodeName.extra"]))
        .await;
    assert!(
        out.stdout.starts_with("KIND:     Pod\nVERSION:  v1\n\nFIELD:    extra <string>\n\nDESCRIPTION:\n     NodeName "),
        "{}",
        out.stdout
    );

    let out = env.ours(&v2(&["explain", "pods.spec.nope"])).await;
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.code),
        ("", "error: field \"nope\" does not exist\n", 1)
    );

    // --recursive: every field at three more spaces per level, references cut on cycles.
    let out = env.ours(&v2(&["explain", "pods", "--recursive"])).await;
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("FIELDS:\n   apiVersion\t<string>\n   kind\t<string>\n   metadata\t<Object>\n      annotations\t<map[string]string>\n"), "{}", out.stdout);
    assert!(
        out.stdout.contains("\n         fieldsV1\t<map[string]>\n"),
        "{}",
        out.stdout
    );

    // The fields of pods.spec are the ones the v3 explanation (compared with the oracle
    // elsewhere) lists.
    let names = |text: &str, indent: &str| -> Vec<String> {
        let fields = text.split("FIELDS:\n").nth(1).unwrap_or("");
        fields
            .lines()
            .filter_map(|l| l.strip_prefix(indent))
            .filter(|l| !l.starts_with(' ') && l.contains('\t'))
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    let v2_spec = env.ours(&v2(&["explain", "pods.spec"])).await;
    let v3_spec = same(&env, &["explain", "pods.spec"]).await;
    let (a, b) = (names(&v2_spec.stdout, "   "), names(&v3_spec.stdout, "  "));
    assert!(a.len() > 30, "{a:?}");
    assert_eq!(a, b);
    assert_eq!(env.sandbox.store().current_rv(), before);
}

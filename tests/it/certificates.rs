//! `certificate approve|deny` and the sandbox's CertificateSigningRequests, with the real
//! kubectl (the oracle, v1.33; v1.36's certificates.go is the same) on the same sandbox. Each
//! case starts from the same CSRs (alice and bob pending, carl approved, dan denied), runs
//! kubectl, records its output and the CSRs' conditions, resets, runs kubectl-rs, and compares
//! both (the conditions' timestamps come from each CLI's clock and are left out). Hostile
//! inputs also check that nothing else on the server changed.
//!
//! The CSRs' PEM requests are in `tests/fixtures/certificates/` (made once with openssl;
//! `bad-signature.csr.pem` is alice's with one signature byte flipped).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::common;
use common::{assert_same, Output, TestEnv};
use kubectl_rs::sandbox::store::GroupResource;

fn csr_gr() -> GroupResource {
    GroupResource::new("certificates.k8s.io", "certificatesigningrequests")
}

fn pem_b64(file: &str) -> String {
    use base64::Engine;
    let pem = std::fs::read(common::fixtures().join("certificates").join(file)).unwrap();
    base64::engine::general_purpose::STANDARD.encode(pem)
}

/// A CSR manifest for `name` with the request in `file`.
pub fn manifest(name: &str, file: &str, signer: &str, usages: &[&str]) -> String {
    let usages: Vec<String> = usages.iter().map(|u| format!("  - {u}\n")).collect();
    format!(
        "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: {name}\nspec:\n  request: {}\n  signerName: {signer}\n  expirationSeconds: 86400\n  usages:\n{}",
        pem_b64(file),
        usages.concat()
    )
}

const CLIENT: &str = "kubernetes.io/kube-apiserver-client";

/// Deletes every CSR and creates the four of every case.
async fn reset(env: &TestEnv) {
    let store = env.sandbox.store();
    for o in store.list(&csr_gr(), None).0 {
        store
            .remove(&csr_gr(), "", o["metadata"]["name"].as_str().unwrap())
            .unwrap();
    }
    let mut all = String::new();
    for (name, file) in [
        ("alice", "alice.csr.pem"),
        ("bob", "bob.csr.pem"),
        ("carl", "carol.csr.pem"),
        ("dan", "dave-rsa.csr.pem"),
    ] {
        all.push_str(&manifest(name, file, CLIENT, &["client auth"]));
        all.push_str("---\n");
    }
    std::fs::write(env.work.join("csrs.yaml"), &all).unwrap();
    std::fs::write(
        env.work.join("alice.yaml"),
        manifest("alice", "alice.csr.pem", CLIENT, &["client auth"]),
    )
    .unwrap();
    let out = env.ours(&["create", "-f", "csrs.yaml"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    for (name, ty) in [("carl", "Approved"), ("dan", "Denied")] {
        store
            .modify(&csr_gr(), "", name, |o| {
                o["status"]["conditions"] = json!([{
                    "type": ty, "status": "True", "reason": "Seeded", "message": "seeded",
                    "lastUpdateTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z",
                }]);
                Ok(true)
            })
            .unwrap();
    }
}

/// The CSRs' specs and conditions, without what differs between two runs.
fn csrs(env: &TestEnv) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for o in env.sandbox.store().list(&csr_gr(), None).0 {
        let mut conds = o["status"]["conditions"].clone();
        for c in conds.as_array_mut().into_iter().flatten() {
            let c = c.as_object_mut().unwrap();
            // Each CLI stamps lastUpdateTime from its own clock; the server, the transition.
            assert!(c.remove("lastUpdateTime").is_some());
            assert!(c.remove("lastTransitionTime").is_some());
        }
        let name = o["metadata"]["name"].as_str().unwrap().to_string();
        out.insert(
            name,
            json!({"spec": o["spec"], "conditions": conds, "certificate": o["status"]["certificate"]}),
        );
    }
    out
}

/// Every stored object but the CSRs' conditions and what the sandbox's loops change.
fn snapshot(env: &TestEnv) -> BTreeMap<String, Value> {
    let store = env.sandbox.store();
    let mut out = BTreeMap::new();
    for gr in store.resources() {
        if gr.resource == "leases" || gr.resource == "events" {
            continue;
        }
        for mut o in store.list(&gr, None).0 {
            let key = format!(
                "{}/{}/{}",
                gr.resource,
                o["metadata"]["namespace"].as_str().unwrap_or_default(),
                o["metadata"]["name"].as_str().unwrap_or_default()
            );
            if gr.resource != "certificatesigningrequests" {
                if let Some(m) = o.as_object_mut() {
                    m.remove("status");
                }
                if let Some(m) = o["metadata"].as_object_mut() {
                    m.remove("resourceVersion");
                }
            }
            out.insert(key, o);
        }
    }
    out
}

/// kubectl's output with v1.36's differences: `kyaml` is among the output formats.
fn v136(o: Output) -> Output {
    Output {
        stderr: o
            .stderr
            .replace("jsonpath-file,name,", "jsonpath-file,kyaml,name,"),
        ..o
    }
}

/// Runs `args` with kubectl then kubectl-rs, each from the same starting CSRs; compares the
/// outputs and the CSRs afterwards. Returns kubectl-rs's output (None without the oracle).
async fn case(env: &TestEnv, args: &[&str]) -> Option<Output> {
    reset(env).await;
    let theirs = v136(env.kubectl(args).await?).normalized();
    let their_csrs = csrs(env);
    reset(env).await;
    let ours = env.ours(args).await.normalized();
    let our_csrs = csrs(env);
    assert_same(&args.join(" "), &ours, &theirs);
    assert_eq!(our_csrs, their_csrs, "CSRs after {args:?}");
    Some(ours)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_and_deny_match_kubectl() {
    let env = TestEnv::manual_clock().await;
    let cases: &[&[&str]] = &[
        &["certificate", "approve", "alice"],
        &["certificate", "deny", "alice", "bob"],
        // Already approved: nothing sent; the opposite condition is an error, the rest go on.
        &["certificate", "approve", "carl", "alice"],
        &["certificate", "approve", "dan", "alice", "carl"],
        &["certificate", "deny", "carl"],
        &["certificate", "approve", "--force", "carl"],
        &["certificate", "deny", "--force", "carl"],
        // Output formats print the object as the builder fetched it (before the change).
        &["certificate", "approve", "alice", "-o", "name"],
        &["certificate", "approve", "bob", "-o", "json"],
        &["certificate", "deny", "bob", "alice", "-o", "yaml"],
        &[
            "certificate",
            "approve",
            "alice",
            "-o",
            "jsonpath={.spec.username}",
        ],
        &["certificate", "approve", "alice", "-o", "wide"],
        // Names in TYPE/NAME form, missing ones, files.
        &[
            "certificate",
            "approve",
            "csr/alice",
            "certificatesigningrequest/bob",
        ],
        &["certificate", "approve", "nope", "alice", "other"],
        &["certificate", "deny", "-f", "alice.yaml"],
        &["certificate", "approve", "-f", "csrs.yaml"],
        &["certificate", "approve", "-f", "csrs.yaml", "-o", "name"],
        &["certificate", "approve", "-f", "alice.yaml", "alice"],
        &["certificate", "approve", "-f", "missing.yaml"],
    ];
    for args in cases {
        if case(&env, args).await.is_none() {
            return;
        }
    }
    // The approval went through `/approval`: alice has kubectl's condition, her spec is intact.
    reset(&env).await;
    let out = env.ours(&["certificate", "approve", "alice"]).await;
    assert_eq!(
        out.stdout,
        "certificatesigningrequest.certificates.k8s.io/alice approved\n"
    );
    let c = &csrs(&env)["alice"];
    assert_eq!(
        c["conditions"],
        json!([{"type": "Approved", "status": "True", "reason": "KubectlApprove",
            "message": "This CSR was approved by kubectl certificate approve."}])
    );
    assert_eq!(c["spec"]["username"], "kubernetes-admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_change_nothing() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(
        env.work.join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: default\n",
    )
    .unwrap();
    std::fs::write(env.work.join("empty.yaml"), "").unwrap();
    let cases: &[&[&str]] = &[
        &["certificate", "approve"],
        &["certificate", "deny", "-o", "bogus", "alice"],
        &["certificate", "approve", "pods/x", "alice"],
        &["certificate", "approve", "a/b/c"],
        &["certificate", "approve", "nosuchtype/x"],
        &["certificate", "approve", "../x", "alice"],
        &["certificate", "approve", "%2e%2e", "a%b"],
        &["certificate", "approve", "-f", "cm.yaml"],
        &["certificate", "approve", "-f", "empty.yaml"],
    ];
    for args in cases {
        reset(&env).await;
        let before = snapshot(&env);
        let Some(theirs) = env.kubectl(args).await.map(v136) else {
            return;
        };
        let after_theirs = snapshot(&env);
        let ours = env.ours(args).await;
        assert_same(&args.join(" "), &ours.normalized(), &theirs.normalized());
        let after = snapshot(&env);
        if theirs.code != 0 {
            assert_eq!(after_theirs, before, "kubectl changed something: {args:?}");
        }
        assert_eq!(
            after, after_theirs,
            "kubectl-rs changed something: {args:?}"
        );
    }
}

/// Runs kubectl against the sandbox; None without the oracle.
async fn kubectl(env: &TestEnv, args: &[&str]) -> Option<Output> {
    env.kubectl(args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_validates_csrs_as_the_api_server() {
    let env = TestEnv::manual_clock().await;
    let write = |name: &str, text: String| std::fs::write(env.work.join(name), text).unwrap();
    write(
        "bad.yaml",
        manifest("bad", "bad-signature.csr.pem", CLIENT, &["client auth"]),
    );
    write(
        "nosigner.yaml",
        manifest("ns", "alice.csr.pem", "example", &["client auth"]),
    );
    write(
        "legacy.yaml",
        manifest(
            "lg",
            "alice.csr.pem",
            "kubernetes.io/legacy-unknown",
            &["client auth"],
        ),
    );
    write(
        "usages.yaml",
        manifest(
            "us",
            "alice.csr.pem",
            CLIENT,
            &["client auth", "frob", "client auth"],
        ),
    );
    write(
        "nousages.yaml",
        manifest("nu", "alice.csr.pem", CLIENT, &[]).replace("  usages:\n", ""),
    );
    write(
        "notpem.yaml",
        manifest("np", "alice.csr.pem", CLIENT, &["client auth"])
            .replace(&pem_b64("alice.csr.pem"), "aGVsbG8="),
    );
    let before = snapshot(&env);
    let expect: &[(&str, &str)] = &[
        ("nosigner.yaml", "The CertificateSigningRequest \"ns\" is invalid: spec.signerName: Invalid value: \"example\": must be a fully qualified domain and path of the form 'example.com/signer-name'\n"),
        ("legacy.yaml", "The CertificateSigningRequest \"lg\" is invalid: spec.signerName: Invalid value: \"kubernetes.io/legacy-unknown\": the legacy signerName is not allowed via this API version\n"),
        ("usages.yaml", "The CertificateSigningRequest \"us\" is invalid: \n* spec.usages[1]: Unsupported value: \"frob\": supported values: \"any\", \"cert sign\", \"client auth\", \"code signing\", \"content commitment\", \"crl sign\", \"data encipherment\", \"decipher only\", \"digital signature\", \"email protection\", \"encipher only\", \"ipsec end system\", \"ipsec tunnel\", \"ipsec user\", \"key agreement\", \"key encipherment\", \"microsoft sgc\", \"netscape sgc\", \"ocsp signing\", \"s/mime\", \"server auth\", \"signing\", \"timestamping\"\n* spec.usages[2]: Duplicate value: \"client auth\"\n"),
        ("nousages.yaml", "The CertificateSigningRequest \"nu\" is invalid: spec.usages: Required value\n"),
        ("notpem.yaml", "The CertificateSigningRequest \"np\" is invalid: spec.request: Invalid value: \"aGVsbG8=\": PEM block type must be CERTIFICATE REQUEST\n"),
    ];
    for (file, stderr) in expect {
        let Some(out) = kubectl(&env, &["create", "-f", file]).await else {
            return;
        };
        assert_eq!((out.code, out.stderr.as_str()), (1, *stderr), "{file}");
        let ours = env.ours(&["create", "-f", file]).await;
        assert_same(file, &ours, &out);
    }
    let out = kubectl(&env, &["create", "-f", "bad.yaml"]).await.unwrap();
    assert!(
        out.stderr.ends_with(": x509: ECDSA verification failure\n"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(&env), before, "an invalid CSR was stored");

    // Created: the requester's identity is the server's, the status empty; the table.
    write(
        "alice.yaml",
        manifest("alice", "alice.csr.pem", CLIENT, &["client auth"])
            .replace("spec:\n", "spec:\n  username: mallory\n  groups: [evil]\n"),
    );
    let out = kubectl(&env, &["create", "-f", "alice.yaml"])
        .await
        .unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    let alice = env.sandbox.store().get(&csr_gr(), "", "alice").unwrap();
    assert_eq!(alice["spec"]["username"], "kubernetes-admin");
    assert_eq!(
        alice["spec"]["groups"],
        json!(["system:masters", "system:authenticated"])
    );
    assert_eq!(alice["status"], json!({}));
    let out = kubectl(&env, &["get", "csr"]).await.unwrap();
    assert_eq!(
        common::normalize::normalize(&out.stdout),
        common::normalize::normalize(
            "NAME    AGE   SIGNERNAME                            REQUESTOR          REQUESTEDDURATION   CONDITION\nalice   0s    kubernetes.io/kube-apiserver-client   kubernetes-admin   24h                 Pending\n"
        )
    );

    // The main resource changes only metadata; /status may not approve; /approval only
    // changes the conditions.
    let mut obj: Value = serde_json::from_str(
        &kubectl(&env, &["get", "csr", "alice", "-o", "json"])
            .await
            .unwrap()
            .stdout,
    )
    .unwrap();
    obj["spec"]["usages"] = json!(["server auth"]);
    obj["metadata"]["labels"] = json!({"a": "b"});
    obj["status"]["conditions"] =
        json!([{"type": "Approved", "status": "True", "reason": "R", "message": "m"}]);
    write("alice.json", obj.to_string());
    let out = kubectl(&env, &["replace", "-f", "alice.json"])
        .await
        .unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    let alice = env.sandbox.store().get(&csr_gr(), "", "alice").unwrap();
    assert_eq!(alice["spec"]["usages"], json!(["client auth"]));
    assert_eq!(alice["metadata"]["labels"], json!({"a": "b"}));
    assert_eq!(alice["status"], json!({}));
    let path = "/apis/certificates.k8s.io/v1/certificatesigningrequests/alice";
    obj["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("resourceVersion");
    write("alice.json", obj.to_string());
    // /status keeps the stored conditions, and takes only a certificate that is PEM.
    let out = kubectl(
        &env,
        &[
            "replace",
            "--raw",
            &format!("{path}/status"),
            "-f",
            "alice.json",
        ],
    )
    .await
    .unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    let alice = env.sandbox.store().get(&csr_gr(), "", "alice").unwrap();
    assert_eq!(alice["status"], json!({}));
    let mut garbage = obj.clone();
    garbage["status"]["certificate"] = json!("aGVsbG8=");
    write("garbage.json", garbage.to_string());
    let out = kubectl(
        &env,
        &[
            "replace",
            "--raw",
            &format!("{path}/status"),
            "-f",
            "garbage.json",
        ],
    )
    .await
    .unwrap();
    assert!(
        out.stderr.contains("status.certificate: Invalid value: ")
            && out.stderr.contains("certificate data")
            && out
                .stderr
                .contains(": must contain at least one CERTIFICATE PEM block"),
        "{}",
        out.stderr
    );
    let out = kubectl(
        &env,
        &[
            "replace",
            "--raw",
            &format!("{path}/approval"),
            "-f",
            "alice.json",
        ],
    )
    .await
    .unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    let alice = env.sandbox.store().get(&csr_gr(), "", "alice").unwrap();
    assert_eq!(alice["spec"]["usages"], json!(["client auth"]));
    let c = &alice["status"]["conditions"][0];
    assert_eq!(
        (c["type"].as_str(), c["reason"].as_str()),
        (Some("Approved"), Some("R"))
    );
    let now = env.sandbox.clock().rfc3339();
    assert_eq!(
        (
            c["lastUpdateTime"].as_str(),
            c["lastTransitionTime"].as_str()
        ),
        (Some(now.as_str()), Some(now.as_str()))
    );
    // Approved and Denied exclude each other; conditions can't be removed.
    obj["status"]["conditions"] = json!([
        {"type": "Approved", "status": "True", "reason": "R", "message": "m"},
        {"type": "Denied", "status": "True", "reason": "R", "message": "m"}]);
    write("alice.json", obj.to_string());
    let out = kubectl(
        &env,
        &[
            "replace",
            "--raw",
            &format!("{path}/approval"),
            "-f",
            "alice.json",
        ],
    )
    .await
    .unwrap();
    assert!(out.stderr.contains("status.conditions[1].type: Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive"), "{}", out.stderr);
    obj["status"]["conditions"] = json!([]);
    write("alice.json", obj.to_string());
    let out = kubectl(
        &env,
        &[
            "replace",
            "--raw",
            &format!("{path}/approval"),
            "-f",
            "alice.json",
        ],
    )
    .await
    .unwrap();
    assert!(
        out.stderr
            .contains("updates may not remove a condition of type \"Approved\""),
        "{}",
        out.stderr
    );
    let out = kubectl(&env, &["get", "csr", "alice", "--no-headers"])
        .await
        .unwrap();
    assert!(out.stdout.ends_with("Approved\n"), "{}", out.stdout);
}

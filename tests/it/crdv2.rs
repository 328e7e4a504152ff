//! CRDs in `/openapi/v2` and their CEL validation rules, against goldens recorded from a real
//! v1.36 server (tests/fixtures/crdv2/README.md): `explain --output=plaintext-openapiv2` of
//! custom resources (kubectl reads the v2 document, in protobuf) prints what it prints against
//! the real server, with the oracle and with kubectl-rs; a new CRD changes the document's
//! ETag, so a client's HTTP cache picks it up.

use crate::common;
use common::{Output, TestEnv};

fn golden(name: &str) -> String {
    std::fs::read_to_string(common::fixtures().join("crdv2").join(name)).unwrap()
}

async fn apply(env: &TestEnv, file: &str) {
    std::fs::write(env.work.join(file), golden(file)).unwrap();
    let out = env.ours(&["apply", "-f", file]).await;
    assert_eq!(out.code, 0, "{out:?}");
}

/// Runs `args` with both CLIs; each must print `want` on stdout, nothing on stderr, exit 0.
async fn both_print(env: &TestEnv, args: &[&str], want: &str) {
    let ours = env.ours(args).await;
    let expected = Output {
        stdout: want.to_string(),
        stderr: String::new(),
        code: 0,
    };
    common::assert_same(&format!("kubectl-rs {}", args.join(" ")), &ours, &expected);
    if let Some(theirs) = env.kubectl(args).await {
        common::assert_same(&format!("kubectl {}", args.join(" ")), &theirs, &expected);
    }
}

#[tokio::test]
async fn explain_openapiv2_of_custom_resources_prints_what_a_real_server_gives() {
    let env = TestEnv::manual_clock().await;
    apply(&env, "widgets-crd.yaml").await;
    let v2 = ["--output=plaintext-openapiv2"];
    both_print(
        &env,
        &["explain", "widgets", v2[0]],
        &golden("explain-widgets.txt"),
    )
    .await;
    both_print(
        &env,
        &[
            "explain",
            "widgets.spec",
            "--api-version=crdv2.example.com/v1",
            v2[0],
        ],
        &golden("explain-widgets-v1-spec.txt"),
    )
    .await;
    // Same HTTP caches as above: the document changes with the new CRD, and so does its ETag.
    let before = env.sandbox.store().current_rv();
    apply(&env, "gadgets-crd.yaml").await;
    assert_ne!(env.sandbox.store().current_rv(), before);
    both_print(
        &env,
        &["explain", "gadgets", "--recursive", v2[0]],
        &golden("explain-gadgets-recursive.txt"),
    )
    .await;
}

/// One recorded case: the header fields after `=== ` and the recorded output and exit code.
struct Case {
    fields: Vec<String>,
    output: String,
    code: i32,
}

fn cases(file: &str) -> Vec<Case> {
    let text = golden(file);
    let mut out = Vec::new();
    for block in text.split("=== ").filter(|b| !b.is_empty()) {
        let (head, rest) = block.split_once('\n').unwrap();
        let (output, rc) = rest.rsplit_once("--- rc=").unwrap();
        out.push(Case {
            fields: head.split('|').map(str::to_string).collect(),
            output: output.strip_suffix('\n').unwrap_or(output).to_string(),
            code: rc.trim().parse().unwrap(),
        });
    }
    out
}

fn combined(o: &Output) -> String {
    format!("{}{}", o.stdout, o.stderr)
        .trim_end_matches('\n')
        .to_string()
}

/// Runs `args` with kubectl-rs and the oracle (each on its own copy of the object, the
/// oracle's named with a `-k` suffix mapped back), and checks both print `want`; a refused
/// command must leave the server as it was.
async fn both_answer(
    env: &TestEnv,
    what: &str,
    args: &[&str],
    file: &str,
    text: &str,
    case: &Case,
) {
    for (who, suffix) in [("kubectl-rs", ""), ("kubectl", "-k")] {
        std::fs::write(
            env.work.join(file),
            text.replace("name: crdv2-", &format!("name: crdv2{suffix}-")),
        )
        .unwrap();
        let before = common::snapshot(env);
        let out = if who == "kubectl-rs" {
            env.ours(args).await
        } else {
            match env.kubectl(args).await {
                Some(o) => o,
                None => continue,
            }
        };
        let got = combined(&out).replace("crdv2-k-", "crdv2-");
        assert_eq!(
            (got.as_str(), out.code),
            (case.output.replace("obj.yaml", file).as_str(), case.code),
            "{who} {what}"
        );
        if out.code != 0 {
            assert_eq!(
                common::snapshot(env),
                before,
                "{who} {what} changed the server"
            );
        }
    }
}

/// Custom resources that break (or keep) their CRD's `x-kubernetes-validations` rules get the
/// real server's answers (tests/fixtures/crdv2/cel-cases.txt: rules on objects, scalars,
/// lists and maps; message, messageExpression, reason, fieldPath; runtime errors; transition
/// rules with oldSelf and optionalOldSelf; rules skipped after a schema error).
#[tokio::test]
async fn cel_rules_answer_custom_resources_as_a_real_server() {
    let env = TestEnv::manual_clock().await;
    apply(&env, "widgets-crd.yaml").await;
    apply(&env, "celtests-crd.yaml").await;
    assert_eq!(
        env.ours(&["create", "namespace", "crdv2-test"]).await.code,
        0
    );
    for case in cases("cel-cases.txt") {
        let [name, verb, kind, obj, spec] = &case.fields[..] else {
            panic!("bad case {:?}", case.fields)
        };
        let text = format!(
            "apiVersion: crdv2.example.com/v1\nkind: {kind}\nmetadata: {{name: {obj}, namespace: crdv2-test}}\nspec: {spec}\n"
        );
        let file = format!("{name}.yaml");
        both_answer(&env, name, &[verb, "-f", &file], &file, &text, &case).await;
    }
}

/// Rules that do not compile, and the other rule fields' checks, refuse the CRD with the
/// real server's messages (tests/fixtures/crdv2/crd-rule-cases.txt, server-side dry runs).
#[tokio::test]
async fn crds_with_bad_rules_are_refused_as_a_real_server_refuses_them() {
    let env = TestEnv::manual_clock().await;
    for case in cases("crd-rule-cases.txt") {
        let [name, rule] = &case.fields[..] else {
            panic!("bad case {:?}", case.fields)
        };
        let text = format!(
            "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: bads.crdv2.example.com
spec:
  group: crdv2.example.com
  scope: Namespaced
  names: {{plural: bads, singular: bad, kind: Bad}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - {rule}
            properties:
              num: {{type: integer}}
              str: {{type: string, maxLength: 10}}
              m: {{type: object, maxProperties: 3, additionalProperties: {{type: integer}}}}
"
        );
        let file = format!("{name}.yaml");
        both_answer(
            &env,
            name,
            &["create", "-f", &file, "--dry-run=server"],
            &file,
            &text,
            &case,
        )
        .await;
    }
}

/// Hostile rules and objects are bounded as the real server bounds them: a rule nested past
/// cel-go's recursion limit refuses its CRD; a rule whose evaluation would cost more than the
/// per-call limit (nested loops over a long list, a regex over long strings) stops with the
/// server's cost message instead of hanging the sandbox. Nothing else changes.
///
/// (A real server refuses such a CRD when it is created, from its static cost estimate, which
/// the sandbox does not make: see `cel`. The run-time messages are the apiextensions
/// validator's.)
#[tokio::test]
async fn hostile_rules_are_bounded_and_change_nothing() {
    let env = TestEnv::manual_clock().await;
    let nested = format!("{}true{}", "(".repeat(3000), ")".repeat(3000));
    let crd = |rule: &str| {
        format!(
            "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: hostiles.crdv2.example.com
spec:
  group: crdv2.example.com
  scope: Cluster
  names: {{plural: hostiles, singular: hostile, kind: Hostile}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: {}
            properties:
              l: {{type: array, items: {{type: string}}}}
",
            serde_json::to_string(rule).unwrap()
        )
    };
    std::fs::write(env.work.join("nested.yaml"), crd(&nested)).unwrap();
    let before = common::snapshot(&env);
    let out = env.ours(&["create", "-f", "nested.yaml"]).await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("compilation failed: ERROR: <input>:1:")
            && out.stderr.contains("recursion limit exceeded"),
        "{out:?}"
    );
    assert_eq!(common::snapshot(&env), before);

    let rule = "self.l.all(x, self.l.all(y, size(x) + size(y) > 0 && x.matches('^[a-z0-9-]+$')))";
    std::fs::write(env.work.join("costly.yaml"), crd(rule)).unwrap();
    assert_eq!(env.ours(&["create", "-f", "costly.yaml"]).await.code, 0);
    let items: Vec<String> = (0..2000).map(|i| format!("\"item-{i}\"")).collect();
    std::fs::write(
        env.work.join("big.yaml"),
        format!(
            "apiVersion: crdv2.example.com/v1\nkind: Hostile\nmetadata: {{name: crdv2-big}}\nspec: {{l: [{}]}}\n",
            items.join(", ")
        ),
    )
    .unwrap();
    let before = common::snapshot(&env);
    let out = env.ours(&["create", "-f", "big.yaml"]).await;
    assert_eq!(
        (out.stderr.as_str(), out.code),
        (
            format!(
                "The Hostile \"crdv2-big\" is invalid: spec: Invalid value: \"object\": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: {rule}\n"
            )
            .as_str(),
            1
        )
    );
    assert_eq!(common::snapshot(&env), before);
    // The sandbox still answers, and a small object passes the same rule.
    std::fs::write(
        env.work.join("small.yaml"),
        "apiVersion: crdv2.example.com/v1\nkind: Hostile\nmetadata: {name: crdv2-small}\nspec: {l: [ab, ab]}\n",
    )
    .unwrap();
    let out = env.ours(&["create", "-f", "small.yaml"]).await;
    assert_eq!(
        out.stdout, "hostile.crdv2.example.com/crdv2-small created\n",
        "{out:?}"
    );
}

//! CustomResourceDefinitions in the sandbox, as the real kubectl (the oracle, v1.33) and
//! kubectl-rs see them: a CRD's status, its resources in discovery and OpenAPI (`get`,
//! `describe`, `explain`, `api-resources`, `get all`), custom resources served with printer
//! columns, defaulting, pruning and validation, the status and scale subresources, selectors,
//! several versions, cluster scope; and the hostile cases (an invalid schema, names taken by
//! another CRD, a resource of a deleted CRD), each leaving the server unchanged.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::common;
use common::{assert_same, snapshot, Output, TestEnv};
use kubectl_rs::sandbox::store::GroupResource;

const CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Image, type: string, priority: 1, jsonPath: .spec.image}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        description: CronTab runs a command on a schedule.
        properties:
          spec:
            type: object
            properties:
              cronSpec: {type: string, description: When to run, in cron syntax.}
              image: {type: string}
              replicas: {type: integer, minimum: 0, default: 1}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
"#;

const CRONTAB: &str = r#"apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: NAME
spec:
  cronSpec: "* * * * */5"
  image: my-cron-image
  extra: {anything: [1, 2]}
"#;

async fn with_crd() -> TestEnv {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("crd.yaml"), CRD).unwrap();
    let out = env.ours(&["apply", "-f", "crd.yaml"]).await;
    assert_eq!(
        out.stdout,
        "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n",
        "{out:?}"
    );
    env
}

fn crontab(env: &TestEnv, name: &str) -> String {
    let file = format!("{name}.yaml");
    std::fs::write(env.work.join(&file), CRONTAB.replace("NAME", name)).unwrap();
    file
}

/// Runs both CLIs and asserts they print the same; returns ours.
async fn same(env: &TestEnv, args: &[&str]) -> Output {
    let ours = env.ours(args).await;
    if let Some(theirs) = env.kubectl(args).await {
        assert_same(&args.join(" "), &ours.normalized(), &theirs.normalized());
    }
    ours
}

/// Runs a command that changes the server with kubectl-rs on one object and with kubectl on
/// its twin (the same words with `from` → `to`), and asserts they print the same (the
/// twin's name mapped back); returns ours.
async fn twin(env: &TestEnv, args: &[&str], from: &str, to: &str) -> Output {
    let ours = env.ours(args).await;
    let theirs_args: Vec<String> = args
        .iter()
        .map(|a| {
            if *a == from {
                to.to_string()
            } else {
                a.replace(&format!("{from}."), &format!("{to}."))
            }
        })
        .collect();
    let theirs_args: Vec<&str> = theirs_args.iter().map(String::as_str).collect();
    let back = |s: &str| {
        s.replace(&format!("/{to} "), &format!("/{from} "))
            .replace(&format!("\"{to}\""), &format!("\"{from}\""))
            .replace(&format!("/{to}."), &format!("/{from}."))
            .replace(&format!("\"{to}."), &format!("\"{from}."))
    };
    if let Some(mut theirs) = env.kubectl(&theirs_args).await {
        theirs.stdout = back(&theirs.stdout);
        theirs.stderr = back(&theirs.stderr);
        assert_same(&args.join(" "), &ours.normalized(), &theirs.normalized());
    }
    ours
}

fn stored(env: &TestEnv, resource: &str, ns: &str, name: &str) -> Option<Value> {
    let gr = GroupResource::new("stable.example.com", resource);
    env.sandbox.store().get(&gr, ns, name)
}

/// The object without what differs between two creations of it.
fn content(mut o: Value) -> Value {
    if let Some(m) = o["metadata"].as_object_mut() {
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "name",
            "managedFields",
            "annotations",
        ] {
            m.remove(k);
        }
    }
    o
}

#[track_caller]
fn unchanged(env: &TestEnv, before: &BTreeMap<String, Value>, what: &str) {
    let now = snapshot(env);
    let changed: Vec<&String> = before
        .keys()
        .chain(now.keys())
        .filter(|k| before.get(*k) != now.get(*k))
        .collect();
    assert!(changed.is_empty(), "{what} changed the server: {changed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_crd_gets_the_status_the_apiextensions_controllers_set() {
    let env = with_crd().await;
    let crd = env
        .sandbox
        .store()
        .get(
            &GroupResource::new("apiextensions.k8s.io", "customresourcedefinitions"),
            "",
            "crontabs.stable.example.com",
        )
        .unwrap();
    let status = &crd["status"];
    assert_eq!(
        status["acceptedNames"],
        json!({"plural": "crontabs", "singular": "crontab", "kind": "CronTab",
               "listKind": "CronTabList", "shortNames": ["ct"], "categories": ["all"]})
    );
    let conds: Vec<(&str, &str, &str, &str)> = status["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                c["reason"].as_str().unwrap(),
                c["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        conds,
        [
            ("NamesAccepted", "True", "NoConflicts", "no conflicts found"),
            (
                "Established",
                "True",
                "InitialNamesAccepted",
                "the initial names have been accepted"
            ),
        ]
    );
    assert_eq!(status["storedVersions"], json!(["v1"]));
    assert_eq!(crd["spec"]["conversion"], json!({"strategy": "None"}));
    same(&env, &["get", "crd"]).await;
    same(
        &env,
        &["get", "crd", "crontabs.stable.example.com", "-o", "wide"],
    )
    .await;
    same(&env, &["api-resources", "--api-group=stable.example.com"]).await;
    same(&env, &["api-resources", "--categories=all", "-o", "wide"]).await;
    same(&env, &["api-versions"]).await;
    same(&env, &["explain", "ct"]).await;
    same(&env, &["explain", "crontabs.spec.cronSpec"]).await;
    same(&env, &["explain", "ct", "--recursive"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_resources_print_with_their_printer_columns() {
    let env = with_crd().await;
    let a = crontab(&env, "a");
    let b = crontab(&env, "b");
    let ours = env.ours(&["apply", "-f", &a]).await;
    assert_eq!(ours.stdout, "crontab.stable.example.com/a created\n");
    if let Some(theirs) = env.kubectl(&["apply", "-f", &b]).await {
        assert_eq!(theirs.stdout, "crontab.stable.example.com/b created\n");
        // The same object either way: defaulted, extra fields kept where preserved.
        assert_eq!(
            content(stored(&env, "crontabs", "default", "a").unwrap()),
            content(stored(&env, "crontabs", "default", "b").unwrap())
        );
    } else {
        env.ours(&["apply", "-f", &b]).await;
    }
    let a = stored(&env, "crontabs", "default", "a").unwrap();
    assert_eq!(a["spec"]["replicas"], 1, "defaulted");
    assert_eq!(a["spec"]["extra"], json!({"anything": [1, 2]}));
    assert_eq!(a["metadata"]["generation"], 1);
    env.advance(std::time::Duration::from_secs(150));
    for args in [
        &["get", "ct"][..],
        &["get", "crontabs", "-o", "wide"],
        &["get", "crontab.stable.example.com", "a"],
        &["get", "all"],
        &["get", "ct", "-A", "--show-labels"],
        &["get", "ct", "--field-selector", "metadata.name=b"],
        &[
            "get",
            "ct",
            "-A",
            "--field-selector",
            "metadata.namespace=default",
        ],
        &["get", "ct", "-o", "name"],
        &["get", "ct", "a", "-o", "jsonpath={.spec}"],
        &[
            "get",
            "ct",
            "-o",
            "custom-columns=N:.metadata.name,R:.spec.replicas",
        ],
        &["describe", "ct", "a"],
    ] {
        same(&env, args).await;
    }
    env.ours(&["label", "ct", "a", "tier=x"]).await;
    same(&env, &["get", "ct", "-l", "tier=x"]).await;
    same(&env, &["get", "ct", "-l", "tier!=x"]).await;
    // A list carries each item's kind and apiVersion (custom resources are unstructured).
    let list = env
        .ours(&["get", "--raw", "/apis/stable.example.com/v1/crontabs"])
        .await;
    let list: Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(list["kind"], "CronTabList");
    assert_eq!(list["items"][0]["kind"], "CronTab");
    assert_eq!(list["items"][0]["apiVersion"], "stable.example.com/v1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_patch_and_the_status_subresource() {
    let env = with_crd().await;
    for n in ["a", "b"] {
        let f = crontab(&env, n);
        env.ours(&["apply", "-f", &f]).await;
    }
    let ours = env.ours(&["scale", "ct", "a", "--replicas=3"]).await;
    assert_eq!(
        ours.stdout, "crontab.stable.example.com/a scaled\n",
        "{ours:?}"
    );
    if let Some(theirs) = env.kubectl(&["scale", "ct", "b", "--replicas=3"]).await {
        assert_eq!(theirs.stdout, "crontab.stable.example.com/b scaled\n");
    } else {
        env.ours(&["scale", "ct", "b", "--replicas=3"]).await;
    }
    for n in ["a", "b"] {
        let o = stored(&env, "crontabs", "default", n).unwrap();
        assert_eq!(
            (
                o["spec"]["replicas"].clone(),
                o["metadata"]["generation"].clone()
            ),
            (json!(3), json!(2))
        );
    }
    same(&env, &["get", "ct", "a", "-o", "jsonpath={.spec.replicas}"]).await;
    let scale = env
        .ours(&[
            "get",
            "--raw",
            "/apis/stable.example.com/v1/namespaces/default/crontabs/a/scale",
        ])
        .await;
    let scale: Value = serde_json::from_str(&scale.stdout).unwrap();
    assert_eq!(
        (scale["kind"].clone(), scale["spec"]["replicas"].clone()),
        (json!("Scale"), json!(3))
    );

    // Strategic merge patch has no meaning for custom resources: the real 415.
    let before = snapshot(&env);
    same(
        &env,
        &["patch", "ct", "a", "-p", r#"{"spec":{"image":"x"}}"#],
    )
    .await;
    unchanged(&env, &before, "a strategic merge patch");
    let ours = twin(
        &env,
        &[
            "patch",
            "ct",
            "a",
            "--type=merge",
            "-p",
            r#"{"spec":{"image":"new"}}"#,
        ],
        "a",
        "b",
    )
    .await;
    assert_eq!(ours.stdout, "crontab.stable.example.com/a patched\n");
    twin(
        &env,
        &[
            "patch",
            "ct",
            "a",
            "--type=json",
            "-p",
            r#"[{"op":"replace","path":"/spec/image","value":"j"}]"#,
        ],
        "a",
        "b",
    )
    .await;
    assert_eq!(
        stored(&env, "crontabs", "default", "a").unwrap()["spec"]["image"],
        "j"
    );
    // Status is the subresource's: ignored on the main resource, written through /status.
    twin(
        &env,
        &[
            "patch",
            "ct",
            "a",
            "--type=merge",
            "-p",
            r#"{"status":{"replicas":7}}"#,
        ],
        "a",
        "b",
    )
    .await;
    assert!(stored(&env, "crontabs", "default", "a").unwrap()["status"].is_null());
    let ours = env
        .ours(&[
            "patch",
            "ct",
            "a",
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"status":{"replicas":2,"selector":"app=a"}}"#,
        ])
        .await;
    assert_eq!(
        ours.stdout, "crontab.stable.example.com/a patched\n",
        "{ours:?}"
    );
    let a = stored(&env, "crontabs", "default", "a").unwrap();
    assert_eq!(a["status"], json!({"replicas": 2, "selector": "app=a"}));
    // A status change does not bump the generation (two spec patches did).
    assert_eq!(a["metadata"]["generation"], 4);
    let scale = env
        .ours(&[
            "get",
            "--raw",
            "/apis/stable.example.com/v1/namespaces/default/crontabs/a/scale",
        ])
        .await;
    let scale: Value = serde_json::from_str(&scale.stdout).unwrap();
    assert_eq!(scale["status"], json!({"replicas": 2, "selector": "app=a"}));
    // Server-side apply creates and updates custom resources.
    let c = crontab(&env, "c");
    let ours = env.ours(&["apply", "--server-side", "-f", &c]).await;
    assert_eq!(
        ours.stdout, "crontab.stable.example.com/c serverside-applied\n",
        "{ours:?}"
    );
    same(
        &env,
        &[
            "get",
            "ct",
            "c",
            "-o",
            "jsonpath={.spec.replicas} {.metadata.managedFields[0].manager}",
        ],
    )
    .await;
    let d = crontab(&env, "d");
    env.ours(&["apply", "--server-side", "-f", &d]).await;
    let ours = env.ours(&["delete", "ct", "c"]).await;
    // v1.36 names the namespace; v1.33 does not.
    assert_eq!(
        ours.stdout,
        "crontab.stable.example.com \"c\" deleted from default namespace\n"
    );
    if let Some(theirs) = env.kubectl(&["delete", "ct", "d"]).await {
        assert_eq!(theirs.stdout, "crontab.stable.example.com \"d\" deleted\n");
    }
    assert!(stored(&env, "crontabs", "default", "c").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_custom_resources_get_the_servers_errors() {
    let env = with_crd().await;
    let bad = "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: bad\nspec:\n  replicas: \"three\"\n";
    std::fs::write(env.work.join("bad.yaml"), bad).unwrap();
    let negative = "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: neg\nspec:\n  replicas: -1\n";
    std::fs::write(env.work.join("neg.yaml"), negative).unwrap();
    let unknown = "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: unk\nspec:\n  bogus: 1\n  image: i\n";
    std::fs::write(env.work.join("unknown.yaml"), unknown).unwrap();
    let before = snapshot(&env);
    let ours = same(&env, &["create", "-f", "bad.yaml"]).await;
    assert_eq!(
        ours.stderr,
        // The scale subresource's own check follows the schema's (as a v1.36 server answers).
        "The CronTab \"bad\" is invalid: \n* spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"\n* .spec.replicas: Invalid value: 0: .spec.replicas accessor error: three is of the type string, expected int64\n"
    );
    same(&env, &["create", "-f", "neg.yaml"]).await;
    same(&env, &["apply", "-f", "neg.yaml"]).await;
    let ours = same(&env, &["create", "-f", "unknown.yaml"]).await;
    assert_eq!(
        ours.stderr,
        "Error from server (BadRequest): error when creating \"unknown.yaml\": CronTab in version \"v1\" cannot be handled as a CronTab: strict decoding error: unknown field \"spec.bogus\"\n"
    );
    let ours = same(&env, &["get", "ct", "--field-selector", "spec.image=i"]).await;
    assert!(
        ours.stderr
            .ends_with(": field label not supported: spec.image\n"),
        "{ours:?}"
    );
    unchanged(&env, &before, "invalid custom resources");
    // Without strict validation the unknown field is pruned.
    let ours = env
        .ours(&["create", "-f", "unknown.yaml", "--validate=false"])
        .await;
    assert_eq!(
        ours.stdout, "crontab.stable.example.com/unk created\n",
        "{ours:?}"
    );
    let unk = stored(&env, "crontabs", "default", "unk").unwrap();
    assert_eq!(unk["spec"], json!({"image": "i", "replicas": 1}));
}

const CLUSTER_CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.tools.example.com
spec:
  group: tools.example.com
  scope: Cluster
  names: {plural: widgets, kind: Widget}
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: string, enum: [S, M, L]}}}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_scoped_with_two_versions() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("widgets.yaml"), CLUSTER_CRD).unwrap();
    env.ours(&["apply", "-f", "widgets.yaml"]).await;
    let w =
        "apiVersion: tools.example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: M\n";
    std::fs::write(env.work.join("w1.yaml"), w).unwrap();
    std::fs::write(env.work.join("w9.yaml"), w.replace("w1", "w9")).unwrap();
    let ours = twin(&env, &["apply", "-f", "w1.yaml"], "w1", "w9").await;
    assert!(
        ours.stdout.starts_with("widget.tools.example.com/w1 "),
        "{ours:?}"
    );
    let beta = w
        .replace("tools.example.com/v1", "tools.example.com/v1beta1")
        .replace("w1", "w2");
    std::fs::write(env.work.join("w2.yaml"), beta).unwrap();
    env.ours(&["create", "-f", "w2.yaml"]).await;
    // Stored in v1, pruned by v1's schema even though v1beta1 keeps unknown fields.
    let beta_extra = "apiVersion: tools.example.com/v1beta1\nkind: Widget\nmetadata:\n  name: w4\nspec:\n  size: S\n  other: 1\n";
    std::fs::write(env.work.join("w4.yaml"), beta_extra).unwrap();
    env.ours(&["create", "-f", "w4.yaml"]).await;
    let w4 = env
        .sandbox
        .store()
        .get(
            &GroupResource::new("tools.example.com", "widgets"),
            "",
            "w4",
        )
        .unwrap();
    assert_eq!(w4["spec"], json!({"size": "S"}));
    for args in [
        &["get", "widgets"][..],
        &["get", "widgets.v1beta1.tools.example.com"],
        &["get", "widget", "w2", "-o", "jsonpath={.apiVersion}"],
        &[
            "get",
            "widgets.v1beta1.tools.example.com",
            "w1",
            "-o",
            "jsonpath={.apiVersion}",
        ],
        &[
            "api-resources",
            "--api-group=tools.example.com",
            "--namespaced=false",
        ],
        &["api-versions"],
        &["explain", "widget.spec"],
        &["describe", "widget", "w1"],
    ] {
        same(&env, args).await;
    }
    let bad = w.replace("size: M", "size: XL").replace("w1", "w3");
    std::fs::write(env.work.join("w3.yaml"), bad).unwrap();
    let before = snapshot(&env);
    let ours = same(&env, &["create", "-f", "w3.yaml"]).await;
    assert_eq!(
        ours.stderr,
        "The Widget \"w3\" is invalid: spec.size: Unsupported value: \"XL\": supported values: \"S\", \"M\", \"L\"\n"
    );
    unchanged(&env, &before, "an enum violation");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_crds_change_nothing_else() {
    let env = with_crd().await;
    let before = snapshot(&env);
    // A schema that is not structural.
    let invalid = CRD
        .replace("crontabs", "badtabs")
        .replace("CronTab", "BadTab")
        .replace("[ct]", "[bt]")
        .replace("image: {type: string}", "image: {type: str}");
    std::fs::write(env.work.join("invalid.yaml"), invalid).unwrap();
    let ours = same(&env, &["create", "-f", "invalid.yaml"]).await;
    assert_eq!(ours.code, 1);
    // One schema for all versions: the server reports it under spec.validation.
    assert_eq!(
        ours.stderr,
        "The CustomResourceDefinition \"badtabs.stable.example.com\" is invalid: spec.validation.openAPIV3Schema.properties[spec].properties[image].type: Unsupported value: \"str\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\"\n"
    );
    // A name that is not plural.group.
    let misnamed = CRD.replace(
        "name: crontabs.stable.example.com",
        "name: other.stable.example.com",
    );
    std::fs::write(env.work.join("misnamed.yaml"), misnamed).unwrap();
    same(&env, &["create", "-f", "misnamed.yaml"]).await;
    // YAML 1.1 reads `On` as a boolean: Go's decoder refuses it where a string belongs.
    let typed = CRD
        .replace("crontabs", "ontabs")
        .replace("{name: Spec,", "{name: On,");
    std::fs::write(env.work.join("typed.yaml"), typed).unwrap();
    let ours = same(&env, &["apply", "-f", "typed.yaml"]).await;
    assert_eq!(
        ours.stderr,
        "Error from server (BadRequest): error when creating \"typed.yaml\": CustomResourceDefinition in version \"v1\" cannot be handled as a CustomResourceDefinition: json: cannot unmarshal bool into Go struct field CustomResourceColumnDefinition.spec.versions.additionalPrinterColumns.name of type string\n"
    );
    unchanged(&env, &before, "invalid CRDs");

    // Names another CRD of the group holds: stored, but not accepted, not served.
    let conflict = CRD.replace("crontabs", "crontabz");
    std::fs::write(env.work.join("crontabz.yaml"), conflict).unwrap();
    let conflict2 = CRD.replace("crontabs", "crontaby");
    std::fs::write(env.work.join("crontaby.yaml"), conflict2).unwrap();
    twin(
        &env,
        &["create", "-f", "crontabz.yaml"],
        "crontabz",
        "crontaby",
    )
    .await;
    let crd = env
        .sandbox
        .store()
        .get(
            &GroupResource::new("apiextensions.k8s.io", "customresourcedefinitions"),
            "",
            "crontabz.stable.example.com",
        )
        .unwrap();
    let names_accepted = &crd["status"]["conditions"][0];
    assert_eq!(names_accepted["status"], "False");
    assert_eq!(names_accepted["reason"], "ListKindConflict");
    assert_eq!(
        names_accepted["message"],
        "\"CronTabList\" is already in use"
    );
    assert_eq!(crd["status"]["conditions"][1]["reason"], "NotAccepted");
    let resources = same(&env, &["api-resources", "--api-group=stable.example.com"]).await;
    assert!(!resources.stdout.contains("crontabz"), "{resources:?}");
    same(&env, &["get", "crontabz"]).await;
    twin(
        &env,
        &["delete", "crd", "crontabz.stable.example.com"],
        "crontabz",
        "crontaby",
    )
    .await;
    unchanged(&env, &before, "a CRD whose names conflict, deleted");

    // Deleting the CRD deletes its instances and its API.
    let a = crontab(&env, "a");
    env.ours(&["apply", "-f", &a]).await;
    let ours = env
        .ours(&["delete", "crd", "crontabs.stable.example.com"])
        .await;
    assert_eq!(
        ours.stdout,
        "customresourcedefinition.apiextensions.k8s.io \"crontabs.stable.example.com\" deleted\n"
    );
    assert!(stored(&env, "crontabs", "default", "a").is_none());
    let ours = same(&env, &["get", "ct"]).await;
    // Both CLIs still have the type in their discovery cache: the list is a 404.
    assert_eq!(
        ours.stderr,
        "Error from server (NotFound): Unable to list \"stable.example.com/v1, Resource=crontabs\": the server could not find the requested resource\n"
    );
    let before = snapshot(&env);
    same(&env, &["apply", "-f", &a]).await;
    unchanged(&env, &before, "a custom resource of a deleted CRD");
    let ours = env.ours(&["get", "--raw", "/openapi/v3"]).await;
    assert!(!ours.stdout.contains("stable.example.com"));
    let ours = env.ours(&["get", "--raw", "/apis"]).await;
    assert!(!ours.stdout.contains("stable.example.com"));
}

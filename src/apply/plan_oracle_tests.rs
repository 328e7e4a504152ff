//! Three-way patches compared byte for byte with what kubectl 1.33 sent to a fake API server
//! (see tests/fixtures/apply/README.md).

use super::plan::apply_patch;
use super::strategic::apply_strategic_merge_patch;
use super::testutil::fixture;
use serde_json::{json, Value};

fn check(case: &str) {
    let dir = format!("apply/threeway/{case}");
    let live: Value = serde_json::from_str(&fixture(&format!("{dir}/live.json"))).unwrap();
    let mut manifest =
        crate::manifest::yaml::yaml_to_json(&fixture(&format!("{dir}/next.yaml"))).unwrap();
    manifest["metadata"]["namespace"] = json!("default");
    let want = fixture(&format!("{dir}/patch.json"));
    let got = apply_patch(&manifest, &live, true).unwrap().unwrap();
    assert_eq!(got.body, want, "{case}");
    // What the server makes of it: the manifest's values win.
    let api_version = manifest["apiVersion"].as_str().unwrap();
    let kind = manifest["kind"].as_str().unwrap();
    let out = apply_strategic_merge_patch(api_version, kind, &live, &got.patch).unwrap();
    assert_eq!(out["metadata"]["name"], manifest["metadata"]["name"]);
    if let Some(spec) = manifest.get("spec") {
        for (k, v) in spec.as_object().unwrap() {
            // Lists keep server-only items, maps server-only keys.
            if v.is_object() || v.is_array() {
                continue;
            }
            assert_eq!(&out["spec"][k], v, "{case}: spec.{k}");
        }
    }
}

#[test]
fn deployment_with_every_directive() {
    check("deploy");
}

#[test]
fn service_ports_and_html_escaping() {
    check("svc");
}

#[test]
fn configmap_data() {
    check("cm");
}

#[test]
fn reordered_containers() {
    check("reorder");
}

#[test]
fn live_object_without_annotation() {
    check("noannot");
}

#[test]
fn explicit_nulls() {
    check("nulls");
}

#[test]
fn server_only_list_items_and_removed_container() {
    check("serveronly");
}

fn create_case(case: &str) {
    let dir = format!("apply/threeway/{case}");
    let mut manifest =
        crate::manifest::yaml::yaml_to_json(&fixture(&format!("{dir}/next.yaml"))).unwrap();
    manifest["metadata"]["namespace"] = json!("default");
    let (_, body) = super::plan::create_body(&manifest).unwrap();
    assert_eq!(body, fixture(&format!("{dir}/create.json")), "{case}");
}

#[test]
fn create_bodies() {
    create_case("nulls");
    create_case("svc");
}

#[test]
fn conflict_message_without_overwrite() {
    let dir = "apply/threeway/cm";
    let live: Value = serde_json::from_str(&fixture(&format!("{dir}/live-conflict.json"))).unwrap();
    let mut manifest =
        crate::manifest::yaml::yaml_to_json(&fixture(&format!("{dir}/next.yaml"))).unwrap();
    manifest["metadata"]["namespace"] = json!("default");
    let err = apply_patch(&manifest, &live, false).unwrap_err();
    let stderr = fixture(&format!("{dir}/conflict.stderr"));
    let want = stderr.rsplit_once("for:: ").unwrap().1;
    // Known difference: the YAML comes from serde_yaml_ng, which single-quotes where go-yaml
    // double-quotes ('10' vs "10"); everything else is kubectl's text.
    assert_eq!(err.to_string().replace('\'', "\""), want);
    assert!(apply_patch(&manifest, &live, true).is_ok());
}

/// What the API server makes of kubectl's patch for the `deploy` case.
#[test]
fn deploy_patch_applied_like_the_server() {
    let dir = "apply/threeway/deploy";
    let live: Value = serde_json::from_str(&fixture(&format!("{dir}/live.json"))).unwrap();
    let patch: Value = serde_json::from_str(&fixture(&format!("{dir}/patch.json"))).unwrap();
    let out = apply_strategic_merge_patch("apps/v1", "Deployment", &live, &patch).unwrap();
    assert_eq!(
        out["metadata"]["labels"],
        json!({"added-by": "server", "app": "web"})
    );
    assert_eq!(
        out["metadata"]["finalizers"],
        json!(["b.example/y", "c.example/z"])
    );
    assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
    assert_eq!(out["spec"]["replicas"], 3);
    assert_eq!(out["spec"]["progressDeadlineSeconds"], 600);
    let pod = &out["spec"]["template"]["spec"];
    assert_eq!(pod["dnsPolicy"], "ClusterFirst");
    assert_eq!(
        pod["tolerations"],
        json!([{"key": "k2", "operator": "Exists"}])
    );
    assert_eq!(
        pod["containers"],
        json!([
            {"name": "side", "image": "busybox", "args": ["sleep", "2000"]},
            {"name": "app", "image": "nginx:2",
             "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}],
             "ports": [{"containerPort": 443}, {"containerPort": 8080}]}
        ])
    );
    assert_eq!(
        pod["volumes"],
        json!([{"name": "data", "hostPath": {"path": "/data"}}, {"name": "new", "emptyDir": {}}])
    );
}

#[test]
fn custom_resource_json_merge_patch() {
    check("crd");
    let live: Value = serde_json::from_str(&fixture("apply/threeway/crd/live.json")).unwrap();
    let manifest = json!({"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w1", "namespace": "default"}, "spec": {"size": 4}});
    let p = apply_patch(&manifest, &live, true).unwrap().unwrap();
    assert_eq!(p.patch_type, super::plan::PatchType::JsonMerge);
}

#[test]
fn server_side_apply_body_matches() {
    let mut manifest =
        crate::manifest::yaml::yaml_to_json(&fixture("apply/threeway/svc/next.yaml")).unwrap();
    manifest["metadata"]["namespace"] = json!("default");
    assert_eq!(
        super::plan::server_side_apply_body(&manifest),
        fixture("apply/threeway/svc/server-side.body")
    );
}

#[test]
fn retain_keys_and_emptied_lists() {
    check("retain");
}

/// Thirty random Pod manifest pairs (tests/fixtures/apply/threeway/gen.py).
#[test]
fn random_pods() {
    for i in 1..=30 {
        check(&format!("rand{i}"));
    }
}

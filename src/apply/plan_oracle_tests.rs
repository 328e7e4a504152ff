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
            if v.is_object() {
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

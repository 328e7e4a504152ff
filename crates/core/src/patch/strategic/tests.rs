//! Tests for strategic merge patches: apply semantics, the three-way patch kubectl sent in the
//! reference recording, and round-trip properties.

use super::*;
use crate::patch::lastapplied::{get_last_applied, set_last_applied, to_go_json};
use crate::patch::testutil::{fixture, recorded_body};
use proptest::prelude::*;
use serde_json::json;

fn pod_apply(original: Value, patch: Value) -> Value {
    apply_strategic_merge_patch("v1", "Pod", &original, &patch).unwrap()
}

#[test]
fn maps_merge_and_null_deletes() {
    let out = pod_apply(
        json!({"metadata": {"labels": {"a": "1", "b": "2"}, "name": "p"}}),
        json!({"metadata": {"labels": {"a": null, "c": "3"}, "x": null}}),
    );
    assert_eq!(
        out,
        json!({"metadata": {"labels": {"b": "2", "c": "3"}, "name": "p"}})
    );
}

#[test]
fn lists_merge_by_key_and_keep_server_order() {
    let out = pod_apply(
        json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}}),
        json!({"spec": {"containers": [{"name": "b", "image": "z"}, {"name": "c", "image": "w"}]}}),
    );
    assert_eq!(
        out["spec"]["containers"],
        json!([{"name": "a", "image": "x"}, {"name": "b", "image": "z"}, {"name": "c", "image": "w"}])
    );
}

#[test]
fn lists_without_strategy_are_replaced() {
    let out = pod_apply(
        json!({"spec": {"tolerations": [{"key": "a"}], "containers": [{"name": "c", "args": ["1", "2"]}]}}),
        json!({"spec": {"tolerations": [{"key": "b"}], "containers": [{"name": "c", "args": ["3"]}]}}),
    );
    assert_eq!(out["spec"]["tolerations"], json!([{"key": "b"}]));
    assert_eq!(out["spec"]["containers"][0]["args"], json!(["3"]));
}

#[test]
fn patch_directives() {
    let base =
        json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}], "nodeSelector": {"x": "1"}}});
    let del = pod_apply(
        base.clone(),
        json!({"spec": {"containers": [{"name": "a", "$patch": "delete"}]}}),
    );
    assert_eq!(del["spec"]["containers"], json!([{"name": "b"}]));
    let rep = pod_apply(
        base.clone(),
        json!({"spec": {"containers": [{"name": "c"}, {"$patch": "replace"}]}}),
    );
    assert_eq!(rep["spec"]["containers"], json!([{"name": "c"}]));
    let map_rep = pod_apply(
        base.clone(),
        json!({"spec": {"nodeSelector": {"y": "2", "$patch": "replace"}}}),
    );
    assert_eq!(map_rep["spec"]["nodeSelector"], json!({"y": "2"}));
    let map_del = pod_apply(
        base.clone(),
        json!({"spec": {"nodeSelector": {"$patch": "delete"}}}),
    );
    assert_eq!(map_del["spec"]["nodeSelector"], json!({}));
    let err = apply_strategic_merge_patch(
        "v1",
        "Pod",
        &base,
        &json!({"spec": {"nodeSelector": {"$patch": "frob"}}}),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown patch type: frob in map: map[$patch:frob]"
    );
    let err = apply_strategic_merge_patch(
        "v1",
        "Pod",
        &base,
        &json!({"spec": {"containers": [{"image": "x"}]}}),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "map: map[image:x] does not contain declared merge key: name"
    );
    // Directives inside values that are added whole are dropped.
    let added = pod_apply(
        json!({}),
        json!({"spec": {"nodeSelector": {"$patch": "delete"}}}),
    );
    assert_eq!(added, json!({"spec": {}}));
}

#[test]
fn set_element_order() {
    let out = pod_apply(
        json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "s"}]}}),
        json!({"spec": {
            "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
            "containers": [{"name": "a", "image": "new"}]
        }}),
    );
    assert_eq!(
        out["spec"]["containers"],
        json!([{"name": "b"}, {"name": "a", "image": "new"}, {"name": "s"}])
    );
    let err = apply_strategic_merge_patch(
        "v1",
        "Pod",
        &json!({"spec": {}}),
        &json!({"spec": {
            "$setElementOrder/containers": [{"name": "b"}],
            "containers": [{"name": "a"}]
        }}),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("the order in patch list:"),
        "{err}"
    );
}

#[test]
fn primitive_lists_with_merge_strategy() {
    let out = pod_apply(
        json!({"metadata": {"finalizers": ["x", "y"]}}),
        json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}}),
    );
    assert_eq!(out["metadata"]["finalizers"], json!(["y"]));
    let out = pod_apply(
        json!({"metadata": {"finalizers": ["a", "b"]}}),
        json!({"metadata": {"finalizers": ["c", "a"]}}),
    );
    // Union; patch items first in patch order, server-only items placed by server order.
    assert_eq!(out["metadata"]["finalizers"], json!(["c", "a", "b"]));
}

#[test]
fn retain_keys() {
    let out = apply_strategic_merge_patch(
        "apps/v1",
        "Deployment",
        &json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}),
        &json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
    )
    .unwrap();
    assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
    let err = apply_strategic_merge_patch(
        "apps/v1",
        "Deployment",
        &json!({"spec": {"strategy": {}}}),
        &json!({"spec": {"strategy": {"$retainKeys": ["type"], "other": 1}}}),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "invalid patch format of retainKeys");
    // volumes: merge by name, and each element keeps only the listed keys.
    let out = pod_apply(
        json!({"spec": {"volumes": [{"name": "v", "emptyDir": {}}]}}),
        json!({"spec": {"volumes": [{"name": "v", "$retainKeys": ["hostPath", "name"], "hostPath": {"path": "/x"}}]}}),
    );
    assert_eq!(
        out["spec"]["volumes"],
        json!([{"name": "v", "hostPath": {"path": "/x"}}])
    );
}

#[test]
fn unknown_kinds_use_json_merge_patch() {
    let out = apply_strategic_merge_patch(
        "example.com/v1",
        "Widget",
        &json!({"spec": {"items": [{"name": "a"}], "k": 1}}),
        &json!({"spec": {"items": [{"name": "b"}], "k": null}}),
    )
    .unwrap();
    assert_eq!(out, json!({"spec": {"items": [{"name": "b"}]}}));
}

#[test]
fn builtin_kinds_without_metadata_still_take_directives() {
    let out = apply_strategic_merge_patch(
        "networking.k8s.io/v1",
        "Ingress",
        &json!({"spec": {"rules": [{"host": "a"}], "tls": {"x": 1}}}),
        &json!({"spec": {"rules": [{"host": "b"}], "tls": {"$patch": "replace", "y": 2}}}),
    )
    .unwrap();
    assert_eq!(
        out,
        json!({"spec": {"rules": [{"host": "b"}], "tls": {"y": 2}}})
    );
}

#[test]
fn non_object_documents_are_errors() {
    let err = apply_strategic_merge_patch("v1", "Pod", &json!({}), &json!([1])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
}

#[test]
fn three_way_deletes_and_orders() {
    let original =
        json!({"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "1"}]}});
    let modified = json!({"spec": {"containers": [{"name": "a", "image": "2"}]}});
    let current = json!({"spec": {
        "containers": [{"name": "a", "image": "1", "imagePullPolicy": "Always"}, {"name": "b", "image": "1"}],
        "restartPolicy": "Always"
    }});
    let patch =
        create_three_way_merge_patch("v1", "Pod", Some(&original), &modified, &current, true)
            .unwrap();
    assert_eq!(
        patch,
        json!({"spec": {
            "$setElementOrder/containers": [{"name": "a"}],
            "containers": [{"image": "2", "name": "a"}, {"$patch": "delete", "name": "b"}]
        }})
    );
    let out = apply_strategic_merge_patch("v1", "Pod", &current, &patch).unwrap();
    assert_eq!(
        out,
        json!({"spec": {
            "containers": [{"name": "a", "image": "2", "imagePullPolicy": "Always"}],
            "restartPolicy": "Always"
        }})
    );
}

#[test]
fn three_way_primitive_lists_and_retain_keys() {
    let original = json!({"metadata": {"finalizers": ["a", "b"]}, "spec": {"strategy": {"type": "RollingUpdate"}}});
    let modified =
        json!({"metadata": {"finalizers": ["a"]}, "spec": {"strategy": {"type": "Recreate"}}});
    let current = json!({"metadata": {"finalizers": ["a", "b"]}, "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}}});
    let patch = create_three_way_merge_patch(
        "apps/v1",
        "Deployment",
        Some(&original),
        &modified,
        &current,
        true,
    )
    .unwrap();
    assert_eq!(
        patch,
        json!({
            "metadata": {"$deleteFromPrimitiveList/finalizers": ["b"], "$setElementOrder/finalizers": ["a"]},
            "spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}
        })
    );
    let out = apply_strategic_merge_patch("apps/v1", "Deployment", &current, &patch).unwrap();
    assert_eq!(
        out,
        json!({"metadata": {"finalizers": ["a"]}, "spec": {"strategy": {"type": "Recreate"}}})
    );
}

#[test]
fn three_way_conflicts_without_overwrite() {
    let original = json!({"spec": {"nodeName": "a"}});
    let modified = json!({"spec": {"nodeName": "b"}});
    let current = json!({"spec": {"nodeName": "c"}});
    let err =
        create_three_way_merge_patch("v1", "Pod", Some(&original), &modified, &current, false)
            .unwrap_err();
    assert!(matches!(err, PatchError::Conflict { .. }));
    assert!(
        create_three_way_merge_patch("v1", "Pod", Some(&original), &modified, &current, true)
            .is_ok()
    );
    // No conflict when the live change is the same as the new one.
    let same = json!({"spec": {"nodeName": "b"}});
    assert!(
        create_three_way_merge_patch("v1", "Pod", Some(&original), &modified, &same, false).is_ok()
    );
}

#[test]
fn three_way_matches_recorded_kubectl_patch() {
    let live: Value = serde_json::from_str(&fixture("reference/daemonset.json")).unwrap();
    let original = get_last_applied(&live).unwrap();
    let mut modified: Value =
        serde_json::from_str(&fixture("apply/node-exporter-daemonset-v2.json")).unwrap();
    modified["metadata"]["namespace"] = json!("default");
    set_last_applied(&mut modified).unwrap();
    let patch = create_three_way_merge_patch(
        "apps/v1",
        "DaemonSet",
        Some(&original),
        &modified,
        &live,
        true,
    )
    .unwrap();
    let body = to_go_json(&patch);
    let (visible, total) =
        recorded_body("06-apply-configured.log", "helper.go:269] \"Request Body\"");
    assert!(body.starts_with(&visible), "\n{body}\n{visible}");
    assert_eq!(body.len(), total, "{body}");
    // And applying it gives the manifest's fields on top of the live object.
    let out = apply_strategic_merge_patch("apps/v1", "DaemonSet", &live, &patch).unwrap();
    let c = &out["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "prom/node-exporter:v1.8.2");
    assert_eq!(c["volumeMounts"].as_array().unwrap().len(), 1);
    assert_eq!(c["terminationMessagePath"], "/dev/termination-log");
    assert_eq!(
        out["spec"]["template"]["spec"]["volumes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Re-applying the same manifest is a no-op patch (kubectl prints "unchanged").
    let again = create_three_way_merge_patch(
        "apps/v1",
        "DaemonSet",
        get_last_applied(&out).as_ref(),
        &modified,
        &out,
        true,
    )
    .unwrap();
    assert_eq!(again, json!({}));
}

fn arb_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[a-c]{1,2}".prop_map(Value::from),
        (0i64..4).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
    ]
}

/// Objects shaped like pods, so merge keys, primitive merge lists and atomic lists all occur.
fn arb_pod() -> impl Strategy<Value = Value> {
    let env = prop::collection::btree_map("[A-C]", "[x-z]", 0..3).prop_map(|m| {
        Value::Array(
            m.into_iter()
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect(),
        )
    });
    let container = (
        prop::option::of("[a-b]"),
        prop::option::of(env),
        prop::option::of(prop::collection::vec("[a-c]", 0..3)),
    )
        .prop_map(|(image, env, args)| {
            let mut m = Map::new();
            if let Some(i) = image {
                m.insert("image".into(), json!(i));
            }
            if let Some(e) = env {
                m.insert("env".into(), e);
            }
            if let Some(a) = args {
                m.insert("args".into(), json!(a));
            }
            m
        });
    let containers = prop::collection::btree_map("[c-f]", container, 0..3).prop_map(|m| {
        Value::Array(
            m.into_iter()
                .map(|(name, mut c)| {
                    c.insert("name".into(), json!(name));
                    Value::Object(c)
                })
                .collect(),
        )
    });
    let finalizers = prop::collection::btree_set("[p-s]", 0..3)
        .prop_map(|s| json!(s.into_iter().collect::<Vec<_>>()));
    let labels = prop::collection::btree_map("[k-m]", arb_scalar(), 0..3)
        .prop_map(|m| Value::Object(m.into_iter().collect()));
    (
        prop::option::of(containers),
        prop::option::of(finalizers),
        prop::option::of(labels),
        prop::option::of(prop::collection::vec(arb_scalar(), 0..3)),
    )
        .prop_map(|(containers, finalizers, labels, tolerations)| {
            let mut spec = Map::new();
            if let Some(c) = containers {
                spec.insert("containers".into(), c);
            }
            if let Some(t) = tolerations {
                spec.insert("tolerations".into(), Value::Array(t));
            }
            let mut meta = Map::new();
            if let Some(f) = finalizers {
                meta.insert("finalizers".into(), f);
            }
            if let Some(l) = labels {
                meta.insert("labels".into(), l);
            }
            json!({"metadata": meta, "spec": spec})
        })
}

proptest! {
    /// Applying the three-way patch (current == original) to the original yields modified.
    #[test]
    fn three_way_round_trip(original in arb_pod(), modified in arb_pod()) {
        let patch = create_three_way_merge_patch(
            "v1", "Pod", Some(&original), &modified, &original, true,
        ).unwrap();
        let out = apply_strategic_merge_patch("v1", "Pod", &original, &patch).unwrap();
        prop_assert_eq!(out, modified);
    }

    /// The two-way patch from a to b applied to a gives b.
    #[test]
    fn two_way_round_trip(a in arb_pod(), b in arb_pod()) {
        let patch = create_two_way_merge_patch("v1", "Pod", &a, &b).unwrap();
        let out = apply_strategic_merge_patch("v1", "Pod", &a, &patch).unwrap();
        prop_assert_eq!(out, b);
    }
}

/// Adds what a server would: defaulted fields, an injected env var, container, label and
/// finalizer — none of which a manifest from `arb_pod` can mention.
fn with_server_fields(o: &Value) -> Value {
    let mut c = o.clone();
    if let Some(list) = c["spec"]["containers"].as_array_mut() {
        for item in list.iter_mut() {
            item["imagePullPolicy"] = json!("Always");
            if let Some(env) = item["env"].as_array_mut() {
                env.push(json!({"name": "ZZ", "value": "srv"}));
            }
        }
        list.push(json!({"name": "zz-sidecar", "image": "inject"}));
    }
    if let Some(l) = c["metadata"]["labels"].as_object_mut() {
        l.insert("srv".into(), json!("x"));
    }
    if let Some(f) = c["metadata"]["finalizers"].as_array_mut() {
        f.push(json!("srv.io/f"));
    }
    c["status"] = json!({"phase": "Running"});
    c
}

/// The part of `result` that `shape` talks about: map keys of `shape`, and list items whose
/// merge key (`name`) or value appears in `shape`.
fn project(result: &Value, shape: &Value) -> Value {
    match (result, shape) {
        (Value::Object(r), Value::Object(s)) => Value::Object(
            s.iter()
                .map(|(k, sv)| (k.clone(), project(r.get(k).unwrap_or(&Value::Null), sv)))
                .collect(),
        ),
        (Value::Array(r), Value::Array(s)) if s.iter().all(|x| x.get("name").is_some()) => {
            let kept: Vec<&Value> = r
                .iter()
                .filter(|x| s.iter().any(|y| y.get("name") == x.get("name")))
                .collect();
            if kept.len() != s.len() {
                return Value::Array(kept.into_iter().cloned().collect());
            }
            Value::Array(kept.iter().zip(s).map(|(x, y)| project(x, y)).collect())
        }
        (Value::Array(r), Value::Array(s)) => {
            Value::Array(r.iter().filter(|x| s.contains(x)).cloned().collect())
        }
        _ => result.clone(),
    }
}

proptest! {
    /// With a live object carrying server-side additions, the manifest's fields still win,
    /// in the manifest's order, and the additions survive.
    #[test]
    fn three_way_keeps_server_fields_and_applies_manifest(
        original in arb_pod(),
        modified in arb_pod(),
    ) {
        let current = with_server_fields(&original);
        let patch = create_three_way_merge_patch(
            "v1", "Pod", Some(&original), &modified, &current, true,
        ).unwrap();
        let out = apply_strategic_merge_patch("v1", "Pod", &current, &patch).unwrap();
        prop_assert_eq!(project(&out, &modified), modified.clone());
        prop_assert_eq!(&out["status"], &json!({"phase": "Running"}));
        if current["spec"]["containers"].is_array() && modified["spec"]["containers"].is_array() {
            let names: Vec<&str> = out["spec"]["containers"].as_array().unwrap().iter()
                .filter_map(|c| c["name"].as_str()).collect();
            prop_assert!(names.contains(&"zz-sidecar"), "{:?}", names);
        }
    }
}

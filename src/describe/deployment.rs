//! `describe deployment` (kubectl's `describeDeployment`) with its new and old ReplicaSets
//! found as kubectl's `deploymentutil.GetAllReplicaSetsInChunks` finds them.

use serde_json::{Map, Value};

use super::events::finish_with_events;
use super::podspec::describe_pod_template;
use super::replicaset::{describe_conditions, replicas};
use super::text::{
    arr, get, i, parse_time, print_creation_timestamp, print_labels_annotations, print_selector, s,
    value_string,
};
use super::writer::{PrefixWriter, LEVEL_0};
use super::{DescribeOptions, Related};

/// Renders a Deployment; `replicasets` are the ReplicaSets matching its selector.
pub fn describe_deployment(d: &Value, related: &Related, opts: &DescribeOptions) -> String {
    let replicasets = related.items("replicasets");
    let events = related.events(opts);
    let mut w = PrefixWriter::new();
    super::text::print_name_namespace(&mut w, d);
    print_creation_timestamp(&mut w, d, opts);
    print_labels_annotations(&mut w, d);
    print_selector(&mut w, d);
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            replicas(d),
            i(d, "status.updatedReplicas"),
            i(d, "status.replicas"),
            i(d, "status.availableReplicas"),
            i(d, "status.unavailableReplicas")
        ),
    );
    w.field(LEVEL_0, "StrategyType", s(d, "spec.strategy.type"));
    w.field(LEVEL_0, "MinReadySeconds", i(d, "spec.minReadySeconds"));
    if let Some(ru) = get(d, "spec.strategy.rollingUpdate") {
        let field = |f: &str| get(ru, f).map(value_string).unwrap_or("<nil>".into());
        w.write(
            LEVEL_0,
            &format!(
                "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                field("maxUnavailable"),
                field("maxSurge")
            ),
        );
    }
    describe_pod_template(get(d, "spec.template"), &mut w, opts);
    describe_conditions(arr(d, "status.conditions"), &mut w);
    let (old, new) = split_replicasets(d, replicasets);
    if !old.is_empty() || new.is_some() {
        w.field(LEVEL_0, "OldReplicaSets", rs_list(&old));
        w.field(
            LEVEL_0,
            "NewReplicaSet",
            rs_list(&new.into_iter().collect::<Vec<_>>()),
        );
    }
    finish_with_events(&mut w, events, opts)
}

/// `printReplicaSetsByLabels`: `name (current/desired replicas created)`, `<none>` if empty.
fn rs_list(rss: &[&Value]) -> String {
    if rss.is_empty() {
        return "<none>".to_string();
    }
    rss.iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                s(rs, "metadata.name"),
                i(rs, "status.replicas"),
                replicas(rs)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// All old ReplicaSets (kubectl shows `allOldRSs`, zero-replica ones included) in creation
/// order and the new one (the oldest whose template equals the Deployment's, ignoring
/// `pod-template-hash`), among those controlled by the Deployment.
fn split_replicasets<'a>(d: &Value, all: &'a [Value]) -> (Vec<&'a Value>, Option<&'a Value>) {
    let uid = s(d, "metadata.uid");
    let mut owned: Vec<&Value> = all
        .iter()
        .filter(|rs| super::text::controller_uid(rs) == Some(uid))
        .collect();
    kcore::gosort::sort(&mut owned, |a, b| {
        let (ta, tb) = (
            parse_time(s(a, "metadata.creationTimestamp")),
            parse_time(s(b, "metadata.creationTimestamp")),
        );
        if ta == tb {
            s(a, "metadata.name") < s(b, "metadata.name")
        } else {
            ta < tb
        }
    });
    let template = normalized_template(get(d, "spec.template"));
    let new = owned
        .iter()
        .copied()
        .find(|rs| normalized_template(get(rs, "spec.template")) == template);
    let new_uid = new.map(|rs| s(rs, "metadata.uid"));
    let old = owned
        .into_iter()
        .filter(|rs| Some(s(rs, "metadata.uid")) != new_uid)
        .collect();
    (old, new)
}

/// A pod template without `pod-template-hash` and without Go zero values, so that JSON
/// equality matches Go's semantic equality of the typed structs.
fn normalized_template(t: Option<&Value>) -> Value {
    let mut t = t.cloned().unwrap_or(Value::Null);
    if let Some(labels) = t
        .get_mut("metadata")
        .and_then(|m| m.get_mut("labels"))
        .and_then(Value::as_object_mut)
    {
        labels.remove("pod-template-hash");
    }
    strip_zero(&t).unwrap_or(Value::Null)
}

fn strip_zero(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Bool(false) => None,
        Value::String(s) if s.is_empty() => None,
        Value::Number(n) if n.as_f64() == Some(0.0) => None,
        Value::Array(a) if a.is_empty() => None,
        Value::Array(a) => Some(Value::Array(
            a.iter()
                .map(|x| strip_zero(x).unwrap_or(Value::Null))
                .collect(),
        )),
        Value::Object(m) => {
            let out: Map<String, Value> = m
                .iter()
                .filter_map(|(k, v)| strip_zero(v).map(|v| (k.clone(), v)))
                .collect();
            (!out.is_empty()).then_some(Value::Object(out))
        }
        other => Some(other.clone()),
    }
}

//! Finding the pod a command works on (`logs`, `exec`): `POD` or `TYPE/NAME` through the
//! resource builder, a workload's pods sorted as kubectl picks them (podutils `ByLogging`),
//! and a pod's containers with kubectl's "Defaulted container" list.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use crate::client::{ApiRequest, ClientError, ResourcePath};
use crate::context::Context;
use crate::error::CliError;

/// A pod's container names: (name, field path), in the order given by `lists`.
pub fn containers(pod: &Value, lists: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for l in lists {
        for c in pod["spec"][*l].as_array().into_iter().flatten() {
            if let Some(n) = c["name"].as_str() {
                out.push((n.to_string(), format!("spec.{l}{{{n}}}")));
            }
        }
    }
    out
}

/// kubectl's `Defaulted container "a" out of: a, b, i (init), e (ephem)` list.
pub fn all_container_names(pod: &Value) -> String {
    let mut names = Vec::new();
    for (l, suffix) in [
        ("containers", ""),
        ("initContainers", " (init)"),
        ("ephemeralContainers", " (ephem)"),
    ] {
        for c in pod["spec"][l].as_array().into_iter().flatten() {
            names.push(format!(
                "{}{suffix}",
                c["name"].as_str().unwrap_or_default()
            ));
        }
    }
    names.join(", ")
}

/// A workload's pod selector as a label selector string.
pub fn selector_of(obj: &Value) -> Option<String> {
    let kind = obj["kind"].as_str().unwrap_or_default();
    let sel = &obj["spec"]["selector"];
    let map_sel = |m: &Value| -> Option<String> {
        let m = m.as_object()?;
        let mut parts: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect();
        parts.sort();
        Some(parts.join(","))
    };
    match kind {
        "Service" | "ReplicationController" => map_sel(sel),
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" => {
            Some(kcore::selectors::label_selector_json_string(sel))
        }
        _ => None,
    }
}

/// The Go type kubectl names in "selector for %T not implemented".
pub fn go_type(kind: &str) -> String {
    match kind {
        "CronJob" => "*v1.CronJob".into(),
        "ConfigMap"
        | "Secret"
        | "Node"
        | "Namespace"
        | "ServiceAccount"
        | "Endpoints"
        | "PersistentVolumeClaim"
        | "PersistentVolume"
        | "LimitRange"
        | "ResourceQuota"
        | "Event" => format!("*v1.{kind}"),
        _ => "*unstructured.Unstructured".into(),
    }
}

pub fn is_ready(p: &Value) -> bool {
    p["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

pub fn ready_time(p: &Value) -> String {
    p["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "Ready")
        .and_then(|c| c["lastTransitionTime"].as_str())
        .unwrap_or_default()
        .to_string()
}

pub fn max_restarts(p: &Value) -> i64 {
    p["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["restartCount"].as_i64())
        .max()
        .unwrap_or(0)
}

/// podutils `ByLogging`: the pod kubectl picks first.
pub fn by_logging(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    let node = |p: &Value| {
        !p["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    };
    if node(a) != node(b) {
        return if node(a) { Less } else { Greater };
    }
    let phase = |p: &Value| match p["status"]["phase"].as_str() {
        Some("Unknown") => 1,
        Some("Pending") => 2,
        _ => 0,
    };
    if phase(a) != phase(b) {
        return phase(a).cmp(&phase(b));
    }
    if is_ready(a) != is_ready(b) {
        return if is_ready(a) { Less } else { Greater };
    }
    if is_ready(a) && is_ready(b) && ready_time(a) != ready_time(b) {
        // Ready for longer first; an empty time last.
        let (ta, tb) = (ready_time(a), ready_time(b));
        if ta.is_empty() {
            return Greater;
        }
        if tb.is_empty() {
            return Less;
        }
        return ta.cmp(&tb);
    }
    if max_restarts(a) != max_restarts(b) {
        return max_restarts(b).cmp(&max_restarts(a));
    }
    let created = |p: &Value| {
        p["metadata"]["creationTimestamp"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let (ca, cb) = (created(a), created(b));
    if ca != cb {
        if ca.is_empty() {
            return Greater;
        }
        if cb.is_empty() {
            return Less;
        }
        return ca.cmp(&cb);
    }
    Equal
}

/// The object named by `POD` or `TYPE/NAME`.
/// `builder_wording`: a missing object in the resource builder's words (`logs`), else the
/// server's error as a plain GET reports it (`exec`).
pub async fn object(
    ctx: &Context,
    ns: &str,
    arg: &str,
    builder_wording: bool,
) -> Result<Value, CliError> {
    let client = ctx.client()?;
    let (resource, name) = if arg.contains('/') {
        let types = crate::resource::resolve_args(ctx, &[arg.to_string()], "kubectl").await?;
        let Some(t) = types.into_iter().next() else {
            return Err(CliError::msg("expected a resource"));
        };
        let name = t.names.first().cloned().unwrap_or_default();
        (t.resource, name)
    } else {
        let types =
            crate::resource::resolve_args(ctx, &["pods".to_string(), arg.to_string()], "kubectl")
                .await?;
        let Some(t) = types.into_iter().next() else {
            return Err(CliError::msg("expected a resource"));
        };
        (t.resource, arg.to_string())
    };
    let path = resource.path(Some(ns), Some(&name))?;
    let mut obj = match client.get_json(&path).await {
        Ok(o) => o,
        // The builder's wording of a missing object.
        Err(e) if builder_wording && e.is_not_found() => {
            let msg = e.status().map(|s| s.message.clone()).unwrap_or_default();
            return Err(CliError::msg(format!(
                "error from server (NotFound): {msg} in namespace {ns:?}"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    if obj["kind"].is_null() {
        obj["kind"] = Value::String(resource.kind.clone());
    }
    Ok(obj)
}

/// The pods a workload selects, sorted as kubectl picks them; waits up to `timeout` for
/// a first one to appear.
pub async fn pods_for(
    ctx: &Context,
    ns: &str,
    selector: &str,
    timeout: Duration,
) -> Result<Vec<Value>, CliError> {
    let client = ctx.client()?;
    let path = ResourcePath::pods(ns, None).build()?;
    let list = client
        .send_json(&ApiRequest::get(path.clone()).query("labelSelector", selector))
        .await?;
    let mut pods = list["items"].as_array().cloned().unwrap_or_default();
    if pods.is_empty() {
        let rv = list["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let req = ApiRequest::get(path)
            .query("labelSelector", selector)
            .query("resourceVersion", rv);
        let mut w = client.watch(&req).await?;
        let first = tokio::time::timeout(timeout, async {
            while let Some(ev) = w.next().await {
                let ev = ev?;
                if ev.event_type == "ADDED" || ev.event_type == "MODIFIED" {
                    return Ok::<Option<Value>, ClientError>(Some(ev.object));
                }
            }
            Ok(None)
        })
        .await;
        match first {
            Ok(Ok(Some(p))) => pods.push(p),
            Ok(Err(e)) => return Err(e.into()),
            _ => return Err(CliError::msg("timed out waiting for the condition")),
        }
    }
    pods.sort_by(by_logging);
    Ok(pods)
}

/// podcmd's default container: the annotation's, else the first, and kubectl's
/// "Defaulted container" notice when the pod has several.
pub fn default_container(pod: &Value) -> Result<(String, Option<String>), CliError> {
    let all = containers(
        pod,
        &["containers", "initContainers", "ephemeralContainers"],
    );
    if let Some(d) =
        pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str()
    {
        if all.iter().any(|(n, _)| n == d) {
            return Ok((d.to_string(), None));
        }
    }
    let main = containers(pod, &["containers"]);
    let Some((first, _)) = main.first().cloned() else {
        return Err(CliError::msg(format!(
            "pod {} does not have any containers",
            pod["metadata"]["name"].as_str().unwrap_or_default()
        )));
    };
    let notice = (all.len() > 1).then(|| {
        format!(
            "Defaulted container {first:?} out of: {}\n",
            all_container_names(pod)
        )
    });
    Ok((first, notice))
}

//! Removing a node's pods (kubectl `pkg/drain/drain.go` and `deleteOrEvictPodsSimple`):
//! list them, filter, evict through `pods/eviction` (retrying while a disruption budget
//! answers 429) or delete them, and wait until they are gone.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::filters::{filter_pods, should_skip, FilterOptions, PodDeleteList};
use super::{go_error_text, list_chunked, print_op, Mode};
use crate::client::{ApiPath, ApiRequest, ResourcePath};
use crate::context::Context;
use crate::error::CliError;

/// kubectl's `EvictErrorRetryDelay`.
const RETRY_DELAY: Duration = Duration::from_secs(5);
/// How often the deletion of a pod is checked.
const POLL: Duration = Duration::from_secs(1);

/// The settings of one drain.
#[derive(Debug, Clone)]
pub struct DrainOptions {
    pub filters: FilterOptions,
    /// `--grace-period` (negative: the pod's own).
    pub grace_period: i64,
    /// `--timeout` (zero: none).
    pub timeout: Duration,
    pub pod_selector: String,
    pub disable_eviction: bool,
    pub chunk_size: i64,
    pub mode: Mode,
}

fn pod_path(pod: &Value, sub: Option<&str>) -> Result<ApiPath, CliError> {
    Ok(ResourcePath {
        subresource: sub,
        ..ResourcePath::pods(
            pod["metadata"]["namespace"].as_str().unwrap_or_default(),
            Some(pod["metadata"]["name"].as_str().unwrap_or_default()),
        )
    }
    .build()?)
}

fn ns_name(pod: &Value) -> (&str, &str) {
    (
        pod["metadata"]["namespace"].as_str().unwrap_or_default(),
        pod["metadata"]["name"].as_str().unwrap_or_default(),
    )
}

/// `GetPodsForDeletion`: the node's pods (matching `--pod-selector`) through the filters;
/// the error lines when some block the drain.
pub async fn pods_for_deletion(
    ctx: &Context,
    node: &str,
    o: &DrainOptions,
) -> Result<PodDeleteList, (Option<PodDeleteList>, Vec<String>)> {
    let path = ResourcePath {
        group: "",
        version: "v1",
        resource: "pods",
        namespace: None,
        name: None,
        subresource: None,
    }
    .build()
    .map_err(|e| (None, vec![e.to_string()]))?;
    let field = format!("spec.nodeName={node}");
    let pods = list_chunked(
        ctx,
        path,
        "/v1, Resource=pods",
        Some(&o.pod_selector),
        Some(&field),
        o.chunk_size,
    )
    .await
    .map_err(|e| (None, vec![go_error_text(&e)]))?;
    let list = filter_pods(ctx, pods, &o.filters).await;
    let errs = list.errors();
    if errs.is_empty() {
        Ok(list)
    } else {
        Err((Some(list), errs))
    }
}

/// utilerrors `NewAggregate(...).Error()`: one message alone, several in brackets.
pub fn aggregate_text(msgs: &[String]) -> String {
    match msgs {
        [one] => one.clone(),
        _ => format!("[{}]", msgs.join(", ")),
    }
}

/// Why a node could not be drained: one error, or an aggregate of several (kubectl prints an
/// aggregate differently when it is the command's only error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrainFailure {
    pub messages: Vec<String>,
    pub aggregate: bool,
}

impl DrainFailure {
    fn plain(m: String) -> Self {
        DrainFailure {
            messages: vec![m],
            aggregate: false,
        }
    }

    fn aggregate(messages: Vec<String>) -> Self {
        DrainFailure {
            messages,
            aggregate: true,
        }
    }

    /// Go's `err.Error()`.
    pub fn text(&self) -> String {
        if self.aggregate {
            aggregate_text(&self.messages)
        } else {
            self.messages.join("")
        }
    }
}

/// `deleteOrEvictPodsSimple`: removes the node's pods, printing progress; why the node could
/// not be drained.
pub async fn drain_node(ctx: &Context, node: &str, o: &DrainOptions) -> Result<(), DrainFailure> {
    let list = match pods_for_deletion(ctx, node, o).await {
        Ok(l) => l,
        Err((_, errs)) => return Err(DrainFailure::aggregate(errs)),
    };
    let warnings = list.warnings();
    if !warnings.is_empty() {
        ctx.eprint(&format!("Warning: {warnings}\n"));
    }
    let pods = list.pods();
    if o.mode == Mode::ClientDryRun {
        let mut text = String::new();
        for p in &pods {
            let (ns, name) = ns_name(p);
            text.push_str(&format!("evicting pod {ns}/{name} (dry run)\n"));
        }
        let _ = std::io::Write::write_all(&mut **ctx.out(), text.as_bytes());
        return Ok(());
    }
    if let Err(e) = delete_or_evict(ctx, &pods, o).await {
        let text = e.text();
        match pods_for_deletion(ctx, node, o).await {
            Ok(pending) => report_pending(ctx, node, &pending, &text),
            Err((pending, errs)) => {
                if let Some(p) = pending {
                    report_pending(ctx, node, &p, &text);
                }
                ctx.eprint(&format!(
                    "Following errors occurred while getting the list of pods to delete:\n{}",
                    aggregate_text(&errs)
                ));
            }
        }
        return Err(e);
    }
    Ok(())
}

fn report_pending(ctx: &Context, node: &str, pending: &PodDeleteList, err: &str) {
    let pods = pending.pods();
    if pods.is_empty() {
        return;
    }
    let mut text =
        format!("There are pending pods in node {node:?} when an error occurred: {err}\n");
    for p in &pods {
        text.push_str(&format!("pod/{}\n", ns_name(p).1));
    }
    ctx.eprint(&text);
}

/// `DeleteOrEvictPods`: eviction when the server offers it (and it is not disabled).
async fn delete_or_evict(
    ctx: &Context,
    pods: &[Value],
    o: &DrainOptions,
) -> Result<(), DrainFailure> {
    if pods.is_empty() {
        return Ok(());
    }
    if !o.disable_eviction {
        let supported = eviction_supported(ctx)
            .await
            .map_err(|e| DrainFailure::plain(go_error_text(&e)))?;
        if supported {
            return evict_pods(ctx, pods, o)
                .await
                .map_err(DrainFailure::aggregate);
        }
    }
    delete_pods(ctx, pods, o).await.map_err(DrainFailure::plain)
}

/// `CheckEvictionSupport`: `/api/v1` lists `pods/eviction` with a group and version.
async fn eviction_supported(ctx: &Context) -> Result<bool, CliError> {
    let list = ctx
        .client()?
        .get_json(&ApiPath::group_version("", "v1")?)
        .await?;
    Ok(list["resources"].as_array().into_iter().flatten().any(|r| {
        r["name"] == "pods/eviction"
            && r["kind"] == "Eviction"
            && r["group"].as_str().is_some_and(|g| !g.is_empty())
            && r["version"].as_str().is_some_and(|v| !v.is_empty())
    }))
}

fn delete_options(o: &DrainOptions) -> Value {
    let mut opts = json!({});
    if o.grace_period >= 0 {
        opts["gracePeriodSeconds"] = json!(o.grace_period);
    }
    if o.mode == Mode::ServerDryRun {
        opts["dryRun"] = json!(["All"]);
    }
    opts
}

/// The instant the whole removal must end by (`--timeout`; none when zero).
fn deadline(o: &DrainOptions) -> Option<Instant> {
    (!o.timeout.is_zero()).then(|| Instant::now() + o.timeout)
}

fn timeout_text(o: &DrainOptions) -> String {
    if o.timeout.is_zero() {
        // Go's time.Duration(math.MaxInt64).
        "2562047h47m16.854775807s".into()
    } else {
        crate::client::request::go_duration(o.timeout)
    }
}

/// `evictPods`: every pod at once; each retries while the server answers 429, then waits for
/// its pod to go.
async fn evict_pods(ctx: &Context, pods: &[Value], o: &DrainOptions) -> Result<(), Vec<String>> {
    let end = deadline(o);
    let results =
        futures_util::future::join_all(pods.iter().map(|p| evict_one(ctx, p.clone(), o, end)))
            .await;
    let errs: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

fn has_cause(e: &CliError, reason: &str) -> bool {
    match e {
        CliError::Client(c) => c.status().is_some_and(|s| {
            s.details["causes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["reason"] == reason)
        }),
        _ => false,
    }
}

fn code_of(e: &CliError) -> u16 {
    match e {
        CliError::Client(c) => c.status().map(|s| s.code).unwrap_or(0),
        _ => 0,
    }
}

async fn evict_one(
    ctx: &Context,
    pod: Value,
    o: &DrainOptions,
    end: Option<Instant>,
) -> Result<(), String> {
    let mut active = pod.clone();
    loop {
        let (ns, name) = ns_name(&active);
        let (ns, name) = (ns.to_string(), name.to_string());
        let line = if o.mode == Mode::ServerDryRun {
            format!("evicting pod {ns}/{name} (server dry run)\n")
        } else {
            format!("evicting pod {ns}/{name}\n")
        };
        let _ = std::io::Write::write_all(&mut **ctx.out(), line.as_bytes());
        if end.is_some_and(|e| Instant::now() >= e) {
            return Err(format!(
                "error when evicting pods/{name:?} -n {ns:?}: global timeout reached: {}",
                timeout_text(o)
            ));
        }
        let body = json!({
            "kind": "Eviction",
            "apiVersion": "policy/v1",
            "metadata": {"name": name, "namespace": ns},
            "deleteOptions": delete_options(o),
        });
        let sent = match pod_path(&active, Some("eviction")) {
            Ok(path) => match ctx.client() {
                Ok(c) => c
                    .send_json(&ApiRequest::post(path, &body))
                    .await
                    .map(|_| ())
                    .map_err(CliError::from),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        match sent {
            Ok(()) => break,
            Err(e) if code_of(&e) == 404 => return Ok(()),
            Err(e) if code_of(&e) == 429 => {
                ctx.eprint(&format!(
                    "error when evicting pods/{name:?} -n {ns:?} (will retry after {}): {}\n",
                    crate::client::request::go_duration(RETRY_DELAY),
                    go_error_text(&e)
                ));
                tokio::time::sleep(RETRY_DELAY).await;
            }
            Err(e)
                if code_of(&e) == 403
                    && has_cause(&e, "NamespaceTerminating")
                    && active["metadata"].get("deletionTimestamp").is_some() =>
            {
                break
            }
            Err(e) if code_of(&e) == 403 && has_cause(&e, "NamespaceTerminating") => {
                ctx.eprint(&format!(
                    "error when evicting pod {name:?} from terminating namespace {ns:?} (will retry after {}): {}\n",
                    crate::client::request::go_duration(RETRY_DELAY),
                    go_error_text(&e)
                ));
                tokio::time::sleep(RETRY_DELAY).await;
            }
            Err(e) => {
                return Err(format!(
                    "error when evicting pods/{name:?} -n {ns:?}: {}",
                    go_error_text(&e)
                ))
            }
        }
        if let Ok(fresh) = get_pod(ctx, &active).await {
            active = fresh;
        }
    }
    if o.mode == Mode::ServerDryRun {
        return Ok(());
    }
    let (ns, name) = ns_name(&pod);
    let (ns, name) = (ns.to_string(), name.to_string());
    wait_for_delete(ctx, vec![active], true, o, end)
        .await
        .map_err(|e| {
            format!("error when waiting for pod {name:?} in namespace {ns:?} to terminate: {e}")
        })
}

async fn get_pod(ctx: &Context, pod: &Value) -> Result<Value, CliError> {
    Ok(ctx.client()?.get_json(&pod_path(pod, None)?).await?)
}

/// `deletePods`: DELETE each (a missing pod is fine), then wait for all of them (in a server
/// dry run too, as v1.36 does).
async fn delete_pods(ctx: &Context, pods: &[Value], o: &DrainOptions) -> Result<(), String> {
    for p in pods {
        let sent = match pod_path(p, None) {
            Ok(path) => match ctx.client() {
                Ok(c) => c
                    .send_json(&ApiRequest::delete(path, Some(&delete_options(o))))
                    .await
                    .map(|_| ())
                    .map_err(CliError::from),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        if let Err(e) = sent {
            if code_of(&e) != 404 {
                return Err(go_error_text(&e));
            }
        }
    }
    // kubectl v1.36 waits for the deleted pods even in a server dry run, where they never
    // go: the drain ends at --timeout with `context deadline exceeded` (the shortcut came
    // after v1.36, kubernetes/kubectl 2e7c87194).
    wait_for_delete(ctx, pods.to_vec(), false, o, deadline(o)).await
}

/// `waitForDelete`: polls every second until each pod is gone (or replaced: another UID),
/// printing `pod/x evicted|deleted` as each goes; `context deadline exceeded` at `end`.
async fn wait_for_delete(
    ctx: &Context,
    mut pods: Vec<Value>,
    eviction: bool,
    o: &DrainOptions,
    end: Option<Instant>,
) -> Result<(), String> {
    let (done, failed) = if eviction {
        ("evicted", "eviction failed")
    } else {
        ("deleted", "deletion failed")
    };
    loop {
        let mut pending = Vec::new();
        for pod in pods {
            match get_pod(ctx, &pod).await {
                Err(e) if code_of(&e) == 404 => {
                    print_op(ctx, &pod, done, o.mode).map_err(|e| go_error_text(&e))?
                }
                Ok(p) if p["metadata"]["uid"] != pod["metadata"]["uid"] => {
                    print_op(ctx, &pod, done, o.mode).map_err(|e| go_error_text(&e))?
                }
                Err(e) => {
                    let _ = print_op(ctx, &pod, failed, o.mode);
                    return Err(go_error_text(&e));
                }
                Ok(p) => {
                    if should_skip(&p, o.filters.skip_wait_for_delete_timeout) {
                        let line = format!(
                            "pod {:?} has DeletionTimestamp older than {} seconds, skipping\n",
                            ns_name(&pod).1,
                            o.filters.skip_wait_for_delete_timeout
                        );
                        let _ = std::io::Write::write_all(&mut **ctx.out(), line.as_bytes());
                        continue;
                    }
                    pending.push(pod);
                }
            }
        }
        pods = pending;
        if pods.is_empty() {
            return Ok(());
        }
        let wait = match end {
            Some(e) => {
                let now = Instant::now();
                if now >= e {
                    return Err("context deadline exceeded".into());
                }
                POLL.min(e - now)
            }
            None => POLL,
        };
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_read_as_go_prints_them() {
        assert_eq!(aggregate_text(&["a".into()]), "a");
        assert_eq!(aggregate_text(&["a".into(), "b".into()]), "[a, b]");
    }
}

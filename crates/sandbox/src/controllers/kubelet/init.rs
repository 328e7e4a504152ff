//! Init containers, as the kubelet runs them: one at a time in spec order, each to a
//! successful exit before the next starts, then the app containers. A failed init container is
//! retried with the crash back-off unless the pod's `restartPolicy` is `Never` (then the pod
//! fails). A sidecar (an init container with `restartPolicy: Always`) counts as done once it
//! started, keeps running beside the app containers and is restarted whenever it exits.
//!
//! The statuses follow the kubelet's: a running init container is `started` and not ready, a
//! completed one is ready and not started; app containers wait with `PodInitializing`; the
//! pod stays `Pending` with `Initialized` False ("containers with incomplete status: [...]")
//! until every init container is done, so `kubectl get` prints `Init:N/M`, `Init:Error`,
//! `Init:CrashLoopBackOff` from them. Once every init container is done, the app containers
//! start one kubelet delay later (the kubelet's next sync after its pod lifecycle event
//! generator saw the last exit): until then the pod is `Initialized` but still `Pending`,
//! its app containers waiting with `PodInitializing`, which `kubectl get` shows as STATUS.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{
    container_status, gr_pods, is_terminating, refresh_ready, set_condition, uid_of, Key, Kubelet,
};
use crate::controllers::array_mut;

/// Which list of a pod a container belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ContainerKind {
    App,
    Init,
    Sidecar,
}

/// Whether an init container's spec makes it a sidecar (`restartPolicy: Always`).
pub(super) fn is_sidecar(spec: &Value) -> bool {
    spec["restartPolicy"] == "Always"
}

impl ContainerKind {
    /// The kind of the container `name` of `pod` (whose status has `id`, when given).
    pub(super) fn of(pod: &Value, name: &str, id: &str) -> ContainerKind {
        let in_status = pod["status"]["initContainerStatuses"]
            .as_array()
            .is_some_and(|l| {
                l.iter()
                    .any(|s| s["name"] == name && (id.is_empty() || s["containerID"] == id))
            });
        let spec = pod["spec"]["initContainers"]
            .as_array()
            .and_then(|l| l.iter().find(|c| c["name"] == name));
        match spec {
            Some(spec) if in_status && is_sidecar(spec) => ContainerKind::Sidecar,
            Some(_) if in_status => ContainerKind::Init,
            _ => ContainerKind::App,
        }
    }

    /// The status list and the spec list of this kind.
    pub(super) fn lists(self) -> (&'static str, &'static str) {
        match self {
            ContainerKind::App => ("containerStatuses", "containers"),
            _ => ("initContainerStatuses", "initContainers"),
        }
    }
}

/// Whether an init container no longer holds initialization up.
fn done(spec: &Value, status: &Value) -> bool {
    if is_sidecar(spec) {
        return status["started"] == true;
    }
    status["state"]["terminated"]["exitCode"] == 0
}

/// The `Initialized` condition from the init container statuses (the kubelet's
/// `GeneratePodInitializedCondition`): the init containers not done are "incomplete".
pub(super) fn refresh_initialized(p: &mut Value, now: &str) {
    let statuses = p["status"]["initContainerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let incomplete: Vec<String> = p["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|spec| {
            !statuses
                .iter()
                .any(|s| s["name"] == spec["name"] && done(spec, s))
        })
        .filter_map(|spec| spec["name"].as_str().map(str::to_string))
        .collect();
    if incomplete.is_empty() {
        set_condition(p, "Initialized", true, None, now);
    } else {
        let msg = format!(
            "containers with incomplete status: [{}]",
            incomplete.join(" ")
        );
        set_condition(
            p,
            "Initialized",
            false,
            Some(("ContainersNotInitialized", msg)),
            now,
        );
    }
}

impl Kubelet {
    /// The pod's sandbox is up (IP, `PodReadyToStartContainers`): its first init container
    /// starts.
    pub(super) fn start_initializing(&mut self, key: &Key, uid: &str, host_ip: &str, ip: &str) {
        let now = self.store.clock().rfc3339();
        let res = self.store.modify_retry(&gr_pods(), &key.0, &key.1, |p| {
            if uid_of(p) != uid || is_terminating(p) {
                return Ok(false);
            }
            if p["status"]["containerStatuses"].is_null() {
                p["status"] = super::pending_status(p, host_ip, &now);
            }
            p["status"]["podIP"] = json!(ip);
            p["status"]["podIPs"] = json!([{"ip": ip}]);
            set_condition(p, "PodReadyToStartContainers", true, None, &now);
            Ok(true)
        });
        if res.is_err() {
            self.started.remove(uid);
            return;
        }
        let at = self.store.clock().now();
        self.advance_init(key, uid, at);
    }

    /// Starts the next init container that is not done, or the app containers once all are.
    pub(super) fn advance_init(&mut self, key: &Key, uid: &str, at: DateTime<Utc>) {
        loop {
            let Some(pod) = self.store.get(&gr_pods(), &key.0, &key.1) else {
                return;
            };
            if uid_of(&pod) != uid || is_terminating(&pod) || pod["status"]["phase"] != "Pending" {
                return;
            }
            let specs = pod["spec"]["initContainers"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let status_of = |name: &Value| {
                pod["status"]["initContainerStatuses"]
                    .as_array()
                    .and_then(|l| l.iter().find(|s| &s["name"] == name))
                    .cloned()
                    .unwrap_or(Value::Null)
            };
            let next = specs
                .iter()
                .find(|spec| !done(spec, &status_of(&spec["name"])));
            let Some(spec) = next else {
                self.init_done(key, uid, at);
                return;
            };
            let status = status_of(&spec["name"]);
            // Running, or waiting out a back-off: nothing to do until it exits or restarts.
            if status["state"]["running"].is_object() || status["restartCount"] != 0 {
                return;
            }
            if status["state"]["terminated"].is_object() {
                return;
            }
            if !self.start_init_container(&pod, spec, at) {
                return;
            }
            if !is_sidecar(spec) {
                return;
            }
        }
    }

    /// Starts one init container for the first time: image events, a running status, the
    /// process. Returns whether it started.
    fn start_init_container(&mut self, pod: &Value, spec: &Value, at: DateTime<Utc>) -> bool {
        let node = pod["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.pull_and_start_events(pod, &node, spec, "initContainers");
        let now = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let uid = uid_of(pod).to_string();
        let name = spec["name"].clone();
        let sidecar = is_sidecar(spec);
        let res = self.store.modify_keep(
            &gr_pods(),
            pod["metadata"]["namespace"].as_str().unwrap_or_default(),
            pod["metadata"]["name"].as_str().unwrap_or_default(),
            |p| {
                if uid_of(p) != uid || is_terminating(p) {
                    return Ok(false);
                }
                let Some(list) = array_mut(&mut p["status"], "initContainerStatuses") else {
                    return Ok(false);
                };
                let Some(cs) = list.iter_mut().find(|s| s["name"] == name) else {
                    return Ok(false);
                };
                let mut fresh = container_status(spec, true, &now);
                // A running init container is started and not ready; a sidecar is ready as
                // soon as it started unless it has probes to pass first.
                if !sidecar {
                    fresh["ready"] = json!(false);
                    fresh["started"] = json!(true);
                }
                *cs = fresh;
                super::init::refresh_initialized(p, &now);
                if sidecar {
                    refresh_ready(p, &now);
                }
                Ok(true)
            },
        );
        let Ok(p) = res else { return false };
        let Some(cs) = p["status"]["initContainerStatuses"]
            .as_array()
            .and_then(|l| l.iter().find(|s| s["name"] == spec["name"]))
            .cloned()
        else {
            return false;
        };
        if cs["state"]["running"].is_null() {
            return false;
        }
        self.run_container(&p, &cs, at);
        true
    }

    /// Every init container is done (at `at`): the app containers start one kubelet delay
    /// later. A real kubelet posts this status (init containers done, app containers
    /// `PodInitializing`) from the sync that follows the last init container's exit, then
    /// creates the app containers, which its next relist (a second on) sees running.
    fn init_done(&mut self, key: &Key, uid: &str, at: DateTime<Utc>) {
        let when = at + chrono::Duration::from_std(self.delay).unwrap_or_default();
        self.at(when, super::Action::StartApps(key.clone(), uid.to_string()));
    }

    /// Every init container is done: the pod runs its app containers.
    pub(super) fn finish_init(&mut self, key: &Key, uid: &str, at: DateTime<Utc>) {
        let Some(pod) = self.store.get(&gr_pods(), &key.0, &key.1) else {
            return;
        };
        let node = pod["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for c in pod["spec"]["containers"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            self.pull_and_start_events(&pod, &node, &c, "containers");
        }
        let now = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let res = self.store.modify_keep(&gr_pods(), &key.0, &key.1, |p| {
            if uid_of(p) != uid || is_terminating(p) || p["status"]["phase"] != "Pending" {
                return Ok(false);
            }
            let mut statuses: Vec<Value> = p["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| container_status(c, true, &now))
                .collect();
            statuses.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
            p["status"]["containerStatuses"] = json!(statuses);
            p["status"]["phase"] = json!("Running");
            refresh_initialized(p, &now);
            refresh_ready(p, &now);
            Ok(true)
        });
        let Ok(p) = res else { return };
        if p["status"]["phase"] != "Running" {
            return;
        }
        for cs in p["status"]["containerStatuses"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            self.run_container(&p, &cs, at);
        }
    }
}

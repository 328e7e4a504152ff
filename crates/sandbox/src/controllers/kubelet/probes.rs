//! Container probes, as the kubelet's prober runs them, on the sandbox clock.
//!
//! - `exec` runs the command as another process of the simulated container (the runtime's
//!   shell, over the container's filesystem and environment): exit 0 is success; the output is
//!   what a failure event quotes. A command still running after `timeoutSeconds` fails with
//!   "command timed out".
//! - `httpGet`, `tcpSocket` and `grpc` have no real process to reach. The sandbox decides: a
//!   simulated container listens on the ports its spec declares (`ports[].containerPort`, or
//!   a port's name), so a probe of a declared port succeeds; any other port is refused, with
//!   the error Go's HTTP client and dialer give (`dial tcp IP:PORT: connect: connection
//!   refused`).
//!
//! A container with a startup probe is not `started` until it succeeds, and its liveness and
//! readiness probes wait for that; one with a readiness probe is not ready until that
//! succeeds. `failureThreshold` failures in a row of a liveness or startup probe kill the
//! container (`Killing`: "Container C failed liveness probe, will be restarted"), which
//! `restartPolicy` then restarts; of a readiness probe, make it unready. Every failure records
//! an `Unhealthy` warning ("Liveness probe failed: OUTPUT").

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::EventType;
use super::{gr_pods, is_terminating, refresh_ready, uid_of, Action, Key, Kubelet};
use crate::controllers::array_mut;

/// Which probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(in crate::controllers) enum ProbeKind {
    Startup,
    Liveness,
    Readiness,
}

impl ProbeKind {
    fn field(self) -> &'static str {
        match self {
            ProbeKind::Startup => "startupProbe",
            ProbeKind::Liveness => "livenessProbe",
            ProbeKind::Readiness => "readinessProbe",
        }
    }

    fn title(self) -> &'static str {
        match self {
            ProbeKind::Startup => "Startup",
            ProbeKind::Liveness => "Liveness",
            ProbeKind::Readiness => "Readiness",
        }
    }
}

/// One probe's outcome, from a finished exec process or decided at once.
#[derive(Debug)]
pub(in crate::controllers) struct ProbeResult {
    pub key: Key,
    pub uid: String,
    pub container: String,
    pub id: String,
    pub kind: ProbeKind,
    pub ok: bool,
    pub output: String,
}

/// What identifies one probe worker: a container instance and a probe kind.
pub(super) type ProbeKey = (String, ProbeKind);

/// Whether a container spec starts ready (no readiness or startup probe to pass first).
pub(super) fn starts_ready(spec: &Value) -> bool {
    spec["readinessProbe"].is_null() && spec["startupProbe"].is_null()
}

/// Whether a container spec counts as started as soon as it runs (no startup probe).
pub(super) fn starts_started(spec: &Value) -> bool {
    spec["startupProbe"].is_null()
}

fn int(probe: &Value, field: &str, default: i64) -> i64 {
    probe[field].as_i64().unwrap_or(default)
}

fn secs(n: i64) -> chrono::Duration {
    chrono::Duration::seconds(n.max(0))
}

/// The port a probe's `port` names: a number, or the name of one of the container's ports.
fn resolve_port(spec: &Value, port: &Value) -> Option<(i64, bool)> {
    let ports = spec["ports"].as_array().cloned().unwrap_or_default();
    if let Some(n) = port.as_i64() {
        let declared = ports.iter().any(|p| p["containerPort"] == n);
        return Some((n, declared));
    }
    let name = port.as_str()?;
    if let Ok(n) = name.parse::<i64>() {
        return Some((n, ports.iter().any(|p| p["containerPort"] == n)));
    }
    ports
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["containerPort"].as_i64())
        .map(|n| (n, true))
}

/// The outcome of a network probe against a simulated container, with Go's error text.
fn network_probe(pod: &Value, spec: &Value, probe: &Value) -> (bool, String) {
    let ip = pod["status"]["podIP"].as_str().unwrap_or_default();
    let (kind, p) = if probe["httpGet"].is_object() {
        ("http", &probe["httpGet"])
    } else if probe["tcpSocket"].is_object() {
        ("tcp", &probe["tcpSocket"])
    } else {
        ("grpc", &probe["grpc"])
    };
    let host = p["host"].as_str().filter(|h| !h.is_empty()).unwrap_or(ip);
    let Some((port, listening)) = resolve_port(spec, &p["port"]) else {
        let name = p["port"].as_str().unwrap_or_default();
        return (false, format!("unable to find port {name:?}"));
    };
    if listening {
        return (true, String::new());
    }
    let dial = format!("dial tcp {host}:{port}: connect: connection refused");
    let msg = match kind {
        "http" => {
            let scheme = p["scheme"].as_str().unwrap_or("HTTP").to_ascii_lowercase();
            let mut path = p["path"].as_str().unwrap_or_default().to_string();
            if !path.starts_with('/') {
                path.insert(0, '/');
            }
            format!("Get \"{scheme}://{host}:{port}{path}\": {dial}")
        }
        "tcp" => dial,
        _ => format!(
            "timeout: failed to connect service \"{host}:{port}\" within {}s: context deadline exceeded",
            int(probe, "timeoutSeconds", 1)
        ),
    };
    (false, msg)
}

/// The running container status of `id` in a pod, with its spec.
fn current<'a>(pod: &'a Value, id: &str) -> Option<(&'a Value, &'a Value)> {
    for (list, specs) in [
        ("containerStatuses", "containers"),
        ("initContainerStatuses", "initContainers"),
    ] {
        let Some(cs) = pod["status"][list]
            .as_array()
            .and_then(|l| l.iter().find(|s| s["containerID"] == id))
        else {
            continue;
        };
        if !cs["state"]["running"].is_object() {
            return None;
        }
        let spec = pod["spec"][specs]
            .as_array()
            .and_then(|l| l.iter().find(|c| c["name"] == cs["name"]))?;
        return Some((cs, spec));
    }
    None
}

impl Kubelet {
    /// A container instance started at `at`: its probes begin after their initial delays
    /// (liveness and readiness only once a startup probe passed).
    pub(super) fn schedule_probes(
        &mut self,
        pod: &Value,
        spec: &Value,
        id: &str,
        at: DateTime<Utc>,
    ) {
        let kinds: &[ProbeKind] = if spec["startupProbe"].is_object() {
            &[ProbeKind::Startup]
        } else {
            &[ProbeKind::Liveness, ProbeKind::Readiness]
        };
        for kind in kinds {
            self.schedule_probe(pod, spec, id, *kind, at);
        }
    }

    fn schedule_probe(
        &mut self,
        pod: &Value,
        spec: &Value,
        id: &str,
        kind: ProbeKind,
        started: DateTime<Utc>,
    ) {
        let probe = &spec[kind.field()];
        if !probe.is_object() {
            return;
        }
        let when = started + secs(int(probe, "initialDelaySeconds", 0));
        let when = when.max(self.store.clock().now());
        let key = (
            pod["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            pod["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
        let name = spec["name"].as_str().unwrap_or_default().to_string();
        self.at(
            when,
            Action::Probe(key, uid_of(pod).to_string(), name, id.to_string(), kind),
        );
    }

    /// A probe is due: run it (exec probes report back on the probe channel).
    pub(super) fn fire_probe(
        &mut self,
        key: Key,
        uid: String,
        container: String,
        id: String,
        kind: ProbeKind,
    ) {
        let Some(pod) = self.store.get(&gr_pods(), &key.0, &key.1) else {
            return;
        };
        if uid_of(&pod) != uid || is_terminating(&pod) {
            return;
        }
        let Some((_, spec)) = current(&pod, &id) else {
            return;
        };
        let probe = spec[kind.field()].clone();
        let result = |ok: bool, output: String| ProbeResult {
            key: key.clone(),
            uid: uid.clone(),
            container: container.clone(),
            id: id.clone(),
            kind,
            ok,
            output,
        };
        if let Some(cmd) = probe["exec"]["command"].as_array() {
            let argv: Vec<String> = cmd
                .iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect();
            let clock = self.store.clock().clone();
            let Some(run) = self.store.runtime().probe_exec(&id, argv, clock.clone()) else {
                return;
            };
            let deadline = clock.after(Duration::from_secs(
                int(&probe, "timeoutSeconds", 1).max(1) as u64,
            ));
            let tx = self.probes.clone();
            let mut r = result(false, String::new());
            tokio::spawn(async move {
                tokio::select! {
                    (code, out) = run => {
                        r.ok = code == 0;
                        r.output = String::from_utf8_lossy(&out).into_owned();
                    }
                    _ = clock.sleep_until(deadline) => {
                        r.output = "command timed out".to_string();
                    }
                }
                let _ = tx.send(r);
            });
            return;
        }
        let (ok, output) = network_probe(&pod, spec, &probe);
        self.probe_result(result(ok, output));
    }

    /// A probe's outcome: thresholds, events, status, and the next run.
    pub(super) fn probe_result(&mut self, r: ProbeResult) {
        let Some(pod) = self.store.get(&gr_pods(), &r.key.0, &r.key.1) else {
            return;
        };
        if uid_of(&pod) != r.uid || is_terminating(&pod) {
            return;
        }
        let Some((cs, spec)) = current(&pod, &r.id) else {
            self.probe_runs.retain(|(id, _), _| id != &r.id);
            return;
        };
        let spec = spec.clone();
        let started_at = cs["state"]["running"]["startedAt"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| self.store.clock().now());
        let probe = &spec[r.kind.field()];
        let runs = self.probe_runs.entry((r.id.clone(), r.kind)).or_default();
        if r.ok {
            runs.0 += 1;
            runs.1 = 0;
        } else {
            runs.0 = 0;
            runs.1 += 1;
        }
        let (oks, fails) = *runs;
        let node = pod["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let list = if pod["spec"]["containers"]
            .as_array()
            .is_some_and(|l| l.iter().any(|c| c["name"] == r.container.as_str()))
        {
            "containers"
        } else {
            "initContainers"
        };
        let fp = format!("spec.{list}{{{}}}", r.container);
        if !r.ok {
            let rec = self.recorder(&node);
            let msg = format!("{} probe failed: {}", r.kind.title(), r.output);
            rec.container_event(&pod, &fp, EventType::Warning, "Unhealthy", &msg);
        }
        let success_at = if r.kind == ProbeKind::Readiness {
            int(probe, "successThreshold", 1).max(1) as u32
        } else {
            1
        };
        let failure_at = int(probe, "failureThreshold", 3).max(1) as u32;
        let now = self.store.clock().now();
        match r.kind {
            ProbeKind::Startup if r.ok => {
                self.probe_runs.remove(&(r.id.clone(), r.kind));
                self.set_probed(&r, "started", true);
                if spec["readinessProbe"].is_null() {
                    self.set_probed(&r, "ready", true);
                }
                self.schedule_probe(&pod, &spec, &r.id, ProbeKind::Liveness, started_at);
                self.schedule_probe(&pod, &spec, &r.id, ProbeKind::Readiness, started_at);
                // A sidecar that started lets the next init container run.
                self.advance_init(&r.key, &r.uid, now);
                return;
            }
            ProbeKind::Startup | ProbeKind::Liveness if !r.ok && fails >= failure_at => {
                let rec = self.recorder(&node);
                let msg = format!(
                    "Container {} failed {} probe, will be restarted",
                    r.container,
                    r.kind.title().to_ascii_lowercase()
                );
                rec.container_event(&pod, &fp, EventType::Normal, "Killing", &msg);
                self.probe_runs.retain(|(id, _), _| id != &r.id);
                self.store.runtime().terminate(&r.id);
                return;
            }
            ProbeKind::Readiness if r.ok && oks >= success_at => {
                self.set_probed(&r, "ready", true);
            }
            ProbeKind::Readiness if !r.ok && fails >= failure_at => {
                self.set_probed(&r, "ready", false);
            }
            _ => {}
        }
        let when = now + secs(int(probe, "periodSeconds", 10).max(1));
        self.at(when, Action::Probe(r.key, r.uid, r.container, r.id, r.kind));
    }

    /// Sets `ready` or `started` of the container instance a probe ran against, and the
    /// pod's Ready conditions.
    fn set_probed(&mut self, r: &ProbeResult, field: &str, value: bool) {
        let now = self.store.clock().rfc3339();
        let _ = self.store.modify_keep(&gr_pods(), &r.key.0, &r.key.1, |p| {
            if uid_of(p) != r.uid || is_terminating(p) {
                return Ok(false);
            }
            let mut changed = false;
            for list in ["containerStatuses", "initContainerStatuses"] {
                let Some(l) = array_mut(&mut p["status"], list) else {
                    continue;
                };
                if let Some(cs) = l.iter_mut().find(|s| s["containerID"] == r.id.as_str()) {
                    if cs[field] != value {
                        cs[field] = json!(value);
                        changed = true;
                    }
                }
            }
            if changed && p["status"]["phase"] == "Running" {
                refresh_ready(p, &now);
            }
            Ok(changed)
        });
    }
}

//! The resource Metrics API (`metrics.k8s.io/v1beta1`) as metrics-server serves it through the
//! aggregator: discovery, `nodes` (NodeMetrics) and `pods` (PodMetrics), get and list only,
//! label and field selectors, Tables.
//!
//! The usage is simulated, never measured: each running container uses a fixed share of its
//! requests plus a small amount derived from a hash of its namespace, pod and container name, so
//! the same cluster state always gives the same numbers. A node uses what its running pods use
//! plus a system baseline derived from its name. As with metrics-server, which needs two scrapes
//! (every [`RESOLUTION`]) before it can compute a rate, a container has metrics only once it has
//! been running for one resolution, and a node once it has been Ready for as long; pods that are
//! not running have none. Timestamps are the last scrape on the sandbox clock.
//!
//! Errors are metrics-server's: a missing pod is the pod lister's `pods "x" not found`, a
//! missing node the node lister's `node "x" not found`, an object without metrics
//! `podmetrics.metrics.k8s.io "ns/x" not found` / `nodemetrics.metrics.k8s.io "x" not found`;
//! field selectors take only `metadata.name` and `metadata.namespace`.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::Method;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::handlers::{negotiate, render, Output};
use super::selectors::{FieldSelector, LabelSelector};
use super::status::{json_response, ApiError};
use super::store::{GroupResource, Store};
use super::tables::IncludeObject;

/// The API group.
pub const GROUP: &str = "metrics.k8s.io";
/// Its only version.
pub const VERSION: &str = "v1beta1";
/// metrics-server's default `--metric-resolution`: the scrape period, and the window of every
/// metric.
pub const RESOLUTION: Duration = Duration::from_secs(15);

const WINDOW: &str = "15s";

fn group_version() -> String {
    format!("{GROUP}/{VERSION}")
}

fn group_entry() -> Value {
    let v = json!({"groupVersion": group_version(), "version": VERSION});
    json!({"name": GROUP, "versions": [v], "preferredVersion": v})
}

/// Appends the group to `/apis`' legacy `APIGroupList`: the APIService's group priority (100)
/// is below every built-in group's, so the aggregator lists it last.
pub fn extend_group_list(list: &mut Value) {
    if let Some(groups) = list["groups"].as_array_mut() {
        groups.push(group_entry());
    }
}

/// Appends the group to `/apis`' aggregated `APIGroupDiscoveryList`.
pub fn extend_aggregated(list: &mut Value) {
    let resource = |name: &str, kind: &str, scope: &str| {
        json!({
            "resource": name,
            "responseKind": {"group": "", "version": "", "kind": kind},
            "scope": scope,
            "singularResource": "",
            "verbs": ["get", "list"],
        })
    };
    if let Some(items) = list["items"].as_array_mut() {
        items.push(json!({
            "metadata": {"name": GROUP},
            "versions": [{
                "version": VERSION,
                "resources": [
                    resource("nodes", "NodeMetrics", "Cluster"),
                    resource("pods", "PodMetrics", "Namespaced"),
                ],
                "freshness": "Current",
            }],
        }));
    }
}

fn resource_list() -> Value {
    let r = |name: &str, namespaced: bool, kind: &str| {
        json!({"name": name, "singularName": "", "namespaced": namespaced, "kind": kind,
            "verbs": ["get", "list"]})
    };
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version(),
        "resources": [r("nodes", false, "NodeMetrics"), r("pods", true, "PodMetrics")],
    })
}

/// What a request under `/apis/metrics.k8s.io` asks for.
enum Target<'a> {
    Group,
    Resources,
    Nodes(Option<&'a str>),
    /// Namespace (None: all namespaces) and name.
    Pods(Option<&'a str>, Option<&'a str>),
}

fn parse_target<'a>(segs: &[&'a str]) -> Option<Target<'a>> {
    Some(match segs {
        [_, _] => Target::Group,
        [_, _, VERSION] => Target::Resources,
        [_, _, VERSION, "nodes"] => Target::Nodes(None),
        [_, _, VERSION, "nodes", name] => Target::Nodes(Some(name)),
        [_, _, VERSION, "pods"] => Target::Pods(None, None),
        [_, _, VERSION, "namespaces", ns, "pods"] => Target::Pods(Some(ns), None),
        [_, _, VERSION, "namespaces", ns, "pods", name] => Target::Pods(Some(ns), Some(name)),
        _ => return None,
    })
}

/// Serves a request for a path under `/apis/metrics.k8s.io`; None for every other path.
pub fn serve(
    store: &Store,
    method: &Method,
    segs: &[&str],
    query: &HashMap<String, String>,
    accept: &str,
) -> Option<Result<Response, ApiError>> {
    if !matches!(segs, ["apis", GROUP, ..]) {
        return None;
    }
    Some(serve_target(store, method, segs, query, accept))
}

fn serve_target(
    store: &Store,
    method: &Method,
    segs: &[&str],
    query: &HashMap<String, String>,
    accept: &str,
) -> Result<Response, ApiError> {
    let target = parse_target(segs).ok_or_else(ApiError::unknown_resource)?;
    // Only get and list are routed; a watch is not supported either.
    let watch = query.get("watch").is_some_and(|w| w == "true" || w == "1");
    if (method != Method::GET && method != Method::HEAD) || watch {
        return Err(ApiError::method_not_allowed());
    }
    let q = |k: &str| -> String { query.get(k).cloned().unwrap_or_default() };
    let doc = match target {
        Target::Group => {
            let mut g = group_entry();
            g["kind"] = json!("APIGroup");
            g["apiVersion"] = json!("v1");
            return Ok(json_response(200, g.to_string()));
        }
        Target::Resources => return Ok(json_response(200, resource_list().to_string())),
        Target::Nodes(name) => {
            let sim = Simulation::new(store);
            match name {
                Some(n) => Item::Node(sim.node_metrics_named(n)?),
                None => Item::NodeList(sim.node_metrics(&selectors("nodes", query)?)),
            }
        }
        Target::Pods(ns, name) => {
            let sim = Simulation::new(store);
            match name {
                Some(n) => Item::Pod(sim.pod_metrics_named(ns.unwrap_or_default(), n)?),
                None => Item::PodList(sim.pod_metrics(ns, &selectors("pods", query)?)),
            }
        }
    };
    let output = negotiate(accept)?;
    Ok(match output {
        Output::Table(v) => {
            let include = IncludeObject::parse(&q("includeObject")).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "unrecognized includeObject value: \"{}\"",
                    q("includeObject")
                ))
            })?;
            json_response(200, doc.table(v, include).to_string())
        }
        other => render(other, &doc.to_json(), 200),
    })
}

fn selectors(
    resource: &str,
    query: &HashMap<String, String>,
) -> Result<(LabelSelector, FieldSelector), ApiError> {
    let q = |k: &str| query.get(k).map(String::as_str).unwrap_or_default();
    let labels = LabelSelector::parse(q("labelSelector")).map_err(ApiError::bad_request)?;
    let fields = FieldSelector::parse(&GroupResource::new(GROUP, resource), q("fieldSelector"))
        .map_err(ApiError::bad_request)?;
    Ok((labels, fields))
}

/// One answer: an object or a list of them.
enum Item {
    Node(Value),
    NodeList(Vec<Value>),
    Pod(Value),
    PodList(Vec<Value>),
}

impl Item {
    fn to_json(&self) -> Value {
        let typed = |kind: &str, obj: &Value| {
            let mut m = Map::new();
            m.insert("kind".into(), json!(kind));
            m.insert("apiVersion".into(), json!(group_version()));
            if let Value::Object(o) = obj {
                m.extend(o.clone());
            }
            Value::Object(m)
        };
        let list = |kind: &str, items: &[Value]| json!({"kind": kind, "apiVersion": group_version(), "metadata": {}, "items": items});
        match self {
            Item::Node(o) => typed("NodeMetrics", o),
            Item::Pod(o) => typed("PodMetrics", o),
            Item::NodeList(items) => list("NodeMetricsList", items),
            Item::PodList(items) => list("PodMetricsList", items),
        }
    }

    /// metrics-server's `ConvertToTable`: Name, one column per measured resource (sorted), and
    /// Window.
    fn table(&self, version: &str, include: IncludeObject) -> Value {
        let (kind, items): (&str, Vec<&Value>) = match self {
            Item::Node(o) => ("NodeMetrics", vec![o]),
            Item::Pod(o) => ("PodMetrics", vec![o]),
            Item::NodeList(v) => ("NodeMetrics", v.iter().collect()),
            Item::PodList(v) => ("PodMetrics", v.iter().collect()),
        };
        let mut columns = Value::Null;
        let mut rows = Vec::new();
        for obj in items {
            let usage = if kind == "NodeMetrics" {
                obj["usage"].clone()
            } else {
                pod_usage(obj)
            };
            let mut names: Vec<&String> = usage
                .as_object()
                .map(|m| m.keys().collect())
                .unwrap_or_default();
            names.sort();
            if columns.is_null() {
                let mut defs = vec![json!({"name": "Name", "type": "string", "format": "name",
                    "description": "Name of the resource", "priority": 0})];
                for n in &names {
                    defs.push(json!({"name": n, "type": "string", "format": "quantity",
                        "description": "", "priority": 0}));
                }
                defs.push(
                    json!({"name": "Window", "type": "string", "format": "duration",
                    "description": "", "priority": 0}),
                );
                columns = Value::Array(defs);
            }
            let mut cells = vec![obj["metadata"]["name"].clone()];
            cells.extend(names.iter().map(|n| usage[n.as_str()].clone()));
            cells.push(obj["window"].clone());
            let mut row = json!({"cells": cells});
            match include {
                IncludeObject::None => {}
                IncludeObject::Metadata => {
                    row["object"] = json!({"kind": "PartialObjectMetadata",
                        "apiVersion": format!("meta.k8s.io/{version}"),
                        "metadata": obj["metadata"]});
                }
                IncludeObject::Object => {
                    let mut o = Map::new();
                    o.insert("kind".into(), json!(kind));
                    o.insert("apiVersion".into(), json!(group_version()));
                    if let Value::Object(m) = obj {
                        o.extend(m.clone());
                    }
                    row["object"] = Value::Object(o);
                }
            }
            rows.push(row);
        }
        json!({
            "kind": "Table",
            "apiVersion": format!("meta.k8s.io/{version}"),
            "metadata": {},
            "columnDefinitions": columns,
            "rows": if rows.is_empty() { Value::Null } else { Value::Array(rows) },
        })
    }
}

/// The sum of a PodMetrics' container usages, per resource.
fn pod_usage(pod: &Value) -> Value {
    let (mut cpu, mut mem) = (0u64, 0u64);
    for c in pod["containers"].as_array().into_iter().flatten() {
        cpu += parse_nanos(c["usage"]["cpu"].as_str().unwrap_or_default());
        mem += parse_bytes(c["usage"]["memory"].as_str().unwrap_or_default());
    }
    json!({"cpu": cpu_quantity(cpu), "memory": memory_quantity(mem)})
}

/// The nanocores of a quantity this module wrote (`123n`, `5m`, `2`).
fn parse_nanos(q: &str) -> u64 {
    kcore::quantity::parse_quantity(q).map_or(0, |v| (v * 1e9).round() as u64)
}

/// The bytes of a quantity this module wrote (`123Ki`, `4Mi`).
fn parse_bytes(q: &str) -> u64 {
    kcore::quantity::parse_quantity(q).map_or(0, |v| v.round() as u64)
}

/// A CPU usage in nanocores as metrics-server serializes it (a DecimalSI quantity in canonical
/// form: `31234567n`, `30m`, `2`).
pub fn cpu_quantity(nanos: u64) -> String {
    canonical(nanos, 1000, &["n", "u", "m", ""])
}

/// A memory usage in bytes as metrics-server serializes it (a BinarySI quantity in canonical
/// form: `1234Ki`, `4Mi`; a byte count that is no multiple of 1 Ki is written in decimal).
pub fn memory_quantity(bytes: u64) -> String {
    canonical(bytes, 1024, &["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"])
}

/// `n` in the largest of `suffixes` (each `base` times the one before) that keeps it whole.
fn canonical(n: u64, base: u64, suffixes: &[&str]) -> String {
    if n == 0 {
        return "0".into();
    }
    let (mut n, mut exp) = (n, 0);
    while n.is_multiple_of(base) && exp + 1 < suffixes.len() {
        n /= base;
        exp += 1;
    }
    format!("{n}{}", suffixes[exp])
}

/// FNV-1a: a hash that is the same in every process (unlike std's randomly keyed one).
fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The simulated usage of one container: 30% of its CPU request plus 1-5m, 40% of its memory
/// request plus 4-16 MiB (whole KiB pages, as a working set is).
pub fn container_usage(namespace: &str, pod: &str, container: &Value) -> (u64, u64) {
    let name = container["name"].as_str().unwrap_or_default();
    let h = stable_hash(&format!("{namespace}/{pod}/{name}"));
    let request = |r: &str| {
        let q = &container["resources"]["requests"][r];
        let q = if q.is_string() {
            q
        } else {
            &container["resources"]["limits"][r]
        };
        q.as_str()
            .and_then(kcore::quantity::parse_quantity)
            .unwrap_or(0.0)
            .max(0.0)
    };
    let cpu = (request("cpu") * 1e9 * 0.3) as u64 + 1_000_000 + h % 4_000_000;
    let mem_extra = 4 * 1024 * 1024 + ((h >> 32) % (12 * 256)) * 4096;
    let mem = ((request("memory") * 0.4) as u64 / 4096) * 4096 + mem_extra;
    (cpu, mem)
}

/// What a node's system (kubelet, runtime, daemons outside pods) uses: 80-120m, 600-700 MiB.
fn node_baseline(node: &str) -> (u64, u64) {
    let h = stable_hash(node);
    (
        80_000_000 + h % 40_000_000,
        600 * 1024 * 1024 + ((h >> 32) % 25_600) * 4096,
    )
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The metrics of one point in cluster time.
struct Simulation {
    now: DateTime<Utc>,
    /// The last scrape (the metrics' timestamp).
    scraped: DateTime<Utc>,
    nodes: Vec<Value>,
    pods: Vec<Value>,
}

fn gr(resource: &str) -> GroupResource {
    GroupResource::new("", resource)
}

impl Simulation {
    fn new(store: &Store) -> Simulation {
        let now = store.clock().now();
        let period = RESOLUTION.as_secs() as i64;
        let secs = now.timestamp();
        let scraped = DateTime::from_timestamp(secs - secs.rem_euclid(period), 0).unwrap_or(now);
        Simulation {
            now,
            scraped,
            nodes: store.list(&gr("nodes"), None).0,
            pods: store.list(&gr("pods"), None).0,
        }
    }

    /// Whether something that started at `since` has been up for one scrape period.
    fn warmed_up(&self, since: Option<&str>) -> bool {
        since.and_then(parse_time).is_some_and(|t| {
            self.now - t >= chrono::Duration::from_std(RESOLUTION).unwrap_or_default()
        })
    }

    /// The running containers of a running pod (spec and status).
    fn running_containers(pod: &Value) -> Vec<(&Value, Option<&str>)> {
        if pod["status"]["phase"] != "Running" {
            return Vec::new();
        }
        let statuses = pod["status"]["containerStatuses"].as_array();
        pod["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let status = statuses
                    .into_iter()
                    .flatten()
                    .find(|s| s["name"] == c["name"])?;
                let started = status["state"]["running"]["startedAt"].as_str();
                status["state"]["running"]
                    .is_object()
                    .then_some((c, started))
            })
            .collect()
    }

    fn meta(&self, obj: &Value, namespaced: bool) -> Value {
        let m = &obj["metadata"];
        let mut meta = json!({"name": m["name"]});
        if namespaced {
            meta["namespace"] = m["namespace"].clone();
        }
        meta["creationTimestamp"] = json!(rfc3339(self.now));
        if m["labels"].as_object().is_some_and(|l| !l.is_empty()) {
            meta["labels"] = m["labels"].clone();
        }
        meta
    }

    /// The PodMetrics of a pod, if it has metrics yet.
    fn pod_entry(&self, pod: &Value) -> Option<Value> {
        let running = Self::running_containers(pod);
        if running.is_empty() || !running.iter().all(|(_, s)| self.warmed_up(*s)) {
            return None;
        }
        let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let containers: Vec<Value> = running
            .iter()
            .map(|(c, _)| {
                let (cpu, mem) = container_usage(ns, name, c);
                json!({"name": c["name"], "usage": {"cpu": cpu_quantity(cpu), "memory": memory_quantity(mem)}})
            })
            .collect();
        Some(json!({
            "metadata": self.meta(pod, true),
            "timestamp": rfc3339(self.scraped),
            "window": WINDOW,
            "containers": containers,
        }))
    }

    /// The NodeMetrics of a node, if it has metrics yet.
    fn node_entry(&self, node: &Value) -> Option<Value> {
        let ready = node["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == "Ready")?;
        if ready["status"] != "True" || !self.warmed_up(ready["lastTransitionTime"].as_str()) {
            return None;
        }
        let name = node["metadata"]["name"].as_str().unwrap_or_default();
        let (mut cpu, mut mem) = node_baseline(name);
        for pod in self.pods.iter().filter(|p| p["spec"]["nodeName"] == name) {
            let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
            let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
            for (c, _) in Self::running_containers(pod) {
                let (c_cpu, c_mem) = container_usage(ns, pod_name, c);
                cpu += c_cpu;
                mem += c_mem;
            }
        }
        Some(json!({
            "metadata": self.meta(node, false),
            "timestamp": rfc3339(self.scraped),
            "window": WINDOW,
            "usage": {"cpu": cpu_quantity(cpu), "memory": memory_quantity(mem)},
        }))
    }

    fn node_metrics(&self, (labels, fields): &(LabelSelector, FieldSelector)) -> Vec<Value> {
        let mut out: Vec<Value> = self
            .nodes
            .iter()
            .filter(|n| labels.matches(&n["metadata"]["labels"]) && fields.matches(n))
            .filter_map(|n| self.node_entry(n))
            .collect();
        out.sort_by(|a, b| {
            a["metadata"]["name"]
                .as_str()
                .cmp(&b["metadata"]["name"].as_str())
        });
        out
    }

    fn node_metrics_named(&self, name: &str) -> Result<Value, ApiError> {
        let node = self
            .nodes
            .iter()
            .find(|n| n["metadata"]["name"] == name)
            .ok_or_else(|| ApiError::not_found(&gr("node"), name))?;
        self.node_entry(node)
            .ok_or_else(|| ApiError::not_found(&GroupResource::new(GROUP, "nodemetrics"), name))
    }

    fn pod_metrics(
        &self,
        namespace: Option<&str>,
        (labels, fields): &(LabelSelector, FieldSelector),
    ) -> Vec<Value> {
        let mut out: Vec<Value> = self
            .pods
            .iter()
            .filter(|p| namespace.is_none_or(|ns| p["metadata"]["namespace"] == ns))
            .filter(|p| labels.matches(&p["metadata"]["labels"]) && fields.matches(p))
            .filter_map(|p| self.pod_entry(p))
            .collect();
        let key = |v: &Value| {
            (
                v["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                v["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        };
        out.sort_by_key(key);
        out
    }

    fn pod_metrics_named(&self, namespace: &str, name: &str) -> Result<Value, ApiError> {
        let pod = self
            .pods
            .iter()
            .find(|p| p["metadata"]["namespace"] == namespace && p["metadata"]["name"] == name)
            .ok_or_else(|| ApiError::not_found(&gr("pods"), name))?;
        self.pod_entry(pod).ok_or_else(|| {
            ApiError::not_found(
                &GroupResource::new(GROUP, "podmetrics"),
                &format!("{namespace}/{name}"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_canonical() {
        let cpu = [
            (0, "0"),
            (31_234_567, "31234567n"),
            (30_000_000, "30m"),
            (2_000_000_000, "2"),
            (1_000, "1u"),
        ];
        for (nanos, text) in cpu {
            assert_eq!(cpu_quantity(nanos), text);
        }
        let memory = [(4 * 1024 * 1024, "4Mi"), (4096 * 3, "12Ki"), (1500, "1500")];
        for (bytes, text) in memory {
            assert_eq!(memory_quantity(bytes), text);
        }
    }

    #[test]
    fn usage_follows_requests_and_is_stable() {
        let c =
            json!({"name": "app", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}});
        let (cpu, mem) = container_usage("default", "web", &c);
        assert_eq!((cpu, mem), container_usage("default", "web", &c));
        assert!((31_000_000..35_000_000).contains(&cpu), "{cpu}");
        let base = (64 * 1024 * 1024) * 2 / 5 / 4096 * 4096;
        assert!(mem >= base + 4 * 1024 * 1024 && mem < base + 16 * 1024 * 1024 + 4096);
        assert_eq!(mem % 4096, 0);
        // Another container (or pod) gets other small amounts.
        assert_ne!(container_usage("default", "web2", &c), (cpu, mem));
        // Without requests: only the small amounts; limits stand in for missing requests.
        let (cpu, _) = container_usage("default", "web", &json!({"name": "app"}));
        assert!((1_000_000..5_000_000).contains(&cpu));
        let lim = json!({"name": "app", "resources": {"limits": {"cpu": "1"}}});
        assert!(container_usage("default", "web", &lim).0 >= 300_000_000);
    }
}

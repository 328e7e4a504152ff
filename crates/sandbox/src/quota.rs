//! ResourceQuota as kube-apiserver and kube-controller-manager keep it: what each object counts
//! against a quota (the quota evaluators: pods and their compute resources, services, claims,
//! `count/<resource>.<group>` of anything), the admission check on create (`must specify …`,
//! `exceeded quota: …`, both 403), and the usage the quota controller writes into `status`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use crate::status::{ApiError, StatusDetails};
use crate::store::{GroupResource, Store};
use crate::validation::{parse_quantity, quantity_string, Quantity, QuantityFormat};

/// Usage or limits by resource name (`pods`, `requests.cpu`, `count/deployments.apps`).
pub(crate) type Usage = BTreeMap<String, Quantity>;

const NANO: i128 = 1_000_000_000;

fn quotas_gr() -> GroupResource {
    GroupResource::new("", "resourcequotas")
}

fn count(n: i128) -> Quantity {
    Quantity {
        nanos: n * NANO,
        format: QuantityFormat::DecimalSI,
    }
}

/// Adds `b` into `a`; a sum keeps the format of its first term, as `Quantity.Add` does.
fn add(a: &mut Usage, b: &Usage) {
    for (k, v) in b {
        a.entry(k.clone())
            .and_modify(|q| q.nanos += v.nanos)
            .or_insert(*v);
    }
}

/// The resource map at `v` (`requests`, `limits`, `hard`), unparsable values left out.
fn resources(v: &Value) -> Usage {
    v.as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, q)| Some((k.clone(), parse_quantity(q)?)))
        .collect()
}

/// The resource names whose usage comes from objects of `gr` (None: from no kind).
fn source(key: &str) -> Option<GroupResource> {
    let core = |r: &str| Some(GroupResource::new("", r));
    if let Some(counted) = key.strip_prefix("count/") {
        return match counted.split_once('.') {
            Some((r, g)) => Some(GroupResource::new(g, r)),
            None => core(counted),
        };
    }
    match key {
        "requests.storage" | "persistentvolumeclaims" => core("persistentvolumeclaims"),
        k if k.contains(".storageclass.storage.k8s.io/") => core("persistentvolumeclaims"),
        "services" | "services.loadbalancers" | "services.nodeports" => core("services"),
        "configmaps" | "secrets" | "replicationcontrollers" | "resourcequotas" => core(key),
        "pods" | "cpu" | "memory" | "ephemeral-storage" => core("pods"),
        k if k.starts_with("requests.") || k.starts_with("limits.") => core("pods"),
        k if k.starts_with("hugepages-") => core("pods"),
        _ => None,
    }
}

/// A pod's requests or limits (`what`): its containers' (and restartable init containers')
/// sum, at least each other init container's, plus the pod overhead.
fn pod_resources(pod: &Value, what: &str) -> Usage {
    let spec = &pod["spec"];
    let mut sum = Usage::new();
    let of = |c: &Value| resources(&c["resources"][what]);
    for c in spec["containers"].as_array().into_iter().flatten() {
        add(&mut sum, &of(c));
    }
    let mut sidecars = Usage::new();
    let mut init_max = Usage::new();
    for c in spec["initContainers"].as_array().into_iter().flatten() {
        if c["restartPolicy"] == "Always" {
            add(&mut sidecars, &of(c));
            add(&mut sum, &of(c));
            continue;
        }
        let mut need = of(c);
        add(&mut need, &sidecars);
        for (k, v) in need {
            let m = init_max.entry(k).or_insert(v);
            if v.nanos > m.nanos {
                *m = v;
            }
        }
    }
    for (k, v) in init_max {
        let s = sum.entry(k).or_insert(v);
        if v.nanos > s.nanos {
            *s = v;
        }
    }
    add(&mut sum, &resources(&spec["overhead"]));
    sum
}

/// `requests.X` (and the bare `cpu`, `memory`, `ephemeral-storage`) and `limits.X` of the
/// given requests and limits.
fn compute_usage(requests: &Usage, limits: &Usage) -> Usage {
    let mut out = Usage::new();
    for (k, v) in requests {
        if ["cpu", "memory", "ephemeral-storage"].contains(&k.as_str()) {
            out.insert(k.clone(), *v);
        }
        out.insert(format!("requests.{k}"), *v);
    }
    for (k, v) in limits {
        out.insert(format!("limits.{k}"), *v);
    }
    out
}

fn terminal(pod: &Value) -> bool {
    matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed")
    )
}

/// What one object of `gr` counts against a quota.
pub(crate) fn usage(gr: &GroupResource, obj: &Value) -> Usage {
    let mut out = Usage::new();
    let counted = if gr.group.is_empty() {
        format!("count/{}", gr.resource)
    } else {
        format!("count/{}.{}", gr.resource, gr.group)
    };
    if !gr.group.is_empty() {
        out.insert(counted, count(1));
        return out;
    }
    match gr.resource.as_str() {
        "pods" if terminal(obj) => return out,
        "pods" => {
            let requests = pod_resources(obj, "requests");
            let limits = pod_resources(obj, "limits");
            out = compute_usage(&requests, &limits);
        }
        "services" => {
            let ty = obj["spec"]["type"].as_str().unwrap_or("ClusterIP");
            let ports = obj["spec"]["ports"].as_array().map_or(0, Vec::len) as i128;
            let node_ports = match ty {
                "NodePort" => ports,
                "LoadBalancer" if obj["spec"]["allocateLoadBalancerNodePorts"] != false => ports,
                _ => 0,
            };
            out.insert("services.nodeports".into(), count(node_ports));
            out.insert(
                "services.loadbalancers".into(),
                count(i128::from(ty == "LoadBalancer")),
            );
        }
        "persistentvolumeclaims" => {
            let storage = parse_quantity(&obj["spec"]["resources"]["requests"]["storage"]);
            let class = obj["spec"]["storageClassName"].as_str().unwrap_or_default();
            if let Some(q) = storage {
                out.insert("requests.storage".into(), q);
            }
            if !class.is_empty() {
                let prefix = format!("{class}.storageclass.storage.k8s.io/");
                out.insert(format!("{prefix}persistentvolumeclaims"), count(1));
                if let Some(q) = storage {
                    out.insert(format!("{prefix}requests.storage"), q);
                }
            }
        }
        _ => {}
    }
    let legacy = [
        "pods",
        "services",
        "persistentvolumeclaims",
        "configmaps",
        "secrets",
        "replicationcontrollers",
        "resourcequotas",
    ];
    if legacy.contains(&gr.resource.as_str()) {
        out.insert(gr.resource.clone(), count(1));
    }
    out.insert(counted, count(1));
    out
}

/// A pod's containers, then its init containers.
fn all_containers(pod: &Value) -> impl Iterator<Item = &Value> {
    let spec = &pod["spec"];
    spec["containers"]
        .as_array()
        .into_iter()
        .chain(spec["initContainers"].as_array())
        .flatten()
}

fn best_effort(pod: &Value) -> bool {
    all_containers(pod).all(|c| {
        let r = &c["resources"];
        resources(&r["requests"]).is_empty() && resources(&r["limits"]).is_empty()
    })
}

/// Whether `quota`'s scopes select the object (scoped quotas count pods only).
fn in_scope(quota: &Value, gr: &GroupResource, obj: &Value) -> bool {
    let scopes = quota["spec"]["scopes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if scopes.is_empty() {
        return true;
    }
    if !(gr.group.is_empty() && gr.resource == "pods") {
        return false;
    }
    let deadline = obj["spec"]["activeDeadlineSeconds"].as_i64().is_some();
    scopes.iter().all(|s| match s.as_str() {
        Some("Terminating") => deadline,
        Some("NotTerminating") => !deadline,
        Some("BestEffort") => best_effort(obj),
        Some("NotBestEffort") => !best_effort(obj),
        _ => true,
    })
}

/// The limits a quota enforces: `status.hard` once the controller has seen it, else its spec.
fn hard(quota: &Value) -> Usage {
    match quota["status"]["hard"].as_object() {
        Some(_) => resources(&quota["status"]["hard"]),
        None => resources(&quota["spec"]["hard"]),
    }
}

/// `k=v,k=v` in name order, as the admission messages print usage.
fn pretty(u: &Usage) -> String {
    let parts: Vec<String> = u
        .iter()
        .map(|(k, v)| format!("{k}={}", quantity_string(*v)))
        .collect();
    parts.join(",")
}

fn forbidden(gr: &GroupResource, name: &str, why: String) -> ApiError {
    ApiError {
        code: 403,
        reason: "Forbidden",
        message: format!("{gr} \"{name}\" is forbidden: {why}"),
        details: Some(Box::new(StatusDetails {
            name: name.to_string(),
            group: gr.group.clone(),
            kind: gr.resource.clone(),
            ..Default::default()
        })),
    }
}

/// The pod evaluator's constraint: a quota on cpu or memory needs every container to say
/// how much it requests (and limits) of it: `must specify limits.cpu for: a,b; …`.
fn missing_resources(pod: &Value, limited: &Usage) -> Option<String> {
    const CHECKED: [&str; 6] = [
        "cpu",
        "memory",
        "requests.cpu",
        "requests.memory",
        "limits.cpu",
        "limits.memory",
    ];
    let required: Vec<&str> = CHECKED
        .into_iter()
        .filter(|r| limited.contains_key(*r))
        .collect();
    let mut missing: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for c in all_containers(pod) {
        let r = &c["resources"];
        let has = compute_usage(&resources(&r["requests"]), &resources(&r["limits"]));
        for res in required.iter().filter(|r| !has.contains_key(**r)) {
            missing
                .entry(res)
                .or_default()
                .insert(c["name"].as_str().unwrap_or_default());
        }
    }
    if missing.is_empty() {
        return None;
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(res, names)| {
            let names: Vec<&str> = names.iter().copied().collect();
            format!("{res} for: {}", names.join(","))
        })
        .collect();
    Some(format!("must specify {}", parts.join("; ")))
}

/// What the objects of `gr` in `ns` use now of `keys`.
fn used_by(store: &Store, gr: &GroupResource, ns: &str, keys: &BTreeSet<&String>) -> Usage {
    let mut used = Usage::new();
    for obj in store.list_shared(gr, Some(ns)).0 {
        let mut u = usage(gr, &obj);
        u.retain(|k, _| keys.contains(k));
        add(&mut used, &u);
    }
    used
}

/// Quota admission for a new object of `gr` (`obj` as it will be stored): refuses it when a
/// quota of its namespace is exceeded or a pod leaves a tracked compute resource unspecified;
/// otherwise (unless `dry`) charges it to the quotas' `status.used` at once, as the real
/// admission does before the controller recounts.
pub fn admit(store: &Store, gr: &GroupResource, obj: &Value, dry: bool) -> Result<(), ApiError> {
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or_default();
    if ns.is_empty() {
        return Ok(());
    }
    let mut quotas = store.list(&quotas_gr(), Some(ns)).0;
    if quotas.is_empty() {
        return Ok(());
    }
    quotas.sort_by(|a, b| {
        a["metadata"]["name"]
            .as_str()
            .cmp(&b["metadata"]["name"].as_str())
    });
    quotas.retain(|q| in_scope(q, gr, obj));
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    if gr.group.is_empty() && gr.resource == "pods" {
        for q in &quotas {
            if let Some(why) = missing_resources(obj, &hard(q)) {
                let qname = q["metadata"]["name"].as_str().unwrap_or_default();
                return Err(forbidden(gr, name, format!("failed quota: {qname}: {why}")));
            }
        }
    }
    let delta = usage(gr, obj);
    let mut charges = Vec::new();
    for q in &quotas {
        let hard = hard(q);
        let requested: Usage = delta
            .iter()
            .filter(|(k, _)| hard.contains_key(*k))
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        if requested.is_empty() {
            continue;
        }
        let keys: BTreeSet<&String> = requested.keys().collect();
        let mut used = used_by(store, gr, ns, &keys);
        for k in &keys {
            used.entry((*k).clone()).or_insert(count(0));
        }
        let mut next = used.clone();
        add(&mut next, &requested);
        let exceeded: Vec<&String> = keys
            .iter()
            .copied()
            .filter(|k| next[*k].nanos > hard[*k].nanos)
            .collect();
        let qname = q["metadata"]["name"].as_str().unwrap_or_default();
        if !exceeded.is_empty() {
            let only = |u: &Usage| -> Usage {
                u.iter()
                    .filter(|(k, _)| exceeded.contains(k))
                    .map(|(k, v)| (k.clone(), *v))
                    .collect()
            };
            let why = format!(
                "exceeded quota: {qname}, requested: {}, used: {}, limited: {}",
                pretty(&only(&requested)),
                pretty(&only(&used)),
                pretty(&only(&hard))
            );
            return Err(forbidden(gr, name, why));
        }
        charges.push((qname.to_string(), next));
    }
    if !dry {
        for (qname, next) in charges {
            let _ = store.modify_retry(&quotas_gr(), ns, &qname, |q| {
                let used = q["status"]["used"].as_object().cloned().unwrap_or_default();
                let mut used = used;
                for (k, v) in &next {
                    used.insert(k.clone(), json!(quantity_string(*v)));
                }
                q["status"]["used"] = Value::Object(used);
                Ok(true)
            });
        }
    }
    Ok(())
}

const STANDARD: [&str; 19] = [
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.storage",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "persistentvolumeclaims",
    "configmaps",
    "services.nodeports",
    "services.loadbalancers",
];

/// The registry's checks of `spec.scopes`: known scopes, each valid for every standard
/// resource the quota limits, no contradicting pair. Each message once, as the aggregate
/// error drops repeats.
pub(crate) fn validate(obj: &Value, out: &mut Vec<crate::validation::Cause>) {
    use crate::validation::invalid;
    let spec = &obj["spec"];
    let Some(scopes) = spec["scopes"].as_array().filter(|s| !s.is_empty()) else {
        return;
    };
    let all = &spec["scopes"];
    let pod_count_or_compute = |r: &str| {
        [
            "pods",
            "cpu",
            "memory",
            "limits.cpu",
            "limits.memory",
            "requests.cpu",
            "requests.memory",
        ]
        .contains(&r)
    };
    let limited: Vec<&String> = spec["hard"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
        .collect();
    let names: Vec<&str> = scopes.iter().filter_map(Value::as_str).collect();
    let mut push = |c| {
        if !out.contains(&c) {
            out.push(c);
        }
    };
    for scope in scopes {
        let scope = scope.as_str().unwrap_or_default();
        let known = [
            "Terminating",
            "NotTerminating",
            "BestEffort",
            "NotBestEffort",
            "PriorityClass",
            "CrossNamespacePodAffinity",
            "VolumeAttributesClass",
        ];
        if !known.contains(&scope) {
            push(invalid("spec.scopes", all, "unsupported scope"));
        }
        for r in &limited {
            let standard = STANDARD.contains(&r.as_str()) || r.starts_with("hugepages-");
            let valid = match scope {
                "BestEffort" => r.as_str() == "pods",
                "VolumeAttributesClass" => {
                    ["persistentvolumeclaims", "requests.storage"].contains(&r.as_str())
                }
                s if known.contains(&s) => pod_count_or_compute(r),
                _ => true,
            };
            if standard && !valid {
                push(invalid(
                    "spec.scopes",
                    all,
                    "unsupported scope applied to resource",
                ));
            }
        }
    }
    for pair in [
        ["BestEffort", "NotBestEffort"],
        ["Terminating", "NotTerminating"],
    ] {
        if pair.iter().all(|p| names.contains(p)) {
            push(invalid("spec.scopes", all, "conflicting scopes"));
        }
    }
}

/// The status the quota controller writes: `hard` from the spec, `used` counted for each of
/// its resources (`0` when nothing uses it).
pub(crate) fn status(store: &Store, quota: &Value, cache: &mut ListCache) -> Value {
    let ns = quota["metadata"]["namespace"].as_str().unwrap_or_default();
    let hard = resources(&quota["spec"]["hard"]);
    let mut by_source: BTreeMap<GroupResource, BTreeSet<&String>> = BTreeMap::new();
    for k in hard.keys() {
        if let Some(gr) = source(k) {
            by_source.entry(gr).or_default().insert(k);
        }
    }
    let mut used = Usage::new();
    for (gr, keys) in &by_source {
        for obj in cache.list(store, gr, ns) {
            if !in_scope(quota, gr, obj) {
                continue;
            }
            let mut u = usage(gr, obj);
            u.retain(|k, _| keys.contains(k));
            add(&mut used, &u);
        }
    }
    let show = |u: &Usage, k: &String| json!(u.get(k).map_or("0".into(), |q| quantity_string(*q)));
    let hard_out: Map<String, Value> = hard.keys().map(|k| (k.clone(), show(&hard, k))).collect();
    let used_out: Map<String, Value> = hard.keys().map(|k| (k.clone(), show(&used, k))).collect();
    json!({"hard": hard_out, "used": used_out})
}

/// The objects of one kind in one namespace, listed once per controller pass.
#[derive(Default)]
pub(crate) struct ListCache(HashMap<(GroupResource, String), Vec<std::sync::Arc<Value>>>);

impl ListCache {
    fn list(&mut self, store: &Store, gr: &GroupResource, ns: &str) -> &[std::sync::Arc<Value>] {
        self.0
            .entry((gr.clone(), ns.to_string()))
            .or_insert_with(|| store.list_shared(gr, Some(ns)).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        parse_quantity(&json!(s)).unwrap()
    }

    fn show(u: &Usage) -> String {
        pretty(u)
    }

    #[test]
    fn pods_count_their_containers_sum_at_least_each_init_container() {
        let pod = json!({"spec": {
            "initContainers": [{"name": "init", "resources": {"requests": {"cpu": "300m", "memory": "100Mi"}}}],
            "containers": [
                {"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}},
                {"name": "b", "resources": {"requests": {"cpu": "0.1", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}}]}});
        let u = usage(&GroupResource::new("", "pods"), &pod);
        assert_eq!(
            show(&u),
            "count/pods=1,cpu=300m,limits.memory=256Mi,memory=128Mi,pods=1,requests.cpu=300m,requests.memory=128Mi"
        );
        let mut sum = u.clone();
        add(
            &mut sum,
            &Usage::from([("requests.memory".to_string(), q("1M"))]),
        );
        assert_eq!(quantity_string(sum["requests.memory"]), "135217728");
        let done = json!({"status": {"phase": "Succeeded"}});
        assert!(usage(&GroupResource::new("", "pods"), &done).is_empty());
    }

    #[test]
    fn other_kinds_count_once_and_services_their_node_ports() {
        let d = usage(&GroupResource::new("apps", "deployments"), &json!({}));
        assert_eq!(show(&d), "count/deployments.apps=1");
        let svc = json!({"spec": {"type": "NodePort", "ports": [{}, {}]}});
        assert_eq!(
            show(&usage(&GroupResource::new("", "services"), &svc)),
            "count/services=1,services=1,services.loadbalancers=0,services.nodeports=2"
        );
        assert_eq!(
            source("count/deployments.apps"),
            Some(GroupResource::new("apps", "deployments"))
        );
        assert_eq!(
            source("requests.storage"),
            Some(GroupResource::new("", "persistentvolumeclaims"))
        );
        assert_eq!(source("limits.cpu"), Some(GroupResource::new("", "pods")));
        assert_eq!(source("bogus"), None);
    }

    #[test]
    fn missing_requests_name_each_resource_and_its_containers() {
        let pod = json!({"spec": {"containers": [
            {"name": "a"},
            {"name": "b", "resources": {"requests": {"cpu": "100m"}}}]}});
        let limited = resources(
            &json!({"cpu": "3", "requests.cpu": "1", "requests.memory": "1Gi",
            "limits.memory": "2Gi", "pods": "5"}),
        );
        assert_eq!(
            missing_resources(&pod, &limited).unwrap(),
            "must specify cpu for: a; limits.memory for: a,b; requests.cpu for: a; requests.memory for: a,b"
        );
        assert_eq!(
            missing_resources(&pod, &resources(&json!({"pods": "1"}))),
            None
        );
    }
}

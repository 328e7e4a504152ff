//! `describe node` (kubectl's `describeNode`, `describeNodeResource`, `describeNodeLease`,
//! `describeNodeResourceSlices`) and the pod request/limit sums it shows.

use std::collections::BTreeMap;

use serde_json::Value;

use super::events::describe_events;
use super::quantity::Quantity;
use super::text::{
    arr, format_time, get, join_or_none, print_conditions, print_creation_timestamp,
    print_labels_annotations, print_taints, s, since, string_map, value_string,
    LAST_TRANSITION_TIME,
};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::{DescribeOptions, Related};

/// Renders a Node. Uses `pods` (non-terminated pods on the node; an error there prints
/// `Pods: not authorized`), `events` + `events-by-name`, `lease` and `resourceslices`.
pub fn describe_node(node: &Value, related: &Related, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    let w = &mut w;
    let name = s(node, "metadata.name");
    w.write(LEVEL_0, &format!("Name:\t{name}\n"));
    let roles = node_roles(node);
    let roles = join_or_none(&roles, ",");
    w.write(LEVEL_0, &format!("Roles:\t{roles}\n"));
    print_labels_annotations(w, node);
    print_creation_timestamp(w, node, opts);
    print_taints(w, "Taints", arr(node, "spec.taints"));
    w.field(
        LEVEL_0,
        "Unschedulable",
        super::text::b(node, "spec.unschedulable"),
    );
    match (related.items("lease").first(), related.error("lease")) {
        (Some(lease), _) => describe_lease(lease, w, opts),
        (None, Some(err)) => w.write(LEVEL_0, &format!("Lease:\tFailed to get lease: {err}\n")),
        (None, None) => w.write(
            LEVEL_0,
            &format!(
                "Lease:\tFailed to get lease: leases.coordination.k8s.io \"{name}\" not found\n"
            ),
        ),
    }
    print_conditions(
        w,
        arr(node, "status.conditions"),
        &[
            (
                "LastHeartbeatTime",
                "-----------------",
                "lastHeartbeatTime",
            ),
            LAST_TRANSITION_TIME,
        ],
        " \t",
        opts,
    );
    w.write(LEVEL_0, "Addresses:\n");
    for a in arr(node, "status.addresses") {
        w.write(
            LEVEL_1,
            &format!("{}:\t{}\n", s(a, "type"), s(a, "address")),
        );
    }
    for (field, title) in [
        ("status.capacity", "Capacity"),
        ("status.allocatable", "Allocatable"),
    ] {
        let list = string_map(node, field);
        if !list.is_empty() {
            w.write(LEVEL_0, &format!("{title}:\n"));
            for (res, qty) in list {
                w.write(LEVEL_0, &format!("  {res}:\t{qty}\n"));
            }
        }
    }
    describe_resource_slices(related.items("resourceslices"), w);
    w.write(LEVEL_0, "System Info:\n");
    for (title, field) in [
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
    ] {
        w.write(
            LEVEL_0,
            &format!(
                "  {title}:\t{}\n",
                s(node, &format!("status.nodeInfo.{field}"))
            ),
        );
    }
    w.field_if_set(LEVEL_0, "PodCIDR", s(node, "spec.podCIDR"));
    let cidrs: Vec<String> = arr(node, "spec.podCIDRs")
        .iter()
        .map(value_string)
        .collect();
    if !cidrs.is_empty() {
        w.field(LEVEL_0, "PodCIDRs", cidrs.join(","));
    }
    w.field_if_set(LEVEL_0, "ProviderID", s(node, "spec.providerID"));
    if related.error("pods").is_some() {
        w.write(LEVEL_0, "Pods:\tnot authorized\n");
    } else {
        describe_node_resource(related.items("pods"), node, w, opts);
    }
    if opts.show_events {
        let mut events = related.items("events").to_vec();
        events.extend_from_slice(related.items("events-by-name"));
        describe_events(&events, w, opts);
    }
    std::mem::take(w).finish()
}

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role`, sorted.
fn node_roles(node: &Value) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in string_map(node, "metadata.labels") {
        let role = if let Some(r) = k.strip_prefix("node-role.kubernetes.io/") {
            r.to_string()
        } else if k == "kubernetes.io/role" {
            v
        } else {
            continue;
        };
        if !role.is_empty() && !roles.contains(&role) {
            roles.push(role);
        }
    }
    roles.sort();
    roles
}

fn describe_lease(lease: &Value, w: &mut PrefixWriter, opts: &DescribeOptions) {
    w.write(LEVEL_0, "Lease:\n");
    let holder = get(lease, "spec.holderIdentity")
        .map(value_string)
        .unwrap_or("<unset>".into());
    w.write(LEVEL_1, &format!("HolderIdentity:\t{holder}\n"));
    for (field, title) in [
        ("spec.acquireTime", "AcquireTime"),
        ("spec.renewTime", "RenewTime"),
    ] {
        let t = match get(lease, field) {
            Some(_) => format_time(s(lease, field), opts),
            None => "<unset>".to_string(),
        };
        w.write(LEVEL_1, &format!("{title}:\t{t}\n"));
    }
}

fn describe_resource_slices(slices: &[Value], w: &mut PrefixWriter) {
    // driver/pool → (slices, devices)
    let mut pools: BTreeMap<String, (String, String, usize, usize)> = BTreeMap::new();
    for sl in slices {
        let (driver, pool) = (s(sl, "spec.driver"), s(sl, "spec.pool.name"));
        let e = pools
            .entry(format!("{driver}/{pool}"))
            .or_insert_with(|| (driver.to_string(), pool.to_string(), 0, 0));
        e.2 += 1;
        e.3 += arr(sl, "spec.devices").len();
    }
    if pools.is_empty() {
        return;
    }
    w.write(LEVEL_0, "Node-Local ResourceSlices:\n");
    w.write(LEVEL_1, "Driver\tPool\tSlices\tDevices\n");
    w.write(LEVEL_1, "------\t----\t------\t-------\n");
    const MAX_POOLS: usize = 10;
    for (n, (driver, pool, count, devices)) in pools.values().enumerate() {
        if n >= MAX_POOLS {
            w.write(
                LEVEL_1,
                &format!("...and {} more pools\n", pools.len() - MAX_POOLS),
            );
            break;
        }
        w.write(LEVEL_1, &format!("{driver}\t{pool}\t{count}\t{devices}\n"));
    }
}

type ResourceList = BTreeMap<String, Quantity>;

fn parse_list(v: Option<&Value>) -> ResourceList {
    v.map(|v| string_map(v, ""))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, q)| Quantity::parse(&q).map(|q| (k, q)))
        .collect()
}

fn add_list(into: &mut ResourceList, from: &ResourceList) {
    for (k, q) in from {
        into.entry(k.clone()).or_default().add(q);
    }
}

fn max_list(into: &mut ResourceList, from: &ResourceList) {
    for (k, q) in from {
        let e = into.entry(k.clone()).or_insert(*q);
        *e = e.max(*q);
    }
}

/// component-helpers' `PodRequests`/`PodLimits`: containers summed (with status resources
/// when asked: the larger of spec and status, or the status alone when a resize is
/// infeasible), init containers as a maximum (sidecars accumulate), pod-level cpu/memory
/// winning, overhead added (to limits only where a non-zero limit is set).
fn pod_totals(pod: &Value, field: &str, use_status: bool) -> ResourceList {
    let statuses = arr(pod, "status.containerStatuses");
    let infeasible = s(pod, "status.resize") == "Infeasible";
    let container_list = |c: &Value| -> ResourceList {
        let spec = parse_list(get(c, &format!("resources.{field}")));
        if !use_status {
            return spec;
        }
        let status = statuses.iter().find(|st| s(st, "name") == s(c, "name"));
        // Limits only look at statuses that report resources at all.
        let reported = match status {
            Some(st) if field == "requests" || get(st, "resources").is_some() => {
                parse_list(get(st, &format!("resources.{field}")))
            }
            _ => return spec,
        };
        if infeasible {
            return reported;
        }
        // Go's max(a, b): b wins ties.
        let mut out = spec;
        for (k, q) in reported {
            match out.get(&k) {
                Some(cur) if cur.cmp_value(&q) == std::cmp::Ordering::Greater => {}
                _ => {
                    out.insert(k, q);
                }
            }
        }
        out
    };
    let mut total = ResourceList::new();
    for c in arr(pod, "spec.containers") {
        add_list(&mut total, &container_list(c));
    }
    let mut sidecars = ResourceList::new();
    let mut init_max = ResourceList::new();
    for c in arr(pod, "spec.initContainers") {
        let own = parse_list(get(c, &format!("resources.{field}")));
        let effective = if s(c, "restartPolicy") == "Always" {
            add_list(&mut total, &own);
            add_list(&mut sidecars, &own);
            sidecars.clone()
        } else {
            let mut tmp = own;
            add_list(&mut tmp, &sidecars);
            tmp
        };
        max_list(&mut init_max, &effective);
    }
    max_list(&mut total, &init_max);
    let supported = |k: &str| k == "cpu" || k == "memory";
    let pod_level = |f: &str| parse_list(get(pod, &format!("spec.resources.{f}")));
    let (pod_reqs, pod_limits) = (pod_level("requests"), pod_level("limits"));
    let requests_set = pod_reqs.keys().any(|k| supported(k));
    let any_set = requests_set || pod_limits.keys().any(|k| supported(k));
    let (apply, list) = if field == "requests" {
        (requests_set, pod_reqs)
    } else {
        (any_set, pod_limits)
    };
    if apply {
        for (k, q) in list {
            if supported(&k) {
                total.insert(k, q);
            }
        }
    }
    if let Some(overhead) = get(pod, "spec.overhead") {
        for (k, q) in parse_list(Some(overhead)) {
            if field == "requests" {
                total.entry(k).or_default().add(&q);
            } else if let Some(v) = total.get_mut(&k).filter(|v| !v.is_zero()) {
                v.add(&q);
            }
        }
    }
    total
}

/// Go's `int64(float64)` for a percentage: truncation, and what amd64 yields for NaN/Inf.
fn percent(value: i128, total: i128) -> i64 {
    let f = value as f64 / total as f64 * 100.0;
    if f.is_finite() {
        f as i64
    } else {
        i64::MIN
    }
}

fn describe_node_resource(
    pods: &[Value],
    node: &Value,
    w: &mut PrefixWriter,
    opts: &DescribeOptions,
) {
    w.write(
        LEVEL_0,
        &format!("Non-terminated Pods:\t({} in total)\n", pods.len()),
    );
    w.write(
        LEVEL_1,
        "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n",
    );
    w.write(
        LEVEL_1,
        "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
    );
    let mut allocatable = parse_list(get(node, "status.capacity"));
    if get(node, "status.allocatable").is_some_and(|a| a.as_object().is_some_and(|m| !m.is_empty()))
    {
        allocatable = parse_list(get(node, "status.allocatable"));
    }
    let alloc = |k: &str| allocatable.get(k).copied().unwrap_or_default();
    let (alloc_cpu, alloc_mem) = (alloc("cpu").milli_value(), alloc("memory").value());
    for pod in pods {
        let req = pod_totals(pod, "requests", true);
        let lim = pod_totals(pod, "limits", true);
        let q = |l: &ResourceList, k: &str| l.get(k).copied().unwrap_or_default();
        let (cr, cl, mr, ml) = (
            q(&req, "cpu"),
            q(&lim, "cpu"),
            q(&req, "memory"),
            q(&lim, "memory"),
        );
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                s(pod, "metadata.namespace"),
                s(pod, "metadata.name"),
                cr,
                percent(cr.milli_value(), alloc_cpu),
                cl,
                percent(cl.milli_value(), alloc_cpu),
                mr,
                percent(mr.value(), alloc_mem),
                ml,
                percent(ml.value(), alloc_mem),
                since(s(pod, "metadata.creationTimestamp"), opts)
            ),
        );
    }
    w.write(
        LEVEL_0,
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n",
    );
    w.write(LEVEL_1, "Resource\tRequests\tLimits\n");
    w.write(LEVEL_1, "--------\t--------\t------\n");
    let mut reqs = ResourceList::new();
    let mut limits = ResourceList::new();
    for pod in pods {
        add_list(&mut reqs, &pod_totals(pod, "requests", false));
        add_list(&mut limits, &pod_totals(pod, "limits", false));
    }
    let q = |l: &ResourceList, k: &str| l.get(k).copied().unwrap_or_default();
    let frac = |v: i128, total: i128| if total != 0 { percent(v, total) } else { 0 };
    for (res, milli) in [
        ("cpu", true),
        ("memory", false),
        ("ephemeral-storage", false),
    ] {
        let (r, l, a) = (q(&reqs, res), q(&limits, res), alloc(res));
        let (rv, lv, av) = if milli {
            (r.milli_value(), l.milli_value(), a.milli_value())
        } else {
            (r.value(), l.value(), a.value())
        };
        w.write(
            LEVEL_1,
            &format!("{res}\t{r} ({}%)\t{l} ({}%)\n", frac(rv, av), frac(lv, av)),
        );
    }
    let standard = ["cpu", "memory", "ephemeral-storage", "pods"];
    for res in allocatable.keys().filter(|k| k.starts_with("hugepages-")) {
        let (r, l, a) = (q(&reqs, res), q(&limits, res), alloc(res));
        w.write(
            LEVEL_1,
            &format!(
                "{res}\t{r} ({}%)\t{l} ({}%)\n",
                frac(r.value(), a.value()),
                frac(l.value(), a.value())
            ),
        );
    }
    for res in allocatable
        .keys()
        .filter(|k| !k.starts_with("hugepages-") && !standard.contains(&k.as_str()))
    {
        w.write(
            LEVEL_1,
            &format!("{res}\t{}\t{}\n", q(&reqs, res), q(&limits, res)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn total(pod: &Value, field: &str, status: bool) -> String {
        let t = pod_totals(pod, field, status);
        t.iter()
            .map(|(k, q)| format!("{k}={q}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn sidecars_init_containers_status_and_pod_level_resources() {
        let pod = json!({
            "spec": {
                "containers": [{"name": "a", "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "1"}}}],
                "initContainers": [
                    {"name": "side", "restartPolicy": "Always", "resources": {"requests": {"cpu": "50m"}}},
                    {"name": "init", "resources": {"requests": {"cpu": "500m"}}}],
                "overhead": {"cpu": "10m", "memory": "1Mi"}},
            "status": {"containerStatuses": [{"name": "a", "resources": {"requests": {"cpu": "200m"}}}]}
        });
        // init: max(150m, 500m + 50m) = 550m; + overhead 10m.
        assert_eq!(total(&pod, "requests", false), "cpu=560m,memory=1Mi");
        // status raises a's request to 200m: 250m vs 550m → 550m.
        assert_eq!(total(&pod, "requests", true), "cpu=560m,memory=1Mi");
        // limits: overhead only on the set, non-zero cpu limit.
        assert_eq!(total(&pod, "limits", false), "cpu=1010m");
        let mut resized = pod.clone();
        resized["status"]["resize"] = json!("Infeasible");
        resized["spec"]["initContainers"] = json!([]);
        assert_eq!(total(&resized, "requests", true), "cpu=210m,memory=1Mi");
        let mut pod_level = pod.clone();
        pod_level["spec"]["resources"] =
            json!({"requests": {"cpu": "2", "ephemeral-storage": "1Gi"}});
        assert_eq!(total(&pod_level, "requests", false), "cpu=2010m,memory=1Mi");
    }
}

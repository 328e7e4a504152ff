//! `describe pod` (kubectl's `describePod`), including the QoS class computation kubectl falls
//! back to when the status has none.

use serde_json::Value;

use super::events::finish_with_events;
use super::podspec::{
    describe_containers, describe_resources, describe_scheduling_group,
    describe_topology_spread_constraints, describe_volumes,
};
use super::quantity::Quantity;
use super::text::{
    arr, controlled_by, format_time, get, i, print_labels_annotations, print_labels_multiline,
    print_list, print_tolerations, s, since, string_map, value_string,
};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::{DescribeOptions, Events};

/// Renders a Pod with its events (`None` when events are off).
pub fn describe_pod(pod: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    let w = &mut w;
    super::text::print_name_namespace(w, pod);
    if let Some(p) = get(pod, "spec.priority") {
        w.field(LEVEL_0, "Priority", value_string(p));
    }
    w.field_if_set(
        LEVEL_0,
        "Priority Class Name",
        s(pod, "spec.priorityClassName"),
    );
    w.field_if_set(
        LEVEL_0,
        "Runtime Class Name",
        s(pod, "spec.runtimeClassName"),
    );
    w.field_if_set(
        LEVEL_0,
        "Service Account",
        s(pod, "spec.serviceAccountName"),
    );
    let node = s(pod, "spec.nodeName");
    if node.is_empty() {
        w.write(LEVEL_0, "Node:\t<none>\n");
    } else {
        w.write(
            LEVEL_0,
            &format!("Node:\t{node}/{}\n", s(pod, "status.hostIP")),
        );
    }
    if get(pod, "status.startTime").is_some() {
        w.field(
            LEVEL_0,
            "Start Time",
            format_time(s(pod, "status.startTime"), opts),
        );
    }
    print_labels_annotations(w, pod);
    let phase = s(pod, "status.phase");
    if get(pod, "metadata.deletionTimestamp").is_some() && phase != "Failed" && phase != "Succeeded"
    {
        w.write(
            LEVEL_0,
            &format!(
                "Status:\tTerminating (lasts {})\n",
                since(s(pod, "metadata.deletionTimestamp"), opts)
            ),
        );
        w.write(
            LEVEL_0,
            &format!(
                "Termination Grace Period:\t{}s\n",
                i(pod, "metadata.deletionGracePeriodSeconds")
            ),
        );
    } else {
        w.write(LEVEL_0, &format!("Status:\t{phase}\n"));
    }
    for (field, title) in [("status.reason", "Reason"), ("status.message", "Message")] {
        let v = s(pod, field);
        if !v.is_empty() {
            w.write(LEVEL_0, &format!("{title}:\t{v}\n"));
        }
    }
    if let Some(p) = get(pod, "spec.securityContext.seccompProfile") {
        w.field(LEVEL_0, "SeccompProfile", s(p, "type"));
        if s(p, "type") == "Localhost" {
            w.field(LEVEL_0, "LocalhostProfile", s(p, "localhostProfile"));
        }
    }
    w.field(LEVEL_0, "IP", s(pod, "status.podIP"));
    print_list(w, "IPs", arr(pod, "status.podIPs"), |ip| {
        format!("IP:	{}", s(ip, "ip"))
    });
    if let Some(c) = controlled_by(pod) {
        w.write(LEVEL_0, &format!("Controlled By:\t{c}\n"));
    }
    w.field_if_set(
        LEVEL_0,
        "NominatedNodeName",
        s(pod, "status.nominatedNodeName"),
    );
    if let Some(r) = get(pod, "spec.resources") {
        w.write(LEVEL_0, "Resources:\n");
        describe_resources(Some(r), w, LEVEL_1);
    }
    let init = arr(pod, "spec.initContainers");
    if !init.is_empty() {
        let st = arr(pod, "status.initContainerStatuses");
        describe_containers("Init Containers", init, st, Some(pod), w, "", opts);
    }
    let st = arr(pod, "status.containerStatuses");
    describe_containers(
        "Containers",
        arr(pod, "spec.containers"),
        st,
        Some(pod),
        w,
        "",
        opts,
    );
    let eph = arr(pod, "spec.ephemeralContainers");
    if !eph.is_empty() {
        let st = arr(pod, "status.ephemeralContainerStatuses");
        describe_containers("Ephemeral Containers", eph, st, Some(pod), w, "", opts);
    }
    let conditions = arr(pod, "status.conditions");
    let gates = arr(pod, "spec.readinessGates");
    if !gates.is_empty() {
        w.write(LEVEL_0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let ty = s(g, "conditionType");
            let status = conditions
                .iter()
                .find(|c| s(c, "type") == ty)
                .map(|c| s(c, "status").to_string())
                .unwrap_or("<none>".into());
            w.write(LEVEL_1, &format!("{ty} \t{status} \n"));
        }
    }
    if !conditions.is_empty() {
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\n");
        for c in conditions {
            w.write(
                LEVEL_1,
                &format!("{} \t{} \n", s(c, "type"), s(c, "status")),
            );
        }
    }
    describe_volumes(arr(pod, "spec.volumes"), w, "", opts);
    w.field(LEVEL_0, "QoS Class", pod_qos(pod));
    print_labels_multiline(w, "Node-Selectors", &string_map(pod, "spec.nodeSelector"));
    print_tolerations(w, "Tolerations", arr(pod, "spec.tolerations"));
    describe_topology_spread_constraints(arr(pod, "spec.topologySpreadConstraints"), w, "");
    describe_scheduling_group(get(pod, "spec.schedulingGroup"), w, "");
    finish_with_events(w, events, opts)
}

/// kubectl's `qos.GetPodQOS`: the status's class, else computed from cpu/memory requests and
/// limits (pod-level resources win over containers').
pub fn pod_qos(pod: &Value) -> String {
    let status = s(pod, "status.qosClass");
    if !status.is_empty() {
        return status.to_string();
    }
    let mut requests: Vec<(String, Quantity)> = Vec::new();
    let mut limits: Vec<(String, Quantity)> = Vec::new();
    let mut guaranteed = true;
    let add = |list: &mut Vec<(String, Quantity)>, res: Option<&Value>| -> Vec<String> {
        let mut positive = Vec::new();
        for (name, q) in res.map(|r| string_map(r, "")).unwrap_or_default() {
            if name != "cpu" && name != "memory" {
                continue;
            }
            let Some(q) = Quantity::parse(&q).filter(Quantity::is_positive) else {
                continue;
            };
            positive.push(name.clone());
            match list.iter_mut().find(|(n, _)| *n == name) {
                Some((_, sum)) => sum.add(&q),
                None => list.push((name, q)),
            }
        }
        positive
    };
    if let Some(r) = get(pod, "spec.resources") {
        add(&mut requests, get(r, "requests"));
        let lim = add(&mut limits, get(r, "limits"));
        if get(r, "limits").is_some()
            && !(lim.contains(&"cpu".into()) && lim.contains(&"memory".into()))
        {
            guaranteed = false;
        }
    } else {
        let containers = arr(pod, "spec.containers")
            .iter()
            .chain(arr(pod, "spec.initContainers"));
        for c in containers {
            add(&mut requests, get(c, "resources.requests"));
            let lim = add(&mut limits, get(c, "resources.limits"));
            if !(lim.contains(&"cpu".into()) && lim.contains(&"memory".into())) {
                guaranteed = false;
            }
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort".to_string();
    }
    if guaranteed {
        for (name, req) in &requests {
            match limits.iter().find(|(n, _)| n == name) {
                Some((_, lim)) if lim.value_eq(req) => {}
                _ => {
                    guaranteed = false;
                    break;
                }
            }
        }
    }
    if guaranteed && requests.len() == limits.len() {
        "Guaranteed".to_string()
    } else {
        "Burstable".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(containers: Value) -> Value {
        json!({"spec": {"containers": containers}})
    }

    #[test]
    fn qos_is_computed_when_status_has_none() {
        assert_eq!(pod_qos(&pod(json!([{"name": "a"}]))), "BestEffort");
        let g = json!([{"resources": {"limits": {"cpu": "1", "memory": "1Gi"},
                                      "requests": {"cpu": "1000m", "memory": "1Gi"}}}]);
        assert_eq!(pod_qos(&pod(g)), "Guaranteed");
        let b = json!([{"resources": {"requests": {"cpu": "100m"}}}]);
        assert_eq!(pod_qos(&pod(b)), "Burstable");
        let zero =
            json!([{"resources": {"requests": {"cpu": "0"}, "limits": {"nvidia.com/gpu": "1"}}}]);
        assert_eq!(pod_qos(&pod(zero)), "BestEffort");
        assert_eq!(
            pod_qos(&json!({"status": {"qosClass": "Guaranteed"}})),
            "Guaranteed"
        );
    }
}

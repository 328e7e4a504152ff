//! Server-side printers of the API groups beyond core/apps/batch: the columns and cells
//! kube-apiserver v1.36's printers (pkg/printers/internalversion) give these kinds. Kinds
//! without a printer there (roles, cluster roles, CRDs, ...) get the default convertor's
//! NAME / CREATED AT, in `tables`.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::store::GroupResource;
use crate::tables::{
    age, arr, at, boolean, col, format_label_selector, i, integer, name, or_none, s, wide, Col,
    Printer, AGE, NAME,
};

const ROLE_BINDING_COLUMNS: &[Col] = &[
    NAME,
    col("Role", "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable."),
    AGE,
    wide("Users", "Users in the roleBinding"),
    wide("Groups", "Groups in the roleBinding"),
    wide("ServiceAccounts", "ServiceAccounts in the roleBinding"),
];
const CLUSTER_ROLE_BINDING_COLUMNS: &[Col] = &[
    NAME,
    col("Role", "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable."),
    AGE,
    wide("Users", "Users in the clusterRoleBinding"),
    wide("Groups", "Groups in the clusterRoleBinding"),
    wide("ServiceAccounts", "ServiceAccounts in the clusterRoleBinding"),
];
const INGRESS_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Class",
        "The name of the IngressClass resource that should be used for additional configuration",
    ),
    col(
        "Hosts",
        "Hosts that incoming requests are matched against before the ingress rule",
    ),
    col(
        "Address",
        "Address is a list containing ingress points for the load-balancer",
    ),
    col("Ports", "Ports of TLS configurations that open"),
    AGE,
];
const INGRESS_CLASS_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Controller",
        "Controller that is responsible for handling this class",
    ),
    col(
        "Parameters",
        "A reference to a resource with additional parameters",
    ),
    AGE,
];
const NETWORK_POLICY_COLUMNS: &[Col] = &[
    NAME,
    col("Pod-Selector", "podSelector selects the pods to which this NetworkPolicy object applies. The array of rules is applied to any pods selected by this field. An empty selector matches all pods in the policy's namespace. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is optional. If it is not specified, it defaults to an empty selector."),
    AGE,
];
const PDB_COLUMNS: &[Col] = &[
    NAME,
    col("Min Available", "The minimum number of pods that must be available simultaneously.  This can be either an integer or a string specifying a percentage, e.g. \"28%\"."),
    col("Max Unavailable", "The maximum number of pods that may be unavailable simultaneously.  This can be either an integer or a string specifying a percentage, e.g. \"28%\"."),
    integer("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
    AGE,
];
const PRIORITY_CLASS_COLUMNS: &[Col] = &[
    NAME,
    integer("Value", "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
    boolean("Global-Default", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority."),
    AGE,
    col("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
];
const RUNTIME_CLASS_COLUMNS: &[Col] = &[NAME, col("Handler", ""), AGE];
const STORAGE_CLASS_COLUMNS: &[Col] = &[
    NAME,
    col("Provisioner", "provisioner indicates the type of the provisioner."),
    col("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete."),
    col("VolumeBindingMode", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature."),
    col("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow volume expand."),
    AGE,
];
const VOLUME_ATTRIBUTES_CLASS_COLUMNS: &[Col] = &[
    NAME,
    col(
        "DriverName",
        "Name of the CSI driver This field is immutable.",
    ),
    AGE,
];
const CSI_NODE_COLUMNS: &[Col] = &[
    NAME,
    integer(
        "Drivers",
        "Drivers indicates the number of CSI drivers registered on the node",
    ),
    AGE,
];
const WEBHOOK_COLUMNS: &[Col] = &[
    NAME,
    integer(
        "Webhooks",
        "Webhooks indicates the number of webhooks registered in this configuration",
    ),
    AGE,
];
const CSR_COLUMNS: &[Col] = &[
    NAME,
    AGE,
    col("SignerName", "signerName indicates the requested signer, and is a qualified name."),
    col("Requestor", "username contains the name of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable."),
    col("RequestedDuration", "expirationSeconds is the requested duration of validity of the issued certificate."),
    col("Condition", "conditions applied to the request. Known conditions are \"Approved\", \"Denied\", and \"Failed\"."),
];
const NAME_AGE_COLUMNS: &[Col] = &[NAME, AGE];
const SERVICE_CIDR_COLUMNS: &[Col] = &[
    NAME,
    col("CIDRs", "CIDRs defines the IP blocks in CIDR notation (e.g. \"192.168.0.0/24\" or \"2001:db8::/64\") from which to assign service cluster IPs. Max of two CIDRs is allowed, one of each IP family. This field is immutable."),
    AGE,
];
const IP_ADDRESS_COLUMNS: &[Col] = &[
    NAME,
    col("ParentRef", "ParentRef references the resource that an IPAddress is attached to. An IPAddress must reference a parent object."),
];

const COMPONENT_STATUS_COLUMNS: &[Col] = &[
    NAME,
    col("Status", "Status of the component conditions"),
    col("Message", "Message of the component conditions"),
    col("Error", "Error of the component conditions"),
];

/// kube-apiserver's `printComponentStatus`: the Healthy condition's status, message, error.
fn print_component_status(c: &Value, _now: DateTime<Utc>) -> Vec<Value> {
    let healthy = c["conditions"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["type"] == "Healthy"));
    let (status, message, error) = match healthy {
        Some(h) => (
            if h["status"] == "True" {
                "Healthy"
            } else {
                "Unhealthy"
            },
            s(h, "/message"),
            s(h, "/error"),
        ),
        None => ("Unknown", "", ""),
    };
    vec![
        json!(s(c, "/metadata/name")),
        json!(status),
        json!(message),
        json!(error),
    ]
}

/// The printer of a kind of these groups, if kube-apiserver has one.
pub(crate) fn printer_for(gr: &GroupResource) -> Option<(&'static [Col], Printer)> {
    Some(match (gr.group.as_str(), gr.resource.as_str()) {
        ("rbac.authorization.k8s.io", "rolebindings") => (ROLE_BINDING_COLUMNS, print_role_binding),
        ("rbac.authorization.k8s.io", "clusterrolebindings") => {
            (CLUSTER_ROLE_BINDING_COLUMNS, print_role_binding)
        }
        ("networking.k8s.io", "ingresses") => (INGRESS_COLUMNS, print_ingress),
        ("networking.k8s.io", "ingressclasses") => (INGRESS_CLASS_COLUMNS, print_ingress_class),
        ("networking.k8s.io", "networkpolicies") => (NETWORK_POLICY_COLUMNS, print_network_policy),
        ("networking.k8s.io", "servicecidrs") => (SERVICE_CIDR_COLUMNS, print_service_cidr),
        ("networking.k8s.io", "ipaddresses") => (IP_ADDRESS_COLUMNS, print_ip_address),
        ("", "componentstatuses") => (COMPONENT_STATUS_COLUMNS, print_component_status),
        ("policy", "poddisruptionbudgets") => (PDB_COLUMNS, print_pdb),
        ("autoscaling", "horizontalpodautoscalers") => {
            (crate::autoscaling::COLUMNS, crate::autoscaling::print)
        }
        ("scheduling.k8s.io", "priorityclasses") => (PRIORITY_CLASS_COLUMNS, print_priority_class),
        ("node.k8s.io", "runtimeclasses") => (RUNTIME_CLASS_COLUMNS, print_runtime_class),
        ("storage.k8s.io", "storageclasses") => (STORAGE_CLASS_COLUMNS, print_storage_class),
        ("storage.k8s.io", "volumeattributesclasses") => (
            VOLUME_ATTRIBUTES_CLASS_COLUMNS,
            print_volume_attributes_class,
        ),
        ("storage.k8s.io", "csinodes") => (CSI_NODE_COLUMNS, print_csi_node),
        ("admissionregistration.k8s.io", "validatingwebhookconfigurations")
        | ("admissionregistration.k8s.io", "mutatingwebhookconfigurations") => {
            (WEBHOOK_COLUMNS, print_webhooks)
        }
        ("certificates.k8s.io", "certificatesigningrequests") => (CSR_COLUMNS, print_csr),
        ("resource.k8s.io", "deviceclasses") | ("resource.k8s.io", "resourceclaimtemplates") => {
            (NAME_AGE_COLUMNS, print_name_age)
        }
        _ => return crate::tables_more::printer_for(gr),
    })
}

fn print_name_age(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name(o), age(o, now)]
}

/// rbac's `SubjectsStrings`: users, groups and service accounts (`namespace/name`), each
/// joined by ", ".
fn print_role_binding(rb: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let role = format!("{}/{}", s(rb, "/roleRef/kind"), s(rb, "/roleRef/name"));
    let (mut users, mut groups, mut sas) = (vec![], vec![], vec![]);
    for subject in arr(rb, "/subjects") {
        let n = s(subject, "/name");
        match s(subject, "/kind") {
            "User" => users.push(n.to_string()),
            "Group" => groups.push(n.to_string()),
            "ServiceAccount" => sas.push(format!("{}/{n}", s(subject, "/namespace"))),
            _ => {}
        }
    }
    vec![
        name(rb),
        json!(role),
        age(rb, now),
        json!(users.join(", ")),
        json!(groups.join(", ")),
        json!(sas.join(", ")),
    ]
}

fn print_ingress(ing: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let class = match at(ing, "/spec/ingressClassName").and_then(Value::as_str) {
        Some(c) => c.to_string(),
        None => "<none>".to_string(),
    };
    // formatHosts: at most three hosts, then " + N more..."; "*" when no rule has a host.
    let rules = arr(ing, "/spec/rules");
    let mut hosts: Vec<&str> = vec![];
    let mut more = false;
    for r in rules {
        if hosts.len() == 3 {
            more = true;
        }
        let h = s(r, "/host");
        if !more && !h.is_empty() {
            hosts.push(h);
        }
    }
    let hosts = if hosts.is_empty() {
        "*".to_string()
    } else if more {
        format!("{} + {} more...", hosts.join(","), rules.len() - 3)
    } else {
        hosts.join(",")
    };
    // The load balancer's IPs or host names, sorted and deduplicated (the server prints wide).
    let mut addrs: Vec<&str> = arr(ing, "/status/loadBalancer/ingress")
        .iter()
        .filter_map(|x| {
            let ip = s(x, "/ip");
            let host = s(x, "/hostname");
            (!ip.is_empty())
                .then_some(ip)
                .or((!host.is_empty()).then_some(host))
        })
        .collect();
    addrs.sort_unstable();
    addrs.dedup();
    let ports = if arr(ing, "/spec/tls").is_empty() {
        "80"
    } else {
        "80, 443"
    };
    vec![
        name(ing),
        json!(class),
        json!(hosts),
        json!(addrs.join(",")),
        json!(ports),
        age(ing, now),
    ]
}

fn print_ingress_class(ic: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let params = match at(ic, "/spec/parameters") {
        Some(p) if p.is_object() => {
            let mut kind = s(p, "/kind").to_string();
            if let Some(g) = at(p, "/apiGroup").and_then(Value::as_str) {
                kind = format!("{kind}.{g}");
            }
            format!("{kind}/{}", s(p, "/name"))
        }
        _ => "<none>".to_string(),
    };
    vec![
        name(ic),
        json!(s(ic, "/spec/controller")),
        json!(params),
        age(ic, now),
    ]
}

fn print_network_policy(np: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name(np),
        json!(format_label_selector(at(np, "/spec/podSelector"))),
        age(np, now),
    ]
}

fn print_service_cidr(sc: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let cidrs: Vec<&str> = arr(sc, "/spec/cidrs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    vec![name(sc), json!(cidrs.join(",")), age(sc, now)]
}

fn print_ip_address(ip: &Value, _now: DateTime<Utc>) -> Vec<Value> {
    let parent = match at(ip, "/spec/parentRef") {
        Some(p) if p.is_object() => {
            let mut r = s(p, "/resource").to_string();
            let g = s(p, "/group");
            if !g.is_empty() {
                r = format!("{r}.{g}");
            }
            let ns = s(p, "/namespace");
            if ns.is_empty() {
                format!("{r}/{}", s(p, "/name"))
            } else {
                format!("{r}/{ns}/{}", s(p, "/name"))
            }
        }
        _ => "<none>".to_string(),
    };
    vec![name(ip), json!(parent)]
}

/// An IntOrString as `String()` prints it; "N/A" when unset.
fn int_or_string(v: Option<&Value>) -> String {
    match v {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => "N/A".to_string(),
    }
}

fn print_pdb(pdb: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name(pdb),
        json!(int_or_string(at(pdb, "/spec/minAvailable"))),
        json!(int_or_string(at(pdb, "/spec/maxUnavailable"))),
        json!(i(pdb, "/status/disruptionsAllowed")),
        age(pdb, now),
    ]
}

fn print_priority_class(pc: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let policy = match at(pc, "/preemptionPolicy").and_then(Value::as_str) {
        Some(p) => p.to_string(),
        None => "<unset>".to_string(),
    };
    vec![
        name(pc),
        json!(i(pc, "/value")),
        json!(at(pc, "/globalDefault")
            .and_then(Value::as_bool)
            .unwrap_or(false)),
        age(pc, now),
        json!(policy),
    ]
}

fn print_runtime_class(rc: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name(rc), json!(s(rc, "/handler")), age(rc, now)]
}

fn print_storage_class(sc: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let default = [
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class",
    ]
    .iter()
    .any(|a| {
        at(sc, "/metadata/annotations")
            .and_then(|m| m.get(*a))
            .and_then(Value::as_str)
            == Some("true")
    });
    let mut n = s(sc, "/metadata/name").to_string();
    if default {
        n.push_str(" (default)");
    }
    let reclaim = at(sc, "/reclaimPolicy")
        .and_then(Value::as_str)
        .unwrap_or("Delete");
    let binding = at(sc, "/volumeBindingMode")
        .and_then(Value::as_str)
        .unwrap_or("Immediate");
    let expand = at(sc, "/allowVolumeExpansion")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    vec![
        json!(n),
        json!(s(sc, "/provisioner")),
        json!(reclaim),
        json!(binding),
        json!(expand),
        age(sc, now),
    ]
}

fn print_volume_attributes_class(v: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name(v), json!(s(v, "/driverName")), age(v, now)]
}

fn print_csi_node(n: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name(n), json!(arr(n, "/spec/drivers").len()), age(n, now)]
}

fn print_webhooks(w: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name(w), json!(arr(w, "/webhooks").len()), age(w, now)]
}

/// The CSR's condition summary: Approved/Denied/Pending, then ",Failed" and ",Issued".
fn print_csr(csr: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let (mut approved, mut denied, mut failed) = (false, false, false);
    for c in arr(csr, "/status/conditions") {
        match s(c, "/type") {
            "Approved" => approved = true,
            "Denied" => denied = true,
            "Failed" => failed = true,
            _ => {}
        }
    }
    let mut status = if denied {
        "Denied"
    } else if approved {
        "Approved"
    } else {
        "Pending"
    }
    .to_string();
    if failed {
        status.push_str(",Failed");
    }
    if !s(csr, "/status/certificate").is_empty() {
        status.push_str(",Issued");
    }
    let duration = match at(csr, "/spec/expirationSeconds").and_then(Value::as_i64) {
        Some(secs) => crate::tables::human_duration(chrono::TimeDelta::seconds(secs)),
        None => "<none>".to_string(),
    };
    vec![
        name(csr),
        age(csr, now),
        json!(or_none(s(csr, "/spec/signerName"))),
        json!(s(csr, "/spec/username")),
        json!(duration),
        json!(status),
    ]
}

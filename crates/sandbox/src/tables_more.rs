//! Server-side printers of flowcontrol, admission policies, storage (CSI, attachments,
//! capacities) and resource.k8s.io claims and slices: the columns and cells kube-apiserver
//! v1.36 gives them (pkg/printers/internalversion/printers.go).

use chrono::{DateTime, Utc};
use kcore::volume::access_modes_string as access_modes;
use serde_json::{json, Value};

use crate::store::GroupResource;
use crate::tables::{
    age, arr, at, boolean, col, container_cells, format_labels, i, integer, name, replicas_row, s,
    wide, Col, Printer, AGE, CONTAINERS, IMAGES, NAME,
};

const FLOW_SCHEMA_COLUMNS: &[Col] = &[
    NAME,
    col("PriorityLevel", "`name` is the name of the priority level configuration being referenced Required."),
    col("MatchingPrecedence", "`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default."),
    col("DistinguisherMethod", "`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string."),
    AGE,
    col("MissingPL", "references a broken or non-existent PriorityLevelConfiguration"),
];
const PRIORITY_LEVEL_COLUMNS: &[Col] = &[
    NAME,
    col("Type", "`type` indicates whether this priority level is subject to limitation on request execution.  A value of `\"Exempt\"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `\"Limited\"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server's limited capacity is made available exclusively to this priority level. Required."),
    col("NominalConcurrencyShares", "`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level. This is the number of execution seats available at this priority level. This is used both for requests dispatched from this priority level as well as requests dispatched from other priority levels borrowing seats from this level. The server's concurrency limit (ServerCL) is divided among the Limited priority levels in proportion to their NCS values:\n\nNominalCL(i)  = ceil( ServerCL * NCS(i) / sum_ncs ) sum_ncs = sum[priority level k] NCS(k)\n\nBigger numbers mean a larger nominal concurrency limit, at the expense of every other priority level.\n\nIf not specified, this field defaults to a value of 30.\n\nSetting this field to zero supports the construction of a \"jail\" for this priority level that is used to hold some request(s)"),
    col("Queues", "`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64."),
    col("HandSize", "`handSize` is a small positive number that configures the shuffle sharding of requests into queues.  When enqueuing a request at this priority level the request's flow identifier (a string pair) is hashed and the hash value is used to shuffle the list of queues and deal a hand of the size specified here.  The request is put into one of the shortest queues in that hand. `handSize` must be no larger than `queues`, and should be significantly smaller (so that a few heavy flows do not saturate most of the queues).  See the user-facing documentation for more extensive guidance on setting this field.  This field has a default value of 8."),
    col("QueueLengthLimit", "`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted to 50."),
    AGE,
];
const VALIDATING_POLICY_COLUMNS: &[Col] = &[
    NAME,
    integer(
        "Validations",
        "Validations indicates the number of validation rules defined in this configuration",
    ),
    col(
        "ParamKind",
        "ParamKind specifies the kind of resources used to parameterize this policy",
    ),
    AGE,
];
const MUTATING_POLICY_COLUMNS: &[Col] = &[
    NAME,
    integer(
        "Mutations",
        "Mutation indicates the number of mutations rules defined in this configuration",
    ),
    col(
        "ParamKind",
        "ParamKind specifies the kind of resources used to parameterize this policy",
    ),
    AGE,
];
const POLICY_BINDING_COLUMNS: &[Col] = &[
    NAME,
    col(
        "PolicyName",
        "PolicyName indicates the policy definition which the policy binding binded to",
    ),
    col(
        "ParamRef",
        "ParamRef indicates the param resource which sets the configration param",
    ),
    AGE,
];
const VOLUME_ATTACHMENT_COLUMNS: &[Col] = &[
    NAME,
    ("Attacher", "string", "name", "attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().", 0),
    col("PV", "persistentVolumeName represents the name of the persistent volume to attach."),
    col("Node", "nodeName represents the node that the volume should be attached to."),
    boolean("Attached", "attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher."),
    AGE,
];
const CSI_DRIVER_COLUMNS: &[Col] = &[
    NAME,
    boolean("AttachRequired", "attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting. The CSI external-attacher coordinates with CSI volume driver and updates the volumeattachment status when the attach operation is complete. If the value is specified to false, the attach operation will be skipped. Otherwise the attach operation will be called.\n\nThis field is immutable."),
    boolean("PodInfoOnMount", "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true. If set to false, pod information will not be passed on mount. Default is false.\n\nThe CSI driver specifies podInfoOnMount as part of driver deployment. If true, Kubelet will pass pod information as VolumeContext in the CSI NodePublishVolume() calls. The CSI driver is responsible for parsing and validating the information passed in as VolumeContext.\n\nThe following VolumeContext will be passed if podInfoOnMount is set to true. This list might grow, but the prefix will be used. \"csi.storage.k8s.io/pod.name\": pod.Name \"csi.storage.k8s.io/pod.namespace\": pod.Namespace \"csi.storage.k8s.io/pod.uid\": string(pod.UID) \"csi.storage.k8s.io/ephemeral\": \"true\" if the volume is an ephemeral inline volume\n                                defined by a CSIVolumeSource, otherwise \"false\"\n\n\"csi.storage.k8s.io/ephemeral\" is a new feature in Kubernetes 1.16. It is only required for drivers which support both the \"Persistent\" and \"Ephemeral\" VolumeLifecycleMode. Other drivers can leave pod info disabled and/or ignore this field. As Kubernetes 1.15 doesn't support this field, drivers can only support one mode when deployed on such a cluster and the deployment determines which mode that is, for example via a command line parameter of the driver.\n\nThis field was immutable in Kubernetes < 1.29 and now is mutable."),
    boolean("StorageCapacity", "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.\n\nThe check can be enabled immediately when deploying a driver. In that case, provisioning new volumes with late binding will pause until the driver deployment has published some suitable CSIStorageCapacity object.\n\nAlternatively, the driver can be deployed with the field unset or false and it can be flipped later when storage capacity information has been published.\n\nThis field was immutable in Kubernetes <= 1.22 and now is mutable."),
    col("TokenRequests", "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication. Kubelet will pass the tokens in VolumeContext in the CSI NodePublishVolume calls. The CSI driver should parse and validate the following VolumeContext: \"csi.storage.k8s.io/serviceAccount.tokens\": {\n  \"<audience>\": {\n    \"token\": <token>,\n    \"expirationTimestamp\": <expiration timestamp in RFC3339>,\n  },\n  ...\n}\n\nNote: Audience in each TokenRequest should be different and at most one token is empty string. To receive a new token after expiry, RequiresRepublish can be used to trigger NodePublishVolume periodically."),
    boolean("RequiresRepublish", "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume. This field defaults to false.\n\nNote: After a successful initial NodePublishVolume call, subsequent calls to NodePublishVolume should only update the contents of the volume. New mount points will not be seen by a running container."),
    col("Modes", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports. The default if the list is empty is \"Persistent\", which is the usage defined by the CSI specification and implemented in Kubernetes via the usual PV/PVC mechanism.\n\nThe other mode is \"Ephemeral\". In this mode, volumes are defined inline inside the pod spec with CSIVolumeSource and their lifecycle is tied to the lifecycle of that pod. A driver has to be aware of this because it is only going to get a NodePublishVolume call for such a volume.\n\nFor more information about implementing this mode, see https://kubernetes-csi.github.io/docs/ephemeral-local-volumes.html A driver can support one or more of these modes and more modes may be added in the future.\n\nThis field is beta. This field is immutable."),
    AGE,
];
const RESOURCE_CLAIM_COLUMNS: &[Col] = &[
    NAME,
    col(
        "State",
        "A summary of the current state (allocated, pending, reserved, etc.).",
    ),
    AGE,
];
const RESOURCE_SLICE_COLUMNS: &[Col] = &[
    NAME,
    col("Node", "NodeName identifies the node which provides the resources in this pool. A field selector can be used to list only ResourceSlice objects belonging to a certain node.\n\nThis field can be used to limit access from nodes to ResourceSlices with the same node name. It also indicates to autoscalers that adding new nodes of the same type as some old node might also make new resources available.\n\nExactly one of NodeName, NodeSelector, AllNodes, and PerDeviceNodeSelection must be set. This field is immutable."),
    col("Driver", "Driver identifies the DRA driver providing the capacity information. A field selector can be used to list only ResourceSlice objects with a certain driver name.\n\nMust be a DNS subdomain and should end with a DNS domain owned by the vendor of the driver. It should use only lower case characters. This field is immutable."),
    col("Pool", "Name is used to identify the pool. For node-local devices, this is often the node name, but this is not required.\n\nIt must not be longer than 253 characters and must consist of one or more DNS sub-domains separated by slashes. This field is immutable."),
    AGE,
];

const REPLICATION_CONTROLLER_COLUMNS: &[Col] = &[
    NAME,
    integer("Desired", "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
    integer("Current", "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
    integer("Ready", "The number of ready replicas for this replication controller."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"),
];
const POD_TEMPLATE_COLUMNS: &[Col] = &[
    NAME,
    col("Containers", "Names of each container in the template."),
    col(
        "Images",
        "Images referenced by each container in the template.",
    ),
    col("Pod Labels", "The labels for the pod template."),
];
const PERSISTENT_VOLUME_COLUMNS: &[Col] = &[
    NAME,
    col("Capacity", "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
    col("Access Modes", "accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes"),
    col("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming"),
    col("Status", "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase"),
    col("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding"),
    col("StorageClass", "StorageClass of the pv"),
    col("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
    col("Reason", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
    AGE,
    wide("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec."),
];
const PERSISTENT_VOLUME_CLAIM_COLUMNS: &[Col] = &[
    NAME,
    col("Status", "phase represents the current phase of PersistentVolumeClaim."),
    col("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
    col("Capacity", "capacity represents the actual resources of the underlying volume."),
    col("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1"),
    col("StorageClass", "StorageClass of the pvc"),
    col("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
    AGE,
    wide("VolumeMode", "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec."),
];
const API_SERVICE_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Service",
        "The reference to the service that hosts this API endpoint.",
    ),
    col("Available", "Whether this service is available."),
    AGE,
];

/// The printer of one of these kinds, if it is one.
pub(crate) fn printer_for(gr: &GroupResource) -> Option<(&'static [Col], Printer)> {
    Some(match (gr.group.as_str(), gr.resource.as_str()) {
        ("", "replicationcontrollers") => {
            (REPLICATION_CONTROLLER_COLUMNS, print_replication_controller)
        }
        ("", "podtemplates") => (POD_TEMPLATE_COLUMNS, print_pod_template),
        ("", "persistentvolumes") => (PERSISTENT_VOLUME_COLUMNS, print_persistent_volume),
        ("", "persistentvolumeclaims") => (PERSISTENT_VOLUME_CLAIM_COLUMNS, print_pvc),
        ("apiregistration.k8s.io", "apiservices") => (API_SERVICE_COLUMNS, print_api_service),
        ("flowcontrol.apiserver.k8s.io", "flowschemas") => (FLOW_SCHEMA_COLUMNS, print_flow_schema),
        ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations") => {
            (PRIORITY_LEVEL_COLUMNS, print_priority_level)
        }
        ("admissionregistration.k8s.io", "validatingadmissionpolicies") => {
            (VALIDATING_POLICY_COLUMNS, print_validating_policy)
        }
        ("admissionregistration.k8s.io", "mutatingadmissionpolicies") => {
            (MUTATING_POLICY_COLUMNS, print_mutating_policy)
        }
        ("admissionregistration.k8s.io", "validatingadmissionpolicybindings")
        | ("admissionregistration.k8s.io", "mutatingadmissionpolicybindings") => {
            (POLICY_BINDING_COLUMNS, print_policy_binding)
        }
        ("storage.k8s.io", "volumeattachments") => {
            (VOLUME_ATTACHMENT_COLUMNS, print_volume_attachment)
        }
        ("storage.k8s.io", "csidrivers") => (CSI_DRIVER_COLUMNS, print_csi_driver),
        ("resource.k8s.io", "resourceclaims") => (RESOURCE_CLAIM_COLUMNS, print_resource_claim),
        ("resource.k8s.io", "resourceslices") => (RESOURCE_SLICE_COLUMNS, print_resource_slice),
        _ => return None,
    })
}

/// Rows of a list in the printer's order: FlowSchemas by matching precedence, then name
/// (`FlowSchemaSequence`); every other kind as listed.
pub(crate) fn sort_rows<T>(gr: &GroupResource, items: &mut [T], obj: impl Fn(&T) -> &Value) {
    if gr.group == "flowcontrol.apiserver.k8s.io" && gr.resource == "flowschemas" {
        items.sort_by(|a, b| {
            let (a, b) = (obj(a), obj(b));
            let p = |o: &Value| i(o, "/spec/matchingPrecedence");
            p(a).cmp(&p(b))
                .then_with(|| s(a, "/metadata/name").cmp(s(b, "/metadata/name")))
        });
    }
}

fn print_replication_controller(rc: &Value, now: DateTime<Utc>) -> Vec<Value> {
    replicas_row(rc, now, format_labels(at(rc, "/spec/selector")))
}

fn print_pod_template(pt: &Value, _now: DateTime<Utc>) -> Vec<Value> {
    let (names, images) = container_cells(arr(pt, "/template/spec/containers"));
    vec![
        name(pt),
        names,
        images,
        json!(format_labels(at(pt, "/template/metadata/labels"))),
    ]
}

/// The storage class of a PV or PVC: the beta annotation wins over `spec.storageClassName`.
fn storage_class(o: &Value) -> String {
    match &o["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"] {
        Value::String(c) => c.clone(),
        _ => s(o, "/spec/storageClassName").to_string(),
    }
}

fn or_unset(o: &Value, ptr: &str) -> Value {
    match at(o, ptr) {
        Some(Value::String(v)) => json!(v),
        _ => json!("<unset>"),
    }
}

fn quantity(o: &Value, ptr: &str) -> String {
    match at(o, ptr) {
        Some(Value::String(q)) => q.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "0".to_string(),
    }
}

fn print_persistent_volume(pv: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let claim = match at(pv, "/spec/claimRef") {
        Some(c) if c.is_object() => format!("{}/{}", s(c, "/namespace"), s(c, "/name")),
        _ => String::new(),
    };
    let phase = if s(pv, "/metadata/deletionTimestamp").is_empty() {
        s(pv, "/status/phase")
    } else {
        "Terminating"
    };
    vec![
        name(pv),
        json!(quantity(pv, "/spec/capacity/storage")),
        json!(access_modes(arr(pv, "/spec/accessModes"))),
        json!(s(pv, "/spec/persistentVolumeReclaimPolicy")),
        json!(phase),
        json!(claim),
        json!(storage_class(pv)),
        or_unset(pv, "/spec/volumeAttributesClassName"),
        json!(s(pv, "/status/reason")),
        age(pv, now),
        or_unset(pv, "/spec/volumeMode"),
    ]
}

fn print_pvc(pvc: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let phase = if s(pvc, "/metadata/deletionTimestamp").is_empty() {
        s(pvc, "/status/phase")
    } else {
        "Terminating"
    };
    let volume = s(pvc, "/spec/volumeName");
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            quantity(pvc, "/status/capacity/storage"),
            access_modes(arr(pvc, "/status/accessModes")),
        )
    };
    vec![
        name(pvc),
        json!(phase),
        json!(volume),
        json!(capacity),
        json!(modes),
        json!(storage_class(pvc)),
        or_unset(pvc, "/spec/volumeAttributesClassName"),
        age(pvc, now),
        or_unset(pvc, "/spec/volumeMode"),
    ]
}

/// kube-aggregator's printer: `Local` or the backing service, and the Available condition
/// (`False (Reason)` when it is not true and has a reason).
fn print_api_service(a: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let service = match at(a, "/spec/service") {
        Some(svc) if svc.is_object() => {
            format!("{}/{}", s(svc, "/namespace"), s(svc, "/name"))
        }
        _ => "Local".to_string(),
    };
    let available = match arr(a, "/status/conditions")
        .iter()
        .find(|c| s(c, "/type") == "Available")
    {
        None => "Unknown".to_string(),
        Some(c) if s(c, "/status") == "True" || s(c, "/reason").is_empty() => {
            s(c, "/status").to_string()
        }
        Some(c) => format!("{} ({})", s(c, "/status"), s(c, "/reason")),
    };
    vec![name(a), json!(service), json!(available), age(a, now)]
}

fn print_flow_schema(fs: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let distinguisher = match at(fs, "/spec/distinguisherMethod") {
        Some(d) if d.is_object() => s(d, "/type").to_string(),
        _ => "<none>".to_string(),
    };
    let missing = arr(fs, "/status/conditions")
        .iter()
        .find(|c| s(c, "/type") == "Dangling")
        .map(|c| s(c, "/status").to_string())
        .unwrap_or_else(|| "?".to_string());
    vec![
        name(fs),
        json!(s(fs, "/spec/priorityLevelConfiguration/name")),
        json!(i(fs, "/spec/matchingPrecedence")),
        json!(distinguisher),
        age(fs, now),
        json!(missing),
    ]
}

fn print_priority_level(pl: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let none = json!("<none>");
    let (mut ncs, mut queues, mut hand, mut qll) = (none.clone(), none.clone(), none.clone(), none);
    if let Some(limited) = at(pl, "/spec/limited").filter(|l| l.is_object()) {
        ncs = json!(i(limited, "/nominalConcurrencyShares"));
        if let Some(q) = at(limited, "/limitResponse/queuing").filter(|q| q.is_object()) {
            queues = json!(i(q, "/queues"));
            hand = json!(i(q, "/handSize"));
            qll = json!(i(q, "/queueLengthLimit"));
        }
    }
    vec![
        name(pl),
        json!(s(pl, "/spec/type")),
        ncs,
        queues,
        hand,
        qll,
        age(pl, now),
    ]
}

fn param_kind(p: &Value) -> String {
    match at(p, "/spec/paramKind") {
        Some(k) if k.is_object() => format!("{}/{}", s(k, "/apiVersion"), s(k, "/kind")),
        _ => "<unset>".to_string(),
    }
}

fn print_validating_policy(p: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let n = arr(p, "/spec/validations").len();
    vec![name(p), json!(n), json!(param_kind(p)), age(p, now)]
}

fn print_mutating_policy(p: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let n = arr(p, "/spec/mutations").len();
    vec![name(p), json!(n), json!(param_kind(p)), age(p, now)]
}

/// `metav1.LabelSelector.String()`, the protobuf-generated debug form the binding printers use.
fn label_selector_debug(sel: &Value) -> String {
    let mut labels: Vec<(&String, &Value)> = sel["matchLabels"]
        .as_object()
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    labels.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::from("&LabelSelector{MatchLabels:map[string]string{");
    for (k, v) in labels {
        out.push_str(&format!("{k}: {},", v.as_str().unwrap_or_default()));
    }
    out.push_str("},MatchExpressions:[]LabelSelectorRequirement{");
    for e in sel["matchExpressions"].as_array().into_iter().flatten() {
        let values: Vec<&str> = arr(e, "/values").iter().filter_map(Value::as_str).collect();
        out.push_str(&format!(
            "LabelSelectorRequirement{{Key:{},Operator:{},Values:[{}],}},",
            s(e, "/key"),
            s(e, "/operator"),
            values.join(" ")
        ));
    }
    out.push_str("},}");
    out
}

fn print_policy_binding(b: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let mut param = "<unset>".to_string();
    if let Some(pr) = at(b, "/spec/paramRef").filter(|p| p.is_object()) {
        let (pname, pns) = (s(pr, "/name"), s(pr, "/namespace"));
        if !pname.is_empty() {
            param = if pns.is_empty() {
                format!("*/{pname}")
            } else {
                format!("{pns}/{pname}")
            };
        } else if let Some(sel) = at(pr, "/selector").filter(|s| s.is_object()) {
            param = label_selector_debug(sel);
        }
    }
    vec![
        name(b),
        json!(s(b, "/spec/policyName")),
        json!(param),
        age(b, now),
    ]
}

fn print_volume_attachment(va: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name(va),
        json!(s(va, "/spec/attacher")),
        json!(s(va, "/spec/source/persistentVolumeName")),
        json!(s(va, "/spec/nodeName")),
        json!(at(va, "/status/attached")
            .and_then(Value::as_bool)
            .unwrap_or(false)),
        age(va, now),
    ]
}

fn print_csi_driver(d: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let flag = |ptr: &str, default: bool| at(d, ptr).and_then(Value::as_bool).unwrap_or(default);
    let modes: Vec<&str> = arr(d, "/spec/volumeLifecycleModes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let modes = if modes.is_empty() {
        "<none>".to_string()
    } else {
        modes.join(",")
    };
    let tokens = match at(d, "/spec/tokenRequests").and_then(Value::as_array) {
        Some(t) => t
            .iter()
            .map(|r| s(r, "/audience"))
            .collect::<Vec<_>>()
            .join(","),
        None => "<unset>".to_string(),
    };
    vec![
        name(d),
        json!(flag("/spec/attachRequired", true)),
        json!(flag("/spec/podInfoOnMount", false)),
        json!(flag("/spec/storageCapacity", false)),
        json!(tokens),
        json!(flag("/spec/requiresRepublish", false)),
        json!(modes),
        age(d, now),
    ]
}

fn print_resource_claim(c: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let deleted = !s(c, "/metadata/deletionTimestamp").is_empty();
    let mut states = Vec::new();
    if deleted {
        states.push("deleted");
    }
    if at(c, "/status/allocation").is_some_and(Value::is_object) {
        states.push("allocated");
        if !arr(c, "/status/reservedFor").is_empty() {
            states.push("reserved");
        }
    } else if !deleted {
        states.push("pending");
    }
    vec![name(c), json!(states.join(",")), age(c, now)]
}

fn print_resource_slice(rs: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name(rs),
        json!(s(rs, "/spec/nodeName")),
        json!(s(rs, "/spec/driver")),
        json!(s(rs, "/spec/pool/name")),
        age(rs, now),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-01-01T00:10:00Z".parse().unwrap()
    }
    const T: &str = "2026-01-01T00:00:00Z";

    #[test]
    fn volumes_and_claims_print_like_the_server() {
        let pv = json!({"metadata": {"name": "pv1", "creationTimestamp": T,
            "annotations": {"volume.beta.kubernetes.io/storage-class": "beta"}},
            "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "std",
                "claimRef": {"namespace": "ns", "name": "c"}, "volumeMode": "Filesystem"},
            "status": {"phase": "Bound"}});
        assert_eq!(
            print_persistent_volume(&pv, now()),
            vec![
                json!("pv1"),
                json!("1Gi"),
                json!("RWO,RWX"),
                json!("Retain"),
                json!("Bound"),
                json!("ns/c"),
                json!("beta"),
                json!("<unset>"),
                json!(""),
                json!("10m"),
                json!("Filesystem")
            ]
        );
        let pvc = json!({"metadata": {"name": "c", "creationTimestamp": T},
            "spec": {"storageClassName": "std", "resources": {"requests": {"storage": "1Gi"}}},
            "status": {"phase": "Pending"}});
        assert_eq!(
            print_pvc(&pvc, now()),
            vec![
                json!("c"),
                json!("Pending"),
                json!(""),
                json!(""),
                json!(""),
                json!("std"),
                json!("<unset>"),
                json!("10m"),
                json!("<unset>")
            ]
        );
    }

    #[test]
    fn api_services_show_their_service_and_availability() {
        let local = json!({"metadata": {"name": "v1.apps", "creationTimestamp": T},
            "spec": {"group": "apps", "version": "v1"},
            "status": {"conditions": [{"type": "Available", "status": "True", "reason": "Local"}]}});
        assert_eq!(
            print_api_service(&local, now()),
            vec![
                json!("v1.apps"),
                json!("Local"),
                json!("True"),
                json!("10m")
            ]
        );
        let remote = json!({"metadata": {"name": "v1beta1.metrics.k8s.io", "creationTimestamp": T},
            "spec": {"service": {"namespace": "kube-system", "name": "metrics-server"}},
            "status": {"conditions": [{"type": "Available", "status": "False",
                "reason": "MissingEndpoints"}]}});
        assert_eq!(
            print_api_service(&remote, now())[1..3],
            [
                json!("kube-system/metrics-server"),
                json!("False (MissingEndpoints)")
            ]
        );
    }

    #[test]
    fn flow_schemas_print_and_sort_by_precedence() {
        let a = json!({"metadata": {"name": "b", "creationTimestamp": T}, "spec": {
            "priorityLevelConfiguration": {"name": "workload-low"}, "matchingPrecedence": 9000,
            "distinguisherMethod": {"type": "ByUser"}},
            "status": {"conditions": [{"type": "Dangling", "status": "False"}]}});
        let b = json!({"metadata": {"name": "a", "creationTimestamp": T}, "spec": {
            "priorityLevelConfiguration": {"name": "exempt"}, "matchingPrecedence": 1}});
        assert_eq!(
            print_flow_schema(&a, now()),
            vec![
                json!("b"),
                json!("workload-low"),
                json!(9000),
                json!("ByUser"),
                json!("10m"),
                json!("False")
            ]
        );
        assert_eq!(
            print_flow_schema(&b, now())[3..],
            [json!("<none>"), json!("10m"), json!("?")]
        );
        let gr = GroupResource::new("flowcontrol.apiserver.k8s.io", "flowschemas");
        let mut items = vec![&a, &b];
        sort_rows(&gr, &mut items, |o| o);
        assert_eq!(s(items[0], "/metadata/name"), "a");
    }

    #[test]
    fn priority_levels_show_none_for_exempt() {
        let exempt = json!({"metadata": {"name": "exempt", "creationTimestamp": T},
            "spec": {"type": "Exempt", "exempt": {}}});
        assert_eq!(
            print_priority_level(&exempt, now())[1..6],
            [
                json!("Exempt"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>")
            ]
        );
        let limited = json!({"metadata": {"name": "l", "creationTimestamp": T},
            "spec": {"type": "Limited", "limited": {"nominalConcurrencyShares": 30,
                "limitResponse": {"type": "Queue", "queuing": {"queues": 64, "handSize": 6, "queueLengthLimit": 50}}}}});
        assert_eq!(
            print_priority_level(&limited, now())[2..6],
            [json!(30), json!(64), json!(6), json!(50)]
        );
    }

    #[test]
    fn policy_bindings_name_their_params() {
        let b = |pr: Value| {
            json!({"metadata": {"name": "b", "creationTimestamp": T},
            "spec": {"policyName": "p", "paramRef": pr}})
        };
        assert_eq!(
            print_policy_binding(&b(json!({"name": "x"})), now())[2],
            json!("*/x")
        );
        assert_eq!(
            print_policy_binding(&b(json!({"name": "x", "namespace": "ns"})), now())[2],
            json!("ns/x")
        );
        assert_eq!(
            print_policy_binding(&b(json!({"selector": {"matchLabels": {"b": "2", "a": "1"},
                "matchExpressions": [{"key": "k", "operator": "In", "values": ["v", "w"]}]}})), now())[2],
            json!("&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:k,Operator:In,Values:[v w],},},}")
        );
        assert_eq!(
            print_policy_binding(&b(Value::Null), now())[2],
            json!("<unset>")
        );
    }

    #[test]
    fn csi_drivers_default_their_flags() {
        let d = json!({"metadata": {"name": "d", "creationTimestamp": T}, "spec": {}});
        assert_eq!(
            print_csi_driver(&d, now())[1..7],
            [
                json!(true),
                json!(false),
                json!(false),
                json!("<unset>"),
                json!(false),
                json!("<none>")
            ]
        );
    }

    #[test]
    fn resource_claims_summarise_their_state() {
        let c = json!({"metadata": {"name": "c", "creationTimestamp": T}});
        assert_eq!(print_resource_claim(&c, now())[1], json!("pending"));
        let c = json!({"metadata": {"name": "c", "creationTimestamp": T, "deletionTimestamp": T},
            "status": {"allocation": {}, "reservedFor": [{}]}});
        assert_eq!(
            print_resource_claim(&c, now())[1],
            json!("deleted,allocated,reserved")
        );
    }
}

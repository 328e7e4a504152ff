//! Server-side printing: meta.k8s.io Table responses with kube-apiserver's columns and cells.
//!
//! Columns, cell values and cell types follow kube-apiserver v1.36's printers
//! (`pkg/printers/internalversion/printers.go`, always rendered "wide": the client drops
//! priority-1 columns itself). Kinds without a printer get the generic table (Name, Created At).
//! The Table's `metadata` is left empty: the caller sets `resourceVersion` (the list's, or the
//! object's for a single get).

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;

use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::selectors::LabelSelector;
use super::store::{GroupResource, Stored};

/// What each row's `object` holds (`?includeObject=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeObject {
    /// No object: `"object": null`.
    None,
    /// A PartialObjectMetadata with the object's metadata (the server's default).
    Metadata,
    /// The whole object.
    Object,
}

impl IncludeObject {
    /// Parses the query value (`None`, `Metadata`, `Object`); anything else is None, which the
    /// server answers with 400 `unrecognized includeObject value: "<v>"`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "None" => Some(IncludeObject::None),
            "Metadata" | "" => Some(IncludeObject::Metadata),
            "Object" => Some(IncludeObject::Object),
            _ => None,
        }
    }
}

pub use kcore::duration::human_duration;

/// Go's `duration.ShortHumanDuration`: a single unit (`59s`, `1m`, `3h`, `400d` → `1y`).
pub fn short_human_duration(d: TimeDelta) -> String {
    let nanos: i128 = d
        .num_nanoseconds()
        .map(i128::from)
        .unwrap_or_else(|| i128::from(d.num_seconds()) * 1_000_000_000);
    let seconds = nanos / 1_000_000_000;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 60 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 24 {
        return format!("{hours}h");
    }
    if hours < 24 * 365 {
        return format!("{}d", hours / 24);
    }
    format!("{}y", hours / 24 / 365)
}

/// The age of an RFC 3339 timestamp at `now`, as the printers show it; `<unknown>` when the
/// timestamp is empty or unparsable (Go's zero time).
pub fn translate_timestamp_since(ts: &str, now: DateTime<Utc>) -> String {
    match DateTime::parse_from_rfc3339(ts) {
        Ok(t) => human_duration(now - t.with_timezone(&Utc)),
        Err(_) => "<unknown>".to_string(),
    }
}

/// The Table for `items` of resource `gr`, ages computed at `now`.
pub fn table_for_at(
    gr: &GroupResource,
    items: &[Value],
    include: IncludeObject,
    now: DateTime<Utc>,
) -> Value {
    serde_json::to_value(TableView::new(gr, items.iter(), include, now)).unwrap_or_default()
}

/// A Table that borrows its row objects (a list page straight from the store): serializing it
/// writes the same JSON as [`table_for`] without copying any object.
pub struct TableView<'a> {
    /// `meta.k8s.io/v1` unless the caller negotiated another version.
    pub api_version: String,
    /// The list metadata (`resourceVersion`, `continue`, ...); empty by default.
    pub metadata: Value,
    columns: Vec<Value>,
    /// None serializes as `null` (the generic convertor's nil slice).
    rows: Option<Vec<RowView<'a>>>,
    /// Rows already written (`from_objects`), used instead of `rows` when set.
    written: Option<Vec<Box<RawValue>>>,
}

struct RowView<'a> {
    cells: Vec<Value>,
    conditions: Option<Value>,
    object: RowObject<'a>,
}

enum RowObject<'a> {
    Null,
    /// A PartialObjectMetadata around these metadata.
    Metadata(std::borrow::Cow<'a, Value>),
    Object(&'a Value),
    /// The object's JSON text as served.
    Text(&'a RawValue),
}

impl<'a> TableView<'a> {
    pub fn new(
        gr: &GroupResource,
        items: impl Iterator<Item = &'a Value>,
        include: IncludeObject,
        now: DateTime<Utc>,
    ) -> Self {
        let (cols, printer): (&[Col], Option<Printer>) = match printer_for(gr) {
            Some((cols, p)) => (cols, Some(p)),
            None => (DEFAULT_COLUMNS, None),
        };
        let columns: Vec<Value> = cols
            .iter()
            .map(|c| {
                json!({"name": c.0, "type": c.1, "format": c.2, "description": c.3, "priority": c.4})
            })
            .collect();
        let mut items: Vec<&'a Value> = items.collect();
        crate::tables_more::sort_rows(gr, &mut items, |o| o);
        let rows: Vec<RowView<'a>> = items
            .into_iter()
            .map(|obj| RowView {
                cells: match printer {
                    Some(p) => p(obj, now),
                    None => default_cells(obj),
                },
                conditions: row_conditions(gr, obj),
                object: row_object(gr, obj, include),
            })
            .collect();
        // The generic convertor appends to a nil slice, so an empty table has `"rows": null`.
        let rows = (!rows.is_empty() || printer.is_some()).then_some(rows);
        TableView {
            api_version: "meta.k8s.io/v1".to_string(),
            metadata: json!({}),
            columns,
            rows,
            written: None,
        }
    }
}

impl TableView<'static> {
    /// Like `new`, from a list page as stored: each row is written as soon as its object is
    /// decoded, and the object dropped. With `includeObject=Object` a row's object is copied
    /// from its stored text (`kind` and `apiVersion` set to the served ones, `served`), not
    /// written again from the tree: the same bytes.
    pub fn from_stored(
        gr: &GroupResource,
        items: &[Arc<Stored>],
        include: IncludeObject,
        served: (&str, &str),
        now: DateTime<Utc>,
    ) -> Self {
        let empty = TableView::new(gr, std::iter::empty(), include, now);
        let mut items: Vec<&Arc<Stored>> = items.iter().collect();
        // FlowSchemas are shown in precedence order: sorted with every object at hand.
        if gr.group == "flowcontrol.apiserver.k8s.io" && gr.resource == "flowschemas" {
            let mut decoded: Vec<(Arc<Value>, &Arc<Stored>)> =
                items.iter().map(|s| (s.value(), *s)).collect();
            crate::tables_more::sort_rows(gr, &mut decoded, |d| &d.0);
            items = decoded.into_iter().map(|d| d.1).collect();
        }
        let printer = printer_for(gr).map(|(_, p)| p);
        let rows: Vec<Box<RawValue>> = items
            .into_iter()
            .filter_map(|stored| {
                let obj = stored.value();
                let text;
                let object = match include {
                    IncludeObject::Object => match served_text(stored, &obj, served) {
                        Some(t) => {
                            text = t;
                            RowObject::Text(text.as_ref())
                        }
                        // Not an object: written as its tree is (`typed` adds nothing).
                        None => RowObject::Object(&obj),
                    },
                    _ => row_object(gr, &obj, include),
                };
                raw(&RowView {
                    cells: match printer {
                        Some(p) => p(&obj, now),
                        None => default_cells(&obj),
                    },
                    conditions: row_conditions(gr, &obj),
                    object,
                })
            })
            .collect();
        let written = (!rows.is_empty() || printer.is_some()).then_some(rows);
        TableView { written, ..empty }
    }
}

/// The stored object as served, `kind` and `apiVersion` set to `served`'s, as the text a tree
/// of it serializes to (keys sorted): the stored text itself when it already says them.
fn served_text<'a>(
    stored: &'a Stored,
    obj: &Value,
    (kind, api_version): (&str, &str),
) -> Option<std::borrow::Cow<'a, RawValue>> {
    use std::borrow::Cow;
    let m = obj.as_object()?;
    let is = |k: &str, want: &str| m.get(k).and_then(Value::as_str) == Some(want);
    if is("kind", kind) && is("apiVersion", api_version) {
        return serde_json::from_slice::<&RawValue>(stored.json())
            .ok()
            .map(Cow::Borrowed);
    }
    let kind = serde_json::to_string(kind).ok()?;
    let api_version = serde_json::to_string(api_version).ok()?;
    let mut fields: Vec<(String, &str)> = stored
        .fields()?
        .into_iter()
        .filter(|(k, _)| k != "kind" && k != "apiVersion")
        .map(|(k, v)| (k, v.get()))
        .collect();
    fields.push(("kind".into(), &kind));
    fields.push(("apiVersion".into(), &api_version));
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::with_capacity(stored.json().len() + 64);
    out.push('{');
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(k).ok()?);
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    RawValue::from_string(out).ok().map(Cow::Owned)
}

/// One row as JSON text (a row is cells and Values: it always serializes).
fn raw(row: &RowView<'_>) -> Option<Box<RawValue>> {
    serde_json::value::to_raw_value(row).ok()
}

// Keys in sorted order, as serde_json writes a `Value`'s.
impl serde::Serialize for TableView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("apiVersion", &self.api_version)?;
        m.serialize_entry("columnDefinitions", &self.columns)?;
        m.serialize_entry("kind", "Table")?;
        m.serialize_entry("metadata", &self.metadata)?;
        match &self.written {
            Some(rows) => m.serialize_entry("rows", rows)?,
            None => m.serialize_entry("rows", &self.rows)?,
        }
        m.end()
    }
}

impl serde::Serialize for RowView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("cells", &self.cells)?;
        if let Some(c) = &self.conditions {
            m.serialize_entry("conditions", c)?;
        }
        m.serialize_entry("object", &self.object)?;
        m.end()
    }
}

impl serde::Serialize for RowObject<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            RowObject::Null => s.serialize_unit(),
            RowObject::Object(o) => o.serialize(s),
            RowObject::Text(t) => t.serialize(s),
            RowObject::Metadata(meta) => {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("apiVersion", "meta.k8s.io/v1")?;
                m.serialize_entry("kind", "PartialObjectMetadata")?;
                m.serialize_entry("metadata", meta.as_ref())?;
                m.end()
            }
        }
    }
}

fn row_object<'a>(gr: &GroupResource, obj: &'a Value, include: IncludeObject) -> RowObject<'a> {
    use std::borrow::Cow;
    match include {
        // RawExtension with nothing in it serializes as null.
        IncludeObject::None => RowObject::Null,
        IncludeObject::Metadata => {
            // The printers see the internal object, whose conversion moved these annotations
            // into typed fields; the metadata shown is that of the internal object.
            let internal_only = match (gr.group.as_str(), gr.resource.as_str()) {
                ("apps", "daemonsets") => &["deprecated.daemonset.template.generation"][..],
                ("apps", "deployments") => &["deprecated.deployment.rollback.to"][..],
                _ => &[][..],
            };
            let meta = match obj.get("metadata") {
                Some(m) => m,
                None => return RowObject::Metadata(Cow::Owned(json!({}))),
            };
            // An empty map is dropped too (Go's omitempty).
            let annotations = meta.get("annotations").and_then(Value::as_object);
            if !annotations
                .is_some_and(|a| a.is_empty() || internal_only.iter().any(|k| a.contains_key(*k)))
            {
                return RowObject::Metadata(Cow::Borrowed(meta));
            }
            let mut meta = meta.clone();
            if let Some(m) = meta.as_object_mut() {
                if let Some(ann) = m.get_mut("annotations").and_then(Value::as_object_mut) {
                    for k in internal_only {
                        ann.remove(*k);
                    }
                    if ann.is_empty() {
                        m.remove("annotations");
                    }
                }
            }
            RowObject::Metadata(Cow::Owned(meta))
        }
        IncludeObject::Object => RowObject::Object(obj),
    }
}

/// Drops the column definitions, as the server does for watch events after the first
/// (`columnDefinitions: null`).
pub fn strip_headers(table: &mut Value) {
    if let Some(m) = table.as_object_mut() {
        m.insert("columnDefinitions".to_string(), Value::Null);
    }
}

fn row_conditions(gr: &GroupResource, obj: &Value) -> Option<Value> {
    if !(gr.group.is_empty() && gr.resource == "pods") {
        return None;
    }
    let (reason, message) = match at(obj, "/status/phase").and_then(Value::as_str) {
        Some("Succeeded") => ("Succeeded", "The pod has completed successfully."),
        Some("Failed") => ("Failed", "The pod failed."),
        _ => return None,
    };
    Some(json!([{"type": "Completed", "status": "True", "reason": reason, "message": message}]))
}

/// A column: name, type, format, description, priority.
pub(crate) type Col = (&'static str, &'static str, &'static str, &'static str, u8);
pub(crate) type Printer = fn(&Value, DateTime<Utc>) -> Vec<Value>;

/// A string column shown by default (priority 0).
pub(crate) const fn col(name: &'static str, description: &'static str) -> Col {
    (name, "string", "", description, 0)
}

/// A string column only `-o wide` shows (priority 1).
pub(crate) const fn wide(name: &'static str, description: &'static str) -> Col {
    (name, "string", "", description, 1)
}

/// An integer column shown by default.
pub(crate) const fn integer(name: &'static str, description: &'static str) -> Col {
    (name, "integer", "", description, 0)
}

/// A boolean column shown by default.
pub(crate) const fn boolean(name: &'static str, description: &'static str) -> Col {
    (name, "boolean", "", description, 0)
}

pub(crate) const NAME: Col = (
    "Name",
    "string",
    "name",
    "Name of the object, unique within its namespace.",
    0,
);
pub(crate) const AGE: Col = col("Age", "Time since the object was created.");
pub(crate) const CONTAINERS: Col = wide("Containers", "Names of each container in the template.");
pub(crate) const IMAGES: Col = wide(
    "Images",
    "Images referenced by each container in the template.",
);

const DEFAULT_COLUMNS: &[Col] = &[
    NAME,
    ("Created At", "date", "", "Time the object was created.", 0),
];

const POD_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Ready",
        "The aggregate readiness state of this pod for accepting traffic.",
    ),
    col(
        "Status",
        "The aggregate status of the containers in this pod.",
    ),
    col(
        "Restarts",
        "Container restarts, and how long ago the last one was.",
    ),
    AGE,
    wide("IP", "The pod's first IP address."),
    wide("Node", "The node the pod is bound to."),
    wide(
        "Nominated Node",
        "The node the scheduler nominated for preemption.",
    ),
    wide(
        "Readiness Gates",
        "Readiness gates whose condition is true, of all gates.",
    ),
];

const DAEMONSET_COLUMNS: &[Col] = &[
    NAME,
    integer("Desired", "Number of nodes that should run the daemon pod."),
    integer(
        "Current",
        "Number of nodes running at least one daemon pod.",
    ),
    integer("Ready", "Number of nodes whose daemon pod is ready."),
    integer(
        "Up-to-date",
        "Number of nodes running the updated daemon pod.",
    ),
    integer(
        "Available",
        "Number of nodes whose daemon pod is available.",
    ),
    col("Node Selector", "The pod template's node selector."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "Label query over the pods of this daemon set."),
];

const DEPLOYMENT_COLUMNS: &[Col] = &[
    NAME,
    col("Ready", "Number of the pod with ready state"),
    col("Up-to-date", "Number of pods running the latest template."),
    col("Available", "Number of available pods."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "Label query over the pods of this deployment."),
];

const REPLICASET_COLUMNS: &[Col] = &[
    NAME,
    integer("Desired", "Number of desired pods."),
    integer("Current", "Number of pods that exist."),
    integer("Ready", "Number of ready pods."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "Label query over the pods of this replica set."),
];

const STATEFULSET_COLUMNS: &[Col] = &[
    NAME,
    col("Ready", "Number of the pod with ready state"),
    AGE,
    CONTAINERS,
    IMAGES,
];

const NODE_COLUMNS: &[Col] = &[
    NAME,
    col("Status", "The status of the node"),
    col("Roles", "The roles of the node"),
    AGE,
    col("Version", "Kubelet version."),
    wide("Internal-IP", "The node's first internal IP address."),
    wide("External-IP", "The node's first external IP address."),
    wide("OS-Image", "OS image reported by the node."),
    wide(
        "Kernel-Version",
        "Kernel version and architecture reported by the node.",
    ),
    wide(
        "Container-Runtime",
        "Container runtime version reported by the node.",
    ),
];

const NAMESPACE_COLUMNS: &[Col] = &[NAME, col("Status", "The status of the namespace"), AGE];

const SERVICE_COLUMNS: &[Col] = &[
    NAME,
    col("Type", "How the service is exposed."),
    col("Cluster-IP", "The service's cluster IP address."),
    col(
        "External-IP",
        "External addresses the service is reachable at.",
    ),
    col("Port(s)", "The ports the service exposes."),
    AGE,
    wide("Selector", "Labels of the pods the service routes to."),
];

const ENDPOINTS_COLUMNS: &[Col] = &[
    NAME,
    col("Endpoints", "Addresses and ports of the endpoints."),
    AGE,
];

const CONFIGMAP_COLUMNS: &[Col] = &[
    NAME,
    col("Data", "Number of data and binary data keys."),
    AGE,
];

const RESOURCEQUOTA_COLUMNS: &[Col] = &[
    NAME,
    col("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
    col("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
    AGE,
];

const ENDPOINTSLICE_COLUMNS: &[Col] = &[
    NAME,
    col(
        "AddressType",
        "addressType specifies the type of address carried by this EndpointSlice.",
    ),
    col(
        "Ports",
        "ports specifies the list of network ports exposed by each endpoint in this slice.",
    ),
    col(
        "Endpoints",
        "endpoints is a list of unique endpoints in this slice.",
    ),
    AGE,
];

const SECRET_COLUMNS: &[Col] = &[
    NAME,
    col("Type", "The secret's type."),
    col("Data", "Number of data keys."),
    AGE,
];

const SERVICEACCOUNT_COLUMNS: &[Col] = &[NAME, AGE];

const EVENT_COLUMNS: &[Col] = &[
    col("Last Seen", "Time since the event was last seen."),
    col("Type", "Type of the event (Normal, Warning)."),
    col("Reason", "Short reason for the event."),
    col("Object", "The object the event is about."),
    wide("Subobject", "The part of the object the event is about."),
    wide("Source", "The component that reported the event."),
    col("Message", "Description of the event."),
    wide("First Seen", "Time since the event was first seen."),
    wide("Count", "Number of times the event occurred."),
    (
        "Name",
        "string",
        "name",
        "Name of the object, unique within its namespace.",
        1,
    ),
];

const CONTROLLERREVISION_COLUMNS: &[Col] = &[
    NAME,
    col("Controller", "Controller of the object"),
    col("Revision", "The revision number of this state."),
    AGE,
];

const LEASE_COLUMNS: &[Col] = &[NAME, col("Holder", "Identity of the lease holder."), AGE];

const JOB_COLUMNS: &[Col] = &[
    NAME,
    col("Status", "Status of the job."),
    col("Completions", "Succeeded pods of the desired completions."),
    col("Duration", "Time required to complete the job."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "Label query over the pods of this job."),
];

const CRONJOB_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Schedule",
        "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
    ),
    col("Timezone", "The time zone name for the given schedule."),
    boolean(
        "Suspend",
        "This flag tells the controller to suspend subsequent executions.",
    ),
    integer("Active", "A list of pointers to currently running jobs."),
    col(
        "Last Schedule",
        "Information when was the last time the job was successfully scheduled.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    wide(
        "Selector",
        "A label query over pods that should match the pod count.",
    ),
];

fn printer_for(gr: &GroupResource) -> Option<(&'static [Col], Printer)> {
    Some(match (gr.group.as_str(), gr.resource.as_str()) {
        ("", "pods") => (POD_COLUMNS, print_pod),
        ("", "nodes") => (NODE_COLUMNS, print_node),
        ("", "namespaces") => (NAMESPACE_COLUMNS, print_namespace),
        ("", "services") => (SERVICE_COLUMNS, print_service),
        ("", "endpoints") => (ENDPOINTS_COLUMNS, print_endpoints),
        ("", "configmaps") => (CONFIGMAP_COLUMNS, print_configmap),
        ("", "secrets") => (SECRET_COLUMNS, print_secret),
        ("", "resourcequotas") => (RESOURCEQUOTA_COLUMNS, print_resourcequota),
        // The real LimitRange printer has the generic columns (name, creation time).
        ("", "limitranges") => (DEFAULT_COLUMNS, print_limitrange),
        ("", "serviceaccounts") => (SERVICEACCOUNT_COLUMNS, print_serviceaccount),
        ("", "events") => (EVENT_COLUMNS, print_event),
        ("events.k8s.io", "events") => (EVENT_COLUMNS, print_events_k8s_io),
        ("apps", "daemonsets") => (DAEMONSET_COLUMNS, print_daemonset),
        ("apps", "deployments") => (DEPLOYMENT_COLUMNS, print_deployment),
        ("apps", "replicasets") => (REPLICASET_COLUMNS, print_replicaset),
        ("apps", "statefulsets") => (STATEFULSET_COLUMNS, print_statefulset),
        ("apps", "controllerrevisions") => (CONTROLLERREVISION_COLUMNS, print_controllerrevision),
        ("coordination.k8s.io", "leases") => (LEASE_COLUMNS, print_lease),
        ("discovery.k8s.io", "endpointslices") => (ENDPOINTSLICE_COLUMNS, print_endpointslice),
        ("batch", "jobs") => (JOB_COLUMNS, print_job),
        ("batch", "cronjobs") => (CRONJOB_COLUMNS, print_cronjob),
        _ => return crate::tables_groups::printer_for(gr),
    })
}

// ---- cell helpers ----

/// `Value::pointer` without its unescaping allocations (the printers' paths have no `~`): a
/// table of thousands of pods looks up a dozen fields per row.
pub(crate) fn at<'a>(obj: &'a Value, ptr: &str) -> Option<&'a Value> {
    let path = ptr.strip_prefix('/')?;
    path.split('/').try_fold(obj, |v, key| match v {
        Value::Object(m) => m.get(key),
        Value::Array(a) => a.get(key.parse::<usize>().ok()?),
        _ => None,
    })
}

pub(crate) fn s<'a>(obj: &'a Value, ptr: &str) -> &'a str {
    at(obj, ptr).and_then(Value::as_str).unwrap_or_default()
}

pub(crate) fn i(obj: &Value, ptr: &str) -> i64 {
    at(obj, ptr).and_then(Value::as_i64).unwrap_or(0)
}

pub(crate) fn arr<'a>(obj: &'a Value, ptr: &str) -> &'a [Value] {
    at(obj, ptr)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

pub(crate) fn name(obj: &Value) -> Value {
    json!(s(obj, "/metadata/name"))
}

pub(crate) fn age(obj: &Value, now: DateTime<Utc>) -> Value {
    json!(translate_timestamp_since(
        s(obj, "/metadata/creationTimestamp"),
        now
    ))
}

pub(crate) fn or_none(v: &str) -> String {
    if v.is_empty() {
        "<none>".to_string()
    } else {
        v.to_string()
    }
}

/// `labels.FormatLabels`: sorted `k=v` joined by commas, `<none>` when empty.
pub(crate) fn format_labels(m: Option<&Value>) -> String {
    let Some(m) = m.and_then(Value::as_object).filter(|m| !m.is_empty()) else {
        return "<none>".to_string();
    };
    // serde_json maps iterate in key order.
    m.iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(",")
}

/// `metav1.FormatLabelSelector`: `<none>` for nil/empty, `<error>` for an invalid one.
pub(crate) fn format_label_selector(sel: Option<&Value>) -> String {
    match LabelSelector::from_label_selector_json(sel.unwrap_or(&Value::Null)) {
        Ok(s) => or_none(&s.to_string()),
        Err(_) => "<error>".to_string(),
    }
}

/// Container names and images, each joined by commas.
pub(crate) fn container_cells(containers: &[Value]) -> (Value, Value) {
    let names: Vec<&str> = containers
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default())
        .collect();
    let images: Vec<&str> = containers
        .iter()
        .map(|c| c["image"].as_str().unwrap_or_default())
        .collect();
    (json!(names.join(",")), json!(images.join(",")))
}

/// Where a workload keeps its pod template's containers.
pub(crate) const TEMPLATE_CONTAINERS: &str = "/spec/template/spec/containers";

/// A workload's row as kube-apiserver's printers lay it out: the name, the printer's own
/// cells, then AGE, CONTAINERS and IMAGES (`layoutContainerCells`, of the containers at
/// `containers`) and, for the printers that show one, the SELECTOR.
pub(crate) fn workload_row(
    obj: &Value,
    own: impl IntoIterator<Item = Value>,
    now: DateTime<Utc>,
    containers: &str,
    selector: Option<String>,
) -> Vec<Value> {
    let (names, images) = container_cells(arr(obj, containers));
    let mut row = vec![name(obj)];
    row.extend(own);
    row.extend([age(obj, now), names, images]);
    row.extend(selector.map(Value::from));
    row
}

/// The row of ReplicaSets and ReplicationControllers (DESIRED, CURRENT, READY, ...): the two
/// printers differ only in how they print the selector.
pub(crate) fn replicas_row(obj: &Value, now: DateTime<Utc>, selector: String) -> Vec<Value> {
    let counts = [
        json!(i(obj, "/spec/replicas")),
        json!(i(obj, "/status/replicas")),
        json!(i(obj, "/status/readyReplicas")),
    ];
    workload_row(obj, counts, now, TEMPLATE_CONTAINERS, Some(selector))
}

/// READY as `ready/desired` (Deployments, StatefulSets).
fn ready_of_desired(obj: &Value) -> Value {
    json!(format!(
        "{}/{}",
        i(obj, "/status/readyReplicas"),
        i(obj, "/spec/replicas")
    ))
}

// ---- printers ----

fn default_cells(obj: &Value) -> Vec<Value> {
    let ts = s(obj, "/metadata/creationTimestamp");
    let created = DateTime::parse_from_rfc3339(ts)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        })
        .unwrap_or_else(|_| "0001-01-01T00:00:00Z".to_string());
    vec![name(obj), json!(created)]
}

fn parse_time(ts: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn is_restartable_init(c: Option<&Value>) -> bool {
    c.is_some_and(|c| c["restartPolicy"] == "Always")
}

fn print_pod(pod: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let mut restarts: i64 = 0;
    let mut sidecar_restarts: i64 = 0;
    let mut total = arr(pod, "/spec/containers").len();
    let mut ready = 0;
    let mut last_restart: Option<DateTime<Utc>> = None;
    let mut last_sidecar_restart: Option<DateTime<Utc>> = None;
    let phase = s(pod, "/status/phase");
    let mut reason = phase.to_string();
    let status_reason = s(pod, "/status/reason");
    if !status_reason.is_empty() {
        reason = status_reason.to_string();
    }
    let conditions = arr(pod, "/status/conditions");
    if conditions
        .iter()
        .any(|c| c["type"] == "PodScheduled" && c["reason"] == "SchedulingGated")
    {
        reason = "SchedulingGated".to_string();
    }
    let init_specs = arr(pod, "/spec/initContainers");
    total += init_specs
        .iter()
        .filter(|c| is_restartable_init(Some(c)))
        .count();
    let init_spec = |n: &str| init_specs.iter().find(|c| c["name"] == n);
    let later = |cur: &mut Option<DateTime<Utc>>, c: &Value| {
        if let Some(t) = at(c, "/lastState/terminated/finishedAt")
            .and_then(Value::as_str)
            .and_then(parse_time)
        {
            if cur.is_none_or(|x| x < t) {
                *cur = Some(t);
            }
        }
    };

    let mut initializing = false;
    let init_statuses = arr(pod, "/status/initContainerStatuses");
    for (idx, c) in init_statuses.iter().enumerate() {
        restarts = restarts.saturating_add(c["restartCount"].as_i64().unwrap_or(0));
        later(&mut last_restart, c);
        let sidecar = is_restartable_init(init_spec(c["name"].as_str().unwrap_or_default()));
        if sidecar {
            sidecar_restarts =
                sidecar_restarts.saturating_add(c["restartCount"].as_i64().unwrap_or(0));
            later(&mut last_sidecar_restart, c);
        }
        let term = at(c, "/state/terminated");
        let waiting_reason = s(c, "/state/waiting/reason");
        if term.is_some_and(|t| t["exitCode"].as_i64().unwrap_or(0) == 0) {
            continue;
        }
        if sidecar && c["started"] == true {
            if c["ready"] == true {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = term {
            let r = t["reason"].as_str().unwrap_or_default();
            reason = if r.is_empty() {
                let sig = t["signal"].as_i64().unwrap_or(0);
                if sig != 0 {
                    format!("Init:Signal:{sig}")
                } else {
                    format!("Init:ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0))
                }
            } else {
                format!("Init:{r}")
            };
        } else if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" {
            reason = format!("Init:{waiting_reason}");
        } else {
            reason = format!("Init:{idx}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    let initialized = conditions
        .iter()
        .any(|c| c["type"] == "Initialized" && c["status"] == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        for c in arr(pod, "/status/containerStatuses").iter().rev() {
            restarts = restarts.saturating_add(c["restartCount"].as_i64().unwrap_or(0));
            later(&mut last_restart, c);
            let waiting = s(c, "/state/waiting/reason");
            let term = at(c, "/state/terminated");
            if !waiting.is_empty() {
                reason = waiting.to_string();
            } else if let Some(t) = term {
                let r = t["reason"].as_str().unwrap_or_default();
                reason = if !r.is_empty() {
                    r.to_string()
                } else if t["signal"].as_i64().unwrap_or(0) != 0 {
                    format!("Signal:{}", t["signal"].as_i64().unwrap_or(0))
                } else {
                    format!("ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0))
                };
            } else if c["ready"] == true && at(c, "/state/running").is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = conditions
                .iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.to_string();
        }
    }

    let deleting = at(pod, "/metadata/deletionTimestamp").is_some_and(|v| !v.is_null());
    if deleting && status_reason == "NodeLost" {
        reason = "Unknown".to_string();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".to_string();
    }

    let restarts_str = match last_restart {
        Some(t) if restarts != 0 => format!("{restarts} ({} ago)", human_duration(now - t)),
        _ => restarts.to_string(),
    };

    let gates = arr(pod, "/spec/readinessGates");
    let readiness_gates = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let true_count = gates
            .iter()
            .filter(|g| {
                conditions
                    .iter()
                    .find(|c| c["type"] == g["conditionType"])
                    .is_some_and(|c| c["status"] == "True")
            })
            .count();
        format!("{true_count}/{}", gates.len())
    };
    vec![
        name(pod),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts_str),
        age(pod, now),
        json!(or_none(s(pod, "/status/podIPs/0/ip"))),
        json!(or_none(s(pod, "/spec/nodeName"))),
        json!(or_none(s(pod, "/status/nominatedNodeName"))),
        json!(readiness_gates),
    ]
}

fn print_daemonset(ds: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let own = [
        json!(i(ds, "/status/desiredNumberScheduled")),
        json!(i(ds, "/status/currentNumberScheduled")),
        json!(i(ds, "/status/numberReady")),
        json!(i(ds, "/status/updatedNumberScheduled")),
        json!(i(ds, "/status/numberAvailable")),
        json!(format_labels(at(ds, "/spec/template/spec/nodeSelector"))),
    ];
    let selector = format_label_selector(at(ds, "/spec/selector"));
    workload_row(ds, own, now, TEMPLATE_CONTAINERS, Some(selector))
}

fn print_deployment(d: &Value, now: DateTime<Utc>) -> Vec<Value> {
    // LabelSelectorAsSelector(...).String(): no `<none>` here, a nil selector prints empty.
    let selector = match LabelSelector::from_label_selector_json(
        at(d, "/spec/selector").unwrap_or(&Value::Null),
    ) {
        Ok(s) => s.to_string(),
        Err(_) => "<invalid>".to_string(),
    };
    let own = [
        ready_of_desired(d),
        json!(i(d, "/status/updatedReplicas")),
        json!(i(d, "/status/availableReplicas")),
    ];
    workload_row(d, own, now, TEMPLATE_CONTAINERS, Some(selector))
}

fn print_replicaset(rs: &Value, now: DateTime<Utc>) -> Vec<Value> {
    replicas_row(rs, now, format_label_selector(at(rs, "/spec/selector")))
}

fn print_statefulset(ss: &Value, now: DateTime<Utc>) -> Vec<Value> {
    workload_row(ss, [ready_of_desired(ss)], now, TEMPLATE_CONTAINERS, None)
}

fn print_node(node: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let mut status: Vec<String> = Vec::new();
    // The last Ready condition wins, as in the map the Go printer builds.
    if let Some(c) = arr(node, "/status/conditions")
        .iter()
        .rev()
        .find(|c| c["type"] == "Ready")
    {
        status.push(
            if c["status"] == "True" {
                "Ready"
            } else {
                "NotReady"
            }
            .to_string(),
        );
    }
    if status.is_empty() {
        status.push("Unknown".to_string());
    }
    if at(node, "/spec/unschedulable") == Some(&json!(true)) {
        status.push("SchedulingDisabled".to_string());
    }
    let mut roles: Vec<String> = Vec::new();
    if let Some(labels) = at(node, "/metadata/labels").and_then(Value::as_object) {
        for (k, v) in labels {
            let role = if let Some(r) = k.strip_prefix("node-role.kubernetes.io/") {
                r.to_string()
            } else if k == "kubernetes.io/role" {
                v.as_str().unwrap_or_default().to_string()
            } else {
                continue;
            };
            if !role.is_empty() && !roles.contains(&role) {
                roles.push(role);
            }
        }
    }
    roles.sort();
    let address = |ty: &str| {
        arr(node, "/status/addresses")
            .iter()
            .find(|a| a["type"] == ty)
            .and_then(|a| a["address"].as_str())
            .unwrap_or("<none>")
            .to_string()
    };
    let unknown = |v: &str| {
        if v.is_empty() {
            "<unknown>".to_string()
        } else {
            v.to_string()
        }
    };
    let mut kernel = unknown(s(node, "/status/nodeInfo/kernelVersion"));
    let arch = s(node, "/status/nodeInfo/architecture");
    if !arch.is_empty() {
        kernel = format!("{kernel} ({arch})");
    }
    vec![
        name(node),
        json!(status.join(",")),
        json!(if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        }),
        age(node, now),
        json!(s(node, "/status/nodeInfo/kubeletVersion")),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        json!(unknown(s(node, "/status/nodeInfo/osImage"))),
        json!(kernel),
        json!(unknown(s(node, "/status/nodeInfo/containerRuntimeVersion"))),
    ]
}

fn print_namespace(ns: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name(ns), json!(s(ns, "/status/phase")), age(ns, now)]
}

fn service_external_ip(svc: &Value) -> String {
    let external: Vec<&str> = arr(svc, "/spec/externalIPs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    match s(svc, "/spec/type") {
        "ClusterIP" | "NodePort" => {
            if external.is_empty() {
                "<none>".to_string()
            } else {
                external.join(",")
            }
        }
        "LoadBalancer" => {
            let mut lb: Vec<String> = arr(svc, "/status/loadBalancer/ingress")
                .iter()
                .filter_map(|ing| {
                    let ip = ing["ip"].as_str().unwrap_or_default();
                    let host = ing["hostname"].as_str().unwrap_or_default();
                    if !ip.is_empty() {
                        Some(ip.to_string())
                    } else if !host.is_empty() {
                        Some(host.to_string())
                    } else {
                        None
                    }
                })
                .collect();
            lb.sort();
            lb.dedup();
            let mut lb_ips = lb.join(",");
            // The server always prints wide, so the 16-byte clipping never applies here.
            if !external.is_empty() {
                let mut all: Vec<String> = if lb_ips.is_empty() { Vec::new() } else { lb };
                all.extend(external.iter().map(|s| s.to_string()));
                return all.join(",");
            }
            if lb_ips.is_empty() {
                lb_ips = "<pending>".to_string();
            }
            lb_ips
        }
        "ExternalName" => s(svc, "/spec/externalName").to_string(),
        _ => "<unknown>".to_string(),
    }
}

fn print_service(svc: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let ports: Vec<String> = arr(svc, "/spec/ports")
        .iter()
        .map(|p| {
            let port = p["port"].as_i64().unwrap_or(0);
            let proto = p["protocol"].as_str().unwrap_or_default();
            match p["nodePort"].as_i64().filter(|n| *n > 0) {
                Some(np) => format!("{port}:{np}/{proto}"),
                None => format!("{port}/{proto}"),
            }
        })
        .collect();
    let ports = if ports.is_empty() {
        "<none>".to_string()
    } else {
        ports.join(",")
    };
    vec![
        name(svc),
        json!(s(svc, "/spec/type")),
        json!(or_none(s(svc, "/spec/clusterIPs/0"))),
        json!(service_external_ip(svc)),
        json!(ports),
        age(svc, now),
        json!(format_labels(at(svc, "/spec/selector"))),
    ]
}

/// `formatEndpoints`: up to three `ip:port` entries, then `+ N more...`.
fn format_endpoints(ep: &Value) -> String {
    let subsets = arr(ep, "/subsets");
    if subsets.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for ss in subsets {
        let addrs = arr(ss, "/addresses");
        let ports = arr(ss, "/ports");
        if ports.is_empty() {
            count += addrs.len();
            for a in addrs {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(a["ip"].as_str().unwrap_or_default().to_string());
            }
            continue;
        }
        for p in ports {
            count += addrs.len();
            for a in addrs {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                let ip = a["ip"].as_str().unwrap_or_default();
                let port = p["port"].as_i64().unwrap_or(0);
                // net.JoinHostPort brackets IPv6 addresses.
                list.push(if ip.contains(':') {
                    format!("[{ip}]:{port}")
                } else {
                    format!("{ip}:{port}")
                });
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count - MAX)
    } else {
        ret
    }
}

fn print_endpoints(ep: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name(ep), json!(format_endpoints(ep)), age(ep, now)]
}

fn map_len(obj: &Value, ptr: &str) -> i64 {
    at(obj, ptr)
        .and_then(Value::as_object)
        .map_or(0, |m| m.len() as i64)
}

fn print_configmap(cm: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name(cm),
        json!(map_len(cm, "/data") + map_len(cm, "/binaryData")),
        age(cm, now),
    ]
}

/// `used/hard` (from the status, `0` when not counted yet) per resource of `spec.hard`, in
/// name order: `limits.*` in the Limit column, everything else in Request, as the real
/// printer splits them.
fn print_resourcequota(q: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let mut request = vec![];
    let mut limit = vec![];
    let status = |part: &str, res: &str| {
        at(q, &format!("/status/{part}"))
            .and_then(|u| u.get(res))
            .and_then(Value::as_str)
            .unwrap_or("0")
            .to_string()
    };
    if let Some(hard) = at(q, "/spec/hard").and_then(Value::as_object) {
        for res in hard.keys() {
            let cell = format!("{res}: {}/{}", status("used", res), status("hard", res));
            if res.split('.').next() == Some("limits") && res.contains('.') {
                limit.push(cell);
            } else {
                request.push(cell);
            }
        }
    }
    vec![
        name(q),
        json!(request.join(", ")),
        json!(limit.join(", ")),
        age(q, now),
    ]
}

fn print_limitrange(lr: &Value, _now: DateTime<Utc>) -> Vec<Value> {
    vec![name(lr), json!(s(lr, "/metadata/creationTimestamp"))]
}

/// The first three of `items`, then ` + N more...`; `<unset>` when there are none.
fn first_three(items: Vec<String>) -> String {
    let shown = items.iter().take(3).cloned().collect::<Vec<_>>().join(",");
    match items.len() {
        0 => "<unset>".to_string(),
        n if n > 3 => format!("{shown} + {} more...", n - 3),
        _ => shown,
    }
}

fn print_endpointslice(es: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let list = |key: &str| {
        es.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    // A port without a number shows its name, and `*` when it has neither.
    let ports = list("ports")
        .iter()
        .map(
            |p| match (p.get("port").and_then(Value::as_i64), p.get("name")) {
                (Some(n), _) => n.to_string(),
                (None, Some(Value::String(name))) => name.clone(),
                _ => "*".to_string(),
            },
        )
        .collect();
    let addresses = list("endpoints")
        .iter()
        .flat_map(|e| {
            e.get("addresses")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .map(|a| a.as_str().unwrap_or_default().to_string())
        .collect();
    vec![
        name(es),
        json!(s(es, "/addressType")),
        json!(first_three(ports)),
        json!(first_three(addresses)),
        age(es, now),
    ]
}

fn print_secret(sec: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name(sec),
        json!(s(sec, "/type")),
        json!(map_len(sec, "/data")),
        age(sec, now),
    ]
}

fn print_serviceaccount(sa: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name(sa), age(sa, now)]
}

/// Core Event fields, however they were supplied.
struct EventView<'a> {
    first: &'a str,
    last: &'a str,
    event_time: &'a str,
    count: i64,
    series: Option<(i64, &'a str)>,
    kind: &'a str,
    object_name: &'a str,
    field_path: &'a str,
    component: &'a str,
    host: &'a str,
    reporting_controller: &'a str,
    reporting_instance: &'a str,
    message: &'a str,
}

fn event_cells(ev: &Value, v: EventView, now: DateTime<Utc>) -> Vec<Value> {
    let since = |t: &str| match parse_time(t) {
        Some(t) => human_duration(now - t),
        None => "<unknown>".to_string(),
    };
    let first = if parse_time(v.first).is_some() {
        since(v.first)
    } else {
        since(v.event_time)
    };
    let mut last = if parse_time(v.last).is_some() {
        since(v.last)
    } else {
        first.clone()
    };
    let mut count = v.count;
    if let Some((c, observed)) = v.series {
        last = since(observed);
        count = c;
    } else if count == 0 {
        count = 1;
    }
    let target = if v.object_name.is_empty() {
        v.kind.to_lowercase()
    } else {
        format!("{}/{}", v.kind.to_lowercase(), v.object_name)
    };
    let component = if v.component.is_empty() {
        v.reporting_controller
    } else {
        v.component
    };
    let instance = if v.host.is_empty() {
        v.reporting_instance
    } else {
        v.host
    };
    let source = if instance.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {instance}")
    };
    vec![
        json!(last),
        json!(s(ev, "/type")),
        json!(s(ev, "/reason")),
        json!(target),
        json!(v.field_path),
        json!(source),
        json!(v.message.trim()),
        json!(first),
        json!(count),
        name(ev),
    ]
}

fn series(ev: &Value) -> Option<(i64, &str)> {
    ev.get("series").filter(|s| s.is_object()).map(|sr| {
        (
            sr["count"].as_i64().unwrap_or(0),
            sr["lastObservedTime"].as_str().unwrap_or_default(),
        )
    })
}

impl<'a> EventView<'a> {
    /// Reads the core/v1 fields of `ev`, each at `field(core path)`.
    fn read(ev: &'a Value, field: fn(&'static str) -> &'static str) -> Self {
        let f = |core| s(ev, field(core));
        EventView {
            first: f("/firstTimestamp"),
            last: f("/lastTimestamp"),
            event_time: f("/eventTime"),
            count: i(ev, field("/count")),
            series: series(ev),
            kind: f("/involvedObject/kind"),
            object_name: f("/involvedObject/name"),
            field_path: f("/involvedObject/fieldPath"),
            component: f("/source/component"),
            host: f("/source/host"),
            reporting_controller: f("/reportingComponent"),
            reporting_instance: f("/reportingInstance"),
            message: f("/message"),
        }
    }
}

fn print_event(ev: &Value, now: DateTime<Utc>) -> Vec<Value> {
    event_cells(ev, EventView::read(ev, |core| core), now)
}

/// events.k8s.io/v1 names the same fields differently; the server converts it to the core
/// Event to print it.
fn print_events_k8s_io(ev: &Value, now: DateTime<Utc>) -> Vec<Value> {
    event_cells(ev, EventView::read(ev, events_k8s_io_field), now)
}

/// Where an events.k8s.io/v1 Event keeps a core/v1 Event's field (its conversion).
fn events_k8s_io_field(core: &'static str) -> &'static str {
    match core {
        "/firstTimestamp" => "/deprecatedFirstTimestamp",
        "/lastTimestamp" => "/deprecatedLastTimestamp",
        "/count" => "/deprecatedCount",
        "/involvedObject/kind" => "/regarding/kind",
        "/involvedObject/name" => "/regarding/name",
        "/involvedObject/fieldPath" => "/regarding/fieldPath",
        "/source/component" => "/deprecatedSource/component",
        "/source/host" => "/deprecatedSource/host",
        "/reportingComponent" => "/reportingController",
        "/message" => "/note",
        same => same,
    }
}

fn print_controllerrevision(cr: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let controller = arr(cr, "/metadata/ownerReferences")
        .iter()
        .find(|o| o["controller"] == true)
        .map(|o| {
            let api_version = o["apiVersion"].as_str().unwrap_or_default();
            let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
            let kind = o["kind"].as_str().unwrap_or_default();
            let n = o["name"].as_str().unwrap_or_default();
            if kind.is_empty() && group.is_empty() {
                n.to_string()
            } else if group.is_empty() {
                format!("{}/{n}", kind.to_lowercase())
            } else {
                format!("{}.{}/{n}", kind.to_lowercase(), group.to_lowercase())
            }
        })
        .unwrap_or_else(|| "<none>".to_string());
    vec![
        name(cr),
        json!(controller),
        json!(i(cr, "/revision")),
        age(cr, now),
    ]
}

fn print_lease(l: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name(l), json!(s(l, "/spec/holderIdentity")), age(l, now)]
}

fn print_job(job: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let succeeded = i(job, "/status/succeeded");
    let completions = match at(job, "/spec/completions").and_then(Value::as_i64) {
        Some(c) => format!("{succeeded}/{c}"),
        None => {
            let par = i(job, "/spec/parallelism");
            if par > 1 {
                format!("{succeeded}/1 of {par}")
            } else {
                format!("{succeeded}/1")
            }
        }
    };
    let start = parse_time(s(job, "/status/startTime"));
    let end = parse_time(s(job, "/status/completionTime"));
    let duration = match (start, end) {
        (None, _) => String::new(),
        (Some(st), None) => human_duration(now - st),
        (Some(st), Some(en)) => human_duration(en - st),
    };
    let conds = arr(job, "/status/conditions");
    let has = |t: &str| {
        conds
            .iter()
            .find(|c| c["type"] == t)
            .is_some_and(|c| c["status"] == "True")
    };
    let deleting = at(job, "/metadata/deletionTimestamp").is_some_and(|v| !v.is_null());
    let status = if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else if deleting {
        "Terminating"
    } else if has("Suspended") {
        "Suspended"
    } else if has("FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    };
    let own = [json!(status), json!(completions), json!(duration)];
    let selector = format_label_selector(at(job, "/spec/selector"));
    workload_row(job, own, now, TEMPLATE_CONTAINERS, Some(selector))
}

/// `printBoolPtr`: "<unset>" for a missing value.
fn bool_cell(v: Option<&Value>) -> String {
    match v.and_then(Value::as_bool) {
        Some(true) => "True".to_string(),
        Some(false) => "False".to_string(),
        None => "<unset>".to_string(),
    }
}

fn print_cronjob(cj: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let last = match s(cj, "/status/lastScheduleTime") {
        "" => "<none>".to_string(),
        ts => translate_timestamp_since(ts, now),
    };
    let tz = at(cj, "/spec/timeZone")
        .and_then(Value::as_str)
        .unwrap_or("<none>");
    let own = [
        json!(s(cj, "/spec/schedule")),
        json!(tz),
        json!(bool_cell(at(cj, "/spec/suspend"))),
        json!(arr(cj, "/status/active").len()),
        json!(last),
    ];
    let containers = "/spec/jobTemplate/spec/template/spec/containers";
    let selector = format_label_selector(at(cj, "/spec/jobTemplate/spec/selector"));
    workload_row(cj, own, now, containers, Some(selector))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::tests::{arb_object, RESOURCES};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn printing_never_panics(objs in prop::collection::vec(arb_object(), 0..3), idx in 0..RESOURCES.len()) {
            let (g, r) = RESOURCES[idx];
            let now = at("2026-11-27T20:00:00Z");
            for include in [IncludeObject::None, IncludeObject::Metadata, IncludeObject::Object] {
                let t = table(g, r, &objs, include, now);
                let ncols = t["columnDefinitions"].as_array().unwrap().len();
                for row in t["rows"].as_array().into_iter().flatten() {
                    prop_assert_eq!(row["cells"].as_array().unwrap().len(), ncols);
                }
            }
        }
    }

    use crate::testfixtures::fixture_json as fixture;

    fn at(ts: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(ts)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn gr(g: &str, r: &str) -> GroupResource {
        GroupResource::new(g, r)
    }

    fn table(
        g: &str,
        r: &str,
        items: &[Value],
        include: IncludeObject,
        now: DateTime<Utc>,
    ) -> Value {
        table_for_at(&gr(g, r), items, include, now)
    }

    fn daemonset_table(ds: &Value, include: IncludeObject, now: DateTime<Utc>) -> Value {
        table("apps", "daemonsets", std::slice::from_ref(ds), include, now)
    }

    fn secs(n: i64) -> TimeDelta {
        TimeDelta::seconds(n)
    }

    #[test]
    fn short_human_durations() {
        let cases = [
            (-5, "<invalid>"),
            (0, "0s"),
            (59, "59s"),
            (60, "1m"),
            (305, "5m"),
            (3599, "59m"),
            (3 * 3600 + 300, "3h"),
            (2 * 86400 + 3 * 3600, "2d"),
            (400 * 86400, "1y"),
            (3 * 365 * 86400, "3y"),
        ];
        for (n, want) in cases {
            assert_eq!(short_human_duration(secs(n)), want, "{n}s");
        }
    }

    #[test]
    fn timestamps_since() {
        let now = at("2026-11-27T19:55:43.5Z");
        assert_eq!(
            translate_timestamp_since("2026-11-27T19:55:28Z", now),
            "15s"
        );
        assert_eq!(
            translate_timestamp_since("2026-11-27T19:50:38Z", now),
            "5m5s"
        );
        assert_eq!(translate_timestamp_since("", now), "<unknown>");
        assert_eq!(translate_timestamp_since("garbage", now), "<unknown>");
    }

    fn columns(t: &Value) -> Vec<(String, String, String, i64)> {
        t["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    c["type"].as_str().unwrap().to_string(),
                    c["format"].as_str().unwrap().to_string(),
                    c["priority"].as_i64().unwrap(),
                )
            })
            .collect()
    }

    /// Ours equals the reference's column definitions (minus descriptions) and rows.
    fn assert_matches(ours: &Value, real: &Value) {
        assert_eq!(columns(ours), columns(real));
        assert!(ours["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["description"].as_str().unwrap().is_empty()));
        assert_eq!(ours["kind"], "Table");
        assert_eq!(ours["apiVersion"], "meta.k8s.io/v1");
        assert_eq!(ours["rows"], real["rows"]);
    }

    #[test]
    fn daemonset_tables_match_the_server() {
        let ds = fixture("daemonset.json");
        let now = at("2026-11-27T19:55:43.5Z");
        let t = daemonset_table(&ds, IncludeObject::Metadata, now);
        assert_matches(&t, &fixture("daemonsets-table.json"));
        assert_matches(&t, &fixture("daemonset-table-by-name.json"));
        assert_matches(&t, &fixture("daemonsets-table-all-namespaces.json"));
        let list = fixture("daemonsets-list.json");
        let items = list["items"].as_array().unwrap();
        let t2 = table("apps", "daemonsets", items, IncludeObject::Metadata, now);
        assert_eq!(
            t2["rows"][0]["cells"],
            fixture("daemonsets-table.json")["rows"][0]["cells"]
        );
    }

    #[test]
    fn pod_and_node_tables_match_the_server() {
        let now = at("2026-11-27T19:55:43.5Z");
        for resource in ["pods", "nodes"] {
            let list = fixture(&format!("{resource}-list.json"));
            let items = list["items"].as_array().unwrap();
            let t = table("", resource, items, IncludeObject::Metadata, now);
            assert_matches(&t, &fixture(&format!("{resource}-table.json")));
        }
    }

    #[test]
    fn namespace_table_matches_the_server() {
        let real = fixture("namespaces-table.json");
        let items: Vec<Value> = real["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| json!({"metadata": r["object"]["metadata"], "status": {"phase": "Active"}}))
            .collect();
        let now = at("2026-11-27T19:55:44.5Z");
        let t = table("", "namespaces", &items, IncludeObject::Metadata, now);
        assert_matches(&t, &real);
    }

    #[test]
    fn event_rows_match_the_server() {
        let real = fixture("events-table.json");
        let events = fixture("events-for-daemonset.json");
        let items = events["items"].as_array().unwrap();
        let now = at("2026-11-27T19:55:44.5Z");
        let t = table("", "events", items, IncludeObject::Metadata, now);
        assert_eq!(columns(&t), columns(&real));
        let real_rows = real["rows"].as_array().unwrap();
        for row in t["rows"].as_array().unwrap() {
            let n = &row["cells"][9];
            let want = real_rows.iter().find(|r| &r["cells"][9] == n).unwrap();
            assert_eq!(row, want);
        }
        assert_eq!(t["rows"].as_array().unwrap().len(), 32);
    }

    #[test]
    fn events_k8s_io_prints_like_core() {
        let now = at("2026-11-27T20:00:00Z");
        let ev = json!({"metadata": {"name": "e1", "creationTimestamp": "2026-11-27T19:59:00Z"},
            "regarding": {"kind": "Pod", "name": "p", "fieldPath": "spec.containers{a}"},
            "reason": "Pulled", "type": "Normal", "note": " done ", "eventTime": "2026-11-27T19:59:00.000000Z",
            "reportingController": "kubelet", "reportingInstance": "n1",
            "series": {"count": 4, "lastObservedTime": "2026-11-27T19:59:50.000000Z"}});
        let t = table("events.k8s.io", "events", &[ev], IncludeObject::None, now);
        assert_eq!(
            t["rows"][0]["cells"],
            json!([
                "10s",
                "Normal",
                "Pulled",
                "pod/p",
                "spec.containers{a}",
                "kubelet, n1",
                "done",
                "60s",
                4,
                "e1"
            ])
        );
        assert_eq!(t["rows"][0]["object"], Value::Null);
    }

    #[test]
    fn include_object_modes() {
        assert_eq!(IncludeObject::parse("None"), Some(IncludeObject::None));
        assert_eq!(
            IncludeObject::parse("Metadata"),
            Some(IncludeObject::Metadata)
        );
        assert_eq!(IncludeObject::parse("Object"), Some(IncludeObject::Object));
        assert_eq!(IncludeObject::parse("object"), None);
        let ds = fixture("daemonset.json");
        let now = at("2026-11-27T19:55:43Z");
        let full = daemonset_table(&ds, IncludeObject::Object, now);
        assert_eq!(full["rows"][0]["object"], ds);
        let meta = daemonset_table(&ds, IncludeObject::Metadata, now);
        let mut want_meta = ds["metadata"].clone();
        want_meta["annotations"]
            .as_object_mut()
            .unwrap()
            .remove("deprecated.daemonset.template.generation");
        assert_eq!(meta["rows"][0]["object"]["metadata"], want_meta);
        assert_eq!(meta["rows"][0]["object"]["kind"], "PartialObjectMetadata");
        // An annotation the internal object does not keep disappears with its map.
        let mut only = ds.clone();
        only["metadata"]["annotations"] = json!({"deprecated.daemonset.template.generation": "1"});
        let t = table("apps", "daemonsets", &[only], IncludeObject::Metadata, now);
        assert!(t["rows"][0]["object"]["metadata"]
            .get("annotations")
            .is_none());
        let mut stripped = meta.clone();
        strip_headers(&mut stripped);
        assert_eq!(stripped["columnDefinitions"], Value::Null);
        assert_eq!(stripped["rows"], meta["rows"]);
    }

    #[test]
    fn default_table_for_unprinted_kinds() {
        let now = at("2026-11-27T20:00:00Z");
        let obj = json!({"metadata": {"name": "x", "creationTimestamp": "2026-11-27T19:00:00Z"}});
        let t = table("example.com", "widgets", &[obj], IncludeObject::None, now);
        assert_eq!(
            columns(&t),
            vec![
                (
                    "Name".to_string(),
                    "string".to_string(),
                    "name".to_string(),
                    0
                ),
                (
                    "Created At".to_string(),
                    "date".to_string(),
                    "".to_string(),
                    0
                ),
            ]
        );
        assert_eq!(t["rows"][0]["cells"], json!(["x", "2026-11-27T19:00:00Z"]));
        let empty = table("example.com", "widgets", &[], IncludeObject::None, now);
        assert_eq!(empty["rows"], Value::Null);
        let empty_pods = table("", "pods", &[], IncludeObject::None, now);
        assert_eq!(empty_pods["rows"], json!([]));
    }

    fn pod_cells(pod: Value, now: &str) -> Vec<Value> {
        let t = table("", "pods", &[pod], IncludeObject::None, at(now));
        t["rows"][0]["cells"].as_array().unwrap().clone()
    }

    #[test]
    fn pod_status_rules() {
        let base = |status: Value| {
            json!({"metadata": {"name": "p", "creationTimestamp": "2026-11-27T19:00:00Z"},
                "spec": {"containers": [{"name": "a"}, {"name": "b"}]}, "status": status})
        };
        let now = "2026-11-27T19:10:00Z";
        let c = pod_cells(base(json!({"phase": "Pending"})), now);
        assert_eq!(
            c[1..5],
            [json!("0/2"), json!("Pending"), json!("0"), json!("10m")]
        );
        let c = pod_cells(
            base(json!({"phase": "Pending", "containerStatuses": [
                {"name": "a", "state": {"waiting": {"reason": "ContainerCreating"}}, "ready": false, "restartCount": 0},
                {"name": "b", "state": {"waiting": {"reason": "ContainerCreating"}}, "ready": false, "restartCount": 0}]})),
            now,
        );
        assert_eq!(c[2], "ContainerCreating");
        let c = pod_cells(
            base(json!({"phase": "Running", "containerStatuses": [
                {"name": "a", "state": {"running": {}}, "ready": true, "restartCount": 0},
                {"name": "b", "state": {"waiting": {"reason": "CrashLoopBackOff"}}, "ready": false, "restartCount": 5,
                 "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-11-27T19:05:00Z"}}}]})),
            now,
        );
        assert_eq!(
            c[1..4],
            [json!("1/2"), json!("CrashLoopBackOff"), json!("5 (5m ago)")]
        );
        let c = pod_cells(
            base(json!({"phase": "Succeeded", "containerStatuses": [
                {"name": "a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}, "restartCount": 0},
                {"name": "b", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}, "restartCount": 0}]})),
            now,
        );
        assert_eq!(c[2], "Completed");
        let c = pod_cells(
            base(json!({"phase": "Running", "containerStatuses": [
                {"name": "a", "state": {"terminated": {"exitCode": 137, "signal": 9}}, "restartCount": 0},
                {"name": "b", "state": {"running": {}}, "ready": true, "restartCount": 0}]})),
            now,
        );
        assert_eq!(c[2], "Signal:9");
        let mut deleting = base(json!({"phase": "Running"}));
        deleting["metadata"]["deletionTimestamp"] = json!("2026-11-27T19:09:00Z");
        assert_eq!(pod_cells(deleting, now)[2], "Terminating");
        let gated = base(
            json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
        );
        assert_eq!(pod_cells(gated, now)[2], "SchedulingGated");
        let mut init = base(json!({"phase": "Pending", "initContainerStatuses": [
            {"name": "i1", "state": {"terminated": {"exitCode": 0}}, "restartCount": 0},
            {"name": "i2", "state": {"running": {}}, "restartCount": 0}]}));
        init["spec"]["initContainers"] =
            json!([{"name": "i1"}, {"name": "i2"}, {"name": "side", "restartPolicy": "Always"}]);
        let c = pod_cells(init, now);
        assert_eq!(c[1..3], [json!("0/3"), json!("Init:1/3")]);
        let mut failing = base(json!({"phase": "Pending", "initContainerStatuses": [
            {"name": "i1", "state": {"waiting": {"reason": "ImagePullBackOff"}}, "restartCount": 0}]}));
        failing["spec"]["initContainers"] = json!([{"name": "i1"}]);
        assert_eq!(pod_cells(failing, now)[2], "Init:ImagePullBackOff");
        let mut gates =
            base(json!({"phase": "Running", "conditions": [{"type": "g1", "status": "True"}]}));
        gates["spec"]["readinessGates"] = json!([{"conditionType": "g1"}, {"conditionType": "g2"}]);
        assert_eq!(pod_cells(gates, now)[8], "1/2");
        let failed = table(
            "",
            "pods",
            &[base(json!({"phase": "Failed"}))],
            IncludeObject::None,
            at(now),
        );
        assert_eq!(failed["rows"][0]["conditions"][0]["reason"], "Failed");
    }

    #[test]
    fn other_printers() {
        let now = at("2026-11-27T20:00:00Z");
        let created = "2026-11-27T19:59:00Z";
        let cells = |g: &str, r: &str, o: Value| {
            table(g, r, &[o], IncludeObject::None, now)["rows"][0]["cells"].clone()
        };
        let dep = json!({"metadata": {"name": "web", "creationTimestamp": created},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                "template": {"spec": {"containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "busybox"}]}}},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
        assert_eq!(
            cells("apps", "deployments", dep),
            json!(["web", "2/3", 3, 2, "60s", "a,b", "nginx,busybox", "app=web"])
        );
        let rs = json!({"metadata": {"name": "web-1", "creationTimestamp": created},
            "spec": {"replicas": 3, "selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]},
                "template": {"spec": {"containers": [{"name": "a", "image": "nginx"}]}}},
            "status": {"replicas": 3, "readyReplicas": 1}});
        assert_eq!(
            cells("apps", "replicasets", rs),
            json!(["web-1", 3, 3, 1, "60s", "a", "nginx", "app in (web)"])
        );
        let svc = json!({"metadata": {"name": "s", "creationTimestamp": created},
            "spec": {"type": "NodePort", "clusterIPs": ["10.96.0.10"], "selector": {"b": "2", "a": "1"},
                "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}});
        assert_eq!(
            cells("", "services", svc),
            json!([
                "s",
                "NodePort",
                "10.96.0.10",
                "<none>",
                "80:30080/TCP,53/UDP",
                "60s",
                "a=1,b=2"
            ])
        );
        let lb = json!({"metadata": {"name": "lb"}, "spec": {"type": "LoadBalancer", "ports": []}});
        assert_eq!(
            cells("", "services", lb),
            json!([
                "lb",
                "LoadBalancer",
                "<none>",
                "<pending>",
                "<none>",
                "<unknown>",
                "<none>"
            ])
        );
        let ep = json!({"metadata": {"name": "e", "creationTimestamp": created}, "subsets": [
            {"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}], "ports": [{"port": 80}, {"port": 443}]}]});
        assert_eq!(
            cells("", "endpoints", ep),
            json!([
                "e",
                "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...",
                "60s"
            ])
        );
        assert_eq!(
            cells("", "endpoints", json!({"metadata": {"name": "e"}}))[1],
            "<none>"
        );
        let cm = json!({"metadata": {"name": "c", "creationTimestamp": created}, "data": {"a": "1"}, "binaryData": {"b": ""}});
        assert_eq!(cells("", "configmaps", cm), json!(["c", 2, "60s"]));
        let sec = json!({"metadata": {"name": "s", "creationTimestamp": created}, "type": "Opaque", "data": {"k": "dg=="}});
        assert_eq!(cells("", "secrets", sec), json!(["s", "Opaque", 1, "60s"]));
        let sa = json!({"metadata": {"name": "default", "creationTimestamp": created}});
        assert_eq!(cells("", "serviceaccounts", sa), json!(["default", "60s"]));
        let q = json!({"metadata": {"name": "q", "creationTimestamp": created},
            "spec": {"hard": {"pods": "10", "limits.cpu": "2", "requests.memory": "1Gi", "limits": "3"}},
            "status": {"hard": {"pods": "10", "limits.cpu": "2", "requests.memory": "1Gi", "limits": "3"},
                "used": {"pods": "1", "limits.cpu": "500m"}}});
        assert_eq!(
            cells("", "resourcequotas", q),
            json!([
                "q",
                "limits: 0/3, pods: 1/10, requests.memory: 0/1Gi",
                "limits.cpu: 500m/2",
                "60s"
            ])
        );
        let fresh = json!({"metadata": {"name": "q", "creationTimestamp": created}, "spec": {"hard": {"pods": "1"}}});
        assert_eq!(
            cells("", "resourcequotas", fresh),
            json!(["q", "pods: 0/0", "", "60s"])
        );
        let es = json!({"metadata": {"name": "web-abcde", "creationTimestamp": created},
            "addressType": "IPv4",
            "ports": [{"port": 80, "name": "http"}, {"name": "named"}, {}, {"port": 9}],
            "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2", "10.0.0.3"]},
                {"addresses": ["10.0.0.4"]}]});
        assert_eq!(
            cells("discovery.k8s.io", "endpointslices", es),
            json!([
                "web-abcde",
                "IPv4",
                "80,named,* + 1 more...",
                "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...",
                "60s"
            ])
        );
        let empty = json!({"metadata": {"name": "e", "creationTimestamp": created}, "addressType": "IPv6", "endpoints": []});
        assert_eq!(
            cells("discovery.k8s.io", "endpointslices", empty),
            json!(["e", "IPv6", "<unset>", "<unset>", "60s"])
        );
        let lr = json!({"metadata": {"name": "l", "creationTimestamp": created}});
        assert_eq!(cells("", "limitranges", lr), json!(["l", created]));
        let lease = json!({"metadata": {"name": "l", "creationTimestamp": created}, "spec": {"holderIdentity": "n1"}});
        assert_eq!(
            cells("coordination.k8s.io", "leases", lease),
            json!(["l", "n1", "60s"])
        );
        let ss = json!({"metadata": {"name": "db", "creationTimestamp": created}, "spec": {"replicas": 2,
            "template": {"spec": {"containers": [{"name": "pg", "image": "postgres"}]}}}, "status": {"readyReplicas": 2}});
        assert_eq!(
            cells("apps", "statefulsets", ss),
            json!(["db", "2/2", "60s", "pg", "postgres"])
        );
        let job = json!({"metadata": {"name": "j", "creationTimestamp": created}, "spec": {"completions": 1,
            "selector": {"matchLabels": {"job": "j"}}, "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}},
            "status": {"succeeded": 1, "startTime": "2026-11-27T19:59:00Z", "completionTime": "2026-11-27T19:59:30Z",
                "conditions": [{"type": "Complete", "status": "True"}]}});
        assert_eq!(
            cells("batch", "jobs", job),
            json!(["j", "Complete", "1/1", "30s", "60s", "c", "busybox", "job=j"])
        );
        let cj = json!({"metadata": {"name": "c", "creationTimestamp": created}, "spec": {"schedule": "*/5 * * * *",
            "suspend": false, "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}},
            "status": {"active": [{"name": "c-1"}], "lastScheduleTime": "2026-11-27T19:59:30Z"}});
        assert_eq!(
            cells("batch", "cronjobs", cj),
            json!([
                "c",
                "*/5 * * * *",
                "<none>",
                "False",
                1,
                "30s",
                "60s",
                "c",
                "busybox",
                "<none>"
            ])
        );
        let tz = json!({"metadata": {"name": "t", "creationTimestamp": created},
            "spec": {"schedule": "@daily", "timeZone": "Europe/Paris"}});
        assert_eq!(
            cells("batch", "cronjobs", tz),
            json!([
                "t",
                "@daily",
                "Europe/Paris",
                "<unset>",
                0,
                "<none>",
                "60s",
                "",
                "",
                "<none>"
            ])
        );
        let cr = json!({"metadata": {"name": "r-1", "creationTimestamp": created,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "ds", "controller": true}]}, "revision": 2});
        assert_eq!(
            cells("apps", "controllerrevisions", cr),
            json!(["r-1", "daemonset.apps/ds", 2, "60s"])
        );
        let node = json!({"metadata": {"name": "cp", "creationTimestamp": created,
            "labels": {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "master"}},
            "spec": {"unschedulable": true}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}});
        assert_eq!(
            cells("", "nodes", node),
            json!([
                "cp",
                "NotReady,SchedulingDisabled",
                "control-plane,master",
                "60s",
                "",
                "<none>",
                "<none>",
                "<unknown>",
                "<unknown>",
                "<unknown>"
            ])
        );
    }

    #[test]
    fn controllerrevisions_from_the_reference() {
        let list = fixture("controllerrevisions.json");
        let items = list["items"].as_array().unwrap();
        let first = &items[0];
        let now = at("2026-11-27T20:00:00Z");
        let t = table(
            "apps",
            "controllerrevisions",
            items,
            IncludeObject::Metadata,
            now,
        );
        let c = &t["rows"][0]["cells"];
        assert_eq!(c[0], first["metadata"]["name"]);
        assert_eq!(c[1], "daemonset.apps/node-exporter");
        assert_eq!(c[2], first["revision"]);
    }
}

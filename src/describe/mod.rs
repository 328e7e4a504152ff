//! `kubectl describe` renderers: one describer per kind plus a generic one, all pure functions
//! from objects (and the related objects they need) to text.
//!
//! How a caller uses it (kubectl's flow, minus the HTTP):
//! 1. GET the object (JSON).
//! 2. [`related_queries`] lists what else the describer needs (events, owned pods, ...). Run
//!    them (concurrently is fine), following `continue` tokens, and store each result under its
//!    query's `key` with [`Related::insert`], or [`Related::insert_error`] when the request
//!    failed (for example `Forbidden` for a node's pods: the describer then prints kubectl's
//!    `not authorized` text; most describers treat a failed list as empty, as kubectl does).
//! 3. [`describe`] renders the text; it never fails (bad or missing fields print as kubectl
//!    prints Go zero values). [`try_describe`] is the same but returns kubectl's error for the
//!    rare object kubectl refuses to describe (a CSR whose request does not parse).
//!
//! Keys by kind (the queries say exactly what to list):
//! - Pod: `events` (name/namespace/uid, no kind; a mirror pod's mirror UID).
//! - Node: `pods` (all namespaces, non-terminated, on the node; an error prints
//!   `Pods: not authorized`), `events` (uid) and `events-by-name` (uid = node name),
//!   `lease` (kube-node-lease, by name; an error prints `Failed to get lease: <error>`),
//!   `resourceslices` (resource.k8s.io; errors ignored).
//! - DaemonSet, ReplicaSet, StatefulSet, ReplicationController: `pods` (label selector),
//!   `events`.
//! - Deployment: `events`, `replicasets` (label selector).
//! - PersistentVolumeClaim: `pods` (all of the namespace), `events`.
//! - Service: `endpointslices` (discovery.k8s.io, `kubernetes.io/service-name=<name>`), `events`.
//! - Namespace: `resourcequotas`, `limitranges` (failures print kubectl's "none" lines).
//! - Ingress: `events`, `services` and `endpointslices` (all of the namespace; a failed list
//!   shows as `<error: ...>` in each backend, as kubectl shows its per-backend errors).
//! - ConfigMap, ServiceAccount, Endpoints, Job, CronJob, IngressClass, EndpointSlice,
//!   PodDisruptionBudget, PriorityClass, StorageClass, PersistentVolume, CSINode,
//!   VolumeAttributesClass, ServiceCIDR, IPAddress, CertificateSigningRequest,
//!   HorizontalPodAutoscaler (pass the `autoscaling/v2` object, as kubectl fetches it), and
//!   every generic kind: `events`.
//! - Secret, ResourceQuota, LimitRange, NetworkPolicy and the RBAC kinds: nothing.
//!
//! Failed lists kubectl turns into a command error (the caller should print it instead of
//! describing): the `pods` of a DaemonSet, StatefulSet or ReplicationController, a Node's
//! `pods` for anything but `Forbidden`, and a ConfigMap's `events`. A ReplicaSet's failed
//! `pods` list prints `Pods Status: error in fetching pods: <error>` instead.
//!
//! Events are listed only when `show_events` is set; with it unset [`describe`] prints no
//! `Events:` section at all (kubectl's `--show-events=false`).
//!
//! Describers exist for the kinds kubectl has typed describers for (see [`has_describer`]);
//! every other kind goes through the generic describer, as in kubectl (Event,
//! ControllerRevision and Lease included: kubectl has no typed describer for them).

mod clusterinfra;
mod configmap;
mod cronjob;
mod csr;
mod daemonset;
mod deployment;
mod endpoints;
mod endpointslice;
mod events;
mod generic;
mod hpa;
mod ingress;
mod job;
mod namespace;
mod networkpolicy;
mod node;
mod pdb;
mod pod;
mod podspec;
mod priorityclass;
mod pv;
mod pvc;
pub mod quantity;
pub mod rbac;
mod replicaset;
mod replicationcontroller;
mod resourcequota;
mod secret;
mod service;
mod serviceaccount;
mod statefulset;
mod storageclass;
mod text;
mod volumes;
pub mod writer;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;

pub use text::TimeZoneChoice;

/// One list request a describer needs besides the object itself:
/// `GET /api[s]/<group>/<version>[/namespaces/<ns>]/<resource>?labelSelector=..&fieldSelector=..`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelatedQuery {
    /// Where the result goes in [`Related`] (e.g. `"events"`, `"pods"`).
    pub key: &'static str,
    /// API group (`""` for the core group).
    pub group: String,
    /// API version (`"v1"`).
    pub version: String,
    /// Plural resource name (`"pods"`).
    pub resource: String,
    /// Namespace to list in; `None` lists across all namespaces (or a cluster-scoped resource).
    pub namespace: Option<String>,
    /// `labelSelector` query parameter.
    pub label_selector: Option<String>,
    /// `fieldSelector` query parameter.
    pub field_selector: Option<String>,
}

impl RelatedQuery {
    /// The request path, e.g. `/apis/apps/v1/namespaces/default/replicasets`.
    pub fn path(&self) -> Result<crate::client::ApiPath, crate::client::PathError> {
        crate::client::ResourcePath {
            group: &self.group,
            version: &self.version,
            resource: &self.resource,
            namespace: self.namespace.as_deref(),
            name: None,
            subresource: None,
        }
        .build()
    }

    /// The query parameters kubectl sends: the selectors that are set, then `limit=500`
    /// (kubectl's default `--chunk-size`; follow `continue` tokens for more).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(l) = &self.label_selector {
            out.push(("labelSelector", l.clone()));
        }
        if let Some(f) = &self.field_selector {
            out.push(("fieldSelector", f.clone()));
        }
        out.push(("limit", "500".to_string()));
        out
    }
}

/// The results of the [`RelatedQuery`]s, by key.
#[derive(Clone, Debug, Default)]
pub struct Related {
    items: BTreeMap<String, Vec<Value>>,
    errors: BTreeMap<String, String>,
}

impl Related {
    /// No results yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores the items of a list response under `key` (appending if the key already has
    /// items, for a list read in several chunks).
    pub fn insert(&mut self, key: &str, items: Vec<Value>) {
        self.items.entry(key.to_string()).or_default().extend(items);
    }

    /// Records that the query for `key` failed. `message` should be the error's own text (the
    /// API Status message, e.g. `leases.coordination.k8s.io "n1" not found`), which is what
    /// kubectl embeds; a CLI-rendered form (`Error from server (NotFound): ...\n` or
    /// `error: ...`) is reduced to that text.
    pub fn insert_error(&mut self, key: &str, message: impl Into<String>) {
        let message = message.into();
        let mut text = message.trim();
        if let Some(rest) = text.strip_prefix("Error from server") {
            // `Error from server (Reason): message` or `Error from server: message`.
            let rest = rest.trim_start();
            let rest = match rest.strip_prefix('(') {
                Some(r) => r.split_once(')').map(|(_, after)| after).unwrap_or(r),
                None => rest,
            };
            text = rest.strip_prefix(':').unwrap_or(rest).trim_start();
        } else if let Some(rest) = text.strip_prefix("error: ") {
            text = rest;
        }
        self.errors.insert(key.to_string(), text.to_string());
    }

    /// The items stored under `key` (empty when none or failed).
    pub fn items(&self, key: &str) -> &[Value] {
        self.items.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The events to describe: `None` when events are off (kubectl passes a nil list then; an
    /// empty one prints `<none>`).
    pub fn events(&self, opts: &DescribeOptions) -> Events<'_> {
        opts.show_events.then(|| self.items("events"))
    }

    /// The error recorded for `key`, if any.
    pub fn error(&self, key: &str) -> Option<&str> {
        self.errors.get(key).map(String::as_str)
    }

    /// Whether items (possibly zero) were stored for `key`.
    pub fn has(&self, key: &str) -> bool {
        self.items.contains_key(key)
    }
}

/// A describer's events: `None` when events are off (`--show-events=false`).
pub type Events<'a> = Option<&'a [Value]>;

/// Settings of one describe run.
#[derive(Clone, Debug)]
pub struct DescribeOptions {
    /// `--show-events` (default true).
    pub show_events: bool,
    /// The current time; event and pod ages are relative to it.
    pub now: DateTime<Utc>,
    /// The zone timestamps are printed in (kubectl: the local zone).
    pub tz: TimeZoneChoice,
}

impl DescribeOptions {
    /// kubectl's behaviour: events shown as asked, times in the machine's local zone.
    pub fn new(show_events: bool, now: DateTime<Utc>) -> Self {
        DescribeOptions {
            show_events,
            now,
            tz: TimeZoneChoice::Local,
        }
    }

    /// Events shown and times in UTC: reproducible output for tests.
    pub fn fixed_utc(now: DateTime<Utc>) -> Self {
        DescribeOptions {
            show_events: true,
            now,
            tz: TimeZoneChoice::Fixed(FixedOffset::east_opt(0).expect("zero offset is valid")),
        }
    }
}

/// Whether kubectl has a typed describer for this group and kind (the others are described by
/// the generic describer).
pub fn has_describer(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        ("", "Pod")
            | ("", "Node")
            | ("", "Service")
            | ("", "Namespace")
            | ("", "ConfigMap")
            | ("", "Secret")
            | ("", "ServiceAccount")
            | ("", "Endpoints")
            | ("", "ReplicationController")
            | ("", "PersistentVolumeClaim")
            | ("", "PersistentVolume")
            | ("apps", "DaemonSet")
            | ("apps", "Deployment")
            | ("apps", "ReplicaSet")
            | ("apps", "StatefulSet")
            | ("batch", "Job")
            | ("batch", "CronJob")
            | ("", "ResourceQuota")
            | ("", "LimitRange")
            | ("discovery.k8s.io", "EndpointSlice")
            | ("policy", "PodDisruptionBudget")
            | ("autoscaling", "HorizontalPodAutoscaler")
            | ("scheduling.k8s.io", "PriorityClass")
            | ("storage.k8s.io", "StorageClass")
            | ("networking.k8s.io", "Ingress")
            | ("networking.k8s.io", "IngressClass")
            | ("networking.k8s.io", "NetworkPolicy")
            | ("networking.k8s.io", "ServiceCIDR")
            | ("networking.k8s.io", "IPAddress")
            | ("storage.k8s.io", "CSINode")
            | ("certificates.k8s.io", "CertificateSigningRequest")
            | ("storage.k8s.io", "VolumeAttributesClass")
            | ("rbac.authorization.k8s.io", "Role")
            | ("rbac.authorization.k8s.io", "ClusterRole")
            | ("rbac.authorization.k8s.io", "RoleBinding")
            | ("rbac.authorization.k8s.io", "ClusterRoleBinding")
    )
}

/// The lists the describer of `group`/`kind` needs for `obj` (see the module docs).
pub fn related_queries(
    group: &str,
    kind: &str,
    obj: &Value,
    show_events: bool,
) -> Vec<RelatedQuery> {
    let meta = |f: &str| text::s(obj, &format!("metadata.{f}")).to_string();
    let (name, namespace, uid) = (meta("name"), meta("namespace"), meta("uid"));
    let ns = if namespace.is_empty() {
        None
    } else {
        Some(namespace.clone())
    };
    let query = |key: &'static str, group: &str, resource: &str| RelatedQuery {
        key,
        group: group.to_string(),
        version: "v1".to_string(),
        resource: resource.to_string(),
        namespace: ns.clone(),
        label_selector: None,
        field_selector: None,
    };
    let events = |kind: &str, uid: &str| RelatedQuery {
        field_selector: Some(events::involved_object_selector(
            &name, &namespace, kind, uid,
        )),
        ..query("events", "", "events")
    };
    let selector_pods = || RelatedQuery {
        label_selector: Some(text::selector_string(text::get(obj, "spec.selector"))),
        ..query("pods", "", "pods")
    };
    let mut out = Vec::new();
    match (group, kind) {
        ("", "Pod") => {
            // kubectl clears the kind for pods; mirror pods are found by their mirror UID.
            let mirror = text::get(obj, "metadata.annotations")
                .and_then(|a| a.get("kubernetes.io/config.mirror"))
                .and_then(Value::as_str);
            if show_events {
                out.push(events("", mirror.unwrap_or(&uid)));
            }
        }
        ("", "Node") => {
            let node = events::escape_field_value(&name);
            // Every namespace (or a cluster-scoped resource) with this field selector.
            let cluster_wide = |q: RelatedQuery, selector: String| RelatedQuery {
                namespace: None,
                field_selector: Some(selector),
                ..q
            };
            out.push(cluster_wide(
                query("pods", "", "pods"),
                format!("spec.nodeName={node},status.phase!=Succeeded,status.phase!=Failed"),
            ));
            if show_events {
                // Controllers report node events by UID, the kubelet by name.
                out.push(events("Node", &uid));
                out.push(RelatedQuery {
                    key: "events-by-name",
                    ..events("Node", &name)
                });
            }
            out.push(RelatedQuery {
                namespace: Some("kube-node-lease".to_string()),
                field_selector: Some(format!("metadata.name={node}")),
                ..query("lease", "coordination.k8s.io", "leases")
            });
            out.push(cluster_wide(
                query("resourceslices", "resource.k8s.io", "resourceslices"),
                format!("spec.nodeName={node}"),
            ));
        }
        ("", "ReplicationController") => {
            let sel: Vec<String> = text::string_map(obj, "spec.selector")
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            out.push(RelatedQuery {
                label_selector: Some(sel.join(",")),
                ..query("pods", "", "pods")
            });
            if show_events {
                out.push(events(kind, &uid));
            }
        }
        ("", "PersistentVolumeClaim") => {
            // kubectl lists every pod of the namespace and keeps those using the claim.
            out.push(query("pods", "", "pods"));
            if show_events {
                out.push(events(kind, &uid));
            }
        }
        ("apps", "DaemonSet") | ("apps", "ReplicaSet") | ("apps", "StatefulSet") => {
            out.push(selector_pods());
            if show_events {
                out.push(events(kind, &uid));
            }
        }
        ("apps", "Deployment") => {
            if show_events {
                out.push(events(kind, &uid));
            }
            out.push(RelatedQuery {
                label_selector: Some(text::selector_string(text::get(obj, "spec.selector"))),
                ..query("replicasets", "apps", "replicasets")
            });
        }
        ("", "Service") => {
            out.push(RelatedQuery {
                label_selector: Some(format!("kubernetes.io/service-name={name}")),
                ..query("endpointslices", "discovery.k8s.io", "endpointslices")
            });
            if show_events {
                out.push(events(kind, &uid));
            }
        }
        ("", "Namespace") => {
            // The sandbox serves neither: a failed list prints kubectl's "none" lines.
            for (key, resource) in [
                ("resourcequotas", "resourcequotas"),
                ("limitranges", "limitranges"),
            ] {
                out.push(RelatedQuery {
                    namespace: Some(name.clone()),
                    ..query(key, "", resource)
                });
            }
        }
        ("", "Secret")
        | ("", "ResourceQuota")
        | ("", "LimitRange")
        | ("networking.k8s.io", "NetworkPolicy")
        | ("rbac.authorization.k8s.io", _) => {}
        ("networking.k8s.io", "Ingress") => {
            if show_events {
                out.push(events(kind, &uid));
            }
            // kubectl fetches each backend's Service and EndpointSlices; one list of each
            // covers every backend.
            out.push(query("services", "", "services"));
            out.push(query(
                "endpointslices",
                "discovery.k8s.io",
                "endpointslices",
            ));
        }
        ("", "ConfigMap")
        | ("", "ServiceAccount")
        | ("", "Endpoints")
        | ("batch", "Job")
        | ("batch", "CronJob") => {
            if show_events {
                out.push(events(kind, &uid));
            }
        }
        _ => {
            if show_events {
                out.push(events(text::s(obj, "kind"), &uid));
            }
        }
    }
    out
}

/// Errors kubectl reports instead of a description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescribeError {
    /// The object cannot be described (kubectl prints `error: <message>` and exits 1), e.g.
    /// `Error parsing CSR: PEM block type must be CERTIFICATE REQUEST`.
    #[error("{0}")]
    Invalid(String),
}

/// Like [`describe`], but returns kubectl's error for the few objects kubectl refuses to
/// describe (today: a CertificateSigningRequest whose request does not parse).
pub fn try_describe(
    group: &str,
    kind: &str,
    obj: &Value,
    related: &Related,
    opts: &DescribeOptions,
) -> Result<String, DescribeError> {
    if (group, kind) == ("certificates.k8s.io", "CertificateSigningRequest") {
        return csr::describe_csr(obj, related.events(opts), opts).map_err(DescribeError::Invalid);
    }
    Ok(describe(group, kind, obj, related, opts))
}

/// Renders `obj` as `kubectl describe` does, using the results of [`related_queries`].
/// Never fails: where kubectl would refuse (see [`try_describe`]) this falls back to the
/// generic description.
pub fn describe(
    group: &str,
    kind: &str,
    obj: &Value,
    related: &Related,
    opts: &DescribeOptions,
) -> String {
    let events = related.events(opts);
    match (group, kind) {
        ("", "Pod") => pod::describe_pod(obj, events, opts),
        ("", "Node") => node::describe_node(obj, related, opts),
        ("", "Service") => service::describe_service(obj, related, opts),
        ("", "Namespace") => namespace::describe_namespace(obj, related, opts),
        ("", "ConfigMap") => configmap::describe_configmap(obj, events, opts),
        ("", "Secret") => secret::describe_secret(obj),
        ("", "ServiceAccount") => serviceaccount::describe_service_account(obj, events, opts),
        ("", "Endpoints") => endpoints::describe_endpoints(obj, events, opts),
        ("apps", "DaemonSet") => daemonset::describe_daemonset(obj, related, opts),
        ("apps", "ReplicaSet") => replicaset::describe_replicaset(obj, related, opts),
        ("apps", "StatefulSet") => statefulset::describe_statefulset(obj, related, opts),
        ("", "ReplicationController") => {
            replicationcontroller::describe_replication_controller(obj, related, opts)
        }
        ("", "PersistentVolumeClaim") => pvc::describe_pvc(obj, related, opts),
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => rbac::describe_role(obj),
        ("networking.k8s.io", "Ingress") => ingress::describe_ingress(obj, related, opts),
        ("", "ResourceQuota") => resourcequota::describe_quota(obj),
        ("", "LimitRange") => resourcequota::describe_limit_range(obj),
        ("discovery.k8s.io", "EndpointSlice") => {
            endpointslice::describe_endpoint_slice(obj, events, opts)
        }
        ("policy", "PodDisruptionBudget") => pdb::describe_pdb(obj, events, opts),
        ("autoscaling", "HorizontalPodAutoscaler") => hpa::describe_hpa(obj, events, opts),
        ("", "PersistentVolume") => pv::describe_pv(obj, events, opts),
        ("networking.k8s.io", "NetworkPolicy") => networkpolicy::describe_network_policy(obj, opts),
        ("certificates.k8s.io", "CertificateSigningRequest") => {
            csr::describe_csr(obj, events, opts)
                .unwrap_or_else(|_| generic::describe_generic(obj, events, opts))
        }
        ("networking.k8s.io", "ServiceCIDR") => {
            clusterinfra::describe_service_cidr(obj, events, opts)
        }
        ("networking.k8s.io", "IPAddress") => clusterinfra::describe_ip_address(obj, events, opts),
        ("storage.k8s.io", "CSINode") => clusterinfra::describe_csi_node(obj, events, opts),
        ("storage.k8s.io", "VolumeAttributesClass") => {
            clusterinfra::describe_volume_attributes_class(obj, events, opts)
        }
        ("scheduling.k8s.io", "PriorityClass") => {
            priorityclass::describe_priority_class(obj, events, opts)
        }
        ("storage.k8s.io", "StorageClass") => {
            storageclass::describe_storage_class(obj, events, opts)
        }
        ("networking.k8s.io", "IngressClass") => ingress::describe_ingress_class(obj, events, opts),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            rbac::describe_binding(obj)
        }
        ("batch", "Job") => job::describe_job(obj, events, opts),
        ("batch", "CronJob") => cronjob::describe_cronjob(obj, events, opts),
        ("apps", "Deployment") => deployment::describe_deployment(obj, related, opts),
        _ => generic::describe_generic(obj, events, opts),
    }
}

/// `Pods Status:` of the pods the controller owns (or the error listing them), then its pod
/// template.
fn print_pods_and_template(
    w: &mut writer::PrefixWriter,
    controller: &Value,
    pods: &[Value],
    pods_error: Option<&str>,
    opts: &DescribeOptions,
) {
    let status = match pods_error {
        Some(err) => format!("error in fetching pods: {err}"),
        None => pods_status(pods, text::s(controller, "metadata.uid")),
    };
    w.field(writer::LEVEL_0, "Pods Status", status);
    podspec::describe_pod_template(text::get(controller, "spec.template"), w, opts);
}

/// The pods controlled by `uid` counted by phase (kubectl's `getPodStatusForController`), as
/// the `Pods Status:` line shows them.
fn pods_status(pods: &[Value], uid: &str) -> String {
    let mut counts = (0, 0, 0, 0);
    for p in pods {
        if text::controller_uid(p) != Some(uid) {
            continue;
        }
        match text::s(p, "status.phase") {
            "Running" => counts.0 += 1,
            "Pending" => counts.1 += 1,
            "Succeeded" => counts.2 += 1,
            "Failed" => counts.3 += 1,
            _ => {}
        }
    }
    let (r, wt, su, f) = counts;
    format!("{r} Running / {wt} Waiting / {su} Succeeded / {f} Failed")
}

#[cfg(test)]
mod oracle_tests;
#[cfg(test)]
mod tests;

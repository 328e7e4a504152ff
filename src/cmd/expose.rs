//! `kubectl-rs expose` (kubectl `pkg/cmd/expose/expose.go`): a Service for a deployment,
//! replica set, replication controller, service or pod, its selector, ports and protocols
//! taken from the object as kubectl's polymorphic helpers take them.

use serde_json::{json, Map, Value};

use crate::client::ApiRequest;
use crate::cmd::flags::{dry_run_flag, DryRun};
use crate::context::Context;
use crate::error::CliError;
use crate::ops::generated::{apply_overrides, go_atoi, parse_labels, TypedPrinter};
use crate::resource::targets::{visit_as_read, FindSpec};

/// kubectl's long help of `expose`.
pub const EXPOSE_LONG: &str = "Expose a resource as a new Kubernetes service.\n\n Looks up a deployment, service, replica set, replication controller or pod by name and uses the selector for that resource as the selector for a new service on the specified port. A deployment or replica set will be exposed as a service only if its selector is convertible to a selector that service supports, i.e. when the selector contains only the matchLabels component. Note that if no port is specified via --port and the exposed resource has multiple ports, all will be re-used by the new service. Also if no labels are specified, the new service will re-use the labels from the resource it exposes.\n\n Possible resources include (case insensitive):\n\n pod (po), service (svc), replicationcontroller (rc), deployment (deploy), replicaset (rs)";

/// kubectl's examples of `expose`.
pub const EXPOSE_EXAMPLES: &str = include_str!("expose_examples.txt");

/// kubectl's usage line of `expose`.
pub const EXPOSE_USAGE: &str = "expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type]";

/// The longest DNS-1035 label (a Service name).
const DNS1035_LABEL_MAX: usize = 63;

/// Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = "Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service"
)]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files identifying the resource to expose a service")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-expose")))]
#[command(mut_arg("labels", |a| a.help("Labels to apply to the service created by this call.")))]
pub struct ExposeArgs {
    /// `TYPE NAME` or `TYPE/NAME`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    /// The network protocol for the service to be created. Default is 'TCP'.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub protocol: String,
    /// The port that the service should serve on. Copied from the resource being exposed, if unspecified
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub port: String,
    /// Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is 'ClusterIP'.
    #[arg(verbatim_doc_comment, long = "type", default_value = "")]
    pub service_type: String,
    /// IP to assign to the LoadBalancer. If empty, an ephemeral IP will be created and used (cloud-provider specific).
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub load_balancer_ip: String,
    /// A label selector to use for this service. Only equality-based selector requirements are supported. If empty (the default) infer the selector from the resource being exposed.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub selector: String,
    #[command(flatten)]
    pub labels: crate::cmd::flags::LabelsFlag,
    /// Name or number for the port on the container that the service should direct traffic to. Optional.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub target_port: String,
    /// Additional external IP address (not managed by Kubernetes) to accept for the service. If this IP is routed to a node, the service can be accessed by this IP in addition to its generated service IP.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub external_ip: String,
    /// The name for the newly created object.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub name: String,
    /// If non-empty, set the session affinity for the service to this; legal values: 'None', 'ClientIP'
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub session_affinity: String,
    /// ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to 'None' to create a headless service.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub cluster_ip: String,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub overrides: crate::cmd::flags::OverrideFlags,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub save_config: crate::cmd::flags::SaveConfigFlag,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    #[command(flatten)]
    pub kustomize: crate::cmd::flags::KustomizeFlag,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
}

/// What kubectl's options hold between the objects visited (it keeps what it derived from
/// the first object for the next ones, and so does this).
#[derive(Default)]
struct State {
    selector: String,
    port: String,
    ports: String,
    protocols: Option<Vec<(String, Vec<String>)>>,
    labels: String,
    /// `--record=true`'s change cause, set on every service created.
    record: Option<String>,
}

impl ExposeArgs {
    /// kubectl's `ToOptions`, `Complete` and `RunExpose`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let record = self.record.change_cause(ctx);
        let dry_run = dry_run_flag(ctx, &self.dry_run.value)?;
        let mut printer = self.print.typed_printer(ctx, "exposed", dry_run)?;
        let (namespace, enforce) = ctx.namespace()?;
        let spec = FindSpec {
            args: self.args.clone(),
            files: self.files.filename.clone(),
            recursive: self.files.recursive,
            kustomize: self.kustomize.dir.clone(),
            ..FindSpec::default()
        };
        // kubectl's expose builder has no `Latest`: `-f` objects are used as read.
        let items = visit_as_read(ctx, &spec).await?;
        let mut state = State {
            selector: self.selector.clone(),
            port: self.port.clone(),
            labels: self.labels.value.clone(),
            record,
            ..State::default()
        };
        let mut errs = Vec::new();
        for item in items {
            let result = match item {
                Ok(t) => {
                    self.expose_one(
                        ctx,
                        &mut state,
                        &t,
                        &namespace,
                        enforce,
                        dry_run,
                        &mut printer,
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                errs.push(e);
            }
        }
        printer.finish(ctx)?;
        match errs.len() {
            0 => Ok(()),
            1 => Err(errs.remove(0)),
            _ => crate::resource::collected_errors(
                Vec::new(),
                errs.into_iter().map(CliError::into_bare).collect(),
            )
            .map(|_| ()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn expose_one(
        &self,
        ctx: &Context,
        state: &mut State,
        target: &crate::resource::targets::Target,
        namespace: &str,
        enforce: bool,
        dry_run: DryRun,
        printer: &mut TypedPrinter,
    ) -> Result<(), CliError> {
        let obj = &target.object;
        let kind = obj["kind"].as_str().unwrap_or_default();
        let group = crate::print::name::api_group(obj["apiVersion"].as_str().unwrap_or(""));
        let exposable = matches!(
            (group, kind),
            ("", "ReplicationController" | "Service" | "Pod")
                | ("apps" | "extensions", "Deployment" | "ReplicaSet")
        );
        if !exposable {
            let gk = if group.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{group}")
            };
            return Err(CliError::msg(format!("cannot expose a {gk}")));
        }
        let default_name: String = target.name.chars().take(DNS1035_LABEL_MAX).collect();
        if state.selector.is_empty() {
            state.selector = selector_for(kind, obj).map_err(|e| {
                CliError::msg(format!(
                    "couldn't retrieve selectors via --selector flag or introspection: {e}"
                ))
            })?;
        }
        let pod_spec = match kind {
            "Pod" => Some(&obj["spec"]),
            "Service" => None,
            _ => Some(&obj["spec"]["template"]["spec"]),
        };
        if state.port.is_empty() {
            let ports = ports_for(kind, obj, pod_spec);
            match ports.len() {
                0 if self.cluster_ip != "None" => {
                    return Err(CliError::msg(
                        "couldn't find port via --port flag or introspection",
                    ));
                }
                0 => {}
                1 => state.port = ports[0].clone(),
                _ => state.ports = ports.join(","),
            }
        }
        let protocols = protocols_for(obj, pod_spec);
        if !protocols.is_empty() {
            state.protocols = Some(protocols);
        }
        if state.labels.is_empty() {
            state.labels = make_labels(&obj["metadata"]["labels"]);
        }
        let service = self.create_service(state, &default_name)?;
        let mut service = apply_overrides(
            &service,
            &self.overrides.overrides,
            &self.overrides.override_type,
        )?;
        if let Some(cause) = &state.record {
            crate::ops::metadata::record_change_cause(&mut service, cause)?;
        }
        if dry_run == DryRun::Client {
            if enforce {
                service["metadata"]["namespace"] = json!(namespace);
            }
            return printer.print(ctx, &service);
        }
        self.save_config.annotate(&mut service)?;
        let path = crate::client::ResourcePath {
            group: "",
            version: "v1",
            resource: "services",
            namespace: Some(namespace),
            name: None,
            subresource: None,
        }
        .build()?;
        let req = dry_run
            .query(ApiRequest::post_go_json(path, &service))
            .query("fieldManager", self.field_manager.as_str());
        let created = ctx.client()?.send_json(&req).await?;
        printer.print(ctx, &created)
    }

    /// kubectl's `createService`.
    fn create_service(&self, state: &State, default_name: &str) -> Result<Value, CliError> {
        if state.selector.is_empty() {
            return Err(CliError::msg("selector must be specified"));
        }
        let selector = parse_labels(&state.selector)?;
        let labels = if state.labels.is_empty() {
            None
        } else {
            Some(parse_labels(&state.labels)?)
        };
        let name = if self.name.is_empty() {
            if default_name.is_empty() {
                return Err(CliError::msg("name must be specified"));
            }
            default_name
        } else {
            self.name.as_str()
        };
        let protocol_map = state.protocols.clone().unwrap_or_default();
        let port_string = if state.ports.is_empty() {
            &state.port
        } else {
            &state.ports
        };
        let mut ports: Vec<Map<String, Value>> = Vec::new();
        if !port_string.is_empty() {
            let parts: Vec<&str> = port_string.split(',').collect();
            for (i, p) in parts.iter().enumerate() {
                let port = go_atoi(p)?;
                let mut name = String::new();
                if parts.len() > 1 {
                    name = format!("port-{}", i + 1);
                }
                let mut protocol = self.protocol.clone();
                if protocol.is_empty() && protocol_map.is_empty() {
                    protocol = "TCP".into();
                } else if protocol.is_empty() {
                    protocol = "TCP".into();
                    if let Some((_, found)) = protocol_map.iter().find(|(k, _)| k == p) {
                        if found.len() == 1 {
                            protocol = found[0].clone();
                        } else {
                            for proto in found {
                                ports.push(service_port(
                                    &format!("port-{}-{}", i + 1, proto.to_lowercase()),
                                    proto,
                                    port,
                                ));
                            }
                            continue;
                        }
                    }
                }
                ports.push(service_port(&name, &protocol, port));
            }
        }
        let target: Option<Value> = if self.target_port.is_empty() {
            None
        } else {
            Some(match go_atoi(&self.target_port) {
                Ok(n) => json!(n),
                Err(_) => json!(self.target_port),
            })
        };
        for p in &mut ports {
            let t = target.clone().unwrap_or_else(|| p["port"].clone());
            p.insert("targetPort".into(), t);
        }
        let mut meta = Map::new();
        meta.insert("name".into(), json!(name));
        if let Some(l) = labels {
            meta.insert("labels".into(), json!(l));
        }
        let mut spec = Map::new();
        if !ports.is_empty() {
            spec.insert("ports".into(), json!(ports));
        }
        spec.insert("selector".into(), json!(selector));
        if !self.cluster_ip.is_empty() {
            spec.insert("clusterIP".into(), json!(self.cluster_ip));
        }
        if !self.service_type.is_empty() {
            spec.insert("type".into(), json!(self.service_type));
        }
        if !self.external_ip.is_empty() {
            spec.insert("externalIPs".into(), json!([self.external_ip]));
        }
        if !self.session_affinity.is_empty() {
            match self.session_affinity.as_str() {
                "None" | "ClientIP" => {
                    spec.insert("sessionAffinity".into(), json!(self.session_affinity));
                }
                other => {
                    return Err(CliError::msg(format!("unknown session affinity: {other}")));
                }
            }
        }
        if self.service_type == "LoadBalancer" && !self.load_balancer_ip.is_empty() {
            spec.insert("loadBalancerIP".into(), json!(self.load_balancer_ip));
        }
        Ok(json!({
            "kind": "Service",
            "apiVersion": "v1",
            "metadata": meta,
            "spec": spec,
            "status": {"loadBalancer": {}},
        }))
    }
}

fn service_port(name: &str, protocol: &str, port: i64) -> Map<String, Value> {
    let mut p = Map::new();
    if !name.is_empty() {
        p.insert("name".into(), json!(name));
    }
    p.insert("protocol".into(), json!(protocol));
    p.insert("port".into(), json!(port));
    p
}

/// polymorphichelpers `MakeLabels`: `k=v,…` (Go's map order is random; only the set matters).
fn make_labels(m: &Value) -> String {
    m.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

/// polymorphichelpers `mapBasedSelectorForObject`.
fn selector_for(kind: &str, obj: &Value) -> Result<String, String> {
    match kind {
        "ReplicationController" => Ok(make_labels(&obj["spec"]["selector"])),
        "Pod" => {
            let labels = &obj["metadata"]["labels"];
            if labels.as_object().is_none_or(Map::is_empty) {
                return Err("the pod has no labels and cannot be exposed".into());
            }
            Ok(make_labels(labels))
        }
        "Service" => match &obj["spec"]["selector"] {
            Value::Object(_) => Ok(make_labels(&obj["spec"]["selector"])),
            _ => Err("the service has no pod selector set".into()),
        },
        _ => {
            let what = if kind == "Deployment" {
                "deployment"
            } else {
                "replicaset"
            };
            let sel = &obj["spec"]["selector"];
            if sel["matchLabels"].as_object().is_none_or(Map::is_empty) {
                return Err(format!(
                    "invalid {what}: no selectors, therefore cannot be exposed"
                ));
            }
            if let Some(exprs) = sel["matchExpressions"].as_array().filter(|a| !a.is_empty()) {
                return Err(format!(
                    "couldn't convert expressions - \"{}\" to map-based selector format",
                    go_requirements(exprs)
                ));
            }
            Ok(make_labels(&sel["matchLabels"]))
        }
    }
}

/// Go's `%+v` of `[]metav1.LabelSelectorRequirement`.
fn go_requirements(exprs: &[Value]) -> String {
    let items: Vec<String> = exprs
        .iter()
        .map(|e| {
            let values: Vec<&str> = e["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            format!(
                "{{Key:{} Operator:{} Values:[{}]}}",
                e["key"].as_str().unwrap_or_default(),
                e["operator"].as_str().unwrap_or_default(),
                values.join(" ")
            )
        })
        .collect();
    format!("[{}]", items.join(" "))
}

/// polymorphichelpers `portsForObject`: the distinct ports in order.
fn ports_for(kind: &str, obj: &Value, pod_spec: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |p: &Value| {
        let key = p.as_i64().unwrap_or(0).to_string();
        if !out.contains(&key) {
            out.push(key);
        }
    };
    if kind == "Service" {
        for p in obj["spec"]["ports"].as_array().into_iter().flatten() {
            push(&p["port"]);
        }
    } else if let Some(spec) = pod_spec {
        for c in spec["containers"].as_array().into_iter().flatten() {
            for p in c["ports"].as_array().into_iter().flatten() {
                push(&p["containerPort"]);
            }
        }
    }
    out
}

/// polymorphichelpers `multiProtocolsForObject`: each port's protocols, TCP when unset.
fn protocols_for(obj: &Value, pod_spec: Option<&Value>) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |port: &Value, proto: &Value| {
        let key = port.as_i64().unwrap_or(0).to_string();
        let proto = proto
            .as_str()
            .filter(|s| !s.is_empty())
            .unwrap_or("TCP")
            .to_string();
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(proto),
            None => out.push((key, vec![proto])),
        }
    };
    match pod_spec {
        None => {
            for p in obj["spec"]["ports"].as_array().into_iter().flatten() {
                add(&p["port"], &p["protocol"]);
            }
        }
        Some(spec) => {
            for c in spec["containers"].as_array().into_iter().flatten() {
                for p in c["ports"].as_array().into_iter().flatten() {
                    add(&p["containerPort"], &p["protocol"]);
                }
            }
        }
    }
    out
}

//! `kubectl-rs create service clusterip|nodeport|loadbalancer|externalname` (kubectl
//! `pkg/cmd/create/create_service.go`): build the Service kubectl's generator builds, then
//! create it through the generators' shared [`submit`].

use serde_json::{json, Map, Value};

use crate::cmd::create_generators::{name_meta, submit, Built, CommonArgs};
use crate::cmd::flags::field_validation;
use crate::context::Context;
use crate::error::CliError;

/// kubectl's long help of `create service`.
pub const CREATE_SERVICE_LONG: &str = "Create a service using a specified subcommand.";
/// kubectl's usage line of `create service`.
pub const CREATE_SERVICE_USAGE: &str = "service [flags]";

const CLUSTERIP_LONG: &str = "Create a ClusterIP service with the specified name.";
const CLUSTERIP_EXAMPLES: &str = r#"Examples:
  # Create a new ClusterIP service named my-cs
  kubectl create service clusterip my-cs --tcp=5678:8080
  
  # Create a new ClusterIP service named my-cs (in headless mode)
  kubectl create service clusterip my-cs --clusterip="None""#;
const CLUSTERIP_USAGE: &str =
    "clusterip NAME [--tcp=<port>:<targetPort>] [--dry-run=server|client|none]";
const NODEPORT_LONG: &str = "Create a NodePort service with the specified name.";
const NODEPORT_EXAMPLES: &str = r"Examples:
  # Create a new NodePort service named my-ns
  kubectl create service nodeport my-ns --tcp=5678:8080";
const NODEPORT_USAGE: &str = "nodeport NAME [--tcp=port:targetPort] [--dry-run=server|client|none]";
const LOADBALANCER_LONG: &str = "Create a LoadBalancer service with the specified name.";
const LOADBALANCER_EXAMPLES: &str = r"Examples:
  # Create a new LoadBalancer service named my-lbs
  kubectl create service loadbalancer my-lbs --tcp=5678:8080";
const LOADBALANCER_USAGE: &str =
    "loadbalancer NAME [--tcp=port:targetPort] [--dry-run=server|client|none]";
const EXTERNALNAME_LONG: &str = "Create an ExternalName service with the specified name.\n\n ExternalName service references to an external DNS address instead of only pods, which will allow application authors to reference services that exist off platform, on other clusters, or locally.";
const EXTERNALNAME_EXAMPLES: &str = r"Examples:
  # Create a new ExternalName service named my-ns
  kubectl create service externalname my-ns --external-name bar.com";
const EXTERNALNAME_USAGE: &str =
    "externalname NAME --external-name external.name [--dry-run=server|client|none]";

/// `--tcp` (a pflag string slice).
#[derive(Debug, Clone, clap::Args)]
pub struct TcpFlag {
    /// Port pairs can be specified as '<port>:<targetPort>'.
    #[arg(verbatim_doc_comment, long, value_delimiter = ',')]
    pub tcp: Vec<String>,
}

/// The `create service` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ServiceKind {
    /// Create a ClusterIP service
    #[command(long_about = CLUSTERIP_LONG, after_help = CLUSTERIP_EXAMPLES, override_usage = CLUSTERIP_USAGE)]
    Clusterip {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        tcp: TcpFlag,
        /// Assign your own ClusterIP or set to 'None' for a 'headless' service (no loadbalancing).
        #[arg(verbatim_doc_comment, long = "clusterip", default_value = "")]
        clusterip: String,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a NodePort service
    #[command(long_about = NODEPORT_LONG, after_help = NODEPORT_EXAMPLES, override_usage = NODEPORT_USAGE)]
    Nodeport {
        /// NAME.
        names: Vec<String>,
        /// Port used to expose the service on each node in a cluster.
        #[arg(
            verbatim_doc_comment,
            long = "node-port",
            default_value_t = 0,
            allow_negative_numbers = true
        )]
        node_port: i64,
        #[command(flatten)]
        tcp: TcpFlag,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a LoadBalancer service
    #[command(long_about = LOADBALANCER_LONG, after_help = LOADBALANCER_EXAMPLES, override_usage = LOADBALANCER_USAGE)]
    Loadbalancer {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        tcp: TcpFlag,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create an ExternalName service
    #[command(long_about = EXTERNALNAME_LONG, after_help = EXTERNALNAME_EXAMPLES, override_usage = EXTERNALNAME_USAGE)]
    Externalname {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        tcp: TcpFlag,
        /// External name of service
        #[arg(verbatim_doc_comment, long = "external-name")]
        external_name: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
}

impl ServiceKind {
    /// The subcommand path for usage errors.
    pub fn command(&self) -> &'static str {
        match self {
            ServiceKind::Clusterip { .. } => "kubectl-rs create service clusterip",
            ServiceKind::Nodeport { .. } => "kubectl-rs create service nodeport",
            ServiceKind::Loadbalancer { .. } => "kubectl-rs create service loadbalancer",
            ServiceKind::Externalname { .. } => "kubectl-rs create service externalname",
        }
    }

    /// The NAME arguments and the shared flags.
    pub fn parts(&self) -> (&[String], &CommonArgs) {
        match self {
            ServiceKind::Clusterip { names, common, .. }
            | ServiceKind::Nodeport { names, common, .. }
            | ServiceKind::Loadbalancer { names, common, .. }
            | ServiceKind::Externalname { names, common, .. } => (names, common),
        }
    }

    fn service_type(&self) -> &'static str {
        match self {
            ServiceKind::Clusterip { .. } => "ClusterIP",
            ServiceKind::Nodeport { .. } => "NodePort",
            ServiceKind::Loadbalancer { .. } => "LoadBalancer",
            ServiceKind::Externalname { .. } => "ExternalName",
        }
    }

    /// kubectl's `Complete`, `Validate` and `Run` for the service `name`.
    pub async fn run(&self, ctx: &Context, name: &str) -> Result<(), CliError> {
        let (_, common) = self.parts();
        if let ServiceKind::Externalname {
            external_name: None,
            ..
        } = self
        {
            return Err(CliError::msg("required flag(s) \"external-name\" not set"));
        }
        let (namespace, enforce) = ctx.namespace()?;
        let dry_run = common.dry_run.strategy(ctx)?;
        let validation = field_validation(&common.validate.value)?;
        let (tcp, cluster_ip, node_port, external_name) = match self {
            ServiceKind::Clusterip { tcp, clusterip, .. } => (&tcp.tcp, clusterip.as_str(), 0, ""),
            ServiceKind::Nodeport { tcp, node_port, .. } => (&tcp.tcp, "", *node_port, ""),
            ServiceKind::Loadbalancer { tcp, .. } => (&tcp.tcp, "", 0, ""),
            ServiceKind::Externalname {
                tcp, external_name, ..
            } => (&tcp.tcp, "", 0, external_name.as_deref().unwrap_or("")),
        };
        // pflag's string slice: `--tcp=` is no value at all.
        let tcp: Vec<&String> = tcp.iter().filter(|t| !t.is_empty()).collect();
        let kind = self.service_type();
        // Validate.
        if cluster_ip == "None" && kind != "ClusterIP" {
            return Err(CliError::msg(
                "ClusterIP=None can only be used with ClusterIP service type",
            ));
        }
        if cluster_ip != "None" && tcp.is_empty() && kind != "ExternalName" {
            return Err(CliError::msg(
                "at least one tcp port specifier must be provided",
            ));
        }
        if kind == "ExternalName" && !kcore::validation::dns1123_subdomain(external_name).is_empty()
        {
            return Err(CliError::msg(format!(
                "invalid service external name {external_name}"
            )));
        }
        // Run: the typed Service in Go struct order.
        let mut ports = Vec::new();
        for t in &tcp {
            let (port, target) = parse_ports(t)?;
            let mut p = Map::new();
            p.insert("name".into(), json!(t.replace(':', "-")));
            p.insert("protocol".into(), json!("TCP"));
            p.insert("port".into(), json!(port));
            p.insert("targetPort".into(), target);
            if node_port != 0 {
                p.insert("nodePort".into(), json!(node_port));
            }
            ports.push(Value::Object(p));
        }
        let mut meta = name_meta(name, &namespace, enforce);
        meta.insert("labels".into(), json!({"app": name}));
        let mut spec = Map::new();
        if !ports.is_empty() {
            spec.insert("ports".into(), Value::Array(ports));
        }
        spec.insert("selector".into(), json!({"app": name}));
        if !cluster_ip.is_empty() {
            spec.insert("clusterIP".into(), json!(cluster_ip));
        }
        spec.insert("type".into(), json!(kind));
        if !external_name.is_empty() {
            spec.insert("externalName".into(), json!(external_name));
        }
        let object = json!({
            "kind": "Service",
            "apiVersion": "v1",
            "metadata": meta,
            "spec": spec,
            "status": {"loadBalancer": {}},
        });
        let wrap: &'static str = match kind {
            "ClusterIP" => "failed to create ClusterIP service: ",
            "NodePort" => "failed to create NodePort service: ",
            "LoadBalancer" => "failed to create LoadBalancer service: ",
            _ => "failed to create ExternalName service: ",
        };
        let built = Built {
            object,
            collection: "services".into(),
            namespaced: true,
            display: "service",
            wrap: Some(wrap),
        };
        // kubectl's service generator never reads --save-config (its CreateAnnotation stays
        // false): the flag is accepted and has no effect.
        let mut common = common.clone();
        common.save_config.value = false;
        submit(ctx, &common, built, &namespace, dry_run, validation).await
    }
}

/// kubectl's `parsePorts`: `PORT[:TARGET]`, the port as Go's `strconv.ParseUint(s, 10, 16)`
/// reads it, the target a port number or a port name.
fn parse_ports(spec: &str) -> Result<(u16, Value), CliError> {
    let parts: Vec<&str> = spec.split(':').collect();
    let port = parse_uint16(parts[0])?;
    let Some(target) = parts.get(1) else {
        return Ok((port, json!(port)));
    };
    let target = match target.parse::<i64>() {
        Ok(n) => {
            if !(1..=65535).contains(&n) {
                return Err(CliError::msg("must be between 1 and 65535, inclusive"));
            }
            json!(n)
        }
        Err(_) => {
            let errs = kcore::validation::port_name(target);
            if !errs.is_empty() {
                return Err(CliError::msg(errs.join(",")));
            }
            json!(target)
        }
    };
    Ok((port, target))
}

fn parse_uint16(s: &str) -> Result<u16, CliError> {
    let err = |why: &str| {
        CliError::msg(format!(
            "strconv.ParseUint: parsing {}: {why}",
            crate::print::gofmt::go_quote(s)
        ))
    };
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("invalid syntax"));
    }
    s.parse::<u16>().map_err(|_| err("value out of range"))
}

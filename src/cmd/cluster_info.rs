//! `kubectl-rs cluster-info` (kubectl `pkg/cmd/clusterinfo/clusterinfo.go`): the control
//! plane's address and the proxy addresses of the services labelled
//! `kubernetes.io/cluster-service=true` in `--namespace` (default `kube-system`, not the
//! context's namespace). Plain text: kubectl dropped its colours (go-colortext) in v1.33.

use std::io::Write;

use serde_json::Value;

use crate::client::{ApiRequest, ResourcePath};
use crate::context::Context;
use crate::error::CliError;

/// kubectl's long help of `cluster-info`.
pub const CLUSTER_INFO_LONG: &str = "Display addresses of the control plane and services with label kubernetes.io/cluster-service=true. To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.";
/// kubectl's examples of `cluster-info`.
pub const CLUSTER_INFO_EXAMPLES: &str = r"Examples:
  # Print the address of the control plane and cluster services
  kubectl cluster-info";
/// kubectl's usage line of `cluster-info`.
pub const CLUSTER_INFO_USAGE: &str = "cluster-info [flags]";

/// Display cluster information.
#[derive(Debug, Clone, clap::Args)]
pub struct ClusterInfoArgs {
    /// `dump`.
    #[command(subcommand)]
    pub command: Option<ClusterInfoCommand>,
    /// Positional arguments (kubectl ignores them).
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
}

/// The `cluster-info` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ClusterInfoCommand {
    /// Dump relevant information for debugging and diagnosis
    #[command(long_about = super::cluster_info_dump::DUMP_LONG, after_help = super::cluster_info_dump::DUMP_EXAMPLES, override_usage = super::cluster_info_dump::DUMP_USAGE)]
    Dump(super::cluster_info_dump::DumpArgs),
}

impl ClusterInfoArgs {
    /// kubectl's `Complete` and `Run`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if let Some(ClusterInfoCommand::Dump(d)) = &self.command {
            return d.run(ctx).await;
        }
        let host = ctx.rest_config()?.server.clone();
        let namespace = ctx
            .global
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "kube-system".into());
        let path = ResourcePath {
            group: "",
            version: "v1",
            resource: "services",
            namespace: Some(&namespace),
            name: None,
            subresource: None,
        }
        .build()?;
        let req =
            ApiRequest::get(path).query("labelSelector", "kubernetes.io/cluster-service=true");
        let listed = ctx.client()?.send_json(&req).await;
        let mut text = String::new();
        let result = match listed {
            Ok(list) => {
                line(&mut text, "Kubernetes control plane", &host);
                for svc in list["items"].as_array().into_iter().flatten() {
                    let (name, link) = service_link(svc, &host);
                    line(&mut text, &name, &link);
                }
                Ok(())
            }
            Err(e) => Err(CliError::from(e)),
        };
        text.push_str(
            "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n",
        );
        ctx.out().write_all(text.as_bytes())?;
        result
    }
}

fn line(out: &mut String, name: &str, link: &str) {
    out.push_str(name);
    out.push_str(" is running at ");
    out.push_str(link);
    out.push('\n');
}

/// The printed name (label `kubernetes.io/name`, else the service's name) and kubectl's link:
/// the load balancer's `http://ip:port ` for each port, else the API server's service proxy
/// path (`https:` scheme guessed from a port named https or numbered 443).
fn service_link(svc: &Value, host: &str) -> (String, String) {
    let meta = &svc["metadata"];
    let svc_name = meta["name"].as_str().unwrap_or_default();
    let ports: Vec<&Value> = svc["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let ingress = &svc["status"]["loadBalancer"]["ingress"][0];
    let link = if ingress.is_object() {
        let ip = ingress["ip"]
            .as_str()
            .filter(|s| !s.is_empty())
            .or_else(|| ingress["hostname"].as_str())
            .unwrap_or_default();
        ports
            .iter()
            .map(|p| format!("http://{ip}:{} ", p["port"].as_i64().unwrap_or(0)))
            .collect()
    } else {
        let mut name = svc_name.to_string();
        if let Some(port) = ports.first() {
            let port_name = port["name"].as_str().unwrap_or_default();
            let scheme = if port_name == "https" || port["port"].as_i64() == Some(443) {
                "https"
            } else {
                ""
            };
            // utilnet.JoinSchemeNamePort.
            name = match (scheme.is_empty(), port_name.is_empty()) {
                (true, true) => svc_name.to_string(),
                (true, false) => format!("{svc_name}:{port_name}"),
                (false, _) => format!("{scheme}:{svc_name}:{port_name}"),
            };
        }
        format!(
            "{host}/api/v1/namespaces/{}/services/{name}/proxy",
            meta["namespace"].as_str().unwrap_or_default()
        )
    };
    let shown = meta["labels"]["kubernetes.io/name"]
        .as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or(svc_name);
    (shown.to_string(), link)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn links_follow_kubectls_guesses() {
        let svc = json!({"metadata": {"name": "dns", "namespace": "kube-system",
            "labels": {"kubernetes.io/name": "CoreDNS"}},
            "spec": {"ports": [{"name": "dns", "port": 53}]}});
        assert_eq!(
            service_link(&svc, "https://h"),
            (
                "CoreDNS".into(),
                "https://h/api/v1/namespaces/kube-system/services/dns:dns/proxy".into()
            )
        );
        let svc = json!({"metadata": {"name": "m", "namespace": "n"}, "spec": {"ports": [{"port": 443}]}});
        assert_eq!(
            service_link(&svc, "h").1,
            "h/api/v1/namespaces/n/services/https:m:/proxy"
        );
        let svc = json!({"metadata": {"name": "lb"}, "spec": {"ports": [{"port": 80}, {"port": 81}]},
            "status": {"loadBalancer": {"ingress": [{"hostname": "x"}]}}});
        assert_eq!(service_link(&svc, "h").1, "http://x:80 http://x:81 ");
    }
}

//! `kubectl-rs top`: resource (CPU/memory) usage of nodes and pods from the Metrics API
//! (kubectl `pkg/cmd/top`), one file per subcommand under `top/`; the table is
//! [`crate::print::metrics`].

pub mod node;
pub mod pod;

use crate::client::Client;
use crate::error::CliError;

/// kubectl v1.36's long help of `top` (its markdown rendered as kubectl renders it).
pub const TOP_LONG: &str = "Display resource (CPU/memory) usage.

 This command provides a view of recent resource consumption for nodes and pods. It fetches metrics from the Metrics Server, which aggregates this data from the kubelet on each node. The Metrics Server must be installed and running in the cluster for this command to work.

 The metrics shown are specifically optimized for Kubernetes autoscaling decisions, such as those made by the Horizontal Pod Autoscaler (HPA) and Vertical Pod Autoscaler (VPA). Because of this, the values may not match those from standard OS tools like 'top', as the metrics are designed to provide a stable signal for autoscalers rather than for pinpoint accuracy.

 FAQ for Metrics Server: https://github.com/kubernetes-sigs/metrics-server/blob/master/FAQ.md

 When to use this command:

  *  For on-the-fly spot-checks of resource usage (e.g. identify which pods are consuming the most resources at a glance, or get a quick sense of the load on your nodes)
  *  Understand current resource consumption patterns
  *  Validate the behavior of your HPA or VPA configurations by seeing the metrics they use for scaling decisions.

 It is not intended to be a replacement for full-featured monitoring solutions. Its primary design goal is to provide a low-overhead signal for autoscalers, not to be a perfectly accurate monitoring tool. For high-accuracy reporting, historical analysis, dashboarding, or alerting, you should use a dedicated monitoring solution.";

/// kubectl's usage line of `top`.
pub const TOP_USAGE: &str = "top [flags]";

/// The Metrics API group and the versions kubectl can read (`supportedMetricsAPIVersions`).
const METRICS_GROUP: &str = "metrics.k8s.io";
const SUPPORTED_VERSIONS: &[&str] = &["v1beta1"];

/// Display resource (CPU/memory) usage.
#[derive(Debug, Clone, clap::Args)]
pub struct TopArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub command: TopCommand,
}

/// The `top` subcommands, in kubectl's order.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum TopCommand {
    /// Display resource (CPU/memory) usage of nodes
    #[command(visible_aliases = ["nodes", "no"])]
    #[command(long_about = node::TOP_NODE_LONG, after_help = node::TOP_NODE_EXAMPLES, override_usage = node::TOP_NODE_USAGE)]
    Node(node::TopNodeArgs),
    /// Display resource (CPU/memory) usage of pods
    #[command(visible_aliases = ["pods", "po"])]
    #[command(long_about = pod::TOP_POD_LONG, after_help = pod::TOP_POD_EXAMPLES, override_usage = pod::TOP_POD_USAGE)]
    Pod(pod::TopPodArgs),
}

impl TopArgs {
    /// Runs the subcommand.
    pub async fn run(&self, ctx: &crate::context::Context) -> Result<(), CliError> {
        match &self.command {
            TopCommand::Node(a) => a.run(ctx).await,
            TopCommand::Pod(a) => a.run(ctx).await,
        }
    }
}

/// `Validate`'s check of `--sort-by`, shared by both subcommands.
fn validate_sort_by(sort_by: &str) -> Result<(), CliError> {
    if !sort_by.is_empty() && sort_by != "cpu" && sort_by != "memory" {
        return Err(CliError::msg("--sort-by accepts only cpu or memory"));
    }
    Ok(())
}

/// `SupportedMetricsAPIVersionAvailable` over the server's groups (uncached discovery), or
/// kubectl's `Metrics API not available`.
async fn require_metrics_api(client: &Client) -> Result<(), CliError> {
    let groups = crate::discovery::server_groups(client).await?;
    let available = groups.iter().any(|g| {
        g.name == METRICS_GROUP
            && g.versions
                .iter()
                .any(|v| SUPPORTED_VERSIONS.contains(&v.as_str()))
    });
    if available {
        Ok(())
    } else {
        Err(CliError::msg("Metrics API not available"))
    }
}

/// A label selector as kubectl checks it before sending (`labels.Parse`): its error is
/// printed as it is.
fn check_label_selector(s: &str) -> Result<(), CliError> {
    if s.is_empty() {
        return Ok(());
    }
    kcore::selectors::LabelSelector::parse(s)
        .map(|_| ())
        .map_err(CliError::msg)
}

//! `kubectl-rs top node` (kubectl `pkg/cmd/top/top_node.go`): the usage of each node from the
//! Metrics API, as a share of what the node can give (allocatable, or capacity).

use serde_json::Value;

use crate::client::{ApiRequest, ResourcePath};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;
use crate::print::metrics::{resource_list, NodeMetrics, TopPrinter, RESOURCE_SWAP};

/// kubectl's long help of `top node`.
pub const TOP_NODE_LONG: &str = "Display resource (CPU/memory) usage of nodes.

 The top-node command allows you to see the resource consumption of nodes.";

/// kubectl's examples of `top node`.
pub const TOP_NODE_EXAMPLES: &str = r"Examples:
  # Show metrics for all nodes
  kubectl top node
  
  # Show metrics for a given node
  kubectl top node NODE_NAME";

/// kubectl's usage line of `top node`.
pub const TOP_NODE_USAGE: &str = "node [NAME | -l label]";

/// Display resource (CPU/memory) usage of nodes.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("no_headers", |a| a.help("If present, print output without headers")))]
#[command(mut_arg("top_sort_by", |a| a.help("If non-empty, sort nodes list using specified field. The field can be either 'cpu' or 'memory'.")))]
#[command(mut_arg("show_swap", |a| a.help("Print node resources related to swap memory.")))]
pub struct TopNodeArgs {
    /// `NAME`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub no_headers: crate::cmd::flags::NoHeadersFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    /// Print node resources based on Capacity instead of Allocatable(default) of the nodes.
    #[arg(
        verbatim_doc_comment,
        long,
        value_name = "SHOW_CAPACITY",
        go_bool(false)
    )]
    pub show_capacity: bool,
    #[command(flatten)]
    pub show_swap: crate::cmd::flags::ShowSwapFlag,
    #[command(flatten)]
    pub sort_by: crate::cmd::flags::TopSortByFlag,
    #[command(flatten)]
    pub use_protocol_buffers: crate::cmd::flags::UseProtocolBuffersFlag,
}

/// What `top node` was asked for, after `Complete` and `Validate`.
struct TopNodeOptions<'a> {
    name: Option<&'a str>,
    selector: &'a str,
}

impl TopNodeArgs {
    /// kubectl's `Complete`: at most one NAME, and a client.
    fn complete(&self, ctx: &Context) -> Result<TopNodeOptions<'_>, CliError> {
        if self.args.len() > 1 {
            return Err(CliError::Usage {
                message: TOP_NODE_USAGE.into(),
                command: "kubectl-rs top node".into(),
            });
        }
        ctx.client()?;
        Ok(TopNodeOptions {
            name: self.args.first().map(String::as_str),
            selector: self.selector.as_str(),
        })
    }

    /// kubectl's `Validate`.
    fn validate(&self, o: &TopNodeOptions<'_>) -> Result<(), CliError> {
        super::validate_sort_by(&self.sort_by.value)?;
        if o.name.is_some_and(|n| !n.is_empty()) && !o.selector.is_empty() {
            return Err(CliError::msg(
                "only one of NAME or --selector can be provided",
            ));
        }
        Ok(())
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let o = self.complete(ctx)?;
        self.validate(&o)?;
        super::check_label_selector(o.selector)?;
        let client = ctx.client()?;
        super::require_metrics_api(client).await?;
        let name = o.name.filter(|n| !n.is_empty());
        let metrics: Vec<NodeMetrics> = match name {
            Some(n) => {
                let path = ResourcePath {
                    group: "metrics.k8s.io",
                    version: "v1beta1",
                    resource: "nodes",
                    name: Some(n),
                    ..Default::default()
                }
                .build()?;
                vec![NodeMetrics::from_json(
                    &client.send_json(&ApiRequest::get(path)).await?,
                )]
            }
            None => {
                let list = list(client, "metrics.k8s.io", "v1beta1", o.selector).await?;
                list.iter().map(NodeMetrics::from_json).collect()
            }
        };
        if metrics.is_empty() {
            return Err(CliError::msg("metrics not available yet"));
        }
        let nodes: Vec<Value> = match name {
            Some(n) => {
                let path = ResourcePath {
                    version: "v1",
                    resource: "nodes",
                    name: Some(n),
                    ..Default::default()
                }
                .build()?;
                vec![client.send_json(&ApiRequest::get(path)).await?]
            }
            None => list(client, "", "v1", o.selector).await?,
        };
        let mut printer = TopPrinter::new(self.show_swap.value);
        let mut available = Vec::new();
        for n in &nodes {
            let node_name = n["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let field = if self.show_capacity {
                "capacity"
            } else {
                "allocatable"
            };
            let mut resources = resource_list(&n["status"][field]);
            match n["status"]["nodeInfo"]["swap"]["capacity"].as_i64() {
                Some(bytes) => {
                    resources.insert(
                        RESOURCE_SWAP.into(),
                        crate::describe::quantity::Quantity::from_integer(
                            bytes.into(),
                            crate::describe::quantity::Format::BinarySI,
                        ),
                    );
                }
                None => printer.register_missing_resource(&node_name, RESOURCE_SWAP),
            }
            // A node listed twice keeps its last entry, as kubectl's map does.
            available.retain(|(k, _): &(String, _)| *k != node_name);
            available.push((node_name, resources));
        }
        let text = printer.print_node_metrics(
            metrics,
            available,
            self.no_headers.value,
            &self.sort_by.value,
        );
        ctx.out().write_all(text.as_bytes())?;
        Ok(())
    }
}

/// The items of a cluster-wide list of `nodes` in `group/version`, with the label selector.
async fn list(
    client: &crate::client::Client,
    group: &str,
    version: &str,
    selector: &str,
) -> Result<Vec<Value>, CliError> {
    let path = ResourcePath {
        group,
        version,
        resource: "nodes",
        ..Default::default()
    }
    .build()?;
    let mut req = ApiRequest::get(path);
    if !selector.is_empty() {
        req = req.query("labelSelector", selector);
    }
    let mut v = client.send_json(&req).await?;
    Ok(match v["items"].take() {
        Value::Array(items) => items,
        _ => Vec::new(),
    })
}

use std::io::Write as _;

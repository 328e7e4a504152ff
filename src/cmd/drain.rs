//! `kubectl-rs drain`: cordons nodes, then evicts or deletes their pods (kubectl
//! `pkg/cmd/drain/drain.go` `RunDrain`); the pod work is [`crate::drain::pods`].

use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::drain::filters::FilterOptions;
use crate::drain::pods::{drain_node, DrainOptions};
use crate::drain::{check_node_args, cordon_nodes, print_op, select_nodes};
use crate::error::CliError;
use crate::print::gofmt::go_quote;

/// kubectl's long help of `drain`.
pub const DRAIN_LONG: &str = r"Drain node in preparation for maintenance.

 The given node will be marked unschedulable to prevent new pods from arriving. 'drain' evicts the pods if the API server supports https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ eviction https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ . Otherwise, it will use normal DELETE to delete the pods. The 'drain' evicts or deletes all pods except mirror pods (which cannot be deleted through the API server).  If there are daemon set-managed pods, drain will not proceed without --ignore-daemonsets, and regardless it will not delete any daemon set-managed pods, because those pods would be immediately replaced by the daemon set controller, which ignores unschedulable markings.  If there are any pods that are neither mirror pods nor managed by a replication controller, replica set, daemon set, stateful set, or job, then drain will not delete any pods unless you use --force.  --force will also allow deletion to proceed if the managing resource of one or more pods is missing.

 'drain' waits for graceful termination. You should not operate on the machine until the command completes.

 When you are ready to put the node back into service, use kubectl uncordon, which will make the node schedulable again.

https://kubernetes.io/images/docs/kubectl_drain.svg Workflowhttps://kubernetes.io/images/docs/kubectl_drain.svg";

/// kubectl's examples of `drain`.
pub const DRAIN_EXAMPLES: &str = r#"Examples:
  # Drain node "foo", even if there are pods not managed by a replication controller, replica set, job, daemon set, or stateful set on it
  kubectl drain foo --force
  
  # As above, but abort if there are pods not managed by a replication controller, replica set, job, daemon set, or stateful set, and use a grace period of 15 minutes
  kubectl drain foo --grace-period=900"#;

/// `kubectl drain`: kubectl's usage (`Use`).
pub const DRAIN_USAGE: &str = "drain NODE";

/// Drain node in preparation for maintenance.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Drain node in preparation for maintenance")]
pub struct DrainArgs {
    /// `NODE…`.
    pub args: Vec<String>,
    /// Continue even if there are pods that do not declare a controller.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub force: bool,
    /// Ignore DaemonSet-managed pods.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub ignore_daemonsets: bool,
    /// Continue even if there are pods using emptyDir (local data that will be deleted when the node is drained).
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub delete_emptydir_data: bool,
    /// Period of time in seconds given to each pod to terminate gracefully. If negative, the default value specified in the pod will be used.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "-1",
        allow_negative_numbers = true
    )]
    pub grace_period: String,
    /// The length of time to wait before giving up, zero means infinite
    #[arg(verbatim_doc_comment, long, default_value = "0s")]
    pub timeout: String,
    /// Label selector to filter pods on the node
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub pod_selector: String,
    /// Force drain to use delete, even if eviction is supported. This will bypass checking PodDisruptionBudgets, use with caution.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub disable_eviction: bool,
    /// If pod DeletionTimestamp older than N seconds, skip waiting for the pod.  Seconds must be greater than 0 to skip.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "0",
        allow_negative_numbers = true
    )]
    pub skip_wait_for_delete_timeout: String,
    /// Return large lists in chunks rather than all at once. Pass 0 to disable.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "500",
        allow_negative_numbers = true
    )]
    pub chunk_size: String,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
}

impl DrainArgs {
    /// pflag's parse of the numeric and duration flags (before anything else, as cobra does).
    fn parse_flags(&self) -> Result<(i64, i64, i64, std::time::Duration), CliError> {
        let usage = |flag: &str, value: &str, why: String| {
            crate::cmd::flags::invalid_flag_value("drain", flag, value, why)
        };
        let int = |flag: &str, value: &str| {
            kcore::gofmt::go_parse_int(value).map_err(|why| usage(flag, value, why))
        };
        let grace = int("grace-period", &self.grace_period)?;
        let skip = int(
            "skip-wait-for-delete-timeout",
            &self.skip_wait_for_delete_timeout,
        )?;
        let chunk = int("chunk-size", &self.chunk_size)?;
        let timeout = crate::cmd::flags::parse_go_duration(&self.timeout).ok_or_else(|| {
            usage(
                "timeout",
                &self.timeout,
                format!("time: invalid duration {}", go_quote(&self.timeout)),
            )
        })?;
        Ok((grace, skip, chunk, timeout))
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let (grace, skip, chunk, timeout) = self.parse_flags()?;
        check_node_args("drain", &self.args, self.selector.value.as_deref())?;
        let mode = crate::drain::Mode::from(self.dry_run.strategy(ctx)?);
        ctx.client()?;
        if !self.pod_selector.is_empty()
            && kcore::selectors::LabelSelector::parse(&self.pod_selector).is_err()
        {
            return Err(CliError::msg(
                "--pod-selector=<pod_selector> must be a valid label selector",
            ));
        }
        ctx.namespace()?;
        let nodes = select_nodes(ctx, &self.args, self.selector.value.as_deref(), chunk).await?;
        let opts = DrainOptions {
            filters: FilterOptions {
                force: self.force,
                ignore_daemonsets: self.ignore_daemonsets,
                delete_emptydir_data: self.delete_emptydir_data,
                skip_wait_for_delete_timeout: skip,
            },
            grace_period: grace,
            timeout,
            pod_selector: self.pod_selector.clone(),
            disable_eviction: self.disable_eviction,
            chunk_size: chunk,
            mode,
        };
        cordon_nodes(ctx, &nodes, true, mode).await?;
        let mut fatal = Vec::new();
        let mut remaining = Vec::new();
        for node in &nodes {
            let name = node["metadata"]["name"].as_str().unwrap_or_default();
            match drain_node(ctx, name, &opts).await {
                Ok(()) => print_op(ctx, node, "drained", mode)?,
                Err(e) => {
                    ctx.eprint(&format!(
                        "error: unable to drain node {name:?} due to error: {}, continuing command...\n",
                        e.text()
                    ));
                    fatal.push(e);
                    remaining.push(name.to_string());
                }
            }
        }
        if !remaining.is_empty() {
            let mut text = String::from("There are pending nodes to be drained:\n");
            for n in &remaining {
                text.push_str(&format!(" {n}\n"));
            }
            ctx.eprint(&text);
        }
        // utilerrors.NewAggregate(fatal) through CheckErr: an aggregate of one is unwrapped;
        // an aggregate prints one error a line without `error: `.
        match fatal.as_slice() {
            [] => Ok(()),
            [one] if one.aggregate => Err(CliError::Raw(one.messages.join("\n"))),
            [one] => Err(CliError::msg(one.text())),
            many => Err(CliError::Raw(
                many.iter().map(|f| f.text()).collect::<Vec<_>>().join("\n"),
            )),
        }
    }
}

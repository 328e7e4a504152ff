//! `kubectl-rs cordon`: marks nodes unschedulable (kubectl `pkg/cmd/drain/drain.go`
//! `NewCmdCordon`); the work is [`crate::drain::cordon_nodes`].

use crate::context::Context;
use crate::drain::{check_node_args, cordon_nodes, select_nodes};
use crate::error::CliError;

/// kubectl's long help of `cordon`.
pub const CORDON_LONG: &str = "Mark node as unschedulable.";

/// kubectl's examples of `cordon`.
pub const CORDON_EXAMPLES: &str = r#"Examples:
  # Mark node "foo" as unschedulable
  kubectl cordon foo"#;

/// `kubectl cordon`: kubectl's usage (`Use`).
pub const CORDON_USAGE: &str = "cordon NODE";

/// Mark node as unschedulable.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Mark node as unschedulable")]
pub struct CordonArgs {
    /// `NODE…`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
}

impl CordonArgs {
    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        check_node_args("cordon", &self.args, self.selector.value.as_deref())?;
        let mode = crate::drain::Mode::from(self.dry_run.strategy(ctx)?);
        ctx.namespace()?;
        let nodes = select_nodes(ctx, &self.args, self.selector.value.as_deref(), 500).await?;
        cordon_nodes(ctx, &nodes, true, mode).await
    }
}

//! `kubectl-rs uncordon`: marks nodes schedulable again (kubectl `pkg/cmd/drain/drain.go`
//! `NewCmdUncordon`); the work is [`crate::drain::cordon_nodes`].

use crate::context::Context;
use crate::drain::{check_node_args, cordon_nodes, select_nodes};
use crate::error::CliError;

/// kubectl's long help of `uncordon`.
pub const UNCORDON_LONG: &str = "Mark node as schedulable.";

/// kubectl's examples of `uncordon`.
pub const UNCORDON_EXAMPLES: &str = r#"Examples:
  # Mark node "foo" as schedulable
  kubectl uncordon foo"#;

/// `kubectl uncordon`: kubectl's usage (`Use`).
pub const UNCORDON_USAGE: &str = "uncordon NODE";

/// Mark node as schedulable.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Mark node as schedulable")]
pub struct UncordonArgs {
    /// `NODE…`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
}

impl UncordonArgs {
    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        check_node_args("uncordon", &self.args, self.selector.value.as_deref())?;
        let mode = crate::drain::Mode::from(self.dry_run.strategy(ctx)?);
        ctx.namespace()?;
        let nodes = select_nodes(ctx, &self.args, self.selector.value.as_deref(), 500).await?;
        cordon_nodes(ctx, &nodes, false, mode).await
    }
}

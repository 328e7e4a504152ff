//! `kubectl-rs auth`: `can-i`, `reconcile` and `whoami` (kubectl `pkg/cmd/auth`), one file per subcommand
//! under `auth/`.

pub mod can_i;
pub mod reconcile;
pub mod whoami;

/// kubectl's long help of `auth`.
pub const AUTH_LONG: &str = "Inspect authorization.";
/// kubectl's usage line of `auth`.
pub const AUTH_USAGE: &str = "auth [flags]";

/// Inspect authorization.
#[derive(Debug, Clone, clap::Args)]
pub struct AuthArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub command: AuthCommand,
}

/// The `auth` subcommands, in kubectl's order.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AuthCommand {
    /// Check whether an action is allowed
    #[command(name = "can-i")]
    #[command(long_about = can_i::CAN_I_LONG, after_help = can_i::CAN_I_EXAMPLES, override_usage = can_i::CAN_I_USAGE)]
    CanI(can_i::CanIArgs),
    /// Experimental: Check self subject attributes
    #[command(long_about = whoami::WHOAMI_LONG, after_help = whoami::WHOAMI_EXAMPLES, override_usage = whoami::WHOAMI_USAGE)]
    Whoami(whoami::WhoamiArgs),
    /// Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects
    #[command(long_about = reconcile::RECONCILE_LONG, after_help = reconcile::RECONCILE_EXAMPLES, override_usage = reconcile::RECONCILE_USAGE)]
    Reconcile(reconcile::ReconcileArgs),
}

impl AuthArgs {
    /// Runs the subcommand.
    pub async fn run(&self, ctx: &crate::context::Context) -> Result<(), crate::error::CliError> {
        match &self.command {
            AuthCommand::CanI(a) => a.run(ctx).await,
            AuthCommand::Whoami(a) => a.run(ctx).await,
            AuthCommand::Reconcile(a) => a.run(ctx).await,
        }
    }
}

//! The command tree: one file per command.
//!
//! [`Cli`] is the clap root (global flags flattened from [`flags::GlobalArgs`]), [`Command`]
//! lists the subcommands in kubectl's help-group order, and [`run`] dispatches. Each command
//! file has an `XArgs` with a `run(&self, &Context)`.

pub mod api_resources;
pub mod api_versions;
pub mod complete;
pub mod completion;
pub mod config;
pub mod describe;
pub mod flags;
pub mod generate;
pub mod options;
pub mod sandbox;
pub mod version;

use crate::context::Context;
use crate::error::CliError;
use clap::Parser;

/// kubectl-rs controls the Kubernetes cluster manager.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "kubectl-rs",
    about = "kubectl-rs controls the Kubernetes cluster manager.",
    long_about = "kubectl-rs controls the Kubernetes cluster manager.\n\nA kubectl-compatible command-line client, with a built-in simulated cluster.",
    disable_version_flag = true,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Flags every command accepts.
    #[command(flatten)]
    pub global: flags::GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands, in kubectl's help order ("Other Commands" last).
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Show details of a specific resource or group of resources
    #[command(display_order = 300)]
    Describe(describe::DescribeArgs),
    // Help texts come from `CompletionArgs` (kubectl's long help and examples).
    #[command(display_order = 700)]
    Completion(completion::CompletionArgs),
    /// Answer a completion request of the shell scripts (cobra's protocol)
    #[command(name = "__complete", hide = true)]
    Complete(complete::CompleteArgs),
    /// Answer a completion request of the shell scripts, without descriptions
    #[command(name = "__completeNoDesc", hide = true)]
    CompleteNoDesc(complete::CompleteArgs),
    /// Run a simulated Kubernetes cluster on this machine (no containers needed)
    #[command(display_order = 800)]
    Sandbox(sandbox::SandboxArgs),
    /// Print the supported API resources on the server
    #[command(name = "api-resources", display_order = 900)]
    ApiResources(api_resources::ApiResourcesArgs),
    /// Print the supported API versions on the server, in the form of "group/version"
    #[command(name = "api-versions", display_order = 901)]
    ApiVersions(api_versions::ApiVersionsArgs),
    /// Modify kubeconfig files
    #[command(display_order = 902)]
    Config(config::ConfigArgs),
    /// Print the client and server version information
    #[command(display_order = 903)]
    Version(version::VersionArgs),
    /// Print the list of flags inherited by all commands
    #[command(display_order = 904)]
    Options(options::OptionsArgs),
}

impl Command {
    /// Whether the command serves others (the sandbox) and wants every core.
    pub fn is_server(&self) -> bool {
        matches!(self, Command::Sandbox(_))
    }

    /// The `Kubectl-Command` header value (`kubectl api-resources`, `kubectl config view`).
    pub fn header_name(&self) -> String {
        let name = match self {
            Command::Describe(_) => "describe",
            Command::Completion(_) => "completion",
            Command::Complete(_) => complete::COMPLETE,
            Command::CompleteNoDesc(_) => complete::COMPLETE_NO_DESC,
            Command::Sandbox(_) => "sandbox",
            Command::ApiResources(_) => "api-resources",
            Command::ApiVersions(_) => "api-versions",
            Command::Config(_) => "config",
            Command::Version(_) => "version",
            Command::Options(_) => "options",
        };
        format!("kubectl {name}")
    }
}

/// Runs the parsed command (and applies `--warnings-as-errors`).
pub async fn run(cmd: &Command, ctx: &Context) -> Result<(), CliError> {
    dispatch(cmd, ctx).await?;
    if ctx.global.warnings_as_errors {
        match ctx.warning_count() {
            0 => {}
            1 => return Err(CliError::msg("1 warning received")),
            n => return Err(CliError::msg(format!("{n} warnings received"))),
        }
    }
    Ok(())
}

async fn dispatch(cmd: &Command, ctx: &Context) -> Result<(), CliError> {
    match cmd {
        Command::Describe(a) => a.run(ctx).await,
        Command::Completion(a) => a.run(ctx).await,
        Command::Complete(a) => a.run(ctx, true),
        Command::CompleteNoDesc(a) => a.run(ctx, false),
        Command::Sandbox(a) => sandbox::run(a.clone())
            .await
            .map_err(|e| CliError::msg(format!("{e:#}"))),
        Command::ApiResources(a) => a.run(ctx).await,
        Command::ApiVersions(a) => a.run(ctx).await,
        Command::Config(a) => a.run(ctx).await,
        Command::Version(a) => a.run(ctx).await,
        Command::Options(a) => a.run(ctx).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_anywhere() {
        let c = Cli::try_parse_from([
            "kubectl-rs",
            "api-resources",
            "-n",
            "x",
            "--v=6",
            "-o",
            "wide",
        ])
        .unwrap();
        assert_eq!(c.global.namespace.as_deref(), Some("x"));
        assert_eq!(c.global.v, 6);
        let c = Cli::try_parse_from(["kubectl-rs", "--context", "a", "config", "view", "--minify"])
            .unwrap();
        assert_eq!(c.global.context.as_deref(), Some("a"));
        assert_eq!(c.command.header_name(), "kubectl config");
        let e = Cli::try_parse_from(["kubectl-rs", "version", "--bogus"]).unwrap_err();
        let r = crate::error::render(&CliError::Clap(e));
        assert_eq!(
            r.stderr,
            "error: unknown flag: --bogus\nSee 'kubectl-rs version --help' for usage.\n"
        );
    }
}

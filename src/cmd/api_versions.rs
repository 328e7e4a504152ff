//! `kubectl-rs api-versions`: every `group/version` the server offers, sorted (always fresh
//! from the server, as kubectl invalidates its cache first).

use crate::context::Context;
use crate::discovery::partial_failure;
use crate::error::CliError;
use std::io::Write;

/// Print the supported API versions on the server, in the form of "group/version".
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ApiVersionsArgs {
    /// Unexpected positional arguments (rejected with kubectl's usage error).
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
}

impl ApiVersionsArgs {
    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if !self.args.is_empty() {
            return Err(CliError::Usage {
                message: format!("unexpected arguments: [{}]", self.args.join(" ")),
                command: "kubectl-rs api-versions".into(),
            });
        }
        let data = ctx.discovery()?.refresh().await?;
        let mut text = String::new();
        for gv in data.group_versions() {
            text.push_str(&gv);
            text.push('\n');
        }
        ctx.out().write_all(text.as_bytes())?;
        if let Some(msg) = partial_failure(&data) {
            return Err(CliError::msg(msg));
        }
        Ok(())
    }
}

/// `kubectl api-versions`: kubectl's description.
pub const API_VERSIONS_LONG: &str =
    r#"Print the supported API versions on the server, in the form of "group/version"."#;

/// `kubectl api-versions`: kubectl's examples.
pub const API_VERSIONS_EXAMPLES: &str = r"Examples:
  # Print the supported API versions
  kubectl api-versions";

/// `kubectl api-versions`: kubectl's usage (`Use`).
pub const API_VERSIONS_USAGE: &str = r"api-versions";

//! `--dry-run`'s strategies and how kubectl reads the flag (cmdutil `GetDryRunStrategy`): used
//! by the commands' flag groups and by the operations they share.

use crate::client::ApiRequest;
use crate::context::Context;
use crate::error::CliError;

/// `--dry-run` strategies (cmdutil `GetDryRunStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DryRun {
    /// Send every request.
    None,
    /// Send no mutating request; print what would happen.
    Client,
    /// Send mutating requests with `dryRun=All`.
    Server,
}

impl DryRun {
    /// Parses the flag value as kubectl does.
    pub fn parse(s: &str) -> Result<DryRun, CliError> {
        match s {
            "none" => Ok(DryRun::None),
            "client" => Ok(DryRun::Client),
            "server" => Ok(DryRun::Server),
            other => Err(CliError::msg(format!(
                "Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            ))),
        }
    }

    /// The suffix after an operation (`created (dry run)`).
    pub fn suffix(&self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }

    /// Adds `dryRun=All` for server dry runs.
    pub fn query(&self, req: ApiRequest) -> ApiRequest {
        match self {
            DryRun::Server => req.query("dryRun", "All"),
            _ => req,
        }
    }
}

/// Reads `--dry-run` as cmdutil `GetDryRunStrategy` does: a bare `--dry-run` (clap's missing
/// value `unchanged`) means `client`, and Go's boolean spellings (`true`, `1`, `F`, ...) mean
/// `client` or `none`; both with klog's deprecation warning.
pub fn dry_run_flag(ctx: &Context, value: &str) -> Result<DryRun, CliError> {
    let warn = |line: u32, text: String| {
        let now = chrono::Local::now();
        ctx.eprint(&format!(
            "W{} {:>7} helpers.go:{line}] {text}\n",
            now.format("%m%d %H:%M:%S%.6f"),
            std::process::id()
        ));
    };
    if value == "unchanged" {
        warn(
            719,
            "--dry-run is deprecated and can be replaced with --dry-run=client.".into(),
        );
        return Ok(DryRun::Client);
    }
    match kcore::gofmt::go_parse_bool(value) {
        Some(true) => {
            warn(733, format!("--dry-run={value} is deprecated (boolean value) and can be replaced with --dry-run=client."));
            Ok(DryRun::Client)
        }
        Some(false) => {
            warn(736, format!("--dry-run={value} is deprecated (boolean value) and can be replaced with --dry-run=none."));
            Ok(DryRun::None)
        }
        None => DryRun::parse(value),
    }
}

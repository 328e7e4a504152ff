//! `kubectl-rs options`: the flags every command accepts, in `kubectl options`' layout,
//! generated from the `GlobalArgs` definitions (no text written twice).

use crate::cmd::flags::GlobalArgs;
use crate::context::Context;
use crate::error::CliError;
use clap::Args;
use std::io::Write;

/// Print the list of flags inherited by all commands.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OptionsArgs {}

/// The `options` text; `cache_default` is the `--cache-dir` default shown.
pub fn render(cache_default: &str) -> String {
    let cmd = GlobalArgs::augment_args(clap::Command::new("options"));
    let mut args: Vec<&clap::Arg> = cmd
        .get_arguments()
        .filter(|a| a.get_long().is_some())
        .collect();
    args.sort_by_key(|a| a.get_long().unwrap_or(""));
    let mut s = String::from("The following options can be passed to any command:\n\n");
    for a in args {
        let long = a.get_long().unwrap_or("");
        let kind = a
            .get_value_names()
            .and_then(|v| v.first())
            .map(|v| v.as_str())
            .unwrap_or("string");
        let default = a
            .get_default_values()
            .first()
            .map(|v| v.to_string_lossy().into_owned());
        let shown = match (long, kind) {
            ("cache-dir", _) => format!("'{cache_default}'"),
            (_, "stringArray") => "[]".into(),
            (_, "bool") | (_, "Level") => default.unwrap_or_default(),
            _ => format!("'{}'", default.unwrap_or_default()),
        };
        let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
        match a.get_short() {
            Some(c) => s.push_str(&format!("    -{c}, --{long}={shown}:\n\t{help}\n\n")),
            None => s.push_str(&format!("    --{long}={shown}:\n\t{help}\n\n")),
        }
    }
    s
}

impl OptionsArgs {
    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let cache = ctx
            .home
            .as_ref()
            .map(|h| h.join(".kube").join("cache").to_string_lossy().into_owned())
            .unwrap_or_default();
        ctx.out().write_all(render(&cache).as_bytes())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_kubectl() {
        let s = render("/root/.kube/cache");
        assert!(s.starts_with("The following options can be passed to any command:\n\n    --as='':\n\tUsername to impersonate for the operation. User could be a regular user or a service account in a namespace.\n\n    --as-group=[]:\n"), "{s}");
        assert!(s.contains("    --cache-dir='/root/.kube/cache':\n\tDefault cache directory\n\n"));
        assert!(s.contains("    --insecure-skip-tls-verify=false:\n"));
        assert!(s.contains(
            "    -n, --namespace='':\n\tIf present, the namespace scope for this CLI request\n\n"
        ));
        assert!(s.contains("    --request-timeout='0':\n"));
        assert!(s.contains("    -s, --server='':\n"));
        assert!(s.contains("    -v, --v=0:\n\tnumber for the log level verbosity\n\n"));
        assert!(s.ends_with("    --warnings-as-errors=false:\n\tTreat warnings received from the server as errors and exit with a non-zero exit code\n\n"), "{s}");
    }
}

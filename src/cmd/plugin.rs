//! Plugins (kubectl `pkg/cmd/plugin`): an unknown command `foo bar` runs the first
//! `kubectl-foo-bar` or `kubectl-foo` executable on PATH with the remaining arguments
//! ([`find`], run by `main` with `exec`, as kubectl's `syscall.Exec`), and `plugin list`
//! shows the plugins on PATH with kubectl's warnings.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::context::Context;
use crate::error::CliError;

use super::argv;
use crate::cmd::flags::GoBoolArg;

/// The prefix of plugin executables (`ValidPluginFilenamePrefixes`).
const PREFIX: &str = "kubectl";

/// What the plugin handler decided for a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plugin {
    /// Not a plugin: kubectl-rs runs the command itself (builtins win).
    None,
    /// Run this executable with these arguments (argv[0] is the executable's path).
    Run(PathBuf, Vec<String>),
    /// kubectl's `Error: …` (exit 1).
    Error(String),
}

/// kubectl's `NewDefaultKubectlCommandWithArgs` plugin handling for `args` (argv with the
/// program name first, and its command tree, see [`super::tree_for`]) and the value of PATH:
/// a first word naming no command (past the
/// flags before it) is looked up as a plugin; `create WORD` whose word names no `create`
/// subcommand is looked up as `kubectl-create-WORD…` (`CmdPluginAsSubcommand`, on by
/// default). `help` and the completion requests are never plugins.
pub fn find(args: &[String], root: &clap::Command, path_env: Option<&str>) -> Plugin {
    if args.len() < 2 {
        return Plugin::None;
    }
    let pieces = &args[1..];
    let (found, stop) = argv::walk(args, root);
    match (found.as_slice(), stop) {
        ([], Some(i)) => {
            if matches!(args[i].as_str(), "help" | "__complete" | "__completeNoDesc") {
                return Plugin::None;
            }
            handle(pieces, 1, path_env)
        }
        ([c], _) if args[*c] == "create" => {
            let rest: Vec<String> = args
                .iter()
                .enumerate()
                .skip(1)
                .filter(|(i, _)| i != c)
                .map(|(_, a)| a.clone())
                .collect();
            if rest.first().is_none_or(|a| a.starts_with('-')) {
                return Plugin::None;
            }
            let min_args = pieces.len() - rest.len() + 1;
            let cmd_args: Vec<String> = std::iter::once("create".to_string()).chain(rest).collect();
            match handle(&cmd_args, min_args, path_env) {
                // kubectl ignores this lookup's error.
                Plugin::Error(_) => Plugin::None,
                p => p,
            }
        }
        _ => Plugin::None,
    }
}

/// kubectl `HandlePluginCommand`: the longest `kubectl-a-b-c` name made of the leading
/// non-flag arguments (dashes in them read as underscores) that is an executable on PATH,
/// trying shorter names down to `min_args` words.
fn handle(cmd_args: &[String], min_args: usize, path_env: Option<&str>) -> Plugin {
    let mut remaining: Vec<String> = cmd_args
        .iter()
        .take_while(|a| !a.starts_with('-'))
        .map(|a| a.replace('-', "_"))
        .collect();
    if remaining.is_empty() {
        return Plugin::Error(format!(
            "flags cannot be placed before plugin name: {}",
            cmd_args[0]
        ));
    }
    while !remaining.is_empty() {
        let name = format!("{PREFIX}-{}", remaining.join("-"));
        if let Some(path) = look_path(&name, path_env) {
            return Plugin::Run(path, cmd_args[remaining.len()..].to_vec());
        }
        remaining.pop();
        if remaining.len() < min_args {
            break;
        }
    }
    Plugin::None
}

/// Go's `exec.LookPath`: the first executable regular file `dir/name` (joined and cleaned as
/// `filepath.Join` does) of PATH's directories, an empty entry meaning `.`. A relative result
/// comes with Go's `ErrDot`, which kubectl's `shouldSkipOnLookPathErr` accepts: relative
/// directories are searched too (test/cmd plugins.sh puts `test/fixtures/...` on PATH).
fn look_path(name: &str, path_env: Option<&str>) -> Option<PathBuf> {
    path_env?
        .split(':')
        .map(|d| {
            PathBuf::from(kcore::gopath::clean(&format!(
                "{}/{name}",
                if d.is_empty() { "." } else { d }
            )))
        })
        .find(|p| is_executable_file(p))
}

fn is_executable_file(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| !m.is_dir() && m.permissions().mode() & 0o111 != 0)
}

/// Provides utilities for interacting with plugins.
#[derive(Debug, Clone, clap::Args)]
pub struct PluginArgs {
    #[command(subcommand)]
    pub command: PluginCommand,
}

/// `plugin` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum PluginCommand {
    /// List all visible plugin executables on a user's PATH
    #[command(long_about = PLUGIN_LIST_LONG, after_help = PLUGIN_EXAMPLES, override_usage = PLUGIN_LIST_USAGE)]
    List(PluginListArgs),
}

/// `plugin list`.
#[derive(Debug, Clone, clap::Args)]
pub struct PluginListArgs {
    /// If true, display only the binary name of each plugin, rather than its full path
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub name_only: bool,
}

impl PluginArgs {
    /// Runs the subcommand.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        match &self.command {
            PluginCommand::List(a) => a.run(ctx),
        }
    }
}

impl PluginListArgs {
    /// kubectl `PluginListOptions.Run`.
    pub fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let mut errors: Vec<String> = Vec::new();
        let mut plugins: Vec<PathBuf> = Vec::new();
        let mut seen_dirs: Vec<&str> = Vec::new();
        for dir in ctx.env.get("PATH").unwrap_or("").split(':') {
            if dir.trim().is_empty() || seen_dirs.contains(&dir) {
                continue;
            }
            seen_dirs.push(dir);
            let entries = match std::fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) => {
                    ctx.eprint(&format!(
                        "Unable to read directory {dir:?} from your PATH: {}. Skipping...\n",
                        crate::kubeconfig::resolve::open_error(dir, &e)
                    ));
                    continue;
                }
            };
            let mut names: Vec<(String, bool)> = entries
                .filter_map(Result::ok)
                .map(|e| {
                    let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                    (e.file_name().to_string_lossy().into_owned(), is_dir)
                })
                .collect();
            names.sort();
            for (name, is_dir) in names {
                if !is_dir && name.starts_with(&format!("{PREFIX}-")) {
                    plugins.push(Path::new(dir).join(name));
                }
            }
        }
        if plugins.is_empty() {
            errors.push("error: unable to find any kubectl plugins in your PATH".into());
        } else {
            ctx.out()
                .write_all(b"The following compatible plugins are available:\n\n")?;
        }
        let mut seen: Vec<(String, PathBuf)> = Vec::new();
        let mut warnings = 0;
        for path in &plugins {
            let base = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let shown = if self.name_only {
                base.clone()
            } else {
                path.display().to_string()
            };
            ctx.out().write_all(format!("{shown}\n").as_bytes())?;
            for w in verify(path, &base, &mut seen) {
                ctx.out().flush()?;
                ctx.eprint(&format!("  - {w}\n"));
                warnings += 1;
            }
        }
        match warnings {
            0 => {}
            1 => errors.push("error: one plugin warning was found".into()),
            n => errors.push(format!("error: {n} plugin warnings were found")),
        }
        if errors.is_empty() {
            return Ok(());
        }
        let text: String = errors.iter().map(|e| format!("{e}\n")).collect();
        Err(CliError::msg(text))
    }
}

/// kubectl `CommandOverrideVerifier.Verify`: not executable, overshadowed by an earlier
/// plugin of the same name, or named after an existing command.
fn verify(path: &Path, base: &str, seen: &mut Vec<(String, PathBuf)>) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    match std::fs::metadata(path) {
        Ok(m) if m.permissions().mode() & 0o111 == 0 => out.push(format!(
            "warning: {} identified as a kubectl plugin, but it is not executable",
            path.display()
        )),
        Ok(_) => {}
        Err(e) => out.push(format!(
            "error: unable to identify {} as an executable file: {}",
            path.display(),
            crate::kubeconfig::resolve::io_text(&e)
        )),
    }
    match seen.iter().find(|(n, _)| n == base) {
        Some((_, first)) => out.push(format!(
            "warning: {} is overshadowed by a similarly named plugin: {}",
            path.display(),
            first.display()
        )),
        None => seen.push((base.to_string(), path.to_path_buf())),
    }
    let mut words: Vec<String> = base.split('-').map(String::from).collect();
    if words.len() > 1 {
        words.remove(0);
    }
    let argv: Vec<String> = std::iter::once(PREFIX.to_string()).chain(words).collect();
    let (found, stop) = argv::walk(&argv, &super::tree_for(&argv));
    let root_unknown = found.is_empty() && stop.is_some();
    if !found.is_empty() && !root_unknown {
        let path: Vec<&str> = std::iter::once(PREFIX)
            .chain(found.iter().map(|&i| argv[i].as_str()))
            .collect();
        out.push(format!(
            "warning: {base} overwrites existing command: {:?}",
            path.join(" ")
        ));
    }
    out
}

/// `kubectl plugin`: kubectl's description.
pub const PLUGIN_LONG: &str = r"Provides utilities for interacting with plugins.

 Plugins provide extended functionality that is not part of the major command-line distribution. Please refer to the documentation and examples for more information about how write your own plugins.

 The easiest way to discover and install plugins is via the kubernetes sub-project krew: [krew.sigs.k8s.io]. To install krew, visit https://krew.sigs.k8s.io/docs/user-guide/setup/install";

/// `kubectl plugin` and `plugin list`: kubectl's examples.
pub const PLUGIN_EXAMPLES: &str = r"Examples:
  # List all available plugins
  kubectl plugin list
  
  # List only binary names of available plugins without paths
  kubectl plugin list --name-only";

/// `kubectl plugin`: usage.
pub const PLUGIN_USAGE: &str = r"plugin [flags]";

/// `kubectl plugin list`: kubectl's description.
pub const PLUGIN_LIST_LONG: &str = r#"List all available plugin files on a user's PATH. To see plugins binary names without the full path use --name-only flag.

 Available plugin files are those that are: - executable - anywhere on the user's PATH - begin with "kubectl-""#;

/// `kubectl plugin list`: usage.
pub const PLUGIN_LIST_USAGE: &str = r"list [flags]";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::strings as v;

    #[test]
    fn builtins_win_and_flags_first_is_an_error() {
        let find =
            |args: &[String], path: Option<&str>| find(args, &crate::cmd::tree_for(args), path);
        assert_eq!(
            find(&v(&["k", "get", "pods"]), Some("/nonexistent")),
            Plugin::None
        );
        assert_eq!(
            find(&v(&["k", "help", "x"]), Some("/nonexistent")),
            Plugin::None
        );
        assert_eq!(
            find(&v(&["k", "-n", "x"]), Some("/nonexistent")),
            Plugin::None
        );
        assert_eq!(
            find(&v(&["k", "-n", "x", "foo"]), Some("/nonexistent")),
            Plugin::Error("flags cannot be placed before plugin name: -n".into())
        );
        assert_eq!(find(&v(&["k", "foo"]), Some("/nonexistent")), Plugin::None);
    }
}

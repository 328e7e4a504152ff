//! `kubectl-rs completion SHELL` and the hidden `__complete` command behind it.
//!
//! The scripts speak cobra's completion protocol, as kubectl's do: the shell runs
//! `kubectl-rs __complete <words…> <partial word>`, which prints one candidate a line
//! (optionally `\t` and a description) and a last line `:<directive>`. Candidates come from the
//! clap definitions (subcommands, flags, their value lists) and, for resource types, names,
//! namespaces and contexts, from the live cluster and kubeconfig through a [`Provider`].

use clap::{Arg, ArgAction, Command};
use std::io::Write;

/// The shells `completion` writes scripts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl Shell {
    pub const ALL: [Shell; 4] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell];

    /// The file name `completions/` keeps this shell's script under.
    pub fn file_name(self, bin: &str) -> String {
        match self {
            Shell::Bash => format!("{bin}.bash"),
            Shell::Zsh => format!("_{bin}"),
            Shell::Fish => format!("{bin}.fish"),
            Shell::Powershell => format!("{bin}.ps1"),
        }
    }
}

/// The long help of `completion`, kubectl's adapted to kubectl-rs.
pub const COMPLETION_LONG: &str = r"Output shell completion code for the specified shell (bash, zsh, fish, or powershell). The shell code must be evaluated to provide interactive completion of kubectl commands.  This can be done by sourcing it from the .bash_profile.

 Detailed instructions on how to do this are available here:

        for macOS:
        https://kubernetes.io/docs/tasks/tools/install-kubectl-macos/#enable-shell-autocompletion
        
        for linux:
        https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/#enable-shell-autocompletion
        
        for windows:
        https://kubernetes.io/docs/tasks/tools/install-kubectl-windows/#enable-shell-autocompletion
        
 Note for zsh users: [1] zsh completions are only supported in versions of zsh >= 5.2.";

/// The examples of `completion`, kubectl's adapted to kubectl-rs.
pub const COMPLETION_EXAMPLES: &str = r#"Examples:
  # Installing bash completion on macOS using homebrew
  ## If running Bash 3.2 included with macOS
  brew install bash-completion
  ## or, if running Bash 4.1+
  brew install bash-completion@2
  ## If kubectl is installed via homebrew, this should start working immediately
  ## If you've installed via other means, you may need add the completion to your completion directory
  kubectl completion bash > $(brew --prefix)/etc/bash_completion.d/kubectl
  
  
  # Installing bash completion on Linux
  ## If bash-completion is not installed on Linux, install the 'bash-completion' package
  ## via your distribution's package manager.
  ## Load the kubectl completion code for bash into the current shell
  source <(kubectl completion bash)
  ## Write bash completion code to a file and source it from .bash_profile
  kubectl completion bash > ~/.kube/completion.bash.inc
  printf "
  # kubectl shell completion
  source '$HOME/.kube/completion.bash.inc'
  " >> $HOME/.bash_profile
  source $HOME/.bash_profile
  
  # Load the kubectl completion code for zsh[1] into the current shell
  source <(kubectl completion zsh)
  # Set the kubectl completion code for zsh[1] to autoload on startup
  kubectl completion zsh > "${fpath[1]}/_kubectl"
  
  
  # Load the kubectl completion code for fish[2] into the current shell
  kubectl completion fish | source
  # To load completions for each session, execute once:
  kubectl completion fish > ~/.config/fish/completions/kubectl.fish
  
  # Load the kubectl completion code for powershell into the current shell
  kubectl completion powershell | Out-String | Invoke-Expression
  # Set kubectl completion code for powershell to run on startup
  ## Save completion code to a script and execute in the profile
  kubectl completion powershell > "$HOME\.kube\completion.ps1"
  Add-Content $PROFILE ". '$HOME\.kube\completion.ps1'"
  ## Execute completion code in the profile
  Add-Content $PROFILE "if (Get-Command kubectl -ErrorAction SilentlyContinue) {
  kubectl completion powershell | Out-String | Invoke-Expression
  }"
  ## Add completion code directly to the $PROFILE script
  kubectl completion powershell >> $PROFILE"#;

/// Accepts any word (kubectl's own errors come from [`CompletionArgs::shell`]) but lists the
/// shells, so help and completion show them.
#[derive(Clone, Copy, Debug)]
struct ShellName;

impl clap::builder::TypedValueParser for ShellName {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &Command,
        _arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        use clap::ValueEnum;
        Some(Box::new(
            Shell::value_variants()
                .iter()
                .filter_map(|s| s.to_possible_value()),
        ))
    }
}

/// `kubectl-rs completion SHELL`: prints the completion script for SHELL.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = "Output shell completion code for the specified shell (bash, zsh, fish, or powershell)"
)]
pub struct CompletionArgs {
    /// The shell to write completion code for: bash, zsh, fish or powershell.
    // Validated in `shell()` so that the errors are kubectl's, not clap's.
    #[arg(value_name = "SHELL", num_args = 0.., value_parser = ShellName)]
    pub shell: Vec<String>,
}

impl CompletionArgs {
    /// The requested shell, or kubectl's usage error.
    pub fn shell(&self) -> Result<Shell, crate::error::CliError> {
        let usage = |message: String| crate::error::CliError::Usage {
            message,
            command: format!("{BIN} completion"),
        };
        match self.shell.as_slice() {
            [] => Err(usage("Shell not specified.".into())),
            [one] => <Shell as clap::ValueEnum>::from_str(one, false)
                .map_err(|_| usage(format!("Unsupported shell type {one:?}."))),
            _ => Err(usage(
                "Too many arguments. Expected only the shell type.".into(),
            )),
        }
    }

    /// Prints the script, calling back into `kubectl-rs`.
    pub async fn run(&self, ctx: &crate::context::Context) -> Result<(), crate::error::CliError> {
        let shell = self.shell()?;
        ctx.out().write_all(script(shell, BIN).as_bytes())?;
        Ok(())
    }
}

/// The program name the scripts complete and call back.
pub const BIN: &str = "kubectl-rs";

/// The completion script for `shell`, calling back into the binary named `bin`.
pub fn script(shell: Shell, bin: &str) -> String {
    let template = match shell {
        Shell::Bash => include_str!("completion/bash.sh"),
        Shell::Zsh => include_str!("completion/zsh.zsh"),
        Shell::Fish => include_str!("completion/fish.fish"),
        Shell::Powershell => include_str!("completion/powershell.ps1"),
    };
    let func: String = bin
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    template.replace("@BIN@", bin).replace("@FN@", &func)
}

/// cobra's ShellCompDirective bits.
pub mod directive {
    pub const ERROR: u32 = 1;
    pub const NO_SPACE: u32 = 2;
    pub const NO_FILE_COMP: u32 = 4;
    pub const FILTER_FILE_EXT: u32 = 8;
    pub const FILTER_DIRS: u32 = 16;
    pub const KEEP_ORDER: u32 = 32;
}

/// What a completion request answers: candidates with optional descriptions, and a directive.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Completion {
    pub candidates: Vec<(String, Option<String>)>,
    pub directive: u32,
}

impl Completion {
    fn plain(values: impl IntoIterator<Item = String>, prefix: &str) -> Self {
        Completion {
            candidates: values
                .into_iter()
                .filter(|v| v.starts_with(prefix))
                .map(|v| (v, None))
                .collect(),
            directive: directive::NO_FILE_COMP,
        }
    }

    /// The protocol's text: candidates, then `:<directive>`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (c, d) in &self.candidates {
            out.push_str(c);
            if let Some(d) = d.as_deref().filter(|d| !d.is_empty()) {
                out.push('\t');
                out.push_str(d.lines().next().unwrap_or_default());
            }
            out.push('\n');
        }
        out.push_str(&format!(":{}\n", self.directive));
        out
    }
}

/// Values typed on the command line so far that change where dynamic candidates come from
/// (`--kubeconfig`, `--context`, `-n`, …), keyed by the clap argument id.
pub type LineFlags = Vec<(String, String)>;

/// The dynamic data completion needs. Implementations swallow errors: a failed lookup
/// completes nothing rather than printing to the user's terminal.
pub trait Provider {
    /// Resource types as `kubectl api-resources -o name` lists them.
    fn resource_types(&self) -> Vec<String>;
    /// Names of objects of `resource` in the line's namespace (or all for cluster scope).
    fn resource_names(&self, resource: &str) -> Vec<String>;
    fn namespaces(&self) -> Vec<String>;
    fn contexts(&self) -> Vec<String>;
    fn clusters(&self) -> Vec<String>;
    fn users(&self) -> Vec<String>;
}

/// Commands whose positional arguments are `TYPE [NAME…]` or `TYPE/NAME…`.
const RESOURCE_COMMANDS: &[&str] = &[
    "get", "describe", "delete", "edit", "label", "annotate", "patch", "wait",
];

/// Commands whose first argument is one of a few types (kubectl's
/// `SpecifiedResourceTypeAndNameCompletionFunc`), by command path.
fn specified_types(path: &[&str]) -> Option<&'static [&'static str]> {
    match path {
        ["scale" | "autoscale"] => Some(&[
            "deployment",
            "replicaset",
            "replicationcontroller",
            "statefulset",
        ]),
        ["rollout", "pause" | "resume"] => Some(&["deployment"]),
        ["rollout", "status" | "history" | "restart" | "undo"] => {
            Some(&["deployment", "daemonset", "statefulset"])
        }
        _ => None,
    }
}

fn long_names(arg: &Arg) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    if let Some(l) = arg.get_long() {
        v.push(format!("--{l}"));
    }
    if let Some(aliases) = arg.get_visible_aliases() {
        v.extend(aliases.into_iter().map(|a| format!("--{a}")));
    }
    v
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

/// Whether the flag's value may be the next word: not for `--flag[=value]` flags such as
/// `--insecure-skip-tls-verify`, whose value must be attached.
fn value_in_next_word(arg: &Arg) -> bool {
    takes_value(arg)
        && !arg.is_require_equals_set()
        && arg.get_num_args().is_none_or(|r| r.min_values() > 0)
}

/// Finds the argument a flag word (`-n`, `--namespace`, `--namespace=x`) refers to.
fn find_flag<'a>(cmd: &'a Command, word: &str) -> Option<&'a Arg> {
    let name = word.split('=').next().unwrap_or(word);
    if let Some(long) = name.strip_prefix("--") {
        cmd.get_arguments().find(|a| {
            a.get_long() == Some(long) || a.get_all_aliases().is_some_and(|al| al.contains(&long))
        })
    } else if let Some(short) = name.strip_prefix('-') {
        let c = short.chars().next()?;
        cmd.get_arguments().find(|a| a.get_short() == Some(c))
    } else {
        None
    }
}

/// Completes a command line. `words` are the arguments after the program name, the last one
/// being the (possibly empty) word under the cursor. `provider` is built from the flags
/// already typed.
pub fn complete<F>(root: &Command, words: &[String], provider: F) -> Completion
where
    F: FnOnce(&LineFlags) -> Box<dyn Provider>,
{
    let (to_complete, before) = match words.split_last() {
        Some((last, rest)) => (last.as_str(), rest),
        None => ("", &[][..]),
    };
    let mut cmd = root;
    let mut path: Vec<&str> = Vec::new();
    let mut positionals: Vec<&str> = Vec::new();
    let mut flags: LineFlags = Vec::new();
    let mut pending: Option<&Arg> = None;
    let mut after_dashdash = false;
    // A command's own flag named as a global one (`--user` of `create rolebinding`) is not
    // the global one: it is recorded under another id, so providers do not take it for it.
    let line_id = |arg: &Arg| {
        let id = arg.get_id().to_string();
        let shadows = !arg.is_global_set()
            && root
                .get_arguments()
                .any(|g| g.is_global_set() && g.get_id() == arg.get_id());
        if shadows {
            format!("{id}:local")
        } else {
            id
        }
    };
    for w in before {
        if let Some(arg) = pending.take() {
            flags.push((line_id(arg), w.clone()));
            continue;
        }
        if !after_dashdash && w == "--" {
            after_dashdash = true;
            continue;
        }
        if !after_dashdash && w.starts_with('-') && w.len() > 1 {
            if let Some(arg) = find_flag(cmd, w) {
                let id = line_id(arg);
                match w.split_once('=') {
                    Some((_, v)) => flags.push((id, v.to_string())),
                    // `-nfoo` carries its value too.
                    None if takes_value(arg) && !w.starts_with("--") && w.len() > 2 => {
                        flags.push((id, w.get(2..).unwrap_or_default().to_string()))
                    }
                    None if value_in_next_word(arg) => pending = Some(arg),
                    // A switch (`-A`, `--watch`): providers may care that it is on.
                    None => flags.push((id, "true".to_string())),
                }
            }
            continue;
        }
        if positionals.is_empty() {
            if let Some(sub) = cmd.find_subcommand(w) {
                cmd = sub;
                path.push(sub.get_name());
                continue;
            }
        }
        positionals.push(w);
    }

    // Global flags typed before the command's words belong to the command's own flag of
    // that name, as cobra parses the whole line with the final command's flags.
    let shadowed = |id: &str| {
        root.get_arguments()
            .any(|g| g.is_global_set() && g.get_id().as_str() == id)
            && cmd
                .get_arguments()
                .any(|a| !a.is_global_set() && a.get_id().as_str() == id)
    };
    flags.retain(|(id, _)| !shadowed(id));
    // The value of a flag typed as a separate word.
    if let Some(arg) = pending {
        return complete_flag_value(cmd, arg, to_complete, &flags, provider);
    }
    if to_complete.starts_with('-') && !after_dashdash {
        if let Some((name, value)) = to_complete.split_once('=') {
            if let Some(arg) = find_flag(cmd, name).filter(|a| takes_value(a)) {
                // Bare values, as cobra answers: the scripts keep the `--flag=` part.
                return complete_flag_value(cmd, arg, value, &flags, provider);
            }
            return Completion {
                candidates: vec![],
                directive: directive::NO_FILE_COMP,
            };
        }
        // As cobra: inherited (global) flags first, then the command's own, each sorted by
        // name; a flag already given is not offered again unless it repeats.
        let mut args: Vec<&Arg> = cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set() && !a.is_positional())
            .filter(|a| {
                matches!(a.get_action(), ArgAction::Append | ArgAction::Count)
                    || !flags.iter().any(|(id, _)| id == a.get_id().as_str())
            })
            .collect();
        let key = |a: &Arg| a.get_long().map(String::from).unwrap_or_default();
        args.sort_by_key(|a| (!a.is_global_set(), key(a)));
        let mut candidates = Vec::new();
        for a in args {
            let help = if a.get_id() == "help" {
                Some(format!("help for {}", cmd.get_name()))
            } else {
                a.get_help().map(|h| h.to_string())
            };
            for n in long_names(a) {
                if n.starts_with(to_complete) {
                    candidates.push((n, help.clone()));
                }
            }
            if let Some(s) = a.get_short() {
                let n = format!("-{s}");
                if to_complete == "-" || n == to_complete {
                    candidates.push((n, help.clone()));
                }
            }
        }
        return Completion {
            candidates,
            directive: directive::NO_FILE_COMP,
        };
    }

    // Subcommands.
    if cmd.has_subcommands() && positionals.is_empty() {
        // As cobra: sorted by name, `help` only on the root (with cobra's description).
        let mut candidates: Vec<(String, Option<String>)> = cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name().starts_with(to_complete))
            .filter(|s| s.get_name() != "help" || path.is_empty())
            .map(|s| {
                let about = if s.get_name() == "help" {
                    Some("Help about any command".to_string())
                } else {
                    s.get_about().map(|a| a.to_string())
                };
                (s.get_name().to_string(), about)
            })
            .collect();
        candidates.sort_by(|a, b| a.0.cmp(&b.0));
        return Completion {
            candidates,
            directive: directive::NO_FILE_COMP,
        };
    }

    let name = cmd.get_name();
    let specified = specified_types(&path);
    if (RESOURCE_COMMANDS.contains(&name) && path.len() == 1) || specified.is_some() {
        let p = provider(&flags);
        let types = || match specified {
            Some(t) => t.iter().map(|s| s.to_string()).collect(),
            None => p.resource_types(),
        };
        if let Some((ty, partial)) = to_complete.split_once('/') {
            let names = p
                .resource_names(ty)
                .into_iter()
                .map(|n| format!("{ty}/{n}"));
            return Completion::plain(names, &format!("{ty}/{partial}"));
        }
        return match positionals.first() {
            None => Completion::plain(types(), to_complete),
            // After a TYPE/NAME argument every argument has that form: offer `TYPE/`.
            Some(first) if first.contains('/') => Completion {
                directive: directive::NO_FILE_COMP | directive::NO_SPACE,
                ..Completion::plain(types().into_iter().map(|t| format!("{t}/")), to_complete)
            },
            // `TYPE[,TYPE…]`: the provider lists the names of each.
            Some(ty) => {
                let typed: Vec<&str> = positionals[1..].to_vec();
                let names = p
                    .resource_names(ty)
                    .into_iter()
                    .filter(|n| !typed.contains(&n.as_str()));
                Completion::plain(names, to_complete)
            }
        };
    }
    // `top node|pod [NAME]` (kubectl's `ResourceNameCompletionFunc`): one name of that type.
    if let ["top", sub @ ("node" | "pod")] = path.as_slice() {
        if !positionals.is_empty() {
            return Completion::plain(Vec::new(), to_complete);
        }
        let ty = if *sub == "node" { "nodes" } else { "pods" };
        return Completion::plain(provider(&flags).resource_names(ty), to_complete);
    }
    if path.len() == 2 && path[0] == "config" {
        let sub = path[1];
        if positionals.is_empty()
            && [
                "use-context",
                "delete-context",
                "set-context",
                "rename-context",
            ]
            .contains(&sub)
        {
            return Completion::plain(provider(&flags).contexts(), to_complete);
        }
    }
    // Fixed value lists on positionals (e.g. `completion bash|zsh|…`).
    let idx = positionals.len();
    if let Some(arg) = cmd.get_positionals().nth(idx) {
        let values = possible_values(arg);
        if !values.is_empty() {
            return Completion::plain(values, to_complete);
        }
    }
    // Nothing known: cobra's default directive, the shell completes file names (as kubectl).
    Completion::default()
}

/// An argument's fixed value list (empty when it takes any value).
fn possible_values(arg: &Arg) -> Vec<String> {
    arg.get_possible_values()
        .iter()
        .map(|v| v.get_name().to_string())
        .collect()
}

/// Candidates for a flag's value (`partial` is the value typed so far, without `--flag=`).
fn complete_flag_value<F>(
    cmd: &Command,
    arg: &Arg,
    partial: &str,
    flags: &LineFlags,
    provider: F,
) -> Completion
where
    F: FnOnce(&LineFlags) -> Box<dyn Provider>,
{
    let id = arg.get_id().as_str();
    let values = possible_values(arg);
    if !values.is_empty() {
        return Completion::plain(values, partial);
    }
    match id {
        "namespace" => Completion::plain(provider(flags).namespaces(), partial),
        "context" => Completion::plain(provider(flags).contexts(), partial),
        "cluster" => Completion::plain(provider(flags).clusters(), partial),
        "user" if arg.is_global_set() => Completion::plain(provider(flags).users(), partial),
        // `create clusterrolebinding --clusterrole`: kubectl's `CompGetResource`.
        "clusterrole" if cmd.get_name() == "clusterrolebinding" => {
            Completion::plain(provider(flags).resource_names("clusterrole"), partial)
        }
        // get's printer formats, until its `-o` declares them (other commands' `-o` offer
        // nothing in kubectl unless declared).
        "output" if cmd.get_name() == "get" => Completion::plain(
            crate::cmd::completion::OUTPUT_FORMATS
                .iter()
                .map(|s| s.to_string()),
            partial,
        ),
        "filename" => Completion {
            candidates: ["json", "yaml", "yml"]
                .iter()
                .map(|e| (e.to_string(), None))
                .collect(),
            directive: directive::FILTER_FILE_EXT,
        },
        // No completion registered (paths, selectors, …): cobra's default directive, the
        // shell completes file names, as kubectl's `:0`.
        _ => Completion::default(),
    }
}

/// `-o` values kubectl offers for `get`.
pub const OUTPUT_FORMATS: &[&str] = &[
    "json",
    "yaml",
    "name",
    "go-template",
    "go-template-file",
    "template",
    "templatefile",
    "jsonpath",
    "jsonpath-as-json",
    "jsonpath-file",
    "custom-columns",
    "custom-columns-file",
    "wide",
];

/// `kubectl completion`: kubectl's usage (`Use`).
pub const COMPLETION_USAGE: &str = r"completion SHELL";

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{ArgAction, Command};

    struct Fake;
    impl Provider for Fake {
        fn resource_types(&self) -> Vec<String> {
            vec!["daemonsets.apps".into(), "pods".into(), "nodes".into()]
        }
        fn resource_names(&self, resource: &str) -> Vec<String> {
            match resource {
                "daemonset" | "ds" | "daemonsets.apps" => vec!["node-exporter".into()],
                "pods" | "po" => vec!["web-1".into(), "web-2".into()],
                _ => vec![],
            }
        }
        fn namespaces(&self) -> Vec<String> {
            vec!["default".into(), "kube-public".into(), "kube-system".into()]
        }
        fn contexts(&self) -> Vec<String> {
            vec!["sandbox".into()]
        }
        fn clusters(&self) -> Vec<String> {
            vec![]
        }
        fn users(&self) -> Vec<String> {
            vec![]
        }
    }

    fn cli() -> Command {
        let mut c = Command::new("kubectl-rs")
            .arg(
                Arg::new("namespace")
                    .short('n')
                    .long("namespace")
                    .global(true),
            )
            .arg(Arg::new("context").long("context").global(true))
            .arg(
                Arg::new("insecure")
                    .long("insecure")
                    .global(true)
                    .num_args(0..=1)
                    .require_equals(true)
                    .default_missing_value("true"),
            )
            .subcommand(
                Command::new("get")
                    .about("Display one or many resources")
                    .arg(
                        Arg::new("output")
                            .short('o')
                            .long("output")
                            .action(ArgAction::Set),
                    )
                    .arg(
                        Arg::new("all_namespaces")
                            .short('A')
                            .action(ArgAction::SetTrue),
                    )
                    .arg(Arg::new("args").num_args(0..)),
            )
            .subcommand(Command::new("describe").arg(Arg::new("args").num_args(0..)))
            .subcommand(
                Command::new("api-resources").arg(Arg::new("output").short('o').long("output")),
            )
            .subcommand(
                Command::new("completion").arg(Arg::new("shell").value_parser([
                    "bash",
                    "zsh",
                    "fish",
                    "powershell",
                ])),
            );
        c.build();
        c
    }

    fn run(line: &[&str]) -> Completion {
        let words: Vec<String> = line.iter().map(|s| s.to_string()).collect();
        complete(&cli(), &words, |_| Box::new(Fake))
    }

    fn names(c: &Completion) -> Vec<&str> {
        c.candidates.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn completes_subcommands_with_descriptions() {
        let c = run(&["g"]);
        assert_eq!(names(&c), ["get"]);
        assert!(c
            .render()
            .starts_with("get\tDisplay one or many resources\n:4"));
    }

    #[test]
    fn rollout_and_scale_offer_their_types_then_names() {
        use clap::CommandFactory;
        let real = crate::cmd::Cli::command();
        let run = |line: &[&str]| {
            let words: Vec<String> = line.iter().map(|s| s.to_string()).collect();
            complete(&real, &words, |_| Box::new(Fake))
        };
        assert_eq!(
            names(&run(&["rollout", "status", ""])),
            ["deployment", "daemonset", "statefulset"]
        );
        assert_eq!(names(&run(&["rollout", "pause", ""])), ["deployment"]);
        assert_eq!(
            names(&run(&["rollout", "restart", "daemonset", ""])),
            ["node-exporter"]
        );
        assert_eq!(
            names(&run(&["rollout", "undo", "ds/"])),
            ["ds/node-exporter"]
        );
        assert_eq!(names(&run(&["scale", "st"])), ["statefulset"]);
        assert_eq!(
            names(&run(&["autoscale", "rep"])),
            ["replicaset", "replicationcontroller"]
        );
        assert_eq!(names(&run(&["patch", "po", ""])), ["web-1", "web-2"]);
        assert_eq!(names(&run(&["wait", "p"])), ["pods"]);
    }

    #[test]
    fn completes_resource_names_after_type() {
        assert_eq!(names(&run(&["get", "daemonset", ""])), ["node-exporter"]);
        assert_eq!(names(&run(&["describe", "ds/"])), ["ds/node-exporter"]);
        assert_eq!(names(&run(&["get", "po", "web-1", ""])), ["web-2"]);
        assert_eq!(names(&run(&["get", "p"])), ["pods"]);
    }

    #[test]
    fn completes_flag_values() {
        assert_eq!(
            names(&run(&["get", "po", "-n", "kube-"])),
            ["kube-public", "kube-system"]
        );
        assert_eq!(names(&run(&["get", "-o", "ya"])), ["yaml"]);
        assert_eq!(
            names(&run(&["get", "--output=js"])),
            ["json", "jsonpath", "jsonpath-as-json", "jsonpath-file"]
        );
        assert_eq!(names(&run(&["completion", "f"])), ["fish"]);
        assert_eq!(run(&["api-resources", "-o", ""]), Completion::default());
        // Unknown values and positionals: kubectl's `:0` (the shell falls back to files).
        assert_eq!(run(&["completion", "bash", ""]).render(), ":0\n");
        assert_eq!(run(&["get", "--insecure=t"]).render(), ":0\n");
        assert_eq!(
            run(&["get", "--context=x", "po", ""]).directive,
            directive::NO_FILE_COMP
        );
        assert_eq!(names(&run(&["--context", ""])), ["sandbox"]);
    }

    /// The flags the provider factory received for `line`.
    fn line_flags(line: &[&str]) -> LineFlags {
        let words: Vec<String> = line.iter().map(|s| s.to_string()).collect();
        let mut seen = None;
        complete(&cli(), &words, |f| {
            seen = Some(f.clone());
            Box::new(Fake)
        });
        seen.expect("provider asked")
    }

    #[test]
    fn flags_with_equals_and_attached_values() {
        assert_eq!(
            names(&run(&["get", "--namespace=kube-system", "po", "w"])),
            ["web-1", "web-2"]
        );
        assert_eq!(
            names(&run(&["get", "--namespace=kube-"])),
            ["kube-public", "kube-system"]
        );
        assert_eq!(names(&run(&["get", "--bogus=x"])), Vec::<&str>::new());
        assert_eq!(
            line_flags(&["-nkube-system", "--context=a=b", "get", "po", ""]),
            [
                ("namespace".to_string(), "kube-system".to_string()),
                ("context".to_string(), "a=b".to_string())
            ]
        );
        // `-n=x` as pflag reads it.
        assert_eq!(
            line_flags(&["get", "-n=x", "po", ""]),
            [("namespace".to_string(), "x".to_string())]
        );
    }

    #[test]
    fn switches_and_optional_values_do_not_eat_the_next_word() {
        // `--insecure` takes its value only as `--insecure=false`: `po` stays the type.
        assert_eq!(
            names(&run(&["get", "--insecure", "po", ""])),
            ["web-1", "web-2"]
        );
        assert_eq!(names(&run(&["get", "-A", "po", ""])), ["web-1", "web-2"]);
        assert_eq!(
            line_flags(&["get", "-A", "--insecure", "po", ""]),
            [
                ("all_namespaces".to_string(), "true".to_string()),
                ("insecure".to_string(), "true".to_string())
            ]
        );
    }

    #[test]
    fn global_flags_before_the_subcommand() {
        assert_eq!(
            names(&run(&["-n", "x", "get", "ds", ""])),
            ["node-exporter"]
        );
        assert_eq!(names(&run(&["--context", "sandbox", "g"])), ["get"]);
    }

    #[test]
    fn double_dash_ends_flags() {
        // After `--`, a word starting with `-` is a positional, not a flag to complete.
        let c = run(&["get", "--", "-"]);
        assert!(!names(&c).iter().any(|n| n.starts_with("--")), "{c:?}");
        assert_eq!(names(&run(&["get", "--", "po", ""])), ["web-1", "web-2"]);
        assert_eq!(names(&run(&["get", "--", "-o", ""])), Vec::<&str>::new());
    }

    #[test]
    fn type_slash_name_forms() {
        assert_eq!(
            names(&run(&["get", "pods/web"])),
            ["pods/web-1", "pods/web-2"]
        );
        assert_eq!(names(&run(&["get", "nodes/"])), Vec::<&str>::new());
        // After one TYPE/NAME, the next argument is offered as `TYPE/` with no space.
        let c = run(&["describe", "ds/node-exporter", "p"]);
        assert_eq!(names(&c), ["pods/"]);
        assert_eq!(c.directive, directive::NO_FILE_COMP | directive::NO_SPACE);
    }

    #[test]
    fn several_names_skip_those_typed() {
        assert_eq!(
            names(&run(&["get", "po", "web-2", "web-1", ""])),
            Vec::<&str>::new()
        );
        assert_eq!(names(&run(&["get", "pods", "web-2", ""])), ["web-1"]);
    }

    #[test]
    fn render_keeps_first_description_line() {
        let c = Completion {
            candidates: vec![
                ("a".into(), Some("first\nsecond".into())),
                ("b".into(), Some(String::new())),
                ("c".into(), None),
            ],
            directive: directive::NO_SPACE,
        };
        assert_eq!(c.render(), "a\tfirst\nb\nc\n:2\n");
    }

    #[test]
    fn completion_help_and_scripts() {
        use clap::CommandFactory;
        let root = crate::cmd::Cli::command();
        let help = crate::cmd::help::render(
            &root,
            &["kubectl-rs", "completion"],
            crate::i18n::Lang::ENGLISH,
        )
        .unwrap();
        assert!(
            help.contains("source <(kubectl-rs completion bash)"),
            "{help}"
        );
        assert!(
            help.contains("Usage:\n  kubectl-rs completion SHELL [options]\n"),
            "{help}"
        );
        for shell in Shell::ALL {
            let s = script(shell, "kubectl-rs");
            assert!(s.contains("kubectl-rs __complete"), "{shell:?}");
            assert!(!s.contains("@BIN@"));
            assert!(!s.contains("@FN@"));
        }
        assert!(script(Shell::Bash, "kubectl-rs").contains("__kubectl_rs_complete"));
    }

    #[test]
    fn completion_usage_errors_as_kubectl() {
        let text = |v: &[&str]| {
            let a = CompletionArgs {
                shell: v.iter().map(|s| s.to_string()).collect(),
            };
            a.shell().map_err(|e| crate::error::render(&e).stderr)
        };
        assert_eq!(text(&["fish"]), Ok(Shell::Fish));
        assert_eq!(
            text(&[]),
            Err("error: Shell not specified.\nSee 'kubectl-rs completion -h' for help and examples\n".into())
        );
        assert_eq!(
            text(&["tcsh"]),
            Err("error: Unsupported shell type \"tcsh\".\nSee 'kubectl-rs completion -h' for help and examples\n".into())
        );
        assert_eq!(
            text(&["bash", "zsh"]),
            Err("error: Too many arguments. Expected only the shell type.\nSee 'kubectl-rs completion -h' for help and examples\n".into())
        );
    }

    #[test]
    fn subcommands_sorted_help_only_on_root() {
        let root = Command::new("kubectl-rs")
            .subcommand(Command::new("version"))
            .subcommand(
                Command::new("config")
                    .subcommand(Command::new("view"))
                    .subcommand(Command::new("current-context")),
            )
            .subcommand(Command::new("__complete").hide(true));
        let mut root = root;
        root.build();
        let run = |line: &[&str]| {
            let words: Vec<String> = line.iter().map(|s| s.to_string()).collect();
            complete(&root, &words, |_| Box::new(Fake)).render()
        };
        assert_eq!(
            run(&[""]),
            "config\nhelp\tHelp about any command\nversion\n:4\n"
        );
        assert_eq!(run(&["config", ""]), "current-context\nview\n:4\n");
    }

    #[test]
    fn flags_global_first_sorted_without_repeats() {
        assert_eq!(
            names(&run(&["get", "-"])),
            [
                "--context",
                "--insecure",
                "--namespace",
                "-n",
                "-A",
                "--help",
                "-h",
                "--output",
                "-o"
            ]
        );
        let c = run(&["get", "-o", "yaml", "--context=x", "-"]);
        assert_eq!(
            names(&c),
            ["--insecure", "--namespace", "-n", "-A", "--help", "-h"]
        );
        assert_eq!(c.candidates[4].1.as_deref(), Some("help for get"));
    }

    #[test]
    fn completes_flags() {
        let c = run(&["get", "--out"]);
        assert_eq!(names(&c), ["--output"]);
    }
}

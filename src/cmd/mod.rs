//! The command tree: one file per command.
//!
//! [`Cli`] is the clap root (global flags flattened from [`flags::GlobalArgs`]), [`Command`]
//! lists the subcommands in kubectl's help-group order, and [`run`] dispatches. Each command
//! file has an `XArgs` with a `run(&self, &Context)`.

pub mod annotate;
pub mod api_resources;
pub mod api_versions;
pub mod apply;
pub mod argv;
pub mod attach;
pub mod auth;
pub mod autoscale;
pub mod certificate;
pub mod cluster_info;
pub mod cluster_info_dump;
pub mod complete;
pub mod completion;
pub mod config;
pub mod cordon;
pub mod cp;
pub mod create;
pub mod create_generators;
pub mod debug;
pub mod delete;
pub mod describe;
pub mod diff;
pub mod drain;
pub mod edit;
pub mod events;
pub mod exec;
pub mod explain;
pub mod expose;
pub mod flags;
pub mod generate;
pub mod get;
pub mod help;
pub mod interrupt;
pub mod kuberc;
pub mod kuberc_cmd;
pub mod kustomize;
pub mod label;
pub mod logs;
pub mod match_version;
pub mod options;
pub mod patch;
pub mod pflag;
pub mod plugin;
pub mod port_forward;
pub mod proxy;
pub mod replace;
pub mod rollout;
pub mod run;
pub mod sandbox;
pub mod sandbox_demo;
pub mod sandbox_kubeconfig;
pub mod scale;
pub mod set;
pub mod suggest;
pub mod taint;
pub mod top;
pub mod uncordon;
pub mod version;
pub mod wait;

use crate::context::Context;
use crate::error::CliError;
use clap::Parser;

/// The root command's flags and texts, without the commands ([`Cli`] adds them).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "kubectl-rs",
    about = "kubectl-rs controls the Kubernetes cluster manager.",
    long_about = "kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/",
    disable_version_flag = true,
    subcommand_required = true,
    arg_required_else_help = true
)]
#[group(id = "Cli")]
struct Root {
    #[command(flatten)]
    global: flags::GlobalArgs,
}

/// kubectl-rs controls the Kubernetes cluster manager: the parsed command line.
///
/// `Cli::command()` is the whole tree (help, completion, man pages, suggestions); [`tree_for`]
/// builds the root with only the invoked command's subtree, which is all parsing needs.
#[derive(Debug, Clone)]
pub struct Cli {
    /// Flags every command accepts.
    pub global: flags::GlobalArgs,
    /// The command.
    pub command: Command,
}

impl clap::CommandFactory for Cli {
    fn command() -> clap::Command {
        <Command as clap::Subcommand>::augment_subcommands(Root::command())
    }

    fn command_for_update() -> clap::Command {
        Self::command()
    }
}

impl clap::FromArgMatches for Cli {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut m.clone())
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.update_from_arg_matches_mut(&mut m.clone())
    }

    fn from_arg_matches_mut(m: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        Ok(Cli {
            global: clap::FromArgMatches::from_arg_matches_mut(m)?,
            command: clap::FromArgMatches::from_arg_matches_mut(m)?,
        })
    }

    fn update_from_arg_matches_mut(&mut self, m: &mut clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches_mut(m)?;
        Ok(())
    }
}

impl Parser for Cli {}

/// Declares the commands once: the [`Command`] enum, each command's clap builder (its name,
/// its `XArgs`, then its texts; the order is kubectl's help order, "Other Commands" last) and
/// the matching back from clap's matches.
macro_rules! commands {
    ($($variant:ident($args:ty) = $name:literal $(.$method:ident($($value:expr),*))*;)*) => {
        /// The commands, in kubectl's help order ("Other Commands" last).
        #[derive(Debug, Clone)]
        pub enum Command {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant($args),
            )*
        }

        /// Each command's name and the builder of its clap subtree.
        const COMMANDS: &[(&str, fn() -> clap::Command)] = &[$(($name, || {
            <$args as clap::Args>::augment_args(clap::Command::new($name))$(.$method($($value),*))*
        }),)*];

        impl Command {
            /// The command's name as typed (`port-forward`).
            pub fn name(&self) -> &'static str {
                match self {
                    $(Command::$variant(_) => $name,)*
                }
            }
        }

        impl clap::FromArgMatches for Command {
            fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
                Self::from_arg_matches_mut(&mut m.clone())
            }

            fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
                self.update_from_arg_matches_mut(&mut m.clone())
            }

            fn from_arg_matches_mut(m: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
                let Some((name, mut sub)) = m.remove_subcommand() else {
                    return Err(clap::Error::raw(
                        clap::error::ErrorKind::MissingSubcommand,
                        "a subcommand is required but one was not provided",
                    ));
                };
                $(
                    if name == $name {
                        return Ok(Command::$variant(clap::FromArgMatches::from_arg_matches_mut(&mut sub)?));
                    }
                )*
                Err(clap::Error::raw(
                    clap::error::ErrorKind::InvalidSubcommand,
                    format!("the subcommand '{name}' wasn't recognized"),
                ))
            }

            fn update_from_arg_matches_mut(&mut self, m: &mut clap::ArgMatches) -> Result<(), clap::Error> {
                *self = Self::from_arg_matches_mut(m)?;
                Ok(())
            }
        }
    };
}

commands! {
    Get(get::GetArgs) = "get"
        .about("Display one or many resources")
        .display_order(100)
        .long_about(get::GET_LONG)
        .after_help(get::GET_EXAMPLES)
        .override_usage(get::GET_USAGE);
    Create(create::CreateArgs) = "create"
        .about("Create a resource from a file or from stdin")
        .display_order(90)
        .long_about(create::CREATE_LONG)
        .after_help(create::CREATE_EXAMPLES)
        .override_usage(create::CREATE_USAGE);
    Delete(delete::DeleteArgs) = "delete"
        .about("Delete resources by file names, stdin, resources and names, or by resources and label selector")
        .display_order(250)
        .long_about(delete::DELETE_LONG)
        .after_help(delete::DELETE_EXAMPLES)
        .override_usage(delete::DELETE_USAGE);
    Replace(replace::ReplaceArgs) = "replace"
        .about("Replace a resource by file name or stdin")
        .display_order(230)
        .long_about(replace::REPLACE_LONG)
        .after_help(replace::REPLACE_EXAMPLES)
        .override_usage(replace::REPLACE_USAGE);
    Apply(apply::ApplyArgs) = "apply"
        .about("Apply a configuration to a resource by file name or stdin")
        .display_order(200)
        .long_about(apply::APPLY_LONG)
        .after_help(apply::APPLY_EXAMPLES)
        .override_usage(apply::APPLY_USAGE);
    Diff(diff::DiffArgs) = "diff"
        .about("Diff the live version against a would-be applied version")
        .display_order(199)
        .long_about(diff::DIFF_LONG)
        .after_help(diff::DIFF_EXAMPLES)
        .override_usage(diff::DIFF_USAGE);
    Edit(edit::EditArgs) = "edit"
        .about("Edit a resource on the server")
        .display_order(220)
        .long_about(edit::EDIT_LONG)
        .after_help(edit::EDIT_EXAMPLES)
        .override_usage(edit::EDIT_USAGE);
    Describe(describe::DescribeArgs) = "describe"
        .about("Show details of a specific resource or group of resources")
        .display_order(300)
        .long_about(describe::DESCRIBE_LONG)
        .after_help(describe::DESCRIBE_EXAMPLES)
        .override_usage(describe::DESCRIBE_USAGE);
    Label(label::LabelArgs) = "label"
        .display_order(600)
        .long_about(label::LABEL_LONG)
        .after_help(label::LABEL_EXAMPLES)
        .override_usage(label::LABEL_USAGE);
    Annotate(annotate::AnnotateArgs) = "annotate"
        .display_order(601)
        .long_about(annotate::ANNOTATE_LONG)
        .after_help(annotate::ANNOTATE_EXAMPLES)
        .override_usage(annotate::ANNOTATE_USAGE);
    Patch(patch::PatchArgs) = "patch"
        .display_order(210)
        .long_about(patch::PATCH_LONG)
        .after_help(patch::PATCH_EXAMPLES)
        .override_usage(patch::PATCH_USAGE);
    Attach(attach::AttachArgs) = "attach"
        .display_order(505)
        .long_about(attach::ATTACH_LONG)
        .after_help(attach::ATTACH_EXAMPLES)
        .override_usage(attach::ATTACH_USAGE);
    Cp(cp::CpArgs) = "cp"
        .display_order(510)
        .long_about("Copy files and directories to and from containers.")
        .after_help(cp::CP_EXAMPLES)
        .override_usage("cp <file-spec-src> <file-spec-dest> [options]");
    Exec(exec::ExecArgs) = "exec"
        .long_about(exec::EXEC_LONG)
        .after_help(exec::EXEC_EXAMPLES)
        .override_usage(exec::EXEC_USAGE);
    PortForward(port_forward::PortForwardArgs) = "port-forward"
        .long_about(port_forward::PORT_FORWARD_LONG)
        .after_help(port_forward::PORT_FORWARD_EXAMPLES)
        .override_usage(port_forward::PORT_FORWARD_USAGE);
    Logs(logs::LogsArgs) = "logs"
        .display_order(500)
        .long_about(logs::LOGS_LONG)
        .after_help(logs::LOGS_EXAMPLES)
        .override_usage(logs::LOGS_USAGE);
    Autoscale(autoscale::AutoscaleArgs) = "autoscale"
        .display_order(401)
        .long_about(autoscale::AUTOSCALE_LONG)
        .after_help(autoscale::AUTOSCALE_EXAMPLES)
        .override_usage(autoscale::AUTOSCALE_USAGE);
    Scale(scale::ScaleArgs) = "scale"
        .display_order(400)
        .long_about(scale::SCALE_LONG)
        .after_help(scale::SCALE_EXAMPLES)
        .override_usage(scale::SCALE_USAGE);
    Set(set::SetArgs) = "set"
        .about("Set specific features on objects")
        .display_order(95)
        .long_about(set::SET_LONG)
        .override_usage(set::SET_USAGE);
    Wait(wait::WaitArgs) = "wait"
        .about("Wait for a specific condition on one or many resources")
        .display_order(210)
        .long_about(wait::WAIT_LONG)
        .after_help(wait::WAIT_EXAMPLES)
        .override_usage(wait::WAIT_USAGE);
    Completion(completion::CompletionArgs) = "completion"
        .display_order(700)
        .long_about(completion::COMPLETION_LONG)
        .after_help(completion::COMPLETION_EXAMPLES)
        .override_usage(completion::COMPLETION_USAGE);
    Complete(complete::CompleteArgs) = "__complete"
        .about("Answer a completion request of the shell scripts (cobra's protocol)")
        .long_about(None)
        .hide(true);
    CompleteNoDesc(complete::CompleteArgs) = "__completeNoDesc"
        .about("Answer a completion request of the shell scripts, without descriptions")
        .long_about(None)
        .hide(true);
    Rollout(rollout::RolloutArgs) = "rollout"
        .about("Manage the rollout of a resource")
        .display_order(400)
        .long_about(rollout::ROLLOUT_LONG)
        .after_help(rollout::ROLLOUT_EXAMPLES)
        .override_usage(rollout::ROLLOUT_USAGE);
    Sandbox(sandbox::SandboxArgs) = "sandbox"
        .about("Run a simulated Kubernetes cluster on this machine (no containers needed)")
        .long_about(None)
        .display_order(800);
    Kustomize(kustomize::KustomizeArgs) = "kustomize"
        .about("Build a kustomization target from a directory or URL")
        .display_order(450)
        .long_about(kustomize::KUSTOMIZE_LONG)
        .after_help(kustomize::KUSTOMIZE_EXAMPLES)
        .override_usage(kustomize::KUSTOMIZE_USAGE);
    ApiResources(api_resources::ApiResourcesArgs) = "api-resources"
        .about("Print the supported API resources on the server")
        .display_order(900)
        .long_about(api_resources::API_RESOURCES_LONG)
        .after_help(api_resources::API_RESOURCES_EXAMPLES)
        .override_usage(api_resources::API_RESOURCES_USAGE);
    ApiVersions(api_versions::ApiVersionsArgs) = "api-versions"
        .about(r#"Print the supported API versions on the server, in the form of "group/version""#)
        .display_order(901)
        .long_about(api_versions::API_VERSIONS_LONG)
        .after_help(api_versions::API_VERSIONS_EXAMPLES)
        .override_usage(api_versions::API_VERSIONS_USAGE);
    Config(config::ConfigArgs) = "config"
        .about("Modify kubeconfig files")
        .display_order(902)
        .long_about(config::CONFIG_LONG)
        .override_usage(config::CONFIG_USAGE);
    Cordon(cordon::CordonArgs) = "cordon"
        .long_about(cordon::CORDON_LONG)
        .after_help(cordon::CORDON_EXAMPLES)
        .override_usage(cordon::CORDON_USAGE);
    Uncordon(uncordon::UncordonArgs) = "uncordon"
        .long_about(uncordon::UNCORDON_LONG)
        .after_help(uncordon::UNCORDON_EXAMPLES)
        .override_usage(uncordon::UNCORDON_USAGE);
    Drain(drain::DrainArgs) = "drain"
        .long_about(drain::DRAIN_LONG)
        .after_help(drain::DRAIN_EXAMPLES)
        .override_usage(drain::DRAIN_USAGE);
    Debug(debug::DebugArgs) = "debug"
        .long_about(debug::DEBUG_LONG)
        .after_help(debug::DEBUG_EXAMPLES)
        .override_usage(debug::DEBUG_USAGE);
    Taint(taint::TaintArgs) = "taint"
        .long_about(taint::TAINT_LONG)
        .after_help(taint::TAINT_EXAMPLES)
        .override_usage(taint::TAINT_USAGE);
    Top(top::TopArgs) = "top"
        .about("Display resource (CPU/memory) usage")
        .long_about(top::TOP_LONG)
        .override_usage(top::TOP_USAGE);
    ClusterInfo(cluster_info::ClusterInfoArgs) = "cluster-info"
        .about("Display cluster information")
        .long_about(cluster_info::CLUSTER_INFO_LONG)
        .after_help(cluster_info::CLUSTER_INFO_EXAMPLES)
        .override_usage(cluster_info::CLUSTER_INFO_USAGE);
    Certificate(certificate::CertificateArgs) = "certificate"
        .about("Modify certificate resources")
        .long_about(certificate::CERTIFICATE_LONG)
        .override_usage(certificate::CERTIFICATE_USAGE);
    Auth(auth::AuthArgs) = "auth"
        .about("Inspect authorization")
        .long_about(auth::AUTH_LONG)
        .override_usage(auth::AUTH_USAGE);
    Events(events::EventsArgs) = "events"
        .long_about(events::EVENTS_LONG)
        .after_help(events::EVENTS_EXAMPLES)
        .override_usage(events::EVENTS_USAGE);
    Explain(explain::ExplainArgs) = "explain"
        .display_order(905)
        .long_about(explain::EXPLAIN_LONG)
        .after_help(explain::EXPLAIN_EXAMPLES)
        .override_usage(explain::EXPLAIN_USAGE);
    Expose(expose::ExposeArgs) = "expose"
        .display_order(91)
        .long_about(expose::EXPOSE_LONG)
        .after_help(expose::EXPOSE_EXAMPLES)
        .override_usage(expose::EXPOSE_USAGE);
    Run(run::RunArgs) = "run"
        .display_order(92)
        .long_about(run::RUN_LONG)
        .after_help(run::RUN_EXAMPLES)
        .override_usage(run::RUN_USAGE);
    Version(version::VersionArgs) = "version"
        .about("Print the client and server version information")
        .display_order(903)
        .long_about(version::VERSION_LONG)
        .after_help(version::VERSION_EXAMPLES)
        .override_usage(version::VERSION_USAGE);
    Plugin(plugin::PluginArgs) = "plugin"
        .about("Provides utilities for interacting with plugins")
        .display_order(902)
        .long_about(plugin::PLUGIN_LONG)
        .after_help(plugin::PLUGIN_EXAMPLES)
        .override_usage(plugin::PLUGIN_USAGE);
    Proxy(proxy::ProxyArgs) = "proxy"
        .long_about(proxy::PROXY_LONG)
        .after_help(proxy::PROXY_EXAMPLES)
        .override_usage(proxy::PROXY_USAGE);
    Kuberc(kuberc_cmd::KubercArgs) = "kuberc"
        .about("Manage kuberc configuration files")
        .display_order(906)
        .long_about(kuberc_cmd::KUBERC_LONG)
        .after_help(kuberc_cmd::KUBERC_EXAMPLES)
        .override_usage(kuberc_cmd::KUBERC_USAGE);
    Options(options::OptionsArgs) = "options"
        .about("Print the list of flags inherited by all commands")
        .long_about(None)
        .display_order(904);
}

impl clap::Subcommand for Command {
    fn augment_subcommands(root: clap::Command) -> clap::Command {
        COMMANDS
            .iter()
            .fold(root, |root, (_, build)| root.subcommand(build()))
    }

    fn augment_subcommands_for_update(root: clap::Command) -> clap::Command {
        Self::augment_subcommands(root)
    }

    fn has_subcommand(name: &str) -> bool {
        COMMANDS.iter().any(|(n, _)| *n == name)
    }
}

impl Command {
    /// Whether the command serves others (the sandbox) and wants every core.
    pub fn is_server(&self) -> bool {
        matches!(self, Command::Sandbox(_))
    }

    /// Whether the command builds a client (kubectl's `ToRESTConfig`/`ToDiscoveryClient`,
    /// where `--match-server-version` is checked): all but the local ones.
    pub fn talks_to_server(&self) -> bool {
        !matches!(
            self,
            Command::Completion(_)
                | Command::Complete(_)
                | Command::CompleteNoDesc(_)
                | Command::Sandbox(_)
                | Command::Config(_)
                | Command::Options(_)
                | Command::Plugin(_)
                | Command::Kuberc(_)
        ) && !matches!(self, Command::Version(v) if v.client)
    }

    /// The `Kubectl-Command` header value (`kubectl api-resources`, `kubectl config view`).
    pub fn header_name(&self) -> String {
        format!("kubectl {}", self.name())
    }
}

/// The root with only the subtree of the command `args` (argv, program name first) invokes:
/// all that parsing it needs, without building the other commands' flags (most of the cost
/// of starting). The whole tree when the first word names no command: a help topic, a plugin,
/// a typo to suggest a command for, or no command at all.
pub fn tree_for(args: &[String]) -> clap::Command {
    use clap::CommandFactory;
    let root = Root::command();
    let (_, stop) = argv::walk(args, &root);
    let found = stop.and_then(|i| {
        COMMANDS
            .iter()
            .enumerate()
            .find(|(_, (name, _))| *name == args[i])
    });
    let Some((index, (_, build))) = found else {
        return Cli::command();
    };
    // clap numbers flags and then subcommands in the order they are added: the command keeps
    // the number it has in the whole tree.
    let flags = root.get_arguments().filter(|a| !a.is_positional()).count();
    root.next_display_order(flags + index).subcommand(build())
}

/// Parses argv (subcommand words first, see [`argv::subcommands_first`]) as cobra would.
/// A command may declare its own flag under a global flag's name (`--user` of `create
/// rolebinding` and `set subject` names subjects, not the kubeconfig user): cobra gives the
/// word to the command's flag and leaves the global one unset. clap keeps the command's flag
/// (it has the global's id, so the global is not propagated there) but also copies its values
/// up to the global one; that copy is removed here. A global flag with a default
/// (`--insecure-skip-tls-verify=false`) cannot be removed (the global field needs a value);
/// clap also copies that default down into the command's flag, so the ids of the command's
/// flags that were not typed are kept in `GlobalArgs::shadow_defaults` (cobra's `Changed`).
pub fn parse(argv: &[String]) -> Result<Cli, clap::Error> {
    parse_in(argv, tree_for(argv))
}

/// [`parse`] with the tree [`tree_for`] gave for `argv`.
pub fn parse_in(argv: &[String], tree: clap::Command) -> Result<Cli, clap::Error> {
    let root = pflag::command(tree);
    let mut matches = root.clone().try_get_matches_from(argv)?;
    let mut leaf = &root;
    let mut leaf_matches = &matches;
    let mut sub = matches.subcommand();
    while let Some((name, m)) = sub {
        match leaf.find_subcommand(name) {
            Some(c) => leaf = c,
            None => break,
        }
        leaf_matches = m;
        sub = m.subcommand();
    }
    let mut shadowed = Vec::new();
    let mut shadow_defaults = Vec::new();
    for a in leaf.get_arguments().filter(|a| !a.is_global_set()) {
        let id = a.get_id().as_str();
        let Some(global) = root
            .get_arguments()
            .find(|g| g.is_global_set() && g.get_id() == id)
        else {
            continue;
        };
        if leaf_matches.value_source(id) != Some(clap::parser::ValueSource::CommandLine) {
            shadow_defaults.push(id.to_string());
        }
        if global.get_default_values().is_empty() {
            shadowed.push(id.to_string());
        }
    }
    for id in shadowed {
        let _ = matches.try_clear_id(&id);
    }
    let mut cli = <Cli as clap::FromArgMatches>::from_arg_matches_mut(&mut matches)
        .map_err(|e| e.format(&mut <Cli as clap::CommandFactory>::command()))?;
    cli.global.shadow_defaults = shadow_defaults;
    Ok(cli)
}

/// The command path the user typed (`kubectl-rs config use-context`), for usage errors and
/// help: the program name as invoked, then the leading words that name subcommands, skipping
/// flags and the values of flags that take one (`help CMD...` names `CMD...`, as cobra's does).
pub fn command_path(args: &[String]) -> String {
    use clap::CommandFactory;
    let root = Cli::command();
    let mut cur = &root;
    let mut path = vec![help::program_name(args.first().map(String::as_str))];
    let mut skip_value = false;
    for a in args.iter().skip(1) {
        if skip_value {
            skip_value = false;
            continue;
        }
        if let Some(flag) = a.strip_prefix("--") {
            if !flag.contains('=') {
                skip_value = cur
                    .get_arguments()
                    .chain(root.get_arguments())
                    .find(|x| x.get_long() == Some(flag))
                    .is_some_and(|x| {
                        x.get_action().takes_values()
                            && x.get_num_args().is_none_or(|r| r.min_values() > 0)
                    });
            }
            continue;
        }
        if let Some(short) = a.strip_prefix('-') {
            let mut chars = short.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                skip_value = cur
                    .get_arguments()
                    .chain(root.get_arguments())
                    .find(|x| x.get_short() == Some(c))
                    .is_some_and(|x| {
                        x.get_action().takes_values()
                            && x.get_num_args().is_none_or(|r| r.min_values() > 0)
                    });
            }
            continue;
        }
        if a == "help" && path.len() == 1 {
            continue;
        }
        match cur.find_subcommand(a) {
            Some(sub) => {
                path.push(sub.get_name().to_string());
                cur = sub;
            }
            None => break,
        }
    }
    path.join(" ")
}

/// What an in-process run printed and returned (tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr, the final error text included.
    pub stderr: String,
    /// The exit code `main` would return.
    pub code: i32,
}

/// Parses `args` (without the program name) and runs them in-process over `env` with
/// buffered streams, exactly as `main` would (same error rendering). For tests.
pub async fn run_args(args: &[&str], env: crate::context::Env) -> Outcome {
    let lang = crate::i18n::Lang::from_env(&env);
    let argv: Vec<String> = std::iter::once("kubectl-rs")
        .chain(args.iter().copied())
        .map(String::from)
        .collect();
    let tree = tree_for(&argv);
    if let Some((stdout, stderr)) = help::help_topic(&tree, &argv, lang) {
        return Outcome {
            stdout,
            stderr,
            code: 0,
        };
    }
    let argv = argv::subcommands_first(argv, &tree);
    let cli = match parse_in(&argv, tree) {
        Ok(c) => c,
        Err(e) => {
            let r = crate::error::render_in(&CliError::parse_failure(e, &argv), lang);
            return Outcome {
                stdout: r.stdout,
                stderr: r.stderr,
                code: r.code,
            };
        }
    };
    let (io, out, err) = crate::context::Io::buffered();
    let ctx = Context::new(cli.global.clone(), env, io, &cli.command.header_name());
    let result = run(&cli.command, &ctx).await;
    let (mut stderr, code) = (err.text(), 0);
    match result {
        Ok(()) => Outcome {
            stdout: out.text(),
            stderr,
            code,
        },
        Err(e) => {
            let r = crate::error::render_in(&e, lang);
            stderr.push_str(&r.stderr);
            Outcome {
                stdout: out.text() + &r.stdout,
                stderr,
                code: r.code,
            }
        }
    }
}

/// Runs the parsed command (and applies `--warnings-as-errors`).
pub async fn run(cmd: &Command, ctx: &Context) -> Result<(), CliError> {
    if ctx.global.match_server_version && cmd.talks_to_server() {
        match_version::check(ctx.client()?).await?;
    }
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
        Command::Get(a) => a.run(ctx).await,
        Command::Create(a) => a.run(ctx).await,
        Command::Delete(a) => a.run(ctx).await,
        Command::Replace(a) => a.run(ctx).await,
        Command::Apply(a) => a.run(ctx).await,
        Command::Diff(a) => a.run(ctx).await,
        Command::Edit(a) => a.run(ctx).await,
        Command::Describe(a) => a.run(ctx).await,
        Command::Label(a) => a.run(ctx).await,
        Command::Annotate(a) => a.run(ctx).await,
        Command::Patch(a) => a.run(ctx).await,
        Command::Scale(a) => a.run(ctx).await,
        Command::Set(a) => a.run(ctx).await,
        Command::Logs(a) => a.run(ctx).await,
        Command::Attach(a) => a.run(ctx).await,
        Command::Cp(a) => a.run(ctx).await,
        Command::Exec(a) => a.run(ctx).await,
        Command::PortForward(a) => a.run(ctx).await,
        Command::Wait(a) => a.run(ctx).await,
        Command::Completion(a) => a.run(ctx).await,
        Command::Complete(a) => a.run(ctx, true),
        Command::CompleteNoDesc(a) => a.run(ctx, false),
        Command::Rollout(a) => a.run(ctx).await,
        Command::Kustomize(a) => a.run(ctx).await,
        Command::Sandbox(a) => sandbox::run(a.clone(), ctx)
            .await
            .map_err(|e| CliError::msg(format!("{e:#}"))),
        Command::ApiResources(a) => a.run(ctx).await,
        Command::ApiVersions(a) => a.run(ctx).await,
        Command::Config(a) => a.run(ctx).await,
        Command::Version(a) => a.run(ctx).await,
        Command::Options(a) => a.run(ctx).await,
        Command::Plugin(a) => a.run(ctx).await,
        Command::Cordon(a) => a.run(ctx).await,
        Command::Debug(a) => a.run(ctx).await,
        Command::Uncordon(a) => a.run(ctx).await,
        Command::Drain(a) => a.run(ctx).await,
        Command::Taint(a) => a.run(ctx).await,
        Command::Top(a) => a.run(ctx).await,
        Command::Expose(a) => a.run(ctx).await,
        Command::Autoscale(a) => a.run(ctx).await,
        Command::Run(a) => a.run(ctx).await,
        Command::Events(a) => a.run(ctx).await,
        Command::Explain(a) => a.run(ctx).await,
        Command::Auth(a) => a.run(ctx).await,
        Command::Certificate(a) => a.run(ctx).await,
        Command::ClusterInfo(a) => a.run(ctx).await,
        Command::Proxy(a) => a.run(ctx).await,
        Command::Kuberc(a) => a.run(ctx).await,
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
    fn tree_for_builds_the_invoked_command_as_the_whole_tree_does() {
        let whole = Cli::command();
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let root_args = |c: &clap::Command| format!("{:?}", c.get_arguments().collect::<Vec<_>>());
        for (name, _) in COMMANDS {
            let own = tree_for(&words(&["kubectl-rs", "-n", "x", name, "a"]));
            let subs: Vec<&clap::Command> = own.get_subcommands().collect();
            assert_eq!(subs.len(), 1, "{name}");
            let theirs = whole.find_subcommand(name).unwrap();
            assert_eq!(format!("{:?}", subs[0]), format!("{theirs:?}"), "{name}");
            assert_eq!(root_args(&own), root_args(&whole));
        }
        // No command, a help topic, a plugin or a typo: the whole tree.
        for args in [
            &["kubectl-rs"][..],
            &["kubectl-rs", "help", "get"],
            &["kubectl-rs", "gett"],
            &["kubectl-rs", "--", "get"],
        ] {
            let tree = tree_for(&words(args));
            assert_eq!(tree.get_subcommands().count(), COMMANDS.len(), "{args:?}");
        }
    }

    #[test]
    fn command_paths() {
        let p = |a: &[&str]| command_path(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            p(&["kubectl-rs", "--context", "c", "config", "use", "x"]),
            "kubectl-rs config use-context"
        );
        assert_eq!(
            p(&["kubectl-rs", "--insecure-skip-tls-verify", "version"]),
            "kubectl-rs version"
        );
        assert_eq!(p(&["kubectl-rs", "nope"]), "kubectl-rs");
        assert_eq!(
            p(&["kubectl-rs", "config", "-n", "x", "view", "-o"]),
            "kubectl-rs config view"
        );
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
        let args = ["kubectl-rs", "version", "--bogus"];
        let e = Cli::try_parse_from(args).unwrap_err();
        let r = crate::error::render(&CliError::ClapIn(e, command_path(&args.map(String::from))));
        assert_eq!(
            r.stderr,
            "error: unknown flag: --bogus\nSee 'kubectl-rs version --help' for usage.\n"
        );
        // pflag's words, naming the flag as typed (clap's error only knows `--output`).
        let args: Vec<String> = ["kubectl-rs", "-n", "x", "version", "-o"]
            .map(String::from)
            .to_vec();
        let args = argv::subcommands_first(args.clone(), &tree_for(&args));
        let e = parse(&args).unwrap_err();
        let r = crate::error::render(&CliError::parse_failure(e, &args));
        assert_eq!(
            r.stderr,
            "error: flag needs an argument: 'o' in -o\nSee 'kubectl-rs version --help' for usage.\n"
        );
        // A repeated flag takes its last value, as pflag's do.
        let args = ["kubectl-rs", "-n", "a", "get", "pods", "-n", "b"].map(String::from);
        let c = parse(&argv::subcommands_first(args.to_vec(), &tree_for(&args))).unwrap();
        assert_eq!(c.global.namespace.as_deref(), Some("b"));
        let args = ["kubectl-rs", "config", "use-context"];
        let e = Cli::try_parse_from(args).unwrap_err();
        let r = crate::error::render(&CliError::ClapIn(e, command_path(&args.map(String::from))));
        assert_eq!(r.stderr, "error: the following required arguments were not provided: <NAME>\nSee 'kubectl-rs config use-context --help' for usage.\n");
    }
}

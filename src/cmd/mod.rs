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

/// kubectl-rs controls the Kubernetes cluster manager.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "kubectl-rs",
    about = "kubectl-rs controls the Kubernetes cluster manager.",
    long_about = "kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/",
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
    /// Display one or many resources
    #[command(display_order = 100)]
    #[command(long_about = get::GET_LONG, after_help = get::GET_EXAMPLES, override_usage = get::GET_USAGE)]
    Get(get::GetArgs),
    /// Create a resource from a file or from stdin
    #[command(display_order = 90)]
    #[command(long_about = create::CREATE_LONG, after_help = create::CREATE_EXAMPLES, override_usage = create::CREATE_USAGE)]
    Create(create::CreateArgs),
    /// Delete resources by file names, stdin, resources and names, or by resources and label selector
    #[command(display_order = 250)]
    #[command(long_about = delete::DELETE_LONG, after_help = delete::DELETE_EXAMPLES, override_usage = delete::DELETE_USAGE)]
    Delete(delete::DeleteArgs),
    /// Replace a resource by file name or stdin
    #[command(display_order = 230)]
    #[command(long_about = replace::REPLACE_LONG, after_help = replace::REPLACE_EXAMPLES, override_usage = replace::REPLACE_USAGE)]
    Replace(replace::ReplaceArgs),
    /// Apply a configuration to a resource by file name or stdin
    #[command(display_order = 200)]
    #[command(long_about = apply::APPLY_LONG, after_help = apply::APPLY_EXAMPLES, override_usage = apply::APPLY_USAGE)]
    Apply(apply::ApplyArgs),
    /// Diff the live version against a would-be applied version
    #[command(display_order = 199)]
    #[command(long_about = diff::DIFF_LONG, after_help = diff::DIFF_EXAMPLES, override_usage = diff::DIFF_USAGE)]
    Diff(diff::DiffArgs),
    /// Edit a resource on the server
    #[command(display_order = 220)]
    #[command(long_about = edit::EDIT_LONG, after_help = edit::EDIT_EXAMPLES, override_usage = edit::EDIT_USAGE)]
    Edit(edit::EditArgs),
    /// Show details of a specific resource or group of resources
    #[command(display_order = 300)]
    #[command(long_about = describe::DESCRIBE_LONG, after_help = describe::DESCRIBE_EXAMPLES, override_usage = describe::DESCRIBE_USAGE)]
    Describe(describe::DescribeArgs),
    #[command(display_order = 600)]
    #[command(long_about = label::LABEL_LONG, after_help = label::LABEL_EXAMPLES, override_usage = label::LABEL_USAGE)]
    Label(label::LabelArgs),
    #[command(display_order = 601)]
    #[command(long_about = annotate::ANNOTATE_LONG, after_help = annotate::ANNOTATE_EXAMPLES, override_usage = annotate::ANNOTATE_USAGE)]
    Annotate(annotate::AnnotateArgs),
    #[command(display_order = 210)]
    #[command(long_about = patch::PATCH_LONG, after_help = patch::PATCH_EXAMPLES, override_usage = patch::PATCH_USAGE)]
    Patch(patch::PatchArgs),
    #[command(display_order = 505)]
    #[command(long_about = attach::ATTACH_LONG, after_help = attach::ATTACH_EXAMPLES, override_usage = attach::ATTACH_USAGE)]
    Attach(attach::AttachArgs),
    #[command(display_order = 510)]
    #[command(long_about = "Copy files and directories to and from containers.", after_help = cp::CP_EXAMPLES, override_usage = "cp <file-spec-src> <file-spec-dest> [options]")]
    Cp(cp::CpArgs),
    #[command(long_about = exec::EXEC_LONG, after_help = exec::EXEC_EXAMPLES, override_usage = exec::EXEC_USAGE)]
    Exec(exec::ExecArgs),
    #[command(name = "port-forward")]
    #[command(long_about = port_forward::PORT_FORWARD_LONG, after_help = port_forward::PORT_FORWARD_EXAMPLES, override_usage = port_forward::PORT_FORWARD_USAGE)]
    PortForward(port_forward::PortForwardArgs),
    #[command(display_order = 500)]
    #[command(long_about = logs::LOGS_LONG, after_help = logs::LOGS_EXAMPLES, override_usage = logs::LOGS_USAGE)]
    Logs(logs::LogsArgs),
    #[command(display_order = 401)]
    #[command(long_about = autoscale::AUTOSCALE_LONG, after_help = autoscale::AUTOSCALE_EXAMPLES, override_usage = autoscale::AUTOSCALE_USAGE)]
    Autoscale(autoscale::AutoscaleArgs),
    #[command(display_order = 400)]
    #[command(long_about = scale::SCALE_LONG, after_help = scale::SCALE_EXAMPLES, override_usage = scale::SCALE_USAGE)]
    Scale(scale::ScaleArgs),
    /// Set specific features on objects
    #[command(display_order = 95)]
    #[command(long_about = set::SET_LONG, override_usage = set::SET_USAGE)]
    Set(set::SetArgs),
    /// Wait for a specific condition on one or many resources
    #[command(display_order = 210)]
    #[command(long_about = wait::WAIT_LONG, after_help = wait::WAIT_EXAMPLES, override_usage = wait::WAIT_USAGE)]
    Wait(wait::WaitArgs),
    #[command(display_order = 700)]
    #[command(long_about = completion::COMPLETION_LONG, after_help = completion::COMPLETION_EXAMPLES, override_usage = completion::COMPLETION_USAGE)]
    Completion(completion::CompletionArgs),
    /// Answer a completion request of the shell scripts (cobra's protocol)
    #[command(name = "__complete", hide = true)]
    Complete(complete::CompleteArgs),
    /// Answer a completion request of the shell scripts, without descriptions
    #[command(name = "__completeNoDesc", hide = true)]
    CompleteNoDesc(complete::CompleteArgs),
    /// Manage the rollout of a resource
    #[command(display_order = 400)]
    #[command(long_about = rollout::ROLLOUT_LONG, after_help = rollout::ROLLOUT_EXAMPLES, override_usage = rollout::ROLLOUT_USAGE)]
    Rollout(rollout::RolloutArgs),
    /// Run a simulated Kubernetes cluster on this machine (no containers needed)
    #[command(display_order = 800)]
    Sandbox(sandbox::SandboxArgs),
    /// Build a kustomization target from a directory or URL
    #[command(display_order = 450)]
    #[command(long_about = kustomize::KUSTOMIZE_LONG, after_help = kustomize::KUSTOMIZE_EXAMPLES, override_usage = kustomize::KUSTOMIZE_USAGE)]
    Kustomize(kustomize::KustomizeArgs),
    /// Print the supported API resources on the server
    #[command(name = "api-resources", display_order = 900)]
    #[command(long_about = api_resources::API_RESOURCES_LONG, after_help = api_resources::API_RESOURCES_EXAMPLES, override_usage = api_resources::API_RESOURCES_USAGE)]
    ApiResources(api_resources::ApiResourcesArgs),
    /// Print the supported API versions on the server, in the form of "group/version"
    #[command(name = "api-versions", display_order = 901)]
    #[command(long_about = api_versions::API_VERSIONS_LONG, after_help = api_versions::API_VERSIONS_EXAMPLES, override_usage = api_versions::API_VERSIONS_USAGE)]
    ApiVersions(api_versions::ApiVersionsArgs),
    /// Modify kubeconfig files
    #[command(display_order = 902)]
    #[command(long_about = config::CONFIG_LONG, override_usage = config::CONFIG_USAGE)]
    Config(config::ConfigArgs),
    #[command(long_about = cordon::CORDON_LONG, after_help = cordon::CORDON_EXAMPLES, override_usage = cordon::CORDON_USAGE)]
    Cordon(cordon::CordonArgs),
    #[command(long_about = uncordon::UNCORDON_LONG, after_help = uncordon::UNCORDON_EXAMPLES, override_usage = uncordon::UNCORDON_USAGE)]
    Uncordon(uncordon::UncordonArgs),
    #[command(long_about = drain::DRAIN_LONG, after_help = drain::DRAIN_EXAMPLES, override_usage = drain::DRAIN_USAGE)]
    Drain(drain::DrainArgs),
    #[command(long_about = debug::DEBUG_LONG, after_help = debug::DEBUG_EXAMPLES, override_usage = debug::DEBUG_USAGE)]
    Debug(debug::DebugArgs),
    #[command(long_about = taint::TAINT_LONG, after_help = taint::TAINT_EXAMPLES, override_usage = taint::TAINT_USAGE)]
    Taint(taint::TaintArgs),
    /// Display resource (CPU/memory) usage
    #[command(long_about = top::TOP_LONG, override_usage = top::TOP_USAGE)]
    Top(top::TopArgs),
    /// Display cluster information
    #[command(name = "cluster-info")]
    #[command(long_about = cluster_info::CLUSTER_INFO_LONG, after_help = cluster_info::CLUSTER_INFO_EXAMPLES, override_usage = cluster_info::CLUSTER_INFO_USAGE)]
    ClusterInfo(cluster_info::ClusterInfoArgs),
    /// Modify certificate resources
    #[command(long_about = certificate::CERTIFICATE_LONG, override_usage = certificate::CERTIFICATE_USAGE)]
    Certificate(certificate::CertificateArgs),
    /// Inspect authorization
    #[command(long_about = auth::AUTH_LONG, override_usage = auth::AUTH_USAGE)]
    Auth(auth::AuthArgs),
    #[command(long_about = events::EVENTS_LONG, after_help = events::EVENTS_EXAMPLES, override_usage = events::EVENTS_USAGE)]
    Events(events::EventsArgs),
    #[command(display_order = 905)]
    #[command(long_about = explain::EXPLAIN_LONG, after_help = explain::EXPLAIN_EXAMPLES, override_usage = explain::EXPLAIN_USAGE)]
    Explain(explain::ExplainArgs),
    #[command(display_order = 91)]
    #[command(long_about = expose::EXPOSE_LONG, after_help = expose::EXPOSE_EXAMPLES, override_usage = expose::EXPOSE_USAGE)]
    Expose(expose::ExposeArgs),
    #[command(display_order = 92)]
    #[command(long_about = run::RUN_LONG, after_help = run::RUN_EXAMPLES, override_usage = run::RUN_USAGE)]
    Run(run::RunArgs),
    /// Print the client and server version information
    #[command(display_order = 903)]
    #[command(long_about = version::VERSION_LONG, after_help = version::VERSION_EXAMPLES, override_usage = version::VERSION_USAGE)]
    Version(version::VersionArgs),
    /// Provides utilities for interacting with plugins
    #[command(display_order = 902)]
    #[command(long_about = plugin::PLUGIN_LONG, after_help = plugin::PLUGIN_EXAMPLES, override_usage = plugin::PLUGIN_USAGE)]
    Plugin(plugin::PluginArgs),
    #[command(long_about = proxy::PROXY_LONG, after_help = proxy::PROXY_EXAMPLES, override_usage = proxy::PROXY_USAGE)]
    Proxy(proxy::ProxyArgs),
    /// Manage kuberc configuration files
    #[command(display_order = 906)]
    #[command(long_about = kuberc_cmd::KUBERC_LONG, after_help = kuberc_cmd::KUBERC_EXAMPLES, override_usage = kuberc_cmd::KUBERC_USAGE)]
    Kuberc(kuberc_cmd::KubercArgs),
    /// Print the list of flags inherited by all commands
    #[command(display_order = 904)]
    Options(options::OptionsArgs),
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
        let name = match self {
            Command::Get(_) => "get",
            Command::Create(_) => "create",
            Command::Delete(_) => "delete",
            Command::Replace(_) => "replace",
            Command::Apply(_) => "apply",
            Command::Diff(_) => "diff",
            Command::Edit(_) => "edit",
            Command::Describe(_) => "describe",
            Command::Label(_) => "label",
            Command::Annotate(_) => "annotate",
            Command::Patch(_) => "patch",
            Command::Scale(_) => "scale",
            Command::Set(_) => "set",
            Command::Logs(_) => "logs",
            Command::Attach(_) => "attach",
            Command::Cp(_) => "cp",
            Command::Exec(_) => "exec",
            Command::PortForward(_) => "port-forward",
            Command::Wait(_) => "wait",
            Command::Completion(_) => "completion",
            Command::Complete(_) => complete::COMPLETE,
            Command::CompleteNoDesc(_) => complete::COMPLETE_NO_DESC,
            Command::Rollout(_) => "rollout",
            Command::Kustomize(_) => "kustomize",
            Command::Sandbox(_) => "sandbox",
            Command::ApiResources(_) => "api-resources",
            Command::ApiVersions(_) => "api-versions",
            Command::Config(_) => "config",
            Command::Version(_) => "version",
            Command::Options(_) => "options",
            Command::Plugin(_) => "plugin",
            Command::Cordon(_) => "cordon",
            Command::Debug(_) => "debug",
            Command::Uncordon(_) => "uncordon",
            Command::Drain(_) => "drain",
            Command::Taint(_) => "taint",
            Command::Top(_) => "top",
            Command::Events(_) => "events",
            Command::Explain(_) => "explain",
            Command::Expose(_) => "expose",
            Command::Autoscale(_) => "autoscale",
            Command::Run(_) => "run",
            Command::Auth(_) => "auth",
            Command::Certificate(_) => "certificate",
            Command::ClusterInfo(_) => "cluster-info",
            Command::Proxy(_) => "proxy",
            Command::Kuberc(_) => "kuberc",
        };
        format!("kubectl {name}")
    }
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
    let root = pflag::command(<Cli as clap::CommandFactory>::command());
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
    if let Some((stdout, stderr)) =
        help::help_topic(&<Cli as clap::CommandFactory>::command(), &argv, lang)
    {
        return Outcome {
            stdout,
            stderr,
            code: 0,
        };
    }
    let argv = argv::subcommands_first(argv);
    let cli = match parse(&argv) {
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
        let args = argv::subcommands_first(
            ["kubectl-rs", "-n", "x", "version", "-o"]
                .map(String::from)
                .to_vec(),
        );
        let e = parse(&args).unwrap_err();
        let r = crate::error::render(&CliError::parse_failure(e, &args));
        assert_eq!(
            r.stderr,
            "error: flag needs an argument: 'o' in -o\nSee 'kubectl-rs version --help' for usage.\n"
        );
        // A repeated flag takes its last value, as pflag's do.
        let args = ["kubectl-rs", "-n", "a", "get", "pods", "-n", "b"].map(String::from);
        let c = parse(&argv::subcommands_first(args.to_vec())).unwrap();
        assert_eq!(c.global.namespace.as_deref(), Some("b"));
        let args = ["kubectl-rs", "config", "use-context"];
        let e = Cli::try_parse_from(args).unwrap_err();
        let r = crate::error::render(&CliError::ClapIn(e, command_path(&args.map(String::from))));
        assert_eq!(r.stderr, "error: the following required arguments were not provided: <NAME>\nSee 'kubectl-rs config use-context --help' for usage.\n");
    }
}

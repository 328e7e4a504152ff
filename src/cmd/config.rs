//! `kubectl-rs config …`: view and edit kubeconfig files as kubectl does (secrets shown as
//! `DATA+OMITTED`/`REDACTED` unless `--raw`; edits go to the file that defines the entry and
//! are written atomically, keeping everything else in the file).

use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;
use crate::kubeconfig::edit::ConfigLock;
use crate::kubeconfig::load::resolve_path;
use crate::kubeconfig::model::NamedContext;
use crate::kubeconfig::{property, Kubeconfig, KubeconfigError, LoadedConfig};
use crate::print::tabwriter::tabwrite;
use base64::Engine;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Modify kubeconfig files using subcommands like "kubectl config set current-context my-context".
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub command: ConfigCommand,
}

/// `config` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ConfigCommand {
    /// Display the current-context
    #[command(long_about = CONFIG_CURRENT_CONTEXT_LONG, after_help = CONFIG_CURRENT_CONTEXT_EXAMPLES, override_usage = CONFIG_CURRENT_CONTEXT_USAGE)]
    CurrentContext,
    /// Delete the specified cluster from the kubeconfig
    #[command(long_about = CONFIG_DELETE_CLUSTER_LONG, after_help = CONFIG_DELETE_CLUSTER_EXAMPLES, override_usage = CONFIG_DELETE_CLUSTER_USAGE)]
    DeleteCluster {
        /// Cluster name.
        name: String,
    },
    /// Delete the specified user from the kubeconfig
    #[command(long_about = CONFIG_DELETE_USER_LONG, after_help = CONFIG_DELETE_USER_EXAMPLES, override_usage = CONFIG_DELETE_USER_USAGE)]
    DeleteUser {
        /// User name.
        name: String,
    },
    /// Rename a context from the kubeconfig file
    #[command(long_about = CONFIG_RENAME_CONTEXT_LONG, after_help = CONFIG_RENAME_CONTEXT_EXAMPLES, override_usage = CONFIG_RENAME_CONTEXT_USAGE)]
    RenameContext {
        /// The context's current name.
        old_name: String,
        /// Its new name.
        new_name: String,
    },
    /// Delete the specified context from the kubeconfig
    #[command(long_about = CONFIG_DELETE_CONTEXT_LONG, after_help = CONFIG_DELETE_CONTEXT_EXAMPLES, override_usage = CONFIG_DELETE_CONTEXT_USAGE)]
    DeleteContext {
        /// Context name.
        name: String,
    },
    /// Display clusters defined in the kubeconfig
    #[command(long_about = CONFIG_GET_CLUSTERS_LONG, after_help = CONFIG_GET_CLUSTERS_EXAMPLES, override_usage = CONFIG_GET_CLUSTERS_USAGE)]
    GetClusters,
    /// Describe one or many contexts
    #[command(long_about = CONFIG_GET_CONTEXTS_LONG, after_help = CONFIG_GET_CONTEXTS_EXAMPLES, override_usage = CONFIG_GET_CONTEXTS_USAGE)]
    GetContexts(GetContextsArgs),
    /// Display users defined in the kubeconfig
    #[command(long_about = CONFIG_GET_USERS_LONG, after_help = CONFIG_GET_USERS_EXAMPLES, override_usage = CONFIG_GET_USERS_USAGE)]
    GetUsers,
    /// Set an individual value in a kubeconfig file
    ///
    /// PROPERTY_NAME is a dot delimited name where each token represents either an attribute name or a map key.  Map keys may not contain dots.
    ///
    /// PROPERTY_VALUE is the new value you want to set. Binary fields such as 'certificate-authority-data' expect a base64 encoded string unless the --set-raw-bytes flag is used.
    ///
    /// Specifying an attribute name that already exists will merge new fields on top of existing values.
    #[command(verbatim_doc_comment)]
    #[command(long_about = CONFIG_SET_LONG, after_help = CONFIG_SET_EXAMPLES, override_usage = CONFIG_SET_USAGE)]
    Set(SetArgs),
    /// Set a cluster entry in kubeconfig
    #[command(long_about = CONFIG_SET_CLUSTER_LONG, after_help = CONFIG_SET_CLUSTER_EXAMPLES, override_usage = CONFIG_SET_CLUSTER_USAGE)]
    SetCluster(SetClusterArgs),
    /// Set a context entry in kubeconfig
    #[command(long_about = CONFIG_SET_CONTEXT_LONG, after_help = CONFIG_SET_CONTEXT_EXAMPLES, override_usage = CONFIG_SET_CONTEXT_USAGE)]
    SetContext(SetContextArgs),
    /// Set a user entry in kubeconfig
    #[command(long_about = CONFIG_SET_CREDENTIALS_LONG, after_help = CONFIG_SET_CREDENTIALS_EXAMPLES, override_usage = CONFIG_SET_CREDENTIALS_USAGE)]
    SetCredentials(SetCredentialsArgs),
    /// Set the current-context in a kubeconfig file
    #[command(alias = "use")]
    #[command(long_about = CONFIG_USE_CONTEXT_LONG, after_help = CONFIG_USE_CONTEXT_EXAMPLES, override_usage = CONFIG_USE_CONTEXT_USAGE)]
    UseContext {
        /// Context name.
        name: String,
    },
    /// Unset an individual value in a kubeconfig file
    ///
    /// PROPERTY_NAME is a dot delimited name where each token represents either an attribute name or a map key.  Map keys may not contain dots.
    #[command(verbatim_doc_comment)]
    #[command(long_about = CONFIG_UNSET_LONG, after_help = CONFIG_UNSET_EXAMPLES, override_usage = CONFIG_UNSET_USAGE)]
    Unset {
        /// PROPERTY_NAME.
        #[arg(verbatim_doc_comment, value_name = "PROPERTY_NAME", num_args = 0..)]
        args: Vec<String>,
    },
    /// Display merged kubeconfig settings or a specified kubeconfig file
    #[command(long_about = CONFIG_VIEW_LONG, after_help = CONFIG_VIEW_EXAMPLES, override_usage = CONFIG_VIEW_USAGE)]
    View(ViewArgs),
}

/// `config set` arguments.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SetArgs {
    /// PROPERTY_NAME PROPERTY_VALUE.
    #[arg(verbatim_doc_comment, value_name = "PROPERTY_NAME PROPERTY_VALUE", num_args = 0..)]
    pub args: Vec<String>,
    /// When writing a []byte PROPERTY_VALUE, write the given string directly without base64 decoding.
    #[arg(verbatim_doc_comment, long, go_bool_opt())]
    pub set_raw_bytes: Option<bool>,
}

/// `config view` flags: kubectl's whole PrintFlags besides its own. `-o` is `yaml` when not
/// given (help shows it so), yet `--template` alone means go-template, as in kubectl.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ViewArgs {
    /// Flatten the resulting kubeconfig file into self-contained output (useful for creating portable kubeconfig files)
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub flatten: bool,
    /// Merge the full hierarchy of kubeconfig files
    #[arg(verbatim_doc_comment, long, go_bool(true))]
    pub merge: bool,
    /// Remove all information not used by current-context from the output
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub minify: bool,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    /// Display raw byte data and sensitive data
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub raw: bool,
}

/// `config get-contexts` flags.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(mut_arg("output", |a| a.help("Output format. One of: (name).")))]
pub struct GetContextsArgs {
    /// Context names to show (default: all).
    pub names: Vec<String>,
    #[command(flatten)]
    pub no_headers: crate::cmd::flags::NoHeadersFlag,
    #[command(flatten)]
    pub output: crate::cmd::flags::OutputFlag,
}

mod set_entries;
pub use set_entries::{SetClusterArgs, SetContextArgs, SetCredentialsArgs};

/// Writes a kubeconfig change with kubectl's YAML emitter; `lock` (client-go's lock files,
/// taken where kubectl's `ModifyConfig` takes them: after the command's own checks) is held.
fn update_file<T>(
    lock: &ConfigLock,
    path: &Path,
    change: impl FnOnce(&mut Kubeconfig) -> Result<T, KubeconfigError>,
) -> Result<T, KubeconfigError> {
    lock.update_with(
        path,
        |c| crate::print::yaml::to_yaml_string(&c.to_value()),
        change,
    )
}

/// `config set|unset`: the property path applied to the file that holds what it names (a
/// cluster, user or context's own file; else the file `current-context` and new entries go to).
fn edit_property(
    loaded: &LoadedConfig,
    name: &str,
    change: property::Change,
) -> Result<(), CliError> {
    if name.is_empty() {
        return Err(CliError::msg("you must specify a property"));
    }
    let path = property::PropertyPath::parse(name).map_err(CliError::msg)?;
    let file = match path.entry() {
        Some(("clusters", n)) => loaded.file_for_cluster(n),
        Some(("users", n)) => loaded.file_for_user(n),
        Some((_, n)) => loaded.file_for_context(n),
        None => loaded.file_for_current_context(),
    };
    let edit = |c: &mut Kubeconfig| -> Result<bool, KubeconfigError> {
        let before = c.to_value();
        let mut v = before.clone();
        property::apply(&mut v, &path, change).map_err(KubeconfigError::Other)?;
        // The file is always written as `kind: Config`, `apiVersion: v1`.
        for k in ["kind", "apiVersion"] {
            v[k] = before[k].clone();
        }
        *c = serde_json::from_value(v).map_err(|e| KubeconfigError::Other(e.to_string()))?;
        Ok(c.to_value() != before)
    };
    // kubectl writes a file only when its content changes (unsetting what is not set leaves
    // the file as it was, formatting included).
    let mut current = if file.exists() {
        crate::kubeconfig::load::read_file(&file)?
    } else {
        Kubeconfig::default()
    };
    edit(&mut current)?;
    // kubectl locks even when nothing changes; under the lock the file is read again and
    // written only if the change does something to what is there now.
    let lock = loaded.lock()?;
    let mut now = if file.exists() {
        crate::kubeconfig::load::read_file(&file)?
    } else {
        Kubeconfig::default()
    };
    if edit(&mut now)? {
        update_file(&lock, &file, |c| edit(c).map(|_| ()))?;
    }
    Ok(())
}

/// kubectl's `helpErrorf`: the command's help on stdout, then `error: Unexpected args: [a b]`.
fn unexpected_args(ctx: &Context, sub: &str, args: &[String]) -> CliError {
    use clap::CommandFactory;
    let mut cli = crate::cmd::Cli::command();
    if let Some(cmd) = cli
        .find_subcommand_mut("config")
        .and_then(|c| c.find_subcommand_mut(sub))
    {
        let help = cmd.render_long_help().to_string();
        let _ = ctx.out().write_all(help.as_bytes());
    }
    CliError::msg(format!("Unexpected args: [{}]", args.join(" ")))
}

const DATA_OMITTED: &str = "DATA+OMITTED";
const REDACTED: &str = "REDACTED";

/// `config view`'s transformation of the merged config: minify, flatten, redact.
pub fn view_config(
    loaded: &LoadedConfig,
    context_override: Option<&str>,
    args: &ViewArgs,
) -> Result<Kubeconfig, CliError> {
    let mut cfg = if args.merge {
        loaded.merged.clone()
    } else {
        crate::kubeconfig::load::read_file(&loaded.default_file).unwrap_or_default()
    };
    if args.minify {
        if let Some(c) = context_override.filter(|c| !c.is_empty()) {
            cfg.current_context = c.to_string();
        }
        minify(&mut cfg)?;
    }
    if args.flatten {
        flatten(&mut cfg, loaded)?;
    }
    if !args.raw {
        for c in &mut cfg.clusters {
            if c.cluster
                .certificate_authority_data
                .as_deref()
                .is_some_and(|d| !d.is_empty())
            {
                c.cluster.certificate_authority_data = Some(DATA_OMITTED.into());
            }
        }
        for u in &mut cfg.users {
            let a = &mut u.user;
            for d in [&mut a.client_certificate_data, &mut a.client_key_data] {
                if d.as_deref().is_some_and(|d| !d.is_empty()) {
                    *d = Some(DATA_OMITTED.into());
                }
            }
            for d in [&mut a.token, &mut a.password] {
                if d.as_deref().is_some_and(|d| !d.is_empty()) {
                    *d = Some(REDACTED.into());
                }
            }
        }
    }
    Ok(cfg)
}

fn minify(cfg: &mut Kubeconfig) -> Result<(), CliError> {
    if cfg.current_context.is_empty() {
        return Err(CliError::msg(
            "current-context must exist in order to minify",
        ));
    }
    let Some(ctx) = cfg.context(&cfg.current_context).cloned() else {
        return Err(CliError::msg(format!(
            "cannot locate context {}",
            cfg.current_context
        )));
    };
    let cur = cfg.current_context.clone();
    cfg.contexts.retain(|c| c.name == cur);
    cfg.clusters.retain(|c| c.name == ctx.cluster);
    cfg.users.retain(|u| u.name == ctx.user);
    Ok(())
}

fn inline(
    path: &mut Option<String>,
    data: &mut Option<String>,
    origin: Option<&Path>,
) -> Result<(), CliError> {
    let Some(p) = path.clone().filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    if data.as_deref().is_some_and(|d| !d.is_empty()) {
        return Err(CliError::msg(
            "cannot have values for both path and contents",
        ));
    }
    let full = resolve_path(&p, origin);
    let bytes = std::fs::read(&full).map_err(|e| {
        CliError::msg(format!(
            "open {}: {}",
            full.display(),
            crate::kubeconfig::resolve::io_text(&e)
        ))
    })?;
    *data = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
    *path = None;
    Ok(())
}

fn flatten(cfg: &mut Kubeconfig, loaded: &LoadedConfig) -> Result<(), CliError> {
    for c in &mut cfg.clusters {
        let origin = loaded.cluster_origin.get(&c.name).map(PathBuf::as_path);
        inline(
            &mut c.cluster.certificate_authority,
            &mut c.cluster.certificate_authority_data,
            origin,
        )?;
    }
    for u in &mut cfg.users {
        let origin = loaded.user_origin.get(&u.name).map(PathBuf::as_path);
        inline(
            &mut u.user.client_certificate,
            &mut u.user.client_certificate_data,
            origin,
        )?;
        inline(&mut u.user.client_key, &mut u.user.client_key_data, origin)?;
    }
    Ok(())
}

/// The `config view` text in `output` (`yaml` or `json`).
pub fn render_config(cfg: &Kubeconfig, output: &str) -> Result<String, CliError> {
    match output {
        "yaml" | "" => Ok(crate::print::yaml::to_yaml_string(&cfg.to_value())),
        "json" => {
            let c = cfg.normalized();
            // kubectl indents `config view -o json` by four spaces.
            let mut buf = Vec::new();
            let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
            serde::Serialize::serialize(&c, &mut ser)?;
            Ok(String::from_utf8_lossy(&buf).into_owned() + "\n")
        }
        other => Err(CliError::msg(format!(
            "unable to match a printer suitable for the output format \"{other}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
        ))),
    }
}

/// `config view`'s printing: YAML and JSON keep client-go's field order ([`render_config`]);
/// every other PrintFlags format (`name`, jsonpath, go-template, ...) runs on the config as
/// JSON, as kubectl's printers do.
fn render_view(
    ctx: &Context,
    cfg: &Kubeconfig,
    print: &crate::cmd::flags::PrintFlags,
) -> Result<String, CliError> {
    let template = print.template.as_deref().filter(|t| !t.is_empty());
    if template.is_none() && matches!(print.output.as_str(), "" | "yaml" | "json") {
        return render_config(cfg, &print.output);
    }
    let spec = crate::cmd::flags::PrintSpec::parse(
        ctx,
        &print.output,
        template,
        print.allow_missing_template_keys,
        print.show_managed_fields,
    )?;
    let obj = serde_json::to_value(cfg.normalized())?;
    let mut buf = Vec::new();
    match spec.printer()? {
        Some(mut p) => p.print(&obj, &mut buf)?,
        None => return render_config(cfg, "yaml"),
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn get_contexts(cfg: &Kubeconfig, args: &GetContextsArgs) -> (String, Option<CliError>) {
    let mut names: Vec<&NamedContext> = cfg.contexts.iter().collect();
    names.sort_by(|a, b| a.name.cmp(&b.name));
    let mut missing = None;
    let selected: Vec<&NamedContext> = if args.names.is_empty() {
        names
    } else {
        let mut out = Vec::new();
        for n in &args.names {
            match names.iter().find(|c| c.name == *n) {
                Some(c) => out.push(*c),
                None => {
                    missing.get_or_insert_with(|| CliError::msg(format!("context {n} not found")));
                }
            }
        }
        out
    };
    if args.output.value == "name" {
        return (
            selected.iter().map(|c| format!("{}\n", c.name)).collect(),
            missing,
        );
    }
    let mut rows = Vec::new();
    if !args.no_headers.value {
        rows.push(
            ["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]
                .map(String::from)
                .to_vec(),
        );
    }
    for c in selected {
        rows.push(vec![
            if c.name == cfg.current_context {
                "*".into()
            } else {
                String::new()
            },
            c.name.clone(),
            c.context.cluster.clone(),
            c.context.user.clone(),
            c.context.namespace.clone().unwrap_or_default(),
        ]);
    }
    (tabwrite(&rows), missing)
}

fn names_list(mut names: Vec<String>) -> String {
    names.sort();
    let mut s = String::from("NAME\n");
    for n in names {
        s.push_str(&n);
        s.push('\n');
    }
    s
}

fn absolute(p: &str) -> String {
    std::path::absolute(p)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| p.to_string())
}

impl ConfigArgs {
    /// Runs the subcommand.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        // client-go's `PathOptions.GetStartingConfig`: a `--kubeconfig` that does not exist
        // yet is an empty config, created by the first change.
        let missing;
        let loaded = match (ctx.kubeconfig(), ctx.loader().explicit) {
            (Ok(l), _) => l,
            (Err(_), Some(p)) if !p.exists() => {
                missing = LoadedConfig {
                    default_file: p.clone(),
                    precedence: vec![p],
                    ..Default::default()
                };
                &missing
            }
            (Err(e), _) => return Err(e),
        };
        let out: String;
        let mut result = Ok(());
        match &self.command {
            ConfigCommand::View(a) => {
                let cfg = view_config(loaded, ctx.global.context.as_deref(), a)?;
                out = render_view(ctx, &cfg, &a.print)?;
            }
            ConfigCommand::CurrentContext => {
                if loaded.merged.current_context.is_empty() {
                    return Err(CliError::msg("current-context is not set"));
                }
                out = format!("{}\n", loaded.merged.current_context);
            }
            ConfigCommand::GetContexts(a) if !["", "name"].contains(&a.output.value.as_str()) => {
                return Err(CliError::msg(format!(
                    "--output {} is not available in kubectl config get-contexts; resetting to default output format",
                    a.output.value
                )));
            }
            ConfigCommand::DeleteCluster { name } => {
                let file = loaded.file_for_cluster(name);
                if loaded.merged.cluster(name).is_none() {
                    return Err(CliError::msg(format!(
                        "cannot delete cluster {name}, not in {}",
                        file.display()
                    )));
                }
                let lock = loaded.lock()?;
                update_file(&lock, &file, |c| {
                    c.clusters.retain(|x| x.name != *name);
                    Ok(())
                })?;
                out = format!("deleted cluster {name} from {}\n", file.display());
            }
            ConfigCommand::DeleteUser { name } => {
                let file = loaded.file_for_user(name);
                if loaded.merged.user(name).is_none() {
                    return Err(CliError::msg(format!(
                        "cannot delete user {name}, not in {}",
                        file.display()
                    )));
                }
                let lock = loaded.lock()?;
                update_file(&lock, &file, |c| {
                    c.users.retain(|x| x.name != *name);
                    Ok(())
                })?;
                out = format!("deleted user {name} from {}\n", file.display());
            }
            ConfigCommand::RenameContext { old_name, new_name } => {
                let file = loaded.file_for_context(old_name);
                if loaded.merged.context(old_name).is_none() {
                    return Err(CliError::msg(format!(
                        "cannot rename the context {old_name:?}, it's not in {}",
                        file.display()
                    )));
                }
                if loaded.merged.context(new_name).is_some() {
                    return Err(CliError::msg(format!(
                        "cannot rename the context {old_name:?}, the context {new_name:?} already exists in {}",
                        file.display()
                    )));
                }
                let lock = loaded.lock()?;
                update_file(&lock, &file, |c| {
                    for x in c.contexts.iter_mut().filter(|x| x.name == *old_name) {
                        x.name = new_name.clone();
                    }
                    Ok(())
                })?;
                if loaded.merged.current_context == *old_name {
                    update_file(&lock, &loaded.file_for_current_context(), |c| {
                        c.current_context = new_name.clone();
                        Ok(())
                    })?;
                }
                out = format!("Context {old_name:?} renamed to {new_name:?}.\n");
            }
            ConfigCommand::GetContexts(a) => {
                let (text, err) = get_contexts(&loaded.merged, a);
                out = text;
                if let Some(e) = err {
                    result = Err(e);
                }
            }
            ConfigCommand::GetClusters => {
                out = names_list(
                    loaded
                        .merged
                        .clusters
                        .iter()
                        .map(|c| c.name.clone())
                        .collect(),
                );
            }
            ConfigCommand::GetUsers => {
                out = names_list(loaded.merged.users.iter().map(|c| c.name.clone()).collect());
            }
            ConfigCommand::Set(a) => {
                let [name, value] = a.args.as_slice() else {
                    return Err(unexpected_args(ctx, "set", &a.args));
                };
                if value.is_empty() {
                    return Err(CliError::msg("you cannot use set to unset a property"));
                }
                let change = property::Change::Set {
                    value,
                    raw_bytes: a.set_raw_bytes.unwrap_or(false),
                };
                edit_property(loaded, name, change)?;
                out = format!("Property {name:?} set.\n");
            }
            ConfigCommand::Unset { args } => {
                let [name] = args.as_slice() else {
                    return Err(unexpected_args(ctx, "unset", args));
                };
                edit_property(loaded, name, property::Change::Unset)?;
                out = format!("Property {name:?} unset.\n");
            }
            ConfigCommand::UseContext { name } => {
                if loaded.merged.context(name).is_none() {
                    return Err(CliError::msg(format!(
                        "no context exists with the name: {name:?}"
                    )));
                }
                let lock = loaded.lock()?;
                update_file(&lock, &loaded.file_for_current_context(), |c| {
                    c.current_context = name.clone();
                    Ok(())
                })?;
                out = format!("Switched to context {name:?}.\n");
            }
            ConfigCommand::DeleteContext { name } => {
                let file = loaded.file_for_context(name);
                if loaded.merged.context(name).is_none() {
                    return Err(CliError::msg(format!(
                        "cannot delete context {name}, not in {}",
                        file.display()
                    )));
                }
                // kubectl warns before it takes the lock (so also when that fails).
                if loaded.merged.current_context == *name {
                    ctx.eprint("warning: this removed your active context, use \"kubectl config use-context\" to select a different one\n");
                }
                let lock = loaded.lock()?;
                update_file(&lock, &file, |c| {
                    c.contexts.retain(|x| x.name != *name);
                    Ok(())
                })?;
                out = format!("deleted context {name} from {}\n", file.display());
            }
            ConfigCommand::SetContext(a) => out = set_entries::set_context(ctx, loaded, a)?,
            ConfigCommand::SetCluster(a) => out = set_entries::set_cluster(ctx, loaded, a)?,
            ConfigCommand::SetCredentials(a) => out = set_entries::set_credentials(ctx, loaded, a)?,
        }
        ctx.out().write_all(out.as_bytes())?;
        result
    }
}

/// `kubectl config`: kubectl's description.
pub const CONFIG_LONG: &str = r#"Modify kubeconfig files using subcommands like "kubectl config set current-context my-context".

 The loading order follows these rules:

  1.  If the --kubeconfig flag is set, then only that file is loaded. The flag may only be set once and no merging takes place.
  2.  If $KUBECONFIG environment variable is set, then it is used as a list of paths (normal path delimiting rules for your system). These paths are merged. When a value is modified, it is modified in the file that defines the stanza. When a value is created, it is created in the first file that exists. If no files in the chain exist, then it creates the last file in the list.
  3.  Otherwise, ${HOME}/.kube/config is used and no merging takes place."#;

/// `kubectl config`: kubectl's usage (`Use`).
pub const CONFIG_USAGE: &str = r"config SUBCOMMAND";

/// `kubectl config current-context`: kubectl's description.
pub const CONFIG_CURRENT_CONTEXT_LONG: &str = r"Display the current-context.";

/// `kubectl config current-context`: kubectl's examples.
pub const CONFIG_CURRENT_CONTEXT_EXAMPLES: &str = r"Examples:
  # Display the current-context
  kubectl config current-context";

/// `kubectl config current-context`: kubectl's usage (`Use`).
pub const CONFIG_CURRENT_CONTEXT_USAGE: &str = r"current-context [flags]";

/// `kubectl config delete-cluster`: kubectl's description.
pub const CONFIG_DELETE_CLUSTER_LONG: &str = r"Delete the specified cluster from the kubeconfig.";

/// `kubectl config delete-cluster`: kubectl's examples.
pub const CONFIG_DELETE_CLUSTER_EXAMPLES: &str = r"Examples:
  # Delete the minikube cluster
  kubectl config delete-cluster minikube";

/// `kubectl config delete-cluster`: kubectl's usage (`Use`).
pub const CONFIG_DELETE_CLUSTER_USAGE: &str = r"delete-cluster NAME";

/// `kubectl config delete-context`: kubectl's description.
pub const CONFIG_DELETE_CONTEXT_LONG: &str = r"Delete the specified context from the kubeconfig.";

/// `kubectl config delete-context`: kubectl's examples.
pub const CONFIG_DELETE_CONTEXT_EXAMPLES: &str = r"Examples:
  # Delete the context for the minikube cluster
  kubectl config delete-context minikube";

/// `kubectl config delete-context`: kubectl's usage (`Use`).
pub const CONFIG_DELETE_CONTEXT_USAGE: &str = r"delete-context NAME";

/// `kubectl config delete-user`: kubectl's description.
pub const CONFIG_DELETE_USER_LONG: &str = r"Delete the specified user from the kubeconfig.";

/// `kubectl config delete-user`: kubectl's examples.
pub const CONFIG_DELETE_USER_EXAMPLES: &str = r"Examples:
  # Delete the minikube user
  kubectl config delete-user minikube";

/// `kubectl config delete-user`: kubectl's usage (`Use`).
pub const CONFIG_DELETE_USER_USAGE: &str = r"delete-user NAME";

/// `kubectl config get-clusters`: kubectl's description.
pub const CONFIG_GET_CLUSTERS_LONG: &str = r"Display clusters defined in the kubeconfig.";

/// `kubectl config get-clusters`: kubectl's examples.
pub const CONFIG_GET_CLUSTERS_EXAMPLES: &str = r"Examples:
  # List the clusters that kubectl knows about
  kubectl config get-clusters";

/// `kubectl config get-clusters`: kubectl's usage (`Use`).
pub const CONFIG_GET_CLUSTERS_USAGE: &str = r"get-clusters [flags]";

/// `kubectl config get-contexts`: kubectl's description.
pub const CONFIG_GET_CONTEXTS_LONG: &str =
    r"Display one or many contexts from the kubeconfig file.";

/// `kubectl config get-contexts`: kubectl's examples.
pub const CONFIG_GET_CONTEXTS_EXAMPLES: &str = r"Examples:
  # List all the contexts in your kubeconfig file
  kubectl config get-contexts
  
  # Describe one context in your kubeconfig file
  kubectl config get-contexts my-context";

/// `kubectl config get-contexts`: kubectl's usage (`Use`).
pub const CONFIG_GET_CONTEXTS_USAGE: &str = r"get-contexts [(-o|--output=)name)]";

/// `kubectl config get-users`: kubectl's description.
pub const CONFIG_GET_USERS_LONG: &str = r"Display users defined in the kubeconfig.";

/// `kubectl config get-users`: kubectl's examples.
pub const CONFIG_GET_USERS_EXAMPLES: &str = r"Examples:
  # List the users that kubectl knows about
  kubectl config get-users";

/// `kubectl config get-users`: kubectl's usage (`Use`).
pub const CONFIG_GET_USERS_USAGE: &str = r"get-users [flags]";

/// `kubectl config rename-context`: kubectl's description.
pub const CONFIG_RENAME_CONTEXT_LONG: &str = r"Renames a context from the kubeconfig file.

 CONTEXT_NAME is the context name that you want to change.

 NEW_NAME is the new name you want to set.

 Note: If the context being renamed is the 'current-context', this field will also be updated.";

/// `kubectl config rename-context`: kubectl's examples.
pub const CONFIG_RENAME_CONTEXT_EXAMPLES: &str = r"Examples:
  # Rename the context 'old-name' to 'new-name' in your kubeconfig file
  kubectl config rename-context old-name new-name";

/// `kubectl config rename-context`: kubectl's usage (`Use`).
pub const CONFIG_RENAME_CONTEXT_USAGE: &str = r"rename-context CONTEXT_NAME NEW_NAME";

/// `kubectl config set-cluster`: kubectl's description.
pub const CONFIG_SET_CLUSTER_LONG: &str = r"Set a cluster entry in kubeconfig.

 Specifying a name that already exists will merge new fields on top of existing values for those fields.";

/// `kubectl config set-cluster`: kubectl's examples.
pub const CONFIG_SET_CLUSTER_EXAMPLES: &str = r"Examples:
  # Set only the server field on the e2e cluster entry without touching other values
  kubectl config set-cluster e2e --server=https://1.2.3.4
  
  # Embed certificate authority data for the e2e cluster entry
  kubectl config set-cluster e2e --embed-certs --certificate-authority=~/.kube/e2e/kubernetes.ca.crt
  
  # Disable cert checking for the e2e cluster entry
  kubectl config set-cluster e2e --insecure-skip-tls-verify=true
  
  # Set the custom TLS server name to use for validation for the e2e cluster entry
  kubectl config set-cluster e2e --tls-server-name=my-cluster-name
  
  # Set the proxy URL for the e2e cluster entry
  kubectl config set-cluster e2e --proxy-url=https://1.2.3.4";

/// `kubectl config set-cluster`: kubectl's usage (`Use`).
pub const CONFIG_SET_CLUSTER_USAGE: &str = r"set-cluster NAME [--server=server] [--certificate-authority=path/to/certificate/authority] [--insecure-skip-tls-verify=true] [--tls-server-name=example.com]";

/// `kubectl config set-context`: kubectl's description.
pub const CONFIG_SET_CONTEXT_LONG: &str = r"Set a context entry in kubeconfig.

 Specifying a name that already exists will merge new fields on top of existing values for those fields.";

/// `kubectl config set-context`: kubectl's examples.
pub const CONFIG_SET_CONTEXT_EXAMPLES: &str = r"Examples:
  # Set the user field on the gce context entry without touching other values
  kubectl config set-context gce --user=cluster-admin";

/// `kubectl config set-context`: kubectl's usage (`Use`).
pub const CONFIG_SET_CONTEXT_USAGE: &str = r"set-context [NAME | --current] [--cluster=cluster_nickname] [--user=user_nickname] [--namespace=namespace]";

/// `kubectl config set-credentials`: kubectl's description.
pub const CONFIG_SET_CREDENTIALS_LONG: &str = r"Set a user entry in kubeconfig.

 Specifying a name that already exists will merge new fields on top of existing values.

        Client-certificate flags:
        --client-certificate=certfile --client-key=keyfile
        
        Bearer token flags:
        --token=bearer_token
        
        Basic auth flags:
        --username=basic_user --password=basic_password
        
 Bearer token and basic auth are mutually exclusive.";

/// `kubectl config set-credentials`: kubectl's examples.
pub const CONFIG_SET_CREDENTIALS_EXAMPLES: &str = r#"Examples:
  # Set only the "client-key" field on the "cluster-admin"
  # entry, without touching other values
  kubectl config set-credentials cluster-admin --client-key=~/.kube/admin.key
  
  # Set basic auth for the "cluster-admin" entry
  kubectl config set-credentials cluster-admin --username=admin --password=uXFGweU9l35qcif
  
  # Embed client certificate data in the "cluster-admin" entry
  kubectl config set-credentials cluster-admin --client-certificate=~/.kube/admin.crt --embed-certs=true
  
  # Enable the Google Compute Platform auth provider for the "cluster-admin" entry
  kubectl config set-credentials cluster-admin --auth-provider=gcp
  
  # Enable the OpenID Connect auth provider for the "cluster-admin" entry with additional arguments
  kubectl config set-credentials cluster-admin --auth-provider=oidc --auth-provider-arg=client-id=foo --auth-provider-arg=client-secret=bar
  
  # Remove the "client-secret" config value for the OpenID Connect auth provider for the "cluster-admin" entry
  kubectl config set-credentials cluster-admin --auth-provider=oidc --auth-provider-arg=client-secret-
  
  # Enable new exec auth plugin for the "cluster-admin" entry
  kubectl config set-credentials cluster-admin --exec-command=/path/to/the/executable --exec-api-version=client.authentication.k8s.io/v1beta1
  
  # Enable new exec auth plugin for the "cluster-admin" entry with interactive mode
  kubectl config set-credentials cluster-admin --exec-command=/path/to/the/executable --exec-api-version=client.authentication.k8s.io/v1beta1 --exec-interactive-mode=Never
  
  # Define new exec auth plugin arguments for the "cluster-admin" entry
  kubectl config set-credentials cluster-admin --exec-arg=arg1 --exec-arg=arg2
  
  # Create or update exec auth plugin environment variables for the "cluster-admin" entry
  kubectl config set-credentials cluster-admin --exec-env=key1=val1 --exec-env=key2=val2
  
  # Remove exec auth plugin environment variables for the "cluster-admin" entry
  kubectl config set-credentials cluster-admin --exec-env=var-to-remove-"#;

/// `kubectl config set-credentials`: kubectl's usage (`Use`).
pub const CONFIG_SET_CREDENTIALS_USAGE: &str = r"set-credentials NAME [--client-certificate=path/to/certfile] [--client-key=path/to/keyfile] [--token=bearer_token] [--username=basic_user] [--password=basic_password] [--auth-provider=provider_name] [--auth-provider-arg=key=value] [--exec-command=exec_command] [--exec-api-version=exec_api_version] [--exec-arg=arg] [--exec-env=key=value]";

/// `kubectl config set`: kubectl's description.
pub const CONFIG_SET_LONG: &str = r"Set an individual value in a kubeconfig file.

 PROPERTY_NAME is a dot delimited name where each token represents either an attribute name or a map key.  Map keys may not contain dots.

 PROPERTY_VALUE is the new value you want to set. Binary fields such as 'certificate-authority-data' expect a base64 encoded string unless the --set-raw-bytes flag is used.

 Specifying an attribute name that already exists will merge new fields on top of existing values.";

/// `kubectl config set`: kubectl's examples.
pub const CONFIG_SET_EXAMPLES: &str = r#"Examples:
  # Set the server field on the my-cluster cluster to https://1.2.3.4
  kubectl config set clusters.my-cluster.server https://1.2.3.4
  
  # Set the certificate-authority-data field on the my-cluster cluster
  kubectl config set clusters.my-cluster.certificate-authority-data $(echo "cert_data_here" | base64 -i -)
  
  # Set the cluster field in the my-context context to my-cluster
  kubectl config set contexts.my-context.cluster my-cluster
  
  # Set the client-key-data field in the cluster-admin user using --set-raw-bytes option
  kubectl config set users.cluster-admin.client-key-data cert_data_here --set-raw-bytes=true"#;

/// `kubectl config set`: kubectl's usage (`Use`).
pub const CONFIG_SET_USAGE: &str = r"set PROPERTY_NAME PROPERTY_VALUE";

/// `kubectl config unset`: kubectl's description.
pub const CONFIG_UNSET_LONG: &str = r"Unset an individual value in a kubeconfig file.

 PROPERTY_NAME is a dot delimited name where each token represents either an attribute name or a map key.  Map keys may not contain dots.";

/// `kubectl config unset`: kubectl's examples.
pub const CONFIG_UNSET_EXAMPLES: &str = r"Examples:
  # Unset the current-context
  kubectl config unset current-context
  
  # Unset namespace in foo context
  kubectl config unset contexts.foo.namespace";

/// `kubectl config unset`: kubectl's usage (`Use`).
pub const CONFIG_UNSET_USAGE: &str = r"unset PROPERTY_NAME";

/// `kubectl config use-context`: kubectl's description.
pub const CONFIG_USE_CONTEXT_LONG: &str = r"Set the current-context in a kubeconfig file.";

/// `kubectl config use-context`: kubectl's examples.
pub const CONFIG_USE_CONTEXT_EXAMPLES: &str = r"Examples:
  # Use the context for the minikube cluster
  kubectl config use-context minikube";

/// `kubectl config use-context`: kubectl's usage (`Use`).
pub const CONFIG_USE_CONTEXT_USAGE: &str = r"use-context CONTEXT_NAME";

/// `kubectl config view`: kubectl's description.
pub const CONFIG_VIEW_LONG: &str = r"Display merged kubeconfig settings or a specified kubeconfig file.

 You can use --output jsonpath={...} to extract specific values using a jsonpath expression.";

/// `kubectl config view`: kubectl's examples.
pub const CONFIG_VIEW_EXAMPLES: &str = r#"Examples:
  # Show merged kubeconfig settings
  kubectl config view
  
  # Show merged kubeconfig settings, raw certificate data, and exposed secrets
  kubectl config view --raw
  
  # Get the password for the e2e user
  kubectl config view -o jsonpath='{.users[?(@.name == "e2e")].user.password}'"#;

/// `kubectl config view`: kubectl's usage (`Use`).
pub const CONFIG_VIEW_USAGE: &str = r"view [flags]";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubeconfig::Loader;

    const KC: &str = "\
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: 'https://127.0.0.1:1', certificate-authority: ca.pem}
- name: c2
  cluster: {server: 'https://127.0.0.1:2', certificate-authority-data: YWJj}
contexts:
- name: ctx1
  context: {cluster: c1, user: u1, namespace: ns1}
- name: ctx2
  context: {cluster: c2, user: u2}
current-context: ctx1
users:
- name: u1
  user: {token: secret, password: pw, username: bob}
- name: u2
  user: {client-certificate-data: YWJj, client-key-data: YWJj}
";

    fn loaded() -> (tempfile::TempDir, LoadedConfig) {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("kc"), KC).unwrap();
        std::fs::write(d.path().join("ca.pem"), "CA").unwrap();
        let l = Loader {
            explicit: Some(d.path().join("kc")),
            ..Default::default()
        }
        .load()
        .unwrap();
        (d, l)
    }

    #[test]
    fn view_redacts_like_kubectl() {
        let (_d, l) = loaded();
        let cfg = view_config(
            &l,
            None,
            &ViewArgs {
                merge: true,
                ..Default::default()
            },
        )
        .unwrap();
        let y = render_config(&cfg, "yaml").unwrap();
        assert!(
            y.contains("certificate-authority-data: DATA+OMITTED"),
            "{y}"
        );
        assert!(
            y.contains("token: REDACTED") && y.contains("password: REDACTED"),
            "{y}"
        );
        assert!(y.contains("client-key-data: DATA+OMITTED"), "{y}");
        assert!(y.contains("certificate-authority: ca.pem"), "{y}");
        assert!(!y.contains("secret"));
        assert!(
            y.starts_with("apiVersion: v1\nclusters:\n- cluster:\n"),
            "{y}"
        );
        let raw = view_config(
            &l,
            None,
            &ViewArgs {
                raw: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(raw.user("u1").unwrap().token.as_deref(), Some("secret"));
    }

    #[test]
    fn minify_and_flatten() {
        let (_d, l) = loaded();
        let a = ViewArgs {
            minify: true,
            flatten: true,
            raw: true,
            ..Default::default()
        };
        let cfg = view_config(&l, None, &a).unwrap();
        assert_eq!(cfg.contexts.len(), 1);
        assert_eq!(cfg.clusters.len(), 1);
        assert_eq!(
            cfg.cluster("c1")
                .unwrap()
                .certificate_authority_data
                .as_deref(),
            Some("Q0E=")
        );
        assert_eq!(cfg.cluster("c1").unwrap().certificate_authority, None);
        let cfg = view_config(&l, Some("ctx2"), &a).unwrap();
        assert_eq!(cfg.current_context, "ctx2");
        assert_eq!(cfg.users[0].name, "u2");
        let empty = LoadedConfig::default();
        let e = view_config(
            &empty,
            None,
            &ViewArgs {
                minify: true,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "current-context must exist in order to minify"
        );
    }

    #[test]
    fn json_view_keeps_go_field_order() {
        let (_d, l) = loaded();
        let cfg = view_config(&l, None, &ViewArgs::default()).unwrap();
        let j = render_config(&cfg, "json").unwrap();
        assert!(j.starts_with("{\n    \"kind\": \"Config\",\n    \"apiVersion\": \"v1\",\n    \"preferences\": {},\n    \"clusters\": [\n        {\n            \"name\": \"c1\",\n            \"cluster\": {\n                \"server\": \"https://127.0.0.1:1\",\n"), "{j}");
    }

    #[test]
    fn contexts_table() {
        let (_d, l) = loaded();
        let (t, e) = get_contexts(&l.merged, &GetContextsArgs::default());
        assert_eq!(t, "CURRENT   NAME   CLUSTER   AUTHINFO   NAMESPACE\n*         ctx1   c1        u1         ns1\n          ctx2   c2        u2         \n");
        assert!(e.is_none());
        let (t, _) = get_contexts(
            &l.merged,
            &GetContextsArgs {
                no_headers: crate::cmd::flags::NoHeadersFlag { value: true },
                ..Default::default()
            },
        );
        assert_eq!(
            t,
            "*     ctx1   c1    u1    ns1\n      ctx2   c2    u2    \n"
        );
        let (t, e) = get_contexts(
            &l.merged,
            &GetContextsArgs {
                names: vec!["nope".into()],
                ..Default::default()
            },
        );
        assert_eq!(t, "CURRENT   NAME   CLUSTER   AUTHINFO   NAMESPACE\n");
        assert_eq!(e.unwrap().to_string(), "context nope not found");
    }
}

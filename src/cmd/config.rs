//! `kubectl-rs config …`: view and edit kubeconfig files as kubectl does (secrets shown as
//! `DATA+OMITTED`/`REDACTED` unless `--raw`; edits go to the file that defines the entry and
//! are written atomically, keeping everything else in the file).

use crate::context::Context;
use crate::error::CliError;
use crate::kubeconfig::edit::ConfigLock;
use crate::kubeconfig::load::resolve_path;
use crate::kubeconfig::model::{ExecConfig, ExecEnvVar, Named, NamedContext, NamedUser};
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
    CurrentContext,
    /// Delete the specified cluster from the kubeconfig
    DeleteCluster {
        /// Cluster name.
        name: String,
    },
    /// Delete the specified user from the kubeconfig
    DeleteUser {
        /// User name.
        name: String,
    },
    /// Rename a context from the kubeconfig file
    RenameContext {
        /// The context's current name.
        old_name: String,
        /// Its new name.
        new_name: String,
    },
    /// Delete the specified context from the kubeconfig
    DeleteContext {
        /// Context name.
        name: String,
    },
    /// Display clusters defined in the kubeconfig
    GetClusters,
    /// Describe one or many contexts
    GetContexts(GetContextsArgs),
    /// Display users defined in the kubeconfig
    GetUsers,
    /// Set an individual value in a kubeconfig file
    ///
    /// PROPERTY_NAME is a dot delimited name where each token represents either an attribute name or a map key.  Map keys may not contain dots.
    ///
    /// PROPERTY_VALUE is the new value you want to set. Binary fields such as 'certificate-authority-data' expect a base64 encoded string unless the --set-raw-bytes flag is used.
    ///
    /// Specifying an attribute name that already exists will merge new fields on top of existing values.
    #[command(verbatim_doc_comment)]
    Set(SetArgs),
    /// Set a cluster entry in kubeconfig
    SetCluster(SetClusterArgs),
    /// Set a context entry in kubeconfig
    SetContext(SetContextArgs),
    /// Set a user entry in kubeconfig
    SetCredentials(SetCredentialsArgs),
    /// Set the current-context in a kubeconfig file
    #[command(alias = "use")]
    UseContext {
        /// Context name.
        name: String,
    },
    /// Unset an individual value in a kubeconfig file
    ///
    /// PROPERTY_NAME is a dot delimited name where each token represents either an attribute name or a map key.  Map keys may not contain dots.
    #[command(verbatim_doc_comment)]
    Unset {
        /// PROPERTY_NAME.
        #[arg(value_name = "PROPERTY_NAME", num_args = 0..)]
        args: Vec<String>,
    },
    /// Display merged kubeconfig settings or a specified kubeconfig file
    View(ViewArgs),
}

/// `config set` arguments.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SetArgs {
    /// PROPERTY_NAME PROPERTY_VALUE.
    #[arg(value_name = "PROPERTY_NAME PROPERTY_VALUE", num_args = 0..)]
    pub args: Vec<String>,
    /// When writing a []byte PROPERTY_VALUE, write the given string directly without base64 decoding.
    #[arg(long = "set-raw-bytes", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub set_raw_bytes: Option<bool>,
}

/// `config view` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ViewArgs {
    /// Flatten the resulting kubeconfig file into self-contained output (useful for creating portable kubeconfig files)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false")]
    pub flatten: bool,
    /// Merge the full hierarchy of kubeconfig files
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true")]
    pub merge: bool,
    /// Remove all information not used by current-context from the output
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false")]
    pub minify: bool,
    /// Output format. One of: (json, yaml).
    #[arg(short = 'o', long = "output", default_value = "yaml")]
    pub output: String,
    /// Display raw byte data and sensitive data
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false")]
    pub raw: bool,
}

/// `config get-contexts` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GetContextsArgs {
    /// Context names to show (default: all).
    pub names: Vec<String>,
    /// When using the default or custom-column output format, don't print headers (default print headers).
    #[arg(long = "no-headers", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false")]
    pub no_headers: bool,
    /// Output format. One of: (name).
    #[arg(short = 'o', long = "output", default_value = "")]
    pub output: String,
}

/// `config set-cluster` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SetClusterArgs {
    /// Cluster name.
    pub name: String,
    /// proxy-url for the cluster entry in kubeconfig
    #[arg(long = "proxy-url")]
    pub proxy_url: Option<String>,
    /// embed-certs for the cluster entry in kubeconfig
    #[arg(long = "embed-certs", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false")]
    pub embed_certs: bool,
}

/// `config set-context` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SetContextArgs {
    /// Context name (or `--current`).
    pub name: Option<String>,
    /// Modify the current context
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false")]
    pub current: bool,
}

/// The values of flags that `config set-*` shares by name with the global flags (clap cannot
/// define them twice, so they are read from the global group).
#[derive(Debug, Clone, Default)]
pub struct SharedValues {
    /// `--cluster`.
    pub cluster: Option<String>,
    /// `--user`.
    pub user: Option<String>,
    /// `--namespace`.
    pub namespace: Option<String>,
    /// `--server`.
    pub server: Option<String>,
    /// `--certificate-authority`.
    pub certificate_authority: Option<String>,
    /// `--insecure-skip-tls-verify` (only `true` is visible).
    pub insecure_skip_tls_verify: Option<bool>,
    /// `--tls-server-name`.
    pub tls_server_name: Option<String>,
    /// `--client-certificate`.
    pub client_certificate: Option<String>,
    /// `--client-key`.
    pub client_key: Option<String>,
    /// `--token`.
    pub token: Option<String>,
    /// `--username`.
    pub username: Option<String>,
    /// `--password`.
    pub password: Option<String>,
}

impl SharedValues {
    /// Reads them from the global flags.
    pub fn from_global(g: &crate::cmd::flags::GlobalArgs) -> SharedValues {
        let p = |o: &Option<PathBuf>| o.as_ref().map(|p| p.to_string_lossy().into_owned());
        SharedValues {
            cluster: g.cluster.clone(),
            user: g.user.clone(),
            namespace: g.namespace.clone(),
            server: g.server.clone(),
            certificate_authority: p(&g.certificate_authority),
            insecure_skip_tls_verify: g.insecure_skip_tls_verify.then_some(true),
            tls_server_name: g.tls_server_name.clone(),
            client_certificate: p(&g.client_certificate),
            client_key: p(&g.client_key),
            token: g.token.clone(),
            username: g.username.clone(),
            password: g.password.clone(),
        }
    }
}

/// `config set-credentials` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SetCredentialsArgs {
    /// User name.
    pub name: String,
    /// Command for the exec credential plugin for the user entry in kubeconfig
    #[arg(long = "exec-command")]
    pub exec_command: Option<String>,
    /// API version of the exec credential plugin for the user entry in kubeconfig
    #[arg(long = "exec-api-version")]
    pub exec_api_version: Option<String>,
    /// New arguments for the exec credential plugin command for the user entry in kubeconfig
    #[arg(long = "exec-arg", value_delimiter = ',')]
    pub exec_arg: Vec<String>,
    /// 'key=value' environment values for the exec credential plugin
    #[arg(long = "exec-env")]
    pub exec_env: Vec<String>,
    /// InteractiveMode of the exec credentials plugin for the user entry in kubeconfig
    #[arg(long = "exec-interactive-mode")]
    pub exec_interactive_mode: Option<String>,
    /// Embed client cert/key for the user entry in kubeconfig
    #[arg(long = "embed-certs", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false")]
    pub embed_certs: bool,
}

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
            serde::Serialize::serialize(&c, &mut ser).map_err(|e| CliError::msg(e.to_string()))?;
            Ok(String::from_utf8_lossy(&buf).into_owned() + "\n")
        }
        other => Err(CliError::msg(format!(
            "unable to match a printer suitable for the output format \"{other}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
        ))),
    }
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
    if args.output == "name" {
        return (
            selected.iter().map(|c| format!("{}\n", c.name)).collect(),
            missing,
        );
    }
    let mut rows = Vec::new();
    if !args.no_headers {
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

fn read_embedded(path: &str) -> Result<String, CliError> {
    let bytes = std::fs::read(path).map_err(|e| {
        CliError::msg(format!(
            "could not read {path}: {}",
            crate::kubeconfig::resolve::io_text(&e)
        ))
    })?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
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
        let sv = SharedValues::from_global(&ctx.global);
        let out: String;
        let mut result = Ok(());
        match &self.command {
            ConfigCommand::View(a) => {
                let cfg = view_config(loaded, ctx.global.context.as_deref(), a)?;
                out = render_config(&cfg, &a.output)?;
            }
            ConfigCommand::CurrentContext => {
                if loaded.merged.current_context.is_empty() {
                    return Err(CliError::msg("current-context is not set"));
                }
                out = format!("{}\n", loaded.merged.current_context);
            }
            ConfigCommand::GetContexts(a) if !["", "name"].contains(&a.output.as_str()) => {
                return Err(CliError::msg(format!(
                    "--output {} is not available in kubectl config get-contexts; resetting to default output format",
                    a.output
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
            ConfigCommand::SetContext(a) => {
                let name = if a.current {
                    if loaded.merged.current_context.is_empty() {
                        return Err(CliError::msg("no current context is set"));
                    }
                    loaded.merged.current_context.clone()
                } else {
                    match a.name.clone().filter(|n| !n.is_empty()) {
                        Some(n) => n,
                        None => {
                            return Err(CliError::Usage {
                                message: "you must specify a non-empty context name or --current"
                                    .into(),
                                command: "kubectl-rs config set-context".into(),
                            })
                        }
                    }
                };
                let exists = loaded.merged.context(&name).is_some();
                let lock = loaded.lock()?;
                update_file(&lock, &loaded.file_for_context(&name), |c| {
                    let i = match c.contexts.iter().position(|x| x.name == name) {
                        Some(i) => i,
                        None => {
                            c.contexts.push(NamedContext {
                                name: name.clone(),
                                ..Default::default()
                            });
                            c.contexts.len() - 1
                        }
                    };
                    let e = &mut c.contexts[i].context;
                    if let Some(v) = &sv.cluster {
                        e.cluster = v.clone();
                    }
                    if let Some(v) = &sv.user {
                        e.user = v.clone();
                    }
                    if let Some(v) = &sv.namespace {
                        e.namespace = Some(v.clone()).filter(|s| !s.is_empty());
                    }
                    Ok(())
                })?;
                out = format!(
                    "Context {name:?} {}.\n",
                    if exists { "modified" } else { "created" }
                );
            }
            ConfigCommand::SetCluster(a) => {
                let ca_data = match (&sv.certificate_authority, a.embed_certs) {
                    (Some(p), true) => Some(read_embedded(p)?),
                    _ => None,
                };
                let lock = loaded.lock()?;
                update_file(&lock, &loaded.file_for_cluster(&a.name), |c| {
                    let i = match c.clusters.iter().position(|x| x.name == a.name) {
                        Some(i) => i,
                        None => {
                            c.clusters.push(Named {
                                name: a.name.clone(),
                                ..Default::default()
                            });
                            c.clusters.len() - 1
                        }
                    };
                    let e = &mut c.clusters[i].cluster;
                    if let Some(v) = &sv.server {
                        e.server = Some(v.clone());
                    }
                    if let Some(v) = &sv.tls_server_name {
                        e.tls_server_name = Some(v.clone());
                    }
                    if let Some(v) = &a.proxy_url {
                        e.proxy_url = Some(v.clone());
                    }
                    if let Some(v) = sv.insecure_skip_tls_verify {
                        e.insecure_skip_tls_verify = Some(v).filter(|b| *b);
                        if v {
                            // kubectl clears the CA when turning verification off.
                            e.certificate_authority = None;
                            e.certificate_authority_data = None;
                        }
                    }
                    if let Some(p) = &sv.certificate_authority {
                        if let Some(d) = &ca_data {
                            e.certificate_authority_data = Some(d.clone());
                            e.certificate_authority = None;
                        } else {
                            e.certificate_authority = Some(absolute(p));
                            e.certificate_authority_data = None;
                        }
                        e.insecure_skip_tls_verify = None;
                    }
                    Ok(())
                })?;
                out = format!("Cluster {:?} set.\n", a.name);
            }
            ConfigCommand::SetCredentials(a) => {
                let (cert_data, key_data) = if a.embed_certs {
                    (
                        sv.client_certificate
                            .as_deref()
                            .map(read_embedded)
                            .transpose()?,
                        sv.client_key.as_deref().map(read_embedded).transpose()?,
                    )
                } else {
                    (None, None)
                };
                let mut env = Vec::new();
                for kv in &a.exec_env {
                    let Some((k, v)) = kv.split_once('=') else {
                        return Err(CliError::msg(format!(
                            "error: invalid exec-env value {kv:?}, expected key=value"
                        )));
                    };
                    env.push(ExecEnvVar {
                        name: k.into(),
                        value: v.into(),
                    });
                }
                let lock = loaded.lock()?;
                update_file(&lock, &loaded.file_for_user(&a.name), |c| {
                    let i = match c.users.iter().position(|x| x.name == a.name) {
                        Some(i) => i,
                        None => {
                            c.users.push(NamedUser {
                                name: a.name.clone(),
                                ..Default::default()
                            });
                            c.users.len() - 1
                        }
                    };
                    let u = &mut c.users[i].user;
                    if let Some(p) = &sv.client_certificate {
                        match &cert_data {
                            Some(d) => {
                                u.client_certificate_data = Some(d.clone());
                                u.client_certificate = None;
                            }
                            None => {
                                u.client_certificate = Some(absolute(p));
                                u.client_certificate_data = None;
                            }
                        }
                    }
                    if let Some(p) = &sv.client_key {
                        match &key_data {
                            Some(d) => {
                                u.client_key_data = Some(d.clone());
                                u.client_key = None;
                            }
                            None => {
                                u.client_key = Some(absolute(p));
                                u.client_key_data = None;
                            }
                        }
                    }
                    if let Some(t) = &sv.token {
                        u.token = Some(t.clone()).filter(|s| !s.is_empty());
                    }
                    if let Some(t) = &sv.username {
                        u.username = Some(t.clone()).filter(|s| !s.is_empty());
                    }
                    if let Some(t) = &sv.password {
                        u.password = Some(t.clone()).filter(|s| !s.is_empty());
                    }
                    if a.exec_command.is_some()
                        || a.exec_api_version.is_some()
                        || !a.exec_arg.is_empty()
                        || !env.is_empty()
                        || a.exec_interactive_mode.is_some()
                    {
                        let x = u.exec.get_or_insert_with(ExecConfig::default);
                        if let Some(v) = &a.exec_command {
                            x.command = v.clone();
                        }
                        if let Some(v) = &a.exec_api_version {
                            x.api_version = v.clone();
                        }
                        if !a.exec_arg.is_empty() {
                            x.args = Some(a.exec_arg.clone());
                        }
                        if !env.is_empty() {
                            let list = x.env.get_or_insert_with(Vec::new);
                            for e in &env {
                                list.retain(|o| o.name != e.name);
                                list.push(e.clone());
                            }
                        }
                        if let Some(v) = &a.exec_interactive_mode {
                            x.interactive_mode = Some(v.clone());
                        }
                    }
                    Ok::<(), KubeconfigError>(())
                })?;
                out = format!("User {:?} set.\n", a.name);
            }
        }
        ctx.out().write_all(out.as_bytes())?;
        result
    }
}

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
                output: "yaml".into(),
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
                no_headers: true,
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

//! `kubectl-rs config set-cluster|set-context|set-credentials` (kubectl
//! `pkg/cmd/config/set_cluster.go`, `set_context.go`, `set_credentials.go`): merge the flags
//! that were given into one entry of the file that holds it, through the locked atomic writer.
//!
//! Most of these flags have a global flag's name (`--server`, `--user`, `--token`, ...). As in
//! cobra, the command's own flag shadows the global one (see `cmd::parse`); a flag counts as
//! given (`Provided()`) only when it was typed.

use super::{absolute, update_file};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;
use crate::kubeconfig::model::{ExecConfig, ExecEnvVar};
use crate::kubeconfig::{KubeconfigError, LoadedConfig};
use base64::Engine;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// `config set-cluster` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SetClusterArgs {
    /// `NAME`.
    pub args: Vec<String>,
    /// server for the cluster entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub server: Option<String>,
    /// Path to certificate-authority file for the cluster entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub certificate_authority: Option<PathBuf>,
    /// insecure-skip-tls-verify for the cluster entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "bool", go_bool_opt())]
    pub insecure_skip_tls_verify: Option<bool>,
    /// tls-server-name for the cluster entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub tls_server_name: Option<String>,
    /// proxy-url for the cluster entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub proxy_url: Option<String>,
    #[command(flatten)]
    pub embed_certs: crate::cmd::flags::EmbedCertsFlag,
}

/// `config set-context` flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SetContextArgs {
    /// `[NAME]`.
    pub args: Vec<String>,
    /// Modify the current context
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub current: bool,
    /// cluster for the context entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub cluster: Option<String>,
    /// user for the context entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub user: Option<String>,
    /// namespace for the context entry in kubeconfig
    #[arg(verbatim_doc_comment, short = 'n', long, value_name = "string")]
    pub namespace: Option<String>,
}

/// `config set-credentials` flags.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(mut_arg("embed_certs", |a| a.help("Embed client cert/key for the user entry in kubeconfig")))]
pub struct SetCredentialsArgs {
    /// `NAME`.
    pub args: Vec<String>,
    /// Auth provider for the user entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub auth_provider: Option<String>,
    /// 'key=value' arguments for the auth provider
    #[arg(verbatim_doc_comment, long, value_name = "stringSlice", value_delimiter = ',', action = clap::ArgAction::Append)]
    pub auth_provider_arg: Vec<String>,
    /// Path to client-certificate file for the user entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub client_certificate: Option<PathBuf>,
    /// Path to client-key file for the user entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub client_key: Option<PathBuf>,
    /// Command for the exec credential plugin for the user entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub exec_command: Option<String>,
    /// API version of the exec credential plugin for the user entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub exec_api_version: Option<String>,
    /// New arguments for the exec credential plugin command for the user entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "stringSlice", value_delimiter = ',', action = clap::ArgAction::Append)]
    pub exec_arg: Vec<String>,
    /// 'key=value' environment values for the exec credential plugin
    #[arg(verbatim_doc_comment, long, value_name = "stringArray", action = clap::ArgAction::Append)]
    pub exec_env: Vec<String>,
    /// InteractiveMode of the exec credentials plugin for the user entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub exec_interactive_mode: Option<String>,
    /// ProvideClusterInfo of the exec credentials plugin for the user entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "bool", go_bool_opt())]
    pub exec_provide_cluster_info: Option<bool>,
    /// password for the user entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub password: Option<String>,
    /// token for the user entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub token: Option<String>,
    /// username for the user entry in kubeconfig
    #[arg(verbatim_doc_comment, long, value_name = "string")]
    pub username: Option<String>,
    #[command(flatten)]
    pub embed_certs: crate::cmd::flags::EmbedCertsFlag,
}

/// The value of a flag that shadows a global one with a default, when it was typed.
fn typed<T: Clone>(ctx: &Context, id: &str, value: &Option<T>) -> Option<T> {
    if ctx.global.shadow_defaults.iter().any(|d| d == id) {
        None
    } else {
        value.clone()
    }
}

fn path_text(p: &Option<PathBuf>) -> Option<String> {
    p.as_ref().map(|p| p.to_string_lossy().into_owned())
}

/// kubectl's `helpErrorf`/`cmd.Help()` then the error: the command's help on stdout.
fn help_error(ctx: &Context, sub: &str, message: String) -> CliError {
    use clap::CommandFactory;
    let cli = crate::cmd::Cli::command();
    if let Some(help) = crate::cmd::help::render(
        &cli,
        &["kubectl", "config", sub],
        crate::i18n::Lang::from_env(&ctx.env),
    ) {
        let _ = ctx.out().write_all(help.as_bytes());
    }
    CliError::msg(message)
}

/// Go's `filepath.Clean` of an absolute path.
fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// client-go's `Relativize{Cluster,AuthInfo}LocalPaths`, run by `ModifyConfig` on the
/// stanzas it writes: each file reference, resolved against the directory of the file being
/// written, becomes relative to it when it is under it (else stays absolute).
fn relativize(reference: &mut String, file: &Path) {
    if reference.is_empty() {
        return;
    }
    let base = clean(&std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf()));
    let base = base.parent().unwrap_or(Path::new("/"));
    let resolved = clean(&base.join(&*reference));
    *reference = match resolved.strip_prefix(base) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".into(),
        Ok(rel) => rel.to_string_lossy().into_owned(),
        Err(_) => resolved.to_string_lossy().into_owned(),
    };
}

fn relativize_opt(reference: &mut Option<String>, file: &Path) {
    if let Some(r) = reference {
        relativize(r, file);
    }
}

/// `[a b]`, as Go prints a string slice.
fn go_list(args: &[String]) -> String {
    format!("[{}]", args.join(" "))
}

/// kubectl's `could not stat <flag> file <path>: stat <path>: <reason>`.
fn check_file(flag: &str, path: &str) -> Result<(), CliError> {
    std::fs::metadata(path).map(|_| ()).map_err(|e| {
        CliError::msg(format!(
            "could not stat {flag} file {path}: stat {path}: {}",
            crate::kubeconfig::resolve::io_text(&e)
        ))
    })
}

/// The file's bytes, base64 as the kubeconfig holds `*-data` (kubectl ignores a read error
/// after its stat check; an unreadable file embeds nothing).
fn embed(path: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(std::fs::read(path).unwrap_or_default())
}

/// cmdutil `ParsePairs` with removal (`key-`): the pairs to set, in order, and the keys to
/// remove.
type Pairs = (Vec<(String, String)>, Vec<String>);

fn parse_pairs(args: &[String], flag: &str) -> Result<Pairs, String> {
    let (mut set, mut remove, mut invalid) = (Vec::new(), Vec::new(), Vec::new());
    for a in args {
        match a.split_once('=') {
            Some((k, v)) if !a.starts_with('=') => {
                set.retain(|(o, _): &(String, String)| o != k);
                set.push((k.to_string(), v.to_string()));
            }
            _ if a.ends_with('-') && a != "-" => remove.push(a[..a.len() - 1].to_string()),
            _ => invalid.push(a.as_str()),
        }
    }
    if !invalid.is_empty() {
        return Err(format!("invalid {flag} format: {}", invalid.join(", ")));
    }
    Ok((set, remove))
}

/// The entry of that name in a kubeconfig list (`name_of` reaches an entry's name), appended
/// empty when the file has none.
fn entry_mut<'a, T: Default>(
    list: &'a mut Vec<T>,
    name: &str,
    name_of: fn(&mut T) -> &mut String,
) -> &'a mut T {
    let i = match list.iter_mut().position(|x| name_of(x) == name) {
        Some(i) => i,
        None => {
            let mut entry = T::default();
            *name_of(&mut entry) = name.to_string();
            list.push(entry);
            list.len() - 1
        }
    };
    &mut list[i]
}

/// Runs `config set-cluster`.
pub fn set_cluster(
    ctx: &Context,
    loaded: &LoadedConfig,
    a: &SetClusterArgs,
) -> Result<String, CliError> {
    let [name] = a.args.as_slice() else {
        return Err(help_error(
            ctx,
            "set-cluster",
            format!("Unexpected args: {}", go_list(&a.args)),
        ));
    };
    let insecure = typed(ctx, "insecure_skip_tls_verify", &a.insecure_skip_tls_verify);
    let ca = path_text(&a.certificate_authority);
    let embed_ca = a.embed_certs.value;
    if name.is_empty() {
        return Err(CliError::msg("you must specify a non-empty cluster name"));
    }
    if insecure == Some(true) && ca.as_deref().is_some_and(|c| !c.is_empty()) {
        return Err(CliError::msg(
            "you cannot specify a certificate authority and insecure mode at the same time",
        ));
    }
    if embed_ca {
        match ca.as_deref().filter(|c| !c.is_empty()) {
            None => {
                return Err(CliError::msg(
                    "you must specify a --certificate-authority to embed",
                ))
            }
            Some(p) => check_file("certificate-authority", p)?,
        }
    }
    let lock = loaded.lock()?;
    let file = loaded.file_for_cluster(name);
    update_file(&lock, &file, |c| {
        let e = &mut entry_mut(&mut c.clusters, name, |x| &mut x.name).cluster;
        let some = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        if let Some(v) = &a.server {
            e.server = some(v);
            // A new server invalidates the old TLS server name (set again below if given).
            e.tls_server_name = None;
        }
        if let Some(v) = &a.tls_server_name {
            e.tls_server_name = some(v);
        }
        if let Some(v) = insecure {
            e.insecure_skip_tls_verify = Some(v).filter(|b| *b);
            if v {
                e.certificate_authority = None;
                e.certificate_authority_data = None;
            }
        }
        if let Some(p) = &ca {
            if embed_ca {
                e.certificate_authority_data = some(&embed(p));
                e.insecure_skip_tls_verify = None;
                e.certificate_authority = None;
            } else if !p.is_empty() {
                e.certificate_authority = Some(absolute(p));
                e.insecure_skip_tls_verify = None;
                e.certificate_authority_data = None;
            } else {
                e.certificate_authority = None;
            }
        }
        if let Some(v) = &a.proxy_url {
            e.proxy_url = some(v);
        }
        relativize_opt(&mut e.certificate_authority, &file);
        Ok(())
    })?;
    Ok(format!("Cluster {name:?} set.\n"))
}

/// Runs `config set-context`.
pub fn set_context(
    ctx: &Context,
    loaded: &LoadedConfig,
    a: &SetContextArgs,
) -> Result<String, CliError> {
    if a.args.len() > 1 {
        return Err(help_error(
            ctx,
            "set-context",
            format!("Unexpected args: {}", go_list(&a.args)),
        ));
    }
    let given = a.args.first().filter(|n| !n.is_empty());
    let name = match (given, a.current) {
        (None, false) => {
            return Err(CliError::msg(
                "you must specify a non-empty context name or --current",
            ))
        }
        (Some(_), true) => {
            return Err(CliError::msg(
                "you cannot specify both a context name and --current",
            ))
        }
        (Some(n), false) => n.clone(),
        (None, true) => {
            if loaded.merged.current_context.is_empty() {
                return Err(CliError::msg("no current context is set"));
            }
            loaded.merged.current_context.clone()
        }
    };
    let exists = loaded.merged.context(&name).is_some();
    let lock = loaded.lock()?;
    update_file(&lock, &loaded.file_for_context(&name), |c| {
        let e = &mut entry_mut(&mut c.contexts, &name, |x| &mut x.name).context;
        if let Some(v) = &a.cluster {
            e.cluster = v.clone();
        }
        if let Some(v) = &a.user {
            e.user = v.clone();
        }
        if let Some(v) = &a.namespace {
            e.namespace = Some(v.clone()).filter(|s| !s.is_empty());
        }
        Ok(())
    })?;
    Ok(format!(
        "Context {name:?} {}.\n",
        if exists { "modified" } else { "created" }
    ))
}

/// Runs `config set-credentials`.
pub fn set_credentials(
    ctx: &Context,
    loaded: &LoadedConfig,
    a: &SetCredentialsArgs,
) -> Result<String, CliError> {
    // complete: the name and the key=value lists (errors come after the help).
    let [name] = a.args.as_slice() else {
        return Err(help_error(
            ctx,
            "set-credentials",
            format!("unexpected args: {}", go_list(&a.args)),
        ));
    };
    let (provider_set, provider_remove) = parse_pairs(&a.auth_provider_arg, "auth-provider-arg")
        .map_err(|e| help_error(ctx, "set-credentials", e))?;
    let (env_set, env_remove) =
        parse_pairs(&a.exec_env, "exec-env").map_err(|e| help_error(ctx, "set-credentials", e))?;
    // validate.
    if name.is_empty() {
        return Err(CliError::msg("you must specify a non-empty user name"));
    }
    let nonempty = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.is_empty());
    if nonempty(&a.token) && (nonempty(&a.username) || nonempty(&a.password)) {
        return Err(CliError::msg("you cannot specify more than one authentication method at the same time: --token, --username/--password"));
    }
    let cert = path_text(&a.client_certificate);
    let key = path_text(&a.client_key);
    let embed_certs = a.embed_certs.value;
    if embed_certs {
        if !nonempty(&cert) && !nonempty(&key) {
            return Err(CliError::msg(
                "you must specify a --client-certificate or --client-key to embed",
            ));
        }
        if let Some(p) = cert.as_deref().filter(|p| !p.is_empty()) {
            check_file("client-certificate", p)?;
        }
        if let Some(p) = key.as_deref().filter(|p| !p.is_empty()) {
            check_file("client-key", p)?;
        }
    }
    if let Some(m) = &a.exec_interactive_mode {
        if !["IfAvailable", "Always", "Never"].contains(&m.as_str()) {
            return Err(CliError::msg(
                "invalid interactive mode type, can be only IfAvailable, Never, Always",
            ));
        }
    }
    let lock = loaded.lock()?;
    let file = loaded.file_for_user(name);
    update_file(&lock, &file, |c| {
        let u = &mut entry_mut(&mut c.users, name, |x| &mut x.name).user;
        let some = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        for (path, file, data) in [
            (
                &cert,
                &mut u.client_certificate,
                &mut u.client_certificate_data,
            ),
            (&key, &mut u.client_key, &mut u.client_key_data),
        ] {
            let Some(p) = path else { continue };
            if embed_certs {
                *data = some(&embed(p));
                *file = None;
            } else if !p.is_empty() {
                *file = Some(absolute(p));
                *data = None;
            } else {
                *file = None;
            }
        }
        let (mut set_token, mut set_basic) = (false, false);
        if let Some(t) = &a.token {
            u.token = some(t);
            set_token = u.token.is_some();
        }
        if let Some(t) = &a.username {
            u.username = some(t);
            set_basic |= u.username.is_some();
        }
        if let Some(t) = &a.password {
            u.password = some(t);
            set_basic |= u.password.is_some();
        }
        if let Some(p) = &a.auth_provider {
            let same = u
                .auth_provider
                .as_ref()
                .is_some_and(|x| x.get("name").and_then(Value::as_str) == Some(p.as_str()));
            if !same {
                u.auth_provider = Some(serde_json::json!({ "name": p }));
            }
        }
        if let Some(Value::Object(provider)) = &mut u.auth_provider {
            let mut config: BTreeMap<String, Value> = match provider.remove("config") {
                Some(Value::Object(m)) => m.into_iter().collect(),
                _ => BTreeMap::new(),
            };
            for k in &provider_remove {
                config.remove(k);
            }
            for (k, v) in &provider_set {
                config.insert(k.clone(), Value::String(v.clone()));
            }
            // kubectl writes the map even when it is empty (`config: {}`).
            provider.insert(
                "config".into(),
                Value::Object(config.into_iter().collect::<Map<_, _>>()),
            );
        }
        if let Some(command) = &a.exec_command {
            match &mut u.exec {
                None => {
                    u.exec = Some(ExecConfig {
                        command: command.clone(),
                        ..Default::default()
                    })
                }
                Some(x) => {
                    x.command = command.clone();
                    x.args = None;
                }
            }
        }
        // The other exec flags change an exec plugin that exists, and are ignored otherwise.
        if let Some(x) = &mut u.exec {
            if let Some(v) = &a.exec_api_version {
                x.api_version = v.clone();
            }
            if !a.exec_arg.is_empty() {
                x.args = Some(a.exec_arg.clone());
            }
            if let Some(v) = &a.exec_interactive_mode {
                x.interactive_mode = some(v);
            }
            if let Some(v) = a.exec_provide_cluster_info {
                x.provide_cluster_info = v;
            }
            if !env_remove.is_empty() {
                let env = x.env.get_or_insert_with(Vec::new);
                env.retain(|e| !env_remove.contains(&e.name));
            }
            if !env_set.is_empty() {
                let env = x.env.get_or_insert_with(Vec::new);
                for (k, v) in &env_set {
                    match env.iter_mut().find(|e| e.name == *k) {
                        Some(e) => e.value = v.clone(),
                        None => env.push(ExecEnvVar {
                            name: k.clone(),
                            value: v.clone(),
                        }),
                    }
                }
            }
        }
        relativize_opt(&mut u.client_certificate, &file);
        relativize_opt(&mut u.client_key, &file);
        relativize_opt(&mut u.token_file, &file);
        if let Some(x) = &mut u.exec {
            if x.command.contains('/') {
                relativize(&mut x.command, &file);
            }
        }
        // Setting one way of authenticating clears the other.
        if set_token || set_basic {
            if !set_token {
                u.token = None;
            }
            if !set_basic {
                u.username = None;
                u.password = None;
            }
        }
        Ok::<(), KubeconfigError>(())
    })?;
    Ok(format!("User {name:?} set.\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_parsed_as_kubectl_does() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_pairs(&args(&["a=1", "b-", "a=2", "c=x=y"]), "exec-env").unwrap(),
            (
                vec![("a".into(), "2".into()), ("c".into(), "x=y".into())],
                vec!["b".to_string()]
            )
        );
        assert_eq!(
            parse_pairs(&args(&["=a", "b", "-"]), "auth-provider-arg").unwrap_err(),
            "invalid auth-provider-arg format: =a, b, -"
        );
    }

    #[test]
    fn missing_files_are_reported_as_go_does() {
        let e = check_file("client-key", "/nonexistent/k").unwrap_err();
        assert_eq!(
            e.to_string(),
            "could not stat client-key file /nonexistent/k: stat /nonexistent/k: no such file or directory"
        );
    }
}

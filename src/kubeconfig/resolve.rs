//! Resolving the merged kubeconfig plus the command line overrides into a [`RestConfig`]:
//! client-go's `DirectClientConfig` rules (context → cluster/user, overrides win, relative paths
//! against the defining file, in-cluster config when nothing is configured, credentials only over
//! TLS) and its `ConfirmUsable` validation texts.

use super::load::{resolve_path, LoadedConfig};
use super::model::{AuthInfo, Cluster, ExecConfig};
use super::KubeconfigError;
use base64::Engine;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What the global flags override (`--context`, `-s`, `--token`, …). Empty = not given.
#[derive(Debug, Clone, Default)]
pub struct ConfigOverrides {
    /// `--context`.
    pub context: Option<String>,
    /// `--cluster`.
    pub cluster: Option<String>,
    /// `--user`.
    pub user: Option<String>,
    /// `-n/--namespace`.
    pub namespace: Option<String>,
    /// `-s/--server`.
    pub server: Option<String>,
    /// `--token`.
    pub token: Option<String>,
    /// `--certificate-authority`.
    pub certificate_authority: Option<PathBuf>,
    /// `--client-certificate`.
    pub client_certificate: Option<PathBuf>,
    /// `--client-key`.
    pub client_key: Option<PathBuf>,
    /// `--insecure-skip-tls-verify`.
    pub insecure_skip_tls_verify: bool,
    /// `--tls-server-name`.
    pub tls_server_name: Option<String>,
    /// `--as`.
    pub impersonate: Option<String>,
    /// `--as-group`.
    pub impersonate_groups: Vec<String>,
    /// `--as-uid`.
    pub impersonate_uid: Option<String>,
    /// `--as-user-extra` (key → values).
    pub impersonate_user_extra: BTreeMap<String, Vec<String>>,
    /// `--username`.
    pub username: Option<String>,
    /// `--password`.
    pub password: Option<String>,
    /// `--disable-compression`.
    pub disable_compression: bool,
    /// `--request-timeout` (`None` or zero: no timeout).
    pub request_timeout: Option<Duration>,
}

/// What in-cluster detection needs from the environment.
#[derive(Debug, Clone, Default)]
pub struct InClusterEnv {
    /// `$KUBERNETES_SERVICE_HOST`.
    pub service_host: Option<String>,
    /// `$KUBERNETES_SERVICE_PORT`.
    pub service_port: Option<String>,
    /// `$POD_NAMESPACE`.
    pub pod_namespace: Option<String>,
    /// Directory with `token`, `ca.crt`, `namespace` (normally
    /// `/var/run/secrets/kubernetes.io/serviceaccount`).
    pub service_account_dir: PathBuf,
    /// `$KUBERNETES_MASTER`: the default server when nothing is configured.
    pub kubernetes_master: Option<String>,
}

/// The standard service account directory of a pod.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// How requests authenticate.
#[derive(Clone, PartialEq, Default)]
pub enum Auth {
    /// Nothing (or a client certificate only).
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// A token re-read from this file (tokenFile, in-cluster).
    TokenFile(PathBuf),
    /// HTTP basic auth.
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
    /// An exec credential plugin.
    Exec(Box<ExecSpec>),
}

// Hand-written so that secrets never reach `{:?}` output.
impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Bearer(_) => f.write_str("Bearer(<masked>)"),
            Auth::TokenFile(p) => write!(f, "TokenFile({})", p.display()),
            Auth::Basic { username, .. } => write!(f, "Basic({username}, <masked>)"),
            Auth::Exec(e) => write!(f, "Exec({})", e.config.command),
        }
    }
}

/// An exec plugin ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecSpec {
    /// The plugin config (command already resolved against the kubeconfig's directory).
    pub config: ExecConfig,
    /// The user entry's name (for error texts).
    pub user_name: String,
    /// `spec.cluster` for `KUBERNETES_EXEC_INFO` when `provideClusterInfo` is set.
    pub cluster_info: Option<serde_json::Value>,
    /// Which plugins may run (kuberc's credential plugin policy; none: any).
    pub policy: super::plugin_policy::PluginPolicy,
    /// `$PATH`, where the policy's allowlist check looks commands up (`exec.LookPath`).
    pub search_path: Option<String>,
}

/// TLS settings.
#[derive(Clone, Default, PartialEq)]
pub struct TlsSettings {
    /// PEM CA bundle to trust (None: the system roots, as Go trusts when no CA is configured).
    pub ca_pem: Option<Vec<u8>>,
    /// Skip server certificate verification.
    pub insecure: bool,
    /// Name to verify the server certificate against (and send as SNI).
    pub server_name: Option<String>,
    /// PEM client certificate.
    pub client_cert_pem: Option<Vec<u8>>,
    /// PEM client key (RSA, EC or PKCS#8).
    pub client_key_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSettings")
            .field("ca", &self.ca_pem.is_some())
            .field("insecure", &self.insecure)
            .field("server_name", &self.server_name)
            .field("client_cert", &self.client_cert_pem.is_some())
            .field(
                "client_key",
                &self.client_key_pem.as_ref().map(|_| "<masked>"),
            )
            .finish()
    }
}

/// Everything needed to talk to one API server.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RestConfig {
    /// Base URL without trailing slash, e.g. `https://127.0.0.1:6443`.
    pub server: String,
    /// The server URL as the kubeconfig or `--server` gave it (client-go's `Host`; `kubectl
    /// proxy` names its path, trailing slash included).
    pub server_as_given: String,
    /// The namespace commands use by default.
    pub namespace: String,
    /// True when `-n` was given (kubectl's "enforce namespace").
    pub namespace_overridden: bool,
    /// Selected context ("" when none).
    pub context_name: String,
    /// Selected cluster ("" when none).
    pub cluster_name: String,
    /// Selected user ("" when none).
    pub user_name: String,
    /// TLS settings.
    pub tls: TlsSettings,
    /// Credentials (always `None` for plain-http servers, as client-go).
    pub auth: Auth,
    /// `Impersonate-User`.
    pub impersonate: Option<String>,
    /// `Impersonate-Uid`.
    pub impersonate_uid: Option<String>,
    /// `Impersonate-Group` (one header each).
    pub impersonate_groups: Vec<String>,
    /// `Impersonate-Extra-<key>` (one header per value).
    pub impersonate_user_extra: BTreeMap<String, Vec<String>>,
    /// Explicit proxy (`proxy-url`); otherwise the proxy env vars apply.
    pub proxy_url: Option<String>,
    /// Don't ask for gzip.
    pub disable_compression: bool,
    /// Request timeout (`--request-timeout`), also sent as `?timeout=`.
    pub timeout: Option<Duration>,
    /// Built from the pod's service account rather than a kubeconfig.
    pub in_cluster: bool,
}

fn decode_data(field: &str, entry: &str, data: &str) -> Result<Vec<u8>, KubeconfigError> {
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| {
            KubeconfigError::Invalid(vec![format!(
                "{field} for {entry} is not valid base64: {e}"
            )])
        })
}

fn read_pem(kind: &str, path: &Path, entry: &str, errs: &mut Vec<String>) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(b) => Some(b),
        Err(e) => {
            errs.push(format!(
                "unable to read {kind} {} for {entry} due to open {}: {}",
                path.display(),
                path.display(),
                io_text(&e)
            ));
            None
        }
    }
}

/// A `*-data` field when set (base64; an error when it does not decode), else the file named
/// beside it (an unreadable file is collected in `errs`).
fn pem(
    (data_field, data): (&str, &Option<String>),
    (file_kind, file): (&str, &Option<PathBuf>),
    entry: &str,
    errs: &mut Vec<String>,
) -> Result<Option<Vec<u8>>, KubeconfigError> {
    match data.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => decode_data(data_field, entry, d).map(Some),
        None => Ok(file
            .as_deref()
            .and_then(|p| read_pem(file_kind, p, entry, errs))),
    }
}

/// Go's `os.Open` error text (`open f: no such file or directory`).
pub fn open_error(path: &str, e: &std::io::Error) -> String {
    format!("open {path}: {}", io_text(e))
}

/// An I/O error in Go's words (`no such file or directory`), without Rust's `(os error 2)`.
/// Shared by every layer that reports a file error as kubectl does.
pub fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_lowercase(),
                None => s,
            }
        }
    }
}

impl LoadedConfig {
    /// Resolves into a `RestConfig` (client-go `DirectClientConfig.ClientConfig` + `ConfirmUsable`).
    pub fn resolve(
        &self,
        ov: &ConfigOverrides,
        env: &InClusterEnv,
    ) -> Result<RestConfig, KubeconfigError> {
        let m = &self.merged;
        let context_name = ov
            .context
            .clone()
            .unwrap_or_else(|| m.current_context.clone());
        let mut errs = Vec::new();
        // client-go order: the context, then the user, then the cluster.
        let mut auth_errs = Vec::new();
        let mut cluster_errs = Vec::new();
        let ctx = if context_name.is_empty() {
            None
        } else {
            match m.context(&context_name) {
                Some(c) => Some(c.clone()),
                None => {
                    errs.push(format!(
                        "context was not found for specified context: {context_name}"
                    ));
                    None
                }
            }
        };
        if let Some(u) = ov.user.as_deref().filter(|u| !u.is_empty()) {
            if m.user(u).is_none() {
                errs.push(format!("auth info {u:?} does not exist"));
            }
        }
        // Nothing configured at all: in-cluster when inside a pod.
        if m.is_empty() && ov.context.is_none() && ov.cluster.is_none() && ov.user.is_none() {
            if let Some(rc) = in_cluster(ov, env)? {
                return Ok(rc);
            }
        }
        let cluster_name = ov
            .cluster
            .clone()
            .or_else(|| ctx.as_ref().map(|c| c.cluster.clone()))
            .unwrap_or_default();
        let user_name = ov
            .user
            .clone()
            .or_else(|| ctx.as_ref().map(|c| c.user.clone()))
            .unwrap_or_default();
        let cluster_origin = self.cluster_origin.get(&cluster_name).map(PathBuf::as_path);
        let user_origin = self.user_origin.get(&user_name).map(PathBuf::as_path);
        let mut cluster: Cluster = m.cluster(&cluster_name).cloned().unwrap_or_default();
        let mut user: AuthInfo = m.user(&user_name).cloned().unwrap_or_default();

        // Overrides (client-go: a file override clears the inline data and vice versa).
        if let Some(s) = &ov.server {
            cluster.server = Some(s.clone());
            if ov.tls_server_name.is_none() {
                cluster.tls_server_name = None;
            }
        }
        if let Some(n) = &ov.tls_server_name {
            cluster.tls_server_name = Some(n.clone());
        }
        let mut ca_path: Option<PathBuf> = cluster
            .certificate_authority
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|p| resolve_path(p, cluster_origin));
        if let Some(p) = &ov.certificate_authority {
            ca_path = Some(p.clone());
            cluster.certificate_authority_data = None;
        }
        if ov.insecure_skip_tls_verify {
            cluster.insecure_skip_tls_verify = Some(true);
            if ov.certificate_authority.is_none() {
                ca_path = None;
                cluster.certificate_authority_data = None;
            }
        }
        if let Some(t) = &ov.token {
            user.token = Some(t.clone());
            user.token_file = None;
        }
        let mut cert_path = user
            .client_certificate
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|p| resolve_path(p, user_origin));
        let mut key_path = user
            .client_key
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|p| resolve_path(p, user_origin));
        if let Some(p) = &ov.client_certificate {
            cert_path = Some(p.clone());
            user.client_certificate_data = None;
        }
        if let Some(p) = &ov.client_key {
            key_path = Some(p.clone());
            user.client_key_data = None;
        }
        if let Some(a) = &ov.impersonate {
            user.impersonate = Some(a.clone());
        }
        if !ov.impersonate_groups.is_empty() {
            user.impersonate_groups = Some(ov.impersonate_groups.clone());
        }
        if let Some(u) = &ov.impersonate_uid {
            user.impersonate_uid = Some(u.clone());
        }
        if !ov.impersonate_user_extra.is_empty() {
            user.impersonate_user_extra = Some(ov.impersonate_user_extra.clone());
        }
        if let Some(u) = &ov.username {
            user.username = Some(u.clone());
        }
        if let Some(p) = &ov.password {
            user.password = Some(p.clone());
        }
        if ov.disable_compression {
            cluster.disable_compression = Some(true);
        }

        // Server: the cluster's (overrides applied), else client-go's `ClusterDefaults`
        // (`$KUBERNETES_MASTER` or localhost:8080), which every lookup starts from: a cluster
        // without a server, or a context naming a missing cluster, falls back to it. Only a
        // `--cluster` naming a missing cluster fails: client-go's lookup then errors and
        // `ConfirmUsable` validates an empty cluster, overrides and all.
        let cluster_required_missing = ov.cluster.as_deref().is_some_and(|c| !c.is_empty())
            && m.cluster(&cluster_name).is_none();
        let server = match cluster.server.as_deref().filter(|s| !s.is_empty()) {
            _ if cluster_required_missing => {
                cluster_errs.push(format!("no server found for cluster {cluster_name:?}"));
                String::new()
            }
            Some(s) => s.to_string(),
            None => env
                .kubernetes_master
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "http://localhost:8080".into()),
        };

        // Auth methods (client-go validateAuthInfo).
        let mut methods = Vec::new();
        if user.token.as_deref().is_some_and(|t| !t.is_empty())
            || user.token_file.as_deref().is_some_and(|t| !t.is_empty())
        {
            methods.push("token");
        }
        if user.username.as_deref().is_some_and(|t| !t.is_empty())
            || user.password.as_deref().is_some_and(|t| !t.is_empty())
        {
            methods.push("basicAuth");
        }
        if methods.len() > 1 {
            auth_errs.push(format!(
                "more than one authentication method found for {user_name}; found [{}], only one is allowed",
                methods.join(" ")
            ));
        }
        if let Some(x) = &user.exec {
            if x.command.is_empty() {
                auth_errs.push(format!(
                    "command must be specified for {user_name} to use exec authentication plugin"
                ));
            }
            if x.api_version.is_empty() {
                auth_errs.push(format!(
                    "apiVersion must be specified for {user_name} to use exec authentication plugin"
                ));
            }
            for v in x.env.iter().flatten() {
                if v.name.is_empty() {
                    auth_errs.push(format!(
                        "env variable name must be specified for {user_name} to use exec authentication plugin"
                    ));
                }
            }
            // v1beta1 defaults interactiveMode to IfAvailable when loaded; v1 requires it.
            let mode_missing = x.interactive_mode.as_deref().unwrap_or("").is_empty();
            if mode_missing && x.api_version == "client.authentication.k8s.io/v1" {
                auth_errs.push(format!(
                    "interactiveMode must be specified for {user_name} to use exec authentication plugin"
                ));
            }
            if let Some(mode) = x.interactive_mode.as_deref().filter(|m| !m.is_empty()) {
                if !["Never", "IfAvailable", "Always"].contains(&mode) {
                    auth_errs.push(format!("invalid interactiveMode for {user_name}: {mode:?}"));
                }
            }
        }
        if (user.impersonate_uid.is_some()
            || user
                .impersonate_groups
                .as_ref()
                .is_some_and(|g| !g.is_empty())
            || user
                .impersonate_user_extra
                .as_ref()
                .is_some_and(|x| !x.is_empty()))
            && user.impersonate.as_deref().unwrap_or("").is_empty()
        {
            auth_errs.push(format!(
                "requesting uid, groups or user-extra for {user_name} without impersonating a user"
            ));
        }

        // TLS material.
        let mut tls = TlsSettings {
            insecure: cluster.insecure_skip_tls_verify.unwrap_or(false),
            server_name: cluster.tls_server_name.clone().filter(|s| !s.is_empty()),
            ..Default::default()
        };
        tls.ca_pem = pem(
            (
                "certificate-authority-data",
                &cluster.certificate_authority_data,
            ),
            ("certificate-authority", &ca_path),
            &cluster_name,
            &mut cluster_errs,
        )?;
        if tls.insecure && tls.ca_pem.is_some() {
            cluster_errs.push(
                "specifying a root certificates file with the insecure flag is not allowed".into(),
            );
        }
        tls.client_cert_pem = pem(
            ("client-certificate-data", &user.client_certificate_data),
            ("client-cert", &cert_path),
            &user_name,
            &mut auth_errs,
        )?;
        tls.client_key_pem = pem(
            ("client-key-data", &user.client_key_data),
            ("client-key", &key_path),
            &user_name,
            &mut auth_errs,
        )?;
        errs.extend(auth_errs);
        errs.extend(cluster_errs);
        if !errs.is_empty() {
            return Err(KubeconfigError::Invalid(errs));
        }
        let server_as_given = server.clone();
        let server = server.trim_end_matches('/').to_string();
        let secure = server.starts_with("https://");

        // client-go attaches credentials only when the transport is TLS.
        let auth = if !secure {
            tls.client_cert_pem = None;
            tls.client_key_pem = None;
            Auth::None
        } else if let Some(t) = user.token.clone().filter(|t| !t.is_empty()) {
            Auth::Bearer(t)
        } else if let Some(f) = user.token_file.as_deref().filter(|t| !t.is_empty()) {
            Auth::TokenFile(resolve_path(f, user_origin))
        } else if let Some(u) = user.username.clone().filter(|t| !t.is_empty()) {
            Auth::Basic {
                username: u,
                password: user.password.clone().unwrap_or_default(),
            }
        } else if let Some(mut x) = user
            .exec
            .clone()
            // client-go's exec authenticator stands aside for a client certificate
            // (`HasCertAuth`), as it does for a token or basic auth.
            .filter(|_| tls.client_cert_pem.is_none() || tls.client_key_pem.is_none())
        {
            if !Path::new(&x.command).is_absolute() && x.command.contains('/') {
                x.command = resolve_path(&x.command, user_origin)
                    .to_string_lossy()
                    .into();
            }
            let cluster_info = x.provide_cluster_info.then(|| {
                let mut c = serde_json::json!({ "server": server });
                if let Some(ca) = &tls.ca_pem {
                    c["certificate-authority-data"] =
                        base64::engine::general_purpose::STANDARD.encode(ca).into();
                }
                if tls.insecure {
                    c["insecure-skip-tls-verify"] = true.into();
                }
                if let Some(n) = &tls.server_name {
                    c["tls-server-name"] = n.clone().into();
                }
                if let Some(p) = &cluster.proxy_url {
                    c["proxy-url"] = p.clone().into();
                }
                c
            });
            Auth::Exec(Box::new(ExecSpec {
                config: x,
                user_name: user_name.clone(),
                cluster_info,
                policy: Default::default(),
                search_path: None,
            }))
        } else {
            Auth::None
        };

        let (namespace, namespace_overridden) =
            match ov.namespace.as_deref().filter(|s| !s.is_empty()) {
                Some(n) => (n.to_string(), true),
                None => (
                    ctx.as_ref()
                        .and_then(|c| c.namespace.clone())
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| "default".into()),
                    false,
                ),
            };
        Ok(RestConfig {
            server,
            server_as_given,
            namespace,
            namespace_overridden,
            context_name,
            cluster_name,
            user_name,
            tls,
            auth,
            impersonate: user.impersonate.filter(|s| !s.is_empty()),
            impersonate_uid: user.impersonate_uid.filter(|s| !s.is_empty()),
            impersonate_groups: user.impersonate_groups.unwrap_or_default(),
            impersonate_user_extra: user.impersonate_user_extra.unwrap_or_default(),
            proxy_url: cluster.proxy_url.filter(|s| !s.is_empty()),
            disable_compression: cluster.disable_compression.unwrap_or(false),
            timeout: ov.request_timeout.filter(|d| !d.is_zero()),
            in_cluster: false,
        })
    }
}

/// client-go `InClusterConfig`: only when both service env vars are set and the token exists.
fn in_cluster(
    ov: &ConfigOverrides,
    env: &InClusterEnv,
) -> Result<Option<RestConfig>, KubeconfigError> {
    let (Some(host), Some(port)) = (
        env.service_host.as_deref().filter(|s| !s.is_empty()),
        env.service_port.as_deref().filter(|s| !s.is_empty()),
    ) else {
        return Ok(None);
    };
    let token_path = env.service_account_dir.join("token");
    if !token_path.exists() {
        return Ok(None);
    }
    let host_port = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let ca_path = env.service_account_dir.join("ca.crt");
    let mut errs = Vec::new();
    let mut tls = TlsSettings {
        insecure: ov.insecure_skip_tls_verify,
        server_name: ov.tls_server_name.clone(),
        ..Default::default()
    };
    if let Some(p) = &ov.certificate_authority {
        tls.ca_pem = read_pem("certificate-authority", p, "in-cluster", &mut errs);
    } else if !tls.insecure {
        tls.ca_pem = read_pem("certificate-authority", &ca_path, "in-cluster", &mut errs);
    }
    if !errs.is_empty() {
        return Err(KubeconfigError::Invalid(errs));
    }
    let ns_from_env = env.pod_namespace.clone().filter(|s| !s.is_empty());
    let ns_from_file = std::fs::read_to_string(env.service_account_dir.join("namespace"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let (namespace, namespace_overridden) = match ov.namespace.clone().filter(|s| !s.is_empty()) {
        Some(n) => (n, true),
        None => (
            ns_from_env
                .or(ns_from_file)
                .unwrap_or_else(|| "default".into()),
            false,
        ),
    };
    let auth = match &ov.token {
        Some(t) => Auth::Bearer(t.clone()),
        None => Auth::TokenFile(token_path),
    };
    let server = ov
        .server
        .clone()
        .unwrap_or_else(|| format!("https://{host_port}"));
    Ok(Some(RestConfig {
        server_as_given: server.clone(),
        server,
        namespace,
        namespace_overridden,
        tls,
        auth,
        impersonate: ov.impersonate.clone(),
        impersonate_uid: ov.impersonate_uid.clone(),
        impersonate_groups: ov.impersonate_groups.clone(),
        impersonate_user_extra: ov.impersonate_user_extra.clone(),
        disable_compression: ov.disable_compression,
        timeout: ov.request_timeout.filter(|d| !d.is_zero()),
        in_cluster: true,
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubeconfig::Loader;

    const KC: &str = "\
clusters:
- name: c1
  cluster: {server: 'https://one:6443/', certificate-authority: ca.pem, tls-server-name: sni}
- name: c2
  cluster: {server: 'http://plain:8080', certificate-authority-data: YWJj}
- name: noserver
  cluster: {}
users:
- name: u1
  user: {token: tok1, as: admin}
- name: u2
  user: {tokenFile: tokfile}
- name: both
  user: {token: t, username: bob, password: pw}
- name: ex
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/plug, provideClusterInfo: true, interactiveMode: Never}
- name: ex-no-mode
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: plug}
contexts:
- name: ctx1
  context: {cluster: c1, user: u1, namespace: ns1}
- name: ctx2
  context: {cluster: c2, user: u1}
- name: ctx3
  context: {cluster: c1, user: u2}
- name: bad
  context: {cluster: noserver, user: both}
- name: exctx
  context: {cluster: c1, user: ex}
- name: dangling
  context: {cluster: gone, user: u1}
current-context: ctx1
";

    fn setup() -> (tempfile::TempDir, LoadedConfig) {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("config"), KC).unwrap();
        std::fs::write(d.path().join("ca.pem"), "CA PEM").unwrap();
        let l = Loader {
            explicit: Some(d.path().join("config")),
            ..Default::default()
        };
        let loaded = l.load().unwrap();
        (d, loaded)
    }

    fn ov() -> ConfigOverrides {
        ConfigOverrides::default()
    }

    /// Resolves `--context CONTEXT` alone, outside a cluster.
    fn in_context(l: &LoadedConfig, context: &str) -> Result<RestConfig, KubeconfigError> {
        let o = ConfigOverrides {
            context: Some(context.into()),
            ..ov()
        };
        l.resolve(&o, &InClusterEnv::default())
    }

    #[test]
    fn current_context_resolution() {
        let (d, l) = setup();
        let rc = l.resolve(&ov(), &InClusterEnv::default()).unwrap();
        assert_eq!(rc.server, "https://one:6443");
        assert_eq!(rc.namespace, "ns1");
        assert!(!rc.namespace_overridden);
        assert_eq!(rc.tls.ca_pem.as_deref(), Some(&b"CA PEM"[..]));
        assert_eq!(rc.tls.server_name.as_deref(), Some("sni"));
        assert_eq!(rc.auth, Auth::Bearer("tok1".into()));
        assert_eq!(rc.impersonate.as_deref(), Some("admin"));
        assert_eq!(
            (rc.context_name.as_str(), rc.cluster_name.as_str()),
            ("ctx1", "c1")
        );
        drop(d);
    }

    #[test]
    fn overrides_win() {
        let (d, l) = setup();
        let o = ConfigOverrides {
            context: Some("ctx3".into()),
            namespace: Some("kube-system".into()),
            server: Some("https://other:1".into()),
            token: Some("flagtok".into()),
            insecure_skip_tls_verify: true,
            impersonate: Some("jane".into()),
            impersonate_groups: vec!["g1".into(), "g2".into()],
            request_timeout: Some(Duration::from_secs(5)),
            ..ov()
        };
        let rc = l.resolve(&o, &InClusterEnv::default()).unwrap();
        assert_eq!(rc.server, "https://other:1");
        assert_eq!(rc.namespace, "kube-system");
        assert!(rc.namespace_overridden);
        assert_eq!(rc.auth, Auth::Bearer("flagtok".into()));
        // --insecure-skip-tls-verify without a CA flag drops the configured CA; --server drops SNI.
        assert!(rc.tls.insecure && rc.tls.ca_pem.is_none() && rc.tls.server_name.is_none());
        assert_eq!(rc.impersonate_groups, ["g1", "g2"]);
        assert_eq!(rc.timeout, Some(Duration::from_secs(5)));
        let o = ConfigOverrides {
            cluster: Some("c2".into()),
            request_timeout: Some(Duration::ZERO),
            ..ov()
        };
        let rc = l.resolve(&o, &InClusterEnv::default()).unwrap();
        assert_eq!(rc.server, "http://plain:8080");
        assert_eq!(rc.namespace, "ns1");
        assert_eq!(rc.timeout, None);
        drop(d);
    }

    #[test]
    fn no_credentials_over_plain_http_and_data_forms() {
        let (d, l) = setup();
        let rc = in_context(&l, "ctx2").unwrap();
        assert_eq!(rc.auth, Auth::None);
        assert_eq!(rc.tls.ca_pem.as_deref(), Some(&b"abc"[..]));
        assert_eq!(rc.namespace, "default");
        drop(d);
    }

    #[test]
    fn token_file_and_exec_paths_are_relative_to_the_file() {
        let (d, l) = setup();
        let rc = in_context(&l, "ctx3").unwrap();
        assert_eq!(rc.auth, Auth::TokenFile(d.path().join("tokfile")));
        let rc = in_context(&l, "exctx").unwrap();
        let Auth::Exec(x) = rc.auth else {
            panic!("{:?}", rc.auth)
        };
        assert_eq!(
            x.config.command,
            d.path().join("bin/plug").to_string_lossy()
        );
        let info = x.cluster_info.unwrap();
        assert_eq!(info["server"], "https://one:6443");
        assert_eq!(info["certificate-authority-data"], "Q0EgUEVN");
    }

    #[test]
    fn validation_errors() {
        let (d, l) = setup();
        let e = in_context(&l, "nope").unwrap_err();
        assert_eq!(
            e.to_string(),
            "context was not found for specified context: nope"
        );
        let e = in_context(&l, "bad").unwrap_err();
        assert_eq!(
            e.to_string(),
            "more than one authentication method found for both; found [token basicAuth], only one is allowed"
        );
        // Only a `--cluster` naming a missing cluster lacks a server; `-s` does not help.
        let o = ConfigOverrides {
            cluster: Some("nope".into()),
            server: Some("https://x:1".into()),
            ..ov()
        };
        let e = l.resolve(&o, &InClusterEnv::default()).unwrap_err();
        assert_eq!(e.to_string(), "no server found for cluster \"nope\"");
        let o = ConfigOverrides {
            user: Some("ex-no-mode".into()),
            ..ov()
        };
        let e = l.resolve(&o, &InClusterEnv::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "interactiveMode must be specified for ex-no-mode to use exec authentication plugin"
        );
        std::fs::remove_file(d.path().join("ca.pem")).unwrap();
        let e = l.resolve(&ov(), &InClusterEnv::default()).unwrap_err();
        let ca = d.path().join("ca.pem");
        assert_eq!(
            e.to_string(),
            format!(
                "unable to read certificate-authority {} for c1 due to open {}: no such file or directory",
                ca.display(),
                ca.display()
            )
        );
    }

    #[test]
    fn a_cluster_without_server_uses_the_default_server() {
        let (_d, l) = setup();
        let env = InClusterEnv {
            kubernetes_master: Some("http://master:1".into()),
            ..Default::default()
        };
        // An existing cluster without a server (`cluster: {}` or `cluster: null`).
        let o = ConfigOverrides {
            cluster: Some("noserver".into()),
            ..ov()
        };
        assert_eq!(
            l.resolve(&o, &InClusterEnv::default()).unwrap().server,
            "http://localhost:8080"
        );
        assert_eq!(l.resolve(&o, &env).unwrap().server, "http://master:1");
        // A context naming a cluster that does not exist.
        assert_eq!(
            in_context(&l, "dangling").unwrap().server,
            "http://localhost:8080"
        );
    }

    #[test]
    fn empty_config_defaults_and_in_cluster() {
        let l = LoadedConfig::default();
        let rc = l.resolve(&ov(), &InClusterEnv::default()).unwrap();
        assert_eq!(rc.server, "http://localhost:8080");
        assert_eq!(rc.namespace, "default");
        let env = InClusterEnv {
            kubernetes_master: Some("http://master:1".into()),
            ..Default::default()
        };
        assert_eq!(l.resolve(&ov(), &env).unwrap().server, "http://master:1");

        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("token"), "sa-token").unwrap();
        std::fs::write(d.path().join("ca.crt"), "CA").unwrap();
        std::fs::write(d.path().join("namespace"), "team-a\n").unwrap();
        let env = InClusterEnv {
            service_host: Some("10.0.0.1".into()),
            service_port: Some("443".into()),
            service_account_dir: d.path().into(),
            ..Default::default()
        };
        let rc = l.resolve(&ov(), &env).unwrap();
        assert!(rc.in_cluster);
        assert_eq!(rc.server, "https://10.0.0.1:443");
        assert_eq!(rc.namespace, "team-a");
        assert_eq!(rc.auth, Auth::TokenFile(d.path().join("token")));
        assert_eq!(rc.tls.ca_pem.as_deref(), Some(&b"CA"[..]));
    }

    #[test]
    fn debug_output_masks_secrets() {
        let (_d, l) = setup();
        let rc = l.resolve(&ov(), &InClusterEnv::default()).unwrap();
        let s = format!("{rc:?}");
        assert!(!s.contains("tok1"), "{s}");
    }
}

//! Exec credential plugins (client-go `plugin/pkg/client/auth/exec`): run the configured
//! command with `KUBERNETES_EXEC_INFO`, read an `ExecCredential` from its stdout, and keep it
//! until `expirationTimestamp`. Error texts follow client-go's.

use crate::kubeconfig::resolve::ExecSpec;
use chrono::{DateTime, Utc};
use kcore::gopath::clean;
use serde_json::{json, Value};
use std::process::Stdio;

/// client-go's help text when the plugin binary is missing.
const INSTALL_HINT_VERBOSE_HELP: &str = "\n\nIt looks like you are trying to use a client-go credential plugin that is not installed.\n\nTo learn more about this feature, consult the documentation available at:\n      https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins";

/// Credentials returned by a plugin.
#[derive(Clone, PartialEq)]
pub struct ExecCredential {
    /// Bearer token.
    pub token: Option<String>,
    /// PEM client certificate.
    pub client_certificate_data: Option<String>,
    /// PEM client key.
    pub client_key_data: Option<String>,
    /// When to run the plugin again (None: never expires).
    pub expires: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for ExecCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecCredential")
            .field("token", &self.token.as_ref().map(|_| "<masked>"))
            .field("client_cert", &self.client_certificate_data.is_some())
            .field("expires", &self.expires)
            .finish()
    }
}

impl ExecCredential {
    /// True when the credential must be refreshed at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_some_and(|t| t <= now)
    }
}

/// Whether stdin is a terminal, for `interactiveMode`.
#[derive(Debug, Clone, Default)]
pub struct Terminal {
    /// stdin is a terminal.
    pub stdin_is_terminal: bool,
    /// Set once the command reads its manifests (or other input) from stdin: cli-runtime's
    /// `StdinUnavailable`, so a plugin never competes for it.
    pub stdin_in_use: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Terminal {
    fn stdin_unavailable(&self) -> bool {
        self.stdin_in_use.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The `KUBERNETES_EXEC_INFO` value for `spec`.
pub fn exec_info(spec: &ExecSpec, interactive: bool) -> Value {
    let mut s = json!({ "interactive": interactive });
    if let Some(c) = &spec.cluster_info {
        s["cluster"] = c.clone();
    }
    json!({
        "kind": "ExecCredential",
        "apiVersion": spec.config.api_version,
        "spec": s,
    })
}

/// Runs the plugin and parses its answer. Errors are client-go's texts (without the
/// `getting credentials: ` prefix the caller adds).
pub async fn run_plugin(spec: &ExecSpec, term: &Terminal) -> Result<ExecCredential, String> {
    let cfg = &spec.config;
    let interactive = match cfg.interactive_mode.as_deref().unwrap_or("IfAvailable") {
        "Never" => false,
        "Always" => {
            if !term.stdin_is_terminal {
                return Err(
                    "exec plugin cannot support interactive mode: standard input is not a terminal"
                        .into(),
                );
            }
            if term.stdin_unavailable() {
                return Err("exec plugin cannot support interactive mode: standard input is unavailable: used by stdin resource manifest reader".into());
            }
            true
        }
        _ => term.stdin_is_terminal && !term.stdin_unavailable(),
    };
    let info = exec_info(spec, interactive);
    check_policy(spec)?;
    let mut cmd = tokio::process::Command::new(&cfg.command);
    cmd.args(cfg.args.iter().flatten());
    for e in cfg.env.iter().flatten() {
        cmd.env(&e.name, &e.value);
    }
    cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
    cmd.stdin(if interactive {
        Stdio::inherit()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped());
    cmd.stderr(Stdio::inherit());
    cmd.kill_on_drop(true);
    let out = match cmd.output().await {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut s = format!("exec: executable {} not found", cfg.command);
            s.push_str(INSTALL_HINT_VERBOSE_HELP);
            if let Some(h) = cfg.install_hint.as_deref().filter(|h| !h.is_empty()) {
                s.push_str("\n\n");
                s.push_str(h);
            }
            return Err(s);
        }
        Err(e) => return Err(format!("exec: {e}")),
    };
    if !out.status.success() {
        return Err(format!(
            "exec: executable {} failed with exit code {}",
            cfg.command,
            out.status.code().unwrap_or(-1)
        ));
    }
    parse_credential(&out.stdout, &cfg.api_version)
}

/// client-go `updateCommandAndCheckAllowlistLocked`: whether the credential plugin policy
/// lets the plugin run.
fn check_policy(spec: &ExecSpec) -> Result<(), String> {
    let policy = &spec.policy;
    // The command as configured, cleaned (what the allowlist is compared with first).
    let command = clean(&spec.config.command);
    match policy.policy_type.as_str() {
        "" | "AllowAll" => Ok(()),
        "DenyAll" => Err(format!(
            "plugin {command:?} not allowed: policy set to \"DenyAll\""
        )),
        "Allowlist" => check_allowlist(spec, &command),
        other => Err(format!("unknown plugin policy {other:?}")),
    }
}

/// client-go `checkAllowlistLocked`: the command, as configured or as resolved on `$PATH`,
/// must be an allowlist entry, or the same file as an entry resolved on `$PATH`.
fn check_allowlist(spec: &ExecSpec, command: &str) -> Result<(), String> {
    let list = spec.policy.allowlist.as_deref().unwrap_or_default();
    let path_env = spec.search_path.as_deref().unwrap_or("");
    let listed = |p: &str| list.iter().any(|e| e == p);
    // `exec.Command` resolves a bare name on $PATH; a failed lookup leaves the name.
    let cmd_path = if command.contains('/') {
        command.to_string()
    } else {
        look_path(command, path_env).unwrap_or_else(|_| command.to_string())
    };
    if listed(command) || listed(&cmd_path) {
        return Ok(());
    }
    let resolved = look_path(&cmd_path, path_env).map_err(|e| {
        format!("plugin path {cmd_path:?} cannot be resolved for credential plugin allowlist check: {e}")
    })?;
    if listed(&resolved) {
        return Ok(());
    }
    // Entries with the same base name, resolved on $PATH.
    let base = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let hint = base(&resolved);
    let matched = list
        .iter()
        .filter(|e| base(&clean(e)) == hint)
        .filter_map(|e| look_path(e, path_env).ok())
        .any(|p| p == resolved);
    if matched {
        return Ok(());
    }
    Err(format!(
        "plugin path {resolved:?} is not permitted by the credential plugin allowlist"
    ))
}

/// Go's `exec.LookPath` over `path_env`: a name with a slash is checked as it is, a bare
/// name searched in each `$PATH` directory (a relative result is refused, as Go's `ErrDot`).
fn look_path(file: &str, path_env: &str) -> Result<String, String> {
    let executable = |p: &std::path::Path| -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => Err("is a directory".into()),
            Ok(m) if m.permissions().mode() & 0o111 != 0 => Ok(()),
            Ok(_) => Err("permission denied".into()),
            Err(e) => Err(format!(
                "stat {}: {}",
                p.display(),
                crate::kubeconfig::resolve::io_text(&e)
            )),
        }
    };
    if file.contains('/') {
        return executable(std::path::Path::new(file))
            .map(|_| file.to_string())
            .map_err(|e| format!("exec: {file:?}: {e}"));
    }
    for dir in path_env.split(':') {
        let dir = if dir.is_empty() { "." } else { dir };
        let candidate = format!("{}/{file}", dir.trim_end_matches('/'));
        if executable(std::path::Path::new(&candidate)).is_ok() {
            if !candidate.starts_with('/') {
                return Err(format!(
                    "exec: {file:?}: cannot run executable found relative to current directory"
                ));
            }
            return Ok(clean(&candidate));
        }
    }
    Err(format!(
        "exec: {file:?}: executable file not found in $PATH"
    ))
}

/// Parses and checks an `ExecCredential` printed by a plugin.
pub fn parse_credential(stdout: &[u8], api_version: &str) -> Result<ExecCredential, String> {
    // apimachinery's universal decoder: what is not JSON is read as YAML, converted to JSON,
    // and its type and kind read into a struct.
    let v: Value = match serde_json::from_slice(stdout) {
        Ok(v) => v,
        Err(e) => serde_yaml_ng::from_slice(stdout).map_err(|_| format!("decoding stdout: {e}"))?,
    };
    let go_type = match &v {
        Value::String(_) => Some("string"),
        Value::Number(_) => Some("number"),
        Value::Array(_) => Some("array"),
        Value::Bool(_) => Some("bool"),
        Value::Null | Value::Object(_) => None,
    };
    if let Some(t) = go_type {
        return Err(format!(
            "decoding stdout: couldn't get version/kind; json parse error: json: cannot unmarshal {t} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}"
        ));
    }
    // The decoder defaults a missing kind from the ExecCredential it decodes into, and a
    // missing apiVersion to the internal version, which the version check then refuses.
    let got_version = match v.get("apiVersion").and_then(Value::as_str) {
        Some(g) if !g.is_empty() => g,
        _ => "client.authentication.k8s.io/__internal",
    };
    if !matches!(
        v.get("kind").and_then(Value::as_str),
        None | Some("" | "ExecCredential")
    ) || !v.is_object()
    {
        return Err("decoding stdout: couldn't get version/kind; json parse error".into());
    }
    if got_version != api_version {
        return Err(format!(
            "exec plugin is configured to use API version {api_version}, plugin returned version {got_version}"
        ));
    }
    let Some(status) = v.get("status").filter(|s| s.is_object()) else {
        return Err("exec plugin didn't return a status field".into());
    };
    let field = |k: &str| {
        status
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let token = field("token");
    let cert = field("clientCertificateData");
    let key = field("clientKeyData");
    if token.is_none() && cert.is_none() && key.is_none() {
        return Err("exec plugin didn't return a token or cert/key pair".into());
    }
    if cert.is_some() != key.is_some() {
        return Err("exec plugin returned only certificate or key, not both".into());
    }
    let expires = match field("expirationTimestamp") {
        Some(t) => Some(
            DateTime::parse_from_rfc3339(&t)
                .map_err(|e| format!("decoding stdout: invalid expirationTimestamp {t:?}: {e}"))?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    Ok(ExecCredential {
        token,
        client_certificate_data: cert,
        client_key_data: key,
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubeconfig::model::{ExecConfig, ExecEnvVar};

    const V1: &str = "client.authentication.k8s.io/v1";

    #[test]
    fn parses_and_validates_credentials() {
        let c = parse_credential(
            br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t","expirationTimestamp":"2020-01-01T00:00:00Z"}}"#,
            V1,
        )
        .unwrap();
        assert_eq!(c.token.as_deref(), Some("t"));
        assert!(c.is_expired(Utc::now()));
        assert!(!format!("{c:?}").contains("\"t\""));
        let e = parse_credential(
            br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"t"}}"#,
            V1,
        )
        .unwrap_err();
        assert_eq!(e, "exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/v1beta1");
        let e = parse_credential(
            br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1"}"#,
            V1,
        )
        .unwrap_err();
        assert_eq!(e, "exec plugin didn't return a status field");
        let e = parse_credential(
            br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"clientKeyData":"k"}}"#,
            V1,
        )
        .unwrap_err();
        assert_eq!(e, "exec plugin returned only certificate or key, not both");
        assert!(parse_credential(b"nope", V1)
            .unwrap_err()
            .starts_with("decoding stdout: "));
    }

    /// Checked against kubectl v1.36 with plugins printing these answers.
    #[test]
    fn decodes_answers_as_the_universal_decoder_does() {
        let strukt = r#"struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" }"#;
        // `ls`: YAML, a string.
        assert_eq!(
            parse_credential(b"afile\nkc.yaml\n", V1).unwrap_err(),
            format!("decoding stdout: couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type {strukt}")
        );
        assert_eq!(
            parse_credential(b"[1]\n", V1).unwrap_err(),
            format!("decoding stdout: couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type {strukt}")
        );
        assert_eq!(
            parse_credential(br#"{"a":1}"#, V1).unwrap_err(),
            "exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/__internal"
        );
        // Without a kind (test/cmd's plugin): the decoder defaults it.
        let c = parse_credential(
            br#"{"apiVersion":"client.authentication.k8s.io/v1","status":{"token":"admin-token"}}"#,
            V1,
        )
        .unwrap();
        assert_eq!(c.token.as_deref(), Some("admin-token"));
    }

    #[tokio::test]
    async fn stdin_in_use_is_never_given_to_a_plugin() {
        let term = Terminal {
            stdin_is_terminal: true,
            stdin_in_use: Default::default(),
        };
        term.stdin_in_use
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let e = run_plugin(&spec("whatever", Some("Always")), &term)
            .await
            .unwrap_err();
        assert_eq!(e, "exec plugin cannot support interactive mode: standard input is unavailable: used by stdin resource manifest reader");
    }

    fn spec(command: &str, mode: Option<&str>) -> ExecSpec {
        ExecSpec {
            config: ExecConfig {
                command: command.into(),
                args: Some(vec!["arg1".into()]),
                env: Some(vec![ExecEnvVar {
                    name: "PLUGIN_TOKEN".into(),
                    value: "from-env".into(),
                }]),
                api_version: V1.into(),
                install_hint: Some("install it with: brew install plug".into()),
                interactive_mode: mode.map(String::from),
                ..Default::default()
            },
            user_name: "u".into(),
            cluster_info: Some(json!({"server": "https://x"})),
            policy: Default::default(),
            search_path: None,
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn runs_a_script_plugin() {
        let (d, script) = crate::testutil::temp_script(
            "plug",
            "#!/bin/sh\necho \"$KUBERNETES_EXEC_INFO\" > \"$(dirname \"$0\")/info\"\nprintf '{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"status\":{\"token\":\"%s-%s\"}}' \"$PLUGIN_TOKEN\" \"$1\"\n",
        );
        let s = spec(script.to_str().unwrap(), Some("Never"));
        let c = run_plugin(&s, &Terminal::default()).await.unwrap();
        assert_eq!(c.token.as_deref(), Some("from-env-arg1"));
        let info: Value =
            serde_json::from_str(&std::fs::read_to_string(d.path().join("info")).unwrap()).unwrap();
        assert_eq!(info["spec"]["interactive"], false);
        assert_eq!(info["spec"]["cluster"]["server"], "https://x");
        assert_eq!(info["apiVersion"], V1);

        std::fs::write(&script, "#!/bin/sh\nexit 3\n").unwrap();
        let e = run_plugin(&s, &Terminal::default()).await.unwrap_err();
        assert_eq!(
            e,
            format!(
                "exec: executable {} failed with exit code 3",
                script.display()
            )
        );
    }

    #[tokio::test]
    async fn missing_plugin_and_interactive_errors() {
        let s = spec("kubectl-rs-no-such-plugin", None);
        let e = run_plugin(&s, &Terminal::default()).await.unwrap_err();
        assert!(e.starts_with("exec: executable kubectl-rs-no-such-plugin not found\n\nIt looks like you are trying to use a client-go credential plugin that is not installed."), "{e}");
        assert!(e.ends_with("\n\ninstall it with: brew install plug"), "{e}");
        let s = spec("whatever", Some("Always"));
        let e = run_plugin(&s, &Terminal::default()).await.unwrap_err();
        assert_eq!(
            e,
            "exec plugin cannot support interactive mode: standard input is not a terminal"
        );
    }
}

//! `kubectl-rs version`: client and server versions and the version-skew warning.
//!
//! Our client version keeps kubectl's shape so that tools parsing it keep working: the
//! kubectl release whose behaviour we follow, then our own version as a pre-release tag:
//! `v1.36.2-kubectl-rs.<crate version>`. There is no bundled kustomize, so no
//! `Kustomize Version` line.

use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::discovery::server_version;
use crate::error::CliError;
use serde::Serialize;
use serde_json::Value;
use std::io::Write;

/// The kubectl release whose behaviour kubectl-rs reproduces.
pub const COMPAT_MAJOR: &str = "1";
/// Its minor version.
pub const COMPAT_MINOR: &str = "36";
/// `Client Version:` value.
/// The kustomize release kubectl v1.36 embeds (its `Kustomize Version:` line and
/// `kustomizeVersion` field; sigs.k8s.io/kustomize/kustomize/v5 in kubectl's go.mod).
pub const KUSTOMIZE_VERSION: &str = "v5.8.1";
pub const CLIENT_GIT_VERSION: &str = concat!("v1.36.2-kubectl-rs.", env!("CARGO_PKG_VERSION"));

/// Print the client and server version information for the current context.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(mut_arg("output", |a| a.help("One of 'yaml' or 'json'.")))]
pub struct VersionArgs {
    /// If true, shows client version only (no server required).
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub client: bool,
    #[command(flatten)]
    pub output: crate::cmd::flags::OutputFlag,
}

/// Our client version (the fields a Go build records are left empty).
pub fn client_version() -> VersionInfo {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    VersionInfo {
        major: COMPAT_MAJOR.into(),
        minor: COMPAT_MINOR.into(),
        git_version: CLIENT_GIT_VERSION.into(),
        compiler: "rustc".into(),
        platform: format!("{}/{arch}", std::env::consts::OS),
        ..VersionInfo::default()
    }
}

/// Go's `version.Info`, in its field order: the client's record and the server's `/version`
/// (kubectl decodes and re-encodes it, so unknown fields are dropped and known ones keep this
/// order; the emulation fields are the server's only).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VersionInfo {
    /// Major.
    pub major: String,
    /// Minor.
    pub minor: String,
    /// Emulated major version, when the server emulates an older one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub emulation_major: String,
    /// Emulated minor version.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub emulation_minor: String,
    /// Oldest compatible major version.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub min_compatibility_major: String,
    /// Oldest compatible minor version.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub min_compatibility_minor: String,
    /// `v1.36.2` (the client: `v1.36.2-kubectl-rs.<version>`).
    pub git_version: String,
    /// Commit.
    pub git_commit: String,
    /// `clean`/`dirty`.
    pub git_tree_state: String,
    /// Build time.
    pub build_date: String,
    /// Go version.
    pub go_version: String,
    /// `gc`.
    pub compiler: String,
    /// `linux/amd64`.
    pub platform: String,
}

/// `version -o json|yaml`'s document.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionDoc {
    client_version: VersionInfo,
    kustomize_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    server_version: Option<VersionInfo>,
}

/// The skew warning when client and server minors differ by more than one.
pub fn skew_warning(server: &Value) -> Option<String> {
    let minor = |v: &str| v.trim_end_matches('+').parse::<i64>().ok();
    let smaj = server.get("major").and_then(Value::as_str)?;
    let smin = minor(server.get("minor").and_then(Value::as_str)?)?;
    let cmin = minor(COMPAT_MINOR)?;
    if smaj != COMPAT_MAJOR || (smin - cmin).abs() > 1 {
        return Some(format!(
            "WARNING: version difference between client ({COMPAT_MAJOR}.{cmin}) and server ({smaj}.{smin}) exceeds the supported minor version skew of +/-1\n"
        ));
    }
    None
}

impl VersionArgs {
    /// The text for stdout given the server's answer (None with `--client`).
    pub fn render(&self, server: Option<&Value>) -> Result<String, CliError> {
        let client = client_version();
        match self.output.value.as_str() {
            "" => {
                let mut s = format!(
                    "Client Version: {}\nKustomize Version: {KUSTOMIZE_VERSION}\n",
                    client.git_version
                );
                if let Some(v) = server {
                    let gv = v.get("gitVersion").and_then(Value::as_str).unwrap_or("");
                    s.push_str(&format!("Server Version: {gv}\n"));
                }
                Ok(s)
            }
            "json" | "yaml" => {
                let doc = VersionDoc {
                    client_version: client,
                    kustomize_version: KUSTOMIZE_VERSION,
                    server_version: server
                        .map(|v| serde_json::from_value(v.clone()).unwrap_or_default()),
                };
                if self.output.value == "json" {
                    Ok(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n")
                } else {
                    let v = serde_json::to_value(&doc).unwrap_or_default();
                    // kubectl prints the marshalled YAML with Println: one more newline.
                    Ok(crate::print::yaml::to_yaml_string(&v) + "\n")
                }
            }
            _ => Err(CliError::msg("--output must be 'yaml' or 'json'")),
        }
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if !["", "json", "yaml"].contains(&self.output.value.as_str()) {
            return Err(CliError::msg("--output must be 'yaml' or 'json'"));
        }
        if self.client {
            let text = self.render(None)?;
            ctx.out().write_all(text.as_bytes())?;
            return Ok(());
        }
        // Configuration errors end the command before anything is printed (kubectl builds its
        // discovery client in Complete); a failed request still shows the client version.
        let client = ctx.client()?;
        let server = server_version(client).await.map_err(CliError::from);
        match server {
            Ok(v) => {
                let text = self.render(Some(&v))?;
                ctx.out().write_all(text.as_bytes())?;
                if let Some(w) = skew_warning(&v) {
                    ctx.out().flush()?;
                    ctx.eprint(&w);
                }
                Ok(())
            }
            Err(e) => {
                // kubectl prints what it knows (the client) before the error.
                let text = self.render(None)?;
                ctx.out().write_all(text.as_bytes())?;
                Err(e)
            }
        }
    }
}

/// `kubectl version`: kubectl's description.
pub const VERSION_LONG: &str =
    r"Print the client and server version information for the current context.";

/// `kubectl version`: kubectl's examples.
pub const VERSION_EXAMPLES: &str = r"Examples:
  # Print the client and server versions for the current context
  kubectl version";

/// `kubectl version`: kubectl's usage (`Use`).
pub const VERSION_USAGE: &str = r"version [flags]";

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> Value {
        let p = format!(
            "{}/tests/fixtures/reference/version.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn text_and_json() {
        let a = VersionArgs::default();
        let t = a.render(Some(&server())).unwrap();
        assert_eq!(
            t,
            format!("Client Version: {CLIENT_GIT_VERSION}\nKustomize Version: v5.8.1\nServer Version: v1.36.2\n")
        );
        let a = VersionArgs {
            output: "json".into(),
            ..Default::default()
        };
        let t = a.render(Some(&server())).unwrap();
        let v: Value = serde_json::from_str(&t).unwrap();
        assert_eq!(v["serverVersion"]["gitVersion"], "v1.36.2");
        assert_eq!(v["clientVersion"]["minor"], "36");
        // Go's field order, not sorted.
        assert!(t.find("\"major\"").unwrap() < t.find("\"gitVersion\"").unwrap());
        assert!(t.contains("  \"serverVersion\": {\n    \"major\": \"1\",\n    \"minor\": \"36\",\n    \"emulationMajor\""), "{t}");
        let a = VersionArgs {
            output: "yaml".into(),
            client: true,
        };
        assert!(a.render(None).unwrap().starts_with("clientVersion:\n"));
        assert!(VersionArgs {
            output: "x".into(),
            ..Default::default()
        }
        .render(None)
        .is_err());
    }

    #[test]
    fn skew() {
        assert_eq!(skew_warning(&server()), None);
        let old = serde_json::json!({"major": "1", "minor": "33"});
        assert_eq!(
            skew_warning(&old).unwrap(),
            "WARNING: version difference between client (1.36) and server (1.33) exceeds the supported minor version skew of +/-1\n"
        );
        assert_eq!(
            skew_warning(&serde_json::json!({"major": "1", "minor": "35+"})),
            None
        );
    }
}

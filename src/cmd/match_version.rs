//! `--match-server-version`: kubectl's `MatchVersionFlags`. Before the first request of a
//! command that talks to the server, the server's `/version` is compared with the client's,
//! and a difference fails the command with apimachinery's `MatchesServerVersion` text.
//!
//! kubectl compares `gitVersion`, `gitCommit` and `gitTreeState`: two builds of one source
//! tree. kubectl-rs is no build of Kubernetes' tree, so it compares the Kubernetes release it
//! implements (`v1.36.2`) with the server's release (its `gitVersion` up to any pre-release or
//! build suffix: `v1.36.2`, `v1.36.2-sandbox`, `v1.36.2+k3s1` all match).

use crate::client::{Client, ClientError};
use crate::discovery::server_version;
use crate::error::CliError;
use serde_json::Value;

use super::version::{client_version, CLIENT_GIT_VERSION};

/// The release a `gitVersion` names: `v1.36.2` of `v1.36.2-rc.1+abc`.
fn release(git_version: &str) -> &str {
    git_version.split(['-', '+']).next().unwrap_or(git_version)
}

/// Go's `%#v` of a `version.Info` given as its JSON (fields in declaration order).
pub fn go_info(v: &Value) -> String {
    const FIELDS: [(&str, &str); 13] = [
        ("Major", "major"),
        ("Minor", "minor"),
        ("EmulationMajor", "emulationMajor"),
        ("EmulationMinor", "emulationMinor"),
        ("MinCompatibilityMajor", "minCompatibilityMajor"),
        ("MinCompatibilityMinor", "minCompatibilityMinor"),
        ("GitVersion", "gitVersion"),
        ("GitCommit", "gitCommit"),
        ("GitTreeState", "gitTreeState"),
        ("BuildDate", "buildDate"),
        ("GoVersion", "goVersion"),
        ("Compiler", "compiler"),
        ("Platform", "platform"),
    ];
    let fields: Vec<String> = FIELDS
        .iter()
        .map(|(go, json)| {
            let s = v.get(json).and_then(Value::as_str).unwrap_or("");
            format!("{go}:{}", kcore::gofmt::go_quote(s))
        })
        .collect();
    format!("version.Info{{{}}}", fields.join(", "))
}

/// The error for a server `/version` document that does not match this client, if any.
pub fn mismatch(server: &Value) -> Option<CliError> {
    let server_git = server
        .get("gitVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if release(server_git) == release(CLIENT_GIT_VERSION) {
        return None;
    }
    let client = serde_json::to_value(client_version()).unwrap_or_default();
    Some(CliError::msg(format!(
        "server version (&{}) differs from client version ({})",
        go_info(server),
        go_info(&client)
    )))
}

/// Fails unless the server's version matches the client's.
pub async fn check(client: &Client) -> Result<(), CliError> {
    let server = server_version(client).await.map_err(|e| {
        let why = match e {
            // client-go's transport error text (kubectl's summary line is for commands).
            ClientError::ConnectionRefused { host } => format!(
                "Get \"{}/version?timeout=32s\": dial tcp {host}: connect: connection refused",
                client.config().server.trim_end_matches('/')
            ),
            ClientError::Unreachable(why) => why,
            e => e.to_string(),
        };
        CliError::msg(format!("couldn't read version from server: {why}"))
    })?;
    mismatch(&server).map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_compare_without_suffixes() {
        let v = |g: &str| serde_json::json!({"major": "1", "minor": "36", "gitVersion": g});
        assert!(mismatch(&v("v1.36.2")).is_none());
        assert!(mismatch(&v("v1.36.2-sandbox")).is_none());
        assert!(mismatch(&v("v1.36.2+k3s1")).is_none());
        let e = mismatch(&v("v1.36.1")).unwrap().to_string();
        assert!(
            e.starts_with(r#"server version (&version.Info{Major:"1", Minor:"36", EmulationMajor:"", EmulationMinor:"", MinCompatibilityMajor:"", MinCompatibilityMinor:"", GitVersion:"v1.36.1", GitCommit:"", "#),
            "{e}"
        );
        assert!(
            e.contains(r#") differs from client version (version.Info{Major:"1", Minor:"36", "#),
            "{e}"
        );
    }
}

//! The serde model of one kubeconfig file (client-go's `clientcmd/api/v1` field names).
//! Unknown keys are kept in `extra` so that editing a file never drops what we don't model.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Keys we don't model, kept as they were.
pub type Extra = BTreeMap<String, Value>;

/// One kubeconfig file, or the merge of several.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Kubeconfig {
    /// `kind: Config`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `apiVersion: v1`.
    #[serde(
        rename = "apiVersion",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub api_version: Option<String>,
    /// User preferences (opaque to us).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferences: Option<Value>,
    /// Named clusters.
    #[serde(default, deserialize_with = "null_as_default")]
    pub clusters: Vec<Named<Cluster>>,
    /// Named users (client-go's AuthInfos).
    #[serde(default, deserialize_with = "null_as_default")]
    pub users: Vec<NamedUser>,
    /// Named contexts.
    #[serde(default, deserialize_with = "null_as_default")]
    pub contexts: Vec<NamedContext>,
    /// The context used when `--context` is not given.
    #[serde(
        rename = "current-context",
        default,
        deserialize_with = "null_as_default"
    )]
    pub current_context: String,
    /// Top-level extensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Value>,
    /// Other top-level keys.
    #[serde(flatten)]
    pub extra: Extra,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A `{name, cluster}` list entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Named<T> {
    /// The entry's name.
    pub name: String,
    /// The cluster.
    #[serde(default)]
    pub cluster: T,
}

/// A `{name, user}` list entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedUser {
    /// The entry's name.
    pub name: String,
    /// The user's credentials.
    #[serde(default)]
    pub user: AuthInfo,
}

/// A `{name, context}` list entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedContext {
    /// The entry's name.
    pub name: String,
    /// The context.
    #[serde(default)]
    pub context: ContextEntry,
}

/// How to reach one API server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Cluster {
    /// `https://host:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Name used for SNI and certificate verification instead of the server's host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_server_name: Option<String>,
    /// Skip server certificate verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_skip_tls_verify: Option<bool>,
    /// Path of a PEM CA bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_authority: Option<String>,
    /// Base64 of a PEM CA bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_authority_data: Option<String>,
    /// Proxy for all requests to this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_url: Option<String>,
    /// Don't ask for gzip responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_compression: Option<bool>,
    /// Extensions (opaque).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Value>,
    /// Other keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Credentials of one user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AuthInfo {
    /// Path of a PEM client certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<String>,
    /// Base64 of a PEM client certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate_data: Option<String>,
    /// Path of a PEM private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    /// Base64 of a PEM private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_data: Option<String>,
    /// Bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// File holding a bearer token.
    #[serde(rename = "tokenFile", default, skip_serializing_if = "Option::is_none")]
    pub token_file: Option<String>,
    /// User to impersonate.
    #[serde(rename = "as", default, skip_serializing_if = "Option::is_none")]
    pub impersonate: Option<String>,
    /// UID to impersonate.
    #[serde(rename = "as-uid", default, skip_serializing_if = "Option::is_none")]
    pub impersonate_uid: Option<String>,
    /// Groups to impersonate.
    #[serde(rename = "as-groups", default, skip_serializing_if = "Option::is_none")]
    pub impersonate_groups: Option<Vec<String>>,
    /// Basic-auth user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Basic-auth password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Legacy auth provider (kept, not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_provider: Option<Value>,
    /// Exec credential plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecConfig>,
    /// Extensions (opaque).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Value>,
    /// Other keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A context: which cluster, which user, which namespace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContextEntry {
    /// Cluster name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// User name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// Default namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Extensions (opaque).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Value>,
    /// Other keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An exec credential plugin (`users[].user.exec`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecConfig {
    /// The program to run (a relative path containing `/` is relative to the kubeconfig file).
    #[serde(default)]
    pub command: String,
    /// Its arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Extra environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<ExecEnvVar>>,
    /// `client.authentication.k8s.io/v1` or `v1beta1`.
    #[serde(default)]
    pub api_version: String,
    /// Printed when the command is not found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_hint: Option<String>,
    /// Pass the cluster's details in `KUBERNETES_EXEC_INFO`.
    #[serde(default)]
    pub provide_cluster_info: bool,
    /// `Never`, `IfAvailable` or `Always`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interactive_mode: Option<String>,
    /// Other keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One `env` entry of an exec plugin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecEnvVar {
    /// Variable name.
    pub name: String,
    /// Its value.
    #[serde(default)]
    pub value: String,
}

impl Kubeconfig {
    /// Parses one file's text. An empty file is an empty config (as client-go).
    pub fn from_yaml(text: &str) -> Result<Kubeconfig, String> {
        if text.trim().is_empty() {
            return Ok(Kubeconfig::default());
        }
        let v: Value = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
        if v.is_null() {
            return Ok(Kubeconfig::default());
        }
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    /// The config as JSON with kubectl's shape: sorted keys, `null` for empty lists,
    /// `preferences: {}`, `kind`/`apiVersion` filled in.
    pub fn to_value(&self) -> Value {
        let mut c = self.clone();
        c.kind.get_or_insert_with(|| "Config".into());
        c.api_version.get_or_insert_with(|| "v1".into());
        c.preferences
            .get_or_insert_with(|| Value::Object(Default::default()));
        let mut v = serde_json::to_value(&c).unwrap_or(Value::Null);
        if let Some(m) = v.as_object_mut() {
            for k in ["clusters", "users", "contexts"] {
                if m.get(k)
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.is_empty())
                {
                    m.insert(k.into(), Value::Null);
                }
            }
        }
        v
    }

    /// The cluster named `name`.
    pub fn cluster(&self, name: &str) -> Option<&Cluster> {
        self.clusters
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.cluster)
    }

    /// The user named `name`.
    pub fn user(&self, name: &str) -> Option<&AuthInfo> {
        self.users.iter().find(|c| c.name == name).map(|c| &c.user)
    }

    /// The context named `name`.
    pub fn context(&self, name: &str) -> Option<&ContextEntry> {
        self.contexts
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.context)
    }

    /// True when nothing at all is configured (client-go's "empty config").
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
            && self.users.is_empty()
            && self.contexts.is_empty()
            && self.current_context.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_keeps_unknown_keys() {
        let k = Kubeconfig::from_yaml(
            "apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: 'https://x', weird: 1}\nusers: null\nfoo: bar\n",
        )
        .unwrap();
        assert_eq!(k.cluster("a").unwrap().server.as_deref(), Some("https://x"));
        assert_eq!(k.cluster("a").unwrap().extra["weird"], 1);
        assert_eq!(k.extra["foo"], "bar");
        let v = k.to_value();
        assert_eq!(v["users"], Value::Null);
        assert_eq!(v["foo"], "bar");
        assert_eq!(v["kind"], "Config");
    }

    #[test]
    fn empty_and_broken_files() {
        assert!(Kubeconfig::from_yaml("").unwrap().is_empty());
        assert!(Kubeconfig::from_yaml("# only a comment\n")
            .unwrap()
            .is_empty());
        assert!(Kubeconfig::from_yaml("clusters: [").is_err());
        assert!(Kubeconfig::from_yaml("clusters: 3").is_err());
    }
}

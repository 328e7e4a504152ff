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
    pub extensions: Option<Vec<NamedExtension>>,
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

/// One `{name, extension}` entry of an `extensions` list (kept opaque, in Go's field order).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedExtension {
    /// The extension's name.
    pub name: String,
    /// Its content.
    #[serde(default)]
    pub extension: Value,
}

/// A `{name, cluster}` list entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Named<T> {
    /// The entry's name.
    pub name: String,
    /// The cluster.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        bound(deserialize = "T: Default + Deserialize<'de>")
    )]
    pub cluster: T,
}

/// A `{name, user}` list entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedUser {
    /// The entry's name.
    pub name: String,
    /// The user's credentials.
    #[serde(default, deserialize_with = "null_as_default")]
    pub user: AuthInfo,
}

/// A `{name, context}` list entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedContext {
    /// The entry's name.
    pub name: String,
    /// The context.
    #[serde(default, deserialize_with = "null_as_default")]
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
    pub extensions: Option<Vec<NamedExtension>>,
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
    /// User extras to impersonate (key → values).
    #[serde(
        rename = "as-user-extra",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub impersonate_user_extra: Option<BTreeMap<String, Vec<String>>>,
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
    pub extensions: Option<Vec<NamedExtension>>,
    /// Other keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A context: which cluster, which user, which namespace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContextEntry {
    /// Cluster name (client-go's v1 `Context` writes it even when empty).
    #[serde(default)]
    pub cluster: String,
    /// User name (likewise always written).
    #[serde(default)]
    pub user: String,
    /// Default namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Extensions (opaque).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Vec<NamedExtension>>,
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
    /// Its arguments (written as `null` when unset, as client-go does).
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// Extra environment variables (written as `null` when unset).
    #[serde(default)]
    pub env: Option<Vec<ExecEnvVar>>,
    /// `client.authentication.k8s.io/v1` or `v1beta1` (`omitempty`, as kubectl writes it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
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
        let mut v = v;
        coerce_yaml11_bools(&mut v);
        check_type_meta(&v)?;
        let mut cfg: Kubeconfig =
            serde_json::from_value(v).map_err(|e| without_string_values(&e.to_string()))?;
        // In one file a repeated name replaces the earlier entry (client-go reads lists into maps).
        dedup_last_wins(&mut cfg.clusters, |c| &c.name);
        dedup_last_wins(&mut cfg.users, |c| &c.name);
        dedup_last_wins(&mut cfg.contexts, |c| &c.name);
        // client-go's conversion defaults: pre-v1 exec plugins are interactive when possible.
        for u in &mut cfg.users {
            if let Some(x) = &mut u.user.exec {
                let old_api = x.api_version == "client.authentication.k8s.io/v1beta1"
                    || x.api_version == "client.authentication.k8s.io/v1alpha1";
                if old_api && x.interactive_mode.as_deref().unwrap_or("").is_empty() {
                    x.interactive_mode = Some("IfAvailable".into());
                }
            }
        }
        Ok(cfg)
    }

    /// The config as JSON with kubectl's shape: sorted keys, entries sorted by name (client-go
    /// keeps them in maps), `null` for empty lists, `preferences: {}`, `kind`/`apiVersion`.
    pub fn to_value(&self) -> Value {
        let mut v = serde_json::to_value(self.normalized()).unwrap_or(Value::Null);
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

    /// A copy as client-go writes it: entries sorted by name, `kind`, `apiVersion` and
    /// `preferences` filled in.
    pub fn normalized(&self) -> Kubeconfig {
        let mut c = self.clone();
        c.clusters.sort_by(|a, b| a.name.cmp(&b.name));
        c.users.sort_by(|a, b| a.name.cmp(&b.name));
        c.contexts.sort_by(|a, b| a.name.cmp(&b.name));
        // client-go's v1 Cluster has no omitempty on `server`.
        for entry in &mut c.clusters {
            entry.cluster.server.get_or_insert_with(String::new);
        }
        c.kind.get_or_insert_with(|| "Config".into());
        c.api_version.get_or_insert_with(|| "v1".into());
        c.preferences
            .get_or_insert_with(|| Value::Object(Default::default()));
        c
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

fn dedup_last_wins<T>(v: &mut Vec<T>, name: impl Fn(&T) -> &String) {
    let mut keep = vec![true; v.len()];
    for i in 0..v.len() {
        if v[i + 1..].iter().any(|later| name(later) == name(&v[i])) {
            keep[i] = false;
        }
    }
    let mut k = keep.into_iter();
    v.retain(|_| k.next().unwrap_or(true));
}

/// kubeconfig files are YAML 1.1 for client-go (go-yaml v2): `yes`/`on`/`n`… are booleans.
/// Only the boolean fields of the model are coerced, so string fields stay strings.
fn coerce_yaml11_bools(v: &mut Value) {
    const BOOL_KEYS: [&str; 3] = [
        "insecure-skip-tls-verify",
        "disable-compression",
        "provideClusterInfo",
    ];
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if BOOL_KEYS.contains(&k.as_str()) {
                    if let Some(b) = x.as_str().and_then(yaml11_bool) {
                        *x = Value::Bool(b);
                    }
                } else {
                    coerce_yaml11_bools(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(coerce_yaml11_bools),
        _ => {}
    }
}

fn yaml11_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            Some(false)
        }
        _ => None,
    }
}

/// client-go decodes a kubeconfig with its scheme, which knows one type: `Config` in `v1`
/// (both the defaults when absent). Another `apiVersion` or `kind` fails the load with the
/// decoder's words, checked in its order (`apiVersion` before `kind`, Go sorts the keys).
fn check_type_meta(v: &Value) -> Result<(), String> {
    let Some(m) = v.as_object() else {
        return Err(format!(
            "couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}",
            kcore::gojson::type_name(v)
        ));
    };
    let field = |key: &str| -> Result<String, String> {
        match m.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(format!(
                "couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go struct field .{key} of type string",
                kcore::gojson::type_name(other)
            )),
        }
    };
    let api_version = field("apiVersion")?;
    let kind = field("kind")?;
    // apimachinery's ParseGroupVersion.
    let (group, version) = match api_version.split('/').collect::<Vec<_>>()[..] {
        _ if api_version.is_empty() || api_version == "/" => ("", ""),
        [v] => ("", v),
        [g, v] => (g, v),
        _ => return Err(format!("unexpected GroupVersion string: {api_version}")),
    };
    let version = if version.is_empty() { "v1" } else { version };
    let kind = if kind.is_empty() { "Config" } else { &kind };
    if group.is_empty() && version == "v1" && kind == "Config" {
        return Ok(());
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Err(format!(
        "no kind {kind:?} is registered for version {gv:?} in scheme \"k8s.io/client-go/tools/clientcmd/api/latest/latest.go:50\""
    ))
}

/// serde's type errors quote the offending string (`invalid type: string "…"`); in a
/// kubeconfig that string may be a secret, so it is dropped from the message.
fn without_string_values(msg: &str) -> String {
    let mut out = String::new();
    let mut rest = msg;
    while let Some(i) = rest.find("string \"") {
        out.push_str(&rest[..i + "string".len()]);
        let after = &rest[i + "string \"".len()..];
        rest = match after.find('"') {
            Some(j) => &after[j + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_v1_config_is_a_kubeconfig() {
        let err = |text: &str| Kubeconfig::from_yaml(text).unwrap_err();
        let scheme = "in scheme \"k8s.io/client-go/tools/clientcmd/api/latest/latest.go:50\"";
        assert_eq!(
            err("apiVersion: v-1\nclusters: []\n"),
            format!("no kind \"Config\" is registered for version \"v-1\" {scheme}")
        );
        assert_eq!(
            err("kind: Pod\n"),
            format!("no kind \"Pod\" is registered for version \"v1\" {scheme}")
        );
        assert_eq!(
            err("apiVersion: apps/v1\nkind: Config\n"),
            format!("no kind \"Config\" is registered for version \"apps/v1\" {scheme}")
        );
        assert_eq!(
            err("apiVersion: a/b/c\n"),
            "unexpected GroupVersion string: a/b/c"
        );
        assert_eq!(
            err("kind: 5\napiVersion: true\n"),
            "couldn't get version/kind; json parse error: json: cannot unmarshal bool into Go struct field .apiVersion of type string"
        );
        assert_eq!(
            err("kind: [a]\n"),
            "couldn't get version/kind; json parse error: json: cannot unmarshal array into Go struct field .kind of type string"
        );
        assert_eq!(
            err("- a\n"),
            r#"couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" }"#
        );
        for ok in [
            "apiVersion: v1\nkind: Config\n",
            "apiVersion: ''\nkind: ''\n",
            "apiVersion: /v1\n",
            "apiVersion: /\n",
            "clusters: []\n",
        ] {
            assert!(Kubeconfig::from_yaml(ok).is_ok(), "{ok}");
        }
    }

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
    fn exec_defaults() {
        let k = Kubeconfig::from_yaml(
            "users:\n- name: a\n  user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: x}}\n- name: b\n  user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: x}}\n",
        )
        .unwrap();
        let a = k.user("a").unwrap().exec.as_ref().unwrap();
        assert_eq!(a.interactive_mode.as_deref(), Some("IfAvailable"));
        assert_eq!(
            k.user("b").unwrap().exec.as_ref().unwrap().interactive_mode,
            None
        );
        let v = k.to_value();
        assert_eq!(v["users"][0]["user"]["exec"]["args"], Value::Null);
        assert!(v["users"][0]["user"]["exec"]
            .as_object()
            .unwrap()
            .contains_key("env"));
    }

    #[test]
    fn yaml11_bools_duplicates_and_order() {
        let k = Kubeconfig::from_yaml(
            "clusters:\n- name: b\n  cluster: {server: 'https://1', insecure-skip-tls-verify: yes}\n- name: a\n  cluster: {server: 'https://2'}\n- name: b\n  cluster: {server: 'https://3', insecure-skip-tls-verify: off}\n",
        )
        .unwrap();
        assert_eq!(k.clusters.len(), 2);
        let b = k.cluster("b").unwrap();
        assert_eq!(
            (b.server.as_deref(), b.insecure_skip_tls_verify),
            (Some("https://3"), Some(false))
        );
        let v = k.to_value();
        assert_eq!(v["clusters"][0]["name"], "a");
    }

    #[test]
    fn empty_and_broken_files() {
        assert!(Kubeconfig::from_yaml("").unwrap().is_empty());
        assert!(Kubeconfig::from_yaml("# only a comment\n")
            .unwrap()
            .is_empty());
        assert!(Kubeconfig::from_yaml("clusters: [").is_err());
        assert!(Kubeconfig::from_yaml("clusters: 3").is_err());
        let e = Kubeconfig::from_yaml(
            "users:\n- name: u\n  user: {exec: {provideClusterInfo: sekrit-token}}\n",
        )
        .unwrap_err();
        assert!(!e.contains("sekrit"), "{e}");
        assert!(e.contains("invalid type: string"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,64}") {
            let _ = Kubeconfig::from_yaml(&s);
        }

        #[test]
        fn parsing_kubeconfig_shapes_never_panics(
            key in "(clusters|users|contexts|current-context|name|cluster|user|server|token|exec|args|env|insecure-skip-tls-verify)",
            val in "(\\[\\]|\\{\\}|null|yes|1|'x'|\\[\\{name: a\\}\\])",
        ) {
            let _ = Kubeconfig::from_yaml(&format!("{key}: {val}\nusers:\n- name: u\n  user: {{{key}: {val}}}\n"));
        }
    }
}

//! The hidden `__complete` / `__completeNoDesc` commands the completion scripts call, and the
//! live [`Provider`] behind them.
//!
//! They receive partial command lines, so `main` hands them the raw arguments before clap
//! validates anything ([`intercept`]). The provider is built from the connection flags typed on
//! the line (`--kubeconfig`, `--context`, `-n`, …) through the same kubeconfig, client and
//! discovery layers as every command. Names come from one Table request without objects. Any
//! failure completes nothing: completion never prints an error to the user's terminal.

use std::ffi::OsString;
use std::io::Write;
use std::sync::{Arc, Mutex};

use clap::{Args, CommandFactory, FromArgMatches};
use serde::Deserialize;

use super::completion::{complete, Completion, LineFlags, Provider};
use super::flags::GlobalArgs;
use super::Cli;
use crate::client::ApiRequest;
use crate::context::{Context, Env, Io};
use crate::discovery::ApiResource;

/// The protocol command with descriptions.
pub const COMPLETE: &str = "__complete";
/// The protocol command without descriptions (cobra's `__completeNoDesc`).
pub const COMPLETE_NO_DESC: &str = "__completeNoDesc";

/// Asks for a Table without objects (`includeObject=None`): its name column is all completion
/// needs, about a tenth of even a metadata-only list. A server that prints no Table for the
/// type answers with the plain list.
const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// Object metadata only: for a Table without a name column.
const METADATA_ACCEPT: &str = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

/// A completion must not hang the shell on an unreachable server (kubectl uses 5s too).
const DEFAULT_TIMEOUT: &str = "5s";

/// Arguments of `__complete` when reached through clap (the scripts go through [`intercept`]).
#[derive(Debug, Clone, clap::Args)]
#[command(disable_help_flag = true)]
pub struct CompleteArgs {
    /// The words of the command line after the program name, the last being the word to complete.
    #[arg(verbatim_doc_comment, trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub words: Vec<String>,
}

impl CompleteArgs {
    /// Prints the answer for the words clap left (global flags typed on the line were taken by
    /// clap and are in `ctx.global`; the scripts avoid this path through [`intercept`]).
    pub fn run(&self, ctx: &Context, descriptions: bool) -> Result<(), crate::error::CliError> {
        let text = answer(&self.words, descriptions, ctx.env.clone());
        ctx.out().write_all(text.as_bytes())?;
        Ok(())
    }
}

/// If `args` (the process arguments, program name first) is a completion request, answers it
/// and returns the protocol text to print on stdout.
pub fn intercept(args: &[OsString], env: Env) -> Option<String> {
    let sub = args.get(1)?.to_str()?;
    let descriptions = match sub {
        COMPLETE => true,
        COMPLETE_NO_DESC => false,
        _ => return None,
    };
    // Non-UTF-8 words cannot name anything completion knows: complete nothing.
    let words: Option<Vec<String>> = args[2..]
        .iter()
        .map(|a| a.to_str().map(String::from))
        .collect();
    let Some(words) = words else {
        return Some(Completion::default().render());
    };
    Some(answer(&words, descriptions, env))
}

/// The protocol text for `words` (after the program name; the last is the word under the
/// cursor), asking the cluster and kubeconfig found through `env` for dynamic candidates.
pub fn answer(words: &[String], descriptions: bool, env: Env) -> String {
    let mut root = Cli::command();
    root.build();
    let mut c = complete(&root, words, |flags| {
        Box::new(LiveProvider::new(flags, env)) as Box<dyn Provider>
    });
    if !descriptions {
        for (_, d) in &mut c.candidates {
            *d = None;
        }
    }
    c.render()
}

/// The global flags typed on the line, as the commands would have parsed them. Flags that
/// fail to parse are dropped rather than reported.
pub fn global_args_from(flags: &LineFlags) -> GlobalArgs {
    let spec = GlobalArgs::augment_args(clap::Command::new("complete"));
    let mut argv = vec!["complete".to_string()];
    let mut timeout_given = false;
    for (id, value) in flags {
        let Some(arg) = spec.get_arguments().find(|a| a.get_id() == id) else {
            continue;
        };
        let Some(long) = arg.get_long() else { continue };
        // Each flag alone, so one bad value does not lose the others.
        let one = spec
            .clone()
            .try_get_matches_from(["complete".to_string(), format!("--{long}={value}")]);
        if one.is_ok() {
            timeout_given |= id == "request_timeout";
            argv.push(format!("--{long}={value}"));
        }
    }
    if !timeout_given {
        argv.push(format!("--request-timeout={DEFAULT_TIMEOUT}"));
    }
    spec.try_get_matches_from(argv)
        .ok()
        .and_then(|m| GlobalArgs::from_arg_matches(&m).ok())
        .unwrap_or_default()
}

/// Dynamic candidates from the cluster and kubeconfig the line designates.
struct LiveProvider {
    ctx: Context,
    rt: Option<tokio::runtime::Runtime>,
    all_namespaces: bool,
}

impl LiveProvider {
    fn new(flags: &LineFlags, env: Env) -> LiveProvider {
        let global = global_args_from(flags);
        let all_namespaces = flags
            .iter()
            .any(|(id, v)| id == "all_namespaces" && v != "false");
        // Nothing may reach the terminal: logs and server warnings go nowhere, and exec
        // plugins must not prompt.
        let io = Io {
            input: Box::new(std::io::empty()),
            out: Box::new(std::io::sink()),
            err: Arc::new(Mutex::new(std::io::sink())),
            stdin_is_terminal: false,
            stdout_is_terminal: false,
        };
        let ctx = Context::new(global, env, io, "kubectl __complete");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok();
        LiveProvider {
            ctx,
            rt,
            all_namespaces,
        }
    }

    fn block_on<T: Default>(&self, f: impl std::future::Future<Output = Option<T>>) -> T {
        self.rt
            .as_ref()
            .and_then(|rt| rt.block_on(f))
            .unwrap_or_default()
    }

    fn kubeconfig_names(
        &self,
        pick: impl Fn(&crate::kubeconfig::Kubeconfig) -> Vec<String>,
    ) -> Vec<String> {
        // Sorted, as `kubectl config get-contexts -o name` lists them.
        let mut names = self
            .ctx
            .kubeconfig()
            .map(|l| pick(&l.merged))
            .unwrap_or_default();
        names.sort();
        names.dedup();
        names
    }
}

/// A Table or any list: only what completion reads from either.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NameList {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    column_definitions: Vec<ColumnDef>,
    #[serde(default)]
    rows: Vec<Row>,
    #[serde(default)]
    items: Vec<NameItem>,
}

#[derive(Deserialize)]
struct ColumnDef {
    #[serde(default)]
    format: String,
}

#[derive(Deserialize)]
struct Row {
    #[serde(default)]
    cells: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct NameItem {
    metadata: NameMeta,
}

#[derive(Deserialize)]
struct NameMeta {
    #[serde(default)]
    name: String,
}

impl NameList {
    /// The names, or None for a Table without a `name` column.
    fn names(self) -> Option<Vec<String>> {
        let names: Vec<String> = if self.kind == "Table" {
            let col = self
                .column_definitions
                .iter()
                .position(|c| c.format == "name")?;
            self.rows
                .into_iter()
                .filter_map(
                    |mut r| match r.cells.get_mut(col).map(serde_json::Value::take) {
                        Some(serde_json::Value::String(s)) => Some(s),
                        _ => None,
                    },
                )
                .collect()
        } else {
            self.items.into_iter().map(|i| i.metadata.name).collect()
        };
        Some(names.into_iter().filter(|n| !n.is_empty()).collect())
    }
}

/// Object names of `resource` (in `namespace`, or everywhere for None): one request.
async fn list_names(
    ctx: &Context,
    resource: &ApiResource,
    namespace: Option<&str>,
) -> Option<Vec<String>> {
    if !resource.supports("list") {
        return None;
    }
    let client = ctx.client().ok()?;
    let path = resource.path(namespace, None).ok()?;
    let req = ApiRequest::get(path.clone())
        .accept(TABLE_ACCEPT)
        .query("includeObject", "None");
    let resp = client.send(&req).await.ok()?;
    let list: NameList = serde_json::from_slice(&resp.body).ok()?;
    if let Some(names) = list.names() {
        return Some(names);
    }
    let req = ApiRequest::get(path).accept(METADATA_ACCEPT);
    let resp = client.send(&req).await.ok()?;
    serde_json::from_slice::<NameList>(&resp.body).ok()?.names()
}

impl Provider for LiveProvider {
    fn resource_types(&self) -> Vec<String> {
        self.block_on(async {
            let data = self.ctx.discovery().ok()?.data().await.ok()?;
            // `kubectl api-resources -o name --verbs=get`: sorted by group, then name.
            let mut rs: Vec<&ApiResource> = data
                .preferred_resources()
                .filter(|r| r.supports("get"))
                .collect();
            rs.sort_by(|a, b| {
                a.group
                    .cmp(&b.group)
                    .then_with(|| a.resource.cmp(&b.resource))
            });
            let mut names: Vec<String> = rs.iter().map(|r| r.group_resource()).collect();
            names.dedup();
            Some(names)
        })
    }

    fn resource_names(&self, resource: &str) -> Vec<String> {
        self.block_on(async {
            let discovery = self.ctx.discovery().ok()?;
            let namespace = if self.all_namespaces {
                None
            } else {
                Some(self.ctx.namespace().ok()?.0)
            };
            let mut names = Vec::new();
            for ty in resource.split(',').filter(|t| !t.is_empty()) {
                for r in discovery.resolve(ty).await.ok()? {
                    names.extend(
                        list_names(&self.ctx, &r, namespace.as_deref())
                            .await
                            .unwrap_or_default(),
                    );
                }
            }
            Some(names)
        })
    }

    fn namespaces(&self) -> Vec<String> {
        self.block_on(async {
            let discovery = self.ctx.discovery().ok()?;
            let ns = discovery.resolve("namespaces").await.ok()?;
            list_names(&self.ctx, ns.first()?, None).await
        })
    }

    fn contexts(&self) -> Vec<String> {
        self.kubeconfig_names(|k| k.contexts.iter().map(|c| c.name.clone()).collect())
    }

    fn clusters(&self) -> Vec<String> {
        self.kubeconfig_names(|k| k.clusters.iter().map(|c| c.name.clone()).collect())
    }

    fn users(&self) -> Vec<String> {
        self.kubeconfig_names(|k| k.users.iter().map(|u| u.name.clone()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(body: serde_json::Value) -> Option<Vec<String>> {
        serde_json::from_value::<NameList>(body).unwrap().names()
    }

    #[test]
    fn names_come_from_the_table_name_column_or_the_items() {
        // The name column need not be first (events print LAST SEEN first).
        let table = serde_json::json!({"kind": "Table", "columnDefinitions": [
                {"name": "Age", "format": ""}, {"name": "Name", "format": "name"}],
            "rows": [{"cells": ["5m", "a"]}, {"cells": ["1s", "b"], "object": null}, {"cells": ["2s"]}]});
        assert_eq!(names(table).unwrap(), ["a", "b"]);
        let list = serde_json::json!({"kind": "PodList", "items": [
            {"metadata": {"name": "x"}}, {"metadata": {}}, {"metadata": {"name": "y"}}]});
        assert_eq!(names(list).unwrap(), ["x", "y"]);
        // A Table without a name column asks again for metadata.
        let nameless = serde_json::json!({"kind": "Table",
            "columnDefinitions": [{"name": "Age", "format": ""}], "rows": [{"cells": ["5m"]}]});
        assert_eq!(names(nameless), None);
    }

    fn flags(pairs: &[(&str, &str)]) -> LineFlags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn global_args_from_line_flags() {
        let g = global_args_from(&flags(&[
            ("namespace", "kube-system"),
            ("context", "prod"),
            ("kubeconfig", "/tmp/kc"),
            ("output", "yaml"),
            ("v", "not-a-number"),
            ("insecure_skip_tls_verify", "true"),
        ]));
        assert_eq!(g.namespace.as_deref(), Some("kube-system"));
        assert_eq!(g.context.as_deref(), Some("prod"));
        assert_eq!(g.kubeconfig, Some("/tmp/kc".into()));
        assert_eq!(g.v, 0);
        assert!(g.insecure_skip_tls_verify);
        assert_eq!(g.request_timeout, DEFAULT_TIMEOUT);
        let g = global_args_from(&flags(&[("request_timeout", "1m")]));
        assert_eq!(g.request_timeout, "1m");
    }

    #[test]
    fn intercepts_only_the_protocol_commands() {
        let args = |v: &[&str]| -> Vec<OsString> { v.iter().map(OsString::from).collect() };
        assert_eq!(
            intercept(&args(&["kubectl-rs", "get"]), Env::default()),
            None
        );
        assert_eq!(intercept(&args(&["kubectl-rs"]), Env::default()), None);
        let out = intercept(&args(&["kubectl-rs", COMPLETE, "ver"]), Env::default()).unwrap();
        assert_eq!(
            out,
            "version\tPrint the client and server version information\n:4\n"
        );
        let out = intercept(
            &args(&["kubectl-rs", COMPLETE_NO_DESC, "ver"]),
            Env::default(),
        );
        assert_eq!(out.as_deref(), Some("version\n:4\n"));
    }

    #[test]
    fn unreachable_cluster_completes_nothing() {
        // A port nothing listens on: the connection is refused at once.
        let (d, env) = crate::testutil::kubeconfig_env(
            "clusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\ncontexts:\n- name: y\n  context: {cluster: c}\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n",
            &[],
        );
        let words = crate::testutil::strings;
        assert_eq!(
            answer(&words(&["describe", "pods", ""]), true, env.clone()),
            ":4\n"
        );
        assert_eq!(
            answer(&words(&["describe", "-n", ""]), true, env.clone()),
            ":4\n"
        );
        assert_eq!(
            answer(&words(&["describe", "--context", ""]), true, env.clone()),
            "x\ny\n:4\n"
        );
        let missing = d.path().join("missing");
        let line = ["--kubeconfig", missing.to_str().unwrap(), "--context", ""];
        assert_eq!(answer(&words(&line), true, env), ":4\n");
    }
}

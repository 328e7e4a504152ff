//! `kubectl-rs diff`: each `-f` object as it is live and as it would be once applied (the
//! server's dry run of the apply), written as YAML into two temporary directories
//! (`LIVE-<n>`, `MERGED-<n>`, one file `group.version.Kind.namespace.name` per object) and
//! compared by `diff -u -N` or `$KUBECTL_EXTERNAL_DIFF` (kubectl `pkg/cmd/diff/diff.go`,
//! `prune.go`).
//!
//! Exit codes are diff's: 0 no differences, 1 differences, more than 1 an error (kubectl's
//! `CheckDiffErr` adds one to its usual code).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use serde_json::Value;

use crate::apply::{
    diff_patch, server_side_apply_body, to_go_json, SERVER_SIDE_APPLY_CONTENT_TYPE,
};
use crate::client::{ApiRequest, ClientError};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::editor::{command, make_temp_dir};
use crate::error::CliError;
use crate::print::yaml::to_yaml_string;
use crate::resource::{flatten, read_objects, str_at, with_source, Info, ReadSpec};

/// Diff the live version against a would-be applied version.
#[derive(Debug, Clone, clap::Args)]
#[command(
    mut_arg("filename", |a| a.help("Filename, directory, or URL to files contains the configuration to diff")),
    mut_arg("prune", |a| a.help("Include resources that would be deleted by pruning. Can be used with -l and default shows all resources would be pruned")),
)]
pub struct DiffArgs {
    /// Positional arguments: diff takes none (kubectl: `Unexpected args: [...]`).
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
    /// Number of objects to process in parallel when diffing against the live version. Larger number = faster, but more memory, I/O and CPU over that shorter period of time.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "1",
        allow_hyphen_values = true
    )]
    pub concurrency: String,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    #[command(flatten)]
    pub force_conflicts: crate::cmd::flags::ForceConflictsFlag,
    #[command(flatten)]
    pub kustomize: crate::cmd::flags::KustomizeFlag,
    #[command(flatten)]
    pub prune: crate::cmd::flags::PruneFlag,
    #[command(flatten)]
    pub prune_allowlist: crate::cmd::flags::PruneAllowlistFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    #[command(flatten)]
    pub server_side: crate::cmd::flags::ServerSideFlag,
    /// If true, include managed fields in the diff.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub show_managed_fields: bool,
    /// If true, do not mask secret values in the diff.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub show_secrets: bool,
}

/// kubectl's masks for Secret data (`sensitiveMask*`).
const MASK: &str = "***";
const MASK_BEFORE: &str = "*** (before)";
const MASK_AFTER: &str = "*** (after)";

/// How many times an object is diffed again when it changed under us (`maxRetries`).
const MAX_RETRIES: usize = 4;

/// The two temporary directories, removed when dropped (`Differ.TearDown`).
struct Dirs {
    live: PathBuf,
    merged: PathBuf,
}

impl Drop for Dirs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.live);
        let _ = std::fs::remove_dir_all(&self.merged);
    }
}

/// One object's two versions, ready to be written.
struct Pair {
    name: String,
    live: Option<Value>,
    merged: Value,
}

impl DiffArgs {
    /// Runs the command; every error exits with kubectl's code plus one.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        match self.run_inner(ctx).await {
            Ok(()) => Ok(()),
            Err(e @ CliError::Silent(_)) => Err(e),
            Err(CliError::Usage { message, command }) => Err(CliError::WithCode(
                Box::new(CliError::Usage { message, command }),
                2,
            )),
            Err(e) => Err(CliError::WithCode(Box::new(e), 2)),
        }
    }

    fn manager(&self) -> String {
        self.field_manager.value.clone().unwrap_or_else(|| {
            if self.server_side.value {
                "kubectl".into()
            } else {
                "kubectl-client-side-apply".into()
            }
        })
    }

    async fn run_inner(&self, ctx: &Context) -> Result<(), CliError> {
        if !self.args.is_empty() {
            return Err(CliError::Usage {
                message: format!("Unexpected args: [{}]", self.args.join(" ")),
                command: "kubectl-rs diff".into(),
            });
        }
        let concurrency: i64 = self.concurrency.parse().map_err(|_| CliError::Usage {
            message: format!(
                "invalid argument {:?} for \"--concurrency\" flag: strconv.ParseInt: parsing {:?}: {}",
                self.concurrency,
                self.concurrency,
                if self.concurrency.trim_start_matches(['-', '+']).chars().all(|c| c.is_ascii_digit())
                    && !self.concurrency.trim_start_matches(['-', '+']).is_empty()
                {
                    "value out of range"
                } else {
                    "invalid syntax"
                }
            ),
            command: "kubectl-rs diff".into(),
        })?;
        if self.files.filename.is_empty() && self.kustomize.dir.is_none() {
            return Err(CliError::msg("must specify one of -f and -k"));
        }
        if self.force_conflicts.value && !self.server_side.value {
            return Err(CliError::msg(
                "--force-conflicts only works with --server-side",
            ));
        }
        let allowlist = if self.prune.value {
            Some(self.parse_allowlist(ctx).await?)
        } else {
            None
        };
        let spec = ReadSpec {
            selector: self.selector.value.clone(),
            ..self.files.read_spec(&self.kustomize)
        };
        let dirs = Dirs {
            live: make_temp_dir(&ctx.env, "LIVE")?,
            merged: make_temp_dir(&ctx.env, "MERGED")?,
        };
        let (targets, builder_errors) = read_objects(ctx, &spec).await;
        if let Some(e) = builder_errors.into_iter().next() {
            return Err(e);
        }
        let width = usize::try_from(concurrency).unwrap_or(1).max(1);
        // With one at a time (the default) an error stops before the next object is
        // fetched, as kubectl's visitor does.
        let mut results = futures_util::stream::iter(
            targets
                .iter()
                .map(|t| async move { (t, self.diff_one(ctx, t).await) }),
        )
        .buffered(width);
        let mut visited_uids = BTreeSet::new();
        let mut visited_ns = BTreeSet::new();
        let mut first_err = None;
        while let Some((t, r)) = results.next().await {
            if let Some(ns) = &t.namespace {
                visited_ns.insert(ns.clone());
            }
            match r {
                Ok(pair) => {
                    if let Some(live) = &pair.live {
                        visited_uids.insert(str_at(live, &["metadata", "uid"]).to_string());
                        if live["metadata"]["deletionTimestamp"].is_string() {
                            ctx.eprint(&format!(
                                "Warning: Detected changes to resource {} which is currently being deleted.\n",
                                str_at(live, &["metadata", "name"])
                            ));
                        }
                    }
                    self.write_pair(&dirs, pair)?;
                }
                Err(e) => {
                    first_err = Some(e);
                    break;
                }
            }
        }
        drop(results);
        if let Some(allowlist) = allowlist {
            match self
                .pruned(ctx, allowlist, &visited_ns, &visited_uids)
                .await
            {
                Ok(objs) => {
                    for (name, obj) in objs {
                        std::fs::write(dirs.live.join(name), to_yaml_string(&obj))?;
                    }
                }
                Err(e) => ctx.eprint(&klog_warning(
                    760,
                    &format!(
                        "pruning failed and could not be evaluated err: {}",
                        flatten(&e)
                    ),
                )),
            }
        }
        if let Some(e) = first_err {
            return Err(e);
        }
        self.run_program(ctx, &dirs.live, &dirs.merged)
    }

    /// `prune.ParseResources` (while completing the command, fatal): the allowlist's kinds,
    /// empty for kubectl's default list.
    async fn parse_allowlist(&self, ctx: &Context) -> Result<Vec<ApiResource>, CliError> {
        let mut kinds = Vec::new();
        for gvk in &self.prune_allowlist.value {
            let parts: Vec<&str> = gvk.split('/').collect();
            let [g, v, k] = parts.as_slice() else {
                return Err(CliError::msg(format!(
                    "invalid GroupVersionKind format: {gvk}, please follow <group/version/kind>"
                )));
            };
            let g = if *g == "core" { "" } else { *g };
            kinds.push(find_kind(ctx, g, v, k).await.map_err(|(_, e)| e)?);
        }
        Ok(kinds)
    }

    /// `pruner.pruneAll`: objects of the prune kinds in the visited namespaces (and
    /// cluster-scoped ones) that carry a last-applied annotation and were not visited,
    /// each with its file name.
    async fn pruned(
        &self,
        ctx: &Context,
        mut kinds: Vec<ApiResource>,
        namespaces: &BTreeSet<String>,
        uids: &BTreeSet<String>,
    ) -> Result<Vec<(String, Value)>, CliError> {
        let client = ctx.client()?;
        if kinds.is_empty() {
            ctx.eprint(&crate::apply::prune::namespaced_default_warning());
            for (g, v, k, namespaced) in crate::apply::prune::DEFAULT_PRUNE {
                let r = find_kind(ctx, g, v, k).await.map_err(|(found, e)| {
                    let e = if found {
                        e
                    } else {
                        CliError::msg(format!(
                            "invalid resource {g}/{v}, Kind={k}, Namespaced={namespaced}: {}",
                            flatten(&e)
                        ))
                    };
                    CliError::msg(format!(
                        "error retrieving RESTMappings to prune: {}",
                        flatten(&e)
                    ))
                })?;
                kinds.push(r);
            }
        }
        let kinds = &kinds;
        let mut scopes: Vec<(&ApiResource, Option<&str>)> = Vec::new();
        for ns in namespaces {
            for r in kinds.iter().filter(|r| r.namespaced) {
                scopes.push((r, Some(ns.as_str())));
            }
        }
        for r in kinds.iter().filter(|r| !r.namespaced) {
            scopes.push((r, None));
        }
        let mut out = Vec::new();
        for (r, ns) in scopes {
            let mut req = ApiRequest::get(r.path(ns, None)?);
            if let Some(sel) = &self.selector.value {
                req = req.query("labelSelector", sel.clone());
            }
            let list = client.send_json(&req).await?;
            for item in list["items"].as_array().into_iter().flatten() {
                if item["metadata"]["annotations"][crate::apply::LAST_APPLIED_ANNOTATION].is_null()
                    || uids.contains(str_at(item, &["metadata", "uid"]))
                {
                    continue;
                }
                let mut obj = item.clone();
                obj["apiVersion"] = Value::String(r.api_version());
                obj["kind"] = Value::String(r.kind.clone());
                let name = file_name(
                    &r.group,
                    &r.version,
                    &r.kind,
                    str_at(item, &["metadata", "namespace"]),
                    str_at(item, &["metadata", "name"]),
                );
                out.push((name, obj));
            }
        }
        Ok(out)
    }

    /// Both versions of one object, retried when it changed between the GET and the dry run.
    async fn diff_one(&self, ctx: &Context, t: &Info) -> Result<Pair, CliError> {
        let client = ctx.client()?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let live = match client.get_json(&t.path()?).await {
                Ok(v) => Some(v),
                Err(e) if e.is_not_found() => None,
                Err(e) => return Err(e.into()),
            };
            let force = attempt == MAX_RETRIES;
            if force {
                ctx.eprint(&klog_warning(
                    723,
                    &format!(
                        "Object ({}: {}) keeps changing, diffing without lock",
                        gvk_string(&t.resource),
                        t.name
                    ),
                ));
            }
            match self.merged(ctx, t, live.as_ref(), force).await {
                Ok(merged) => {
                    return Ok(Pair {
                        name: file_name(
                            &t.resource.group,
                            &t.resource.version,
                            &t.resource.kind,
                            t.namespace.as_deref().unwrap_or(""),
                            &t.name,
                        ),
                        live,
                        merged,
                    })
                }
                Err(CliError::Client(ClientError::Api(s)))
                    if s.code == 409 && attempt < MAX_RETRIES => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// `InfoObject.Merged`: the server's dry run of the apply.
    async fn merged(
        &self,
        ctx: &Context,
        t: &Info,
        live: Option<&Value>,
        force: bool,
    ) -> Result<Value, CliError> {
        let client = ctx.client()?;
        let manager = self.manager();
        if self.server_side.value {
            let body = server_side_apply_body(&t.object);
            let req =
                ApiRequest::patch(t.path()?, SERVER_SIDE_APPLY_CONTENT_TYPE, body.into_bytes())
                    .query("dryRun", "All")
                    .query("fieldManager", manager)
                    .query("force", self.force_conflicts.value.to_string());
            return Ok(client.send_json(&req).await?);
        }
        let Some(live) = live else {
            let req = ApiRequest::post(t.collection()?, &t.object)
                .query("dryRun", "All")
                .query("fieldManager", manager);
            return Ok(client.send_json(&req).await?);
        };
        let patch = diff_patch(&t.object, live).map_err(|e| {
            CliError::msg(format!(
                "error when creating patch with:\n{}\nfor: {:?}: {e}",
                to_go_json(&t.object),
                t.source
            ))
        })?;
        let Some(patch) = patch else {
            return Ok(live.clone());
        };
        let mut body = patch.patch.clone();
        if !force {
            if !body["metadata"].is_object() {
                body["metadata"] = Value::Object(Default::default());
            }
            body["metadata"]["resourceVersion"] =
                Value::String(str_at(live, &["metadata", "resourceVersion"]).to_string());
        }
        let req = ApiRequest::patch(
            t.path()?,
            patch.patch_type.content_type(),
            to_go_json(&body).into_bytes(),
        )
        .query("dryRun", "All")
        .query("fieldManager", manager);
        match client.send_json(&req).await {
            Ok(v) => Ok(v),
            Err(ClientError::Api(s)) if s.code == 409 => Err(ClientError::Api(s).into()),
            Err(e) => Err(with_source("patching", &t.source, e.into())),
        }
    }

    /// `Differ.Diff`: managed fields dropped, Secret data masked, both versions written.
    fn write_pair(&self, dirs: &Dirs, pair: Pair) -> Result<(), CliError> {
        let Pair {
            name,
            mut live,
            mut merged,
        } = pair;
        if !self.show_managed_fields {
            if let Some(l) = &mut live {
                drop_managed_fields(l);
            }
            drop_managed_fields(&mut merged);
        }
        let mut live_text = live.as_ref().map(to_yaml_string).unwrap_or_default();
        if !self.show_secrets && merged["apiVersion"] == "v1" && merged["kind"] == "Secret" {
            mask_secret(live.as_mut(), &mut merged);
            // The masker hands back a typed nil for an absent object, which YAML prints as
            // `null` (an absent object is otherwise an empty file).
            live_text = live
                .as_ref()
                .map(to_yaml_string)
                .unwrap_or_else(|| "null\n".into());
        }
        std::fs::write(dirs.live.join(&name), live_text)?;
        std::fs::write(dirs.merged.join(&name), to_yaml_string(&merged))?;
        Ok(())
    }

    /// `DiffProgram.Run`: `$KUBECTL_EXTERNAL_DIFF` (its first word, then the directories, then
    /// the words that are only letters, digits, `-` and `=`), or `diff -u -N`. Its output is
    /// ours; its exit code 1 is ours silently, above 1 an error.
    fn run_program(&self, ctx: &Context, from: &Path, to: &Path) -> Result<(), CliError> {
        let dirs = [
            from.to_string_lossy().into_owned(),
            to.to_string_lossy().into_owned(),
        ];
        let (program, args): (String, Vec<String>) = match ctx.env.get("KUBECTL_EXTERNAL_DIFF") {
            Some(ext) if !ext.is_empty() => {
                let mut words = ext.split(' ');
                let program = words.next().unwrap_or("").to_string();
                let mut args = dirs.to_vec();
                args.extend(
                    words
                        .filter(|w| {
                            !w.is_empty()
                                && w.chars()
                                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '=')
                        })
                        .map(str::to_string),
                );
                (program, args)
            }
            _ => {
                let mut args = vec!["-u".to_string(), "-N".to_string()];
                args.extend(dirs);
                ("diff".to_string(), args)
            }
        };
        let out = command(&ctx.env, &program).args(&args).output();
        let out = match out {
            Ok(o) => o,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // k8s.io/utils/exec reports every lookup failure as ErrExecutableNotFound.
                return Err(CliError::msg(format!(
                    "failed to run {program:?}: executable file not found in $PATH"
                )));
            }
            Err(e) => return Err(CliError::msg(format!("failed to run {program:?}: {e}"))),
        };
        ctx.out().write_all(&out.stdout)?;
        ctx.eprint(&String::from_utf8_lossy(&out.stderr));
        match out.status.code() {
            Some(0) => Ok(()),
            Some(1) => Err(CliError::Silent(1)),
            Some(n) => Err(CliError::msg(format!(
                "failed to run {program:?}: exit status {n}"
            ))),
            None => {
                use std::os::unix::process::ExitStatusExt;
                let sig = out.status.signal().unwrap_or(0);
                Err(CliError::msg(format!(
                    "failed to run {program:?}: signal: {}",
                    signal_name(sig)
                )))
            }
        }
    }
}

/// The RESTMapping of `group/version, Kind=kind`; the error says whether discovery itself
/// failed (`true`) or the kind is unknown (`false`, `no matches for kind …`).
async fn find_kind(
    ctx: &Context,
    g: &str,
    v: &str,
    k: &str,
) -> Result<ApiResource, (bool, CliError)> {
    let disc = ctx
        .discovery()
        .map_err(|e| (true, e))?
        .data()
        .await
        .map_err(|e| (true, e.into()))?;
    disc.resources
        .iter()
        .find(|r| r.group == g && r.version == v && r.kind == k)
        .cloned()
        .ok_or_else(|| {
            let gv = if g.is_empty() {
                v.to_string()
            } else {
                format!("{g}/{v}")
            };
            (
                false,
                CliError::msg(format!("no matches for kind {k:?} in version {gv:?}")),
            )
        })
}

/// kubectl's file name of an object: `group.version.Kind.namespace.name` (no group and no
/// dot for the core group).
fn file_name(group: &str, version: &str, kind: &str, namespace: &str, name: &str) -> String {
    let group = if group.is_empty() {
        String::new()
    } else {
        format!("{group}.")
    };
    format!("{group}{version}.{kind}.{namespace}.{name}")
}

/// Go's `GroupVersionKind.String()`: `group/version, Kind=kind`.
fn gvk_string(r: &ApiResource) -> String {
    format!("{}/{}, Kind={}", r.group, r.version, r.kind)
}

fn drop_managed_fields(obj: &mut Value) {
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
}

/// `Masker.run`: every `data` value becomes `***`; a key on both sides whose values differ
/// becomes `*** (before)` / `*** (after)` so the change still shows.
fn mask_secret(live: Option<&mut Value>, merged: &mut Value) {
    let from = live
        .as_ref()
        .and_then(|l| l.get("data"))
        .and_then(Value::as_object)
        .cloned();
    let to = merged.get("data").and_then(Value::as_object).cloned();
    let (mut from_m, mut to_m) = (from.clone(), to.clone());
    if let Some(f) = &from {
        for (k, v) in f {
            if let Some(tv) = to.as_ref().and_then(|t| t.get(k)) {
                if tv != v {
                    set(&mut from_m, k, MASK_BEFORE);
                    set(&mut to_m, k, MASK_AFTER);
                    continue;
                }
                set(&mut to_m, k, MASK);
            }
            set(&mut from_m, k, MASK);
        }
    }
    if let Some(t) = &to {
        for k in t.keys() {
            if from.as_ref().is_none_or(|f| !f.contains_key(k)) {
                set(&mut to_m, k, MASK);
            }
        }
    }
    if let (Some(l), Some(f)) = (live, from_m) {
        l["data"] = Value::Object(f);
    }
    if let Some(t) = to_m {
        merged["data"] = Value::Object(t);
    }
}

fn set(m: &mut Option<serde_json::Map<String, Value>>, k: &str, v: &str) {
    if let Some(m) = m {
        m.insert(k.to_string(), Value::String(v.to_string()));
    }
}

/// A klog warning line as kubectl prints it on stderr.
fn klog_warning(line: u32, msg: &str) -> String {
    let now = chrono::Local::now();
    format!(
        "W{} {:>7} diff.go:{line}] {msg}\n",
        now.format("%m%d %H:%M:%S%.6f"),
        std::process::id()
    )
}

/// Go's `syscall.Signal.String()` for the signals a diff program dies of.
fn signal_name(sig: i32) -> String {
    match sig {
        1 => "hangup".into(),
        2 => "interrupt".into(),
        3 => "quit".into(),
        6 => "aborted".into(),
        9 => "killed".into(),
        11 => "segmentation fault".into(),
        13 => "broken pipe".into(),
        15 => "terminated".into(),
        n => format!("signal {n}"),
    }
}

/// `kubectl diff`: kubectl's description.
pub const DIFF_LONG: &str = r#"Diff configurations specified by file name or stdin between the current online configuration, and the configuration as it would be if applied.

 The output is always YAML.

 KUBECTL_EXTERNAL_DIFF environment variable can be used to select your own diff command. Users can use external commands with params too, example: KUBECTL_EXTERNAL_DIFF="colordiff -N -u"

 By default, the "diff" command available in your path will be run with the "-u" (unified diff) and "-N" (treat absent files as empty) options.

 Exit status: 0 No differences were found. 1 Differences were found. >1 Kubectl or diff failed with an error.

 Note: KUBECTL_EXTERNAL_DIFF, if used, is expected to follow that convention."#;

/// `kubectl diff`: kubectl's examples.
pub const DIFF_EXAMPLES: &str = r"Examples:
  # Diff resources included in pod.json
  kubectl diff -f pod.json
  
  # Diff file read from stdin
  cat service.yaml | kubectl diff -f -";

/// `kubectl diff`: kubectl's usage.
pub const DIFF_USAGE: &str = r"diff -f FILENAME";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_follow_kubectl() {
        assert_eq!(
            file_name("apps", "v1", "DaemonSet", "default", "ne"),
            "apps.v1.DaemonSet.default.ne"
        );
        assert_eq!(file_name("", "v1", "Namespace", "", "x"), "v1.Namespace..x");
    }

    #[test]
    fn secrets_are_masked_keeping_changes_visible() {
        let mut live = json!({"data": {"same": "YQ==", "changed": "Yg==", "gone": "Yw=="}});
        let mut merged = json!({"data": {"same": "YQ==", "changed": "ZA==", "new": "ZQ=="}});
        mask_secret(Some(&mut live), &mut merged);
        assert_eq!(
            live,
            json!({"data": {"same": "***", "changed": "*** (before)", "gone": "***"}})
        );
        assert_eq!(
            merged,
            json!({"data": {"same": "***", "changed": "*** (after)", "new": "***"}})
        );
        let mut created = json!({"data": {"k": "dg=="}});
        mask_secret(None, &mut created);
        assert_eq!(created, json!({"data": {"k": "***"}}));
    }
}

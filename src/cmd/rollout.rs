//! `kubectl-rs rollout`: `status`, `history`, `restart`, `undo`, `pause`, `resume` for
//! DaemonSets, Deployments and StatefulSets (kubectl `pkg/cmd/rollout` and the
//! `pkg/polymorphichelpers` status viewers, history viewers, rollbackers, restarter, pauser
//! and resumer).
//!
//! This file holds the command line, how objects are found (kubectl's builder with
//! `ResourceTypeOrNameArgs(true, …)`, `-l`, `-f`, `Latest()`), `status` and the patching
//! subcommands; `rollout/history.rs` holds `history` and `undo`.

mod history;

use std::io::Write;

use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::client::ApiRequest;
use crate::cmd::flags::DryRun;
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::CliError;
use crate::print::{GenericOptions, GenericPrinter, OutputFormat};
use crate::resource::str_at;
use crate::resource::targets::{self, FindSpec};
use crate::resource::{collected_errors, visit_errors, Info};

pub const ROLLOUT_LONG: &str = r"Manage the rollout of one or many resources.
        
 Valid resource types include:

  *  deployments
  *  daemonsets
  *  statefulsets";

pub const ROLLOUT_EXAMPLES: &str = r"Examples:
  # Rollback to the previous deployment
  kubectl rollout undo deployment/abc
  
  # Check the rollout status of a daemonset
  kubectl rollout status daemonset/foo
  
  # Restart a deployment
  kubectl rollout restart deployment/abc
  
  # Restart deployments with the 'app=nginx' label
  kubectl rollout restart deployment --selector=app=nginx";

/// Manage the rollout of a resource.
#[derive(Debug, Clone, clap::Args)]
pub struct RolloutArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub command: RolloutCommand,
}

/// The `rollout` subcommands, in kubectl's order.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum RolloutCommand {
    /// View rollout history
    #[command(long_about = ROLLOUT_HISTORY_LONG, after_help = ROLLOUT_HISTORY_EXAMPLES, override_usage = ROLLOUT_HISTORY_USAGE)]
    History(HistoryArgs),
    /// Mark the provided resource as paused
    #[command(long_about = ROLLOUT_PAUSE_LONG, after_help = ROLLOUT_PAUSE_EXAMPLES, override_usage = ROLLOUT_PAUSE_USAGE)]
    Pause(PatchArgs),
    /// Resume a paused resource
    #[command(long_about = ROLLOUT_RESUME_LONG, after_help = ROLLOUT_RESUME_EXAMPLES, override_usage = ROLLOUT_RESUME_USAGE)]
    Resume(PatchArgs),
    /// Undo a previous rollout
    #[command(long_about = ROLLOUT_UNDO_LONG, after_help = ROLLOUT_UNDO_EXAMPLES, override_usage = ROLLOUT_UNDO_USAGE)]
    Undo(UndoArgs),
    /// Show the status of the rollout
    #[command(long_about = ROLLOUT_STATUS_LONG, after_help = ROLLOUT_STATUS_EXAMPLES, override_usage = ROLLOUT_STATUS_USAGE)]
    Status(StatusArgs),
    /// Restart a resource
    #[command(long_about = ROLLOUT_RESTART_LONG, after_help = ROLLOUT_RESTART_EXAMPLES, override_usage = ROLLOUT_RESTART_USAGE)]
    Restart(PatchArgs),
}

/// How the objects are named: arguments, files, label selector.
#[derive(Debug, Clone, clap::Args)]
pub struct Selection {
    /// Resources: `TYPE NAME…`, `TYPE/NAME…`, or `TYPE` (every object of the type).
    #[arg(verbatim_doc_comment, value_name = "TYPE NAME | TYPE/NAME")]
    pub args: Vec<String>,
    #[command(flatten)]
    pub builder: crate::cmd::flags::BuilderFlags,
}

/// The printing flags of the subcommands that print objects (kubectl's PrintFlags).
pub use crate::cmd::flags::PrintFlags as PrintArgs;

/// `rollout status` flags.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("timeout", |a| a.help("The length of time to wait before ending watch, zero means never. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).")))]
#[command(mut_arg("watch", |a| a.help("Watch the status of the rollout until it's done.").default_value("true")))]
#[command(mut_arg("revision", |a| a.help("Pin to a specific revision for showing its status. Defaults to 0 (last revision).")))]
pub struct StatusArgs {
    /// What to watch.
    #[command(flatten)]
    pub sel: Selection,
    #[command(flatten)]
    pub watch: crate::cmd::flags::WatchFlag,
    #[command(flatten)]
    pub revision: crate::cmd::flags::RevisionFlag,
    #[command(flatten)]
    pub wait: crate::cmd::flags::WaitFlags,
}

/// `rollout restart|pause|resume` flags.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-rollout")))]
pub struct PatchArgs {
    /// What to patch.
    #[command(flatten)]
    pub sel: Selection,
    /// How to print.
    #[command(flatten)]
    pub print: PrintArgs,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
}

/// `rollout history` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct HistoryArgs {
    /// What to show.
    #[command(flatten)]
    pub sel: Selection,
    /// How to print (`-o` prints the revisions' objects).
    #[command(flatten)]
    pub print: PrintArgs,
    #[command(flatten)]
    pub revision: crate::cmd::flags::RevisionFlag,
}

/// `rollout undo` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct UndoArgs {
    /// What to roll back.
    #[command(flatten)]
    pub sel: Selection,
    /// How to print.
    #[command(flatten)]
    pub print: PrintArgs,
    /// The revision to rollback to. Default to 0 (last revision).
    #[arg(
        verbatim_doc_comment,
        long,
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub to_revision: i64,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
}

impl RolloutArgs {
    /// Runs the subcommand.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        match &self.command {
            RolloutCommand::Status(a) => a.run(ctx).await,
            RolloutCommand::Restart(a) => a.run(ctx, Patcher::Restart).await,
            RolloutCommand::Pause(a) => a.run(ctx, Patcher::Pause).await,
            RolloutCommand::Resume(a) => a.run(ctx, Patcher::Resume).await,
            RolloutCommand::History(a) => a.run(ctx).await,
            RolloutCommand::Undo(a) => a.run(ctx).await,
        }
    }
}

/// `resource.group` of a found object's resource (kubectl's error texts of the patching
/// subcommands).
fn resource_string(r: &ApiResource) -> String {
    if r.group.is_empty() {
        r.resource.clone()
    } else {
        format!("{}.{}", r.resource, r.group)
    }
}

/// `schema.GroupKind.String()`: `Kind` or `Kind.group`.
fn group_kind(r: &ApiResource) -> String {
    if r.group.is_empty() {
        r.kind.clone()
    } else {
        format!("{}.{}", r.kind, r.group)
    }
}

/// Which workload kind a resource is, if any of the three rollout knows.
fn workload(r: &ApiResource) -> Option<Workload> {
    if r.group != "apps" {
        return None;
    }
    match r.kind.as_str() {
        "Deployment" => Some(Workload::Deployment),
        "DaemonSet" => Some(Workload::DaemonSet),
        "StatefulSet" => Some(Workload::StatefulSet),
        _ => None,
    }
}

/// The kinds with rollouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workload {
    Deployment,
    DaemonSet,
    StatefulSet,
}

impl Selection {
    /// `Validate()` of every subcommand.
    fn require_some(&self) -> Result<(), CliError> {
        if self.args.is_empty() && !self.builder.from_files() {
            return Err(CliError::msg("required resource not specified"));
        }
        Ok(())
    }

    /// The objects named, fetched from the server, and the errors met on the way (kubectl's
    /// builder with `ContinueOnError` and `Latest`). Errors of the arguments themselves
    /// (unknown types, names with a selector) end the command at once.
    async fn collect(&self, ctx: &Context) -> Result<Visited, CliError> {
        let spec = FindSpec {
            // ResourceTypeOrNameArgs(allowEmptySelector=true): a bare type means all of them.
            all: true,
            ..self.builder.find_spec(&self.args)
        };
        let mut visited = Visited {
            items: Vec::new(),
            stream: Vec::new(),
        };
        for item in targets::visit(ctx, &spec).await? {
            match item {
                Ok(t) => visited.items.push(Ok(t.into_info()?)),
                Err(e) if self.builder.from_files() => visited.stream.push(e),
                Err(e) => visited.items.push(Err(e)),
            }
        }
        Ok(visited)
    }
}

/// The object of a visited item; an error met in its place is kept in `errors` and the
/// visit goes on (`ContinueOnError`).
fn kept(item: Result<Info, CliError>, errors: &mut Vec<CliError>) -> Option<Info> {
    item.map_err(|e| errors.push(e)).ok()
}

/// What the builder visits: each object, or the error met in its place (a GET of a name),
/// and the errors of the `-f`/`-k` stream (reading and `Latest`'s GETs), which cli-runtime's
/// `EagerVisitorList` returns as one aggregate once every file was visited.
struct Visited {
    items: Vec<Result<Info, CliError>>,
    stream: Vec<CliError>,
}

impl Visited {
    fn is_empty(&self) -> bool {
        self.items.is_empty() && self.stream.is_empty()
    }

    /// `Infos()`: the objects, and every error as the builder's (the patching subcommands).
    fn infos(self) -> (Vec<Info>, Vec<CliError>) {
        let mut found = Vec::new();
        let mut errors = Vec::new();
        for item in self.items {
            match item {
                Ok(f) => found.push(f),
                Err(e) => errors.push(e),
            }
        }
        errors.extend(self.stream);
        (found, errors)
    }
}

/// An integer field, 0 when missing (Go's zero value).
fn int_at(v: &Value, path: &[&str]) -> i64 {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(x) => cur = x,
            None => return 0,
        }
    }
    cur.as_i64().unwrap_or(0)
}

/// An optional integer field (a Go pointer).
fn opt_int_at(v: &Value, path: &[&str]) -> Option<i64> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_i64()
}

/// `No resources found in <ns> namespace.` on stderr, as the subcommands print it.
fn no_resources(ctx: &Context) -> Result<(), CliError> {
    let (ns, _) = ctx.namespace()?;
    ctx.eprint(&format!("No resources found in {ns} namespace.\n"));
    Ok(())
}

/// The printer of `-o` (None: the name printer with an operation, `kind.group/name <op>`), or
/// why there is none. kubectl builds it only when it prints, after patching: callers of the
/// patching subcommands keep the error until then (see [`print_result`]).
type Printer = Result<Option<GenericPrinter>, String>;

/// Builds the [`Printer`] of `-o`.
fn printer_for(ctx: &Context, p: &PrintArgs) -> Printer {
    if p.output.is_empty() && p.template.as_deref().is_none_or(str::is_empty) {
        return Ok(None);
    }
    let kyaml = ctx.env.get("KUBECTL_KYAML").map(str::to_lowercase) != Some("false".into());
    let name = p.output.split('=').next().unwrap_or("");
    let allowed = crate::cmd::flags::allowed_formats(kyaml);
    if !p.output.is_empty() && !allowed.contains(&name) {
        return Err(format!(
            "unable to match a printer suitable for the output format {:?}, allowed formats are: {}",
            p.output,
            allowed.join(",")
        ));
    }
    // `-o name` is the short name printer: `kind.group/name` without the operation.
    let format =
        OutputFormat::parse(&p.output, p.template.as_deref(), kyaml).map_err(|e| e.to_string())?;
    let opts = GenericOptions {
        allow_missing_keys: p.allow_missing_template_keys,
        show_managed_fields: p.show_managed_fields,
        ..GenericOptions::default()
    };
    // rollout decodes typed objects: kubectl's JSON keeps their Go struct order.
    GenericPrinter::new(&format, &opts, &|f| {
        std::fs::read_to_string(f).map_err(|e| e.to_string())
    })
    .map(|p| Some(p.typed()))
    .map_err(|e| e.to_string())
}

/// Prints `obj` with `-o`, or `kind.group/name <operation>`.
fn print_result(
    ctx: &Context,
    printer: &mut Printer,
    found: &Info,
    obj: &Value,
    operation: &str,
) -> Result<(), CliError> {
    let printer = printer.as_mut().map_err(|m| CliError::msg(m.clone()))?;
    let mut out = ctx.out();
    match printer {
        Some(p) => {
            p.print(obj, &mut **out)?;
        }
        None => {
            out.write_all(format!("{} {operation}\n", found.display()).as_bytes())?;
        }
    }
    out.flush()?;
    Ok(())
}

// ---------------------------------------------------------------- status

/// `--timeout`: a Go duration, with pflag's error for anything else.
fn parse_go_timeout(s: &str) -> Result<std::time::Duration, CliError> {
    if s == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    crate::cmd::flags::parse_go_duration(s).ok_or_else(|| {
        CliError::Raw(format!(
            "error: invalid argument {s:?} for \"--timeout\" flag: time: invalid duration {s:?}\nSee 'kubectl-rs rollout status --help' for usage."
        ))
    })
}

/// What a status viewer says about one object state.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RolloutState {
    message: String,
    done: bool,
}

fn state(message: String, done: bool) -> Result<RolloutState, String> {
    Ok(RolloutState { message, done })
}

/// `deploymentutil.Revision`: the revision annotation, 0 when absent.
fn revision_of(obj: &Value) -> Result<i64, String> {
    match obj["metadata"]["annotations"]["deployment.kubernetes.io/revision"].as_str() {
        None => Ok(0),
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| format!("strconv.ParseInt: parsing {v:?}: invalid syntax")),
    }
}

/// The status viewers of `polymorphichelpers/rollout_status.go`.
fn rollout_state(kind: Workload, obj: &Value, revision: i64) -> Result<RolloutState, String> {
    let name = str_at(obj, &["metadata", "name"]);
    let generation = int_at(obj, &["metadata", "generation"]);
    let observed = int_at(obj, &["status", "observedGeneration"]);
    let st = |f: &str| int_at(obj, &["status", f]);
    match kind {
        Workload::Deployment => {
            if revision > 0 {
                let current = revision_of(obj)
                    .map_err(|e| format!("cannot get the revision of deployment {name:?}: {e}"))?;
                if revision != current {
                    return Err(format!(
                        "desired revision ({revision}) is different from the running revision ({current})"
                    ));
                }
            }
            if generation > observed {
                return state(
                    "Waiting for deployment spec update to be observed...\n".into(),
                    false,
                );
            }
            let timed_out = obj["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["type"] == "Progressing")
                .is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded");
            if timed_out {
                return Err(format!(
                    "deployment {name:?} exceeded its progress deadline"
                ));
            }
            let (updated, replicas, available) = (
                st("updatedReplicas"),
                st("replicas"),
                st("availableReplicas"),
            );
            if let Some(want) = opt_int_at(obj, &["spec", "replicas"]) {
                if updated < want {
                    return state(format!("Waiting for deployment {name:?} rollout to finish: {updated} out of {want} new replicas have been updated...\n"), false);
                }
            }
            if replicas > updated {
                return state(format!("Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...\n", replicas - updated), false);
            }
            if available < updated {
                return state(format!("Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available...\n"), false);
            }
            state(
                format!("deployment {name:?} successfully rolled out\n"),
                true,
            )
        }
        Workload::DaemonSet => {
            // DaemonSets ignore --revision (kubectl: "does not have history yet").
            if str_at(obj, &["spec", "updateStrategy", "type"]) != "RollingUpdate" {
                return Err(
                    "rollout status is only available for RollingUpdate strategy type".into(),
                );
            }
            if generation > observed {
                return state(
                    "Waiting for daemon set spec update to be observed...\n".into(),
                    false,
                );
            }
            let (updated, desired, available) = (
                st("updatedNumberScheduled"),
                st("desiredNumberScheduled"),
                st("numberAvailable"),
            );
            if updated < desired {
                return state(format!("Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated...\n"), false);
            }
            if available < desired {
                return state(format!("Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available...\n"), false);
            }
            state(
                format!("daemon set {name:?} successfully rolled out\n"),
                true,
            )
        }
        Workload::StatefulSet => {
            if str_at(obj, &["spec", "updateStrategy", "type"]) != "RollingUpdate" {
                return Err(
                    "rollout status is only available for RollingUpdate strategy type".into(),
                );
            }
            if observed == 0 || generation > observed {
                return state(
                    "Waiting for statefulset spec update to be observed...\n".into(),
                    false,
                );
            }
            let replicas = opt_int_at(obj, &["spec", "replicas"]);
            let ready = st("readyReplicas");
            if let Some(want) = replicas {
                if ready < want {
                    return state(
                        format!("Waiting for {} pods to be ready...\n", want - ready),
                        false,
                    );
                }
            }
            let updated = st("updatedReplicas");
            let rolling = &obj["spec"]["updateStrategy"]["rollingUpdate"];
            if rolling.is_object() {
                let partition = opt_int_at(rolling, &["partition"]);
                if let (Some(want), Some(p)) = (replicas, partition) {
                    if updated < want - p {
                        return state(format!("Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n", want - p), false);
                    }
                }
                return state(
                    format!(
                        "partitioned roll out complete: {updated} new pods have been updated...\n"
                    ),
                    true,
                );
            }
            let update_rev = str_at(obj, &["status", "updateRevision"]);
            let current_rev = str_at(obj, &["status", "currentRevision"]);
            if update_rev != current_rev {
                return state(format!("waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}...\n"), false);
            }
            state(
                format!(
                    "statefulset rolling update complete {} pods at revision {current_rev}...\n",
                    st("currentReplicas")
                ),
                true,
            )
        }
    }
}

impl StatusArgs {
    /// Runs `rollout status`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        self.sel.require_some()?;
        self.revision.validate()?;
        let timeout = parse_go_timeout(&self.wait.timeout)?;
        let visited = self.sel.collect(ctx).await?;
        if visited.is_empty() {
            return no_resources(ctx);
        }
        // Polled first (biased) so the handlers are in place before anything is printed.
        let interrupted = super::interrupt::termination_signal();
        tokio::pin!(interrupted);
        let mut errors = Vec::new();
        for item in visited.items {
            let Some(f) = kept(item, &mut errors) else {
                continue;
            };
            let Some(kind) = workload(&f.resource) else {
                errors.push(CliError::msg(format!(
                    "no status viewer has been implemented for {}",
                    group_kind(&f.resource)
                )));
                continue;
            };
            let watch = async {
                tokio::select! {
                    biased;
                    _ = &mut interrupted => Err(CliError::Interrupted),
                    r = self.watch_one(ctx, &f, kind) => r,
                }
            };
            let result = if timeout.is_zero() {
                watch.await
            } else {
                match tokio::time::timeout(timeout, watch).await {
                    Ok(r) => r,
                    Err(_) => Err(CliError::msg("timed out waiting for the condition")),
                }
            };
            match result {
                Err(CliError::Interrupted) => return Err(CliError::Interrupted),
                Err(e) => errors.push(e),
                Ok(()) => {}
            }
        }
        visit_errors(errors, visited.stream)
    }

    /// Prints the state of one object, then of every change until done (watchtools'
    /// `UntilWithSync` on `metadata.name=<name>`).
    async fn watch_one(&self, ctx: &Context, f: &Info, kind: Workload) -> Result<(), CliError> {
        let client = ctx.client()?;
        // The name is checked as the object's own GET would check it (a nameless object read
        // from a file is watched by its empty name, as kubectl does).
        if !f.name.is_empty() {
            f.path()?;
        }
        let collection = f.resource.path(f.namespace.as_deref(), None)?;
        let selector = format!("metadata.name={}", f.name);
        // Prints one state; Some(result) ends the watch.
        let show = |obj: &Value| -> Option<Result<(), CliError>> {
            match rollout_state(kind, obj, self.revision.value) {
                Err(e) => Some(Err(CliError::msg(e))),
                Ok(s) => {
                    let mut out = ctx.out();
                    if let Err(e) = out
                        .write_all(s.message.as_bytes())
                        .and_then(|_| out.flush())
                    {
                        return Some(Err(e.into()));
                    }
                    (s.done || !self.watch.value).then_some(Ok(()))
                }
            }
        };
        let mut relist = true;
        let mut rv = String::new();
        loop {
            if relist {
                let req =
                    ApiRequest::get(collection.clone()).query("fieldSelector", selector.clone());
                let list = client.send_json(&req).await?;
                rv = str_at(&list, &["metadata", "resourceVersion"]).to_string();
                for item in list["items"].as_array().into_iter().flatten() {
                    if let Some(end) = show(item) {
                        return end;
                    }
                }
                relist = false;
            }
            let req = ApiRequest::get(collection.clone())
                .query("fieldSelector", selector.clone())
                .query("resourceVersion", rv.clone())
                .query("allowWatchBookmarks", "true");
            let mut stream = match client.watch(&req).await {
                Ok(s) => s,
                Err(e) if e.status().is_some_and(|s| s.code == 410) => {
                    relist = true;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            loop {
                match stream.next().await {
                    // The server ended the watch: resume where it stopped.
                    None => break,
                    Some(Err(e)) => {
                        if e.status().is_some_and(|s| s.code == 410) {
                            relist = true;
                        }
                        break;
                    }
                    Some(Ok(ev)) => {
                        if let Some(v) = ev.object["metadata"]["resourceVersion"].as_str() {
                            rv = v.to_string();
                        }
                        match ev.event_type.as_str() {
                            "ADDED" | "MODIFIED" => {
                                if let Some(end) = show(&ev.object) {
                                    return end;
                                }
                            }
                            "DELETED" => {
                                return Err(CliError::msg("object has been deleted"));
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
}

// ------------------------------------------------- restart, pause, resume

/// Which patching subcommand runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Patcher {
    Restart,
    Pause,
    Resume,
}

const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// The strategic merge patch of one object, or the reason there is none (kubectl's
/// `ObjectRestarterFn`/`ObjectPauserFn`/`ObjectResumerFn` followed by `CalculatePatches`).
/// `now` is the RFC 3339 time in the local zone. `Ok(None)` is an empty patch.
fn patch_for(
    which: Patcher,
    kind: Option<Workload>,
    obj: &Value,
    now: &str,
) -> Result<Option<Value>, String> {
    let paused = obj["spec"]["paused"].as_bool().unwrap_or(false);
    match which {
        Patcher::Restart => {
            if kind.is_none() {
                return Err("restarting is not supported".into());
            }
            if kind == Some(Workload::Deployment) && paused {
                return Err("can't restart paused deployment (run rollout resume first)".into());
            }
            if obj["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT].as_str()
                == Some(now)
            {
                return Ok(None);
            }
            Ok(Some(
                json!({"spec": {"template": {"metadata": {"annotations": {
                    RESTARTED_AT: now
                }}}}}),
            ))
        }
        Patcher::Pause => {
            if kind != Some(Workload::Deployment) {
                return Err("pausing is not supported".into());
            }
            if paused {
                return Err("is already paused".into());
            }
            Ok(Some(json!({"spec": {"paused": true}})))
        }
        Patcher::Resume => {
            if kind != Some(Workload::Deployment) {
                return Err("resuming is not supported".into());
            }
            if !paused {
                return Err("is not paused".into());
            }
            // `paused: false` is omitted by Go's encoder, so the two-way patch deletes it.
            Ok(Some(json!({"spec": {"paused": null}})))
        }
    }
}

impl PatchArgs {
    /// Runs `rollout restart|pause|resume`.
    async fn run(&self, ctx: &Context, which: Patcher) -> Result<(), CliError> {
        self.sel.require_some()?;
        let mut printer = printer_for(ctx, &self.print);
        let (found, mut builder_errors) = self.sel.collect(ctx).await?.infos();
        if !self.sel.builder.files.filename.is_empty() {
            // An object read from a file whose path cannot be built is printed bare
            // (observed with kubectl; a name on the command line gets `error: `).
            for e in &mut builder_errors {
                if let CliError::Client(crate::client::ClientError::Path(p)) = e {
                    *e = CliError::Raw(p.to_string());
                }
            }
        }
        if found.is_empty() && builder_errors.is_empty() {
            return no_resources(ctx);
        }
        let (operation, empty_operation) = match which {
            Patcher::Restart => ("restarted", ""),
            Patcher::Pause => ("paused", "already paused"),
            Patcher::Resume => ("resumed", "already resumed"),
        };
        let now = chrono::Local::now()
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string();
        // RFC 3339 in Go writes a zero offset as `Z`.
        let now = match now.strip_suffix("+00:00") {
            Some(base) => format!("{base}Z"),
            None => now,
        };
        let mut errors = Vec::new();
        for f in &found {
            let patch = match patch_for(which, workload(&f.resource), &f.object, &now) {
                Err(e) => {
                    // Already prefixed: checkErr prints it as it is.
                    errors.push(CliError::Raw(format!(
                        "error: {} {:?} {e}",
                        resource_string(&f.resource),
                        f.name
                    )));
                    continue;
                }
                Ok(p) => p,
            };
            let Some(patch) = patch else {
                if which == Patcher::Restart {
                    errors.push(CliError::msg(format!("failed to create patch for {}: if restart has already been triggered within the past second, please wait before attempting to trigger another", f.name)));
                } else {
                    if let Err(e) = print_result(ctx, &mut printer, f, &f.object, empty_operation) {
                        errors.push(e);
                    }
                }
                continue;
            };
            let body = serde_json::to_vec(&patch)?;
            let sent = match f.path() {
                Ok(path) => {
                    let req =
                        ApiRequest::patch(path, "application/strategic-merge-patch+json", body)
                            .query("fieldManager", self.field_manager.as_str());
                    ctx.client()?.send_json(&req).await
                }
                Err(e) => Err(e.into()),
            };
            match sent {
                Ok(obj) => {
                    if let Err(e) = print_result(ctx, &mut printer, f, &obj, operation) {
                        errors.push(e);
                    }
                }
                Err(e) => {
                    // Wrapped by fmt.Errorf in kubectl: the server's message, no reason.
                    let m = e
                        .status()
                        .map(|s| s.message.clone())
                        .unwrap_or_else(|| e.to_string());
                    errors.push(CliError::msg(format!("failed to patch: {m}")));
                }
            }
        }
        if let Ok(Some(p)) = printer.as_mut() {
            p.finish(&mut **ctx.out())?;
        }
        collected_errors(builder_errors, errors)
    }
}

/// `--dry-run` of `undo`.
fn dry_run(ctx: &Context, value: &str) -> Result<DryRun, CliError> {
    crate::cmd::flags::dry_run_flag(ctx, value)
}

/// `kubectl rollout history`: kubectl's description.
pub const ROLLOUT_HISTORY_LONG: &str = r"View previous rollout revisions and configurations.";

/// `kubectl rollout history`: kubectl's examples.
pub const ROLLOUT_HISTORY_EXAMPLES: &str = r"Examples:
  # View the rollout history of a deployment
  kubectl rollout history deployment/abc
  
  # View the details of daemonset revision 3
  kubectl rollout history daemonset/abc --revision=3";

/// `kubectl rollout history`: kubectl's usage (`Use`).
pub const ROLLOUT_HISTORY_USAGE: &str = r"history (TYPE NAME | TYPE/NAME) [flags]";

/// `kubectl rollout pause`: kubectl's description.
pub const ROLLOUT_PAUSE_LONG: &str = r#"Mark the provided resource as paused.

 Paused resources will not be reconciled by a controller. Use "kubectl rollout resume" to resume a paused resource. Currently only deployments support being paused."#;

/// `kubectl rollout pause`: kubectl's examples.
pub const ROLLOUT_PAUSE_EXAMPLES: &str = r"Examples:
  # Mark the nginx deployment as paused
  # Any current state of the deployment will continue its function; new updates
  # to the deployment will not have an effect as long as the deployment is paused
  kubectl rollout pause deployment/nginx";

/// `kubectl rollout pause`: kubectl's usage (`Use`).
pub const ROLLOUT_PAUSE_USAGE: &str = r"pause RESOURCE";

/// `kubectl rollout restart`: kubectl's description.
pub const ROLLOUT_RESTART_LONG: &str = r"Restart a resource.

        Resource rollout will be restarted.";

/// `kubectl rollout restart`: kubectl's examples.
pub const ROLLOUT_RESTART_EXAMPLES: &str = r"Examples:
  # Restart all deployments in the test-namespace namespace
  kubectl rollout restart deployment -n test-namespace
  
  # Restart a deployment
  kubectl rollout restart deployment/nginx
  
  # Restart a daemon set
  kubectl rollout restart daemonset/abc
  
  # Restart deployments with the app=nginx label
  kubectl rollout restart deployment --selector=app=nginx";

/// `kubectl rollout restart`: kubectl's usage (`Use`).
pub const ROLLOUT_RESTART_USAGE: &str = r"restart RESOURCE";

/// `kubectl rollout resume`: kubectl's description.
pub const ROLLOUT_RESUME_LONG: &str = r"Resume a paused resource.

 Paused resources will not be reconciled by a controller. By resuming a resource, we allow it to be reconciled again. Currently only deployments support being resumed.";

/// `kubectl rollout resume`: kubectl's examples.
pub const ROLLOUT_RESUME_EXAMPLES: &str = r"Examples:
  # Resume an already paused deployment
  kubectl rollout resume deployment/nginx";

/// `kubectl rollout resume`: kubectl's usage (`Use`).
pub const ROLLOUT_RESUME_USAGE: &str = r"resume RESOURCE";

/// `kubectl rollout status`: kubectl's description.
pub const ROLLOUT_STATUS_LONG: &str = r"Show the status of the rollout.

 By default 'rollout status' will watch the status of the latest rollout until it's done. If you don't want to wait for the rollout to finish then you can use --watch=false. Note that if a new rollout starts in-between, then 'rollout status' will continue watching the latest revision. If you want to pin to a specific revision and abort if it is rolled over by another revision, use --revision=N where N is the revision you need to watch for.";

/// `kubectl rollout status`: kubectl's examples.
pub const ROLLOUT_STATUS_EXAMPLES: &str = r"Examples:
  # Watch the rollout status of a deployment
  kubectl rollout status deployment/nginx";

/// `kubectl rollout status`: kubectl's usage (`Use`).
pub const ROLLOUT_STATUS_USAGE: &str = r"status (TYPE NAME | TYPE/NAME) [flags]";

/// `kubectl rollout undo`: kubectl's description.
pub const ROLLOUT_UNDO_LONG: &str = r"Roll back to a previous rollout.";

/// `kubectl rollout undo`: kubectl's examples.
pub const ROLLOUT_UNDO_EXAMPLES: &str = r"Examples:
  # Roll back to the previous deployment
  kubectl rollout undo deployment/abc
  
  # Roll back to daemonset revision 3
  kubectl rollout undo daemonset/abc --to-revision=3
  
  # Roll back to the previous deployment with dry-run
  kubectl rollout undo --dry-run=server deployment/abc";

/// `kubectl rollout undo`: kubectl's usage (`Use`).
pub const ROLLOUT_UNDO_USAGE: &str = r"undo (TYPE NAME | TYPE/NAME) [flags]";

/// `kubectl rollout`: kubectl's usage (`Use`).
pub const ROLLOUT_USAGE: &str = r"rollout SUBCOMMAND";

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(gen: i64, observed: i64, desired: i64, updated: i64, available: i64) -> Value {
        json!({
            "metadata": {"name": "node-exporter", "generation": gen},
            "spec": {"updateStrategy": {"type": "RollingUpdate"}},
            "status": {"observedGeneration": observed, "desiredNumberScheduled": desired,
                       "updatedNumberScheduled": updated, "numberAvailable": available}
        })
    }

    #[test]
    fn daemonset_states() {
        let s = |o: &Value| rollout_state(Workload::DaemonSet, o, 0).unwrap();
        assert_eq!(
            s(&ds(2, 1, 2, 2, 2)).message,
            "Waiting for daemon set spec update to be observed...\n"
        );
        assert_eq!(
            s(&ds(1, 1, 2, 1, 1)).message,
            "Waiting for daemon set \"node-exporter\" rollout to finish: 1 out of 2 new pods have been updated...\n"
        );
        let waiting = s(&ds(1, 1, 2, 2, 0));
        assert_eq!(waiting.message, "Waiting for daemon set \"node-exporter\" rollout to finish: 0 of 2 updated pods are available...\n");
        assert!(!waiting.done);
        let done = s(&ds(1, 1, 2, 2, 2));
        assert_eq!(
            done.message,
            "daemon set \"node-exporter\" successfully rolled out\n"
        );
        assert!(done.done);
        let mut on_delete = ds(1, 1, 2, 2, 2);
        on_delete["spec"]["updateStrategy"]["type"] = json!("OnDelete");
        assert_eq!(
            rollout_state(Workload::DaemonSet, &on_delete, 0).unwrap_err(),
            "rollout status is only available for RollingUpdate strategy type"
        );
    }

    #[test]
    fn deployment_states() {
        let mut d = json!({
            "metadata": {"name": "web", "generation": 3,
                         "annotations": {"deployment.kubernetes.io/revision": "2"}},
            "spec": {"replicas": 3},
            "status": {"observedGeneration": 3, "replicas": 4, "updatedReplicas": 3,
                       "availableReplicas": 2}
        });
        let s = |o: &Value, r| rollout_state(Workload::Deployment, o, r);
        assert_eq!(s(&d, 0).unwrap().message, "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...\n");
        assert_eq!(
            s(&d, 1).unwrap_err(),
            "desired revision (1) is different from the running revision (2)"
        );
        d["status"]["replicas"] = json!(3);
        assert_eq!(s(&d, 2).unwrap().message, "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available...\n");
        d["status"]["updatedReplicas"] = json!(1);
        assert_eq!(s(&d, 0).unwrap().message, "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...\n");
        d["status"]["conditions"] =
            json!([{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]);
        assert_eq!(
            s(&d, 0).unwrap_err(),
            "deployment \"web\" exceeded its progress deadline"
        );
    }

    #[test]
    fn statefulset_states() {
        let mut s = json!({
            "metadata": {"name": "db", "generation": 1},
            "spec": {"replicas": 3, "updateStrategy": {"type": "RollingUpdate",
                     "rollingUpdate": {"partition": 1}}},
            "status": {"observedGeneration": 1, "readyReplicas": 2, "updatedReplicas": 1,
                       "currentReplicas": 3, "currentRevision": "db-1", "updateRevision": "db-2"}
        });
        let st = |o: &Value| rollout_state(Workload::StatefulSet, o, 0).unwrap();
        assert_eq!(st(&s).message, "Waiting for 1 pods to be ready...\n");
        s["status"]["readyReplicas"] = json!(3);
        assert_eq!(st(&s).message, "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...\n");
        s["status"]["updatedReplicas"] = json!(2);
        assert!(st(&s).done);
        s["spec"]["updateStrategy"] = json!({"type": "RollingUpdate"});
        assert_eq!(
            st(&s).message,
            "waiting for statefulset rolling update to complete 2 pods at revision db-2...\n"
        );
        s["status"]["currentRevision"] = json!("db-2");
        assert_eq!(
            st(&s).message,
            "statefulset rolling update complete 3 pods at revision db-2...\n"
        );
    }

    #[test]
    fn patches() {
        let dep = json!({"spec": {"paused": true, "template": {}}});
        let now = "2026-01-02T03:04:05Z";
        assert_eq!(
            patch_for(Patcher::Restart, Some(Workload::Deployment), &dep, now).unwrap_err(),
            "can't restart paused deployment (run rollout resume first)"
        );
        assert_eq!(
            patch_for(Patcher::Resume, Some(Workload::Deployment), &dep, now).unwrap(),
            Some(json!({"spec": {"paused": null}}))
        );
        assert_eq!(
            patch_for(Patcher::Pause, Some(Workload::Deployment), &dep, now).unwrap_err(),
            "is already paused"
        );
        assert_eq!(
            patch_for(Patcher::Pause, Some(Workload::DaemonSet), &dep, now).unwrap_err(),
            "pausing is not supported"
        );
        let ds = json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}});
        assert_eq!(
            patch_for(Patcher::Restart, Some(Workload::DaemonSet), &ds, now).unwrap(),
            None
        );
        assert_eq!(
            patch_for(Patcher::Restart, None, &ds, now).unwrap_err(),
            "restarting is not supported"
        );
    }

    #[test]
    fn flag_values() {
        assert_eq!(
            parse_go_timeout("1m30s").unwrap(),
            std::time::Duration::from_secs(90)
        );
        assert_eq!(parse_go_timeout("0").unwrap(), std::time::Duration::ZERO);
        let e = crate::error::render(&parse_go_timeout("abc").unwrap_err());
        assert_eq!(e.stderr, "error: invalid argument \"abc\" for \"--timeout\" flag: time: invalid duration \"abc\"\nSee 'kubectl-rs rollout status --help' for usage.\n");
        assert_eq!(crate::cmd::flags::allowed_formats(true).join(","), "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,yaml");
    }
}

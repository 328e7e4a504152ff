//! `kubectl-rs set`: change fields of existing objects (kubectl `pkg/cmd/set`). One file per
//! subcommand; this file holds the command group and what the subcommands share (kubectl's
//! `set/helper.go`): finding the pod spec of a workload, the patch from the object before
//! to after the change (`CalculatePatch`), sending it and printing the result.

mod env;
mod image;
mod resources;
mod selector;
mod serviceaccount;
mod subject;

use serde_json::Value;

use crate::client::request::PATCH_STRATEGIC;
use crate::client::ApiRequest;
use crate::cmd::flags::{DryRun, PrintFlags, SetCommonFlags};
use crate::context::Context;
use crate::error::CliError;
use crate::ops::generated::TypedPrinter;
use crate::resource::targets::{FindSpec, Target};

pub use env::{EnvArgs, SET_ENV_EXAMPLES, SET_ENV_LONG, SET_ENV_USAGE};
pub use image::{ImageArgs, SET_IMAGE_EXAMPLES, SET_IMAGE_LONG, SET_IMAGE_USAGE};
pub use resources::{
    ResourcesArgs, SET_RESOURCES_EXAMPLES, SET_RESOURCES_LONG, SET_RESOURCES_USAGE,
};
pub use selector::{SelectorArgs, SET_SELECTOR_EXAMPLES, SET_SELECTOR_LONG, SET_SELECTOR_USAGE};
pub use serviceaccount::{ServiceAccountArgs, SET_SA_EXAMPLES, SET_SA_LONG, SET_SA_USAGE};
pub use subject::{SubjectArgs, SET_SUBJECT_EXAMPLES, SET_SUBJECT_LONG, SET_SUBJECT_USAGE};

/// kubectl's long help of `set`.
pub const SET_LONG: &str = "Configure application resources.\n\n These commands help you make changes to existing application resources.";

/// kubectl's usage line of `set`.
pub const SET_USAGE: &str = "set SUBCOMMAND";

/// Set specific features on objects.
#[derive(Debug, Clone, clap::Args)]
pub struct SetArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub command: SetCommand,
}

/// The `set` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum SetCommand {
    /// Update environment variables on a pod template
    #[command(long_about = SET_ENV_LONG, after_help = SET_ENV_EXAMPLES, override_usage = SET_ENV_USAGE)]
    Env(EnvArgs),
    /// Update the image of a pod template
    #[command(long_about = SET_IMAGE_LONG, after_help = SET_IMAGE_EXAMPLES, override_usage = SET_IMAGE_USAGE)]
    Image(ImageArgs),
    /// Update resource requests/limits on objects with pod templates
    #[command(long_about = SET_RESOURCES_LONG, after_help = SET_RESOURCES_EXAMPLES, override_usage = SET_RESOURCES_USAGE)]
    Resources(ResourcesArgs),
    /// Set the selector on a resource
    #[command(long_about = SET_SELECTOR_LONG, after_help = SET_SELECTOR_EXAMPLES, override_usage = SET_SELECTOR_USAGE)]
    Selector(SelectorArgs),
    /// Update the service account of a resource
    #[command(visible_alias = "sa")]
    #[command(long_about = SET_SA_LONG, after_help = SET_SA_EXAMPLES, override_usage = SET_SA_USAGE)]
    Serviceaccount(ServiceAccountArgs),
    /// Update the user, group, or service account in a role binding or cluster role binding
    #[command(long_about = SET_SUBJECT_LONG, after_help = SET_SUBJECT_EXAMPLES, override_usage = SET_SUBJECT_USAGE)]
    Subject(SubjectArgs),
}

impl SetArgs {
    /// Runs the subcommand.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        match &self.command {
            SetCommand::Env(a) => a.run(ctx).await,
            SetCommand::Image(a) => a.run(ctx).await,
            SetCommand::Resources(a) => a.run(ctx).await,
            SetCommand::Selector(a) => a.run(ctx).await,
            SetCommand::Serviceaccount(a) => a.run(ctx).await,
            SetCommand::Subject(a) => a.run(ctx).await,
        }
    }
}

/// `resource.LocalResourceError`: `TYPE NAME` arguments with `--local`.
pub(crate) fn local_resource_error() -> CliError {
    CliError::msg("you must specify resources by --filename when --local is set.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'")
}

/// The builder's `ResourceTypeOrNameArgs` with a selector or `--all` and `TYPE/NAME`.
pub(crate) fn check_selector_with_names(args: &[String], selecting: bool) -> Result<(), CliError> {
    if selecting && args.iter().any(|a| a.contains('/')) {
        return Err(CliError::msg(
            "selectors and the all flag cannot be used when passing resource/name arguments",
        ));
    }
    Ok(())
}

/// The refusal of `--local` with `--dry-run=server` in every `set` subcommand's `Validate`.
pub(crate) fn check_local_dry_run(
    common: &SetCommonFlags,
    dry_run: DryRun,
) -> Result<(), CliError> {
    if common.local.value && dry_run == DryRun::Server {
        return Err(CliError::msg(
            "cannot specify --local and --dry-run=server - did you mean --dry-run=client?",
        ));
    }
    Ok(())
}

/// The refusal of `--all` with a label selector (the subcommands that take `-l`).
pub(crate) fn check_all_with_selector(
    common: &SetCommonFlags,
    selector_given: bool,
) -> Result<(), CliError> {
    if common.all.value && selector_given {
        return Err(CliError::msg(
            "cannot set --all and --selector at the same time",
        ));
    }
    Ok(())
}

/// cmdutil `ParsePairs` (without removal): `KEY=VALUE` pairs in argument order, or
/// `invalid <type> format: a, b`.
pub(crate) fn parse_pairs(
    args: &[String],
    pair_type: &str,
) -> Result<Vec<(String, String)>, CliError> {
    let mut pairs = Vec::new();
    let mut invalid = Vec::new();
    for a in args {
        match a.split_once('=') {
            Some((k, v)) if !a.starts_with('=') => pairs.push((k.to_string(), v.to_string())),
            _ => invalid.push(a.as_str()),
        }
    }
    if !invalid.is_empty() {
        return Err(CliError::msg(format!(
            "invalid {pair_type} format: {}",
            invalid.join(", ")
        )));
    }
    Ok(pairs)
}

/// The Go type kubectl names in its errors (`*v1.Service`).
pub(crate) fn go_type(obj: &Value) -> String {
    let api_version = obj["apiVersion"].as_str().unwrap_or("");
    let kind = obj["kind"].as_str().unwrap_or("");
    if kcore::patch::patchmeta::is_builtin_kind(api_version, kind) {
        let version = api_version.rsplit('/').next().unwrap_or(api_version);
        format!("*{version}.{kind}")
    } else {
        "*unstructured.Unstructured".to_string()
    }
}

/// polymorphichelpers `UpdatePodSpecForObject`: the pod spec of a pod or a workload's
/// template, or kubectl's error for other kinds.
pub(crate) fn pod_spec_mut(obj: &mut Value) -> Result<&mut Value, CliError> {
    let kind = obj["kind"].as_str().unwrap_or("").to_string();
    let group = crate::print::name::api_group(obj["apiVersion"].as_str().unwrap_or("")).to_string();
    let path: &[&str] = match (group.as_str(), kind.as_str()) {
        ("", "Pod") => &["spec"],
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "DaemonSet" | "ReplicaSet")
        | ("apps", "StatefulSet")
        | ("batch", "Job") => &["spec", "template", "spec"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => {
            return Err(CliError::msg(format!(
                "the object is not a pod or does not have a pod template: {}",
                go_type(obj)
            )))
        }
    };
    let mut cur = obj;
    for p in path {
        if !cur.is_object() {
            *cur = Value::Object(Default::default());
        }
        cur = cur
            .as_object_mut()
            .map(|m| {
                m.entry(*p)
                    .or_insert_with(|| Value::Object(Default::default()))
            })
            .ok_or_else(|| CliError::msg("object is not a JSON object"))?;
    }
    if !cur.is_object() {
        *cur = Value::Object(Default::default());
    }
    Ok(cur)
}

/// The containers of a pod spec under `field` (`containers`, `initContainers`).
pub(crate) fn containers_mut<'a>(spec: &'a mut Value, field: &str) -> Vec<&'a mut Value> {
    match spec.get_mut(field).and_then(Value::as_array_mut) {
        Some(list) => list.iter_mut().collect(),
        None => Vec::new(),
    }
}

/// `Recorder.Record` inside each `set` command's patch function: with `--record=true` the
/// changed object carries the command line as its change cause, so it is part of the patch.
pub(crate) fn record(after: &mut Value, cause: &Option<String>) -> Result<(), CliError> {
    match cause {
        Some(c) => crate::ops::metadata::record_change_cause(after, c),
        None => Ok(()),
    }
}

/// `CalculatePatch`: the two-way strategic merge patch from `before` to `after` (None when
/// nothing changed: kubectl skips the object).
pub(crate) fn calculate_patch(before: &Value, after: &Value) -> Result<Option<Value>, CliError> {
    let api_version = after["apiVersion"].as_str().unwrap_or("");
    let kind = after["kind"].as_str().unwrap_or("");
    let patch = kcore::patch::create_two_way_merge_patch(api_version, kind, before, after)?;
    if patch.as_object().is_some_and(|m| m.is_empty()) {
        return Ok(None);
    }
    Ok(Some(patch))
}

/// How a `set` subcommand prints each changed object: the name printer with its operation,
/// or the `-o` printer (one for the whole command, as kubectl builds it in `Complete`); the
/// typed printer `expose` and `autoscale` use too.
pub(crate) struct Printer(TypedPrinter);

impl Printer {
    /// kubectl's `PrintFlags.ToPrinter` for a command whose objects are typed.
    pub(crate) fn new(
        ctx: &Context,
        flags: &PrintFlags,
        operation: &str,
        dry_run: DryRun,
    ) -> Result<Printer, CliError> {
        flags.typed_printer(ctx, operation, dry_run).map(Printer)
    }
}

impl std::ops::Deref for Printer {
    type Target = TypedPrinter;
    fn deref(&self) -> &TypedPrinter {
        &self.0
    }
}

impl std::ops::DerefMut for Printer {
    fn deref_mut(&mut self) -> &mut TypedPrinter {
        &mut self.0
    }
}

/// Sends `patch` for `target` (strategic merge, with the dry-run and field manager) and
/// returns the server's object.
pub(crate) async fn send_patch(
    ctx: &Context,
    target: &Target,
    patch: &Value,
    dry_run: DryRun,
    field_manager: &str,
) -> Result<Value, CliError> {
    let r = target
        .resource
        .as_ref()
        .ok_or_else(|| CliError::msg("no resource mapping for a local object"))?;
    let body = serde_json::to_vec(patch)?;
    let mut req = ApiRequest::patch(
        r.path(target.namespace.as_deref(), Some(&target.name))?,
        PATCH_STRATEGIC,
        body,
    );
    req = dry_run.query(req);
    req = req.query("fieldManager", field_manager.to_string());
    Ok(ctx.client()?.send_json(&req).await?)
}

/// The last step every `set` subcommand takes for one changed object (kubectl's
/// `PrintObj`-or-`Patch` at the end of each `Run`): without `write` (`--local`,
/// `--dry-run=client`) the changed object is printed; otherwise `patch` is sent and the
/// server's object printed. A failed patch is reported as `failed` followed by Go's error
/// text, or as the error itself where `failed` is `None`; errors are collected in `errs`.
pub(crate) struct Submit<'a> {
    pub(crate) write: bool,
    pub(crate) dry_run: DryRun,
    pub(crate) field_manager: &'a str,
    pub(crate) failed: Option<&'a str>,
}

impl<'a> Submit<'a> {
    /// The submit of a command's flags: the server is written unless `--local` or a client dry
    /// run.
    pub(crate) fn new(
        common: &'a SetCommonFlags,
        dry_run: DryRun,
        failed: Option<&'a str>,
    ) -> Self {
        Submit {
            write: !(common.local.value || dry_run == DryRun::Client),
            dry_run,
            field_manager: common.field_manager.as_str(),
            failed,
        }
    }

    /// kubectl's second loop of `set image`/`set resources`: each computed patch sent (or
    /// printed), an unchanged object skipped, a change that failed reported against its object.
    pub(crate) async fn each(
        &self,
        ctx: &Context,
        printer: &mut Printer,
        patches: Vec<Computed>,
        errs: &mut Vec<CliError>,
    ) {
        for (t, after, patch) in patches {
            match patch {
                Ok(Some(patch)) => self.one(ctx, printer, &t, (&after, &patch), errs).await,
                Ok(None) => {}
                Err(e) => errs.push(change_error(&t, &e)),
            }
        }
    }

    pub(crate) async fn one(
        &self,
        ctx: &Context,
        printer: &mut Printer,
        target: &Target,
        (after, patch): (&Value, &Value),
        errs: &mut Vec<CliError>,
    ) {
        let shown = if !self.write {
            Ok(after.clone())
        } else {
            send_patch(ctx, target, patch, self.dry_run, self.field_manager)
                .await
                .map_err(|e| match self.failed {
                    Some(prefix) => CliError::msg(format!("{prefix}{}", go_error(&e))),
                    None => e,
                })
        };
        if let Err(e) = shown.and_then(|obj| printer.print(ctx, &obj)) {
            errs.push(e);
        }
    }
}

/// kubectl's report of a change that could not be computed for one object (`error: <object>
/// <error>` and a newline, as `set` prints it inside the aggregate).
pub(crate) fn change_error(target: &Target, e: &CliError) -> CliError {
    CliError::msg(format!(
        "error: {} {}\n",
        target.object_name(),
        crate::resource::flatten(e)
    ))
}

/// How kubectl's `checkErr` reports a command's `utilerrors.NewAggregate(errs)`: one error
/// as usual; several as `MultipleErrors`, each message bare followed by a newline (a
/// message ending in one leaves an empty line).
pub(crate) fn aggregate(mut errs: Vec<CliError>) -> Result<(), CliError> {
    match errs.len() {
        0 => Ok(()),
        1 => Err(errs.remove(0)),
        _ => Err(CliError::Raw(
            errs.iter()
                .map(|e| {
                    let text = match e {
                        CliError::Client(crate::client::ClientError::Api(s)) => {
                            format!("Error from server ({}): {}", s.reason, s.message)
                        }
                        other => other
                            .plain_text()
                            .unwrap_or_else(|| crate::resource::flatten(other)),
                    };
                    format!("{text}\n")
                })
                .collect(),
        )),
    }
}

/// Go's `err.Error()` of an error met sending a request (an API error is its message).
pub(crate) fn go_error(e: &CliError) -> String {
    match e {
        CliError::Client(crate::client::ClientError::Api(s)) => s.message.clone(),
        other => crate::resource::flatten(other),
    }
}

/// kubectl's `selectString`: `spec` with non-greedy `*` wildcards, ported with its quirks.
pub(crate) fn select_string(s: &str, spec: &str) -> bool {
    if spec == "*" {
        return true;
    }
    if !spec.contains('*') {
        return s == spec;
    }
    let parts: Vec<&str> = spec.split('*').collect();
    let mut pos: i64 = 0;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        let rest = s.get(pos as usize..).unwrap_or("");
        let next = rest.find(part).map_or(-1, |n| n as i64);
        if next < pos
            || (i == 0 && pos != 0)
            || (i == parts.len() - 1 && s.len() as i64 != part.len() as i64 + next)
        {
            return false;
        }
        pos = next;
    }
    true
}

/// One object's computed change: the object, its changed form and the patch between them
/// (`None`: unchanged).
pub(crate) type Computed = (Target, Value, Result<Option<Value>, CliError>);

/// [`find_spec`] after the builder's checks of `args` in `Complete`: with `--local` objects
/// come from files only (`TYPE NAME` is refused); otherwise `TYPE/NAME` is refused beside a
/// selector or `--all`.
pub(crate) fn checked_find_spec(
    common: &SetCommonFlags,
    kustomize: Option<&crate::cmd::flags::KustomizeFlag>,
    args: Vec<String>,
    selector: Option<String>,
) -> Result<FindSpec, CliError> {
    if common.local.value && !args.is_empty() {
        return Err(local_resource_error());
    }
    if !common.local.value {
        check_selector_with_names(&args, selector.is_some() || common.all.value)?;
    }
    Ok(find_spec(common, kustomize, args, selector))
}

/// The builder plan of a set command: its resolved `args` and selector, with `-f`/`-R`,
/// `--all` and `--local` from its flags and `-k` (where the command has it).
pub(crate) fn find_spec(
    common: &SetCommonFlags,
    kustomize: Option<&crate::cmd::flags::KustomizeFlag>,
    args: Vec<String>,
    selector: Option<String>,
) -> FindSpec {
    FindSpec {
        args,
        files: common.files.filename.clone(),
        recursive: common.files.recursive,
        selector,
        all: common.all.value,
        local: common.local.value,
        kustomize: kustomize.and_then(|k| k.dir.clone()),
        ..FindSpec::default()
    }
}

//! `kubectl-rs apply`: client-side apply (GET, then POST with the last-applied annotation or
//! a three-way patch), server-side apply, dry runs, `-o`, and `--prune`
//! (kubectl `pkg/cmd/apply/apply.go`, `patcher.go`, `prune.go`).
//!
//! Its targets come from the resource builder ([`crate::resource`]).

pub mod last_applied;

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

use serde_json::Value;

use crate::apply::{
    apply_patch, create_body, get_last_applied, missing_annotation_warning, server_side_apply_body,
    to_go_json, SERVER_SIDE_APPLY_CONTENT_TYPE,
};
use crate::client::request::PATCH_JSON;
use crate::client::{ApiRequest, ApiStatus, ClientError};
use crate::cmd::flags::GoBoolArg;
use crate::cmd::flags::{parse_timeout, DeleteFlags, DryRun};
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::CliError;
use crate::print::{GenericOptions, GenericPrinter, OutputFormat};
use crate::resource::{
    collected_errors, flatten, read_objects, str_at, with_source, Info, ReadSpec,
};

/// Apply and update resources from files (kubectl's help: "Apply a configuration to a
/// resource by file name or stdin").
#[derive(Debug, Clone, clap::Args)]
#[command(
    mut_arg("filename", |a| a.help("The files that contain the configurations to apply.")),
    mut_arg("kustomize", |a| a.help("Process a kustomization directory. This flag can't be used together with -f or -R."))
)]
#[command(mut_arg("all", |a| a.help("Select all resources in the namespace of the specified resource types.")))]
#[command(mut_arg("subresource", |a| a.help("If specified, apply will operate on the subresource of the requested object.  Only allowed when using --server-side.")))]
#[command(mut_arg("overwrite", |a| a.help("Automatically resolve conflicts between the modified and live configuration by using values from the modified configuration").default_value("true")))]
pub struct ApplyArgs {
    /// `view-last-applied`, `set-last-applied`.
    #[command(subcommand)]
    pub last_applied: Option<last_applied::LastAppliedCommand>,
    /// Positional arguments: apply takes none (kubectl: `Unexpected args: [...]`).
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub manifests: crate::cmd::flags::ManifestFlags,
    #[command(flatten)]
    pub server_side: crate::cmd::flags::ServerSideFlag,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub force_conflicts: crate::cmd::flags::ForceConflictsFlag,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    #[command(flatten)]
    pub prune: crate::cmd::flags::PruneFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    #[command(flatten)]
    pub all: crate::cmd::flags::AllFlag,
    #[command(flatten)]
    pub prune_allowlist: crate::cmd::flags::PruneAllowlistFlag,
    #[command(flatten)]
    pub overwrite: crate::cmd::flags::OverwriteFlag,
    #[command(flatten)]
    pub deletion: crate::cmd::flags::DeleteFlags,
    #[command(flatten)]
    pub subresource: crate::cmd::flags::SubresourceFlag,
    // kubectl v1.36 `Patcher.patchSimple`: with --openapi-patch it takes the strategic merge
    // metadata from the server's OpenAPI v3 (then v2) for a kind whose PATCH accepts
    // `application/strategic-merge-patch+json`, else from its baked-in types; a kind not in
    // its scheme gets a JSON merge patch. CRDs never accept strategic merge, so their
    // `x-kubernetes-patch-merge-key` is never used: JSON merge patch either way. For built-in
    // kinds a v1.36 server publishes the same patch metadata as the v1.36 types baked in here,
    // so both ways give the same patch. Only a server with newer built-in fields (or changed
    // patch strategies) could differ; that case is not followed.
    /// If true, use openapi to calculate diff when the openapi presents and the resource can be found in the openapi spec. Otherwise, fall back to use baked-in types.
    #[arg(verbatim_doc_comment, long, go_bool(true))]
    pub openapi_patch: bool,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Created,
    Configured,
    Unchanged,
    ServerSide,
}

impl Op {
    fn word(&self) -> &'static str {
        match self {
            Op::Created => "created",
            Op::Configured => "configured",
            Op::Unchanged => "unchanged",
            Op::ServerSide => "serverside-applied",
        }
    }
}

use crate::apply::prune::DEFAULT_PRUNE;

/// patcher.go `maxPatchRetry`.
const MAX_PATCH_RETRY: usize = 5;

struct Run<'a> {
    ctx: &'a Context,
    args: &'a ApplyArgs,
    dry_run: DryRun,
    validation: &'static str,
    manager: String,
    printer: Option<GenericPrinter>,
    format: OutputFormat,
    printed: Vec<Value>,
}

impl ApplyArgs {
    fn validate_flags(&self, ctx: &Context) -> Result<DryRun, CliError> {
        let dry = self.dry_run.strategy(ctx)?;
        if self.deletion.force && self.server_side.value {
            return Err(CliError::msg("--force cannot be used with --server-side"));
        }
        if dry == DryRun::Client && self.server_side.value {
            return Err(CliError::msg(
                "--dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)",
            ));
        }
        if dry == DryRun::Server && self.deletion.force {
            return Err(CliError::msg(
                "--dry-run=server cannot be used with --force",
            ));
        }
        if self.force_conflicts.value && !self.server_side.value {
            return Err(CliError::msg(
                "--force-conflicts only works with --server-side",
            ));
        }
        if self.all.value && self.selector.value.is_some() {
            return Err(CliError::msg(
                "cannot set --all and --selector at the same time",
            ));
        }
        if self.prune.value {
            if self.deletion.force {
                return Err(CliError::msg("--force cannot be used with --prune"));
            }
            if self.server_side.value {
                return Err(CliError::msg("--prune is in alpha and doesn't currently work on objects created by server-side apply"));
            }
            if !self.all.value && self.selector.value.is_none() {
                return Err(CliError::msg("all resources selected for prune without explicitly passing --all. To prune all resources, pass the --all flag. If you did not mean to prune all resources, specify a label selector"));
            }
        } else if self.all.value || !self.prune_allowlist.value.is_empty() {
            // kubectl only consults these with --prune; nothing to check.
        }
        // kubectl parses the allowlist while completing flags, before anything is applied.
        if let Some(bad) = self
            .prune_allowlist
            .value
            .iter()
            .find(|g| g.split('/').count() != 3)
        {
            return Err(CliError::msg(format!(
                "invalid GroupVersionKind format: {bad}, please follow <group/version/kind>"
            )));
        }
        if !self.subresource.value.is_empty() && !self.server_side.value {
            return Err(CliError::msg(
                "--subresource can only be specified for --server-side",
            ));
        }
        if self.manifests.files.filename.is_empty() && self.manifests.kustomize.dir.is_none() {
            return Err(CliError::msg("must specify one of -f and -k"));
        }
        Ok(dry)
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if let Some(sub) = &self.last_applied {
            return sub.run(ctx).await;
        }
        // kubectl `ApplyFlags.ToOptions`: arguments are refused before anything else.
        if !self.args.is_empty() {
            return Err(CliError::Usage {
                message: format!("Unexpected args: [{}]", self.args.join(" ")),
                command: "kubectl-rs apply".into(),
            });
        }
        let change_cause = self.record.change_cause(ctx);
        let dry_run = self.validate_flags(ctx)?;
        let validation = self.manifests.validate.directive()?;
        // A `--template` alone implies `-o go-template` (cli-runtime `PrintFlags.ToPrinter`).
        let format = if self.print.output.is_empty()
            && self.print.template.as_deref().is_none_or(str::is_empty)
        {
            OutputFormat::Table { wide: false }
        } else {
            OutputFormat::parse(&self.print.output, self.print.template.as_deref(), true)?
        };
        let printer = if matches!(format, OutputFormat::Table { .. }) {
            None
        } else {
            let opts = GenericOptions {
                show_managed_fields: self.print.show_managed_fields,
                allow_missing_keys: self.print.allow_missing_template_keys,
                ..GenericOptions::default()
            };
            Some(GenericPrinter::new(&format, &opts, &|p| {
                std::fs::read_to_string(p).map_err(|e| e.to_string())
            })?)
        };
        let manager = self.field_manager.value.clone().unwrap_or_else(|| {
            if self.server_side.value {
                "kubectl".into()
            } else {
                "kubectl-client-side-apply".into()
            }
        });
        let spec = ReadSpec {
            validate: validation != "Ignore",
            selector: self.selector.value.clone(),
            ..self.manifests.read_spec()
        };
        let (targets, builder_errors) = read_objects(ctx, &spec).await;
        if targets.is_empty() && builder_errors.is_empty() {
            return Err(CliError::msg("no objects passed to apply"));
        }
        let mut errors = Vec::new();
        let mut run = Run {
            ctx,
            args: self,
            dry_run,
            validation,
            manager,
            printer,
            format,
            printed: Vec::new(),
        };
        let mut visited = Vec::new();
        for t in &targets {
            // kubectl records the command on the object as read, so the last-applied
            // annotation holds it too.
            let recorded;
            let t = match &change_cause {
                Some(cause) => {
                    let mut r = t.clone();
                    crate::ops::metadata::record_change_cause(&mut r.object, cause)?;
                    recorded = r;
                    &recorded
                }
                None => t,
            };
            if t.name.is_empty() {
                let gen = str_at(&t.object, &["metadata", "generateName"]);
                if !gen.is_empty() {
                    errors.push(CliError::msg(format!(
                        "from {gen}: cannot use generate name with apply"
                    )));
                    continue;
                }
            }
            match run.apply_one(t).await {
                Ok(()) => visited.push(t.clone()),
                Err(e) => errors.push(e),
            }
        }
        run.print_collected()?;
        if self.prune.value && errors.is_empty() && builder_errors.is_empty() {
            run.prune(&visited).await?;
        }
        collected_errors(builder_errors, errors)
    }
}

impl Run<'_> {
    fn emit(&mut self, t: &Info, obj: &Value, op: Op) -> Result<(), CliError> {
        match (&mut self.printer, &self.format) {
            (None, _) => {
                let line = format!("{} {}{}\n", t.display(), op.word(), self.dry_run.suffix());
                self.ctx.out().write_all(line.as_bytes())?;
            }
            (Some(p), OutputFormat::Name) => {
                let mut out = self.ctx.out();
                p.print(obj, &mut **out)?;
            }
            (Some(_), _) => self.printed.push(obj.clone()),
        }
        Ok(())
    }

    fn print_collected(&mut self) -> Result<(), CliError> {
        let Some(p) = &mut self.printer else {
            return Ok(());
        };
        if self.printed.is_empty() {
            return Ok(());
        }
        let obj = if self.printed.len() == 1 {
            self.printed[0].clone()
        } else {
            crate::print::json::list_wrapper(std::mem::take(&mut self.printed))
        };
        let mut out = self.ctx.out();
        p.print(&obj, &mut **out)?;
        p.finish(&mut **out)?;
        Ok(())
    }

    fn write_query(&self, req: ApiRequest) -> ApiRequest {
        let req = self.dry_run.query(req);
        req.query("fieldManager", self.manager.clone())
            .query("fieldValidation", self.validation)
    }

    async fn get_live(&self, t: &Info) -> Result<Option<Value>, CliError> {
        let client = self.ctx.client()?;
        let got = match t.path() {
            Ok(path) => client.get_json(&path).await,
            Err(e) => Err(e.into()),
        };
        match got {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(with_source(
                &format!(
                    "retrieving current configuration of:\n{}\nfrom server for:",
                    t.info_header()
                ),
                &t.source,
                e.into(),
            )),
        }
    }

    async fn apply_one(&mut self, t: &Info) -> Result<(), CliError> {
        if self.args.server_side.value {
            return self.server_side(t).await;
        }
        let client = self.ctx.client()?;
        let Some(mut live) = self.get_live(t).await? else {
            let (obj, body) = create_body(&t.object)?;
            if self.dry_run == DryRun::Client {
                return self.emit(t, &obj, Op::Created);
            }
            let mut req = ApiRequest::new(crate::client::Method::POST, t.collection()?);
            req.headers
                .push(("Content-Type".into(), "application/json".into()));
            req.body = Some(body.into_bytes());
            let req = self.write_query(req);
            let created = client
                .send_json(&req)
                .await
                .map_err(|e| with_source("creating", &t.source, e.into()))?;
            return self.emit(t, &created, Op::Created);
        };
        if get_last_applied(&live).is_none() {
            self.ctx
                .eprint(&missing_annotation_warning(&t.resource.resource, &t.name));
        }
        if self.dry_run == DryRun::Client {
            // v1.36 (`PatchLocal`): the patch is computed and merged locally, so an unchanged
            // object prints `unchanged` and -o shows the merged result.
            let patch = apply_patch(&t.object, &live, self.args.overwrite.value)
                .map_err(|e| patch_error(t, &e.to_string()))?;
            self.warn_if_deleting(&live);
            return match patch {
                Some(p) => self.emit(t, &local_merge(&live, &p), Op::Configured),
                None => self.emit(t, &live, Op::Unchanged),
            };
        }
        // Conflicts are retried with a fresh GET, as kubectl's patcher does (5 tries).
        let mut tries = 0;
        loop {
            let patch = apply_patch(&t.object, &live, self.args.overwrite.value)
                .map_err(|e| patch_error(t, &e.to_string()))?;
            let Some(patch) = patch else {
                self.warn_if_deleting(&live);
                return self.emit(t, &live, Op::Unchanged);
            };
            let req = ApiRequest::patch(
                t.path()?,
                patch.patch_type.content_type(),
                patch.body.clone().into_bytes(),
            );
            let req = self.write_query(req);
            match client.send_json(&req).await {
                Ok(v) => {
                    self.warn_if_deleting(&v);
                    return self.emit(t, &v, Op::Configured);
                }
                Err(ClientError::Api(s))
                    if self.args.deletion.force
                        && (s.code == 409 && tries >= 4 || s.code == 422) =>
                {
                    return self.delete_and_create(t, &live).await;
                }
                Err(ClientError::Api(s)) if s.code == 409 && tries < 4 => {
                    tries += 1;
                    if tries > 1 {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    live = match self.get_live(t).await? {
                        Some(l) => l,
                        None => return Err(CliError::Client(ClientError::Api(s))),
                    };
                }
                Err(e) => {
                    return Err(with_source(
                        &format!(
                            "applying patch:\n{}\nto:\n{}\nfor:",
                            patch.body,
                            t.info_header()
                        ),
                        &t.source,
                        e.into(),
                    ))
                }
            }
        }
    }

    /// `--force` (patcher.go `deleteAndCreate`): after a patch failing with a conflict or an
    /// invalid error, delete the object, wait up to `--timeout` for it to be gone, and create
    /// it from the file; when that fails, re-create the object as it was and report the error.
    async fn delete_and_create(&mut self, t: &Info, live: &Value) -> Result<(), CliError> {
        let (_, modified) = create_body(&t.object).map_err(|e| patch_error(t, &e.to_string()))?;
        let fail = |e: CliError| {
            with_source(
                &format!(
                    "applying patch:\n{modified}\nto:\n{}\nfor:",
                    t.info_header()
                ),
                &t.source,
                e,
            )
        };
        let client = self.ctx.client()?;
        let deletion = &self.args.deletion;
        let mut options = serde_json::Map::new();
        if deletion.grace_period >= 0 {
            options.insert("gracePeriodSeconds".into(), deletion.grace_period.into());
        }
        options.insert("propagationPolicy".into(), deletion.propagation()?.0.into());
        let req = ApiRequest::delete(t.path()?, Some(&Value::Object(options)));
        client.send_json(&req).await.map_err(|e| fail(e.into()))?;
        // wait.PollUntilContextTimeout(1s, --timeout, immediate): one check, then one a second.
        let timeout = parse_timeout(&deletion.wait_flags.timeout)?;
        let started = std::time::Instant::now();
        loop {
            match client.get_json(&t.path()?).await {
                Err(e) if e.is_not_found() => break,
                Err(e) => return Err(fail(e.into())),
                Ok(_) if started.elapsed() + Duration::from_secs(1) > timeout => {
                    return Err(fail(CliError::msg("context deadline exceeded")));
                }
                Ok(_) => tokio::time::sleep(Duration::from_secs(1)).await,
            }
        }
        let create = |body: String| {
            let mut req = ApiRequest::new(crate::client::Method::POST, t.collection()?);
            req.headers
                .push(("Content-Type".into(), "application/json".into()));
            req.body = Some(body.into_bytes());
            Ok::<_, CliError>(
                self.dry_run
                    .query(req)
                    .query("fieldManager", self.manager.clone()),
            )
        };
        match client.send_json(&create(modified.clone())?).await {
            Ok(created) => self.emit(t, &created, Op::Configured),
            Err(e) => {
                // Helper.Create(modify=true) of the original: without its resourceVersion.
                let mut original = live.clone();
                if let Some(m) = original.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.remove("resourceVersion");
                }
                match client.send_json(&create(to_go_json(&original))?).await {
                    Ok(_) => Err(fail(e.into())),
                    Err(re) => Err(fail(CliError::msg(format!(
                        "An error occurred force-replacing the existing object with the newly provided one:\n\n{}.\n\nAdditionally, an error occurred attempting to restore the original object:\n\n{}",
                        go_error_text(&e),
                        go_error_text(&re)
                    )))),
                }
            }
        }
    }

    /// apply.go `WarnIfDeleting`.
    fn warn_if_deleting(&self, obj: &Value) {
        if obj["metadata"]["deletionTimestamp"].is_string() {
            self.ctx.eprint(&format!(
                "Warning: Detected changes to resource {} which is currently being deleted.\n",
                str_at(obj, &["metadata", "name"])
            ));
        }
    }

    async fn server_side(&mut self, t: &Info) -> Result<(), CliError> {
        let client = self.ctx.client()?;
        let body = server_side_apply_body(&t.object);
        let path = match self.args.subresource.value.as_str() {
            "" => t.path()?,
            sub => t
                .resource
                .subresource_path(t.namespace.as_deref(), Some(&t.name), Some(sub))?,
        };
        let apply = || {
            let req = ApiRequest::patch(
                path.clone(),
                SERVER_SIDE_APPLY_CONTENT_TYPE,
                body.clone().into_bytes(),
            );
            self.dry_run
                .query(req)
                .query("fieldManager", self.manager.clone())
                .query("fieldValidation", self.validation)
                .query("force", self.args.force_conflicts.value.to_string())
        };
        let mut obj = match client.send_json(&apply()).await {
            Ok(v) => v,
            Err(ClientError::Api(s)) if s.code == 409 => {
                return Err(CliError::Raw(conflict_message(&s)))
            }
            // kubectl returns other server-side apply errors without a source.
            Err(e) => return Err(e.into()),
        };
        match self.save_last_applied(t, &obj).await {
            Err(e) => self.ctx.eprint(&format!(
                "Warning: failed to migrate kubectl.kubernetes.io/last-applied-configuration for Server-Side Apply. This is non-fatal and will be retried next time you apply. Error: {}\n",
                flatten(&e)
            )),
            Ok(saved) => {
                if let Some(v) = saved {
                    obj = v;
                }
                match self.migrate_to_ssa(&path, &mut obj).await {
                    Err(e) => self.ctx.eprint(&format!(
                        "Warning: server rejected managed fields migration to Server-Side Apply. This is non-fatal and will be retried next time you apply. Error: {}\n",
                        flatten(&e)
                    )),
                    // The apply again, now that the fields it left out are its own: they go.
                    Ok(true) => match client.send_json(&apply()).await {
                        Ok(v) => obj = v,
                        Err(e) => self.ctx.eprint(&format!(
                            "Warning: failed to re-apply configuration after performing Server-Side Apply migration. This is non-fatal and will be retried next time you apply. Error: {}\n",
                            flatten(&e.into())
                        )),
                    },
                    Ok(false) => {}
                }
            }
        }
        self.warn_if_deleting(&obj);
        self.emit(t, &obj, Op::ServerSide)
    }

    /// apply.go `migrateToSSAIfNecessary`: the fields of the client-side apply managers (the
    /// `Update` managers owning the last-applied annotation) become the server-side manager's
    /// (client-go `csaupgrade`), by a JSON patch of the managed fields retried on conflicts.
    /// Whether it migrated anything; `obj` is the object after it.
    async fn migrate_to_ssa(
        &self,
        path: &crate::client::ApiPath,
        obj: &mut Value,
    ) -> Result<bool, CliError> {
        let client = self.ctx.client()?;
        let managers = crate::apply::csaupgrade::last_applied_owners(obj, "Update");
        let mut last = None;
        for _ in 0..MAX_PATCH_RETRY {
            let Some(patch) =
                crate::apply::csaupgrade::upgrade_patch(obj, &managers, &self.manager)
            else {
                return Ok(false);
            };
            let req = ApiRequest::patch(path.clone(), PATCH_JSON, serde_json::to_vec(&patch)?);
            let req = self
                .dry_run
                .query(req)
                .query("fieldManager", self.manager.clone())
                .query("fieldValidation", self.validation);
            match client.send_json(&req).await {
                Ok(v) => {
                    *obj = v;
                    return Ok(true);
                }
                Err(ClientError::Api(s)) if s.code == 409 => {
                    last = Some(ClientError::Api(s));
                    *obj = client.get_json(path).await?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(last
            .map(CliError::from)
            .unwrap_or_else(|| CliError::msg("conflict")))
    }

    /// apply.go `saveLastApplyAnnotationIfNecessary`: with the default manager, an existing
    /// last-applied annotation that no Apply manager owns is taken over by
    /// `kubectl-last-applied`, so later client-side applies still see it.
    async fn save_last_applied(&self, t: &Info, obj: &Value) -> Result<Option<Value>, CliError> {
        if self.manager != "kubectl" {
            return Ok(None);
        }
        let Some(value) = obj["metadata"]["annotations"][crate::apply::LAST_APPLIED_ANNOTATION]
            .as_str()
            .map(str::to_string)
        else {
            return Ok(None);
        };
        let owned = obj["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| {
                m["operation"] == "Apply"
                    && m["fieldsV1"]["f:metadata"]["f:annotations"]
                        .get(format!("f:{}", crate::apply::LAST_APPLIED_ANNOTATION))
                        .is_some()
            });
        if owned {
            return Ok(None);
        }
        let mut meta = serde_json::Map::new();
        meta.insert(
            "annotations".into(),
            serde_json::json!({ crate::apply::LAST_APPLIED_ANNOTATION: value }),
        );
        meta.insert("name".into(), Value::String(t.name.clone()));
        if let Some(ns) = &t.namespace {
            meta.insert("namespace".into(), Value::String(ns.clone()));
        }
        let body = serde_json::json!({
            "apiVersion": t.resource.api_version(),
            "kind": t.resource.kind,
            "metadata": meta,
        });
        let req = ApiRequest::patch(
            t.path()?,
            SERVER_SIDE_APPLY_CONTENT_TYPE,
            crate::apply::to_go_json_line(&body).into_bytes(),
        );
        let req = self
            .dry_run
            .query(req)
            .query("fieldManager", "kubectl-last-applied")
            .query("fieldValidation", self.validation);
        Ok(Some(self.ctx.client()?.send_json(&req).await?))
    }

    async fn prune(&mut self, visited: &[Info]) -> Result<(), CliError> {
        let client = self.ctx.client()?;
        let disc = ctx_data(self.ctx).await?;
        let mut kinds: Vec<ApiResource> = Vec::new();
        let wanted: Vec<(String, String, String, Option<bool>)> = if self
            .args
            .prune_allowlist
            .value
            .is_empty()
        {
            self.ctx
                .eprint(&crate::apply::prune::namespaced_default_warning());
            DEFAULT_PRUNE
                .iter()
                .map(|(g, v, k, ns)| (g.to_string(), v.to_string(), k.to_string(), Some(*ns)))
                .collect()
        } else {
            let mut v = Vec::new();
            for gvk in &self.args.prune_allowlist.value {
                let parts: Vec<&str> = gvk.split('/').collect();
                let [g, ver, k] = parts.as_slice() else {
                    return Err(CliError::msg(format!(
                            "invalid GroupVersionKind format: {gvk}, please follow <group/version/kind>"
                        )));
                };
                let g = if *g == "core" { "" } else { *g };
                v.push((g.to_string(), ver.to_string(), k.to_string(), None));
            }
            v
        };
        for (g, v, k, namespaced) in &wanted {
            match disc
                .resources
                .iter()
                .find(|r| &r.group == g && &r.version == v && &r.kind == k)
            {
                Some(r) => kinds.push(r.clone()),
                None => {
                    let gv = if g.is_empty() {
                        v.clone()
                    } else {
                        format!("{g}/{v}")
                    };
                    return Err(CliError::msg(format!(
                        "error retrieving RESTMappings to prune: invalid resource {g}/{v}, Kind={k}, Namespaced={}: no matches for kind {k:?} in version {gv:?}",
                        namespaced.unwrap_or(true)
                    )));
                }
            }
        }
        let namespaces: BTreeSet<String> =
            visited.iter().filter_map(|t| t.namespace.clone()).collect();
        let seen: BTreeSet<(String, String, String, String)> = visited
            .iter()
            .map(|t| {
                (
                    t.resource.group.clone(),
                    t.resource.kind.clone(),
                    t.namespace.clone().unwrap_or_default(),
                    t.name.clone(),
                )
            })
            .collect();
        // kubectl's prune deletes with the cascade and grace period only.
        let flags = DeleteFlags {
            cascade: self.args.deletion.cascade.clone(),
            grace_period: self.args.deletion.grace_period,
            ..DeleteFlags::default()
        };
        let body = flags.delete_options(self.dry_run)?;
        let mut scopes: Vec<(ApiResource, Option<String>)> = Vec::new();
        for ns in &namespaces {
            for r in kinds.iter().filter(|r| r.namespaced) {
                scopes.push((r.clone(), Some(ns.clone())));
            }
        }
        for r in kinds.iter().filter(|r| !r.namespaced) {
            scopes.push((r.clone(), None));
        }
        for (r, ns) in scopes {
            let mut req = ApiRequest::get(r.path(ns.as_deref(), None)?);
            if let Some(sel) = &self.args.selector.value {
                req = req.query("labelSelector", sel.clone());
            }
            let list = client.send_json(&req).await?;
            for item in list["items"].as_array().into_iter().flatten() {
                let name = str_at(item, &["metadata", "name"]).to_string();
                let key = (
                    r.group.clone(),
                    r.kind.clone(),
                    ns.clone().unwrap_or_default(),
                    name.clone(),
                );
                if seen.contains(&key) || get_last_applied(item).is_none() {
                    continue;
                }
                if self.dry_run != DryRun::Client {
                    let req = ApiRequest::delete(r.path(ns.as_deref(), Some(&name))?, Some(&body));
                    let req = self.dry_run.query(req);
                    client.send_json(&req).await?;
                }
                let mut obj = item.clone();
                obj["apiVersion"] = Value::String(r.api_version());
                obj["kind"] = Value::String(r.kind.clone());
                if matches!(self.format, OutputFormat::Name) {
                    let line = crate::print::name::object_name(&obj)?;
                    writeln!(self.ctx.out(), "{line}")?;
                } else {
                    let line = format!(
                        "{}/{} pruned{}\n",
                        crate::print::table::lower_group_kind(&r.group, &r.kind),
                        name,
                        self.dry_run.suffix()
                    );
                    self.ctx.out().write_all(line.as_bytes())?;
                }
                if self.args.deletion.wait && self.dry_run == DryRun::None {
                    let timeout = parse_timeout(&self.args.deletion.wait_flags.timeout)?;
                    crate::resource::helper::wait_deleted(
                        self.ctx,
                        &r,
                        ns.as_deref(),
                        &name,
                        item,
                        timeout,
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }
}

async fn ctx_data(
    ctx: &Context,
) -> Result<std::sync::Arc<crate::discovery::DiscoveryData>, CliError> {
    Ok(ctx.discovery()?.data().await?)
}

/// What client dry-run shows for an existing object: the patch merged into the live object
/// locally (v1.36 "fix --dry-run=client to show merged result").
fn local_merge(live: &Value, p: &crate::apply::ApplyPatch) -> Value {
    let api_version = str_at(live, &["apiVersion"]);
    let kind = str_at(live, &["kind"]);
    let merged = match p.patch_type {
        crate::apply::PatchType::StrategicMerge => {
            crate::apply::apply_strategic_merge_patch(api_version, kind, live, &p.patch).ok()
        }
        crate::apply::PatchType::JsonMerge => Some(crate::apply::apply_merge_patch(live, &p.patch)),
    };
    merged.unwrap_or_else(|| live.clone())
}

/// A client error as Go's `err.Error()` (an API status is its message).
fn go_error_text(e: &ClientError) -> String {
    match e {
        ClientError::Api(s) => s.message.clone(),
        other => other.to_string(),
    }
}

fn patch_error(t: &Info, msg: &str) -> CliError {
    CliError::msg(format!(
        "error when creating patch with:\n{}\nfor: {:?}: {msg}",
        to_go_json(&t.object),
        t.source
    ))
}

/// The message of a server-side apply conflict (apply.go `applyOneObject`): the server's
/// message, then kubectl's advice.
fn conflict_message(s: &ApiStatus) -> String {
    format!(
        "error: {}\nPlease review the fields above--they currently have other managers. Here\nare the ways you can resolve this warning:\n* If you intend to manage all of these fields, please re-run the apply\n  command with the `--force-conflicts` flag.\n* If you do not intend to manage all of the fields, please edit your\n  manifest to remove references to the fields that should keep their\n  current managers.\n* You may co-own fields by updating your manifest to match the existing\n  value; in this case, you'll become the manager if the other manager(s)\n  stop managing the field (remove it from their configuration).\nSee https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts",
        s.message
    )
}

/// `kubectl apply`: kubectl's description.
pub const APPLY_LONG: &str = r"Apply a configuration to a resource by file name or stdin. The resource name must be specified. This resource will be created if it doesn't exist yet. To use 'apply', always create the resource initially with either 'apply' or 'create --save-config'.

 JSON and YAML formats are accepted.

 Alpha Disclaimer: the --prune functionality is not yet complete. Do not use unless you are aware of what the current state is. See https://issues.k8s.io/34274.";

/// `kubectl apply`: kubectl's examples.
pub const APPLY_EXAMPLES: &str = r"Examples:
  # Apply the configuration in pod.json to a pod
  kubectl apply -f ./pod.json
  
  # Apply resources from a directory containing kustomization.yaml - e.g. dir/kustomization.yaml
  kubectl apply -k dir/
  
  # Apply the JSON passed into stdin to a pod
  cat pod.json | kubectl apply -f -
  
  # Apply the configuration from all files that end with '.json'
  kubectl apply -f '*.json'
  
  # Note: --prune is still in Alpha
  # Apply the configuration in manifest.yaml that matches label app=nginx and delete all other resources that are not in the file and match label app=nginx
  kubectl apply --prune -f manifest.yaml -l app=nginx
  
  # Apply the configuration in manifest.yaml and delete all the other config maps that are not in the file
  kubectl apply --prune -f manifest.yaml --all --prune-allowlist=core/v1/ConfigMap";

/// `kubectl apply`: kubectl's usage (`Use`).
pub const APPLY_USAGE: &str = r"apply (-f FILENAME | -k DIRECTORY)";

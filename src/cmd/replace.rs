//! `kubectl-rs replace`: PUT every object read from `-f`/`-k` in place of the live one, or with
//! `--force` delete the objects and create them again; `--raw` PUTs a file's bytes to a path
//! (kubectl `pkg/cmd/replace/replace.go` at v0.36, cli-runtime `Helper.Replace`,
//! `DeleteOptions.DeleteResult`, `rawhttp.RawPut`).

use std::io::Write;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::apply::{set_last_applied, to_go_json};
use crate::client::{ApiPath, ApiRequest, Method};
use crate::cmd::flags::{parse_timeout, DryRun, PrintSpec};
use crate::context::Context;
use crate::error::{ok_or_collect, CliError};
use crate::print::table::lower_group_kind;
use crate::print::GenericPrinter;
use crate::resource::{
    collected_errors, multiple_errors, read_stream, with_source, Info, ReadSpec,
};

/// How often `--force` checks that a deleted object is gone, and how long by default
/// (kubectl's `wait.PollUntilContextTimeout(…, 1*time.Second, timeout or 5m, …)`).
const GONE_INTERVAL: Duration = Duration::from_secs(1);
const GONE_TIMEOUT: Duration = Duration::from_secs(300);

/// Replace a resource by file name or stdin.
#[derive(Debug, Clone, clap::Args)]
#[command(
    mut_arg("filename", |a| a.help("The files that contain the configurations to replace.")),
    mut_arg("kustomize", |a| a.help("Process a kustomization directory. This flag can't be used together with -f or -R.")),
    mut_arg("field_manager", |a| a.default_value("kubectl-replace")),
    mut_arg("subresource", |a| a.help("If specified, replace will operate on the subresource of the requested object."))
)]
pub struct ReplaceArgs {
    /// Positional words: ignored by a plain replace (kubectl passes them to the builder of
    /// `--force` only, where they are refused next to `-f`).
    #[arg(hide = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub manifests: crate::cmd::flags::ManifestFlags,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    #[command(flatten)]
    pub deletion: crate::cmd::flags::DeleteFlags,
    #[command(flatten)]
    pub save_config: crate::cmd::flags::SaveConfigFlag,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    /// Raw URI to PUT to the server.  Uses the transport specified by the kubeconfig file.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub raw: String,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub subresource: crate::cmd::flags::SubresourceFlag,
}

/// What `complete` makes of the flags (kubectl's `ReplaceOptions` after `Complete`).
struct ReplaceOptions {
    dry_run: DryRun,
    validation: &'static str,
    spec: PrintSpec,
    /// `propagationPolicy` of `--force`'s deletions.
    propagation: &'static str,
    /// `--grace-period` after kubectl's 0 → 1 rule (negative: not sent).
    grace_period: i64,
    wait: bool,
    timeout: Duration,
    /// `-o name`: the deletion lines are `kind/name` too.
    output_name: bool,
}

impl ReplaceArgs {
    /// Runs the command: complete, validate, run.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let o = self.complete(ctx)?;
        self.validate_options(&o)?;
        if !self.raw.is_empty() {
            let file = &self.filenames()[0];
            return crate::ops::rawhttp::send(ctx, Method::PUT, &self.raw, Some(file)).await;
        }
        if self.deletion.force {
            return self.force_replace(ctx, &o).await;
        }
        self.replace(ctx, &o).await
    }

    /// kubectl `ReplaceOptions.Complete`, in its order: `--validate`, `--dry-run`, the
    /// printer, `--cascade`, then `-f`/`-k` required.
    fn complete(&self, ctx: &Context) -> Result<ReplaceOptions, CliError> {
        // A bad duration is pflag's error, met while parsing the flags (with cobra's pointer
        // to the help).
        let timeout = parse_timeout(&self.deletion.wait_flags.timeout).map_err(|e| {
            CliError::Raw(format!(
                "error: {}\nSee 'kubectl-rs replace --help' for usage.",
                crate::resource::flatten(&e)
            ))
        })?;
        let validation = self.manifests.validate.directive()?;
        let dry_run = self.dry_run.strategy(ctx)?;
        let spec = self.print.spec(ctx)?;
        let (propagation, warning) = self.deletion.propagation()?;
        if let Some(w) = warning {
            ctx.eprint(&w);
        }
        let mut grace_period = self.deletion.grace_period;
        let mut wait = self.deletion.wait;
        // kubectl: "to preserve backwards compatibility, but prevent accidental data loss",
        // --grace-period=0 becomes 1 and waits for the deletion.
        if grace_period == 0 {
            grace_period = 1;
            wait = true;
        }
        // cli-runtime `RequireFilenameOrKustomize`.
        if self.no_input() {
            return Err(CliError::msg("must specify one of -f and -k"));
        }
        Ok(ReplaceOptions {
            dry_run,
            validation,
            spec,
            propagation,
            grace_period,
            wait,
            timeout,
            output_name: self.print.output == "name",
        })
    }

    /// kubectl `ReplaceOptions.Validate`.
    fn validate_options(&self, o: &ReplaceOptions) -> Result<(), CliError> {
        let force = self.deletion.force;
        if o.grace_period >= 0 && !force {
            return Err(CliError::msg("--grace-period must have --force specified"));
        }
        if !o.timeout.is_zero() && !force {
            return Err(CliError::msg("--timeout must have --force specified"));
        }
        if force && o.dry_run != DryRun::None {
            return Err(CliError::msg(
                "--dry-run can not be used when --force is set",
            ));
        }
        if self.no_input() {
            return Err(CliError::msg("must specify --filename to replace"));
        }
        if !self.raw.is_empty() {
            crate::ops::rawhttp::RawCheck {
                path: &self.raw,
                files: &self.filenames(),
                file_required: true,
                recursive: self.manifests.files.recursive,
                selector: "",
                output: &self.print.output,
            }
            .validate()?;
        }
        Ok(())
    }

    /// `-f` values as pflag's string slice reads them: an empty value names no file.
    fn filenames(&self) -> Vec<String> {
        self.manifests
            .files
            .filename
            .iter()
            .filter(|f| !f.is_empty())
            .cloned()
            .collect()
    }

    fn read_spec(&self, o: &ReplaceOptions) -> ReadSpec {
        ReadSpec {
            files: self.filenames(),
            kustomize: self.manifests.kustomize.dir.clone(),
            recursive: self.manifests.files.recursive,
            validate: o.validation != "Ignore",
            selector: None,
            latest: false,
            all_namespaces: false,
        }
    }

    /// Neither `-f` nor `-k` names anything.
    fn no_input(&self) -> bool {
        self.filenames().is_empty()
            && self
                .manifests
                .kustomize
                .dir
                .as_deref()
                .is_none_or(str::is_empty)
    }

    fn subresource(&self) -> Option<&str> {
        Some(self.subresource.value.as_str()).filter(|s| !s.is_empty())
    }

    /// The object's path, on `--subresource` when given (the builder's `Subresource`).
    fn object_path(&self, info: &Info) -> Result<ApiPath, CliError> {
        Ok(info.resource.subresource_path(
            info.namespace.as_deref(),
            Some(&info.name),
            self.subresource(),
        )?)
    }

    /// The builder's stream (`ContinueOnError`): each object or the error met in its place;
    /// the builder's own errors (`r.Err()`) stop the command before anything is sent.
    async fn read(
        &self,
        ctx: &Context,
        o: &ReplaceOptions,
    ) -> Result<Vec<Result<Info, CliError>>, CliError> {
        read_stream(ctx, &self.read_spec(o))
            .await
            .or_else(|errors| collected_errors(errors, Vec::new()).map(|_| Vec::new()))
    }

    /// The plain replace: each object PUT in place of the live one (kubectl `Run`).
    async fn replace(&self, ctx: &Context, o: &ReplaceOptions) -> Result<(), CliError> {
        let stream = self.read(ctx, o).await?;
        let mut printer = o.spec.printer()?;
        let operation = format!("replaced{}", o.dry_run.suffix());
        let mut errors = Vec::new();
        for item in stream {
            let Some(info) = ok_or_collect(item, &mut errors) else {
                continue;
            };
            let mut obj = info.object.clone();
            if let Err(e) = update_annotation(self.save_config.value, &mut obj) {
                errors.push(with_source("replacing", &info.source, e));
                continue;
            }
            let result = if o.dry_run == DryRun::Client {
                obj
            } else {
                match self.put(ctx, o, &info, obj).await {
                    Ok(v) => v,
                    Err(e) => {
                        errors.push(with_source("replacing", &info.source, e));
                        continue;
                    }
                }
            };
            o.spec.print(ctx, printer.as_mut(), &result, &operation)?;
            finish(ctx, printer.as_mut())?;
        }
        collected_errors(Vec::new(), errors)
    }

    /// cli-runtime `Helper.Replace(ns, name, overwrite=true, obj)`: an object without a
    /// resourceVersion takes the live one's (when it can be read), then it is PUT.
    async fn put(
        &self,
        ctx: &Context,
        o: &ReplaceOptions,
        info: &Info,
        mut obj: Value,
    ) -> Result<Value, CliError> {
        let client = ctx.client()?;
        let path = self.object_path(info)?;
        let version = obj["metadata"]["resourceVersion"].as_str().unwrap_or("");
        if version.is_empty() {
            if let Ok(live) = client.get_json(&path).await {
                let live_version = live["metadata"]["resourceVersion"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                set_resource_version(&mut obj, live_version);
            }
        }
        let req = o
            .dry_run
            .query(ApiRequest::put(path, &obj))
            .query("fieldManager", self.field_manager.as_str())
            .query("fieldValidation", o.validation);
        Ok(client.send_json(&req).await?)
    }

    /// `--force`: delete what the files name (a missing object is no error), wait until each
    /// is gone, then create them all again (kubectl `forceReplace`).
    async fn force_replace(&self, ctx: &Context, o: &ReplaceOptions) -> Result<(), CliError> {
        crate::resource::check_path_args(&self.args)?;
        let stream = self.read(ctx, o).await?;
        let infos = self.delete_all(ctx, o, stream).await?;
        let timeout = if o.timeout.is_zero() {
            GONE_TIMEOUT
        } else {
            o.timeout
        };
        for info in &self.read_again(ctx, o, &infos).await? {
            self.wait_gone(ctx, info, timeout).await?;
        }
        let infos = self.read_again(ctx, o, &infos).await?;
        let mut printer = o.spec.printer()?;
        let mut errors = Vec::new();
        let mut count = 0;
        for info in &infos {
            let mut obj = info.object.clone();
            if let Err(e) = update_annotation(self.save_config.value, &mut obj) {
                errors.push(e);
                continue;
            }
            // cli-runtime `Helper.Create(ns, modify=true, obj)` clears the resourceVersion.
            if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                if meta.get("resourceVersion").is_some_and(Value::is_string) {
                    meta.remove("resourceVersion");
                }
            }
            let created = self.create(ctx, o, info, &obj).await;
            let Some(created) = ok_or_collect(created, &mut errors) else {
                continue;
            };
            count += 1;
            o.spec.print(ctx, printer.as_mut(), &created, "replaced")?;
            finish(ctx, printer.as_mut())?;
        }
        collected_errors(Vec::new(), errors)?;
        if count == 0 {
            return Err(CliError::msg("no objects passed to replace"));
        }
        Ok(())
    }

    /// kubectl visits the builder's result again to wait, and builds a second one to create:
    /// files and URLs are read (and kustomizations built) again each time. Stdin, which
    /// kubectl keeps in a temporary file for that, is what was read the first time.
    async fn read_again(
        &self,
        ctx: &Context,
        o: &ReplaceOptions,
        first: &[Info],
    ) -> Result<Vec<Info>, CliError> {
        if self.filenames().iter().any(|f| f == "-") {
            return Ok(first.to_vec());
        }
        let mut infos = Vec::new();
        let mut errors = Vec::new();
        for item in self.read(ctx, o).await? {
            match item {
                Ok(info) => infos.push(info),
                Err(e) => errors.push(e),
            }
        }
        collected_errors(Vec::new(), errors)?;
        Ok(infos)
    }

    async fn create(
        &self,
        ctx: &Context,
        o: &ReplaceOptions,
        info: &Info,
        obj: &Value,
    ) -> Result<Value, CliError> {
        let mut req = ApiRequest::new(Method::POST, info.collection()?);
        req.headers
            .push(("Content-Type".into(), "application/json".into()));
        req.body = Some(to_go_json(obj).into_bytes());
        let req = req
            .query("fieldManager", self.field_manager.as_str())
            .query("fieldValidation", o.validation);
        Ok(ctx.client()?.send_json(&req).await?)
    }

    /// kubectl `DeleteOptions.DeleteResult` with `IgnoreNotFound`: every object counts as
    /// found (a 404 of its DELETE is ignored), each deletion printed, then `--wait`.
    async fn delete_all(
        &self,
        ctx: &Context,
        o: &ReplaceOptions,
        stream: Vec<Result<Info, CliError>>,
    ) -> Result<Vec<Info>, CliError> {
        let mut body = Map::new();
        if o.grace_period >= 0 {
            body.insert("gracePeriodSeconds".into(), o.grace_period.into());
        }
        body.insert("propagationPolicy".into(), o.propagation.into());
        let body = Value::Object(body);
        let mut errors = Vec::new();
        let mut deleted = Vec::new();
        let mut infos = Vec::new();
        // NotFound answers are dropped from the visit's aggregate (`IgnoreErrors`), which
        // still counts them when it chooses its layout.
        let mut ignored = 0;
        for item in stream {
            let Some(info) = ok_or_collect(item, &mut errors) else {
                continue;
            };
            infos.push(info.clone());
            let path = match info.path() {
                Ok(p) => p,
                Err(e) => {
                    errors.push(with_source("deleting", &info.source, e.into()));
                    continue;
                }
            };
            match ctx
                .client()?
                .send_json(&ApiRequest::delete(path, Some(&body)))
                .await
            {
                Ok(response) => {
                    self.print_deleted(ctx, o, &info)?;
                    deleted.push((info, response));
                }
                Err(e) if e.is_not_found() => ignored += 1,
                Err(e) => errors.push(with_source("deleting", &info.source, e.into())),
            }
        }
        if ignored > 0 && !errors.is_empty() {
            return Err(multiple_errors(&errors));
        }
        collected_errors(Vec::new(), errors)?;
        if infos.is_empty() {
            ctx.out().write_all(b"No resources found\n")?;
            return Ok(infos);
        }
        if !o.wait {
            return Ok(infos);
        }
        for (info, response) in deleted {
            let waited = crate::resource::helper::wait_deleted(
                ctx,
                &info.resource,
                info.namespace.as_deref(),
                &info.name,
                &response,
                o.timeout,
            );
            tokio::select! {
                biased;
                _ = super::interrupt::termination_signal() => return Err(CliError::Interrupted),
                r = waited => r?,
            }
        }
        Ok(infos)
    }

    /// `DeleteOptions.PrintObj` (v1.36: the namespace of a namespaced object is named).
    fn print_deleted(
        &self,
        ctx: &Context,
        o: &ReplaceOptions,
        info: &Info,
    ) -> Result<(), CliError> {
        let kind = lower_group_kind(&info.resource.group, &info.resource.kind);
        let line = if o.output_name {
            format!("{kind}/{}\n", info.name)
        } else {
            let ns = match &info.namespace {
                Some(ns) => format!(" from {ns} namespace"),
                None => String::new(),
            };
            format!("{kind} {:?} deleted{ns}\n", info.name)
        };
        ctx.out().write_all(line.as_bytes())?;
        Ok(())
    }

    /// Polls the object until the server answers 404 (`Info.Get`: objects read from files
    /// have no subresource, whatever `--subresource` says).
    async fn wait_gone(
        &self,
        ctx: &Context,
        info: &Info,
        timeout: Duration,
    ) -> Result<(), CliError> {
        let path = info.path()?;
        let client = ctx.client()?;
        let poll = async {
            loop {
                match client.get_json(&path).await {
                    Err(e) if e.is_not_found() => return Ok(()),
                    Err(e) => return Err(CliError::from(e)),
                    Ok(_) => tokio::time::sleep(GONE_INTERVAL).await,
                }
            }
        };
        let waited = tokio::select! {
            biased;
            _ = super::interrupt::termination_signal() => return Err(CliError::Interrupted),
            r = tokio::time::timeout(timeout, poll) => r,
        };
        match waited {
            Ok(r) => r,
            Err(_) => Err(CliError::msg("timed out waiting for the condition")),
        }
    }
}

/// kubectl `util.CreateOrUpdateAnnotation`: with `--save-config` the object's configuration
/// is stored in its last-applied annotation; without, an annotation the object already has
/// (non-empty) is refreshed to the object as it is now, and an object without one keeps none.
fn update_annotation(save_config: bool, obj: &mut Value) -> Result<(), CliError> {
    let has = obj["metadata"]["annotations"][crate::apply::LAST_APPLIED_ANNOTATION]
        .as_str()
        .is_some_and(|s| !s.is_empty());
    if save_config || has {
        set_last_applied(obj)?;
    }
    Ok(())
}

/// unstructured `SetResourceVersion`: an empty version removes the field.
fn set_resource_version(obj: &mut Value, version: String) {
    let Some(root) = obj.as_object_mut() else {
        return;
    };
    let meta = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(meta) = meta.as_object_mut() {
        if version.is_empty() {
            meta.remove("resourceVersion");
        } else {
            meta.insert("resourceVersion".into(), Value::String(version));
        }
    }
}

fn finish(ctx: &Context, printer: Option<&mut GenericPrinter>) -> Result<(), CliError> {
    if let Some(p) = printer {
        p.finish(&mut **ctx.out())?;
    }
    Ok(())
}

/// `kubectl replace`: kubectl's description.
pub const REPLACE_LONG: &str = r"Replace a resource by file name or stdin.

 JSON and YAML formats are accepted. If replacing an existing resource, the complete resource spec must be provided. This can be obtained by

        $ kubectl get TYPE NAME -o yaml";

/// `kubectl replace`: kubectl's examples.
pub const REPLACE_EXAMPLES: &str = r"Examples:
  # Replace a pod using the data in pod.json
  kubectl replace -f ./pod.json
  
  # Replace a pod based on the JSON passed into stdin
  cat pod.json | kubectl replace -f -
  
  # Update a single-container pod's image version (tag) to v4
  kubectl get pod mypod -o yaml | sed 's/\(image: myimage\):.*$/\1:v4/' | kubectl replace -f -
  
  # Force replace, delete and then re-create the resource
  kubectl replace --force -f ./pod.json";

/// `kubectl replace`: kubectl's usage (`Use`).
pub const REPLACE_USAGE: &str = r"replace -f FILENAME";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn annotation_is_refreshed_only_when_present_or_asked() {
        let mut plain = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        update_annotation(false, &mut plain).unwrap();
        assert!(plain["metadata"].get("annotations").is_none());
        update_annotation(true, &mut plain).unwrap();
        let saved = plain["metadata"]["annotations"][crate::apply::LAST_APPLIED_ANNOTATION]
            .as_str()
            .unwrap()
            .to_string();
        assert!(saved.contains("\"name\":\"c\""), "{saved}");
        // A stale annotation follows the object.
        plain["data"] = json!({"a": "1"});
        update_annotation(false, &mut plain).unwrap();
        let now = plain["metadata"]["annotations"][crate::apply::LAST_APPLIED_ANNOTATION]
            .as_str()
            .unwrap();
        assert!(now.contains("\"data\":{\"a\":\"1\"}"), "{now}");
    }

    #[test]
    fn resource_version_is_set_or_removed() {
        let mut o = json!({"metadata": {"name": "c", "resourceVersion": ""}});
        set_resource_version(&mut o, "7".into());
        assert_eq!(o["metadata"]["resourceVersion"], "7");
        set_resource_version(&mut o, String::new());
        assert!(o["metadata"].get("resourceVersion").is_none());
    }
}

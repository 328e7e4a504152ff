//! `kubectl-rs create -f`: POST every object read from files, stdin or URLs
//! (kubectl `pkg/cmd/create/create.go` `RunCreate`). The generator subcommands
//! (`create namespace`, `create deployment`, …) live in `create_generators.rs`.

pub mod clusterrole;
pub mod clusterrolebinding;
pub mod ingress;
pub mod pdb;
pub mod priorityclass;
pub mod quota;
pub mod role;
pub mod rolebinding;
pub mod secret_docker;
pub mod secret_tls;
pub mod service;
pub mod token;

use std::io::Write;

use crate::apply::set_last_applied;
use crate::client::{ApiRequest, Method};
use crate::cmd::flags::DryRun;
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::editor::session::{Mode, Session, Target};
use crate::error::CliError;
use crate::print::{GenericOptions, GenericPrinter, OutputFormat};
use crate::resource::{read_objects, with_source, ReadSpec};

/// Create a resource from a file or from stdin.
#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files to use to create the resource")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-create")))]
#[command(mut_arg("windows_line_endings", |a| a.help("Only relevant if --edit=true. Defaults to the line ending native to your platform.")))]
pub struct CreateArgs {
    /// Create an object of a kind from flags instead of from files.
    #[command(subcommand)]
    pub generator: Option<crate::cmd::create_generators::Generator>,
    /// Positional arguments: create from files takes none (kubectl: `Unexpected args: [...]`).
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub manifests: crate::cmd::flags::ManifestFlags,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    #[command(flatten)]
    pub save_config: crate::cmd::flags::SaveConfigFlag,
    /// Raw URI to POST to the server.  Uses the transport specified by the kubeconfig file.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub raw: String,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    /// Edit the API resource before creating
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub edit: bool,
    #[command(flatten)]
    pub windows_line_endings: crate::cmd::flags::WindowsLineEndingsFlag,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
}

impl CreateArgs {
    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if let Some(g) = &self.generator {
            return g.run(ctx).await;
        }
        // pflag prints the deprecation notice while parsing, before any check.
        let record = self.record.change_cause(ctx);
        // kubectl `ValidateArgs`: a word that names no generator is refused first.
        if !self.args.is_empty() {
            return Err(CliError::Usage {
                message: format!("Unexpected args: [{}]", self.args.join(" ")),
                command: "kubectl-rs create".into(),
            });
        }
        if !self.raw.is_empty() {
            return self.run_raw(ctx).await;
        }
        if self.manifests.files.filename.is_empty() && self.manifests.kustomize.dir.is_none() {
            return Err(CliError::msg("must specify one of -f and -k"));
        }
        let dry_run = self.dry_run.strategy(ctx)?;
        let validation = self.manifests.validate.directive()?;
        if self.edit {
            return self.run_edit(ctx, validation, record).await;
        }
        // A `--template` alone implies `-o go-template` (cli-runtime `PrintFlags.ToPrinter`).
        let format = if self.print.output.is_empty()
            && self.print.template.as_deref().is_none_or(str::is_empty)
        {
            None
        } else {
            Some(OutputFormat::parse(
                &self.print.output,
                self.print.template.as_deref(),
                true,
            )?)
        };
        let mut printer = match &format {
            None => None,
            Some(f) => Some(GenericPrinter::new(
                f,
                &GenericOptions {
                    show_managed_fields: self.print.show_managed_fields,
                    allow_missing_keys: self.print.allow_missing_template_keys,
                    ..GenericOptions::default()
                },
                &|p| std::fs::read_to_string(p).map_err(|e| e.to_string()),
            )?),
        };
        let spec = ReadSpec {
            validate: validation != "Ignore",
            selector: self.selector.value.clone(),
            ..self.manifests.read_spec()
        };
        let (targets, builder_errors) = read_objects(ctx, &spec).await;
        let mut errors = Vec::new();
        let mut count = 0;
        for t in targets {
            count += 1;
            let mut obj = t.object.clone();
            if self.save_config.value {
                set_last_applied(&mut obj)?;
            }
            if let Some(cause) = &record {
                crate::ops::metadata::record_change_cause(&mut obj, cause)?;
            }
            let created = if dry_run == DryRun::Client {
                obj
            } else {
                // cli-runtime `Helper.Create(ns, modify=true, obj)`: the client clears a
                // resourceVersion (an object read back from the server) before POSTing;
                // unstructured's `SetResourceVersion("")` removes the field.
                if let Some(meta) = obj.get_mut("metadata").and_then(|m| m.as_object_mut()) {
                    if meta.get("resourceVersion").is_some_and(|v| v.is_string()) {
                        meta.remove("resourceVersion");
                    }
                }
                let req = dry_run
                    .query(ApiRequest::post_go_json(t.collection()?, &obj))
                    .query("fieldManager", self.field_manager.as_str())
                    .query("fieldValidation", validation);
                match ctx.client()?.send_json(&req).await {
                    Ok(v) => v,
                    Err(e) => {
                        errors.push(with_source("creating", &t.source, e.into()));
                        continue;
                    }
                }
            };
            match &mut printer {
                Some(p) => {
                    let mut out = ctx.out();
                    p.print(&created, &mut **out)?;
                    p.finish(&mut **out)?;
                }
                None => {
                    let line = format!("{} created{}\n", t.display(), dry_run.suffix());
                    ctx.out().write_all(line.as_bytes())?;
                }
            }
        }
        if count == 0 && errors.is_empty() && builder_errors.is_empty() {
            return Err(CliError::msg("no objects passed to create"));
        }
        crate::resource::collected_errors(builder_errors, errors)
    }
}

impl CreateArgs {
    /// `--edit` (kubectl's `EditBeforeCreateMode`): each object read from the files is
    /// opened in the editor on its own, and what is saved is created (as kubectl, without
    /// the dry-run strategy) and printed with the `created` operation.
    async fn run_edit(
        &self,
        ctx: &Context,
        validation: &'static str,
        record: Option<String>,
    ) -> Result<(), CliError> {
        // The editor's printer knows only JSON and YAML (editPrinterOptions); kubectl finds
        // out when it prints each object for the editor.
        let json = match self.print.output.as_str() {
            "json" => Ok(true),
            "" | "yaml" => Ok(false),
            other => Err(format!(
                "unable to match a printer suitable for the output format {}, allowed formats are: json,yaml",
                crate::print::gofmt::go_quote(other)
            )),
        };
        let spec = ReadSpec {
            validate: false,
            selector: self.selector.value.clone(),
            ..self.manifests.read_spec()
        };
        let (infos, errors) = read_objects(ctx, &spec).await;
        crate::resource::collected_errors(errors, Vec::new())?;
        let print_spec = self.print.spec(ctx);
        let print = |obj: &serde_json::Value, operation: &str| -> Result<(), CliError> {
            let spec = print_spec
                .as_ref()
                .map_err(|e| CliError::msg(e.to_string()))?;
            let mut printer = spec.printer()?;
            spec.print(ctx, printer.as_mut(), obj, operation)?;
            if let Some(p) = printer.as_mut() {
                p.finish(&mut **ctx.out())?;
            }
            Ok(())
        };
        let session = Session {
            mode: Mode::Create,
            json: json.clone().unwrap_or(false),
            windows_line_endings: self.windows_line_endings.value,
            output_patch: false,
            save_config: self.save_config.value,
            record,
            subresource: String::new(),
            field_manager: self.field_manager.as_str().to_string(),
            validation,
            print: &print,
        };
        // The builder's `ContinueOnError`: a failed object does not stop the next one; the
        // errors are reported together at the end.
        let mut errs = Vec::new();
        for i in infos {
            let target = Target {
                resource: i.resource,
                namespace: i.namespace,
                name: i.name,
                object: i.object,
            };
            if let Err(e) = &json {
                errs.push(CliError::msg(e.clone()));
                continue;
            }
            if let Err(e) = session.run(ctx, vec![target]).await {
                errs.push(e);
            }
        }
        crate::resource::collected_errors(Vec::new(), errs)
    }

    /// `--raw PATH -f FILE`: the file's bytes, unchanged, POSTed to the path; the answer
    /// printed as it came (kubectl `CreateOptions.RunCreate` with `Raw`, after `ValidateArgs`).
    async fn run_raw(&self, ctx: &Context) -> Result<(), CliError> {
        let files = &self.manifests.files.filename;
        if files.is_empty() && self.manifests.kustomize.dir.is_none() {
            return Err(CliError::msg("must specify one of -f and -k"));
        }
        if self.edit {
            return Err(CliError::msg("--raw and --edit are mutually exclusive"));
        }
        crate::ops::rawhttp::RawCheck {
            path: &self.raw,
            files,
            file_required: true,
            recursive: self.manifests.files.recursive,
            selector: self.selector.as_str(),
            output: &self.print.output,
        }
        .validate()?;
        crate::ops::rawhttp::send(ctx, Method::POST, &self.raw, Some(&files[0])).await
    }
}

/// `kubectl create`: kubectl's description.
pub const CREATE_LONG: &str = r"Create a resource from a file or from stdin.

 JSON and YAML formats are accepted.";

/// `kubectl create`: kubectl's examples.
pub const CREATE_EXAMPLES: &str = r"Examples:
  # Create a pod using the data in pod.json
  kubectl create -f ./pod.json
  
  # Create a pod based on the JSON passed into stdin
  cat pod.json | kubectl create -f -
  
  # Edit the data in registry.yaml in JSON then create the resource using the edited data
  kubectl create -f registry.yaml --edit -o json";

/// `kubectl create`: kubectl's usage (`Use`).
pub const CREATE_USAGE: &str = r"create -f FILENAME";

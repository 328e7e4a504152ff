//! `kubectl-rs create -f`: POST every object read from files, stdin or URLs
//! (kubectl `pkg/cmd/create/create.go` `RunCreate`). The generator subcommands
//! (`create namespace`, `create deployment`, …) live in `create_generators.rs`.

use std::io::Write;

use crate::apply::{set_last_applied, to_go_json};
use crate::client::{ApiRequest, Method};
use crate::cmd::flags::{field_validation, DryRun};
use crate::context::Context;
use crate::error::CliError;
use crate::print::{GenericOptions, GenericPrinter, OutputFormat};
use crate::resource::{read_objects, with_source, ReadSpec};

/// Create a resource from a file or from stdin.
#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files to use to create the resource")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-create")))]
pub struct CreateArgs {
    /// Create an object of a kind from flags instead of from files.
    #[command(subcommand)]
    pub generator: Option<crate::cmd::create_generators::Generator>,
    /// Positional arguments: create from files takes none (kubectl: `Unexpected args: [...]`).
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    #[command(flatten)]
    pub kustomize: crate::cmd::flags::KustomizeFlag,
    /// Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will use a schema to validate the input and fail the request if invalid. It will perform server side validation if ServerSideFieldValidation is enabled on the api-server, but will fall back to less reliable client-side validation if not. "warn" will warn about unknown or duplicate fields without blocking the request if server-side field validation is enabled on the API server, and behave as "ignore" otherwise. "false" or "ignore" will not perform any schema validation, silently dropping any unknown or duplicate fields.
    #[arg(verbatim_doc_comment, long = "validate", num_args = 0..=1, require_equals = true,
          default_missing_value = "strict", default_value = "strict")]
    pub validate: String,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    /// Output format. One of: (json, yaml, kyaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).
    #[arg(verbatim_doc_comment, short = 'o', long = "output", default_value = "")]
    pub output: String,
    /// Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].
    #[arg(verbatim_doc_comment, long = "template")]
    pub template: Option<String>,
    /// If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.
    #[arg(verbatim_doc_comment, long = "save-config", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false")]
    pub save_config: bool,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    /// If true, keep the managedFields when printing objects in JSON or YAML format.
    #[arg(verbatim_doc_comment, long = "show-managed-fields", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false")]
    pub show_managed_fields: bool,
}

impl CreateArgs {
    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if let Some(g) = &self.generator {
            return g.run(ctx).await;
        }
        // kubectl `ValidateArgs`: a word that names no generator is refused first.
        if !self.args.is_empty() {
            return Err(CliError::Usage {
                message: format!("Unexpected args: [{}]", self.args.join(" ")),
                command: "kubectl-rs create".into(),
            });
        }
        if self.files.filename.is_empty() && self.kustomize.dir.is_none() {
            return Err(CliError::msg("must specify one of -f and -k"));
        }
        let dry_run = self.dry_run.strategy(ctx)?;
        let validation = field_validation(&self.validate)?;
        let format = if self.output.is_empty() {
            None
        } else {
            Some(OutputFormat::parse(
                &self.output,
                self.template.as_deref(),
                true,
            )?)
        };
        let mut printer = match &format {
            None => None,
            Some(f) => Some(GenericPrinter::new(
                f,
                &GenericOptions {
                    show_managed_fields: self.show_managed_fields,
                    ..GenericOptions::default()
                },
                &|p| std::fs::read_to_string(p).map_err(|e| e.to_string()),
            )?),
        };
        let spec = ReadSpec {
            files: self.files.filename.clone(),
            kustomize: self.kustomize.dir.clone(),
            recursive: self.files.recursive,
            validate: validation != "Ignore",
            selector: self.selector.value.clone(),
            latest: false,
            all_namespaces: false,
        };
        let (targets, builder_errors) = read_objects(ctx, &spec).await;
        let mut errors = Vec::new();
        let mut count = 0;
        for t in targets {
            count += 1;
            let mut obj = t.object.clone();
            if self.save_config {
                set_last_applied(&mut obj)?;
            }
            let created = if dry_run == DryRun::Client {
                obj
            } else {
                let mut req = ApiRequest::new(Method::POST, t.collection()?);
                req.headers
                    .push(("Content-Type".into(), "application/json".into()));
                req.body = Some(to_go_json(&obj).into_bytes());
                let req = dry_run
                    .query(req)
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

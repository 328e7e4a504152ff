//! `kubectl-rs edit`: the objects named by `TYPE NAME`, `TYPE/NAME` or `-f` are fetched,
//! written (managed fields left out) to a temporary file under kubectl's header, opened in the
//! user's editor (`KUBE_EDITOR`, `EDITOR`, else `vi`), read back and sent as a patch computed
//! as kubectl's editor does: a strategic merge patch for built-in kinds, a JSON merge patch
//! otherwise, refusing changes of apiVersion, kind or name. Objects the server refuses as
//! invalid are reopened with the reasons on top (kubectl `pkg/cmd/edit/edit.go`,
//! `pkg/cmd/util/editor/editoptions.go`).

use serde_json::Value;

use crate::cmd::flags::field_validation;
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::editor::session::{Mode, Session, Target};
use crate::error::CliError;
use crate::resource::targets::{self, FindSpec};

/// Edit a resource on the server.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files to use to edit the resource")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-edit")))]
#[command(mut_arg("subresource", |a| a.help("If specified, edit will operate on the subresource of the requested object.")))]
pub struct EditArgs {
    /// `TYPE NAME…` or `TYPE/NAME…`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    #[command(flatten)]
    pub kustomize: crate::cmd::flags::KustomizeFlag,
    /// Output the patch if the resource is edited.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub output_patch: bool,
    #[command(flatten)]
    pub save_config: crate::cmd::flags::SaveConfigFlag,
    #[command(flatten)]
    pub subresource: crate::cmd::flags::SubresourceFlag,
    #[command(flatten)]
    pub validate: crate::cmd::flags::ValidateFlag,
    #[command(flatten)]
    pub windows_line_endings: crate::cmd::flags::WindowsLineEndingsFlag,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
}

impl EditArgs {
    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let record = self.record.change_cause(ctx);
        let validation = field_validation(&self.validate.value)?;
        // The editor's printer knows only JSON and YAML, and -o is bound to it as well as
        // to the result's printer (editPrinterOptions.Complete).
        let json = crate::editor::session::json_format(&self.print.output)?;
        let spec = self.print.spec(ctx);
        let targets = self.targets(ctx).await?;
        if targets.is_empty() {
            return Err(CliError::msg("edit cancelled, no objects found"));
        }
        let print = |obj: &Value, operation: &str| {
            crate::cmd::flags::print_one_deferred(&spec, ctx, obj, operation)
        };
        Session {
            mode: Mode::Normal,
            json,
            windows_line_endings: self.windows_line_endings.value,
            output_patch: self.output_patch,
            save_config: self.save_config.value,
            record,
            subresource: self.subresource.value.clone(),
            field_manager: self.field_manager.as_str().to_string(),
            validation,
            print: &print,
        }
        .run(ctx, targets)
        .await
    }

    /// The builder with `Latest`: every object fetched from the server; any error stops.
    async fn targets(&self, ctx: &Context) -> Result<Vec<Target>, CliError> {
        let spec = FindSpec {
            // ResourceTypeOrNameArgs(allowEmptySelector=true): a bare type means all of them.
            all: true,
            ..self.files.find_spec(&self.kustomize, &self.args)
        };
        targets::find(ctx, &spec)
            .await?
            .into_iter()
            .map(|t| t.into_info().map(Target::from))
            .collect()
    }
}

/// `kubectl edit`: kubectl's description.
pub const EDIT_LONG: &str = r#"Edit a resource from the default editor.

 The edit command allows you to directly edit any API resource you can retrieve via the command-line tools. It will open the editor defined by your KUBE_EDITOR, or EDITOR environment variables, or fall back to 'vi' for Linux or 'notepad' for Windows. When attempting to open the editor, it will first attempt to use the shell that has been defined in the 'SHELL' environment variable. If this is not defined, the default shell will be used, which is '/bin/bash' for Linux or 'cmd' for Windows.

 You can edit multiple objects, although changes are applied one at a time. The command accepts file names as well as command-line arguments, although the files you point to must be previously saved versions of resources.

 Editing is done with the API version used to fetch the resource. To edit using a specific API version, fully-qualify the resource, version, and group.

 The default format is YAML. To edit in JSON, specify "-o json".

 The flag --windows-line-endings can be used to force Windows line endings, otherwise the default for your operating system will be used.

 In the event an error occurs while updating, a temporary file will be created on disk that contains your unapplied changes. The most common error when updating a resource is another editor changing the resource on the server. When this occurs, you will have to apply your changes to the newer version of the resource, or update your temporary saved copy to include the latest resource version."#;

/// `kubectl edit`: kubectl's examples.
pub const EDIT_EXAMPLES: &str = r#"Examples:
  # Edit the service named 'registry'
  kubectl edit svc/registry
  
  # Use an alternative editor
  KUBE_EDITOR="nano" kubectl edit svc/registry
  
  # Edit the job 'myjob' in JSON using the v1 API format
  kubectl edit job.v1.batch/myjob -o json
  
  # Edit the deployment 'mydeployment' in YAML and save the modified config in its annotation
  kubectl edit deployment/mydeployment -o yaml --save-config
  
  # Edit the 'status' subresource for the 'mydeployment' deployment
  kubectl edit deployment mydeployment --subresource='status'"#;

/// `kubectl edit`: kubectl's usage.
pub const EDIT_USAGE: &str = r"edit (RESOURCE/NAME | -f FILENAME)";

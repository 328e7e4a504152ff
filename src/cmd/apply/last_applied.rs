//! `kubectl-rs apply view-last-applied` and `apply set-last-applied`: the
//! `kubectl.kubernetes.io/last-applied-configuration` annotation shown, or set from files
//! without changing anything else (kubectl `pkg/cmd/apply/apply_view_last_applied.go`,
//! `apply_set_last_applied.go`, `editor.GetApplyPatch`).

use std::io::Write;

use serde_json::Value;

use crate::apply::{to_go_json, LAST_APPLIED_ANNOTATION};
use crate::client::request::PATCH_MERGE;
use crate::client::ApiRequest;
use crate::cmd::flags::DryRun;
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;
use crate::resource::{read_objects, str_at, with_source, Info, ReadSpec};

/// The `apply` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum LastAppliedCommand {
    /// Edit latest last-applied-configuration annotations of a resource/object
    #[command(name = "edit-last-applied", display_order = 0)]
    #[command(long_about = EDIT_LONG, after_help = EDIT_EXAMPLES, override_usage = EDIT_USAGE)]
    EditLastApplied(EditLastAppliedArgs),
    /// Set the last-applied-configuration annotation on a live object to match the contents of a file
    #[command(name = "set-last-applied", display_order = 1)]
    #[command(long_about = SET_LONG, after_help = SET_EXAMPLES, override_usage = SET_USAGE)]
    SetLastApplied(SetLastAppliedArgs),
    /// View the latest last-applied-configuration annotations of a resource/object
    #[command(name = "view-last-applied", display_order = 2)]
    #[command(long_about = VIEW_LONG, after_help = VIEW_EXAMPLES, override_usage = VIEW_USAGE)]
    ViewLastApplied(ViewLastAppliedArgs),
}

impl LastAppliedCommand {
    /// Runs the subcommand.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        match self {
            LastAppliedCommand::EditLastApplied(a) => a.run(ctx).await,
            LastAppliedCommand::SetLastApplied(a) => a.run(ctx).await,
            LastAppliedCommand::ViewLastApplied(a) => a.run(ctx).await,
        }
    }
}

/// `apply view-last-applied`.
#[derive(Debug, Clone, clap::Args)]
#[command(
    mut_arg("filename", |a| a.help("Filename, directory, or URL to files that contains the last-applied-configuration annotations")),
    mut_arg("all", |a| a.help("Select all resources in the namespace of the specified resource types"))
)]
#[command(mut_arg("output", |a| a.help("Output format. Must be one of (yaml, json)").default_value("yaml")))]
pub struct ViewLastAppliedArgs {
    /// `TYPE [NAME…]` or `TYPE/NAME…`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub all: crate::cmd::flags::AllFlag,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    #[command(flatten)]
    pub kustomize: crate::cmd::flags::KustomizeFlag,
    #[command(flatten)]
    pub output: crate::cmd::flags::OutputFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
}

/// The live objects a builder with `Latest` visits: `-f` objects fetched again, or
/// `TYPE NAME…`, `TYPE/NAME…`, `TYPE -l …`/`--all` (and a bare `TYPE` with an explicit
/// namespace). The first error stops.
async fn live_targets(
    ctx: &Context,
    files: &crate::cmd::flags::FilenameFlags,
    kustomize: Option<&str>,
    args: &[String],
    selector: Option<&str>,
    all: bool,
    allow_empty: bool,
) -> Result<Vec<(Info, Value)>, CliError> {
    let client = ctx.client()?;
    let mut out = Vec::new();
    if !files.filename.is_empty() || kustomize.is_some() {
        crate::resource::check_path_args(args)?;
        let spec = ReadSpec {
            files: files.filename.clone(),
            recursive: files.recursive,
            validate: false,
            selector: selector.map(str::to_string),
            latest: true,
            all_namespaces: false,
            kustomize: kustomize.map(str::to_string),
        };
        let (infos, errors) = read_objects(ctx, &spec).await;
        crate::resource::collected_errors(errors, Vec::new())?;
        for i in infos {
            let live =
                crate::resource::helper::builder_get(ctx, &i.path()?, i.namespace.as_deref())
                    .await?;
            out.push((i, live));
        }
        return Ok(out);
    }
    if args.is_empty() {
        return Err(crate::resource::missing_resource_error());
    }
    let (ns, enforce) = ctx.namespace()?;
    let types = crate::resource::resolve_args(ctx, args, "kubectl").await?;
    let select = selector.is_some() || all;
    for t in types {
        let namespace = t.resource.namespaced.then(|| ns.clone());
        if !t.names.is_empty() && select {
            return Err(crate::resource::name_with_selector_error());
        }
        if t.names.is_empty() {
            if !select && !enforce && !allow_empty {
                return Err(crate::resource::no_name_error());
            }
            let mut req = ApiRequest::get(t.resource.path(namespace.as_deref(), None)?);
            if let Some(s) = selector {
                req = req.query("labelSelector", s.to_string());
            }
            let list = client.send_json(&req).await?;
            for item in list["items"].as_array().into_iter().flatten() {
                let mut obj = item.clone();
                obj["apiVersion"] = Value::String(t.resource.api_version());
                obj["kind"] = Value::String(t.resource.kind.clone());
                out.push((info_for(&t.resource, &namespace, &obj), obj));
            }
            continue;
        }
        for name in &t.names {
            let live =
                crate::resource::helper::get_named(ctx, &t.resource, namespace.as_deref(), name)
                    .await?;
            out.push((info_for(&t.resource, &namespace, &live), live));
        }
    }
    Ok(out)
}

fn info_for(r: &crate::discovery::ApiResource, ns: &Option<String>, obj: &Value) -> Info {
    Info {
        source: String::new(),
        object: obj.clone(),
        resource: r.clone(),
        namespace: ns.clone(),
        name: str_at(obj, &["metadata", "name"]).to_string(),
    }
}

impl ViewLastAppliedArgs {
    /// Runs the subcommand.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if self.output.value != "json" && self.output.value != "yaml" {
            return Err(CliError::Usage {
                message: format!(
                    "Unexpected -o output mode: {}, the flag 'output' must be one of yaml|json",
                    self.output.value
                ),
                command: "kubectl-rs apply view-last-applied".into(),
            });
        }
        let targets = live_targets(
            ctx,
            &self.files,
            self.kustomize.dir.as_deref(),
            &self.args,
            self.selector.value.as_deref(),
            self.all.value,
            false,
        )
        .await?;
        let mut configs = Vec::new();
        for (info, live) in targets {
            match live["metadata"]["annotations"][LAST_APPLIED_ANNOTATION].as_str() {
                Some(c) => configs.push(c.to_string()),
                // kubectl wraps a nil error here: with a source it is an error naming it,
                // without one (TYPE/NAME) the object is silently skipped.
                None if info.source.is_empty() => {}
                None => {
                    return Err(CliError::msg(format!(
                        "error when no last-applied-configuration annotation found on resource: {}\n {:?}: <nil>",
                        info.name, info.source
                    )))
                }
            }
        }
        let mut out = ctx.out();
        for c in configs {
            let v: Value = serde_json::from_str(&c).map_err(|e| CliError::msg(e.to_string()))?;
            if self.output.value == "json" {
                out.write_all(json_indent(&c).as_bytes())?;
            } else {
                out.write_all(crate::print::yaml::to_yaml_string(&v).as_bytes())?;
            }
        }
        Ok(())
    }
}

/// Go's `json.Indent(src, "", "  ")`: the text's own key order, leading blanks dropped,
/// trailing ones kept.
fn json_indent(src: &str) -> String {
    let body = src.trim_start();
    let trimmed = body.trim_end();
    let tail = &body[trimmed.len()..];
    let mut out = String::new();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    let chars: Vec<char> = trimmed.chars().collect();
    let mut i = 0;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                let next = chars[i + 1..].iter().find(|x| !x.is_whitespace());
                if next == Some(&close) {
                    // Empty: Go keeps `{}` / `[]`.
                    out.push(close);
                    i += 1 + chars[i + 1..].iter().position(|x| *x == close).unwrap_or(0);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
        i += 1;
    }
    out.push_str(tail);
    out
}

/// `apply set-last-applied`.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files that contains the last-applied-configuration annotations")))]
pub struct SetLastAppliedArgs {
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    /// Will create 'last-applied-configuration' annotations if current objects doesn't have one
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub create_annotation: bool,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    /// Filename, directory, or URL to files that contains the last-applied-configuration annotations
    #[arg(
        verbatim_doc_comment,
        id = "filename",
        short = 'f',
        long,
        value_delimiter = ','
    )]
    pub filename: Vec<String>,
}

impl SetLastAppliedArgs {
    /// Runs the subcommand.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let dry_run = self.dry_run.strategy(ctx)?;
        let spec = self.print.spec(ctx)?;
        if self.filename.is_empty() {
            return Err(crate::resource::missing_resource_error());
        }
        let read = ReadSpec {
            files: self.filename.clone(),
            recursive: false,
            validate: false,
            selector: None,
            latest: false,
            all_namespaces: false,
            kustomize: None,
        };
        let (infos, errors) = read_objects(ctx, &read).await;
        crate::resource::collected_errors(errors, Vec::new())?;
        let client = ctx.client()?;
        // Validate: everything is checked before anything is patched.
        let mut todo = Vec::new();
        for info in infos {
            // editor.GetApplyPatch: the file's object as sorted JSON, with a newline.
            let before = format!("{}\n", to_go_json(&info.object));
            let live = match client.get_json(&info.path()?).await {
                Ok(v) => v,
                Err(e) if e.is_not_found() => return Err(e.into()),
                Err(e) => {
                    return Err(with_source(
                        &format!(
                            "retrieving current configuration of:\n{}\nfrom server for:",
                            info.info_header()
                        ),
                        &info.source,
                        e.into(),
                    ))
                }
            };
            let original = live["metadata"]["annotations"][LAST_APPLIED_ANNOTATION].as_str();
            if original.is_none() && !self.create_annotation {
                return Err(CliError::msg(format!(
                    "no last-applied-configuration annotation found on resource: {}, to create the annotation, run the command with --create-annotation",
                    info.name
                )));
            }
            let unchanged = original
                .and_then(|o| crate::manifest::yaml::yaml_to_json(o).ok())
                .is_some_and(|o| to_go_json(&o) == before.trim_end());
            if unchanged {
                writeln!(
                    ctx.out(),
                    "set-last-applied {}: no changes required.",
                    info.name
                )?;
                continue;
            }
            let patch =
                serde_json::json!({"metadata": {"annotations": {LAST_APPLIED_ANNOTATION: before}}});
            todo.push((info, live, to_go_json(&patch)));
        }
        for (info, live, patch) in todo {
            let obj = if dry_run == DryRun::Client {
                live
            } else {
                let req = ApiRequest::patch(info.path()?, PATCH_MERGE, patch.into_bytes());
                client.send_json(&dry_run.query(req)).await?
            };
            spec.print_one(ctx, &obj, &format!("configured{}", dry_run.suffix()))?;
        }
        Ok(())
    }
}

/// `apply edit-last-applied`.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files to use to edit the resource")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-client-side-apply")))]
pub struct EditLastAppliedArgs {
    /// `TYPE NAME…` or `TYPE/NAME…`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub manifests: crate::cmd::flags::ManifestFlags,
    #[command(flatten)]
    pub windows_line_endings: crate::cmd::flags::WindowsLineEndingsFlag,
}

impl EditLastAppliedArgs {
    /// Runs the subcommand: the edit session in last-applied mode over the objects'
    /// annotations.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        use crate::editor::session::{Mode, Session, Target};
        let validation = self.manifests.validate.directive()?;
        let json = crate::editor::session::json_format(&self.print.output)?;
        let spec = self.print.spec(ctx);
        let live = live_targets(
            ctx,
            &self.manifests.files,
            self.manifests.kustomize.dir.as_deref(),
            &self.args,
            None,
            false,
            true,
        )
        .await?;
        if live.is_empty() {
            return Err(CliError::msg("edit cancelled, no objects found"));
        }
        let mut targets = Vec::new();
        for (_, obj) in live {
            let Some(config) = obj["metadata"]["annotations"][LAST_APPLIED_ANNOTATION].as_str()
            else {
                continue;
            };
            let parsed = crate::resource::read_bytes(ctx, config.as_bytes(), "edited-file").await;
            match parsed.into_iter().next() {
                Some(Ok(i)) => targets.push(Target {
                    resource: i.resource,
                    namespace: i.namespace,
                    name: i.name,
                    object: i.object,
                }),
                Some(Err(e)) => return Err(e),
                None => {}
            }
        }
        if targets.is_empty() {
            return Err(CliError::msg("no last-applied-configuration annotation found on resources, to create the annotation, use command `kubectl apply set-last-applied --create-annotation`"));
        }
        let print = |obj: &Value, operation: &str| {
            crate::cmd::flags::print_one_deferred(&spec, ctx, obj, operation)
        };
        Session {
            mode: Mode::LastApplied,
            json,
            windows_line_endings: self.windows_line_endings.value,
            output_patch: false,
            save_config: false,
            record: None,
            subresource: String::new(),
            field_manager: self.field_manager.as_str().to_string(),
            validation,
            print: &print,
        }
        .run(ctx, targets)
        .await
    }
}

const EDIT_LONG: &str = r#"Edit the latest last-applied-configuration annotations of resources from the default editor.

 The edit-last-applied command allows you to directly edit any API resource you can retrieve via the command-line tools. It will open the editor defined by your KUBE_EDITOR, or EDITOR environment variables, or fall back to 'vi' for Linux or 'notepad' for Windows. You can edit multiple objects, although changes are applied one at a time. The command accepts file names as well as command-line arguments, although the files you point to must be previously saved versions of resources.

 The default format is YAML. To edit in JSON, specify "-o json".

 The flag --windows-line-endings can be used to force Windows line endings, otherwise the default for your operating system will be used.

 In the event an error occurs while updating, a temporary file will be created on disk that contains your unapplied changes. The most common error when updating a resource is another editor changing the resource on the server. When this occurs, you will have to apply your changes to the newer version of the resource, or update your temporary saved copy to include the latest resource version."#;
const EDIT_EXAMPLES: &str = "Examples:\n  # Edit the last-applied-configuration annotations by type/name in YAML\n  kubectl apply edit-last-applied deployment/nginx\n  \n  # Edit the last-applied-configuration annotations by file in JSON\n  kubectl apply edit-last-applied -f deploy.yaml -o json";
const EDIT_USAGE: &str = "edit-last-applied (RESOURCE/NAME | -f FILENAME)";

const VIEW_LONG: &str = "View the latest last-applied-configuration annotations by type/name or file.\n\n The default output will be printed to stdout in YAML format. You can use the -o option to change the output format.";
const VIEW_EXAMPLES: &str = "Examples:\n  # View the last-applied-configuration annotations by type/name in YAML\n  kubectl apply view-last-applied deployment/nginx\n  \n  # View the last-applied-configuration annotations by file in JSON\n  kubectl apply view-last-applied -f deploy.yaml -o json";
const VIEW_USAGE: &str = "view-last-applied (TYPE [NAME | -l label] | TYPE/NAME | -f FILENAME)";
const SET_LONG: &str = "Set the latest last-applied-configuration annotations by setting it to match the contents of a file. This results in the last-applied-configuration being updated as though 'kubectl apply -f<file> ' was run, without updating any other parts of the object.";
const SET_EXAMPLES: &str = "Examples:\n  # Set the last-applied-configuration of a resource to match the contents of a file\n  kubectl apply set-last-applied -f deploy.yaml\n  \n  # Execute set-last-applied against each configuration file in a directory\n  kubectl apply set-last-applied -f path/\n  \n  # Set the last-applied-configuration of a resource to match the contents of a file; will create the annotation if it does not already exist\n  kubectl apply set-last-applied -f deploy.yaml --create-annotation=true";
const SET_USAGE: &str = "set-last-applied -f FILENAME";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_indent_is_gos() {
        assert_eq!(
            json_indent("{\"b\":1,\"a\":{},\"c\":[1,{\"d\":\"x,y:\"}],\"e\":[]}\n"),
            "{\n  \"b\": 1,\n  \"a\": {},\n  \"c\": [\n    1,\n    {\n      \"d\": \"x,y:\"\n    }\n  ],\n  \"e\": []\n}\n"
        );
    }
}

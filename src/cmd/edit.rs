//! `kubectl-rs edit`: the objects named by `TYPE NAME`, `TYPE/NAME` or `-f` are fetched,
//! written (managed fields left out) to a temporary file under kubectl's header, opened in the
//! user's editor (`KUBE_EDITOR`, `EDITOR`, else `vi`), read back and sent as a patch computed
//! as kubectl's editor does: a strategic merge patch for built-in kinds, a JSON merge patch
//! otherwise, refusing changes of apiVersion, kind or name. Objects the server refuses as
//! invalid are reopened with the reasons on top (kubectl `pkg/cmd/edit/edit.go`,
//! `pkg/cmd/util/editor/editoptions.go`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::apply::{create_merge_patch, create_two_way_merge_patch, set_last_applied, to_go_json};
use crate::client::{ApiPath, ApiRequest, ClientError, ResourcePath};
use crate::cmd::flags::{field_validation, PrintSpec};
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::editor::{write_temp_file, Editor};
use crate::error::CliError;
use crate::resource::{read_bytes, read_objects, str_at, ReadSpec};

/// Edit a resource on the server.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files to use to edit the resource")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-edit")))]
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
    #[arg(verbatim_doc_comment, long = "output-patch", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false")]
    pub output_patch: bool,
    /// If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.
    #[arg(verbatim_doc_comment, long = "save-config", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false")]
    pub save_config: bool,
    /// If specified, edit will operate on the subresource of the requested object.
    #[arg(verbatim_doc_comment, long = "subresource", default_value = "")]
    pub subresource: String,
    /// Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will use a schema to validate the input and fail the request if invalid. It will perform server side validation if ServerSideFieldValidation is enabled on the api-server, but will fall back to less reliable client-side validation if not. "warn" will warn about unknown or duplicate fields without blocking the request if server-side field validation is enabled on the API server, and behave as "ignore" otherwise. "false" or "ignore" will not perform any schema validation, silently dropping any unknown or duplicate fields.
    #[arg(verbatim_doc_comment, long = "validate", num_args = 0..=1, require_equals = true,
          default_missing_value = "strict", default_value = "strict")]
    pub validate: String,
    /// Defaults to the line ending native to your platform.
    #[arg(verbatim_doc_comment, long = "windows-line-endings", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false")]
    pub windows_line_endings: bool,
}

/// One object being edited.
#[derive(Debug, Clone)]
struct Target {
    resource: ApiResource,
    namespace: Option<String>,
    name: String,
    object: Value,
}

/// A reason the file is reopened (`editReason`).
#[derive(Debug, Clone, Default)]
struct Reason {
    head: String,
    other: Vec<String>,
}

/// What one pass of patching found (`editResults`).
#[derive(Debug, Default)]
struct Results {
    reasons: Vec<Reason>,
    retryable: usize,
    notfound: usize,
    edit: usize,
}

const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,\n# and an empty file will abort the edit. If an error occurs while saving this file will be\n# reopened with the relevant failures.\n#\n";

impl EditArgs {
    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let validation = field_validation(&self.validate)?;
        if self.kustomize.dir.is_some() {
            return Err(CliError::msg(
                "-k/--kustomize is not supported by kubectl-rs",
            ));
        }
        // The editor's printer knows only JSON and YAML, and -o is bound to it as well as
        // to the result's printer (editPrinterOptions.Complete).
        let json = match self.print.output.as_str() {
            "json" => true,
            "" | "yaml" => false,
            other => {
                return Err(CliError::msg(format!(
                    "unable to match a printer suitable for the output format {}, allowed formats are: json,yaml",
                    crate::print::gofmt::go_quote(other)
                )))
            }
        };
        let spec = PrintSpec::parse(
            ctx,
            &self.print.output,
            self.print.template.as_deref(),
            self.print.allow_missing_template_keys,
            self.print.show_managed_fields,
        );
        let targets = self.targets(ctx).await?;
        if targets.is_empty() {
            return Err(CliError::msg("edit cancelled, no objects found"));
        }
        self.edit_loop(ctx, targets, json, validation, &spec).await
    }

    /// The builder with `Latest`: every object fetched from the server; any error stops.
    async fn targets(&self, ctx: &Context) -> Result<Vec<Target>, CliError> {
        let client = ctx.client()?;
        let mut out = Vec::new();
        if !self.files.filename.is_empty() {
            crate::resource::check_path_args(&self.args)?;
            let spec = ReadSpec {
                files: self.files.filename.clone(),
                recursive: self.files.recursive,
                validate: false,
                selector: None,
                latest: true,
                all_namespaces: false,
            };
            let (infos, errors) = read_objects(ctx, &spec).await;
            crate::resource::collected_errors(errors, Vec::new())?;
            let mut errs = Vec::new();
            for i in infos {
                match crate::resource::helper::builder_get(ctx, &i.path()?, i.namespace.as_deref())
                    .await
                {
                    Ok(v) => out.push(Target {
                        resource: i.resource,
                        namespace: i.namespace,
                        name: i.name,
                        object: v,
                    }),
                    Err(e) => errs.push(e),
                }
            }
            crate::resource::collected_errors(Vec::new(), errs)?;
            return Ok(out);
        }
        if self.args.is_empty() {
            return Err(crate::resource::missing_resource_error());
        }
        let (ns, _) = ctx.namespace()?;
        let types = crate::resource::resolve_args(ctx, &self.args, "kubectl").await?;
        let mut errs = Vec::new();
        for t in types {
            let namespace = t.resource.namespaced.then(|| ns.clone());
            if t.names.is_empty() {
                let list = client
                    .get_json(&t.resource.path(namespace.as_deref(), None)?)
                    .await?;
                for item in list["items"].as_array().into_iter().flatten() {
                    let mut obj = item.clone();
                    obj["apiVersion"] = Value::String(t.resource.api_version());
                    obj["kind"] = Value::String(t.resource.kind.clone());
                    out.push(Target {
                        resource: t.resource.clone(),
                        namespace: namespace.clone(),
                        name: str_at(item, &["metadata", "name"]).to_string(),
                        object: obj,
                    });
                }
                continue;
            }
            for name in t.names {
                let path = t.resource.path(namespace.as_deref(), Some(&name))?;
                match crate::resource::helper::builder_get(ctx, &path, namespace.as_deref()).await {
                    Ok(v) => out.push(Target {
                        resource: t.resource.clone(),
                        namespace: namespace.clone(),
                        name,
                        object: v,
                    }),
                    Err(e) => errs.push(e),
                }
            }
        }
        crate::resource::collected_errors(Vec::new(), errs)?;
        Ok(out)
    }

    fn path(&self, t: &Target) -> Result<ApiPath, CliError> {
        let sub = (!self.subresource.is_empty()).then_some(self.subresource.as_str());
        Ok(ResourcePath {
            group: &t.resource.group,
            version: &t.resource.version,
            resource: &t.resource.resource,
            namespace: if t.resource.namespaced {
                t.namespace.as_deref()
            } else {
                None
            },
            name: Some(&t.name),
            subresource: sub,
        }
        .build()?)
    }

    /// `EditOptions.Run`'s `editFn`: edit until the server accepts, or the user gives up.
    async fn edit_loop(
        &self,
        ctx: &Context,
        targets: Vec<Target>,
        json: bool,
        validation: &str,
        spec: &Result<PrintSpec, CliError>,
    ) -> Result<(), CliError> {
        let editor = Editor::from_env(&ctx.env, &["KUBE_EDITOR", "EDITOR"]);
        let prog = std::env::args()
            .next()
            .and_then(|a| {
                Path::new(&a)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "kubectl-rs".into());
        let ext = if json { ".json" } else { ".yaml" };
        // Managed fields are kept out of the file and put back on both sides (by uid).
        let mut managed: BTreeMap<String, Value> = BTreeMap::new();
        let mut originals = targets;
        for t in &mut originals {
            if let Some(m) = t.object["metadata"].as_object_mut() {
                let mf = m.remove("managedFields").unwrap_or(Value::Null);
                managed.insert(str_at(&t.object, &["metadata", "uid"]).to_string(), mf);
            }
        }
        let shown = if originals.len() == 1 {
            originals[0].object.clone()
        } else {
            serde_json::json!({
                "apiVersion": "v1",
                "kind": "List",
                "metadata": {},
                "items": originals.iter().map(|t| t.object.clone()).collect::<Vec<_>>(),
            })
        };
        let body = if json {
            let mut b = Vec::new();
            crate::print::json::print_json(&shown, &mut b)?;
            String::from_utf8_lossy(&b).into_owned()
        } else {
            crate::print::yaml::to_yaml_string(&shown)
        };
        let mut reasons: Vec<Reason> = Vec::new();
        let mut contains_error = false;
        let mut original = String::new();
        let mut edited = String::new();
        let mut prev_file: Option<PathBuf> = None;
        loop {
            let mut buf = String::new();
            if !json {
                buf.push_str(HEADER);
                for r in &reasons {
                    if r.other.is_empty() {
                        buf.push_str(&format!("# {}\n", hash_on_line_break(&r.head)));
                    } else {
                        buf.push_str(&format!("# {}:\n", hash_on_line_break(&r.head)));
                    }
                    for o in &r.other {
                        buf.push_str(&format!("# * {}\n", hash_on_line_break(o)));
                    }
                    buf.push_str("#\n");
                }
            }
            if !contains_error {
                buf.push_str(&body);
                original = buf.clone();
            } else {
                buf.push_str(&manual_strip(&edited));
            }
            let content = if self.windows_line_endings {
                buf.replace('\n', "\r\n")
            } else {
                buf
            };
            let file = write_temp_file(&ctx.env, &format!("{prog}-edit-"), ext, content.as_bytes())
                .map_err(|e| preserved(ctx, CliError::from(e), prev_file.as_deref()))?;
            if let Err(e) = editor.launch(&ctx.env, &file) {
                return Err(preserved(
                    ctx,
                    CliError::msg(e.to_string()),
                    prev_file.as_deref(),
                ));
            }
            let previous = std::mem::take(&mut edited);
            edited = std::fs::read(&file)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|e| preserved(ctx, CliError::from(e), Some(&file)))?;
            if contains_error && strip_comments(&previous) == strip_comments(&edited) {
                return Err(preserved(
                    ctx,
                    CliError::msg("Edit cancelled, no valid changes were saved."),
                    Some(&file),
                ));
            }
            if let Some(p) = prev_file.take() {
                let _ = std::fs::remove_file(p);
            }
            if validation != "Ignore" {
                if let Err(why) = validate_edited(&strip_comments(&edited)) {
                    let t = &originals[0];
                    let mut results = Results::default();
                    let status = crate::client::ApiStatus {
                        code: 422,
                        message: String::new(),
                        raw: Value::Null,
                        reason: "Invalid".into(),
                        details: serde_json::json!({"causes": [{
                            "field": "<nil>",
                            "message": format!("Invalid value: \"The edited file failed validation\": {why}"),
                        }]}),
                    };
                    let line = results.add_error(
                        &ClientError::Api(Box::new(status)),
                        &t.resource,
                        &t.name,
                    );
                    ctx.eprint(&format!("{line}\n"));
                    reasons = results.reasons;
                    contains_error = true;
                    prev_file = Some(file);
                    continue;
                }
            }
            if strip_comments(&original) == strip_comments(&edited) {
                let _ = std::fs::remove_file(&file);
                ctx.eprint("Edit cancelled, no changes made.\n");
                return Ok(());
            }
            if !has_lines(&edited) {
                let _ = std::fs::remove_file(&file);
                ctx.eprint("Edit cancelled, saved file was empty.\n");
                return Ok(());
            }
            reasons.clear();
            // Parse what was saved; a syntax (or mapping) error reopens the file.
            let parsed = read_bytes(ctx, edited.as_bytes(), "edited-file").await;
            let mut updated = Vec::new();
            let mut parse_errors = Vec::new();
            for p in parsed {
                match p {
                    Ok(i) => updated.push(i),
                    Err(e) => parse_errors.push(e),
                }
            }
            if !parse_errors.is_empty() {
                let text =
                    crate::resource::flatten(&crate::resource::nested_aggregate(&parse_errors));
                reasons.push(Reason {
                    head: format!("The edited file had a syntax error: {text}"),
                    other: Vec::new(),
                });
                contains_error = true;
                prev_file = Some(file);
                continue;
            }
            let (default_ns, _) = ctx.namespace()?;
            let mut results = Results::default();
            for mut info in updated {
                // The original namespace must not have changed (RequireNamespace).
                if let Some(ns) = &info.namespace {
                    if info.resource.namespaced && !ns.is_empty() && *ns != default_ns {
                        return Err(preserved(
                            ctx,
                            CliError::msg(format!(
                                "the namespace from the provided object {ns:?} does not match the namespace {default_ns:?}. You must pass '--namespace={ns}' to perform this operation."
                            )),
                            Some(&file),
                        ));
                    }
                }
                let uid = str_at(&info.object, &["metadata", "uid"]).to_string();
                if let Some(m) = info.object["metadata"].as_object_mut() {
                    match managed.get(&uid) {
                        Some(mf) if !mf.is_null() => {
                            m.insert("managedFields".into(), mf.clone());
                        }
                        _ => {
                            m.remove("managedFields");
                        }
                    }
                }
                if self.save_config {
                    set_last_applied(&mut info.object)
                        .map_err(|e| preserved(ctx, e.into(), Some(&file)))?;
                }
                let Some(orig) = originals
                    .iter()
                    .find(|o| str_at(&o.object, &["metadata", "uid"]) == uid)
                else {
                    return Err(preserved(
                        ctx,
                        CliError::msg(format!(
                            "no original object found for {}",
                            go_unstructured(&info.object)
                        )),
                        Some(&file),
                    ));
                };
                let mut orig_obj = orig.object.clone();
                if let Some(mf) = managed.get(&uid).filter(|m| !m.is_null()) {
                    orig_obj["metadata"]["managedFields"] = mf.clone();
                }
                if orig_obj == info.object {
                    self.print(ctx, spec, &info.object, "skipped")
                        .map_err(|e| preserved(ctx, e, Some(&file)))?;
                    continue;
                }
                let (patch, content_type) = edit_patch(&orig_obj, &info.object)
                    .map_err(|e| preserved(ctx, e, Some(&file)))?;
                if self.output_patch {
                    ctx.out()
                        .write_all(format!("Patch: {patch}\n").as_bytes())?;
                }
                let target = Target {
                    resource: info.resource.clone(),
                    namespace: info.namespace.clone(),
                    name: info.name.clone(),
                    object: info.object.clone(),
                };
                let req = ApiRequest::patch(self.path(&target)?, content_type, patch.into_bytes())
                    .query("fieldManager", self.field_manager.as_str())
                    .query("fieldValidation", validation);
                match ctx.client()?.send_json(&req).await {
                    Ok(v) => self
                        .print(ctx, spec, &v, "edited")
                        .map_err(|e| preserved(ctx, e, Some(&file)))?,
                    Err(e) => ctx.eprint(&format!(
                        "{}\n",
                        results.add_error(&e, &target.resource, &target.name)
                    )),
                }
            }
            if results.retryable > 0 {
                ctx.eprint(&format!(
                    "You can run `{prog} replace -f {}` to try this update again.\n",
                    file.display()
                ));
                return Err(CliError::Silent(1));
            }
            if results.notfound > 0 {
                ctx.eprint(&format!(
                    "The edits you made on deleted resources have been saved to {:?}\n",
                    file.display().to_string()
                ));
                return Err(CliError::Silent(1));
            }
            if results.edit == 0 {
                let _ = std::fs::remove_file(&file);
                return Ok(());
            }
            reasons = results.reasons;
            contains_error = !reasons.is_empty();
            prev_file = Some(file);
        }
    }

    fn print(
        &self,
        ctx: &Context,
        spec: &Result<PrintSpec, CliError>,
        obj: &Value,
        operation: &str,
    ) -> Result<(), CliError> {
        let spec = spec.as_ref().map_err(|e| CliError::msg(e.to_string()))?;
        let mut printer = spec.printer()?;
        spec.print(ctx, printer.as_mut(), obj, operation)?;
        if let Some(p) = printer.as_mut() {
            p.finish(&mut **ctx.out())?;
        }
        Ok(())
    }
}

impl Results {
    /// `editResults.addError`: the line for stderr, and what the error means for the loop.
    fn add_error(&mut self, err: &ClientError, r: &ApiResource, name: &str) -> String {
        let resource = if r.group.is_empty() {
            r.resource.clone()
        } else {
            format!("{}.{}", r.resource, r.group)
        };
        match err {
            ClientError::Api(s) if s.reason == "Invalid" => {
                self.edit += 1;
                let other = s.details["causes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        format!(
                            "{}: {}",
                            c["field"].as_str().unwrap_or(""),
                            c["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                self.reasons.push(Reason {
                    head: format!("{resource} {name:?} was not valid"),
                    other,
                });
                format!("error: {resource} {name:?} is invalid")
            }
            e if e.is_not_found() => {
                self.notfound += 1;
                format!("error: {resource} {name:?} could not be found on the server")
            }
            e => {
                self.retryable += 1;
                let text = match e {
                    ClientError::Api(s) => s.message.clone(),
                    other => other.to_string(),
                };
                format!("error: {resource} {name:?} could not be patched: {text}")
            }
        }
    }
}

/// The patch kubectl's editor sends (`visitToPatch`): strategic for built-in kinds, JSON
/// merge otherwise; either refuses a change of apiVersion, kind or name.
fn edit_patch(original: &Value, edited: &Value) -> Result<(String, &'static str), CliError> {
    let api_version = str_at(original, &["apiVersion"]);
    let kind = str_at(original, &["kind"]);
    let changed = || CliError::msg("At least one of apiVersion, kind and name was changed");
    let (patch, content_type) = match crate::apply::PatchType::for_kind(api_version, kind) {
        crate::apply::PatchType::StrategicMerge => (
            create_two_way_merge_patch(api_version, kind, original, edited)?,
            crate::apply::PatchType::StrategicMerge.content_type(),
        ),
        crate::apply::PatchType::JsonMerge => (
            create_merge_patch(original, edited),
            crate::apply::PatchType::JsonMerge.content_type(),
        ),
    };
    if patch.get("apiVersion").is_some()
        || patch.get("kind").is_some()
        || patch.get("managedFields").is_some()
        || patch["metadata"].get("name").is_some()
    {
        return Err(changed());
    }
    Ok((to_go_json(&patch), content_type))
}

/// `preservedFile`: tells where the edits were kept, then returns the error.
fn preserved(ctx: &Context, err: CliError, file: Option<&Path>) -> CliError {
    if let Some(f) = file.filter(|f| f.exists()) {
        ctx.eprint(&format!(
            "A copy of your changes has been stored to {:?}\n",
            f.display().to_string()
        ));
    }
    err
}

/// `cmdutil.StripComments`: the YAML as JSON when it parses, else the text without comment
/// lines.
fn strip_comments(text: &str) -> String {
    match crate::manifest::yaml::yaml_to_json(text) {
        Ok(v) => to_go_json(&v),
        Err(_) => manual_strip(text),
    }
}

/// kubectl's client-side check of the saved file (`paramVerifyingSchema.ValidateBytes`: the
/// server does field validation, so only the object's shape is checked here).
fn validate_edited(stripped: &str) -> Result<(), String> {
    // sigs.k8s.io/yaml's ToJSON error, without the converting prefix of our reader.
    let v = crate::manifest::yaml::yaml_to_json(stripped).map_err(|e| {
        e.0.strip_prefix("error converting YAML to JSON: ")
            .map(str::to_string)
            .unwrap_or(e.0)
    })?;
    let Some(fields) = v.as_object() else {
        return Err("invalid object to validate".into());
    };
    let mut errs = Vec::new();
    match fields.get("apiVersion") {
        None | Some(Value::Null) => errs.push("apiVersion not set".to_string()),
        Some(Value::String(_)) => {}
        Some(_) => errs.push("apiVersion isn't string type".to_string()),
    }
    match fields.get("kind") {
        None | Some(Value::Null) => errs.push("kind not set".to_string()),
        Some(Value::String(_)) => {}
        Some(_) => errs.push("kind isn't string type".to_string()),
    }
    match errs.len() {
        0 => Ok(()),
        1 => Err(errs.remove(0)),
        _ => Err(format!("[{}]", errs.join(", "))),
    }
}

/// `cmdutil.ManualStrip`: lines whose first non-blank character is `#` (not `#!`) dropped.
fn manual_strip(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.starts_with('#') && !t.starts_with("#!") {
            continue;
        }
        out.push_str(line);
        if i < lines.len() - 1 {
            out.push('\n');
        }
    }
    out
}

/// `hasLines`: whether any line has something other than blanks and a comment.
fn has_lines(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    })
}

/// `hashOnLineBreak`: continuation lines of a reason stay comments.
fn hash_on_line_break(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    for (i, ch) in s.char_indices() {
        let j = i + 1;
        if j < b.len() && ch == '\n' && b[j] != b'#' {
            out.push_str("\n# ");
        } else {
            out.push(ch);
        }
    }
    out
}

/// Go's `%#v` of an `*unstructured.Unstructured` (kubectl's "no original object" error).
fn go_unstructured(v: &Value) -> String {
    fn go(v: &Value) -> String {
        match v {
            Value::Object(m) => format!(
                "map[string]interface {{}}{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{k:?}:{}", go(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Array(a) => format!(
                "[]interface {{}}{{{}}}",
                a.iter().map(go).collect::<Vec<_>>().join(", ")
            ),
            Value::String(s) => format!("{s:?}"),
            Value::Null => "interface {}(nil)".into(),
            other => other.to_string(),
        }
    }
    format!("&unstructured.Unstructured{{Object:{}}}", go(v))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comments_and_reasons_follow_kubectl() {
        assert_eq!(manual_strip("# a\nb: 1\n  # c\n#!x\n"), "b: 1\n#!x\n");
        assert!(!has_lines("# only\n\n   \n"));
        assert!(has_lines("# only\na: 1"));
        assert_eq!(hash_on_line_break("a\nb\n#c"), "a\n# b\n#c");
        assert_eq!(strip_comments("# x\nb: 1\na: 2\n"), r#"{"a":2,"b":1}"#);
    }

    #[test]
    fn patches_refuse_identity_changes() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "uid": "u"}, "data": {"k": "1"}});
        let mut edited = cm.clone();
        edited["data"]["k"] = json!("2");
        let (p, ct) = edit_patch(&cm, &edited).unwrap();
        assert_eq!(p, r#"{"data":{"k":"2"}}"#);
        assert_eq!(ct, "application/strategic-merge-patch+json");
        edited["metadata"]["name"] = json!("b");
        let e = edit_patch(&cm, &edited).unwrap_err();
        assert_eq!(
            e.to_string(),
            "At least one of apiVersion, kind and name was changed"
        );
        let cr = json!({"apiVersion": "x.io/v1", "kind": "W", "metadata": {"name": "a"}, "n": 1});
        let mut e2 = cr.clone();
        e2["n"] = json!(null);
        let (p, ct) = edit_patch(&cr, &e2).unwrap();
        assert_eq!(
            (p.as_str(), ct),
            (r#"{"n":null}"#, "application/merge-patch+json")
        );
        e2["kind"] = json!("Y");
        assert!(edit_patch(&cr, &e2).is_err());
    }
}

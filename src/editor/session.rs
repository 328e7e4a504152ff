//! One `kubectl edit` session (kubectl `pkg/cmd/util/editor/editoptions.go`): the objects
//! written to a temporary file under kubectl's header, the user's editor, the saved file
//! checked and parsed, and the patches sent; objects the server refuses as invalid, and
//! syntax errors, reopen the file with the reasons on top. `edit` and
//! `apply edit-last-applied` both run it, in their mode.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{write_temp_file, Editor};
use crate::apply::{create_merge_patch, create_two_way_merge_patch, set_last_applied, to_go_json};
use crate::client::{ApiPath, ApiRequest, ClientError};
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::CliError;
use crate::resource::{read_bytes, str_at};

/// How the session writes back what was edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `edit`: a patch of each changed object, reopened on invalid objects.
    Normal,
    /// `apply edit-last-applied`: the objects are last-applied configurations; each changed
    /// one is written back to its annotation.
    LastApplied,
    /// `create --edit` (kubectl's `EditBeforeCreateMode`): one object from the files at a
    /// time; what is saved is created (a refusal ends the command, the file kept).
    Create,
}

/// What the command decided (its flags), and how it prints an object with an operation.
pub struct Session<'a> {
    /// Normal or last-applied.
    pub mode: Mode,
    /// `-o json`: JSON in the editor, without the header.
    pub json: bool,
    /// `--windows-line-endings`.
    pub windows_line_endings: bool,
    /// `--output-patch`.
    pub output_patch: bool,
    /// `--save-config`.
    pub save_config: bool,
    /// `--record=true`'s change cause, set on every edited object before it is sent.
    pub record: Option<String>,
    /// `--subresource` (empty: none).
    pub subresource: String,
    /// `--field-manager`.
    pub field_manager: String,
    /// The `fieldValidation` directive (`Strict`, `Warn`, `Ignore`).
    pub validation: &'static str,
    /// Prints an object with an operation (`edited`, `skipped`) as `-o` says.
    pub print: &'a (dyn Fn(&Value, &str) -> Result<(), CliError> + Sync),
}

/// kubectl's `editPrinterOptions.Complete`: `-o` picks the editor's format too, JSON or YAML
/// (the default); whether it is JSON.
pub fn json_format(output: &str) -> Result<bool, CliError> {
    match output {
        "json" => Ok(true),
        "" | "yaml" => Ok(false),
        other => Err(CliError::msg(format!(
            "unable to match a printer suitable for the output format {}, allowed formats are: json,yaml",
            crate::print::gofmt::go_quote(other)
        ))),
    }
}

/// One object being edited.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its resource.
    pub resource: ApiResource,
    /// Its namespace (None for cluster-scoped kinds).
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// The object as fetched.
    pub object: Value,
}

impl From<crate::resource::Info> for Target {
    /// An object the builder mapped (and fetched, or read from the editor's file).
    fn from(info: crate::resource::Info) -> Target {
        Target {
            resource: info.resource,
            namespace: info.namespace,
            name: info.name,
            object: info.object,
        }
    }
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

const LAST_APPLIED_HEADER: &str = "# Please edit the 'last-applied-configuration' annotations below.\n# Lines beginning with a '#' will be ignored, and an empty file will abort the edit.\n#\n";

impl Session<'_> {
    fn path(&self, t: &Target) -> Result<ApiPath, CliError> {
        let sub = (!self.subresource.is_empty()).then_some(self.subresource.as_str());
        Ok(t.resource
            .subresource_path(t.namespace.as_deref(), Some(&t.name), sub)?)
    }

    /// `EditOptions.Run`'s `editFn`: edit until the server accepts, or the user gives up.
    pub async fn run(&self, ctx: &Context, targets: Vec<Target>) -> Result<(), CliError> {
        let json = self.json;
        let validation = self.validation;
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
                buf.push_str(match self.mode {
                    Mode::Normal | Mode::Create => HEADER,
                    Mode::LastApplied => LAST_APPLIED_HEADER,
                });
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
                // `visitAnnotation`: the recorder runs on the edited object after the
                // last-applied annotation, so the change cause is part of the patch.
                if let Some(cause) = &self.record {
                    crate::ops::metadata::record_change_cause(&mut info.object, cause)
                        .map_err(|e| preserved(ctx, e, Some(&file)))?;
                }
                if self.mode == Mode::Create {
                    // `visitToCreate`: cli-runtime `Helper.Create(ns, modify=true, obj)`.
                    if let Some(meta) = info.object["metadata"].as_object_mut() {
                        if meta.get("resourceVersion").is_some_and(Value::is_string) {
                            meta.remove("resourceVersion");
                        }
                    }
                    let req = ApiRequest::post_go_json(info.collection()?, &info.object)
                        .query("fieldManager", self.field_manager.as_str())
                        .query("fieldValidation", validation);
                    let created = ctx
                        .client()?
                        .send_json(&req)
                        .await
                        .map_err(|e| preserved(ctx, e.into(), Some(&file)))?;
                    (self.print)(&created, "created")
                        .map_err(|e| preserved(ctx, e, Some(&file)))?;
                    continue;
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
                    (self.print)(&info.object, "skipped")
                        .map_err(|e| preserved(ctx, e, Some(&file)))?;
                    continue;
                }
                if self.mode == Mode::LastApplied {
                    // annotationPatch: the edited configuration becomes the annotation.
                    let config = format!("{}\n", to_go_json(&info.object));
                    let patch = serde_json::json!({"metadata": {"annotations": {
                        crate::apply::LAST_APPLIED_ANNOTATION: config
                    }}});
                    let target = Target {
                        resource: info.resource.clone(),
                        namespace: info.namespace.clone(),
                        name: info.name.clone(),
                        object: info.object.clone(),
                    };
                    let req = ApiRequest::patch(
                        self.path(&target)?,
                        crate::client::request::PATCH_MERGE,
                        to_go_json(&patch).into_bytes(),
                    )
                    .query("fieldManager", self.field_manager.as_str())
                    .query("fieldValidation", validation);
                    if let Err(e) = ctx.client()?.send_json(&req).await {
                        return Err(preserved(ctx, e.into(), Some(&file)));
                    }
                    (self.print)(&info.object, "edited")
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
                    Ok(v) => {
                        (self.print)(&v, "edited").map_err(|e| preserved(ctx, e, Some(&file)))?
                    }
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

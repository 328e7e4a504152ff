//! `kubectl-rs patch`: strategic merge, JSON merge and JSON patches of `TYPE NAME`,
//! `TYPE/NAME` or `-f` objects on the server (optionally on a `--subresource`), or of `-f`
//! objects offline with `--local` (kubectl `pkg/cmd/patch/patch.go`).
//!
//! What `patch` and `scale` share (`PrintSpec`, `--record`) is in [`crate::cmd::flags`].

use serde_json::Value;

use crate::apply::{apply_json_patch, apply_merge_patch, apply_strategic_merge_patch};
use crate::client::request::{PATCH_JSON, PATCH_MERGE, PATCH_STRATEGIC};
use crate::client::{ApiPath, ApiRequest, ClientError};
use crate::cmd::flags::{change_cause, record_patch, DryRun, PrintSpec, RECORD_DEPRECATED};
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::CliError;
use crate::print::gofmt::go_quote;
use crate::resource::helper::builder_get;
use crate::resource::local::Decode;
use crate::resource::targets::{self, FindSpec, Target};

/// The `--type` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    /// `json`: RFC 6902.
    Json,
    /// `merge`: RFC 7386.
    Merge,
    /// `strategic` (the default).
    Strategic,
}

impl PatchKind {
    /// Parses `--type` (case-insensitive, as kubectl).
    pub fn parse(s: &str) -> Result<PatchKind, CliError> {
        match s.to_lowercase().as_str() {
            "json" => Ok(PatchKind::Json),
            "merge" => Ok(PatchKind::Merge),
            "strategic" | "" => Ok(PatchKind::Strategic),
            _ => Err(CliError::msg(format!(
                "--type must be one of [json merge strategic], not {}",
                go_quote(s)
            ))),
        }
    }

    /// The request's content type (also kubectl's name for the type in messages).
    pub fn content_type(&self) -> &'static str {
        match self {
            PatchKind::Json => PATCH_JSON,
            PatchKind::Merge => PATCH_MERGE,
            PatchKind::Strategic => PATCH_STRATEGIC,
        }
    }
}

/// apimachinery `yaml.ToJSON`: text starting with `{` is taken as JSON unchanged; anything
/// else is converted from YAML (nothing at all becomes `null`).
pub fn patch_to_json(text: &str) -> Result<Vec<u8>, String> {
    if text.trim_start().starts_with('{') {
        return Ok(text.as_bytes().to_vec());
    }
    let v = crate::manifest::yaml::yaml_to_json(text).map_err(|e| {
        let m = e.0;
        m.strip_prefix("error converting YAML to JSON: ")
            .map(str::to_string)
            .unwrap_or(m)
    })?;
    Ok(crate::apply::to_go_json(&v).into_bytes())
}

/// Go's encoding/json text for a syntax error in `input`.
fn go_json_error(e: &serde_json::Error, input: &[u8]) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".to_string();
    }
    let line_start: usize = input
        .split_inclusive(|b| *b == b'\n')
        .take(e.line().saturating_sub(1))
        .map(<[u8]>::len)
        .sum();
    let bad = input
        .get(line_start + e.column().saturating_sub(1))
        .map(|b| *b as char)
        .unwrap_or(' ');
    let text = e.to_string();
    let context = if text.starts_with("key must be a string") {
        "looking for beginning of object key string"
    } else if text.starts_with("expected `:`") {
        "after object key"
    } else if text.starts_with("expected `,` or `}`") {
        "after object key:value pair"
    } else if text.starts_with("expected `,` or `]`") {
        "after array element"
    } else if text.starts_with("trailing characters") {
        "after top-level value"
    } else {
        "looking for beginning of value"
    };
    let shown = if bad == '\'' {
        "\\'".to_string()
    } else {
        bad.to_string()
    };
    format!("invalid character '{shown}' {context}")
}

/// patch.go `getPatchedJSON`: the patch applied to `original` offline, with the errors of
/// the libraries kubectl uses (evanphx/json-patch v4, strategicpatch), then decoded back.
pub fn patch_locally(kind: PatchKind, original: &Value, patch: &[u8]) -> Result<Value, String> {
    let parsed: Result<Value, serde_json::Error> = serde_json::from_slice(patch);
    let result = match kind {
        PatchKind::Json => {
            let p = parsed.map_err(|e| go_json_error(&e, patch))?;
            apply_json_patch(original, &p).map_err(|e| {
                let msg = e.to_string();
                match msg.find("doc is missing key") {
                    Some(_) => {
                        let ix = msg.find("key:").unwrap_or(0);
                        let key = msg.get(ix + 5..).unwrap_or("");
                        format!("Object to be patched is missing field ({key})")
                    }
                    None => msg,
                }
            })?
        }
        PatchKind::Merge => match parsed {
            Err(_) | Ok(Value::Null) => return Err("Invalid JSON Patch".into()),
            Ok(p @ Value::Object(_)) => apply_merge_patch(original, &p),
            // A list replaces the document; scalars are not patches at all.
            Ok(p @ Value::Array(_)) => p,
            Ok(_) => return Err("Invalid JSON Patch".into()),
        },
        PatchKind::Strategic => {
            let api_version = original["apiVersion"].as_str().unwrap_or("");
            let kind = original["kind"].as_str().unwrap_or("");
            if !crate::apply::patchmeta::is_builtin_kind(api_version, kind) {
                return Err(format!(
                    "strategic merge patch is not supported for {} locally, try --type merge",
                    gvk_string(api_version, kind)
                ));
            }
            let p = match parsed {
                Ok(Value::Null) => Value::Object(Default::default()),
                Ok(p @ Value::Object(_)) => p,
                _ => return Err("invalid JSON document".into()),
            };
            apply_strategic_merge_patch(api_version, kind, original, &p)
                .map_err(|e| e.to_string())?
        }
    };
    decode_object(result)
}

/// `runtime.Decode` into an unstructured object: it must be a JSON object with a kind.
fn decode_object(v: Value) -> Result<Value, String> {
    if !v.is_object() {
        return Err(format!(
            "json: cannot unmarshal {} into Go value of type unstructured.detector",
            kcore::gojson::type_name(&v)
        ));
    }
    if v["kind"].as_str().unwrap_or("").is_empty() {
        return Err(format!(
            "Object 'Kind' is missing in '{}'",
            crate::apply::to_go_json(&v)
        ));
    }
    Ok(v)
}

/// schema.GroupVersionKind's `String()`: `apps/v1, Kind=DaemonSet`, `/v1, Kind=Pod`.
fn gvk_string(api_version: &str, kind: &str) -> String {
    let gv = if api_version.contains('/') {
        api_version.to_string()
    } else {
        format!("/{api_version}")
    };
    format!("{gv}, Kind={kind}")
}

/// A patch type the server refuses for a kind (custom resources take no strategic merge
/// patches): kubectl names the type and the kind before the server's message.
fn unsupported_patch(kind: PatchKind, r: &ApiResource, message: &str) -> CliError {
    CliError::msg(format!(
        "{} is not supported by {}: {message}",
        kind.content_type(),
        gvk_string(&r.api_version(), &r.kind)
    ))
}

fn patch_operation(did_patch: bool) -> &'static str {
    if did_patch {
        "patched"
    } else {
        "patched (no change)"
    }
}

pub const PATCH_LONG: &str = r"Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch.

 JSON and YAML formats are accepted.

 Note: Strategic merge patch is not supported for custom resources.";

pub const PATCH_EXAMPLES: &str = r#"Examples:
  # Partially update a node using a strategic merge patch, specifying the patch as JSON
  kubectl patch node k8s-node-1 -p '{"spec":{"unschedulable":true}}'
  
  # Partially update a node using a strategic merge patch, specifying the patch as YAML
  kubectl patch node k8s-node-1 -p $'spec:\n unschedulable: true'
  
  # Partially update a node identified by the type and name specified in "node.json" using strategic merge patch
  kubectl patch -f node.json -p '{"spec":{"unschedulable":true}}'
  
  # Update a container's image; spec.containers[*].name is required because it's a merge key
  kubectl patch pod valid-pod -p '{"spec":{"containers":[{"name":"kubernetes-serve-hostname","image":"new image"}]}}'
  
  # Update a container's image using a JSON patch with positional arrays
  kubectl patch pod valid-pod --type='json' -p='[{"op": "replace", "path": "/spec/containers/0/image", "value":"new image"}]'
  
  # Update a deployment's replicas through the 'scale' subresource using a merge patch
  kubectl patch deployment nginx-deployment --subresource='scale' --type='merge' -p '{"spec":{"replicas":2}}'"#;

/// `kubectl-rs patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]`.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Update fields of a resource")]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files identifying the resource to update")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-patch")))]
#[command(mut_arg("local", |a| a.help("If true, patch will operate on the content of the file, not the server-side resource.")))]
#[command(mut_arg("subresource", |a| a.help("If specified, patch will operate on the subresource of the requested object.")))]
pub struct PatchArgs {
    /// `TYPE NAME` or `TYPE/NAME`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    #[command(flatten)]
    pub kustomize: crate::cmd::flags::KustomizeFlag,
    /// The patch to be applied to the resource JSON file.
    #[arg(verbatim_doc_comment, short = 'p', long, default_value = "")]
    pub patch: String,
    /// A file containing a patch to be applied to the resource.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub patch_file: String,
    /// The type of patch being provided; one of [json merge strategic]
    #[arg(verbatim_doc_comment, long = "type", default_value = "strategic")]
    pub patch_type: String,
    #[command(flatten)]
    pub local: crate::cmd::flags::LocalFlag,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub subresource: crate::cmd::flags::SubresourceFlag,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
}

impl PatchArgs {
    fn validate(&self, dry_run: DryRun) -> Result<PatchKind, CliError> {
        if !self.patch.is_empty() && !self.patch_file.is_empty() {
            return Err(CliError::msg(
                "cannot specify --patch and --patch-file together",
            ));
        }
        if self.patch.is_empty() && self.patch_file.is_empty() {
            return Err(CliError::msg(
                "must specify --patch or --patch-file containing the contents of the patch",
            ));
        }
        if self.local.value && !self.args.is_empty() {
            return Err(CliError::msg("cannot specify --local and server resources"));
        }
        if self.local.value && dry_run == DryRun::Server {
            return Err(CliError::msg(
                "cannot specify --local and --dry-run=server - did you mean --dry-run=client?",
            ));
        }
        PatchKind::parse(&self.patch_type)
    }

    fn patch_bytes(&self) -> Result<Vec<u8>, CliError> {
        let text = if self.patch_file.is_empty() {
            self.patch.clone()
        } else {
            let bytes = std::fs::read(&self.patch_file).map_err(|e| {
                CliError::msg(format!(
                    "unable to read patch file: {}",
                    crate::kubeconfig::resolve::open_error(&self.patch_file, &e)
                ))
            })?;
            String::from_utf8_lossy(&bytes).into_owned()
        };
        // kubectl quotes --patch here even when the patch came from a file.
        patch_to_json(&text)
            .map_err(|e| CliError::msg(format!("unable to parse {}: {e}", go_quote(&self.patch))))
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if self.record.value.is_some() {
            ctx.eprint(RECORD_DEPRECATED);
        }
        let dry_run = self.dry_run.strategy(ctx)?;
        if !self.local.value {
            ctx.namespace()?;
        }
        let kind = self.validate(dry_run)?;
        let patch = self.patch_bytes()?;
        // kubectl builds the printer for each object after patching it, so a bad -o only
        // shows after the change was made.
        let spec = self.print.spec(ctx);
        let read = self.infos(ctx).await?;
        let mut count = 0;
        let mut errors = read.before;
        for info in read.items {
            let res = match info {
                Ok(info) => {
                    count += 1;
                    self.visit(ctx, &spec, kind, &patch, dry_run, info).await
                }
                Err(e) => Err(e),
            };
            if let Err(e) = res {
                errors.push(e);
            }
        }
        if errors.is_empty() && read.after.is_empty() && count == 0 {
            return Err(CliError::msg("no objects passed to patch"));
        }
        crate::resource::visit_errors(errors, read.after)
    }

    async fn visit(
        &self,
        ctx: &Context,
        spec: &Result<PrintSpec, CliError>,
        kind: PatchKind,
        patch: &[u8],
        dry_run: DryRun,
        info: Target,
    ) -> Result<(), CliError> {
        let sub = (!self.subresource.value.is_empty()).then_some(self.subresource.value.as_str());
        let path =
            |r: &ApiResource| r.subresource_path(info.namespace.as_deref(), Some(&info.name), sub);
        // Only a request needs the path: a nameless `-f` object is patched locally.
        let server = !self.local.value && dry_run != DryRun::Client;
        let target = match &info.resource {
            Some(r) if server || !self.reads_files() => Some((r, path(r)?)),
            _ => None,
        };
        let original = match &target {
            // `RetrieveLazy`: an object named by argument is fetched as it is visited.
            Some((r, p)) if !self.reads_files() => {
                let ns = info.namespace.as_deref().filter(|_| r.namespaced);
                builder_get(ctx, p, ns).await?
            }
            _ => info.object,
        };
        let (result, did_patch) = match target {
            Some((r, path)) if server => {
                let req = ApiRequest::patch(path.clone(), kind.content_type(), patch.to_vec());
                let req = dry_run
                    .query(req)
                    .query("fieldManager", self.field_manager.as_str());
                match ctx.client()?.send_json(&req).await {
                    Ok(v) => {
                        // Whether it changed is judged before the change cause is recorded.
                        let did = original != v;
                        (self.recorded(ctx, &path, dry_run, v).await, did)
                    }
                    Err(ClientError::Api(s)) if s.code == 415 => {
                        return Err(unsupported_patch(kind, r, &s.message));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            _ => {
                let v = patch_locally(kind, &original, patch).map_err(CliError::msg)?;
                let did = original != v;
                (v, did)
            }
        };
        crate::cmd::flags::print_one_deferred(spec, ctx, &result, patch_operation(did_patch))
    }

    /// With `--record`, the change cause is set by a second (merge) patch; a failure keeps
    /// the first answer (kubectl only logs it at -v=4).
    async fn recorded(
        &self,
        ctx: &Context,
        path: &ApiPath,
        dry_run: DryRun,
        patched: Value,
    ) -> Value {
        if self.record.value != Some(true) {
            return patched;
        }
        let argv: Vec<String> = std::env::args().collect();
        let body = record_patch(&patched, &change_cause(&argv));
        let req = ApiRequest::patch(path.clone(), PATCH_MERGE, body);
        let req = dry_run
            .query(req)
            .query("fieldManager", self.field_manager.as_str());
        match ctx.client() {
            Ok(c) => c.send_json(&req).await.unwrap_or(patched),
            Err(_) => patched,
        }
    }

    /// The builder: `-f` objects as read (offline with `--local`) or `TYPE NAME` arguments,
    /// each fetched when visited.
    async fn infos(&self, ctx: &Context) -> Result<Read, CliError> {
        if self.local.value && self.reads_files() {
            return Ok(self.local_infos(ctx));
        }
        let spec = FindSpec {
            names_only: true,
            ..self.files.find_spec(&self.kustomize, &self.args)
        };
        // Nothing is fetched here, so every error is the readers': cli-runtime's
        // `EagerVisitorList` returns them once every file was visited.
        let mut read = Read {
            items: Vec::new(),
            before: Vec::new(),
            after: Vec::new(),
        };
        for item in targets::visit_as_read(ctx, &spec).await? {
            match item {
                Ok(t) => read.items.push(Ok(t)),
                Err(e) => read.after.push(e),
            }
        }
        Ok(read)
    }

    /// Whether the objects come from `-f` or `-k` rather than from arguments.
    fn reads_files(&self) -> bool {
        !self.files.filename.is_empty() || self.kustomize.dir.is_some()
    }

    /// `--local -f`: kubectl's unstructured local builder (nothing mapped to the server's
    /// resources); what the readers met is reported after the visit.
    fn local_infos(&self, ctx: &Context) -> Read {
        let spec = self.files.read_spec(&self.kustomize);
        match crate::resource::local::read_local(ctx, &spec, Decode::Unstructured) {
            Ok(read) => Read {
                items: read
                    .items
                    .into_iter()
                    .map(|item| item.map(Target::from))
                    .collect(),
                before: Vec::new(),
                after: read.read_errors,
            },
            Err(errors) => Read {
                items: Vec::new(),
                before: errors,
                after: Vec::new(),
            },
        }
    }
}

/// What patch's builder gives: each object (or the error met in its place), with the errors
/// reported before the visit's (`before`) and after them (`after`: the local readers').
struct Read {
    items: Vec<Result<Target, CliError>>,
    before: Vec<CliError>,
    after: Vec<CliError>,
}

/// `kubectl patch`: kubectl's usage (`Use`).
pub const PATCH_USAGE: &str = r"patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::flags::{allowed_formats, CHANGE_CAUSE};
    use serde_json::json;

    fn ds() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "node-exporter"},
            "spec": {"template": {"spec": {"containers": [
                {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}
            ]}}}
        })
    }

    #[test]
    fn patch_text_follows_yaml_to_json() {
        // JSON-looking text is sent unchanged, even when broken (the server reports it).
        assert_eq!(patch_to_json(" {bad").unwrap(), b" {bad");
        assert_eq!(
            patch_to_json("spec:\n  replicas: 2").unwrap(),
            br#"{"spec":{"replicas":2}}"#
        );
        assert_eq!(patch_to_json("[1]").unwrap(), b"[1]");
        assert_eq!(patch_to_json("").unwrap(), b"null");
        assert_eq!(
            patch_to_json("a: b: c").unwrap_err(),
            "yaml: mapping values are not allowed in this context"
        );
    }

    #[test]
    fn patch_types() {
        assert_eq!(PatchKind::parse("JSON").unwrap(), PatchKind::Json);
        assert_eq!(
            PatchKind::parse("merge").unwrap().content_type(),
            "application/merge-patch+json"
        );
        let e = PatchKind::parse("foo").unwrap_err();
        assert_eq!(
            crate::error::render(&e).stderr,
            "error: --type must be one of [json merge strategic], not \"foo\"\n"
        );
    }

    #[test]
    fn local_strategic_merges_by_key() {
        let p = br#"{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:2"}]}}}}"#;
        let out = patch_locally(PatchKind::Strategic, &ds(), p).unwrap();
        let c = &out["spec"]["template"]["spec"]["containers"];
        assert_eq!(c[0]["image"], "a:1");
        assert_eq!(c[1]["image"], "b:2");
        // A merge patch replaces the list.
        let out = patch_locally(PatchKind::Merge, &ds(), p).unwrap();
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        // null is an empty strategic patch.
        assert_eq!(
            patch_locally(PatchKind::Strategic, &ds(), b"null").unwrap(),
            ds()
        );
    }

    #[test]
    fn local_errors_read_like_kubectl() {
        let err = |k, p: &[u8]| patch_locally(k, &ds(), p).unwrap_err();
        assert_eq!(err(PatchKind::Strategic, b"{bad"), "invalid JSON document");
        assert_eq!(err(PatchKind::Strategic, b"[1]"), "invalid JSON document");
        assert_eq!(err(PatchKind::Merge, b"{bad"), "Invalid JSON Patch");
        assert_eq!(err(PatchKind::Merge, b"\"x\""), "Invalid JSON Patch");
        assert_eq!(
            err(PatchKind::Merge, b"[1]"),
            "json: cannot unmarshal array into Go value of type unstructured.detector"
        );
        assert_eq!(
            err(PatchKind::Json, b"{bad"),
            "invalid character 'b' looking for beginning of object key string"
        );
        assert_eq!(
            err(PatchKind::Json, b"{}"),
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
        );
        assert_eq!(
            err(
                PatchKind::Json,
                br#"[{"op":"replace","path":"/spec/nope/x","value":1}]"#
            ),
            "replace operation does not apply: doc is missing path: /spec/nope/x: missing value"
        );
        assert_eq!(
            err(PatchKind::Json, br#"[{"op":"remove","path":"/kind"}]"#),
            format!(
                "Object 'Kind' is missing in '{}'",
                crate::apply::to_go_json(&{
                    let mut d = ds();
                    d.as_object_mut().unwrap().remove("kind");
                    d
                })
            )
        );
        let widget =
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}});
        assert_eq!(
            patch_locally(PatchKind::Strategic, &widget, b"{}").unwrap_err(),
            "strategic merge patch is not supported for example.com/v1, Kind=Widget locally, try --type merge"
        );
        assert!(patch_locally(PatchKind::Merge, &widget, b"{}").is_ok());
    }

    #[test]
    fn change_causes_list_words_then_flags() {
        let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            change_cause(&argv(&[
                "/usr/bin/kubectl-rs",
                "scale",
                "deploy",
                "-n",
                "x",
                "web",
                "--replicas=2",
                "--record"
            ])),
            "kubectl-rs scale deploy web --namespace=x --replicas=2 --record=true"
        );
        assert_eq!(
            change_cause(&argv(&[
                "kubectl-rs",
                "--token",
                "s3cret",
                "patch",
                "ds/x",
                "-p{}",
                "--record=true"
            ])),
            "kubectl-rs patch ds/x --token=CLASSIFIED --patch={} --record=true"
        );
        // A subcommand's own short flags (`set image -o`) are known two words deep.
        assert_eq!(
            change_cause(&argv(&[
                "kubectl-rs",
                "set",
                "image",
                "deploy/web",
                "c=i",
                "-o",
                "json",
                "--record"
            ])),
            "kubectl-rs set image deploy/web c=i --output=json --record=true"
        );
        let obj = serde_json::json!({"metadata": {"annotations": {CHANGE_CAUSE: "c"}}});
        assert_eq!(record_patch(&obj, "c"), b"{}");
        assert_eq!(
            record_patch(&obj, "d"),
            br#"{"metadata":{"annotations":{"kubernetes.io/change-cause":"d"}}}"#
        );
    }

    #[test]
    fn unsupported_patch_names_type_and_kind() {
        let r = ApiResource {
            group: "example.com".into(),
            version: "v1".into(),
            resource: "widgets".into(),
            kind: "Widget".into(),
            singular: "widget".into(),
            namespaced: true,
            verbs: vec![],
            short_names: vec![],
            categories: vec![],
            subresources: vec![],
        };
        let msg = "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
        assert_eq!(
            crate::error::render(&unsupported_patch(PatchKind::Strategic, &r, msg)).stderr,
            format!("error: application/strategic-merge-patch+json is not supported by example.com/v1, Kind=Widget: {msg}\n")
        );
    }

    #[test]
    fn gvk_strings() {
        assert_eq!(gvk_string("v1", "Pod"), "/v1, Kind=Pod");
        assert_eq!(
            gvk_string("apps/v1", "DaemonSet"),
            "apps/v1, Kind=DaemonSet"
        );
    }

    #[test]
    fn formats_of_print_flags() {
        assert_eq!(
            allowed_formats(true).join(","),
            "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,yaml"
        );
        assert_eq!(patch_operation(false), "patched (no change)");
    }
}

//! The resource builder (cli-runtime `resource.Builder`): the one place commands get their
//! targets from. It reads `-f` files, URLs and stdin, maps each object to its API resource and
//! namespace, filters file objects by `-l` as kubectl does, resolves `TYPE NAME…` and
//! `TYPE/NAME` arguments, and words the argument errors as kubectl's builder does.
//!
//! Layer: above `discovery` and `manifest`, below `cmd`.

pub mod errors;
pub mod helper;
pub mod kustomize;
pub mod kustomize_remote;
pub mod list_page;
pub mod local;
pub mod scheme;
mod scheme_kinds;
pub mod targets;

pub use errors::{collected_errors, flatten, multiple_errors, visit_errors, with_source};
pub use kustomize::{kustomize_build, kustomize_manifests};

use serde_json::Value;

use crate::context::Context;
use crate::discovery::ApiResource;
use crate::discovery::{parse_type_args, ResolvedType};
use crate::error::CliError;
use crate::manifest::{read_manifests_with, ManifestError, ReadOptions};
use crate::print::gofmt::go_quote;
use kcore::selectors::LabelSelector;

/// One object read from `-f`, mapped to its resource.
#[derive(Debug, Clone)]
pub struct Info {
    /// Where it came from (`f.yaml`, `STDIN`, a URL).
    pub source: String,
    /// The object (namespace set for namespaced kinds, as kubectl's builder does).
    pub object: Value,
    /// Its API resource.
    pub resource: ApiResource,
    /// Its namespace (None for cluster-scoped kinds).
    pub namespace: Option<String>,
    /// `metadata.name` (may be empty).
    pub name: String,
}

impl Info {
    /// The object's path.
    /// An empty or invalid name is client-go's error, never the collection.
    pub fn path(&self) -> Result<crate::client::ApiPath, crate::client::PathError> {
        self.resource
            .path(self.namespace.as_deref(), Some(&self.name))
    }

    /// The collection path (for POST).
    pub fn collection(&self) -> Result<crate::client::ApiPath, crate::client::PathError> {
        self.resource.path(self.namespace.as_deref(), None)
    }

    /// `kind.group/name` as the name printer writes it.
    pub fn display(&self) -> String {
        format!(
            "{}/{}",
            crate::print::table::lower_group_kind(&self.resource.group, &self.resource.kind),
            self.name
        )
    }

    /// resource.Info's `String()` header lines (used in error texts).
    pub(crate) fn info_header(&self) -> String {
        let gr = if self.resource.group.is_empty() {
            format!(
                "/{}, Resource={}",
                self.resource.version, self.resource.resource
            )
        } else {
            format!(
                "{}/{}, Resource={}",
                self.resource.group, self.resource.version, self.resource.resource
            )
        };
        let gvk = if self.resource.group.is_empty() {
            format!("/{}, Kind={}", self.resource.version, self.resource.kind)
        } else {
            format!(
                "{}/{}, Kind={}",
                self.resource.group, self.resource.version, self.resource.kind
            )
        };
        format!(
            "Resource: {gr:?}, GroupVersionKind: {gvk:?}\nName: {:?}, Namespace: {:?}",
            self.name,
            self.namespace.as_deref().unwrap_or("")
        )
    }
}

/// The string at `path` in `v` (empty when missing or not a string).
pub fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(x) => cur = x,
            None => return "",
        }
    }
    cur.as_str().unwrap_or("")
}

/// How [`read_objects`] reads and maps.
#[derive(Debug, Clone, Default)]
pub struct ReadSpec {
    /// `-f` values.
    pub files: Vec<String>,
    /// `-k` (a kustomization directory, built instead of reading `files`).
    pub kustomize: Option<String>,
    /// `-R`.
    pub recursive: bool,
    /// Check `apiVersion`/`kind` locally (`--validate` other than ignore/false). Only the
    /// builders with a `Schema` validate (create, apply, replace); for the others a missing
    /// kind is a decode error (`Object 'Kind' is missing in '…'`) and reading goes on.
    pub validate: bool,
    /// `-l`, matched against the labels each object has in its file (cli-runtime
    /// `FilterByLabelSelector`).
    pub selector: Option<String>,
    /// The builder's `Latest`: the command fetches each object again and matches `-l`
    /// against the live object ([`labels_match`]), so here it is only checked to parse.
    pub latest: bool,
    /// The builder's `AllNamespaces`: its namespace is empty, so file objects without one
    /// keep none, and with `Latest` a named one is refused (`RetrieveLatest`).
    pub all_namespaces: bool,
}

/// `-l` as the builder uses it on objects from files: a blank selector is no selector
/// (`LabelSelectorParam` trims it); one that does not parse is the builder's only error.
pub fn file_selector(selector: Option<&str>) -> Result<Option<LabelSelector>, CliError> {
    let Some(raw) = selector else {
        return Ok(None);
    };
    if raw.trim().is_empty() {
        return Ok(None);
    }
    LabelSelector::parse(raw.trim()).map(Some).map_err(|e| {
        CliError::msg(format!(
            "the provided selector {} is not valid: {e}",
            go_quote(raw.trim())
        ))
    })
}

/// Whether `object`'s `metadata.labels` satisfy `selector` (absent labels are an empty set).
pub fn labels_match(selector: &LabelSelector, object: &Value) -> bool {
    selector.matches(
        object
            .get("metadata")
            .and_then(|m| m.get("labels"))
            .unwrap_or(&Value::Null),
    )
}

/// cli-runtime's `missingResourceError`: no `-f`, no arguments.
pub const MISSING_RESOURCE: &str = "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

/// [`MISSING_RESOURCE`] as an error.
pub fn missing_resource_error() -> CliError {
    CliError::msg(MISSING_RESOURCE)
}

/// `visitBySelector`: names and a selector (or `--all`) together.
pub fn name_with_selector_error() -> CliError {
    CliError::msg("name cannot be provided when a selector is specified")
}

/// `visitorResult`: types without names, no selector and no `--all`.
pub fn no_name_error() -> CliError {
    CliError::msg("resource(s) were provided, but no name was specified")
}

/// `visitByResource`/`visitByName` with `--all-namespaces`.
pub fn name_across_namespaces_error() -> CliError {
    CliError::msg("a resource cannot be retrieved by name across all namespaces")
}

/// `ResourceTypeOrNameArgs` and `mappingFor`: `TYPE[,TYPE…] [NAME…]` or `TYPE/NAME…` resolved
/// to resources with their names, in argument order; `program` names the binary in the
/// usage errors.
pub async fn resolve_args(
    ctx: &Context,
    args: &[String],
    program: &str,
) -> Result<Vec<ResolvedType>, CliError> {
    Ok(ctx.discovery()?.resolve_args(args, program).await?)
}

/// A type the RESTMapper does not know, as CheckErr prints its `NoResourceMatchError`
/// (`the server doesn't have a resource type "x"`, without `error: `); other errors as they are.
pub fn no_resource_match(e: CliError) -> CliError {
    if !matches!(e, CliError::Discovery(_)) {
        return e;
    }
    let text = crate::error::render(&e).stderr;
    let text = text.trim_end_matches('\n');
    match text.strip_prefix("error: ") {
        Some(t) if t.starts_with("the server doesn't have a resource type") => {
            CliError::Raw(t.to_string())
        }
        _ => e,
    }
}

/// cli-runtime `visitByPaths`: `-f` cannot be mixed with `TYPE NAME…` or `TYPE/NAME`
/// arguments. Malformed arguments get `ResourceTypeOrNameArgs`' own errors first.
pub fn check_path_args(args: &[String]) -> Result<(), CliError> {
    if args.is_empty() {
        return Ok(());
    }
    let parsed = parse_type_args(args, "kubectl")?;
    if args.iter().any(|a| a.contains('/')) {
        return Err(CliError::msg(
            "resource/name arguments cannot be provided when a path is specified",
        ));
    }
    if !parsed.is_empty() {
        return Err(CliError::msg(
            "when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well",
        ));
    }
    if args.len() > 1 {
        return Err(CliError::msg(
            "name cannot be provided when a path is specified",
        ));
    }
    Ok(())
}

/// Reads every `-f` object and maps it to a resource and namespace, as kubectl's builder
/// does with `ContinueOnError`: good objects and the errors met (in order).
pub async fn read_objects(ctx: &Context, spec: &ReadSpec) -> (Vec<Info>, Vec<CliError>) {
    match read_stream(ctx, spec).await {
        Ok(read) => {
            let (mut targets, mut errors) = (Vec::new(), Vec::new());
            for item in read {
                match item {
                    Ok(t) => targets.push(t),
                    Err(e) => errors.push(e),
                }
            }
            (targets, errors)
        }
        Err(errors) => (Vec::new(), errors),
    }
}

/// [`read_objects`] in stream order (each object or the error met in its place), with the
/// builder's own errors apart (`Err`): paths that name nothing, a selector that does not
/// parse, no namespace. They stop a command before it fetches or prints anything
/// (kubectl's `r.Err()`).
pub async fn read_stream(
    ctx: &Context,
    spec: &ReadSpec,
) -> Result<Vec<Result<Info, CliError>>, Vec<CliError>> {
    let mut stream = Vec::new();
    let read = match read_sources(ctx, spec)? {
        Sources::Read(read) => read,
        Sources::Failed(e) => return Ok(vec![Err(e)]),
    };
    if read.is_empty() {
        return Ok(stream);
    }
    let selector = file_selector(spec.selector.as_deref())
        .map_err(|e| vec![e])?
        .filter(|_| !spec.latest);
    let (mut default_ns, enforce) = ctx.namespace().map_err(|e| vec![e])?;
    if spec.all_namespaces {
        default_ns.clear();
    }
    for item in read {
        let m = match item {
            Ok(m) => m,
            Err(e) => {
                stream.push(Err(CliError::from(e)));
                continue;
            }
        };
        // Mapping errors come from the stream; the selector filters what mapped; the
        // namespace checks (`RequireNamespace`) decorate only what the filter kept.
        match map_object(ctx, &m.source, m.object, &default_ns).await {
            Ok(t)
                if selector
                    .as_ref()
                    .is_some_and(|s| !labels_match(s, &t.object)) => {}
            // With `Latest` the command checks after its GET and the selector
            // ([`require_namespace`]).
            Ok(t) => match t.namespace.as_deref() {
                Some(ns) if enforce && !spec.latest && ns != default_ns => {
                    stream.push(Err(namespace_mismatch(ns, &default_ns)))
                }
                // `RetrieveLatest` skips a nameless object (it is used as read) and refuses
                // a named one it has no namespace for.
                Some("") if spec.latest && !t.name.is_empty() => {
                    stream.push(Err(CliError::msg(format!(
                        "no namespace set on resource {}/{}, Resource={} {:?}",
                        t.resource.group, t.resource.version, t.resource.resource, t.name
                    ))))
                }
                _ => stream.push(Ok(t)),
            },
            Err(e) => stream.push(Err(e)),
        }
    }
    Ok(stream)
}

/// What the builder's path visitors read, before any object is mapped.
pub(crate) enum Sources {
    /// The objects (or parse errors) of `-f`/`-k`, in order.
    Read(Vec<Result<crate::manifest::Manifest, ManifestError>>),
    /// The kustomization did not build: the stream's only error (cli-runtime's
    /// `KustomizeVisitor` fails when visited, as a file's parse error does).
    Failed(CliError),
}

/// Reads `-f` files, URLs and stdin, or builds `-k`; paths that name nothing, `-f` with `-k`
/// and `-R` with `-k` are the builder's own errors (`Err`).
pub(crate) fn read_sources(ctx: &Context, spec: &ReadSpec) -> Result<Sources, Vec<CliError>> {
    let opts = ReadOptions {
        recursive: spec.recursive,
        validate: spec.validate,
    };
    if !spec.files.is_empty() && spec.kustomize.is_some() {
        return Err(vec![CliError::msg("only one of -f or -k can be specified")]);
    }
    if spec.recursive && spec.kustomize.is_some() {
        return Err(vec![CliError::msg(
            "the -k flag can't be used with -f or -R",
        )]);
    }
    let read = match &spec.kustomize {
        Some(dir) => match kustomize_manifests(ctx, dir) {
            Ok(read) => read,
            Err(e) => return Ok(Sources::Failed(e)),
        },
        None => {
            if spec.files.iter().any(|f| f == "-") {
                ctx.mark_stdin_in_use();
            }
            read_manifests_with(&spec.files, opts, &mut *ctx.stdin())
        }
    };
    // Paths that name nothing are the builder's own errors, before the selector is parsed.
    if read.iter().any(|r| {
        matches!(
            r,
            Err(ManifestError::PathNotExist(_)
                | ManifestError::NoRecognizedFiles(_)
                | ManifestError::StdinMultiUse)
        )
    }) {
        return Err(read
            .into_iter()
            .filter_map(Result::err)
            .map(CliError::from)
            .collect());
    }
    Ok(Sources::Read(read))
}

/// The builder over a byte stream named `source` (cli-runtime `Stream(r, name)`, what `edit`
/// reads back from the editor): each object mapped to its resource, in the default namespace
/// when it has none, Lists flattened; errors in their place.
pub async fn read_bytes(ctx: &Context, data: &[u8], source: &str) -> Vec<Result<Info, CliError>> {
    let opts = ReadOptions {
        recursive: false,
        validate: false,
    };
    let mut input = std::io::Cursor::new(data.to_vec());
    let read = read_manifests_with(&["-".to_string()], opts, &mut input);
    let default_ns = match ctx.namespace() {
        Ok((ns, _)) => ns,
        Err(e) => return vec![Err(e)],
    };
    let mut out = Vec::new();
    for item in read {
        match item {
            Ok(m) => out.push(map_object(ctx, source, m.object, &default_ns).await),
            // The reader names its input STDIN; this stream has its own name.
            Err(e) => {
                let text = flatten(&e.into());
                out.push(Err(CliError::msg(text.replacen(
                    "error parsing STDIN:",
                    &format!("error parsing {source}:"),
                    1,
                ))))
            }
        }
    }
    out
}

pub(crate) fn namespace_mismatch(ns: &str, default_ns: &str) -> CliError {
    CliError::msg(format!(
        "the namespace from the provided object {ns:?} does not match the namespace {default_ns:?}. You must pass '--namespace={ns}' to perform this operation."
    ))
}

/// cli-runtime `RequireNamespace`: with an explicit `--namespace`, a file object in another
/// namespace is refused. For commands whose builder calls `Latest`, this comes after the
/// GET and the selector, so an object that is missing or filtered out is never refused.
pub fn require_namespace(ctx: &Context, namespace: Option<&str>) -> Result<(), CliError> {
    let (default_ns, enforce) = ctx.namespace()?;
    check_namespace(namespace, &default_ns, enforce)
}

/// Go's `err.Error()` of an aggregate of `errs` nested in another one (kubectl prints it on
/// one line): API errors by their message alone, repeats dropped, brackets around several.
pub fn nested_aggregate(errs: &[CliError]) -> CliError {
    let mut seen: Vec<String> = Vec::new();
    for e in errs {
        let text = match e {
            CliError::Client(crate::client::ClientError::Api(s)) => s.message.clone(),
            other => flatten(other),
        };
        if !seen.contains(&text) {
            seen.push(text);
        }
    }
    CliError::Raw(if seen.len() == 1 {
        seen.remove(0)
    } else {
        format!("[{}]", seen.join(", "))
    })
}

/// [`require_namespace`] for a command that decides itself whether `--namespace` is
/// enforced (`get` does not enforce it with `--all-namespaces`).
pub fn check_namespace(
    namespace: Option<&str>,
    default_ns: &str,
    enforce: bool,
) -> Result<(), CliError> {
    match namespace {
        Some(ns) if enforce && ns != default_ns => Err(namespace_mismatch(ns, default_ns)),
        _ => Ok(()),
    }
}

/// Finds the resource serving `apiVersion`/`kind` (refreshing discovery once when unknown).
pub async fn resource_for(
    ctx: &Context,
    api_version: &str,
    kind: &str,
) -> Result<Option<ApiResource>, CliError> {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    let find = |d: &crate::discovery::DiscoveryData| {
        d.resources
            .iter()
            .find(|r| {
                r.group == group
                    && r.version == version
                    && r.kind == kind
                    && !r.resource.contains('/')
            })
            .cloned()
    };
    let disc = ctx.discovery()?;
    if let Some(r) = find(&*disc.data().await?) {
        return Ok(Some(r));
    }
    Ok(find(&*disc.refresh().await?))
}

/// kubectl decodes `metadata` into typed `ObjectMeta`: non-string names and label or
/// annotation values (YAML 1.1 `y`, `n`, `on`, numbers) fail before anything is sent.
pub(crate) fn check_object_meta(source: &str, obj: &Value) -> Result<(), CliError> {
    let err = |field: &str, got: &Value, want: &str| {
        CliError::msg(format!(
            "unable to decode {source:?}: json: cannot unmarshal {} into Go struct field ObjectMeta.metadata.{field} of type {want}",
            kcore::gojson::type_name(got)
        ))
    };
    let Some(meta) = obj.get("metadata").and_then(Value::as_object) else {
        return Ok(());
    };
    for field in [
        "name",
        "generateName",
        "namespace",
        "uid",
        "resourceVersion",
    ] {
        if let Some(v) = meta.get(field).filter(|v| !v.is_string() && !v.is_null()) {
            return Err(err(field, v, "string"));
        }
    }
    for field in ["labels", "annotations"] {
        match meta.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                if let Some(v) = m.values().find(|v| !v.is_string() && !v.is_null()) {
                    return Err(err(field, v, "string"));
                }
            }
            Some(other) => return Err(err(field, other, "map[string]string")),
        }
    }
    Ok(())
}

async fn map_object(
    ctx: &Context,
    source: &str,
    mut obj: Value,
    default_ns: &str,
) -> Result<Info, CliError> {
    check_object_meta(source, &obj)?;
    let api_version = str_at(&obj, &["apiVersion"]).to_string();
    let kind = str_at(&obj, &["kind"]).to_string();
    let name = str_at(&obj, &["metadata", "name"]).to_string();
    let obj_ns = str_at(&obj, &["metadata", "namespace"]).to_string();
    let Some(resource) = resource_for(ctx, &api_version, &kind).await? else {
        let version = api_version.rsplit('/').next().unwrap_or("");
        let group = api_version
            .split_once('/')
            .map(|(g, _)| g)
            .unwrap_or_default();
        let gv = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        return Err(CliError::msg(format!(
            "resource mapping not found for name: {name:?} namespace: {obj_ns:?} from {source:?}: no matches for kind {kind:?} in version {gv:?}\nensure CRDs are installed first"
        )));
    };
    let namespace = if resource.namespaced {
        let ns = if obj_ns.is_empty() {
            default_ns.to_string()
        } else {
            obj_ns
        };
        // An empty namespace (`--all-namespaces`) is not written into the object.
        if ns.is_empty() {
        } else if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("namespace".into(), Value::String(ns.clone()));
        } else if let Some(o) = obj.as_object_mut() {
            o.insert(
                "metadata".into(),
                serde_json::json!({ "namespace": ns.clone() }),
            );
        }
        Some(ns)
    } else {
        None
    };
    Ok(Info {
        source: source.to_string(),
        object: obj,
        resource,
        namespace,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_meta_is_typed() {
        let ok = serde_json::json!({"metadata": {"name": "a", "labels": {"x": "1"}}});
        assert!(check_object_meta("f.yaml", &ok).is_ok());
        let bad = serde_json::json!({"metadata": {"name": "a", "labels": {"x": true}}});
        assert_eq!(
            crate::error::render(&check_object_meta("f.yaml", &bad).unwrap_err()).stderr,
            "error: unable to decode \"f.yaml\": json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string\n"
        );
        let bad = serde_json::json!({"metadata": {"annotations": [1]}});
        assert!(check_object_meta("f.yaml", &bad).is_err());
    }
}

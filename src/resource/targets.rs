//! The builder as the commands that change what they find use it (`set …`, `expose`):
//! `LocalParam`, `FilenameParam`, `LabelSelectorParam`, `ResourceTypeOrNameArgs(all, …)`,
//! `Latest()`, `Flatten()`, then `Do().Infos()`: every target, or the builder's errors.

use serde_json::Value;

use crate::client::{ApiRequest, ClientError};
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::CliError;
use crate::resource::local::{Decode, LocalInfo};
use crate::resource::{collected_errors, read_stream, Info, ReadSpec};

/// What to find.
#[derive(Debug, Clone, Default)]
pub struct FindSpec {
    /// `TYPE NAME…`, `TYPE/NAME…` or `TYPE` arguments.
    pub args: Vec<String>,
    /// `-f`.
    pub files: Vec<String>,
    /// `-R`.
    pub recursive: bool,
    /// `-l` (blank: none).
    pub selector: Option<String>,
    /// `--all`.
    pub all: bool,
    /// `--local`: the objects of `-f` as read, nothing fetched.
    pub local: bool,
    /// `-k DIR`: the kustomization's objects instead of `-f` files.
    pub kustomize: Option<String>,
    /// `RequireObject(false)`, or `RetrieveLazy` left to the command (patch fetches each
    /// object just before it patches it): objects named by argument are not fetched; their
    /// targets carry only `apiVersion`, `kind`, name and namespace.
    pub names_only: bool,
}

/// One object found.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its resource (None for `--local` objects: nothing was asked of the server).
    pub resource: Option<ApiResource>,
    /// Its namespace (None for cluster-scoped kinds).
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// The object: the live one, or as read with `--local`.
    pub object: Value,
}

impl Target {
    /// An object named by argument and not fetched: its identity only.
    fn named(r: ApiResource, namespace: Option<String>, name: String) -> Target {
        let mut meta = serde_json::json!({ "name": name });
        if let Some(ns) = &namespace {
            meta["namespace"] = Value::String(ns.clone());
        }
        Target {
            object: serde_json::json!({
                "apiVersion": r.api_version(),
                "kind": r.kind,
                "metadata": meta,
            }),
            resource: Some(r),
            namespace,
            name,
        }
    }

    /// `kind.group/name` as kubectl's name printer and its messages write it.
    pub fn display(&self) -> String {
        let kind = self.object["kind"].as_str().unwrap_or("");
        let group = crate::print::name::api_group(self.object["apiVersion"].as_str().unwrap_or(""));
        format!(
            "{}/{}",
            crate::print::table::lower_group_kind(group, kind),
            self.name
        )
    }

    /// The target as a mapped object (`Info`); a `--local` one has no resource to map to.
    pub fn into_info(self) -> Result<Info, CliError> {
        let Some(resource) = self.resource else {
            return Err(CliError::msg(format!(
                "{}: not mapped to a resource",
                self.display()
            )));
        };
        Ok(Info {
            source: String::new(),
            object: self.object,
            resource,
            namespace: self.namespace,
            name: self.name,
        })
    }

    /// `resource/name` (resource.Info's `ObjectName`, used by `set`'s errors): the plural
    /// without its group (`deployments/web`) when mapped, `kind.group/name` when local.
    pub fn object_name(&self) -> String {
        match &self.resource {
            Some(r) => format!("{}/{}", r.resource, self.name),
            // cli-runtime's `Info.ObjectName` ends a grouped kind's name with a newline.
            None if !crate::print::name::api_group(
                self.object["apiVersion"].as_str().unwrap_or(""),
            )
            .is_empty() =>
            {
                format!("{}\n", self.display())
            }
            None => self.display(),
        }
    }
}

/// `Do().Infos()`: the targets in builder order, or every error the builder met (kubectl
/// reports them together and changes nothing).
pub async fn find(ctx: &Context, spec: &FindSpec) -> Result<Vec<Target>, CliError> {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for item in visit(ctx, spec).await? {
        match item {
            Ok(t) => found.push(t),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(found)
    } else if errors.len() == 1 {
        Err(errors.remove(0))
    } else {
        collected_errors(
            Vec::new(),
            errors.into_iter().map(CliError::into_bare).collect(),
        )
        .map(|_| Vec::new())
    }
}

/// The builder's stream with `ContinueOnError`: each target or the error met in its place
/// (for commands that visit what they can and report the rest), or the builder's own
/// argument errors.
pub async fn visit(
    ctx: &Context,
    spec: &FindSpec,
) -> Result<Vec<Result<Target, CliError>>, CliError> {
    visit_with(ctx, spec, true).await
}

/// [`visit`] for a builder without `Latest` (kubectl's `expose`): the objects of `-f`/`-k`
/// are used as read (mapped, namespaced, `-l` matched against them), not fetched again;
/// `TYPE NAME` targets are fetched as always.
pub async fn visit_as_read(
    ctx: &Context,
    spec: &FindSpec,
) -> Result<Vec<Result<Target, CliError>>, CliError> {
    visit_with(ctx, spec, false).await
}

async fn visit_with(
    ctx: &Context,
    spec: &FindSpec,
    latest: bool,
) -> Result<Vec<Result<Target, CliError>>, CliError> {
    if spec.local {
        if spec.files.is_empty() && spec.kustomize.is_none() {
            return Err(crate::resource::missing_resource_error());
        }
        return read_local(ctx, spec);
    }
    if !spec.files.is_empty() || spec.kustomize.is_some() {
        crate::resource::check_path_args(&spec.args)?;
        return Ok(files(ctx, spec, latest).await);
    }
    if spec.args.is_empty() {
        if spec.selector.is_some() {
            return Err(CliError::msg(
                "at least one resource must be specified to use a selector",
            ));
        }
        return Err(crate::resource::missing_resource_error());
    }
    let (namespace, _) = ctx.namespace()?;
    let selecting = spec.selector.is_some();
    let types = crate::resource::resolve_args(ctx, &spec.args, "kubectl").await?;
    let mut out = Vec::new();
    let mut names = Vec::new();
    let mut lists = Vec::new();
    for t in types {
        let r = t.resource;
        if t.names.is_empty() {
            if !selecting && !spec.all {
                return Err(crate::resource::no_name_error());
            }
            let ns = r.namespaced.then(|| namespace.clone());
            lists.push((r, ns));
            continue;
        }
        if selecting {
            return Err(crate::resource::name_with_selector_error());
        }
        for n in t.names {
            let ns = r.namespaced.then(|| namespace.clone());
            names.push((r.clone(), ns, n));
        }
    }
    for (r, ns, name) in names {
        out.push(if spec.names_only {
            Ok(Target::named(r, ns, name))
        } else {
            get(ctx, r, ns, name).await
        });
    }
    for (r, ns) in lists {
        match list(ctx, spec, &r, ns).await {
            Ok(items) => out.extend(items.into_iter().map(Ok)),
            Err(e) => out.push(Err(e)),
        }
    }
    Ok(out)
}

async fn get(
    ctx: &Context,
    r: ApiResource,
    ns: Option<String>,
    name: String,
) -> Result<Target, CliError> {
    let object = crate::resource::helper::get_named(ctx, &r, ns.as_deref(), &name).await?;
    Ok(Target {
        resource: Some(r),
        namespace: ns,
        name,
        object,
    })
}

/// `-f` with `Latest()`: each mapped object fetched again, kept when its live labels match
/// `-l`, then checked against an explicit `--namespace`.
async fn files(ctx: &Context, spec: &FindSpec, latest: bool) -> Vec<Result<Target, CliError>> {
    let read = ReadSpec {
        files: spec.files.clone(),
        recursive: spec.recursive,
        // No `Schema` in kubectl's builder here: a missing kind is a decode error.
        validate: false,
        selector: spec.selector.clone(),
        latest,
        all_namespaces: false,
        kustomize: spec.kustomize.clone(),
    };
    // Errors come in the stream's order, between the objects (`ContinueOnError`).
    let stream = match read_stream(ctx, &read).await {
        Ok(stream) => stream,
        Err(errors) => return errors.into_iter().map(Err).collect(),
    };
    if !latest {
        // The file objects themselves (read_stream matched `-l` against them).
        return stream
            .into_iter()
            .map(|item| item.map(Target::from))
            .collect();
    }
    let selector = match crate::resource::file_selector(spec.selector.as_deref()) {
        Ok(s) => s,
        Err(e) => return vec![Err(e)],
    };
    let mut out = Vec::new();
    for item in stream {
        let live = match item {
            // cli-runtime's `RetrieveLatest` leaves a nameless object as it was read.
            Ok(info) if info.name.is_empty() => Ok(Target::from(info)),
            Ok(info) => get(ctx, info.resource, info.namespace, info.name).await,
            Err(e) => Err(e),
        };
        match live {
            Ok(t) => {
                if selector
                    .as_ref()
                    .is_some_and(|s| !crate::resource::labels_match(s, &t.object))
                {
                    continue;
                }
                match crate::resource::require_namespace(ctx, t.namespace.as_deref()) {
                    Ok(()) => out.push(Ok(t)),
                    Err(e) => out.push(Err(e)),
                }
            }
            Err(e) => out.push(Err(e)),
        }
    }
    out
}

/// `--local`: the local builder, typed (every `set` subcommand gives kubectl's builder its
/// scheme). What the readers met comes after the objects, as kubectl visits.
fn read_local(ctx: &Context, spec: &FindSpec) -> Result<Vec<Result<Target, CliError>>, CliError> {
    let read = ReadSpec {
        files: spec.files.clone(),
        kustomize: spec.kustomize.clone(),
        recursive: spec.recursive,
        ..ReadSpec::default()
    };
    let read = crate::resource::local::read_local(ctx, &read, Decode::Scheme).map_err(one_error)?;
    let mut out: Vec<Result<Target, CliError>> = read
        .items
        .into_iter()
        .map(|item| item.map(Target::from))
        .collect();
    out.extend(read.read_errors.into_iter().map(Err));
    Ok(out)
}

/// The builder's own errors as one (kubectl's `r.Err()` aggregate).
fn one_error(mut errors: Vec<CliError>) -> CliError {
    if errors.len() == 1 {
        return errors.remove(0);
    }
    match collected_errors(errors, Vec::new()) {
        Err(e) => e,
        Ok(()) => CliError::msg("no objects read"),
    }
}

impl From<Info> for Target {
    /// An object of `-f` as read and mapped.
    fn from(info: Info) -> Target {
        Target {
            resource: Some(info.resource),
            namespace: info.namespace,
            name: info.name,
            object: info.object,
        }
    }
}

impl From<LocalInfo> for Target {
    /// An object read locally: no resource, the namespace its file gives (none when empty).
    fn from(local: LocalInfo) -> Target {
        Target {
            resource: None,
            namespace: Some(local.namespace).filter(|ns| !ns.is_empty()),
            name: local.name,
            object: local.object,
        }
    }
}

/// A LIST by `-l` (or every object with `--all`); items get the kind the list names.
async fn list(
    ctx: &Context,
    spec: &FindSpec,
    r: &ApiResource,
    ns: Option<String>,
) -> Result<Vec<Target>, CliError> {
    let mut req = ApiRequest::get(r.path(ns.as_deref(), None)?);
    if let Some(s) = &spec.selector {
        req = req.query("labelSelector", s.clone());
    }
    let list = ctx
        .client()?
        .send_json(&req)
        .await
        .map_err(|e| list_error(spec, r, e))?;
    Ok(list_items(r, list))
}

/// The items of a LIST response of `r` as targets (moved out of the list, not copied). List
/// items carry no kind; they get the one the list names (`PodList` → `Pod`), as the printers
/// need one.
pub fn list_items(r: &ApiResource, mut list: Value) -> Vec<Target> {
    let kind = list["kind"]
        .as_str()
        .and_then(|k| k.strip_suffix("List"))
        .unwrap_or(&r.kind)
        .to_string();
    let api_version = list["apiVersion"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| r.api_version());
    let items = match list.get_mut("items").map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for mut object in items {
        if let Some(o) = object.as_object_mut() {
            o.entry("kind")
                .or_insert_with(|| Value::String(kind.clone()));
            o.entry("apiVersion")
                .or_insert_with(|| Value::String(api_version.clone()));
        }
        let meta = &object["metadata"];
        out.push(Target {
            namespace: if r.namespaced {
                meta["namespace"].as_str().map(str::to_string)
            } else {
                None
            },
            name: meta["name"].as_str().unwrap_or("").to_string(),
            resource: Some(r.clone()),
            object,
        });
    }
    out
}

/// cli-runtime `Selector.Visit`: a 400 or 404 of a list names the resource and selector.
fn list_error(spec: &FindSpec, r: &ApiResource, e: ClientError) -> CliError {
    let label = spec.selector.as_deref().unwrap_or("");
    crate::resource::helper::enhance_resource_list_error(e, r, label, "").into()
}

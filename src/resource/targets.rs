//! The builder as the commands that find objects use it (`set …`, `expose`, `delete`,
//! `scale`, `wait`…): `LocalParam`, `FilenameParam`, `LabelSelectorParam`,
//! `FieldSelectorParam`, `SelectAllParam`, `AllNamespaces`, `ResourceTypeOrNameArgs`,
//! `Latest()`, `Flatten()`. [`build`] is `Do()` with `r.Err()` (every argument error before
//! anything is fetched), [`Plan::visit`] is `Visit` (one target at a time; a list read page
//! by page to disk), [`find`] is `Infos()` over it.

use serde_json::Value;

use crate::client::{ApiRequest, PathError};
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::CliError;
use crate::print::spool::Spool;
use crate::resource::local::{Decode, LocalInfo};
use crate::resource::{collected_errors, read_stream, Info, ReadSpec};
use kcore::selectors::LabelSelector;

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
    /// `--field-selector` (blank: none).
    pub field_selector: Option<String>,
    /// `--all-namespaces`: lists span every namespace; a namespaced name is refused.
    pub all_namespaces: bool,
    /// `SelectAllParam` (delete): `--all` is a selector matching everything, so names are
    /// refused with it (`all` is `ResourceTypeOrNameArgs(all, …)`: types without names).
    pub select_all: bool,
    /// `RequireObject(false)` (delete): objects named by argument are not fetched; their
    /// targets carry only `apiVersion`, `kind`, name and namespace.
    pub names_only: bool,
    /// A builder without `Latest` (expose, delete, scale): `-f` objects are used as read.
    pub as_read: bool,
    /// `RequestChunksOf`: list pages of this many items (0: the list in one request).
    pub chunk_size: i64,
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
    /// The file it was read from (`f.yaml`, `STDIN`, a URL; empty for objects named by
    /// argument or listed): cmdutil's `AddSourceToErr` names it.
    pub source: String,
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
            source: String::new(),
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
            source: self.source,
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

/// The builder's stream with `ContinueOnError`, collected: each target or the error met in
/// its place (for commands that visit what they can and report the rest), or the builder's
/// own argument errors.
pub async fn visit(
    ctx: &Context,
    spec: &FindSpec,
) -> Result<Vec<Result<Target, CliError>>, CliError> {
    let mut out = Vec::new();
    build(ctx, spec)
        .await?
        .visit(ctx, async |item| {
            out.push(item);
            Ok(())
        })
        .await?;
    Ok(out)
}

/// [`visit`] for a builder without `Latest` (kubectl's `expose`): the objects of `-f`/`-k`
/// are used as read (mapped, namespaced, `-l` matched against them), not fetched again;
/// `TYPE NAME` targets are fetched as always.
pub async fn visit_as_read(
    ctx: &Context,
    spec: &FindSpec,
) -> Result<Vec<Result<Target, CliError>>, CliError> {
    let spec = FindSpec {
        as_read: true,
        ..spec.clone()
    };
    visit(ctx, &spec).await
}

/// One of the builder's visitors, in visiting order.
#[derive(Debug)]
pub enum Step {
    /// An object to GET: named by argument, or read from `-f` (its `source`) and fetched
    /// again (`Latest`: the live object must then match `-l` and pass `RequireNamespace`).
    Get {
        resource: ApiResource,
        namespace: Option<String>,
        name: String,
        source: String,
    },
    /// An object used as it is: read from `-f` by a builder without `Latest`, nameless
    /// (`RetrieveLatest` skips it), read with `--local`, or named with `names_only`.
    Ready(Target),
    /// A LIST by `-l`, `--field-selector` or `--all`.
    List {
        resource: ApiResource,
        namespace: Option<String>,
    },
}

/// What `Do()` made of a [`FindSpec`] once its argument errors are checked (`r.Err()`):
/// the errors the readers met, then the visitors. Nothing was fetched or listed yet; a plan
/// can be visited again (`wait --for=create`).
#[derive(Debug)]
pub struct Plan {
    /// The builder's own errors (kubectl's `r.Err()`), visited before the steps.
    pub errors: Vec<CliError>,
    pub steps: Vec<Step>,
    /// What reading `-f` met (kubectl's stream errors), each with the number of steps
    /// before it: visited in the stream's order, between the objects.
    stream_errors: Vec<(usize, CliError)>,
    /// What the `--local` readers met: visited after the objects, as kubectl's local
    /// builder does.
    late_errors: Vec<CliError>,
    label: Option<String>,
    field: Option<String>,
    chunk: i64,
    /// `-l` as the live objects of `-f` must match it.
    file_selector: Option<LabelSelector>,
}

/// The targets one step yields: a few objects, or a list's items spooled to disk page by
/// page (memory holds a page, whatever the list size), read back one at a time.
pub enum Targets {
    Few(Vec<Target>),
    Listed(Box<(ApiResource, Spool)>),
}

impl Targets {
    pub fn len(&self) -> usize {
        match self {
            Targets::Few(v) => v.len(),
            Targets::Listed(listed) => listed.1.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th target (a listed one decoded again from the spool).
    pub fn get(&self, i: usize) -> Result<Target, CliError> {
        match self {
            Targets::Few(v) => Ok(v[i].clone()),
            Targets::Listed(listed) => Ok(listed_target(&listed.0, listed.1.get(i)?)),
        }
    }
}

/// kubectl's `Do()` and `r.Err()`: the argument errors (a path with `TYPE NAME`, names with
/// a selector, types without names, a name across namespaces…) before anything is fetched.
pub async fn build(ctx: &Context, spec: &FindSpec) -> Result<Plan, CliError> {
    let mut plan = Plan {
        errors: Vec::new(),
        steps: Vec::new(),
        stream_errors: Vec::new(),
        late_errors: Vec::new(),
        label: spec.selector.clone(),
        field: spec.field_selector.clone(),
        chunk: spec.chunk_size,
        file_selector: None,
    };
    if spec.local {
        if spec.files.is_empty() && spec.kustomize.is_none() {
            return Err(crate::resource::missing_resource_error());
        }
        for item in read_local(ctx, spec)? {
            match item {
                Ok(t) => plan.steps.push(Step::Ready(t)),
                Err(e) => plan.late_errors.push(e),
            }
        }
        return Ok(plan);
    }
    if !spec.files.is_empty() || spec.kustomize.is_some() {
        crate::resource::check_path_args(&spec.args)?;
        files(ctx, spec, &mut plan).await;
        return Ok(plan);
    }
    let selecting = spec.selector.is_some() || spec.field_selector.is_some() || spec.select_all;
    if spec.args.is_empty() {
        if selecting {
            return Err(CliError::msg(
                "at least one resource must be specified to use a selector",
            ));
        }
        return Err(crate::resource::missing_resource_error());
    }
    let (namespace, _) = ctx.namespace()?;
    let types = crate::resource::resolve_args(ctx, &spec.args, "kubectl").await?;
    for t in types {
        let r = t.resource;
        if t.names.is_empty() {
            if !selecting && !spec.all {
                return Err(crate::resource::no_name_error());
            }
            let ns = (r.namespaced && !spec.all_namespaces).then(|| namespace.clone());
            plan.steps.push(Step::List {
                resource: r,
                namespace: ns,
            });
            continue;
        }
        if selecting {
            return Err(crate::resource::name_with_selector_error());
        }
        if spec.all_namespaces && r.namespaced {
            return Err(crate::resource::name_across_namespaces_error());
        }
        for name in t.names {
            let namespace = r.namespaced.then(|| namespace.clone());
            plan.steps.push(if spec.names_only {
                Step::Ready(Target::named(r.clone(), namespace, name))
            } else {
                Step::Get {
                    resource: r.clone(),
                    namespace,
                    name,
                    source: String::new(),
                }
            });
        }
    }
    Ok(plan)
}

impl Plan {
    /// kubectl's `Visit` with `ContinueOnError`: each target, or the error met in its place,
    /// handed to `each` in builder order; a list's items one at a time (see [`Targets`]).
    /// An error `each` returns ends the visit.
    pub async fn visit(
        mut self,
        ctx: &Context,
        mut each: impl AsyncFnMut(Result<Target, CliError>) -> Result<(), CliError>,
    ) -> Result<(), CliError> {
        let errors = std::mem::take(&mut self.errors);
        let steps = std::mem::take(&mut self.steps);
        let late_errors = std::mem::take(&mut self.late_errors);
        let mut stream_errors = std::mem::take(&mut self.stream_errors)
            .into_iter()
            .peekable();
        for e in errors {
            each(Err(e)).await?;
        }
        for (at, step) in steps.iter().enumerate() {
            while let Some((_, e)) = stream_errors.next_if(|(i, _)| *i <= at) {
                each(Err(e)).await?;
            }
            let targets = match self.targets(ctx, step).await {
                Ok(t) => t,
                Err(e) => {
                    each(Err(e)).await?;
                    continue;
                }
            };
            for i in 0..targets.len() {
                each(targets.get(i)).await?;
            }
        }
        for (_, e) in stream_errors {
            each(Err(e)).await?;
        }
        for e in late_errors {
            each(Err(e)).await?;
        }
        Ok(())
    }

    /// Every error met before anything is fetched: the builder's own, then the stream's (for
    /// commands that report them apart from the visit, as `wait`).
    pub fn take_errors(&mut self) -> Vec<CliError> {
        let mut errors = std::mem::take(&mut self.errors);
        errors.extend(
            std::mem::take(&mut self.stream_errors)
                .into_iter()
                .map(|(_, e)| e),
        );
        errors
    }

    /// The targets of one step: a GET (a live `-f` object then matched against `-l` and
    /// checked by `RequireNamespace`), the object as it is, or a LIST read page by page
    /// (`chunk_size`) to disk.
    pub async fn targets(&self, ctx: &Context, step: &Step) -> Result<Targets, CliError> {
        match step {
            Step::Ready(t) => Ok(Targets::Few(vec![t.clone()])),
            Step::Get {
                resource,
                namespace,
                name,
                source,
            } => {
                let object =
                    crate::resource::helper::get_named(ctx, resource, namespace.as_deref(), name)
                        .await?;
                // `-l` only reaches a GET for `-f` objects (`Latest`): the live labels decide.
                if let Some(s) = &self.file_selector {
                    if !crate::resource::labels_match(s, &object) {
                        return Ok(Targets::Few(Vec::new()));
                    }
                }
                // `RequireNamespace` (objects named by argument are always in it).
                crate::resource::require_namespace(ctx, namespace.as_deref())?;
                Ok(Targets::Few(vec![Target {
                    resource: Some(resource.clone()),
                    namespace: namespace.clone(),
                    name: name.clone(),
                    object,
                    source: source.clone(),
                }]))
            }
            Step::List {
                resource,
                namespace,
            } => {
                let req = self.list_request(resource, namespace.as_deref())?;
                let list_error = |e| {
                    crate::resource::helper::enhance_resource_list_error(
                        e,
                        resource,
                        self.label.as_deref().unwrap_or(""),
                        self.field.as_deref().unwrap_or(""),
                    )
                };
                let spool = crate::resource::helper::spool_list(
                    ctx.client()?,
                    &req,
                    resource,
                    self.chunk,
                    &list_error,
                )
                .await?;
                Ok(Targets::Listed(Box::new((resource.clone(), spool))))
            }
        }
    }

    /// The LIST of `r` with the plan's selectors (also what `wait` watches).
    pub fn list_request(
        &self,
        r: &ApiResource,
        namespace: Option<&str>,
    ) -> Result<ApiRequest, PathError> {
        let mut req = ApiRequest::get(r.path(namespace, None)?);
        if let Some(s) = &self.label {
            req = req.query("labelSelector", s.clone());
        }
        if let Some(s) = &self.field {
            req = req.query("fieldSelector", s.clone());
        }
        Ok(req)
    }
}

/// `-f` and `-k`: each object mapped (errors first, as read), then fetched again
/// (`Latest`) or used as read.
async fn files(ctx: &Context, spec: &FindSpec, plan: &mut Plan) {
    let latest = !spec.as_read;
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
    let stream = match read_stream(ctx, &read).await {
        Ok(stream) => stream,
        Err(errors) => {
            plan.errors = errors;
            return;
        }
    };
    if latest {
        match crate::resource::file_selector(spec.selector.as_deref()) {
            Ok(s) => plan.file_selector = s,
            Err(e) => {
                plan.errors = vec![e];
                return;
            }
        }
    }
    for item in stream {
        let info = match item {
            Ok(info) => info,
            Err(e) => {
                plan.stream_errors.push((plan.steps.len(), e));
                continue;
            }
        };
        // `RetrieveLatest` uses a nameless object as read.
        plan.steps.push(if latest && !info.name.is_empty() {
            Step::Get {
                resource: info.resource,
                namespace: info.namespace,
                name: info.name,
                source: info.source,
            }
        } else {
            Step::Ready(Target {
                resource: Some(info.resource),
                namespace: info.namespace,
                name: info.name,
                object: info.object,
                source: info.source,
            })
        });
    }
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
            source: info.source,
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
            source: local.source,
        }
    }
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
        out.push(listed_target(r, object));
    }
    out
}

/// A listed object of `r` as a target: its name and (for a namespaced kind) namespace.
pub fn listed_target(r: &ApiResource, object: Value) -> Target {
    let meta = &object["metadata"];
    Target {
        namespace: if r.namespaced {
            meta["namespace"].as_str().map(str::to_string)
        } else {
            None
        },
        name: meta["name"].as_str().unwrap_or("").to_string(),
        resource: Some(r.clone()),
        object,
        source: String::new(),
    }
}

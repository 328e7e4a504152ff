//! The metadata update `label` and `annotate` share (kubectl `pkg/cmd/label/label.go`,
//! `pkg/cmd/annotate/annotate.go`, cmdutil `GetResourcesAndPairs`/`ParsePairs`).
//!
//! Both commands find objects like kubectl's builder (`TYPE NAME…`, `TYPE/NAME…`, `-f`,
//! `-l`, `--field-selector`, `--all`, `-A`, `--local`), change `metadata.labels` or
//! `metadata.annotations` locally, and send the difference as a JSON merge patch
//! (with `resourceVersion` when `--resource-version` is given).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use serde_json::{Map, Value};

use crate::apply::merge::create_merge_patch;
use crate::client::request::PATCH_MERGE;
use crate::client::{ApiRequest, ClientError};
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::CliError;
use crate::ops::dryrun::{dry_run_flag, DryRun};
use crate::print::gofmt::go_quote;
use crate::print::{GenericOptions, GenericPrinter, OutputFormat, PrintError};
use crate::resource::local::Decode;
use crate::resource::{collected_errors, read_objects, ReadSpec};

/// Which metadata map a command updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `metadata.labels` (`kubectl label`).
    Labels,
    /// `metadata.annotations` (`kubectl annotate`).
    Annotations,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Field::Labels => "labels",
            Field::Annotations => "annotations",
        }
    }

    fn pair_type(self) -> &'static str {
        match self {
            Field::Labels => "label",
            Field::Annotations => "annotation",
        }
    }

    fn files_hint(self) -> &'static str {
        match self {
            Field::Labels => "pod.yaml or --filename=pod.json",
            Field::Annotations => "rsrc.yaml or --filename=rsrc.json",
        }
    }
}

/// Everything `label`/`annotate` take from the command line.
#[derive(Debug, Clone)]
pub struct UpdateSpec {
    /// Which map is updated.
    pub field: Field,
    /// Positional arguments: resources first, then `KEY=VAL`/`KEY-` pairs.
    pub args: Vec<String>,
    /// `-f`.
    pub filename: Vec<String>,
    /// `-R`.
    pub recursive: bool,
    /// `-k` (not supported).
    pub kustomize: Option<String>,
    /// `-l`.
    pub selector: Option<String>,
    /// `--field-selector`.
    pub field_selector: Option<String>,
    /// `--all`.
    pub all: bool,
    /// `-A`.
    pub all_namespaces: bool,
    /// `--overwrite`.
    pub overwrite: bool,
    /// `--list`.
    pub list: bool,
    /// `--local`.
    pub local: bool,
    /// `--dry-run` as typed.
    pub dry_run: String,
    /// `--record=true`'s change cause, written to objects changed on the server.
    pub change_cause: Option<String>,
    /// `--resource-version` (empty: none).
    pub resource_version: String,
    /// `--field-manager`.
    pub field_manager: String,
    /// `-o`.
    pub output: String,
    /// `--template`.
    pub template: Option<String>,
    /// `--show-managed-fields`.
    pub show_managed_fields: bool,
    /// `--allow-missing-template-keys`.
    pub allow_missing_template_keys: bool,
}

/// The parsed `KEY=VAL` and `KEY-` arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pairs {
    /// Keys to set, with their values.
    pub set: BTreeMap<String, String>,
    /// Keys to remove, in argument order.
    pub remove: Vec<String>,
}

/// cmdutil `GetResourcesAndPairs`: arguments up to the first pair are resources; a resource
/// after a pair is an error.
pub fn split_resources_and_pairs(
    args: &[String],
    pair_type: &str,
) -> Result<(Vec<String>, Vec<String>), CliError> {
    let mut resources = Vec::new();
    let mut pairs = Vec::new();
    for s in args {
        let is_pair = (s.contains('=') && !s.starts_with('=')) || (s.ends_with('-') && s != "-");
        if is_pair {
            pairs.push(s.clone());
        } else if pairs.is_empty() {
            resources.push(s.clone());
        } else {
            return Err(CliError::msg(format!(
                "all resources must be specified before {pair_type} changes: {s}"
            )));
        }
    }
    Ok((resources, pairs))
}

/// `label`'s `parseLabels`: values are checked client-side (keys are left to the server).
pub fn parse_labels(specs: &[String]) -> Result<Pairs, CliError> {
    let mut p = Pairs::default();
    for spec in specs {
        if spec.contains('=') {
            let parts: Vec<&str> = spec.split('=').collect();
            if parts.len() != 2 {
                return Err(CliError::msg(format!("invalid label spec: {spec}")));
            }
            let errs = kcore::validation::label_value(parts[1]);
            if !errs.is_empty() {
                return Err(CliError::msg(format!(
                    "invalid label value: {}: {}",
                    go_quote(spec),
                    errs.join(";")
                )));
            }
            p.set.insert(parts[0].to_string(), parts[1].to_string());
        } else if let Some(key) = spec.strip_suffix('-') {
            p.remove.push(key.to_string());
        } else {
            return Err(CliError::msg(format!("unknown label spec: {spec}")));
        }
    }
    if p.remove.iter().any(|k| p.set.contains_key(k)) {
        return Err(CliError::msg(
            "can not both modify and remove a label in the same command",
        ));
    }
    Ok(p)
}

/// `annotate`'s `ParsePairs`: `KEY=VALUE` splits at the first `=`; any value is allowed.
pub fn parse_annotations(specs: &[String]) -> Result<Pairs, CliError> {
    let mut p = Pairs::default();
    let mut invalid = Vec::new();
    for spec in specs {
        if spec.contains('=') && !spec.starts_with('=') {
            if let Some((k, v)) = spec.split_once('=') {
                p.set.insert(k.to_string(), v.to_string());
            }
        } else if spec.ends_with('-') && spec != "-" {
            p.remove.push(spec[..spec.len() - 1].to_string());
        } else {
            invalid.push(spec.as_str());
        }
    }
    if !invalid.is_empty() {
        return Err(CliError::msg(format!(
            "invalid annotation format: {}",
            invalid.join(", ")
        )));
    }
    Ok(p)
}

/// `annotate`'s `validateAnnotations`: no key both set and removed.
fn check_annotation_conflicts(p: &Pairs) -> Result<(), CliError> {
    let both: Vec<&str> = p
        .remove
        .iter()
        .filter(|k| p.set.contains_key(*k))
        .map(String::as_str)
        .collect();
    if both.is_empty() {
        return Ok(());
    }
    Err(CliError::msg(format!(
        "can not both modify and remove the following annotation(s) in the same command: {}",
        both.join(", ")
    )))
}

/// A selector flag as the builder takes it: trimmed, and absent when blank.
pub fn non_blank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn kyaml_enabled(ctx: &Context) -> bool {
    ctx.env.get("KUBECTL_KYAML") != Some("false")
}

/// The change-cause annotation may always be overwritten.
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// What an update changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Keys set to a new value.
    pub added: BTreeSet<String>,
    /// Keys removed.
    pub removed: BTreeSet<String>,
}

impl Changes {
    /// `label`'s message for the name printer.
    fn label_message(&self) -> &'static str {
        match (self.added.is_empty(), self.removed.is_empty()) {
            (false, false) => "modified",
            (false, true) => "labeled",
            (true, false) => "unlabeled",
            (true, true) => "not labeled",
        }
    }
}

fn string_map(obj: &Value, field: Field) -> Map<String, Value> {
    obj.get("metadata")
        .and_then(|m| m.get(field.key()))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn metadata_mut(obj: &mut Value) -> Result<&mut Map<String, Value>, CliError> {
    let o = obj
        .as_object_mut()
        .ok_or_else(|| CliError::msg("object is not a JSON object"))?;
    let meta = o
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    meta.as_object_mut()
        .ok_or_else(|| CliError::msg("metadata is not a JSON object"))
}

/// cli-runtime `ChangeCauseRecorder.Record`: sets the `kubernetes.io/change-cause`
/// annotation (what `--record=true` writes) on the object.
pub fn record_change_cause(obj: &mut Value, cause: &str) -> Result<(), CliError> {
    let meta = metadata_mut(obj)?;
    let annotations = meta
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if !annotations.is_object() {
        *annotations = Value::Object(Map::new());
    }
    annotations[CHANGE_CAUSE] = Value::String(cause.to_string());
    Ok(())
}

/// Applies `pairs` to the object's labels or annotations (kubectl's `labelFunc` and
/// `updateAnnotations`): refuses to change existing values without `overwrite`, always
/// leaves the map present (possibly empty), and sets `resourceVersion` when given.
pub fn update_object(
    obj: &mut Value,
    field: Field,
    pairs: &Pairs,
    overwrite: bool,
    resource_version: &str,
) -> Result<Changes, CliError> {
    let mut current = string_map(obj, field);
    if !overwrite {
        let conflicts: Vec<(&String, &str)> = pairs
            .set
            .iter()
            .filter(|(k, _)| field == Field::Labels || k.as_str() != CHANGE_CAUSE)
            .filter_map(|(k, v)| match current.get(k) {
                Some(cur) if cur.as_str() != Some(v.as_str()) => {
                    Some((k, cur.as_str().unwrap_or("")))
                }
                _ => None,
            })
            .collect();
        if !conflicts.is_empty() {
            return Err(match field {
                Field::Labels => {
                    let msgs: Vec<String> = conflicts
                        .iter()
                        .map(|(k, cur)| {
                            format!("'{k}' already has a value ({cur}), and --overwrite is false")
                        })
                        .collect();
                    if msgs.len() == 1 {
                        CliError::msg(msgs[0].clone())
                    } else {
                        // utilerrors.Aggregate's text.
                        CliError::msg(format!("[{}]", msgs.join(", ")))
                    }
                }
                Field::Annotations => CliError::msg(format!(
                    "--overwrite is false but found the following declared annotation(s): {}",
                    conflicts
                        .iter()
                        .map(|(k, cur)| format!("'{k}' already has a value ({cur})"))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
            });
        }
    }
    let mut changes = Changes::default();
    for (k, v) in &pairs.set {
        if current.get(k).and_then(Value::as_str) != Some(v.as_str()) {
            current.insert(k.clone(), Value::String(v.clone()));
            changes.added.insert(k.clone());
        }
    }
    for k in &pairs.remove {
        if current.remove(k).is_some() {
            changes.removed.insert(k.clone());
        }
    }
    let meta = metadata_mut(obj)?;
    meta.insert(field.key().into(), Value::Object(current));
    if !resource_version.is_empty() {
        meta.insert(
            "resourceVersion".into(),
            Value::String(resource_version.to_string()),
        );
    }
    Ok(changes)
}

/// One object to update, or the error met finding it.
type Found = crate::resource::targets::Target;

/// What [`UpdateSpec::fetch`] hands to the visits: an object (or the error met in its
/// place), or a list's items waiting on disk (visited one at a time: memory holds one
/// object, not the list).
enum Fetched {
    One(Result<Found, CliError>),
    Listed(ApiResource, crate::print::spool::Spool),
}

/// Items a list page asks for (label and annotate have no `--chunk-size`; kubectl reads
/// the list in one request).
const LIST_CHUNK: i64 = 500;

/// Where objects come from, before any request (kubectl's builder before `Do`).
enum Plan {
    /// `--local`: the objects as read.
    Local(Vec<Result<Found, CliError>>),
    /// `-f`: the mapped objects, fetched again from the server (`Latest`), kept when their
    /// live labels match `-l` (kubectl filters files by the label selector only).
    Files(
        Vec<Result<Found, CliError>>,
        Option<kcore::selectors::LabelSelector>,
    ),
    /// Named objects to GET.
    Names(Vec<(ApiResource, Option<String>, String)>),
    /// Collections to list (`-l`, `--field-selector`, `--all`).
    Lists(Vec<(ApiResource, Option<String>)>),
}

impl UpdateSpec {
    /// The `-o` printer (None: the name printer with the operation); `kyaml` is false only
    /// when `KUBECTL_KYAML=false`.
    fn printer_format(&self, kyaml: bool) -> Result<Option<OutputFormat>, CliError> {
        if self.output.is_empty() && self.template.as_deref().unwrap_or("").is_empty() {
            return Ok(None);
        }
        let unknown = || {
            let allowed = OutputFormat::allowed_formats(kyaml)
                .into_iter()
                .filter(|f| {
                    !matches!(
                        f.as_str(),
                        "wide" | "custom-columns" | "custom-columns-file"
                    )
                })
                .collect();
            CliError::msg(
                PrintError::UnknownFormat {
                    format: self.output.clone(),
                    allowed,
                }
                .to_string(),
            )
        };
        match OutputFormat::parse(&self.output, self.template.as_deref(), kyaml) {
            Ok(OutputFormat::Table { .. })
            | Ok(OutputFormat::CustomColumns { .. })
            | Ok(OutputFormat::CustomColumnsFile { .. }) => Err(unknown()),
            Ok(f) => Ok(Some(f)),
            Err(PrintError::UnknownFormat { .. }) => Err(unknown()),
            Err(e) => Err(e.into()),
        }
    }

    fn printer(&self, format: &Option<OutputFormat>) -> Result<Option<GenericPrinter>, CliError> {
        let Some(format) = format else {
            return Ok(None);
        };
        let opts = GenericOptions {
            allow_missing_keys: self.allow_missing_template_keys,
            no_headers: false,
            show_managed_fields: self.show_managed_fields,
        };
        GenericPrinter::new(format, &opts, &|p| {
            std::fs::read_to_string(p).map_err(|e| e.to_string())
        })
        .map(Some)
        .map_err(CliError::from)
    }

    /// The checks of kubectl's `Complete`/`Validate` (label) or `ToOptions` (annotate), in
    /// their order.
    fn validate(
        &self,
        resources: &[String],
        pairs: &Pairs,
        dry_run: DryRun,
    ) -> Result<(), CliError> {
        let what = self.field.pair_type();
        // annotate's check reads a field its -o flag never sets: only label refuses the pair.
        if self.field == Field::Labels && self.list && !self.output.is_empty() {
            return Err(CliError::msg(
                "--list and --output may not be specified together",
            ));
        }
        if self.all && self.selector.is_some() {
            return Err(CliError::msg(
                "cannot set --all and --selector at the same time",
            ));
        }
        if self.all && self.field_selector.is_some() {
            return Err(CliError::msg(
                "cannot set --all and --field-selector at the same time",
            ));
        }
        let no_files = self.filename.is_empty() && self.kustomize.is_none();
        if self.local {
            if dry_run == DryRun::Server {
                return Err(CliError::msg(
                    "cannot specify --local and --dry-run=server - did you mean --dry-run=client?",
                ));
            }
            if !resources.is_empty() {
                return Err(CliError::msg(format!(
                    "can only use local files by -f {} when --local=true is set",
                    self.field.files_hint()
                )));
            }
            if no_files {
                return Err(CliError::msg(format!(
                    "one or more files must be specified as -f {}",
                    self.field.files_hint()
                )));
            }
        } else if resources.is_empty() && no_files {
            return Err(CliError::msg(
                "one or more resources must be specified as <resource> <name> or <resource>/<name>",
            ));
        }
        if pairs.set.is_empty() && pairs.remove.is_empty() && !self.list {
            return Err(CliError::msg(format!(
                "at least one {what} update is required"
            )));
        }
        if self.field == Field::Annotations {
            check_annotation_conflicts(pairs)?;
        }
        Ok(())
    }

    /// Runs `label` or `annotate`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let dry_run = dry_run_flag(ctx, &self.dry_run)?;
        // annotate builds its printer before reading arguments; label only when printing.
        let format = if self.field == Field::Annotations {
            Some(self.printer_format(kyaml_enabled(ctx))?)
        } else {
            None
        };
        let (resources, pair_args) = split_resources_and_pairs(&self.args, self.field.pair_type())?;
        let pairs = match self.field {
            Field::Labels => parse_labels(&pair_args)?,
            Field::Annotations => parse_annotations(&pair_args)?,
        };
        self.validate(&resources, &pairs, dry_run)?;
        let namespace = match ctx.namespace() {
            Ok((n, _)) => n,
            // --local works without a usable kubeconfig.
            Err(_) if self.local => "default".to_string(),
            Err(e) => return Err(e),
        };
        let (plan, single) = self.plan(ctx, &resources, &namespace).await?;
        if !single && !self.resource_version.is_empty() {
            return Err(CliError::msg(
                "--resource-version may only be used with a single resource",
            ));
        }
        let found = self.fetch(ctx, plan).await;
        let mut run = Visit {
            spec: self,
            ctx,
            pairs: &pairs,
            dry_run,
            single,
            format,
            printer: None,
        };
        let mut errors = Vec::new();
        for f in found {
            let (r, spool) = match f {
                Fetched::One(f) => {
                    if let Err(e) = run.visit_found(f).await {
                        errors.push(e);
                    }
                    continue;
                }
                Fetched::Listed(r, spool) => (r, spool),
            };
            for i in 0..spool.len() {
                let f = spool
                    .get(i)
                    .map_err(CliError::from)
                    .map(|object| crate::resource::targets::listed_target(&r, object));
                if let Err(e) = run.visit_found(f).await {
                    errors.push(e);
                }
            }
        }
        if let Some(p) = &mut run.printer {
            let mut out = ctx.out();
            p.finish(&mut **out)?;
        }
        collected_errors(Vec::new(), errors)
    }

    /// Resolves arguments and files without touching objects; also whether a single item is
    /// implied (one `TYPE NAME`, one `TYPE/NAME`, or a file path without `-R`).
    async fn plan(
        &self,
        ctx: &Context,
        resources: &[String],
        namespace: &str,
    ) -> Result<(Plan, bool), CliError> {
        if !self.filename.is_empty() || self.kustomize.is_some() {
            let single = !self.recursive
                && self
                    .filename
                    .iter()
                    .any(|f| f != "-" && !f.starts_with("http://") && !f.starts_with("https://"));
            if self.local {
                return Ok((Plan::Local(self.read_local(ctx)), single));
            }
            crate::resource::check_path_args(resources)?;
            let spec = ReadSpec {
                files: self.filename.clone(),
                kustomize: self.kustomize.clone(),
                recursive: self.recursive,
                // No `Schema` in kubectl's builder here: a missing kind is a decode error.
                validate: false,
                selector: self.selector.clone(),
                latest: true,
                all_namespaces: false,
            };
            let (targets, errors) = read_objects(ctx, &spec).await;
            let mut items: Vec<Result<Found, CliError>> = errors.into_iter().map(Err).collect();
            items.extend(targets.into_iter().map(|t| {
                Ok(Found {
                    resource: Some(t.resource),
                    namespace: t.namespace,
                    name: t.name,
                    object: t.object,
                    source: t.source,
                })
            }));
            let selector = crate::resource::file_selector(self.selector.as_deref())?;
            return Ok((Plan::Files(items, selector), single));
        }
        let selecting = self.selector.is_some() || self.field_selector.is_some();
        let types = crate::resource::resolve_args(ctx, resources, "kubectl").await?;
        let slash_form = resources.iter().any(|a| a.contains('/'));
        let mut names = Vec::new();
        let mut lists = Vec::new();
        for t in types {
            let r = t.resource;
            if t.names.is_empty() {
                if !selecting && !self.all {
                    return Err(crate::resource::no_name_error());
                }
                let ns = (r.namespaced && !self.all_namespaces).then(|| namespace.to_string());
                lists.push((r, ns));
                continue;
            }
            if selecting {
                return Err(crate::resource::name_with_selector_error());
            }
            if self.all_namespaces && r.namespaced {
                return Err(crate::resource::name_across_namespaces_error());
            }
            for n in t.names {
                let ns = r.namespaced.then(|| namespace.to_string());
                names.push((r.clone(), ns, n));
            }
        }
        if !names.is_empty() {
            let single = if slash_form {
                resources.len() == 1
            } else {
                resources.len() == 2
            };
            return Ok((Plan::Names(names), single));
        }
        Ok((Plan::Lists(lists), false))
    }

    /// cli-runtime `Selector.Visit`: a 400 or 404 of a list names the resource and selectors.
    fn list_error(&self, r: &ApiResource, e: ClientError) -> ClientError {
        crate::resource::helper::enhance_resource_list_error(
            e,
            r,
            self.selector.as_deref().unwrap_or(""),
            self.field_selector.as_deref().unwrap_or(""),
        )
    }

    /// `--local`: kubectl's unstructured local builder; what the readers met comes after the
    /// objects, as kubectl visits.
    fn read_local(&self, ctx: &Context) -> Vec<Result<Found, CliError>> {
        let spec = ReadSpec {
            files: self.filename.clone(),
            kustomize: self.kustomize.clone(),
            recursive: self.recursive,
            ..ReadSpec::default()
        };
        match crate::resource::local::read_local(ctx, &spec, Decode::Unstructured) {
            Ok(read) => read
                .items
                .into_iter()
                .map(|item| item.map(Found::from))
                .chain(read.read_errors.into_iter().map(Err))
                .collect(),
            Err(errors) => errors.into_iter().map(Err).collect(),
        }
    }

    /// Gets the objects: GET for names and files, LIST for selections (page by page, to
    /// disk). Errors stay in place (kubectl's builder continues on error).
    async fn fetch(&self, ctx: &Context, plan: Plan) -> Vec<Fetched> {
        let client = match ctx.client() {
            Ok(c) => c,
            Err(e) => {
                return match plan {
                    Plan::Local(items) => items.into_iter().map(Fetched::One).collect(),
                    _ => vec![Fetched::One(Err(e))],
                }
            }
        };
        // cli-runtime `Info.Get`: a NotFound in a namespace other than `default` names the
        // namespace when that is what is missing.
        let get = |r: ApiResource, ns: Option<String>, name: String| {
            let _ = &client;
            async move {
                let object =
                    crate::resource::helper::get_named(ctx, &r, ns.as_deref(), &name).await?;
                Ok(Found {
                    resource: Some(r),
                    namespace: ns,
                    name,
                    object,
                    source: String::new(),
                })
            }
        };
        let mut out = Vec::new();
        match plan {
            Plan::Local(items) => return items.into_iter().map(Fetched::One).collect(),
            Plan::Files(items, selector) => {
                for item in items {
                    let live = match item {
                        Ok(f) => match f.resource {
                            Some(r) => get(r, f.namespace, f.name).await,
                            None => Ok(f),
                        },
                        Err(e) => Err(e),
                    };
                    let keep = match (&live, &selector) {
                        (Ok(f), Some(sel)) => sel.matches(&f.object["metadata"]["labels"]),
                        _ => true,
                    };
                    if !keep {
                        continue;
                    }
                    out.push(Fetched::One(match live {
                        Ok(f) => crate::resource::require_namespace(ctx, f.namespace.as_deref())
                            .map(|()| f),
                        Err(e) => Err(e),
                    }));
                }
            }
            Plan::Names(names) => {
                for (r, ns, name) in names {
                    out.push(Fetched::One(get(r, ns, name).await));
                }
            }
            Plan::Lists(lists) => {
                for (r, ns) in lists {
                    let mut req = match r.path(ns.as_deref(), None) {
                        Ok(path) => ApiRequest::get(path),
                        Err(e) => {
                            out.push(Fetched::One(Err(e.into())));
                            continue;
                        }
                    };
                    if let Some(s) = &self.selector {
                        req = req.query("labelSelector", s.clone());
                    }
                    if let Some(s) = &self.field_selector {
                        req = req.query("fieldSelector", s.clone());
                    }
                    let list_error = |e| self.list_error(&r, e);
                    out.push(
                        match crate::resource::helper::spool_list(
                            client,
                            &req,
                            &r,
                            LIST_CHUNK,
                            &list_error,
                        )
                        .await
                        {
                            Ok(spool) => Fetched::Listed(r, spool),
                            Err(e) => Fetched::One(Err(e)),
                        },
                    );
                }
            }
        }
        out
    }
}

/// The per-object step (kubectl's `Visit` callback) and its printer.
struct Visit<'a> {
    spec: &'a UpdateSpec,
    ctx: &'a Context,
    pairs: &'a Pairs,
    dry_run: DryRun,
    single: bool,
    /// annotate's format, checked up front; label's is checked at each print.
    format: Option<Option<OutputFormat>>,
    printer: Option<GenericPrinter>,
}

impl Visit<'_> {
    /// Visits an object, or passes on the error met in its place.
    async fn visit_found(&mut self, f: Result<Found, CliError>) -> Result<(), CliError> {
        self.visit(f?).await
    }

    async fn visit(&mut self, mut f: Found) -> Result<(), CliError> {
        let spec = self.spec;
        let mut obj = std::mem::take(&mut f.object);
        let rv = spec.resource_version.as_str();
        let local_only = self.dry_run == DryRun::Client || spec.local || spec.list;
        let label = spec.field == Field::Labels;
        // A given resource version must appear in the patch: drop it from the starting point.
        if !rv.is_empty() && (label || !local_only) {
            if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("resourceVersion");
            }
        }
        let before = obj.clone();
        if !local_only && label {
            let current = string_map(&obj, Field::Labels);
            let mut out = self.ctx.out();
            for k in &self.pairs.remove {
                if !current.contains_key(k) {
                    writeln!(out, "label {} not found.", go_quote(k))?;
                }
            }
        }
        // kubectl records the command on objects it sends: annotate before applying the pairs
        // (a given change-cause annotation wins), label after.
        let record = |obj: &mut Value| -> Result<(), CliError> {
            match (&spec.change_cause, local_only) {
                (Some(cause), false) => record_change_cause(obj, cause),
                _ => Ok(()),
            }
        };
        if !label {
            record(&mut obj)?;
        }
        let changes = update_object(&mut obj, spec.field, self.pairs, spec.overwrite, rv)?;
        if label {
            record(&mut obj)?;
        }
        let operation = if label {
            changes.label_message()
        } else {
            "annotated"
        };
        // label sends nothing when nothing changed; annotate always patches.
        let send =
            !local_only && (!label || !changes.added.is_empty() || !changes.removed.is_empty());
        let response = if send {
            Some(self.patch(&f, &create_merge_patch(&before, &obj)).await?)
        } else {
            None
        };
        // label prints its own copy of the object, annotate the server's answer.
        let shown = match response {
            Some(r) if !label => r,
            _ => obj,
        };
        if spec.list {
            return self.list(&shown, &f.name);
        }
        self.print(&shown, operation)
    }

    async fn patch(&self, f: &Found, patch: &Value) -> Result<Value, CliError> {
        let r = f
            .resource
            .as_ref()
            .ok_or_else(|| CliError::msg("no resource mapping for a local object"))?;
        let body = serde_json::to_vec(patch)?;
        let mut req = ApiRequest::patch(
            r.path(f.namespace.as_deref(), Some(&f.name))?,
            PATCH_MERGE,
            body,
        );
        req = self.dry_run.query(req);
        req = req.query("fieldManager", self.spec.field_manager.clone());
        Ok(self.ctx.client()?.send_json(&req).await?)
    }

    fn list(&self, obj: &Value, name: &str) -> Result<(), CliError> {
        let map = string_map(obj, self.spec.field);
        let mut text = String::new();
        let indent = if self.single { "" } else { " " };
        if !self.single {
            let kind = obj["kind"].as_str().unwrap_or("");
            let group = crate::print::name::api_group(obj["apiVersion"].as_str().unwrap_or(""));
            let what = match self.spec.field {
                Field::Labels => "labels",
                Field::Annotations => "annotations",
            };
            text.push_str(&format!("Listing {what} for {kind}.{group}/{name}:\n"));
        }
        // kubectl walks a Go map (random order); sorted keys are one of its orders.
        for (k, v) in &map {
            text.push_str(&format!("{indent}{k}={}\n", v.as_str().unwrap_or("")));
        }
        self.ctx.out().write_all(text.as_bytes())?;
        Ok(())
    }

    fn print(&mut self, obj: &Value, operation: &str) -> Result<(), CliError> {
        let format = match &self.format {
            Some(f) => f.clone(),
            None => self.spec.printer_format(kyaml_enabled(self.ctx))?,
        };
        if format.is_none() {
            let op = format!("{operation}{}", self.dry_run.suffix());
            let mut out = self.ctx.out();
            return crate::print::name::print_name(obj, &op, false, &mut **out)
                .map_err(CliError::from);
        }
        // label builds a fresh printer for each object (no `---` between YAML documents);
        // annotate keeps one.
        if self.printer.is_none() || self.format.is_none() {
            if let Some(p) = &mut self.printer {
                let mut out = self.ctx.out();
                p.finish(&mut **out)?;
            }
            self.printer = self.spec.printer(&format)?;
        }
        if let Some(p) = &mut self.printer {
            let mut out = self.ctx.out();
            p.print(obj, &mut **out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::strings as s;
    use serde_json::json;

    fn text(e: CliError) -> String {
        crate::error::render(&e).stderr
    }

    #[test]
    fn resources_come_before_pairs() {
        let (r, p) = split_resources_and_pairs(&s(&["pods", "=x", "a=b", "c-"]), "label").unwrap();
        assert_eq!(r, s(&["pods", "=x"]));
        assert_eq!(p, s(&["a=b", "c-"]));
        let (r, _) = split_resources_and_pairs(&s(&["pods", "-", "a=b"]), "label").unwrap();
        assert_eq!(r, s(&["pods", "-"]));
        let e = split_resources_and_pairs(&s(&["pods", "a=b", "foo"]), "label").unwrap_err();
        assert_eq!(
            text(e),
            "error: all resources must be specified before label changes: foo\n"
        );
    }

    #[test]
    fn label_pairs() {
        let p = parse_labels(&s(&["a=b", "c-", "e="])).unwrap();
        assert_eq!(p.set.get("a").map(String::as_str), Some("b"));
        assert_eq!(p.set.get("e").map(String::as_str), Some(""));
        assert_eq!(p.remove, s(&["c"]));
        assert_eq!(
            text(parse_labels(&s(&["k=v=w"])).unwrap_err()),
            "error: invalid label spec: k=v=w\n"
        );
        assert!(text(parse_labels(&s(&["k=-v"])).unwrap_err()).starts_with(
            "error: invalid label value: \"k=-v\": a valid label must be an empty string"
        ));
        assert_eq!(
            text(parse_labels(&s(&["k=v", "k-"])).unwrap_err()),
            "error: can not both modify and remove a label in the same command\n"
        );
    }

    #[test]
    fn annotation_pairs() {
        let p = parse_annotations(&s(&["a=b=c", "d=", "x-"])).unwrap();
        assert_eq!(p.set.get("a").map(String::as_str), Some("b=c"));
        assert_eq!(p.set.get("d").map(String::as_str), Some(""));
        assert_eq!(p.remove, s(&["x"]));
        assert_eq!(
            text(parse_annotations(&s(&["plain"])).unwrap_err()),
            "error: invalid annotation format: plain\n"
        );
        let p = parse_annotations(&s(&["a-", "a=1", "c-", "c=2"])).unwrap();
        assert_eq!(
            text(check_annotation_conflicts(&p).unwrap_err()),
            "error: can not both modify and remove the following annotation(s) in the same command: a, c\n"
        );
    }

    #[test]
    fn label_updates_and_messages() {
        let mut obj =
            json!({"kind": "Node", "metadata": {"name": "n", "labels": {"a": "1", "b": "2"}}});
        let pairs = parse_labels(&s(&["a=1"])).unwrap();
        let c = update_object(&mut obj, Field::Labels, &pairs, false, "").unwrap();
        assert_eq!(c.label_message(), "not labeled");
        let pairs = parse_labels(&s(&["a=9"])).unwrap();
        let e = update_object(&mut obj, Field::Labels, &pairs, false, "").unwrap_err();
        assert_eq!(
            text(e),
            "error: 'a' already has a value (1), and --overwrite is false\n"
        );
        let pairs = parse_labels(&s(&["a=9", "b-", "zz-"])).unwrap();
        let c = update_object(&mut obj, Field::Labels, &pairs, true, "7").unwrap();
        assert_eq!(c.label_message(), "modified");
        assert_eq!(obj["metadata"]["labels"], json!({"a": "9"}));
        assert_eq!(obj["metadata"]["resourceVersion"], "7");
        let pairs = parse_labels(&s(&["a-"])).unwrap();
        let c = update_object(&mut obj, Field::Labels, &pairs, false, "").unwrap();
        assert_eq!(c.label_message(), "unlabeled");
        // The map stays, empty, as Unstructured.SetLabels leaves it.
        assert_eq!(obj["metadata"]["labels"], json!({}));
    }

    #[test]
    fn merge_patch_body() {
        // What kubectl sends for `label node n x=1 --resource-version=123` (observed).
        let mut obj = json!({"kind": "Node", "metadata": {"name": "n", "labels": {"a": "1"}, "resourceVersion": "5"}});
        obj["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("resourceVersion");
        let before = obj.clone();
        let pairs = parse_labels(&s(&["x=1"])).unwrap();
        update_object(&mut obj, Field::Labels, &pairs, false, "123").unwrap();
        let patch = create_merge_patch(&before, &obj);
        assert_eq!(
            serde_json::to_string(&patch).unwrap(),
            r#"{"metadata":{"labels":{"x":"1"},"resourceVersion":"123"}}"#
        );
        let pairs = parse_labels(&s(&["a-"])).unwrap();
        let before = obj.clone();
        update_object(&mut obj, Field::Labels, &pairs, false, "").unwrap();
        assert_eq!(
            serde_json::to_string(&create_merge_patch(&before, &obj)).unwrap(),
            r#"{"metadata":{"labels":{"a":null}}}"#
        );
    }

    #[test]
    fn annotation_overwrites() {
        let mut obj = json!({"metadata": {"annotations": {"a": "b", CHANGE_CAUSE: "old"}}});
        let pairs = parse_annotations(&s(&["a=c", "z=1"])).unwrap();
        let e = update_object(&mut obj, Field::Annotations, &pairs, false, "").unwrap_err();
        assert_eq!(
            text(e),
            "error: --overwrite is false but found the following declared annotation(s): 'a' already has a value (b)\n"
        );
        // The change cause may always be replaced.
        let pairs = parse_annotations(&s(&["kubernetes.io/change-cause=new"])).unwrap();
        update_object(&mut obj, Field::Annotations, &pairs, false, "").unwrap();
        assert_eq!(obj["metadata"]["annotations"][CHANGE_CAUSE], "new");
    }

    #[test]
    fn output_formats() {
        let mut spec = UpdateSpec {
            field: Field::Labels,
            args: vec![],
            filename: vec![],
            recursive: false,
            kustomize: None,
            selector: None,
            field_selector: None,
            all: false,
            all_namespaces: false,
            overwrite: false,
            list: false,
            local: false,
            dry_run: "none".into(),
            change_cause: None,
            resource_version: String::new(),
            field_manager: "kubectl-label".into(),
            output: "wide".into(),
            template: None,
            show_managed_fields: false,
            allow_missing_template_keys: true,
        };
        assert_eq!(
            text(spec.printer_format(true).unwrap_err()),
            "error: unable to match a printer suitable for the output format \"wide\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,yaml\n"
        );
        spec.output = "yaml".into();
        assert_eq!(spec.printer_format(true).unwrap(), Some(OutputFormat::Yaml));
        spec.output = "kyaml".into();
        assert!(spec.printer_format(false).is_err());
        spec.output = String::new();
        assert_eq!(spec.printer_format(true).unwrap(), None);
        spec.template = Some("{{.kind}}".into());
        assert!(matches!(
            spec.printer_format(true).unwrap(),
            Some(OutputFormat::GoTemplate { .. })
        ));
    }
}

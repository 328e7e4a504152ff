//! `kubectl-rs get`: lists or fetches objects and prints them (kubectl `pkg/cmd/get/get.go`).
//!
//! Shape: [`GetArgs`] (what was typed) → [`GetArgs::complete`] → [`GetOptions::validate`]
//! (pure) → [`GetOptions::run`]. Requests are built purely ([`list_request`],
//! [`object_request`]); printing lives in `crate::print`.

use std::io::Write;

use futures_util::StreamExt;
use serde_json::Value;

use crate::client::request::ApiRequest;
use crate::client::{ApiPath, ApiResponse, Client, ClientError, PathError};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::discovery::{ApiResource, ResolvedType};
use crate::error::CliError;
use crate::kubeconfig::resolve::open_error;
use crate::print::spooled::{stream_spooled, SpooledItems};
use crate::print::stream::ListStreamer;
use crate::print::table::{no_resources_message, HumanPrinter, ResourceType, TableOptions};
use crate::print::{
    generic_object, jsonpath, sort, GenericOptions, GenericPrinter, OutputFormat, PrintError,
};
use crate::resource::list_page;

/// The Accept header of human-readable `get` (server-side Tables, then plain JSON).
pub const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// The command path used in usage errors.
const CMD: &str = "kubectl-rs get";

/// Display one or many resources.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(mut_arg("output", |a| a.help("Output format. One of: (json, yaml, kyaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide). See custom columns [https://kubernetes.io/docs/reference/kubectl/#custom-columns], golang template [http://golang.org/pkg/text/template/#pkg-overview] and jsonpath template [https://kubernetes.io/docs/reference/kubectl/jsonpath/].")))]
pub struct GetArgs {
    #[command(flatten)]
    pub all_namespaces: crate::cmd::flags::AllNamespacesFlag,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    #[command(flatten)]
    pub kustomize: crate::cmd::flags::KustomizeFlag,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    #[command(flatten)]
    pub chunk_size: crate::cmd::flags::ChunkSizeFlag,
    #[command(flatten)]
    pub field_selector: crate::cmd::flags::FieldSelectorFlag,
    #[command(flatten)]
    pub ignore_not_found: crate::cmd::flags::IgnoreNotFoundFlag,
    /// Accepts a comma separated list of labels that are going to be presented as columns. Names are case-sensitive. You can also use multiple flag options like -L label1 -L label2...
    #[arg(
        verbatim_doc_comment,
        verbatim_doc_comment,
        short = 'L',
        long,
        value_delimiter = ','
    )]
    pub label_columns: Vec<String>,
    #[command(flatten)]
    pub no_headers: crate::cmd::flags::NoHeadersFlag,
    /// Output watch event objects when --watch or --watch-only is used. Existing objects are output as initial ADDED events.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub output_watch_events: bool,
    /// Raw URI to request from the server.  Uses the transport specified by the kubeconfig file.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub raw: String,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    /// If true, have the server return the appropriate table output. Supports extension APIs and CRDs.
    #[arg(verbatim_doc_comment, long, go_bool(true))]
    pub server_print: bool,
    /// If present, list the resource type for the requested object(s).
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub show_kind: bool,
    /// When printing, show all labels as the last column (default hide labels column)
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub show_labels: bool,
    #[command(flatten)]
    pub sort_by: crate::cmd::flags::SortByFlag,
    #[command(flatten)]
    pub subresource: crate::cmd::flags::SubresourceFlag,
    #[command(flatten)]
    pub watch: crate::cmd::flags::WatchFlag,
    /// Watch for changes to the requested object(s), without listing/getting first.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub watch_only: bool,
    /// `TYPE[.VERSION][.GROUP] [NAME…]` or `TYPE[.VERSION][.GROUP]/NAME…`.
    #[arg(
        verbatim_doc_comment,
        verbatim_doc_comment,
        value_name = "TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ..."
    )]
    pub args: Vec<String>,
}

/// Everything `get` needs at run time, resolved from [`GetArgs`] and the kubeconfig.
#[derive(Debug, Clone)]
pub struct GetOptions {
    /// `--raw` path (empty: off).
    pub raw: String,
    /// Positional arguments.
    pub args: Vec<String>,
    /// `-f` sources.
    pub filenames: Vec<String>,
    /// `-k` directory.
    pub kustomize: Option<String>,
    /// `-R`.
    pub recursive: bool,
    /// Whether `-n` was given (objects from files must then be in that namespace).
    pub explicit_namespace: bool,
    /// The namespace in effect.
    pub namespace: String,
    /// `-A`.
    pub all_namespaces: bool,
    /// `-l`.
    pub label_selector: String,
    /// `--field-selector`.
    pub field_selector: String,
    /// `--chunk-size` (0: off; forced off by `--sort-by`).
    pub chunk_size: i64,
    /// `--sort-by` (empty: off).
    pub sort_by: String,
    /// `-o` as typed (error texts quote it).
    pub output: String,
    /// `--template`.
    pub template: String,
    /// `--subresource` (empty: the object itself).
    pub subresource: String,
    /// The parsed printer choice; a bad `-o` is reported when the printer is needed, as kubectl does.
    pub format: Result<OutputFormat, String>,
    /// Human-readable printing (`-o` empty without a template, or `wide`).
    pub human: bool,
    /// Ask the server for Tables.
    pub server_print: bool,
    /// Table decorations.
    pub table: TableOptions,
    /// Options of the other printers.
    pub generic: GenericOptions,
    /// `--ignore-not-found`.
    pub ignore_not_found: bool,
    /// `-w`.
    pub watch: bool,
    /// `--watch-only`.
    pub watch_only: bool,
    /// `--output-watch-events`.
    pub output_watch_events: bool,
}

impl GetArgs {
    /// Runs the command: complete, validate, run.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let opts = self.complete(ctx)?;
        opts.validate()?;
        opts.run(ctx).await
    }

    /// The options from the flags alone (the namespace is left empty); `kyaml` is false only
    /// when `KUBECTL_KYAML=false`.
    pub fn options(&self, kyaml: bool) -> GetOptions {
        let template = (!self.print.template.as_deref().unwrap_or("").is_empty())
            .then_some(self.print.template.as_deref().unwrap_or(""));
        let format =
            OutputFormat::parse(&self.print.output, template, kyaml).map_err(|e| e.to_string());
        GetOptions {
            raw: self.raw.clone(),
            args: self.args.clone(),
            filenames: self.files.filename.clone(),
            kustomize: self.kustomize.dir.clone(),
            recursive: self.files.recursive,
            explicit_namespace: false,
            namespace: String::new(),
            all_namespaces: self.all_namespaces.value,
            label_selector: self.selector.as_str().to_string(),
            field_selector: self.field_selector.as_str().to_string(),
            chunk_size: self.chunk_size.value,
            sort_by: self.sort_by.value.clone(),
            output: self.print.output.clone(),
            template: self.print.template.clone().unwrap_or_default(),
            subresource: self.subresource.value.clone(),
            format,
            human: (self.print.output.is_empty()
                && self.print.template.as_deref().unwrap_or("").is_empty())
                || self.print.output == "wide",
            // kubectl: custom columns are not printed from server-side tables.
            server_print: self.server_print && self.print.output != "custom-columns",
            table: TableOptions {
                no_headers: self.no_headers.value,
                wide: self.print.output == "wide",
                all_namespaces: self.all_namespaces.value,
                show_labels: self.show_labels,
                label_columns: self.label_columns.clone(),
                with_kind: self.show_kind,
            },
            generic: GenericOptions {
                allow_missing_keys: self.print.allow_missing_template_keys,
                no_headers: self.no_headers.value,
                show_managed_fields: self.print.show_managed_fields,
            },
            ignore_not_found: self.ignore_not_found.or(false),
            watch: self.watch.value,
            watch_only: self.watch_only,
            output_watch_events: self.output_watch_events,
        }
    }

    /// kubectl `Complete`: resolves the namespace and the printer choice.
    pub fn complete(&self, ctx: &Context) -> Result<GetOptions, CliError> {
        let kyaml = ctx.env.get("KUBECTL_KYAML") != Some("false");
        let mut opts = self.options(kyaml);
        if !self.raw.is_empty() {
            if !self.args.is_empty() {
                return Err(CliError::msg(
                    "arguments may not be passed when --raw is specified",
                ));
            }
            return Ok(opts);
        }
        (opts.namespace, opts.explicit_namespace) = ctx.namespace()?;
        opts.explicit_namespace &= !opts.all_namespaces;
        if opts.watch {
            if !opts.sort_by.is_empty() {
                ctx.eprint(
                    "warning: --watch requested, --sort-by will be ignored for watch events received\n",
                );
            }
        } else if opts.watch_only {
            if !opts.sort_by.is_empty() {
                ctx.eprint("warning: --watch-only requested, --sort-by will be ignored\n");
            }
        } else if opts.args.is_empty() && opts.filenames.is_empty() && opts.kustomize.is_none() {
            ctx.eprint("You must specify the type of resource to get. Use \"kubectl-rs api-resources\" for a complete list of supported resources.\n\n");
            return Err(usage(
                "Required resource not specified.\nUse \"kubectl-rs explain <resource>\" for a detailed description of that resource (e.g. kubectl-rs explain pods).",
            ));
        }
        Ok(opts)
    }
}

fn usage(message: impl Into<String>) -> CliError {
    CliError::Usage {
        message: message.into(),
        command: CMD.into(),
    }
}

/// The list request of `get` for one resource type (one chunk: `continue_token` continues).
pub fn list_request(
    resource: &ApiResource,
    namespace: Option<&str>,
    opts: &GetOptions,
    chunk_size: i64,
    continue_token: Option<&str>,
) -> Result<ApiRequest, PathError> {
    let mut req = ApiRequest::get(resource.path(namespace, None)?);
    if !opts.label_selector.is_empty() {
        req = req.query("labelSelector", opts.label_selector.clone());
    }
    if !opts.field_selector.is_empty() {
        req = req.query("fieldSelector", opts.field_selector.clone());
    }
    if chunk_size > 0 {
        req = req.query("limit", chunk_size.to_string());
    }
    if let Some(c) = continue_token {
        req = req.query("continue", c);
    }
    Ok(opts.transform(req))
}

/// The GET of one named object.
pub fn object_request(
    resource: &ApiResource,
    namespace: Option<&str>,
    name: &str,
    opts: &GetOptions,
) -> Result<ApiRequest, PathError> {
    let subresource = (!opts.subresource.is_empty()).then_some(opts.subresource.as_str());
    let path = resource.subresource_path(namespace, Some(name), subresource)?;
    Ok(opts.transform(ApiRequest::get(path)))
}

/// [`GetOptions::spool_list`]'s answer: the items in the order the sort gives (or the
/// sort's error), the pages read, the list's errors.
type SpooledList = (Result<SpooledItems, CliError>, usize, Vec<CliError>);

/// What to fetch: a resource type with object names (none: a list), and for objects read
/// from files, their namespace.
/// What `-f` asks `get` to fetch (see [`GetOptions::objects_from_files`]): each object or
/// the error met in its place, in stream order.
type FileTargets = (
    Vec<Result<Wanted, CliError>>,
    bool,
    Option<kcore::selectors::LabelSelector>,
);

#[derive(Debug, Clone)]
struct Wanted {
    resource: ApiResource,
    names: Vec<String>,
    namespace: Option<String>,
    /// An object read from a file without a name: cli-runtime's RetrieveLatest does not
    /// fetch it, so it is printed as read (never a request for its collection).
    local: Option<Value>,
}

impl From<ResolvedType> for Wanted {
    fn from(t: ResolvedType) -> Self {
        Wanted {
            resource: t.resource,
            names: t.names,
            namespace: None,
            local: None,
        }
    }
}

/// What `fetch` met: `RequireNamespace` refusals (cli-runtime's `ContinueOnErrorVisitor`
/// collects them as they come) and the stream's own errors (mapping, GET), which it returns
/// after them as one aggregate.
struct FetchErrors {
    refused: Vec<CliError>,
    stream: Vec<CliError>,
}

impl FetchErrors {
    /// As returned, unflattened (the table printer; one implied object): the stream's
    /// errors nest on one line behind refusals, and a lone refusal prints with `error: `.
    fn nested(mut self) -> Vec<CliError> {
        if self.refused.is_empty() {
            return self.stream;
        }
        if self.stream.is_empty() {
            if self.refused.len() == 1 {
                let text = crate::error::render(&self.refused[0]).stderr;
                return vec![CliError::Raw(text.trim_end().to_string())];
            }
            return self.refused;
        }
        self.refused
            .push(crate::resource::nested_aggregate(&self.stream));
        self.refused
    }

    /// For the generic printers: as [`nested`](Self::nested) for one implied object or
    /// behind one refusal, else flattened one per line (as kubectl 1.33 prints them).
    fn generic(mut self, single_item_implied: bool) -> Vec<CliError> {
        if single_item_implied || self.refused.len() == 1 {
            return self.nested();
        }
        self.refused.extend(self.stream);
        self.refused
    }
}

/// The table printer and what `No resources found` depends on.
struct HumanOutput {
    printer: HumanPrinter,
    all_namespaced: bool,
}

/// `get`'s tables of several answers while kubectl's kind prefix is not settled: kubectl
/// prefixes names with their kind (`pod/web`) when the answers are of several kinds
/// (`multipleGVKsRequested`), which only the answers tell. Until an answer of another kind
/// comes, each answer goes to two printers, without and with the prefix, writing to memory
/// (a type's rows wait in its printer anyway, as the text they align into); the answer that
/// settles it sends out what the one with the prefix wrote and drops the other. So the
/// answers are never all held, only the text of the rows of the first kind, twice.
struct SettlingKinds {
    /// The first answer's group, version and kind.
    first: Option<(String, String, String)>,
    /// The printer without the prefix and what it wrote; gone once settled.
    plain: Option<(HumanOutput, Vec<u8>)>,
    /// The printer with the prefix and what it wrote (sent out once settled).
    kinds: (HumanOutput, Vec<u8>),
}

impl SettlingKinds {
    fn new(get: &GetOptions) -> Self {
        SettlingKinds {
            first: None,
            plain: Some((get.human_output(false), Vec::new())),
            kinds: (get.human_output(true), Vec::new()),
        }
    }

    fn print(&mut self, get: &GetOptions, ctx: &Context, info: &Info) -> Result<(), CliError> {
        let r = &info.resource;
        let kind = (r.group.clone(), r.version.clone(), r.kind.clone());
        if self.plain.is_some() {
            match &self.first {
                None => self.first = Some(kind),
                Some(first) if *first != kind => {
                    self.plain = None;
                    ctx.out().write_all(&std::mem::take(&mut self.kinds.1))?;
                }
                Some(_) => {}
            }
        }
        let Some((plain, text)) = &mut self.plain else {
            return get.print_info_to(ctx, &mut self.kinds.0, info, &mut **ctx.out());
        };
        get.print_info_to(ctx, plain, info, text)?;
        get.print_info_to(ctx, &mut self.kinds.0, info, &mut self.kinds.1)
    }

    /// The printer that stays (without the prefix when no second kind came), its text so
    /// far sent out.
    fn settle(self, ctx: &Context) -> Result<HumanOutput, CliError> {
        let (out, text) = self.plain.unwrap_or(self.kinds);
        ctx.out().write_all(&text)?;
        Ok(out)
    }
}

/// One fetched response with the type it belongs to (kubectl's `resource.Info`).
#[derive(Debug, Clone)]
struct Info {
    resource: ApiResource,
    object: Value,
    /// Printing this table would fail (kubectl then prints nothing for it).
    unprintable: bool,
}

fn resource_type(r: &ApiResource) -> ResourceType {
    ResourceType {
        group: r.group.clone(),
        kind: r.kind.clone(),
        resource: r.resource.clone(),
        namespaced: r.namespaced,
    }
}

fn is_list(obj: &Value) -> bool {
    obj.get("items").is_some_and(Value::is_array)
}

/// Items of a list response, with `apiVersion`/`kind` filled in from the list as the
/// unstructured decoder does (the list is consumed: no item is copied).
fn list_items(mut list: Value) -> Vec<Value> {
    let api_version = list.get("apiVersion").cloned().unwrap_or(Value::Null);
    let kind = list
        .get("kind")
        .and_then(Value::as_str)
        .map(|k| k.strip_suffix("List").unwrap_or(k).to_string());
    let items = match list.get_mut("items").map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    items
        .into_iter()
        .map(|mut item| {
            if let Some(m) = item.as_object_mut() {
                if !m.contains_key("apiVersion") && !api_version.is_null() {
                    m.insert("apiVersion".into(), api_version.clone());
                }
                if let (false, Some(k)) = (m.contains_key("kind"), &kind) {
                    m.insert("kind".into(), Value::String(k.clone()));
                }
            }
            item
        })
        .collect()
}

/// A list answer that is not JSON, as the client reports it.
fn decode_error(e: serde_json::Error) -> ClientError {
    ClientError::Decode(format!("unable to decode the server's response: {e}"))
}

impl GetOptions {
    /// kubectl `Validate`: flag combinations only, no I/O.
    pub fn validate(&self) -> Result<(), CliError> {
        if !self.raw.is_empty() {
            if self.watch || self.watch_only || !self.label_selector.is_empty() {
                return Err(CliError::msg(
                    "--raw may not be specified with other flags that filter the server request or alter the output",
                ));
            }
            crate::ops::rawhttp::check_output_and_path(&self.output, &self.raw)?;
        }
        if self.table.show_labels && !self.output.is_empty() && self.output != "wide" {
            return Err(CliError::msg(format!(
                "--show-labels option cannot be used with {} printer",
                self.output
            )));
        }
        if self.output_watch_events && !(self.watch || self.watch_only) {
            return Err(CliError::msg(
                "--output-watch-events option can only be used with --watch or --watch-only",
            ));
        }
        Ok(())
    }

    /// Adds the Table Accept header (and `includeObject=Object` when sorting) for
    /// human-readable output (kubectl `transformRequests`).
    fn transform(&self, req: ApiRequest) -> ApiRequest {
        if !self.server_print || !self.human {
            return req;
        }
        let req = req.accept(TABLE_ACCEPT);
        if self.sort_by.is_empty() {
            req
        } else {
            req.query("includeObject", "Object")
        }
    }

    /// cli-runtime `Selector.Visit`: a 400 or 404 of a list names the resource and selectors.
    fn list_error(&self, r: &ApiResource, e: ClientError) -> ClientError {
        crate::resource::helper::enhance_resource_list_error(
            e,
            r,
            &self.label_selector,
            &self.field_selector,
        )
    }

    fn request_namespace<'a>(&'a self, w: &'a Wanted) -> Option<&'a str> {
        let r = &w.resource;
        if let (true, Some(ns)) = (r.namespaced, &w.namespace) {
            return Some(ns);
        }
        (r.namespaced && !self.all_namespaces).then_some(self.namespace.as_str())
    }

    /// kubectl `Run`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if !self.raw.is_empty() {
            return self.run_raw(ctx).await;
        }
        let (types, single_item_implied, filter) =
            if self.filenames.is_empty() && self.kustomize.is_none() {
                let types = self.resolve(ctx).await?;
                let single = single_item_implied(&self.args, &types);
                let wanted = types.into_iter().map(|t| Ok(Wanted::from(t))).collect();
                (wanted, single, None)
            } else {
                self.objects_from_files(ctx).await?
            };
        if self.watch || self.watch_only {
            let mut errs = Vec::new();
            let mut watched = Vec::new();
            for t in types {
                match t {
                    Ok(t) => watched.push(t),
                    Err(e) => errs.push(e),
                }
            }
            if let Some(e) = errs.pop() {
                return Err(e);
            }
            return self.run_watch(ctx, &watched).await;
        }
        let filter = filter.as_ref();
        // One type, unsorted: each page is printed as it arrives and dropped (the printer
        // keeps only text), so 5,000 pods never sit in memory at once. Several types need all
        // answers first (kind prefixes depend on them), sorting needs every row.
        if let (true, false, None, [Ok(t)]) = (
            self.human,
            self.sort_by.is_empty(),
            filter,
            types.as_slice(),
        ) {
            if t.names.is_empty() && t.local.is_none() && self.server_print {
                return self.run_sorted_table(ctx, t).await;
            }
        }
        if self.human && self.sort_by.is_empty() && types.len() == 1 {
            let mut out = self.human_output(false);
            let errs = self
                .fetch(ctx, types, filter, &mut |info| {
                    self.print_info(ctx, &mut out, &info)
                })
                .await?;
            return self.finish_human(ctx, out, errs.nested());
        }
        // One list in a format that allows it: written page by page (see `print::stream`);
        // sorted, from its pages' bytes and a key per item.
        if let (false, true, [Ok(t)]) = (self.human, filter.is_none(), types.as_slice()) {
            if t.names.is_empty() && t.local.is_none() {
                match self.generic_printer().map(ListStreamer::new) {
                    Ok(Ok(streamer)) if self.sort_by.is_empty() => {
                        return self.run_streamed(ctx, t, streamer).await
                    }
                    Ok(Ok(streamer)) => return self.run_sorted(ctx, t, streamer).await,
                    Ok(Err(printer)) => return self.run_spooled(ctx, t, *printer).await,
                    // Reported where the whole-list path builds it.
                    Err(_) => {}
                }
            }
        }
        // Tables of several types, names, or objects read from files: each answer is printed
        // as it comes, once its kind prefix is settled (see `SettlingKinds`).
        if self.human && self.sort_by.is_empty() {
            let mut out = SettlingKinds::new(self);
            let errs = self
                .fetch(ctx, types, filter, &mut |info| out.print(self, ctx, &info))
                .await?;
            let out = out.settle(ctx)?;
            return self.finish_human(ctx, out, errs.nested());
        }
        // Several types, names, or objects read from files, in a format that streams: each
        // answer (a list page, an object) is written as it comes.
        if !self.human && self.sort_by.is_empty() {
            if let Ok(Ok(streamer)) = self.generic_printer().map(ListStreamer::new) {
                return self
                    .run_streamed_infos(ctx, types, filter, streamer, single_item_implied)
                    .await;
            }
        }
        let mut infos = Vec::new();
        let errs = self
            .fetch(ctx, types, filter, &mut |info| {
                infos.push(info);
                Ok(())
            })
            .await?;
        if self.human {
            self.print_human(ctx, infos, errs.nested())
        } else {
            self.print_generic(
                ctx,
                infos,
                errs.generic(single_item_implied),
                single_item_implied,
            )
        }
    }

    /// One page of `resource`'s list from `token` on, as the server's JSON text with what
    /// comes before its items.
    async fn fetch_page(
        &self,
        client: &Client,
        resource: &ApiResource,
        namespace: Option<&str>,
        token: Option<String>,
    ) -> Result<(bytes::Bytes, list_page::PageHead), ClientError> {
        let req = list_request(resource, namespace, self, self.chunk_size, token.as_deref())?;
        let resp = client.send(&req).await?;
        resp.check_media_type()?;
        let head = list_page::read_head(&resp.body).map_err(decode_error)?;
        Ok((resp.body, head))
    }

    /// `get` of one list with a streaming printer: each page is written while the next one
    /// is fetched, then dropped; the output is what [`Self::print_generic`] writes for the
    /// whole list (kubectl's `printGeneric`: the items so far, then the errors).
    async fn run_streamed(
        &self,
        ctx: &Context,
        t: &Wanted,
        mut streamer: ListStreamer,
    ) -> Result<(), CliError> {
        let client = ctx.client()?;
        let ns = self.request_namespace(t);
        let mut pages = 0usize;
        let mut print_err: Option<CliError> = None;
        let mut decode_err: Option<ClientError> = None;
        // Each page stays the server's JSON text; its items become trees one at a time
        // (`resource::list_page`), so a page costs its bytes and one object.
        let walked = crate::resource::helper::for_each_page(
            |token| self.fetch_page(client, &t.resource, ns, token),
            |page: &(bytes::Bytes, list_page::PageHead)| page.1.continue_token.clone(),
            |(body, head)| {
                pages += 1;
                // After a printing error kubectl prints nothing more; the pages are still
                // read, as kubectl reads them all before printing.
                if print_err.is_some() || decode_err.is_some() {
                    return;
                }
                let mut out = ctx.out();
                let walked = list_page::for_each_item(&body, &head, |item| {
                    if print_err.is_none() {
                        if let Err(e) = streamer.page(vec![item], &mut **out) {
                            print_err = Some(e.into());
                        }
                    }
                });
                if let Err(e) = walked {
                    decode_err = Some(decode_error(e));
                } else if print_err.is_none() {
                    if let Err(e) = out.flush() {
                        print_err = Some(e.into());
                    }
                }
            },
        )
        .await;
        let walked = match decode_err {
            Some(e) => Err(e),
            None => walked,
        };
        let mut errs = Vec::new();
        if let Err(e) = walked {
            let e = self.list_error(&t.resource, e);
            if !(self.ignore_not_found && e.is_not_found()) {
                errs.push(CliError::from(e));
            }
        }
        self.finish_streamed(ctx, streamer, print_err, errs, pages == 0)
    }

    /// The end of a streamed output: with `--ignore-not-found` and nothing read, only the
    /// errors; else the printer's tail (none after a printing error, which comes after the
    /// others), then the errors.
    fn finish_streamed(
        &self,
        ctx: &Context,
        streamer: ListStreamer,
        print_err: Option<CliError>,
        mut errs: Vec<CliError>,
        nothing_read: bool,
    ) -> Result<(), CliError> {
        if nothing_read && self.ignore_not_found {
            return self.errors_out(errs, true);
        }
        match print_err {
            Some(e) => errs.push(e),
            None => {
                if let Err(e) = streamer.finish(&mut **ctx.out()) {
                    errs.push(e.into());
                }
            }
        }
        self.errors_out(errs, true)
    }

    /// `get` of several types, of named objects or of objects read from files, with a
    /// streaming printer and no single object implied: each answer is written as `fetch`
    /// hands it over (a list page, an object) and dropped, so memory holds one page; the
    /// output is what [`Self::print_generic`] writes for all of them (the List of every
    /// item, then the errors).
    async fn run_streamed_infos(
        &self,
        ctx: &Context,
        types: Vec<Result<Wanted, CliError>>,
        filter: Option<&kcore::selectors::LabelSelector>,
        mut streamer: ListStreamer,
        single_item_implied: bool,
    ) -> Result<(), CliError> {
        if single_item_implied {
            return self.run_spooled_infos(ctx, types, filter, streamer).await;
        }
        let mut infos = 0usize;
        let mut print_err: Option<CliError> = None;
        let errs = self
            .fetch(ctx, types, filter, &mut |info| {
                infos += 1;
                // After a printing error kubectl prints nothing more (it has read everything).
                if print_err.is_some() {
                    return Ok(());
                }
                let items = if is_list(&info.object) {
                    list_items(info.object)
                } else {
                    vec![info.object]
                };
                let mut out = ctx.out();
                let printed = streamer
                    .page(items, &mut **out)
                    .and_then(|_| out.flush().map_err(PrintError::from));
                if let Err(e) = printed {
                    print_err = Some(e.into());
                }
                Ok(())
            })
            .await?;
        self.finish_streamed(ctx, streamer, print_err, errs.generic(false), infos == 0)
    }

    /// [`Self::run_streamed_infos`] when a single object is implied (`get -f FILE`): kubectl
    /// then prints nothing but the errors if there are any, and one object as itself, so
    /// nothing can be written before the last answer. The items wait in a spool on disk,
    /// then are written one at a time as a List, or go the whole-list way when there is
    /// at most one or an error.
    async fn run_spooled_infos(
        &self,
        ctx: &Context,
        types: Vec<Result<Wanted, CliError>>,
        filter: Option<&kcore::selectors::LabelSelector>,
        streamer: ListStreamer,
    ) -> Result<(), CliError> {
        let mut spool = crate::print::spool::Spool::new()?;
        let mut io_err: Option<std::io::Error> = None;
        let mut lists = 0usize;
        let mut first: Option<Info> = None;
        let errs = self
            .fetch(ctx, types, filter, &mut |info| {
                let resource = info.resource;
                let items = if is_list(&info.object) {
                    lists += 1;
                    list_items(info.object)
                } else {
                    vec![info.object]
                };
                for object in items {
                    if let Err(e) = spool.push(&object) {
                        io_err.get_or_insert(e);
                    }
                    first.get_or_insert(Info {
                        resource: resource.clone(),
                        object,
                        unprintable: false,
                    });
                }
                Ok(())
            })
            .await?;
        if let Some(e) = io_err {
            return Err(e.into());
        }
        let mut errs = errs.generic(true);
        if spool.len() < 2 || !errs.is_empty() {
            if !errs.is_empty() {
                return print_implied_errors(errs);
            }
            return self.print_generic(ctx, first.into_iter().collect(), errs, lists == 0);
        }
        let n = spool.len();
        if let Err(e) = stream_spooled(
            streamer,
            &SpooledItems::new(spool, (0..n).collect()),
            &mut **ctx.out(),
        ) {
            errs.push(e.into());
        }
        self.errors_out(errs, true)
    }

    /// `get --sort-by` of one list with a streaming printer. kubectl asks for the list in one
    /// answer and sorts it in memory; here the pages (`--chunk-size`, as unsorted) are read
    /// one at a time, each item's text goes as it came to a
    /// [`Spool`](crate::print::spool::Spool) on disk and only its sort key is decoded and
    /// kept; the items are then read back in sorted order, each parsed once, and written as
    /// [`Self::run_streamed`] writes them. The output is what [`Self::print_generic`] writes
    /// for the sorted list.
    async fn run_sorted(
        &self,
        ctx: &Context,
        t: &Wanted,
        streamer: ListStreamer,
    ) -> Result<(), CliError> {
        let (items, pages, mut errs) = self.spool_list(ctx, t, &t.resource, false).await?;
        if pages == 0 && self.ignore_not_found {
            return self.errors_out(errs, true);
        }
        if let Err(e) = stream_spooled(streamer, &items?, &mut **ctx.out()) {
            errs.push(e.into());
        }
        self.errors_out(errs, true)
    }

    /// `get --sort-by` of one list as a table. kubectl asks for one server Table with every
    /// row's full object and sorts the rows by their objects; here the Table comes page by
    /// page, each row's sort key is taken and the row written to a spool on disk, so that
    /// memory holds a page, the keys and the printer's cells. kubectl sorts only a Table of
    /// more than one row, and ignores the sort's errors (it then prints no row at all).
    async fn run_sorted_table(&self, ctx: &Context, t: &Wanted) -> Result<(), CliError> {
        let client = ctx.client()?;
        let r = &t.resource;
        let ns = self.request_namespace(t);
        let mut spool = crate::print::spool::Spool::new()?;
        let mut keys = sort::SortKeys::new(&self.sort_by);
        let mut key_err = false;
        // The first Table without its rows: the column definitions every batch prints with.
        let mut head: Option<Value> = None;
        // Pages that are not Tables (a server without table printing) print unsorted.
        let mut plain: Vec<Value> = Vec::new();
        let mut io_err: Option<std::io::Error> = None;
        // Of each row's object only the metadata the printer shows and the sort key's
        // fields are decoded (the whole object when the key's path is not plain names).
        let mut keep = sort::Keep::keys(true);
        for k in ["name", "namespace", "labels"] {
            keep.add(&["object", "metadata", k]);
        }
        match keys.as_ref().ok().and_then(sort::SortKeys::simple_path) {
            Some(path) => keep.add(&[&["object"][..], &path].concat()),
            None => keep.add(&["object"]),
        }
        let mut row_err: Option<serde_json::Error> = None;
        let walked = crate::resource::helper::for_each_page(
            |token: Option<String>| async move {
                let req = list_request(r, ns, self, self.chunk_size, token.as_deref())?;
                SortPage::decode(&client.send(&req).await?)
            },
            |page: &SortPage| {
                let head = match page {
                    SortPage::Table(head, _) | SortPage::Other(head) => head,
                };
                head.pointer("/metadata/continue")
                    .and_then(Value::as_str)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
            },
            |page: SortPage| {
                let (page, rows) = match page {
                    SortPage::Table(head, rows) => (head, rows),
                    SortPage::Other(page) => {
                        plain.push(page);
                        return;
                    }
                };
                for raw in rows {
                    let mut row = match keep.decode(raw.get()) {
                        Ok(row) => row,
                        Err(e) => {
                            row_err.get_or_insert(e);
                            continue;
                        }
                    };
                    if let Ok(k) = &mut keys {
                        let obj = row.get("object").unwrap_or(&Value::Null);
                        key_err |= k.push(obj).is_err();
                    }
                    if let Some(obj) = row.get_mut("object") {
                        crate::print::table::slim_row_object(obj);
                    }
                    if let Err(e) = spool.push(&row) {
                        io_err.get_or_insert(e);
                    }
                }
                head.get_or_insert(page);
            },
        )
        .await;
        if let Some(e) = row_err {
            return Err(ClientError::Decode(format!(
                "unable to decode the server's response: {e}"
            ))
            .into());
        }
        if let Some(e) = io_err {
            return Err(e.into());
        }
        let mut errs = Vec::new();
        if let Err(e) = walked {
            let e = self.list_error(r, e);
            if !(self.ignore_not_found && e.is_not_found()) {
                errs.push(CliError::from(e));
            }
        }
        if head.is_some() && !plain.is_empty() {
            return Err(CliError::msg(
                "sorting is not supported on mixed Table and non-Table object lists",
            ));
        }
        let mut out = self.human_output(false);
        let info = |object: Value| Info {
            resource: r.clone(),
            object,
            unprintable: false,
        };
        let plain = plain.into_iter().map(info).collect();
        for i in sort_infos(plain, &self.sort_by)? {
            self.print_info(ctx, &mut out, &i)?;
        }
        if let Some(head) = head {
            let order = match keys {
                _ if spool.len() < 2 => Some((0..spool.len()).collect()),
                Ok(k) if !key_err => k.order().ok(),
                _ => None,
            };
            if let Some(order) = order {
                let order: Vec<usize> = order;
                for batch in order.chunks(64) {
                    let mut table = head.clone();
                    let rows = batch
                        .iter()
                        .map(|&i| spool.get(i))
                        .collect::<Result<Vec<_>, _>>()?;
                    table["rows"] = Value::Array(rows);
                    self.print_info(ctx, &mut out, &info(table))?;
                }
            } else {
                // The sort failed: the Table prints nothing (its header neither).
                out.all_namespaced = out.all_namespaced && r.namespaced;
            }
        }
        self.finish_human(ctx, out, errs)
    }

    /// `get` of one list in a format that needs the whole list (go-template, jsonpath over
    /// the list as a whole, jsonpath-as-json, kyaml), sorted or not: the items wait in a
    /// spool on disk and are printed from it ([`crate::print::spooled`]). The output is what
    /// [`Self::print_generic`] writes for the (sorted) list.
    async fn run_spooled(
        &self,
        ctx: &Context,
        t: &Wanted,
        mut printer: GenericPrinter,
    ) -> Result<(), CliError> {
        let (items, pages, mut errs) = self.spool_list(ctx, t, &t.resource, true).await?;
        if pages == 0 && self.ignore_not_found {
            return self.errors_out(errs, true);
        }
        let items = std::rc::Rc::new(items?);
        {
            let mut out = ctx.out();
            let r = printer
                .print_spooled(items, &mut **out)
                .and_then(|_| printer.finish(&mut **out));
            if let Err(e) = r {
                errs.push(CliError::from(e));
            }
        }
        self.errors_out(errs, true)
    }

    /// Reads one list page by page into a spool on disk: each item's text as the server sent
    /// it, and, when `--sort-by` is given, its sort key, decoded from the text alone when the
    /// key's path is plain field names (the rest is scanned, not built). With `nodes` each
    /// item is parsed whole, for the count of its values the templates' budget needs.
    /// Returns the items in sorted order (push order unsorted), or the sort's error (which
    /// kubectl reports after reading everything), how many pages were read and the list's
    /// error (a page that does not decode counts for nothing).
    async fn spool_list(
        &self,
        ctx: &Context,
        t: &Wanted,
        r: &ApiResource,
        nodes: bool,
    ) -> Result<SpooledList, CliError> {
        let client = ctx.client()?;
        let ns = self.request_namespace(t);
        let mut spool = crate::print::spool::Spool::new()?;
        // Each page's head (its `apiVersion` and kind fill in its items) from its first item.
        let mut heads: Vec<(usize, list_page::PageHead)> = Vec::new();
        let mut pages = 0usize;
        let sorting = !self.sort_by.is_empty();
        // The path's errors come when sorting, after every page is read (as in kubectl).
        let mut keys = if sorting {
            Some(sort::SortKeys::new(&self.sort_by))
        } else {
            None
        };
        // What of an item's text the key needs, when not the whole item.
        let keep = match &keys {
            Some(Ok(k)) if !nodes => k.simple_path().map(|path| {
                let mut keep = sort::Keep::keys(false);
                keep.add(&path);
                keep
            }),
            _ => None,
        };
        let mut key_err: Option<PrintError> = None;
        let mut decode_err: Option<ClientError> = None;
        let mut io_err: Option<std::io::Error> = None;
        let walked = crate::resource::helper::for_each_page(
            |token| self.fetch_page(client, r, ns, token),
            |page: &(bytes::Bytes, list_page::PageHead)| page.1.continue_token.clone(),
            |(body, head)| {
                if decode_err.is_some() || io_err.is_some() {
                    return;
                }
                let before = spool.len();
                // Spooled as it comes: a page costs its bytes and one item (or one key).
                let mut push = |text: &[u8], n: usize| {
                    if let Err(e) = spool.push_text(text, n) {
                        io_err.get_or_insert(e);
                    }
                };
                let walked = match &mut keys {
                    Some(Ok(k)) if !nodes => list_page::for_each_item_text(&body, &head, |text| {
                        if key_err.is_none() {
                            let item = match &keep {
                                Some(keep) => {
                                    let mut item = keep.decode(text)?;
                                    head.complete(&mut item);
                                    item
                                }
                                None => list_page::item_at(text.as_bytes(), &head, 0..text.len())?,
                            };
                            key_err = k.push(&item).err();
                        }
                        push(text.as_bytes(), 0);
                        Ok(())
                    }),
                    keys => list_page::for_each_item_span(&body, &head, |span, item| {
                        if let (Some(Ok(k)), None) = (&mut *keys, &key_err) {
                            key_err = k.push(&item).err();
                        }
                        push(&body[span], jsonpath::count_nodes(&item));
                    }),
                };
                match walked {
                    Ok(()) => {
                        pages += 1;
                        if spool.len() > before {
                            heads.push((before, head));
                        }
                    }
                    Err(e) => {
                        // A page that does not decode counts for nothing, as in `fetch`.
                        spool.truncate(before);
                        if let Some(Ok(k)) = &mut keys {
                            k.truncate(before);
                        }
                        decode_err = Some(decode_error(e));
                    }
                }
            },
        )
        .await;
        if let Some(e) = io_err {
            return Err(e.into());
        }
        let walked = match decode_err {
            Some(e) => Err(e),
            None => walked,
        };
        let mut errs = Vec::new();
        if let Err(e) = walked {
            let e = self.list_error(r, e);
            if !(self.ignore_not_found && e.is_not_found()) {
                errs.push(CliError::from(e));
            }
        }
        let order = match (key_err, keys) {
            (Some(e), _) => Err(e.into()),
            (None, Some(k)) => k.and_then(sort::SortKeys::order).map_err(CliError::from),
            (None, None) => Ok((0..spool.len()).collect()),
        };
        let decode = move |i: usize, text: &[u8]| {
            let page = heads.partition_point(|(first, _)| *first <= i);
            let head = &heads[page.saturating_sub(1)].1;
            list_page::item_at(text, head, 0..text.len())
        };
        let items = order.map(|order| SpooledItems::with_decode(spool, order, Box::new(decode)));
        Ok((items, pages, errs))
    }

    /// Decodes an answer; for the table printer, without what it never reads.
    fn decode(&self, resp: ApiResponse) -> Result<Value, ClientError> {
        if !(self.human && self.sort_by.is_empty()) {
            return resp.json();
        }
        resp.check_media_type()?;
        crate::print::table::decode_for_printing(&resp.body).map_err(|e| {
            ClientError::Decode(format!("unable to decode the server's response: {e}"))
        })
    }

    async fn run_raw(&self, ctx: &Context) -> Result<(), CliError> {
        let client = ctx.client()?;
        let (path, query) = match self.raw.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (self.raw.as_str(), None),
        };
        let mut req = ApiRequest::get(ApiPath::raw(path)?);
        for pair in query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|p| !p.is_empty())
        {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            req = req.query(&dec(k), dec(v));
        }
        // Streamed as kubectl does: a body cut short is printed as far as it came.
        let mut body = client.send_stream(&req).await?;
        while let Some(chunk) = futures_util::StreamExt::next(&mut body).await {
            ctx.out().write_all(&chunk?)?;
        }
        Ok(())
    }

    /// `-f`: every object read becomes a GET by name (cli-runtime's builder with
    /// `FilenameParam` and `Latest`). Returns what to fetch, whether a single object is
    /// implied, the per-object errors, and `-l` to match against what each GET returns
    /// (`Latest` comes before `FilterByLabelSelector`, so the live object's labels count —
    /// and a server-side Table, which has none, when printing a table).
    async fn objects_from_files(&self, ctx: &Context) -> Result<FileTargets, CliError> {
        crate::resource::check_path_args(&self.args)?;
        let single = self.filenames.len() == 1
            && self.filenames[0] != "-"
            && std::path::Path::new(&self.filenames[0]).is_file();
        let spec = crate::resource::ReadSpec {
            files: self.filenames.clone(),
            kustomize: self.kustomize.clone(),
            recursive: self.recursive,
            validate: false,
            selector: Some(self.label_selector.clone()),
            latest: true,
            all_namespaces: self.all_namespaces,
        };
        let stream = crate::resource::read_stream(ctx, &spec)
            .await
            .map_err(|mut errs| {
                if errs.len() == 1 {
                    errs.remove(0)
                } else {
                    unreduced_error(errs)
                }
            })?;
        let filter = crate::resource::file_selector(Some(&self.label_selector))?;
        let wanted = stream
            .into_iter()
            .map(|item| {
                item.map(|info| Wanted {
                    local: info.name.is_empty().then(|| info.object.clone()),
                    resource: info.resource,
                    names: vec![info.name],
                    namespace: info.namespace,
                })
            })
            .collect();
        Ok((wanted, single, filter))
    }

    async fn resolve(&self, ctx: &Context) -> Result<Vec<ResolvedType>, CliError> {
        if self.args.is_empty() {
            return Err(crate::resource::missing_resource_error());
        }
        let types = crate::resource::resolve_args(ctx, &self.args, "kubectl-rs").await?;
        let named = types.iter().any(|t| !t.names.is_empty());
        if named
            && !(self.label_selector.trim().is_empty() && self.field_selector.trim().is_empty())
        {
            return Err(CliError::msg(
                if self.args.iter().any(|a| a.contains('/')) {
                    "selectors and the all flag cannot be used when passing resource/name arguments"
                } else {
                    "name cannot be provided when a selector is specified"
                },
            ));
        }
        if self.all_namespaces && named {
            return Err(crate::resource::name_across_namespaces_error());
        }
        if !self.subresource.is_empty() && types.iter().any(|t| t.names.is_empty()) {
            return Err(CliError::msg(
                "subresource cannot be used when bulk resources are specified",
            ));
        }
        if self.watch || self.watch_only {
            // The builder's SingleResourceType.
            let first = &types[0].resource;
            if types.iter().any(|t| {
                (&t.resource.group, &t.resource.resource) != (&first.group, &first.resource)
            }) {
                return Err(CliError::msg("you may only specify a single resource type"));
            }
        }
        Ok(types)
    }

    /// Sends every request, handing each answer to `sink` in order; per-object failures are
    /// collected, not fatal (a 404 not at all with `--ignore-not-found`). Objects read from
    /// files are then matched against `filter` (the live labels: the builder's `Latest`
    /// comes first) and, if kept, refused when in another namespace than an explicit
    /// `--namespace` (`RequireNamespace` decorates what the stream yields).
    async fn fetch(
        &self,
        ctx: &Context,
        types: Vec<Result<Wanted, CliError>>,
        filter: Option<&kcore::selectors::LabelSelector>,
        sink: &mut dyn FnMut(Info) -> Result<(), CliError>,
    ) -> Result<FetchErrors, CliError> {
        let client = ctx.client()?;
        let mut errs: Vec<CliError> = Vec::new();
        // `RequireNamespace` errors: cli-runtime's `ContinueOnErrorVisitor` collects them as
        // they come, and the stream's own (mapping, GET) after them.
        let mut refused: Vec<CliError> = Vec::new();
        let mut found = |t: &Wanted, object: Value| {
            if filter.is_some_and(|s| !crate::resource::labels_match(s, &object)) {
                return Ok(());
            }
            if let Err(e) = crate::resource::check_namespace(
                t.namespace.as_deref(),
                &self.namespace,
                self.explicit_namespace,
            ) {
                refused.push(e);
                return Ok(());
            }
            sink(Info {
                resource: t.resource.clone(),
                object,
                unprintable: false,
            })
        };
        let failed = |errs: &mut Vec<CliError>, e: ClientError| {
            if !(self.ignore_not_found && e.is_not_found()) {
                errs.push(e.into());
            }
        };
        let chunk = if self.sort_by.is_empty() {
            self.chunk_size
        } else {
            0
        };
        for t in types {
            let t = match t {
                Ok(t) => t,
                Err(e) => {
                    errs.push(e);
                    continue;
                }
            };
            let t = &t;
            let ns = self.request_namespace(t);
            if let Some(object) = &t.local {
                found(t, object.clone())?;
                continue;
            }
            if t.names.is_empty() {
                let mut token: Option<String> = None;
                loop {
                    let obj = match list_request(&t.resource, ns, self, chunk, token.as_deref()) {
                        Ok(req) => client.send(&req).await.and_then(|r| self.decode(r)),
                        Err(e) => Err(e.into()),
                    };
                    let obj = match obj {
                        Ok(o) => o,
                        Err(e) => {
                            failed(&mut errs, self.list_error(&t.resource, e));
                            break;
                        }
                    };
                    token = obj
                        .pointer("/metadata/continue")
                        .and_then(Value::as_str)
                        .filter(|c| !c.is_empty())
                        .map(str::to_string);
                    found(t, obj)?;
                    if token.is_none() {
                        break;
                    }
                }
                continue;
            }
            for name in &t.names {
                let got = match object_request(&t.resource, ns, name, self) {
                    Ok(req) => client.send(&req).await.and_then(|r| self.decode(r)),
                    Err(e) => Err(e.into()),
                };
                match got {
                    Ok(obj) => found(t, obj)?,
                    Err(e) => {
                        let e = crate::resource::helper::namespace_missing(client, ns, e).await;
                        failed(&mut errs, e);
                    }
                }
            }
        }
        Ok(FetchErrors {
            refused,
            stream: errs,
        })
    }

    fn print_human(
        &self,
        ctx: &Context,
        mut infos: Vec<Info>,
        errs: Vec<CliError>,
    ) -> Result<(), CliError> {
        if !self.sort_by.is_empty() {
            infos = sort_infos(infos, &self.sort_by)?;
        }
        let mut out = self.human_output(multiple_kinds(&infos));
        for info in &infos {
            self.print_info(ctx, &mut out, info)?;
        }
        self.finish_human(ctx, out, errs)
    }

    fn human_output(&self, multiple_kinds: bool) -> HumanOutput {
        let mut table = self.table.clone();
        table.with_kind = table.with_kind || multiple_kinds;
        HumanOutput {
            printer: HumanPrinter::new(table),
            all_namespaced: !self.all_namespaces,
        }
    }

    fn print_info(
        &self,
        ctx: &Context,
        out: &mut HumanOutput,
        info: &Info,
    ) -> Result<(), CliError> {
        self.print_info_to(ctx, out, info, &mut **ctx.out())
    }

    /// [`Self::print_info`] writing what the printer flushes to `w`.
    fn print_info_to(
        &self,
        ctx: &Context,
        out: &mut HumanOutput,
        info: &Info,
        w: &mut dyn Write,
    ) -> Result<(), CliError> {
        out.all_namespaced = out.all_namespaced && info.resource.namespaced;
        // Without server tables the printer falls back to NAME and AGE per item.
        if info.unprintable {
            return Ok(());
        }
        let rt = resource_type(&info.resource);
        // kubectl ignores the table printer's errors (a sort field missing from the rows
        // prints nothing at all).
        match out.printer.print(&rt, &info.object, ctx.now, w) {
            Err(PrintError::Io(e)) => Err(CliError::Io(e)),
            _ => Ok(()),
        }
    }

    fn finish_human(
        &self,
        ctx: &Context,
        mut out: HumanOutput,
        errs: Vec<CliError>,
    ) -> Result<(), CliError> {
        out.printer.finish(&mut **ctx.out())?;
        if !out.printer.has_written() && !self.ignore_not_found && errs.is_empty() {
            let ns = out.all_namespaced.then_some(self.namespace.as_str());
            ctx.eprint(&format!("{}\n", no_resources_message(ns)));
        }
        self.errors_out(errs, false)
    }

    /// The errors at the end of a run. In the human output, a request path that could not be
    /// built is, when it is the only error, kubectl's `error: …` for an object named on the
    /// command line and a bare line for a list or an object read from a file (observed with
    /// kubectl); other outputs reduce a lone error to itself.
    fn errors_out(&self, mut errs: Vec<CliError>, reduce: bool) -> Result<(), CliError> {
        if let (false, [CliError::Client(ClientError::Path(p))]) = (reduce, errs.as_slice()) {
            let named = self.filenames.is_empty()
                && self.kustomize.is_none()
                && (self.args.len() > 1 || self.args.iter().any(|a| a.contains('/')));
            return Err(if named {
                errs.remove(0)
            } else {
                CliError::Raw(p.to_string())
            });
        }
        if reduce {
            aggregate(errs)
        } else {
            unreduced(errs)
        }
    }

    fn generic_printer(&self) -> Result<GenericPrinter, CliError> {
        let format = self.format.clone().map_err(CliError::msg)?;
        let read = |p: &str| std::fs::read_to_string(p).map_err(|e| open_error(p, &e));
        GenericPrinter::new(&format, &self.generic, &read).map_err(CliError::from)
    }

    fn print_generic(
        &self,
        ctx: &Context,
        infos: Vec<Info>,
        mut errs: Vec<CliError>,
        single_item_implied: bool,
    ) -> Result<(), CliError> {
        if single_item_implied && !errs.is_empty() {
            return print_implied_errors(errs);
        }
        if infos.is_empty() && self.ignore_not_found {
            return self.errors_out(errs, true);
        }
        let mut printer = self.generic_printer()?;
        let mut items = Vec::new();
        let mut lists = 0;
        for info in infos {
            if is_list(&info.object) {
                lists += 1;
                items.extend(list_items(info.object));
            } else {
                items.push(info.object);
            }
        }
        // A single named object prints as itself; everything else as one List.
        let single = single_item_implied && lists == 0;
        let mut obj = generic_object(items, single);
        if !self.sort_by.is_empty() {
            if let Some(Value::Array(items)) = obj.get_mut("items") {
                sort::sort_by(items, &self.sort_by)?;
            }
        }
        {
            let mut out = ctx.out();
            let r = printer
                .print(&obj, &mut **out)
                .and_then(|_| printer.finish(&mut **out));
            if let Err(e) = r {
                errs.push(CliError::from(e));
            }
        }
        self.errors_out(errs, true)
    }

    async fn run_watch(&self, ctx: &Context, types: &[Wanted]) -> Result<(), CliError> {
        let [t] = types else {
            return Err(CliError::msg(
                "watch is only supported on individual resources and resource collections - more than 1 resource was found",
            ));
        };
        let client = ctx.client()?;
        let ns = self.request_namespace(t);
        let (initial, rv, is_list) = match t.names.as_slice() {
            [] => {
                let req = list_request(&t.resource, ns, self, self.chunk_size, None)?;
                let mut list = client
                    .send_json(&req)
                    .await
                    .map_err(|e| self.list_error(&t.resource, e))?;
                let mut token = list
                    .pointer("/metadata/continue")
                    .and_then(Value::as_str)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string);
                let mut chunks = vec![];
                while let Some(c) = token.take() {
                    let req = list_request(&t.resource, ns, self, self.chunk_size, Some(&c))?;
                    let next = client.send_json(&req).await?;
                    token = next
                        .pointer("/metadata/continue")
                        .and_then(Value::as_str)
                        .filter(|c| !c.is_empty())
                        .map(str::to_string);
                    chunks.push(next);
                }
                let rv = chunks
                    .last()
                    .unwrap_or(&list)
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .unwrap_or("0")
                    .to_string();
                let mut all = vec![std::mem::take(&mut list)];
                all.extend(chunks);
                (all, rv, true)
            }
            [name] => {
                let req = object_request(&t.resource, ns, name, self)?;
                let obj = match client.send_json(&req).await {
                    Ok(obj) => obj,
                    Err(e) if e.is_not_found() && self.ignore_not_found => return Ok(()),
                    Err(e) => return Err(crate::resource::helper::namespace_missing(client, ns, e).await.into()),
                };
                (vec![obj], "0".to_string(), false)
            }
            _ => {
                return Err(CliError::msg(
                    "watch is only supported on individual resources and resource collections - more than 1 resource was found",
                ))
            }
        };
        let mut sink = WatchPrinter::new(self, &t.resource)?;
        if !self.watch_only {
            for obj in &initial {
                sink.print(ctx, obj, "ADDED")?;
            }
        }
        // A watch of one object starts with a synthetic ADDED event that was already printed.
        let mut skip_first = !is_list;
        let req = match t.names.as_slice() {
            // helper.WatchSingle: the object's name as the only selector.
            [name] => self
                .transform(ApiRequest::get({
                    // The name is checked as the object's own GET would check it.
                    t.resource.path(ns, Some(name))?;
                    t.resource.path(ns, None)?
                }))
                .query("fieldSelector", format!("metadata.name={name}")),
            _ => list_request(&t.resource, ns, self, 0, None)?,
        }
        .query("resourceVersion", rv);
        let mut stream = client.watch(&req).await?;
        // As kubectl's interrupt handler: a termination signal ends the watch with exit 1 and
        // no message.
        let interrupted = super::interrupt::termination_signal();
        tokio::pin!(interrupted);
        loop {
            let ev = tokio::select! {
                // Polled first, so the handler is in place before the first event is printed.
                biased;
                _ = &mut interrupted => {
                    ctx.out().flush()?;
                    return Err(CliError::Interrupted);
                }
                ev = stream.next() => ev,
            };
            // kubectl ignores how the watch ends (timeout, closed stream, error event).
            let Some(Ok(ev)) = ev else {
                break;
            };
            if ev.event_type == "BOOKMARK" {
                continue;
            }
            if std::mem::take(&mut skip_first) {
                continue;
            }
            sink.print(ctx, &ev.object, &ev.event_type)?;
        }
        Ok(())
    }
}

/// Prints watch output object by object, flushing after each (widths only grow).
enum WatchPrinter {
    Human {
        printer: HumanPrinter,
        rt: ResourceType,
        events: bool,
    },
    Generic {
        printer: GenericPrinter,
        events: bool,
    },
}

impl WatchPrinter {
    fn new(opts: &GetOptions, r: &ApiResource) -> Result<Self, CliError> {
        Ok(if opts.human {
            WatchPrinter::Human {
                printer: HumanPrinter::new(opts.table.clone()),
                rt: resource_type(r),
                events: opts.output_watch_events,
            }
        } else {
            WatchPrinter::Generic {
                printer: opts.generic_printer()?,
                events: opts.output_watch_events,
            }
        })
    }

    fn print(&mut self, ctx: &Context, obj: &Value, event: &str) -> Result<(), CliError> {
        let mut out = ctx.out();
        match self {
            WatchPrinter::Human {
                printer,
                rt,
                events,
            } => {
                if *events {
                    printer.print_event(rt, event, obj, ctx.now, &mut **out)
                } else {
                    printer.print(rt, obj, ctx.now, &mut **out)
                }?;
                printer.flush(&mut **out)?;
            }
            WatchPrinter::Generic { printer, events } => {
                let items = if is_list(obj) {
                    list_items(obj.clone())
                } else {
                    vec![obj.clone()]
                };
                for item in items {
                    if *events {
                        printer.print_watch_event(event, &item, &mut **out)
                    } else {
                        printer.print(&item, &mut **out)
                    }?;
                    printer.finish(&mut **out)?;
                }
            }
        }
        out.flush()?;
        Ok(())
    }
}

/// kubectl's builder: one name, or one `TYPE/NAME` argument, implies a single object.
fn single_item_implied(args: &[String], types: &[ResolvedType]) -> bool {
    if args.iter().any(|a| a.contains('/')) {
        return args.len() == 1 && types.len() == 1;
    }
    types.first().is_some_and(|t| t.names.len() == 1)
}

/// `multipleGVKsRequested`: the responses are of more than one kind.
fn multiple_kinds(infos: &[Info]) -> bool {
    let Some(first) = infos.first() else {
        return false;
    };
    infos.iter().any(|i| {
        (&i.resource.group, &i.resource.version, &i.resource.kind)
            != (
                &first.resource.group,
                &first.resource.version,
                &first.resource.kind,
            )
    })
}

/// A page of a sorted table as it waits for its turn: the Table without its rows, and each
/// row as its text, decoded when it is spooled (a tree of 500 pods is ~6 times their text);
/// any other answer (not a Table) whole.
enum SortPage {
    Table(Value, Vec<Box<serde_json::value::RawValue>>),
    Other(Value),
}

impl SortPage {
    fn decode(resp: &ApiResponse) -> Result<Self, ClientError> {
        use serde_json::value::RawValue;
        resp.check_media_type()?;
        let fields: Option<std::collections::BTreeMap<String, &RawValue>> =
            serde_json::from_slice(&resp.body).ok();
        let text = |k: &str| {
            let v = fields.as_ref()?.get(k)?;
            serde_json::from_str::<&str>(v.get()).ok()
        };
        // What `print::table::is_table` says of the decoded page.
        let table = text("kind") == Some("Table")
            && matches!(
                text("apiVersion"),
                Some("meta.k8s.io/v1") | Some("meta.k8s.io/v1beta1")
            );
        let Some(fields) = fields.filter(|_| table) else {
            return resp.json().map(SortPage::Other);
        };
        let mut head = serde_json::Map::new();
        let mut rows = Vec::new();
        for (k, v) in fields {
            if k == "rows" {
                // Rows that are not a list are no rows, as before.
                rows = serde_json::from_str(v.get()).unwrap_or_default();
                continue;
            }
            let v = serde_json::from_str(v.get()).map_err(|e| {
                ClientError::Decode(format!("unable to decode the server's response: {e}"))
            })?;
            head.insert(k, v);
        }
        Ok(SortPage::Table(Value::Object(head), rows))
    }
}

/// kubectl's `RuntimeSorter` over the answers printed as tables (`get.go` `Run`). Its
/// builder flattens plain lists into their items and leaves server Tables whole (still
/// unstructured objects there, not `metav1.Table`s), so with two answers or more the
/// answers themselves are sorted by `field`: Tables by their own fields (`.kind`,
/// `.metadata.resourceVersion`), and a path none of them has is an error (`get ns,cm
/// --sort-by=.metadata.name`, `get ns a b --sort-by=…`). Then each Table of more than one row
/// has its rows sorted by their objects (`SortingPrinter`); one whose rows cannot be sorted
/// prints nothing.
fn sort_infos(infos: Vec<Info>, field: &str) -> Result<Vec<Info>, CliError> {
    let mut flat = Vec::with_capacity(infos.len());
    for info in infos {
        if is_list(&info.object) && !crate::print::table::is_table(&info.object) {
            let resource = info.resource;
            flat.extend(list_items(info.object).into_iter().map(|object| Info {
                resource: resource.clone(),
                object,
                unprintable: false,
            }));
        } else {
            flat.push(info);
        }
    }
    if flat.len() > 1 {
        let objects: Vec<&Value> = flat.iter().map(|i| &i.object).collect();
        let order = sort::sort_order(&objects, field)?;
        let mut slots: Vec<Option<Info>> = flat.into_iter().map(Some).collect();
        flat = order.iter().filter_map(|&i| slots[i].take()).collect();
    }
    for info in &mut flat {
        if crate::print::table::is_table(&info.object) {
            info.unprintable = sort::sort_table_rows(&mut info.object, field).is_err();
        }
    }
    Ok(flat)
}

/// The errors of a run that implied a single object (nothing else is printed): the
/// builder's error returned as it is, one printing with `error: `.
fn print_implied_errors(mut errs: Vec<CliError>) -> Result<(), CliError> {
    if errs.len() == 1 {
        return Err(errs.remove(0));
    }
    unreduced(errs)
}

/// `utilerrors.Reduce(Flatten(NewAggregate(errs)))`: one error prints as itself (with
/// `error: `), several as kubectl's aggregate (one line each, no `error: `).
fn aggregate(mut errs: Vec<CliError>) -> Result<(), CliError> {
    match errs.len() {
        0 => Ok(()),
        1 => Err(errs.remove(0)),
        _ => unreduced(errs),
    }
}

/// An aggregate kubectl returns without reducing it: even a single error prints without the
/// `error: ` prefix (cmdutil `MultipleErrors`).
fn unreduced(errs: Vec<CliError>) -> Result<(), CliError> {
    if errs.is_empty() {
        return Ok(());
    }
    Err(unreduced_error(errs))
}

/// [`unreduced`] of errors known to be there.
fn unreduced_error(errs: Vec<CliError>) -> CliError {
    CliError::Aggregate(errs.into_iter().map(CliError::into_bare).collect())
}

/// `kubectl get`: kubectl's description.
pub const GET_LONG: &str = r#"Display one or many resources.

 Prints a table of the most important information about the specified resources. You can filter the list using a label selector and the --selector flag. If the desired resource type is namespaced you will only see results in the current namespace if you don't specify any namespace.

 By specifying the output as 'template' and providing a Go template as the value of the --template flag, you can filter the attributes of the fetched resources.

Use "kubectl api-resources" for a complete list of supported resources."#;

/// `kubectl get`: kubectl's examples.
pub const GET_EXAMPLES: &str = r#"Examples:
  # List all pods in ps output format
  kubectl get pods
  
  # List all pods in ps output format with more information (such as node name)
  kubectl get pods -o wide
  
  # List a single replication controller with specified NAME in ps output format
  kubectl get replicationcontroller web
  
  # List deployments in JSON output format, in the "v1" version of the "apps" API group
  kubectl get deployments.v1.apps -o json
  
  # List a single pod in JSON output format
  kubectl get -o json pod web-pod-13je7
  
  # List a pod identified by type and name specified in "pod.yaml" in JSON output format
  kubectl get -f pod.yaml -o json
  
  # List resources from a directory with kustomization.yaml - e.g. dir/kustomization.yaml
  kubectl get -k dir/
  
  # Return only the phase value of the specified pod
  kubectl get -o template pod/web-pod-13je7 --template={{.status.phase}}
  
  # List resource information in custom columns
  kubectl get pod test-pod -o custom-columns=CONTAINER:.spec.containers[0].name,IMAGE:.spec.containers[0].image
  
  # List all replication controllers and services together in ps output format
  kubectl get rc,services
  
  # List one or more resources by their type and names
  kubectl get rc/web service/frontend pods/web-pod-13je7
  
  # List the 'status' subresource for a single pod
  kubectl get pod web-pod-13je7 --subresource status
  
  # List all deployments in namespace 'backend'
  kubectl get deployments.apps --namespace backend
  
  # List all pods existing in all namespaces
  kubectl get pods --all-namespaces"#;

/// `kubectl get`: kubectl's usage (`Use`).
pub const GET_USAGE: &str = r"get [(-o|--output=)json|yaml|kyaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::{Cli, Command};
    use clap::Parser;

    fn args(argv: &[&str]) -> GetArgs {
        let mut full = vec!["kubectl-rs", "get"];
        full.extend_from_slice(argv);
        match Cli::try_parse_from(full).unwrap().command {
            Command::Get(a) => a,
            other => panic!("parsed {other:?}"),
        }
    }

    /// `complete` without a kubeconfig: the namespace is fixed here.
    fn opts(argv: &[&str]) -> GetOptions {
        GetOptions {
            namespace: "team".into(),
            ..args(argv).options(true)
        }
    }

    fn ds() -> ApiResource {
        ApiResource {
            group: "apps".into(),
            version: "v1".into(),
            resource: "daemonsets".into(),
            kind: "DaemonSet".into(),
            singular: "daemonset".into(),
            namespaced: true,
            verbs: vec!["get".into(), "list".into(), "watch".into()],
            short_names: vec!["ds".into()],
            categories: vec!["all".into()],
            subresources: vec![],
        }
    }

    fn url(r: &ApiRequest) -> String {
        r.url("")
    }

    #[test]
    fn flags_parse_like_kubectl() {
        let a = args(&["ds", "-A", "-L", "a,b", "-L", "c", "--no-headers", "-owide"]);
        assert!(a.all_namespaces.value && a.no_headers.value);
        assert_eq!(a.label_columns, ["a", "b", "c"]);
        assert_eq!(a.print.output, "wide");
        let a = args(&["ds", "--server-print=false", "--chunk-size", "0", "-w"]);
        assert!(!a.server_print && a.watch.value);
        assert_eq!(a.chunk_size.value, 0);
        let a = args(&["ds"]);
        assert!(a.server_print && a.print.allow_missing_template_keys);
        assert_eq!(a.chunk_size.value, 500);
        // Flags kubectl does not have are rejected; -k is kubectl's.
        assert!(Cli::try_parse_from(["kubectl-rs", "get", "ds", "--bogus"]).is_err());
        let a = args(&["-k", "dir"]);
        assert_eq!(a.kustomize.dir.as_deref(), Some("dir"));
    }

    #[test]
    fn human_requests_ask_for_tables() {
        let o = opts(&["ds", "-l", "app=x"]);
        let r = list_request(&ds(), Some("team"), &o, 500, None).unwrap();
        assert_eq!(
            url(&r),
            "/apis/apps/v1/namespaces/team/daemonsets?labelSelector=app%3Dx&limit=500"
        );
        assert_eq!(r.accept_value(), TABLE_ACCEPT);
        let r = list_request(&ds(), None, &o, 500, Some("tok")).unwrap();
        assert_eq!(
            url(&r),
            "/apis/apps/v1/daemonsets?continue=tok&labelSelector=app%3Dx&limit=500"
        );
        let o = opts(&["ds", "--sort-by=.metadata.name", "--field-selector=a=b"]);
        let r = list_request(&ds(), Some("team"), &o, 0, None).unwrap();
        assert_eq!(
            url(&r),
            "/apis/apps/v1/namespaces/team/daemonsets?fieldSelector=a%3Db&includeObject=Object"
        );
        let r =
            object_request(&ds(), Some("team"), "x", &opts(&["ds", "x", "-o", "wide"])).unwrap();
        assert_eq!(url(&r), "/apis/apps/v1/namespaces/team/daemonsets/x");
        assert_eq!(r.accept_value(), TABLE_ACCEPT);
    }

    #[test]
    fn other_formats_ask_for_plain_json() {
        for o in [
            &["ds", "-o", "json"][..],
            &["ds", "-o", "name"],
            &["ds", "-o", "custom-columns=A:.a"],
            &["ds", "--template={{.a}}"],
            &["ds", "--server-print=false"],
        ] {
            let r = list_request(&ds(), Some("team"), &opts(o), 500, None).unwrap();
            assert_ne!(r.accept_value(), TABLE_ACCEPT, "{o:?}");
            assert!(!url(&r).contains("includeObject"), "{o:?}");
        }
        // `-o custom-columns` without a value turns server printing off, as in kubectl.
        assert!(!opts(&["ds", "-o", "custom-columns"]).server_print);
    }

    #[test]
    fn validation_errors() {
        let e = |argv: &[&str]| {
            crate::error::render(&opts(argv).validate().unwrap_err())
                .stderr
                .trim_end()
                .to_string()
        };
        assert_eq!(
            e(&["ds", "-o", "yaml", "--show-labels"]),
            "error: --show-labels option cannot be used with yaml printer"
        );
        assert_eq!(
            e(&["ds", "--output-watch-events"]),
            "error: --output-watch-events option can only be used with --watch or --watch-only"
        );
        assert_eq!(
            e(&["--raw", "/api", "-l", "a=b"]),
            "error: --raw may not be specified with other flags that filter the server request or alter the output"
        );
        assert_eq!(
            e(&["--raw", "/api", "-o", "json"]),
            "error: --raw and --output are mutually exclusive"
        );
        assert!(e(&["--raw", "api"]).starts_with("error: --raw must be a valid URL path"));
        assert!(opts(&["ds", "--show-labels", "-o", "wide"])
            .validate()
            .is_ok());
        assert!(opts(&["ds", "-w", "--output-watch-events"])
            .validate()
            .is_ok());
    }

    fn resolved(names: &[&str]) -> ResolvedType {
        ResolvedType {
            resource: ds(),
            names: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn single_item_rules() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(single_item_implied(&a(&["ds", "x"]), &[resolved(&["x"])]));
        assert!(!single_item_implied(
            &a(&["ds", "x", "y"]),
            &[resolved(&["x", "y"])]
        ));
        assert!(!single_item_implied(&a(&["ds"]), &[resolved(&[])]));
        assert!(single_item_implied(&a(&["ds/x"]), &[resolved(&["x"])]));
        assert!(!single_item_implied(
            &a(&["ds/x", "ds/y"]),
            &[resolved(&["x"]), resolved(&["y"])]
        ));
    }

    #[test]
    fn list_items_get_their_kind() {
        let list = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "DaemonSetList",
            "items": [{"metadata": {"name": "a"}}, {"kind": "Other", "apiVersion": "x/v1"}]
        });
        let items = list_items(list.clone());
        assert_eq!(items[0]["kind"], "DaemonSet");
        assert_eq!(items[0]["apiVersion"], "apps/v1");
        assert_eq!(items[1]["kind"], "Other");
        assert!(is_list(&list) && !is_list(&items[0]));
    }

    /// The items are moved out of the list, not copied: a page handed to the streaming
    /// printers costs itself, not twice itself.
    #[test]
    fn list_items_move_the_items() {
        let list = serde_json::json!({
            "apiVersion": "v1", "kind": "PodList",
            "items": (0..300).map(|i| serde_json::json!({
                "metadata": {"name": format!("pod-{i}"), "labels": {"app": "x", "i": i.to_string()}},
                "spec": {"containers": [{"name": "c", "image": "registry.example/app:1.2.3",
                    "env": (0..10).map(|e| serde_json::json!({"name": format!("E{e}"), "value": "v"})).collect::<Vec<_>>()}]},
            })).collect::<Vec<_>>()
        });
        let (copy, whole) = crate::testalloc::peak_heap(|| list.clone());
        drop(copy);
        let (items, peak) = crate::testalloc::peak_heap(|| list_items(list));
        assert_eq!(items.len(), 300);
        assert!(
            peak * 4 < whole,
            "{peak} bytes to take the items of a {whole}-byte list"
        );
    }

    #[test]
    fn list_errors_name_resource_and_selectors() {
        let status = |code: u16, reason: &str| {
            ClientError::Api(Box::new(crate::client::ApiStatus {
                code,
                reason: reason.into(),
                message: "boom".into(),
                details: Value::Null,
                raw: Value::Null,
            }))
        };
        let msg = |o: &GetOptions, e| match o.list_error(&ds(), e) {
            ClientError::Api(s) => s.message,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            msg(&opts(&["ds"]), status(404, "NotFound")),
            "Unable to list \"apps/v1, Resource=daemonsets\": boom"
        );
        assert_eq!(
            msg(&opts(&["ds", "-l", "a"]), status(400, "BadRequest")),
            "Unable to find \"apps/v1, Resource=daemonsets\" that match label selector \"a\", field selector \"\": boom"
        );
        assert_eq!(msg(&opts(&["ds"]), status(403, "Forbidden")), "boom");
    }

    #[test]
    fn kinds_and_sorting() {
        let info = |r: ApiResource, object: Value| Info {
            resource: r,
            object,
            unprintable: false,
        };
        let mut pods = ds();
        pods.kind = "Pod".into();
        let a = info(ds(), Value::Null);
        assert!(!multiple_kinds(&[a.clone(), a.clone()]));
        assert!(multiple_kinds(&[a.clone(), info(pods, Value::Null)]));
        let name = |i: &Info| i.object["metadata"]["name"].as_str().map(str::to_string);
        let table = |rv: &str| {
            serde_json::json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                "metadata": {"resourceVersion": rv}, "columnDefinitions": [], "rows": [
                    {"cells": ["b"], "object": {"metadata": {"name": "b"}}},
                    {"cells": ["a"], "object": {"metadata": {"name": "a"}}}]})
        };
        // Several Tables are sorted as objects: by their own fields, or an error.
        let two = || vec![info(ds(), table("2")), info(ds(), table("10"))];
        assert!(sort_infos(two(), "{.metadata.name}").is_err());
        let sorted = sort_infos(two(), "{.metadata.resourceVersion}").unwrap();
        let rvs: Vec<&Value> = sorted
            .iter()
            .map(|i| &i.object["metadata"]["resourceVersion"])
            .collect();
        // Strings compare in natural order (sortorder.NaturalLess), as kubectl sorts them.
        assert_eq!(rvs, ["2", "10"]);
        // One Table: its rows, by their objects; rows without the field print nothing.
        let one = sort_infos(vec![info(ds(), table("1"))], ".metadata.name").unwrap();
        assert_eq!(one[0].object["rows"][0]["cells"][0], "a");
        assert!(sort_infos(vec![info(ds(), table("1"))], ".x").unwrap()[0].unprintable);
        // Plain lists are flattened into their items, all sorted together.
        let list = |names: &[&str]| {
            let items: Vec<Value> = names
                .iter()
                .map(|n| serde_json::json!({"metadata": {"name": n}}))
                .collect();
            info(
                ds(),
                serde_json::json!({"kind": "DaemonSetList", "items": items}),
            )
        };
        let flat = sort_infos(vec![list(&["c", "a"]), list(&["b"])], ".metadata.name").unwrap();
        let names: Vec<Option<String>> = flat.iter().map(name).collect();
        assert_eq!(
            names,
            [Some("a".into()), Some("b".into()), Some("c".into())]
        );
        assert_eq!(flat[0].object["kind"], "DaemonSet");
        // A lone object is not sorted, so a missing field is no error.
        assert_eq!(sort_infos(vec![list(&["a"])], ".x").unwrap().len(), 1);
        assert!(sort_infos(vec![list(&["a", "b"])], ".x").is_err());
    }

    #[test]
    fn go_style_file_errors() {
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(open_error("f", &e), "open f: no such file or directory");
    }
}

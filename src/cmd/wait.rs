//! `kubectl-rs wait`: waits for conditions on objects (kubectl `pkg/cmd/wait`: `wait.go`,
//! `condition.go`, `json.go`, `delete.go`, `create.go`).
//!
//! `--for` values: `delete`, `create`, `condition=NAME[=VALUE]`, `jsonpath={…}[=VALUE]`
//! (several are AND'ed, in order; `create` is always waited first). Objects are found as
//! kubectl's builder finds them (`TYPE NAME`, `TYPE/NAME`, `-l`, `--all`, `-A`,
//! `--field-selector`, `-f`), then each is listed by name and watched until its condition
//! holds or the one overall `--timeout` runs out.

use std::io::Write;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::client::request::ApiRequest;
use crate::client::{ApiStatus, Client, ClientError};
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::CliError;
use crate::print::custom_columns::relaxed_jsonpath;
use crate::print::gofmt::sprint;
use crate::print::jsonpath::JsonPath;
use crate::print::name::print_name;
use crate::print::{GenericOptions, GenericPrinter, OutputFormat, PrintError};
use crate::resource::targets::{self, FindSpec, Plan, Step, Target};
use crate::resource::{collected_errors, Info};

pub const WAIT_LONG: &str = r#"Wait for a specific condition on one or many resources.

 The command takes multiple resources and waits until the specified condition is seen in the Status field of every given resource.

 Alternatively, the command can wait for the given set of resources to be created or deleted by providing the "create" or "delete" keyword as the value to the --for flag.

 A successful message will be printed to stdout indicating when the specified condition has been met. You can use -o option to change to output destination."#;

pub const WAIT_EXAMPLES: &str = r#"Examples:
  # Wait for the pod "busybox1" to contain the status condition of type "Ready"
  kubectl wait --for=condition=Ready pod/busybox1
  
  # The default value of status condition is true; you can wait for other targets after an equal delimiter (compared after Unicode simple case folding, which is a more general form of case-insensitivity)
  kubectl wait --for=condition=Ready=false pod/busybox1
  
  # Wait for the pod "busybox1" to contain the status phase to be "Running"
  kubectl wait --for=jsonpath='{.status.phase}'=Running pod/busybox1
  
  # Wait for pod "busybox1" to be Ready
  kubectl wait --for='jsonpath={.status.conditions[?(@.type=="Ready")].status}=True' pod/busybox1
  
  # Wait for the service "loadbalancer" to have ingress
  kubectl wait --for=jsonpath='{.status.loadBalancer.ingress}' service/loadbalancer
  
  # Wait for the secret "busybox1" to be created, with a timeout of 30s
  kubectl create secret generic busybox1
  kubectl wait --for=create secret/busybox1 --timeout=30s
  
  # Wait for the pod "busybox1" to be deleted, with a timeout of 60s, after having issued the "delete" command
  kubectl delete pod/busybox1
  kubectl wait --for=delete pod/busybox1 --timeout=60s
  
  # Wait for pod "busybox1" to be created AND reach the "Ready" status condition
  kubectl wait --for=condition=Ready --for=create pod/busybox1
  
  # Wait for pod "busybox1" to reach the "Ready" status OR for its containers to report a "False" readiness state
  until kubectl wait pod/busybox1 --for=condition=Ready --timeout=1s 2>/dev/null || \
  kubectl wait pod/busybox1 --for=condition=ContainersReady=False --timeout=1s 2>/dev/null; \
  do echo "Checking conditions..."; sleep 1; done"#;

/// What kubectl's wait reports when it runs out of time (`wait.ErrorInterrupted`).
const TIMED_OUT: &str = "timed out waiting for the condition";

/// A negative `--timeout` means a week.
const WEEK: Duration = Duration::from_secs(168 * 3600);

/// Wait for a specific condition on one or many resources.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("filename", |a| a.help("identifying the resource.")), mut_arg("recursive", |a| a.default_value("true")))]
#[command(mut_arg("selector", |a| a.help("Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2)")))]
#[command(mut_arg("timeout", |a| a.default_value("30s").help("The length of time to wait before giving up. Zero means check once and don't wait, negative means wait for a week.")))]
pub struct WaitArgs {
    /// `TYPE NAME…`, `TYPE/NAME…` or `TYPE` with `-l`/`--all`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub all: crate::cmd::flags::AllFlag,
    #[command(flatten)]
    pub all_namespaces: crate::cmd::flags::AllNamespacesFlag,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    #[command(flatten)]
    pub field_selector: crate::cmd::flags::FieldSelectorFlag,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    /// The condition to wait on: [create|delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true. Condition values are compared after Unicode simple case folding, which is a more general form of case-insensitivity. Multiple conditions are supported and AND'ed to each other in a sequential order. If --for=create is passed, it is always waited first.
    #[arg(verbatim_doc_comment, long = "for")]
    pub for_conditions: Vec<String>,
    #[command(flatten)]
    pub local: crate::cmd::flags::LocalFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    #[command(flatten)]
    pub wait: crate::cmd::flags::WaitFlags,
}

/// One `--for` condition.
#[derive(Debug, Clone)]
pub enum Condition {
    /// `--for=delete`.
    Delete,
    /// `--for=create`.
    Create,
    /// `--for=condition=NAME[=VALUE]` (VALUE defaults to `true`; both compared case-insensitively).
    Status {
        /// The condition type.
        name: String,
        /// The wanted status.
        value: String,
    },
    /// `--for=jsonpath=EXPR[=VALUE]` (no VALUE: any non-empty result).
    JsonPath {
        /// The parsed (relaxed) expression.
        path: Box<JsonPath>,
        /// The wanted value.
        value: Option<String>,
    },
}

/// Parses the `--for` values as kubectl's `conditionFuncsFor` does.
pub fn parse_conditions(fors: &[String]) -> Result<Vec<Condition>, CliError> {
    let mut out = Vec::new();
    for cond in fors {
        let lower = cond.to_lowercase();
        if lower == "delete" {
            out.push(Condition::Delete);
        } else if lower == "create" {
            out.push(Condition::Create);
        } else if let Some(rest) = cond.strip_prefix("condition=") {
            let (name, value) = match rest.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => (rest.to_string(), "true".to_string()),
            };
            out.push(Condition::Status { name, value });
        } else if let Some(rest) = cond.strip_prefix("jsonpath=") {
            let (expr, value) = split_jsonpath_input(rest)?;
            if expr.is_empty() {
                return Err(CliError::msg("jsonpath expression cannot be empty"));
            }
            let path = JsonPath::parse(&expr)
                .map_err(CliError::msg)?
                .allow_missing_keys(true);
            out.push(Condition::JsonPath {
                path: Box::new(path),
                value,
            });
        } else {
            return Err(CliError::msg(format!(
                "unrecognized condition: {}",
                crate::print::gofmt::go_quote(cond)
            )));
        }
    }
    if out.is_empty() {
        // Go's %q of the (empty) list of conditions.
        return Err(CliError::msg("unrecognized condition: []"));
    }
    Ok(out)
}

/// Splits `EXPR[=VALUE]` on single `=` (`==` stays inside the expression), relaxes the
/// expression and trims quotes off the value.
fn split_jsonpath_input(input: &str) -> Result<(String, Option<String>), CliError> {
    let mut parts = vec![String::new()];
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '=' {
            if chars.peek() == Some(&'=') {
                chars.next();
                parts
                    .last_mut()
                    .unwrap_or(&mut String::new())
                    .push_str("==");
                continue;
            }
            parts.push(String::new());
            continue;
        }
        if let Some(p) = parts.last_mut() {
            p.push(c);
        }
    }
    if parts.len() > 2 {
        return Err(CliError::msg(
            "jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'",
        ));
    }
    let expr = relaxed_jsonpath(&parts[0])?;
    let Some(value) = parts.get(1) else {
        return Ok((expr, None));
    };
    let value = value.trim_matches(|c| c == '\'' || c == '"');
    if value.is_empty() {
        return Err(CliError::msg(
            "jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3",
        ));
    }
    Ok((expr, Some(value.to_string())))
}

/// Parses `--timeout` (a Go duration, possibly negative; a bare `0` is allowed). Negative
/// means a week; zero means check once.
pub fn parse_timeout(s: &str) -> Result<Duration, CliError> {
    // A flag parse error: cobra's usage hint follows.
    let bad = || {
        CliError::Raw(format!(
            "error: invalid argument {s:?} for \"--timeout\" flag: time: {} {s:?}\nSee 'kubectl-rs wait --help' for usage.",
            duration_problem(s)
        ))
    };
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let d = if body == "0" {
        Duration::ZERO
    } else {
        crate::cmd::flags::parse_go_duration(body).ok_or_else(bad)?
    };
    Ok(if negative && !d.is_zero() { WEEK } else { d })
}

/// Why Go's `time.ParseDuration` rejects `s`: the words before `in duration "…"`.
fn duration_problem(s: &str) -> String {
    let mut rest = s.strip_prefix(['-', '+']).unwrap_or(s);
    const UNITS: [&str; 8] = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"];
    while !rest.is_empty() {
        let num = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num == 0 || rest[..num] == *"." {
            break;
        }
        rest = &rest[num..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        match &rest[..unit] {
            "" => return "missing unit in duration".into(),
            u if !UNITS.contains(&u) => {
                return format!(
                    "unknown unit {} in duration",
                    crate::print::gofmt::go_quote(u)
                )
            }
            _ => {}
        }
        rest = &rest[unit..];
    }
    "invalid duration".into()
}

impl Condition {
    /// Checks a live object (condition and jsonpath waits only; others are always true here).
    pub fn check(&self, obj: &Value) -> Result<bool, CliError> {
        match self {
            Condition::Status { name, value } => Ok(status_condition_met(obj, name, value)),
            Condition::JsonPath { path, value } => jsonpath_met(path, value.as_deref(), obj),
            Condition::Delete | Condition::Create => Ok(true),
        }
    }
}

/// Unicode simple case folding, as Go's `strings.EqualFold`.
fn equal_fold(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Whether `status.conditions` has a `type` NAME whose `status` is VALUE, and (when the object
/// has a generation) the condition is not stale.
fn status_condition_met(obj: &Value, name: &str, value: &str) -> bool {
    let Some(conditions) = obj.pointer("/status/conditions").and_then(Value::as_array) else {
        return false;
    };
    for c in conditions {
        let Some(c) = c.as_object() else { continue };
        match c.get("type").and_then(Value::as_str) {
            Some(t) if equal_fold(t, name) => {}
            _ => continue,
        }
        let Some(status) = c.get("status").and_then(Value::as_str) else {
            continue;
        };
        if let Some(generation) = obj.pointer("/metadata/generation").and_then(Value::as_i64) {
            let observed = c
                .get("observedGeneration")
                .and_then(Value::as_i64)
                .or_else(|| {
                    obj.pointer("/status/observedGeneration")
                        .and_then(Value::as_i64)
                });
            if observed.is_some_and(|o| o < generation) {
                return false;
            }
        }
        return equal_fold(status, value);
    }
    false
}

/// kubectl's `JSONPathWait.checkCondition`: exactly one value, compared as Go prints it.
fn jsonpath_met(path: &JsonPath, want: Option<&str>, obj: &Value) -> Result<bool, CliError> {
    let results = path.find_results(obj).map_err(CliError::msg)?;
    if results.first().is_none_or(|r| r.is_empty()) {
        return Ok(false);
    }
    if results.len() > 1 {
        return Err(CliError::msg(
            "given jsonpath expression matches more than one list",
        ));
    }
    if results[0].len() > 1 {
        return Err(CliError::msg(
            "given jsonpath expression matches more than one value",
        ));
    }
    let Some(want) = want else { return Ok(true) };
    let got = &results[0][0];
    if got.is_object() || got.is_array() {
        return Err(CliError::msg(
            "jsonpath leads to a nested object or list which is not supported",
        ));
    }
    Ok(sprint(got).trim() == want.trim())
}

/// kubectl's `Info.ObjectName()` with a mapping (`pods/x`) of an object waited on (as the
/// builder saw it: a GET, a list item, or the file's object).
fn object_name(info: &Info) -> String {
    format!("{}/{}", info.resource.resource, info.name)
}

fn timed_out(info: &Info) -> CliError {
    CliError::msg(format!("{TIMED_OUT} on {}", object_name(info)))
}

fn not_met(info: &Info) -> CliError {
    CliError::msg(format!("condition not met for {}", object_name(info)))
}

/// Items a list page asks for (wait has no `--chunk-size`; kubectl reads the list in one
/// request and holds it).
const LIST_CHUNK: i64 = 500;

/// How success is printed: kubectl's name printer with the operation `condition met`, or `-o`.
enum Printer {
    ConditionMet,
    Generic(Box<GenericPrinter>),
}

impl Printer {
    fn print(&mut self, ctx: &Context, obj: &Value) -> Result<(), CliError> {
        let mut out = ctx.out();
        let r = match self {
            Printer::ConditionMet => print_name(obj, "condition met", false, &mut **out),
            Printer::Generic(p) => p.print(obj, &mut **out).and_then(|_| p.finish(&mut **out)),
        };
        r?;
        out.flush()?;
        Ok(())
    }
}

/// The builder's NotFound for an object that vanished (`pods "x" not found`).
fn not_found(r: &ApiResource, name: &str) -> CliError {
    let message = format!("{} {name:?} not found", r.group_resource());
    let raw = json!({
        "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404,
        "reason": "NotFound", "message": message,
        "details": {"name": name, "group": r.group, "kind": r.resource},
    });
    CliError::Client(ClientError::Api(Box::new(ApiStatus {
        code: 404,
        reason: "NotFound".into(),
        message,
        details: raw["details"].clone(),
        raw,
    })))
}

/// List items lack `apiVersion`/`kind`; client-go's unstructured lists fill them in.
fn with_type(r: &ApiResource, mut obj: Value) -> Value {
    if let Some(m) = obj.as_object_mut() {
        m.entry("apiVersion")
            .or_insert_with(|| Value::String(r.api_version()));
        m.entry("kind")
            .or_insert_with(|| Value::String(r.kind.clone()));
    }
    obj
}

fn meta_str<'a>(obj: &'a Value, key: &str) -> &'a str {
    obj["metadata"][key].as_str().unwrap_or("")
}

impl WaitArgs {
    fn printer(&self, ctx: &Context) -> Result<Printer, CliError> {
        let kyaml = ctx.env.get("KUBECTL_KYAML") != Some("false");
        let template = Some(self.print.template.as_deref().unwrap_or("")).filter(|t| !t.is_empty());
        if self.print.output.is_empty() && template.is_none() {
            return Ok(Printer::ConditionMet);
        }
        let unknown = || {
            let allowed = crate::cmd::flags::allowed_formats(kyaml)
                .into_iter()
                .map(String::from)
                .collect();
            CliError::from(PrintError::UnknownFormat {
                format: self.print.output.clone(),
                allowed,
            })
        };
        let format =
            OutputFormat::parse(&self.print.output, template, kyaml).map_err(|e| match e {
                PrintError::UnknownFormat { .. } => unknown(),
                other => CliError::from(other),
            })?;
        if matches!(
            format,
            OutputFormat::Table { .. }
                | OutputFormat::CustomColumns { .. }
                | OutputFormat::CustomColumnsFile { .. }
        ) {
            return Err(unknown());
        }
        let opts = GenericOptions {
            allow_missing_keys: self.print.allow_missing_template_keys,
            no_headers: false,
            show_managed_fields: self.print.show_managed_fields,
        };
        let read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
        let p = GenericPrinter::new(&format, &opts, &read)?;
        Ok(Printer::Generic(Box::new(p)))
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let timeout = parse_timeout(&self.wait.timeout)?;
        let mut printer = self.printer(ctx)?;
        let conditions = parse_conditions(&self.for_conditions)?;
        // Zero: no deadline, each condition checks once.
        let deadline = (!timeout.is_zero()).then(|| Instant::now() + timeout);
        // As kubectl's interrupt handler around its waits: a termination signal ends the
        // command with exit 1 and no message.
        tokio::select! {
            // Polled first, so the handler is in place before anything is printed.
            biased;
            _ = super::interrupt::termination_signal() => {
                ctx.out().flush()?;
                Err(CliError::Interrupted)
            }
            r = self.wait_all(ctx, &conditions, &mut printer, deadline) => r,
        }
    }

    async fn wait_all(
        &self,
        ctx: &Context,
        conditions: &[Condition],
        printer: &mut Printer,
        deadline: Option<Instant>,
    ) -> Result<(), CliError> {
        let mut plan = self.plan(ctx).await?;
        let builder_errors = plan.take_errors();
        let for_delete = conditions.iter().any(|c| matches!(c, Condition::Delete));
        if conditions.iter().any(|c| matches!(c, Condition::Create)) {
            // kubectl's creation check visits the files too: their errors end it.
            if !builder_errors.is_empty() {
                return finish_errors(builder_errors, Vec::new());
            }
            self.wait_created(ctx, &plan, deadline).await?;
        }
        let mut errors = Vec::new();
        let mut visited = 0usize;
        for step in &plan.steps {
            let infos = match plan.targets(ctx, step).await {
                Ok(infos) => infos,
                Err(e) if for_delete && is_not_found(&e) => continue,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            for i in 0..infos.len() {
                let info = match infos.get(i).and_then(Target::into_info) {
                    Ok(info) => info,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                };
                visited += 1;
                for cond in conditions {
                    match self.wait_one(ctx, cond, &info, deadline).await {
                        Ok(obj) => printer.print(ctx, &obj)?,
                        Err(e) => {
                            errors.push(e);
                            break;
                        }
                    }
                }
            }
        }
        if errors.is_empty() && builder_errors.is_empty() && visited == 0 && !for_delete {
            return Err(CliError::msg("no matching resources found"));
        }
        finish_errors(builder_errors, errors)
    }

    /// What to visit, as kubectl's builder resolves arguments, selectors and files (with
    /// `Latest`: `-f` objects are fetched again; `--local` ones are waited on as read).
    async fn plan(&self, ctx: &Context) -> Result<Plan, CliError> {
        ctx.namespace()?;
        if self.local.value {
            if !self.args.is_empty() {
                return Err(CliError::msg("you must specify resources by --filename when --local is set.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'"));
            }
            if self.files.filename.is_empty() {
                return Err(CliError::msg("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'"));
            }
        }
        let given = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        let spec = FindSpec {
            args: self.args.clone(),
            files: self.files.filename.clone(),
            recursive: self.files.recursive,
            selector: given(self.selector.as_str()),
            all: self.all.value,
            field_selector: given(self.field_selector.as_str()),
            all_namespaces: self.all_namespaces.value,
            as_read: self.local.value,
            chunk_size: LIST_CHUNK,
            ..FindSpec::default()
        };
        targets::build(ctx, &spec).await
    }

    /// `--for=create`: every named object exists (or, for selectors, something matches).
    /// Instead of kubectl's half-second polling, a missing object is awaited with a watch.
    async fn wait_created(
        &self,
        ctx: &Context,
        plan: &Plan,
        deadline: Option<Instant>,
    ) -> Result<(), CliError> {
        let client = ctx.client()?;
        let wait = async {
            loop {
                let mut missing = Vec::new();
                let mut not_found = Vec::new();
                // kubectl's `foundResource`: something was visited (a file object that
                // `-l` filters out is not).
                let mut found_any = plan.steps.iter().any(|s| matches!(s, Step::Ready(_)));
                for s in &plan.steps {
                    match s {
                        Step::Ready(_) => {}
                        Step::Get { .. } => match plan.targets(ctx, s).await {
                            Ok(v) => found_any |= !v.is_empty(),
                            Err(e) if is_not_found(&e) => {
                                missing.push(s);
                                not_found.push(e);
                            }
                            Err(e) => return Err(e),
                        },
                        Step::List { .. } => {
                            if plan.targets(ctx, s).await?.is_empty() {
                                missing.push(s);
                            } else {
                                found_any = true;
                            }
                        }
                    }
                }
                // kubectl's visitor returns one error as itself but several as an aggregate,
                // which no longer reads as NotFound: it ends the wait.
                if not_found.len() > 1 {
                    return collected_errors(Vec::new(), not_found);
                }
                let listing = plan.steps.iter().any(|s| matches!(s, Step::List { .. }));
                // A selector is satisfied by any match; names need every object.
                if found_any && (missing.is_empty() || listing) {
                    return Ok(());
                }
                if deadline.is_none() {
                    return Err(CliError::msg(TIMED_OUT));
                }
                // A watch without a resourceVersion starts with the current matches, so
                // nothing created since the check is missed.
                let mut streams = Vec::new();
                for s in missing {
                    let req = match s {
                        Step::Get {
                            resource,
                            namespace,
                            name,
                            ..
                        } => {
                            // The name is checked as the object's own GET would check it.
                            resource.path(namespace.as_deref(), Some(name))?;
                            ApiRequest::get(resource.path(namespace.as_deref(), None)?)
                                .query("fieldSelector", format!("metadata.name={name}"))
                        }
                        Step::List {
                            resource,
                            namespace,
                        } => plan.list_request(resource, namespace.as_deref())?,
                        Step::Ready(_) => continue,
                    };
                    streams.push(client.watch(&req).await?);
                }
                let mut events = futures_util::stream::select_all(streams);
                loop {
                    match events.next().await {
                        Some(Ok(ev)) if ev.event_type == "ADDED" => break,
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => {
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            break;
                        }
                    }
                }
            }
        };
        match deadline {
            None => wait.await,
            Some(d) => match tokio::time::timeout_at(d, wait).await {
                Ok(r) => r,
                Err(_) => Err(CliError::msg(TIMED_OUT)),
            },
        }
    }

    /// Waits for one condition on one object; the object to print on success.
    async fn wait_one(
        &self,
        ctx: &Context,
        cond: &Condition,
        info: &Info,
        deadline: Option<Instant>,
    ) -> Result<Value, CliError> {
        if info.name.is_empty() {
            return Err(CliError::msg("resource name must be provided"));
        }
        if self.local.value {
            return wait_local(cond, info);
        }
        match cond {
            Condition::Create => Ok(info.object.clone()),
            Condition::Delete => wait_deleted(ctx.client()?, info, deadline).await,
            _ => wait_condition(ctx.client()?, cond, info, deadline).await,
        }
    }
}

/// kubectl's report of one visit: the errors met while waiting, then those of reading the
/// files as one aggregate (`[e1, e2]` when it holds several and is not alone).
fn finish_errors(mut builder: Vec<CliError>, mut waits: Vec<CliError>) -> Result<(), CliError> {
    if waits.is_empty() || builder.len() < 2 {
        waits.append(&mut builder);
        return collected_errors(builder, waits);
    }
    let line = |e: &CliError| {
        let text = crate::error::render(e).stderr;
        let text = text.trim_end();
        text.strip_prefix("error: ").unwrap_or(text).to_string()
    };
    let joined: Vec<String> = builder.iter().map(line).collect();
    waits.push(CliError::Raw(format!("[{}]", joined.join(", "))));
    collected_errors(Vec::new(), waits)
}

fn is_not_found(e: &CliError) -> bool {
    matches!(e, CliError::Client(c) if c.is_not_found())
}

/// `--local`: the file's object is the only state (kubectl itself crashes here); checked once.
fn wait_local(cond: &Condition, info: &Info) -> Result<Value, CliError> {
    let met = match cond {
        Condition::Create => true,
        Condition::Delete => false,
        other => other.check(&info.object)?,
    };
    if met {
        Ok(info.object.clone())
    } else {
        Err(not_met(info))
    }
}

/// Runs `until` with the deadline (none: no limit), mapping running out to the named timeout.
async fn with_deadline<F>(
    info: &Info,
    deadline: Option<Instant>,
    until: F,
) -> Result<Value, CliError>
where
    F: std::future::Future<Output = Result<Value, CliError>>,
{
    let Some(d) = deadline else {
        return until.await;
    };
    if Instant::now() >= d {
        return Err(timed_out(info));
    }
    match tokio::time::timeout_at(d, until).await {
        Ok(r) => r,
        Err(_) => Err(timed_out(info)),
    }
}

/// A settled wait (the object to print, or the error), or `None` to keep watching.
type Verdict = Option<Result<Value, CliError>>;

/// client-go's `UntilWithSync` on one name: list it (`fieldSelector=metadata.name=…`), let
/// `on_list` judge the listed state (`None`: absent), then watch from the list's version,
/// handing each event to `on_event` until it returns an object. A watch that ends or fails is
/// followed by a fresh list, as an informer's reflector does.
async fn until_with_sync(
    client: &Client,
    info: &Info,
    on_list: &mut (dyn FnMut(Option<Value>, bool) -> Verdict + Send),
    on_event: &mut (dyn FnMut(&str, Value) -> Verdict + Send),
) -> Result<Value, CliError> {
    // The name is checked as the object's own GET would check it.
    info.resource
        .path(info.namespace.as_deref(), Some(&info.name))?;
    let collection = info.resource.path(info.namespace.as_deref(), None)?;
    let selector = format!("metadata.name={}", info.name);
    let mut first = true;
    loop {
        let req = ApiRequest::get(collection.clone()).query("fieldSelector", selector.clone());
        let list = client.send_json(&req).await?;
        let item = list["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| meta_str(i, "name") == info.name))
            .cloned()
            .map(|o| with_type(&info.resource, o));
        if let Some(r) = on_list(item, std::mem::take(&mut first)) {
            return r;
        }
        let rv = meta_str(&list, "resourceVersion").to_string();
        let Some(mut stream) =
            crate::resource::helper::watch_named(client, collection.clone(), &selector, rv).await?
        else {
            continue;
        };
        while let Some(ev) = stream.next().await {
            let Ok(ev) = ev else { break };
            if ev.event_type == "BOOKMARK" {
                continue;
            }
            if let Some(r) = on_event(&ev.event_type, with_type(&info.resource, ev.object)) {
                return r;
            }
        }
        // The reflector backs off before listing again.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `--for=condition=…` / `--for=jsonpath=…` on one object.
async fn wait_condition(
    client: &Client,
    cond: &Condition,
    info: &Info,
    deadline: Option<Instant>,
) -> Result<Value, CliError> {
    let Some(_) = deadline else {
        let obj = client
            .get_json(
                &info
                    .resource
                    .path(info.namespace.as_deref(), Some(&info.name))?,
            )
            .await?;
        let obj = with_type(&info.resource, obj);
        return if cond.check(&obj)? {
            Ok(obj)
        } else {
            Err(not_met(info))
        };
    };
    let judge = |obj: Value| match cond.check(&obj) {
        Ok(true) => Some(Ok(obj)),
        Ok(false) => None,
        Err(e) => Some(Err(e)),
    };
    let mut on_list = |item: Option<Value>, first: bool| match item {
        Some(obj) => judge(obj),
        // Gone at the first sync: the informer's precondition reports it.
        None if first => Some(Err(not_found(&info.resource, &info.name))),
        None => None,
    };
    let mut on_event = |kind: &str, obj: Value| {
        if kind == "DELETED" {
            return None;
        }
        judge(obj)
    };
    with_deadline(
        info,
        deadline,
        until_with_sync(client, info, &mut on_list, &mut on_event),
    )
    .await
}

/// `--for=delete` on one object: gone (404), or a `DELETED` event.
async fn wait_deleted(
    client: &Client,
    info: &Info,
    deadline: Option<Instant>,
) -> Result<Value, CliError> {
    if deadline.is_some_and(|d| Instant::now() >= d) {
        // kubectl's GET runs on the expired context and fails in client-go's rate limiter.
        return Err(CliError::msg(
            "client rate limiter Wait returned an error: context deadline exceeded",
        ));
    }
    let path = info
        .resource
        .path(info.namespace.as_deref(), Some(&info.name))?;
    let gotten = match client.get_json(&path).await {
        Ok(v) => with_type(&info.resource, v),
        Err(e) if e.is_not_found() => return Ok(info.object.clone()),
        Err(e) => return Err(e.into()),
    };
    if deadline.is_none() {
        return Err(not_met(info));
    }
    let done = gotten.clone();
    let mut on_list = |item: Option<Value>, _first: bool| match item {
        None => Some(Ok(done.clone())),
        Some(_) => None,
    };
    let mut on_event = |kind: &str, _obj: Value| (kind == "DELETED").then(|| Ok(done.clone()));
    with_deadline(
        info,
        deadline,
        until_with_sync(client, info, &mut on_list, &mut on_event),
    )
    .await
}

/// `kubectl wait`: kubectl's usage (`Use`).
pub const WAIT_USAGE: &str = r"wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]]";

#[cfg(test)]
mod tests {
    use super::*;

    fn conds(v: &[&str]) -> Result<Vec<Condition>, String> {
        let v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        parse_conditions(&v).map_err(|e| crate::error::render(&e).stderr)
    }

    #[test]
    fn for_values() {
        assert!(matches!(conds(&["DELETE"]).unwrap()[0], Condition::Delete));
        assert!(matches!(conds(&["create"]).unwrap()[0], Condition::Create));
        match &conds(&["condition=Ready=False"]).unwrap()[0] {
            Condition::Status { name, value } => {
                assert_eq!((&**name, &**value), ("Ready", "False"))
            }
            other => panic!("{other:?}"),
        }
        match &conds(&["condition=Ready"]).unwrap()[0] {
            Condition::Status { value, .. } => assert_eq!(value, "true"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            conds(&["bogus"]).unwrap_err(),
            "error: unrecognized condition: \"bogus\"\n"
        );
        assert_eq!(
            conds(&[]).unwrap_err(),
            "error: unrecognized condition: []\n"
        );
        assert_eq!(
            conds(&["jsonpath={.a}="]).unwrap_err(),
            "error: jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3\n"
        );
        assert_eq!(
            conds(&["jsonpath={.a}=b=c"]).unwrap_err(),
            "error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'\n"
        );
        assert_eq!(
            conds(&["jsonpath="]).unwrap_err(),
            "error: jsonpath expression cannot be empty\n"
        );
        assert_eq!(
            conds(&["jsonpath={.a"]).unwrap_err(),
            "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'\n"
        );
    }

    #[test]
    fn jsonpath_split_keeps_double_equals() {
        let (expr, value) = split_jsonpath_input("{.items[?(@.a==\"x\")].b}='3'").unwrap();
        assert_eq!(expr, "{.items[?(@.a==\"x\")].b}");
        assert_eq!(value.as_deref(), Some("3"));
        let (expr, value) = split_jsonpath_input(".status.phase").unwrap();
        assert_eq!((expr.as_str(), value), ("{.status.phase}", None));
    }

    #[test]
    fn status_conditions() {
        let pod = json!({"metadata": {"generation": 2}, "status": {"observedGeneration": 2,
            "conditions": [{"type": "Ready", "status": "True"}, "junk"]}});
        assert!(status_condition_met(&pod, "ready", "TRUE"));
        assert!(!status_condition_met(&pod, "Ready", "false"));
        assert!(!status_condition_met(&pod, "Other", "true"));
        let stale = json!({"metadata": {"generation": 3}, "status": {"observedGeneration": 2,
            "conditions": [{"type": "Ready", "status": "True"}]}});
        assert!(!status_condition_met(&stale, "Ready", "true"));
        let own = json!({"metadata": {"generation": 3}, "status": {"observedGeneration": 2,
            "conditions": [{"type": "Ready", "status": "True", "observedGeneration": 3}]}});
        assert!(status_condition_met(&own, "Ready", "true"));
        assert!(!status_condition_met(&json!({}), "Ready", "true"));
    }

    #[test]
    fn jsonpath_checks() {
        let obj = json!({"status": {"phase": "Running", "n": 2, "list": [1, 2], "m": {}}});
        let check = |f: &str| {
            let c = conds(&[f]).unwrap().remove(0);
            c.check(&obj).map_err(|e| crate::error::render(&e).stderr)
        };
        assert_eq!(check("jsonpath={.status.phase}=Running"), Ok(true));
        assert_eq!(check("jsonpath={.status.phase}=Pending"), Ok(false));
        assert_eq!(check("jsonpath={.status.n}=2"), Ok(true));
        assert_eq!(check("jsonpath={.status.phase}"), Ok(true));
        assert_eq!(check("jsonpath={.status.missing}"), Ok(false));
        assert_eq!(
            check("jsonpath={.status.m}=x"),
            Err("error: jsonpath leads to a nested object or list which is not supported\n".into())
        );
        assert_eq!(
            check("jsonpath={.status.list[*]}=x"),
            Err("error: given jsonpath expression matches more than one value\n".into())
        );
    }

    #[test]
    fn wait_errors_come_before_file_errors() {
        let text = |r: Result<(), CliError>| crate::error::render(&r.unwrap_err()).stderr;
        let m = |s: &str| CliError::msg(s);
        assert_eq!(
            text(finish_errors(vec![m("f1"), m("f2")], vec![m("w1")])),
            "w1\n[f1, f2]\n"
        );
        assert_eq!(
            text(finish_errors(vec![m("f1")], vec![m("w1")])),
            "w1\nf1\n"
        );
        assert_eq!(
            text(finish_errors(vec![m("f1"), m("f2")], vec![])),
            "f1\nf2\n"
        );
        assert_eq!(text(finish_errors(vec![], vec![m("w1")])), "error: w1\n");
        assert!(finish_errors(vec![], vec![]).is_ok());
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_timeout("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_timeout("-1s").unwrap(), WEEK);
        let err = |s: &str| crate::error::render(&parse_timeout(s).unwrap_err()).stderr;
        assert_eq!(
            err("1"),
            "error: invalid argument \"1\" for \"--timeout\" flag: time: missing unit in duration \"1\"\nSee 'kubectl-rs wait --help' for usage.\n"
        );
        assert!(err("-1").contains("time: missing unit in duration \"-1\""));
        assert!(err("1x").contains("time: unknown unit \"x\" in duration \"1x\""));
        assert!(err("").contains("time: invalid duration \"\""));
        assert!(err("soon").contains("time: invalid duration \"soon\""));
    }
}

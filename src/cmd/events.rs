//! `kubectl-rs events`: lists (or watches) core/v1 Events, oldest first, as kubectl
//! `pkg/cmd/events` does (it reads `/api/v1` events, not `events.k8s.io`): `--for TYPE/NAME`
//! becomes an `involvedObject` field selector, `--types` filters client-side.

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::client::{ApiRequest, ResourcePath};
use crate::cmd::flags::PrintSpec;
use crate::context::Context;
use crate::error::CliError;
use crate::print::spool::Spool;
use crate::print::spooled::{stream_spooled, SpooledItems};
use crate::print::stream::ListStreamer;
use crate::print::tabwriter::TabWriter;

/// kubectl's long help of `events`.
pub const EVENTS_LONG: &str = "Display events.

 Prints a table of the most important information about events. You can request events for a namespace, for all namespace, or filtered to only those pertaining to a specified resource.";

/// kubectl's examples of `events`.
pub const EVENTS_EXAMPLES: &str = r"Examples:
  # List recent events in the default namespace
  kubectl events
  
  # List recent events in all namespaces
  kubectl events --all-namespaces
  
  # List recent events for the specified pod, then wait for more events and list them as they arrive
  kubectl events --for pod/web-pod-13je7 --watch
  
  # List recent events in YAML format
  kubectl events -oyaml
  
  # List recent only events of type 'Warning' or 'Normal'
  kubectl events --types=Warning,Normal";

/// `kubectl events`: kubectl's usage (`Use`), with the v1.36 format list.
pub const EVENTS_USAGE: &str = "events [(-o|--output=)json|yaml|kyaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file] [--for TYPE/NAME] [--watch] [--types=Normal,Warning]";

/// List events.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "List events")]
#[command(mut_arg("no_headers", |a| a.help("When using the default output format, don't print headers.")))]
#[command(mut_arg("watch", |a| a.help("After listing the requested events, watch for more events.")))]
pub struct EventsArgs {
    #[command(flatten)]
    pub all_namespaces: crate::cmd::flags::AllNamespacesFlag,
    #[command(flatten)]
    pub chunk_size: crate::cmd::flags::ChunkSizeFlag,
    /// Filter events to only those pertaining to the specified resource.
    #[arg(verbatim_doc_comment, long = "for", default_value = "")]
    pub for_object: String,
    #[command(flatten)]
    pub no_headers: crate::cmd::flags::NoHeadersFlag,
    /// Output only events of given types.
    #[arg(
        verbatim_doc_comment,
        long,
        value_name = "strings",
        value_delimiter = ','
    )]
    pub types: Vec<String>,
    #[command(flatten)]
    pub watch: crate::cmd::flags::WatchFlag,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
}

/// When an event last happened (kubectl's sort key): the series' last observation, else
/// `lastTimestamp`, else `eventTime`.
fn event_time(e: &Value) -> Option<DateTime<Utc>> {
    let parse = |v: &Value| {
        v.as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    if e["series"].is_object() {
        return parse(&e["series"]["lastObservedTime"]);
    }
    parse(&e["lastTimestamp"]).or_else(|| parse(&e["eventTime"]))
}

/// What kubectl says when no event is left to print.
fn no_events(ctx: &Context, all_namespaces: bool, namespace: &str) {
    if all_namespaces {
        ctx.eprint("No events found.\n");
    } else {
        ctx.eprint(&format!("No events found in {namespace} namespace.\n"));
    }
}

/// The LAST SEEN column (`getInterval`).
fn interval(e: &Value, now: DateTime<Utc>) -> String {
    let since = |v: &Value| match v
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    {
        Some(t) => kcore::duration::human_duration(now - t.with_timezone(&Utc)),
        None => "<unknown>".to_string(),
    };
    let first = if e["eventTime"].as_str().is_some_and(|s| !s.is_empty()) {
        since(&e["eventTime"])
    } else {
        since(&e["firstTimestamp"])
    };
    if e["series"].is_object() {
        format!(
            "{} (x{} over {first})",
            since(&e["series"]["lastObservedTime"]),
            e["series"]["count"].as_i64().unwrap_or(0)
        )
    } else if e["count"].as_i64().unwrap_or(0) > 1 {
        format!(
            "{} (x{} over {first})",
            since(&e["lastTimestamp"]),
            e["count"].as_i64().unwrap_or(0)
        )
    } else {
        first
    }
}

/// `printers.EscapeTerminal`: control characters that could drive a terminal are escaped.
fn escape_terminal(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\t' && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The event printer (`EventPrinter`): headings once, then one row per event.
struct EventTable {
    /// One writer for the whole run: a watch's rows line up with what came before
    /// (cli-runtime's tabwriter remembers widths across flushes).
    tw: TabWriter,
    no_headers: bool,
    all_namespaces: bool,
    headers_printed: bool,
}

impl EventTable {
    /// The headings, once (none with `--no-headers`).
    fn headers(&mut self) {
        if !self.no_headers && !self.headers_printed {
            if self.all_namespaces {
                self.tw.write_str("NAMESPACE\t");
            }
            self.tw
                .write_str("LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n");
            self.headers_printed = true;
        }
    }

    /// One event's line, its cells separated by tabs.
    fn row(&self, e: &Value, now: DateTime<Utc>) -> String {
        let mut line = String::new();
        if self.all_namespaces {
            line.push_str(e["metadata"]["namespace"].as_str().unwrap_or_default());
            line.push('\t');
        }
        let s = |v: &Value| escape_terminal(v.as_str().unwrap_or_default());
        line.push_str(&format!(
            "{}\t{}\t{}\t{}/{}\t{}\n",
            interval(e, now),
            s(&e["type"]),
            s(&e["reason"]),
            s(&e["involvedObject"]["kind"]),
            s(&e["involvedObject"]["name"]),
            escape_terminal(e["message"].as_str().unwrap_or_default().trim()),
        ));
        line
    }

    fn rows(&mut self, events: &[Value], now: DateTime<Utc>) -> String {
        self.headers();
        for e in events {
            let line = self.row(e, now);
            self.tw.write_str(&line);
        }
        self.tw.flush_to_string()
    }

    /// The table of every event, oldest first, from their lines and times: kubectl sorts
    /// the events (`sort.Sort`, not stable) before printing; sorting the lines with the same
    /// comparisons gives the same order.
    fn sorted(&mut self, mut lines: Vec<(Option<DateTime<Utc>>, String)>) -> String {
        kcore::gosort::sort(&mut lines, |a, b| a.0 < b.0);
        self.headers();
        for (_, line) in &lines {
            self.tw.write_str(line);
        }
        self.tw.flush_to_string()
    }
}

impl EventsArgs {
    /// `decodeResourceTypeName`: `--for TYPE/NAME` as the kind, group/version and name.
    async fn for_object(
        &self,
        ctx: &Context,
    ) -> Result<Option<(String, String, String)>, CliError> {
        if self.for_object.is_empty() {
            return Ok(None);
        }
        if !self.for_object.contains('/') {
            return Err(CliError::msg("--for must be in resource/name form"));
        }
        let seg: Vec<&str> = self.for_object.split('/').collect();
        if seg.len() != 2 {
            return Err(CliError::msg(
                "arguments in resource/name form may not have more than one slash",
            ));
        }
        let ty = seg[0].to_lowercase();
        let types = crate::resource::resolve_args(ctx, std::slice::from_ref(&ty), "kubectl")
            .await
            .map_err(crate::resource::no_resource_match)?;
        let Some(t) = types.into_iter().next() else {
            return Err(CliError::msg("--for must be in resource/name form"));
        };
        Ok(Some((
            t.resource.kind.clone(),
            t.resource.api_version(),
            seg[1].to_string(),
        )))
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let (namespace, _) = ctx.namespace()?;
        let for_object = self.for_object(ctx).await?;
        let mut types: Vec<String> = self
            .types
            .iter()
            .filter(|t| !t.is_empty())
            .cloned()
            .collect();
        types.sort();
        types.dedup();
        let spec = if self.print.output.is_empty() {
            None
        } else {
            Some(self.print.spec(ctx)?)
        };
        if types
            .iter()
            .any(|t| !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning"))
        {
            return Err(CliError::msg("valid --types are Normal or Warning"));
        }
        let all = self.all_namespaces.value;
        let path = ResourcePath {
            group: "",
            version: "v1",
            resource: "events",
            namespace: (!all).then_some(namespace.as_str()),
            name: None,
            subresource: None,
        }
        .build()?;
        let field = for_object.map(|(kind, api_version, name)| {
            format!(
                "involvedObject.kind={kind},involvedObject.apiVersion={api_version},involvedObject.name={name}"
            )
        });
        let wanted = |e: &Value| {
            types.is_empty()
                || types
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(e["type"].as_str().unwrap_or_default()))
        };
        let mut table = EventTable {
            tw: TabWriter::kubectl(),
            no_headers: self.no_headers.value,
            all_namespaces: all,
            headers_printed: false,
        };
        if self.watch.value {
            return self
                .watch(
                    ctx,
                    path,
                    field.as_deref(),
                    &wanted,
                    spec.as_ref(),
                    &mut table,
                )
                .await;
        }
        // kubectl lists 500 at a time whatever --chunk-size says. Each event is dropped once
        // its page is read: the table keeps its line, other formats (kubectl's typed
        // `EventList` of every event, sorted) its text in a spool on disk; both, its time.
        let mut lines = Vec::new();
        let mut spool = match spec {
            Some(_) => Some(Spool::new()?),
            None => None,
        };
        let mut times = Vec::new();
        let mut io_err = None;
        crate::resource::helper::for_each_chunk(
            ctx,
            path,
            "events",
            None,
            field.as_deref(),
            500,
            |page| {
                for e in page.iter().filter(|e| wanted(e)) {
                    match &mut spool {
                        None => lines.push((event_time(e), table.row(e, ctx.now))),
                        Some(spool) => {
                            times.push(event_time(e));
                            if let Err(err) = spool.push(e) {
                                io_err.get_or_insert(err);
                            }
                        }
                    }
                }
            },
        )
        .await?;
        if let Some(e) = io_err {
            return Err(e.into());
        }
        let (Some(spec), Some(spool)) = (spec, spool) else {
            if lines.is_empty() {
                no_events(ctx, all, &namespace);
                return Ok(());
            }
            let text = table.sorted(lines);
            std::io::Write::write_all(&mut **ctx.out(), text.as_bytes())?;
            return Ok(());
        };
        if times.is_empty() {
            no_events(ctx, all, &namespace);
            return Ok(());
        }
        // The name printer refuses typed lists (kubectl ignores that error): nothing.
        if self.print.output == "name" {
            return Ok(());
        }
        // Go's sort.Sort, not stable: equal times end in the order only it gives (the same
        // comparisons over the indices give the same order).
        let mut order: Vec<usize> = (0..times.len()).collect();
        kcore::gosort::sort(&mut order, |&a, &b| times[a] < times[b]);
        let events = SpooledItems::with_decode(
            spool,
            order,
            Box::new(|_, text| {
                let mut e: Value = serde_json::from_slice(text)?;
                if e.get("kind").is_none() {
                    e["kind"] = json!("Event");
                    e["apiVersion"] = json!("v1");
                }
                Ok(e)
            }),
        );
        // JSON and YAML are written event by event; templates see the list whole.
        let mut printer = match spec.printer()?.map(|p| p.typed()) {
            Some(p) => match ListStreamer::typed_list(p, "EventList") {
                Ok(streamer) => {
                    stream_spooled(streamer, &events, &mut **ctx.out())?;
                    return Ok(());
                }
                Err(p) => Some(*p),
            },
            None => None,
        };
        let list = json!({
            "kind": "EventList",
            "apiVersion": "v1",
            "metadata": {},
            "items": events.read_all()?,
        });
        spec.print(ctx, printer.as_mut(), &list, "events")?;
        if let Some(p) = printer.as_mut() {
            p.finish(&mut **ctx.out())?;
        }
        Ok(())
    }

    /// `runWatch`: every event the watch brings (deletions aside), as it arrives, until
    /// interrupted.
    async fn watch(
        &self,
        ctx: &Context,
        path: crate::client::ApiPath,
        field: Option<&str>,
        wanted: &dyn Fn(&Value) -> bool,
        spec: Option<&PrintSpec>,
        table: &mut EventTable,
    ) -> Result<(), CliError> {
        let mut req = ApiRequest::get(path).query("limit", "500");
        if let Some(f) = field {
            req = req.query("fieldSelector", f);
        }
        let mut stream = ctx.client()?.watch(&req).await?;
        let mut printer = match spec {
            Some(s) => s.printer()?.map(|p| p.typed()),
            None => None,
        };
        let interrupted = super::interrupt::termination_signal();
        tokio::pin!(interrupted);
        loop {
            let ev = tokio::select! {
                biased;
                _ = &mut interrupted => return Err(CliError::Interrupted),
                ev = stream.next() => ev,
            };
            let Some(Ok(ev)) = ev else {
                return Ok(());
            };
            if ev.event_type == "DELETED" || ev.event_type == "BOOKMARK" || !wanted(&ev.object) {
                continue;
            }
            let mut obj = ev.object.clone();
            if obj.get("kind").is_none() {
                obj["kind"] = json!("Event");
                obj["apiVersion"] = json!("v1");
            }
            match spec {
                None => {
                    let now = chrono::Utc::now();
                    let text = table.rows(std::slice::from_ref(&obj), now);
                    std::io::Write::write_all(&mut **ctx.out(), text.as_bytes())?;
                }
                Some(s) => s.print(ctx, printer.as_mut(), &obj, "events")?,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_as_kubectl() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:01:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let single = json!({"firstTimestamp": "2026-01-01T00:00:50Z", "lastTimestamp": "2026-01-01T00:00:50Z", "count": 1});
        assert_eq!(interval(&single, now), "10s");
        let repeated = json!({"firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:55Z", "count": 3});
        assert_eq!(interval(&repeated, now), "5s (x3 over 60s)");
        assert_eq!(interval(&json!({}), now), "<unknown>");
    }

    /// The table from each event's line and time is the table of the sorted events, equal
    /// times included (Go's unstable sort orders them the same way both times).
    #[test]
    fn sorted_lines_print_as_the_sorted_events() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:10:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let events: Vec<Value> = (0..50)
            .map(|i| {
                let t = format!("2026-01-01T00:0{}:00Z", (i * 7) % 5);
                match i % 3 {
                    0 => json!({"lastTimestamp": t, "firstTimestamp": t, "count": i % 4,
                        "type": "Normal", "reason": format!("R{i}"), "message": format!("m{i}\u{1b}"),
                        "involvedObject": {"kind": "Pod", "name": format!("p{i}")},
                        "metadata": {"namespace": format!("ns{}", i % 2)}}),
                    1 => json!({"eventTime": format!("2026-01-01T00:0{}:00.000000Z", i % 5),
                        "series": {"lastObservedTime": t, "count": 3}, "type": "Warning",
                        "reason": "Series", "message": " long message text ",
                        "involvedObject": {"kind": "Node", "name": "n"}, "metadata": {}}),
                    _ => json!({"type": "Normal", "reason": "NoTime", "metadata": {}}),
                }
            })
            .collect();
        for all_namespaces in [false, true] {
            for n in [0, 1, 12, 13, 50] {
                let table = || EventTable {
                    tw: TabWriter::kubectl(),
                    no_headers: false,
                    all_namespaces,
                    headers_printed: false,
                };
                let mut sorted = events[..n].to_vec();
                kcore::gosort::sort(&mut sorted, |a, b| event_time(a) < event_time(b));
                let want = table().rows(&sorted, now);
                let t = table();
                let lines = events[..n]
                    .iter()
                    .map(|e| (event_time(e), t.row(e, now)))
                    .collect();
                let mut t = t;
                assert_eq!(t.sorted(lines), want, "{n} events");
            }
        }
    }

    #[test]
    fn sorted_by_last_time() {
        let a = json!({"lastTimestamp": "2026-01-01T00:00:05Z"});
        let b = json!({"eventTime": "2026-01-01T00:00:01.000000Z"});
        assert!(event_time(&b) < event_time(&a));
    }
}

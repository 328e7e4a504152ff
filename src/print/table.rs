//! kubectl's human-readable printer (`get` without `-o`, and `-o wide`): renders server-side
//! `meta.k8s.io` Tables as cli-runtime's `HumanReadablePrinter` does (`printers/tableprinter.go`),
//! with the decorations `get` asks for (NAMESPACE, `-L`, `--show-labels`, kind prefixes), the
//! blank line between resource types (`get.go` `separatorWriterWrapper`), and the client-side
//! fallbacks for objects that are not Tables (`NAME AGE`) and for `Status` objects.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::age::translate_timestamp_since;
use super::gofmt::sprint;
use super::tabwriter::TabWriter;
use super::PrintError;

/// How `get` wants tables decorated; fixed for one invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// `--no-headers`.
    pub no_headers: bool,
    /// `-o wide`: also print columns with priority > 0.
    pub wide: bool,
    /// `-A`: prepend NAMESPACE for namespaced resource types.
    pub all_namespaces: bool,
    /// `--show-labels`: append a LABELS column.
    pub show_labels: bool,
    /// `-L/--label-columns` keys, one column each (header = upper-cased last `/` segment).
    pub label_columns: Vec<String>,
    /// Prefix names with `kind.group/` (`--show-kind`, or several kinds in the result).
    pub with_kind: bool,
}

/// The resource type a printed object belongs to (kubectl's REST mapping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    /// API group, empty for the core group.
    pub group: String,
    /// Kind, e.g. `DaemonSet`.
    pub kind: String,
    /// Plural resource name, e.g. `daemonsets`; a change of resource starts a new table.
    pub resource: String,
    /// Namespaced (true) or cluster-scoped (false).
    pub namespaced: bool,
}

impl ResourceType {
    /// `strings.ToLower(GroupKind.String())`: `daemonset.apps`, `pod`.
    pub fn lower_group_kind(&self) -> String {
        lower_group_kind(&self.group, &self.kind)
    }
}

/// `strings.ToLower(GroupKind{group, kind}.String())`.
pub fn lower_group_kind(group: &str, kind: &str) -> String {
    if group.is_empty() {
        kind.to_lowercase()
    } else {
        format!("{}.{}", kind, group).to_lowercase()
    }
}

/// `get`'s message when nothing was printed (the caller writes it to stderr):
/// `No resources found in <ns> namespace.` or `No resources found`.
pub fn no_resources_message(namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) => format!("No resources found in {ns} namespace."),
        None => "No resources found".to_string(),
    }
}

/// apimachinery `labels.FormatLabels`: sorted `k=v` joined by `,`, `<none>` when empty.
pub fn format_labels(labels: Option<&serde_json::Map<String, Value>>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = labels {
        for (k, v) in m {
            parts.push(format!("{}={}", k, v.as_str().unwrap_or_default()));
        }
    }
    if parts.is_empty() {
        "<none>".to_string()
    } else {
        parts.join(",")
    }
}

/// cli-runtime `WriteEscaped`/`EscapeTerminal`: neutralises terminal escapes.
pub fn escape_terminal(s: &str) -> String {
    if !s.contains(['\x1b', '\r']) {
        return s.to_string();
    }
    s.replace('\x1b', "^[").replace('\r', "\\r")
}

/// Which client-side handler printed last (headers are repeated only when it changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Handler {
    Status,
    ObjectMeta,
}

/// A row's cells; `None` is Go's nil cell (printed empty).
type Row = Vec<Option<Value>>;

#[derive(Debug, Clone, PartialEq)]
struct Column {
    name: String,
    kind: String,
    format: String,
    priority: i64,
}

/// The human-readable printer of one `get` invocation. Feed it every object (server Tables,
/// lists or single objects) in order with their resource type, then call
/// [`HumanPrinter::finish`]; it handles headers, kind prefixes and the blank line between types.
#[derive(Debug)]
pub struct HumanPrinter {
    opts: TableOptions,
    tw: TabWriter,
    /// `group/resource` of the current resource type.
    current: Option<(String, String)>,
    /// Bytes written to the output so far.
    written: usize,
    /// A blank line is due before the next non-empty output.
    separator_ready: bool,
    last_columns: Option<Vec<Column>>,
    printed_headers: bool,
    last_handler: Option<Handler>,
    /// Formatted watch event type while printing a watch event.
    event: Option<String>,
    /// With `-A`, a namespaced type has been printed: every later type has the NAMESPACE
    /// column too (kubectl's `EnsureWithNamespace` sets it in flags its printers share).
    with_namespace: bool,
}

/// cli-runtime `formatEventType`: known watch event types padded to 8 characters.
pub fn format_event_type(event_type: &str) -> String {
    match event_type {
        "ADDED" => "ADDED   ".to_string(),
        "MODIFIED" => "MODIFIED".to_string(),
        "DELETED" => "DELETED ".to_string(),
        "ERROR" => "ERROR   ".to_string(),
        other => other.to_string(),
    }
}

impl HumanPrinter {
    /// A printer for one invocation of `get`.
    pub fn new(opts: TableOptions) -> Self {
        HumanPrinter {
            opts,
            tw: TabWriter::kubectl(),
            current: None,
            written: 0,
            separator_ready: false,
            last_columns: None,
            printed_headers: false,
            last_handler: None,
            event: None,
            with_namespace: false,
        }
    }

    /// Whether anything has been written (else `get` prints [`no_resources_message`]).
    pub fn has_written(&self) -> bool {
        self.written > 0
    }

    /// Prints one response: a `meta.k8s.io` Table, a `Status`, or any object or list (the
    /// `NAME AGE` fallback). `now` is used for the fallback's AGE column.
    pub fn print(
        &mut self,
        rt: &ResourceType,
        obj: &Value,
        now: DateTime<Utc>,
        w: &mut dyn Write,
    ) -> Result<(), PrintError> {
        self.start_resource(rt, w)?;
        if is_table(obj) {
            self.print_table(rt, obj)
        } else if obj.get("kind").and_then(Value::as_str) == Some("Status") {
            self.print_fallback(rt, Handler::Status, obj, now, w)
        } else {
            self.print_fallback(rt, Handler::ObjectMeta, obj, now, w)
        }
    }

    /// `get --watch --output-watch-events`: like [`HumanPrinter::print`] with an EVENT
    /// column first (`ADDED   `, `MODIFIED`, `DELETED `, `ERROR   `). Call
    /// [`HumanPrinter::flush`] after each event, as kubectl does.
    pub fn print_event(
        &mut self,
        rt: &ResourceType,
        event_type: &str,
        obj: &Value,
        now: DateTime<Utc>,
        w: &mut dyn Write,
    ) -> Result<(), PrintError> {
        self.event = Some(format_event_type(event_type));
        let result = self.print(rt, obj, now, w);
        self.event = None;
        result
    }

    /// Flushes the aligned output; call once after the last [`HumanPrinter::print`].
    pub fn finish(&mut self, w: &mut dyn Write) -> io::Result<()> {
        self.flush(w)
    }

    /// Writes what is buffered; column widths are remembered, so later rows (watch) stay
    /// aligned with earlier ones as long as they are not wider.
    pub fn flush(&mut self, w: &mut dyn Write) -> io::Result<()> {
        let text = self.tw.flush_to_string();
        if text.is_empty() {
            return Ok(());
        }
        if self.separator_ready {
            w.write_all(b"\n")?;
            self.written += 1;
            self.separator_ready = false;
        }
        w.write_all(text.as_bytes())?;
        self.written += text.len();
        Ok(())
    }

    fn start_resource(&mut self, rt: &ResourceType, w: &mut dyn Write) -> io::Result<()> {
        let key = (rt.group.clone(), rt.resource.clone());
        if self.current.as_ref() == Some(&key) {
            return Ok(());
        }
        self.flush(w)?;
        self.tw.reset_remembered_widths();
        if self.current.is_some() && !self.opts.no_headers && self.written > 0 {
            self.separator_ready = true;
        }
        self.current = Some(key);
        self.with_namespace |= self.opts.all_namespaces && rt.namespaced;
        self.last_columns = None;
        self.printed_headers = false;
        self.last_handler = None;
        Ok(())
    }

    fn print_table(&mut self, rt: &ResourceType, table: &Value) -> Result<(), PrintError> {
        let mut columns = parse_columns(table)?;
        let rows = table
            .get("rows")
            .map(|r| r.as_array().ok_or_else(|| invalid("rows is not a list")))
            .transpose()?
            .map(Vec::as_slice)
            .unwrap_or_default();

        let mut no_headers = self.opts.no_headers;
        let same = self.last_columns.as_ref() == Some(&columns);
        if self.printed_headers && (columns.is_empty() || same) {
            no_headers = true;
        }
        if columns.is_empty() {
            // Watch events may omit column definitions: reuse the last ones.
            columns = self.last_columns.clone().unwrap_or_default();
        } else if !same {
            self.last_columns = Some(columns.clone());
            self.printed_headers = false;
        }
        if !rows.is_empty() {
            self.printed_headers = true;
        }

        let with_namespace = self.with_namespace;
        let (mut columns, mut cells) = self.decorate(rt, columns, rows, with_namespace)?;
        if let Some(event) = &self.event {
            columns.insert(0, string_column("Event"));
            for row in &mut cells {
                row.insert(0, Some(Value::String(event.clone())));
            }
        }
        let visible = |c: &Column| self.opts.wide || c.priority == 0;

        let mut text = String::new();
        if !no_headers {
            if rows.is_empty() {
                return Ok(());
            }
            let headers: Vec<String> = columns
                .iter()
                .filter(|c| visible(c))
                .map(|c| c.name.to_uppercase())
                .collect();
            text.push_str(&headers.join("\t"));
            text.push('\n');
        }
        for row in &cells {
            let mut first = true;
            for (i, cell) in row.iter().enumerate() {
                let Some(col) = columns.get(i) else {
                    // More cells than columns: ignore the extras as kubectl does (issue 66379).
                    break;
                };
                if !visible(col) {
                    continue;
                }
                if !first {
                    text.push('\t');
                }
                first = false;
                match cell {
                    None | Some(Value::Null) => {}
                    Some(Value::String(s)) => match s.find(['\x0c', '\n', '\r']) {
                        Some(cut) => {
                            text.push_str(&escape_terminal(&s[..cut]));
                            text.push_str("...");
                        }
                        None => text.push_str(&escape_terminal(s)),
                    },
                    Some(v) => text.push_str(&escape_terminal(&sprint(v))),
                }
            }
            text.push('\n');
        }
        self.tw.write_str(&text);
        Ok(())
    }

    /// cli-runtime `decorateTable`: NAMESPACE first, `-L` columns and LABELS last, kind prefix.
    fn decorate(
        &self,
        rt: &ResourceType,
        table_columns: Vec<Column>,
        rows: &[Value],
        with_namespace: bool,
    ) -> Result<(Vec<Column>, Vec<Row>), PrintError> {
        let opts = &self.opts;
        let extra =
            opts.label_columns.len() + usize::from(with_namespace) + usize::from(opts.show_labels);
        let width = table_columns.len() + extra;
        let name_column = if opts.with_kind && !rt.kind.is_empty() {
            table_columns
                .iter()
                .position(|c| c.format == "name" && c.kind == "string")
        } else {
            None
        };

        let mut columns = Vec::with_capacity(width);
        if with_namespace {
            columns.push(string_column("Namespace"));
        }
        columns.extend(table_columns);
        for header in label_headers(&opts.label_columns) {
            columns.push(string_column(&header));
        }
        if opts.show_labels {
            columns.push(string_column("Labels"));
        }

        let include_labels = !opts.label_columns.is_empty() || opts.show_labels;
        let decorate_rows = include_labels || with_namespace || name_column.is_some();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut cells: Vec<Option<Value>> = match row.get("cells") {
                Some(Value::Array(c)) => c.iter().cloned().map(Some).collect(),
                None | Some(Value::Null) => Vec::new(),
                Some(_) => return Err(invalid("row cells is not a list")),
            };
            if decorate_rows {
                if let Some(i) = name_column {
                    if let Some(cell) = cells.get_mut(i) {
                        let name = match cell {
                            Some(Value::String(s)) => s.clone(),
                            Some(v) => sprint(v),
                            None => String::new(),
                        };
                        *cell = Some(Value::String(format!("{}/{}", rt.lower_group_kind(), name)));
                    }
                }
                let metadata = match row.get("object") {
                    Some(obj @ Value::Object(_)) => {
                        Some(obj.get("metadata").unwrap_or(&Value::Null))
                    }
                    _ => None,
                };
                match metadata {
                    None => {
                        if with_namespace {
                            cells.insert(0, None);
                        }
                        while cells.len() < width {
                            cells.push(None);
                        }
                    }
                    Some(meta) => {
                        if with_namespace {
                            let ns = meta.get("namespace").and_then(Value::as_str).unwrap_or("");
                            cells.insert(0, Some(Value::String(ns.to_string())));
                        }
                        if include_labels {
                            let labels = meta.get("labels").and_then(Value::as_object);
                            for v in label_values(labels, opts) {
                                cells.push(Some(Value::String(v)));
                            }
                        }
                    }
                }
            }
            out.push(cells);
        }
        Ok((columns, out))
    }

    /// cli-runtime's `printRowsForHandlerEntry` for objects the server did not render.
    fn print_fallback(
        &mut self,
        rt: &ResourceType,
        handler: Handler,
        obj: &Value,
        now: DateTime<Utc>,
        w: &mut dyn Write,
    ) -> Result<(), PrintError> {
        let opts = self.opts.clone();
        let with_namespace = self.with_namespace;
        let include_headers = self.last_handler != Some(handler) && !opts.no_headers;
        if self.last_handler.is_some() && self.last_handler != Some(handler) && !opts.no_headers {
            // Go writes this straight through the tabwriter, which flushes on a one-cell line.
            self.tw.write_str("\n");
            self.flush(w)?;
        }
        self.last_handler = Some(handler);

        let mut text = String::new();
        if include_headers {
            let mut headers: Vec<String> = Vec::new();
            if self.event.is_some() {
                headers.push("EVENT".to_string());
            }
            if with_namespace {
                headers.push("NAMESPACE".to_string());
            }
            match handler {
                Handler::Status => {
                    headers.extend(["STATUS", "REASON", "MESSAGE"].map(String::from))
                }
                Handler::ObjectMeta => headers.extend(["NAME", "AGE"].map(String::from)),
            }
            headers.extend(label_headers(&opts.label_columns));
            if opts.show_labels {
                headers.push("LABELS".to_string());
            }
            text.push_str(&headers.join("\t"));
            text.push('\n');
        }

        let mut items: Vec<&Value> = Vec::new();
        match handler {
            Handler::Status => items.push(obj),
            Handler::ObjectMeta => flatten_list(obj, &mut items),
        }
        for item in items {
            let meta = item.get("metadata");
            let cells: Vec<String> = match handler {
                Handler::Status => ["status", "reason", "message"]
                    .iter()
                    .map(|k| {
                        item.get(*k)
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string()
                    })
                    .collect(),
                Handler::ObjectMeta => {
                    let name = meta
                        .and_then(|m| m.get("name"))
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    let created = meta
                        .and_then(|m| m.get("creationTimestamp"))
                        .and_then(Value::as_str);
                    vec![name.to_string(), translate_timestamp_since(created, now)]
                }
            };
            if let Some(event) = &self.event {
                text.push_str(event);
                text.push('\t');
            }
            if with_namespace {
                if let Some(ns) = meta
                    .and_then(|m| m.get("namespace"))
                    .and_then(Value::as_str)
                {
                    text.push_str(ns);
                }
                text.push('\t');
            }
            for (i, cell) in cells.iter().enumerate() {
                if i != 0 {
                    text.push('\t');
                } else if opts.with_kind && !rt.kind.is_empty() {
                    text.push_str(&format!("{}/{}", rt.lower_group_kind(), cell));
                    continue;
                }
                text.push_str(cell);
            }
            if !opts.label_columns.is_empty() || opts.show_labels {
                if let Some(m) = meta {
                    let labels = m.get("labels").and_then(Value::as_object);
                    for v in label_values(labels, &opts) {
                        text.push('\t');
                        text.push_str(&v);
                    }
                }
            }
            text.push('\n');
        }
        self.tw.write_str(&text);
        Ok(())
    }
}

/// Decodes a response for [`HumanPrinter`]: of each Table row's object only the metadata the
/// printer reads (name, namespace, labels) is kept, so a page of 500 pods does not hold 500
/// copies of their managedFields. Anything that is not a Table is decoded whole.
pub fn decode_for_printing(body: &[u8]) -> serde_json::Result<Value> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct SlimTable {
        #[serde(default)]
        kind: String,
        #[serde(default)]
        api_version: String,
        #[serde(default)]
        metadata: Value,
        #[serde(default)]
        column_definitions: Value,
        #[serde(default)]
        rows: Option<Vec<SlimRow>>,
    }
    #[derive(serde::Deserialize)]
    struct SlimRow {
        #[serde(default)]
        cells: Value,
        #[serde(default)]
        object: Option<SlimObject>,
    }
    #[derive(serde::Deserialize)]
    struct SlimObject {
        #[serde(default)]
        metadata: Option<SlimMeta>,
    }
    #[derive(serde::Deserialize)]
    struct SlimMeta {
        #[serde(default)]
        name: Value,
        #[serde(default)]
        namespace: Value,
        #[serde(default)]
        labels: Value,
    }

    let slim: SlimTable = match serde_json::from_slice(body) {
        Ok(t) => t,
        Err(_) => return serde_json::from_slice(body),
    };
    let table = serde_json::json!({"kind": slim.kind, "apiVersion": slim.api_version});
    if !is_table(&table) {
        return serde_json::from_slice(body);
    }
    let rows = slim.rows.map(|rows| {
        rows.into_iter()
            .map(|r| {
                let object = match r.object {
                    None => Value::Null,
                    Some(o) => {
                        let mut meta = serde_json::Map::new();
                        if let Some(m) = o.metadata {
                            for (k, v) in [
                                ("name", m.name),
                                ("namespace", m.namespace),
                                ("labels", m.labels),
                            ] {
                                if !v.is_null() {
                                    meta.insert(k.to_string(), v);
                                }
                            }
                        }
                        serde_json::json!({ "metadata": meta })
                    }
                };
                serde_json::json!({"cells": r.cells, "object": object})
            })
            .collect::<Vec<_>>()
    });
    let mut table = table;
    table["metadata"] = slim.metadata;
    table["columnDefinitions"] = slim.column_definitions;
    table["rows"] = rows.map_or(Value::Null, Value::Array);
    Ok(table)
}

/// Cuts a Table row's object down to what [`HumanPrinter`] reads of it (the metadata's name,
/// namespace and labels), as [`decode_for_printing`] does: a sorted table keeps its rows until
/// the end, and the rest of each object only served the sort key.
pub fn slim_row_object(object: &mut Value) {
    let Some(meta) = object.as_object_mut().map(|o| o.remove("metadata")) else {
        return;
    };
    let mut kept = serde_json::Map::new();
    if let Some(Value::Object(mut m)) = meta {
        for k in ["name", "namespace", "labels"] {
            if let Some(v) = m.remove(k).filter(|v| !v.is_null()) {
                kept.insert(k.to_string(), v);
            }
        }
    }
    *object = serde_json::json!({ "metadata": kept });
}

/// True for a `meta.k8s.io/v1` or `v1beta1` Table.
pub fn is_table(obj: &Value) -> bool {
    obj.get("kind").and_then(Value::as_str) == Some("Table")
        && matches!(
            obj.get("apiVersion").and_then(Value::as_str),
            Some("meta.k8s.io/v1") | Some("meta.k8s.io/v1beta1")
        )
}

fn flatten_list<'a>(obj: &'a Value, out: &mut Vec<&'a Value>) {
    match obj.get("items") {
        Some(Value::Array(items))
            if obj
                .get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k.ends_with("List")) =>
        {
            for item in items {
                flatten_list(item, out);
            }
        }
        _ => out.push(obj),
    }
}

fn invalid(msg: &str) -> PrintError {
    PrintError::InvalidObject(format!("invalid Table: {msg}"))
}

fn string_column(name: &str) -> Column {
    Column {
        name: name.to_string(),
        kind: "string".to_string(),
        format: String::new(),
        priority: 0,
    }
}

fn parse_columns(table: &Value) -> Result<Vec<Column>, PrintError> {
    let defs = match table.get("columnDefinitions") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(d)) => d,
        Some(_) => return Err(invalid("columnDefinitions is not a list")),
    };
    defs.iter()
        .map(|d| {
            let s = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            Ok(Column {
                name: s("name"),
                kind: s("type"),
                format: s("format"),
                priority: d.get("priority").and_then(Value::as_i64).unwrap_or(0),
            })
        })
        .collect()
}

/// `-L` headers: upper-cased last `/` segment of each key.
fn label_headers(keys: &[String]) -> Vec<String> {
    keys.iter()
        .map(|k| k.rsplit('/').next().unwrap_or("").to_uppercase())
        .collect()
}

/// `-L` values (empty when missing), then the LABELS cell.
fn label_values(
    labels: Option<&serde_json::Map<String, Value>>,
    opts: &TableOptions,
) -> Vec<String> {
    let get = |k: &str| -> String {
        labels
            .and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut values: Vec<String> = opts.label_columns.iter().map(|k| get(k)).collect();
    if opts.show_labels {
        values.push(format_labels(labels));
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_rows_keep_what_is_printed_of_their_object() {
        let mut obj = json!({"kind": "Pod", "spec": {"x": 1}, "metadata": {"name": "a",
            "namespace": "n", "labels": {"k": "v"}, "uid": "u", "annotations": {"a": "b"}}});
        slim_row_object(&mut obj);
        assert_eq!(
            obj,
            json!({"metadata": {"name": "a", "namespace": "n", "labels": {"k": "v"}}})
        );
        let mut bare = json!({"kind": "Pod"});
        slim_row_object(&mut bare);
        assert_eq!(bare, json!({"metadata": {}}));
        let mut none = Value::Null;
        slim_row_object(&mut none);
        assert_eq!(none, Value::Null);
    }
    use crate::print::testutil::{fixture, json_fixture};
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-27T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn decoding_for_printing_keeps_what_the_printer_reads() {
        let table = json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": "7", "continue": "c"},
            "columnDefinitions": [{"name": "Name", "type": "string", "format": "name", "priority": 0}],
            "rows": [
                {"cells": ["a"], "conditions": [], "object": {"kind": "PartialObjectMetadata",
                    "metadata": {"name": "a", "namespace": "n", "labels": {"k": "v"},
                        "managedFields": [{"manager": "m", "fieldsV1": {"f:x": {}}}], "uid": "u"}}},
                {"cells": ["b"], "object": null}]});
        let slim = decode_for_printing(table.to_string().as_bytes()).unwrap();
        assert_eq!(
            slim,
            json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                "metadata": {"resourceVersion": "7", "continue": "c"},
                "columnDefinitions": table["columnDefinitions"],
                "rows": [
                    {"cells": ["a"], "object": {"metadata": {"name": "a", "namespace": "n", "labels": {"k": "v"}}}},
                    {"cells": ["b"], "object": null}]})
        );
        // The printed text is the same either way.
        let print = |t: &Value| {
            let mut p = HumanPrinter::new(TableOptions {
                all_namespaces: true,
                show_labels: true,
                ..Default::default()
            });
            let mut out = Vec::new();
            p.print(&pods(), t, now(), &mut out).unwrap();
            p.finish(&mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(print(&slim), print(&table));
        // Anything else is decoded whole.
        let list = json!({"kind": "PodList", "apiVersion": "v1", "items": [{"metadata": {"name": "a", "uid": "u"}}]});
        assert_eq!(
            decode_for_printing(list.to_string().as_bytes()).unwrap(),
            list
        );
        assert!(decode_for_printing(b"{").is_err());
    }

    fn ds() -> ResourceType {
        ResourceType {
            group: "apps".into(),
            kind: "DaemonSet".into(),
            resource: "daemonsets".into(),
            namespaced: true,
        }
    }

    fn pods() -> ResourceType {
        ResourceType {
            group: String::new(),
            kind: "Pod".into(),
            resource: "pods".into(),
            namespaced: true,
        }
    }

    fn nodes() -> ResourceType {
        ResourceType {
            group: String::new(),
            kind: "Node".into(),
            resource: "nodes".into(),
            namespaced: false,
        }
    }

    /// The recorded tables come from a different moment than the recorded outputs: align the
    /// volatile cells (names, ages, addresses) with the expected output's rows.
    fn set_cell(table: &mut Value, row: usize, col: usize, v: Value) {
        table["rows"][row]["cells"][col] = v;
    }

    fn render(opts: TableOptions, items: &[(ResourceType, Value)]) -> String {
        let mut p = HumanPrinter::new(opts);
        let mut out = Vec::new();
        for (rt, obj) in items {
            p.print(rt, obj, now(), &mut out).unwrap();
        }
        p.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn ds_table(age: &str) -> Value {
        let mut t = json_fixture("reference/daemonsets-table.json");
        set_cell(&mut t, 0, 7, json!(age));
        t
    }

    /// `get daemonset`, with `-o wide` and with `-A`, each recorded at its own age.
    #[test]
    fn get_daemonset() {
        let cases = [
            (TableOptions::default(), "4s", "02-get-daemonset"),
            (
                TableOptions {
                    wide: true,
                    ..Default::default()
                },
                "5s",
                "03-get-ds-wide",
            ),
            (
                TableOptions {
                    all_namespaces: true,
                    ..Default::default()
                },
                "11s",
                "14-get-ds-all-namespaces",
            ),
        ];
        for (opts, age, golden) in cases {
            let got = render(opts, &[(ds(), ds_table(age))]);
            assert_eq!(
                got,
                fixture(&format!("reference/{golden}.stdout")),
                "{golden}"
            );
        }
    }

    #[test]
    fn get_daemonset_show_labels() {
        let mut t = ds_table("11s");
        t["rows"][0]["object"]["metadata"]["labels"] = json!({"team": "observability"});
        let opts = TableOptions {
            show_labels: true,
            ..Default::default()
        };
        let got = render(opts, &[(ds(), t)]);
        assert_eq!(got, fixture("reference/15-get-ds-show-labels.stdout"));
    }

    fn pods_table(names: [&str; 2], age: &str) -> Value {
        let mut t = json_fixture("reference/pods-table.json");
        for (i, name) in names.iter().enumerate() {
            set_cell(&mut t, i, 0, json!(name));
            set_cell(&mut t, i, 4, json!(age));
        }
        t
    }

    #[test]
    fn get_pods() {
        let got = render(
            TableOptions::default(),
            &[(
                pods(),
                pods_table(["node-exporter-k8gb4", "node-exporter-kw4ft"], "5s"),
            )],
        );
        assert_eq!(got, fixture("reference/04-get-pods-label.stdout"));
    }

    #[test]
    fn get_pods_wide() {
        let mut t = pods_table(["node-exporter-k8gb4", "node-exporter-kw4ft"], "5s");
        // In this recording the first pod ran on worker2.
        set_cell(&mut t, 0, 5, json!("172.18.0.5"));
        set_cell(&mut t, 0, 6, json!("kind-multinodes-worker2"));
        set_cell(&mut t, 1, 5, json!("172.18.0.4"));
        set_cell(&mut t, 1, 6, json!("kind-multinodes-worker"));
        let opts = TableOptions {
            wide: true,
            ..Default::default()
        };
        let got = render(opts, &[(pods(), t)]);
        assert_eq!(got, fixture("reference/05-get-pods-wide-label.stdout"));
    }

    #[test]
    fn get_pods_no_headers() {
        let opts = TableOptions {
            no_headers: true,
            ..Default::default()
        };
        let t = pods_table(["node-exporter-hhrkk", "node-exporter-zbw5h"], "7s");
        let got = render(opts, &[(pods(), t)]);
        assert_eq!(got, fixture("reference/18-get-pods-no-headers.stdout"));
    }

    #[test]
    fn get_nodes_and_wide() {
        let mut t = json_fixture("reference/nodes-table.json");
        set_cell(&mut t, 0, 3, json!("55s"));
        set_cell(&mut t, 1, 3, json!("54s"));
        let got = render(TableOptions::default(), &[(nodes(), t.clone())]);
        assert_eq!(got, fixture("reference/20-get-nodes.stdout"));
        let opts = TableOptions {
            wide: true,
            ..Default::default()
        };
        // Cluster-scoped: -A adds no NAMESPACE column.
        let opts_a = TableOptions {
            all_namespaces: true,
            ..opts.clone()
        };
        assert_eq!(
            render(opts, &[(nodes(), t.clone())]),
            fixture("reference/21-get-nodes-wide.stdout")
        );
        assert_eq!(
            render(opts_a, &[(nodes(), t)]),
            fixture("reference/21-get-nodes-wide.stdout")
        );
    }

    #[test]
    fn get_namespaces() {
        let mut t = json_fixture("reference/namespaces-table.json");
        for i in 0..4 {
            set_cell(&mut t, i, 2, json!("57s"));
        }
        let ns = ResourceType {
            group: String::new(),
            kind: "Namespace".into(),
            resource: "namespaces".into(),
            namespaced: false,
        };
        let got = render(TableOptions::default(), &[(ns, t)]);
        assert_eq!(got, fixture("reference/24-get-namespaces.stdout"));
    }

    #[test]
    fn multiple_types_with_an_empty_first_table() {
        let mut empty = ds_table("1s");
        empty["rows"] = json!([]);
        let t = pods_table(["node-exporter-hhrkk", "node-exporter-zbw5h"], "7s");
        let opts = TableOptions {
            with_kind: true,
            ..Default::default()
        };
        let got = render(opts, &[(ds(), empty), (pods(), t)]);
        assert_eq!(got, fixture("reference/25-get-multi.stdout"));
    }

    #[test]
    fn multiple_types_are_separated_by_a_blank_line() {
        let t = pods_table(["node-exporter-hhrkk", "node-exporter-zbw5h"], "7s");
        let opts = TableOptions {
            with_kind: true,
            ..Default::default()
        };
        let got = render(
            opts.clone(),
            &[(ds(), ds_table("10m")), (pods(), t.clone())],
        );
        let want = "NAME                           DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE\n\
                    daemonset.apps/node-exporter   2         2         2       2            2           <none>          10m\n\
                    \n\
                    NAME                      READY   STATUS    RESTARTS   AGE\n\
                    pod/node-exporter-hhrkk   1/1     Running   0          7s\n\
                    pod/node-exporter-zbw5h   1/1     Running   0          7s\n";
        assert_eq!(got, want);
        // Without headers there is no blank line.
        let opts = TableOptions {
            no_headers: true,
            ..opts
        };
        let got = render(opts, &[(ds(), ds_table("10m")), (pods(), t)]);
        assert!(!got.contains("\n\n"), "{got}");
    }

    #[test]
    fn same_columns_print_one_header() {
        let t = pods_table(["a", "b"], "7s");
        let got = render(TableOptions::default(), &[(pods(), t.clone()), (pods(), t)]);
        assert_eq!(got.matches("NAME").count(), 1, "{got}");
        assert_eq!(got.lines().count(), 5);
    }

    #[test]
    fn empty_table_prints_nothing() {
        let mut t = ds_table("1s");
        t["rows"] = json!([]);
        let mut p = HumanPrinter::new(TableOptions::default());
        let mut out = Vec::new();
        p.print(&ds(), &t, now(), &mut out).unwrap();
        p.finish(&mut out).unwrap();
        assert!(out.is_empty());
        assert!(!p.has_written());
    }

    #[test]
    fn cells_label_columns_and_escaping() {
        let table = json!({
            "kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "columnDefinitions": [
                {"name": "Name", "type": "string", "format": "name", "priority": 0},
                {"name": "Value", "type": "string", "format": "", "priority": 0},
                {"name": "Wide Only", "type": "string", "format": "", "priority": 1}
            ],
            "rows": [
                {"cells": ["a", "line1\nline2", "w"], "object": {"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "x", "b": "2", "a": "1"}}}},
                {"cells": ["b", null, "w", "extra"], "object": {"metadata": {"name": "b"}}},
                {"cells": ["c\u{1b}[31m", 1.5, "w"]},
                {"cells": ["d", true, "w"], "object": {"metadata": {"name": "d"}}}
            ]
        });
        let opts = TableOptions {
            label_columns: vec!["app.kubernetes.io/name".into(), "missing".into()],
            show_labels: true,
            ..Default::default()
        };
        let got = render(opts, &[(pods(), table)]);
        // Row b: extra cells shift the label cells, as in kubectl (labels are appended after
        // all cells, and cells beyond the columns are dropped).
        let want = "NAME      VALUE      NAME    MISSING   LABELS\n\
                    a         line1...   x                 a=1,app.kubernetes.io/name=x,b=2\n\
                    b                    extra             \n\
                    c^[[31m   1.5                          \n\
                    d         true                         <none>\n";
        assert_eq!(got, want);
    }

    #[test]
    fn fallback_name_age_printer() {
        let list = json!({"kind": "List", "apiVersion": "v1", "items": [
            {"kind": "Widget", "metadata": {"name": "w1", "namespace": "ns1", "creationTimestamp": "2026-11-27T19:59:25Z", "labels": {"k": "v"}}},
            {"kind": "Widget", "metadata": {"name": "w2", "namespace": "ns2"}}
        ]});
        let rt = ResourceType {
            group: "example.com".into(),
            kind: "Widget".into(),
            resource: "widgets".into(),
            namespaced: true,
        };
        let opts = TableOptions {
            all_namespaces: true,
            show_labels: true,
            with_kind: true,
            ..Default::default()
        };
        let got = render(opts, &[(rt.clone(), list.clone())]);
        let want = "NAMESPACE   NAME                    AGE         LABELS\n\
                    ns1         widget.example.com/w1   35s         k=v\n\
                    ns2         widget.example.com/w2   <unknown>   <none>\n";
        assert_eq!(got, want);

        let status = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "message": "gone"});
        let got = render(TableOptions::default(), &[(rt.clone(), list), (rt, status)]);
        let want = "NAME   AGE\n\
                    w1     35s\n\
                    w2     <unknown>\n\
                    \n\
                    STATUS    REASON     MESSAGE\n\
                    Failure   NotFound   gone\n";
        assert_eq!(got, want);
    }

    #[test]
    fn watch_events_keep_widths_and_add_event_column() {
        let mut p = HumanPrinter::new(TableOptions {
            all_namespaces: true,
            ..Default::default()
        });
        let mut out = Vec::new();
        let t = pods_table(["node-exporter-hhrkk", "node-exporter-zbw5h"], "7s");
        p.print_event(&pods(), "ADDED", &t, now(), &mut out)
            .unwrap();
        p.flush(&mut out).unwrap();
        let mut one = pods_table(["x", "node-exporter-zbw5h"], "9s");
        one["rows"].as_array_mut().unwrap().truncate(1);
        one["columnDefinitions"] = json!([]);
        p.print_event(&pods(), "DELETED", &one, now(), &mut out)
            .unwrap();
        p.finish(&mut out).unwrap();
        let want =
            "EVENT      NAMESPACE   NAME                  READY   STATUS    RESTARTS   AGE\n\
                    ADDED      default     node-exporter-hhrkk   1/1     Running   0          7s\n\
                    ADDED      default     node-exporter-zbw5h   1/1     Running   0          7s\n\
                    DELETED    default     x                     1/1     Running   0          9s\n";
        assert_eq!(String::from_utf8(out).unwrap(), want);
        assert_eq!(format_event_type("BOOKMARK"), "BOOKMARK");
    }

    /// kubectl.1.33 `get configmaps --show-labels -L i` against a server without Tables.
    #[test]
    fn fallback_with_label_columns_like_kubectl() {
        let cm = |name: &str, labels: Value| json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": name, "labels": labels}});
        let list = json!({"kind": "ConfigMapList", "apiVersion": "v1", "items": [
            cm("a-much-longer-name", json!({"i": "2"})), cm("alpha", json!({"i": "0"})),
            cm("b", json!({"i": "1"})), cm("j", json!({"a": "1<&>", "b": "2"}))
        ]});
        let rt = ResourceType {
            group: String::new(),
            kind: "ConfigMap".into(),
            resource: "configmaps".into(),
            namespaced: true,
        };
        let opts = TableOptions {
            show_labels: true,
            label_columns: vec!["i".into()],
            ..Default::default()
        };
        let want = "NAME                 AGE         I     LABELS\n\
                    a-much-longer-name   <unknown>   2     i=2\n\
                    alpha                <unknown>   0     i=0\n\
                    b                    <unknown>   1     i=1\n\
                    j                    <unknown>         a=1<&>,b=2\n";
        assert_eq!(render(opts, &[(rt, list)]), want);
    }

    /// kubectl.1.33 `get configmaps <flags>` against a server answering with
    /// `kubectl-1.33/table-edge.json` (numbers, floats, bools, nulls, maps, line breaks, tabs,
    /// unicode, a wide column, labels, namespaces).
    #[test]
    fn edge_table_like_kubectl() {
        let table = json_fixture("kubectl-1.33/table-edge.json");
        let rt = ResourceType {
            group: String::new(),
            kind: "ConfigMap".into(),
            resource: "configmaps".into(),
            namespaced: true,
        };
        let labels = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases = [
            TableOptions::default(),
            TableOptions {
                wide: true,
                ..Default::default()
            },
            TableOptions {
                show_labels: true,
                ..Default::default()
            },
            TableOptions {
                label_columns: labels(&["app", "tier"]),
                ..Default::default()
            },
            TableOptions {
                all_namespaces: true,
                ..Default::default()
            },
            TableOptions {
                no_headers: true,
                ..Default::default()
            },
            TableOptions {
                with_kind: true,
                ..Default::default()
            },
            TableOptions {
                all_namespaces: true,
                wide: true,
                show_labels: true,
                label_columns: labels(&["app"]),
                ..Default::default()
            },
        ];
        for (i, opts) in cases.into_iter().enumerate() {
            let got = render(opts, &[(rt.clone(), table.clone())]);
            assert_eq!(
                got,
                fixture(&format!("kubectl-1.33/table-edge-{i}.stdout")),
                "case {i}"
            );
        }
    }

    /// kubectl.1.33 `get configmaps,pods`, `--no-headers`, and `get pods,configmaps -o wide`
    /// (the fake server served `table-edge.json` and the reference `pods-table.json`).
    #[test]
    fn several_types_like_kubectl() {
        let cms = json_fixture("kubectl-1.33/table-edge.json");
        let pods_t = json_fixture("reference/pods-table.json");
        let cm = ResourceType {
            group: String::new(),
            kind: "ConfigMap".into(),
            resource: "configmaps".into(),
            namespaced: true,
        };
        let with_kind = TableOptions {
            with_kind: true,
            ..Default::default()
        };
        let got = render(
            with_kind.clone(),
            &[(cm.clone(), cms.clone()), (pods(), pods_t.clone())],
        );
        assert_eq!(got, fixture("kubectl-1.33/multi-0.stdout"));
        let opts = TableOptions {
            no_headers: true,
            ..with_kind.clone()
        };
        let got = render(opts, &[(cm.clone(), cms.clone()), (pods(), pods_t.clone())]);
        assert_eq!(got, fixture("kubectl-1.33/multi-1.stdout"));
        let opts = TableOptions {
            wide: true,
            ..with_kind
        };
        let got = render(opts, &[(pods(), pods_t), (cm, cms)]);
        assert_eq!(got, fixture("kubectl-1.33/multi-2.stdout"));
    }

    #[test]
    fn invalid_tables_are_errors() {
        let mut p = HumanPrinter::new(TableOptions::default());
        let bad = json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "columnDefinitions": 3});
        let err = p.print(&pods(), &bad, now(), &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("columnDefinitions"), "{err}");
        let bad = json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "rows": [{"cells": 1}]});
        assert!(p.print(&pods(), &bad, now(), &mut Vec::new()).is_err());
    }

    #[test]
    fn helpers() {
        assert_eq!(
            no_resources_message(Some("default")),
            "No resources found in default namespace."
        );
        assert_eq!(no_resources_message(None), "No resources found");
        assert_eq!(lower_group_kind("apps", "DaemonSet"), "daemonset.apps");
        assert_eq!(lower_group_kind("", "Pod"), "pod");
        assert_eq!(format_labels(None), "<none>");
        assert_eq!(escape_terminal("a\rb\x1b"), "a\\rb^[");
    }
}

//! `get`'s non-table output of one list, written page by page as the chunks arrive, byte for
//! byte what the whole-list printers write for [`super::generic_object`] of all the items.
//!
//! - `-o json` and `-o yaml`: the `List` wrapper (`apiVersion: v1`, the items, `kind: List`,
//!   `metadata.resourceVersion: ""`) around the items, written as they come.
//! - `-o name`: one line per item.
//! - `-o jsonpath` whose template is text around one `{range .items[*]}…{end}` or one
//!   `{.items[*]…}` of fields ([`super::jsonpath::JsonPath::items_plan`]).
//! - `-o custom-columns`: kubectl aligns the columns over the whole list (one tabwriter for
//!   the whole `PrintObj`), so nothing can be written before the last page; only each row's
//!   cells are kept, never the objects.
//!
//! - `-o kyaml`: the `List` document around the items, written as they come.
//! - [`ListStreamer::typed_list`]: JSON and YAML of a typed list other than `List`
//!   (`kubectl events`' `EventList`, JSON in Go struct order), written as `-o json|yaml`.
//!
//! Anything else (go-template, jsonpath templates that see the list as a whole,
//! `jsonpath-as-json`) needs the list whole: [`ListStreamer::new`] gives the printer back and
//! `get` prints it from a spool on disk ([`super::spooled`]).

use std::io::Write;

use serde_json::Value;

use super::custom_columns::CustomColumnsPrinter;
use super::json::{
    list_wrapper, push_go_json_indent_at, push_go_json_typed_item_at, strip_managed_fields,
};
use super::jsonpath::ItemsPlan;
use super::yaml::YamlListWriter;
use super::{GenericPrinter, PrintError};

/// The page-by-page printer of one list (see the module documentation).
pub enum ListStreamer {
    /// `-o json`.
    Json {
        /// Items written so far.
        items: usize,
        /// Keep `metadata.managedFields`.
        show_managed_fields: bool,
        /// A typed list's kind (keys in Go struct order, empty metadata); None: `List`.
        typed: Option<String>,
    },
    /// `-o yaml`.
    Yaml {
        /// The emitter, between items.
        writer: YamlListWriter,
        /// Keep `metadata.managedFields`.
        show_managed_fields: bool,
    },
    /// `-o kyaml`: the `List` document, item by item.
    Kyaml {
        /// Items written so far.
        items: usize,
        /// Keep `metadata.managedFields`.
        show_managed_fields: bool,
    },
    /// `-o name`.
    Name,
    /// `-o jsonpath` over `.items[*]`.
    JsonPath {
        /// The template's shape.
        plan: ItemsPlan,
        /// The prefix text is written.
        started: bool,
        /// A value was written (separator of `{.items[*]…}`).
        joined: bool,
    },
    /// `-o custom-columns`: rows kept as text until the end.
    CustomColumns(CustomColumnsPrinter),
}

impl ListStreamer {
    /// The streaming form of `printer`, or the printer back when its output needs the whole
    /// list.
    pub fn new(printer: GenericPrinter) -> Result<Self, Box<GenericPrinter>> {
        Ok(match printer {
            GenericPrinter::Json {
                show_managed_fields,
                typed: false,
            } => ListStreamer::Json {
                items: 0,
                show_managed_fields,
                typed: None,
            },
            GenericPrinter::Yaml {
                show_managed_fields,
                ..
            } => ListStreamer::Yaml {
                writer: YamlListWriter::new(),
                show_managed_fields,
            },
            GenericPrinter::Kyaml {
                show_managed_fields,
            } => ListStreamer::Kyaml {
                items: 0,
                show_managed_fields,
            },
            GenericPrinter::Name => ListStreamer::Name,
            GenericPrinter::JsonPath(p) => match p.items_plan() {
                Some(plan) => ListStreamer::JsonPath {
                    plan,
                    started: false,
                    joined: false,
                },
                None => return Err(Box::new(GenericPrinter::JsonPath(p))),
            },
            GenericPrinter::CustomColumns(p) => ListStreamer::CustomColumns(p),
            other => return Err(Box::new(other)),
        })
    }

    /// The streaming form of `printer` for a typed `v1` list of kind `kind` with empty
    /// metadata, as `kubectl events` prints its `EventList`: JSON (typed: Go struct order) and
    /// YAML; the printer back for any other format.
    pub fn typed_list(printer: GenericPrinter, kind: &str) -> Result<Self, Box<GenericPrinter>> {
        Ok(match printer {
            GenericPrinter::Json {
                show_managed_fields,
                typed: true,
            } => ListStreamer::Json {
                items: 0,
                show_managed_fields,
                typed: Some(kind.to_string()),
            },
            GenericPrinter::Yaml {
                show_managed_fields,
                ..
            } => ListStreamer::Yaml {
                writer: YamlListWriter::with_tail(kind, Default::default()),
                show_managed_fields,
            },
            other => return Err(Box::new(other)),
        })
    }

    /// Writes one page of items (each with its `apiVersion` and `kind`), in list order.
    pub fn page(&mut self, mut items: Vec<Value>, w: &mut dyn Write) -> Result<(), PrintError> {
        match self {
            ListStreamer::Json {
                items: count,
                show_managed_fields,
                typed,
            } => {
                let mut text = String::new();
                for item in &mut items {
                    if !*show_managed_fields {
                        strip_managed_fields(item);
                    }
                    match (*count, &typed) {
                        (0, None) => text
                            .push_str("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        "),
                        (0, Some(kind)) => text.push_str(&typed_json_head(kind, "[\n        ")),
                        _ => text.push_str(",\n        "),
                    }
                    *count += 1;
                    // An item at depth 2 of the wrapper.
                    match typed {
                        Some(kind) => push_go_json_typed_item_at(item, kind, "    ", 2, &mut text),
                        None => push_go_json_indent_at(item, "    ", 2, &mut text),
                    }
                }
                w.write_all(text.as_bytes())?;
            }
            ListStreamer::Yaml {
                writer,
                show_managed_fields,
            } => {
                for item in &mut items {
                    if !*show_managed_fields {
                        strip_managed_fields(item);
                    }
                    writer.item(item, w)?;
                }
            }
            ListStreamer::Kyaml {
                items: count,
                show_managed_fields,
            } => {
                let mut text = String::new();
                for item in &mut items {
                    if !*show_managed_fields {
                        strip_managed_fields(item);
                    }
                    text.push_str(if *count == 0 {
                        "---\n{\n  apiVersion: \"v1\",\n  items: ["
                    } else {
                        ", "
                    });
                    *count += 1;
                    super::kyaml::push_list_item(item, &mut text);
                }
                w.write_all(text.as_bytes())?;
            }
            ListStreamer::Name => {
                for item in &items {
                    super::name::print_name(item, "", true, w)?;
                }
            }
            ListStreamer::JsonPath {
                plan,
                started,
                joined,
            } => {
                let mut out = String::new();
                if !std::mem::replace(started, true) {
                    out.push_str(&plan.prefix);
                }
                let page = list_wrapper(items);
                plan.page(&page, joined, &mut out)
                    .map_err(PrintError::Template)?;
                w.write_all(out.as_bytes())?;
            }
            ListStreamer::CustomColumns(p) => p.print(&list_wrapper(items))?,
        }
        Ok(())
    }

    /// Ends the output (the wrapper's tail, the template's suffix, the aligned columns).
    pub fn finish(self, w: &mut dyn Write) -> Result<(), PrintError> {
        match self {
            ListStreamer::Json {
                items,
                typed: Some(kind),
                ..
            } => {
                let text = if items == 0 {
                    typed_json_head(&kind, "[]\n}\n")
                } else {
                    "\n    ]\n}\n".to_string()
                };
                w.write_all(text.as_bytes())?;
            }
            ListStreamer::Json { items, .. } => {
                let head = if items == 0 {
                    "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n"
                } else {
                    "\n    ],\n"
                };
                let text = format!("{head}    \"kind\": \"List\",\n    \"metadata\": {{\n        \"resourceVersion\": \"\"\n    }}\n}}\n");
                w.write_all(text.as_bytes())?;
            }
            ListStreamer::Yaml { writer, .. } => writer.finish(w)?,
            ListStreamer::Kyaml { items, .. } => {
                let head = if items == 0 {
                    "---\n{\n  apiVersion: \"v1\",\n  items: [],\n"
                } else {
                    "],\n"
                };
                let text = format!("{head}  kind: \"List\",\n  metadata: {{\n    resourceVersion: \"\",\n  }},\n}}\n");
                w.write_all(text.as_bytes())?;
            }
            ListStreamer::Name => {}
            ListStreamer::JsonPath {
                plan,
                started,
                joined,
            } => {
                let mut out = String::new();
                if !started {
                    out.push_str(&plan.prefix);
                }
                plan.finish(joined, &mut out);
                w.write_all(out.as_bytes())?;
            }
            ListStreamer::CustomColumns(mut p) => {
                // The header of an empty list.
                p.print(&list_wrapper(Vec::new()))?;
                p.finish(w)?;
            }
        }
        Ok(())
    }
}

/// A typed `v1` list's JSON up to its items (`kind`, `apiVersion`, empty `metadata`, in Go
/// struct order), then `rest`.
fn typed_json_head(kind: &str, rest: &str) -> String {
    let mut text = String::from("{\n    \"kind\": ");
    super::json::go_json_string(kind, &mut text);
    text.push_str(",\n    \"apiVersion\": \"v1\",\n    \"metadata\": {},\n    \"items\": ");
    text.push_str(rest);
    text
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::print::{generic_object, GenericOptions, OutputFormat};
    use serde_json::json;

    /// The generic printer of `-o FORMAT` (spooled.rs's tests use it too).
    pub(crate) fn printer(format: &str) -> GenericPrinter {
        let f = OutputFormat::parse(format, None, true).unwrap();
        GenericPrinter::new(&f, &GenericOptions::default(), &|_| Err(String::new())).unwrap()
    }

    fn pod(i: usize) -> Value {
        let long = "word ".repeat(i * 7);
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("p{i}"),
            "namespace": if i.is_multiple_of(2) { "a" } else { "b" }, "managedFields": [{"manager": "x"}],
            "annotations": {"long": long.trim_end(), "multi": "a\nb\n\n", "q": "yes", "e": ""}},
            "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}], "n": null, "f": 1.5},
            "status": {"phase": if i.is_multiple_of(3) { "Running" } else { "Pending" }, "conditions": []}})
    }

    /// What the whole-list printer writes.
    fn whole(format: &str, items: &[Value]) -> String {
        let mut p = printer(format);
        let mut out = Vec::new();
        let r = p.print(&generic_object(items.to_vec(), false), &mut out);
        p.finish(&mut out).unwrap();
        r.unwrap();
        String::from_utf8(out).unwrap()
    }

    fn streamed(format: &str, items: &[Value], page: usize) -> String {
        let mut s = ListStreamer::new(printer(format))
            .unwrap_or_else(|_| panic!("{format} does not stream"));
        let mut out = Vec::new();
        for chunk in items.chunks(page) {
            s.page(chunk.to_vec(), &mut out).unwrap();
        }
        s.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pages_print_as_the_whole_list() {
        let items: Vec<Value> = (0..7).map(pod).collect();
        for format in [
            "json",
            "yaml",
            "kyaml",
            "name",
            "jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}",
            "jsonpath=<{.items[*].metadata.name}>",
            "jsonpath={.items[*].metadata.nope}",
            // `$` and `@` are the current object in client-go's dialect.
            "jsonpath={range .items[*]}{$.metadata.name} {@.kind}{end}",
            "jsonpath=[{.items[*]}]",
            "custom-columns=NAME:.metadata.name,PHASE:.status.phase,NS:.metadata.namespace",
            "jsonpath-as-json={.items[*].metadata.name}",
            "jsonpath-as-json={.items[*].metadata}",
            "jsonpath-as-json={.items[*].metadata.nope}",
            "jsonpath-as-json={range .items[*]}{.metadata.name}{.status.phase}{end}",
            "jsonpath-as-json={range .items[*]}{.spec.containers}{end}",
        ] {
            for n in [0, 1, 2, 7] {
                let items = &items[..n];
                for page in [1, 2, 3] {
                    assert_eq!(
                        streamed(format, items, page),
                        whole(format, items),
                        "{format}, {n} items, pages of {page}"
                    );
                }
            }
        }
    }

    /// `kubectl events`' typed `EventList`, item by item, is what the whole-list printer
    /// writes for it (JSON in Go struct order, YAML sorted, managedFields dropped).
    #[test]
    fn typed_lists_print_as_the_whole_list() {
        let events: Vec<Value> = (0..5)
            .map(|i| {
                json!({"kind": "Event", "apiVersion": "v1",
                    "metadata": {"name": format!("e{i}"), "namespace": "default", "managedFields": [{"manager": "x"}]},
                    "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default", "uid": "u", "apiVersion": "v1"},
                    "reason": "R", "message": format!("m{i}\n<x> {}", "long ".repeat(i * 9)), "type": "Normal",
                    "source": {"component": "c", "host": "h"}, "count": i, "eventTime": null,
                    "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": null,
                    "series": {"lastObservedTime": "2026-01-01T00:00:00.000000Z", "count": 2},
                    "reportingComponent": "", "reportingInstance": ""})
            })
            .collect();
        for format in ["json", "yaml"] {
            for n in [0, 1, 5] {
                let list = json!({"kind": "EventList", "apiVersion": "v1", "metadata": {},
                    "items": events[..n].to_vec()});
                let mut p = printer(format).typed();
                let mut whole = Vec::new();
                p.print(&list, &mut whole).unwrap();
                let mut s = ListStreamer::typed_list(printer(format).typed(), "EventList")
                    .unwrap_or_else(|_| panic!("{format}"));
                let mut out = Vec::new();
                for chunk in events[..n].chunks(2) {
                    s.page(chunk.to_vec(), &mut out).unwrap();
                }
                s.finish(&mut out).unwrap();
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    String::from_utf8(whole).unwrap(),
                    "{format}, {n} events"
                );
            }
        }
        for format in ["name", "kyaml", "go-template={{.kind}}", "json"] {
            let p = printer(format);
            let p = if format == "json" { p } else { p.typed() };
            assert!(
                ListStreamer::typed_list(p, "EventList").is_err(),
                "{format}"
            );
        }
    }

    #[test]
    fn whole_list_templates_do_not_stream() {
        for format in [
            "jsonpath={.items[0].metadata.name}",
            "jsonpath={.kind}{.items[*].metadata.name}",
            "jsonpath={range .items[*]}{..name}{end}",
            "jsonpath={range .items[*]}{.metadata.name}{end}{.kind}",
            "jsonpath={range .items[*]}{.metadata.name}",
            "jsonpath={range .items[*]}{.a[0]}{end}",
            "jsonpath={range .items[*]}{range .spec.containers[*]}{.name}{end}{end}",
            "jsonpath={.items[*].spec.containers[*].name}",
            "jsonpath-as-json=<{.items[*].metadata.name}>",
            "go-template={{range .items}}{{.metadata.name}}{{end}}",
        ] {
            assert!(ListStreamer::new(printer(format)).is_err(), "{format}");
        }
        let strict = GenericPrinter::new(
            &OutputFormat::parse("jsonpath={.items[*].metadata.name}", None, true).unwrap(),
            &GenericOptions {
                allow_missing_keys: false,
                ..GenericOptions::default()
            },
            &|_| Err(String::new()),
        )
        .unwrap();
        assert!(ListStreamer::new(strict).is_err());
    }
}

//! `get`'s output of one list that needs the whole list before (or while) it prints
//! (issue 18): `-o go-template`, the jsonpath templates [`super::stream`] cannot write page by
//! page, `-o jsonpath-as-json`, `-o kyaml`. The items wait in a spool on disk
//! ([`Spool`](crate::print::spool::Spool)) and are read back one at a time:
//!
//! - go-template sees the `List` wrapper with `.items` decoded one item at a time inside
//!   `range`, `index` and `len` ([`super::go_template::ItemSource`]); a template that uses the
//!   list in any other way (printing it whole, `printf "%v" .items`…) reads it into memory.
//! - the other formats read the whole list into memory, as before (the documented fallback).

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use serde_json::Value;

use super::go_template::ItemSource;
use super::stream::ListStreamer;
use super::{generic_object, GenericPrinter, PrintError};
use crate::print::spool::Spool;

/// How a spooled item's text (and its index) becomes the item: `get` spools the text the
/// server sent, whose `apiVersion` and kind come from its page.
pub type Decode = Box<dyn Fn(usize, &[u8]) -> serde_json::Result<Value>>;

/// A spool's items in a given order (sorted, or as listed).
pub struct SpooledItems {
    spool: Spool,
    order: Vec<usize>,
    decode: Decode,
    /// The first read that failed.
    err: RefCell<Option<io::Error>>,
}

impl SpooledItems {
    /// The items of `spool` in `order` (indices into it).
    pub fn new(spool: Spool, order: Vec<usize>) -> Self {
        Self::with_decode(
            spool,
            order,
            Box::new(|_, text| serde_json::from_slice(text)),
        )
    }

    /// The items of `spool` in `order`, each made from its text by `decode`.
    pub fn with_decode(spool: Spool, order: Vec<usize>, decode: Decode) -> Self {
        SpooledItems {
            spool,
            order,
            decode,
            err: RefCell::new(None),
        }
    }

    /// Every item, in order, in memory (the formats that need the list as one value).
    pub fn read_all(&self) -> Result<Vec<Value>, PrintError> {
        let all = (0..self.len()).map(|i| self.item(i)).collect();
        self.check()?;
        Ok(all)
    }

    /// How many items the spool has decoded so far.
    pub fn decoded(&self) -> usize {
        self.spool.decoded()
    }

    fn check(&self) -> Result<(), PrintError> {
        match self.err.borrow_mut().take() {
            Some(e) => Err(PrintError::Io(e)),
            None => Ok(()),
        }
    }
}

impl ItemSource for SpooledItems {
    fn len(&self) -> usize {
        self.order.len()
    }

    fn nodes(&self) -> Option<usize> {
        Some(self.spool.nodes())
    }

    fn item(&self, i: usize) -> Value {
        let at = self.order[i];
        match self.spool.get_with(at, |text| (self.decode)(at, text)) {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => {
                self.err.borrow_mut().get_or_insert(io::Error::other(e));
                Value::Null
            }
            Err(e) => {
                self.err.borrow_mut().get_or_insert(e);
                Value::Null
            }
        }
    }
}

impl GenericPrinter {
    /// Prints the `List` of `items` as [`GenericPrinter::print`] prints
    /// [`generic_object`] of them.
    pub fn print_spooled(
        &mut self,
        items: Rc<SpooledItems>,
        w: &mut dyn Write,
    ) -> Result<(), PrintError> {
        let printed = match self {
            GenericPrinter::GoTemplate(p) => p.print_list(items.clone(), w),
            GenericPrinter::JsonPath(p) if p.print_list(&*items, w)? => Ok(()),
            _ => {
                let all = items.read_all()?;
                self.print(&generic_object(all, false), w)
            }
        };
        items.check()?;
        printed
    }
}

/// Writes `items` through a page-by-page printer, one item in memory at a time (`get
/// --sort-by` of the formats [`ListStreamer`] prints), then ends its output.
pub fn stream_spooled(
    mut streamer: ListStreamer,
    items: &SpooledItems,
    w: &mut dyn Write,
) -> Result<(), PrintError> {
    for i in 0..items.len() {
        let item = items.item(i);
        items.check()?;
        streamer.page(vec![item], w)?;
    }
    streamer.finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::stream::tests::printer;
    use crate::print::{GenericOptions, OutputFormat};
    use crate::testalloc::peak_heap;
    use serde_json::json;

    /// A pod-sized item (a few KB of JSON, ~20 KB as a tree).
    fn pod(i: usize) -> Value {
        let containers: Vec<Value> = (0..8)
            .map(|c| json!({"name": format!("c{c}"), "image": "registry.example/app:1.2.3",
                "env": (0..10).map(|e| json!({"name": format!("E{e}"), "value": format!("v{i}-{e}")})).collect::<Vec<_>>(),
                "ports": [{"containerPort": 8080 + c, "protocol": "TCP"}]}))
            .collect();
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("pod-{i:05}"), "namespace": "default",
                "labels": {"app": "x", "i": i.to_string()}},
            "spec": {"containers": containers}, "status": {"phase": "Pending"}})
    }

    /// `n` pods spooled, in reverse order.
    fn spooled(n: usize) -> SpooledItems {
        let mut spool = Spool::new().unwrap();
        for i in 0..n {
            spool.push(&pod(i)).unwrap();
        }
        SpooledItems::new(spool, (0..n).rev().collect())
    }

    /// What the whole-list printer writes for the same items.
    fn whole(format: &str, items: &SpooledItems) -> Vec<u8> {
        let all: Vec<Value> = (0..items.len()).map(|i| items.item(i)).collect();
        let mut p = printer(format);
        let mut out = Vec::new();
        let r = p.print(&generic_object(all, false), &mut out);
        p.finish(&mut out).unwrap();
        let _ = r;
        out
    }

    const TEMPLATES: &[&str] = &[
        "go-template={{range .items}}{{.metadata.name}} {{len .spec.containers}}{{\"\\n\"}}{{end}}",
        "go-template={{len .items}} {{(index .items 3).metadata.name}} {{.kind}}{{range $i, $p := .items}}{{if lt $i 3}}{{$p.metadata.name}}{{else}}{{break}}{{end}}{{end}}",
        // Fails at the 5th item: the output so far, then the dump of the whole list.
        "go-template={{range $i, $p := .items}}{{$p.metadata.name}}{{if eq $i 4}}{{$p.metadata.name.x}}{{end}}{{end}}",
        "go-template={{.items}}",
    ];

    #[test]
    fn go_templates_over_a_spool_print_as_over_the_whole_list() {
        for n in [0, 1, 7] {
            let items = Rc::new(spooled(n));
            for format in TEMPLATES {
                let mut out = Vec::new();
                let r = printer(format).print_spooled(items.clone(), &mut out);
                let mut p = printer(format);
                let all: Vec<Value> = (0..items.len()).map(|i| items.item(i)).collect();
                let mut want = Vec::new();
                let w = p.print(&generic_object(all, false), &mut want);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    String::from_utf8(want).unwrap(),
                    "{format}, {n} items"
                );
                assert_eq!(r.is_err(), w.is_err(), "{format}");
                if let (Err(a), Err(b)) = (r, w) {
                    assert_eq!(a.to_string(), b.to_string());
                }
            }
        }
        // And the partial output of a failing template is written (as Go's Execute does).
        let items = Rc::new(spooled(7));
        let mut out = Vec::new();
        assert!(printer(TEMPLATES[2])
            .print_spooled(items, &mut out)
            .is_err());
        assert!(String::from_utf8(out)
            .unwrap()
            .starts_with("pod-00006pod-00005pod-00004pod-00003pod-00002Error executing template"));
    }

    /// JSONPath templates that see the list whole: run over the spool ([`JsonPathPrinter::print_list`]
    /// when they succeed), byte for byte what the whole-list printer writes, errors included.
    const JSONPATHS: &[&str] = &[
        "{.kind} {.items[*].metadata.name}",
        "<{.items[0].metadata.name}|{.items[-1].metadata.name}>",
        "{.items[1:3].metadata.name} {.items[::2].metadata.name} {.items[5:5]}",
        r#"{.items[?(@.metadata.labels.i=="3")].metadata.name}{.items[?(@.metadata.labels.i>"2")].metadata.name}"#,
        r#"{range .items[*]}{.metadata.name}:{range .spec.containers[*]}{.name},{end}{"\n"}{end}"#,
        r#"{range .items[*]}{.spec.containers[0].env[?(@.name=="E1")].value}{"\n"}{end}{.metadata}"#,
        "{.items[*].spec.containers[*].ports[*].containerPort}",
        "{.items[0,2].metadata.name} {.items[*]['kind','apiVersion']}",
        "{..containerPort}",
        "{@}",
        "{.items}|{.items[*].metadata}|{.metadata}|{.apiVersion}|{.*}",
        "{range .items}{.kind}{end}{range @}{.kind}{end}",
        "{range .items[*]}{.metadata.name}",
        "{.items[3].metadata.name}",
        "{.items[*].metadata.name.x[0]}",
        "{.items[*].nope}{.kind}",
        "{.items[*].spec.containers[0:0]}{.items[*].spec.nope[*]}",
        "{end}",
        "{.items[*].metadata.labels[*]}",
        r#"{range .items[?(@.kind=="Pod")]}{.metadata.name}{" "}{end}"#,
        "{range .items[*]}{range .spec.containers[*]}{.name}{end}{end}{.items[*].metadata.namespace}",
        r#"{.items[*].status.phase}{"\t"}{.items[0].spec.containers[1:3].name}"#,
    ];

    #[test]
    fn jsonpath_over_a_spool_prints_as_over_the_whole_list() {
        for n in [0, 1, 2, 7] {
            let items = Rc::new(spooled(n));
            for t in JSONPATHS {
                for (prefix, strict) in [
                    ("jsonpath=", false),
                    ("jsonpath=", true),
                    ("jsonpath-as-json=", false),
                ] {
                    let format = format!("{prefix}{t}");
                    let make = || {
                        let f = OutputFormat::parse(&format, None, true).unwrap();
                        let opts = GenericOptions {
                            allow_missing_keys: !strict,
                            ..GenericOptions::default()
                        };
                        GenericPrinter::new(&f, &opts, &|_| Err(String::new())).unwrap()
                    };
                    let mut out = Vec::new();
                    let r = make().print_spooled(items.clone(), &mut out);
                    let all: Vec<Value> = (0..items.len()).map(|i| items.item(i)).collect();
                    let mut want = Vec::new();
                    let w = make().print(&generic_object(all, false), &mut want);
                    let what = format!("{format} (strict: {strict}), {n} items");
                    assert_eq!(
                        String::from_utf8(out).unwrap(),
                        String::from_utf8(want).unwrap(),
                        "{what}"
                    );
                    assert_eq!(
                        r.as_ref().err().map(ToString::to_string),
                        w.as_ref().err().map(ToString::to_string),
                        "{what}"
                    );
                    // A template that succeeds never needs the whole list.
                    if let (Ok(()), GenericPrinter::JsonPath(p)) = (w, make()) {
                        assert!(p.print_list(&*items, &mut io::sink()).unwrap(), "{what}");
                    }
                }
            }
        }
    }

    /// Output past the 1 MiB kept in memory waits on disk and comes out whole and in order.
    #[test]
    fn long_jsonpath_output_spills_and_comes_back() {
        let items = Rc::new(spooled(400));
        for format in ["jsonpath={@}", "jsonpath-as-json={.kind}{.items}"] {
            let mut out = Vec::new();
            printer(format)
                .print_spooled(items.clone(), &mut out)
                .unwrap();
            assert!(out.len() > 1 << 20, "{format}: {} bytes", out.len());
            assert_eq!(out, whole(format, &items), "{format}");
        }
    }

    /// The heap printing takes, at its peak, for `n` spooled pods.
    fn peak(n: usize, print: impl Fn(&SpooledItems) -> Result<(), PrintError>) -> usize {
        let items = spooled(n);
        let (r, peak) = peak_heap(|| print(&items));
        r.unwrap();
        peak
    }

    /// Sorted output (`stream_spooled`) and go-templates whose `.items` are ranged over,
    /// indexed and counted keep a bounded number of decoded items alive: the peak heap does not
    /// grow with the list (the whole list, as trees, would be hundreds of times one item).
    #[test]
    fn spooled_printing_keeps_a_bounded_number_of_items() {
        let (_, one) = peak_heap(|| pod(1));
        for format in ["json", "yaml", "name", "custom-columns=N:.metadata.name"] {
            let run = |items: &SpooledItems| {
                let streamer = ListStreamer::new(printer(format)).ok().unwrap();
                stream_spooled(streamer, items, &mut io::sink())
            };
            let (small, big) = (peak(20, run), peak(400, run));
            assert!(
                big < 8 * one + 40_000,
                "{format}: {big} bytes at 400 items, one item {one}"
            );
            assert!(
                small.abs_diff(big) < 2 * one + 40_000 || format.starts_with("custom"),
                "{format}: {small} / {big}"
            );
        }
        for format in &TEMPLATES[..2] {
            let items = Rc::new(spooled(400));
            let mut p = printer(format);
            let (r, big) = peak_heap(|| p.print_spooled(items.clone(), &mut io::sink()));
            r.unwrap();
            assert!(
                big < 8 * one + 40_000,
                "{format}: {big} bytes at 400 items, one item {one}"
            );
        }
        for t in &JSONPATHS[..7] {
            let items = Rc::new(spooled(400));
            let mut p = printer(&format!("jsonpath={t}"));
            let (r, big) = peak_heap(|| p.print_spooled(items.clone(), &mut io::sink()));
            r.unwrap();
            assert!(
                big < 8 * one + 40_000,
                "{t}: {big} bytes at 400 items, one item {one}"
            );
        }
        // The whole list, for scale: what the bound rules out.
        let items = spooled(400);
        let (_, all) = peak_heap(|| whole("json", &items));
        assert!(all > 100 * one, "{all} / {one}");
    }
}

//! A JSONPath template run on `get`'s `List` whose items stay on disk (issue 18): the
//! templates [`super::ItemsPlan`] cannot write page by page (`{.kind} {.items[*].x}`,
//! `{.items[0].x}`, filters over `.items`, nested `range`, strict missing keys).
//!
//! The list and its `.items` are handles ([`Lz`]); a step over them reads the items one at a
//! time. Each action's steps run as a pipeline, one value at a time, which gives client-go's
//! step-by-step results because every step maps each input on its own, in order; the
//! exceptions keep their whole-step meaning: an array step stops at an empty selection
//! (client-go returns early), a union runs each branch over all its inputs (held), text
//! ignores its inputs, a strict field fails only when the whole step found nothing.
//!
//! client-go prints nothing when a template fails, so the text waits in [`Pending`] (on disk
//! past 1 MiB). Any error, or a shape this does not follow, gives [`Stop::Whole`]: the caller
//! runs the template on the whole list, which gives the error's exact text (its message
//! dumps the whole list anyway).

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};

use serde_json::Value;

use super::RangeState;
use super::{budget_for, children, eval_recursive, push_result, slice_bounds, JsonPath, Node};
use crate::print::go_template::ItemSource;
use crate::print::gofmt::normalize_ints_in_place;
use crate::print::json::{list_wrapper, push_go_json_indent_at, to_go_json};

/// A value of the run: `List` is the `List` wrapper, `Items` its `.items`, both on disk.
#[derive(Clone)]
enum Lz {
    V(Value),
    List,
    Items,
}

/// Why a run stopped.
pub enum Stop {
    /// The template needs the whole list (it fails, or its shape is not followed here).
    Whole,
    /// Writing the pending text failed.
    Io(io::Error),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

fn whole<E>(_: E) -> Stop {
    Stop::Whole
}

/// The output so far, in memory up to [`Pending::SPILL`] bytes and then in an unlinked
/// temporary file.
struct Pending {
    text: String,
    file: Option<BufWriter<File>>,
}

impl Pending {
    const SPILL: usize = 1 << 20;

    fn spill(&mut self) -> io::Result<()> {
        if self.text.len() < Self::SPILL {
            return Ok(());
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => self
                .file
                .insert(BufWriter::with_capacity(64 * 1024, tempfile::tempfile()?)),
        };
        file.write_all(self.text.as_bytes())?;
        self.text.clear();
        Ok(())
    }

    fn write_to(self, w: &mut dyn Write) -> io::Result<()> {
        if let Some(file) = self.file {
            let mut file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
            file.seek(SeekFrom::Start(0))?;
            io::copy(&mut file, w)?;
        }
        w.write_all(self.text.as_bytes())
    }
}

/// Where one action's values go: the next step, or the caller's sink.
type Sink<'s, 'a> = dyn FnMut(&mut Run<'a>, Lz) -> Result<(), Stop> + 's;

/// What a step of an action's pipeline has seen.
#[derive(Default)]
struct Step {
    /// It was given a value / it gave one.
    fed: bool,
    gave: bool,
    /// An array step that selected nothing: it takes no more inputs.
    stopped: bool,
    /// A union's inputs, run through each branch at the end.
    held: Vec<Lz>,
}

/// An action's steps and what each has seen.
struct Pipe<'n> {
    steps: &'n [Node],
    states: Vec<Step>,
}

/// A run's step result.
type Done = Result<(), Stop>;

/// One run of a template over a spooled list.
struct Run<'a> {
    jp: &'a JsonPath,
    items: &'a dyn ItemSource,
    st: RangeState,
    out: Pending,
    /// The `List` wrapper without items.
    wrapper: Value,
}

/// Runs `jp` on the `List` of `items` and writes its text to `w`, as [`JsonPath::execute`] on
/// the whole list would; [`Stop::Whole`] when the whole list is needed (nothing is written).
pub fn execute(jp: &JsonPath, items: &dyn ItemSource, w: &mut dyn Write) -> Result<(), Stop> {
    let nodes = match items.nodes() {
        Some(n) => n,
        None => (0..items.len())
            .map(|i| super::count_nodes(&items.item(i)))
            .sum(),
    };
    let wrapper = list_wrapper(Vec::new());
    let mut run = Run {
        jp,
        items,
        // The wrapper holds 6 values besides the items (itself included).
        st: RangeState {
            budget: budget_for(nodes + super::count_nodes(&wrapper)),
            ..RangeState::default()
        },
        out: Pending {
            text: String::new(),
            file: None,
        },
        wrapper,
    };
    run.find(&jp.root, &Lz::List)?;
    run.out.write_to(w)?;
    Ok(())
}

impl<'a> Run<'a> {
    /// Item `i` as the engine sees it.
    fn item(&self, i: usize) -> Value {
        let mut v = self.items.item(i);
        normalize_ints_in_place(&mut v);
        v
    }

    /// Counts values produced, as [`JsonPath::walk`] does.
    fn count(&mut self, n: usize) -> Result<(), Stop> {
        self.st.work = self.st.work.saturating_add(n);
        if self.st.work > self.st.budget {
            return Err(Stop::Whole);
        }
        Ok(())
    }

    /// [`JsonPath::find`] with its result groups printed as they come.
    fn find(&mut self, nodes: &[Node], data: &Lz) -> Result<Option<usize>, Stop> {
        if let Lz::V(v) = data {
            let (groups, end) = self.jp.find(&mut self.st, nodes, v).map_err(whole)?;
            for g in &groups {
                self.jp.print_results(g, &mut self.out.text);
                self.out.spill()?;
            }
            return Ok(end);
        }
        let mut i = 0;
        while i < nodes.len() {
            match &nodes[i] {
                Node::Text(t) => {
                    self.count(1)?;
                    self.group_value(0, &Lz::V(Value::String(t.clone())))?;
                    self.group_end(1)?;
                }
                Node::List(list) => match list.as_slice() {
                    [Node::Identifier(e)] if e == "end" => {
                        if self.st.inside == 0 || self.st.end != 0 {
                            return Err(Stop::Whole);
                        }
                        return Ok(Some(i));
                    }
                    [Node::Identifier(r), chain @ ..] if r == "range" => {
                        // The identifier passes its input on.
                        self.count(1)?;
                        self.st.inside += 1;
                        let rest = &nodes[i + 1..];
                        let mut ran = false;
                        let mut end_at = None;
                        self.chain(chain, vec![data.clone()], &mut |run, v| {
                            run.count(1)?;
                            ran = true;
                            end_at = run.find(rest, &v)?;
                            Ok(())
                        })?;
                        if !ran {
                            let st = &mut self.st;
                            end_at = self.jp.find(st, rest, &Value::Null).map_err(whole)?.1;
                        }
                        self.st.inside -= 1;
                        if let Some(e) = end_at {
                            i += 1 + e;
                        }
                    }
                    _ => {
                        let mut n = 0;
                        self.chain(list, vec![data.clone()], &mut |run, v| {
                            run.count(1)?;
                            run.group_value(n, &v)?;
                            n += 1;
                            Ok(())
                        })?;
                        self.group_end(n)?;
                    }
                },
                _ => return Err(Stop::Whole),
            }
            i += 1;
        }
        Ok(None)
    }

    /// Runs the steps over `input`, each value through every step before the next one.
    fn chain(&mut self, steps: &[Node], input: Vec<Lz>, sink: &mut Sink<'_, 'a>) -> Done {
        let mut p = Pipe {
            steps,
            states: steps.iter().map(|_| Step::default()).collect(),
        };
        for v in input {
            self.push(&mut p, 0, v, sink)?;
        }
        for k in 0..steps.len() {
            self.end_step(&mut p, k, sink)?;
        }
        Ok(())
    }

    /// Step `k` produced `v`.
    fn emit(&mut self, p: &mut Pipe, k: usize, v: Lz, sink: &mut Sink<'_, 'a>) -> Done {
        self.count(1)?;
        p.states[k].gave = true;
        self.push(p, k + 1, v, sink)
    }

    /// Gives `v` to step `k`.
    fn push(&mut self, p: &mut Pipe, k: usize, v: Lz, sink: &mut Sink<'_, 'a>) -> Done {
        let Some(node) = p.steps.get(k) else {
            return sink(self, v);
        };
        p.states[k].fed = true;
        match node {
            Node::Field(name) => {
                let found = match &v {
                    Lz::V(v) => v.as_object().and_then(|m| m.get(name)).cloned().map(Lz::V),
                    Lz::Items => None,
                    Lz::List if name == "items" => Some(Lz::Items),
                    Lz::List => self.wrapper.get(name).cloned().map(Lz::V),
                };
                match found {
                    Some(f) => self.emit(p, k, f, sink),
                    None => Ok(()),
                }
            }
            Node::Array(params) => {
                if p.states[k].stopped {
                    return Ok(());
                }
                let len = match &v {
                    Lz::V(Value::Null) => return Ok(()),
                    Lz::V(Value::Array(a)) => a.len(),
                    Lz::Items => self.items.len(),
                    _ => return Err(Stop::Whole),
                };
                let Some((start, end, step)) = slice_bounds(len, params).map_err(whole)? else {
                    p.states[k].stopped = true;
                    return Ok(());
                };
                for i in (start..end).step_by(step) {
                    let e = match &v {
                        Lz::V(Value::Array(a)) => a[i].clone(),
                        _ => self.item(i),
                    };
                    self.emit(p, k, Lz::V(e), sink)?;
                }
                Ok(())
            }
            Node::Filter { left, right, op } => {
                let n = match &v {
                    Lz::V(_) => 1,
                    Lz::Items => self.items.len(),
                    Lz::List => return Err(Stop::Whole),
                };
                for i in 0..n {
                    // An item is filtered as the one element of an array.
                    let input = match &v {
                        Lz::V(v) => v.clone(),
                        _ => Value::Array(vec![self.item(i)]),
                    };
                    let passed = self
                        .jp
                        .eval_filter(&mut self.st, vec![input], left, right, op)
                        .map_err(whole)?;
                    for item in passed {
                        self.emit(p, k, Lz::V(item), sink)?;
                    }
                }
                Ok(())
            }
            Node::Wildcard => match v {
                Lz::V(v) => {
                    for c in children(&v) {
                        self.emit(p, k, Lz::V(c), sink)?;
                    }
                    Ok(())
                }
                Lz::Items => {
                    for i in 0..self.items.len() {
                        let item = self.item(i);
                        self.emit(p, k, Lz::V(item), sink)?;
                    }
                    Ok(())
                }
                Lz::List => {
                    for c in self.list_children() {
                        self.emit(p, k, c, sink)?;
                    }
                    Ok(())
                }
            },
            Node::Recursive => self.descend(v, p, k, sink),
            Node::Union(_) => {
                p.states[k].held.push(v);
                Ok(())
            }
            // Text gives its one value at the end, whatever its input.
            Node::Text(_) => Ok(()),
            Node::Int(x) => self.emit(p, k, Lz::V(Value::from(*x)), sink),
            Node::Float(x) => self.emit(p, k, Lz::V(Value::from(*x)), sink),
            Node::Bool(x) => self.emit(p, k, Lz::V(Value::Bool(*x)), sink),
            Node::List(_) | Node::Identifier(_) => Err(Stop::Whole),
        }
    }

    /// The list's values in key order, `.items` as a handle.
    fn list_children(&self) -> Vec<Lz> {
        let Value::Object(m) = &self.wrapper else {
            return Vec::new();
        };
        m.iter()
            .map(|(k, v)| {
                if k == "items" {
                    Lz::Items
                } else {
                    Lz::V(v.clone())
                }
            })
            .collect()
    }

    /// `..` on one value: every collection in it and below it, parents first.
    fn descend(&mut self, v: Lz, p: &mut Pipe, k: usize, sink: &mut Sink<'_, 'a>) -> Done {
        match v {
            Lz::V(v) => {
                let limit = self.st.budget.saturating_sub(self.st.work);
                let mut found = Vec::new();
                eval_recursive(std::slice::from_ref(&v), &mut found, limit);
                if found.len() > limit {
                    return Err(Stop::Whole);
                }
                for f in found {
                    self.emit(p, k, Lz::V(f), sink)?;
                }
                Ok(())
            }
            Lz::Items => {
                if self.items.is_empty() {
                    return Ok(());
                }
                self.emit(p, k, Lz::Items, sink)?;
                for i in 0..self.items.len() {
                    let item = self.item(i);
                    self.descend(Lz::V(item), p, k, sink)?;
                }
                Ok(())
            }
            Lz::List => {
                self.emit(p, k, Lz::List, sink)?;
                for c in self.list_children() {
                    self.descend(c, p, k, sink)?;
                }
                Ok(())
            }
        }
    }

    /// The end of step `k`'s input: what it gives only then, and its whole-step checks.
    fn end_step(&mut self, p: &mut Pipe, k: usize, sink: &mut Sink<'_, 'a>) -> Done {
        match &p.steps[k] {
            Node::Field(_)
                if p.states[k].fed && !p.states[k].gave && !self.jp.allow_missing_keys =>
            {
                Err(Stop::Whole)
            }
            Node::Text(t) => self.emit(p, k, Lz::V(Value::String(t.clone())), sink),
            Node::Union(branches) => {
                let held = std::mem::take(&mut p.states[k].held);
                for branch in branches {
                    let mut got = Vec::new();
                    self.chain(branch, held.clone(), &mut |_, v| {
                        got.push(v);
                        Ok(())
                    })?;
                    for v in got {
                        self.emit(p, k, v, sink)?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Value `n` of an action's results.
    fn group_value(&mut self, n: usize, v: &Lz) -> Result<(), Stop> {
        if self.jp.output_json {
            self.out
                .text
                .push_str(if n == 0 { "[\n    " } else { ",\n    " });
            self.push_json(v, Some(1))?;
        } else {
            if n > 0 {
                self.out.text.push(' ');
            }
            match v {
                Lz::V(v) => push_result(v, &mut self.out.text),
                _ => self.push_json(v, None)?,
            }
        }
        self.out.spill()?;
        Ok(())
    }

    /// The end of an action's `n` results.
    fn group_end(&mut self, n: usize) -> Result<(), Stop> {
        if self.jp.output_json {
            self.out
                .text
                .push_str(if n == 0 { "[]\n" } else { "\n]\n" });
        }
        Ok(())
    }

    /// Go's JSON of `v`: compact, or indented at `depth`.
    fn push_json(&mut self, v: &Lz, depth: Option<usize>) -> Result<(), Stop> {
        let render = |v: &Value, out: &mut String| match depth {
            Some(d) => push_go_json_indent_at(v, "    ", d, out),
            None => out.push_str(&to_go_json(v)),
        };
        let (skeleton, item_depth) = match v {
            Lz::V(v) => {
                render(v, &mut self.out.text);
                return Ok(());
            }
            Lz::Items => (Value::Array(vec![Value::Null]), depth.map(|d| d + 1)),
            Lz::List => (list_wrapper(vec![Value::Null]), depth.map(|d| d + 2)),
        };
        if self.items.is_empty() {
            let empty = match v {
                Lz::Items => Value::Array(Vec::new()),
                _ => list_wrapper(Vec::new()),
            };
            render(&empty, &mut self.out.text);
            return Ok(());
        }
        // The text around one `null` item, then the items in its place.
        let mut text = String::new();
        render(&skeleton, &mut text);
        let Some((head, tail)) = text.split_once("null") else {
            return Err(Stop::Whole);
        };
        let sep = match item_depth {
            Some(d) => format!(",\n{}", "    ".repeat(d)),
            None => ",".to_string(),
        };
        self.out.text.push_str(head);
        for i in 0..self.items.len() {
            if i > 0 {
                self.out.text.push_str(&sep);
            }
            let item = self.item(i);
            match item_depth {
                Some(d) => push_go_json_indent_at(&item, "    ", d, &mut self.out.text),
                None => self.out.text.push_str(&to_go_json(&item)),
            }
            self.out.spill()?;
        }
        self.out.text.push_str(tail);
        Ok(())
    }
}

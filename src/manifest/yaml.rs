//! YAML → JSON the way kubectl reads manifests: the stream is cut into documents at `---`
//! lines (apimachinery `YAMLReader`), and each document is converted like sigs.k8s.io/yaml
//! (go-yaml v2): plain scalars resolve with YAML 1.1 rules (`yes`/`on`/`y` are booleans,
//! `0755` is octal, `1_000` is an integer), timestamps stay strings, `<<` merge keys and
//! anchors work, and errors read like go-yaml's (`yaml: line 4: did not find expected key`).
//! Documents starting with `{` are read as a stream of JSON objects instead.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};
use serde::Deserialize;
use serde_json::{Map, Number, Value};

/// A document that could not be converted; `Display` is the text kubectl prints after
/// `error parsing <source>: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct YamlError(pub String);

impl YamlError {
    fn yaml(msg: impl std::fmt::Display) -> Self {
        YamlError(format!("error converting YAML to JSON: yaml: {msg}"))
    }
}

/// Splits a YAML stream into documents at lines starting with `---` (followed by nothing but
/// spaces or a comment), as apimachinery's `YAMLReader` does; the separator lines are dropped.
/// Line numbers in later errors are relative to each chunk, as in kubectl.
pub fn split_documents(text: &str) -> Result<Vec<&str>, YamlError> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(YamlError(format!(
                    "invalid Yaml document separator: {trimmed}"
                )));
            }
            if pos > start {
                docs.push(&text[start..pos]);
            }
            start = pos + line.len();
        }
        pos += line.len();
    }
    if text.len() > start {
        docs.push(&text[start..]);
    }
    Ok(docs)
}

/// One converted document. `raw` is the document's own text when it was read as JSON
/// (kubectl quotes that text in "unable to decode" messages); YAML documents have none.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document as JSON.
    pub value: Value,
    /// The original JSON text, for JSON documents.
    pub raw: Option<String>,
}

/// Converts every document of a YAML (or JSON) stream. Documents that are empty or `null`
/// are skipped. Like kubectl, conversion stops at the first bad document: the documents
/// before it are returned, then the error.
pub fn documents_to_json(text: &str) -> Vec<Result<Value, YamlError>> {
    documents(text)
        .into_iter()
        .map(|d| d.map(|d| d.value))
        .collect()
}

/// [`documents_to_json`] keeping JSON documents' raw text.
pub fn documents(text: &str) -> Vec<Result<Document, YamlError>> {
    // A UTF-8 byte order mark is not content (go-yaml skips it too).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        json_then_yaml(text)
    } else {
        yaml_stream(text)
    }
}

fn yaml_stream(text: &str) -> Vec<Result<Document, YamlError>> {
    let chunks = match split_documents(text) {
        Ok(c) => c,
        Err(e) => return vec![Err(e)],
    };
    let mut out = Vec::new();
    for chunk in chunks {
        match check_characters(chunk).and_then(|()| yaml_to_json(chunk)) {
            Ok(Value::Null) => {}
            Ok(value) => out.push(Ok(Document { value, raw: None })),
            Err(e) => {
                out.push(Err(e));
                break;
            }
        }
    }
    out
}

/// go-yaml's reader accepts only YAML's printable characters (tab, line breaks, U+0020-U+007E,
/// U+0085, U+00A0-U+D7FF, U+E000-U+FFFD and beyond U+FFFF); anything else, NUL included,
/// fails the document before it is parsed.
fn check_characters(text: &str) -> Result<(), YamlError> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}')
            || ('\u{e000}'..='\u{fffd}').contains(&c)
            || c >= '\u{10000}'
    };
    if text.chars().all(allowed) {
        Ok(())
    } else {
        Err(YamlError::yaml("control characters are not allowed"))
    }
}

/// apimachinery's `YAMLOrJSONDecoder` on a stream that starts with `{`: JSON values one after
/// another; if one fails while at most one value was read, the rest (from that value on) is
/// tried as YAML, and only if that fails too is the JSON error reported.
fn json_then_yaml(text: &str) -> Vec<Result<Document, YamlError>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut count = 0;
    loop {
        let rest = &text[pos..];
        let skipped = rest.len() - rest.trim_start().len();
        if skipped == rest.len() {
            return out;
        }
        // encoding/json allows 10000 levels; serde_json's own limit (128) is lifted, since
        // the scan below bounds the recursion.
        let too_deep = json_depth_violation(&rest[skipped..]).map(|(i, c)| (skipped + i, c));
        let parsed = match too_deep {
            Some((at, open)) => {
                // A syntax error before that point is reported first.
                let mut de = serde_json::Deserializer::from_str(&rest[..at]);
                de.disable_recursion_limit();
                match Value::deserialize(&mut de) {
                    Err(e) if !matches!(e.classify(), serde_json::error::Category::Eof) => {
                        Some(Err(e))
                    }
                    _ => {
                        let msg = format!("invalid character '{open}' exceeded max depth");
                        let wrapped = format!("json: offset {}: {msg}", pos + at + 1);
                        if count > 1 {
                            out.push(Err(YamlError(msg)));
                            return out;
                        }
                        out.push(Err(YamlError(wrapped)));
                        return out;
                    }
                }
            }
            None => None,
        };
        let mut de = serde_json::Deserializer::from_str(rest);
        de.disable_recursion_limit();
        let mut stream = de.into_iter::<Value>();
        let next = match parsed {
            Some(err) => Some(err),
            None => stream.next(),
        };
        match next {
            None => return out,
            Some(Ok(value)) => {
                let end = stream.byte_offset();
                let raw = rest[skipped..end].to_string();
                pos += end;
                count += 1;
                if !value.is_null() {
                    out.push(Ok(Document {
                        value,
                        raw: Some(raw),
                    }));
                }
            }
            Some(Err(e)) => {
                let (plain, wrapped) = json_error_text(&e, rest, pos);
                if count > 1 {
                    out.push(Err(YamlError(plain)));
                    return out;
                }
                // Eat whitespace up to and including the first newline, then try YAML.
                let mut yaml_start = pos;
                for (i, c) in rest.char_indices() {
                    if !c.is_whitespace() {
                        yaml_start = pos + i;
                        break;
                    }
                    if c == '\n' {
                        yaml_start = pos + i + 1;
                        break;
                    }
                }
                let docs = yaml_stream(&text[yaml_start..]);
                match docs.first() {
                    Some(Ok(_)) => out.extend(docs),
                    _ => out.push(Err(YamlError(wrapped))),
                }
                return out;
            }
        }
    }
}

/// Where the JSON value at the start of `text` first nests deeper than encoding/json's 10000
/// levels: the byte index and the opening character there.
fn json_depth_violation(text: &str) -> Option<(usize, char)> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((i, b as char));
                }
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    None
}

/// Go's encoding/json text for an error in `rest` (which starts at byte `base` of the stream):
/// the bare message, and the message with apimachinery's `json: offset N:` prefix (syntax
/// errors only; Go's offset counts the bad byte).
fn json_error_text(e: &serde_json::Error, rest: &str, base: usize) -> (String, String) {
    use serde_json::error::Category;
    if matches!(e.classify(), Category::Eof) {
        let m = "unexpected EOF".to_string();
        return (m.clone(), m);
    }
    let line_start: usize = rest
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let mut local = (line_start + e.column()).min(rest.len());
    while !rest.is_char_boundary(local) {
        local -= 1;
    }
    let bad = rest[..local].chars().next_back().unwrap_or(' ');
    let msg = format!(
        "invalid character {} {}",
        go_quote_char(bad),
        json_context(e)
    );
    let wrapped = format!("json: offset {}: {msg}", base + local);
    (msg, wrapped)
}

fn json_context(e: &serde_json::Error) -> &'static str {
    let s = e.to_string();
    if s.contains("key must be a string") {
        "looking for beginning of object key string"
    } else if s.contains("expected `:`") {
        "after object key"
    } else if s.contains("expected `,` or `}`") {
        "after object key:value pair"
    } else if s.contains("expected `,` or `]`") {
        "after array element"
    } else {
        "looking for beginning of value"
    }
}

/// Go's `quoteChar`: the character as `strconv.Quote` escapes it, in single quotes.
fn go_quote_char(c: char) -> String {
    let inner = match c {
        '\'' => "\\'".to_string(),
        '"' => "\"".to_string(),
        '\\' => "\\\\".to_string(),
        '\u{7}' => "\\a".to_string(),
        '\u{8}' => "\\b".to_string(),
        '\u{c}' => "\\f".to_string(),
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        '\u{b}' => "\\v".to_string(),
        c if (c as u32) < 0x20 || c == '\u{7f}' => format!("\\x{:02x}", c as u32),
        c if c.is_control() || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}') => {
            if (c as u32) <= 0xffff {
                format!("\\u{:04x}", c as u32)
            } else {
                format!("\\U{:08x}", c as u32)
            }
        }
        c => c.to_string(),
    };
    format!("'{inner}'")
}

/// Converts the first YAML document of `text` to JSON (`Value::Null` when there is none).
///
/// Like go-yaml, errors come in three phases and an earlier phase wins whatever its position
/// in the document: parse errors (syntax, unknown anchors, nesting deeper than 10000), then
/// decode errors (the alias-expansion limit, self-referencing anchors, bad merges, tag
/// mismatches), then JSON conversion errors (NaN, null keys). A document is never expanded
/// beyond go-yaml's alias budget, so an alias bomb costs time and memory proportional to its
/// text.
pub fn yaml_to_json(text: &str) -> Result<Value, YamlError> {
    let mut b = Builder {
        text,
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        frames: Vec::new(),
        indents: 0,
        cursor: CharCursor::default(),
        budget: AliasBudget::default(),
        decode_err: None,
        convert_err: None,
    };
    let value = b.document()?;
    // sigs.k8s.io/yaml then decodes the JSON with encoding/json, whose nesting limit counts
    // flow and block levels together.
    if let Some(open) = too_deep(&value) {
        return Err(YamlError(format!(
            "error unmarshaling JSON: while decoding JSON: invalid character '{open}' exceeded max depth"
        )));
    }
    Ok(value)
}

/// The opening character (`[` or `{`) of the first collection, in the order Go's JSON encoder
/// writes them (keys sorted), nested deeper than encoding/json's 10000 levels.
fn too_deep(value: &Value) -> Option<char> {
    let mut stack = vec![(value, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        let children: Vec<&Value> = match v {
            Value::Array(items) => items.iter().collect(),
            Value::Object(map) => map.values().collect(),
            _ => continue,
        };
        if depth > MAX_DEPTH {
            return Some(if v.is_array() { '[' } else { '{' });
        }
        stack.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
    }
    None
}

/// Reads one document's events into JSON.
struct Builder<'a> {
    text: &'a str,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    /// Finished anchored nodes by saphyr's anchor id (a redefined anchor gets a new id).
    anchors: HashMap<usize, Anchored>,
    /// Collections still open, innermost last.
    frames: Vec<Frame>,
    /// go-yaml's indentation levels currently open.
    indents: usize,
    cursor: CharCursor,
    budget: AliasBudget,
    decode_err: Option<YamlError>,
    convert_err: Option<YamlError>,
}

/// go-yaml's `max_indents` (and `max_flow_level`): deeper nesting is a scanner error.
const MAX_DEPTH: usize = 10_000;

/// go-yaml v2's decoder counters behind "document contains excessive aliasing" (the fix for
/// CVE-2019-11253): every node decoded counts, and nodes decoded through an alias count as
/// aliased; a document fails once more than 100 aliased and 1000 total nodes were decoded and
/// the aliased share exceeds [`allowed_alias_ratio`].
#[derive(Default)]
struct AliasBudget {
    decoded: u64,
    aliased: u64,
}

/// go-yaml's `allowedAliasRatio`: 99% up to 400000 decoded nodes, falling linearly to 10% at
/// 4000000.
fn allowed_alias_ratio(decoded: u64) -> f64 {
    const LOW: u64 = 400_000;
    const HIGH: u64 = 4_000_000;
    if decoded <= LOW {
        0.99
    } else if decoded >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decoded - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

impl AliasBudget {
    /// Counts `nodes` decoded nodes, `aliased` of them through an alias. Both counters only
    /// grow while an alias is expanded, so checking once after a whole expansion gives the
    /// verdict go-yaml reaches checking node by node.
    fn count(&mut self, nodes: u64, aliased: u64) -> Result<(), YamlError> {
        self.decoded = self.decoded.saturating_add(nodes);
        self.aliased = self.aliased.saturating_add(aliased);
        if self.aliased > 100
            && self.decoded > 1000
            && self.aliased as f64 / self.decoded as f64 > allowed_alias_ratio(self.decoded)
        {
            return Err(YamlError::yaml("document contains excessive aliasing"));
        }
        Ok(())
    }
}

/// Maps saphyr's character indexes to byte offsets, moving forward (events come in order).
#[derive(Default)]
struct CharCursor {
    chars: usize,
    bytes: usize,
}

impl CharCursor {
    fn byte_offset(&mut self, text: &str, char_index: usize) -> usize {
        if char_index < self.chars {
            *self = CharCursor::default();
        }
        for c in text[self.bytes..].chars() {
            if self.chars == char_index {
                break;
            }
            self.chars += 1;
            self.bytes += c.len_utf8();
        }
        self.bytes
    }
}

/// An anchored node: its value and what decoding it costs (go-yaml's node count).
struct Anchored {
    value: Value,
    cost: u64,
}

/// A collection being read. Collections are built with an explicit stack, so nesting depth
/// costs heap, not call stack.
struct Frame {
    kind: FrameKind,
    anchor: usize,
    /// go-yaml's decode count for this node so far (itself and everything read into it).
    cost: u64,
    flow: bool,
    /// A block collection with its own indentation level (go-yaml's indents stack).
    indented: bool,
}

enum FrameKind {
    Seq(Vec<Value>),
    /// The sequence value of a `<<` key: maps merged, earlier ones winning.
    MergeSeq(Vec<Value>),
    Map {
        map: Map<String, Value>,
        key: Option<PendingKey>,
    },
}

enum PendingKey {
    Merge,
    Key(String),
    /// A key that failed to convert; its value is read and dropped.
    Dropped,
}

/// A node before key stringification: keys of mappings may be non-strings in YAML.
enum Node {
    Value(Value),
    /// The `<<` merge key (only meaningful as a mapping key).
    Merge,
}

/// Errors of the JSON conversion after decoding (sigs.k8s.io/yaml's second step).
fn is_conversion_error(e: &YamlError) -> bool {
    e.0.starts_with("error converting YAML to JSON: json:")
        || e.0.contains("unsupported map key of type")
}

impl<'a> Builder<'a> {
    fn next(&mut self) -> Result<Option<(Event<'a>, Span)>, YamlError> {
        match self.parser.next_event() {
            None => Ok(None),
            Some(Ok(ev)) => Ok(Some(ev)),
            Some(Err(e)) => Err(scan_error(&e, self.text)),
        }
    }

    fn document(&mut self) -> Result<Value, YamlError> {
        loop {
            match self.next()? {
                None | Some((Event::StreamEnd, _)) => return Ok(Value::Null),
                Some((Event::StreamStart, _)) | Some((Event::Nothing, _)) => {}
                Some((Event::DocumentStart(_), _)) => {
                    let root = self.root()?;
                    // Only the first document counts (go-yaml's Unmarshal stops there), but
                    // errors before its end still count.
                    loop {
                        match self.next()? {
                            None | Some((Event::DocumentEnd, _)) | Some((Event::StreamEnd, _)) => {
                                break
                            }
                            Some(_) => {}
                        }
                    }
                    if let Some(e) = self.decode_err.take().or(self.convert_err.take()) {
                        return Err(e);
                    }
                    return Ok(root.unwrap_or(Value::Null));
                }
                Some((_, span)) => {
                    return Err(YamlError::yaml(format!(
                        "line {}: did not find expected <document start>",
                        span.start.line()
                    )))
                }
            }
        }
    }

    /// Records a decode-phase error: the first one is kept and building stops, but the rest
    /// of the document is still parsed, since a parse error anywhere takes precedence.
    fn fail(&mut self, e: YamlError) {
        if is_conversion_error(&e) {
            if self.convert_err.is_none() {
                self.convert_err = Some(e);
            }
        } else if self.decode_err.is_none() {
            self.decode_err = Some(e);
        }
    }

    fn building(&self) -> bool {
        self.decode_err.is_none()
    }

    /// Reads the document's root node. `None` for an empty document.
    fn root(&mut self) -> Result<Option<Value>, YamlError> {
        // The document node itself is one decode.
        if let Err(e) = self.budget.count(1, 0) {
            self.fail(e);
        }
        loop {
            let Some((ev, span)) = self.next()? else {
                return Err(YamlError::yaml("found unexpected end of stream"));
            };
            let done = match ev {
                Event::DocumentEnd if self.frames.is_empty() => return Ok(None),
                Event::Scalar(text, style, anchor, tag) => {
                    let is_key = self.at_key();
                    let node =
                        match resolve_scalar(&text, style, tag.map(|t| t.to_string()).as_deref()) {
                            Ok(n) => n,
                            Err(e) => {
                                self.fail(e);
                                Node::Value(Value::Null)
                            }
                        };
                    if is_key && matches!(node, Node::Merge) {
                        // go-yaml does not decode a merge key.
                        if let Some(Frame {
                            kind: FrameKind::Map { key, .. },
                            ..
                        }) = self.frames.last_mut()
                        {
                            *key = Some(PendingKey::Merge);
                        }
                        continue;
                    }
                    let value = match node {
                        Node::Value(v) => v,
                        Node::Merge => Value::String("<<".into()),
                    };
                    if let Err(e) = self.budget.count(1, 0) {
                        self.fail(e);
                    }
                    if anchor > 0 && self.building() {
                        self.anchors.insert(
                            anchor,
                            Anchored {
                                value: value.clone(),
                                cost: 1,
                            },
                        );
                    }
                    self.complete(value, 1)
                }
                Event::Alias(id) => {
                    let (value, cost) = self.alias(id, span);
                    self.complete(value, cost)
                }
                Event::SequenceStart(anchor, _) => {
                    self.open(span, anchor, false)?;
                    continue;
                }
                Event::MappingStart(anchor, _) => {
                    self.open(span, anchor, true)?;
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.frames.pop() else {
                        return Err(YamlError::yaml(format!(
                            "line {}: did not find expected node content",
                            span.start.line()
                        )));
                    };
                    if frame.indented {
                        self.indents -= 1;
                    }
                    let value = match frame.kind {
                        FrameKind::Seq(items) | FrameKind::MergeSeq(items) => Value::Array(items),
                        FrameKind::Map { map, .. } => Value::Object(map),
                    };
                    if frame.anchor > 0 && self.building() {
                        self.anchors.insert(
                            frame.anchor,
                            Anchored {
                                value: value.clone(),
                                cost: frame.cost,
                            },
                        );
                    }
                    self.complete(value, frame.cost)
                }
                _ => {
                    return Err(YamlError::yaml(format!(
                        "line {}: did not find expected node content",
                        span.start.line()
                    )))
                }
            };
            if let Some(root) = done {
                return Ok(Some(root));
            }
        }
    }

    /// Whether the next node is a mapping key.
    fn at_key(&self) -> bool {
        matches!(
            self.frames.last(),
            Some(Frame {
                kind: FrameKind::Map { key: None, .. },
                ..
            })
        )
    }

    /// Starts a collection, counting go-yaml's indentation levels: block collections have
    /// one each, except a sequence written at its parent mapping's indentation
    /// (`key:\n- item`), and flow collections have none.
    fn open(&mut self, span: Span, anchor: usize, mapping: bool) -> Result<(), YamlError> {
        let parent_flow = self.frames.last().is_some_and(|f| f.flow);
        let at = self.cursor.byte_offset(self.text, span.start.index());
        let first = self.text[at..].chars().next();
        let flow = parent_flow || matches!(first, Some('[') | Some('{'));
        let parent_is_block_map = matches!(
            self.frames.last(),
            Some(Frame {
                kind: FrameKind::Map { .. },
                flow: false,
                ..
            })
        );
        // saphyr places an indentless sequence at its first item, after the `- `.
        let indentless = !mapping
            && parent_is_block_map
            && !self.text[..at]
                .trim_end_matches([' ', '\t'])
                .ends_with(['\n', '\r'])
            && !self.text[..at].trim_end_matches([' ', '\t']).is_empty();
        let indented = !flow && !indentless;
        if indented {
            self.indents += 1;
            if self.indents > MAX_DEPTH {
                // A scanner error: go-yaml names the line unless it is the first.
                let line = span.start.line();
                let msg = format!("exceeded max depth of {MAX_DEPTH}");
                return Err(if line <= 1 {
                    YamlError::yaml(msg)
                } else {
                    YamlError::yaml(format!("line {line}: {msg}"))
                });
            }
        }
        let merge = !mapping
            && matches!(
                self.frames.last(),
                Some(Frame {
                    kind: FrameKind::Map {
                        key: Some(PendingKey::Merge),
                        ..
                    },
                    ..
                })
            );
        // A merge sequence is not decoded itself, only its items.
        let cost = if merge { 0 } else { 1 };
        if cost > 0 {
            if let Err(e) = self.budget.count(1, 0) {
                self.fail(e);
            }
        }
        let kind = if mapping {
            FrameKind::Map {
                map: Map::new(),
                key: None,
            }
        } else if merge {
            FrameKind::MergeSeq(Vec::new())
        } else {
            FrameKind::Seq(Vec::new())
        };
        self.frames.push(Frame {
            kind,
            anchor,
            cost,
            flow,
            indented,
        });
        Ok(())
    }

    /// Expands an alias within go-yaml's budget; an alias to an anchor still open is a
    /// value containing itself.
    fn alias(&mut self, id: usize, span: Span) -> (Value, u64) {
        if !self.building() {
            return (Value::Null, 1);
        }
        let Some(target) = self.anchors.get(&id) else {
            let at = self.cursor.byte_offset(self.text, span.start.index());
            let name: String = self.text[at..]
                .trim_start_matches('*')
                .chars()
                .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
                .collect();
            self.fail(YamlError::yaml(format!(
                "anchor '{name}' value contains itself"
            )));
            return (Value::Null, 1);
        };
        let cost = target.cost;
        let checked = self
            .budget
            .count(1, 0)
            .and_then(|()| self.budget.count(cost, cost));
        if let Err(e) = checked {
            self.fail(e);
            return (Value::Null, 1);
        }
        let value = self
            .anchors
            .get(&id)
            .map(|a| a.value.clone())
            .unwrap_or_default();
        (value, cost.saturating_add(1))
    }

    /// Puts a finished node into its parent; returns it when it is the root.
    fn complete(&mut self, value: Value, cost: u64) -> Option<Value> {
        let building = self.building();
        let Some(parent) = self.frames.last_mut() else {
            return Some(value);
        };
        parent.cost = parent.cost.saturating_add(cost);
        if !building {
            if let FrameKind::Map { key, .. } = &mut parent.kind {
                *key = match key {
                    None => Some(PendingKey::Dropped),
                    Some(_) => None,
                };
            }
            return None;
        }
        let mut failure = None;
        match &mut parent.kind {
            FrameKind::Seq(items) | FrameKind::MergeSeq(items) => items.push(value),
            FrameKind::Map { map, key } => match key.take() {
                None => {
                    *key = Some(match key_string(&value) {
                        Ok(k) => PendingKey::Key(k),
                        Err(e) => {
                            failure = Some(e);
                            PendingKey::Dropped
                        }
                    });
                }
                Some(PendingKey::Key(k)) => {
                    // Duplicate keys: the last one wins (sigs.k8s.io/yaml is not strict).
                    map.insert(k, value);
                }
                Some(PendingKey::Dropped) => {}
                Some(PendingKey::Merge) => {
                    // go-yaml v2 merges in place: a merged key overwrites what is already
                    // set and is overwritten by keys that follow; of a sequence of maps,
                    // the earlier ones win.
                    let maps: Vec<Map<String, Value>> = match value {
                        Value::Object(m) => vec![m],
                        Value::Array(items) => {
                            let mut maps = Vec::with_capacity(items.len());
                            for item in items.into_iter().rev() {
                                match item {
                                    Value::Object(m) => maps.push(m),
                                    _ => {
                                        failure = Some(YamlError::yaml(
                                            "map merge requires map or sequence of maps as the value",
                                        ));
                                        break;
                                    }
                                }
                            }
                            maps
                        }
                        _ => {
                            failure = Some(YamlError::yaml(
                                "map merge requires map or sequence of maps as the value",
                            ));
                            Vec::new()
                        }
                    };
                    if failure.is_none() {
                        for m in maps {
                            map.extend(m);
                        }
                    }
                }
            },
        }
        if let Some(e) = failure {
            self.fail(e);
        }
        None
    }
}

/// sigs.k8s.io/yaml turns non-string keys into strings.
fn key_string(k: &Value) -> Result<String, YamlError> {
    match k {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(match n.as_f64() {
            Some(f) if !(n.is_i64() || n.is_u64()) => format_float_key(f),
            _ => n.to_string(),
        }),
        Value::Null => Err(YamlError(
            "error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>"
                .to_string(),
        )),
        _ => Err(YamlError::yaml("invalid map key")),
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` for the common cases.
fn format_float_key(f: f64) -> String {
    let f32v = f as f32;
    let s = format!("{f32v}");
    if s.contains('e') || s.contains("inf") || s.contains("NaN") {
        match s.as_str() {
            "inf" => ".inf".to_string(),
            "-inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            _ => s,
        }
    } else {
        s
    }
}

/// Resolves one scalar: quoted and block scalars are strings; plain ones follow go-yaml v2's
/// YAML 1.1 table; `!!str`/`!!int`/... tags force a type.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<Node, YamlError> {
    let core = tag.and_then(|t| t.strip_prefix("tag:yaml.org,2002:!"));
    let core = core.or_else(|| tag.and_then(|t| t.strip_prefix("!!")));
    if tag.is_some() && core.is_none() {
        // Custom tags are not resolvable: the text stays a string.
        return Ok(Node::Value(Value::String(text.to_string())));
    }
    let plain = matches!(style, ScalarStyle::Plain);
    match core {
        Some("str") => return Ok(Node::Value(Value::String(text.to_string()))),
        Some("binary") => {
            // go-yaml decodes !!binary into the bytes' string.
            use base64::Engine;
            let compact: String = text.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|_| YamlError::yaml("!!binary value contains invalid base64 data"))?;
            return Ok(Node::Value(Value::String(
                String::from_utf8_lossy(&bytes).into_owned(),
            )));
        }
        Some("merge") => return Ok(Node::Merge),
        Some(_) | None => {}
    }
    if !plain && core.is_none() {
        return Ok(Node::Value(Value::String(text.to_string())));
    }
    let resolved = resolve_plain(text)?;
    let found = resolved_tag(&resolved);
    let bad =
        |what: &str| YamlError::yaml(format!("cannot decode !!{found} `{text}` as a !!{what}"));
    match (core, resolved) {
        (None, r) => Ok(r),
        (Some("null"), Node::Value(Value::Null)) => Ok(Node::Value(Value::Null)),
        (Some("bool"), r @ Node::Value(Value::Bool(_))) => Ok(r),
        (Some("int"), r @ Node::Value(Value::Number(_))) if is_int(&r) => Ok(r),
        (Some("float"), Node::Value(Value::Number(n))) => {
            Ok(Node::Value(float_value(n.as_f64().unwrap_or(0.0))))
        }
        (Some("timestamp"), Node::Value(Value::String(s))) => Ok(Node::Value(Value::String(s))),
        (Some(t), _) => Err(bad(t)),
    }
}

fn is_int(n: &Node) -> bool {
    matches!(n, Node::Value(Value::Number(n)) if n.is_i64() || n.is_u64())
}

fn resolved_tag(n: &Node) -> &'static str {
    match n {
        Node::Merge => "merge",
        Node::Value(Value::Null) => "null",
        Node::Value(Value::Bool(_)) => "bool",
        Node::Value(Value::Number(x)) if x.is_i64() || x.is_u64() => "int",
        Node::Value(Value::Number(_)) => "float",
        _ => "str",
    }
}

/// go-yaml v2 `resolve` for an untagged plain scalar.
fn resolve_plain(s: &str) -> Result<Node, YamlError> {
    let v = match s {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Value::Bool(false)
        }
        "<<" => return Ok(Node::Merge),
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
        | "-.inf" | "-.Inf" | "-.INF" => {
            // JSON has no NaN or infinities; sigs.k8s.io/yaml fails to marshal them.
            let what = if s.contains('n') && s.to_ascii_lowercase().contains("nan") {
                "NaN"
            } else if s.starts_with('-') {
                "-Inf"
            } else {
                "+Inf"
            };
            return Err(YamlError(format!(
                "error converting YAML to JSON: json: unsupported value: {what}"
            )));
        }
        _ => match s.as_bytes()[0] {
            b'.' => match parse_go_float(s) {
                Some(f) => float_value(f),
                None => Value::String(s.to_string()),
            },
            b'0'..=b'9' | b'+' | b'-' => resolve_number(s),
            _ => Value::String(s.to_string()),
        },
    };
    Ok(Node::Value(v))
}

fn resolve_number(s: &str) -> Value {
    if is_timestamp(s) {
        return Value::String(s.to_string());
    }
    let plain = s.replace('_', "");
    if let Some(i) = parse_go_int(&plain) {
        return Value::Number(i.into());
    }
    if let Some(u) = parse_go_uint(&plain) {
        // Beyond int64, kubectl's JSON decoding turns the number into a float64.
        return float_value(u as f64);
    }
    if is_yaml_float(&plain) {
        if let Some(f) = parse_go_float(&plain) {
            return float_value(f);
        }
    }
    Value::String(s.to_string())
}

/// A float as JSON: integral values become integers, as they do after sigs.k8s.io/yaml's
/// JSON round trip and kubectl's decoding (`1e3` → `1000`).
fn float_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Value::Number((f as i64).into());
    }
    Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or_else(|| Value::String(f.to_string()))
}

/// `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`, `0o`, `0b`, leading-`0` octal or
/// decimal.
fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let mag = parse_go_uint(body)?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            Some(
                (mag as i128)
                    .checked_neg()
                    .and_then(|v| i64::try_from(v).ok())?,
            )
        } else {
            None
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// `strconv.ParseUint(s, 0, 64)`.
fn parse_go_uint(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d, 8)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `strconv.ParseFloat(s, 64)` for decimal forms (what reaches it after the checks above).
fn parse_go_float(s: &str) -> Option<f64> {
    let t = s.strip_prefix('+').unwrap_or(s);
    if t.starts_with('+') || t.starts_with("-+") {
        return None;
    }
    let f: f64 = t.parse().ok()?;
    f.is_finite().then_some(f)
}

/// go-yaml v2 timestamps (`2006-1-2`, with optional time part): kept as strings anyway, but
/// they must not be read as numbers either.
fn is_timestamp(s: &str) -> bool {
    let date_end = s.find(['T', 't', ' ']).unwrap_or(s.len());
    let date = &s[..date_end];
    let parts: Vec<&str> = date.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        && parts[1].len() <= 2
        && parts[2].len() <= 2
}

/// The innermost flow collection (`[` or `{`) still open at byte `end`, skipping quoted text.
fn innermost_flow_open(text: &str, end: usize) -> Option<char> {
    let mut stack = Vec::new();
    let mut quote: Option<char> = None;
    for c in text[..end.min(text.len())].chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '[') | (None, '{') => stack.push(c),
            (None, ']') | (None, '}') => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

/// Maps saphyr's scanner/parser errors to go-yaml's wording and line numbering. go-yaml reports
/// scanner errors at the 1-based line of the problem, and parser errors at the 0-based one.
fn scan_error(e: &ScanError, text: &str) -> YamlError {
    let info = e.info();
    let mut line = e.marker().line();
    // Marker indexes count characters.
    let byte = text
        .char_indices()
        .nth(e.marker().index())
        .map_or(text.len(), |(b, _)| b);
    let flow = innermost_flow_open(text, byte);
    if info.contains("invalid indentation in quoted") {
        // YAML 1.1 quoted scalars may span lines at any indentation: go-yaml reads on to the
        // next quote and then fails on what follows it.
        let open_line_start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[byte..].find('\n').map_or(text.len(), |i| byte + i);
        let opening = text[open_line_start..line_end]
            .char_indices()
            .filter(|(_, c)| *c == '"' || *c == '\'')
            .map(|(i, c)| (open_line_start + i, c))
            .take_while(|(i, _)| *i <= byte)
            .last();
        if let Some((qpos, q)) = opening {
            if let Some(close) = text[qpos + 1..].find(q) {
                // A parser error: go-yaml prints the 0-based line of the closing quote.
                let close_line = text[..qpos + 1 + close].matches('\n').count();
                return YamlError::yaml(format!("line {close_line}: did not find expected key"));
            }
        }
    }
    if info.contains("invalid trailing content after double-quoted") {
        // go-yaml starts another quoted scalar if one follows; unclosed, it runs to the end.
        let after = text[byte..].trim_start_matches([' ', '\t']);
        if let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') {
            if !after[1..].contains(q) {
                let eof_line = text.matches('\n').count() + 1;
                return YamlError::yaml(format!("line {eof_line}: found unexpected end of stream"));
            }
        }
    }
    if info.contains("invalid indentation") && !info.contains("quoted") && flow.is_some() {
        return YamlError::yaml(format!(
            "line {}: did not find expected node content",
            line.saturating_sub(1)
        ));
    }
    if info.contains("expected ',' or '}'") && flow == Some('[') {
        return YamlError::yaml(format!(
            "line {}: did not find expected ',' or ']'",
            line.saturating_sub(1)
        ));
    }
    if info.contains("unknown anchor") {
        let at = &text[byte..];
        let name: String = at
            .trim_start_matches('*')
            .chars()
            .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
            .collect();
        return YamlError::yaml(format!("unknown anchor '{name}' referenced"));
    }
    if info.contains("unexpected end of stream") || info.contains("invalid indentation in quoted") {
        // go-yaml reads to the end and reports the line after the last one.
        line = text.matches('\n').count() + 1;
    }
    if info.contains("plain scalar, found a tab") {
        // saphyr marks the scalar's start; go-yaml the tab on the following line.
        line += 1;
    }
    let (msg, scanner) = if info.contains("plain scalar, found a tab") {
        ("found a tab character that violates indentation", true)
    } else if info.contains("invalid trailing content after double-quoted") {
        ("did not find expected key", false)
    } else if info.contains("mapping values are not allowed") {
        ("mapping values are not allowed in this context", true)
    } else if info.contains("tab") || info.contains("unexpected character") {
        ("found character that cannot start any token", true)
    } else if info.contains("unexpected end of stream")
        || info.contains("invalid indentation in quoted")
    {
        ("found unexpected end of stream", true)
    } else if info.contains("did not find expected node content") {
        ("did not find expected node content", false)
    } else if info.contains("did not find expected '-'") {
        ("did not find expected '-' indicator", false)
    } else if info.contains("expected ',' or '}'") {
        ("did not find expected ',' or '}'", false)
    } else if info.contains("expected ',' or ']'") {
        ("did not find expected ',' or ']'", false)
    } else if info.contains("simple key") || info.contains("could not find expected ':'") {
        ("could not find expected ':'", true)
    } else if info.contains("did not find expected key")
        || info.contains("invalid indentation")
        || info.contains("expected <document start>")
    {
        ("did not find expected key", false)
    } else if info.contains("unknown escape") {
        ("found unknown escape character", true)
    } else {
        (info, true)
    };
    // saphyr's lines are 1-based. go-yaml omits the line when the problem is on the first
    // line, and prints parser errors with the 0-based line number.
    let zero_based = line.saturating_sub(1);
    let go_line = if zero_based == 0 {
        0
    } else if scanner {
        zero_based + 1
    } else {
        zero_based
    };
    if go_line == 0 {
        YamlError::yaml(msg)
    } else {
        YamlError::yaml(format!("line {go_line}: {msg}"))
    }
}

#[cfg(test)]
mod tests;

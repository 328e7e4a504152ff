//! kubectl's `-o yaml`: sigs.k8s.io/yaml (JSON → go-yaml v2) emission of a JSON value,
//! reproducing go-yaml v2.4's emitter (`emitterc.go`) for the block style it produces: keys
//! sorted with go-yaml's "natural" order, 2-space indent, sequences not indented under their
//! key, its quoting rules (YAML 1.1 booleans, numbers, timestamps, indicators), `|-`/`|+`
//! literals, folding of long scalars at column 80, and `? ` complex keys.

use std::cmp::Ordering;
use std::io::Write;

use serde_json::{Map, Number, Value};

use kcore::goyaml::resolves_to_string;

use super::gofmt::json_number;
use super::PrintError;
use kcore::gofmt::go_float;

const BEST_INDENT: i32 = 2;
const BEST_WIDTH: usize = 80;

/// The YAML text of a value as kubectl prints it (`yaml.Marshal`), ending with a newline.
pub fn to_yaml_string(v: &Value) -> String {
    let mut e = Emitter::new();
    e.emit_node(
        v,
        Ctx {
            root: true,
            ..Ctx::default()
        },
    );
    e.end_document();
    e.out
}

/// cli-runtime `YAMLPrinter`: each object after the first is preceded by `---`.
#[derive(Debug, Default)]
pub struct YamlPrinter {
    count: usize,
}

impl YamlPrinter {
    /// A printer that has printed nothing yet.
    pub fn new() -> Self {
        YamlPrinter::default()
    }

    /// Prints any value (a watch event) without the kind check, with the `---` separator.
    pub fn print_value(&mut self, v: &Value, w: &mut dyn Write) -> Result<(), PrintError> {
        self.count += 1;
        if self.count > 1 {
            w.write_all(b"---\n")?;
        }
        w.write_all(to_yaml_string(v).as_bytes())?;
        Ok(())
    }

    /// Prints one object (or a List wrapper).
    pub fn print(&mut self, obj: &Value, w: &mut dyn Write) -> Result<(), PrintError> {
        self.count += 1;
        if self.count > 1 {
            w.write_all(b"---\n")?;
        }
        super::require_kind(obj)?;
        w.write_all(to_yaml_string(obj).as_bytes())?;
        Ok(())
    }
}

/// `-o yaml` of `get`'s `List` wrapper written item by item (what [`to_yaml_string`] of
/// [`super::json::list_wrapper`] gives, byte for byte): the emitter keeps its column and
/// indentation between items, so folding at column 80 is the same as in one pass.
pub struct YamlListWriter {
    e: Emitter,
    items: usize,
    /// The list's `kind` and `metadata`, written after the items.
    kind: String,
    metadata: Map<String, Value>,
}

impl Default for YamlListWriter {
    fn default() -> Self {
        YamlListWriter::new()
    }
}

impl YamlListWriter {
    /// A writer that has written nothing yet.
    pub fn new() -> Self {
        let mut metadata = Map::new();
        metadata.insert("resourceVersion".into(), Value::String(String::new()));
        YamlListWriter::with_tail("List", metadata)
    }

    /// A writer of another `v1` list: `kind` and `metadata` (`kubectl events` prints an
    /// `EventList` with empty metadata).
    pub fn with_tail(kind: &str, metadata: Map<String, Value>) -> Self {
        YamlListWriter {
            e: Emitter::new(),
            items: 0,
            kind: kind.to_string(),
            metadata,
        }
    }

    fn drain(&mut self, w: &mut dyn Write) -> Result<(), PrintError> {
        w.write_all(self.e.out.as_bytes())?;
        self.e.out.clear();
        Ok(())
    }

    /// The root mapping up to the `items:` key.
    fn start(&mut self) {
        self.e.increase_indent(false, false);
        self.e.emit_key("apiVersion");
        self.e.emit_node(
            &Value::String("v1".into()),
            Ctx {
                mapping: true,
                ..Ctx::default()
            },
        );
        self.e.emit_key("items");
    }

    /// Writes one item of the list.
    pub fn item(&mut self, item: &Value, w: &mut dyn Write) -> Result<(), PrintError> {
        if self.items == 0 {
            self.start();
            // A sequence under a mapping key, as in `emit_node`.
            let indentless = !self.e.indention;
            self.e.increase_indent(false, indentless);
        }
        self.items += 1;
        self.e.write_indent();
        self.e.write_indicator("-", true, false, true);
        self.e.emit_node(item, Ctx::default());
        self.drain(w)
    }

    /// Ends the list (`items: []` when no item came) and the document.
    pub fn finish(mut self, w: &mut dyn Write) -> Result<(), PrintError> {
        if self.items == 0 {
            self.start();
            self.e.emit_empty_flow("[", "]");
        } else {
            self.e.pop_indent();
        }
        let mapping = Ctx {
            mapping: true,
            ..Ctx::default()
        };
        self.e.emit_key("kind");
        self.e
            .emit_node(&Value::String(std::mem::take(&mut self.kind)), mapping);
        self.e.emit_key("metadata");
        let meta = Value::Object(std::mem::take(&mut self.metadata));
        self.e.emit_node(&meta, mapping);
        self.e.pop_indent();
        self.e.end_document();
        self.drain(w)
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Ctx {
    root: bool,
    mapping: bool,
    simple_key: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// The result of go-yaml's `yaml_emitter_analyze_scalar`.
#[derive(Debug, Clone, Copy)]
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

struct Emitter {
    out: String,
    column: usize,
    indent: i32,
    indents: Vec<i32>,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
    flow_level: usize,
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;

    if value.starts_with("---") || value.starts_with("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let chars: Vec<char> = value.chars().collect();
    let mut preceded_by_whitespace = true;
    for (i, &c) in chars.iter().enumerate() {
        let last = i + 1 == chars.len();
        let followed_by_whitespace = last || is_blank(chars[i + 1]);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                '?' | ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if !is_printable(c) {
            special_characters = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blank(c) || is_break(c);
    }

    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

impl Emitter {
    fn new() -> Self {
        Emitter {
            out: String::new(),
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
            open_ended: false,
            flow_level: 0,
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// go-yaml `write_break`: `\n` is a line break, other break characters are copied.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    /// DOCUMENT-END (implicit): finishes the line; STREAM-END after an open-ended scalar.
    fn end_document(&mut self) {
        self.write_indent();
        if self.open_ended {
            self.write_indicator("...", true, false, false);
            self.write_indent();
        }
    }

    /// One key of a block mapping, up to and including its `:`.
    fn emit_key(&mut self, key: &str) {
        self.write_indent();
        let key_node = Value::String(key.to_string());
        let simple = !analyze(key).multiline && key.len() <= 128;
        if simple {
            self.emit_node(
                &key_node,
                Ctx {
                    mapping: true,
                    simple_key: true,
                    ..Ctx::default()
                },
            );
            self.write_indicator(":", false, false, false);
        } else {
            self.write_indicator("?", true, false, true);
            self.emit_node(
                &key_node,
                Ctx {
                    mapping: true,
                    ..Ctx::default()
                },
            );
            self.write_indent();
            self.write_indicator(":", true, false, true);
        }
    }

    fn emit_node(&mut self, v: &Value, ctx: Ctx) {
        match v {
            Value::Array(items) if items.is_empty() => self.emit_empty_flow("[", "]"),
            Value::Object(map) if map.is_empty() => self.emit_empty_flow("{", "}"),
            Value::Array(items) => {
                // Sequences under a mapping key are not indented (go-yaml's "indentless").
                self.increase_indent(false, ctx.mapping && !self.indention);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.emit_node(item, Ctx::default());
                }
                self.pop_indent();
            }
            Value::Object(map) => self.emit_mapping(map),
            Value::String(s) => {
                let style = if s.contains('\n') {
                    Style::Literal
                } else if resolves_to_string(s) {
                    Style::Plain
                } else {
                    Style::Double
                };
                self.emit_scalar(s, style, ctx);
            }
            Value::Null => self.emit_scalar("null", Style::Plain, ctx),
            Value::Bool(b) => {
                self.emit_scalar(if *b { "true" } else { "false" }, Style::Plain, ctx)
            }
            Value::Number(n) => self.emit_scalar(&yaml_number(n), Style::Plain, ctx),
        }
    }

    fn emit_empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.flow_level += 1;
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn emit_mapping(&mut self, map: &Map<String, Value>) {
        self.increase_indent(false, false);
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort_by(|a, b| natural_cmp(a, b));
        for key in keys {
            let value = &map[key];
            self.emit_key(key);
            self.emit_node(
                value,
                Ctx {
                    mapping: true,
                    ..Ctx::default()
                },
            );
        }
        self.pop_indent();
    }

    fn emit_scalar(&mut self, value: &str, requested: Style, ctx: Ctx) {
        let a = analyze(value);
        let mut style = requested;
        if ctx.simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            if (self.flow_level > 0 && !a.flow_plain_allowed)
                || (self.flow_level == 0 && !a.block_plain_allowed)
            {
                style = Style::Single;
            }
            if value.is_empty() && (self.flow_level > 0 || ctx.simple_key) {
                style = Style::Single;
            }
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || self.flow_level > 0 || ctx.simple_key) {
            style = Style::Double;
        }

        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks, ctx.root),
            Style::Single => self.write_single(value, allow_breaks),
            Style::Double => self.write_double(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool, root: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_is_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
        if root {
            self.open_ended = true;
        }
    }

    fn write_single(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < chars.len() - 1
                    && !next_is_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, value: &str, allow_breaks: bool) {
        let mut spaces = false;
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let esc = match c {
                    '\0' => Some('0'),
                    '\u{7}' => Some('a'),
                    '\u{8}' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\u{b}' => Some('v'),
                    '\u{c}' => Some('f'),
                    '\r' => Some('r'),
                    '\u{1b}' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                match esc {
                    Some(e) => self.put(e),
                    None => {
                        let u = c as u32;
                        let text = if u <= 0xFF {
                            format!("x{u:02X}")
                        } else if u <= 0xFFFF {
                            format!("u{u:04X}")
                        } else {
                            format!("U{u:08X}")
                        };
                        for ch in text.chars() {
                            self.put(ch);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < chars.len() - 1
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints: an indentation indicator when the text starts with a space or a
        // break; `-` without a final break, `+` when it ends with two breaks (or is one break).
        let chars: Vec<char> = value.chars().collect();
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        self.open_ended = false;
        let chomp = match chars.len() {
            0 => Some("-"),
            n if !is_break(chars[n - 1]) => Some("-"),
            1 => Some("+"),
            n if is_break(chars[n - 2]) => Some("+"),
            _ => None,
        };
        if let Some(ch) = chomp {
            self.write_indicator(ch, false, false, false);
            if ch == "+" {
                self.open_ended = true;
            }
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                    breaks = false;
                }
                self.put(c);
                self.indention = false;
            }
        }
    }
}

/// go-yaml v2's key order (`sorter.go` `keyList.Less`): non-letters before letters, runs of
/// digits compared as numbers, otherwise by code point; shorter prefix first.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// A JSON number as YAML: the Go JSON text re-resolved by go-yaml (integers print as
/// integers, other floats with `strconv.FormatFloat(f, 'g', -1, 64)`).
fn yaml_number(n: &Number) -> String {
    let text = json_number(n);
    if let Ok(i) = text.parse::<i64>() {
        return i.to_string();
    }
    if let Ok(u) = text.parse::<u64>() {
        return u.to_string();
    }
    match text.parse::<f64>() {
        Ok(f) => go_float(f),
        Err(_) => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::testutil::fixture;
    use serde_json::json;

    fn pair(name: &str) -> (Value, String) {
        let input: Value =
            serde_json::from_str(&fixture(&format!("kubectl-1.33/{name}.json"))).unwrap();
        (input, fixture(&format!("kubectl-1.33/{name}.yaml")))
    }

    #[test]
    fn reference_daemonset_yaml() {
        let obj: Value = serde_json::from_str(&fixture("reference/12-get-ds-json.stdout")).unwrap();
        let mut out = Vec::new();
        YamlPrinter::new().print(&obj, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            fixture("reference/11-get-ds-yaml.stdout")
        );
    }

    #[test]
    fn kubectl_string_quoting_edge_cases() {
        let (v, want) = pair("yaml-cm");
        assert_eq!(to_yaml_string(&v), want);
    }

    #[test]
    fn kubectl_structure_folding_and_key_order() {
        let (v, want) = pair("yaml-s");
        assert_eq!(to_yaml_string(&v), want);
    }

    #[test]
    fn kubectl_folding_escapes_and_long_keys() {
        let (v, want) = pair("yaml-e2");
        assert_eq!(to_yaml_string(&v), want);
    }

    #[test]
    fn kubectl_numbers() {
        let (v, want) = pair("yaml-f");
        assert_eq!(to_yaml_string(&v), want);
    }

    #[test]
    fn scalars_and_documents() {
        assert_eq!(to_yaml_string(&json!({})), "{}\n");
        assert_eq!(to_yaml_string(&json!([])), "[]\n");
        assert_eq!(to_yaml_string(&json!(["a", 1])), "- a\n- 1\n");
        // A plain scalar at the root leaves the stream open-ended, as go-yaml v2 does.
        assert_eq!(to_yaml_string(&json!("abc")), "abc\n...\n");
        assert_eq!(
            to_yaml_string(&json!({"a": "x\n\n"})),
            "a: |+\n  x\n\n...\n"
        );
        let mut p = YamlPrinter::new();
        let mut out = Vec::new();
        p.print(&json!({"kind": "A"}), &mut out).unwrap();
        p.print(&json!({"kind": "B"}), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "kind: A\n---\nkind: B\n");
        assert!(p.print(&json!({"a": 1}), &mut Vec::new()).is_err());
    }

    #[test]
    fn natural_key_order() {
        let mut keys = vec![
            "a10", "a9", "ab", "aB", "a_b", "_x", "10", "2", "a09", "é", "",
        ];
        keys.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            keys,
            vec!["", "_x", "2", "10", "a_b", "a9", "a09", "a10", "aB", "ab", "é"]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// Whatever go-yaml's rules produce must read back as the same strings (checked with an
        /// independent YAML parser), in keys, values and list items.
        #[test]
        fn strings_round_trip(
            k in "[ -~\t\n\r\u{e9}\u{65e5}\u{1F600}\u{85}\u{a0}\u{2028}]{0,40}",
            v in "[ -~\t\n\r\u{e9}\u{65e5}\u{1F600}\u{85}\u{a0}\u{2028}]{0,200}",
        ) {
            let doc = json!({"k": {k.clone(): v.clone()}, "l": [v.clone(), [v.clone()]]});
            let text = to_yaml_string(&doc);
            let back: Value = serde_yaml_ng::from_str(&text)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e}\n{text}")))?;
            proptest::prop_assert_eq!(back, doc, "{}", text);
        }
    }

    fn arb_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e30f64..1e30).prop_map(Value::from),
            "[ -~\\n\u{e9}]{0,30}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[ -~]{0,12}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Nested documents of any shape read back equal (numbers compared as kubectl holds
        /// them: integral values are integers).
        #[test]
        fn values_round_trip(v in arb_value()) {
            let doc = json!({"root": v});
            let text = to_yaml_string(&doc);
            let back: Value = serde_yaml_ng::from_str(&text)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e}\n{text}")))?;
            let norm = crate::print::gofmt::normalize_ints;
            proptest::prop_assert_eq!(norm(&back), norm(&doc), "{}", text);
        }
    }
}

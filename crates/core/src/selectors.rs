//! Label and field selectors: parsing with the API server's errors, and matching.
//!
//! Label selectors follow apimachinery's `labels.Parse` (lexer, grammar, key/value validation and
//! error texts, which kube-apiserver returns verbatim as the 400 Status message). Field selectors
//! follow `fields.ParseSelector` plus the per-kind field label conversions the API server applies
//! before matching (unsupported fields are rejected with the real message).

use std::fmt;

use serde_json::Value;

use crate::resource::GroupResource;

/// A label selector operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `key=value`
    Equals,
    /// `key==value`
    DoubleEquals,
    /// `key!=value` (also true when the label is absent)
    NotEquals,
    /// `key in (a,b)`
    In,
    /// `key notin (a,b)` (also true when the label is absent)
    NotIn,
    /// `key`
    Exists,
    /// `!key`
    DoesNotExist,
    /// `key>n` (integers)
    GreaterThan,
    /// `key<n` (integers)
    LessThan,
}

/// One `key <op> values` term of a label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// The label key.
    pub key: String,
    /// How the label's value is compared with `values`.
    pub op: Operator,
    /// Sorted when parsed from a string; as given when built from a metav1.LabelSelector.
    pub values: Vec<String>,
}

impl Requirement {
    /// Builds a requirement, validating key, values and arity like apimachinery's `NewRequirement`
    /// (the error is the aggregated field error text).
    pub fn new(key: &str, op: Operator, values: Vec<String>) -> Result<Requirement, String> {
        let mut errs: Vec<String> = Vec::new();
        if let Some(msg) = label_key_errors(key) {
            errs.push(format!("key: Invalid value: {}: {}", go_quote(key), msg));
        }
        match op {
            Operator::In | Operator::NotIn if values.is_empty() => errs.push(
                "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"
                    .to_string(),
            ),
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals
                if values.len() != 1 =>
            {
                errs.push(format!(
                    "values: Invalid value: {}: exact-match compatibility requires one single value",
                    go_json_list(&values)
                ))
            }
            Operator::Exists | Operator::DoesNotExist if !values.is_empty() => errs.push(format!(
                "values: Invalid value: {}: values set must be empty for exists and does not exist",
                go_json_list(&values)
            )),
            Operator::GreaterThan | Operator::LessThan => {
                if values.len() != 1 {
                    errs.push(format!(
                        "values: Invalid value: {}: for 'Gt', 'Lt' operators, exactly one value is required",
                        go_json_list(&values)
                    ));
                }
                for (i, v) in values.iter().enumerate() {
                    if v.parse::<i64>().is_err() {
                        errs.push(format!(
                            "values[{i}]: Invalid value: {}: for 'Gt', 'Lt' operators, the value must be an integer",
                            go_quote(v)
                        ));
                    }
                }
            }
            _ => {}
        }
        for (i, v) in values.iter().enumerate() {
            if let Some(msg) = label_value_errors(v) {
                errs.push(format!(
                    "values[{i}][{key}]: Invalid value: {}: {}",
                    go_quote(v),
                    msg
                ));
            }
        }
        if errs.is_empty() {
            Ok(Requirement {
                key: key.to_string(),
                op,
                values,
            })
        } else {
            Err(aggregate(errs))
        }
    }

    /// Whether this requirement holds for `labels` (a labels object, or Null for none).
    pub fn matches(&self, labels: &Value) -> bool {
        let val = labels.get(&self.key).and_then(Value::as_str);
        let has = |v: &str| self.values.iter().any(|x| x == v);
        match self.op {
            Operator::In | Operator::Equals | Operator::DoubleEquals => val.is_some_and(has),
            Operator::NotIn | Operator::NotEquals => !val.is_some_and(has),
            Operator::Exists => val.is_some(),
            Operator::DoesNotExist => val.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(lv), [rv]) = (val.and_then(|v| v.parse::<i64>().ok()), &self.values[..])
                else {
                    return false;
                };
                let Ok(rv) = rv.parse::<i64>() else {
                    return false;
                };
                if self.op == Operator::GreaterThan {
                    lv > rv
                } else {
                    lv < rv
                }
            }
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.op == Operator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let op = match self.op {
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => " in ",
            Operator::NotIn => " notin ",
            Operator::GreaterThan => ">",
            Operator::LessThan => "<",
            Operator::Exists | Operator::DoesNotExist => return Ok(()),
        };
        f.write_str(op)?;
        let mut vals = self.values.clone();
        vals.sort();
        let set = matches!(self.op, Operator::In | Operator::NotIn);
        if set {
            f.write_str("(")?;
        }
        f.write_str(&vals.join(","))?;
        if set {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A parsed label selector: the AND of its requirements. No requirements matches everything.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LabelSelector {
    /// Sorted by key.
    pub requirements: Vec<Requirement>,
    /// A nil metav1.LabelSelector selects nothing (unlike an empty one, which selects everything).
    nothing: bool,
}

impl LabelSelector {
    /// A selector matching every object.
    pub fn everything() -> LabelSelector {
        LabelSelector::default()
    }

    /// A selector matching no object (what a missing metav1.LabelSelector means).
    pub fn nothing() -> LabelSelector {
        LabelSelector {
            requirements: Vec::new(),
            nothing: true,
        }
    }

    /// Parses the `labelSelector` query syntax; the error is the API server's 400 message.
    pub fn parse(s: &str) -> Result<LabelSelector, String> {
        let mut p = Parser {
            items: lex_all(s),
            pos: 0,
        };
        let mut requirements = p.parse()?;
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(LabelSelector {
            requirements,
            nothing: false,
        })
    }

    /// Converts a metav1.LabelSelector (`matchLabels`, `matchExpressions`) as
    /// `metav1.LabelSelectorAsSelector` does: Null selects nothing, `{}` everything.
    pub fn from_label_selector_json(sel: &Value) -> Result<LabelSelector, String> {
        if sel.is_null() {
            return Ok(LabelSelector::nothing());
        }
        let Some(obj) = sel.as_object() else {
            return Err("label selector must be an object".to_string());
        };
        let empty = serde_json::Map::new();
        let ml = obj
            .get("matchLabels")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let no_exprs = Vec::new();
        let me = obj
            .get("matchExpressions")
            .and_then(Value::as_array)
            .unwrap_or(&no_exprs);
        let mut requirements = Vec::with_capacity(ml.len() + me.len());
        for (k, v) in ml {
            let v = v.as_str().unwrap_or_default().to_string();
            requirements.push(Requirement::new(k, Operator::Equals, vec![v])?);
        }
        for expr in me {
            let op_str = expr["operator"].as_str().unwrap_or_default();
            let op = match op_str {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                other => {
                    return Err(format!(
                        "{} is not a valid label selector operator",
                        go_quote(other)
                    ))
                }
            };
            let values = expr["values"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|v| v.as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default();
            let key = expr["key"].as_str().unwrap_or_default();
            requirements.push(Requirement::new(key, op, values)?);
        }
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(LabelSelector {
            requirements,
            nothing: false,
        })
    }

    /// Whether `labels` (a metadata.labels object, or Null) satisfies every requirement.
    pub fn matches(&self, labels: &Value) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// True when the selector matches everything (no requirements).
    pub fn is_empty(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }
}

impl fmt::Display for LabelSelector {
    /// The canonical form (`a=b,c in (d,e),!f`); empty for everything and for nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// `metav1.LabelSelectorAsSelector(sel).String()` of a metav1.LabelSelector as JSON, without
/// its validation (what kubectl prints and sends for a stored object's selector):
/// requirements sorted by key (matchLabels first for equal keys), set values sorted; `""`
/// for an empty selector.
pub fn label_selector_json_string(sel: &Value) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(labels) = sel.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in labels {
            reqs.push((k.clone(), format!("{k}={}", text(v))));
        }
    }
    let exprs = sel.get("matchExpressions").and_then(Value::as_array);
    for e in exprs.into_iter().flatten() {
        let key = e.get("key").and_then(Value::as_str).unwrap_or_default();
        let mut values: Vec<String> = match e.get("values").and_then(Value::as_array) {
            Some(vs) => vs.iter().map(text).collect(),
            None => Vec::new(),
        };
        values.sort();
        let values = values.join(",");
        let requirement = match e
            .get("operator")
            .and_then(Value::as_str)
            .unwrap_or_default()
        {
            "In" => format!("{key} in ({values})"),
            "NotIn" => format!("{key} notin ({values})"),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other} ({values})"),
        };
        reqs.push((key.to_string(), requirement));
    }
    // Stable: Go's insertion sort keeps equal keys in order.
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    reqs.into_iter().map(|r| r.1).collect::<Vec<_>>().join(",")
}

// ---- label selector lexer and parser (grammar of apimachinery pkg/labels) ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Error,
    End,
    ClosedPar,
    Comma,
    Not,
    DoubleEquals,
    Equals,
    Greater,
    Identifier,
    In,
    Less,
    NotEquals,
    NotIn,
    OpenPar,
}

fn keyword(s: &[u8]) -> Option<Tok> {
    Some(match s {
        b")" => Tok::ClosedPar,
        b"," => Tok::Comma,
        b"!" => Tok::Not,
        b"==" => Tok::DoubleEquals,
        b"=" => Tok::Equals,
        b">" => Tok::Greater,
        b"in" => Tok::In,
        b"<" => Tok::Less,
        b"!=" => Tok::NotEquals,
        b"notin" => Tok::NotIn,
        b"(" => Tok::OpenPar,
        _ => return None,
    })
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special(c: u8) -> bool {
    matches!(c, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

/// Tokenizes the whole input (the Go lexer treats a NUL byte as the end, as does this one).
fn lex_all(s: &str) -> Vec<(Tok, String)> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
    let mut pos = 0;
    let mut out = Vec::new();
    loop {
        while is_ws(at(pos)) {
            pos += 1;
        }
        let c = at(pos);
        if c == 0 {
            out.push((Tok::End, String::new()));
            return out;
        }
        if is_special(c) {
            // Longest run of special characters that still forms a known operator.
            let start = pos;
            let mut last: Option<(Tok, usize)> = None;
            while is_special(at(pos)) {
                pos += 1;
                if let Some(t) = keyword(&b[start..pos]) {
                    last = Some((t, pos));
                } else if last.is_some() {
                    pos -= 1;
                    break;
                }
            }
            match last {
                Some((t, end)) => {
                    pos = end;
                    out.push((t, text(&b[start..end])));
                }
                None => out.push((
                    Tok::Error,
                    format!("error expected: keyword found '{}'", text(&b[start..pos])),
                )),
            }
        } else {
            let start = pos;
            while at(pos) != 0 && !is_special(at(pos)) && !is_ws(at(pos)) {
                pos += 1;
            }
            let word = &b[start..pos];
            out.push((keyword(word).unwrap_or(Tok::Identifier), text(word)));
        }
    }
}

struct Parser {
    items: Vec<(Tok, String)>,
    pos: usize,
}

impl Parser {
    /// In a values context `in` and `notin` are plain identifiers.
    fn as_values(t: Tok) -> Tok {
        match t {
            Tok::In | Tok::NotIn => Tok::Identifier,
            t => t,
        }
    }

    fn peek(&self, values: bool) -> (Tok, String) {
        let (t, l) = self.items[self.pos.min(self.items.len() - 1)].clone();
        (if values { Self::as_values(t) } else { t }, l)
    }

    fn next(&mut self, values: bool) -> (Tok, String) {
        let r = self.peek(values);
        self.pos += 1;
        r
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut reqs = Vec::new();
        loop {
            let (t, lit) = self.peek(true);
            match t {
                Tok::Identifier | Tok::Not => {
                    let r = self
                        .requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    reqs.push(r);
                    let (t, l) = self.next(true);
                    match t {
                        Tok::End => return Ok(reqs),
                        Tok::Comma => {
                            let (t2, l2) = self.peek(true);
                            if t2 != Tok::Identifier && t2 != Tok::Not {
                                return Err(format!(
                                    "found '{l2}', expected: identifier after ','"
                                ));
                            }
                        }
                        _ => return Err(format!("found '{l}', expected: ',' or 'end of string'")),
                    }
                }
                Tok::End => return Ok(reqs),
                _ => {
                    return Err(format!(
                        "found '{lit}', expected: !, identifier, or 'end of string'"
                    ))
                }
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let (mut t, mut lit) = self.next(true);
        let negated = t == Tok::Not;
        if negated {
            (t, lit) = self.next(true);
        }
        if t != Tok::Identifier {
            return Err(format!("found '{lit}', expected: identifier"));
        }
        if let Some(msg) = label_key_errors(&lit) {
            // The parser validates with a nil field path, which Go prints as "<nil>".
            return Err(format!("<nil>: Invalid value: {}: {}", go_quote(&lit), msg));
        }
        let key = lit;
        let (la, _) = self.peek(true);
        if negated {
            return Requirement::new(&key, Operator::DoesNotExist, Vec::new());
        }
        if la == Tok::End || la == Tok::Comma {
            return Requirement::new(&key, Operator::Exists, Vec::new());
        }
        let (t, lit) = self.next(false);
        let op = match t {
            Tok::In => Operator::In,
            Tok::Equals => Operator::Equals,
            Tok::DoubleEquals => Operator::DoubleEquals,
            Tok::Greater => Operator::GreaterThan,
            Tok::Less => Operator::LessThan,
            Tok::NotIn => Operator::NotIn,
            Tok::NotEquals => Operator::NotEquals,
            _ => {
                return Err(format!(
                    "found '{lit}', expected: in, notin, =, ==, !=, gt, lt"
                ))
            }
        };
        let mut values = match op {
            Operator::In | Operator::NotIn => self.set_values()?,
            _ => self.exact_value()?,
        };
        values.sort();
        values.dedup();
        Requirement::new(&key, op, values)
    }

    fn set_values(&mut self) -> Result<Vec<String>, String> {
        let (t, lit) = self.next(true);
        if t != Tok::OpenPar {
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (t, lit) = self.peek(true);
        match t {
            Tok::Identifier | Tok::Comma => {
                let s = self.identifier_list()?;
                let (t, _) = self.next(true);
                if t != Tok::ClosedPar {
                    return Err(format!("found '{lit}', expected: ')'"));
                }
                Ok(s)
            }
            Tok::ClosedPar => {
                self.next(true);
                Ok(vec![String::new()])
            }
            _ => Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
    }

    /// A possibly empty, comma separated list of possibly empty identifiers, up to `)`.
    fn identifier_list(&mut self) -> Result<Vec<String>, String> {
        let mut s: Vec<String> = Vec::new();
        loop {
            let (t, lit) = self.next(true);
            match t {
                Tok::Identifier => {
                    s.push(lit);
                    let (t2, l2) = self.peek(true);
                    match t2 {
                        Tok::Comma => continue,
                        Tok::ClosedPar => return Ok(s),
                        _ => return Err(format!("found '{l2}', expected: ',' or ')'")),
                    }
                }
                Tok::Comma => {
                    if s.is_empty() {
                        s.push(String::new());
                    }
                    let (t2, _) = self.peek(true);
                    if t2 == Tok::ClosedPar {
                        s.push(String::new());
                        return Ok(s);
                    }
                    if t2 == Tok::Comma {
                        s.push(String::new());
                    }
                }
                _ => return Err(format!("found '{lit}', expected: ',', or identifier")),
            }
        }
    }

    fn exact_value(&mut self) -> Result<Vec<String>, String> {
        let (t, _) = self.peek(true);
        if t == Tok::End || t == Tok::Comma {
            return Ok(vec![String::new()]);
        }
        let (t, lit) = self.next(true);
        if t == Tok::Identifier {
            Ok(vec![lit])
        } else {
            Err(format!("found '{lit}', expected: identifier"))
        }
    }
}

// ---- validation messages: apimachinery's api/validate/content, defined once in validation ----

/// The joined error messages of `content.IsLabelKey`, or None when valid.
fn label_key_errors(key: &str) -> Option<String> {
    let errs = crate::validation::qualified_name(key);
    (!errs.is_empty()).then(|| errs.join("; "))
}

/// The joined error messages of `content.IsLabelValue`, or None when valid.
fn label_value_errors(v: &str) -> Option<String> {
    let errs = crate::validation::label_value(v);
    (!errs.is_empty()).then(|| errs.join("; "))
}

pub(crate) use crate::gofmt::go_quote;

/// Go's json.Marshal of a string slice (what field errors print for list values).
fn go_json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".to_string())
}

/// utilerrors.NewAggregate(...).Error(): one message alone, several deduplicated in brackets.
fn aggregate(errs: Vec<String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for e in errs {
        if !seen.contains(&e) {
            seen.push(e);
        }
    }
    if seen.len() == 1 {
        seen.pop().unwrap_or_default()
    } else {
        format!("[{}]", seen.join(", "))
    }
}

// ---- field selectors ----

/// One `field=value` or `field!=value` term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldTerm {
    /// The field label, after the kind's conversion (e.g. `spec.host` became `spec.nodeName`).
    pub field: String,
    /// The unescaped value.
    pub value: String,
    /// True for `!=`.
    pub negated: bool,
}

/// A parsed field selector: the AND of its terms, over the fields the resource supports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSelector {
    gr: GroupResource,
    /// The terms, sorted as the server sorts them.
    pub terms: Vec<FieldTerm>,
}

/// The fields each kind's field label conversion accepts (beyond that, the server refuses).
/// None: the kind has no conversion function and the generic metadata-only one applies.
fn supported_fields(gr: &GroupResource) -> Option<&'static [&'static str]> {
    const EVENT: &[&str] = &[
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
        "metadata.namespace",
        "metadata.name",
    ];
    Some(match (gr.group.as_str(), gr.resource.as_str()) {
        ("", "pods") => &[
            "metadata.name",
            "metadata.namespace",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
            "spec.host",
        ],
        ("", "nodes") => &["metadata.name", "spec.unschedulable"],
        ("", "replicationcontrollers") => {
            &["metadata.name", "metadata.namespace", "status.replicas"]
        }
        ("", "events") => EVENT,
        ("events.k8s.io", "events") => &[
            "reason",
            "regarding.kind",
            "regarding.namespace",
            "regarding.name",
            "regarding.uid",
            "regarding.apiVersion",
            "regarding.resourceVersion",
            "regarding.fieldPath",
            "reportingController",
            "source",
            "type",
            "metadata.namespace",
            "metadata.name",
        ],
        ("", "namespaces") => &["status.phase", "metadata.name"],
        ("", "secrets") => &["type", "metadata.namespace", "metadata.name"],
        ("", "services") => &[
            "metadata.namespace",
            "metadata.name",
            "spec.clusterIP",
            "spec.type",
        ],
        ("apps", "replicasets") => &["metadata.name", "metadata.namespace", "status.replicas"],
        ("batch", "jobs") => &["metadata.name", "metadata.namespace", "status.successful"],
        ("certificates.k8s.io", "certificatesigningrequests") => {
            &["metadata.name", "spec.signerName"]
        }
        _ => return None,
    })
}

/// Splits on unescaped commas, keeping escapes in the terms.
fn split_terms(s: &str) -> Vec<&str> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut in_slash = false;
    for (i, c) in s.char_indices() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(&s[start..i]);
            start = i + 1;
        }
    }
    terms.push(&s[start..]);
    terms
}

/// The first occurrence of `!=`, `==` or `=` splits the term (no escaping on the left).
fn split_term(term: &str) -> Option<(&str, &str, &str)> {
    for (i, _) in term.char_indices() {
        let rest = &term[i..];
        for op in ["!=", "==", "="] {
            if rest.starts_with(op) {
                return Some((&term[..i], op, &term[i + op.len()..]));
            }
        }
    }
    None
}

fn unescape_value(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut in_slash = false;
    for c in s.chars() {
        if in_slash {
            match c {
                '\\' | ',' | '=' => out.push(c),
                _ => {
                    return Err(format!(
                        "invalid field selector: invalid escape sequence: \\{c}"
                    ))
                }
            }
            in_slash = false;
            continue;
        }
        match c {
            '\\' => in_slash = true,
            // Go prints the rune with %v, i.e. as its code point number.
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector: unescaped character in value: {}",
                    c as u32
                ))
            }
            c => out.push(c),
        }
    }
    if in_slash {
        return Err("invalid field selector: invalid escape sequence: \\".to_string());
    }
    Ok(out)
}

impl FieldSelector {
    /// Parses a `fieldSelector` for resource `gr`; the error is the API server's 400 message
    /// (syntax errors, then unsupported field labels).
    pub fn parse(gr: &GroupResource, s: &str) -> Result<FieldSelector, String> {
        Self::check_fields(gr, Self::parse_terms(s)?)
    }

    /// The terms of a selector, checked for syntax only (apimachinery's `fields.ParseSelector`,
    /// what a client checks before sending one): the error is its message.
    pub fn parse_terms(s: &str) -> Result<Vec<FieldTerm>, String> {
        let mut parts = split_terms(s);
        parts.sort_unstable();
        let mut terms = Vec::new();
        for part in parts {
            if part.is_empty() {
                continue;
            }
            let Some((lhs, op, rhs)) = split_term(part) else {
                return Err(format!(
                    "invalid selector: '{s}'; can't understand '{part}'"
                ));
            };
            let value = unescape_value(rhs)?;
            terms.push(FieldTerm {
                field: lhs.to_string(),
                value,
                negated: op == "!=",
            });
        }
        Ok(terms)
    }

    /// The selector over `gr`'s fields: unsupported field labels are the server's error.
    fn check_fields(
        gr: &GroupResource,
        mut terms: Vec<FieldTerm>,
    ) -> Result<FieldSelector, String> {
        for t in &mut terms {
            match supported_fields(gr) {
                Some(list) if !list.contains(&t.field.as_str()) => {
                    return Err(format!("field label not supported: {}", t.field));
                }
                Some(_) => {
                    // Old v1 clients sent spec.host for a pod's node.
                    if gr.group.is_empty() && gr.resource == "pods" && t.field == "spec.host" {
                        t.field = "spec.nodeName".to_string();
                    }
                    // events.k8s.io labels map onto the core Event's selectable fields.
                    if gr.group == "events.k8s.io" {
                        if let Some(rest) = t.field.strip_prefix("regarding.") {
                            t.field = format!("involvedObject.{rest}");
                        } else if t.field == "reportingController" {
                            t.field = "reportingComponent".to_string();
                        }
                    }
                }
                None => {
                    if t.field != "metadata.name" && t.field != "metadata.namespace" {
                        return Err(format!(
                            "{} is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
                            go_quote(&t.field)
                        ));
                    }
                }
            }
        }
        Ok(FieldSelector {
            gr: gr.clone(),
            terms,
        })
    }

    /// Whether `obj` satisfies every term.
    pub fn matches(&self, obj: &Value) -> bool {
        self.terms
            .iter()
            .all(|t| (field_value(&self.gr, obj, &t.field) == t.value) != t.negated)
    }

    /// True when the selector has no terms (matches everything).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

fn str_at<'a>(obj: &'a Value, ptr: &str) -> &'a str {
    obj.pointer(ptr).and_then(Value::as_str).unwrap_or_default()
}

/// The value of a selectable field as the registry's GetAttrs computes it ("" when unset).
fn field_value(gr: &GroupResource, obj: &Value, field: &str) -> String {
    let pod = gr.group.is_empty() && gr.resource == "pods";
    if gr.resource == "events" {
        // Accept either wire form (core/v1 or events.k8s.io/v1) of an Event.
        let first = |ptrs: &[&str]| {
            ptrs.iter()
                .map(|p| str_at(obj, p))
                .find(|v| !v.is_empty())
                .unwrap_or("")
                .to_string()
        };
        if let Some(rest) = field.strip_prefix("involvedObject.") {
            return first(&[
                &format!("/involvedObject/{rest}"),
                &format!("/regarding/{rest}"),
            ]);
        }
        match field {
            "reportingComponent" => return first(&["/reportingComponent", "/reportingController"]),
            "source" => {
                return first(&[
                    "/source/component",
                    "/deprecatedSource/component",
                    "/reportingComponent",
                    "/reportingController",
                ])
            }
            _ => {}
        }
    }
    match field {
        "metadata.name" => str_at(obj, "/metadata/name").to_string(),
        "metadata.namespace" => str_at(obj, "/metadata/namespace").to_string(),
        "spec.hostNetwork" if pod => obj
            .pointer("/spec/hostNetwork")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            .to_string(),
        "status.podIP" if pod => str_at(obj, "/status/podIPs/0/ip").to_string(),
        "spec.unschedulable" => obj
            .pointer("/spec/unschedulable")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            .to_string(),
        "status.replicas" => obj
            .pointer("/status/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            .to_string(),
        // A job's label is named after the old field; the count lives in status.succeeded.
        "status.successful" => obj
            .pointer("/status/succeeded")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            .to_string(),
        "source" => {
            let s = str_at(obj, "/source/component");
            if s.is_empty() {
                // core/v1 spells ReportingController `reportingComponent`.
                str_at(obj, "/reportingComponent").to_string()
            } else {
                s.to_string()
            }
        }
        "status.podIPs" => String::new(),
        other => {
            let p = format!("/{}", other.replace('.', "/"));
            match obj.pointer(&p) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_selector_json_strings() {
        let sel = serde_json::json!({"matchLabels": {"z": "1", "b": "2", "a": "1"},
                         "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]},
                                              {"key": "d", "operator": "DoesNotExist"},
                                              {"key": "b", "operator": "Exists"},
                                              {"key": "e", "operator": "NotIn", "values": ["q"]}]});
        assert_eq!(
            label_selector_json_string(&sel),
            "a=1,b=2,b,c in (x,y),!d,e notin (q),z=1"
        );
        assert_eq!(label_selector_json_string(&serde_json::json!({})), "");
        assert_eq!(label_selector_json_string(&Value::Null), "");
    }
    use proptest::prelude::*;
    use serde_json::json;

    proptest! {
        #[test]
        fn label_parse_never_panics_and_round_trips(s in "[ a-z0-9=!(),<>./_-]{0,24}|\\PC{0,12}") {
            if let Ok(sel) = LabelSelector::parse(&s) {
                // The canonical form parses back to the same selector.
                let again = LabelSelector::parse(&sel.to_string());
                prop_assert_eq!(again, Ok(sel));
            }
        }

        #[test]
        fn field_parse_never_panics(s in "[ a-z.=!,\\\\]{0,24}|\\PC{0,12}") {
            for gr in [GroupResource::new("", "pods"), GroupResource::new("apps", "daemonsets")] {
                if let Ok(f) = FieldSelector::parse(&gr, &s) {
                    let _ = f.matches(&json!({"metadata": {"name": "x"}}));
                }
            }
        }
    }

    fn err(s: &str) -> String {
        LabelSelector::parse(s).unwrap_err()
    }

    fn sel(s: &str) -> LabelSelector {
        LabelSelector::parse(s).unwrap()
    }

    #[test]
    fn parses_all_operators_and_prints_canonically() {
        let s = sel(" x in (foo,,baz),y,z notin ()  , !w, a=b, c==d, e!=f, g>1, h<2");
        assert_eq!(
            s.to_string(),
            "a=b,c==d,e!=f,g>1,h<2,!w,x in (,baz,foo),y,z notin ()"
        );
        assert_eq!(sel("").requirements.len(), 0);
        assert_eq!(sel("a=").to_string(), "a=");
        assert_eq!(sel("a in (in,notin)").to_string(), "a in (in,notin)");
        assert_eq!(
            sel("example.com/app=web").requirements[0].key,
            "example.com/app"
        );
    }

    #[test]
    fn matching() {
        let l = json!({"app": "web", "tier": "front", "n": "5"});
        assert!(sel("app=web").matches(&l));
        assert!(sel("app==web,tier").matches(&l));
        assert!(!sel("app!=web").matches(&l));
        assert!(sel("app in (db,web)").matches(&l));
        assert!(!sel("app notin (db,web)").matches(&l));
        assert!(sel("missing notin (x)").matches(&l));
        assert!(sel("!missing").matches(&l));
        assert!(!sel("!app").matches(&l));
        assert!(sel("n>4,n<6").matches(&l));
        assert!(!sel("n>5").matches(&l));
        assert!(!sel("app>1").matches(&l));
        assert!(sel("").matches(&Value::Null));
        assert!(!sel("app").matches(&Value::Null));
        assert!(sel("app!=x").matches(&Value::Null));
    }

    #[test]
    fn syntax_errors_as_the_server_words_them() {
        assert_eq!(err("a,"), "found '', expected: identifier after ','");
        assert_eq!(
            err("a b"),
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"
        );
        assert_eq!(
            err(","),
            "found ',', expected: !, identifier, or 'end of string'"
        );
        assert_eq!(
            err("=a"),
            "found '=', expected: !, identifier, or 'end of string'"
        );
        assert_eq!(
            err("a in b"),
            "unable to parse requirement: found 'b' expected: '('"
        );
        assert_eq!(
            err("a in (b"),
            "unable to parse requirement: found '', expected: ',' or ')'"
        );
        assert_eq!(
            err("a in (=)"),
            "unable to parse requirement: found '=', expected: ',', ')' or identifier"
        );
        assert_eq!(
            err("a=(b)"),
            "unable to parse requirement: found '(', expected: identifier"
        );
        assert_eq!(err("!a=b"), "found '=', expected: ',' or 'end of string'");
        assert_eq!(
            err("!!a"),
            "unable to parse requirement: found '!', expected: identifier"
        );
        assert_eq!(
            err("a (b)"),
            "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"
        );
    }

    #[test]
    fn validation_errors() {
        assert_eq!(
            err("-a=b"),
            "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        );
        assert_eq!(err("a=b c"), "found 'c', expected: ',' or 'end of string'");
        assert_eq!(
            err("a=-b"),
            "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        );
        let two = err("a in (-x,-y)");
        assert!(
            two.starts_with("unable to parse requirement: [values[0][a]: Invalid value: \"-x\"")
        );
        assert!(two.contains(", values[1][a]: Invalid value: \"-y\""));
        assert!(two.ends_with(']'));
        assert_eq!(
            err("a>b"),
            "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer"
        );
        assert_eq!(
            err("Foo_/a"),
            "unable to parse requirement: <nil>: Invalid value: \"Foo_/a\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        );
        assert!(err("a/b/c").contains("a valid label key must consist of"));
        assert!(err(&format!("{}=1", "k".repeat(64)))
            .contains("name part must be no more than 63 bytes"));
        assert!(err(&format!("k={}", "v".repeat(64))).contains("must be no more than 63 bytes"));
    }

    #[test]
    fn from_metav1_label_selector() {
        let s = LabelSelector::from_label_selector_json(&json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["b", "a"]},
                {"key": "env", "operator": "DoesNotExist"}
            ]
        }))
        .unwrap();
        assert_eq!(s.to_string(), "app=web,!env,tier in (a,b)");
        assert!(s.matches(&json!({"app": "web", "tier": "a"})));
        assert!(!s.matches(&json!({"app": "web", "tier": "a", "env": "x"})));
        let nothing = LabelSelector::from_label_selector_json(&Value::Null).unwrap();
        assert!(!nothing.matches(&json!({})));
        let all = LabelSelector::from_label_selector_json(&json!({})).unwrap();
        assert!(all.matches(&json!({"x": "y"})) && all.is_empty());
        assert_eq!(
            LabelSelector::from_label_selector_json(
                &json!({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]})
            )
            .unwrap_err(),
            "\"Gt\" is not a valid label selector operator"
        );
        assert_eq!(
            LabelSelector::from_label_selector_json(
                &json!({"matchExpressions": [{"key": "a", "operator": "In"}]})
            )
            .unwrap_err(),
            "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"
        );
    }

    fn gr(g: &str, r: &str) -> GroupResource {
        GroupResource::new(g, r)
    }

    #[test]
    fn field_selector_parse_and_errors() {
        let pods = gr("", "pods");
        let f = FieldSelector::parse(&pods, "status.phase=Running,spec.nodeName!=n1").unwrap();
        assert_eq!(f.terms.len(), 2);
        assert_eq!(f.terms[0].field, "spec.nodeName");
        let (ds, nodes) = (gr("apps", "daemonsets"), gr("", "nodes"));
        let refused = [
            (&pods, "foo=bar", "field label not supported: foo"),
            (
                &ds,
                "spec.x=1",
                "\"spec.x\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
            ),
            (&pods, "abc", "invalid selector: 'abc'; can't understand 'abc'"),
            (
                &pods,
                "metadata.name=a=b",
                "invalid field selector: unescaped character in value: 61",
            ),
            (
                &pods,
                "metadata.name=a\\x",
                "invalid field selector: invalid escape sequence: \\x",
            ),
            (
                &pods,
                "metadata.name=a\\",
                "invalid field selector: invalid escape sequence: \\",
            ),
            (
                &nodes,
                "metadata.namespace=x",
                "field label not supported: metadata.namespace",
            ),
        ];
        for (resource, selector, err) in refused {
            assert_eq!(
                FieldSelector::parse(resource, selector).unwrap_err(),
                err,
                "{selector}"
            );
        }
        let esc = FieldSelector::parse(&pods, "metadata.name=a\\,b\\=c\\\\").unwrap();
        assert_eq!(esc.terms[0].value, "a,b=c\\");
        assert!(FieldSelector::parse(&pods, "").unwrap().is_empty());
        assert!(FieldSelector::parse(&pods, ",,").unwrap().is_empty());
        let host = FieldSelector::parse(&pods, "spec.host=n1").unwrap();
        assert_eq!(host.terms[0].field, "spec.nodeName");
    }

    #[test]
    fn selectors_kubectl_describe_sends() {
        let pods = gr("", "pods");
        let f = FieldSelector::parse(
            &pods,
            "spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed",
        )
        .unwrap();
        let pod = |phase: &str| json!({"spec": {"nodeName": "n1"}, "status": {"phase": phase}});
        assert!(f.matches(&pod("Running")));
        assert!(!f.matches(&pod("Succeeded")));
        assert!(!f.matches(&pod("Failed")));
        let ev = json!({"metadata": {"name": "e", "namespace": "default"}, "involvedObject": {
            "kind": "DaemonSet", "name": "node-exporter", "namespace": "default", "uid": "u-1"}});
        let f = FieldSelector::parse(
            &gr("", "events"),
            "involvedObject.name=node-exporter,involvedObject.namespace=default,involvedObject.kind=DaemonSet,involvedObject.uid=u-1",
        )
        .unwrap();
        assert!(f.matches(&ev));
        let mut other = ev.clone();
        other["involvedObject"]["uid"] = json!("u-2");
        assert!(!f.matches(&other));
        // Watching one object by name (kubectl delete --wait, get -w NAME).
        let by_name =
            FieldSelector::parse(&gr("apps", "daemonsets"), "metadata.name=node-exporter");
        assert!(by_name
            .unwrap()
            .matches(&json!({"metadata": {"name": "node-exporter"}})));
    }

    #[test]
    fn field_selector_matching() {
        let selects = |resource: &GroupResource, selector: &str, obj: &Value| {
            FieldSelector::parse(resource, selector)
                .unwrap()
                .matches(obj)
        };
        let pods = gr("", "pods");
        let pod = json!({
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"nodeName": "n1", "restartPolicy": "Always"},
            "status": {"phase": "Running", "podIPs": [{"ip": "10.0.0.1"}]}
        });
        let m = |s: &str| FieldSelector::parse(&pods, s).unwrap().matches(&pod);
        assert!(m("status.phase=Running,spec.nodeName==n1"));
        assert!(!m("status.phase!=Running"));
        assert!(m("spec.hostNetwork=false"));
        assert!(m("status.podIP=10.0.0.1"));
        assert!(m("status.nominatedNodeName="));
        assert!(m("metadata.namespace=default,metadata.name=p"));
        let node = json!({"metadata": {"name": "n"}, "spec": {"unschedulable": true}});
        assert!(selects(&gr("", "nodes"), "spec.unschedulable=true", &node));
        let ev = json!({"metadata": {"name": "e", "namespace": "d"},
            "involvedObject": {"kind": "DaemonSet", "name": "ds"}, "source": {"component": "c"},
            "type": "Normal"});
        let evs = gr("", "events");
        assert!(selects(
            &evs,
            "involvedObject.kind=DaemonSet,involvedObject.name=ds,source=c,type=Normal",
            &ev
        ));
        let rs = json!({"metadata": {"name": "r"}, "status": {"replicas": 3}});
        assert!(selects(
            &gr("apps", "replicasets"),
            "status.replicas=3",
            &rs
        ));
        let ek = gr("events.k8s.io", "events");
        let f =
            FieldSelector::parse(&ek, "regarding.kind=DaemonSet,reportingController=c").unwrap();
        assert_eq!(f.terms[0].field, "involvedObject.kind");
        assert_eq!(f.terms[1].field, "reportingComponent");
        let new_api = json!({"metadata": {"name": "e"}, "regarding": {"kind": "DaemonSet"},
            "reportingController": "c"});
        assert!(f.matches(&new_api));
        assert!(!f.matches(&ev));
        assert_eq!(
            FieldSelector::parse(&ek, "involvedObject.kind=Pod").unwrap_err(),
            "field label not supported: involvedObject.kind"
        );
        let new_style = json!({"metadata": {"name": "e2"}, "reportingComponent": "kubelet"});
        assert!(selects(&evs, "source=kubelet", &new_style));
        let job = json!({"metadata": {"name": "j"}, "status": {"succeeded": 2}});
        assert!(selects(&gr("batch", "jobs"), "status.successful=2", &job));
        let secret = json!({"metadata": {"name": "s"}, "type": "Opaque"});
        assert!(selects(&gr("", "secrets"), "type=Opaque", &secret));
    }
}

//! `explain -o plaintext-openapiv2`: kubectl's `pkg/explain` (the OpenAPI v2 explainer) over
//! the `/openapi/v2` document, parsed as kube-openapi's `util/proto` models (Kind, Map, Array,
//! Primitive, Arbitrary, Reference) and printed by its model, fields and recursive fields
//! printers with `Formatter`'s 80-column wrapping.

use std::collections::BTreeMap;

use serde_json::Value;

/// kube-openapi's parsed schema.
enum Schema<'d> {
    /// An object with properties: its fields (sorted) and required names.
    Kind {
        description: &'d str,
        fields: BTreeMap<&'d str, Schema<'d>>,
        required: Vec<&'d str>,
    },
    Map {
        description: &'d str,
        sub: Box<Schema<'d>>,
    },
    Array {
        description: &'d str,
        sub: Box<Schema<'d>>,
    },
    Primitive {
        description: &'d str,
        type_name: &'d str,
    },
    Arbitrary {
        description: &'d str,
    },
    Reference {
        description: &'d str,
        name: &'d str,
    },
}

fn description(s: &Value) -> &str {
    s.get("description").and_then(Value::as_str).unwrap_or("")
}

/// kube-openapi's `Definitions.ParseSchema` (references stay unresolved).
fn parse(s: &Value) -> Schema<'_> {
    let desc = description(s);
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return Schema::Reference {
            description: desc,
            name: r.strip_prefix("#/definitions/").unwrap_or(r),
        };
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let props = s.get("properties").and_then(Value::as_object);
    let kind = || Schema::Kind {
        description: desc,
        fields: props
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), parse(v)))
            .collect(),
        required: s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect(),
    };
    match types.as_slice() {
        [] if props.is_some() => kind(),
        [] => Schema::Arbitrary { description: desc },
        ["object"] if props.is_some() => kind(),
        ["object"] => Schema::Map {
            description: desc,
            sub: Box::new(match s.get("additionalProperties") {
                Some(a) if a.is_object() => parse(a),
                _ => Schema::Arbitrary { description: desc },
            }),
        },
        ["array"] => Schema::Array {
            description: desc,
            sub: Box::new(match s.get("items") {
                Some(Value::Array(items)) if !items.is_empty() => parse(&items[0]),
                Some(i) if i.is_object() => parse(i),
                _ => Schema::Arbitrary { description: "" },
            }),
        },
        [t] => Schema::Primitive {
            description: desc,
            type_name: t,
        },
        _ => Schema::Arbitrary { description: desc },
    }
}

/// The document's definitions, parsed on demand.
struct Definitions<'d> {
    defs: &'d serde_json::Map<String, Value>,
}

impl<'d> Definitions<'d> {
    fn get(&self, name: &str) -> Option<Schema<'d>> {
        self.defs.get(name).map(parse)
    }

    /// `Resources.LookupResource`: the definition whose `x-kubernetes-group-version-kind`
    /// names `group`, `version`, `kind`.
    fn lookup(&self, group: &str, version: &str, kind: &str) -> Option<Schema<'d>> {
        self.defs.values().find_map(|d| {
            let gvks = d.get("x-kubernetes-group-version-kind")?.as_array()?;
            gvks.iter()
                .any(|g| {
                    g.get("group").and_then(Value::as_str).unwrap_or("") == group
                        && g.get("version").and_then(Value::as_str) == Some(version)
                        && g.get("kind").and_then(Value::as_str) == Some(kind)
                })
                .then(|| parse(d))
        })
    }

    /// A reference's target (an unknown one reads as an arbitrary value).
    fn resolve(&self, name: &str) -> Schema<'d> {
        self.get(name)
            .unwrap_or(Schema::Arbitrary { description: "" })
    }

    /// `GetTypeName`.
    fn type_name(&self, s: &Schema<'d>) -> String {
        match s {
            Schema::Kind { .. } => "Object".into(),
            Schema::Array { sub, .. } => format!("[]{}", self.type_name(sub)),
            Schema::Map { sub, .. } => format!("map[string]{}", self.type_name(sub)),
            Schema::Primitive { type_name, .. } => type_name.to_string(),
            Schema::Arbitrary { .. } => String::new(),
            Schema::Reference { name, .. } => self.type_name(&self.resolve(name)),
        }
    }
}

fn desc_of<'d>(s: &Schema<'d>) -> &'d str {
    match s {
        Schema::Kind { description, .. }
        | Schema::Map { description, .. }
        | Schema::Array { description, .. }
        | Schema::Primitive { description, .. }
        | Schema::Arbitrary { description }
        | Schema::Reference { description, .. } => description,
    }
}

/// kubectl's `Formatter`: an indent and the wrap width.
#[derive(Clone, Copy)]
struct Formatter {
    indent: usize,
}

impl Formatter {
    fn indent(self, n: usize) -> Formatter {
        Formatter {
            indent: self.indent + n,
        }
    }

    fn write(self, out: &mut String, s: &str) {
        if s.is_empty() {
            out.push('\n');
            return;
        }
        out.push_str(&" ".repeat(self.indent));
        out.push_str(s);
        out.push('\n');
    }

    fn write_wrapped(self, out: &mut String, s: &str) {
        for line in wrap_string(s, 80usize.saturating_sub(self.indent)) {
            self.write(out, &line);
        }
    }
}

fn is_bullet(s: &str) -> bool {
    // `^(\d+\.?|-|\*)\s`
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i > 0 {
        if i < b.len() && b[i] == b'.' {
            i += 1;
        }
    } else if !b.is_empty() && (b[0] == b'-' || b[0] == b'*') {
        i = 1;
    } else {
        return false;
    }
    b.get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c))
}

/// kubectl's `wrapString`.
fn wrap_string(s: &str, wrap: usize) -> Vec<String> {
    let mut wrapped: Vec<String> = Vec::new();
    let mut line: Vec<&str> = Vec::new();
    let mut last_word = "";
    let len = |l: &Vec<&str>| l.iter().map(|w| w.len()).sum::<usize>() + l.len().saturating_sub(1);
    fn flush<'a>(line: &mut Vec<&'a str>, wrapped: &mut Vec<String>, last_word: &mut &'a str) {
        if !line.is_empty() {
            *last_word = "";
            wrapped.push(line.join(" "));
            line.clear();
        }
    }
    for part in s.split('\n') {
        if part.starts_with("    ") {
            flush(&mut line, &mut wrapped, &mut last_word);
            wrapped.push(part.to_string());
            continue;
        }
        if !wrapped.is_empty() && part.trim().is_empty() {
            flush(&mut line, &mut wrapped, &mut last_word);
            wrapped.push(String::new());
            continue;
        }
        let trimmed = part.trim();
        if last_word.ends_with(':') || trimmed.is_empty() || is_bullet(trimmed) {
            flush(&mut line, &mut wrapped, &mut last_word);
        }
        for word in part.split_whitespace() {
            last_word = word;
            let mut candidate = line.clone();
            candidate.push(word);
            if len(&candidate) <= wrap || line.is_empty() {
                line = candidate;
            } else {
                // kubectl's flush forgets the last word, even the one that overflowed.
                flush(&mut line, &mut wrapped, &mut last_word);
                line.push(word);
            }
        }
    }
    flush(&mut line, &mut wrapped, &mut last_word);
    wrapped
}

/// What was asked.
pub struct V2Request<'a> {
    /// The kind's group ("" for core), version and kind.
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    /// The field path after the resource.
    pub fields: &'a [String],
    /// `--recursive`.
    pub recursive: bool,
}

/// Renders the explanation, or kubectl's error text.
pub fn render(doc: &Value, req: &V2Request) -> Result<String, String> {
    let empty = serde_json::Map::new();
    let defs = Definitions {
        defs: doc
            .get("definitions")
            .and_then(Value::as_object)
            .unwrap_or(&empty),
    };
    let gv = if req.group.is_empty() {
        req.version.to_string()
    } else {
        format!("{}/{}", req.group, req.version)
    };
    let Some(root) = defs.lookup(req.group, req.version, req.kind) else {
        let gvk = if req.group.is_empty() {
            format!("/{}, Kind={}", req.version, req.kind)
        } else {
            format!("{gv}, Kind={}", req.kind)
        };
        return Err(format!("couldn't find resource for \"{gvk}\""));
    };
    // LookupSchemaForField.
    let mut path: &[String] = req.fields;
    let mut cur = root;
    let leaf = loop {
        match cur {
            Schema::Primitive { .. } | Schema::Arbitrary { .. } => break cur,
            _ if path.is_empty() => break cur,
            Schema::Kind { mut fields, .. } => match fields.remove(path[0].as_str()) {
                Some(f) => {
                    path = &path[1..];
                    cur = f;
                }
                None => return Err(format!("field {:?} does not exist", path[0])),
            },
            Schema::Array { sub, .. } | Schema::Map { sub, .. } => cur = *sub,
            Schema::Reference { name, .. } => cur = defs.resolve(name),
        }
    };
    let name = req.fields.last().map(String::as_str).unwrap_or("");
    let mut out = String::new();
    let mut printer = ModelPrinter {
        defs: &defs,
        name,
        type_name: String::new(),
        descriptions: Vec::new(),
        kind_line: format!("KIND:     {}", req.kind),
        version_line: format!("VERSION:  {gv}\n"),
        recursive: req.recursive,
    };
    printer.visit(leaf, &mut out);
    Ok(out)
}

struct ModelPrinter<'a, 'd> {
    defs: &'a Definitions<'d>,
    name: &'a str,
    type_name: String,
    descriptions: Vec<&'d str>,
    kind_line: String,
    version_line: String,
    recursive: bool,
}

impl<'d> ModelPrinter<'_, 'd> {
    fn header(&self, out: &mut String) {
        let f = Formatter { indent: 0 };
        f.write(out, &self.kind_line);
        f.write(out, &self.version_line);
    }

    fn description(&self, out: &mut String, own: &str) {
        let f = Formatter { indent: 0 };
        f.write(out, "DESCRIPTION:");
        let mut empty = true;
        for (i, d) in self.descriptions.iter().copied().chain([own]).enumerate() {
            if d.is_empty() {
                continue;
            }
            empty = false;
            if i != 0 {
                f.write(out, "");
            }
            f.indent(5).write_wrapped(out, d);
        }
        if empty {
            f.indent(5).write_wrapped(out, "<empty>");
        }
    }

    fn visit(&mut self, s: Schema<'d>, out: &mut String) {
        let tn = self.defs.type_name(&s);
        match s {
            Schema::Array { description, sub } | Schema::Map { description, sub } => {
                self.descriptions.push(description);
                if self.type_name.is_empty() {
                    self.type_name = tn;
                }
                self.visit(*sub, out);
            }
            Schema::Reference { description, name } => {
                self.descriptions.push(description);
                let target = self.defs.resolve(name);
                self.visit(target, out);
            }
            Schema::Kind { .. } => {
                self.header(out);
                if self.type_name.is_empty() {
                    self.type_name = tn;
                }
                let f = Formatter { indent: 0 };
                if !self.name.is_empty() {
                    f.write(
                        out,
                        &format!("RESOURCE: {} <{}>\n", self.name, self.type_name),
                    );
                }
                self.description(out, desc_of(&s));
                f.write(out, "\nFIELDS:");
                if self.recursive {
                    let mut seen = Vec::new();
                    recursive_fields(self.defs, &s, f.indent(3), &mut seen, out);
                } else {
                    regular_fields(self.defs, &s, f.indent(3), out);
                }
            }
            Schema::Primitive { description, .. } => {
                self.header(out);
                if self.type_name.is_empty() {
                    self.type_name = tn;
                }
                Formatter { indent: 0 }.write(
                    out,
                    &format!("FIELD:    {} <{}>\n", self.name, self.type_name),
                );
                self.description(out, description);
            }
            Schema::Arbitrary { description } => {
                self.header(out);
                self.description(out, description);
            }
        }
    }
}

fn regular_fields(defs: &Definitions<'_>, s: &Schema<'_>, f: Formatter, out: &mut String) {
    match s {
        Schema::Kind {
            fields, required, ..
        } => {
            for (key, v) in fields {
                let req = if required.contains(key) {
                    " -required-"
                } else {
                    ""
                };
                f.write(out, &format!("{key}\t<{}>{req}", defs.type_name(v)));
                f.indent(2).write_wrapped(out, desc_of(v));
                f.write(out, "");
            }
        }
        Schema::Array { sub, .. } | Schema::Map { sub, .. } => regular_fields(defs, sub, f, out),
        Schema::Reference { name, .. } => regular_fields(defs, &defs.resolve(name), f, out),
        Schema::Primitive { .. } | Schema::Arbitrary { .. } => {}
    }
}

fn recursive_fields<'d>(
    defs: &Definitions<'d>,
    s: &Schema<'d>,
    f: Formatter,
    seen: &mut Vec<&'d str>,
    out: &mut String,
) {
    match s {
        Schema::Kind { fields, .. } => {
            for (key, v) in fields {
                f.write(out, &format!("{key}\t<{}>", defs.type_name(v)));
                recursive_fields(defs, v, f.indent(3), seen, out);
            }
        }
        Schema::Array { sub, .. } | Schema::Map { sub, .. } => {
            recursive_fields(defs, sub, f, seen, out)
        }
        Schema::Reference { name, .. } => {
            if seen.contains(name) {
                return;
            }
            seen.push(name);
            recursive_fields(defs, &defs.resolve(name), f, seen, out);
            seen.pop();
        }
        Schema::Primitive { .. } | Schema::Arbitrary { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_like_kubectl() {
        assert_eq!(
            wrap_string("a b c", 3),
            vec!["a b".to_string(), "c".to_string()]
        );
        assert_eq!(
            wrap_string("Possible values:\n - x\n - y", 80),
            vec!["Possible values:", "- x", "- y"]
        );
        assert!(wrap_string("", 80).is_empty());
        // A blank line only counts once something was flushed (kubectl's quirk).
        assert_eq!(wrap_string("a\n\nb", 80), vec!["a", "b"]);
        assert_eq!(wrap_string("a:\nb\n\nc", 80), vec!["a:", "b", "", "c"]);
        assert_eq!(wrap_string("a\n    code", 80), vec!["a", "    code"]);
    }
}

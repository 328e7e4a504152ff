//! `explain`'s rendering of an OpenAPI v3 document, as kubectl v1.36's `plaintext` template
//! (`pkg/explain/v2/templates/plaintext.tmpl`) renders it: the GROUP/KIND/VERSION header
//! found through the resource's paths, the schema with that GVK followed along a field path,
//! DESCRIPTION wrapped by go-wordwrap, the field list (or the `--recursive` tree).
//!
//! The template's quirks are kept on purpose: Go templates iterate maps in key order, a value
//! is "true" when it is not empty, `$ref` cycles are cut per branch, and the header is written
//! before a missing field is noticed (kubectl prints it, then the error). No I/O here.

pub mod v2;

use serde_json::{Map, Value};

/// What to render: the resource (group, version, plural), the field path below it, and
/// whether to list fields of fields.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub resource: &'a str,
    pub field_path: &'a [String],
    pub recursive: bool,
}

/// The text kubectl wrote before it failed, and its error message (`error: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub partial: String,
    pub message: String,
}

/// apimachinery's `GroupVersionResource.String()`: `apps/v1, Resource=deployments`.
pub fn gvr_string(group: &str, version: &str, resource: &str) -> String {
    format!("{group}/{version}, Resource={resource}")
}

/// Go template truth: nil, false, 0, "" and empty lists and maps are false.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

fn get<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.as_object().and_then(|o| o.get(key))
}

fn str_of<'v>(v: &'v Value, key: &str) -> &'v str {
    get(v, key).and_then(Value::as_str).unwrap_or("")
}

/// `additionalProperties` when it is a schema (not `true`/`false`) and not empty.
fn additional(v: &Value) -> Option<&Value> {
    get(v, "additionalProperties").filter(|a| !a.is_boolean() && truthy(Some(a)))
}

fn items(v: &Value) -> Option<&Value> {
    get(v, "items").filter(|i| truthy(Some(i)))
}

fn all_of(v: &Value) -> &[Value] {
    get(v, "allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// A map's entries in key order (Go's `range` over a map).
fn sorted(v: Option<&Value>) -> Vec<(&String, &Value)> {
    let mut e: Vec<(&String, &Value)> = v
        .and_then(Value::as_object)
        .map(|o| o.iter().collect())
        .unwrap_or_default();
    e.sort_by(|a, b| a.0.cmp(b.0));
    e
}

/// The template's `resolveRef`: a `#/a/b` reference inside the document, or None.
fn resolve_ref<'d>(reference: &str, doc: &'d Value) -> Option<&'d Value> {
    let fragment = reference.strip_prefix('#')?;
    let mut cur = doc;
    for k in fragment.split('/').filter(|k| !k.is_empty()) {
        cur = cur.as_object()?.get(k)?;
        cur.as_object()?;
    }
    Some(cur)
}

/// `or (resolveRef $ref) $schema`.
fn resolved<'d>(schema: &'d Value, doc: &'d Value) -> &'d Value {
    match resolve_ref(str_of(schema, "$ref"), doc) {
        Some(r) if truthy(Some(r)) => r,
        _ => schema,
    }
}

/// mitchellh/go-wordwrap v1.0.1 `WrapString`: breaks at white space so that lines stay within
/// `lim` characters where words allow it.
pub fn wrap(s: &str, lim: usize) -> String {
    let mut buf = String::with_capacity(s.len());
    let mut current = 0usize;
    let (mut word, mut space) = (String::new(), String::new());
    let (mut word_len, mut space_len) = (0usize, 0usize);
    for c in s.chars() {
        if c == '\n' {
            if word.is_empty() {
                if current + space_len <= lim {
                    buf.push_str(&space);
                }
                space.clear();
                space_len = 0;
            } else {
                take_into(&mut buf, &mut space, &mut space_len);
                take_into(&mut buf, &mut word, &mut word_len);
            }
            buf.push(c);
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                take_into(&mut buf, &mut space, &mut space_len);
                take_into(&mut buf, &mut word, &mut word_len);
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + word_len + space_len > lim && word_len < lim {
                buf.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= lim {
            buf.push_str(&space);
        }
    } else {
        buf.push_str(&space);
        buf.push_str(&word);
    }
    buf
}

/// Moves a pending word or run of spaces (and its length in characters) onto `buf`.
fn take_into(buf: &mut String, pending: &mut String, len: &mut usize) {
    buf.push_str(pending);
    pending.clear();
    *len = 0;
}

/// The template's `indent`: `n` spaces before the text and after every newline.
fn indent(n: usize, s: &str) -> String {
    let pad = " ".repeat(n);
    format!("{pad}{}", s.replace('\n', &format!("\n{pad}")))
}

/// Go's `%v` of a JSON value as the template prints it.
fn go_print(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => n.as_f64().map(|f| f.to_string()).unwrap_or_default(),
        },
        other => other.to_string(),
    }
}

struct Renderer<'d> {
    doc: &'d Value,
    recursive: bool,
}

impl<'d> Renderer<'d> {
    /// `typeGuess`: `string`, `Object`, `[]Container`, `map[string]string`, …
    fn type_guess(&self, schema: &'d Value) -> String {
        if let Some(i) = items(schema) {
            return format!("[]{}", self.type_guess(i));
        }
        if let Some(a) = additional(schema) {
            return format!("map[string]{}", self.type_guess(a));
        }
        let all = all_of(schema);
        if !all.is_empty() && !truthy(get(schema, "properties")) && all.len() == 1 {
            return self.type_guess(&all[0]);
        }
        let reference = str_of(schema, "$ref");
        if !reference.is_empty() {
            let target = resolve_ref(reference, self.doc).filter(|t| truthy(Some(t)));
            let ty = target.map(|t| str_of(t, "type")).unwrap_or("");
            if ty.is_empty() || ty == "object" {
                let name = reference.rsplit('/').next().unwrap_or("");
                let last = name.rsplit('.').next().unwrap_or("");
                return if last.is_empty() { "Object" } else { last }.to_string();
            }
            return ty.to_string();
        }
        match str_of(schema, "type") {
            "object" | "" => "Object".into(),
            t => t.into(),
        }
    }

    /// `extractEnum`: `enum: a, b, c, d, ....` under a field, or `ENUM:` with one value a
    /// line after `FIELD:`.
    fn extract_enum(&self, schema: &Value, long: bool, limit: i64, indent_amount: usize) -> String {
        let Some(values) = get(schema, "enum").and_then(Value::as_array) else {
            return String::new();
        };
        if values.is_empty() {
            return String::new();
        }
        let mut out = if long {
            "ENUM:".to_string()
        } else {
            format!("\n{}enum: ", " ".repeat(indent_amount))
        };
        for (i, e) in values.iter().enumerate() {
            if limit > -1 && i as i64 >= limit {
                out.push_str(", ....");
                break;
            }
            if i > 0 && !long {
                out.push_str(", ");
            } else if long {
                out.push_str("\n    ");
            }
            if e.as_str() == Some("") {
                out.push_str("\"\"");
            } else {
                out.push_str(&go_print(e));
            }
        }
        out
    }

    /// `description`: the schema's description and those of its `allOf`, items and map
    /// values, each followed by a newline.
    fn description(&self, schema: &'d Value) -> String {
        let s = resolved(schema, self.doc);
        if !truthy(Some(s)) {
            return String::new();
        }
        let mut out = String::new();
        let d = str_of(s, "description");
        if !d.is_empty() {
            out.push_str(d);
            out.push('\n');
        }
        for a in all_of(s) {
            out.push_str(&self.description(a));
        }
        if let Some(i) = items(s) {
            out.push_str(&self.description(i));
        }
        if let Some(a) = additional(s) {
            out.push_str(&self.description(a));
        }
        out
    }

    /// `externalDocs` of the described schema.
    fn external_docs(schema: &Value) -> String {
        let Some(ext) = get(schema, "externalDocs").filter(|e| truthy(Some(e))) else {
            return String::new();
        };
        let mut out = "EXTERNAL DOCS:\n".to_string();
        let d = str_of(ext, "description");
        if !d.is_empty() {
            out.push_str(&indent(4, &wrap(d, 76)));
            out.push('\n');
        }
        let u = str_of(ext, "url");
        if !u.is_empty() {
            out.push_str(&indent(4, &format!("URL: {u}")));
            out.push('\n');
        }
        out
    }

    /// `output`: follows the field path, then prints DESCRIPTION and FIELDS; empty when the
    /// path leads nowhere.
    fn output(&self, schema: &'d Value, history: &[&'d str], path: &[String]) -> String {
        let reference = str_of(schema, "$ref");
        let mut next: Vec<&'d str> = history.to_vec();
        next.push(reference);
        let res = resolved(schema, self.doc);
        if path.is_empty() {
            let mut out = "DESCRIPTION:\n".to_string();
            let mut d = self.description(res);
            if d.is_empty() {
                d = "<empty>".into();
            }
            out.push_str(&indent(4, &wrap(&d, 76)));
            out.push('\n');
            let ext = Self::external_docs(res);
            if !ext.is_empty() {
                out.push('\n');
                out.push_str(&ext);
            }
            let fields = self.field_list(res, 1, &[]);
            if !fields.is_empty() {
                out.push_str("FIELDS:\n");
                out.push_str(&fields);
            }
            return out;
        }
        if !reference.is_empty() && history.contains(&reference) {
            return String::new();
        }
        let props = get(res, "properties");
        if let Some(sub) = props
            .and_then(|p| get(p, &path[0]))
            .filter(|s| truthy(props) && truthy(Some(s)))
        {
            let mut out = String::new();
            if path.len() == 1 {
                out.push_str(&format!("FIELD: {} <{}>\n", path[0], self.type_guess(sub)));
                out.push_str(&self.extract_enum(sub, true, -1, 0));
                out.push_str("\n\n");
            }
            out.push_str(&self.output(sub, &[], &path[1..]));
            return out;
        }
        if let Some(i) = items(res) {
            return self.output(i, &next, path);
        }
        if let Some(a) = additional(res) {
            return self.output(a, &next, path);
        }
        for a in all_of(res) {
            let o = self.output(a, &next, path);
            if !o.is_empty() {
                return o;
            }
        }
        String::new()
    }

    /// `fieldList`: each property (key order) with its details, or the indented tree of
    /// fields of fields under `--recursive`.
    fn field_list(&self, schema: &'d Value, level: usize, history: &[&'d str]) -> String {
        let reference = str_of(schema, "$ref");
        if !reference.is_empty() && history.contains(&reference) {
            return String::new();
        }
        let mut next: Vec<&'d str> = history.to_vec();
        next.push(reference);
        let res = resolved(schema, self.doc);
        let mut out = String::new();
        for (name, sub) in sorted(get(res, "properties")) {
            out.push_str(&self.field_detail(name, res, level));
            if self.recursive {
                out.push_str(&self.field_list(sub, level + 1, &next));
            }
        }
        for a in all_of(res) {
            out.push_str(&self.field_list(a, level, &next));
        }
        if let Some(i) = items(res) {
            out.push_str(&self.field_list(i, level, &next));
        }
        if let Some(a) = additional(res) {
            out.push_str(&self.field_list(a, level, &next));
        }
        out
    }

    /// `fieldDetail`: `name<TAB><type> -required-`, the enum, then (not recursive) the
    /// wrapped description and external docs.
    fn field_detail(&self, name: &str, parent: &'d Value, level: usize) -> String {
        let n = level * 2;
        let Some(field) = get(parent, "properties").and_then(|p| get(p, name)) else {
            return String::new();
        };
        let mut out = format!("{}\t<{}>", indent(n, name), self.type_guess(field));
        let required = get(parent, "required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(name)));
        if required {
            out.push_str(" -required-");
        }
        out.push_str(&self.extract_enum(field, false, 4, n));
        out.push('\n');
        if !self.recursive {
            let d = match str_of(field, "description") {
                "" => "<no description>",
                d => d,
            };
            out.push_str(&indent(n + 2, &wrap(d, 78usize.saturating_sub(n))));
            out.push('\n');
            if let Some(ext) = get(field, "externalDocs").filter(|e| truthy(Some(e))) {
                out.push('\n');
                out.push_str(&indent(n + 2, "EXTERNAL DOCS:"));
                out.push('\n');
                let d = str_of(ext, "description");
                if !d.is_empty() {
                    out.push_str(&indent(n + 4, &wrap(d, 76usize.saturating_sub(n))));
                    out.push('\n');
                }
                let u = str_of(ext, "url");
                if !u.is_empty() {
                    out.push_str(&indent(n + 4, &format!("URL: {u}")));
                    out.push('\n');
                }
            }
            out.push('\n');
        }
        out
    }

    /// The template's `schema`: the first component (key order) carrying `gvk`, explained
    /// along the path.
    fn schema(&self, gvk: &Value, path: &[String]) -> Result<String, String> {
        let schemas = get(self.doc, "components").and_then(|c| get(c, "schemas"));
        for (_, s) in sorted(schemas) {
            let carries = get(s, "x-kubernetes-group-version-kind")
                .and_then(Value::as_array)
                .is_some_and(|l| l.iter().any(|g| g == gvk));
            if carries {
                let o = self.output(s, &[], path);
                if o.is_empty() {
                    let last = path.last().map(String::as_str).unwrap_or("");
                    return Err(format!("error: field \"{last}\" does not exist"));
                }
                return Ok(o);
            }
        }
        Ok(String::new())
    }
}

/// Go's `%v` of the GVK map (`map[group:apps kind:Deployment version:v1]`).
fn go_map(v: &Map<String, Value>) -> String {
    let mut keys: Vec<&String> = v.keys().collect();
    keys.sort();
    let parts: Vec<String> = keys
        .iter()
        .map(|k| format!("{k}:{}", go_print(&v[*k])))
        .collect();
    format!("map[{}]", parts.join(" "))
}

/// kubectl's `plaintext` explanation of `req` in the group version's OpenAPI v3 document.
pub fn render(doc: &Value, req: &Request) -> Result<String, Failed> {
    // The document's `paths` keys are the API paths with `{namespace}`/`{name}` templates;
    // they come from the one path builder, so a bad group, version or resource forms no key.
    let failed = |e: crate::client::PathError| Failed {
        partial: String::new(),
        message: e.to_string(),
    };
    let (v, r) = (req.version, req.resource);
    let gv = crate::client::ApiPath::group_version(req.group, v).map_err(failed)?;
    let collection = crate::client::ResourcePath {
        group: req.group,
        version: v,
        resource: r,
        ..Default::default()
    }
    .build()
    .map_err(failed)?;
    let (gv, collection) = (gv.as_str(), collection.as_str());
    let searches = [
        collection.to_string(),
        format!("{collection}/{{name}}"),
        format!("{gv}/namespaces/{{namespace}}/{r}"),
        format!("{gv}/namespaces/{{namespace}}/{r}/{{name}}"),
    ];
    let paths = get(doc, "paths");
    let mut gvk: Option<&Value> = None;
    for p in &searches {
        let Some(element) = paths.and_then(|ps| get(ps, p)).filter(|e| truthy(Some(e))) else {
            continue;
        };
        for method in ["get", "post", "put", "patch", "delete"] {
            if let Some(m) = get(element, method).filter(|m| truthy(Some(m))) {
                gvk = get(m, "x-kubernetes-group-version-kind");
                if truthy(gvk) {
                    break;
                }
            }
        }
    }
    let Some(gvk) = gvk.filter(|g| truthy(Some(g))) else {
        return Err(Failed {
            partial: String::new(),
            message: format!(
                "error: GVR ({}) not found in OpenAPI schema",
                gvr_string(req.group, v, r)
            ),
        });
    };
    let mut out = String::new();
    let group = str_of(gvk, "group");
    if !group.is_empty() {
        out.push_str(&format!("GROUP:      {group}\n"));
    }
    out.push_str(&format!(
        "KIND:       {}\n",
        go_print(get(gvk, "kind").unwrap_or(&Value::Null))
    ));
    out.push_str(&format!(
        "VERSION:    {}\n\n",
        go_print(get(gvk, "version").unwrap_or(&Value::Null))
    ));
    let renderer = Renderer {
        doc,
        recursive: req.recursive,
    };
    match renderer.schema(gvk, req.field_path) {
        Ok(s) if !s.is_empty() => {
            out.push_str(&s);
            out.push('\n');
            Ok(out)
        }
        Ok(_) => Err(Failed {
            partial: out,
            message: format!(
                "error: GVK {} not found in OpenAPI schema",
                gvk.as_object().map(go_map).unwrap_or_default()
            ),
        }),
        Err(message) => Err(Failed {
            partial: out,
            message,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wraps_as_go_wordwrap() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("a\nb c", 3), "a\nb c");
        // A word longer than the limit stays whole on its own line.
        assert_eq!(wrap("ab verylongword c", 5), "ab\nverylongword\nc");
        assert_eq!(wrap("x\n", 76), "x\n");
    }

    fn doc() -> Value {
        json!({
            "paths": {"/apis/g/v1/namespaces/{namespace}/things": {"get": {
                "x-kubernetes-group-version-kind": {"group": "g", "kind": "Thing", "version": "v1"}}}},
            "components": {"schemas": {
                "a.Thing": {
                    "description": "A thing.",
                    "required": ["spec"],
                    "properties": {
                        "spec": {"allOf": [{"$ref": "#/components/schemas/a.Spec"}], "description": "The spec."},
                        "mode": {"type": "string", "enum": ["", "A", "B", "C", "D"], "description": "Mode."}
                    },
                    "x-kubernetes-group-version-kind": [{"group": "g", "kind": "Thing", "version": "v1"}]
                },
                "a.Spec": {"type": "object", "description": "Spec of a thing.", "properties": {
                    "next": {"$ref": "#/components/schemas/a.Spec"},
                    "tags": {"type": "object", "additionalProperties": {"type": "string"}}
                }}
            }}
        })
    }

    fn req<'a>(path: &'a [String], recursive: bool) -> Request<'a> {
        Request {
            group: "g",
            version: "v1",
            resource: "things",
            field_path: path,
            recursive,
        }
    }

    #[test]
    fn renders_fields_enums_and_cycles() {
        let d = doc();
        let out = render(&d, &req(&[], false)).unwrap();
        assert_eq!(
            out,
            "GROUP:      g\nKIND:       Thing\nVERSION:    v1\n\nDESCRIPTION:\n    A thing.\n    \nFIELDS:\n  mode\t<string>\n  enum: \"\", A, B, C, ....\n    Mode.\n\n  spec\t<Spec> -required-\n    The spec.\n\n\n"
        );
        let out = render(&d, &req(&["spec".to_string()], true)).unwrap();
        assert!(
            out.ends_with("FIELDS:\n  next\t<Spec>\n  tags\t<map[string]string>\n\n"),
            "{out}"
        );
        let bad = render(&d, &req(&["spec".into(), "x".into()], false)).unwrap_err();
        assert_eq!(bad.message, "error: field \"x\" does not exist");
        assert_eq!(
            bad.partial,
            "GROUP:      g\nKIND:       Thing\nVERSION:    v1\n\n"
        );
        let other = Request {
            resource: "nope",
            ..req(&[], false)
        };
        assert_eq!(
            render(&d, &other).unwrap_err().message,
            "error: GVR (g/v1, Resource=nope) not found in OpenAPI schema"
        );
    }
}

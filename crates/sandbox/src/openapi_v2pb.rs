//! `/openapi/v2` as protobuf (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`):
//! the Swagger 2.0 document encoded as gnostic's `openapi.v2.Document` message, which is what
//! client-go's discovery asks for (`kubectl explain --output plaintext-openapiv2`, and every
//! other user of the v2 models).
//!
//! The encoding follows gnostic's `OpenAPIv2.proto` field numbers and kube-apiserver's output:
//! fields in field-number order, maps as repeated `Named*` pairs in the JSON document's key
//! order, proto3 zero values left out, and every free-form value (vendor extensions,
//! `default`, `enum`, `example`) as an `Any` holding its YAML text, as gnostic's
//! `compiler.Marshal` writes it (yaml.v3, indent 2). Encoded from the embedded JSON the first
//! time it is asked for, and kept (about 1.9 MB).

use std::sync::OnceLock;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};

/// A JSON value that keeps its objects' key order (the protobuf lists follow it) and its
/// numbers' text (the YAML of a number is its source text).
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    Num(serde_json::Number),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl<'de> Deserialize<'de> for J {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<J, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = J;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<J, E> {
                Ok(J::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<J, E> {
                Ok(J::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<J, E> {
                Ok(J::Num(n.into()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<J, E> {
                Ok(J::Num(n.into()))
            }
            fn visit_f64<E>(self, n: f64) -> Result<J, E> {
                Ok(serde_json::Number::from_f64(n).map_or(J::Null, J::Num))
            }
            fn visit_str<E>(self, s: &str) -> Result<J, E> {
                Ok(J::Str(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<J, E> {
                Ok(J::Str(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<J, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element()? {
                    v.push(x);
                }
                Ok(J::Arr(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<J, A::Error> {
                let mut v = Vec::new();
                while let Some((k, x)) = a.next_entry::<String, J>()? {
                    v.push((k, x));
                }
                Ok(J::Obj(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            J::Null => s.serialize_unit(),
            J::Bool(b) => s.serialize_bool(*b),
            J::Num(n) => n.serialize(s),
            J::Str(t) => s.serialize_str(t),
            J::Arr(a) => s.collect_seq(a),
            J::Obj(o) => s.collect_map(o.iter().map(|(k, x)| (k, x))),
        }
    }
}

impl From<&serde_json::Value> for J {
    fn from(v: &serde_json::Value) -> J {
        use serde_json::Value as V;
        match v {
            V::Null => J::Null,
            V::Bool(b) => J::Bool(*b),
            V::Number(n) => J::Num(n.clone()),
            V::String(s) => J::Str(s.clone()),
            V::Array(a) => J::Arr(a.iter().map(J::from).collect()),
            V::Object(o) => J::Obj(o.iter().map(|(k, v)| (k.clone(), J::from(v))).collect()),
        }
    }
}

impl J {
    fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(o) => o.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn str(&self, key: &str) -> &str {
        match self.get(key) {
            Some(J::Str(s)) => s,
            _ => "",
        }
    }
    fn entries(&self) -> &[(String, J)] {
        match self {
            J::Obj(o) => o,
            _ => &[],
        }
    }
}

/// The embedded document, encoded once.
pub fn encoded() -> &'static [u8] {
    static PB: OnceLock<Vec<u8>> = OnceLock::new();
    PB.get_or_init(|| {
        let doc: J = serde_json::from_str(crate::openapi::v2_json()).unwrap_or(J::Null);
        encode_document(&doc)
    })
}

/// Encodes a Swagger 2.0 document as `openapi.v2.Document`.
pub fn encode_document(d: &J) -> Vec<u8> {
    let mut b = Buf::default();
    b.string(1, d.str("swagger"));
    if let Some(info) = d.get("info") {
        b.msg(2, &encode_info(info));
    }
    b.string(3, d.str("host"));
    b.string(4, d.str("basePath"));
    b.strings(5, d.get("schemes"));
    b.strings(6, d.get("consumes"));
    b.strings(7, d.get("produces"));
    if let Some(paths) = d.get("paths") {
        let mut p = Buf::default();
        p.extensions(1, paths);
        for (k, v) in paths.entries().iter().filter(|(k, _)| !is_ext(k)) {
            p.named(2, k, &encode_path_item(v));
        }
        b.msg(8, &p.0);
    }
    b.named_map(9, d.get("definitions"), encode_schema);
    b.named_map(10, d.get("parameters"), encode_parameter);
    b.named_map(11, d.get("responses"), encode_response);
    encode_security(&mut b, 12, d.get("security"));
    b.named_map(13, d.get("securityDefinitions"), encode_security_definition);
    if let Some(J::Arr(tags)) = d.get("tags") {
        for t in tags {
            let mut m = Buf::default();
            m.string(1, t.str("name"));
            m.string(2, t.str("description"));
            if let Some(e) = t.get("externalDocs") {
                m.msg(3, &encode_external_docs(e));
            }
            m.extensions(4, t);
            b.msg(14, &m.0);
        }
    }
    if let Some(e) = d.get("externalDocs") {
        b.msg(15, &encode_external_docs(e));
    }
    b.extensions(16, d);
    b.0
}

fn is_ext(key: &str) -> bool {
    key.starts_with("x-")
}

fn encode_info(i: &J) -> Vec<u8> {
    let mut b = Buf::default();
    b.string(1, i.str("title"));
    b.string(2, i.str("version"));
    b.string(3, i.str("description"));
    b.string(4, i.str("termsOfService"));
    for (n, key) in [(5, "contact"), (6, "license")] {
        if let Some(c) = i.get(key) {
            let mut m = Buf::default();
            m.string(1, c.str("name"));
            m.string(2, c.str("url"));
            let ext = if key == "contact" {
                m.string(3, c.str("email"));
                4
            } else {
                3
            };
            m.extensions(ext, c);
            b.msg(n, &m.0);
        }
    }
    b.extensions(7, i);
    b.0
}

fn encode_external_docs(e: &J) -> Vec<u8> {
    let mut b = Buf::default();
    b.string(1, e.str("description"));
    b.string(2, e.str("url"));
    b.extensions(3, e);
    b.0
}

fn encode_security(b: &mut Buf, field: u32, v: Option<&J>) {
    if let Some(J::Arr(reqs)) = v {
        for r in reqs {
            let mut m = Buf::default();
            for (k, scopes) in r.entries() {
                let mut s = Buf::default();
                s.strings(1, Some(scopes));
                m.named(1, k, &s.0);
            }
            b.msg(field, &m.0);
        }
    }
}

fn encode_security_definition(v: &J) -> Vec<u8> {
    let mut m = Buf::default();
    let ty = v.str("type");
    let which = match (ty, v.str("flow")) {
        ("basic", _) => 1,
        ("apiKey", _) => 2,
        (_, "implicit") => 3,
        (_, "password") => 4,
        (_, "application") => 5,
        _ => 6,
    };
    m.string(1, ty);
    match which {
        1 => {
            m.string(2, v.str("description"));
            m.extensions(3, v);
        }
        2 => {
            m.string(2, v.str("name"));
            m.string(3, v.str("in"));
            m.string(4, v.str("description"));
            m.extensions(5, v);
        }
        _ => {
            m.string(2, v.str("flow"));
            if let Some(scopes) = v.get("scopes") {
                let mut s = Buf::default();
                for (k, x) in scopes.entries() {
                    let mut n = Buf::default();
                    n.string(1, k);
                    if let J::Str(x) = x {
                        n.string(2, x);
                    }
                    s.msg(1, &n.0);
                }
                m.msg(3, &s.0);
            }
            let mut next = 4;
            if which == 3 || which == 6 {
                m.string(next, v.str("authorizationUrl"));
                next += 1;
            }
            if which != 3 {
                m.string(next, v.str("tokenUrl"));
                next += 1;
            }
            m.string(next, v.str("description"));
            m.extensions(next + 1, v);
        }
    }
    let mut b = Buf::default();
    b.msg(which, &m.0);
    b.0
}

fn encode_path_item(p: &J) -> Vec<u8> {
    let mut b = Buf::default();
    b.string(1, p.str("$ref"));
    for (n, verb) in [
        (2, "get"),
        (3, "put"),
        (4, "post"),
        (5, "delete"),
        (6, "options"),
        (7, "head"),
        (8, "patch"),
    ] {
        if let Some(op) = p.get(verb) {
            b.msg(n, &encode_operation(op));
        }
    }
    encode_parameters_items(&mut b, 9, p.get("parameters"));
    b.extensions(10, p);
    b.0
}

fn encode_operation(o: &J) -> Vec<u8> {
    let mut b = Buf::default();
    b.strings(1, o.get("tags"));
    b.string(2, o.str("summary"));
    b.string(3, o.str("description"));
    if let Some(e) = o.get("externalDocs") {
        b.msg(4, &encode_external_docs(e));
    }
    b.string(5, o.str("operationId"));
    b.strings(6, o.get("produces"));
    b.strings(7, o.get("consumes"));
    encode_parameters_items(&mut b, 8, o.get("parameters"));
    if let Some(r) = o.get("responses") {
        let mut m = Buf::default();
        for (k, v) in r.entries().iter().filter(|(k, _)| !is_ext(k)) {
            let mut rv = Buf::default();
            if v.get("$ref").is_some() {
                rv.msg(2, &encode_json_reference(v));
            } else {
                rv.msg(1, &encode_response(v));
            }
            m.named(1, k, &rv.0);
        }
        m.extensions(2, r);
        b.msg(9, &m.0);
    }
    b.strings(10, o.get("schemes"));
    b.boolean(11, o.get("deprecated"));
    encode_security(&mut b, 12, o.get("security"));
    b.extensions(13, o);
    b.0
}

fn encode_json_reference(v: &J) -> Vec<u8> {
    let mut b = Buf::default();
    b.string(1, v.str("$ref"));
    b.string(2, v.str("description"));
    b.0
}

fn encode_parameters_items(b: &mut Buf, field: u32, v: Option<&J>) {
    if let Some(J::Arr(items)) = v {
        for p in items {
            let mut m = Buf::default();
            if p.get("$ref").is_some() {
                m.msg(2, &encode_json_reference(p));
            } else {
                m.msg(1, &encode_parameter(p));
            }
            b.msg(field, &m.0);
        }
    }
}

/// `Parameter`: a body parameter, or a non-body one by where it goes.
fn encode_parameter(p: &J) -> Vec<u8> {
    let mut b = Buf::default();
    let place = p.str("in");
    if place == "body" {
        let mut m = Buf::default();
        m.string(1, p.str("description"));
        m.string(2, p.str("name"));
        m.string(3, place);
        m.boolean(4, p.get("required"));
        if let Some(s) = p.get("schema") {
            m.msg(5, &encode_schema(s));
        }
        m.extensions(6, p);
        b.msg(1, &m.0);
        return b.0;
    }
    // header and path parameters have no allowEmptyValue: their later fields come one earlier.
    let (which, has_empty) = match place {
        "header" => (1, false),
        "formData" => (2, true),
        "query" => (3, true),
        _ => (4, false),
    };
    let mut m = Buf::default();
    m.boolean(1, p.get("required"));
    m.string(2, place);
    m.string(3, p.str("description"));
    m.string(4, p.str("name"));
    let base = if has_empty {
        m.boolean(5, p.get("allowEmptyValue"));
        6
    } else {
        5
    };
    encode_primitive_fields(&mut m, p, base);
    let mut nb = Buf::default();
    nb.msg(which, &m.0);
    b.msg(2, &nb.0);
    b.0
}

/// The fields a non-body parameter, a header and `PrimitivesItems` share, from `type` on
/// (numbered from `base`), vendor extensions last.
fn encode_primitive_fields(m: &mut Buf, p: &J, base: u32) {
    m.string(base, p.str("type"));
    m.string(base + 1, p.str("format"));
    if let Some(items) = p.get("items") {
        m.msg(base + 2, &encode_primitives_items(items));
    }
    m.string(base + 3, p.str("collectionFormat"));
    m.any(base + 4, p.get("default"));
    m.double(base + 5, p.get("maximum"));
    m.boolean(base + 6, p.get("exclusiveMaximum"));
    m.double(base + 7, p.get("minimum"));
    m.boolean(base + 8, p.get("exclusiveMinimum"));
    m.int(base + 9, p.get("maxLength"));
    m.int(base + 10, p.get("minLength"));
    m.string(base + 11, p.str("pattern"));
    m.int(base + 12, p.get("maxItems"));
    m.int(base + 13, p.get("minItems"));
    m.boolean(base + 14, p.get("uniqueItems"));
    m.anys(base + 15, p.get("enum"));
    m.double(base + 16, p.get("multipleOf"));
    m.extensions(base + 17, p);
}

fn encode_primitives_items(p: &J) -> Vec<u8> {
    let mut m = Buf::default();
    encode_primitive_fields(&mut m, p, 1);
    m.0
}

fn encode_response(r: &J) -> Vec<u8> {
    let mut b = Buf::default();
    b.string(1, r.str("description"));
    if let Some(s) = r.get("schema") {
        let mut si = Buf::default();
        if s.str("type") == "file" {
            let mut f = Buf::default();
            f.string(1, s.str("format"));
            f.string(2, s.str("title"));
            f.string(3, s.str("description"));
            f.any(4, s.get("default"));
            f.strings(5, s.get("required"));
            f.string(6, "file");
            f.boolean(7, s.get("readOnly"));
            if let Some(e) = s.get("externalDocs") {
                f.msg(8, &encode_external_docs(e));
            }
            f.any(9, s.get("example"));
            f.extensions(10, s);
            si.msg(2, &f.0);
        } else {
            si.msg(1, &encode_schema(s));
        }
        b.msg(2, &si.0);
    }
    b.named_map(3, r.get("headers"), header_bytes);
    if let Some(ex) = r.get("examples") {
        let mut m = Buf::default();
        for (k, v) in ex.entries() {
            let mut n = Buf::default();
            n.string(1, k);
            n.any(2, Some(v));
            m.msg(1, &n.0);
        }
        b.msg(4, &m.0);
    }
    b.extensions(5, r);
    b.0
}

/// `Header`: the primitive fields 1..17, then description (18) and extensions (19).
fn header_bytes(v: &J) -> Vec<u8> {
    let mut m = Buf::default();
    m.string(1, v.str("type"));
    m.string(2, v.str("format"));
    if let Some(items) = v.get("items") {
        m.msg(3, &encode_primitives_items(items));
    }
    m.string(4, v.str("collectionFormat"));
    m.any(5, v.get("default"));
    m.double(6, v.get("maximum"));
    m.boolean(7, v.get("exclusiveMaximum"));
    m.double(8, v.get("minimum"));
    m.boolean(9, v.get("exclusiveMinimum"));
    m.int(10, v.get("maxLength"));
    m.int(11, v.get("minLength"));
    m.string(12, v.str("pattern"));
    m.int(13, v.get("maxItems"));
    m.int(14, v.get("minItems"));
    m.boolean(15, v.get("uniqueItems"));
    m.anys(16, v.get("enum"));
    m.double(17, v.get("multipleOf"));
    m.string(18, v.str("description"));
    m.extensions(19, v);
    m.0
}

/// `Schema` (gnostic's deterministic JSON Schema).
pub fn encode_schema(s: &J) -> Vec<u8> {
    let mut b = Buf::default();
    b.string(1, s.str("$ref"));
    b.string(2, s.str("format"));
    b.string(3, s.str("title"));
    b.string(4, s.str("description"));
    b.any(5, s.get("default"));
    b.double(6, s.get("multipleOf"));
    b.double(7, s.get("maximum"));
    b.boolean(8, s.get("exclusiveMaximum"));
    b.double(9, s.get("minimum"));
    b.boolean(10, s.get("exclusiveMinimum"));
    b.int(11, s.get("maxLength"));
    b.int(12, s.get("minLength"));
    b.string(13, s.str("pattern"));
    b.int(14, s.get("maxItems"));
    b.int(15, s.get("minItems"));
    b.boolean(16, s.get("uniqueItems"));
    b.int(17, s.get("maxProperties"));
    b.int(18, s.get("minProperties"));
    b.strings(19, s.get("required"));
    b.anys(20, s.get("enum"));
    match s.get("additionalProperties") {
        Some(J::Bool(v)) => {
            let mut m = Buf::default();
            m.key(2, 0);
            m.varint(u64::from(*v));
            b.msg(21, &m.0);
        }
        Some(v @ J::Obj(_)) => {
            let mut m = Buf::default();
            m.msg(1, &encode_schema(v));
            b.msg(21, &m.0);
        }
        _ => {}
    }
    match s.get("type") {
        Some(t @ J::Str(_)) => {
            let mut m = Buf::default();
            m.strings(1, Some(&J::Arr(vec![t.clone()])));
            b.msg(22, &m.0);
        }
        Some(t @ J::Arr(_)) => {
            let mut m = Buf::default();
            m.strings(1, Some(t));
            b.msg(22, &m.0);
        }
        _ => {}
    }
    match s.get("items") {
        Some(J::Arr(items)) => {
            let mut m = Buf::default();
            for i in items {
                m.msg(1, &encode_schema(i));
            }
            b.msg(23, &m.0);
        }
        Some(i @ J::Obj(_)) => {
            let mut m = Buf::default();
            m.msg(1, &encode_schema(i));
            b.msg(23, &m.0);
        }
        _ => {}
    }
    if let Some(J::Arr(all)) = s.get("allOf") {
        for a in all {
            b.msg(24, &encode_schema(a));
        }
    }
    b.named_map(25, s.get("properties"), encode_schema);
    b.string(26, s.str("discriminator"));
    b.boolean(27, s.get("readOnly"));
    if let Some(x) = s.get("xml") {
        let mut m = Buf::default();
        m.string(1, x.str("name"));
        m.string(2, x.str("namespace"));
        m.string(3, x.str("prefix"));
        m.boolean(4, x.get("attribute"));
        m.boolean(5, x.get("wrapped"));
        m.extensions(6, x);
        b.msg(28, &m.0);
    }
    if let Some(e) = s.get("externalDocs") {
        b.msg(29, &encode_external_docs(e));
    }
    b.any(30, s.get("example"));
    b.extensions(31, s);
    b.0
}

/// A protobuf message being written.
#[derive(Default)]
struct Buf(Vec<u8>);

impl Buf {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    fn key(&mut self, field: u32, wire: u8) {
        self.varint(u64::from(field) << 3 | u64::from(wire));
    }
    fn bytes(&mut self, field: u32, v: &[u8]) {
        self.key(field, 2);
        self.varint(v.len() as u64);
        self.0.extend_from_slice(v);
    }
    /// A set message field: written even when empty.
    fn msg(&mut self, field: u32, v: &[u8]) {
        self.bytes(field, v);
    }
    fn string(&mut self, field: u32, v: &str) {
        if !v.is_empty() {
            self.bytes(field, v.as_bytes());
        }
    }
    fn strings(&mut self, field: u32, v: Option<&J>) {
        if let Some(J::Arr(items)) = v {
            for i in items {
                if let J::Str(s) = i {
                    self.bytes(field, s.as_bytes());
                }
            }
        }
    }
    fn boolean(&mut self, field: u32, v: Option<&J>) {
        if let Some(J::Bool(true)) = v {
            self.key(field, 0);
            self.varint(1);
        }
    }
    fn int(&mut self, field: u32, v: Option<&J>) {
        if let Some(n) = num(v).and_then(|n| n.as_i64()).filter(|n| *n != 0) {
            self.key(field, 0);
            self.varint(n as u64);
        }
    }
    fn double(&mut self, field: u32, v: Option<&J>) {
        if let Some(n) = num(v).and_then(|n| n.as_f64()).filter(|n| *n != 0.0) {
            self.key(field, 1);
            self.0.extend_from_slice(&n.to_le_bytes());
        }
    }
    /// `Any` holding the value's YAML.
    fn any(&mut self, field: u32, v: Option<&J>) {
        if let Some(v) = v {
            let mut a = Buf::default();
            a.bytes(2, yaml(v).as_bytes());
            self.msg(field, &a.0);
        }
    }
    fn anys(&mut self, field: u32, v: Option<&J>) {
        if let Some(J::Arr(items)) = v {
            for i in items {
                self.any(field, Some(i));
            }
        }
    }
    /// `Named*`: `{1: name, 2: value}`.
    fn named(&mut self, field: u32, name: &str, value: &[u8]) {
        let mut m = Buf::default();
        m.string(1, name);
        m.msg(2, value);
        self.msg(field, &m.0);
    }
    /// A map (gnostic's `Named*` list message): each entry as `Named*` field 1, its value
    /// encoded by `encode`, in the document's key order; nothing when the map is absent.
    fn named_map(&mut self, field: u32, map: Option<&J>, encode: impl Fn(&J) -> Vec<u8>) {
        if let Some(map) = map {
            let mut m = Buf::default();
            for (k, v) in map.entries() {
                m.named(1, k, &encode(v));
            }
            self.msg(field, &m.0);
        }
    }
    /// The object's `x-` keys as repeated `NamedAny`.
    fn extensions(&mut self, field: u32, v: &J) {
        for (k, x) in v.entries().iter().filter(|(k, _)| is_ext(k)) {
            let mut a = Buf::default();
            a.bytes(2, yaml(x).as_bytes());
            self.named(field, k, &a.0);
        }
    }
}

fn num(v: Option<&J>) -> Option<&serde_json::Number> {
    match v {
        Some(J::Num(n)) => Some(n),
        _ => None,
    }
}

/// The value as yaml.v3 writes it with an indent of 2 (gnostic's `compiler.Marshal`).
pub fn yaml(v: &J) -> String {
    let mut out = String::new();
    yaml_block(v, 0, &mut out);
    out
}

fn yaml_block(v: &J, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        J::Obj(o) if !o.is_empty() => {
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 || !out.ends_with("- ") {
                    out.push_str(&pad);
                }
                out.push_str(&scalar(k));
                out.push(':');
                yaml_value(x, indent + 2, out);
            }
        }
        J::Arr(a) if !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                if i > 0 || !out.ends_with("- ") {
                    out.push_str(&pad);
                }
                out.push_str("- ");
                match x {
                    J::Obj(o) if !o.is_empty() => yaml_block(x, indent + 2, out),
                    J::Arr(a) if !a.is_empty() => yaml_block(x, indent + 2, out),
                    _ => {
                        out.push_str(&inline(x));
                        out.push('\n');
                    }
                }
            }
        }
        _ => {
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

/// A mapping value after `key:`.
fn yaml_value(v: &J, indent: usize, out: &mut String) {
    match v {
        J::Obj(o) if !o.is_empty() => {
            out.push('\n');
            yaml_block(v, indent, out);
        }
        J::Arr(a) if !a.is_empty() => {
            out.push('\n');
            yaml_block(v, indent, out);
        }
        _ => {
            out.push(' ');
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

fn inline(v: &J) -> String {
    match v {
        J::Null => "null".into(),
        J::Bool(b) => b.to_string(),
        J::Num(n) => n.to_string(),
        J::Str(s) => scalar(s),
        J::Obj(_) => "{}".into(),
        J::Arr(_) => "[]".into(),
    }
}

/// A string scalar: plain when YAML reads it back as the same string, otherwise quoted
/// (single quotes, or double quotes when it holds characters single quotes cannot).
fn scalar(s: &str) -> String {
    if s.chars().any(|c| c.is_control()) {
        return serde_json::to_string(s).unwrap_or_default();
    }
    let first = s.chars().next();
    if s.is_empty() {
        return "\"\"".into();
    }
    let needs_quotes = first.is_some_and(|c| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        || s.ends_with(' ')
        || s.ends_with(':')
        || s.contains(": ")
        || s.contains(" #")
        || resolves_to_non_string(s);
    if needs_quotes {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        s.to_string()
    }
}

fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~", "y", "Y",
        "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN",
    ];
    WORDS.contains(&s)
        || s.parse::<f64>().is_ok()
        || (s.starts_with("0x") && i64::from_str_radix(&s[2..], 16).is_ok())
        || (s.starts_with("0o") && i64::from_str_radix(&s[2..], 8).is_ok())
}

/// The JSON text of a document, keys in their order.
pub fn to_json(v: &J) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_matches_gnostic() {
        let j = |s: &str| -> J { serde_json::from_str(s).unwrap() };
        assert_eq!(yaml(&j(r#""list""#)), "list\n");
        assert_eq!(yaml(&j(r#""""#)), "\"\"\n");
        assert_eq!(yaml(&j(r#""*""#)), "'*'\n");
        assert_eq!(
            yaml(&j(
                r#"[{"group":"apps","kind":"Deployment","version":"v1"}]"#
            )),
            "- group: apps\n  kind: Deployment\n  version: v1\n"
        );
        assert_eq!(
            yaml(&j(
                r#"[{"discriminator":"type","fields-to-discriminateBy":{"exempt":"Exempt"}}]"#
            )),
            "- discriminator: type\n  fields-to-discriminateBy:\n    exempt: Exempt\n"
        );
        assert_eq!(yaml(&j(r#"["port","protocol"]"#)), "- port\n- protocol\n");
        assert_eq!(yaml(&j(r#"{"a":{}}"#)), "a: {}\n");
    }

    /// The encoding of the embedded document is byte for byte what kube-apiserver v1.36 served
    /// for it (recorded with curl and that Accept header; the JSON documents are identical).
    #[test]
    fn encodes_the_document_as_the_real_server() {
        use std::io::Read;
        let gz: &[u8] = include_bytes!("../data/openapi-v2-real.pb.gz");
        let mut real = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut real)
            .unwrap();
        let ours = encoded();
        let at = ours.iter().zip(&real).position(|(a, b)| a != b);
        assert_eq!(at, None, "first difference at byte {at:?}");
        assert_eq!(ours.len(), real.len());
    }
}

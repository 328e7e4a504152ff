//! The CRDs' part of `/openapi/v2`, as apiextensions' OpenAPI controller merges it into the
//! aggregated Swagger document: for each served version of an established CRD, its kind's
//! definition (`<reversed group>.<version>.<Kind>`, the schema made v2-compatible), its list's,
//! and the resource's paths (collection, item, `status` and `scale` when they are served,
//! and the all-namespaces list of a namespaced resource). Everything else in the document
//! stays the built-in one, so a server without CRDs serves the embedded bytes unchanged.
//!
//! The merged document is rebuilt only when the CRDs' contribution changes (its digest is
//! the cache key) and its ETag is the SHA-512 of the JSON, as kube-openapi's handler sets it,
//! so clients' HTTP caches see a new document exactly when a CRD changes what it publishes.

use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};

use crate::openapi_v2pb::{self as pb, J};
use crate::resources::ResourceInfo;
use crate::store::Store;

const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.";
const API_CONVENTIONS: &str =
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md";

/// One version of the `/openapi/v2` document: its JSON, its protobuf form and its ETag.
pub struct V2Doc {
    pub json: Arc<str>,
    pub pb: Arc<[u8]>,
    pub etag: Arc<str>,
}

/// `ToStructuralOpenAPIV2`: what OpenAPI v2 (and kubectl's reading of it) cannot express is
/// dropped: junctors (allOf/oneOf/anyOf/not) and defaults; a nullable value becomes untyped
/// and loses its items and properties; so do preserve-unknown-fields, embedded-resource and
/// int-or-string values; an array left without items loses its type; nullable properties
/// are no longer required.
pub fn v2_schema(s: &Value) -> Value {
    let Some(m) = s.as_object() else {
        return s.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        match k.as_str() {
            "allOf" | "oneOf" | "anyOf" | "not" | "default" | "nullable" => {}
            "properties" => {
                let props: Map<String, Value> = v
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v2_schema(v)))
                    .collect();
                out.insert(k.clone(), Value::Object(props));
            }
            "items" | "additionalProperties" if v.is_object() => {
                out.insert(k.clone(), v2_schema(v));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let flag = |name: &str| m.get(name).and_then(Value::as_bool).unwrap_or(false);
    // (kube-apiserver v1.36 drops the type of preserve-unknown-fields and embedded values
    // too, not only their items and properties.)
    let untyped = flag("nullable")
        || flag("x-kubernetes-preserve-unknown-fields")
        || flag("x-kubernetes-embedded-resource")
        || flag("x-kubernetes-int-or-string");
    if untyped {
        out.remove("type");
        out.remove("items");
        out.remove("properties");
    }
    if out.get("type").and_then(Value::as_str) == Some("array") && !out.contains_key("items") {
        out.remove("type");
    }
    let nullable = |v: &Value| v["nullable"].as_bool().unwrap_or(false);
    let nullable_props: Vec<String> = m
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, v)| nullable(v))
        .map(|(k, _)| k.clone())
        .collect();
    let mut required: Option<Vec<Value>> = out.get("required").and_then(Value::as_array).cloned();
    if let Some(req) = required.as_mut() {
        req.retain(|r| !nullable_props.iter().any(|p| r.as_str() == Some(p)));
    }
    if m.get("additionalProperties").is_some_and(nullable) {
        required = None;
    }
    match required {
        Some(r) if !r.is_empty() => {
            out.insert("required".into(), Value::Array(r));
        }
        _ => {
            out.remove("required");
        }
    }
    Value::Object(out)
}

/// `com.example.v1.Widget` for example.com/v1 Widget.
fn def_name(group: &str, version: &str, kind: &str) -> String {
    super::openapi::schema_name(group, version, kind)
}

fn dref(name: &str) -> Value {
    json!({"$ref": format!("#/definitions/{name}")})
}

fn type_meta(field: &str) -> Value {
    let text = if field == "apiVersion" {
        format!("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: {API_CONVENTIONS}#resources")
    } else {
        format!("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: {API_CONVENTIONS}#types-kinds")
    };
    json!({"description": text, "type": "string"})
}

fn kind_definition(r: &ResourceInfo) -> Value {
    let schema = r.custom.map(|c| &c.schema).unwrap_or(&Value::Null);
    let mut s = if schema.is_object() {
        v2_schema(schema)
    } else {
        json!({"type": "object"})
    };
    s["properties"]["apiVersion"] = type_meta("apiVersion");
    s["properties"]["kind"] = type_meta("kind");
    s["properties"]["metadata"] = json!({
        "description": format!("Standard object's metadata. More info: {API_CONVENTIONS}#metadata"),
        "$ref": format!("#/definitions/{META}ObjectMeta"),
    });
    s["x-kubernetes-group-version-kind"] =
        json!([{"group": r.group, "kind": r.kind, "version": r.version}]);
    s
}

fn list_definition(r: &ResourceInfo, list_kind: &str, item: &str) -> Value {
    json!({
        "description": format!("{list_kind} is a list of {}", r.kind),
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": type_meta("apiVersion"),
            "items": {"description": format!("List of {}. More info: {API_CONVENTIONS}", r.resource),
                      "type": "array", "items": dref(item)},
            "kind": type_meta("kind"),
            "metadata": {"description": format!("Standard list metadata. More info: {API_CONVENTIONS}#types-kinds"),
                         "$ref": format!("#/definitions/{META}ListMeta")},
        },
        "x-kubernetes-group-version-kind": [{"group": r.group, "kind": list_kind, "version": r.version}],
    })
}

/// A shared parameter of the built-in document (`#/parameters/<name>-<hash>`).
fn pref(name: &str) -> Value {
    json!({"$ref": format!("#/parameters/{name}")})
}

const LIST_PARAMS: &[&str] = &[
    "allowWatchBookmarks-HC2hJt-J",
    "continue-QfD61s0i",
    "fieldSelector-xIcQKXFG",
    "labelSelector-5Zw57w4C",
    "limit-1NfNmdNH",
    "resourceVersion-5WAnf1kx",
    "resourceVersionMatch-t8XhRHeC",
    "sendInitialEvents-rLXlEK_k",
    "shardSelector-Kgyki_3_",
    "timeoutSeconds-yvYezaOC",
    "watch-XNNPZGbK",
];
const PRETTY: &str = "pretty-tJGM1-ng";
const NAMESPACE: &str = "namespace-vgWSWtn3";

/// The inline `dryRun` and `fieldValidation` query parameters, with the built-in document's
/// text (the same on every write operation).
fn inline_param(name: &str) -> Value {
    static P: std::sync::OnceLock<(Value, Value)> = std::sync::OnceLock::new();
    let (dry, fv) = P.get_or_init(|| {
        let doc: Value = serde_json::from_str(crate::openapi::v2_json()).unwrap_or_default();
        let params =
            &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["post"]["parameters"];
        let find = |n: &str| {
            params
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["name"] == n)
                .cloned()
                .unwrap_or_else(
                    || json!({"uniqueItems": true, "type": "string", "name": n, "in": "query"}),
                )
        };
        (find("dryRun"), find("fieldValidation"))
    });
    if name == "dryRun" {
        dry.clone()
    } else {
        fv.clone()
    }
}

fn body(schema: &str) -> Value {
    json!({"name": "body", "in": "body", "required": true, "schema": dref(schema)})
}

struct Ops<'a> {
    r: &'a ResourceInfo,
    tag: String,
    gv: String,
}

impl Ops<'_> {
    #[allow(clippy::too_many_arguments)]
    fn op(
        &self,
        desc: String,
        id: String,
        action: &str,
        consumes: &[&str],
        params: Vec<Value>,
        responses: &[(&str, &str)],
        schema: &str,
    ) -> Value {
        let mut resp = Map::new();
        for (code, text) in responses {
            resp.insert(
                (*code).into(),
                json!({"description": text, "schema": dref(schema)}),
            );
        }
        resp.insert("401".into(), json!({"description": "Unauthorized"}));
        let mut o = json!({
            "description": desc,
            "consumes": consumes,
            "produces": ["application/json", "application/yaml"],
            "schemes": ["https"],
            "tags": [self.tag],
            "operationId": id,
            "responses": resp,
            "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": {"group": self.r.group, "kind": self.r.kind, "version": self.r.version},
        });
        if !params.is_empty() {
            o["parameters"] = Value::Array(params);
        }
        o
    }

    /// The read, replace and patch operations of an object or of one of its subresources:
    /// `what` is "the specified Foo" or "status of the specified Foo", `id` the operationId
    /// after the verb.
    fn read_replace_patch(&self, what: &str, id: &str, schema: &str) -> [(String, Value); 3] {
        let get = self.op(
            format!("read {what}"),
            format!("read{id}"),
            "get",
            JSON_YAML,
            vec![pref("resourceVersion-5WAnf1kx")],
            &[("200", "OK")],
            schema,
        );
        let put = self.op(
            format!("replace {what}"),
            format!("replace{id}"),
            "put",
            JSON_YAML,
            write_params(schema),
            &[("200", "OK"), ("201", "Created")],
            schema,
        );
        let patch = self.op(
            format!("partially update {what}"),
            format!("patch{id}"),
            "patch",
            PATCHES,
            patch_params(),
            &[("200", "OK")],
            schema,
        );
        [
            ("get".into(), get),
            ("put".into(), put),
            ("patch".into(), patch),
        ]
    }
}

const JSON_YAML: &[&str] = &["application/json", "application/yaml"];
const PATCHES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
];

fn write_params(schema: &str) -> Vec<Value> {
    vec![
        body(schema),
        inline_param("dryRun"),
        pref("fieldManager-Qy4HdaTW"),
        inline_param("fieldValidation"),
    ]
}

fn patch_params() -> Vec<Value> {
    vec![
        pref("body-78PwaGsr"),
        inline_param("dryRun"),
        pref("fieldManager-7c6nTn1T"),
        inline_param("fieldValidation"),
        pref("force-tOGGb0Yi"),
    ]
}

fn list_params() -> Vec<Value> {
    LIST_PARAMS.iter().map(|p| pref(p)).collect()
}

/// The paths of one served version of a custom resource.
fn paths(r: &ResourceInfo, item: &str, list: &str, out: &mut Vec<(String, Value)>) {
    let prefix = format!("/apis/{}/{}", r.group, r.version);
    let mut group_tag = String::new();
    for (i, part) in r.group.split('.').enumerate() {
        let mut c = part.chars();
        if let Some(f) = c.next() {
            if i == 0 {
                group_tag.extend(f.to_lowercase());
            } else {
                group_tag.extend(f.to_uppercase());
            }
            group_tag.push_str(c.as_str());
        }
    }
    let ops = Ops {
        r,
        tag: format!("{group_tag}_{}", r.version),
        gv: super::openapi::pascal_group(r.group, r.version),
    };
    let (gv, k) = (&ops.gv, r.kind);
    let (base, word, mut common) = if r.namespaced {
        (
            format!("{prefix}/namespaces/{{namespace}}/{}", r.resource),
            "Namespaced",
            vec![pref(NAMESPACE)],
        )
    } else {
        (format!("{prefix}/{}", r.resource), "", vec![])
    };
    common.push(pref(PRETTY));
    let status_ref = format!("{META}Status");
    let mut coll = Map::new();
    coll.insert(
        "get".into(),
        ops.op(
            format!("list objects of kind {k}"),
            format!("list{gv}{word}{k}"),
            "list",
            JSON_YAML,
            list_params(),
            &[("200", "OK")],
            list,
        ),
    );
    coll.insert(
        "post".into(),
        ops.op(
            format!("create a {k}"),
            format!("create{gv}{word}{k}"),
            "post",
            JSON_YAML,
            write_params(item),
            &[("200", "OK"), ("201", "Created"), ("202", "Accepted")],
            item,
        ),
    );
    coll.insert(
        "delete".into(),
        ops.op(
            format!("delete collection of {k}"),
            format!("delete{gv}Collection{word}{k}"),
            "deletecollection",
            JSON_YAML,
            list_params(),
            &[("200", "OK")],
            &status_ref,
        ),
    );
    coll.insert("parameters".into(), Value::Array(common.clone()));
    out.push((base.clone(), Value::Object(coll)));

    let mut item_params = common.clone();
    item_params.insert(
        0,
        json!({"uniqueItems": true, "type": "string", "description": format!("name of the {k}"),
               "name": "name", "in": "path", "required": true}),
    );
    let mut one = Map::new();
    one.extend(ops.read_replace_patch(
        &format!("the specified {k}"),
        &format!("{gv}{word}{k}"),
        item,
    ));
    one.insert(
        "delete".into(),
        ops.op(
            format!("delete a {k}"),
            format!("delete{gv}{word}{k}"),
            "delete",
            JSON_YAML,
            vec![
                pref("body-2Y1dVQaQ"),
                inline_param("dryRun"),
                pref("gracePeriodSeconds--K5HaBOS"),
                pref("ignoreStoreReadErrorWithClusterBreakingPotential-QbNkfIqj"),
                pref("orphanDependents-uRB25kX5"),
                pref("propagationPolicy-6jk3prlO"),
            ],
            &[("200", "OK"), ("202", "Accepted")],
            &status_ref,
        ),
    );
    one.insert("parameters".into(), Value::Array(item_params.clone()));
    out.push((format!("{base}/{{name}}"), Value::Object(one)));

    let scale_ref = "io.k8s.api.autoscaling.v1.Scale".to_string();
    let subs = [
        (
            "scale",
            "Scale",
            r.custom.and_then(|c| c.scale.as_ref()).is_some(),
            &scale_ref,
        ),
        ("status", "Status", r.has_status(), &item.to_string()),
    ];
    for (sub, word2, served, schema) in subs {
        if !served {
            continue;
        }
        let mut m = Map::from_iter(ops.read_replace_patch(
            &format!("{sub} of the specified {k}"),
            &format!("{gv}{word}{k}{word2}"),
            schema,
        ));
        m.insert("parameters".into(), Value::Array(item_params.clone()));
        out.push((format!("{base}/{{name}}/{sub}"), Value::Object(m)));
    }

    if r.namespaced {
        let mut all = Map::new();
        all.insert(
            "get".into(),
            ops.op(
                format!("list objects of kind {k}"),
                format!("list{gv}{k}ForAllNamespaces"),
                "list",
                JSON_YAML,
                vec![],
                &[("200", "OK")],
                list,
            ),
        );
        let mut params: Vec<&str> = LIST_PARAMS.to_vec();
        params.push(PRETTY);
        params.sort_unstable();
        all.insert(
            "parameters".into(),
            Value::Array(params.into_iter().map(pref).collect()),
        );
        out.push((format!("{prefix}/{}", r.resource), Value::Object(all)));
    }
}

/// Named entries of a document map, in order.
pub type Named = Vec<(String, Value)>;

/// What the CRDs add to the document: (definitions, paths), each sorted by name.
pub fn contribution(store: &Store) -> (Named, Named) {
    let mut defs = Vec::new();
    let mut p = Vec::new();
    for r in super::served(store) {
        if crate::resources::GROUPS.contains(&r.group) {
            continue;
        }
        let list_kind = r.custom.map(|c| c.list_kind.clone()).unwrap_or_default();
        let item = def_name(r.group, r.version, r.kind);
        let list = def_name(r.group, r.version, &list_kind);
        defs.push((list.clone(), list_definition(r, &list_kind, &item)));
        defs.push((item.clone(), kind_definition(r)));
        paths(r, &item, &list, &mut p);
    }
    defs.sort_by(|a, b| a.0.cmp(&b.0));
    defs.dedup_by(|a, b| a.0 == b.0);
    p.sort_by(|a, b| a.0.cmp(&b.0));
    p.dedup_by(|a, b| a.0 == b.0);
    (defs, p)
}

/// Adds entries to a JSON object (a `J::Obj`) and keeps its keys sorted, as the aggregated
/// document's maps are.
fn merge_sorted(obj: &mut J, add: Named) {
    if let J::Obj(entries) = obj {
        for (k, v) in add {
            let v = J::from(&v);
            match entries.binary_search_by(|(e, _)| e.as_str().cmp(&k)) {
                Ok(i) => entries[i].1 = v,
                Err(i) => entries.insert(i, (k, v)),
            }
        }
    }
}

fn field_mut<'a>(doc: &'a mut J, key: &str) -> Option<&'a mut J> {
    match doc {
        J::Obj(o) => o.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn build(defs: Named, p: Named) -> V2Doc {
    let base = crate::openapi::v2_json();
    if defs.is_empty() && p.is_empty() {
        return V2Doc {
            json: Arc::from(base),
            pb: Arc::from(pb::encoded()),
            etag: Arc::from(crate::openapi_embedded::sha512_hex(base.as_bytes())),
        };
    }
    let mut doc: J = serde_json::from_str(base).unwrap_or(J::Null);
    if let Some(paths) = field_mut(&mut doc, "paths") {
        merge_sorted(paths, p);
    }
    if let Some(d) = field_mut(&mut doc, "definitions") {
        merge_sorted(d, defs);
    }
    let json = pb::to_json(&doc);
    let etag = crate::openapi_embedded::sha512_hex(json.as_bytes());
    V2Doc {
        pb: Arc::from(pb::encode_document(&doc)),
        json: Arc::from(json),
        etag: Arc::from(etag),
    }
}

/// The `/openapi/v2` document the server publishes now (cached while the CRDs' contribution
/// stays the same).
pub fn document(store: &Store) -> V2Doc {
    type Cached = Option<(String, V2Doc)>;
    static CACHE: Mutex<Cached> = Mutex::new(None);
    let (defs, p) = contribution(store);
    let key = crate::openapi_embedded::sha512_hex(json!([defs, p]).to_string().as_bytes());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((k, d)) = cache.as_ref() {
        if *k == key {
            return V2Doc {
                json: d.json.clone(),
                pb: d.pb.clone(),
                etag: d.etag.clone(),
            };
        }
    }
    let d = build(defs, p);
    let out = V2Doc {
        json: d.json.clone(),
        pb: d.pb.clone(),
        etag: d.etag.clone(),
    };
    *cache = Some((key, d));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(crds: &[&str]) -> Store {
        let store = Store::new();
        for text in crds {
            let mut crd: Value = serde_yaml_ng::from_str(text).unwrap();
            assert!(crate::crd::admit_crd(&mut crd, None).is_empty());
            store.create(&crate::crd::crd_gr(), crd).unwrap();
        }
        crate::crd::reconcile(&store);
        store
    }

    /// The CRDs' definitions and paths are the ones a real v1.36 server publishes for the
    /// same CRDs (golden recorded from it, see testdata/README.md).
    #[test]
    fn definitions_and_paths_match_the_real_servers() {
        let store = store_with(&[
            include_str!("testdata/widgets-crd.yaml"),
            include_str!("testdata/gadgets-crd.yaml"),
        ]);
        let real: Value =
            serde_json::from_str(include_str!("testdata/openapi-v2-crdv2-real.json")).unwrap();
        let (defs, p) = contribution(&store);
        let ours = json!({
            "definitions": defs.into_iter().collect::<Map<String, Value>>(),
            "paths": p.into_iter().collect::<Map<String, Value>>(),
        });
        for section in ["definitions", "paths"] {
            let (a, b) = (&ours[section], &real[section]);
            let ka: Vec<&String> = a.as_object().unwrap().keys().collect();
            let kb: Vec<&String> = b.as_object().unwrap().keys().collect();
            assert_eq!(ka, kb, "{section}");
            for k in ka {
                assert_eq!(a[k.as_str()], b[k.as_str()], "{section} {k}");
            }
        }
    }

    /// Without CRDs the embedded document is served as it is; a CRD changes the document
    /// and its ETag, and deleting it brings the first ones back.
    #[test]
    fn the_document_and_its_etag_follow_the_crds() {
        let empty = document(&Store::new());
        assert_eq!(&*empty.json, crate::openapi::v2_json());
        assert_eq!(&*empty.pb, pb::encoded());
        let store = store_with(&[include_str!("testdata/gadgets-crd.yaml")]);
        let with = document(&store);
        assert_ne!(with.etag, empty.etag);
        assert_eq!(
            &*with.etag,
            crate::openapi_embedded::sha512_hex(with.json.as_bytes())
        );
        let doc: Value = serde_json::from_str(&with.json).unwrap();
        assert!(doc["definitions"]["com.example.crdv2.v1beta1.Gadget"].is_object());
        assert!(doc["paths"]["/apis/crdv2.example.com/v1beta1/gadgets/{name}"].is_object());
        let base: Value = serde_json::from_str(crate::openapi::v2_json()).unwrap();
        assert_eq!(
            doc["definitions"].as_object().unwrap().len(),
            base["definitions"].as_object().unwrap().len() + 2
        );
        assert_ne!(&*with.pb, pb::encoded());
        store
            .remove(&crate::crd::crd_gr(), "", "gadgets.crdv2.example.com")
            .unwrap();
        crate::crd::reconcile(&store);
        assert_eq!(document(&store).etag, empty.etag);
    }
}

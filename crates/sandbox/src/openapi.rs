//! OpenAPI v3 documents for the served group versions, built from `schema`.
//!
//! kubectl reads these to learn whether the server takes `fieldValidation` (it looks for the
//! query parameter on the operation), for `explain`, and for the strategic-merge-patch metadata
//! of client-side apply. The documents are shaped like kube-apiserver's (descriptions left out):
//! same path names, operation ids, parameters, media types and component schema names.
//! Everything is built once and cached; the hash in the root's URLs is a digest of the served
//! bytes, so clients' HTTP caches stay valid for as long as the document does not change.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use super::openapi_embedded as embedded;
use super::schema::{self, Served, SERVED};

const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.";
/// The Kubernetes version the documents claim (`info.version`).
const API_VERSION: &str = "1.36";

struct Doc {
    value: Value,
    json: String,
    hash: String,
}

fn docs() -> &'static BTreeMap<String, Doc> {
    static DOCS: OnceLock<BTreeMap<String, Doc>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let mut out = BTreeMap::new();
        let mut add = |path: String, value: Value| {
            let json = value.to_string();
            let hash = digest(json.as_bytes());
            out.insert(path, Doc { value, json, hash });
        };
        add(
            "api".into(),
            discovery_doc("/api/", "getCoreAPIVersions", "core", "APIVersions"),
        );
        add(
            "apis".into(),
            discovery_doc("/apis/", "getAPIVersions", "apis", "APIGroupList"),
        );
        add("version".into(), version_doc());
        for (group, version) in group_versions() {
            if group.is_empty() {
                add(format!("api/{version}"), group_version_doc(group, version));
            } else {
                let title = pascal(group_word(group));
                add(
                    format!("apis/{group}"),
                    discovery_doc(
                        &format!("/apis/{group}/"),
                        &format!("get{title}APIGroup"),
                        group_word(group),
                        "APIGroup",
                    ),
                );
                add(
                    format!("apis/{group}/{version}"),
                    group_version_doc(group, version),
                );
            }
        }
        out
    })
}

/// The served group versions, core first.
fn group_versions() -> Vec<(&'static str, &'static str)> {
    let set: BTreeSet<(&str, &str)> = SERVED.iter().map(|s| (s.group, s.version)).collect();
    set.into_iter().collect()
}

/// `GET /openapi/v3`: every document's path with its hash-versioned URL. The real server's
/// documents (with descriptions, see `openapi_embedded`) are served for every group version
/// it has; the generated ones only for the rest (`version`).
pub fn root() -> Value {
    let mut paths = Map::new();
    for (path, doc) in docs() {
        paths.insert(
            path.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={}", doc.hash)}),
        );
    }
    for path in embedded::v3_paths() {
        if let Some(hash) = embedded::v3_hash(path) {
            paths.insert(
                path.to_string(),
                json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
            );
        }
    }
    json!({ "paths": paths })
}

/// `GET /openapi/v2` in JSON: the real server's Swagger document.
pub fn v2_json() -> &'static str {
    embedded::v2()
}

fn normalize(path: &str) -> &str {
    path.trim_start_matches("/openapi/v3").trim_matches('/')
}

/// `GET /openapi/v3/<path>` ("api/v1", "apis/apps/v1", "version", ...), or None when not served.
pub fn document(path: &str) -> Option<Value> {
    if let Some(doc) = embedded::v3(normalize(path)) {
        return serde_json::from_str(doc).ok();
    }
    docs().get(normalize(path)).map(|d| d.value.clone())
}

/// The serialized form of [`document`], cached: cheaper to serve than re-serializing.
pub fn document_json(path: &str) -> Option<&'static str> {
    embedded::v3(normalize(path)).or_else(|| docs().get(normalize(path)).map(|d| d.json.as_str()))
}

/// The hash [`root`] puts in a document's URL (kubectl sends it back as `?hash=`).
pub fn document_hash(path: &str) -> Option<&'static str> {
    embedded::v3_hash(normalize(path))
        .or_else(|| docs().get(normalize(path)).map(|d| d.hash.as_str()))
}

/// SHA-512 in upper-case hex, as kube-openapi versions its documents.
fn digest(bytes: &[u8]) -> String {
    embedded::sha512_hex(bytes)
}

/// The first word of a group name (`events` for `events.k8s.io`, `core` for the core group).
fn group_word(group: &str) -> &str {
    if group.is_empty() {
        "core"
    } else {
        group.split('.').next().unwrap_or(group)
    }
}

fn pascal(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn content(schema_name: &str, types: &[&str]) -> Value {
    let mut m = Map::new();
    for t in types {
        m.insert(t.to_string(), json!({"schema": schema_ref(schema_name)}));
    }
    Value::Object(m)
}

const PLAIN: &[&str] = &[
    "application/json",
    "application/vnd.kubernetes.protobuf",
    "application/yaml",
];
const STREAM: &[&str] = &[
    "application/json",
    "application/json;stream=watch",
    "application/vnd.kubernetes.protobuf",
    "application/vnd.kubernetes.protobuf;stream=watch",
    "application/yaml",
];

fn responses(codes: &[&str], schema_name: &str, types: &[&str]) -> Value {
    let mut m = Map::new();
    for c in codes {
        m.insert(
            c.to_string(),
            json!({"content": content(schema_name, types)}),
        );
    }
    m.insert("401".into(), json!({}));
    Value::Object(m)
}

fn param(name: &str) -> Value {
    let ty = match name {
        "allowWatchBookmarks"
        | "force"
        | "ignoreStoreReadErrorWithClusterBreakingPotential"
        | "orphanDependents"
        | "sendInitialEvents"
        | "watch" => "boolean",
        "gracePeriodSeconds" | "limit" | "timeoutSeconds" => "integer",
        _ => "string",
    };
    if name == "name" || name == "namespace" {
        json!({"in": "path", "name": name, "required": true, "schema": {"type": ty, "uniqueItems": true}})
    } else {
        json!({"in": "query", "name": name, "schema": {"type": ty, "uniqueItems": true}})
    }
}

fn params(names: &[&str]) -> Value {
    let mut v: Vec<&str> = names.to_vec();
    v.sort_unstable();
    Value::Array(v.into_iter().map(param).collect())
}

const LIST: &[&str] = &[
    "allowWatchBookmarks",
    "continue",
    "fieldSelector",
    "labelSelector",
    "limit",
    "resourceVersion",
    "resourceVersionMatch",
    "sendInitialEvents",
    "shardSelector",
    "timeoutSeconds",
    "watch",
];
const DELETE_COLLECTION: &[&str] = &[
    "continue",
    "dryRun",
    "fieldSelector",
    "gracePeriodSeconds",
    "ignoreStoreReadErrorWithClusterBreakingPotential",
    "labelSelector",
    "limit",
    "orphanDependents",
    "propagationPolicy",
    "resourceVersion",
    "resourceVersionMatch",
    "sendInitialEvents",
    "shardSelector",
    "timeoutSeconds",
];
const DELETE: &[&str] = &[
    "dryRun",
    "gracePeriodSeconds",
    "ignoreStoreReadErrorWithClusterBreakingPotential",
    "orphanDependents",
    "propagationPolicy",
];
const WRITE: &[&str] = &["dryRun", "fieldManager", "fieldValidation"];
const PATCH: &[&str] = &["dryRun", "fieldManager", "fieldValidation", "force"];

/// Facts shared by the operations of one resource.
struct Res<'a> {
    s: &'a Served,
    /// `CoreV1`, `AppsV1`, ...
    gv: String,
    tag: String,
    kind_schema: String,
    list_schema: String,
}

impl Res<'_> {
    fn op(&self, id: String, action: &str, gvk: Value) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("operationId".into(), json!(id));
        m.insert("tags".into(), json!([self.tag]));
        m.insert("x-kubernetes-action".into(), json!(action));
        m.insert("x-kubernetes-group-version-kind".into(), gvk);
        m
    }

    fn gvk(&self) -> Value {
        json!({"group": self.s.group, "kind": self.s.kind, "version": self.s.version})
    }
}

fn with(mut m: Map<String, Value>, extra: &[(&str, Value)]) -> Value {
    for (k, v) in extra {
        m.insert(k.to_string(), v.clone());
    }
    Value::Object(m)
}

fn body(schema_name: &str) -> Value {
    json!({"content": {"*/*": {"schema": schema_ref(schema_name)}}, "required": true})
}

fn patch_body() -> Value {
    let types = [
        "application/apply-patch+yaml",
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
    ];
    json!({"content": content(&format!("{META}Patch"), &types), "required": true})
}

fn delete_body() -> Value {
    json!({"content": {"*/*": {"schema": schema_ref(&format!("{META}DeleteOptions"))}}})
}

/// The paths of one served resource, inserted into `paths`.
fn resource_paths(paths: &mut Map<String, Value>, r: &Res) {
    let s = r.s;
    let prefix = if s.group.is_empty() {
        format!("/api/{}", s.version)
    } else {
        format!("/apis/{}/{}", s.group, s.version)
    };
    let (ns_path, ns_word, ns_params): (String, &str, &[&str]) = if s.namespaced {
        (
            format!("/namespaces/{{namespace}}/{}", s.resource),
            "Namespaced",
            &["namespace"],
        )
    } else {
        (format!("/{}", s.resource), "", &[])
    };
    let (gv, k) = (&r.gv, s.kind);
    let status = format!("{META}Status");
    let watch_event = format!("{META}WatchEvent");
    let deleted = if s.delete_returns_object {
        &r.kind_schema
    } else {
        &status
    };

    // The collection: list, create, delete collection.
    let mut coll = Map::new();
    coll.insert(
        "get".into(),
        with(
            r.op(format!("list{gv}{ns_word}{k}"), "list", r.gvk()),
            &[
                ("parameters", params(LIST)),
                ("responses", responses(&["200"], &r.list_schema, STREAM)),
            ],
        ),
    );
    coll.insert(
        "post".into(),
        with(
            r.op(format!("create{gv}{ns_word}{k}"), "post", r.gvk()),
            &[
                ("parameters", params(WRITE)),
                ("requestBody", body(&r.kind_schema)),
                (
                    "responses",
                    responses(&["200", "201", "202"], &r.kind_schema, PLAIN),
                ),
            ],
        ),
    );
    if s.delete_collection {
        coll.insert(
            "delete".into(),
            with(
                r.op(
                    format!("delete{gv}Collection{ns_word}{k}"),
                    "deletecollection",
                    r.gvk(),
                ),
                &[
                    ("parameters", params(DELETE_COLLECTION)),
                    ("requestBody", delete_body()),
                    ("responses", responses(&["200"], &status, PLAIN)),
                ],
            ),
        );
    }
    coll.insert(
        "parameters".into(),
        params(&[ns_params, &["pretty"]].concat()),
    );
    paths.insert(format!("{prefix}{ns_path}"), Value::Object(coll));

    // One object: read, replace, patch, delete.
    let item_params = params(&[ns_params, &["name", "pretty"]].concat());
    let mut item = Map::new();
    item.insert(
        "get".into(),
        with(
            r.op(format!("read{gv}{ns_word}{k}"), "get", r.gvk()),
            &[("responses", responses(&["200"], &r.kind_schema, PLAIN))],
        ),
    );
    item.insert(
        "put".into(),
        with(
            r.op(format!("replace{gv}{ns_word}{k}"), "put", r.gvk()),
            &[
                ("parameters", params(WRITE)),
                ("requestBody", body(&r.kind_schema)),
                (
                    "responses",
                    responses(&["200", "201"], &r.kind_schema, PLAIN),
                ),
            ],
        ),
    );
    item.insert(
        "patch".into(),
        with(
            r.op(format!("patch{gv}{ns_word}{k}"), "patch", r.gvk()),
            &[
                ("parameters", params(PATCH)),
                ("requestBody", patch_body()),
                (
                    "responses",
                    responses(&["200", "201"], &r.kind_schema, PLAIN),
                ),
            ],
        ),
    );
    item.insert(
        "delete".into(),
        with(
            r.op(format!("delete{gv}{ns_word}{k}"), "delete", r.gvk()),
            &[
                ("parameters", params(DELETE)),
                ("requestBody", delete_body()),
                ("responses", responses(&["200", "202"], deleted, PLAIN)),
            ],
        ),
    );
    item.insert("parameters".into(), item_params.clone());
    paths.insert(format!("{prefix}{ns_path}/{{name}}"), Value::Object(item));

    // Subresources: status (the kind itself) and scale (autoscaling/v1 Scale).
    for sub in s.subresources {
        let (schema_name, gvk, word) = match *sub {
            "scale" => (
                "io.k8s.api.autoscaling.v1.Scale".to_string(),
                json!({"group": "autoscaling", "kind": "Scale", "version": "v1"}),
                "Scale",
            ),
            _ => (r.kind_schema.clone(), r.gvk(), "Status"),
        };
        let mut m = Map::new();
        m.insert(
            "get".into(),
            with(
                r.op(format!("read{gv}{ns_word}{k}{word}"), "get", gvk.clone()),
                &[("responses", responses(&["200"], &schema_name, PLAIN))],
            ),
        );
        m.insert(
            "put".into(),
            with(
                r.op(format!("replace{gv}{ns_word}{k}{word}"), "put", gvk.clone()),
                &[
                    ("parameters", params(WRITE)),
                    ("requestBody", body(&schema_name)),
                    ("responses", responses(&["200", "201"], &schema_name, PLAIN)),
                ],
            ),
        );
        m.insert(
            "patch".into(),
            with(
                r.op(format!("patch{gv}{ns_word}{k}{word}"), "patch", gvk),
                &[
                    ("parameters", params(PATCH)),
                    ("requestBody", patch_body()),
                    ("responses", responses(&["200", "201"], &schema_name, PLAIN)),
                ],
            ),
        );
        m.insert("parameters".into(), item_params.clone());
        paths.insert(
            format!("{prefix}{ns_path}/{{name}}/{sub}"),
            Value::Object(m),
        );
    }

    // Every list option sits on the path itself for the all-namespaces list and for watches.
    let path_level = |extra: &[&str]| params(&[LIST, &["pretty"], extra].concat());
    if s.namespaced {
        paths.insert(
            format!("{prefix}/{}", s.resource),
            json!({
                "get": with(
                    r.op(format!("list{gv}{k}ForAllNamespaces"), "list", r.gvk()),
                    &[("responses", responses(&["200"], &r.list_schema, STREAM))],
                ),
                "parameters": path_level(&[]),
            }),
        );
        paths.insert(
            format!("{prefix}/watch/{}", s.resource),
            json!({
                "get": with(
                    r.op(format!("watch{gv}{k}ListForAllNamespaces"), "watchlist", r.gvk()),
                    &[("responses", responses(&["200"], &watch_event, STREAM))],
                ),
                "parameters": path_level(&[]),
            }),
        );
    }
    paths.insert(
        format!("{prefix}/watch{ns_path}"),
        json!({
            "get": with(
                r.op(format!("watch{gv}{ns_word}{k}List"), "watchlist", r.gvk()),
                &[("responses", responses(&["200"], &watch_event, STREAM))],
            ),
            "parameters": path_level(ns_params),
        }),
    );
    paths.insert(
        format!("{prefix}/watch{ns_path}/{{name}}"),
        json!({
            "get": with(
                r.op(format!("watch{gv}{ns_word}{k}"), "watch", r.gvk()),
                &[("responses", responses(&["200"], &watch_event, STREAM))],
            ),
            "parameters": path_level(&[ns_params, &["name"]].concat()),
        }),
    );
}

/// The `components` of a document: every schema its paths reach, plus the security scheme.
fn components(roots: &BTreeSet<String>, doc_group: &str) -> Value {
    let mut schemas = Map::new();
    for name in schema::closure(roots.iter().map(String::as_str)) {
        if let Some(s) = schema::get(&name) {
            schemas.insert(name, schema::to_openapi(s, doc_group));
        }
    }
    json!({
        "schemas": schemas,
        "securitySchemes": {"BearerToken": {"in": "header", "name": "authorization", "type": "apiKey"}},
    })
}

/// Every `$ref` target in a JSON value.
fn refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x.as_str()) {
                    ("$ref", Some(r)) => {
                        out.insert(r.trim_start_matches("#/components/schemas/").to_string());
                    }
                    _ => refs(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

fn document_of(paths: Map<String, Value>, doc_group: &str) -> Value {
    let paths = Value::Object(paths);
    let mut roots = BTreeSet::new();
    refs(&paths, &mut roots);
    json!({
        "components": components(&roots, doc_group),
        "info": {"title": "Kubernetes", "version": API_VERSION},
        "openapi": "3.0.0",
        "paths": paths,
    })
}

/// The document of one group version: its resources' paths and schemas.
fn group_version_doc(group: &str, version: &str) -> Value {
    let word = group_word(group);
    let gv = format!("{}{}", pascal(word), pascal(version));
    let tag = format!("{word}_{version}");
    let mut paths = Map::new();
    let root = if group.is_empty() {
        format!("/api/{version}/")
    } else {
        format!("/apis/{group}/{version}/")
    };
    paths.insert(
        root,
        json!({"get": {
            "operationId": format!("get{gv}APIResources"),
            "responses": responses(&["200"], &format!("{META}APIResourceList"), PLAIN),
            "tags": [tag],
        }}),
    );
    for s in SERVED
        .iter()
        .filter(|s| s.group == group && s.version == version)
    {
        let kind_schema = schema::kind_schema_name(s);
        let r = Res {
            s,
            gv: gv.clone(),
            tag: tag.clone(),
            list_schema: format!("{kind_schema}List"),
            kind_schema,
        };
        resource_paths(&mut paths, &r);
    }
    document_of(paths, group)
}

/// The documents of the discovery endpoints (`/api/`, `/apis/`, `/apis/<group>/`).
fn discovery_doc(path: &str, operation_id: &str, tag: &str, schema_kind: &str) -> Value {
    let mut paths = Map::new();
    paths.insert(
        path.to_string(),
        json!({"get": {
            "operationId": operation_id,
            "responses": responses(&["200"], &format!("{META}{schema_kind}"), PLAIN),
            "tags": [tag],
        }}),
    );
    document_of(paths, "")
}

fn version_doc() -> Value {
    let mut paths = Map::new();
    paths.insert(
        "/version/".into(),
        json!({"get": {
            "operationId": "getCodeVersion",
            "responses": responses(&["200"], "io.k8s.apimachinery.pkg.version.Info", &["application/json"]),
            "tags": ["version"],
        }}),
    );
    document_of(paths, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where two JSON values first differ, for readable failures.
    fn first_diff(a: &Value, b: &Value, at: &str) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for k in x.keys().chain(y.keys()) {
                    let (l, r) = (
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                    );
                    if let Some(d) = first_diff(l, r, &format!("{at}/{k}")) {
                        return Some(d);
                    }
                }
                None
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (l, r))| first_diff(l, r, &format!("{at}/{i}"))),
            _ if a == b => None,
            _ => Some(format!("{at}: ours {a} real {b}")),
        }
    }

    fn fixture(name: &str) -> Value {
        let p = format!(
            "{}/../../tests/fixtures/reference/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn root_lists_every_document_with_a_stable_hash() {
        let r = root();
        let paths = r["paths"].as_object().unwrap();
        for p in [
            "api",
            "api/v1",
            "apis",
            "apis/apps",
            "apis/apps/v1",
            "apis/events.k8s.io/v1",
            "apis/batch",
            "apis/batch/v1",
            "apis/coordination.k8s.io/v1",
            "apis/discovery.k8s.io/v1",
            "version",
        ] {
            let url = paths[p]["serverRelativeURL"].as_str().unwrap();
            let hash = document_hash(p).unwrap();
            assert_eq!(url, format!("/openapi/v3/{p}?hash={hash}"));
            assert_eq!(hash.len(), 128);
            assert!(hash
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        }
        // Same shape as the real root: only `paths`, each with only `serverRelativeURL`.
        let real = fixture("openapi-v3-root.json");
        assert_eq!(
            r.as_object().unwrap().len(),
            real.as_object().unwrap().len()
        );
        for p in paths.keys() {
            assert!(
                real["paths"].get(p).is_some(),
                "{p} is not a real document path"
            );
        }
        assert_eq!(root(), r);
        assert_ne!(document_hash("api/v1"), document_hash("apis/apps/v1"));
        assert_ne!(digest(b"a"), digest(b"b"));
    }

    #[test]
    fn documents_parse_and_carry_every_served_kind() {
        for s in SERVED {
            let path = if s.group.is_empty() {
                format!("api/{}", s.version)
            } else {
                format!("apis/{}/{}", s.group, s.version)
            };
            let text = document_json(&path).unwrap();
            let doc: Value = serde_json::from_str(text).unwrap();
            assert_eq!(doc["openapi"], "3.0.0");
            let name = schema::kind_schema_name(s);
            let kind = &doc["components"]["schemas"][&name];
            let gvk = &kind["x-kubernetes-group-version-kind"][0];
            assert_eq!(gvk["kind"], s.kind, "{name}");
            assert_eq!(gvk["group"], s.group, "{name}");
            // Every reference in the document resolves inside it.
            let mut all = BTreeSet::new();
            refs(&doc, &mut all);
            for r in all {
                assert!(
                    doc["components"]["schemas"].get(&r).is_some(),
                    "{path}: {r}"
                );
            }
        }
        assert!(document("apis/storage.k8s.io/v1alpha1").is_none());
        assert!(document("/openapi/v3/api/v1").is_some());
        assert_eq!(
            document("version").unwrap()["paths"]["/version/"]["get"]["tags"][0],
            "version"
        );
    }

    /// The generated documents (served for group versions without an embedded real one):
    /// paths for the served resources are the real server's, with the same operations,
    /// operation ids, parameters, request bodies and response media types.
    #[test]
    fn paths_match_the_real_documents() {
        for (file, path) in [
            ("openapi-v3-api-v1.nodesc.json", "api/v1"),
            ("openapi-v3-apis-apps-v1.nodesc.json", "apis/apps/v1"),
        ] {
            let real = fixture(file);
            let ours = docs()[path].value.clone();
            assert_eq!(
                ours.as_object().unwrap().keys().collect::<Vec<_>>(),
                real.as_object().unwrap().keys().collect::<Vec<_>>()
            );
            assert_eq!(ours["info"], real["info"]);
            // The served (embedded) document is the real one, descriptions included.
            let served = document(path).unwrap();
            assert_eq!(
                served["components"]["securitySchemes"]["BearerToken"]["description"],
                "Bearer Token authentication"
            );
            assert_eq!(
                ours["components"]["securitySchemes"],
                real["components"]["securitySchemes"]
            );
            let mut compared = 0;
            let mut problems = vec![];
            for (p, item) in ours["paths"].as_object().unwrap() {
                let want = real["paths"]
                    .get(p)
                    .unwrap_or_else(|| panic!("{p} not real"));
                if let Some(d) = first_diff(item, want, p) {
                    problems.push(d);
                }
                compared += 1;
            }
            assert!(problems.is_empty(), "{}", problems.join("\n"));
            assert!(compared >= 20, "{path}: {compared}");
            // Every real path of a resource we serve is ours too, but those of subresources
            // we do not serve (pods/exec, namespaces/finalize, ...).
            let prefix = format!("/{path}/");
            for p in real["paths"].as_object().unwrap().keys() {
                let rest = p.trim_start_matches(&prefix).trim_start_matches("watch/");
                let rest = rest.strip_prefix("namespaces/{namespace}/").unwrap_or(rest);
                let mut segs = rest.split('/');
                let resource = segs.next().unwrap_or_default();
                let sub = segs.nth(1);
                let served = SERVED.iter().any(|s| {
                    s.resource == resource
                        && s.group.is_empty() == path.starts_with("api/")
                        && sub.is_none_or(|x| s.subresources.contains(&x))
                });
                if served {
                    assert!(ours["paths"].get(p).is_some(), "{path}: missing {p}");
                }
            }
        }
    }

    #[test]
    fn write_operations_offer_field_validation() {
        let doc = document("apis/apps/v1").unwrap();
        let op = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}"]["patch"];
        let names: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["dryRun", "fieldManager", "fieldValidation", "force"]
        );
        assert!(op["requestBody"]["content"]
            .get("application/strategic-merge-patch+json")
            .is_some());
        let ev = document("apis/events.k8s.io/v1").unwrap();
        let post = &ev["paths"]["/apis/events.k8s.io/v1/namespaces/{namespace}/events"]["post"];
        assert_eq!(post["operationId"], "createEventsV1NamespacedEvent");
        assert_eq!(post["tags"][0], "events_v1");
        let lease = document("apis/coordination.k8s.io/v1").unwrap();
        assert!(lease["paths"]["/apis/coordination.k8s.io/v1/watch/leases"].is_object());
        let slices = document("apis/discovery.k8s.io/v1").unwrap();
        assert!(slices["paths"]
            ["/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices/{name}"]
            .is_object());
        assert!(
            slices["components"]["schemas"]["io.k8s.api.discovery.v1.EndpointSlice"]["required"]
                .as_array()
                .is_some_and(|r| r.contains(&serde_json::json!("addressType")))
        );
        let g = document("apis/apps").unwrap();
        assert_eq!(
            g["paths"]["/apis/apps/"]["get"]["operationId"],
            "getAppsAPIGroup"
        );
    }
}

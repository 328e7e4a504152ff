//! OpenAPI v3 documents of the CRD group versions (`/openapi/v3/apis/<group>/<version>`), as
//! apiextensions' builder makes them: each kind's schema (the CRD's, with apiVersion, kind
//! and metadata added) under `<reversed group>.<version>.<Kind>`, its List, the meta types,
//! and the resource's paths (kubectl looks for `fieldValidation` on the PATCH operation).

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use crate::resources::ResourceInfo;
use crate::store::Store;

const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.";

/// The meta schemas and the apiVersion/kind property schemas, taken from the built-in
/// apps/v1 document (the same text the real server uses).
fn meta_schemas() -> &'static (Map<String, Value>, Value, Value) {
    static M: OnceLock<(Map<String, Value>, Value, Value)> = OnceLock::new();
    M.get_or_init(|| {
        let doc = crate::openapi::document("apis/apps/v1").unwrap_or_default();
        let schemas = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let meta: Map<String, Value> = schemas
            .iter()
            .filter(|(k, _)| k.starts_with("io.k8s.apimachinery."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let dep = &schemas["io.k8s.api.apps.v1.Deployment"]["properties"];
        (meta, dep["apiVersion"].clone(), dep["kind"].clone())
    })
}

/// `com.example.v1.Foo` for example.com/v1 Foo.
pub fn schema_name(group: &str, version: &str, kind: &str) -> String {
    let reversed: Vec<&str> = group.split('.').rev().collect();
    format!("{}.{version}.{kind}", reversed.join("."))
}

fn sref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn kind_schema(r: &ResourceInfo) -> Value {
    let (_, api_version, kind) = meta_schemas();
    let mut s = r
        .custom
        .map(|c| c.schema.clone())
        .unwrap_or_else(|| json!({"type": "object"}));
    if !s.is_object() {
        s = json!({"type": "object"});
    }
    s["properties"]["apiVersion"] = api_version.clone();
    s["properties"]["kind"] = kind.clone();
    s["properties"]["metadata"] = json!({
        "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        "allOf": [sref(&format!("{META}ObjectMeta"))],
    });
    s["x-kubernetes-group-version-kind"] =
        json!([{"group": r.group, "kind": r.kind, "version": r.version}]);
    s
}

fn list_schema(r: &ResourceInfo, item: &str) -> Value {
    let (_, api_version, kind) = meta_schemas();
    let list_kind = r.custom.map(|c| c.list_kind.clone()).unwrap_or_default();
    json!({
        "description": format!("{list_kind} is a list of {}", r.kind),
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": api_version,
            "items": {"description": format!("List of {}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md", r.resource),
                      "type": "array", "items": sref(item)},
            "kind": kind,
            "metadata": {"description": "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
                         "allOf": [sref(&format!("{META}ListMeta"))]},
        },
        "x-kubernetes-group-version-kind": [{"group": r.group, "kind": list_kind, "version": r.version}],
    })
}

fn param(name: &str, ty: &str, path: bool) -> Value {
    if path {
        json!({"name": name, "in": "path", "required": true, "schema": {"type": ty, "uniqueItems": true}})
    } else {
        json!({"name": name, "in": "query", "schema": {"type": ty, "uniqueItems": true}})
    }
}

fn op(id: String, action: &str, r: &ResourceInfo, params: Vec<Value>, schema: &str) -> Value {
    json!({
        "operationId": id,
        "tags": [format!("{}_{}", r.group.replace('.', ""), r.version)],
        "parameters": params,
        "responses": {"200": {"content": {"application/json": {"schema": sref(schema)},
                                          "application/yaml": {"schema": sref(schema)}}},
                      "401": {}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": r.group, "kind": r.kind, "version": r.version},
    })
}

pub(super) fn pascal_group(group: &str, version: &str) -> String {
    let mut out = String::new();
    for part in group.split(['.', '-']).chain(std::iter::once(version)) {
        let mut c = part.chars();
        if let Some(f) = c.next() {
            out.extend(f.to_uppercase());
            out.push_str(c.as_str());
        }
    }
    out
}

fn paths(r: &ResourceInfo, item: &str, list: &str, out: &mut Map<String, Value>) {
    let prefix = format!("/apis/{}/{}", r.group, r.version);
    let (base, word, mut common) = if r.namespaced {
        (
            format!("{prefix}/namespaces/{{namespace}}/{}", r.resource),
            "Namespaced",
            vec![param("namespace", "string", true)],
        )
    } else {
        (format!("{prefix}/{}", r.resource), "", vec![])
    };
    let gv = pascal_group(r.group, r.version);
    let k = r.kind;
    let q = |n: &str| param(n, "string", false);
    common.push(q("pretty"));
    let write = || vec![q("dryRun"), q("fieldManager"), q("fieldValidation")];
    let mut coll = Map::new();
    coll.insert(
        "get".into(),
        op(
            format!("list{gv}{word}{k}"),
            "list",
            r,
            vec![
                q("labelSelector"),
                q("fieldSelector"),
                q("limit"),
                q("continue"),
                q("watch"),
            ],
            list,
        ),
    );
    let mut post = op(format!("create{gv}{word}{k}"), "post", r, write(), item);
    post["requestBody"] = json!({"content": {"*/*": {"schema": sref(item)}}, "required": true});
    coll.insert("post".into(), post);
    coll.insert(
        "delete".into(),
        op(
            format!("delete{gv}Collection{word}{k}"),
            "deletecollection",
            r,
            vec![q("dryRun")],
            &format!("{META}Status"),
        ),
    );
    coll.insert("parameters".into(), json!(common));
    out.insert(base.clone(), Value::Object(coll));
    let mut one = Map::new();
    one.insert(
        "get".into(),
        op(format!("read{gv}{word}{k}"), "get", r, vec![], item),
    );
    let mut put = op(format!("replace{gv}{word}{k}"), "put", r, write(), item);
    put["requestBody"] = json!({"content": {"*/*": {"schema": sref(item)}}, "required": true});
    one.insert("put".into(), put);
    let mut patch_params = write();
    patch_params.push(param("force", "boolean", false));
    let mut patch = op(
        format!("patch{gv}{word}{k}"),
        "patch",
        r,
        patch_params,
        item,
    );
    patch["requestBody"] = json!({"content": {
        "application/apply-patch+yaml": {"schema": sref(&format!("{META}Patch"))},
        "application/json-patch+json": {"schema": sref(&format!("{META}Patch"))},
        "application/merge-patch+json": {"schema": sref(&format!("{META}Patch"))}}, "required": true});
    one.insert("patch".into(), patch);
    one.insert(
        "delete".into(),
        op(
            format!("delete{gv}{word}{k}"),
            "delete",
            r,
            vec![q("dryRun")],
            &format!("{META}Status"),
        ),
    );
    let mut item_params = common.clone();
    item_params.insert(0, param("name", "string", true));
    one.insert("parameters".into(), json!(item_params));
    out.insert(format!("{base}/{{name}}"), Value::Object(one));
}

/// The document of one CRD group version, if any CRD serves it.
pub fn document(store: &Store, group: &str, version: &str) -> Option<Value> {
    let served: Vec<&ResourceInfo> = super::served(store)
        .into_iter()
        .filter(|r| r.group == group && r.version == version)
        .collect();
    if served.is_empty() || crate::resources::GROUPS.contains(&group) {
        return None;
    }
    let mut schemas = meta_schemas().0.clone();
    let mut p = Map::new();
    for r in served {
        let item = schema_name(r.group, r.version, r.kind);
        let list_kind = r.custom.map(|c| c.list_kind.clone()).unwrap_or_default();
        let list = schema_name(r.group, r.version, &list_kind);
        schemas.insert(item.clone(), kind_schema(r));
        schemas.insert(list.clone(), list_schema(r, &item));
        paths(r, &item, &list, &mut p);
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
        "paths": p,
        "components": {"schemas": schemas},
    }))
}

/// Adds the CRD group versions to the `/openapi/v3` index.
pub fn extend_root(store: &Store, root: &mut Value) {
    let mut gvs: Vec<(&str, &str)> = super::served(store)
        .iter()
        .map(|r| (r.group, r.version))
        .filter(|(g, _)| !crate::resources::GROUPS.contains(g))
        .collect();
    gvs.sort();
    gvs.dedup();
    for (g, v) in gvs {
        if let Some(doc) = document(store, g, v) {
            let hash = crate::openapi_embedded::sha512_hex(doc.to_string().as_bytes());
            root["paths"][format!("apis/{g}/{v}")] =
                json!({"serverRelativeURL": format!("/openapi/v3/apis/{g}/{v}?hash={hash}")});
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            schema_name("stable.example.com", "v1", "CronTab"),
            "com.example.stable.v1.CronTab"
        );
        assert_eq!(
            pascal_group("stable.example.com", "v1"),
            "StableExampleComV1"
        );
    }
}

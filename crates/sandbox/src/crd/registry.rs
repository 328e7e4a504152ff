//! The resource types the stored CRDs define.
//!
//! The handlers hold `&'static ResourceInfo`s; a CRD's are built once per distinct content
//! (the spec and accepted names) and kept for the life of the process, in a table shared by
//! every sandbox of the process: the key is the content itself, so two clusters defining the
//! same group differently never see each other's types. Which types a cluster serves is
//! always read from its own store.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use serde_json::Value;

use super::table::Column;
use super::CustomVersion;
use crate::resources::{ResourceInfo, Subresource};
use crate::store::Store;

const VERBS: &[&str] = &[
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
];
const SUB_VERBS: &[&str] = &["get", "patch", "update"];

type Interned = Vec<&'static ResourceInfo>;

static INTERNED: LazyLock<Mutex<HashMap<String, Interned>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn leak_strs(v: &Value) -> &'static [&'static str] {
    let items: Vec<&'static str> = v
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(leak).collect())
        .unwrap_or_default();
    Box::leak(items.into_boxed_slice())
}

/// Whether a condition of the CRD's status is True.
pub(super) fn condition_true(crd: &Value, ty: &str) -> bool {
    crd["status"]["conditions"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["type"] == ty && c["status"] == "True"))
}

/// `discovery.StorageVersionHash`: the first 8 bytes of sha256("group/version/kind").
fn storage_version_hash(group: &str, version: &str, kind: &str) -> String {
    use base64::Engine as _;
    let d = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{group}/{version}/{kind}").as_bytes(),
    );
    base64::engine::general_purpose::STANDARD.encode(&d.as_ref()[..8])
}

/// The resource types of one CRD, one per served version, in the CRD's version order.
fn build(crd: &Value) -> Interned {
    let spec = &crd["spec"];
    let names = &crd["status"]["acceptedNames"];
    let group = leak(spec["group"].as_str().unwrap_or_default());
    let plural = leak(names["plural"].as_str().unwrap_or_default());
    let singular = names["singular"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| names["kind"].as_str().unwrap_or_default().to_lowercase());
    let singular = leak(&singular);
    let kind = leak(names["kind"].as_str().unwrap_or_default());
    let list_kind = names["listKind"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("{kind}List"));
    let short_names = leak_strs(&names["shortNames"]);
    let categories = leak_strs(&names["categories"]);
    let namespaced = spec["scope"] != "Cluster";
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    let storage_version = versions
        .iter()
        .find(|v| v["storage"] == true)
        .and_then(|v| v["name"].as_str())
        .unwrap_or_default()
        .to_string();
    let hash = leak(&storage_version_hash(group, &storage_version, kind));
    let storage_schema = versions
        .iter()
        .find(|v| v["storage"] == true)
        .map(|v| v["schema"]["openAPIV3Schema"].clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    for v in versions.iter().filter(|v| v["served"] == true) {
        let version = leak(v["name"].as_str().unwrap_or_default());
        let subs_spec = &v["subresources"];
        let mut subs = Vec::new();
        // apiextensions lists status before scale.
        if subs_spec["status"].is_object() {
            subs.push(Subresource {
                name: "status",
                group: "",
                version: "",
                kind,
                verbs: SUB_VERBS,
            });
        }
        if subs_spec["scale"].is_object() {
            subs.push(Subresource {
                name: "scale",
                group: "autoscaling",
                version: "v1",
                kind: "Scale",
                verbs: SUB_VERBS,
            });
        }
        let scale = subs_spec["scale"].as_object().map(|s| {
            let path = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_string);
            (
                path("specReplicasPath").unwrap_or_default(),
                path("statusReplicasPath").unwrap_or_default(),
                path("labelSelectorPath"),
            )
        });
        let custom = CustomVersion {
            crd_name: crd["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            list_kind: list_kind.clone(),
            schema: v["schema"]["openAPIV3Schema"].clone(),
            columns: Column::for_version(&v["additionalPrinterColumns"]),
            scale,
            storage: v["storage"] == true,
            storage_schema: storage_schema.clone(),
        };
        out.push(&*Box::leak(Box::new(ResourceInfo {
            group,
            version,
            resource: plural,
            singular,
            kind,
            namespaced,
            short_names,
            categories,
            verbs: VERBS,
            subresources: Box::leak(subs.into_boxed_slice()),
            has_generation: true,
            storage_version_hash: hash,
            storage: None,
            custom: Some(Box::leak(Box::new(custom))),
        })));
    }
    out
}

/// The types of one CRD (built on first sight of this content).
fn types_of(crd: &Value) -> Interned {
    let key = serde_json::json!([
        crd["metadata"]["name"],
        crd["spec"],
        crd["status"]["acceptedNames"]
    ])
    .to_string();
    let mut table = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
    table.entry(key).or_insert_with(|| build(crd)).clone()
}

/// Every custom resource type the cluster serves now: the served versions of its established
/// CRDs (terminating ones included until their instances are gone), CRDs by name.
pub fn served(store: &Store) -> Vec<&'static ResourceInfo> {
    let (crds, _) = store.list(&super::crd_gr(), None);
    crds.iter()
        .filter(|c| condition_true(c, "Established"))
        .flat_map(types_of)
        .collect()
}

/// The custom resource type at `/apis/<group>/<version>/<resource>`, if one is served.
pub fn find(
    store: &Store,
    group: &str,
    version: &str,
    resource: &str,
) -> Option<&'static ResourceInfo> {
    if !group.contains('.') {
        return None;
    }
    served(store)
        .into_iter()
        .find(|r| r.group == group && r.version == version && r.resource == resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_version_hash_is_the_apiservers() {
        // discovery.StorageVersionHash("apps", "v1", "Deployment"), as served by v1.36.
        let apps = crate::resources::find("apps", "v1", "deployments").unwrap();
        assert_eq!(
            storage_version_hash("apps", "v1", "Deployment"),
            apps.storage_version_hash
        );
    }
}

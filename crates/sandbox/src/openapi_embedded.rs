//! The OpenAPI documents of a real v1.36 kube-apiserver, descriptions included (what `kubectl
//! explain` prints), embedded gzip-compressed as the server served them (data/openapi/, from
//! the reference recordings): 1 MB in the binary instead of about 14 MB of JSON. A document is
//! decompressed the first time it is asked for and kept. The v3 index's hashes are the real
//! server's (SHA-512 of the document bytes, which are served unchanged).

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::OnceLock;

/// `/openapi/v3/<path>` documents.
const V3: &[(&str, &[u8])] = &[
    (
        "api/v1",
        include_bytes!("../data/openapi/openapi-v3-api-v1.json.gz"),
    ),
    (
        "api",
        include_bytes!("../data/openapi/openapi-v3-api.json.gz"),
    ),
    (
        "apis/admissionregistration.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-admissionregistration.k8s.io-v1.json.gz"),
    ),
    (
        "apis/admissionregistration.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-admissionregistration.k8s.io.json.gz"),
    ),
    (
        "apis/apiextensions.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-apiextensions.k8s.io-v1.json.gz"),
    ),
    (
        "apis/apiextensions.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-apiextensions.k8s.io.json.gz"),
    ),
    (
        "apis/apiregistration.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-apiregistration.k8s.io-v1.json.gz"),
    ),
    (
        "apis/apiregistration.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-apiregistration.k8s.io.json.gz"),
    ),
    (
        "apis/apps/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-apps-v1.json.gz"),
    ),
    (
        "apis/apps",
        include_bytes!("../data/openapi/openapi-v3-apis-apps.json.gz"),
    ),
    (
        "apis/authentication.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-authentication.k8s.io-v1.json.gz"),
    ),
    (
        "apis/authentication.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-authentication.k8s.io.json.gz"),
    ),
    (
        "apis/authorization.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-authorization.k8s.io-v1.json.gz"),
    ),
    (
        "apis/authorization.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-authorization.k8s.io.json.gz"),
    ),
    (
        "apis/autoscaling/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-autoscaling-v1.json.gz"),
    ),
    (
        "apis/autoscaling/v2",
        include_bytes!("../data/openapi/openapi-v3-apis-autoscaling-v2.json.gz"),
    ),
    (
        "apis/autoscaling",
        include_bytes!("../data/openapi/openapi-v3-apis-autoscaling.json.gz"),
    ),
    (
        "apis/batch/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-batch-v1.json.gz"),
    ),
    (
        "apis/batch",
        include_bytes!("../data/openapi/openapi-v3-apis-batch.json.gz"),
    ),
    (
        "apis/certificates.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-certificates.k8s.io-v1.json.gz"),
    ),
    (
        "apis/certificates.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-certificates.k8s.io.json.gz"),
    ),
    (
        "apis/coordination.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-coordination.k8s.io-v1.json.gz"),
    ),
    (
        "apis/coordination.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-coordination.k8s.io.json.gz"),
    ),
    (
        "apis/discovery.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-discovery.k8s.io-v1.json.gz"),
    ),
    (
        "apis/discovery.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-discovery.k8s.io.json.gz"),
    ),
    (
        "apis/events.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-events.k8s.io-v1.json.gz"),
    ),
    (
        "apis/events.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-events.k8s.io.json.gz"),
    ),
    (
        "apis/flowcontrol.apiserver.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-flowcontrol.apiserver.k8s.io-v1.json.gz"),
    ),
    (
        "apis/flowcontrol.apiserver.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-flowcontrol.apiserver.k8s.io.json.gz"),
    ),
    (
        "apis/networking.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-networking.k8s.io-v1.json.gz"),
    ),
    (
        "apis/networking.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-networking.k8s.io.json.gz"),
    ),
    (
        "apis/node.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-node.k8s.io-v1.json.gz"),
    ),
    (
        "apis/node.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-node.k8s.io.json.gz"),
    ),
    (
        "apis/policy/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-policy-v1.json.gz"),
    ),
    (
        "apis/policy",
        include_bytes!("../data/openapi/openapi-v3-apis-policy.json.gz"),
    ),
    (
        "apis/rbac.authorization.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-rbac.authorization.k8s.io-v1.json.gz"),
    ),
    (
        "apis/rbac.authorization.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-rbac.authorization.k8s.io.json.gz"),
    ),
    (
        "apis/resource.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-resource.k8s.io-v1.json.gz"),
    ),
    (
        "apis/resource.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-resource.k8s.io.json.gz"),
    ),
    (
        "apis/scheduling.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-scheduling.k8s.io-v1.json.gz"),
    ),
    (
        "apis/scheduling.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-scheduling.k8s.io.json.gz"),
    ),
    (
        "apis/storage.k8s.io/v1",
        include_bytes!("../data/openapi/openapi-v3-apis-storage.k8s.io-v1.json.gz"),
    ),
    (
        "apis/storage.k8s.io",
        include_bytes!("../data/openapi/openapi-v3-apis-storage.k8s.io.json.gz"),
    ),
    (
        "apis",
        include_bytes!("../data/openapi/openapi-v3-apis.json.gz"),
    ),
];
const V2: &[u8] = include_bytes!("../data/openapi/openapi-v2.json.gz");
/// The real server's `/openapi/v3` index (the hashes of the documents above).
const INDEX: &str = include_str!("../data/openapi/openapi-v3-index.json");

fn gunzip(gz: &[u8]) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut s)
        .expect("embedded OpenAPI documents are valid gzip");
    s
}

/// The decompressed v3 document at `path` ("api/v1", "apis/apps/v1", ...).
pub fn v3(path: &str) -> Option<&'static str> {
    static CACHE: OnceLock<Vec<OnceLock<String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| V3.iter().map(|_| OnceLock::new()).collect());
    let i = V3.iter().position(|(p, _)| *p == path)?;
    Some(cache[i].get_or_init(|| gunzip(V3[i].1)).as_str())
}

/// The hash of the v3 document at `path`, as in the real server's index.
pub fn v3_hash(path: &str) -> Option<&'static str> {
    static HASHES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    let hashes = HASHES.get_or_init(|| {
        let index: serde_json::Value =
            serde_json::from_str(INDEX).expect("embedded OpenAPI index is JSON");
        let mut out = BTreeMap::new();
        if let Some(paths) = index["paths"].as_object() {
            for (p, v) in paths {
                let url = v["serverRelativeURL"].as_str().unwrap_or_default();
                if let Some((_, h)) = url.split_once("?hash=") {
                    out.insert(p.clone(), h.to_string());
                }
            }
        }
        out
    });
    V3.iter()
        .any(|(p, _)| *p == path)
        .then(|| hashes.get(path).map(String::as_str))
        .flatten()
}

/// The embedded v3 paths.
pub fn v3_paths() -> impl Iterator<Item = &'static str> {
    V3.iter().map(|(p, _)| *p)
}

/// The Swagger 2.0 document (`/openapi/v2` in JSON).
pub fn v2() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| gunzip(V2))
}

/// SHA-512 in upper-case hex: how kube-openapi names a document's version.
pub fn sha512_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA512, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The served bytes are the recorded ones: their SHA-512 is the index's hash, and every
    /// group version the sandbox serves has its document, descriptions included.
    #[test]
    fn documents_match_the_index() {
        for path in v3_paths() {
            let doc = v3(path).unwrap();
            assert_eq!(sha512_hex(doc.as_bytes()), v3_hash(path).unwrap(), "{path}");
        }
        for r in crate::resources::RESOURCES.iter() {
            let path = if r.group.is_empty() {
                format!("api/{}", r.version)
            } else {
                format!("apis/{}/{}", r.group, r.version)
            };
            assert!(v3(&path).is_some(), "{path}");
        }
        let apps: serde_json::Value = serde_json::from_str(v3("apis/apps/v1").unwrap()).unwrap();
        let desc = &apps["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]["description"];
        assert_eq!(
            desc,
            "Deployment enables declarative updates for Pods and ReplicaSets."
        );
        let v2: serde_json::Value = serde_json::from_str(v2()).unwrap();
        assert_eq!(v2["swagger"], "2.0");
        assert!(v3("apis/nope/v1").is_none() && v3_hash("openid/v1/jwks").is_none());
    }
}

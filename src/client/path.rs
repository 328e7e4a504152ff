//! The one place where request paths are built.
//!
//! Every request the client sends carries an [`ApiPath`], and an `ApiPath` can only be made
//! here: from typed parts through [`ResourcePath::build`], from a group version
//! ([`ApiPath::group_version`]), as one of the fixed discovery roots, or from a user's `--raw`
//! path ([`ApiPath::raw`]). Every part that becomes a path segment is checked as client-go's
//! `rest.Request` checks it (apimachinery's `IsValidPathSegmentName`: not `.` or `..`, no `/` or
//! `%`), and a name that is present must not be empty, so a bad or missing name can never turn
//! a request for one object into a request for its collection, its namespace or another
//! resource.

use crate::print::gofmt::go_quote;

/// Why a path could not be built; the text is client-go's (`invalid resource name "..": [may
/// not be '..']`, `resource name may not be empty`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PathError(String);

impl PathError {
    fn invalid(what: &str, value: &str, reasons: &[String]) -> PathError {
        PathError(format!(
            "invalid {what} {}: [{}]",
            go_quote(value),
            reasons.join(" ")
        ))
    }
}

/// apimachinery's `IsValidPathSegmentName`: why `name` cannot be one path segment (empty when
/// it can). `.` and `..` are reported alone; otherwise every forbidden character is listed.
pub fn path_segment_problems(name: &str) -> Vec<String> {
    for bad in [".", ".."] {
        if name == bad {
            return vec![format!("may not be '{bad}'")];
        }
    }
    ["/", "%"]
        .iter()
        .filter(|c| name.contains(*c))
        .map(|c| format!("may not contain '{c}'"))
        .collect()
}

/// An absolute request path (`/apis/apps/v1/namespaces/default/daemonsets/x`), made only by the
/// validating constructors of this module. A path to one object remembers which object, so
/// that the answer can be checked against it ([`ApiPath::check_response`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiPath(String, Option<ObjectRef>);

/// The one object a path names (no subresource).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ObjectRef {
    resource: String,
    namespace: Option<String>,
    name: String,
    kind: Option<String>,
}

/// kubectl's text for an answer that is not an object (apimachinery `meta.Accessor`).
pub const NOT_AN_OBJECT: &str = "object does not implement the Object interfaces";

impl ApiPath {
    /// `/api`, the legacy core group discovery root.
    pub fn api() -> ApiPath {
        ApiPath("/api".into(), None)
    }

    /// `/apis`, the group discovery root.
    pub fn apis() -> ApiPath {
        ApiPath("/apis".into(), None)
    }

    /// `/openapi/v2`, the OpenAPI v2 (Swagger) document (`explain -o plaintext-openapiv2`).
    pub fn openapi_v2() -> ApiPath {
        ApiPath("/openapi/v2".into(), None)
    }

    /// `/openapi/v3`, the index of the OpenAPI v3 documents.
    pub fn openapi_v3() -> ApiPath {
        ApiPath("/openapi/v3".into(), None)
    }

    /// One OpenAPI v3 document, at the `serverRelativeURL` path the index gave (the part
    /// before `?`): it must stay under `/openapi/v3/`, without `.` or `..` segments.
    pub fn openapi_v3_document(path: &str) -> Result<ApiPath, PathError> {
        let rest = path.strip_prefix("/openapi/v3/").unwrap_or("");
        if rest.is_empty()
            || rest
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == ".." || s.contains(['?', '#', '%']))
        {
            return Err(PathError(format!(
                "invalid OpenAPI v3 document path {}",
                go_quote(path)
            )));
        }
        Ok(ApiPath(path.to_string(), None))
    }

    /// `/version`.
    pub fn version() -> ApiPath {
        ApiPath("/version".into(), None)
    }

    /// `/api/v1` for the core group, `/apis/<group>/<version>` otherwise (discovery of one group
    /// version). Group and version come from discovery, that is from the server, so they are
    /// checked like every other segment.
    pub fn group_version(group: &str, version: &str) -> Result<ApiPath, PathError> {
        let gv = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        for (part, required) in [(group, false), (version, true)] {
            let mut reasons = path_segment_problems(part);
            if required && part.is_empty() {
                reasons.push("may not be empty".into());
            }
            if !reasons.is_empty() {
                return Err(PathError::invalid("group version", &gv, &reasons));
            }
        }
        Ok(ApiPath(
            if group.is_empty() {
                format!("/api/{version}")
            } else {
                format!("/apis/{group}/{version}")
            },
            None,
        ))
    }

    /// The path of `--raw`: sent as kubectl sends it (client-go's `RequestURI` keeps the parsed,
    /// unescaped path and nothing else). `raw` is the part before `?`.
    ///
    /// A `.` or `..` segment is refused: kubectl sends it unchanged, but the URL parser of this
    /// client would resolve it and so request another path than the one the user typed.
    pub fn raw(raw: &str) -> Result<ApiPath, PathError> {
        let decoded = go_path_unescape(raw).map_err(|bad| {
            PathError(format!(
                "--raw must be a valid URL path: parse {}: invalid URL escape {}",
                go_quote(raw),
                go_quote(&bad)
            ))
        })?;
        if decoded.split('/').any(|s| s == "." || s == "..") {
            return Err(PathError(format!(
                "--raw path {} has a \".\" or \"..\" segment, which kubectl-rs cannot send unchanged",
                go_quote(raw)
            )));
        }
        Ok(ApiPath(decoded, None))
    }

    /// `/api/v1/namespaces/<name>`: one Namespace object.
    pub fn namespace(name: &str) -> Result<ApiPath, PathError> {
        ResourcePath {
            version: "v1",
            resource: "namespaces",
            name: Some(name),
            ..Default::default()
        }
        .build()
    }

    /// The path as text (not yet escaped for a URL).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same path, noting the kind the named object must have.
    pub fn with_kind(mut self, kind: &str) -> ApiPath {
        if let Some(o) = &mut self.1 {
            o.kind = (!kind.is_empty()).then(|| kind.to_string());
        }
        self
    }

    /// Checks a successful answer to a request for one named object: it must be an object,
    /// and that object (its kind when known, name and namespace) must be the one asked for, so
    /// a server or proxy that answers with something else is never reported as a success.
    /// Answers that are not JSON are left to the caller's decoding.
    pub fn check_response(&self, method: &reqwest::Method, body: &[u8]) -> Result<(), String> {
        let Some(want) = &self.1 else {
            return Ok(());
        };
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
            return Ok(());
        };
        let Some(obj) = v.as_object() else {
            return Err(NOT_AN_OBJECT.into());
        };
        let kind = obj.get("kind").and_then(|k| k.as_str()).unwrap_or("");
        let what = || format!("{} {}", want.resource, go_quote(&want.name));
        let returned = |name: &str| {
            format!(
                "the server returned {} {} instead of {}",
                want.resource,
                go_quote(name),
                what()
            )
        };
        if kind == "Status" && method == reqwest::Method::DELETE {
            // A finished delete may answer with a Status naming what it deleted.
            let name = v.pointer("/details/name").and_then(|n| n.as_str());
            return match name {
                Some(n) if !n.is_empty() && n != want.name => Err(format!(
                    "the server deleted {} {} instead of {}",
                    want.resource,
                    go_quote(n),
                    what()
                )),
                _ => Ok(()),
            };
        }
        if kind == "Table" {
            for row in v["rows"].as_array().into_iter().flatten() {
                if let Some(n) = row
                    .pointer("/object/metadata/name")
                    .and_then(|n| n.as_str())
                {
                    if n != want.name {
                        return Err(returned(n));
                    }
                }
            }
            return Ok(());
        }
        let Some(meta) = obj.get("metadata").and_then(|m| m.as_object()) else {
            return Err(NOT_AN_OBJECT.into());
        };
        if let Some(k) = &want.kind {
            if !kind.is_empty() && kind != k && kind != "PartialObjectMetadata" {
                return Err(format!(
                    "the server returned a {kind} instead of a {k} for {}",
                    what()
                ));
            }
        }
        let name = meta.get("name").and_then(|n| n.as_str()).unwrap_or("");
        if name != want.name {
            return Err(returned(name));
        }
        let ns = meta.get("namespace").and_then(|n| n.as_str()).unwrap_or("");
        if let Some(want_ns) = want.namespace.as_deref().filter(|n| !n.is_empty()) {
            if !ns.is_empty() && ns != want_ns {
                return Err(format!(
                    "the server returned {} from namespace {} instead of {}",
                    what(),
                    go_quote(ns),
                    go_quote(want_ns)
                ));
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for ApiPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<&str> for ApiPath {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<str> for ApiPath {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

/// Go's `url.PathUnescape` as `url.Parse` applies it to a path: `%XX` becomes the byte;
/// a bad escape is reported with the text Go quotes (`%zz`, or what is left of it).
fn go_path_unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            match (b.get(i + 1), b.get(i + 2)) {
                (Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                    out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                    i += 3;
                    continue;
                }
                _ => {
                    let end = (i + 3).min(b.len());
                    return Err(String::from_utf8_lossy(&b[i..end]).into_owned());
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Where a resource lives, as typed parts: `/api/v1/...` for the core group,
/// `/apis/<group>/<version>/...` otherwise. [`ResourcePath::build`] is the only way to turn it
/// into an [`ApiPath`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourcePath<'a> {
    /// API group ("" for core).
    pub group: &'a str,
    /// API version.
    pub version: &'a str,
    /// Plural resource name.
    pub resource: &'a str,
    /// Namespace for namespaced resources (None or empty: cluster-scoped or all namespaces).
    pub namespace: Option<&'a str>,
    /// Object name (None: the collection; an empty name is an error, never the collection).
    pub name: Option<&'a str>,
    /// Subresource (`status`, `scale`, …); needs a name.
    pub subresource: Option<&'a str>,
}

impl<'a> ResourcePath<'a> {
    /// Pods of `namespace` (core `v1`): the collection, or the pod `name`.
    pub fn pods(namespace: &'a str, name: Option<&'a str>) -> Self {
        ResourcePath {
            group: "",
            version: "v1",
            resource: "pods",
            namespace: Some(namespace),
            name,
            subresource: None,
        }
    }

    /// The checked path. Parts are checked in the order kubectl's resource helper gives them
    /// to client-go (namespace, resource, name, subresource), so the first problem reported is
    /// the one kubectl reports.
    pub fn build(&self) -> Result<ApiPath, PathError> {
        let mut p = ApiPath::group_version(self.group, self.version)?.0;
        if let Some(ns) = self.namespace {
            let reasons = path_segment_problems(ns);
            if !reasons.is_empty() {
                return Err(PathError::invalid("namespace", ns, &reasons));
            }
            if !ns.is_empty() {
                p.push_str("/namespaces/");
                p.push_str(ns);
            }
        }
        let mut reasons = path_segment_problems(self.resource);
        if self.resource.is_empty() {
            reasons.push("may not be empty".into());
        }
        if !reasons.is_empty() {
            return Err(PathError::invalid("resource", self.resource, &reasons));
        }
        p.push('/');
        p.push_str(&self.resource.to_ascii_lowercase());
        if let Some(n) = self.name {
            if n.is_empty() {
                return Err(PathError("resource name may not be empty".into()));
            }
            let reasons = path_segment_problems(n);
            if !reasons.is_empty() {
                return Err(PathError::invalid("resource name", n, &reasons));
            }
            p.push('/');
            p.push_str(n);
        }
        if let Some(s) = self.subresource {
            let mut reasons = path_segment_problems(s);
            if s.is_empty() {
                reasons.push("may not be empty".into());
            }
            if !reasons.is_empty() {
                return Err(PathError::invalid("subresource", s, &reasons));
            }
            if self.name.is_none() {
                return Err(PathError(format!(
                    "subresource {} needs a resource name",
                    go_quote(s)
                )));
            }
            p.push('/');
            p.push_str(s);
        }
        let object = match (self.name, self.subresource) {
            (Some(name), None) => Some(ObjectRef {
                resource: self.resource.to_ascii_lowercase(),
                namespace: self.namespace.filter(|n| !n.is_empty()).map(str::to_string),
                name: name.to_string(),
                kind: None,
            }),
            _ => None,
        };
        Ok(ApiPath(p, object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rp<'a>(ns: Option<&'a str>, name: Option<&'a str>) -> ResourcePath<'a> {
        ResourcePath {
            version: "v1",
            resource: "configmaps",
            namespace: ns,
            name,
            ..Default::default()
        }
    }

    fn err(p: ResourcePath) -> String {
        p.build().unwrap_err().to_string()
    }

    #[test]
    fn good_paths() {
        let p = ResourcePath {
            group: "apps",
            version: "v1",
            resource: "daemonsets",
            namespace: Some("default"),
            name: Some("node-exporter"),
            subresource: None,
        };
        assert_eq!(
            p.build().unwrap(),
            "/apis/apps/v1/namespaces/default/daemonsets/node-exporter"
        );
        let p = ResourcePath {
            version: "v1",
            resource: "nodes",
            ..Default::default()
        };
        assert_eq!(p.build().unwrap(), "/api/v1/nodes");
        let p = ResourcePath {
            version: "v1",
            resource: "pods",
            namespace: Some("x"),
            name: Some("p"),
            subresource: Some("status"),
            ..Default::default()
        };
        assert_eq!(p.build().unwrap(), "/api/v1/namespaces/x/pods/p/status");
        // client-go: an empty namespace adds no segment (all namespaces).
        assert_eq!(rp(Some(""), None).build().unwrap(), "/api/v1/configmaps");
        // Names that are odd but one segment are kept (escaped later, in the URL).
        for n in [
            "é",
            "a b",
            "a?b",
            "a#b",
            "a\\b",
            "...",
            ".a",
            "a.",
            "x".repeat(300).as_str(),
        ] {
            assert_eq!(
                rp(Some("ns"), Some(n)).build().unwrap().as_str(),
                format!("/api/v1/namespaces/ns/configmaps/{n}")
            );
        }
    }

    #[test]
    fn names_are_checked_as_client_go_does() {
        assert_eq!(
            err(rp(Some("team"), Some(""))),
            "resource name may not be empty"
        );
        assert_eq!(
            err(rp(Some("team"), Some(".."))),
            r#"invalid resource name "..": [may not be '..']"#
        );
        assert_eq!(
            err(rp(Some("team"), Some("."))),
            r#"invalid resource name ".": [may not be '.']"#
        );
        assert_eq!(
            err(rp(Some("team"), Some("a/b"))),
            r#"invalid resource name "a/b": [may not contain '/']"#
        );
        assert_eq!(
            err(rp(Some("team"), Some("%2e%2e"))),
            r#"invalid resource name "%2e%2e": [may not contain '%']"#
        );
        assert_eq!(
            err(rp(Some("team"), Some("../%x"))),
            r#"invalid resource name "../%x": [may not contain '/' may not contain '%']"#
        );
        assert_eq!(
            err(rp(Some("team"), Some("a\n/"))),
            r#"invalid resource name "a\n/": [may not contain '/']"#
        );
    }

    #[test]
    fn namespace_first_then_resource_then_name_then_subresource() {
        assert_eq!(
            err(rp(Some(".."), Some(".."))),
            r#"invalid namespace "..": [may not be '..']"#
        );
        assert_eq!(
            err(rp(Some("a/b"), None)),
            r#"invalid namespace "a/b": [may not contain '/']"#
        );
        let p = ResourcePath {
            resource: "a/b",
            ..rp(Some("ns"), Some(""))
        };
        assert_eq!(err(p), r#"invalid resource "a/b": [may not contain '/']"#);
        let p = ResourcePath {
            subresource: Some(".."),
            ..rp(Some("ns"), Some(""))
        };
        assert_eq!(err(p), "resource name may not be empty");
        let p = ResourcePath {
            subresource: Some(".."),
            ..rp(Some("ns"), Some("x"))
        };
        assert_eq!(err(p), r#"invalid subresource "..": [may not be '..']"#);
        let p = ResourcePath {
            subresource: Some("scale"),
            ..rp(Some("ns"), None)
        };
        assert!(
            p.build().is_err(),
            "a subresource never goes on a collection"
        );
        let p = ResourcePath {
            resource: "",
            ..rp(Some("ns"), Some("x"))
        };
        assert!(p.build().is_err());
    }

    #[test]
    fn no_segment_can_escape_its_place() {
        // Whatever the parts, a path that builds has exactly the segments given.
        let parts = ["", ".", "..", "a/b", "%2e", "x", "../../x", "é", "a%", "/"];
        for ns in parts {
            for name in parts {
                let Ok(p) = rp(Some(ns), Some(name)).build() else {
                    continue;
                };
                let segs: Vec<&str> = p.as_str().split('/').collect();
                assert!(segs.iter().all(|s| *s != "." && *s != ".."), "{p}");
                assert_eq!(*segs.last().unwrap(), name, "{p}");
                assert!(!name.is_empty());
            }
        }
    }

    #[test]
    fn group_versions() {
        assert_eq!(ApiPath::group_version("", "v1").unwrap(), "/api/v1");
        assert_eq!(
            ApiPath::group_version("apps", "v1").unwrap(),
            "/apis/apps/v1"
        );
        assert_eq!(
            ApiPath::group_version("..", "v1").unwrap_err().to_string(),
            r#"invalid group version "../v1": [may not be '..']"#
        );
        assert!(ApiPath::group_version("a/b", "v1").is_err());
        assert!(ApiPath::group_version("apps", "").is_err());
        assert!(ApiPath::group_version("apps", "%2e").is_err());
    }

    #[test]
    fn raw_paths() {
        assert_eq!(
            ApiPath::raw("/api/v1/namespaces").unwrap(),
            "/api/v1/namespaces"
        );
        assert_eq!(ApiPath::raw("/a%20b").unwrap(), "/a b");
        assert_eq!(ApiPath::raw("/a%2Fb").unwrap(), "/a/b");
        for dots in ["/api/..", "/api/v1/.", "/x/%2e%2e", "/x/.%2E/y", "/.."] {
            assert!(ApiPath::raw(dots).is_err(), "{dots}");
        }
        assert_eq!(
            ApiPath::raw("/a%zz").unwrap_err().to_string(),
            r#"--raw must be a valid URL path: parse "/a%zz": invalid URL escape "%zz""#
        );
        assert!(ApiPath::raw("/a%2").is_err());
        assert_eq!(ApiPath::raw("/...").unwrap(), "/...");
    }

    #[test]
    fn answers_must_be_the_object_asked_for() {
        use reqwest::Method;
        let p = rp(Some("team"), Some("a"))
            .build()
            .unwrap()
            .with_kind("ConfigMap");
        let check = |m: &Method, body: &str| p.check_response(m, body.as_bytes());
        let ok =
            r#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","namespace":"team"}}"#;
        for m in [Method::GET, Method::PUT, Method::PATCH, Method::DELETE] {
            assert_eq!(check(&m, ok), Ok(()));
        }
        // The namespace the URL was normalised to, instead of the object.
        assert_eq!(
            check(
                &Method::DELETE,
                r#"{"kind":"Namespace","metadata":{"name":"team"}}"#
            ),
            Err(
                r#"the server returned a Namespace instead of a ConfigMap for configmaps "a""#
                    .into()
            )
        );
        assert_eq!(
            check(
                &Method::GET,
                r#"{"kind":"ConfigMap","metadata":{"name":"b","namespace":"team"}}"#
            ),
            Err(r#"the server returned configmaps "b" instead of configmaps "a""#.into())
        );
        assert_eq!(
            check(
                &Method::GET,
                r#"{"kind":"ConfigMap","metadata":{"name":"a","namespace":"x"}}"#
            ),
            Err(
                r#"the server returned configmaps "a" from namespace "x" instead of "team""#.into()
            )
        );
        for not_object in ["[]", "\"a\"", "1", "null", r#"{"kind":"ConfigMap"}"#] {
            assert_eq!(
                check(&Method::GET, not_object),
                Err(NOT_AN_OBJECT.into()),
                "{not_object}"
            );
        }
        // A list where one object was asked for has no metadata.name of that object.
        assert!(check(
            &Method::GET,
            r#"{"kind":"ConfigMapList","metadata":{},"items":[]}"#
        )
        .is_err());
        // Tables and deletes answered with a Status are checked by the name they carry.
        let table = |n: &str| {
            format!(r#"{{"kind":"Table","rows":[{{"object":{{"metadata":{{"name":"{n}"}}}}}}]}}"#)
        };
        assert_eq!(check(&Method::GET, &table("a")), Ok(()));
        assert!(check(&Method::GET, &table("b")).is_err());
        let status = |n: &str| {
            format!(r#"{{"kind":"Status","status":"Success","details":{{"name":"{n}"}}}}"#)
        };
        assert_eq!(check(&Method::DELETE, &status("a")), Ok(()));
        assert!(check(&Method::DELETE, &status("b")).is_err());
        assert!(check(&Method::GET, &status("a")).is_err());
        // Not JSON: left to the caller's decoding. Collections are not checked.
        assert_eq!(check(&Method::GET, "<html>"), Ok(()));
        let list = rp(Some("team"), None).build().unwrap();
        assert_eq!(list.check_response(&Method::GET, b"[]"), Ok(()));
    }

    #[test]
    fn segment_rules() {
        assert!(path_segment_problems("").is_empty());
        assert!(path_segment_problems("a.b").is_empty());
        assert_eq!(path_segment_problems(".."), vec!["may not be '..'"]);
        assert_eq!(
            path_segment_problems("/%"),
            vec!["may not contain '/'", "may not contain '%'"]
        );
    }
}

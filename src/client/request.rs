//! Building API requests as plain values (no I/O): method, path, query, headers, body.
//! Query strings are encoded as Go's `url.Values.Encode` does (sorted keys, `QueryEscape`),
//! so URLs in `-v` logs match kubectl's.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::Duration;

pub use super::path::{ApiPath, PathError, ResourcePath};

/// HTTP method of an API request.
pub use reqwest::Method;

/// The Accept header kubectl's dynamic client sends.
pub const ACCEPT_JSON: &str = "application/json";
/// The Accept header for server-side printing (`kubectl get`).
pub const ACCEPT_TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
/// The Accept header for aggregated discovery (with legacy fallback).
pub const ACCEPT_DISCOVERY_V2: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
/// Content type of a strategic merge patch.
pub const PATCH_STRATEGIC: &str = "application/strategic-merge-patch+json";
/// Content type of a JSON merge patch.
pub const PATCH_MERGE: &str = "application/merge-patch+json";
/// Content type of a JSON patch.
pub const PATCH_JSON: &str = "application/json-patch+json";
/// Content type of a server-side apply patch.
pub const PATCH_APPLY: &str = "application/apply-patch+yaml";

/// One API request, ready to be sent by [`crate::client::Client::send`].
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    /// The HTTP method.
    pub method: Method,
    /// Absolute path, e.g. `/apis/apps/v1/namespaces/default/daemonsets` (only
    /// [`super::path`] makes one).
    pub path: ApiPath,
    /// Query parameters in the order given (encoding sorts them by key).
    pub query: Vec<(String, String)>,
    /// Extra headers (`Accept` defaults to `application/json`).
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Option<Vec<u8>>,
}

impl ApiRequest {
    /// A request with `method` on `path`.
    pub fn new(method: Method, path: ApiPath) -> Self {
        ApiRequest {
            method,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// `GET path`.
    pub fn get(path: ApiPath) -> Self {
        Self::new(Method::GET, path)
    }

    /// `POST path` with a JSON body.
    pub fn post(path: ApiPath, body: &serde_json::Value) -> Self {
        Self::new(Method::POST, path).json_body(body)
    }

    /// `POST path` with a JSON body in Go's field order, as kubectl encodes the objects it
    /// creates from flags (create generators, expose, run, autoscale, create token).
    pub fn post_go_json(path: ApiPath, body: &serde_json::Value) -> Self {
        let mut r = Self::new(Method::POST, path);
        r.headers
            .push(("Content-Type".into(), "application/json".into()));
        r.body = Some(kcore::patch::lastapplied::to_go_json(body).into_bytes());
        r
    }

    /// `PUT path` with a JSON body.
    pub fn put(path: ApiPath, body: &serde_json::Value) -> Self {
        Self::new(Method::PUT, path).json_body(body)
    }

    /// `PATCH path` with `content_type` (one of the `PATCH_*` constants).
    pub fn patch(path: ApiPath, content_type: &str, body: Vec<u8>) -> Self {
        let mut r = Self::new(Method::PATCH, path);
        r.headers.push(("Content-Type".into(), content_type.into()));
        r.body = Some(body);
        r
    }

    /// `DELETE path`, with optional `DeleteOptions` JSON.
    pub fn delete(path: ApiPath, options: Option<&serde_json::Value>) -> Self {
        let r = Self::new(Method::DELETE, path);
        match options {
            Some(o) => r.json_body(o),
            None => r,
        }
    }

    /// Sets a JSON body and its content type.
    pub fn json_body(mut self, body: &serde_json::Value) -> Self {
        self.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self.body = Some(serde_json::to_vec(body).unwrap_or_default());
        self
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Sets the Accept header.
    pub fn accept(self, value: &str) -> Self {
        self.header("Accept", value)
    }

    /// Sets a header (replacing one of the same name).
    pub fn header(mut self, key: &str, value: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        self.headers.push((key.into(), value.into()));
        self
    }

    /// The Accept header in effect.
    pub fn accept_value(&self) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("accept"))
            .map(|(_, v)| v.as_str())
            .unwrap_or(ACCEPT_JSON)
    }

    /// The full URL on `base` (`https://host:port`, no trailing slash).
    pub fn url(&self, base: &str) -> String {
        let q = encode_query(&self.query);
        let path = utf8_percent_encode(self.path.as_str(), PATH).to_string();
        if q.is_empty() {
            format!("{base}{path}")
        } else {
            format!("{base}{path}?{q}")
        }
    }
}

/// Characters escaped in paths (Go's `url.PathEscape` minus `/`).
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=');

/// Characters Go's `url.QueryEscape` keeps.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Go's `QueryEscape`: space as `+`, everything but `[A-Za-z0-9-_.~]` as `%XX`.
pub fn query_escape(s: &str) -> String {
    s.split(' ')
        .map(|p| utf8_percent_encode(p, QUERY).to_string())
        .collect::<Vec<_>>()
        .join("+")
}

/// Go's `url.Values.Encode`: keys sorted (stable for repeated keys).
pub fn encode_query(q: &[(String, String)]) -> String {
    let mut q: Vec<&(String, String)> = q.iter().collect();
    q.sort_by(|a, b| a.0.cmp(&b.0));
    q.iter()
        .map(|(k, v)| format!("{}={}", query_escape(k), query_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Go's `time.Duration.String()` (`5s`, `1m0s`, `1h2m3s`, `100ms`), used for `?timeout=`.
pub fn go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000_000_000 {
        let (unit, div) = if nanos < 1_000 {
            ("ns", 1u128)
        } else if nanos < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{}{unit}", trim_frac(nanos, div));
    }
    let total_secs = nanos / 1_000_000_000;
    let h = total_secs / 3600;
    let m = (total_secs % 3600) / 60;
    let s_nanos = nanos % 60_000_000_000;
    let s = trim_frac(s_nanos, 1_000_000_000);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{m}m{s}s")
    } else {
        format!("{s}s")
    }
}

fn trim_frac(n: u128, div: u128) -> String {
    let whole = n / div;
    let frac = n % div;
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let f = format!("{frac:0width$}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_encoding_matches_go() {
        let r = ApiRequest::get(
            ResourcePath {
                version: "v1",
                resource: "events",
                namespace: Some("default"),
                ..Default::default()
            }
            .build()
            .unwrap(),
        )
        .query("limit", "500")
        .query(
            "fieldSelector",
            "involvedObject.kind=DaemonSet,involvedObject.name=node-exporter",
        );
        assert_eq!(
            r.url("https://h:1"),
            "https://h:1/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DDaemonSet%2CinvolvedObject.name%3Dnode-exporter&limit=500"
        );
        assert_eq!(query_escape("a b/c"), "a+b%2Fc");
        assert_eq!(
            ApiRequest::get(ApiPath::api()).url("http://x"),
            "http://x/api"
        );
    }

    #[test]
    fn bodies_and_headers() {
        let r = ApiRequest::delete(
            ApiPath::version(),
            Some(&json!({"propagationPolicy":"Background"})),
        );
        assert_eq!(r.method, Method::DELETE);
        assert_eq!(
            r.body.as_deref(),
            Some(&br#"{"propagationPolicy":"Background"}"#[..])
        );
        assert!(r
            .headers
            .contains(&("Content-Type".into(), "application/json".into())));
        let r = ApiRequest::patch(ApiPath::apis(), PATCH_STRATEGIC, b"{}".to_vec())
            .accept(ACCEPT_TABLE);
        assert_eq!(r.accept_value(), ACCEPT_TABLE);
        let r = r.accept(ACCEPT_JSON);
        assert_eq!(r.headers.iter().filter(|(k, _)| k == "Accept").count(), 1);
        assert_eq!(ApiRequest::get(ApiPath::api()).accept_value(), ACCEPT_JSON);
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(Duration::from_secs(32)), "32s");
        assert_eq!(go_duration(Duration::from_secs(60)), "1m0s");
        assert_eq!(go_duration(Duration::from_secs(3723)), "1h2m3s");
        assert_eq!(go_duration(Duration::from_millis(1)), "1ms");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::ZERO), "0s");
    }
}

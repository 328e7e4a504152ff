//! kubectl's `pkg/proxy` (`proxy_server.go`): the HTTP server behind `kubectl proxy`. A Go
//! `ServeMux` with the API prefix (and the static prefix when `--www` is given), the
//! `FilterServer` that answers `403 Forbidden` to rejected paths, methods and hosts, the
//! prefix stripping that "always leaves an initial slash", and apimachinery's
//! `UpgradeAwareHandler` forwarding to the API server through the client's credentials
//! (connection upgrades such as `exec` over WebSocket included).

pub mod files;

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use regex::Regex;

use crate::client::forward::{transport_text, Forward, HOP_HEADERS};
use crate::client::log::{klog_line, LogSink};
use crate::client::Client;

/// The response body type of the proxy.
pub type Body = BoxBody<Bytes, std::io::Error>;

/// kubectl's `DefaultHostAcceptRE`.
pub const DEFAULT_HOST_ACCEPT_RE: &str = r"^localhost$,^127\.0\.0\.1$,^\[::1\]$";
/// kubectl's `DefaultPathAcceptRE`.
pub const DEFAULT_PATH_ACCEPT_RE: &str = "^.*";
/// kubectl's `DefaultPathRejectRE`.
pub const DEFAULT_PATH_REJECT_RE: &str = "^/api/.*/pods/.*/exec,^/api/.*/pods/.*/attach";
/// kubectl's `DefaultMethodRejectRE`.
pub const DEFAULT_METHOD_REJECT_RE: &str = "^$";

/// kubectl's `FilterServer`: which requests the proxy passes on.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Only paths matching one of these are accepted.
    pub accept_paths: Vec<Regex>,
    /// Paths matching one of these are rejected even when accepted above.
    pub reject_paths: Vec<Regex>,
    /// The request's host (without port) must match one of these.
    pub accept_hosts: Vec<Regex>,
    /// Methods matching one of these are rejected.
    pub reject_methods: Vec<Regex>,
}

/// kubectl's `MakeRegexpArray`: a comma-separated list of regular expressions ("" is none).
/// A failure names the expression that did not compile.
pub fn regexp_array(s: &str) -> Result<Vec<Regex>, (String, regex::Error)> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|r| Regex::new(r).map_err(|e| (r.to_string(), e)))
        .collect()
}

fn matches(s: &str, res: &[Regex]) -> bool {
    res.iter().any(|r| r.is_match(s))
}

impl Filter {
    /// kubectl's `FilterServer.accept`.
    pub fn accept(&self, method: &str, path: &str, host: &str) -> bool {
        if matches(path, &self.reject_paths) || matches(method, &self.reject_methods) {
            return false;
        }
        matches(path, &self.accept_paths) && matches(host, &self.accept_hosts)
    }
}

/// What `kubectl proxy` serves.
#[derive(Clone)]
pub struct Server {
    /// The API prefix, ending in `/`.
    pub api_prefix: String,
    /// The static files' prefix, ending in `/`, and their directory (`--www`).
    pub static_files: Option<(String, std::path::PathBuf)>,
    /// The filter (`None`: `--disable-filter`).
    pub filter: Option<Filter>,
    /// `--append-server-path`: the kubeconfig server URL's path goes before each request's.
    pub append_server_path: bool,
    /// `--keepalive`: the keep-alive period of upgraded connections to the API server.
    pub keepalive: Option<std::time::Duration>,
    /// Where errors are logged (stderr).
    pub errors: LogSink,
    /// The client whose credentials and transport forward the requests.
    pub client: Client,
}

/// Go's `http.Error`: the text, a newline, `text/plain` and `nosniff`.
pub fn error_response(status: StatusCode, text: &str) -> Response<Body> {
    let mut r = Response::new(full(format!("{text}\n")));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert("content-type", hv("text/plain; charset=utf-8"));
    h.insert("x-content-type-options", hv("nosniff"));
    r
}

/// Go's `http.NotFound`.
pub fn not_found() -> Response<Body> {
    error_response(StatusCode::NOT_FOUND, "404 page not found")
}

/// Go's `http.Redirect` with 301 (a body for GET only).
pub fn redirect(method: &hyper::Method, location: &str) -> Response<Body> {
    let body = if method == hyper::Method::GET {
        format!(
            "<a href=\"{}\">Moved Permanently</a>.\n\n",
            html_escape(location)
        )
    } else {
        String::new()
    };
    let mut r = Response::new(full(body.clone()));
    *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
    let h = r.headers_mut();
    h.insert(
        "location",
        hyper::header::HeaderValue::from_str(location).unwrap_or(hv("/")),
    );
    if !body.is_empty() || method == hyper::Method::HEAD {
        h.insert("content-type", hv("text/html; charset=utf-8"));
    }
    r
}

/// Go's `htmlReplacer`.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn hv(s: &'static str) -> hyper::header::HeaderValue {
    hyper::header::HeaderValue::from_static(s)
}

/// A whole body.
pub fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into())
        .map_err(|e: Infallible| match e {})
        .boxed()
}

/// Go's `path.Clean` keeping a trailing slash, as `ServeMux` cleans request paths.
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return "/".into();
    }
    let rooted = if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in rooted.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if rooted.ends_with('/') && out != "/" {
        out.push('/');
    }
    out
}

fn decode(p: &str) -> String {
    percent_encoding::percent_decode_str(p)
        .decode_utf8_lossy()
        .into_owned()
}

/// Go's `extractHost`: the host of a `Host` header without its port.
fn extract_host(h: &str) -> String {
    if let Some(rest) = h.strip_prefix('[') {
        if let Some(end) = rest.find(']') {
            let after = &rest[end + 1..];
            if after.starts_with(':') && !after[1..].contains(':') {
                return rest[..end].to_string();
            }
        }
        return h.to_string();
    }
    match h.rsplit_once(':') {
        Some((host, _)) if !host.contains(':') => host.to_string(),
        _ => h.to_string(),
    }
}

impl Server {
    /// One request, as kubectl's mux and handlers answer it.
    pub async fn handle(
        self: Arc<Self>,
        req: Request<Incoming>,
    ) -> Result<Response<Body>, Infallible> {
        Ok(self.route(req).await)
    }

    async fn route(&self, req: Request<Incoming>) -> Response<Body> {
        let raw_path = req.uri().path().to_string();
        let path = decode(&raw_path);
        let query = req.uri().query().map(str::to_string);
        if req.method() != hyper::Method::CONNECT {
            let cleaned = clean_path(&path);
            if cleaned != path {
                let loc = match &query {
                    Some(q) => format!("{cleaned}?{q}"),
                    None => cleaned,
                };
                return redirect(req.method(), &loc);
            }
        }
        // The mux's patterns: the longest matching subtree wins; "/x" goes to "/x/".
        let mut patterns: Vec<(&str, bool)> = vec![(self.api_prefix.as_str(), true)];
        if let Some((p, _)) = &self.static_files {
            patterns.push((p.as_str(), false));
        }
        patterns.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let chosen = patterns.iter().find(|(p, _)| path.starts_with(p));
        let Some(&(prefix, is_api)) = chosen else {
            if let Some((p, _)) = patterns
                .iter()
                .find(|(p, _)| p.len() > 1 && p.strip_suffix('/') == Some(path.as_str()))
            {
                let loc = match &query {
                    Some(q) => format!("{p}?{q}"),
                    None => p.to_string(),
                };
                return redirect(req.method(), &loc);
            }
            return not_found();
        };
        if !is_api {
            let dir = self
                .static_files
                .as_ref()
                .map(|(_, d)| d.clone())
                .unwrap_or_default();
            return files::serve(&req, prefix, &path, &dir).await;
        }
        // stripLeaveSlash, unless the prefix starts with "/api".
        let (path, raw_path) = if prefix.starts_with("/api") {
            (path, raw_path)
        } else {
            let lead = |p: &str| {
                let rest = p.strip_prefix(prefix).unwrap_or(p);
                if rest.starts_with('/') {
                    rest.to_string()
                } else {
                    format!("/{rest}")
                }
            };
            let raw = if raw_path.starts_with(prefix) {
                lead(&raw_path)
            } else {
                lead(&path)
            };
            (lead(&path), raw)
        };
        if let Some(f) = &self.filter {
            let host = req
                .headers()
                .get(hyper::header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
                .or_else(|| req.uri().authority().map(|a| a.to_string()))
                .unwrap_or_default();
            if !f.accept(req.method().as_str(), &path, &extract_host(&host)) {
                return error_response(StatusCode::FORBIDDEN, "Forbidden");
            }
        }
        self.forward(req, raw_path, query).await
    }

    async fn forward(
        &self,
        mut req: Request<Incoming>,
        raw_path: String,
        query: Option<String>,
    ) -> Response<Body> {
        let (_, server_path) = self.client.server_parts();
        let mut path = if self.append_server_path && !server_path.is_empty() {
            join_slash(&server_path, &raw_path)
        } else {
            raw_path
        };
        if path.is_empty() {
            path = "/".into();
        }
        let path_and_query = match &query {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        let upgrade = is_upgrade(req.headers());
        let client_upgrade = upgrade.then(|| hyper::upgrade::on(&mut req));
        let method = req.method().clone();
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in req.headers() {
            headers.append(k.clone(), v.clone());
        }
        let body = if upgrade {
            Bytes::new()
        } else {
            match req.into_body().collect().await {
                Ok(b) => b.to_bytes(),
                Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        };
        let f = Forward {
            method,
            path_and_query,
            headers,
            body,
            upgrade,
            keepalive: self.keepalive,
        };
        let resp = match self.client.forward(f).await {
            Ok(r) => r,
            Err(e) => {
                // apimachinery's responder: logged, and the text answered with a 500.
                let text = transport_text(&self.client.config().server, &e);
                if let Ok(mut w) = self.errors.lock() {
                    let line = klog_line(
                        'E',
                        "proxy_server.go:147",
                        &format!("Error while proxying request: {text}"),
                    );
                    let _ = w.write_all(line.as_bytes());
                    let _ = w.flush();
                }
                return error_response(StatusCode::INTERNAL_SERVER_ERROR, &text);
            }
        };
        let status = resp.status();
        let mut out = Response::builder().status(status.as_u16());
        let keep_hop = status == reqwest::StatusCode::SWITCHING_PROTOCOLS;
        for (k, v) in resp.headers() {
            if !keep_hop && HOP_HEADERS.contains(&k.as_str()) {
                continue;
            }
            out = out.header(k.clone(), v.clone());
        }
        if keep_hop {
            if let Some(client_upgrade) = client_upgrade {
                tokio::spawn(async move {
                    let Ok(backend) = resp.upgrade().await else {
                        return;
                    };
                    let Ok(front) = client_upgrade.await else {
                        return;
                    };
                    let mut front = hyper_util::rt::TokioIo::new(front);
                    let mut backend = backend;
                    let _ = tokio::io::copy_bidirectional(&mut front, &mut backend).await;
                });
            }
            return out.body(full(Bytes::new())).unwrap_or_else(|_| not_found());
        }
        use futures_util::StreamExt;
        let stream = resp
            .bytes_stream()
            .map(|r| r.map(Frame::data).map_err(std::io::Error::other));
        out.body(BodyExt::boxed(StreamBody::new(stream)))
            .unwrap_or_else(|_| not_found())
    }
}

/// Go's `singleJoiningSlash`.
fn join_slash(a: &str, b: &str) -> String {
    match (a.ends_with('/'), b.starts_with('/')) {
        (true, true) => format!("{a}{}", &b[1..]),
        (false, false) => format!("{a}/{b}"),
        _ => format!("{a}{b}"),
    }
}

/// apimachinery's `httpstream.IsUpgradeRequest`: `Connection` names `upgrade`.
fn is_upgrade(h: &hyper::HeaderMap) -> bool {
    h.get_all(hyper::header::CONNECTION).iter().any(|v| {
        v.to_str()
            .map(|s| {
                s.split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
            })
            .unwrap_or(false)
    })
}

/// Serves `server` on `listener` (returns the accept error that stops it).
pub async fn serve_tcp(server: Arc<Server>, listener: tokio::net::TcpListener) -> std::io::Error {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => return e,
        };
        spawn_conn(server.clone(), stream);
    }
}

/// Serves `server` on a Unix socket listener.
#[cfg(unix)]
pub async fn serve_unix(server: Arc<Server>, listener: tokio::net::UnixListener) -> std::io::Error {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => spawn_conn(server.clone(), stream),
            Err(e) => return e,
        }
    }
}

fn spawn_conn<S>(server: Arc<Server>, stream: S)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let svc = hyper::service::service_fn(move |req| server.clone().handle(req));
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
            .with_upgrades()
            .await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_like_go() {
        for (input, want) in [
            ("/a//b/../c/", "/a/c/"),
            ("/", "/"),
            ("/a/./b", "/a/b"),
            ("/..", "/"),
        ] {
            assert_eq!(clean_path(input), want, "{input:?}");
        }
    }

    #[test]
    fn hosts_lose_their_port() {
        for (input, want) in [
            ("localhost:8001", "localhost"),
            ("[::1]:8001", "::1"),
            ("[::1]", "[::1]"),
            ("example.com", "example.com"),
        ] {
            assert_eq!(extract_host(input), want, "{input:?}");
        }
    }

    #[test]
    fn default_filter() {
        let f = Filter {
            accept_paths: regexp_array(DEFAULT_PATH_ACCEPT_RE).unwrap(),
            reject_paths: regexp_array(DEFAULT_PATH_REJECT_RE).unwrap(),
            accept_hosts: regexp_array(DEFAULT_HOST_ACCEPT_RE).unwrap(),
            reject_methods: regexp_array(DEFAULT_METHOD_REJECT_RE).unwrap(),
        };
        assert!(f.accept("GET", "/api/v1/pods", "localhost"));
        assert!(!f.accept("GET", "/api/v1/pods", "::1"));
        assert!(!f.accept("GET", "/api/v1/pods", "evil.com"));
        assert!(!f.accept("POST", "/api/v1/namespaces/d/pods/p/exec", "127.0.0.1"));
    }
}

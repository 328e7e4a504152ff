//! The HTTP client: one reqwest client per command built from a resolved `RestConfig`,
//! API errors as the server's `Status`, watch streams, `-v` request logging.
//!
//! `request` builds requests as values, `tls` the rustls config, `exec` runs credential
//! plugins, `log` formats `-v` lines. [`Client::send`] is the one place requests go out.

pub mod exec;
pub mod forward;
pub mod log;
pub mod path;
pub mod portforward;
pub mod remotecommand;
pub mod remotecommand_spdy;
pub mod request;
pub mod tls;

pub use log::{LogSink, Logger};
pub use path::{ApiPath, PathError, ResourcePath};
pub use request::{ApiRequest, Method};

use crate::kubeconfig::resolve::{Auth, RestConfig};
use base64::Engine;
use futures_util::{Stream, StreamExt};
use serde_json::Value;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

/// The server's `Status` for a failed request (or one synthesized as client-go does when the
/// body is not a Status).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiStatus {
    /// HTTP status code.
    pub code: u16,
    /// `reason` (`NotFound`, `AlreadyExists`, `Invalid`, …); may be empty.
    pub reason: String,
    /// `message`.
    pub message: String,
    /// `details` (`name`, `group`, `kind`, `causes`), or null.
    pub details: Value,
    /// The whole Status object.
    pub raw: Value,
}

impl ApiStatus {
    /// Reads a Status object; `None` if `v` is not one.
    pub fn from_status(code: u16, v: &Value) -> Option<ApiStatus> {
        if v.get("kind").and_then(Value::as_str) != Some("Status") {
            return None;
        }
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        Some(ApiStatus {
            code: v
                .get("code")
                .and_then(Value::as_u64)
                .map(|c| c as u16)
                .filter(|c| *c != 0)
                .unwrap_or(code),
            reason: s("reason"),
            message: s("message"),
            details: v.get("details").cloned().unwrap_or(Value::Null),
            raw: v.clone(),
        })
    }

    /// client-go `NewGenericServerResponse`: the error for a non-Status error body (taken
    /// as text).
    pub fn generic(code: u16, body: &[u8]) -> ApiStatus {
        Self::generic_for(code, "", body)
    }

    /// client-go's `newUnstructuredResponseError`: the body (its first 2048 bytes, trimmed)
    /// is the server's message only when it is text (`text/*` or no Content-Type), else
    /// `unknown`; then `NewGenericServerResponse` words it by status code.
    pub fn generic_for(code: u16, content_type: &str, body: &[u8]) -> ApiStatus {
        let media = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let server_message = if content_type.trim().is_empty() || media.starts_with("text/") {
            String::from_utf8_lossy(&body[..body.len().min(2048)])
                .trim()
                .to_string()
        } else {
            "unknown".to_string()
        };
        let (reason, message) = match code {
            409 => ("Conflict", "the server reported a conflict".to_string()),
            404 => ("NotFound", "the server could not find the requested resource".into()),
            400 => ("BadRequest", "the server rejected our request for an unknown reason".into()),
            401 => ("Unauthorized", "the server has asked for the client to provide credentials".into()),
            // The server's message says who may not do what: kept.
            403 => ("Forbidden", server_message.clone()),
            // The server's message says which types are acceptable: kept.
            406 if !server_message.is_empty() && server_message != "unknown" => {
                ("NotAcceptable", server_message.clone())
            }
            406 => ("NotAcceptable", "the server was unable to respond with a content type that the client supports".into()),
            415 => ("UnsupportedMediaType", server_message.clone()),
            405 => ("MethodNotAllowed", "the server does not allow this method on the requested resource".into()),
            422 => ("Invalid", "the server rejected our request due to an error in our request".into()),
            503 => ("ServiceUnavailable", "the server is currently unable to handle the request".into()),
            504 => ("Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request".into()),
            429 => ("TooManyRequests", "the server has received too many requests and has asked us to try again later".into()),
            _ if code >= 500 => (
                "InternalError",
                format!(
                    "an error on the server ({}) has prevented the request from succeeding",
                    log::quote(&server_message)
                ),
            ),
            _ => ("", format!("the server responded with the status code {code} but did not return more information")),
        };
        let details = serde_json::json!({
            "causes": [{"reason": "UnexpectedServerResponse", "message": server_message}],
        });
        ApiStatus {
            code,
            reason: reason.into(),
            message: message.clone(),
            details: details.clone(),
            raw: serde_json::json!({
                "kind": "Status", "apiVersion": "v1", "status": "Failure",
                "reason": reason, "message": message, "code": code, "details": details,
            }),
        }
    }

    /// True for `reason: NotFound` / 404.
    pub fn is_not_found(&self) -> bool {
        self.reason == "NotFound" || (self.reason.is_empty() && self.code == 404)
    }
}

/// Errors of the client layer; `crate::error` turns them into kubectl's text.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error Status.
    #[error("{}", .0.message)]
    Api(Box<ApiStatus>),
    /// TCP connection refused (kubectl's "did you specify the right host or port?").
    #[error(
        "The connection to the server {host} was refused - did you specify the right host or port?"
    )]
    ConnectionRefused {
        /// `host:port` as in the server URL.
        host: String,
    },
    /// Any other transport failure (TLS, DNS, timeout, exec plugin), kubectl's
    /// `Unable to connect to the server: …`.
    #[error("Unable to connect to the server: {0}")]
    Unreachable(String),
    /// Bad client settings (unparsable certificates, bad proxy URL).
    #[error("{0}")]
    Config(String),
    /// A 2xx response whose body is not what was expected.
    #[error("{0}")]
    Decode(String),
    /// A request path could not be built from its parts (client-go's request builder errors,
    /// `resource name may not be empty`); nothing was sent.
    #[error(transparent)]
    Path(#[from] PathError),
}

impl ClientError {
    /// The API Status, when the server sent one.
    pub fn status(&self) -> Option<&ApiStatus> {
        match self {
            ClientError::Api(s) => Some(s),
            _ => None,
        }
    }

    /// True for a NotFound Status.
    pub fn is_not_found(&self) -> bool {
        self.status().is_some_and(ApiStatus::is_not_found)
    }
}

/// Per-run settings of the client besides the `RestConfig`.
#[derive(Clone)]
pub struct ClientOptions {
    /// `Kubectl-Command` header value, e.g. `kubectl get` (None: not sent).
    pub command: Option<String>,
    /// `Kubectl-Session` header value (a uuid per run).
    pub session: String,
    /// `-v` logging.
    pub logger: Logger,
    /// Whether stdin is a terminal (exec plugins' interactive mode).
    pub terminal: exec::Terminal,
    /// Where server warnings (`Warning:` headers) are printed, deduplicated (None: dropped).
    pub warnings: Option<LogSink>,
    /// The proxy environment variables (read by `Context`, not from the process here).
    pub proxy_env: ProxyEnv,
}

/// `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (either case), as Go's `ProxyFromEnvironment`
/// reads them; used when the cluster has no `proxy-url`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    /// Proxy for `https://` servers.
    pub https: Option<String>,
    /// Proxy for `http://` servers.
    pub http: Option<String>,
    /// Hosts to reach directly.
    pub no_proxy: Option<String>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("command", &self.command)
            .field("logger", &self.logger)
            .field("warnings", &self.warnings.is_some())
            .finish()
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            command: None,
            session: new_session_id(),
            logger: Logger::off(),
            terminal: exec::Terminal::default(),
            warnings: None,
            proxy_env: ProxyEnv::default(),
        }
    }
}

/// A random RFC 4122 version-4 uuid.
pub fn new_session_id() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `kubectl-rs/v<version> (<os>/<arch>)`.
pub fn user_agent() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!(
        "kubectl-rs/v{} ({}/{arch})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS
    )
}

/// A response with a 2xx status.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` header.
    pub content_type: String,
    /// The body.
    pub body: bytes::Bytes,
}

/// How many times an answer asking to retry later (429/5xx with Retry-After) is retried.
const MAX_RETRIES: u32 = 10;

/// How many requests one call may make by following redirects (Go's `http.Client` limit).
const MAX_REDIRECTS: u32 = 10;

/// One request of a redirect chain.
struct Hop {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

/// `scheme://host:port` of a URL (default ports made explicit), the unit credentials belong to.
fn origin(url: &str) -> Option<(String, String, u16)> {
    let u = url::Url::parse(url).ok()?;
    Some((
        u.scheme().to_string(),
        u.host_str()?.to_ascii_lowercase(),
        u.port_or_known_default()?,
    ))
}

/// Headers that carry the user's identity: never sent to another origin.
fn is_credential_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n == "proxy-authorization"
        || n == "cookie"
        || n == "cookie2"
        || n == "www-authenticate"
        || n.starts_with("impersonate-")
}

/// The next request when `resp` redirects `hop` (Go's `redirectBehavior`): 301, 302 and 303
/// turn any method but GET and HEAD into a GET without body; 307 and 308 repeat the method
/// and body. A redirect without `Location` is the answer itself.
fn redirect(resp: &reqwest::Response, hop: &Hop) -> Result<Option<Hop>, ClientError> {
    let code = resp.status().as_u16();
    if !matches!(code, 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(loc) = resp.headers().get(reqwest::header::LOCATION) else {
        return Ok(None);
    };
    let loc = String::from_utf8_lossy(loc.as_bytes()).into_owned();
    let next = url::Url::parse(&hop.url)
        .and_then(|base| base.join(&loc))
        .map_err(|e| {
            ClientError::Unreachable(format!("failed to parse Location header {loc:?}: {e}"))
        })?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(ClientError::Unreachable(format!(
            "unsupported protocol scheme {:?}",
            next.scheme()
        )));
    }
    let mut to = Hop {
        method: hop.method.clone(),
        url: next.to_string(),
        headers: hop.headers.clone(),
        body: hop.body.clone(),
    };
    if (301..=303).contains(&code) {
        if hop.method != Method::GET && hop.method != Method::HEAD {
            to.method = Method::GET;
        }
        to.body = None;
        to.headers.retain(|(k, _)| {
            !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("content-length")
        });
    }
    Ok(Some(to))
}

impl ApiResponse {
    /// client-go picks the decoder by the answer's media type (none given: JSON), so a 2xx
    /// answer in HTML or plain text is an error even if its body happens to parse.
    pub fn check_media_type(&self) -> Result<(), ClientError> {
        let media = self
            .content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let known = media.is_empty()
            || media == "application/json"
            || media.ends_with("+json")
            || media == "application/yaml";
        if known {
            Ok(())
        } else {
            Err(ClientError::Decode(format!(
                "serializer for {media} doesn't exist"
            )))
        }
    }

    /// The body as JSON.
    pub fn json(&self) -> Result<Value, ClientError> {
        self.check_media_type()?;
        serde_json::from_slice(&self.body).map_err(|e| {
            ClientError::Decode(format!("unable to decode the server's response: {e}"))
        })
    }
}

/// One event of a watch stream.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchEvent {
    /// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` (`ERROR` events become `Err`).
    pub event_type: String,
    /// The object.
    pub object: Value,
}

/// The chunks of a response body.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<bytes::Bytes, ClientError>> + Send>>;

/// A stream of watch events.
pub type WatchStream = Pin<Box<dyn Stream<Item = Result<WatchEvent, ClientError>> + Send>>;

struct Inner {
    config: RestConfig,
    options: ClientOptions,
    http: std::sync::Mutex<reqwest::Client>,
    /// For redirect targets on another origin: the same trust and proxy settings, no client
    /// certificate (built on first use).
    anonymous: std::sync::OnceLock<reqwest::Client>,
    /// The HTTP/1.1 client of connection upgrades (built on first use).
    upgrading: std::sync::OnceLock<reqwest::Client>,
    exec_cred: tokio::sync::Mutex<Option<exec::ExecCredential>>,
    warnings_seen: std::sync::Mutex<Vec<String>>,
}

/// The API client of one command run. Cheap to clone; all clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({})", self.inner.config.server)
    }
}

fn build_http(
    config: &RestConfig,
    options: &ClientOptions,
    identity: Option<(&[u8], &[u8])>,
) -> Result<reqwest::Client, ClientError> {
    build_http_with(config, options, identity, false)
}

/// `build_http`, or with `http1` a client that speaks HTTP/1.1 only (connection upgrades:
/// a WebSocket is not offered over HTTP/2 by client-go either).
fn build_http_with(
    config: &RestConfig,
    options: &ClientOptions,
    identity: Option<(&[u8], &[u8])>,
    http1: bool,
) -> Result<reqwest::Client, ClientError> {
    http_builder(config, options, identity, http1)?
        .build()
        .map_err(|e| ClientError::Config(format!("unable to build the HTTP client: {e}")))
}

/// The configured builder behind `build_http_with`, for callers that tune the transport
/// further (`kubectl proxy --keepalive`).
fn http_builder(
    config: &RestConfig,
    options: &ClientOptions,
    identity: Option<(&[u8], &[u8])>,
    http1: bool,
) -> Result<reqwest::ClientBuilder, ClientError> {
    let mut tls = tls::client_config(&config.tls, identity).map_err(ClientError::Config)?;
    if http1 {
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    }
    let mut headers = reqwest::header::HeaderMap::new();
    let mut add = |k: &'static str, v: &str| -> Result<(), ClientError> {
        let v = reqwest::header::HeaderValue::from_str(v)
            .map_err(|_| ClientError::Config(format!("invalid value for header {k}")))?;
        headers.append(k, v);
        Ok(())
    };
    if let Some(c) = &options.command {
        add("kubectl-command", c)?;
        add("kubectl-session", &options.session)?;
    }
    let mut b = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .user_agent(user_agent())
        .default_headers(headers)
        // `Client::send_once` follows redirects itself, choosing each hop's credentials.
        .redirect(reqwest::redirect::Policy::none());
    if config.disable_compression {
        b = b.no_gzip();
    }
    if http1 {
        b = b.http1_only();
    }
    if let Some(t) = config.timeout {
        b = b.timeout(t);
    }
    // Proxies come only from the config and the environment `Context` passed in.
    b = b.no_proxy();
    if let Some(p) = &config.proxy_url {
        let proxy = reqwest::Proxy::all(p)
            .map_err(|e| ClientError::Config(format!("invalid proxy-url {p:?}: {e}")))?;
        b = b.proxy(proxy);
    } else {
        let env = &options.proxy_env;
        let no = env
            .no_proxy
            .as_deref()
            .and_then(reqwest::NoProxy::from_string);
        let bad =
            |v: &str, e: reqwest::Error| ClientError::Config(format!("invalid proxy {v:?}: {e}"));
        if let Some(u) = env.https.as_deref().filter(|u| !u.is_empty()) {
            b = b.proxy(
                reqwest::Proxy::https(u)
                    .map_err(|e| bad(u, e))?
                    .no_proxy(no.clone()),
            );
        }
        if let Some(u) = env.http.as_deref().filter(|u| !u.is_empty()) {
            b = b.proxy(reqwest::Proxy::http(u).map_err(|e| bad(u, e))?.no_proxy(no));
        }
    }
    Ok(b)
}

impl Client {
    /// Builds the client (no I/O yet).
    pub fn new(config: RestConfig, options: ClientOptions) -> Result<Client, ClientError> {
        if !config.server.starts_with("https://") && !config.server.starts_with("http://") {
            return Err(ClientError::Config(format!(
                "host must be a URL or a host:port pair: {:?}",
                config.server
            )));
        }
        let http = build_http(&config, &options, None)?;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                options,
                http: std::sync::Mutex::new(http),
                anonymous: std::sync::OnceLock::new(),
                upgrading: std::sync::OnceLock::new(),
                exec_cred: tokio::sync::Mutex::new(None),
                warnings_seen: std::sync::Mutex::new(Vec::new()),
            }),
        })
    }

    /// The configuration this client was built from.
    pub fn config(&self) -> &RestConfig {
        &self.inner.config
    }

    /// The `-v` logger.
    pub fn logger(&self) -> &Logger {
        &self.inner.options.logger
    }

    fn http(&self) -> reqwest::Client {
        match self.inner.http.lock() {
            Ok(h) => h.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// The HTTP client for another origin than the server's: it presents no certificate.
    fn anonymous_http(&self) -> Result<reqwest::Client, ClientError> {
        if let Some(h) = self.inner.anonymous.get() {
            return Ok(h.clone());
        }
        let mut config = self.inner.config.clone();
        config.tls.client_cert_pem = None;
        config.tls.client_key_pem = None;
        let h = build_http(&config, &self.inner.options, None)?;
        Ok(self.inner.anonymous.get_or_init(|| h).clone())
    }

    /// The `Authorization` value for the next request (running the exec plugin if needed).
    async fn authorization(&self, force_refresh: bool) -> Result<Option<String>, ClientError> {
        match &self.inner.config.auth {
            Auth::None => Ok(None),
            Auth::Bearer(t) => Ok(Some(format!("Bearer {t}"))),
            Auth::TokenFile(p) => {
                let t = std::fs::read_to_string(p).map_err(|e| {
                    ClientError::Unreachable(format!(
                        "open {}: {}",
                        p.display(),
                        crate::kubeconfig::resolve::io_text(&e)
                    ))
                })?;
                Ok(Some(format!("Bearer {}", t.trim())))
            }
            Auth::Basic { username, password } => {
                let raw = format!("{username}:{password}");
                Ok(Some(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )))
            }
            Auth::Exec(spec) => {
                let mut cached = self.inner.exec_cred.lock().await;
                let fresh = match cached.as_ref() {
                    Some(c) if !force_refresh && !c.is_expired(chrono::Utc::now()) => None,
                    _ => Some(
                        exec::run_plugin(spec, &self.inner.options.terminal)
                            .await
                            .map_err(|e| {
                                ClientError::Unreachable(format!("getting credentials: {e}"))
                            })?,
                    ),
                };
                if let Some(c) = fresh {
                    if let (Some(cert), Some(key)) =
                        (&c.client_certificate_data, &c.client_key_data)
                    {
                        let changed = cached.as_ref().is_none_or(|o| {
                            o.client_certificate_data.as_ref() != Some(cert)
                                || o.client_key_data.as_ref() != Some(key)
                        });
                        if changed {
                            let http = build_http(
                                &self.inner.config,
                                &self.inner.options,
                                Some((cert.as_bytes(), key.as_bytes())),
                            )?;
                            if let Ok(mut h) = self.inner.http.lock() {
                                *h = http;
                            }
                        }
                    }
                    *cached = Some(c);
                }
                Ok(cached
                    .as_ref()
                    .and_then(|c| c.token.as_ref())
                    .map(|t| format!("Bearer {t}")))
            }
        }
    }

    /// Sends `req`; any non-2xx answer becomes `ClientError::Api`.
    pub async fn send(&self, req: &ApiRequest) -> Result<ApiResponse, ClientError> {
        let resp = self.send_raw(req).await?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let url = resp.url().to_string();
        let body = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(self.body_error(&url, &e)),
        };
        self.log_body(&body);
        if !(200..300).contains(&status) {
            return Err(error_from_response(status, &content_type, &body));
        }
        req.path
            .check_response(&req.method, &body)
            .map_err(ClientError::Decode)?;
        Ok(ApiResponse {
            status,
            content_type,
            body,
        })
    }

    /// client-go's error for a body cut short: logged (klog, always) and returned with its
    /// "Please retry" wording.
    fn body_error(&self, url: &str, e: &reqwest::Error) -> ClientError {
        let text = body_error_text(url, e);
        if let Some(w) = &self.inner.options.warnings {
            let line = log::klog_line(
                'E',
                "request.go:1360",
                &format!(
                    "\"Unexpected error when reading response body\" err={}",
                    log::quote(&text)
                ),
            );
            if let Ok(mut w) = w.lock() {
                let _ = w.write_all(line.as_bytes());
                let _ = w.flush();
            }
        }
        ClientError::Decode(format!(
            "unexpected error when reading response body. Please retry. Original error: {text}"
        ))
    }

    /// Sends `req` and streams a 2xx answer's body (`kubectl get --raw`): a body cut short
    /// ends the stream with Go's error text (`unexpected EOF`) after what did arrive.
    pub async fn send_stream(&self, req: &ApiRequest) -> Result<BodyStream, ClientError> {
        let resp = self.send_raw(req).await?;
        let status = resp.status().as_u16();
        let url = resp.url().to_string();
        if !(200..300).contains(&status) {
            let content_type = content_type_of(&resp);
            let body = match resp.bytes().await {
                Ok(b) => b,
                Err(e) => return Err(self.body_error(&url, &e)),
            };
            self.log_body(&body);
            return Err(error_from_response(status, &content_type, &body));
        }
        Ok(Box::pin(resp.bytes_stream().map(move |r| {
            r.map_err(|e| ClientError::Decode(body_error_text(&url, &e)))
        })))
    }

    /// Sends `req` and decodes the JSON answer.
    pub async fn send_json(&self, req: &ApiRequest) -> Result<Value, ClientError> {
        self.send(req).await?.json()
    }

    /// `GET path` with `Accept: application/json`, decoded.
    pub async fn get_json(&self, path: &ApiPath) -> Result<Value, ClientError> {
        self.send_json(&ApiRequest::get(path.clone())).await
    }

    /// Starts a watch (`watch=true` is added) and streams its events. `ERROR` events become
    /// `Err(ClientError::Api)`.
    pub async fn watch(&self, req: &ApiRequest) -> Result<WatchStream, ClientError> {
        let mut req = req.clone();
        if !req.query.iter().any(|(k, _)| k == "watch") {
            req.query.push(("watch".into(), "true".into()));
        }
        let resp = self.send_raw(&req).await?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let content_type = content_type_of(&resp);
            let body = resp.bytes().await.map_err(|e| self.transport_error(e))?;
            self.log_body(&body);
            return Err(error_from_response(status, &content_type, &body));
        }
        let this = self.clone();
        let bytes = resp.bytes_stream().boxed();
        let state = (bytes, Vec::<u8>::new(), false);
        let s = futures_util::stream::unfold(state, move |(mut bytes, mut buf, done)| {
            let this = this.clone();
            async move {
                if done {
                    return None;
                }
                loop {
                    if let Some(i) = buf.iter().position(|b| *b == b'\n') {
                        let line: Vec<u8> = buf.drain(..=i).collect();
                        if line.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        return Some((parse_watch_line(&line), (bytes, buf, false)));
                    }
                    match bytes.next().await {
                        Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
                        Some(Err(e)) if e.is_timeout() => {
                            // client-go's StreamWatcher: a timeout (`--request-timeout`) ends
                            // the watch quietly, logged at level 5 only.
                            let text = body_error_text(&this.inner.config.server, &e);
                            this.inner.options.logger.log(
                                5,
                                "streamwatcher.go:123",
                                &format!(
                                    "\"Unable to decode an event from the watch stream\" err={}",
                                    log::quote(&text)
                                ),
                            );
                            return None;
                        }
                        Some(Err(e)) => {
                            return Some((Err(this.transport_error(e)), (bytes, buf, true)))
                        }
                        None => {
                            if buf.iter().all(u8::is_ascii_whitespace) {
                                return None;
                            }
                            let line = std::mem::take(&mut buf);
                            return Some((parse_watch_line(&line), (bytes, buf, true)));
                        }
                    }
                }
            }
        });
        Ok(Box::pin(s))
    }

    /// Sends and returns the raw response (any status), with logging and the exec 401 retry.
    async fn send_raw(&self, req: &ApiRequest) -> Result<reqwest::Response, ClientError> {
        let mut attempt = 0;
        loop {
            let mut resp = self.send_once(req, false).await?;
            if resp.status().as_u16() == 401 && matches!(self.inner.config.auth, Auth::Exec(_)) {
                // client-go refreshes exec credentials on 401 and retries once.
                resp = self.send_once(req, true).await?;
            }
            // client-go's checkWait: a 429 or 5xx answer with a Retry-After in whole seconds
            // (API priority and fairness, an apiserver shutting down) is tried again after
            // that wait, at most 10 times; then the last answer stands.
            let status = resp.status().as_u16();
            let wait = (status == 429 || status >= 500)
                .then(|| resp.headers().get(reqwest::header::RETRY_AFTER))
                .flatten()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            match wait {
                Some(seconds) if attempt < MAX_RETRIES => {
                    attempt += 1;
                    self.inner.options.logger.log(
                        4,
                        "with_retry.go:234",
                        &format!(
                            "\"Got a Retry-After response\" delay=\"{seconds}s\" attempt={attempt} url={}",
                            log::quote(&req.url(&self.inner.config.server))
                        ),
                    );
                    tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
                }
                _ => return Ok(resp),
            }
        }
    }

    async fn send_once(
        &self,
        req: &ApiRequest,
        refresh: bool,
    ) -> Result<reqwest::Response, ClientError> {
        let cfg = &self.inner.config;
        let mut req = req.clone();
        if let Some(t) = cfg.timeout {
            if !req.query.iter().any(|(k, _)| k == "timeout") {
                req.query.push(("timeout".into(), request::go_duration(t)));
            }
        }
        let auth = self.authorization(refresh).await?;
        let mut headers: Vec<(String, String)> = Vec::new();
        headers.push(("Accept".into(), req.accept_value().to_string()));
        for (k, v) in &req.headers {
            if !k.eq_ignore_ascii_case("accept") {
                headers.push((k.clone(), v.clone()));
            }
        }
        if let Some(a) = &auth {
            headers.push(("Authorization".into(), a.clone()));
        }
        // Sent per request: reqwest's default headers keep only one value per name.
        if let Some(u) = &cfg.impersonate {
            headers.push(("Impersonate-User".into(), u.clone()));
        }
        if let Some(u) = &cfg.impersonate_uid {
            headers.push(("Impersonate-Uid".into(), u.clone()));
        }
        for g in &cfg.impersonate_groups {
            headers.push(("Impersonate-Group".into(), g.clone()));
        }
        for (k, values) in &cfg.impersonate_user_extra {
            let name = format!("Impersonate-Extra-{}", header_key_escape(k));
            for v in values {
                headers.push((name.clone(), v.clone()));
            }
        }
        let mut hop = Hop {
            method: req.method.clone(),
            url: req.url(&cfg.server),
            headers,
            body: req.body.clone(),
        };
        // Redirects are followed here, not by reqwest, so that each hop's credentials are
        // chosen by us: Go's http.Client follows at most 10 (`stopped after 10 redirects`)
        // and client-go's round trippers add the token and impersonation headers again on
        // every hop, whatever its host. We send none of them, and no client certificate,
        // to any origin other than the configured server's.
        let home = origin(&cfg.server);
        let mut sent = 0;
        loop {
            let same_origin = home.is_some() && origin(&hop.url) == home;
            if !same_origin {
                hop.headers.retain(|(k, _)| !is_credential_header(k));
            }
            let resp = self.exchange(&hop, same_origin).await?;
            sent += 1;
            let Some(next) = redirect(&resp, &hop)? else {
                return Ok(resp);
            };
            if sent >= MAX_REDIRECTS {
                return Err(ClientError::Unreachable(format!(
                    "stopped after {MAX_REDIRECTS} redirects"
                )));
            }
            hop = next;
        }
    }

    /// One HTTP exchange (no redirect following), logged as client-go's round trippers do.
    async fn exchange(
        &self,
        hop: &Hop,
        same_origin: bool,
    ) -> Result<reqwest::Response, ClientError> {
        let logger = &self.inner.options.logger;
        let url = &hop.url;
        if logger.enabled(8) {
            let body = hop.body.as_deref().unwrap_or(b"");
            logger.log(
                8,
                "helper.go:113",
                &format!(
                    "\"Request Body\" body={}",
                    log::body_text(body, logger.level)
                ),
            );
        }
        if logger.enabled(7) {
            let mut shown = hop.headers.clone();
            shown.push(("User-Agent".into(), user_agent()));
            if let Some(c) = &self.inner.options.command {
                shown.push(("Kubectl-Command".into(), c.clone()));
                shown.push(("Kubectl-Session".into(), self.inner.options.session.clone()));
            }
            logger.log(
                7,
                "round_trippers.go:527",
                &format!(
                    "\"Request\" verb={} url={} {}",
                    log::quote(hop.method.as_str()),
                    log::quote(url),
                    log::headers_block(shown.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                ),
            );
        }
        let upgrade = hop
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("upgrade"));
        let http = if upgrade && same_origin {
            match self.inner.upgrading.get() {
                Some(h) => h.clone(),
                None => {
                    let h = build_http_with(&self.inner.config, &self.inner.options, None, true)?;
                    self.inner.upgrading.get_or_init(|| h).clone()
                }
            }
        } else if same_origin {
            self.http()
        } else {
            self.anonymous_http()?
        };
        let mut rb = http.request(hop.method.clone(), url);
        for (k, v) in &hop.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if let Some(b) = &hop.body {
            rb = rb.body(b.clone());
        }
        let start = Instant::now();
        let result = rb.send().await;
        let ms = start.elapsed().as_millis();
        match result {
            Ok(resp) => {
                self.handle_warnings(resp.headers());
                let st = resp.status();
                let status = format!("{} {}", st.as_u16(), st.canonical_reason().unwrap_or(""));
                let status = status.trim_end().to_string();
                let (level, text) = if logger.enabled(8) {
                    let hs = log::headers_block(
                        resp.headers()
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or(""))),
                    );
                    (8, format!("status={} {hs}", log::quote(&status)))
                } else if logger.enabled(7) {
                    (7, format!("status={}", log::quote(&status)))
                } else {
                    (
                        6,
                        format!(
                            "verb={} url={} status={}",
                            log::quote(hop.method.as_str()),
                            log::quote(url),
                            log::quote(&status)
                        ),
                    )
                };
                logger.log(
                    level,
                    "round_trippers.go:632",
                    &format!("\"Response\" {text} milliseconds={ms}"),
                );
                Ok(resp)
            }
            Err(e) => {
                logger.log(
                    6,
                    "round_trippers.go:632",
                    &format!(
                        "\"Response\" verb={} url={} status=\"\" milliseconds={ms}",
                        log::quote(hop.method.as_str()),
                        log::quote(url)
                    ),
                );
                Err(transport_error(url, &e))
            }
        }
    }

    /// Prints each distinct server warning once (client-go's deduplicating warning writer).
    fn handle_warnings(&self, headers: &reqwest::header::HeaderMap) {
        for v in headers.get_all(reqwest::header::WARNING) {
            let Some(text) = v.to_str().ok().and_then(parse_warning) else {
                continue;
            };
            let mut seen = match self.inner.warnings_seen.lock() {
                Ok(s) => s,
                Err(p) => p.into_inner(),
            };
            if seen.contains(&text) {
                continue;
            }
            seen.push(text.clone());
            if let Some(w) = &self.inner.options.warnings {
                if let Ok(mut w) = w.lock() {
                    let _ = w.write_all(format!("Warning: {text}\n").as_bytes());
                    let _ = w.flush();
                }
            }
        }
    }

    /// How many distinct server warnings this run received (`--warnings-as-errors`).
    pub fn warning_count(&self) -> usize {
        self.inner
            .warnings_seen
            .lock()
            .map(|s| s.len())
            .unwrap_or(0)
    }

    fn log_body(&self, body: &[u8]) {
        let logger = &self.inner.options.logger;
        if logger.enabled(8) {
            logger.log(
                8,
                "helper.go:113",
                &format!(
                    "\"Response Body\" body={}",
                    log::body_text(body, logger.level)
                ),
            );
        }
    }

    /// Maps a transport error to kubectl's wording.
    fn transport_error(&self, e: reqwest::Error) -> ClientError {
        transport_error(&self.inner.config.server, &e)
    }
}

/// `host:port` of a server URL, as Go's `URL.Host` (no default port added).
pub fn url_host(server: &str) -> String {
    let rest = server.split_once("://").map(|x| x.1).unwrap_or(server);
    let host = rest.split('/').next().unwrap_or(rest);
    host.rsplit_once('@')
        .map(|x| x.1)
        .unwrap_or(host)
        .to_string()
}

/// kubectl's text for a failed request to `server` (the URL that was being fetched).
pub fn transport_error(server: &str, e: &reqwest::Error) -> ClientError {
    if e.is_timeout() {
        // Go's http.Client with a Timeout, while the answer's headers are awaited.
        return ClientError::Unreachable(
            "net/http: request canceled (Client.Timeout exceeded while awaiting headers)".into(),
        );
    }
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut last = e.to_string();
    while let Some(cur) = src {
        if let Some(t) = cur.downcast_ref::<rustls::Error>() {
            return ClientError::Unreachable(tls::describe_tls_error(t));
        }
        if let Some(io) = cur.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return ClientError::ConnectionRefused {
                    host: url_host(server),
                };
            }
            if let Some(t) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                return ClientError::Unreachable(tls::describe_tls_error(t));
            }
            if let Some(t) = go_io_error(server, io) {
                return ClientError::Unreachable(t);
            }
        }
        if cur
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_incomplete_message)
        {
            // The connection closed before an answer: Go's `io.EOF`.
            return ClientError::Unreachable("EOF".into());
        }
        let text = cur.to_string();
        if let Some(t) = tls_error_from_text(&text) {
            return ClientError::Unreachable(t);
        }
        if text.contains("dns error") || text.contains("failed to lookup address") {
            let host = url_host(server);
            let name = host
                .rsplit_once(':')
                .map(|x| x.0)
                .unwrap_or(&host)
                .to_string();
            return ClientError::Unreachable(format!("dial tcp: lookup {name}: no such host"));
        }
        last = text;
        src = cur.source();
    }
    ClientError::Unreachable(last)
}

/// Go's `net.OpError` text for a socket error while talking to `server` (the local address,
/// which Go also prints, is not known here, so the form without it is used).
fn go_io_error(server: &str, io: &std::io::Error) -> Option<String> {
    use std::io::ErrorKind as K;
    let what = match io.kind() {
        K::ConnectionReset => "read: connection reset by peer",
        K::BrokenPipe => "write: broken pipe",
        K::TimedOut => "i/o timeout",
        K::UnexpectedEof => return Some("unexpected EOF".into()),
        _ => return None,
    };
    Some(format!("read tcp {}: {what}", url_host_port(server)))
}

/// `host:port` of a URL with the scheme's default port filled in (Go's dial address).
pub(crate) fn url_host_port(server: &str) -> String {
    match url::Url::parse(server) {
        Ok(u) => match (u.host_str(), u.port_or_known_default()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            _ => url_host(server),
        },
        Err(_) => url_host(server),
    }
}

/// Go's text for a response body that could not be read to its end (`io.ReadAll`'s error).
pub fn body_error_text(server: &str, e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "context deadline exceeded (Client.Timeout or context cancellation while reading body)".into();
    }
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(cur) = src {
        if let Some(io) = cur.downcast_ref::<std::io::Error>() {
            if let Some(t) = go_io_error(server, io) {
                return t;
            }
        }
        if let Some(h) = cur.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.to_string().contains("end of file") {
                return "unexpected EOF".into();
            }
        }
        if cur
            .to_string()
            .contains("end of file before message length reached")
        {
            return "unexpected EOF".into();
        }
        src = cur.source();
    }
    "unexpected EOF".into()
}

/// rustls errors reach us as text when a layer boxes them; map their Display forms.
pub(crate) fn tls_error_from_text(text: &str) -> Option<String> {
    // The verifier's own Go-worded texts (`HintingVerifier`) travel as `General` errors.
    if let Some(g) = text.split("unexpected error: x509: ").nth(1) {
        return Some(format!("tls: failed to verify certificate: x509: {g}"));
    }
    let rest = text.split("invalid peer certificate: ").nth(1)?;
    let e = if rest.starts_with("UnknownIssuer") || rest.starts_with("BadSignature") {
        rustls::CertificateError::UnknownIssuer
    } else if let Some((expected, presented)) = tls::parse_name_mismatch(rest) {
        return Some(format!(
            "tls: failed to verify certificate: {}",
            tls::go_hostname_error(&expected, &presented)
        ));
    } else if rest.starts_with("NotValidForName") {
        rustls::CertificateError::NotValidForName
    } else if let Some(e) = time_context(rest) {
        e
    } else if rest.contains("expired") || rest.starts_with("Expired") {
        rustls::CertificateError::Expired
    } else if rest.contains("not valid yet") || rest.starts_with("NotValidYet") {
        rustls::CertificateError::NotValidYet
    } else {
        return Some(format!("tls: failed to verify certificate: x509: {rest}"));
    };
    Some(tls::describe_tls_error(&rustls::Error::InvalidCertificate(
        e,
    )))
}

/// rustls's Display of an expired / not yet valid certificate with its times, back to the
/// error (`certificate expired: verification time T (UNIX), but certificate is not valid
/// after N (…)`).
fn time_context(text: &str) -> Option<rustls::CertificateError> {
    let num = |key: &str| -> Option<u64> {
        let r = text.split(key).nth(1)?;
        r.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
    };
    let at =
        |s: u64| rustls::pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(s));
    let time = at(num("verification time ")?);
    if let Some(n) = num("not valid after ") {
        return Some(rustls::CertificateError::ExpiredContext {
            time,
            not_after: at(n),
        });
    }
    num("not valid before ").map(|n| rustls::CertificateError::NotValidYetContext {
        time,
        not_before: at(n),
    })
}

/// The text of an RFC 7234 `Warning: 299 - "text"` header (other codes are ignored, as in
/// client-go).
pub fn parse_warning(h: &str) -> Option<String> {
    let rest = h.trim().strip_prefix("299 ")?;
    let (_agent, rest) = rest.split_once(' ')?;
    let rest = rest.trim_start().strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '"' => return Some(out),
            c => out.push(c),
        }
    }
    None
}

/// The answer's `Content-Type` ("" when absent).
fn content_type_of(resp: &reqwest::Response) -> String {
    resp.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The error for a non-2xx response body: the Status it carries, else client-go's generic one.
pub fn error_from_body(code: u16, body: &[u8]) -> ClientError {
    error_from_response(code, "", body)
}

/// [`error_from_body`] knowing the answer's Content-Type (what client-go's generic error
/// quotes depends on it).
pub fn error_from_response(code: u16, content_type: &str, body: &[u8]) -> ClientError {
    let status = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| ApiStatus::from_status(code, &v))
        .unwrap_or_else(|| ApiStatus::generic_for(code, content_type, body));
    ClientError::Api(Box::new(status))
}

fn parse_watch_line(line: &[u8]) -> Result<WatchEvent, ClientError> {
    let v: Value = serde_json::from_slice(line)
        .map_err(|e| ClientError::Decode(format!("unable to decode watch event: {e}")))?;
    let event_type = v
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let object = v.get("object").cloned().unwrap_or(Value::Null);
    if event_type == "ERROR" {
        let st =
            ApiStatus::from_status(500, &object).unwrap_or_else(|| ApiStatus::generic(500, line));
        return Err(ClientError::Api(Box::new(st)));
    }
    Ok(WatchEvent { event_type, object })
}

/// client-go `headerKeyEscape`: bytes that are not HTTP token characters, and `%`, are
/// %-encoded in an `Impersonate-Extra-` header name.
fn header_key_escape(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        let token = b.is_ascii_alphanumeric() || b"!#$&'*+-.^_`|~".contains(&b);
        if token {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_errors() {
        let body = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/reference/error-notfound.json"
        ))
        .unwrap();
        let e = error_from_body(404, &body);
        let st = e.status().unwrap();
        assert_eq!(st.reason, "NotFound");
        assert!(e.is_not_found());
        assert_eq!(st.message, "daemonsets.apps \"nope\" not found");
        let e = error_from_body(404, b"404 page not found");
        assert_eq!(
            e.to_string(),
            "the server could not find the requested resource"
        );
        let e = error_from_body(500, b"boom");
        assert_eq!(
            e.to_string(),
            "an error on the server (\"boom\") has prevented the request from succeeding"
        );
    }

    #[test]
    fn watch_lines() {
        let ev = parse_watch_line(br#"{"type":"ADDED","object":{"kind":"Pod"}}"#).unwrap();
        assert_eq!(ev.event_type, "ADDED");
        assert_eq!(ev.object, json!({"kind":"Pod"}));
        let e = parse_watch_line(
            br#"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.status().unwrap().code, 410);
        assert!(parse_watch_line(b"garbage").is_err());
    }

    #[test]
    fn warning_headers() {
        assert_eq!(
            parse_warning(r#"299 - "apps/v1beta1 Deployment is deprecated""#).as_deref(),
            Some("apps/v1beta1 Deployment is deprecated")
        );
        assert_eq!(
            parse_warning(r#"299 - "a \"quoted\" word" "Wed, 21 Oct 2015 07:28:00 GMT""#)
                .as_deref(),
            Some(r#"a "quoted" word"#)
        );
        assert_eq!(parse_warning(r#"199 - "misc""#), None);
        assert_eq!(parse_warning("garbage"), None);
    }

    #[test]
    fn tls_texts() {
        assert_eq!(
            tls_error_from_text("error sending request: invalid peer certificate: UnknownIssuer")
                .unwrap(),
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
        );
        assert_eq!(tls_error_from_text("connection reset"), None);
        assert_eq!(
            tls_error_from_text("invalid peer certificate: certificate expired: verification time 1800000000 (UNIX), but certificate is not valid after 978307200 (821692800 seconds ago)").unwrap(),
            format!(
                "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time {} is after {}",
                chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap().with_timezone(&chrono::Local).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                chrono::DateTime::from_timestamp(978_307_200, 0).unwrap().with_timezone(&chrono::Local).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )
        );
    }

    #[test]
    fn small_helpers() {
        assert_eq!(url_host("http://localhost:8080"), "localhost:8080");
        assert_eq!(url_host("https://u@example.com/prefix"), "example.com");
        let s = new_session_id();
        assert_eq!(s.len(), 36);
        assert_eq!(&s[14..15], "4");
        assert!(user_agent().starts_with("kubectl-rs/v0."));
        let bad = RestConfig {
            server: "ftp://x".into(),
            ..Default::default()
        };
        assert!(Client::new(bad, ClientOptions::default()).is_err());
    }

    proptest::proptest! {
        #[test]
        fn header_and_body_parsers_never_panic(s in "\\PC{0,64}") {
            let _ = parse_warning(&s);
            let _ = tls_error_from_text(&s);
            let _ = parse_watch_line(s.as_bytes());
            let _ = error_from_body(500, s.as_bytes());
            let _ = url_host(&s);
        }
    }
}

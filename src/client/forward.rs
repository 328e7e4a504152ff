//! Forwarding a foreign HTTP request to the API server with this client's credentials, as
//! client-go's `rest.TransportFor` round trippers do for `kubectl proxy`: the configured
//! `Authorization` and impersonation headers are added only where the request carries none
//! of its own, and the server's answer comes back whatever its status (no retries, no
//! warning printing: that is the REST client's, not the transport's).

use bytes::Bytes;

use super::{http_builder, user_agent, Client, ClientError};

/// The HTTP/1.1 hop-by-hop headers a proxy drops in both directions (Go's `httputil`).
pub const HOP_HEADERS: &[&str] = &[
    "connection",
    "proxy-connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// One request to forward: the path and query are the API server's (`/api/v1/pods?limit=1`).
#[derive(Debug, Clone)]
pub struct Forward {
    /// The HTTP method.
    pub method: reqwest::Method,
    /// Path and query, appended to the server URL's scheme and authority.
    pub path_and_query: String,
    /// The request's headers (end-to-end ones; `Host` is set from the server URL).
    pub headers: reqwest::header::HeaderMap,
    /// The body (empty: none).
    pub body: Bytes,
    /// Whether this is a connection upgrade (`Connection: Upgrade`), sent over HTTP/1.1 with
    /// its `Connection` and `Upgrade` headers kept.
    pub upgrade: bool,
    /// The keep-alive period of an upgrade's connection (`--keepalive`; 0: Go's default).
    pub keepalive: Option<std::time::Duration>,
}

impl Client {
    /// The server URL's `scheme://authority`, and its path (kubectl's `--append-server-path`).
    pub fn server_parts(&self) -> (String, String) {
        let server = self.inner.config.server.trim_end_matches('/');
        let after_scheme = server.find("://").map(|i| i + 3).unwrap_or(0);
        match server[after_scheme..].find('/') {
            Some(i) => (
                server[..after_scheme + i].to_string(),
                server[after_scheme + i..].to_string(),
            ),
            None => (server.to_string(), String::new()),
        }
    }

    /// Sends `f` to the API server with the configured credentials; any status is returned.
    pub async fn forward(&self, f: Forward) -> Result<reqwest::Response, ClientError> {
        let cfg = &self.inner.config;
        let (origin, _) = self.server_parts();
        let url = format!("{origin}{}", f.path_and_query);
        let http = if f.upgrade {
            let h = http_builder(cfg, &self.inner.options, None, true)?;
            // client-go's upgrade dialer: `KeepAlive: keepalive` (0 = Go's default 15s).
            let period = f
                .keepalive
                .filter(|d| !d.is_zero())
                .unwrap_or(std::time::Duration::from_secs(15));
            h.tcp_keepalive(period)
                .build()
                .map_err(|e| ClientError::Config(format!("unable to build the HTTP client: {e}")))?
        } else {
            self.http()
        };
        let mut headers = f.headers;
        headers.remove(reqwest::header::HOST);
        headers.remove(reqwest::header::CONTENT_LENGTH);
        if !f.upgrade {
            for h in HOP_HEADERS {
                headers.remove(*h);
            }
        }
        let mut extra: Vec<(&str, String)> = Vec::new();
        if !headers.contains_key(reqwest::header::AUTHORIZATION) {
            if let Some(a) = self.authorization(false).await? {
                extra.push(("authorization", a));
            }
        }
        if !headers.contains_key("impersonate-user") {
            if let Some(u) = &cfg.impersonate {
                extra.push(("impersonate-user", u.clone()));
                if let Some(uid) = &cfg.impersonate_uid {
                    extra.push(("impersonate-uid", uid.clone()));
                }
                for g in &cfg.impersonate_groups {
                    extra.push(("impersonate-group", g.clone()));
                }
            }
        }
        if !headers.contains_key(reqwest::header::USER_AGENT) {
            extra.push(("user-agent", user_agent()));
        }
        for (k, v) in extra {
            let v = reqwest::header::HeaderValue::from_str(&v)
                .map_err(|_| ClientError::Config(format!("invalid value for header {k}")))?;
            headers.append(k, v);
        }
        let mut rb = http.request(f.method.clone(), &url).headers(headers);
        if !f.body.is_empty() {
            rb = rb.body(f.body);
        }
        self.inner.options.logger.log(
            6,
            "round_trippers.go:632",
            &format!(
                "\"Request\" verb={} url={}",
                super::log::quote(f.method.as_str()),
                super::log::quote(&url)
            ),
        );
        rb.send()
            .await
            .map_err(|e| super::transport_error(&url, &e))
    }
}

/// The text of a failed forward as Go's transport words it (`kubectl proxy` answers it with
/// a 500 and logs it): `dial tcp 127.0.0.1:1: connect: connection refused`.
pub fn transport_text(server: &str, e: &ClientError) -> String {
    match e {
        ClientError::ConnectionRefused { .. } => format!(
            "dial tcp {}: connect: connection refused",
            super::url_host_port(server)
        ),
        ClientError::Unreachable(t) => t.clone(),
        other => other.to_string(),
    }
}

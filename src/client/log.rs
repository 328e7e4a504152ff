//! `-v` request logging in client-go's shape (klog header, `round_trippers.go` and
//! `helper.go` lines): level 6 one line per response, 7 request headers, 8 response headers
//! and bodies truncated to 1024 characters, 9 to 10240, 10 whole. `Authorization` is masked.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// Where log lines go (the command's stderr).
pub type LogSink = Arc<Mutex<dyn Write + Send>>;

/// A verbosity level and a sink.
#[derive(Clone)]
pub struct Logger {
    /// `-v` level.
    pub level: u8,
    sink: Option<LogSink>,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logger(v={})", self.level)
    }
}

impl Logger {
    /// A logger writing lines at or below `level` to `sink`.
    pub fn new(level: u8, sink: LogSink) -> Self {
        Logger {
            level,
            sink: Some(sink),
        }
    }

    /// A logger that drops everything.
    pub fn off() -> Self {
        Logger {
            level: 0,
            sink: None,
        }
    }

    /// True when messages of level `v` are printed.
    pub fn enabled(&self, v: u8) -> bool {
        self.sink.is_some() && self.level >= v
    }

    /// Writes one klog line (`I1127 20:56:09.743681   30614 file:line] msg`) at level `v`.
    pub fn log(&self, v: u8, location: &str, msg: &str) {
        if !self.enabled(v) {
            return;
        }
        if let Some(s) = &self.sink {
            let line = format!("{} {location}] {msg}\n", klog_header());
            if let Ok(mut w) = s.lock() {
                let _ = w.write_all(line.as_bytes());
                let _ = w.flush();
            }
        }
    }
}

fn klog_header() -> String {
    klog_header_of('I')
}

fn klog_header_of(severity: char) -> String {
    let now = chrono::Local::now();
    format!(
        "{severity}{} {:>7}",
        now.format("%m%d %H:%M:%S%.6f"),
        std::process::id()
    )
}

/// One klog line of any severity (`E…` errors are printed whatever `-v` is).
pub fn klog_line(severity: char, location: &str, msg: &str) -> String {
    format!("{} {location}] {msg}\n", klog_header_of(severity))
}

/// A header value as client-go logs it: credentials masked.
pub fn mask_header(name: &str, value: &str) -> String {
    if name.eq_ignore_ascii_case("authorization")
        || name.eq_ignore_ascii_case("proxy-authorization")
    {
        match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} <masked>"),
            None => "<masked>".into(),
        }
    } else {
        value.to_string()
    }
}

/// What a logged body shows instead of a secret value.
pub const MASKED: &str = "<masked>";

/// A JSON body with its secrets masked (Secrets' `data` and `stringData` values and their
/// last-applied annotation, TokenRequests' `status.token`), anywhere in it (lists, tables,
/// watch events); `None` when there was nothing to mask (the body is logged as received).
/// kubectl logs bodies as they are; kubectl-rs never prints a secret.
pub fn redact_body(body: &[u8]) -> Option<String> {
    let mut v: serde_json::Value = serde_json::from_slice(body).ok()?;
    redact(&mut v, false).then(|| serde_json::to_string(&v).ok())?
}

/// Masks the secrets in `v` (`secret`: `v` is a Secret whatever its `kind` says, an item of
/// a SecretList). True when something was masked.
fn redact(v: &mut serde_json::Value, secret: bool) -> bool {
    use serde_json::Value;
    let mut changed = false;
    match v {
        Value::Object(m) => {
            let kind = m
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if secret || kind == "Secret" {
                for field in ["data", "stringData"] {
                    if let Some(Value::Object(d)) = m.get_mut(field) {
                        for val in d.values_mut() {
                            *val = Value::String(MASKED.into());
                            changed = true;
                        }
                    }
                }
            }
            // The last-applied annotation of a Secret holds its values too, also where only
            // the metadata is sent (a table row's PartialObjectMetadata).
            if let Some(a) = m
                .get_mut("metadata")
                .and_then(|md| md.get_mut("annotations"))
                .and_then(|a| a.get_mut("kubectl.kubernetes.io/last-applied-configuration"))
            {
                let applied_secret = a
                    .as_str()
                    .and_then(|t| serde_json::from_str::<Value>(t).ok())
                    .is_some_and(|o| o["kind"] == "Secret");
                if secret || kind == "Secret" || applied_secret {
                    *a = Value::String(MASKED.into());
                    changed = true;
                }
            }
            if kind == "TokenRequest" {
                if let Some(t) = m.get_mut("status").and_then(|s| s.get_mut("token")) {
                    *t = Value::String(MASKED.into());
                    changed = true;
                }
            }
            let items_secret = kind == "SecretList";
            for (k, child) in m.iter_mut() {
                changed |= redact(child, items_secret && k == "items");
            }
        }
        Value::Array(a) => {
            for child in a {
                changed |= redact(child, secret);
            }
        }
        _ => {}
    }
    changed
}

/// The `headers=<…>` block of a request/response line.
pub fn headers_block<'a>(headers: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut hs: Vec<(String, String)> = headers
        .map(|(k, v)| (canonical_header(k), mask_header(k, v)))
        .collect();
    hs.sort();
    let mut s = String::from("headers=<\n");
    for (k, v) in hs {
        s.push('\t');
        s.push_str(&k);
        s.push_str(": ");
        s.push_str(&v);
        s.push('\n');
    }
    s.push_str(" >");
    s
}

/// Go's canonical MIME header form (`content-type` → `Content-Type`).
pub fn canonical_header(k: &str) -> String {
    k.split('-')
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A body as `helper.go` logs it at verbosity `level`: Go-quoted and truncated.
pub fn body_text(body: &[u8], level: u8) -> String {
    let redacted = redact_body(body);
    let text = match &redacted {
        Some(r) => std::borrow::Cow::Borrowed(r.as_str()),
        None => String::from_utf8_lossy(body),
    };
    let max = match level {
        0..=8 => Some(1024),
        9 => Some(10240),
        _ => None,
    };
    let (shown, rest) = match max {
        Some(m) if text.chars().count() > m => {
            let cut: String = text.chars().take(m).collect();
            let rest = text.chars().count() - m;
            (cut, Some(rest))
        }
        _ => (text.to_string(), None),
    };
    let mut s = serde_json::to_string(&shown).unwrap_or_default();
    if let Some(n) = rest {
        s.pop();
        s.push_str(&format!(" [truncated {n} chars]\""));
    }
    s
}

/// Go's `%q` of a plain string (for `url="…"`).
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn masks_and_truncates() {
        assert_eq!(
            mask_header("Authorization", "Bearer abc"),
            "Bearer <masked>"
        );
        assert_eq!(mask_header("authorization", "abc"), "<masked>");
        assert_eq!(mask_header("Accept", "x"), "x");
        let b = headers_block(
            [
                ("user-agent", "u"),
                ("authorization", "Bearer secret"),
                ("accept", "a"),
            ]
            .into_iter(),
        );
        assert_eq!(
            b,
            "headers=<\n\tAccept: a\n\tAuthorization: Bearer <masked>\n\tUser-Agent: u\n >"
        );
        assert!(!b.contains("secret"));
        let long = "x".repeat(1030);
        assert_eq!(
            body_text(long.as_bytes(), 8),
            format!("\"{} [truncated 6 chars]\"", "x".repeat(1024))
        );
        assert_eq!(body_text(long.as_bytes(), 10).len(), 1032);
        assert_eq!(body_text(b"{\"a\":1}", 8), r#""{\"a\":1}""#);
    }

    #[test]
    fn secrets_in_bodies_are_masked() {
        let secret = br#"{"kind":"Secret","metadata":{"name":"s","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"k\":\"czNjcjN0\"}}"}},"data":{"k":"czNjcjN0"},"stringData":{"p":"s3cr3t"}}"#;
        let t = body_text(secret, 10);
        assert!(!t.contains("czNjcjN0") && !t.contains("s3cr3t"), "{t}");
        assert!(t.contains(r#"\"k\":\"<masked>\""#), "{t}");
        let list =
            br#"{"kind":"SecretList","items":[{"metadata":{"name":"s"},"data":{"k":"czNjcjN0"}}]}"#;
        assert!(!body_text(list, 10).contains("czNjcjN0"));
        let event = br#"{"type":"ADDED","object":{"kind":"Secret","data":{"k":"czNjcjN0"}}}"#;
        assert!(!body_text(event, 10).contains("czNjcjN0"));
        let table = br#"{"kind":"Table","rows":[{"cells":["s"],"object":{"kind":"Secret","data":{"k":"czNjcjN0"}}}]}"#;
        assert!(!body_text(table, 10).contains("czNjcjN0"));
        let token = br#"{"kind":"TokenRequest","status":{"token":"eyJhbGciOi.tok","expirationTimestamp":"x"}}"#;
        assert!(!body_text(token, 10).contains("eyJhbGciOi"));
        // Everything else is logged byte for byte.
        let meta = br#"{"kind":"PartialObjectMetadata","metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"kind\":\"Secret\",\"stringData\":{\"p\":\"s3cr3t\"}}"}}}"#;
        assert!(!body_text(meta, 10).contains("s3cr3t"));
        let cm = br#"{"kind":"ConfigMap","data":{"k":"v"},"apiVersion":"v1"}"#;
        assert_eq!(redact_body(cm), None);
        assert_eq!(redact_body(b"not json"), None);
    }

    #[test]
    fn levels() {
        let buf = Buf::default();
        let l = Logger::new(6, Arc::new(Mutex::new(buf.clone())));
        l.log(6, "round_trippers.go:632", "shown");
        l.log(7, "round_trippers.go:527", "hidden");
        Logger::off().log(0, "x", "hidden");
        let out = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert!(out.starts_with('I'));
        assert!(out.ends_with(" round_trippers.go:632] shown\n"), "{out}");
        assert_eq!(out.lines().count(), 1);
    }
}

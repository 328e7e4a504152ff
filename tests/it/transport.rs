//! A scripted, misbehaving HTTPS API server on loopback (hand-written HTTP/1.1 over rustls, so
//! that it can cut bodies short, reset connections and hang), and kubectl-rs run against it as a
//! process next to the real kubectl (the oracle) with the same kubeconfig. Every request either
//! client makes is recorded, so each case also checks that nothing but the expected requests
//! reached the server, and which credentials each origin saw.
//!
//! Every wait is bounded: the server never holds a connection longer than `HANG_LIMIT`, and every
//! command is killed after `RUN_LIMIT`.

use crate::common;

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const TOKEN: &str = "s3cr3t-token";
const HANG_LIMIT: Duration = Duration::from_secs(30);
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// One request as a server saw it.
#[derive(Debug, Clone)]
struct Seen {
    /// Which server (0: the API server, 1: the other origin).
    server: usize,
    method: String,
    path: String,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn has_credentials(&self) -> bool {
        self.headers
            .iter()
            .any(|(k, _)| k == "authorization" || k.starts_with("impersonate-"))
    }
}

/// What the server does with a request.
enum Action {
    /// A complete answer.
    Reply {
        code: u16,
        content_type: &'static str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Headers announcing `announced` bytes, then only `body`, then the connection closes.
    Truncated { announced: usize, body: Vec<u8> },
    /// The connection is reset (RST) without an answer.
    Reset,
    /// Nothing is answered until the client goes away (at most `HANG_LIMIT`).
    Hang,
    /// A 200 with a chunked body that never ends (an open watch with one MODIFIED event of
    /// configmap `b`), until the client goes away (at most `HANG_LIMIT`).
    OpenStream,
}

fn reply(code: u16, content_type: &'static str, body: &str) -> Action {
    Action::Reply {
        code,
        content_type,
        headers: Vec::new(),
        body: body.as_bytes().to_vec(),
    }
}

fn redirect(code: u16, location: &str) -> Action {
    Action::Reply {
        code,
        content_type: "text/plain",
        headers: vec![("Location".into(), location.into())],
        body: Vec::new(),
    }
}

type Script = Arc<dyn Fn(usize, &Seen, &Ports) -> Action + Send + Sync>;

/// The ports of the two servers (same certificate, two origins).
#[derive(Debug, Clone, Copy)]
struct Ports {
    api: u16,
    other: u16,
}

struct Scripted {
    ports: Ports,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Signalled each time a request has been read (for cases that act on "the request arrived").
    arrived: Arc<tokio::sync::Notify>,
    ca_pem: String,
    dir: tempfile::TempDir,
}

impl Scripted {
    /// Starts both servers answering by `script`.
    async fn start(
        script: impl Fn(usize, &Seen, &Ports) -> Action + Send + Sync + 'static,
    ) -> Self {
        Self::start_with(false, script).await
    }

    /// `expired`: the server's certificate ended in 2001.
    async fn start_with(
        expired: bool,
        script: impl Fn(usize, &Seen, &Ports) -> Action + Send + Sync + 'static,
    ) -> Self {
        let script: Script = Arc::new(script);
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "scripted-ca");
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let mut sp =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        if expired {
            sp.not_before = rcgen::date_time_ymd(2000, 1, 1);
            sp.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = sp.signed_by(&key, &ca_cert, &ca_key).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).unwrap(),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let api = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let other = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ports = Ports {
            api: api.local_addr().unwrap().port(),
            other: other.local_addr().unwrap().port(),
        };
        let seen = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(tokio::sync::Notify::new());
        for (i, l) in [api, other].into_iter().enumerate() {
            let (acceptor, script, seen, arrived) = (
                acceptor.clone(),
                script.clone(),
                seen.clone(),
                arrived.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let Ok((tcp, _)) = l.accept().await else {
                        return;
                    };
                    let (acceptor, script, seen, arrived) = (
                        acceptor.clone(),
                        script.clone(),
                        seen.clone(),
                        arrived.clone(),
                    );
                    tokio::spawn(async move {
                        let Ok(tls) = acceptor.accept(tcp).await else {
                            return;
                        };
                        serve(i, tls, script, seen, arrived, ports).await;
                    });
                }
            });
        }
        Scripted {
            ports,
            seen,
            arrived,
            ca_pem: ca_cert.pem(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn clear(&self) {
        self.seen.lock().unwrap().clear();
    }

    /// A kubeconfig for the API server with a bearer token and impersonation.
    fn kubeconfig(&self) -> PathBuf {
        self.kubeconfig_with(
            &format!("https://127.0.0.1:{}", self.ports.api),
            &format!("    certificate-authority-data: {}\n", b64(&self.ca_pem)),
        )
    }

    /// A kubeconfig for `server` with `cluster` lines (CA, tls-server-name) of its own.
    fn kubeconfig_with(&self, server: &str, cluster: &str) -> PathBuf {
        let p = self.dir.path().join("config");
        std::fs::write(
            &p,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: {server}\n{cluster}contexts:\n- name: t\n  context: {{cluster: t, user: u}}\ncurrent-context: t\nusers:\n- name: u\n  user:\n    token: {TOKEN}\n    as: jane\n    as-groups: [team]\n"
            ),
        )
        .unwrap();
        p
    }

    /// Runs `program` with a hermetic environment (its own cache directory per program).
    async fn run(&self, program: &str, args: &[&str]) -> common::Output {
        let child = self.spawn(program, args);
        finish(child).await
    }

    fn spawn(&self, program: &str, args: &[&str]) -> tokio::process::Child {
        let kc = self.dir.path().join("config");
        if !kc.exists() {
            self.kubeconfig();
        }
        let cache = if program == common::ORACLE {
            "c-k"
        } else {
            "c-rs"
        };
        let mut c = tokio::process::Command::new(program);
        common::default_signals(&mut c);
        c.args(args)
            .env_clear()
            .env("HOME", self.dir.path())
            .env("KUBECONFIG", &kc)
            .env("KUBECACHEDIR", self.dir.path().join(cache))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap()
    }

    /// Runs kubectl-rs, and the oracle when installed; asserts both print and exit the same
    /// (after `normalize`), and that every request of each run matched `expected`.
    async fn both(
        &self,
        args: &[&str],
        normalize: fn(&str) -> String,
        expected: &[(usize, &str, &str)],
    ) -> common::Output {
        self.clear();
        let ours = self.run(env!("CARGO_BIN_EXE_kubectl-rs"), args).await;
        let ours_seen = self.seen();
        check_requests("kubectl-rs", &ours_seen, expected);
        let ours = common::Output {
            stdout: normalize(&ours.stdout),
            stderr: normalize(&ours.stderr),
            code: ours.code,
        };
        if let Some(k) = common::oracle() {
            self.clear();
            let theirs = self.run(k, args).await;
            check_requests("kubectl", &self.seen(), expected);
            let theirs = common::Output {
                stdout: normalize(&theirs.stdout),
                stderr: normalize(&theirs.stderr),
                code: theirs.code,
            };
            common::assert_same(&args.join(" "), &ours, &theirs);
        }
        ours
    }
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

async fn finish(child: tokio::process::Child) -> common::Output {
    let out = tokio::time::timeout(RUN_LIMIT, child.wait_with_output())
        .await
        .expect("command finished in time")
        .unwrap();
    common::Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Asserts the requests were exactly `expected` (server, method, path without query), in order.
#[track_caller]
fn check_requests(who: &str, seen: &[Seen], expected: &[(usize, &str, &str)]) {
    let got: Vec<(usize, String, String)> = seen
        .iter()
        .map(|s| {
            let p = s.path.split('?').next().unwrap_or("").to_string();
            (s.server, s.method.clone(), p)
        })
        .collect();
    let want: Vec<(usize, String, String)> = expected
        .iter()
        .map(|(s, m, p)| (*s, m.to_string(), p.to_string()))
        .collect();
    assert_eq!(got, want, "{who}: requests the servers saw");
}

fn same(s: &str) -> String {
    s.to_string()
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin + AsTcp>(
    server: usize,
    mut conn: S,
    script: Script,
    seen: Arc<Mutex<Vec<Seen>>>,
    arrived: Arc<tokio::sync::Notify>,
    ports: Ports,
) {
    // One request per connection (answers carry `Connection: close`).
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 1 << 20 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let path = first.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let mut chunk = [0u8; 4096];
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let req = Seen {
        server,
        method,
        path,
        headers,
        body,
    };
    let n = {
        let mut s = seen.lock().unwrap();
        s.push(req.clone());
        s.len() - 1
    };
    arrived.notify_one();
    match script(n, &req, &ports) {
        Action::Reply {
            code,
            content_type,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {code} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = conn.write_all(head.as_bytes()).await;
            let _ = conn.write_all(&body).await;
            let _ = conn.shutdown().await;
        }
        Action::Truncated { announced, body } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {announced}\r\nConnection: close\r\n\r\n"
            );
            let _ = conn.write_all(head.as_bytes()).await;
            let _ = conn.write_all(&body).await;
            let _ = conn.flush().await;
            let _ = conn.shutdown().await;
        }
        Action::Reset => {
            conn.reset();
        }
        Action::OpenStream => {
            let event = format!(
                "{{\"type\":\"MODIFIED\",\"object\":{}}}\n",
                cm_with_uid("b")
            );
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{event}\r\n",
                event.len()
            );
            let _ = conn.write_all(head.as_bytes()).await;
            let _ = conn.flush().await;
            let mut rest = [0u8; 1];
            let _ = tokio::time::timeout(HANG_LIMIT, conn.read(&mut rest)).await;
        }
        Action::Hang => {
            let mut rest = [0u8; 1];
            let _ = tokio::time::timeout(HANG_LIMIT, conn.read(&mut rest)).await;
        }
    }
}

/// Access to the TCP socket under a stream, to reset it.
trait AsTcp {
    fn reset(self);
}

impl AsTcp for tokio_rustls::server::TlsStream<tokio::net::TcpStream> {
    fn reset(self) {
        let (tcp, _) = self.into_inner();
        let _ = tcp.set_zero_linger();
        drop(tcp);
    }
}

/// Discovery of a server with only core/v1 configmaps (legacy documents: both clients accept
/// them), so that typed commands reach their object requests.
fn discovery(path: &str) -> Option<Action> {
    let body = match path.split('?').next().unwrap_or("") {
        "/api" => {
            r#"{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1:6443"}]}"#
        }
        "/apis" => r#"{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"#,
        "/api/v1" => {
            r#"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"shortNames":["cm"]}]}"#
        }
        _ => return None,
    };
    Some(reply(200, "application/json", body))
}

const DISCOVERY: [(usize, &str, &str); 3] = [
    (0, "GET", "/api"),
    (0, "GET", "/apis"),
    (0, "GET", "/api/v1"),
];

fn with_discovery<'a>(rest: &[(usize, &'a str, &'a str)]) -> Vec<(usize, &'a str, &'a str)> {
    let mut v = DISCOVERY.to_vec();
    v.extend_from_slice(rest);
    v
}

fn cm(name: &str) -> String {
    format!(
        r#"{{"kind":"ConfigMap","apiVersion":"v1","metadata":{{"name":"{name}","namespace":"default"}}}}"#
    )
}

/// A redirect loop ends after Go's 10 requests with Go's text; every hop on the server's own
/// origin keeps the credentials.
#[tokio::test]
async fn redirect_loops_stop_after_ten_requests() {
    let s = Scripted::start(|_, _, _| redirect(302, "/loop")).await;
    let expected = vec![(0, "GET", "/loop"); 10];
    let out = s
        .both(&["get", "--raw", "/start"], same, &{
            let mut e = vec![(0, "GET", "/start")];
            e.extend_from_slice(&expected[1..]);
            e
        })
        .await;
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.code),
        (
            "",
            "Unable to connect to the server: stopped after 10 redirects\n",
            1
        )
    );
    s.clear();
    s.run(
        env!("CARGO_BIN_EXE_kubectl-rs"),
        &["get", "--raw", "/start"],
    )
    .await;
    let seen = s.seen();
    assert!(seen.iter().all(
        |r| r.header("authorization") == Some(&format!("Bearer {TOKEN}"))
            && r.header("impersonate-user") == Some("jane")
    ));
}

/// A redirect to another origin is followed, but that origin sees neither the token nor the
/// impersonation headers, on any method and any redirect code. (kubectl's round trippers add
/// both again on every hop; here kubectl-rs is stricter, so only outputs are compared.)
#[tokio::test]
async fn cross_origin_redirects_carry_no_credentials() {
    let s = Scripted::start(|_, r, p| {
        if r.server == 1 {
            return reply(200, "application/json", &cm("moved"));
        }
        if let Some(a) = discovery(&r.path) {
            return a;
        }
        let code = if r.path.ends_with("/c307") { 307 } else { 302 };
        // Back to the API server through the other origin: both hops are checked.
        redirect(
            code,
            &format!(
                "https://127.0.0.1:{}/api/v1/namespaces/default/configmaps/moved",
                p.other
            ),
        )
    })
    .await;
    for (code, verb) in [("c302", "GET"), ("c307", "GET")] {
        let path = format!("/api/v1/namespaces/default/configmaps/{code}");
        s.clear();
        let ours = s
            .run(env!("CARGO_BIN_EXE_kubectl-rs"), &["get", "--raw", &path])
            .await;
        assert_eq!((ours.stderr.as_str(), ours.code), ("", 0), "{code}");
        assert_eq!(ours.stdout, cm("moved"));
        let seen = s.seen();
        check_requests(
            "kubectl-rs",
            &seen,
            &[
                (0, verb, &path),
                (1, verb, "/api/v1/namespaces/default/configmaps/moved"),
            ],
        );
        assert!(seen[0].has_credentials(), "{:?}", seen[0]);
        assert!(!seen[1].has_credentials(), "{code}: {:?}", seen[1].headers);
        if let Some(k) = common::oracle() {
            let theirs = s.run(k, &["get", "--raw", &path]).await;
            common::assert_same(code, &ours, &theirs);
        }
    }
    // A 307 repeats the method and body (a DELETE stays a DELETE), still without credentials.
    s.clear();
    let ours = s
        .run(
            env!("CARGO_BIN_EXE_kubectl-rs"),
            &["delete", "cm", "c307", "--wait=false"],
        )
        .await;
    let seen = s.seen();
    let moved: Vec<&Seen> = seen
        .iter()
        .filter(|r| r.server == 1 && r.method == "DELETE")
        .collect();
    assert_eq!(moved.len(), 1, "{seen:?}");
    let first = seen
        .iter()
        .find(|r| r.server == 0 && r.method == "DELETE")
        .unwrap();
    assert_eq!(moved[0].body, first.body, "a 307 repeats the body");
    assert!(seen
        .iter()
        .filter(|r| r.server == 1)
        .all(|r| !r.has_credentials()));
    // The other origin answered for another object: never reported as a success.
    assert_eq!(ours.code, 1, "{ours:?}");
    assert_eq!(
        ours.stderr,
        "error: the server returned configmaps \"moved\" instead of configmaps \"c307\"\n"
    );
}

/// A 500 whose body is not a Status: client-go's generic error with the body's text.
#[tokio::test]
async fn server_error_without_status() {
    let s = Scripted::start(|_, _, _| reply(500, "text/plain", "boom <html>")).await;
    let out = s
        .both(&["get", "--raw", "/x"], same, &[(0, "GET", "/x")])
        .await;
    assert_eq!(
        out.stderr,
        "Error from server (InternalError): an error on the server (\"boom <html>\") has prevented the request from succeeding\n"
    );
    assert_eq!(out.code, 1);
}

/// `--request-timeout` against a server that never answers: kubectl's text for a timeout while
/// awaiting headers, one request, exit 1.
#[tokio::test]
async fn hanging_server_with_request_timeout() {
    let s = Scripted::start(|_, _, _| Action::Hang).await;
    // kubectl's own client races two timers here and prints one of three texts.
    let texts = [
        "Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)\n",
        "Unable to connect to the server: context deadline exceeded (Client.Timeout exceeded while awaiting headers)\n",
        "Unable to connect to the server: context deadline exceeded\n",
    ];
    let args = ["get", "--raw", "/x", "--request-timeout=1s"];
    let ours = s.run(env!("CARGO_BIN_EXE_kubectl-rs"), &args).await;
    assert_eq!(
        (ours.stdout.as_str(), ours.stderr.as_str(), ours.code),
        ("", texts[0], 1)
    );
    assert_eq!(s.seen().len(), 1);
    if let Some(k) = common::oracle() {
        let theirs = s.run(k, &args).await;
        assert!(texts.contains(&theirs.stderr.as_str()), "{theirs:?}");
        assert_eq!((theirs.stdout.as_str(), theirs.code), ("", 1));
    }
}

/// Without `--request-timeout` a hanging server is waited for; a SIGINT ends the wait as it
/// ends kubectl's: killed by the signal, nothing printed.
#[tokio::test]
async fn hanging_server_is_interruptible() {
    let s = Scripted::start(|_, _, _| Action::Hang).await;
    let mut programs = vec![env!("CARGO_BIN_EXE_kubectl-rs")];
    programs.extend(common::oracle());
    for p in programs {
        s.clear();
        let arrived = s.arrived.notified();
        let child = s.spawn(p, &["get", "--raw", "/x"]);
        tokio::time::timeout(RUN_LIMIT, arrived).await.unwrap();
        signal(&child, "INT");
        let out = tokio::time::timeout(RUN_LIMIT, child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(2), "{p}");
        assert_eq!((out.stdout.len(), out.stderr.len()), (0, 0), "{p}");
        assert_eq!(s.seen().len(), 1);
    }
}

fn signal(child: &tokio::process::Child, sig: &str) {
    let pid = child.id().expect("running").to_string();
    let ok = std::process::Command::new("kill")
        .args([&format!("-{sig}"), &pid])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

/// A body shorter than its Content-Length: `get --raw` prints what came, then Go's
/// `unexpected EOF`.
#[tokio::test]
async fn truncated_bodies() {
    let s = Scripted::start(|_, r, _| {
        if let Some(a) = discovery(&r.path) {
            return a;
        }
        Action::Truncated {
            announced: 500,
            body: br#"{"kind":"ConfigMap""#.to_vec(),
        }
    })
    .await;
    let out = s
        .both(&["get", "--raw", "/x"], same, &[(0, "GET", "/x")])
        .await;
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.code),
        (r#"{"kind":"ConfigMap""#, "error: unexpected EOF\n", 1)
    );
    // Typed requests: client-go logs the error (klog, timestamp masked) and asks to retry.
    let out = s
        .both(
            &["get", "cm", "x", "-o", "name"],
            mask_klog,
            &with_discovery(&[(0, "GET", "/api/v1/namespaces/default/configmaps/x")]),
        )
        .await;
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.code),
        ("", "E0000 00:00:00.000000       0 request.go:0] \"Unexpected error when reading response body\" err=\"unexpected EOF\"\nerror: unexpected error when reading response body. Please retry. Original error: unexpected EOF\n", 1)
    );
}

/// klog headers (`E1206 14:39:10.214725    6064 request.go:1360]`) with time, pid and line masked.
fn mask_klog(s: &str) -> String {
    s.lines()
        .map(|l| {
            let b = l.as_bytes();
            let is_klog = b.len() > 30
                && matches!(b[0], b'E' | b'W' | b'I')
                && b[1..5].iter().all(u8::is_ascii_digit)
                && l.contains("] ");
            if !is_klog {
                return format!("{l}\n");
            }
            let (head, msg) = l.split_once("] ").unwrap();
            let file = head.rsplit(' ').next().unwrap_or("");
            let file = file.split(':').next().unwrap_or("");
            format!("{}0000 00:00:00.000000       0 {file}:0] {msg}\n", &l[..1])
        })
        .collect()
}

/// A connection reset before any answer: kubectl's text, exit 1, one request (nothing retried:
/// the connection was new).
#[tokio::test]
async fn connection_reset() {
    let s = Scripted::start(|_, _, _| Action::Reset).await;
    let out = s
        .both(&["get", "--raw", "/x"], mask_ports, &[(0, "GET", "/x")])
        .await;
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.code),
        ("", "Unable to connect to the server: read tcp 127.0.0.1:0: read: connection reset by peer\n", 1)
    );
}

/// `127.0.0.1:12345` → `127.0.0.1:0`; Go's `read tcp LOCAL->REMOTE` loses `LOCAL` (kubectl-rs
/// does not know its local port and prints Go's form without it).
fn mask_ports(s: &str) -> String {
    mask_port_numbers(s).replace("127.0.0.1:0->127.0.0.1:0", "127.0.0.1:0")
}

fn mask_port_numbers(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("127.0.0.1:") {
        out.push_str(&rest[..i + 10]);
        rest = &rest[i + 10..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        out.push('0');
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// Waits until a request matching `pred` has reached the server.
async fn until_seen(s: &Scripted, pred: impl Fn(&Seen) -> bool) {
    tokio::time::timeout(RUN_LIMIT, async {
        loop {
            let notified = s.arrived.notified();
            if s.seen().iter().any(&pred) {
                return;
            }
            notified.await;
        }
    })
    .await
    .expect("request arrived in time");
}

/// v1.36 names the namespace in `delete`'s line, v1.33 (the oracle here) does not.
fn v133_delete_lines(s: &str) -> String {
    s.replace(" deleted from default namespace\n", " deleted\n")
}

fn cm_with_uid(name: &str) -> String {
    format!(
        r#"{{"kind":"ConfigMap","apiVersion":"v1","metadata":{{"name":"{name}","namespace":"default","uid":"uid-{name}","resourceVersion":"7","finalizers":["x/y"]}}}}"#
    )
}

/// Deleting several objects, interrupted while the server works on the fourth: the lines
/// printed are exactly the three objects the server deleted, as with kubectl (killed by the
/// signal, its lines already written).
#[tokio::test]
async fn interrupted_delete_prints_exactly_what_was_deleted() {
    let s = Scripted::start(|_, r, _| {
        if let Some(a) = discovery(&r.path) {
            return a;
        }
        let name = r.path.split('?').next().unwrap().rsplit('/').next().unwrap();
        match r.method.as_str() {
            "DELETE" if name == "d" => Action::Hang,
            "DELETE" => reply(
                200,
                "application/json",
                &format!(r#"{{"kind":"Status","apiVersion":"v1","metadata":{{}},"status":"Success","details":{{"name":"{name}","kind":"configmaps","uid":"uid-{name}"}}}}"#),
            ),
            _ => reply(200, "application/json", &cm_with_uid(name)),
        }
    })
    .await;
    let mut programs = vec![env!("CARGO_BIN_EXE_kubectl-rs")];
    programs.extend(common::oracle());
    let mut outputs = Vec::new();
    for p in programs {
        s.clear();
        let child = s.spawn(
            p,
            &["delete", "cm", "a", "b", "c", "d", "e", "--wait=false"],
        );
        until_seen(&s, |r| {
            r.method == "DELETE" && r.path.ends_with("/configmaps/d")
        })
        .await;
        signal(&child, "INT");
        let out = tokio::time::timeout(RUN_LIMIT, child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(2), "{p}");
        let deleted: Vec<String> = s
            .seen()
            .iter()
            .filter(|r| r.method == "DELETE")
            .map(|r| r.path.rsplit('/').next().unwrap().to_string())
            .collect();
        assert_eq!(deleted, ["a", "b", "c", "d"], "{p}");
        let stdout = v133_delete_lines(&String::from_utf8_lossy(&out.stdout));
        assert_eq!(
            stdout, "configmap \"a\" deleted\nconfigmap \"b\" deleted\nconfigmap \"c\" deleted\n",
            "{p}"
        );
        outputs.push((stdout, String::from_utf8_lossy(&out.stderr).into_owned()));
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]), "{outputs:?}");
}

/// `delete --wait` interrupted while waiting for the finalizer: the line of the deletion is
/// out, then kubectl's interrupt handler exits 1 without a message.
#[tokio::test]
async fn interrupted_delete_wait() {
    let s = Scripted::start(|_, r, _| {
        if let Some(a) = discovery(&r.path) {
            return a;
        }
        if r.path.contains("watch=true") {
            return Action::Hang;
        }
        let path = r.path.split('?').next().unwrap();
        if path.ends_with("/configmaps") {
            return reply(
                200,
                "application/json",
                &format!(
                    r#"{{"kind":"ConfigMapList","apiVersion":"v1","metadata":{{"resourceVersion":"7"}},"items":[{}]}}"#,
                    cm_with_uid("a")
                ),
            );
        }
        reply(200, "application/json", &cm_with_uid("a"))
    })
    .await;
    let mut programs = vec![env!("CARGO_BIN_EXE_kubectl-rs")];
    programs.extend(common::oracle());
    let mut outputs = Vec::new();
    for p in programs {
        s.clear();
        let child = s.spawn(p, &["delete", "cm", "a"]);
        until_seen(&s, |r| r.path.contains("watch=true")).await;
        signal(&child, "INT");
        let out = finish(child).await;
        let out = common::Output {
            stdout: v133_delete_lines(&out.stdout),
            ..out
        };
        assert_eq!(
            (out.stdout.as_str(), out.stderr.as_str(), out.code),
            ("configmap \"a\" deleted\n", "", 1),
            "{p}"
        );
        outputs.push(out);
    }
}

/// TLS and connection failures read as kubectl's, compared with the oracle on the same
/// misconfigured kubeconfigs; no request reaches the server.
#[tokio::test]
async fn tls_and_connection_errors() {
    let s = Scripted::start(|_, _, _| reply(200, "application/json", "{}")).await;
    let expired = Scripted::start_with(true, |_, _, _| reply(200, "application/json", "{}")).await;
    let other_ca = {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name
            .push(rcgen::DnType::CommonName, "another-ca");
        p.self_signed(&KeyPair::generate().unwrap()).unwrap().pem()
    };
    // Another CA of the same name (a cluster re-created): Go names the candidate it tried.
    let same_name_ca = {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name
            .push(rcgen::DnType::CommonName, "scripted-ca");
        p.self_signed(&KeyPair::generate().unwrap()).unwrap().pem()
    };
    let api = format!("https://127.0.0.1:{}", s.ports.api);
    let ca = format!("    certificate-authority-data: {}\n", b64(&s.ca_pem));
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cases: Vec<(&Scripted, String, String, String)> = vec![
        (
            &s,
            api.clone(),
            format!("    certificate-authority-data: {}\n", b64(&other_ca)),
            "Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority\n".into(),
        ),
        (
            &s,
            api.clone(),
            format!("    certificate-authority-data: {}\n", b64(&same_name_ca)),
            "Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of \"x509: ECDSA verification failure\" while trying to verify candidate authority certificate \"scripted-ca\")\n".into(),
        ),
        (
            &s,
            api.clone(),
            format!("{ca}    tls-server-name: wrong.example\n"),
            "Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for localhost, not wrong.example\n".into(),
        ),
        (
            &s,
            format!("https://localhost:{}", s.ports.api),
            format!("{ca}    tls-server-name: 10.0.0.1\n"),
            "Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for 127.0.0.1, not 10.0.0.1\n".into(),
        ),
        (
            &expired,
            format!("https://127.0.0.1:{}", expired.ports.api),
            format!("    certificate-authority-data: {}\n", b64(&expired.ca_pem)),
            "Unable to connect to the server: tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time NOW is after 2001-01-01T00:00:00Z\n".into(),
        ),
        (
            &s,
            format!("https://127.0.0.1:{closed}"),
            ca.clone(),
            format!("The connection to the server 127.0.0.1:{closed} was refused - did you specify the right host or port?\n"),
        ),
    ];
    for (server, url, cluster, want) in cases {
        server.kubeconfig_with(&url, &cluster);
        server.clear();
        let ours = server
            .run(
                env!("CARGO_BIN_EXE_kubectl-rs"),
                &["get", "--raw", "/version"],
            )
            .await;
        let ours = common::Output {
            stderr: mask_now(&ours.stderr),
            ..ours
        };
        assert_eq!(
            (ours.stdout.as_str(), ours.stderr.as_str(), ours.code),
            ("", want.as_str(), 1)
        );
        if let Some(k) = common::oracle() {
            let theirs = server.run(k, &["get", "--raw", "/version"]).await;
            let theirs = common::Output {
                stderr: mask_now(&theirs.stderr),
                ..theirs
            };
            common::assert_same(&cluster, &ours, &theirs);
        }
        assert!(server.seen().is_empty(), "{:?}", server.seen());
    }
}

/// `current time 2026-12-06T15:04:05Z is` → `current time NOW is`.
fn mask_now(s: &str) -> String {
    match s.split_once("current time ") {
        Some((a, b)) => match b.split_once(" is ") {
            Some((_, rest)) => format!("{a}current time NOW is {rest}"),
            None => s.to_string(),
        },
        None => s.to_string(),
    }
}

/// A 2xx answer in HTML where an object is expected: client-go has no decoder for it.
#[tokio::test]
async fn html_where_an_object_is_expected() {
    let s = Scripted::start(|_, r, _| {
        discovery(&r.path).unwrap_or_else(|| reply(200, "text/html", "<html>hi</html>"))
    })
    .await;
    let get = (0, "GET", "/api/v1/namespaces/default/configmaps/x");
    // The second run reads discovery from the cache the first one wrote (both clients).
    for (i, args) in [
        &["get", "cm", "x", "-o", "json"][..],
        &["get", "cm", "x"][..],
    ]
    .into_iter()
    .enumerate()
    {
        let expected = if i == 0 {
            with_discovery(&[get])
        } else {
            vec![get]
        };
        let out = s.both(args, same, &expected).await;
        assert_eq!(
            (out.stdout.as_str(), out.stderr.as_str(), out.code),
            ("", "error: serializer for text/html doesn't exist\n", 1)
        );
    }
}

/// 429 and 5xx answers with Retry-After are tried again as client-go does (at most 10
/// retries), as kubectl against the same server.
#[tokio::test]
async fn retry_after_is_honoured() {
    let s = Scripted::start(|n, _, _| {
        let busy = |code| Action::Reply {
            code,
            content_type: "application/json",
            headers: vec![("Retry-After".into(), "0".into())],
            body: format!(r#"{{"kind":"Status","apiVersion":"v1","metadata":{{}},"status":"Failure","message":"busy","reason":"TooManyRequests","code":{code}}}"#).into_bytes(),
        };
        match n {
            0 => busy(429),
            1 => busy(503),
            _ => reply(200, "application/json", r#"{"major":"1"}"#),
        }
    })
    .await;
    let out = s
        .both(
            &["get", "--raw", "/version"],
            same,
            &[(0, "GET", "/version"); 3],
        )
        .await;
    assert_eq!((out.stdout.as_str(), out.code), (r#"{"major":"1"}"#, 0));
}

/// `get -w` interrupted: what was listed is out. While the watch request still awaits its
/// answer both clients die by the signal; once the watch is open, kubectl's interrupt
/// handler ends it with exit 1 and no message.
#[tokio::test]
async fn interrupted_get_watch() {
    for open in [false, true] {
        let s = Scripted::start(move |_, r, _| {
            if let Some(a) = discovery(&r.path) {
                return a;
            }
            if r.path.contains("watch=true") {
                return if open { Action::OpenStream } else { Action::Hang };
            }
            reply(
                200,
                "application/json",
                &format!(
                    r#"{{"kind":"ConfigMapList","apiVersion":"v1","metadata":{{"resourceVersion":"7"}},"items":[{}]}}"#,
                    cm_with_uid("a")
                ),
            )
        })
        .await;
        let mut programs = vec![env!("CARGO_BIN_EXE_kubectl-rs")];
        programs.extend(common::oracle());
        for p in programs {
            s.clear();
            let mut child = s.spawn(p, &["get", "cm", "-w", "-o", "name"]);
            let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
            let mut printed = String::new();
            until_seen(&s, |r| r.path.contains("watch=true")).await;
            if open {
                // Once the event is printed the client is inside its watch loop.
                while !printed.ends_with("configmap/b\n") {
                    let mut line = String::new();
                    let n = tokio::time::timeout(RUN_LIMIT, stdout.read_line(&mut line))
                        .await
                        .unwrap()
                        .unwrap();
                    assert!(n > 0, "{p}: {printed}");
                    printed.push_str(&line);
                }
            }
            signal(&child, "INT");
            let out = tokio::time::timeout(RUN_LIMIT, child.wait_with_output())
                .await
                .unwrap()
                .unwrap();
            tokio::io::AsyncReadExt::read_to_string(&mut stdout, &mut printed)
                .await
                .unwrap();
            use std::os::unix::process::ExitStatusExt;
            let status = (out.status.code(), out.status.signal());
            // Before the watch answers, whether the interrupt handler is already in place
            // is a race (in both clients): killed by the signal, or exit 1 without a word.
            if open {
                assert_eq!(status, (Some(1), None), "{p} open={open}");
            } else {
                assert!(
                    status == (None, Some(2)) || status == (Some(1), None),
                    "{p} open={open}: {status:?}"
                );
            }
            let want_out = if open {
                "configmap/a\nconfigmap/b\n"
            } else {
                "configmap/a\n"
            };
            assert_eq!(
                (
                    printed.as_str(),
                    String::from_utf8_lossy(&out.stderr).as_ref()
                ),
                (want_out, ""),
                "{p}"
            );
        }
    }
}

/// Error answers that are not a Status: client-go's generic error for each code, with the
/// body's text only when the body is text (capped), else `unknown`.
#[tokio::test]
async fn error_answers_without_status() {
    let codes = [
        400u16, 401, 403, 404, 405, 406, 409, 410, 415, 422, 429, 500, 502, 503, 504, 418,
    ];
    let s = Scripted::start(move |_, r, _| {
        let code: u16 = r
            .path
            .trim_start_matches("/e/")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        match r.path.rsplit('/').next().unwrap() {
            "json" => reply(code, "application/json", r#"{"a":1}"#),
            "long" => reply(code, "text/plain", &"x".repeat(3000)),
            _ => reply(code, "text/plain; charset=utf-8", " nope\n"),
        }
    })
    .await;
    let mut texts = std::collections::BTreeMap::new();
    for code in codes {
        for kind in ["text", "json", "long"] {
            let path = format!("/e/{code}/{kind}");
            let out = s
                .both(&["get", "--raw", &path], same, &[(0, "GET", &path)])
                .await;
            assert_eq!((out.stdout.as_str(), out.code), ("", 1));
            texts.insert(path, out.stderr);
        }
    }
    // As kubectl printed them (see above when it is installed).
    for (path, want) in [
        ("/e/403/text", "Error from server (Forbidden): nope\n"),
        ("/e/406/json", "Error from server (NotAcceptable): the server was unable to respond with a content type that the client supports\n"),
        ("/e/410/text", "Error from server: the server responded with the status code 410 but did not return more information\n"),
        ("/e/422/text", "The request is invalid: : nope\n"),
        ("/e/500/json", "Error from server (InternalError): an error on the server (\"unknown\") has prevented the request from succeeding\n"),
        ("/e/503/text", "Error from server (ServiceUnavailable): the server is currently unable to handle the request\n"),
    ] {
        assert_eq!(texts[path], want, "{path}");
    }
    let long = &texts["/e/502/long"];
    assert_eq!(
        long.matches('x').count(),
        2048,
        "the body is quoted up to 2048 bytes"
    );
}

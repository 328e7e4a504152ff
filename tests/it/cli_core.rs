//! End-to-end tests of the CLI core against a small in-test HTTPS API server (rcgen
//! certificates, rustls, axum): kubeconfig → TLS/auth → client → discovery → commands, and the
//! binary's error texts and exit codes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Router};
use kubectl_rs::client::ApiPath;
use kubectl_rs::cmd::{self, flags::GlobalArgs};
use kubectl_rs::context::{Context, Env, Io};
use kubectl_rs::error::render;
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const GOOD_TOKEN: &str = "good-token-s3cr3t";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path_and_query: String,
    headers: HeaderMap,
    client_cert: bool,
    version: axum::http::Version,
}

#[derive(Clone, Default)]
struct ServerState {
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Add a `Warning` header to every answer.
    warn: Arc<std::sync::atomic::AtomicBool>,
    /// Answer discovery like a pre-aggregation server.
    legacy: Arc<std::sync::atomic::AtomicBool>,
}

#[derive(Clone, Copy)]
struct HasClientCert(bool);

/// PEM material of the test PKI.
struct Pki {
    ca_pem: String,
    server_cert: rcgen::Certificate,
    server_key: KeyPair,
    client_cert_pem: String,
    client_key_pem: String,
    other_ca_pem: String,
}

fn pki() -> Pki {
    let ca = |cn: &str| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, cn);
        let k = KeyPair::generate().unwrap();
        let c = p.self_signed(&k).unwrap();
        (c, k)
    };
    let (ca_cert, ca_key) = ca("test-ca");
    let (other_ca, _) = ca("other-ca");
    let sp =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = sp.signed_by(&server_key, &ca_cert, &ca_key).unwrap();
    let mut cp = CertificateParams::new(Vec::<String>::new()).unwrap();
    cp.distinguished_name.push(DnType::CommonName, "jane");
    cp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_key = KeyPair::generate().unwrap();
    let client_cert = cp.signed_by(&client_key, &ca_cert, &ca_key).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server_cert,
        server_key,
        client_cert_pem: client_cert.pem(),
        client_key_pem: client_key.serialize_pem(),
        other_ca_pem: other_ca.pem(),
    }
}

fn json_response(code: StatusCode, content_type: &str, body: String) -> Response {
    Response::builder()
        .status(code)
        .header("Content-Type", content_type)
        .body(Body::from(body))
        .unwrap()
}

async fn handler(
    State(st): State<ServerState>,
    Extension(cert): Extension<HasClientCert>,
    req: Request,
) -> Response {
    let pq = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    st.seen.lock().unwrap().push(Seen {
        path_and_query: pq.clone(),
        headers: req.headers().clone(),
        client_cert: cert.0,
        version: req.version(),
    });
    let authed = cert.0
        || req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            == Some(&format!("Bearer {GOOD_TOKEN}"));
    if !authed {
        return json_response(
            StatusCode::UNAUTHORIZED,
            "application/json",
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#.into(),
        );
    }
    let mut resp = route(req, st.legacy.load(std::sync::atomic::Ordering::SeqCst)).await;
    if st.warn.load(std::sync::atomic::Ordering::SeqCst) {
        resp.headers_mut().append(
            "Warning",
            r#"299 - "v1 Thing is deprecated""#.parse().unwrap(),
        );
    }
    resp
}

async fn route(req: Request, legacy: bool) -> Response {
    let agg = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    let json = "application/json";
    if legacy {
        let file = match req.uri().path() {
            "/api" => Some("discovery-api.json"),
            "/apis" => Some("discovery-apis.json"),
            "/api/v1" => Some("discovery-v1-resources.json"),
            "/apis/apps/v1" => Some("discovery-apps-v1-resources.json"),
            _ => None,
        };
        if let Some(f) = file {
            return json_response(StatusCode::OK, json, fixture(&format!("reference/{f}")));
        }
    }
    match req.uri().path() {
        "/api" => json_response(
            StatusCode::OK,
            agg,
            fixture("reference/discovery-api-aggregated.json"),
        ),
        "/apis" => json_response(
            StatusCode::OK,
            agg,
            fixture("reference/discovery-apis-aggregated.json"),
        ),
        "/version" => json_response(
            StatusCode::OK,
            "application/json",
            fixture("reference/version.json"),
        ),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            json_response(StatusCode::OK, "application/json", "{}".into())
        }
        "/api/v1/namespaces/default/pods" => {
            let lines = concat!(
                r#"{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a"}}}"#,
                "\n",
                r#"{"type":"DELETED","object":{"kind":"Pod","metadata":{"name":"a"}}}"#,
                "\n",
            );
            json_response(StatusCode::OK, "application/json", lines.into())
        }
        _ => json_response(
            StatusCode::NOT_FOUND,
            "application/json",
            fixture("reference/error-notfound.json"),
        ),
    }
}

/// A running test API server.
struct TestServer {
    port: u16,
    state: ServerState,
    pki: Arc<Pki>,
}

impl TestServer {
    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }
    fn clear(&self) {
        self.state.seen.lock().unwrap().clear();
    }
}

async fn start_server() -> TestServer {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::service::TowerToHyperService;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let pki = Arc::new(pki());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(pki.ca_pem.as_bytes()).unwrap())
        .unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .allow_unauthenticated()
    .build()
    .unwrap();
    let key = PrivateKeyDer::from_pem_slice(pki.server_key.serialize_pem().as_bytes()).unwrap();
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![pki.server_cert.der().clone()], key)
        .unwrap();
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = ServerState::default();
    let router = Router::new().fallback(handler).with_state(state.clone());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let router = router.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let has_cert = tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .is_some_and(|c| !c.is_empty());
                let svc =
                    TowerToHyperService::new(router.layer(Extension(HasClientCert(has_cert))));
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    TestServer { port, state, pki }
}

/// A temp home with a kubeconfig aimed at the server.
struct Env0 {
    dir: tempfile::TempDir,
}

impl Env0 {
    fn new() -> Env0 {
        Env0 {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
    fn env(&self, kubeconfig: &Path) -> Env {
        Env::from_pairs([
            ("HOME", self.path().to_str().unwrap()),
            ("KUBECONFIG", kubeconfig.to_str().unwrap()),
            ("KUBECACHEDIR", self.path().join("cache").to_str().unwrap()),
        ])
    }
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn kubeconfig(server: &TestServer, cluster_extra: &str, user: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: https://127.0.0.1:{}\n{cluster_extra}contexts:\n- name: test\n  context: {{cluster: test, user: u}}\ncurrent-context: test\nusers:\n- name: u\n  user:\n{user}",
        server.port
    )
}

fn ca_data(server: &TestServer) -> String {
    format!(
        "    certificate-authority-data: {}\n",
        b64(&server.pki.ca_pem)
    )
}

/// Runs a command line in-process; returns (stdout, stderr, exit code).
async fn run(env: Env, args: &[&str]) -> (String, String, i32) {
    let o = cmd::run_args(args, env).await;
    (o.stdout, o.stderr, o.code)
}

#[tokio::test]
async fn token_auth_headers_and_golden_output() {
    let s = start_server().await;
    let e = Env0::new();
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), &format!("    token: {GOOD_TOKEN}\n")),
    );
    let (out, err, code) = run(e.env(&kc), &["api-versions"]).await;
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(out, fixture("kubectl-1.33/api-versions.stdout"));
    let seen = s.seen();
    assert_eq!(seen[0].path_and_query, "/api?timeout=32s");
    assert_eq!(seen[1].path_and_query, "/apis?timeout=32s");
    let h = &seen[0].headers;
    assert_eq!(h["kubectl-command"], "kubectl api-versions");
    assert_eq!(h["kubectl-session"].len(), 36);
    assert!(h["user-agent"]
        .to_str()
        .unwrap()
        .starts_with("kubectl-rs/v"));
    assert!(h["accept"]
        .to_str()
        .unwrap()
        .starts_with("application/json;g=apidiscovery.k8s.io;v=v2"));
    // HTTP/2 when the server offers it (ALPN), gzip asked for.
    assert_eq!(seen[0].version, axum::http::Version::HTTP_2);
    assert_eq!(h["accept-encoding"], "gzip");
    // One session for the whole run.
    assert_eq!(
        seen[0].headers["kubectl-session"],
        seen[1].headers["kubectl-session"]
    );
    let (out, _, code) = run(e.env(&kc), &["api-resources"]).await;
    assert_eq!(code, 0);
    assert_eq!(out, fixture("kubectl-1.33/api-resources.stdout"));
}

#[tokio::test]
async fn impersonation_and_version() {
    let s = start_server().await;
    let e = Env0::new();
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), &format!("    token: {GOOD_TOKEN}\n")),
    );
    let (out, err, code) = run(
        e.env(&kc),
        &["version", "--as=jane", "--as-group=a", "--as-group=b"],
    )
    .await;
    assert_eq!((err.as_str(), code), ("", 0), "{out}");
    assert!(out.ends_with("Server Version: v1.36.2\n"), "{out}");
    let h = &s.seen()[0].headers;
    assert_eq!(h["impersonate-user"], "jane");
    let groups: Vec<_> = h
        .get_all("impersonate-group")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert_eq!(groups, ["a", "b"]);
}

#[tokio::test]
async fn client_certificate_files_relative_to_kubeconfig() {
    let s = start_server().await;
    let e = Env0::new();
    std::fs::create_dir(e.path().join("pki")).unwrap();
    e.write("pki/ca.crt", &s.pki.ca_pem);
    e.write("pki/jane.crt", &s.pki.client_cert_pem);
    e.write("pki/jane.key", &s.pki.client_key_pem);
    let kc = e.write(
        "config",
        &kubeconfig(
            &s,
            "    certificate-authority: pki/ca.crt\n",
            "    client-certificate: pki/jane.crt\n    client-key: pki/jane.key\n",
        ),
    );
    let (_, err, code) = run(e.env(&kc), &["version"]).await;
    assert_eq!((err.as_str(), code), ("", 0));
    assert!(s.seen()[0].client_cert);
    assert!(s.seen()[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn wrong_ca_missing_files_and_insecure() {
    let s = start_server().await;
    let e = Env0::new();
    let user = format!("    token: {GOOD_TOKEN}\n");
    let bad_ca = format!(
        "    certificate-authority-data: {}\n",
        b64(&s.pki.other_ca_pem)
    );
    let kc = e.write("config", &kubeconfig(&s, &bad_ca, &user));
    let (_, err, code) = run(e.env(&kc), &["version"]).await;
    assert_eq!(code, 1);
    assert!(err.ends_with("Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority\n"), "{err}");
    // --insecure-skip-tls-verify drops the CA and skips verification.
    let (_, err, code) = run(e.env(&kc), &["version", "--insecure-skip-tls-verify"]).await;
    assert_eq!((err.as_str(), code), ("", 0));
    // A CA file that does not exist.
    let kc = e.write(
        "config2",
        &kubeconfig(&s, "    certificate-authority: nope/ca.crt\n", &user),
    );
    let (_, err, code) = run(e.env(&kc), &["version"]).await;
    assert_eq!(code, 1);
    let missing = e.path().join("nope/ca.crt");
    assert_eq!(
        err,
        format!(
            "error: unable to read certificate-authority {} for test due to open {}: no such file or directory\n",
            missing.display(),
            missing.display()
        )
    );
}

/// With no certificate-authority in the kubeconfig the system's roots are trusted, as Go's
/// crypto/x509 does (here the system bundle is named by SSL_CERT_FILE, which Go also honours).
#[tokio::test]
async fn system_roots_when_no_ca_is_configured() {
    let s = start_server().await;
    let e = Env0::new();
    let kc = e.write(
        "config",
        &kubeconfig(&s, "", &format!("    token: {GOOD_TOKEN}\n")),
    );
    let run_with_bundle = |bundle: PathBuf| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_kubectl-rs"))
            .arg("api-versions")
            .env_clear()
            .env("HOME", e.path())
            .env("KUBECONFIG", &kc)
            .env("KUBECACHEDIR", e.path().join("cache"))
            .env("SSL_CERT_FILE", bundle)
            .env("SSL_CERT_DIR", e.path().join("no-such-dir"))
            .output()
    };
    let trusted = run_with_bundle(e.write("bundle.pem", &s.pki.ca_pem))
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&trusted.stderr);
    assert_eq!((err.as_ref(), trusted.status.code()), ("", Some(0)));
    assert!(String::from_utf8_lossy(&trusted.stdout).contains("v1\n"));
    let other = run_with_bundle(e.write("other.pem", &s.pki.other_ca_pem))
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&other.stderr);
    assert_eq!(other.status.code(), Some(1));
    assert!(err.ends_with("Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority\n"), "{err}");
}

#[tokio::test]
async fn tls_server_name() {
    let s = start_server().await;
    let e = Env0::new();
    let user = format!("    token: {GOOD_TOKEN}\n");
    let kc = e.write(
        "config",
        &kubeconfig(
            &s,
            &format!("{}    tls-server-name: localhost\n", ca_data(&s)),
            &user,
        ),
    );
    let (_, err, code) = run(e.env(&kc), &["version"]).await;
    assert_eq!((err.as_str(), code), ("", 0));
    let (_, err, code) = run(e.env(&kc), &["version", "--tls-server-name=wrong.example"]).await;
    assert_eq!(code, 1);
    assert_eq!(err, "Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for localhost, not wrong.example\n");
}

#[tokio::test]
async fn unauthorized_and_not_found_statuses() {
    let s = start_server().await;
    let e = Env0::new();
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), "    token: wrong\n"),
    );
    let (_, err, code) = run(e.env(&kc), &["api-versions"]).await;
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: You must be logged in to the server (Unauthorized)\n"
    );
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), &format!("    token: {GOOD_TOKEN}\n")),
    );
    let (io, _, _) = Io::buffered();
    let ctx = Context::new(GlobalArgs::default(), e.env(&kc), io, "kubectl get");
    let err = ctx
        .client()
        .unwrap()
        .get_json(&ApiPath::raw("/api/v1/namespaces/default/pods/nope").unwrap())
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        render(&err.into()).stderr,
        "Error from server (NotFound): daemonsets.apps \"nope\" not found\n"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn exec_plugin_runs_again_when_expired() {
    use std::os::unix::fs::PermissionsExt;
    let s = start_server().await;
    let e = Env0::new();
    let script = e.write(
        "plugin.sh",
        &format!(
            "#!/bin/sh\necho run >> \"$(dirname \"$0\")/runs\"\nprintf '{{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"status\":{{\"token\":\"{GOOD_TOKEN}\",\"expirationTimestamp\":\"%s\"}}}}' \"$EXPIRES\"\n"
        ),
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let user = |expires: &str| {
        format!("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ./plugin.sh\n      env:\n      - name: EXPIRES\n        value: \"{expires}\"\n")
    };
    let runs = || {
        std::fs::read_to_string(e.path().join("runs"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    };
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), &user("2000-01-01T00:00:00Z")),
    );
    let (_, err, code) = run(e.env(&kc), &["api-versions"]).await;
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(
        runs(),
        2,
        "expired credentials are fetched again for each request"
    );
    std::fs::remove_file(e.path().join("runs")).unwrap();
    std::fs::remove_dir_all(e.path().join("cache")).unwrap();
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), &user("2999-01-01T00:00:00Z")),
    );
    let (_, err, code) = run(e.env(&kc), &["api-versions"]).await;
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(runs(), 1, "valid credentials are cached for the run");
    // A missing plugin: client-go's wording.
    let kc = e.write("config", &kubeconfig(&s, &ca_data(&s), "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: kubectl-rs-test-missing-plugin\n      interactiveMode: Never\n"));
    let (_, err, code) = run(e.env(&kc), &["version"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("Unable to connect to the server: getting credentials: exec: executable kubectl-rs-test-missing-plugin not found\n\nIt looks like you are trying to use a client-go credential plugin that is not installed."), "{err}");
}

#[tokio::test]
async fn verbose_logs_mask_the_token() {
    let s = start_server().await;
    let e = Env0::new();
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), &format!("    token: {GOOD_TOKEN}\n")),
    );
    let (_, err, code) = run(e.env(&kc), &["version", "-v=8"]).await;
    assert_eq!(code, 0);
    assert!(err.contains("Authorization: Bearer <masked>"), "{err}");
    assert!(!err.contains(GOOD_TOKEN), "{err}");
    assert!(err.contains("\"Response Body\" body=\"{"), "{err}");
    let (_, err, _) = run(e.env(&kc), &["version", "-v=6"]).await;
    let line = err
        .lines()
        .find(|l| l.contains("round_trippers.go"))
        .unwrap();
    assert!(line.contains(&format!("\"Response\" verb=\"GET\" url=\"https://127.0.0.1:{}/version?timeout=32s\" status=\"200 OK\" milliseconds=", s.port)), "{line}");
    assert!(!err.contains("Authorization"));
}

#[tokio::test]
async fn discovery_cache_ttl_and_refresh_on_miss() {
    let s = start_server().await;
    let e = Env0::new();
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), &format!("    token: {GOOD_TOKEN}\n")),
    );
    let ctx = || {
        let (io, _, _) = Io::buffered();
        Context::new(GlobalArgs::default(), e.env(&kc), io, "kubectl get")
    };
    let c = ctx();
    let r = c.discovery().unwrap().resolve("ds").await.unwrap();
    assert_eq!(r[0].group_resource(), "daemonsets.apps");
    assert_eq!(s.seen().len(), 2);
    let cache = c.discovery().unwrap().cache_file().unwrap().to_path_buf();
    assert!(cache.starts_with(e.path().join("cache/kubectl-rs/discovery")));
    // Warm cache: zero requests.
    s.clear();
    let (io, _, err_buf) = Io::buffered();
    let c = Context::new(GlobalArgs::default(), e.env(&kc), io, "kubectl get");
    for name in ["po", "no", "DaemonSet", "deployments.v1.apps"] {
        c.discovery().unwrap().resolve(name).await.unwrap();
    }
    assert_eq!(s.seen().len(), 0);
    let args: Vec<String> = ["ds/a", "po/b"].iter().map(|s| s.to_string()).collect();
    let r = c
        .discovery()
        .unwrap()
        .resolve_args(&args, "kubectl-rs")
        .await
        .unwrap();
    assert_eq!(
        (r[0].resource.resource.as_str(), r[0].names.clone()),
        ("daemonsets", vec!["a".to_string()])
    );
    assert_eq!(
        r[1].resource.path(Some("ns"), Some("b")).unwrap(),
        "/api/v1/namespaces/ns/pods/b"
    );
    let args: Vec<String> = ["all"].iter().map(|s| s.to_string()).collect();
    assert_eq!(
        c.discovery()
            .unwrap()
            .resolve_args(&args, "kubectl-rs")
            .await
            .unwrap()
            .len(),
        10
    );
    assert_eq!(s.seen().len(), 0);
    c.discovery().unwrap().resolve("ev").await.unwrap();
    c.discovery().unwrap().resolve("ev").await.unwrap();
    assert_eq!(
        err_buf.text(),
        "Warning: short name \"ev\" could also match lower priority resource events.events.k8s.io\n"
    );
    // Unknown name: one refetch, then kubectl's error.
    let err = c.discovery().unwrap().resolve("foo").await.unwrap_err();
    assert_eq!(
        render(&err.into()).stderr,
        "error: the server doesn't have a resource type \"foo\"\n"
    );
    assert_eq!(s.seen().len(), 2);
    c.discovery().unwrap().resolve("bar").await.unwrap_err();
    assert_eq!(s.seen().len(), 2, "at most one refetch per run");
    // Older than 6 hours: refetched.
    s.clear();
    let old = std::time::SystemTime::now() - Duration::from_secs(7 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&cache)
        .unwrap()
        .set_modified(old)
        .unwrap();
    ctx().discovery().unwrap().resolve("po").await.unwrap();
    assert_eq!(s.seen().len(), 2);
    // api-resources --cached uses the (now fresh) cache; without it, it asks again.
    s.clear();
    let (_, _, code) = run(e.env(&kc), &["api-resources", "--cached"]).await;
    assert_eq!((code, s.seen().len()), (0, 0));
    let (_, _, code) = run(e.env(&kc), &["api-resources"]).await;
    assert_eq!((code, s.seen().len()), (0, 2));
}

#[tokio::test]
async fn watch_stream_and_request_timeout() {
    use futures_util::StreamExt;
    let s = start_server().await;
    let e = Env0::new();
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), &format!("    token: {GOOD_TOKEN}\n")),
    );
    let (io, _, _) = Io::buffered();
    let ctx = Context::new(GlobalArgs::default(), e.env(&kc), io, "kubectl get");
    let req = kubectl_rs::client::ApiRequest::get(
        ApiPath::raw("/api/v1/namespaces/default/pods").unwrap(),
    );
    let events: Vec<_> = ctx
        .client()
        .unwrap()
        .watch(&req)
        .await
        .unwrap()
        .collect()
        .await;
    let types: Vec<String> = events.into_iter().map(|e| e.unwrap().event_type).collect();
    assert_eq!(types, ["ADDED", "DELETED"]);
    assert_eq!(
        s.seen()[0].path_and_query,
        "/api/v1/namespaces/default/pods?watch=true"
    );
    let g = GlobalArgs {
        request_timeout: "200ms".into(),
        ..Default::default()
    };
    let (io, _, _) = Io::buffered();
    let ctx = Context::new(g, e.env(&kc), io, "kubectl get");
    let err = ctx
        .client()
        .unwrap()
        .get_json(&ApiPath::raw("/slow").unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)"
    );
    assert!(s
        .seen()
        .last()
        .unwrap()
        .path_and_query
        .ends_with("/slow?timeout=200ms"));
}

#[tokio::test]
async fn config_commands_edit_the_right_file() {
    let e = Env0::new();
    let a = e.write(
        "a",
        "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncustom-key: kept\n",
    );
    let b = e.write(
        "b",
        "current-context: x\nclusters:\n- name: c\n  cluster: {server: 'https://c:1'}\n",
    );
    let list = std::env::join_paths([&a, &b]).unwrap();
    let env = Env::from_pairs([
        ("HOME", e.path().to_str().unwrap()),
        ("KUBECONFIG", list.to_str().unwrap()),
    ]);
    let (out, err, code) = run(
        env.clone(),
        &["config", "set-context", "x", "--namespace=dev"],
    )
    .await;
    assert_eq!(
        (out.as_str(), err.as_str(), code),
        ("Context \"x\" modified.\n", "", 0)
    );
    let text = std::fs::read_to_string(&a).unwrap();
    assert!(
        text.contains("namespace: dev") && text.contains("custom-key: kept"),
        "{text}"
    );
    let (out, _, _) = run(env.clone(), &["config", "set-context", "y", "--cluster=c"]).await;
    assert_eq!(out, "Context \"y\" created.\n");
    let (out, _, _) = run(env.clone(), &["config", "use-context", "y"]).await;
    assert_eq!(out, "Switched to context \"y\".\n");
    assert!(std::fs::read_to_string(&b)
        .unwrap()
        .contains("current-context: \"y\""));
    let (out, _, _) = run(env.clone(), &["config", "current-context"]).await;
    assert_eq!(out, "y\n");
    let (_, err, code) = run(env.clone(), &["config", "use-context", "nope"]).await;
    assert_eq!(
        (err.as_str(), code),
        ("error: no context exists with the name: \"nope\"\n", 1)
    );
    let (out, _, _) = run(
        env.clone(),
        &["config", "set-credentials", "u", "--token=t0k"],
    )
    .await;
    assert_eq!(out, "User \"u\" set.\n");
    let (out, _, _) = run(
        env.clone(),
        &["config", "set-cluster", "c", "--server=https://new:2"],
    )
    .await;
    assert_eq!(out, "Cluster \"c\" set.\n");
    assert!(std::fs::read_to_string(&b)
        .unwrap()
        .contains("server: https://new:2"));
    let (out, _, _) = run(env.clone(), &["config", "view"]).await;
    assert!(
        out.contains("token: REDACTED") && !out.contains("t0k"),
        "{out}"
    );
    let (out, _, _) = run(env.clone(), &["config", "get-clusters"]).await;
    assert_eq!(out, "NAME\nc\n");
    let (out, _, _) = run(env.clone(), &["config", "rename-context", "y", "z"]).await;
    assert_eq!(out, "Context \"y\" renamed to \"z\".\n");
    assert!(std::fs::read_to_string(&b)
        .unwrap()
        .contains("current-context: z"));
    let (_, err, _) = run(env.clone(), &["config", "rename-context", "nope", "q"]).await;
    assert_eq!(
        err,
        format!(
            "error: cannot rename the context \"nope\", it's not in {}\n",
            a.display()
        )
    );
    let (out, _, _) = run(env.clone(), &["config", "delete-user", "u"]).await;
    assert!(out.starts_with("deleted user u from "), "{out}");
    let (_, err, code) = run(env.clone(), &["config", "delete-cluster", "nope"]).await;
    assert_eq!(
        (err, code),
        (
            format!(
                "error: cannot delete cluster nope, not in {}\n",
                a.display()
            ),
            1
        )
    );
    let (out, _, _) = run(env.clone(), &["config", "delete-context", "x"]).await;
    assert_eq!(out, format!("deleted context x from {}\n", a.display()));
    // A broken file: clear error, nothing written.
    let bad = e.write("bad", "contexts: [\n");
    let env = Env::from_pairs([
        ("HOME", e.path().to_str().unwrap()),
        ("KUBECONFIG", bad.to_str().unwrap()),
    ]);
    let (_, err, code) = run(env, &["config", "set-context", "z"]).await;
    assert_eq!(code, 1);
    assert!(
        err.starts_with(&format!(
            "error: error loading config file \"{}\": ",
            bad.display()
        )),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), "contexts: [\n");
}

fn binary(args: &[&str], home: &Path, extra_env: &[(&str, &str)]) -> (String, String, i32) {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-rs"));
    c.args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin");
    for (k, v) in extra_env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

#[test]
fn binary_error_texts_and_exit_codes() {
    let d = tempfile::tempdir().unwrap();
    let (_, err, code) = binary(
        &["--kubeconfig", "missing.yaml", "api-versions"],
        d.path(),
        &[],
    );
    assert_eq!(
        (err.as_str(), code),
        ("error: stat missing.yaml: no such file or directory\n", 1)
    );
    let (_, err, code) = binary(&["api-versions", "--bogus"], d.path(), &[]);
    assert_eq!(
        (err.as_str(), code),
        (
            "error: unknown flag: --bogus\nSee 'kubectl-rs api-versions --help' for usage.\n",
            1
        )
    );
    let (_, err, code) = binary(&["--request-timeout=abc", "api-versions"], d.path(), &[]);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: Invalid timeout value."), "{err}");
    let (out, _, code) = binary(&["version", "--client"], d.path(), &[]);
    assert_eq!(
        (out.as_str(), code),
        (
            "Client Version: v1.36.2-kubectl-rs.0.1.0\nKustomize Version: v5.8.1\n",
            0
        )
    );
    // Nothing configured: kubectl's localhost:8080 message (when nothing listens there).
    if std::net::TcpStream::connect("127.0.0.1:8080").is_err() {
        let (_, err, code) = binary(&["api-versions"], d.path(), &[]);
        assert_eq!(
            (err.as_str(), code),
            ("The connection to the server localhost:8080 was refused - did you specify the right host or port?\n", 1)
        );
    }
    let (out, _, code) = binary(&["options"], d.path(), &[]);
    assert_eq!(code, 0);
    assert!(out.contains(&format!("--cache-dir='{}/.kube/cache'", d.path().display())));
}

#[tokio::test]
async fn server_warnings_once_and_warnings_as_errors() {
    let s = start_server().await;
    s.state
        .warn
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let e = Env0::new();
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), &format!("    token: {GOOD_TOKEN}\n")),
    );
    let (out, err, code) = run(e.env(&kc), &["api-versions"]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(err, "Warning: v1 Thing is deprecated\n");
    let (out, err, code) = run(e.env(&kc), &["version", "--warnings-as-errors"]).await;
    assert!(out.contains("Server Version"));
    assert_eq!(
        (err.as_str(), code),
        (
            "Warning: v1 Thing is deprecated\nerror: 1 warning received\n",
            1
        )
    );
}

#[tokio::test]
async fn config_edits_write_what_kubectl_writes() {
    let e = Env0::new();
    let kc = e.write("kc.yaml", &fixture("kubectl-1.33/config-edit-input.yaml"));
    let env = Env::from_pairs([("HOME", e.path().to_str().unwrap())]);
    let k = kc.to_str().unwrap();
    let steps: [&[&str]; 6] = [
        &["config", "use-context", "ctx2"],
        &[
            "config",
            "set-context",
            "ctx3",
            "--cluster=c9",
            "--namespace=x",
        ],
        &["config", "set-context", "--current", "--namespace=y"],
        &[
            "config",
            "set-cluster",
            "c9",
            "--server=https://a:1",
            "--insecure-skip-tls-verify=true",
        ],
        &["config", "set-credentials", "u9", "--token=abc"],
        &["config", "delete-context", "ctx3"],
    ];
    for step in steps {
        let mut args = vec!["--kubeconfig", k];
        args.extend_from_slice(step);
        let (_, err, code) = run(env.clone(), &args).await;
        assert_eq!((err.as_str(), code), ("", 0), "{step:?}");
    }
    assert_eq!(
        std::fs::read_to_string(&kc).unwrap(),
        fixture("kubectl-1.33/config-edit-expected.yaml")
    );
}

/// A minimal HTTP CONNECT proxy; returns its port and a counter of tunnels opened.
async fn start_connect_proxy() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                return;
            };
            let c = c.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if inbound.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let text = String::from_utf8_lossy(&head).to_string();
                let Some(target) = text
                    .strip_prefix("CONNECT ")
                    .and_then(|r| r.split(' ').next())
                else {
                    return;
                };
                let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else {
                    return;
                };
                c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = inbound
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            });
        }
    });
    (port, count)
}

#[tokio::test]
async fn proxy_url_is_used() {
    let s = start_server().await;
    let (proxy_port, tunnels) = start_connect_proxy().await;
    let e = Env0::new();
    let cluster = format!(
        "{}    proxy-url: http://127.0.0.1:{proxy_port}\n",
        ca_data(&s)
    );
    let kc = e.write(
        "config",
        &kubeconfig(&s, &cluster, &format!("    token: {GOOD_TOKEN}\n")),
    );
    let (_, err, code) = run(e.env(&kc), &["version"]).await;
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(tunnels.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(s.seen().len(), 1);
    // HTTPS_PROXY from the environment Context was given, and NO_PROXY.
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), &format!("    token: {GOOD_TOKEN}\n")),
    );
    let mut env = e.env(&kc);
    env.set("https_proxy", &format!("http://127.0.0.1:{proxy_port}"));
    let (_, err, code) = run(env.clone(), &["version"]).await;
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(tunnels.load(std::sync::atomic::Ordering::SeqCst), 2);
    env.set("NO_PROXY", "127.0.0.1");
    let (_, err, code) = run(env, &["version"]).await;
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(tunnels.load(std::sync::atomic::Ordering::SeqCst), 2);
    let kc = e.write(
        "config",
        &kubeconfig(&s, "    proxy-url: '::bad'\n", "    token: x\n"),
    );
    let (_, err, code) = run(e.env(&kc), &["version"]).await;
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: invalid proxy-url \"::bad\""),
        "{err}"
    );
}

#[tokio::test]
async fn legacy_discovery_fallback() {
    let s = start_server().await;
    s.state
        .legacy
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let e = Env0::new();
    let kc = e.write(
        "config",
        &kubeconfig(&s, &ca_data(&s), &format!("    token: {GOOD_TOKEN}\n")),
    );
    let (io, _, _) = Io::buffered();
    let ctx = Context::new(GlobalArgs::default(), e.env(&kc), io, "kubectl get");
    let r = ctx.discovery().unwrap().resolve("ds").await.unwrap();
    assert_eq!(r[0].group_resource(), "daemonsets.apps");
    let paths: Vec<String> = s.seen().iter().map(|x| x.path_and_query.clone()).collect();
    assert!(
        paths.contains(&"/api/v1?timeout=32s".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"/apis/apps/v1?timeout=32s".to_string()),
        "{paths:?}"
    );
    assert_eq!(
        s.seen().last().unwrap().headers["accept"],
        "application/json, */*"
    );
    // The reference server's other group versions answer 404 here: api-resources prints what
    // it has, then kubectl's partial-discovery error.
    let (out, err, code) = run(
        e.env(&kc),
        &["api-resources", "--api-group=apps", "--no-headers"],
    )
    .await;
    assert_eq!(code, 1);
    assert!(out.contains("daemonsets"), "{out}");
    assert!(
        err.starts_with("error: unable to retrieve the complete list of server APIs: "),
        "{err}"
    );
    assert!(
        err.contains(", batch/v1: daemonsets.apps \"nope\" not found, "),
        "{err}"
    );
}

#[tokio::test]
async fn against_the_sandbox() {
    let h = kubectl_rs::sandbox::server::start(Default::default())
        .await
        .unwrap();
    let e = Env0::new();
    let kc = e.write("config", &h.kubeconfig_yaml());
    let (out, err, code) = run(e.env(&kc), &["version"]).await;
    assert_eq!((err.as_str(), code), ("", 0));
    assert!(out.contains("\nServer Version: v1.36"), "{out}");
    let (out, err, code) = run(
        e.env(&kc),
        &["api-resources", "--api-group=apps", "-o", "name"],
    )
    .await;
    assert_eq!((err.as_str(), code), ("", 0));
    assert!(out.lines().any(|l| l == "daemonsets.apps"), "{out}");
    let (io, _, _) = Io::buffered();
    let ctx = Context::new(GlobalArgs::default(), e.env(&kc), io, "kubectl get");
    let r = ctx.discovery().unwrap().resolve("ds").await.unwrap();
    let err = ctx
        .client()
        .unwrap()
        .get_json(&r[0].path(Some("default"), Some("nope")).unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        render(&err.into()).stderr,
        "Error from server (NotFound): daemonsets.apps \"nope\" not found\n"
    );
    h.shutdown().await;
}

/// A plain-HTTP server answering every request with `answers` in turn (the last one repeats),
/// counting requests.
async fn scripted_server(
    answers: Vec<(u16, Option<&'static str>)>,
) -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let app = Router::new().fallback(move || {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        let (code, retry_after) = answers[n.min(answers.len() - 1)];
        async move {
            let body = if code == 200 {
                r#"{"major":"1","minor":"36","gitVersion":"v1.36.2"}"#.to_string()
            } else {
                format!(
                    r#"{{"kind":"Status","apiVersion":"v1","status":"Failure","message":"busy","reason":"TooManyRequests","code":{code}}}"#
                )
            };
            let mut r = Response::builder()
                .status(code)
                .header("Content-Type", "application/json");
            if let Some(s) = retry_after {
                r = r.header("Retry-After", s);
            }
            r.body(Body::from(body)).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, count)
}

/// client-go retries 429 and 5xx answers that carry Retry-After (at most 10 times), and only those.
#[tokio::test]
async fn retry_after_answers_are_retried() {
    use std::sync::atomic::Ordering;
    let e = Env0::new();
    let kc_for = |port: u16| {
        e.write(
            "config",
            &format!("apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: http://127.0.0.1:{port}\ncontexts:\n- name: t\n  context: {{cluster: t, user: u}}\ncurrent-context: t\nusers:\n- name: u\n  user: {{}}\n"),
        )
    };
    // Twice "come back in 0 s", then the answer.
    let (port, count) =
        scripted_server(vec![(429, Some("0")), (503, Some("0")), (200, None)]).await;
    let (out, err, code) = run(e.env(&kc_for(port)), &["version", "-o", "json"]).await;
    assert_eq!((err.as_str(), code), ("", 0), "{out}");
    assert!(out.contains("\"gitVersion\": \"v1.36.2\""), "{out}");
    assert_eq!(count.load(Ordering::SeqCst), 3);
    // Always busy: the first try and 10 retries, then kubectl's error.
    let (port, count) = scripted_server(vec![(429, Some("0"))]).await;
    let (_, err, code) = run(e.env(&kc_for(port)), &["get", "--raw", "/version"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("busy"), "{err}");
    assert_eq!(count.load(Ordering::SeqCst), 11);
    // Without Retry-After nothing is retried.
    let (port, count) = scripted_server(vec![(429, None), (200, None)]).await;
    let (_, _, code) = run(e.env(&kc_for(port)), &["get", "--raw", "/version"]).await;
    assert_eq!(code, 1);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

//! The HTTPS server: certificates, authentication, start/stop, the kubeconfig it writes.
//!
//! `start` generates a CA, a serving certificate for 127.0.0.1/localhost and an admin client
//! certificate, binds 127.0.0.1, and serves the REST handlers over TLS (HTTP/1.1 and HTTP/2 by
//! ALPN). Client certificates are optional at the TLS level so that bearer tokens and
//! unauthenticated requests (answered 401) reach the handlers.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use anyhow::Context as _;
use axum::http::Request;
use base64::Engine as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use serde_yaml_ng::{Mapping, Value as Yaml};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt as _;

use super::clock::Clock;
use super::controllers::{self, ControllerOptions};
use super::handlers::{self, ApiState, Identity};
use super::store::Store;

/// The name of the cluster, user and context the sandbox adds to kubeconfigs.
pub const CONTEXT_NAME: &str = "sandbox";
/// The version the sandbox reports.
pub const SERVER_VERSION: &str = "v1.36.2-sandbox";

/// How to run a sandbox.
#[derive(Clone, Debug)]
pub struct SandboxOptions {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Cluster name (used by the controllers for node names).
    pub name: String,
    /// Number of simulated worker nodes.
    pub nodes: usize,
    /// Whether a control-plane node is simulated too.
    pub control_plane: bool,
    /// Cluster time: the wall clock, or a manual clock that tests advance.
    pub clock: Clock,
    /// Whether the Metrics API (`metrics.k8s.io`, as metrics-server serves it) is served.
    pub metrics: bool,
    /// Keep the cluster in this directory (`--data-dir`): objects in an embedded database,
    /// certificates, token and a kubeconfig beside it, all reused on the next start. `None`:
    /// in memory only.
    pub data_dir: Option<std::path::PathBuf>,
    /// Whether `pods/ephemeralcontainers` is served (off: as a cluster with the
    /// EphemeralContainers feature disabled answers).
    pub ephemeral_containers: bool,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            port: 0,
            name: "sandbox".into(),
            nodes: 2,
            control_plane: false,
            clock: Clock::real(),
            metrics: true,
            data_dir: None,
            ephemeral_containers: true,
        }
    }
}

/// A running sandbox. Dropping it without `shutdown` leaves the server running until the
/// runtime stops.
pub struct SandboxHandle {
    port: u16,
    ca_pem: String,
    client_cert_pem: String,
    client_key_pem: String,
    token: String,
    store: Arc<Store>,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
    background: Vec<JoinHandle<()>>,
}

impl SandboxHandle {
    /// The bound port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://127.0.0.1:<port>`.
    pub fn server_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// The CA certificate (PEM) clients must trust.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The admin client certificate (PEM): CN kubernetes-admin, O system:masters.
    pub fn client_cert_pem(&self) -> &str {
        &self.client_cert_pem
    }

    /// The admin client key (PEM).
    pub fn client_key_pem(&self) -> &str {
        &self.client_key_pem
    }

    /// A bearer token accepted as the admin user.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The object store behind the server (tests and controllers read and write it).
    pub fn store(&self) -> Arc<Store> {
        self.store.clone()
    }

    /// The cluster's clock.
    pub fn clock(&self) -> &Clock {
        self.store.clock()
    }

    /// Moves a manual clock forward by `by`: every controller timer due by then fires (pods
    /// start, grace periods end, CronJobs run, …). Returns the new cluster time. Does nothing on
    /// the wall clock.
    pub fn advance(&self, by: std::time::Duration) -> chrono::DateTime<chrono::Utc> {
        self.store.clock().advance(by)
    }

    /// A standalone kubeconfig (cluster, user and context `sandbox`, current-context set)
    /// with the CA and client credentials embedded.
    pub fn kubeconfig_yaml(&self) -> String {
        let doc = mapping([
            ("apiVersion", "v1".into()),
            ("kind", "Config".into()),
            ("clusters", Yaml::Sequence(vec![self.cluster_entry()])),
            ("contexts", Yaml::Sequence(vec![context_entry()])),
            ("current-context", CONTEXT_NAME.into()),
            ("preferences", Yaml::Mapping(Mapping::new())),
            ("users", Yaml::Sequence(vec![self.user_entry()])),
        ]);
        serde_yaml_ng::to_string(&doc).unwrap_or_default()
    }

    fn cluster_entry(&self) -> Yaml {
        let b64 = base64::engine::general_purpose::STANDARD;
        let cluster = mapping([
            (
                "certificate-authority-data",
                b64.encode(&self.ca_pem).into(),
            ),
            ("server", self.server_url().into()),
        ]);
        named("cluster", cluster)
    }

    fn user_entry(&self) -> Yaml {
        let b64 = base64::engine::general_purpose::STANDARD;
        let user = mapping([
            (
                "client-certificate-data",
                b64.encode(&self.client_cert_pem).into(),
            ),
            ("client-key-data", b64.encode(&self.client_key_pem).into()),
        ]);
        named("user", user)
    }

    /// Stops accepting connections, closes open ones (watches included) and stops the
    /// background tasks.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        for t in &self.background {
            t.abort();
        }
        for t in self.background {
            let _ = t.await;
        }
        // Tasks that still hold the store (simulated containers) must not keep the data dir.
        self.store.close();
    }
}

/// A YAML mapping with these keys, in this order.
fn mapping<const N: usize>(entries: [(&str, Yaml); N]) -> Yaml {
    Yaml::Mapping(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

fn named(key: &str, body: Yaml) -> Yaml {
    mapping([(key, body), ("name", CONTEXT_NAME.into())])
}

fn context_entry() -> Yaml {
    let ctx = mapping([
        ("cluster", CONTEXT_NAME.into()),
        ("user", CONTEXT_NAME.into()),
    ]);
    named("context", ctx)
}

/// Certificates made at start (or, with a data dir, at the first start).
struct Pki {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: PrivateKeyDer<'static>,
    server_cert_pem: String,
    server_key_pem: String,
    client_cert_pem: String,
    client_key_pem: String,
}

/// The credentials kept in `dir`, made and written there when there are none yet, so that a
/// restarted sandbox serves the same certificates and existing kubeconfigs keep working.
fn data_dir_credentials(dir: &std::path::Path) -> anyhow::Result<(Pki, String)> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path)
            .with_context(|| format!("data dir {}: reading {}", dir.display(), path.display()))
    };
    if !dir.join("ca.crt").exists() {
        let pki = make_pki().context("generating certificates")?;
        let token = random_token();
        // `ca.crt` last: its presence means the whole set was written.
        for (name, text, mode) in [
            ("apiserver.crt", &pki.server_cert_pem, 0o644),
            ("apiserver.key", &pki.server_key_pem, 0o600),
            ("admin.crt", &pki.client_cert_pem, 0o644),
            ("admin.key", &pki.client_key_pem, 0o600),
            ("token", &token, 0o600),
            ("ca.crt", &pki.ca_pem, 0o644),
        ] {
            crate::persist::write_atomic(&dir.join(name), text.as_bytes(), mode)
                .with_context(|| format!("data dir {}: writing {name}", dir.display()))?;
        }
        return Ok((pki, token));
    }
    let bad = |what: &str| anyhow::anyhow!("data dir {}: {what} is not valid", dir.display());
    let der = |pem: &str, what: &str| -> anyhow::Result<CertificateDer<'static>> {
        let (_, p) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).map_err(|_| bad(what))?;
        Ok(CertificateDer::from(p.contents))
    };
    let ca_pem = read("ca.crt")?;
    let server_cert_pem = read("apiserver.crt")?;
    let server_key_pem = read("apiserver.key")?;
    let server_key = KeyPair::from_pem(&server_key_pem).map_err(|_| bad("apiserver.key"))?;
    let client_cert_pem = read("admin.crt")?;
    let client_key_pem = read("admin.key")?;
    KeyPair::from_pem(&client_key_pem).map_err(|_| bad("admin.key"))?;
    let token = read("token")?.trim().to_string();
    let pki = Pki {
        ca_der: der(&ca_pem, "ca.crt")?,
        server_chain: vec![der(&server_cert_pem, "apiserver.crt")?],
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        ca_pem,
        server_cert_pem,
        server_key_pem,
        client_cert_pem,
        client_key_pem,
    };
    der(&pki.client_cert_pem, "admin.crt")?;
    Ok((pki, token))
}

/// A TLS certificate the CA signs, with a new key: subject CN, then its organizations.
fn leaf(
    mut p: CertificateParams,
    cn: &str,
    orgs: &[&str],
    usage: ExtendedKeyUsagePurpose,
    (ca_cert, ca_key): (&rcgen::Certificate, &KeyPair),
) -> anyhow::Result<(rcgen::Certificate, KeyPair)> {
    let key = KeyPair::generate()?;
    p.distinguished_name.push(DnType::CommonName, cn);
    for o in orgs {
        p.distinguished_name.push(DnType::OrganizationName, *o);
    }
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    p.extended_key_usages = vec![usage];
    Ok((p.signed_by(&key, ca_cert, ca_key)?, key))
}

fn make_pki() -> anyhow::Result<Pki> {
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name.push(DnType::CommonName, "kubernetes");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::CrlSign,
    ];
    let ca_cert = ca.self_signed(&ca_key)?;
    let ca = (&ca_cert, &ca_key);

    let mut sp = CertificateParams::new(vec![
        "localhost".to_string(),
        "kubernetes".to_string(),
        "kubernetes.default".to_string(),
        "kubernetes.default.svc".to_string(),
    ])?;
    sp.subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let (server_cert, server_key) = leaf(
        sp,
        "kube-apiserver",
        &[],
        ExtendedKeyUsagePurpose::ServerAuth,
        ca,
    )?;
    let (client_cert, client_key) = leaf(
        CertificateParams::new(Vec::<String>::new())?,
        "kubernetes-admin",
        &["system:masters"],
        ExtendedKeyUsagePurpose::ClientAuth,
        ca,
    )?;

    Ok(Pki {
        ca_pem: ca_cert.pem(),
        ca_der: ca_cert.der().clone(),
        server_chain: vec![server_cert.der().clone()],
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        server_cert_pem: server_cert.pem(),
        server_key_pem: server_key.serialize_pem(),
        client_cert_pem: client_cert.pem(),
        client_key_pem: client_key.serialize_pem(),
    })
}

fn tls_config(pki: &Pki) -> anyhow::Result<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca_der.clone())?;
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()?;
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(pki.server_chain.clone(), pki.server_key.clone_key())?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(cfg)
}

/// The user a verified client certificate names: CN is the user, each O a group.
pub fn identity_from_cert(der: &[u8]) -> Option<Identity> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let subject = cert.subject();
    let user = subject
        .iter_common_name()
        .next()?
        .as_str()
        .ok()?
        .to_string();
    let groups = subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok().map(str::to_string))
        .collect();
    let fingerprint: String = ring::digest::digest(&ring::digest::SHA256, der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(Identity {
        user,
        groups,
        credential_id: Some(format!("X509SHA256={fingerprint}")),
    })
}

fn random_token() -> String {
    use rand::Rng as _;
    let bytes: [u8; 32] = rand::thread_rng().gen();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Starts a sandbox: certificates, store, initial objects, and the HTTPS server on
/// 127.0.0.1. Returns once the port is bound (requests are served from then on).
pub async fn start(opts: SandboxOptions) -> anyhow::Result<SandboxHandle> {
    let (store, pki, token) = match &opts.data_dir {
        None => (
            Store::with_clock(opts.clock.clone()),
            make_pki().context("generating certificates")?,
            random_token(),
        ),
        Some(dir) => {
            // The database first: it refuses a data dir another sandbox is using.
            let store = Store::open(dir, opts.clock.clone())?;
            let (pki, token) = data_dir_credentials(dir)?;
            (store, pki, token)
        }
    };
    let tls = tokio_rustls::TlsAcceptor::from(Arc::new(tls_config(&pki)?));
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, opts.port)))
        .await
        .with_context(|| format!("binding 127.0.0.1:{}", opts.port))?;
    let port = listener.local_addr()?.port();
    let store = Arc::new(store);
    // Initial namespaces, nodes etc. exist before the first request is served.
    let background = controllers::spawn(
        store.clone(),
        ControllerOptions {
            name: opts.name.clone(),
            nodes: opts.nodes,
            control_plane: opts.control_plane,
            ca_pem: pki.ca_pem.clone(),
            ..ControllerOptions::default()
        },
    );
    let mut background = background;
    background.push(tokio::spawn(crate::history::run_compactor(store.clone())));
    let state = Arc::new(ApiState {
        store: store.clone(),
        token: token.clone(),
        server_address: format!("127.0.0.1:{port}"),
        metrics: opts.metrics,
        ephemeral_containers: opts.ephemeral_containers,
    });
    let app = handlers::router(state);
    let (stop, stop_rx) = watch::channel(false);
    let server = tokio::spawn(serve(listener, tls, app, stop_rx));
    let handle = SandboxHandle {
        port,
        ca_pem: pki.ca_pem,
        client_cert_pem: pki.client_cert_pem,
        client_key_pem: pki.client_key_pem,
        token,
        store,
        stop,
        server,
        background,
    };
    if let Some(dir) = &opts.data_dir {
        // The data dir's own kubeconfig, for this start's port.
        let path = dir.join("kubeconfig");
        let written =
            crate::persist::write_atomic(&path, handle.kubeconfig_yaml().as_bytes(), 0o600);
        if let Err(e) = written {
            handle.shutdown().await;
            anyhow::bail!(
                "data dir {}: writing {}: {e}",
                dir.display(),
                path.display()
            );
        }
    }
    Ok(handle)
}

async fn serve(
    listener: TcpListener,
    tls: tokio_rustls::TlsAcceptor,
    app: axum::Router,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        while conns.try_join_next().is_some() {}
        let accepted = tokio::select! {
            _ = stop.changed() => break,
            a = listener.accept() => a,
        };
        let Ok((tcp, _)) = accepted else { continue };
        // Small API answers must not wait for the client's delayed ACK (Nagle), as
        // kube-apiserver's Go listener never does.
        let _ = tcp.set_nodelay(true);
        let tls = tls.clone();
        let app = app.clone();
        conns.spawn(async move {
            let handshake =
                tokio::time::timeout(std::time::Duration::from_secs(10), tls.accept(tcp));
            let Ok(Ok(stream)) = handshake.await else {
                return;
            };
            let identity = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .and_then(|c| identity_from_cert(c));
            let svc = app.map_request(move |mut req: Request<Incoming>| {
                if let Some(id) = &identity {
                    req.extensions_mut().insert(id.clone());
                }
                req
            });
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(svc))
                .await;
        });
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pki_identities() {
        let pki = make_pki().unwrap();
        let (_, pem) = x509_parser::pem::parse_x509_pem(pki.client_cert_pem.as_bytes()).unwrap();
        let id = identity_from_cert(&pem.contents).unwrap();
        assert_eq!(id.user, "kubernetes-admin");
        assert_eq!(id.groups, ["system:masters"]);
        assert!(tls_config(&pki).is_ok());
    }

    #[tokio::test]
    async fn standalone_kubeconfig() {
        let h = start(SandboxOptions::default()).await.unwrap();
        let standalone: Yaml = serde_yaml_ng::from_str(&h.kubeconfig_yaml()).unwrap();
        assert_eq!(standalone["current-context"], Yaml::from("sandbox"));
        assert!(
            standalone["users"][0]["user"]["client-key-data"]
                .as_str()
                .unwrap()
                .len()
                > 100
        );
        h.shutdown().await;
    }
}

//! The rustls configuration for one API server: trust exactly the configured CA (the system's
//! roots when none is configured, as Go does; nothing when `insecure-skip-tls-verify`), verify
//! against `tls-server-name` when set, present the client certificate, and offer HTTP/2 by ALPN.

use crate::kubeconfig::resolve::TlsSettings;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;

/// Builds the rustls client config. Errors are user-facing texts (no key material in them).
pub fn client_config(
    tls: &TlsSettings,
    extra_identity: Option<(&[u8], &[u8])>,
) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let trust = if tls.insecure {
        Trust::Any
    } else {
        let mut roots = rustls::RootCertStore::empty();
        let mut candidates = Vec::new();
        match &tls.ca_pem {
            Some(pem) => {
                let certs = parse_certs(pem).map_err(|_| {
                    "unable to load root certificates: unable to parse bytes as PEM block"
                        .to_string()
                })?;
                candidates = certs.iter().filter_map(Candidate::of).collect();
                for c in certs {
                    roots
                        .add(c)
                        .map_err(|e| format!("unable to load root certificates: {e}"))?;
                }
            }
            // No CA configured: Go's crypto/x509 then trusts the system pool (SSL_CERT_FILE,
            // SSL_CERT_DIR, else the distribution's bundle), so servers with a public CA work.
            // A system certificate that does not parse is skipped, as Go skips it.
            None => {
                roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            }
        }
        if roots.is_empty() {
            // Nothing to trust: every server is "signed by unknown authority", as in Go.
            Trust::Nothing
        } else {
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| e.to_string())?;
            let server_name = match &tls.server_name {
                Some(name) => Some(
                    ServerName::try_from(name.clone())
                        .map_err(|_| format!("invalid tls-server-name {name:?}"))?,
                ),
                None => None,
            };
            Trust::Roots {
                webpki,
                server_name,
                candidates,
            }
        }
    };
    let verifier = Arc::new(Verifier {
        provider: provider.clone(),
        trust,
    });
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let identity = match extra_identity {
        Some((c, k)) => Some((c.to_vec(), k.to_vec())),
        None => match (&tls.client_cert_pem, &tls.client_key_pem) {
            (Some(c), Some(k)) => Some((c.clone(), k.clone())),
            (Some(_), None) | (None, Some(_)) => {
                return Err("tls: client certificate and key must both be set".into())
            }
            _ => None,
        },
    };
    let mut cfg = match identity {
        Some((cert, key)) => {
            let chain = parse_certs(&cert)
                .map_err(|_| "tls: failed to find any PEM data in certificate input".to_string())?;
            let key = PrivateKeyDer::from_pem_slice(&key)
                .map_err(|_| "tls: failed to find any PEM data in key input".to_string())?;
            builder.with_client_cert_resolver(Arc::new(client_identity(&provider, chain, key)?))
        }
        None => builder.with_no_client_auth(),
    };
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(cfg)
}

/// The client certificate and key, checked as Go's `tls.X509KeyPair` checks them: the
/// certificate must parse as X.509 (any version: v1 certificates, as `openssl x509 -req`
/// makes without extensions, are accepted by Go) and its public key must be the key's.
/// rustls's own `with_client_auth_cert` parses the certificate with webpki, which refuses
/// X.509 v1 (`UnsupportedCertVersion`), so the pair is given to rustls ready-made.
fn client_identity(
    provider: &CryptoProvider,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ClientIdentity, String> {
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|_| "tls: failed to parse private key".to_string())?;
    let (_, leaf) = x509_parser::parse_x509_certificate(chain[0].as_ref())
        .map_err(|e| format!("tls: failed to parse certificate: x509: {e}"))?;
    if let Some(spki) = signing.public_key() {
        if spki.as_ref() != leaf.tbs_certificate.subject_pki.raw {
            return Err("tls: private key does not match public key".into());
        }
    }
    Ok(ClientIdentity(Arc::new(CertifiedKey::new(chain, signing))))
}

/// Presents the one configured certificate to every server that asks (as Go's
/// `tls.Config.Certificates` with a single pair).
#[derive(Debug)]
struct ClientIdentity(Arc<CertifiedKey>);

impl ResolvesClientCert for ClientIdentity {
    fn resolve(&self, _: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
    fn has_certs(&self) -> bool {
        true
    }
}

fn parse_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, ()> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|_| ())?;
    if certs.is_empty() {
        return Err(());
    }
    Ok(certs)
}

/// A configured CA, as Go's `UnknownAuthorityError` hint names it.
#[derive(Debug)]
struct Candidate {
    /// DER of its subject.
    subject: Vec<u8>,
    /// Common name, else first organization, else `serial:N`.
    name: String,
    /// Go's error for a signature that this CA's key does not verify.
    signature_error: &'static str,
}

impl Candidate {
    fn of(der: &CertificateDer<'_>) -> Option<Candidate> {
        let (_, c) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
        let subject = c.subject();
        let first = |it: &mut dyn Iterator<Item = &x509_parser::x509::AttributeTypeAndValue>| {
            it.next()
                .and_then(|a| a.as_str().ok())
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let name = first(&mut subject.iter_common_name())
            .or_else(|| first(&mut subject.iter_organization()))
            .unwrap_or_else(|| format!("serial:{}", c.tbs_certificate.serial));
        let alg = c
            .tbs_certificate
            .subject_pki
            .algorithm
            .algorithm
            .to_id_string();
        let signature_error = match alg.as_str() {
            "1.2.840.113549.1.1.1" => "crypto/rsa: verification error",
            "1.2.840.10045.2.1" => "x509: ECDSA verification failure",
            "1.3.101.112" => "x509: Ed25519 verification failure",
            _ => return None,
        };
        Some(Candidate {
            subject: subject.as_raw().to_vec(),
            name,
            signature_error,
        })
    }
}

/// Verifies the server's certificate as configured; handshake signatures are always checked
/// with the provider's algorithms (what `WebPkiServerVerifier` uses too).
#[derive(Debug)]
struct Verifier {
    provider: Arc<CryptoProvider>,
    trust: Trust,
}

#[derive(Debug)]
enum Trust {
    /// `insecure-skip-tls-verify`: every certificate is accepted.
    Any,
    /// No root at all (no CA configured and an empty system pool): every certificate is from
    /// an unknown authority.
    Nothing,
    Roots {
        webpki: Arc<WebPkiServerVerifier>,
        /// `tls-server-name`: verify against it instead of the URL's host.
        server_name: Option<ServerName<'static>>,
        /// The configured CAs, for Go's unknown-authority hint.
        candidates: Vec<Candidate>,
    },
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match &self.trust {
            Trust::Any => Ok(ServerCertVerified::assertion()),
            Trust::Nothing => Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            )),
            Trust::Roots {
                webpki,
                server_name: renamed,
                candidates,
            } => {
                let name = renamed.as_ref().unwrap_or(server_name);
                let r = webpki.verify_server_cert(end_entity, intermediates, name, ocsp, now);
                unknown_authority_hint(r, end_entity, intermediates, candidates)
            }
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Go's hint on an unknown authority: when a configured CA has the issuer's name but did
/// not sign the certificate (a cluster re-created with a CA of the same name), Go says which
/// CA it tried and why it failed.
fn unknown_authority_hint(
    r: Result<ServerCertVerified, rustls::Error>,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    candidates: &[Candidate],
) -> Result<ServerCertVerified, rustls::Error> {
    let Err(rustls::Error::InvalidCertificate(
        rustls::CertificateError::UnknownIssuer | rustls::CertificateError::BadSignature,
    )) = &r
    else {
        return r;
    };
    let issuer = intermediates.last().unwrap_or(end_entity).as_ref().to_vec();
    let Ok((_, c)) = x509_parser::parse_x509_certificate(&issuer) else {
        return r;
    };
    match candidates.iter().find(|k| k.subject == c.issuer().as_raw()) {
        Some(k) => Err(rustls::Error::General(format!(
            "x509: certificate signed by unknown authority (possibly because of {:?} while trying to verify candidate authority certificate {:?})",
            k.signature_error, k.name
        ))),
        None => r,
    }
}

/// Go's wording for a failed TLS handshake.
pub fn describe_tls_error(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => {
            let x509 = match c {
                C::UnknownIssuer | C::BadSignature => {
                    "x509: certificate signed by unknown authority".to_string()
                }
                C::ExpiredContext { time, not_after } => format!(
                    "x509: certificate has expired or is not yet valid: current time {} is after {}",
                    rfc3339(time),
                    rfc3339(not_after)
                ),
                C::NotValidYetContext { time, not_before } => format!(
                    "x509: certificate has expired or is not yet valid: current time {} is before {}",
                    rfc3339(time),
                    rfc3339(not_before)
                ),
                C::Expired | C::NotValidYet => {
                    "x509: certificate has expired or is not yet valid".to_string()
                }
                C::UnhandledCriticalExtension => "x509: unhandled critical extension".to_string(),
                C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
                    "x509: certificate specifies an incompatible key usage".to_string()
                }
                C::BadEncoding => "x509: malformed certificate".to_string(),
                C::UnsupportedSignatureAlgorithmContext { .. }
                | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                    "x509: cannot verify signature: algorithm unimplemented".to_string()
                }
                C::Revoked => "x509: certificate has been revoked".to_string(),
                C::NotValidForNameContext {
                    expected,
                    presented,
                } => go_hostname_error(expected.to_str().as_ref(), presented),
                C::NotValidForName => {
                    "x509: certificate is not valid for the requested server name".to_string()
                }
                // Plain words, never rustls's debug names.
                other => format!("x509: {}", plain_words(&other.to_string())),
            };
            format!("tls: failed to verify certificate: {x509}")
        }
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "tls: first record does not look like a TLS handshake".into()
        }
        rustls::Error::General(g) if g.starts_with("x509: ") => {
            format!("tls: failed to verify certificate: {g}")
        }
        rustls::Error::AlertReceived(a) => format!("remote error: tls: {a:?}"),
        other => format!("tls: {other}"),
    }
}

/// A time as Go's `time.RFC3339` in the local zone (`2026-12-06T15:04:05Z` under UTC).
fn rfc3339(t: &UnixTime) -> String {
    let secs = i64::try_from(t.as_secs()).unwrap_or(i64::MAX);
    match chrono::DateTime::from_timestamp(secs, 0) {
        Some(utc) => utc
            .with_timezone(&chrono::Local)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        None => secs.to_string(),
    }
}

/// rustls's Display text with its `Other(OtherError(UnsupportedCertVersion))`-style names
/// turned into words (`unsupported cert version`).
fn plain_words(text: &str) -> String {
    let inner = text
        .trim_start_matches("Other(")
        .trim_start_matches("OtherError(")
        .trim_end_matches(')');
    if !inner.chars().all(|c| c.is_ascii_alphanumeric()) || inner.is_empty() {
        return text.to_string();
    }
    let mut out = String::new();
    for (i, c) in inner.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Go's `x509.HostnameError` text from rustls's presented names (`DnsName("a")`,
/// `IpAddress(1.2.3.4)`): only names of the kind that was asked for are listed.
pub fn go_hostname_error(expected: &str, presented: &[String]) -> String {
    let want_ip = expected.parse::<std::net::IpAddr>().is_ok();
    let valid: Vec<&str> = presented
        .iter()
        .filter_map(|p| {
            if let Some(d) = p
                .strip_prefix("DnsName(\"")
                .and_then(|r| r.strip_suffix("\")"))
            {
                (!want_ip).then_some(d)
            } else if let Some(ip) = p
                .strip_prefix("IpAddress(")
                .and_then(|r| r.strip_suffix(')'))
            {
                want_ip.then_some(ip)
            } else {
                None
            }
        })
        .collect();
    if valid.is_empty() {
        if want_ip {
            format!("x509: cannot validate certificate for {expected} because it doesn't contain any IP SANs")
        } else {
            format!("x509: certificate is not valid for any names, but wanted to match {expected}")
        }
    } else {
        format!(
            "x509: certificate is valid for {}, not {expected}",
            valid.join(", ")
        )
    }
}

/// Parses rustls's Display text of a name mismatch back into (expected, presented).
pub fn parse_name_mismatch(text: &str) -> Option<(String, Vec<String>)> {
    let rest = text.split("certificate not valid for name \"").nth(1)?;
    let (expected, rest) = rest.split_once('"')?;
    let names = rest.split("is only valid for ").nth(1).unwrap_or("");
    let presented = names
        .split(" or ")
        .flat_map(|p| p.split(", "))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    Some((expected.to_string(), presented))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pem_is_a_clear_error() {
        let tls = TlsSettings {
            ca_pem: Some(b"not a pem".to_vec()),
            ..Default::default()
        };
        let e = client_config(&tls, None).unwrap_err();
        assert!(e.contains("unable to load root certificates"), "{e}");
        let tls = TlsSettings {
            client_cert_pem: Some(b"x".to_vec()),
            ..Default::default()
        };
        assert!(client_config(&tls, None).is_err());
        let tls = TlsSettings {
            insecure: true,
            ..Default::default()
        };
        let cfg = client_config(&tls, None).unwrap();
        assert_eq!(cfg.alpn_protocols[0], b"h2");
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/tls/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// X.509 v1 client certificates (RSA and EC) load as in Go; a key of another certificate
    /// is refused with Go's words.
    #[test]
    fn v1_client_certificates() {
        for base in ["v1-client", "v1-ec-client"] {
            let tls = TlsSettings {
                insecure: true,
                client_cert_pem: Some(fixture(&format!("{base}.crt"))),
                client_key_pem: Some(fixture(&format!("{base}.key"))),
                ..Default::default()
            };
            let cfg = client_config(&tls, None).unwrap();
            assert!(cfg.client_auth_cert_resolver.has_certs(), "{base}");
        }
        let tls = TlsSettings {
            insecure: true,
            client_cert_pem: Some(fixture("v1-client.crt")),
            client_key_pem: Some(fixture("v1-ec-client.key")),
            ..Default::default()
        };
        assert_eq!(
            client_config(&tls, None).unwrap_err(),
            "tls: private key does not match public key"
        );
    }

    #[test]
    fn hostname_errors() {
        let p = vec![
            "DnsName(\"localhost\")".to_string(),
            "IpAddress(127.0.0.1)".to_string(),
        ];
        assert_eq!(
            go_hostname_error("wrong.example", &p),
            "x509: certificate is valid for localhost, not wrong.example"
        );
        assert_eq!(
            go_hostname_error("10.0.0.1", &p),
            "x509: certificate is valid for 127.0.0.1, not 10.0.0.1"
        );
        assert_eq!(
            go_hostname_error("x", &[]),
            "x509: certificate is not valid for any names, but wanted to match x"
        );
        let (e, pr) = parse_name_mismatch("invalid peer certificate: certificate not valid for name \"wrong.example\"; certificate is only valid for DnsName(\"localhost\") or IpAddress(127.0.0.1)").unwrap();
        assert_eq!(e, "wrong.example");
        assert_eq!(pr, p);
    }

    #[test]
    fn go_wording_of_other_failures() {
        use rustls::CertificateError as C;
        let at = |s: u64| UnixTime::since_unix_epoch(std::time::Duration::from_secs(s));
        let e = rustls::Error::InvalidCertificate(C::ExpiredContext {
            time: at(1_800_000_000),
            not_after: at(1_700_000_000),
        });
        let text = describe_tls_error(&e);
        assert!(
            text.starts_with("tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time "),
            "{text}"
        );
        assert!(!text.contains("Context"), "{text}");
        assert_eq!(
            plain_words("Other(OtherError(UnsupportedCertVersion))"),
            "unsupported cert version"
        );
        assert_eq!(plain_words("a b"), "a b");
    }

    #[test]
    fn go_wording() {
        let e = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        assert_eq!(
            describe_tls_error(&e),
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
        );
    }
}

//! The check `create secret tls` makes before building the Secret: Go's `tls.X509KeyPair`
//! on the certificate and key files, with its error texts (kubectl prints them as they are).
//!
//! Like Go it reads the PEM blocks with `encoding/pem`'s rules (the first `CERTIFICATE`
//! blocks of the certificate input, the first block whose type ends in `PRIVATE KEY` of the
//! key input), parses the first certificate, parses the key as PKCS #1, PKCS #8 or SEC 1,
//! then checks that the key belongs to the certificate's public key (RSA modulus, ECDSA
//! point, Ed25519 key). The texts never include the key material.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

/// Go's `base64.StdEncoding` as `encoding/pem` uses it: padding required, trailing bits
/// allowed (Go's decoder is not strict).
const PEM_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// One PEM block: its type and decoded bytes.
#[derive(Debug, PartialEq)]
pub struct PemBlock {
    pub kind: String,
    pub bytes: Vec<u8>,
}

/// Go's `getLine`: the first line without its end of line and trailing blanks, and the rest.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (mut end, next) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (i, i + 1),
        None => (data.len(), data.len()),
    };
    if end > 0 && end < data.len() && data[end - 1] == b'\r' {
        end -= 1;
    }
    let mut line = &data[..end];
    while let [rest @ .., b' ' | b'\t'] = line {
        line = rest;
    }
    (line, &data[next..])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim_space(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// Go's `pem.Decode`: the next block and what follows it, or None when no (valid) block is
/// left.
pub fn pem_decode(data: &[u8]) -> Option<(PemBlock, &[u8])> {
    const START: &[u8] = b"\n-----BEGIN ";
    const END: &[u8] = b"\n-----END ";
    const DASHES: &[u8] = b"-----";
    let mut rest = data;
    loop {
        if rest.starts_with(&START[1..]) {
            rest = &rest[START.len() - 1..];
        } else if let Some(i) = find(rest, START) {
            rest = &rest[i + START.len()..];
        } else {
            return None;
        }
        let (type_line, after) = get_line(rest);
        rest = after;
        let Some(kind) = type_line.strip_suffix(DASHES) else {
            continue;
        };
        // Headers (`Key: value` lines) until the first line without a colon.
        let mut headers = 0;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next) = get_line(rest);
            let Some(colon) = line.iter().position(|b| *b == b':') else {
                break;
            };
            let _ = (trim_space(&line[..colon]), trim_space(&line[colon + 1..]));
            headers += 1;
            rest = next;
        }
        let (end_index, trailer_index) = if headers == 0 && rest.starts_with(&END[1..]) {
            (0, END.len() - 1)
        } else {
            match find(rest, END) {
                Some(i) => (i, i + END.len()),
                None => continue,
            }
        };
        let trailer = &rest[trailer_index..];
        let trailer_len = kind.len() + DASHES.len();
        if trailer.len() < trailer_len {
            continue;
        }
        let (end_line, rest_of_line) = trailer.split_at(trailer_len);
        if !end_line.starts_with(kind) || !end_line.ends_with(DASHES) {
            continue;
        }
        if !get_line(rest_of_line).0.is_empty() {
            continue;
        }
        // The base64 decoder skips line ends; spaces and tabs are removed first.
        let body: Vec<u8> = rest[..end_index]
            .iter()
            .copied()
            .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .collect();
        let Ok(bytes) = PEM_BASE64.decode(&body) else {
            continue;
        };
        let (_, after) = get_line(&rest[end_index + END.len() - 1..]);
        let block = PemBlock {
            kind: String::from_utf8_lossy(kind).into_owned(),
            bytes,
        };
        return Some((block, after));
    }
}

/// A DER element: its tag, contents and what follows.
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// The contents of an element of `tag` and what follows.
fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    match der(input)? {
        (t, c, r) if t == tag => Some((c, r)),
        _ => None,
    }
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const BIT_STRING: u8 = 0x03;

/// An unsigned big integer without leading zero bytes.
fn unsigned(n: &[u8]) -> &[u8] {
    let start = n.iter().position(|b| *b != 0).unwrap_or(n.len());
    &n[start..]
}

/// The OIDs (DER contents) this check needs.
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_X25519: &[u8] = &[0x2b, 0x65, 0x6e];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P224: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x21];
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];

/// A private key as Go's `parsePrivateKey` in crypto/tls accepts it.
enum PrivateKey {
    Rsa {
        modulus: Vec<u8>,
    },
    Ec {
        curve: Vec<u8>,
        scalar: Vec<u8>,
        public: Option<Vec<u8>>,
    },
    Ed25519 {
        seed: Vec<u8>,
    },
}

/// A certificate's public key.
enum PublicKey {
    Rsa { modulus: Vec<u8> },
    Ec { curve: Vec<u8>, point: Vec<u8> },
    Ed25519 { key: Vec<u8> },
    Other,
}

/// PKCS #1 `RSAPrivateKey`: version, n, e, d, p, q, dp, dq, qinv.
fn parse_pkcs1(der_bytes: &[u8]) -> Option<PrivateKey> {
    let (body, rest) = expect(der_bytes, SEQUENCE)?;
    if !rest.is_empty() {
        return None;
    }
    let mut ints = Vec::new();
    let mut cur = body;
    while !cur.is_empty() {
        let (tag, c, r) = der(cur)?;
        if tag != INTEGER {
            break;
        }
        ints.push(c);
        cur = r;
    }
    if ints.len() < 9 || ints[0].len() != 1 || ints[0][0] > 1 {
        return None;
    }
    // n, e, d, p, q must be positive.
    if ints[1..6]
        .iter()
        .any(|i| i.first().is_none_or(|b| b & 0x80 != 0) || unsigned(i).is_empty())
    {
        return None;
    }
    Some(PrivateKey::Rsa {
        modulus: unsigned(ints[1]).to_vec(),
    })
}

/// SEC 1 `ECPrivateKey`: version 1, the scalar, optional curve and public key. `curve` is
/// the one from a PKCS #8 wrapping when the key names none.
fn parse_sec1(der_bytes: &[u8], curve: Option<&[u8]>) -> Option<PrivateKey> {
    let (body, _) = expect(der_bytes, SEQUENCE)?;
    let (version, rest) = expect(body, INTEGER)?;
    if version != [1] {
        return None;
    }
    let (scalar, mut rest) = expect(rest, OCTET_STRING)?;
    let mut named = curve.map(<[u8]>::to_vec);
    let mut public = None;
    while let Some((tag, c, r)) = der(rest) {
        match tag {
            0xa0 => {
                let (oid, _) = expect(c, OID)?;
                named = Some(oid.to_vec());
            }
            0xa1 => {
                let (bits, _) = expect(c, BIT_STRING)?;
                public = bits.get(1..).map(<[u8]>::to_vec);
            }
            _ => {}
        }
        rest = r;
    }
    let curve = named?;
    if ![OID_P224, OID_P256, OID_P384, OID_P521].contains(&curve.as_slice()) {
        return None;
    }
    Some(PrivateKey::Ec {
        curve,
        scalar: scalar.to_vec(),
        public,
    })
}

/// Whether the PKCS #8 wrapping holds a key of a kind crypto/tls does not take (X25519).
enum Pkcs8 {
    Key(PrivateKey),
    UnknownType,
}

fn parse_pkcs8(der_bytes: &[u8]) -> Option<Pkcs8> {
    let (body, _) = expect(der_bytes, SEQUENCE)?;
    let (_version, rest) = expect(body, INTEGER)?;
    let (alg, rest) = expect(rest, SEQUENCE)?;
    let (key, _) = expect(rest, OCTET_STRING)?;
    let (oid, params) = expect(alg, OID)?;
    match oid {
        OID_RSA => parse_pkcs1(key).map(Pkcs8::Key),
        OID_EC => {
            let (curve, _) = expect(params, OID)?;
            parse_sec1(key, Some(curve)).map(Pkcs8::Key)
        }
        OID_ED25519 => {
            let (seed, _) = expect(key, OCTET_STRING)?;
            (seed.len() == 32).then(|| {
                Pkcs8::Key(PrivateKey::Ed25519 {
                    seed: seed.to_vec(),
                })
            })
        }
        OID_X25519 => {
            let (k, _) = expect(key, OCTET_STRING)?;
            (k.len() == 32).then_some(Pkcs8::UnknownType)
        }
        _ => None,
    }
}

/// crypto/tls `parsePrivateKey`: PKCS #1, then PKCS #8, then SEC 1.
fn parse_private_key(der_bytes: &[u8]) -> Result<PrivateKey, &'static str> {
    if let Some(k) = parse_pkcs1(der_bytes) {
        return Ok(k);
    }
    match parse_pkcs8(der_bytes) {
        Some(Pkcs8::Key(k)) => return Ok(k),
        Some(Pkcs8::UnknownType) => {
            return Err("tls: found unknown private key type in PKCS#8 wrapping")
        }
        None => {}
    }
    if let Some(k) = parse_sec1(der_bytes, None) {
        return Ok(k);
    }
    Err("tls: failed to parse private key")
}

/// `x509.ParseCertificate`, as far as the check needs it: the public key.
fn parse_certificate(der_bytes: &[u8]) -> Result<PublicKey, &'static str> {
    let Some((SEQUENCE, body, trailing)) = der(der_bytes) else {
        return Err("x509: malformed certificate");
    };
    if !matches!(der(body), Some((SEQUENCE, _, _))) {
        return Err("x509: malformed tbs certificate");
    }
    let cert = match x509_parser::parse_x509_certificate(der_bytes) {
        Ok((_, cert)) => cert,
        Err(_) => return Err("x509: malformed certificate"),
    };
    if !trailing.is_empty() {
        return Err("x509: trailing data");
    }
    let spki = cert.public_key();
    let oid = spki.algorithm.algorithm.as_bytes();
    let key = spki.subject_public_key.data.as_ref();
    Ok(match oid {
        OID_RSA => {
            let malformed = "x509: invalid RSA public key";
            let (body, _) = expect(key, SEQUENCE).ok_or(malformed)?;
            let (n, _) = expect(body, INTEGER).ok_or(malformed)?;
            PublicKey::Rsa {
                modulus: unsigned(n).to_vec(),
            }
        }
        OID_EC => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.as_bytes().to_vec())
                .unwrap_or_default();
            PublicKey::Ec {
                curve,
                point: key.to_vec(),
            }
        }
        OID_ED25519 => PublicKey::Ed25519 { key: key.to_vec() },
        _ => PublicKey::Other,
    })
}

/// Whether the ECDSA scalar makes the certificate's point.
fn ec_matches(curve: &[u8], scalar: &[u8], public: Option<&[u8]>, point: &[u8]) -> bool {
    use ring::signature::{
        EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING,
    };
    let alg = match curve {
        OID_P256 => &ECDSA_P256_SHA256_ASN1_SIGNING,
        OID_P384 => &ECDSA_P384_SHA384_ASN1_SIGNING,
        // Curves ring cannot compute on: the public key the key file carries.
        _ => return public.is_none_or(|p| p == point),
    };
    let rng = ring::rand::SystemRandom::new();
    EcdsaKeyPair::from_private_key_and_public_key(alg, scalar, point, &rng).is_ok()
}

/// Go's `tls.X509KeyPair(cert, key)`: Ok when the pair is usable, else Go's error text.
pub fn check_x509_key_pair(cert_pem: &[u8], key_pem: &[u8]) -> Result<(), String> {
    let mut certs = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut rest = cert_pem;
    while let Some((block, after)) = pem_decode(rest) {
        if block.kind == "CERTIFICATE" {
            certs.push(block.bytes);
        } else {
            skipped.push(block.kind);
        }
        rest = after;
    }
    if certs.is_empty() {
        if skipped.is_empty() {
            return Err("tls: failed to find any PEM data in certificate input".into());
        }
        if skipped.len() == 1 && skipped[0].ends_with("PRIVATE KEY") {
            return Err("tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched".into());
        }
        return Err(format!(
            "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following types: [{}]",
            skipped.join(" ")
        ));
    }
    let mut skipped: Vec<String> = Vec::new();
    let mut rest = key_pem;
    let key_der = loop {
        let Some((block, after)) = pem_decode(rest) else {
            if skipped.is_empty() {
                return Err("tls: failed to find any PEM data in key input".into());
            }
            if skipped.len() == 1 && skipped[0] == "CERTIFICATE" {
                return Err(
                    "tls: found a certificate rather than a key in the PEM for the private key"
                        .into(),
                );
            }
            return Err(format!(
                "tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after skipping PEM blocks of the following types: [{}]",
                skipped.join(" ")
            ));
        };
        if block.kind == "PRIVATE KEY" || block.kind.ends_with(" PRIVATE KEY") {
            break block.bytes;
        }
        skipped.push(block.kind);
        rest = after;
    };
    let public = parse_certificate(&certs[0])?;
    let private = parse_private_key(&key_der)?;
    const TYPE: &str = "tls: private key type does not match public key type";
    const MISMATCH: &str = "tls: private key does not match public key";
    match (public, private) {
        (PublicKey::Rsa { modulus }, PrivateKey::Rsa { modulus: n }) => {
            (modulus == n).then_some(()).ok_or(MISMATCH)?
        }
        (
            PublicKey::Ec { curve, point },
            PrivateKey::Ec {
                curve: key_curve,
                scalar,
                public,
            },
        ) => (curve == key_curve && ec_matches(&curve, &scalar, public.as_deref(), &point))
            .then_some(())
            .ok_or(MISMATCH)?,
        (PublicKey::Ed25519 { key }, PrivateKey::Ed25519 { seed }) => {
            let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed)
                .map_err(|_| "tls: failed to parse private key")?;
            let derived = ring::signature::KeyPair::public_key(&pair)
                .as_ref()
                .to_vec();
            (derived == key).then_some(()).ok_or(MISMATCH)?
        }
        (PublicKey::Other, _) => return Err("tls: unknown public key algorithm".into()),
        _ => return Err(TYPE.into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_are_found_as_go_finds_them() {
        let text = b"junk\n-----BEGIN A-----\naGk=\n-----END A-----\n-----BEGIN B-----\nbad!\n-----END B-----\n-----BEGIN C-----\nH: v\n\naGk=\n-----END C-----\n";
        let (a, rest) = pem_decode(text).unwrap();
        assert_eq!((a.kind.as_str(), a.bytes.as_slice()), ("A", &b"hi"[..]));
        // B's body is not base64: skipped, C (with a header) is next.
        let (c, rest) = pem_decode(rest).unwrap();
        assert_eq!(c.kind, "C");
        assert!(pem_decode(rest).is_none());
        // No END line of the same type: nothing.
        assert!(pem_decode(b"-----BEGIN A-----\naGk=\n-----END B-----\n").is_none());
    }

    #[test]
    fn errors_are_go_texts() {
        let key = b"-----BEGIN PRIVATE KEY-----\naGk=\n-----END PRIVATE KEY-----\n";
        let cert = b"-----BEGIN CERTIFICATE-----\naGk=\n-----END CERTIFICATE-----\n";
        assert_eq!(
            check_x509_key_pair(b"", key).unwrap_err(),
            "tls: failed to find any PEM data in certificate input"
        );
        assert_eq!(
            check_x509_key_pair(cert, b"nothing").unwrap_err(),
            "tls: failed to find any PEM data in key input"
        );
        assert_eq!(
            check_x509_key_pair(cert, key).unwrap_err(),
            "x509: malformed certificate"
        );
        let two =
            b"-----BEGIN X-----\naGk=\n-----END X-----\n-----BEGIN Y-----\naGk=\n-----END Y-----\n";
        assert_eq!(
            check_x509_key_pair(two, key).unwrap_err(),
            "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following types: [X Y]"
        );
    }
}

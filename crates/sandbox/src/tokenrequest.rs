//! The `serviceaccounts/NAME/token` subresource (authentication.k8s.io/v1 `TokenRequest`,
//! kube-apiserver `pkg/registry/core/serviceaccount/storage/token.go`): validates the
//! request as the server does (`expirationSeconds` defaulted to 3600, at least 600 and at
//! most 2^32), finds the service account and the object the token is bound to (a Pod, a
//! Secret or a Node, checking its uid), and answers with a signed JWT carrying the server's
//! claims (`iss`, `sub` = `system:serviceaccount:NS:NAME`, `aud`, `exp`/`iat`/`nbf`, `jti`
//! and the `kubernetes.io` private claims) and `status.expirationTimestamp`.
//!
//! Tokens are ES256 JWTs signed with a P-256 key made once per process, with the `kid` the
//! server derives from its public key. Nothing is stored.

use std::sync::OnceLock;

use base64::Engine as _;
use chrono::SecondsFormat;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Map, Value};

use crate::reviews::Subject;
use crate::status::{ApiError, StatusCause};
use crate::store::{new_uid, GroupResource, Store};

/// The issuer and default audience of a kubeadm/kind cluster's tokens.
pub const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";
/// `expirationSeconds` when the request has none (`SetDefaults_TokenRequestSpec`).
const DEFAULT_EXPIRATION: i64 = 3600;
/// The shortest lifetime the server accepts (`MinTokenAgeSec`).
const MIN_EXPIRATION: i64 = 600;

/// The signing key and its `kid`.
struct Signer {
    key: EcdsaKeyPair,
    kid: String,
}

fn signer() -> Option<&'static Signer> {
    static SIGNER: OnceLock<Option<Signer>> = OnceLock::new();
    SIGNER
        .get_or_init(|| {
            let rng = ring::rand::SystemRandom::new();
            let pkcs8 =
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).ok()?;
            let key =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
                    .ok()?;
            // kube-apiserver's `keyIDFromPublicKey`: base64url(SHA-256(PKIX DER of the key)).
            let mut der = vec![
                0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
                0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
            ];
            der.extend_from_slice(key.public_key().as_ref());
            let digest = ring::digest::digest(&ring::digest::SHA256, &der);
            let kid = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref());
            Some(Signer { key, kid })
        })
        .as_ref()
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWS of `claims` (keys sorted, as go-jose writes them).
fn sign(claims: &Value) -> Result<String, ApiError> {
    let signer = signer().ok_or_else(|| ApiError::internal("failed to generate token"))?;
    let header = json!({"alg": "ES256", "kid": signer.kid});
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let rng = ring::rand::SystemRandom::new();
    let sig = signer
        .key
        .sign(&rng, input.as_bytes())
        .map_err(|_| ApiError::internal("failed to generate token: signing failed"))?;
    Ok(format!("{input}.{}", b64url(sig.as_ref())))
}

/// `name` and `uid` of an object, as the private claims reference it.
fn reference(obj: &Value) -> Value {
    json!({"name": obj["metadata"]["name"], "uid": obj["metadata"]["uid"]})
}

/// Answers a TokenRequest for the service account `name` in `ns`: the request echoed with
/// its defaulted spec and the token in its status.
pub fn create(store: &Store, ns: &str, name: &str, request: &Value) -> Result<Value, ApiError> {
    let spec = &request["spec"];
    let expiration = match spec.get("expirationSeconds") {
        None | Some(Value::Null) => DEFAULT_EXPIRATION,
        Some(v) => v.as_i64().ok_or_else(|| {
            ApiError::bad_request(format!(
                "json: cannot unmarshal {v} into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64"
            ))
        })?,
    };
    let mut causes = Vec::new();
    if expiration < MIN_EXPIRATION {
        causes.push(StatusCause {
            reason: "FieldValueInvalid".into(),
            message: format!(
                "Invalid value: {expiration}: may not specify a duration less than 10 minutes"
            ),
            field: "spec.expirationSeconds".into(),
        });
    }
    if expiration > 1 << 32 {
        causes.push(StatusCause {
            reason: "FieldValueInvalid".into(),
            message: format!(
                "Invalid value: {expiration}: may not specify a duration larger than 2^32 seconds"
            ),
            field: "spec.expirationSeconds".into(),
        });
    }
    if !causes.is_empty() {
        return Err(ApiError::invalid(
            "TokenRequest",
            "authentication.k8s.io",
            "",
            causes,
        ));
    }
    let sa = store
        .get(&GroupResource::new("", "serviceaccounts"), ns, name)
        .ok_or_else(|| ApiError::not_found(&GroupResource::new("", "serviceaccounts"), name))?;
    let mut kube = Map::new();
    kube.insert("namespace".into(), json!(ns));
    kube.insert("serviceaccount".into(), reference(&sa));
    let bound = spec
        .get("boundObjectRef")
        .filter(|r| r.is_object())
        .cloned();
    if let Some(r) = &bound {
        let kind = r["kind"].as_str().unwrap_or_default();
        let api_version = r["apiVersion"].as_str().unwrap_or_default();
        let ref_name = r["name"].as_str().unwrap_or_default();
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let lookup = |resource: &str, namespace: &str| {
            let gr = GroupResource::new("", resource);
            store
                .get(&gr, namespace, ref_name)
                .ok_or_else(|| ApiError::not_found(&gr, ref_name))
        };
        let obj = match (group, kind) {
            ("", "Pod") => {
                let pod = lookup("pods", ns)?;
                if pod["spec"]["serviceAccountName"]
                    .as_str()
                    .unwrap_or_default()
                    != name
                {
                    return Err(ApiError::bad_request(format!(
                        "cannot bind token for serviceaccount {name:?} to pod running with different serviceaccount name."
                    )));
                }
                kube.insert("pod".into(), reference(&pod));
                let node_name = pod["spec"]["nodeName"].as_str().unwrap_or_default();
                if !node_name.is_empty() {
                    if let Some(node) = store.get(&GroupResource::new("", "nodes"), "", node_name) {
                        kube.insert("node".into(), reference(&node));
                    }
                }
                pod
            }
            ("", "Secret") => {
                let secret = lookup("secrets", ns)?;
                kube.insert("secret".into(), reference(&secret));
                secret
            }
            ("", "Node") => {
                let node = lookup("nodes", "")?;
                kube.insert("node".into(), reference(&node));
                node
            }
            _ => {
                let gvk = match (group, version) {
                    ("", v) => format!("/{v}, Kind={kind}"),
                    (g, v) => format!("{g}/{v}, Kind={kind}"),
                };
                return Err(ApiError::bad_request(format!(
                    "cannot bind token to object of type {gvk}"
                )));
            }
        };
        let want = r["uid"].as_str().unwrap_or_default();
        if !want.is_empty() && obj["metadata"]["uid"].as_str() != Some(want) {
            return Err(ApiError::conflict(
                &GroupResource::new("", kind),
                ref_name,
                &format!("the UID in the bound object reference ({want}) does not match the UID in record. The object might have been deleted and then recreated"),
            ));
        }
    }
    let audiences = match spec.get("audiences").and_then(Value::as_array) {
        Some(a) if !a.is_empty() => Value::Array(a.clone()),
        _ => json!([ISSUER]),
    };
    let now = store.clock().now();
    let iat = now.timestamp();
    let exp = iat + expiration;
    let claims = json!({
        "aud": audiences,
        "exp": exp,
        "iat": iat,
        "iss": ISSUER,
        "jti": new_uid(),
        "kubernetes.io": Value::Object(kube),
        "nbf": iat,
        "sub": format!("system:serviceaccount:{ns}:{name}"),
    });
    let token = sign(&claims)?;
    let expires = chrono::DateTime::from_timestamp(exp, 0)
        .unwrap_or(now)
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut metadata = request["metadata"].as_object().cloned().unwrap_or_default();
    metadata.retain(|_, v| !v.is_null());
    Ok(json!({
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": metadata,
        "spec": {
            "audiences": audiences,
            "expirationSeconds": expiration,
            "boundObjectRef": bound.unwrap_or(Value::Null),
        },
        "status": {"token": token, "expirationTimestamp": expires},
    }))
}

/// The claims of a token signed by this server's key (whatever its audiences and times).
pub fn verified_claims(token: &str) -> Option<Value> {
    let signer = signer()?;
    let mut parts = token.split('.');
    let (h, c, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header: Value = serde_json::from_slice(&b64.decode(h).ok()?).ok()?;
    if header["alg"] != "ES256" || header["kid"] != signer.kid.as_str() {
        return None;
    }
    let public = ring::signature::UnparsedPublicKey::new(
        &ring::signature::ECDSA_P256_SHA256_FIXED,
        signer.key.public_key().as_ref(),
    );
    public
        .verify(format!("{h}.{c}").as_bytes(), &b64.decode(s).ok()?)
        .ok()?;
    serde_json::from_slice(&b64.decode(c).ok()?).ok()
}

/// The service account a bearer token minted here stands for, as kube-apiserver's
/// service-account token authenticator checks it: a valid signature by this server's key,
/// this issuer, the API audience, not expired, and the service account (and the object the
/// token is bound to) still there with the uid it had. None when the token is not one of ours
/// or no longer valid.
pub fn authenticate(store: &Store, token: &str) -> Option<Subject> {
    authenticate_for(store, token, &[ISSUER.to_string()]).map(|(subject, _)| subject)
}

/// Like [`authenticate`], for a token that must be meant for one of `audiences` (TokenReview's
/// `spec.audiences`); also returns the audiences the token and the request share.
pub fn authenticate_for(
    store: &Store,
    token: &str,
    audiences: &[String],
) -> Option<(Subject, Vec<String>)> {
    let claims = verified_claims(token)?;
    let now = store.clock().now().timestamp();
    let shared: Vec<String> = claims["aud"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|a| audiences.iter().any(|w| w == a))
        .map(str::to_string)
        .collect();
    if claims["iss"] != ISSUER
        || shared.is_empty()
        || claims["exp"].as_i64()? <= now
        || claims["nbf"].as_i64().is_some_and(|nbf| nbf > now)
    {
        return None;
    }
    let kube = &claims["kubernetes.io"];
    let ns = kube["namespace"].as_str()?;
    let still_there = |resource: &str, namespace: &str, r: &Value| {
        let gr = GroupResource::new("", resource);
        let obj = store.get(&gr, namespace, r["name"].as_str()?)?;
        (obj["metadata"]["uid"] == r["uid"]).then_some(())
    };
    let sa = &kube["serviceaccount"];
    still_there("serviceaccounts", ns, sa)?;
    let mut extra = std::collections::BTreeMap::new();
    for (key, resource, namespace) in [
        ("pod", "pods", ns),
        ("secret", "secrets", ns),
        ("node", "nodes", ""),
    ] {
        let r = &kube[key];
        if r.is_object() {
            if key != "node" || kube["pod"].is_null() {
                still_there(resource, namespace, r)?;
            }
            if key != "secret" {
                for (field, v) in [("name", &r["name"]), ("uid", &r["uid"])] {
                    if let Some(v) = v.as_str() {
                        extra.insert(
                            format!("authentication.kubernetes.io/{key}-{field}"),
                            vec![v.to_string()],
                        );
                    }
                }
            }
        }
    }
    let subject = Subject {
        user: format!("system:serviceaccount:{ns}:{}", sa["name"].as_str()?),
        uid: sa["uid"].as_str().unwrap_or_default().to_string(),
        groups: vec![
            "system:serviceaccounts".into(),
            format!("system:serviceaccounts:{ns}"),
            "system:authenticated".into(),
        ],
        credential_id: claims["jti"].as_str().map(|j| format!("JTI={j}")),
        extra,
    };
    Some((subject, shared))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_signed_jwts() {
        let claims = json!({"sub": "system:serviceaccount:default:x"});
        let token = sign(&claims).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(parts[0])
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], "ES256");
        let signer = signer().unwrap();
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            signer.key.public_key().as_ref().to_vec(),
        );
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[2])
            .unwrap();
        public
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
            .unwrap();
    }
}

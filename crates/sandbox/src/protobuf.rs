//! Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`)
//! into the JSON form the handlers work on.
//!
//! kubectl's typed clients (`create deployment`, `create namespace`, `run`, ...) send
//! protobuf. The body is the `k8s\0` magic followed by a `runtime.Unknown` envelope (apiVersion,
//! kind, raw message bytes). Field numbers come from `proto/proto_fields.tsv`, generated from
//! Kubernetes' `generated.proto` files by `proto/gen_table.py`. Go serializes every non-pointer
//! field, so zero values the JSON encoding would omit (`omitempty`) are dropped again, except
//! for the pointer fields where zero or false means something.

use std::collections::HashMap;
use std::sync::OnceLock;

use base64::Engine as _;
use serde_json::{json, Map, Value};

const TABLE: &str = include_str!("proto/proto_fields.tsv");
const MAGIC: &[u8] = b"k8s\0";

/// Pointer fields whose zero value is meaningful (kept when decoded as 0).
const KEEP_ZERO: &[&str] = &[
    "replicas",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "revisionHistoryLimit",
    "progressDeadlineSeconds",
    "runAsUser",
    "runAsGroup",
    "fsGroup",
    "defaultMode",
    "mode",
    "tolerationSeconds",
    "deletionGracePeriodSeconds",
    "gracePeriodSeconds",
    "priority",
    "expirationSeconds",
    "leaseDurationSeconds",
    "leaseTransitions",
    "parallelism",
    "completions",
    "backoffLimit",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
    "ttlSecondsAfterFinished",
    "startingDeadlineSeconds",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    // HorizontalPodAutoscalers (a 0 the client sends must reach validation) and PriorityClass.
    "averageUtilization",
    "targetCPUUtilizationPercentage",
    "minReplicas",
    "stabilizationWindowSeconds",
    "value",
];

/// Pointer fields whose `false` is meaningful.
const KEEP_FALSE: &[&str] = &[
    "optional",
    "runAsNonRoot",
    "readOnlyRootFilesystem",
    "allowPrivilegeEscalation",
    "privileged",
    "automountServiceAccountToken",
    "immutable",
    "enableServiceLinks",
    "hostUsers",
    "setHostnameAsFQDN",
    "shareProcessNamespace",
    "allocateLoadBalancerNodePorts",
    "orphanDependents",
    "blockOwnerDeletion",
    "controller",
    "manualSelector",
    "suspend",
];

#[derive(Debug)]
struct Field {
    name: String,
    repeated: bool,
    /// Scalar name or message name; for maps the value type.
    ty: String,
    /// For maps: the key type.
    map_key: Option<String>,
}

type Messages = HashMap<String, HashMap<u64, Field>>;

fn table() -> &'static Messages {
    static T: OnceLock<Messages> = OnceLock::new();
    T.get_or_init(|| {
        let mut out: Messages = HashMap::new();
        for line in TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let cols: Vec<&str> = line.split('\t').collect();
            let [msg, num, name, label, ty] = cols[..] else {
                continue;
            };
            let Ok(num) = num.parse::<u64>() else {
                continue;
            };
            let (ty, map_key) = match (label, ty.split_once(',')) {
                ("map", Some((k, v))) => (v.to_string(), Some(k.to_string())),
                _ => (ty.to_string(), None),
            };
            let f = Field {
                name: name.to_string(),
                repeated: label == "rep",
                ty,
                map_key,
            };
            out.entry(msg.to_string()).or_default().insert(num, f);
        }
        out
    })
}

/// The protobuf package of an API group version.
fn package(api_version: &str) -> String {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let short = match group {
        "" => "core",
        // `rbac.authorization.k8s.io` is package `k8s.io.api.rbac.v1`,
        // `flowcontrol.apiserver.k8s.io` is `k8s.io.api.flowcontrol.v1`.
        g => g.split('.').next().unwrap_or(g),
    };
    format!("k8s.io.api.{short}.{version}")
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos).ok_or("truncated varint")?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or("truncated field")?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
}

/// One wire value.
enum Wire<'a> {
    Varint(u64),
    Fixed64([u8; 8]),
    Fixed32([u8; 4]),
    Bytes(&'a [u8]),
}

fn next_field<'a>(r: &mut Reader<'a>) -> Result<(u64, Wire<'a>), String> {
    let tag = r.varint()?;
    let wire = match tag & 7 {
        0 => Wire::Varint(r.varint()?),
        1 => Wire::Fixed64(r.take(8)?.try_into().map_err(|_| "bad fixed64")?),
        2 => {
            let n = usize::try_from(r.varint()?).map_err(|_| "length too large")?;
            Wire::Bytes(r.take(n)?)
        }
        5 => Wire::Fixed32(r.take(4)?.try_into().map_err(|_| "bad fixed32")?),
        w => return Err(format!("unsupported wire type {w}")),
    };
    Ok((tag >> 3, wire))
}

fn scalar(ty: &str, w: &Wire) -> Result<Value, String> {
    Ok(match (ty, w) {
        ("string", Wire::Bytes(b)) => json!(String::from_utf8_lossy(b)),
        ("bytes", Wire::Bytes(b)) => json!(base64::engine::general_purpose::STANDARD.encode(b)),
        ("bool", Wire::Varint(v)) => json!(*v != 0),
        ("int32", Wire::Varint(v)) => json!(*v as i64 as i32),
        ("int64", Wire::Varint(v)) => json!(*v as i64),
        ("uint32" | "uint64", Wire::Varint(v)) => json!(*v),
        ("double", Wire::Fixed64(b)) => json!(f64::from_le_bytes(*b)),
        ("float", Wire::Fixed32(b)) => json!(f32::from_le_bytes(*b)),
        (t, _) => return Err(format!("unexpected encoding for a {t} field")),
    })
}

fn is_scalar(ty: &str) -> bool {
    matches!(
        ty,
        "string" | "bytes" | "bool" | "int32" | "int64" | "uint32" | "uint64" | "double" | "float"
    )
}

fn value_of(ty: &str, w: &Wire, depth: usize) -> Result<Value, String> {
    if is_scalar(ty) {
        return scalar(ty, w);
    }
    match w {
        Wire::Bytes(b) => message(ty, b, depth + 1),
        _ => Err(format!("expected an embedded {ty}")),
    }
}

/// Go's JSON for a time: null for the zero time (what clients send for unset timestamps).
fn rfc3339(seconds: i64, micros: Option<i64>) -> Value {
    if seconds == 0 && micros.unwrap_or(0) == 0 {
        return Value::Null;
    }
    let Some(t) = chrono::DateTime::from_timestamp(seconds, 0) else {
        return Value::Null;
    };
    match micros {
        None => json!(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        Some(us) => json!(format!("{}.{us:06}Z", t.format("%Y-%m-%dT%H:%M:%S"))),
    }
}

/// Go's `time.Duration` text for whole and fractional seconds (`1h0m0s`, `90s` → `1m30s`).
fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    let (h, m) = (n / 3_600_000_000_000, (n / 60_000_000_000) % 60);
    let s = (n % 60_000_000_000) as f64 / 1e9;
    let secs = format!("{s}s");
    match (h, m) {
        (0, 0) => format!("{sign}{secs}"),
        (0, m) => format!("{sign}{m}m{secs}"),
        (h, m) => format!("{sign}{h}h{m}m{secs}"),
    }
}

/// Messages whose JSON form is not an object of their fields.
fn special(ty: &str, fields: &Map<String, Value>) -> Option<Value> {
    let int = |k: &str| fields.get(k).and_then(Value::as_i64).unwrap_or(0);
    let raw_json = |k: &str| {
        let b64 = fields.get(k).and_then(Value::as_str).unwrap_or_default();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap_or_default();
        serde_json::from_slice(&raw).unwrap_or(Value::Null)
    };
    Some(match ty {
        "k8s.io.apimachinery.pkg.apis.meta.v1.Time" => rfc3339(int("seconds"), None),
        "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime" => {
            rfc3339(int("seconds"), Some(int("nanos") / 1000))
        }
        "k8s.io.apimachinery.pkg.apis.meta.v1.Duration" => json!(go_duration(int("duration"))),
        "k8s.io.apimachinery.pkg.api.resource.Quantity" => {
            fields.get("string").cloned().unwrap_or(json!("0"))
        }
        "k8s.io.apimachinery.pkg.util.intstr.IntOrString" => {
            if int("type") == 1 {
                fields.get("strVal").cloned().unwrap_or(json!(""))
            } else {
                json!(int("intVal"))
            }
        }
        "k8s.io.apimachinery.pkg.runtime.RawExtension" => raw_json("raw"),
        "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1" => raw_json("Raw"),
        _ => return None,
    })
}

fn message(ty: &str, buf: &[u8], depth: usize) -> Result<Value, String> {
    if depth > 64 {
        return Err("message nested too deeply".into());
    }
    let defs = table()
        .get(ty)
        .ok_or_else(|| format!("no protobuf schema for {ty}"))?;
    let mut out = Map::new();
    let mut r = Reader { buf, pos: 0 };
    while !r.done() {
        let (num, w) = next_field(&mut r)?;
        let Some(f) = defs.get(&num) else { continue };
        if let Some(kty) = &f.map_key {
            let Wire::Bytes(entry) = w else {
                return Err(format!("bad map entry in {}", f.name));
            };
            let (mut k, mut v) = (Value::Null, Value::Null);
            let mut er = Reader { buf: entry, pos: 0 };
            while !er.done() {
                match next_field(&mut er)? {
                    (1, kw) => k = value_of(kty, &kw, depth)?,
                    (2, vw) => v = value_of(&f.ty, &vw, depth)?,
                    _ => {}
                }
            }
            let key = match k {
                Value::String(s) => s,
                Value::Null => String::new(),
                other => other.to_string(),
            };
            let slot = out.entry(f.name.clone()).or_insert_with(|| json!({}));
            if v.is_null() && f.ty == "string" {
                v = json!("");
            }
            slot[key] = v;
        } else if f.repeated {
            let slot = out.entry(f.name.clone()).or_insert_with(|| json!([]));
            let items = slot.as_array_mut().ok_or("repeated field clash")?;
            match (
                &w,
                is_scalar(&f.ty) && !matches!(f.ty.as_str(), "string" | "bytes"),
            ) {
                // Packed numbers.
                (Wire::Bytes(b), true) => {
                    let mut pr = Reader { buf: b, pos: 0 };
                    while !pr.done() {
                        items.push(scalar(&f.ty, &Wire::Varint(pr.varint()?))?);
                    }
                }
                _ => items.push(value_of(&f.ty, &w, depth)?),
            }
        } else {
            out.insert(f.name.clone(), value_of(&f.ty, &w, depth)?);
        }
    }
    if let Some(v) = special(ty, &out) {
        return Ok(v);
    }
    out.retain(|k, v| match v {
        Value::String(s) => !s.is_empty(),
        Value::Bool(b) => *b || KEEP_FALSE.contains(&k.as_str()),
        Value::Number(n) => n.as_f64() != Some(0.0) || KEEP_ZERO.contains(&k.as_str()),
        _ => true,
    });
    // Embedded Go structs (`json:",inline"`) are a field of their own in protobuf; their
    // fields belong to the parent in JSON.
    for (msg, field) in INLINE {
        if *msg == ty {
            if let Some(Value::Object(inner)) = out.remove(*field) {
                out.extend(inner);
            }
        }
    }
    Ok(Value::Object(out))
}

/// The protobuf fields that are inline (embedded) structs in the JSON encoding.
const INLINE: &[(&str, &str)] = &[
    ("k8s.io.api.core.v1.Volume", "volumeSource"),
    (
        "k8s.io.api.core.v1.PersistentVolumeSpec",
        "persistentVolumeSource",
    ),
    ("k8s.io.api.core.v1.Probe", "handler"),
    (
        "k8s.io.api.core.v1.EphemeralContainer",
        "ephemeralContainerCommon",
    ),
    ("k8s.io.api.networking.v1.IngressRule", "ingressRuleValue"),
    // `LocalObjectReference` embedded in the config map and secret references.
    (
        "k8s.io.api.core.v1.ConfigMapEnvSource",
        "localObjectReference",
    ),
    (
        "k8s.io.api.core.v1.ConfigMapKeySelector",
        "localObjectReference",
    ),
    (
        "k8s.io.api.core.v1.ConfigMapProjection",
        "localObjectReference",
    ),
    (
        "k8s.io.api.core.v1.ConfigMapVolumeSource",
        "localObjectReference",
    ),
    ("k8s.io.api.core.v1.SecretEnvSource", "localObjectReference"),
    (
        "k8s.io.api.core.v1.SecretKeySelector",
        "localObjectReference",
    ),
    (
        "k8s.io.api.core.v1.SecretProjection",
        "localObjectReference",
    ),
    (
        "k8s.io.api.admissionregistration.v1.NamedRuleWithOperations",
        "ruleWithOperations",
    ),
    (
        "k8s.io.api.admissionregistration.v1.RuleWithOperations",
        "rule",
    ),
];

/// Decodes a protobuf request body into the object's JSON form, with `apiVersion` and
/// `kind` from the envelope. Errors are worded for a 400 response.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let rest = body.strip_prefix(MAGIC).ok_or(
        "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    )?;
    let env = message("k8s.io.apimachinery.pkg.runtime.Unknown", rest, 0)?;
    let api_version = env["typeMeta"]["apiVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let kind = env["typeMeta"]["kind"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if kind.is_empty() {
        return Err("Object 'Kind' is missing in protobuf message".into());
    }
    let raw_b64 = env["raw"].as_str().unwrap_or_default();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(raw_b64)
        .map_err(|e| e.to_string())?;
    let typed = format!("{}.{kind}", package(&api_version));
    let name = if table().contains_key(&typed) {
        typed
    } else {
        format!("k8s.io.apimachinery.pkg.apis.meta.v1.{kind}")
    };
    let mut obj = message(&name, &raw, 0)?;
    obj["apiVersion"] = json!(api_version);
    obj["kind"] = json!(kind);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn bytes_field(num: u64, b: &[u8], out: &mut Vec<u8>) {
        varint(num << 3 | 2, out);
        varint(b.len() as u64, out);
        out.extend_from_slice(b);
    }

    /// A request body: the magic, then `runtime.Unknown` with its TypeMeta and raw object.
    fn envelope(api_version: &[u8], kind: &[u8], raw: Option<&[u8]>) -> Vec<u8> {
        let mut body = MAGIC.to_vec();
        body.extend(msg(|u| {
            bytes_field(
                1,
                &msg(|tm| {
                    bytes_field(1, api_version, tm);
                    bytes_field(2, kind, tm);
                }),
                u,
            );
            if let Some(raw) = raw {
                bytes_field(2, raw, u);
            }
        }));
        body
    }

    fn varint_field(num: u64, v: u64, out: &mut Vec<u8>) {
        varint(num << 3, out);
        varint(v, out);
    }

    fn msg(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut v = Vec::new();
        f(&mut v);
        v
    }

    /// IngressRule{host: foo.com, ingressRuleValue{http{paths[{path: /bar}]}}} is
    /// {"host": "foo.com", "http": {...}} in JSON: the embedded struct is inline.
    #[test]
    fn inline_structs_merge_into_their_parent() {
        let path = msg(|m| bytes_field(1, b"/bar", m));
        let http = msg(|m| bytes_field(1, &path, m));
        let value = msg(|m| bytes_field(1, &http, m));
        let rule = msg(|m| {
            bytes_field(1, b"foo.com", m);
            bytes_field(2, &value, m);
        });
        let v = message("k8s.io.api.networking.v1.IngressRule", &rule, 0).unwrap();
        assert_eq!(
            v,
            json!({"host": "foo.com", "http": {"paths": [{"path": "/bar"}]}})
        );
    }

    /// A projected config map source names its config map inline (`LocalObjectReference`
    /// is embedded), as the service account token volume of every pod does.
    #[test]
    fn embedded_local_object_references_are_inline() {
        let reference = msg(|m| bytes_field(1, b"kube-root-ca.crt", m));
        let projection = msg(|m| bytes_field(1, &reference, m));
        let v = message("k8s.io.api.core.v1.ConfigMapProjection", &projection, 0).unwrap();
        assert_eq!(v, json!({"name": "kube-root-ca.crt"}));
        let v = message("k8s.io.api.core.v1.SecretKeySelector", &projection, 0).unwrap();
        assert_eq!(v, json!({"name": "kube-root-ca.crt"}));
    }

    #[test]
    fn every_served_group_has_its_package() {
        assert_eq!(package("v1"), "k8s.io.api.core.v1");
        assert_eq!(
            package("rbac.authorization.k8s.io/v1"),
            "k8s.io.api.rbac.v1"
        );
        assert_eq!(
            package("flowcontrol.apiserver.k8s.io/v1"),
            "k8s.io.api.flowcontrol.v1"
        );
        assert_eq!(package("autoscaling/v2"), "k8s.io.api.autoscaling.v2");
        for (msg, _) in [
            ("k8s.io.api.rbac.v1.Role", 0),
            ("k8s.io.api.networking.v1.Ingress", 0),
            ("k8s.io.api.scheduling.v1.PriorityClass", 0),
            ("k8s.io.api.storage.v1.StorageClass", 0),
            ("k8s.io.api.authentication.v1.TokenRequest", 0),
        ] {
            assert!(table().contains_key(msg), "{msg}");
        }
    }

    #[test]
    fn decodes_a_deployment_as_kubectl_sends_it() {
        // metadata{name: web, labels{app: web}, creationTimestamp: {}}
        let meta = msg(|m| {
            bytes_field(1, b"web", m);
            bytes_field(5, b"", m);
            varint_field(7, 0, m);
            bytes_field(8, &[], m);
            bytes_field(
                11,
                &msg(|e| {
                    bytes_field(1, b"app", e);
                    bytes_field(2, b"web", e);
                }),
                m,
            );
        });
        let container = msg(|c| {
            bytes_field(1, b"nginx", c);
            bytes_field(2, b"nginx:1", c);
            bytes_field(8, &[], c); // resources: {}
            bytes_field(6, &msg(|p| varint_field(3, 80, p)), c); // ports[].containerPort
        });
        let spec = msg(|s| {
            varint_field(1, 0, s); // replicas: 0 is kept
            bytes_field(
                2,
                &msg(|sel| {
                    bytes_field(
                        1,
                        &msg(|e| {
                            bytes_field(1, b"app", e);
                            bytes_field(2, b"web", e);
                        }),
                        sel,
                    )
                }),
                s,
            );
            bytes_field(
                3,
                &msg(|t| {
                    bytes_field(1, &msg(|_| {}), t);
                    bytes_field(2, &msg(|ps| bytes_field(2, &container, ps)), t);
                }),
                s,
            );
            bytes_field(
                4,
                &msg(|st| {
                    bytes_field(1, b"RollingUpdate", st);
                    bytes_field(
                        2,
                        &msg(|ru| {
                            bytes_field(
                                1,
                                &msg(|i| {
                                    varint_field(1, 1, i);
                                    bytes_field(3, b"25%", i);
                                }),
                                ru,
                            );
                        }),
                        st,
                    );
                }),
                s,
            );
        });
        let deployment = msg(|d| {
            bytes_field(1, &meta, d);
            bytes_field(2, &spec, d);
            bytes_field(3, &[], d);
        });
        let body = envelope(b"apps/v1", b"Deployment", Some(&deployment));
        let v = decode(&body).unwrap();
        assert_eq!(v["kind"], "Deployment");
        assert_eq!(v["apiVersion"], "apps/v1");
        assert_eq!(
            v["metadata"],
            json!({"name": "web", "labels": {"app": "web"}, "creationTimestamp": null})
        );
        assert_eq!(v["spec"]["replicas"], 0);
        assert_eq!(
            v["spec"]["selector"],
            json!({"matchLabels": {"app": "web"}})
        );
        assert_eq!(
            v["spec"]["template"]["spec"]["containers"],
            json!([{"name": "nginx", "image": "nginx:1", "resources": {}, "ports": [{"containerPort": 80}]}])
        );
        assert_eq!(
            v["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"],
            "25%"
        );
        assert_eq!(v["status"], json!({}));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(decode(b"{}").is_err());
        assert!(decode(b"k8s\0\x0a\xff").is_err());
        assert!(decode(b"k8s\0").is_err());
        let body = envelope(b"v1", b"NoSuchKind", None);
        assert!(decode(&body).unwrap_err().contains("no protobuf schema"));
        assert_eq!(go_duration(90_000_000_000), "1m30s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(rfc3339(0, None), Value::Null);
        assert_eq!(rfc3339(1, None), "1970-01-01T00:00:01Z");
        assert_eq!(rfc3339(0, Some(5)), "1970-01-01T00:00:00.000005Z");
    }
}

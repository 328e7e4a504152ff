//! `configMapGenerator` and `secretGenerator` (`internal/generators`, `api/kv`) and the
//! content hash kustomize appends to generated names (`api/hasher`).

use std::path::Path;

use base64::Engine;
use serde_json::{Map, Value};

use crate::resource::{Behavior, Res};
use crate::target::Loader;
use crate::Error;

/// `types.GeneratorOptions`.
#[derive(Debug, Clone, Default)]
pub struct GenOptions {
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
    pub disable_hash: bool,
    pub immutable: bool,
}

impl GenOptions {
    pub fn from_value(v: Option<&Value>) -> Option<GenOptions> {
        let v = v?;
        if v.is_null() {
            return None;
        }
        let map = |k: &str| -> Vec<(String, String)> {
            match v.get(k) {
                Some(Value::Object(m)) => m
                    .iter()
                    .map(|(k, v)| (k.clone(), crate::resource::scalar_string(v)))
                    .collect(),
                _ => Vec::new(),
            }
        };
        Some(GenOptions {
            labels: map("labels"),
            annotations: map("annotations"),
            disable_hash: v
                .get("disableNameSuffixHash")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            immutable: v.get("immutable").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// `generatorOptions` merged with one generator's `options` (`types.MergeGlobalOptionsIntoLocal`).
    pub fn merge(global: Option<&GenOptions>, local: Option<&GenOptions>) -> Option<GenOptions> {
        match (global, local) {
            (None, None) => None,
            (Some(g), None) => Some(g.clone()),
            (None, Some(l)) => Some(l.clone()),
            (Some(g), Some(l)) => {
                let mut out = l.clone();
                for (k, v) in &g.labels {
                    if !out.labels.iter().any(|(lk, _)| lk == k) {
                        out.labels.push((k.clone(), v.clone()));
                    }
                }
                for (k, v) in &g.annotations {
                    if !out.annotations.iter().any(|(lk, _)| lk == k) {
                        out.annotations.push((k.clone(), v.clone()));
                    }
                }
                out.disable_hash = out.disable_hash || g.disable_hash;
                out.immutable = out.immutable || g.immutable;
                Some(out)
            }
        }
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(crate::resource::scalar_string).collect())
        .unwrap_or_default()
}

/// One generator entry (`types.ConfigMapArgs`/`SecretArgs`).
pub struct GenArgs {
    pub name: String,
    pub namespace: String,
    pub behavior: Behavior,
    pub literals: Vec<String>,
    pub files: Vec<String>,
    pub envs: Vec<String>,
    pub secret_type: String,
    pub options: Option<GenOptions>,
}

impl GenArgs {
    pub fn from_value(v: &Value, global: Option<&GenOptions>) -> GenArgs {
        let s = |k: &str| {
            v.get(k)
                .map(crate::resource::scalar_string)
                .unwrap_or_default()
        };
        let mut envs = strings(v.get("envs"));
        let env = s("env");
        if !env.is_empty() {
            envs.push(env);
        }
        let local = GenOptions::from_value(v.get("options"));
        GenArgs {
            name: s("name"),
            namespace: s("namespace"),
            behavior: Behavior::parse(&s("behavior")),
            literals: strings(v.get("literals")),
            files: strings(v.get("files")),
            envs,
            secret_type: s("type"),
            options: GenOptions::merge(global, local.as_ref()),
        }
    }
}

fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() < 2 || b[0] != b[b.len() - 1] {
        return s;
    }
    if b[0] == b'"' || b[0] == b'\'' {
        return &s[1..s.len() - 1];
    }
    s
}

fn load_pairs(ldr: &Loader, args: &GenArgs) -> Result<Vec<(String, String)>, Error> {
    let mut all = Vec::new();
    for p in &args.envs {
        let content = ldr
            .load_file(p)
            .map_err(|e| e.wrap(format!("env source files: [{}]", args.envs.join(" "))))?;
        let text = String::from_utf8_lossy(&content).to_string();
        for (i, line) in text.lines().enumerate() {
            let mut line = line;
            if i == 0 {
                line = line.trim_start_matches('\u{feff}');
            }
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = match line.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (line.to_string(), String::new()),
            };
            all.push((k, v));
        }
    }
    for s in &args.literals {
        let bad = || {
            Error::new(format!("invalid literal source {s}, expected key=value"))
                .wrap(format!("literal sources [{}]", args.literals.join(" ")))
        };
        if s.starts_with('=') {
            return Err(bad());
        }
        let Some((k, v)) = s.split_once('=') else {
            return Err(bad());
        };
        all.push((k.to_string(), remove_quotes(v).to_string()));
    }
    for s in &args.files {
        let wrap = |e: Error| e.wrap(format!("file sources: [{}]", args.files.join(" ")));
        let n = s.matches('=').count();
        let (key, path) = if n == 0 {
            let base = Path::new(s)
                .file_name()
                .map(|b| b.to_string_lossy().to_string())
                .unwrap_or_else(|| s.clone());
            (base, s.clone())
        } else if n == 1 && s.starts_with('=') {
            return Err(wrap(Error::new(format!(
                "missing key name for file path {:?} in source {:?}",
                &s[1..],
                s
            ))));
        } else if n == 1 && s.ends_with('=') {
            return Err(wrap(Error::new(format!(
                "missing file path for key name {:?} in source {:?}",
                &s[..s.len() - 1],
                s
            ))));
        } else if n > 1 {
            return Err(wrap(Error::new(format!(
                "source {s:?} key name or file path contains '='"
            ))));
        } else {
            let (k, p) = s.split_once('=').unwrap();
            (k.to_string(), p.to_string())
        };
        let content = ldr.load_file(&path).map_err(wrap)?;
        all.push((key, unsafe_string(content)));
    }
    Ok(all)
}

/// Go converts bytes to a string without checking them; invalid UTF-8 becomes binaryData.
/// Here invalid bytes are kept as Latin-1-ish escapes only to route them to binaryData.
fn unsafe_string(b: Vec<u8>) -> String {
    match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => {
            let bytes = e.into_bytes();
            // Marker: a string starting with U+0000 U+FFFF never appears in valid input.
            let mut s = String::from("\u{0}\u{ffff}");
            s.push_str(&base64::engine::general_purpose::STANDARD.encode(&bytes));
            s
        }
    }
}

fn binary_of(s: &str) -> Option<Vec<u8>> {
    let rest = s.strip_prefix("\u{0}\u{ffff}")?;
    base64::engine::general_purpose::STANDARD.decode(rest).ok()
}

/// `makeValidatedDataMap`. kubectl's kustomize validates no key (its `FieldValidator`'s
/// `IsEnvVarName` and `ErrIfInvalidKey` accept anything): only repeats are refused.
fn validated_map(ldr: &Loader, args: &GenArgs) -> Result<Vec<(String, String)>, Error> {
    let pairs = load_pairs(ldr, args).map_err(|e| e.wrap("loading KV pairs"))?;
    let mut known: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs {
        if known.iter().any(|(x, _)| *x == k) {
            return Err(Error::new(format!(
                "configmap {} illegally repeats the key `{}`",
                args.name, k
            )));
        }
        known.push((k, v));
    }
    known.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(known)
}

/// kyaml `encodeBase64`: standard base64, broken into 70-character lines (each ending in a
/// newline) when longer than one line.
pub fn encode_base64(b: &[u8]) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(b);
    let lines = enc.len() / 70 + 1;
    if lines <= 1 {
        return enc;
    }
    let mut out = String::new();
    let mut i = 0;
    while i < enc.len() {
        let j = (i + 70).min(enc.len());
        out.push_str(&enc[i..j]);
        out.push('\n');
        i += 70;
    }
    out
}

fn base_node(kind: &str, args: &GenArgs) -> Result<Map<String, Value>, Error> {
    if args.name.is_empty() {
        return Err(Error::new("a configmap must have a name"));
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), Value::String("v1".into()));
    obj.insert("kind".into(), Value::String(kind.into()));
    let mut meta = Map::new();
    meta.insert("name".into(), Value::String(args.name.clone()));
    if !args.namespace.is_empty() {
        meta.insert("namespace".into(), Value::String(args.namespace.clone()));
    }
    obj.insert("metadata".into(), Value::Object(meta));
    Ok(obj)
}

fn finish(mut obj: Map<String, Value>, args: &GenArgs) -> Res {
    if let Some(o) = &args.options {
        let meta = obj.get_mut("metadata").unwrap().as_object_mut().unwrap();
        for (field, pairs) in [("labels", &o.labels), ("annotations", &o.annotations)] {
            if !pairs.is_empty() {
                let m: Map<String, Value> = pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                meta.insert(field.into(), Value::Object(m));
            }
        }
        if o.immutable {
            obj.insert("immutable".into(), Value::Bool(true));
        }
    }
    let mut r = Res::new(Value::Object(obj));
    r.needs_hash = !args.options.as_ref().is_some_and(|o| o.disable_hash);
    r.behavior = args.behavior;
    r.annotated = true;
    r
}

/// `generators.MakeConfigMap`.
pub fn make_config_map(ldr: &Loader, args: &GenArgs) -> Result<Res, Error> {
    let mut obj = base_node("ConfigMap", args)?;
    let m = validated_map(ldr, args)?;
    let mut data = Map::new();
    let mut binary = Map::new();
    for (k, v) in m {
        match binary_of(&v) {
            Some(bytes) => {
                binary.insert(k, Value::String(encode_base64(&bytes)));
            }
            None => {
                data.insert(k, Value::String(v));
            }
        }
    }
    if !data.is_empty() {
        obj.insert("data".into(), Value::Object(data));
    }
    if !binary.is_empty() {
        obj.insert("binaryData".into(), Value::Object(binary));
    }
    Ok(finish(obj, args))
}

/// `generators.MakeSecret`.
pub fn make_secret(ldr: &Loader, args: &GenArgs) -> Result<Res, Error> {
    let mut obj = base_node("Secret", args)?;
    let t = if args.secret_type.is_empty() {
        "Opaque".to_string()
    } else {
        args.secret_type.clone()
    };
    obj.insert("type".into(), Value::String(t));
    let m = validated_map(ldr, args)?;
    let mut data = Map::new();
    for (k, v) in m {
        let bytes = binary_of(&v).unwrap_or_else(|| v.into_bytes());
        data.insert(k, Value::String(encode_base64(&bytes)));
    }
    obj.insert("data".into(), Value::Object(data));
    Ok(finish(obj, args))
}

/// `getNodeValues`: kustomize looks each path up as one literal field name (`yaml.Lookup`
/// with `"metadata/name"` finds no such top-level field), so the name never counts.
fn node_value(obj: &Value, field: &str) -> Value {
    let Some(cur) = obj.get(field) else {
        return Value::String(String::new());
    };
    match cur {
        Value::Object(_) => cur.clone(),
        Value::Array(_) => Value::Null,
        Value::Null => Value::String(String::new()),
        other => Value::String(crate::resource::scalar_string(other)),
    }
}

/// `hasher.Hasher.Hash`.
pub fn hash(obj: &Value) -> String {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let encoded = match kind {
        "ConfigMap" | "Secret" => kcore::patch::lastapplied::to_go_json(&hashed_part(obj, kind)),
        _ => kcore::patch::lastapplied::to_go_json(obj),
    };
    kcore::namehash::hash_suffix(&encoded)
}

/// What kustomize hashes of a ConfigMap or Secret: its kind, name, data, a Secret's type, and
/// the kind's other data map when it is set (`binaryData`, `stringData`).
fn hashed_part(obj: &Value, kind: &str) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), Value::String(kind.into()));
    if kind == "Secret" {
        m.insert("type".into(), node_value(obj, "type"));
    }
    m.insert("name".into(), node_value(obj, "metadata/name"));
    m.insert("data".into(), node_value(obj, "data"));
    let other = if kind == "Secret" {
        "stringData"
    } else {
        "binaryData"
    };
    let b = node_value(obj, other);
    if b.is_object() {
        m.insert(other.into(), b);
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The v1.36 recordings' names: `web-config-hf678c7m2b` (LOG_LEVEL=info) and
    /// `...-dfk4bdbtkk` (LOG_LEVEL=warn); the name itself does not count.
    #[test]
    fn hash_is_kustomizes() {
        let cm = |v: &str, name: &str| {
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name}, "data": {"LOG_LEVEL": v}})
        };
        assert_eq!(hash(&cm("info", "web-config")), "hf678c7m2b");
        assert_eq!(hash(&cm("warn", "prod-web-config")), "dfk4bdbtkk");
        assert_eq!(hash(&cm("warn", "other")), "dfk4bdbtkk");
    }

    #[test]
    fn base64_lines_are_kyamls() {
        assert_eq!(encode_base64(b"abc"), "YWJj");
        let long = encode_base64(&[b'x'; 60]);
        assert!(long.ends_with('\n'));
        assert_eq!(long.lines().next().unwrap().len(), 70);
    }
}

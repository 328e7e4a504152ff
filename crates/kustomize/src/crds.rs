//! `crds:` (`accumulator.LoadConfigFromCRDs`): OpenAPI definition maps (type name →
//! `{Schema, Dependencies}`) whose properties carry `x-kubernetes-*` extensions. Each type that
//! looks like a Kubernetes object (has `kind`, `apiVersion` and `metadata` properties) adds,
//! walking its properties and the `$ref`s below them:
//! - `x-kubernetes-annotation` → a commonAnnotations field spec,
//! - `x-kubernetes-label-selector` → a commonLabels field spec,
//! - `x-kubernetes-identity` → a namePrefix field spec,
//! - `x-kubernetes-object-ref-api-version` + `x-kubernetes-object-ref-kind` → a name
//!   reference from `<path>/<x-kubernetes-object-ref-name-key or name>` to that kind.

use serde_json::{Map, Value};

use crate::fieldspec::{merge_all, FieldSpec, NameBackRef, TransformerConfig};
use crate::resource::Gvk;
use crate::Error;

/// The transformer configuration of one CRD file's text (`path` names it in errors).
pub fn config_from_crd(text: &str, path: &str) -> Result<TransformerConfig, Error> {
    let parsed: Result<Value, String> = if text.starts_with('{') {
        serde_json::from_str(text).map_err(|e| e.to_string())
    } else {
        serde_yaml_ng::from_str(text).map_err(|e| e.to_string())
    };
    let wrap = |e: String| {
        Error::new(format!(
            "unable to parse open API definition from '{path}': {e}"
        ))
    };
    let map = match parsed.map_err(wrap)? {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        other => {
            let ty = match other {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                _ => "bool",
            };
            return Err(wrap(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {ty} into Go value of type accumulator.nameToApiMap"
            )));
        }
    };
    let mut result = TransformerConfig::default();
    for (name, api) in &map {
        let props = properties(schema_of(api));
        if !["kind", "apiVersion", "metadata"]
            .iter()
            .all(|k| props.is_some_and(|p| p.contains_key(*k)))
        {
            continue;
        }
        let gvk = Gvk {
            kind: name.rsplit('.').next().unwrap_or("").to_string(),
            ..Default::default()
        };
        let mut tc = TransformerConfig::default();
        load_into(&mut tc, &gvk, &map, name, &[], 0)?;
        result.merge(&tc)?;
    }
    Ok(result)
}

/// `OpenAPIDefinition.Schema` (Go's JSON decoding matches field names without case).
fn schema_of(api: &Value) -> Option<&Value> {
    api.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("schema"))
        .map(|(_, v)| v)
}

fn properties(schema: Option<&Value>) -> Option<&Map<String, Value>> {
    schema?.get("properties")?.as_object()
}

fn ext<'a>(p: &'a Value, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

fn spec(gvk: &Gvk, path: &[&str]) -> FieldSpec {
    FieldSpec {
        gvk: gvk.clone(),
        path: path.join("/"),
        create: false,
    }
}

fn load_into(
    tc: &mut TransformerConfig,
    gvk: &Gvk,
    map: &Map<String, Value>,
    type_name: &str,
    path: &[&str],
    depth: usize,
) -> Result<(), Error> {
    // A self-referencing schema would recurse forever in kustomize; stop at a sane depth.
    if depth > 64 {
        return Ok(());
    }
    let Some(props) = map.get(type_name).and_then(|a| properties(schema_of(a))) else {
        return Ok(());
    };
    for (prop_name, prop) in props {
        let mut here: Vec<&str> = path.to_vec();
        here.push(prop_name);
        if ext(prop, "x-kubernetes-annotation").is_some() {
            merge_all(&mut tc.common_annotations, &[spec(gvk, &here)])?;
        }
        if ext(prop, "x-kubernetes-label-selector").is_some() {
            merge_all(&mut tc.common_labels, &[spec(gvk, &here)])?;
        }
        if ext(prop, "x-kubernetes-identity").is_some() {
            merge_all(&mut tc.name_prefix, &[spec(gvk, &here)])?;
        }
        if let (Some(version), Some(kind)) = (
            ext(prop, "x-kubernetes-object-ref-api-version"),
            ext(prop, "x-kubernetes-object-ref-kind"),
        ) {
            let key = ext(prop, "x-kubernetes-object-ref-name-key").unwrap_or("name");
            let mut p = here.clone();
            p.push(key);
            let target = Gvk {
                group: String::new(),
                version: version.to_string(),
                kind: kind.to_string(),
            };
            let refs = [spec(gvk, &p)];
            match tc.name_reference.iter_mut().find(|b| b.gvk == target) {
                Some(b) => merge_all(&mut b.referrers, &refs)?,
                None => tc.name_reference.push(NameBackRef {
                    gvk: target,
                    referrers: refs.to_vec(),
                }),
            }
        }
        if let Some(r) = prop.get("$ref").and_then(Value::as_str) {
            if !r.is_empty() {
                load_into(tc, gvk, map, r, &here, depth + 1)?;
            }
        }
    }
    Ok(())
}

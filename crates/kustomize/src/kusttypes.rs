//! The types of the kustomization file's fields, as Go's `encoding/json` checks them when
//! kustomize decodes `types.Kustomization`: a value of the wrong JSON type is refused with
//! `json: cannot unmarshal number into Go struct field Image.images.newTag of type string`
//! (the first such field in key order, which is the order of the JSON kustomize decodes).

use serde_json::Value;

#[derive(Clone, Copy)]
enum T {
    Str,
    Bool,
    Int,
    StrList,
    StrMap,
    Any,
    Obj(&'static str, &'static [F]),
    List(&'static str, &'static [F]),
}

/// A field: JSON name, type, and the embedded Go struct names on its way (`GeneratorArgs`,
/// `KvPairSources`).
type F = (&'static str, T, &'static str);

const SELECTOR: &[F] = &[
    ("group", T::Str, "ResId.Gvk"),
    ("version", T::Str, "ResId.Gvk"),
    ("kind", T::Str, "ResId.Gvk"),
    ("name", T::Str, "ResId"),
    ("namespace", T::Str, "ResId"),
    ("labelSelector", T::Str, ""),
    ("annotationSelector", T::Str, ""),
];

const GEN_OPTIONS: &[F] = &[
    ("labels", T::StrMap, ""),
    ("annotations", T::StrMap, ""),
    ("disableNameSuffixHash", T::Bool, ""),
    ("immutable", T::Bool, ""),
];

const CM_ARGS: &[F] = &[
    ("namespace", T::Str, "GeneratorArgs"),
    ("name", T::Str, "GeneratorArgs"),
    ("behavior", T::Str, "GeneratorArgs"),
    ("literals", T::StrList, "GeneratorArgs.KvPairSources"),
    ("files", T::StrList, "GeneratorArgs.KvPairSources"),
    ("envs", T::StrList, "GeneratorArgs.KvPairSources"),
    ("env", T::Str, "GeneratorArgs.KvPairSources"),
    (
        "options",
        T::Obj("GeneratorOptions", GEN_OPTIONS),
        "GeneratorArgs",
    ),
];

const SECRET_ARGS: &[F] = &[
    ("namespace", T::Str, "GeneratorArgs"),
    ("name", T::Str, "GeneratorArgs"),
    ("behavior", T::Str, "GeneratorArgs"),
    ("literals", T::StrList, "GeneratorArgs.KvPairSources"),
    ("files", T::StrList, "GeneratorArgs.KvPairSources"),
    ("envs", T::StrList, "GeneratorArgs.KvPairSources"),
    ("env", T::Str, "GeneratorArgs.KvPairSources"),
    (
        "options",
        T::Obj("GeneratorOptions", GEN_OPTIONS),
        "GeneratorArgs",
    ),
    ("type", T::Str, ""),
];

const IMAGE: &[F] = &[
    ("name", T::Str, ""),
    ("newName", T::Str, ""),
    ("tagSuffix", T::Str, ""),
    ("newTag", T::Str, ""),
    ("digest", T::Str, ""),
];

const REPLICA: &[F] = &[("name", T::Str, ""), ("count", T::Int, "")];

const LABEL: &[F] = &[
    ("fields", T::Any, ""),
    ("pairs", T::StrMap, ""),
    ("includeSelectors", T::Bool, ""),
    ("includeTemplates", T::Bool, ""),
];

const PATCH_ARGS: &[F] = &[
    ("allowNameChange", T::Bool, ""),
    ("allowKindChange", T::Bool, ""),
];

const PATCH: &[F] = &[
    ("path", T::Str, ""),
    ("patch", T::Str, ""),
    ("target", T::Obj("Selector", SELECTOR), ""),
    ("options", T::Obj("PatchArgs", PATCH_ARGS), ""),
];

const KUSTOMIZATION: &[F] = &[
    ("namePrefix", T::Str, ""),
    ("nameSuffix", T::Str, ""),
    ("namespace", T::Str, ""),
    ("commonLabels", T::StrMap, ""),
    ("labels", T::List("Label", LABEL), ""),
    ("commonAnnotations", T::StrMap, ""),
    ("patchesStrategicMerge", T::StrList, ""),
    ("patches", T::List("Patch", PATCH), ""),
    ("images", T::List("Image", IMAGE), ""),
    ("replicas", T::List("Replica", REPLICA), ""),
    ("resources", T::StrList, ""),
    ("components", T::StrList, ""),
    ("crds", T::StrList, ""),
    ("bases", T::StrList, ""),
    ("configMapGenerator", T::List("ConfigMapArgs", CM_ARGS), ""),
    ("secretGenerator", T::List("SecretArgs", SECRET_ARGS), ""),
    (
        "generatorOptions",
        T::Obj("GeneratorOptions", GEN_OPTIONS),
        "",
    ),
    ("configurations", T::StrList, ""),
    ("buildMetadata", T::StrList, ""),
];

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    }
}

fn err(v: &Value, strukt: &str, path: &str, ty: &str) -> String {
    format!(
        "json: cannot unmarshal {} into Go struct field {strukt}.{path} of type {ty}",
        json_kind(v)
    )
}

fn check_fields(
    v: &serde_json::Map<String, Value>,
    strukt: &str,
    prefix: &str,
    fields: &[F],
    lenient: bool,
) -> Option<String> {
    // encoding/json walks the object in its key order (sorted, from YAMLToJSON) and
    // matches field names case-insensitively.
    let mut keys: Vec<&String> = v.keys().collect();
    keys.sort();
    for k in keys {
        let Some((name, t, embed)) = fields.iter().find(|f| f.0.eq_ignore_ascii_case(k)) else {
            continue;
        };
        let x = &v[k];
        if x.is_null() {
            continue;
        }
        let mut path = prefix.to_string();
        if !embed.is_empty() {
            path = if path.is_empty() {
                embed.to_string()
            } else {
                format!("{path}.{embed}")
            };
        }
        let path = if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        // resid.Gvk decodes itself, so sigs.k8s.io/yaml's conversion to strings stops there.
        let lenient = lenient && *embed != "Gvk";
        if let Some(e) = check(x, *t, strukt, &path, lenient) {
            return Some(e);
        }
    }
    None
}

/// `lenient`: sigs.k8s.io/yaml's `Unmarshal` (plugin configs) converts YAML scalars to the
/// strings a string field wants; the kustomization itself is decoded strictly.
fn check(x: &Value, t: T, strukt: &str, path: &str, lenient: bool) -> Option<String> {
    let scalar_ok = |e: &Value| e.is_string() || (lenient && !e.is_object() && !e.is_array());
    match t {
        T::Str if !scalar_ok(x) => Some(err(x, strukt, path, "string")),
        T::Bool if !x.is_boolean() => Some(err(x, strukt, path, "bool")),
        T::Int if !x.is_i64() => Some(err(x, strukt, path, "int64")),
        T::StrList => match x {
            Value::Array(a) => a
                .iter()
                .find(|e| !scalar_ok(e) && !e.is_null())
                .map(|e| err(e, strukt, path, "string")),
            other => Some(err(other, strukt, path, "[]string")),
        },
        T::StrMap => match x {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                keys.into_iter()
                    .map(|k| &m[k])
                    .find(|e| !scalar_ok(e) && !e.is_null())
                    .map(|e| err(e, strukt, path, "string"))
            }
            other => Some(err(other, strukt, path, "map[string]string")),
        },
        T::Obj(name, fields) => match x {
            Value::Object(m) => check_fields(m, name, path, fields, lenient),
            other => Some(err(other, strukt, path, &format!("types.{name}"))),
        },
        T::List(name, fields) => match x {
            Value::Array(a) => a.iter().find_map(|e| match e {
                Value::Object(m) => check_fields(m, name, path, fields, lenient),
                Value::Null => None,
                other => Some(err(other, strukt, path, &format!("types.{name}"))),
            }),
            other => Some(err(other, strukt, path, &format!("[]types.{name}"))),
        },
        _ => None,
    }
}

/// The type error of one top-level field of a kustomization, worded as Go's
/// `encoding/json` (`None` for fields without a modelled type).
pub fn field_error(key: &str, v: &Value) -> Option<String> {
    let mut one = serde_json::Map::new();
    one.insert(key.to_string(), v.clone());
    check_fields(&one, "Kustomization", "", KUSTOMIZATION, false)
}

const FIELD_SPEC: &[F] = &[
    ("group", T::Str, "Gvk"),
    ("version", T::Str, "Gvk"),
    ("kind", T::Str, "Gvk"),
    ("path", T::Str, ""),
    ("create", T::Bool, ""),
];

const FIELD_SPECS: F = ("fieldSpecs", T::List("FieldSpec", FIELD_SPEC), "");

/// The Go struct a built-in plugin's config is decoded into by sigs.k8s.io/yaml, and its
/// fields.
fn plugin_struct(kind: &str) -> Option<(&'static str, &'static [F])> {
    const LABELS: &[F] = &[("labels", T::StrMap, ""), FIELD_SPECS];
    const ANNOTATIONS: &[F] = &[("annotations", T::StrMap, ""), FIELD_SPECS];
    const IMAGE_TAG: &[F] = &[("imageTag", T::Obj("Image", IMAGE), ""), FIELD_SPECS];
    const REPLICA_COUNT: &[F] = &[("replica", T::Obj("Replica", REPLICA), ""), FIELD_SPECS];
    const NAMESPACE: &[F] = &[
        FIELD_SPECS,
        ("unsetOnly", T::Bool, ""),
        ("setRoleBindingSubjects", T::Str, ""),
    ];
    Some(match kind {
        // The prefix and suffix plugins decode with yaml.v3 (kyaml), which takes any scalar
        // as a string: not checked here.
        "LabelTransformer" => ("LabelTransformerPlugin", LABELS),
        "AnnotationsTransformer" => ("AnnotationsTransformerPlugin", ANNOTATIONS),
        "ImageTagTransformer" => ("ImageTagTransformerPlugin", IMAGE_TAG),
        "ReplicaCountTransformer" => ("ReplicaCountTransformerPlugin", REPLICA_COUNT),
        "NamespaceTransformer" => ("NamespaceTransformerPlugin", NAMESPACE),
        _ => return None,
    })
}

/// The error `yaml.Unmarshal` gives when a built-in plugin's config has a field of the wrong
/// type (`error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ...`), for the
/// plugins whose config is a plain struct.
pub fn plugin_field_error(kind: &str, config: &Value) -> Option<String> {
    let (strukt, fields) = plugin_struct(kind)?;
    let m = config.as_object()?;
    check_fields(m, strukt, "", fields, true)
        .map(|e| format!("error unmarshaling JSON: while decoding JSON: {e}"))
}

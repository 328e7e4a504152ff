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

const FIELD_SPEC: &[F] = &[
    ("group", T::Str, "Gvk"),
    ("version", T::Str, "Gvk"),
    ("kind", T::Str, "Gvk"),
    ("path", T::Str, ""),
    ("create", T::Bool, ""),
];

const LABEL: &[F] = &[
    ("fields", T::List("FieldSpec", FIELD_SPEC), ""),
    ("pairs", T::StrMap, ""),
    ("includeSelectors", T::Bool, ""),
    ("includeTemplates", T::Bool, ""),
];

/// `types.PatchArgs` (v5.8; v5.6 took any `map[string]bool`).
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

const OBJECT_META: &[F] = &[
    ("name", T::Str, ""),
    ("namespace", T::Str, ""),
    ("labels", T::StrMap, ""),
    ("annotations", T::StrMap, ""),
];

const FIELD_OPTIONS: &[F] = &[
    ("delimiter", T::Str, ""),
    ("index", T::Int, ""),
    ("encoding", T::Str, ""),
    ("create", T::Bool, ""),
];

const SOURCE_SELECTOR: &[F] = &[
    ("group", T::Str, "ResId.Gvk"),
    ("version", T::Str, "ResId.Gvk"),
    ("kind", T::Str, "ResId.Gvk"),
    ("name", T::Str, "ResId"),
    ("namespace", T::Str, "ResId"),
    ("fieldPath", T::Str, ""),
    ("options", T::Obj("FieldOptions", FIELD_OPTIONS), ""),
];

const TARGET_SELECTOR: &[F] = &[
    ("select", T::Obj("Selector", SELECTOR), ""),
    ("reject", T::List("Selector", SELECTOR), ""),
    ("fieldPaths", T::StrList, ""),
    ("options", T::Obj("FieldOptions", FIELD_OPTIONS), ""),
];

/// `types.ReplacementField`: an inline `Replacement` and a `path`. `sourceValue` is v5.8's.
const REPLACEMENT_FIELD: &[F] = &[
    (
        "source",
        T::Obj("SourceSelector", SOURCE_SELECTOR),
        "Replacement",
    ),
    (
        "targets",
        T::List("TargetSelector", TARGET_SELECTOR),
        "Replacement",
    ),
    ("sourceValue", T::Str, "Replacement"),
    ("path", T::Str, ""),
];

const TARGET: &[F] = &[
    ("apiVersion", T::Str, ""),
    ("group", T::Str, "Gvk"),
    ("version", T::Str, "Gvk"),
    ("kind", T::Str, "Gvk"),
    ("name", T::Str, ""),
    ("namespace", T::Str, ""),
];

const VAR: &[F] = &[
    ("name", T::Str, ""),
    ("objref", T::Obj("Target", TARGET), ""),
    (
        "fieldref",
        T::Obj("FieldSelector", &[("fieldPath", T::Str, "")]),
        "",
    ),
];

const SORT_OPTIONS: &[F] = &[
    ("order", T::Str, ""),
    (
        "legacySortOptions",
        T::Obj(
            "LegacySortOptions",
            &[
                ("orderFirst", T::StrList, ""),
                ("orderLast", T::StrList, ""),
            ],
        ),
        "",
    ),
];

const HELM_GLOBALS: &[F] = &[("chartHome", T::Str, ""), ("configHome", T::Str, "")];

/// `types.HelmChart` (`devel` is v5.8's).
const HELM_CHART: &[F] = &[
    ("name", T::Str, ""),
    ("version", T::Str, ""),
    ("repo", T::Str, ""),
    ("releaseName", T::Str, ""),
    ("namespace", T::Str, ""),
    ("additionalValuesFiles", T::StrList, ""),
    ("valuesFile", T::Str, ""),
    ("valuesInline", T::Any, ""),
    ("valuesMerge", T::Str, ""),
    ("includeCRDs", T::Bool, ""),
    ("skipHooks", T::Bool, ""),
    ("apiVersions", T::StrList, ""),
    ("kubeVersion", T::Str, ""),
    ("nameTemplate", T::Str, ""),
    ("skipTests", T::Bool, ""),
    ("debug", T::Bool, ""),
    ("devel", T::Bool, ""),
];

const HELM_CHART_ARGS: &[F] = &[
    ("chartName", T::Str, ""),
    ("chartVersion", T::Str, ""),
    ("chartRepoUrl", T::Str, ""),
    ("chartHome", T::Str, ""),
    ("chartRepoName", T::Str, ""),
    ("helmBin", T::Str, ""),
    ("helmHome", T::Str, ""),
    ("values", T::Str, ""),
    ("valuesLocal", T::Any, ""),
    ("valuesMerge", T::Str, ""),
    ("releaseName", T::Str, ""),
    ("releaseNamespace", T::Str, ""),
    ("extraArgs", T::StrList, ""),
];

const KUSTOMIZATION: &[F] = &[
    ("apiVersion", T::Str, "TypeMeta"),
    ("kind", T::Str, "TypeMeta"),
    ("metadata", T::Obj("ObjectMeta", OBJECT_META), ""),
    ("openapi", T::StrMap, ""),
    ("namePrefix", T::Str, ""),
    ("nameSuffix", T::Str, ""),
    ("namespace", T::Str, ""),
    ("commonLabels", T::StrMap, ""),
    ("labels", T::List("Label", LABEL), ""),
    ("commonAnnotations", T::StrMap, ""),
    ("patchesStrategicMerge", T::StrList, ""),
    ("patchesJson6902", T::List("Patch", PATCH), ""),
    ("patches", T::List("Patch", PATCH), ""),
    ("images", T::List("Image", IMAGE), ""),
    ("imageTags", T::List("Image", IMAGE), ""),
    (
        "replacements",
        T::List("ReplacementField", REPLACEMENT_FIELD),
        "",
    ),
    ("replicas", T::List("Replica", REPLICA), ""),
    ("vars", T::List("Var", VAR), ""),
    ("sortOptions", T::Obj("SortOptions", SORT_OPTIONS), ""),
    ("resources", T::StrList, ""),
    ("components", T::StrList, ""),
    ("crds", T::StrList, ""),
    ("bases", T::StrList, ""),
    ("configMapGenerator", T::List("ConfigMapArgs", CM_ARGS), ""),
    ("secretGenerator", T::List("SecretArgs", SECRET_ARGS), ""),
    ("helmGlobals", T::Obj("HelmGlobals", HELM_GLOBALS), ""),
    ("helmCharts", T::List("HelmChart", HELM_CHART), ""),
    (
        "helmChartInflationGenerator",
        T::List("HelmChartArgs", HELM_CHART_ARGS),
        "",
    ),
    (
        "generatorOptions",
        T::Obj("GeneratorOptions", GEN_OPTIONS),
        "",
    ),
    ("configurations", T::StrList, ""),
    ("generators", T::StrList, ""),
    ("transformers", T::StrList, ""),
    ("validators", T::StrList, ""),
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
        // An exact match first, then any case (encoding/json's rule).
        let found = fields
            .iter()
            .find(|f| f.0 == k.as_str())
            .or_else(|| fields.iter().find(|f| f.0.eq_ignore_ascii_case(k)));
        let Some((name, t, embed)) = found else {
            // The kustomization is decoded with `DisallowUnknownFields`, at every level.
            if !lenient {
                return Some(format!("json: unknown field {}", kcore::gofmt::go_quote(k)));
            }
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

/// The first error Go's `encoding/json` (with `DisallowUnknownFields`) reports decoding a
/// kustomization: an unknown field at any level, or a value of the wrong type, whichever
/// comes first in key order.
pub fn kustomization_error(v: &serde_json::Map<String, Value>) -> Option<String> {
    check_fields(v, "Kustomization", "", KUSTOMIZATION, false)
}

/// A decoded kustomization with every field name, at every level, spelled as kustomize
/// spells it: encoding/json matches names case-insensitively (`NewTag` is `newTag`), and
/// of two spellings of one field the later in key order wins, as in Go.
pub fn canonical_kustomization(
    v: serde_json::Map<String, Value>,
) -> serde_json::Map<String, Value> {
    canonical_fields(v, KUSTOMIZATION)
}

fn canonical_fields(
    v: serde_json::Map<String, Value>,
    fields: &[F],
) -> serde_json::Map<String, Value> {
    let mut keys: Vec<(String, Value)> = v.into_iter().collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = serde_json::Map::new();
    for (k, x) in keys {
        let found = fields
            .iter()
            .find(|f| f.0 == k.as_str())
            .or_else(|| fields.iter().find(|f| f.0.eq_ignore_ascii_case(&k)));
        match found {
            Some((name, t, _)) => {
                out.insert(name.to_string(), canonical_value(x, *t));
            }
            None => {
                out.insert(k, x);
            }
        }
    }
    out
}

fn canonical_value(x: Value, t: T) -> Value {
    match (t, x) {
        (T::Obj(_, fields), Value::Object(m)) => Value::Object(canonical_fields(m, fields)),
        (T::List(_, fields), Value::Array(a)) => Value::Array(
            a.into_iter()
                .map(|e| match e {
                    Value::Object(m) => Value::Object(canonical_fields(m, fields)),
                    other => other,
                })
                .collect(),
        ),
        (_, x) => x,
    }
}

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

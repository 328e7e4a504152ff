//! Reading `-f` inputs: files, directories, `-R`, stdin, URLs; multi-document YAML (read as
//! YAML 1.1, like kubectl) and JSON; `List` flattening; kubectl's per-document errors.
//!
//! Error flow follows cli-runtime with `ContinueOnError` (what apply, create and delete use):
//! path errors are found before anything is read; in a stream, a syntax or validation error
//! ends that stream, while an undecodable object (missing `kind` with validation off) is
//! reported and reading goes on. Other sources are still read in every case.

pub mod source;
pub mod yaml;

use std::io::Read;

use serde_json::{Map, Value};

use crate::apply::to_go_json;
pub use source::{resolve_sources, Source};

/// One object read from a manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The source as kubectl names it in messages: the path (as given, or as found in a
    /// directory), the URL, or `STDIN`.
    pub source: String,
    /// Position of the object among those read from the same source (after `List` flattening).
    pub index: usize,
    /// The object, converted to JSON.
    pub object: Value,
}

/// Why an input or document was rejected. `Display` is kubectl's message without `error: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// A `-f` path (or glob) that matches nothing.
    #[error("the path {0:?} does not exist")]
    PathNotExist(String),
    /// `-f -` given twice, or standard input also read for something else (cli-runtime's
    /// `StdinMultiUseError`).
    #[error("standard input cannot be used for multiple arguments")]
    StdinMultiUse,
    /// A `-f` directory without `.json`, `.yaml` or `.yml` files.
    #[error("error reading [{}]: recognized file extensions are [.json .yaml .yml]", .0.join(" "))]
    NoRecognizedFiles(Vec<String>),
    /// YAML/JSON syntax error; the rest of that source is not read.
    #[error("error parsing {name}: {message}")]
    Parse {
        /// Source name.
        name: String,
        /// `error converting YAML to JSON: yaml: line 4: …`.
        message: String,
    },
    /// Client-side validation failed (`kind not set`, `apiVersion not set`); the rest of that
    /// source is not read.
    #[error("error validating {name:?}: error validating data: {message}; if you choose to ignore these errors, turn validation off with --validate=false")]
    Validation {
        /// Source name.
        name: String,
        /// `kind not set`, or `[apiVersion not set, kind not set]`.
        message: String,
    },
    /// The object cannot be decoded (missing kind with validation off); reading goes on.
    #[error("unable to decode {name:?}: {message}")]
    Decode {
        /// Source name.
        name: String,
        /// `Object 'Kind' is missing in '{…}'`.
        message: String,
    },
    /// A URL could not be reached. kubectl prints this text as is, without `error: `
    /// (`The connection to the server … was refused - …`, `Unable to connect to the server: …`).
    #[error("{0}")]
    Connection(String),
    /// Anything else, already worded (I/O errors, bad URL answers).
    #[error("{0}")]
    Other(String),
}

/// How to read manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// `-R`: descend into subdirectories.
    pub recursive: bool,
    /// `--validate` other than `false`/`ignore`: check `apiVersion` and `kind` locally.
    pub validate: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            recursive: false,
            validate: true,
        }
    }
}

/// Reads every object named by `-f` arguments, with validation on. See [`read_manifests_with`].
pub fn read_manifests(
    sources: &[String],
    recursive: bool,
    stdin: &mut dyn Read,
) -> Vec<Result<Manifest, ManifestError>> {
    let opts = ReadOptions {
        recursive,
        ..ReadOptions::default()
    };
    read_manifests_with(sources, opts, stdin)
}

/// Reads every object named by `-f` arguments, in kubectl's order, good objects and errors
/// interleaved as they occur. If any argument names nothing (missing path, no recognized
/// file), only those errors are returned and nothing is read, as kubectl's builder does.
/// An empty result means "no objects passed to apply" (the caller words that per command).
/// URLs are fetched synchronously (see [`source::fetch_url`]).
pub fn read_manifests_with(
    sources: &[String],
    opts: ReadOptions,
    stdin: &mut dyn Read,
) -> Vec<Result<Manifest, ManifestError>> {
    let (resolved, errors) = resolve_sources(sources, opts.recursive);
    if !errors.is_empty() {
        return errors.into_iter().map(Err).collect();
    }
    let mut out = Vec::new();
    for src in &resolved {
        let text = match source::read_source(src, stdin) {
            Ok(t) => t,
            Err(e) => {
                out.push(Err(e));
                continue;
            }
        };
        out.extend(parse_stream(src.name(), &text, opts.validate));
    }
    out
}

/// Turns one stream's text into objects and errors (documents, validation, `List` items).
pub fn parse_stream(
    source: &str,
    text: &str,
    validate: bool,
) -> Vec<Result<Manifest, ManifestError>> {
    let mut out = Vec::new();
    let mut index = 0;
    for doc in yaml::documents(text) {
        let yaml::Document { value, raw } = match doc {
            Ok(d) => d,
            Err(e) => {
                out.push(Err(ManifestError::Parse {
                    name: source.to_string(),
                    message: e.to_string(),
                }));
                break;
            }
        };
        if validate {
            if let Err(message) = validate_kind(&value) {
                out.push(Err(ManifestError::Validation {
                    name: source.to_string(),
                    message,
                }));
                break;
            }
        }
        if !value.is_object() {
            out.push(Err(ManifestError::Decode {
                name: source.to_string(),
                message: format!(
                    "json: cannot unmarshal {} into Go value of type unstructured.detector",
                    kcore::gojson::type_name(&value)
                ),
            }));
            continue;
        }
        let is_list = value.get("items").is_some_and(Value::is_array);
        for object in flatten(value) {
            if object
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
            {
                // kubectl quotes the document as read: JSON text as written, YAML re-encoded.
                let text = match (&raw, is_list) {
                    (Some(r), false) => r.clone(),
                    _ => to_go_json(&object),
                };
                out.push(Err(ManifestError::Decode {
                    name: source.to_string(),
                    message: format!("Object 'Kind' is missing in '{text}'"),
                }));
                continue;
            }
            out.push(Ok(Manifest {
                source: source.to_string(),
                index,
                object,
            }));
            index += 1;
        }
    }
    out
}

/// kubectl's schema pre-check (`getObjectKind`; a `v1` `List` has each item checked instead,
/// as `validateList` does): `apiVersion` and `kind` must be set, and be strings.
fn validate_kind(v: &Value) -> Result<(), String> {
    let mut errs = object_kind_errors(v);
    if errs.is_empty()
        && v.get("apiVersion").and_then(Value::as_str) == Some("v1")
        && v.get("kind").and_then(Value::as_str) == Some("List")
    {
        match v.get("items") {
            Some(Value::Array(items)) => {
                for item in items {
                    errs.extend(object_kind_errors(item));
                }
            }
            _ => errs.push("invalid object to validate".to_string()),
        }
    }
    match errs.len() {
        0 => Ok(()),
        1 => Err(errs.remove(0)),
        _ => Err(format!("[{}]", errs.join(", "))),
    }
}

fn object_kind_errors(v: &Value) -> Vec<String> {
    let Some(m) = v.as_object() else {
        return vec!["invalid object to validate".to_string()];
    };
    let mut errs = Vec::new();
    match m.get("apiVersion") {
        None | Some(Value::Null) => errs.push("apiVersion not set".to_string()),
        Some(Value::String(s)) => {
            if s.split('/').count() > 2 {
                errs.push(format!("unexpected GroupVersion string: {s}"));
            }
        }
        Some(_) => errs.push("apiVersion isn't string type".to_string()),
    }
    match m.get("kind") {
        None | Some(Value::Null) => errs.push("kind not set".to_string()),
        Some(Value::String(_)) => {}
        Some(_) => errs.push("kind isn't string type".to_string()),
    }
    errs
}

/// Any object with an `items` list is a list (apimachinery's unstructured decoding): its items
/// are returned in order; items with neither `kind` nor `apiVersion` get the list's
/// `apiVersion` and its kind without the `List` suffix.
fn flatten(v: Value) -> Vec<Value> {
    let Value::Object(mut m) = v else {
        return vec![v];
    };
    if !m.get("items").is_some_and(Value::is_array) {
        return vec![Value::Object(m)];
    }
    let Some(Value::Array(items)) = m.remove("items") else {
        return Vec::new();
    };
    let api_version = m.get("apiVersion").cloned();
    let item_kind = m
        .get("kind")
        .and_then(Value::as_str)
        .map(|k| k.strip_suffix("List").unwrap_or(k).to_string());
    let mut out = Vec::new();
    for item in items {
        let mut item = match item {
            Value::Object(o) => o,
            other => {
                out.push(other);
                continue;
            }
        };
        let missing = |o: &Map<String, Value>, k: &str| {
            o.get(k).and_then(Value::as_str).unwrap_or("").is_empty()
        };
        if missing(&item, "kind") && missing(&item, "apiVersion") {
            if let Some(k) = item_kind.as_ref().filter(|k| !k.is_empty()) {
                item.insert("kind".into(), Value::String(k.clone()));
            }
            if let Some(av) = &api_version {
                item.insert("apiVersion".into(), av.clone());
            }
        }
        // Nested lists are flattened too (cli-runtime's FlattenListVisitor recurses).
        out.extend(flatten(Value::Object(item)));
    }
    out
}

#[cfg(test)]
mod tests;

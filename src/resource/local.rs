//! The builder's local mode (cli-runtime `Local()`/`LocalParam(true)`): `-f`/`-k` objects used
//! as read, nothing asked of the server. Without the server there is no resource mapping, so:
//! - an object keeps the namespace its file gives it (`Info.Namespaced` is only "has a
//!   namespace"), none is defaulted in, and one that differs from an explicit `--namespace`
//!   is refused (`RequireNamespace`);
//! - a builder given kubectl's scheme (`WithScheme`) decodes only the kinds kubectl knows
//!   ([`Decode::Scheme`]): anything else (a custom resource, an unknown version) is a decode
//!   error, whatever the server serves; an unstructured builder takes every kind.
//!
//! Errors come as kubectl's `ContinueOnError` builder visits: what the visitor helpers find
//! (a namespace mismatch) in the object's place, and what the readers met (parse and decode
//! errors, a kustomization that does not build) together after the visit, as
//! `EagerVisitorList` returns them.

use serde_json::Value;

use crate::context::Context;
use crate::error::CliError;
use crate::resource::{
    check_object_meta, file_selector, labels_match, namespace_mismatch, read_sources, scheme,
    str_at, ReadSpec, Sources,
};

/// How objects are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decode {
    /// `Unstructured()`: any `apiVersion`/`kind`.
    Unstructured,
    /// `WithScheme(scheme.Scheme, …)`: the kinds kubectl's scheme registers.
    Scheme,
}

/// One object read locally.
#[derive(Debug, Clone)]
pub struct LocalInfo {
    /// Where it came from (`f.yaml`, `STDIN`, a URL).
    pub source: String,
    /// The object as read.
    pub object: Value,
    /// `metadata.namespace` as read (empty when the file gives none).
    pub namespace: String,
    /// `metadata.name` (may be empty).
    pub name: String,
}

impl LocalInfo {
    /// `apiVersion` as read.
    pub fn api_version(&self) -> &str {
        str_at(&self.object, &["apiVersion"])
    }

    /// `kind` as read.
    pub fn kind(&self) -> &str {
        str_at(&self.object, &["kind"])
    }
}

/// What a local builder visits.
#[derive(Debug, Default)]
pub struct LocalRead {
    /// Each object, or the error a visitor helper met for it, in stream order.
    pub items: Vec<Result<LocalInfo, CliError>>,
    /// The readers' errors, reported after the visit (one aggregate in kubectl).
    pub read_errors: Vec<CliError>,
}

/// The namespace a local builder is given: kubeconfig problems other than a file that does
/// not load leave clientcmd's `default`, unenforced (nothing else is needed from it here).
fn local_namespace(ctx: &Context) -> Result<(String, bool), CliError> {
    match ctx.namespace() {
        Ok(ns) => Ok(ns),
        Err(_) => {
            ctx.kubeconfig()?;
            Ok(("default".to_string(), false))
        }
    }
}

/// Reads `-f`/`-k` as a local builder does. `Err` holds the builder's own errors (paths that
/// name nothing, a selector that does not parse), which stop a command before it visits.
pub fn read_local(
    ctx: &Context,
    spec: &ReadSpec,
    decode: Decode,
) -> Result<LocalRead, Vec<CliError>> {
    let mut out = LocalRead::default();
    let read = match read_sources(ctx, spec)? {
        Sources::Read(read) => read,
        Sources::Failed(e) => {
            out.read_errors.push(e);
            return Ok(out);
        }
    };
    if read.is_empty() {
        return Ok(out);
    }
    let selector = file_selector(spec.selector.as_deref()).map_err(|e| vec![e])?;
    let (default_ns, enforce) = local_namespace(ctx).map_err(|e| vec![e])?;
    for item in read {
        let m = match item {
            Ok(m) => m,
            Err(e) => {
                out.read_errors.push(e.into());
                continue;
            }
        };
        if let Err(e) = check_object_meta(&m.source, &m.object) {
            out.read_errors.push(e);
            continue;
        }
        let info = LocalInfo {
            namespace: str_at(&m.object, &["metadata", "namespace"]).to_string(),
            name: str_at(&m.object, &["metadata", "name"]).to_string(),
            source: m.source,
            object: m.object,
        };
        if decode == Decode::Scheme && !scheme::registered(info.api_version(), info.kind()) {
            out.read_errors.push(CliError::msg(scheme::not_registered(
                &info.source,
                info.api_version(),
                info.kind(),
            )));
            continue;
        }
        if selector
            .as_ref()
            .is_some_and(|s| !labels_match(s, &info.object))
        {
            continue;
        }
        if enforce && !info.namespace.is_empty() && info.namespace != default_ns {
            out.items
                .push(Err(namespace_mismatch(&info.namespace, &default_ns)));
            continue;
        }
        out.items.push(Ok(info));
    }
    Ok(out)
}

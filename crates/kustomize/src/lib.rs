//! A kustomize engine following kustomize v5.8 (the one kubectl v1.36 embeds): reads a
//! kustomization directory (resources, bases, components, generators, transformers, patches)
//! and returns the resources `kubectl kustomize` would print, in its order.
//!
//! - [`build`]: the entry point (`krusty.Kustomizer.Run`).
//! - `target`: loading kustomization files and accumulating resources level by level
//!   (`internal/target/kusttarget.go`), with the built-in transformers in kustomize's order.
//! - `generators`: `configMapGenerator`/`secretGenerator` and the name-suffix hash.
//! - `nameref`: rewriting name references after names changed (`filters/nameref`).
//! - `fieldspec`: field specs and the default transformer configuration.
//! - `resource`: a resource with its build state (previous ids, prefixes, suffixes).
//!
//! Output formatting is the caller's: kustomize prints each resource as
//! `yaml.JSONToYAML(json)` (sorted keys, as `kubectl get -o yaml`), separated by `---`.

pub mod crds;
pub mod fieldspec;
pub mod generators;
mod goyaml;
pub mod kusttypes;
pub mod merge2;
pub mod nameref;
pub mod openapi;
pub mod plugins;
pub mod remote;
pub mod replacements;
pub mod resource;
pub mod target;
pub mod transformers;
pub mod vars;
pub mod yamlio;

use std::path::Path;

use serde_json::Value;

/// A build error, worded as kustomize words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl Error {
    pub fn new(msg: impl Into<String>) -> Error {
        Error(msg.into())
    }

    /// kustomize's `errors.WrapPrefixf`: `prefix: inner`.
    pub fn wrap(self, prefix: impl AsRef<str>) -> Error {
        Error(format!("{}: {}", prefix.as_ref(), self.0))
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// `--load-restrictor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadRestrictor {
    /// `LoadRestrictionsRootOnly` (the default): files must be under the kustomization root.
    #[default]
    RootOnly,
    /// `LoadRestrictionsNone`.
    None,
}

/// `--reorder`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reorder {
    #[default]
    Unspecified,
    Legacy,
    None,
}

/// Build options (the flags of `kubectl kustomize` that make sense offline).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub load_restrictor: LoadRestrictor,
    pub reorder: Reorder,
    /// `--enable-managedby-label` (deprecated): as `buildMetadata: [managedByLabel]`.
    pub managed_by_label: bool,
    /// Fetches remote files and clones remote bases; without one they are refused.
    pub remote: Option<remote::Remote>,
}

/// What a build produced: the resources, and kustomize's warnings (printed on stderr).
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub resources: Vec<Value>,
    pub warnings: Vec<String>,
    /// Messages kustomize writes through Go's `log` package, which kubectl routes to klog
    /// (an `I… log.go:244]` line on stderr).
    pub logged: Vec<String>,
}

/// Builds the kustomization at `dir` (`kubectl kustomize DIR`).
pub fn build(dir: &Path, opts: &Options) -> Result<Output, Error> {
    build_as(dir, &dir.display().to_string(), opts).map_err(|f| f.error)
}

/// A failed build: the error, and the warnings kustomize printed and the lines it logged
/// before it.
#[derive(Debug, Clone)]
pub struct Failure {
    pub error: Error,
    pub warnings: Vec<String>,
    pub logged: Vec<String>,
}

/// [`build`], naming the directory as the user gave it (`shown`) in the error about a
/// directory that does not exist.
pub fn build_as(dir: &Path, shown: &str, opts: &Options) -> Result<Output, Failure> {
    let (mut warnings, mut logged) = (Vec::new(), Vec::new());
    target::run(dir, shown, opts, &mut warnings, &mut logged).map_err(|error| Failure {
        error,
        warnings,
        logged,
    })
}

/// The file names `kustomize build -o DIR` writes each resource to (`WriteIndividualFiles`):
/// `group_version_kind_name.yaml` lowercased, prefixed by the namespace when the resources
/// span several namespaces; cluster-scoped resources are never prefixed.
pub fn individual_file_names(out: &Output) -> Vec<String> {
    let ids: Vec<resource::ResId> = out
        .resources
        .iter()
        .map(|o| resource::Res::new(o.clone()).cur_id())
        .collect();
    let mut namespaces: Vec<String> = Vec::new();
    for id in &ids {
        if !id.gvk.is_cluster_scoped() {
            let ns = id.effective_namespace().to_string();
            if !namespaces.contains(&ns) {
                namespaces.push(ns);
            }
        }
    }
    ids.iter()
        .map(|id| {
            let g = &id.gvk;
            let gvk: Vec<&str> = [g.group.as_str(), g.version.as_str(), g.kind.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            let base = format!("{}_{}.yaml", gvk.join("_"), id.name).to_lowercase();
            if !id.gvk.is_cluster_scoped() && namespaces.len() > 1 {
                format!("{}_{}", id.effective_namespace().to_lowercase(), base)
            } else {
                base
            }
        })
        .collect()
}

//! Kustomization loading and accumulation (`internal/target/kusttarget.go`,
//! `internal/loader/fileloader.go`, `krusty/kustomizer.go`).

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::fieldspec::{merge_all, FieldSpec, TransformerConfig};
use crate::generators::{self, GenArgs, GenOptions};
use crate::plugins::Origin;
use crate::remote::{FetchError, Remote, Repo, RepoSpec};
use crate::resource::{scalar_string, string_map, Behavior, Res, ResId};
use crate::transformers::{self as tr, Image, Selector};
use crate::{yamlio, Error, LoadRestrictor, Options, Output, Reorder};

const KUST_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The file loader: a root directory, its restrictor, and the chain of roots that led here
/// (for cycle detection).
#[derive(Debug, Clone)]
pub struct Loader {
    root: PathBuf,
    restrictor: LoadRestrictor,
    visited: Vec<PathBuf>,
    /// What fetches remote files and clones repositories (none: remote paths are refused).
    remote: Option<Remote>,
    /// The git clones on the way here, the closest last (`containingRepo`, `errIfRepoCycle`).
    repos: Vec<Arc<Repo>>,
}

/// Lexically cleans a path (Go `filepath.Clean`).
fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => match out.components().next_back() {
                // `/..` is `/`.
                Some(Component::RootDir) => {}
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                _ => out.push(".."),
            },
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            if e.raw_os_error() == Some(21) {
                "is a directory".into()
            } else if e.raw_os_error() == Some(20) {
                "not a directory".into()
            } else {
                e.to_string()
            }
        }
    }
}

/// The path Go's `filepath.EvalSymlinks` names when it fails: the first prefix of `p` that
/// does not exist.
fn first_missing(p: &Path) -> PathBuf {
    let mut cur = PathBuf::new();
    for c in p.components() {
        cur.push(c.as_os_str());
        if std::fs::symlink_metadata(&cur).is_err() {
            return cur;
        }
    }
    cur
}

/// `filesys.ConfirmDir`: the directory, with symlinks resolved.
fn confirm_dir(path: &Path) -> Result<PathBuf, Error> {
    let abs = clean(path);
    match std::fs::canonicalize(&abs) {
        Ok(real) => {
            if real.is_dir() {
                Ok(real)
            } else {
                Err(Error::new(format!(
                    "'{}': file is not directory",
                    abs.display()
                )))
            }
        }
        Err(e) => Err(Error::new(format!(
            "not a valid directory: evalsymlink failure on '{}' : lstat {}: {}",
            abs.display(),
            first_missing(&abs).display(),
            io_text(&e)
        ))),
    }
}

/// A remote path when the build has no fetcher (a library caller that gave none).
fn remote_error(p: &str) -> Error {
    Error::new(format!(
        "remote resource '{p}' cannot be loaded: this build has no network access"
    ))
}

/// Why `Loader::load` failed: the error, and whether it is an HTTP error (`load.ErrHTTP`),
/// after which kustomize does not try the path as a directory or repository.
pub(crate) struct LoadErr {
    pub(crate) error: Error,
    pub(crate) http: bool,
}

/// Why `Loader::new_child` failed: the error, and whether a git command timed out.
pub(crate) struct ChildErr {
    pub(crate) error: Error,
    pub(crate) timed_out: bool,
}

impl From<Error> for ChildErr {
    fn from(error: Error) -> ChildErr {
        ChildErr {
            error,
            timed_out: false,
        }
    }
}

impl Loader {
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `FileLoader.Load`.
    pub fn load_file(&self, path: &str) -> Result<Vec<u8>, Error> {
        self.load(path).map_err(|e| e.error)
    }

    /// `FileLoader.httpClientGetContent`.
    fn http_get(&self, path: &str) -> Result<Vec<u8>, LoadErr> {
        let plain = |error: Error| LoadErr { error, http: false };
        let Some(remote) = &self.remote else {
            return Err(plain(remote_error(path)));
        };
        match remote.0.get(path) {
            Ok(body) => Ok(body),
            Err(FetchError::Status(code, text)) => {
                if RepoSpec::parse(path).is_ok() {
                    Err(plain(Error::new("URL is a git repository")))
                } else {
                    Err(LoadErr {
                        error: Error::new(format!("HTTP Error: status code {code} ({text})")),
                        http: true,
                    })
                }
            }
            Err(FetchError::Refused(m)) => Err(LoadErr {
                error: Error::new(format!("HTTP Error: {m}")),
                http: true,
            }),
            Err(FetchError::Transport(m)) => Err(plain(Error::new(m))),
        }
    }

    /// `FileLoader.Load`: a remote file (http, https) or a file under the root.
    pub(crate) fn load(&self, path: &str) -> Result<Vec<u8>, LoadErr> {
        if crate::remote::is_remote_file(path) {
            return self.http_get(path);
        }
        let plain = |error: Error| LoadErr { error, http: false };
        // `fl.root.Join(path)` is `filepath.Join`, which cleans (`a//b` is `a/b`).
        let full = if Path::new(path).is_absolute() {
            PathBuf::from(path)
        } else {
            clean(&self.root.join(path))
        };
        let target = match self.restrictor {
            LoadRestrictor::RootOnly => {
                let cleaned = clean(&full);
                let real = match std::fs::canonicalize(&cleaned) {
                    Ok(r) => r,
                    Err(e) => {
                        return Err(plain(Error::new(format!(
                            "evalsymlink failure on '{}' : lstat {}: {}",
                            full.display(),
                            first_missing(&cleaned).display(),
                            io_text(&e)
                        ))))
                    }
                };
                if real.is_dir() {
                    return Err(plain(Error::new(format!(
                        "'{}' must resolve to a file",
                        cleaned.display()
                    ))));
                }
                if !real.parent().is_some_and(|d| d.starts_with(&self.root)) {
                    return Err(plain(Error::new(format!(
                        "security; file '{}' is not in or below '{}'",
                        cleaned.display(),
                        self.root.display()
                    ))));
                }
                real
            }
            LoadRestrictor::None => full.clone(),
        };
        std::fs::read(&target)
            .map_err(|e| Error::new(format!("open {}: {}", target.display(), io_text(&e))))
            .map_err(plain)
    }

    /// `FileLoader.New`: a loader rooted at a directory named relative to this one.
    pub fn new_child(&self, path: &str) -> Result<Loader, Error> {
        self.new_child_ex(path).map_err(|e| e.error)
    }

    /// [`Loader::new_child`], telling a git timeout apart.
    pub(crate) fn new_child_ex(&self, path: &str) -> Result<Loader, ChildErr> {
        if path.is_empty() {
            return Err(Error::new("new root cannot be empty").into());
        }
        let mut chain = self.visited.clone();
        chain.push(self.root.clone());
        if let Ok(spec) = RepoSpec::parse(path) {
            for r in self.repos.iter().rev() {
                if r.spec.raw.starts_with(&spec.raw) {
                    return Err(Error::new(format!(
                        "cycle detected: URI '{}' referenced by previous URI '{}'",
                        spec.raw, r.spec.raw
                    ))
                    .into());
                }
            }
            return git_loader(spec, self.remote.clone(), chain, self.repos.clone());
        }
        if Path::new(path).is_absolute() {
            return Err(Error::new(format!("new root '{path}' cannot be absolute")).into());
        }
        let root =
            confirm_dir(&self.root.join(path)).map_err(|e| e.wrap("must build at directory"))?;
        if let Some(repo) = self.repos.last() {
            if !root.starts_with(&repo.dir) {
                return Err(Error::new(format!(
                    "security; bases in kustomizations found in cloned git repos must be within the repo, but base '{}' is outside '{}'",
                    root.display(),
                    repo.dir.display()
                ))
                .into());
            }
        }
        for v in chain.iter().rev() {
            if v.starts_with(&root) {
                return Err(Error::new(format!(
                    "cycle detected: candidate root '{}' contains visited root '{}'",
                    root.display(),
                    v.display()
                ))
                .into());
            }
        }
        Ok(Loader {
            root,
            restrictor: self.restrictor,
            visited: chain,
            remote: self.remote.clone(),
            repos: self.repos.clone(),
        })
    }
}

/// `newLoaderAtGitClone`: clones the repository and roots a loader at the kustomization in
/// it. Files of a clone are always read root-only, whatever `--load-restrictor` says.
fn git_loader(
    spec: RepoSpec,
    remote: Option<Remote>,
    visited: Vec<PathBuf>,
    mut repos: Vec<Arc<Repo>>,
) -> Result<Loader, ChildErr> {
    let Some(fetcher) = remote.clone() else {
        return Err(remote_error(&spec.raw).into());
    };
    let clone = fetcher.0.clone_repo(&spec).map_err(|e| ChildErr {
        error: Error::new(e.message),
        timed_out: e.timed_out,
    })?;
    // From here on, returning drops the clone, which removes its directory.
    let dir = clone.dir().to_path_buf();
    let abs = clean(&dir.join(&spec.kust_root_path));
    let real = std::fs::canonicalize(&abs).map_err(|e| {
        Error::new(format!(
            "evalsymlink failure on '{}' : lstat {}: {}",
            abs.display(),
            first_missing(&abs).display(),
            io_text(&e)
        ))
    })?;
    if !real.is_dir() {
        let file = real
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Err(Error::new(format!(
            "'{}' refers to file '{file}'; expecting directory",
            abs.display()
        ))
        .into());
    }
    if !real.starts_with(&dir) {
        return Err(Error::new(format!(
            "{} refers to directory outside of repo {}",
            kcore::gofmt::go_quote(&abs.display().to_string()),
            kcore::gofmt::go_quote(&dir.display().to_string())
        ))
        .into());
    }
    repos.push(Arc::new(Repo {
        spec,
        dir,
        _clone: clone,
    }));
    Ok(Loader {
        root: real,
        restrictor: LoadRestrictor::RootOnly,
        visited,
        remote,
        repos,
    })
}

/// The kustomization file, parsed.
struct Kust {
    kind: String,
    file: String,
    v: Map<String, Value>,
}

fn list(v: &Map<String, Value>, k: &str) -> Vec<Value> {
    v.get(k)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn strs(v: &Map<String, Value>, k: &str) -> Vec<String> {
    list(v, k).iter().map(scalar_string).collect()
}

/// Where a build is and what it has accumulated so far (`ResAccumulator`).
pub(crate) struct Acc {
    pub(crate) res: Vec<Res>,
    pub(crate) tc: TransformerConfig,
    vars: crate::vars::VarSet,
}

/// `accumulator.AppendAll`: ids must be unique.
fn append_all(acc: &mut Acc, more: Vec<Res>) -> Result<(), Error> {
    for r in more {
        let id = r.cur_id();
        if acc
            .res
            .iter()
            .any(|x| !x.is_empty() && any_id_matches(x, &id))
        {
            return Err(Error::new(format!(
                "may not add resource with an already registered id: {}",
                id.id_string()
            )));
        }
        acc.res.push(r);
    }
    Ok(())
}

/// The indexes of the accumulated resources `id` matches (`resWrangler.GetMatchingResourcesByAnyId`).
fn matching(acc: &Acc, id: &ResId) -> Vec<usize> {
    acc.res
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.is_empty() && any_id_matches(x, id))
        .map(|(i, _)| i)
        .collect()
}

fn any_id_matches(r: &Res, id: &ResId) -> bool {
    r.cur_id().equals(id) || r.prev_ids().iter().any(|p| p.equals(id))
}

struct Ctx<'a> {
    warnings: &'a mut Vec<String>,
    /// kustomize's `kt.origin`: where this level is, relative to the top kustomization, when
    /// the top kustomization has `buildMetadata` (origin annotations are tracked then).
    origin: Option<Origin>,
}

const ORIGIN_KEY: &str = "config.kubernetes.io/origin";

fn set_annotation(r: &mut Res, key: &str, value: &str) {
    let mut anns = r.string_map("annotations");
    merge_into(&mut anns, vec![(key.to_string(), value.to_string())]);
    anns.sort();
    r.set_string_map("annotations", anns);
    r.annotated = true;
}

fn annotation(r: &Res, key: &str) -> Option<String> {
    r.string_map("annotations")
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

fn load_kust(ldr: &Loader, ctx: &mut Ctx) -> Result<Kust, Error> {
    let mut found = Vec::new();
    for f in KUST_FILES {
        let p = ldr.root.join(f);
        if p.is_file() {
            found.push(p);
        }
    }
    let path = match found.len() {
        0 => {
            return Err(Error::new(format!(
                "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                ldr.root.display()
            )))
        }
        1 => found.pop().unwrap(),
        _ => {
            return Err(Error::new(format!(
                "Found multiple kustomization files under: {}\n",
                ldr.root.display()
            )))
        }
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::new(format!("open {}: {}", path.display(), io_text(&e))))?;
    let v: Value = if text.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        serde_yaml_ng::from_str(&yamlio::yaml11_booleans(&text)).map_err(|e| {
            Error::new(format!(
                "invalid Kustomization: {}",
                yamlio::go_yaml_error(&e.to_string())
            ))
        })?
    };
    let v = match v {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        _ => {
            return Err(Error::new(
                "invalid Kustomization: json: cannot unmarshal string into Go value of type types.Kustomization",
            ))
        }
    };
    // encoding/json reports the first problem in key order: an unknown field (at any
    // level) or a value of the wrong type.
    if let Some(e) = crate::kusttypes::kustomization_error(&v) {
        return Err(Error::new(format!("invalid Kustomization: {e}")));
    }
    // encoding/json matches field names case-insensitively: use kustomize's spelling.
    let v = crate::kusttypes::canonical_kustomization(v);
    let present = |k: &str| v.get(k).is_some_and(|x| !x.is_null());
    let deprecated = [
        ("bases", "# Warning: 'bases' is deprecated. Please use 'resources' instead. Run 'kustomize edit fix' to update your Kustomization automatically."),
        ("commonLabels", "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically."),
        ("imageTags", "# Warning: 'imageTags' is deprecated. Please use 'images' instead. Run 'kustomize edit fix' to update your Kustomization automatically."),
        ("patchesJson6902", "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically."),
        ("patchesStrategicMerge", "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically."),
        ("vars", "# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run 'kustomize edit fix' to update your Kustomization automatically."),
    ];
    for (k, msg) in deprecated {
        if present(k) {
            ctx.warnings.push(msg.to_string());
        }
    }
    let kind = v.get("kind").map(scalar_string).unwrap_or_default();
    let api_version = v.get("apiVersion").map(scalar_string).unwrap_or_default();
    let has_content = v
        .iter()
        .any(|(k, x)| k != "kind" && k != "apiVersion" && !x.is_null());
    if !has_content {
        return Err(Error::new("kustomization.yaml is empty"));
    }
    let mut errs = Vec::new();
    if !kind.is_empty() && kind != "Kustomization" && kind != "Component" {
        errs.push("kind should be Kustomization or Component".to_string());
    }
    let kind = if kind.is_empty() {
        "Kustomization".to_string()
    } else {
        kind
    };
    let required = if kind == "Component" {
        "kustomize.config.k8s.io/v1alpha1"
    } else {
        "kustomize.config.k8s.io/v1beta1"
    };
    if !api_version.is_empty() && api_version != required {
        errs.push(format!("apiVersion for {kind} should be {required}"));
    }
    if !errs.is_empty() {
        return Err(Error::new(format!(
            "Failed to read kustomization file under {}:\n{}",
            ldr.root.display(),
            errs.join("\n")
        )));
    }
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    Ok(Kust { kind, file, v })
}

/// `openapi.SetSchema` with a kustomization's `openapi` field (and the file it names).
fn set_openapi(ldr: &Loader, kust: &Kust, reset: bool) -> Result<(), Error> {
    let field = match kust.v.get("openapi") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    let bytes = match field.get("path") {
        Some(p) => Some(ldr.load_file(&scalar_string(p))?),
        None => None,
    };
    crate::openapi::set_schema(&field, bytes.as_deref(), reset)
}

/// The plugin configs of `generators`, `transformers` or `validators` (inline YAML, or files
/// and directories read as resources), loaded and configured as kustomize does before running
/// any: a config that is not a built-in plugin's (`apiVersion: builtin`) fails as kubectl's
/// kustomize fails without `--enable-alpha-plugins`.
fn load_plugins(
    ldr: &Loader,
    kust: &Kust,
    field: &str,
    ctx: &mut Ctx,
) -> Result<Vec<crate::plugins::Configured>, Error> {
    let entries = strs(&kust.v, field);
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let mut acc = Acc {
        res: Vec::new(),
        tc: TransformerConfig::default(),
        vars: Default::default(),
    };
    let mut paths = Vec::new();
    for e in entries {
        match crate::yamlio::resources_from_bytes(&e) {
            Ok(docs) if !docs.is_empty() && docs.iter().all(Value::is_object) => {
                let mut rs: Vec<Res> = docs.into_iter().map(Res::new).collect();
                // An inline config's origin is the kustomization file.
                if let Some(o) = &ctx.origin {
                    for r in rs.iter_mut() {
                        set_annotation(r, ORIGIN_KEY, &o.append(&kust.file).annotation());
                    }
                }
                append_all(&mut acc, rs).map_err(|e| {
                    e.wrap(if field == "generators" {
                        "configuring external generator"
                    } else {
                        "configuring external transformer"
                    })
                })?;
            }
            _ => paths.push(e),
        }
    }
    let acc = accumulate_resources(ldr, acc, &paths, ctx)?;
    let configs: Vec<Value> = acc.res.into_iter().map(|r| r.obj).collect();
    let kind = |c: &Value| c.get("kind").map(scalar_string).unwrap_or_default();
    let builtin = |c: &Value| c.get("apiVersion").map(scalar_string).as_deref() == Some("builtin");
    // `LoadGenerators` wraps what loading a plugin fails with; `LoadTransformers` does not.
    let wrap = |e: Error| {
        if field == "generators" {
            e.wrap("failed to load generator")
        } else {
            e
        }
    };
    let mut out = Vec::new();
    for c in &configs {
        if !builtin(c) {
            return Err(wrap(Error::new(format!(
                "external plugins disabled; unable to load external plugin '{}'",
                kind(c)
            ))));
        }
        out.push(crate::plugins::configure(ldr, c, field == "generators").map_err(wrap)?);
    }
    Ok(out)
}

/// `kt.Load` + `kt.AccumulateTarget` for one directory.
fn accumulate_target(ldr: &Loader, kust: &Kust, mut acc: Acc, ctx: &mut Ctx) -> Result<Acc, Error> {
    let k = &kust.v;
    let mut resources = strs(k, "resources");
    resources.extend(strs(k, "bases"));
    acc = accumulate_resources(ldr, acc, &resources, ctx)
        .map_err(|e| e.wrap("accumulating resources"))?;
    // configurations
    let mut tc = TransformerConfig::default();
    for p in strs(k, "configurations") {
        let text = ldr.load_file(&p)?;
        let text = String::from_utf8_lossy(&text).to_string();
        let v: Value = serde_yaml_ng::from_str(&text).map_err(|e| Error::new(e.to_string()))?;
        tc.merge_value(&v)?;
    }
    acc.tc.merge(&tc)?;
    let crds = strs(k, "crds");
    let mut crd_tc = TransformerConfig::default();
    for p in &crds {
        let loaded = ldr
            .load_file(p)
            .and_then(|text| crate::crds::config_from_crd(&String::from_utf8_lossy(&text), p));
        let tc = loaded.map_err(|e| e.wrap(format!("loading CRDs [{}]", crds.join(" "))))?;
        crd_tc.merge(&tc)?;
    }
    acc.tc.merge(&crd_tc)?;
    let gen_origin = ctx.origin.as_ref().map(|o| o.configured(&kust.file, ""));
    run_generators(ldr, k, &mut acc, gen_origin.as_ref())?;
    let gens = load_plugins(ldr, kust, "generators", ctx)
        .map_err(|e| e.wrap("loading generator plugins"))?;
    for g in &gens {
        let r = crate::plugins::generate(ldr, g)?;
        absorb(&mut acc, r).map_err(|e| {
            e.wrap(format!(
                "merging from generator {}",
                go_generator(g, g.origin.as_ref())
            ))
        })?;
    }
    for c in strs(k, "components") {
        let child = ldr
            .new_child(&c)
            .map_err(|e| Error::new(format!("loader.New {:?}", e.0)))
            .map_err(|e| e.wrap("accumulating components"))?;
        let saved = ctx.origin.clone();
        ctx.origin = saved.as_ref().map(|o| o.append(&c));
        let res = accumulate_directory(&child, acc, true, ctx);
        ctx.origin = saved;
        acc = res
            .map_err(|e| Error::new(format!("accumulateDirectory: {:?}", e.0)))
            .map_err(|e| e.wrap("accumulating components"))?;
    }
    let transformers = load_plugins(ldr, kust, "transformers", ctx)?;
    run_transformers(ldr, k, &mut acc, gen_origin.as_ref())?;
    for t in &transformers {
        crate::plugins::transform(ldr, &mut acc, t)?;
    }
    // Validators must leave the resources as they are.
    for v in &load_plugins(ldr, kust, "validators", ctx)? {
        let before: Vec<Value> = acc.res.iter().map(|r| r.obj.clone()).collect();
        crate::plugins::transform(ldr, &mut acc, v)?;
        let after: Vec<Value> = acc.res.iter().map(|r| r.obj.clone()).collect();
        if before != after {
            return Err(Error::new(format!(
                "validator shouldn't modify the resource map: plugin {} changed the resources",
                v.id
            )));
        }
    }
    let vars: Vec<crate::vars::Var> = list(k, "vars")
        .iter()
        .map(crate::vars::Var::from_value)
        .collect();
    crate::vars::merge_vars(&mut acc.res, &mut acc.vars, &vars)
        .map_err(|e| e.wrap(format!("merging vars {}", crate::vars::go_slice(&vars))))?;
    Ok(acc)
}

fn accumulate_resources(
    ldr: &Loader,
    mut acc: Acc,
    paths: &[String],
    ctx: &mut Ctx,
) -> Result<Acc, Error> {
    for p in paths {
        match accumulate_file(ldr, &mut acc, p, ctx.origin.as_ref()) {
            Ok(()) => {}
            Err(FileErr::Http(e)) => return Err(e),
            Err(err @ (FileErr::Malformed(_) | FileErr::Other(_))) => {
                let (errf, malformed) = match err {
                    FileErr::Malformed(e) => (e, true),
                    FileErr::Other(e) | FileErr::Http(e) => (e, false),
                };
                let child = match ldr.new_child_ex(p) {
                    Ok(child) => child,
                    // Malformed YAML means the path was a file: its error is the one that
                    // matters, unless a git timeout says there is a repository there.
                    Err(e) if malformed && !e.timed_out => return Err(errf),
                    Err(e) => return Err(e.error.wrap(format!("accumulation err='{}'", errf.0))),
                };
                let saved = ctx.origin.clone();
                ctx.origin = saved.as_ref().map(|o| o.append(p));
                let res = accumulate_directory(&child, acc, false, ctx);
                ctx.origin = saved;
                acc = res.map_err(|e| e.wrap(format!("accumulation err='{}'", errf.0)))?;
            }
        }
    }
    Ok(acc)
}

enum FileErr {
    Malformed(Error),
    /// `load.ErrHTTP`: the build stops there.
    Http(Error),
    Other(Error),
}

fn accumulate_file(
    ldr: &Loader,
    acc: &mut Acc,
    path: &str,
    origin: Option<&Origin>,
) -> Result<(), FileErr> {
    let wrap = |e: Error| e.wrap(format!("accumulating resources from '{path}'"));
    let bytes = ldr.load(path).map_err(|e| {
        if e.http {
            FileErr::Http(wrap(e.error))
        } else {
            FileErr::Other(wrap(e.error))
        }
    })?;
    let text = String::from_utf8_lossy(&bytes).to_string();
    let objs = yamlio::resource_documents(&text).map_err(|e| {
        FileErr::Malformed(wrap(Error::new(format!(
            "MalformedYAMLError: {} in File: {}",
            e.0, path
        ))))
    })?;
    let mut list = Vec::new();
    for o in objs {
        // `GetMeta`: no apiVersion, no kind and no metadata (or no map at all).
        let missing_meta = match &o {
            Value::Object(m) => {
                let absent = |k: &str| m.get(k).is_none_or(yamlio::is_nil_or_empty);
                absent("apiVersion") && absent("kind") && absent("metadata")
            }
            _ => true,
        };
        if missing_meta {
            return Err(FileErr::Other(wrap(Error::new(
                "missing Resource metadata",
            ))));
        }
        let probe = Res::new(o.clone());
        if probe.kind().is_empty() {
            return Err(FileErr::Other(wrap(Error::new(format!(
                "missing kind in object {}",
                go_resource_meta(&probe)
            )))));
        }
        if probe.name().is_empty() {
            return Err(FileErr::Other(wrap(Error::new(format!(
                "missing metadata.name in object {}",
                go_resource_meta(&probe)
            )))));
        }
        let mut r = Res::new(o);
        if let Some(origin) = origin {
            set_annotation(&mut r, ORIGIN_KEY, &origin.append(path).annotation());
        }
        list.push(r);
    }
    append_all(acc, list)
        .map_err(|e| FileErr::Other(e.wrap(format!("merging resources from '{path}'"))))
}

/// Go's `%v` of a kyaml `ResourceMeta`: `{{apiVersion kind} {{name namespace} map[labels] map[annotations]}}`.
fn go_resource_meta(r: &Res) -> String {
    let m = |field: &str| {
        let mut kv = r.string_map(field);
        kv.sort();
        let items: Vec<String> = kv.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        format!("map[{}]", items.join(" "))
    };
    format!(
        "{{{{{} {}}} {{{{{} {}}} {} {}}}}}",
        r.str_at(&["apiVersion"]),
        r.kind(),
        r.name(),
        r.namespace(),
        m("labels"),
        m("annotations")
    )
}

fn accumulate_directory(
    ldr: &Loader,
    acc: Acc,
    is_component: bool,
    ctx: &mut Ctx,
) -> Result<Acc, Error> {
    let sub = load_kust(ldr, ctx).map_err(|e| {
        e.wrap(format!(
            "couldn't make target for path '{}'",
            ldr.root.display()
        ))
    })?;
    set_openapi(ldr, &sub, false)?;
    if is_component && sub.kind != "Component" {
        return Err(Error::new(format!(
            "expected kind 'Component' for path '{}' but got '{}'",
            ldr.root.display(),
            sub.kind
        )));
    } else if !is_component && sub.kind == "Component" {
        return Err(Error::new(format!(
            "expected kind != 'Component' for path '{}'",
            ldr.root.display()
        )));
    }
    let wrap = |e: Error| {
        e.wrap(format!(
            "recursed accumulation of path '{}'",
            ldr.root.display()
        ))
    };
    if is_component {
        accumulate_target(ldr, &sub, acc, ctx).map_err(wrap)
    } else {
        let fresh = Acc {
            res: Vec::new(),
            tc: TransformerConfig::defaults(),
            vars: Default::default(),
        };
        let sub_acc = accumulate_target(ldr, &sub, fresh, ctx).map_err(wrap)?;
        let mut acc = acc;
        let wrap = |e: Error| {
            e.wrap(format!(
                "recursed merging from path '{}'",
                ldr.root.display()
            ))
        };
        append_all(&mut acc, sub_acc.res).map_err(wrap)?;
        acc.tc.merge(&sub_acc.tc).map_err(wrap)?;
        acc.vars.merge_set(&sub_acc.vars).map_err(wrap)?;
        Ok(acc)
    }
}

fn run_generators(
    ldr: &Loader,
    k: &Map<String, Value>,
    acc: &mut Acc,
    origin: TOrigin,
) -> Result<(), Error> {
    // HelmChartInflationGenerator: charts need helm, which kubectl-rs does not run; without
    // --enable-helm kustomize refuses them with this error, quoting the first chart's config.
    if let Some(chart) = list(k, "helmCharts").first() {
        let mut cfg = Map::new();
        if let Some(Value::Object(g)) = k.get("helmGlobals") {
            cfg.extend(g.clone());
        }
        if let Value::Object(c) = chart {
            cfg.extend(c.clone());
        }
        let text = crate::goyaml::block(&Value::Object(cfg));
        return Err(Error::new(format!(
            "trouble configuring builtin HelmChartInflationGenerator with config: `\n{text}`: must specify --enable-helm"
        )));
    }
    let global = GenOptions::from_value(k.get("generatorOptions"));
    for (field, is_cm) in [("configMapGenerator", true), ("secretGenerator", false)] {
        for g in list(k, field) {
            let args = GenArgs::from_value(&g, global.as_ref());
            let mut r = if is_cm {
                generators::make_config_map(ldr, &args)?
            } else {
                generators::make_secret(ldr, &args)?
            };
            if let Some(o) = origin {
                if annotation(&r, ORIGIN_KEY).is_none() {
                    let kind = if is_cm {
                        "ConfigMapGenerator"
                    } else {
                        "SecretGenerator"
                    };
                    let o = Origin {
                        kind: kind.into(),
                        ..o.clone()
                    };
                    set_annotation(&mut r, ORIGIN_KEY, &o.annotation());
                }
            }
            absorb(acc, r).map_err(|e| {
                e.wrap(format!(
                    "merging from generator {}",
                    go_generator(&args, origin)
                ))
            })?;
        }
    }
    Ok(())
}

/// Go's `%v` of a `*resmap.GeneratorWithProperties`, which kustomize puts in generator merge
/// errors: `&{<generator pointer> <origin pointer or <nil>>}`. Go prints the addresses of the
/// generator and its origin; these are the addresses of ours.
fn go_generator<T>(generator: &T, origin: Option<&Origin>) -> String {
    match origin {
        Some(o) => format!("&{{{generator:p} {o:p}}}"),
        None => format!("&{{{generator:p} <nil>}}"),
    }
}

/// `resWrangler.appendReplaceOrMerge`.
fn absorb(acc: &mut Acc, mut r: Res) -> Result<(), Error> {
    let id = r.cur_id();
    let matches = matching(acc, &id);
    match matches.len() {
        0 => match r.behavior {
            Behavior::Merge | Behavior::Replace => Err(Error::new(format!(
                "id {} does not exist; cannot merge or replace",
                go_resid(&id)
            ))),
            _ => {
                acc.res.push(r);
                Ok(())
            }
        },
        1 => {
            let old = acc.res[matches[0]].clone();
            match r.behavior {
                Behavior::Replace | Behavior::Merge => {
                    // CopyMergeMetaDataFieldsFrom
                    let mut labels = old.string_map("labels");
                    merge_into(&mut labels, r.string_map("labels"));
                    r.set_string_map("labels", labels);
                    let mut anns = old.string_map("annotations");
                    merge_into(&mut anns, r.string_map("annotations"));
                    r.set_string_map("annotations", anns);
                    r.set_name(&old.name());
                    r.set_namespace(&old.namespace());
                    let needs_hash = r.needs_hash;
                    r.prev = old.prev.clone();
                    r.prefixes = old.prefixes.clone();
                    r.suffixes = old.suffixes.clone();
                    r.needs_hash = needs_hash;
                    r.annotated = r.annotated || old.annotated;
                    if r.behavior == Behavior::Merge {
                        if let Some(o) = annotation(&old, ORIGIN_KEY) {
                            set_annotation(&mut r, ORIGIN_KEY, &o);
                        }
                        for field in ["data", "binaryData"] {
                            let mut m = data_map(&old.obj, field);
                            merge_into(&mut m, data_map(&r.obj, field));
                            set_data_map(&mut r.obj, field, m);
                        }
                    }
                    acc.res[matches[0]] = r;
                    Ok(())
                }
                b => Err(Error::new(format!(
                    "id {} exists; can not use behavior: '{}', behavior must be merge or replace",
                    go_resid(&id),
                    b.as_str()
                ))),
            }
        }
        _ => Err(Error::new(format!(
            "found multiple objects {} that could accept merge of {}",
            matches
                .iter()
                .map(|i| acc.res[*i].cur_id().id_string())
                .collect::<Vec<_>>()
                .join(" "),
            id.id_string()
        ))),
    }
}

/// Go's `%#v` of a `resid.ResId`.
fn go_resid(id: &ResId) -> String {
    format!(
        "resid.ResId{{Gvk:resid.Gvk{{Group:{:?}, Version:{:?}, Kind:{:?}, isClusterScoped:{}}}, Name:{:?}, Namespace:{:?}}}",
        id.gvk.group,
        id.gvk.version,
        id.gvk.kind,
        id.gvk.is_cluster_scoped(),
        id.name,
        id.namespace
    )
}

fn merge_into(base: &mut Vec<(String, String)>, over: Vec<(String, String)>) {
    for (k, v) in over {
        match base.iter_mut().find(|(bk, _)| *bk == k) {
            Some(e) => e.1 = v,
            None => base.push((k, v)),
        }
    }
}

fn data_map(obj: &Value, field: &str) -> Vec<(String, String)> {
    string_map(obj.get(field))
}

fn set_data_map(obj: &mut Value, field: &str, m: Vec<(String, String)>) {
    let o = obj.as_object_mut().unwrap();
    o.remove(field);
    if m.is_empty() {
        return;
    }
    let map: Map<String, Value> = m.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    o.insert(field.into(), Value::Object(map));
}

fn patch_text(ldr: &Loader, p: &Value) -> Result<(String, String), Error> {
    let patch = p.get("patch").map(scalar_string).unwrap_or_default();
    let patch = patch.trim().to_string();
    let path = p.get("path").map(scalar_string).unwrap_or_default();
    let yaml_of = || patch_config_yaml(p);
    match (patch.is_empty(), path.is_empty()) {
        (true, true) => Err(Error::new(format!(
            "must specify one of patch and path in\n{}",
            yaml_of()
        ))),
        (false, false) => Err(Error::new(format!(
            "patch and path can't be set at the same time\n{}",
            yaml_of()
        ))),
        (false, true) => Ok((patch.clone(), format!("[patch: {:?}]", patch))),
        (true, false) => {
            let b = ldr.load_file(&path).map_err(|e| {
                Error::new(format!(
                    "failed to get the patch file from path({path}): {}",
                    e.0
                ))
            })?;
            Ok((
                String::from_utf8_lossy(&b).to_string(),
                format!("[path: {:?}]", path),
            ))
        }
    }
}

fn smp_target(acc: &Acc, patch: &Value) -> Result<usize, Error> {
    let pr = Res::new(patch.clone());
    let id = pr.cur_id();
    let m = matching(acc, &id);
    match m.len() {
        1 => Ok(m[0]),
        0 => Err(Error::new(format!(
            "no matches for Id {}; failed to find unique target for patch {}",
            id.id_string(),
            id.id_string()
        ))),
        _ => Err(Error::new(format!(
            "multiple matches for Id {}; failed to find unique target for patch {}",
            id.id_string(),
            id.id_string()
        ))),
    }
}

fn apply_smp_at(acc: &mut Acc, i: usize, patch: &Value, opts: (bool, bool)) -> Result<(), Error> {
    let mut p = patch.clone();
    let gvk = acc.res[i].gvk();
    if let Some(m) = p.as_object_mut() {
        m.insert("apiVersion".into(), Value::String(gvk.api_version()));
    }
    tr::apply_smp(&mut acc.res[i], &p, opts.0, opts.1)
}

fn drop_empty(acc: &mut Acc) {
    acc.res.retain(|r| !r.is_empty());
}

/// The patches of a `PatchStrategicMergeTransformer`'s `paths` (inline patches or files).
pub(crate) fn load_smp_paths(ldr: &Loader, psm: &[Value]) -> Result<Vec<Value>, Error> {
    let mut patches = Vec::new();
    {
        for p in psm {
            let s = scalar_string(p);
            let inline = yamlio::resources_from_bytes(&s)
                .ok()
                .filter(|v| !v.is_empty() && !matches!(p, Value::Null));
            match inline {
                Some(v) if s.contains('\n') || s.contains(':') => patches.extend(v),
                _ => {
                    let b = ldr.load_file(&s)?;
                    let objs = yamlio::resources_from_bytes(&String::from_utf8_lossy(&b))
                        .map_err(|e| e.wrap(&s))?;
                    patches.extend(objs);
                }
            }
        }
    }
    Ok(patches)
}

/// `PatchStrategicMergeTransformer`: each patch onto the resource with its id.
pub(crate) fn smp_transformer(acc: &mut Acc, patches: &[Value]) -> Result<(), Error> {
    for p in patches {
        let i = smp_target(acc, p)?;
        apply_smp_at(acc, i, p, (false, false))?;
        drop_empty(acc);
    }
    Ok(())
}

/// The error of a kustomization's `patches` entry that does not configure, quoting it.
fn patch_config_err(p: &Value) -> impl Fn(Error) -> Error + '_ {
    move |e: Error| {
        e.wrap(format!(
            "trouble configuring builtin PatchTransformer with config: `\n{}`",
            patch_config_yaml(p)
        ))
    }
}

/// The YAML of the config kustomize makes of a `patches` entry (`path`, `patch`, `target`,
/// `options`): every field `omitempty`, so empty strings and false options are left out
/// (an empty `target` or `options` stays, as `{}`).
fn patch_config_yaml(p: &Value) -> String {
    crate::goyaml::block(&omit_empty(p))
}

/// A plugin config as Go marshals its struct when every field is `omitempty`: no nulls,
/// empty strings or false booleans (maps stay, even empty: they are pointers).
fn omit_empty(v: &Value) -> Value {
    fn prune(v: &Value) -> Option<Value> {
        match v {
            Value::Null | Value::Bool(false) => None,
            Value::String(s) if s.is_empty() => None,
            Value::Object(m) => Some(Value::Object(
                m.iter()
                    .filter_map(|(k, x)| prune(x).map(|x| (k.clone(), x)))
                    .collect(),
            )),
            Value::Array(a) => Some(Value::Array(a.iter().filter_map(prune).collect())),
            other => Some(other.clone()),
        }
    }
    prune(v).unwrap_or(Value::Object(Map::new()))
}

/// `PatchTransformer` (one `patches` entry, or a plugin config with the same fields);
/// `config_err` words the errors kustomize reports when configuring it.
pub(crate) fn patch_transformer(
    ldr: &Loader,
    acc: &mut Acc,
    p: &Value,
    config_err: &dyn Fn(Error) -> Error,
) -> Result<(), Error> {
    {
        let (text, source) = patch_text(ldr, p).map_err(config_err)?;
        let target = p
            .get("target")
            .filter(|t| !t.is_null())
            .map(Selector::from_value);
        let opts = p.get("options");
        let allow_name = opts
            .and_then(|o| o.get("allowNameChange"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let allow_kind = opts
            .and_then(|o| o.get("allowKindChange"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let sm = yamlio::resources_from_bytes(&text);
        let js = tr::json_patch_from_text(&text);
        // `SliceFromBytes` validates each document's metadata (`GetValidatedMetadata`): a
        // kind, and a name unless the kind is a list.
        let sm_ok = sm.as_ref().is_ok_and(|v| {
            !v.is_empty()
                && v.iter().all(|x| {
                    let r = Res::new(x.clone());
                    x.is_object()
                        && !r.kind().is_empty()
                        && (r.kind().ends_with("List") || !r.name().is_empty())
                })
        });
        match (sm_ok, js) {
            (true, Ok(j)) if j.as_array().is_some_and(|a| !a.is_empty()) => {
                return Err(config_err(Error::new(format!(
                    "illegally qualifies as both an SM and JSON patch: {source}"
                ))))
            }
            (true, _) => {
                let sms = sm.unwrap();
                if let Some(t) = &target {
                    if sms.len() > 1 {
                        return Err(Error::new(format!("Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field: {source}")));
                    }
                    let sel = tr::select(&acc.res, t).map_err(|e| {
                        e.wrap(format!(
                            "unable to find patch target {:?} in `resources`",
                            selector_string(t)
                        ))
                    })?;
                    // `resWrangler.ApplySmPatch`: the patch takes the target's group and
                    // version and keeps its own kind (which sticks with `allowKindChange`).
                    for i in sel {
                        apply_smp_at(acc, i, &sms[0], (allow_name, allow_kind))?;
                    }
                    drop_empty(acc);
                } else {
                    for p in sms {
                        let i = smp_target(acc, &p).map_err(|e| {
                            Error::new(format!(
                                "no resource matches strategic merge patch {:?}: {}",
                                Res::new(p.clone()).cur_id().id_string(),
                                e.0
                            ))
                        })?;
                        apply_smp_at(acc, i, &p, (allow_name, allow_kind))?;
                        drop_empty(acc);
                    }
                }
            }
            (false, Ok(ops)) => {
                let Some(t) = &target else {
                    return Err(Error::new(format!(
                        "must specify a target for JSON patch {source}"
                    )));
                };
                let sel = tr::select(&acc.res, t)?;
                for i in sel {
                    tr::apply_json6902(&mut acc.res[i], &ops)?;
                    clear_empty_annotations(&mut acc.res[i]);
                }
            }
            (false, Err(_)) => {
                return Err(config_err(Error::new(format!(
                    "unable to parse SM or JSON patch from {source}"
                ))))
            }
        }
    }
    Ok(())
}

/// Where a generator or transformer was configured (`repo`, `ref`, `configuredIn`; the kind is
/// left to fill in), when origins are tracked.
type TOrigin<'a> = Option<&'a Origin>;

/// After each transformer (`multiTransformer.Transform`): record it on every resource when
/// origins are tracked, and drop the resources a patch emptied.
fn transformed(acc: &mut Acc, origin: TOrigin, kind: &str) {
    if let Some(o) = origin {
        let o = Origin {
            kind: kind.into(),
            ..o.clone()
        };
        for r in acc.res.iter_mut() {
            crate::plugins::add_transformer_annotation(r, &o);
        }
    }
    drop_empty(acc);
}

/// The kustomization's own transformers, in kustomize's order.
fn run_transformers(
    ldr: &Loader,
    k: &Map<String, Value>,
    acc: &mut Acc,
    origin: TOrigin,
) -> Result<(), Error> {
    let psm = list(k, "patchesStrategicMerge");
    if !psm.is_empty() {
        let patches = load_smp_paths(ldr, &psm)?;
        smp_transformer(acc, &patches)?;
        transformed(acc, origin, "PatchStrategicMergeTransformer");
    }
    for p in &list(k, "patches") {
        patch_transformer(ldr, acc, p, &patch_config_err(p))?;
        transformed(acc, origin, "PatchTransformer");
    }
    let tc = acc.tc.clone();
    // NamespaceTransformer
    let ns = k.get("namespace").map(scalar_string).unwrap_or_default();
    if !ns.is_empty() {
        tr::namespace(
            &mut acc.res,
            &ns,
            &tc.namespace,
            false,
            tr::SubjectMode::DefaultOnly,
        )?;
        check_unique_ids(acc)?;
        transformed(acc, origin, "NamespaceTransformer");
    }
    let prefix = k.get("namePrefix").map(scalar_string).unwrap_or_default();
    if !prefix.is_empty() {
        tr::prefix_suffix(&mut acc.res, &prefix, &tc.name_prefix, true)?;
        transformed(acc, origin, "PrefixTransformer");
    }
    let suffix = k.get("nameSuffix").map(scalar_string).unwrap_or_default();
    if !suffix.is_empty() {
        tr::prefix_suffix(&mut acc.res, &suffix, &tc.name_suffix, false)?;
        transformed(acc, origin, "SuffixTransformer");
    }
    // LabelTransformer
    let common_labels = string_map(k.get("commonLabels"));
    for l in list(k, "labels") {
        let pairs = string_map(l.get("pairs"));
        let mut fss: Vec<FieldSpec> = l
            .get("fields")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(FieldSpec::from_value).collect())
            .unwrap_or_default();
        for (kk, _) in &pairs {
            if common_labels.iter().any(|(c, _)| c == kk) {
                // kustomize only checks this when fixing; the build takes both.
            }
        }
        merge_all(&mut fss, &tc.labels)?;
        let inc_sel = l
            .get("includeSelectors")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let inc_tpl = l
            .get("includeTemplates")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if inc_sel {
            merge_all(&mut fss, &tc.common_labels)?;
        } else {
            if inc_tpl {
                merge_all(&mut fss, &tc.template_labels)?;
            }
            merge_all(
                &mut fss,
                &[FieldSpec {
                    path: "metadata/labels".into(),
                    create: true,
                    ..Default::default()
                }],
            )?;
        }
        tr::set_map_entries(&mut acc.res, &pairs, &fss)?;
        transformed(acc, origin, "LabelTransformer");
    }
    // One more LabelTransformer, for commonLabels, when either field is set.
    if !common_labels.is_empty() || !list(k, "labels").is_empty() {
        tr::set_map_entries(&mut acc.res, &common_labels, &tc.common_labels)?;
        transformed(acc, origin, "LabelTransformer");
    }
    let anns = string_map(k.get("commonAnnotations"));
    if !anns.is_empty() {
        tr::set_map_entries(&mut acc.res, &anns, &tc.common_annotations)?;
        transformed(acc, origin, "AnnotationsTransformer");
    }
    for p in list(k, "patchesJson6902") {
        let target = p
            .get("target")
            .map(Selector::from_value)
            .unwrap_or_default();
        let path = p.get("path").map(scalar_string).unwrap_or_default();
        let op = p.get("patch").map(scalar_string).unwrap_or_default();
        // The plugin's config: `target`, `path`, and the inline patch as `jsonOp`.
        let mut cfg = Map::new();
        for (k, v) in [
            ("target", p.get("target")),
            ("path", p.get("path")),
            ("jsonOp", p.get("patch")),
        ] {
            if let Some(v) = v {
                cfg.insert(k.into(), v.clone());
            }
        }
        let ops = json6902_ops(ldr, &target, &path, op).map_err(|e| {
            e.wrap(format!(
                "trouble configuring builtin PatchJson6902Transformer with config: `\n{}`",
                crate::goyaml::block(&omit_empty(&Value::Object(cfg)))
            ))
        })?;
        json6902_transformer(acc, &target, &ops)?;
        transformed(acc, origin, "PatchJson6902Transformer");
    }
    // ReplicaCountTransformer
    for r in list(k, "replicas") {
        let name = r.get("name").map(scalar_string).unwrap_or_default();
        let count = r.get("count").and_then(Value::as_i64).unwrap_or(0);
        tr::replicas(&mut acc.res, &name, count, &tc.replicas)?;
        transformed(acc, origin, "ReplicaCountTransformer");
    }
    // ImageTagTransformer
    let mut images = list(k, "images");
    images.extend(list(k, "imageTags"));
    for i in images {
        let img = Image::from_value(&i);
        tr::images(&mut acc.res, &img, &tc.images)?;
        transformed(acc, origin, "ImageTagTransformer");
    }
    // ReplacementTransformer
    let reps = list(k, "replacements");
    if !reps.is_empty() {
        // Only loading the files fails the plugin's configuration, which kustomize quotes as
        // `Replacements:` (the plugin's field has no JSON name).
        let mut cfg = Map::new();
        cfg.insert("Replacements".into(), Value::Array(reps.clone()));
        let config_err = |e: Error| {
            e.wrap(format!(
                "trouble configuring builtin ReplacementTransformer with config: `\n{}`",
                crate::goyaml::block(&omit_empty(&Value::Object(cfg.clone())))
            ))
        };
        crate::replacements::apply(ldr, &mut acc.res, &reps, &config_err)?;
        transformed(acc, origin, "ReplacementTransformer");
    }
    Ok(())
}

/// `PatchJson6902Transformer.Config`: the operations, from the inline `jsonOp` or a file.
pub(crate) fn json6902_ops(
    ldr: &Loader,
    target: &Selector,
    path: &str,
    mut op: String,
) -> Result<Value, Error> {
    {
        if target.name.is_empty() {
            return Err(Error::new("must specify the target name"));
        }
        if path.is_empty() && op.is_empty() {
            return Err(Error::new("empty file path and empty jsonOp"));
        }
        if !path.is_empty() {
            if !op.is_empty() {
                return Err(Error::new("must specify a file path or jsonOp, not both"));
            }
            op = String::from_utf8_lossy(&ldr.load_file(path)?).to_string();
            if op.is_empty() {
                return Err(Error::new(format!(
                    "patch file '{path}' empty seems to be empty"
                )));
            }
        }
        // kustomize decodes the operations as JSON (YAML converted to it first) and names
        // that JSON when it does not decode.
        tr::json_patch_from_text(&op).map_err(|e| {
            let json = if op.starts_with('[') {
                op.clone()
            } else {
                crate::yamlio::parse_documents(&op)
                    .ok()
                    .and_then(|d| d.into_iter().next())
                    .map(|v| kcore::patch::lastapplied::to_go_json(&v))
                    .unwrap_or_else(|| op.clone())
            };
            e.wrap(format!("decoding {json}"))
        })
    }
}

/// `PatchJson6902Transformer.Transform`.
pub(crate) fn json6902_transformer(
    acc: &mut Acc,
    target: &Selector,
    ops: &Value,
) -> Result<(), Error> {
    {
        for i in tr::select(&acc.res, target)? {
            let mut r = acc.res[i].clone();
            let out = kcore::patch::apply_json_patch(&r.obj, ops)
                .map_err(|e| Error::new(e.to_string()))?;
            r.obj = out;
            clear_empty_annotations(&mut r);
            acc.res[i] = r;
        }
    }
    Ok(())
}

fn clear_empty_annotations(r: &mut Res) {
    if let Some(Value::Object(meta)) = r.obj.get_mut("metadata") {
        if let Some(Value::Object(a)) = meta.get("annotations") {
            if a.is_empty() {
                meta.remove("annotations");
            }
        }
    }
}

fn selector_string(t: &Selector) -> String {
    let mut parts = Vec::new();
    let g = &t.gvk;
    if !g.group.is_empty() || !g.version.is_empty() || !g.kind.is_empty() {
        parts.push(g.id_string());
    }
    if !t.name.is_empty() {
        parts.push(t.name.clone());
    }
    parts.join(" ")
}

pub(crate) fn check_unique_ids(acc: &Acc) -> Result<(), Error> {
    for (i, r) in acc.res.iter().enumerate() {
        let id = r.cur_id();
        let n = acc.res.iter().filter(|x| x.cur_id().equals(&id)).count();
        if n != 1 {
            let _ = i;
            return Err(Error::new(format!(
                "namespace transformation produces ID conflict: {}",
                id.id_string()
            )));
        }
    }
    Ok(())
}

/// `HashTransformer` (`addHashesToNames`): generated names get their content hash.
pub(crate) fn add_hashes(acc: &mut Acc) {
    for r in acc.res.iter_mut() {
        if r.needs_hash {
            let h = generators::hash(&r.obj);
            r.store_previous_id();
            let n = format!("{}-{}", r.name(), h);
            r.set_name(&n);
        }
    }
}

/// `resid.FromRNode` as printed in fieldspec errors.
pub fn resid_from_node(id: &ResId) -> String {
    id.id_string()
}

/// `Kustomizer.Run`.
/// Builds `dir`; the warnings kustomize printed and the lines it logged go to `warnings` and
/// `logged` as they come, so that a build that fails still reports the ones before its error.
pub fn run(
    dir: &Path,
    shown: &str,
    opts: &Options,
    warnings: &mut Vec<String>,
    logged: &mut Vec<String>,
) -> Result<Output, Error> {
    if let Ok(spec) = dir
        .to_str()
        .ok_or(())
        .and_then(|d| RepoSpec::parse(d).map_err(|_| ()))
    {
        let ldr =
            git_loader(spec, opts.remote.clone(), Vec::new(), Vec::new()).map_err(|e| e.error)?;
        return run_at(ldr, opts, warnings, logged);
    }
    let abs = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| Error::new(e.to_string()))?
            .join(dir)
    };
    let root = match std::fs::canonicalize(&abs) {
        Ok(r) if r.is_dir() => r,
        Ok(_) => {
            return Err(Error::new(format!(
                "must build at directory: '{shown}': file is not directory"
            )))
        }
        Err(e) => {
            return Err(Error::new(format!(
                "must build at directory: not a valid directory: evalsymlink failure on '{shown}' : lstat {}: {}",
                first_missing(&clean(&abs)).display(),
                io_text(&e)
            )))
        }
    };
    let ldr = Loader {
        root,
        restrictor: opts.load_restrictor,
        visited: Vec::new(),
        remote: opts.remote.clone(),
        repos: Vec::new(),
    };
    run_at(ldr, opts, warnings, logged)
}

/// [`run`] from the loader at the top kustomization.
fn run_at(
    ldr: Loader,
    opts: &Options,
    warnings: &mut Vec<String>,
    logged: &mut Vec<String>,
) -> Result<Output, Error> {
    let mut ctx = Ctx {
        warnings,
        origin: None,
    };
    let kust = load_kust(&ldr, &mut ctx)?;
    crate::openapi::reset();
    set_openapi(&ldr, &kust, true)?;
    let build_meta = strs(&kust.v, "buildMetadata");
    if !build_meta.is_empty() {
        ctx.origin = Some(Origin::default());
    }
    let acc = Acc {
        res: Vec::new(),
        tc: TransformerConfig::defaults(),
        vars: Default::default(),
    };
    let mut acc = accumulate_target(&ldr, &kust, acc, &mut ctx)?;
    add_hashes(&mut acc);
    crate::nameref::fix(&mut acc.res, &acc.tc.name_reference)?;
    crate::vars::resolve(&mut acc.res, &acc.vars, &acc.tc.var_reference, logged)?;
    // sort
    let sort = kust.v.get("sortOptions").filter(|v| !v.is_null());
    if let Some(so) = sort {
        if opts.reorder != Reorder::Unspecified {
            logged.push("Warning: Sorting order is set both in 'kustomization.yaml' ('sortOptions') and in a CLI flag ('--reorder'). Using the kustomization file over the CLI flag.".to_string());
        }
        let order = so.get("order").map(scalar_string).unwrap_or_default();
        let legacy = so.get("legacySortOptions").filter(|v| !v.is_null());
        match order.as_str() {
            "legacy" => {
                let (first, last): (Vec<String>, Vec<String>) = match legacy {
                    Some(l) => (
                        l.get("orderFirst")
                            .and_then(Value::as_array)
                            .map(|a| a.iter().map(scalar_string).collect())
                            .unwrap_or_default(),
                        l.get("orderLast")
                            .and_then(Value::as_array)
                            .map(|a| a.iter().map(scalar_string).collect())
                            .unwrap_or_default(),
                    ),
                    None => (
                        tr::DEFAULT_ORDER_FIRST
                            .iter()
                            .map(|s| s.to_string())
                            .collect(),
                        tr::DEFAULT_ORDER_LAST
                            .iter()
                            .map(|s| s.to_string())
                            .collect(),
                    ),
                };
                tr::legacy_sort(&mut acc.res, &first, &last);
            }
            "fifo" => {
                if legacy.is_some() {
                    return Err(Error::new("the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'"));
                }
            }
            _ => {
                return Err(Error::new(
                    "the field 'sortOptions.order' must be one of [fifo, legacy]",
                ))
            }
        }
    } else if opts.reorder != Reorder::None {
        let first: Vec<String> = tr::DEFAULT_ORDER_FIRST
            .iter()
            .map(|s| s.to_string())
            .collect();
        let last: Vec<String> = tr::DEFAULT_ORDER_LAST
            .iter()
            .map(|s| s.to_string())
            .collect();
        tr::legacy_sort(&mut acc.res, &first, &last);
    }
    if opts.managed_by_label || build_meta.iter().any(|s| s == "managedByLabel") {
        for r in acc.res.iter_mut() {
            let mut labels = r.string_map("labels");
            merge_into(
                &mut labels,
                vec![(
                    "app.kubernetes.io/managed-by".into(),
                    "kustomize-v5.8.1".into(),
                )],
            );
            labels.sort();
            r.set_string_map("labels", labels);
        }
    }
    let mut out = Vec::new();
    for mut r in acc.res {
        // `RemoveBuildAnnotations` sets the annotations back as strings.
        if let Some(Value::Object(meta)) = r.obj.get_mut("metadata") {
            if let Some(Value::Object(a)) = meta.get_mut("annotations") {
                for v in a.values_mut() {
                    if matches!(v, Value::Number(_) | Value::Bool(_)) {
                        *v = Value::String(scalar_string(v));
                    }
                }
            }
        }
        for (option, key) in [
            ("originAnnotations", ORIGIN_KEY),
            (
                "transformerAnnotations",
                crate::plugins::TRANSFORMATIONS_KEY,
            ),
        ] {
            if !build_meta.iter().any(|s| s == option) {
                if let Some(Value::Object(meta)) = r.obj.get_mut("metadata") {
                    if let Some(Value::Object(a)) = meta.get_mut("annotations") {
                        a.remove(key);
                    }
                }
            }
        }
        r.finish();
        out.push(r.obj);
    }
    Ok(Output {
        resources: out,
        warnings: std::mem::take(warnings),
        logged: std::mem::take(logged),
    })
}

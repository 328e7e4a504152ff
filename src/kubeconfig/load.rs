//! Finding and merging kubeconfig files, with client-go's precedence rules
//! (`clientcmd/loader.go`): `--kubeconfig` alone (it must exist), else each file of `$KUBECONFIG`
//! (missing ones skipped, duplicates removed), else `~/.kube/config`. For every named cluster,
//! user and context the first file that defines it wins whole; the first non-empty
//! `current-context` wins.

use super::model::Kubeconfig;
use super::resolve::{io_text, open_error};
use super::KubeconfigError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where to look for kubeconfig files (filled from flags and the environment by `Context`).
#[derive(Debug, Clone, Default)]
pub struct Loader {
    /// `--kubeconfig`.
    pub explicit: Option<PathBuf>,
    /// The value of `$KUBECONFIG`, when set.
    pub env_list: Option<String>,
    /// The home directory (for `~/.kube/config`).
    pub home: Option<PathBuf>,
}

/// The merged configuration plus where each entry came from.
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    /// The merge, with paths as written in the files (what `config view` shows).
    pub merged: Kubeconfig,
    /// The files that were read, in precedence order.
    pub files: Vec<PathBuf>,
    /// Every candidate file, existing or not (client-go's `GetLoadingPrecedence`): a change
    /// locks all of them.
    pub precedence: Vec<PathBuf>,
    /// The file new entries are written to (client-go's `GetDefaultFilename`).
    pub default_file: PathBuf,
    /// Which file defined each cluster.
    pub cluster_origin: HashMap<String, PathBuf>,
    /// Which file defined each user.
    pub user_origin: HashMap<String, PathBuf>,
    /// Which file defined each context.
    pub context_origin: HashMap<String, PathBuf>,
    /// Which file set `current-context`.
    pub current_context_origin: Option<PathBuf>,
}

impl Loader {
    /// The candidate files in precedence order, and the default file for writes.
    pub fn candidates(&self) -> (Vec<PathBuf>, PathBuf) {
        if let Some(p) = &self.explicit {
            return (vec![p.clone()], p.clone());
        }
        if let Some(list) = self.env_list.as_deref().filter(|s| !s.is_empty()) {
            let mut seen = Vec::<PathBuf>::new();
            for part in std::env::split_paths(list) {
                if part.as_os_str().is_empty() || seen.contains(&part) {
                    continue;
                }
                seen.push(part);
            }
            if !seen.is_empty() {
                // client-go: one file → that one; else the first that exists, else the last.
                let default = if seen.len() == 1 {
                    seen[0].clone()
                } else {
                    seen.iter()
                        .find(|p| p.exists())
                        .unwrap_or(&seen[seen.len() - 1])
                        .clone()
                };
                return (seen, default);
            }
        }
        let home = self.home.clone().unwrap_or_default();
        let p = home.join(".kube").join("config");
        (vec![p.clone()], p)
    }

    /// Reads and merges the files.
    pub fn load(&self) -> Result<LoadedConfig, KubeconfigError> {
        let (candidates, default_file) = self.candidates();
        if let Some(p) = &self.explicit {
            if !p.exists() {
                return Err(KubeconfigError::Missing(p.clone()));
            }
        }
        let mut out = LoadedConfig {
            default_file,
            precedence: candidates.clone(),
            ..Default::default()
        };
        for path in candidates {
            if !path.exists() {
                continue;
            }
            let cfg = read_file(&path)?;
            merge_into(&mut out, cfg, &path);
            out.files.push(path);
        }
        Ok(out)
    }
}

/// Reads and parses one file.
pub fn read_file(path: &Path) -> Result<Kubeconfig, KubeconfigError> {
    let load_err = |message: String| KubeconfigError::Load {
        path: path.to_path_buf(),
        message,
    };
    // Go's `os.ReadFile` words: `open f: …` when opening fails, `read f: …` after (a directory).
    let shown = path.display().to_string();
    let mut file = std::fs::File::open(path).map_err(|e| load_err(open_error(&shown, &e)))?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text)
        .map_err(|e| load_err(format!("read {shown}: {}", io_text(&e))))?;
    Kubeconfig::from_yaml(&text).map_err(load_err)
}

fn merge_into(out: &mut LoadedConfig, cfg: Kubeconfig, path: &Path) {
    let m = &mut out.merged;
    for c in cfg.clusters {
        if !out.cluster_origin.contains_key(&c.name) {
            out.cluster_origin
                .insert(c.name.clone(), path.to_path_buf());
            m.clusters.push(c);
        }
    }
    for u in cfg.users {
        if !out.user_origin.contains_key(&u.name) {
            out.user_origin.insert(u.name.clone(), path.to_path_buf());
            m.users.push(u);
        }
    }
    for c in cfg.contexts {
        if !out.context_origin.contains_key(&c.name) {
            out.context_origin
                .insert(c.name.clone(), path.to_path_buf());
            m.contexts.push(c);
        }
    }
    if m.current_context.is_empty() && !cfg.current_context.is_empty() {
        m.current_context = cfg.current_context;
        out.current_context_origin = Some(path.to_path_buf());
    }
    if m.preferences.is_none() {
        m.preferences = cfg.preferences;
    }
    if m.extensions.is_none() {
        m.extensions = cfg.extensions;
    }
    for (k, v) in cfg.extra {
        m.extra.entry(k).or_insert(v);
    }
}

/// Resolves `p` against the directory of the kubeconfig file `origin` (client-go's
/// `ResolveLocalPaths`): absolute paths and empty strings stay as they are.
pub fn resolve_path(p: &str, origin: Option<&Path>) -> PathBuf {
    let path = PathBuf::from(p);
    if p.is_empty() || path.is_absolute() {
        return path;
    }
    match origin.and_then(Path::parent) {
        Some(dir) => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            let joined = dir.join(&path);
            std::path::absolute(&joined).unwrap_or(joined)
        }
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn first_file_wins_per_name_and_current_context() {
        let d = tempfile::tempdir().unwrap();
        let a = write(
            d.path(),
            "a",
            "clusters:\n- name: c\n  cluster: {server: 'https://a'}\ncontexts:\n- name: x\n  context: {cluster: c}\n",
        );
        let b = write(
            d.path(),
            "b",
            "current-context: x\nclusters:\n- name: c\n  cluster: {server: 'https://b', insecure-skip-tls-verify: true}\n- name: d\n  cluster: {server: 'https://d'}\n",
        );
        let c = write(d.path(), "c", "current-context: y\n");
        let missing = d.path().join("missing");
        let list = std::env::join_paths([&a, &missing, &b, &a, &c]).unwrap();
        let l = Loader {
            env_list: Some(list.to_string_lossy().into()),
            ..Default::default()
        };
        let got = l.load().unwrap();
        assert_eq!(got.files, vec![a.clone(), b.clone(), c]);
        let cl = got.merged.cluster("c").unwrap();
        // Entries are not deep-merged: b's insecure flag does not leak into a's cluster.
        assert_eq!(cl.server.as_deref(), Some("https://a"));
        assert_eq!(cl.insecure_skip_tls_verify, None);
        assert_eq!(
            got.merged.cluster("d").unwrap().server.as_deref(),
            Some("https://d")
        );
        assert_eq!(got.merged.current_context, "x");
        assert_eq!(got.current_context_origin.as_deref(), Some(b.as_path()));
        assert_eq!(got.cluster_origin["d"], b);
        assert_eq!(got.default_file, a);
    }

    #[test]
    fn explicit_file_must_exist_and_env_is_ignored() {
        let d = tempfile::tempdir().unwrap();
        let a = write(d.path(), "a", "current-context: a\n");
        let l = Loader {
            explicit: Some(d.path().join("nope.yaml")),
            env_list: Some(a.to_string_lossy().into()),
            home: None,
        };
        let e = l.load().unwrap_err();
        assert!(e.to_string().starts_with("stat "), "{e}");
        assert!(e
            .to_string()
            .ends_with("nope.yaml: no such file or directory"));
        let l = Loader {
            explicit: Some(a.clone()),
            env_list: Some("/nonexistent".into()),
            home: None,
        };
        assert_eq!(l.load().unwrap().merged.current_context, "a");
    }

    #[test]
    fn home_default_and_missing_is_empty() {
        let d = tempfile::tempdir().unwrap();
        let l = Loader {
            home: Some(d.path().into()),
            ..Default::default()
        };
        let got = l.load().unwrap();
        assert!(got.merged.is_empty());
        assert_eq!(got.default_file, d.path().join(".kube/config"));
        std::fs::create_dir(d.path().join(".kube")).unwrap();
        write(&d.path().join(".kube"), "config", "current-context: h\n");
        // An empty $KUBECONFIG counts as unset.
        let l = Loader {
            home: Some(d.path().into()),
            env_list: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(l.load().unwrap().merged.current_context, "h");
    }

    #[test]
    fn broken_file_is_a_clear_error() {
        let d = tempfile::tempdir().unwrap();
        let a = write(d.path(), "bad.yaml", "clusters: [\n");
        let l = Loader {
            explicit: Some(a),
            ..Default::default()
        };
        let e = l.load().unwrap_err().to_string();
        assert!(e.starts_with("error loading config file \""), "{e}");
        assert!(e.contains("bad.yaml\": "), "{e}");
    }

    #[test]
    fn relative_paths_resolve_against_the_file() {
        let origin = Path::new("/etc/kube/config");
        assert_eq!(
            resolve_path("ca.pem", Some(origin)),
            PathBuf::from("/etc/kube/ca.pem")
        );
        assert_eq!(
            resolve_path("/abs/ca.pem", Some(origin)),
            PathBuf::from("/abs/ca.pem")
        );
        assert_eq!(resolve_path("ca.pem", None), PathBuf::from("ca.pem"));
    }
}

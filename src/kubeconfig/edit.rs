//! Writing kubeconfig changes back, as client-go's `ModifyConfig` does: each change goes to the
//! file that defines the entry (new entries to the default file), the file is re-read raw (so
//! other entries and unknown keys survive), and replaced atomically (temp file + rename, mode 0600).

use super::load::{read_file, LoadedConfig};
use super::model::Kubeconfig;
use super::resolve::io_text;
use super::KubeconfigError;
use std::io::Write;
use std::path::{Path, PathBuf};

impl LoadedConfig {
    /// The file holding context `name`, or the default file for a new one.
    pub fn file_for_context(&self, name: &str) -> PathBuf {
        self.context_origin
            .get(name)
            .cloned()
            .unwrap_or_else(|| self.default_file.clone())
    }

    /// The file holding cluster `name`, or the default file.
    pub fn file_for_cluster(&self, name: &str) -> PathBuf {
        self.cluster_origin
            .get(name)
            .cloned()
            .unwrap_or_else(|| self.default_file.clone())
    }

    /// The file holding user `name`, or the default file.
    pub fn file_for_user(&self, name: &str) -> PathBuf {
        self.user_origin
            .get(name)
            .cloned()
            .unwrap_or_else(|| self.default_file.clone())
    }

    /// The file `current-context` is written to.
    pub fn file_for_current_context(&self) -> PathBuf {
        self.current_context_origin
            .clone()
            .unwrap_or_else(|| self.default_file.clone())
    }
}

/// Turns a config into the text written to disk.
pub type Render = fn(&Kubeconfig) -> String;

/// Reads `path` (a missing file is an empty config), applies `change`, writes it back
/// atomically. A file that does not parse is left untouched and reported.
pub fn update_file<T>(
    path: &Path,
    change: impl FnOnce(&mut Kubeconfig) -> Result<T, KubeconfigError>,
) -> Result<T, KubeconfigError> {
    update_file_with(path, to_yaml, change)
}

/// [`update_file`] with the YAML emitter chosen by the caller (the `config` commands pass
/// the go-yaml compatible one from `crate::print`, which this layer may not import).
pub fn update_file_with<T>(
    path: &Path,
    render: Render,
    change: impl FnOnce(&mut Kubeconfig) -> Result<T, KubeconfigError>,
) -> Result<T, KubeconfigError> {
    let mut cfg = if path.exists() {
        read_file(path)?
    } else {
        Kubeconfig::default()
    };
    let out = change(&mut cfg)?;
    write_text(path, &render(&cfg))?;
    Ok(out)
}

/// The YAML text kubectl writes for a config (sorted keys, `kind`/`apiVersion` filled in).
pub fn to_yaml(cfg: &Kubeconfig) -> String {
    serde_yaml_ng::to_string(&cfg.to_value()).unwrap_or_default()
}

/// Writes `cfg` to `path` atomically with mode 0600, creating the directory if needed.
pub fn write_file(path: &Path, cfg: &Kubeconfig) -> Result<(), KubeconfigError> {
    write_text(path, &to_yaml(cfg))
}

fn write_text(path: &Path, text: &str) -> Result<(), KubeconfigError> {
    let err = |e: std::io::Error| {
        KubeconfigError::Other(format!("error writing {}: {}", path.display(), io_text(&e)))
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(err)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubeconfig::model::{Named, NamedContext};
    use crate::kubeconfig::Loader;

    #[test]
    fn changes_go_to_the_defining_file_and_keep_other_keys() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a");
        let b = d.path().join("b");
        std::fs::write(
            &a,
            "custom: keep\ncontexts:\n- name: x\n  context: {cluster: c}\n",
        )
        .unwrap();
        std::fs::write(
            &b,
            "current-context: x\nclusters:\n- name: c\n  cluster: {server: 'https://c'}\n",
        )
        .unwrap();
        let l = Loader {
            env_list: Some(
                std::env::join_paths([&a, &b])
                    .unwrap()
                    .to_string_lossy()
                    .into(),
            ),
            ..Default::default()
        };
        let loaded = l.load().unwrap();
        assert_eq!(loaded.file_for_context("x"), a);
        assert_eq!(loaded.file_for_context("new"), a);
        assert_eq!(loaded.file_for_cluster("c"), b);
        assert_eq!(loaded.file_for_current_context(), b);
        update_file(&a, |cfg| {
            cfg.contexts.push(NamedContext {
                name: "y".into(),
                ..Default::default()
            });
            Ok(())
        })
        .unwrap();
        let text = std::fs::read_to_string(&a).unwrap();
        assert!(text.contains("custom: keep"), "{text}");
        assert!(text.contains("name: y"), "{text}");
        assert!(text.contains("kind: Config"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&a).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn broken_file_is_not_written() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a");
        std::fs::write(&a, "clusters: [\n").unwrap();
        let e = update_file(&a, |cfg| {
            cfg.clusters.push(Named::default());
            Ok(())
        });
        assert!(e.is_err());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "clusters: [\n");
        let leftovers = std::fs::read_dir(d.path()).unwrap().count();
        assert_eq!(leftovers, 1);
    }

    #[test]
    fn missing_file_and_dir_are_created() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join(".kube/config");
        update_file(&a, |cfg| {
            cfg.current_context = "z".into();
            Ok(())
        })
        .unwrap();
        let back = read_file(&a).unwrap();
        assert_eq!(back.current_context, "z");
    }
}

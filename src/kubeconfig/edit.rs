//! Writing kubeconfig changes back, as client-go's `ModifyConfig` does, minus its races.
//!
//! A change first takes client-go's lock: `<file>.lock`, created exclusively, for every file of
//! the loading precedence in sorted order (so kubectl and kubectl-rs exclude each other), and
//! fails with kubectl's `open <file>.lock: file exists` when someone holds one; the locks are
//! removed when the [`ConfigLock`] is dropped. Under the lock each file is re-read and the change
//! is applied to what is on disk now, so entries another writer added meanwhile survive; the
//! change goes to the file that defines the entry (new entries to the default file).
//!
//! Where client-go truncates and rewrites the file in place, the new text goes to a temporary
//! file next to the real file (a symlink is followed to its target and stays a symlink), gets
//! the old file's mode (0600 for a new file), is fsynced and renamed over the target, and the
//! directory is fsynced: a `kill -9` at any moment leaves the old or the new file, never half.

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

    /// Takes the lock for a change to these files (see [`ConfigLock::acquire`]).
    pub fn lock(&self) -> Result<ConfigLock, KubeconfigError> {
        ConfigLock::acquire(&self.precedence)
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

/// client-go's `lockName`.
pub fn lock_name(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_os_string();
    s.push(".lock");
    PathBuf::from(s)
}

/// client-go's kubeconfig lock, held for the files of one change; released on drop.
#[derive(Debug)]
pub struct ConfigLock {
    held: Vec<PathBuf>,
}

impl ConfigLock {
    /// Takes `<file>.lock` for each of `files` (client-go's `lockFile`: missing directories are
    /// created, the lock is an empty file of mode 0 created with `O_CREATE|O_EXCL`). Fails on the
    /// first lock that exists, releasing the ones taken so far.
    pub fn acquire(files: &[PathBuf]) -> Result<ConfigLock, KubeconfigError> {
        let mut sorted: Vec<&PathBuf> = files.iter().collect();
        sorted.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
        sorted.dedup();
        let mut lock = ConfigLock { held: Vec::new() };
        for file in sorted {
            let dir = parent_dir(file);
            if !dir.exists() {
                std::fs::create_dir_all(&dir).map_err(|e| {
                    KubeconfigError::Other(format!("mkdir {}: {}", dir.display(), io_text(&e)))
                })?;
            }
            let name = lock_name(file);
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o000);
            }
            opts.open(&name).map_err(|e| {
                KubeconfigError::Other(format!("open {}: {}", name.display(), io_text(&e)))
            })?;
            lock.held.push(name);
        }
        Ok(lock)
    }

    /// Reads `path` now (a missing file is an empty config), applies `change`, and writes the
    /// result back with the default emitter.
    pub fn update<T>(
        &self,
        path: &Path,
        change: impl FnOnce(&mut Kubeconfig) -> Result<T, KubeconfigError>,
    ) -> Result<T, KubeconfigError> {
        self.update_with(path, to_yaml, change)
    }

    /// [`ConfigLock::update`] with the YAML emitter chosen by the caller (the `config`
    /// commands pass the go-yaml compatible one from `crate::print`, which this layer may not
    /// import). A file that does not parse is left untouched and reported.
    pub fn update_with<T>(
        &self,
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
        self.write_text(path, &render(&cfg))?;
        Ok(out)
    }

    /// Replaces the content of `path` (see the module comment); only with the lock held.
    pub fn write_text(&self, path: &Path, text: &str) -> Result<(), KubeconfigError> {
        write_text(path, text)
    }
}

impl Drop for ConfigLock {
    fn drop(&mut self) {
        for name in self.held.iter().rev() {
            let _ = std::fs::remove_file(name);
        }
    }
}

/// The YAML text kubectl writes for a config (sorted keys, `kind`/`apiVersion` filled in).
pub fn to_yaml(cfg: &Kubeconfig) -> String {
    serde_yaml_ng::to_string(&cfg.to_value()).unwrap_or_default()
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Follows `path` through symlinks (relative ones against the link's directory) to the file
/// that is really written; a dangling link resolves to its missing target, as `open` would.
pub fn resolve_symlinks(path: &Path) -> std::io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    // Linux's limit for nested links (ELOOP beyond it).
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&p)?;
                p = parent_dir(&p).join(target);
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// The temporary files of writers that died (`kill -9`) before their rename. Only called with
/// the lock held, so no live writer of this file has one; the owner's pid is checked anyway
/// when `/proc` can tell.
fn remove_stale_temps(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let procfs = Path::new("/proc/self").exists();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(".tmp"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = pid == std::process::id()
            || (procfs && Path::new("/proc").join(pid.to_string()).exists());
        if !alive {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn write_text(path: &Path, text: &str) -> Result<(), KubeconfigError> {
    write_file_atomic(path, text, 0o600)
}

/// Writes `text` to `path` (through symlinks) atomically: a temporary file beside the target,
/// fsync, rename, the directory synced. An existing file keeps its mode (and owner); a new
/// one gets `new_mode`. The directory of `path` is created first. Errors read as Go's
/// `os.WriteFile`'s (`open <path>: <reason>`). Used for kubeconfig files and for kuberc.
pub fn write_file_atomic(path: &Path, text: &str, new_mode: u32) -> Result<(), KubeconfigError> {
    // Reported as Go's `os.WriteFile` would: `open <path>: <reason>`.
    let err = |e: std::io::Error| {
        KubeconfigError::Other(format!("open {}: {}", path.display(), io_text(&e)))
    };
    // client-go creates the directory of the file as named; a symlink's target directory must
    // exist already (kubectl: `open <link>: no such file or directory`).
    std::fs::create_dir_all(parent_dir(path)).map_err(err)?;
    let target = resolve_symlinks(path).map_err(err)?;
    let dir = parent_dir(&target);
    if !dir.is_dir() {
        return Err(err(std::io::ErrorKind::NotFound.into()));
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let prefix = format!(".{name}.kubectl-rs-");
    remove_stale_temps(&dir, &prefix);
    let old = std::fs::metadata(&target).ok();
    let tmp = dir.join(format!("{prefix}{}.tmp", std::process::id()));
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            // The old file's mode (the umask does not apply, as with an in-place write), and
            // its owner when we may set it (root editing someone's file).
            let mode = old.as_ref().map(|m| m.mode() & 0o7777).unwrap_or(new_mode);
            f.set_permissions(std::fs::Permissions::from_mode(mode))?;
            if let Some(m) = &old {
                let _ = std::os::unix::fs::fchown(&f, Some(m.uid()), Some(m.gid()));
            }
        }
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        Ok(())
    })();
    let result = result.map_err(err).and_then(|()| {
        std::fs::rename(&tmp, &target).map_err(|e| {
            KubeconfigError::Other(format!(
                "rename {} {}: {}",
                tmp.display(),
                target.display(),
                io_text(&e)
            ))
        })
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return result;
    }
    // The rename itself is durable only once the directory is.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
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
        let lock = loaded.lock().unwrap();
        assert!(d.path().join("a.lock").exists() && d.path().join("b.lock").exists());
        assert!(ConfigLock::acquire(std::slice::from_ref(&b)).is_err());
        lock.update(&a, |cfg| {
            cfg.contexts.push(NamedContext {
                name: "y".into(),
                ..Default::default()
            });
            Ok(())
        })
        .unwrap();
        drop(lock);
        assert!(!d.path().join("a.lock").exists() && !d.path().join("b.lock").exists());
        let text = std::fs::read_to_string(&a).unwrap();
        assert!(text.contains("custom: keep"), "{text}");
        assert!(text.contains("name: y"), "{text}");
        assert!(text.contains("kind: Config"), "{text}");
    }

    #[test]
    fn broken_file_is_not_written() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a");
        std::fs::write(&a, "clusters: [\n").unwrap();
        let lock = ConfigLock::acquire(std::slice::from_ref(&a)).unwrap();
        let e = lock.update(&a, |cfg| {
            cfg.clusters.push(Named::default());
            Ok(())
        });
        assert!(e.is_err());
        drop(lock);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "clusters: [\n");
        let leftovers = std::fs::read_dir(d.path()).unwrap().count();
        assert_eq!(leftovers, 1);
    }

    #[test]
    fn missing_file_and_dir_are_created() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join(".kube/config");
        let lock = ConfigLock::acquire(std::slice::from_ref(&a)).unwrap();
        lock.update(&a, |cfg| {
            cfg.current_context = "z".into();
            Ok(())
        })
        .unwrap();
        let back = read_file(&a).unwrap();
        assert_eq!(back.current_context, "z");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&a).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "a new file is private");
        }
    }

    #[test]
    fn a_held_lock_is_kubectls_error_and_is_not_removed() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("config");
        let held = d.path().join("config.lock");
        std::fs::write(&held, "").unwrap();
        let e = ConfigLock::acquire(std::slice::from_ref(&a)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("open {}: file exists", held.display())
        );
        assert!(held.exists(), "someone else's lock stays");
        // A failure on the second file releases the first.
        let z = d.path().join("z");
        std::fs::write(d.path().join("z.lock"), "").unwrap();
        std::fs::remove_file(&held).unwrap();
        assert!(ConfigLock::acquire(&[z, a]).is_err());
        assert!(!held.exists());
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_symlinks_keeping_mode_and_link() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("real")).unwrap();
        let target = d.path().join("real/target");
        std::fs::write(&target, "current-context: a\n").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        // A relative link to a relative link.
        std::os::unix::fs::symlink("real/target", d.path().join("mid")).unwrap();
        let link = d.path().join("link");
        std::os::unix::fs::symlink("mid", &link).unwrap();
        let lock = ConfigLock::acquire(std::slice::from_ref(&link)).unwrap();
        assert!(d.path().join("link.lock").exists());
        lock.update(&link, |c| {
            c.current_context = "b".into();
            Ok(())
        })
        .unwrap();
        drop(lock);
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(read_file(&target).unwrap().current_context, "b");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        let names: Vec<_> = std::fs::read_dir(d.path().join("real"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["target"], "no temporary file left");

        // A dangling link creates its target, mode 0600.
        let dangling = d.path().join("dangling");
        std::os::unix::fs::symlink("real/new", &dangling).unwrap();
        let lock = ConfigLock::acquire(std::slice::from_ref(&dangling)).unwrap();
        lock.update(&dangling, |c| {
            c.current_context = "n".into();
            Ok(())
        })
        .unwrap();
        let mode = std::fs::metadata(d.path().join("real/new"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);

        // A loop is an error, not a hang.
        std::os::unix::fs::symlink("loop2", d.path().join("loop1")).unwrap();
        std::os::unix::fs::symlink("loop1", d.path().join("loop2")).unwrap();
        let looped = d.path().join("loop1");
        let lock = ConfigLock::acquire(std::slice::from_ref(&looped)).unwrap();
        let e = lock.update(&looped, |_| Ok(())).unwrap_err().to_string();
        assert!(e.ends_with("too many levels of symbolic links"), "{e}");
    }

    #[test]
    fn temporary_files_of_dead_writers_are_removed() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("config");
        // No process has pid 0x7fffffff; the other name is not ours to touch.
        let dead = d.path().join(".config.kubectl-rs-2147483647.tmp");
        let foreign = d.path().join(".config.swp");
        std::fs::write(&dead, "half").unwrap();
        std::fs::write(&foreign, "x").unwrap();
        let lock = ConfigLock::acquire(std::slice::from_ref(&a)).unwrap();
        lock.update(&a, |_| Ok(())).unwrap();
        assert!(!dead.exists());
        assert!(foreign.exists());
    }
}

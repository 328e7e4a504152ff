//! The sandbox's entries in the user's kubeconfig: added at start, removed at exit, and never
//! anyone else's.
//!
//! The file is the one kubectl writes new entries to (`$KUBECONFIG`'s first existing file, else
//! its last; else `~/.kube/config`), changed under client-go's lock like every kubeconfig write.
//! The cluster, user and context get one name, `sandbox`, or `sandbox-2`, `sandbox-3`, … when
//! a cluster, user or context of that name exists in any of the files: an entry the sandbox did
//! not create is never replaced. At exit each entry is removed only if it is still the one the
//! sandbox wrote (a context may have had its namespace changed), and the previous
//! current-context comes back only if the sandbox's context is still current.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use serde_yaml_ng::{Mapping, Value as Yaml};

use crate::context::Env;
use crate::kubeconfig::edit::{lock_name, ConfigLock};
use crate::kubeconfig::Loader;
use crate::sandbox::server::SandboxHandle;

/// The name the sandbox's cluster, user and context get when it is free.
pub const BASE_NAME: &str = "sandbox";

/// How many numbered names (`sandbox-2` …) are tried before giving up.
const MAX_SUFFIX: usize = 100;

/// How often a held lock is tried, 50ms apart (the unit tests do not wait).
const LOCK_ATTEMPTS: usize = if cfg!(test) { 1 } else { 100 };

/// The kubeconfig files kubectl would use, from `$KUBECONFIG` and `$HOME`.
pub fn user_loader(env: &Env) -> anyhow::Result<Loader> {
    let env_list = env.get("KUBECONFIG").map(str::to_string);
    let home = env.get("HOME").map(PathBuf::from);
    if env_list.as_deref().is_none_or(str::is_empty) && home.is_none() {
        return Err(anyhow!("HOME is not set"));
    }
    Ok(Loader {
        explicit: None,
        env_list,
        home,
    })
}

/// What [`install`] wrote, so that [`uninstall`] removes exactly that.
#[derive(Clone, Debug, PartialEq)]
pub struct Installed {
    /// The name of the cluster, user and context.
    pub name: String,
    /// The file holding them.
    pub file: PathBuf,
    /// The file whose `current-context` was set (kubectl's choice: the first file that sets
    /// one, else `file`).
    pub current_file: PathBuf,
    /// The current context before (None when unset).
    pub previous_context: Option<String>,
    cluster: Yaml,
    user: Yaml,
    context: Yaml,
}

/// What [`uninstall`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Removed {
    /// Sections (`clusters`, `users`, `contexts`) whose entry was left because someone changed
    /// or replaced it.
    pub kept: Vec<&'static str>,
    /// The current context set back, when the sandbox's was still current.
    pub restored: Option<String>,
}

/// Takes the lock on every file of `loader`, waiting a little for other writers (a kubectl
/// `config` command holds it for milliseconds); after that kubectl's lock error.
fn lock(loader: &Loader) -> anyhow::Result<ConfigLock> {
    let (files, _) = loader.candidates();
    let mut attempts = 0;
    loop {
        match ConfigLock::acquire(&files) {
            Ok(l) => return Ok(l),
            Err(e) => {
                let held = files.iter().any(|f| lock_name(f).exists());
                attempts += 1;
                if !held || attempts >= LOCK_ATTEMPTS {
                    return Err(e.into());
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

fn read_raw(path: &Path) -> anyhow::Result<Mapping> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(anyhow!("reading {}: {e}", path.display())),
    };
    if text.trim().is_empty() {
        let mut m = Mapping::new();
        m.insert("apiVersion".into(), "v1".into());
        m.insert("kind".into(), "Config".into());
        return Ok(m);
    }
    match serde_yaml_ng::from_str::<Yaml>(&text) {
        Ok(Yaml::Mapping(m)) => Ok(m),
        Ok(_) => Err(anyhow!(
            "{} is not a kubeconfig (not a mapping)",
            path.display()
        )),
        Err(e) => Err(anyhow!(
            "error loading config file {:?}: {e}",
            path.display().to_string()
        )),
    }
}

/// Writes `cfg` with kubectl's YAML emitter (as `config set-context` would), keeping every key.
fn write_raw(lock: &ConfigLock, path: &Path, cfg: Mapping) -> anyhow::Result<()> {
    let cfg = Yaml::Mapping(cfg);
    // Keys JSON cannot hold (`true: x`) are not kubectl's to read anyway; keep them as they are.
    let text = match serde_json::to_value(&cfg) {
        Ok(json) => crate::print::yaml::to_yaml_string(&json),
        Err(_) => serde_yaml_ng::to_string(&cfg)?,
    };
    lock.write_text(path, &text)?;
    Ok(())
}

fn section<'a>(cfg: &'a mut Mapping, key: &str) -> &'a mut Vec<Yaml> {
    let slot = cfg.entry(key.into()).or_insert(Yaml::Sequence(Vec::new()));
    if !slot.is_sequence() {
        *slot = Yaml::Sequence(Vec::new());
    }
    match slot {
        Yaml::Sequence(s) => s,
        _ => unreachable!("just made a sequence"),
    }
}

fn entry(name: &str, key: &str, body: Yaml) -> Yaml {
    let mut m = Mapping::new();
    m.insert(key.into(), body);
    m.insert("name".into(), name.into());
    Yaml::Mapping(m)
}

fn name_of(e: &Yaml) -> Option<&str> {
    e.get("name").and_then(Yaml::as_str)
}

/// Whether `found` is still what the sandbox wrote (for a context, whatever its namespace).
fn still_ours(section: &str, found: &Yaml, ours: &Yaml) -> bool {
    if section != "contexts" {
        return found == ours;
    }
    let strip = |e: &Yaml| {
        let mut e = e.clone();
        if let Some(Yaml::Mapping(c)) = e.get_mut("context") {
            c.remove("namespace");
        }
        e
    };
    strip(found) == strip(ours)
}

/// Adds the sandbox's cluster, user and context under a free name and makes the context
/// current (see the module comment).
pub fn install(handle: &SandboxHandle, loader: &Loader) -> anyhow::Result<Installed> {
    let standalone: Yaml = serde_yaml_ng::from_str(&handle.kubeconfig_yaml())?;
    let body = |section: &str, key: &str| standalone[section][0][key].clone();
    let lock = lock(loader)?;
    // Read again under the lock: names taken a moment ago by another writer count too.
    let loaded = loader.load()?;
    let m = &loaded.merged;
    let taken = |n: &str| m.cluster(n).is_some() || m.user(n).is_some() || m.context(n).is_some();
    let name = std::iter::once(BASE_NAME.to_string())
        .chain((2..=MAX_SUFFIX).map(|i| format!("{BASE_NAME}-{i}")))
        .find(|n| !taken(n))
        .ok_or_else(|| {
            anyhow!(
                "every name from {BASE_NAME:?} to \"{BASE_NAME}-{MAX_SUFFIX}\" is taken by a cluster, user or context in {}; not changing it (use --kubeconfig-out FILE)",
                loaded.default_file.display()
            )
        })?;
    let mut ctx = Mapping::new();
    ctx.insert("cluster".into(), name.as_str().into());
    ctx.insert("user".into(), name.as_str().into());
    let inst = Installed {
        cluster: entry(&name, "cluster", body("clusters", "cluster")),
        user: entry(&name, "user", body("users", "user")),
        context: entry(&name, "context", Yaml::Mapping(ctx)),
        file: loaded.default_file.clone(),
        current_file: loaded.file_for_current_context(),
        previous_context: Some(m.current_context.clone()).filter(|c| !c.is_empty()),
        name,
    };
    let mut cfg = read_raw(&inst.file)?;
    section(&mut cfg, "clusters").push(inst.cluster.clone());
    section(&mut cfg, "contexts").push(inst.context.clone());
    section(&mut cfg, "users").push(inst.user.clone());
    let current: Yaml = inst.name.as_str().into();
    if inst.current_file == inst.file {
        cfg.insert("current-context".into(), current);
        write_raw(&lock, &inst.file, cfg)?;
    } else {
        write_raw(&lock, &inst.file, cfg)?;
        let mut other = read_raw(&inst.current_file)?;
        other.insert("current-context".into(), current);
        write_raw(&lock, &inst.current_file, other)?;
    }
    Ok(inst)
}

/// Removes what [`install`] added, where it is still what was written, and puts the previous
/// current context back if the sandbox's is still current.
pub fn uninstall(inst: &Installed, loader: &Loader) -> anyhow::Result<Removed> {
    let lock = lock(loader)?;
    let mut removed = Removed::default();
    let mut cfg = read_raw(&inst.file)
        .with_context(|| format!("removing {:?} from {}", inst.name, inst.file.display()))?;
    let mut changed = false;
    for (key, ours) in [
        ("clusters", &inst.cluster),
        ("contexts", &inst.context),
        ("users", &inst.user),
    ] {
        let Some(Yaml::Sequence(list)) = cfg.get_mut(key) else {
            continue;
        };
        let before = list.len();
        list.retain(|e| name_of(e) != Some(&inst.name) || !still_ours(key, e, ours));
        changed |= list.len() != before;
        if list.iter().any(|e| name_of(e) == Some(&inst.name)) {
            removed.kept.push(key);
        }
    }
    let restore = |c: &mut Mapping| -> Option<Option<String>> {
        if c.get("current-context").and_then(Yaml::as_str) != Some(inst.name.as_str()) {
            return None;
        }
        match &inst.previous_context {
            Some(p) => c.insert("current-context".into(), p.as_str().into()),
            None => c.remove("current-context"),
        };
        Some(inst.previous_context.clone())
    };
    if inst.current_file == inst.file {
        if let Some(prev) = restore(&mut cfg) {
            removed.restored = prev;
            changed = true;
        }
        if changed {
            write_raw(&lock, &inst.file, cfg)?;
        }
    } else {
        if changed {
            write_raw(&lock, &inst.file, cfg)?;
        }
        let mut other = read_raw(&inst.current_file)?;
        if let Some(prev) = restore(&mut other) {
            removed.restored = prev;
            write_raw(&lock, &inst.current_file, other)?;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::{start, SandboxOptions};

    fn loader_for(files: &[&Path]) -> Loader {
        Loader {
            env_list: Some(
                std::env::join_paths(files)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            ),
            ..Default::default()
        }
    }

    fn yaml(path: &Path) -> Yaml {
        serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    const MINE: &str = "apiVersion: v1\nkind: Config\nclusters:\n- name: sandbox\n  cluster:\n    server: https://mine\ncontexts:\n- name: sandbox\n  context:\n    cluster: sandbox\n    user: sandbox\n- name: sandbox-2\n  context:\n    cluster: x\ncurrent-context: sandbox\nusers:\n- name: other\n  user:\n    token: t\n";

    #[tokio::test]
    async fn takes_a_free_name_and_gives_back_only_its_own() {
        let h = start(SandboxOptions::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, MINE).unwrap();
        let l = loader_for(&[&path]);
        let inst = install(&h, &l).unwrap();
        // "sandbox" and "sandbox-2" are the user's (a context is enough to take a name).
        assert_eq!(inst.name, "sandbox-3");
        assert_eq!(inst.previous_context.as_deref(), Some("sandbox"));
        let cfg = yaml(&path);
        assert_eq!(cfg["current-context"], Yaml::from("sandbox-3"));
        assert_eq!(cfg["clusters"][0]["cluster"]["server"], "https://mine");
        assert_eq!(cfg["clusters"][1]["cluster"]["server"], h.server_url());
        assert_eq!(cfg["contexts"][2]["context"]["user"], "sandbox-3");
        assert!(!dir.path().join("config.lock").exists());

        uninstall(&inst, &l).unwrap();
        assert_eq!(yaml(&path), serde_yaml_ng::from_str::<Yaml>(MINE).unwrap());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no lock or temporary file left"
        );
        h.shutdown().await;
    }

    #[tokio::test]
    async fn entries_changed_by_someone_else_are_left() {
        let h = start(SandboxOptions::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config");
        let l = loader_for(&[&path]);
        let inst = install(&h, &l).unwrap();
        assert_eq!(inst.name, "sandbox");
        assert_eq!(inst.previous_context, None);
        // Meanwhile: a namespace on the context (still ours), a new server for the cluster
        // (not ours any more), the user deleted, another context made current.
        let mut cfg = yaml(&path);
        cfg["contexts"][0]["context"]["namespace"] = "team".into();
        cfg["clusters"][0]["cluster"]["server"] = "https://elsewhere".into();
        cfg["users"] = Yaml::Sequence(vec![]);
        cfg["current-context"] = "theirs".into();
        std::fs::write(&path, serde_yaml_ng::to_string(&cfg).unwrap()).unwrap();
        let r = uninstall(&inst, &l).unwrap();
        assert_eq!(r.kept, ["clusters"]);
        assert_eq!(r.restored, None);
        let after = yaml(&path);
        assert_eq!(
            after["clusters"][0]["cluster"]["server"],
            "https://elsewhere"
        );
        assert_eq!(after["contexts"].as_sequence().unwrap().len(), 0);
        assert_eq!(after["current-context"], "theirs");
        h.shutdown().await;
    }

    #[tokio::test]
    async fn current_context_goes_where_kubectl_puts_it() {
        let h = start(SandboxOptions::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::write(
            &a,
            "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: t}\n",
        )
        .unwrap();
        std::fs::write(
            &b,
            "apiVersion: v1\nkind: Config\ncurrent-context: theirs\n",
        )
        .unwrap();
        // A held lock on any file of the list is waited for, then reported as kubectl does.
        let held = dir.path().join("b.lock");
        std::fs::write(&held, "").unwrap();
        let l = loader_for(&[&a, &b]);
        let e = install(&h, &l).unwrap_err().to_string();
        assert_eq!(e, format!("open {}: file exists", held.display()));
        std::fs::remove_file(&held).unwrap();

        let inst = install(&h, &l).unwrap();
        assert_eq!(
            (inst.file.as_path(), inst.current_file.as_path()),
            (a.as_path(), b.as_path())
        );
        assert_eq!(yaml(&b)["current-context"], "sandbox");
        assert!(yaml(&a).get("current-context").is_none());
        let r = uninstall(&inst, &l).unwrap();
        assert_eq!(r.restored.as_deref(), Some("theirs"));
        assert_eq!(yaml(&b)["current-context"], "theirs");
        // Written as kubectl writes (sorted keys, its quoting), every key kept.
        assert_eq!(
            std::fs::read_to_string(&b).unwrap(),
            "apiVersion: v1\ncurrent-context: theirs\nkind: Config\n"
        );
        assert_eq!(yaml(&a)["clusters"].as_sequence().unwrap().len(), 0);
        h.shutdown().await;
    }
}

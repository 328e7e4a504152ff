//! A container's virtual filesystem: an in-memory tree for the container's own files, with
//! volume trees mounted at their paths (an `emptyDir` tree is shared by every container of
//! the pod that mounts it; ConfigMap, Secret, downwardAPI and projected volumes are read-only).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// One tree of files: path (relative to the tree's root, "" for the root) → entry.
#[derive(Default, Debug)]
pub struct Tree {
    entries: BTreeMap<String, Entry>,
}

#[derive(Clone, Debug)]
pub enum Entry {
    Dir,
    File(Vec<u8>),
}

pub type SharedTree = Arc<Mutex<Tree>>;

impl Tree {
    pub fn shared() -> SharedTree {
        let mut t = Tree::default();
        t.entries.insert(String::new(), Entry::Dir);
        Arc::new(Mutex::new(t))
    }

    /// Adds a file, creating its parent directories.
    pub fn put(&mut self, rel: &str, data: Vec<u8>) {
        let rel = rel.trim_matches('/');
        let mut acc = String::new();
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
        for p in parts.iter().take(parts.len().saturating_sub(1)) {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(p);
            self.entries.entry(acc.clone()).or_insert(Entry::Dir);
        }
        self.entries.insert(rel.to_string(), Entry::File(data));
    }

    /// Removes one file (its directories stay).
    pub fn remove_file(&mut self, rel: &str) -> Option<Entry> {
        self.entries.remove(rel.trim_matches('/'))
    }
}

/// Why a file operation failed, worded as busybox words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    IsDir,
    NotDir,
    ReadOnly,
    Exists,
    NotEmpty,
}

impl FsError {
    pub fn text(self) -> &'static str {
        match self {
            FsError::NotFound => "No such file or directory",
            FsError::IsDir => "Is a directory",
            FsError::NotDir => "Not a directory",
            FsError::ReadOnly => "Read-only file system",
            FsError::Exists => "File exists",
            FsError::NotEmpty => "Directory not empty",
        }
    }
}

struct Mount {
    path: String,
    tree: SharedTree,
    read_only: bool,
}

/// The filesystem one container sees.
#[derive(Clone)]
pub struct Vfs {
    mounts: Arc<Vec<Mount>>,
}

/// Normalizes an absolute path: no `.`/`..`/empty components, no trailing slash ("/" stays).
pub fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    format!("/{}", out.join("/"))
}

impl Vfs {
    /// A filesystem of `root` with `mounts` (absolute path, tree, read-only).
    pub fn new(root: SharedTree, mounts: Vec<(String, SharedTree, bool)>) -> Vfs {
        let mut all = vec![Mount {
            path: "/".into(),
            tree: root,
            read_only: false,
        }];
        for (path, tree, read_only) in mounts {
            all.push(Mount {
                path: normalize(&path),
                tree,
                read_only,
            });
        }
        // Longest mount path first, so lookups find the innermost mount.
        all.sort_by_key(|m| std::cmp::Reverse(m.path.len()));
        Vfs {
            mounts: Arc::new(all),
        }
    }

    fn locate(&self, path: &str) -> (&Mount, String) {
        let path = normalize(path);
        for m in self.mounts.iter() {
            if m.path == "/" {
                return (m, path.trim_start_matches('/').to_string());
            }
            if path == m.path {
                return (m, String::new());
            }
            if let Some(rest) = path.strip_prefix(&m.path) {
                if let Some(rest) = rest.strip_prefix('/') {
                    return (m, rest.to_string());
                }
            }
        }
        unreachable!("the root mount matches every path")
    }

    /// Whether `path` is a mount point (always a directory).
    fn is_mount_point(&self, path: &str) -> bool {
        let p = normalize(path);
        self.mounts.iter().any(|m| m.path == p)
    }

    pub fn stat(&self, path: &str) -> Option<Entry> {
        if self.is_mount_point(path) {
            return Some(Entry::Dir);
        }
        let (m, rel) = self.locate(path);
        let t = m.tree.lock().unwrap_or_else(|e| e.into_inner());
        match t.entries.get(&rel) {
            Some(Entry::Dir) => Some(Entry::Dir),
            Some(Entry::File(d)) => Some(Entry::File(d.clone())),
            None => None,
        }
    }

    pub fn is_dir(&self, path: &str) -> bool {
        matches!(self.stat(path), Some(Entry::Dir))
    }

    pub fn read(&self, path: &str) -> Result<Vec<u8>, FsError> {
        match self.stat(path) {
            Some(Entry::File(d)) => Ok(d),
            Some(Entry::Dir) => Err(FsError::IsDir),
            None => Err(FsError::NotFound),
        }
    }

    fn parent_ok(&self, path: &str) -> Result<(), FsError> {
        let p = normalize(path);
        let parent = match p.rfind('/') {
            Some(0) | None => "/".to_string(),
            Some(i) => p[..i].to_string(),
        };
        match self.stat(&parent) {
            Some(Entry::Dir) => Ok(()),
            Some(Entry::File(_)) => Err(FsError::NotDir),
            None => Err(FsError::NotFound),
        }
    }

    /// Writes (or appends to) a file; its directory must exist.
    pub fn write(&self, path: &str, data: &[u8], append: bool) -> Result<(), FsError> {
        if self.is_mount_point(path) {
            return Err(FsError::IsDir);
        }
        self.parent_ok(path)?;
        let (m, rel) = self.locate(path);
        if m.read_only {
            return Err(FsError::ReadOnly);
        }
        let mut t = m.tree.lock().unwrap_or_else(|e| e.into_inner());
        match t.entries.get_mut(&rel) {
            Some(Entry::Dir) => Err(FsError::IsDir),
            Some(Entry::File(d)) => {
                if !append {
                    d.clear();
                }
                d.extend_from_slice(data);
                Ok(())
            }
            None => {
                t.entries.insert(rel, Entry::File(data.to_vec()));
                Ok(())
            }
        }
    }

    pub fn mkdir(&self, path: &str, parents: bool) -> Result<(), FsError> {
        let p = normalize(path);
        if parents {
            let mut acc = String::new();
            for part in p.split('/').filter(|s| !s.is_empty()) {
                acc.push('/');
                acc.push_str(part);
                match self.stat(&acc) {
                    Some(Entry::Dir) => {}
                    Some(Entry::File(_)) => return Err(FsError::NotDir),
                    None => self.mkdir(&acc, false)?,
                }
            }
            return Ok(());
        }
        if self.stat(&p).is_some() {
            return Err(FsError::Exists);
        }
        self.parent_ok(&p)?;
        let (m, rel) = self.locate(&p);
        if m.read_only {
            return Err(FsError::ReadOnly);
        }
        let mut t = m.tree.lock().unwrap_or_else(|e| e.into_inner());
        t.entries.insert(rel, Entry::Dir);
        Ok(())
    }

    /// Removes a file, or a directory (with its contents when `recursive`).
    pub fn remove(&self, path: &str, recursive: bool) -> Result<(), FsError> {
        if self.is_mount_point(path) {
            return Err(FsError::ReadOnly);
        }
        let (m, rel) = self.locate(path);
        let mut t = m.tree.lock().unwrap_or_else(|e| e.into_inner());
        match t.entries.get(&rel) {
            None => Err(FsError::NotFound),
            Some(_) if m.read_only => Err(FsError::ReadOnly),
            Some(Entry::File(_)) => {
                t.entries.remove(&rel);
                Ok(())
            }
            Some(Entry::Dir) => {
                let prefix = format!("{rel}/");
                let has_children = t.entries.keys().any(|k| k.starts_with(&prefix));
                if has_children && !recursive {
                    return Err(FsError::NotEmpty);
                }
                t.entries
                    .retain(|k, _| k != &rel && !k.starts_with(&prefix));
                Ok(())
            }
        }
    }

    /// The names in a directory, sorted.
    pub fn list(&self, path: &str) -> Result<Vec<String>, FsError> {
        let p = normalize(path);
        match self.stat(&p) {
            None => return Err(FsError::NotFound),
            Some(Entry::File(_)) => return Err(FsError::NotDir),
            Some(Entry::Dir) => {}
        }
        let mut names = std::collections::BTreeSet::new();
        let (m, rel) = self.locate(&p);
        {
            let t = m.tree.lock().unwrap_or_else(|e| e.into_inner());
            let prefix = if rel.is_empty() {
                String::new()
            } else {
                format!("{rel}/")
            };
            for k in t.entries.keys() {
                if k.is_empty() {
                    continue;
                }
                if let Some(rest) = k.strip_prefix(&prefix) {
                    if !rest.is_empty() && !rest.contains('/') {
                        names.insert(rest.to_string());
                    }
                }
            }
        }
        // Mount points directly under this directory.
        let dir_prefix = if p == "/" {
            "/".to_string()
        } else {
            format!("{p}/")
        };
        for m in self.mounts.iter() {
            if let Some(rest) = m.path.strip_prefix(&dir_prefix) {
                if !rest.is_empty() && !rest.contains('/') {
                    names.insert(rest.to_string());
                }
            }
        }
        Ok(names.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_shadow_the_root_and_read_only_mounts_refuse_writes() {
        let root = Tree::shared();
        root.lock().unwrap().put("etc/hostname", b"web\n".to_vec());
        let cm = Tree::shared();
        cm.lock().unwrap().put("key", b"value".to_vec());
        let shared = Tree::shared();
        let fs = Vfs::new(
            root,
            vec![
                ("/config".into(), cm, true),
                ("/data".into(), shared.clone(), false),
            ],
        );
        assert_eq!(fs.read("/etc/hostname").unwrap(), b"web\n");
        assert_eq!(fs.read("/config/key").unwrap(), b"value");
        assert_eq!(fs.write("/config/x", b"1", false), Err(FsError::ReadOnly));
        fs.write("/data/f", b"a", false).unwrap();
        fs.write("/data/f", b"b", true).unwrap();
        // A second container sees the same emptyDir.
        let other = Vfs::new(Tree::shared(), vec![("/mnt".into(), shared, false)]);
        assert_eq!(other.read("/mnt/f").unwrap(), b"ab");
        assert_eq!(fs.list("/").unwrap(), ["config", "data", "etc"]);
        assert_eq!(fs.write("/nope/f", b"", false), Err(FsError::NotFound));
        fs.mkdir("/a/b/c", true).unwrap();
        assert!(fs.is_dir("/a/b"));
        assert_eq!(fs.remove("/a", false), Err(FsError::NotEmpty));
        fs.remove("/a", true).unwrap();
        assert!(fs.stat("/a/b/c").is_none());
        assert_eq!(normalize("/x/../y/./z/"), "/y/z");
    }
}

//! A container's virtual filesystem: an in-memory tree for the container's own files, with
//! volume trees mounted at their paths (an `emptyDir` tree is shared by every container of
//! the pod that mounts it; ConfigMap, Secret, downwardAPI and projected volumes are read-only).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// What fills a tree until its first change (see [`Tree::seeded`]).
type Seed = Box<dyn Fn(&mut Tree) + Send>;

/// One tree of files: path (relative to the tree's root, "" for the root) → entry.
#[derive(Default)]
pub struct Tree {
    entries: BTreeMap<String, Entry>,
    /// The files the tree starts with, made into entries at its first change: a container's
    /// root is ~2 KB as entries, and most containers never touch it.
    seed: Option<Seed>,
}

impl std::fmt::Debug for Tree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tree")
            .field("entries", &self.view())
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    Dir,
    File(Vec<u8>),
}

pub type SharedTree = Arc<Mutex<Tree>>;

fn lock(tree: &SharedTree) -> MutexGuard<'_, Tree> {
    tree.lock().unwrap_or_else(|e| e.into_inner())
}

impl Tree {
    /// A tree with only its root directory.
    pub fn empty_dir() -> Tree {
        let mut t = Tree::default();
        t.entries.insert(String::new(), Entry::Dir);
        t
    }

    pub fn shared() -> SharedTree {
        Arc::new(Mutex::new(Tree::empty_dir()))
    }

    /// A tree holding what `seed` puts in an empty one, built again at each read until the
    /// first change (`seed` must put the same files each time).
    pub fn seeded(seed: impl Fn(&mut Tree) + Send + 'static) -> SharedTree {
        Arc::new(Mutex::new(Tree {
            entries: BTreeMap::new(),
            seed: Some(Box::new(seed)),
        }))
    }

    /// The entries, made from the seed when the tree has not changed yet.
    fn view(&self) -> Cow<'_, BTreeMap<String, Entry>> {
        match &self.seed {
            None => Cow::Borrowed(&self.entries),
            Some(seed) => {
                let mut t = Tree::empty_dir();
                seed(&mut t);
                Cow::Owned(t.entries)
            }
        }
    }

    /// The entries, to change them (the seed's files made into entries first).
    fn entries_mut(&mut self) -> &mut BTreeMap<String, Entry> {
        if self.seed.is_some() {
            self.entries = self.view().into_owned();
            self.seed = None;
        }
        &mut self.entries
    }

    /// Adds a file, creating its parent directories.
    pub fn put(&mut self, rel: &str, data: Vec<u8>) {
        let entries = self.entries_mut();
        let rel = rel.trim_matches('/');
        let mut acc = String::new();
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
        for p in parts.iter().take(parts.len().saturating_sub(1)) {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(p);
            entries.entry(acc.clone()).or_insert(Entry::Dir);
        }
        entries.insert(rel.to_string(), Entry::File(data));
    }

    /// Removes one file (its directories stay).
    pub fn remove_file(&mut self, rel: &str) -> Option<Entry> {
        self.entries_mut().remove(rel.trim_matches('/'))
    }
}

/// Read-only volume trees by their files: the containers whose volumes hold the same files
/// (a namespace's service-account token, `ca.crt` and `namespace`) share one tree.
#[derive(Default)]
pub struct ReadOnlyTrees {
    trees: HashMap<u64, Vec<Weak<Mutex<Tree>>>>,
    /// How many keys there were after the last sweep of the trees no container holds.
    swept: usize,
}

impl ReadOnlyTrees {
    /// `tree`, or an equal one some container already holds. The tree must never change
    /// after this (it is mounted read-only).
    pub fn share(&mut self, tree: Tree) -> SharedTree {
        let entries = tree.view();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        entries.hash(&mut h);
        let key = h.finish();
        if self.trees.len() > 2 * self.swept.max(64) {
            self.trees.retain(|_, ts| {
                ts.retain(|t| t.strong_count() > 0);
                !ts.is_empty()
            });
            self.swept = self.trees.len();
        }
        let same = self.trees.entry(key).or_default();
        same.retain(|t| t.strong_count() > 0);
        for t in same.iter().filter_map(Weak::upgrade) {
            if *lock(&t).view() == *entries {
                return t;
            }
        }
        drop(entries);
        let t = Arc::new(Mutex::new(tree));
        same.push(Arc::downgrade(&t));
        t
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
        let t = lock(&m.tree);
        match t.view().get(&rel) {
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
        let mut t = lock(&m.tree);
        let entries = t.entries_mut();
        match entries.get_mut(&rel) {
            Some(Entry::Dir) => Err(FsError::IsDir),
            Some(Entry::File(d)) => {
                if !append {
                    d.clear();
                }
                d.extend_from_slice(data);
                Ok(())
            }
            None => {
                entries.insert(rel, Entry::File(data.to_vec()));
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
        lock(&m.tree).entries_mut().insert(rel, Entry::Dir);
        Ok(())
    }

    /// Removes a file, or a directory (with its contents when `recursive`).
    pub fn remove(&self, path: &str, recursive: bool) -> Result<(), FsError> {
        if self.is_mount_point(path) {
            return Err(FsError::ReadOnly);
        }
        let (m, rel) = self.locate(path);
        let mut t = lock(&m.tree);
        match t.view().get(&rel) {
            None => return Err(FsError::NotFound),
            Some(_) if m.read_only => return Err(FsError::ReadOnly),
            _ => {}
        }
        let entries = t.entries_mut();
        match entries.get(&rel) {
            None => Err(FsError::NotFound),
            Some(Entry::File(_)) => {
                entries.remove(&rel);
                Ok(())
            }
            Some(Entry::Dir) => {
                let prefix = format!("{rel}/");
                let has_children = entries.keys().any(|k| k.starts_with(&prefix));
                if has_children && !recursive {
                    return Err(FsError::NotEmpty);
                }
                entries.retain(|k, _| k != &rel && !k.starts_with(&prefix));
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
            let t = lock(&m.tree);
            let prefix = if rel.is_empty() {
                String::new()
            } else {
                format!("{rel}/")
            };
            for k in t.view().keys() {
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

    #[test]
    fn a_seeded_tree_reads_its_seed_until_its_first_change() {
        let root = Tree::seeded(|t| t.put("etc/hostname", b"web\n".to_vec()));
        let fs = Vfs::new(root.clone(), Vec::new());
        assert_eq!(fs.read("/etc/hostname").unwrap(), b"web\n");
        assert_eq!(fs.list("/").unwrap(), ["etc"]);
        assert!(root.lock().unwrap().seed.is_some());
        fs.write("/etc/motd", b"hi", false).unwrap();
        assert!(root.lock().unwrap().seed.is_none());
        assert_eq!(fs.list("/etc").unwrap(), ["hostname", "motd"]);
        fs.remove("/etc/hostname", false).unwrap();
        assert_eq!(fs.read("/etc/hostname"), Err(FsError::NotFound));
    }

    #[test]
    fn equal_read_only_trees_are_shared() {
        let tree = |v: &[u8]| {
            let mut t = Tree::empty_dir();
            t.put("token", v.to_vec());
            t
        };
        let mut ro = ReadOnlyTrees::default();
        let a = ro.share(tree(b"x"));
        let b = ro.share(tree(b"x"));
        let c = ro.share(tree(b"y"));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        // A tree no container holds any more is not handed out again.
        let weak = Arc::downgrade(&c);
        drop(c);
        assert!(weak.upgrade().is_none());
        let d = ro.share(tree(b"y"));
        assert_eq!(
            Vfs::new(Tree::shared(), vec![("/v".into(), d, true)])
                .read("/v/token")
                .unwrap(),
            b"y"
        );
    }
}

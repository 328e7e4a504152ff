//! Durable state for `sandbox --data-dir DIR`: every object, and the cluster's resourceVersion,
//! in an embedded redb database (`DIR/state.redb`), as etcd holds them for kube-apiserver.
//!
//! The store commits each write here (one transaction, fsynced) before it changes its memory
//! and before the response is sent, so a `kill -9` loses nothing that was acknowledged. On
//! restart the store loads everything back: objects keep their uid, creationTimestamp and
//! resourceVersion, and new resourceVersions continue after the last one written.
//!
//! The files beside the database (certificates, token, kubeconfig) are written atomically by
//! [`write_atomic`].

use std::io::Write as _;
use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;

use crate::store::GroupResource;

/// Objects by `group \0 resource \0 namespace \0 name`, as JSON.
const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("objects");
/// `format` (the layout version below) and `rv` (the last resourceVersion handed out).
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// The layout of the tables. A data dir written with another layout is refused, not guessed at.
pub const FORMAT: u64 = 1;
/// The database file inside the data dir.
pub const DB_FILE: &str = "state.redb";

/// An open data dir's database.
pub struct Persist {
    db: Database,
    file: PathBuf,
}

/// What a data dir held when it was opened.
pub struct Loaded {
    /// The last resourceVersion handed out (0 for a new data dir).
    pub rv: u64,
    /// Every stored object.
    pub objects: Vec<(GroupResource, Value)>,
}

fn key(gr: &GroupResource, ns: &str, name: &str) -> String {
    format!("{}\0{}\0{}\0{}", gr.group, gr.resource, ns, name)
}

impl Persist {
    /// Opens (or creates) the database in `dir` and reads it whole. A file from another
    /// version, a corrupt file or a data dir in use by another sandbox is a clear error.
    pub fn open(dir: &Path) -> anyhow::Result<(Persist, Loaded)> {
        // Private: the database holds Secrets and the directory the cluster's keys.
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            builder.mode(0o700);
        }
        builder
            .create(dir)
            .map_err(|e| anyhow::anyhow!("cannot create data dir {}: {e}", dir.display()))?;
        let file = dir.join(DB_FILE);
        // redb reports a damaged file as an error when asked to check it on open; a panic
        // inside it would still be a bug of ours to report, never a crash of the sandbox.
        let opened = std::panic::catch_unwind(|| {
            Database::builder()
                .set_check_integrity_on_open(true)
                .create(&file)
        });
        let db = match opened {
            Ok(Ok(db)) => db,
            Ok(Err(e)) => return Err(open_error(&file, e)),
            Err(_) => return Err(corrupt(&file, "the database could not be read")),
        };
        let p = Persist { db, file };
        let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.load()))
            .unwrap_or_else(|_| Err(corrupt(&p.file, "the database could not be read")))?;
        Ok((p, loaded))
    }

    fn load(&self) -> anyhow::Result<Loaded> {
        let io = |e: redb::Error| corrupt(&self.file, &e.to_string());
        // A new file gets its tables and format first.
        let tx = self.db.begin_write().map_err(|e| io(e.into()))?;
        let format = {
            let mut meta = tx.open_table(META).map_err(|e| io(e.into()))?;
            let format = meta
                .get("format")
                .map_err(|e| io(e.into()))?
                .map(|v| v.value());
            let fresh = format.is_none();
            if fresh {
                meta.insert("format", FORMAT).map_err(|e| io(e.into()))?;
            }
            drop(meta);
            tx.open_table(OBJECTS).map_err(|e| io(e.into()))?;
            format
        };
        tx.commit().map_err(|e| io(e.into()))?;
        if let Some(f) = format.filter(|f| *f != FORMAT) {
            anyhow::bail!(
                "data dir {} was written by an incompatible version of kubectl-rs (storage format {f}; this version reads format {FORMAT})",
                dir_of(&self.file).display()
            );
        }
        let rx = self.db.begin_read().map_err(|e| io(e.into()))?;
        let meta = rx.open_table(META).map_err(|e| io(e.into()))?;
        let rv = meta
            .get("rv")
            .map_err(|e| io(e.into()))?
            .map(|v| v.value())
            .unwrap_or(0);
        let table = rx.open_table(OBJECTS).map_err(|e| io(e.into()))?;
        let mut objects = Vec::new();
        for entry in table.iter().map_err(|e| io(e.into()))? {
            let (k, v) = entry.map_err(|e| io(e.into()))?;
            let k = k.value();
            let parts: Vec<&str> = k.split('\0').collect();
            let [group, resource, _, _] = parts[..] else {
                return Err(corrupt(&self.file, &format!("bad key {k:?}")));
            };
            let obj: Value = serde_json::from_slice(v.value())
                .map_err(|e| corrupt(&self.file, &format!("object {k:?}: {e}")))?;
            objects.push((GroupResource::new(group, resource), obj));
        }
        Ok(Loaded { rv, objects })
    }

    /// Commits one write durably: the object's new state (`None`: removed) and the
    /// resourceVersion. Returns once it is on disk.
    pub fn commit(
        &self,
        rv: u64,
        gr: &GroupResource,
        ns: &str,
        name: &str,
        obj: Option<&[u8]>,
    ) -> Result<(), String> {
        let run = || -> Result<(), redb::Error> {
            let tx = self.db.begin_write()?;
            {
                let mut objects = tx.open_table(OBJECTS)?;
                let k = key(gr, ns, name);
                match obj {
                    Some(bytes) => {
                        objects.insert(k.as_str(), bytes)?;
                    }
                    None => {
                        objects.remove(k.as_str())?;
                    }
                }
                tx.open_table(META)?.insert("rv", rv)?;
            }
            tx.commit()?;
            Ok(())
        };
        run().map_err(|e| format!("writing {}: {e}", self.file.display()))
    }
}

fn dir_of(file: &Path) -> &Path {
    file.parent().unwrap_or(Path::new("."))
}

fn corrupt(file: &Path, detail: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "data dir {}: {} is corrupt or not a kubectl-rs sandbox database ({detail}); move it away to start an empty cluster",
        dir_of(file).display(),
        file.display()
    )
}

fn open_error(file: &Path, e: redb::DatabaseError) -> anyhow::Error {
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen => anyhow::anyhow!(
            "data dir {} is in use by another sandbox",
            dir_of(file).display()
        ),
        redb::DatabaseError::UpgradeRequired(v) => anyhow::anyhow!(
            "data dir {} was written by an incompatible version of kubectl-rs (database file format {v})",
            dir_of(file).display()
        ),
        redb::DatabaseError::Storage(redb::StorageError::Io(io))
            if io.kind() != std::io::ErrorKind::InvalidData =>
        {
            anyhow::anyhow!("cannot open {}: {io}", file.display())
        }
        other => corrupt(file, &other.to_string()),
    }
}

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one: a
/// temporary file beside it, fsync, rename, then the directory synced. A new file gets `mode`.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = dir_of(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        // The rename itself is durable once the directory is.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods() -> GroupResource {
        GroupResource::new("", "pods")
    }

    #[test]
    fn commits_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (p, loaded) = Persist::open(dir.path()).unwrap();
            assert_eq!((loaded.rv, loaded.objects.len()), (0, 0));
            p.commit(5, &pods(), "a", "p", Some(br#"{"metadata":{"name":"p"}}"#))
                .unwrap();
            p.commit(6, &pods(), "a", "q", Some(b"{}")).unwrap();
            p.commit(7, &pods(), "a", "q", None).unwrap();
        }
        let (_, loaded) = Persist::open(dir.path()).unwrap();
        assert_eq!(loaded.rv, 7);
        assert_eq!(loaded.objects.len(), 1);
        assert_eq!(loaded.objects[0].0, pods());
        assert_eq!(loaded.objects[0].1["metadata"]["name"], "p");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_data_dir_is_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("new/data");
        Persist::open(&dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn a_second_sandbox_on_the_same_dir_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Persist::open(dir.path()).unwrap();
        let err = Persist::open(dir.path()).err().unwrap().to_string();
        assert!(err.contains("is in use by another sandbox"), "{err}");
    }

    #[test]
    fn garbage_and_truncated_files_are_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(DB_FILE),
            b"not a database at all".repeat(100),
        )
        .unwrap();
        let err = Persist::open(dir.path()).err().unwrap().to_string();
        assert!(
            err.contains("is corrupt or not a kubectl-rs sandbox database"),
            "{err}"
        );

        let dir = tempfile::tempdir().unwrap();
        {
            let (p, _) = Persist::open(dir.path()).unwrap();
            for i in 0..50 {
                p.commit(i + 2, &pods(), "a", &format!("p{i}"), Some(&[b'x'; 2000]))
                    .unwrap();
            }
        }
        let file = dir.path().join(DB_FILE);
        let mut bytes = std::fs::read(&file).unwrap();
        // Scribble over the middle of the file (the tree pages), keeping the header.
        let mid = bytes.len() / 2;
        for b in &mut bytes[mid..mid + 4096] {
            *b = 0xa5;
        }
        std::fs::write(&file, &bytes).unwrap();
        let err = Persist::open(dir.path()).err().unwrap().to_string();
        assert!(err.contains("is corrupt"), "{err}");
    }

    #[test]
    fn another_format_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (p, _) = Persist::open(dir.path()).unwrap();
            let tx = p.db.begin_write().unwrap();
            tx.open_table(META).unwrap().insert("format", 99).unwrap();
            tx.commit().unwrap();
        }
        let err = Persist::open(dir.path()).err().unwrap().to_string();
        assert!(
            err.contains("incompatible version of kubectl-rs (storage format 99; this version reads format 1)"),
            "{err}"
        );
    }

    #[test]
    fn atomic_write_replaces_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("kubeconfig");
        write_atomic(&f, b"one", 0o600).unwrap();
        write_atomic(&f, b"two", 0o600).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
    }
}

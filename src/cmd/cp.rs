//! `kubectl-rs cp <file-spec-src> <file-spec-dest>`: kubectl's tar-over-exec copy. To a pod:
//! `test -d DEST` decides whether DEST is a directory, then a tar of the local files is
//! streamed into `tar -xmf - -C DIR`. From a pod: `tar cf - SRC` (or, with `--retries`,
//! `sh -c "tar cf - 'SRC' | tail -c+N"`), unpacked locally with kubectl's protections:
//! members outside the destination are skipped with its warning, symlinks are not created.

use std::io::Write;
use std::path::Path;

use kcore::tar::{self, Entry, Kind};
use serde_json::Value;

use crate::client::remotecommand::Ended;
use crate::client::{ApiRequest, ResourcePath};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;
use crate::ops::pods;
use kcore::gopath::clean;

pub const CP_EXAMPLES: &str = r#"Examples:
  # !!!Important Note!!!
  # Requires that the 'tar' binary is present in your container
  # image.  If 'tar' is not present, 'kubectl cp' will fail.
  #
  # For advanced use cases, such as symlinks, wildcard expansion or
  # file mode preservation, consider using 'kubectl exec'.
  
  # Copy /tmp/foo local file to /tmp/bar in a remote pod in namespace <some-namespace>
  tar cf - /tmp/foo | kubectl exec -i -n <some-namespace> <some-pod> -- tar xf - -C /tmp/bar
  
  # Copy /tmp/foo from a remote pod to /tmp/bar locally
  kubectl exec -n <some-namespace> <some-pod> -- tar cf - /tmp/foo | tar xf - -C /tmp/bar
  
  # Copy /tmp/foo_dir local directory to /tmp/bar_dir in a remote pod in the default namespace
  kubectl cp /tmp/foo_dir <some-pod>:/tmp/bar_dir
  
  # Copy /tmp/foo local file to /tmp/bar in a remote pod in a specific container
  kubectl cp /tmp/foo <some-pod>:/tmp/bar -c <specific-container>
  
  # Copy /tmp/foo local file to /tmp/bar in a remote pod in namespace <some-namespace>
  kubectl cp /tmp/foo <some-namespace>/<some-pod>:/tmp/bar
  
  # Copy /tmp/foo from a remote pod to /tmp/bar locally
  kubectl cp <some-namespace>/<some-pod>:/tmp/foo /tmp/bar"#;

/// `kubectl-rs cp <file-spec-src> <file-spec-dest>`.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Copy files and directories to and from containers")]
pub struct CpArgs {
    pub args: Vec<String>,
    #[command(flatten)]
    pub container: crate::cmd::flags::ContainerFlag,
    /// The copied file/directory's ownership and permissions will not be preserved in the container
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub no_preserve: bool,
    /// Set number of retries to complete a copy operation from a container. Specify 0 to disable or any negative value for infinite retrying. The default is 0 (no retry).
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "0",
        allow_negative_numbers = true
    )]
    pub retries: i64,
}

/// `[[namespace/]pod:]file/path`.
struct FileSpec {
    pod: String,
    namespace: String,
    file: String,
}

fn strip_trailing_slash(f: &str) -> String {
    if f.len() > 1 && f.ends_with('/') {
        f[..f.len() - 1].to_string()
    } else {
        f.to_string()
    }
}

fn extract_file_spec(arg: &str) -> Result<FileSpec, CliError> {
    let bad =
        || CliError::msg("filespec must match the canonical format: [[namespace/]pod:]file/path");
    match arg.find(':') {
        Some(0) => Err(bad()),
        None => Ok(FileSpec {
            pod: String::new(),
            namespace: String::new(),
            file: strip_trailing_slash(arg),
        }),
        Some(i) => {
            let (pod, file) = (&arg[..i], &arg[i + 1..]);
            let file = strip_trailing_slash(file).replace('\\', "/");
            let pieces: Vec<&str> = pod.split('/').collect();
            match pieces.as_slice() {
                [p] => Ok(FileSpec {
                    pod: p.to_string(),
                    namespace: String::new(),
                    file,
                }),
                [ns, p] => Ok(FileSpec {
                    pod: p.to_string(),
                    namespace: ns.to_string(),
                    file,
                }),
                _ => Err(bad()),
            }
        }
    }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        return clean(b);
    }
    if b.is_empty() {
        return clean(a);
    }
    clean(&format!("{a}/{b}"))
}

fn dir(p: &str) -> String {
    match p.rfind('/') {
        Some(i) => clean(&p[..=i]),
        None => ".".into(),
    }
}

fn base(p: &str) -> String {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return if p.is_empty() { ".".into() } else { "/".into() };
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// kubectl's `stripPathShortcuts`: leading `../` removed, a lone `.`/`..` emptied.
fn strip_path_shortcuts(p: &str) -> String {
    let mut s = p;
    while let Some(t) = s.strip_prefix("../") {
        s = t;
    }
    if s == "." || s == ".." {
        return String::new();
    }
    s.strip_prefix('/').unwrap_or(s).to_string()
}

/// Whether `target` (clean) lies in `base`: kubectl's `isRelative`.
fn is_relative(base: &str, target: &str) -> bool {
    let (b, t) = (clean(base), clean(target));
    if b.starts_with('/') != t.starts_with('/') {
        return false;
    }
    if t == b {
        return true;
    }
    if b == "." {
        return !(t == ".." || t.starts_with("../"));
    }
    if b == "/" {
        return true;
    }
    t.starts_with(&format!("{b}/"))
}

/// An I/O error as Go's `*PathError` prints it.
fn go_err(op: &str, path: &str, e: &std::io::Error) -> CliError {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::AlreadyExists => "file exists".to_string(),
        _ => {
            let s = e.to_string();
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => s,
            }
        }
    };
    CliError::msg(format!("{op} {path}: {why}"))
}

fn mkdir_all(p: &str) -> Result<(), CliError> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o755);
    }
    b.create(p).map_err(|e| go_err("mkdir", p, &e))
}

/// Where the streams of one exec go.
enum Sink {
    Out,
    Err,
    Discard,
    /// Kept apart (stdout captured as the result, stderr dropped).
    Capture,
}

impl CpArgs {
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if self.args.len() != 2 {
            return Err(CliError::msg("source and destination are required"));
        }
        let src = extract_file_spec(&self.args[0])?;
        let dest = extract_file_spec(&self.args[1])?;
        if !src.pod.is_empty() && !dest.pod.is_empty() {
            return Err(CliError::msg(
                "one of src or dest must be a local file specification",
            ));
        }
        if src.file.is_empty() || dest.file.is_empty() {
            return Err(CliError::msg("filepath can not be empty"));
        }
        if !src.pod.is_empty() {
            return self.copy_from_pod(ctx, &src, &dest).await;
        }
        if !dest.pod.is_empty() {
            return self.copy_to_pod(ctx, &src, &dest).await;
        }
        Err(CliError::msg(
            "one of src or dest must be a remote file specification",
        ))
    }

    /// One `pods/exec` of `command`, as `ExecOptions.Run` does it (the pod, its phase, the
    /// default container with kubectl's notice on `notice`).
    async fn execute(
        &self,
        ctx: &Context,
        spec: &FileSpec,
        command: &[String],
        stdin: Option<Vec<u8>>,
        out: Sink,
        err: Sink,
    ) -> Result<Vec<u8>, CliError> {
        let ns = if spec.namespace.is_empty() {
            ctx.namespace()?.0
        } else {
            spec.namespace.clone()
        };
        let path = ResourcePath::pods(&ns, Some(&spec.pod)).build()?;
        let client = ctx.client()?;
        let pod: Value = client.get_json(&path).await?;
        let phase = pod["status"]["phase"].as_str().unwrap_or_default();
        if phase == "Succeeded" || phase == "Failed" {
            return Err(CliError::msg(format!(
                "cannot exec into a container in a completed pod; current phase is {phase}"
            )));
        }
        let emit = |sink: &Sink, b: &[u8]| match sink {
            Sink::Out => {
                let mut w = ctx.out_writer();
                let _ = w.write_all(b);
                let _ = w.flush();
            }
            Sink::Err => ctx.eprint(&String::from_utf8_lossy(b)),
            Sink::Discard | Sink::Capture => {}
        };
        let container = if self.container.value.is_empty() {
            let (name, notice) = pods::default_container(&pod)?;
            if let Some(n) = notice {
                emit(&err, n.as_bytes());
            }
            name
        } else {
            self.container.value.clone()
        };
        let exec_path = ResourcePath {
            subresource: Some("exec"),
            ..ResourcePath::pods(&ns, Some(&spec.pod))
        }
        .build()?;
        let mut req = ApiRequest::get(exec_path).query("container", container);
        for c in command {
            req = req.query("command", c.clone());
        }
        if stdin.is_some() {
            req = req.query("stdin", "true");
        }
        req = req.query("stdout", "true").query("stderr", "true");
        let remote = client.remote_command(req).await?;
        let mut captured = Vec::new();
        let capture = matches!(out, Sink::Capture);
        let mut on_out = |b: &[u8]| {
            if capture {
                captured.extend_from_slice(b);
            } else {
                emit(&out, b);
            }
        };
        let mut on_err = |b: &[u8]| emit(&err, b);
        match remote.run(stdin, &mut on_out, &mut on_err).await? {
            Ended::Success => Ok(captured),
            Ended::ExitCode(code) => Err(CliError::WithCode(
                Box::new(CliError::Raw(format!(
                    "command terminated with exit code {code}"
                ))),
                code,
            )),
            Ended::Failure(m) => Err(CliError::msg(m)),
        }
    }

    async fn copy_to_pod(
        &self,
        ctx: &Context,
        src: &FileSpec,
        dest: &FileSpec,
    ) -> Result<(), CliError> {
        if std::fs::metadata(&src.file).is_err() {
            return Err(CliError::msg(format!(
                "{} doesn't exist in local filesystem",
                src.file
            )));
        }
        let mut dest_file = dest.file.clone();
        let test = ["test".to_string(), "-d".to_string(), dest.file.clone()];
        if self
            .execute(ctx, dest, &test, None, Sink::Discard, Sink::Discard)
            .await
            .is_ok()
        {
            dest_file = join(&dest_file, &base(&src.file));
        }
        let src_clean = clean(&src.file);
        let dest_clean = clean(&dest_file);
        let mut archive = Vec::new();
        recursive_tar(
            &dir(&src_clean),
            &base(&src_clean),
            &base(&dest_clean),
            &mut archive,
        )?;
        tar::finish(&mut archive);
        let mut cmd: Vec<String> = if self.no_preserve {
            [
                "tar",
                "--no-same-permissions",
                "--no-same-owner",
                "-xmf",
                "-",
            ]
        } else {
            ["tar", "-xmf", "-", "", ""]
        }
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
        .collect();
        let dest_dir = dir(&dest_file);
        if !dest_dir.is_empty() {
            cmd.push("-C".into());
            cmd.push(dest_dir);
        }
        self.execute(ctx, dest, &cmd, Some(archive), Sink::Out, Sink::Err)
            .await
            .map(|_| ())
    }

    async fn copy_from_pod(
        &self,
        ctx: &Context,
        src: &FileSpec,
        dest: &FileSpec,
    ) -> Result<(), CliError> {
        let command: Vec<String> = if self.retries != 0 {
            let escaped = src.file.replace('\'', r"'\''");
            vec![
                "sh".into(),
                "-c".into(),
                format!("tar cf - '{escaped}' | tail -c+0"),
            ]
        } else {
            vec!["tar".into(), "cf".into(), "-".into(), src.file.clone()]
        };
        // kubectl hands the remote tar's stderr (and its notices) to its stdout.
        // A tar that fails ends the stream early: kubectl's reader sees the end of the
        // archive and returns before the failure is reported, so the copy exits 0 with the
        // tar's messages on stdout (what v1.33 does).
        let archive = match self
            .execute(ctx, src, &command, None, Sink::Capture, Sink::Out)
            .await
        {
            Err(CliError::WithCode(_, _)) => Vec::new(),
            r => r?,
        };
        let prefix = strip_path_shortcuts(&clean(src.file.trim_start_matches(['/', '\\'])));
        let ns = if src.namespace.is_empty() {
            ctx.namespace()?.0
        } else {
            src.namespace.clone()
        };
        let entries = tar::read(&archive).map_err(|e| CliError::msg(e.to_string()));
        untar_all(ctx, &ns, &src.pod, &prefix, &src.file, &dest.file, entries?)
    }
}

/// kubectl's `recursiveTar`: files under `dest_file` names (no entries for non-empty
/// directories), empty directories as directory entries, symlinks as links.
fn recursive_tar(
    src_dir: &str,
    src_file: &str,
    dest_file: &str,
    out: &mut Vec<u8>,
) -> Result<(), CliError> {
    let fpath = join(src_dir, src_file);
    let meta = std::fs::symlink_metadata(&fpath).map_err(|e| go_err("lstat", &fpath, &e))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as i64);
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o7777
    };
    #[cfg(not(unix))]
    let mode = if meta.permissions().readonly() {
        0o444
    } else {
        0o644
    };
    if meta.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(&fpath)
            .map_err(|e| go_err("open", &fpath, &e))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        if names.is_empty() {
            tar::append(
                out,
                &Entry {
                    name: dest_file.to_string(),
                    kind: Kind::Dir,
                    mode,
                    mtime,
                    data: Vec::new(),
                },
            );
        }
        for n in names {
            recursive_tar(src_dir, &join(src_file, &n), &join(dest_file, &n), out)?;
        }
        return Ok(());
    }
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(&fpath).map_err(|e| go_err("readlink", &fpath, &e))?;
        tar::append(
            out,
            &Entry {
                name: dest_file.to_string(),
                kind: Kind::Symlink(target.to_string_lossy().into_owned()),
                mode,
                mtime,
                data: Vec::new(),
            },
        );
        return Ok(());
    }
    let data = std::fs::read(&fpath).map_err(|e| go_err("open", &fpath, &e))?;
    tar::append(
        out,
        &Entry {
            name: dest_file.to_string(),
            kind: Kind::File,
            mode,
            mtime,
            data,
        },
    );
    Ok(())
}

/// kubectl's `untarAll`: every member must start with `prefix` (else the archive was
/// tampered with); members landing outside `dest` are skipped with a warning; symlinks are
/// reported, never created.
fn untar_all(
    ctx: &Context,
    ns: &str,
    pod: &str,
    prefix: &str,
    src: &str,
    dest: &str,
    entries: Vec<Entry>,
) -> Result<(), CliError> {
    use kcore::gofmt::go_quote;
    let mut symlink_warned = false;
    for e in entries {
        if !e.name.starts_with(prefix) {
            return Err(CliError::msg("tar contents corrupted"));
        }
        let rest = strip_trailing_slash(&e.name[prefix.len()..]).replace('\\', "/");
        let dest_name = join(dest, &rest);
        if !is_relative(dest, &dest_name) {
            ctx.eprint(&format!(
                "warning: file {} is outside target destination, skipping\n",
                go_quote(&dest_name)
            ));
            continue;
        }
        mkdir_all(&dir(&dest_name))?;
        match &e.kind {
            Kind::Dir => {
                mkdir_all(&dest_name)?;
                continue;
            }
            Kind::Symlink(link) => {
                if !symlink_warned {
                    symlink_warned = true;
                    ctx.eprint(&format!(
                        "warning: skipping symlink: {} -> {} (consider using \"{} exec -n {} {} -- tar cf - {} | tar xf -\")\n",
                        go_quote(&dest_name),
                        go_quote(link),
                        ctx.command_name,
                        go_quote(ns),
                        go_quote(pod),
                        go_quote(src)
                    ));
                    continue;
                }
                ctx.eprint(&format!(
                    "warning: skipping symlink: {} -> {}\n",
                    go_quote(&dest_name),
                    go_quote(link)
                ));
                continue;
            }
            Kind::File | Kind::Other(_) => {}
        }
        std::fs::write(Path::new(&dest_name), &e.data)
            .map_err(|er| go_err("open", &dest_name, &er))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_and_containment_is_checked_as_kubectl_does() {
        assert_eq!(clean("a/../../b/./c/"), "../b/c");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(join("out", "/d/../../evil"), "evil");
        assert_eq!(join("out", "../evil"), "evil");
        assert!(is_relative("out", "out/a"));
        assert!(is_relative("out", "out"));
        assert!(!is_relative("out", "evil"));
        assert!(!is_relative("/tmp/out", "/tmp/evil"));
        assert!(!is_relative(".", "../x"));
        assert_eq!(strip_path_shortcuts("../../tmp/x"), "tmp/x");
        assert_eq!(strip_path_shortcuts(".."), "");
        assert_eq!(dir("foo"), ".");
        assert_eq!(dir("/tmp/bar/foo"), "/tmp/bar");
        assert_eq!(base("/tmp/bar/"), "bar");
    }
}

#[cfg(test)]
mod hostile {
    use super::*;
    use crate::context::{Env, Io};

    fn member(name: &str, kind: Kind, data: &[u8]) -> Entry {
        Entry {
            name: name.into(),
            kind,
            mode: 0o644,
            mtime: 0,
            data: data.to_vec(),
        }
    }

    /// A pod's tar naming `../` paths and symlinks: nothing lands outside the destination,
    /// each skip is reported in kubectl's words, and the safe member is written.
    #[test]
    fn members_escaping_the_destination_are_skipped_with_kubectls_warning() {
        use clap::Parser;
        let root = tempfile::tempdir().unwrap();
        let dest = root.path().join("dest");
        let dest_s = dest.display().to_string();
        let cli = crate::cmd::Cli::try_parse_from(["kubectl-rs", "cp", "a", "b"]).unwrap();
        let (io, _out, err) = Io::buffered();
        let ctx = Context::new(cli.global.clone(), Env::default(), io, "kubectl");
        let entries = vec![
            member("tmp/x/ok.txt", Kind::File, b"fine"),
            member("tmp/x/../evil.txt", Kind::File, b"bad"),
            member(
                "tmp/x/../../../../../../../../tmp/evil2",
                Kind::File,
                b"bad",
            ),
            member("tmp/x/l1", Kind::Symlink("/etc/passwd".into()), b""),
            member("tmp/x/l2", Kind::Symlink("../..".into()), b""),
        ];
        untar_all(&ctx, "default", "box", "tmp/x", "/tmp/x", &dest_s, entries).unwrap();
        assert_eq!(std::fs::read(dest.join("ok.txt")).unwrap(), b"fine");
        assert!(!root.path().join("evil.txt").exists());
        let names: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["dest"]);
        assert_eq!(
            std::fs::read_dir(&dest).unwrap().count(),
            1,
            "only ok.txt is written"
        );
        let parent = root.path().display().to_string();
        assert_eq!(
            err.text(),
            format!(
                "warning: file \"{parent}/evil.txt\" is outside target destination, skipping\n\
                 warning: file \"/tmp/evil2\" is outside target destination, skipping\n\
                 warning: skipping symlink: \"{dest_s}/l1\" -> \"/etc/passwd\" (consider using \"kubectl exec -n \"default\" \"box\" -- tar cf - \"/tmp/x\" | tar xf -\")\n\
                 warning: skipping symlink: \"{dest_s}/l2\" -> \"../..\"\n"
            )
        );
        // A member outside the source's prefix: the archive was tampered with.
        let e = untar_all(
            &ctx,
            "default",
            "box",
            "tmp/x",
            "/tmp/x",
            &dest_s,
            vec![member("etc/passwd", Kind::File, b"x")],
        )
        .unwrap_err();
        assert_eq!(
            crate::error::render(&e).stderr,
            "error: tar contents corrupted\n"
        );
    }
}

//! What commands need of the local machine beyond the streams: temporary files and
//! directories named as Go's `os.CreateTemp`/`os.MkdirTemp` name them, and the user's editor
//! (kubectl `pkg/cmd/util/editor/editor.go`, `launcher_others.go`).
//!
//! Layer: beside `context`, below `cmd`; everything from the environment comes from the
//! [`Env`] a command passes in (never the process's).

pub mod session;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::context::Env;

/// Go's `os.TempDir()`: `$TMPDIR`, else `/tmp`.
pub fn temp_root(env: &Env) -> PathBuf {
    match env.get("TMPDIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from("/tmp"),
    }
}

/// Go's `nextRandom`: a random `uint32` in decimal.
fn next_random() -> String {
    rand::random::<u32>().to_string()
}

/// Go's `os.MkdirTemp("", prefix + "-")`: `$TMPDIR/<prefix>-<random>`, mode 0700.
pub fn make_temp_dir(env: &Env, prefix: &str) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let root = temp_root(env);
    loop {
        let path = root.join(format!("{prefix}-{}", next_random()));
        match std::fs::DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Go's `os.CreateTemp("", prefix + "*" + suffix)` with `content` written (mode 0600).
pub fn write_temp_file(
    env: &Env,
    prefix: &str,
    suffix: &str,
    content: &[u8],
) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::OpenOptionsExt;
    let root = temp_root(env);
    loop {
        let path = root.join(format!("{prefix}{}{suffix}", next_random()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(mut f) => {
                if let Err(e) = f.write_all(content) {
                    let _ = std::fs::remove_file(&path);
                    return Err(e);
                }
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A child process started with the command's environment (not the process's).
pub fn command(env: &Env, program: &str) -> std::process::Command {
    let mut c = std::process::Command::new(program);
    c.env_clear().envs(env.iter());
    c
}

/// The user's editor (`editor.NewDefaultEditor`): the first non-empty of `vars`
/// (`KUBE_EDITOR`, `EDITOR`), else `vi`. A value with spaces is split on them, or, when it
/// also has quotes or backslashes, run through `$SHELL -c` (default `/bin/bash`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    /// The program and its arguments (the file is appended).
    pub args: Vec<String>,
    /// Whether `args` is `[shell, -c, line]` and the file is appended to the line, quoted.
    pub shell: bool,
}

/// Why the editor could not be used (kubectl's words).
#[derive(Debug, thiserror::Error)]
pub enum EditorError {
    /// The program does not exist.
    #[error("unable to launch the editor {0:?}")]
    NotFound(String),
    /// It exited with an error (or could not run).
    #[error("there was a problem with the editor {0:?}")]
    Failed(String),
}

impl Editor {
    /// The editor configured in `env`.
    pub fn from_env(env: &Env, vars: &[&str]) -> Editor {
        let editor = vars
            .iter()
            .filter_map(|v| env.get(v))
            .find(|v| !v.is_empty())
            .unwrap_or("vi")
            .to_string();
        if !editor.contains(' ') {
            return Editor {
                args: vec![editor],
                shell: false,
            };
        }
        if !editor.contains(['"', '\'', '\\']) {
            return Editor {
                args: editor.split(' ').map(str::to_string).collect(),
                shell: false,
            };
        }
        let shell = env
            .get("SHELL")
            .filter(|s| !s.is_empty())
            .unwrap_or("/bin/bash")
            .to_string();
        Editor {
            args: vec![shell, "-c".into(), editor],
            shell: true,
        }
    }

    fn args_for(&self, path: &Path) -> Vec<String> {
        let mut args = self.args.clone();
        let p = path.to_string_lossy().into_owned();
        if self.shell {
            if let Some(last) = args.last_mut() {
                *last = format!("{last} {}", crate::print::gofmt::go_quote(&p));
            }
        } else {
            args.push(p);
        }
        args
    }

    /// Opens `path` (made absolute) in the editor on this process's terminal and waits for
    /// it (`Editor.Launch`).
    pub fn launch(&self, env: &Env, path: &Path) -> Result<(), EditorError> {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let args = self.args_for(&abs);
        let joined = self.args.join(" ");
        let Some((program, rest)) = args.split_first() else {
            return Err(EditorError::Failed(joined));
        };
        let status = command(env, program)
            .args(rest)
            .stdin(std::process::Stdio::inherit())
            .stdout(std::process::Stdio::inherit())
            .stderr(std::process::Stdio::inherit())
            .status();
        match status {
            Ok(s) if s.success() => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(EditorError::NotFound(joined))
            }
            _ => Err(EditorError::Failed(joined)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_choice_follows_kubectl() {
        let env = |p: &[(&str, &str)]| Env::from_pairs(p.iter().copied());
        let e = Editor::from_env(&env(&[]), &["KUBE_EDITOR", "EDITOR"]);
        assert_eq!(e.args, vec!["vi"]);
        let e = Editor::from_env(
            &env(&[("KUBE_EDITOR", ""), ("EDITOR", "nano -w")]),
            &["KUBE_EDITOR", "EDITOR"],
        );
        assert_eq!((e.args, e.shell), (vec!["nano".into(), "-w".into()], false));
        let e = Editor::from_env(
            &env(&[("KUBE_EDITOR", "code --wait 'x'"), ("SHELL", "/bin/zsh")]),
            &["KUBE_EDITOR", "EDITOR"],
        );
        assert!(e.shell);
        assert_eq!(
            e.args_for(Path::new("/tmp/a b")),
            vec!["/bin/zsh", "-c", "code --wait 'x' \"/tmp/a b\""]
        );
    }

    #[test]
    fn temp_names_are_go_like() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_pairs([("TMPDIR", dir.path().to_str().unwrap())]);
        let d = make_temp_dir(&env, "LIVE").unwrap();
        let name = d.file_name().unwrap().to_str().unwrap().to_string();
        let digits = name.strip_prefix("LIVE-").unwrap();
        assert!(digits.parse::<u32>().is_ok(), "{name}");
        let f = write_temp_file(&env, "kubectl-edit-", ".yaml", b"x").unwrap();
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        assert!(name.starts_with("kubectl-edit-") && name.ends_with(".yaml"));
        assert_eq!(std::fs::read(&f).unwrap(), b"x");
    }
}

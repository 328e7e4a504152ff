//! A shell in a detached tmux session on its own socket, pointed at a test's sandbox: keys
//! typed into a real terminal, the screen read back (`completion`, `terminal`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::TestEnv;

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-rs");

/// A shell running in a detached tmux session on its own socket; the server dies on drop.
pub struct Tmux {
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    /// Starts `shell` with a hermetic environment pointing at `env`'s sandbox, kubectl-rs on PATH.
    #[allow(clippy::disallowed_methods)] // A test helper: reads the test process's environment.
    pub fn start(env: &TestEnv, shell: &[&str]) -> Tmux {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("tmux.sock");
        let bin_dir = Path::new(BIN).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let status = Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "200",
                "-y",
                "50",
            ])
            .args(shell)
            .env_clear()
            .env("PATH", path)
            .env("HOME", env.dir.path().join("home"))
            .env("KUBECONFIG", &env.kubeconfig)
            .env("KUBECACHEDIR", env.dir.path().join("cache-rs"))
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .current_dir(&env.work)
            .stdin(Stdio::null())
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket, _dir: dir }
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-l", text]);
    }

    /// Presses keys by name (`Tab`, `Enter`, `C-c`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-J"])
    }

    /// Polls the screen until `pred` holds (at most 15 s), returning the last screen.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends a setup command and waits for its marker, then clears the line and screen.
    pub fn setup(&self, command: &str) {
        // Keys sent before the shell's first prompt may be lost (fish queries the terminal).
        self.wait_for("the first prompt", |s| !s.trim().is_empty());
        // The typed marker differs from its output (`'4''2'` prints `42` in every shell).
        self.type_text(&format!("{command}; echo READY-4''2"));
        self.keys(&["Enter"]);
        self.wait_for("shell setup", |s| s.contains("READY-42"));
        self.clear("READY-42");
    }

    /// Empties the line and clears the screen until `gone` is no longer shown. Only line-editor
    /// keys, no C-c: a SIGINT may be handled after keys typed later.
    pub fn clear(&self, gone: &str) {
        let start = Instant::now();
        loop {
            self.keys(&["C-e", "C-u", "C-l"]);
            std::thread::sleep(Duration::from_millis(200));
            let s = self.screen();
            if !s.contains(gone) {
                return;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("could not clear the screen:\n{s}");
            }
        }
    }

    /// Types `line`, presses Tab `tabs` times, waits for `expect` on screen, then clears the line.
    pub fn complete(&self, line: &str, tabs: usize, expect: &[&str]) -> String {
        self.type_text(line);
        for _ in 0..tabs {
            self.keys(&["Tab"]);
            std::thread::sleep(Duration::from_millis(300));
        }
        let s = self.wait_for(&format!("{expect:?} after {line:?}"), |s| {
            expect.iter().all(|e| s.contains(e))
        });
        self.clear("kubectl-rs");
        s
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .status();
    }
}

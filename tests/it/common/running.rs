//! A CLI left running (`logs -f`, `get -w`): its stdout collected as it comes, so a test can
//! wait for what it printed, then end it with Ctrl-C as a person would.

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use super::{Output, TestEnv};

pub struct Running {
    child: tokio::process::Child,
    stdout: Arc<Mutex<String>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Starts `program` (`cache` as in [`TestEnv::command`]) with `args`.
    pub fn start(env: &TestEnv, program: &str, cache: &str, args: &[&str]) -> Running {
        let mut c = env.command(program, args, cache);
        c.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = c.spawn().expect("spawn");
        let stdout = Arc::new(Mutex::new(String::new()));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let seen = stdout.clone();
        let reader = tokio::spawn(async move {
            while let Ok(Some(l)) = lines.next_line().await {
                seen.lock().unwrap().push_str(&format!("{l}\n"));
            }
        });
        Running {
            child,
            stdout,
            reader,
        }
    }

    /// kubectl-rs.
    pub fn ours(env: &TestEnv, args: &[&str]) -> Running {
        Running::start(env, env!("CARGO_BIN_EXE_kubectl-rs"), "cache-rs", args)
    }

    /// The real kubectl, if installed.
    pub fn kubectl(env: &TestEnv, args: &[&str]) -> Option<Running> {
        Some(Running::start(env, super::oracle()?, "cache-kubectl", args))
    }

    /// The lines printed so far.
    pub fn seen(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Ctrl-C, then everything it printed and how it ended.
    pub async fn interrupt(mut self) -> Output {
        let pid = self.child.id().expect("running") as i32;
        // SAFETY: kill(2) on our own child.
        unsafe {
            libc::kill(pid, libc::SIGINT);
        }
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut stderr).await;
        }
        let status = self.child.wait().await.expect("the command ends");
        let _ = self.reader.await;
        let stdout = self.stdout.lock().unwrap().clone();
        Output {
            stdout,
            stderr,
            code: status.code().unwrap_or(-1),
        }
    }
}

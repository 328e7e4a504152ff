//! Shared test environment: an in-process sandbox on a free port, a kubeconfig for it, and
//! runners for kubectl-rs and for the real kubectl (the oracle) with identical, hermetic
//! environments (HOME, KUBECONFIG and KUBECACHEDIR in a temporary directory).

#![allow(dead_code)]

pub mod flow;
pub mod normalize;
pub mod running;
pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use kubectl_rs::sandbox::server::{start, SandboxHandle, SandboxOptions};
use kubectl_rs::sandbox::Clock;

/// Where the real kubectl closest to the v1.36 target (v1.33, see ../shared/reference/README.md)
/// is installed by default. Tests find the oracle through `oracle()`, which honours
/// `KUBECTL_ORACLE`.
pub const ORACLE: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

/// The oracle's name on PATH when it is not at `ORACLE`.
const ORACLE_ON_PATH: &str = "kubectl.1.33";

/// What a command printed and returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Output {
    /// The same output with run-dependent tokens replaced (see `normalize`) and rows whose
    /// order is random in kubectl (siblings told apart only by a random name suffix) put in
    /// one order; every other line keeps its place, so a wrong order fails the comparison.
    pub fn normalized(&self) -> Output {
        Output {
            stdout: normalize::sort_random_siblings(&normalize::normalize(&self.stdout)),
            stderr: normalize::normalize(&self.stderr),
            code: self.code,
        }
    }
}

pub struct TestEnv {
    pub sandbox: SandboxHandle,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
    /// Working directory for commands (manifests are copied here).
    pub work: PathBuf,
}

/// The real kubectl the tests compare with: `$KUBECTL_ORACLE` when set (it must exist), else
/// `ORACLE`, else `kubectl.1.33` on PATH. When none is installed, the tests that need it are
/// skipped, except under `CI=true`, where a missing oracle fails them loudly: a comparison
/// that silently did not run is not a pass.
#[allow(clippy::disallowed_methods)] // A test helper: reads the test process's environment.
pub fn oracle() -> Option<&'static str> {
    static FOUND: std::sync::OnceLock<Result<Option<String>, String>> = std::sync::OnceLock::new();
    let found = FOUND.get_or_init(|| {
        find_oracle(
            std::env::var_os("KUBECTL_ORACLE"),
            std::env::var_os("PATH"),
            std::env::var("CI").as_deref() == Ok("true"),
        )
    });
    match found {
        Ok(found) => found.as_deref(),
        Err(why) => panic!("{why}"),
    }
}

/// `oracle()`'s search, on explicit inputs.
fn find_oracle(
    explicit: Option<std::ffi::OsString>,
    path: Option<std::ffi::OsString>,
    ci: bool,
) -> Result<Option<String>, String> {
    if let Some(k) = explicit.filter(|k| !k.is_empty()) {
        let k = PathBuf::from(k);
        return if k.is_file() {
            Ok(Some(k.to_string_lossy().into_owned()))
        } else {
            Err(format!(
                "KUBECTL_ORACLE={} does not exist: point it at a kubectl v1.33 binary",
                k.display()
            ))
        };
    }
    if Path::new(ORACLE).is_file() {
        return Ok(Some(ORACLE.to_string()));
    }
    if let Some(found) = path
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(ORACLE_ON_PATH))
        .find(|p| p.is_file())
    {
        return Ok(Some(found.to_string_lossy().into_owned()));
    }
    if ci {
        return Err(format!(
            "CI=true but the kubectl oracle is not installed (not at {ORACLE}, no \
             {ORACLE_ON_PATH} on PATH, KUBECTL_ORACLE unset): install it (`apt-get install \
             kubectl`, which .ci/run does) or set KUBECTL_ORACLE"
        ));
    }
    Ok(None)
}

/// The oracle's program name (kubectl names itself after its binary in some messages).
pub fn oracle_name() -> String {
    oracle()
        .and_then(|o| Path::new(o).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ORACLE_ON_PATH.to_string())
}

#[test]
fn oracle_lookup_follows_env_and_ci() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("my-kubectl");
    std::fs::write(&bin, "").unwrap();
    let on_path = dir.path().join(ORACLE_ON_PATH);
    // KUBECTL_ORACLE wins, and must exist.
    assert_eq!(
        find_oracle(Some(bin.clone().into()), None, false),
        Ok(Some(bin.to_string_lossy().into_owned()))
    );
    let missing = find_oracle(Some(dir.path().join("nope").into()), None, false);
    assert!(missing.unwrap_err().contains("KUBECTL_ORACLE="));
    if !Path::new(ORACLE).exists() {
        // Found on PATH; else skipped, or an error under CI.
        std::fs::write(&on_path, "").unwrap();
        assert_eq!(
            find_oracle(None, Some(dir.path().into()), true),
            Ok(Some(on_path.to_string_lossy().into_owned()))
        );
        std::fs::remove_file(&on_path).unwrap();
        assert_eq!(find_oracle(None, Some(dir.path().into()), false), Ok(None));
        let loud = find_oracle(None, Some(dir.path().into()), true).unwrap_err();
        assert!(
            loud.starts_with("CI=true but the kubectl oracle is not installed"),
            "{loud}"
        );
    }
}

impl TestEnv {
    pub async fn start() -> TestEnv {
        Self::with(SandboxOptions {
            name: "kind-multinodes".into(),
            ..Default::default()
        })
        .await
    }

    /// A sandbox whose cluster time moves only when the test advances it (`advance`,
    /// `advancing`). The clock starts ten minutes behind the wall clock, so that the times it
    /// writes stay in the past for the CLIs, which compute ages on the wall clock.
    pub async fn manual_clock() -> TestEnv {
        let start = chrono::Utc::now() - chrono::Duration::minutes(10);
        Self::with(SandboxOptions {
            name: "kind-multinodes".into(),
            clock: Clock::manual(start),
            ..Default::default()
        })
        .await
    }

    /// Moves the sandbox's manual clock forward: the controller timers due by then fire.
    pub fn advance(&self, by: std::time::Duration) {
        self.sandbox.advance(by);
    }

    pub async fn with(opts: SandboxOptions) -> TestEnv {
        let sandbox = start(opts).await.expect("sandbox starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        std::fs::write(&kubeconfig, sandbox.kubeconfig_yaml()).expect("write kubeconfig");
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        for f in std::fs::read_dir(fixtures().join("manifests")).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, work.join(f.file_name().unwrap())).unwrap();
        }
        TestEnv {
            sandbox,
            dir,
            kubeconfig,
            work,
        }
    }

    /// A hermetic command for `program` (its own discovery cache directory `cache`).
    #[allow(clippy::disallowed_methods)] // A test helper: reads the test process's environment.
    pub fn command(&self, program: &str, args: &[&str], cache: &str) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(program);
        c.args(args)
            .current_dir(&self.work)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path().join("home"))
            .env("KUBECONFIG", &self.kubeconfig)
            .env("KUBECACHEDIR", self.dir.path().join(cache))
            .env("TZ", "UTC")
            .stdin(Stdio::null());
        default_signals(&mut c);
        c
    }

    async fn run(&self, program: &str, args: &[&str], cache: &str) -> Output {
        let out = self
            .command(program, args, cache)
            .output()
            .await
            .expect("run command");
        Output {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }

    /// Runs kubectl-rs.
    pub async fn ours(&self, args: &[&str]) -> Output {
        self.run(env!("CARGO_BIN_EXE_kubectl-rs"), args, "cache-rs")
            .await
    }

    /// Runs the real kubectl, if installed.
    pub async fn kubectl(&self, args: &[&str]) -> Option<Output> {
        let k = oracle()?;
        Some(self.run(k, args, "cache-kubectl").await)
    }
}

/// Files under tests/fixtures.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Polls `f` until it returns true (at most ~10 s), for state the controllers reach later.
pub async fn eventually<F, Fut>(mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if f().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("condition not reached in time");
}

/// Polls `f` until it returns true, advancing `env`'s manual clock by `step` after each miss:
/// for state the controllers reach after some cluster time (a kubelet starting a pod, a grace
/// period, a schedule). At most 200 polls.
pub async fn advancing<F, Fut>(env: &TestEnv, step: std::time::Duration, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    assert!(
        env.sandbox.clock().is_manual(),
        "advancing needs a manual clock"
    );
    for _ in 0..200 {
        if f().await {
            return;
        }
        env.advance(step);
        tokio::task::yield_now().await;
    }
    panic!("condition not reached after advancing the clock 200 times by {step:?}");
}

/// Asserts two outputs are equal, showing both in full when they are not.
#[track_caller]
pub fn assert_same(what: &str, ours: &Output, theirs: &Output) {
    if ours != theirs {
        panic!(
            "{what}: kubectl-rs differs from kubectl\n--- kubectl (code {}) stdout:\n{}\n--- kubectl stderr:\n{}\n--- kubectl-rs (code {}) stdout:\n{}\n--- kubectl-rs stderr:\n{}",
            theirs.code, theirs.stdout, theirs.stderr, ours.code, ours.stdout, ours.stderr
        );
    }
}

/// Gives a child the default action for the termination signals, whatever the test runner
/// inherited: a runner started with SIGINT ignored (a background job of a non-interactive
/// shell) would otherwise pass that on, and a test that interrupts a command could not.
pub fn default_signals(c: &mut tokio::process::Command) {
    // SAFETY: between fork and exec only async-signal-safe calls are allowed; signal(2) is one.
    unsafe {
        c.pre_exec(|| {
            for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
                libc::signal(s, libc::SIG_DFL);
            }
            Ok(())
        });
    }
}

/// Every stored object but leases and events, keyed `resource/namespace/name`, without
/// status, resourceVersion and managedFields: what a refused command must leave unchanged.
pub fn snapshot(env: &TestEnv) -> std::collections::BTreeMap<String, serde_json::Value> {
    let store = env.sandbox.store();
    let mut out = std::collections::BTreeMap::new();
    for gr in store.resources() {
        if gr.resource == "leases" || gr.resource == "events" {
            continue;
        }
        let (items, _) = store.list(&gr, None);
        for mut o in items {
            let key = format!(
                "{}/{}/{}",
                gr.resource,
                o["metadata"]["namespace"].as_str().unwrap_or_default(),
                o["metadata"]["name"].as_str().unwrap_or_default()
            );
            if let Some(m) = o.as_object_mut() {
                m.remove("status");
            }
            if let Some(m) = o["metadata"].as_object_mut() {
                m.remove("resourceVersion");
                m.remove("managedFields");
            }
            out.insert(key, o);
        }
    }
    out
}

//! `Context`: the one door to the world for commands (environment, streams, clock, lazily built client and discovery).
//!
//! `main` builds one from the process ([`Context::from_process`]); tests build one with
//! [`Context::new`] over an explicit environment and in-memory streams ([`Io::buffered`]).

use crate::client::exec::Terminal;
use crate::client::{Client, ClientOptions, LogSink, Logger, ProxyEnv};
use crate::cmd::flags::GlobalArgs;
use crate::discovery::Discovery;
use crate::error::CliError;
use crate::kubeconfig::resolve::{InClusterEnv, SERVICE_ACCOUNT_DIR};
use crate::kubeconfig::{LoadedConfig, Loader, RestConfig};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// A snapshot of the environment variables a command may read.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// An environment from explicit pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The process environment (non-UTF-8 values skipped).
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// A variable's value.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.vars.get(k).map(String::as_str)
    }

    /// Every variable, for a child process the command starts (an editor, a diff program).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Sets a variable (tests).
    pub fn set(&mut self, k: &str, v: &str) {
        self.vars.insert(k.into(), v.into());
    }
}

/// A shared, writable in-memory buffer (test output).
#[derive(Debug, Clone, Default)]
pub struct SharedBuf(pub Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().map(|b| b.clone()).unwrap_or_default()).into_owned()
    }
}

impl Write for SharedBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(b);
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The streams of a command.
pub struct Io {
    /// stdin (`-f -`).
    pub input: Box<dyn std::io::Read + Send>,
    /// stdout.
    pub out: Box<dyn Write + Send>,
    /// stderr (shared with the `-v` logger).
    pub err: LogSink,
    /// Whether stdin is a terminal.
    pub stdin_is_terminal: bool,
    /// Whether stdout is a terminal (`create token` ends the token with a newline then).
    pub stdout_is_terminal: bool,
}

impl Io {
    /// The process's streams.
    #[allow(clippy::disallowed_methods)] // The one door to the process's stdin and stdout.
    pub fn process() -> Io {
        use std::io::IsTerminal;
        Io {
            input: Box::new(std::io::stdin()),
            out: Box::new(std::io::BufWriter::new(std::io::stdout())),
            err: Arc::new(Mutex::new(std::io::stderr())),
            stdin_is_terminal: std::io::stdin().is_terminal(),
            stdout_is_terminal: std::io::stdout().is_terminal(),
        }
    }

    /// In-memory streams with empty stdin; the returned buffers hold stdout and stderr.
    pub fn buffered() -> (Io, SharedBuf, SharedBuf) {
        Io::buffered_with_input(Vec::new())
    }

    /// In-memory streams reading `input` as stdin.
    pub fn buffered_with_input(input: Vec<u8>) -> (Io, SharedBuf, SharedBuf) {
        let out = SharedBuf::default();
        let err = SharedBuf::default();
        (
            Io {
                input: Box::new(std::io::Cursor::new(input)),
                out: Box::new(out.clone()),
                err: Arc::new(Mutex::new(err.clone())),
                stdin_is_terminal: false,
                stdout_is_terminal: false,
            },
            out,
            err,
        )
    }
}

/// stdout of a [`Context`]: flushed on drop (errors then surface at `main`'s final flush).
pub struct OutGuard<'a>(MutexGuard<'a, Box<dyn Write + Send>>);

impl std::ops::Deref for OutGuard<'_> {
    type Target = Box<dyn Write + Send>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for OutGuard<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Write for OutGuard<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.write(b)
    }
    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.0.write_all(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl Drop for OutGuard<'_> {
    fn drop(&mut self) {
        let _ = self.0.flush();
    }
}

/// stdout of a [`Context`] as a writer that takes the lock for each write only, for code that
/// writes between awaits (a long-running sandbox) and must not hold the guard across them.
pub struct OutWriter<'a>(&'a Context);

impl Write for OutWriter<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.out().write(b)
    }
    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.0.out().write_all(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.out().flush()
    }
}

/// Everything a command may touch.
pub struct Context {
    /// The global flags.
    pub global: GlobalArgs,
    /// The environment.
    pub env: Env,
    /// The home directory.
    pub home: Option<PathBuf>,
    /// `Kubectl-Command` value, e.g. `kubectl get`.
    pub command_name: String,
    /// "Now" for this run (AGE columns, cache decisions), pinned in tests.
    pub now: DateTime<Utc>,
    /// Directory of the in-cluster service account files.
    pub service_account_dir: PathBuf,
    /// kuberc's credential plugin policy, set on the exec plugin of the REST config.
    pub exec_policy: crate::kubeconfig::plugin_policy::PluginPolicy,
    input: Mutex<Box<dyn std::io::Read + Send>>,
    out: Mutex<Box<dyn Write + Send>>,
    err: LogSink,
    stdin_is_terminal: bool,
    stdout_is_terminal: bool,
    /// Whether the command reads stdin itself (see [`Context::mark_stdin_in_use`]).
    stdin_in_use: std::sync::Arc<std::sync::atomic::AtomicBool>,
    session: String,
    loaded: OnceLock<LoadedConfig>,
    rest: OnceLock<RestConfig>,
    client: OnceLock<Client>,
    discovery: OnceLock<Discovery>,
}

impl Context {
    /// A context over explicit parts.
    pub fn new(global: GlobalArgs, env: Env, io: Io, command_name: &str) -> Context {
        let home = env.get("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
        Context {
            global,
            env,
            home,
            command_name: command_name.to_string(),
            now: Utc::now(),
            service_account_dir: PathBuf::from(SERVICE_ACCOUNT_DIR),
            exec_policy: Default::default(),
            input: Mutex::new(io.input),
            out: Mutex::new(io.out),
            err: io.err,
            stdin_is_terminal: io.stdin_is_terminal,
            stdout_is_terminal: io.stdout_is_terminal,
            stdin_in_use: Default::default(),
            session: crate::client::new_session_id(),
            loaded: OnceLock::new(),
            rest: OnceLock::new(),
            client: OnceLock::new(),
            discovery: OnceLock::new(),
        }
    }

    /// The context of this process.
    pub fn from_process(global: GlobalArgs, command_name: &str) -> Context {
        Context::new(global, Env::from_process(), Io::process(), command_name)
    }

    /// stdin (locked for the duration of the guard).
    pub fn stdin(&self) -> MutexGuard<'_, Box<dyn std::io::Read + Send>> {
        match self.input.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Takes stdin away for a reader of its own (a streaming session reads it on a thread);
    /// later reads through the context see end of file.
    pub fn take_stdin(&self) -> Box<dyn std::io::Read + Send> {
        std::mem::replace(&mut *self.stdin(), Box::new(std::io::empty()))
    }

    /// Marks stdin as read by the command (manifests from `-f -`, `set env -`), as
    /// cli-runtime's `Builder.StdinInUse`: exec credential plugins then never read it.
    pub fn mark_stdin_in_use(&self) {
        self.stdin_in_use
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether stdin is a terminal.
    pub fn stdin_is_terminal(&self) -> bool {
        self.stdin_is_terminal
    }

    /// Whether stdout is a terminal.
    pub fn stdout_is_terminal(&self) -> bool {
        self.stdout_is_terminal
    }

    /// stdout, locked for the duration of the guard and flushed when it is dropped: what a
    /// command printed about an object is out before the next request goes (kubectl writes
    /// to an unbuffered stdout), so that after an interrupt the lines printed are exactly
    /// the objects the server acted on. Batch output written through one guard is still one
    /// write.
    pub fn out(&self) -> OutGuard<'_> {
        OutGuard(match self.out.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        })
    }

    /// stdout as a writer locking it per write (see [`OutWriter`]).
    pub fn out_writer(&self) -> OutWriter<'_> {
        OutWriter(self)
    }

    /// Writes text to stderr.
    pub fn eprint(&self, s: &str) {
        if let Ok(mut e) = self.err.lock() {
            let _ = e.write_all(s.as_bytes());
            let _ = e.flush();
        }
    }

    /// The stderr sink (shared with the logger).
    pub fn err_sink(&self) -> LogSink {
        self.err.clone()
    }

    /// Where kubeconfig files are looked up.
    pub fn loader(&self) -> Loader {
        Loader {
            explicit: self
                .global
                .kubeconfig
                .clone()
                .filter(|p| !p.as_os_str().is_empty()),
            env_list: self.env.get("KUBECONFIG").map(String::from),
            home: self.home.clone(),
        }
    }

    /// `NAME` or, if unset, `name` (Go reads proxy variables in both cases).
    fn env_either(&self, name: &str) -> Option<String> {
        self.env
            .get(name)
            .or_else(|| self.env.get(&name.to_lowercase()))
            .filter(|v| !v.is_empty())
            .map(String::from)
    }

    /// The `-v` logger (writes to stderr).
    pub fn logger(&self) -> Logger {
        if self.global.v > 0 {
            Logger::new(self.global.v, self.err.clone())
        } else {
            Logger::off()
        }
    }

    /// Distinct server warnings received so far (0 before any request).
    pub fn warning_count(&self) -> usize {
        self.client.get().map(Client::warning_count).unwrap_or(0)
    }

    /// The merged kubeconfig (loaded once).
    pub fn kubeconfig(&self) -> Result<&LoadedConfig, CliError> {
        if let Some(l) = self.loaded.get() {
            return Ok(l);
        }
        let l = self.loader().load()?;
        let log = self.logger();
        for f in &l.files {
            log.log(
                6,
                "loader.go:402",
                &format!("Config loaded from file:  {}", f.display()),
            );
        }
        Ok(self.loaded.get_or_init(|| l))
    }

    fn resolve(&self) -> Result<RestConfig, CliError> {
        let ov = self.global.overrides().map_err(CliError::Message)?;
        let env = InClusterEnv {
            service_host: self.env.get("KUBERNETES_SERVICE_HOST").map(String::from),
            service_port: self.env.get("KUBERNETES_SERVICE_PORT").map(String::from),
            pod_namespace: self.env.get("POD_NAMESPACE").map(String::from),
            service_account_dir: self.service_account_dir.clone(),
            kubernetes_master: self.env.get("KUBERNETES_MASTER").map(String::from),
        };
        let mut rest = self.kubeconfig()?.resolve(&ov, &env)?;
        // kuberc's `applyPluginPolicy`: the policy goes on the config's exec provider.
        if let crate::kubeconfig::resolve::Auth::Exec(spec) = &mut rest.auth {
            spec.policy = self.exec_policy.clone();
            spec.search_path = self.env.get("PATH").map(String::from);
        }
        Ok(rest)
    }

    /// The resolved connection settings (kubeconfig + flags). As kubectl's REST config path,
    /// a `--context`, `--cluster` or `--user` naming nothing fails first with
    /// `context "x" does not exist` (and the like).
    pub fn rest_config(&self) -> Result<&RestConfig, CliError> {
        if let Some(r) = self.rest.get() {
            return Ok(r);
        }
        let merged = &self.kubeconfig()?.merged;
        let named = |o: &Option<String>| o.clone().filter(|s| !s.is_empty());
        if let Some(c) = named(&self.global.context) {
            if merged.context(&c).is_none() {
                return Err(CliError::msg(format!("context {c:?} does not exist")));
            }
        }
        if let Some(c) = named(&self.global.cluster) {
            if merged.cluster(&c).is_none() {
                return Err(CliError::msg(format!("cluster {c:?} does not exist")));
            }
        }
        if let Some(u) = named(&self.global.user) {
            if merged.user(&u).is_none() {
                return Err(CliError::msg(format!("auth info {u:?} does not exist")));
            }
        }
        let r = self.resolve()?;
        Ok(self.rest.get_or_init(|| r))
    }

    /// The namespace to use and whether `-n` was given. Like kubectl's namespace lookup, this
    /// reports kubeconfig problems as `Error in configuration: …`.
    pub fn namespace(&self) -> Result<(String, bool), CliError> {
        let r = match self.rest.get() {
            Some(r) => r,
            None => {
                let r = self.resolve()?;
                self.rest.get_or_init(|| r)
            }
        };
        Ok((r.namespace.clone(), r.namespace_overridden))
    }

    /// The API client (built once; every request of the run shares it).
    pub fn client(&self) -> Result<&Client, CliError> {
        if let Some(c) = self.client.get() {
            return Ok(c);
        }
        let rc = self.rest_config()?.clone();
        let opts = ClientOptions {
            command: Some(self.command_name.clone()),
            session: self.session.clone(),
            logger: self.logger(),
            warnings: Some(self.err.clone()),
            proxy_env: ProxyEnv {
                https: self.env_either("HTTPS_PROXY"),
                http: self.env_either("HTTP_PROXY"),
                no_proxy: self.env_either("NO_PROXY"),
            },
            terminal: Terminal {
                stdin_is_terminal: self.stdin_is_terminal,
                stdin_in_use: self.stdin_in_use.clone(),
            },
        };
        let c = Client::new(rc, opts)?;
        Ok(self.client.get_or_init(|| c))
    }

    /// `--cache-dir`, else `$KUBECACHEDIR`, else `~/.kube/cache`.
    pub fn cache_root(&self) -> Option<PathBuf> {
        if let Some(d) = self
            .global
            .cache_dir
            .clone()
            .filter(|p| !p.as_os_str().is_empty())
        {
            return Some(d);
        }
        if let Some(d) = self.env.get("KUBECACHEDIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(d));
        }
        self.home.as_ref().map(|h| h.join(".kube").join("cache"))
    }

    /// Discovery (built once, over the shared client and the disk cache).
    pub fn discovery(&self) -> Result<&Discovery, CliError> {
        if let Some(d) = self.discovery.get() {
            return Ok(d);
        }
        let d = Discovery::new(self.client()?.clone(), self.cache_root().as_deref())
            .with_warnings(self.err.clone());
        Ok(self.discovery.get_or_init(|| d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a command line in-process over `env` and `stdin`: (stdout, rendered error).
    async fn run_in(argv: &[&str], env: Env, stdin: &[u8]) -> (String, String) {
        use clap::Parser;
        let cli = crate::cmd::Cli::try_parse_from(argv).unwrap();
        let (io, out, _err) = Io::buffered_with_input(stdin.to_vec());
        let ctx = Context::new(cli.global.clone(), env, io, "kubectl");
        let err = match crate::cmd::run(&cli.command, &ctx).await {
            Ok(()) => String::new(),
            Err(e) => crate::error::render(&e).stderr,
        };
        (out.text(), err)
    }

    #[tokio::test]
    async fn commands_read_stdin_and_environment_through_the_context() {
        let cm = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
        for argv in [
            &[
                "kubectl-rs",
                "label",
                "--local",
                "-f",
                "-",
                "x=z",
                "-o",
                "yaml",
            ][..],
            &[
                "kubectl-rs",
                "patch",
                "--local",
                "-f",
                "-",
                "-p",
                r#"{"metadata":{"labels":{"x":"z"}}}"#,
                "-o",
                "yaml",
            ],
        ] {
            let (out, err) = run_in(argv, Env::default(), cm).await;
            assert_eq!(err, "", "{argv:?}");
            assert!(
                out.contains("name: c") && out.contains("x: z"),
                "{argv:?}: {out}"
            );
        }
        // `--from-env-file`: a bare name takes its value from the command's environment.
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("env");
        std::fs::write(&file, "FROM_CONTEXT_ONLY\nB=1\n").unwrap();
        let env = Env::from_pairs([("FROM_CONTEXT_ONLY", "injected")]);
        let file = file.to_str().unwrap();
        let argv = [
            "kubectl-rs",
            "create",
            "configmap",
            "x",
            "--from-env-file",
            file,
            "--dry-run=client",
            "-o",
            "yaml",
        ];
        let (out, err) = run_in(&argv, env, b"").await;
        assert_eq!(err, "");
        assert!(out.contains("FROM_CONTEXT_ONLY: injected"), "{out}");
    }

    #[test]
    fn lazily_resolves_from_env() {
        let (_d, env) = crate::testutil::kubeconfig_env(
            "clusters:\n- name: c\n  cluster: {server: 'https://h:1'}\ncontexts:\n- name: x\n  context: {cluster: c, namespace: team}\ncurrent-context: x\n",
            &[("KUBECACHEDIR", "/cachedir")],
        );
        let (io, _out, _err) = Io::buffered();
        let ctx = Context::new(GlobalArgs::default(), env, io, "kubectl get");
        assert_eq!(ctx.namespace().unwrap(), ("team".to_string(), false));
        assert_eq!(ctx.client().unwrap().config().server, "https://h:1");
        assert_eq!(ctx.cache_root(), Some(PathBuf::from("/cachedir")));
        assert_eq!(
            ctx.discovery().unwrap().cache_file().unwrap(),
            std::path::Path::new("/cachedir/kubectl-rs/discovery/h_1/discovery.json")
        );
    }

    #[test]
    fn each_output_guard_is_flushed_when_dropped() {
        let buf = SharedBuf::default();
        let (mut io, _, _) = Io::buffered();
        io.out = Box::new(std::io::BufWriter::new(buf.clone()));
        let ctx = Context::new(GlobalArgs::default(), Env::default(), io, "kubectl delete");
        ctx.out().write_all(b"configmap \"a\" deleted\n").unwrap();
        assert_eq!(buf.text(), "configmap \"a\" deleted\n");
        {
            let mut out = ctx.out();
            writeln!(out, "b").unwrap();
            assert_eq!(buf.text(), "configmap \"a\" deleted\n");
        }
        assert_eq!(buf.text(), "configmap \"a\" deleted\nb\n");
    }

    #[test]
    fn missing_named_entries() {
        let d = tempfile::tempdir().unwrap();
        let kc = d.path().join("kc");
        std::fs::write(&kc, "clusters:\n- name: c\n  cluster: {server: 'https://h:1'}\ncontexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n").unwrap();
        let env = Env::from_pairs([("KUBECONFIG", kc.to_str().unwrap())]);
        let text = |g: GlobalArgs, ns: bool| {
            let (io, _, _) = Io::buffered();
            let ctx = Context::new(g, env.clone(), io, "kubectl x");
            let e = if ns {
                ctx.namespace().unwrap_err()
            } else {
                ctx.rest_config().map(|_| ()).unwrap_err()
            };
            crate::error::render(&e).stderr
        };
        let ctx_nope = || GlobalArgs {
            context: Some("nope".into()),
            ..Default::default()
        };
        assert_eq!(
            text(ctx_nope(), false),
            "error: context \"nope\" does not exist\n"
        );
        assert_eq!(
            text(ctx_nope(), true),
            "Error in configuration: context was not found for specified context: nope\n"
        );
        let g = GlobalArgs {
            cluster: Some("nope".into()),
            ..Default::default()
        };
        assert_eq!(text(g, false), "error: cluster \"nope\" does not exist\n");
        let g = GlobalArgs {
            user: Some("nope".into()),
            ..Default::default()
        };
        assert_eq!(
            text(g.clone(), false),
            "error: auth info \"nope\" does not exist\n"
        );
        assert_eq!(text(g, true), "error: auth info \"nope\" does not exist\n");
    }

    #[test]
    fn flag_errors_surface() {
        let g = GlobalArgs {
            request_timeout: "bogus".into(),
            ..Default::default()
        };
        let (io, _, _) = Io::buffered();
        let ctx = Context::new(g, Env::default(), io, "kubectl get");
        assert!(ctx.rest_config().is_err());
        let (io, out, err) = Io::buffered_with_input(b"piped".to_vec());
        let ctx = Context::new(GlobalArgs::default(), Env::default(), io, "kubectl x");
        let mut s = String::new();
        std::io::Read::read_to_string(&mut *ctx.stdin(), &mut s).unwrap();
        assert_eq!(s, "piped");
        assert!(!ctx.stdin_is_terminal());
        writeln!(ctx.out(), "hello").unwrap();
        ctx.eprint("oops\n");
        assert_eq!(
            (out.text(), err.text()),
            ("hello\n".into(), "oops\n".into())
        );
    }
}

//! The simulated container runtime: each container's command runs in a built-in shell
//! ([`interp`]) over a per-container virtual filesystem ([`vfs`]) built from its pod
//! ([`pod`]); what it prints is kept, with timestamps, as the log of its container ID (the
//! `pods/log` subresource reads it). The kubelet starts, signals and forgets containers
//! through [`Runtime`] and learns of their exits on a channel.

pub mod interp;
pub mod parse;
pub mod pod;
pub mod pty;
pub mod stdin;
pub mod vfs;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::{broadcast, mpsc, watch};

use crate::store::Store;
use interp::{Output, Shell, ShellCtx, Stream};
use stdin::StdinPipe;

/// Most lines a container log keeps (older ones rotate away, as the kubelet's do).
const MAX_LINES: usize = 100_000;

/// One line of a container log (the last one may lack its newline).
#[derive(Clone, Debug)]
pub struct LogLine {
    pub at: DateTime<Utc>,
    pub text: Vec<u8>,
}

#[derive(Default)]
struct ContainerLog {
    pod_uid: String,
    lines: Vec<LogLine>,
    /// A line being written (no newline yet).
    partial: Option<LogLine>,
    /// The container has exited: nothing more comes.
    closed: bool,
    /// Lines rotated away so far (follow positions count them).
    rotated: usize,
}

/// A container that exited.
#[derive(Clone, Debug)]
pub struct Exit {
    pub pod_uid: String,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub container_id: String,
    pub code: i32,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
}

struct Running {
    pod_uid: String,
    term: watch::Sender<bool>,
    task: tokio::task::AbortHandle,
    /// What another process in the container (a later `exec`) shares with it.
    shared: ContainerShared,
}

/// A running container's filesystem and environment, for starting another process in it.
#[derive(Clone)]
pub struct ContainerShared {
    pub fs: vfs::Vfs,
    pub env: Arc<[(String, String)]>,
    pub hostname: String,
    pub cwd: String,
}

#[derive(Default)]
struct Inner {
    logs: HashMap<String, ContainerLog>,
    running: HashMap<String, Running>,
    volumes: HashMap<String, pod::PodVolumes>,
    read_only: vfs::ReadOnlyTrees,
    /// The stdin pipes of the running containers that have one (`stdin: true`).
    stdin: HashMap<String, Arc<StdinPipe>>,
    /// The terminals' window sizes of the running containers with a TTY.
    winsizes: HashMap<String, Arc<pty::Winsize>>,
}

/// One write of a container's process, as attached clients see it live.
#[derive(Clone, Debug)]
pub struct LiveOutput {
    pub container_id: String,
    pub stream: Stream,
    pub data: Vec<u8>,
}

/// Every simulated container of the cluster, with its log.
pub struct Runtime {
    inner: Mutex<Inner>,
    /// Bumped at every log write or exit (followers wait on it).
    changed: watch::Sender<u64>,
    /// Every write of every container, as it happens (what `attach` streams).
    live: broadcast::Sender<Arc<LiveOutput>>,
    /// Resize messages taken so far, by attach and exec sessions (see [`Runtime::resized`]).
    resizes: std::sync::atomic::AtomicUsize,
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime {
            inner: Mutex::new(Inner::default()),
            changed: watch::channel(0).0,
            live: broadcast::channel(4096).0,
            resizes: Default::default(),
        }
    }
}

/// Collects a process's output (an exec probe's).
struct BufOutput(Arc<Mutex<Vec<u8>>>);

impl Output for BufOutput {
    fn write(&self, _stream: Stream, data: &[u8], _at: DateTime<Utc>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(data);
    }
}

struct LogWriter {
    rt: Arc<Runtime>,
    id: String,
    /// The container has a TTY: what it writes goes through the terminal (`\n` as `\r\n`).
    tty: bool,
}

impl Output for LogWriter {
    fn write(&self, stream: Stream, data: &[u8], at: DateTime<Utc>) {
        if self.tty {
            self.rt.output(&self.id, stream, &pty::onlcr(data), at);
        } else {
            self.rt.output(&self.id, stream, data, at);
        }
    }
}

impl Runtime {
    /// A write to a container's terminal or streams: its log, and the attached clients.
    pub fn output(&self, id: &str, stream: Stream, data: &[u8], at: DateTime<Utc>) {
        self.append(id, data, at);
        if !data.is_empty() && self.live.receiver_count() > 0 {
            let _ = self.live.send(Arc::new(LiveOutput {
                container_id: id.to_string(),
                stream,
                data: data.to_vec(),
            }));
        }
    }
}

/// What a log request selects (the `pods/log` query).
#[derive(Clone, Debug, Default)]
pub struct LogQuery {
    pub since: Option<DateTime<Utc>>,
    pub tail: Option<usize>,
    pub timestamps: bool,
    pub limit_bytes: Option<usize>,
}

/// The time format of `timestamps=true` (RFC 3339 with nanoseconds, as the kubelet writes).
pub fn log_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

impl Runtime {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn append(&self, id: &str, data: &[u8], at: DateTime<Utc>) {
        {
            let mut inner = self.lock();
            let Some(log) = inner.logs.get_mut(id) else {
                return;
            };
            let mut rest = data;
            while !rest.is_empty() {
                let (chunk, more, complete) = match rest.iter().position(|b| *b == b'\n') {
                    Some(i) => (&rest[..=i], &rest[i + 1..], true),
                    None => (rest, &rest[rest.len()..], false),
                };
                let line = log.partial.get_or_insert_with(|| LogLine {
                    at,
                    text: Vec::new(),
                });
                line.text.extend_from_slice(chunk);
                if complete {
                    if let Some(l) = log.partial.take() {
                        log.lines.push(l);
                    }
                }
                rest = more;
            }
            // Rotated in batches, so that a chatty container does not move the whole log at
            // every line.
            if log.lines.len() > MAX_LINES + MAX_LINES / 10 {
                let drop = log.lines.len() - MAX_LINES;
                log.lines.drain(..drop);
                log.rotated += drop;
            }
        }
        self.bump();
    }

    /// Starts container `c` of `pod` as `id`; its exit is sent on `exits`. `at` is when it
    /// starts (the process's own time, see [`interp::Shell`]).
    pub fn start(
        self: &Arc<Self>,
        store: &Store,
        pod: &Value,
        c: &Value,
        id: &str,
        at: DateTime<Utc>,
        exits: mpsc::UnboundedSender<Exit>,
    ) {
        let uid = pod["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let fs = {
            let mut inner = self.lock();
            let Inner {
                volumes, read_only, ..
            } = &mut *inner;
            let vols = volumes.entry(uid.clone()).or_default();
            pod::filesystem(store, pod, c, vols, read_only)
        };
        let env: Arc<[(String, String)]> = pod::environment(store, pod, c).into();
        let argv = command_line(c);
        let tty = c["tty"].as_bool() == Some(true);
        let (term_tx, term_rx) = watch::channel(false);
        // `stdin: true`: the process reads what attached clients send (`stdinOnce`: until the
        // first attach session ends).
        let stdin_pipe = (c["stdin"].as_bool() == Some(true))
            .then(|| Arc::new(StdinPipe::new(c["stdinOnce"].as_bool() == Some(true))));
        let shared = ContainerShared {
            fs: fs.clone(),
            env: Arc::clone(&env),
            hostname: pod["spec"]["hostname"]
                .as_str()
                .or_else(|| pod["metadata"]["name"].as_str())
                .unwrap_or_default()
                .to_string(),
            cwd: c["workingDir"].as_str().unwrap_or("/").to_string(),
        };
        let ctx = ShellCtx {
            fs,
            env,
            hostname: pod["spec"]["hostname"]
                .as_str()
                .or_else(|| pod["metadata"]["name"].as_str())
                .unwrap_or_default()
                .to_string(),
            clock: store.clock().clone(),
            output: Arc::new(LogWriter {
                rt: self.clone(),
                id: id.to_string(),
                tty,
            }),
            term: term_rx,
            cwd: c["workingDir"].as_str().unwrap_or("/").to_string(),
            stdin: stdin_pipe.clone(),
        };
        if let Some(p) = &stdin_pipe {
            self.lock().stdin.insert(id.to_string(), p.clone());
        }
        let winsize = tty.then(|| Arc::new(pty::Winsize::default()));
        if let Some(w) = &winsize {
            self.lock().winsizes.insert(id.to_string(), w.clone());
        }
        self.lock().logs.insert(
            id.to_string(),
            ContainerLog {
                pod_uid: uid.clone(),
                ..Default::default()
            },
        );
        let rt = self.clone();
        let exit = Exit {
            pod_uid: uid.clone(),
            namespace: pod["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            pod: pod["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            container: c["name"].as_str().unwrap_or_default().to_string(),
            container_id: id.to_string(),
            code: 0,
            started: at,
            finished: at,
        };
        let id_owned = id.to_string();
        // A quiet server with no stdin or terminal only waits: no shell is kept for it.
        let quiet =
            stdin_pipe.is_none() && winsize.is_none() && interp::is_quiet_server(&ctx, &argv);
        let task = tokio::spawn(async move {
            let (code, finished) = if quiet {
                let ShellCtx { term, clock, .. } = ctx;
                interp::wait_for_term(term, clock, at).await
            } else {
                let mut sh = Shell::new_at(ctx, at);
                if let Some(w) = winsize {
                    sh.set_tty(w);
                }
                let code = sh.run_argv(argv).await;
                (code, sh.now())
            };
            {
                let mut inner = rt.lock();
                inner.running.remove(&id_owned);
                inner.stdin.remove(&id_owned);
                inner.winsizes.remove(&id_owned);
                if let Some(log) = inner.logs.get_mut(&id_owned) {
                    if let Some(l) = log.partial.take() {
                        log.lines.push(l);
                    }
                    log.closed = true;
                }
            }
            rt.bump();
            let _ = exits.send(Exit {
                code,
                finished,
                ..exit
            });
        });
        self.lock().running.insert(
            id.to_string(),
            Running {
                pod_uid: uid,
                term: term_tx,
                task: task.abort_handle(),
                shared,
            },
        );
    }

    /// The filesystem and environment of a running container (None once it exited).
    pub fn container(&self, id: &str) -> Option<ContainerShared> {
        self.lock().running.get(id).map(|r| r.shared.clone())
    }

    /// The stdin pipe of a running container started with `stdin: true`.
    pub fn stdin_pipe(&self, id: &str) -> Option<Arc<StdinPipe>> {
        self.lock().stdin.get(id).cloned()
    }

    /// The window size of a running container's terminal (`tty: true`).
    pub fn winsize(&self, id: &str) -> Option<Arc<pty::Winsize>> {
        self.lock().winsizes.get(id).cloned()
    }

    /// A session's resize message, for the terminal `size` (none: the container has no TTY,
    /// and the message goes nowhere).
    pub fn resize(&self, size: Option<&pty::Winsize>, msg: &[u8]) {
        if size.is_some_and(|w| w.resize(msg)) {
            self.resizes
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// How many resize messages reached a terminal (a test sees a client's SIGWINCH by it).
    pub fn resized(&self) -> usize {
        self.resizes.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether container instance `id` is running.
    pub fn is_running(&self, id: &str) -> bool {
        self.lock().running.contains_key(id)
    }

    /// How many attach sessions are open (a test sees a client attach by it).
    pub fn attached(&self) -> usize {
        self.live.receiver_count()
    }

    /// A receiver of every container's output from now on.
    pub fn live(&self) -> broadcast::Receiver<Arc<LiveOutput>> {
        self.live.subscribe()
    }

    /// Sends SIGTERM to one container instance (a failed liveness or startup probe).
    pub fn terminate(&self, id: &str) {
        if let Some(r) = self.lock().running.get(id) {
            let _ = r.term.send(true);
        }
    }

    /// Runs `argv` as another process in running container `id` (an exec probe), returning
    /// its exit code and what it wrote to stdout and stderr, interleaved; None when the
    /// container is not running.
    pub fn probe_exec(
        &self,
        id: &str,
        argv: Vec<String>,
        clock: crate::clock::Clock,
    ) -> Option<impl std::future::Future<Output = (i32, Vec<u8>)> + Send + 'static> {
        let shared = self.container(id)?;
        let buf = Arc::new(Mutex::new(Vec::new()));
        let ctx = ShellCtx {
            fs: shared.fs,
            env: shared.env,
            hostname: shared.hostname,
            clock,
            output: Arc::new(BufOutput(buf.clone())),
            term: watch::channel(false).1,
            cwd: shared.cwd,
            stdin: None,
        };
        Some(async move {
            let mut sh = Shell::new(ctx);
            sh.set_exec_session();
            let code = sh.run_argv(argv).await;
            let out = buf.lock().unwrap_or_else(|e| e.into_inner()).clone();
            (code, out)
        })
    }

    /// Sends SIGTERM to every container of a pod.
    pub fn terminate_pod(&self, uid: &str) {
        for r in self.lock().running.values().filter(|r| r.pod_uid == uid) {
            let _ = r.term.send(true);
        }
    }

    /// Ends a pod's containers at once and drops their logs (the pod is gone).
    pub fn remove_pod(&self, uid: &str) {
        let mut inner = self.lock();
        let gone: Vec<String> = inner
            .running
            .iter()
            .filter(|(_, r)| r.pod_uid == uid)
            .map(|(id, _)| id.clone())
            .collect();
        for id in gone {
            inner.stdin.remove(&id);
        }
        inner.running.retain(|_, r| {
            if r.pod_uid == uid {
                r.task.abort();
                false
            } else {
                true
            }
        });
        inner.logs.retain(|_, l| l.pod_uid != uid);
        inner.volumes.remove(uid);
        drop(inner);
        self.bump();
    }

    /// Drops the logs of a pod's container instances other than `keep` (those its status
    /// still names: the current and the previous instance of each container).
    pub fn forget_pod_logs_except(&self, uid: &str, keep: &std::collections::HashSet<String>) {
        self.lock()
            .logs
            .retain(|id, l| l.pod_uid != uid || keep.contains(id));
    }

    /// Whether a container instance is known (running or with a log).
    pub fn has_log(&self, id: &str) -> bool {
        self.lock().logs.contains_key(id)
    }

    /// The selected lines of a container log, rendered, and whether the log is closed.
    /// `from` is the number of lines already sent (a follow's later reads), `None` at first,
    /// when the since/tail selection applies. Returns the bytes, the lines so far, and whether
    /// the container is done.
    pub fn read(&self, id: &str, q: &LogQuery, from: Option<usize>) -> (Vec<u8>, usize, bool) {
        let inner = self.lock();
        let Some(log) = inner.logs.get(id) else {
            return (Vec::new(), from.unwrap_or(0), true);
        };
        let mut lines: Vec<&LogLine> = log.lines.iter().collect();
        // A partial line is shown only once the container is done with it.
        let total = lines.len();
        let mut start = from.unwrap_or(0).saturating_sub(log.rotated).min(total);
        if from.is_none() {
            if let Some(since) = q.since {
                start = lines.iter().position(|l| l.at >= since).unwrap_or(total);
            }
            if let Some(t) = q.tail {
                start = start.max(total.saturating_sub(t));
            }
        }
        lines = lines[start..].to_vec();
        let mut out = Vec::new();
        for l in lines {
            if q.timestamps {
                out.extend_from_slice(log_time(l.at).as_bytes());
                out.push(b' ');
            }
            out.extend_from_slice(&l.text);
        }
        (out, total + log.rotated, log.closed)
    }

    /// A receiver that changes whenever any log grows or a container exits.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }
}

/// The command a container runs: `command` + `args`, else the image's default.
pub fn command_line(c: &Value) -> Vec<String> {
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|s| s.as_str().unwrap_or_default().to_string())
            .collect()
    };
    let command = strs(&c["command"]);
    let args = strs(&c["args"]);
    if !command.is_empty() {
        return [command, args].concat();
    }
    let image = c["image"].as_str().unwrap_or_default();
    let repo = image
        .rsplit('/')
        .next()
        .unwrap_or(image)
        .split([':', '@'])
        .next()
        .unwrap_or_default();
    // Images whose default command is a shell: with no terminal it reads an empty stdin
    // and exits 0. Everything else is taken for a server that runs until stopped.
    let shell_image = matches!(
        repo,
        "busybox" | "alpine" | "ubuntu" | "debian" | "bash" | "fedora" | "centos" | "amazonlinux"
    );
    let default: Vec<String> = if shell_image {
        vec!["sh".into()]
    } else {
        vec![format!("/{repo}-entrypoint")]
    };
    if args.is_empty() {
        default
    } else if shell_image {
        // Arguments replace a shell image's CMD.
        args
    } else {
        [default, args].concat()
    }
}

//! The built-in shell that runs a simulated container's command: POSIX `sh` over the
//! container's virtual filesystem, with the common busybox utilities built in. Time is the
//! sandbox clock (`sleep` waits on it); output goes to the container log; SIGTERM ends the
//! shell at once unless a `trap` catches it. Programs it does not know run quietly until they
//! are signalled, like a server would.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use tokio::sync::watch;

use super::parse::{parse, Cmd, Part, Redir, RedirOp, Word};
use super::vfs::{normalize, Entry, Vfs};
use crate::clock::Clock;

#[path = "tarcmd.rs"]
mod tarcmd;

/// Which stream a write goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Where a container's output ends up (its log).
pub trait Output: Send + Sync {
    /// `at` is the process's time: when it wrote (see [`Shell`] on time).
    fn write(&self, stream: Stream, data: &[u8], at: DateTime<Utc>);
}

/// What a shell needs from the container it runs in.
#[derive(Clone)]
pub struct ShellCtx {
    pub fs: Vfs,
    /// The container's environment, in order (shared with the runtime's record of the
    /// container, for `exec`).
    pub env: Arc<[(String, String)]>,
    pub hostname: String,
    pub clock: Clock,
    pub output: Arc<dyn Output>,
    /// Becomes true when the container is sent SIGTERM.
    pub term: watch::Receiver<bool>,
    /// Working directory (`workingDir`, else `/`).
    pub cwd: String,
    /// The container's stdin when it has one (`stdin: true`); None reads as empty.
    pub stdin: Option<Arc<super::stdin::StdinPipe>>,
}

#[derive(Clone, Debug)]
enum Sink {
    Log(Stream),
    Buf(usize),
    File(String),
    Null,
}

#[derive(Clone, Debug)]
struct Io {
    out: Sink,
    err: Sink,
    input: Vec<u8>,
    /// After `input`, reads go on from the container's stdin pipe (the process's own stdin,
    /// not a pipeline's or a redirection's).
    stream: bool,
}

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Normal(i32),
    Exit(i32),
    Break(u32),
    Continue(u32),
    Return(i32),
}

impl Flow {
    fn status(self) -> i32 {
        match self {
            Flow::Normal(s) | Flow::Exit(s) | Flow::Return(s) => s,
            _ => 0,
        }
    }
}

/// The exit status of a process ended by SIGTERM.
pub const SIGTERM_STATUS: i32 = 143;

pub struct Shell {
    ctx: ShellCtx,
    vars: Vec<(String, String, bool)>,
    positional: Vec<String>,
    arg0: String,
    funcs: HashMap<String, Cmd>,
    status: i32,
    traps: HashMap<String, String>,
    io: Io,
    bufs: Vec<Vec<u8>>,
    term_seen: bool,
    depth: u32,
    subst_status: i32,
    /// The process's own time: when it started, then where each `sleep` ended. Commands take
    /// no time, so a loop of `sleep 1` wakes once per second of cluster time even when the
    /// clock jumps ahead by minutes (it catches up at once, with the right timestamps).
    vtime: DateTime<Utc>,
    /// Loop iterations since the process last waited (see `pace`).
    spins: u32,
    /// An `exec` session: a program the simulation does not know is "not found" (status 127)
    /// instead of a quiet server, so `kubectl exec POD -- nosuchcmd` ends.
    exec_session: bool,
    /// Its stdin is a terminal (with the window size its client set): an interactive shell
    /// prompts before each command.
    tty: Option<Arc<super::pty::Winsize>>,
}

fn boxed<'a, T: Send + 'a>(
    f: impl std::future::Future<Output = T> + Send + 'a,
) -> BoxFuture<'a, T> {
    Box::pin(f)
}

impl Shell {
    /// A shell whose process starts at `at` (see `vtime`).
    pub fn new_at(ctx: ShellCtx, at: DateTime<Utc>) -> Shell {
        let mut sh = Shell::new(ctx);
        sh.vtime = at;
        sh
    }

    /// The process's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.vtime
    }

    pub fn new(ctx: ShellCtx) -> Shell {
        let vars = ctx
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone(), true))
            .collect();
        let vtime = ctx.clock.now();
        let stream = ctx.stdin.is_some();
        Shell {
            vtime,
            ctx,
            vars,
            positional: Vec::new(),
            arg0: "sh".into(),
            funcs: HashMap::new(),
            status: 0,
            traps: HashMap::new(),
            io: Io {
                out: Sink::Log(Stream::Stdout),
                err: Sink::Log(Stream::Stderr),
                input: Vec::new(),
                stream,
            },
            bufs: Vec::new(),
            term_seen: false,
            depth: 0,
            subst_status: 0,
            spins: 0,
            exec_session: false,
            tty: None,
        }
    }

    /// What the process reads on its standard input (an `exec -i`'s stdin, read to its end).
    pub fn set_stdin(&mut self, data: Vec<u8>) {
        self.io.input = data;
    }

    /// Marks this shell's stdin as a terminal of that size (see `tty`).
    pub fn set_tty(&mut self, size: Arc<super::pty::Winsize>) {
        self.tty = Some(size);
    }

    /// busybox ash's prompt (`PS1='\w \$ '`, root's `#`), or its continuation prompt: on
    /// stderr, which the terminal shows.
    fn prompt(&mut self, more: bool) {
        if self.tty.is_none() {
            return;
        }
        let p = if more {
            "> ".to_string()
        } else {
            let home = self.get_var("HOME").unwrap_or_else(|| "/root".into());
            let cwd = self.ctx.cwd.clone();
            let shown = match cwd.strip_prefix(&home) {
                Some(rest) if home != "/" && (rest.is_empty() || rest.starts_with('/')) => {
                    format!("~{rest}")
                }
                _ => cwd,
            };
            format!("{shown} # ")
        };
        self.err(p);
    }

    /// Marks this shell as an `exec` session (see `exec_session`).
    pub fn set_exec_session(&mut self) {
        self.exec_session = true;
    }

    /// Runs a container's command line (`command` + `args`); returns its exit code.
    pub async fn run_argv(&mut self, argv: Vec<String>) -> i32 {
        if argv.is_empty() {
            return 0;
        }
        let flow = self.exec(argv).await;
        self.finish(flow).await
    }

    /// Runs a script as `sh -c` does; returns its exit code.
    pub async fn run_script(&mut self, src: &str) -> i32 {
        let flow = self.eval_src(src).await;
        self.finish(flow).await
    }

    async fn finish(&mut self, flow: Flow) -> i32 {
        let code = flow.status();
        if let Some(action) = self.traps.remove("EXIT") {
            self.status = code;
            let f = self.eval_src(&action).await;
            if let Flow::Exit(c) = f {
                return c;
            }
        }
        code
    }

    // -----------------------------------------------------------------------------------
    // Variables

    pub fn get_var(&self, name: &str) -> Option<String> {
        match name {
            "?" => return Some(self.status.to_string()),
            "#" => return Some(self.positional.len().to_string()),
            "$" => return Some("1".into()),
            "!" => return Some(String::new()),
            "-" => return Some(String::new()),
            "0" => return Some(self.arg0.clone()),
            "@" | "*" => return Some(self.positional.join(" ")),
            _ => {}
        }
        if let Ok(n) = name.parse::<usize>() {
            return self.positional.get(n.wrapping_sub(1)).cloned();
        }
        self.vars
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, v, _)| v.clone())
    }

    fn set_var(&mut self, name: &str, value: String) {
        match self.vars.iter_mut().find(|(k, _, _)| k == name) {
            Some(v) => v.1 = value,
            None => self.vars.push((name.to_string(), value, false)),
        }
    }

    fn export(&mut self, name: &str) {
        match self.vars.iter_mut().find(|(k, _, _)| k == name) {
            Some(v) => v.2 = true,
            None => self.vars.push((name.to_string(), String::new(), true)),
        }
    }

    fn environ(&self) -> Vec<(String, String)> {
        self.vars
            .iter()
            .filter(|(_, _, e)| *e)
            .map(|(k, v, _)| (k.clone(), v.clone()))
            .collect()
    }

    // -----------------------------------------------------------------------------------
    // Output

    fn write_to(&mut self, sink: Sink, data: &[u8]) {
        match sink {
            Sink::Log(s) => self.ctx.output.write(s, data, self.vtime),
            Sink::Buf(i) => {
                if let Some(b) = self.bufs.get_mut(i) {
                    b.extend_from_slice(data);
                }
            }
            Sink::File(path) => {
                let _ = self.ctx.fs.write(&path, data, true);
            }
            Sink::Null => {}
        }
    }

    fn out(&mut self, data: impl AsRef<[u8]>) {
        let sink = self.io.out.clone();
        self.write_to(sink, data.as_ref());
    }

    fn err(&mut self, data: impl AsRef<[u8]>) {
        let sink = self.io.err.clone();
        self.write_to(sink, data.as_ref());
    }

    fn errln(&mut self, msg: &str) {
        self.err(format!("{msg}\n"));
    }

    fn path(&self, p: &str) -> String {
        resolve(&self.ctx.cwd, p)
    }

    // -----------------------------------------------------------------------------------
    // Signals

    fn term_pending(&self) -> bool {
        !self.term_seen && *self.ctx.term.borrow()
    }

    /// Handles a pending SIGTERM: runs its trap, or ends the shell.
    async fn check_signals(&mut self) -> Option<Flow> {
        if !self.term_pending() {
            return None;
        }
        self.term_seen = true;
        match self.traps.get("TERM").cloned() {
            Some(a) if a.is_empty() => None,
            Some(a) => {
                let saved = self.status;
                let f = self.eval_src(&a).await;
                self.status = saved;
                match f {
                    Flow::Exit(c) => Some(Flow::Exit(c)),
                    _ => None,
                }
            }
            None => Some(Flow::Exit(SIGTERM_STATUS)),
        }
    }

    /// Waits for cluster time `d`, or until a signal arrives; true when the full time passed.
    async fn wait(&mut self, d: Option<Duration>) -> bool {
        if self.term_pending() {
            return false;
        }
        let mut rx = self.ctx.term.clone();
        let clock = self.ctx.clock.clone();
        let deadline =
            d.map(|d| self.vtime + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX));
        let timer = async move {
            match deadline {
                Some(at) => clock.sleep_until(at).await,
                None => std::future::pending::<()>().await,
            }
        };
        self.spins = 0;
        // An attach session that ends with its client's stdin waits for this (the process
        // has done what it does with the input it had).
        let pipe = self.ctx.stdin.clone();
        let _waiting = pipe.as_ref().map(|p| p.waiting_other());
        let done = tokio::select! {
            _ = timer => true,
            _ = async {
                loop {
                    if *rx.borrow_and_update() { return; }
                    if rx.changed().await.is_err() { std::future::pending::<()>().await; }
                }
            } => false,
        };
        self.vtime = match deadline {
            Some(at) if done => at,
            _ => self.vtime.max(self.ctx.clock.now()),
        };
        done
    }

    /// A loop that never waits (`while true; do echo x; done`) would hold a thread and fill
    /// its log as fast as the machine goes: every thousand iterations without a wait cost it
    /// 100 ms of cluster time, so it runs at a bounded pace (and not at all on a manual clock
    /// that stands still). Returns how the shell ends when a signal arrives meanwhile.
    async fn pace(&mut self) -> Option<Flow> {
        self.spins += 1;
        if self.spins < 1000 {
            tokio::task::yield_now().await;
            return None;
        }
        self.wait(Some(Duration::from_millis(100))).await;
        self.check_signals().await
    }

    // -----------------------------------------------------------------------------------
    // Evaluation

    fn eval_src<'a>(&'a mut self, src: &'a str) -> BoxFuture<'a, Flow> {
        boxed(async move {
            match parse(src) {
                Ok(c) => self.run(&c).await,
                Err(e) => {
                    self.errln(&format!("sh: {e}"));
                    Flow::Exit(2)
                }
            }
        })
    }

    /// One run of a loop's body, then the loop's pacing: `Ok(true)` goes on, `Ok(false)` ends
    /// the loop (`break`), `Err(f)` passes `f` outward (`break N`, `continue N`, an exit); a
    /// normal end becomes the loop's status.
    async fn loop_body(&mut self, body: &Cmd, last: &mut Flow) -> Result<bool, Flow> {
        match self.run(body).await {
            Flow::Break(n) if n > 1 => return Err(Flow::Break(n - 1)),
            Flow::Break(_) => return Ok(false),
            Flow::Continue(n) if n > 1 => return Err(Flow::Continue(n - 1)),
            Flow::Continue(_) => {}
            f @ Flow::Normal(_) => *last = f,
            f => return Err(f),
        }
        match self.pace().await {
            Some(f) => Err(f),
            None => Ok(true),
        }
    }

    fn run<'a>(&'a mut self, c: &'a Cmd) -> BoxFuture<'a, Flow> {
        boxed(async move {
            let f = self.run_inner(c).await;
            if let Flow::Normal(s) | Flow::Return(s) = f {
                self.status = s;
            }
            if let Some(f) = self.check_signals().await {
                return f;
            }
            f
        })
    }

    async fn run_inner(&mut self, c: &Cmd) -> Flow {
        match c {
            Cmd::Simple {
                assigns,
                words,
                redirs,
            } => self.simple(assigns, words, redirs).await,
            Cmd::Pipeline(cmds, neg) => {
                let mut input = std::mem::take(&mut self.io.input);
                let mut last = Flow::Normal(0);
                for (i, c) in cmds.iter().enumerate() {
                    let saved = self.io.clone();
                    let buf = self.bufs.len();
                    let piped = i + 1 < cmds.len();
                    if piped {
                        self.bufs.push(Vec::new());
                        self.io.out = Sink::Buf(buf);
                    }
                    self.io.input = std::mem::take(&mut input);
                    if i > 0 {
                        self.io.stream = false;
                    }
                    last = self.run(c).await;
                    self.io = saved;
                    if piped {
                        input = self.bufs.pop().unwrap_or_default();
                    }
                    if let Flow::Exit(_) = last {
                        if !piped {
                            break;
                        }
                        last = Flow::Normal(last.status());
                    }
                }
                match (last, neg) {
                    (Flow::Normal(s), true) => Flow::Normal(i32::from(s == 0)),
                    (f, _) => f,
                }
            }
            Cmd::And(a, b) => match self.run(a).await {
                Flow::Normal(0) => self.run(b).await,
                f => f,
            },
            Cmd::Or(a, b) => match self.run(a).await {
                Flow::Normal(0) => Flow::Normal(0),
                Flow::Normal(_) => self.run(b).await,
                f => f,
            },
            Cmd::List(items) => {
                let mut last = Flow::Normal(0);
                for (c, bg) in items {
                    if *bg {
                        // No job control: a background command runs to completion first
                        // unless it never ends, in which case it is left out.
                        if is_endless(c) {
                            last = Flow::Normal(0);
                            continue;
                        }
                    }
                    last = self.run(c).await;
                    if !matches!(last, Flow::Normal(_)) {
                        return last;
                    }
                }
                last
            }
            Cmd::If(arms, otherwise) => {
                for (cond, body) in arms {
                    match self.run(cond).await {
                        Flow::Normal(0) => return self.run(body).await,
                        Flow::Normal(_) => {}
                        f => return f,
                    }
                }
                match otherwise {
                    Some(b) => self.run(b).await,
                    None => Flow::Normal(0),
                }
            }
            Cmd::While(cond, body, until) => {
                let mut last = Flow::Normal(0);
                loop {
                    let ok = match self.run(cond).await {
                        Flow::Normal(s) => (s == 0) != *until,
                        f => return f,
                    };
                    if !ok {
                        break;
                    }
                    match self.loop_body(body, &mut last).await {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(f) => return f,
                    }
                }
                last
            }
            Cmd::For(var, items, body) => {
                let values = match items {
                    Some(ws) => {
                        let mut v = Vec::new();
                        for w in ws {
                            v.extend(self.expand(w).await);
                        }
                        v
                    }
                    None => self.positional.clone(),
                };
                let mut last = Flow::Normal(0);
                for v in values {
                    self.set_var(var, v);
                    match self.loop_body(body, &mut last).await {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(f) => return f,
                    }
                }
                last
            }
            Cmd::Case(subject, arms) => {
                let s = self.expand_str(subject).await;
                for (pats, body) in arms {
                    for p in pats {
                        let pat = self.expand_pattern(p).await;
                        if glob_match(&pat, &s) {
                            return self.run(body).await;
                        }
                    }
                }
                Flow::Normal(0)
            }
            Cmd::Group(body) => self.run(body).await,
            Cmd::Subshell(body) => {
                let saved_vars = self.vars.clone();
                let saved_cwd = self.ctx.cwd.clone();
                let saved_traps = self.traps.clone();
                let f = self.run(body).await;
                self.vars = saved_vars;
                self.ctx.cwd = saved_cwd;
                self.traps = saved_traps;
                Flow::Normal(f.status())
            }
            Cmd::Func(name, body) => {
                self.funcs.insert(name.clone(), (**body).clone());
                Flow::Normal(0)
            }
            Cmd::Redirected(body, redirs) => {
                let saved = self.io.clone();
                let f = match self.apply_redirs(redirs).await {
                    Ok(()) => self.run(body).await,
                    Err(()) => Flow::Normal(1),
                };
                self.io = saved;
                f
            }
        }
    }

    async fn apply_redirs(&mut self, redirs: &[Redir]) -> Result<(), ()> {
        for r in redirs {
            let sink = match &r.op {
                RedirOp::Dup(n) => match n {
                    1 => self.io.out.clone(),
                    2 => self.io.err.clone(),
                    _ => Sink::Null,
                },
                RedirOp::In => {
                    let t = self.expand_str(&r.target).await;
                    match self.ctx.fs.read(&self.path(&t)) {
                        Ok(d) => {
                            self.io.input = d;
                            self.io.stream = false;
                        }
                        Err(e) => {
                            self.errln(&format!("sh: can't open {t}: {}", e.text()));
                            return Err(());
                        }
                    }
                    continue;
                }
                op => {
                    let t = self.expand_str(&r.target).await;
                    if t == "/dev/null" {
                        Sink::Null
                    } else if t == "/dev/stdout" {
                        self.io.out.clone()
                    } else if t == "/dev/stderr" {
                        self.io.err.clone()
                    } else {
                        let p = self.path(&t);
                        let res = if *op == RedirOp::Append {
                            self.ctx.fs.write(&p, b"", true)
                        } else {
                            self.ctx.fs.write(&p, b"", false)
                        };
                        if let Err(e) = res {
                            self.errln(&format!("sh: can't create {t}: {}", e.text()));
                            return Err(());
                        }
                        Sink::File(p)
                    }
                }
            };
            match r.fd {
                1 => self.io.out = sink,
                2 => self.io.err = sink,
                9 => {
                    self.io.out = sink.clone();
                    self.io.err = sink;
                }
                0 => {}
                _ => {}
            }
        }
        Ok(())
    }

    async fn simple(
        &mut self,
        assigns: &[(String, Word)],
        words: &[Word],
        redirs: &[Redir],
    ) -> Flow {
        self.subst_status = 0;
        let mut argv = Vec::new();
        for w in words {
            argv.extend(self.expand(w).await);
        }
        let mut values = Vec::new();
        for (n, w) in assigns {
            values.push((n.clone(), self.expand_str(w).await));
        }
        if argv.is_empty() {
            for (n, v) in values {
                self.set_var(&n, v);
            }
            let saved = self.io.clone();
            let r = self.apply_redirs(redirs).await;
            self.io = saved;
            return Flow::Normal(if r.is_ok() {
                self.status_after_subst()
            } else {
                1
            });
        }
        let saved_io = self.io.clone();
        if self.apply_redirs(redirs).await.is_err() {
            self.io = saved_io;
            return Flow::Normal(1);
        }
        // Prefix assignments apply to this command only.
        let saved_vars = (!values.is_empty()).then(|| self.vars.clone());
        for (n, v) in values {
            self.set_var(&n, v);
            self.export(&n);
        }
        let f = self.exec(argv).await;
        if let Some(v) = saved_vars {
            self.vars = v;
        }
        self.io = saved_io;
        f
    }

    /// `x=$(false)` leaves the command substitution's status.
    fn status_after_subst(&self) -> i32 {
        self.subst_status
    }
}

/// Whether a backgrounded command obviously never ends (`sleep infinity &`, a server).
fn is_endless(c: &Cmd) -> bool {
    match c {
        Cmd::Simple { words, .. } => words
            .first()
            .and_then(|w| w.plain())
            .is_some_and(|w| !is_builtin(base(w))),
        Cmd::While(..) => true,
        _ => false,
    }
}

fn base(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// `p` as an absolute path from `cwd`.
fn resolve(cwd: &str, p: &str) -> String {
    if p.starts_with('/') {
        normalize(p)
    } else {
        normalize(&format!("{cwd}/{p}"))
    }
}

/// The text of the shell script that program `name` (a path) is in the container's files.
fn shell_script(ctx: &ShellCtx, name: &str) -> Option<String> {
    if !name.contains('/') {
        return None;
    }
    let data = ctx.fs.read(&resolve(&ctx.cwd, name)).ok()?;
    let text = String::from_utf8_lossy(&data).into_owned();
    (text.starts_with("#!") && text.lines().next().is_some_and(|l| l.contains("sh")))
        .then_some(text)
}

/// Whether a container's command line `argv` is a program the shell does not know (neither
/// built in nor a shell script in the container's files): a quiet server, which only waits
/// for SIGTERM (see `Shell::exec`). The runtime runs those with `wait_for_term` instead of
/// keeping a shell for each (~2 KB a pod).
pub fn is_quiet_server(ctx: &ShellCtx, argv: &[String]) -> bool {
    argv.first()
        .is_some_and(|name| !is_builtin(base(name)) && shell_script(ctx, name).is_none())
}

/// What a shell does running a quiet server that started at `at`: waits for SIGTERM, then
/// exits with its status. Returns the status and the process's time when it ended.
pub async fn wait_for_term(
    mut term: watch::Receiver<bool>,
    clock: Clock,
    at: DateTime<Utc>,
) -> (i32, DateTime<Utc>) {
    if *term.borrow() {
        return (SIGTERM_STATUS, at);
    }
    loop {
        if *term.borrow_and_update() {
            return (SIGTERM_STATUS, at.max(clock.now()));
        }
        if term.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

const BUILTINS: &[&str] = &[
    "echo", "printf", "sleep", "exit", "true", "false", ":", "date", "env", "printenv", "cat",
    "ls", "hostname", "wc", "head", "tail", "grep", "mkdir", "rm", "touch", "test", "[", "trap",
    "export", "unset", "set", "shift", "cd", "pwd", "read", "local", "return", "break", "continue",
    "eval", "exec", "wait", "sh", "bash", "ash", "seq", "basename", "dirname", "whoami", "id",
    "stty", "uname", "expr", "readonly", "perl", "kill", ".", "source", "tee", "tar",
];

fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name)
}

impl Shell {
    // -----------------------------------------------------------------------------------
    // Expansion

    /// The word's segments: (text, whether it came from an unquoted expansion or literal).
    fn segments<'a>(&'a mut self, w: &'a Word) -> BoxFuture<'a, Vec<(String, Quoting)>> {
        boxed(async move {
            let mut out = Vec::new();
            for p in &w.0 {
                match p {
                    Part::Lit(s, q) => out.push((
                        s.clone(),
                        if *q {
                            Quoting::Quoted
                        } else {
                            Quoting::Literal
                        },
                    )),
                    Part::Param {
                        name,
                        op,
                        arg,
                        quoted,
                    } => {
                        if name == "@" && *quoted && op.is_empty() {
                            let args = self.positional.clone();
                            out.push((String::new(), Quoting::Quoted));
                            for (i, a) in args.into_iter().enumerate() {
                                if i > 0 {
                                    out.push((String::new(), Quoting::Break));
                                }
                                out.push((a, Quoting::Quoted));
                            }
                            continue;
                        }
                        let v = self.param(name, op, arg.as_ref()).await;
                        out.push((
                            v,
                            if *quoted {
                                Quoting::Quoted
                            } else {
                                Quoting::Split
                            },
                        ));
                    }
                    Part::Cmd(src, q) => {
                        let v = self.command_subst(src).await;
                        out.push((v, if *q { Quoting::Quoted } else { Quoting::Split }));
                    }
                    Part::Arith(src, q) => {
                        let v = match self.arith(src) {
                            Ok(n) => n.to_string(),
                            Err(e) => {
                                self.errln(&format!("sh: arithmetic syntax error: {e}"));
                                String::new()
                            }
                        };
                        out.push((v, if *q { Quoting::Quoted } else { Quoting::Split }));
                    }
                }
            }
            out
        })
    }

    async fn param(&mut self, name: &str, op: &str, arg: Option<&Word>) -> String {
        let v = self.get_var(name);
        let set_nonempty = v.as_deref().is_some_and(|s| !s.is_empty());
        let arg_word = arg.cloned().unwrap_or_default();
        match op {
            "" => v.unwrap_or_default(),
            "len" => v.unwrap_or_default().chars().count().to_string(),
            ":-" if !set_nonempty => self.expand_str(&arg_word).await,
            "-" if v.is_none() => self.expand_str(&arg_word).await,
            ":=" if !set_nonempty => {
                let a = self.expand_str(&arg_word).await;
                self.set_var(name, a.clone());
                a
            }
            "=" if v.is_none() => {
                let a = self.expand_str(&arg_word).await;
                self.set_var(name, a.clone());
                a
            }
            ":+" => {
                if set_nonempty {
                    self.expand_str(&arg_word).await
                } else {
                    String::new()
                }
            }
            "+" => {
                if v.is_some() {
                    self.expand_str(&arg_word).await
                } else {
                    String::new()
                }
            }
            ":?" | "?" if (op == ":?" && !set_nonempty) || (op == "?" && v.is_none()) => {
                let a = self.expand_str(&arg_word).await;
                let msg = if a.is_empty() {
                    "parameter not set".to_string()
                } else {
                    a
                };
                self.errln(&format!("sh: {name}: {msg}"));
                String::new()
            }
            "#" | "##" | "%" | "%%" => {
                let v = v.unwrap_or_default();
                let pat = match arg {
                    Some(a) => self.expand_pattern(a).await,
                    None => String::new(),
                };
                strip(&v, &pat, op)
            }
            _ => v.unwrap_or_default(),
        }
    }

    async fn command_subst(&mut self, src: &str) -> String {
        let saved = self.io.clone();
        let idx = self.bufs.len();
        self.bufs.push(Vec::new());
        self.io.out = Sink::Buf(idx);
        self.depth += 1;
        let f = self.eval_src(src).await;
        self.depth -= 1;
        self.io = saved;
        let data = self.bufs.pop().unwrap_or_default();
        self.subst_status = f.status();
        let mut s = String::from_utf8_lossy(&data).into_owned();
        while s.ends_with('\n') {
            s.pop();
        }
        s
    }

    /// Expands a word into fields (split on IFS whitespace, globbed).
    async fn expand(&mut self, w: &Word) -> Vec<String> {
        let segs = self.segments(w).await;
        let mut fields: Vec<(String, bool)> = Vec::new();
        let mut cur = String::new();
        let mut has = false;
        let mut glob = false;
        for (text, q) in segs {
            match q {
                Quoting::Quoted => {
                    cur.push_str(&text);
                    has = true;
                }
                Quoting::Break => {
                    fields.push((std::mem::take(&mut cur), glob));
                    glob = false;
                    has = false;
                }
                Quoting::Literal => {
                    if text.contains(['*', '?', '[']) {
                        glob = true;
                    }
                    cur.push_str(&text);
                    has = true;
                }
                Quoting::Split => {
                    let mut first = true;
                    let starts_ws = text.starts_with(is_ifs);
                    let pieces: Vec<&str> = text.split(is_ifs).filter(|s| !s.is_empty()).collect();
                    if starts_ws && has {
                        fields.push((std::mem::take(&mut cur), glob));
                        glob = false;
                        has = false;
                    }
                    for p in &pieces {
                        if !first {
                            fields.push((std::mem::take(&mut cur), glob));
                            glob = false;
                        }
                        first = false;
                        cur.push_str(p);
                        has = true;
                    }
                    if text.ends_with(is_ifs) && !pieces.is_empty() {
                        fields.push((std::mem::take(&mut cur), glob));
                        glob = false;
                        has = false;
                    }
                }
            }
        }
        if has {
            fields.push((cur, glob));
        }
        let mut out = Vec::new();
        for (f, g) in fields {
            if g {
                let matches = self.glob(&f);
                if !matches.is_empty() {
                    out.extend(matches);
                    continue;
                }
            }
            out.push(f);
        }
        out
    }

    fn glob(&self, pattern: &str) -> Vec<String> {
        let (dir, pat) = match pattern.rfind('/') {
            Some(i) => (&pattern[..=i], &pattern[i + 1..]),
            None => ("", pattern),
        };
        if dir.contains(['*', '?', '[']) {
            return Vec::new();
        }
        let abs = self.path(if dir.is_empty() { "." } else { dir });
        let Ok(names) = self.ctx.fs.list(&abs) else {
            return Vec::new();
        };
        names
            .into_iter()
            .filter(|n| (!n.starts_with('.') || pat.starts_with('.')) && glob_match(pat, n))
            .map(|n| format!("{dir}{n}"))
            .collect()
    }

    /// Expands a word into one string (assignments, redirection targets, case subjects).
    fn expand_str<'a>(&'a mut self, w: &'a Word) -> BoxFuture<'a, String> {
        boxed(async move {
            let segs = self.segments(w).await;
            segs.into_iter()
                .map(|(s, q)| {
                    if q == Quoting::Break {
                        " ".to_string()
                    } else {
                        s
                    }
                })
                .collect()
        })
    }

    /// A word as a glob pattern: quoted characters are escaped.
    async fn expand_pattern(&mut self, w: &Word) -> String {
        let segs = self.segments(w).await;
        let mut out = String::new();
        for (s, q) in segs {
            if q == Quoting::Quoted {
                for c in s.chars() {
                    if "*?[\\".contains(c) {
                        out.push('\\');
                    }
                    out.push(c);
                }
            } else {
                out.push_str(&s);
            }
        }
        out
    }

    // -----------------------------------------------------------------------------------
    // Arithmetic

    fn arith(&mut self, src: &str) -> Result<i64, String> {
        let toks = arith_tokens(src)?;
        let mut p = Arith {
            toks,
            i: 0,
            sh: self,
        };
        let v = p.assign()?;
        if p.i < p.toks.len() {
            return Err(src.trim().to_string());
        }
        Ok(v)
    }

    // -----------------------------------------------------------------------------------
    // Commands

    fn exec(&mut self, argv: Vec<String>) -> BoxFuture<'_, Flow> {
        boxed(async move {
            let name = argv[0].clone();
            if let Some(body) = self.funcs.get(&name).cloned() {
                let saved = std::mem::replace(&mut self.positional, argv[1..].to_vec());
                let f = self.run(&body).await;
                self.positional = saved;
                return match f {
                    Flow::Return(s) => Flow::Normal(s),
                    f => f,
                };
            }
            let b = base(&name).to_string();
            if is_builtin(&b) {
                return self.builtin(&b, &argv).await;
            }
            if let Some(text) = shell_script(&self.ctx, &name) {
                let saved = std::mem::replace(&mut self.positional, argv[1..].to_vec());
                let f = self.eval_src(&text).await;
                self.positional = saved;
                return Flow::Normal(f.status());
            }
            if self.exec_session {
                // busybox sh's words for a missing program.
                self.err(format!("sh: {name}: not found\n"));
                return Flow::Normal(127);
            }
            // A program the simulation does not know: it runs quietly until signalled.
            self.wait(None).await;
            Flow::Normal(SIGTERM_STATUS)
        })
    }

    /// A shell reading commands from the container's stdin: each complete command runs as
    /// soon as its last line arrives; a syntax error is reported and the shell goes on, as an
    /// interactive `sh` does; end of file ends it with the last status.
    async fn read_eval(&mut self) -> Flow {
        let mut pending = String::new();
        loop {
            self.prompt(!pending.is_empty());
            let line = self.stdin_line().await;
            let eof = line.is_empty();
            pending.push_str(&String::from_utf8_lossy(&line));
            if pending.trim().is_empty() {
                pending.clear();
                if eof || self.term_pending() {
                    break;
                }
                continue;
            }
            let src = match parse(&pending) {
                Err(e) if !eof && (e.contains("end of file") || e.contains("unterminated")) => {
                    continue
                }
                Err(e) => {
                    self.errln(&format!("sh: {e}"));
                    self.status = 2;
                    pending.clear();
                    if eof {
                        break;
                    }
                    continue;
                }
                Ok(_) => std::mem::take(&mut pending),
            };
            let f = self.eval_src(&src).await;
            match f {
                Flow::Exit(_) => return f,
                Flow::Normal(s) | Flow::Return(s) => self.status = s,
                _ => {}
            }
            if let Some(f) = self.check_signals().await {
                return f;
            }
            if eof {
                break;
            }
        }
        Flow::Normal(self.status)
    }

    /// All of stdin, to its end.
    async fn stdin_text(&mut self) -> Vec<u8> {
        let mut data = std::mem::take(&mut self.io.input);
        if let Some(rest) = self.read_stream(super::stdin::ReadMode::All).await {
            data.extend_from_slice(&rest);
        }
        data
    }

    /// Reads from the container's stdin pipe when this process reads it (None otherwise, or
    /// when a signal ends the wait); the process's time catches up with the clock after.
    async fn read_stream(&mut self, mode: super::stdin::ReadMode) -> Option<Vec<u8>> {
        if !self.io.stream {
            return None;
        }
        let pipe = self.ctx.stdin.clone()?;
        if self.term_pending() {
            return None;
        }
        let mut rx = self.ctx.term.clone();
        let got = tokio::select! {
            d = pipe.read(mode) => Some(d),
            _ = async {
                loop {
                    if *rx.borrow_and_update() { return; }
                    if rx.changed().await.is_err() { std::future::pending::<()>().await; }
                }
            } => None,
        };
        self.vtime = self.vtime.max(self.ctx.clock.now());
        if got.as_ref().is_some_and(|d| d.is_empty()) {
            // End of file: later reads do not wait.
            self.io.stream = false;
        }
        got
    }

    /// One line of stdin (with its newline, if it has one); empty at end of file.
    async fn stdin_line(&mut self) -> Vec<u8> {
        if let Some(i) = self.io.input.iter().position(|b| *b == b'\n') {
            return self.io.input.drain(..=i).collect();
        }
        let mut line = std::mem::take(&mut self.io.input);
        if let Some(more) = self.read_stream(super::stdin::ReadMode::Line).await {
            line.extend_from_slice(&more);
        }
        line
    }

    /// The contents of the named files (or stdin); errors are reported, status 1.
    async fn read_inputs(&mut self, tool: &str, files: &[String]) -> (Vec<(String, Vec<u8>)>, i32) {
        if files.is_empty() {
            return (vec![(String::new(), self.stdin_text().await)], 0);
        }
        let mut out = Vec::new();
        let mut status = 0;
        for f in files {
            if f == "-" {
                let d = self.stdin_text().await;
                out.push((f.clone(), d));
                continue;
            }
            match self.ctx.fs.read(&self.path(f)) {
                Ok(d) => out.push((f.clone(), d)),
                Err(e) => {
                    self.errln(&format!("{tool}: can't open '{f}': {}", e.text()));
                    status = 1;
                }
            }
        }
        (out, status)
    }

    async fn builtin(&mut self, name: &str, argv: &[String]) -> Flow {
        let args = &argv[1..];
        let st = |s: i32| Flow::Normal(s);
        match name {
            ":" | "true" | "wait" | "readonly" => st(0),
            "false" => st(1),
            "echo" => {
                let mut newline = true;
                let mut escapes = false;
                let mut i = 0;
                while let Some(a) = args.get(i) {
                    if a.len() > 1
                        && a.starts_with('-')
                        && a[1..].chars().all(|c| "neE".contains(c))
                    {
                        for c in a[1..].chars() {
                            match c {
                                'n' => newline = false,
                                'e' => escapes = true,
                                _ => escapes = false,
                            }
                        }
                        i += 1;
                    } else {
                        break;
                    }
                }
                let mut text = args[i..].join(" ");
                if escapes {
                    let (t, stop) = unescape(&text);
                    text = t;
                    if stop {
                        newline = false;
                    }
                }
                if newline {
                    text.push('\n');
                }
                self.out(text);
                st(0)
            }
            "printf" => {
                let Some(fmt) = args.first() else {
                    self.errln("printf: usage: printf FORMAT [ARGUMENT...]");
                    return st(2);
                };
                let (text, ok) = printf(fmt, &args[1..]);
                self.out(text);
                st(if ok { 0 } else { 1 })
            }
            "sleep" => {
                let mut total = Duration::ZERO;
                let mut forever = false;
                if args.is_empty() {
                    self.errln("sleep: missing operand");
                    return st(1);
                }
                for a in args {
                    match parse_sleep(a) {
                        Some(None) => forever = true,
                        Some(Some(d)) => total += d,
                        None => {
                            self.errln(&format!("sleep: invalid number '{a}'"));
                            return st(1);
                        }
                    }
                }
                self.wait(if forever { None } else { Some(total) }).await;
                st(0)
            }
            "exit" => {
                let code = match args.first() {
                    None => self.status,
                    Some(a) => match a.parse::<i64>() {
                        Ok(n) => (n & 0xff) as i32,
                        Err(_) => {
                            self.errln(&format!("sh: exit: Illegal number: {a}"));
                            2
                        }
                    },
                };
                if self.depth > 0 {
                    // Inside $(…) only the substitution ends.
                    return Flow::Exit(code);
                }
                Flow::Exit(code)
            }
            "return" => Flow::Return(
                args.first()
                    .and_then(|a| a.parse().ok())
                    .unwrap_or(self.status),
            ),
            "break" => Flow::Break(
                args.first()
                    .and_then(|a| a.parse().ok())
                    .unwrap_or(1)
                    .max(1),
            ),
            "continue" => Flow::Continue(
                args.first()
                    .and_then(|a| a.parse().ok())
                    .unwrap_or(1)
                    .max(1),
            ),
            "date" => {
                let now = self.vtime;
                let fmt = args.iter().find_map(|a| a.strip_prefix('+'));
                let text = match fmt {
                    Some(f) => now.format(f).to_string(),
                    None if args.iter().any(|a| a == "-Iseconds" || a == "-I") => {
                        now.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
                    }
                    None => now.format("%a %b %e %H:%M:%S UTC %Y").to_string(),
                };
                self.out(format!("{text}\n"));
                st(0)
            }
            "env" | "printenv" => {
                let env = self.environ();
                if name == "printenv" && !args.is_empty() {
                    let mut status = 0;
                    for a in args {
                        match env.iter().find(|(k, _)| k == a) {
                            Some((_, v)) => self.out(format!("{v}\n")),
                            None => status = 1,
                        }
                    }
                    return st(status);
                }
                if name == "env" {
                    // env NAME=value… [COMMAND…]
                    let mut extra = Vec::new();
                    let mut rest = args;
                    while let Some(a) = rest.first() {
                        match a.split_once('=') {
                            Some((k, v)) if !k.is_empty() => {
                                extra.push((k.to_string(), v.to_string()));
                                rest = &rest[1..];
                            }
                            _ => break,
                        }
                    }
                    if !rest.is_empty() {
                        let saved = self.vars.clone();
                        for (k, v) in extra {
                            self.set_var(&k, v);
                            self.export(&k);
                        }
                        let f = self.exec(rest.to_vec()).await;
                        self.vars = saved;
                        return f;
                    }
                    let mut env = env;
                    for (k, v) in extra {
                        env.retain(|(x, _)| x != &k);
                        env.push((k, v));
                    }
                    let text: String = env.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
                    self.out(text);
                    return st(0);
                }
                let text: String = env.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
                self.out(text);
                st(0)
            }
            "cat" => {
                let files: Vec<String> = args
                    .iter()
                    .filter(|a| *a == "-" || !a.starts_with('-'))
                    .cloned()
                    .collect();
                // cat echoes its own stdin as it comes.
                if files.iter().all(|f| f == "-") && self.io.stream {
                    let rest = std::mem::take(&mut self.io.input);
                    self.out(rest);
                    while let Some(d) = self.read_stream(super::stdin::ReadMode::Chunk).await {
                        if d.is_empty() {
                            break;
                        }
                        self.out(d);
                    }
                    if let Some(f) = self.check_signals().await {
                        return f;
                    }
                    return st(0);
                }
                let (inputs, status) = self.read_inputs("cat", &files).await;
                for (_, d) in inputs {
                    self.out(d);
                }
                st(status)
            }
            "tee" => {
                let data = self.stdin_text().await;
                let append = args.iter().any(|a| a == "-a");
                let mut status = 0;
                for f in args.iter().filter(|a| !a.starts_with('-')) {
                    if let Err(e) = self.ctx.fs.write(&self.path(f), &data, append) {
                        self.errln(&format!("tee: {f}: {}", e.text()));
                        status = 1;
                    }
                }
                self.out(data);
                st(status)
            }
            "ls" => self.ls(args),
            "tar" => self.tar(args).await,
            "stty" => self.stty(args),
            "hostname" => {
                let h = self.ctx.hostname.clone();
                self.out(format!("{h}\n"));
                st(0)
            }
            "whoami" => {
                self.out("root\n");
                st(0)
            }
            "id" => {
                self.out("uid=0(root) gid=0(root) groups=0(root)\n");
                st(0)
            }
            "uname" => {
                let text = if args.iter().any(|a| a == "-a") {
                    format!(
                        "Linux {} 6.8.0 #1 SMP x86_64 GNU/Linux\n",
                        self.ctx.hostname
                    )
                } else {
                    "Linux\n".to_string()
                };
                self.out(text);
                st(0)
            }
            "wc" => {
                let mut flags = String::new();
                let mut files = Vec::new();
                for a in args {
                    match a.strip_prefix('-') {
                        Some(f) if !f.is_empty() => flags.push_str(f),
                        _ => files.push(a.clone()),
                    }
                }
                if flags.is_empty() {
                    flags = "lwc".into();
                }
                let (inputs, status) = self.read_inputs("wc", &files).await;
                let mut text = String::new();
                for (name, d) in &inputs {
                    let s = String::from_utf8_lossy(d);
                    let mut counts = Vec::new();
                    for f in ['l', 'w', 'c'] {
                        if flags.contains(f) {
                            counts.push(match f {
                                'l' => d.iter().filter(|b| **b == b'\n').count(),
                                'w' => s.split_whitespace().count(),
                                _ => d.len(),
                            });
                        }
                    }
                    let single = counts.len() == 1 && name.is_empty();
                    let cols: Vec<String> = counts
                        .iter()
                        .map(|c| {
                            if single {
                                c.to_string()
                            } else {
                                format!("{c:>7}")
                            }
                        })
                        .collect();
                    text.push_str(&cols.join(" "));
                    if !name.is_empty() {
                        text.push(' ');
                        text.push_str(name);
                    }
                    text.push('\n');
                }
                self.out(text);
                st(status)
            }
            "head" | "tail" => self.head_tail(name, args).await,
            "grep" => self.grep(args).await,
            "mkdir" => {
                let parents = args.iter().any(|a| a == "-p");
                let mut status = 0;
                for d in args.iter().filter(|a| !a.starts_with('-')) {
                    if let Err(e) = self.ctx.fs.mkdir(&self.path(d), parents) {
                        self.errln(&format!(
                            "mkdir: can't create directory '{d}': {}",
                            e.text()
                        ));
                        status = 1;
                    }
                }
                st(status)
            }
            "rm" => {
                let flags: String = args
                    .iter()
                    .filter(|a| a.starts_with('-'))
                    .map(|a| &a[1..])
                    .collect();
                let recursive = flags.contains('r') || flags.contains('R');
                let force = flags.contains('f');
                let mut status = 0;
                for f in args.iter().filter(|a| !a.starts_with('-')) {
                    let p = self.path(f);
                    if self.ctx.fs.is_dir(&p) && !recursive {
                        self.errln(&format!("rm: '{f}' is a directory"));
                        status = 1;
                        continue;
                    }
                    match self.ctx.fs.remove(&p, recursive) {
                        Ok(()) => {}
                        Err(super::vfs::FsError::NotFound) if force => {}
                        Err(e) => {
                            self.errln(&format!("rm: can't remove '{f}': {}", e.text()));
                            status = 1;
                        }
                    }
                }
                st(status)
            }
            "touch" => {
                let mut status = 0;
                for f in args.iter().filter(|a| !a.starts_with('-')) {
                    if let Err(e) = self.ctx.fs.write(&self.path(f), b"", true) {
                        self.errln(&format!("touch: {f}: {}", e.text()));
                        status = 1;
                    }
                }
                st(status)
            }
            "test" | "[" => {
                let mut a: Vec<String> = args.to_vec();
                if name == "[" {
                    if a.last().map(String::as_str) != Some("]") {
                        self.errln("sh: [: missing ]");
                        return st(2);
                    }
                    a.pop();
                }
                match test_expr(&a, &self.ctx.fs, &self.ctx.cwd) {
                    Ok(b) => st(i32::from(!b)),
                    Err(e) => {
                        self.errln(&format!("sh: {name}: {e}"));
                        st(2)
                    }
                }
            }
            "trap" => {
                if args.is_empty() {
                    let mut text = String::new();
                    let mut traps: Vec<_> = self.traps.iter().collect();
                    traps.sort();
                    for (sig, a) in traps {
                        text.push_str(&format!("trap -- '{a}' {sig}\n"));
                    }
                    self.out(text);
                    return st(0);
                }
                let (action, sigs) = if args.len() == 1 {
                    ("-".to_string(), args)
                } else {
                    (args[0].clone(), &args[1..])
                };
                for s in sigs {
                    let sig = s.trim_start_matches("SIG").to_ascii_uppercase();
                    let sig = match sig.as_str() {
                        "15" => "TERM".to_string(),
                        "0" => "EXIT".to_string(),
                        "2" => "INT".to_string(),
                        "1" => "HUP".to_string(),
                        _ => sig,
                    };
                    if action == "-" {
                        self.traps.remove(&sig);
                    } else {
                        self.traps.insert(sig, action.clone());
                    }
                }
                st(0)
            }
            "export" | "local" => {
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    match a.split_once('=') {
                        Some((k, v)) => {
                            self.set_var(k, v.to_string());
                            if name == "export" {
                                self.export(k);
                            }
                        }
                        None if name == "export" => self.export(a),
                        None => self.set_var(a, String::new()),
                    }
                }
                st(0)
            }
            "unset" => {
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    self.vars.retain(|(k, _, _)| k != a);
                    self.funcs.remove(a);
                }
                st(0)
            }
            "set" => {
                if let Some(i) = args.iter().position(|a| a == "--") {
                    self.positional = args[i + 1..].to_vec();
                } else if args
                    .first()
                    .is_some_and(|a| !a.starts_with('-') && !a.starts_with('+'))
                {
                    self.positional = args.to_vec();
                }
                st(0)
            }
            "shift" => {
                let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1);
                if n > self.positional.len() {
                    return st(1);
                }
                self.positional.drain(..n);
                st(0)
            }
            "cd" => {
                let target = args
                    .first()
                    .cloned()
                    .unwrap_or_else(|| self.get_var("HOME").unwrap_or_else(|| "/".into()));
                let p = self.path(&target);
                if self.ctx.fs.is_dir(&p) {
                    self.ctx.cwd = p.clone();
                    self.set_var("PWD", p);
                    st(0)
                } else {
                    self.errln(&format!(
                        "sh: cd: can't cd to {target}: No such file or directory"
                    ));
                    st(2)
                }
            }
            "pwd" => {
                let d = self.ctx.cwd.clone();
                self.out(format!("{d}\n"));
                st(0)
            }
            "read" => {
                let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
                let input = self.stdin_line().await;
                if input.is_empty() {
                    for n in &names {
                        self.set_var(n, String::new());
                    }
                    return st(1);
                }
                let text = String::from_utf8_lossy(&input).into_owned();
                let line = text.strip_suffix('\n').unwrap_or(&text).to_string();
                let mut fields: Vec<&str> = line.split_whitespace().collect();
                let names: Vec<String> = if names.is_empty() {
                    vec!["REPLY".to_string()]
                } else {
                    names.into_iter().cloned().collect()
                };
                for (i, n) in names.iter().enumerate() {
                    let v = if i + 1 == names.len() {
                        std::mem::take(&mut fields).join(" ")
                    } else if fields.is_empty() {
                        String::new()
                    } else {
                        fields.remove(0).to_string()
                    };
                    self.set_var(n, v);
                }
                st(0)
            }
            "eval" | "." | "source" => {
                let src = if name == "eval" {
                    args.join(" ")
                } else {
                    match args.first().map(|f| self.ctx.fs.read(&self.path(f))) {
                        Some(Ok(d)) => String::from_utf8_lossy(&d).into_owned(),
                        _ => {
                            self.errln(&format!(
                                "sh: {}: not found",
                                args.first().map(String::as_str).unwrap_or("")
                            ));
                            return st(2);
                        }
                    }
                };
                self.eval_src(&src).await
            }
            "exec" => {
                if args.is_empty() {
                    return st(0);
                }
                let f = self.exec(args.to_vec()).await;
                Flow::Exit(f.status())
            }
            "sh" | "bash" | "ash" => {
                let mut i = 0;
                let mut script = None;
                while let Some(a) = args.get(i) {
                    if a == "-c" {
                        script = args.get(i + 1).cloned();
                        i += 2;
                        break;
                    } else if a.starts_with('-') {
                        i += 1;
                    } else {
                        break;
                    }
                }
                let rest: Vec<String> = args.get(i..).map(|r| r.to_vec()).unwrap_or_default();
                let interactive = script.is_none() && rest.is_empty() && self.io.stream;
                let src = match script {
                    Some(s) => s,
                    None => match rest.first() {
                        Some(f) => match self.ctx.fs.read(&self.path(f)) {
                            Ok(d) => String::from_utf8_lossy(&d).into_owned(),
                            Err(_) => {
                                self.errln(&format!(
                                    "sh: can't open '{f}': No such file or directory"
                                ));
                                return st(2);
                            }
                        },
                        // A shell reading its commands from stdin: a container's own stdin
                        // (`stdin: true`) as they come, else what the input holds.
                        None if self.io.stream => String::new(),
                        None => String::from_utf8_lossy(&self.stdin_text().await).into_owned(),
                    },
                };

                let saved_pos = std::mem::take(&mut self.positional);
                let saved_arg0 = self.arg0.clone();
                let saved_vars = self.vars.clone();
                let saved_traps = std::mem::take(&mut self.traps);
                let saved_funcs = std::mem::take(&mut self.funcs);
                if let Some((a0, more)) = rest.split_first() {
                    self.arg0 = a0.clone();
                    self.positional = more.to_vec();
                }
                let f = if interactive {
                    self.read_eval().await
                } else {
                    self.eval_src(&src).await
                };
                let code = self.finish(f).await;
                self.positional = saved_pos;
                self.arg0 = saved_arg0;
                self.traps = saved_traps;
                self.funcs = saved_funcs;
                // A nested shell ended by SIGTERM ends its parent too.
                if self.term_seen
                    && !self.traps.contains_key("TERM")
                    && self.depth == 0
                    && self.vars.len() == saved_vars.len()
                    && code == SIGTERM_STATUS
                {
                    self.vars = saved_vars;
                    return Flow::Exit(code);
                }
                self.vars = saved_vars;
                st(code)
            }
            "seq" => {
                let n: Vec<i64> = args.iter().filter_map(|a| a.parse().ok()).collect();
                let (first, step, last) = match n.as_slice() {
                    [l] => (1, 1, *l),
                    [f, l] => (*f, 1, *l),
                    [f, s, l] => (*f, *s, *l),
                    _ => {
                        self.errln("seq: invalid argument");
                        return st(1);
                    }
                };
                let mut text = String::new();
                let mut i = first;
                while step != 0
                    && ((step > 0 && i <= last) || (step < 0 && i >= last))
                    && text.len() < 1 << 20
                {
                    text.push_str(&format!("{i}\n"));
                    i += step;
                }
                self.out(text);
                st(0)
            }
            "basename" | "dirname" => {
                let Some(p) = args.first() else {
                    return st(1);
                };
                let trimmed = p.trim_end_matches('/');
                let text = if name == "basename" {
                    let mut b = trimmed.rsplit('/').next().unwrap_or("").to_string();
                    if let Some(sfx) = args.get(1) {
                        if b != *sfx {
                            if let Some(s) = b.strip_suffix(sfx.as_str()) {
                                b = s.to_string();
                            }
                        }
                    }
                    if b.is_empty() {
                        "/".to_string()
                    } else {
                        b
                    }
                } else {
                    match trimmed.rfind('/') {
                        Some(0) => "/".into(),
                        Some(i) => trimmed[..i].to_string(),
                        None => ".".into(),
                    }
                };
                self.out(format!("{text}\n"));
                st(0)
            }
            "expr" => {
                let v = match args {
                    [a, op, b] => {
                        let (x, y) = (a.parse::<i64>(), b.parse::<i64>());
                        match (x, y, op.as_str()) {
                            (Ok(x), Ok(y), "+") => Some(x.wrapping_add(y).to_string()),
                            (Ok(x), Ok(y), "-") => Some(x.wrapping_sub(y).to_string()),
                            (Ok(x), Ok(y), "*") => Some(x.wrapping_mul(y).to_string()),
                            (Ok(x), Ok(y), "/") if y != 0 => Some((x / y).to_string()),
                            (Ok(x), Ok(y), "%") if y != 0 => Some((x % y).to_string()),
                            (_, _, "=") => Some(i32::from(a == b).to_string()),
                            _ => None,
                        }
                    }
                    [a] => Some(a.clone()),
                    _ => None,
                };
                match v {
                    Some(v) => {
                        let zero = v == "0" || v.is_empty();
                        self.out(format!("{v}\n"));
                        st(i32::from(zero))
                    }
                    None => {
                        self.errln("expr: syntax error");
                        st(2)
                    }
                }
            }
            "kill" => st(0),
            "perl" => {
                // Just enough for the classic Job example: `perl -e 'print …'` prints and exits.
                let script = args
                    .iter()
                    .position(|a| a.starts_with('-') && a.ends_with('e'))
                    .and_then(|i| args.get(i + 1));
                match script {
                    Some(s) => {
                        let text = perl_print(s);
                        self.out(text);
                        st(0)
                    }
                    None => {
                        self.wait(None).await;
                        st(SIGTERM_STATUS)
                    }
                }
            }
            _ => st(127),
        }
    }

    /// busybox `stty size`: the rows and columns of the terminal on stdin (the window size its
    /// client last sent); other settings are not simulated.
    fn stty(&mut self, args: &[String]) -> Flow {
        // Stdin is the terminal unless a pipe or a redirection replaced it.
        let terminal = self
            .tty
            .clone()
            .filter(|_| self.io.input.is_empty() && (self.io.stream || self.ctx.stdin.is_none()));
        let Some(size) = terminal else {
            self.errln("stty: standard input: Not a tty");
            return Flow::Normal(1);
        };
        match args {
            [a] if a == "size" => {
                let (rows, cols) = size.rows_cols();
                self.out(format!("{rows} {cols}\n"));
                Flow::Normal(0)
            }
            [] => {
                self.errln("stty: only 'stty size' is simulated");
                Flow::Normal(1)
            }
            [a, ..] => {
                self.errln(&format!("stty: invalid argument '{a}'"));
                Flow::Normal(1)
            }
        }
    }

    fn ls(&mut self, args: &[String]) -> Flow {
        let flags: String = args
            .iter()
            .filter(|a| a.starts_with('-') && a.len() > 1)
            .map(|a| &a[1..])
            .collect();
        let all = flags.contains('a');
        let long = flags.contains('l');
        let mut targets: Vec<String> = args
            .iter()
            .filter(|a| !a.starts_with('-') || a.len() == 1)
            .cloned()
            .collect();
        if targets.is_empty() {
            targets.push(".".into());
        }
        let mut status = 0;
        let mut text = String::new();
        let many = targets.len() > 1;
        let fmt = |name: &str, e: &Entry| -> String {
            if long {
                let (mode, size) = match e {
                    Entry::Dir => ("drwxr-xr-x", 4096),
                    Entry::File(d) => ("-rw-r--r--", d.len()),
                };
                format!("{mode}    1 root     root     {size:>9} {name}\n")
            } else {
                format!("{name}\n")
            }
        };
        for (i, t) in targets.iter().enumerate() {
            let p = self.path(t);
            match self.ctx.fs.stat(&p) {
                None => {
                    self.errln(&format!("ls: {t}: No such file or directory"));
                    status = 1;
                }
                Some(e @ Entry::File(_)) => text.push_str(&fmt(t, &e)),
                Some(Entry::Dir) => {
                    if many {
                        if i > 0 {
                            text.push('\n');
                        }
                        text.push_str(&format!("{t}:\n"));
                    }
                    let names = self.ctx.fs.list(&p).unwrap_or_default();
                    if long {
                        text.push_str(&format!("total {}\n", names.len()));
                    }
                    for n in names {
                        if n.starts_with('.') && !all {
                            continue;
                        }
                        let e = self.ctx.fs.stat(&format!("{p}/{n}")).unwrap_or(Entry::Dir);
                        text.push_str(&fmt(&n, &e));
                    }
                }
            }
        }
        self.out(text);
        Flow::Normal(status)
    }

    async fn head_tail(&mut self, name: &str, args: &[String]) -> Flow {
        // Bytes (`-c N`, `-cN`, `tail -c +N` = from byte N on): what `kubectl cp --retries`
        // pipes the archive through.
        if let Some(i) = args.iter().position(|a| a.starts_with("-c")) {
            let (spec, rest_from) = match &args[i][2..] {
                "" => (args.get(i + 1).cloned().unwrap_or_default(), i + 2),
                v => (v.to_string(), i + 1),
            };
            let from_start = spec.starts_with('+');
            let Ok(n) = spec.trim_start_matches(['+', '-']).parse::<usize>() else {
                self.errln(&format!("{name}: invalid number '{spec}'"));
                return Flow::Normal(1);
            };
            let files: Vec<String> = args[..i]
                .iter()
                .chain(&args[rest_from.min(args.len())..])
                .cloned()
                .collect();
            let (inputs, status) = self.read_inputs(name, &files).await;
            for (_, d) in inputs {
                let part = match (name, from_start) {
                    ("head", _) => &d[..n.min(d.len())],
                    (_, true) => &d[n.saturating_sub(1).min(d.len())..],
                    (_, false) => &d[d.len().saturating_sub(n)..],
                };
                let part = part.to_vec();
                self.out(part);
            }
            return Flow::Normal(status);
        }
        let mut n: usize = 10;
        let mut files = Vec::new();
        let mut follow = false;
        let mut i = 0;
        while let Some(a) = args.get(i) {
            if a == "-n" {
                n = args
                    .get(i + 1)
                    .and_then(|v| v.trim_start_matches('+').parse().ok())
                    .unwrap_or(10);
                i += 2;
                continue;
            }
            if a == "-f" || a == "-F" {
                follow = true;
            } else if let Some(v) = a.strip_prefix("-n") {
                n = v.parse().unwrap_or(10);
            } else if let Some(v) = a
                .strip_prefix('-')
                .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
            {
                n = v.parse().unwrap_or(10);
            } else {
                files.push(a.clone());
            }
            i += 1;
        }
        let (inputs, status) = self.read_inputs(name, &files).await;
        let many = inputs.len() > 1;
        let mut text = String::new();
        for (idx, (f, d)) in inputs.iter().enumerate() {
            if many {
                if idx > 0 {
                    text.push('\n');
                }
                text.push_str(&format!("==> {f} <==\n"));
            }
            let s = String::from_utf8_lossy(d);
            let lines: Vec<&str> = s.split_inclusive('\n').collect();
            let pick: Vec<&str> = if name == "head" {
                lines.iter().take(n).copied().collect()
            } else {
                lines[lines.len().saturating_sub(n)..].to_vec()
            };
            text.push_str(&pick.concat());
        }
        self.out(text);
        if follow && name == "tail" {
            self.wait(None).await;
            return Flow::Normal(SIGTERM_STATUS);
        }
        Flow::Normal(status)
    }

    async fn grep(&mut self, args: &[String]) -> Flow {
        let mut flags = String::new();
        let mut pattern = None;
        let mut files = Vec::new();
        let mut i = 0;
        while let Some(a) = args.get(i) {
            if a == "-e" {
                pattern = args.get(i + 1).cloned();
                i += 2;
                continue;
            }
            if a.starts_with('-') && a.len() > 1 && pattern.is_none() {
                flags.push_str(&a[1..]);
            } else if pattern.is_none() {
                pattern = Some(a.clone());
            } else {
                files.push(a.clone());
            }
            i += 1;
        }
        let Some(pattern) = pattern else {
            self.errln("Usage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...");
            return Flow::Normal(2);
        };
        let ignore = flags.contains('i');
        let re = if flags.contains('F') {
            Regex::literal(&pattern, ignore)
        } else {
            Regex::new(&pattern, flags.contains('E'), ignore)
        };
        let (inputs, mut status) = self.read_inputs("grep", &files).await;
        if status != 0 {
            status = 2;
        }
        let many = inputs.len() > 1;
        let mut count_total = 0;
        let mut text = String::new();
        for (f, d) in &inputs {
            let s = String::from_utf8_lossy(d);
            let mut count = 0;
            for (ln, line) in s.lines().enumerate() {
                let m = if flags.contains('x') {
                    re.full_match(line)
                } else {
                    re.is_match(line)
                };
                if m == flags.contains('v') {
                    continue;
                }
                count += 1;
                if flags.contains('c') || flags.contains('q') || flags.contains('l') {
                    continue;
                }
                if many {
                    text.push_str(&format!("{f}:"));
                }
                if flags.contains('n') {
                    text.push_str(&format!("{}:", ln + 1));
                }
                text.push_str(line);
                text.push('\n');
            }
            if flags.contains('c') {
                if many {
                    text.push_str(&format!("{f}:"));
                }
                text.push_str(&format!("{count}\n"));
            } else if flags.contains('l') && count > 0 {
                text.push_str(&format!("{f}\n"));
            }
            count_total += count;
        }
        if !flags.contains('q') {
            self.out(text);
        }
        if status == 2 {
            return Flow::Normal(2);
        }
        Flow::Normal(if count_total > 0 { 0 } else { 1 })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quoting {
    /// From quotes: kept whole.
    Quoted,
    /// Unquoted literal text: not split, globbed.
    Literal,
    /// Unquoted expansion: split on IFS.
    Split,
    /// A field boundary inside `"$@"`.
    Break,
}

fn is_ifs(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\n'
}

/// `${v#pat}`, `${v##pat}`, `${v%pat}`, `${v%%pat}`.
fn strip(v: &str, pat: &str, op: &str) -> String {
    let idx: Vec<usize> = v.char_indices().map(|(i, _)| i).chain([v.len()]).collect();
    match op {
        "#" => idx
            .iter()
            .find(|&&i| glob_match(pat, &v[..i]))
            .map(|&i| v[i..].to_string()),
        "##" => idx
            .iter()
            .rev()
            .find(|&&i| glob_match(pat, &v[..i]))
            .map(|&i| v[i..].to_string()),
        "%" => idx
            .iter()
            .rev()
            .find(|&&i| glob_match(pat, &v[i..]))
            .map(|&i| v[..i].to_string()),
        _ => idx
            .iter()
            .find(|&&i| glob_match(pat, &v[i..]))
            .map(|&i| v[..i].to_string()),
    }
    .unwrap_or_else(|| v.to_string())
}

/// Shell pattern matching (`*`, `?`, `[…]`, `\x`).
pub fn glob_match(pat: &str, s: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let s: Vec<char> = s.chars().collect();
    fn m(p: &[char], s: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') => (0..=s.len()).any(|i| m(&p[1..], &s[i..])),
            Some('?') => !s.is_empty() && m(&p[1..], &s[1..]),
            Some('[') => {
                let Some(end) = p.iter().skip(1).position(|c| *c == ']').map(|e| e + 1) else {
                    return !s.is_empty() && s[0] == '[' && m(&p[1..], &s[1..]);
                };
                let Some(c) = s.first() else { return false };
                let class = &p[1..end];
                let (neg, class) = match class.first() {
                    Some('!') | Some('^') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        hit |= class[i] <= *c && *c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == *c;
                        i += 1;
                    }
                }
                hit != neg && m(&p[end + 1..], &s[1..])
            }
            Some('\\') if p.len() > 1 => !s.is_empty() && s[0] == p[1] && m(&p[2..], &s[1..]),
            Some(c) => !s.is_empty() && s[0] == *c && m(&p[1..], &s[1..]),
        }
    }
    m(&p, &s)
}

/// Backslash escapes of `echo -e` and `printf`; the flag says `\c` stopped the output.
fn unescape(s: &str) -> (String, bool) {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('e') => out.push('\x1b'),
            Some('c') => return (out, true),
            Some('0') => {
                let mut n = 0u32;
                for _ in 0..3 {
                    match it.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            n = n * 8 + d;
                            it.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(n).unwrap_or('\0'));
            }
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    (out, false)
}

/// `printf FORMAT ARGS…` (the format is reused while arguments remain).
fn printf(fmt: &str, args: &[String]) -> (String, bool) {
    let mut out = String::new();
    let mut ok = true;
    let mut ai = 0;
    let chars: Vec<char> = fmt.chars().collect();
    loop {
        let mut consumed = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' {
                let mut j = i + 1;
                let mut esc = String::from("\\");
                if j < chars.len() {
                    esc.push(chars[j]);
                    j += 1;
                }
                let (t, stop) = unescape(&esc);
                out.push_str(&t);
                if stop {
                    return (out, ok);
                }
                i = j;
                continue;
            }
            if c != '%' {
                out.push(c);
                i += 1;
                continue;
            }
            i += 1;
            if chars.get(i) == Some(&'%') {
                out.push('%');
                i += 1;
                continue;
            }
            let mut spec = String::new();
            while let Some(&f) = chars.get(i) {
                if "-+ 0#".contains(f) || f.is_ascii_digit() || f == '.' {
                    spec.push(f);
                    i += 1;
                } else {
                    break;
                }
            }
            let Some(&conv) = chars.get(i) else {
                out.push('%');
                out.push_str(&spec);
                break;
            };
            i += 1;
            let arg = args.get(ai).cloned();
            if arg.is_some() {
                ai += 1;
                consumed = true;
            }
            let arg = arg.unwrap_or_default();
            let left = spec.contains('-');
            let zero = spec.starts_with('0')
                || spec.contains("0")
                    && !spec.contains('.')
                    && spec
                        .trim_start_matches(['-', '+', ' ', '#'])
                        .starts_with('0');
            let body = spec.trim_start_matches(['-', '+', ' ', '0', '#']);
            let (width, prec) = match body.split_once('.') {
                Some((w, p)) => (
                    w.parse::<usize>().unwrap_or(0),
                    Some(p.parse::<usize>().unwrap_or(0)),
                ),
                None => (body.parse::<usize>().unwrap_or(0), None),
            };
            let num = |a: &str, ok: &mut bool| -> i64 {
                if a.is_empty() {
                    return 0;
                }
                let t = a.trim();
                if let Some(c) = t.strip_prefix('\'').or_else(|| t.strip_prefix('"')) {
                    return c.chars().next().map(|c| c as i64).unwrap_or(0);
                }
                let parsed = if let Some(h) = t.strip_prefix("0x") {
                    i64::from_str_radix(h, 16).ok()
                } else {
                    t.parse::<i64>().ok()
                };
                parsed.unwrap_or_else(|| {
                    *ok = false;
                    0
                })
            };
            let text = match conv {
                's' => match prec {
                    Some(p) => arg.chars().take(p).collect(),
                    None => arg,
                },
                'b' => unescape(&arg).0,
                'c' => arg.chars().next().map(String::from).unwrap_or_default(),
                'd' | 'i' | 'u' => {
                    let n = num(&arg, &mut ok);
                    if spec.contains('+') && n >= 0 {
                        format!("+{n}")
                    } else {
                        n.to_string()
                    }
                }
                'x' => format!("{:x}", num(&arg, &mut ok)),
                'X' => format!("{:X}", num(&arg, &mut ok)),
                'o' => format!("{:o}", num(&arg, &mut ok)),
                'f' | 'e' | 'g' => {
                    let f: f64 = if arg.is_empty() {
                        0.0
                    } else {
                        arg.trim().parse().unwrap_or_else(|_| {
                            ok = false;
                            0.0
                        })
                    };
                    match conv {
                        'e' => format!("{:.*e}", prec.unwrap_or(6), f),
                        'g' => format!("{f}"),
                        _ => format!("{:.*}", prec.unwrap_or(6), f),
                    }
                }
                other => format!("%{spec}{other}"),
            };
            let pad = width.saturating_sub(text.chars().count());
            if left {
                out.push_str(&text);
                out.push_str(&" ".repeat(pad));
            } else if zero && "diuxXofeg".contains(conv) {
                let (sign, digits) = match text.strip_prefix('-') {
                    Some(d) => ("-", d.to_string()),
                    None => ("", text.clone()),
                };
                out.push_str(sign);
                out.push_str(&"0".repeat(pad));
                out.push_str(&digits);
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(&text);
            }
        }
        if !consumed || ai >= args.len() {
            break;
        }
    }
    (out, ok)
}

/// `sleep` operands: seconds with an optional fraction and s/m/h/d suffix, or `infinity`.
fn parse_sleep(a: &str) -> Option<Option<Duration>> {
    if a == "infinity" || a == "inf" {
        return Some(None);
    }
    let (num, mult) = match a.chars().last()? {
        's' => (&a[..a.len() - 1], 1.0),
        'm' => (&a[..a.len() - 1], 60.0),
        'h' => (&a[..a.len() - 1], 3600.0),
        'd' => (&a[..a.len() - 1], 86400.0),
        _ => (a, 1.0),
    };
    let v: f64 = num.parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    Some(Some(Duration::from_secs_f64((v * mult).min(1e12))))
}

/// `perl -e` scripts made only of `print "…"` / `print N` statements.
fn perl_print(src: &str) -> String {
    let mut out = String::new();
    for stmt in src.split(';') {
        let s = stmt.trim();
        let Some(rest) = s.strip_prefix("print") else {
            continue;
        };
        let rest = rest.trim();
        if let Some(q) = rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            out.push_str(&unescape(q).0);
        } else if let Some(q) = rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
            out.push_str(q);
        } else if rest.parse::<f64>().is_ok() {
            out.push_str(rest);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// test / [

fn test_expr(a: &[String], fs: &Vfs, cwd: &str) -> Result<bool, String> {
    let path = |p: &str| {
        if p.starts_with('/') {
            normalize(p)
        } else {
            normalize(&format!("{cwd}/{p}"))
        }
    };
    // -o binds loosest, then -a.
    if let Some(i) = a
        .iter()
        .rposition(|x| x == "-o")
        .filter(|&i| i > 0 && i + 1 < a.len())
    {
        return Ok(test_expr(&a[..i], fs, cwd)? || test_expr(&a[i + 1..], fs, cwd)?);
    }
    if let Some(i) = a
        .iter()
        .rposition(|x| x == "-a")
        .filter(|&i| i > 0 && i + 1 < a.len())
    {
        return Ok(test_expr(&a[..i], fs, cwd)? && test_expr(&a[i + 1..], fs, cwd)?);
    }
    let int = |s: &str| -> Result<i64, String> {
        s.trim().parse().map_err(|_| format!("{s}: bad number"))
    };
    match a {
        [] => Ok(false),
        [x] => Ok(!x.is_empty()),
        [n, rest @ ..] if n == "!" => Ok(!test_expr(rest, fs, cwd)?),
        [o, inner @ .., c] if o == "(" && c == ")" => test_expr(inner, fs, cwd),
        [op, x] => match op.as_str() {
            "-n" => Ok(!x.is_empty()),
            "-z" => Ok(x.is_empty()),
            "-e" | "-r" | "-w" => Ok(fs.stat(&path(x)).is_some()),
            "-f" => Ok(matches!(fs.stat(&path(x)), Some(Entry::File(_)))),
            "-d" => Ok(fs.is_dir(&path(x))),
            "-s" => Ok(match fs.stat(&path(x)) {
                Some(Entry::File(d)) => !d.is_empty(),
                Some(Entry::Dir) => true,
                None => false,
            }),
            "-x" => Ok(fs.is_dir(&path(x))),
            "-L" | "-h" | "-p" | "-S" | "-b" | "-c" | "-t" => Ok(false),
            _ => Err(format!("{op}: unknown operand")),
        },
        [x, op, y] => match op.as_str() {
            "=" | "==" => Ok(x == y),
            "!=" => Ok(x != y),
            "<" => Ok(x < y),
            ">" => Ok(x > y),
            "-eq" => Ok(int(x)? == int(y)?),
            "-ne" => Ok(int(x)? != int(y)?),
            "-lt" => Ok(int(x)? < int(y)?),
            "-le" => Ok(int(x)? <= int(y)?),
            "-gt" => Ok(int(x)? > int(y)?),
            "-ge" => Ok(int(x)? >= int(y)?),
            _ => Err("syntax error".into()),
        },
        _ => Err("syntax error".into()),
    }
}

// ---------------------------------------------------------------------------------------
// Arithmetic ($((…)))

#[derive(Clone, Debug, PartialEq)]
enum ATok {
    Num(i64),
    Name(String),
    Op(String),
}

fn arith_tokens(src: &str) -> Result<Vec<ATok>, String> {
    let c: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    const OPS3: &[&str] = &["<<=", ">>="];
    const OPS2: &[&str] = &[
        "==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "++", "--",
        "**",
    ];
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch.is_ascii_digit() {
            let st = i;
            while i < c.len() && c[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let t: String = c[st..i].iter().collect();
            let n = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                i64::from_str_radix(h, 16)
            } else if t.len() > 1 && t.starts_with('0') {
                i64::from_str_radix(&t[1..], 8)
            } else {
                t.parse()
            };
            out.push(ATok::Num(n.map_err(|_| src.trim().to_string())?));
        } else if ch.is_ascii_alphabetic() || ch == '_' || ch == '$' {
            if ch == '$' {
                i += 1;
                if c.get(i) == Some(&'{') {
                    i += 1;
                }
            }
            let st = i;
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            if c.get(i) == Some(&'}') {
                let name: String = c[st..i].iter().collect();
                i += 1;
                out.push(ATok::Name(name));
                continue;
            }
            out.push(ATok::Name(c[st..i].iter().collect()));
        } else {
            let rest: String = c[i..].iter().take(3).collect();
            let op = OPS3
                .iter()
                .chain(OPS2.iter())
                .find(|o| rest.starts_with(**o))
                .map(|o| o.to_string())
                .unwrap_or_else(|| ch.to_string());
            if !"+-*/%()<>=!&|^~?:,".contains(ch) {
                return Err(src.trim().to_string());
            }
            i += op.chars().count();
            out.push(ATok::Op(op));
        }
    }
    Ok(out)
}

struct Arith<'a> {
    toks: Vec<ATok>,
    i: usize,
    sh: &'a mut Shell,
}

impl Arith<'_> {
    fn peek_op(&self) -> Option<&str> {
        match self.toks.get(self.i) {
            Some(ATok::Op(o)) => Some(o),
            _ => None,
        }
    }

    fn var(&mut self, name: &str) -> Result<i64, String> {
        let v = self.sh.get_var(name).unwrap_or_default();
        let v = v.trim();
        if v.is_empty() {
            return Ok(0);
        }
        v.parse().or_else(|_| self.sh.arith(v))
    }

    fn assign(&mut self) -> Result<i64, String> {
        if let (Some(ATok::Name(n)), Some(ATok::Op(op))) = (
            self.toks.get(self.i).cloned(),
            self.toks.get(self.i + 1).cloned(),
        ) {
            if ["=", "+=", "-=", "*=", "/=", "%="].contains(&op.as_str()) {
                self.i += 2;
                let rhs = self.assign()?;
                let cur = self.var(&n)?;
                let v = match op.as_str() {
                    "=" => rhs,
                    "+=" => cur.wrapping_add(rhs),
                    "-=" => cur.wrapping_sub(rhs),
                    "*=" => cur.wrapping_mul(rhs),
                    "/=" if rhs != 0 => cur / rhs,
                    "%=" if rhs != 0 => cur % rhs,
                    _ => return Err("divide by zero".into()),
                };
                self.sh.set_var(&n, v.to_string());
                return Ok(v);
            }
        }
        self.ternary()
    }

    fn ternary(&mut self) -> Result<i64, String> {
        let c = self.binary(0)?;
        if self.peek_op() == Some("?") {
            self.i += 1;
            let a = self.assign()?;
            if self.peek_op() != Some(":") {
                return Err("expecting ':'".into());
            }
            self.i += 1;
            let b = self.assign()?;
            return Ok(if c != 0 { a } else { b });
        }
        Ok(c)
    }

    fn binary(&mut self, min: u8) -> Result<i64, String> {
        let mut left = self.unary()?;
        while let Some(op) = self.peek_op().map(str::to_string) {
            let prec = match op.as_str() {
                "||" => 1,
                "&&" => 2,
                "|" => 3,
                "^" => 4,
                "&" => 5,
                "==" | "!=" => 6,
                "<" | ">" | "<=" | ">=" => 7,
                "<<" | ">>" => 8,
                "+" | "-" => 9,
                "*" | "/" | "%" => 10,
                "**" => 11,
                _ => break,
            };
            if prec < min {
                break;
            }
            self.i += 1;
            let right = self.binary(if op == "**" { prec } else { prec + 1 })?;
            left = match op.as_str() {
                "||" => i64::from(left != 0 || right != 0),
                "&&" => i64::from(left != 0 && right != 0),
                "|" => left | right,
                "^" => left ^ right,
                "&" => left & right,
                "==" => i64::from(left == right),
                "!=" => i64::from(left != right),
                "<" => i64::from(left < right),
                ">" => i64::from(left > right),
                "<=" => i64::from(left <= right),
                ">=" => i64::from(left >= right),
                "<<" => left.wrapping_shl(right as u32),
                ">>" => left.wrapping_shr(right as u32),
                "+" => left.wrapping_add(right),
                "-" => left.wrapping_sub(right),
                "*" => left.wrapping_mul(right),
                "**" => left.wrapping_pow(right.clamp(0, 64) as u32),
                "/" | "%" if right == 0 => return Err("divide by zero".into()),
                "/" => left.wrapping_div(right),
                _ => left.wrapping_rem(right),
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<i64, String> {
        match self.toks.get(self.i).cloned() {
            Some(ATok::Op(o)) if o == "-" => {
                self.i += 1;
                Ok(self.unary()?.wrapping_neg())
            }
            Some(ATok::Op(o)) if o == "+" => {
                self.i += 1;
                self.unary()
            }
            Some(ATok::Op(o)) if o == "!" => {
                self.i += 1;
                Ok(i64::from(self.unary()? == 0))
            }
            Some(ATok::Op(o)) if o == "~" => {
                self.i += 1;
                Ok(!self.unary()?)
            }
            Some(ATok::Op(o)) if o == "++" || o == "--" => {
                self.i += 1;
                let Some(ATok::Name(n)) = self.toks.get(self.i).cloned() else {
                    return Err("syntax error".into());
                };
                self.i += 1;
                let v = self.var(&n)? + if o == "++" { 1 } else { -1 };
                self.sh.set_var(&n, v.to_string());
                Ok(v)
            }
            Some(ATok::Op(o)) if o == "(" => {
                self.i += 1;
                let v = self.assign()?;
                if self.peek_op() != Some(")") {
                    return Err("missing ')'".into());
                }
                self.i += 1;
                Ok(v)
            }
            Some(ATok::Num(n)) => {
                self.i += 1;
                Ok(n)
            }
            Some(ATok::Name(n)) => {
                self.i += 1;
                let v = self.var(&n)?;
                if let Some(op) = self
                    .peek_op()
                    .filter(|o| *o == "++" || *o == "--")
                    .map(str::to_string)
                {
                    self.i += 1;
                    let nv = v + if op == "++" { 1 } else { -1 };
                    self.sh.set_var(&n, nv.to_string());
                }
                Ok(v)
            }
            _ => Err("syntax error".into()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// A small regular-expression matcher for grep (BRE/ERE subset: . * + ? ^ $ [] | \)

#[derive(Clone, Debug)]
enum Re {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Start,
    End,
    Repeat(Box<Re>, usize, usize),
}

pub struct Regex {
    alts: Vec<Vec<Re>>,
    ignore: bool,
}

impl Regex {
    fn literal(p: &str, ignore: bool) -> Regex {
        Regex {
            alts: vec![p.chars().map(|c| Re::Char(fold(c, ignore))).collect()],
            ignore,
        }
    }

    fn new(p: &str, extended: bool, ignore: bool) -> Regex {
        let mut alts = Vec::new();
        let pieces: Vec<String> = if extended {
            p.split('|').map(str::to_string).collect()
        } else {
            p.split("\\|").map(str::to_string).collect()
        };
        for piece in pieces {
            let c: Vec<char> = piece.chars().collect();
            let mut out: Vec<Re> = Vec::new();
            let mut i = 0;
            while i < c.len() {
                let ch = c[i];
                i += 1;
                let atom = match ch {
                    '.' => Re::Any,
                    '^' if out.is_empty() => Re::Start,
                    '$' if i == c.len() => Re::End,
                    '[' => {
                        let mut neg = false;
                        if c.get(i) == Some(&'^') {
                            neg = true;
                            i += 1;
                        }
                        let mut ranges = Vec::new();
                        let mut first = true;
                        while i < c.len() && (c[i] != ']' || first) {
                            first = false;
                            let a = c[i];
                            if i + 2 < c.len() && c[i + 1] == '-' && c[i + 2] != ']' {
                                ranges.push((fold(a, ignore), fold(c[i + 2], ignore)));
                                i += 3;
                            } else {
                                ranges.push((fold(a, ignore), fold(a, ignore)));
                                i += 1;
                            }
                        }
                        i += 1;
                        Re::Class(ranges, neg)
                    }
                    '*' if !out.is_empty() => {
                        let last = out.pop().unwrap_or(Re::Any);
                        out.push(Re::Repeat(Box::new(last), 0, usize::MAX));
                        continue;
                    }
                    '+' if extended && !out.is_empty() => {
                        let last = out.pop().unwrap_or(Re::Any);
                        out.push(Re::Repeat(Box::new(last), 1, usize::MAX));
                        continue;
                    }
                    '?' if extended && !out.is_empty() => {
                        let last = out.pop().unwrap_or(Re::Any);
                        out.push(Re::Repeat(Box::new(last), 0, 1));
                        continue;
                    }
                    '\\' if i < c.len() => {
                        let e = c[i];
                        i += 1;
                        match e {
                            '+' if !extended && !out.is_empty() => {
                                let last = out.pop().unwrap_or(Re::Any);
                                out.push(Re::Repeat(Box::new(last), 1, usize::MAX));
                                continue;
                            }
                            '?' if !extended && !out.is_empty() => {
                                let last = out.pop().unwrap_or(Re::Any);
                                out.push(Re::Repeat(Box::new(last), 0, 1));
                                continue;
                            }
                            'd' => Re::Class(vec![('0', '9')], false),
                            's' => Re::Class(vec![(' ', ' '), ('\t', '\t')], false),
                            'w' => Re::Class(
                                vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')],
                                false,
                            ),
                            e => Re::Char(fold(e, ignore)),
                        }
                    }
                    c => Re::Char(fold(c, ignore)),
                };
                out.push(atom);
            }
            alts.push(out);
        }
        Regex { alts, ignore }
    }

    fn is_match(&self, line: &str) -> bool {
        let s: Vec<char> = line.chars().map(|c| fold(c, self.ignore)).collect();
        self.alts
            .iter()
            .any(|a| (0..=s.len()).any(|i| match_here(a, &s, i, i == 0).is_some()))
    }

    fn full_match(&self, line: &str) -> bool {
        let s: Vec<char> = line.chars().map(|c| fold(c, self.ignore)).collect();
        self.alts.iter().any(|a| {
            let mut full = a.clone();
            full.push(Re::End);
            match_here(&full, &s, 0, true).is_some()
        })
    }
}

fn fold(c: char, ignore: bool) -> char {
    if ignore {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

fn one(re: &Re, c: char) -> bool {
    match re {
        Re::Char(x) => *x == c,
        Re::Any => true,
        Re::Class(r, neg) => r.iter().any(|(a, b)| *a <= c && c <= *b) != *neg,
        _ => false,
    }
}

fn match_here(re: &[Re], s: &[char], i: usize, at_start: bool) -> Option<usize> {
    let Some(first) = re.first() else {
        return Some(i);
    };
    match first {
        Re::Start => {
            if i == 0 && at_start {
                match_here(&re[1..], s, i, at_start)
            } else {
                None
            }
        }
        Re::End => (i == s.len()).then_some(i),
        Re::Repeat(inner, min, max) => {
            let mut n = 0;
            while n < *max && i + n < s.len() && one(inner, s[i + n]) {
                n += 1;
            }
            loop {
                if n >= *min {
                    if let Some(e) = match_here(&re[1..], s, i + n, at_start) {
                        return Some(e);
                    }
                }
                if n == 0 {
                    return None;
                }
                n -= 1;
            }
        }
        r => {
            if i < s.len() && one(r, s[i]) {
                match_here(&re[1..], s, i + 1, at_start)
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::vfs::Tree;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Collect(Mutex<Vec<u8>>);

    impl Output for Collect {
        fn write(&self, _: Stream, data: &[u8], _: DateTime<Utc>) {
            self.0.lock().unwrap().extend_from_slice(data);
        }
    }

    fn shell(clock: &Clock) -> (Shell, Arc<Collect>, watch::Sender<bool>) {
        let out = Arc::new(Collect::default());
        let (tx, rx) = watch::channel(false);
        let root = Tree::shared();
        root.lock()
            .unwrap()
            .put("etc/hostname", b"web-1\n".to_vec());
        let cm = Tree::shared();
        cm.lock().unwrap().put("greeting", b"hello".to_vec());
        let ctx = ShellCtx {
            fs: Vfs::new(root, vec![("/config".into(), cm, true)]),
            env: Arc::from(vec![
                ("PATH".into(), "/bin".into()),
                ("MODE".into(), "prod".into()),
            ]),
            hostname: "web-1".into(),
            clock: clock.clone(),
            output: out.clone(),
            term: rx,
            cwd: "/".into(),
            stdin: None,
        };
        (Shell::new(ctx), out, tx)
    }

    fn t0() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    async fn run(src: &str) -> (String, i32) {
        let clock = Clock::manual(t0());
        let (mut sh, out, _tx) = shell(&clock);
        let code = sh.run_script(src).await;
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        (text, code)
    }

    #[tokio::test]
    async fn scripts_run_like_sh() {
        let cases: &[(&str, &str, i32)] = &[
            ("echo a   b 'c  d' \"$MODE\"", "a b c  d prod\n", 0),
            ("x=3; echo $((x*2+1)) $((x > 2)) $(( (1+2) % 2 ))", "7 1 1\n", 0),
            ("i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done", "0\n1\n2\n", 0),
            ("for f in a b; do printf '%s-%03d\\n' $f 7; done", "a-007\nb-007\n", 0),
            ("if false; then echo no; elif true; then echo yes; else echo x; fi", "yes\n", 0),
            ("false || echo or; true && echo and; exit 3", "or\nand\n", 3),
            ("v=$(echo inner; echo two); echo \"[$v]\"", "[inner\ntwo]\n", 0),
            ("cat /config/greeting; echo; cat /nope", "hello\ncan't open '/nope': No such file or directory\n", 1),
            ("mkdir -p /data/x && echo hi > /data/x/f && echo more >> /data/x/f && wc -l /data/x/f && ls /data/x", "      2 /data/x/f\nf\n", 0),
            ("printf 'a\\nb\\nc\\n' | grep -v b | tail -n 1", "c\n", 0),
            ("echo ${UNSET:-dflt} ${MODE:+set} ${#MODE}; hostname; cat /etc/hostname", "dflt set 4\nweb-1\nweb-1\n", 0),
            ("case prod in dev) echo d;; pr*) echo p;; esac", "p\n", 0),
            ("f() { echo \"f:$1\"; return 4; }; f arg; echo $?", "f:arg\n4\n", 0),
            ("printenv MODE; env | grep ^PATH=", "prod\nPATH=/bin\n", 0),
            ("[ -f /config/greeting ] && [ ! -d /config/greeting ] && test -z \"\" && echo ok", "ok\n", 0),
            ("echo 'unterminated", "sh: syntax error: unterminated quoted string\n", 2),
            ("date; date +%Y", "Fri Jan  2 03:04:05 UTC 2026\n2026\n", 0),
            ("sh -c 'echo $0 $1; exit 5' name one; echo $?", "name one\n5\n", 0),
        ];
        for (src, want, code) in cases {
            let (got, c) = run(src).await;
            // Errors go to the same log as output; strip the tool prefix for the cat case.
            let got = got.replace("cat: ", "");
            assert_eq!((got.as_str(), c), (*want, *code), "script: {src}");
        }
    }

    #[tokio::test]
    async fn sleep_waits_on_the_cluster_clock_and_sigterm_ends_or_is_trapped() {
        let clock = Clock::manual(t0());
        let (mut sh, out, tx) = shell(&clock);
        let h = tokio::spawn(async move {
            sh.run_script("i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done")
                .await
        });
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert_eq!(out.0.lock().unwrap().as_slice(), b"tick 0\n");
        clock.advance(Duration::from_secs(2));
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            String::from_utf8_lossy(&out.0.lock().unwrap()),
            "tick 0\ntick 1\ntick 2\n"
        );
        tx.send(true).unwrap();
        assert_eq!(h.await.unwrap(), SIGTERM_STATUS);

        let (mut sh, out, tx) = shell(&clock);
        let h = tokio::spawn(async move {
            sh.run_script("trap 'echo bye; exit 0' TERM; while true; do sleep 10; done")
                .await
        });
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        tx.send(true).unwrap();
        assert_eq!(h.await.unwrap(), 0);
        assert_eq!(out.0.lock().unwrap().as_slice(), b"bye\n");

        // In an exec session an unknown program is not found instead.
        let (mut sh, _out, _tx) = shell(&clock);
        sh.set_exec_session();
        assert_eq!(sh.run_argv(vec!["nosuchcmd".into()]).await, 127);

        // An unknown program runs quietly until signalled.
        let (mut sh, out, tx) = shell(&clock);
        let h = tokio::spawn(async move { sh.run_argv(vec!["/bin/node_exporter".into()]).await });
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert!(!h.is_finished());
        tx.send(true).unwrap();
        assert_eq!(h.await.unwrap(), SIGTERM_STATUS);
        assert!(out.0.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_loop_that_never_waits_runs_at_a_bounded_pace() {
        let clock = Clock::manual(t0());
        let (mut sh, out, tx) = shell(&clock);
        let h = tokio::spawn(async move { sh.run_script("while true; do echo x; done").await });
        let lines = |out: &Collect| {
            out.0
                .lock()
                .unwrap()
                .iter()
                .filter(|b| **b == b'\n')
                .count()
        };
        for _ in 0..5000 {
            tokio::task::yield_now().await;
        }
        assert_eq!(lines(&out), 1000);
        clock.advance(Duration::from_millis(100));
        for _ in 0..5000 {
            tokio::task::yield_now().await;
        }
        assert_eq!(lines(&out), 2000);
        tx.send(true).unwrap();
        assert_eq!(h.await.unwrap(), SIGTERM_STATUS);
    }
}

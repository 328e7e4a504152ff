//! `pods/NAME/exec` over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`) or SPDY/3.1
//! (`v4.channel.k8s.io`, see [`super::podstreams`]): the API server's checks, then the
//! kubelet's, then the command runs in the simulated runtime's shell against the running
//! container's filesystem and environment.
//!
//! Channels: 0 stdin, 1 stdout, 2 stderr, 3 error (a `metav1.Status` when the command ends),
//! 4 resize; v5 adds 255 close (`[255, 0]` is the client closing stdin). Stdin is read to its
//! end before the command starts (the built-in shell reads its input as a whole), except
//! with a TTY (`tty=true`): then the command starts at once and reads what is typed through
//! the terminal's line discipline ([`super::runtime::pty`]), and its stdout and stderr are
//! the one terminal.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::ws::Message;
use axum::http::{header, HeaderMap, StatusCode, Version};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};

use super::podstreams::{kubelet_upgrade, offered_protocols, websocket_upgrade, Conn, In, Link};
use super::runtime::interp::{Output, Shell, ShellCtx, Stream};
use super::runtime::pty;
use super::runtime::stdin::StdinPipe;
use super::runtime::ContainerShared;
use super::status::ApiError;
use super::store::{GroupResource, Store};

/// The subprotocols served, in the server's order of preference.
const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

pub(crate) const STDIN: u8 = 0;
pub(crate) const STDOUT: u8 = 1;
pub(crate) const STDERR: u8 = 2;
pub(crate) const ERROR: u8 = 3;
pub(crate) const CLOSE: u8 = 255;

/// The upgrade half of a request (taken from it before its parts are read).
pub struct Upgrade {
    pub version: Version,
    pub on_upgrade: Option<hyper::upgrade::OnUpgrade>,
}

/// A streaming request on a pod (`exec`, `attach`, `portforward`), as the router hands it on.
pub struct StreamRequest<'a> {
    pub store: &'a Arc<Store>,
    pub ns: &'a str,
    pub name: &'a str,
    /// The query as sent (repeated `command` parameters keep their order).
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub method: &'a axum::http::Method,
    pub upgrade: Upgrade,
}

impl StreamRequest<'_> {
    /// The pod the request names (the API server's first check).
    pub(crate) fn pod(&self) -> Result<Value, ApiError> {
        let pods = GroupResource::new("", "pods");
        self.store
            .get(&pods, self.ns, self.name)
            .ok_or_else(|| ApiError::not_found(&pods, self.name))
    }
}

/// The parsed `PodExecOptions` (or `PodAttachOptions`) query.
pub(crate) struct Options {
    pub command: Vec<String>,
    pub container: String,
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub tty: bool,
}

fn flag(q: &[(String, String)], k: &str) -> bool {
    q.iter()
        .rev()
        .find(|(n, _)| n == k)
        .is_some_and(|(_, v)| matches!(v.as_str(), "true" | "1" | "True"))
}

pub(crate) fn parse(q: &[(String, String)]) -> Options {
    Options {
        command: q
            .iter()
            .filter(|(k, _)| k == "command")
            .map(|(_, v)| v.clone())
            .collect(),
        container: q
            .iter()
            .rev()
            .find(|(k, _)| k == "container")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        stdin: flag(q, "stdin"),
        stdout: flag(q, "stdout"),
        stderr: flag(q, "stderr"),
        tty: flag(q, "tty"),
    }
}

/// The kubelet's answer to a request it cannot serve: its error text, as plain text.
pub(crate) fn kubelet_error(code: StatusCode, msg: &str) -> Response {
    let mut r = Response::new(Body::from(msg.to_string()));
    *r.status_mut() = code;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// Serves `GET|POST /api/v1/namespaces/NS/pods/NAME/exec?…`.
pub async fn serve(req: StreamRequest<'_>) -> Result<Response, ApiError> {
    let clock = req.store.clock().clone();
    let runtime = req.store.runtime().clone();
    open(req, "exec", |o| {
        let ctx = Session {
            runtime,
            command: o.opts.command,
            stdin: o.opts.stdin,
            stdout: o.opts.stdout,
            stderr: o.opts.stderr,
            tty: o.opts.tty,
            shell: ShellCtx {
                fs: o.shared.fs,
                env: o.shared.env,
                hostname: o.shared.hostname,
                clock,
                output: Arc::new(NullOutput),
                term: watch::channel(false).1,
                cwd: o.shared.cwd,
                stdin: None,
            },
        };
        o.conn.serve(move |link| ctx.run(link))
    })
    .await
}

/// A query string as its ordered pairs.
pub(crate) fn query(raw_query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw_query.as_bytes())
        .into_owned()
        .collect()
}

/// A stream to a running container, past the API server's and the kubelet's checks.
pub(crate) struct Ready {
    pub conn: Conn,
    pub container_id: String,
    pub shared: ContainerShared,
    /// The container's spec.
    pub spec: Value,
    /// The request's options.
    pub opts: Options,
}

/// What `exec` and `attach` (`what`) share: the API server's checks (the container, the
/// node), then the kubelet's (an upgrade, the streams, a running container, for exec a
/// command), then the WebSocket or SPDY upgrade, answered by `start` with the session.
/// A kubelet's refusal is its answer, as it writes it.
pub(crate) async fn open(
    req: StreamRequest<'_>,
    what: &str,
    start: impl FnOnce(Ready) -> Response,
) -> Result<Response, ApiError> {
    let opts = parse(&query(req.raw_query));
    let pod = req.pod()?;
    let StreamRequest {
        store,
        name,
        headers,
        method,
        upgrade,
        ..
    } = req;
    let refused = Ok;
    let containers: Vec<String> = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|l| pod["spec"][*l].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let main: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let container = if opts.container.is_empty() {
        match main.as_slice() {
            [one] => one.clone(),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    main.join(" ")
                )))
            }
        }
    } else {
        opts.container.clone()
    };
    if !containers.contains(&container) {
        return Err(ApiError::bad_request(format!(
            "container {container} is not valid for pod {name}"
        )));
    }
    let upgrade_header = kubelet_upgrade(&pod, name, headers)?;
    // From here on the kubelet answers (the API server proxies its response).
    if !opts.stdin && !opts.stdout && !opts.stderr {
        return refused(kubelet_error(
            StatusCode::BAD_REQUEST,
            "you must specify at least 1 of stdin, stdout, stderr",
        ));
    }
    if opts.tty && opts.stderr {
        return refused(kubelet_error(
            StatusCode::BAD_REQUEST,
            "stdout and stderr cannot be both set with tty",
        ));
    }
    let running_id = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(
            pod["status"]["initContainerStatuses"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .chain(
            pod["status"]["ephemeralContainerStatuses"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .find(|s| s["name"] == container.as_str() && s["state"]["running"].is_object())
        .and_then(|s| s["containerID"].as_str())
        .unwrap_or_default()
        .to_string();
    let Some(shared) = (!running_id.is_empty())
        .then(|| store.runtime().container(&running_id))
        .flatten()
    else {
        return refused(kubelet_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("container not found ({container:?})"),
        ));
    };
    if what == "exec" && opts.command.is_empty() {
        return refused(kubelet_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "cmd must not be empty",
        ));
    }
    // The kubelet's checks are done: the upgrade, WebSocket or SPDY/3.1.
    let is_ws =
        method == axum::http::Method::GET && upgrade_header.eq_ignore_ascii_case("websocket");
    let conn = if is_ws {
        match websocket(headers, upgrade).await {
            Ok(c) => c,
            Err(r) => return refused(*r),
        }
    } else {
        match spdy_upgrade(&opts, &upgrade_header, headers, upgrade) {
            Ok(c) => c,
            Err(r) => return refused(*r),
        }
    };
    let spec = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|l| pod["spec"][*l].as_array().cloned().unwrap_or_default())
        .find(|c| c["name"] == container.as_str())
        .unwrap_or_default();
    Ok(start(Ready {
        conn,
        container_id: running_id,
        shared,
        spec,
        opts,
    }))
}

/// The WebSocket upgrade with its subprotocol.
async fn websocket(headers: &HeaderMap, upgrade: Upgrade) -> Result<Conn, Box<Response>> {
    let ws = websocket_upgrade(headers, upgrade, &PROTOCOLS).await?;
    let v5 = ws.selected_protocol().is_some_and(|p| p == PROTOCOLS[0]);
    Ok(Conn::WebSocket { ws, v5 })
}

/// The SPDY/3.1 upgrade (httpstream's `Handshake`: a client naming protocols must name ours).
fn spdy_upgrade(
    opts: &Options,
    upgrade_header: &str,
    headers: &HeaderMap,
    upgrade: Upgrade,
) -> Result<Conn, Box<Response>> {
    if !upgrade_header.eq_ignore_ascii_case(kcore::spdy::UPGRADE_TOKEN) {
        return Err(Box::new(kubelet_error(
            StatusCode::BAD_REQUEST,
            &format!("unable to upgrade: unsupported upgrade protocol {upgrade_header:?}"),
        )));
    }
    let offered = offered_protocols(headers);
    let v4 = kcore::spdy::remotecommand::PROTOCOL_V4;
    if !offered.iter().any(|p| p == v4) {
        return Err(Box::new(kubelet_error(
            StatusCode::FORBIDDEN,
            &format!(
                "unable to upgrade: unable to negotiate protocol: client supports [{}], server supports [{v4}]",
                offered.join(" ")
            ),
        )));
    }
    let Some(on_upgrade) = upgrade.on_upgrade else {
        return Err(Box::new(kubelet_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "unable to upgrade: unable to hijack the connection",
        )));
    };
    Ok(Conn::Spdy {
        on_upgrade,
        expected: Conn::expected_streams(opts.stdin, opts.stdout, opts.stderr, opts.tty),
    })
}

struct NullOutput;

impl Output for NullOutput {
    fn write(&self, _: Stream, _: &[u8], _: DateTime<Utc>) {}
}

/// Output of the exec'd process: each write becomes a message on its channel.
/// With a TTY both streams are the terminal (stdout), each `\n` sent as `\r\n`.
struct ChannelOutput {
    tx: mpsc::UnboundedSender<(u8, Vec<u8>)>,
    stdout: bool,
    stderr: bool,
    tty: bool,
}

impl Output for ChannelOutput {
    fn write(&self, stream: Stream, data: &[u8], _: DateTime<Utc>) {
        if self.tty {
            if self.stdout && !data.is_empty() {
                let _ = self.tx.send((STDOUT, pty::onlcr(data)));
            }
            return;
        }
        let (ch, on) = match stream {
            Stream::Stdout => (STDOUT, self.stdout),
            Stream::Stderr => (STDERR, self.stderr),
        };
        if on && !data.is_empty() {
            let _ = self.tx.send((ch, data.to_vec()));
        }
    }
}

struct Session {
    runtime: Arc<super::runtime::Runtime>,
    command: Vec<String>,
    stdin: bool,
    stdout: bool,
    stderr: bool,
    tty: bool,
    shell: ShellCtx,
}

pub(crate) fn framed(ch: u8, data: &[u8]) -> Message {
    let mut m = Vec::with_capacity(data.len() + 1);
    m.push(ch);
    m.extend_from_slice(data);
    Message::Binary(m.into())
}

/// The status the error channel carries when the command ends.
pub fn exit_status(code: i32) -> Value {
    if code == 0 {
        return json!({"metadata": {}, "status": "Success"});
    }
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!("command terminated with non-zero exit code: exit status {code}"),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
    })
}

impl Session {
    async fn run(self, mut link: Link) {
        if self.tty {
            return self.run_tty(link).await;
        }
        // Stdin, read to its end (the client closing it, or going away).
        let mut input = Vec::new();
        if self.stdin {
            while let Some(i) = link.recv().await {
                match i {
                    In::Stdin(d) => input.extend_from_slice(&d),
                    In::StdinEnd => break,
                    In::Resize(_) => {}
                }
            }
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let mut ctx = self.shell;
        ctx.output = Arc::new(ChannelOutput {
            tx,
            stdout: self.stdout,
            stderr: self.stderr,
            tty: false,
        });
        let command = self.command;
        let job = tokio::spawn(async move {
            let mut sh = Shell::new(ctx);
            sh.set_stdin(input);
            sh.set_exec_session();
            sh.run_argv(command).await
        });
        // Stdin was read to its end: nothing more the client sends matters.
        relay(link, rx, job, |_| {}).await;
    }

    /// With a TTY the command runs at once and reads its stdin as the client types it,
    /// through the terminal's line discipline (echo, line editing); resize messages are
    /// taken and have nothing to act on.
    async fn run_tty(self, link: Link) {
        let pipe = self.stdin.then(|| Arc::new(StdinPipe::new(false)));
        let (tx, rx) = mpsc::unbounded_channel();
        let mut ctx = self.shell;
        ctx.stdin = pipe.clone();
        ctx.output = Arc::new(ChannelOutput {
            tx: tx.clone(),
            stdout: self.stdout,
            stderr: false,
            tty: true,
        });
        let command = self.command;
        // The exec's own terminal, sized by the client's resize messages.
        let winsize = Arc::new(pty::Winsize::default());
        let size = winsize.clone();
        let job = tokio::spawn(async move {
            let mut sh = Shell::new(ctx);
            sh.set_exec_session();
            sh.set_tty(size);
            sh.run_argv(command).await
        });
        let mut discipline = pty::LineDiscipline::default();
        let stdout = self.stdout;
        let runtime = self.runtime;
        relay(link, rx, job, move |msg| {
            if let In::Resize(m) = &msg {
                runtime.resize(Some(&winsize), m);
                return;
            }
            let Some(pipe) = &pipe else { return };
            match msg {
                In::Stdin(data) => {
                    let (echo, events) = discipline.feed(&data);
                    if stdout && !echo.is_empty() {
                        let _ = tx.send((STDOUT, echo));
                    }
                    for e in events {
                        match e {
                            pty::Event::Line(l) => pipe.write(&l),
                            pty::Event::Eof => pipe.close(),
                            // The interactive shell drops the line and prompts again.
                            pty::Event::Interrupt => pipe.write(b"\n"),
                        }
                    }
                }
                In::StdinEnd => pipe.close(),
                In::Resize(_) => {}
            }
        })
        .await;
    }
}

/// Relays the process's output (`rx`) to the client until `job` ends, then what is still
/// queued and the exit status. What the client sends goes to `input`; a client that goes
/// away ends the process.
async fn relay(
    mut link: Link,
    mut rx: mpsc::UnboundedReceiver<(u8, Vec<u8>)>,
    mut job: tokio::task::JoinHandle<i32>,
    mut input: impl FnMut(In),
) {
    let code = loop {
        tokio::select! {
            Some((ch, data)) = rx.recv() => {
                if !link.send(ch, &data) {
                    job.abort();
                    return;
                }
            }
            r = &mut job => break r.unwrap_or(1),
            msg = link.recv() => {
                let Some(msg) = msg else {
                    // The client went away: the process is ended.
                    job.abort();
                    return;
                };
                input(msg);
            }
        }
    };
    while let Ok((ch, data)) = rx.try_recv() {
        if !link.send(ch, &data) {
            return;
        }
    }
    link.finish(exit_status(code).to_string().as_bytes());
}

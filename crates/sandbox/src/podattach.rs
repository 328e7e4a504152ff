//! `pods/NAME/attach` over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`) or SPDY/3.1
//! (`v4.channel.k8s.io`, see [`super::podstreams`]): the same
//! API server and kubelet checks as `exec` (shared with [`super::podexec`]), then the client
//! is attached to the container's running process: what it writes from that moment on is
//! sent on the stdout/stderr channels (a container with a TTY has only stdout), and what the
//! client sends on stdin goes to the process's stdin pipe when the container has one
//! (`stdin: true`; the runtime drops it otherwise).
//!
//! When that client's stdin ends (the v5 close of channel 0, SPDY's FIN: kubectl's detach
//! keys, a piped stdin running out) the session goes as containerd's (`ContainerIO.Attach`):
//! for a container with `stdinOnce` attached without a TTY, the container's stdin closes for
//! good and the output goes on until the process exits; else this client is detached (its
//! output streams are removed, the session ends with a `Success` status) and the process runs
//! on, its stdin open. Where containerd races (the process answering input sent just before
//! stdin's end, against the removal of the output), the simulation lets the process settle
//! first: the session ends once the process waits with nothing to go on (for input it has
//! not got, for the clock, for nothing) or exits, and what it printed until then is sent.
//! A client that goes away ends its stdin the same way.
//!
//! Otherwise the session ends when the process exits (a `Success` status on the error
//! channel, as the kubelet writes for attach whatever the exit code).

use std::sync::Arc;

use axum::response::Response;
use tokio::sync::broadcast::error::RecvError;

use super::podexec::{exit_status, open, StreamRequest, STDERR, STDOUT};
use super::podstreams::{In, Link};
use super::runtime::interp::Stream;
use super::runtime::pty;
use super::runtime::stdin::StdinPipe;
use super::runtime::{LiveOutput, Runtime};
use super::status::ApiError;

/// Serves `GET|POST /api/v1/namespaces/NS/pods/NAME/attach?…`.
pub async fn serve(req: StreamRequest<'_>) -> Result<Response, ApiError> {
    let runtime = req.store.runtime().clone();
    let clock = req.store.clock().clone();
    open(req, "attach", |ready| {
        let session = Session {
            // Output from this moment on.
            live: runtime.live(),
            pipe: if ready.opts.stdin {
                runtime.stdin_pipe(&ready.container_id)
            } else {
                None
            },
            runtime,
            id: ready.container_id,
            stdout: ready.opts.stdout,
            stderr: ready.opts.stderr,
            attach_tty: ready.opts.tty,
            tty: ready.spec["tty"].as_bool() == Some(true),
            clock,
            discipline: Default::default(),
        };
        ready.conn.serve(move |link| session.run(link))
    })
    .await
}

struct Session {
    runtime: Arc<Runtime>,
    live: tokio::sync::broadcast::Receiver<Arc<LiveOutput>>,
    pipe: Option<Arc<StdinPipe>>,
    id: String,
    stdout: bool,
    stderr: bool,
    /// The client attached with a TTY (`tty=true`).
    attach_tty: bool,
    /// The container has a TTY.
    tty: bool,
    clock: crate::clock::Clock,
    /// The container's terminal, for what this client types (`tty: true`).
    discipline: pty::LineDiscipline,
}

impl Session {
    /// The channel for one write of the process, if the client takes that stream.
    fn channel(&self, out: &LiveOutput) -> Option<u8> {
        if out.container_id != self.id {
            return None;
        }
        let ch = match out.stream {
            Stream::Stdout => self.stdout.then_some(STDOUT),
            // With a TTY both go to the terminal, which is stdout.
            Stream::Stderr if self.tty => self.stdout.then_some(STDOUT),
            Stream::Stderr => self.stderr.then_some(STDERR),
        }?;
        Some(ch)
    }

    /// Whether the end of this client's stdin closes the container's stdin (containerd:
    /// `stdinOnce` attached without a TTY) rather than detaching the client.
    fn closes_stdin(&self) -> bool {
        self.pipe.as_ref().is_some_and(|p| p.once) && !self.attach_tty
    }

    /// This client's stdin ended (or the client went away): with `stdinOnce` and no TTY
    /// the container's stdin closes.
    fn stdin_ended(&self) {
        if let Some(p) = self.pipe.as_ref().filter(|_| self.closes_stdin()) {
            p.close();
        }
    }

    /// What the client typed: through the terminal with a TTY (its echo is the
    /// container's output, seen by every attached client and kept in the log), else
    /// straight to the process's stdin.
    fn input(&mut self, data: &[u8]) {
        let Some(p) = &self.pipe else { return };
        if !self.tty {
            p.write(data);
            return;
        }
        let (echo, events) = self.discipline.feed(data);
        if !echo.is_empty() {
            self.runtime
                .output(&self.id, Stream::Stdout, &echo, self.clock.now());
        }
        for e in events {
            match e {
                pty::Event::Line(l) => p.write(&l),
                pty::Event::Eof => p.close(),
                pty::Event::Interrupt => p.write(b"\n"),
            }
        }
    }

    /// This client detaches once the process has settled (see the module comment): what it
    /// printed until then, then the end of the session; the process runs on.
    async fn detach(mut self, mut link: Link) {
        let Some(pipe) = self.pipe.clone() else {
            return;
        };
        let mut activity = pipe.activity();
        let mut changed = self.runtime.subscribe();
        while self.runtime.is_running(&self.id) && !pipe.settled() {
            tokio::select! {
                out = self.live.recv() => match out {
                    Ok(out) => {
                        if let Some(ch) = self.channel(&out) {
                            if !link.send(ch, &out.data) {
                                return;
                            }
                        }
                    }
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                },
                // Its stdin has ended: nothing more is taken from the client.
                msg = link.recv() => if msg.is_none() {
                    return;
                },
                _ = activity.changed() => {}
                r = changed.changed() => if r.is_err() {
                    break;
                },
            }
        }
        while let Ok(out) = self.live.try_recv() {
            if let Some(ch) = self.channel(&out) {
                if !link.send(ch, &out.data) {
                    return;
                }
            }
        }
        link.finish(exit_status(0).to_string().as_bytes());
    }

    async fn run(mut self, mut link: Link) {
        let mut changed = self.runtime.subscribe();
        loop {
            if !self.runtime.is_running(&self.id) {
                break;
            }
            tokio::select! {
                out = self.live.recv() => match out {
                    Ok(out) => {
                        if let Some(ch) = self.channel(&out) {
                            if !link.send(ch, &out.data) {
                                self.stdin_ended();
                                return;
                            }
                        }
                    }
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                },
                msg = link.recv() => match msg {
                    // The client detached.
                    None => {
                        self.stdin_ended();
                        return;
                    }
                    Some(In::Stdin(d)) => self.input(&d),
                    Some(In::StdinEnd) => {
                        if self.pipe.is_some() && !self.closes_stdin() {
                            self.detach(link).await;
                            return;
                        }
                        self.stdin_ended();
                    }
                    Some(In::Resize(m)) => {
                        self.runtime.resize(self.runtime.winsize(&self.id).as_deref(), &m);
                    }
                },
                r = changed.changed() => {
                    if r.is_err() {
                        break;
                    }
                }
            }
        }
        // The process exited: what it wrote last, then the end of the session.
        while let Ok(out) = self.live.try_recv() {
            if let Some(ch) = self.channel(&out) {
                if !link.send(ch, &out.data) {
                    return;
                }
            }
        }
        self.stdin_ended();
        link.finish(exit_status(0).to_string().as_bytes());
    }
}

//! Attaching to a running container (kubectl `pkg/cmd/attach/attach.go`'s `Run` after the
//! pod is found, with `exec.StreamOptions.SetupTTY`), shared by `attach`, `run -i/--attach`
//! and `debug -i/--attach`: the container chosen as podcmd chooses it, kubectl's TTY
//! warnings and prompt lines, then `pods/NAME/attach` over WebSocket with stdin streamed as
//! it is read. Also what `run` needs around it: waiting for a pod's phase (`waitForPod`) and
//! printing a container's log (`logOpts`).
//!
//! With a terminal on stdin and a TTY, the terminal is raw for the session (`ops::term`)
//! and its size goes on the resize channel (again on each SIGWINCH); with stdin too, the
//! detach keys (`--detach-keys`, [`super::detach`]) end stdin, which ends the session while
//! the container runs on.

use std::io::{Read, Write};
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use crate::client::remotecommand::Ended;
use crate::client::{ApiRequest, ResourcePath};
use crate::context::Context;
use crate::error::CliError;
use crate::ops::{detach, pods, term};

/// What `attach` is asked for (kubectl's `AttachOptions` once the pod is known).
#[derive(Debug, Clone)]
pub struct AttachRequest {
    pub pod: Value,
    /// `-c`, or empty for the default container.
    pub container: String,
    pub stdin: bool,
    pub tty: bool,
    pub quiet: bool,
    /// `--detach-keys`; empty for kubectl's default.
    pub detach_keys: String,
}

/// podcmd's `FindOrDefaultContainerByName`: the container named (or the annotation's), else
/// the first, with kubectl's notice when there was a choice.
pub fn container_to_attach(
    ctx: &Context,
    pod: &Value,
    name: &str,
    quiet: bool,
) -> Result<Value, CliError> {
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let main = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let Some(first) = main.first().cloned() else {
        return Err(CliError::msg(format!(
            "pod {}/{pod_name} does not have any containers",
            pod["metadata"]["namespace"].as_str().unwrap_or_default()
        )));
    };
    let name = if name.is_empty() {
        pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"]
            .as_str()
            .unwrap_or_default()
    } else {
        name
    };
    if !name.is_empty() {
        return ["containers", "initContainers", "ephemeralContainers"]
            .iter()
            .flat_map(|l| pod["spec"][*l].as_array().cloned().unwrap_or_default())
            .find(|c| c["name"] == name)
            .ok_or_else(|| {
                CliError::msg(format!(
                    "container {name} is not valid for pod {pod_name} out of: {}",
                    pods::all_container_names(pod)
                ))
            });
    }
    let more = |l: &str| pod["spec"][l].as_array().is_some_and(|a| !a.is_empty());
    if !quiet && (main.len() > 1 || more("initContainers") || more("ephemeralContainers")) {
        ctx.eprint(&format!(
            "Defaulted container {:?} out of: {}\n",
            first["name"].as_str().unwrap_or_default(),
            pods::all_container_names(pod)
        ));
    }
    Ok(first)
}

/// The container `container_to_attach` picks, by name (what `run` fetches logs of).
pub fn container_name(ctx: &Context, r: &AttachRequest) -> Result<String, CliError> {
    let c = container_to_attach(ctx, &r.pod, &r.container, r.quiet)?;
    Ok(c["name"].as_str().unwrap_or_default().to_string())
}

/// A session that did not end well: the connection or the server refused it (kubectl
/// prints it, or `run` falls back to the log), or the stream ended with a failure.
pub type AttachResult = Result<(), CliError>;

/// kubectl `AttachOptions.Run` from "check for TTY" on.
pub async fn attach(ctx: &Context, r: &AttachRequest) -> AttachResult {
    let container = container_to_attach(ctx, &r.pod, &r.container, r.quiet)
        .map_err(|e| CliError::msg(format!("cannot attach to the container: {}", text(&e))))?;
    let cname = container["name"].as_str().unwrap_or_default().to_string();
    let container_tty = container["tty"].as_bool() == Some(true);
    let mut tty = r.tty;
    if tty && !container_tty {
        tty = false;
        if !r.quiet {
            ctx.eprint(&format!(
                "error: Unable to use a TTY - container {cname} did not allocate one\n"
            ));
        }
    } else if !tty && container_tty {
        // The container runs in a TTY: attach with one (its streams are one).
        tty = true;
    }
    // SetupTTY: raw mode only with stdin, a TTY, and a terminal on stdin.
    let mut raw = false;
    if r.stdin && tty {
        if !ctx.stdin_is_terminal() {
            if !r.quiet {
                ctx.eprint(
                    "Unable to use a TTY - input is not a terminal or the right kind of file\n",
                );
            }
        } else {
            raw = true;
        }
    }
    if !r.quiet {
        ctx.eprint("All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.\n");
        ctx.eprint("If you don't see a command prompt, try pressing enter.\n");
    }
    let ns = r.pod["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let name = r.pod["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let path = ResourcePath {
        subresource: Some("attach"),
        ..ResourcePath::pods(&ns, Some(&name))
    }
    .build()?;
    // PodAttachOptions as the parameter codec encodes them (keys sorted, false omitted).
    // In raw mode stderr is the terminal too (DisableStderr).
    let mut req = ApiRequest::get(path).query("container", cname.clone());
    if !raw {
        req = req.query("stderr", "true");
    }
    if r.stdin {
        req = req.query("stdin", "true");
    }
    req = req.query("stdout", "true");
    if raw {
        req = req.query("tty", "true");
    }
    // With stdin on a raw terminal the detach keys end stdin (kubectl binds them first).
    let detach = match r.stdin && raw {
        true => {
            let keys = match r.detach_keys.as_str() {
                "" => detach::DEFAULT,
                k => k,
            };
            Some(
                detach::key_bytes(keys)
                    .map_err(|e| CliError::msg(format!("could not bind detach keys: {e}")))?,
            )
        }
        false => None,
    };
    let client = ctx.client()?;
    let mut remote = client.remote_command(req).await?;
    let raw = match raw {
        true => {
            let guard = term::RawMode::enable()?;
            remote = remote.with_resize(attach_sizes());
            Some(guard)
        }
        false => None,
    };
    let input = r
        .stdin
        .then(|| read_stdin(ctx.take_stdin()))
        .map(|i| match detach {
            Some(keys) => detach::detachable(i, keys),
            None => i,
        });
    let mut out = |b: &[u8]| {
        let mut w = ctx.out_writer();
        let _ = w.write_all(b);
        let _ = w.flush();
    };
    let mut err = |b: &[u8]| ctx.eprint(&String::from_utf8_lossy(b));
    let ended = remote.stream(input, &mut out, &mut err).await;
    let was_raw = raw.is_some();
    drop(raw);
    match ended? {
        Ended::Success => {
            if let Some(m) = reattach_message(r, &cname, was_raw) {
                let mut w = ctx.out_writer();
                w.write_all(format!("{m}\n").as_bytes())?;
                w.flush()?;
            }
            Ok(())
        }
        Ended::ExitCode(code) => Err(CliError::WithCode(
            Box::new(CliError::Raw(format!(
                "command terminated with exit code {code}"
            ))),
            code,
        )),
        Ended::Failure(m) => Err(CliError::msg(m)),
    }
}

/// kubectl's `reattachMessage`, after a raw session with stdin (v1.36: whatever the pod's
/// restart policy, with its namespace). The command named is `attach`'s, whichever command
/// attached (`run` and `debug` name it too).
fn reattach_message(r: &AttachRequest, container: &str, raw: bool) -> Option<String> {
    if r.quiet || !r.stdin || !raw {
        return None;
    }
    let pod = r.pod["metadata"]["name"].as_str().unwrap_or_default();
    let ns = r.pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let ephemeral = r.pod["spec"]["ephemeralContainers"]
        .as_array()
        .is_some_and(|a| a.iter().any(|c| c["name"] == container));
    Some(if ephemeral {
        format!("Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl-rs attach {pod} -c {container} -n {ns} -i -t' if it is still running")
    } else {
        format!("Session ended, resume using 'kubectl-rs attach {pod} -c {container} -n {ns} -i -t' command")
    })
}

/// attach's sizes: one more than the terminal's, then the terminal's, so that the program
/// attached to redraws its screen (a resize to the same size would change nothing), then
/// each change.
fn attach_sizes() -> tokio::sync::mpsc::UnboundedReceiver<(u16, u16)> {
    let mut events = term::resize_events();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut first = true;
        while let Some((w, h)) = events.recv().await {
            if first {
                first = false;
                let _ = tx.send((w.saturating_add(1), h.saturating_add(1)));
            }
            if tx.send((w, h)).is_err() {
                return;
            }
        }
    });
    rx
}

/// Reads `input` on a thread of its own, chunk by chunk, as it comes (a person typing, or
/// a pipe); the channel closes at its end.
pub fn read_stdin(
    mut input: Box<dyn Read + Send>,
) -> tokio::sync::mpsc::UnboundedReceiver<Vec<u8>> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            match input.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}

/// An error as Go's `%v` prints it (kubectl's message without its `error: `).
pub fn text(e: &CliError) -> String {
    if let Some(t) = e.plain_text() {
        return t;
    }
    let r = crate::error::render(e);
    let s = r.stderr.trim_end_matches('\n');
    s.strip_prefix("error: ").unwrap_or(s).to_string()
}

/// `polymorphichelpers.AttachablePodForObject`: a pod is itself; a workload's first pod
/// (waiting up to `timeout` for one).
pub async fn attachable_pod(
    ctx: &Context,
    ns: &str,
    obj: Value,
    timeout: Duration,
) -> Result<Value, CliError> {
    if obj["kind"] == "Pod" {
        return Ok(obj);
    }
    let kind = obj["kind"].as_str().unwrap_or_default().to_string();
    let Some(selector) = pods::selector_of(&obj) else {
        let t = pods::go_type(&kind);
        return Err(CliError::msg(format!(
            "cannot attach to {t}: selector for {t} not implemented"
        )));
    };
    let list = pods::pods_for(ctx, ns, &selector, timeout).await?;
    list.into_iter()
        .next()
        .ok_or_else(|| CliError::msg("timed out waiting for the condition"))
}

/// What `wait_for_pod` waits for (kubectl run's condition functions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodCondition {
    /// `podRunningAndReady`: Running with Ready true; a finished pod ends the wait too.
    RunningAndReady,
    /// `podCompleted`: Succeeded or Failed.
    Completed,
    /// `podSucceeded`.
    Succeeded,
}

/// How a wait ended with a pod.
#[derive(Debug)]
pub enum PodWait {
    Met(Value),
    /// `RunningAndReady` found the pod finished (kubectl's `ErrPodCompleted`).
    Completed(Value),
}

fn check(cond: PodCondition, pod: &Value) -> Option<PodWait> {
    let phase = pod["status"]["phase"].as_str().unwrap_or_default();
    match cond {
        PodCondition::RunningAndReady => match phase {
            "Failed" | "Succeeded" => Some(PodWait::Completed(pod.clone())),
            "Running" => pod["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
                .then(|| PodWait::Met(pod.clone())),
            _ => None,
        },
        PodCondition::Completed => {
            matches!(phase, "Failed" | "Succeeded").then(|| PodWait::Met(pod.clone()))
        }
        PodCondition::Succeeded => (phase == "Succeeded").then(|| PodWait::Met(pod.clone())),
    }
}

/// kubectl run's `waitForPod`: lists and watches the pod by name until `cond` holds; its
/// deletion is a NotFound error; `timeout` ends it with "timed out waiting for the
/// condition".
pub async fn wait_for_pod(
    ctx: &Context,
    ns: &str,
    name: &str,
    timeout: Duration,
    cond: PodCondition,
) -> Result<PodWait, CliError> {
    let client = ctx.client()?;
    let path = ResourcePath::pods(ns, None).build()?;
    let selector = format!("metadata.name={name}");
    // apierrors.NewNotFound(pods, ""), as checkErr prints it.
    let gone = || CliError::Raw("Error from server (NotFound): pods \"\" not found".into());
    let work = async {
        let list = client
            .send_json(&ApiRequest::get(path.clone()).query("fieldSelector", selector.clone()))
            .await?;
        for p in list["items"].as_array().into_iter().flatten() {
            if let Some(w) = check(cond, p) {
                return Ok(w);
            }
        }
        let rv = list["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let req = ApiRequest::get(path.clone())
            .query("fieldSelector", selector.clone())
            .query("resourceVersion", rv);
        let mut w = client.watch(&req).await?;
        while let Some(ev) = w.next().await {
            let ev = ev?;
            if ev.event_type == "DELETED" {
                return Err(gone());
            }
            if let Some(w) = check(cond, &ev.object) {
                return Ok(w);
            }
        }
        Err(CliError::msg(
            "watch closed before UntilWithoutRetry timeout",
        ))
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(r) => r,
        Err(_) => Err(CliError::msg("timed out waiting for the condition")),
    }
}

/// `logOpts`: the container's log, written to stdout as it comes.
pub async fn print_log(ctx: &Context, pod: &Value, container: &str) -> Result<(), CliError> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let path = ResourcePath {
        subresource: Some("log"),
        ..ResourcePath::pods(ns, Some(name))
    }
    .build()?;
    let req = ApiRequest::get(path).query("container", container.to_string());
    let mut body = ctx.client()?.send_stream(&req).await?;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        let mut w = ctx.out_writer();
        w.write_all(&chunk)?;
        w.flush()?;
    }
    Ok(())
}

//! `kubectl-rs exec`: runs a command in a container of a pod (or of the first pod of a
//! workload) through the `pods/exec` subresource over WebSocket (kubectl
//! `pkg/cmd/exec/exec.go`, `polymorphichelpers/attachablepodforobject.go`).
//!
//! `-it` with a terminal on stdin puts it in raw mode for the session (`ops::term`), asks
//! for a TTY and sends the terminal's size on the resize channel.
//!
//! Not done yet: the SPDY fallback for servers without WebSocket support.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::Value;

use crate::client::remotecommand::Ended;
use crate::client::{ApiRequest, ResourcePath};
use crate::context::Context;
use crate::error::CliError;
use crate::ops::attach::read_stdin;
use crate::ops::{pods, term};

pub const EXEC_USAGE: &str =
    "exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]";

pub const EXEC_LONG: &str = "Execute a command in a container.";

pub const EXEC_EXAMPLES: &str = r#"Examples:
  # Get output from running the 'date' command from pod mypod, using the first container by default
  kubectl exec mypod -- date
  
  # Get output from running the 'date' command in ruby-container from pod mypod
  kubectl exec mypod -c ruby-container -- date
  
  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
  # and sends stdout/stderr from 'bash' back to the client
  kubectl exec mypod -c ruby-container -i -t -- bash -il
  
  # List contents of /usr from the first container of pod mypod and sort by modification time
  # If the command you want to execute in the pod has any flags in common (e.g. -i),
  # you must use two dashes (--) to separate your command's flags/arguments
  # Also note, do not surround your command and its flags/arguments with quotes
  # unless that is how you would execute it normally (i.e., do ls -t /usr, not "ls -t /usr")
  kubectl exec mypod -i -t -- ls -t /usr
  
  # Get output from running 'date' command from the first pod of the deployment mydeployment, using the first container by default
  kubectl exec deploy/mydeployment -- date
  
  # Get output from running 'date' command from the first pod of the service myservice, using the first container by default
  kubectl exec svc/myservice -- date"#;

/// `kubectl-rs exec (POD | TYPE/NAME) [-c CONTAINER] -- COMMAND [args...]`.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Execute a command in a container")]
pub struct ExecArgs {
    /// `POD` or `TYPE/NAME` (and, in the removed form, the command).
    pub args: Vec<String>,
    /// The command, after `--`.
    #[arg(last = true)]
    pub command: Vec<String>,
    #[command(flatten)]
    pub container: crate::cmd::flags::ContainerFlag,
    /// to use to exec into the resource
    #[arg(verbatim_doc_comment, short = 'f', long, value_delimiter = ',')]
    pub filename: Vec<String>,
    #[command(flatten)]
    pub streams: crate::cmd::flags::ContainerStreamFlags,
}

/// What `complete` resolves: the target and the command.
struct Options {
    target: String,
    command: Vec<String>,
    timeout: Duration,
}

impl ExecArgs {
    fn usage(message: &str) -> CliError {
        CliError::Usage {
            message: message.to_string(),
            command: "kubectl-rs exec".into(),
        }
    }

    fn complete(&self) -> Result<Options, CliError> {
        // The removed form `exec POD COMMAND` (no `--`), also when -f names the pod.
        if self.command.is_empty()
            && (self.args.len() > 1 || (!self.args.is_empty() && !self.filename.is_empty()))
        {
            return Err(Self::usage(
                "exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead",
            ));
        }
        let target = self.args.first().cloned().unwrap_or_default();
        let timeout = self.streams.pod_running_timeout.duration("exec")?;
        if timeout.is_zero() {
            return Err(Self::usage(
                "--pod-running-timeout must be higher than zero",
            ));
        }
        Ok(Options {
            target,
            command: self.command.clone(),
            timeout,
        })
    }

    fn validate(&self, o: &Options) -> Result<(), CliError> {
        if o.target.is_empty() && self.filename.is_empty() {
            return Err(CliError::msg(
                "pod, type/name or --filename must be specified",
            ));
        }
        if o.command.is_empty() {
            return Err(CliError::msg(
                "you must specify at least one command for the container",
            ));
        }
        Ok(())
    }

    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let o = self.complete()?;
        self.validate(&o)?;
        let (ns, _) = ctx.namespace()?;
        let (pod, ns) = self.pod(ctx, &ns, &o).await?;
        let phase = pod["status"]["phase"].as_str().unwrap_or_default();
        if phase == "Succeeded" || phase == "Failed" {
            return Err(CliError::msg(format!(
                "cannot exec into a container in a completed pod; current phase is {phase}"
            )));
        }
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let container = if self.container.value.is_empty() {
            self.default_container(ctx, &pod)?
        } else {
            // podcmd `FindContainerByName`: any container, init or ephemeral one.
            let all = pods::containers(
                &pod,
                &["containers", "initContainers", "ephemeralContainers"],
            );
            if !all.iter().any(|(n, _)| *n == self.container.value) {
                return Err(CliError::msg(format!(
                    "container {} is not valid for pod {name} out of: {}",
                    self.container.value,
                    pods::all_container_names(&pod)
                )));
            }
            self.container.value.clone()
        };
        // SetupTTY: a terminal only with stdin, and only when stdin is one (then it is raw).
        let mut tty = self.streams.tty.value && self.streams.stdin.value;
        if tty && !ctx.stdin_is_terminal() {
            if !self.streams.quiet.value {
                ctx.eprint(
                    "Unable to use a TTY - input is not a terminal or the right kind of file\n",
                );
            }
            tty = false;
        }
        let path = ResourcePath {
            subresource: Some("exec"),
            ..ResourcePath::pods(&ns, Some(&name))
        }
        .build()?;
        let mut req = ApiRequest::get(path).query("container", container.clone());
        for c in &o.command {
            req = req.query("command", c.clone());
        }
        if self.streams.stdin.value {
            req = req.query("stdin", "true");
        }
        // With a TTY stderr is the terminal too (the kubelet merges them).
        req = req.query("stdout", "true");
        req = if tty {
            req.query("tty", "true")
        } else {
            req.query("stderr", "true")
        };
        if tty {
            let client = ctx.client()?;
            let remote = client.remote_command(req).await?;
            let raw = term::RawMode::enable()?;
            let remote = remote.with_resize(term::resize_events());
            let input = Some(read_stdin(ctx.take_stdin()));
            let mut out = |b: &[u8]| {
                let mut w = ctx.out_writer();
                let _ = w.write_all(b);
                let _ = w.flush();
            };
            let ended = remote.stream(input, &mut out, &mut |_: &[u8]| {}).await;
            drop(raw);
            return exited(ended?);
        }
        let stdin = if self.streams.stdin.value {
            let mut buf = Vec::new();
            ctx.stdin().read_to_end(&mut buf)?;
            Some(buf)
        } else {
            None
        };
        let client = ctx.client()?;
        let remote = client.remote_command(req).await?;
        let mut out = |b: &[u8]| {
            let mut w = ctx.out_writer();
            let _ = w.write_all(b);
            let _ = w.flush();
        };
        let mut err = |b: &[u8]| ctx.eprint(&String::from_utf8_lossy(b));
        exited(remote.run(stdin, &mut out, &mut err).await?)
    }

    /// The pod named, or the first pod of the workload named (`deploy/web`), or the object of
    /// `-f` as read; with the namespace to exec in.
    async fn pod(&self, ctx: &Context, ns: &str, o: &Options) -> Result<(Value, String), CliError> {
        let (obj, ns) = if self.filename.is_empty() {
            (
                pods::object(ctx, ns, &o.target, false).await?,
                ns.to_string(),
            )
        } else {
            self.file_object(ctx, ns, o).await?
        };
        if obj["kind"] == "Pod" {
            return Ok((obj, ns));
        }
        let kind = obj["kind"].as_str().unwrap_or_default().to_string();
        let Some(selector) = pods::selector_of(&obj) else {
            let t = pods::go_type(&kind);
            return Err(CliError::msg(format!(
                "cannot attach to {t}: selector for {t} not implemented"
            )));
        };
        let list = pods::pods_for(ctx, &ns, &selector, o.timeout).await?;
        let pod = list
            .into_iter()
            .next()
            .ok_or_else(|| CliError::msg("timed out waiting for the condition"))?;
        Ok((pod, ns))
    }

    /// The deprecated `-f`: the builder's single object, as read from the file (kubectl does
    /// not fetch it). Only one file path that is not stdin or a directory implies a single
    /// item; anything else is a list, which kubectl refuses.
    async fn file_object(
        &self,
        ctx: &Context,
        ns: &str,
        o: &Options,
    ) -> Result<(Value, String), CliError> {
        if !o.target.is_empty() {
            return Err(CliError::msg(
                "resource/name arguments cannot be provided when a path is specified",
            ));
        }
        let spec = crate::resource::ReadSpec {
            files: self.filename.clone(),
            ..crate::resource::ReadSpec::default()
        };
        let (mut infos, errors) = crate::resource::read_objects(ctx, &spec).await;
        crate::resource::collected_errors(errors, Vec::new())?;
        let single = matches!(self.filename.as_slice(), [f] if f != "-" && !std::path::Path::new(f).is_dir());
        match infos.pop() {
            Some(info) if single && infos.is_empty() => {
                let ns = info.namespace.clone().unwrap_or_else(|| ns.to_string());
                Ok((info.object, ns))
            }
            _ => Err(CliError::msg("cannot exec into multiple objects at a time")),
        }
    }

    /// podcmd's default container: the annotation's, else the first, with kubectl's notice.
    fn default_container(&self, ctx: &Context, pod: &Value) -> Result<String, CliError> {
        let all = pods::containers(
            pod,
            &["containers", "initContainers", "ephemeralContainers"],
        );
        if let Some(d) =
            pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str()
        {
            if all.iter().any(|(n, _)| n == d) {
                return Ok(d.to_string());
            }
        }
        let main = pods::containers(pod, &["containers"]);
        let Some((first, _)) = main.first().cloned() else {
            return Err(CliError::msg(format!(
                "pod {} does not have any containers",
                pod["metadata"]["name"].as_str().unwrap_or_default()
            )));
        };
        if all.len() > 1 && !self.streams.quiet.value {
            ctx.eprint(&format!(
                "Defaulted container {first:?} out of: {}\n",
                pods::all_container_names(pod)
            ));
        }
        Ok(first)
    }
}

/// The command's end as kubectl reports it.
fn exited(ended: Ended) -> Result<(), CliError> {
    match ended {
        Ended::Success => Ok(()),
        Ended::ExitCode(code) => Err(CliError::WithCode(
            Box::new(CliError::Raw(format!(
                "command terminated with exit code {code}"
            ))),
            code,
        )),
        Ended::Failure(m) => Err(CliError::msg(m)),
    }
}

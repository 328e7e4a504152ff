//! `kubectl-rs attach (POD | TYPE/NAME)`: attaches to the process running in a container
//! through the `pods/attach` subresource over WebSocket, else SPDY (kubectl
//! `pkg/cmd/attach/attach.go`; the session itself is `ops::attach`, which `run -i` shares).
//!
//! `-it` with a terminal on stdin makes it raw for the session (without one kubectl itself
//! drops the TTY); then `--detach-keys` end the session, the container running on.

use std::time::Duration;

use crate::context::Context;
use crate::error::CliError;
use crate::ops::attach::{attach, attachable_pod, AttachRequest};
use crate::ops::pods;

pub const ATTACH_USAGE: &str = "attach (POD | TYPE/NAME) -c CONTAINER [options]";

pub const ATTACH_LONG: &str =
    "Attach to a process that is already running inside an existing container.";

pub const ATTACH_EXAMPLES: &str = r#"Examples:
  # Get output from running pod mypod; use the 'kubectl.kubernetes.io/default-container' annotation
  # for selecting the container to be attached or the first container in the pod will be chosen
  kubectl attach mypod
  
  # Get output from ruby-container from pod mypod
  kubectl attach mypod -c ruby-container
  
  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
  # and sends stdout/stderr from 'bash' back to the client
  kubectl attach mypod -c ruby-container -i -t
  
  # Get output from the first pod of a replica set named nginx
  kubectl attach rs/nginx"#;

/// `kubectl-rs attach (POD | TYPE/NAME) -c CONTAINER`.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Attach to a running container")]
pub struct AttachArgs {
    /// `POD`, `TYPE/NAME` or `TYPE NAME`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub container: crate::cmd::flags::ContainerFlag,
    #[command(flatten)]
    pub detach_keys: crate::cmd::flags::DetachKeysFlag,
    #[command(flatten)]
    pub streams: crate::cmd::flags::ContainerStreamFlags,
}

impl AttachArgs {
    /// kubectl's `Complete`: the pod-running timeout (a usage error when it is no duration).
    fn complete(&self) -> Result<Duration, CliError> {
        let timeout = self.streams.pod_running_timeout.duration("attach")?;
        // cmdutil.GetPodRunningTimeoutFlag's refusal, a usage error of Complete.
        if timeout.is_zero() {
            return Err(CliError::Usage {
                message: "--pod-running-timeout must be higher than zero".into(),
                command: "kubectl-rs attach".into(),
            });
        }
        Ok(timeout)
    }

    fn validate(&self) -> Result<(), CliError> {
        if self.args.is_empty() {
            return Err(CliError::msg("at least 1 argument is required for attach"));
        }
        if self.args.len() > 2 {
            return Err(CliError::msg(format!(
                "expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw {}: [{}]",
                self.args.len(),
                self.args.join(" ")
            )));
        }
        Ok(())
    }

    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let timeout = self.complete()?;
        self.validate()?;
        let (ns, _) = ctx.namespace()?;
        // `TYPE NAME` reads as `TYPE/NAME`.
        let target = self.args.join("/");
        let obj = pods::object(ctx, &ns, &target, false).await?;
        let pod = attachable_pod(ctx, &ns, obj, timeout).await?;
        let phase = pod["status"]["phase"].as_str().unwrap_or_default();
        if phase == "Succeeded" || phase == "Failed" {
            return Err(CliError::msg(format!(
                "cannot attach a container in a completed pod; current phase is {phase}"
            )));
        }
        attach(
            ctx,
            &AttachRequest {
                pod,
                container: self.container.value.clone(),
                stdin: self.streams.stdin.value,
                tty: self.streams.tty.value,
                quiet: self.streams.quiet.value,
                detach_keys: self.detach_keys.value.clone(),
            },
        )
        .await
    }
}

//! `kubectl-rs sandbox`: runs the simulated cluster in the foreground until Ctrl-C/SIGTERM,
//! with credentials in the user's kubeconfig (removed again on exit) or in a file of its own.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use super::sandbox_kubeconfig::{install, uninstall, user_loader, BASE_NAME};
use crate::context::Context;
use crate::kubeconfig::edit::ConfigLock;
use crate::kubeconfig::Loader;
use crate::sandbox::{start, SandboxOptions};

/// Flags of `kubectl-rs sandbox`.
#[derive(clap::Args, Clone, Debug, PartialEq)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 to serve on (0 picks a free port).
    #[arg(verbatim_doc_comment, long, default_value_t = 6443)]
    pub port: u16,
    /// Name of the simulated cluster (nodes are named after it).
    #[arg(verbatim_doc_comment, long, default_value = "sandbox")]
    pub name: String,
    /// Number of simulated worker nodes.
    #[arg(verbatim_doc_comment, long, default_value_t = 2)]
    pub nodes: usize,
    /// Also simulate a (tainted) control-plane node.
    #[arg(verbatim_doc_comment, long)]
    pub control_plane: bool,
    /// Do not serve the Metrics API (metrics.k8s.io, what `top` reads), as a cluster without metrics-server.
    #[arg(verbatim_doc_comment, long)]
    pub no_metrics_api: bool,
    /// Write a standalone kubeconfig to FILE instead of adding the sandbox to the default one. Without it, cluster, user and context "sandbox" are added to the kubeconfig kubectl writes to ("sandbox-2", "sandbox-3", ... when a cluster, user or context of that name exists: nothing already there is replaced) and removed again on exit.
    #[arg(verbatim_doc_comment, long, value_name = "FILE")]
    pub kubeconfig_out: Option<PathBuf>,
    /// Keep the cluster in DIR across restarts: every write is committed to a database there before it is acknowledged, and the certificates, token and a kubeconfig (DIR/kubeconfig) are kept there too, so existing kubeconfigs keep working after a restart on the same port. Without it the cluster lives in memory only.
    #[arg(verbatim_doc_comment, long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub action: Option<SandboxAction>,
}

/// What `sandbox` does besides serving.
#[derive(clap::Subcommand, Clone, Debug, PartialEq)]
pub enum SandboxAction {
    /// Run the DaemonSet tutorial end to end against a fresh sandbox and print each command
    /// with its output
    Demo,
}

impl SandboxArgs {
    /// The server options these flags ask for.
    pub fn options(&self) -> SandboxOptions {
        SandboxOptions {
            port: self.port,
            name: self.name.clone(),
            nodes: self.nodes,
            control_plane: self.control_plane,
            metrics: !self.no_metrics_api,
            data_dir: self.data_dir.clone(),
            ..Default::default()
        }
    }
}

/// Runs the sandbox until Ctrl-C or SIGTERM (or the demo, then stops).
pub async fn run(args: SandboxArgs, ctx: &Context) -> anyhow::Result<()> {
    use futures_util::FutureExt as _;
    if args.action == Some(SandboxAction::Demo) {
        return super::sandbox_demo::run(&args, ctx).await;
    }
    let loader = match &args.kubeconfig_out {
        Some(_) => None,
        None => Some(user_loader(&ctx.env)?),
    };
    // Watch for SIGINT/SIGTERM from now on: a signal that arrives while the kubeconfig entries
    // are being added must still remove them (unwatched, it would kill the process first).
    let stop = super::interrupt::termination_signal();
    tokio::pin!(stop);
    if stop.as_mut().now_or_never().is_some() {
        return Ok(());
    }
    run_until(args, loader.as_ref(), &mut ctx.out_writer(), stop).await
}

/// Runs the sandbox until `stop` completes. Credentials go to `--kubeconfig-out` when given,
/// else into the kubeconfig files of `loader` (see `sandbox_kubeconfig`), from which they are
/// removed on exit.
pub async fn run_until(
    args: SandboxArgs,
    loader: Option<&Loader>,
    out: &mut dyn Write,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let handle = start(args.options()).await?;
    writeln!(
        out,
        "Sandbox cluster {:?} serving on {}",
        args.name,
        handle.server_url()
    )?;
    if let Some(dir) = &args.data_dir {
        writeln!(
            out,
            "Cluster state is kept in {} (kubeconfig: {})",
            dir.display(),
            dir.join("kubeconfig").display()
        )?;
    }
    let installed = match (&args.kubeconfig_out, loader) {
        (Some(file), _) => {
            // Like every kubeconfig write: under the lock, through a symlink, atomically.
            let written = ConfigLock::acquire(std::slice::from_ref(file))
                .and_then(|lock| lock.write_text(file, &handle.kubeconfig_yaml()));
            if let Err(e) = written {
                handle.shutdown().await;
                return Err(e.into());
            }
            writeln!(out, "Wrote kubeconfig to {}", file.display())?;
            None
        }
        (None, Some(loader)) => {
            let inst = match install(&handle, loader) {
                Ok(i) => i,
                Err(e) => {
                    handle.shutdown().await;
                    return Err(e);
                }
            };
            let taken = if inst.name == BASE_NAME {
                String::new()
            } else {
                format!(" ({BASE_NAME:?} is taken)")
            };
            writeln!(
                out,
                "Added cluster, user and context {:?}{taken} to {} and made it current",
                inst.name,
                inst.file.display()
            )?;
            Some((inst, loader))
        }
        (None, None) => None,
    };
    writeln!(out, "Press Ctrl-C to stop.")?;
    out.flush()?;
    stop.await;
    // A second signal must still end the process (the first one's handler swallows it).
    let again = super::interrupt::termination_signal();
    let removed = installed
        .as_ref()
        .map(|(inst, loader)| uninstall(inst, loader))
        .transpose();
    bounded_shutdown(handle.shutdown(), again, SHUTDOWN_GRACE).await;
    if let (Some((inst, _)), Ok(Some(r))) = (&installed, &removed) {
        let name = &inst.name;
        let file = inst.file.display();
        if !r.kept.is_empty() {
            let kept: Vec<&str> = r.kept.iter().map(|k| k.trim_end_matches('s')).collect();
            writeln!(
                out,
                "Left {} {name:?} in {file}: changed since the sandbox added it",
                kept.join(" and ")
            )?;
        }
        match &r.restored {
            Some(prev) => writeln!(
                out,
                "Removed {name:?} from {file}; current context is {prev:?} again"
            )?,
            None => writeln!(out, "Removed {name:?} from {file}")?,
        }
    }
    if let (Some((inst, _)), Err(e)) = (&installed, &removed) {
        writeln!(
            out,
            "Could not remove cluster, user and context {:?} from {}",
            inst.name,
            inst.file.display()
        )?;
        return Err(anyhow::anyhow!("{e:#}"));
    }
    writeln!(out, "Sandbox stopped.")?;
    Ok(())
}

/// How long a stopping sandbox waits for its controllers and connections: with tens of
/// thousands of pods a controller pass outlasts a user's patience. Exiting without waiting
/// loses nothing acknowledged (each write is committed before its answer, as after `kill -9`).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Awaits `shutdown` for at most `grace`, or until `again` (a second signal) resolves.
/// Returns whether the shutdown finished.
async fn bounded_shutdown(
    shutdown: impl Future<Output = ()>,
    again: impl Future<Output = ()>,
    grace: Duration,
) -> bool {
    tokio::select! {
        _ = shutdown => true,
        _ = again => false,
        _ = tokio::time::sleep(grace) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[tokio::test(start_paused = true)]
    async fn shutdown_is_bounded_by_grace_and_second_signal() {
        let never = std::future::pending::<()>;
        let grace = Duration::from_secs(5);
        let t0 = tokio::time::Instant::now();
        assert!(!bounded_shutdown(never(), never(), grace).await);
        assert_eq!(t0.elapsed(), grace, "a stuck shutdown ends at the grace");
        let t1 = tokio::time::Instant::now();
        assert!(!bounded_shutdown(never(), async {}, grace).await);
        assert_eq!(
            t1.elapsed(),
            Duration::ZERO,
            "a second signal ends it at once"
        );
        let done = async { tokio::time::sleep(Duration::from_secs(1)).await };
        assert!(bounded_shutdown(done, never(), grace).await);
    }

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }

    #[test]
    fn flags_and_defaults() {
        let a = Cli::parse_from(["x"]).args;
        assert_eq!(
            (a.port, a.name.as_str(), a.nodes, a.control_plane),
            (6443, "sandbox", 2, false)
        );
        let a = Cli::parse_from([
            "x",
            "--port",
            "0",
            "--nodes",
            "3",
            "--control-plane",
            "--name",
            "k",
        ])
        .args;
        let o = a.options();
        assert_eq!(
            (o.port, o.nodes, o.control_plane, o.name.as_str()),
            (0, 3, true, "k")
        );
    }

    /// One node named `sandbox` on a free loopback port.
    fn loopback_args() -> SandboxArgs {
        SandboxArgs {
            port: 0,
            name: "sandbox".into(),
            nodes: 1,
            control_plane: false,
            no_metrics_api: false,
            kubeconfig_out: None,
            data_dir: None,
            action: None,
        }
    }

    #[tokio::test]
    async fn installs_then_restores_the_kubeconfig() {
        let dir = tempfile::tempdir().unwrap();
        let kc = dir.path().join("config");
        std::fs::write(&kc, "apiVersion: v1\nkind: Config\ncurrent-context: mine\ncontexts:\n- name: mine\n  context: {cluster: c, user: u}\n").unwrap();
        let args = loopback_args();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let kc2 = kc.clone();
        let checker = tokio::spawn(async move {
            // While running, the sandbox context is current and reachable.
            for _ in 0..100 {
                let text = std::fs::read_to_string(&kc2).unwrap();
                if text.contains("current-context: sandbox") {
                    let _ = tx.send(());
                    return true;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            let _ = tx.send(());
            false
        });
        let mut out = Vec::new();
        let loader = Loader {
            env_list: Some(kc.to_string_lossy().into_owned()),
            ..Default::default()
        };
        run_until(args, Some(&loader), &mut out, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
        assert!(
            checker.await.unwrap(),
            "the sandbox context was never current"
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("serving on https://127.0.0.1:"), "{text}");
        assert!(text.contains("current context is \"mine\" again"), "{text}");
        let after = std::fs::read_to_string(&kc).unwrap();
        assert!(
            after.contains("current-context: mine") && !after.contains("sandbox"),
            "{after}"
        );

        let out_file = dir.path().join("standalone.yaml");
        let args = SandboxArgs {
            kubeconfig_out: Some(out_file.clone()),
            ..loopback_args()
        };
        let mut out = Vec::new();
        run_until(args, Some(&loader), &mut out, async {})
            .await
            .unwrap();
        assert!(std::fs::read_to_string(&out_file)
            .unwrap()
            .contains("client-certificate-data"));
        assert_eq!(
            std::fs::read_to_string(&kc).unwrap(),
            after,
            "--kubeconfig-out touches nothing else"
        );
    }
}

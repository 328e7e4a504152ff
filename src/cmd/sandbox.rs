//! `kubectl-rs sandbox`: runs the simulated cluster in the foreground until Ctrl-C/SIGTERM,
//! with credentials in the user's kubeconfig (removed again on exit) or in a file of its own.

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::sandbox::server::{
    default_kubeconfig_path, install_kubeconfig, uninstall_kubeconfig, write_kubeconfig,
    CONTEXT_NAME,
};
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
    /// Write a standalone kubeconfig to FILE instead of adding the sandbox to the default one.
    #[arg(verbatim_doc_comment, long, value_name = "FILE")]
    pub kubeconfig_out: Option<PathBuf>,
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
        }
    }
}

/// Runs the sandbox until Ctrl-C or SIGTERM (or the demo, then stops).
pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    if args.action == Some(SandboxAction::Demo) {
        return super::sandbox_demo::run(&args).await;
    }
    let kubeconfig = match &args.kubeconfig_out {
        Some(_) => None,
        None => Some(default_kubeconfig_path()?),
    };
    run_until(
        args,
        kubeconfig.as_deref(),
        &mut std::io::stdout(),
        super::interrupt::termination_signal(),
    )
    .await
}

/// Runs the sandbox until `stop` completes. Credentials go to `--kubeconfig-out` when given,
/// else into `kubeconfig` (the file kubectl would use), from which they are removed on exit.
pub async fn run_until(
    args: SandboxArgs,
    kubeconfig: Option<&Path>,
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
    let change = match (&args.kubeconfig_out, kubeconfig) {
        (Some(file), _) => {
            write_kubeconfig(&handle, file)?;
            writeln!(out, "Wrote kubeconfig to {}", file.display())?;
            None
        }
        (None, Some(path)) => {
            let change = install_kubeconfig(&handle, path)?;
            writeln!(
                out,
                "Added cluster, user and context {CONTEXT_NAME:?} to {} and made it current",
                path.display()
            )?;
            Some(change)
        }
        (None, None) => None,
    };
    writeln!(out, "Press Ctrl-C to stop.")?;
    out.flush()?;
    stop.await;
    let restored = change.as_ref().map(uninstall_kubeconfig).transpose();
    handle.shutdown().await;
    restored?;
    if let Some(c) = change {
        match &c.previous_context {
            Some(prev) => writeln!(
                out,
                "Removed {CONTEXT_NAME:?} from {}; current context is {prev:?} again",
                c.path.display()
            )?,
            None => writeln!(out, "Removed {CONTEXT_NAME:?} from {}", c.path.display())?,
        }
    }
    writeln!(out, "Sandbox stopped.")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

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

    #[tokio::test]
    async fn installs_then_restores_the_kubeconfig() {
        let dir = tempfile::tempdir().unwrap();
        let kc = dir.path().join("config");
        std::fs::write(&kc, "apiVersion: v1\nkind: Config\ncurrent-context: mine\ncontexts:\n- name: mine\n  context: {cluster: c, user: u}\n").unwrap();
        let args = SandboxArgs {
            port: 0,
            name: "sandbox".into(),
            nodes: 1,
            control_plane: false,
            kubeconfig_out: None,
            action: None,
        };
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
        run_until(args, Some(&kc), &mut out, async {
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
            port: 0,
            name: "sandbox".into(),
            nodes: 1,
            control_plane: false,
            kubeconfig_out: Some(out_file.clone()),
            action: None,
        };
        let mut out = Vec::new();
        run_until(args, Some(&kc), &mut out, async {})
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

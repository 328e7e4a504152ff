//! `kubectl-rs sandbox demo`: the seed's DaemonSet tutorial, end to end, on a fresh sandbox.
//! Each step runs through the same command code as the CLI, against the sandbox over HTTPS.

use std::io::Write;
use std::time::Duration;

use super::sandbox::SandboxArgs;
use crate::context::{Context, Env, Io};
use crate::sandbox::store::{GroupResource, Store};
use crate::sandbox::{start, SandboxOptions};

/// The tutorial's manifest, as the seed shows it.
const MANIFEST: &str = include_str!("../../examples/node-exporter-daemonset.yaml");
const MANIFEST_NAME: &str = "node-exporter-daemonset.yaml";

/// The tutorial's commands, in order.
const STEPS: &[&str] = &[
    "apply -f node-exporter-daemonset.yaml",
    "get daemonset",
    "get pods -l app=node-exporter",
    "get pods -o wide -l app=node-exporter",
    "describe daemonset node-exporter",
    "delete daemonset node-exporter",
    "get pods -l app=node-exporter",
    "apply -f node-exporter-daemonset.yaml",
    "delete -f node-exporter-daemonset.yaml",
];

pub async fn run(args: &SandboxArgs, ctx: &Context) -> anyhow::Result<()> {
    // The seed's nodes are kind-multinodes-worker and -worker2.
    let name = if args.name == "sandbox" {
        "kind-multinodes".to_string()
    } else {
        args.name.clone()
    };
    let handle = start(SandboxOptions {
        port: 0,
        name: name.clone(),
        nodes: args.nodes,
        control_plane: args.control_plane,
        ..Default::default()
    })
    .await?;
    let dir = tempfile_dir()?;
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, handle.kubeconfig_yaml())?;
    let manifest = dir.join(MANIFEST_NAME);
    std::fs::write(&manifest, MANIFEST)?;
    let mut stdout = ctx.out_writer();
    writeln!(
        stdout,
        "Sandbox cluster {name:?} with {} nodes at {}\n",
        args.nodes,
        handle.server_url()
    )?;

    let store = handle.store();
    for (i, step) in STEPS.iter().enumerate() {
        // After `delete daemonset`, the garbage collector removes the pods.
        if i > 0 && STEPS[i - 1].starts_with("delete") {
            wait_for(|| pods_of(&store) == 0).await;
        }
        writeln!(stdout, "$ kubectl-rs {step}")?;
        stdout.flush()?;
        let words: Vec<String> = step
            .split_whitespace()
            .map(|w| {
                if w == MANIFEST_NAME {
                    manifest.display().to_string()
                } else {
                    w.to_string()
                }
            })
            .collect();
        run_step(ctx, &words, &kubeconfig, &dir).await;
        if step.starts_with("apply") {
            wait_for(|| rolled_out(&store)).await;
        }
        writeln!(stdout)?;
    }
    handle.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Runs one command line as `kubectl-rs` would, printing its output and error.
async fn run_step(
    outer: &Context,
    words: &[String],
    kubeconfig: &std::path::Path,
    dir: &std::path::Path,
) {
    let argv: Vec<String> = std::iter::once("kubectl-rs".to_string())
        .chain(words.iter().cloned())
        .collect();
    let cli = match crate::cmd::parse(&argv) {
        Ok(c) => c,
        Err(e) => {
            let path = crate::cmd::command_path(&argv);
            let r = crate::error::render(&crate::error::CliError::ClapIn(e, path));
            let _ = outer.out().write_all(r.stdout.as_bytes());
            outer.eprint(&r.stderr);
            return;
        }
    };
    let mut env = Env::from_process();
    env.set("KUBECONFIG", &kubeconfig.display().to_string());
    env.set("KUBECACHEDIR", &dir.join("cache").display().to_string());
    let ctx = Context::new(
        cli.global.clone(),
        env,
        Io::process(),
        &cli.command.header_name(),
    );
    // Boxed: a step could itself be `sandbox demo`.
    let result = Box::pin(super::run(&cli.command, &ctx)).await;
    let _ = ctx.out().flush();
    if let Err(e) = result {
        let r = crate::error::render(&e);
        let _ = outer.out().write_all(r.stdout.as_bytes());
        outer.eprint(&r.stderr);
    }
}

fn pods_of(store: &Store) -> usize {
    store
        .list(&GroupResource::new("", "pods"), Some("default"))
        .0
        .len()
}

/// The DaemonSet's pods are all up to date and ready (or it is gone).
fn rolled_out(store: &Store) -> bool {
    let Some(ds) = store.get(
        &GroupResource::new("apps", "daemonsets"),
        "default",
        "node-exporter",
    ) else {
        return true;
    };
    let s = &ds["status"];
    let want = s["desiredNumberScheduled"].as_i64().unwrap_or(-1);
    want > 0
        && s["observedGeneration"] == ds["metadata"]["generation"]
        && s["numberReady"].as_i64() == Some(want)
        && s["numberAvailable"].as_i64() == Some(want)
        && s["updatedNumberScheduled"].as_i64() == Some(want)
}

async fn wait_for(mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("kubectl-rs-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

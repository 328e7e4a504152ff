//! The `kubectl-rs` binary: parse, build the `Context`, dispatch, render the error once.

use kubectl_rs::cmd;
use kubectl_rs::context::Context;
use kubectl_rs::error::{render_in, CliError};
use kubectl_rs::i18n::Lang;
use std::io::Write;
use std::process::ExitCode;

// The process's own stdout: where the one rendered error (or help) goes.
#[allow(clippy::disallowed_methods)]
fn finish(err: Option<CliError>, lang: Lang) -> ExitCode {
    let Some(e) = err else {
        return ExitCode::SUCCESS;
    };
    let r = render_in(&e, lang);
    if !r.stdout.is_empty() {
        let _ = std::io::stdout().write_all(r.stdout.as_bytes());
    }
    if !r.stderr.is_empty() {
        let _ = std::io::stderr().write_all(r.stderr.as_bytes());
    }
    ExitCode::from(r.code.clamp(0, 255) as u8)
}

/// Stack for the thread that runs the command. Manifests may nest up to go-yaml's and Go's
/// JSON limit of 10000 levels, and every step that walks such an object (cloning, merging,
/// printing, dropping) recurses once per level; Go's growable stacks take that in stride, so
/// the command runs on a thread whose stack is sized for it (pages are only used when touched).
const MAIN_STACK_BYTES: usize = 512 << 20;

fn main() -> ExitCode {
    match std::thread::Builder::new()
        .name("main".into())
        .stack_size(MAIN_STACK_BYTES)
        .spawn(run)
    {
        Ok(handle) => handle.join().unwrap_or(ExitCode::FAILURE),
        // No thread (address space exhausted?): run here, with the default stack.
        Err(_) => run(),
    }
}

// Before a `Context` exists (completion requests, help topics) output goes to stdout directly.
#[allow(clippy::disallowed_methods)]
fn run() -> ExitCode {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Completion requests carry partial lines that clap must not validate.
    if let Some(text) = cmd::complete::intercept(&raw, kubectl_rs::context::Env::from_process()) {
        let _ = std::io::stdout().write_all(text.as_bytes());
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = raw
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // An unknown command may be a plugin on PATH: it replaces this process, as kubectl's
    // syscall.Exec does (same environment, its exit code is the exit code).
    let env = kubectl_rs::context::Env::from_process();
    let lang = Lang::from_env(&env);
    // kuberc preferences (aliases, default flags) rewrite argv first, as kubectl applies them
    // to its command tree before looking for plugins.
    let applied = match cmd::kuberc::apply(&args, &env) {
        Ok(a) => a,
        Err(e) => {
            let _ = std::io::stderr()
                .write_all(format!("error occurred while applying preferences {e}\n").as_bytes());
            return ExitCode::FAILURE;
        }
    };
    let _ = std::io::stderr().write_all(applied.warnings.as_bytes());
    // Built once, with only the invoked command's subtree when there is one.
    let tree = cmd::tree_for(&applied.args);
    let plugin = if applied.aliased {
        cmd::plugin::Plugin::None
    } else {
        // kuberc's defaults add flags only: the command word, and so the tree, is the same.
        cmd::plugin::find(&args, &tree, env.get("PATH"))
    };
    let plugin_policy = applied.plugin_policy;
    let args = applied.args;
    match plugin {
        cmd::plugin::Plugin::None => {}
        cmd::plugin::Plugin::Run(path, rest) => {
            use std::os::unix::process::CommandExt;
            // A bare name (found through an empty PATH entry, `.`) runs from the current
            // directory, as Go's `syscall.Exec` does, not through another PATH search.
            let program = if path.components().count() == 1 && path.is_relative() {
                std::path::Path::new(".").join(&path)
            } else {
                path.clone()
            };
            let e = std::process::Command::new(&program)
                .arg0(&path)
                .args(&rest)
                .exec();
            let _ = std::io::stderr().write_all(
                format!("Error: {}\n", kubectl_rs::kubeconfig::resolve::io_text(&e)).as_bytes(),
            );
            return ExitCode::FAILURE;
        }
        cmd::plugin::Plugin::Error(e) => {
            let _ = std::io::stderr().write_all(format!("Error: {e}\n").as_bytes());
            return ExitCode::FAILURE;
        }
    }
    // `help` names no command: the tree is the whole one.
    if let Some((out, err)) = cmd::help::help_topic(&tree, &args, lang) {
        let _ = std::io::stdout().write_all(out.as_bytes());
        let _ = std::io::stderr().write_all(err.as_bytes());
        return ExitCode::SUCCESS;
    }
    let args = cmd::argv::subcommands_first(args, &tree);
    let cli = match cmd::parse_in(&args, tree) {
        Ok(c) => c,
        Err(e) => return finish(Some(CliError::parse_failure(e, &args)), lang),
    };
    // A CLI run is a few sequential requests: one thread starts fastest. The sandbox serves.
    let server = cli.command.is_server();
    let mut builder = if server {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let rt = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return finish(Some(CliError::Io(e)), lang),
    };
    let mut ctx = Context::from_process(cli.global.clone(), &cli.command.header_name());
    ctx.exec_policy = plugin_policy;
    let prog = cmd::help::program_name(args.first().map(String::as_str));
    let result = rt
        .block_on(cmd::run(&cli.command, &ctx))
        .map_err(|e| e.with_program(&prog));
    if server {
        // Tasks of a sandbox that did not stop in its grace must not hold the exit
        // (dropping the runtime would wait for them).
        rt.shutdown_timeout(std::time::Duration::from_millis(200));
    }
    // Flush stdout before any error text so the two streams interleave as kubectl's do.
    let flushed = ctx.out().flush().map_err(CliError::Io);
    finish(result.and(flushed).err(), lang)
}

//! The files generated from the clap definitions and committed to the repository:
//! `man/` (one roff page per command and subcommand) and `completions/` (one script per shell).
//! `tests/generated.rs` fails when they are stale; `UPDATE_GENERATED=1 cargo test --test
//! generated` rewrites them.

use std::path::PathBuf;

use clap_mangen::Man;

use super::completion::{script, Shell};

/// Every generated file, as (path relative to the repository root, contents).
pub fn files(cmd: clap::Command) -> Vec<(PathBuf, Vec<u8>)> {
    let bin = cmd.get_name().to_string();
    let mut out = Vec::new();
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    man_pages(&cmd, &mut out);
    for shell in Shell::ALL {
        out.push((
            PathBuf::from("completions").join(shell.file_name(&bin)),
            script(shell, &bin).into_bytes(),
        ));
    }
    out
}

fn man_pages(cmd: &clap::Command, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_pages(sub, out);
    }
    let man = Man::new(cmd.clone())
        .date("")
        .source(format!("kubectl-rs {}", env!("CARGO_PKG_VERSION")));
    let mut page = Vec::new();
    // Rendering into memory cannot fail.
    man.render(&mut page).expect("render man page");
    out.push((PathBuf::from("man").join(man.get_filename()), page));
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, Command};

    #[test]
    fn one_page_per_visible_command_and_one_script_per_shell() {
        let cmd = Command::new("kubectl-rs")
            .about("kubectl-rs controls the Kubernetes cluster manager.")
            .subcommand(
                Command::new("config")
                    .about("Modify kubeconfig files")
                    .subcommand(Command::new("view").about("Display merged kubeconfig settings")),
            )
            .subcommand(Command::new("get").arg(Arg::new("args").num_args(0..)))
            .subcommand(Command::new("__complete").hide(true));
        let names: Vec<String> = files(cmd)
            .into_iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "man/kubectl-rs-config-view.1",
                "man/kubectl-rs-config.1",
                "man/kubectl-rs-get.1",
                "man/kubectl-rs.1",
                "completions/kubectl-rs.bash",
                "completions/_kubectl-rs",
                "completions/kubectl-rs.fish",
                "completions/kubectl-rs.ps1",
            ]
        );
    }
}

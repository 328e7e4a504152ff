//! The files generated from the clap definitions and committed to the repository:
//! `man/` (one roff page per command and subcommand) and `completions/` (one script per shell).
//! `tests/it/generated.rs` fails when they are stale; `UPDATE_GENERATED=1 cargo test --test it
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
    out.push((
        PathBuf::from("man").join(man.get_filename()),
        ascii_roff(&preformatted_examples(&page)),
    ));
}

/// The EXTRA section (kubectl's examples, laid out by hand) in no-fill mode, so groff keeps
/// its lines and indentation instead of filling them into paragraphs; and the page left-aligned
/// (`.na`), as kubectl's texts hold URLs longer than a justified line can take.
fn preformatted_examples(page: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    let text = match text.find("\n.SH ") {
        Some(i) => format!("{}\n.na{}", &text[..i], &text[i..]),
        None => text.into_owned(),
    };
    let Some(start) = text.find(".SH EXTRA\n") else {
        return page.to_vec();
    };
    let body = start + ".SH EXTRA\n".len();
    let end = text[body..]
        .find("\n.SH ")
        .map(|i| body + i + 1)
        .unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..body]);
    out.push_str(".nf\n");
    out.push_str(&text[body..end]);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(".fi\n");
    out.push_str(&text[end..]);
    out.into_bytes()
}

/// Non-ASCII characters as groff's `\[uXXXX]` escapes: troff reads its input as Latin-1
/// unless preprocessed, and warns on UTF-8 bytes (`man` runs preconv, plain `groff` does not).
fn ascii_roff(page: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", c as u32));
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, Command};

    #[test]
    fn non_ascii_escaped_for_troff() {
        assert_eq!(
            ascii_roff("a … é\n".as_bytes()),
            b"a \\[u2026] \\[u00E9]\n".to_vec()
        );
    }

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

//! kubectl's help layout (`kubectl CMD --help`, `kubectl help CMD`), rendered from the clap
//! definitions: kubectl's `templates.MainHelpTemplate`/`MainUsageTemplate` and its flag
//! printer (`templates/help_flags_printer.go`).
//!
//! Where each piece comes from in a command's clap definition:
//! - the description is `long_about` (kubectl's `Long`), else `about` (`Short`);
//! - the examples are `after_help`, starting with `Examples:` (kubectl's `Example`);
//! - the usage is `override_usage`: kubectl's `Use` string (without the parent's path);
//!   without it the usage is the command's name;
//! - each flag's text is its doc comment; its Go default (`=false`, `=''`, `=[]`, `=500`,
//!   `=0s`) comes from the argument's default and its Go type: `value_name` when it names
//!   one (`string`, `bool`, `stringArray`, `int`, `duration`, ...), else inferred from clap.
//!
//! The texts say `kubectl`, as kubectl's do; they are printed with the name the binary was
//! invoked as ([`program_name`]), so a `kubectl` symlink prints kubectl's text exactly.
//! kubectl wraps to the terminal's width only when stdout is a terminal; this renders the
//! unwrapped form it prints into a pipe or file.

use clap::{Arg, ArgAction, Command};

use crate::i18n::Lang;

/// kubectl's root help groups (`pkg/cmd/cmd.go`), in order. Commands not listed here and not
/// hidden go to "Other Commands:" in name order; names kubectl-rs lacks are skipped.
pub(crate) const ROOT_GROUPS: &[(&str, &[&str])] = &[
    (
        "Basic Commands (Beginner):",
        &["create", "expose", "run", "set"],
    ),
    (
        "Basic Commands (Intermediate):",
        &["explain", "get", "edit", "delete"],
    ),
    ("Deploy Commands:", &["rollout", "scale", "autoscale"]),
    (
        "Cluster Management Commands:",
        &[
            "certificate",
            "cluster-info",
            "top",
            "cordon",
            "uncordon",
            "drain",
            "taint",
        ],
    ),
    (
        "Troubleshooting and Debugging Commands:",
        &[
            "describe",
            "logs",
            "attach",
            "exec",
            "port-forward",
            "proxy",
            "cp",
            "auth",
            "debug",
            "events",
        ],
    ),
    (
        "Advanced Commands:",
        &["diff", "apply", "patch", "replace", "wait", "kustomize"],
    ),
    ("Settings Commands:", &["label", "annotate", "completion"]),
];

/// Defaults kubectl shows for flags kubectl-rs keeps optional (to tell "not given" from the
/// default, as kubectl does with `Flags().Changed`): (command name, flag, shown default).
const UNSET_DEFAULTS: &[(&str, &str, &str)] = &[
    ("api-resources", "namespaced", "true"),
    // A pflag map (`MapStringString`) shows its empty value.
    ("clusterrole", "aggregation-rule", ""),
    ("apply", "field-manager", "'kubectl-client-side-apply'"),
    // `config view -o` is yaml unless given, but `--template` alone picks go-template.
    ("view", "output", "'yaml'"),
    // `describe --show-events` is true unless several objects are described.
    ("describe", "show-events", "true"),
    ("diff", "field-manager", "'kubectl-client-side-apply'"),
    // `--max` is required: kubectl tells "not given" apart.
    ("autoscale", "max", "-1"),
    // `debug --share-processes` changes the copy only when given.
    ("debug", "share-processes", "true"),
];

/// The name the binary was invoked as: the base name of `argv[0]`, as kubectl derives it
/// (`filepath.Base(os.Args[0])`); `kubectl-rs` when there is none.
pub fn program_name(argv0: Option<&str>) -> String {
    argv0
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "kubectl-rs".to_string())
}

/// Replaces the command word `kubectl` in kubectl's texts with `prog`, leaving other uses of
/// the word alone (`kubectl.kubernetes.io/...`, `.../reference/kubectl/`, `kubectl-create`).
pub fn with_program(text: &str, prog: &str) -> String {
    if prog == "kubectl" {
        return text.to_string();
    }
    const WORD: &str = "kubectl";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, _) in text.match_indices(WORD) {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + WORD.len()).copied();
        let opens = before.is_none_or(|b| b" \t\n'\"`(|$=".contains(&b));
        let closes = after.is_none_or(|b| b" \t\n'\"`)".contains(&b));
        if opens && closes {
            out.push_str(&text[last..i]);
            out.push_str(prog);
            last = i + WORD.len();
        }
    }
    out.push_str(&text[last..]);
    out
}

/// The help text for the command at `path` (`["kubectl", "config", "view"]`: the program
/// name, then canonical subcommand names), or `None` when `path` names no command; the texts
/// kubectl translates are in `lang`.
pub fn render(root: &Command, path: &[&str], lang: Lang) -> Option<String> {
    let prog = path.first().copied().unwrap_or("kubectl-rs");
    let mut cmd = root;
    for word in path.iter().skip(1) {
        cmd = cmd.find_subcommand(word)?;
    }
    if path.len() == 2 && path[1] == "options" {
        // kubectl's `options` has an empty help template.
        return Some(String::new());
    }
    Some(with_program(&render_command(cmd, path, lang), prog))
}

/// `help WORDS...` (args after the program name start with `help`), as cobra's help command
/// answers it: the help of the command the words name (words past it are ignored), or, when
/// the first word names no command, "Unknown help topic" and the root's usage on stderr (exit
/// 0). Returns (stdout, stderr); None when the line is not a bare help request (flags are left
/// to clap).
pub fn help_topic(root: &Command, args: &[String], lang: Lang) -> Option<(String, String)> {
    let words = args.get(2..).unwrap_or_default();
    if args.get(1).map(String::as_str) != Some("help") || words.iter().any(|w| w.starts_with('-')) {
        return None;
    }
    let prog = program_name(args.first().map(String::as_str));
    let mut path = vec![prog.clone()];
    let mut cmd = root;
    for w in words {
        match cmd.find_subcommand(w) {
            Some(sub) => {
                path.push(sub.get_name().to_string());
                cmd = sub;
            }
            None => break,
        }
    }
    if path.len() == 1 && !words.is_empty() {
        let topic: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
        let usage = with_program(&usage_sections(root, &["kubectl"], lang), &prog);
        return Some((
            String::new(),
            format!("Unknown help topic [{}]\n{usage}", topic.join(" ")),
        ));
    }
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    render(root, &path, lang).map(|text| (text, String::new()))
}

/// The help text of `cmd`, whose path is `path`, in kubectl's words (`kubectl` as the name).
fn render_command(cmd: &Command, path: &[&str], lang: Lang) -> String {
    let long = cmd
        .get_long_about()
        .or(cmd.get_about())
        .map(|s| s.to_string())
        .unwrap_or_default();
    format!(
        "{}{}",
        lang.t(long.trim()).trim(),
        usage_sections(cmd, path, lang)
    )
}

/// kubectl's usage template for `cmd` (everything after the description), starting with the
/// blank line that separates it and ending with a newline.
fn usage_sections(cmd: &Command, path: &[&str], lang: Lang) -> String {
    let is_root = path.len() <= 1;
    let mut sections: Vec<String> = Vec::new();
    let mut out = String::new();

    let aliases: Vec<&str> = cmd.get_all_aliases().collect();
    if !aliases.is_empty() {
        let mut names = vec![cmd.get_name()];
        names.extend(aliases);
        sections.push(format!("Aliases:\n{}", names.join(", ")));
    }
    if let Some(ex) = cmd.get_after_help() {
        let ex = ex.to_string();
        let ex = ex.strip_prefix("Examples:\n").unwrap_or(&ex);
        sections.push(format!("Examples:\n{}", lang.t(ex.trim_end()).trim_end()));
    }
    let subs: Vec<&Command> = cmd.get_subcommands().filter(|c| !c.is_hide_set()).collect();
    if !subs.is_empty() {
        sections.push(command_groups(&subs, is_root, lang));
    }
    let flags = visible_flags(cmd);
    if !flags.is_empty() {
        let text: String = flags
            .iter()
            .map(|a| flag_usage(cmd.get_name(), a, lang))
            .collect();
        sections.push(format!("Options:\n{}", text.trim_end()));
    }
    let parents = path[..path.len().saturating_sub(1)].join(" ");
    if !is_root {
        let use_line = cmd
            .get_overridden_usage()
            .map(|u| u.to_string())
            .unwrap_or_else(|| cmd.get_name().to_string());
        // Only the joints are single-spaced: a `Use` may hold two spaces (`set resources`).
        let tail = path_tail(&parents);
        let mut usage = ["kubectl", tail.trim(), use_line.as_str()]
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        if !usage.contains("[options]") {
            usage.push_str(" [options]");
        }
        sections.push(format!("Usage:\n  {usage}"));
    } else {
        sections.push("Usage:\n  kubectl [flags] [options]".to_string());
    }
    let mut tips = Vec::new();
    if !subs.is_empty() {
        let full = std::iter::once("kubectl")
            .chain(path.iter().skip(1).copied())
            .collect::<Vec<_>>()
            .join(" ");
        tips.push(format!(
            "Use \"{full} <command> --help\" for more information about a given command."
        ));
    }
    // Every kubectl command is runnable (groups run DefaultSubCommandRun), so every one
    // names `kubectl options`.
    tips.push(
        "Use \"kubectl options\" for a list of global command-line options (applies to all commands)."
            .to_string(),
    );
    sections.push(tips.join("\n"));
    for s in sections {
        out.push_str("\n\n");
        out.push_str(&s);
    }
    out.push('\n');
    out
}

/// The parent path after the program name (`config` for `kubectl config view`).
fn path_tail(parents: &str) -> &str {
    parents.split_once(' ').map(|(_, t)| t).unwrap_or("")
}

/// The "Available Commands:" block, or the root's groups; names padded as cobra's
/// `NamePadding` (the longest sibling name, at least 11) plus three spaces.
fn command_groups(subs: &[&Command], is_root: bool, lang: Lang) -> String {
    let width = subs
        .iter()
        .map(|c| c.get_name().len())
        .max()
        .unwrap_or(0)
        .max(11);
    let line = |c: &Command| {
        let short = c.get_about().map(|s| s.to_string()).unwrap_or_default();
        format!(
            "  {:<width$}   {}",
            c.get_name(),
            lang.t(short.trim()).trim()
        )
    };
    if !is_root {
        let listed = by_name(
            subs.iter()
                .copied()
                .filter(|c| c.get_name() != "options")
                .collect(),
        );
        let lines: Vec<String> = listed.into_iter().map(line).collect();
        return format!("Available Commands:\n{}", lines.join("\n"));
    }
    let mut groups = Vec::new();
    let mut grouped: Vec<&str> = Vec::new();
    for (title, names) in ROOT_GROUPS {
        let lines: Vec<String> = names
            .iter()
            .filter_map(|n| subs.iter().find(|c| c.get_name() == *n))
            .map(|c| line(c))
            .collect();
        grouped.extend(names.iter());
        if !lines.is_empty() {
            groups.push(format!("{title}\n{}", lines.join("\n")));
        }
    }
    let others = by_name(
        subs.iter()
            .copied()
            .filter(|c| !grouped.contains(&c.get_name()) && c.get_name() != "options")
            .collect(),
    );
    if !others.is_empty() {
        let lines: Vec<String> = others.into_iter().map(line).collect();
        groups.push(format!("Other Commands:\n{}", lines.join("\n")));
    }
    groups.join("\n\n")
}

fn by_name(mut v: Vec<&Command>) -> Vec<&Command> {
    v.sort_by_key(|c| c.get_name().to_string());
    v
}

/// The command's own flags as kubectl lists them: not the global ones (those are
/// `kubectl options`), not hidden, not `--help`, sorted by long name.
fn visible_flags(cmd: &Command) -> Vec<&Arg> {
    let mut flags: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| {
            !a.is_positional()
                && !a.is_global_set()
                && !a.is_hide_set()
                && a.get_long().is_some()
                && a.get_long() != Some("help")
                && !matches!(a.get_action(), ArgAction::Help | ArgAction::HelpLong)
        })
        .collect();
    flags.sort_by_key(|a| a.get_long().unwrap_or(""));
    flags
}

/// The Go flag type kubectl declares: named by `value_name` when it is one, else inferred.
fn go_type(a: &Arg) -> &'static str {
    const GO_TYPES: &[&str] = &[
        "string",
        "bool",
        "stringArray",
        "stringSlice",
        "strings",
        "int",
        "int32",
        "int64",
        "uint",
        "duration",
        "Level",
    ];
    if let Some(name) = a.get_value_names().and_then(|v| v.first()) {
        if let Some(t) = GO_TYPES.iter().find(|t| **t == name.as_str()) {
            return t;
        }
    }
    if !a.get_action().takes_values() {
        return "bool";
    }
    let possible: Vec<String> = a
        .get_possible_values()
        .iter()
        .map(|p| p.get_name().to_string())
        .collect();
    if possible.len() == 2 && possible.iter().all(|p| p == "true" || p == "false") {
        return "bool";
    }
    if matches!(a.get_action(), ArgAction::Append) {
        return "stringArray";
    }
    let default = a
        .get_default_values()
        .first()
        .map(|v| v.to_string_lossy().into_owned());
    match default.as_deref() {
        Some(d) if d.parse::<i64>().is_ok() => "int",
        Some(d) if is_go_duration(d) => "duration",
        _ => "string",
    }
}

/// Whether `d` is written as a Go duration with a unit (`0s`, `30s`, `1m0s`).
fn is_go_duration(d: &str) -> bool {
    d.len() > 1
        && d.starts_with(|c: char| c.is_ascii_digit())
        && d.ends_with(['s', 'm', 'h'])
        && crate::cmd::flags::parse_go_duration(d).is_some()
}

/// The flag's default as pflag prints it (`DefValue`).
fn go_default(a: &Arg) -> String {
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let first = defaults.first().cloned();
    match go_type(a) {
        "bool" => first.unwrap_or_else(|| "false".into()),
        "string" => format!("'{}'", first.unwrap_or_default()),
        "stringArray" | "stringSlice" | "strings" => format!("[{}]", defaults.join(",")),
        "duration" => first.unwrap_or_else(|| "0s".into()),
        _ => first.unwrap_or_else(|| "0".into()),
    }
}

/// One flag in kubectl's layout: `    -A, --all-namespaces=false:` then the tab-indented text
/// (newlines in the text become spaces, as kubectl joins them before wrapping).
fn flag_usage(command: &str, a: &Arg, lang: Lang) -> String {
    let long = a.get_long().unwrap_or("");
    let default = UNSET_DEFAULTS
        .iter()
        .find(|(c, f, _)| *c == command && *f == long)
        .map(|(_, _, d)| d.to_string())
        .unwrap_or_else(|| go_default(a));
    let help = a
        .get_long_help()
        .or(a.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default();
    let help = lang.t(&help).to_string();
    // Only newlines go: kubectl keeps a text's trailing space (`proxy --reject-methods`).
    let help = help.trim_end_matches('\n').replace('\n', " ");
    let head = match a.get_short() {
        Some(c) => format!("    -{c}, --{long}={default}:"),
        None => format!("    --{long}={default}:"),
    };
    format!("{head}\n\t{help}\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_word_is_replaced_only_as_a_command() {
        let t = "  kubectl get pods\n  cat x | kubectl apply -f -\n kubectl.kubernetes.io/x https://kubernetes.io/docs/reference/kubectl/ --field-manager='kubectl-create' \"kubectl options\"";
        assert_eq!(
            with_program(t, "kubectl-rs"),
            "  kubectl-rs get pods\n  cat x | kubectl-rs apply -f -\n kubectl.kubernetes.io/x https://kubernetes.io/docs/reference/kubectl/ --field-manager='kubectl-create' \"kubectl-rs options\""
        );
        assert_eq!(with_program(t, "kubectl"), t);
    }

    #[test]
    fn program_name_is_the_base_name() {
        assert_eq!(program_name(Some("/usr/local/bin/kubectl")), "kubectl");
        assert_eq!(
            program_name(Some("./target/debug/kubectl-rs")),
            "kubectl-rs"
        );
        assert_eq!(program_name(None), "kubectl-rs");
    }
}

//! cobra's command lookup (`Command.Find`): the words naming subcommands may be mixed with
//! flags (`kubectl create -n x --dry-run=client namespace y`); cobra finds the command by
//! skipping flags and their values, then parses every flag with the final command's flag set.
//! clap wants the subcommand words first, so [`subcommands_first`] moves them there.

/// Positions in `args` (argv, program name first) of the words that name subcommands of
/// `root` (the command tree, see [`super::tree_for`]), found as cobra's `Find` does: flags and
/// the values of flags that take one are skipped; the walk stops at the first other word.
/// `help` at the root stops it (a help topic).
pub fn subcommand_positions(args: &[String], root: &clap::Command) -> Vec<usize> {
    walk(args, root).0
}

/// [`subcommand_positions`] and where the walk stopped: the position of the first word that
/// names no subcommand (`None` when only flags, `--` or the end followed).
pub fn walk(args: &[String], root: &clap::Command) -> (Vec<usize>, Option<usize>) {
    let mut cur = root;
    let mut found = Vec::new();
    let mut skip_value = false;
    let takes_value = |cur: &clap::Command, pred: &dyn Fn(&clap::Arg) -> bool| {
        cur.get_arguments()
            .chain(root.get_arguments())
            .find(|x| pred(x))
            .is_some_and(|x| {
                x.get_action().takes_values() && x.get_num_args().is_none_or(|r| r.min_values() > 0)
            })
    };
    for (i, a) in args.iter().enumerate().skip(1) {
        if skip_value {
            skip_value = false;
            continue;
        }
        if a == "--" {
            return (found, None);
        }
        if let Some(flag) = a.strip_prefix("--") {
            if !flag.contains('=') {
                skip_value = takes_value(cur, &|x| x.get_long() == Some(flag));
            }
            continue;
        }
        if let Some(short) = a.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut chars = short.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                skip_value = takes_value(cur, &|x| x.get_short() == Some(c));
            }
            continue;
        }
        if a == "help" && found.is_empty() {
            return (found, Some(i));
        }
        match cur.find_subcommand(a) {
            Some(sub) => {
                found.push(i);
                cur = sub;
            }
            None => return (found, Some(i)),
        }
    }
    (found, None)
}

/// `args` with the subcommand words moved right after the program name, every other argument
/// kept in its order.
pub fn subcommands_first(args: Vec<String>, root: &clap::Command) -> Vec<String> {
    let pos = subcommand_positions(&args, root);
    if pos.iter().enumerate().all(|(k, &i)| i == k + 1) {
        return args;
    }
    let mut out = Vec::with_capacity(args.len());
    out.extend(args.first().cloned());
    out.extend(pos.iter().map(|&i| args[i].clone()));
    out.extend(
        args.iter()
            .enumerate()
            .skip(1)
            .filter(|(i, _)| !pos.contains(i))
            .map(|(_, a)| a.clone()),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::strings as v;

    #[test]
    fn flags_before_subcommands_move_after_them() {
        // The same over the whole tree and over the invoked command's.
        let first = |args: &Vec<String>| {
            use clap::CommandFactory;
            let whole = subcommands_first(args.clone(), &crate::cmd::Cli::command());
            let own = subcommands_first(args.clone(), &crate::cmd::tree_for(args));
            assert_eq!(whole, own, "{args:?}");
            own
        };
        assert_eq!(
            first(&v(&[
                "k",
                "create",
                "-s",
                "https://x",
                "--insecure-skip-tls-verify",
                "namespace",
                "a"
            ])),
            v(&[
                "k",
                "create",
                "namespace",
                "-s",
                "https://x",
                "--insecure-skip-tls-verify",
                "a"
            ])
        );
        assert_eq!(
            first(&v(&["k", "-n", "create", "config", "view"])),
            v(&["k", "config", "view", "-n", "create"])
        );
        // Positional arguments stop the walk; already ordered argv is unchanged.
        assert_eq!(
            first(&v(&["k", "create", "foo", "namespace"])),
            v(&["k", "create", "foo", "namespace"])
        );
        assert_eq!(
            first(&v(&["k", "get", "pods", "-n", "x"])),
            v(&["k", "get", "pods", "-n", "x"])
        );
        assert_eq!(
            first(&v(&["k", "--kubeconfig", "help", "help", "get"])),
            v(&["k", "--kubeconfig", "help", "help", "get"])
        );
    }
}

//! cobra's "Did you mean this?" for an unknown command (`Command.SuggestionsFor`): the
//! available commands within Levenshtein distance 2 of the typed name (ignoring case), or
//! whose name starts with it, in the order kubectl adds its commands.

use clap::CommandFactory;

/// The commands kubectl v1.36 adds after its help groups (`help::ROOT_GROUPS`), in order:
/// cobra lists suggestions in the order the commands were added.
const AFTER_GROUPS: &[&str] = &[
    "alpha",
    "config",
    "plugin",
    "version",
    "api-versions",
    "api-resources",
    "options",
];

/// cobra's `SuggestFor` of kubectl v1.36's commands: words that suggest a command whatever
/// their distance.
const SUGGEST_FOR: &[(&str, &[&str])] = &[
    ("get", &["list", "ls"]),
    ("describe", &["inspect"]),
    ("delete", &["rm", "remove"]),
    ("top", &["stats"]),
];

/// cobra's `SuggestionsMinimumDistance` default.
const MINIMUM_DISTANCE: usize = 2;

/// cobra's `ld`: Levenshtein distance over bytes, case-insensitive.
fn distance(s: &str, t: &str) -> usize {
    let s = s.to_lowercase().into_bytes();
    let t = t.to_lowercase().into_bytes();
    let mut prev: Vec<usize> = (0..=t.len()).collect();
    for (i, a) in s.iter().enumerate() {
        let mut cur = vec![i + 1; t.len() + 1];
        for (j, b) in t.iter().enumerate() {
            cur[j + 1] = if a == b {
                prev[j]
            } else {
                1 + prev[j].min(prev[j + 1]).min(cur[j])
            };
        }
        prev = cur;
    }
    prev[t.len()]
}

/// The visible commands, in kubectl's order (commands kubectl lacks, such as `sandbox`, last).
fn commands() -> Vec<String> {
    let root = super::Cli::command();
    let mut names: Vec<String> = root
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect();
    let order: Vec<&str> = super::help::ROOT_GROUPS
        .iter()
        .flat_map(|(_, names)| names.iter().copied())
        .chain(AFTER_GROUPS.iter().copied())
        .collect();
    let rank = |n: &String| order.iter().position(|k| k == n).unwrap_or(order.len());
    names.sort_by_key(rank);
    names
}

/// The commands cobra suggests for `typed`.
pub fn suggestions(typed: &str) -> Vec<String> {
    let mut out = Vec::new();
    for name in commands() {
        // cobra adds a command for its distance or prefix, then once more for each of its
        // SuggestFor words that matches.
        if distance(typed, &name) <= MINIMUM_DISTANCE
            || name.to_lowercase().starts_with(&typed.to_lowercase())
        {
            out.push(name.clone());
        }
        let explicit = SUGGEST_FOR
            .iter()
            .filter(|(c, _)| *c == name)
            .flat_map(|(_, words)| words.iter())
            .filter(|w| w.eq_ignore_ascii_case(typed))
            .count();
        out.extend(std::iter::repeat_n(name, explicit));
    }
    out
}

/// cobra's `findSuggestions` text appended to the unknown-command error (empty if none).
pub fn did_you_mean(typed: &str) -> String {
    let found = suggestions(typed);
    if found.is_empty() {
        return String::new();
    }
    let mut s = String::from("\n\nDid you mean this?\n");
    for name in found {
        s.push('\t');
        s.push_str(&name);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cobra_distance() {
        assert_eq!(distance("gett", "get"), 1);
        assert_eq!(distance("foo", "top"), 2);
        assert_eq!(distance("GET", "get"), 0);
        assert_eq!(distance("", "cp"), 2);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggestions_in_kubectl_order() {
        assert_eq!(suggestions("delet"), ["delete"]);
        assert_eq!(suggestions("Api-resources"), ["api-resources"]);
        assert!(suggestions("xyzzyq").is_empty());
        // `top`'s SuggestFor (kubectl v1.36), whatever the distance.
        assert_eq!(suggestions("STATS"), ["top"]);
        // kubectl v1.36's other SuggestFor words.
        assert_eq!(suggestions("list"), ["get"]);
        assert_eq!(suggestions("ls"), ["get", "logs", "cp"]);
        assert_eq!(suggestions("inspect"), ["describe"]);
        assert_eq!(suggestions("rm"), ["run", "delete", "cp"]);
        assert_eq!(suggestions("remove"), ["delete"]);
        let ap = suggestions("ap");
        let pos = |n: &str| ap.iter().position(|x| x == n).unwrap();
        assert!(pos("apply") < pos("api-versions") && pos("api-versions") < pos("api-resources"));
    }
}

//! kuberc (kubectl v1.36 `pkg/kuberc`, beta: on unless `KUBECTL_KUBERC=false`): the user's
//! preferences file `~/.kube/kuberc` (or `--kuberc FILE`, or `$KUBERC`; `KUBERC=off`
//! disables it), a `kubectl.config.k8s.io/v1beta1` (or v1alpha1) `Preference` with
//! `aliases` (a new command name for a command, with `prependArgs`, `appendArgs` and default
//! flags) and `defaults` (flag values per command). Explicit flags win over both.
//!
//! kubectl sets the flag values on its cobra commands; kubectl-rs rewrites argv the same way
//! before parsing: the alias word becomes its command's words, and each default not given
//! becomes `--name=value` right after the command's words.

use serde_json::Value;

use crate::context::Env;
use crate::kubeconfig::plugin_policy::PluginPolicy;

use super::argv;

/// One `name`/`default` pair.
#[derive(Debug, Clone, PartialEq)]
struct OptionDefault {
    name: String,
    default: String,
}

#[derive(Debug, Clone, PartialEq)]
struct Alias {
    name: String,
    command: String,
    prepend: Vec<String>,
    append: Vec<String>,
    options: Vec<OptionDefault>,
}

#[derive(Debug, Clone, PartialEq)]
struct Defaults {
    command: String,
    options: Vec<OptionDefault>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Preference {
    defaults: Vec<Defaults>,
    aliases: Vec<Alias>,
    /// `credentialPluginPolicy` and `credentialPluginAllowlist` (`convertPluginPolicy`).
    plugin_policy: PluginPolicy,
}

/// What applying the preferences gave: the new argv and the warnings for stderr.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Applied {
    /// argv after aliases and defaults.
    pub args: Vec<String>,
    /// Text for stderr (kubectl's `Warning: …` lines).
    pub warnings: String,
    /// Whether an alias was expanded (then no plugin is looked up: the alias is a command).
    pub aliased: bool,
    /// The credential plugin policy for the exec plugins the command may run.
    pub plugin_policy: PluginPolicy,
}

/// kubectl `Preferences.Apply` for argv `args`; `Err` is the text after kubectl's
/// `error occurred while applying preferences ` (exit 1).
pub fn apply(args: &[String], env: &Env) -> Result<Applied, String> {
    let mut out = Applied {
        args: args.to_vec(),
        ..Applied::default()
    };
    if env.get("KUBECTL_KUBERC") == Some("false") || args.len() <= 1 {
        return Ok(out);
    }
    let explicit = explicit_kuberc(args)?;
    let verbose = verbosity_from_args(args) >= 5;
    let Some(pref) = load(explicit.as_deref(), env, verbose, &mut out.warnings)
        .map_err(|e| format!("kuberc error {e}"))?
    else {
        return Ok(out);
    };
    validate(&pref)?;
    out.plugin_policy = pref.plugin_policy.clone();
    apply_aliases(&pref, &mut out)?;
    apply_defaults(&pref, &mut out)?;
    Ok(out)
}

/// kubectl `getExplicitKuberc`.
fn explicit_kuberc(args: &[String]) -> Result<Option<String>, String> {
    for (i, a) in args.iter().enumerate() {
        if a == "--" {
            break;
        }
        if a == "--kuberc" {
            return match args.get(i + 1) {
                Some(p) => Ok(Some(p.clone())),
                None => Err("kuberc file is not found".into()),
            };
        }
        if a.contains("--kuberc=") {
            return match a.split('=').nth(1).filter(|p| !p.is_empty()) {
                Some(p) => Ok(Some(p.to_string())),
                None => Err("kuberc file is not found".into()),
            };
        }
    }
    Ok(None)
}

/// kubectl `DefaultGetPreferences` (`LoadKuberc` + `decodePreference`).
fn load(
    explicit: Option<&str>,
    env: &Env,
    verbose: bool,
    warnings: &mut String,
) -> Result<Option<Preference>, String> {
    if env.get("KUBERC") == Some("off") {
        if explicit.is_some() {
            return Err(
                "disabling kuberc via KUBERC=off and passing kuberc flag are mutually exclusive"
                    .into(),
            );
        }
        return Ok(None);
    }
    let recommended = format!("{}/.kube/kuberc", env.get("HOME").unwrap_or(""));
    let (file, explicitly) = match (explicit, env.get("KUBERC").filter(|v| !v.is_empty())) {
        (Some(f), _) => (f.to_string(), true),
        (None, Some(k)) => (k.to_string(), true),
        (None, None) => (recommended, false),
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if explicitly => {
            return Err(format!(
                "kuberc: {}",
                crate::kubeconfig::resolve::open_error(&file, &e)
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            warnings.push_str(&format!(
                "kuberc: no preferences loaded from {file}: {}",
                crate::kubeconfig::resolve::open_error(&file, &e)
            ));
            return Ok(None);
        }
    };
    match decode(&text, &file, verbose, warnings) {
        Ok(Some((p, unknown))) => {
            if !unknown.is_empty() {
                // kubectl decodes strictly, then leniently: a usable Preference with unknown
                // fields is used, with this warning (no newline, as kubectl writes it).
                let list: Vec<String> = unknown
                    .iter()
                    .map(|f| format!("unknown field {f:?}"))
                    .collect();
                warnings.push_str(&format!(
                    "kuberc: ignoring strict decoding error in {file}: strict decoding error: {}",
                    list.join(", ")
                ));
            }
            Ok(Some(p))
        }
        Ok(None) => Ok(None),
        Err(e) if explicitly => Err(format!("kuberc: {e}")),
        Err(e) => {
            warnings.push_str(&format!("kuberc: no preferences loaded from {file}: {e}"));
            Ok(None)
        }
    }
}

/// The fields of a `Preference` (v1beta1 spelling; v1alpha1 says `overrides`/`flags`).
fn known_fields(v1beta1: bool, path: &[&str]) -> Option<&'static [&'static str]> {
    let (defaults, options) = if v1beta1 {
        ("defaults", "options")
    } else {
        ("overrides", "flags")
    };
    const PLUGINS: [&str; 2] = ["credentialPluginPolicy", "credentialPluginAllowlist"];
    let top: &'static [&'static str] = if v1beta1 {
        &[
            "apiVersion",
            "kind",
            "defaults",
            "aliases",
            PLUGINS[0],
            PLUGINS[1],
        ]
    } else {
        &[
            "apiVersion",
            "kind",
            "overrides",
            "aliases",
            PLUGINS[0],
            PLUGINS[1],
        ]
    };
    let option: &'static [&'static str] = &["name", "default"];
    match path {
        [] => Some(top),
        [d] if *d == defaults => Some(if v1beta1 {
            &["command", "options"]
        } else {
            &["command", "flags"]
        }),
        [d, o] if *d == defaults && *o == options => Some(option),
        ["aliases"] => Some(if v1beta1 {
            &["name", "command", "prependArgs", "appendArgs", "options"]
        } else {
            &["name", "command", "prependArgs", "appendArgs", "flags"]
        }),
        ["aliases", o] if *o == options => Some(option),
        ["credentialPluginAllowlist"] => Some(&["name", "command"]),
        _ => None,
    }
}

/// The unknown fields of a Preference document, as the strict decoder names them
/// (`defaults[0].options[1].x`).
fn unknown_fields(
    v1beta1: bool,
    v: &Value,
    schema: &mut Vec<&'static str>,
    at: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let Some(known) = known_fields(v1beta1, schema) else {
        return out;
    };
    let Some(obj) = v.as_object() else {
        return out;
    };
    for (k, child) in obj {
        let path = if at.is_empty() {
            k.clone()
        } else {
            format!("{at}.{k}")
        };
        let Some(&field) = known.iter().find(|f| *f == k) else {
            out.push(path);
            continue;
        };
        if let Some(items) = child.as_array() {
            schema.push(field);
            for (i, item) in items.iter().enumerate() {
                out.extend(unknown_fields(
                    v1beta1,
                    item,
                    schema,
                    &format!("{path}[{i}]"),
                ));
            }
            schema.pop();
        }
    }
    out
}

/// The first YAML document that is a `kubectl.config.k8s.io` `Preference`, with the unknown
/// fields the strict decoder reported for it.
/// `verbose` (`-v` 5 or more) logs what was found to `log` (klog lines, as kubectl v1.36).
fn decode(
    text: &str,
    file: &str,
    verbose: bool,
    log: &mut String,
) -> Result<Option<(Preference, Vec<String>)>, String> {
    let mut attempted = 0;
    for doc in crate::manifest::yaml::documents_to_json(text) {
        let Ok(doc) = doc else {
            attempted += 1;
            continue;
        };
        if doc.is_null() {
            continue;
        }
        attempted += 1;
        let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if doc.get("kind").and_then(Value::as_str) != Some("Preference") {
            continue;
        }
        let (defaults_key, options_key) = match api_version {
            "kubectl.config.k8s.io/v1beta1" => ("defaults", "options"),
            "kubectl.config.k8s.io/v1alpha1" => ("overrides", "flags"),
            _ => continue,
        };
        let options = |v: Option<&Value>| -> Vec<OptionDefault> {
            v.and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|o| OptionDefault {
                    name: str_of(o, "name"),
                    default: str_of(o, "default"),
                })
                .collect()
        };
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        };
        // v1beta1 `AllowlistEntry`: `name` (deprecated) or `command`; both, when they differ,
        // fail the conversion, so the document is not a usable Preference.
        let mut allowlist = None;
        let mut convertible = true;
        if let Some(list) = doc
            .get("credentialPluginAllowlist")
            .and_then(Value::as_array)
        {
            let mut commands = Vec::new();
            for e in list {
                let (name, command) = (str_of(e, "name"), str_of(e, "command"));
                if !name.is_empty() && !command.is_empty() && name != command {
                    convertible = false;
                }
                commands.push(if command.is_empty() { name } else { command });
            }
            allowlist = Some(commands);
        }
        if !convertible {
            continue;
        }
        let pref = Preference {
            plugin_policy: PluginPolicy {
                policy_type: str_of(&doc, "credentialPluginPolicy"),
                allowlist,
            },
            defaults: doc
                .get(defaults_key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|d| Defaults {
                    command: str_of(d, "command"),
                    options: options(d.get(options_key)),
                })
                .collect(),
            aliases: doc
                .get("aliases")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|a| Alias {
                    name: str_of(a, "name"),
                    command: str_of(a, "command"),
                    prepend: strings(a.get("prependArgs")),
                    append: strings(a.get("appendArgs")),
                    options: options(a.get(options_key)),
                })
                .collect(),
        };
        let unknown = unknown_fields(api_version.ends_with("/v1beta1"), &doc, &mut Vec::new(), "");
        if verbose {
            log.push_str(&crate::client::log::klog_line(
                'I',
                "marshal.go:94",
                &format!("kuberc: using entry {attempted} ({api_version}) in {file}"),
            ));
        }
        return Ok(Some((pref, unknown)));
    }
    if attempted > 0 {
        return Err(format!(
            "no valid preferences found in {file}, use --v=5 to see details"
        ));
    }
    if verbose {
        log.push_str(&crate::client::log::klog_line(
            'I',
            "marshal.go:103",
            &format!("kuberc: no preferences found in {file}"),
        ));
    }
    Ok(None)
}

/// kubectl's `getVerbosityFromArgs` (kuberc is read before flags are parsed): the value of
/// the first `-v`/`--v` before `--`, 0 when absent or not a number.
fn verbosity_from_args(args: &[String]) -> u64 {
    for (i, a) in args.iter().enumerate() {
        if a == "--" {
            break;
        }
        if a == "--v" || a == "-v" {
            if let Some(v) = args.get(i + 1) {
                return v.parse().unwrap_or(0);
            }
        } else if a.contains("--v=") || a.contains("-v=") {
            if let Some(v) = a.split('=').nth(1).filter(|v| !v.is_empty()) {
                return v.parse().unwrap_or(0);
            }
        }
    }
    0
}

fn str_of(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

/// kubectl `Preferences.validate`.
fn validate(p: &Preference) -> Result<(), String> {
    let flags_ok = |opts: &[OptionDefault]| -> Result<(), String> {
        match opts.iter().find(|o| o.name.starts_with('-')) {
            Some(o) => Err(format!(
                "flag name {} should be in long form without dashes",
                o.name
            )),
            None => Ok(()),
        }
    };
    let mut names: Vec<&str> = Vec::new();
    for a in &p.aliases {
        if a.name.is_empty() || !a.name.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err("invalid alias name, can only include alphabetical characters".into());
        }
        flags_ok(&a.options)?;
        if names.contains(&a.name.as_str()) {
            return Err(format!("duplicate alias name {}", a.name));
        }
        names.push(&a.name);
    }
    for d in &p.defaults {
        flags_ok(&d.options)?;
    }
    p.plugin_policy.validate()
}

/// cobra's `Find` on `words` (no program name): the command path, or `None` when the first
/// positional word names no command.
fn find(words: &[String]) -> Option<Vec<String>> {
    let argv: Vec<String> = std::iter::once(String::new())
        .chain(words.iter().cloned())
        .collect();
    let (found, stop) = argv::walk(&argv, &super::tree_for(&argv));
    if found.is_empty() && stop.is_some() {
        return None;
    }
    Some(found.iter().map(|&i| argv[i].clone()).collect())
}

/// The command tree with the subtree of the command at `path` (see [`super::tree_for`]).
fn tree_of(path: &[String]) -> clap::Command {
    let argv: Vec<String> = std::iter::once(String::new())
        .chain(path.iter().cloned())
        .collect();
    super::tree_for(&argv)
}

/// The long name and shorthand of flag `name` of the command at `path` (its own flags and
/// the global ones).
fn flag(path: &[String], name: &str) -> Option<(String, Option<char>)> {
    let root = tree_of(path);
    let mut cur = &root;
    for w in path {
        cur = cur.find_subcommand(w)?;
    }
    let found = cur
        .get_arguments()
        .chain(root.get_arguments())
        .find(|a| a.get_long() == Some(name))
        .map(|a| (name.to_string(), a.get_short()));
    found
}

/// The shorthands of the command at `path` (for kubectl's combined-shorthand check).
fn shorthands(path: &[String]) -> Vec<char> {
    let root = tree_of(path);
    let mut cur = &root;
    for w in path {
        match cur.find_subcommand(w) {
            Some(c) => cur = c,
            None => break,
        }
    }
    let shorts: Vec<char> = cur
        .get_arguments()
        .chain(root.get_arguments())
        .filter_map(|a| a.get_short())
        .collect();
    shorts
}

/// kubectl `searchInArgs`: whether the flag was given explicitly.
fn given(name: &str, short: Option<char>, all: &[char], args: &[String]) -> bool {
    args.iter().any(|a| {
        if a == &format!("--{name}") || a.starts_with(&format!("--{name}=")) {
            return true;
        }
        let Some(s) = short else { return false };
        if a.starts_with(&format!("-{s}")) {
            return true;
        }
        let combined =
            a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c.is_ascii_alphabetic());
        combined && all.contains(&s) && a[1..].contains(s)
    })
}

/// kubectl `applyAliases`.
fn apply_aliases(p: &Preference, out: &mut Applied) -> Result<(), String> {
    let args = out.args.clone();
    if find(&args[1..]).is_some() {
        return Ok(());
    }
    let Some((index, name)) = args
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, a)| !a.starts_with('-') && !a.starts_with("__complete"))
    else {
        return Ok(());
    };
    let Some(alias) = p.aliases.iter().find(|a| &a.name == name) else {
        return Ok(());
    };
    if find(std::slice::from_ref(&alias.name)).is_some() {
        out.warnings.push_str(&format!(
            "Warning: Setting alias {:?} to a built-in command is not supported\n",
            alias.name
        ));
        return Ok(());
    }
    let words: Vec<String> = alias.command.split_whitespace().map(String::from).collect();
    let Some(path) = find(&words) else {
        return Err(format!(
            "command {:?} not found to set alias {:?}: []",
            alias.command, alias.name
        ));
    };
    let all = shorthands(&path);
    let mut flags = Vec::new();
    for o in &alias.options {
        let Some((long, short)) = flag(&path, &o.name) else {
            return Err(format!(
                "invalid alias flag {} in alias {}",
                o.name, args[0]
            ));
        };
        if !given(&long, short, &all, &args) {
            flags.push(format!("--{long}={}", o.default));
        }
    }
    let mut new = args[..index].to_vec();
    new.extend(path);
    new.extend(flags);
    new.extend(alias.prepend.iter().cloned());
    new.extend(args[index + 1..].iter().cloned());
    new.extend(alias.append.iter().cloned());
    out.args = new;
    out.aliased = true;
    Ok(())
}

/// kubectl `applyOverrides` (`defaults`): for the command run (matched by its name, as
/// kubectl does), each option not given explicitly.
fn apply_defaults(p: &Preference, out: &mut Applied) -> Result<(), String> {
    if out.aliased {
        // The alias is a command of its own name: no `defaults` entry names it, and one that
        // does is refused.
        let alias = &out.args;
        if let Some(d) = p.defaults.iter().find(|d| {
            p.aliases
                .iter()
                .any(|a| a.name == d.command && alias.contains(&a.name))
        }) {
            return Err(format!("alias {} can not be overridden", d.command));
        }
        return Ok(());
    }
    let args = out.args.clone();
    let Some(path) = find(&args[1..]) else {
        return Ok(());
    };
    let Some(cmd_name) = path.last() else {
        return Ok(());
    };
    let (positions, _) = argv::walk(&args, &super::tree_for(&args));
    let insert_at = positions.last().map_or(1, |i| i + 1);
    let all = shorthands(&path);
    let mut flags = Vec::new();
    for d in &p.defaults {
        let words: Vec<String> = d.command.split_whitespace().map(String::from).collect();
        let Some(target) = find(&words) else {
            out.warnings.push_str(&format!(
                "Warning: command {:?} not found to set kuberc override\n",
                d.command
            ));
            continue;
        };
        if target.last() != Some(cmd_name) {
            continue;
        }
        for o in &d.options {
            let Some((long, short)) = flag(&path, &o.name) else {
                return Err(format!("invalid flag {} for command {}", o.name, d.command));
            };
            if !given(&long, short, &all, &args) {
                flags.push(format!("--{long}={}", o.default));
            }
        }
    }
    let mut new = args[..insert_at].to_vec();
    new.extend(flags);
    new.extend(args[insert_at..].iter().cloned());
    out.args = new;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::strings as v;

    fn pref(yaml: &str) -> Preference {
        decode(yaml, "f", false, &mut String::new())
            .unwrap()
            .unwrap()
            .0
    }

    #[test]
    fn aliases_and_defaults_rewrite_argv() {
        let p = pref("apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\ndefaults:\n- command: get\n  options:\n  - name: output\n    default: name\naliases:\n- name: getcm\n  command: get\n  prependArgs: [configmaps]\n  appendArgs: [-A]\n  options:\n  - name: output\n    default: wide\n");
        let mut a = Applied {
            args: v(&["k", "getcm", "x"]),
            ..Default::default()
        };
        apply_aliases(&p, &mut a).unwrap();
        assert_eq!(
            a.args,
            v(&["k", "get", "--output=wide", "configmaps", "x", "-A"])
        );
        let mut a = Applied {
            args: v(&["k", "getcm", "-o", "json"]),
            ..Default::default()
        };
        apply_aliases(&p, &mut a).unwrap();
        assert_eq!(a.args, v(&["k", "get", "configmaps", "-o", "json", "-A"]));
        let mut a = Applied {
            args: v(&["k", "get", "pods"]),
            ..Default::default()
        };
        apply_defaults(&p, &mut a).unwrap();
        assert_eq!(a.args, v(&["k", "get", "--output=name", "pods"]));
        let mut a = Applied {
            args: v(&["k", "get", "pods", "-ojson"]),
            ..Default::default()
        };
        apply_defaults(&p, &mut a).unwrap();
        assert_eq!(a.args, v(&["k", "get", "pods", "-ojson"]));
        // v1alpha1 spells them overrides/flags.
        let p = pref("apiVersion: kubectl.config.k8s.io/v1alpha1\nkind: Preference\noverrides:\n- command: get\n  flags:\n  - name: output\n    default: yaml\n");
        assert_eq!(p.defaults[0].options[0].default, "yaml");
    }

    fn decode_quiet(yaml: &str) -> Result<Option<(Preference, Vec<String>)>, String> {
        decode(yaml, "f", false, &mut String::new())
    }

    #[test]
    fn verbose_decoding_logs_what_it_found() {
        let mut log = String::new();
        assert!(matches!(decode("", "f", true, &mut log), Ok(None)));
        assert!(
            log.ends_with(" marshal.go:103] kuberc: no preferences found in f\n"),
            "{log}"
        );
        let mut log = String::new();
        decode(
            "---\napiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n",
            "f",
            true,
            &mut log,
        )
        .unwrap()
        .unwrap();
        assert!(
            log.ends_with(
                " marshal.go:94] kuberc: using entry 1 (kubectl.config.k8s.io/v1beta1) in f\n"
            ),
            "{log}"
        );
        let v =
            |a: &[&str]| verbosity_from_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(v(&["k", "get", "-v", "5"]), 5);
        assert_eq!(v(&["k", "get", "--v=7", "x"]), 7);
        assert_eq!(v(&["k", "--", "-v=5"]), 0);
        assert_eq!(v(&["k", "get", "-v=x"]), 0);
    }

    #[test]
    fn unknown_fields_are_named_as_the_strict_decoder_does() {
        let (_, unknown) = decode_quiet("apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\ndefaults:\n- command: get\n  options:\n  - name: output\n    default: name\n    x: 1\n  flags: []\naliases:\n- name: a\n  command: get\n  options:\n  - name: output\n    z: 2\nunknown: invalid\n").unwrap().unwrap();
        assert_eq!(
            unknown,
            [
                "aliases[0].options[0].z",
                "defaults[0].flags",
                "defaults[0].options[0].x",
                "unknown"
            ]
        );
        // v1alpha1's spelling: `options` is unknown there.
        let (_, unknown) = decode_quiet("apiVersion: kubectl.config.k8s.io/v1alpha1\nkind: Preference\noverrides:\n- command: get\n  flags:\n  - name: output\n    default: name\n  options: []\n").unwrap().unwrap();
        assert_eq!(unknown, ["overrides[0].options"]);
    }

    #[test]
    fn invalid_preferences() {
        let bad = |y: &str| validate(&pref(y)).unwrap_err();
        assert_eq!(
            bad("apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\naliases:\n- name: a1\n  command: get\n"),
            "invalid alias name, can only include alphabetical characters"
        );
        assert_eq!(
            bad("apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\ndefaults:\n- command: get\n  options:\n  - name: -o\n    default: x\n"),
            "flag name -o should be in long form without dashes"
        );
        assert_eq!(
            explicit_kuberc(&v(&["k", "--kuberc"])).unwrap_err(),
            "kuberc file is not found"
        );
    }
}

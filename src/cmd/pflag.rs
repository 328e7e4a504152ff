//! spf13/pflag's parsing rules and error words over clap's command tree.
//!
//! clap parses the command line; this module makes it parse as pflag does where the two differ,
//! and words its failures as pflag would have:
//! - [`command`] adjusts the tree used for parsing (not the one help, man pages and completion
//!   are generated from): a flag given twice takes its last value (pflag's `Set` simply
//!   overwrites; clap refuses by default), a flag's value may start with `-` (`-n -x` names
//!   namespace `-x`), and booleans take every spelling Go's `strconv.ParseBool` takes.
//! - [`flag_error`] re-reads the raw argv as pflag's `parseArgs` does when clap has failed, and
//!   returns pflag's text for the first flag error: clap's error does not tell `-n` from
//!   `--namespace`, nor `-zq` from `-z`, and pflag names both as the user wrote them.

use clap::{Arg, Command};
use kcore::gofmt::go_quote;
use std::any::TypeId;

/// The command tree as pflag parses it (see the module doc). Applied to every subcommand.
pub fn command(cmd: Command) -> Command {
    cmd.args_override_self(true)
        .mut_args(pflag_arg)
        .mut_subcommands(command)
}

fn pflag_arg(a: Arg) -> Arg {
    if is_positional(&a) {
        return a;
    }
    // Booleans (`SetTrue` flags that also take `--flag=value`, or `Set` ones).
    let a = if a.get_value_parser().type_id() == TypeId::of::<bool>() {
        a.value_parser(parse_go_bool)
    } else {
        a
    };
    if !takes_value(&a) {
        return a;
    }
    // A required value is the next word whatever it looks like (pflag's `-f arg`). Options
    // that take several words per occurrence keep clap's reading.
    match a.get_num_args() {
        Some(r) if r.max_values() > 1 || r.min_values() == 0 => a,
        _ => a.allow_hyphen_values(true),
    }
}

fn is_positional(a: &Arg) -> bool {
    a.get_long().is_none() && a.get_short().is_none()
}

/// Whether the flag takes a value at all (`--name value`, or `--name=value` when optional).
fn takes_value(a: &Arg) -> bool {
    a.get_action().takes_values()
}

/// Whether the flag needs its value (pflag's flags without `NoOptDefVal`).
fn needs_value(a: &Arg) -> bool {
    takes_value(a) && a.get_num_args().is_none_or(|r| r.min_values() > 0)
}

/// Go's `strconv.ParseBool`.
pub use kcore::gofmt::go_parse_bool as go_bool;

fn parse_go_bool(s: &str) -> Result<bool, String> {
    go_bool(s).ok_or_else(|| bool_error(s))
}

fn bool_error(s: &str) -> String {
    format!("strconv.ParseBool: parsing {}: invalid syntax", go_quote(s))
}

/// Go's `strconv.ParseInt(s, 0, bits)`: the error's reason, or the value.
pub fn go_int(s: &str, bits: u32) -> Result<i64, &'static str> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err("invalid syntax");
    }
    let magnitude = u128::from_str_radix(digits, radix).map_err(|_| "value out of range")?;
    let limit = 1u128 << (bits - 1);
    if (!neg && magnitude >= limit) || (neg && magnitude > limit) {
        return Err("value out of range");
    }
    let v = magnitude as i128;
    Ok(if neg { -v } else { v } as i64)
}

fn int_bits(a: &Arg) -> Option<u32> {
    let t = a.get_value_parser().type_id();
    [
        (TypeId::of::<i64>(), 64),
        (TypeId::of::<i32>(), 32),
        (TypeId::of::<i16>(), 16),
        (TypeId::of::<i8>(), 8),
        // The one `u8` flag is `-v`, klog's `Level` (an int32).
        (TypeId::of::<u8>(), 32),
    ]
    .into_iter()
    .find(|(id, _)| t == *id)
    .map(|(_, bits)| bits)
}

/// pflag's name of a flag in value errors: `-w, --watch`, or `--name` without a shorthand.
fn display_name(a: &Arg) -> String {
    match (a.get_short(), a.get_long()) {
        (Some(s), Some(l)) => format!("-{s}, --{l}"),
        (None, Some(l)) => format!("--{l}"),
        (Some(s), None) => format!("-{s}"),
        (None, None) => a.get_id().to_string(),
    }
}

/// pflag's check of one value (`flag.Value.Set`): the error text, if the value is refused.
fn check_value(a: &Arg, value: &str) -> Option<String> {
    let why = if a.get_value_parser().type_id() == TypeId::of::<bool>() {
        go_bool(value).is_none().then(|| bool_error(value))
    } else if let Some(bits) = int_bits(a) {
        go_int(value, bits)
            .err()
            .map(|why| format!("strconv.ParseInt: parsing {}: {why}", go_quote(value)))
    } else {
        None
    }?;
    Some(format!(
        "invalid argument {} for {} flag: {why}",
        go_quote(value),
        go_quote(&display_name(a))
    ))
}

/// Go's `%q` of a byte as pflag prints a shorthand letter (`'z'`).
fn quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '\\' => "'\\\\'".into(),
        c if c.is_ascii_graphic() || c == ' ' => format!("'{c}'"),
        c => format!("'\\x{:02x}'", c as u32 & 0xff),
    }
}

/// pflag's message (without `error: `) for the first flag error in `argv` (program name first,
/// subcommand words first as [`super::argv::subcommands_first`] leaves them), if there is one.
pub fn flag_error(argv: &[String]) -> Option<String> {
    let root = command(<super::Cli as clap::CommandFactory>::command());
    let (positions, _) = super::argv::walk(argv, &root);
    let mut chain = vec![&root];
    for &i in &positions {
        let next = chain.last()?.find_subcommand(&argv[i])?;
        chain.push(next);
    }
    let (leaf, ancestors) = chain.split_last()?;
    let flags: Vec<&Arg> = leaf
        .get_arguments()
        .chain(
            ancestors
                .iter()
                .flat_map(|c| c.get_arguments().filter(|a| a.is_global_set())),
        )
        .filter(|a| !is_positional(a))
        .collect();
    let long = |name: &str| {
        flags.iter().copied().find(|a| {
            a.get_long() == Some(name) || a.get_all_aliases().is_some_and(|v| v.contains(&name))
        })
    };
    let short = |c: char| flags.iter().copied().find(|a| a.get_short() == Some(c));
    let mut rest = argv
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(i, _)| !positions.contains(i))
        .map(|(_, a)| a.as_str());
    while let Some(s) = rest.next() {
        if s == "--" {
            return None;
        }
        if let Some(body) = s.strip_prefix("--") {
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            if name == "help" {
                continue;
            }
            let Some(a) = long(name) else {
                return Some(format!("unknown flag: --{name}"));
            };
            let value = match value {
                Some(v) => v,
                None if !needs_value(a) => continue,
                None => match rest.next() {
                    Some(v) => v,
                    None => return Some(format!("flag needs an argument: {s}")),
                },
            };
            if let Some(e) = check_value(a, value) {
                return Some(e);
            }
            continue;
        }
        let Some(mut shorthands) = s.strip_prefix('-').filter(|r| !r.is_empty()) else {
            continue;
        };
        while let Some(c) = shorthands.chars().next() {
            let after = &shorthands[c.len_utf8()..];
            let Some(a) = short(c) else {
                if c == 'h' {
                    return None;
                }
                return Some(format!(
                    "unknown shorthand flag: {} in -{shorthands}",
                    quote_char(c)
                ));
            };
            let value = if after.len() > 1 && after.starts_with('=') {
                shorthands = "";
                &after[1..]
            } else if !needs_value(a) {
                // A boolean, or pflag's `NoOptDefVal`: the flag alone, with its default.
                shorthands = after;
                continue;
            } else if !after.is_empty() {
                shorthands = "";
                after
            } else {
                match rest.next() {
                    Some(v) => {
                        shorthands = "";
                        v
                    }
                    None => {
                        return Some(format!(
                            "flag needs an argument: {} in -{shorthands}",
                            quote_char(c)
                        ))
                    }
                }
            };
            if let Some(e) = check_value(a, value) {
                return Some(e);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(args: &str) -> Option<String> {
        let argv: Vec<String> = std::iter::once("kubectl-rs")
            .chain(args.split(' '))
            .map(String::from)
            .collect();
        let tree = super::super::tree_for(&argv);
        flag_error(&super::super::argv::subcommands_first(argv, &tree))
    }

    #[test]
    fn go_parsers() {
        assert_eq!(go_int("12", 64), Ok(12));
        assert_eq!(go_int("-0x10", 64), Ok(-16));
        assert_eq!(go_int("010", 64), Ok(8));
        assert_eq!(go_int("x", 64), Err("invalid syntax"));
        assert_eq!(go_int("", 64), Err("invalid syntax"));
        assert_eq!(go_int("2147483648", 32), Err("value out of range"));
        assert_eq!(go_int("-2147483648", 32), Ok(-2147483648));
        assert_eq!(
            go_int("99999999999999999999", 64),
            Err("value out of range")
        );
        assert_eq!(go_bool("T"), Some(true));
        assert_eq!(go_bool("0"), Some(false));
        assert_eq!(go_bool("yes"), None);
    }

    #[test]
    fn first_flag_error_in_pflag_words() {
        assert_eq!(
            err("get pods --user").as_deref(),
            Some("flag needs an argument: --user")
        );
        assert_eq!(
            err("get pods -n").as_deref(),
            Some("flag needs an argument: 'n' in -n")
        );
        assert_eq!(
            err("get pods -wn").as_deref(),
            Some("flag needs an argument: 'n' in -n")
        );
        assert_eq!(
            err("get pods -zq").as_deref(),
            Some("unknown shorthand flag: 'z' in -zq")
        );
        assert_eq!(
            err("get pods --foo=1").as_deref(),
            Some("unknown flag: --foo")
        );
        assert_eq!(
            err("get pods -A=x").as_deref(),
            Some("invalid argument \"x\" for \"-A, --all-namespaces\" flag: strconv.ParseBool: parsing \"x\": invalid syntax")
        );
        assert_eq!(
            err("get pods --chunk-size=1x").as_deref(),
            Some("invalid argument \"1x\" for \"--chunk-size\" flag: strconv.ParseInt: parsing \"1x\": invalid syntax")
        );
        // A value that looks like a flag is the value; after `--` nothing is a flag.
        assert_eq!(err("get pods -n -x"), None);
        assert_eq!(err("exec p -- ls --foo"), None);
        assert_eq!(err("get pods -w -o name"), None);
    }
}

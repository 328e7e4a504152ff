//! Name and label rules (apimachinery's `util/validation`), with their exact messages: what
//! the API server says about a bad name, label key or value, and what `kubectl label` checks
//! before sending.

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

/// apimachinery's `RegexError`: the message, examples and the regex (note the double space
/// its loop leaves before " or ").
pub fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut s = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            s.push_str(" or ");
        }
        s.push_str(&format!("'{e}', "));
    }
    s.push_str(&format!("regex used for validation is '{fmt}')"));
    s
}

/// What most `Is…` checks say: `MaxLenError` when `value` is longer than `max`, then
/// [`regex_error`] when it does not `fit` the format.
fn length_and_format(
    value: &str,
    max: usize,
    fits: bool,
    msg: &str,
    fmt: &str,
    examples: &[&str],
) -> Vec<String> {
    let mut errs = vec![];
    if value.len() > max {
        errs.push(format!("must be no more than {max} characters"));
    }
    if !fits {
        errs.push(regex_error(msg, fmt, examples));
    }
    errs
}

pub fn is_alnum_lower(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn matches_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && is_alnum_lower(b[0])
        && is_alnum_lower(b[b.len() - 1])
        && b.iter().all(|&c| is_alnum_lower(c) || c == b'-')
}

fn matches_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(matches_dns1123_label)
}

fn matches_label_key_name(s: &str) -> bool {
    let b = s.as_bytes();
    let edge = |c: u8| c.is_ascii_alphanumeric();
    !b.is_empty()
        && edge(b[0])
        && edge(b[b.len() - 1])
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Messages of `IsDNS1123Label`.
pub fn dns1123_label(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !matches_dns1123_label(value) {
        if matches_dns1123_subdomain(value) {
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// Messages of `IsDNS1123Subdomain`.
pub fn dns1123_subdomain(value: &str) -> Vec<String> {
    length_and_format(
        value,
        253,
        matches_dns1123_subdomain(value),
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        &["example.com"],
    )
}

/// Messages of `IsWildcardDNS1123Subdomain` (`*.example.com`: Ingress hosts with a `*`).
pub fn wildcard_dns1123_subdomain(value: &str) -> Vec<String> {
    length_and_format(
        value,
        253,
        value
            .strip_prefix("*.")
            .is_some_and(matches_dns1123_subdomain),
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        &format!("\\*\\.{DNS1123_SUBDOMAIN_FMT}"),
        &["*.example.com"],
    )
}

/// Messages of `IsDNS1035Label` (Service names).
pub fn dns1035_label(value: &str) -> Vec<String> {
    let b = value.as_bytes();
    let ok = !b.is_empty()
        && b[0].is_ascii_lowercase()
        && is_alnum_lower(b[b.len() - 1])
        && b.iter().all(|&c| is_alnum_lower(c) || c == b'-');
    length_and_format(
        value,
        63,
        ok,
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL_FMT,
        &["my-name", "abc-123"],
    )
}

const LABEL_KEY_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/// Messages of apimachinery's `content.IsLabelKey` (`IsQualifiedName`: label, annotation and
/// finalizer keys, and label selector keys).
pub fn qualified_name(value: &str) -> Vec<String> {
    let mut errs = vec![];
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                // apimachinery v0.36's `content.IsDNS1123Subdomain`: its MaxLenError says
                // "bytes" (util/validation's, used for object names, says "characters").
                if prefix.len() > 253 {
                    errs.push("prefix part must be no more than 253 bytes".to_string());
                }
                if !matches_dns1123_subdomain(prefix) {
                    errs.push(format!(
                        "prefix part {}",
                        regex_error(
                            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                            DNS1123_SUBDOMAIN_FMT,
                            &["example.com"],
                        )
                    ));
                }
            }
            name
        }
        _ => {
            return vec![format!(
                "a valid label key {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(LABEL_KEY_MSG, LABEL_KEY_FMT, &["MyName", "my.name", "123-abc"])
            )]
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 bytes".to_string());
    }
    if !matches_label_key_name(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                LABEL_KEY_MSG,
                LABEL_KEY_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// Messages of `IsValidPortName` (an IANA service name).
pub fn port_name(name: &str) -> Vec<&'static str> {
    let mut errs = vec![];
    if name.len() > 15 {
        errs.push("must be no more than 15 characters");
    }
    if !name.bytes().all(|c| is_alnum_lower(c) || c == b'-') {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if !name.bytes().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)");
    }
    if name.contains("--") {
        errs.push("must not contain consecutive hyphens");
    }
    if name.starts_with('-') || name.ends_with('-') {
        errs.push("must not begin or end with a hyphen");
    }
    errs
}

/// Messages of `IsValidLabelValue`.
pub fn label_value(value: &str) -> Vec<String> {
    let mut errs = vec![];
    if value.len() > 63 {
        errs.push("must be no more than 63 bytes".to_string());
    }
    if !value.is_empty() && !matches_label_key_name(value) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// apimachinery `IsEnvVarName`: the names `set env` accepts.
pub fn env_var_name(name: &str) -> Vec<String> {
    let mut errs = vec![];
    let ok = name
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'-' | b'.' | b'_'))
        && name.bytes().all(is_key_byte);
    if !ok {
        errs.push(regex_error(
            "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
            "[-._a-zA-Z][-._a-zA-Z0-9]*",
            &["my.env-name", "MY_ENV.NAME", "MyEnvName1"],
        ));
    }
    errs.extend(dot_path_error(name));
    errs
}

/// `[-._a-zA-Z0-9]`.
fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_')
}

/// apimachinery `hasChDirPrefix`: `.`, `..` and `..`-prefixed names would leave their
/// directory when mounted as files.
fn dot_path_error(name: &str) -> Option<String> {
    match name {
        "." => Some("must not be '.'".into()),
        ".." => Some("must not be '..'".into()),
        k if k.starts_with("..") => Some("must not start with '..'".into()),
        _ => None,
    }
}

/// apimachinery `IsConfigMapKey`: keys of ConfigMap and Secret data (the sandbox validates
/// stored objects with it, `create configmap`/`create secret` their keys).
pub fn config_map_key(key: &str) -> Vec<String> {
    let mut errs = length_and_format(
        key,
        253,
        !key.is_empty() && key.bytes().all(is_key_byte),
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        "[-._a-zA-Z0-9]+",
        &["key.name", "KEY_NAME", "key-name"],
    );
    errs.extend(dot_path_error(key));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_key_lengths_are_bytes_object_names_characters() {
        // apimachinery v0.36: content.IsLabelKey's prefix check says "bytes",
        // util/validation.IsDNS1123Subdomain (object names) "characters".
        assert_eq!(
            qualified_name(&format!("{}/x", "a".repeat(254))),
            ["prefix part must be no more than 253 bytes"]
        );
        assert_eq!(
            dns1123_subdomain(&"a".repeat(254)),
            ["must be no more than 253 characters"]
        );
        assert_eq!(
            qualified_name(&"k".repeat(64)),
            ["name part must be no more than 63 bytes"]
        );
        assert_eq!(
            label_value(&"v".repeat(64)),
            ["must be no more than 63 bytes"]
        );
    }

    #[test]
    fn qualified_names_have_one_optional_prefix() {
        assert!(qualified_name("example.com/app").is_empty());
        assert_eq!(qualified_name("/x"), ["prefix part must be non-empty"]);
        assert_eq!(qualified_name("a/b/c").len(), 1);
    }

    #[test]
    fn config_map_keys_as_apimachinery_checks_them() {
        assert!(config_map_key("a.b-c_D9").is_empty());
        assert_eq!(config_map_key("..x"), ["must not start with '..'"]);
        assert!(env_var_name("MY_ENV.name-1").is_empty());
        assert_eq!(env_var_name("."), ["must not be '.'"]);
        assert_eq!(env_var_name("1A").len(), 1);
        assert_eq!(env_var_name("").len(), 1);
        assert_eq!(config_map_key("..").len(), 1);
        let regex = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
        assert_eq!(config_map_key(""), [regex]);
        assert_eq!(config_map_key("a b"), [regex]);
        assert_eq!(
            config_map_key(&"k".repeat(254)),
            ["must be no more than 253 characters"]
        );
    }
}

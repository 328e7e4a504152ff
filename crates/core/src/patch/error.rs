//! `PatchError`: every way building or applying a patch can fail, worded like apimachinery's
//! `strategicpatch`/`mergepatch` and evanphx/json-patch errors.

use serde_json::Value;

/// A patch could not be created or applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatchError {
    /// Malformed patch or document; the message is the full text.
    #[error("{0}")]
    Invalid(String),
    /// Three-way patch with `overwrite == false` found changes made outside apply
    /// (apimachinery `ErrConflict`; both sides rendered as YAML).
    #[error("patch:\n{patch}\nconflicts with changes made from original to current:\n{changed}\n")]
    Conflict {
        /// The patch that would be sent, as YAML.
        patch: String,
        /// What changed from the last-applied configuration to the live object, as YAML.
        changed: String,
    },
    /// A JSON merge patch would change `apiVersion`, `kind` or `metadata.name` (kubectl's wording).
    #[error("At least one of apiVersion, kind and name was changed")]
    PreconditionFailed,
}

impl PatchError {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        PatchError::Invalid(msg.into())
    }

    pub(crate) fn conflict(patch: &Value, changed: &Value) -> Self {
        PatchError::Conflict {
            patch: to_yaml(patch),
            changed: to_yaml(changed),
        }
    }
}

/// mergepatch.ToYAMLOrError: YAML text, or the error's text.
fn to_yaml(v: &Value) -> String {
    serde_yaml_ng::to_string(v).unwrap_or_else(|e| e.to_string())
}

/// Go's `%v` rendering of a JSON value, as used inside apimachinery messages
/// (`map[a:1 b:x]`, `[1 2]`, `<nil>`).
pub(crate) fn go_fmt(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::String(s) => s.clone(),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(go_fmt).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_fmt(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// Go's `%v` of a float64 (JSON numbers decode to float64 in apimachinery): integers print
/// without a fraction below 1e21, otherwise the shortest representation.
pub(crate) fn go_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        let f = n.as_f64().unwrap_or(0.0);
        if f.abs() < 1e21 {
            return n.to_string();
        }
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{f:.0}")
    } else if f != 0.0 && (f.abs() < 1e-4 || f.abs() >= 1e21) {
        // Go: 1e-05, 1e+21 (exponent at least two digits, explicit sign).
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        format!("{mant}e{sign}{digits:0>2}")
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_formatting() {
        assert_eq!(
            go_fmt(&json!({"b": [1, "x"], "a": null})),
            "map[a:<nil> b:[1 x]]"
        );
        assert_eq!(go_fmt(&json!(1.5)), "1.5");
        assert_eq!(go_fmt(&json!(3.0)), "3");
        assert_eq!(go_fmt(&json!(0.00001)), "1e-05");
        assert_eq!(go_fmt(&json!(1e21)), "1e+21");
    }

    #[test]
    fn conflict_message() {
        let e = PatchError::conflict(&json!({"a": 1}), &json!({"a": 2}));
        assert_eq!(
            e.to_string(),
            "patch:\na: 1\n\nconflicts with changes made from original to current:\na: 2\n\n"
        );
        assert_eq!(
            PatchError::PreconditionFailed.to_string(),
            "At least one of apiVersion, kind and name was changed"
        );
    }
}

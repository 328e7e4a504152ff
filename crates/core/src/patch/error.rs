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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

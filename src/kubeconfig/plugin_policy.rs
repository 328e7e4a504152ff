//! client-go's credential plugin policy (`clientcmdapi.PluginPolicy`, checked by the exec
//! authenticator before it runs a plugin). kubectl takes it from kuberc's
//! `credentialPluginPolicy` and `credentialPluginAllowlist` and sets it on the exec provider
//! of every REST config it builds; commands that never run a plugin (`config view`) are not
//! affected.

/// `clientcmdapi.PluginPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginPolicy {
    /// `""` (as `AllowAll`), `AllowAll`, `DenyAll` or `Allowlist`.
    pub policy_type: String,
    /// The allowlist's commands (None: not given, as Go's nil slice).
    pub allowlist: Option<Vec<String>>,
}

impl PluginPolicy {
    /// client-go `ValidatePluginPolicy`.
    pub fn validate(&self) -> Result<(), String> {
        match self.policy_type.as_str() {
            "" | "AllowAll" | "DenyAll" => match self.allowlist {
                Some(_) => Err(format!(
                    "misconfigured credential plugin allowlist: plugin policy is {:?} but allowlist is non-nil",
                    self.policy_type
                )),
                None => Ok(()),
            },
            "Allowlist" => validate_allowlist(self.allowlist.as_deref()),
            other => Err(format!("unknown plugin policy: {other:?}")),
        }
    }
}

use kcore::gopath::clean;

fn validate_allowlist(list: Option<&[String]>) -> Result<(), String> {
    let Some(list) = list else {
        return Err(
            "credential plugin policy set to \"Allowlist\", but allowlist is unspecified".into(),
        );
    };
    if list.is_empty() {
        return Err("credential plugin policy set to \"Allowlist\", but allowlist is empty; use \"DenyAll\" policy instead".into());
    }
    for (i, command) in list.iter().enumerate() {
        if command.is_empty() {
            return Err(format!(
                "misconfigured credential plugin allowlist: empty allowlist entry #{}",
                i + 1
            ));
        }
        let cleaned = clean(command);
        if cleaned != *command {
            return Err(format!(
                "non-normalized file path: {command:?} vs {cleaned:?}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(t: &str, list: Option<&[&str]>) -> PluginPolicy {
        PluginPolicy {
            policy_type: t.into(),
            allowlist: list.map(|l| l.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn validation_follows_client_go() {
        assert!(policy("", None).validate().is_ok());
        assert!(policy("DenyAll", None).validate().is_ok());
        assert!(policy("Allowlist", Some(&["echo"])).validate().is_ok());
        assert_eq!(
            policy("AllowAll", Some(&["echo"])).validate().unwrap_err(),
            "misconfigured credential plugin allowlist: plugin policy is \"AllowAll\" but allowlist is non-nil"
        );
        assert_eq!(
            policy("Allowlist", Some(&[])).validate().unwrap_err(),
            "credential plugin policy set to \"Allowlist\", but allowlist is empty; use \"DenyAll\" policy instead"
        );
        assert_eq!(
            policy("Allowlist", Some(&["a", ""]))
                .validate()
                .unwrap_err(),
            "misconfigured credential plugin allowlist: empty allowlist entry #2"
        );
        assert_eq!(
            policy("Allowlist", Some(&["/bin/../bin/echo"]))
                .validate()
                .unwrap_err(),
            "non-normalized file path: \"/bin/../bin/echo\" vs \"/bin/echo\""
        );
        assert_eq!(
            policy("Bogus", None).validate().unwrap_err(),
            "unknown plugin policy: \"Bogus\""
        );
    }
}

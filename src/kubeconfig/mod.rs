//! Loading and merging kubeconfig files as client-go does, and resolving them (with the command
//! line overrides) into a `RestConfig`: server, TLS, credentials.
//!
//! `model` is the serde model of one file, `load` finds and merges the files (`--kubeconfig`,
//! `$KUBECONFIG`, `~/.kube/config`), `resolve` applies the overrides and yields a [`RestConfig`],
//! and `edit` writes changes back (atomically) for the `config` subcommands.

pub mod edit;
pub mod load;
pub mod model;
pub mod plugin_policy;
pub mod property;
pub mod resolve;

pub use load::{LoadedConfig, Loader};
pub use model::{AuthInfo, Cluster, ContextEntry, ExecConfig, ExecEnvVar, Kubeconfig};
pub use resolve::{ConfigOverrides, RestConfig};

use std::path::PathBuf;

/// Errors of the kubeconfig layer; `crate::error` turns them into kubectl's text.
#[derive(Debug, thiserror::Error)]
pub enum KubeconfigError {
    /// `--kubeconfig` names a file that does not exist (kubectl: `stat <path>: no such file or directory`).
    #[error("stat {}: no such file or directory", .0.display())]
    Missing(PathBuf),
    /// A file exists but cannot be read or parsed.
    #[error("error loading config file \"{}\": {message}", path.display())]
    Load {
        /// The file as the user named it.
        path: PathBuf,
        /// What went wrong (I/O or YAML).
        message: String,
    },
    /// The merged configuration cannot be used; kubectl prints these as `Error in configuration: …`.
    #[error("{}", invalid_text(.0))]
    Invalid(Vec<String>),
    /// A referenced file (CA, client certificate, token file) cannot be read. kubectl prints these
    /// with the plain `error: ` prefix.
    #[error("{0}")]
    Unreadable(String),
    /// Any other error of a `config` subcommand, printed as `error: <msg>`.
    #[error("{0}")]
    Other(String),
}

fn invalid_text(errs: &[String]) -> String {
    match errs {
        [one] => one.clone(),
        many => {
            let mut s = String::new();
            for e in many {
                s.push_str("\n* ");
                s.push_str(e);
            }
            s
        }
    }
}

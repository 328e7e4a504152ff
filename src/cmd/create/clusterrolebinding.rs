//! `kubectl-rs create clusterrolebinding` (kubectl
//! `pkg/cmd/create/create_clusterrolebinding.go`): a ClusterRoleBinding of a ClusterRole to
//! users, groups and service accounts.

use serde_json::{json, Map};

use crate::cmd::create::rolebinding::{binding, subjects};
use crate::cmd::create_generators::{submit, Built, CommonArgs};
use crate::cmd::flags::{field_validation, SubjectFlags};
use crate::context::Context;
use crate::error::{CliError, CliResult};

/// kubectl's long help of `create clusterrolebinding`.
pub const CREATE_CLUSTERROLEBINDING_LONG: &str =
    "Create a cluster role binding for a particular cluster role.";
/// kubectl's examples of `create clusterrolebinding`.
pub const CREATE_CLUSTERROLEBINDING_EXAMPLES: &str = r"Examples:
  # Create a cluster role binding for user1, user2, and group1 using the cluster-admin cluster role
  kubectl create clusterrolebinding cluster-admin --clusterrole=cluster-admin --user=user1 --user=user2 --group=group1";
/// kubectl's usage line of `create clusterrolebinding`.
pub const CREATE_CLUSTERROLEBINDING_USAGE: &str = "clusterrolebinding NAME --clusterrole=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]";

/// `create clusterrolebinding`'s own flags.
#[derive(Debug, Clone, clap::Args)]
#[command(
    mut_arg("user", |a| a.help("Usernames to bind to the clusterrole. The flag can be repeated to add multiple users.")),
    mut_arg("group", |a| a.help("Groups to bind to the clusterrole. The flag can be repeated to add multiple groups.")),
    mut_arg("serviceaccount", |a| a.help("Service accounts to bind to the clusterrole, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts."))
)]
pub struct ClusterRoleBindingFlags {
    /// ClusterRole this ClusterRoleBinding should reference
    #[arg(verbatim_doc_comment, long)]
    pub clusterrole: Option<String>,
    #[command(flatten)]
    pub subjects: SubjectFlags,
}

impl ClusterRoleBindingFlags {
    /// cobra's check of the flag marked required (before the command runs).
    pub fn check_required(&self) -> Result<(), CliError> {
        match self.clusterrole {
            Some(_) => Ok(()),
            None => Err(CliError::msg("required flag(s) \"clusterrole\" not set")),
        }
    }

    /// kubectl's `Complete` and `Run` for the cluster role binding `name`.
    pub async fn run(&self, ctx: &Context, common: &CommonArgs, name: &str) -> CliResult {
        let dry_run = common.dry_run.strategy(ctx)?;
        let validation = field_validation(&common.validate.value)?;
        let mut meta = Map::new();
        meta.insert("name".into(), json!(name));
        let object = binding(
            "ClusterRoleBinding",
            meta,
            subjects(&self.subjects)?,
            "ClusterRole",
            self.clusterrole.as_deref().unwrap_or(""),
        );
        let built = Built {
            object,
            collection: "clusterrolebindings".into(),
            namespaced: false,
            display: "clusterrolebinding.rbac.authorization.k8s.io",
            wrap: Some("failed to create clusterrolebinding: "),
        };
        submit(ctx, common, built, "", dry_run, validation).await
    }
}

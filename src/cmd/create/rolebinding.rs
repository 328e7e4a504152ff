//! `kubectl-rs create rolebinding` (kubectl `pkg/cmd/create/create_rolebinding.go`): a
//! RoleBinding of a Role or ClusterRole to users, groups and service accounts.

use serde_json::{json, Map, Value};

use crate::cmd::create_generators::{name_meta, submit, Built, CommonArgs};
use crate::cmd::flags::{field_validation, SubjectFlags};
use crate::context::Context;
use crate::error::{CliError, CliResult};

/// kubectl's long help of `create rolebinding`.
pub const CREATE_ROLEBINDING_LONG: &str =
    "Create a role binding for a particular role or cluster role.";
/// kubectl's examples of `create rolebinding`.
pub const CREATE_ROLEBINDING_EXAMPLES: &str = r"Examples:
  # Create a role binding for user1, user2, and group1 using the admin cluster role
  kubectl create rolebinding admin --clusterrole=admin --user=user1 --user=user2 --group=group1
  
  # Create a role binding for service account monitoring:sa-dev using the admin role
  kubectl create rolebinding admin-binding --role=admin --serviceaccount=monitoring:sa-dev";
/// kubectl's usage line of `create rolebinding`.
pub const CREATE_ROLEBINDING_USAGE: &str = "rolebinding NAME --clusterrole=NAME|--role=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]";

/// The RBAC API group (`rbacv1.GroupName`).
pub(crate) const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// `create rolebinding`'s own flags.
#[derive(Debug, Clone, clap::Args)]
pub struct RoleBindingFlags {
    /// ClusterRole this RoleBinding should reference
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub clusterrole: String,
    /// Role this RoleBinding should reference
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub role: String,
    #[command(flatten)]
    pub subjects: SubjectFlags,
}

/// The subjects kubectl's create generators build: users, then groups, then service
/// accounts, each in flag order (repeats kept), service accounts strictly `<ns>:<name>`.
pub(crate) fn subjects(flags: &SubjectFlags) -> Result<Vec<Value>, CliError> {
    let mut out = Vec::new();
    for user in &flags.user {
        out.push(json!({"kind": "User", "apiGroup": RBAC_GROUP, "name": user}));
    }
    for group in &flags.group {
        out.push(json!({"kind": "Group", "apiGroup": RBAC_GROUP, "name": group}));
    }
    for sa in &flags.serviceaccount {
        let tokens: Vec<&str> = sa.split(':').collect();
        match tokens[..] {
            [ns, name] if !ns.is_empty() && !name.is_empty() => {
                out.push(json!({"kind": "ServiceAccount", "name": name, "namespace": ns}));
            }
            _ => return Err(CliError::msg("serviceaccount must be <namespace>:<name>")),
        }
    }
    Ok(out)
}

/// A binding object of `kind` (Go's struct: `subjects` left out when empty).
pub(crate) fn binding(
    kind: &str,
    meta: Map<String, Value>,
    subjects: Vec<Value>,
    role_kind: &str,
    role: &str,
) -> Value {
    let mut obj = Map::new();
    obj.insert("kind".into(), json!(kind));
    obj.insert("apiVersion".into(), json!(format!("{RBAC_GROUP}/v1")));
    obj.insert("metadata".into(), Value::Object(meta));
    if !subjects.is_empty() {
        obj.insert("subjects".into(), Value::Array(subjects));
    }
    obj.insert(
        "roleRef".into(),
        json!({"apiGroup": RBAC_GROUP, "kind": role_kind, "name": role}),
    );
    Value::Object(obj)
}

impl RoleBindingFlags {
    /// kubectl's `Complete`, `Validate` and `Run` for the role binding `name`.
    pub async fn run(&self, ctx: &Context, common: &CommonArgs, name: &str) -> CliResult {
        let (namespace, enforce) = ctx.namespace()?;
        let dry_run = common.dry_run.strategy(ctx)?;
        let validation = field_validation(&common.validate.value)?;
        if name.is_empty() {
            return Err(CliError::msg("name must be specified"));
        }
        if self.clusterrole.is_empty() == self.role.is_empty() {
            return Err(CliError::msg(
                "exactly one of clusterrole or role must be specified",
            ));
        }
        let meta = name_meta(name, &namespace, enforce);
        let (role_kind, role) = if self.role.is_empty() {
            ("ClusterRole", &self.clusterrole)
        } else {
            ("Role", &self.role)
        };
        let object = binding(
            "RoleBinding",
            meta,
            subjects(&self.subjects)?,
            role_kind,
            role,
        );
        let built = Built {
            object,
            collection: "rolebindings".into(),
            namespaced: true,
            display: "rolebinding.rbac.authorization.k8s.io",
            wrap: Some("failed to create rolebinding: "),
        };
        submit(ctx, common, built, &namespace, dry_run, validation).await
    }
}

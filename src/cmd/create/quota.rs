//! `kubectl-rs create quota` (kubectl `pkg/cmd/create/create_quota.go`): a ResourceQuota with
//! `--hard` limits and `--scopes`, created through the generators' shared [`submit`].

use serde_json::{json, Map, Value};

use crate::cmd::create_generators::{name_meta, submit, Built, CommonArgs};
use crate::cmd::flags::field_validation;
use crate::context::Context;
use crate::describe::quantity::parse_resource_list;
use crate::error::{CliError, CliResult};

/// kubectl's long help of `create quota`.
pub const CREATE_QUOTA_LONG: &str =
    "Create a resource quota with the specified name, hard limits, and optional scopes.";
/// kubectl's examples of `create quota`.
pub const CREATE_QUOTA_EXAMPLES: &str = r"Examples:
  # Create a new resource quota named my-quota
  kubectl create quota my-quota --hard=cpu=1,memory=1G,pods=2,services=3,replicationcontrollers=2,resourcequotas=1,secrets=5,persistentvolumeclaims=10
  
  # Create a new resource quota named best-effort
  kubectl create quota best-effort --hard=pods=100 --scopes=BestEffort";
/// kubectl's usage line of `create quota`.
pub const CREATE_QUOTA_USAGE: &str = "quota NAME [--hard=key1=value1,key2=value2] [--scopes=Scope1,Scope2] [--dry-run=server|client|none]";

/// `create quota`'s own flags.
#[derive(Debug, Clone, clap::Args)]
pub struct QuotaFlags {
    /// A comma-delimited set of resource=quantity pairs that define a hard limit.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub hard: String,
    /// A comma-delimited set of quota scopes that must all match each object tracked by the quota.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub scopes: String,
}

impl QuotaFlags {
    /// kubectl's `Complete`, `Validate` and `Run` for the quota `name`.
    pub async fn run(&self, ctx: &Context, common: &CommonArgs, name: &str) -> CliResult {
        let dry_run = common.dry_run.strategy(ctx)?;
        let (namespace, enforce) = ctx.namespace()?;
        let validation = field_validation(&common.validate.value)?;
        if name.is_empty() {
            return Err(CliError::msg("name must be specified"));
        }
        let hard = parse_resource_list(&self.hard).map_err(CliError::msg)?;
        let scopes = parse_scopes(&self.scopes)?;
        let meta = name_meta(name, &namespace, enforce);
        let mut spec = Map::new();
        if let Some(hard) = hard.filter(|h| !h.is_empty()) {
            spec.insert("hard".into(), Value::Object(hard));
        }
        if let Some(scopes) = scopes {
            spec.insert("scopes".into(), json!(scopes));
        }
        let object = json!({
            "kind": "ResourceQuota",
            "apiVersion": "v1",
            "metadata": meta,
            "spec": spec,
            "status": {},
        });
        let built = Built {
            object,
            collection: "resourcequotas".into(),
            namespaced: true,
            display: "resourcequota",
            wrap: Some("failed to create quota: "),
        };
        submit(ctx, common, built, &namespace, dry_run, validation).await
    }
}

/// kubectl's `parseScopes`: comma-separated, none empty.
fn parse_scopes(spec: &str) -> Result<Option<Vec<String>>, CliError> {
    if spec.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for scope in spec.split(',') {
        if scope.is_empty() {
            return Err(CliError::msg("invalid resource quota scope \"\""));
        }
        out.push(scope.to_string());
    }
    Ok(Some(out))
}

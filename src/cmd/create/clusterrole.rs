//! `kubectl-rs create clusterrole` (kubectl `pkg/cmd/create/create_clusterrole.go`): a
//! ClusterRole with `create role`'s rules plus `--non-resource-url`, or an aggregation rule
//! (`--aggregation-rule`).

use serde_json::{json, Map, Value};

use crate::cmd::create::role::{map_resources, policy_rules, rule_parts, VALID_VERBS};
use crate::cmd::create_generators::{submit, Built, CommonArgs};
use crate::cmd::flags::{field_validation, RuleFlags};
use crate::context::Context;
use crate::error::{CliError, CliResult};

/// kubectl's long help of `create clusterrole`.
pub const CREATE_CLUSTERROLE_LONG: &str = "Create a cluster role.";
/// kubectl's examples of `create clusterrole`.
pub const CREATE_CLUSTERROLE_EXAMPLES: &str = r#"Examples:
  # Create a cluster role named "pod-reader" that allows user to perform "get", "watch" and "list" on pods
  kubectl create clusterrole pod-reader --verb=get,list,watch --resource=pods
  
  # Create a cluster role named "pod-reader" with ResourceName specified
  kubectl create clusterrole pod-reader --verb=get --resource=pods --resource-name=readablepod --resource-name=anotherpod
  
  # Create a cluster role named "foo" with API Group specified
  kubectl create clusterrole foo --verb=get,list,watch --resource=rs.apps
  
  # Create a cluster role named "foo" with SubResource specified
  kubectl create clusterrole foo --verb=get,list,watch --resource=pods,pods/status
  
  # Create a cluster role name "foo" with NonResourceURL specified
  kubectl create clusterrole "foo" --verb=get --non-resource-url=/logs/*
  
  # Create a cluster role name "monitoring" with AggregationRule specified
  kubectl create clusterrole monitoring --aggregation-rule="rbac.example.com/aggregate-to-monitoring=true""#;
/// kubectl's usage line of `create clusterrole`.
pub const CREATE_CLUSTERROLE_USAGE: &str = "clusterrole NAME --verb=verb --resource=resource.group [--resource-name=resourcename] [--dry-run=server|client|none]";

/// Verbs allowed on non-resource URLs.
const NON_RESOURCE_VERBS: &[&str] = &[
    "*", "get", "post", "put", "delete", "patch", "head", "options",
];

/// `create clusterrole`'s own flags.
#[derive(Debug, Clone, clap::Args)]
pub struct ClusterRoleFlags {
    /// An aggregation label selector for combining ClusterRoles.
    #[arg(verbatim_doc_comment, long)]
    pub aggregation_rule: Vec<String>,
    /// A partial url that user should have access to.
    #[arg(verbatim_doc_comment, long, value_delimiter = ',')]
    pub non_resource_url: Vec<String>,
    #[command(flatten)]
    pub rule: RuleFlags,
}

impl ClusterRoleFlags {
    /// The `--aggregation-rule` labels, as cliflag's `MapStringString` reads them: `k=v`
    /// pairs separated by commas, later values of a key winning.
    fn pairs(&self) -> Result<Map<String, Value>, CliError> {
        let mut out = Map::new();
        for raw in &self.aggregation_rule {
            for pair in raw.split(',').filter(|p| !p.is_empty()) {
                let Some((k, v)) = pair.split_once('=') else {
                    return Err(CliError::Raw(format!(
                        "error: invalid argument {raw:?} for \"--aggregation-rule\" flag: malformed pair, expect string=string\nSee 'kubectl-rs create clusterrole --help' for usage."
                    )));
                };
                out.insert(k.trim().to_string(), json!(v.trim()));
            }
        }
        Ok(out)
    }

    /// kubectl's `Complete`, `Validate` and `RunCreateRole` for the cluster role `name`.
    pub async fn run(&self, ctx: &Context, common: &CommonArgs, name: &str) -> CliResult {
        let aggregation = self.pairs()?;
        let mut urls: Vec<String> = Vec::new();
        for u in &self.non_resource_url {
            if !urls.contains(u) {
                urls.push(u.clone());
            }
        }
        let (verbs, resources, names) = rule_parts(&self.rule);
        let dry_run = common.dry_run.strategy(ctx)?;
        let validation = field_validation(&common.validate.value)?;
        if name.is_empty() {
            return Err(CliError::msg("name must be specified"));
        }
        let mut object = json!({
            "kind": "ClusterRole",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": {"name": name},
            "rules": null,
        });
        if !aggregation.is_empty() {
            if !urls.is_empty() || !verbs.is_empty() || !resources.is_empty() || !names.is_empty() {
                return Err(CliError::msg("aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames"));
            }
            object["aggregationRule"] =
                json!({"clusterRoleSelectors": [{"matchLabels": aggregation}]});
        } else {
            if verbs.is_empty() {
                return Err(CliError::msg("at least one verb must be specified"));
            }
            if resources.is_empty() && urls.is_empty() {
                return Err(CliError::msg(
                    "one of resource or nonResourceURL must be specified",
                ));
            }
            let mut mapped = Vec::new();
            if !resources.is_empty() {
                for v in &verbs {
                    if !VALID_VERBS.contains(&v.as_str()) {
                        ctx.eprint(&format!("Warning: '{v}' is not a standard resource verb\n"));
                    }
                }
                mapped = map_resources(ctx, &verbs, &resources).await?;
            }
            for v in &verbs {
                if !urls.is_empty() && !NON_RESOURCE_VERBS.contains(&v.as_str()) {
                    return Err(CliError::msg(format!(
                        "invalid verb: '{v}' for nonResourceURL"
                    )));
                }
            }
            for u in urls.iter().filter(|u| *u != "*") {
                if !u.starts_with('/') {
                    return Err(CliError::msg("nonResourceURL should start with /"));
                }
                if u[..u.len() - 1].contains('*') {
                    return Err(CliError::msg(
                        "nonResourceURL only supports wildcard matches when '*' is at the end",
                    ));
                }
            }
            object["rules"] = json!(policy_rules(&verbs, &mapped, &names, &urls));
        }
        let built = Built {
            object,
            collection: "clusterroles".into(),
            namespaced: false,
            display: "clusterrole.rbac.authorization.k8s.io",
            wrap: None,
        };
        submit(ctx, common, built, "", dry_run, validation).await
    }
}

//! `kubectl-rs create role` (kubectl `pkg/cmd/create/create_role.go`): a Role with one rule
//! per API group from `--verb`, `--resource` (`resource.group/subresource`, short names
//! expanded through discovery) and `--resource-name`, with kubectl's validation.

use serde_json::{json, Value};

use crate::cmd::create_generators::{name_meta, submit, Built, CommonArgs};
use crate::cmd::flags::{field_validation, RuleFlags};
use crate::context::Context;
use crate::error::{CliError, CliResult};

/// kubectl's long help of `create role`.
pub const CREATE_ROLE_LONG: &str = "Create a role with single rule.";
/// kubectl's examples of `create role`.
pub const CREATE_ROLE_EXAMPLES: &str = r#"Examples:
  # Create a role named "pod-reader" that allows user to perform "get", "watch" and "list" on pods
  kubectl create role pod-reader --verb=get --verb=list --verb=watch --resource=pods
  
  # Create a role named "pod-reader" with ResourceName specified
  kubectl create role pod-reader --verb=get --resource=pods --resource-name=readablepod --resource-name=anotherpod
  
  # Create a role named "foo" with API Group specified
  kubectl create role foo --verb=get,list,watch --resource=rs.apps
  
  # Create a role named "foo" with SubResource specified
  kubectl create role foo --verb=get,list,watch --resource=pods,pods/status"#;
/// kubectl's usage line of `create role`.
pub const CREATE_ROLE_USAGE: &str = "role NAME --verb=verb --resource=resource.group/subresource [--resource-name=resourcename] [--dry-run=server|client|none]";

/// Verbs kubectl does not warn about.
pub(crate) const VALID_VERBS: &[&str] = &[
    "*",
    "get",
    "delete",
    "list",
    "create",
    "update",
    "patch",
    "watch",
    "proxy",
    "deletecollection",
    "use",
    "bind",
    "escalate",
    "impersonate",
];

/// Verbs that apply only to some resources: (verb, [(group, resource)]).
const SPECIAL_VERBS: &[(&str, &[(&str, &str)])] = &[
    (
        "use",
        &[
            ("policy", "podsecuritypolicies"),
            ("extensions", "podsecuritypolicies"),
        ],
    ),
    (
        "bind",
        &[
            ("rbac.authorization.k8s.io", "roles"),
            ("rbac.authorization.k8s.io", "clusterroles"),
        ],
    ),
    (
        "escalate",
        &[
            ("rbac.authorization.k8s.io", "roles"),
            ("rbac.authorization.k8s.io", "clusterroles"),
        ],
    ),
    (
        "impersonate",
        &[
            ("", "users"),
            ("", "serviceaccounts"),
            ("", "groups"),
            ("authentication.k8s.io", "userextras"),
        ],
    ),
];

/// `create role`'s own flags.
#[derive(Debug, Clone, clap::Args)]
pub struct RoleFlags {
    #[command(flatten)]
    pub rule: RuleFlags,
}

/// One `--resource` value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResourceOption {
    group: String,
    resource: String,
    subresource: String,
}

impl RoleFlags {
    /// kubectl's `Complete`, `Validate` and `RunCreateRole` for the role `name`.
    pub async fn run(&self, ctx: &Context, common: &CommonArgs, name: &str) -> CliResult {
        let (verbs, resources, names) = rule_parts(&self.rule);
        let dry_run = common.dry_run.strategy(ctx)?;
        let validation = field_validation(&common.validate.value)?;
        let (namespace, enforce) = ctx.namespace()?;
        if name.is_empty() {
            return Err(CliError::msg("name must be specified"));
        }
        if verbs.is_empty() {
            return Err(CliError::msg("at least one verb must be specified"));
        }
        for v in &verbs {
            if !VALID_VERBS.contains(&v.as_str()) {
                ctx.eprint(&format!("Warning: '{v}' is not a standard resource verb\n"));
            }
        }
        if resources.is_empty() {
            return Err(CliError::msg("at least one resource must be specified"));
        }
        let mapped = map_resources(ctx, &verbs, &resources).await?;
        let rules = policy_rules(&verbs, &mapped, &names, &[]);
        let meta = name_meta(name, &namespace, enforce);
        let object = json!({
            "kind": "Role",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": meta,
            "rules": rules,
        });
        let built = Built {
            object,
            collection: "roles".into(),
            namespaced: true,
            display: "role.rbac.authorization.k8s.io",
            wrap: None,
        };
        submit(ctx, common, built, &namespace, dry_run, validation).await
    }
}

/// A resource of a rule: (group, plural, subresource).
pub(crate) type Mapped = (String, String, String);

/// kubectl's `validateResource` and the mapping half of `generateResourcePolicyRules`: each
/// `--resource` through discovery, with kubectl's errors.
pub(crate) async fn map_resources(
    ctx: &Context,
    verbs: &[String],
    resources: &[ResourceOption],
) -> Result<Vec<Mapped>, CliError> {
    let mut mapped = Vec::new();
    // kubectl stops validating at a `*` resource.
    let mut validating = true;
    for r in resources {
        if r.resource.is_empty() {
            return Err(CliError::msg(
                "resource must be specified if apiGroup/subresource specified",
            ));
        }
        if r.resource == "*" {
            validating = false;
        }
        let found = resource_for(ctx, r).await?;
        let (group, resource) = found
            .clone()
            .unwrap_or((r.group.clone(), r.resource.clone()));
        if validating {
            for v in verbs {
                if let Some((_, allowed)) = SPECIAL_VERBS.iter().find(|(s, _)| s == v) {
                    if !allowed
                        .iter()
                        .any(|(g, res)| *g == group && *res == resource)
                    {
                        return Err(CliError::msg(format!(
                            "can not perform '{v}' on '{resource}' in group '{group}'"
                        )));
                    }
                    continue;
                }
            }
            let special = verbs
                .iter()
                .any(|v| SPECIAL_VERBS.iter().any(|(s, _)| s == v));
            if found.is_none() && !special {
                return Err(CliError::Raw(if r.group.is_empty() {
                    format!("the server doesn't have a resource type {:?}", r.resource)
                } else {
                    format!(
                        "the server doesn't have a resource type {:?} in group {:?}",
                        r.resource, r.group
                    )
                }));
            }
        }
        mapped.push((group, resource, r.subresource.clone()));
    }
    Ok(mapped)
}

/// The rule flags as kubectl completes them: verbs de-duplicated (`*` alone wins), the
/// resources parsed, the resource names de-duplicated in their order.
pub(crate) fn rule_parts(rule: &RuleFlags) -> (Vec<String>, Vec<ResourceOption>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    for n in &rule.resource_name {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    (
        dedup_verbs(&rule.verb),
        parse_resources(&rule.resource),
        names,
    )
}

/// kubectl's verb de-duplication: `*` alone wins.
pub(crate) fn dedup_verbs(given: &[String]) -> Vec<String> {
    let mut verbs: Vec<String> = Vec::new();
    for v in given {
        if v == "*" {
            return vec!["*".into()];
        }
        if !verbs.contains(v) {
            verbs.push(v.clone());
        }
    }
    verbs
}

/// `resource.group/subresource` values; a bare `*` replaces everything.
pub(crate) fn parse_resources(given: &[String]) -> Vec<ResourceOption> {
    let mut out = Vec::new();
    for r in given {
        let (head, sub) = r.split_once('/').unwrap_or((r, ""));
        let (resource, group) = head.split_once('.').unwrap_or((head, ""));
        let opt = ResourceOption {
            group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
        };
        if resource == "*" && !head.contains('.') && !r.contains('/') {
            return vec![opt];
        }
        out.push(opt);
    }
    out
}

/// The REST mapper's `ResourceFor`: (group, plural) through discovery, None when unknown.
async fn resource_for(
    ctx: &Context,
    r: &ResourceOption,
) -> Result<Option<(String, String)>, CliError> {
    let arg = if r.group.is_empty() {
        r.resource.to_lowercase()
    } else {
        format!("{}.{}", r.resource, r.group).to_lowercase()
    };
    let data = ctx.discovery()?.data().await?;
    Ok(match data.resolve(&arg) {
        Ok(rs) if rs.len() == 1 && !rs[0].categories.contains(&arg) => {
            Some((rs[0].group.clone(), rs[0].resource.clone()))
        }
        _ => None,
    })
}

/// kubectl's `generateResourcePolicyRules`: one rule per group, groups sorted.
pub(crate) fn policy_rules(
    verbs: &[String],
    mapped: &[Mapped],
    names: &[String],
    non_resource_urls: &[String],
) -> Vec<Value> {
    let mut groups: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (group, resource, sub) in mapped {
        let full = if sub.is_empty() {
            resource.clone()
        } else {
            format!("{resource}/{sub}")
        };
        let list = groups.entry(group).or_default();
        if !list.contains(&full) {
            list.push(full);
        }
    }
    let mut rules: Vec<Value> = groups
        .into_iter()
        .map(|(g, resources)| {
            let mut rule = json!({"verbs": verbs, "apiGroups": [g], "resources": resources});
            if !names.is_empty() {
                rule["resourceNames"] = json!(names);
            }
            rule
        })
        .collect();
    if !non_resource_urls.is_empty() {
        rules.push(json!({"verbs": verbs, "nonResourceURLs": non_resource_urls}));
    }
    rules
}

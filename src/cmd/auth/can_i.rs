//! `kubectl-rs auth can-i` (kubectl `pkg/cmd/auth/cani.go`): ask the server, through a
//! SelfSubjectAccessReview, whether the caller may do one thing, or list everything it may do
//! in a namespace through a SelfSubjectRulesReview (`--list`).

use std::io::Write;

use serde_json::{json, Value};

use crate::client::{ApiRequest, Method, ResourcePath};
use crate::context::Context;
use crate::describe::rbac::{breakdown, combine_resource_group, compact, go_list, Rule};
use crate::error::CliError;
use crate::print::tabwriter::TabWriter;

/// kubectl's long help of `auth can-i`.
pub const CAN_I_LONG: &str = "Check whether an action is allowed.

 VERB is a logical Kubernetes API verb like 'get', 'list', 'watch', 'delete', etc. TYPE is a Kubernetes resource. Shortcuts and groups will be resolved. NONRESOURCEURL is a partial URL that starts with \"/\". NAME is the name of a particular Kubernetes resource. This command pairs nicely with impersonation. See --as global flag.";
/// kubectl's examples of `auth can-i`.
pub const CAN_I_EXAMPLES: &str = r#"Examples:
  # Check to see if I can create pods in any namespace
  kubectl auth can-i create pods --all-namespaces
  
  # Check to see if I can list deployments in my current namespace
  kubectl auth can-i list deployments.apps
  
  # Check to see if service account "foo" of namespace "dev" can list pods in the namespace "prod"
  # You must be allowed to use impersonation for the global option "--as"
  kubectl auth can-i list pods --as=system:serviceaccount:dev:foo -n prod
  
  # Check to see if I can do everything in my current namespace ("*" means all)
  kubectl auth can-i '*' '*'
  
  # Check to see if I can get the job named "bar" in namespace "foo"
  kubectl auth can-i list jobs.batch/bar -n foo
  
  # Check to see if I can read pod logs
  kubectl auth can-i get pods --subresource=log
  
  # Check to see if I can access the URL /logs/
  kubectl auth can-i get /logs/
  
  # Check to see if I can approve certificates.k8s.io
  kubectl auth can-i approve certificates.k8s.io
  
  # List all allowed actions in namespace "foo"
  kubectl auth can-i --list --namespace=foo"#;
/// kubectl's usage line of `auth can-i`.
pub const CAN_I_USAGE: &str = "can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]";

/// Verbs kubectl knows for resources (others get a warning, not an error).
const RESOURCE_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "*",
    "approve",
    "sign",
    "escalate",
    "attest",
];
/// Verbs kubectl knows for non-resource URLs.
const NON_RESOURCE_VERBS: &[&str] = &[
    "get", "put", "post", "head", "options", "delete", "patch", "*",
];
/// Resources the server knows but discovery does not list (the impersonate verb's).
const NON_STANDARD_RESOURCES: &[&str] = &["users", "groups"];

/// Check whether an action is allowed.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("all_namespaces", |a| a.help("If true, check the specified action in all namespaces.")))]
#[command(mut_arg("list", |a| a.help("If true, prints all allowed actions.")))]
#[command(mut_arg("no_headers", |a| a.help("If true, prints allowed actions without headers")))]
#[command(mut_arg("subresource", |a| a.help("SubResource such as pod/log or deployment/scale")))]
#[command(mut_arg("quiet", |a| a.help("If true, suppress output and just return the exit code.")))]
pub struct CanIArgs {
    /// VERB [TYPE | TYPE/NAME | NONRESOURCEURL].
    #[arg(verbatim_doc_comment)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub all_namespaces: crate::cmd::flags::AllNamespacesFlag,
    #[command(flatten)]
    pub list: crate::cmd::flags::ListFlag,
    #[command(flatten)]
    pub no_headers: crate::cmd::flags::NoHeadersFlag,
    #[command(flatten)]
    pub quiet: crate::cmd::flags::QuietFlag,
    #[command(flatten)]
    pub subresource: crate::cmd::flags::SubresourceFlag,
}

/// A group and resource (`resource` may be `*`, or the argument as typed when unknown).
#[derive(Debug, Clone, Default, PartialEq)]
struct Gr {
    group: String,
    resource: String,
}

/// What is asked about.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Resource { gr: Gr, name: String },
    NonResource(String),
}

impl CanIArgs {
    /// kubectl's `Complete`, `Validate`, then `RunAccessList` or `RunAccessCheck`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let list = self.list.value;
        let mut warnings = Vec::new();
        let mut target = None;
        let mut verb = String::new();
        if list {
            if !self.args.is_empty() {
                return Err(CliError::msg(
                    "list option must be specified with no arguments",
                ));
            }
        } else {
            let [v, what] = self.args.as_slice() else {
                return Err(CliError::msg(
                    "you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.",
                ));
            };
            verb = v.clone();
            target = Some(if what.starts_with('/') {
                Target::NonResource(what.clone())
            } else {
                let (ty, name) = what.split_once('/').unwrap_or((what, ""));
                let (gr, _) = resource_for(ctx, ty, &mut warnings).await?;
                Target::Resource {
                    gr,
                    name: name.to_string(),
                }
            });
        }
        let namespace = if self.all_namespaces.value {
            String::new()
        } else {
            ctx.namespace()?.0
        };
        self.validate(ctx, &verb, target.as_ref(), &mut warnings)
            .await?;
        let result = match &target {
            None => self.access_list(ctx, &namespace, &mut warnings).await,
            Some(t) => {
                self.flush_warnings(ctx, &mut warnings);
                self.access_check(ctx, &namespace, &verb, t).await
            }
        };
        self.flush_warnings(ctx, &mut warnings);
        result
    }

    fn flush_warnings(&self, ctx: &Context, warnings: &mut Vec<String>) {
        for w in warnings.drain(..) {
            ctx.eprint(&format!("Warning: {w}\n"));
        }
    }

    /// kubectl's `Validate`: flag combinations, and warnings for cluster-scoped resources
    /// and unknown verbs.
    async fn validate(
        &self,
        ctx: &Context,
        verb: &str,
        target: Option<&Target>,
        warnings: &mut Vec<String>,
    ) -> Result<(), CliError> {
        let Some(target) = target else {
            if self.quiet.value || self.all_namespaces.value || !self.subresource.value.is_empty() {
                return Err(CliError::msg(
                    "list option can't be specified with neither quiet, all-namespaces nor subresource options",
                ));
            }
            return Ok(());
        };
        match target {
            Target::NonResource(_) => {
                if !self.subresource.value.is_empty() {
                    return Err(CliError::msg(
                        "--subresource can not be used with NonResourceURL",
                    ));
                }
                if !NON_RESOURCE_VERBS.contains(&verb) {
                    warnings.push(format!("verb '{verb}' is not a known verb\n"));
                }
            }
            Target::Resource { gr, .. } => {
                if !self.all_namespaces.value {
                    if let Some(false) = namespaced(ctx, gr).await {
                        warnings.push(if gr.group.is_empty() {
                            format!("resource '{}' is not namespace scoped\n", gr.resource)
                        } else {
                            format!(
                                "resource '{}' is not namespace scoped in group '{}'\n",
                                gr.resource, gr.group
                            )
                        });
                    }
                    if !RESOURCE_VERBS.contains(&verb) {
                        warnings.push(format!("verb '{verb}' is not a known verb\n"));
                    }
                }
            }
        }
        if self.no_headers.value {
            self.flush_warnings(ctx, warnings);
            return Err(CliError::msg(
                "--no-headers cannot be set without --list specified",
            ));
        }
        Ok(())
    }

    /// kubectl's `RunAccessCheck`: `yes`, or `no` (with the reason) and exit code 1.
    async fn access_check(
        &self,
        ctx: &Context,
        namespace: &str,
        verb: &str,
        target: &Target,
    ) -> Result<(), CliError> {
        let spec = match target {
            Target::Resource { gr, name } => {
                let mut attrs = serde_json::Map::new();
                let mut put = |k: &str, v: &str| {
                    if !v.is_empty() {
                        attrs.insert(k.into(), json!(v));
                    }
                };
                put("namespace", namespace);
                put("verb", verb);
                put("group", &gr.group);
                put("resource", &gr.resource);
                put("subresource", &self.subresource.value);
                put("name", name);
                json!({"resourceAttributes": attrs})
            }
            Target::NonResource(path) => {
                json!({"nonResourceAttributes": {"path": path, "verb": verb}})
            }
        };
        let review = create_review(
            ctx,
            "selfsubjectaccessreviews",
            "SelfSubjectAccessReview",
            spec,
        )
        .await?;
        let status = &review["status"];
        let allowed = status["allowed"].as_bool().unwrap_or(false);
        if !self.quiet.value {
            let mut line = if allowed {
                "yes".to_string()
            } else {
                "no".to_string()
            };
            if !allowed {
                for k in ["reason", "evaluationError"] {
                    if let Some(s) = status[k].as_str().filter(|s| !s.is_empty()) {
                        line.push_str(" - ");
                        line.push_str(s);
                    }
                }
            }
            line.push('\n');
            ctx.out().write_all(line.as_bytes())?;
        }
        if allowed {
            Ok(())
        } else {
            Err(CliError::Silent(1))
        }
    }

    /// kubectl's `RunAccessList`: the rules review's rules, broken down, compacted, sorted and
    /// printed as a table.
    async fn access_list(
        &self,
        ctx: &Context,
        namespace: &str,
        warnings: &mut Vec<String>,
    ) -> Result<(), CliError> {
        let review = create_review(
            ctx,
            "selfsubjectrulesreviews",
            "SelfSubjectRulesReview",
            json!({"namespace": namespace}),
        )
        .await?;
        let status = &review["status"];
        if status["incomplete"].as_bool() == Some(true) {
            // kubectl's message has no newline of its own here.
            warnings.push(format!(
                "the list may be incomplete: {}",
                status["evaluationError"].as_str().unwrap_or_default()
            ));
        }
        self.flush_warnings(ctx, warnings);
        let mut rules = Vec::new();
        for r in status["resourceRules"].as_array().into_iter().flatten() {
            rules.push(Rule {
                verbs: strings(&r["verbs"]),
                api_groups: strings(&r["apiGroups"]),
                resources: strings(&r["resources"]),
                resource_names: strings(&r["resourceNames"]),
                non_resource_urls: Vec::new(),
            });
        }
        for r in status["nonResourceRules"].as_array().into_iter().flatten() {
            rules.push(Rule {
                verbs: strings(&r["verbs"]),
                non_resource_urls: strings(&r["nonResourceURLs"]),
                ..Rule::default()
            });
        }
        let broken: Vec<Rule> = rules.iter().flat_map(breakdown).collect();
        let mut rules = compact(broken);
        rules.sort_by_key(Rule::go_string);
        let mut tw = TabWriter::kubectl();
        if !self.no_headers.value {
            tw.write_str("Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
        }
        for r in &rules {
            tw.write_str(&format!(
                "{}\t{}\t{}\t{}\n",
                combine_resource_group(&r.resources, &r.api_groups),
                go_list(&r.non_resource_urls),
                go_list(&r.resource_names),
                go_list(&r.verbs)
            ));
        }
        ctx.out().write_all(tw.flush_to_string().as_bytes())?;
        Ok(())
    }
}

/// Creates a self review of authorization.k8s.io/v1 with `spec` and returns the answer.
async fn create_review(
    ctx: &Context,
    resource: &str,
    kind: &str,
    spec: Value,
) -> Result<Value, CliError> {
    let path = ResourcePath {
        group: "authorization.k8s.io",
        version: "v1",
        resource,
        namespace: None,
        name: None,
        subresource: None,
    }
    .build()?;
    let body = json!({
        "kind": kind,
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "spec": spec,
        "status": {},
    });
    let mut req = ApiRequest::new(Method::POST, path);
    req.headers
        .push(("Content-Type".into(), "application/json".into()));
    req.body = Some(body.to_string().into_bytes());
    Ok(ctx.client()?.send_json(&req).await?)
}

/// kubectl's `resourceFor`: the typed resource through discovery (with short names and
/// groups), else the argument as typed with a warning (none for `users`/`groups`). Returns
/// whether discovery knew it.
async fn resource_for(
    ctx: &Context,
    arg: &str,
    warnings: &mut Vec<String>,
) -> Result<(Gr, bool), CliError> {
    if arg == "*" {
        return Ok((
            Gr {
                group: String::new(),
                resource: "*".into(),
            },
            true,
        ));
    }
    let lower = arg.to_lowercase();
    let lookup = |data: &crate::discovery::DiscoveryData| match data.resolve(&lower) {
        // A category (`all`) is not a resource to the REST mapper.
        Ok(rs) if rs.len() == 1 && !rs[0].categories.contains(&lower) => Some(rs[0].clone()),
        _ => None,
    };
    let discovery = ctx.discovery()?;
    let mut found = lookup(&*discovery.data().await?);
    if found.is_none() {
        // kubectl's deferred REST mapper: a miss in cached discovery refetches it (and so
        // rewrites the cache) before the resource is declared unknown.
        found = lookup(&*discovery.refresh().await?);
    }
    if let Some(r) = found {
        return Ok((
            Gr {
                group: r.group,
                resource: r.resource,
            },
            true,
        ));
    }
    let (resource, group) = lower.split_once('.').unwrap_or((&lower, ""));
    let gr_string = if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    };
    if !NON_STANDARD_RESOURCES.contains(&gr_string.as_str()) {
        warnings.push(if group.is_empty() {
            format!("the server doesn't have a resource type '{resource}'\n")
        } else {
            format!("the server doesn't have a resource type '{resource}' in group '{group}'\n")
        });
    }
    Ok((
        Gr {
            group: String::new(),
            resource: arg.to_string(),
        },
        false,
    ))
}

/// kubectl's `isNamespaced`: `*` is; a resource discovery does not list is unknown (None).
async fn namespaced(ctx: &Context, gr: &Gr) -> Option<bool> {
    if gr.resource == "*" {
        return Some(true);
    }
    let data = ctx.discovery().ok()?.data().await.ok()?;
    let preferred = data.preferred_version(&gr.group)?.to_string();
    data.resources
        .iter()
        .find(|r| r.group == gr.group && r.version == preferred && r.resource == gr.resource)
        .map(|r| r.namespaced)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::strings as s;

    #[test]
    fn rules_are_broken_down_compacted_and_sorted_as_kubectl_does() {
        let rules = [
            Rule {
                verbs: s(&["get", "list"]),
                api_groups: s(&["", "apps"]),
                resources: s(&["pods/log"]),
                ..Rule::default()
            },
            Rule {
                verbs: s(&["watch"]),
                api_groups: s(&[""]),
                resources: s(&["pods/log"]),
                ..Rule::default()
            },
            Rule {
                verbs: s(&["get"]),
                non_resource_urls: s(&["/b", "/a"]),
                ..Rule::default()
            },
        ];
        let mut out = compact(rules.iter().flat_map(breakdown).collect());
        out.sort_by_key(Rule::go_string);
        let rows: Vec<String> = out
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}",
                    combine_resource_group(&r.resources, &r.api_groups),
                    go_list(&r.non_resource_urls),
                    go_list(&r.verbs)
                )
            })
            .collect();
        // Sorted by the rules' Go strings: `Verbs:[get list watch]` < `Verbs:[get list]` <
        // `Verbs:[get]` (a space sorts before `]`).
        assert_eq!(
            rows,
            [
                "pods/log [] [get list watch]",
                "pods.apps/log [] [get list]",
                " [/a] [get]",
                " [/b] [get]"
            ]
        );
    }
}

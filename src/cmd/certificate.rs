//! `kubectl-rs certificate approve|deny` (kubectl `pkg/cmd/certificates/certificates.go`):
//! add the Approved or Denied condition to CertificateSigningRequests through their
//! `/approval` subresource. Targets come from the builder (`NAME…` as
//! `certificatesigningrequests/NAME`, or `-f`/`-k`), each is fetched again, refused when it
//! carries the opposite condition, left alone when it already has this one (unless
//! `--force`), and printed as the builder fetched it (`…/x approved`).

use serde_json::{json, Value};

use crate::client::{ApiRequest, ClientError, ResourcePath};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;
use crate::print::gofmt::go_quote;
use crate::resource::targets::{self, FindSpec, Target};

/// kubectl's long help of `certificate`.
pub const CERTIFICATE_LONG: &str = "Modify certificate resources.";
/// kubectl's usage line of `certificate`.
pub const CERTIFICATE_USAGE: &str = "certificate SUBCOMMAND";

/// kubectl's long help of `certificate approve`.
pub const APPROVE_LONG: &str = "Approve a certificate signing request.

 kubectl certificate approve allows a cluster admin to approve a certificate signing request (CSR). This action tells a certificate signing controller to issue a certificate to the requester with the attributes requested in the CSR.

 SECURITY NOTICE: Depending on the requested attributes, the issued certificate can potentially grant a requester access to cluster resources or to authenticate as a requested identity. Before approving a CSR, ensure you understand what the signed certificate can do.";
/// kubectl's examples of `certificate approve`.
pub const APPROVE_EXAMPLES: &str = r"Examples:
  # Approve CSR 'csr-sqgzp'
  kubectl certificate approve csr-sqgzp";
/// kubectl's usage line of `certificate approve`.
pub const APPROVE_USAGE: &str = "approve (-f FILENAME | NAME)";

/// kubectl's long help of `certificate deny`.
pub const DENY_LONG: &str = "Deny a certificate signing request.

 kubectl certificate deny allows a cluster admin to deny a certificate signing request (CSR). This action tells a certificate signing controller to not to issue a certificate to the requester.";
/// kubectl's examples of `certificate deny`.
pub const DENY_EXAMPLES: &str = r"Examples:
  # Deny CSR 'csr-sqgzp'
  kubectl certificate deny csr-sqgzp";
/// kubectl's usage line of `certificate deny`.
pub const DENY_USAGE: &str = "deny (-f FILENAME | NAME)";

/// Modify certificate resources.
#[derive(Debug, Clone, clap::Args)]
pub struct CertificateArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub command: CertificateCommand,
}

/// The `certificate` subcommands, in kubectl's order.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum CertificateCommand {
    /// Approve a certificate signing request
    #[command(long_about = APPROVE_LONG, after_help = APPROVE_EXAMPLES, override_usage = APPROVE_USAGE)]
    #[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files identifying the resource to update")))]
    #[command(mut_arg("force", |a| a.help("Update the CSR even if it is already approved.")))]
    Approve(ModifyArgs),
    /// Deny a certificate signing request
    #[command(long_about = DENY_LONG, after_help = DENY_EXAMPLES, override_usage = DENY_USAGE)]
    #[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files identifying the resource to update")))]
    #[command(mut_arg("force", |a| a.help("Update the CSR even if it is already denied.")))]
    Deny(ModifyArgs),
}

/// The options both subcommands take (kubectl's `CertificateOptions`).
#[derive(Debug, Clone, clap::Args)]
pub struct ModifyArgs {
    /// `NAME…` of CertificateSigningRequests (or `TYPE/NAME`).
    pub names: Vec<String>,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    /// Update the CSR even if it already has the condition.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub force: bool,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    #[command(flatten)]
    pub kustomize: crate::cmd::flags::KustomizeFlag,
}

/// What one subcommand does: the condition it adds, the one it refuses, and its words.
struct Decision {
    condition: &'static str,
    opposite: &'static str,
    reason: &'static str,
    message: &'static str,
    operation: &'static str,
}

const APPROVE: Decision = Decision {
    condition: "Approved",
    opposite: "Denied",
    reason: "KubectlApprove",
    message: "This CSR was approved by kubectl certificate approve.",
    operation: "approved",
};

const DENY: Decision = Decision {
    condition: "Denied",
    opposite: "Approved",
    reason: "KubectlDeny",
    message: "This CSR was denied by kubectl certificate deny.",
    operation: "denied",
};

impl CertificateArgs {
    /// Runs the subcommand.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        match &self.command {
            CertificateCommand::Approve(a) => a.run(ctx, &APPROVE).await,
            CertificateCommand::Deny(a) => a.run(ctx, &DENY).await,
        }
    }
}

impl ModifyArgs {
    /// kubectl's `Complete`, `Validate` and `modifyCertificateCondition`.
    async fn run(&self, ctx: &Context, d: &Decision) -> Result<(), CliError> {
        let spec = self.print.spec(ctx)?;
        let mut printer = spec.printer()?;
        ctx.client()?;
        let no_files = self.files.filename.is_empty() && self.kustomize.dir.is_none();
        if self.names.is_empty() && no_files {
            return Err(CliError::msg(
                "one or more CSRs must be specified as <name> or -f <filename>",
            ));
        }
        let items = self.targets(ctx).await?;
        let mut found = 0;
        let mut errors = Vec::new();
        for item in items {
            let outcome = match item {
                Ok(t) => self.modify(ctx, d, t).await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(obj) => {
                    found += 1;
                    spec.print(ctx, printer.as_mut(), &obj, d.operation)?;
                }
                Err(e) => errors.push(e),
            }
        }
        if found == 0 && errors.is_empty() {
            use std::io::Write;
            ctx.out().write_all(b"No resources found\n")?;
        }
        crate::resource::collected_errors(Vec::new(), errors)
    }

    /// The builder: `-f`/`-k` objects fetched again, else each name as a CSR (a
    /// `TYPE/NAME` argument names its own type, as `ResourceNames` allows).
    async fn targets(&self, ctx: &Context) -> Result<Vec<Result<Target, CliError>>, CliError> {
        let args: Vec<String> = self
            .names
            .iter()
            .map(|n| {
                if n.contains('/') {
                    n.clone()
                } else {
                    format!("certificatesigningrequests/{n}")
                }
            })
            .collect();
        if self.files.filename.is_empty() && self.kustomize.dir.is_none() {
            // The builder has no namespace: a namespaced `TYPE/NAME` fails it as a whole.
            let types = crate::resource::resolve_args(ctx, &args, "kubectl").await?;
            if types.iter().any(|t| t.resource.namespaced) {
                return Err(CliError::msg(
                    "namespace may not be empty when retrieving a resource by name",
                ));
            }
        }
        let spec = FindSpec {
            args,
            files: self.files.filename.clone(),
            recursive: self.files.recursive,
            kustomize: self.kustomize.dir.clone(),
            ..FindSpec::default()
        };
        targets::visit(ctx, &spec).await
    }

    /// One target: checked, approved or denied through `/approval` (retrying conflicts),
    /// and returned as the builder last fetched it.
    async fn modify(&self, ctx: &Context, d: &Decision, mut t: Target) -> Result<Value, CliError> {
        let kind = t.object["kind"].as_str().unwrap_or_default().to_string();
        let group = crate::print::name::api_group(t.object["apiVersion"].as_str().unwrap_or(""));
        if kind != "CertificateSigningRequest" || group != "certificates.k8s.io" {
            let got = if group.is_empty() {
                kind
            } else {
                format!("{kind}.{group}")
            };
            return Err(CliError::msg(format!(
                "can only handle CertificateSigningRequest.certificates.k8s.io objects, got {got}"
            )));
        }
        let client = ctx.client()?;
        let path = |sub: Option<&'static str>| {
            ResourcePath {
                group: "certificates.k8s.io",
                version: "v1",
                resource: "certificatesigningrequests",
                namespace: None,
                name: Some(&t.name),
                subresource: sub,
            }
            .build()
        };
        let (get_path, approval_path) = (path(None)?, path(Some("approval"))?);
        for attempt in 0.. {
            let csr = match client.send_json(&ApiRequest::get(get_path.clone())).await {
                Err(ClientError::Api(s)) if s.code == 404 => {
                    return Err(CliError::msg(format!(
                        "could not find v1 version of {}: {}",
                        t.name, s.message
                    )))
                }
                r => r?,
            };
            let (modified, has_condition) = add_condition(ctx, d, csr)?;
            if has_condition && !self.force {
                break;
            }
            match client
                .send_json(&ApiRequest::put(approval_path.clone(), &modified))
                .await
            {
                Err(ClientError::Api(s))
                    if s.code == 409 && s.reason == "Conflict" && attempt < 10 =>
                {
                    t.object = client.send_json(&ApiRequest::get(get_path.clone())).await?;
                }
                r => {
                    r?;
                    break;
                }
            }
        }
        Ok(t.object)
    }
}

/// kubectl's `addConditionIfNeeded`: the CSR with the condition appended, and whether it had
/// it already; an error when it has the opposite one.
fn add_condition(ctx: &Context, d: &Decision, mut csr: Value) -> Result<(Value, bool), CliError> {
    let name = csr["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut has = false;
    for c in csr["status"]["conditions"].as_array().into_iter().flatten() {
        let ty = c["type"].as_str().unwrap_or_default();
        if ty == d.opposite {
            return Err(CliError::msg(format!(
                "certificate signing request {} is already {ty}",
                go_quote(&name)
            )));
        }
        has |= ty == d.condition;
    }
    if has {
        return Ok((csr, true));
    }
    let condition = json!({
        "type": d.condition,
        "status": "True",
        "reason": d.reason,
        "message": d.message,
        "lastUpdateTime": ctx.now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "lastTransitionTime": null,
    });
    if !csr["status"].is_object() {
        csr["status"] = json!({});
    }
    match csr["status"]["conditions"].as_array_mut() {
        Some(cs) => cs.push(condition),
        None => csr["status"]["conditions"] = json!([condition]),
    }
    Ok((csr, false))
}

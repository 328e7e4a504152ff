//! `kubectl-rs auth whoami` (kubectl `pkg/cmd/auth/whoami.go`): create a SelfSubjectReview
//! and print who the server says the caller is, as a table or in a `-o` format.

use std::io::Write;

use serde_json::{json, Value};

use crate::client::{ApiRequest, Method, ResourcePath};
use crate::context::Context;
use crate::error::CliError;
use crate::print::tabwriter::TabWriter;

/// kubectl's long help of `auth whoami`.
pub const WHOAMI_LONG: &str = "Experimental: Check who you are and your attributes (groups, extra).

        This command is helpful to get yourself aware of the current user attributes,
        especially when dynamic authentication, e.g., token webhook, auth proxy, or OIDC provider,
        is enabled in the Kubernetes cluster.";
/// kubectl's examples of `auth whoami`.
pub const WHOAMI_EXAMPLES: &str = r"Examples:
  # Get your subject attributes
  kubectl auth whoami
  
  # Get your subject attributes in JSON format
  kubectl auth whoami -o json";
/// kubectl's usage line of `auth whoami`.
pub const WHOAMI_USAGE: &str = "whoami";

/// Experimental: Check self subject attributes.
#[derive(Debug, Clone, clap::Args)]
pub struct WhoamiArgs {
    /// Positional arguments (kubectl ignores them).
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
}

impl WhoamiArgs {
    /// kubectl's `ToOptions` then `Run`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        // `ToPrinter` before anything is sent: a bad `-o` asks nothing.
        let printer = if self.print.output.is_empty() {
            None
        } else {
            Some(self.print.generic_printer()?)
        };
        let mut review = self.review(ctx).await?;
        // kubectl decodes the answer into its typed object, whose zero creationTimestamp
        // v1.34+ omits (kubernetes#130989).
        if let Some(meta) = review["metadata"].as_object_mut() {
            if meta.get("creationTimestamp").is_some_and(Value::is_null) {
                meta.remove("creationTimestamp");
            }
        }
        match printer {
            None => {
                let text = table(&review["status"]["userInfo"]);
                ctx.out().write_all(text.as_bytes())?;
            }
            Some(mut p) => {
                let mut buf = Vec::new();
                p.print(&review, &mut buf)?;
                ctx.out().write_all(&buf)?;
            }
        }
        Ok(())
    }

    /// Creates the review in authentication.k8s.io v1, falling back to v1beta1 and v1alpha1
    /// when the version is not served (404), with kubectl's errors.
    async fn review(&self, ctx: &Context) -> Result<Value, CliError> {
        let client = ctx.client()?;
        let mut last = None;
        for version in ["v1", "v1beta1", "v1alpha1"] {
            let path = ResourcePath {
                group: "authentication.k8s.io",
                version,
                resource: "selfsubjectreviews",
                namespace: None,
                name: None,
                subresource: None,
            }
            .build()?;
            let body = json!({
                "kind": "SelfSubjectReview",
                "apiVersion": format!("authentication.k8s.io/{version}"),
                "metadata": {"creationTimestamp": null},
                "status": {"userInfo": {}},
            });
            let mut req = ApiRequest::new(Method::POST, path);
            req.headers
                .push(("Content-Type".into(), "application/json".into()));
            req.body = Some(body.to_string().into_bytes());
            match client.send_json(&req).await {
                Ok(v) => return Ok(v),
                Err(e) if e.is_not_found() => last = Some(e),
                Err(e) if e.status().is_some_and(|s| s.code == 403) => {
                    return Err(CliError::msg(
                        "the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it",
                    ))
                }
                Err(e) => return Err(e.into()),
            }
        }
        match last {
            Some(_) => Err(CliError::msg(
                "the selfsubjectreviews API is not enabled in the cluster",
            )),
            None => Err(CliError::msg("no SelfSubjectReview version was tried")),
        }
    }
}

/// Go's `%v` of a string slice: `[a b]`.
fn go_list(v: &Value) -> String {
    let items: Vec<&str> = v
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    format!("[{}]", items.join(" "))
}

/// kubectl's `printTableSelfSubjectAccessReview`: ATTRIBUTE/VALUE rows, empty ones left out,
/// extras sorted by key.
fn table(ui: &Value) -> String {
    let mut tw = TabWriter::kubectl();
    tw.write_str("ATTRIBUTE\tVALUE\n");
    let text = |k: &str| ui[k].as_str().unwrap_or_default().to_string();
    if !text("username").is_empty() {
        tw.write_str(&format!("Username\t{}\n", text("username")));
    }
    if !text("uid").is_empty() {
        tw.write_str(&format!("UID\t{}\n", text("uid")));
    }
    if ui["groups"].as_array().is_some_and(|g| !g.is_empty()) {
        tw.write_str(&format!("Groups\t{}\n", go_list(&ui["groups"])));
    }
    if let Some(extra) = ui["extra"].as_object() {
        let mut keys: Vec<&String> = extra.keys().collect();
        keys.sort();
        for k in keys {
            tw.write_str(&format!("Extra: {k}\t{}\n", go_list(&extra[k])));
        }
    }
    tw.flush_to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_leaves_out_empty_attributes() {
        let t =
            table(&json!({"username": "me", "groups": [], "extra": {"b": ["2"], "a": ["1", "x"]}}));
        assert_eq!(
            t,
            "ATTRIBUTE   VALUE\nUsername    me\nExtra: a    [1 x]\nExtra: b    [2]\n"
        );
    }
}

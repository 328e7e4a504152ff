//! Node maintenance shared by `cordon`, `uncordon` and `drain` (kubectl `pkg/drain` and the
//! helpers of `pkg/cmd/drain`): picking the nodes, marking them (un)schedulable, choosing the
//! pods to remove with kubectl's filters, and evicting or deleting them while printing
//! kubectl's progress lines.
//!
//! Layer: above `resource` and `print`, below `cmd`.

pub mod filters;
pub mod pods;

use serde_json::{json, Value};

use crate::client::{ApiPath, ApiRequest, ClientError, ResourcePath};
use crate::context::Context;
use crate::error::CliError;
pub use crate::resource::helper::list_chunked;

pub use filters::{PodDelete, PodDeleteList};

/// How mutating requests are sent (`--dry-run`), without depending on the command layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Send them.
    Apply,
    /// Send nothing; print what would be done.
    ClientDryRun,
    /// Send them with `dryRun=All`.
    ServerDryRun,
}

impl From<crate::ops::dryrun::DryRun> for Mode {
    fn from(d: crate::ops::dryrun::DryRun) -> Mode {
        use crate::ops::dryrun::DryRun;
        match d {
            DryRun::None => Mode::Apply,
            DryRun::Client => Mode::ClientDryRun,
            DryRun::Server => Mode::ServerDryRun,
        }
    }
}

impl Mode {
    /// What the name printer adds after the operation.
    pub fn suffix(self) -> &'static str {
        match self {
            Mode::Apply => "",
            Mode::ClientDryRun => " (dry run)",
            Mode::ServerDryRun => " (server dry run)",
        }
    }
}

/// The path of a node (`/api/v1/nodes/NAME`) or of all nodes.
pub fn node_path(name: Option<&str>) -> Result<ApiPath, CliError> {
    Ok(ResourcePath {
        group: "",
        version: "v1",
        resource: "nodes",
        namespace: None,
        name,
        subresource: None,
    }
    .build()?)
}

/// `DrainCmdOptions.Complete`'s argument checks for `command` (`cordon`, `uncordon`,
/// `drain`): a node name or `--selector` (even an empty one), not both.
pub fn check_node_args(
    command: &str,
    args: &[String],
    selector: Option<&str>,
) -> Result<(), CliError> {
    let usage = |message: String| CliError::Usage {
        message,
        command: format!("kubectl-rs {command}"),
    };
    if args.is_empty() && selector.is_none() {
        return Err(usage(format!("USAGE: {command} NODE [flags]")));
    }
    if !args.is_empty() && selector.is_some_and(|s| !s.is_empty()) {
        // kubectl's text starts with `error: `, so it is printed once.
        return Err(usage(
            "cannot specify both a node name and a --selector option".into(),
        ));
    }
    Ok(())
}

/// The builder of `cordon`/`uncordon`/`drain`: `ResourceNames("nodes", args...)`, or the nodes
/// matching `selector` listed `chunk` at a time. Stops at the first error, as kubectl's
/// builder does without `ContinueOnError`.
pub async fn select_nodes(
    ctx: &Context,
    args: &[String],
    selector: Option<&str>,
    chunk: i64,
) -> Result<Vec<Value>, CliError> {
    let mut nodes = Vec::new();
    if !args.is_empty() {
        for arg in args {
            let spelled = if arg.contains('/') {
                arg.clone()
            } else {
                format!("nodes/{arg}")
            };
            let types =
                crate::resource::resolve_args(ctx, std::slice::from_ref(&spelled), "kubectl")
                    .await?;
            for t in types {
                for name in &t.names {
                    let ns = if t.resource.namespaced {
                        Some(ctx.namespace()?.0)
                    } else {
                        None
                    };
                    let obj =
                        crate::resource::helper::get_named(ctx, &t.resource, ns.as_deref(), name)
                            .await?;
                    if !t.resource.group.is_empty() || t.resource.resource != "nodes" {
                        let gvr = format!(
                            "{}/{}, Resource={}",
                            t.resource.group, t.resource.version, t.resource.resource
                        );
                        return Err(CliError::msg(format!(
                            "error: expected resource of type node, got {gvr:?}"
                        )));
                    }
                    nodes.push(obj);
                }
            }
        }
        return Ok(nodes);
    }
    let selector = selector.unwrap_or("").trim();
    if selector.is_empty() {
        return Err(crate::resource::missing_resource_error());
    }
    let items = list_chunked(
        ctx,
        node_path(None)?,
        "/v1, Resource=nodes",
        Some(selector),
        None,
        chunk,
    )
    .await?;
    Ok(items
        .into_iter()
        .map(|mut n| {
            n["kind"] = json!("Node");
            n["apiVersion"] = json!("v1");
            n
        })
        .collect())
}

/// Go's `err.Error()` of an error kubectl prints inside its own sentence.
pub fn go_error_text(e: &CliError) -> String {
    if let CliError::Client(ClientError::Api(s)) = e {
        return s.message.clone();
    }
    if let Some(t) = e.plain_text() {
        return t;
    }
    let r = crate::error::render(e).stderr;
    let r = r.trim_end_matches('\n');
    r.strip_prefix("error: ").unwrap_or(r).to_string()
}

/// Prints `kind/name operation` (the name printer of `PrintFlags` as drain builds it).
pub fn print_op(ctx: &Context, obj: &Value, operation: &str, mode: Mode) -> Result<(), CliError> {
    let op = format!("{operation}{}", mode.suffix());
    let mut out = ctx.out();
    crate::print::name::print_name(obj, &op, false, &mut **out)?;
    Ok(())
}

/// `RunCordonOrUncordon`: marks each node (un)schedulable, printing `node/x cordoned`,
/// `already cordoned` or kubectl's `unable to cordon node` line; never fails as a whole.
pub async fn cordon_nodes(
    ctx: &Context,
    nodes: &[Value],
    desired: bool,
    mode: Mode,
) -> Result<(), CliError> {
    let verb = if desired { "cordon" } else { "uncordon" };
    for node in nodes {
        let name = node["metadata"]["name"].as_str().unwrap_or_default();
        let current = node["spec"]["unschedulable"].as_bool().unwrap_or(false);
        if current == desired {
            print_op(ctx, node, &format!("already {verb}ed"), mode)?;
            continue;
        }
        if mode != Mode::ClientDryRun {
            let body = if desired {
                json!({"spec": {"unschedulable": true}})
            } else {
                json!({"spec": {"unschedulable": null}})
            };
            let mut req = ApiRequest::patch(
                node_path(Some(name))?,
                crate::client::request::PATCH_STRATEGIC,
                serde_json::to_vec(&body)?,
            );
            if mode == Mode::ServerDryRun {
                req = req.query("dryRun", "All");
            }
            if let Err(e) = ctx.client()?.send_json(&req).await {
                ctx.eprint(&format!(
                    "error: unable to {verb} node {name:?}: {}\n",
                    go_error_text(&e.into())
                ));
                continue;
            }
        }
        print_op(ctx, node, &format!("{verb}ed"), mode)?;
    }
    Ok(())
}

//! `kubectl-rs explain TYPE[.field…]`: documentation of a resource or field from the server's
//! OpenAPI v3 document (kubectl `pkg/cmd/explain`): the type resolved through discovery as
//! kubectl's RESTMapper does (plural, singular, short names, `TYPE.group` prefixes), the
//! group version's document fetched through the `/openapi/v3` index, rendered by
//! [`crate::explain`].

use std::io::Write;

use serde_json::Value;

use crate::client::{ApiPath, ApiRequest};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::CliError;
use crate::explain::{gvr_string, render, Request};

/// kubectl's long help of `explain`.
pub const EXPLAIN_LONG: &str = "Describe fields and structure of various resources.

 This command describes the fields associated with each supported API resource. Fields are identified via a simple JSONPath identifier:

        <type>.<fieldName>[.<fieldName>]
        
 Information about each field is retrieved from the server in OpenAPI format.

Use \"kubectl api-resources\" for a complete list of supported resources.";

/// kubectl's examples of `explain`.
pub const EXPLAIN_EXAMPLES: &str = r"Examples:
  # Get the documentation of the resource and its fields
  kubectl explain pods
  
  # Get all the fields in the resource
  kubectl explain pods --recursive
  
  # Get the explanation for deployment in supported api versions
  kubectl explain deployments --api-version=apps/v1
  
  # Get the documentation of a specific field of a resource
  kubectl explain pods.spec.containers
  
  # Get the documentation of resources in different format
  kubectl explain deployment --output=plaintext-openapiv2";

/// kubectl's usage (`Use`) of `explain`.
pub const EXPLAIN_USAGE: &str = "explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [-o|--output=plaintext|plaintext-openapiv2]";

const PLAINTEXT: &str = "plaintext";
const PLAINTEXT_OPENAPIV2: &str = "plaintext-openapiv2";

/// Get documentation for a resource.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Get documentation for a resource")]
pub struct ExplainArgs {
    /// Get different explanations for particular API version (API group/version)
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub api_version: String,
    /// Format in which to render the schema (plaintext, plaintext-openapiv2)
    #[arg(verbatim_doc_comment, short = 'o', long, default_value = PLAINTEXT)]
    pub output: String,
    /// Print the fields of fields (Currently only 1 level deep)
    #[arg(verbatim_doc_comment, short = 'R', long, go_bool(false))]
    pub recursive: bool,
    /// TYPE[.field…]
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
}

/// One node of kubectl's jsonpath parse of `{.<arg>}`: a field name, or anything else (the
/// `..` recursive descent, an index, a filter).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Field(String),
    Other,
}

/// The nodes of `{.<s>}` (after dropping one trailing `.`), as client-go's jsonpath parser
/// splits them: `.name` is a field, `..` a recursive descent that a name may follow directly.
fn jsonpath_nodes(s: &str) -> Vec<Node> {
    let s = s.strip_suffix('.').unwrap_or(s);
    let text = format!(".{s}");
    let chars: Vec<char> = text.chars().collect();
    let mut nodes = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '.' {
            nodes.push(Node::Other);
            break;
        }
        if chars.get(i + 1) == Some(&'.') {
            nodes.push(Node::Other);
            i += 2;
            if chars.get(i).is_some_and(|c| *c != '.') {
                i -= 1;
            } else {
                continue;
            }
        }
        let start = i + 1;
        let mut end = start;
        while end < chars.len() && (chars[end].is_alphanumeric() || "_-/".contains(chars[end])) {
            end += 1;
        }
        if end == start {
            // `.` before something that is not a name: an empty field, then the rest.
            nodes.push(Node::Field(String::new()));
            if start < chars.len() {
                nodes.push(Node::Other);
            }
            break;
        }
        nodes.push(Node::Field(chars[start..end].iter().collect()));
        i = end;
        if i < chars.len() && chars[i] != '.' {
            nodes.push(Node::Other);
            break;
        }
    }
    nodes
}

/// The names of `nodes`, or kubectl's error when one is not a field.
fn fields(nodes: &[Node], message: &str) -> Result<Vec<String>, CliError> {
    nodes
        .iter()
        .map(|n| match n {
            Node::Field(f) => Ok(f.clone()),
            Node::Other => Err(CliError::msg(message)),
        })
        .collect()
}

const FIRST_NODE: &str = "invalid jsonpath syntax, first node must be field node";

/// The field path after a `group/resource` prefix (`.spec.containers`): kubectl parses
/// `{.<suffix>}` and drops the first node (for a suffix starting with `.`, the recursive
/// descent node).
fn suffix_fields(suffix: &str) -> Result<Vec<String>, CliError> {
    if suffix.is_empty() {
        return Ok(Vec::new());
    }
    let nodes = jsonpath_nodes(suffix);
    fields(nodes.get(1..).unwrap_or(&[]), FIRST_NODE)
}

/// The RESTMapper's `ResourcesFor` on a bare resource name: every served version of the
/// matching resources, highest priority first.
fn resources_for(data: &crate::discovery::DiscoveryData, name: &str) -> Vec<ApiResource> {
    let lower = name.to_lowercase();
    let exact = |r: &ApiResource| {
        r.resource == lower || r.singular == lower || r.kind.to_lowercase() == lower
    };
    let short = |r: &ApiResource| r.short_names.contains(&lower);
    let ordered: Vec<&ApiResource> = data
        .preferred_resources()
        .chain(data.resources.iter())
        .filter(|r| !r.resource.contains('/'))
        .collect();
    let mut out: Vec<ApiResource> = Vec::new();
    let pick: &dyn Fn(&ApiResource) -> bool = if ordered.iter().any(|r| exact(r)) {
        &exact
    } else {
        &short
    };
    for r in ordered.into_iter().filter(|r| pick(r)) {
        if !out
            .iter()
            .any(|o| o.group == r.group && o.version == r.version && o.resource == r.resource)
        {
            out.push(r.clone());
        }
    }
    out
}

impl ExplainArgs {
    /// kubectl's `Validate`.
    pub fn validate(&self) -> Result<(), CliError> {
        if self.args.is_empty() {
            return Err(CliError::msg("You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n"));
        }
        if self.args.len() > 1 {
            return Err(CliError::msg(
                "We accept only this format: explain RESOURCE\n",
            ));
        }
        Ok(())
    }

    /// The resource and field path the argument names (kubectl's
    /// `SplitAndParseResourceRequest[WithMatchingPrefix]`).
    async fn target(&self, ctx: &Context) -> Result<(ApiResource, Vec<String>), CliError> {
        let arg = &self.args[0];
        let nodes = jsonpath_nodes(arg);
        let Some(Node::Field(name)) = nodes.first() else {
            return Err(CliError::msg(FIRST_NODE));
        };
        let disc = ctx.discovery()?;
        let preferred = disc
            .resolve(name)
            .await
            .map_err(|e| crate::resource::no_resource_match(e.into()))?;
        let Some(first) = preferred.into_iter().next() else {
            return Err(CliError::Raw(format!(
                "the server doesn't have a resource type {name:?}"
            )));
        };
        if !self.api_version.is_empty() {
            let rest = fields(
                &nodes[1..],
                "invalid jsonpath syntax, all nodes must be field nodes",
            )?;
            return Ok((first, rest));
        }
        let mut all = resources_for(&*disc.data().await?, name);
        if all.is_empty() {
            all.push(first);
        }
        for r in &all {
            if let Some(suffix) = arg.strip_prefix(&r.group_resource()) {
                return Ok((r.clone(), suffix_fields(suffix)?));
            }
        }
        Ok((all[0].clone(), fields(&nodes[1..], FIRST_NODE)?))
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        self.validate()?;
        let (resource, fields) = self.target(ctx).await?;
        let (mut group, mut version) = (resource.group.clone(), resource.version.clone());
        if !self.api_version.is_empty() {
            let parts: Vec<&str> = self.api_version.split('/').collect();
            match parts.as_slice() {
                [v] => {
                    group = String::new();
                    version = v.to_string();
                }
                [g, v] => {
                    group = g.to_string();
                    version = v.to_string();
                }
                _ => {
                    return Err(CliError::msg(format!(
                        "unexpected GroupVersion string: {}",
                        self.api_version
                    )))
                }
            }
        }
        let client = ctx.client()?;
        if self.output == PLAINTEXT_OPENAPIV2 {
            // kubectl's `renderOpenAPIV2`: the kind of the resource, in the version asked.
            let doc = client.get_json(&ApiPath::openapi_v2()).await?;
            let req = crate::explain::v2::V2Request {
                group: &group,
                version: &version,
                kind: &resource.kind,
                fields: &fields,
                recursive: self.recursive,
            };
            let text = crate::explain::v2::render(&doc, &req).map_err(CliError::msg)?;
            ctx.out().write_all(text.as_bytes())?;
            return Ok(());
        }
        // client-go reads the index and the documents with `Raw()`: the real server answers
        // the index as text/plain, so the media type is not checked, only the JSON parsed.
        let index_req = ApiRequest::get(ApiPath::openapi_v3()).accept("application/json, */*");
        let index = raw_json(&client.send(&index_req).await?.body)?;
        let key = if group.is_empty() {
            format!("api/{version}")
        } else {
            format!("apis/{group}/{version}")
        };
        let Some(url) = index
            .pointer("/paths")
            .and_then(|p| p.get(&key))
            .and_then(|e| e.get("serverRelativeURL"))
            .and_then(Value::as_str)
        else {
            return Err(CliError::msg(format!(
                "couldn't find resource for \"{}\"",
                gvr_string(&group, &version, &resource.resource)
            )));
        };
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let mut req = ApiRequest::get(ApiPath::openapi_v3_document(path)?);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            req.query.push((k.to_string(), v.to_string()));
        }
        let doc = raw_json(&client.send(&req).await?.body)?;
        if self.output != PLAINTEXT {
            return Err(CliError::msg(format!(
                "unrecognized format: {}",
                self.output
            )));
        }
        let request = Request {
            group: &group,
            version: &version,
            resource: &resource.resource,
            field_path: &fields,
            recursive: self.recursive,
        };
        match render(&doc, &request) {
            Ok(text) => {
                ctx.out().write_all(text.as_bytes())?;
                Ok(())
            }
            Err(failed) => {
                ctx.out().write_all(failed.partial.as_bytes())?;
                Err(CliError::msg(failed.message))
            }
        }
    }
}

/// A body read as client-go's `Raw()` then `json.Unmarshal` does: whatever its media type.
fn raw_json(body: &[u8]) -> Result<Value, CliError> {
    serde_json::from_slice(body).map_err(|e| CliError::msg(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Node {
        Node::Field(s.into())
    }

    #[test]
    fn jsonpath_nodes_as_client_go_splits_them() {
        assert_eq!(jsonpath_nodes("pods.spec."), vec![f("pods"), f("spec")]);
        assert_eq!(
            jsonpath_nodes("pods..spec"),
            vec![f("pods"), Node::Other, f("spec")]
        );
        assert_eq!(jsonpath_nodes(".spec"), vec![Node::Other, f("spec")]);
        assert_eq!(jsonpath_nodes("pods[0]"), vec![f("pods"), Node::Other]);
        assert_eq!(jsonpath_nodes("[0]"), vec![f(""), Node::Other]);
        assert_eq!(
            suffix_fields(".spec.containers").unwrap(),
            vec!["spec", "containers"]
        );
        assert!(suffix_fields("[0]").is_err());
    }
}

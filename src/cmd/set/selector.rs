//! `kubectl-rs set selector` (kubectl `pkg/cmd/set/set_selector.go`): replace a Service's
//! `spec.selector`. kubectl visits every object, reporting the failures at the end.

use serde_json::{Map, Value};

use crate::cmd::flags::dry_run_flag;
use crate::cmd::set::{aggregate, calculate_patch, find_spec, Printer, Submit};
use crate::context::Context;
use crate::error::{ok_or_collect, CliError};
use crate::resource::targets::visit;

/// kubectl's long help of `set selector`.
pub const SET_SELECTOR_LONG: &str = "Set the selector on a resource. Note that the new selector will overwrite the old selector if the resource had one prior to the invocation of 'set selector'.\n\n A selector must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters. If --resource-version is specified, then updates will use this resource version, otherwise the existing resource-version will be used. Note: currently selectors can only be set on Service objects.";

/// kubectl's examples of `set selector`.
pub const SET_SELECTOR_EXAMPLES: &str = r#"Examples:
  # Set the labels and selector before creating a deployment/service pair
  kubectl create service clusterip my-svc --clusterip="None" -o yaml --dry-run=client | kubectl set selector --local -f - 'environment=qa' -o yaml | kubectl create -f -
  kubectl create deployment my-dep --image=nginx -o yaml --dry-run=client | kubectl label --local -f - environment=qa -o yaml | kubectl create -f -"#;

/// kubectl's usage line of `set selector`.
pub const SET_SELECTOR_USAGE: &str =
    "selector (-f FILENAME | TYPE NAME) EXPRESSIONS [--resource-version=version]";

/// Set the selector on a resource.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("all", |a| a.help("Select all resources in the namespace of the specified resource types")))]
#[command(mut_arg("recursive", |a| a.default_value("true")))]
#[command(mut_arg("filename", |a| a.help("identifying the resource.")))]
#[command(mut_arg("resource_version", |a| a.help("If non-empty, the selectors update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.")))]
pub struct SelectorArgs {
    /// `TYPE NAME…` or `TYPE/NAME…`, then the selector.
    pub args: Vec<String>,
    #[command(flatten)]
    pub common: crate::cmd::flags::SetCommonFlags,
    #[command(flatten)]
    pub resource_version: crate::cmd::flags::ResourceVersionFlag,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
}

impl SelectorArgs {
    /// kubectl's `Complete`, `Validate` and `RunSelector`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let cause = self.record.change_cause(ctx);
        let dry_run = dry_run_flag(ctx, &self.common.dry_run.value)?;
        let Some((expr, resources)) = self.args.split_last() else {
            return Err(CliError::msg("one selector is required"));
        };
        let (match_labels, expressions) = parse_to_label_selector(expr)?;
        let mut printer = Printer::new(ctx, &self.common.print, "selector updated", dry_run)?;
        if self.common.local.value && !resources.is_empty() {
            return Err(crate::cmd::set::local_resource_error());
        }
        let args = if self.common.local.value {
            Vec::new()
        } else {
            resources.to_vec()
        };
        let spec = find_spec(&self.common, None, args, None);
        let mut errs = Vec::new();
        for item in visit(ctx, &spec).await? {
            let Some(t) = ok_or_collect(item, &mut errs) else {
                continue;
            };
            let mut before = t.object.clone();
            if !self.resource_version.value.is_empty() {
                if let Some(m) = before["metadata"].as_object_mut() {
                    m.remove("resourceVersion");
                }
            }
            let mut after = before.clone();
            if !self.resource_version.value.is_empty() {
                after["metadata"]["resourceVersion"] =
                    Value::String(self.resource_version.value.clone());
            }
            let is_service = after["kind"] == "Service" && after["apiVersion"] == "v1";
            if !is_service {
                errs.push(CliError::msg(
                    "setting a selector is only supported for Services",
                ));
                continue;
            }
            if let Some(e) = &expressions {
                errs.push(CliError::msg(e.clone()));
                continue;
            }
            if !after["spec"].is_object() {
                after["spec"] = Value::Object(Map::new());
            }
            // An empty map is omitted from the typed object.
            if match_labels.is_empty() {
                if let Some(s) = after["spec"].as_object_mut() {
                    s.remove("selector");
                }
            } else {
                after["spec"]["selector"] = Value::Object(match_labels.clone());
            }
            let patch = match crate::cmd::set::record(&mut after, &cause)
                .and_then(|()| calculate_patch(&before, &after))
            {
                Ok(p) => p.unwrap_or_else(|| serde_json::json!({})),
                Err(e) => {
                    errs.push(e);
                    continue;
                }
            };
            let submit = Submit::new(&self.common, dry_run, None);
            submit
                .one(ctx, &mut printer, &t, (&after, &patch), &mut errs)
                .await;
        }
        printer.finish(ctx)?;
        aggregate(errs)
    }
}

/// metav1 `ParseToLabelSelector`: the `matchLabels` of `expr`, and the error `set selector`
/// gives each Service when it also has match expressions.
fn parse_to_label_selector(expr: &str) -> Result<(Map<String, Value>, Option<String>), CliError> {
    let mut selector =
        crate::ops::selector::parse_to_label_selector(expr).map_err(CliError::msg)?;
    let labels = match selector["matchLabels"].take() {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    // Go's `%v` of each requirement: `{key Operator [values]}`.
    let text = |s: &Value| s.as_str().unwrap_or_default().to_string();
    let expressions: Vec<String> = selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let values: Vec<String> = e["values"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect();
            format!(
                "{{{} {} [{}]}}",
                text(&e["key"]),
                text(&e["operator"]),
                values.join(" ")
            )
        })
        .collect();
    let refusal = (!expressions.is_empty()).then(|| {
        format!(
            "match expression [{}] not supported on this object",
            expressions.join(" ")
        )
    });
    Ok((labels, refusal))
}

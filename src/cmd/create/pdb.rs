//! `kubectl-rs create poddisruptionbudget` (kubectl `pkg/cmd/create/create_pdb.go`): a
//! policy/v1 PodDisruptionBudget with `--selector` and one of `--min-available` or
//! `--max-unavailable`, created through the generators' shared [`submit`].

use serde_json::{json, Map, Value};

use crate::cmd::create_generators::{name_meta, submit, Built, CommonArgs};
use crate::cmd::flags::field_validation;
use crate::context::Context;
use crate::error::{CliError, CliResult};

/// kubectl's long help of `create poddisruptionbudget`.
pub const CREATE_PDB_LONG: &str = "Create a pod disruption budget with the specified name, selector, and desired minimum available pods.";
/// kubectl's examples of `create poddisruptionbudget`.
pub const CREATE_PDB_EXAMPLES: &str = r"Examples:
  # Create a pod disruption budget named my-pdb that will select all pods with the app=rails label
  # and require at least one of them being available at any point in time
  kubectl create poddisruptionbudget my-pdb --selector=app=rails --min-available=1
  
  # Create a pod disruption budget named my-pdb that will select all pods with the app=nginx label
  # and require at least half of the pods selected to be available at any point in time
  kubectl create pdb my-pdb --selector=app=nginx --min-available=50%";
/// kubectl's usage line of `create poddisruptionbudget`.
pub const CREATE_PDB_USAGE: &str =
    "poddisruptionbudget NAME --selector=SELECTOR --min-available=N [--dry-run=server|client|none]";

/// `create poddisruptionbudget`'s own flags.
#[derive(Debug, Clone, clap::Args)]
pub struct PdbFlags {
    /// The minimum number or percentage of available pods this budget requires.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub min_available: String,
    /// The maximum number or percentage of unavailable pods this budget requires.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub max_unavailable: String,
    /// A label selector to use for this budget. Only equality-based selector requirements are supported.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub selector: String,
}

/// `^[0-9]+%?$`.
fn budget_format(s: &str) -> bool {
    let digits = s.strip_suffix('%').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// intstr `Parse`: an int (truncated to int32 as `FromInt` does) when it parses, else a string.
fn int_or_string(s: &str) -> Value {
    match s.parse::<i64>() {
        Ok(i) => json!(i as i32),
        Err(_) => json!(s),
    }
}

impl PdbFlags {
    /// kubectl's `Complete`, `Validate` and `Run` for the budget `name`.
    pub async fn run(&self, ctx: &Context, common: &CommonArgs, name: &str) -> CliResult {
        let dry_run = common.dry_run.strategy(ctx)?;
        let (namespace, enforce) = ctx.namespace()?;
        common.check_printer()?;
        let validation = field_validation(&common.validate.value)?;
        if name.is_empty() {
            return Err(CliError::msg("name must be specified"));
        }
        if self.selector.is_empty() {
            return Err(CliError::msg("a selector must be specified"));
        }
        let (min, max) = (&self.min_available, &self.max_unavailable);
        if min.is_empty() && max.is_empty() {
            return Err(CliError::msg(
                "one of min-available or max-unavailable must be specified",
            ));
        }
        if !min.is_empty() && !max.is_empty() {
            return Err(CliError::msg(
                "min-available and max-unavailable cannot be both specified",
            ));
        }
        if !min.is_empty() && !budget_format(min) {
            return Err(CliError::msg("invalid format specified for min-available"));
        }
        if !max.is_empty() && !budget_format(max) {
            return Err(CliError::msg(
                "invalid format specified for max-unavailable",
            ));
        }
        let selector =
            crate::ops::selector::parse_to_label_selector(&self.selector).map_err(CliError::msg)?;
        let meta = name_meta(name, &namespace, enforce);
        let mut spec = Map::new();
        if !min.is_empty() {
            spec.insert("minAvailable".into(), int_or_string(min));
        } else {
            spec.insert("maxUnavailable".into(), int_or_string(max));
        }
        spec.insert("selector".into(), selector);
        let object = json!({
            "kind": "PodDisruptionBudget",
            "apiVersion": "policy/v1",
            "metadata": meta,
            "spec": spec,
            "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0,
                "expectedPods": 0},
        });
        let built = Built {
            object,
            collection: "poddisruptionbudgets".into(),
            namespaced: true,
            display: "poddisruptionbudget.policy",
            wrap: Some("failed to create poddisruptionbudgets: "),
        };
        submit(ctx, common, built, &namespace, dry_run, validation).await
    }
}

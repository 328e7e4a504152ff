//! `kubectl-rs create priorityclass` (kubectl `pkg/cmd/create/create_priorityclass.go`): a
//! scheduling.k8s.io/v1 PriorityClass, created through the generators' shared [`submit`].

use serde_json::json;

use crate::cmd::create_generators::{submit, Built, CommonArgs};
use crate::cmd::flags::field_validation;
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliResult;
use kcore::gofmt::go_quote;

/// kubectl's long help of `create priorityclass`.
pub const CREATE_PC_LONG: &str =
    "Create a priority class with the specified name, value, globalDefault and description.";
/// kubectl's examples of `create priorityclass`.
pub const CREATE_PC_EXAMPLES: &str = r#"Examples:
  # Create a priority class named high-priority
  kubectl create priorityclass high-priority --value=1000 --description="high priority"
  
  # Create a priority class named default-priority that is considered as the global default priority
  kubectl create priorityclass default-priority --value=1000 --global-default=true --description="default priority"
  
  # Create a priority class named high-priority that cannot preempt pods with lower priority
  kubectl create priorityclass high-priority --value=1000 --description="high priority" --preemption-policy="Never""#;
/// kubectl's usage line of `create priorityclass`.
pub const CREATE_PC_USAGE: &str =
    "priorityclass NAME --value=VALUE --global-default=BOOL [--dry-run=server|client|none]";

/// `create priorityclass`'s own flags.
#[derive(Debug, Clone, clap::Args)]
pub struct PriorityClassFlags {
    /// the value of this priority class.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "0",
        allow_negative_numbers = true,
        value_name = "int32"
    )]
    pub value: String,
    /// global-default specifies whether this PriorityClass should be considered as the default priority.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub global_default: bool,
    /// description is an arbitrary string that usually provides guidelines on when this priority class should be used.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub description: String,
    /// preemption-policy is the policy for preempting pods with lower priority.
    #[arg(verbatim_doc_comment, long, default_value = "PreemptLowerPriority")]
    pub preemption_policy: String,
}

impl PriorityClassFlags {
    /// kubectl's `Complete` and `Run` for the class `name` (no `Validate`: the server judges).
    pub async fn run(&self, ctx: &Context, common: &CommonArgs, name: &str) -> CliResult {
        let value = match kcore::gofmt::go_parse_int(&self.value) {
            Ok(v) if i32::try_from(v).is_ok() => v,
            other => {
                let why = match other {
                    Err(e) => e,
                    Ok(_) => format!(
                        "strconv.ParseInt: parsing {}: value out of range",
                        go_quote(&self.value)
                    ),
                };
                return Err(crate::cmd::flags::invalid_flag_value(
                    "create priorityclass",
                    "value",
                    &self.value,
                    why,
                ));
            }
        };
        let dry_run = common.dry_run.strategy(ctx)?;
        common.check_printer()?;
        let validation = field_validation(&common.validate.value)?;
        let mut object = json!({
            "kind": "PriorityClass",
            "apiVersion": "scheduling.k8s.io/v1",
            "metadata": {"name": name},
            "value": value,
            "preemptionPolicy": self.preemption_policy,
        });
        if self.global_default {
            object["globalDefault"] = json!(true);
        }
        if !self.description.is_empty() {
            object["description"] = json!(self.description);
        }
        let built = Built {
            object,
            collection: "priorityclasses".into(),
            namespaced: false,
            display: "priorityclass.scheduling.k8s.io",
            wrap: Some("failed to create priorityclass: "),
        };
        submit(ctx, common, built, "", dry_run, validation).await
    }
}

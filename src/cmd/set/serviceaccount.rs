//! `kubectl-rs set serviceaccount` (kubectl `pkg/cmd/set/set_serviceaccount.go`): set
//! `serviceAccountName` in pods and pod templates. Unlike `set image` it patches (and prints)
//! every object found, changed or not.

use crate::cmd::flags::dry_run_flag;
use crate::cmd::set::{
    aggregate, calculate_patch, change_error, check_local_dry_run, pod_spec_mut, Printer, Submit,
};
use crate::context::Context;
use crate::error::CliError;
use crate::resource::targets::find;

/// kubectl's long help of `set serviceaccount`.
pub const SET_SA_LONG: &str = "Update the service account of pod template resources.\n\n Possible resources (case insensitive) can be:\n\n replicationcontroller (rc), deployment (deploy), daemonset (ds), job, replicaset (rs), statefulset";

/// kubectl's examples of `set serviceaccount`.
pub const SET_SA_EXAMPLES: &str = r"Examples:
  # Set deployment nginx-deployment's service account to serviceaccount1
  kubectl set serviceaccount deployment nginx-deployment serviceaccount1
  
  # Print the result (in YAML format) of updated nginx deployment with the service account from local file, without hitting the API server
  kubectl set sa -f nginx-deployment.yaml serviceaccount1 --local --dry-run=client -o yaml";

/// kubectl's usage line of `set serviceaccount`.
pub const SET_SA_USAGE: &str = "serviceaccount (-f FILENAME | TYPE NAME) SERVICE_ACCOUNT";

/// Update the service account of a resource.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("local", |a| a.help("If true, set serviceaccount will NOT contact api-server but run locally.")))]
pub struct ServiceAccountArgs {
    #[command(flatten)]
    pub target: crate::cmd::flags::SetTargetFlags,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
}

impl ServiceAccountArgs {
    /// kubectl's `Complete` and `Run`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let cause = self.record.change_cause(ctx);
        let dry_run = dry_run_flag(ctx, &self.target.common.dry_run.value)?;
        check_local_dry_run(&self.target.common, dry_run)?;
        let mut printer = Printer::new(
            ctx,
            &self.target.common.print,
            "serviceaccount updated",
            dry_run,
        )?;
        let Some((name, resources)) = self.target.args.split_last() else {
            return Err(CliError::msg("serviceaccount is required"));
        };
        // With --local the builder is given the files only.
        let args = if self.target.common.local.value {
            Vec::new()
        } else {
            resources.to_vec()
        };
        let spec = self.target.find_spec(args, None);
        let targets = find(ctx, &spec).await?;
        let mut errs = Vec::new();
        for t in targets {
            let mut after = t.object.clone();
            let patch = pod_spec_mut(&mut after)
                .map(|spec| {
                    spec["serviceAccountName"] = serde_json::Value::String(name.clone());
                })
                .and_then(|()| crate::cmd::set::record(&mut after, &cause))
                .and_then(|()| calculate_patch(&t.object, &after));
            let patch = match patch {
                Ok(p) => p.unwrap_or_else(|| serde_json::json!({})),
                Err(e) => {
                    errs.push(change_error(&t, &e));
                    continue;
                }
            };
            let submit = Submit::new(
                &self.target.common,
                dry_run,
                Some("failed to patch ServiceAccountName "),
            );
            submit
                .one(ctx, &mut printer, &t, (&after, &patch), &mut errs)
                .await;
        }
        printer.finish(ctx)?;
        aggregate(errs)
    }
}

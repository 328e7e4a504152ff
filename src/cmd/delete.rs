//! `kubectl-rs delete`: by `TYPE NAME…`, `TYPE/NAME…`, `-f`, `-l`, `--all`, `--field-selector`;
//! cascade, grace period, `--force`, `--wait`, dry runs, `-o name`, `-i`
//! (kubectl `pkg/cmd/delete/delete.go`, `delete_flags.go`, `pkg/cmd/wait/delete.go`).
//!
//! [`DeleteFlags`](crate::cmd::flags::DeleteFlags), which `apply --prune` shares, are in
//! `flags`; waiting for a deletion is [`crate::resource::helper::wait_deleted`].

use std::io::{BufRead, Write};

use serde_json::Value;

use crate::client::{ApiRequest, Method};
use crate::cmd::flags::GoBoolArg;
use crate::cmd::flags::{parse_timeout, DeleteFlags, DryRun};
use crate::context::Context;
use crate::error::CliError;
use crate::print::table::lower_group_kind;
use crate::resource::targets::{self, FindSpec, Target};
use crate::resource::{with_source, Info};

/// Objects a list page asks for with `-l`/`--all`/`--field-selector` (kubectl asks for the
/// list in one request and holds it; pages keep memory to a page: README "Big lists").
const LIST_CHUNK: i64 = 500;

/// Delete resources by file names, stdin, resources and names, or by resources and label selector.
#[derive(Debug, Clone, clap::Args)]
#[command(
    mut_arg("filename", |a| a.help("containing the resource to delete.")),
    mut_arg("kustomize", |a| a.help("Process a kustomization directory. This flag can't be used together with -f or -R."))
)]
#[command(mut_arg("all", |a| a.help("Delete all resources, in the namespace of the specified resource types.")))]
#[command(mut_arg("wait", |a| a.default_value("true")))]
#[command(mut_arg("ignore_not_found", |a| a.help("Treat \"resource not found\" as a successful delete. Defaults to \"true\" when --all is specified.")))]
#[command(mut_arg("output", |a| a.help("Output mode. Use \"-o name\" for shorter output (resource/name).")))]
pub struct DeleteArgs {
    /// `TYPE NAME…` or `TYPE/NAME…`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub builder: crate::cmd::flags::BuilderFlags,
    #[command(flatten)]
    pub field_selector: crate::cmd::flags::FieldSelectorFlag,
    #[command(flatten)]
    pub all: crate::cmd::flags::AllFlag,
    #[command(flatten)]
    pub all_namespaces: crate::cmd::flags::AllNamespacesFlag,
    #[command(flatten)]
    pub deletion: crate::cmd::flags::DeleteFlags,
    /// If true, resources are signaled for immediate shutdown (same as --grace-period=1).
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub now: bool,
    #[command(flatten)]
    pub ignore_not_found: crate::cmd::flags::IgnoreNotFoundFlag,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub output: crate::cmd::flags::OutputFlag,
    /// If true, delete resource only when user confirms.
    #[arg(verbatim_doc_comment, short = 'i', long, go_bool(false))]
    pub interactive: bool,
    /// Raw URI to DELETE to the server.  Uses the transport specified by the kubeconfig file.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub raw: String,
}

impl DeleteArgs {
    fn flags(&self) -> DeleteFlags {
        DeleteFlags {
            now: self.now,
            ..self.deletion.clone()
        }
    }

    fn validate(&self) -> Result<(), CliError> {
        if !self.output.value.is_empty() && self.output.value != "name" {
            return Err(CliError::msg(format!(
                "unexpected -o output mode: {}. We only support '-o name'",
                self.output.value
            )));
        }
        if self.all.value && self.builder.selector.value.is_some() {
            // The builder's wording (observed with kubectl 1.33).
            return Err(CliError::msg(
                "setting 'all' parameter but found a non empty selector. ",
            ));
        }
        if self.all.value && self.field_selector.value.is_some() {
            return Err(CliError::msg(
                "cannot set --all and --field-selector at the same time",
            ));
        }
        Ok(())
    }

    /// kubectl `DeleteOptions.Validate`'s `--raw` rules.
    fn validate_raw(&self) -> Result<(), CliError> {
        if self.interactive {
            return Err(CliError::msg("--interactive can not be used with --raw"));
        }
        crate::ops::rawhttp::RawCheck {
            path: &self.raw,
            files: &self.builder.files.filename,
            file_required: false,
            recursive: self.builder.files.recursive,
            selector: "",
            output: &self.output.value,
        }
        .validate()
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let dry_run = self.dry_run.strategy(ctx)?;
        let flags = self.flags();
        let (_, cascade_warning) = flags.propagation()?;
        if let Some(w) = cascade_warning {
            ctx.eprint(&w);
        }
        let grace = flags.effective_grace()?;
        self.validate()?;
        if self.deletion.force && grace == Some(0) {
            ctx.eprint("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
        }
        if !self.raw.is_empty() {
            self.validate_raw()?;
            let file = self.builder.files.filename.first();
            return crate::ops::rawhttp::send(
                ctx,
                Method::DELETE,
                &self.raw,
                file.map(String::as_str),
            )
            .await;
        }
        let timeout = parse_timeout(&self.deletion.wait_flags.timeout)?;
        let selecting = self.all.value
            || self.builder.selector.value.is_some()
            || self.field_selector.value.is_some();
        let ignore_not_found = self.ignore_not_found.value.unwrap_or(selecting);
        let plan = targets::build(ctx, &self.find_spec()).await?;
        let mut run = Deletion {
            args: self,
            ctx,
            dry_run,
            body: flags.delete_options(dry_run)?,
            operation: if grace == Some(0) {
                "force deleted"
            } else {
                "deleted"
            },
            ignore_not_found,
            warn_cluster_scope: ctx.namespace()?.1 && !self.all_namespaces.value,
            found: 0,
            deleted: Vec::new(),
            errors: Vec::new(),
        };
        if self.interactive {
            // Every target is shown before the first is deleted.
            let mut victims = Vec::new();
            plan.visit(ctx, async |item| {
                match item {
                    Ok(t) => victims.push(t),
                    Err(e) => run.failed(e),
                }
                Ok(())
            })
            .await?;
            if !victims.is_empty() && !self.confirm(ctx, &victims)? {
                return Ok(());
            }
            for t in victims {
                run.delete(t).await?;
            }
        } else {
            plan.visit(ctx, async |item| match item {
                Ok(t) => run.delete(t).await,
                Err(e) => {
                    run.failed(e);
                    Ok(())
                }
            })
            .await?;
        }
        let Deletion {
            found,
            deleted,
            mut errors,
            ..
        } = run;
        if self.deletion.wait && dry_run == DryRun::None {
            for (v, uid) in deleted {
                let wait = crate::resource::helper::wait_gone(
                    ctx,
                    &v.resource,
                    v.namespace.as_deref(),
                    &v.name,
                    uid,
                    timeout,
                );
                // kubectl's interrupt handler around each wait: a termination signal ends the
                // command with exit 1 and no message (the lines of the deletions done are out).
                let waited = tokio::select! {
                    biased;
                    _ = super::interrupt::termination_signal() => return Err(CliError::Interrupted),
                    r = wait => r,
                };
                if let Err(e) = waited {
                    errors.push(e);
                }
            }
        }
        if errors.is_empty() && found == 0 {
            ctx.out().write_all(b"No resources found\n")?;
        }
        // One visit collects every error: a single aggregate.
        crate::resource::collected_errors(errors, Vec::new())
    }

    fn confirm(&self, ctx: &Context, victims: &[Target]) -> Result<bool, CliError> {
        let mut text = format!(
            "You are about to delete the following {} resource(s):\n",
            victims.len()
        );
        for t in victims {
            text.push_str(&format!("{}\n", t.display()));
        }
        text.push_str("Do you want to continue? (y/N): ");
        {
            let mut out = ctx.out();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
        let mut answer = String::new();
        // EOF (no terminal, empty input) reads as an empty answer: cancelled, as kubectl does.
        std::io::BufReader::new(&mut **ctx.stdin()).read_line(&mut answer)?;
        if answer.trim().eq_ignore_ascii_case("y") {
            return Ok(true);
        }
        ctx.out().write_all(b"deletion is cancelled\n")?;
        Ok(false)
    }

    /// The builder as kubectl's delete sets it up: no `Latest` (`-f` objects as read),
    /// `RequireObject(false)` (names are not fetched), `--all` as a selector.
    fn find_spec(&self) -> FindSpec {
        FindSpec {
            field_selector: self.field_selector.value.clone(),
            all_namespaces: self.all_namespaces.value,
            select_all: self.all.value,
            names_only: true,
            as_read: true,
            chunk_size: LIST_CHUNK,
            ..self.builder.find_spec(&self.args)
        }
    }
}

/// What deleting one target at a time needs and gathers (kubectl's `DeleteResult` visit).
struct Deletion<'a> {
    args: &'a DeleteArgs,
    ctx: &'a Context,
    dry_run: DryRun,
    body: Value,
    operation: &'static str,
    ignore_not_found: bool,
    warn_cluster_scope: bool,
    /// Every visited object, even one whose 404 is ignored.
    found: usize,
    /// What was deleted, with the uid the server's answer gave (what the wait needs).
    deleted: Vec<(Info, Option<String>)>,
    errors: Vec<CliError>,
}

impl Deletion<'_> {
    /// An error the builder met in a target's place (`IgnoreErrors(IsNotFound)` with
    /// `--ignore-not-found`).
    fn failed(&mut self, e: CliError) {
        if !(self.ignore_not_found && matches!(&e, CliError::Client(c) if c.is_not_found())) {
            self.errors.push(e);
        }
    }

    async fn delete(&mut self, t: Target) -> Result<(), CliError> {
        let ctx = self.ctx;
        // Only what the delete, its line and the wait need is kept, not the object.
        let v = Info {
            object: Value::Null,
            ..t.into_info()?
        };
        if self.warn_cluster_scope && !v.resource.namespaced {
            ctx.eprint(
                "Warning: deleting cluster-scoped resources, not scoped to the provided namespace\n",
            );
            self.warn_cluster_scope = false;
        }
        self.found += 1;
        let response = if self.dry_run == DryRun::Client {
            Value::Null
        } else {
            let sent = match v.path() {
                Ok(path) => {
                    let req = ApiRequest::delete(path, Some(&self.body));
                    ctx.client()?.send_json(&req).await
                }
                Err(e) => Err(e.into()),
            };
            match sent {
                Ok(r) => r,
                Err(e) if e.is_not_found() && self.ignore_not_found => return Ok(()),
                Err(e) => {
                    self.errors
                        .push(with_source("deleting", &v.source, e.into()));
                    return Ok(());
                }
            }
        };
        self.print(&v)?;
        let uid = crate::resource::helper::deletion_uid(&response);
        self.deleted.push((v, uid));
        Ok(())
    }

    fn print(&self, v: &Info) -> Result<(), CliError> {
        let kind = lower_group_kind(&v.resource.group, &v.resource.kind);
        let line = if self.args.output.value == "name" {
            format!("{kind}/{}\n", v.name)
        } else {
            let ns = match &v.namespace {
                Some(ns) => format!(" from {ns} namespace"),
                None => String::new(),
            };
            format!(
                "{kind} {:?} {}{ns}{}\n",
                v.name,
                self.operation,
                self.dry_run.suffix()
            )
        };
        self.ctx.out().write_all(line.as_bytes())?;
        Ok(())
    }
}

/// `kubectl delete`: kubectl's description.
pub const DELETE_LONG: &str = r#"Delete resources by file names, stdin, resources and names, or by resources and label selector.

 JSON and YAML formats are accepted. Only one type of argument may be specified: file names, resources and names, or resources and label selector.

 Some resources, such as pods, support graceful deletion. These resources define a default period before they are forcibly terminated (the grace period) but you may override that value with the --grace-period flag, or pass --now to set a grace-period of 1. Because these resources often represent entities in the cluster, deletion may not be acknowledged immediately. If the node hosting a pod is down or cannot reach the API server, termination may take significantly longer than the grace period. To force delete a resource, you must specify the --force flag. Note: only a subset of resources support graceful deletion. In absence of the support, the --grace-period flag is ignored.

 IMPORTANT: Force deleting pods does not wait for confirmation that the pod's processes have been terminated, which can leave those processes running until the node detects the deletion and completes graceful deletion. If your processes use shared storage or talk to a remote API and depend on the name of the pod to identify themselves, force deleting those pods may result in multiple processes running on different machines using the same identification which may lead to data corruption or inconsistency. Only force delete pods when you are sure the pod is terminated, or if your application can tolerate multiple copies of the same pod running at once. Also, if you force delete pods, the scheduler may place new pods on those nodes before the node has released those resources and causing those pods to be evicted immediately.

 Note that the delete command does NOT do resource version checks, so if someone submits an update to a resource right when you submit a delete, their update will be lost along with the rest of the resource.

 After a CustomResourceDefinition is deleted, invalidation of discovery cache may take up to 6 hours. If you don't want to wait, you might want to run "kubectl api-resources" to refresh the discovery cache."#;

/// `kubectl delete`: kubectl's examples.
pub const DELETE_EXAMPLES: &str = r#"Examples:
  # Delete a pod using the type and name specified in pod.json
  kubectl delete -f ./pod.json
  
  # Delete resources from a directory containing kustomization.yaml - e.g. dir/kustomization.yaml
  kubectl delete -k dir
  
  # Delete resources from all files that end with '.json'
  kubectl delete -f '*.json'
  
  # Delete a pod based on the type and name in the JSON passed into stdin
  cat pod.json | kubectl delete -f -
  
  # Delete pods and services with same names "baz" and "foo"
  kubectl delete pod,service baz foo
  
  # Delete pods and services with label name=myLabel
  kubectl delete pods,services -l name=myLabel
  
  # Delete a pod with minimal delay
  kubectl delete pod foo --now
  
  # Force delete a pod on a dead node
  kubectl delete pod foo --force
  
  # Delete all pods
  kubectl delete pods --all
  
  # Delete all pods only if the user confirms the deletion
  kubectl delete pods --all --interactive"#;

/// `kubectl delete`: kubectl's usage (`Use`).
pub const DELETE_USAGE: &str =
    r"delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)])";

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn flags(cascade: &str, grace: i64, now: bool, force: bool) -> DeleteFlags {
        DeleteFlags {
            cascade: cascade.into(),
            grace_period: grace,
            now,
            force,
            ..DeleteFlags::default()
        }
    }

    #[test]
    fn cascade_values() {
        assert_eq!(
            flags("foreground", -1, false, false)
                .propagation()
                .unwrap()
                .0,
            "Foreground"
        );
        let (p, w) = flags("false", -1, false, false).propagation().unwrap();
        assert_eq!(p, "Orphan");
        assert_eq!(
            w.unwrap(),
            "warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n"
        );
        let e = flags("bad", -1, false, false).propagation().unwrap_err();
        assert_eq!(
            crate::error::render(&e).stderr,
            "error: invalid cascade value (bad). Must be \"background\", \"foreground\", or \"orphan\"\n"
        );
    }

    #[test]
    fn grace_rules() {
        assert_eq!(
            flags("background", -1, false, false)
                .effective_grace()
                .unwrap(),
            None
        );
        assert_eq!(
            flags("background", -1, true, false)
                .effective_grace()
                .unwrap(),
            Some(1)
        );
        assert_eq!(
            flags("background", 0, false, false)
                .effective_grace()
                .unwrap(),
            Some(1)
        );
        assert_eq!(
            flags("background", -1, false, true)
                .effective_grace()
                .unwrap(),
            Some(0)
        );
        assert!(flags("background", 5, true, false)
            .effective_grace()
            .is_err());
        assert!(flags("background", 5, false, true)
            .effective_grace()
            .is_err());
        // Observed body of `delete --now`.
        let body = flags("background", -1, true, false)
            .delete_options(DryRun::None)
            .unwrap();
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"gracePeriodSeconds":1,"propagationPolicy":"Background"}"#
        );
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_timeout("1m30s").unwrap(), Duration::from_secs(90));
        assert!(parse_timeout("soon").is_err());
    }
}

//! `kubectl-rs set subject` (kubectl `pkg/cmd/set/set_subject.go`): add users, groups and
//! service accounts to the subjects of RoleBindings and ClusterRoleBindings. Objects whose
//! subjects already hold them all are skipped (nothing patched, nothing printed).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::cmd::set::{
    aggregate, calculate_patch, change_error, check_all_with_selector, check_local_dry_run,
    complete_printer, Submit,
};
use crate::context::Context;
use crate::error::CliError;
use crate::resource::targets::{find, FindSpec};

/// kubectl's long help of `set subject`.
pub const SET_SUBJECT_LONG: &str =
    "Update the user, group, or service account in a role binding or cluster role binding.";

/// kubectl's examples of `set subject`.
pub const SET_SUBJECT_EXAMPLES: &str = r"Examples:
  # Update a cluster role binding for serviceaccount1
  kubectl set subject clusterrolebinding admin --serviceaccount=namespace:serviceaccount1
  
  # Update a role binding for user1, user2, and group1
  kubectl set subject rolebinding admin --user=user1 --user=user2 --group=group1
  
  # Print the result (in YAML format) of updating rolebinding subjects from a local, without hitting the server
  kubectl create rolebinding admin --role=admin --user=admin -o yaml --dry-run=client | kubectl set subject --local -f - --user=foo -o yaml";

/// kubectl's usage line of `set subject`.
pub const SET_SUBJECT_USAGE: &str = "subject (-f FILENAME | TYPE NAME) [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]";

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Update the user, group, or service account in a role binding or cluster role binding.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files the resource to update the subjects")))]
#[command(mut_arg("local", |a| a.help("If true, set subject will NOT contact api-server but run locally.")))]
#[command(
    mut_arg("user", |a| a.help("Usernames to bind to the role")),
    mut_arg("group", |a| a.help("Groups to bind to the role")),
    mut_arg("serviceaccount", |a| a.help("Service accounts to bind to the role"))
)]
pub struct SubjectArgs {
    #[command(flatten)]
    pub target: crate::cmd::flags::SetTargetFlags,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    #[command(flatten)]
    pub subjects: crate::cmd::flags::SubjectFlags,
}

impl SubjectArgs {
    /// kubectl's `Complete`, `Validate` and `Run`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let local = self.target.common.local.value;
        let (dry_run, mut printer) =
            complete_printer(ctx, &self.target.common, "subjects updated")?;
        let namespace = match ctx.namespace() {
            Ok((n, _)) => n,
            Err(_) if local => "default".to_string(),
            Err(e) => return Err(e),
        };
        let selector = self.selector.value.clone().filter(|s| !s.trim().is_empty());
        // With --local kubectl's builder is given neither the selector nor --all.
        let spec = self.target.checked_find_spec(
            self.target.args.clone(),
            selector.clone().filter(|_| !local),
        )?;
        let spec = FindSpec {
            all: spec.all && !local,
            ..spec
        };
        let targets = find(ctx, &spec).await?;
        // Validate.
        check_local_dry_run(&self.target.common, dry_run)?;
        check_all_with_selector(&self.target.common, selector.is_some())?;
        let flags = &self.subjects;
        if flags.user.is_empty() && flags.group.is_empty() && flags.serviceaccount.is_empty() {
            return Err(CliError::msg(
                "you must specify at least one value of user, group or serviceaccount",
            ));
        }
        for sa in &flags.serviceaccount {
            let tokens: Vec<&str> = sa.split(':').collect();
            if tokens.len() != 2 || tokens[1].is_empty() {
                return Err(CliError::msg("serviceaccount must be <namespace>:<name>"));
            }
            if tokens[0].is_empty()
                && targets
                    .iter()
                    .any(|t| is_binding(&t.object, "ClusterRoleBinding"))
            {
                return Err(CliError::msg(
                    "serviceaccount must be <namespace>:<name>, namespace must be specified",
                ));
            }
        }
        // Run: users, groups and service accounts, each sorted and without repeats.
        let mut subjects = Vec::new();
        for (kind, names) in [("User", &flags.user), ("Group", &flags.group)] {
            for name in names.iter().collect::<BTreeSet<_>>() {
                subjects.push(subject(kind, RBAC_GROUP, name, ""));
            }
        }
        for sa in flags.serviceaccount.iter().collect::<BTreeSet<_>>() {
            let (ns, name) = sa.split_once(':').unwrap_or(("", sa));
            let ns = if ns.is_empty() {
                namespace.as_str()
            } else {
                ns
            };
            subjects.push(subject("ServiceAccount", "", name, ns));
        }
        let submit = Submit::new(
            &self.target.common,
            dry_run,
            Some("failed to patch subjects to rolebinding: "),
        );
        let mut errs = Vec::new();
        for t in targets {
            let mut after = t.object.clone();
            let patch = add_subjects(&mut after, &subjects).and_then(|changed| match changed {
                true => calculate_patch(&t.object, &after),
                false => Ok(None),
            });
            match patch {
                Ok(Some(patch)) => {
                    submit
                        .one(ctx, &mut printer, &t, (&after, &patch), &mut errs)
                        .await
                }
                Ok(None) => {}
                Err(e) => errs.push(change_error(&t, &e)),
            }
        }
        printer.finish(ctx)?;
        aggregate(errs)
    }
}

/// Whether `obj` is an RBAC object of `kind` (kubectl's type switch on the decoded object).
fn is_binding(obj: &Value, kind: &str) -> bool {
    obj["kind"] == kind
        && crate::print::name::api_group(obj["apiVersion"].as_str().unwrap_or("")) == RBAC_GROUP
}

/// kubectl's `updateSubjectForObject` with `addSubjects`: the subjects not yet present are
/// appended; false when there were none.
fn add_subjects(obj: &mut Value, subjects: &[Value]) -> Result<bool, CliError> {
    if !is_binding(obj, "RoleBinding") && !is_binding(obj, "ClusterRoleBinding") {
        return Err(CliError::msg(
            "setting subjects is only supported for RoleBinding/ClusterRoleBinding",
        ));
    }
    let existing: Vec<Value> = obj["subjects"].as_array().cloned().unwrap_or_default();
    let mut updated = existing.clone();
    for s in subjects {
        if !existing.iter().any(|e| same_subject(e, s)) {
            updated.push(s.clone());
        }
    }
    if updated.len() == existing.len() {
        return Ok(false);
    }
    obj["subjects"] = Value::Array(updated);
    Ok(true)
}

/// An `rbacv1.Subject` in Go struct order, empty fields left out.
fn subject(kind: &str, api_group: &str, name: &str, namespace: &str) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), Value::String(kind.into()));
    if !api_group.is_empty() {
        m.insert("apiGroup".into(), Value::String(api_group.into()));
    }
    m.insert("name".into(), Value::String(name.into()));
    if !namespace.is_empty() {
        m.insert("namespace".into(), Value::String(namespace.into()));
    }
    Value::Object(m)
}

/// Go's `==` on two `rbacv1.Subject`s.
fn same_subject(a: &Value, b: &Value) -> bool {
    ["kind", "apiGroup", "name", "namespace"]
        .iter()
        .all(|k| a[k].as_str().unwrap_or("") == b[k].as_str().unwrap_or(""))
}

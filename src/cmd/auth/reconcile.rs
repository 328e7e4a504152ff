//! `kubectl-rs auth reconcile` (kubectl `pkg/cmd/auth/reconcile.go` with component-helpers'
//! `auth/rbac/reconciliation`): each rbac.authorization.k8s.io/v1 Role, ClusterRole,
//! RoleBinding and ClusterRoleBinding of `-f`/`-k` is merged into the live object: missing
//! rules (covered rule by rule, as RBAC's `Covers` breaks them down) and subjects are added,
//! extra ones removed with `--remove-extra-permissions`/`--remove-extra-subjects`, labels and
//! annotations merged, a binding with another roleRef recreated, a missing object created
//! (with its namespace). Objects annotated `rbac.authorization.kubernetes.io/autoupdate:
//! "false"` are reported, not changed. Other kinds are skipped. stdout gets the object
//! (`role.rbac.authorization.k8s.io/x reconciled`), stderr what reconciliation required.

use std::io::Write;

use serde_json::{json, Map, Value};

use crate::client::{ApiRequest, ClientError};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::{ok_or_collect, CliError};
use crate::ops::dryrun::DryRun;
use crate::print::GenericPrinter;
use crate::resource::local::{read_local, Decode, LocalInfo};
use crate::resource::Info;

/// kubectl's long help of `auth reconcile`.
pub const RECONCILE_LONG: &str = "Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects.

 Missing objects are created, and the containing namespace is created for namespaced objects, if required.

 Existing roles are updated to include the permissions in the input objects, and remove extra permissions if --remove-extra-permissions is specified.

 Existing bindings are updated to include the subjects in the input objects, and remove extra subjects if --remove-extra-subjects is specified.

 This is preferred to 'apply' for RBAC resources so that semantically-aware merging of rules and subjects is done.";
/// kubectl's examples of `auth reconcile`.
pub const RECONCILE_EXAMPLES: &str = r"Examples:
  # Reconcile RBAC resources from a file
  kubectl auth reconcile -f my-rbac-rules.yaml";
/// kubectl's usage line of `auth reconcile`.
pub const RECONCILE_USAGE: &str = "reconcile -f FILENAME";

const RBAC: &str = "rbac.authorization.k8s.io";
const AUTO_UPDATE: &str = "rbac.authorization.kubernetes.io/autoupdate";

/// Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files identifying the resource to reconcile.")))]
pub struct ReconcileArgs {
    /// Positional arguments (refused).
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    #[command(flatten)]
    pub kustomize: crate::cmd::flags::KustomizeFlag,
    /// If true, removes extra permissions added to roles
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub remove_extra_permissions: bool,
    /// If true, removes extra subjects added to rolebindings
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub remove_extra_subjects: bool,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
}

/// What reconciliation has to do (`ReconcileOperation`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Operation {
    None,
    Create,
    Update,
    Recreate,
}

/// The result of one object's reconciliation.
struct Outcome {
    object: Value,
    operation: Operation,
    protected: bool,
    missing_subjects: Vec<Value>,
    extra_subjects: Vec<Value>,
    missing_rules: Vec<Value>,
    extra_rules: Vec<Value>,
}

impl ReconcileArgs {
    /// kubectl's `Complete`, `Validate` and `RunReconcile`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if self.files.filename.is_empty() && self.kustomize.dir.is_none() {
            return Err(CliError::msg("must specify one of -f and -k"));
        }
        if !self.args.is_empty() {
            return Err(CliError::msg("no arguments are allowed"));
        }
        let dry_run = match self.dry_run.strategy(ctx) {
            Ok(DryRun::Server) => {
                return Err(CliError::msg(
                    "--dry-run=server for command reconcile is not supported yet",
                ))
            }
            Ok(d) => d == DryRun::Client,
            Err(e) => {
                return Err(CliError::msg(format!(
                    "error accessing --dry-run flag for command reconcile: {}",
                    crate::resource::flatten(&e)
                )))
            }
        };
        // kubectl's builder here is local and typed: objects are decoded with kubectl's
        // scheme, never mapped against the server's resources.
        let read = read_local(ctx, &self.files.read_spec(&self.kustomize), Decode::Scheme);
        let read = match read {
            Ok(read) => read,
            Err(errors) => return crate::resource::collected_errors(errors, Vec::new()),
        };
        ctx.client()?;
        let spec = self.print.spec(ctx)?;
        let mut printer = spec.printer()?.map(GenericPrinter::typed);
        let operation = if dry_run {
            "reconciled (dry run)"
        } else {
            "reconciled"
        };
        let mut errors = Vec::new();
        for item in read.items {
            let Some(local) = ok_or_collect(item, &mut errors) else {
                continue;
            };
            let Some((group, version)) = local.api_version().split_once('/') else {
                continue;
            };
            let kind = local.kind().to_string();
            let binding = match kind.as_str() {
                "Role" | "ClusterRole" => false,
                "RoleBinding" | "ClusterRoleBinding" => true,
                _ => continue,
            };
            if group != RBAC {
                continue;
            }
            if version != "v1" {
                // The scheme decoded it as another version's type, which reconcile refuses.
                errors.push(CliError::msg(format!(
                    "only rbac.authorization.k8s.io/v1 is supported: not *{version}.{kind}"
                )));
                continue;
            }
            let info = rbac_info(local);
            let what = if binding {
                Reconciled::Binding
            } else {
                Reconciled::Role
            };
            match self.reconcile(ctx, &info, !dry_run, what).await {
                Ok(o) => {
                    let obj = typed(
                        &info.resource.kind,
                        &info.resource.api_version(),
                        o.object.clone(),
                    );
                    spec.print(ctx, printer.as_mut(), &obj, operation)?;
                    ctx.eprint(&self.report(&o));
                }
                Err(e) => errors.push(e),
            }
        }
        if let Some(p) = printer.as_mut() {
            let mut out = ctx.out();
            p.finish(&mut **out)?;
            out.flush()?;
        }
        crate::resource::visit_errors(errors, read.read_errors)
    }

    /// kubectl's `printResults`, the stderr part.
    fn report(&self, o: &Outcome) -> String {
        let mut s = String::new();
        let caveat = if o.protected {
            ", but object opted out (rbac.authorization.kubernetes.io/autoupdate: false)"
        } else {
            ""
        };
        match o.operation {
            Operation::None => return s,
            Operation::Create => s.push_str(&format!("\treconciliation required create{caveat}\n")),
            Operation::Update => s.push_str(&format!("\treconciliation required update{caveat}\n")),
            Operation::Recreate => {
                s.push_str(&format!("\treconciliation required recreate{caveat}\n"))
            }
        }
        let mut section = |title: &str, items: &[Value], fmt: fn(&Value) -> String| {
            if !items.is_empty() {
                s.push_str(&format!("\t{title}:\n"));
                for i in items {
                    s.push_str(&format!("\t\t{}\n", fmt(i)));
                }
            }
        };
        section("missing subjects added", &o.missing_subjects, go_subject);
        if self.remove_extra_subjects {
            section("extra subjects removed", &o.extra_subjects, go_subject);
        }
        section("missing rules added", &o.missing_rules, go_rule);
        if self.remove_extra_permissions {
            section("extra rules removed", &o.extra_rules, go_rule);
        }
        s
    }

    /// `ReconcileRoleOptions.Run` or `ReconcileRoleBindingOptions.Run`, retried on conflicts
    /// (3 tries, as kubectl's backoff).
    async fn reconcile(
        &self,
        ctx: &Context,
        info: &Info,
        confirm: bool,
        kind: Reconciled,
    ) -> Result<Outcome, CliError> {
        retry_on_conflict(|| self.reconcile_once(ctx, info, confirm, kind, 0)).await
    }

    /// One pass: GET the object, compute what changes, then create, update or (bindings)
    /// recreate it; a write that races another writer starts the pass again.
    async fn reconcile_once(
        &self,
        ctx: &Context,
        info: &Info,
        confirm: bool,
        kind: Reconciled,
        attempts: u32,
    ) -> Result<Outcome, CliError> {
        if attempts > kind.max_attempts() {
            return Err(CliError::msg("exceeded maximum attempts"));
        }
        let client = ctx.client()?;
        let expected = &info.object;
        let mut existing_uid = None;
        let mut outcome = match client.send_json(&ApiRequest::get(info.path()?)).await {
            Err(ClientError::Api(s)) if s.code == 404 => {
                let (missing_subjects, missing_rules) = match kind {
                    Reconciled::Role => (Vec::new(), list(expected, "rules")),
                    Reconciled::Binding => (list(expected, "subjects"), Vec::new()),
                };
                Outcome {
                    object: expected.clone(),
                    operation: Operation::Create,
                    protected: false,
                    missing_subjects,
                    extra_subjects: Vec::new(),
                    missing_rules,
                    extra_rules: Vec::new(),
                }
            }
            Err(e) => return Err(e.into()),
            Ok(existing) => match kind {
                Reconciled::Role => {
                    compute_role(&existing, expected, self.remove_extra_permissions)
                }
                Reconciled::Binding => {
                    existing_uid = existing["metadata"]["uid"].as_str().map(str::to_string);
                    compute_binding(&existing, expected, self.remove_extra_subjects)
                }
            },
        };
        if outcome.protected || !confirm {
            return Ok(outcome);
        }
        let op = outcome.operation;
        if op == Operation::Recreate {
            let options = json!({
                "kind": "DeleteOptions",
                "apiVersion": "v1",
                "preconditions": {"uid": existing_uid},
            });
            match client
                .send(&ApiRequest::delete(info.path()?, Some(&options)))
                .await
            {
                Ok(_) => {}
                Err(ClientError::Api(s)) if s.code == 404 => {}
                Err(ClientError::Api(s)) if s.code == 409 => {
                    return Box::pin(self.reconcile_once(ctx, info, confirm, kind, attempts + 1))
                        .await
                }
                Err(e) => return Err(e.into()),
            }
        }
        // A write that lost a race with another writer starts the pass again.
        let raced = match op {
            Operation::Create | Operation::Recreate => {
                if let Some(ns) = &info.namespace {
                    ensure_namespace(ctx, ns).await?;
                }
                match client
                    .send_json(&ApiRequest::post(info.collection()?, &outcome.object))
                    .await
                {
                    Err(ClientError::Api(s)) if s.code == 409 && s.reason == "AlreadyExists" => {
                        true
                    }
                    r => {
                        outcome.object = r?;
                        false
                    }
                }
            }
            Operation::Update => {
                match client
                    .send_json(&ApiRequest::put(info.path()?, &outcome.object))
                    .await
                {
                    Err(ClientError::Api(s)) if s.code == 404 => true,
                    r => {
                        outcome.object = r?;
                        false
                    }
                }
            }
            Operation::None => false,
        };
        if raced {
            return Box::pin(self.reconcile_once(ctx, info, confirm, kind, attempts + 1)).await;
        }
        Ok(outcome)
    }
}

/// A v1 RBAC object read locally, with the resource kubectl's typed RBAC client uses for
/// it. A namespaced object keeps the namespace its file gives (possibly none: the client then
/// addresses no namespace and creating it fails on the empty namespace name, as kubectl's).
fn rbac_info(local: LocalInfo) -> Info {
    let kind = local.kind().to_string();
    let namespaced = matches!(kind.as_str(), "Role" | "RoleBinding");
    let resource = ApiResource {
        group: RBAC.to_string(),
        version: "v1".to_string(),
        resource: format!("{}s", kind.to_ascii_lowercase()),
        singular: kind.to_ascii_lowercase(),
        kind,
        namespaced,
        verbs: Vec::new(),
        short_names: Vec::new(),
        categories: Vec::new(),
        subresources: Vec::new(),
    };
    Info {
        namespace: namespaced.then(|| local.namespace.clone()),
        source: local.source,
        object: local.object,
        resource,
        name: local.name,
    }
}

/// `tryEnsureNamespace`: get or create it, ignoring NotFound/Forbidden on get and
/// AlreadyExists/Forbidden on create.
async fn ensure_namespace(ctx: &Context, ns: &str) -> Result<(), CliError> {
    let client = ctx.client()?;
    let path = crate::client::ApiPath::namespace(ns)?;
    match client.send_json(&ApiRequest::get(path)).await {
        Ok(_) => return Ok(()),
        Err(ClientError::Api(s)) if s.code == 404 || s.code == 403 => {}
        Err(e) => return Err(e.into()),
    }
    let collection = crate::client::ResourcePath {
        group: "",
        version: "v1",
        resource: "namespaces",
        ..Default::default()
    }
    .build()?;
    let body = json!({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": ns}});
    match client.send_json(&ApiRequest::post(collection, &body)).await {
        Ok(_) => Ok(()),
        Err(ClientError::Api(s)) if s.code == 409 || s.code == 403 => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn list(obj: &Value, key: &str) -> Vec<Value> {
    obj[key].as_array().cloned().unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn string_map(obj: &Value, key: &str) -> Option<Map<String, Value>> {
    obj["metadata"][key].as_object().cloned()
}

/// `merge(expected, existing)`: the existing values win; None when both are None.
fn merge_maps(
    expected: Option<Map<String, Value>>,
    existing: Option<Map<String, Value>>,
) -> Option<Map<String, Value>> {
    if expected.is_none() && existing.is_none() {
        return None;
    }
    let mut out = Map::new();
    for m in [expected, existing].into_iter().flatten() {
        for (k, v) in m {
            out.insert(k, v);
        }
    }
    Some(out)
}

fn set_meta_map(obj: &mut Value, key: &str, m: Option<Map<String, Value>>) {
    match m {
        Some(m) => obj["metadata"][key] = Value::Object(m),
        None => {
            if let Some(meta) = obj["metadata"].as_object_mut() {
                meta.remove(key);
            }
        }
    }
}

/// Merges labels and annotations into a copy of `existing`; whether they changed.
fn merge_metadata(existing: &Value, expected: &Value) -> (Value, bool, bool) {
    let mut result = existing.clone();
    let ann = merge_maps(
        string_map(expected, "annotations"),
        string_map(existing, "annotations"),
    );
    let ann_changed = ann != string_map(existing, "annotations");
    set_meta_map(&mut result, "annotations", ann);
    let labels = merge_maps(
        string_map(expected, "labels"),
        string_map(existing, "labels"),
    );
    let labels_changed = labels != string_map(existing, "labels");
    set_meta_map(&mut result, "labels", labels);
    let protected = existing["metadata"]["annotations"][AUTO_UPDATE] == "false";
    (result, ann_changed || labels_changed, protected)
}

/// `computeReconciledRole`.
fn compute_role(existing: &Value, expected: &Value, remove_extra: bool) -> Outcome {
    let (mut result, meta_changed, protected) = merge_metadata(existing, expected);
    let mut operation = if meta_changed {
        Operation::Update
    } else {
        Operation::None
    };
    let expected_rules = list(expected, "rules");
    let existing_rules = list(existing, "rules");
    let expected_agg = expected.get("aggregationRule").filter(|a| !a.is_null());
    let existing_agg = existing.get("aggregationRule").filter(|a| !a.is_null());
    let extra_rules = if expected_agg.is_none() || existing_agg.is_none() {
        uncovered(&expected_rules, &existing_rules)
    } else {
        Vec::new()
    };
    let missing_rules = uncovered(&existing_rules, &expected_rules);
    let diff = (&missing_rules[..], &extra_rules[..]);
    if let Some(rules) = reconciled(&existing_rules, &expected_rules, diff, remove_extra) {
        result["rules"] = Value::Array(rules);
        operation = Operation::Update;
    }
    let selectors = |a: Option<&Value>| list(a.unwrap_or(&Value::Null), "clusterRoleSelectors");
    let uncovered_selectors = |owner: Option<&Value>, servant: Option<&Value>| -> Vec<Value> {
        match (owner, servant) {
            (_, None) => Vec::new(),
            (None, Some(s)) => selectors(Some(s)),
            (Some(o), Some(s)) => {
                let owners = selectors(Some(o));
                selectors(Some(s))
                    .into_iter()
                    .filter(|x| !owners.contains(x))
                    .collect()
            }
        }
    };
    let extra_sel = uncovered_selectors(expected_agg, existing_agg);
    let missing_sel = uncovered_selectors(existing_agg, expected_agg);
    if expected_agg.is_none() && existing_agg.is_some() {
        if let Some(m) = result.as_object_mut() {
            m.remove("aggregationRule");
        }
        operation = Operation::Update;
    } else if !remove_extra && !missing_sel.is_empty() {
        let mut sels = selectors(existing_agg);
        sels.extend(missing_sel);
        result["aggregationRule"] = json!({"clusterRoleSelectors": sels});
        operation = Operation::Update;
    } else if remove_extra && (!missing_sel.is_empty() || !extra_sel.is_empty()) {
        result["aggregationRule"] = expected_agg.cloned().unwrap_or(Value::Null);
        operation = Operation::Update;
    }
    Outcome {
        object: result,
        operation,
        protected,
        missing_subjects: Vec::new(),
        extra_subjects: Vec::new(),
        missing_rules,
        extra_rules,
    }
}

/// The reconciled rules or subjects, as `computeReconciledRole` and
/// `computeReconciledRoleBinding` decide them from what is `missing` from and `extra` in the
/// existing list: with `--remove-extra-*` the expected list when they differ, otherwise the
/// existing list with the missing items appended; None when it stays as it is.
fn reconciled(
    existing: &[Value],
    expected: &[Value],
    (missing, extra): (&[Value], &[Value]),
    remove_extra: bool,
) -> Option<Vec<Value>> {
    if !remove_extra && !missing.is_empty() {
        Some(existing.iter().chain(missing).cloned().collect())
    } else if remove_extra && (!missing.is_empty() || !extra.is_empty()) {
        Some(expected.to_vec())
    } else {
        None
    }
}

/// A Subject as Go compares the struct: kind, apiGroup, name, namespace.
fn subject_key(s: &Value) -> [String; 4] {
    ["kind", "apiGroup", "name", "namespace"].map(|k| s[k].as_str().unwrap_or_default().to_string())
}

fn role_ref_key(r: &Value) -> [String; 3] {
    ["apiGroup", "kind", "name"].map(|k| r[k].as_str().unwrap_or_default().to_string())
}

/// `diffSubjectLists`: the items of `a` not in `b`, once each.
fn subjects_only_in(a: &[Value], b: &[Value]) -> Vec<Value> {
    let bk: Vec<_> = b.iter().map(subject_key).collect();
    let mut out: Vec<Value> = Vec::new();
    for s in a {
        let k = subject_key(s);
        if !bk.contains(&k) && !out.iter().any(|o| subject_key(o) == k) {
            out.push(s.clone());
        }
    }
    out
}

/// `computeReconciledRoleBinding`.
fn compute_binding(existing: &Value, expected: &Value, remove_extra: bool) -> Outcome {
    let protected = existing["metadata"]["annotations"][AUTO_UPDATE] == "false";
    let expected_subjects = list(expected, "subjects");
    let existing_subjects = list(existing, "subjects");
    let base = Outcome {
        object: Value::Null,
        operation: Operation::None,
        protected,
        missing_subjects: Vec::new(),
        extra_subjects: Vec::new(),
        missing_rules: Vec::new(),
        extra_rules: Vec::new(),
    };
    if role_ref_key(&expected["roleRef"]) != role_ref_key(&existing["roleRef"]) {
        return Outcome {
            object: expected.clone(),
            operation: Operation::Recreate,
            ..base
        };
    }
    let (mut result, meta_changed, _) = merge_metadata(existing, expected);
    let mut operation = if meta_changed {
        Operation::Update
    } else {
        Operation::None
    };
    let missing = subjects_only_in(&expected_subjects, &existing_subjects);
    let extra = subjects_only_in(&existing_subjects, &expected_subjects);
    let diff = (&missing[..], &extra[..]);
    if let Some(subjects) = reconciled(&existing_subjects, &expected_subjects, diff, remove_extra) {
        result["subjects"] = Value::Array(subjects);
        operation = Operation::Update;
    }
    Outcome {
        object: result,
        operation,
        missing_subjects: missing,
        extra_subjects: extra,
        ..base
    }
}

/// The string lists of an rbacv1.PolicyRule.
struct Rule {
    verbs: Vec<String>,
    groups: Vec<String>,
    resources: Vec<String>,
    names: Vec<String>,
    urls: Vec<String>,
}

impl Rule {
    fn of(rule: &Value) -> Rule {
        Rule {
            verbs: strings(&rule["verbs"]),
            groups: strings(&rule["apiGroups"]),
            resources: strings(&rule["resources"]),
            names: strings(&rule["resourceNames"]),
            urls: strings(&rule["nonResourceURLs"]),
        }
    }
}

/// RBAC's `BreakdownRule`: one verb, one group, one resource and at most one name per rule.
fn breakdown(rule: &Value) -> Vec<Value> {
    let rule = Rule::of(rule);
    let mut out = Vec::new();
    for g in &rule.groups {
        for r in &rule.resources {
            for v in &rule.verbs {
                if rule.names.is_empty() {
                    out.push(json!({"verbs": [v], "apiGroups": [g], "resources": [r]}));
                } else {
                    for n in &rule.names {
                        out.push(json!({"verbs": [v], "apiGroups": [g], "resources": [r], "resourceNames": [n]}));
                    }
                }
            }
        }
    }
    for u in &rule.urls {
        for v in &rule.verbs {
            out.push(json!({"verbs": [v], "nonResourceURLs": [u]}));
        }
    }
    out
}

/// RBAC's `Covers`: the broken-down servant rules no owner rule covers.
fn uncovered(owners: &[Value], servants: &[Value]) -> Vec<Value> {
    servants
        .iter()
        .flat_map(breakdown)
        .filter(|sub| !owners.iter().any(|o| rule_covers(o, sub)))
        .collect()
}

fn rule_covers(owner: &Value, sub: &Value) -> bool {
    let has = |set: &[String], e: &str| set.iter().any(|s| s == e);
    let has_all = |set: &[String], want: &[String]| want.iter().all(|w| has(set, w));
    let (o, s) = (Rule::of(owner), Rule::of(sub));
    let verbs = has(&o.verbs, "*") || has_all(&o.verbs, &s.verbs);
    let groups = has(&o.groups, "*") || has_all(&o.groups, &s.groups);
    let resources = has(&o.resources, "*")
        || has_all(&o.resources, &s.resources)
        || s.resources.iter().all(|p| {
            has(&o.resources, p)
                || p.split_once('/')
                    .is_some_and(|(_, sub)| has(&o.resources, &format!("*/{sub}")))
        });
    let urls = s.urls.iter().all(|p| {
        o.urls
            .iter()
            .any(|u| u == p || (u.ends_with('*') && p.starts_with(u.trim_end_matches('*'))))
    });
    let names = o.names.is_empty() || (!s.names.is_empty() && has_all(&o.names, &s.names));
    verbs && groups && resources && names && urls
}

/// Go's `%v` of a string slice: `[a b]`.
fn go_slice(v: &Value) -> String {
    format!("[{}]", strings(v).join(" "))
}

/// `%+v` of an rbacv1.PolicyRule.
fn go_rule(r: &Value) -> String {
    format!(
        "{{Verbs:{} APIGroups:{} Resources:{} ResourceNames:{} NonResourceURLs:{}}}",
        go_slice(&r["verbs"]),
        go_slice(&r["apiGroups"]),
        go_slice(&r["resources"]),
        go_slice(&r["resourceNames"]),
        go_slice(&r["nonResourceURLs"])
    )
}

/// `%+v` of an rbacv1.Subject.
fn go_subject(s: &Value) -> String {
    let f = |k: &str| s[k].as_str().unwrap_or_default().to_string();
    format!(
        "{{Kind:{} APIGroup:{} Name:{} Namespace:{}}}",
        f("kind"),
        f("apiGroup"),
        f("name"),
        f("namespace")
    )
}

/// The object as kubectl's typed rbac/v1 struct holds it: only its fields, the type set.
fn typed(kind: &str, api_version: &str, obj: Value) -> Value {
    let fields: &[&str] = match kind {
        "Role" | "ClusterRole" => &["metadata", "rules", "aggregationRule"],
        _ => &["metadata", "subjects", "roleRef"],
    };
    let mut out = Map::new();
    out.insert("kind".into(), json!(kind));
    out.insert("apiVersion".into(), json!(api_version));
    for f in fields {
        if let Some(v) = obj.get(*f).filter(|v| !v.is_null()) {
            out.insert((*f).to_string(), v.clone());
        }
    }
    Value::Object(out)
}

/// Which of kubectl's reconcilers runs: roles (rules) or bindings (subjects; a binding whose
/// roleRef changes is deleted and created again).
#[derive(Clone, Copy)]
enum Reconciled {
    Role,
    Binding,
}

impl Reconciled {
    /// The attempts after the first that kubectl's `run` allows (2 for roles, 3 for bindings).
    fn max_attempts(self) -> u32 {
        match self {
            Reconciled::Role => 2,
            Reconciled::Binding => 3,
        }
    }
}

/// kubectl's `RetryOnConflict` around a reconcile: up to 3 tries while the server answers 409
/// Conflict; the last conflict is the error when none succeeds.
async fn retry_on_conflict<F, Fut>(mut once: F) -> Result<Outcome, CliError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Outcome, CliError>>,
{
    let mut last = None;
    for _ in 0..3 {
        match once().await {
            Err(CliError::Client(ClientError::Api(s)))
                if s.code == 409 && s.reason == "Conflict" =>
            {
                last = Some(CliError::Client(ClientError::Api(s)));
            }
            r => return r,
        }
    }
    Err(last.unwrap_or_else(|| CliError::msg("exceeded maximum attempts")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_breaks_rules_down() {
        let owner = vec![
            json!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods", "*/status"]}),
        ];
        let servant = vec![
            json!({"verbs": ["get", "watch"], "apiGroups": [""], "resources": ["pods", "nodes/status"]}),
        ];
        let missing = uncovered(&owner, &servant);
        assert_eq!(
            missing.iter().map(go_rule).collect::<Vec<_>>(),
            [
                "{Verbs:[watch] APIGroups:[] Resources:[pods] ResourceNames:[] NonResourceURLs:[]}",
                "{Verbs:[watch] APIGroups:[] Resources:[nodes/status] ResourceNames:[] NonResourceURLs:[]}",
            ]
        );
        let urls = vec![json!({"verbs": ["get"], "nonResourceURLs": ["/healthz/*"]})];
        assert!(uncovered(
            &urls,
            &[json!({"verbs": ["get"], "nonResourceURLs": ["/healthz/x"]})]
        )
        .is_empty());
        assert_eq!(
            go_subject(&json!({"kind": "User", "apiGroup": RBAC, "name": "a"})),
            "{Kind:User APIGroup:rbac.authorization.k8s.io Name:a Namespace:}"
        );
    }
}

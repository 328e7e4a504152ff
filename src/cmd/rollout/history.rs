//! `rollout history` and `rollout undo` (kubectl `polymorphichelpers/history.go` and
//! `rollback.go`): revisions come from ControllerRevisions (DaemonSet, StatefulSet) or from
//! the ReplicaSets' `deployment.kubernetes.io/revision` annotation (Deployment).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{
    dry_run, group_kind, kept, print_result, printer_for, str_at, workload, HistoryArgs, UndoArgs,
    Workload,
};
use kcore::selectors::label_selector_json_string;

use crate::client::ApiRequest;
use crate::cmd::flags::DryRun;
use crate::context::Context;
use crate::error::CliError;
use crate::resource::{visit_errors, Info};

const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
const REVISION: &str = "deployment.kubernetes.io/revision";
const HASH_LABEL: &str = "pod-template-hash";
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Annotations of a Deployment that `undo` keeps instead of taking the ReplicaSet's.
const ANNOTATIONS_TO_SKIP: [&str; 6] = [
    LAST_APPLIED,
    REVISION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// `apps.GroupKindElement.Accept`: the kinds kubectl's visitors know at all.
fn has_visitor(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        (
            "apps" | "extensions",
            "DaemonSet" | "Deployment" | "ReplicaSet"
        ) | ("batch", "Job" | "CronJob")
            | ("" | "core", "Pod" | "ReplicationController")
            | ("apps", "StatefulSet")
    )
}

/// The error of `HistoryViewerFor`/`RollbackerFor` for a kind without one.
fn no_helper(f: &Info, what: &str, noun: &str) -> CliError {
    let (group, kind) = (&f.resource.group, &f.resource.kind);
    if has_visitor(group, kind) {
        CliError::msg(format!(
            "no {noun} has been implemented for {:?}",
            group_kind(&f.resource)
        ))
    } else {
        // Go prints the GroupKind struct with %v: `{group Kind}`.
        CliError::msg(format!(
            "error retrieving {what} for {:?}, no visitor method exists for {{{group} {kind}}}",
            group_kind(&f.resource)
        ))
    }
}

/// Whether `owner` is the controller of `obj` (`metav1.IsControlledBy`).
fn controlled_by(obj: &Value, owner: &Value) -> bool {
    let uid = &owner["metadata"]["uid"];
    obj["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["controller"] == true && r["uid"] == *uid)
}

/// The objects of `resource` (in apps/v1) in the workload's namespace, selected by its
/// selector and controlled by it.
async fn controlled(
    ctx: &Context,
    workload: &Value,
    resource: &str,
) -> Result<Vec<Value>, CliError> {
    let ns = str_at(workload, &["metadata", "namespace"]);
    let path = crate::client::ResourcePath {
        group: "apps",
        version: "v1",
        resource,
        namespace: Some(ns),
        name: None,
        subresource: None,
    }
    .build()?;
    let req = ApiRequest::get(path).query(
        "labelSelector",
        label_selector_json_string(&workload["spec"]["selector"]),
    );
    let list = ctx.client()?.send_json(&req).await?;
    Ok(list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| controlled_by(o, workload))
        .cloned()
        .collect())
}

/// One revision of a workload: its number, the object kubectl prints for it with `-o`, its
/// change cause, and (for ControllerRevisions) the stored patch.
#[derive(Debug, Clone)]
struct Revision {
    template: Value,
    change_cause: String,
    object: Value,
    /// The ControllerRevision's `data` (DaemonSet, StatefulSet).
    data: Option<Value>,
}

/// The revisions of a workload by number, as kubectl's history viewers collect them.
async fn revisions(
    ctx: &Context,
    f: &Info,
    kind: Workload,
) -> Result<(Value, BTreeMap<i64, Revision>), CliError> {
    // The typed client's GET: a name it cannot send is an error of the GET too.
    let got = match f.path() {
        Ok(path) => ctx.client()?.get_json(&path).await.map_err(|e| {
            e.status()
                .map(|s| s.message.clone())
                .unwrap_or_else(|| e.to_string())
        }),
        Err(e) => Err(e.to_string()),
    };
    let live = got.map_err(|m| {
        let what = match kind {
            Workload::Deployment => "deployment",
            Workload::DaemonSet => "DaemonSet",
            Workload::StatefulSet => "Statefulset",
        };
        CliError::msg(format!("failed to retrieve {what} {}: {m}", f.name))
    })?;
    let mut out = BTreeMap::new();
    match kind {
        Workload::Deployment => {
            for rs in controlled(ctx, &live, "replicasets").await? {
                // ReplicaSets without a readable revision are skipped (kubectl logs a warning).
                let Some(rev) = rs["metadata"]["annotations"][REVISION]
                    .as_str()
                    .and_then(|v| v.parse::<i64>().ok())
                else {
                    continue;
                };
                out.insert(
                    rev,
                    Revision {
                        template: rs["spec"]["template"].clone(),
                        change_cause: str_at(&rs, &["metadata", "annotations", CHANGE_CAUSE])
                            .to_string(),
                        object: typed(rs, "apps/v1", "ReplicaSet"),
                        data: None,
                    },
                );
            }
        }
        Workload::DaemonSet | Workload::StatefulSet => {
            let kind_name = if kind == Workload::DaemonSet {
                "DaemonSet"
            } else {
                "StatefulSet"
            };
            for cr in controlled(ctx, &live, "controllerrevisions").await? {
                let rev = cr["revision"].as_i64().unwrap_or(0);
                let data = cr["data"].clone();
                let applied = crate::apply::strategic::apply_strategic_merge_patch(
                    "apps/v1", kind_name, &live, &data,
                )
                .map_err(|_| {
                    CliError::msg(format!(
                        "unable to parse history {}",
                        str_at(&cr, &["metadata", "name"])
                    ))
                })?;
                out.insert(
                    rev,
                    Revision {
                        template: applied["spec"]["template"].clone(),
                        change_cause: str_at(&cr, &["metadata", "annotations", CHANGE_CAUSE])
                            .to_string(),
                        object: typed(applied, "apps/v1", kind_name),
                        data: Some(data),
                    },
                );
            }
        }
    }
    Ok((live, out))
}

fn typed(mut obj: Value, api_version: &str, kind: &str) -> Value {
    if let Some(m) = obj.as_object_mut() {
        m.insert("apiVersion".into(), json!(api_version));
        m.insert("kind".into(), json!(kind));
    }
    obj
}

/// The `REVISION  CHANGE-CAUSE` table (Go's tabwriter: minwidth 0, tab width 8, padding 2).
fn history_table(revs: &BTreeMap<i64, Revision>) -> String {
    let rows: Vec<(String, &str)> = revs
        .iter()
        .map(|(r, v)| {
            let cause = if v.change_cause.is_empty() {
                "<none>"
            } else {
                v.change_cause.as_str()
            };
            (r.to_string(), cause)
        })
        .collect();
    let width = rows
        .iter()
        .map(|(r, _)| r.chars().count())
        .chain(std::iter::once("REVISION".len()))
        .max()
        .unwrap_or(0)
        + 2;
    let mut s = format!("{:<width$}CHANGE-CAUSE\n", "REVISION");
    for (r, c) in rows {
        s.push_str(&format!("{r:<width$}{c}\n"));
    }
    s
}

/// kubectl's `printTemplate`: `DescribePodTemplate` written through a plain prefix writer,
/// so the key/value separators stay tab characters.
fn template_text(template: &Value) -> String {
    // The describe module renders the block only through its aligning writer; describe a
    // ReplicaSet holding the template and turn the alignment back into tabs.
    let rs = json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "template"},
        "spec": {"template": template},
    });
    let opts = crate::describe::DescribeOptions::new(false, chrono::Utc::now());
    let text = crate::describe::describe(
        "apps",
        "ReplicaSet",
        &rs,
        &crate::describe::Related::new(),
        &opts,
    );
    let mut lines = text.split('\n').skip_while(|l| *l != "Pod Template:");
    let mut block = Vec::new();
    if let Some(first) = lines.next() {
        block.push(first);
        block.extend(lines.take_while(|l| l.starts_with(' ')));
    }
    let mut out = String::new();
    for line in untabify(&block) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// One aligned line of the describe text, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Written without tabs (headers, `Command:`/`Args:` items, mounts).
    Plain,
    /// `Key:<padding>value`: where the key ends and the value starts.
    Key(usize, usize),
    /// An `Environment Variables from:` item: `name<pad>source<pad>Optional: b`.
    EnvFrom,
}

/// Turns describe's alignment back into the tabs kubectl's plain prefix writer leaves:
/// `Key:<padding>value` becomes `Key:\tvalue` (the value column is the block's, so a value's
/// own leading space survives), a continuation line of a label, annotation, selector or
/// toleration list (padding up to the value column) becomes `\tvalue`, a trailing
/// `<padding>Optional: b` column becomes `\tOptional: b`, and `Command:`/`Args:` items stay
/// as they are. Describe writes no other tabs in a pod template.
fn untabify(lines: &[&str]) -> Vec<String> {
    let indent_of = |l: &str| l.len() - l.trim_start_matches(' ').len();
    // Pass 1: shapes, with the headers whose deeper lines are verbatim or env sources.
    let mut shapes = Vec::with_capacity(lines.len());
    let mut section: Option<(usize, &str)> = None;
    for line in lines {
        let indent = indent_of(line);
        if section.is_some_and(|(i, _)| indent <= i) {
            section = None;
        }
        let shape = match section {
            Some((_, "Environment Variables from:")) => Shape::EnvFrom,
            Some(_) => Shape::Plain,
            None => key_split(line).map_or(Shape::Plain, |(k, v)| Shape::Key(k, v)),
        };
        let text = line.trim();
        if section.is_none() && matches!(text, "Command:" | "Args:" | "Environment Variables from:")
        {
            section = Some((indent, text));
        }
        shapes.push(shape);
    }
    // Pass 2: blocks of consecutive key lines (and their continuation lines) share one value
    // column, the smallest value start among them.
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        match shapes[i] {
            Shape::Plain => {
                out.push(lines[i].to_string());
                i += 1;
            }
            Shape::EnvFrom => {
                out.push(env_from_line(lines[i]));
                i += 1;
            }
            Shape::Key(_, first) => {
                let mut col = first;
                let mut j = i + 1;
                while j < lines.len() {
                    match shapes[j] {
                        Shape::Key(k, v) if k < col => col = col.min(v),
                        Shape::Plain if indent_of(lines[j]) == col && col < lines[j].len() => {}
                        _ => break,
                    }
                    j += 1;
                }
                for (line, shape) in lines[i..j].iter().zip(&shapes[i..j]) {
                    let value = |from: usize| last_optional_column(&line[from..]);
                    match shape {
                        Shape::Key(k, v) => {
                            let from = if *k < col && col <= *v { col } else { *v };
                            out.push(format!("{}\t{}", &line[..*k], value(from)));
                        }
                        _ => out.push(format!("\t{}", value(col))),
                    }
                }
                i = j;
            }
        }
    }
    out
}

/// `value<padding>Optional: b` → `value\tOptional: b` (describe's env source columns).
fn last_optional_column(value: &str) -> String {
    if let Some(pos) = value.rfind("  Optional: ") {
        let head = value[..pos].trim_end_matches(' ');
        return format!("{head}\t{}", &value[pos + 2..]);
    }
    value.to_string()
}

/// `      name<pad>Source<pad>Optional: b` → `      name\tSource\tOptional: b`.
fn env_from_line(line: &str) -> String {
    let body = last_optional_column(line);
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &body[indent..];
    match rest.find("  ") {
        Some(pos) if pos < rest.find('\t').unwrap_or(rest.len()) => {
            let source = rest[pos..].trim_start_matches(' ');
            format!("{}{}\t{source}", &line[..indent], &rest[..pos])
        }
        _ => body,
    }
}

/// Where an aligned `Key:` cell ends and its value starts: the first `:` followed by at
/// least two spaces (the tabwriter's padding) or by trailing spaces.
fn key_split(line: &str) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while let Some(pos) = line[i..].find(':') {
        let key_end = i + pos + 1;
        let spaces = bytes[key_end..].iter().take_while(|b| **b == b' ').count();
        let value_start = key_end + spaces;
        if spaces >= 2 || (spaces >= 1 && value_start == line.len()) {
            return Some((key_end, value_start));
        }
        i = key_end;
    }
    None
}

impl HistoryArgs {
    /// Runs `rollout history`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        self.sel.require_some()?;
        self.revision.validate()?;
        let mut printer: super::Printer = Ok(printer_for(ctx, &self.print).map_err(CliError::msg)?);
        // kubectl prints the revisions only for `-o` (`OutputFlagSpecified`); a `--template`
        // alone prints the workload through it, as the history text's printer.
        let print_revisions = !self.print.output.is_empty();
        let visited = self.sel.collect(ctx).await?;
        let mut errors = Vec::new();
        for item in visited.items {
            let Some(f) = kept(item, &mut errors) else {
                continue;
            };
            let Some(kind) = workload(&f.resource) else {
                errors.push(no_helper(&f, "history", "history viewer"));
                continue;
            };
            let revs = match revisions(ctx, &f, kind).await {
                Ok((_, r)) => r,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if let (true, Ok(Some(p))) = (print_revisions, printer.as_mut()) {
                let picked: Vec<&Revision> = if self.revision.value > 0 {
                    match revs.get(&self.revision.value) {
                        Some(r) => vec![r],
                        None => {
                            errors.push(CliError::msg("unable to find the specified revision"));
                            continue;
                        }
                    }
                } else {
                    revs.values().collect()
                };
                for r in picked {
                    p.print(&r.object, &mut **ctx.out())?;
                }
                continue;
            }
            let text = if revs.is_empty() {
                "No rollout history found.".to_string()
            } else if self.revision.value > 0 {
                match revs.get(&self.revision.value) {
                    Some(r) => template_text(&r.template),
                    None => {
                        errors.push(CliError::msg("unable to find the specified revision"));
                        continue;
                    }
                }
            } else {
                history_table(&revs)
            };
            let with_revision = if self.revision.value > 0 {
                format!("with revision #{}", self.revision.value)
            } else {
                String::new()
            };
            print_result(
                ctx,
                &mut printer,
                &f,
                &f.object,
                &format!("{with_revision}\n{text}"),
            )?;
        }
        if let Ok(Some(p)) = printer.as_mut() {
            p.finish(&mut **ctx.out())?;
        }
        visit_errors(errors, visited.stream)
    }
}

/// Removes nulls and empty maps/lists: Go's semantic equality treats nil and empty alike.
fn semantic(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), semantic(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(semantic).collect()),
        other => other.clone(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(HASH_LABEL);
    }
    t
}

fn not_found_revision(r: i64) -> CliError {
    CliError::msg(format!("unable to find specified revision {r} in history"))
}

impl UndoArgs {
    /// Runs `rollout undo`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let dry = dry_run(ctx, &self.dry_run.value)?;
        self.sel.require_some()?;
        let mut printer = printer_for(ctx, &self.print);
        let visited = self.sel.collect(ctx).await?;
        let mut errors = Vec::new();
        for item in visited.items {
            let Some(f) = kept(item, &mut errors) else {
                continue;
            };
            if f.object["metadata"]["annotations"][LAST_APPLIED].is_string() {
                // kubectl names itself "kubectl" here whatever the binary is called.
                ctx.eprint(&format!(
                    "Warning: resource {}/{} was previously managed with 'kubectl apply'. Rolling back will not update the {LAST_APPLIED} annotation, which may cause unexpected behavior on future 'kubectl apply' operations. Consider using 'kubectl apply' with your previous configuration file instead.\n",
                    f.resource.resource, f.name
                ));
            }
            let Some(kind) = workload(&f.resource) else {
                errors.push(no_helper(&f, "rollbacker", "rollbacker"));
                continue;
            };
            match self.rollback(ctx, &f, kind, dry).await {
                Ok(result) => {
                    let operation = format!("{result}{}", dry.suffix());
                    if let Err(e) = print_result(ctx, &mut printer, &f, &f.object, &operation) {
                        errors.push(e);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        if let Ok(Some(p)) = printer.as_mut() {
            p.finish(&mut **ctx.out())?;
        }
        visit_errors(errors, visited.stream)
    }

    /// One rollback; the text after the object's name.
    async fn rollback(
        &self,
        ctx: &Context,
        f: &Info,
        kind: Workload,
        dry: DryRun,
    ) -> Result<String, CliError> {
        let to = self.to_revision;
        if to < 0 {
            return Err(not_found_revision(to));
        }
        let (live, revs) = revisions(ctx, f, kind).await?;
        let patch_failed = |e: crate::client::ClientError| {
            let m = e
                .status()
                .map(|s| s.message.clone())
                .unwrap_or_else(|| e.to_string());
            CliError::msg(format!("failed restoring revision {to}: {m}"))
        };
        if kind == Workload::Deployment {
            let target = if to > 0 {
                revs.get(&to).ok_or_else(|| not_found_revision(to))?
            } else {
                // The second-highest revision.
                let mut it = revs.values().rev();
                it.next();
                it.next().ok_or_else(|| {
                    CliError::msg(format!(
                        "no rollout history found for deployment {:?}",
                        f.name
                    ))
                })?
            };
            if dry == DryRun::Client {
                return Ok(template_text(&target.template));
            }
            if live["spec"]["paused"] == true {
                return Err(CliError::msg("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again"));
            }
            if semantic(&without_hash(&target.template))
                == semantic(&without_hash(&live["spec"]["template"]))
            {
                return Ok(format!(
                    "skipped rollback (current template already matches revision {to})"
                ));
            }
            let mut annotations = Map::new();
            let live_ann = &live["metadata"]["annotations"];
            for k in ANNOTATIONS_TO_SKIP {
                if let Some(v) = live_ann.get(k) {
                    annotations.insert(k.to_string(), v.clone());
                }
            }
            if let Some(m) = target.object["metadata"]["annotations"].as_object() {
                for (k, v) in m {
                    if !ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
                        annotations.insert(k.clone(), v.clone());
                    }
                }
            }
            let patch = json!([
                {"op": "replace", "path": "/spec/template", "value": without_hash(&target.template)},
                {"op": "replace", "path": "/metadata/annotations", "value": annotations},
            ]);
            let req = ApiRequest::patch(
                f.path()?,
                "application/json-patch+json",
                serde_json::to_vec(&patch)?,
            );
            ctx.client()?
                .send_json(&dry.query(req))
                .await
                .map_err(patch_failed)?;
            return Ok("rolled back".into());
        }
        if to == 0 && revs.len() <= 1 {
            return Err(CliError::msg("no last revision to roll back to"));
        }
        let target = if to == 0 {
            revs.values().rev().nth(1)
        } else {
            revs.get(&to)
        }
        .ok_or_else(|| not_found_revision(to))?;
        if dry == DryRun::Client {
            return Ok(format!(
                "will roll back to {}",
                template_text(&target.template)
            ));
        }
        let data = target.data.clone().unwrap_or(Value::Null);
        let mut current_template = live["spec"]["template"].clone();
        if let Some(m) = current_template.as_object_mut() {
            m.insert("$patch".into(), json!("replace"));
        }
        let current = json!({"spec": {"template": current_template}});
        if semantic(&current) == semantic(&data) {
            return Ok(format!(
                "skipped rollback (current template already matches revision {to})"
            ));
        }
        let req = ApiRequest::patch(
            f.path()?,
            "application/strategic-merge-patch+json",
            serde_json::to_vec(&data)?,
        );
        ctx.client()?
            .send_json(&dry.query(req))
            .await
            .map_err(patch_failed)?;
        Ok("rolled back".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_pads_like_tabwriter() {
        let mut revs = BTreeMap::new();
        for (r, cause) in [(1, ""), (12, "kubectl apply --record")] {
            revs.insert(
                r,
                Revision {
                    template: Value::Null,
                    change_cause: cause.into(),
                    object: Value::Null,
                    data: None,
                },
            );
        }
        assert_eq!(
            history_table(&revs),
            "REVISION  CHANGE-CAUSE\n1         <none>\n12        kubectl apply --record\n"
        );
    }

    #[test]
    fn untabify_restores_tabs() {
        let lines = [
            "Pod Template:",
            "  Labels:  app=x",
            "           tier=web",
            "  Containers:",
            "   c:",
            "    Image:         nginx",
            "    HostPathType:  ",
            "    Args:",
            "      --a:b",
            "      --x:  y",
            "    Environment Variables from:",
            "      cm   ConfigMap                Optional: false",
            "      sec  Secret with prefix 'P_'  Optional: true",
            "    Environment:",
            "      A:   1",
            "      B:    (v1:metadata.name)",
            "      C:   <set to the key 'k' of config map 'cm'>  Optional: false",
            "    Mounts:  <none>",
        ];
        assert_eq!(
            untabify(&lines),
            vec![
                "Pod Template:",
                "  Labels:\tapp=x",
                "\ttier=web",
                "  Containers:",
                "   c:",
                "    Image:\tnginx",
                "    HostPathType:\t",
                "    Args:",
                "      --a:b",
                "      --x:  y",
                "    Environment Variables from:",
                "      cm\tConfigMap\tOptional: false",
                "      sec\tSecret with prefix 'P_'\tOptional: true",
                "    Environment:",
                "      A:\t1",
                "      B:\t (v1:metadata.name)",
                "      C:\t<set to the key 'k' of config map 'cm'>\tOptional: false",
                "    Mounts:\t<none>",
            ]
        );
    }

    #[test]
    fn template_text_is_kubectls_raw_block() {
        let t = json!({
            "metadata": {"labels": {"app": "node-exporter"}},
            "spec": {"containers": [{"name": "node-exporter", "image": "prom/node-exporter:v1.8.2",
                                      "ports": [{"containerPort": 9100, "hostPort": 9100, "protocol": "TCP"}]}]}
        });
        let text = template_text(&t);
        assert!(
            text.starts_with("Pod Template:\n  Labels:\tapp=node-exporter\n  Containers:\n   node-exporter:\n    Image:\tprom/node-exporter:v1.8.2\n    Port:\t9100/TCP\n    Host Port:\t9100/TCP\n"),
            "{text}"
        );
        assert!(text.ends_with("  Tolerations:\t<none>\n"), "{text}");
    }

    #[test]
    fn semantic_equality_ignores_empty_fields() {
        let a = json!({"metadata": {"creationTimestamp": null, "labels": {"a": "1"}}, "spec": {"x": []}});
        let b = json!({"metadata": {"labels": {"a": "1"}}});
        assert_eq!(semantic(&a), semantic(&b));
        let t = json!({"metadata": {"labels": {"a": "1", HASH_LABEL: "abc"}}});
        assert_eq!(semantic(&without_hash(&t)), semantic(&b));
    }

    #[test]
    fn helper_errors() {
        let f = |group: &str, kind: &str| Info {
            source: String::new(),
            resource: crate::discovery::ApiResource {
                group: group.into(),
                version: "v1".into(),
                resource: String::new(),
                kind: kind.into(),
                singular: String::new(),
                namespaced: true,
                verbs: Vec::new(),
                short_names: Vec::new(),
                categories: Vec::new(),
                subresources: Vec::new(),
            },
            namespace: None,
            name: "x".into(),
            object: Value::Null,
        };
        let text = |e: CliError| crate::error::render(&e).stderr;
        assert_eq!(
            text(no_helper(&f("", "ConfigMap"), "history", "history viewer")),
            "error: error retrieving history for \"ConfigMap\", no visitor method exists for { ConfigMap}\n"
        );
        assert_eq!(
            text(no_helper(
                &f("apps", "ReplicaSet"),
                "rollbacker",
                "rollbacker"
            )),
            "error: no rollbacker has been implemented for \"ReplicaSet.apps\"\n"
        );
    }
}

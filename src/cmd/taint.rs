//! `kubectl-rs taint`: adds, replaces and removes node taints (kubectl `pkg/cmd/taint/taint.go`
//! and `utils.go`): `key=value:Effect`, `key:Effect`, `key-`, `key:Effect-`, on named nodes,
//! `-l` or `--all`, sent as a strategic merge patch of `spec.taints`.

use serde_json::{json, Value};

use crate::client::ApiRequest;
use crate::cmd::flags::DryRun;
use crate::context::Context;
use crate::drain::{list_chunked, node_path};
use crate::error::{ok_or_collect, CliError};

/// kubectl's long help of `taint`.
pub const TAINT_LONG: &str = r"Update the taints on one or more nodes.

  *  A taint consists of a key, value, and effect. As an argument here, it is expressed as key=value:effect.
  *  The key must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 253 characters.
  *  Optionally, the key can begin with a DNS subdomain prefix and a single '/', like example.com/my-app.
  *  The value is optional. If given, it must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters.
  *  The effect must be NoSchedule, PreferNoSchedule or NoExecute.
  *  Currently taint can only apply to node.";

/// kubectl's examples of `taint`.
pub const TAINT_EXAMPLES: &str = r"Examples:
  # Update node 'foo' with a taint with key 'dedicated' and value 'special-user' and effect 'NoSchedule'
  # If a taint with that key and effect already exists, its value is replaced as specified
  kubectl taint nodes foo dedicated=special-user:NoSchedule
  
  # Remove from node 'foo' the taint with key 'dedicated' and effect 'NoSchedule' if one exists
  kubectl taint nodes foo dedicated:NoSchedule-
  
  # Remove from node 'foo' all the taints with key 'dedicated'
  kubectl taint nodes foo dedicated-
  
  # Add a taint with key 'dedicated' on nodes having label myLabel=X
  kubectl taint node -l myLabel=X  dedicated=foo:PreferNoSchedule
  
  # Add to node 'foo' a taint with key 'bar' and no value
  kubectl taint nodes foo bar:NoSchedule";

/// `kubectl taint`: kubectl's usage (`Use`).
pub const TAINT_USAGE: &str =
    "taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N";

/// Update the taints on one or more nodes.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Update the taints on one or more nodes")]
#[command(mut_arg("all", |a| a.help("Select all nodes in the cluster")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-taint")))]
#[command(mut_arg("overwrite", |a| a.help("If true, allow taints to be overwritten, otherwise reject taint updates that overwrite existing taints.")))]
pub struct TaintArgs {
    /// `TYPE NAME…` then the taint changes.
    pub args: Vec<String>,
    #[command(flatten)]
    pub all: crate::cmd::flags::AllFlag,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub overwrite: crate::cmd::flags::OverwriteFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    #[command(flatten)]
    pub validate: crate::cmd::flags::ValidateFlag,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
}

/// One taint as typed (`Taint` without `timeAdded`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: String,
}

impl Taint {
    /// `Taint.ToString()`: `key[=value][:effect]`.
    fn to_go_string(&self) -> String {
        let mut s = self.key.clone();
        if !self.value.is_empty() {
            s.push('=');
            s.push_str(&self.value);
        }
        if !self.effect.is_empty() {
            s.push(':');
            s.push_str(&self.effect);
        }
        s
    }

    /// `MatchTaint`: same key and effect.
    fn matches(&self, other: &Value) -> bool {
        other["key"].as_str().unwrap_or_default() == self.key
            && other["effect"].as_str().unwrap_or_default() == self.effect
    }

    /// The taint as the API writes it (empty value left out).
    fn to_json(&self) -> Value {
        let mut v = json!({"key": self.key});
        if !self.value.is_empty() {
            v["value"] = json!(self.value);
        }
        if !self.effect.is_empty() {
            v["effect"] = json!(self.effect);
        }
        v
    }
}

/// `parseTaint`: one `key[=value][:effect]`.
fn parse_taint(st: &str) -> Result<Taint, String> {
    let parts: Vec<&str> = st.split(':').collect();
    let (key, value, effect) = match parts.as_slice() {
        [k] => (k.to_string(), String::new(), String::new()),
        [kv, effect] => {
            if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(effect) {
                return Err(format!(
                    "invalid taint effect: {effect}, unsupported taint effect"
                ));
            }
            let kv: Vec<&str> = kv.split('=').collect();
            if kv.len() > 2 {
                return Err(format!("invalid taint spec: {st}"));
            }
            let value = kv.get(1).map(|v| v.to_string()).unwrap_or_default();
            if kv.len() == 2 {
                let errs = kcore::validation::label_value(&value);
                if !errs.is_empty() {
                    return Err(format!("invalid taint spec: {st}, {}", errs.join("; ")));
                }
            }
            (kv[0].to_string(), value, effect.to_string())
        }
        _ => return Err(format!("invalid taint spec: {st}")),
    };
    let errs = kcore::validation::qualified_name(&key);
    if !errs.is_empty() {
        return Err(format!("invalid taint spec: {st}, {}", errs.join("; ")));
    }
    Ok(Taint { key, value, effect })
}

/// `parseTaints`: the taints to add and to remove (`-` suffix).
pub fn parse_taints(specs: &[String]) -> Result<(Vec<Taint>, Vec<Taint>), String> {
    let mut add: Vec<Taint> = Vec::new();
    let mut remove = Vec::new();
    for spec in specs {
        if let Some(s) = spec.strip_suffix('-') {
            let t = parse_taint(s)?;
            remove.push(Taint {
                key: t.key,
                value: String::new(),
                effect: t.effect,
            });
            continue;
        }
        let t = parse_taint(spec)?;
        if t.effect.is_empty() {
            return Err(format!("invalid taint spec: {spec}"));
        }
        if add.iter().any(|a| a.key == t.key && a.effect == t.effect) {
            return Err(format!(
                "duplicated taints with the same key and effect: {{{} {} {} <nil>}}",
                t.key, t.value, t.effect
            ));
        }
        add.push(t);
    }
    Ok((add, remove))
}

/// `reorganizeTaints`: the new list (added taints first, then the old ones they do not
/// replace, minus the removed ones), the operation word, and the removals that found nothing.
fn reorganize(
    old: &[Value],
    overwrite: bool,
    add: &[Taint],
    remove: &[Taint],
) -> (&'static str, Vec<Value>, Vec<String>) {
    let mut new: Vec<Value> = add.iter().map(Taint::to_json).collect();
    for o in old {
        if !add.iter().any(|t| t.matches(o)) {
            new.push(o.clone());
        }
    }
    let added = old.len() != new.len();
    let mut errs = Vec::new();
    let mut removed = false;
    for r in remove {
        let before = new.len();
        if r.effect.is_empty() {
            new.retain(|t| t["key"].as_str().unwrap_or_default() != r.key);
        } else {
            new.retain(|t| !r.matches(t));
        }
        removed = new.len() != before;
        if !removed {
            errs.push(format!(
                "taint {} not found",
                crate::print::gofmt::go_quote(&r.to_go_string())
            ));
        }
    }
    let op = if (added && removed) || overwrite {
        "modified"
    } else if added {
        "tainted"
    } else {
        "untainted"
    };
    (op, new, errs)
}

/// One failure of the visit (the builder flattens them all into one aggregate).
type VisitError = Vec<CliError>;

impl TaintArgs {
    /// `Complete` and `Validate`: the node names (or none with `-l`/`--all`) and the changes.
    async fn complete(
        &self,
        ctx: &Context,
    ) -> Result<(Vec<String>, Vec<Taint>, Vec<Taint>, DryRun, &'static str), CliError> {
        ctx.namespace()?;
        let dry_run = self.dry_run.strategy(ctx)?;
        let validation = crate::cmd::flags::field_validation(&self.validate.value)?;
        let mut resources = Vec::new();
        let mut taint_args = Vec::new();
        for s in &self.args {
            let is_taint = s.contains('=') || s.contains(':') || s.ends_with('-');
            match (taint_args.is_empty(), is_taint) {
                (_, true) => taint_args.push(s.clone()),
                (true, false) => resources.push(s.clone()),
                (false, false) => {
                    return Err(CliError::msg(format!(
                        "all resources must be specified before taint changes: {s}"
                    )))
                }
            }
        }
        if resources.is_empty() {
            return Err(CliError::msg(
                "one or more resources must be specified as <resource> <name>",
            ));
        }
        if taint_args.is_empty() {
            return Err(CliError::msg("at least one taint update is required"));
        }
        let (add, remove) = parse_taints(&taint_args).map_err(|message| CliError::Usage {
            message,
            command: "kubectl-rs taint".into(),
        })?;
        // Validate: the type must be nodes.
        let type_name = resources[0].to_lowercase();
        let types = crate::resource::resolve_args(ctx, std::slice::from_ref(&type_name), "kubectl")
            .await
            .map_err(crate::resource::no_resource_match)?;
        if types.iter().any(|t| t.resource.kind != "Node") {
            return Err(CliError::msg(format!(
                "invalid resource type {type_name}, only node types are supported"
            )));
        }
        let mut conflicts = Vec::new();
        for a in &add {
            for r in &remove {
                if a.key == r.key && (r.effect.is_empty() || a.effect == r.effect) {
                    conflicts.push(format!("{}={}", r.key, r.effect));
                }
            }
        }
        if !conflicts.is_empty() {
            return Err(CliError::msg(format!(
                "can not both modify and remove the following taint(s) in the same command: {}",
                conflicts.join(", ")
            )));
        }
        let selector = self.selector.as_str();
        if self.all.value && !selector.is_empty() {
            return Err(CliError::msg(
                "setting 'all' parameter with a non empty selector is prohibited",
            ));
        }
        if !self.all.value && selector.is_empty() && resources.len() < 2 {
            return Err(CliError::msg(
                "at least one resource name must be specified since 'all' parameter is not set",
            ));
        }
        Ok((resources[1..].to_vec(), add, remove, dry_run, validation))
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let (names, add, remove, dry_run, validation) = self.complete(ctx).await?;
        let selector = self.selector.as_str();
        // The builder, with ContinueOnError: named nodes one by one, else a list.
        let mut nodes: Vec<Result<Value, CliError>> = Vec::new();
        if self.all.value || !selector.is_empty() {
            match list_chunked(
                ctx,
                node_path(None)?,
                "/v1, Resource=nodes",
                Some(selector),
                None,
                500,
            )
            .await
            {
                Ok(items) => nodes.extend(items.into_iter().map(|mut n| {
                    n["kind"] = json!("Node");
                    n["apiVersion"] = json!("v1");
                    Ok(n)
                })),
                Err(e) => nodes.push(Err(e)),
            }
        } else {
            for name in &names {
                let got = match node_path(Some(name)) {
                    Ok(p) => crate::resource::helper::builder_get(ctx, &p, None).await,
                    Err(e) => Err(e),
                };
                nodes.push(got);
            }
        }
        let mut errors: Vec<CliError> = Vec::new();
        for node in nodes {
            let Some(node) = ok_or_collect(node, &mut errors) else {
                continue;
            };
            if let Err(e) = self
                .taint_one(ctx, node, &add, &remove, dry_run, validation)
                .await
            {
                errors.extend(e);
            }
        }
        // utilerrors.Reduce(Flatten(...)): one error is printed as itself; several one a
        // line, each as MultipleErrors words it (no `error: `).
        if errors.len() <= 1 {
            return errors.pop().map_or(Ok(()), Err);
        }
        Err(CliError::Raw(
            errors
                .iter()
                .map(|e| match e.plain_text() {
                    Some(t) => t,
                    None => crate::error::render(e)
                        .stderr
                        .trim_end_matches('\n')
                        .to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ))
    }

    async fn taint_one(
        &self,
        ctx: &Context,
        mut node: Value,
        add: &[Taint],
        remove: &[Taint],
        dry_run: DryRun,
        validation: &str,
    ) -> Result<(), VisitError> {
        let one = |e: CliError| vec![e];
        let name = node["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let old: Vec<Value> = node["spec"]["taints"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !self.overwrite.value {
            let exists: Vec<&str> = add
                .iter()
                .flat_map(|t| old.iter().filter(|o| t.matches(o)).map(|_| t.key.as_str()))
                .collect();
            if !exists.is_empty() {
                return Err(one(CliError::msg(format!(
                    "node {name} already has {} taint(s) with same effect(s) and --overwrite is false",
                    exists.join(",")
                ))));
            }
        }
        let (operation, new, errs) = reorganize(&old, self.overwrite.value, add, remove);
        if !errs.is_empty() {
            return Err(errs.into_iter().map(CliError::msg).collect());
        }
        let spec = self.print.spec(ctx).map_err(one)?;
        let mut printer = spec.printer().map_err(one)?;
        // kubectl sets the operation after PrintFlagsWithDryRunStrategy, so the dry-run
        // suffix is lost: `node/x tainted` even with --dry-run.

        let taints = if new.is_empty() {
            Value::Null
        } else {
            Value::Array(new.clone())
        };
        let printed = if dry_run == DryRun::Client {
            match (&mut node["spec"], new.is_empty()) {
                (Value::Object(s), true) => {
                    s.remove("taints");
                }
                (s, _) => s["taints"] = Value::Array(new),
            }
            node
        } else {
            let body = json!({"spec": {"taints": taints}});
            let path = node_path(Some(&name)).map_err(one)?;
            let req = ApiRequest::patch(
                path,
                crate::client::request::PATCH_STRATEGIC,
                serde_json::to_vec(&body).unwrap_or_default(),
            )
            .query("fieldManager", self.field_manager.as_str())
            .query("fieldValidation", validation);
            let client = ctx.client().map_err(one)?;
            client
                .send_json(&dry_run.query(req))
                .await
                .map_err(|e| one(e.into()))?
        };
        spec.print(ctx, printer.as_mut(), &printed, operation)
            .map_err(one)?;
        if let Some(p) = printer.as_mut() {
            p.finish(&mut **ctx.out()).map_err(|e| one(e.into()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::strings as specs;

    #[test]
    fn parses_like_kubectl() {
        let (add, remove) = parse_taints(&specs(&[
            "a=b:NoSchedule",
            "c:NoExecute",
            "d-",
            "e:NoSchedule-",
        ]))
        .unwrap();
        assert_eq!(add.len(), 2);
        assert_eq!(add[1].to_go_string(), "c:NoExecute");
        assert_eq!(remove[0].to_go_string(), "d");
        assert_eq!(remove[1].to_go_string(), "e:NoSchedule");
        assert!(parse_taints(&specs(&["a=b"]))
            .unwrap_err()
            .starts_with("invalid taint spec: a=b, name part must consist of"));
        assert_eq!(
            parse_taints(&specs(&["a"])).unwrap_err(),
            "invalid taint spec: a"
        );
        assert_eq!(
            parse_taints(&specs(&["a=b:Never"])).unwrap_err(),
            "invalid taint effect: Never, unsupported taint effect"
        );
        assert_eq!(
            parse_taints(&specs(&["a=b=c:NoSchedule"])).unwrap_err(),
            "invalid taint spec: a=b=c:NoSchedule"
        );
        assert_eq!(
            parse_taints(&specs(&["a:b:c"])).unwrap_err(),
            "invalid taint spec: a:b:c"
        );
        assert_eq!(
            parse_taints(&specs(&["a=x:NoSchedule", "a=y:NoSchedule"])).unwrap_err(),
            "duplicated taints with the same key and effect: {a y NoSchedule <nil>}"
        );
        assert!(parse_taints(&specs(&["bad_:NoSchedule"]))
            .unwrap_err()
            .starts_with("invalid taint spec: bad_:NoSchedule, name part must consist of"));
    }

    #[test]
    fn reorganizes_like_kubectl() {
        let old =
            vec![json!({"key": "a", "value": "1", "effect": "NoSchedule", "timeAdded": null})];
        let add = vec![Taint {
            key: "b".into(),
            value: String::new(),
            effect: "NoExecute".into(),
        }];
        let (op, new, errs) = reorganize(&old, false, &add, &[]);
        assert_eq!((op, new.len(), errs.len()), ("tainted", 2, 0));
        assert_eq!(new[0]["key"], "b");
        let rm = vec![Taint {
            key: "a".into(),
            value: String::new(),
            effect: String::new(),
        }];
        let (op, new, _) = reorganize(&old, false, &[], &rm);
        assert_eq!((op, new.len()), ("untainted", 0));
        let (_, _, errs) = reorganize(&[], false, &[], &rm);
        assert_eq!(errs, vec!["taint \"a\" not found"]);
        let (op, _, _) = reorganize(&old, true, &[], &[]);
        assert_eq!(op, "modified");
    }
}

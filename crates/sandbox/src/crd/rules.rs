//! `x-kubernetes-validations`: the CEL rules of a CRD's schema, compiled when the CRD is
//! written (with the API server's messages for a rule that does not compile) and evaluated on
//! every create, update and patch of its custom resources (`cel`).
//!
//! Evaluation follows the apiextensions validator: a node's rules, then its children's
//! (properties in name order, map entries, list items); `self` is the node's value, `oldSelf`
//! the old object's value at the same place (through object properties, map keys and the items
//! of `x-kubernetes-list-type: map` lists, matched by their keys); a rule
//! using `oldSelf` runs only on update where the old value exists, unless `optionalOldSelf`.
//! On update, rules without `oldSelf` are not checked on values left unchanged (validation
//! ratcheting). A rule that cannot be evaluated by the sandbox (`cel::Fail::Unsupported`) is
//! skipped; one that runs out of cost budget stops the validation with the server's message.

use kcore::patch::to_go_json;
use serde_json::Value;

use kcore::gofmt::go_quote;

use crate::cel::{self, Fail, Ty, Val};
use crate::validation::Cause;

fn cause(reason: &str, field: &str, message: String) -> Cause {
    Cause {
        reason: reason.into(),
        field: field.into(),
        message,
    }
}

/// Go's `%v`-in-JSON of a `ValidationRule` (as `field.Invalid` prints the rule).
fn rule_json(r: &Value) -> String {
    let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
    let obj = serde_json::json!({
        "Rule": s("rule"), "Message": s("message"), "MessageExpression": s("messageExpression"),
        "Reason": r.get("reason").cloned().unwrap_or(Value::Null),
        "FieldPath": s("fieldPath"),
        "OptionalOldSelf": r.get("optionalOldSelf").cloned().unwrap_or(Value::Null),
    });
    let keys = [
        "Rule",
        "Message",
        "MessageExpression",
        "Reason",
        "FieldPath",
        "OptionalOldSelf",
    ];
    let body: Vec<String> = keys
        .iter()
        .map(|k| format!("\"{k}\":{}", to_go_json(&obj[*k])))
        .collect();
    format!("{{{}}}", body.join(","))
}

fn vars_for(node: &Value, rule: &Value) -> Vec<(&'static str, Ty)> {
    let t = cel::schema_type(node);
    let old = if rule["optionalOldSelf"] == true {
        Ty::Opt(Box::new(t.clone()))
    } else {
        t.clone()
    };
    vec![("self", t), ("oldSelf", old)]
}

const REASONS: &[&str] = &[
    "FieldValueDuplicate",
    "FieldValueForbidden",
    "FieldValueInvalid",
    "FieldValueRequired",
];

/// Whether a rule's `fieldPath` names a field of the node's schema (`.a.b`, `['a']`, `.l[0]`).
fn valid_field_path(node: &Value, path: &str) -> bool {
    let mut cur = node;
    let mut rest = path;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let (key, next) = if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            (r[..end].to_string(), &r[end..])
        } else if let Some(r) = rest.strip_prefix("['") {
            match r.find("']") {
                Some(end) => (r[..end].to_string(), &r[end + 2..]),
                None => return false,
            }
        } else if let Some(r) = rest.strip_prefix('[') {
            match r.find(']') {
                Some(end) if cur["type"] == "array" => {
                    cur = &cur["items"];
                    rest = &r[end + 1..];
                    continue;
                }
                _ => return false,
            }
        } else {
            return false;
        };
        if key.is_empty() {
            return false;
        }
        cur = if cur["properties"][&key].is_object() {
            &cur["properties"][&key]
        } else if cur["additionalProperties"].is_object() {
            &cur["additionalProperties"]
        } else {
            return false;
        };
        rest = next;
    }
    true
}

/// The CRD-time checks of every rule in a schema (`path` is the schema's field path).
pub fn check_schema(schema: &Value, path: &str, out: &mut Vec<Cause>) {
    check_node(schema, path, None, out);
}

/// `uncorrelatable`: the highest ancestor below which old values cannot be matched to new
/// ones (a list other than `x-kubernetes-list-type: map`, an object whose map type is neither
/// granular nor atomic), where the server forbids `oldSelf`.
fn check_node(schema: &Value, path: &str, uncorrelatable: Option<&str>, out: &mut Vec<Cause>) {
    if let Some(rules) = schema["x-kubernetes-validations"].as_array() {
        for (i, r) in rules.iter().enumerate() {
            let at = format!("{path}.x-kubernetes-validations[{i}]");
            check_rule(schema, r, &at, uncorrelatable, out);
        }
    }
    if let Some(props) = schema["properties"].as_object() {
        let correlatable = match &schema["x-kubernetes-map-type"] {
            Value::Null => true,
            t => t == "granular" || t == "atomic",
        };
        let below = uncorrelatable.or((!correlatable).then_some(path));
        for (k, v) in props {
            check_node(v, &format!("{path}.properties[{k}]"), below, out);
        }
    }
    if schema["items"].is_object() {
        let below = uncorrelatable.or((schema["x-kubernetes-list-type"] != "map").then_some(path));
        check_node(&schema["items"], &format!("{path}.items"), below, out);
    }
    if schema["additionalProperties"].is_object() {
        check_node(
            &schema["additionalProperties"],
            &format!("{path}.additionalProperties"),
            uncorrelatable,
            out,
        );
    }
}

fn check_rule(
    node: &Value,
    r: &Value,
    path: &str,
    uncorrelatable: Option<&str>,
    out: &mut Vec<Cause>,
) {
    let rule = r["rule"].as_str().unwrap_or_default();
    if rule.trim().is_empty() {
        out.push(cause(
            "FieldValueRequired",
            &format!("{path}.rule"),
            "Required value: rule is not specified".into(),
        ));
        return;
    }
    if let Some(reason) = r["reason"].as_str() {
        if !REASONS.contains(&reason) {
            let list: Vec<String> = REASONS.iter().map(|x| format!("\"{x}\"")).collect();
            out.push(cause(
                "FieldValueNotSupported",
                &format!("{path}.reason"),
                format!(
                    "Unsupported value: \"{reason}\": supported values: {}",
                    list.join(", ")
                ),
            ));
        }
    }
    if let Some(fp) = r["fieldPath"].as_str() {
        if !valid_field_path(node, fp) {
            out.push(cause(
                "FieldValueInvalid",
                &format!("{path}.fieldPath"),
                format!(
                    "Invalid value: {}: must be a valid path",
                    to_go_json(&r["fieldPath"])
                ),
            ));
        }
    }
    if let Some(m) = r["message"].as_str() {
        if m.contains('\n') || m.contains('\r') {
            out.push(cause(
                "FieldValueInvalid",
                &format!("{path}.message"),
                format!(
                    "Invalid value: {}: must not contain line breaks",
                    to_go_json(&r["message"])
                ),
            ));
        }
    }
    let vars = vars_for(node, r);
    let invalid = |field: &str, detail: String| {
        cause(
            "FieldValueInvalid",
            &format!("{path}.{field}"),
            format!("Invalid value: {}: {detail}", rule_json(r)),
        )
    };
    // As the server: a rule that does not compile counts as not using oldSelf, and its
    // messageExpression is not looked at.
    let mut uses_old = false;
    let mut compiled = false;
    match cel::compile(rule, &vars) {
        Err(e) => out.push(invalid("rule", format!("compilation failed: {e}"))),
        Ok(p) => {
            compiled = true;
            uses_old = p.uses_old_self;
            if !matches!(p.ty, Ty::Bool | Ty::Dyn) {
                out.push(invalid(
                    "rule",
                    "cel expression must evaluate to a bool".into(),
                ));
            }
        }
    }
    if let Some(me) = r["messageExpression"].as_str().filter(|_| compiled) {
        match cel::compile(me, &vars) {
            Err(e) => out.push(invalid(
                "messageExpression",
                format!("messageExpression compilation failed: {e}"),
            )),
            Ok(p) if !matches!(p.ty, Ty::Str | Ty::Dyn) => out.push(invalid(
                "messageExpression",
                "messageExpression must evaluate to a string".into(),
            )),
            Ok(_) => {}
        }
    }
    if let Some(within) = uncorrelatable.filter(|_| uses_old) {
        out.push(cause(
            "FieldValueInvalid",
            &format!("{path}.rule"),
            format!(
                "Invalid value: {}: oldSelf cannot be used on the uncorrelatable portion of the schema within {within}",
                go_quote(rule)
            ),
        ));
    }
    // Set to false counts too: the server checks that the field is present.
    if let Some(b) = r["optionalOldSelf"].as_bool().filter(|_| !uses_old) {
        out.push(cause(
            "FieldValueInvalid",
            &format!("{path}.optionalOldSelf"),
            format!("Invalid value: {b}: may not be set if oldSelf is not used in rule"),
        ));
    }
}

/// Whether any node of the schema has rules.
pub fn has_rules(schema: &Value) -> bool {
    schema["x-kubernetes-validations"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
        || schema["properties"]
            .as_object()
            .is_some_and(|p| p.values().any(has_rules))
        || (schema["items"].is_object() && has_rules(&schema["items"]))
        || (schema["additionalProperties"].is_object()
            && has_rules(&schema["additionalProperties"]))
}

/// The value's rendering in `Invalid value: <v>: ...` (scalars only).
fn shown(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(to_go_json(&Value::String(s.clone()))),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        Value::Null => Some("null".into()),
        _ => None,
    }
}

fn schema_type_name(node: &Value) -> String {
    node["type"].as_str().unwrap_or("object").to_string()
}

/// kube-apiserver's CEL cost budget for the rules of one object (`RuntimeCELCostBudget`).
const OBJECT_BUDGET: u64 = 10_000_000;

struct Run {
    out: Vec<Cause>,
    out_of_budget: bool,
    spent: u64,
}

/// Evaluates the rules of a custom resource (`old` on update).
pub fn validate(obj: &Value, old: Option<&Value>, schema: &Value) -> Vec<Cause> {
    let mut run = Run {
        out: Vec::new(),
        out_of_budget: false,
        spent: 0,
    };
    walk(obj, old, schema, "", true, &mut run);
    run.out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(v: &Value, old: Option<&Value>, node: &Value, path: &str, root: bool, run: &mut Run) {
    if run.out_of_budget || !node.is_object() {
        return;
    }
    let unchanged = old.is_some_and(|o| o == v);
    if let Some(rules) = node["x-kubernetes-validations"].as_array() {
        for r in rules {
            eval_rule(v, old, node, r, path, unchanged, run);
            if run.out_of_budget {
                return;
            }
        }
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                if root && (k == "metadata" || k == "apiVersion" || k == "kind") {
                    continue;
                }
                let (sub, p) = if node["properties"][k].is_object() {
                    (&node["properties"][k], join(path, k))
                } else if node["additionalProperties"].is_object() {
                    (&node["additionalProperties"], format!("{path}[{k}]"))
                } else {
                    continue;
                };
                let old_child = old.and_then(|o| o.get(k));
                walk(child, old_child, sub, &p, false, run);
            }
        }
        Value::Array(items) if node["items"].is_object() => {
            let old_items = old.and_then(Value::as_array);
            for (i, item) in items.iter().enumerate() {
                walk(
                    item,
                    old_items.and_then(|o| correlated_item(node, o, item)),
                    &node["items"],
                    &format!("{path}[{i}]"),
                    false,
                    run,
                );
            }
        }
        _ => {}
    }
}

/// The old item a new item of a `x-kubernetes-list-type: map` list stands for: the first with
/// the same scalar values at every `x-kubernetes-list-map-keys` (apiserver's `MakeMapList`).
/// Items of other lists have none: the server correlates only map lists.
fn correlated_item<'a>(list: &Value, old: &'a [Value], item: &Value) -> Option<&'a Value> {
    let keys = list["x-kubernetes-list-map-keys"].as_array()?;
    if list["x-kubernetes-list-type"] != "map" || keys.is_empty() {
        return None;
    }
    let key_of = |v: &Value| -> Option<Vec<Value>> {
        keys.iter()
            .map(|k| match v.get(k.as_str()?)? {
                s @ (Value::String(_) | Value::Number(_) | Value::Bool(_)) => Some(s.clone()),
                _ => None,
            })
            .collect()
    };
    let want = key_of(item)?;
    old.iter()
        .find(|o| o.is_object() && key_of(o).as_ref() == Some(&want))
}

fn eval_rule(
    v: &Value,
    old: Option<&Value>,
    node: &Value,
    r: &Value,
    path: &str,
    unchanged: bool,
    run: &mut Run,
) {
    let Some(rule) = r["rule"].as_str() else {
        return;
    };
    let vars = vars_for(node, r);
    let Ok(p) = cel::compile(rule, &vars) else {
        return;
    };
    let optional = r["optionalOldSelf"] == true;
    let mut bound = vec![("self", cel::eval::from_json(v, node))];
    if p.uses_old_self {
        match (old, optional) {
            (Some(o), false) => bound.push(("oldSelf", cel::eval::from_json(o, node))),
            (Some(o), true) => bound.push((
                "oldSelf",
                Val::Optional(Some(std::rc::Rc::new(cel::eval::from_json(o, node)))),
            )),
            (None, true) => bound.push(("oldSelf", Val::Optional(None))),
            (None, false) => return,
        }
    } else if unchanged {
        return;
    }
    let field = match r["fieldPath"].as_str() {
        Some(fp) if !fp.is_empty() => {
            let rel = fp.trim_start_matches('.');
            if path.is_empty() {
                rel.to_string()
            } else if fp.starts_with('[') {
                format!("{path}{fp}")
            } else {
                format!("{path}.{rel}")
            }
        }
        _ => path.to_string(),
    };
    let label = r["message"]
        .as_str()
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| rule.trim().to_string());
    let ty = schema_type_name(node);
    let (result, cost) = cel::run_costed(&p, bound.clone());
    run.spent = run.spent.saturating_add(cost);
    if run.spent > OBJECT_BUDGET {
        run.out_of_budget = true;
        run.out.push(cause(
            "FieldValueInvalid",
            path,
            format!("Invalid value: \"{ty}\": validation failed due to running out of cost budget, no further validation rules will be run"),
        ));
        return;
    }
    match result {
        Ok(Val::Bool(true)) => {}
        Ok(Val::Bool(false)) => {
            let mut msg = r["message"]
                .as_str()
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| format!("failed rule: {}", rule.trim()));
            if let Some(me) = r["messageExpression"].as_str() {
                if let Ok(mp) = cel::compile(me, &vars) {
                    if let Ok(Val::Str(s)) = cel::run(&mp, bound) {
                        if !s.trim().is_empty() && !s.contains('\n') {
                            msg = s.to_string();
                        }
                    }
                }
            }
            let reason = r["reason"].as_str().unwrap_or("FieldValueInvalid");
            let c = match reason {
                "FieldValueForbidden" => cause(reason, &field, format!("Forbidden: {msg}")),
                "FieldValueRequired" => cause(reason, &field, format!("Required value: {msg}")),
                "FieldValueDuplicate" => cause(reason, &field, format!("Duplicate value: {}", shown(v).unwrap_or(msg))),
                _ => match shown(v) {
                    Some(s) => cause("FieldValueInvalid", &field, format!("Invalid value: {s}: {msg}")),
                    None => cause("FieldValueInvalid", &field, format!("Invalid value: {msg}")),
                },
            };
            run.out.push(c);
        }
        Ok(_) => run.out.push(cause(
            "FieldValueInvalid",
            path,
            format!("Invalid value: \"{ty}\": '{}': call arguments did not match a supported operator, function or macro signature for rule: {label}", cel::eval::NO_OVERLOAD),
        )),
        Err(Fail::Unsupported(_)) => {}
        Err(Fail::Error(e)) if e.starts_with("operation cancelled: actual cost limit exceeded") => {
            run.out_of_budget = true;
            run.out.push(cause(
                "FieldValueInvalid",
                path,
                format!("Invalid value: \"{ty}\": '{e}': no further validation rules will be run due to call cost exceeds limit for rule: {label}"),
            ));
        }
        Err(Fail::Error(e)) if e.starts_with(cel::eval::NO_OVERLOAD) => run.out.push(cause(
            "FieldValueInvalid",
            path,
            format!("Invalid value: \"{ty}\": '{e}': call arguments did not match a supported operator, function or macro signature for rule: {label}"),
        )),
        Err(Fail::Error(e)) => run.out.push(cause(
            "FieldValueInvalid",
            path,
            format!("Invalid value: \"{ty}\": {e} evaluating rule: {label}"),
        )),
    }
}

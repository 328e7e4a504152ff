//! `describe resourcequota` and `describe limitrange` (kubectl's `describeQuota`,
//! `describeLimitRange`, `describeLimitRangeSpec`); the namespace describer shares the
//! limit-range rows.

use serde_json::Value;

use super::quantity::Quantity;
use super::text::{arr, s, string_map};
use super::writer::{PrefixWriter, LEVEL_0};

/// kubectl's help text for a quota scope (empty for others).
fn scope_help(scope: &str) -> &'static str {
    match scope {
        "Terminating" => "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
        "NotTerminating" => "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
        "BestEffort" => "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
        "NotBestEffort" => "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
        _ => "",
    }
}

/// `Scopes:` (sorted), each scope followed by its help line; `bullet` is the describer's own.
pub fn print_scopes(w: &mut PrefixWriter, level: usize, q: &Value, bullet: &str) {
    let mut scopes: Vec<String> = arr(q, "spec.scopes")
        .iter()
        .map(super::text::value_string)
        .collect();
    if scopes.is_empty() {
        return;
    }
    scopes.sort();
    w.field(level, "Scopes", scopes.join(", "));
    for scope in &scopes {
        let help = scope_help(scope);
        if !help.is_empty() {
            w.write(level, &format!("{bullet}{help}\n"));
        }
    }
}

/// Renders a ResourceQuota.
pub fn describe_quota(q: &Value) -> String {
    let mut w = PrefixWriter::new();
    super::text::print_name_namespace(&mut w, q);
    print_scopes(&mut w, LEVEL_0, q, " * ");
    w.write(LEVEL_0, "Resource\tUsed\tHard\n");
    w.write(LEVEL_0, "--------\t----\t----\n");
    let used = string_map(q, "status.used");
    for (res, hard_text) in string_map(q, "status.hard") {
        let hard = Quantity::parse(&hard_text).unwrap_or_default();
        let mut used_q = used
            .iter()
            .find(|(k, _)| *k == res)
            .and_then(|(_, v)| Quantity::parse(v))
            .unwrap_or_default();
        if used_q.format != hard.format {
            // resource.NewQuantity(used.Value(), hard.Format)
            used_q = Quantity::from_integer(used_q.value(), hard.format);
        }
        w.write(LEVEL_0, &format!("{res}\t{used_q}\t{hard}\n"));
    }
    w.finish()
}

/// Renders a LimitRange.
pub fn describe_limit_range(lr: &Value) -> String {
    let mut w = PrefixWriter::new();
    super::text::print_name_namespace(&mut w, lr);
    w.write(
        LEVEL_0,
        "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
    );
    w.write(
        LEVEL_0,
        "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n",
    );
    limit_range_rows(lr, "", &mut w);
    w.finish()
}

/// `describeLimitRangeSpec`: one row per limit item and resource. kubectl walks a Go map of
/// resource names (random order); the names are sorted here.
pub fn limit_range_rows(lr: &Value, prefix: &str, w: &mut PrefixWriter) {
    for item in arr(lr, "spec.limits") {
        let ty = s(item, "type");
        let fields = [
            "max",
            "min",
            "default",
            "defaultRequest",
            "maxLimitRequestRatio",
        ];
        let maps: Vec<Vec<(String, String)>> = fields.iter().map(|f| string_map(item, f)).collect();
        let mut names: Vec<String> = maps.iter().flatten().map(|(k, _)| k.clone()).collect();
        names.sort();
        names.dedup();
        let value = |m: usize, k: &str| {
            maps[m]
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| {
                    Quantity::parse(v)
                        .map(|q| q.to_string())
                        .unwrap_or(v.clone())
                })
                .unwrap_or("-".into())
        };
        for k in names {
            w.write(
                LEVEL_0,
                &format!(
                    "{prefix}{ty}\t{k}\t{}\t{}\t{}\t{}\t{}\n",
                    value(1, &k),
                    value(0, &k),
                    value(3, &k),
                    value(2, &k),
                    value(4, &k)
                ),
            );
        }
    }
}

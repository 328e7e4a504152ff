//! `describe namespace` (kubectl's `describeNamespace` with `DescribeResourceQuotas`).

use serde_json::Value;

use super::text::{
    arr, format_time, print_annotations_multiline, print_labels_multiline, s, string_map,
};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::{DescribeOptions, Related};

/// Renders a Namespace. Quotas come from `resourcequotas`; limit ranges from `limitranges`.
/// kubectl-rs's sandbox serves neither, so without items both print kubectl's "none" lines.
pub fn describe_namespace(ns: &Value, related: &Related, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", s(ns, "metadata.name")));
    print_labels_multiline(&mut w, "Labels", &string_map(ns, "metadata.labels"));
    print_annotations_multiline(
        &mut w,
        "Annotations",
        &string_map(ns, "metadata.annotations"),
    );
    w.write(LEVEL_0, &format!("Status:\t{}\n", s(ns, "status.phase")));
    let conditions = arr(ns, "status.conditions");
    if !conditions.is_empty() {
        w.write(LEVEL_0, "Conditions:\n");
        w.write(
            LEVEL_1,
            "Type\tStatus\tLastTransitionTime\tReason\tMessage\n",
        );
        w.write(
            LEVEL_1,
            "----\t------\t------------------\t------\t-------\n",
        );
        for c in conditions {
            w.write(
                LEVEL_1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    s(c, "type"),
                    s(c, "status"),
                    format_time(s(c, "lastTransitionTime"), opts),
                    s(c, "reason"),
                    s(c, "message")
                ),
            );
        }
    }
    w.write(LEVEL_0, "\n");
    describe_quotas(related.items("resourcequotas"), &mut w);
    w.write(LEVEL_0, "\n");
    if related.items("limitranges").is_empty() {
        w.write(LEVEL_0, "No LimitRange resource.\n");
    } else {
        describe_limit_ranges(related.items("limitranges"), &mut w);
    }
    w.finish()
}

fn describe_quotas(quotas: &[Value], w: &mut PrefixWriter) {
    if quotas.is_empty() {
        w.write(LEVEL_0, "No resource quota.\n");
        return;
    }
    let mut sorted: Vec<&Value> = quotas.iter().collect();
    super::gosort::sort(&mut sorted, |a, b| {
        s(a, "metadata.name") < s(b, "metadata.name")
    });
    w.write(LEVEL_0, "Resource Quotas\n");
    for q in sorted {
        w.write(LEVEL_1, &format!("Name:\t{}\n", s(q, "metadata.name")));
        let mut scopes: Vec<String> = arr(q, "spec.scopes")
            .iter()
            .map(super::text::value_string)
            .collect();
        if !scopes.is_empty() {
            scopes.sort();
            w.write(LEVEL_1, &format!("Scopes:\t{}\n", scopes.join(", ")));
            for scope in &scopes {
                let help = match scope.as_str() {
                    "Terminating" => "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
                    "NotTerminating" => "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
                    "BestEffort" => "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
                    "NotBestEffort" => "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
                    _ => "",
                };
                if !help.is_empty() {
                    w.write(LEVEL_1, &format!("* {help}\n"));
                }
            }
        }
        w.write(LEVEL_1, "Resource\tUsed\tHard\n");
        w.write(LEVEL_1, "--------\t---\t---\n");
        let used = string_map(q, "status.used");
        for (res, hard) in string_map(q, "status.hard") {
            let u = used
                .iter()
                .find(|(k, _)| *k == res)
                .map(|(_, v)| v.clone())
                .unwrap_or("0".into());
            w.write(LEVEL_1, &format!("{res}\t{u}\t{hard}\n"));
        }
    }
}

/// `DescribeLimitRanges` / `describeLimitRangeSpec`. kubectl walks a Go map of resource
/// names (random order); the names are sorted here.
fn describe_limit_ranges(ranges: &[Value], w: &mut PrefixWriter) {
    w.write(
        LEVEL_0,
        "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
    );
    w.write(
        LEVEL_0,
        " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n",
    );
    for lr in ranges {
        for item in arr(lr, "spec.limits") {
            let ty = s(item, "type");
            let maps: Vec<Vec<(String, String)>> = [
                "max",
                "min",
                "default",
                "defaultRequest",
                "maxLimitRequestRatio",
            ]
            .iter()
            .map(|f| string_map(item, f))
            .collect();
            let mut names: Vec<String> = maps.iter().flatten().map(|(k, _)| k.clone()).collect();
            names.sort();
            names.dedup();
            let get =
                |m: usize, k: &str| maps[m].iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            for k in names {
                let min = get(1, &k).unwrap_or("-".into());
                let max = get(0, &k).unwrap_or("-".into());
                let def_limit = get(2, &k).unwrap_or("-".into());
                let def_req = get(3, &k).unwrap_or("-".into());
                let ratio = get(4, &k).unwrap_or("-".into());
                w.write(
                    LEVEL_0,
                    &format!(" {ty}\t{k}\t{min}\t{max}\t{def_req}\t{def_limit}\t{ratio}\n"),
                );
            }
        }
    }
}

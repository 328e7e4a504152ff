//! `describe namespace` (kubectl's `describeNamespace` with `DescribeResourceQuotas`).

use serde_json::Value;

use super::text::{
    arr, print_cluster_meta_header, print_conditions, s, string_map, LAST_TRANSITION_TIME,
};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::{DescribeOptions, Related};

/// Renders a Namespace. Quotas come from `resourcequotas`; limit ranges from `limitranges`.
/// kubectl-rs's sandbox serves neither, so without items both print kubectl's "none" lines.
pub fn describe_namespace(ns: &Value, related: &Related, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    print_cluster_meta_header(&mut w, ns);
    w.field(LEVEL_0, "Status", s(ns, "status.phase"));
    print_conditions(
        &mut w,
        arr(ns, "status.conditions"),
        &[LAST_TRANSITION_TIME],
        "\t",
        opts,
    );
    // A server that does not serve quotas or limit ranges (404) gets no section at all, as
    // kubectl treats NotFound as "not supported".
    if related.error("resourcequotas").is_none() {
        w.write(LEVEL_0, "\n");
        describe_quotas(related.items("resourcequotas"), &mut w);
    }
    if related.error("limitranges").is_none() {
        w.write(LEVEL_0, "\n");
        if related.items("limitranges").is_empty() {
            w.write(LEVEL_0, "No LimitRange resource.\n");
        } else {
            describe_limit_ranges(related.items("limitranges"), &mut w);
        }
    }
    w.finish()
}

fn describe_quotas(quotas: &[Value], w: &mut PrefixWriter) {
    if quotas.is_empty() {
        w.write(LEVEL_0, "No resource quota.\n");
        return;
    }
    let mut sorted: Vec<&Value> = quotas.iter().collect();
    kcore::gosort::sort(&mut sorted, |a, b| {
        s(a, "metadata.name") < s(b, "metadata.name")
    });
    w.write(LEVEL_0, "Resource Quotas\n");
    for q in sorted {
        w.field(LEVEL_1, "Name", s(q, "metadata.name"));
        super::resourcequota::print_scopes(w, LEVEL_1, q, "* ");
        w.write(LEVEL_1, "Resource\tUsed\tHard\n");
        w.write(LEVEL_1, "--------\t---\t---\n");
        let used = string_map(q, "status.used");
        for (res, hard) in string_map(q, "status.hard") {
            let u = used
                .iter()
                .find(|(k, _)| *k == res)
                .map(|(_, v)| v.clone())
                .unwrap_or("0".into());
            let canon = |v: &str| {
                super::quantity::Quantity::parse(v)
                    .map(|q| q.to_string())
                    .unwrap_or(v.to_string())
            };
            w.write(
                LEVEL_1,
                &format!("{res}\t{}\t{}\n", canon(&u), canon(&hard)),
            );
        }
    }
}

/// `DescribeLimitRanges`.
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
        super::resourcequota::limit_range_rows(lr, " ", w);
    }
}

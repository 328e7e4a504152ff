//! `describe networkpolicy` (kubectl's `describeNetworkPolicy` and its ingress/egress rule
//! printers).

use chrono::{DateTime, Local, Offset, TimeZone};
use serde_json::Value;

use super::text::{
    arr, format_label_selector, get, or_none, parse_time, print_labels_annotations, s, string_map,
    value_string, TimeZoneChoice,
};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2};
use super::DescribeOptions;

/// Renders a NetworkPolicy (kubectl shows no events for it).
pub fn describe_network_policy(np: &Value, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    let w = &mut w;
    super::text::print_name_namespace(w, np);
    w.field(
        LEVEL_0,
        "Created on",
        go_time_string(s(np, "metadata.creationTimestamp"), opts),
    );
    print_labels_annotations(w, np);
    w.write(LEVEL_0, "Spec:\n");
    w.write(LEVEL_1, "PodSelector: ");
    let sel = get(np, "spec.podSelector");
    let empty = sel.is_none_or(|p| {
        string_map(p, "matchLabels").is_empty() && arr(p, "matchExpressions").is_empty()
    });
    if empty {
        w.write(
            LEVEL_2,
            "<none> (Allowing the specific traffic to all pods in this namespace)\n",
        );
    } else {
        w.write(LEVEL_2, &format!("{}\n", format_label_selector(sel)));
    }
    let types: Vec<String> = arr(np, "spec.policyTypes")
        .iter()
        .map(value_string)
        .collect();
    let has = |t: &str| types.iter().any(|x| x == t);
    if has("Ingress") {
        w.write(LEVEL_1, "Allowing ingress traffic:\n");
        print_rules(arr(np, "spec.ingress"), "from", w);
    } else {
        w.write(LEVEL_1, "Not affecting ingress traffic\n");
    }
    if has("Egress") {
        w.write(LEVEL_1, "Allowing egress traffic:\n");
        print_rules(arr(np, "spec.egress"), "to", w);
    } else {
        w.write(LEVEL_1, "Not affecting egress traffic\n");
    }
    w.write(
        LEVEL_1,
        &format!("Policy Types: {}\n", or_none(&types.join(", "))),
    );
    std::mem::take(w).finish()
}

/// `printNetworkPolicySpecIngressFrom` / `printNetworkPolicySpecEgressTo`; `peers` is
/// `from` or `to`.
fn print_rules(rules: &[Value], peers: &str, w: &mut PrefixWriter) {
    const INDENT: &str = "    ";
    let ingress = peers == "from";
    if rules.is_empty() {
        let text = if ingress {
            "<none> (Selected pods are isolated for ingress connectivity)"
        } else {
            "<none> (Selected pods are isolated for egress connectivity)"
        };
        w.write(LEVEL_0, &format!("{INDENT}{text}\n"));
        return;
    }
    for (n, rule) in rules.iter().enumerate() {
        let ports = arr(rule, "ports");
        if ports.is_empty() {
            w.write(
                LEVEL_0,
                &format!("{INDENT}To Port: <any> (traffic allowed to all ports)\n"),
            );
        }
        for p in ports {
            let proto = get(p, "protocol").map(value_string).unwrap_or("TCP".into());
            let port = get(p, "port").map(value_string).unwrap_or("<nil>".into());
            match get(p, "endPort") {
                None => w.write(LEVEL_0, &format!("{INDENT}To Port: {port}/{proto}\n")),
                Some(end) => w.write(
                    LEVEL_0,
                    &format!(
                        "{INDENT}To Port Range: {port}-{}/{proto}\n",
                        value_string(end)
                    ),
                ),
            }
        }
        let list = arr(rule, peers);
        if list.is_empty() {
            let text = if ingress {
                "From: <any> (traffic not restricted by source)"
            } else {
                "To: <any> (traffic not restricted by destination)"
            };
            w.write(LEVEL_0, &format!("{INDENT}{text}\n"));
        }
        let title = if ingress { "From:" } else { "To:" };
        for peer in list {
            w.write(LEVEL_0, &format!("{INDENT}{title}\n"));
            let (pods, nss) = (get(peer, "podSelector"), get(peer, "namespaceSelector"));
            let sel = |v| format_label_selector(Some(v));
            match (pods, nss) {
                (Some(p), Some(n)) => {
                    w.write(LEVEL_1, &format!("{INDENT}NamespaceSelector: {}\n", sel(n)));
                    w.write(LEVEL_1, &format!("{INDENT}PodSelector: {}\n", sel(p)));
                }
                (Some(p), None) => {
                    w.write(LEVEL_1, &format!("{INDENT}PodSelector: {}\n", sel(p)));
                }
                (None, Some(n)) => {
                    w.write(LEVEL_1, &format!("{INDENT}NamespaceSelector: {}\n", sel(n)));
                }
                (None, None) => {
                    if let Some(b) = get(peer, "ipBlock") {
                        let except: Vec<String> =
                            arr(b, "except").iter().map(value_string).collect();
                        w.write(LEVEL_1, &format!("{INDENT}IPBlock:\n"));
                        w.write(LEVEL_2, &format!("{INDENT}CIDR: {}\n", s(b, "cidr")));
                        w.write(LEVEL_2, &format!("{INDENT}Except: {}\n", except.join(", ")));
                    }
                }
            }
        }
        if n + 1 != rules.len() {
            w.write(LEVEL_0, &format!("{INDENT}----------\n"));
        }
    }
}

/// Go's `time.Time.String()` (`2006-01-02 15:04:05.999999999 -0700 MST`) in the describe
/// zone. Zone names come from tzdata in Go; here a zero offset prints `UTC` and any other
/// offset prints as `±hhmm`, which is what Go prints for zones without an abbreviation.
fn go_time_string(text: &str, opts: &DescribeOptions) -> String {
    let Some(t) = parse_time(text) else {
        return "0001-01-01 00:00:00 +0000 UTC".to_string();
    };
    fn render<Tz: TimeZone>(t: DateTime<Tz>) -> String
    where
        Tz::Offset: std::fmt::Display,
    {
        let secs = t.offset().fix().local_minus_utc();
        let name = if secs == 0 {
            "UTC".to_string()
        } else {
            t.format("%z").to_string()
        };
        let frac = t.timestamp_subsec_nanos();
        let mut base = t.format("%Y-%m-%d %H:%M:%S").to_string();
        if frac != 0 {
            let digits = format!("{frac:09}");
            base.push('.');
            base.push_str(digits.trim_end_matches('0'));
        }
        format!("{base} {} {name}", t.format("%z"))
    }
    match opts.tz {
        TimeZoneChoice::Local => render(t.with_timezone(&Local)),
        TimeZoneChoice::Fixed(off) => render(t.with_timezone(&off)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_time_strings() {
        let opts = DescribeOptions::fixed_utc(chrono::Utc::now());
        assert_eq!(
            go_time_string("2026-11-26T15:30:00Z", &opts),
            "2026-11-26 15:30:00 +0000 UTC"
        );
        assert_eq!(go_time_string("", &opts), "0001-01-01 00:00:00 +0000 UTC");
    }
}

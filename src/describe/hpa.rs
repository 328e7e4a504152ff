//! `describe horizontalpodautoscaler` (kubectl's `describeHorizontalPodAutoscalerV2`, and the
//! V1 layout for an `autoscaling/v1` object).

use serde_json::Value;

use super::events::finish_with_events;
use super::quantity::Quantity;
use super::text::{arr, get, i, print_conditions, print_creation_timestamp, s, value_string};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3};
use super::{DescribeOptions, Events};

/// A `*Quantity` as Go's `String()` prints it: canonical, or `<nil>` when absent.
fn qty(v: Option<&Value>) -> String {
    match v {
        None => "<nil>".to_string(),
        Some(q) => {
            let text = value_string(q);
            Quantity::parse(&text)
                .map(|q| q.to_string())
                .unwrap_or(text)
        }
    }
}

/// Renders a HorizontalPodAutoscaler (events: `None` when off). kubectl describes the
/// `autoscaling/v2` form whenever the server serves it; pass that object.
pub fn describe_hpa(hpa: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    let w = &mut w;
    super::text::print_meta_header(w, hpa);
    print_creation_timestamp(w, hpa, opts);
    let kind = s(hpa, "spec.scaleTargetRef.kind");
    w.write(
        LEVEL_0,
        &format!(
            "Reference:\t{kind}/{}\n",
            s(hpa, "spec.scaleTargetRef.name")
        ),
    );
    let v1 = s(hpa, "apiVersion") == "autoscaling/v1";
    if v1 {
        if let Some(t) = get(hpa, "spec.targetCPUUtilizationPercentage") {
            w.write(
                LEVEL_0,
                &format!("Target CPU utilization:\t{}%\n", value_string(t)),
            );
            let current = get(hpa, "status.currentCPUUtilizationPercentage")
                .map(value_string)
                .unwrap_or("<unknown>".into());
            w.write(LEVEL_0, &format!("Current CPU utilization:\t{current}%\n"));
        }
    } else {
        w.write(LEVEL_0, "Metrics:\t( current / target )\n");
        let current = arr(hpa, "status.currentMetrics");
        for (n, metric) in arr(hpa, "spec.metrics").iter().enumerate() {
            describe_metric(metric, current.get(n), w);
        }
    }
    let min = get(hpa, "spec.minReplicas")
        .map(value_string)
        .unwrap_or("<unset>".into());
    w.write(LEVEL_0, &format!("Min replicas:\t{min}\n"));
    w.field(LEVEL_0, "Max replicas", i(hpa, "spec.maxReplicas"));
    if !v1 {
        if let Some(behavior) = get(hpa, "spec.behavior") {
            w.write(LEVEL_0, "Behavior:\n");
            direction_behavior(w, "Scale Up", get(behavior, "scaleUp"));
            direction_behavior(w, "Scale Down", get(behavior, "scaleDown"));
        }
    }
    w.write(LEVEL_0, &format!("{kind} pods:\t"));
    w.write(
        LEVEL_0,
        &format!(
            "{} current / {} desired\n",
            i(hpa, "status.currentReplicas"),
            i(hpa, "status.desiredReplicas")
        ),
    );
    if !v1 {
        print_conditions(w, arr(hpa, "status.conditions"), &[], "\t", opts);
    }
    finish_with_events(w, events, opts)
}

fn describe_metric(metric: &Value, current: Option<&Value>, w: &mut PrefixWriter) {
    let quote = super::podspec::go_quote;
    let cur = |section: &str| current.and_then(|c| get(c, section));
    // Go prints the status quantity when the status has the section, whether or not the
    // quantity is set.
    let current_qty = |section: &str, field: &str| match cur(section) {
        Some(c) => qty(get(c, field)),
        None => "<unknown>".to_string(),
    };
    match s(metric, "type") {
        "External" => {
            let name = quote(s(metric, "external.metric.name"));
            if let Some(avg) = get(metric, "external.target.averageValue") {
                let c = cur("external")
                    .and_then(|e| get(e, "current.averageValue"))
                    .map(|q| qty(Some(q)))
                    .unwrap_or("<unknown>".into());
                w.write(
                    LEVEL_1,
                    &format!("{name} (target average value):\t{c} / {}\n", qty(Some(avg))),
                );
            } else {
                let c = current_qty("external", "current.value");
                w.write(
                    LEVEL_1,
                    &format!(
                        "{name} (target value):\t{c} / {}\n",
                        qty(get(metric, "external.target.value"))
                    ),
                );
            }
        }
        "Pods" => {
            let c = current_qty("pods", "current.averageValue");
            w.write(
                LEVEL_1,
                &format!(
                    "{} on pods:\t{c} / {}\n",
                    quote(s(metric, "pods.metric.name")),
                    qty(get(metric, "pods.target.averageValue"))
                ),
            );
        }
        "Object" => {
            w.write(
                LEVEL_1,
                &format!(
                    "\"{}\" on {}/{} ",
                    s(metric, "object.metric.name"),
                    s(metric, "object.describedObject.kind"),
                    s(metric, "object.describedObject.name")
                ),
            );
            let (what, field) = if s(metric, "object.target.type") == "AverageValue" {
                ("average value", "averageValue")
            } else {
                ("value", "value")
            };
            let c = current_qty("object", &format!("current.{field}"));
            let target = qty(get(metric, &format!("object.target.{field}")));
            w.write(LEVEL_0, &format!("(target {what}):\t{c} / {target}\n"));
        }
        ty @ ("Resource" | "ContainerResource") => {
            let (section, head) = if ty == "Resource" {
                (
                    "resource",
                    format!("resource {} on pods", s(metric, "resource.name")),
                )
            } else {
                (
                    "containerResource",
                    format!(
                        "resource {} of container \"{}\" on pods",
                        s(metric, "containerResource.name"),
                        s(metric, "containerResource.container")
                    ),
                )
            };
            w.write(LEVEL_1, &head);
            let target = get(metric, section).and_then(|r| get(r, "target"));
            if let Some(avg) = target.and_then(|t| get(t, "averageValue")) {
                let c = current_qty(section, "current.averageValue");
                w.write(LEVEL_0, &format!(":\t{c} / {}\n", qty(Some(avg))));
            } else {
                let c = match cur(section) {
                    Some(r) => match get(r, "current.averageUtilization") {
                        Some(u) => format!(
                            "{}% ({})",
                            value_string(u),
                            qty(get(r, "current.averageValue"))
                        ),
                        None => "<unknown>".to_string(),
                    },
                    None => "<unknown>".to_string(),
                };
                let t = target
                    .and_then(|t| get(t, "averageUtilization"))
                    .map(|u| format!("{}%", value_string(u)))
                    .unwrap_or("<auto>".into());
                w.write(
                    LEVEL_1,
                    &format!("(as a percentage of request):\t{c} / {t}\n"),
                );
            }
        }
        other => w.write(
            LEVEL_1,
            &format!("<unknown metric type {}>\n", quote(other)),
        ),
    }
}

/// `printDirectionBehavior`.
fn direction_behavior(w: &mut PrefixWriter, direction: &str, rules: Option<&Value>) {
    let Some(r) = rules else {
        return;
    };
    w.write(LEVEL_1, &format!("{direction}:\n"));
    if let Some(win) = get(r, "stabilizationWindowSeconds") {
        w.write(
            LEVEL_2,
            &format!("Stabilization Window: {} seconds\n", value_string(win)),
        );
    }
    let policies = arr(r, "policies");
    if !policies.is_empty() {
        let select = get(r, "selectPolicy")
            .map(value_string)
            .unwrap_or("Max".into());
        w.write(LEVEL_2, &format!("Select Policy: {select}\n"));
        w.write(LEVEL_2, "Policies:\n");
        for p in policies {
            w.write(
                LEVEL_3,
                &format!(
                    "- Type: {}\tValue: {}\tPeriod: {} seconds\n",
                    s(p, "type"),
                    i(p, "value"),
                    i(p, "periodSeconds")
                ),
            );
        }
    }
}

//! The `Events:` section every describer ends with (kubectl's `DescribeEvents`) and the field
//! selector kubectl uses to find an object's events (client-go `GetFieldSelector`).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::text::{get, i, parse_time, s, since};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::{DescribeOptions, Events};

/// Ends a describer: the `Events:` section when events are on, then the aligned text.
pub fn finish_with_events(
    w: &mut PrefixWriter,
    events: Events<'_>,
    opts: &DescribeOptions,
) -> String {
    if let Some(events) = events {
        describe_events(events, w, opts);
    }
    std::mem::take(w).finish()
}

/// Escapes a field selector value (apimachinery `fields.EscapeValue`).
pub fn escape_field_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The `involvedObject.*` field selector for an object's events. `kind`/`uid` are left out
/// when empty (kubectl clears the kind for pods).
pub fn involved_object_selector(name: &str, namespace: &str, kind: &str, uid: &str) -> String {
    let mut parts = vec![
        format!("involvedObject.name={}", escape_field_value(name)),
        format!("involvedObject.namespace={}", escape_field_value(namespace)),
    ];
    if !kind.is_empty() {
        parts.push(format!("involvedObject.kind={}", escape_field_value(kind)));
    }
    if !uid.is_empty() {
        parts.push(format!("involvedObject.uid={}", escape_field_value(uid)));
    }
    parts.join(",")
}

/// An event's `lastTimestamp` (Go's zero time, i.e. earliest, when absent).
fn last_timestamp(e: &Value) -> Option<DateTime<Utc>> {
    parse_time(s(e, "lastTimestamp"))
}

/// Writes the events table (`Events:\t<none>` when there are none), sorted by
/// `lastTimestamp` as kubectl's `SortableEvents`.
pub fn describe_events(events: &[Value], w: &mut PrefixWriter, opts: &DescribeOptions) {
    if events.is_empty() {
        w.write(LEVEL_0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    let mut sorted: Vec<&Value> = events.iter().collect();
    kcore::gosort::sort(&mut sorted, |a, b| last_timestamp(a) < last_timestamp(b));
    w.write(LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(LEVEL_1, "----\t------\t----\t----\t-------\n");
    for e in sorted {
        let event_time = s(e, "eventTime");
        let first = if parse_time(event_time).is_some() {
            since(event_time, opts)
        } else {
            since(s(e, "firstTimestamp"), opts)
        };
        let interval = if let Some(series) = get(e, "series") {
            format!(
                "{} (x{} over {})",
                since(s(series, "lastObservedTime"), opts),
                i(series, "count"),
                first
            )
        } else if i(e, "count") > 1 {
            format!(
                "{} (x{} over {})",
                since(s(e, "lastTimestamp"), opts),
                i(e, "count"),
                first
            )
        } else {
            first
        };
        let mut source = s(e, "source.component");
        if source.is_empty() {
            source = s(e, "reportingComponent");
        }
        let mut message = s(e, "message").trim().to_string();
        let field_path = s(e, "involvedObject.fieldPath");
        if !field_path.is_empty() {
            message = format!("{field_path}: {message}");
        }
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t{}\t{}\t{}\n",
                s(e, "type"),
                s(e, "reason"),
                interval,
                source,
                message
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selector_has_kubectls_terms() {
        assert_eq!(
            involved_object_selector("a", "ns", "DaemonSet", "u-1"),
            "involvedObject.name=a,involvedObject.namespace=ns,involvedObject.kind=DaemonSet,\
             involvedObject.uid=u-1"
        );
        assert_eq!(
            involved_object_selector("a,b", "", "", ""),
            "involvedObject.name=a\\,b,involvedObject.namespace="
        );
    }

    #[test]
    fn events_table_ages_counts_and_sources() {
        let opts = DescribeOptions::fixed_utc(parse_time("2026-11-27T20:00:00Z").unwrap());
        let events = vec![
            json!({"type": "Warning", "reason": "BackOff", "count": 3,
                   "firstTimestamp": "2026-11-27T19:50:14Z", "lastTimestamp": "2026-11-27T19:54:54Z",
                   "source": {"component": "kubelet", "host": "n1"}, "message": " back-off \n",
                   "involvedObject": {"fieldPath": "spec.containers{c}"}}),
            json!({"type": "Normal", "reason": "Scheduled", "eventTime": "2026-11-27T19:59:50.123456Z",
                   "reportingComponent": "default-scheduler", "message": "ok"}),
        ];
        let mut w = PrefixWriter::new();
        describe_events(&events, &mut w, &opts);
        assert_eq!(
            w.finish(),
            "Events:\n  Type     Reason     Age                   From               Message\n  \
             ----     ------     ----                  ----               -------\n  \
             Normal   Scheduled  9s                    default-scheduler  ok\n  \
             Warning  BackOff    5m6s (x3 over 9m46s)  kubelet            spec.containers{c}: back-off\n"
        );
    }
}

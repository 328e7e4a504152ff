//! Small formatting helpers shared by the describers: JSON accessors, kubectl's multi-line
//! label/annotation/toleration/taint blocks, label selectors, RFC1123Z times and ages.

use chrono::{DateTime, FixedOffset, Local, Utc};
use serde_json::Value;

use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::DescribeOptions;

/// The annotation kubectl never shows in describe output.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// kubectl's `maxAnnotationLen`.
pub const MAX_ANNOTATION_LEN: usize = 140;

/// Follows a `/`-free dotted path of object keys; `None` when any step is missing.
pub fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for key in path.split('.').filter(|k| !k.is_empty()) {
        cur = cur.get(key)?;
    }
    if cur.is_null() {
        None
    } else {
        Some(cur)
    }
}

/// The string at `path`, or `""` (Go's zero value).
pub fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    get(v, path).and_then(Value::as_str).unwrap_or("")
}

/// The integer at `path`, or 0.
pub fn i(v: &Value, path: &str) -> i64 {
    get(v, path).and_then(Value::as_i64).unwrap_or(0)
}

/// The boolean at `path`, or false.
pub fn b(v: &Value, path: &str) -> bool {
    get(v, path).and_then(Value::as_bool).unwrap_or(false)
}

/// The array at `path`, or an empty slice.
pub fn arr<'a>(v: &'a Value, path: &str) -> &'a [Value] {
    get(v, path)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The string map at `path` as sorted `(key, value)` pairs (non-strings rendered as JSON).
pub fn string_map(v: &Value, path: &str) -> Vec<(String, String)> {
    match get(v, path).and_then(Value::as_object) {
        Some(m) => m
            .iter()
            .map(|(k, v)| (k.clone(), value_string(v)))
            .collect(),
        None => Vec::new(),
    }
}

/// A scalar as Go's `%v` prints it (strings bare, numbers and booleans as JSON).
pub fn value_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `"True"`/`"False"` as kubectl's `printBool`.
pub fn print_bool(v: bool) -> &'static str {
    if v {
        "True"
    } else {
        "False"
    }
}

/// Go's `%t`.
pub fn go_bool(v: bool) -> &'static str {
    if v {
        "true"
    } else {
        "false"
    }
}

/// The header most describers open with: `Name:`/`Namespace:`, then `Labels:` and
/// `Annotations:` from the object's metadata.
pub fn print_meta_header(w: &mut PrefixWriter, obj: &Value) {
    print_name_namespace(w, obj);
    print_labels_annotations(w, obj);
}

/// The header of cluster-scoped kinds: `Name:`, `Labels:` and `Annotations:`.
pub fn print_cluster_meta_header(w: &mut PrefixWriter, obj: &Value) {
    w.field(LEVEL_0, "Name", s(obj, "metadata.name"));
    print_labels_annotations(w, obj);
}

/// The `Labels:` and `Annotations:` blocks of the object's metadata.
pub fn print_labels_annotations(w: &mut PrefixWriter, obj: &Value) {
    print_labels_multiline(w, "Labels", &string_map(obj, "metadata.labels"));
    print_annotations_multiline(w, "Annotations", &string_map(obj, "metadata.annotations"));
}

/// `CreationTimestamp:` as RFC1123Z.
pub fn print_creation_timestamp(w: &mut PrefixWriter, obj: &Value, opts: &DescribeOptions) {
    w.field(
        LEVEL_0,
        "CreationTimestamp",
        format_time(s(obj, "metadata.creationTimestamp"), opts),
    );
}

/// `Selector:` of a workload's `spec.selector` (a `LabelSelector`).
pub fn print_selector(w: &mut PrefixWriter, obj: &Value) {
    w.field(
        LEVEL_0,
        "Selector",
        selector_string(get(obj, "spec.selector")),
    );
}

/// `Finalizers:` as Go's `%v` of the list.
pub fn print_finalizers(w: &mut PrefixWriter, obj: &Value) {
    let finalizers: Vec<String> = arr(obj, "metadata.finalizers")
        .iter()
        .map(value_string)
        .collect();
    w.write(
        LEVEL_0,
        &format!("Finalizers:\t[{}]\n", finalizers.join(" ")),
    );
}

/// A `TypedLocalObjectReference` block: `title:`, then `APIGroup` (when set), `Kind`, `Name`.
pub fn print_typed_reference(w: &mut PrefixWriter, title: &str, r: &Value) {
    w.write(LEVEL_0, &format!("{title}:\n"));
    if let Some(g) = get(r, "apiGroup") {
        w.field(LEVEL_1, "APIGroup", value_string(g));
    }
    w.field(LEVEL_1, "Kind", s(r, "kind"));
    w.field(LEVEL_1, "Name", s(r, "name"));
}

/// The `Term N:` lines of node selector or topology terms: one requirement a line (`head`
/// renders it up to its values), `<none>` for a term without any.
pub fn print_terms(
    w: &mut PrefixWriter,
    level: usize,
    terms: &[Value],
    requirements: &str,
    head: impl Fn(&Value) -> String,
) {
    for (n, term) in terms.iter().enumerate() {
        w.write(level, &format!("Term {n}:\t"));
        let reqs = arr(term, requirements);
        if reqs.is_empty() {
            w.write_line("<none>");
            continue;
        }
        for (k, req) in reqs.iter().enumerate() {
            if k != 0 {
                w.write(level, "\t");
            }
            let values: Vec<String> = arr(req, "values").iter().map(value_string).collect();
            let mut expr = head(req);
            if !values.is_empty() {
                expr = format!("{expr} [{}]", values.join(", "));
            }
            w.write(LEVEL_0, &format!("{expr}\n"));
        }
    }
}

/// `stringOrNone`.
pub fn or_none(text: &str) -> &str {
    if text.is_empty() {
        "<none>"
    } else {
        text
    }
}

/// `items` joined by `sep`, or `<none>` when there are none (kubectl's
/// `if len(x) == 0 { "<none>" } else { strings.Join(x, sep) }`).
pub fn join_or_none(items: &[String], sep: &str) -> String {
    if items.is_empty() {
        "<none>".to_string()
    } else {
        items.join(sep)
    }
}

/// `title:\t<none>` without items, else `title:` and a line per item one level in.
pub fn print_list(
    w: &mut PrefixWriter,
    title: &str,
    items: &[Value],
    line: impl Fn(&Value) -> String,
) {
    if items.is_empty() {
        w.write(LEVEL_0, &format!("{title}:\t<none>\n"));
        return;
    }
    w.write(LEVEL_0, &format!("{title}:\n"));
    for item in items {
        w.write(LEVEL_1, &format!("{}\n", line(item)));
    }
}

/// `Status:` with the phase, or `Terminating (lasts AGE)` once deletion has started (the
/// PersistentVolume and PersistentVolumeClaim describers).
pub fn print_phase_or_terminating(w: &mut PrefixWriter, obj: &Value, opts: &DescribeOptions) {
    if get(obj, "metadata.deletionTimestamp").is_some() {
        w.write(
            LEVEL_0,
            &format!(
                "Status:\tTerminating (lasts {})\n",
                since(s(obj, "metadata.deletionTimestamp"), opts)
            ),
        );
    } else {
        w.field(LEVEL_0, "Status", s(obj, "status.phase"));
    }
}

/// The `Name:` and `Namespace:` lines that open most describers.
pub fn print_name_namespace(w: &mut PrefixWriter, obj: &Value) {
    w.field(LEVEL_0, "Name", s(obj, "metadata.name"));
    w.field(LEVEL_0, "Namespace", s(obj, "metadata.namespace"));
}
/// `printLabelsMultilineWithIndent`: `title:` then sorted `k=v` lines aligned by a tab.
pub fn print_labels_multiline(w: &mut PrefixWriter, title: &str, labels: &[(String, String)]) {
    print_labels_indent(w, "", title, "\t", labels);
}

/// The general form of [`print_labels_multiline`] with kubectl's indent strings.
pub fn print_labels_indent(
    w: &mut PrefixWriter,
    initial: &str,
    title: &str,
    inner: &str,
    labels: &[(String, String)],
) {
    w.write(LEVEL_0, &format!("{initial}{title}:{inner}"));
    if labels.is_empty() {
        w.write_line("<none>");
        return;
    }
    let mut sorted: Vec<&(String, String)> = labels.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (n, (k, v)) in sorted.into_iter().enumerate() {
        if n != 0 {
            w.write(LEVEL_0, initial);
            w.write(LEVEL_0, inner);
        }
        w.write(LEVEL_0, &format!("{k}={v}\n"));
    }
}

/// `printAnnotationsMultiline`: sorted `key: value` lines, the last-applied annotation hidden,
/// long or multi-line values broken onto their own lines and shortened.
pub fn print_annotations_multiline(
    w: &mut PrefixWriter,
    title: &str,
    annotations: &[(String, String)],
) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    let mut keys: Vec<&(String, String)> = annotations
        .iter()
        .filter(|(k, _)| k != LAST_APPLIED)
        .collect();
    if keys.is_empty() {
        w.write_line("<none>");
        return;
    }
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    let indent = "\t";
    for (n, (key, value)) in keys.into_iter().enumerate() {
        if n != 0 {
            w.write(LEVEL_0, indent);
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.write(LEVEL_0, &format!("{key}:\n"));
            for line in value.split('\n') {
                w.write(
                    LEVEL_0,
                    &format!("{indent}  {}\n", shorten(line, MAX_ANNOTATION_LEN - 2)),
                );
            }
        } else {
            w.write(LEVEL_0, &format!("{key}: {value}\n"));
        }
    }
}

/// kubectl's `shorten`: the first `max` bytes plus `...` (cut back to a char boundary, where Go
/// would cut a rune in half).
pub fn shorten(s: &str, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &s[..end])
    } else {
        s.to_string()
    }
}

/// `printTolerationsMultilineWithIndent`: tolerations sorted by key.
pub fn print_tolerations(w: &mut PrefixWriter, title: &str, tolerations: &[Value]) {
    // Go's unstable sort.Slice: ties (same key) land where kubectl puts them.
    print_sorted_lines(
        w,
        title,
        tolerations,
        |a, b| s(a, "key") < s(b, "key"),
        toleration_string,
    );
}

fn toleration_string(t: &Value) -> String {
    let (key, value, effect) = (s(t, "key"), s(t, "value"), s(t, "effect"));
    let mut line = key.to_string();
    if !value.is_empty() {
        line.push_str(&format!("={value}"));
    }
    if !effect.is_empty() {
        line.push_str(&format!(":{effect}"));
    }
    if s(t, "operator") == "Exists" && value.is_empty() {
        if !key.is_empty() || !effect.is_empty() {
            line.push_str(" op=Exists");
        } else {
            line.push_str("op=Exists");
        }
    }
    if let Some(secs) = get(t, "tolerationSeconds").and_then(Value::as_i64) {
        line.push_str(&format!(" for {secs}s"));
    }
    line
}

/// `printTaintsMultilineWithIndent`: taints sorted by `effect,key`, each as `key=value:Effect`.
pub fn print_taints(w: &mut PrefixWriter, title: &str, taints: &[Value]) {
    let sort_key = |t: &Value| format!("{},{}", s(t, "effect"), s(t, "key"));
    print_sorted_lines(
        w,
        title,
        taints,
        |a, b| sort_key(a) < sort_key(b),
        taint_string,
    );
}

/// `title:` then the items one a line, aligned by a tab, in the order of Go's `sort.Slice`
/// with `less`; `<none>` without items.
fn print_sorted_lines(
    w: &mut PrefixWriter,
    title: &str,
    items: &[Value],
    less: impl Fn(&Value, &Value) -> bool,
    line: impl Fn(&Value) -> String,
) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    if items.is_empty() {
        w.write_line("<none>");
        return;
    }
    let mut sorted: Vec<&Value> = items.iter().collect();
    kcore::gosort::sort(&mut sorted, |a, b| less(a, b));
    for (n, t) in sorted.into_iter().enumerate() {
        if n != 0 {
            w.write(LEVEL_0, "\t");
        }
        w.write(LEVEL_0, &format!("{}\n", line(t)));
    }
}

/// `Taint.ToString`: `key=value:Effect`, `key:Effect`, `key=value` or `key`.
pub fn taint_string(t: &Value) -> String {
    let (key, value, effect) = (s(t, "key"), s(t, "value"), s(t, "effect"));
    match (value.is_empty(), effect.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{key}:{effect}"),
        (false, true) => format!("{key}={value}"),
        (false, false) => format!("{key}={value}:{effect}"),
    }
}

/// `labels.FormatLabels`: sorted `k=v` joined by commas, `<none>` when empty.
pub fn format_labels(labels: &[(String, String)]) -> String {
    if labels.is_empty() {
        return "<none>".to_string();
    }
    let mut sorted: Vec<&(String, String)> = labels.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `metav1.LabelSelectorAsSelector(sel).String()`; an absent or empty selector gives `""`.
pub fn selector_string(selector: Option<&Value>) -> String {
    selector
        .map(kcore::selectors::label_selector_json_string)
        .unwrap_or_default()
}

/// `metav1.FormatLabelSelector`: like [`selector_string`] but `<none>` when empty.
pub fn format_label_selector(selector: Option<&Value>) -> String {
    let text = selector_string(selector);
    if text.is_empty() {
        "<none>".to_string()
    } else {
        text
    }
}

/// Which time zone describe prints timestamps in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeZoneChoice {
    /// The machine's local zone (kubectl's behaviour).
    Local,
    /// A fixed offset, for reproducible output.
    Fixed(FixedOffset),
}

/// A time column of a conditions table: its header, the dashes kubectl writes under it (not
/// always as long as the header) and the condition's field.
pub type TimeColumn<'a> = (&'a str, &'a str, &'a str);

/// The `LastTransitionTime` column every conditions table has.
pub const LAST_TRANSITION_TIME: TimeColumn<'static> = (
    "LastTransitionTime",
    "------------------",
    "lastTransitionTime",
);

/// A `Conditions:` table: Type, Status, the `times` columns, Reason and Message. Nothing when
/// there are no conditions. kubectl's describers separate a row's cells with "\t" or " \t",
/// each its own (`sep`); the header rows always with "\t".
pub fn print_conditions(
    w: &mut PrefixWriter,
    conditions: &[Value],
    times: &[TimeColumn],
    sep: &str,
    opts: &DescribeOptions,
) {
    if conditions.is_empty() {
        return;
    }
    let row = |first: [&str; 2], middle: Vec<&str>, last: [&str; 2]| {
        let cells: Vec<&str> = first.into_iter().chain(middle).chain(last).collect();
        format!("{}\n", cells.join("\t"))
    };
    w.write(LEVEL_0, "Conditions:\n");
    w.write(
        LEVEL_1,
        &row(
            ["Type", "Status"],
            times.iter().map(|t| t.0).collect(),
            ["Reason", "Message"],
        ),
    );
    w.write(
        LEVEL_1,
        &row(
            ["----", "------"],
            times.iter().map(|t| t.1).collect(),
            ["------", "-------"],
        ),
    );
    for c in conditions {
        let mut cells = vec![s(c, "type").to_string(), s(c, "status").to_string()];
        cells.extend(times.iter().map(|t| format_time(s(c, t.2), opts)));
        cells.push(s(c, "reason").to_string());
        cells.push(s(c, "message").to_string());
        w.write(LEVEL_1, &format!("{}\n", cells.join(sep)));
    }
}

/// Parses an RFC 3339 timestamp as the API server writes them.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Go's `time.RFC1123Z` in the chosen zone: `Mon, 02 Jan 2006 15:04:05 -0700`. A missing or
/// unparsable time prints as Go's zero time does.
pub fn format_time(text: &str, opts: &DescribeOptions) -> String {
    const LAYOUT: &str = "%a, %d %b %Y %H:%M:%S %z";
    match parse_time(text) {
        Some(t) => match opts.tz {
            TimeZoneChoice::Local => t.with_timezone(&Local).format(LAYOUT).to_string(),
            TimeZoneChoice::Fixed(off) => t.with_timezone(&off).format(LAYOUT).to_string(),
        },
        None => "Mon, 01 Jan 0001 00:00:00 +0000".to_string(),
    }
}

/// kubectl's `translateTimestampSince`: `<unknown>` for a missing time, else the human age.
pub fn since(text: &str, opts: &DescribeOptions) -> String {
    match parse_time(text) {
        Some(t) => human_duration(opts.now - t),
        None => "<unknown>".to_string(),
    }
}

pub use kcore::duration::human_duration;

/// The controller owner reference as `Kind/name` (kubectl's `printController`).
pub fn controlled_by(obj: &Value) -> Option<String> {
    arr(obj, "metadata.ownerReferences")
        .iter()
        .find(|r| b(r, "controller"))
        .map(|r| format!("{}/{}", s(r, "kind"), s(r, "name")))
}

/// The UID of the controller owner reference, if any.
pub fn controller_uid(obj: &Value) -> Option<&str> {
    arr(obj, "metadata.ownerReferences")
        .iter()
        .find(|r| b(r, "controller"))
        .map(|r| s(r, "uid"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn human_duration_matches_apimachinery() {
        let d = chrono::TimeDelta::seconds;
        assert_eq!(human_duration(d(-5)), "<invalid>");
        assert_eq!(human_duration(d(-1)), "0s");
        assert_eq!(human_duration(d(119)), "119s");
        assert_eq!(human_duration(d(305)), "5m5s");
        assert_eq!(human_duration(d(120)), "2m");
        assert_eq!(human_duration(d(179 * 60 + 5)), "179m");
        assert_eq!(human_duration(d(3 * 3600 + 300)), "3h5m");
        assert_eq!(human_duration(d(25 * 3600)), "25h");
        assert_eq!(human_duration(d(51 * 3600)), "2d3h");
        assert_eq!(human_duration(d(8 * 86400)), "8d");
        assert_eq!(human_duration(d(745 * 86400)), "2y15d");
        assert_eq!(human_duration(d(9 * 365 * 86400)), "9y");
    }

    #[test]
    fn selectors_sort_requirements_and_values() {
        let sel = json!({"matchLabels": {"b": "2", "a": "1"},
            "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]},
                                  {"key": "d", "operator": "DoesNotExist"}]});
        assert_eq!(selector_string(Some(&sel)), "a=1,b=2,c in (x,y),!d");
        assert_eq!(format_label_selector(Some(&json!({}))), "<none>");
    }

    #[test]
    fn taints_and_tolerations_render_like_kubectl() {
        let mut w = PrefixWriter::new();
        print_tolerations(
            &mut w,
            "Tolerations",
            &[
                json!({"operator": "Exists"}),
                json!({"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule",
                       "tolerationSeconds": 30}),
            ],
        );
        print_taints(
            &mut w,
            "Taints",
            &[
                json!({"key": "a", "effect": "NoSchedule"}),
                json!({"key": "b", "value": "1"}),
            ],
        );
        assert_eq!(
            w.finish(),
            "Tolerations:  op=Exists\n              k=v:NoSchedule for 30s\n\
             Taints:       b=1\n              a:NoSchedule\n"
        );
    }

    #[test]
    fn long_annotations_are_wrapped_and_shortened() {
        let long = "x".repeat(200);
        let mut w = PrefixWriter::new();
        print_annotations_multiline(
            &mut w,
            "Annotations",
            &[
                ("a".into(), "1".into()),
                ("b".into(), long.clone()),
                (LAST_APPLIED.into(), "{}".into()),
            ],
        );
        let want = format!(
            "Annotations:  a: 1\n              b:\n                {}...\n",
            &long[..138]
        );
        assert_eq!(w.finish(), want);
    }
}

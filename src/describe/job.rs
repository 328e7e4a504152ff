//! `describe job` (kubectl's `describeJob`) and the job template part of `describe cronjob`.

use serde_json::Value;

use super::events::finish_with_events;
use super::podspec::describe_pod_template;
use super::text::{
    controlled_by, format_time, get, human_duration, i, parse_time, print_labels_annotations,
    print_selector, s, selector_string, value_string,
};
use super::writer::{PrefixWriter, LEVEL_0};
use super::{DescribeOptions, Events};

/// Renders a Job with its events (`None` when events are off).
pub fn describe_job(job: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    let w = &mut w;
    super::text::print_name_namespace(w, job);
    print_selector(w, job);
    print_labels_annotations(w, job);
    if let Some(c) = controlled_by(job) {
        w.write(LEVEL_0, &format!("Controlled By:\t{c}\n"));
    }
    let opt = |f: &str| get(job, f).map(value_string);
    if let Some(p) = opt("spec.parallelism") {
        w.write(LEVEL_0, &format!("Parallelism:\t{p}\n"));
    }
    let completions = opt("spec.completions").unwrap_or("<unset>".into());
    w.write(LEVEL_0, &format!("Completions:\t{completions}\n"));
    for (field, title) in [
        ("spec.completionMode", "Completion Mode"),
        ("spec.suspend", "Suspend"),
        ("spec.backoffLimit", "Backoff Limit"),
        ("spec.ttlSecondsAfterFinished", "TTL Seconds After Finished"),
    ] {
        if let Some(v) = opt(field) {
            w.write(LEVEL_0, &format!("{title}:\t{v}\n"));
        }
    }
    let (start, done) = (s(job, "status.startTime"), s(job, "status.completionTime"));
    if get(job, "status.startTime").is_some() {
        w.field(LEVEL_0, "Start Time", format_time(start, opts));
    }
    if get(job, "status.completionTime").is_some() {
        w.field(LEVEL_0, "Completed At", format_time(done, opts));
    }
    if let (Some(a), Some(b)) = (parse_time(start), parse_time(done)) {
        w.field(LEVEL_0, "Duration", human_duration(b - a));
    }
    if let Some(d) = opt("spec.activeDeadlineSeconds") {
        w.write(LEVEL_0, &format!("Active Deadline Seconds:\t{d}s\n"));
    }
    let (active, succeeded, failed) = (
        i(job, "status.active"),
        i(job, "status.succeeded"),
        i(job, "status.failed"),
    );
    match opt("status.ready") {
        None => w.write(
            LEVEL_0,
            &format!("Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n"),
        ),
        Some(ready) => w.write(
            LEVEL_0,
            &format!(
                "Pods Statuses:\t{active} Active ({ready} Ready) / {succeeded} Succeeded / \
                 {failed} Failed\n"
            ),
        ),
    }
    if s(job, "spec.completionMode") == "Indexed" {
        w.field(
            LEVEL_0,
            "Completed Indexes",
            cap_indexes(s(job, "status.completedIndexes"), 50),
        );
    }
    describe_pod_template(get(job, "spec.template"), w, opts);
    finish_with_events(w, events, opts)
}

/// `capIndexesListOrNone`: cut after the first comma at or beyond `soft_limit`.
fn cap_indexes(indexes: &str, soft_limit: usize) -> String {
    if indexes.is_empty() {
        return "<none>".to_string();
    }
    match indexes
        .bytes()
        .enumerate()
        .skip(soft_limit)
        .find(|(_, b)| *b == b',')
    {
        Some((ix, _)) => format!("{}...", &indexes[..=ix]),
        None => indexes.to_string(),
    }
}

/// `describeJobTemplate`: the job spec part of `describe cronjob`.
pub fn describe_job_template(t: Option<&Value>, w: &mut PrefixWriter, opts: &DescribeOptions) {
    let null = Value::Null;
    let t = t.unwrap_or(&null);
    match get(t, "spec.selector") {
        Some(sel) => w.field(LEVEL_0, "Selector", selector_string(Some(sel))),
        None => w.write(LEVEL_0, "Selector:\t<unset>\n"),
    }
    for (field, title) in [
        ("spec.parallelism", "Parallelism"),
        ("spec.completions", "Completions"),
    ] {
        let v = get(t, field).map(value_string).unwrap_or("<unset>".into());
        w.write(LEVEL_0, &format!("{title}:\t{v}\n"));
    }
    if let Some(d) = get(t, "spec.activeDeadlineSeconds") {
        w.write(
            LEVEL_0,
            &format!("Active Deadline Seconds:\t{}s\n", value_string(d)),
        );
    }
    describe_pod_template(get(t, "spec.template"), w, opts);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_indexes_are_capped() {
        assert_eq!(cap_indexes("", 50), "<none>");
        assert_eq!(cap_indexes("1,2,3", 2), "1,2,...");
        assert_eq!(cap_indexes("1-5", 1), "1-5");
    }
}

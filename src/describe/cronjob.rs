//! `describe cronjob` (kubectl's `describeCronJob`, with v1.36's `Time Zone:` line).

use serde_json::Value;

use super::events::finish_with_events;
use super::job::describe_job_template;
use super::text::{arr, format_time, get, s, value_string};
use super::writer::{PrefixWriter, LEVEL_0};
use super::{DescribeOptions, Events};

/// Renders a CronJob with its events (`None` when events are off).
pub fn describe_cronjob(cj: &Value, events: Events<'_>, opts: &DescribeOptions) -> String {
    let mut w = PrefixWriter::new();
    let w = &mut w;
    super::text::print_meta_header(w, cj);
    w.field(LEVEL_0, "Schedule", s(cj, "spec.schedule"));
    w.field(
        LEVEL_0,
        "Concurrency Policy",
        s(cj, "spec.concurrencyPolicy"),
    );
    let suspend = match get(cj, "spec.suspend").and_then(Value::as_bool) {
        Some(b) => super::text::print_bool(b),
        None => "<unset>",
    };
    w.write(LEVEL_0, &format!("Suspend:\t{suspend}\n"));
    let opt = |f: &str| get(cj, f).map(value_string);
    let tz = opt("spec.timeZone").unwrap_or("<unset>".into());
    w.write(LEVEL_0, &format!("Time Zone:\t{tz}\n"));
    for (field, title) in [
        (
            "spec.successfulJobsHistoryLimit",
            "Successful Job History Limit",
        ),
        ("spec.failedJobsHistoryLimit", "Failed Job History Limit"),
    ] {
        let v = opt(field).unwrap_or("<unset>".into());
        w.write(LEVEL_0, &format!("{title}:\t{v}\n"));
    }
    let deadline = opt("spec.startingDeadlineSeconds")
        .map(|d| format!("{d}s"))
        .unwrap_or("<unset>".into());
    w.write(
        LEVEL_0,
        &format!("Starting Deadline Seconds:\t{deadline}\n"),
    );
    describe_job_template(get(cj, "spec.jobTemplate"), w, opts);
    let last = match get(cj, "status.lastScheduleTime") {
        Some(_) => format_time(s(cj, "status.lastScheduleTime"), opts),
        None => "<unset>".to_string(),
    };
    w.write(LEVEL_0, &format!("Last Schedule Time:\t{last}\n"));
    w.write(LEVEL_0, "Active Jobs:\t");
    let active = arr(cj, "status.active");
    if active.is_empty() {
        w.write_line("<none>");
    } else {
        let names: Vec<&str> = active.iter().map(|r| s(r, "name")).collect();
        w.write(LEVEL_0, &names.join(", "));
        w.write_line("");
    }
    finish_with_events(w, events, opts)
}

//! The CronJob controller: standard five-field cron schedules (lists, ranges, steps, month and
//! weekday names, `@hourly`-style macros; evaluated in UTC), Jobs named
//! `<cronjob>-<minutes since epoch>` at each scheduled time, concurrencyPolicy
//! (Allow/Forbid/Replace), suspend, history limits, `status.active`/`lastScheduleTime`/
//! `lastSuccessfulTime` and the real controller's events.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, Duration as ChronoDuration, TimeZone, Timelike, Utc};
use serde_json::{json, Value};

use super::driver::KeyedController;
use super::events::{object_reference, EventType, Recorder};
use super::job::gr_jobs;
use super::{controller_ref, delete_object, is_terminating, name_of, ns_of, owner_reference};
use super::{parse_time, uid_of};
use crate::store::{EventType as Change, Store, WatchEvent};

const SCHEDULED_AT: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

pub(crate) use super::gr_cronjobs;

/// A parsed cron schedule: the allowed values of each field.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    minutes: Vec<bool>,
    hours: Vec<bool>,
    days: Vec<bool>,
    months: Vec<bool>,
    weekdays: Vec<bool>,
    /// Both day fields restricted: a day matches when either does (cron's rule).
    day_or: bool,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn parse_field(
    f: &str,
    min: u32,
    max: u32,
    names: &[&str],
    name_base: u32,
) -> Result<(Vec<bool>, bool), String> {
    let mut allowed = vec![false; max as usize + 1];
    let value = |s: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
            return Ok(i as u32 + name_base);
        }
        s.parse::<u32>().map_err(|_| {
            format!("failed to parse int from {s}: strconv.Atoi: parsing \"{s}\": invalid syntax")
        })
    };
    let mut star = false;
    for part in f.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>()
                    .map_err(|_| format!("failed to parse int from {s}"))?,
            ),
            None => (part, 1),
        };
        if step == 0 {
            return Err(format!("step of range should be a positive number: {part}"));
        }
        let (lo, hi) = if range == "*" || range == "?" {
            star = star || step == 1;
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a)?, value(b)?)
        } else {
            let v = value(range)?;
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(format!("end of range ({hi}) above maximum ({max}): {part}"));
        }
        let mut v = lo;
        while v <= hi {
            allowed[v as usize] = true;
            v += step;
        }
    }
    Ok((allowed, star))
}

impl Schedule {
    /// Parses a standard cron expression (five fields or a descriptor like `@daily`).
    pub fn parse(expr: &str) -> Result<Schedule, String> {
        let expr = expr.trim();
        let expanded = match expr {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "expected exactly 5 fields, found {}: {expr}",
                fields.len()
            ));
        }
        let (minutes, _) = parse_field(fields[0], 0, 59, &[], 0)?;
        let (hours, _) = parse_field(fields[1], 0, 23, &[], 0)?;
        let (days, dom_star) = parse_field(fields[2], 1, 31, &[], 0)?;
        let (months, _) = parse_field(fields[3], 1, 12, &MONTHS, 1)?;
        let (mut weekdays, dow_star) =
            parse_field(fields[4].replace('7', "0").as_str(), 0, 6, &DAYS, 0)?;
        weekdays.resize(7, false);
        Ok(Schedule {
            minutes,
            hours,
            days,
            months,
            weekdays,
            day_or: !dom_star && !dow_star,
        })
    }

    fn day_matches(&self, t: &DateTime<Utc>) -> bool {
        let dom = self.days[t.day() as usize];
        let dow = self.weekdays[t.weekday().num_days_from_sunday() as usize];
        if self.day_or {
            dom || dow
        } else {
            dom && dow
        }
    }

    /// The first scheduled minute strictly after `after` (None within five years).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = after.with_second(0)?.with_nanosecond(0)? + ChronoDuration::minutes(1);
        let mut t = start;
        let limit = start + ChronoDuration::days(366 * 5);
        while t < limit {
            if !self.months[t.month() as usize] {
                let (y, m) = if t.month() == 12 {
                    (t.year() + 1, 1)
                } else {
                    (t.year(), t.month() + 1)
                };
                t = Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single()?;
                continue;
            }
            if !self.day_matches(&t) {
                t = (t + ChronoDuration::days(1)).with_hour(0)?.with_minute(0)?;
                continue;
            }
            if !self.hours[t.hour() as usize] {
                t = (t + ChronoDuration::hours(1)).with_minute(0)?;
                continue;
            }
            if !self.minutes[t.minute() as usize] {
                t += ChronoDuration::minutes(1);
                continue;
            }
            return Some(t);
        }
        None
    }
}

/// RFC 3339 in a zone of this offset, as Go formats it (`Z` for UTC).
fn rfc3339_in(t: DateTime<Utc>, offset: ChronoDuration) -> String {
    let secs = offset.num_seconds();
    let Some(zone) = chrono::FixedOffset::east_opt(secs as i32).filter(|_| secs != 0) else {
        return t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    };
    t.with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// The UTC offset in seconds of zone `tz` at `at`, from the host's tz database (the
/// 32-bit TZif data, which covers until 2037). UTC without a database; None for a zone the
/// database lacks (the real controller then schedules nothing either).
fn zone_offset(tz: &str, at: DateTime<Utc>) -> Option<i64> {
    let db = std::path::Path::new("/usr/share/zoneinfo");
    if tz == "UTC" || tz == "Etc/UTC" || !db.is_dir() {
        return Some(0);
    }
    if tz.contains("..") || tz.starts_with('/') {
        return None;
    }
    tzif_offset(&std::fs::read(db.join(tz)).ok()?, at.timestamp())
}

/// The offset a TZif file gives for Unix time `t`: the type of the last transition at or
/// before `t` (the first type before any).
fn tzif_offset(d: &[u8], t: i64) -> Option<i64> {
    if d.get(..4)? != b"TZif" {
        return None;
    }
    let be32 = |at: usize| -> Option<i64> {
        Some(i64::from(i32::from_be_bytes(
            d.get(at..at + 4)?.try_into().ok()?,
        )))
    };
    let count = |i: usize| be32(20 + 4 * i).and_then(|n| usize::try_from(n).ok());
    let (timecnt, typecnt) = (count(3)?, count(4)?);
    if typecnt == 0 {
        return None;
    }
    let (times, idxs) = (44, 44 + 4 * timecnt);
    let types = idxs + timecnt;
    let mut ty = 0;
    for i in 0..timecnt {
        if be32(times + 4 * i)? > t {
            break;
        }
        ty = usize::from(*d.get(idxs + i)?);
    }
    be32(types + 6 * ty.min(typecnt - 1))
}

type Key = (String, String);

fn job_finished(job: &Value) -> Option<&'static str> {
    let conds = job["status"]["conditions"].as_array()?;
    for (t, name) in [("Complete", "Complete"), ("Failed", "Failed")] {
        if conds
            .iter()
            .any(|c| c["type"] == t && c["status"] == "True")
        {
            return Some(name);
        }
    }
    None
}

struct Controller {
    store: Arc<Store>,
    events: Recorder,
    cronjobs: HashMap<Key, Value>,
    /// Jobs owned by CronJobs, by owner uid.
    jobs: HashMap<String, HashMap<String, Value>>,
    uid_to_cj: HashMap<String, Key>,
    /// Completions already reported (job uid).
    seen_done: std::collections::HashSet<String>,
}

impl Controller {
    fn observe_cj(&mut self, kind: Change, cj: &Value) -> Key {
        super::owned::observe_keyed(&mut self.cronjobs, &mut self.uid_to_cj, kind, cj)
    }

    fn observe_job(&mut self, kind: Change, job: &Value) -> Option<Key> {
        let owner = controller_ref(job).filter(|r| r["kind"] == "CronJob")?;
        let owner_uid = owner["uid"].as_str().unwrap_or_default().to_string();
        let jobs = self.jobs.entry(owner_uid.clone()).or_default();
        if kind == Change::Deleted {
            jobs.remove(name_of(job));
        } else {
            jobs.insert(name_of(job).to_string(), job.clone());
        }
        self.uid_to_cj.get(&owner_uid).cloned()
    }

    fn create_job(
        &mut self,
        cj: &Value,
        at: DateTime<Utc>,
        offset: ChronoDuration,
    ) -> Option<Value> {
        let template = &cj["spec"]["jobTemplate"];
        let name = format!("{}-{}", name_of(cj), at.timestamp() / 60);
        let mut annotations = template["metadata"]["annotations"].clone();
        if !annotations.is_object() {
            annotations = json!({});
        }
        annotations[SCHEDULED_AT] = json!(rfc3339_in(at, offset));
        let mut job = json!({
            "kind": "Job", "apiVersion": "batch/v1",
            "metadata": {"name": name, "namespace": ns_of(cj), "annotations": annotations,
                "ownerReferences": [owner_reference(cj, "batch/v1", "CronJob")]},
            "spec": template["spec"],
        });
        if template["metadata"]["labels"].is_object() {
            job["metadata"]["labels"] = template["metadata"]["labels"].clone();
        }
        super::apply_defaults(&gr_jobs(), &mut job);
        super::prepare_for_create(&gr_jobs(), &mut job);
        match self.store.create(&gr_jobs(), job) {
            Ok(j) => {
                let msg = format!("Created job {name}");
                self.events.event(
                    &gr_cronjobs(),
                    cj,
                    EventType::Normal,
                    "SuccessfulCreate",
                    &msg,
                );
                self.observe_job(Change::Added, &j);
                Some(j)
            }
            Err(e) => {
                let msg = format!("Error creating job: {e}");
                self.events
                    .event(&gr_cronjobs(), cj, EventType::Warning, "FailedCreate", &msg);
                None
            }
        }
    }

    /// Deletes one of the CronJob's jobs, with the event the controller records for it.
    fn delete_job(&self, cj: &Value, job: &Value) {
        if delete_object(&self.store, &gr_jobs(), ns_of(job), name_of(job)).is_ok() {
            let msg = format!("Deleted job {}", name_of(job));
            self.events.event(
                &gr_cronjobs(),
                cj,
                EventType::Normal,
                "SuccessfulDelete",
                &msg,
            );
        }
    }
}

impl KeyedController for Controller {
    /// Rebuilds the cache from the store; returns every key.
    fn relist(&mut self) -> Vec<Key> {
        self.cronjobs.clear();
        self.jobs.clear();
        self.uid_to_cj.clear();
        for c in self.store.list(&gr_cronjobs(), None).0 {
            self.observe_cj(Change::Added, &c);
        }
        for j in self.store.list(&gr_jobs(), None).0 {
            self.observe_job(Change::Added, &j);
        }
        self.cronjobs.keys().cloned().collect()
    }

    fn observe(&mut self, ev: &WatchEvent, dirty: &mut BTreeSet<Key>) {
        if ev.gr == gr_cronjobs() {
            let k = self.observe_cj(ev.kind, &ev.object);
            if ev.kind != Change::Deleted {
                dirty.insert(k);
            }
        } else if ev.gr == gr_jobs() {
            dirty.extend(self.observe_job(ev.kind, &ev.object));
        }
    }

    /// Syncs one CronJob; returns how long until it next needs to run.
    fn sync(&mut self, key: &Key) -> Option<Duration> {
        let cj = self.cronjobs.get(key).cloned()?;
        if is_terminating(&cj) {
            return None;
        }
        let schedule = Schedule::parse(cj["spec"]["schedule"].as_str().unwrap_or_default()).ok()?;
        let now = self.store.clock().now();
        // The schedule reads in `spec.timeZone`, at the zone's current offset.
        let offset = match cj["spec"]["timeZone"].as_str() {
            Some(tz) => ChronoDuration::seconds(zone_offset(tz, now)?),
            None => ChronoDuration::zero(),
        };
        let next_after = |t: DateTime<Utc>| schedule.next_after(t + offset).map(|x| x - offset);
        let mut jobs: Vec<Value> = self
            .jobs
            .get(uid_of(&cj))
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        jobs.sort_by(|a, b| {
            let t = |j: &Value| {
                j["metadata"]["creationTimestamp"]
                    .as_str()
                    .map(String::from)
            };
            t(a).cmp(&t(b))
        });
        // Completed jobs: report once, then keep only the history limits.
        let mut last_success = cj["status"]["lastSuccessfulTime"].clone();
        for j in &jobs {
            if let Some(cond) = job_finished(j) {
                if self.seen_done.insert(uid_of(j).to_string()) {
                    let msg = format!("Saw completed job: {}, condition: {cond}", name_of(j));
                    self.events.event(
                        &gr_cronjobs(),
                        &cj,
                        EventType::Normal,
                        "SawCompletedJob",
                        &msg,
                    );
                }
                if cond == "Complete" {
                    let done = &j["status"]["completionTime"];
                    if done.is_string()
                        && (last_success.is_null() || done.as_str() > last_success.as_str())
                    {
                        last_success = done.clone();
                    }
                }
            }
        }
        for (cond, limit) in [
            ("Complete", "successfulJobsHistoryLimit"),
            ("Failed", "failedJobsHistoryLimit"),
        ] {
            let keep = cj["spec"][limit]
                .as_i64()
                .unwrap_or(if cond == "Complete" { 3 } else { 1 })
                .max(0) as usize;
            let finished: Vec<&Value> = jobs
                .iter()
                .filter(|j| job_finished(j) == Some(cond))
                .collect();
            for j in finished.iter().take(finished.len().saturating_sub(keep)) {
                self.delete_job(&cj, j);
            }
        }
        let mut active: Vec<Value> = jobs
            .iter()
            .filter(|j| job_finished(j).is_none() && !is_terminating(j))
            .cloned()
            .collect();

        // The most recent missed schedule time since the last one (or creation).
        let since = cj["status"]["lastScheduleTime"]
            .as_str()
            .or(cj["metadata"]["creationTimestamp"].as_str())
            .and_then(parse_time)
            .unwrap_or(now);
        let mut due = None;
        // Start late enough that only the last ~100 missed times are stepped through.
        let since = since.max(now - ChronoDuration::days(1));
        let mut t = next_after(since);
        let mut steps = 0;
        while let Some(s) = t.filter(|s| *s <= now) {
            due = Some(s);
            steps += 1;
            t = if steps > 100 {
                next_after(now - ChronoDuration::minutes(1))
            } else {
                next_after(s)
            };
            if steps > 102 {
                break;
            }
        }
        let mut last_schedule = cj["status"]["lastScheduleTime"].clone();
        let suspended = cj["spec"]["suspend"].as_bool() == Some(true);
        let deadline_ok = |s: &DateTime<Utc>| {
            cj["spec"]["startingDeadlineSeconds"]
                .as_i64()
                .is_none_or(|d| (now - *s).num_seconds() <= d)
        };
        if let Some(s) = due.filter(|s| !suspended && deadline_ok(s)) {
            let policy = cj["spec"]["concurrencyPolicy"].as_str().unwrap_or("Allow");
            let skip = policy == "Forbid" && !active.is_empty();
            if policy == "Replace" {
                for j in active.drain(..) {
                    self.delete_job(&cj, &j);
                }
            }
            if skip {
                let msg = "Not starting job because prior execution is running and concurrency policy is Forbid";
                self.events.event(
                    &gr_cronjobs(),
                    &cj,
                    EventType::Normal,
                    "JobAlreadyActive",
                    msg,
                );
            } else if let Some(job) = self.create_job(&cj, s, offset) {
                active.push(job);
            }
            last_schedule = json!(s.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }

        let mut status = json!({});
        if !active.is_empty() {
            let refs: Vec<Value> = active
                .iter()
                .map(|j| object_reference(&gr_jobs(), j))
                .collect();
            status["active"] = json!(refs);
        }
        if !last_schedule.is_null() {
            status["lastScheduleTime"] = last_schedule;
        }
        if !last_success.is_null() {
            status["lastSuccessfulTime"] = last_success;
        }
        if let Some(c) = super::write_status(&self.store, &gr_cronjobs(), &cj, &status) {
            self.observe_cj(Change::Modified, &c);
        }
        let next = next_after(now)?;
        Some(
            (next - self.store.clock().now())
                .to_std()
                .unwrap_or_default(),
        )
    }
}

/// CronJob controller loop.
pub async fn run(store: Arc<Store>, rx: crate::store::Receiver) {
    let clock = store.clock().clone();
    let c = Controller {
        events: Recorder::new(store.clone(), "cronjob-controller", ""),
        store,
        cronjobs: HashMap::new(),
        jobs: HashMap::new(),
        uid_to_cj: HashMap::new(),
        seen_done: Default::default(),
    };
    super::driver::drive(c, &clock, rx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        parse_time(s).unwrap()
    }

    #[test]
    fn schedules_parse_and_step() {
        // (schedule, after, next)
        let cases = [
            (
                "*/5 * * * *",
                "2026-11-27T21:52:30Z",
                "2026-11-27T21:55:00Z",
            ),
            ("@daily", "2026-11-27T21:52:30Z", "2026-11-28T00:00:00Z"),
            // 2026-11-28 is a Saturday.
            (
                "30 9 * * mon-fri",
                "2026-11-27T10:00:00Z",
                "2026-11-30T09:30:00Z",
            ),
            (
                "0 0 29 feb *",
                "2026-03-01T00:00:00Z",
                "2028-02-29T00:00:00Z",
            ),
            // Day of month OR weekday when both are restricted: Sunday 2026-11-29 comes first.
            (
                "0 0 1 * sun",
                "2026-11-27T00:00:00Z",
                "2026-11-29T00:00:00Z",
            ),
        ];
        for (spec, after, next) in cases {
            let s = Schedule::parse(spec).unwrap();
            assert_eq!(s.next_after(at(after)), Some(at(next)), "{spec}");
        }
        // A zone's offset comes from the host's tz database.
        if std::path::Path::new("/usr/share/zoneinfo/Europe/Paris").is_file() {
            for (zone, t, offset) in [
                ("Europe/Paris", "2026-01-15T12:00:00Z", Some(3600)),
                ("Europe/Paris", "2026-07-15T12:00:00Z", Some(7200)),
                ("America/New_York", "2026-01-15T12:00:00Z", Some(-18000)),
                ("Nowhere/Special", "2026-01-15T12:00:00Z", None),
            ] {
                assert_eq!(zone_offset(zone, at(t)), offset, "{zone} {t}");
            }
        }
        assert_eq!(zone_offset("UTC", at("2026-01-15T12:00:00Z")), Some(0));
        assert_eq!(tzif_offset(b"nope", 0), None);
        assert_eq!(
            rfc3339_in(at("2026-11-28T00:31:00Z"), ChronoDuration::seconds(3600)),
            "2026-11-28T01:31:00+01:00"
        );
        assert_eq!(
            rfc3339_in(at("2026-11-28T00:31:00Z"), ChronoDuration::zero()),
            "2026-11-28T00:31:00Z"
        );
        assert!(Schedule::parse("* * *").is_err());
        assert!(Schedule::parse("61 * * * *").is_err());
        assert!(Schedule::parse("*/0 * * * *").is_err());
        assert!(Schedule::parse("x * * * *").is_err());
    }
}

//! The Job controller (batch/v1): selector and pod labels for Jobs created without
//! `manualSelector`, pods up to `parallelism` until `completions` succeeded (pods carry the
//! `batch.kubernetes.io/job-tracking` finalizer until counted), status counters, the
//! SuccessCriteriaMet/Complete conditions and `SuccessfulCreate`/`Completed` events; finished
//! Jobs with `ttlSecondsAfterFinished` are deleted when it runs out (the TTL controller). The
//! kubelet lets pods of Jobs finish (exit 0) shortly after they start.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::driver::KeyedController;
use super::events::{EventType, Recorder};
use super::pods::create_owned_pod;
use super::LabelSelector;
use super::{controller_ref, is_terminating, name_of, ns_of, uid_of};
use crate::store::{EventType as Change, Store, WatchEvent};

const TRACKING: &str = "batch.kubernetes.io/job-tracking";

pub(crate) use super::gr_jobs;

use super::owned::Key;

/// The labels the API server adds to a Job's selector and pod template.
fn generated_labels(job: &Value) -> Value {
    json!({
        "batch.kubernetes.io/controller-uid": uid_of(job),
        "batch.kubernetes.io/job-name": name_of(job),
        "controller-uid": uid_of(job),
        "job-name": name_of(job),
    })
}

/// Whether a pod belongs to a Job (the kubelet lets those run to completion).
pub fn is_job_pod(pod: &Value) -> bool {
    controller_ref(pod).is_some_and(|r| r["kind"] == "Job")
        && matches!(
            pod["spec"]["restartPolicy"].as_str(),
            Some("Never" | "OnFailure")
        )
}

struct Controller {
    store: Arc<Store>,
    events: Recorder,
    idx: super::owned::OwnedPods,
}

impl Controller {
    fn observe_job(&mut self, kind: Change, obj: &Value) -> Key {
        self.idx.observe_owner(kind, obj)
    }

    fn observe_pod(&mut self, kind: Change, pod: &Value) -> Option<Key> {
        self.idx.observe_pod(kind, pod)
    }

    /// Fills the generated selector and template labels (the API server's job strategy).
    fn ensure_selector(&mut self, job: &Value) -> Option<Value> {
        if job["spec"]["manualSelector"].as_bool() == Some(true)
            || job["spec"]["selector"].is_object()
        {
            return Some(job.clone());
        }
        let labels = generated_labels(job);
        let uid = uid_of(job).to_string();
        let res = self
            .store
            .modify_retry(&gr_jobs(), ns_of(job), name_of(job), |j| {
                if uid_of(j) != uid || j["spec"]["selector"].is_object() {
                    return Ok(false);
                }
                j["spec"]["selector"] =
                    json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
                let meta = &mut j["spec"]["template"]["metadata"];
                if !meta.is_object() {
                    *meta = json!({});
                }
                if !meta["labels"].is_object() {
                    meta["labels"] = json!({});
                }
                for (k, v) in labels.as_object().into_iter().flatten() {
                    meta["labels"][k] = v.clone();
                }
                Ok(true)
            });
        let updated = res.ok()?;
        self.observe_job(Change::Modified, &updated);
        Some(updated)
    }

    fn sync_job(&mut self, key: &Key) {
        let Some(job) = self.idx.owners.get(key).cloned() else {
            return;
        };
        if is_terminating(&job) || !job["spec"]["template"]["spec"].is_object() {
            return;
        }
        let Some(job) = self.ensure_selector(&job) else {
            return;
        };
        let Ok(selector) = LabelSelector::from_label_selector_json(&job["spec"]["selector"]) else {
            return;
        };
        let finished = job["status"]["conditions"].as_array().is_some_and(|c| {
            c.iter().any(|c| {
                matches!(c["type"].as_str(), Some("Complete" | "Failed")) && c["status"] == "True"
            })
        });
        let pods: Vec<Value> = self
            .idx
            .pods_by_owner
            .get(uid_of(&job))
            .into_iter()
            .flatten()
            .filter_map(|k| self.idx.pods.get(k).cloned())
            .filter(|p| selector.matches(&p["metadata"]["labels"]))
            .collect();
        // Count finished pods once: drop their tracking finalizer.
        let mut newly_succeeded = 0;
        let mut newly_failed = 0;
        for p in &pods {
            let phase = p["status"]["phase"].as_str().unwrap_or_default();
            let tracked = p["metadata"]["finalizers"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f == TRACKING));
            if tracked && matches!(phase, "Succeeded" | "Failed") {
                let res = self
                    .store
                    .modify_retry(&super::gr_pods(), ns_of(p), name_of(p), |o| {
                        let Some(f) = o
                            .get_mut("metadata")
                            .and_then(|m| super::array_mut(m, "finalizers"))
                        else {
                            return Ok(false);
                        };
                        f.retain(|x| x != TRACKING);
                        Ok(true)
                    });
                if res.is_ok() {
                    if phase == "Succeeded" {
                        newly_succeeded += 1;
                    } else {
                        newly_failed += 1;
                    }
                }
            }
        }
        let succeeded = job["status"]["succeeded"].as_i64().unwrap_or(0) + newly_succeeded;
        let failed = job["status"]["failed"].as_i64().unwrap_or(0) + newly_failed;
        let active: Vec<&Value> = pods
            .iter()
            .filter(|p| {
                !is_terminating(p)
                    && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
            })
            .collect();
        let parallelism = job["spec"]["parallelism"].as_i64().unwrap_or(1).max(0);
        let completions = job["spec"]["completions"].as_i64();
        let suspended = job["spec"]["suspend"].as_bool() == Some(true);
        let complete = completions.is_some_and(|c| succeeded >= c)
            || (completions.is_none() && succeeded > 0 && active.is_empty());
        let mut created = 0;
        if !finished && !complete && !suspended {
            let remaining = completions.map(|c| c - succeeded).unwrap_or(parallelism);
            let want = parallelism.min(remaining).max(0);
            for _ in (active.len() as i64)..want {
                if self.create_pod(&job) {
                    created += 1;
                }
            }
        }
        // Suspending a Job deletes its running pods; they count as terminating until gone.
        let mut stopped = 0;
        if suspended && !finished {
            for p in &active {
                if super::delete_object(&self.store, &super::gr_pods(), ns_of(p), name_of(p))
                    .is_ok()
                {
                    stopped += 1;
                }
            }
        }
        let active: Vec<&Value> = if stopped > 0 { Vec::new() } else { active };
        let ready = active
            .iter()
            .filter(|p| super::pod_availability(p, 0, Default::default()) == Ok(true))
            .count();
        let now = self.store.clock().rfc3339();
        let mut status = job["status"].clone();
        if !status.is_object() {
            status = json!({});
        }
        if status["startTime"].is_null() && !suspended {
            status["startTime"] = json!(now);
        }
        let set_count = |status: &mut Value, f: &str, n: i64| {
            if n > 0 {
                status[f] = json!(n);
            } else if let Some(o) = status.as_object_mut() {
                o.remove(f);
            }
        };
        set_count(&mut status, "active", active.len() as i64 + created);
        set_count(&mut status, "succeeded", succeeded);
        set_count(&mut status, "failed", failed);
        status["ready"] = json!(ready);
        status["terminating"] = json!(pods.iter().filter(|p| is_terminating(p)).count() + stopped);
        status["uncountedTerminatedPods"] = json!({});
        if !finished {
            self.track_suspension(&job, &mut status, suspended, &now);
        }
        if complete && !finished {
            let cond = |t: &str| {
                json!({"type": t, "status": "True", "lastProbeTime": now, "lastTransitionTime": now,
                    "reason": "CompletionsReached",
                    "message": "Reached expected number of succeeded pods"})
            };
            let mut conds = status["conditions"].as_array().cloned().unwrap_or_default();
            conds.push(cond("SuccessCriteriaMet"));
            conds.push(cond("Complete"));
            status["conditions"] = json!(conds);
            status["completionTime"] = json!(now);
            self.events.event(
                &gr_jobs(),
                &job,
                EventType::Normal,
                "Completed",
                "Job completed",
            );
        }
        if let Some(j) = super::write_status(&self.store, &gr_jobs(), &job, &status) {
            self.observe_job(Change::Modified, &j);
        }
    }

    /// The `Suspended` condition: True (reason JobSuspended, start time cleared) while
    /// `spec.suspend` is set, False (JobResumed) once it is lifted, with the controller's
    /// `Suspended`/`Resumed` events.
    fn track_suspension(&self, job: &Value, status: &mut Value, suspended: bool, now: &str) {
        let conds = status["conditions"].as_array().cloned().unwrap_or_default();
        let pos = conds.iter().position(|c| c["type"] == "Suspended");
        let was = pos.is_some_and(|i| conds[i]["status"] == "True");
        let (state, reason, message, event) = match (suspended, was) {
            (true, false) => ("True", "JobSuspended", "Job suspended", "Suspended"),
            (false, true) => ("False", "JobResumed", "Job resumed", "Resumed"),
            _ => return,
        };
        let cond = json!({"type": "Suspended", "status": state, "lastProbeTime": now,
            "lastTransitionTime": now, "reason": reason, "message": message});
        let mut conds = conds;
        match pos {
            Some(i) => conds[i] = cond,
            None => conds.push(cond),
        }
        status["conditions"] = json!(conds);
        if suspended {
            if let Some(o) = status.as_object_mut() {
                o.remove("startTime");
            }
        }
        self.events
            .event(&gr_jobs(), job, EventType::Normal, event, message);
    }

    /// Drops the tracking finalizer of a pod whose Job is gone, as the real controller does
    /// for orphans: nothing will count it any more, and it must be able to go away.
    fn release(&self, pod: &Value) {
        let tracked = pod["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f == TRACKING));
        if !tracked {
            return;
        }
        let uid = uid_of(pod).to_string();
        let _ = self
            .store
            .modify_retry(&super::gr_pods(), ns_of(pod), name_of(pod), |o| {
                Ok(uid_of(o) == uid && super::remove_finalizer(o, TRACKING))
            });
    }

    /// Releases the pods of a deleted Job.
    fn release_pods_of(&self, job_uid: &str) {
        for k in self.idx.pods_by_owner.get(job_uid).into_iter().flatten() {
            if let Some(p) = self.idx.pods.get(k) {
                self.release(p);
            }
        }
    }

    fn create_pod(&mut self, job: &Value) -> bool {
        let mut pod =
            super::pods::pod_from_template(job, "batch/v1", "Job", &job["spec"]["template"]);
        pod["metadata"]["finalizers"] = json!([TRACKING]);
        match create_owned_pod(&self.store, &self.events, &gr_jobs(), job, pod) {
            Some(p) => {
                self.observe_pod(Change::Added, &p);
                true
            }
            None => false,
        }
    }
}

impl KeyedController for Controller {
    /// Rebuilds the cache from the store; returns every key.
    fn relist(&mut self) -> Vec<Key> {
        self.idx.clear();
        for j in self.store.list(&gr_jobs(), None).0 {
            self.observe_job(Change::Added, &j);
        }
        for p in self.store.list(&super::gr_pods(), None).0 {
            self.observe_pod(Change::Added, &p);
        }
        self.idx.owners.keys().cloned().collect()
    }

    fn observe(&mut self, ev: &WatchEvent, dirty: &mut BTreeSet<Key>) {
        if ev.gr == gr_jobs() {
            let k = self.observe_job(ev.kind, &ev.object);
            if ev.kind == Change::Deleted {
                self.release_pods_of(uid_of(&ev.object));
            } else {
                dirty.insert(k);
            }
        } else if ev.gr == super::gr_pods() {
            match self.observe_pod(ev.kind, &ev.object) {
                Some(k) => {
                    dirty.insert(k);
                }
                None if ev.kind != Change::Deleted
                    && controller_ref(&ev.object).is_some_and(|r| r["kind"] == "Job") =>
                {
                    self.release(&ev.object)
                }
                None => {}
            }
        }
    }

    /// Syncs a Job, then applies `ttlSecondsAfterFinished` (the TTL-after-finished
    /// controller): returns how long until a finished Job is due for deletion.
    fn sync(&mut self, key: &Key) -> Option<Duration> {
        self.sync_job(key);
        let job = self.idx.owners.get(key)?;
        let ttl = job["spec"]["ttlSecondsAfterFinished"].as_i64()?;
        if is_terminating(job) {
            return None;
        }
        let finished_at = job["status"]["conditions"].as_array()?.iter().find(|c| {
            matches!(c["type"].as_str(), Some("Complete" | "Failed")) && c["status"] == "True"
        })?["lastTransitionTime"]
            .as_str()
            .and_then(super::parse_time)?;
        let expires = finished_at + chrono::Duration::seconds(ttl.max(0));
        let now = self.store.clock().now();
        if expires > now {
            return (expires - now).to_std().ok();
        }
        let _ = super::delete_object(&self.store, &gr_jobs(), &key.0, &key.1);
        None
    }
}

/// Job controller loop.
pub async fn run(store: Arc<Store>, rx: crate::store::Receiver) {
    let clock = store.clock().clone();
    let c = Controller {
        events: Recorder::new(store.clone(), "job-controller", ""),
        store,
        idx: super::owned::OwnedPods::new("Job"),
    };
    super::driver::drive(c, &clock, rx).await
}

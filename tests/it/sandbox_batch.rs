//! The sandbox's batch/v1 Jobs and CronJobs, driven by the real kubectl (v1.33, the oracle) and
//! by kubectl-rs: the same commands on twin sandboxes for writes, and both CLIs reading the
//! same sandbox for `get`/`describe`, so that what the server returns is judged by kubectl.

// The shared harness trips one clippy lint (reported to the lead; not edited here).
use crate::common;

use std::time::Duration;

use common::{advancing, assert_same, oracle, Output, TestEnv};

/// One step of cluster time between polls (the kubelet's start delay).
const STEP: Duration = Duration::from_secs(1);

const JOB: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  backoffLimit: 4
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: [perl, -e, print 1]
      restartPolicy: Never
";

const CRONJOB: &str = "apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: '* * * * *'
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.28
            command: [/bin/sh, -c, date]
          restartPolicy: OnFailure
";

const BAD_JOB: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: bad
spec:
  template:
    spec:
      containers:
      - name: c
        image: busybox
        bogus: 1
      restartPolicy: Never
";

fn write(envs: &[&TestEnv], name: &str, text: &str) {
    for e in envs {
        std::fs::write(e.work.join(name), text).unwrap();
    }
}

const LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

async fn kubectl(env: &TestEnv, args: &[&str]) -> Output {
    tokio::time::timeout(LIMIT, env.kubectl(args))
        .await
        .unwrap_or_else(|_| panic!("kubectl {}: timed out", args.join(" ")))
        .expect("oracle installed")
}

async fn ours(env: &TestEnv, args: &[&str]) -> Output {
    tokio::time::timeout(LIMIT, env.ours(args))
        .await
        .unwrap_or_else(|_| panic!("kubectl-rs {}: timed out", args.join(" ")))
}

/// Both CLIs on the same sandbox, outputs normalised; `fix` adapts kubectl v1.33's output to
/// what v1.36 prints.
async fn same(env: &TestEnv, args: &[&str], fix: fn(Output) -> Output) -> Output {
    let theirs = fix(kubectl(env, args).await).normalized();
    let mine = ours(env, args).await.normalized();
    assert_same(&args.join(" "), &mine, &theirs);
    theirs
}

/// A write run by kubectl on `theirs` and by kubectl-rs on its twin `mine`.
async fn twin(mine: &TestEnv, theirs: &TestEnv, args: &[&str], fix: fn(Output) -> Output) {
    let t = fix(kubectl(theirs, args).await).normalized();
    let m = ours(mine, args).await.normalized();
    assert_same(&args.join(" "), &m, &t);
}

fn as_is(o: Output) -> Output {
    o
}

/// v1.36 says `deleted from <ns> namespace` where v1.33 says `deleted` (reference README).
fn deleted_from_default(mut o: Output) -> Output {
    o.stdout = o
        .stdout
        .replace("\" deleted\n", "\" deleted from default namespace\n");
    o
}

/// v1.36's describe cronjob has a `Time Zone:` line after `Suspend:` (reference README).
fn with_time_zone(mut o: Output) -> Output {
    let mut text = String::new();
    for line in o.stdout.split_inclusive('\n') {
        text.push_str(line);
        if line.starts_with("Suspend:") {
            text.push_str("Time Zone:                     <unset>\n");
        }
    }
    o.stdout = text;
    o
}

async fn field(env: &TestEnv, args: &[&str]) -> String {
    ours(env, args).await.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_resources_list_jobs_and_cronjobs_like_a_real_server() {
    if oracle().is_none() {
        return;
    }
    let env = TestEnv::start().await;
    let t = same(&env, &["api-resources", "--api-group=batch"], as_is).await;
    // What kubectl makes of a v1.36 server's discovery (shared/reference api-1.36).
    let rows: Vec<Vec<&str>> = t
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec!["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"],
            vec!["cronjobs", "cj", "batch/v1", "true", "CronJob"],
            vec!["jobs", "batch/v1", "true", "Job"],
        ]
    );
    let wide = same(
        &env,
        &["api-resources", "--api-group=batch", "-o", "wide"],
        as_is,
    )
    .await;
    let verbs = "create,delete,deletecollection,get,list,patch,update,watch";
    for kind in ["CronJob", "Job"] {
        let row = wide.stdout.lines().find(|l| l.contains(kind)).unwrap();
        assert!(row.ends_with(&format!("{verbs}  all")), "{row}");
    }
    same(&env, &["api-resources", "--categories=all"], as_is).await;
    same(&env, &["api-versions"], as_is).await;
    // kubectl reads the batch/v1 OpenAPI document (kubectl-rs has no `explain`).
    let explained = kubectl(
        &env,
        &[
            "explain",
            "cronjob.spec.jobTemplate.spec.podFailurePolicy.rules",
        ],
    )
    .await;
    assert_eq!(explained.code, 0, "{}", explained.stderr);
    for want in [
        "GROUP:      batch",
        "action\t<string> -required-",
        "enum: Count, FailIndex, FailJob, Ignore",
        "onPodConditions\t<[]PodFailurePolicyOnPodConditionsPattern>",
    ] {
        assert!(
            explained.stdout.contains(want),
            "{want:?} in\n{}",
            explained.stdout
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_run_to_completion_and_print_like_kubectl() {
    if oracle().is_none() {
        return;
    }
    let (mine, theirs) = (TestEnv::manual_clock().await, TestEnv::manual_clock().await);
    write(&[&mine, &theirs], "job.yaml", JOB);
    write(&[&mine, &theirs], "bad.yaml", BAD_JOB);
    twin(&mine, &theirs, &["apply", "-f", "job.yaml"], as_is).await;
    twin(&mine, &theirs, &["apply", "-f", "job.yaml"], as_is).await;
    twin(&mine, &theirs, &["apply", "-f", "bad.yaml"], as_is).await;
    // Without a restart policy the pod template defaults to Always, which a Job refuses.
    let no_policy = JOB.replace("      restartPolicy: Never\n", "");
    write(&[&mine, &theirs], "norp.yaml", &no_policy);
    twin(&mine, &theirs, &["apply", "-f", "norp.yaml"], as_is).await;
    let refused = kubectl(&theirs, &["create", "-f", "norp.yaml"]).await;
    assert!(
        refused.stderr.contains(
            r#"spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never""#
        ),
        "{}",
        refused.stderr
    );
    twin(
        &mine,
        &theirs,
        &["apply", "-f", "job.yaml", "--dry-run=server", "-o", "name"],
        as_is,
    )
    .await;

    // The Job's pod runs on a node, exits 0, and the Job completes.
    advancing(&theirs, STEP, || async {
        field(
            &theirs,
            &["get", "job", "pi", "-o", "jsonpath={.status.succeeded}"],
        )
        .await
            == "1"
    })
    .await;
    let conds = field(
        &theirs,
        &[
            "get",
            "job",
            "pi",
            "-o",
            "jsonpath={.status.conditions[*].type}",
        ],
    )
    .await;
    assert_eq!(conds, "SuccessCriteriaMet Complete");
    let pod_phase = field(
        &theirs,
        &[
            "get",
            "pods",
            "-l",
            "job-name=pi",
            "-o",
            "jsonpath={.items[*].status.phase}",
        ],
    )
    .await;
    assert_eq!(pod_phase, "Succeeded");
    // The selector is the generated one and the pod carries the generated labels.
    let uid = field(
        &theirs,
        &["get", "job", "pi", "-o", "jsonpath={.metadata.uid}"],
    )
    .await;
    let sel = field(
        &theirs,
        &[
            "get",
            "job",
            "pi",
            "-o",
            "jsonpath={.spec.selector.matchLabels}",
        ],
    )
    .await;
    assert_eq!(
        sel,
        format!("{{\"batch.kubernetes.io/controller-uid\":\"{uid}\"}}")
    );
    let pod_uid_label = field(
        &theirs,
        &[
            "get",
            "pods",
            "-l",
            &format!("controller-uid={uid}"),
            "-o",
            "name",
        ],
    )
    .await;
    assert!(pod_uid_label.starts_with("pod/pi-"), "{pod_uid_label}");

    for args in [
        &["get", "jobs"][..],
        &["get", "jobs", "-o", "wide"],
        &["get", "job", "pi", "-o", "yaml"],
        &["get", "job/pi", "-o", "json"],
        &["get", "all"],
        &["describe", "job", "pi"],
        &["get", "pods", "-l", "job-name=pi"],
    ] {
        same(&theirs, args, as_is).await;
    }
    let yaml = field(&theirs, &["get", "job", "pi", "-o", "yaml"]).await;
    for want in [
        "  manualSelector: false\n",
        "  podReplacementPolicy: TerminatingOrFailed\n",
        "  completionMode: NonIndexed\n",
        "  backoffLimit: 4\n",
        "    job-name: pi\n",
        "  uncountedTerminatedPods: {}\n",
    ] {
        assert!(yaml.contains(want), "{want:?} not in\n{yaml}");
    }

    twin(
        &mine,
        &theirs,
        &["delete", "job", "pi"],
        deleted_from_default,
    )
    .await;
    twin(&mine, &theirs, &["delete", "-f", "job.yaml"], as_is).await;
    // The Job's pods go with it (background propagation, tracking finalizer released), also
    // when the Job is deleted while its pod still runs.
    write(
        &[&mine, &theirs],
        "quick.yaml",
        &JOB.replace("name: pi\n", "name: quick\n"),
    );
    twin(&mine, &theirs, &["create", "-f", "quick.yaml"], as_is).await;
    twin(
        &mine,
        &theirs,
        &["delete", "job", "quick"],
        deleted_from_default,
    )
    .await;
    for env in [&mine, &theirs] {
        advancing(env, STEP, || async {
            field(env, &["get", "pods", "-o", "name"]).await.is_empty()
        })
        .await;
    }

    // A DELETE without a propagation policy orphans a batch/v1 Job's pods.
    write(
        &[&theirs],
        "keep.yaml",
        &JOB.replace("name: pi\n", "name: keep\n"),
    );
    kubectl(&theirs, &["create", "-f", "keep.yaml"]).await;
    let keep_pods = || {
        field(
            &theirs,
            &["get", "pods", "-l", "job-name=keep", "-o", "name"],
        )
    };
    advancing(&theirs, STEP, || async { !keep_pods().await.is_empty() }).await;
    let raw = kubectl(
        &theirs,
        &[
            "delete",
            "--raw",
            "/apis/batch/v1/namespaces/default/jobs/keep",
        ],
    )
    .await;
    assert_eq!(raw.code, 0, "{}", raw.stderr);
    advancing(&theirs, STEP, || async {
        field(&theirs, &["get", "jobs", "-o", "name"])
            .await
            .is_empty()
    })
    .await;
    let owners = field(
        &theirs,
        &[
            "get",
            "pods",
            "-l",
            "job-name=keep",
            "-o",
            "jsonpath={.items[*].metadata.name}:{.items[*].metadata.ownerReferences}",
        ],
    )
    .await;
    assert!(
        owners.starts_with("keep-") && owners.ends_with(':'),
        "{owners}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cronjobs_schedule_jobs_and_print_like_kubectl() {
    if oracle().is_none() {
        return;
    }
    let (mine, theirs) = (TestEnv::manual_clock().await, TestEnv::manual_clock().await);
    write(&[&mine, &theirs], "cj.yaml", CRONJOB);
    twin(&mine, &theirs, &["apply", "-f", "cj.yaml"], as_is).await;
    twin(&mine, &theirs, &["apply", "-f", "cj.yaml"], as_is).await;
    for args in [
        &["get", "cronjobs"][..],
        &["get", "cj", "-o", "wide"],
        &["get", "cronjob", "hello", "-o", "yaml"],
        &["get", "all"],
    ] {
        same(&theirs, args, as_is).await;
    }
    same(&theirs, &["describe", "cronjob", "hello"], with_time_zone).await;
    // A CronJob in a named zone shows it in its table (and is refused with an unknown one);
    // suspended, so that it starts no Job of its own.
    let zoned = CRONJOB.replace("name: hello\n", "name: zoned\n").replace(
        "spec:\n  schedule",
        "spec:\n  suspend: true\n  timeZone: Etc/UTC\n  schedule",
    );
    std::fs::write(theirs.work.join("zoned.yaml"), &zoned).unwrap();
    assert_eq!(
        kubectl(&theirs, &["apply", "-f", "zoned.yaml"]).await.code,
        0
    );
    let table = same(&theirs, &["get", "cj", "zoned", "-o", "wide"], as_is).await;
    assert!(
        table.stdout.contains("zoned  * * * * *  Etc/UTC  True  0"),
        "{}",
        table.stdout
    );
    let bad = zoned.replace("Etc/UTC", "Nowhere/Special");
    std::fs::write(theirs.work.join("badzone.yaml"), bad).unwrap();
    let refused = kubectl(&theirs, &["create", "-f", "badzone.yaml"]).await;
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(
        refused
            .stderr
            .contains("spec.timeZone: Invalid value: \"Nowhere/Special\""),
        "{}",
        refused.stderr
    );
    kubectl(&theirs, &["delete", "cj", "zoned"]).await;
    let spec = field(&theirs, &["get", "cj", "hello", "-o", "jsonpath={.spec}"]).await;
    let spec: serde_json::Value = serde_json::from_str(&spec).unwrap();
    assert_eq!(spec["concurrencyPolicy"], "Allow");
    assert_eq!(spec["suspend"], false);
    assert_eq!(spec["successfulJobsHistoryLimit"], 3);
    assert_eq!(spec["failedJobsHistoryLimit"], 1);
    // The job template keeps its spec as written, but for the pod template's defaults.
    assert!(spec["jobTemplate"]["spec"].get("backoffLimit").is_none());
    assert_eq!(
        spec["jobTemplate"]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"],
        30
    );

    // Nothing is due before the next whole minute; then the controller creates a Job.
    let now = theirs.sandbox.clock().now();
    let to_minute = Duration::from_secs(60 - now.timestamp().rem_euclid(60) as u64);
    theirs.advance(to_minute - STEP);
    assert_eq!(field(&theirs, &["get", "jobs", "-o", "name"]).await, "");
    theirs.advance(STEP);
    let job = scheduled(&theirs).await;
    assert!(job.starts_with("job.batch/hello-"), "{job}");
    for args in [
        &["get", "cronjobs"][..],
        &["get", "cj", "-o", "wide"],
        &["get", "jobs", "-o", "wide"],
    ] {
        same(&theirs, args, as_is).await;
    }
    same(&theirs, &["describe", "cronjob", "hello"], with_time_zone).await;
    twin(
        &mine,
        &theirs,
        &["delete", "cronjob", "hello"],
        deleted_from_default,
    )
    .await;
}

/// `kubectl create job` / `create cronjob` send protobuf (typed clients): the sandbox decodes
/// batch/v1 bodies. kubectl-rs has no such generators; its reading of the results is compared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_clients_create_jobs_and_cronjobs() {
    if oracle().is_none() {
        return;
    }
    // A manual clock: the Job's pods do not start (status.ready does not move) between the
    // two CLIs' `get -o yaml`.
    let env = TestEnv::manual_clock().await;
    let made = kubectl(
        &env,
        &["create", "job", "once", "--image=busybox", "--", "date"],
    )
    .await;
    assert_eq!(
        (made.code, made.stdout.as_str()),
        (0, "job.batch/once created\n"),
        "{}",
        made.stderr
    );
    let made = kubectl(
        &env,
        &[
            "create",
            "cronjob",
            "tick",
            "--image=busybox",
            "--schedule=*/5 * * * *",
            "--",
            "date",
        ],
    )
    .await;
    assert_eq!(
        (made.code, made.stdout.as_str()),
        (0, "cronjob.batch/tick created\n"),
        "{}",
        made.stderr
    );
    let spec = field(&env, &["get", "job", "once", "-o", "jsonpath={.spec}"]).await;
    let spec: serde_json::Value = serde_json::from_str(&spec).unwrap();
    assert_eq!(spec["template"]["spec"]["restartPolicy"], "Never");
    assert_eq!(
        spec["template"]["spec"]["containers"][0]["command"][0],
        "date"
    );
    assert_eq!(spec["completions"], 1);
    let cj = field(&env, &["get", "cj", "tick", "-o", "jsonpath={.spec}"]).await;
    let cj: serde_json::Value = serde_json::from_str(&cj).unwrap();
    assert_eq!(cj["schedule"], "*/5 * * * *");
    assert_eq!(cj["jobTemplate"]["metadata"]["name"], "tick");
    // A suspended Job starts nothing and says so.
    let suspended = JOB.replace("name: pi\n", "name: sus\n").replace(
        "spec:\n  backoffLimit",
        "spec:\n  suspend: true\n  backoffLimit",
    );
    std::fs::write(env.work.join("sus.yaml"), suspended).unwrap();
    assert_eq!(kubectl(&env, &["apply", "-f", "sus.yaml"]).await.code, 0);
    let reason = || {
        field(
            &env,
            &[
                "get",
                "job",
                "sus",
                "-o",
                "jsonpath={.status.conditions[0].reason}",
            ],
        )
    };
    common::eventually(|| async { reason().await == "JobSuspended" }).await;
    let table = same(&env, &["get", "job", "sus"], as_is).await;
    assert!(
        table.stdout.contains("sus  Suspended  0/1"),
        "{}",
        table.stdout
    );
    for args in [
        &["get", "job", "once", "-o", "yaml"][..],
        &["get", "cronjob", "tick", "-o", "yaml"],
        &["get", "jobs,cronjobs", "-o", "wide"],
    ] {
        same(&env, args, as_is).await;
    }
}

/// The CronJob's first Job, once the controller has created it (the clock is at its time).
async fn scheduled(env: &TestEnv) -> String {
    let jobs = std::cell::RefCell::new(String::new());
    common::eventually(|| async {
        let found = field(env, &["get", "jobs", "-o", "name"]).await;
        let done = !found.trim().is_empty();
        *jobs.borrow_mut() = found;
        done
    })
    .await;
    jobs.into_inner().trim().to_string()
}

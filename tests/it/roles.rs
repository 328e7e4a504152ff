//! A fresh sandbox holds what a fresh kube-apiserver v1.36 holds: the RBAC bootstrap policy
//! with its aggregated roles, the API Priority and Fairness defaults and the system
//! PriorityClasses. The real kubectl (the oracle, v1.33) run against the sandbox prints what
//! the real kubectl v1.36 printed against a real v1.36 server (tests/fixtures/roles, recorded
//! by record.sh there), for `auth can-i` as service accounts bound to `edit` and `view` and
//! for `get` of the bootstrap objects. Times, uids and resource versions differ per cluster
//! and are left out of both sides; so is the AGE column of tables.

use crate::common;
use common::{fixtures, Output, TestEnv};

/// The recorded cases of set `dir`: (name, arguments).
pub(crate) fn cases(dir: &str) -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(fixtures().join(dir).join("cases.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, args) = l.split_once('\t').unwrap();
            (
                name.to_string(),
                args.split_whitespace().map(str::to_string).collect(),
            )
        })
        .collect()
}

pub(crate) fn recorded(dir: &str, name: &str) -> Output {
    let read = |ext: &str| {
        std::fs::read_to_string(fixtures().join(dir).join(format!("{name}.{ext}"))).unwrap()
    };
    Output {
        stdout: read("stdout"),
        stderr: read("stderr"),
        code: read("rc").trim().parse().unwrap(),
    }
}

/// Drops what differs between clusters: the AGE column of a table (found by its header), the
/// CREATED AT times, and the per-object times, uids and resource versions of YAML/JSON output.
pub(crate) fn comparable(out: &str) -> String {
    let times = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").unwrap();
    let out = times.replace_all(out, "<time>");
    let mut lines = out.lines();
    let Some(header) = lines.next() else {
        return String::new();
    };
    // The AGE column spans from its header to the next header (or the end of the line).
    if let (Some(start), true) = (
        header.find(" AGE").map(|i| i + 1),
        header.starts_with("NAME"),
    ) {
        let end = header[start + 3..]
            .find(|c: char| c != ' ')
            .map(|i| start + 3 + i);
        return std::iter::once(header)
            .chain(lines)
            .map(|l| {
                let cut = match end {
                    Some(end) if l.len() >= end => format!("{}{}", &l[..start], &l[end..]),
                    _ => l[..start.min(l.len())].to_string(),
                };
                cut.trim_end().to_string() + "\n"
            })
            .collect();
    }
    out.lines()
        .filter(|l| {
            let t = l.trim_start().trim_start_matches('"');
            ![
                "creationTimestamp",
                "resourceVersion",
                "uid",
                "lastTransitionTime",
            ]
            .iter()
            .any(|k| t.starts_with(&format!("{k}:")) || t.starts_with(&format!("{k}\":")))
        })
        .map(|l| l.to_string() + "\n")
        .collect()
}

/// Applies set `dir`'s setup.yaml to a fresh sandbox, then runs its cases through kubectl-rs
/// and the oracle and compares each with the recording.
async fn compare_with_recordings(dir: &str) {
    let env = TestEnv::start().await;
    let setup = fixtures().join(dir).join("setup.yaml");
    let applied = env.ours(&["apply", "-f", setup.to_str().unwrap()]).await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let mut failures = Vec::new();
    for (name, args) in cases(dir) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let want = recorded(dir, &name);
        let ours = env.ours(&args).await;
        let mut runs = vec![("kubectl-rs", ours)];
        if let Some(theirs) = env.kubectl(&args).await {
            runs.push(("oracle", theirs));
        }
        for (who, got) in runs {
            if (comparable(&got.stdout), &got.stderr, got.code)
                != (comparable(&want.stdout), &want.stderr, want.code)
            {
                failures.push(format!(
                    "{who} {name} {args:?}:\n--- got (rc {}):\n{}{}\n--- recorded from v1.36 (rc {}):\n{}{}",
                    got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_sandbox_answers_as_a_fresh_real_server() {
    compare_with_recordings("roles").await;
}

/// CSI drivers, volume attachments and storage capacities, admission policies and their
/// bindings, DRA classes, claims and slices, claims, replication controllers and pod templates
/// print the columns and cells the real server's printers give them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_print_as_the_real_servers_printers() {
    compare_with_recordings("roles/printers").await;
}

/// Labelling a ClusterRole `aggregate-to-view` adds its rules to `view`, `edit` and `admin`
/// (which aggregate view's label through theirs), and a service account bound to `view` may
/// then use them; removing the label takes them away again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labelled_cluster_roles_are_aggregated() {
    let env = TestEnv::start().await;
    let role = env
        .ours(&[
            "create",
            "clusterrole",
            "roleshelper-widgets",
            "--verb=get,list",
            "--resource=configmaps",
            "--resource-name=widgets",
        ])
        .await;
    assert_eq!(role.code, 0, "{}", role.stderr);
    let rule_in = |role: &'static str| {
        let env = &env;
        async move {
            let out = env
                .ours(&["get", "clusterrole", role, "-o", "jsonpath={.rules}"])
                .await;
            out.stdout.contains("\"resourceNames\":[\"widgets\"]")
        }
    };
    assert!(!rule_in("view").await);
    let label = env
        .ours(&[
            "label",
            "clusterrole",
            "roleshelper-widgets",
            "rbac.authorization.k8s.io/aggregate-to-view=true",
        ])
        .await;
    assert_eq!(label.code, 0, "{}", label.stderr);
    common::eventually(|| async { rule_in("view").await && rule_in("admin").await }).await;
    assert!(rule_in("edit").await);
    let unlabel = env
        .ours(&[
            "label",
            "clusterrole",
            "roleshelper-widgets",
            "rbac.authorization.k8s.io/aggregate-to-view-",
        ])
        .await;
    assert_eq!(unlabel.code, 0, "{}", unlabel.stderr);
    common::eventually(|| async {
        !rule_in("view").await && !rule_in("edit").await && !rule_in("admin").await
    })
    .await;
}

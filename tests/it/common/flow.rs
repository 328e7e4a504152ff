//! The recorded reference flow (`tests/fixtures/reference/kubectl-1.36`): 42 kubectl commands
//! run in order against a real v1.36 cluster, replayed against the sandbox with any CLI and
//! compared step by step after normalisation.

use std::path::PathBuf;

use super::{fixtures, Output, TestEnv};
use kubectl_rs::sandbox::store::GroupResource;

/// One recorded step.
pub struct Step {
    pub name: String,
    pub args: Vec<String>,
    pub expected: Output,
}

/// Which kubectl printed the output we compare against: v1.36 is the target, v1.33 is the
/// oracle installed here; their known differences are in shared/reference/README.md.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    V136,
    V133,
}

fn dir() -> PathBuf {
    fixtures().join("reference/kubectl-1.36")
}

pub fn steps() -> Vec<Step> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().into_string().unwrap();
            n.strip_suffix(".cmd").map(str::to_string)
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let read =
                |ext: &str| std::fs::read_to_string(dir().join(format!("{name}.{ext}"))).unwrap();
            let cmd = read("cmd");
            let args = cmd.split_whitespace().skip(1).map(str::to_string).collect();
            Step {
                expected: Output {
                    stdout: read("stdout"),
                    stderr: read("stderr"),
                    code: read("rc").trim().parse().unwrap(),
                },
                name,
                args,
            }
        })
        .collect()
}

/// The reference output as `flavor` of kubectl would print it.
pub fn expected_for(step: &Step, flavor: Flavor) -> Output {
    let mut out = step.expected.clone();
    // The reference cluster's nodes were simulated and worded container events their own way;
    // the sandbox words them as kubelet v1.36 does.
    out.stdout = kubelet_wording(&out.stdout);
    if flavor == Flavor::V133 {
        // v1.34 added the namespace to delete's message.
        out.stdout = out
            .stdout
            .replace(" deleted from default namespace", " deleted");
        // v1.36 prefixes event messages with the container's field path.
        out.stdout = strip_field_paths(&out.stdout);
        // v1.36 dropped the Kube-Proxy Version line of describe node.
        if let Some(pos) = out.stdout.find("  Kubelet Version:") {
            let end = pos + out.stdout[pos..].find('\n').unwrap() + 1;
            out.stdout
                .insert_str(end, "  Kube-Proxy Version:        \n");
        }
    }
    out
}

fn kubelet_wording(s: &str) -> String {
    s.split('\n')
        .map(|l| {
            let Some(a) = l.find("spec.containers{") else {
                return l.to_string();
            };
            let Some(b) = l[a..].find("}: ") else {
                return l.to_string();
            };
            let name = &l[a + 16..a + b];
            l.replace(
                "}: Container created",
                &format!("}}: Created container: {name}"),
            )
            .replace(
                "}: Container started",
                &format!("}}: Started container {name}"),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn strip_field_paths(s: &str) -> String {
    s.split('\n')
        .map(|l| match (l.find("spec.containers{"), l.find("}: ")) {
            (Some(a), Some(b)) if b > a => format!("{}{}", &l[..a], &l[b + 3..]),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ds() -> GroupResource {
    GroupResource::new("apps", "daemonsets")
}

fn pods() -> GroupResource {
    GroupResource::new("", "pods")
}

/// Waits until the DaemonSet's pods are all updated and ready (the reference slept for that).
pub async fn wait_rolled_out(env: &TestEnv) {
    let store = env.sandbox.store();
    super::eventually(|| {
        let store = store.clone();
        async move {
            let Some(d) = store.get(&ds(), "default", "node-exporter") else {
                return false;
            };
            let s = &d["status"];
            let want = s["desiredNumberScheduled"].as_i64().unwrap_or(-1);
            let gen = &d["metadata"]["generation"];
            let (items, _) = store.list(&pods(), Some("default"));
            let live = items
                .iter()
                .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
                .count();
            want > 0
                && s["observedGeneration"] == *gen
                && s["numberReady"].as_i64() == Some(want)
                && s["updatedNumberScheduled"].as_i64() == Some(want)
                && s["numberAvailable"].as_i64() == Some(want)
                && live as i64 == want
                && items.len() as i64 == want
        }
    })
    .await;
}

/// Waits until no pod of the DaemonSet is left.
pub async fn wait_pods_gone(env: &TestEnv) {
    let store = env.sandbox.store();
    super::eventually(|| {
        let store = store.clone();
        async move { store.list(&pods(), Some("default")).0.is_empty() }
    })
    .await;
}

/// The name of the DaemonSet pod on `node`.
pub fn pod_on(env: &TestEnv, node: &str) -> String {
    let (items, _) = env.sandbox.store().list(&pods(), Some("default"));
    items
        .iter()
        .find(|p| p["spec"]["nodeName"] == node)
        .and_then(|p| p["metadata"]["name"].as_str())
        .expect("a pod on the node")
        .to_string()
}

/// Runs every step with `run` and returns the mismatches (step name, expected, actual), all
/// normalised.
pub async fn replay<F, Fut>(
    env: &TestEnv,
    flavor: Flavor,
    mut run: F,
) -> Vec<(String, Output, Output)>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Output>,
{
    let mut failures = Vec::new();
    for step in steps() {
        let mut args = step.args.clone();
        if step.name.starts_with("19-") {
            let pod = pod_on(env, "kind-multinodes-worker");
            *args.last_mut().unwrap() = pod;
        }
        if step.name.starts_with("40-") {
            wait_pods_gone(env).await;
        }
        let actual = run(args).await;
        if matches!(&step.name[..3], "01-" | "08-" | "38-") {
            wait_rolled_out(env).await;
        }
        let expected = expected_for(&step, flavor).normalized();
        let got = actual.normalized();
        if expected != got {
            failures.push((step.name.clone(), expected, got));
        }
        if let Some(problem) = super::normalize::misaligned(&actual.stdout) {
            failures.push((
                format!("{} (alignment: {problem})", step.name),
                step.expected.clone(),
                actual,
            ));
        }
    }
    failures
}

/// Formats mismatches for a panic message.
pub fn report(failures: &[(String, Output, Output)]) -> String {
    let mut s = String::new();
    for (name, exp, got) in failures {
        s.push_str(&format!(
            "=== {name}\n--- expected (code {}):\n{}\n{}\n--- actual (code {}):\n{}\n{}\n",
            exp.code, exp.stdout, exp.stderr, got.code, got.stdout, got.stderr
        ));
    }
    s
}

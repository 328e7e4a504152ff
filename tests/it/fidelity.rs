//! Where the sandbox used to answer unlike a real kube-apiserver v1.36: transcripts recorded
//! from a real v1.36.2 server with kubectl v1.36 (tests/fixtures/fidelity, written by
//! tools/fidelity/record.py) replayed step by step against the sandbox by kubectl-rs and by
//! the real kubectl (each on its own sandbox), which must print the same.

use crate::common;

use common::TestEnv;

/// One recorded step: kubectl's arguments, what it printed (stdout then stderr), its exit code.
struct Step {
    args: Vec<String>,
    output: String,
    code: i32,
}

fn transcript(name: &str) -> Vec<Step> {
    let path = common::fixtures().join("fidelity").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    text.split("=== ")
        .filter(|b| !b.is_empty())
        .map(|block| {
            let (head, rest) = block.split_once('\n').unwrap();
            let (output, rc) = rest.rsplit_once("--- rc=").unwrap();
            Step {
                args: serde_json::from_str(head).unwrap(),
                output: output.strip_suffix('\n').unwrap_or(output).to_string(),
                code: rc.trim().parse().unwrap(),
            }
        })
        .collect()
}

/// Pod-template hashes differ between servers (they hash the template as each encodes it).
fn normalise(s: &str) -> String {
    let re = regex::Regex::new(r"\bweb-[bcdfghjklmnpqrstvwxz2456789]{6,10}\b").unwrap();
    re.replace_all(s, "web-HASH").into_owned()
}

async fn replay(name: &str) {
    let steps = transcript(name);
    let files = common::fixtures().join("fidelity");
    for who in ["kubectl-rs", "kubectl"] {
        let env = TestEnv::start().await;
        for f in std::fs::read_dir(&files).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, env.work.join(f.file_name().unwrap())).unwrap();
        }
        for step in &steps {
            let args: Vec<&str> = step.args.iter().map(String::as_str).collect();
            let out = if who == "kubectl-rs" {
                env.ours(&args).await
            } else {
                match env.kubectl(&args).await {
                    Some(o) => o,
                    None => break,
                }
            };
            let got = format!("{}{}", out.stdout, out.stderr);
            assert_eq!(
                (normalise(got.trim_end_matches('\n')), out.code),
                (normalise(&step.output), step.code),
                "{who} {}",
                args.join(" ")
            );
        }
    }
}

/// Patch bodies the patcher cannot decode or apply get the real server's messages; kinds
/// whose registry keeps `metadata.generation` (PriorityClass, IngressClass, PodTemplate,
/// EndpointSlice, webhook configurations, FlowSchema) have one; the zero `creationTimestamp`
/// of a protobuf body is not stored in templates; Deployments and ReplicaSets report
/// `terminatingReplicas`, and scaling events read `from N to M`.
#[tokio::test]
async fn the_sandbox_answers_as_a_real_server_where_it_used_to_differ() {
    replay("transcript.txt").await;
}

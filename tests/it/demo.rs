//! `kubectl-rs sandbox demo` prints the seed tutorial as the real kubectl v1.36 printed it:
//! each step's output equals the recorded reference output of the same command.

use crate::common;

use common::flow::steps;
use common::normalize::{normalize, sort_random_siblings};

#[test]
fn the_demo_prints_what_kubectl_printed_for_each_tutorial_step() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-rs"))
        .args(["sandbox", "demo"])
        .env("TZ", "UTC")
        .output()
        .expect("run the demo");
    assert!(
        out.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The demo's steps, with the output printed under each `$ kubectl-rs …` line.
    let blocks: Vec<(&str, String)> = stdout
        .split("$ kubectl-rs ")
        .skip(1)
        .map(|b| {
            let (cmd, rest) = b.split_once('\n').unwrap();
            (cmd, rest.trim_end_matches('\n').to_string())
        })
        .collect();
    assert_eq!(blocks.len(), 9, "{stdout}");
    let reference = steps();
    let mut checked = 0;
    let mut next = 0;
    for (cmd, output) in &blocks {
        // The same command may appear twice (before and after a delete): take the recorded
        // steps in order.
        let Some(pos) = reference[next..]
            .iter()
            .position(|s| s.args.join(" ") == *cmd)
        else {
            continue;
        };
        let step = &reference[next + pos];
        next += pos + 1;
        if step.expected.stdout.is_empty() {
            // The reference printed to stderr (e.g. "No resources found"): so must we.
            assert!(output.is_empty(), "{cmd}: {output}");
            assert!(
                stderr.contains(step.expected.stderr.trim_end()),
                "{cmd}: {stderr}"
            );
        } else {
            assert_eq!(
                sort_random_siblings(&normalize(output)),
                sort_random_siblings(&normalize(step.expected.stdout.trim_end_matches('\n'))),
                "step `{cmd}`"
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 8,
        "only {checked} steps matched a reference command"
    );
}

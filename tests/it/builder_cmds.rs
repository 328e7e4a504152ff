//! `edit`, `patch` and `rollout` take their targets from the one resource builder: the order
//! of their errors and requests compared with the real kubectl (v1.33) on twin sandboxes,
//! with the objects on both servers compared after every case (see `builder.rs`).

use crate::builder::{both, write_files};
use crate::common::{oracle, TestEnv};

/// In file order: a missing config map, a kind the server does not serve, an existing config
/// map, a missing Deployment, then a nameless config map.
const STREAM: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: zz
---
apiVersion: v1
kind: Nope
metadata:
  name: q
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nope
---
apiVersion: v1
kind: ConfigMap
metadata:
  labels: {app: web}
";

/// For rollout, in file order: a missing Deployment, a config map (no rollouts), an existing
/// Deployment, a missing one.
const ROLLOUT_STREAM: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: zz
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nope
";

const NAMELESS: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  labels: {app: web}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_patch_rollout_report_in_kubectls_order() {
    if oracle().is_none() {
        return;
    }
    let (ours, theirs) = (TestEnv::start().await, TestEnv::start().await);
    write_files([&ours, &theirs]);
    for e in [&ours, &theirs] {
        std::fs::write(e.work.join("stream.yaml"), STREAM).unwrap();
        std::fs::write(e.work.join("rollout.yaml"), ROLLOUT_STREAM).unwrap();
        std::fs::write(e.work.join("nameless.yaml"), NAMELESS).unwrap();
    }
    both(&ours, &theirs, &["apply", "-f", "all.yaml"], false).await;
    let label = r#"{"metadata":{"labels":{"p":"1"}}}"#;
    let cases: &[&[&str]] = &[
        // `Latest`: the GETs and the stream's errors in file order; nothing is edited.
        &["edit", "-f", "stream.yaml"],
        &["edit", "-f", "all.yaml", "-f", "nope.yaml"],
        // Every named object is fetched before the editor opens: one missing stops it.
        &["edit", "cm", "a", "nope"],
        &["edit", "cm", "nope", "a"],
        &["edit", "cm/a", "deploy/nope"],
        // patch fetches and patches one object before the next: `a` is patched, `nope`
        // reported.
        &["patch", "cm", "a", "nope", "-p", label],
        &["patch", "cm", "nope", "b", "-p", label],
        // Without `Latest`: the objects as read, the readers' errors after the visit's; a
        // nameless object is patched locally with `--dry-run=client`.
        &["patch", "-f", "stream.yaml", "-p", "{}"],
        &["patch", "-f", "stream.yaml", "-p", "{}", "--dry-run=client"],
        &["patch", "-f", "stream.yaml", "-f", "all.yaml", "-p", label],
        // rollout visits in order: a name's GET error in its place; the `-f` stream's
        // errors (reading, `Latest`'s GETs) as one aggregate after the visit's, or first
        // for the patching subcommands (`Infos()`).
        &["rollout", "status", "cm", "a", "nope", "--watch=false"],
        &["rollout", "history", "cm", "nope", "a"],
        &["rollout", "status", "-f", "rollout.yaml", "--watch=false"],
        &["rollout", "history", "-f", "rollout.yaml"],
        &["rollout", "pause", "-f", "rollout.yaml"],
        &["rollout", "resume", "-f", "rollout.yaml"],
        // `RetrieveLatest` leaves a nameless object as read; the history viewer's GET fails.
        &["rollout", "history", "-f", "nameless.yaml"],
        // rollout lists a bare type; a list the server refuses names the resource.
        &["rollout", "pause", "deploy", "-l", "app=web"],
        &["rollout", "resume", "deployments"],
        &["rollout", "restart", "deploy", "-l", "a in (b"],
        &["rollout", "history", "deploy", "-l", "a in (b"],
    ];
    for args in cases {
        both(&ours, &theirs, args, false).await;
    }
}

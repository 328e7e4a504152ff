//! `create --edit` (kubectl's `EditBeforeCreateMode`): each object of the files opened in the
//! scripted editor on its own, what is saved created; unchanged objects cancelled one by
//! one, a refusal ending the command with the file kept; `--windows-line-endings`, `-o json`
//! in the editor, `--save-config`. Compared with kubectl on twin sandboxes.

use crate::common::{oracle, TestEnv};
use crate::editdiff::{edited_state, norm, ours_as_oracle, run, take_seen, write_editors};

const NEW: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: n1
data:
  a: \"1\"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: n2
data:
  b: \"1\"
";

const ONE: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: n3
data:
  c: \"1\"
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_edit_creates_what_the_editor_saved() {
    let env = TestEnv::manual_clock().await;
    let eds = tempfile::tempdir().unwrap();
    write_editors(eds.path());
    std::fs::write(env.work.join("new.yaml"), NEW).unwrap();
    let vars = [("KUBE_EDITOR", eds.path().join("value.sh"))];
    let vars: Vec<(&str, &str)> = vars
        .iter()
        .map(|(k, v)| (*k, v.to_str().unwrap()))
        .collect();
    let bin = env!("CARGO_BIN_EXE_kubectl-rs");
    let out = run(
        &env,
        bin,
        "cache-rs",
        &["create", "-f", "new.yaml", "--edit"],
        &vars,
    )
    .await;
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (
            0,
            "configmap/n1 created\n",
            "Edit cancelled, no changes made.\n"
        )
    );
    let seen = take_seen(eds.path());
    assert_eq!(seen.len(), 2, "one file per object: {seen:?}");
    assert!(
        seen[0].starts_with("# Please edit the object below."),
        "{}",
        seen[0]
    );
    let got = env
        .ours(&["get", "cm", "n1", "-o", "jsonpath={.data.a}"])
        .await;
    assert_eq!(got.stdout, "9");
    let got = env.ours(&["get", "cm", "n2"]).await;
    assert_eq!(got.code, 1, "an unchanged object is not created: {got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_edit_matches_kubectl_on_twin_sandboxes() {
    let Some(k) = oracle() else { return };
    let mine = TestEnv::manual_clock().await;
    let theirs = TestEnv::manual_clock().await;
    let ours_bin = ours_as_oracle(mine.dir.path(), k);
    let eds = tempfile::tempdir().unwrap();
    write_editors(eds.path());
    for env in [&mine, &theirs] {
        std::fs::write(env.work.join("new.yaml"), NEW).unwrap();
        std::fs::write(env.work.join("one.yaml"), ONE).unwrap();
    }
    let cases: &[(&str, &[&str], i32)] = &[
        // Nothing changed: each object cancelled, nothing created.
        ("same.sh", &["create", "-f", "new.yaml", "--edit"], 0),
        // The editor fails; the file is not YAML (reopened, then given up).
        ("fails.sh", &["create", "-f", "new.yaml", "--edit"], 1),
        ("garbage.sh", &["create", "-f", "new.yaml", "--edit"], 1),
        // Emptied: refused by the client-side check, reopened, given up.
        ("empty.sh", &["create", "-f", "one.yaml", "--edit"], 1),
        // The first object changed and created, the second cancelled.
        ("value.sh", &["create", "-f", "new.yaml", "--edit"], 0),
        // The server refuses n1 (it exists): its file is kept, and n2 is still created.
        (
            "both.sh",
            &[
                "create",
                "-f",
                "new.yaml",
                "--edit",
                "--windows-line-endings",
                "--save-config",
                "-o",
                "yaml",
            ],
            1,
        ),
        // JSON in the editor, CRLF line endings, the configuration saved.
        (
            "both.sh",
            &[
                "create",
                "-f",
                "one.yaml",
                "--edit",
                "--windows-line-endings",
                "--save-config",
                "-o",
                "json",
            ],
            0,
        ),
        // Bad input.
        (
            "same.sh",
            &["create", "-f", "new.yaml", "--edit", "-o", "name"],
            1,
        ),
        ("same.sh", &["create", "--edit"], 1),
        (
            "same.sh",
            &[
                "create",
                "-f",
                "new.yaml",
                "--edit",
                "--raw",
                "/api/v1/namespaces/default/configmaps",
            ],
            1,
        ),
    ];
    for (editor, args, code) in cases {
        let before = edited_state(&mine);
        assert_eq!(
            before,
            edited_state(&theirs),
            "sandboxes diverged before {args:?}"
        );
        let script = eds.path().join(editor);
        let tmp = eds.path().join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let vars = [
            ("KUBE_EDITOR", script.to_str().unwrap()),
            ("TMPDIR", tmp.to_str().unwrap()),
        ];
        let o_ours = norm(&run(&mine, &ours_bin, "cache-rs", args, &vars).await);
        let seen_ours = take_seen(eds.path());
        let o_theirs = norm(&run(&theirs, k, "cache-kubectl", args, &vars).await);
        let seen_theirs = take_seen(eds.path());
        crate::common::assert_same(&format!("{editor} {args:?}"), &o_ours, &o_theirs);
        assert_eq!(
            seen_ours, seen_theirs,
            "{editor} {args:?}: the editor saw different files"
        );
        assert_eq!(o_ours.code, *code, "{editor} {args:?}: {o_ours:?}");
        assert_eq!(
            edited_state(&mine),
            edited_state(&theirs),
            "{editor} {args:?}: servers differ after"
        );
        if *code != 0 && *editor != "both.sh" || *editor == "same.sh" {
            assert_eq!(
                edited_state(&mine),
                before,
                "{editor} {args:?} changed the server"
            );
        }
    }
}

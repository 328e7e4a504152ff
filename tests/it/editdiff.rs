//! `diff` (with `diff -u -N` and with an external program) and `edit` (driven by a scripted
//! editor), both CLIs against the same sandbox state: the same stdout, stderr and exit code,
//! and the server left as it was (diff) or changed the same way (edit, on twin sandboxes).

use std::collections::BTreeMap;

use crate::common::{normalize::normalize, oracle, Output, TestEnv};
use serde_json::Value;

const OBJECTS: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: c1
data:
  a: \"1\"
---
apiVersion: v1
kind: Secret
metadata:
  name: s1
data:
  x: eA==
  keep: eQ==
";

const CHANGED: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: c1
data:
  a: \"2\"
  b: new
---
apiVersion: v1
kind: Secret
metadata:
  name: s1
data:
  x: eg==
  keep: eQ==
  w: dw==
";

const NEW: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: fresh
data:
  k: v
---
apiVersion: v1
kind: Secret
metadata:
  name: fresh-secret
data:
  k: dg==
";

/// Every object in the `default` namespace and cluster-scoped, without status (the
/// controllers' part): what a command may have changed.
fn snapshot(env: &TestEnv) -> BTreeMap<String, Value> {
    let store = env.sandbox.store();
    let mut out = BTreeMap::new();
    for gr in store.resources() {
        let (items, _) = store.list(&gr, None);
        for mut o in items {
            let ns = o["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string();
            if ns.starts_with("kube-") || o["kind"] == "Event" || o["kind"] == "Lease" {
                continue;
            }
            if o["kind"] == "Node" {
                continue;
            }
            if let Some(m) = o.as_object_mut() {
                m.remove("status");
            }
            let name = o["metadata"]["name"].as_str().unwrap_or("").to_string();
            out.insert(format!("{gr:?} {ns}/{name}"), o);
        }
    }
    out
}

/// Temporary directory numbers, the file times of `---`/`+++` lines, klog headers, uids and
/// times become placeholders.
pub(crate) fn norm(o: &Output) -> Output {
    let fix = |t: &str| {
        let mut out = String::new();
        for line in t.split_inclusive('\n') {
            let mut l = line.to_string();
            for prefix in ["LIVE-", "MERGED-", "-edit-"] {
                let mut from = 0;
                while let Some(i) = l[from..].find(prefix) {
                    let start = from + i + prefix.len();
                    let end = l[start..]
                        .find(|c: char| !c.is_ascii_digit())
                        .map_or(l.len(), |e| start + e);
                    l.replace_range(start..end, "N");
                    from = start;
                }
            }
            if (l.starts_with("--- ") || l.starts_with("+++ ")) && l.contains('\t') {
                let cut = l.find('\t').unwrap_or(l.len());
                l = format!("{}\tTIME\n", &l[..cut]);
            }
            if l.starts_with('W') && l.contains(".go:") {
                let cut = l.find(']').unwrap_or(0);
                l = format!("W-HEADER{}", &l[cut..]);
            }
            out.push_str(&l);
        }
        normalize(&out)
    };
    Output {
        stdout: fix(&o.stdout),
        stderr: fix(&o.stderr),
        code: o.code,
    }
}

/// Runs `program` like `TestEnv::ours`/`kubectl`, with extra environment variables for the
/// child only.
pub(crate) async fn run(
    env: &TestEnv,
    program: &str,
    cache: &str,
    args: &[&str],
    vars: &[(&str, &str)],
) -> Output {
    let mut c = env.command(program, args, cache);
    for (k, v) in vars {
        c.env(k, v);
    }
    let out = c.output().await.expect("run");
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Both CLIs, normalised; panics when they differ. Returns ours.
async fn both(env: &TestEnv, oracle: &str, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let ours = norm(
        &run(
            env,
            env!("CARGO_BIN_EXE_kubectl-rs"),
            "cache-rs",
            args,
            vars,
        )
        .await,
    );
    let theirs = norm(&run(env, oracle, "cache-kubectl", args, vars).await);
    let ours_cmp = Output {
        stderr: ours.stderr.replace("kubectl-rs diff", "kubectl diff"),
        ..ours.clone()
    };
    crate::common::assert_same(&args.join(" "), &ours_cmp, &theirs);
    ours
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_matches_kubectl_and_changes_nothing() {
    let Some(k) = oracle() else { return };
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("objects.yaml"), OBJECTS).unwrap();
    std::fs::write(env.work.join("changed.yaml"), CHANGED).unwrap();
    std::fs::write(env.work.join("new.yaml"), NEW).unwrap();
    std::fs::write(
        env.work.join("extdiff.sh"),
        "#!/bin/sh\necho \"args: $*\"\nls \"$1\" \"$2\"\necho to-stderr >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::write(env.work.join("fails.sh"), "#!/bin/sh\nexit 3\n").unwrap();
    for f in ["extdiff.sh", "fails.sh"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(env.work.join(f), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let setup = env
        .ours(&[
            "apply",
            "-f",
            "objects.yaml",
            "-f",
            "node-exporter-daemonset.yaml",
        ])
        .await;
    assert_eq!(setup.code, 0, "{setup:?}");
    // An applied object the files do not mention: what --prune shows as deleted.
    let extra = env
        .ours(&[
            "create",
            "configmap",
            "extra",
            "--from-literal=k=v",
            "--save-config",
        ])
        .await;
    assert_eq!(extra.code, 0, "{extra:?}");
    let before = snapshot(&env);

    // Unchanged: no output, exit 0.
    let o = both(&env, k, &["diff", "-f", "objects.yaml"], &[]).await;
    assert_eq!((o.code, o.stdout.as_str()), (0, ""));
    // Changed (a DaemonSet's template and generation; Secret values masked): exit 1.
    let o = both(
        &env,
        k,
        &[
            "diff",
            "-f",
            "changed.yaml",
            "-f",
            "node-exporter-daemonset-v2.yaml",
        ],
        &[],
    )
    .await;
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("diff -u -N /tmp/LIVE-N/apps.v1.DaemonSet.default.node-exporter /tmp/MERGED-N/apps.v1.DaemonSet.default.node-exporter"), "{}", o.stdout);
    assert!(o.stdout.contains("-  x: '*** (before)'\n"), "{}", o.stdout);
    assert!(o.stdout.contains("+  x: '*** (after)'\n"), "{}", o.stdout);
    assert!(
        !o.stdout.contains("eg=="),
        "secret value leaked: {}",
        o.stdout
    );
    assert!(!o.stdout.contains("managedFields"), "{}", o.stdout);
    // Objects that do not exist yet: the server's dry-run create.
    let o = both(&env, k, &["diff", "-f", "new.yaml"], &[]).await;
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.contains("v1.ConfigMap.default.fresh"),
        "{}",
        o.stdout
    );
    // Managed fields on request, secrets shown on request.
    let o = both(
        &env,
        k,
        &["diff", "-f", "changed.yaml", "--show-managed-fields"],
        &[],
    )
    .await;
    assert!(o.stdout.contains("+  f:b: {}"), "{}", o.stdout);
    // An external program with its arguments: only plain words are passed, after the dirs.
    let o = both(
        &env,
        k,
        &["diff", "-f", "changed.yaml"],
        &[("KUBECTL_EXTERNAL_DIFF", "./extdiff.sh -a --b=c x/y 'q'")],
    )
    .await;
    assert_eq!(o.code, 1);
    assert!(
        o.stdout
            .starts_with("args: /tmp/LIVE-N /tmp/MERGED-N -a --b=c\n"),
        "{}",
        o.stdout
    );
    assert_eq!(o.stderr, "to-stderr\n");
    // A program that fails (>1), one that cannot be found: kubectl's error, exit 2.
    let o = both(
        &env,
        k,
        &["diff", "-f", "changed.yaml"],
        &[("KUBECTL_EXTERNAL_DIFF", "./fails.sh")],
    )
    .await;
    assert_eq!(o.code, 2);
    let o = both(
        &env,
        k,
        &["diff", "-f", "changed.yaml"],
        &[("KUBECTL_EXTERNAL_DIFF", "no-such-diff-program -u")],
    )
    .await;
    assert_eq!(o.code, 2);
    // Server-side as `kubectl`: the fields its client-side apply set are taken over without
    // conflicts (a v1.36.2 server exits 1 here too); then forced by another manager.
    let o = both(
        &env,
        k,
        &["diff", "-f", "changed.yaml", "--server-side"],
        &[],
    )
    .await;
    assert_eq!(o.code, 1, "{o:?}");
    let o = both(
        &env,
        k,
        &[
            "diff",
            "-f",
            "changed.yaml",
            "--server-side",
            "--force-conflicts",
            "--field-manager=other",
            "--concurrency=4",
        ],
        &[],
    )
    .await;
    assert_eq!(o.code, 1);
    // --prune with an allowlist: the applied ConfigMap not in the file shows as removed.
    let o = both(
        &env,
        k,
        &[
            "diff",
            "-f",
            "objects.yaml",
            "--prune",
            "--prune-allowlist=core/v1/ConfigMap",
        ],
        &[],
    )
    .await;
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.contains("v1.ConfigMap.default.extra"),
        "{}",
        o.stdout
    );
    // The default allowlist (the sandbox lacks some of its kinds: a warning, no pruning).
    both(
        &env,
        k,
        &["diff", "-f", "objects.yaml", "--prune", "-l", "app=x"],
        &[],
    )
    .await;
    // Bad input: kubectl's messages, exit 2.
    for args in [
        &["diff"][..],
        &["diff", "x", "-f", "objects.yaml"],
        &["diff", "-f", "objects.yaml", "--force-conflicts"],
        &["diff", "-f", "objects.yaml", "--concurrency=x"],
        &["diff", "-f", "nope.yaml"],
        &[
            "diff",
            "-f",
            "objects.yaml",
            "--prune",
            "--prune-allowlist=v1/ConfigMap",
        ],
        &[
            "diff",
            "-f",
            "objects.yaml",
            "--prune",
            "--prune-allowlist=apps/v1/Nope",
        ],
        &["diff", "-f", "unknown-kind.yaml"],
    ] {
        let o = both(&env, k, args, &[]).await;
        assert_eq!(o.code, 2, "{args:?}: {o:?}");
    }
    // A flag error is 2 as well (the message is the CLI-wide flag error's).
    let o = env.ours(&["diff", "-f", "objects.yaml", "--bogus"]).await;
    assert_eq!(o.code, 2, "{o:?}");
    assert_eq!(snapshot(&env), before, "diff changed the server");
}

/// kubectl-rs behind a symlink with the oracle's base name, so that the temporary files it
/// names after its program (`<prog>-edit-<n>.yaml`) and its `replace -f` advice read alike.
pub(crate) fn ours_as_oracle(dir: &std::path::Path, oracle: &str) -> String {
    let name = std::path::Path::new(oracle).file_name().unwrap();
    let link = dir.join(name);
    if !link.exists() {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kubectl-rs"), &link).unwrap();
    }
    link.to_string_lossy().into_owned()
}

/// The edit scripts: each gets the file as $1 and keeps a copy of every file it was shown
/// (`seen-<n>`) so that both CLIs' files can be compared.
const EDITORS: &[(&str, &str)] = &[
    ("same.sh", "true\n"),
    ("fails.sh", "exit 3\n"),
    ("value.sh", "sed -i 's/^  a: \"1\"/  a: \"9\"/' \"$1\"\n"),
    ("rename.sh", "sed -i 's/^  name: c1$/  name: other/' \"$1\"\n"),
    ("empty.sh", ": > \"$1\"\n"),
    ("garbage.sh", "printf 'apiVersion: v1\\nkind: [\\n' > \"$1\"\n"),
    (
        "replicas.sh",
        "if grep -q 'was not valid' \"$1\"; then sed -i 's/replicas: -1$/replicas: 2/' \"$1\"; else sed -i 's/^  replicas: 1$/  replicas: -1/' \"$1\"; fi\n",
    ),
    ("both.sh", "sed -i 's/\"1\"/\"5\"/' \"$1\"\n"),
];

pub(crate) fn write_editors(dir: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    for (name, body) in EDITORS {
        let script = format!(
            "#!/bin/sh\nn=$(ls \"$(dirname \"$0\")\" | grep -c '^seen-')\ncp \"$1\" \"$(dirname \"$0\")/seen-$n\"\n{body}"
        );
        let p = dir.join(name);
        std::fs::write(&p, script).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// The files an editor was shown, in order, normalised; then forgotten.
pub(crate) fn take_seen(dir: &std::path::Path) -> Vec<String> {
    let mut seen: Vec<(usize, String)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let n: usize = name.strip_prefix("seen-")?.parse().ok()?;
            let text = std::fs::read_to_string(e.path()).unwrap();
            std::fs::remove_file(e.path()).unwrap();
            Some((n, normalize(&text)))
        })
        .collect();
    seen.sort();
    seen.into_iter().map(|(_, t)| t).collect()
}

const EDIT_OBJECTS: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: c1
data:
  a: \"1\"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: c2
data:
  b: \"1\"
";

/// The objects of `default` a test edits, without what differs between two sandboxes.
pub(crate) fn edited_state(env: &TestEnv) -> String {
    let state: BTreeMap<String, Value> = snapshot(env)
        .into_iter()
        .filter(|(k, _)| k.contains(" default/"))
        .map(|(k, mut v)| {
            if let Some(m) = v["metadata"].as_object_mut() {
                for f in [
                    "uid",
                    "resourceVersion",
                    "creationTimestamp",
                    "managedFields",
                ] {
                    m.remove(f);
                }
            }
            (k, v)
        })
        .filter(|(k, v)| {
            (v["kind"] == "ConfigMap" && !k.contains("kube-root-ca")) || v["kind"] == "Deployment"
        })
        .map(|(k, mut v)| {
            // Set by the Deployment controller, whenever it runs.
            if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                if let Some(a) = m.get_mut("annotations").and_then(Value::as_object_mut) {
                    a.remove("deployment.kubernetes.io/revision");
                    if a.is_empty() {
                        m.remove("annotations");
                    }
                }
            }
            (k, v)
        })
        .collect();
    // The last-applied configuration --save-config writes holds the uid and times.
    normalize(&serde_json::to_string_pretty(&state).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_with_a_scripted_editor_matches_kubectl_on_twin_sandboxes() {
    let Some(k) = oracle() else { return };
    let mine = TestEnv::manual_clock().await;
    let theirs = TestEnv::manual_clock().await;
    let ours_bin = ours_as_oracle(mine.dir.path(), k);
    let eds = tempfile::tempdir().unwrap();
    write_editors(eds.path());
    for env in [&mine, &theirs] {
        std::fs::write(env.work.join("objects.yaml"), EDIT_OBJECTS).unwrap();
        let o = env.ours(&["apply", "-f", "objects.yaml"]).await;
        assert_eq!(o.code, 0, "{o:?}");
        let o = env
            .ours(&["create", "deployment", "web", "--image=nginx"])
            .await;
        assert_eq!(o.code, 0, "{o:?}");
    }
    let cases: &[(&str, &[&str], i32)] = &[
        // Nothing changed: cancelled, the server untouched.
        ("same.sh", &["edit", "cm/c1"], 0),
        // The editor fails: kubectl's error, nothing sent.
        ("fails.sh", &["edit", "cm/c1"], 1),
        // A name changed: refused, the file kept.
        ("rename.sh", &["edit", "cm/c1"], 1),
        // Emptied: kubectl's client-side check refuses it, reopens, and gives up; without
        // validation: cancelled.
        ("empty.sh", &["edit", "cm", "c1"], 1),
        ("empty.sh", &["edit", "cm", "c1", "--validate=false"], 0),
        ("garbage.sh", &["edit", "cm/c1", "--validate=ignore"], 1),
        // Not YAML: reopened with the syntax error on top; unchanged again: given up.
        ("garbage.sh", &["edit", "cm/c1"], 1),
        // A change, with the patch shown; JSON in the editor; CRLF line endings.
        ("value.sh", &["edit", "cm/c1", "--output-patch"], 0),
        ("same.sh", &["edit", "cm/c1", "-o", "json"], 0),
        (
            "both.sh",
            &[
                "edit",
                "cm/c1",
                "--windows-line-endings",
                "--save-config",
                "-o",
                "yaml",
            ],
            0,
        ),
        // Two objects as a List; one -f object.
        ("both.sh", &["edit", "cm/c1", "cm/c2"], 0),
        // -o is the editor's format too: only json and yaml.
        ("same.sh", &["edit", "cm/c1", "cm/c2", "-o", "name"], 1),
        ("same.sh", &["edit", "-f", "objects.yaml"], 0),
        // The server refuses: reopened with its reasons, then fixed.
        (
            "replicas.sh",
            &["edit", "deployment/web", "--output-patch"],
            0,
        ),
        // Bad input.
        ("same.sh", &["edit"], 1),
        ("same.sh", &["edit", "cm/nope"], 1),
        ("same.sh", &["edit", "cm/c1", "-o", "wide"], 1),
        ("same.sh", &["edit", "cm/c1", "--validate=maybe"], 1),
    ];
    for (editor, args, code) in cases {
        let before_mine = edited_state(&mine);
        assert_eq!(
            before_mine,
            edited_state(&theirs),
            "sandboxes diverged before {args:?}"
        );
        let script = eds.path().join(editor);
        let script = script.to_str().unwrap();
        let tmp = eds.path().join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let vars = [("KUBE_EDITOR", script), ("TMPDIR", tmp.to_str().unwrap())];
        let o_ours = norm(&run(&mine, &ours_bin, "cache-rs", args, &vars).await);
        let seen_ours = take_seen(eds.path());
        let o_theirs = norm(&run(&theirs, k, "cache-kubectl", args, &vars).await);
        let seen_theirs = take_seen(eds.path());
        crate::common::assert_same(&format!("edit {editor} {args:?}"), &o_ours, &o_theirs);
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
        if *code != 0 || *editor == "same.sh" || *editor == "empty.sh" {
            assert_eq!(
                edited_state(&mine),
                before_mine,
                "{editor} {args:?} changed the server"
            );
        }
    }
}

const PLAIN: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: plain
data:
  a: z
";

const MISSING: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: not-there
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_applied_view_and_set_match_kubectl_on_twin_sandboxes() {
    let Some(k) = oracle() else { return };
    let mine = TestEnv::manual_clock().await;
    let theirs = TestEnv::manual_clock().await;
    for env in [&mine, &theirs] {
        for (f, text) in [
            ("objects.yaml", EDIT_OBJECTS),
            ("changed.yaml", CHANGED),
            ("plain.yaml", PLAIN),
            ("missing.yaml", MISSING),
        ] {
            std::fs::write(env.work.join(f), text).unwrap();
        }
        let o = env.ours(&["apply", "-f", "objects.yaml"]).await;
        assert_eq!(o.code, 0, "{o:?}");
        let o = env
            .ours(&["create", "configmap", "plain", "--from-literal=a=b"])
            .await;
        assert_eq!(o.code, 0, "{o:?}");
    }
    let cases: &[(&[&str], i32)] = &[
        (&["apply", "view-last-applied", "cm/c1"], 0),
        (
            &[
                "apply",
                "view-last-applied",
                "configmap",
                "c1",
                "c2",
                "-o",
                "json",
            ],
            0,
        ),
        (
            &[
                "apply",
                "view-last-applied",
                "-f",
                "objects.yaml",
                "-o",
                "json",
            ],
            0,
        ),
        // No annotation: by name silently nothing (kubectl wraps a nil error).
        (&["apply", "view-last-applied", "cm/plain"], 0),
        (
            &["apply", "view-last-applied", "cm", "--all", "-o", "yaml"],
            0,
        ),
        (&["apply", "view-last-applied", "cm"], 1),
        (&["apply", "view-last-applied", "cm/c1", "-o", "wide"], 1),
        (&["apply", "view-last-applied"], 1),
        (&["apply", "view-last-applied", "cm/nope"], 1),
        // Set from a file: configured, then nothing to do; refused without the annotation
        // unless asked to create it; dry runs change nothing.
        (&["apply", "set-last-applied", "-f", "objects.yaml"], 0),
        (&["apply", "set-last-applied", "-f", "objects.yaml"], 0),
        (&["apply", "set-last-applied", "-f", "plain.yaml"], 1),
        (
            &[
                "apply",
                "set-last-applied",
                "-f",
                "plain.yaml",
                "--create-annotation",
                "--dry-run=client",
            ],
            0,
        ),
        (
            &[
                "apply",
                "set-last-applied",
                "-f",
                "plain.yaml",
                "--create-annotation",
                "--dry-run=server",
                "-o",
                "name",
            ],
            0,
        ),
        (
            &[
                "apply",
                "set-last-applied",
                "-f",
                "plain.yaml",
                "--create-annotation",
                "-o",
                "jsonpath={.metadata.annotations}",
            ],
            0,
        ),
        (&["apply", "view-last-applied", "cm/plain", "-o", "json"], 0),
        (&["apply", "set-last-applied", "-f", "missing.yaml"], 1),
        (&["apply", "set-last-applied"], 1),
    ];
    for (args, code) in cases {
        let before = edited_state(&mine);
        assert_eq!(
            before,
            edited_state(&theirs),
            "sandboxes diverged before {args:?}"
        );
        let ours = norm(
            &run(
                &mine,
                env!("CARGO_BIN_EXE_kubectl-rs"),
                "cache-rs",
                args,
                &[],
            )
            .await,
        );
        let kubectl = norm(&run(&theirs, k, "cache-kubectl", args, &[]).await);
        let ours_cmp = Output {
            stderr: ours.stderr.replace("kubectl-rs apply", "kubectl apply"),
            ..ours.clone()
        };
        crate::common::assert_same(&args.join(" "), &ours_cmp, &kubectl);
        assert_eq!(ours.code, *code, "{args:?}: {ours:?}");
        assert_eq!(
            edited_state(&mine),
            edited_state(&theirs),
            "{args:?}: servers differ after"
        );
        if *code != 0
            || args.iter().any(|a| a.starts_with("--dry-run"))
            || args[1] == "view-last-applied"
        {
            assert_eq!(edited_state(&mine), before, "{args:?} changed the server");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_last_applied_matches_kubectl_on_twin_sandboxes() {
    let Some(k) = oracle() else { return };
    let mine = TestEnv::manual_clock().await;
    let theirs = TestEnv::manual_clock().await;
    let ours_bin = ours_as_oracle(mine.dir.path(), k);
    let eds = tempfile::tempdir().unwrap();
    write_editors(eds.path());
    for env in [&mine, &theirs] {
        std::fs::write(env.work.join("objects.yaml"), EDIT_OBJECTS).unwrap();
        let o = env.ours(&["apply", "-f", "objects.yaml"]).await;
        assert_eq!(o.code, 0, "{o:?}");
        let o = env
            .ours(&["create", "configmap", "plain", "--from-literal=a=b"])
            .await;
        assert_eq!(o.code, 0, "{o:?}");
    }
    let cases: &[(&str, &[&str], i32)] = &[
        ("same.sh", &["apply", "edit-last-applied", "cm/c1"], 0),
        (
            "same.sh",
            &["apply", "edit-last-applied", "cm/c1", "-o", "json"],
            0,
        ),
        ("fails.sh", &["apply", "edit-last-applied", "cm/c1"], 1),
        ("rename.sh", &["apply", "edit-last-applied", "cm/c1"], 1),
        ("value.sh", &["apply", "edit-last-applied", "cm/c1"], 0),
        (
            "both.sh",
            &["apply", "edit-last-applied", "cm/c1", "cm/c2", "-o", "name"],
            1,
        ),
        (
            "both.sh",
            &[
                "apply",
                "edit-last-applied",
                "-f",
                "objects.yaml",
                "--windows-line-endings",
            ],
            0,
        ),
        ("same.sh", &["apply", "edit-last-applied", "cm/plain"], 1),
        ("same.sh", &["apply", "edit-last-applied"], 1),
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
        if *code != 0 || *editor == "same.sh" {
            assert_eq!(
                edited_state(&mine),
                before,
                "{editor} {args:?} changed the server"
            );
        }
    }
}

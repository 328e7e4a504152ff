//! The commands other than `get` of one list over many objects (issue 18): several types in
//! one `get`, `get -f`, `describe` of all objects of a type, `label`, `annotate` and `wait`
//! over selections, read page by page (`--chunk-size=2` where the command has it), byte for
//! byte what the real kubectl prints for the same state.

use crate::common;

use common::TestEnv;

/// ConfigMaps in two namespaces (one labelled), and an empty namespace.
async fn populated() -> Option<TestEnv> {
    common::oracle()?;
    let env = TestEnv::start().await;
    let run = |args: Vec<String>| {
        let env = &env;
        async move {
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = env.ours(&a).await;
            assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        }
    };
    for ns in ["other", "empty"] {
        run(vec!["create".into(), "namespace".into(), ns.into()]).await;
    }
    for i in 0..5 {
        run(vec![
            "create".into(),
            "configmap".into(),
            format!("cm-{}", 5 - i),
            // One key: kubectl describes a ConfigMap's data in Go's map order.
            format!("--from-literal=k=v{i}\nline two\n"),
        ])
        .await;
    }
    for i in 0..3 {
        run(vec![
            "create".into(),
            "configmap".into(),
            format!("o-{i}"),
            "-n".into(),
            "other".into(),
        ])
        .await;
    }
    run(vec![
        "label".into(),
        "configmap".into(),
        "cm-3".into(),
        "tier=a".into(),
    ])
    .await;
    Some(env)
}

/// Runs `args` with both CLIs and collects a difference.
async fn compare(env: &TestEnv, args: &[&str], diffs: &mut Vec<String>) {
    compare_with(env, args, args, diffs).await;
}

/// Runs kubectl with `theirs` and kubectl-rs with `ours`, and collects a difference.
async fn compare_with(env: &TestEnv, theirs: &[&str], ours: &[&str], diffs: &mut Vec<String>) {
    let what = if theirs == ours {
        format!("{ours:?}")
    } else {
        format!("{theirs:?} / {ours:?}")
    };
    let theirs = env.kubectl(theirs).await.expect("oracle");
    let ours = env.ours(ours).await;
    if ours != theirs {
        diffs.push(format!(
            "{what}:\n--- kubectl ({})\n{}{}\n--- kubectl-rs ({})\n{}{}",
            theirs.code, theirs.stdout, theirs.stderr, ours.code, ours.stdout, ours.stderr
        ));
    }
}

fn check(diffs: Vec<String>) {
    assert!(
        diffs.is_empty(),
        "{} case(s) differ:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}

/// Several types, named objects and objects read from files, in the formats that are
/// written as each answer comes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_types_and_files_print_as_kubectl() {
    let Some(env) = populated().await else { return };
    // Objects named in a file, one missing, one in another namespace than `-n`.
    let file = env.work.join("many.yaml");
    let mut text = String::new();
    for (name, ns) in [
        ("cm-1", "default"),
        ("gone", "default"),
        ("cm-4", "default"),
        ("o-1", "other"),
        ("cm-2", "default"),
    ] {
        text.push_str(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\n---\n"
        ));
    }
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    let mut diffs = Vec::new();
    for format in [
        "json",
        "yaml",
        "name",
        "jsonpath={range .items[*]}{.kind}/{.metadata.name}{\"\\n\"}{end}",
        "jsonpath={.items[*].metadata.name}",
        "custom-columns=KIND:.kind,NAME:.metadata.name",
    ] {
        let scopes: &[&[&str]] = &[
            &["get", "configmaps,services", "--chunk-size=2"],
            &["get", "configmaps,services", "--chunk-size=2", "-A"],
            &[
                "get",
                "configmaps,services",
                "--chunk-size=2",
                "-n",
                "empty",
            ],
            &[
                "get",
                "configmaps,services",
                "-n",
                "empty",
                "--ignore-not-found",
            ],
            &["get", "configmaps,nope", "--chunk-size=2"],
            &["get", "configmaps", "cm-1", "cm-4", "gone"],
            &["get", "cm/cm-2", "svc/kubernetes", "cm/nope"],
            &["get", "-f", file],
            &["get", "-f", file, "-n", "other"],
            &["get", "-f", file, "-l", "tier=a"],
            &["get", "-f", file, "--ignore-not-found"],
        ];
        for scope in scopes {
            let mut args = scope.to_vec();
            args.extend(["-o", format]);
            compare(&env, &args, &mut diffs).await;
        }
    }
    check(diffs);
}

/// `describe` of every object of a type, several pages long: each page described as it
/// comes; events by default only for a single object.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_of_many_objects_prints_as_kubectl() {
    let Some(env) = populated().await else { return };
    let mut diffs = Vec::new();
    // kubectl v1.33 shows events for every object where v1.36 shows them for one: the
    // comparisons with several objects say which.
    for args in [
        &[
            "describe",
            "configmaps",
            "--chunk-size=2",
            "--show-events=false",
        ][..],
        &[
            "describe",
            "configmaps",
            "--chunk-size=1",
            "--show-events=true",
        ],
        &[
            "describe",
            "configmaps",
            "-A",
            "--chunk-size=2",
            "--show-events=false",
        ],
        &[
            "describe",
            "configmaps,services",
            "--chunk-size=2",
            "--show-events=false",
        ],
        &["describe", "configmaps", "-l", "tier=a", "--chunk-size=1"],
        &["describe", "configmaps", "-l", "tier=a"],
        &[
            "describe",
            "configmaps",
            "-l",
            "tier=nothing",
            "--chunk-size=1",
        ],
        &["describe", "configmaps", "-n", "empty", "--chunk-size=2"],
        &["describe", "configmaps", "-A", "-l", "none=here"],
    ] {
        compare(&env, args, &mut diffs).await;
    }
    check(diffs);
}

/// `label`, `annotate` and `wait` over selections: each list read page by page to disk,
/// then each object visited in list order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_annotate_and_wait_over_selections_print_as_kubectl() {
    let Some(env) = populated().await else { return };
    let mut diffs = Vec::new();
    // Each CLI writes its own key (`k`, `r`), so that both see the same state and change
    // every object.
    let cases: &[&[&str]] = &[
        &["label", "configmaps", "--all", "KEY=1"],
        &["label", "configmaps", "--all", "--overwrite", "KEY=2"],
        &[
            "label",
            "configmaps",
            "-A",
            "--all",
            "--overwrite",
            "KEY=3",
            "-o",
            "name",
        ],
        &[
            "label",
            "configmaps",
            "-l",
            "tier=a",
            "--overwrite",
            "KEY=4",
            "--dry-run=server",
        ],
        &["label", "configmaps", "-l", "tier=none", "KEY=5"],
        &["annotate", "configmaps", "--all", "KEY=1"],
        &[
            "annotate",
            "configmaps",
            "-A",
            "--all",
            "--overwrite",
            "KEY=2",
            "-o",
            "jsonpath={.metadata.name} ",
        ],
        &[
            "annotate",
            "configmaps",
            "--field-selector",
            "metadata.name=cm-2",
            "--overwrite",
            "KEYx=3",
        ],
        &[
            "wait",
            "configmaps",
            "--all",
            "--for=jsonpath={.kind}=ConfigMap",
            "--timeout=20s",
        ],
        &[
            "wait",
            "configmaps",
            "-A",
            "--all",
            "--for=create",
            "--timeout=20s",
        ],
        &[
            "wait",
            "configmaps",
            "-l",
            "tier=a",
            "--for=jsonpath={.metadata.labels.tier}=a",
            "--timeout=20s",
            "-o",
            "name",
        ],
        &[
            "wait",
            "configmaps",
            "-n",
            "empty",
            "--all",
            "--for=jsonpath={.kind}",
            "--timeout=5s",
        ],
    ];
    for args in cases {
        let with = |v: &str| -> Vec<String> { args.iter().map(|a| a.replace("KEY", v)).collect() };
        let (k, r) = (with("k"), with("r"));
        let k: Vec<&str> = k.iter().map(String::as_str).collect();
        let r: Vec<&str> = r.iter().map(String::as_str).collect();
        compare_with(&env, &k, &r, &mut diffs).await;
    }
    check(diffs);
    // What the visits did: every object holds our label and annotation.
    let out = env
        .ours(&[
            "get",
            "configmaps",
            "-A",
            "-o",
            "jsonpath={range .items[*]}{.metadata.labels.r}{.metadata.annotations.r}{\" \"}{end}",
        ])
        .await;
    let words: Vec<&str> = out.stdout.split_whitespace().collect();
    assert!(
        words.len() >= 8 && words.iter().all(|w| *w == "32"),
        "{}{}",
        out.stdout,
        out.stderr
    );
}

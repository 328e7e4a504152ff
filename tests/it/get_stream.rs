//! `get` of one list printed page by page (issue 18): every output format, over lists of
//! several pages (`--chunk-size=2`), an empty list, several namespaces (`-A`), with and
//! without `--sort-by`, byte for byte what the real kubectl prints for the same state.

use crate::common;

use common::TestEnv;

/// ConfigMaps whose YAML and JSON exercise the printers: long values that fold at column
/// 80, multi-line values, characters JSON escapes, a missing key for the templates.
async fn populated() -> Option<TestEnv> {
    common::oracle()?;
    let env = TestEnv::start().await;
    let long = "a value long enough to be folded by the yaml emitter at column eighty, twice over: one two three four five six seven eight nine ten eleven twelve";
    let run = |args: Vec<String>| {
        let env = &env;
        async move {
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = env.ours(&a).await;
            assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        }
    };
    run(vec!["create".into(), "namespace".into(), "other".into()]).await;
    run(vec!["create".into(), "namespace".into(), "empty".into()]).await;
    for i in 0..7 {
        let mut args = vec![
            "create".to_string(),
            "configmap".into(),
            format!("cm-{}", 7 - i),
            format!("--from-literal=long={long} {i}"),
            "--from-literal=multi=line one\nline two\n".into(),
            "--from-literal=esc=<a href=\"x\">&</a> é".into(),
        ];
        if i % 2 == 0 {
            args.push(format!("--from-literal=k=v{i}"));
        }
        run(args).await;
    }
    // Labels, for the sorted table's label columns.
    run(vec![
        "label".into(),
        "configmap".into(),
        "cm-3".into(),
        "tier=a".into(),
        "app=x".into(),
    ])
    .await;
    for i in 0..3 {
        run(vec![
            "create".into(),
            "configmap".into(),
            format!("o-{i}"),
            "-n".into(),
            "other".into(),
            format!("--from-literal=k=o{i}"),
        ])
        .await;
    }
    Some(env)
}

const FORMATS: &[&str] = &[
    "json",
    "yaml",
    "name",
    "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\t\"}{.data.k}{\"\\n\"}{end}",
    "jsonpath={.items[*].metadata.name}",
    "jsonpath=<{.items[*].data.k}>",
    "custom-columns=NAME:.metadata.name,K:.data.k,NS:.metadata.namespace",
    // Whole-list templates (not streamed) stay as they were.
    "jsonpath-as-json={.items[*].metadata.name}",
    "jsonpath={.items[0].metadata.name} {.kind}",
    "go-template={{range .items}}{{.metadata.name}} {{.data.k}}{{\"\\n\"}}{{end}}",
    // Fails on the first item with a `k`: the output so far, then the debugging dump.
    "go-template={{range .items}}{{.metadata.name}} {{.data.k.x}}{{end}}",
    "go-template={{len .items}} {{(index .items 0).metadata.name}} {{.kind}}{{range $i, $e := .items}}{{if eq $i 2}}{{break}}{{end}}[{{$e.metadata.name}}]{{end}}",
    "jsonpath-as-json={range .items[*]}{.metadata.name}{.data.k}{end}",
    // Whole-list templates run over the spool, one item at a time.
    "jsonpath={.kind} {.items[*].metadata.name}",
    "jsonpath={.items[-1].metadata.name}|{.items[1:3].metadata.name}|{.items[2].data}",
    "jsonpath={.items[?(@.data.k==\"v2\")].metadata.name}{range .items[*]}{.metadata.name}{range .metadata.labels}{@}{end}{\"\\n\"}{end}",
    "jsonpath-as-json={.apiVersion}{.items[*].data.k}",
    // Fails when the list has fewer than 5 items: the error dumps the whole list.
    "jsonpath={.items[4].metadata.name}",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_streams_as_kubectl_prints_it() {
    let Some(env) = populated().await else { return };
    let scopes: &[&[&str]] = &[
        &["--chunk-size=2"],
        &["--chunk-size=2", "-A"],
        &["--chunk-size=3", "-n", "other"],
        &["--chunk-size=2", "-n", "empty"],
        &["--chunk-size=2", "-n", "empty", "--ignore-not-found"],
        &["--chunk-size=2", "--sort-by=.metadata.name"],
        &["--chunk-size=2", "-A", "--sort-by=.metadata.uid"],
        &["--chunk-size=2", "-n", "other", "--sort-by={.data.k}"],
        &["--chunk-size=0"],
        &["--chunk-size=2", "-l", "nothing=here", "-A"],
        &["--chunk-size=2", "--show-managed-fields"],
        // Sorted from the pages' bytes: the sort's errors, keys of every kind, a key that
        // needs the list's kind filled into each item.
        &["--chunk-size=2", "-A", "--sort-by=.nothing"],
        &["--chunk-size=2", "-A", "--sort-by=.metadata.namespace"],
        &["--chunk-size=2", "--sort-by=.metadata.resourceVersion"],
        &["--chunk-size=2", "--sort-by=.kind"],
        &["--chunk-size=2", "-n", "empty", "--sort-by=.metadata.name"],
        &[
            "--chunk-size=2",
            "-n",
            "empty",
            "--sort-by=.x",
            "--ignore-not-found",
        ],
        &[
            "--chunk-size=2",
            "--sort-by=.metadata.name",
            "--show-managed-fields",
        ],
        &["--chunk-size=2", "--allow-missing-template-keys=false"],
        // A sorted table keeps of each row's object only what it prints (labels, namespace).
        &[
            "--chunk-size=2",
            "-A",
            "--sort-by=.metadata.uid",
            "-L",
            "tier",
            "--show-labels",
        ],
    ];
    let mut diffs = Vec::new();
    // "" is the default table.
    for format in FORMATS.iter().chain(&["", "wide"]) {
        for scope in scopes {
            let mut args = vec!["get", "configmaps"];
            if !format.is_empty() {
                args.extend(["-o", format]);
            }
            args.extend_from_slice(scope);
            // A table's AGE column follows the wall clock: the two runs may fall in
            // different seconds.
            let table = matches!(*format, "" | "wide");
            let mut theirs = env.kubectl(&args).await.expect("oracle");
            let mut ours = env.ours(&args).await;
            if table {
                theirs.stdout = mask_ages(&theirs.stdout);
                ours.stdout = mask_ages(&ours.stdout);
            }
            if ours != theirs {
                diffs.push(format!(
                    "{args:?}:\n--- kubectl ({})\n{}{}\n--- kubectl-rs ({})\n{}{}",
                    theirs.code, theirs.stdout, theirs.stderr, ours.code, ours.stdout, ours.stderr
                ));
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "{} case(s) differ:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}

/// Every age-like word (`3m2s`, `45s`, `10m`…) masked with `~` to its width.
fn mask_ages(text: &str) -> String {
    let is_age = |t: &str| {
        t.starts_with(|c: char| c.is_ascii_digit())
            && t.chars().any(|c| "smhdy".contains(c))
            && t.chars().all(|c| c.is_ascii_digit() || "smhdy".contains(c))
    };
    text.lines()
        .map(|l| {
            // Each age-like word (AGE is not always the last column: `-L`, `--show-labels`),
            // masked to its width so that the alignment is still compared.
            let words: Vec<String> = l
                .split(' ')
                .map(|w| {
                    if is_age(w) {
                        "~".repeat(w.len())
                    } else {
                        w.to_string()
                    }
                })
                .collect();
            format!("{}\n", words.join(" "))
        })
        .collect()
}

/// `-o kyaml` (v1.36, unknown to the kubectl.1.33 oracle): the list written page by page, or
/// from the spool when sorted, is the document the whole-list printer writes for the same
/// objects named one by one (in list order).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kyaml_pages_print_as_the_whole_list() {
    let Some(env) = populated().await else { return };
    // (One object named alone prints as itself, not as a List: namespaces of several.)
    for ns in ["default", "other"] {
        let names = env
            .ours(&["get", "configmaps", "-n", ns, "-o", "name"])
            .await;
        assert_eq!(names.code, 0, "{}", names.stderr);
        let mut whole = vec!["get", "-n", ns, "-o", "kyaml"];
        whole.extend(names.stdout.lines());
        let whole = env.ours(&whole).await;
        assert_eq!(whole.code, 0, "{}", whole.stderr);
        for extra in [
            &[][..],
            &["--sort-by=.metadata.name"],
            &["--show-managed-fields"],
        ] {
            let mut args = vec![
                "get",
                "configmaps",
                "-n",
                ns,
                "-o",
                "kyaml",
                "--chunk-size=2",
            ];
            args.extend_from_slice(extra);
            let paged = env.ours(&args).await;
            assert_eq!(paged.code, 0, "{args:?}: {}", paged.stderr);
            if extra.is_empty() || extra[0].starts_with("--sort") {
                assert_eq!(paged.stdout, whole.stdout, "{args:?}");
            } else {
                assert!(paged.stdout.contains("managedFields: ["), "{args:?}");
            }
        }
    }
}

/// Ties and missing sort keys over more than 12 objects (where Go's `sort.Sort` stops being an
/// insertion sort, so kubectl's order of ties is not the list order) in every sorted path:
/// the sorted table, the spooled formats and custom-columns, over pages of 2 and of 7.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorted_ties_in_kubectls_order() {
    if common::oracle().is_none() {
        return;
    }
    let env = TestEnv::start().await;
    let mut manifest = String::new();
    for i in 1..=30 {
        // Three values, and every fifth object without the key.
        let data = match i % 5 {
            0 => String::new(),
            _ => format!("data: {{k: \"v{}\"}}\n", i * 7 % 3),
        };
        manifest.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i:02}, namespace: ties}}\n{data}"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cms.yaml");
    std::fs::write(&file, manifest).unwrap();
    let out = env.ours(&["create", "namespace", "ties"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = env.ours(&["apply", "-f", file.to_str().unwrap()]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut diffs = Vec::new();
    for format in [
        "",
        "wide",
        "name",
        "json",
        "yaml",
        "custom-columns=N:.metadata.name",
    ] {
        for chunk in ["--chunk-size=2", "--chunk-size=7"] {
            for key in ["--sort-by=.data.k", "--sort-by=.metadata.namespace"] {
                let mut args = vec!["get", "configmaps", "-n", "ties", chunk, key];
                if !format.is_empty() {
                    args.extend(["-o", format]);
                }
                let mut theirs = env.kubectl(&args).await.expect("oracle");
                let mut ours = env.ours(&args).await;
                // AGE is the last column: masked whole, its width may differ under load.
                let ages = |t: &str| {
                    let mut t = mask_ages(t);
                    while t.contains("~~") {
                        t = t.replace("~~", "~");
                    }
                    t
                };
                theirs.stdout = ages(&theirs.stdout);
                ours.stdout = ages(&ours.stdout);
                if ours != theirs {
                    diffs.push(format!(
                        "{args:?}:\n--- kubectl ({})\n{}{}\n--- kubectl-rs ({})\n{}{}",
                        theirs.code,
                        theirs.stdout,
                        theirs.stderr,
                        ours.code,
                        ours.stdout,
                        ours.stderr
                    ));
                }
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "{} case(s) differ:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}

/// Tables of several answers (issue 18): printed as they come once the kind prefix is
/// settled, and sorted as kubectl sorts them: with two answers or more, the answers
/// themselves by the path (server Tables by their own fields; a path none has is an error),
/// plain lists flattened into their items, then each Table's rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_answers_as_tables_as_kubectl() {
    let Some(env) = populated().await else { return };
    let cases: &[&[&str]] = &[
        &["get", "namespaces,configmaps", "-A"],
        &[
            "get",
            "configmaps,namespaces",
            "-A",
            "-o",
            "wide",
            "--show-labels",
        ],
        &["get", "configmaps,namespaces", "-A", "--server-print=false"],
        &["get", "configmaps,nope,namespaces", "--chunk-size=2"],
        &["get", "configmaps,services", "-n", "empty"],
        &["get", "cm/cm-1", "ns/other", "cm/cm-2"],
        &["get", "namespaces,configmaps", "--sort-by=.x"],
        &["get", "namespaces,configmaps", "--sort-by=.metadata.name"],
        &["get", "namespaces,configmaps", "--sort-by=.kind", "-A"],
        &[
            "get",
            "configmaps,namespaces",
            "--sort-by=.metadata.resourceVersion",
        ],
        &[
            "get",
            "configmaps",
            "cm-2",
            "cm-1",
            "--sort-by=.metadata.name",
        ],
        &["get", "configmaps", "cm-2", "--sort-by=.metadata.name"],
        &[
            "get",
            "namespaces,configmaps",
            "-A",
            "--sort-by=.metadata.name",
            "--server-print=false",
        ],
        &[
            "get",
            "configmaps",
            "--sort-by=.x",
            "--server-print=false",
            "-n",
            "other",
        ],
        &[
            "get",
            "configmaps",
            "o-1",
            "--sort-by=.x",
            "--server-print=false",
            "-n",
            "other",
        ],
    ];
    let mut diffs = Vec::new();
    for args in cases {
        let mut theirs = env.kubectl(args).await.expect("oracle");
        let mut ours = env.ours(args).await;
        theirs.stdout = mask_ages(&theirs.stdout);
        ours.stdout = mask_ages(&ours.stdout);
        if ours != theirs {
            diffs.push(format!(
                "{args:?}:\n--- kubectl ({})\n{}{}\n--- kubectl-rs ({})\n{}{}",
                theirs.code, theirs.stdout, theirs.stderr, ours.code, ours.stdout, ours.stderr
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} case(s) differ:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}

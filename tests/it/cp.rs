//! `cp` both ways between the local disk and containers the sandbox simulates: the real
//! kubectl and kubectl-rs copy the same files (each into its own destination) and must print
//! the same bytes, exit with the same code and leave the same files. The clock is manual.

use std::path::Path;
use std::time::Duration;

use crate::common::{advancing, assert_same, Output, TestEnv};
use serde_json::Value;

const POD: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: box}
spec:
  containers:
  - {name: main, image: busybox, command: [sh, -c, 'mkdir -p /srv/site/sub; echo hi > /srv/site/index.html; echo deep > /srv/site/sub/a.txt; sleep infinity']}
  - {name: side, image: busybox, command: [sh, -c, 'sleep infinity']}
"#;

fn running(env: &TestEnv) -> bool {
    env.sandbox
        .store()
        .get(
            &kubectl_rs::sandbox::store::GroupResource::new("", "pods"),
            "default",
            "box",
        )
        .is_some_and(|p: Value| {
            p["status"]["containerStatuses"]
                .as_array()
                .is_some_and(|cs| cs.iter().all(|c| c["state"]["running"].is_object()))
        })
}

/// Runs `args` with `{D}` replaced by a destination of each CLI's own.
/// From a pod, kubectl prints the remote stderr from a goroutine that races its exit, so its
/// stdout is compared only when the copy failed.
async fn both(env: &TestEnv, args: &[&str], ours_d: &str, theirs_d: &str) -> Output {
    let fill = |d: &str| -> Vec<String> { args.iter().map(|a| a.replace("{D}", d)).collect() };
    let a = fill(ours_d);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let ours = env.ours(&a).await;
    let b = fill(theirs_d);
    let b: Vec<&str> = b.iter().map(String::as_str).collect();
    if let Some(theirs) = env.kubectl(&b).await {
        let racy = theirs.code == 0 && args.iter().skip(1).any(|a| a.starts_with("box:"));
        let norm = |o: Output| Output {
            stdout: if racy {
                ours.stdout.clone()
            } else {
                o.stdout.replace(theirs_d, ours_d)
            },
            stderr: o.stderr.replace(theirs_d, ours_d),
            ..o
        };
        assert_same(&args.join(" "), &ours, &norm(theirs));
    }
    ours
}

fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(root).unwrap().display().to_string();
            if e.file_type().unwrap().is_dir() {
                out.push((format!("{rel}/"), Vec::new()));
                stack.push(e.path());
            } else {
                out.push((rel, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cp_both_ways_matches_kubectl() {
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pod.yaml"), POD).unwrap();
    assert_eq!(env.ours(&["apply", "-f", "pod.yaml"]).await.code, 0);
    advancing(&env, Duration::from_millis(500), || async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        running(&env)
    })
    .await;
    let oracle = crate::common::oracle().is_some();
    // From the pod: a file and a directory; the remote tar's notice goes to stdout.
    let f = both(
        &env,
        &["cp", "-c", "main", "box:/srv/site/index.html", "{D}"],
        "mine.html",
        "theirs.html",
    )
    .await;
    assert_eq!(f.code, 0, "{f:?}");
    assert_eq!(f.stdout, "tar: Removing leading `/' from member names\n");
    assert_eq!(std::fs::read(env.work.join("mine.html")).unwrap(), b"hi\n");
    if oracle {
        assert_eq!(
            std::fs::read(env.work.join("theirs.html")).unwrap(),
            b"hi\n"
        );
    }
    let d = both(
        &env,
        &["cp", "box:/srv/site", "{D}"],
        "mine-dir",
        "theirs-dir",
    )
    .await;
    assert_eq!(d.code, 0, "{d:?}");
    assert!(
        d.stdout
            .starts_with("Defaulted container \"main\" out of: main, side\n"),
        "{d:?}"
    );
    let got = tree(&env.work.join("mine-dir"));
    assert_eq!(
        got,
        vec![
            ("index.html".to_string(), b"hi\n".to_vec()),
            ("sub/".to_string(), vec![]),
            ("sub/a.txt".to_string(), b"deep\n".to_vec()),
        ]
    );
    if oracle {
        assert_eq!(tree(&env.work.join("theirs-dir")), got);
    }
    // To the pod: a file into an existing directory, a directory under a new name.
    std::fs::create_dir_all(env.work.join("up/inner")).unwrap();
    std::fs::write(env.work.join("up/one.txt"), "one\n").unwrap();
    std::fs::write(env.work.join("up/inner/two.txt"), "two\n").unwrap();
    let up = both(
        &env,
        &["cp", "-c", "main", "up/one.txt", "box:/tmp/{D}"],
        "ours",
        "theirs",
    )
    .await;
    assert_eq!(
        (up.code, up.stdout.as_str(), up.stderr.as_str()),
        (0, "", ""),
        "{up:?}"
    );
    let updir = both(
        &env,
        &[
            "cp",
            "-c",
            "main",
            "--no-preserve",
            "up",
            "box:/tmp/{D}-dir",
        ],
        "ours",
        "theirs",
    )
    .await;
    assert_eq!(updir.code, 0, "{updir:?}");
    for who in if oracle {
        vec!["ours", "theirs"]
    } else {
        vec!["ours"]
    } {
        let cat = env
            .ours(&[
                "exec",
                "box",
                "-c",
                "main",
                "--",
                "cat",
                &format!("/tmp/{who}"),
                &format!("/tmp/{who}-dir/one.txt"),
                &format!("/tmp/{who}-dir/inner/two.txt"),
            ])
            .await;
        assert_eq!(cat.stdout, "one\none\ntwo\n", "{who}: {cat:?}");
    }
    // Errors; nothing on the server changes.
    let before = env.ours(&["get", "pods", "-o", "json"]).await;
    for (args, code) in [
        (&["cp", "box:/a", "box:/b"][..], 1),
        (&["cp", "a", "b"], 1),
        (&["cp", "a"], 1),
        (&["cp", ":a", "b"], 1),
        (&["cp", "x/y/z:a", "b"], 1),
        (&["cp", "nope.txt", "box:/tmp"], 1),
        (&["cp", "box:", "b"], 1),
        (&["cp", "nopod:/etc/hostname", "b"], 1),
        (&["cp", "-c", "main", "box:/no/such", "{D}"], 0),
        (&["cp", "-c", "zz", "box:/etc/hostname", "{D}"], 1),
    ] {
        let out = both(&env, args, "o-err", "t-err").await;
        assert_eq!(out.code, code, "{args:?}: {out:?}");
    }
    let after = env.ours(&["get", "pods", "-o", "json"]).await;
    assert_eq!(before, after);
}

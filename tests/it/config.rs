//! `config set` and `config unset` against the real kubectl: each case runs both CLIs on a copy
//! of the same kubeconfig and compares the file they leave, stdout, stderr and exit code.
//! Without the oracle installed the comparisons are skipped.

use crate::common;

use std::path::Path;
use std::process::Command;

const INPUT: &str = "apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster:
    server: https://a:1
contexts:
- name: x
  context:
    cluster: c1
    user: u1
current-context: x
users:
- name: u1
  user:
    token: t
";

struct Run {
    file: String,
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn run(program: &str, dir: &Path, args: &[&str]) -> Run {
    let kc = dir.join("config");
    std::fs::write(&kc, INPUT).unwrap();
    let out = Command::new(program)
        .arg("--kubeconfig")
        .arg(&kc)
        .args(args)
        .env_clear()
        .env("HOME", dir)
        // v1.33 lists no kyaml among the formats it knows; v1.36 (and kubectl-rs) do.
        .env("KUBECTL_KYAML", "false")
        .output()
        .unwrap();
    // kubectl prints Go pointers in some errors (`map[c1:0xc000780c00]`).
    let addresses = |s: &[u8]| {
        let s = String::from_utf8_lossy(s);
        let mut out = String::new();
        let mut rest = s.as_ref();
        while let Some(i) = rest.find("0x") {
            out.push_str(&rest[..i + 2]);
            rest = rest[i + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
        }
        out + rest
    };
    Run {
        file: std::fs::read_to_string(&kc).unwrap(),
        stdout: addresses(&out.stdout),
        stderr: addresses(&out.stderr),
        code: out.status.code(),
    }
}

#[test]
fn set_and_unset_edit_the_file_as_kubectl_does() {
    let Some(kubectl) = common::oracle() else {
        return;
    };
    let cases: &[&[&str]] = &[
        &["set", "clusters.c1.server", "https://b:2"],
        &["set", "clusters.10.0.0.1.server", "https://10.0.0.1"],
        &["set", "clusters.new.insecure-skip-tls-verify", "true"],
        &["set", "clusters.c1.insecure-skip-tls-verify", "yes"],
        &["set", "clusters.c1.certificate-authority-data", "aGVsbG8="],
        &["set", "clusters.c1.certificate-authority-data", "hello"],
        &[
            "set",
            "users.u1.client-key-data",
            "hi",
            "--set-raw-bytes=true",
        ],
        &["set", "users.u1.act-as", "bob"],
        &["set", "users.u1.act-as-groups", "a,b"],
        &["set", "users.u1.token", "t"],
        &["set", "contexts.x.namespace", "ns1"],
        &["set", "current-context", "y"],
        &["set", "preferences.colors", "1"],
        &["set", "kind", "Foo"],
        &["set", "clusters.c1", "x"],
        &["set", "clusters.c1.nope", "1"],
        &["set", "clusters.c1.server.x", "1"],
        &["set", "nope.x", "1"],
        &["set", "preferences.nope", "1"],
        &["set", "current-context", ""],
        &["unset", "clusters.c1"],
        &["unset", "clusters.c1.server"],
        &["unset", "clusters.nope.server"],
        &["unset", "current-context"],
        &["unset", "contexts.x"],
        &["unset", "users.u1.exec"],
        &["unset", "preferences.colors"],
        &["unset", "clusters"],
        &["unset", "nope"],
    ];
    let ours_dir = tempfile::tempdir().unwrap();
    let theirs_dir = tempfile::tempdir().unwrap();
    for case in cases {
        let mut args = vec!["config"];
        args.extend_from_slice(case);
        let ours = run(env!("CARGO_BIN_EXE_kubectl-rs"), ours_dir.path(), &args);
        let theirs = run(kubectl, theirs_dir.path(), &args);
        assert_eq!(ours.file, theirs.file, "{case:?}: file");
        assert_eq!(ours.stdout, theirs.stdout, "{case:?}: stdout");
        assert_eq!(ours.stderr, theirs.stderr, "{case:?}: stderr");
        assert_eq!(ours.code, theirs.code, "{case:?}: exit code");
    }
    // A wrong number of arguments: the command's help, then kubectl's error.
    for args in [&["config", "set", "a"][..], &["config", "unset"][..]] {
        let ours = run(env!("CARGO_BIN_EXE_kubectl-rs"), ours_dir.path(), args);
        let theirs = run(kubectl, theirs_dir.path(), args);
        assert_eq!(
            (&ours.stderr, ours.code),
            (&theirs.stderr, theirs.code),
            "{args:?}"
        );
        assert!(ours.stdout.contains("Usage:"), "{args:?}: {}", ours.stdout);
        assert_eq!(ours.file, INPUT);
    }
}

/// `config view` takes kubectl's whole PrintFlags: jsonpath (with filters), templates, `-o
/// name`, `--allow-missing-template-keys`, beside `--raw`, `--minify` and `--flatten`.
#[test]
fn view_prints_with_every_print_flag_as_kubectl_does() {
    let Some(kubectl) = common::oracle() else {
        return;
    };
    let cases: &[&[&str]] = &[
        &["-o", "jsonpath={.contexts[0].name}"],
        &[
            "-o",
            "jsonpath={.clusters[?(@.name == \"c1\")].cluster.server}",
        ],
        &["-o", "jsonpath={.users[0].user.token}"],
        &["--raw", "-o", "jsonpath={.users[0].user.token}"],
        &[
            "--minify",
            "--flatten",
            "-o",
            "jsonpath={.clusters[*].name}",
        ],
        &["-o", "jsonpath-as-json={.clusters[0].cluster}"],
        &["-o", "jsonpath={.missing}"],
        &[
            "-o",
            "jsonpath={.missing}",
            "--allow-missing-template-keys=false",
        ],
        &["-o", "name"],
        &["--template={{.kind}}"],
        &["-o", "go-template={{range .contexts}}{{.name}} {{end}}"],
        &["-o", "json"],
        &["-o", "yaml", "--raw"],
        &["-o", "wide"],
        &["-o", "custom-columns=A:.kind"],
    ];
    let ours_dir = tempfile::tempdir().unwrap();
    let theirs_dir = tempfile::tempdir().unwrap();
    for case in cases {
        let mut args = vec!["config", "view"];
        args.extend_from_slice(case);
        let ours = run(env!("CARGO_BIN_EXE_kubectl-rs"), ours_dir.path(), &args);
        let theirs = run(kubectl, theirs_dir.path(), &args);
        assert_eq!(ours.stdout, theirs.stdout, "{case:?}: stdout");
        assert_eq!(ours.stderr, theirs.stderr, "{case:?}: stderr");
        assert_eq!(ours.code, theirs.code, "{case:?}: exit code");
        assert_eq!(ours.file, INPUT, "{case:?}: file");
    }
}

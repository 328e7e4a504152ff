//! `config set-cluster|set-context|set-credentials` flags, which share their names with
//! global flags: each command's own flag wins (typed before or after the subcommand), only
//! the flags that were typed change the entry, and kubectl's merge rules, errors and file
//! layout (paths relative to the kubeconfig, `config: {}`, no empty `apiVersion`) hold.
//! Compared byte for byte with the oracle where it is installed; the final file is also
//! checked against a golden copy.

use crate::common;
use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-rs");

/// Each line is one command (run with `--kubeconfig=kc` in a fresh directory holding
/// `ca.crt` and `c.crt`).
const SCRIPT: &[&[&str]] = &[
    &[
        "config",
        "set-cluster",
        "c",
        "--server=https://a",
        "--tls-server-name=t",
        "--insecure-skip-tls-verify",
        "--proxy-url=http://p",
    ],
    // A new server drops the TLS server name; an untyped --insecure-skip-tls-verify keeps it.
    &["config", "set-cluster", "c", "--server=https://b"],
    &[
        "config",
        "set-cluster",
        "c",
        "--insecure-skip-tls-verify=false",
    ],
    &["config", "set-cluster", "c", "--insecure-skip-tls-verify"],
    &[
        "config",
        "set-cluster",
        "c",
        "--certificate-authority=ca.crt",
    ],
    &[
        "config",
        "set-cluster",
        "d",
        "--certificate-authority=ca.crt",
        "--embed-certs",
    ],
    &[
        "--server=https://global-position",
        "config",
        "set-cluster",
        "g",
    ],
    &[
        "config",
        "set-cluster",
        "e",
        "--insecure-skip-tls-verify",
        "--certificate-authority=x",
    ],
    &["config", "set-cluster", "e", "--embed-certs"],
    &[
        "config",
        "set-cluster",
        "e",
        "--embed-certs",
        "--certificate-authority=/nope",
    ],
    &["config", "set-cluster"],
    &["config", "set-cluster", "a", "b"],
    &[
        "config",
        "set-context",
        "x",
        "--cluster=c",
        "--user=u",
        "--namespace=ns",
    ],
    &["--cluster=other", "config", "set-context", "y"],
    &["config", "set-context", "x", "--current"],
    &["config", "set-context"],
    &["config", "set-context", "a", "b"],
    &["config", "set-context", "--current", "--namespace=z"],
    &["config", "use-context", "x"],
    &["config", "set-context", "--current", "--namespace="],
    &[
        "config",
        "set-credentials",
        "u",
        "--auth-provider=oidc",
        "--auth-provider-arg=a=1,b=2",
        "--exec-command=x",
        "--exec-arg=p,q",
        "--exec-env=A=1",
        "--exec-provide-cluster-info",
        "--exec-interactive-mode=Never",
        "--token=t",
    ],
    &[
        "config",
        "set-credentials",
        "u",
        "--auth-provider-arg=a-",
        "--auth-provider-arg=c=3",
        "--exec-env=A-",
        "--exec-env=B=2",
        "--username=x",
    ],
    &[
        "config",
        "set-credentials",
        "u",
        "--auth-provider=gcp",
        "--exec-command=./bin/y",
        "--exec-provide-cluster-info=false",
    ],
    &["config", "set-credentials", "u", "--auth-provider-arg=bad"],
    &[
        "config",
        "set-credentials",
        "u",
        "--token=a",
        "--password=b",
    ],
    &[
        "config",
        "set-credentials",
        "u",
        "--exec-interactive-mode=bad",
    ],
    &["config", "set-credentials", "u", "--embed-certs"],
    &[
        "config",
        "set-credentials",
        "u",
        "--embed-certs",
        "--client-key=/nonexist",
    ],
    &[
        "config",
        "set-credentials",
        "u",
        "--client-certificate=c.crt",
        "--embed-certs",
        "--password=pw",
    ],
    &[
        "config",
        "set-credentials",
        "v",
        "--client-certificate=c.crt",
        "--client-key=/elsewhere/k.key",
        "--exec-api-version=v1",
        "--exec-env=Z=1",
    ],
    &["--token=global-position", "config", "set-credentials", "w"],
    &["config", "set-credentials"],
    &["config", "set-credentials", ""],
];

/// What kubectl leaves in the file after [`SCRIPT`].
const GOLDEN: &str = r#"apiVersion: v1
clusters:
- cluster:
    certificate-authority: ca.crt
    proxy-url: http://p
    server: https://b
  name: c
- cluster:
    certificate-authority-data: Q0EK
    server: ""
  name: d
- cluster:
    server: https://global-position
  name: g
contexts:
- context:
    cluster: c
    user: u
  name: x
- context:
    cluster: other
    user: ""
  name: "y"
current-context: x
kind: Config
preferences: {}
users:
- name: u
  user:
    auth-provider:
      config: {}
      name: gcp
    client-certificate-data: Q0VSVAo=
    exec:
      args: null
      command: bin/y
      env:
      - name: B
        value: "2"
      interactiveMode: Never
      provideClusterInfo: false
    password: pw
    username: x
- name: v
  user:
    client-certificate: c.crt
    client-key: /elsewhere/k.key
- name: w
  user:
    token: global-position
"#;

/// Runs the script in a fresh directory: the transcript (each command's exit code, stdout
/// and stderr) and the final file.
fn transcript(program: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.crt"), "CA\n").unwrap();
    std::fs::write(dir.path().join("c.crt"), "CERT\n").unwrap();
    let mut log = String::new();
    for args in SCRIPT {
        let out = run(program, dir.path(), args);
        log.push_str(&format!("== {args:?}\n{out}"));
    }
    let file = std::fs::read_to_string(dir.path().join("kc")).unwrap();
    let d = dir.path().to_string_lossy().into_owned();
    (log.replace(&d, "DIR"), file.replace(&d, "DIR"))
}

fn run(program: &str, dir: &Path, args: &[&str]) -> String {
    let out = Command::new(program)
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .arg("--kubeconfig=kc")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    format!(
        "rc={:?}\n{}--stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn set_commands_merge_typed_flags_as_kubectl_does() {
    let (log, file) = transcript(BIN);
    assert_eq!(file, GOLDEN, "transcript:\n{log}");
    for want in [
        "error: you cannot specify more than one authentication method at the same time: --token, --username/--password\n",
        "error: invalid interactive mode type, can be only IfAvailable, Never, Always\n",
        "error: could not stat certificate-authority file /nope: stat /nope: no such file or directory\n",
        "error: invalid auth-provider-arg format: bad\n",
        "error: you cannot specify both a context name and --current\n",
    ] {
        assert!(log.contains(want), "no {want:?} in:\n{log}");
    }
    let Some(kubectl) = common::oracle() else {
        return;
    };
    let (want_log, want_file) = transcript(kubectl);
    // v1.36 gave set-context's --namespace the shorthand -n ("kubectl config set-context:
    // Add -n flag"); no line of the script uses it.
    assert_eq!(
        want_log.replace("    --namespace='':", "    -n, --namespace='':"),
        log
    );
    assert_eq!(want_file, file);
}

#[test]
fn set_context_takes_n_as_kubectl_1_36_does() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(BIN, dir.path(), &["config", "set-context", "x", "-n", "ns"]);
    assert_eq!(out, "rc=Some(0)\nContext \"x\" created.\n--stderr\n");
    let file = std::fs::read_to_string(dir.path().join("kc")).unwrap();
    assert!(file.contains("    namespace: ns\n"), "{file}");
}

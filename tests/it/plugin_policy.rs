//! kuberc's credential plugin policy (kubectl v1.36 `credentialPluginPolicy` and
//! `credentialPluginAllowlist`, enforced by client-go's exec authenticator before it runs a
//! plugin). kubectl v1.33, the oracle here, predates the policy: the expected texts are
//! kubectl v1.36's, recorded with the same kubeconfig and kuberc files.

use std::os::unix::fs::PermissionsExt;

use crate::common;
use common::{Output, TestEnv};

/// A kubeconfig whose user gets the sandbox's admin token from exec plugin `cred`.
fn exec_kubeconfig(env: &TestEnv) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- cluster:
    server: {}
    insecure-skip-tls-verify: true
  name: test
contexts:
- context:
    cluster: test
    user: u
  name: test
current-context: test
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: cred
      interactiveMode: IfAvailable
",
        env.sandbox.server_url()
    )
}

fn kuberc(policy: &str) -> String {
    format!("apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n{policy}")
}

async fn run(env: &TestEnv, bin: &std::path::Path, args: &[&str]) -> Output {
    #[allow(clippy::disallowed_methods)] // the test process's PATH, for the plugin's shell
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = env
        .command(env!("CARGO_BIN_EXE_kubectl-rs"), args, "cache-rs")
        .env("PATH", path)
        .output()
        .await
        .unwrap();
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kuberc_policy_decides_which_plugins_run() {
    let env = TestEnv::start().await;
    let bin = env.work.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let plugin = bin.join("cred");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{}\"}}}}'\n",
            env.sandbox.token()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(env.work.join("exec.yaml"), exec_kubeconfig(&env)).unwrap();
    let resolved = plugin.display().to_string();
    let cases: Vec<(&str, String, i32, String, String)> = vec![
        // No policy, AllowAll, or an allowlist naming it (by name, or by path): it runs.
        ("", kuberc(""), 0, "namespace/kube-system\n".into(), String::new()),
        (
            "allow-all",
            kuberc("credentialPluginPolicy: AllowAll\n"),
            0,
            "namespace/kube-system\n".into(),
            String::new(),
        ),
        (
            "listed",
            kuberc("credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: foobar\n  - name: cred\n"),
            0,
            "namespace/kube-system\n".into(),
            String::new(),
        ),
        (
            "listed-path",
            kuberc(&format!("credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - command: {resolved}\n")),
            0,
            "namespace/kube-system\n".into(),
            String::new(),
        ),
        // Refused before it runs: the request fails as a transport error.
        (
            "deny",
            kuberc("credentialPluginPolicy: DenyAll\n"),
            1,
            String::new(),
            "Unable to connect to the server: getting credentials: plugin \"cred\" not allowed: policy set to \"DenyAll\"\n".into(),
        ),
        (
            "unlisted",
            kuberc("credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: abc123\n  - name: foobar\n"),
            1,
            String::new(),
            format!("Unable to connect to the server: getting credentials: plugin path \"{resolved}\" is not permitted by the credential plugin allowlist\n"),
        ),
        // A policy that does not validate stops kubectl before the command.
        (
            "misconfigured",
            kuberc("credentialPluginPolicy: AllowAll\ncredentialPluginAllowlist:\n  - name: foobar\n"),
            1,
            String::new(),
            "error occurred while applying preferences misconfigured credential plugin allowlist: plugin policy is \"AllowAll\" but allowlist is non-nil\n".into(),
        ),
        (
            "empty",
            kuberc("credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist: []\n"),
            1,
            String::new(),
            "error occurred while applying preferences credential plugin policy set to \"Allowlist\", but allowlist is empty; use \"DenyAll\" policy instead\n".into(),
        ),
        (
            "unspecified",
            kuberc("credentialPluginPolicy: Allowlist\n"),
            1,
            String::new(),
            "error occurred while applying preferences credential plugin policy set to \"Allowlist\", but allowlist is unspecified\n".into(),
        ),
        (
            "bogus",
            kuberc("credentialPluginPolicy: Bogus\n"),
            1,
            String::new(),
            "error occurred while applying preferences unknown plugin policy: \"Bogus\"\n".into(),
        ),
        (
            "empty-entry",
            kuberc("credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - {}\n"),
            1,
            String::new(),
            "error occurred while applying preferences misconfigured credential plugin allowlist: empty allowlist entry #1\n".into(),
        ),
        (
            "unclean",
            kuberc("credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - command: /bin/../bin/cred\n"),
            1,
            String::new(),
            "error occurred while applying preferences non-normalized file path: \"/bin/../bin/cred\" vs \"/bin/cred\"\n".into(),
        ),
        // `name` and `command` that differ do not convert: no usable Preference.
        (
            "both",
            kuberc("credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  - name: cred\n    command: cat\n"),
            1,
            String::new(),
            "error occurred while applying preferences kuberc error kuberc: no valid preferences found in kuberc-both.yaml, use --v=5 to see details\n".into(),
        ),
    ];
    for (name, text, code, stdout, stderr) in cases {
        let file = format!(
            "kuberc-{}.yaml",
            if name.is_empty() { "none" } else { name }
        );
        std::fs::write(env.work.join(&file), text).unwrap();
        let out = run(
            &env,
            &bin,
            &[
                "--kubeconfig",
                "exec.yaml",
                "--kuberc",
                &file,
                "get",
                "namespace",
                "kube-system",
                "-o",
                "name",
            ],
        )
        .await;
        assert_eq!(
            (out.code, &out.stdout, &out.stderr),
            (code, &stdout, &stderr),
            "{name}"
        );
    }
    // Commands that run no plugin are not affected.
    let out = run(
        &env,
        &bin,
        &[
            "--kubeconfig",
            "exec.yaml",
            "--kuberc",
            "kuberc-deny.yaml",
            "config",
            "view",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("kind: Config"), "{out:?}");
}

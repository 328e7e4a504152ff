//! `kuberc view` and `kuberc set` (kubectl v1.36). The v1.33 oracle has no `kuberc` command,
//! so these expectations come from the v0.36 source (`pkg/cmd/kuberc/{view,set}.go`,
//! `pkg/kuberc/marshal.go`'s `SavePreference`, `config/v1beta1` types): the messages, the
//! file `sigs.k8s.io/yaml` writes (sorted keys, `null` for nil `defaults`/`aliases`), and
//! `view`'s output, prompt and errors.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use crate::common::{Output, TestEnv};

async fn run(env: &TestEnv, args: &[&str], extra_env: &[(&str, &str)], input: &str) -> Output {
    let mut c = env.command(env!("CARGO_BIN_EXE_kubectl-rs"), args, "cache-rs");
    for (k, v) in extra_env {
        c.env(k, v);
    }
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn ok(out: &Output, stdout: &str) {
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.code),
        (stdout, "", 0),
        "{out:?}"
    );
}

fn fails(out: &Output, stderr: &str) {
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.code),
        ("", stderr, 1),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_writes_the_preference_as_kubectl() {
    let env = TestEnv::start().await;
    let file = env.dir.path().join("home/.kube/kuberc");
    let path = file.display().to_string();
    let updated = format!("Updated {path}\n");

    // A new file: an alias into a preference with nil defaults.
    let out = run(
        &env,
        &[
            "kuberc",
            "set",
            "--section",
            "aliases",
            "--name",
            "getn",
            "--command",
            "get",
            "--prependarg",
            "nodes",
            "--option",
            "output=wide",
        ],
        &[],
        "",
    )
    .await;
    ok(&out, &updated);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "aliases:\n- command: get\n  name: getn\n  options:\n  - default: wide\n    name: output\n  prependArgs:\n  - nodes\napiVersion: kubectl.config.k8s.io/v1beta1\ndefaults: null\nkind: Preference\n"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o644
    );

    // The alias exists: refused without --overwrite, nothing written.
    let before = std::fs::read_to_string(&file).unwrap();
    let out = run(
        &env,
        &[
            "kuberc",
            "set",
            "--section",
            "aliases",
            "--name",
            "getn",
            "--command",
            "get",
        ],
        &[],
        "",
    )
    .await;
    fails(
        &out,
        "error: alias \"getn\" already exists, use --overwrite to replace\n",
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    // --overwrite keeps what is not given again; defaults without options are null; the mode
    // of the existing file is kept; leading dashes of an option name go.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    for args in [
        &[
            "kuberc",
            "set",
            "--section",
            "aliases",
            "--name",
            "getn",
            "--command",
            "get",
            "--appendarg",
            "--",
            "--appendarg",
            "x",
            "--overwrite",
        ][..],
        &[
            "kuberc",
            "set",
            "--section",
            "defaults",
            "--command",
            "delete",
        ],
        &[
            "kuberc",
            "set",
            "--section",
            "defaults",
            "--command",
            "get",
            "--option",
            "--output=json",
        ],
        &[
            "kuberc",
            "set",
            "--section",
            "credentialplugin",
            "--policy",
            "Allowlist",
            "--allowlist-entry",
            "command=helper",
        ],
    ] {
        ok(&run(&env, args, &[], "").await, &updated);
    }
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "aliases:\n- appendArgs:\n  - --\n  - x\n  command: get\n  name: getn\n  options:\n  - default: wide\n    name: output\n  prependArgs:\n  - nodes\napiVersion: kubectl.config.k8s.io/v1beta1\ncredentialPluginAllowlist:\n- command: helper\ncredentialPluginPolicy: Allowlist\ndefaults:\n- command: delete\n  options: null\n- command: get\n  options:\n  - default: json\n    name: output\nkind: Preference\n"
    );
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["kuberc"]);

    // Validation, in kubectl's order and words; the file stays as it was.
    let before = std::fs::read_to_string(&file).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["kuberc", "set"], "error: required flag(s) \"section\" not set\n"),
        (
            &["kuberc", "set", "--section", "nope"],
            "error: --section must be \"defaults\", \"aliases\", or \"credentialplugin\", got: nope\n",
        ),
        (
            &["kuberc", "set", "--section", "aliases", "--command", "get"],
            "error: --name is required when --section=aliases\n",
        ),
        (
            &["kuberc", "set", "--section", "defaults", "--name", "x"],
            "error: --name should not be specified when --section=defaults\n",
        ),
        (
            &["kuberc", "set", "--section", "defaults", "--prependarg", "x"],
            "error: --prependarg and --appendarg are only valid for --section=aliases\n",
        ),
        (
            &["kuberc", "set", "--section", "defaults"],
            "error: --command is required when --section=aliases or --section=defaults\n",
        ),
        (
            &["kuberc", "set", "--section", "credentialplugin"],
            "error: --policy is required when --section=credentialplugin\n",
        ),
        (
            &["kuberc", "set", "--section", "credentialplugin", "--policy", "Some"],
            "error:  --policy must be  \"AllowAll\", \"DenyAll\", or \"Allowlist\", got: Some\n",
        ),
        (
            &[
                "kuberc", "set", "--section", "credentialplugin", "--policy", "DenyAll",
                "--allowlist-entry", "command=x",
            ],
            "error: --allowlist-entry may only be used when --section=credentialplugin and --policy=Allowlist\n",
        ),
        (
            &["kuberc", "set", "--section", "credentialplugin", "--policy", "Allowlist"],
            "error: --allowlist-entry is required when --section=credentialplugin and --policy=Allowlist\n",
        ),
        (
            &[
                "kuberc", "set", "--section", "credentialplugin", "--policy", "Allowlist",
                "--allowlist-entry", "name=a,x,command=",
            ],
            "error: [allowlist entry field \"name\" is deprecated, use \"command\" instead, improperly formatted allowlist entry: \"x\", empty value in allowlist entry for field \"command\"]\n",
        ),
        (
            &["kuberc", "set", "--section", "defaults", "--command", "get", "--option", "x"],
            "error: invalid option format \"x\", expected flag=value\n",
        ),
        (
            &["kuberc", "set", "--section", "defaults", "--command", "get"],
            "error: defaults for command \"get\" already exist, use --overwrite to replace\n",
        ),
    ];
    for (args, stderr) in cases {
        fails(&run(&env, args, &[], "").await, stderr);
    }
    fails(
        &run(
            &env,
            &["kuberc", "set", "--section", "defaults", "--command", "x"],
            &[("KUBERC", "off")],
            "",
        )
        .await,
        "error: KUBERC is disabled via KUBERC=off environment variable\n",
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn view_prints_prompts_and_refuses_as_kubectl() {
    let env = TestEnv::start().await;
    let file = env.dir.path().join("home/.kube/kuberc");
    let path = file.display().to_string();
    let prompt = format!("kuberc file not found at {path}\nWould you like to generate a default kuberc file with recommended options? (y/N): ");

    // No file: the prompt; no answer or "n" writes nothing. (After "n", kubectl v1.36
    // dereferences a nil preference and panics; kubectl-rs stops as after no answer.)
    ok(&run(&env, &["kuberc", "view"], &[], "").await, &prompt);
    ok(&run(&env, &["kuberc", "view"], &[], "n\n").await, &prompt);
    assert!(!file.exists());
    // "y": kubectl's recommended defaults.
    ok(
        &run(&env, &["kuberc", "view"], &[], "Y\n").await,
        &format!("{prompt}Updated {path}\n"),
    );
    let yaml = "aliases: []\napiVersion: kubectl.config.k8s.io/v1beta1\ndefaults:\n- command: apply\n  options:\n  - default: \"true\"\n    name: server-side\n- command: delete\n  options:\n  - default: \"true\"\n    name: interactive\nkind: Preference\n";
    ok(&run(&env, &["kuberc", "view"], &[], "").await, yaml);
    // JSON in the Go struct's field order.
    let out = run(&env, &["kuberc", "view", "-o", "json"], &[], "").await;
    ok(&out, "{\n    \"kind\": \"Preference\",\n    \"apiVersion\": \"kubectl.config.k8s.io/v1beta1\",\n    \"defaults\": [\n        {\n            \"command\": \"apply\",\n            \"options\": [\n                {\n                    \"name\": \"server-side\",\n                    \"default\": \"true\"\n                }\n            ]\n        },\n        {\n            \"command\": \"delete\",\n            \"options\": [\n                {\n                    \"name\": \"interactive\",\n                    \"default\": \"true\"\n                }\n            ]\n        }\n    ],\n    \"aliases\": []\n}\n");
    ok(
        &run(
            &env,
            &["kuberc", "view", "-o", "jsonpath={.defaults[*].command}"],
            &[],
            "",
        )
        .await,
        "apply delete",
    );

    // An explicit file that is missing, or that holds no Preference: kubectl refuses it while
    // applying the preferences, before `kuberc view` runs (its own "kuberc file not found"
    // and "missing apiVersion or kind" errors cannot be reached that way).
    let missing = env.dir.path().join("none");
    let flag = format!("--kuberc={}", missing.display());
    fails(
        &run(&env, &["kuberc", "view", &flag], &[], "").await,
        &format!(
            "error occurred while applying preferences kuberc error kuberc: open {}: no such file or directory\n",
            missing.display()
        ),
    );
    let bare = env.dir.path().join("bare");
    std::fs::write(&bare, "defaults: []\n").unwrap();
    fails(
        &run(&env, &["kuberc", "view"], &[("KUBERC", bare.to_str().unwrap())], "").await,
        &format!(
            "error occurred while applying preferences kuberc error kuberc: no valid preferences found in {}, use --v=5 to see details\n",
            bare.display()
        ),
    );
    // A named file is viewed, v1alpha1 too (read into v1beta1's fields, as kubectl does).
    let alpha = env.dir.path().join("alpha");
    std::fs::write(
        &alpha,
        "apiVersion: kubectl.config.k8s.io/v1alpha1\nkind: Preference\naliases:\n- name: g\n  command: get\n",
    )
    .unwrap();
    let flag = format!("--kuberc={}", alpha.display());
    ok(
        &run(&env, &["kuberc", "view", &flag], &[], "").await,
        "aliases:\n- command: get\n  name: g\napiVersion: kubectl.config.k8s.io/v1alpha1\ndefaults: []\nkind: Preference\n",
    );
    fails(
        &run(&env, &["kuberc", "view"], &[("KUBERC", "off")], "").await,
        "error: KUBERC is disabled via KUBERC=off environment variable\n",
    );
}

//! Cross-cutting fixes found by Kubernetes' own `test/cmd` suite (issue 19) and kubectl's
//! extension points (plugins, kuberc; issue 17), each compared with the real kubectl (the
//! oracle, v1.33) on the same sandbox, or with kubectl v1.36's source where v1.36 differs.

use crate::common;

use common::{assert_same, Output, TestEnv};
use std::path::{Path, PathBuf};

/// kubectl-rs under the name `kubectl` (a symlink in a new directory).
fn as_kubectl() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("kubectl");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kubectl-rs"), &link).unwrap();
    (dir, link)
}

/// Runs a prepared command.
async fn output(mut c: tokio::process::Command) -> Output {
    let out = c.output().await.expect("run");
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Runs `program` (a path) with `args` in `env`'s hermetic environment.
async fn run_program(env: &TestEnv, program: &Path, args: &[&str]) -> Output {
    output(env.command(program.to_str().unwrap(), args, "cache-rs")).await
}

/// Runs `args` with both CLIs and asserts the same stdout, stderr and exit code.
async fn same(env: &TestEnv, args: &[&str]) {
    let ours = env.ours(args).await;
    let Some(theirs) = env.kubectl(args).await else {
        return;
    };
    assert_same(&args.join(" "), &ours, &theirs);
}

/// Go's text/template takes a field right after a keyword (`{{range.items}}`), which test/cmd
/// uses throughout; and rejects words run together as Go's lexer does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_template_lexes_as_go() {
    let env = TestEnv::start().await;
    for t in [
        "{{range.items}}{{.metadata.name}}:{{end}}",
        "{{range .items}}{{if.metadata.name}}{{.metadata.name}}{{end}}{{end}}",
        "{{with.items}}{{len .}}{{end}}",
        "{{$x:=.items}}{{len $x}}",
        "{{range $i,$e:=.items}}{{$i}}{{end}}",
        "{{$x := 1}}{{$x=.items}}",
        "{{len(.items)}}",
        "{{else.x}}",
    ] {
        same(
            &env,
            &[
                "get",
                "ns",
                "default",
                "kube-system",
                "-o",
                &format!("go-template={t}"),
            ],
        )
        .await;
    }
}

/// `--match-server-version` is accepted and checked: the sandbox serves the release kubectl-rs
/// implements, so commands run; the oracle (v1.33) fails with apimachinery's text, whose
/// rendering of the server's `version.Info` kubectl-rs reproduces for its own mismatches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn match_server_version() {
    let env = TestEnv::start().await;
    let plain = env.ours(&["get", "ns", "default", "-o", "name"]).await;
    let checked = env
        .ours(&[
            "--match-server-version",
            "get",
            "ns",
            "default",
            "-o",
            "name",
        ])
        .await;
    assert_eq!(checked, plain);
    assert_eq!(checked.stdout, "namespace/default\n");
    let raw = env.ours(&["get", "--raw", "/version"]).await;
    let server: serde_json::Value = serde_json::from_str(&raw.stdout).unwrap();
    let want = format!(
        "error: server version (&{}) differs from client version (version.Info{{",
        kubectl_rs::cmd::match_version::go_info(&server)
    );
    if let Some(theirs) = env
        .kubectl(&["--match-server-version", "get", "ns", "default"])
        .await
    {
        assert_eq!(theirs.code, 1);
        assert!(
            theirs.stderr.starts_with(&want),
            "{}\n{want}",
            theirs.stderr
        );
    }
    // An unreachable server: client-go's transport error.
    same(
        &env,
        &[
            "--match-server-version",
            "--server",
            "https://127.0.0.1:1",
            "--token",
            "x",
            "get",
            "ns",
        ],
    )
    .await;
    // A different release fails with that text.
    let mut other = server.clone();
    other["gitVersion"] = "v1.35.0".into();
    let e = kubectl_rs::cmd::match_version::mismatch(&other).unwrap();
    assert!(e
        .to_string()
        .starts_with("server version (&version.Info{Major:\"1\""));
    // Local commands do not ask the server.
    let local = env
        .ours(&[
            "--match-server-version",
            "--server",
            "https://127.0.0.1:1",
            "version",
            "--client",
        ])
        .await;
    assert_eq!(local.code, 0, "{local:?}");
}

/// `version` prints the embedded kustomize's release between the client and server lines, and
/// `kustomizeVersion` between `clientVersion` and `serverVersion` (kubectl v1.36 embeds
/// kustomize v5.8.1; the v1.33 oracle its v5.6.0, so only the shape is compared with it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_has_kustomize() {
    let env = TestEnv::start().await;
    let shape = |s: &str| {
        s.lines()
            .map(|l| l.split(':').next().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    let ours = env.ours(&["version"]).await;
    assert!(
        ours.stdout
            .contains("\nKustomize Version: v5.8.1\nServer Version: "),
        "{ours:?}"
    );
    let json = env.ours(&["version", "-o", "json"]).await;
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["kustomizeVersion"], "v5.8.1");
    let client = env.ours(&["version", "--client", "-o", "yaml"]).await;
    assert!(
        client.stdout.contains("\nkustomizeVersion: v5.8.1\n"),
        "{client:?}"
    );
    if let Some(theirs) = env.kubectl(&["version"]).await {
        assert_eq!(shape(&ours.stdout), shape(&theirs.stdout));
        let theirs = env.kubectl(&["version", "-o", "json"]).await.unwrap();
        let top = |s: &str| {
            s.lines()
                .filter(|l| l.starts_with("  \""))
                .map(|l| l.split(':').next().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(top(&json.stdout), top(&theirs.stdout));
    }
}

/// Unknown commands: cobra's "Did you mean this?" (distance 2 or prefix, kubectl's order), the
/// program name as invoked, and a command group's own usage error for an unknown subcommand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_commands_as_kubectl() {
    let env = TestEnv::start().await;
    let (_dir, kubectl) = as_kubectl();
    // Typos whose suggestions are all commands kubectl-rs has.
    for args in [
        &["delet"][..],
        &["Api-resources"],
        &["xyzzyq"],
        &["conf"],
        &["config", "vew"],
        &["rollout", "stat"],
        &["create", "foo"],
        &["completion"],
    ] {
        let ours = run_program(&env, &kubectl, args).await;
        if let Some(theirs) = env.kubectl(args).await {
            assert_same(&args.join(" "), &ours, &theirs);
        }
    }
    let ours = run_program(&env, &kubectl, &["delet"]).await;
    assert_eq!(
        ours.stderr,
        "error: unknown command \"delet\" for \"kubectl\"\n\nDid you mean this?\n\tdelete\n"
    );
    // Under its own name, kubectl-rs names itself.
    let own = env.ours(&["create", "foo"]).await;
    assert_eq!(
        own.stderr,
        "error: Unexpected args: [foo]\nSee 'kubectl-rs create -h' for help and examples\n"
    );
}

/// `create` as test/cmd uses it: flags before the generator's name (cobra finds the command
/// past them), `--raw PATH -f FILE`, objects carrying a resourceVersion, `--template` alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_as_test_cmd_uses_it() {
    let env = TestEnv::start().await;
    let kubeconfig = std::fs::read_to_string(&env.kubeconfig).unwrap();
    let server = kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: "))
        .unwrap()
        .trim_matches('"')
        .to_string();
    assert!(server.starts_with("https://"), "{server}");
    same(
        &env,
        &[
            "create",
            "-s",
            &server,
            "--insecure-skip-tls-verify",
            "--dry-run=client",
            "namespace",
            "n1",
        ],
    )
    .await;
    same(
        &env,
        &[
            "create",
            "-n",
            "default",
            "--dry-run=client",
            "-o",
            "name",
            "configmap",
            "c1",
        ],
    )
    .await;
    let ours = env
        .ours(&[
            "create",
            "-s",
            &server,
            "--insecure-skip-tls-verify",
            "namespace",
            "n2",
        ])
        .await;
    assert_eq!(
        (ours.stdout.as_str(), ours.code),
        ("namespace/n2 created\n", 0),
        "{ours:?}"
    );

    // --raw: the file's bytes POSTed unchanged, the answer printed as it came.
    std::fs::write(
        env.work.join("raw.json"),
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"raw1"},"data":{"a":"b"}}"#,
    )
    .unwrap();
    let path = "/api/v1/namespaces/default/configmaps";
    let ours = env.ours(&["create", "--raw", path, "-f", "raw.json"]).await;
    assert_eq!(ours.code, 0, "{ours:?}");
    let created: serde_json::Value = serde_json::from_str(&ours.stdout).unwrap();
    assert_eq!(created["metadata"]["name"], "raw1");
    assert_eq!(created["data"]["a"], "b");
    let live = env
        .ours(&["get", "cm", "raw1", "-o", "jsonpath={.data.a}"])
        .await;
    assert_eq!(live.stdout, "b");
    // The same again (AlreadyExists), and every refusal, as kubectl.
    std::fs::write(env.work.join("bad.json"), "{bad").unwrap();
    for args in [
        &["create", "--raw", path, "-f", "raw.json"][..],
        &["create", "--raw", path, "-f", "bad.json"],
        &["create", "--raw", path],
        &["create", "--raw", path, "-f", "raw.json", "-f", "raw.json"],
        &["create", "--raw", path, "-f", "https://example.com/x"],
        &["create", "--raw", path, "-f", "raw.json", "-R"],
        &["create", "--raw", path, "-f", "raw.json", "-l", "a=b"],
        &["create", "--raw", path, "-f", "raw.json", "-o", "yaml"],
        &["create", "--raw", "api/v1", "-f", "raw.json"],
        &["create", "--raw", path, "-f", "missing.json"],
    ] {
        same(&env, args).await;
    }

    // An object read back from a server keeps its resourceVersion; create clears it.
    std::fs::write(
        env.work.join("rv.json"),
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"rv1","resourceVersion":"12345"}}"#,
    )
    .unwrap();
    let ours = env.ours(&["create", "-f", "rv.json"]).await;
    assert_eq!(
        (ours.stdout.as_str(), ours.code),
        ("configmap/rv1 created\n", 0),
        "{ours:?}"
    );
    if let Some(theirs) = env.kubectl(&["delete", "cm", "rv1"]).await {
        assert_eq!(theirs.code, 0);
        let theirs = env.kubectl(&["create", "-f", "rv.json"]).await.unwrap();
        assert_same("create -f rv.json", &ours, &theirs);
    }

    // apply creates such an object the same way.
    let ours = env.ours(&["apply", "-f", "rv.json"]).await;
    if let Some(theirs) = env.kubectl(&["delete", "cm", "rv1"]).await {
        assert_eq!(theirs.code, 0);
        let ours = env.ours(&["apply", "-f", "rv.json"]).await;
        assert_eq!(ours.stdout, "configmap/rv1 created\n", "{ours:?}");
        env.kubectl(&["delete", "cm", "rv1"]).await.unwrap();
        let theirs = env.kubectl(&["apply", "-f", "rv.json"]).await.unwrap();
        assert_same("apply -f rv.json", &ours, &theirs);
    } else {
        assert_eq!(ours.code, 0, "{ours:?}");
    }

    // --template alone means -o go-template (an object the server does not have: v1.36
    // warns about a missing last-applied annotation in client dry runs too, v1.33 did not).
    std::fs::write(
        env.work.join("new.json"),
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"new1"}}"#,
    )
    .unwrap();
    same(
        &env,
        &[
            "apply",
            "--dry-run=client",
            "--template={{.metadata.name}}",
            "-f",
            "new.json",
        ],
    )
    .await;
    same(
        &env,
        &[
            "create",
            "--dry-run=client",
            "--template={{.metadata.name}}",
            "-f",
            "rv.json",
        ],
    )
    .await;
}

/// A kubeconfig whose entries are `null` (`cluster: null`, `context: null`, `user: null`)
/// loads as client-go does: each as an empty entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubeconfig_null_entries_load() {
    let env = TestEnv::start().await;
    std::fs::write(
        env.work.join("null.yaml"),
        "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: null\n- name: b\n  cluster:\n    server: https://1.2.3.4\ncontexts:\n- name: c\n  context: null\n- name: d\n  context:\n    cluster: b\n    user: u\nusers:\n- name: u\n  user: null\n- name: v\npreferences: null\ncurrent-context: d\n",
    )
    .unwrap();
    for args in [
        &["config", "view"][..],
        &["config", "view", "-o", "json"],
        &["config", "view", "--minify"],
        &["config", "get-contexts"],
        &["config", "get-users"],
    ] {
        let args: Vec<&str> = [&["--kubeconfig", "null.yaml"][..], args].concat();
        let ours = env.ours(&args).await;
        assert_eq!(ours.code, 0, "{ours:?}");
        same(&env, &args).await;
    }
}

/// Extra environment variables of a child process.
type EnvPairs = Vec<(&'static str, &'static str)>;

/// Writes an executable shell script.
fn script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Plugins: an unknown command runs `kubectl-…` from PATH (longest name first, dashes read as
/// underscores, arguments after the name, environment passed, exit code kept), builtins win,
/// `create WORD` looks for `kubectl-create-WORD`, and `plugin list` warns as kubectl does.
/// PATH is given to the child processes only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_on_path() {
    let env = TestEnv::start().await;
    let (_dir, kubectl) = as_kubectl();
    let plugins = tempfile::tempdir().unwrap();
    let (p1, p2) = (plugins.path().join("p1"), plugins.path().join("p2"));
    std::fs::create_dir_all(&p1).unwrap();
    std::fs::create_dir_all(&p2).unwrap();
    script(
        &p1.join("kubectl-foo"),
        "echo \"foo: $*\"; echo \"X=$X\"; exit 3",
    );
    script(&p2.join("kubectl-foo"), "echo shadowed");
    script(&p1.join("kubectl-foo-bar"), "echo \"foo-bar: $*\"");
    script(&p2.join("kubectl-a_b"), "echo \"a_b: $*\"");
    script(&p2.join("kubectl-get"), "echo never");
    script(
        &p2.join("kubectl-create-thing"),
        "echo \"create-thing: $*\"",
    );
    std::fs::write(p1.join("kubectl-noexec"), "#!/bin/sh\n").unwrap();
    let path = format!(
        "{}:{}:{}:/usr/bin:/bin",
        p1.display(),
        p2.display(),
        plugins.path().join("missing").display()
    );
    let run = |program: PathBuf, args: Vec<&'static str>, path: String| {
        let env = &env;
        async move {
            let mut c = env.command(program.to_str().unwrap(), &args, "cache");
            c.env("PATH", path).env("X", "passed");
            output(c).await
        }
    };
    let cases: Vec<Vec<&'static str>> = vec![
        vec!["foo", "x", "-y", "--z"],
        vec!["foo", "bar", "baz"],
        vec!["foo-bar", "q"],
        vec!["a-b", "c"],
        vec!["create", "thing", "z"],
        vec!["create", "thing2"],
        vec!["-n", "x", "foo"],
        vec!["plugin", "list"],
        vec!["plugin", "list", "--name-only"],
        vec!["plugin"],
        vec!["plugin", "foo"],
    ];
    for args in cases {
        let ours = run(kubectl.clone(), args.clone(), path.clone()).await;
        if args == ["foo", "x", "-y", "--z"] {
            assert_eq!(ours.stdout, "foo: x -y --z\nX=passed\n");
            assert_eq!(ours.code, 3);
        }
        if let Some(k) = common::oracle() {
            let theirs = run(PathBuf::from(k), args.clone(), path.clone()).await;
            assert_same(&args.join(" "), &ours, &theirs);
        }
    }
    // Builtins win over a plugin of the same name.
    let ours = run(
        kubectl.clone(),
        vec!["get", "ns", "default", "-o", "name"],
        path.clone(),
    )
    .await;
    assert_eq!(ours.stdout, "namespace/default\n");
    // No plugin anywhere.
    let ours = run(
        kubectl.clone(),
        vec!["plugin", "list"],
        "/usr/bin:/bin".into(),
    )
    .await;
    assert_eq!(
        (ours.stderr.as_str(), ours.code),
        (
            "error: unable to find any kubectl plugins in your PATH\n",
            1
        )
    );
}

/// kuberc: aliases (prepended/appended arguments, default flags), per-command defaults, and
/// explicit flags winning, from `--kuberc`, `$KUBERC` or `~/.kube/kuberc`; bad files refused
/// with kubectl's errors. The oracle (v1.33) reads the v1alpha1 format with
/// `KUBECTL_KUBERC=true` (alpha there, beta and on by default in v1.36).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kuberc_aliases_and_defaults() {
    let env = TestEnv::start().await;
    let (_dir, kubectl) = as_kubectl();
    let rc = "apiVersion: kubectl.config.k8s.io/v1alpha1\nkind: Preference\noverrides:\n- command: get\n  flags:\n  - name: output\n    default: name\naliases:\n- name: getns\n  command: get\n  prependArgs: [namespace]\n  flags:\n  - name: output\n    default: wide\n- name: nsdefault\n  command: get\n  prependArgs: [namespace, default]\n  appendArgs: [-o, name]\n";
    std::fs::write(env.work.join("rc.yaml"), rc).unwrap();
    std::fs::create_dir_all(env.dir.path().join("home/.kube")).unwrap();
    std::fs::write(env.dir.path().join("home/.kube/kuberc"), rc).unwrap();
    std::fs::write(
        env.work.join("badalias.yaml"),
        "apiVersion: kubectl.config.k8s.io/v1alpha1\nkind: Preference\naliases:\n- name: a1\n  command: get\n",
    )
    .unwrap();
    std::fs::write(
        env.work.join("badflag.yaml"),
        "apiVersion: kubectl.config.k8s.io/v1alpha1\nkind: Preference\noverrides:\n- command: get\n  flags:\n  - name: nope\n    default: x\n",
    )
    .unwrap();
    std::fs::write(env.work.join("notpref.yaml"), "apiVersion: v1\nkind: Foo\n").unwrap();
    let run =
        |program: PathBuf, args: Vec<&'static str>, extra: Vec<(&'static str, &'static str)>| {
            let env = &env;
            async move {
                let mut c = env.command(program.to_str().unwrap(), &args, "cache");
                c.env("KUBECTL_KUBERC", "true");
                for (k, v) in extra {
                    c.env(k, v);
                }
                output(c).await
            }
        };
    let cases: Vec<(Vec<&'static str>, EnvPairs)> = vec![
        (vec!["--kuberc", "rc.yaml", "get", "ns", "default"], vec![]),
        (
            vec![
                "--kuberc",
                "rc.yaml",
                "get",
                "ns",
                "default",
                "-o",
                "jsonpath={.kind}",
            ],
            vec![],
        ),
        (
            vec![
                "--kuberc",
                "rc.yaml",
                "getns",
                "default",
                "-ojsonpath={.metadata.name}",
            ],
            vec![],
        ),
        (vec!["--kuberc", "rc.yaml", "nsdefault"], vec![]),
        (vec!["getns", "kube-system", "-o", "name"], vec![]),
        (vec!["get", "ns", "default"], vec![]),
        (vec!["get", "ns", "default"], vec![("KUBERC", "off")]),
        (
            vec!["--kuberc", "missing.yaml", "get", "ns", "default"],
            vec![],
        ),
        (
            vec!["--kuberc", "badalias.yaml", "get", "ns", "default"],
            vec![],
        ),
        (
            vec!["--kuberc", "badflag.yaml", "get", "ns", "default"],
            vec![],
        ),
        (
            vec!["--kuberc", "notpref.yaml", "get", "ns", "default"],
            vec![],
        ),
        (vec!["get", "ns", "default", "--kuberc"], vec![]),
    ];
    // `KUBERC=FILE` names the file (v1.36 `LoadKuberc`; v1.33 ignores it): as explicit as
    // --kuberc.
    let ours = run(
        kubectl.clone(),
        vec!["get", "ns", "default"],
        vec![("KUBERC", "notpref.yaml")],
    )
    .await;
    assert_eq!(
        (ours.stderr.as_str(), ours.code),
        ("error occurred while applying preferences kuberc error kuberc: no valid preferences found in notpref.yaml, use --v=5 to see details\n", 1)
    );
    for (args, extra) in cases {
        let ours = run(kubectl.clone(), args.clone(), extra.clone()).await;
        if args == ["--kuberc", "rc.yaml", "get", "ns", "default"] {
            assert_eq!(ours.stdout, "namespace/default\n", "{ours:?}");
        }
        if let Some(k) = common::oracle() {
            let theirs = run(PathBuf::from(k), args.clone(), extra).await;
            let (mut o, mut t) = (ours.normalized(), theirs.normalized());
            // AGE columns of `-o wide` tables.
            for x in [&mut o, &mut t] {
                x.stdout = x
                    .stdout
                    .split_whitespace()
                    .filter(|w| {
                        !w.ends_with('s')
                            || !w[..w.len() - 1]
                                .chars()
                                .all(|c| c.is_ascii_digit() || "mh".contains(c))
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            assert_same(&args.join(" "), &o, &t);
        }
    }
}

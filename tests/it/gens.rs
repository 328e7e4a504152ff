//! `create secret tls`, `create secret docker-registry`, `create ingress` and `create token`
//! against the real kubectl (the oracle, v1.33) on the same sandbox: stdout, stderr and exit
//! code for every flag, the objects they leave on the server, and for bad input that nothing
//! on the server changed and that no secret material shows up in the errors.
//!
//! v1.33 prints `creationTimestamp: null` in typed objects where v1.34+ (the v1.36 target)
//! omits it (kubernetes#130989): it is dropped from the oracle's output, also inside the
//! last-applied annotation. Tokens differ per request, so they are compared by structure and
//! claims. Where kubectl itself panics (rules its splitting cannot handle), the panic's first
//! line and exit code are compared, not Go's goroutine dump.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;

use crate::common;
use crate::create::without_null_creation_timestamp;
use common::{assert_same, Output, TestEnv};

/// Every stored object (without what the sandbox's loops change).
fn snapshot(env: &TestEnv) -> BTreeMap<String, Value> {
    let store = env.sandbox.store();
    let mut out = BTreeMap::new();
    for gr in store.resources() {
        if gr.resource == "leases" || gr.resource == "events" {
            continue;
        }
        let (items, _) = store.list(&gr, None);
        for mut o in items {
            let key = format!(
                "{}/{}/{}/{}",
                gr.group,
                gr.resource,
                o["metadata"]["namespace"].as_str().unwrap_or_default(),
                o["metadata"]["name"].as_str().unwrap_or_default()
            );
            if let Some(m) = o.as_object_mut() {
                m.remove("status");
            }
            if let Some(m) = o["metadata"].as_object_mut() {
                m.remove("resourceVersion");
                m.remove("managedFields");
            }
            out.insert(key, o);
        }
    }
    out
}

/// Fails naming the objects `what` added, removed or changed.
#[track_caller]
fn assert_unchanged(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>, what: &str) {
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(changed.is_empty(), "{what} changed the server: {changed:?}");
}

/// The oracle's output as v1.36 prints it.
fn as_v136(o: Output) -> Output {
    let mut stdout = o.stdout;
    for (from, to) in [
        (",\"creationTimestamp\":null", ""),
        ("\"creationTimestamp\":null,", ""),
        (",\\\"creationTimestamp\\\":null", ""),
        ("\\\"creationTimestamp\\\":null,", ""),
    ] {
        stdout = stdout.replace(from, to);
    }
    if stdout.contains("creationTimestamp") {
        stdout = without_null_creation_timestamp(&stdout);
    }
    Output {
        stdout,
        stderr: o.stderr.replace(
            "jsonpath-file,name,template",
            "jsonpath-file,kyaml,name,template",
        ),
        code: o.code,
    }
}

/// Server-assigned values (and the namespace each CLI worked in) masked in printed objects.
fn masked(o: Output, ns: Option<&str>) -> Output {
    let mut out = String::new();
    for line in o.stdout.lines() {
        let t = line.trim_start();
        let indent = &line[..line.len() - t.len()];
        let hit = ["uid", "resourceVersion", "creationTimestamp", "time"]
            .iter()
            .find(|k| t.starts_with(&format!("{k}: ")) || t.starts_with(&format!("\"{k}\": ")));
        match hit {
            Some(k) => {
                let comma = if t.ends_with(',') { "," } else { "" };
                let quote = if t.starts_with('"') { "\"" } else { "" };
                out.push_str(&format!("{indent}{quote}{k}{quote}: X{comma}\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    if !o.stdout.ends_with('\n') && out.ends_with('\n') {
        out.pop();
    }
    if let Some(ns) = ns {
        out = out
            .replace(&format!("\\\"{ns}\\\""), "\\\"NS\\\"")
            .replace(&format!("\"{ns}\""), "\"NS\"")
            .replace(&format!(": {ns}\n"), ": NS\n");
    }
    Output {
        stdout: out,
        stderr: o
            .stderr
            .replace("kubectl-rs", "kubectl")
            .replace("kubectl.1.33", "kubectl"),
        code: o.code,
    }
}

/// kubectl's panics: the first line (Go's goroutine dump after it is not compared).
fn panic_head(o: Output) -> Output {
    if !o.stderr.starts_with("panic: ") {
        return o;
    }
    Output {
        stderr: format!("{}\n", o.stderr.lines().next().unwrap_or_default()),
        ..o
    }
}

/// Runs both CLIs on one sandbox; None when the oracle is missing.
async fn both(env: &TestEnv, args: &[&str]) -> Option<(Output, Output)> {
    let theirs = env.kubectl(args).await?;
    let ours = env.ours(args).await;
    Some((
        panic_head(masked(ours, None)),
        panic_head(masked(as_v136(theirs), None)),
    ))
}

/// Each case through both CLIs: the same output.
async fn compare(env: &TestEnv, cases: &[Vec<&str>]) -> bool {
    for args in cases {
        let Some((ours, theirs)) = both(env, args).await else {
            return false;
        };
        assert_same(&format!("{args:?}"), &ours, &theirs);
    }
    true
}

/// Each refused case through both CLIs: the same output, a failure, nothing changed on the
/// server, and none of the `secrets` in what either printed.
async fn refused(env: &TestEnv, cases: &[Vec<&str>], secrets: &[&str]) {
    for args in cases {
        let before = snapshot(env);
        let ours = env.ours(args).await;
        assert_unchanged(&before, &snapshot(env), &format!("kubectl-rs {args:?}"));
        let Some(theirs) = env.kubectl(args).await else {
            return;
        };
        assert_unchanged(&before, &snapshot(env), &format!("kubectl {args:?}"));
        for s in secrets {
            assert!(
                !ours.stderr.contains(s) && !ours.stdout.contains(s),
                "{args:?} printed a secret: {ours:?}"
            );
        }
        let (ours, theirs) = (
            panic_head(masked(ours, None)),
            panic_head(masked(as_v136(theirs), None)),
        );
        assert_same(&format!("{args:?}"), &ours, &theirs);
        assert_ne!(ours.code, 0, "{args:?} should fail");
    }
}

/// Copies the PEM fixtures into the work directory.
fn pem_fixtures(env: &TestEnv) {
    let dir = common::fixtures().join("secret-tls");
    for f in std::fs::read_dir(dir).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, env.work.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        env.work.join("garbage.crt"),
        "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    std::fs::write(
        env.work.join("garbage.key"),
        "-----BEGIN RSA PRIVATE KEY-----\naGVsbG8=\n-----END RSA PRIVATE KEY-----\n",
    )
    .unwrap();
    let mut mixed = std::fs::read_to_string(env.work.join("rsa.crt")).unwrap();
    mixed.push_str(&std::fs::read_to_string(env.work.join("ec.key")).unwrap());
    std::fs::write(env.work.join("mixed.pem"), mixed).unwrap();
    std::fs::write(
        env.work.join("two.pem"),
        "-----BEGIN X-----\naGk=\n-----END X-----\n-----BEGIN Y-----\naGk=\n-----END Y-----\n",
    )
    .unwrap();
    std::fs::create_dir_all(env.work.join("adir")).unwrap();
}

fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(extra).copied().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_tls_builds_what_kubectl_builds() {
    let env = TestEnv::start().await;
    pem_fixtures(&env);
    let mut cases = Vec::new();
    for (cert, key) in [
        ("rsa.crt", "rsa.key"),
        ("rsa.crt", "rsa-pkcs1.key"),
        ("ec.crt", "ec.key"),
        ("ec.crt", "ec-sec1.key"),
        ("ed.crt", "ed.key"),
        // The key file's first private key block is the one used.
        ("mixed.pem", "rsa.key"),
    ] {
        let cert = format!("--cert={cert}");
        let key = format!("--key={key}");
        for output in ["yaml", "json", "name", ""] {
            let mut args = vec![
                "create".to_string(),
                "secret".into(),
                "tls".into(),
                "web-tls".into(),
                cert.clone(),
                key.clone(),
                "--dry-run=client".into(),
            ];
            if !output.is_empty() {
                args.extend(["-o".to_string(), output.to_string()]);
            }
            cases.push(args);
        }
    }
    let extra: &[&[&str]] = &[
        &["--append-hash", "-o", "yaml"],
        &["--append-hash"],
        &["--save-config", "-o", "json"],
        &["-n", "other", "-o", "yaml"],
        &["-o", "jsonpath={.type}"],
    ];
    for e in extra {
        let mut args: Vec<String> = [
            "create",
            "secret",
            "tls",
            "web-tls",
            "--cert=rsa.crt",
            "--key=rsa.key",
            "--dry-run=client",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(e.iter().map(|s| s.to_string()));
        cases.push(args);
    }
    let cases: Vec<Vec<&str>> = cases
        .iter()
        .map(|c| c.iter().map(String::as_str).collect())
        .collect();
    compare(&env, &cases).await;
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_tls_refuses_bad_pairs_and_changes_nothing() {
    let env = TestEnv::start().await;
    pem_fixtures(&env);
    // Parts of the private keys that must never be printed.
    let rsa_key = std::fs::read_to_string(env.work.join("rsa.key")).unwrap();
    let ec_key = std::fs::read_to_string(env.work.join("ec.key")).unwrap();
    let secrets = [
        &rsa_key.lines().nth(2).unwrap()[..40],
        &ec_key.lines().nth(1).unwrap()[..40],
    ];
    let base = ["create", "secret", "tls", "t"];
    let pairs: &[(&str, &str)] = &[
        ("rsa.crt", "rsa-other.key"),
        ("rsa.crt", "ec.key"),
        ("ec.crt", "ec-other.key"),
        ("ec.crt", "ed.key"),
        ("ed.crt", "x25519.key"),
        ("rsa.key", "rsa.crt"),
        ("rsa.crt", "rsa.crt"),
        ("ec.key", "rsa.key"),
        ("garbage.crt", "rsa.key"),
        ("rsa.crt", "garbage.key"),
        ("two.pem", "rsa.key"),
        ("rsa.crt", "two.pem"),
        ("/dev/null", "rsa.key"),
        ("rsa.crt", "/dev/null"),
        ("nope.crt", "rsa.key"),
        ("rsa.crt", "nope.key"),
        ("adir", "rsa.key"),
    ];
    let flags: Vec<(String, String)> = pairs
        .iter()
        .map(|(c, k)| (format!("--cert={c}"), format!("--key={k}")))
        .collect();
    let mut cases: Vec<Vec<&str>> = flags
        .iter()
        .map(|(c, k)| with(&base, &[c.as_str(), k.as_str()]))
        .collect();
    cases.extend([
        with(&base, &["--cert=rsa.crt"]),
        with(&base, &["--key=rsa.key"]),
        with(&base, &[]),
        vec!["create", "secret", "tls", "--cert=rsa.crt", "--key=rsa.key"],
        vec![
            "create",
            "secret",
            "tls",
            "a",
            "b",
            "--cert=rsa.crt",
            "--key=rsa.key",
        ],
        with(&base, &["--cert=rsa.crt", "--key=rsa.key", "-o", "bogus"]),
        with(
            &base,
            &["--cert=rsa.crt", "--key=rsa.key", "--dry-run=bogus"],
        ),
        // The server refuses the name.
        vec![
            "create",
            "secret",
            "tls",
            "Bad_Name",
            "--cert=rsa.crt",
            "--key=rsa.key",
        ],
        vec![
            "create",
            "secret",
            "tls",
            "t",
            "--cert=rsa.crt",
            "--key=rsa.key",
            "-n",
            "nope",
        ],
    ]);
    refused(&env, &cases, &secrets).await;
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_docker_registry_builds_what_kubectl_builds() {
    let env = TestEnv::start().await;
    std::fs::write(
        env.work.join("config.json"),
        "{\"auths\":{\"r.example\":{\"auth\":\"dTpw\"}}}\n",
    )
    .unwrap();
    std::fs::create_dir_all(env.work.join("cfgdir")).unwrap();
    std::fs::write(env.work.join("cfgdir/.dockerconfigjson"), "{}").unwrap();
    let base = [
        "create",
        "secret",
        "docker-registry",
        "reg",
        "--dry-run=client",
    ];
    let user = ["--docker-username=u", "--docker-password=p<&>\"ü"];
    let cases = vec![
        with(&base, &with(&user, &["-o", "yaml"])),
        with(
            &base,
            &with(&user, &["--docker-email=e@x.io", "-o", "json"]),
        ),
        with(
            &base,
            &with(&user, &["--docker-server=my.reg:5000", "-o", "yaml"]),
        ),
        with(&base, &with(&user, &["--append-hash", "-o", "yaml"])),
        with(&base, &with(&user, &["--append-hash"])),
        with(&base, &with(&user, &["--save-config", "-o", "yaml"])),
        with(&base, &with(&user, &["-o", "name"])),
        with(&base, &user),
        with(&base, &["--from-file=config.json", "-o", "yaml"]),
        with(
            &base,
            &["--from-file=.dockerconfigjson=config.json", "-o", "json"],
        ),
        with(
            &base,
            &["--from-file=other=config.json,config.json", "-o", "yaml"],
        ),
        with(&base, &["--from-file=cfgdir", "-o", "yaml"]),
        with(
            &base,
            &[
                "--from-file=config.json",
                "--docker-username=u",
                "-o",
                "yaml",
            ],
        ),
        with(
            &base,
            &["--from-file=config.json", "--append-hash", "-o", "name"],
        ),
    ];
    compare(&env, &cases).await;
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_docker_registry_refuses_bad_input_and_changes_nothing() {
    let env = TestEnv::start().await;
    std::fs::write(env.work.join("config.json"), "{}").unwrap();
    let base = ["create", "secret", "docker-registry", "reg"];
    let cases = vec![
        with(&base, &["--docker-username=u"]),
        with(&base, &["--docker-password=hunter2secret"]),
        with(
            &base,
            &[
                "--docker-username=u",
                "--docker-password=hunter2secret",
                "--docker-server=",
            ],
        ),
        with(&base, &[]),
        vec![
            "create",
            "secret",
            "docker-registry",
            "--docker-username=u",
            "--docker-password=hunter2secret",
        ],
        vec![
            "create",
            "secret",
            "docker-registry",
            "",
            "--docker-username=u",
            "--docker-password=hunter2secret",
        ],
        with(&base, &["--from-file=nope.json"]),
        with(&base, &["--from-file==config.json"]),
        with(&base, &["--from-file=a=b=config.json"]),
        with(&base, &["--from-file=bad key=config.json"]),
        with(
            &base,
            &["--from-file=config.json", "--from-file=config.json"],
        ),
        with(
            &base,
            &["--from-file=k=.", "--docker-password=hunter2secret"],
        ),
        with(
            &base,
            &[
                "--docker-username=u",
                "--docker-password=hunter2secret",
                "-n",
                "nope",
            ],
        ),
        vec![
            "create",
            "secret",
            "docker-registry",
            "Bad_Name",
            "--docker-username=u",
            "--docker-password=hunter2secret",
        ],
        // Without a `.dockerconfigjson` key the server refuses the secret.
        with(&base, &["--from-file=other=config.json"]),
    ];
    refused(&env, &cases, &["hunter2secret"]).await;
    env.sandbox.shutdown().await;
}

/// The generators create on the server what kubectl creates: each CLI in its own namespace,
/// the same output and the same stored data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generators_create_what_kubectl_creates() {
    let env = TestEnv::start().await;
    if common::oracle().is_none() {
        return;
    }
    pem_fixtures(&env);
    for ns in ["k", "r"] {
        assert_eq!(env.ours(&["create", "namespace", ns]).await.code, 0);
    }
    let cases: &[&[&str]] = &[
        &[
            "create",
            "secret",
            "tls",
            "t1",
            "--cert=rsa.crt",
            "--key=rsa.key",
        ],
        &[
            "create",
            "secret",
            "tls",
            "t1",
            "--cert=rsa.crt",
            "--key=rsa.key",
        ],
        &[
            "create",
            "secret",
            "tls",
            "t2",
            "--cert=ec.crt",
            "--key=ec.key",
            "--append-hash",
            "-o",
            "yaml",
        ],
        &[
            "create",
            "secret",
            "tls",
            "t3",
            "--cert=ed.crt",
            "--key=ed.key",
            "--dry-run=server",
            "-o",
            "json",
        ],
        &[
            "create",
            "secret",
            "docker-registry",
            "d1",
            "--docker-username=u",
            "--docker-password=p",
            "--docker-email=e@x",
        ],
        &[
            "create",
            "secret",
            "docker-registry",
            "d2",
            "--docker-username=u",
            "--docker-password=p",
            "--save-config",
            "-o",
            "yaml",
        ],
        &[
            "create",
            "ingress",
            "i1",
            "--rule=foo.com/a*=svc:80,tls=s1",
            "--rule=foo.com/b=svc:http",
            "--class=nginx",
            "--annotation=a=b",
        ],
        &[
            "create",
            "ingress",
            "i2",
            "--default-backend=web:8080",
            "-o",
            "yaml",
        ],
        &[
            "create",
            "ingress",
            "i3",
            "--rule=/x=svc:80,tls",
            "--rule=*.bar.io/=s2:https",
            "--save-config",
            "-o",
            "json",
        ],
        &["create", "ingress", "i1", "--rule=foo.com/a=svc:80"],
        &[
            "create",
            "ingress",
            "i4",
            "--rule=foo.com/a=svc:80",
            "--dry-run=server",
            "-o",
            "yaml",
        ],
    ];
    for case in cases {
        let run = |ns: &'static str| with(&["-n", ns], case);
        let theirs = masked(as_v136(env.kubectl(&run("k")).await.unwrap()), Some("k"));
        let ours = masked(env.ours(&run("r")).await, Some("r"));
        assert_same(&format!("{case:?}"), &ours, &theirs);
    }
    // The stored objects are the same, but for their namespace and server-set fields.
    let all = snapshot(&env);
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v["metadata"].as_object_mut() {
            for k in ["uid", "creationTimestamp", "namespace", "generation"] {
                m.remove(k);
            }
            // The saved configuration names the namespace; v1.33 also saves a null
            // creationTimestamp, v1.34+ not.
            if let Some(Value::String(c)) = m
                .get_mut("annotations")
                .and_then(|a| a.get_mut("kubectl.kubernetes.io/last-applied-configuration"))
            {
                *c = c
                    .replace("\"creationTimestamp\":null,", "")
                    .replace(",\"creationTimestamp\":null", "")
                    .replace("\"namespace\":\"k\"", "\"namespace\":\"NS\"")
                    .replace("\"namespace\":\"r\"", "\"namespace\":\"NS\"");
            }
        }
        v
    };
    let mut compared = 0;
    for (key, theirs) in &all {
        let parts: Vec<&str> = key.split('/').collect();
        if parts[2] != "k" || !["secrets", "ingresses"].contains(&parts[1]) {
            continue;
        }
        let ours_key = format!("{}/{}/r/{}", parts[0], parts[1], parts[3]);
        let ours = all
            .get(&ours_key)
            .unwrap_or_else(|| panic!("{ours_key} missing"));
        assert_eq!(strip(ours), strip(theirs), "{key}");
        compared += 1;
    }
    assert_eq!(compared, 7, "{:?}", all.keys().collect::<Vec<_>>());
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingress_builds_what_kubectl_builds() {
    let env = TestEnv::start().await;
    let base = ["create", "ingress", "web", "--dry-run=client"];
    let mut cases = Vec::new();
    let rule_sets: &[&[&str]] = &[
        &["--rule=foo.com/bar=svc1:8080,tls=my-cert"],
        &["--class=otheringress", "--rule=/path=svc:port"],
        &[
            "--rule=foo.com/=svc:port",
            "--rule=foo.com/admin/=svcadmin:portadmin",
        ],
        &[
            "--rule=foo.com/path*=svc:8080",
            "--rule=bar.com/admin*=svc2:http",
        ],
        &[
            "--rule=foo.com/=svc:https,tls",
            "--rule=foo.com/path/subpath*=othersvc:8080",
        ],
        &[
            "--default-backend=defaultsvc:http",
            "--rule=foo.com/*=svc:8080,tls=secret1",
        ],
        &["--default-backend=d:0"],
        &["--default-backend=d:"],
        &["--default-backend=:80"],
        // TLS entries grouped by secret, each host once; `,junk` counts as TLS without a
        // secret, a third comma-separated part as none.
        &[
            "--rule=a.com/x=s:1,tls",
            "--rule=b.com/x=s:1,tls",
            "--rule=c.com/x=s:1,tls=q",
            "--rule=d.com/x=s:1,tls=q",
            "--rule=a.com/y=s:1,tls=q",
            "--rule=e.com/x=s:1,junk",
            "--rule=f.com/x=s:1,tls=r,x",
            "--rule=/z=s:1,tls=q",
        ],
        // Ports as intstr parses them; a later `=` or `:` is ignored; no end anchor.
        &[
            "--rule=a/b=s:080",
            "--rule=a/c=s:-1",
            "--rule=a/d=s:0",
            "--rule=a/e=s:99999999999999999999",
        ],
        &[
            "--rule=a/b=s:80:90",
            "--rule=a/c=s:80=x",
            "--rule=a/d=s:80 and more",
        ],
        &["--rule=*.a_b.io/x*=s:1"],
        &[
            "--annotation=k=v=w",
            "--annotation=k=z",
            "--annotation=e=",
            "--rule=/=s:1",
        ],
    ];
    for set in rule_sets {
        for output in ["yaml", "json", "name", ""] {
            let mut args = with(&base, set);
            if !output.is_empty() {
                args.extend(["-o", output]);
            }
            cases.push(args);
        }
    }
    cases.push(with(
        &base,
        &["--rule=a/b=s:1", "--save-config", "-o", "yaml"],
    ));
    cases.push(vec![
        "create",
        "ing",
        "web",
        "--rule=a/b=s:1",
        "-n",
        "other",
        "--dry-run=client",
        "-o",
        "json",
    ]);
    compare(&env, &cases).await;
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingress_refuses_bad_input_and_changes_nothing() {
    let env = TestEnv::start().await;
    let base = ["create", "ingress", "web"];
    let cases = vec![
        with(&base, &[]),
        with(&base, &["--class=x"]),
        with(&base, &["--rule=foo.com"]),
        with(&base, &["--rule=foo.com/bar"]),
        with(&base, &["--rule=foo.com/bar=svc"]),
        with(&base, &["--rule=foo.com/bar=:80"]),
        with(&base, &["--rule=fo o/bar=s:1"]),
        with(&base, &["--rule=é/a=s:1"]),
        with(&base, &["--rule=a/b=s:1", "--rule=bad"]),
        with(&base, &["--rule=a/b=s:1", "--annotation=novalue"]),
        with(&base, &["--default-backend=svc"]),
        with(&base, &["--default-backend=svc:1:2"]),
        with(&base, &["--rule=a/b=s:1", "-o", "bogus"]),
        vec!["create", "ingress", "--rule=a/b=s:1"],
        vec!["create", "ingress", "a", "b", "--rule=a/b=s:1"],
        // Rules kubectl's own splitting panics on.
        with(&base, &["--rule=foo/a,b=svc:80"]),
        with(&base, &["--rule=foo.com/a=b=svc:80"]),
        // The server's validation.
        with(&base, &["--rule=1.2.3.4/a=svc:80"]),
        with(
            &base,
            &[
                "--rule=Foo.com/a//b=Svc:70000,tls=Bad_Secret",
                "--class=C_x",
            ],
        ),
        with(&base, &["--rule=*foo/a/.=svc:0"]),
        with(
            &base,
            &["--rule=*.foo/a/..=svc:HTTP_x-", "--default-backend=:0"],
        ),
        with(
            &base,
            &[
                "--rule=a/%2f=svc:abcdefghijklmnopq",
                "--annotation=bad key=1",
            ],
        ),
        with(&base, &["--rule=a/x/../y=svc:-1"]),
        with(
            &base,
            &["--rule=a/b=svc:1", "--dry-run=server", "--class=UPPER"],
        ),
        vec!["create", "ingress", "Bad", "--rule=a/b=svc:1"],
        with(&base, &["--rule=a/b=svc:1", "-n", "nope"]),
    ];
    refused(&env, &cases, &[]).await;
    env.sandbox.shutdown().await;
}

/// A token's header and claims.
fn claims(token: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT: {token:?}");
    let decode = |p: &str| -> Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        serde_json::from_slice(&bytes).unwrap()
    };
    assert!(!parts[2].is_empty());
    (decode(parts[0]), decode(parts[1]))
}

/// Claims that differ per token (or per sandbox) replaced by their shape.
fn claim_shape(c: &Value) -> Value {
    let mut c = c.clone();
    let lifetime = c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap();
    assert_eq!(c["nbf"], c["iat"]);
    c["exp"] = Value::from(lifetime);
    for k in ["iat", "nbf", "jti"] {
        c[k] = Value::from("X");
    }
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_requests_answer_as_kubectl_prints_them() {
    let env = TestEnv::manual_clock().await;
    if common::oracle().is_none() {
        return;
    }
    for args in [
        &["create", "serviceaccount", "robot"][..],
        &["create", "secret", "generic", "s1", "--from-literal=a=b"],
        &[
            "run",
            "p1",
            "--image=nginx",
            "--overrides={\"spec\":{\"serviceAccountName\":\"robot\"}}",
        ],
    ] {
        let o = env.ours(args).await;
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
    }
    let node = env
        .ours(&["get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"])
        .await
        .stdout;
    let node_flag = format!("--bound-object-name={node}");
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--duration=10m"],
        vec![
            "--duration=1h30m",
            "--audience=a",
            "--audience=https://b.example",
        ],
        vec!["--bound-object-kind=Secret", "--bound-object-name=s1"],
        vec!["--bound-object-kind=Pod", "--bound-object-name=p1"],
        vec!["--bound-object-kind=Node", &node_flag],
    ];
    let sa_uid = env
        .ours(&["get", "sa", "robot", "-o", "jsonpath={.metadata.uid}"])
        .await
        .stdout;
    // The pod's node goes into its tokens: wait for the scheduler first.
    common::advancing(&env, std::time::Duration::from_secs(1), || async {
        let o = env
            .ours(&["get", "pod", "p1", "-o", "jsonpath={.spec.nodeName}"])
            .await;
        !o.stdout.is_empty()
    })
    .await;
    for extra in &cases {
        let args = with(&["create", "token", "robot"], extra);
        let before = snapshot(&env);
        let ours = env.ours(&args).await;
        let theirs = env.kubectl(&args).await.unwrap();
        assert_unchanged(&before, &snapshot(&env), &format!("{args:?}"));
        assert_eq!(
            (ours.code, theirs.code),
            (0, 0),
            "{args:?}: {ours:?} {theirs:?}"
        );
        assert_eq!(ours.stderr, theirs.stderr);
        // The token alone, without a newline (stdout is not a terminal).
        assert!(!ours.stdout.contains('\n') && !theirs.stdout.contains('\n'));
        assert_ne!(ours.stdout, theirs.stdout, "tokens are unique");
        let (oh, oc) = claims(&ours.stdout);
        let (th, tc) = claims(&theirs.stdout);
        assert_eq!(oh, th, "{args:?}");
        assert_eq!(claim_shape(&oc), claim_shape(&tc), "{args:?}");
        assert_eq!(oc["sub"], "system:serviceaccount:default:robot");
        assert_eq!(
            oc["kubernetes.io"]["serviceaccount"]["uid"].as_str(),
            Some(sa_uid.as_str())
        );
        // The clock stands still: the expiry is the requested lifetime from now.
        let want = match extra.first().copied() {
            Some("--duration=10m") => 600,
            Some("--duration=1h30m") => 5400,
            _ => 3600,
        };
        assert_eq!(claim_shape(&oc)["exp"], want, "{args:?}");
        // -o prints the whole TokenRequest: the same but for the token.
        for output in [
            "yaml",
            "json",
            "jsonpath={.status.expirationTimestamp} {.spec}",
        ] {
            let args = with(&args, &["-o", output]);
            let ours = env.ours(&args).await;
            let theirs = as_v136(env.kubectl(&args).await.unwrap());
            let hide = |o: Output| Output {
                stdout: o
                    .stdout
                    .lines()
                    .map(
                        |l| match l.find("token\": \"").or_else(|| l.find("token: ")) {
                            Some(i) => format!("{}TOKEN", &l[..i]),
                            None => l.to_string(),
                        },
                    )
                    .collect::<Vec<_>>()
                    .join("\n"),
                ..o
            };
            assert_same(&format!("{args:?}"), &hide(ours), &hide(theirs));
        }
    }
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_requests_refuse_what_kubectl_and_the_server_refuse() {
    let env = TestEnv::start().await;
    if common::oracle().is_none() {
        return;
    }
    for args in [
        &["create", "serviceaccount", "robot"][..],
        &["create", "secret", "generic", "s1", "--from-literal=a=b"],
        &["run", "p2", "--image=nginx"],
    ] {
        assert_eq!(env.ours(args).await.code, 0, "{args:?}");
    }
    // The scheduler binds the pod soon after: wait, so that nothing changes under the cases.
    common::eventually(|| async {
        let o = env
            .ours(&["get", "pod", "p2", "-o", "jsonpath={.spec.nodeName}"])
            .await;
        !o.stdout.is_empty()
    })
    .await;
    let base = ["create", "token", "robot"];
    let cases = vec![
        vec!["create", "token", "nope"],
        vec!["create", "token", "robot", "-n", "nope"],
        vec!["create", "token"],
        vec!["create", "token", "a", "b"],
        with(&base, &["--duration=1m"]),
        with(&base, &["--duration=599s"]),
        with(&base, &["--duration=-1s"]),
        with(&base, &["--duration=1.5s"]),
        with(&base, &["--duration=10m500ms"]),
        with(&base, &["--duration=x"]),
        with(&base, &["--duration=10"]),
        with(&base, &["--duration=100000000000s"]),
        with(&base, &["--duration=1193047h"]),
        with(&base, &["--audience="]),
        with(&base, &["--audience=a", "--audience="]),
        with(&base, &["--bound-object-kind=Job"]),
        with(&base, &["--bound-object-kind=Pod"]),
        with(&base, &["--bound-object-name=x"]),
        with(&base, &["--bound-object-uid=x"]),
        with(
            &base,
            &["--bound-object-kind=Pod", "--bound-object-name=nope"],
        ),
        with(
            &base,
            &["--bound-object-kind=Pod", "--bound-object-name=p2"],
        ),
        with(
            &base,
            &["--bound-object-kind=Node", "--bound-object-name=nope"],
        ),
        with(
            &base,
            &["--bound-object-kind=Secret", "--bound-object-name=nope"],
        ),
        with(
            &base,
            &[
                "--bound-object-kind=Secret",
                "--bound-object-name=s1",
                "--bound-object-uid=123",
            ],
        ),
        with(&base, &["-o", "bogus"]),
    ];
    refused(&env, &cases, &[]).await;
    env.sandbox.shutdown().await;
}

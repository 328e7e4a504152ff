//! Remote resources in kustomizations (`http(s)://` files, git repositories), built by both
//! CLIs against a local HTTP server and a local bare git repository (`file://` URLs; there is
//! no internet here), compared byte for byte. The clone directories (`$TMPDIR/kustomize-N`)
//! are named randomly, so they are normalized; after every build `$TMPDIR` must be empty
//! again (the clone was removed, on success and on failure).
//!
//! What kubectl cannot be compared on (it has no timeout and no size limit) is tested in
//! `src/resource/kustomize_remote.rs`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;

use crate::common::{oracle, Output};

/// A tiny HTTP/1.1 server on 127.0.0.1: `path -> (status line, headers, body)`.
fn serve(routes: BTreeMap<String, (String, String, Vec<u8>)>) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut s = s;
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let req = String::from_utf8_lossy(&buf);
            let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, headers, body) = routes.get(&path).cloned().unwrap_or((
                "404 Not Found".into(),
                String::new(),
                b"404 page not found\n".to_vec(),
            ));
            let head = format!(
                "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body);
        }
    });
    port
}

fn ok(body: &str) -> (String, String, Vec<u8>) {
    ("200 OK".into(), String::new(), body.as_bytes().to_vec())
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: remote-cm\ndata:\n  a: b\n";

#[allow(clippy::disallowed_methods)] // A test helper: passes PATH on to the child.
fn run(program: &str, args: &[&str], cwd: &Path, home: &Path, tmp: &Path) -> Output {
    run_with(program, args, cwd, home, tmp, &[])
}

#[allow(clippy::disallowed_methods)] // A test helper: passes PATH on to the child.
fn run_with(
    program: &str,
    args: &[&str],
    cwd: &Path,
    home: &Path,
    tmp: &Path,
    extra: &[(&str, &str)],
) -> Output {
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .envs(extra.iter().copied())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("TMPDIR", tmp)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run command");
    let tmp_text = std::fs::canonicalize(tmp).unwrap().display().to_string();
    let norm = |b: &[u8]| {
        let s = String::from_utf8_lossy(b).replace(&tmp_text, "$TMPDIR");
        regex::Regex::new(r"kustomize-[0-9]+")
            .unwrap()
            .replace_all(&s, "kustomize-N")
            .into_owned()
    };
    Output {
        stdout: norm(&out.stdout),
        stderr: norm(&out.stderr),
        code: out.status.code().unwrap_or(-1),
    }
}

#[allow(clippy::disallowed_methods)] // Test setup: git with the test's HOME.
fn git(dir: &Path, home: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A bare repository `repo.git` under `root`: tag `v1` has `base` labelled `v: one`, HEAD
/// has `v: two`, plus hostile kustomizations.
fn make_repo(root: &Path, home: &Path) -> String {
    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, home, &["init", "-q", "-b", "main", "."]);
    write(&work.join("base/cm.yaml"), CM);
    write(
        &work.join("base/kustomization.yaml"),
        "resources:\n- cm.yaml\nlabels:\n- pairs:\n    v: one\n",
    );
    // Escapes: a file above the clone, a directory above it, a symlink out of it.
    write(
        &work.join("esc-file/kustomization.yaml"),
        "resources:\n- ../../../../../../../../etc/hostname\n",
    );
    write(
        &work.join("esc-dir/kustomization.yaml"),
        "resources:\n- ../../..\n",
    );
    write(
        &work.join("gen-abs/kustomization.yaml"),
        "configMapGenerator:\n- name: x\n  files:\n  - /etc/hostname\n",
    );
    std::os::unix::fs::symlink(root, work.join("link")).unwrap();
    let url = format!("file://{}/repo.git", root.display());
    write(
        &work.join("cycle/kustomization.yaml"),
        &format!("resources:\n- {url}//cycle\n"),
    );
    write(
        &work.join("sibling/kustomization.yaml"),
        "resources:\n- ../base\nnamePrefix: sib-\n",
    );
    git(&work, home, &["add", "-A"]);
    git(&work, home, &["commit", "-qm", "one"]);
    git(&work, home, &["tag", "v1"]);
    write(
        &work.join("base/kustomization.yaml"),
        "resources:\n- cm.yaml\nlabels:\n- pairs:\n    v: two\n",
    );
    git(&work, home, &["commit", "-qam", "two"]);
    git(root, home, &["clone", "-q", "--bare", "work", "repo.git"]);
    url
}

#[test]
fn remote_resources_build_as_kubectl_builds_them() {
    let Some(k) = oracle() else { return };
    let root = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(root.path()).unwrap();
    let home = root.join("home");
    let tmp = root.join("tmp");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    let repo = make_repo(&root, &home);

    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut routes = BTreeMap::new();
    routes.insert("/cm.yaml".to_string(), ok(CM));
    routes.insert("/not-yaml.yaml".to_string(), ok("a: [b\n"));
    routes.insert("/list.yaml".to_string(), ok("- a\n- b\n"));
    routes.insert(
        "/kust/kustomization.yaml".to_string(),
        ok("resources:\n- cm.yaml\n"),
    );
    routes.insert(
        "/gone.yaml".to_string(),
        ("410 Gone".into(), String::new(), Vec::new()),
    );
    let port = serve(routes.clone());
    let base = format!("http://127.0.0.1:{port}");
    // Redirects: to the file, in a loop, and to another scheme.
    routes.insert(
        "/moved.yaml".to_string(),
        (
            "302 Found".into(),
            format!("Location: {base}/cm.yaml\r\n"),
            Vec::new(),
        ),
    );
    routes.insert(
        "/loop.yaml".to_string(),
        (
            "302 Found".into(),
            format!("Location: {base}/loop.yaml\r\n"),
            Vec::new(),
        ),
    );
    routes.insert(
        "/to-file.yaml".to_string(),
        (
            "302 Found".into(),
            "Location: file:///etc/hostname\r\n".into(),
            Vec::new(),
        ),
    );
    let redirects = serve(routes);
    let rbase = format!("http://127.0.0.1:{redirects}");

    let resources: Vec<(String, String)> = vec![
        ("http-file".into(), format!("{base}/cm.yaml")),
        ("http-404".into(), format!("{base}/missing.yaml")),
        ("http-410".into(), format!("{base}/gone.yaml")),
        (
            "http-404-git-like".into(),
            format!("{base}/org/repo/x.yaml"),
        ),
        ("http-malformed".into(), format!("{base}/not-yaml.yaml")),
        ("http-not-objects".into(), format!("{base}/list.yaml")),
        (
            "http-kustomization-file".into(),
            format!("{base}/kust/kustomization.yaml"),
        ),
        (
            "http-refused".into(),
            format!("http://127.0.0.1:{closed_port}/cm.yaml"),
        ),
        ("http-redirect".into(), format!("{rbase}/moved.yaml")),
        ("http-redirect-loop".into(), format!("{rbase}/loop.yaml")),
        ("http-redirect-file".into(), format!("{rbase}/to-file.yaml")),
        ("git-head".into(), format!("{repo}//base")),
        ("git-ref".into(), format!("{repo}//base?ref=v1")),
        (
            "git-version".into(),
            format!("{repo}//base?version=v1&submodules=false&timeout=90"),
        ),
        ("git-missing-ref".into(), format!("{repo}//base?ref=nosuch")),
        ("git-missing-dir".into(), format!("{repo}//nope")),
        ("git-file-not-dir".into(), format!("{repo}//base/cm.yaml")),
        ("git-root-no-kustomization".into(), repo.clone()),
        ("git-exits-repo".into(), format!("{repo}//../x")),
        (
            "git-missing-repo".into(),
            format!("file://{}/nope.git//base", root.display()),
        ),
        ("git-escape-file".into(), format!("{repo}//esc-file")),
        ("git-escape-dir".into(), format!("{repo}//esc-dir")),
        (
            "git-generator-absolute-file".into(),
            format!("{repo}//gen-abs"),
        ),
        ("git-symlink-out".into(), format!("{repo}//link")),
        ("git-cycle".into(), format!("{repo}//cycle")),
        ("git-sibling".into(), format!("{repo}//sibling")),
    ];
    let mut failures = Vec::new();
    let mut cases = 0;
    for (name, url) in &resources {
        let dir = root.join("cases").join(name);
        write(
            &dir.join("kustomization.yaml"),
            &format!("resources:\n- {url}\nnamePrefix: x-\n"),
        );
        let mut runs: Vec<Vec<String>> = vec![
            vec!["kustomize".into(), dir.display().to_string()],
            vec![
                "kustomize".into(),
                dir.display().to_string(),
                "--load-restrictor".into(),
                "LoadRestrictionsNone".into(),
            ],
        ];
        if name.starts_with("git-") {
            // The repository as the kustomization itself.
            runs.push(vec!["kustomize".into(), url.clone()]);
        }
        for args in runs {
            cases += 1;
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let b = run(k, &args, &root, &home, &tmp);
            let a = run(env!("CARGO_BIN_EXE_kubectl-rs"), &args, &root, &home, &tmp);
            let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().collect();
            if a != b {
                failures.push(format!(
                    "== {name} {args:?}\n--- kubectl (code {}):\n{}{}\n--- kubectl-rs (code {}):\n{}{}",
                    b.code, b.stdout, b.stderr, a.code, a.stdout, a.stderr
                ));
            }
            assert!(left.is_empty(), "{name}: clones left behind: {left:?}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} builds differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// An HTTPS server on 127.0.0.1 serving `body` for every request, with a certificate for
/// 127.0.0.1 signed by a fresh CA; returns the port and the CA's PEM.
fn serve_tls(body: &'static str) -> (u16, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, "remote-ca");
    let ca_key = KeyPair::generate().unwrap();
    let ca = p.self_signed(&ca_key).unwrap();
    let sp = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = sp.signed_by(&key, &ca, &ca_key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .unwrap();
    let config = std::sync::Arc::new(config);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, s);
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (port, ca.pem())
}

/// `https://` files: trusted through SSL_CERT_FILE (Go's variable), and refused in Go's
/// words when the CA is not trusted.
#[test]
fn https_resources_trust_ssl_cert_file() {
    let Some(k) = oracle() else { return };
    let root = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(root.path()).unwrap();
    let (home, tmp) = (root.join("home"), root.join("tmp"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    let (port, ca) = serve_tls(CM);
    write(&root.join("ca.pem"), &ca);
    write(&root.join("empty.pem"), "");
    let dir = root.join("app");
    write(
        &dir.join("kustomization.yaml"),
        &format!("resources:\n- https://127.0.0.1:{port}/cm.yaml\nnameSuffix: -tls\n"),
    );
    let ca_file = root.join("ca.pem").display().to_string();
    let other = root.join("empty.pem").display().to_string();
    let dir = dir.display().to_string();
    for (what, bundle) in [("trusted", &ca_file), ("untrusted", &other)] {
        let args = ["kustomize", dir.as_str()];
        let env = [("SSL_CERT_FILE", bundle.as_str())];
        let a = run_with(
            env!("CARGO_BIN_EXE_kubectl-rs"),
            &args,
            &root,
            &home,
            &tmp,
            &env,
        );
        let b = run_with(k, &args, &root, &home, &tmp, &env);
        crate::common::assert_same(what, &a, &b);
        if what == "trusted" {
            assert!(a.stdout.contains("name: remote-cm-tls"), "{a:?}");
        }
    }
}

/// kustomize's HTTP client takes its proxy from the environment as Go does: `HTTP_PROXY`
/// (or `http_proxy`) for an `http://` resource, except for `NO_PROXY`'s hosts and loopback
/// addresses. The proxy here is the test's server, answering the absolute URL it is asked
/// for; the remote host itself does not exist.
#[test]
fn http_resources_go_through_the_environment_proxy() {
    let Some(k) = oracle() else { return };
    let root = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(root.path()).unwrap();
    let (home, tmp) = (root.join("home"), root.join("tmp"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    let mut routes = BTreeMap::new();
    routes.insert("http://finish-remote.invalid/cm.yaml".to_string(), ok(CM));
    routes.insert(
        "/direct.yaml".to_string(),
        ok(&CM.replace("remote-cm", "direct-cm")),
    );
    let port = serve(routes);
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let proxied = root.join("proxied");
    write(
        &proxied.join("kustomization.yaml"),
        "resources:\n- http://finish-remote.invalid/cm.yaml\n",
    );
    // A loopback resource is fetched directly even with a proxy that does not answer.
    let direct = root.join("direct");
    write(
        &direct.join("kustomization.yaml"),
        &format!("resources:\n- http://127.0.0.1:{port}/direct.yaml\n"),
    );
    let proxy = format!("http://127.0.0.1:{port}");
    let bare = format!("127.0.0.1:{port}");
    let dead = format!("http://127.0.0.1:{closed_port}");
    // (what, kustomization directory, environment, the ConfigMap expected)
    type Case<'a> = (&'a str, &'a Path, Vec<(&'a str, &'a str)>, &'a str);
    let cases: [Case; 4] = [
        (
            "HTTP_PROXY",
            &proxied,
            vec![("HTTP_PROXY", proxy.as_str())],
            "remote-cm",
        ),
        (
            "http_proxy",
            &proxied,
            vec![("http_proxy", bare.as_str())],
            "remote-cm",
        ),
        (
            "NO_PROXY of another host",
            &proxied,
            vec![
                ("HTTP_PROXY", proxy.as_str()),
                ("NO_PROXY", "other.invalid"),
            ],
            "remote-cm",
        ),
        (
            "loopback",
            &direct,
            vec![("HTTP_PROXY", dead.as_str())],
            "direct-cm",
        ),
    ];
    for (what, dir, env, want) in cases {
        let dir = dir.display().to_string();
        let args = ["kustomize", dir.as_str()];
        let a = run_with(
            env!("CARGO_BIN_EXE_kubectl-rs"),
            &args,
            &root,
            &home,
            &tmp,
            &env,
        );
        let b = run_with(k, &args, &root, &home, &tmp, &env);
        crate::common::assert_same(what, &a, &b);
        assert!(a.stdout.contains(&format!("name: {want}")), "{what}: {a:?}");
    }
}

/// `buildMetadata: [originAnnotations, transformerAnnotations]` over git bases: what a base
/// in a repository reads or configures names the repository (`repo:`, its clone URL), the
/// `ref:` asked for, and its `path:` from the repository's root, also through a local base
/// of the remote one; a kustomization at the repository's root is kustomize's `notCloned`
/// directory. kubectl v1.36.2 prints the same as the v1.33 oracle for every build here
/// (checked by hand with the real v1.36.2 while writing this test).
#[test]
fn origin_annotations_of_git_bases_match_kubectl() {
    let Some(k) = oracle() else { return };
    let root = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(root.path()).unwrap();
    let (home, tmp, work) = (root.join("home"), root.join("tmp"), root.join("work"));
    for d in [&home, &tmp, &work] {
        std::fs::create_dir_all(d).unwrap();
    }
    git(&work, &home, &["init", "-q", "-b", "main", "."]);
    write(&work.join("cm.yaml"), CM);
    write(
        &work.join("kustomization.yaml"),
        "resources:\n- cm.yaml\n- sub\nnamePrefix: p-\ntransformers:\n- |-\n  apiVersion: builtin\n  kind: LabelTransformer\n  metadata:\n    name: lt\n  labels:\n    x: y\n  fieldSpecs:\n  - path: metadata/labels\n    create: true\nconfigMapGenerator:\n- name: g\n  literals: [a=b]\n",
    );
    write(
        &work.join("sub/cm.yaml"),
        &CM.replace("remote-cm", "sub-cm"),
    );
    write(
        &work.join("sub/kustomization.yaml"),
        "resources:\n- cm.yaml\n",
    );
    write(&work.join("base/cm.yaml"), CM);
    write(
        &work.join("base/kustomization.yaml"),
        "resources:\n- cm.yaml\nconfigMapGenerator:\n- name: gen\n  literals: [x=y]\n",
    );
    write(
        &work.join("deep/a/b/kustomization.yaml"),
        "resources:\n- ../../../base\n- svc.yaml\nnamePrefix: d-\n",
    );
    write(
        &work.join("deep/a/b/svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
    );
    git(&work, &home, &["add", "-A"]);
    git(&work, &home, &["commit", "-qm", "one"]);
    git(&work, &home, &["tag", "v1"]);
    git(&root, &home, &["clone", "-q", "--bare", "work", "repo.git"]);
    let repo = format!("file://{}/repo.git", root.display());
    let local = root.join("local");
    write(
        &local.join("kustomization.yaml"),
        &format!("resources:\n- {repo}//base?ref=v1\n- cm.yaml\n"),
    );
    write(&local.join("cm.yaml"), &CM.replace("remote-cm", "local-cm"));
    let builds: Vec<(&str, String)> = vec![
        ("root of the repository", format!("- {repo}?ref=main\n")),
        ("a ref", format!("- {repo}//base?ref=v1\n")),
        ("?version=", format!("- {repo}//deep/a/b?version=v1\n")),
        ("no ref, nested path", format!("- {repo}//deep/a/b\n")),
        ("path after .git", format!("- {repo}/deep/a/b\n")),
        (
            "uncleaned path",
            format!("- {repo}//./base/../deep/a//b/\n"),
        ),
        ("through a local base", "- ../local\n".to_string()),
    ];
    let mut failures = Vec::new();
    for (what, resources) in &builds {
        for meta in [
            "[originAnnotations]",
            "[originAnnotations, transformerAnnotations]",
        ] {
            let dir = root.join("top");
            write(
                &dir.join("kustomization.yaml"),
                &format!("buildMetadata: {meta}\nresources:\n{resources}nameSuffix: -s\n"),
            );
            let args = ["kustomize", "top"];
            let b = run(k, &args, &root, &home, &tmp);
            let a = run(env!("CARGO_BIN_EXE_kubectl-rs"), &args, &root, &home, &tmp);
            assert_eq!(b.code, 0, "{what}: {b:?}");
            assert!(b.stdout.contains("repo: file://"), "{what}: {b:?}");
            if a != b {
                failures.push(format!(
                    "== {what} {meta}\n--- kubectl:\n{}{}\n--- kubectl-rs:\n{}{}",
                    b.stdout, b.stderr, a.stdout, a.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

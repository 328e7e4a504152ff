//! `proxy`: both CLIs' proxies run against one sandbox (port 0, each waited for through its
//! "Starting to serve on" line) and answer the same requests: forwarded API calls, the
//! filter's 403s, the mux's 404s and redirects, static files under `--www`, and an `exec`
//! upgraded through the proxy. Plus kubectl's warnings and errors at start.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::common::{advancing, assert_same, oracle, Output, TestEnv};

/// A running proxy: the child (killed on drop) and its address.
struct Running {
    _child: tokio::process::Child,
    addr: String,
    stderr_head: String,
    /// The read end of its stderr, kept open so that later writes do not fail.
    _stderr: std::fs::File,
}

async fn start_proxy(env: &TestEnv, program: &str, cache: &str, args: &[&str]) -> Running {
    let mut all = vec!["proxy"];
    all.extend_from_slice(args);
    let mut cmd = env.command(program, &all, cache);
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("spawn proxy");
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = out
        .next_line()
        .await
        .expect("read stdout")
        .unwrap_or_else(|| panic!("{program} proxy printed nothing"));
    let addr = line
        .strip_prefix("Starting to serve on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    // Whatever was written to stderr before serving began (warnings come first): read
    // without waiting, from the pipe made non-blocking.
    let fd = child.stderr.take().unwrap().into_owned_fd().unwrap();
    let mut err = std::fs::File::from(fd);
    // SAFETY: fcntl on a descriptor this function owns.
    unsafe {
        use std::os::fd::AsRawFd;
        let flags = libc::fcntl(err.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(err.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    let mut buf = vec![0u8; 4096];
    let n = std::io::Read::read(&mut err, &mut buf).unwrap_or(0);
    Running {
        _child: child,
        addr,
        stderr_head: klog_normalized(&String::from_utf8_lossy(&buf[..n])),
        _stderr: err,
    }
}

/// A klog header (`W1206 21:13:37.359293   18002 `) with its time and pid masked.
fn klog_normalized(s: &str) -> String {
    let re = regex::Regex::new(r"(?m)^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ ").unwrap();
    re.replace_all(s, "${1}0000 00:00:00.000000 PID ")
        .into_owned()
}

/// One answer, reduced to what a client sees: status, the headers that carry meaning, body.
async fn ask(addr: &str, method: &str, path: &str, host: Option<&str>, body: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let mut rb = client.request(method.parse().unwrap(), format!("http://{addr}{path}"));
    if let Some(h) = host {
        rb = rb.header("host", h);
    }
    if !body.is_empty() {
        rb = rb
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let resp = rb.send().await.expect("request");
    let mut text = format!("{}\n", resp.status());
    for h in [
        "content-type",
        "content-length",
        "location",
        "x-content-type-options",
        "cache-control",
        "accept-ranges",
        "last-modified",
    ] {
        if let Some(v) = resp.headers().get(h) {
            text.push_str(&format!("{h}: {}\n", v.to_str().unwrap()));
        }
    }
    text.push('\n');
    text.push_str(&resp.text().await.unwrap());
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxies_answer_as_kubectl() {
    let Some(k) = oracle() else { return };
    // A stopped clock: no lease renewal or other timed write moves the list's resourceVersion
    // between the two proxies' answers.
    let env = TestEnv::manual_clock().await;
    let www = env.work.join("www");
    std::fs::create_dir_all(www.join("sub")).unwrap();
    std::fs::write(www.join("a.txt"), "hi\n").unwrap();
    std::fs::write(www.join("b.json"), "{}\n").unwrap();
    std::fs::write(www.join("sub/index.html"), "<html>x\n").unwrap();
    let flags = [
        "-p",
        "0",
        "--api-prefix=/custom",
        "--www=www",
        "--www-prefix=/s",
        "--reject-methods=^DELETE$",
    ];
    let ours = start_proxy(&env, env!("CARGO_BIN_EXE_kubectl-rs"), "cache-rs", &flags).await;
    let theirs = start_proxy(&env, k, "cache-kubectl", &flags).await;
    assert_eq!(ours.stderr_head, theirs.stderr_head);
    let cases: &[(&str, &str, Option<&str>, &str)] = &[
        ("GET", "/custom/api/v1/namespaces/default/pods", None, ""),
        ("GET", "/custom/api/v1/namespaces?limit=1", None, ""),
        ("GET", "/custom/api/v1/namespaces/nope", None, ""),
        ("GET", "/custom/version", None, ""),
        ("GET", "/custom", None, ""),
        ("GET", "/custom?a=b", None, ""),
        ("HEAD", "/custom", None, ""),
        ("GET", "/custom/", None, ""),
        ("GET", "/custom/api//v1", None, ""),
        ("GET", "/elsewhere", None, ""),
        // The filter: exec and attach paths, a rejected method, a foreign Host.
        (
            "GET",
            "/custom/api/v1/namespaces/default/pods/x/exec",
            None,
            "",
        ),
        (
            "POST",
            "/custom/api/v1/namespaces/default/pods/x/attach",
            None,
            "",
        ),
        ("DELETE", "/custom/api/v1/namespaces/default", None, ""),
        ("GET", "/custom/api", Some("evil.example.com"), ""),
        ("GET", "/custom/api", Some("localhost:1234"), ""),
        ("GET", "/custom/api", Some("[::1]:1234"), ""),
        // A request the API server refuses, forwarded as is.
        (
            "POST",
            "/custom/api/v1/namespaces",
            None,
            "{\"kind\":\"Nope\"}",
        ),
        // Static files.
        ("GET", "/s/", None, ""),
        ("GET", "/s", None, ""),
        ("GET", "/s/a.txt", None, ""),
        ("HEAD", "/s/a.txt", None, ""),
        ("GET", "/s/b.json", None, ""),
        ("GET", "/s/sub", None, ""),
        ("GET", "/s/sub/", None, ""),
        ("GET", "/s/sub/index.html", None, ""),
        ("GET", "/s/a.txt/", None, ""),
        ("GET", "/s/missing", None, ""),
    ];
    for (method, path, host, body) in cases {
        let a = ask(&ours.addr, method, path, *host, body).await;
        let b = ask(&theirs.addr, method, path, *host, body).await;
        // Writes the sandbox's controllers still make at start move the list's resourceVersion.
        assert_eq!(
            without_resource_version(&a),
            without_resource_version(&b),
            "{method} {path} (host {host:?})"
        );
    }
    // Nothing was deleted or created through either proxy.
    let ns = env.ours(&["get", "ns", "default", "-o", "name"]).await;
    assert_eq!(ns.stdout, "namespace/default\n");
}

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: one
spec:
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'sleep infinity']
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_upgrades_through_the_proxy() {
    let Some(k) = oracle() else { return };
    let env = TestEnv::manual_clock().await;
    std::fs::write(env.work.join("pod.yaml"), POD).unwrap();
    assert_eq!(env.ours(&["apply", "-f", "pod.yaml"]).await.code, 0);
    advancing(&env, Duration::from_millis(500), || async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        env.sandbox
            .store()
            .get(
                &kubectl_rs::sandbox::store::GroupResource::new("", "pods"),
                "default",
                "one",
            )
            .is_some_and(|p: Value| {
                p["status"]["containerStatuses"][0]["state"]["running"].is_object()
            })
    })
    .await;
    for reject in [None, Some("--reject-paths=")] {
        let mut flags = vec!["-p", "0"];
        flags.extend(reject);
        let ours = start_proxy(&env, env!("CARGO_BIN_EXE_kubectl-rs"), "cache-rs", &flags).await;
        let theirs = start_proxy(&env, k, "cache-kubectl", &flags).await;
        let mut outs: Vec<Output> = Vec::new();
        for addr in [&ours.addr, &theirs.addr] {
            let server = format!("--server=http://{addr}");
            let args = [
                "--kubeconfig=/dev/null",
                server.as_str(),
                "exec",
                "one",
                "--",
                "echo",
                "hello",
            ];
            let out = env.kubectl(&args).await.unwrap();
            outs.push(Output {
                stderr: out.stderr.replace(addr.as_str(), "ADDR"),
                ..out
            });
        }
        assert_same(
            &format!("exec through proxy {reject:?}"),
            &outs[0],
            &outs[1],
        );
        if reject.is_some() {
            assert_eq!(outs[0].stdout, "hello\n");
        } else {
            assert_ne!(outs[0].code, 0);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_and_errors_at_start_match_kubectl() {
    let Some(k) = oracle() else { return };
    let env = TestEnv::start().await;
    std::fs::write(env.work.join("file"), "x").unwrap();
    for flags in [
        &["-p", "0", "--disable-filter"][..],
        &["-p", "0", "--www=nodir"],
        &["-p", "0", "--www=file"],
        &["-p", "0", "--reject-paths="],
        &[
            "-p",
            "0",
            "--server=https://127.0.0.1:1/base/",
            "--insecure-skip-tls-verify",
        ],
    ] {
        let ours = start_proxy(&env, env!("CARGO_BIN_EXE_kubectl-rs"), "cache-rs", flags).await;
        let theirs = start_proxy(&env, k, "cache-kubectl", flags).await;
        assert_eq!(ours.stderr_head, theirs.stderr_head, "{flags:?}");
    }
    // An API server that cannot be reached: Go's transport error, answered with a 500.
    let down = [
        "--kubeconfig=/dev/null",
        "--server=https://127.0.0.1:1",
        "--token=x",
        "-p",
        "0",
    ];
    let ours = start_proxy(&env, env!("CARGO_BIN_EXE_kubectl-rs"), "cache-rs", &down).await;
    let theirs = start_proxy(&env, k, "cache-kubectl", &down).await;
    let a = ask(&ours.addr, "GET", "/api/v1/pods", None, "").await;
    assert_eq!(a, ask(&theirs.addr, "GET", "/api/v1/pods", None, "").await);
    assert!(a.contains("connection refused"), "{a}");
    // v1.36 (like v1.33) gives no warning for a relaxed filter; the next release does.
    let sock = env.work.join("p.sock");
    let sock_flag = format!("--unix-socket={}", sock.display());
    for args in [
        &["proxy", "-u", "x.sock", "-p", "1"][..],
        &["proxy", "--accept-paths=("],
        &["proxy", "--reject-paths=a,b[z"],
        &["proxy", "--accept-hosts=a)"],
        &["proxy", "--reject-methods=*"],
        &["proxy", "-p", "abc"],
        &["proxy", "--keepalive=abc"],
        &["proxy", "--address=192.0.2.1", "-p", "0"],
    ] {
        let mut ours = env.ours(args).await;
        let mut theirs = env.kubectl(args).await.unwrap();
        ours.stderr = klog_normalized(&ours.stderr).replace("kubectl-rs", "kubectl");
        theirs.stderr = klog_normalized(&theirs.stderr);
        assert_same(&args.join(" "), &ours, &theirs);
    }
    // A Unix socket: only its owner may connect.
    let ours = start_proxy(
        &env,
        env!("CARGO_BIN_EXE_kubectl-rs"),
        "cache-rs",
        &[sock_flag.as_str()],
    )
    .await;
    assert_eq!(ours.addr, sock.display().to_string());
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    let stream = tokio::net::UnixStream::connect(&sock).await.unwrap();
    let io = hyper_util::rt::TokioIo::new(stream);
    let (mut send, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
    tokio::spawn(conn);
    let req = hyper::Request::builder()
        .uri("/api/v1/namespaces/default")
        .header("host", "localhost")
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    let resp = send.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
}

/// The answer with the digits of every `"resourceVersion":"N"` replaced, and no content-length
/// (it counts those digits).
fn without_resource_version(answer: &str) -> String {
    let key = "\"resourceVersion\":\"";
    let mut out = String::new();
    let mut rest = answer;
    while let Some(i) = rest.find(key) {
        out.push_str(&rest[..i + key.len()]);
        rest = rest[i + key.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('N');
    }
    out.push_str(rest);
    out.lines()
        .filter(|l| !l.starts_with("content-length:"))
        .collect::<Vec<_>>()
        .join("\n")
}

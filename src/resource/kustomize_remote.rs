//! The network and process half of kustomize's remote resources (the engine in
//! `crates/kustomize` does no I/O of its own): `http(s)://` files fetched with reqwest, and git
//! repositories cloned by the `git` program into a temporary directory, as kustomize's
//! `httpClientGetContent` and `ClonerUsingGitExec` do, worded as they word their errors.
//!
//! Beyond kustomize (whose HTTP client has neither), a GET has a timeout and a body size
//! limit, and redirects are followed only to `http`/`https` URLs, at most 10 (Go's limit).
//! Each git command has the repository spec's timeout (`?timeout=`, 27s by default); a git
//! that overruns it is killed, and the clone's directory is removed when the build is done
//! with it, or at once when cloning fails.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kustomize::remote::{
    go_duration_string, CloneError, ClonedRepo, FetchError, Fetcher, Remote, RepoSpec,
};

use crate::context::Context;

/// How long one GET may take, body included.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest remote file read (kustomize reads any size; a larger body is refused).
pub const MAX_BODY: usize = 32 << 20;

/// Fetches and clones for one build, with the command's environment (PATH for git, TMPDIR
/// for the clone, SSL_CERT_FILE for the trusted roots, and git's own variables).
pub struct RemoteFetcher {
    env: Vec<(String, String)>,
    pub http_timeout: Duration,
    pub max_body: usize,
}

impl RemoteFetcher {
    pub fn new(ctx: &Context) -> RemoteFetcher {
        RemoteFetcher {
            env: ctx
                .env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            http_timeout: HTTP_TIMEOUT,
            max_body: MAX_BODY,
        }
    }

    /// The fetcher as the engine's option.
    pub fn into_remote(self) -> Remote {
        Remote(Arc::new(self))
    }

    fn var(&self, k: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }

    /// Go's `http.ProxyFromEnvironment` (golang.org/x/net/http/httpproxy), which kustomize's
    /// HTTP client uses: `HTTPS_PROXY` for `https://` URLs, `HTTP_PROXY` for `http://` ones
    /// (the upper-case name first, an empty value as unset), a proxy without a scheme read
    /// as `http://`; `NO_PROXY`'s hosts, `localhost` and loopback addresses are reached
    /// directly.
    fn env_proxies(&self) -> Result<Vec<reqwest::Proxy>, String> {
        let either = |name: &str| {
            [name.to_string(), name.to_ascii_lowercase()]
                .into_iter()
                .find_map(|n| self.var(&n).filter(|v| !v.is_empty()))
        };
        let direct = match either("NO_PROXY") {
            Some(no) => format!("{no},localhost,127.0.0.0/8,::1"),
            None => "localhost,127.0.0.0/8,::1".to_string(),
        };
        let mut out = Vec::new();
        for (name, https) in [("HTTPS_PROXY", true), ("HTTP_PROXY", false)] {
            let Some(u) = either(name) else { continue };
            let u = if u.contains("://") {
                u.to_string()
            } else {
                format!("http://{u}")
            };
            let p = if https {
                reqwest::Proxy::https(&u)
            } else {
                reqwest::Proxy::http(&u)
            }
            .map_err(|e| format!("invalid proxy address {}: {e}", go_quote(&u)))?;
            out.push(p.no_proxy(reqwest::NoProxy::from_string(&direct)));
        }
        Ok(out)
    }

    fn client(
        &self,
        redirect_error: Arc<Mutex<Option<String>>>,
    ) -> Result<reqwest::Client, String> {
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            let url = attempt.url().to_string();
            let scheme = attempt.url().scheme().to_string();
            let fail = |msg: String| {
                if let Ok(mut slot) = redirect_error.lock() {
                    *slot = Some(msg.clone());
                }
                msg
            };
            if attempt.previous().len() >= 10 {
                let msg = fail(format!(
                    "Get {}: stopped after 10 redirects",
                    go_quote(&url)
                ));
                attempt.error(msg)
            } else if scheme != "http" && scheme != "https" {
                let msg = fail(format!(
                    "Get {}: unsupported protocol scheme {}",
                    go_quote(&url),
                    go_quote(&scheme)
                ));
                attempt.error(msg)
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(self.http_timeout)
            .redirect(policy)
            .no_proxy();
        for p in self.env_proxies()? {
            builder = builder.proxy(p);
        }
        // Go reads SSL_CERT_FILE instead of the system bundle when it is set.
        let bundles: Vec<String> = match self.var("SSL_CERT_FILE") {
            Some(f) if !f.is_empty() => vec![f.to_string()],
            _ => [
                "/etc/ssl/certs/ca-certificates.crt",
                "/etc/pki/tls/certs/ca-bundle.crt",
                "/etc/ssl/cert.pem",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        };
        for bundle in bundles {
            if let Ok(pem) = std::fs::read(&bundle) {
                if let Ok(certs) = reqwest::Certificate::from_pem_bundle(&pem) {
                    for c in certs {
                        builder = builder.add_root_certificate(c);
                    }
                    break;
                }
            }
        }
        builder.build().map_err(|e| e.to_string())
    }

    async fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let redirect_error = Arc::new(Mutex::new(None));
        let client = self
            .client(redirect_error.clone())
            .map_err(FetchError::Transport)?;
        let get = |e: reqwest::Error| {
            if let Some(msg) = redirect_error.lock().ok().and_then(|s| s.clone()) {
                return FetchError::Transport(msg);
            }
            FetchError::Transport(format!("Get {}: {}", go_quote(url), go_error_text(url, &e)))
        };
        let mut resp = client.get(url).send().await.map_err(get)?;
        let status = resp.status();
        // reqwest hands back a redirect to a URL it cannot follow; Go's client tries it and
        // fails on the scheme.
        if status.is_redirection() {
            let target = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| resp.url().join(l).ok());
            if let Some(t) = target.filter(|t| t.scheme() != "http" && t.scheme() != "https") {
                return Err(FetchError::Transport(format!(
                    "Get {}: unsupported protocol scheme {}",
                    go_quote(t.as_str()),
                    go_quote(t.scheme())
                )));
            }
        }
        if !status.is_success() {
            return Err(FetchError::Status(
                status.as_u16(),
                status.canonical_reason().unwrap_or("").to_string(),
            ));
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.max_body {
                        return Err(FetchError::Refused(format!(
                            "response body of {} exceeds the limit of {} bytes",
                            go_quote(url),
                            self.max_body
                        )));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(e) if e.is_timeout() => {
                    return Err(FetchError::Transport(
                        "context deadline exceeded (Client.Timeout or context cancellation while reading body)"
                            .into(),
                    ))
                }
                Err(e) => return Err(FetchError::Transport(innermost(&e))),
            }
        }
    }

    /// `exec.LookPath("git")` over the command's PATH.
    fn git_program(&self) -> Result<PathBuf, String> {
        for dir in self.var("PATH").unwrap_or("").split(':') {
            let dir = if dir.is_empty() { "." } else { dir };
            let candidate = Path::new(dir).join("git");
            if is_executable(&candidate) && Path::new(dir).is_absolute() {
                return Ok(candidate);
            }
        }
        Err("no 'git' program on path: exec: \"git\": executable file not found in $PATH".into())
    }

    /// `filesys.NewTmpConfirmedDir`: `$TMPDIR/kustomize-<n>`, symlinks resolved.
    fn temp_dir(&self) -> Result<TempClone, String> {
        let base = match self.var("TMPDIR") {
            Some(t) if !t.is_empty() => PathBuf::from(t),
            _ => PathBuf::from("/tmp"),
        };
        for _ in 0..100 {
            let n: u32 = rand::random();
            let dir = base.join(format!("kustomize-{n}"));
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    use std::os::unix::fs::PermissionsExt;
                    let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
                    return match std::fs::canonicalize(&dir) {
                        Ok(real) => Ok(TempClone { dir: real }),
                        Err(e) => {
                            let _ = std::fs::remove_dir(&dir);
                            Err(e.to_string())
                        }
                    };
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("mkdir {}: {e}", dir.display())),
            }
        }
        Err(format!(
            "mkdir {}: too many temporary directories",
            base.display()
        ))
    }

    /// One git command in `dir`, as kustomize's `gitRunner.run` runs it.
    fn git(
        &self,
        git: &Path,
        dir: &Path,
        timeout: Duration,
        args: &[&str],
    ) -> Result<(), CloneError> {
        let shown = std::iter::once(git.display().to_string())
            .chain(args.iter().map(|a| a.to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        let fail = |message: String| CloneError {
            message,
            timed_out: false,
        };
        let (mut reader, writer) = std::io::pipe().map_err(|e| fail(e.to_string()))?;
        let writer2 = writer.try_clone().map_err(|e| fail(e.to_string()))?;
        let mut cmd = Command::new(git);
        cmd.args(args)
            .current_dir(dir)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(writer2);
        let spawned = cmd.spawn();
        drop(cmd);
        let mut child = spawned.map_err(|e| fail(format!("failed to run '{shown}': : {e}")))?;
        let output = std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = reader.read_to_end(&mut out);
            out
        });
        let deadline = Instant::now() + timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(CloneError {
                        message: format!(
                            "hit {} timeout running '{shown}'",
                            go_duration_string(timeout)
                        ),
                        timed_out: true,
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => return Err(fail(e.to_string())),
            }
        };
        let out = output.join().unwrap_or_default();
        if status.success() {
            return Ok(());
        }
        let why = match status.code() {
            Some(code) => format!("exit status {code}"),
            None => {
                use std::os::unix::process::ExitStatusExt;
                format!("signal: {}", signal_name(status.signal().unwrap_or(0)))
            }
        };
        Err(fail(format!(
            "failed to run '{shown}': {}: {why}",
            String::from_utf8_lossy(&out)
        )))
    }
}

impl Fetcher for RemoteFetcher {
    fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        // The engine is synchronous and may run inside the command's runtime: fetch on a
        // thread of its own with a runtime of its own.
        std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| FetchError::Transport(e.to_string()))?;
                rt.block_on(self.fetch(url))
            })
            .join()
            .unwrap_or_else(|_| Err(FetchError::Transport("fetch failed".into())))
        })
    }

    fn clone_repo(&self, spec: &RepoSpec) -> Result<Box<dyn ClonedRepo>, CloneError> {
        let plain = |message: String| CloneError {
            message,
            timed_out: false,
        };
        let git = self.git_program().map_err(plain)?;
        let tmp = self.temp_dir().map_err(plain)?;
        let clone_spec = spec.clone_spec();
        let git_ref = if spec.git_ref.is_empty() {
            "HEAD"
        } else {
            spec.git_ref.as_str()
        };
        let run = |args: &[&str]| self.git(&git, &tmp.dir, spec.timeout, args);
        run(&["init"])?;
        run(&["remote", "add", "origin", &clone_spec])?;
        run(&["fetch", "--depth=1", &clone_spec, git_ref])?;
        run(&["checkout", "FETCH_HEAD"])?;
        if spec.submodules {
            run(&["submodule", "update", "--init", "--recursive"])?;
        }
        Ok(Box::new(tmp))
    }
}

/// A clone's temporary directory, removed on drop.
struct TempClone {
    dir: PathBuf,
}

impl ClonedRepo for TempClone {
    fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for TempClone {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn signal_name(sig: i32) -> String {
    match sig {
        9 => "killed".into(),
        15 => "terminated".into(),
        2 => "interrupt".into(),
        6 => "aborted".into(),
        11 => "segmentation fault".into(),
        n => format!("signal {n}"),
    }
}

fn go_quote(s: &str) -> String {
    kcore::gofmt::go_quote(s)
}

fn innermost(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
}

/// The tail of Go's `*url.Error` for a failed request.
fn go_error_text(url: &str, e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)".into();
    }
    let text = innermost(e);
    if let Some(tls) = crate::client::tls_error_from_text(&text) {
        return tls;
    }
    if e.is_connect() && text.to_ascii_lowercase().contains("refused") {
        let addr = url::Url::parse(url)
            .ok()
            .and_then(|u| {
                let port = u.port_or_known_default()?;
                Some(match u.host()? {
                    url::Host::Ipv6(a) => format!("[{a}]:{port}"),
                    h => format!("{h}:{port}"),
                })
            })
            .unwrap_or_default();
        return format!("dial tcp {addr}: connect: connection refused");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    fn fetcher() -> RemoteFetcher {
        RemoteFetcher {
            env: vec![],
            http_timeout: Duration::from_millis(300),
            max_body: 1 << 16,
        }
    }

    /// A server answering each connection with `respond`, on a thread.
    fn serve(respond: impl Fn(std::net::TcpStream) + Send + 'static) -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                let mut buf = [0u8; 4096];
                let mut s = s;
                let _ = std::io::Read::read(&mut s, &mut buf);
                respond(s);
            }
        });
        port
    }

    #[test]
    fn a_server_that_never_answers_times_out() {
        let (tx, rx) = std::sync::mpsc::channel::<std::net::TcpStream>();
        // Hold the connections open without answering.
        let port = serve(move |s| tx.send(s).unwrap());
        let url = format!("http://127.0.0.1:{port}/slow.yaml");
        let e = fetcher().get(&url).unwrap_err();
        drop(rx);
        assert_eq!(
            e,
            FetchError::Transport(format!(
                "Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
            ))
        );
    }

    #[test]
    fn an_endless_body_is_refused_at_the_limit() {
        let port = serve(|mut s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
            let chunk = vec![b'a'; 8192];
            while s.write_all(&chunk).is_ok() {}
        });
        let url = format!("http://127.0.0.1:{port}/huge.yaml");
        let mut f = fetcher();
        f.http_timeout = Duration::from_secs(30);
        let e = f.get(&url).unwrap_err();
        assert_eq!(
            e,
            FetchError::Refused(format!(
                "response body of \"{url}\" exceeds the limit of 65536 bytes"
            ))
        );
    }

    #[test]
    fn redirects_stop_at_ten_and_at_other_schemes() {
        let port = serve(|mut s| {
            let _ = s.write_all(
                b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        });
        let e = fetcher()
            .get(&format!("http://127.0.0.1:{port}/loop"))
            .unwrap_err();
        assert_eq!(
            e,
            FetchError::Transport(format!(
                "Get \"http://127.0.0.1:{port}/again\": stopped after 10 redirects"
            ))
        );
        let port = serve(|mut s| {
            let _ = s.write_all(
                b"HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        });
        let e = fetcher()
            .get(&format!("http://127.0.0.1:{port}/x"))
            .unwrap_err();
        assert_eq!(
            e,
            FetchError::Transport(
                "Get \"file:///etc/passwd\": unsupported protocol scheme \"file\"".into()
            )
        );
    }

    #[test]
    fn a_git_that_overruns_its_timeout_is_killed_and_its_clone_removed() {
        let tmp = tempfile::tempdir().unwrap();
        // A "git" that hangs on fetch.
        let (bin, git) = crate::testutil::temp_script(
            "git",
            "#!/bin/sh\ncase \"$1\" in fetch) exec sleep 600;; esac\nexit 0\n",
        );
        let f = RemoteFetcher {
            env: vec![
                (
                    "PATH".into(),
                    format!("{}:/usr/bin:/bin", bin.path().display()),
                ),
                ("TMPDIR".into(), tmp.path().display().to_string()),
            ],
            ..fetcher()
        };
        let spec = RepoSpec::parse("file:///nowhere/repo.git?timeout=200ms").unwrap();
        let e = f.clone_repo(&spec).err().unwrap();
        assert!(e.timed_out);
        assert_eq!(
            e.message,
            format!(
                "hit 200ms timeout running '{} fetch --depth=1 file:///nowhere/repo.git HEAD'",
                git.display()
            )
        );
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn without_git_on_the_path_kustomizes_error() {
        let f = RemoteFetcher {
            env: vec![("PATH".into(), "/nonexistent".into())],
            ..fetcher()
        };
        let spec = RepoSpec::parse("file:///nowhere/repo.git").unwrap();
        assert_eq!(
            f.clone_repo(&spec).err().unwrap().message,
            "no 'git' program on path: exec: \"git\": executable file not found in $PATH"
        );
    }
}

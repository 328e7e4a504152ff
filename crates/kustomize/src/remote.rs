//! Remote resources and bases (`internal/git/repospec.go`, the remote half of
//! `internal/loader/fileloader.go`): which paths name a remote file (`http://`, `https://`)
//! or a git repository (`https://github.com/org/repo//path?ref=v1`, `git@host:org/repo`,
//! `file:///srv/repo.git//path`), parsed as kustomize's `RepoSpec`.
//!
//! The engine does no network or process I/O itself: the caller hands it a [`Fetcher`]
//! (`Options::remote`) that GETs URLs and clones repositories; without one, remote paths are
//! refused.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// kustomize's default timeout for each git command (`?timeout=` overrides it).
pub const DEFAULT_GIT_TIMEOUT: Duration = Duration::from_secs(27);

/// A git repository and a kustomization root in it (`git.RepoSpec`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSpec {
    /// The URL as written (cycle detection compares these).
    pub raw: String,
    /// Scheme, user and host: `https://github.com/`, `git@github.com:`, `file://`.
    pub host: String,
    /// The repository's path on the host: `org/repo`, `/srv/repo.git`.
    pub repo_path: String,
    /// The kustomization root inside the repository (no leading `/`).
    pub kust_root_path: String,
    /// `?ref=` (or `?version=`); empty for the remote's HEAD.
    pub git_ref: String,
    /// `?submodules=` (default true).
    pub submodules: bool,
    /// `?timeout=` (default 27s): the limit for each git command.
    pub timeout: Duration,
}

impl RepoSpec {
    /// `CloneSpec`: what git fetches from.
    pub fn clone_spec(&self) -> String {
        format!("{}{}", self.host, self.repo_path)
    }

    /// `git.NewRepoSpecFromURL`: `Err` when `n` is not a git-like URL (then it is a local path).
    pub fn parse(n: &str) -> Result<RepoSpec, String> {
        if n.starts_with('/') {
            return Err(format!("uri looks like abs path: {n}"));
        }
        let (rest, query) = match n.split_once('?') {
            Some((a, b)) => (a, b),
            None => (n, ""),
        };
        let (git_ref, timeout, submodules) = parse_query(query);
        let (host, rest) = extract_host(rest)?;
        let default_len = if host.starts_with(FILE) {
            None
        } else {
            Some(2)
        };
        let (repo_path, kust_root_path) = parse_path_parts(rest, default_len)?;
        Ok(RepoSpec {
            raw: n.to_string(),
            host,
            repo_path,
            kust_root_path,
            git_ref,
            submodules,
            timeout,
        })
    }
}

const FILE: &str = "file://";
const HTTP: &str = "http://";
const HTTPS: &str = "https://";
const SSH: &str = "ssh://";

fn parse_path_parts(n: &str, default_len: Option<usize>) -> Result<(String, String), String> {
    let split = explicit_marker_split(n).or_else(|| match default_len {
        None => Some((n.to_string(), String::new())),
        Some(len) => {
            let segs: Vec<&str> = n.split('/').collect();
            (segs.len() >= len).then(|| (segs[..len].join("/"), segs[len..].join("/")))
        }
    });
    let Some((repo, kust)) = split.filter(|(r, _)| !r.is_empty()) else {
        return Err("failed to parse repo path segment".into());
    };
    if exits_repo(kust.strip_prefix('/').unwrap_or(&kust)) {
        return Err(format!("url path exits repo: {n}"));
    }
    Ok((repo, kust.strip_prefix('/').unwrap_or(&kust).to_string()))
}

/// `filepath.Clean(p)` starts with `..`.
fn exits_repo(p: &str) -> bool {
    let mut depth: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if depth.last().is_none_or(|s| *s == "..") {
                    depth.push("..");
                } else {
                    depth.pop();
                }
            }
            s => depth.push(s),
        }
    }
    depth.first() == Some(&"..")
}

fn explicit_marker_split(n: &str) -> Option<(String, String)> {
    if let Some(i) = n.find("_git/") {
        let root = &n[..i + 5];
        let segs: Vec<&str> = n[i + 5..].split('/').collect();
        return Some((format!("{root}{}", segs[0]), segs[1..].join("/")));
    }
    if let Some(i) = n.find("//") {
        return Some((n[..i].to_string(), n[i + 2..].to_string()));
    }
    if let Some(i) = n.find(".git") {
        return Some((n[..i + 4].to_string(), n[i + 4..].to_string()));
    }
    None
}

/// Go's `url.ParseQuery` then `Get` of the parameters kustomize reads; any malformed pair
/// means the defaults.
fn parse_query(query: &str) -> (String, Duration, bool) {
    let defaults = (String::new(), DEFAULT_GIT_TIMEOUT, true);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in query.split('&') {
        if part.is_empty() {
            continue;
        }
        if part.contains(';') {
            return defaults;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match (query_unescape(k), query_unescape(v)) {
            (Some(k), Some(v)) => pairs.push((k, v)),
            _ => return defaults,
        }
    }
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut git_ref = get("version");
    if !get("ref").is_empty() {
        git_ref = get("ref");
    }
    let mut timeout = DEFAULT_GIT_TIMEOUT;
    let t = get("timeout");
    if !t.is_empty() {
        match t.parse::<i64>() {
            Ok(secs) if secs > 0 => timeout = Duration::from_secs(secs as u64),
            _ => {
                if let Some(d) = parse_go_duration(&t).filter(|d| !d.is_zero()) {
                    timeout = d;
                }
            }
        }
    }
    let mut submodules = true;
    match get("submodules").as_str() {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => submodules = true,
        "0" | "f" | "F" | "FALSE" | "false" | "False" => submodules = false,
        _ => {}
    }
    (git_ref, timeout, submodules)
}

/// Go's `url.QueryUnescape`.
fn query_unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Go's `time.ParseDuration` (`1m30s`, `1.5h`, `500ms`); `None` for what it refuses and for
/// negative durations.
pub fn parse_go_duration(s: &str) -> Option<Duration> {
    let nanos = kcore::duration::parse_go_duration_nanos(s)?;
    u64::try_from(nanos).ok().map(Duration::from_nanos)
}

/// Go's `time.Duration.String`: `27s`, `1m30s`, `1.5s`, `500ms`, `2h0m0s`.
pub fn go_duration_string(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        return "0s".into();
    }
    let frac = |v: u128, unit: u128| -> String {
        let whole = v / unit;
        let mut f = format!("{:0width$}", v % unit, width = unit.ilog10() as usize);
        while f.ends_with('0') {
            f.pop();
        }
        if f.is_empty() {
            whole.to_string()
        } else {
            format!("{whole}.{f}")
        }
    };
    if ns < 1_000 {
        return format!("{ns}ns");
    }
    if ns < 1_000_000 {
        return format!("{}µs", frac(ns, 1_000));
    }
    if ns < 1_000_000_000 {
        return format!("{}ms", frac(ns, 1_000_000));
    }
    let secs = frac(ns % 60_000_000_000, 1_000_000_000);
    let mins = ns / 60_000_000_000;
    if mins == 0 {
        return format!("{secs}s");
    }
    let (h, m) = (mins / 60, mins % 60);
    if h == 0 {
        format!("{m}m{secs}s")
    } else {
        format!("{h}h{m}m{secs}s")
    }
}

fn trim_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

fn extract_host(n: &str) -> Result<(String, &str), String> {
    // go-getter's `git::` prefix is stripped (kustomize logs a warning about it).
    let n = trim_prefix_ignore_case(n, "git::").unwrap_or(n);
    let (mut scheme, n) = [SSH, HTTPS, HTTP, FILE]
        .iter()
        .find_map(|p| trim_prefix_ignore_case(n, p).map(|rest| (p.to_string(), rest)))
        .unwrap_or((String::new(), n));
    let after_scheme = n;
    let (mut username, n) = extract_username(n);
    let lower = n.to_ascii_lowercase();
    let std_github = lower.starts_with("github.com/") || lower.starts_with("github.com:");
    let accept_scp = scheme.is_empty() && (!username.is_empty() || std_github);
    if scheme.is_empty() && !accept_scp {
        return Err("failed to parse scheme".into());
    }
    if scheme == FILE {
        // Everything after the scheme (a "username" too) is the repository's path.
        return Ok((scheme, after_scheme));
    }
    let mut sep = n.find('/').map(|i| i as isize).unwrap_or(-1);
    if accept_scp {
        let colon = n.find(':').map(|i| i as isize).unwrap_or(-1);
        if sep == -1 || (colon > 0 && colon < sep) {
            sep = colon;
        }
    }
    let (mut host, rest) = if sep >= 0 {
        let i = sep as usize;
        (n[..=i].to_string(), &n[i + 1..])
    } else {
        (n.to_string(), "")
    };
    if std_github {
        if scheme.starts_with(SSH) || !username.is_empty() {
            scheme = String::new();
            host = "github.com:".into();
        } else {
            scheme = HTTPS.into();
            username = String::new();
            host = "github.com/".into();
        }
    }
    if host.is_empty() {
        return Err("failed to parse host segment".into());
    }
    Ok((format!("{scheme}{username}{host}"), rest))
}

fn extract_username(s: &str) -> (String, &str) {
    let b = s.as_bytes();
    if b.first().is_some_and(u8::is_ascii_alphabetic) {
        let end = b
            .iter()
            .position(|c| !(c.is_ascii_alphanumeric() || *c == b'-'))
            .unwrap_or(b.len());
        if b.get(end) == Some(&b'@') {
            return (s[..=end].to_string(), &s[end + 1..]);
        }
    }
    (String::new(), s)
}

/// Go's `url.Parse(path)` has scheme `http` or `https` (`loader.IsRemoteFile`).
pub fn is_remote_file(path: &str) -> bool {
    let Some((scheme, _)) = path.split_once(':') else {
        return false;
    };
    let valid = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid && (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
}

/// Why a GET failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The server answered with a status outside 2xx: the code and Go's `http.StatusText`.
    Status(u16, String),
    /// The response was refused after it started (too large a body): kustomize stops the
    /// build, as for an HTTP status (`load.ErrHTTP`).
    Refused(String),
    /// The request failed (connection, TLS, redirects, timeout), worded as Go's `*url.Error`.
    Transport(String),
}

/// Why a clone failed, worded as kustomize's git runner words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloneError {
    pub message: String,
    /// A git command hit the timeout (kustomize then reports both the file and the
    /// directory error of a resource).
    pub timed_out: bool,
}

/// A repository cloned into a temporary directory, removed when this is dropped.
pub trait ClonedRepo: Send + Sync {
    /// The clone's directory, symlinks resolved.
    fn dir(&self) -> &Path;
}

/// Network and process access for remote resources, supplied by the caller.
pub trait Fetcher: Send + Sync {
    /// GETs `url` (http or https) and returns the body of a 2xx response.
    fn get(&self, url: &str) -> Result<Vec<u8>, FetchError>;
    /// Clones `spec` at its ref (`ClonerUsingGitExec`) into a fresh temporary directory.
    fn clone_repo(&self, spec: &RepoSpec) -> Result<Box<dyn ClonedRepo>, CloneError>;
}

/// The fetcher of a build (`Options::remote`).
#[derive(Clone)]
pub struct Remote(pub Arc<dyn Fetcher>);

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Remote")
    }
}

/// A clone a loader reads from: the spec and the directory (kept alive while any loader
/// under it is).
pub(crate) struct Repo {
    pub(crate) spec: RepoSpec,
    pub(crate) dir: PathBuf,
    pub(crate) _clone: Box<dyn ClonedRepo>,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Repo({} at {})", self.spec.raw, self.dir.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_specs_parse_as_kustomize_parses_them() {
        // (url, [host, repo path, kustomization path, ref])
        let cases = [
            (
                "https://github.com/org/repo//path/to?ref=v1",
                ["https://github.com/", "org/repo", "path/to", "v1"],
            ),
            (
                "github.com/org/repo/path?version=v2",
                ["https://github.com/", "org/repo", "path", "v2"],
            ),
            (
                "git@github.com:org/repo.git/sub",
                ["git@github.com:", "org/repo.git", "sub", ""],
            ),
            (
                "ssh://git@github.com/org/repo",
                ["git@github.com:", "org/repo", "", ""],
            ),
            (
                "git::https://gitlab.com/org/repo//x?ref=a&ref=b",
                ["https://gitlab.com/", "org/repo", "x", "a"],
            ),
            (
                "https://user@dev.azure.com/org/project/_git/repo/path/k",
                [
                    "https://user@dev.azure.com/",
                    "org/project/_git/repo",
                    "path/k",
                    "",
                ],
            ),
            (
                "file:///srv/repo.git//base?ref=v1",
                ["file://", "/srv/repo.git", "base", "v1"],
            ),
            ("file:///srv/repo", ["file://", "/srv/repo", "", ""]),
            (
                "git@gitlab.com:org/repo//k",
                ["git@gitlab.com:", "org/repo", "k", ""],
            ),
        ];
        for (url, want) in cases {
            let s = RepoSpec::parse(url).unwrap();
            let got = [s.host, s.repo_path, s.kust_root_path, s.git_ref];
            assert_eq!(got, want, "{url}");
        }
    }

    #[test]
    fn non_repo_urls_are_refused_with_kustomizes_reasons() {
        let e = |n: &str| RepoSpec::parse(n).unwrap_err();
        assert_eq!(e("/abs/path"), "uri looks like abs path: /abs/path");
        assert_eq!(e("base/dir"), "failed to parse scheme");
        assert_eq!(
            e("http://127.0.0.1:8/x.yaml"),
            "failed to parse repo path segment"
        );
        assert_eq!(e("https://"), "failed to parse host segment");
        assert_eq!(
            e("https://github.com/org/repo//../../x"),
            "url path exits repo: org/repo//../../x"
        );
    }

    #[test]
    fn queries_set_timeout_and_submodules() {
        let s = RepoSpec::parse("file:///r?timeout=61&submodules=false").unwrap();
        assert_eq!((s.timeout, s.submodules), (Duration::from_secs(61), false));
        let s = RepoSpec::parse("file:///r?timeout=1m30s").unwrap();
        assert_eq!(s.timeout, Duration::from_secs(90));
        let s = RepoSpec::parse("file:///r?timeout=-3&submodules=maybe").unwrap();
        assert_eq!((s.timeout, s.submodules), (DEFAULT_GIT_TIMEOUT, true));
        // A malformed query means every default, even for the valid parameters.
        let s = RepoSpec::parse("file:///r?ref=v1&x=%zz").unwrap();
        assert_eq!(s.git_ref, "");
    }

    #[test]
    fn go_durations() {
        for (d, s) in [
            (Duration::from_secs(27), "27s"),
            (Duration::from_secs(90), "1m30s"),
            (Duration::from_secs(7200), "2h0m0s"),
            (Duration::from_millis(1500), "1.5s"),
            (Duration::from_millis(250), "250ms"),
        ] {
            assert_eq!(go_duration_string(d), s);
        }
        assert_eq!(parse_go_duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("10"), None);
    }

    #[test]
    fn remote_files_are_http_urls() {
        assert!(is_remote_file("https://x/y.yaml"));
        assert!(is_remote_file("HTTP://x/y.yaml"));
        assert!(!is_remote_file("file:///x"));
        assert!(!is_remote_file("git@github.com:o/r"));
        assert!(!is_remote_file("dir/x.yaml"));
    }
}

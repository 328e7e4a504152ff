//! Where `-f` arguments point: files, glob patterns, directories (walked like Go's
//! `filepath.Walk`, `-R` to recurse), `-` for stdin and `http(s)://` URLs. Mirrors cli-runtime's
//! `Builder.FilenameParam`/`Path` and `ExpandPathsToFileVisitors`, including their errors.

use kcore::gopath::join;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use super::ManifestError;

/// Extensions read from directories (files named explicitly are read whatever their name).
pub const FILE_EXTENSIONS: [&str; 3] = [".json", ".yaml", ".yml"];

/// One input stream to read documents from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input (`-f -`), named `STDIN` in messages.
    Stdin,
    /// A file, named by its path as kubectl prints it.
    File(String),
    /// An `http://` or `https://` URL.
    Url(String),
}

impl Source {
    /// The name used in messages (`error parsing <name>: …`).
    pub fn name(&self) -> &str {
        match self {
            Source::Stdin => "STDIN",
            Source::File(p) | Source::Url(p) => p,
        }
    }
}

/// Expands `-f` arguments into sources, in kubectl's order. Errors are the builder's: a missing
/// path, an unreadable directory, or no file with a recognized extension.
pub fn resolve_sources(args: &[String], recursive: bool) -> (Vec<Source>, Vec<ManifestError>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg == "-" {
            if sources.contains(&Source::Stdin) {
                errors.push(ManifestError::StdinMultiUse);
            }
            sources.push(Source::Stdin);
            continue;
        }
        if arg.starts_with("http://") || arg.starts_with("https://") {
            match url::Url::parse(arg) {
                Ok(_) => sources.push(Source::Url(arg.clone())),
                Err(e) => errors.push(ManifestError::Other(format!(
                    "the URL passed to filename {arg:?} is not valid: {e}"
                ))),
            }
            continue;
        }
        let matches = match expand_pattern(arg) {
            Ok(m) => m,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        for path in &matches {
            match walk(path, recursive) {
                Ok(files) => sources.extend(files.into_iter().map(Source::File)),
                Err(e) => errors.push(ManifestError::Other(format!("error reading {path:?}: {e}"))),
            }
        }
        if sources.is_empty() && errors.is_empty() {
            errors.push(ManifestError::NoRecognizedFiles(matches));
        }
    }
    (sources, errors)
}

/// kubectl `expandIfFilePattern`: an existing path stands for itself, otherwise it is a glob.
fn expand_pattern(pattern: &str) -> Result<Vec<String>, ManifestError> {
    if std::fs::symlink_metadata(pattern).is_ok() || Path::new(pattern).exists() {
        return Ok(vec![pattern.to_string()]);
    }
    let matches = glob(pattern);
    if matches.is_empty() {
        return Err(ManifestError::PathNotExist(pattern.to_string()));
    }
    Ok(matches)
}

/// Go `filepath.Glob` for `*`, `?` and `[...]` in any path component; results sorted per
/// directory level, as Go returns them.
fn glob(pattern: &str) -> Vec<String> {
    if !pattern.contains(['*', '?', '[']) {
        return Vec::new();
    }
    let absolute = pattern.starts_with('/');
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    let mut current: Vec<String> = vec![if absolute { "/".into() } else { String::new() }];
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let mut next = Vec::new();
        for base in &current {
            let dir = if base.is_empty() { "." } else { base.as_str() };
            if !part.contains(['*', '?', '[']) {
                let candidate = join(base, part);
                if (last || Path::new(&candidate).is_dir()) && Path::new(&candidate).exists() {
                    next.push(candidate);
                }
                continue;
            }
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| wildcard_match(part, n))
                .collect();
            names.sort();
            for n in names {
                let candidate = join(base, &n);
                if last || Path::new(&candidate).is_dir() {
                    next.push(candidate);
                }
            }
        }
        current = next;
    }
    current
}

/// Go `path.Match` for one component: `*`, `?`, `[a-z]`, `[^a]`, `\` escapes.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    fn go(p: &[char], n: &[char]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len()).any(|i| go(&p[1..], &n[i..])),
            Some('?') => !n.is_empty() && go(&p[1..], &n[1..]),
            Some('[') => {
                let Some(c) = n.first() else { return false };
                let Some(end) = p.iter().skip(1).position(|x| *x == ']').map(|e| e + 1) else {
                    return false;
                };
                let class = &p[1..end];
                let (negate, class) = match class.first() {
                    Some('^') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut matched = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        if class[i] <= *c && *c <= class[i + 2] {
                            matched = true;
                        }
                        i += 3;
                    } else {
                        if class[i] == *c {
                            matched = true;
                        }
                        i += 1;
                    }
                }
                matched != negate && go(&p[end + 1..], &n[1..])
            }
            Some('\\') if p.len() > 1 => n.first() == Some(&p[1]) && go(&p[2..], &n[1..]),
            Some(c) => n.first() == Some(c) && go(&p[1..], &n[1..]),
        }
    }
    go(&p, &n)
}

/// `ExpandPathsToFileVisitors`: a file stands for itself; a directory yields its files with a
/// recognized extension in lexical order, descending into subdirectories only with `-R`.
fn walk(root: &str, recursive: bool) -> std::io::Result<Vec<String>> {
    let meta = std::fs::metadata(root)?;
    if !meta.is_dir() {
        return Ok(vec![root.to_string()]);
    }
    let mut out = Vec::new();
    walk_dir(root, recursive, &mut out)?;
    Ok(out)
}

fn walk_dir(dir: &str, recursive: bool, out: &mut Vec<String>) -> std::io::Result<()> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let path = join(dir, &name);
        // Like filepath.Walk (Lstat), symbolic links to directories are not followed.
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if is_dir {
            if recursive {
                walk_dir(&path, recursive, out)?;
            }
        } else if has_recognized_extension(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn has_recognized_extension(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    match file.rfind('.') {
        Some(i) => FILE_EXTENSIONS.contains(&&file[i..]),
        None => false,
    }
}

/// Reads a source's whole text. `stdin` is only read for [`Source::Stdin`].
pub fn read_source(source: &Source, stdin: &mut dyn Read) -> Result<String, ManifestError> {
    let bytes = match source {
        Source::Stdin => {
            let mut buf = Vec::new();
            stdin
                .read_to_end(&mut buf)
                .map_err(|e| ManifestError::Other(format!("error reading STDIN: {e}")))?;
            buf
        }
        Source::File(path) => std::fs::read(path)
            .map_err(|e| ManifestError::Other(crate::kubeconfig::resolve::open_error(path, &e)))?,
        Source::Url(url) => {
            let text = fetch_url(url)?;
            return Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string());
        }
    };
    Ok(decode_text(&bytes))
}

/// cli-runtime's `FileVisitor` reads files and stdin through
/// `unicode.BOMOverride(unicode.UTF8.NewDecoder())`: a UTF-16 byte order mark (either byte
/// order) switches to UTF-16, a UTF-8 one is dropped, and otherwise ill-formed UTF-8 becomes
/// U+FFFD (one per maximal ill-formed subsequence, as `from_utf8_lossy` does). Unpaired
/// surrogates and a dangling odd byte of UTF-16 become U+FFFD too.
pub fn decode_text(bytes: &[u8]) -> String {
    let utf16 = |rest: &[u8], little: bool| {
        let units = rest.chunks_exact(2).map(|p| {
            if little {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        let mut text: String = char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        if rest.len() % 2 == 1 {
            text.push(char::REPLACEMENT_CHARACTER);
        }
        text
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE".as_slice()) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF".as_slice()) {
        return utf16(rest, false);
    }
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// Number of tries for a URL (cli-runtime `defaultHttpGetAttempts`); network errors and 5xx
/// answers are retried after a second.
const HTTP_ATTEMPTS: usize = 3;

/// Fetches a manifest URL synchronously (on a private thread with its own runtime, so it is
/// safe to call from inside or outside a tokio runtime).
pub fn fetch_url(url: &str) -> Result<String, ManifestError> {
    let url = url.to_string();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ManifestError::Other(e.to_string()))?;
        rt.block_on(fetch_url_async(&url))
    })
    .join()
    .unwrap_or_else(|_| Err(ManifestError::Other("URL fetch thread failed".to_string())))
}

/// The async form of [`fetch_url`].
pub async fn fetch_url_async(url: &str) -> Result<String, ManifestError> {
    let client = http_client()?;
    let mut last = ManifestError::Other(format!("unable to read URL {url:?}"));
    for attempt in 0..HTTP_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let resp = match client.get(url).send().await {
            Ok(r) => r,
            Err(e) => {
                last = describe_http_error(url, &e);
                continue;
            }
        };
        let status = resp.status();
        if status == reqwest::StatusCode::OK {
            return resp.text().await.map_err(|e| describe_http_error(url, &e));
        }
        last = ManifestError::Other(format!(
            "unable to read URL {url:?}, server reported {}, status code={}",
            go_status(status),
            status.as_u16()
        ));
        if !status.is_server_error() {
            break;
        }
    }
    Err(last)
}

/// Go's `resp.Status`: `404 Not Found`.
fn go_status(status: reqwest::StatusCode) -> String {
    match status.canonical_reason() {
        Some(r) => format!("{} {r}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// kubectl's wording for transport errors (`StandardErrorMessage` on a `*url.Error`).
fn describe_http_error(url: &str, e: &reqwest::Error) -> ManifestError {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    if e.is_connect() && text.to_ascii_lowercase().contains("refused") {
        let host = url::Url::parse(url)
            .ok()
            .map(|u| match u.port() {
                Some(p) => format!("{}:{p}", u.host_str().unwrap_or("")),
                None => u.host_str().unwrap_or("").to_string(),
            })
            .unwrap_or_default();
        return ManifestError::Connection(format!(
            "The connection to the server {host} was refused - did you specify the right host or port?"
        ));
    }
    ManifestError::Connection(format!("Unable to connect to the server: {text}"))
}

/// A client trusting the system's CA bundle (reqwest is built without bundled roots).
fn http_client() -> Result<reqwest::Client, ManifestError> {
    let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(60));
    for bundle in [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
    ] {
        if let Ok(pem) = std::fs::read(bundle) {
            if let Ok(certs) = reqwest::Certificate::from_pem_bundle(&pem) {
                for c in certs {
                    builder = builder.add_root_certificate(c);
                }
                break;
            }
        }
    }
    builder
        .build()
        .map_err(|e| ManifestError::Other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_connections_use_kubectls_words() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let url = format!("http://127.0.0.1:{port}/x.yaml");
        let err = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                let client = http_client().unwrap();
                let e = client.get(&url).send().await.unwrap_err();
                describe_http_error(&url, &e)
            });
        assert_eq!(
            err.to_string(),
            format!("The connection to the server 127.0.0.1:{port} was refused - did you specify the right host or port?")
        );
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*.yaml", "a.yaml"));
        assert!(!wildcard_match("*.yaml", "a.yml"));
        assert!(wildcard_match("a?[0-9].y*", "ab7.yml"));
        assert!(!wildcard_match("[^a]*", "abc"));
        assert!(wildcard_match("\\*", "*"));
    }

    #[test]
    fn globs_clean_their_results() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().to_string_lossy().into_owned();
        std::fs::create_dir_all(format!("{base}/d/e")).unwrap();
        std::fs::write(format!("{base}/d/e/x.yaml"), "").unwrap();
        std::fs::write(format!("{base}/d/y.yaml"), "").unwrap();
        assert_eq!(
            glob(&format!("{base}/./d/*/*.yaml")),
            [format!("{base}/d/e/x.yaml")]
        );
        assert_eq!(
            glob(&format!("{base}/d/*.yaml")),
            [format!("{base}/d/y.yaml")]
        );
        assert!(glob(&format!("{base}/d/*.json")).is_empty());
    }

    #[test]
    fn recognized_extensions() {
        assert!(has_recognized_extension("d/x.yml"));
        assert!(!has_recognized_extension("d.yaml/x"));
        assert!(!has_recognized_extension("x.YAML"));
    }
}

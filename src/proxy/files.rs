//! `--www`: Go's `http.StripPrefix(prefix, http.FileServer(http.Dir(dir)))` for the common
//! cases: files (Content-Type from the extension, else `text/plain` or
//! `application/octet-stream` by content), directory listings, `index.html`, and the
//! redirects that add or drop a trailing slash.

use std::path::Path;

use hyper::{Method, Request, Response, StatusCode};

use super::{error_response, full, html_escape, not_found, Body};

fn local_redirect(target: &str, query: Option<&str>) -> Response<Body> {
    let loc = match query {
        Some(q) => format!("{target}?{q}"),
        None => target.to_string(),
    };
    let mut r = Response::new(full(""));
    *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
    if let Ok(v) = hyper::header::HeaderValue::from_str(&loc) {
        r.headers_mut().insert("location", v);
    }
    r
}

fn http_date(t: std::time::SystemTime) -> String {
    let t: chrono::DateTime<chrono::Utc> = t.into();
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Go's `mime.TypeByExtension` built-in table (the extensions it knows without the system's
/// `mime.types`).
fn type_by_extension(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "avif" => "image/avif",
        "css" => "text/css; charset=utf-8",
        "gif" => "image/gif",
        "htm" | "html" => "text/html; charset=utf-8",
        "jpeg" | "jpg" => "image/jpeg",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "wasm" => "application/wasm",
        "webp" => "image/webp",
        "xml" => "text/xml; charset=utf-8",
        _ => return None,
    })
}

/// Go's `http.DetectContentType` for the two answers plain files give: text or binary.
fn sniff(data: &[u8]) -> &'static str {
    let head = &data[..data.len().min(512)];
    let trimmed: &[u8] = {
        let start = head
            .iter()
            .position(|b| !matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' '))
            .unwrap_or(head.len());
        &head[start..]
    };
    let lower = String::from_utf8_lossy(&trimmed[..trimmed.len().min(14)]).to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return "text/html; charset=utf-8";
    }
    if head
        .iter()
        .any(|b| matches!(b, 0x00..=0x08 | 0x0b | 0x0e..=0x1a | 0x1c..=0x1f))
    {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// Serves `path` (decoded, clean, starting with `prefix`) from `dir`.
pub async fn serve<B>(req: &Request<B>, prefix: &str, path: &str, dir: &Path) -> Response<Body> {
    let query = req.uri().query();
    let Some(rest) = path.strip_prefix(prefix) else {
        return not_found();
    };
    let url_path = format!("/{rest}");
    if url_path.ends_with("/index.html") {
        return local_redirect("./", query);
    }
    let rel = super::clean_path(&url_path);
    let rel = match rel.strip_suffix('/') {
        Some(r) if !r.is_empty() => r.to_string(),
        _ => rel,
    };
    let file = dir.join(rel.trim_start_matches('/'));
    let meta = match tokio::fs::metadata(&file).await {
        Ok(m) => m,
        Err(e) => return io_error(&e),
    };
    let base = rel.rsplit('/').next().unwrap_or("");
    if meta.is_dir() {
        if !url_path.ends_with('/') {
            return local_redirect(&format!("{base}/"), query);
        }
        let index = file.join("index.html");
        if let Ok(m) = tokio::fs::metadata(&index).await {
            if m.is_file() {
                return serve_file(req, &index, &m).await;
            }
        }
        return list_dir(req, &file, &meta).await;
    }
    if url_path.ends_with('/') {
        return local_redirect(&format!("../{base}"), query);
    }
    serve_file(req, &file, &meta).await
}

fn io_error(e: &std::io::Error) -> Response<Body> {
    match e.kind() {
        std::io::ErrorKind::NotFound => not_found(),
        std::io::ErrorKind::PermissionDenied => {
            error_response(StatusCode::FORBIDDEN, "403 Forbidden")
        }
        _ => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 Internal Server Error",
        ),
    }
}

async fn serve_file<B>(req: &Request<B>, file: &Path, meta: &std::fs::Metadata) -> Response<Body> {
    let data = match tokio::fs::read(file).await {
        Ok(d) => d,
        Err(e) => return io_error(&e),
    };
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ctype = type_by_extension(name).unwrap_or_else(|| sniff(&data));
    let r = Response::builder()
        .header("accept-ranges", "bytes")
        .header("content-type", ctype)
        .header("content-length", data.len().to_string());
    ok_response(req, r, meta, data)
}

async fn list_dir<B>(req: &Request<B>, dir: &Path, meta: &std::fs::Metadata) -> Response<Body> {
    let mut names = Vec::new();
    let mut rd = match tokio::fs::read_dir(dir).await {
        Ok(r) => r,
        Err(e) => return io_error(&e),
    };
    while let Ok(Some(entry)) = rd.next_entry().await {
        let mut name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().await.map(|t| t.is_dir()).unwrap_or(false) {
            name.push('/');
        }
        names.push(name);
    }
    names.sort();
    let mut body = String::from(
        "<!doctype html>\n<meta name=\"viewport\" content=\"width=device-width\">\n<pre>\n",
    );
    for n in &names {
        let href: String = percent_encoding::utf8_percent_encode(n, PATH_SEGMENT).to_string();
        body.push_str(&format!("<a href=\"{href}\">{}</a>\n", html_escape(n)));
    }
    body.push_str("</pre>\n");
    let r = Response::builder().header("content-type", "text/html; charset=utf-8");
    ok_response(req, r, meta, body)
}

/// A 200 with the file's `last-modified`, and `body` unless the request is a HEAD.
fn ok_response<B>(
    req: &Request<B>,
    mut r: hyper::http::response::Builder,
    meta: &std::fs::Metadata,
    body: impl Into<bytes::Bytes>,
) -> Response<Body> {
    r = r.status(200);
    if let Ok(m) = meta.modified() {
        r = r.header("last-modified", http_date(m));
    }
    let body = if req.method() == Method::HEAD {
        full("")
    } else {
        full(body)
    };
    r.body(body).unwrap_or_else(|_| not_found())
}

/// What Go's `url.URL{Path: name}.String()` escapes in a relative path.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

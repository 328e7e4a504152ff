//! kubectl's `rawhttp` (`create`, `replace` and `delete` with `--raw PATH`): a file's bytes (or
//! stdin's, for `-f -`) sent to the path unchanged and the answer printed as it came; and the
//! `--raw` checks the three commands' `Validate` share, in kubectl's order.

use std::io::Write;

use crate::client::{ApiPath, ApiRequest, Method};
use crate::context::Context;
use crate::error::CliError;

/// What a command's `--raw` checks look at.
pub struct RawCheck<'a> {
    /// The `--raw` path.
    pub path: &'a str,
    /// `-f` values.
    pub files: &'a [String],
    /// Whether exactly one `-f` is needed (`create`, `replace`); `delete` may send no body.
    pub file_required: bool,
    /// `-R`.
    pub recursive: bool,
    /// `-l` (`""` where the command has none).
    pub selector: &'a str,
    /// `-o`.
    pub output: &'a str,
}

impl RawCheck<'_> {
    /// kubectl's `--raw` rules: one local file or stdin, no `-R`, `-l` or `-o`, and a path that
    /// Go's `url.ParseRequestURI` takes (absolute).
    pub fn validate(&self) -> Result<(), CliError> {
        let count_ok = if self.file_required {
            self.files.len() == 1
        } else {
            self.files.len() <= 1
        };
        if !count_ok {
            return Err(CliError::msg(
                "--raw can only use a single local file or stdin",
            ));
        }
        if self
            .files
            .first()
            .is_some_and(|f| f.starts_with("http://") || f.starts_with("https://"))
        {
            return Err(CliError::msg("--raw cannot read from a url"));
        }
        if self.recursive {
            return Err(CliError::msg(
                "--raw and --recursive are mutually exclusive",
            ));
        }
        if !self.selector.is_empty() {
            return Err(CliError::msg(
                "--raw and --selector (-l) are mutually exclusive",
            ));
        }
        check_output_and_path(self.output, self.path)
    }
}

/// The last `--raw` checks of every command that takes it (`get` too): no `-o`, and a path
/// that Go's `url.ParseRequestURI` takes (absolute).
pub fn check_output_and_path(output: &str, path: &str) -> Result<(), CliError> {
    if !output.is_empty() {
        return Err(CliError::msg("--raw and --output are mutually exclusive"));
    }
    if !path.starts_with('/') {
        return Err(CliError::msg(format!(
            "--raw must be a valid URL path: parse {path:?}: invalid URI for request"
        )));
    }
    Ok(())
}

/// Sends `method` to the raw `path` (its query kept) with the bytes of `file` (`-` is stdin;
/// none: no body), and writes the answer's body as it came.
pub async fn send(
    ctx: &Context,
    method: Method,
    path: &str,
    file: Option<&str>,
) -> Result<(), CliError> {
    let body = match file {
        None => Vec::new(),
        Some("-") => {
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut **ctx.stdin(), &mut b)?;
            b
        }
        Some(file) => std::fs::read(file)
            .map_err(|e| CliError::msg(crate::kubeconfig::resolve::open_error(file, &e)))?,
    };
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let mut req = ApiRequest::new(method, ApiPath::raw(path)?);
    for pair in query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        req = req.query(k, v);
    }
    req.body = Some(body);
    let resp = ctx.client()?.send(&req).await?;
    ctx.out().write_all(&resp.body)?;
    Ok(())
}

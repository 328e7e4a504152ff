//! `kubectl-rs proxy` (kubectl `pkg/cmd/proxy/proxy.go`): a local HTTP server that forwards
//! the API under `--api-prefix` to the API server with the kubeconfig's credentials (and
//! serves `--www` under `--www-prefix`), filtering requests by path, method and host. Prints
//! `Starting to serve on ADDR` and runs until SIGINT/SIGTERM. The server is `crate::proxy`.

use std::io::Write;
use std::sync::Arc;

use crate::client::log::klog_line;
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;
use crate::proxy::{self, Filter, Server};

/// kubectl's long help of `proxy`.
pub const PROXY_LONG: &str = "Creates a proxy server or application-level gateway between localhost and the Kubernetes API server. It also allows serving static content over specified HTTP path. All incoming data enters through one port and gets forwarded to the remote Kubernetes API server port, except for the path matching the static content path.";
/// kubectl's examples of `proxy`.
pub const PROXY_EXAMPLES: &str = r"Examples:
  # To proxy all of the Kubernetes API and nothing else
  kubectl proxy --api-prefix=/
  
  # To proxy only part of the Kubernetes API and also some static files
  # You can get pods info with 'curl localhost:8001/api/v1/pods'
  kubectl proxy --www=/my/files --www-prefix=/static/ --api-prefix=/api/
  
  # To proxy the entire Kubernetes API at a different root
  # You can get pods info with 'curl localhost:8001/custom/api/v1/pods'
  kubectl proxy --api-prefix=/custom/
  
  # Run a proxy to the Kubernetes API server on port 8011, serving static content from ./local/www/
  kubectl proxy --port=8011 --www=./local/www/
  
  # Run a proxy to the Kubernetes API server on an arbitrary local port
  # The chosen port for the server will be output to stdout
  kubectl proxy --port=0
  
  # Run a proxy to the Kubernetes API server, changing the API prefix to k8s-api
  # This makes e.g. the pods API available at localhost:8001/k8s-api/v1/pods/
  kubectl proxy --api-prefix=/k8s-api";
/// kubectl's usage line of `proxy`.
pub const PROXY_USAGE: &str =
    "proxy [--port=PORT] [--www=static-dir] [--www-prefix=prefix] [--api-prefix=prefix] [options]";

const DEFAULT_PORT: i64 = 8001;

/// Run a proxy to the Kubernetes API server.
#[derive(Debug, Clone, clap::Args)]
pub struct ProxyArgs {
    /// Regular expression for hosts that the proxy should accept.
    #[arg(verbatim_doc_comment, long, default_value = proxy::DEFAULT_HOST_ACCEPT_RE)]
    pub accept_hosts: String,
    /// Regular expression for paths that the proxy should accept.
    #[arg(verbatim_doc_comment, long, default_value = proxy::DEFAULT_PATH_ACCEPT_RE)]
    pub accept_paths: String,
    /// The IP address on which to serve on.
    #[arg(verbatim_doc_comment, long, default_value = "127.0.0.1")]
    pub address: String,
    /// Prefix to serve the proxied API under.
    #[arg(verbatim_doc_comment, long, default_value = "/")]
    pub api_prefix: String,
    /// If true, enables automatic path appending of the kube context server path to each request.
    #[arg(verbatim_doc_comment, long, value_parser = clap::builder::BoolishValueParser::new(), go_bool(false))]
    pub append_server_path: bool,
    /// If true, disable request filtering in the proxy. This is dangerous, and can leave you vulnerable to XSRF attacks, when used with an accessible port.
    #[arg(verbatim_doc_comment, long, value_parser = clap::builder::BoolishValueParser::new(), go_bool(false))]
    pub disable_filter: bool,
    /// keepalive specifies the keep-alive period for an active network connection. Set to 0 to disable keepalive.
    #[arg(verbatim_doc_comment, long, default_value = "0s")]
    pub keepalive: String,
    /// The port on which to run the proxy. Set to 0 to pick a random port.
    #[arg(
        verbatim_doc_comment,
        short = 'p',
        long,
        default_value = "8001",
        allow_negative_numbers = true
    )]
    pub port: String,
    // kubectl's text ends with a space, which a doc comment would lose.
    #[arg(long, default_value = proxy::DEFAULT_METHOD_REJECT_RE, help = "Regular expression for HTTP methods that the proxy should reject (example --reject-methods='POST,PUT,PATCH'). ")]
    pub reject_methods: String,
    /// Regular expression for paths that the proxy should reject. Paths specified here will be rejected even accepted by --accept-paths.
    #[arg(verbatim_doc_comment, long, default_value = proxy::DEFAULT_PATH_REJECT_RE)]
    pub reject_paths: String,
    /// Unix socket on which to run the proxy.
    #[arg(verbatim_doc_comment, short = 'u', long, default_value = "")]
    pub unix_socket: String,
    /// Also serve static files from the given directory under the specified prefix.
    #[arg(verbatim_doc_comment, short = 'w', long, default_value = "")]
    pub www: String,
    /// Prefix to serve static files under, if static file directory is specified.
    #[arg(verbatim_doc_comment, short = 'P', long, default_value = "/static/")]
    pub www_prefix: String,
}

/// What `complete` made of the flags.
struct Completed {
    server: Server,
    port: i64,
}

impl ProxyArgs {
    fn warn(ctx: &Context, location: &str, msg: &str) {
        ctx.eprint(&klog_line('W', location, msg));
    }

    /// kubectl's `Complete`.
    fn complete(&self, ctx: &Context) -> Result<Completed, CliError> {
        let port: i64 = self.port.parse().map_err(|_| {
            CliError::Raw(format!(
                "error: invalid argument {:?} for \"-p, --port\" flag: strconv.ParseInt: parsing {:?}: invalid syntax\nSee 'kubectl-rs proxy --help' for usage.",
                self.port, self.port
            ))
        })?;
        let keepalive = if self.keepalive == "0" {
            std::time::Duration::ZERO
        } else {
            super::flags::parse_go_duration(&self.keepalive).ok_or_else(|| {
                CliError::Raw(format!(
                    "error: invalid argument {:?} for \"--keepalive\" flag: time: invalid duration {:?}\nSee 'kubectl-rs proxy --help' for usage.",
                    self.keepalive, self.keepalive
                ))
            })?
        };
        let client = ctx.client()?.clone();
        let mut static_prefix = self.www_prefix.clone();
        if !static_prefix.ends_with('/') {
            static_prefix.push('/');
        }
        let mut api_prefix = self.api_prefix.clone();
        if !api_prefix.ends_with('/') {
            api_prefix.push('/');
        }
        if !self.append_server_path {
            let path = url_path(&ctx.rest_config()?.server_as_given);
            if !path.is_empty() && path != "/" {
                Self::warn(ctx, "proxy.go:172", &format!("Your kube context contains a server path {path}, use --append-server-path to automatically append the path to each request"));
            }
        }
        let filter = if self.disable_filter {
            if self.unix_socket.is_empty() {
                Self::warn(
                    ctx,
                    "proxy.go:177",
                    "Request filter disabled, your proxy is vulnerable to XSRF attacks, please be cautious",
                );
            }
            None
        } else {
            let re = |s: &str| {
                proxy::regexp_array(s).map_err(|(one, e)| {
                    CliError::WithCode(
                        Box::new(CliError::Raw(klog_line(
                            'F',
                            "proxy_server.go:83",
                            &format!("Error compiling re: {}", regex_error_text(&one, &e)),
                        ))),
                        255,
                    )
                })
            };
            Some(Filter {
                accept_paths: re(&self.accept_paths)?,
                reject_paths: re(&self.reject_paths)?,
                accept_hosts: re(&self.accept_hosts)?,
                reject_methods: re(&self.reject_methods)?,
            })
        };
        let www = (!self.www.is_empty()).then(|| (static_prefix, self.www.clone().into()));
        Ok(Completed {
            server: Server {
                api_prefix,
                static_files: www,
                filter,
                append_server_path: self.append_server_path,
                keepalive: Some(keepalive),
                errors: ctx.err_sink(),
                client,
            },
            port,
        })
    }

    /// kubectl's `Validate`.
    fn validate(&self, ctx: &Context, c: &Completed) -> Result<(), CliError> {
        if c.port != DEFAULT_PORT && !self.unix_socket.is_empty() {
            return Err(CliError::msg(
                "cannot set --unix-socket and --port at the same time",
            ));
        }
        if !self.www.is_empty() {
            match std::fs::metadata(&self.www) {
                Err(e) => Self::warn(
                    ctx,
                    "proxy.go:200",
                    &format!(
                        "Failed to stat static file directory {}: stat {}: {}",
                        self.www,
                        self.www,
                        crate::kubeconfig::resolve::io_text(&e)
                    ),
                ),
                Ok(m) if !m.is_dir() => Self::warn(
                    ctx,
                    "proxy.go:202",
                    &format!("Static file directory {} is not a directory", self.www),
                ),
                Ok(_) => {}
            }
        }
        Ok(())
    }

    /// kubectl's `Complete`, `Validate` and `RunProxy`: serves until a termination signal.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let c = self.complete(ctx)?;
        self.validate(ctx, &c)?;
        let server = Arc::new(c.server);
        let serving = if self.unix_socket.is_empty() {
            let addr = if self.address.contains(':') {
                format!("[{}]:{}", self.address, c.port)
            } else {
                format!("{}:{}", self.address, c.port)
            };
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .map_err(|e| CliError::msg(listen_error("tcp", &addr, &e)))?;
            let local = listener
                .local_addr()
                .map_err(|e| CliError::msg(e.to_string()))?;
            self.started(ctx, &local.to_string())?;
            tokio::spawn(proxy::serve_tcp(server, listener))
        } else {
            self.serve_unix(ctx, server)?
        };
        tokio::select! {
            r = serving => match r {
                Ok(e) => Err(CliError::msg(e.to_string())),
                Err(e) => Err(CliError::msg(e.to_string())),
            },
            _ = super::interrupt::termination_signal() => Err(CliError::Interrupted),
        }
    }

    fn started(&self, ctx: &Context, addr: &str) -> Result<(), CliError> {
        let mut out = ctx.out();
        writeln!(out, "Starting to serve on {addr}")?;
        out.flush()?;
        Ok(())
    }

    #[cfg(unix)]
    fn serve_unix(
        &self,
        ctx: &Context,
        server: Arc<Server>,
    ) -> Result<tokio::task::JoinHandle<std::io::Error>, CliError> {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt};
        let path = &self.unix_socket;
        // Remove any socket, stale or not, but not other files (kubectl's `ListenUnix`).
        if std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket()) {
            let _ = std::fs::remove_file(path);
        }
        let listener = std::os::unix::net::UnixListener::bind(path)
            .map_err(|e| CliError::msg(listen_error("unix", path, &e)))?;
        // kubectl binds under umask 0077: only the user may connect.
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
        listener.set_nonblocking(true)?;
        let listener = tokio::net::UnixListener::from_std(listener)?;
        self.started(ctx, path)?;
        Ok(tokio::spawn(proxy::serve_unix(server, listener)))
    }

    #[cfg(not(unix))]
    fn serve_unix(
        &self,
        _ctx: &Context,
        _server: Arc<Server>,
    ) -> Result<tokio::task::JoinHandle<std::io::Error>, CliError> {
        Err(CliError::msg(
            "unix sockets are not supported on this platform",
        ))
    }
}

/// Go's `net.Listen` error: `listen tcp 127.0.0.1:80: bind: permission denied`.
fn listen_error(net: &str, addr: &str, e: &std::io::Error) -> String {
    let what = match e.kind() {
        std::io::ErrorKind::AddrInUse => "bind: address already in use".to_string(),
        std::io::ErrorKind::PermissionDenied => "bind: permission denied".to_string(),
        std::io::ErrorKind::AddrNotAvailable => "bind: cannot assign requested address".to_string(),
        _ => crate::kubeconfig::resolve::io_text(e),
    };
    format!("listen {net} {addr}: {what}")
}

/// The path of a server URL, as Go's `url.Parse` gives it (`https://h/foo/` → `/foo/`).
fn url_path(server: &str) -> String {
    let after = server.find("://").map(|i| i + 3).unwrap_or(0);
    let rest = &server[after..];
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    match rest.find('/') {
        Some(i) => rest[i..].to_string(),
        None => String::new(),
    }
}

/// Go's `regexp.Compile` error (`error parsing regexp: missing closing ): `(``) for the
/// mistakes both parsers see alike; the Rust parser's words otherwise.
fn regex_error_text(re: &str, e: &regex::Error) -> String {
    use regex_syntax::ast::ErrorKind as K;
    let Err(err) = regex_syntax::ast::parse::Parser::new().parse(re) else {
        return format!("error parsing regexp: {e}");
    };
    let span = err.span();
    // A span may be empty (at the operator): then the character there.
    let at = |start: usize, end: usize| {
        let end = if end > start {
            end
        } else {
            start + re[start..].chars().next().map_or(0, char::len_utf8)
        };
        re.get(start..end).unwrap_or("").to_string()
    };
    let (code, frag) = match err.kind() {
        K::GroupUnclosed => ("missing closing )", re.to_string()),
        K::GroupUnopened => ("unexpected )", re.to_string()),
        K::ClassUnclosed => ("missing closing ]", at(span.start.offset, re.len())),
        K::RepetitionMissing => (
            "missing argument to repetition operator",
            at(span.start.offset, span.end.offset),
        ),
        K::EscapeUnrecognized => (
            "invalid escape sequence",
            at(span.start.offset, span.end.offset),
        ),
        K::ClassRangeInvalid => (
            "invalid character class range",
            at(span.start.offset, span.end.offset),
        ),
        K::EscapeUnexpectedEof => ("trailing backslash at end of expression", String::new()),
        _ => return format!("error parsing regexp: {e}"),
    };
    format!("error parsing regexp: {code}: `{frag}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go_error(re: &str) -> String {
        let e = regex::Regex::new(re).unwrap_err();
        regex_error_text(re, &e)
    }

    #[test]
    fn regexp_errors_in_go_words() {
        assert_eq!(
            go_error("("),
            "error parsing regexp: missing closing ): `(`"
        );
        assert_eq!(
            go_error("a[z"),
            "error parsing regexp: missing closing ]: `[z`"
        );
        assert_eq!(go_error("a)"), "error parsing regexp: unexpected ): `a)`");
        assert_eq!(
            go_error("*"),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(
            go_error(r"\q"),
            "error parsing regexp: invalid escape sequence: `\\q`"
        );
    }

    #[test]
    fn server_paths() {
        assert_eq!(url_path("https://h:1/foo/"), "/foo/");
        assert_eq!(url_path("https://h:1"), "");
    }
}

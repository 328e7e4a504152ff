//! The one place where errors become kubectl's messages and exit codes
//! (kubectl `pkg/cmd/util/helpers.go` `checkErr` / `StandardErrorMessage`).
//!
//! Lower layers return typed errors; commands wrap them in [`CliError`]; `main` calls
//! [`render`] once and prints the text to stderr. Nothing below `main` exits the process.

use crate::client::{ApiStatus, ClientError};
use crate::describe::DescribeError;
use crate::discovery::{DiscoveryError, ResolveError};
use crate::kubeconfig::KubeconfigError;
use crate::manifest::yaml::YamlError;
use crate::manifest::ManifestError;
use crate::print::PrintError;
use kcore::patch::error::PatchError;
use serde_json::Value;

/// `result`'s value, or `None` with its error added to `errors`: for the loops that report
/// each object's failure and go on with the next (the builder's `ContinueOnError`).
pub fn ok_or_collect<T, E>(result: Result<T, E>, errors: &mut Vec<E>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// kubectl's exit code for every error.
pub const DEFAULT_ERROR_EXIT_CODE: i32 = 1;

/// What a command's steps return (cargo's `CliResult`).
pub type CliResult<T = ()> = Result<T, CliError>;

/// Any error a command can end with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// kubeconfig loading or resolution.
    #[error(transparent)]
    Kubeconfig(#[from] KubeconfigError),
    /// A request.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Discovery or name resolution.
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    /// Printing (`-o` formats, templates, writing the output).
    #[error(transparent)]
    Print(#[from] PrintError),
    /// Reading `-f` inputs.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Converting one YAML document.
    #[error(transparent)]
    Yaml(#[from] YamlError),
    /// Building or applying a patch (including the last-applied annotation).
    #[error(transparent)]
    Patch(#[from] PatchError),
    /// An object kubectl refuses to describe.
    #[error(transparent)]
    Describe(#[from] DescribeError),
    /// Encoding a request body or an output as JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// Building a kustomization (`kustomize DIR`, `-k DIR`), in kustomize's words.
    #[error(transparent)]
    Kustomize(#[from] kustomize::Error),
    /// A usage error of command `command` (`error: <msg>` + `See '<command> -h' for help and examples`).
    #[error("{message}")]
    Usage {
        /// The message.
        message: String,
        /// The command path, e.g. `kubectl-rs api-resources`.
        command: String,
    },
    /// A plain message, printed as `error: <msg>`.
    #[error("{0}")]
    Message(String),
    /// Text printed exactly as given (already in kubectl's final form).
    #[error("{0}")]
    Raw(String),
    /// Several errors (partial failures), one line each.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Aggregate(Vec<CliError>),
    /// Output could not be written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Command line parsing (clap).
    #[error(transparent)]
    Clap(#[from] clap::Error),
    /// Command line parsing, with the command path the user typed (`kubectl-rs config view`).
    #[error("{0}")]
    ClapIn(clap::Error, String),
    /// A flag parse error in pflag's words (`unknown flag: --foo`), for command `command`:
    /// `error: <msg>` + `See '<command> --help' for usage.`
    #[error("{message}")]
    Flag {
        /// pflag's message.
        message: String,
        /// The command path, e.g. `kubectl-rs get`.
        command: String,
    },
    /// A termination signal ended a watch: exit 1, nothing printed (kubectl's interrupt handler).
    #[error("interrupted")]
    Interrupted,
    /// Exit with this code and print nothing (kubectl's `cmdutil.ErrExit`, e.g. `diff`
    /// finding differences).
    #[error("exit status {0}")]
    Silent(i32),
    /// The inner error, printed as usual, with another exit code (kubectl's `CheckDiffErr`:
    /// `diff` reports its own errors with 2 so that 1 keeps meaning "differences found").
    #[error("{0}")]
    WithCode(Box<CliError>, i32),
}

impl CliError {
    /// A plain `error: <msg>`.
    pub fn msg(m: impl Into<String>) -> CliError {
        CliError::Message(m.into())
    }

    /// A command line clap refused (`argv` as parsed, program name first): pflag's words
    /// when the error is one pflag would have met first, else clap's error reworded.
    pub fn parse_failure(e: clap::Error, argv: &[String]) -> CliError {
        use clap::error::ErrorKind;
        let command = crate::cmd::command_path(argv);
        let pflag_kind = !matches!(
            e.kind(),
            ErrorKind::InvalidSubcommand
                | ErrorKind::DisplayHelp
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                | ErrorKind::DisplayVersion
                | ErrorKind::MissingSubcommand
        );
        match crate::cmd::pflag::flag_error(argv).filter(|_| pflag_kind) {
            Some(message) => CliError::Flag { message, command },
            None => CliError::ClapIn(e, command),
        }
    }

    /// The error as the program invoked as `prog` reports it: a usage error names the
    /// command after the program (`See 'kubectl create -h'` when run as `kubectl`).
    pub fn with_program(self, prog: &str) -> CliError {
        match self {
            CliError::Usage { message, command } => CliError::Usage {
                message,
                command: program_path(command, prog),
            },
            CliError::Flag { message, command } => CliError::Flag {
                message,
                command: program_path(command, prog),
            },
            e => e,
        }
    }

    /// The text of an error that is a plain message (Go's `err.Error()`, without kubectl's
    /// `error: `): a [`CliError::Message`] or [`CliError::Raw`], or a layer's error that has
    /// no standard form of its own. `None` for API, connection, kubeconfig and other errors
    /// that kubectl words specially.
    pub fn plain_text(&self) -> Option<String> {
        match self {
            CliError::Message(m) | CliError::Raw(m) => Some(m.clone()),
            CliError::Print(e) => Some(e.to_string()),
            CliError::Manifest(e) => Some(e.to_string()),
            CliError::Yaml(e) => Some(e.to_string()),
            CliError::Patch(e) => Some(e.to_string()),
            CliError::Describe(e) => Some(e.to_string()),
            CliError::Json(e) => Some(e.to_string()),
            CliError::Kustomize(e) => Some(e.to_string()),
            _ => None,
        }
    }

    /// This error as one entry of kubectl's `MultipleErrors` (an aggregate printed without
    /// reducing it): a plain message prints bare; a write error and a complete template
    /// text (ending in a newline) keep `error: `, as does every specially worded error.
    pub fn into_bare(self) -> CliError {
        match self {
            CliError::Print(PrintError::Io(_)) => self,
            CliError::Print(PrintError::Template(ref t)) if t.ends_with('\n') => self,
            CliError::Raw(_) => self,
            other => match other.plain_text() {
                Some(text) => CliError::Raw(text),
                None => other,
            },
        }
    }
}

/// `command` (`kubectl-rs get`) as run by `prog` (`kubectl get`).
fn program_path(command: String, prog: &str) -> String {
    match command.strip_prefix("kubectl-rs") {
        Some(rest) if rest.is_empty() || rest.starts_with(' ') => format!("{prog}{rest}"),
        _ => command,
    }
}

impl From<crate::client::PathError> for CliError {
    fn from(e: crate::client::PathError) -> Self {
        CliError::Client(ClientError::Path(e))
    }
}

impl From<ResolveError> for CliError {
    fn from(e: ResolveError) -> Self {
        CliError::Discovery(DiscoveryError::Resolve(e))
    }
}

/// What `main` prints and returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Text for stdout (clap's `--help`), usually empty.
    pub stdout: String,
    /// Text for stderr, ending in a newline (empty: print nothing).
    pub stderr: String,
    /// The process exit code.
    pub code: i32,
}

fn with_newline(mut s: String) -> String {
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn err_prefix(s: &str) -> String {
    if s.starts_with("error: ") {
        s.to_string()
    } else {
        format!("error: {s}")
    }
}

/// `Error from server (<Reason>): …` and its special cases.
pub fn status_message(s: &ApiStatus) -> String {
    if s.reason == "Unauthorized" {
        return format!("error: You must be logged in to the server ({})", s.message);
    }
    if s.reason == "Invalid" {
        if let Some(m) = invalid_message(s) {
            return m;
        }
    }
    if s.reason.is_empty() {
        format!("Error from server: {}", s.message)
    } else {
        format!("Error from server ({}): {}", s.reason, s.message)
    }
}

fn invalid_message(s: &ApiStatus) -> Option<String> {
    let Some(d) = s.details.as_object() else {
        return Some(format!("The request is invalid: {}", s.message));
    };
    let text = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("");
    // statusCausesToAggrError: a cause repeated (same field and message) is shown once.
    let mut causes: Vec<String> = Vec::new();
    for cause in d
        .get("causes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            // kubectl's statusCausesToAggrError: `field: message`, even for an empty field
            // (a generic error's cause reads `: <server text>`, observed with kubectl).
            let f = c.get("field").and_then(Value::as_str).unwrap_or("");
            let m = c.get("message").and_then(Value::as_str).unwrap_or("");
            format!("{f}: {m}")
        })
    {
        if !causes.contains(&cause) {
            causes.push(cause);
        }
    }
    let head = if !text("kind").is_empty() || !text("name").is_empty() {
        format!("The {} {:?} is invalid", text("kind"), text("name"))
    } else if !s.message.is_empty() && causes.is_empty() {
        // Nothing else to go on: kubectl appends the message.
        format!("The request is invalid: {}", s.message)
    } else {
        "The request is invalid".to_string()
    };
    Some(match causes.len() {
        0 => head,
        // MultilineError always ends the one cause with a newline, and fatal adds none
        // when there is one: a cause ending in a newline leaves an empty line.
        1 => format!("{head}: {}\n", causes[0]),
        _ => {
            let mut out = format!("{head}: \n");
            for c in &causes {
                out.push_str(&format!("* {c}\n"));
            }
            out
        }
    })
}

/// The message of one error without the trailing newline (used alone and inside aggregates).
fn message(e: &CliError) -> String {
    match e {
        CliError::Client(ClientError::Api(s)) => status_message(s),
        CliError::Client(
            c @ (ClientError::ConnectionRefused { .. } | ClientError::Unreachable(_)),
        ) => c.to_string(),
        CliError::Client(c) => err_prefix(&c.to_string()),
        CliError::Discovery(DiscoveryError::Client(c)) => {
            message(&CliError::Client(clone_client_error(c)))
        }
        CliError::Discovery(d) => err_prefix(&d.to_string()),
        // client-go reduces a one-error aggregate to that error, so only "context not found"
        // (its own type) keeps the `Error in configuration:` heading (observed with kubectl).
        CliError::Kubeconfig(KubeconfigError::Invalid(errs))
            if errs.len() == 1 && !errs[0].starts_with("context was not found") =>
        {
            err_prefix(&errs[0])
        }
        CliError::Kubeconfig(KubeconfigError::Invalid(errs)) => {
            format!(
                "Error in configuration: {}",
                KubeconfigError::Invalid(errs.clone())
            )
        }
        CliError::Kubeconfig(k) => err_prefix(&k.to_string()),
        CliError::Usage { message, command } => {
            format!("error: {message}\nSee '{command} -h' for help and examples")
        }
        // `kubectl diff` words flag errors as usage errors (its SetFlagErrorFunc).
        CliError::Flag { message, command } if command.split(' ').nth(1) == Some("diff") => {
            format!("error: {message}\nSee '{command} -h' for help and examples")
        }
        CliError::Flag { message, command } => {
            format!("error: {message}\nSee '{command} --help' for usage.")
        }
        CliError::Message(m) => err_prefix(m),
        CliError::Kustomize(e) => err_prefix(&e.0),
        CliError::Raw(m) => m.clone(),
        // Template messages are complete kubectl texts, possibly ending in newlines; none
        // starts with `error: `, so the prefix is always added.
        CliError::Print(p) => err_prefix(&p.to_string()),
        // A URL `-f` that cannot be fetched reads as client-go's connection error, bare.
        CliError::Manifest(ManifestError::Connection(m)) => m.clone(),
        CliError::Manifest(m) => err_prefix(&m.to_string()),
        CliError::Yaml(y) => err_prefix(&y.to_string()),
        CliError::Patch(p) => err_prefix(&p.to_string()),
        CliError::Describe(d) => err_prefix(&d.to_string()),
        CliError::Json(j) => err_prefix(&j.to_string()),
        // kubectl's MultipleErrors: an error without a standard message is printed bare.
        CliError::Aggregate(errs) => errs
            .iter()
            .map(|e| match e {
                CliError::Client(ClientError::Path(p)) => p.to_string(),
                e => message(e).trim_end().to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        CliError::Io(e) => err_prefix(&e.to_string()),
        CliError::Clap(e) => clap_message(e, &clap_command_path(e)),
        CliError::ClapIn(e, cmd) => clap_message(e, cmd),
        CliError::Interrupted | CliError::Silent(_) => String::new(),
        CliError::WithCode(inner, _) => message(inner),
    }
}

fn clone_client_error(c: &ClientError) -> ClientError {
    match c {
        ClientError::Api(s) => ClientError::Api(s.clone()),
        ClientError::ConnectionRefused { host } => {
            ClientError::ConnectionRefused { host: host.clone() }
        }
        ClientError::Unreachable(m) => ClientError::Unreachable(m.clone()),
        ClientError::Config(m) => ClientError::Config(m.clone()),
        ClientError::Decode(m) => ClientError::Decode(m.clone()),
        ClientError::Path(p) => ClientError::Path(p.clone()),
    }
}

/// The command path from clap's usage line (`Usage: kubectl-rs get [OPTIONS]` → `kubectl-rs get`),
/// taken from the error's context or, failing that, its rendered text.
/// The command words of a help text's `Usage:` line (`["kubectl-rs", "config"]`).
fn help_command_path(help: &str) -> Vec<&str> {
    let line = help
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("Usage:"))
        .unwrap_or("");
    line.split_whitespace()
        .take_while(|w| !w.starts_with('[') && !w.starts_with('<') && !w.starts_with('-'))
        .collect()
}

fn clap_command_path(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let usage = match e.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        _ => e.render().to_string(),
    };
    let line = usage
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("Usage:"))
        .unwrap_or("");
    let line = line.strip_prefix("Usage:").unwrap_or(line).trim();
    let words: Vec<&str> = line
        .split_whitespace()
        .take_while(|w| !w.starts_with('[') && !w.starts_with('<') && !w.starts_with('-'))
        .collect();
    if words.is_empty() {
        "kubectl-rs".into()
    } else {
        words.join(" ")
    }
}

fn clap_message(e: &clap::Error, cmd: &str) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let arg = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    match e.kind() {
        ErrorKind::UnknownArgument => {
            let flag = arg.split('=').next().unwrap_or(&arg).to_string();
            let text = if flag.starts_with("--") {
                format!("unknown flag: {flag}")
            } else {
                format!(
                    "unknown shorthand flag: {:?} in {flag}",
                    flag.trim_start_matches('-').chars().next().unwrap_or('?')
                )
            };
            format!("error: {text}\nSee '{cmd} --help' for usage.")
        }
        ErrorKind::InvalidSubcommand => {
            let sub = match e.get(ContextKind::InvalidSubcommand) {
                Some(ContextValue::String(s)) => s.clone(),
                _ => arg,
            };
            if cmd.contains(' ') {
                // A command group's own `DefaultSubCommandRun`: a usage error.
                format!("error: unknown command {sub:?}\nSee '{cmd} -h' for help and examples")
            } else {
                format!(
                    "error: unknown command {sub:?} for {cmd:?}{}",
                    crate::cmd::suggest::did_you_mean(&sub)
                )
            }
        }
        _ => {
            // clap's message is everything before its blank line / usage block.
            let full = e.render().to_string();
            let text: Vec<&str> = full
                .lines()
                .take_while(|l| !l.trim().is_empty() && !l.starts_with("Usage:"))
                .map(str::trim)
                .collect();
            let text = text.join(" ");
            let text = text.trim_start_matches("error: ");
            format!("error: {text}\nSee '{cmd} --help' for usage.")
        }
    }
}

/// kubectl's help for the command a help request names, and that command's path: the path
/// the user typed when known (`ClapIn`), else the one clap's usage line names.
fn help_text(e: &CliError, c: &clap::Error, lang: crate::i18n::Lang) -> (String, String) {
    use clap::CommandFactory;
    let path = match e {
        CliError::ClapIn(_, path) => path.clone(),
        _ => help_command_path(&c.render().to_string()).join(" "),
    };
    let words: Vec<&str> = path.split(' ').collect();
    match crate::cmd::help::render(&crate::cmd::Cli::command(), &words, lang) {
        Some(text) => (text, path),
        None => (c.render().to_string(), path),
    }
}

fn is_broken_pipe(e: &CliError) -> bool {
    match e {
        CliError::Io(io) | CliError::Print(PrintError::Io(io)) => {
            io.kind() == std::io::ErrorKind::BrokenPipe
        }
        CliError::Aggregate(v) => v.iter().any(is_broken_pipe),
        _ => false,
    }
}

/// Maps any error to kubectl's text and exit code.
pub fn render(e: &CliError) -> Rendered {
    render_in(e, crate::i18n::Lang::ENGLISH)
}

/// [`render`], with the help a help request prints in `lang` (kubectl's `i18n.T` texts).
pub fn render_in(e: &CliError, lang: crate::i18n::Lang) -> Rendered {
    if is_broken_pipe(e) {
        // `kubectl-rs get … | head`: the reader went away; nothing to report.
        return Rendered {
            stdout: String::new(),
            stderr: String::new(),
            code: 0,
        };
    }
    if let CliError::Interrupted = e {
        return Rendered {
            stdout: String::new(),
            stderr: String::new(),
            code: DEFAULT_ERROR_EXIT_CODE,
        };
    }
    if let CliError::Silent(code) = e {
        return Rendered {
            stdout: String::new(),
            stderr: String::new(),
            code: *code,
        };
    }
    if let CliError::WithCode(inner, code) = e {
        return Rendered {
            code: *code,
            ..render_in(inner, lang)
        };
    }
    if let CliError::Clap(c) | CliError::ClapIn(c, _) = e {
        use clap::error::ErrorKind;
        if c.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            // A command group run bare: kubectl's DefaultSubCommandRun prints the help and
            // exits 1, on stdout for `rollout` and on stderr for the others (`config`,
            // `create secret`); the bare root prints it on stdout and succeeds.
            let (text, path) = help_text(e, c, lang);
            let path: Vec<&str> = path.split(' ').collect();
            let (stdout, stderr, code) = match path.as_slice() {
                [_] => (text, String::new(), 0),
                [.., "rollout"] => (text, String::new(), DEFAULT_ERROR_EXIT_CODE),
                _ => (String::new(), text, DEFAULT_ERROR_EXIT_CODE),
            };
            return Rendered {
                stdout,
                stderr,
                code,
            };
        }
        if matches!(c.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
            let text = match c.kind() {
                ErrorKind::DisplayHelp => help_text(e, c, lang).0,
                _ => c.render().to_string(),
            };
            return Rendered {
                stdout: text,
                stderr: String::new(),
                code: 0,
            };
        }
    }
    // `kubectl diff` reports flag errors with 2 (its SetFlagErrorFunc goes through
    // CheckDiffErr), since 1 means "differences found".
    let code = match e {
        CliError::ClapIn(_, path) | CliError::Flag { command: path, .. }
            if path.split(' ').nth(1) == Some("diff") =>
        {
            2
        }
        _ => DEFAULT_ERROR_EXIT_CODE,
    };
    Rendered {
        stdout: String::new(),
        stderr: with_newline(message(e)),
        code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::error_from_body;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/reference/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn text(e: CliError) -> String {
        render(&e).stderr
    }

    #[test]
    fn bare_command_groups_print_help_and_fail_as_kubectl() {
        use clap::Parser;
        let bare = |args: &[&str]| {
            let e = crate::cmd::Cli::try_parse_from(args).unwrap_err();
            let argv: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            let r = render(&CliError::ClapIn(e, crate::cmd::command_path(&argv)));
            (!r.stdout.is_empty(), !r.stderr.is_empty(), r.code)
        };
        assert_eq!(bare(&["kubectl-rs"]), (true, false, 0));
        assert_eq!(bare(&["kubectl-rs", "rollout"]), (true, false, 1));
        assert_eq!(bare(&["kubectl-rs", "config"]), (false, true, 1));
        assert_eq!(bare(&["kubectl-rs", "create", "secret"]), (false, true, 1));
    }

    #[test]
    fn invalid_without_details_shows_the_message() {
        let body = br#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Invalid","code":422,
            "message":"replace operation does not apply: doc is missing key: /spec/x"}"#;
        let e = CliError::Client(error_from_body(422, body));
        assert_eq!(
            text(e),
            "The request is invalid: replace operation does not apply: doc is missing key: /spec/x\n"
        );
    }

    #[test]
    fn repeated_invalid_causes_are_shown_once() {
        let body = br#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Invalid","code":422,
            "message":"x","details":{"name":"c","kind":"ConfigMap","causes":[
            {"reason":"FieldValueInvalid","message":"Invalid value: \"a b\": bad","field":"metadata.labels"},
            {"reason":"FieldValueInvalid","message":"Invalid value: \"a b\": bad","field":"metadata.labels"}]}}"#;
        let e = CliError::Client(error_from_body(422, body));
        assert_eq!(
            text(e),
            "The ConfigMap \"c\" is invalid: metadata.labels: Invalid value: \"a b\": bad\n"
        );
    }

    #[test]
    fn one_invalid_cause_ending_in_a_newline_leaves_an_empty_line() {
        // Recorded from kubectl v1.36 against kube-apiserver v1.36.2: `debug` adding an
        // ephemeral container whose name is taken (the cause is a diff ending in "\n").
        let body = br#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Invalid","code":422,
            "message":"x","details":{"name":"finish-bare","kind":"Pod","causes":[
            {"reason":"FieldValueForbidden","message":"Forbidden: existing ephemeral containers \"d\" may not be changed\n@@ -1 +1 @@\n-a\n+b\n","field":"spec.ephemeralContainers"}]}}"#;
        let e = CliError::Client(error_from_body(422, body));
        assert_eq!(
            text(e),
            "The Pod \"finish-bare\" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers \"d\" may not be changed\n@@ -1 +1 @@\n-a\n+b\n\n"
        );
    }

    #[test]
    fn api_errors() {
        let e = CliError::Client(error_from_body(404, &fixture("error-notfound.json")));
        assert_eq!(
            text(e),
            "Error from server (NotFound): daemonsets.apps \"nope\" not found\n"
        );
        let e = CliError::Client(error_from_body(404, b"404 page not found"));
        assert_eq!(
            text(e),
            "Error from server (NotFound): the server could not find the requested resource\n"
        );
        let e = CliError::Client(error_from_body(422, &fixture("error-invalid.json")));
        let t = text(e);
        assert!(t.starts_with("The DaemonSet \"Bad_Name\" is invalid: \n* metadata.name: Invalid value: \"Bad_Name\""), "{t}");
        assert!(
            t.ends_with("* spec.template.spec.containers: Required value\n"),
            "{t}"
        );
        let e = CliError::Client(error_from_body(
            401,
            br#"{"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#,
        ));
        assert_eq!(
            text(e),
            "error: You must be logged in to the server (Unauthorized)\n"
        );
        let e = CliError::Client(error_from_body(409, &fixture("error-conflict.json")));
        assert!(text(e).starts_with("Error from server (Conflict): "));
    }

    #[test]
    fn connection_and_config_errors() {
        let e = CliError::Client(ClientError::ConnectionRefused {
            host: "localhost:8080".into(),
        });
        assert_eq!(
            text(e),
            "The connection to the server localhost:8080 was refused - did you specify the right host or port?\n"
        );
        let e = CliError::Discovery(DiscoveryError::Client(ClientError::Unreachable(
            "context deadline exceeded".into(),
        )));
        assert_eq!(
            text(e),
            "Unable to connect to the server: context deadline exceeded\n"
        );
        let e = CliError::Kubeconfig(KubeconfigError::Invalid(vec![
            "context was not found for specified context: nope".into(),
        ]));
        assert_eq!(
            text(e),
            "Error in configuration: context was not found for specified context: nope\n"
        );
        let e = CliError::Kubeconfig(KubeconfigError::Invalid(vec![
            "no server found for cluster \"x\"".into(),
        ]));
        assert_eq!(text(e), "error: no server found for cluster \"x\"\n");
        let e = CliError::Kubeconfig(KubeconfigError::Invalid(vec!["a".into(), "b".into()]));
        assert_eq!(text(e), "Error in configuration: \n* a\n* b\n");
        let e = CliError::Kubeconfig(KubeconfigError::Missing("missing.yaml".into()));
        assert_eq!(
            text(e),
            "error: stat missing.yaml: no such file or directory\n"
        );
        let e: CliError = ResolveError::UnknownType("foo".into()).into();
        assert_eq!(
            text(e),
            "error: the server doesn't have a resource type \"foo\"\n"
        );
        assert_eq!(text(CliError::msg("error: x")), "error: x\n");
        let e = CliError::Usage {
            message: "unexpected arguments: [x]".into(),
            command: "kubectl-rs api-resources".into(),
        };
        assert_eq!(text(e), "error: unexpected arguments: [x]\nSee 'kubectl-rs api-resources -h' for help and examples\n");
        assert_eq!(render(&CliError::msg("x")).code, 1);
    }

    #[test]
    fn print_errors_read_as_kubectl() {
        let e: CliError = PrintError::UnknownFormat {
            format: "xml".into(),
            allowed: vec!["json".into(), "yaml".into()],
        }
        .into();
        assert_eq!(
            text(e),
            "error: unable to match a printer suitable for the output format \"xml\", allowed formats are: json,yaml\n"
        );
        // A template message is kubectl's whole text: its own newline is not doubled.
        let e: CliError =
            PrintError::Template("error reading template t.txt, open t.txt: no such file\n".into())
                .into();
        assert_eq!(
            text(e),
            "error: error reading template t.txt, open t.txt: no such file\n"
        );
        let e: CliError = PrintError::InvalidObject("missing metadata".into()).into();
        assert_eq!(text(e), "error: missing metadata\n");
        let e: CliError = PrintError::Io(std::io::Error::other("disk full")).into();
        assert_eq!(text(e), "error: disk full\n");
        // The reader of `… | head` went away: nothing to report, as for any write.
        let e: CliError = PrintError::Io(std::io::ErrorKind::BrokenPipe.into()).into();
        let r = render(&e);
        assert_eq!((r.stderr.as_str(), r.code), ("", 0));
    }

    #[test]
    fn manifest_and_yaml_errors_read_as_kubectl() {
        let e: CliError = ManifestError::PathNotExist("x.yaml".into()).into();
        assert_eq!(text(e), "error: the path \"x.yaml\" does not exist\n");
        // An unreachable URL is client-go's connection error, without `error: `.
        let conn = || -> CliError {
            ManifestError::Connection("Unable to connect to the server: dial tcp: refused".into())
                .into()
        };
        assert_eq!(
            text(conn()),
            "Unable to connect to the server: dial tcp: refused\n"
        );
        let e = CliError::Aggregate(vec![
            conn(),
            ManifestError::PathNotExist("y.yaml".into()).into(),
        ]);
        assert_eq!(
            text(e),
            "Unable to connect to the server: dial tcp: refused\nerror: the path \"y.yaml\" does not exist\n"
        );
        let e: CliError =
            YamlError("error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context".into())
                .into();
        assert_eq!(
            text(e),
            "error: error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context\n"
        );
    }

    #[test]
    fn patch_describe_and_json_errors_read_as_kubectl() {
        let e: CliError = PatchError::PreconditionFailed.into();
        assert_eq!(
            text(e),
            "error: At least one of apiVersion, kind and name was changed\n"
        );
        let e: CliError = PatchError::Invalid(
            "unable to find api field in struct Pod for the json field \"x\"".into(),
        )
        .into();
        assert_eq!(
            text(e),
            "error: unable to find api field in struct Pod for the json field \"x\"\n"
        );
        let e: CliError = DescribeError::Invalid(
            "Error parsing CSR: PEM block type must be CERTIFICATE REQUEST".into(),
        )
        .into();
        assert_eq!(
            text(e),
            "error: Error parsing CSR: PEM block type must be CERTIFICATE REQUEST\n"
        );
        let json = serde_json::from_str::<Value>("{").unwrap_err();
        let e: CliError = json.into();
        assert_eq!(
            text(e),
            "error: EOF while parsing an object at line 1 column 1\n"
        );
        assert_eq!(render(&PatchError::PreconditionFailed.into()).code, 1);
    }

    #[test]
    fn unreduced_aggregates_print_layer_messages_bare() {
        // kubectl's MultipleErrors: `get -f bad.yaml` prints the parse error without `error: `.
        let parse: CliError = ManifestError::Parse {
            name: "bad.yaml".into(),
            message: "error converting YAML to JSON: yaml: line 4: did not find expected key"
                .into(),
        }
        .into();
        assert_eq!(
            parse.plain_text().as_deref(),
            Some("error parsing bad.yaml: error converting YAML to JSON: yaml: line 4: did not find expected key")
        );
        let e = CliError::Aggregate(vec![parse.into_bare()]);
        assert_eq!(
            text(e),
            "error parsing bad.yaml: error converting YAML to JSON: yaml: line 4: did not find expected key\n"
        );
        // Write errors and complete template texts keep kubectl's prefix.
        let io: CliError = PrintError::Io(std::io::Error::other("disk full")).into();
        let tpl: CliError = PrintError::Template("error reading template t, boom\n".into()).into();
        let e = CliError::Aggregate(vec![io.into_bare(), tpl.into_bare()]);
        assert_eq!(
            text(e),
            "error: disk full\nerror: error reading template t, boom\n"
        );
        let api = CliError::Client(error_from_body(404, &fixture("error-notfound.json")));
        assert_eq!(api.plain_text(), None);
    }

    #[test]
    fn aggregates_and_broken_pipe() {
        let nf = || CliError::Client(error_from_body(404, &fixture("error-notfound.json")));
        let e = CliError::Aggregate(vec![nf(), nf()]);
        assert_eq!(text(e).lines().count(), 2);
        let r = render(&CliError::Io(std::io::Error::from(
            std::io::ErrorKind::BrokenPipe,
        )));
        assert_eq!((r.stderr.as_str(), r.code), ("", 0));
    }
}

//! How the errors a command collects while visiting its targets are worded and reported:
//! cmdutil's `AddSourceToErr` ([`with_source`]) and `checkErr`'s aggregate layout
//! ([`collected_errors`]).

use serde_json::Value;

use crate::client::ClientError;
use crate::error::CliError;

/// cmdutil `AddSourceToErr`: an API error keeps its reason with `error when <verb> "<source>": `
/// before its message; other errors get the same prefix as plain text.
pub fn with_source(verb: &str, source: &str, err: CliError) -> CliError {
    if source.is_empty() {
        return err;
    }
    match err {
        CliError::Client(ClientError::Api(mut s)) => {
            s.message = format!("error when {verb} {source:?}: {}", s.message);
            if let Some(m) = s.raw.get_mut("message") {
                *m = Value::String(s.message.clone());
            }
            CliError::Client(ClientError::Api(s))
        }
        other => CliError::msg(format!("error when {verb} {source:?}: {}", flatten(&other))),
    }
}

/// One line of kubectl's `MultipleErrors`: API errors as `Error from server (<Reason>): …`
/// (without the single-error `is invalid` layout), others their text without `error: `.
fn go_error_text(e: &CliError) -> String {
    match e {
        CliError::Client(ClientError::Api(s)) if s.reason.is_empty() => {
            format!("Error from server: {}", s.message)
        }
        CliError::Client(ClientError::Api(s)) => {
            format!("Error from server ({}): {}", s.reason, s.message)
        }
        other => other.plain_text().unwrap_or_else(|| flatten(other)),
    }
}

/// How kubectl's `checkErr` reports what a command collected: `builder` errors (one
/// aggregate, as cli-runtime's builder returns them) followed by per-object errors. One error
/// prints normally; several print one per line with no `error: ` prefix (`MultipleErrors`),
/// and a multi-error builder aggregate among others prints as `[e1, e2]`.
pub fn collected_errors(builder: Vec<CliError>, rest: Vec<CliError>) -> Result<(), CliError> {
    layout(builder, rest, false)
}

/// [`collected_errors`] for a visit of a `ContinueOnError` builder over files: the errors the
/// visit met (`rest`), then what the file readers met (`readers`, one aggregate), which
/// cli-runtime's `EagerVisitorList` returns only once every file was visited.
pub fn visit_errors(rest: Vec<CliError>, readers: Vec<CliError>) -> Result<(), CliError> {
    layout(readers, rest, true)
}

fn layout(
    builder: Vec<CliError>,
    mut rest: Vec<CliError>,
    builder_last: bool,
) -> Result<(), CliError> {
    let total = usize::from(!builder.is_empty()) + rest.len();
    if total == 0 {
        return Ok(());
    }
    if total == 1 {
        if let Some(e) = rest.pop() {
            return Err(e);
        }
        let mut builder = builder;
        if builder.len() == 1 {
            return Err(builder.remove(0));
        }
        let lines: Vec<String> = builder.iter().map(go_error_text).collect();
        return Err(CliError::Raw(lines.join("\n")));
    }
    let aggregate = match builder.len() {
        0 => None,
        1 => Some(go_error_text(&builder[0])),
        // Go's nested aggregate: API errors by their message alone.
        _ => Some(flatten(&crate::resource::nested_aggregate(&builder))),
    };
    let mut lines = Vec::new();
    if !builder_last {
        lines.extend(aggregate.clone());
    }
    lines.extend(rest.iter().map(go_error_text));
    if builder_last {
        lines.extend(aggregate);
    }
    Err(CliError::Raw(lines.join("\n")))
}

/// kubectl's `MultipleErrors` layout whatever the number of errors: one line per error, no
/// `error: ` prefix. A visit whose aggregate had NotFound errors filtered out of it
/// (`IgnoreErrors`) prints this way even when one error is left.
pub fn multiple_errors(errs: &[CliError]) -> CliError {
    CliError::Raw(
        errs.iter()
            .map(go_error_text)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// An error's rendered text without the `error: ` prefix, as Go's `err.Error()` reads.
pub fn flatten(e: &CliError) -> String {
    let r = crate::error::render(e).stderr;
    let r = r.trim_end();
    r.strip_prefix("error: ").unwrap_or(r).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ApiStatus;

    #[test]
    fn collected_errors_follow_check_err() {
        let text = |r: Result<(), CliError>| crate::error::render(&r.unwrap_err()).stderr;
        assert!(collected_errors(vec![], vec![]).is_ok());
        // One error prints as usual, even from a builder aggregate.
        assert_eq!(
            text(collected_errors(vec![CliError::msg("a")], vec![])),
            "error: a\n"
        );
        // A builder aggregate alone: one line each, no prefix.
        assert_eq!(
            text(collected_errors(
                vec![CliError::msg("a"), CliError::msg("b")],
                vec![]
            )),
            "a\nb\n"
        );
        // Nested in more errors, it prints as Go prints an aggregate.
        let api = ApiStatus {
            code: 404,
            reason: "NotFound".into(),
            message: "x not found".into(),
            details: Value::Null,
            raw: Value::Null,
        };
        assert_eq!(
            text(collected_errors(
                vec![CliError::msg("a"), CliError::msg("b")],
                vec![CliError::Client(ClientError::Api(Box::new(api.clone())))]
            )),
            "[a, b]\nError from server (NotFound): x not found\n"
        );
        // Inside the brackets an API error is its message.
        assert_eq!(
            text(collected_errors(
                vec![
                    CliError::msg("a"),
                    CliError::Client(ClientError::Api(Box::new(api.clone())))
                ],
                vec![CliError::msg("b")]
            )),
            "[a, x not found]\nb\n"
        );
    }

    #[test]
    fn source_is_added_to_api_errors() {
        let s = ApiStatus {
            code: 409,
            reason: "AlreadyExists".into(),
            message: "daemonsets.apps \"x\" already exists".into(),
            details: Value::Null,
            raw: serde_json::json!({"message": "daemonsets.apps \"x\" already exists"}),
        };
        let e = with_source(
            "creating",
            "f.yaml",
            CliError::Client(ClientError::Api(Box::new(s))),
        );
        assert_eq!(
            crate::error::render(&e).stderr,
            "Error from server (AlreadyExists): error when creating \"f.yaml\": daemonsets.apps \"x\" already exists\n"
        );
    }
}

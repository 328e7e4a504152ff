//! `kubectl-rs create token` (kubectl `pkg/cmd/create/create_token.go`): asks the server for
//! a service account token (a `TokenRequest` POSTed to `serviceaccounts/NAME/token`) and
//! prints the token, or the whole TokenRequest with `-o`.

use std::io::Write;

use serde_json::{json, Map, Value};

use crate::client::ApiRequest;
use crate::context::Context;
use crate::error::CliError;
use crate::print::GenericPrinter;

/// kubectl's long help of `create token`.
pub const CREATE_TOKEN_LONG: &str = "Request a service account token.";
/// kubectl's usage line of `create token`.
pub const CREATE_TOKEN_USAGE: &str = "token SERVICE_ACCOUNT_NAME";
/// kubectl's examples of `create token`.
pub const CREATE_TOKEN_EXAMPLES: &str = r#"Examples:
  # Request a token to authenticate to the kube-apiserver as the service account "myapp" in the current namespace
  kubectl create token myapp
  
  # Request a token for a service account in a custom namespace
  kubectl create token myapp --namespace myns
  
  # Request a token with a custom expiration
  kubectl create token myapp --duration 10m
  
  # Request a token with a custom audience
  kubectl create token myapp --audience https://example.com
  
  # Request a token bound to an instance of a Secret object
  kubectl create token myapp --bound-object-kind Secret --bound-object-name mysecret
  
  # Request a token bound to an instance of a Secret object with a specific UID
  kubectl create token myapp --bound-object-kind Secret --bound-object-name mysecret --bound-object-uid 0d4691ed-659b-4935-a832-355f77ee47cc"#;

/// The kinds a token can be bound to, with their API versions (sorted, as kubectl lists
/// them).
const BOUND_OBJECT_KINDS: &[(&str, &str)] = &[("Node", "v1"), ("Pod", "v1"), ("Secret", "v1")];

/// `create token`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub struct TokenFlags {
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    /// Audience of the requested token. If unset, defaults to requesting a token for use with the Kubernetes API server. May be repeated to request a token valid for multiple audiences.
    #[arg(verbatim_doc_comment, long = "audience")]
    pub audiences: Vec<String>,
    /// Requested lifetime of the issued token. If not set or if set to 0, the lifetime will be determined by the server automatically. The server may return a token with a longer or shorter lifetime.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "0s",
        allow_hyphen_values = true
    )]
    pub duration: String,
    /// Kind of an object to bind the token to. Supported kinds are Node, Pod, Secret. If set, --bound-object-name must be provided.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub bound_object_kind: String,
    /// Name of an object to bind the token to. The token will expire when the object is deleted. Requires --bound-object-kind.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub bound_object_name: String,
    /// UID of an object to bind the token to. Requires --bound-object-kind and --bound-object-name. If unset, the UID of the existing object is used.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub bound_object_uid: String,
}

/// Go's `time.ParseDuration` in nanoseconds, or its error text.
fn parse_signed_duration(orig: &str) -> Result<i128, String> {
    let quoted = kcore::gofmt::go_quote(orig);
    let invalid = || format!("time: invalid duration {quoted}");
    let (neg, mut rest) = match orig.as_bytes().first() {
        Some(b'-') => (true, &orig[1..]),
        Some(b'+') => (false, &orig[1..]),
        _ => (false, orig),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        if !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let frac_len = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            frac_part = &r[..frac_len];
            rest = &r[frac_len..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {quoted}"));
        }
        let unit: i128 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            u => {
                return Err(format!(
                    "time: unknown unit {} in duration {quoted}",
                    kcore::gofmt::go_quote(u)
                ))
            }
        };
        rest = &rest[unit_len..];
        let whole: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut v = whole.checked_mul(unit).ok_or_else(invalid)?;
        let mut scale = unit;
        for d in frac_part.bytes() {
            scale /= 10;
            if scale == 0 {
                break;
            }
            v += i128::from(d - b'0') * scale;
        }
        total = total.checked_add(v).ok_or_else(invalid)?;
        if total > i128::from(i64::MAX) {
            return Err(invalid());
        }
    }
    Ok(if neg { -total } else { total })
}

impl TokenFlags {
    /// kubectl's `Complete`, `Validate` and `Run` for the service account `name`.
    pub async fn run(&self, ctx: &Context, name: &str) -> Result<(), CliError> {
        let duration = parse_signed_duration(&self.duration).map_err(|e| {
            crate::cmd::flags::invalid_flag_value("create token", "duration", &self.duration, e)
        })?;
        let (namespace, _) = ctx.namespace()?;
        let printer = self.printer()?;
        if name.is_empty() {
            return Err(CliError::msg("service account name is required"));
        }
        if namespace.is_empty() {
            return Err(CliError::msg("--namespace is required"));
        }
        if duration < 0 {
            return Err(CliError::msg(
                "--duration must be greater than or equal to 0",
            ));
        }
        if duration % 1_000_000_000 != 0 {
            return Err(CliError::msg(
                "--duration cannot be expressed in units less than seconds",
            ));
        }
        if self.audiences.iter().any(String::is_empty) {
            return Err(CliError::msg("--audience must not be an empty string"));
        }
        let kinds: Vec<&str> = BOUND_OBJECT_KINDS.iter().map(|(k, _)| *k).collect();
        let bound_version = BOUND_OBJECT_KINDS
            .iter()
            .find(|(k, _)| *k == self.bound_object_kind)
            .map(|(_, v)| *v);
        if self.bound_object_kind.is_empty() {
            if !self.bound_object_name.is_empty() {
                return Err(CliError::msg(
                    "--bound-object-name can only be set if --bound-object-kind is provided",
                ));
            }
            if !self.bound_object_uid.is_empty() {
                return Err(CliError::msg(
                    "--bound-object-uid can only be set if --bound-object-kind is provided",
                ));
            }
        } else {
            if bound_version.is_none() {
                return Err(CliError::msg(format!(
                    "supported --bound-object-kind values are {}",
                    kinds.join(", ")
                )));
            }
            if self.bound_object_name.is_empty() {
                return Err(CliError::msg(
                    "--bound-object-name is required if --bound-object-kind is provided",
                ));
            }
        }
        let mut spec = Map::new();
        spec.insert(
            "audiences".into(),
            if self.audiences.is_empty() {
                Value::Null
            } else {
                json!(self.audiences)
            },
        );
        if duration > 0 {
            spec.insert(
                "expirationSeconds".into(),
                json!((duration / 1_000_000_000) as i64),
            );
        }
        let mut bound = Value::Null;
        if let Some(version) = bound_version {
            let mut r = Map::new();
            r.insert("kind".into(), json!(self.bound_object_kind));
            r.insert("apiVersion".into(), json!(version));
            r.insert("name".into(), json!(self.bound_object_name));
            if !self.bound_object_uid.is_empty() {
                r.insert("uid".into(), json!(self.bound_object_uid));
            }
            bound = Value::Object(r);
        }
        spec.insert("boundObjectRef".into(), bound);
        let request = json!({
            "kind": "TokenRequest",
            "apiVersion": "authentication.k8s.io/v1",
            "metadata": {},
            "spec": spec,
            "status": {"token": "", "expirationTimestamp": null},
        });
        let path = crate::client::ResourcePath {
            group: "",
            version: "v1",
            resource: "serviceaccounts",
            namespace: Some(&namespace),
            name: Some(name),
            subresource: Some("token"),
        }
        .build()?;
        let req = ApiRequest::post_go_json(path, &request);
        let response = ctx
            .client()?
            .send_json(&req)
            .await
            .map_err(|e| CliError::msg(format!("failed to create token: {e}")))?;
        let token = response["status"]["token"].as_str().unwrap_or_default();
        if token.is_empty() {
            return Err(CliError::msg(
                "failed to create token: no token in server response",
            ));
        }
        let mut out = ctx.out();
        match printer {
            Some(mut p) => {
                p.print(&response, &mut **out)?;
                p.finish(&mut **out)?;
            }
            // A newline only for a terminal, so that `$(kubectl create token x)` is the token.
            None if ctx.stdout_is_terminal() => out.write_all(format!("{token}\n").as_bytes())?,
            None => out.write_all(token.as_bytes())?,
        }
        Ok(())
    }

    /// The `-o` printer, when `-o` was given (kubectl's `OutputFlagSpecified`).
    fn printer(&self) -> Result<Option<GenericPrinter>, CliError> {
        if self.print.output.is_empty() {
            return Ok(None);
        }
        self.print.generic_printer().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_go_does() {
        assert_eq!(parse_signed_duration("0"), Ok(0));
        assert_eq!(parse_signed_duration("10m"), Ok(600_000_000_000));
        assert_eq!(parse_signed_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_signed_duration("-1s"), Ok(-1_000_000_000));
        assert_eq!(parse_signed_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_signed_duration("500ms"), Ok(500_000_000));
        for (bad, why) in [
            ("", "time: invalid duration \"\""),
            ("10", "time: missing unit in duration \"10\""),
            ("1d", "time: unknown unit \"d\" in duration \"1d\""),
            ("x", "time: invalid duration \"x\""),
            ("-", "time: invalid duration \"-\""),
            (".s", "time: invalid duration \".s\""),
            ("3000000h", "time: invalid duration \"3000000h\""),
        ] {
            assert_eq!(parse_signed_duration(bad), Err(why.to_string()), "{bad}");
        }
    }
}

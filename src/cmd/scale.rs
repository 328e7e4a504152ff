//! `kubectl-rs scale`: sets `spec.replicas` through the `scale` subresource of `TYPE NAME`,
//! `TYPE/NAME`, `-l`/`--all` or `-f` objects, with `--current-replicas`/`--resource-version`
//! preconditions, conflict retries and `--timeout` waits (kubectl `pkg/cmd/scale/scale.go`,
//! `pkg/scale/scale.go`).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::client::{ApiRequest, ClientError};
use crate::cmd::flags::DryRun;
use crate::context::Context;
use crate::error::CliError;
use crate::print::gofmt::go_quote;
use crate::resource::targets::{self, FindSpec, Target};
use crate::resource::{collected_errors, Info};

/// How often and how long a scale is retried after update conflicts (kubectl: 1s, 5m).
const RETRY_INTERVAL: Duration = Duration::from_secs(1);
const RETRY_TIMEOUT: Duration = Duration::from_secs(300);
/// How often `--timeout` polls the scale.
const WAIT_INTERVAL: Duration = Duration::from_secs(1);

pub const SCALE_LONG: &str = r"Set a new size for a deployment, replica set, replication controller, or stateful set.

 Scale also allows users to specify one or more preconditions for the scale action.

 If --current-replicas or --resource-version is specified, it is validated before the scale is attempted, and it is guaranteed that the precondition holds true when the scale is sent to the server.";

pub const SCALE_EXAMPLES: &str = r#"Examples:
  # Scale a replica set named 'foo' to 3
  kubectl scale --replicas=3 rs/foo
  
  # Scale a resource identified by type and name specified in "foo.yaml" to 3
  kubectl scale --replicas=3 -f foo.yaml
  
  # If the deployment named mysql's current size is 2, scale mysql to 3
  kubectl scale --current-replicas=2 --replicas=3 deployment/mysql
  
  # Scale multiple replication controllers
  kubectl scale --replicas=5 rc/example1 rc/example2 rc/example3
  
  # Scale stateful set named 'web' to 3
  kubectl scale --replicas=3 statefulset/web"#;

/// `kubectl-rs scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)`.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Set a new size for a deployment, replica set, or replication controller")]
#[command(mut_arg("timeout", |a| a.help("The length of time to wait before giving up on a scale operation, zero means don't wait. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).")))]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files identifying the resource to set a new size")))]
#[command(mut_arg("resource_version", |a| a.help("Precondition for resource version. Requires that the current resource version match this value in order to scale.")))]
pub struct ScaleArgs {
    /// `TYPE NAME…` or `TYPE/NAME…`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub builder: crate::cmd::flags::BuilderFlags,
    #[command(flatten)]
    pub all: crate::cmd::flags::AllFlag,
    /// The new desired number of replicas. Required.
    #[arg(
        verbatim_doc_comment,
        long,
        allow_negative_numbers = true,
        value_name = "int"
    )]
    pub replicas: Option<String>,
    /// Precondition for current size. Requires that the current size of the resource match this value in order to scale. -1 (default) for no condition.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "-1",
        allow_negative_numbers = true
    )]
    pub current_replicas: String,
    #[command(flatten)]
    pub resource_version: crate::cmd::flags::ResourceVersionFlag,
    #[command(flatten)]
    pub wait: crate::cmd::flags::WaitFlags,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
}

/// The path of the `scale` subresource of the object the builder found.
fn scale_path(info: &Info) -> Result<crate::client::ApiPath, crate::client::PathError> {
    info.resource
        .subresource_path(info.namespace.as_deref(), Some(&info.name), Some("scale"))
}

/// The scale preconditions (`--current-replicas`, `--resource-version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Precondition {
    /// Required `spec.replicas` (-1: any).
    pub size: i64,
    /// Required `metadata.resourceVersion` (empty: any).
    pub resource_version: String,
}

impl Precondition {
    /// scale.go `validate`: kubectl's `PreconditionError` text when `scale` does not match.
    pub fn check(&self, scale: &Value) -> Result<(), CliError> {
        let size = scale["spec"]["replicas"].as_i64().unwrap_or(0);
        if self.size != -1 && size != self.size {
            return Err(CliError::msg(format!(
                "Expected replicas to be {}, was {size}",
                self.size
            )));
        }
        let rv = scale["metadata"]["resourceVersion"].as_str().unwrap_or("");
        if !self.resource_version.is_empty() && rv != self.resource_version {
            return Err(CliError::msg(format!(
                "Expected resource version to be {}, was {rv}",
                self.resource_version
            )));
        }
        Ok(())
    }
}

/// Whether a Scale has settled at `desired` (or was reset by someone else): scale.go
/// `scaleHasDesiredReplicas`.
pub fn scale_settled(scale: &Value, desired: i64) -> bool {
    let spec = scale["spec"]["replicas"].as_i64().unwrap_or(0);
    let status = scale["status"]["replicas"].as_i64().unwrap_or(0);
    spec != desired || (spec == status && status == desired)
}

/// scale.go `updateReplicas`: the printed object shows the new size, for the built-in
/// scalable kinds only (custom resources may keep replicas elsewhere).
fn update_replicas(obj: &mut Value, replicas: i64) {
    let api_version = obj["apiVersion"].as_str().unwrap_or("");
    let group = crate::print::name::api_group(api_version);
    if group != "apps" && !group.is_empty() {
        return;
    }
    if let Some(o) = obj.as_object_mut() {
        let spec = o.entry("spec").or_insert_with(|| json!({}));
        if !spec.is_object() {
            *spec = json!({});
        }
        spec["replicas"] = json!(replicas);
    }
}

impl ScaleArgs {
    /// Flag values as pflag parses them (before anything else, as cobra does).
    fn parse_flags(&self) -> Result<(Option<i64>, i64, Duration), CliError> {
        let usage = |flag: &str, value: &str, why: String| {
            crate::cmd::flags::invalid_flag_value("scale", flag, value, why)
        };
        let int =
            |flag: &str, value: &str| go_parse_int(value).map_err(|why| usage(flag, value, why));
        let replicas = match &self.replicas {
            Some(r) => Some(int("replicas", r)?),
            None => None,
        };
        let current = int("current-replicas", &self.current_replicas)?;
        let timeout = crate::cmd::flags::parse_timeout(&self.wait.timeout).map_err(|_| {
            usage(
                "timeout",
                &self.wait.timeout,
                format!("time: invalid duration {}", go_quote(&self.wait.timeout)),
            )
        })?;
        Ok((replicas, current, timeout))
    }

    fn validate(&self, replicas: i64, current_replicas: i64) -> Result<(), CliError> {
        if replicas < 0 {
            return Err(CliError::msg(
                "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
            ));
        }
        if current_replicas < -1 {
            return Err(CliError::msg(
                "The --current-replicas must specify an integer of -1 or greater",
            ));
        }
        Ok(())
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let (replicas, current_replicas, timeout) = self.parse_flags()?;
        if self.record.value.is_some() {
            ctx.eprint(crate::cmd::flags::RECORD_DEPRECATED);
        }
        let Some(replicas) = replicas else {
            return Err(CliError::msg("required flag(s) \"replicas\" not set"));
        };
        let dry_run = self.dry_run.strategy(ctx)?;
        let spec = self.print.spec(ctx)?;
        let mut printer = spec.printer()?;
        ctx.namespace()?;
        self.validate(replicas, current_replicas)?;
        let (infos, info_errors) = self.infos(ctx).await?;
        if !self.resource_version.value.is_empty() && infos.len() > 1 {
            return Err(CliError::msg(
                "cannot use --resource-version with multiple resources",
            ));
        }
        let precondition = (current_replicas != -1 || !self.resource_version.value.is_empty())
            .then(|| Precondition {
                size: current_replicas,
                resource_version: self.resource_version.value.clone(),
            });
        if infos.is_empty() {
            collected_errors(info_errors, Vec::new())?;
            return Err(CliError::msg("no objects passed to scale"));
        }
        let operation = format!("scaled{}", dry_run.suffix());
        for mut info in infos {
            if dry_run == DryRun::Client {
                update_replicas(&mut info.object, replicas);
                spec.print(ctx, printer.as_mut(), &info.object, &operation)?;
                continue;
            }
            let actual =
                scale_with_retries(ctx, &info, replicas, precondition.as_ref(), dry_run).await?;
            if !timeout.is_zero() && dry_run == DryRun::None {
                wait_for_replicas(ctx, &info, replicas, timeout).await?;
            }
            update_replicas(&mut info.object, actual);
            if self.record.value == Some(true) {
                // kubectl sends this one without dry run or field manager, and only logs a
                // failure.
                let argv: Vec<String> = std::env::args().collect();
                let body = crate::cmd::flags::record_patch(
                    &info.object,
                    &crate::cmd::flags::change_cause(&argv),
                );
                let req =
                    ApiRequest::patch(info.path()?, crate::client::request::PATCH_MERGE, body);
                let _ = ctx.client()?.send_json(&req).await;
            }
            spec.print(ctx, printer.as_mut(), &info.object, &operation)?;
        }
        if let Some(p) = printer.as_mut() {
            p.finish(&mut **ctx.out())?;
        }
        collected_errors(info_errors, Vec::new())
    }

    /// The builder: `-f` objects as read, or the objects named or selected, fetched.
    /// kubectl's `r.Infos()` with `ContinueOnError`: the objects found and the errors met
    /// (a builder without `Latest`: `-f` objects are scaled as read).
    async fn infos(&self, ctx: &Context) -> Result<(Vec<Info>, Vec<CliError>), CliError> {
        let spec = FindSpec {
            all: self.all.value,
            as_read: true,
            ..self.builder.find_spec(&self.args)
        };
        let (mut infos, mut errors) = (Vec::new(), Vec::new());
        for item in targets::visit(ctx, &spec).await? {
            match item.and_then(Target::into_info) {
                Ok(info) => infos.push(info),
                Err(e) => errors.push(e),
            }
        }
        Ok((infos, errors))
    }
}

pub use kcore::gofmt::go_parse_int;

/// scale.go `Scale`: one attempt (`ScaleSimple`), retried every second for up to five minutes
/// while the server reports a conflict. Returns the size the server answered with.
async fn scale_with_retries(
    ctx: &Context,
    info: &Info,
    replicas: i64,
    precondition: Option<&Precondition>,
    dry_run: DryRun,
) -> Result<i64, CliError> {
    let start = Instant::now();
    // `ScaleSimple`: with a precondition, GET the Scale, check it and PUT it back with the
    // new size; without one, a JSON merge patch of `spec.replicas`.
    let once = || async {
        let client = ctx.client()?;
        let path = scale_path(info)?;
        let updated = match precondition {
            Some(p) => {
                let mut scale = client.get_json(&path).await?;
                p.check(&scale)?;
                scale["spec"]["replicas"] = json!(replicas);
                let req = dry_run.query(ApiRequest::put(path.clone(), &scale));
                client.send_json(&req).await?
            }
            None => {
                let body = format!("{{\"spec\":{{\"replicas\":{replicas}}}}}");
                let req =
                    ApiRequest::patch(path, crate::client::request::PATCH_MERGE, body.into_bytes());
                client.send_json(&dry_run.query(req)).await?
            }
        };
        Ok::<_, CliError>(updated["spec"]["replicas"].as_i64().unwrap_or(0))
    };
    loop {
        match once().await {
            Err(CliError::Client(ClientError::Api(s)))
                if s.code == 409 && start.elapsed() + RETRY_INTERVAL < RETRY_TIMEOUT =>
            {
                tokio::time::sleep(RETRY_INTERVAL).await;
            }
            other => return other,
        }
    }
}

/// scale.go `WaitForScaleHasDesiredReplicas`: polls the Scale every second until it settles.
async fn wait_for_replicas(
    ctx: &Context,
    info: &Info,
    replicas: i64,
    timeout: Duration,
) -> Result<(), CliError> {
    let client = ctx.client()?;
    let path = scale_path(info)?;
    let poll = async {
        loop {
            let scale = client.get_json(&path).await?;
            if scale_settled(&scale, replicas) {
                return Ok(());
            }
            tokio::time::sleep(WAIT_INTERVAL).await;
        }
    };
    match tokio::time::timeout(timeout, poll).await {
        Ok(r) => r,
        Err(_) => Err(CliError::msg(format!(
            "timed out waiting for {:?} to be synced",
            info.name
        ))),
    }
}

/// `kubectl scale`: kubectl's usage (`Use`).
pub const SCALE_USAGE: &str = r"scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preconditions() {
        let scale = json!({"metadata": {"resourceVersion": "96"}, "spec": {"replicas": 3}});
        let p = |size, rv: &str| Precondition {
            size,
            resource_version: rv.into(),
        };
        assert!(p(-1, "").check(&scale).is_ok());
        assert!(p(3, "96").check(&scale).is_ok());
        let text = |e: CliError| crate::error::render(&e).stderr;
        assert_eq!(
            text(p(2, "").check(&scale).unwrap_err()),
            "error: Expected replicas to be 2, was 3\n"
        );
        assert_eq!(
            text(p(-1, "1").check(&scale).unwrap_err()),
            "error: Expected resource version to be 1, was 96\n"
        );
    }

    #[test]
    fn ints_parse_like_go() {
        assert_eq!(go_parse_int("3").unwrap(), 3);
        assert_eq!(go_parse_int("-1").unwrap(), -1);
        assert_eq!(go_parse_int("0x10").unwrap(), 16);
        assert_eq!(go_parse_int("010").unwrap(), 8);
        assert_eq!(go_parse_int("0b1_0").unwrap(), 2);
        assert_eq!(
            go_parse_int("abc").unwrap_err(),
            "strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
        assert_eq!(
            go_parse_int("1_0").unwrap_err(),
            "strconv.ParseInt: parsing \"1_0\": invalid syntax"
        );
        assert_eq!(
            go_parse_int("99999999999999999999").unwrap_err(),
            "strconv.ParseInt: parsing \"99999999999999999999\": value out of range"
        );
    }

    #[test]
    fn settling() {
        let s = |spec, status| json!({"spec": {"replicas": spec}, "status": {"replicas": status}});
        assert!(!scale_settled(&s(3, 2), 3));
        assert!(scale_settled(&s(3, 3), 3));
        // Someone else changed the size: nothing left to wait for.
        assert!(scale_settled(&s(5, 2), 3));
    }

    #[test]
    fn replicas_shown_for_builtin_kinds_only() {
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": 1}});
        update_replicas(&mut d, 4);
        assert_eq!(d["spec"]["replicas"], 4);
        let mut c = json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"size": 1}});
        update_replicas(&mut c, 4);
        assert!(c["spec"].get("replicas").is_none());
    }
}

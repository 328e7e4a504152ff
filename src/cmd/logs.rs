//! `kubectl-rs logs`: prints the logs of a pod's containers, of the pods of a workload
//! (`deploy/web`, `ds/x`: the first pod as kubectl sorts them, or all with `--all-pods`), or of
//! the pods a selector picks, through the `pods/log` subresource (kubectl
//! `pkg/cmd/logs/logs.go`, `polymorphichelpers/logsforobject.go`).

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use crate::client::{ApiRequest, ResourcePath};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;
use crate::ops::pods;

pub const LOGS_USAGE: &str = "logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]";

pub const LOGS_LONG: &str = "Print the logs for a container in a pod or specified resource. If the pod has only one container, the container name is optional.";

pub const LOGS_EXAMPLES: &str = r#"Examples:
  # Return snapshot logs from pod nginx with only one container
  kubectl logs nginx
  
  # Return snapshot logs from pod nginx, prefixing each line with the source pod and container name
  kubectl logs nginx --prefix
  
  # Return snapshot logs from pod nginx, limiting output to 500 bytes
  kubectl logs nginx --limit-bytes=500
  
  # Return snapshot logs from pod nginx, waiting up to 20 seconds for it to start running.
  kubectl logs nginx --pod-running-timeout=20s
  
  # Return snapshot logs from pod nginx with multi containers
  kubectl logs nginx --all-containers=true
  
  # Return snapshot logs from all pods in the deployment nginx
  kubectl logs deployment/nginx --all-pods=true
  
  # Return snapshot logs from all containers in pods defined by label app=nginx
  kubectl logs -l app=nginx --all-containers=true
  
  # Return snapshot logs from all pods defined by label app=nginx, limiting concurrent log requests to 10 pods
  kubectl logs -l app=nginx --max-log-requests=10
  
  # Return snapshot of previous terminated ruby container logs from pod web-1
  kubectl logs -p -c ruby web-1
  
  # Begin streaming the logs from pod nginx, continuing even if errors occur
  kubectl logs nginx -f --ignore-errors=true
  
  # Begin streaming the logs of the ruby container in pod web-1
  kubectl logs -f -c ruby web-1
  
  # Begin streaming the logs from all containers in pods defined by label app=nginx
  kubectl logs -f -l app=nginx --all-containers=true
  
  # Display only the most recent 20 lines of output in pod nginx
  kubectl logs --tail=20 nginx
  
  # Show all logs from pod nginx written in the last hour
  kubectl logs --since=1h nginx
  
  # Show all logs with timestamps from pod nginx starting from August 30, 2024, at 06:00:00 UTC
  kubectl logs nginx --since-time=2024-08-30T06:00:00Z --timestamps=true
  
  # Show logs from a kubelet with an expired serving certificate
  kubectl logs --insecure-skip-tls-verify-backend nginx
  
  # Return snapshot logs from first container of a job named hello
  kubectl logs job/hello
  
  # Return snapshot logs from container nginx-1 of a deployment named nginx
  kubectl logs deployment/nginx -c nginx-1"#;

const USAGE_ERR: &str = "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command";

/// The tail a selector gets when `--tail` is not given.
const SELECTOR_TAIL: i64 = 10;

/// `kubectl-rs logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]`.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Print the logs for a container in a pod")]
#[command(mut_arg("container", |a| a.help("Print the logs of this container")))]
#[command(mut_arg("pod_running_timeout", |a| a.default_value("20s")))]
pub struct LogsArgs {
    /// `POD [CONTAINER]` or `TYPE/NAME`.
    pub args: Vec<String>,
    /// Get all containers' logs in the pod(s).
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub all_containers: bool,
    /// Get logs from all pod(s). Sets prefix to true.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub all_pods: bool,
    #[command(flatten)]
    pub container: crate::cmd::flags::ContainerFlag,
    /// Specify if the logs should be streamed.
    #[arg(verbatim_doc_comment, short = 'f', long, go_bool(false))]
    pub follow: bool,
    /// If watching / following pod logs, allow for any errors that occur to be non-fatal
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub ignore_errors: bool,
    /// Skip verifying the identity of the kubelet that logs are requested from.  In theory, an attacker could provide invalid log content back. You might want to use this if your kubelet serving certificates have expired.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub insecure_skip_tls_verify_backend: bool,
    /// Maximum bytes of logs to return. Defaults to no limit.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "0",
        allow_negative_numbers = true
    )]
    pub limit_bytes: String,
    /// Specify maximum number of concurrent logs to follow when using by a selector. Defaults to 5.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "5",
        allow_negative_numbers = true
    )]
    pub max_log_requests: String,
    #[command(flatten)]
    pub pod_running_timeout: crate::cmd::flags::PodRunningTimeoutFlag,
    /// Prefix each log line with the log source (pod name and container name)
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub prefix: bool,
    /// If true, print the logs for the previous instance of the container in a pod if it exists.
    #[arg(verbatim_doc_comment, short = 'p', long, go_bool(false))]
    pub previous: bool,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    /// Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all logs. Only one of since-time / since may be used.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "0s",
        allow_negative_numbers = true
    )]
    pub since: String,
    /// Only return logs after a specific date (RFC3339). Defaults to all logs. Only one of since-time / since may be used.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub since_time: String,
    /// Lines of recent log file to display. Defaults to -1 with no selector, showing all log lines otherwise 10, if a selector is provided.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "-1",
        allow_negative_numbers = true
    )]
    pub tail: String,
    /// Include timestamps on each line in the log output
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub timestamps: bool,
}

/// One log request: which pod and container, and the field path naming the container.
#[derive(Debug, Clone)]
struct Request {
    namespace: String,
    pod: String,
    container: String,
}

/// The `PodLogOptions` sent (as query parameters).
#[derive(Debug, Clone, Default)]
struct Options {
    follow: bool,
    previous: bool,
    timestamps: bool,
    since_seconds: Option<i64>,
    since_time: Option<String>,
    tail: Option<i64>,
    limit_bytes: Option<i64>,
    insecure: bool,
}

fn flag_error(flag: &str, value: &str, why: String) -> CliError {
    crate::cmd::flags::invalid_flag_value("logs", flag, value, why)
}

fn parse_int(flag: &str, value: &str) -> Result<i64, CliError> {
    let syntax = || format!("strconv.ParseInt: parsing {value:?}: invalid syntax");
    let body = value.strip_prefix(['+', '-']).unwrap_or(value);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(flag_error(flag, value, syntax()));
    }
    value.parse::<i64>().map_err(|_| {
        flag_error(
            flag,
            value,
            format!("strconv.ParseInt: parsing {value:?}: value out of range"),
        )
    })
}

fn parse_duration(flag: &str, value: &str) -> Result<Duration, CliError> {
    if value == "0" {
        return Ok(Duration::ZERO);
    }
    if let Some(rest) = value.strip_prefix('-') {
        // A negative duration parses; kubectl rejects it afterwards.
        return match crate::cmd::flags::parse_go_duration(rest) {
            Some(d) if !d.is_zero() => {
                Err(CliError::msg(format!("--{flag} must be greater than 0")))
            }
            Some(_) => Ok(Duration::ZERO),
            None => Err(flag_error(
                flag,
                value,
                format!("time: invalid duration {value:?}"),
            )),
        };
    }
    crate::cmd::flags::parse_go_duration(value)
        .ok_or_else(|| flag_error(flag, value, format!("time: invalid duration {value:?}")))
}

impl LogsArgs {
    fn usage(message: &str) -> CliError {
        CliError::Usage {
            message: message.to_string(),
            command: "kubectl-rs logs".into(),
        }
    }

    /// Complete + Validate: the options, and the resource argument and container.
    fn complete(&self) -> Result<(Options, Option<String>, String, Duration, i64), CliError> {
        let selector = self.selector.value.clone().unwrap_or_default();
        let mut container = self.container.value.clone();
        let resource = match self.args.as_slice() {
            [] if selector.is_empty() => return Err(Self::usage(USAGE_ERR)),
            [] => None,
            [r] => {
                if !selector.is_empty() {
                    return Err(Self::usage("only a selector (-l) or a POD name is allowed"));
                }
                Some(r.clone())
            }
            [r, c] => {
                container = c.clone();
                Some(r.clone())
            }
            _ => return Err(Self::usage(USAGE_ERR)),
        };
        let limit = parse_int("limit-bytes", &self.limit_bytes)?;
        let max_requests = parse_int("max-log-requests", &self.max_log_requests)?;
        let tail = parse_int("tail", &self.tail)?;
        let since = parse_duration("since", &self.since)?;
        let timeout = parse_duration("pod-running-timeout", &self.pod_running_timeout.value)?;
        if timeout.is_zero() {
            return Err(CliError::msg(
                "--pod-running-timeout must be higher than zero",
            ));
        }
        let since_time = if self.since_time.is_empty() {
            None
        } else {
            match chrono::DateTime::parse_from_rfc3339(&self.since_time) {
                Ok(t) => Some(
                    t.with_timezone(&chrono::Utc)
                        .format("%Y-%m-%dT%H:%M:%SZ")
                        .to_string(),
                ),
                Err(_) => {
                    return Err(CliError::msg(format!(
                        "parsing time {:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse {:?} as \"2006\"",
                        self.since_time, self.since_time
                    )))
                }
            }
        };
        let mut opts = Options {
            follow: self.follow,
            previous: self.previous,
            timestamps: self.timestamps,
            since_time,
            insecure: self.insecure_skip_tls_verify_backend,
            ..Default::default()
        };
        if limit != 0 {
            opts.limit_bytes = Some(limit);
        }
        if !since.is_zero() {
            opts.since_seconds = Some(since.as_secs_f64().round() as i64);
        }
        // kubectl tells an explicit `--tail=-1` from the default; both read -1 here, so a
        // selector gets its default tail of 10 either way.
        if !selector.is_empty() && tail == -1 {
            opts.tail = Some(SELECTOR_TAIL);
        } else if tail != -1 {
            opts.tail = Some(tail);
        }
        // Validate.
        if opts.since_time.is_some() && opts.since_seconds.is_some() {
            return Err(CliError::msg(
                "at most one of `sinceTime` or `sinceSeconds` may be specified",
            ));
        }
        if self.all_containers && !container.is_empty() {
            return Err(CliError::msg(format!(
                "--all-containers=true should not be specified with container name {container}"
            )));
        }
        if !self.container.value.is_empty() && self.args.len() == 2 {
            return Err(CliError::msg(
                "only one of -c or an inline [CONTAINER] arg is allowed",
            ));
        }
        if limit < 0 {
            return Err(CliError::msg("--limit-bytes must be greater than 0"));
        }
        if opts.tail.is_some_and(|t| t < -1) {
            return Err(CliError::msg("--tail must be greater than or equal to -1"));
        }
        Ok((opts, resource, container, timeout, max_requests))
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let (opts, resource, container, timeout, max_requests) = self.complete()?;
        let (ns, _) = ctx.namespace()?;
        let client = ctx.client()?;
        let mut requests = Vec::new();
        match resource {
            None => {
                let selector = self.selector.value.clone().unwrap_or_default();
                let path = ResourcePath::pods(&ns, None).build()?;
                let list = client
                    .send_json(&ApiRequest::get(path).query("labelSelector", selector))
                    .await?;
                let pods = list["items"].as_array().cloned().unwrap_or_default();
                if pods.is_empty() {
                    ctx.eprint(&format!("No resources found in {ns} namespace.\n"));
                }
                for p in &pods {
                    self.pod_requests(ctx, p, &container, &mut requests)?;
                }
            }
            Some(arg) => {
                let obj = pods::object(ctx, &ns, &arg, true).await?;
                if obj["kind"] == "Pod" {
                    self.pod_requests(ctx, &obj, &container, &mut requests)?;
                } else {
                    let kind = obj["kind"].as_str().unwrap_or_default().to_string();
                    let Some(selector) = pods::selector_of(&obj) else {
                        let t = pods::go_type(&kind);
                        return Err(CliError::msg(format!(
                            "cannot get the logs from {t}: selector for {t} not implemented"
                        )));
                    };
                    let pods = pods::pods_for(ctx, &ns, &selector, timeout).await?;
                    if self.all_pods {
                        for p in &pods {
                            self.pod_requests(ctx, p, &container, &mut requests)?;
                        }
                    } else if let Some(first) = pods.first() {
                        if pods.len() > 1 {
                            ctx.eprint(&format!(
                                "Found {} pods, using pod/{}\n",
                                pods.len(),
                                first["metadata"]["name"].as_str().unwrap_or_default()
                            ));
                        }
                        self.pod_requests(ctx, first, &container, &mut requests)?;
                    }
                }
            }
        }
        let prefix = self.prefix || self.all_pods;
        let parallel = opts.follow && requests.len() > 1;
        if parallel && requests.len() as i64 > max_requests {
            return Err(CliError::msg(format!(
                "you are attempting to follow {} log streams, but maximum allowed concurrency is {max_requests}, use --max-log-requests to increase the limit",
                requests.len()
            )));
        }
        let streams = async {
            if parallel {
                return self.parallel(ctx, &opts, requests, prefix).await;
            }
            for r in requests {
                consume(ctx, &opts, &r, prefix).await?;
            }
            Ok(())
        };
        // As kubectl's interrupt handler around reading the logs: a termination signal
        // (Ctrl-C on `-f`) ends the command with exit 1 and no message.
        tokio::select! {
            // Polled first, so the handler is in place before the first line is read.
            biased;
            _ = super::interrupt::termination_signal() => {
                ctx.out().flush()?;
                Err(CliError::Interrupted)
            }
            r = streams => r,
        }
    }

    /// The requests for one pod: its default (or named) container, or all of them.
    fn pod_requests(
        &self,
        ctx: &Context,
        pod: &Value,
        container: &str,
        out: &mut Vec<Request>,
    ) -> Result<(), CliError> {
        let ns = pod["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let push = |out: &mut Vec<Request>, (c, _field_path): (String, String)| {
            out.push(Request {
                namespace: ns.clone(),
                pod: name.clone(),
                container: c,
            })
        };
        if self.all_containers {
            for c in pods::containers(
                pod,
                &["initContainers", "containers", "ephemeralContainers"],
            ) {
                push(out, c);
            }
            return Ok(());
        }
        let all = pods::containers(
            pod,
            &["containers", "initContainers", "ephemeralContainers"],
        );
        let mut wanted = container.to_string();
        if wanted.is_empty() {
            if let Some(d) =
                pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str()
            {
                if all.iter().any(|(n, _)| n == d) {
                    wanted = d.to_string();
                }
            }
        }
        if wanted.is_empty() {
            let main = pods::containers(pod, &["containers"]);
            let Some(first) = main.first().cloned() else {
                return Err(CliError::msg(format!(
                    "pod {name} does not have any containers"
                )));
            };
            if all.len() > 1 {
                ctx.eprint(&format!(
                    "Defaulted container {:?} out of: {}\n",
                    first.0,
                    pods::all_container_names(pod)
                ));
            }
            push(out, first);
            return Ok(());
        }
        match all.into_iter().find(|(n, _)| *n == wanted) {
            Some(c) => push(out, c),
            None => {
                return Err(CliError::msg(format!(
                    "container {wanted} is not valid for pod {name}"
                )))
            }
        }
        Ok(())
    }

    /// Follows several streams at once, line by line.
    async fn parallel(
        &self,
        ctx: &Context,
        opts: &Options,
        requests: Vec<Request>,
        prefix: bool,
    ) -> Result<(), CliError> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Result<Vec<u8>, CliError>>();
        let client = ctx.client()?.clone();
        for r in requests {
            let tx = tx.clone();
            let client = client.clone();
            let opts = opts.clone();
            let ignore = self.ignore_errors;
            tokio::spawn(async move {
                let res = stream_lines(&client, &opts, &r, prefix, |line| {
                    let _ = tx.send(Ok(line));
                })
                .await;
                if let Err(e) = res {
                    if ignore {
                        let _ = tx.send(Ok(format!("error: {}\n", e).into_bytes()));
                    } else {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        }
        drop(tx);
        while let Some(item) = rx.recv().await {
            let line = item?;
            use std::io::Write;
            let mut out = ctx.out();
            out.write_all(&line)?;
        }
        Ok(())
    }
}

fn log_request(opts: &Options, r: &Request) -> Result<ApiRequest, CliError> {
    let path = ResourcePath {
        subresource: Some("log"),
        ..ResourcePath::pods(&r.namespace, Some(&r.pod))
    }
    .build()?;
    let mut req = ApiRequest::get(path).query("container", r.container.clone());
    if opts.follow {
        req = req.query("follow", "true");
    }
    if opts.insecure {
        req = req.query("insecureSkipTLSVerifyBackend", "true");
    }
    if let Some(l) = opts.limit_bytes {
        req = req.query("limitBytes", l.to_string());
    }
    if opts.previous {
        req = req.query("previous", "true");
    }
    if let Some(s) = opts.since_seconds {
        req = req.query("sinceSeconds", s.to_string());
    }
    if let Some(t) = &opts.since_time {
        req = req.query("sinceTime", t.clone());
    }
    if let Some(t) = opts.tail {
        req = req.query("tailLines", t.to_string());
    }
    if opts.timestamps {
        req = req.query("timestamps", "true");
    }
    Ok(req)
}

/// Streams one log, calling `emit` with each line (prefixed when asked).
async fn stream_lines(
    client: &crate::client::Client,
    opts: &Options,
    r: &Request,
    prefix: bool,
    mut emit: impl FnMut(Vec<u8>),
) -> Result<(), CliError> {
    let req = log_request(opts, r)?;
    let mut body = client.send_stream(&req).await?;
    let pre = format!("[pod/{}/{}] ", r.pod, r.container).into_bytes();
    let mut buf: Vec<u8> = Vec::new();
    let mut out = |line: Vec<u8>| {
        if prefix && !line.is_empty() {
            let mut l = pre.clone();
            l.extend(line);
            emit(l);
        } else {
            emit(line);
        }
    };
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        buf.extend_from_slice(&chunk);
        while let Some(i) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=i).collect();
            out(line);
        }
    }
    if !buf.is_empty() {
        out(buf);
    }
    Ok(())
}

async fn consume(ctx: &Context, opts: &Options, r: &Request, prefix: bool) -> Result<(), CliError> {
    let client = ctx.client()?;
    stream_lines(client, opts, r, prefix, |line| {
        use std::io::Write;
        let mut out = ctx.out();
        let _ = out.write_all(&line);
    })
    .await
}

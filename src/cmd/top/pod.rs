//! `kubectl-rs top pod` (kubectl `pkg/cmd/top/top_pod.go`): the usage of pods (or of their
//! containers) from the Metrics API, and why there is none when the answer is empty.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::client::{ApiRequest, Client, ResourcePath};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;
use crate::print::metrics::{PodMetrics, TopPrinter};

/// kubectl's long help of `top pod`.
pub const TOP_POD_LONG: &str = "Display resource (CPU/memory) usage of pods.

 The 'top pod' command allows you to see the resource consumption of pods.

 Due to the metrics pipeline delay, they may be unavailable for a few minutes since pod creation.";

/// kubectl's examples of `top pod`.
pub const TOP_POD_EXAMPLES: &str = r"Examples:
  # Show metrics for all pods in the default namespace
  kubectl top pod
  
  # Show metrics for all pods in the given namespace
  kubectl top pod --namespace=NAMESPACE
  
  # Show metrics for a given pod and its containers
  kubectl top pod POD_NAME --containers
  
  # Show metrics for the pods defined by label name=myLabel
  kubectl top pod -l name=myLabel";

/// kubectl's usage line of `top pod`.
pub const TOP_POD_USAGE: &str = "pod [NAME | -l label]";

/// How long after its creation a pod without metrics is only "not available yet"
/// (`metricsCreationDelay`).
const METRICS_CREATION_DELAY: chrono::Duration = chrono::Duration::minutes(2);

/// Display resource (CPU/memory) usage of pods.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("no_headers", |a| a.help("If present, print output without headers.")))]
#[command(mut_arg("top_sort_by", |a| a.help("If non-empty, sort pods list using specified field. The field can be either 'cpu' or 'memory'.")))]
#[command(mut_arg("show_swap", |a| a.help("Print pod resources related to swap memory.")))]
pub struct TopPodArgs {
    /// `NAME`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub all_namespaces: crate::cmd::flags::AllNamespacesFlag,
    /// If present, print usage of containers within a pod.
    #[arg(verbatim_doc_comment, long, value_name = "CONTAINERS", go_bool(false))]
    pub containers: bool,
    #[command(flatten)]
    pub field_selector: crate::cmd::flags::FieldSelectorFlag,
    #[command(flatten)]
    pub no_headers: crate::cmd::flags::NoHeadersFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    #[command(flatten)]
    pub show_swap: crate::cmd::flags::ShowSwapFlag,
    #[command(flatten)]
    pub sort_by: crate::cmd::flags::TopSortByFlag,
    /// Print the sum of the resource usage
    #[arg(verbatim_doc_comment, long, value_name = "SUM", go_bool(false))]
    pub sum: bool,
    #[command(flatten)]
    pub use_protocol_buffers: crate::cmd::flags::UseProtocolBuffersFlag,
}

/// What `top pod` was asked for, after `Complete` and `Validate`.
struct TopPodOptions<'a> {
    name: &'a str,
    namespace: String,
    labels: &'a str,
    fields: &'a str,
}

impl TopPodArgs {
    /// kubectl's `Complete`: at most one NAME, the namespace, a client.
    fn complete(&self, ctx: &Context) -> Result<TopPodOptions<'_>, CliError> {
        if self.args.len() > 1 {
            return Err(CliError::Usage {
                message: TOP_POD_USAGE.into(),
                command: "kubectl-rs top pod".into(),
            });
        }
        let (namespace, _) = ctx.namespace()?;
        ctx.client()?;
        Ok(TopPodOptions {
            name: self.args.first().map(String::as_str).unwrap_or_default(),
            namespace,
            labels: self.selector.as_str(),
            fields: self.field_selector.as_str(),
        })
    }

    /// kubectl's `Validate`.
    fn validate(&self, o: &TopPodOptions<'_>) -> Result<(), CliError> {
        super::validate_sort_by(&self.sort_by.value)?;
        if !o.name.is_empty() && (!o.labels.is_empty() || !o.fields.is_empty()) {
            return Err(CliError::msg(
                "only one of NAME or selector can be provided",
            ));
        }
        Ok(())
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let o = self.complete(ctx)?;
        self.validate(&o)?;
        super::check_label_selector(o.labels)?;
        kcore::selectors::FieldSelector::parse_terms(o.fields).map_err(CliError::msg)?;
        let client = ctx.client()?;
        super::require_metrics_api(client).await?;
        let all = self.all_namespaces.value;
        let ns = if all { "" } else { o.namespace.as_str() };
        let metrics: Vec<PodMetrics> = if o.name.is_empty() {
            let items = list(client, "metrics.k8s.io", "v1beta1", ns, &o).await?;
            items.iter().map(PodMetrics::from_json).collect()
        } else {
            let path = ResourcePath {
                group: "metrics.k8s.io",
                version: "v1beta1",
                resource: "pods",
                namespace: Some(ns),
                name: Some(o.name),
                ..Default::default()
            }
            .build()?;
            vec![PodMetrics::from_json(
                &client.send_json(&ApiRequest::get(path)).await?,
            )]
        };
        if metrics.is_empty() {
            // Why there are none: new pods have no metrics yet; old ones should have.
            verify_empty_metrics(client, &o, ctx.now).await?;
            if all {
                ctx.eprint("No resources found\n");
            } else {
                ctx.eprint(&format!(
                    "No resources found in {} namespace.\n",
                    o.namespace
                ));
            }
        }
        let text = TopPrinter::new(self.show_swap.value).print_pod_metrics(
            metrics,
            self.containers,
            all,
            self.no_headers.value,
            &self.sort_by.value,
            self.sum,
        );
        ctx.out().write_all(text.as_bytes())?;
        Ok(())
    }
}

/// kubectl's `verifyEmptyMetrics`: the pods of the current namespace (even with
/// `--all-namespaces`, as kubectl does) that match; none is fine, else the first one older
/// than two minutes is an error, and otherwise metrics are not available yet.
async fn verify_empty_metrics(
    client: &Client,
    o: &TopPodOptions<'_>,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    let pods = if o.name.is_empty() {
        list(client, "", "v1", &o.namespace, o).await?
    } else {
        let path = ResourcePath {
            version: "v1",
            resource: "pods",
            namespace: Some(&o.namespace),
            name: Some(o.name),
            ..Default::default()
        }
        .build()?;
        vec![client.send_json(&ApiRequest::get(path)).await?]
    };
    if o.name.is_empty() && pods.is_empty() {
        return Ok(());
    }
    for pod in &pods {
        check_pod_age(pod, now)?;
    }
    Err(CliError::msg("metrics not available yet"))
}

/// kubectl's `checkPodAge`.
fn check_pod_age(pod: &Value, now: DateTime<Utc>) -> Result<(), CliError> {
    let created = pod["metadata"]["creationTimestamp"]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc));
    // A pod without a creation time is as old as Go's zero time: far older than the delay.
    let age = created.map_or(chrono::Duration::MAX, |c| now - c);
    if age > METRICS_CREATION_DELAY {
        return Err(CliError::msg(format!(
            "Metrics not available for pod {}/{}, age: {}",
            pod["metadata"]["namespace"].as_str().unwrap_or_default(),
            pod["metadata"]["name"].as_str().unwrap_or_default(),
            go_duration_signed(age)
        )));
    }
    Ok(())
}

/// Go's `time.Duration.String` of a (possibly negative) age.
fn go_duration_signed(d: chrono::Duration) -> String {
    let text = crate::client::request::go_duration(d.abs().to_std().unwrap_or_default());
    if d < chrono::Duration::zero() {
        format!("-{text}")
    } else {
        text
    }
}

/// The items of a list of `pods` in `group/version` (namespace "" = all), with the selectors.
async fn list(
    client: &Client,
    group: &str,
    version: &str,
    namespace: &str,
    o: &TopPodOptions<'_>,
) -> Result<Vec<Value>, CliError> {
    let path = ResourcePath {
        group,
        version,
        resource: "pods",
        namespace: Some(namespace),
        ..Default::default()
    }
    .build()?;
    let mut req = ApiRequest::get(path);
    if !o.labels.is_empty() {
        req = req.query("labelSelector", o.labels);
    }
    if !o.fields.is_empty() {
        req = req.query("fieldSelector", o.fields);
    }
    let mut v = client.send_json(&req).await?;
    Ok(match v["items"].take() {
        Value::Array(items) => items,
        _ => Vec::new(),
    })
}

use std::io::Write as _;

//! `kubectl-rs cluster-info dump` (kubectl `pkg/cmd/clusterinfo/clusterinfo_dump.go`): the
//! nodes, then per namespace (kube-system and the current one, `--namespaces`, or every one
//! with `-A`) its events, replication controllers, services, daemon sets, deployments,
//! replica sets and pods, each list printed as kubectl's typed client lists print (`-o json`
//! by default, keys in Go struct order, items without kind), then every container's log
//! between `==== START/END logs for container …` lines. To stdout, or with
//! `--output-directory DIR` as `DIR/nodes.json`, `DIR/<ns>/<what>.json` and
//! `DIR/<ns>/<pod>/logs.txt` (directories 0700 and files 0600, as v1.36 creates them, for
//! the logs may hold secrets), then `Cluster info dumped to DIR`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::client::{ApiRequest, ClientError, ResourcePath};
use crate::cmd::flags::GoBoolArg;
use crate::cmd::flags::PrintSpec;
use crate::context::Context;
use crate::error::CliError;
use crate::print::GenericPrinter;

/// kubectl's long help of `cluster-info dump`.
pub const DUMP_LONG: &str = "Dump cluster information out suitable for debugging and diagnosing cluster problems.  By default, dumps everything to stdout. You can optionally specify a directory with --output-directory.  If you specify a directory, Kubernetes will build a set of files in that directory.  By default, only dumps things in the current namespace and 'kube-system' namespace, but you can switch to a different namespace with the --namespaces flag, or specify --all-namespaces to dump all namespaces.

 The command also dumps the logs of all of the pods in the cluster; these logs are dumped into different directories based on namespace and pod name.";
/// kubectl's examples of `cluster-info dump`.
pub const DUMP_EXAMPLES: &str = r"Examples:
  # Dump current cluster state to stdout
  kubectl cluster-info dump
  
  # Dump current cluster state to /path/to/cluster-state
  kubectl cluster-info dump --output-directory=/path/to/cluster-state
  
  # Dump all namespaces to stdout
  kubectl cluster-info dump --all-namespaces
  
  # Dump a set of namespaces to /path/to/cluster-state
  kubectl cluster-info dump --namespaces default,kube-system --output-directory=/path/to/cluster-state";
/// kubectl's usage line of `cluster-info dump`.
pub const DUMP_USAGE: &str = "dump [flags]";

/// Dump relevant information for debugging and diagnosis.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("output", |a| a.default_value("json")))]
#[command(mut_arg("pod_running_timeout", |a| a.default_value("20s")))]
pub struct DumpArgs {
    /// Positional arguments (kubectl ignores them).
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    /// Where to output the files.  If empty or '-' uses stdout, otherwise creates a directory hierarchy in that directory
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub output_directory: String,
    /// A comma separated list of namespaces to dump.
    #[arg(verbatim_doc_comment, long, value_delimiter = ',')]
    pub namespaces: Vec<String>,
    /// If true, dump all namespaces.  If true, --namespaces is ignored.
    #[arg(verbatim_doc_comment, short = 'A', long, go_bool(false))]
    pub all_namespaces: bool,
    #[command(flatten)]
    pub pod_running_timeout: crate::cmd::flags::PodRunningTimeoutFlag,
}

/// Where each list and log goes: stdout, or a file under the output directory.
struct Sink<'a> {
    ctx: &'a Context,
    dir: Option<PathBuf>,
}

impl Sink<'_> {
    /// `setupOutputWriter`: stdout, or `DIR/<name><ext>` created with its parents.
    fn write(&self, name: &str, ext: &str, data: &[u8]) -> Result<(), CliError> {
        let Some(dir) = &self.dir else {
            self.ctx.out().write_all(data)?;
            return Ok(());
        };
        let file = dir.join(format!("{name}{ext}"));
        let parent = file.parent().unwrap_or(Path::new("."));
        // Go's MkdirAll: an existing non-directory on the way is `mkdir <it>: not a directory`.
        if let Some(blocker) = parent
            .ancestors()
            .find(|a| a.exists())
            .filter(|a| !a.is_dir())
        {
            return Err(CliError::msg(format!(
                "mkdir {}: not a directory",
                blocker.display()
            )));
        }
        create_dir_all(parent).map_err(|e| {
            CliError::msg(format!("mkdir {}: {}", parent.display(), go_io_error(&e)))
        })?;
        write_private(&file, data)
            .map_err(|e| CliError::msg(format!("open {}: {}", file.display(), go_io_error(&e))))
    }
}

#[cfg(unix)]
fn create_dir_all(p: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(p)
}

#[cfg(not(unix))]
fn create_dir_all(p: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(p)
}

/// `os.OpenFile(f, O_RDWR|O_CREATE|O_TRUNC, 0600)` then the printer's writes.
fn write_private(p: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true).write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(p)?.write_all(data)
}

/// Go's wording of the common I/O errors.
fn go_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::AlreadyExists => "file exists".into(),
        _ if e.raw_os_error() == Some(20) => "not a directory".into(),
        _ => e.to_string(),
    }
}

/// A collection the dump lists: resource path parts and the typed list's kind.
struct Listed {
    group: &'static str,
    resource: &'static str,
    file: &'static str,
    kind: &'static str,
}

const PER_NAMESPACE: &[Listed] = &[
    Listed {
        group: "",
        resource: "events",
        file: "events",
        kind: "EventList",
    },
    Listed {
        group: "",
        resource: "replicationcontrollers",
        file: "replication-controllers",
        kind: "ReplicationControllerList",
    },
    Listed {
        group: "",
        resource: "services",
        file: "services",
        kind: "ServiceList",
    },
    Listed {
        group: "apps",
        resource: "daemonsets",
        file: "daemonsets",
        kind: "DaemonSetList",
    },
    Listed {
        group: "apps",
        resource: "deployments",
        file: "deployments",
        kind: "DeploymentList",
    },
    Listed {
        group: "apps",
        resource: "replicasets",
        file: "replicasets",
        kind: "ReplicaSetList",
    },
    Listed {
        group: "",
        resource: "pods",
        file: "pods",
        kind: "PodList",
    },
];

impl DumpArgs {
    /// kubectl's `Complete` and `Run`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let output = if self.print.output.is_empty() {
            "json"
        } else {
            self.print.output.as_str()
        };
        let spec = PrintSpec::parse(
            ctx,
            output,
            self.print.template.as_deref(),
            self.print.allow_missing_template_keys,
            self.print.show_managed_fields,
        )?;
        let mut printer = spec.printer()?.map(GenericPrinter::typed);
        ctx.client()?;
        let timeout = self.pod_running_timeout.duration("cluster-info dump")?;
        if timeout.is_zero() {
            return Err(CliError::msg(
                "--pod-running-timeout must be higher than zero",
            ));
        }
        let (current, _) = ctx.namespace()?;
        let dir = &self.output_directory;
        let sink = Sink {
            ctx,
            dir: (!dir.is_empty() && dir != "-").then(|| PathBuf::from(dir)),
        };
        let ext = match output {
            "json" => ".json",
            "yaml" => ".yaml",
            _ => ".txt",
        };
        let mut print = |name: &str, list: &Value| -> Result<(), CliError> {
            let mut buf = Vec::new();
            match printer.as_mut() {
                Some(p) => p.print(list, &mut buf)?,
                None => crate::print::name::print_name(list, "", false, &mut buf)?,
            }
            sink.write(name, ext, &buf)
        };
        let nodes = list(ctx, "", "nodes", None, "NodeList").await?;
        print("nodes", &nodes)?;
        let namespaces: Vec<String> = if self.all_namespaces {
            let all = list(ctx, "", "namespaces", None, "NamespaceList").await?;
            all["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| {
                    n["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect()
        } else if self.namespaces.is_empty() {
            vec!["kube-system".to_string(), current]
        } else {
            self.namespaces.clone()
        };
        for ns in &namespaces {
            let mut pods = Value::Null;
            for l in PER_NAMESPACE {
                let listed = list(ctx, l.group, l.resource, Some(ns), l.kind).await?;
                print(&format!("{ns}/{}", l.file), &listed)?;
                pods = listed;
            }
            for pod in pods["items"].as_array().into_iter().flatten() {
                let name = pod["metadata"]["name"].as_str().unwrap_or_default();
                let mut text = Vec::new();
                for c in ["initContainers", "containers"] {
                    for container in pod["spec"][c].as_array().into_iter().flatten() {
                        let cname = container["name"].as_str().unwrap_or_default();
                        container_log(ctx, ns, name, cname, &mut text).await?;
                    }
                }
                sink.write(&format!("{ns}/{name}/logs"), ".txt", &text)?;
            }
        }
        if sink.dir.is_some() {
            writeln!(ctx.out(), "Cluster info dumped to {dir}")?;
        }
        Ok(())
    }
}

/// One container's section of the logs: START line, the log or the request's error, END line.
async fn container_log(
    ctx: &Context,
    ns: &str,
    pod: &str,
    container: &str,
    out: &mut Vec<u8>,
) -> Result<(), CliError> {
    writeln!(
        out,
        "==== START logs for container {container} of pod {ns}/{pod} ===="
    )?;
    let path = ResourcePath {
        subresource: Some("log"),
        ..ResourcePath::pods(ns, Some(pod))
    }
    .build();
    let result = match path {
        Ok(p) => {
            let req = ApiRequest::get(p).query("container", container.to_string());
            ctx.client()?.send(&req).await.map(|r| r.body.to_vec())
        }
        Err(e) => {
            writeln!(out, "Create log request error: {e}")?;
            writeln!(
                out,
                "==== END logs for container {container} of pod {ns}/{pod} ===="
            )?;
            return Ok(());
        }
    };
    match result {
        Ok(body) => out.extend_from_slice(&body),
        Err(e) => writeln!(out, "Request log error: {}", log_error_text(e))?,
    }
    writeln!(
        out,
        "==== END logs for container {container} of pod {ns}/{pod} ===="
    )?;
    Ok(())
}

/// The error's `Error()` text as client-go's `DoRaw` returns it.
fn log_error_text(e: ClientError) -> String {
    match e {
        ClientError::Api(s) => s.message,
        other => crate::resource::flatten(&CliError::from(other)),
    }
}

/// A typed client's list: the list with its kind, items without theirs, managed fields kept
/// for the printer to drop.
async fn list(
    ctx: &Context,
    group: &str,
    resource: &str,
    ns: Option<&str>,
    kind: &str,
) -> Result<Value, CliError> {
    let version = "v1";
    let path = ResourcePath {
        group,
        version,
        resource,
        namespace: ns,
        name: None,
        subresource: None,
    }
    .build()?;
    let mut listed = ctx.client()?.send_json(&ApiRequest::get(path)).await?;
    let api_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    for item in listed["items"].as_array_mut().into_iter().flatten() {
        if let Some(m) = item.as_object_mut() {
            m.remove("kind");
            m.remove("apiVersion");
        }
    }
    let items = listed["items"].take();
    Ok(json!({
        "kind": kind,
        "apiVersion": api_version,
        "metadata": listed["metadata"].clone(),
        "items": if items.is_null() { json!([]) } else { items },
    }))
}

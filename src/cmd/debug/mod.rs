//! `kubectl-rs debug` (kubectl `pkg/cmd/debug/debug.go`): debugging containers for pods and
//! nodes. Three styles: an ephemeral container added to a running pod through the
//! `pods/ephemeralcontainers` subresource, a copy of a pod with a debugging container added
//! or a container changed (`--copy-to`), and a pod in a node's host namespaces
//! (`node/NAME`). Each applies a `--profile` ([`profiles`]) and an optional `--custom`
//! partial container spec. With `-i`/`--attach` it then waits for the debugging container
//! to run and attaches to it ([`crate::ops::attach`]), or prints its log once it has ended.

pub mod profiles;

use std::collections::BTreeMap;
use std::io::Write;

use futures_util::StreamExt;
use serde_json::{json, Map, Value};

use crate::client::{ApiRequest, Method, ResourcePath};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;
use crate::ops::attach;
use crate::print::gofmt::go_quote;
use profiles::{KeepFlags, Profile, Style};

/// kubectl's long help of `debug`.
pub const DEBUG_LONG: &str = r"Debug cluster resources using interactive debugging containers.

 'debug' provides automation for common debugging tasks for cluster objects identified by resource and name. Pods will be used by default if no resource is specified.

 The action taken by 'debug' varies depending on what resource is specified. Supported actions include:

  *  Workload: Create a copy of an existing pod with certain attributes changed, for example changing the image tag to a new version.
  *  Workload: Add an ephemeral container to an already running pod, for example to add debugging utilities without restarting the pod.
  *  Node: Create a new pod that runs in the node's host namespaces and can access the node's filesystem.

 Note: When a non-root user is configured for the entire target Pod, some capabilities granted by debug profile may not work.";

/// kubectl's examples of `debug`.
pub const DEBUG_EXAMPLES: &str = r"Examples:
  # Create an interactive debugging session in pod mypod and immediately attach to it.
  kubectl debug mypod -it --image=busybox
  
  # Create an interactive debugging session for the pod in the file pod.yaml and immediately attach to it.
  # (requires the EphemeralContainers feature to be enabled in the cluster)
  kubectl debug -f pod.yaml -it --image=busybox
  
  # Create a debug container named debugger using a custom automated debugging image.
  kubectl debug --image=myproj/debug-tools -c debugger mypod
  
  # Create a copy of mypod adding a debug container and attach to it
  kubectl debug mypod -it --image=busybox --copy-to=my-debugger
  
  # Create a copy of mypod changing the command of mycontainer
  kubectl debug mypod -it --copy-to=my-debugger --container=mycontainer -- sh
  
  # Create a copy of mypod changing all container images to busybox
  kubectl debug mypod --copy-to=my-debugger --set-image=*=busybox
  
  # Create a copy of mypod adding a debug container and changing container images
  kubectl debug mypod -it --copy-to=my-debugger --image=debian --set-image=app=app:debug,sidecar=sidecar:debug
  
  # Create an interactive debugging session on a node and immediately attach to it.
  # The container will run in the host namespaces and the host's filesystem will be mounted at /host
  kubectl debug node/mynode -it --image=busybox";

/// kubectl's usage line of `debug`.
pub const DEBUG_USAGE: &str =
    "debug (POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ] [options]";

/// Create debugging sessions for troubleshooting workloads and nodes
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Create debugging sessions for troubleshooting workloads and nodes")]
#[command(mut_arg("container", |a| a.help("Container name to use for debug container.")))]
#[command(mut_arg("quiet", |a| a.help("If true, suppress informational messages.")))]
#[command(mut_arg("stdin", |a| a.help("Keep stdin open on the container(s) in the pod, even if nothing is attached.")))]
#[command(mut_arg("tty", |a| a.help("Allocate a TTY for the debugging container.")))]
#[command(mut_arg("image_pull_policy", |a| a.help("The image pull policy for the container. If left empty, this value will not be specified by the client and defaulted by the server.")))]
pub struct DebugArgs {
    /// The targets: `POD` or `TYPE/NAME`.
    pub args: Vec<String>,
    /// The container's command (or arguments), after `--`.
    #[arg(last = true)]
    pub command: Vec<String>,
    /// If specified, everything after -- will be passed to the new container as Args instead of Command.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub arguments_only: bool,
    /// If true, wait for the container to start running, and then attach as if 'kubectl attach ...' were called.  Default false, unless '-i/--stdin' is set, in which case the default is true.
    #[arg(verbatim_doc_comment, long, go_bool_opt())]
    pub attach: Option<bool>,
    #[command(flatten)]
    pub container: crate::cmd::flags::ContainerFlag,
    /// Create a copy of the target Pod with this name.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub copy_to: String,
    /// Path to a JSON or YAML file containing a partial container spec to customize built-in debug profiles.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub custom: String,
    /// Environment variables to set in the container.
    #[arg(verbatim_doc_comment, long)]
    pub env: Vec<String>,
    /// identifying the resource to debug
    #[arg(verbatim_doc_comment, short = 'f', long, value_delimiter = ',')]
    pub filename: Vec<String>,
    /// Container image to use for debug container.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub image: String,
    #[command(flatten)]
    pub image_pull_policy: crate::cmd::flags::ImagePullPolicyFlag,
    /// If true, keep the original pod annotations.(This flag only works when used with '--copy-to')
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub keep_annotations: bool,
    /// Run the init containers for the pod. Defaults to true.(This flag only works when used with '--copy-to')
    #[arg(verbatim_doc_comment, long, go_bool(true))]
    pub keep_init_containers: bool,
    /// If true, keep the original pod labels.(This flag only works when used with '--copy-to')
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub keep_labels: bool,
    /// If true, keep the original pod liveness probes.(This flag only works when used with '--copy-to')
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub keep_liveness: bool,
    /// If true, keep the original pod readiness probes.(This flag only works when used with '--copy-to')
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub keep_readiness: bool,
    /// If true, keep the original startup probes.(This flag only works when used with '--copy-to')
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub keep_startup: bool,
    /// Options are "general", "baseline", "restricted", "netadmin" or "sysadmin". Defaults to "general"
    #[arg(verbatim_doc_comment, long, default_value = "general")]
    pub profile: String,
    #[command(flatten)]
    pub quiet: crate::cmd::flags::QuietFlag,
    /// When used with '--copy-to', delete the original Pod.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub replace: bool,
    /// When used with '--copy-to', schedule the copy of target Pod on the same node.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub same_node: bool,
    /// When used with '--copy-to', a list of name=image pairs for changing container images, similar to how 'kubectl set image' works.
    #[arg(verbatim_doc_comment, long)]
    pub set_image: Vec<String>,
    /// When used with '--copy-to', enable process namespace sharing in the copy.
    #[arg(verbatim_doc_comment, long, go_bool_opt())]
    pub share_processes: Option<bool>,
    #[command(flatten)]
    pub stdin: crate::cmd::flags::StdinFlag,
    /// When using an ephemeral container, target processes in this container name.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub target: String,
    #[command(flatten)]
    pub tty: crate::cmd::flags::TtyFlag,
}

/// What `complete` resolves (kubectl's `DebugOptions` after `Complete`).
struct Options {
    targets: Vec<String>,
    args: Vec<String>,
    attach: bool,
    env: Vec<Value>,
    set_images: BTreeMap<String, String>,
    namespace: String,
    enforce_namespace: bool,
    profile: Profile,
    keep: KeepFlags,
    custom: Option<Value>,
}

/// pflag's `stringToString` value: `k=v` pairs, several per occurrence as CSV, later keys
/// replacing earlier ones. The error is pflag's, as cobra reports a bad flag value.
fn string_to_string(flag: &str, values: &[String]) -> Result<BTreeMap<String, String>, CliError> {
    let bad =
        |val: &str, why: String| crate::cmd::flags::invalid_flag_value("debug", flag, val, why);
    let mut out = BTreeMap::new();
    for val in values {
        let pairs: Vec<String> = match val.matches('=').count() {
            0 => return Err(bad(val, format!("{val} must be formatted as key=value"))),
            1 => vec![val.trim_matches('"').to_string()],
            _ => csv_fields(val).map_err(|e| bad(val, e))?,
        };
        for pair in pairs {
            let Some((k, v)) = pair.split_once('=') else {
                return Err(bad(val, format!("{pair} must be formatted as key=value")));
            };
            out.insert(k.to_string(), v.to_string());
        }
    }
    Ok(out)
}

/// One record of Go's `encoding/csv` reader (quoted fields with `""` escapes).
fn csv_fields(s: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = s.chars().peekable();
    let mut col = 1;
    let quote_error = |col: usize| {
        format!("parse error on line 1, column {col}: extraneous or missing \" in quoted-field")
    };
    loop {
        let mut field = String::new();
        let quoted = chars.peek() == Some(&'"');
        if quoted {
            chars.next();
            col += 1;
            loop {
                match chars.next() {
                    None => return Err(quote_error(col)),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        col += 2;
                        field.push('"');
                    }
                    Some('"') => {
                        col += 1;
                        break;
                    }
                    Some(c) => {
                        col += 1;
                        field.push(c);
                    }
                }
            }
        }
        // The field ends at a comma or at the end; after a quoted field nothing else may come.
        loop {
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => {
                    col += 1;
                    fields.push(field);
                    break;
                }
                // Go names the closing quote's column.
                Some(_) if quoted => return Err(quote_error(col - 1)),
                Some('"') => {
                    return Err(format!(
                        "parse error on line 1, column {}: bare \" in non-quoted-field",
                        col
                    ))
                }
                Some(c) => {
                    col += 1;
                    field.push(c);
                }
            }
        }
    }
}

/// The Go type of a container field, as `--custom` is decoded into it.
#[derive(Debug, Clone, Copy)]
enum GoType {
    Str,
    Bool,
    Strings,
    /// A slice of the named struct.
    Structs(&'static str),
    /// The named struct (or a pointer to it).
    Struct(&'static str),
}

impl GoType {
    fn go_name(self) -> String {
        match self {
            GoType::Str => "string".into(),
            GoType::Bool => "bool".into(),
            GoType::Strings => "[]string".into(),
            GoType::Structs(s) => format!("[]v1.{s}"),
            GoType::Struct(s) => format!("v1.{s}"),
        }
    }

    /// The type named when an array holds a wrong element (or is the wrong type itself).
    fn element(self) -> String {
        match self {
            GoType::Strings => "string".into(),
            GoType::Structs(s) => format!("v1.{s}"),
            other => other.go_name(),
        }
    }
}

/// sigs.k8s.io/yaml's conversion: numbers and booleans bound for a Go string (a string
/// field, a `[]string` element, an `EnvVar`'s name or value) become strings.
fn coerce_strings(v: &mut Value, ty: &GoType) {
    fn scalar(v: &mut Value) {
        match v {
            Value::Number(n) => *v = Value::String(n.to_string()),
            Value::Bool(b) => *v = Value::String(b.to_string()),
            _ => {}
        }
    }
    match (ty, v) {
        (GoType::Str, v) => scalar(v),
        (GoType::Strings, Value::Array(a)) => a.iter_mut().for_each(scalar),
        (GoType::Structs("EnvVar"), Value::Array(a)) => {
            for e in a.iter_mut().filter_map(Value::as_object_mut) {
                for k in ["name", "value"] {
                    if let Some(x) = e.get_mut(k) {
                        scalar(x);
                    }
                }
            }
        }
        _ => {}
    }
}

/// The JSON type Go's decoder names when `v` does not fit `ty` (None when it fits).
fn type_mismatch(v: &Value, ty: &GoType) -> Option<&'static str> {
    let fits = match (ty, v) {
        (_, Value::Null) => true,
        (GoType::Str, Value::String(_)) | (GoType::Bool, Value::Bool(_)) => true,
        (GoType::Struct(_), Value::Object(_)) => true,
        (GoType::Strings, Value::Array(a)) => {
            return a
                .iter()
                .find(|e| !matches!(e, Value::String(_) | Value::Null))
                .map(kcore::gojson::type_name)
        }
        (GoType::Structs(_), Value::Array(a)) => {
            return a
                .iter()
                .find(|e| !matches!(e, Value::Object(_) | Value::Null))
                .map(kcore::gojson::type_name)
        }
        _ => false,
    };
    (!fits).then(|| kcore::gojson::type_name(v))
}

/// `corev1.Container`'s JSON fields and their Go types; a `--custom` spec's other fields
/// are dropped, as Go's decoder ignores unknown fields.
const CONTAINER_FIELDS: &[(&str, GoType)] = &[
    ("name", GoType::Str),
    ("image", GoType::Str),
    ("command", GoType::Strings),
    ("args", GoType::Strings),
    ("workingDir", GoType::Str),
    ("ports", GoType::Structs("ContainerPort")),
    ("envFrom", GoType::Structs("EnvFromSource")),
    ("env", GoType::Structs("EnvVar")),
    ("resources", GoType::Struct("ResourceRequirements")),
    ("resizePolicy", GoType::Structs("ContainerResizePolicy")),
    ("restartPolicy", GoType::Str),
    (
        "restartPolicyRules",
        GoType::Structs("ContainerRestartRule"),
    ),
    ("volumeMounts", GoType::Structs("VolumeMount")),
    ("volumeDevices", GoType::Structs("VolumeDevice")),
    ("livenessProbe", GoType::Struct("Probe")),
    ("readinessProbe", GoType::Struct("Probe")),
    ("startupProbe", GoType::Struct("Probe")),
    ("lifecycle", GoType::Struct("Lifecycle")),
    ("terminationMessagePath", GoType::Str),
    ("terminationMessagePolicy", GoType::Str),
    ("imagePullPolicy", GoType::Str),
    ("securityContext", GoType::Struct("SecurityContext")),
    ("stdin", GoType::Bool),
    ("stdinOnce", GoType::Bool),
    ("tty", GoType::Bool),
];

use kcore::rand::random_suffix;

use crate::ops::imageref::valid_reference;

/// Every container name of the pod (`containerNameToRef`).
fn container_names(pod: &Value) -> Vec<String> {
    ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|l| pod["spec"][*l].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect()
}

impl DebugArgs {
    /// kubectl's `Complete`.
    fn complete(&self, ctx: &Context) -> Result<Options, CliError> {
        // Flag values are parsed (and refused) before anything else, as cobra does.
        let env_map = string_to_string("env", &self.env)?;
        let set_images = string_to_string("set-image", &self.set_image)?;
        let attach = self.attach.unwrap_or(self.stdin.value);
        let env = env_map
            .into_iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    json!({"name": k})
                } else {
                    json!({"name": k, "value": v})
                }
            })
            .collect();
        let (namespace, enforce_namespace) = ctx.namespace()?;
        let profile = Profile::parse(&self.profile).map_err(CliError::msg)?;
        let keep = KeepFlags {
            labels: self.keep_labels,
            annotations: self.keep_annotations,
            liveness: self.keep_liveness,
            readiness: self.keep_readiness,
            startup: self.keep_startup,
            init_containers: self.keep_init_containers,
        };
        let custom = if self.custom.is_empty() {
            None
        } else {
            self.read_custom()?
        };
        Ok(Options {
            targets: self.args.clone(),
            args: self.command.clone(),
            attach,
            env,
            set_images,
            namespace,
            enforce_namespace,
            profile,
            keep,
            custom,
        })
    }

    /// `--custom`: a partial container spec as JSON, else YAML (sigs.k8s.io/yaml), decoded
    /// into a `corev1.Container` as Go does: unknown fields dropped, wrong types refused.
    fn read_custom(&self) -> Result<Option<Value>, CliError> {
        let path = &self.custom;
        let bytes = std::fs::read(path).map_err(|e| {
            CliError::msg(format!(
                "must pass a container spec json file for custom profile: {}",
                crate::kubeconfig::resolve::open_error(path, &e)
            ))
        })?;
        let invalid = |why: String| {
            CliError::msg(format!(
                "{path} does not contain a valid container spec: {why}"
            ))
        };
        let value = match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => v,
            Err(_) => {
                let text = String::from_utf8_lossy(&bytes);
                if text.trim().is_empty() {
                    Value::Null
                } else {
                    crate::manifest::yaml::yaml_to_json(&text)
                        .map_err(|e| invalid(e.to_string()))?
                }
            }
        };
        let obj = match value {
            Value::Object(m) => m,
            // `null` (or an empty YAML file) leaves the custom profile unset.
            Value::Null => return Ok(None),
            other => {
                return Err(invalid(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type v1.Container",
                    kcore::gojson::type_name(&other)
                )))
            }
        };
        let mut out = Map::new();
        for (k, mut v) in obj {
            let Some((_, ty)) = CONTAINER_FIELDS.iter().find(|(f, _)| *f == k) else {
                continue;
            };
            // A JSON type error sends kubectl to the YAML decoder, whose conversion writes
            // scalars bound for Go strings as strings.
            coerce_strings(&mut v, ty);
            if let Some(bad) = type_mismatch(&v, ty) {
                return Err(invalid(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {bad} into Go struct field Container.{k} of type {}",
                    if kcore::gojson::type_name(&v) == "array" { ty.element() } else { ty.go_name() }
                )));
            }
            if !v.is_null() {
                out.insert(k, v);
            }
        }
        Ok(Some(Value::Object(out)))
    }

    /// kubectl's `Validate` (the informational "Targeting container" line included).
    fn validate(&self, ctx: &Context, o: &Options) -> Result<(), CliError> {
        let msg = |m: &str| Err(CliError::msg(m));
        if o.attach
            && self.attach.is_some()
            && self.image.is_empty()
            && self.container.value.is_empty()
        {
            return msg("you must specify --container or create a new container using --image in order to attach.");
        }
        if !self.copy_to.is_empty() {
            if self.image.is_empty() && o.set_images.is_empty() && o.args.is_empty() {
                return msg("you must specify --image, --set-image or command arguments.");
            }
            if !o.args.is_empty() && self.container.value.is_empty() && self.image.is_empty() {
                return msg(
                    "you must specify an existing container or a new image when specifying args.",
                );
            }
        } else if self.replace {
            return msg("--replace may only be used with --copy-to.");
        } else if self.same_node {
            return msg("--same-node may only be used with --copy-to.");
        } else if !o.set_images.is_empty() {
            return msg("--set-image may only be used with --copy-to.");
        } else if self.image.is_empty() {
            return msg("you must specify --image when not using --copy-to.");
        }
        if !self.image.is_empty() && !valid_reference(&self.image) {
            return Err(CliError::msg(format!(
                "invalid image name {}: invalid reference format",
                go_quote(&self.image)
            )));
        }
        if o.targets.is_empty() && self.filename.is_empty() {
            return msg("NAME or filename is required for debug");
        }
        self.image_pull_policy.check().map_err(CliError::msg)?;
        // Go ranges over the map in random order; the first bad pair in key order here.
        for (name, image) in &o.set_images {
            if !valid_reference(image) {
                return Err(CliError::msg(format!(
                    "invalid image name {} for container {}: invalid reference format",
                    go_quote(image),
                    go_quote(name)
                )));
            }
        }
        if !self.target.is_empty() {
            if !self.copy_to.is_empty() {
                return msg(
                    "--target is incompatible with --copy-to. Use --share-processes instead.",
                );
            }
            if !self.quiet.value {
                writeln!(
                    ctx.out(),
                    "Targeting container {}. If you don't see processes from this container it may be because the container runtime doesn't support this feature.",
                    go_quote(&self.target)
                )?;
            }
        }
        if self.tty.value && !self.stdin.value {
            return msg("-i/--stdin is required for containers with -t/--tty=true");
        }
        if let Some(c) = &o.custom {
            let set = |k: &str| c.get(k).is_some_and(|v| !is_zero(v));
            if ["name", "command", "image", "lifecycle", "volumeDevices"]
                .iter()
                .any(|k| set(k))
            {
                return msg("name, command, image, lifecycle and volume devices are not modifiable via custom profile");
            }
        }
        if o.profile == Profile::Legacy {
            ctx.eprint("--profile=legacy is deprecated and planned to be removed in v1.39. It is recommended to specify other profile, for example \"--profile=general\".\n");
        }
        Ok(())
    }

    /// kubectl's `Complete`, `Validate` and `Run`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let o = self.complete(ctx)?;
        self.validate(ctx, &o)?;
        for target in self.targets(ctx, &o).await? {
            let obj = target?;
            let debug = match obj["kind"].as_str().unwrap_or_default() {
                "Node" if obj["apiVersion"] == "v1" => self.visit_node(ctx, &o, &obj).await?,
                "Pod" if obj["apiVersion"] == "v1" => {
                    if self.copy_to.is_empty() {
                        self.debug_by_ephemeral_container(ctx, &o, &obj).await?
                    } else {
                        self.debug_by_copy(ctx, &o, &obj).await?
                    }
                }
                kind => {
                    let av = obj["apiVersion"].as_str().unwrap_or_default();
                    let gv = if av.contains('/') {
                        av.to_string()
                    } else {
                        format!("/{av}")
                    };
                    return Err(CliError::msg(format!(
                        "{} not supported by debug",
                        go_quote(&format!("{gv}, Kind={kind}"))
                    )));
                }
            };
            if o.attach && !debug.container.is_empty() {
                self.handle_attach_pod(ctx, &debug).await?;
            }
        }
        Ok(())
    }

    /// `handleAttachPod`: wait for the debugging container; attach to it if it runs, print
    /// its log if it has ended (or if attaching fails, with kubectl's warning).
    async fn handle_attach_pod(&self, ctx: &Context, debug: &DebugTarget) -> Result<(), CliError> {
        let pod = wait_for_container(ctx, debug, self.quiet.value).await?;
        let status = container_status(&pod, &debug.container).unwrap_or_default();
        if status["state"]
            .get("terminated")
            .is_some_and(|t| !t.is_null())
        {
            return attach::print_log(ctx, &pod, &debug.container).await;
        }
        let req = attach::AttachRequest {
            pod: pod.clone(),
            container: debug.container.clone(),
            stdin: self.stdin.value,
            tty: self.tty.value,
            quiet: self.quiet.value,
            // kubectl debug leaves them to attach's default.
            detach_keys: String::new(),
        };
        if let Err(e) = attach::attach(ctx, &req).await {
            ctx.eprint(&format!(
                "warning: couldn't attach to pod/{}, falling back to streaming logs: {}\n",
                debug.pod,
                attach::text(&e)
            ));
            return attach::print_log(ctx, &pod, &debug.container).await;
        }
        Ok(())
    }

    /// The builder: `-f` objects as read, or `ResourceNames("pods", targets…)` fetched.
    async fn targets(
        &self,
        ctx: &Context,
        o: &Options,
    ) -> Result<Vec<Result<Value, CliError>>, CliError> {
        if !self.filename.is_empty() {
            let typed: Vec<String> = o.targets.iter().map(|t| pods_default(t)).collect();
            crate::resource::check_path_args(&typed)?;
            let spec = crate::resource::ReadSpec {
                files: self.filename.clone(),
                kustomize: None,
                recursive: false,
                // No `Schema` in kubectl's builder here: a missing kind is a decode error.
                validate: false,
                selector: None,
                latest: false,
                all_namespaces: false,
            };
            let (infos, errors) = crate::resource::read_objects(ctx, &spec).await;
            if let Some(e) = errors.into_iter().next() {
                return Err(e);
            }
            let mut out = Vec::new();
            for info in infos {
                let ns = info.namespace.clone();
                out.push(
                    crate::resource::check_namespace(
                        ns.as_deref(),
                        &o.namespace,
                        o.enforce_namespace,
                    )
                    .map(|_| {
                        let mut obj = info.object;
                        if let Some(ns) = ns {
                            obj["metadata"]["namespace"] = json!(ns);
                        }
                        obj
                    }),
                );
            }
            return Ok(out);
        }
        let typed: Vec<String> = o.targets.iter().map(|t| pods_default(t)).collect();
        let spec = crate::resource::targets::FindSpec {
            args: typed,
            ..Default::default()
        };
        let found = crate::resource::targets::visit(ctx, &spec).await?;
        Ok(found.into_iter().map(|r| r.map(|t| t.object)).collect())
    }

    /// `computeDebugContainerName`: `-c`, else a fresh `debugger-xxxxx` (announced).
    fn debug_container_name(&self, ctx: &Context, pod: &Value) -> Result<String, CliError> {
        if !self.container.value.is_empty() {
            return Ok(self.container.value.clone());
        }
        let taken = container_names(pod);
        let name = loop {
            let n = format!("debugger-{}", random_suffix(5));
            if !taken.contains(&n) {
                break n;
            }
        };
        if !self.quiet.value {
            writeln!(ctx.out(), "Defaulting debug container name to {name}.")?;
        }
        Ok(name)
    }

    /// The container command or arguments from after `--`.
    fn set_args(&self, c: &mut Value, args: &[String], clear_args: bool) {
        if args.is_empty() {
            return;
        }
        if self.arguments_only {
            c["args"] = json!(args);
        } else {
            c["command"] = json!(args);
            if clear_args {
                if let Some(m) = c.as_object_mut() {
                    m.remove("args");
                }
            }
        }
    }

    /// A new debugging container (`EphemeralContainerCommon` / `Container` as kubectl fills it).
    fn new_container(&self, o: &Options, name: &str) -> Value {
        let mut c = json!({
            "name": name,
            "image": self.image,
            "resources": {},
            "terminationMessagePolicy": "File",
        });
        if !o.env.is_empty() {
            c["env"] = json!(o.env);
        }
        if !self.image_pull_policy.value.is_empty() {
            c["imagePullPolicy"] = json!(self.image_pull_policy.value);
        }
        if self.stdin.value {
            c["stdin"] = json!(true);
        }
        if self.tty.value {
            c["tty"] = json!(true);
        }
        self.set_args(&mut c, &o.args, false);
        c
    }

    /// `debugByEphemeralContainer`: patch `pods/NAME/ephemeralcontainers` with the new container.
    async fn debug_by_ephemeral_container(
        &self,
        ctx: &Context,
        o: &Options,
        pod: &Value,
    ) -> Result<DebugTarget, CliError> {
        let name = self.debug_container_name(ctx, pod)?;
        let mut ec = self.new_container(o, &name);
        if !self.target.is_empty() {
            ec["targetContainerName"] = json!(self.target);
        }
        let mut debug_pod = pod.clone();
        let mut list = debug_pod["spec"]["ephemeralContainers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        list.push(ec);
        debug_pod["spec"]["ephemeralContainers"] = Value::Array(list);
        o.profile
            .apply(&mut debug_pod, &name, Style::Ephemeral, o.keep);
        if let Some(custom) = &o.custom {
            apply_custom(&mut debug_pod, "ephemeralContainers", &name, custom).map_err(|_| {
                CliError::msg(format!(
                    "unable to find the {name} ephemeral container in the pod {}",
                    pod["metadata"]["name"].as_str().unwrap_or_default()
                ))
            })?;
        }
        let added = debug_pod["spec"]["ephemeralContainers"]
            .as_array()
            .and_then(|l| l.last())
            .cloned()
            .unwrap_or_default();
        display_warning(ctx, &added, pod);
        let patch = kcore::patch::create_two_way_merge_patch("v1", "Pod", pod, &debug_pod)
            .map_err(|e| {
                CliError::msg(format!("error creating patch to add debug container: {e}"))
            })?;
        let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
        let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let path = ResourcePath {
            subresource: Some("ephemeralcontainers"),
            ..ResourcePath::pods(ns, Some(pod_name))
        }
        .build()?;
        let req = ApiRequest::patch(
            path,
            crate::client::request::PATCH_STRATEGIC,
            serde_json::to_vec(&patch).unwrap_or_default(),
        );
        if let Err(e) = ctx.client()?.send_json(&req).await {
            // A cluster without the EphemeralContainers feature has no such subresource: a
            // 404 whose details are empty (a missing pod's name the pod).
            if let crate::client::ClientError::Api(s) = &e {
                if s.reason == "NotFound" && s.details["name"].as_str().is_none_or(str::is_empty) {
                    return Err(CliError::msg(format!(
                        "ephemeral containers are disabled for this cluster (error from server: {})",
                        crate::print::gofmt::go_quote(&s.message)
                    )));
                }
            }
            return Err(e.into());
        }
        Ok(DebugTarget {
            namespace: ns.to_string(),
            pod: pod_name.to_string(),
            container: name,
        })
    }

    /// `generatePodCopyWithDebugContainer` and `debugByCopy`.
    async fn debug_by_copy(
        &self,
        ctx: &Context,
        o: &Options,
        pod: &Value,
    ) -> Result<DebugTarget, CliError> {
        let ns = pod["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut meta = Map::new();
        meta.insert("name".into(), json!(self.copy_to));
        meta.insert("namespace".into(), json!(ns));
        for k in ["labels", "annotations"] {
            if let Some(v) = pod["metadata"].get(k).filter(|v| !v.is_null()) {
                meta.insert(k.into(), v.clone());
            }
        }
        let mut spec = pod["spec"].clone();
        if let Some(m) = spec.as_object_mut() {
            m.remove("ephemeralContainers");
            if !self.same_node {
                m.remove("nodeName");
            }
        }
        if let Some(share) = self.share_processes {
            spec["shareProcessNamespace"] = json!(share);
        }
        let mut copied = json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec});
        for c in copied["spec"]["containers"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            let cname = c["name"].as_str().unwrap_or_default().to_string();
            let image = o
                .set_images
                .get(&cname)
                .or_else(|| o.set_images.get("*"))
                .filter(|i| !i.is_empty());
            if let Some(i) = image {
                c["image"] = json!(i);
            }
        }
        let names = container_names(&copied);
        let exists = |n: &str| names.iter().any(|x| x == n);
        let mut name = self.container.value.clone();
        let (list, index) = if exists(&name) {
            find_container(&copied, &name).unwrap_or(("containers", 0))
        } else {
            if self.image.is_empty() {
                if !o.set_images.is_empty() {
                    return self.create_copy(ctx, pod, copied, None).await;
                }
                return Err(CliError::msg(
                    "you must specify image when creating new container",
                ));
            }
            if name.is_empty() {
                name = self.debug_container_name(ctx, &copied)?;
            }
            let mut list = copied["spec"]["containers"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            list.push(json!({"name": name, "resources": {}, "terminationMessagePolicy": "File"}));
            let index = list.len() - 1;
            copied["spec"]["containers"] = Value::Array(list);
            ("containers", index)
        };
        let c = &mut copied["spec"][list][index];
        self.set_args(c, &o.args, true);
        if !o.env.is_empty() {
            c["env"] = json!(o.env);
        }
        if !self.image.is_empty() {
            c["image"] = json!(self.image);
        }
        if !self.image_pull_policy.value.is_empty() {
            c["imagePullPolicy"] = json!(self.image_pull_policy.value);
        }
        set_flag(c, "stdin", self.stdin.value);
        set_flag(c, "tty", self.tty.value);
        let cname = c["name"].as_str().unwrap_or_default().to_string();
        o.profile.apply(&mut copied, &cname, Style::PodCopy, o.keep);
        if let Some(custom) = &o.custom {
            apply_custom(&mut copied, "containers", &name, custom).map_err(|_| {
                CliError::msg(format!(
                    "unable to find the {name} container in the pod {}",
                    self.copy_to
                ))
            })?;
        }
        self.create_copy(ctx, pod, copied, Some(&name)).await
    }

    /// The end of `debugByCopy`: the warning, the create, and `--replace`'s delete.
    async fn create_copy(
        &self,
        ctx: &Context,
        pod: &Value,
        copied: Value,
        container: Option<&str>,
    ) -> Result<DebugTarget, CliError> {
        if let Some(c) = container.and_then(|n| {
            copied["spec"]["containers"]
                .as_array()
                .and_then(|l| l.iter().find(|c| c["name"] == n))
        }) {
            display_warning(ctx, c, &copied);
        }
        let ns = copied["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        create_pod(ctx, &ns, &copied).await?;
        if self.replace {
            let name = pod["metadata"]["name"].as_str().unwrap_or_default();
            let path = ResourcePath::pods(&ns, Some(name)).build()?;
            let req =
                ApiRequest::new(Method::DELETE, path).json_body(&json!({"gracePeriodSeconds": 0}));
            ctx.client()?.send_json(&req).await?;
        }
        Ok(DebugTarget {
            namespace: ns,
            pod: self.copy_to.clone(),
            container: container.unwrap_or_default().to_string(),
        })
    }

    /// `visitNode` / `generateNodeDebugPod`.
    async fn visit_node(
        &self,
        ctx: &Context,
        o: &Options,
        node: &Value,
    ) -> Result<DebugTarget, CliError> {
        let cn = if self.container.value.is_empty() {
            "debugger"
        } else {
            self.container.value.as_str()
        };
        let node_name = node["metadata"]["name"].as_str().unwrap_or_default();
        let pn = format!("node-debugger-{node_name}-{}", random_suffix(5));
        if !self.quiet.value {
            writeln!(
                ctx.out(),
                "Creating debugging pod {pn} with container {cn} on node {node_name}."
            )?;
        }
        let mut pod = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": pn, "labels": {"app.kubernetes.io/managed-by": "kubectl-debug"}},
            "spec": {
                "containers": [self.new_container(o, cn)],
                "nodeName": node_name,
                "restartPolicy": "Never",
                "tolerations": [{"operator": "Exists"}],
            },
        });
        o.profile.apply(&mut pod, cn, Style::Node, o.keep);
        if let Some(custom) = &o.custom {
            apply_custom(&mut pod, "containers", cn, custom).map_err(|_| {
                CliError::msg(format!("unable to find the {cn} container in the pod {pn}"))
            })?;
        }
        let created = create_pod(ctx, &o.namespace, &pod).await?;
        Ok(DebugTarget {
            namespace: o.namespace.clone(),
            pod: pn,
            container: created["spec"]["containers"][0]["name"]
                .as_str()
                .unwrap_or(cn)
                .to_string(),
        })
    }
}

/// The pod and container a debug visit made (kubectl's `debugPod, containerName`); the
/// container is empty when there is nothing to attach to (`--set-image` alone).
struct DebugTarget {
    namespace: String,
    pod: String,
    container: String,
}

/// `getContainerStatusByName`: init, then regular, then ephemeral container statuses.
fn container_status(pod: &Value, name: &str) -> Option<Value> {
    [
        "initContainerStatuses",
        "containerStatuses",
        "ephemeralContainerStatuses",
    ]
    .iter()
    .flat_map(|l| pod["status"][*l].as_array().cloned().unwrap_or_default())
    .find(|s| s["name"] == name)
}

/// `waitForContainer`: lists and watches the pod by name, with no timeout, until the
/// container runs or has ended; a waiting container's message is warned about; the pod's
/// deletion is a NotFound error.
async fn wait_for_container(
    ctx: &Context,
    debug: &DebugTarget,
    quiet: bool,
) -> Result<Value, CliError> {
    let client = ctx.client()?;
    let path = ResourcePath::pods(&debug.namespace, None).build()?;
    let selector = format!("metadata.name={}", debug.pod);
    let done = |p: &Value| -> bool {
        let Some(s) = container_status(p, &debug.container) else {
            return false;
        };
        let state = &s["state"];
        let has = |k: &str| state.get(k).is_some_and(|v| !v.is_null());
        if has("running") || has("terminated") {
            return true;
        }
        let message = state["waiting"]["message"].as_str().unwrap_or_default();
        if !quiet && !message.is_empty() {
            ctx.eprint(&format!(
                "Warning: container {}: {message}\n",
                debug.container
            ));
        }
        false
    };
    let list = client
        .send_json(&ApiRequest::get(path.clone()).query("fieldSelector", selector.clone()))
        .await?;
    for p in list["items"].as_array().into_iter().flatten() {
        if done(p) {
            return Ok(p.clone());
        }
    }
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let req = ApiRequest::get(path)
        .query("fieldSelector", selector)
        .query("resourceVersion", rv);
    let mut w = client.watch(&req).await?;
    while let Some(ev) = w.next().await {
        let ev = ev?;
        if ev.event_type == "DELETED" {
            return Err(CliError::Raw(
                "Error from server (NotFound): pods \"\" not found".into(),
            ));
        }
        if done(&ev.object) {
            return Ok(ev.object);
        }
    }
    Err(CliError::msg(
        "watch closed before UntilWithoutRetry timeout",
    ))
}

/// `POD` → `pods/POD` (the builder's `ResourceNames("pods", …)`); `TYPE/NAME` as given.
fn pods_default(t: &str) -> String {
    if t.contains('/') {
        t.to_string()
    } else {
        format!("pods/{t}")
    }
}

/// Where the container named `name` is: (list, index), in `VisitContainers` order.
fn find_container(pod: &Value, name: &str) -> Option<(&'static str, usize)> {
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        if let Some(i) = pod["spec"][list]
            .as_array()
            .and_then(|l| l.iter().position(|c| c["name"] == name))
        {
            return Some((list, i));
        }
    }
    None
}

/// A Go bool field (omitted when false).
fn set_flag(c: &mut Value, key: &str, on: bool) {
    if on {
        c[key] = json!(true);
    } else if let Some(m) = c.as_object_mut() {
        m.remove(key);
    }
}

/// A Go zero value (what `omitempty` and kubectl's emptiness checks see as unset).
fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Object(_) => false,
    }
}

/// `applyCustomProfile[Ephemeral]`: the custom spec merged (strategic merge, container
/// schema) into the debugging container. Err when the container is not in `list`.
fn apply_custom(pod: &mut Value, list: &str, name: &str, custom: &Value) -> Result<(), ()> {
    let mut custom = custom.clone();
    custom["name"] = json!(name);
    let c = pod["spec"][list]
        .as_array_mut()
        .and_then(|l| l.iter_mut().find(|c| c["name"] == name))
        .ok_or(())?;
    let schema = kcore::patch::patchmeta::Schema::Struct("core.v1.Container");
    if let Ok(merged) =
        kcore::patch::strategic::apply_strategic_merge_patch_with_schema(schema, c, &custom)
    {
        *c = merged;
    }
    Ok(())
}

/// kubectl's warning when the pod runs as a non-root user but the profile grants
/// capabilities or privileges to the debugging container (`displayWarning`).
fn display_warning(ctx: &Context, container: &Value, pod: &Value) {
    let run_as = pod["spec"]["securityContext"]["runAsUser"].as_i64();
    if run_as.is_none_or(|u| u == 0) {
        return;
    }
    let sc = &container["securityContext"];
    if !sc.is_object() || sc["runAsUser"].as_i64() == Some(0) {
        return;
    }
    let privileged = sc["privileged"].as_bool() == Some(true);
    let caps = sc["capabilities"]["add"]
        .as_array()
        .is_some_and(|a| !a.is_empty());
    if !privileged && !caps {
        return;
    }
    ctx.eprint("Warning: Non-root user is configured for the entire target Pod, and some capabilities granted by debug profile may not work. Please consider using \"--custom\" with a custom profile that specifies \"securityContext.runAsUser: 0\".\n");
}

/// `POST /api/v1/namespaces/NS/pods`.
async fn create_pod(ctx: &Context, ns: &str, pod: &Value) -> Result<Value, CliError> {
    let path = ResourcePath::pods(ns, None).build()?;
    let req = ApiRequest::new(Method::POST, path).json_body(pod);
    Ok(ctx.client()?.send_json(&req).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_reads_go_csv_records() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(csv_fields(r#"a,"b,c",d"#).unwrap(), v(&["a", "b,c", "d"]));
        assert_eq!(csv_fields(r#""a""b","#).unwrap(), v(&["a\"b", ""]));
        assert_eq!(csv_fields("").unwrap(), v(&[""]));
        // The errors as kubectl v1.33 words them (`create deployment --image` is CSV too).
        assert_eq!(
            csv_fields(r#""a"x"#).unwrap_err(),
            "parse error on line 1, column 3: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            csv_fields(r#""ab"#).unwrap_err(),
            "parse error on line 1, column 4: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            csv_fields(r#"a"b"#).unwrap_err(),
            "parse error on line 1, column 2: bare \" in non-quoted-field"
        );
    }

    #[test]
    fn string_to_string_reads_pflags_forms() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let m = string_to_string("env", &v(&["A=1", "B=2,C=x=y"])).unwrap();
        assert_eq!(m.get("A").map(String::as_str), Some("1"));
        assert_eq!(m.get("C").map(String::as_str), Some("x=y"));
        let m = string_to_string("env", &v(&["\"Q=a,b\",R=3"])).unwrap();
        assert_eq!(m.get("Q").map(String::as_str), Some("a,b"));
        let e = string_to_string("env", &v(&["nope"])).unwrap_err();
        assert_eq!(
            crate::error::render(&e).stderr,
            "error: invalid argument \"nope\" for \"--env\" flag: nope must be formatted as key=value\nSee 'kubectl-rs debug --help' for usage.\n"
        );
    }
}

//! `kubectl-rs set env` (kubectl `pkg/cmd/set/set_env.go` and `set/env`): add, change and
//! remove the environment variables of containers in pods and pod templates, import them
//! from a ConfigMap or Secret (`--from`), or list them (`--list`, `--resolve`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use serde_json::{json, Map, Value};

use crate::cmd::flags::DryRun;
use crate::cmd::flags::GoBoolArg;
use crate::cmd::set::{
    aggregate, calculate_patch, change_error, check_all_with_selector, check_local_dry_run,
    check_selector_with_names, complete_printer, go_error, pod_spec_mut, select_string, send_patch,
};
use crate::context::Context;
use crate::describe::quantity::Quantity;
use crate::error::CliError;
use crate::resource::targets::{find, Target};

/// kubectl's long help of `set env`.
pub const SET_ENV_LONG: &str = "Update environment variables on a pod template.\n\n List environment variable definitions in one or more pods, pod templates. Add, update, or remove container environment variable definitions in one or more pod templates (within replication controllers or deployment configurations). View or modify the environment variable definitions on all containers in the specified pods or pod templates, or just those that match a wildcard.\n\n If \"--env -\" is passed, environment variables can be read from STDIN using the standard env syntax.\n\n Possible resources include (case insensitive):\n\n        pod (po), replicationcontroller (rc), deployment (deploy), daemonset (ds), statefulset (sts), cronjob (cj), replicaset (rs)";

/// kubectl's examples of `set env`.
pub const SET_ENV_EXAMPLES: &str = r#"Examples:
  # Update deployment 'registry' with a new environment variable
  kubectl set env deployment/registry STORAGE_DIR=/local
  
  # List the environment variables defined on a deployments 'sample-build'
  kubectl set env deployment/sample-build --list
  
  # List the environment variables defined on all pods
  kubectl set env pods --all --list
  
  # Output modified deployment in YAML, and does not alter the object on the server
  kubectl set env deployment/sample-build STORAGE_DIR=/data -o yaml
  
  # Update all containers in all replication controllers in the project to have ENV=prod
  kubectl set env rc --all ENV=prod
  
  # Import environment from a secret
  kubectl set env --from=secret/mysecret deployment/myapp
  
  # Import environment from a config map with a prefix
  kubectl set env --from=configmap/myconfigmap --prefix=MYSQL_ deployment/myapp
  
  # Import specific keys from a config map
  kubectl set env --keys=my-example-key --from=configmap/myconfigmap deployment/myapp
  
  # Remove the environment variable ENV from container 'c1' in all deployment configs
  kubectl set env deployments --all --containers="c1" ENV-
  
  # Remove the environment variable ENV from a deployment definition on disk and
  # update the deployment config on the server
  kubectl set env -f deploy.json ENV-
  
  # Set some of the local shell environment into a deployment config on the server
  env | grep RAILS_ | kubectl set env -e - deployment/registry"#;

/// kubectl's usage line of `set env`.
pub const SET_ENV_USAGE: &str = "env RESOURCE/NAME KEY_1=VAL_1 ... KEY_N=VAL_N";

/// Update environment variables on a pod template.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("all", |a| a.help("If true, select all resources in the namespace of the specified resource types")))]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files the resource to update the env")))]
#[command(mut_arg("local", |a| a.help("If true, set env will NOT contact api-server but run locally.")))]
#[command(mut_arg("overwrite", |a| a.help("If true, allow environment to be overwritten, otherwise reject updates that overwrite existing environment.").default_value("true")))]
pub struct EnvArgs {
    #[command(flatten)]
    pub target: crate::cmd::flags::SetTargetFlags,
    #[command(flatten)]
    pub containers: crate::cmd::flags::ContainerSelectorFlag,
    /// The name of a resource from which to inject environment variables
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub from: String,
    /// Prefix to append to variable names
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub prefix: String,
    /// Specify a key-value pair for an environment variable to set into each container.
    #[arg(verbatim_doc_comment, short = 'e', long, action = clap::ArgAction::Append, allow_hyphen_values = true)]
    pub env: Vec<String>,
    /// Comma-separated list of keys to import from specified resource
    #[arg(verbatim_doc_comment, long, value_delimiter = ',')]
    pub keys: Vec<String>,
    /// If true, display the environment and any changes in the standard format. this flag will removed when we have kubectl view env.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub list: bool,
    /// If true, show secret or configmap references when listing variables
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub resolve: bool,
    #[command(flatten)]
    pub overwrite: crate::cmd::flags::OverwriteFlag,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
}

/// envutil `IsEnvironmentArgument` (`(?ms)^(.+)\=(.*)$`): an `=` after the first character.
fn is_env_argument(s: &str) -> bool {
    s.char_indices().any(|(i, c)| c == '=' && i > 0)
}

/// envutil `SplitEnvironmentFromResources`: resources first, then changes (`KEY=VALUE`,
/// `KEY-`); None when a resource follows a change.
fn split_env(args: &[String]) -> Option<(Vec<String>, Vec<String>)> {
    let mut resources = Vec::new();
    let mut env = Vec::new();
    for a in args {
        let is_env = is_env_argument(a) || a.ends_with('-');
        match (env.is_empty(), is_env) {
            (_, true) => env.push(a.clone()),
            (true, false) => resources.push(a.clone()),
            (false, false) => return None,
        }
    }
    Some((resources, env))
}

/// An environment variable being set (`v1.EnvVar`).
#[derive(Debug, Clone)]
struct EnvVar {
    name: String,
    value: String,
    value_from: Option<Value>,
}

impl EnvVar {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        if !self.value.is_empty() {
            m.insert("value".into(), json!(self.value));
        }
        if let Some(v) = &self.value_from {
            m.insert("valueFrom".into(), v.clone());
        }
        Value::Object(m)
    }
}

/// envutil `ParseEnv`: the variables set, the names removed, whether stdin was read.
fn parse_env(ctx: &Context, spec: &[String]) -> Result<(Vec<EnvVar>, Vec<String>, bool), CliError> {
    let mut env = Vec::new();
    let mut exists = BTreeSet::new();
    let mut remove = Vec::new();
    let mut used_stdin = false;
    for s in spec {
        if s == "-" {
            ctx.mark_stdin_in_use();
            let mut text = String::new();
            ctx.stdin().read_to_string(&mut text)?;
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or("");
                if let Some((k, v)) = line.split_once('=') {
                    env.push(EnvVar {
                        name: k.to_string(),
                        value: v.to_string(),
                        value_from: None,
                    });
                }
            }
            used_stdin = true;
        } else if let Some((k, v)) = s.split_once('=') {
            let errs = kcore::validation::env_var_name(k);
            if !errs.is_empty() {
                return Err(CliError::msg(format!(
                    "{k:?} is not a valid key name: {}",
                    errs.join(";")
                )));
            }
            exists.insert(k.to_string());
            env.push(EnvVar {
                name: k.to_string(),
                value: v.to_string(),
                value_from: None,
            });
        } else if let Some(k) = s.strip_suffix('-') {
            remove.push(k.to_string());
        } else {
            return Err(CliError::msg(format!("unknown environment variable: {s}")));
        }
    }
    if remove.iter().any(|r| exists.contains(r)) {
        return Err(CliError::msg(
            "can not both modify and remove the same environment variable in the same command",
        ));
    }
    Ok((env, remove, used_stdin))
}

/// set env's `updateEnv`: an added variable replaces every existing one of its name, a
/// removed name drops them all (removal wins), unrelated duplicates stay.
fn update_env(existing: &[Value], env: &[EnvVar], remove: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut covered: BTreeSet<String> = remove.iter().cloned().collect();
    for e in existing {
        let name = e["name"].as_str().unwrap_or("");
        if covered.contains(name) {
            continue;
        }
        match env.iter().find(|v| v.name == name) {
            Some(newer) => {
                covered.insert(name.to_string());
                out.push(newer.to_json());
            }
            None => out.push(e.clone()),
        }
    }
    for e in env {
        if covered.insert(e.name.clone()) {
            out.push(e.to_json());
        }
    }
    out
}

/// `keyToEnvName`: every character but `[a-zA-Z0-9_]` replaced by `_`, upper-cased (with
/// kubectl's warning when the name changed).
fn key_to_env_name(ctx: &Context, key: &str) -> String {
    let name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if name != key {
        ctx.eprint(&format!("Warning: key {key} transferred to {name}\n"));
    }
    name
}

/// Caches the ConfigMaps and Secrets `--resolve` reads (envutil `ResourceStore`).
#[derive(Default)]
struct Store {
    objects: BTreeMap<(String, String), Value>,
}

impl Store {
    async fn data(
        &mut self,
        ctx: &Context,
        namespace: &str,
        resource: &str,
        name: &str,
    ) -> Result<Value, CliError> {
        let key = (resource.to_string(), name.to_string());
        if let Some(o) = self.objects.get(&key) {
            return Ok(o.clone());
        }
        let path = crate::client::ResourcePath {
            group: "",
            version: "v1",
            resource,
            namespace: Some(namespace),
            name: Some(name),
            subresource: None,
        }
        .build()?;
        let obj = ctx
            .client()?
            .send_json(&crate::client::ApiRequest::get(path))
            .await?;
        self.objects.insert(key, obj.clone());
        Ok(obj)
    }
}

/// envutil `GetEnvVarRefString`.
fn ref_string(from: &Value) -> String {
    if let Some(r) = from.get("configMapKeyRef").filter(|v| v.is_object()) {
        return format!(
            "configmap {}, key {}",
            r["name"].as_str().unwrap_or(""),
            r["key"].as_str().unwrap_or("")
        );
    }
    if let Some(r) = from.get("secretKeyRef").filter(|v| v.is_object()) {
        return format!(
            "secret {}, key {}",
            r["name"].as_str().unwrap_or(""),
            r["key"].as_str().unwrap_or("")
        );
    }
    if let Some(r) = from.get("fieldRef").filter(|v| v.is_object()) {
        return format!("field path {}", r["fieldPath"].as_str().unwrap_or(""));
    }
    if let Some(r) = from.get("resourceFieldRef").filter(|v| v.is_object()) {
        let container = r["containerName"].as_str().unwrap_or("");
        let prefix = if container.is_empty() {
            String::new()
        } else {
            format!("{container}/")
        };
        return format!(
            "resource field {prefix}{}",
            r["resource"].as_str().unwrap_or("")
        );
    }
    "invalid valueFrom".to_string()
}

/// envutil `GetEnvVarRefValue`: the value a reference resolves to.
async fn ref_value(
    ctx: &Context,
    namespace: &str,
    store: &mut Store,
    from: &Value,
    obj: &Value,
    container: &Value,
) -> Result<String, CliError> {
    for (field, resource, what) in [
        ("secretKeyRef", "secrets", "secret"),
        ("configMapKeyRef", "configmaps", "config map"),
    ] {
        let Some(r) = from.get(field).filter(|v| v.is_object()) else {
            continue;
        };
        let name = r["name"].as_str().unwrap_or("");
        let key = r["key"].as_str().unwrap_or("");
        let o = store.data(ctx, namespace, resource, name).await?;
        return match o["data"].get(key).and_then(Value::as_str) {
            Some(v) if resource == "secrets" => {
                use base64::Engine;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .unwrap_or_default();
                Ok(String::from_utf8_lossy(&bytes).into_owned())
            }
            Some(v) => Ok(v.to_string()),
            None => Err(CliError::msg(format!(
                "key {key} not found in {what} {name}"
            ))),
        };
    }
    if let Some(r) = from.get("fieldRef").filter(|v| v.is_object()) {
        return field_path(obj, r["fieldPath"].as_str().unwrap_or(""));
    }
    if let Some(r) = from.get("resourceFieldRef").filter(|v| v.is_object()) {
        return resource_field(r, container);
    }
    Err(CliError::msg("invalid valueFrom"))
}

/// `extractFieldPathAsString` on the listed object (the workload, not its pods).
fn field_path(obj: &Value, path: &str) -> Result<String, CliError> {
    let meta = &obj["metadata"];
    let format_map = |m: &Value| -> String {
        let mut lines = Vec::new();
        if let Some(m) = m.as_object() {
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            for (k, v) in sorted {
                lines.push(format!(
                    "{k}={}",
                    crate::print::gofmt::go_quote(v.as_str().unwrap_or(""))
                ));
            }
        }
        lines.join("\n")
    };
    if let Some(s) = path.strip_suffix("']") {
        if let Some((p, sub)) = s.split_once("['").filter(|(p, _)| !p.is_empty()) {
            let (field, key) = match p {
                "metadata.annotations" => ("annotations", sub.to_lowercase()),
                "metadata.labels" => ("labels", sub.to_string()),
                _ => {
                    return Err(CliError::msg(format!(
                        "fieldPath {:?} does not support subscript",
                        path
                    )))
                }
            };
            let errs = kcore::validation::qualified_name(&key);
            if !errs.is_empty() {
                return Err(CliError::msg(format!(
                    "invalid key subscript in {path}: {}",
                    errs.join(";")
                )));
            }
            return Ok(meta[field][sub].as_str().unwrap_or("").to_string());
        }
    }
    match path {
        "metadata.annotations" => Ok(format_map(&meta["annotations"])),
        "metadata.labels" => Ok(format_map(&meta["labels"])),
        "metadata.name" | "metadata.namespace" | "metadata.uid" => Ok(meta
            [path.trim_start_matches("metadata.")]
        .as_str()
        .unwrap_or("")
        .to_string()),
        _ => Err(CliError::msg(format!("unsupported fieldPath: {path}"))),
    }
}

/// `extractContainerResourceValue`: a container's request or limit over the divisor,
/// rounded up.
fn resource_field(r: &Value, container: &Value) -> Result<String, CliError> {
    let resource = r["resource"].as_str().unwrap_or("");
    let divisor = r["divisor"]
        .as_str()
        .and_then(Quantity::parse)
        .filter(|d| !d.value_eq(&Quantity::default()))
        .or_else(|| Quantity::parse("1"))
        .unwrap_or_default();
    let Some((kind, name)) = resource.split_once('.') else {
        return Err(CliError::msg(format!(
            "Unsupported container resource : {resource}"
        )));
    };
    let supported = matches!(kind, "limits" | "requests")
        && (matches!(name, "cpu" | "memory" | "ephemeral-storage")
            || name.starts_with("hugepages-"));
    if !supported {
        return Err(CliError::msg(format!(
            "Unsupported container resource : {resource}"
        )));
    }
    let q = container["resources"][kind][name]
        .as_str()
        .and_then(Quantity::parse)
        .unwrap_or_default();
    let v = if name == "cpu" {
        (q.milli_value() as f64 / divisor.milli_value() as f64).ceil()
    } else {
        (q.value() as f64 / divisor.value() as f64).ceil()
    };
    Ok(format!("{}", v as i64))
}

impl EnvArgs {
    /// kubectl's `Complete`, `Validate` and `RunEnv`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let local = self.target.common.local.value;
        let selector_given = self
            .selector
            .value
            .as_deref()
            .is_some_and(|s| !s.is_empty());
        check_all_with_selector(&self.target.common, selector_given)?;
        let Some((resources, env_args)) = split_env(&self.target.args) else {
            return Err(CliError::msg(format!(
                "all resources must be specified before environment changes: {}",
                self.target.args.join(" ")
            )));
        };
        let (dry_run, mut printer) = complete_printer(ctx, &self.target.common, "env updated")?;
        let (namespace, _) = ctx.namespace()?;
        // Validate.
        check_local_dry_run(&self.target.common, dry_run)?;
        // kubectl's `set env` checks `-f` only: `-k` alone is refused here.
        if self.target.common.files.filename.is_empty() && resources.is_empty() {
            return Err(CliError::msg(
                "one or more resources must be specified as <resource> <name> or <resource>/<name>",
            ));
        }
        if self.list && !self.target.common.print.output.is_empty() {
            return Err(CliError::msg(
                "--list and --output may not be specified together",
            ));
        }
        if !self.keys.is_empty() && self.from.is_empty() {
            return Err(CliError::msg(
                "when specifying --keys, a configmap or secret must be provided with --from",
            ));
        }
        // Run.
        let changes: Vec<String> = self.env.iter().chain(&env_args).cloned().collect();
        let (mut env, remove, env_from_stdin) = parse_env(ctx, &changes)?;
        // kubectl marks stdin in use for its builders (`StdinInUse`): `-f -` cannot read it too.
        if env_from_stdin && self.target.common.files.filename.iter().any(|f| f == "-") {
            return Err(crate::manifest::ManifestError::StdinMultiUse.into());
        }
        let selector = crate::ops::metadata::non_blank(&self.selector.value);
        // The builder's `TYPE/NAME` check beside a selector or `--all` (not with --local).
        let check_names = |args: &[String]| {
            if local {
                return Ok(());
            }
            check_selector_with_names(args, selector.is_some() || self.target.common.all.value)
        };
        if !self.from.is_empty() {
            let from = vec![self.from.clone()];
            check_names(&from)?;
            let spec = self.target.find_spec(from, selector.clone());
            for t in find(ctx, &spec).await? {
                let o = &t.object;
                let core = o["apiVersion"] == "v1";
                let field = match o["kind"].as_str() {
                    Some("Secret") if core => "secretKeyRef",
                    Some("ConfigMap") if core => "configMapKeyRef",
                    _ => return Err(CliError::msg("unsupported resource specified in --from")),
                };
                // Go visits the data map in random order; sorted is one of its orders.
                let keys: BTreeSet<&String> = o["data"]
                    .as_object()
                    .map(|m| m.keys().collect())
                    .unwrap_or_default();
                for key in keys {
                    if !self.keys.is_empty() && !self.keys.contains(key) {
                        continue;
                    }
                    env.push(EnvVar {
                        name: key_to_env_name(ctx, key),
                        value: String::new(),
                        value_from: Some(json!({field: {"name": t.name, "key": key}})),
                    });
                }
            }
        }
        if !self.prefix.is_empty() {
            for e in &mut env {
                e.name = format!("{}{}", self.prefix, e.name);
            }
        }
        check_names(&resources)?;
        let spec = self.target.find_spec(resources, selector);
        let targets = find(ctx, &spec).await?;
        let mut store = Store::default();
        let mut changed: Vec<(Target, Value, Result<Option<Value>, CliError>)> = Vec::new();
        for t in targets {
            let mut after = t.object.clone();
            let result = self
                .change(ctx, &namespace, &mut store, &mut after, (&env, &remove))
                .await
                .and_then(|()| calculate_patch(&t.object, &after));
            changed.push((t, after, result));
        }
        if self.list {
            return Ok(());
        }
        let write = !(local || dry_run == DryRun::Client);
        let mut errs = Vec::new();
        for (t, after, patch) in changed {
            let patch = match patch {
                Ok(Some(p)) => p,
                Ok(None) => continue,
                Err(e) => {
                    errs.push(change_error(&t, &e));
                    continue;
                }
            };
            if !write {
                if let Err(e) = printer.print(ctx, &after) {
                    errs.push(e);
                }
                continue;
            }
            match send_patch(
                ctx,
                &t,
                &patch,
                dry_run,
                self.target.common.field_manager.as_str(),
            )
            .await
            {
                Ok(actual) => {
                    if env.is_empty() && env_args.is_empty() {
                        return Err(CliError::msg(
                            "at least one environment variable must be provided",
                        ));
                    }
                    if let Err(e) = printer.print(ctx, &actual) {
                        errs.push(e);
                    }
                }
                Err(e) => errs.push(CliError::msg(format!(
                    "failed to patch env update to pod template: {}",
                    go_error(&e)
                ))),
            }
        }
        printer.finish(ctx)?;
        aggregate(errs)
    }

    /// The change to one object (and, with `--list`, its listing).
    async fn change(
        &self,
        ctx: &Context,
        namespace: &str,
        store: &mut Store,
        obj: &mut Value,
        (env, remove): (&[EnvVar], &[String]),
    ) -> Result<(), CliError> {
        let kind = obj["kind"].as_str().unwrap_or("").to_string();
        let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
        let original = obj.clone();
        let spec = pod_spec_mut(obj)?;
        // The selected containers, then the selected init containers.
        let mut selected: Vec<(&str, usize)> = Vec::new();
        for field in ["containers", "initContainers"] {
            for (i, c) in spec[field].as_array().into_iter().flatten().enumerate() {
                if select_string(c["name"].as_str().unwrap_or(""), &self.containers.value) {
                    selected.push((field, i));
                }
            }
        }
        if selected.is_empty() {
            ctx.eprint(&format!(
                "Warning: {kind}/{name} does not have any containers matching {:?}\n",
                self.containers.value
            ));
            return Ok(());
        }
        let mut resolution_failed = false;
        for (field, i) in selected {
            let c = &mut spec[field][i];
            let existing: Vec<Value> = c["env"].as_array().cloned().unwrap_or_default();
            if !self.overwrite.value {
                for e in env {
                    if let Some(cur) = existing.iter().find(|x| x["name"] == e.name.as_str()) {
                        let value = cur["value"].as_str().unwrap_or("");
                        if value != e.value {
                            return Err(CliError::msg(format!(
                                "'{}' already has a value ({value}), and --overwrite is false",
                                e.name
                            )));
                        }
                    }
                }
            }
            let updated = update_env(&existing, env, remove);
            match c.as_object_mut() {
                Some(m) if updated.is_empty() => {
                    m.remove("env");
                }
                Some(m) => {
                    m.insert("env".into(), Value::Array(updated.clone()));
                }
                None => {}
            }
            if !self.list {
                continue;
            }
            let container = c.clone();
            let mut text = format!(
                "# {kind} {name}, container {}\n",
                container["name"].as_str().unwrap_or("")
            );
            let mut resolve_errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for e in &updated {
                let ename = e["name"].as_str().unwrap_or("");
                let Some(from) = e.get("valueFrom").filter(|v| v.is_object()) else {
                    text.push_str(&format!("{ename}={}\n", e["value"].as_str().unwrap_or("")));
                    continue;
                };
                if self.resolve {
                    match ref_value(ctx, namespace, store, from, &original, &container).await {
                        Ok(v) => {
                            text.push_str(&format!("{ename}={v}\n"));
                            continue;
                        }
                        Err(err) => {
                            resolve_errors
                                .entry(go_error(&err))
                                .or_default()
                                .push(ename.to_string());
                            resolution_failed = true;
                        }
                    }
                }
                text.push_str(&format!("# {ename} from {}\n", ref_string(from)));
            }
            {
                use std::io::Write;
                let mut out = ctx.out();
                out.write_all(text.as_bytes())?;
                out.flush()?;
            }
            let mut errs: Vec<String> = resolve_errors
                .into_iter()
                .map(|(err, mut vars)| {
                    vars.sort();
                    format!("error retrieving reference for {}: {err}", vars.join(", "))
                })
                .collect();
            errs.sort();
            for e in errs {
                ctx.eprint(&format!("{e}\n"));
            }
        }
        if resolution_failed {
            return Err(CliError::msg("failed to retrieve valueFrom references"));
        }
        Ok(())
    }
}

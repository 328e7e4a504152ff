//! `kubectl-rs run` (kubectl `pkg/cmd/run/run.go` and the `run-pod/v1` generator of
//! `pkg/generate/versioned/run.go`): create a pod for an image, and with `--expose` the
//! ClusterIP service in front of it (the `service/v2` generator). With `--attach` (the
//! default with `-i`) it waits for the pod to run, attaches to it (`ops::attach`, shared with
//! `attach`), then for `--restart=Never|OnFailure` waits for it to finish and exits with its
//! container's code; `--rm` deletes what it created at the end.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Map, Value};

use crate::client::ApiRequest;
use crate::cmd::flags::GoBoolArg;
use crate::cmd::flags::{dry_run_flag, DryRun};
use crate::context::Context;
use crate::error::CliError;
use crate::ops::attach::{
    attach, attachable_pod, container_name, print_log, text as attach_text, wait_for_pod,
    AttachRequest, PodCondition, PodWait,
};
use crate::ops::generated::{apply_overrides, go_atoi, parse_labels, TypedPrinter};

/// kubectl's long help of `run`.
pub const RUN_LONG: &str = "Create and run a particular image in a pod.";
/// kubectl's examples of `run`.
pub const RUN_EXAMPLES: &str = include_str!("run_examples.txt");
/// kubectl's usage line of `run`.
pub const RUN_USAGE: &str = "run NAME --image=image [--env=\"key=value\"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...] [options]";

/// Run a particular image on the cluster
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Run a particular image on the cluster")]
#[command(mut_arg("filename", |a| a.help("to use to replace the resource.")))]
#[command(mut_arg("kustomize", |a| a.help("Process a kustomization directory. This flag can't be used together with -f or -R.")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-run")))]
#[command(mut_arg("detach_keys", |a| a.help("Override the key sequence for detaching a container.")))]
#[command(mut_arg("quiet", |a| a.help("If true, suppress prompt messages.")))]
#[command(mut_arg("stdin", |a| a.help("Keep stdin open on the container in the pod, even if nothing is attached.")))]
#[command(mut_arg("tty", |a| a.help("Allocate a TTY for the container in the pod.")))]
pub struct RunArgs {
    /// NAME, then the container's arguments (after `--`).
    pub args: Vec<String>,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    #[command(flatten)]
    pub delete: crate::cmd::flags::DeleteFlags,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    #[command(flatten)]
    pub kustomize: crate::cmd::flags::KustomizeFlag,
    #[command(flatten)]
    pub save_config: crate::cmd::flags::SaveConfigFlag,
    #[command(flatten)]
    pub pod_running_timeout: crate::cmd::flags::PodRunningTimeoutFlag,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    /// Annotations to apply to the pod.
    #[arg(verbatim_doc_comment, long)]
    pub annotations: Vec<String>,
    /// The image for the container to run.
    #[arg(verbatim_doc_comment, long)]
    pub image: Option<String>,
    #[command(flatten)]
    pub image_pull_policy: crate::cmd::flags::ImagePullPolicyFlag,
    /// If true, delete the pod after it exits.  Only valid when attaching to the container, e.g. with '--attach' or with '-i/--stdin'.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub rm: bool,
    /// Environment variables to set in the container.
    #[arg(verbatim_doc_comment, long)]
    pub env: Vec<String>,
    /// The port that this container exposes.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub port: String,
    #[command(flatten)]
    pub labels: crate::cmd::flags::LabelsFlag,
    #[command(flatten)]
    pub stdin: crate::cmd::flags::StdinFlag,
    #[command(flatten)]
    pub tty: crate::cmd::flags::TtyFlag,
    /// If true, wait for the Pod to start running, and then attach to the Pod as if 'kubectl attach ...' were called.  Default false, unless '-i/--stdin' is set, in which case the default is true. With '--restart=Never' the exit code of the container process is returned.
    #[arg(verbatim_doc_comment, long, go_bool_opt())]
    pub attach: Option<bool>,
    #[command(flatten)]
    pub detach_keys: crate::cmd::flags::DetachKeysFlag,
    /// If the pod is started in interactive mode or with stdin, leave stdin open after the first attach completes. By default, stdin will be closed after the first attach completes.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub leave_stdin_open: bool,
    /// The restart policy for this Pod.  Legal values [Always, OnFailure, Never].
    #[arg(verbatim_doc_comment, long, default_value = "Always")]
    pub restart: String,
    /// If true and extra arguments are present, use them as the 'command' field in the container, rather than the 'args' field which is the default.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub command: bool,
    /// If true, create a ClusterIP service associated with the pod.  Requires `--port`.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub expose: bool,
    #[command(flatten)]
    pub quiet: crate::cmd::flags::QuietFlag,
    /// If true, run the container in privileged mode.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub privileged: bool,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub overrides: crate::cmd::flags::OverrideFlags,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
}

impl RunArgs {
    /// kubectl's `Complete` and `Run`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let usage = |m: &str| CliError::Usage {
            message: m.to_string(),
            command: "kubectl-rs run".into(),
        };
        let record = self.record.change_cause(ctx);
        let dry_run = dry_run_flag(ctx, &self.dry_run.value)?;
        let mut printer = TypedPrinter::new(
            ctx,
            &self.print.output,
            self.print.template.as_deref(),
            self.print.allow_missing_template_keys,
            self.print.show_managed_fields,
            "created",
            dry_run,
        )?;
        // `--attach` defaults to `--stdin`.
        let attach = self.attach.unwrap_or(self.stdin.value);
        let Some((name, args)) = self.args.split_first() else {
            return Err(usage("NAME is required for run"));
        };
        let timeout = crate::cmd::flags::parse_go_duration(&self.pod_running_timeout.value)
            .filter(|d| !d.is_zero());
        let Some(timeout) = timeout else {
            return Err(usage("--pod-running-timeout must be higher than zero"));
        };
        let image = match &self.image {
            None => return Err(CliError::msg("required flag(s) \"image\" not set")),
            Some(i) if i.is_empty() => return Err(CliError::msg("--image is required")),
            Some(i) => i.as_str(),
        };
        if !crate::ops::imageref::valid_reference(image) {
            return Err(CliError::msg(format!(
                "Invalid image name {}: invalid reference format",
                crate::print::gofmt::go_quote(image)
            )));
        }
        if self.tty.value && !self.stdin.value {
            return Err(usage(
                "-i/--stdin is required for containers with -t/--tty=true",
            ));
        }
        if self.expose && self.port.is_empty() {
            return Err(usage("--port must be set when exposing a service"));
        }
        let (namespace, enforce) = ctx.namespace()?;
        if !matches!(self.restart.as_str(), "Always" | "OnFailure" | "Never" | "") {
            return Err(usage(&format!("invalid restart policy: {}", self.restart)));
        }
        if !attach && self.rm {
            return Err(usage("--rm should only be used for attached containers"));
        }
        if attach && dry_run != DryRun::None {
            return Err(usage("--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)"));
        }
        self.image_pull_policy.check().map_err(|m| usage(&m))?;
        let pod = self.generate_pod(name, image, args)?;
        let pod = apply_overrides(
            &pod,
            &self.overrides.overrides,
            &self.overrides.override_type,
        )?;
        let pod = self
            .submit(ctx, pod, "pods", (&namespace, enforce), dry_run, &record)
            .await?;
        let mut errs = Vec::new();
        let mut created = vec![("pods", pod.clone())];
        if self.expose {
            match self.generate_service(name) {
                Ok(svc) => match self
                    .submit(
                        ctx,
                        svc,
                        "services",
                        (&namespace, enforce),
                        dry_run,
                        &record,
                    )
                    .await
                {
                    Ok(svc) => {
                        printer.print(ctx, &svc)?;
                        if self.print.output == "yaml" {
                            ctx.out().write_all(b"---\n")?;
                        }
                        created.push(("services", svc));
                    }
                    Err(e) => errs.push(e),
                },
                Err(e) => errs.push(e),
            }
        }
        if attach {
            let result = self.attach_to(ctx, &namespace, pod, timeout).await;
            if self.rm {
                // A deferred call in kubectl: its outcome is not looked at.
                let _ = self.remove_created(ctx, &namespace, &created).await;
            }
            return result;
        }
        printer.print(ctx, &pod)?;
        printer.finish(ctx)?;
        match errs.len() {
            0 => Ok(()),
            _ => Err(errs.remove(0)),
        }
    }

    /// `getRestartPolicy`: an empty `--restart` is OnFailure with `-i`, else Always.
    fn restart_policy(&self) -> &str {
        match self.restart.as_str() {
            "" if self.stdin.value => "OnFailure",
            "" => "Always",
            r => r,
        }
    }

    /// The `--attach` part of kubectl's `Run`: attach (or print the log of a pod that is
    /// already done), then wait for the exit code when the restart policy gives one.
    async fn attach_to(
        &self,
        ctx: &Context,
        ns: &str,
        created: Value,
        timeout: std::time::Duration,
    ) -> Result<(), CliError> {
        let pod = attachable_pod(ctx, ns, created, timeout).await?;
        let pod_ns = pod["metadata"]["namespace"]
            .as_str()
            .unwrap_or(ns)
            .to_string();
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut req = AttachRequest {
            pod,
            container: String::new(),
            stdin: self.stdin.value,
            tty: self.tty.value,
            quiet: self.quiet.value,
            detach_keys: self.detach_keys.value.clone(),
        };
        self.handle_attach_pod(ctx, &pod_ns, &name, &mut req, timeout)
            .await?;
        let policy = self.restart_policy();
        if self.leave_stdin_open || !matches!(policy, "Never" | "OnFailure") {
            return Ok(());
        }
        let cond = if policy == "OnFailure" {
            PodCondition::Succeeded
        } else {
            PodCondition::Completed
        };
        let pod = match wait_for_pod(ctx, &pod_ns, &name, timeout, cond).await? {
            PodWait::Met(p) | PodWait::Completed(p) => p,
        };
        match pod["status"]["phase"].as_str().unwrap_or_default() {
            "Succeeded" => Ok(()),
            "Failed" => {
                let unknown =
                    || CliError::msg(format!("pod {pod_ns}/{name} failed with unknown exit code"));
                let terminated = &pod["status"]["containerStatuses"][0]["state"]["terminated"];
                if !terminated.is_object() {
                    return Err(unknown());
                }
                let rc = terminated["exitCode"].as_i64().unwrap_or_default();
                if rc == 0 {
                    return Err(unknown());
                }
                Err(CliError::WithCode(
                    Box::new(CliError::Raw(format!(
                        "pod {pod_ns}/{name} terminated ({})\n{}",
                        terminated["reason"].as_str().unwrap_or_default(),
                        terminated["message"].as_str().unwrap_or_default()
                    ))),
                    i32::try_from(rc).unwrap_or(1),
                ))
            }
            phase => Err(CliError::msg(format!(
                "pod {pod_ns}/{name} left in phase {phase}"
            ))),
        }
    }

    /// kubectl's `handleAttachPod`: wait for the pod to run; a pod already done prints its
    /// log; else the log so far, then the attached session (or, when attaching fails, the
    /// log instead, with a warning).
    async fn handle_attach_pod(
        &self,
        ctx: &Context,
        ns: &str,
        name: &str,
        req: &mut AttachRequest,
        timeout: std::time::Duration,
    ) -> Result<(), CliError> {
        let pod = match wait_for_pod(ctx, ns, name, timeout, PodCondition::RunningAndReady).await? {
            PodWait::Completed(p) => {
                req.pod = p;
                let c = container_name(ctx, req)?;
                return print_log(ctx, &req.pod, &c).await;
            }
            PodWait::Met(p) => p,
        };
        req.pod = pod;
        if let Ok(c) = container_name(ctx, req) {
            let pre = tokio::time::timeout(
                std::time::Duration::from_secs(5),
                print_log(ctx, &req.pod, &c),
            )
            .await
            .unwrap_or_else(|_| Err(CliError::msg("context deadline exceeded")));
            if let Err(e) = pre {
                ctx.eprint(&format!(
                    "warning: couldn't fetch pre-attach logs: {}\n",
                    attach_text(&e)
                ));
            }
        }
        if let Err(e) = attach(ctx, req).await {
            ctx.eprint(&format!(
                "warning: couldn't attach to pod/{name}, falling back to streaming logs: {}\n",
                attach_text(&e)
            ));
            let c = container_name(ctx, req)?;
            return print_log(ctx, &req.pod, &c).await;
        }
        Ok(())
    }

    /// `removeCreatedObjects` with run's delete options (NotFound ignored, no wait, the
    /// server's grace period, `-q` silences the lines).
    async fn remove_created(
        &self,
        ctx: &Context,
        ns: &str,
        created: &[(&str, Value)],
    ) -> Result<(), CliError> {
        let (propagation, _) = self.delete.propagation()?;
        let body = json!({"propagationPolicy": propagation});
        for (resource, obj) in created {
            let obj_ns = obj["metadata"]["namespace"].as_str().unwrap_or(ns);
            let name = obj["metadata"]["name"].as_str().unwrap_or_default();
            let path = crate::client::ResourcePath {
                group: "",
                version: "v1",
                resource,
                namespace: Some(obj_ns),
                name: Some(name),
                subresource: None,
            }
            .build()?;
            match ctx
                .client()?
                .send_json(&ApiRequest::delete(path, Some(&body)))
                .await
            {
                Ok(_) => {}
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e.into()),
            }
            if !self.quiet.value {
                let kind = if *resource == "pods" {
                    "pod"
                } else {
                    "service"
                };
                ctx.out().write_all(
                    format!("{kind} {name:?} deleted from {obj_ns} namespace\n").as_bytes(),
                )?;
            }
        }
        Ok(())
    }

    /// The `run-pod/v1` generator.
    fn generate_pod(&self, name: &str, image: &str, args: &[String]) -> Result<Value, CliError> {
        // getEnvs, getAnnotations, then the labels.
        let mut envs = Vec::new();
        for e in &self.env {
            let invalid = || CliError::msg(format!("invalid env: {e}"));
            let (k, v) = e.split_once('=').ok_or_else(invalid)?;
            if k.is_empty() || !env_var_name(k) {
                return Err(invalid());
            }
            // `value` is omitempty.
            envs.push(if v.is_empty() {
                json!({"name": k})
            } else {
                json!({"name": k, "value": v})
            });
        }
        let mut annotations = BTreeMap::new();
        let mut invalid = Vec::new();
        for a in &self.annotations {
            match a.split_once('=') {
                Some((k, v)) if !a.starts_with('=') => {
                    annotations.insert(k.to_string(), v.to_string());
                }
                _ => invalid.push(a.as_str()),
            }
        }
        if !invalid.is_empty() {
            return Err(CliError::msg(format!(
                "invalid annotations format: {}",
                invalid.join(", ")
            )));
        }
        let labels = if self.labels.value.is_empty() {
            BTreeMap::from([("run".to_string(), name.to_string())])
        } else {
            parse_labels(&self.labels.value)?
        };
        let mut container = Map::new();
        container.insert("name".into(), json!(name));
        container.insert("image".into(), json!(image));
        if !args.is_empty() {
            let key = if self.command { "command" } else { "args" };
            container.insert(key.into(), json!(args));
        }
        if !self.port.is_empty() {
            let port = go_atoi(&self.port)?;
            container.insert("ports".into(), json!([{"containerPort": port}]));
        }
        if !envs.is_empty() {
            container.insert("env".into(), Value::Array(envs));
        }
        container.insert("resources".into(), json!({}));
        if !self.image_pull_policy.value.is_empty() {
            container.insert(
                "imagePullPolicy".into(),
                json!(self.image_pull_policy.value),
            );
        }
        if self.privileged {
            container.insert("securityContext".into(), json!({"privileged": true}));
        }
        if self.stdin.value {
            container.insert("stdin".into(), json!(true));
            if !self.leave_stdin_open {
                container.insert("stdinOnce".into(), json!(true));
            }
        }
        if self.tty.value {
            container.insert("tty".into(), json!(true));
        }
        let mut meta = Map::new();
        meta.insert("name".into(), json!(name));
        meta.insert("labels".into(), json!(labels));
        if !annotations.is_empty() {
            meta.insert("annotations".into(), json!(annotations));
        }
        let restart = if self.restart.is_empty() {
            "Always"
        } else {
            self.restart.as_str()
        };
        Ok(json!({
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": meta,
            "spec": {
                "containers": [container],
                "restartPolicy": restart,
                "dnsPolicy": "ClusterFirst",
            },
            "status": {},
        }))
    }

    /// The `service/v2` generator with what `run` gives it.
    fn generate_service(&self, name: &str) -> Result<Value, CliError> {
        let selector = if self.labels.value.is_empty() {
            format!("run={name}")
        } else {
            self.labels.value.clone()
        };
        let selector = parse_labels(&selector)?;
        let mut meta = Map::new();
        meta.insert("name".into(), json!(name));
        if !self.labels.value.is_empty() {
            meta.insert("labels".into(), json!(parse_labels(&self.labels.value)?));
        }
        let port = go_atoi(&self.port)?;
        Ok(json!({
            "kind": "Service",
            "apiVersion": "v1",
            "metadata": meta,
            "spec": {
                "ports": [{"protocol": "TCP", "port": port, "targetPort": port}],
                "selector": selector,
            },
            "status": {"loadBalancer": {}},
        }))
    }

    /// `createGeneratedObject`'s end: create (or, for a client dry run, only place) the object.
    async fn submit(
        &self,
        ctx: &Context,
        mut obj: Value,
        resource: &str,
        (namespace, enforce): (&str, bool),
        dry_run: DryRun,
        record: &Option<String>,
    ) -> Result<Value, CliError> {
        if let Some(cause) = record {
            crate::ops::metadata::record_change_cause(&mut obj, cause)?;
        }
        if dry_run == DryRun::Client {
            if enforce {
                obj["metadata"]["namespace"] = json!(namespace);
            }
            return Ok(obj);
        }
        self.save_config.annotate(&mut obj)?;
        let path = crate::client::ResourcePath {
            group: "",
            version: "v1",
            resource,
            namespace: Some(namespace),
            name: None,
            subresource: None,
        }
        .build()?;
        let req = dry_run
            .query(ApiRequest::post_go_json(path, &obj))
            .query("fieldManager", self.field_manager.as_str());
        ctx.client()?.send_json(&req).await.map_err(Into::into)
    }
}

/// apimachinery `IsEnvVarName`: `[-._a-zA-Z][-._a-zA-Z0-9]*`, not `.` or `..`, not starting `..`.
fn env_var_name(k: &str) -> bool {
    let ok_first = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || "-._".contains(c));
    let ok_rest = k
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c));
    ok_first && ok_rest && k != "." && k != ".." && !k.starts_with("..")
}

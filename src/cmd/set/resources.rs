//! `kubectl-rs set resources` (kubectl `pkg/cmd/set/set_resources.go`): set resource limits
//! and requests of the containers (`-c`, with `*` wildcards) of pods and pod templates.

use serde_json::{Map, Value};

use crate::cmd::set::{
    aggregate, calculate_patch, check_all_with_selector, check_local_dry_run, complete_printer,
    pod_spec_mut, select_string, Submit,
};
use crate::context::Context;
use crate::describe::quantity::parse_resource_list;
use crate::error::CliError;
use crate::resource::targets::find;

/// kubectl's long help of `set resources`.
pub const SET_RESOURCES_LONG: &str = "Specify compute resource requirements (CPU, memory) for any resource that defines a pod template.  If a pod is successfully scheduled, it is guaranteed the amount of resource requested, but may burst up to its specified limits.\n\n For each compute resource, if a limit is specified and a request is omitted, the request will default to the limit.\n\n Possible resources include (case insensitive): Use \"kubectl api-resources\" for a complete list of supported resources..";

/// kubectl's examples of `set resources`.
pub const SET_RESOURCES_EXAMPLES: &str = r#"Examples:
  # Set a deployments nginx container cpu limits to "200m" and memory to "512Mi"
  kubectl set resources deployment nginx -c=nginx --limits=cpu=200m,memory=512Mi
  
  # Set the resource request and limits for all containers in nginx
  kubectl set resources deployment nginx --limits=cpu=200m,memory=512Mi --requests=cpu=100m,memory=256Mi
  
  # Remove the resource requests for resources on containers in nginx
  kubectl set resources deployment nginx --limits=cpu=0,memory=0 --requests=cpu=0,memory=0
  
  # Print the result (in yaml format) of updating nginx container limits from a local, without hitting the server
  kubectl set resources -f path/to/file.yaml --limits=cpu=200m,memory=512Mi --local -o yaml"#;

/// kubectl's usage line of `set resources`.
pub const SET_RESOURCES_USAGE: &str =
    "resources (-f FILENAME | TYPE NAME)  ([--limits=LIMITS & --requests=REQUESTS]";

/// Update resource requests/limits on objects with pod templates.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("local", |a| a.help("If true, set resources will NOT contact api-server but run locally.")))]
#[command(mut_arg("containers", |a| a.help("The names of containers in the selected pod templates to change, all containers are selected by default - may use wildcards")))]
pub struct ResourcesArgs {
    #[command(flatten)]
    pub target: crate::cmd::flags::SetTargetFlags,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    #[command(flatten)]
    pub containers: crate::cmd::flags::ContainerSelectorFlag,
    /// The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub limits: String,
    /// The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub requests: String,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
}

impl ResourcesArgs {
    /// kubectl's `Complete`, `Validate` and `Run`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let cause = self.record.change_cause(ctx);
        let (dry_run, mut printer) =
            complete_printer(ctx, &self.target.common, "resource requirements updated")?;
        let selector = crate::ops::metadata::non_blank(&self.selector.value);
        let spec = self
            .target
            .checked_find_spec(self.target.args.clone(), selector.clone())?;
        let targets = find(ctx, &spec).await?;
        // Validate.
        check_local_dry_run(&self.target.common, dry_run)?;
        check_all_with_selector(&self.target.common, selector.is_some())?;
        if self.limits.is_empty() && self.requests.is_empty() {
            return Err(CliError::msg("you must specify an update to requests or limits (in the form of --requests/--limits)"));
        }
        let limits = parse_resource_list(&self.limits).map_err(CliError::msg)?;
        let requests = parse_resource_list(&self.requests).map_err(CliError::msg)?;

        // Run.
        let mut errs = Vec::new();
        let mut patches = Vec::new();
        for t in targets {
            let mut after = t.object.clone();
            let changed = pod_spec_mut(&mut after).map(|spec| {
                let mut transformed = false;
                for field in ["containers", "initContainers"] {
                    for c in spec
                        .get_mut(field)
                        .and_then(Value::as_array_mut)
                        .into_iter()
                        .flatten()
                    {
                        if !select_string(c["name"].as_str().unwrap_or(""), &self.containers.value)
                        {
                            continue;
                        }
                        set_list(c, "limits", &limits);
                        set_list(c, "requests", &requests);
                        transformed = true;
                    }
                }
                if !transformed {
                    errs.push(CliError::msg(format!(
                        "error: unable to find container named {}",
                        self.containers.value
                    )));
                }
                transformed
            });
            let patch = match changed {
                Ok(false) => continue,
                Ok(true) => crate::cmd::set::record(&mut after, &cause)
                    .and_then(|()| calculate_patch(&t.object, &after)),
                Err(e) => Err(e),
            };
            patches.push((t, after, patch));
        }
        let submit = Submit::new(
            &self.target.common,
            dry_run,
            Some("failed to patch resources update to pod template "),
        );
        submit.each(ctx, &mut printer, patches, &mut errs).await;
        printer.finish(ctx)?;
        aggregate(errs)
    }
}

/// Sets `resources.<field>` of a container from `list` (None: the flag was not given).
fn set_list(container: &mut Value, field: &str, list: &Option<Map<String, Value>>) {
    let Some(list) = list else {
        return;
    };
    if !container["resources"].is_object() {
        container["resources"] = Value::Object(Map::new());
    }
    let resources = &mut container["resources"];
    if !resources[field].is_object() {
        resources[field] = Value::Object(Map::new());
    }
    if let Some(m) = resources[field].as_object_mut() {
        for (k, v) in list {
            m.insert(k.clone(), v.clone());
        }
    }
}

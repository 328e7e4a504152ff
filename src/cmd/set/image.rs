//! `kubectl-rs set image` (kubectl `pkg/cmd/set/set_image.go`): change container images of
//! pods and pod templates, patching each changed object with a strategic merge patch.

use serde_json::Value;

use crate::cmd::set::{
    aggregate, calculate_patch, check_all_with_selector, check_local_dry_run, complete_printer,
    containers_mut, parse_pairs, pod_spec_mut, Submit,
};
use crate::context::Context;
use crate::error::CliError;
use crate::resource::targets::find;

/// kubectl's long help of `set image`.
pub const SET_IMAGE_LONG: &str = "Update existing container image(s) of resources.\n\n Possible resources include (case insensitive):\n\n        pod (po), replicationcontroller (rc), deployment (deploy), daemonset (ds), statefulset (sts), cronjob (cj), replicaset (rs)";

/// kubectl's examples of `set image`.
pub const SET_IMAGE_EXAMPLES: &str = r"Examples:
  # Set a deployment's nginx container image to 'nginx:1.9.1', and its busybox container image to 'busybox'
  kubectl set image deployment/nginx busybox=busybox nginx=nginx:1.9.1
  
  # Update all deployments' and rc's nginx container's image to 'nginx:1.9.1'
  kubectl set image deployments,rc nginx=nginx:1.9.1 --all
  
  # Update image of all containers of daemonset abc to 'nginx:1.9.1'
  kubectl set image daemonset abc *=nginx:1.9.1
  
  # Print result (in yaml format) of updating nginx container image from local file, without hitting the server
  kubectl set image -f path/to/file.yaml nginx=nginx:1.9.1 --local -o yaml";

/// kubectl's usage line of `set image`.
pub const SET_IMAGE_USAGE: &str = "image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N";

/// Update the image of a pod template.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("local", |a| a.help("If true, set image will NOT contact api-server but run locally.")))]
pub struct ImageArgs {
    #[command(flatten)]
    pub target: crate::cmd::flags::SetTargetFlags,
    #[command(flatten)]
    pub selector: crate::cmd::flags::LabelSelectorFlag,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
}

impl ImageArgs {
    /// kubectl's `Complete`, `Validate` and `Run`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        // Complete: dry run, printer, arguments, builder.
        let cause = self.record.change_cause(ctx);
        let (dry_run, mut printer) = complete_printer(ctx, &self.target.common, "image updated")?;
        let (resources, pair_args) =
            crate::ops::metadata::split_resources_and_pairs(&self.target.args, "image")?;
        let images = parse_pairs(&pair_args, "image")?;
        // A Go map: the last value of a repeated name wins; kubectl walks it in random
        // order, sorted is one of them.
        let images: std::collections::BTreeMap<String, String> = images.into_iter().collect();
        let selector = crate::ops::metadata::non_blank(&self.selector.value);
        let spec = self
            .target
            .checked_find_spec(resources.clone(), selector.clone())?;
        let targets = find(ctx, &spec).await?;
        // Validate.
        let mut errors = Vec::new();
        errors.extend(check_all_with_selector(&self.target.common, selector.is_some()).err());
        if resources.is_empty()
            && self.target.common.files.filename.is_empty()
            && self.target.kustomize.dir.is_none()
        {
            errors.push(CliError::msg(
                "one or more resources must be specified as <resource> <name> or <resource>/<name>",
            ));
        }
        if images.is_empty() {
            errors.push(CliError::msg("at least one image update is required"));
        } else if images.len() > 1 && images.contains_key("*") {
            errors.push(CliError::msg("all containers are already specified by *, but saw more than one container_name=container_image pairs"));
        }
        errors.extend(check_local_dry_run(&self.target.common, dry_run).err());
        aggregate(errors)?;

        // Run: every change is computed before anything is sent.
        let submit = Submit::new(
            &self.target.common,
            dry_run,
            Some("failed to patch image update to pod template: "),
        );
        let mut all_errs: Vec<CliError> = Vec::new();
        let mut patches = Vec::new();
        for t in targets {
            let mut after = t.object.clone();
            let changed = match pod_spec_mut(&mut after) {
                Ok(spec) => {
                    for (name, image) in &images {
                        let init = set_image(containers_mut(spec, "initContainers"), name, image);
                        let main = set_image(containers_mut(spec, "containers"), name, image);
                        if !init && !main {
                            all_errs.push(CliError::msg(format!(
                                "error: unable to find container named {}",
                                crate::print::gofmt::go_quote(name)
                            )));
                        }
                    }
                    crate::cmd::set::record(&mut after, &cause)
                        .and_then(|()| calculate_patch(&t.object, &after))
                }
                Err(e) => Err(e),
            };
            patches.push((t, after, changed));
        }
        submit.each(ctx, &mut printer, patches, &mut all_errs).await;
        printer.finish(ctx)?;
        aggregate(all_errs)
    }
}

/// kubectl's `setImage`: the containers named `name` (every one for `*`) get `image`; whether
/// any was found.
fn set_image(containers: Vec<&mut Value>, name: &str, image: &str) -> bool {
    let mut found = false;
    for c in containers {
        if name == "*" || c["name"].as_str() == Some(name) {
            found = true;
            c["image"] = Value::String(image.to_string());
        }
    }
    found
}

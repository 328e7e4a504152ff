//! `kubectl-rs label`: its flags; the work is the metadata update in [`crate::ops::metadata`]
//! (kubectl `pkg/cmd/label/label.go`).

use crate::context::Context;
use crate::error::CliError;

/// kubectl's long help of `label`.
pub const LABEL_LONG: &str = r"Update the labels on a resource.

  *  A label key and value must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters each.
  *  Optionally, the key can begin with a DNS subdomain prefix and a single '/', like example.com/my-app.
  *  If --overwrite is true, then existing labels can be overwritten, otherwise attempting to overwrite a label will result in an error.
  *  If --resource-version is specified, then updates will use this resource version, otherwise the existing resource-version will be used.";

/// kubectl's examples of `label`, for kubectl-rs.
pub const LABEL_EXAMPLES: &str = r#"Examples:
  # Update pod 'foo' with the label 'unhealthy' and the value 'true'
  kubectl label pods foo unhealthy=true
  
  # Update pod 'foo' with the label 'status' and the value 'unhealthy', overwriting any existing value
  kubectl label --overwrite pods foo status=unhealthy
  
  # Update all pods in the namespace
  kubectl label pods --all status=unhealthy
  
  # Update a pod identified by the type and name in "pod.json"
  kubectl label -f pod.json status=unhealthy
  
  # Update pod 'foo' only if the resource is unchanged from version 1
  kubectl label pods foo status=unhealthy --resource-version=1
  
  # Update pod 'foo' by removing a label named 'bar' if it exists
  # Does not require the --overwrite flag
  kubectl label pods foo bar-"#;

/// Update the labels on a resource.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Update the labels on a resource")]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files identifying the resource to update the labels")))]
#[command(mut_arg("all", |a| a.help("Select all resources, in the namespace of the specified resource types")))]
#[command(mut_arg("all_namespaces", |a| a.help("If true, check the specified action in all namespaces.")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-label")))]
#[command(mut_arg("local", |a| a.help("If true, label will NOT contact api-server but run locally.")))]
pub struct LabelArgs {
    /// The flags `label` and `annotate` share.
    #[command(flatten)]
    pub update: crate::cmd::flags::MetadataUpdateArgs,
}

impl LabelArgs {
    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        self.update
            .run(ctx, crate::ops::metadata::Field::Labels)
            .await
    }
}

/// `kubectl label`: kubectl's usage (`Use`).
pub const LABEL_USAGE: &str = r"label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]";

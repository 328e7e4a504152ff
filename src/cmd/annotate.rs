//! `kubectl-rs annotate`: its flags; the work is the metadata update in
//! [`crate::ops::metadata`] (kubectl `pkg/cmd/annotate/annotate.go`).

use crate::context::Context;
use crate::error::CliError;

/// kubectl's long help of `annotate`.
pub const ANNOTATE_LONG: &str = r#"Update the annotations on one or more resources.

 All Kubernetes objects support the ability to store additional data with the object as annotations. Annotations are key/value pairs that can be larger than labels and include arbitrary string values such as structured JSON. Tools and system extensions may use annotations to store their own data.

 Attempting to set an annotation that already exists will fail unless --overwrite is set. If --resource-version is specified and does not match the current resource version on the server the command will fail.

Use "kubectl api-resources" for a complete list of supported resources."#;

/// kubectl's examples of `annotate`, for kubectl-rs.
pub const ANNOTATE_EXAMPLES: &str = r#"Examples:
  # Update pod 'foo' with the annotation 'description' and the value 'my frontend'
  # If the same annotation is set multiple times, only the last value will be applied
  kubectl annotate pods foo description='my frontend'
  
  # Update a pod identified by type and name in "pod.json"
  kubectl annotate -f pod.json description='my frontend'
  
  # Update pod 'foo' with the annotation 'description' and the value 'my frontend running nginx', overwriting any existing value
  kubectl annotate --overwrite pods foo description='my frontend running nginx'
  
  # Update all pods in the namespace
  kubectl annotate pods --all description='my frontend running nginx'
  
  # Update pod 'foo' only if the resource is unchanged from version 1
  kubectl annotate pods foo description='my frontend running nginx' --resource-version=1
  
  # Update pod 'foo' by removing an annotation named 'description' if it exists
  # Does not require the --overwrite flag
  kubectl annotate pods foo description-"#;

/// Update the annotations on a resource.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Update the annotations on a resource")]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files identifying the resource to update the annotation")))]
#[command(mut_arg("all", |a| a.help("Select all resources, in the namespace of the specified resource types.")))]
#[command(mut_arg("all_namespaces", |a| a.help("If true, check the specified action in all namespaces.")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-annotate")))]
#[command(mut_arg("overwrite", |a| a.help("If true, allow annotations to be overwritten, otherwise reject annotation updates that overwrite existing annotations.")))]
#[command(mut_arg("resource_version", |a| a.help("If non-empty, the annotation update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.")))]
#[command(mut_arg("list", |a| a.help("If true, display the annotations for a given resource.")))]
pub struct AnnotateArgs {
    /// The flags `label` and `annotate` share.
    #[command(flatten)]
    pub update: crate::cmd::flags::MetadataUpdateArgs,
}

impl AnnotateArgs {
    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        self.update
            .run(ctx, crate::ops::metadata::Field::Annotations)
            .await
    }
}

/// `kubectl annotate`: kubectl's usage (`Use`).
pub const ANNOTATE_USAGE: &str = r"annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]";

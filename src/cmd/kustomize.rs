//! `kubectl-rs kustomize [DIR]`: builds a kustomization with the built-in engine
//! (`crates/kustomize`, kustomize v5.8) and prints the resources as kubectl does
//! (`resmap.AsYaml`: each resource as `kubectl get -o yaml` would print it, `---` between).
//!
//! Helm charts and KRM functions are out of scope: the flags that configure them are
//! accepted (as kubectl accepts them) and a kustomization that uses them is refused.

use std::io::Write;
use std::path::Path;

use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;
use crate::print::yaml::to_yaml_string;

/// Build a set of KRM resources using a 'kustomization.yaml' file.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(mut_arg("output", |a| a.help("If specified, write output to this path.")))]
pub struct KustomizeArgs {
    /// The kustomization directory (default `.`).
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
    /// use the uid and gid of the command executor to run the function in the container
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub as_current_user: bool,
    /// enable kustomize plugins
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub enable_alpha_plugins: bool,
    /// Enable use of the Helm chart inflator generator.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub enable_helm: bool,
    /// a list of environment variables to be used by functions
    #[arg(verbatim_doc_comment, short = 'e', long, value_delimiter = ',')]
    pub env: Vec<String>,
    /// Kubernetes api versions used by Helm for Capabilities.APIVersions
    #[arg(verbatim_doc_comment, long, value_delimiter = ',')]
    pub helm_api_versions: Vec<String>,
    /// helm command (path to executable)
    #[arg(verbatim_doc_comment, long, default_value = "helm")]
    pub helm_command: String,
    /// Enable debug output from the Helm chart inflator generator.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub helm_debug: bool,
    /// Kubernetes version used by Helm for Capabilities.KubeVersion
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub helm_kube_version: String,
    /// if set to 'LoadRestrictionsNone', local kustomizations may load files from outside their root. This does, however, break the relocatability of the kustomization.
    #[arg(verbatim_doc_comment, long, default_value = "LoadRestrictionsRootOnly")]
    pub load_restrictor: String,
    /// a list of storage options read from the filesystem
    #[arg(verbatim_doc_comment, long, value_delimiter = ',')]
    pub mount: Vec<String>,
    /// enable network access for functions that declare it
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub network: bool,
    /// the docker network to run the container in
    #[arg(verbatim_doc_comment, long, default_value = "bridge")]
    pub network_name: String,
    #[command(flatten)]
    pub output: crate::cmd::flags::OutputFlag,
    /// Deprecated: reorder the resources just before output (`legacy` or `none`).
    #[arg(verbatim_doc_comment, long, hide = true)]
    pub reorder: Option<String>,
    /// Deprecated: add `app.kubernetes.io/managed-by: kustomize-<version>` to every resource.
    #[arg(verbatim_doc_comment, long, hide = true, go_bool_opt())]
    pub enable_managedby_label: Option<bool>,
}

impl KustomizeArgs {
    fn options(&self, ctx: &Context) -> Result<(String, kustomize::Options), CliError> {
        if self.args.len() > 1 {
            return Err(CliError::msg("specify one path to kustomization.yaml"));
        }
        let dir = self
            .args
            .first()
            .cloned()
            .unwrap_or_else(|| ".".to_string());
        let load_restrictor = match self.load_restrictor.as_str() {
            "LoadRestrictionsRootOnly" => kustomize::LoadRestrictor::RootOnly,
            "LoadRestrictionsNone" => kustomize::LoadRestrictor::None,
            other => {
                return Err(CliError::msg(format!(
                    "illegal flag value --load-restrictor {other}; legal values: [LoadRestrictionsRootOnly LoadRestrictionsNone]"
                )))
            }
        };
        if self.reorder.is_some() {
            ctx.eprint("Flag --reorder has been deprecated, use the new 'sortOptions' field in kustomization.yaml instead.\n");
        }
        if self.enable_managedby_label.is_some() {
            ctx.eprint("Flag --enable-managedby-label has been deprecated, The flag `enable-managedby-label` has been deprecated. Use the `managedByLabel` option in the `buildMetadata` field instead.\n");
        }
        let reorder = match self.reorder.as_deref() {
            None => kustomize::Reorder::Unspecified,
            Some("legacy") => kustomize::Reorder::Legacy,
            Some("none") => kustomize::Reorder::None,
            Some(other) => {
                return Err(CliError::msg(format!(
                    "illegal flag value --reorder {other}; legal values: [legacy none]"
                )))
            }
        };
        Ok((
            dir,
            kustomize::Options {
                load_restrictor,
                reorder,
                managed_by_label: self.enable_managedby_label.unwrap_or(false),
                remote: None,
            },
        ))
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let (dir, opts) = self.options(ctx)?;
        let built = crate::resource::kustomize_build(ctx, &dir, &opts)?;
        if !self.output.value.is_empty() && Path::new(&self.output.value).is_dir() {
            let names = kustomize::individual_file_names(&built);
            for (name, obj) in names.iter().zip(&built.resources) {
                std::fs::write(
                    Path::new(&self.output.value).join(name),
                    to_yaml_string(obj),
                )?;
            }
            return Ok(());
        }
        let text = built
            .resources
            .iter()
            .map(to_yaml_string)
            .collect::<Vec<_>>()
            .join("---\n");
        if !self.output.value.is_empty() {
            std::fs::write(&self.output.value, text)?;
            return Ok(());
        }
        ctx.out().write_all(text.as_bytes())?;
        Ok(())
    }
}

/// `kubectl kustomize`: kubectl's description.
pub const KUSTOMIZE_LONG: &str = "Build a set of KRM resources using a 'kustomization.yaml' file. The DIR argument must be a path to a directory containing 'kustomization.yaml', or a git repository URL with a path suffix specifying same with respect to the repository root. If DIR is omitted, '.' is assumed.";

/// `kubectl kustomize`: kubectl's examples.
pub const KUSTOMIZE_EXAMPLES: &str = r"Examples:
  # Build the current working directory
  kubectl kustomize
  
  # Build some shared configuration directory
  kubectl kustomize /home/config/production
  
  # Build from github
  kubectl kustomize https://github.com/kubernetes-sigs/kustomize.git/examples/helloWorld?ref=v1.0.6";

/// `kubectl kustomize`: kubectl's usage (`Use`).
pub const KUSTOMIZE_USAGE: &str = r"kustomize DIR [flags]";

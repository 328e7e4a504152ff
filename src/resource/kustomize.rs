//! `-k DIR` (cli-runtime `KustomizeVisitor`): the built-in kustomize engine builds the
//! directory and its resources are read as the objects of a file named `DIR`.

use std::path::Path;

use crate::context::Context;
use crate::error::CliError;
use crate::manifest::{Manifest, ManifestError};

/// Builds `dir`, printing kustomize's warnings (deprecated fields) on stderr as it does, and
/// what it logs (through Go's `log`) as kubectl's klog lines.
pub fn kustomize_build(
    ctx: &Context,
    dir: &str,
    opts: &kustomize::Options,
) -> Result<kustomize::Output, CliError> {
    let mut opts = opts.clone();
    if opts.remote.is_none() {
        opts.remote = Some(super::kustomize_remote::RemoteFetcher::new(ctx).into_remote());
    }
    let out = kustomize::build_as(Path::new(dir), dir, &opts).map_err(|f| {
        for w in &f.warnings {
            ctx.eprint(&format!("{w}\n"));
        }
        for m in &f.logged {
            ctx.eprint(&crate::client::log::klog_line('I', "log.go:244", m));
        }
        CliError::from(f.error)
    })?;
    for w in &out.warnings {
        ctx.eprint(&format!("{w}\n"));
    }
    // kustomize logs through Go's `log`, which kubectl routes to klog: the caller klog names is
    // line 244 of Go's `log.go` in kubectl v1.36.2 (245 in v1.33's Go).
    for m in &out.logged {
        ctx.eprint(&crate::client::log::klog_line('I', "log.go:244", m));
    }
    Ok(out)
}

/// The objects of `-k dir`, in kustomize's output order (legacy kind order, as cli-runtime
/// asks for), named by the directory.
pub fn kustomize_manifests(
    ctx: &Context,
    dir: &str,
) -> Result<Vec<Result<Manifest, ManifestError>>, CliError> {
    let opts = kustomize::Options {
        reorder: kustomize::Reorder::Legacy,
        ..Default::default()
    };
    let out = kustomize_build(ctx, dir, &opts)?;
    Ok(out
        .resources
        .into_iter()
        .enumerate()
        .map(|(index, object)| {
            Ok(Manifest {
                source: dir.to_string(),
                index,
                object,
            })
        })
        .collect())
}

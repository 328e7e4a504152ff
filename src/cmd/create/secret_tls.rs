//! `kubectl-rs create secret tls` (kubectl `pkg/cmd/create/create_secret_tls.go`): a
//! `kubernetes.io/tls` Secret from a certificate and key file, checked as a pair first with
//! Go's `tls.X509KeyPair` rules ([`crate::ops::keypair`]), created through the generators'
//! shared [`submit`].

use serde_json::{json, Map, Value};

use crate::cmd::create_generators::{add_secret_key, name_meta, submit, Built, CommonArgs};
use crate::cmd::flags::field_validation;
use crate::context::Context;
use crate::error::{CliError, CliResult};

/// kubectl's long help of `create secret tls`.
pub const CREATE_SECRET_TLS_LONG: &str = r"Create a TLS secret from the given public/private key pair.

 The public/private key pair must exist beforehand. The public key certificate must be .PEM encoded and match the given private key.";
/// kubectl's examples of `create secret tls`.
pub const CREATE_SECRET_TLS_EXAMPLES: &str = r"Examples:
  # Create a new TLS secret named tls-secret with the given key pair
  kubectl create secret tls tls-secret --cert=path/to/tls.crt --key=path/to/tls.key";
/// kubectl's usage line of `create secret tls`.
pub const CREATE_SECRET_TLS_USAGE: &str =
    "tls NAME --cert=path/to/cert/file --key=path/to/key/file [--dry-run=server|client|none]";

/// `create secret tls`'s own flags.
#[derive(Debug, Clone, clap::Args)]
pub struct SecretTlsFlags {
    /// Path to PEM encoded public key certificate.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub cert: String,
    /// Path to private key associated with given certificate.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub key: String,
    #[command(flatten)]
    pub append_hash: crate::cmd::flags::AppendHashFlag,
}

/// kubectl's `readFile`: the file's bytes, or its wording of the failure.
fn read_file(path: &str) -> Result<Vec<u8>, CliError> {
    // Go opens a directory fine and fails on reading it.
    if std::path::Path::new(path).is_dir() {
        return Err(CliError::msg(format!(
            "Cannot read file {path}, read {path}: is a directory"
        )));
    }
    std::fs::read(path).map_err(|e| {
        CliError::msg(format!(
            "Cannot read file {path}, {}",
            crate::kubeconfig::resolve::open_error(path, &e)
        ))
    })
}

impl SecretTlsFlags {
    /// kubectl's `Complete`, `Validate` and `Run` for the secret `name`.
    pub async fn run(&self, ctx: &Context, common: &CommonArgs, name: &str) -> CliResult {
        let dry_run = common.dry_run.strategy(ctx)?;
        let (namespace, enforce) = ctx.namespace()?;
        let validation = field_validation(&common.validate.value)?;
        if self.key.is_empty() || self.cert.is_empty() {
            return Err(CliError::msg("key and cert must be specified"));
        }
        let cert = read_file(&self.cert)?;
        let key = read_file(&self.key)?;
        crate::ops::keypair::check_x509_key_pair(&cert, &key).map_err(CliError::msg)?;
        let meta = name_meta(name, &namespace, enforce);
        let mut data = Map::new();
        add_secret_key(&mut data, "tls.crt".into(), cert)?;
        add_secret_key(&mut data, "tls.key".into(), key)?;
        let object = json!({
            "kind": "Secret",
            "apiVersion": "v1",
            "metadata": meta,
            "data": Value::Object(data),
            "type": "kubernetes.io/tls",
        });
        let built = Built::secret(object, self.append_hash.value);
        submit(ctx, common, built, &namespace, dry_run, validation).await
    }
}

//! `kubectl-rs create secret docker-registry` (kubectl
//! `pkg/cmd/create/create_secret_docker.go`): a `kubernetes.io/dockerconfigjson` Secret whose
//! `.dockerconfigjson` is built from the `--docker-*` flags (with the `auth` field kubectl
//! derives) or read from `--from-file`, created through the generators' shared [`submit`].
//! The password only ever goes into the Secret's data.

use serde_json::{json, Map, Value};

use crate::cmd::create_generators::{
    add_secret_key, name_meta, submit, Built, CommonArgs, Sources,
};
use crate::cmd::flags::field_validation;
use crate::context::Context;
use crate::error::{CliError, CliResult};

/// kubectl's long help of `create secret docker-registry` (its odd indentation included).
pub const CREATE_SECRET_DOCKER_LONG: &str = r#"Create a new secret for use with Docker registries.
        
        Dockercfg secrets are used to authenticate against Docker registries.
        
        When using the Docker command line to push images, you can authenticate to a given registry by running:
        '$ docker login DOCKER_REGISTRY_SERVER --username=DOCKER_USER --password=DOCKER_PASSWORD --email=DOCKER_EMAIL'.
        
 That produces a ~/.dockercfg file that is used by subsequent 'docker push' and 'docker pull' commands to authenticate to the registry. The email address is optional.

        When creating applications, you may have a Docker registry that requires authentication.  In order for the
        nodes to pull images on your behalf, they must have the credentials.  You can provide this information
        by creating a dockercfg secret and attaching it to your service account."#;
/// kubectl's examples of `create secret docker-registry`.
pub const CREATE_SECRET_DOCKER_EXAMPLES: &str = r"Examples:
  # If you do not already have a .dockercfg file, create a dockercfg secret directly
  kubectl create secret docker-registry my-secret --docker-server=DOCKER_REGISTRY_SERVER --docker-username=DOCKER_USER --docker-password=DOCKER_PASSWORD --docker-email=DOCKER_EMAIL
  
  # Create a new secret named my-secret from ~/.docker/config.json
  kubectl create secret docker-registry my-secret --from-file=path/to/.docker/config.json";
/// kubectl's usage line of `create secret docker-registry`.
pub const CREATE_SECRET_DOCKER_USAGE: &str = "docker-registry NAME --docker-username=user --docker-password=password --docker-email=email [--docker-server=string] [--from-file=[key=]source] [--dry-run=server|client|none]";

/// The Secret's key (`corev1.DockerConfigJsonKey`).
const DOCKER_CONFIG_JSON_KEY: &str = ".dockerconfigjson";

/// `create secret docker-registry`'s own flags. Their ids are not the bare names: `server`,
/// `username` and `password` are the global connection flags' ids.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("from_file", |a| a.help("Key files can be specified using their file path, in which case a default name of .dockerconfigjson will be given to them, or optionally with a name and file path, in which case the given name will be used. Specifying a directory will iterate each named file in the directory that is a valid secret key. For this command, the key should always be .dockerconfigjson.")))]
pub struct SecretDockerFlags {
    /// Username for Docker registry authentication
    #[arg(
        verbatim_doc_comment,
        id = "docker_username",
        value_name = "USERNAME",
        long = "docker-username",
        default_value = ""
    )]
    pub username: String,
    /// Password for Docker registry authentication
    #[arg(
        verbatim_doc_comment,
        id = "docker_password",
        value_name = "PASSWORD",
        long = "docker-password",
        default_value = ""
    )]
    pub password: String,
    /// Email for Docker registry
    #[arg(
        verbatim_doc_comment,
        id = "docker_email",
        value_name = "EMAIL",
        long = "docker-email",
        default_value = ""
    )]
    pub email: String,
    /// Server location for Docker registry
    #[arg(
        verbatim_doc_comment,
        id = "docker_server",
        value_name = "SERVER",
        long = "docker-server",
        default_value = "https://index.docker.io/v1/"
    )]
    pub server: String,
    #[command(flatten)]
    pub append_hash: crate::cmd::flags::AppendHashFlag,
    #[command(flatten)]
    pub from_file: crate::cmd::flags::FromFileFlag,
}

/// kubectl's `handleDockerCfgJSONContent`: `{"auths":{SERVER:{...}}}` as Go's `json.Marshal`
/// writes the `DockerConfigJSON` struct (fields in struct order, empty ones omitted).
fn docker_config_json(username: &str, password: &str, email: &str, server: &str) -> String {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    let mut entry = Vec::new();
    for (k, v) in [
        ("username", username),
        ("password", password),
        ("email", email),
        ("auth", auth.as_str()),
    ] {
        if !v.is_empty() {
            let mut field = format!("\"{k}\":");
            kcore::gojson::go_json_string(v, &mut field);
            entry.push(field);
        }
    }
    let mut out = String::from("{\"auths\":{");
    kcore::gojson::go_json_string(server, &mut out);
    out.push_str(":{");
    out.push_str(&entry.join(","));
    out.push_str("}}}");
    out
}

impl SecretDockerFlags {
    /// kubectl's `Complete`, `Validate` and `Run` for the secret `name`.
    pub async fn run(&self, ctx: &Context, common: &CommonArgs, name: &str) -> CliResult {
        let dry_run = common.dry_run.strategy(ctx)?;
        let (namespace, enforce) = ctx.namespace()?;
        let validation = field_validation(&common.validate.value)?;
        // A file without a key name is the `.dockerconfigjson`.
        let from_file: Vec<String> = self
            .from_file
            .value
            .iter()
            .map(|f| {
                if f.contains('=') {
                    f.clone()
                } else {
                    format!("{DOCKER_CONFIG_JSON_KEY}={f}")
                }
            })
            .collect();
        if name.is_empty() {
            return Err(CliError::msg("name must be specified"));
        }
        if from_file.is_empty()
            && (self.username.is_empty() || self.password.is_empty() || self.server.is_empty())
        {
            return Err(CliError::msg("either --from-file or the combination of --docker-username, --docker-password and --docker-server is required"));
        }
        let mut data = Map::new();
        if from_file.is_empty() {
            let content =
                docker_config_json(&self.username, &self.password, &self.email, &self.server);
            add_secret_key(
                &mut data,
                DOCKER_CONFIG_JSON_KEY.into(),
                content.into_bytes(),
            )?;
        } else {
            let sources = Sources {
                from_file: crate::cmd::flags::FromFileFlag { value: from_file },
                from_literal: Vec::new(),
                from_env_file: Vec::new(),
            };
            sources.files(&mut |key, bytes| add_secret_key(&mut data, key, bytes))?;
        }
        let meta = name_meta(name, &namespace, enforce);
        let mut object = json!({
            "kind": "Secret",
            "apiVersion": "v1",
            "metadata": meta,
            "type": "kubernetes.io/dockerconfigjson",
        });
        if !data.is_empty() {
            object["data"] = Value::Object(data);
        }
        let built = Built::secret(object, self.append_hash.value);
        submit(ctx, common, built, &namespace, dry_run, validation).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_is_gos_json() {
        assert_eq!(
            docker_config_json("u", "p<&>", "", "https://r.example/v1/"),
            r#"{"auths":{"https://r.example/v1/":{"username":"u","password":"p\u003c\u0026\u003e","auth":"dTpwPCY+"}}}"#
        );
    }
}

//! `kubectl-rs create namespace|configmap|secret generic|deployment|serviceaccount`: build the
//! object kubectl's generator builds (`pkg/cmd/create/create_*.go`), then create it (or not,
//! with `--dry-run=client`) and print it.

use std::io::Write;
use std::path::Path;

use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::client::ApiRequest;
use crate::cmd::flags::{field_validation, DryRun};
use crate::context::{Context, Env};
use crate::error::CliError;
use crate::kubeconfig::resolve::io_text;
use crate::print::GenericPrinter;

/// The flags every generator has (kubectl's print, dry-run, validate and field-manager flags).
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-create")))]
pub struct CommonArgs {
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub save_config: crate::cmd::flags::SaveConfigFlag,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
    #[command(flatten)]
    pub validate: crate::cmd::flags::ValidateFlag,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
}

/// Where data keys come from (`create configmap`, `create secret generic`). The texts are
/// `create configmap`'s; `create secret generic` replaces them with [`SECRET_SOURCE_HELP`].
#[derive(Debug, Clone, clap::Args)]
pub struct Sources {
    #[command(flatten)]
    pub from_file: crate::cmd::flags::FromFileFlag,
    /// Specify a key and literal value to insert in configmap (i.e. mykey=somevalue)
    #[arg(verbatim_doc_comment, long)]
    pub from_literal: Vec<String>,
    /// Specify the path to a file to read lines of key=val pairs to create a configmap.
    #[arg(verbatim_doc_comment, long, value_delimiter = ',')]
    pub from_env_file: Vec<String>,
}

/// `create secret generic`'s texts for the [`Sources`] flags: `--from-file`, `--from-literal`,
/// `--from-env-file`.
const SECRET_SOURCE_HELP: [&str; 3] = [
    "Key files can be specified using their file path, in which case a default name will be given to them, or optionally with a name and file path, in which case the given name will be used.  Specifying a directory will iterate each named file in the directory that is a valid secret key.",
    "Specify a key and literal value to insert in secret (i.e. mykey=somevalue)",
    "Specify the path to a file to read lines of key=val pairs to create a secret.",
];

/// The generators.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Generator {
    /// Create a namespace with the specified name
    #[command(visible_alias = "ns")]
    #[command(long_about = CREATE_NAMESPACE_LONG, after_help = CREATE_NAMESPACE_EXAMPLES, override_usage = CREATE_NAMESPACE_USAGE)]
    Namespace {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a config map from a local file, directory or literal value
    #[command(visible_alias = "cm")]
    #[command(mut_arg("append_hash", |a| a.help("Append a hash of the configmap to its name.")))]
    #[command(long_about = CREATE_CONFIGMAP_LONG, after_help = CREATE_CONFIGMAP_EXAMPLES, override_usage = CREATE_CONFIGMAP_USAGE)]
    Configmap {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        sources: Sources,
        #[command(flatten)]
        append_hash: crate::cmd::flags::AppendHashFlag,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a secret using a specified subcommand
    #[command(subcommand)]
    #[command(long_about = CREATE_SECRET_LONG, override_usage = CREATE_SECRET_USAGE)]
    Secret(SecretKind),
    /// Create a deployment with the specified name
    #[command(visible_alias = "deploy")]
    #[command(long_about = CREATE_DEPLOYMENT_LONG, after_help = CREATE_DEPLOYMENT_EXAMPLES, override_usage = CREATE_DEPLOYMENT_USAGE)]
    Deployment {
        /// NAME.
        names: Vec<String>,
        /// Image names to run. A deployment can have multiple images set for multi-container pod.
        #[arg(verbatim_doc_comment, long = "image", value_delimiter = ',')]
        image: Vec<String>,
        /// The containerPort that this deployment exposes.
        #[arg(verbatim_doc_comment, long = "port", default_value_t = -1, allow_negative_numbers = true)]
        port: i32,
        /// Number of replicas to create. Default is 1.
        #[arg(
            verbatim_doc_comment,
            short = 'r',
            long = "replicas",
            default_value_t = 1
        )]
        replicas: i32,
        /// The command to run in the containers (after `--`).
        #[arg(verbatim_doc_comment, last = true)]
        command: Vec<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a job with the specified name
    #[command(long_about = CREATE_JOB_LONG, after_help = CREATE_JOB_EXAMPLES, override_usage = CREATE_JOB_USAGE)]
    Job {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        image: crate::cmd::flags::ImageFlag,
        /// The name of the resource to create a Job from (only CronJob is supported).
        #[arg(verbatim_doc_comment, long = "from", default_value = "")]
        from: String,
        /// The command to run in the container (after `--`).
        #[arg(verbatim_doc_comment, last = true)]
        command: Vec<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a cron job with the specified name
    #[command(visible_alias = "cj")]
    #[command(long_about = CREATE_CRONJOB_LONG, after_help = CREATE_CRONJOB_EXAMPLES, override_usage = CREATE_CRONJOB_USAGE)]
    Cronjob {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        image: crate::cmd::flags::ImageFlag,
        /// A schedule in the Cron format the job should be run with.
        #[arg(verbatim_doc_comment, long = "schedule", default_value = "")]
        schedule: String,
        /// job's restart policy. supported values: OnFailure, Never
        #[arg(verbatim_doc_comment, long = "restart", default_value = "")]
        restart: String,
        /// The command to run in the container (after `--`).
        #[arg(verbatim_doc_comment, last = true)]
        command: Vec<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a quota with the specified name
    #[command(visible_alias = "resourcequota")]
    #[command(long_about = crate::cmd::create::quota::CREATE_QUOTA_LONG, after_help = crate::cmd::create::quota::CREATE_QUOTA_EXAMPLES, override_usage = crate::cmd::create::quota::CREATE_QUOTA_USAGE)]
    Quota {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        quota: crate::cmd::create::quota::QuotaFlags,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a cluster role
    #[command(long_about = crate::cmd::create::clusterrole::CREATE_CLUSTERROLE_LONG, after_help = crate::cmd::create::clusterrole::CREATE_CLUSTERROLE_EXAMPLES, override_usage = crate::cmd::create::clusterrole::CREATE_CLUSTERROLE_USAGE)]
    Clusterrole {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        role: crate::cmd::create::clusterrole::ClusterRoleFlags,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a cluster role binding for a particular cluster role
    #[command(long_about = crate::cmd::create::clusterrolebinding::CREATE_CLUSTERROLEBINDING_LONG, after_help = crate::cmd::create::clusterrolebinding::CREATE_CLUSTERROLEBINDING_EXAMPLES, override_usage = crate::cmd::create::clusterrolebinding::CREATE_CLUSTERROLEBINDING_USAGE)]
    Clusterrolebinding {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        binding: crate::cmd::create::clusterrolebinding::ClusterRoleBindingFlags,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a role binding for a particular role or cluster role
    #[command(long_about = crate::cmd::create::rolebinding::CREATE_ROLEBINDING_LONG, after_help = crate::cmd::create::rolebinding::CREATE_ROLEBINDING_EXAMPLES, override_usage = crate::cmd::create::rolebinding::CREATE_ROLEBINDING_USAGE)]
    Rolebinding {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        binding: crate::cmd::create::rolebinding::RoleBindingFlags,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a role with single rule
    #[command(long_about = crate::cmd::create::role::CREATE_ROLE_LONG, after_help = crate::cmd::create::role::CREATE_ROLE_EXAMPLES, override_usage = crate::cmd::create::role::CREATE_ROLE_USAGE)]
    Role {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        role: crate::cmd::create::role::RoleFlags,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create an ingress with the specified name
    #[command(visible_alias = "ing")]
    #[command(long_about = crate::cmd::create::ingress::CREATE_INGRESS_LONG, after_help = crate::cmd::create::ingress::CREATE_INGRESS_EXAMPLES, override_usage = crate::cmd::create::ingress::CREATE_INGRESS_USAGE)]
    Ingress {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        ingress: crate::cmd::create::ingress::IngressFlags,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Request a service account token
    #[command(long_about = crate::cmd::create::token::CREATE_TOKEN_LONG, after_help = crate::cmd::create::token::CREATE_TOKEN_EXAMPLES, override_usage = crate::cmd::create::token::CREATE_TOKEN_USAGE)]
    Token {
        /// SERVICE_ACCOUNT_NAME.
        names: Vec<String>,
        #[command(flatten)]
        token: crate::cmd::create::token::TokenFlags,
    },
    /// Create a service using a specified subcommand
    #[command(subcommand, visible_alias = "svc")]
    #[command(long_about = crate::cmd::create::service::CREATE_SERVICE_LONG, override_usage = crate::cmd::create::service::CREATE_SERVICE_USAGE)]
    Service(crate::cmd::create::service::ServiceKind),
    /// Create a pod disruption budget with the specified name
    #[command(visible_alias = "pdb")]
    #[command(long_about = crate::cmd::create::pdb::CREATE_PDB_LONG, after_help = crate::cmd::create::pdb::CREATE_PDB_EXAMPLES, override_usage = crate::cmd::create::pdb::CREATE_PDB_USAGE)]
    Poddisruptionbudget {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        pdb: crate::cmd::create::pdb::PdbFlags,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a priority class with the specified name
    #[command(visible_alias = "pc")]
    #[command(long_about = crate::cmd::create::priorityclass::CREATE_PC_LONG, after_help = crate::cmd::create::priorityclass::CREATE_PC_EXAMPLES, override_usage = crate::cmd::create::priorityclass::CREATE_PC_USAGE)]
    Priorityclass {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        pc: crate::cmd::create::priorityclass::PriorityClassFlags,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a service account with the specified name
    #[command(visible_alias = "sa")]
    #[command(long_about = CREATE_SERVICEACCOUNT_LONG, after_help = CREATE_SERVICEACCOUNT_EXAMPLES, override_usage = CREATE_SERVICEACCOUNT_USAGE)]
    Serviceaccount {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
}

/// `create secret` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum SecretKind {
    /// Create a secret from a local file, directory, or literal value
    #[command(
        mut_arg("from_file", |a| a.help(SECRET_SOURCE_HELP[0])),
        mut_arg("from_literal", |a| a.help(SECRET_SOURCE_HELP[1])),
        mut_arg("from_env_file", |a| a.help(SECRET_SOURCE_HELP[2]))
    )]
    #[command(long_about = CREATE_SECRET_GENERIC_LONG, after_help = CREATE_SECRET_GENERIC_EXAMPLES, override_usage = CREATE_SECRET_GENERIC_USAGE)]
    Generic {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        sources: Sources,
        #[command(flatten)]
        append_hash: crate::cmd::flags::AppendHashFlag,
        /// The type of secret to create
        #[arg(verbatim_doc_comment, long = "type")]
        secret_type: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a secret for use with a Docker registry
    #[command(name = "docker-registry")]
    #[command(long_about = crate::cmd::create::secret_docker::CREATE_SECRET_DOCKER_LONG, after_help = crate::cmd::create::secret_docker::CREATE_SECRET_DOCKER_EXAMPLES, override_usage = crate::cmd::create::secret_docker::CREATE_SECRET_DOCKER_USAGE)]
    DockerRegistry {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        docker: crate::cmd::create::secret_docker::SecretDockerFlags,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Create a TLS secret
    #[command(long_about = crate::cmd::create::secret_tls::CREATE_SECRET_TLS_LONG, after_help = crate::cmd::create::secret_tls::CREATE_SECRET_TLS_EXAMPLES, override_usage = crate::cmd::create::secret_tls::CREATE_SECRET_TLS_USAGE)]
    Tls {
        /// NAME.
        names: Vec<String>,
        #[command(flatten)]
        tls: crate::cmd::create::secret_tls::SecretTlsFlags,
        #[command(flatten)]
        common: CommonArgs,
    },
}

/// An object's `metadata` as the generators start it: the name, and the namespace only when
/// one was given (kubectl sets the object's namespace only with `EnforceNamespace`).
pub(crate) fn name_meta(name: &str, namespace: &str, enforce: bool) -> Map<String, Value> {
    let mut meta = Map::new();
    meta.insert("name".into(), json!(name));
    if enforce {
        meta.insert("namespace".into(), json!(namespace));
    }
    meta
}

/// What each generator builds and where it goes.
pub(crate) struct Built {
    pub(crate) object: Value,
    /// The plural resource (`configmaps`); its group version is the object's `apiVersion`.
    pub(crate) collection: String,
    /// False for cluster-scoped kinds (`namespaces`).
    pub(crate) namespaced: bool,
    /// `configmap`, `deployment.apps`, ...: the `-o name` / "created" prefix.
    pub(crate) display: &'static str,
    /// How kubectl wraps a failed create (`failed to create configmap: `); None: unwrapped.
    pub(crate) wrap: Option<&'static str>,
}

impl Built {
    /// A Secret to create (`create secret generic|docker-registry|tls`); `append_hash` suffixes
    /// its name with the hash of its content.
    pub(crate) fn secret(mut object: Value, append_hash: bool) -> Built {
        if append_hash {
            let hash = crate::ops::namehash::name_hash(&object);
            let name = object["metadata"]["name"].as_str().unwrap_or_default();
            object["metadata"]["name"] = json!(format!("{name}-{hash}"));
        }
        Built {
            object,
            collection: "secrets".into(),
            namespaced: true,
            display: "secret",
            wrap: Some("failed to create secret "),
        }
    }
}

impl Generator {
    /// The subcommand path for usage errors.
    fn command(&self) -> &'static str {
        match self {
            Generator::Namespace { .. } => "kubectl-rs create namespace",
            Generator::Configmap { .. } => "kubectl-rs create configmap",
            Generator::Secret(SecretKind::Generic { .. }) => "kubectl-rs create secret generic",
            Generator::Secret(SecretKind::Tls { .. }) => "kubectl-rs create secret tls",
            Generator::Secret(SecretKind::DockerRegistry { .. }) => {
                "kubectl-rs create secret docker-registry"
            }
            Generator::Ingress { .. } => "kubectl-rs create ingress",
            Generator::Token { .. } => "kubectl-rs create token",
            Generator::Deployment { .. } => "kubectl-rs create deployment",
            Generator::Serviceaccount { .. } => "kubectl-rs create serviceaccount",
            Generator::Job { .. } => "kubectl-rs create job",
            Generator::Cronjob { .. } => "kubectl-rs create cronjob",
            Generator::Service(k) => k.command(),
            Generator::Quota { .. } => "kubectl-rs create quota",
            Generator::Role { .. } => "kubectl-rs create role",
            Generator::Clusterrole { .. } => "kubectl-rs create clusterrole",
            Generator::Poddisruptionbudget { .. } => "kubectl-rs create poddisruptionbudget",
            Generator::Priorityclass { .. } => "kubectl-rs create priorityclass",
            Generator::Clusterrolebinding { .. } => "kubectl-rs create clusterrolebinding",
            Generator::Rolebinding { .. } => "kubectl-rs create rolebinding",
        }
    }

    /// The NAME arguments and the create flags (`create token` has none).
    fn parts(&self) -> (&[String], Option<&CommonArgs>) {
        match self {
            Generator::Token { names, .. } => (names, None),
            Generator::Service(k) => {
                let (names, common) = k.parts();
                (names, Some(common))
            }
            Generator::Ingress { names, common, .. }
            | Generator::Secret(SecretKind::Tls { names, common, .. })
            | Generator::Secret(SecretKind::DockerRegistry { names, common, .. })
            | Generator::Quota { names, common, .. }
            | Generator::Role { names, common, .. }
            | Generator::Clusterrole { names, common, .. }
            | Generator::Poddisruptionbudget { names, common, .. }
            | Generator::Priorityclass { names, common, .. }
            | Generator::Clusterrolebinding { names, common, .. }
            | Generator::Rolebinding { names, common, .. }
            | Generator::Namespace { names, common }
            | Generator::Configmap { names, common, .. }
            | Generator::Deployment { names, common, .. }
            | Generator::Serviceaccount { names, common }
            | Generator::Job { names, common, .. }
            | Generator::Cronjob { names, common, .. }
            | Generator::Secret(SecretKind::Generic { names, common, .. }) => (names, Some(common)),
        }
    }

    /// kubectl's `NameFromCommandArgs`: exactly one NAME.
    fn one_name<'a>(&self, names: &'a [String]) -> Result<&'a String, CliError> {
        match names {
            [name] => Ok(name),
            _ => Err(CliError::Usage {
                message: format!("exactly one NAME is required, got {}", names.len()),
                command: self.command().into(),
            }),
        }
    }

    /// Runs the generator.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let (names, common) = self.parts();
        if let Generator::Clusterrolebinding { binding, .. } = self {
            binding.check_required()?;
        }
        let name = self.one_name(names)?;
        let common = match (self, common) {
            (_, Some(common)) => common,
            // `create token` has none of the create flags.
            (Generator::Token { token, .. }, None) => return token.run(ctx, name).await,
            (_, None) => return Err(CliError::msg("missing create flags")),
        };
        match self {
            Generator::Service(k) => return k.run(ctx, name).await,
            Generator::Quota { quota, .. } => return quota.run(ctx, common, name).await,
            Generator::Role { role, .. } => return role.run(ctx, common, name).await,
            Generator::Clusterrole { role, .. } => return role.run(ctx, common, name).await,
            Generator::Poddisruptionbudget { pdb, .. } => return pdb.run(ctx, common, name).await,
            Generator::Priorityclass { pc, .. } => return pc.run(ctx, common, name).await,
            Generator::Clusterrolebinding { binding, .. } => {
                return binding.run(ctx, common, name).await
            }
            Generator::Rolebinding { binding, .. } => return binding.run(ctx, common, name).await,
            Generator::Ingress { ingress, .. } => return ingress.run(ctx, common, name).await,
            Generator::Secret(SecretKind::Tls { tls, .. }) => {
                return tls.run(ctx, common, name).await
            }
            Generator::Secret(SecretKind::DockerRegistry { docker, .. }) => {
                return docker.run(ctx, common, name).await
            }
            Generator::Deployment { image, .. } if image.is_empty() => {
                return Err(CliError::msg("required flag(s) \"image\" not set"));
            }
            Generator::Cronjob {
                image, schedule, ..
            } if image.value.is_empty() || schedule.is_empty() => {
                let missing: Vec<&str> = [("image", &image.value), ("schedule", schedule)]
                    .into_iter()
                    .filter(|(_, v)| v.is_empty())
                    .map(|(n, _)| n)
                    .collect();
                let quoted: Vec<String> = missing.iter().map(|m| format!("{m:?}")).collect();
                return Err(CliError::msg(format!(
                    "required flag(s) {} not set",
                    quoted.join(", ")
                )));
            }
            Generator::Job {
                image,
                from,
                command,
                ..
            } => {
                if image.value.is_empty() == from.is_empty() {
                    return Err(CliError::msg("either --image or --from must be specified"));
                }
                if !command.is_empty() && !from.is_empty() {
                    return Err(CliError::msg("cannot specify --from and command"));
                }
            }
            _ => {}
        }
        let dry_run = common.dry_run.strategy(ctx)?;
        let validation = field_validation(&common.validate.value)?;
        let (namespace, enforce) = ctx.namespace()?;
        let meta_ns = enforce.then_some(namespace.as_str());
        let mut built = self.build(name, meta_ns, &ctx.env)?;
        // kubectl's `--append-hash`: the hash of the object as built, then the new name.
        if let Generator::Configmap {
            append_hash: crate::cmd::flags::AppendHashFlag { value: true },
            ..
        }
        | Generator::Secret(SecretKind::Generic {
            append_hash: crate::cmd::flags::AppendHashFlag { value: true },
            ..
        }) = self
        {
            let hash = crate::ops::namehash::name_hash(&built.object);
            built.object["metadata"]["name"] = json!(format!("{name}-{hash}"));
        }
        if let Generator::Job { from, .. } = self {
            if !from.is_empty() {
                built.object = job_from(ctx, from, name, meta_ns, &namespace).await?;
            }
        }
        submit(ctx, common, built, &namespace, dry_run, validation).await
    }

    fn build(&self, name: &str, namespace: Option<&str>, env: &Env) -> Result<Built, CliError> {
        let mut meta = json!({"name": name});
        if let Some(ns) = namespace {
            meta["namespace"] = json!(ns);
        }
        Ok(match self {
            Generator::Namespace { .. } => Built {
                object: json!({"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": name}, "spec": {}, "status": {}}),
                collection: "namespaces".into(),
                namespaced: false,
                display: "namespace",
                wrap: None,
            },
            Generator::Job { image, command, .. } => {
                let mut container = json!({"name": name, "image": image.value, "resources": {}});
                if !command.is_empty() {
                    container["command"] = json!(command);
                }
                Built {
                    object: json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
                        "spec": {"template": {"metadata": {},
                            "spec": {"containers": [container], "restartPolicy": "Never"}}},
                        "status": {}}),
                    collection: "jobs".into(),
                    namespaced: true,
                    display: "job.batch",
                    wrap: Some("failed to create job: "),
                }
            }
            Generator::Cronjob {
                image,
                schedule,
                restart,
                command,
                ..
            } => {
                let mut container = json!({"name": name, "image": image.value, "resources": {}});
                if !command.is_empty() {
                    container["command"] = json!(command);
                }
                let restart = if restart.is_empty() {
                    "OnFailure"
                } else {
                    restart
                };
                Built {
                    object: json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
                        "spec": {"schedule": schedule, "jobTemplate": {"metadata": {"name": name},
                            "spec": {"template": {"metadata": {},
                                "spec": {"containers": [container], "restartPolicy": restart}}}}},
                        "status": {}}),
                    collection: "cronjobs".into(),
                    namespaced: true,
                    display: "cronjob.batch",
                    wrap: Some("failed to create cronjob: "),
                }
            }
            // Built in create/service.rs and create/quota.rs (their runs return before this).
            Generator::Service(_)
            | Generator::Ingress { .. }
            | Generator::Token { .. }
            | Generator::Secret(SecretKind::Tls { .. } | SecretKind::DockerRegistry { .. })
            | Generator::Quota { .. }
            | Generator::Role { .. }
            | Generator::Clusterrole { .. }
            | Generator::Poddisruptionbudget { .. }
            | Generator::Priorityclass { .. }
            | Generator::Clusterrolebinding { .. }
            | Generator::Rolebinding { .. } => {
                return Err(CliError::msg(format!(
                    "{} builds its own object",
                    self.command()
                )))
            }
            Generator::Serviceaccount { .. } => Built {
                object: json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}),
                collection: "serviceaccounts".into(),
                namespaced: true,
                display: "serviceaccount",
                wrap: Some("failed to create serviceaccount: "),
            },
            Generator::Configmap { sources, .. } => {
                let mut data = Map::new();
                let mut binary = Map::new();
                sources.validate()?;
                let mut add = |key: String, bytes: Vec<u8>| -> Result<(), CliError> {
                    config_key(&key).map_err(|e| {
                        CliError::msg(format!(
                            "{key:?} is not a valid key name for a ConfigMap: {}",
                            e.join(",")
                        ))
                    })?;
                    for (m, which) in [(&data, "Data"), (&binary, "BinaryData")] {
                        if m.contains_key(&key) {
                            return Err(CliError::msg(format!(
                                "cannot add key {key:?}, another key by that name already exists in {which} for ConfigMap {name:?}"
                            )));
                        }
                    }
                    match String::from_utf8(bytes) {
                        Ok(text) => data.insert(key, json!(text)),
                        Err(e) => binary.insert(
                            key,
                            json!(base64::engine::general_purpose::STANDARD.encode(e.into_bytes())),
                        ),
                    };
                    Ok(())
                };
                // kubectl's order: files, literals, env files.
                sources.files(&mut add)?;
                sources.literals(&mut add)?;
                sources.env_files(env, &mut add)?;
                let mut object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta});
                if !data.is_empty() {
                    object["data"] = Value::Object(data);
                }
                if !binary.is_empty() {
                    object["binaryData"] = Value::Object(binary);
                }
                Built {
                    object,
                    collection: "configmaps".into(),
                    namespaced: true,
                    display: "configmap",
                    wrap: Some("failed to create configmap: "),
                }
            }
            Generator::Secret(SecretKind::Generic {
                sources,
                secret_type,
                ..
            }) => {
                sources.validate()?;
                let mut data = Map::new();
                let mut add = |key: String, bytes: Vec<u8>| add_secret_key(&mut data, key, bytes);
                // kubectl's order: literals, files, env files.
                sources.literals(&mut add)?;
                sources.files(&mut add)?;
                sources.env_files(env, &mut add)?;
                let mut object = json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta});
                if !data.is_empty() {
                    object["data"] = Value::Object(data);
                }
                if let Some(t) = secret_type.as_deref().filter(|t| !t.is_empty()) {
                    object["type"] = json!(t);
                }
                // `--append-hash` comes after the build, as for configmaps (see `run`).
                Built::secret(object, false)
            }
            Generator::Deployment {
                image,
                port,
                replicas,
                command,
                ..
            } => {
                let labels = json!({"app": name});
                meta["labels"] = labels.clone();
                let mut containers: Vec<Value> = image
                    .iter()
                    .map(|img| {
                        let mut c =
                            json!({"name": container_name(img), "image": img, "resources": {}});
                        if !command.is_empty() {
                            c["command"] = json!(command);
                        }
                        c
                    })
                    .collect();
                if *port >= 0 {
                    if let Some(c) = containers.first_mut() {
                        c["ports"] = json!([{"containerPort": port}]);
                    }
                }
                Built {
                    object: json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
                        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                            "template": {"metadata": {"labels": labels},
                                "spec": {"containers": containers}},
                            "strategy": {}},
                        "status": {}}),
                    collection: "deployments".into(),
                    namespaced: true,
                    display: "deployment.apps",
                    wrap: Some("failed to create deployment: "),
                }
            }
        })
    }
}

/// `create job --from=cronjob/NAME`: a Job from the CronJob's job template, owned by it and
/// marked as instantiated by hand.
async fn job_from(
    ctx: &Context,
    from: &str,
    name: &str,
    meta_ns: Option<&str>,
    namespace: &str,
) -> Result<Value, CliError> {
    let Some((ty, source)) = from.split_once('/') else {
        return Err(CliError::msg("from must be an existing cronjob"));
    };
    let resources = ctx.discovery()?.resolve(ty).await?;
    let resource = resources
        .first()
        .ok_or_else(|| CliError::msg("from must be an existing cronjob"))?;
    let path = resource.path(Some(namespace), Some(source))?;
    let cron = ctx.client()?.get_json(&path).await?;
    if cron["kind"] != "CronJob" {
        return Err(CliError::msg(format!(
            "unknown object type *v1.{}",
            cron["kind"].as_str().unwrap_or_default()
        )));
    }
    let template = &cron["spec"]["jobTemplate"];
    let mut annotations = json!({"cronjob.kubernetes.io/instantiate": "manual"});
    if let Some(a) = template["metadata"]["annotations"].as_object() {
        for (k, v) in a {
            annotations[k] = v.clone();
        }
    }
    let mut meta = json!({"name": name, "annotations": annotations,
        "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob",
            "name": cron["metadata"]["name"], "uid": cron["metadata"]["uid"], "controller": true}]});
    if let Some(labels) = template["metadata"].get("labels").filter(|l| !l.is_null()) {
        meta["labels"] = labels.clone();
    }
    if let Some(ns) = meta_ns {
        meta["namespace"] = json!(ns);
    }
    Ok(
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
        "spec": template["spec"].clone(), "status": {}}),
    )
}

/// Saves the configuration when asked, creates the object (unless `--dry-run=client`) and
/// prints it: the part every generator shares.
pub(crate) async fn submit(
    ctx: &Context,
    common: &CommonArgs,
    mut built: Built,
    namespace: &str,
    dry_run: DryRun,
    validation: &str,
) -> Result<(), CliError> {
    let printer = printer(common)?;
    common.save_config.annotate(&mut built.object)?;
    let object = if dry_run == DryRun::Client {
        built.object
    } else {
        let (group, version) = match built.object["apiVersion"].as_str() {
            Some(gv) => gv.split_once('/').unwrap_or(("", gv)),
            None => ("", "v1"),
        };
        let path = crate::client::ResourcePath {
            group,
            version,
            resource: &built.collection,
            namespace: built.namespaced.then_some(namespace),
            name: None,
            subresource: None,
        }
        .build();
        let sent = match path {
            Ok(path) => {
                let req = dry_run
                    .query(ApiRequest::post_go_json(path, &built.object))
                    .query("fieldManager", common.field_manager.as_str())
                    .query("fieldValidation", validation);
                ctx.client()?.send_json(&req).await
            }
            Err(e) => Err(e.into()),
        };
        match sent {
            Ok(v) => v,
            Err(e) => {
                return Err(match built.wrap {
                    None => e.into(),
                    Some(prefix) => CliError::msg(format!("{prefix}{e}")),
                })
            }
        }
    };
    print(ctx, printer, &object, built.display, dry_run)
}

impl CommonArgs {
    /// kubectl's `PrintFlags.ToPrinter` in `Complete`: a bad `-o` is refused before the
    /// generator's own checks.
    pub(crate) fn check_printer(&self) -> Result<(), CliError> {
        printer(self).map(|_| ())
    }
}

/// kubectl's `PrintFlags.ToPrinter`, done before anything is sent (a bad `-o` creates
/// nothing): None for the "created" line.
fn printer(common: &CommonArgs) -> Result<Option<GenericPrinter>, CliError> {
    // A `--template` alone implies `-o go-template` (cli-runtime `PrintFlags.ToPrinter`).
    if common.print.output.is_empty() && common.print.template.as_deref().is_none_or(str::is_empty)
    {
        return Ok(None);
    }
    // kubectl prints the typed objects its generators use: JSON in Go struct order.
    common.print.generic_printer().map(Some)
}

/// The printed line, or the object in the `-o` format.
fn print(
    ctx: &Context,
    printer: Option<GenericPrinter>,
    object: &Value,
    display: &str,
    dry_run: DryRun,
) -> Result<(), CliError> {
    let Some(mut printer) = printer else {
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        let line = format!("{display}/{name} created{}\n", dry_run.suffix());
        ctx.out().write_all(line.as_bytes())?;
        return Ok(());
    };
    let mut out = ctx.out();
    printer
        .print(object, &mut **out)
        .and_then(|_| printer.finish(&mut **out))
        .map_err(CliError::from)
}

/// A container name from its image, as `create deployment` derives it (`nginx:1.27` → `nginx`).
fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let name = last.split(':').next().unwrap_or(last);
    let name = name.split('@').next().unwrap_or(name);
    if name.contains(['_', '.']) {
        // kubectl's sanitizeAndUniquify: a random suffix keeps the sanitized names apart.
        let clean = name.replace(['_', '.'], "-");
        format!("{clean}-{}", kcore::rand::random_suffix(5))
    } else {
        name.to_string()
    }
}

/// kubectl's `addKeyFromLiteralToSecret`: a valid key, not there yet, its value in base64.
pub(crate) fn add_secret_key(
    data: &mut Map<String, Value>,
    key: String,
    bytes: Vec<u8>,
) -> Result<(), CliError> {
    if let Err(e) = config_key(&key) {
        return Err(CliError::msg(format!(
            "{key:?} is not valid key name for a Secret {}",
            e.join(";")
        )));
    }
    if data.contains_key(&key) {
        return Err(CliError::msg(format!(
            "cannot add key {key}, another key by that name already exists"
        )));
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    data.insert(key, json!(b64));
    Ok(())
}

/// apimachinery `IsConfigMapKey` (kcore's, shared with the sandbox's validation).
fn config_key(key: &str) -> Result<(), Vec<String>> {
    let errs = kcore::validation::config_map_key(key);
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

impl Sources {
    fn validate(&self) -> Result<(), CliError> {
        if !self.from_env_file.is_empty()
            && (!self.from_file.value.is_empty() || !self.from_literal.is_empty())
        {
            return Err(CliError::msg(
                "from-env-file cannot be combined with from-file or from-literal",
            ));
        }
        Ok(())
    }

    fn literals(
        &self,
        add: &mut dyn FnMut(String, Vec<u8>) -> Result<(), CliError>,
    ) -> Result<(), CliError> {
        for source in &self.from_literal {
            match source.split_once('=') {
                Some((k, v)) if !k.is_empty() => add(k.to_string(), v.as_bytes().to_vec())?,
                _ => {
                    return Err(CliError::msg(format!(
                        "invalid literal source {source}, expected key=value"
                    )))
                }
            }
        }
        Ok(())
    }

    pub(crate) fn files(
        &self,
        add: &mut dyn FnMut(String, Vec<u8>) -> Result<(), CliError>,
    ) -> Result<(), CliError> {
        for source in &self.from_file.value {
            let (key, path) = match source.matches('=').count() {
                0 => (
                    Path::new(source)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    source.as_str(),
                ),
                1 if source.starts_with('=') => {
                    return Err(CliError::msg(format!(
                        "key name for file path {} missing",
                        &source[1..]
                    )))
                }
                1 if source.ends_with('=') => {
                    return Err(CliError::msg(format!(
                        "file path for key name {} missing",
                        &source[..source.len() - 1]
                    )))
                }
                1 => {
                    let (k, p) = source.split_once('=').expect("one '='");
                    (k.to_string(), p)
                }
                _ => return Err(CliError::msg("key names or file paths cannot contain '='")),
            };
            let meta = std::fs::metadata(path)
                .map_err(|e| CliError::msg(format!("error reading {path}: {}", io_text(&e))))?;
            if meta.is_dir() {
                if source.contains('=') {
                    return Err(CliError::msg("cannot give a key name for a directory path"));
                }
                let mut entries: Vec<_> = std::fs::read_dir(path)
                    .map_err(|e| {
                        CliError::msg(format!("error listing files in {path}: {}", io_text(&e)))
                    })?
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .collect();
                entries.sort_by_key(|e| e.file_name());
                for e in entries {
                    let bytes =
                        std::fs::read(e.path()).map_err(|err| CliError::msg(io_text(&err)))?;
                    add(e.file_name().to_string_lossy().into_owned(), bytes)?;
                }
            } else {
                let bytes = std::fs::read(path).map_err(|e| CliError::msg(io_text(&e)))?;
                add(key.to_string(), bytes)?;
            }
        }
        Ok(())
    }

    /// `--from-env-file`: a line without `=` takes the variable's value from the environment.
    fn env_files(
        &self,
        env: &Env,
        add: &mut dyn FnMut(String, Vec<u8>) -> Result<(), CliError>,
    ) -> Result<(), CliError> {
        for path in &self.from_env_file {
            let meta = std::fs::metadata(path)
                .map_err(|e| CliError::msg(format!("error reading {path}: {}", io_text(&e))))?;
            if meta.is_dir() {
                return Err(CliError::msg("env config file cannot be a directory"));
            }
            let bytes = std::fs::read(path).map_err(|e| CliError::msg(io_text(&e)))?;
            for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                let Ok(mut line) = std::str::from_utf8(raw) else {
                    return Err(CliError::msg(format!(
                        "env file {path} contains invalid utf8 bytes at line {}: {raw:?}",
                        i + 1
                    )));
                };
                if i == 0 {
                    line = line.trim_start_matches('\u{feff}');
                }
                let line = line.trim_start();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let (key, value) = match line.split_once('=') {
                    Some((k, v)) => (k, v.to_string()),
                    None => (line, env.get(line).unwrap_or_default().to_string()),
                };
                if !env_var_name(key) {
                    return Err(CliError::msg(format!(
                        "{key:?} is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
                    )));
                }
                add(key.to_string(), value.into_bytes())?;
            }
        }
        Ok(())
    }
}

fn env_var_name(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '.' | '_'))
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// `kubectl create configmap`: kubectl's description.
pub const CREATE_CONFIGMAP_LONG: &str = r"Create a config map based on a file, directory, or specified literal value.

 A single config map may package one or more key/value pairs.

 When creating a config map based on a file, the key will default to the basename of the file, and the value will default to the file content.  If the basename is an invalid key, you may specify an alternate key.

 When creating a config map based on a directory, each file whose basename is a valid key in the directory will be packaged into the config map.  Any directory entries except regular files are ignored (e.g. subdirectories, symlinks, devices, pipes, etc).";

/// `kubectl create configmap`: kubectl's examples.
pub const CREATE_CONFIGMAP_EXAMPLES: &str = r"Examples:
  # Create a new config map named my-config based on folder bar
  kubectl create configmap my-config --from-file=path/to/bar
  
  # Create a new config map named my-config with specified keys instead of file basenames on disk
  kubectl create configmap my-config --from-file=key1=/path/to/bar/file1.txt --from-file=key2=/path/to/bar/file2.txt
  
  # Create a new config map named my-config with key1=config1 and key2=config2
  kubectl create configmap my-config --from-literal=key1=config1 --from-literal=key2=config2
  
  # Create a new config map named my-config with key=value pairs from an env file
  kubectl create configmap my-config --from-env-file=path/to/bar.env";

/// `kubectl create configmap`: kubectl's usage (`Use`).
pub const CREATE_CONFIGMAP_USAGE: &str = r"configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]";

/// `kubectl create cronjob`: kubectl's description.
pub const CREATE_CRONJOB_LONG: &str = r"Create a cron job with the specified name.";

/// `kubectl create cronjob`: kubectl's examples.
pub const CREATE_CRONJOB_EXAMPLES: &str = r#"Examples:
  # Create a cron job
  kubectl create cronjob my-job --image=busybox --schedule="*/1 * * * *"
  
  # Create a cron job with a command
  kubectl create cronjob my-job --image=busybox --schedule="*/1 * * * *" -- date"#;

/// `kubectl create cronjob`: kubectl's usage (`Use`).
pub const CREATE_CRONJOB_USAGE: &str =
    r"cronjob NAME --image=image --schedule='0/5 * * * ?' -- [COMMAND] [args...] [flags]";

/// `kubectl create deployment`: kubectl's description.
pub const CREATE_DEPLOYMENT_LONG: &str = r"Create a deployment with the specified name.";

/// `kubectl create deployment`: kubectl's examples.
pub const CREATE_DEPLOYMENT_EXAMPLES: &str = r"Examples:
  # Create a deployment named my-dep that runs the busybox image
  kubectl create deployment my-dep --image=busybox
  
  # Create a deployment with a command
  kubectl create deployment my-dep --image=busybox -- date
  
  # Create a deployment named my-dep that runs the nginx image with 3 replicas
  kubectl create deployment my-dep --image=nginx --replicas=3
  
  # Create a deployment named my-dep that runs the busybox image and expose port 5701
  kubectl create deployment my-dep --image=busybox --port=5701
  
  # Create a deployment named my-dep that runs multiple containers
  kubectl create deployment my-dep --image=busybox:latest --image=ubuntu:latest --image=nginx";

/// `kubectl create deployment`: kubectl's usage (`Use`).
pub const CREATE_DEPLOYMENT_USAGE: &str = r"deployment NAME --image=image -- [COMMAND] [args...]";

/// `kubectl create job`: kubectl's description.
pub const CREATE_JOB_LONG: &str = r"Create a job with the specified name.";

/// `kubectl create job`: kubectl's examples.
pub const CREATE_JOB_EXAMPLES: &str = r#"Examples:
  # Create a job
  kubectl create job my-job --image=busybox
  
  # Create a job with a command
  kubectl create job my-job --image=busybox -- date
  
  # Create a job from a cron job named "a-cronjob"
  kubectl create job test-job --from=cronjob/a-cronjob"#;

/// `kubectl create job`: kubectl's usage (`Use`).
pub const CREATE_JOB_USAGE: &str =
    r"job NAME --image=image [--from=cronjob/name] -- [COMMAND] [args...]";

/// `kubectl create namespace`: kubectl's description.
pub const CREATE_NAMESPACE_LONG: &str = r"Create a namespace with the specified name.";

/// `kubectl create namespace`: kubectl's examples.
pub const CREATE_NAMESPACE_EXAMPLES: &str = r"Examples:
  # Create a new namespace named my-namespace
  kubectl create namespace my-namespace";

/// `kubectl create namespace`: kubectl's usage (`Use`).
pub const CREATE_NAMESPACE_USAGE: &str = r"namespace NAME [--dry-run=server|client|none]";

/// `kubectl create secret generic`: kubectl's description.
pub const CREATE_SECRET_GENERIC_LONG: &str = r"Create a secret based on a file, directory, or specified literal value.

 A single secret may package one or more key/value pairs.

 When creating a secret based on a file, the key will default to the basename of the file, and the value will default to the file content. If the basename is an invalid key or you wish to chose your own, you may specify an alternate key.

 When creating a secret based on a directory, each file whose basename is a valid key in the directory will be packaged into the secret. Any directory entries except regular files are ignored (e.g. subdirectories, symlinks, devices, pipes, etc).";

/// `kubectl create secret generic`: kubectl's examples.
pub const CREATE_SECRET_GENERIC_EXAMPLES: &str = r"Examples:
  # Create a new secret named my-secret with keys for each file in folder bar
  kubectl create secret generic my-secret --from-file=path/to/bar
  
  # Create a new secret named my-secret with specified keys instead of names on disk
  kubectl create secret generic my-secret --from-file=ssh-privatekey=path/to/id_rsa --from-file=ssh-publickey=path/to/id_rsa.pub
  
  # Create a new secret named my-secret with key1=supersecret and key2=topsecret
  kubectl create secret generic my-secret --from-literal=key1=supersecret --from-literal=key2=topsecret
  
  # Create a new secret named my-secret using a combination of a file and a literal
  kubectl create secret generic my-secret --from-file=ssh-privatekey=path/to/id_rsa --from-literal=passphrase=topsecret
  
  # Create a new secret named my-secret from env files
  kubectl create secret generic my-secret --from-env-file=path/to/foo.env --from-env-file=path/to/bar.env";

/// `kubectl create secret generic`: kubectl's usage (`Use`).
pub const CREATE_SECRET_GENERIC_USAGE: &str = r"generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]";

/// `kubectl create secret`: kubectl's description.
pub const CREATE_SECRET_LONG: &str = r"Create a secret with specified type.

 A docker-registry type secret is for accessing a container registry.

 A generic type secret indicate an Opaque secret type.

 A tls type secret holds TLS certificate and its associated key.";

/// `kubectl create secret`: kubectl's usage (`Use`).
pub const CREATE_SECRET_USAGE: &str = r"secret (docker-registry | generic | tls)";

/// `kubectl create serviceaccount`: kubectl's description.
pub const CREATE_SERVICEACCOUNT_LONG: &str = r"Create a service account with the specified name.";

/// `kubectl create serviceaccount`: kubectl's examples.
pub const CREATE_SERVICEACCOUNT_EXAMPLES: &str = r"Examples:
  # Create a new service account named my-service-account
  kubectl create serviceaccount my-service-account";

/// `kubectl create serviceaccount`: kubectl's usage (`Use`).
pub const CREATE_SERVICEACCOUNT_USAGE: &str = r"serviceaccount NAME [--dry-run=server|client|none]";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_names_come_from_images() {
        assert_eq!(container_name("nginx:1.27"), "nginx");
        assert_eq!(container_name("registry.k8s.io/pause@sha256:abc"), "pause");
        let sanitized = container_name("my_app.v2:1");
        assert!(
            sanitized.starts_with("my-app-v2-") && sanitized.len() == 15,
            "{sanitized}"
        );
    }

    #[test]
    fn keys_are_validated_as_kubectl_does() {
        assert!(config_key("a.b-c_D9").is_ok());
        assert!(config_key("a b").is_err());
        assert!(config_key("..x").is_err());
        assert!(env_var_name("MY_ENV.NAME") && !env_var_name("9x") && !env_var_name("a b"));
    }
}

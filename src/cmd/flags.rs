//! Shared flag groups, each flag defined once: the global (connection/config) flags every
//! command accepts, and the groups commands flatten (`#[command(flatten)]`) as kubectl's
//! commands embed cli-runtime's flag structs: [`FilenameFlags`], [`KustomizeFlag`],
//! [`LabelSelectorFlag`], [`FieldSelectorFlag`], [`AllFlag`], [`AllNamespacesFlag`],
//! [`DryRunFlag`], [`FieldManagerFlag`], [`DeleteFlags`], [`WaitFlags`], [`PrintFlags`],
//! [`MetadataUpdateArgs`] (label, annotate), [`OutputFlag`] (a command's own `-o` formats), and single flags several commands share
//! ([`LocalFlag`], [`OverwriteFlag`], [`ValidateFlag`], [`WatchFlag`], ...). Doc comments are kubectl's help texts (help, man pages and completions are
//! generated from them); where kubectl words a flag differently for one command, that command
//! replaces only the sentence with `#[command(mut_arg("ID", |a| a.help("...")))]`.

use crate::context::Context;
use crate::error::CliError;
use crate::kubeconfig::ConfigOverrides;
pub use crate::ops::dryrun::{dry_run_flag, DryRun};
use crate::print::gofmt::go_quote;
use crate::print::{GenericOptions, GenericPrinter, OutputFormat};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// pflag's bool flag, as `#[arg(go_bool(DEFAULT))]` (or `go_bool_opt()` for an `Option<bool>`
/// that tells "not given" apart): `--x` alone means true, `--x=false` sets it, and the next word
/// is never taken as its value.
pub trait GoBoolArg {
    /// A bool flag with kubectl's default.
    fn go_bool(self, default: bool) -> Self;
    /// A bool flag with no default (absent unless typed).
    fn go_bool_opt(self) -> Self;
}

impl GoBoolArg for clap::Arg {
    fn go_bool(self, default: bool) -> Self {
        self.go_bool_opt()
            .default_value(if default { "true" } else { "false" })
    }

    fn go_bool_opt(self) -> Self {
        self.num_args(0..=1)
            .require_equals(true)
            .default_missing_value("true")
    }
}

/// The flags kubectl accepts on every command (`kubectl options`).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Username to impersonate for the operation. User could be a regular user or a service account in a namespace.
    #[arg(
        verbatim_doc_comment,
        long = "as",
        global = true,
        value_name = "string"
    )]
    pub as_user: Option<String>,

    /// Group to impersonate for the operation, this flag can be repeated to specify multiple groups.
    #[arg(verbatim_doc_comment, long, global = true, value_name = "stringArray")]
    pub as_group: Vec<String>,

    /// UID to impersonate for the operation.
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub as_uid: Option<String>,

    /// User extras to impersonate for the operation, this flag can be repeated to specify multiple values for the same key.
    #[arg(verbatim_doc_comment, long, global = true, value_name = "stringArray")]
    pub as_user_extra: Vec<String>,

    /// Default cache directory
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub cache_dir: Option<PathBuf>,

    /// Path to a cert file for the certificate authority
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub certificate_authority: Option<PathBuf>,

    /// Path to a client certificate file for TLS
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub client_certificate: Option<PathBuf>,

    /// Path to a client key file for TLS
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub client_key: Option<PathBuf>,

    /// The name of the kubeconfig cluster to use
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub cluster: Option<String>,

    /// The name of the kubeconfig context to use
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub context: Option<String>,

    /// If true, opt-out of response compression for all requests to the server
    #[arg(
        verbatim_doc_comment,
        long,
        global = true,
        value_name = "bool",
        go_bool(false)
    )]
    pub disable_compression: bool,

    /// If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure
    #[arg(
        verbatim_doc_comment,
        long,
        global = true,
        value_name = "bool",
        go_bool(false)
    )]
    pub insecure_skip_tls_verify: bool,

    /// Path to the kubeconfig file to use for CLI requests.
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub kubeconfig: Option<PathBuf>,

    /// Path to the kuberc file to use for preferences. This can be disabled by exporting KUBECTL_KUBERC=false feature gate or turning off the feature KUBERC=off.
    #[arg(
        verbatim_doc_comment,
        long,
        global = true,
        overrides_with = "kuberc",
        value_name = "string"
    )]
    pub kuberc: Option<PathBuf>,

    /// Require server version to match client version
    #[arg(
        verbatim_doc_comment,
        long,
        global = true,
        value_name = "bool",
        go_bool(false)
    )]
    pub match_server_version: bool,

    /// If present, the namespace scope for this CLI request
    #[arg(
        verbatim_doc_comment,
        short = 'n',
        long,
        global = true,
        value_name = "string"
    )]
    pub namespace: Option<String>,

    /// Password for basic authentication to the API server
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub password: Option<String>,

    /// The length of time to wait before giving up on a single server request. Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't timeout requests.
    #[arg(
        verbatim_doc_comment,
        long,
        global = true,
        value_name = "string",
        default_value = "0"
    )]
    pub request_timeout: String,

    /// The address and port of the Kubernetes API server
    #[arg(
        verbatim_doc_comment,
        short = 's',
        long,
        global = true,
        value_name = "string"
    )]
    pub server: Option<String>,

    /// Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub tls_server_name: Option<String>,

    /// Bearer token for authentication to the API server
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub token: Option<String>,

    /// The name of the kubeconfig user to use
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub user: Option<String>,

    /// Username for basic authentication to the API server
    #[arg(verbatim_doc_comment, long, global = true, value_name = "string")]
    pub username: Option<String>,

    /// Treat warnings received from the server as errors and exit with a non-zero exit code
    #[arg(
        verbatim_doc_comment,
        long,
        global = true,
        value_name = "bool",
        go_bool(false)
    )]
    pub warnings_as_errors: bool,

    /// number for the log level verbosity
    #[arg(
        verbatim_doc_comment,
        short = 'v',
        long,
        global = true,
        value_name = "Level",
        default_value_t = 0
    )]
    pub v: u8,

    /// Ids of the command's own flags that shadow a global flag of the same name and were
    /// not typed (set by `cmd::parse`; see there).
    #[arg(skip)]
    pub shadow_defaults: Vec<String>,
}

/// The message kubectl gives for a bad `--request-timeout`.
pub const TIMEOUT_ERROR: &str = "Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)";

/// Parses kubectl's `--request-timeout`: `0`, a bare integer (seconds), or a Go duration
/// (`500ms`, `5s`, `1m30s`, `2h`).
pub fn parse_request_timeout(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(Duration::ZERO);
    }
    if let Ok(n) = s.parse::<u64>() {
        return Ok(Duration::from_secs(n));
    }
    parse_go_duration(s).ok_or_else(|| TIMEOUT_ERROR.to_string())
}

/// Go's `time.ParseDuration` for non-negative values (`0`, `+5s` and `-0` too, as Go takes them).
pub fn parse_go_duration(s: &str) -> Option<Duration> {
    let nanos = kcore::duration::parse_go_duration_nanos(s)?;
    u64::try_from(nanos).ok().map(Duration::from_nanos)
}

impl GlobalArgs {
    /// The kubeconfig overrides these flags carry (`--request-timeout` already parsed).
    pub fn overrides(&self) -> Result<ConfigOverrides, String> {
        let nonempty = |o: &Option<String>| o.clone().filter(|s| !s.is_empty());
        Ok(ConfigOverrides {
            context: nonempty(&self.context),
            cluster: nonempty(&self.cluster),
            user: nonempty(&self.user),
            namespace: nonempty(&self.namespace),
            server: nonempty(&self.server),
            token: nonempty(&self.token),
            certificate_authority: self
                .certificate_authority
                .clone()
                .filter(|p| !p.as_os_str().is_empty()),
            client_certificate: self
                .client_certificate
                .clone()
                .filter(|p| !p.as_os_str().is_empty()),
            client_key: self
                .client_key
                .clone()
                .filter(|p| !p.as_os_str().is_empty()),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            tls_server_name: nonempty(&self.tls_server_name),
            impersonate: nonempty(&self.as_user),
            impersonate_groups: self.as_group.clone(),
            impersonate_uid: nonempty(&self.as_uid),
            impersonate_user_extra: user_extras(&self.as_user_extra),
            username: nonempty(&self.username),
            password: nonempty(&self.password),
            disable_compression: self.disable_compression,
            request_timeout: Some(parse_request_timeout(&self.request_timeout)?),
        })
    }
}

/// kubectl's PrintFlags, for the commands that print the objects they change: defined once
/// here and flattened into each (`-o`, `--template`, `--allow-missing-template-keys`,
/// `--show-managed-fields`).
#[derive(Debug, Clone, clap::Args)]
pub struct PrintFlags {
    /// Output format. One of: (json, yaml, kyaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).
    #[arg(verbatim_doc_comment, short = 'o', long, default_value = "")]
    pub output: String,
    /// Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].
    #[arg(verbatim_doc_comment, long)]
    pub template: Option<String>,
    /// If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.
    #[arg(verbatim_doc_comment, long, go_bool(true))]
    pub allow_missing_template_keys: bool,
    /// If true, keep the managedFields when printing objects in JSON or YAML format.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub show_managed_fields: bool,
}

impl Default for PrintFlags {
    fn default() -> Self {
        PrintFlags {
            output: String::new(),
            template: None,
            allow_missing_template_keys: true,
            show_managed_fields: false,
        }
    }
}

impl PrintFlags {
    /// `-o`/`--template` parsed as `PrintFlags.ToPrinter` does (see [`PrintSpec::parse`]).
    pub(crate) fn spec(&self, ctx: &Context) -> Result<PrintSpec, CliError> {
        PrintSpec::parse(
            ctx,
            &self.output,
            self.template.as_deref(),
            self.allow_missing_template_keys,
            self.show_managed_fields,
        )
    }

    /// `-o`'s generic printer (json/yaml, name, templates read from their files) over typed
    /// objects, JSON in Go struct order (create generators, `create token`, `auth whoami`).
    pub(crate) fn generic_printer(&self) -> Result<crate::print::GenericPrinter, CliError> {
        let format = crate::print::OutputFormat::parse_generic(
            &self.output,
            self.template.as_deref(),
            true,
        )?;
        let opts = crate::print::GenericOptions {
            show_managed_fields: self.show_managed_fields,
            allow_missing_keys: self.allow_missing_template_keys,
            ..crate::print::GenericOptions::default()
        };
        let read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
        Ok(crate::print::GenericPrinter::new(&format, &opts, &read)?.typed())
    }

    /// kubectl's `PrintFlags.ToPrinter` for a command whose objects are typed (`expose`,
    /// `autoscale`, the `set` subcommands): `-o`'s printer, or the name printer saying
    /// `operation` (with the dry-run suffix).
    pub fn typed_printer(
        &self,
        ctx: &Context,
        operation: &str,
        dry_run: DryRun,
    ) -> Result<crate::ops::generated::TypedPrinter, CliError> {
        crate::ops::generated::TypedPrinter::new(
            ctx,
            &self.output,
            self.template.as_deref(),
            self.allow_missing_template_keys,
            self.show_managed_fields,
            operation,
            dry_run,
        )
    }
}

/// A lone `-o, --output` for the commands whose output formats are their own rather than
/// kubectl's PrintFlags (delete, api-resources, config get-contexts, version, kustomize,
/// view-last-applied): defined once here; each command states its formats (and a default,
/// where it has one) with `#[command(mut_arg("output", |a| a.help("...")))]` and checks the
/// value in its validate step, as kubectl does.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OutputFlag {
    /// Output format.
    #[arg(
        verbatim_doc_comment,
        id = "output",
        value_name = "OUTPUT",
        short = 'o',
        long = "output",
        default_value = ""
    )]
    pub value: String,
}

impl From<&str> for OutputFlag {
    fn from(value: &str) -> Self {
        OutputFlag {
            value: value.to_string(),
        }
    }
}

/// `--image` as `create job` and `create cronjob` take it (one image; a repeated flag keeps
/// the last, as pflag's string flags do). `create deployment`'s `--image` is another flag in
/// kubectl (a string slice, one container per image) and stays with that generator.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ImageFlag {
    /// Image name to run.
    #[arg(
        verbatim_doc_comment,
        id = "image",
        value_name = "IMAGE",
        long = "image",
        default_value = ""
    )]
    pub value: String,
}

/// kubectl's FileNameFlags (`-f`, `-R`), defined once and flattened into every command that
/// reads objects from files. `-f` is a pflag string slice: `-f a.yaml,b.yaml` names two files.
/// The `-f` sentence differs per command in kubectl; a command sets its own with
/// `#[command(mut_arg("filename", |a| a.help("...")))]`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilenameFlags {
    /// Filename, directory, or URL to files identifying the resource to get from a server.
    #[arg(verbatim_doc_comment, short = 'f', long, value_delimiter = ',')]
    pub filename: Vec<String>,
    /// Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.
    #[arg(verbatim_doc_comment, short = 'R', long, go_bool(false))]
    pub recursive: bool,
}

impl FilenameFlags {
    /// What the resource builder reads for `-f`/`-R` and `-k` (cli-runtime's
    /// `FilenameParam`); the command adds `-l`, validation and the rest.
    pub fn read_spec(&self, kustomize: &KustomizeFlag) -> crate::resource::ReadSpec {
        crate::resource::ReadSpec {
            files: self.filename.clone(),
            kustomize: kustomize.dir.clone(),
            recursive: self.recursive,
            ..crate::resource::ReadSpec::default()
        }
    }

    /// The resource builder's plan for `args` or `-f`/`-R`/`-k`; the command adds `-l`,
    /// `--all` and the rest.
    pub fn find_spec(
        &self,
        kustomize: &KustomizeFlag,
        args: &[String],
    ) -> crate::resource::targets::FindSpec {
        crate::resource::targets::FindSpec {
            args: args.to_vec(),
            files: self.filename.clone(),
            recursive: self.recursive,
            kustomize: kustomize.dir.clone(),
            ..crate::resource::targets::FindSpec::default()
        }
    }
}

/// The flags of the commands that send manifests to the server as they are (`apply`,
/// `create`, `replace`, `apply edit-last-applied`): `-f`/`-R`, `-k` and `--validate`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ManifestFlags {
    #[command(flatten)]
    pub files: FilenameFlags,
    #[command(flatten)]
    pub kustomize: KustomizeFlag,
    #[command(flatten)]
    pub validate: ValidateFlag,
}

impl ManifestFlags {
    /// What the resource builder reads for `-f`/`-R` and `-k`.
    pub fn read_spec(&self) -> crate::resource::ReadSpec {
        self.files.read_spec(&self.kustomize)
    }
}

/// kubectl's `-k, --kustomize` (part of FileNameFlags for the commands that take it).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct KustomizeFlag {
    /// Process the kustomization directory. This flag can't be used together with -f or -R.
    #[arg(
        verbatim_doc_comment,
        id = "kustomize",
        short = 'k',
        long = "kustomize",
        value_name = "KUSTOMIZE"
    )]
    pub dir: Option<String>,
}

/// The builder flags of the commands that name objects by `-f`/`-R`, `-k` or `-l` besides
/// `TYPE NAME` arguments (cli-runtime's ResourceBuilderFlags, as delete, describe, scale,
/// rollout, label and annotate embed it). A command words `-f` its own way with
/// `mut_arg("filename", ..)`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BuilderFlags {
    #[command(flatten)]
    pub files: FilenameFlags,
    #[command(flatten)]
    pub kustomize: KustomizeFlag,
    #[command(flatten)]
    pub selector: LabelSelectorFlag,
}

impl BuilderFlags {
    /// Whether the objects come from `-f` or `-k` rather than from arguments.
    pub fn from_files(&self) -> bool {
        !self.files.filename.is_empty() || self.kustomize.dir.is_some()
    }

    /// What the resource builder reads for `-f`/`-R`/`-k`, filtered by `-l`.
    pub fn read_spec(&self) -> crate::resource::ReadSpec {
        crate::resource::ReadSpec {
            selector: self.selector.value.clone(),
            ..self.files.read_spec(&self.kustomize)
        }
    }

    /// What the resource builder finds for these flags and `TYPE NAME…` arguments.
    pub fn find_spec(&self, args: &[String]) -> crate::resource::targets::FindSpec {
        crate::resource::targets::FindSpec {
            args: args.to_vec(),
            files: self.files.filename.clone(),
            recursive: self.files.recursive,
            selector: self.selector.value.clone(),
            kustomize: self.kustomize.dir.clone(),
            ..Default::default()
        }
    }
}

/// `-l, --selector` (a label selector, sent as `labelSelector`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LabelSelectorFlag {
    /// Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints.
    #[arg(
        verbatim_doc_comment,
        id = "selector",
        short = 'l',
        long = "selector",
        value_name = "SELECTOR"
    )]
    pub value: Option<String>,
}

/// `--field-selector` (sent as `fieldSelector`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FieldSelectorFlag {
    /// Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type.
    #[arg(
        verbatim_doc_comment,
        id = "field_selector",
        long = "field-selector",
        value_name = "FIELD_SELECTOR"
    )]
    pub value: Option<String>,
}

impl LabelSelectorFlag {
    /// The selector as typed, `""` when not given.
    pub fn as_str(&self) -> &str {
        self.value.as_deref().unwrap_or("")
    }
}

impl FieldSelectorFlag {
    /// The selector as typed, `""` when not given.
    pub fn as_str(&self) -> &str {
        self.value.as_deref().unwrap_or("")
    }
}

/// `--all`: every object of the named types in the namespace. kubectl words it per command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AllFlag {
    /// Select all resources in the namespace of the specified resource types
    #[arg(
        verbatim_doc_comment,
        id = "all",
        long = "all",
        value_name = "ALL",
        go_bool(false)
    )]
    pub value: bool,
}

/// `-A, --all-namespaces`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AllNamespacesFlag {
    /// If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.
    #[arg(
        verbatim_doc_comment,
        id = "all_namespaces",
        short = 'A',
        long = "all-namespaces",
        value_name = "ALL_NAMESPACES",
        go_bool(false)
    )]
    pub value: bool,
}

/// cli-runtime's `--as-user-extra` parsing: `KEY=VALUE` words (others are skipped), values of
/// a repeated key kept in order.
fn user_extras(words: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut extras: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in words.iter().filter_map(|w| w.split_once('=')) {
        extras.entry(k.to_string()).or_default().push(v.to_string());
    }
    extras
}

/// `--dry-run` as typed; [`DryRunFlag::strategy`] reads it as kubectl does (a bare `--dry-run`
/// is the deprecated spelling of `client`).
#[derive(Debug, Clone, clap::Args)]
pub struct DryRunFlag {
    /// Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.
    #[arg(verbatim_doc_comment, id = "dry_run", long = "dry-run", value_name = "DRY_RUN", num_args = 0..=1,
          require_equals = true, default_missing_value = "unchanged", default_value = "none")]
    pub value: String,
}

impl Default for DryRunFlag {
    fn default() -> Self {
        DryRunFlag {
            value: "none".into(),
        }
    }
}

impl DryRunFlag {
    /// The strategy, after [`dry_run_flag`]'s rules and warning.
    pub fn strategy(&self, ctx: &Context) -> Result<DryRun, CliError> {
        dry_run_flag(ctx, &self.value)
    }
}

/// `--field-manager`. Its default is the command's own manager name (`kubectl-label`, ...),
/// set with `mut_arg("field_manager", |a| a.default_value(...))`; without one (`apply`) the
/// command picks the name itself.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FieldManagerFlag {
    /// Name of the manager used to track field ownership.
    #[arg(
        verbatim_doc_comment,
        id = "field_manager",
        long = "field-manager",
        value_name = "FIELD_MANAGER"
    )]
    pub value: Option<String>,
}

impl FieldManagerFlag {
    /// The manager name (`""` when neither given nor defaulted).
    pub fn as_str(&self) -> &str {
        self.value.as_deref().unwrap_or("")
    }
}

/// `--validate` values mapped to the server's `fieldValidation` (cmdutil `GetValidationDirective`).
pub fn field_validation(s: &str) -> Result<&'static str, CliError> {
    match s.to_lowercase().as_str() {
        "strict" | "true" => Ok("Strict"),
        "warn" => Ok("Warn"),
        "ignore" | "false" => Ok("Ignore"),
        _ => Err(CliError::msg(format!(
            "invalid - validate option {s:?}; must be one of: strict (or true), warn, ignore (or false)"
        ))),
    }
}

/// `--timeout`, the one flag every waiting command shares (`wait`, `rollout status`, `scale`,
/// and `delete`/`apply --prune` through [`DeleteFlags`]): a Go duration, taken as pflag does
/// even when it starts with `-`. kubectl words it and defaults it per command; a command sets
/// both with `mut_arg("timeout", |a| a.help("...").default_value("..."))`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct WaitFlags {
    /// The length of time to wait before giving up.
    #[arg(
        verbatim_doc_comment,
        value_name = "TIMEOUT",
        long,
        default_value = "0s",
        allow_hyphen_values = true
    )]
    pub timeout: String,
}

impl Default for WaitFlags {
    fn default() -> Self {
        WaitFlags {
            timeout: "0s".into(),
        }
    }
}

// ---- Single flags several commands share. Each is declared once here with kubectl's most
// common wording; a command whose kubectl text or default differs sets it with `mut_arg(id, ..)`.

/// `--local`: work on the given objects without contacting the server.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LocalFlag {
    /// If true, annotation will NOT contact api-server but run locally.
    #[arg(
        verbatim_doc_comment,
        id = "local",
        value_name = "LOCAL",
        long = "local",
        go_bool(false)
    )]
    pub value: bool,
}

/// The subjects of a role binding (`create rolebinding`, `create clusterrolebinding`, `set
/// subject`): `--user`, `--group`, `--serviceaccount`, each repeatable (pflag string arrays:
/// no comma splitting). `--user` shadows the global kubeconfig `--user` on these commands, as
/// in cobra (see `crate::cmd::parse`): it keeps the global's id so that clap does not add the
/// global one beside it.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SubjectFlags {
    /// Usernames to bind to the role. The flag can be repeated to add multiple users.
    #[arg(verbatim_doc_comment, id = "user", long, action = clap::ArgAction::Append)]
    pub user: Vec<String>,
    /// Groups to bind to the role. The flag can be repeated to add multiple groups.
    #[arg(verbatim_doc_comment, id = "group", long, action = clap::ArgAction::Append)]
    pub group: Vec<String>,
    /// Service accounts to bind to the role, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts.
    #[arg(verbatim_doc_comment, id = "serviceaccount", long, action = clap::ArgAction::Append)]
    pub serviceaccount: Vec<String>,
}

/// `--overwrite` (label, annotate: replace existing keys; apply: resolve conflicts, default true).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OverwriteFlag {
    /// If true, allow labels to be overwritten, otherwise reject label updates that overwrite existing labels.
    #[arg(
        verbatim_doc_comment,
        id = "overwrite",
        value_name = "OVERWRITE",
        long = "overwrite",
        go_bool(false)
    )]
    pub value: bool,
}

/// `--resource-version`: a precondition on the object's current resourceVersion (`""`: none).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ResourceVersionFlag {
    /// If non-empty, the labels update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.
    #[arg(
        verbatim_doc_comment,
        id = "resource_version",
        value_name = "RESOURCE_VERSION",
        long = "resource-version",
        default_value = ""
    )]
    pub value: String,
}

/// `--chunk-size` of the commands that list (`get`, `describe`, `events`; drain keeps its own
/// text form to report pflag's parse errors).
#[derive(Debug, Clone, clap::Args)]
pub struct ChunkSizeFlag {
    /// Return large lists in chunks rather than all at once. Pass 0 to disable.
    #[arg(
        verbatim_doc_comment,
        id = "chunk_size",
        value_name = "CHUNK_SIZE",
        long = "chunk-size",
        default_value_t = 500,
        allow_negative_numbers = true
    )]
    pub value: i64,
}

impl Default for ChunkSizeFlag {
    fn default() -> Self {
        ChunkSizeFlag { value: 500 }
    }
}

/// `--windows-line-endings` of the commands that open an editor.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WindowsLineEndingsFlag {
    /// Defaults to the line ending native to your platform.
    #[arg(
        verbatim_doc_comment,
        id = "windows_line_endings",
        value_name = "WINDOWS_LINE_ENDINGS",
        long = "windows-line-endings",
        go_bool(false)
    )]
    pub value: bool,
}

/// `--server-side` of apply and diff.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServerSideFlag {
    /// If true, apply runs in the server instead of the client.
    #[arg(
        verbatim_doc_comment,
        id = "server_side",
        value_name = "SERVER_SIDE",
        long = "server-side",
        go_bool(false)
    )]
    pub value: bool,
}

/// `--force-conflicts` of apply and diff.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ForceConflictsFlag {
    /// If true, server-side apply will force the changes against conflicts.
    #[arg(
        verbatim_doc_comment,
        id = "force_conflicts",
        value_name = "FORCE_CONFLICTS",
        long = "force-conflicts",
        go_bool(false)
    )]
    pub value: bool,
}

/// `--prune` of apply and diff (apply's words; diff says its own with `mut_arg("prune", ..)`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PruneFlag {
    /// Automatically delete resource objects, that do not appear in the configs and are created by either apply or create --save-config. Should be used with either -l or --all.
    #[arg(
        verbatim_doc_comment,
        id = "prune",
        value_name = "PRUNE",
        long = "prune",
        go_bool(false)
    )]
    pub value: bool,
}

/// `--prune-allowlist` of apply and diff.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PruneAllowlistFlag {
    /// Overwrite the default allowlist with <group/version/kind> for --prune
    #[arg(
        verbatim_doc_comment,
        id = "prune_allowlist",
        value_name = "PRUNE_ALLOWLIST",
        long = "prune-allowlist"
    )]
    pub value: Vec<String>,
}

/// `--no-headers` of the table printers.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct NoHeadersFlag {
    /// When using the default or custom-column output format, don't print headers (default print headers).
    #[arg(
        verbatim_doc_comment,
        id = "no_headers",
        value_name = "NO_HEADERS",
        long = "no-headers",
        go_bool(false)
    )]
    pub value: bool,
}

/// `--validate` as typed; [`field_validation`] maps it to the server's `fieldValidation`.
#[derive(Debug, Clone, clap::Args)]
pub struct ValidateFlag {
    /// Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will use a schema to validate the input and fail the request if invalid. It will perform server side validation if ServerSideFieldValidation is enabled on the api-server, but will fall back to less reliable client-side validation if not. "warn" will warn about unknown or duplicate fields without blocking the request if server-side field validation is enabled on the API server, and behave as "ignore" otherwise. "false" or "ignore" will not perform any schema validation, silently dropping any unknown or duplicate fields.
    #[arg(verbatim_doc_comment, id = "validate", value_name = "VALIDATE", long = "validate", num_args = 0..=1, require_equals = true,
          default_missing_value = "strict", default_value = "strict")]
    pub value: String,
}

impl Default for ValidateFlag {
    fn default() -> Self {
        ValidateFlag {
            value: "strict".into(),
        }
    }
}

impl ValidateFlag {
    /// The server's `fieldValidation` directive (`Strict`, `Warn`, `Ignore`).
    pub fn directive(&self) -> Result<&'static str, CliError> {
        field_validation(&self.value)
    }
}

/// `--save-config`: store the object in the last-applied annotation (create and its generators).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SaveConfigFlag {
    /// If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.
    #[arg(
        verbatim_doc_comment,
        id = "save_config",
        value_name = "SAVE_CONFIG",
        long = "save-config",
        go_bool(false)
    )]
    pub value: bool,
}

impl SaveConfigFlag {
    /// With `--save-config`, cmdutil `CreateOrUpdateAnnotation` on the typed object: its
    /// compact JSON in Go struct order as the last-applied annotation.
    pub fn annotate(&self, object: &mut Value) -> Result<(), CliError> {
        if !self.value {
            return Ok(());
        }
        let value = crate::print::json::to_go_json_typed_line(object);
        let meta = object["metadata"]
            .as_object_mut()
            .ok_or_else(|| CliError::msg("metadata is not a JSON object"))?;
        let annotations = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(a) = annotations.as_object_mut() {
            a.insert(
                "kubectl.kubernetes.io/last-applied-configuration".into(),
                Value::String(value),
            );
        }
        Ok(())
    }
}

/// `--list` (label, annotate: show the keys instead of changing them).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ListFlag {
    /// If true, display the labels for a given resource.
    #[arg(
        verbatim_doc_comment,
        id = "list",
        value_name = "LIST",
        long = "list",
        go_bool(false)
    )]
    pub value: bool,
}

/// `--record` (deprecated and hidden): `None` when not given, as kubectl tells it apart.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RecordFlag {
    /// Record current kubectl command in the resource annotation (deprecated).
    #[arg(
        verbatim_doc_comment,
        id = "record",
        value_name = "RECORD",
        long = "record",
        hide = true,
        go_bool_opt()
    )]
    pub value: Option<bool>,
}

impl RecordFlag {
    /// cli-runtime's `RecordFlags`: prints pflag's deprecation notice when the flag was given,
    /// and returns the change cause to record when it is true.
    pub fn change_cause(&self, ctx: &Context) -> Option<String> {
        if self.value.is_some() {
            ctx.eprint(RECORD_DEPRECATED);
        }
        (self.value == Some(true)).then(|| {
            let argv: Vec<String> = std::env::args().collect();
            change_cause(&argv)
        })
    }
}

/// `--subresource` (`""`: the object itself).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SubresourceFlag {
    /// If specified, gets the subresource of the requested object.
    #[arg(
        verbatim_doc_comment,
        id = "subresource",
        value_name = "SUBRESOURCE",
        long = "subresource",
        default_value = ""
    )]
    pub value: String,
}

/// `-w, --watch` (get: default false; rollout status: default true).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WatchFlag {
    /// After listing/getting the requested object, watch for changes.
    #[arg(
        verbatim_doc_comment,
        id = "watch",
        value_name = "WATCH",
        short = 'w',
        long = "watch",
        go_bool(false)
    )]
    pub value: bool,
}

/// `--ignore-not-found`: `None` when not given (delete defaults it to true with `--all`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct IgnoreNotFoundFlag {
    /// If set to true, suppresses NotFound error for specific objects that do not exist. Using this flag with commands that query for collections of resources has no effect when no resources are found.
    #[arg(
        verbatim_doc_comment,
        id = "ignore_not_found",
        value_name = "IGNORE_NOT_FOUND",
        long = "ignore-not-found",
        go_bool_opt()
    )]
    pub value: Option<bool>,
}

impl IgnoreNotFoundFlag {
    /// The flag, `default` when not given.
    pub fn or(&self, default: bool) -> bool {
        self.value.unwrap_or(default)
    }
}

/// `--revision` of `rollout status` and `rollout history` (0: the latest).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RevisionFlag {
    /// See the details, including podTemplate of the revision specified
    #[arg(
        verbatim_doc_comment,
        id = "revision",
        value_name = "REVISION",
        long = "revision",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub value: i64,
}

impl RevisionFlag {
    /// kubectl's check of `--revision` (status and history share it).
    pub fn validate(&self) -> Result<(), CliError> {
        if self.value < 0 {
            return Err(CliError::msg(format!(
                "revision must be a positive integer: {}",
                self.value
            )));
        }
        Ok(())
    }
}

/// `--embed-certs` of `config set-cluster` and `config set-credentials`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct EmbedCertsFlag {
    /// embed-certs for the cluster entry in kubeconfig
    #[arg(
        verbatim_doc_comment,
        id = "embed_certs",
        value_name = "EMBED_CERTS",
        long = "embed-certs",
        go_bool(false)
    )]
    pub value: bool,
}

/// `--sort-by` (`""`: the server's order).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SortByFlag {
    /// If non-empty, sort list types using this field specification.  The field specification is expressed as a JSONPath expression (e.g. '{.metadata.name}'). The field in the API resource specified by this JSONPath expression must be an integer or a string.
    #[arg(
        verbatim_doc_comment,
        id = "sort_by",
        value_name = "SORT_BY",
        long = "sort-by",
        default_value = ""
    )]
    pub value: String,
}

/// kubectl's DeleteFlags, one group for the flags and the request they make: `delete` and
/// `apply --prune` flatten it (`--cascade`, `--grace-period`, `--force`, `--wait`,
/// `--timeout`), and its methods turn it into the `DeleteOptions` body. `--wait` defaults to
/// false; `delete` sets its default to true with `mut_arg`. `delete`'s own `--now` is set
/// into [`DeleteFlags::now`] after parsing.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
#[command(mut_arg("timeout", |a| a.help("The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object")))]
pub struct DeleteFlags {
    /// Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents (e.g. Pods created by a ReplicationController). Defaults to background.
    #[arg(verbatim_doc_comment, long, num_args = 0..=1, require_equals = true,
          default_missing_value = "background", default_value = "background")]
    pub cascade: String,
    /// Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion).
    #[arg(verbatim_doc_comment, long, default_value_t = -1, allow_negative_numbers = true)]
    pub grace_period: i64,
    /// If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub force: bool,
    /// If true, wait for resources to be gone before returning. This waits for finalizers.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub wait: bool,
    #[command(flatten)]
    pub wait_flags: WaitFlags,
    /// `delete --now` (not a flag of this group: `apply --prune` has none).
    #[arg(skip)]
    pub now: bool,
}

/// The former name of [`DeleteFlags`]' flag side, kept so existing code compiles.
pub type DeletionArgs = DeleteFlags;

impl Default for DeleteFlags {
    fn default() -> Self {
        DeleteFlags {
            cascade: "background".into(),
            grace_period: -1,
            force: false,
            wait: false,
            wait_flags: WaitFlags::default(),
            now: false,
        }
    }
}

impl DeleteFlags {
    /// The `propagationPolicy` for `--cascade`, and the deprecation warning for boolean values.
    pub fn propagation(&self) -> Result<(&'static str, Option<String>), CliError> {
        let warn = |v: &str, with: &str| {
            Some(format!(
                "warning: --cascade={v} is deprecated (boolean value) and can be replaced with --cascade={with}.\n"
            ))
        };
        match self.cascade.to_lowercase().as_str() {
            "background" => Ok(("Background", None)),
            "foreground" => Ok(("Foreground", None)),
            "orphan" => Ok(("Orphan", None)),
            "true" => Ok(("Background", warn(&self.cascade, "background"))),
            "false" => Ok(("Orphan", warn(&self.cascade, "orphan"))),
            _ => Err(CliError::msg(format!(
                "invalid cascade value ({}). Must be \"background\", \"foreground\", or \"orphan\"",
                self.cascade
            ))),
        }
    }

    /// The grace period to send (None: not sent), after `--now`/`--force` rules.
    pub fn effective_grace(&self) -> Result<Option<i64>, CliError> {
        let mut g = self.grace_period;
        if self.now {
            if g != -1 {
                return Err(CliError::msg(
                    "--now and --grace-period cannot be specified together",
                ));
            }
            g = 1;
        }
        if g == 0 && !self.force {
            // kubectl turns a zero grace period into 1 unless --force is given.
            g = 1;
        }
        if self.force && g < 0 {
            g = 0;
        }
        if self.force && g > 0 {
            return Err(CliError::msg(
                "--force and --grace-period greater than 0 cannot be specified together",
            ));
        }
        Ok((g >= 0).then_some(g))
    }

    /// The `DeleteOptions` body.
    pub fn delete_options(&self, dry_run: DryRun) -> Result<Value, CliError> {
        let mut m = Map::new();
        if let Some(g) = self.effective_grace()? {
            m.insert("gracePeriodSeconds".into(), serde_json::json!(g));
        }
        m.insert(
            "propagationPolicy".into(),
            serde_json::json!(self.propagation()?.0),
        );
        if dry_run == DryRun::Server {
            m.insert("dryRun".into(), serde_json::json!(["All"]));
        }
        Ok(Value::Object(m))
    }
}

/// cobra's report of a flag value pflag refused, for the flags a command keeps as text and
/// parses itself (`invalid argument "x" for "--flag" flag: <why>`, then `See '<program>
/// <command> --help' for usage.`); `command` is the command path after the program.
pub fn invalid_flag_value(
    command: &str,
    flag: &str,
    value: &str,
    why: impl std::fmt::Display,
) -> CliError {
    CliError::Flag {
        message: format!(
            "invalid argument {} for \"--{flag}\" flag: {why}",
            go_quote(value)
        ),
        command: format!("kubectl-rs {command}"),
    }
}

/// Parses `--timeout` (a Go duration; a bare `0` is allowed).
pub fn parse_timeout(s: &str) -> Result<Duration, CliError> {
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    parse_go_duration(s).ok_or_else(|| {
        CliError::msg(format!(
            "invalid argument {s:?} for \"--timeout\" flag: time: invalid duration {s:?}"
        ))
    })
}

// ---- `-o` of cli-runtime's `PrintFlags` without tables (`patch`, `scale`), and `--record`.

/// The formats of cli-runtime's `PrintFlags` (json/yaml, name, templates), sorted.
pub(crate) use crate::print::generic_formats as allowed_formats;

/// The `-o` printer of commands built on cli-runtime's `PrintFlags` (`patch`, `scale`): None
/// is the name printer with an operation (`deployment.apps/web scaled`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrintSpec {
    format: Option<OutputFormat>,
    opts: GenericOptions,
}

impl PrintSpec {
    /// Parses `-o`/`--template` as `PrintFlags.ToPrinter` does.
    pub(crate) fn parse(
        ctx: &Context,
        output: &str,
        template: Option<&str>,
        allow_missing_keys: bool,
        show_managed_fields: bool,
    ) -> Result<PrintSpec, CliError> {
        let kyaml = ctx
            .env
            .get("KUBECTL_KYAML")
            .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
        let unknown = || {
            CliError::msg(format!(
                "unable to match a printer suitable for the output format {}, allowed formats are: {}",
                go_quote(output),
                allowed_formats(kyaml).join(",")
            ))
        };
        let has_template = template.is_some_and(|t| !t.is_empty());
        if output.starts_with("custom-columns") {
            return Err(unknown());
        }
        let format = match OutputFormat::parse(output, template, kyaml) {
            Ok(OutputFormat::Table { wide: false }) if !has_template => None,
            Ok(OutputFormat::Table { .. }) | Ok(OutputFormat::CustomColumns { .. }) => {
                return Err(unknown())
            }
            Ok(OutputFormat::CustomColumnsFile { .. }) => return Err(unknown()),
            Ok(f) => Some(f),
            Err(crate::print::PrintError::UnknownFormat { .. }) => return Err(unknown()),
            Err(e) => return Err(e.into()),
        };
        Ok(PrintSpec {
            format,
            opts: GenericOptions {
                allow_missing_keys,
                no_headers: false,
                show_managed_fields,
            },
        })
    }

    /// A printer for the objects of one run (YAML separates the objects it prints).
    pub(crate) fn printer(&self) -> Result<Option<GenericPrinter>, CliError> {
        let Some(f) = &self.format else {
            return Ok(None);
        };
        GenericPrinter::new(f, &self.opts, &|p| {
            std::fs::read_to_string(p).map_err(|e| crate::kubeconfig::resolve::open_error(p, &e))
        })
        .map(Some)
        .map_err(CliError::from)
    }

    /// Prints `obj`: with `printer` as it formats, otherwise `kind.group/name <operation>`.
    pub(crate) fn print(
        &self,
        ctx: &Context,
        printer: Option<&mut GenericPrinter>,
        obj: &Value,
        operation: &str,
    ) -> Result<(), CliError> {
        let mut out = ctx.out();
        match printer {
            Some(GenericPrinter::Name) | None => {
                let short = printer_is_name(&self.format);
                crate::print::name::print_name(obj, operation, short, &mut **out)
            }
            Some(p) => p.print(obj, &mut **out),
        }?;
        Ok(())
    }

    /// Prints one object with a printer of its own, as kubectl's `ToPrinter` per visit
    /// (a list printer finishes at once: no YAML separators between objects).
    pub(crate) fn print_one(
        &self,
        ctx: &Context,
        obj: &Value,
        operation: &str,
    ) -> Result<(), CliError> {
        let mut printer = self.printer()?;
        self.print(ctx, printer.as_mut(), obj, operation)?;
        if let Some(p) = printer.as_mut() {
            p.finish(&mut **ctx.out())?;
        }
        Ok(())
    }
}

/// [`PrintSpec::print_one`] with a spec built earlier: a bad `-o` is reported when the first
/// object is printed, where kubectl's printer fails (patch, edit, apply edit-last-applied).
pub(crate) fn print_one_deferred(
    spec: &Result<PrintSpec, CliError>,
    ctx: &Context,
    obj: &Value,
    operation: &str,
) -> Result<(), CliError> {
    let spec = spec.as_ref().map_err(|e| CliError::msg(e.to_string()))?;
    spec.print_one(ctx, obj, operation)
}

fn printer_is_name(f: &Option<OutputFormat>) -> bool {
    matches!(f, Some(OutputFormat::Name))
}

/// cobra's notice for the deprecated `--record` flag.
pub(crate) const RECORD_DEPRECATED: &str =
    "Flag --record has been deprecated, --record will be removed in the future\n";

/// The change-cause annotation `--record` writes.
pub(crate) const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// cli-runtime `parseCommandArguments`: the program's base name, the positional words
/// (the command's name included), then every flag as ` --<long name>=<value>` in the order
/// typed. `argv` includes the program. Credentials are masked (kubectl would record them).
pub(crate) fn change_cause(argv: &[String]) -> String {
    use clap::CommandFactory;
    let root = crate::cmd::Cli::command();
    // The command's flags and its parents' (`set image` is two words deep): each word that
    // names a subcommand of the command found so far goes one level down.
    let mut path = vec![&root];
    for a in argv.iter().skip(1).filter(|a| !a.starts_with('-')) {
        if let Some(sub) = path.last().and_then(|c| c.find_subcommand(a.as_str())) {
            path.push(sub);
        }
    }
    let args: Vec<&clap::Arg> = path.iter().flat_map(|c| c.get_arguments()).collect();
    let by_long = |l: &str| args.iter().copied().find(|a| a.get_long() == Some(l));
    let by_short = |c: char| args.iter().copied().find(|a| a.get_short() == Some(c));
    let next_word_value = |a: &clap::Arg| {
        a.get_action().takes_values()
            && !a.is_require_equals_set()
            && a.get_num_args().is_none_or(|r| r.min_values() > 0)
    };
    let mut words = Vec::new();
    let mut flags = String::new();
    let mut push = |arg: Option<&clap::Arg>, given: &str, value: &str| {
        let name = arg.and_then(|a| a.get_long()).unwrap_or(given);
        let value = if matches!(name, "token" | "password") {
            "CLASSIFIED"
        } else {
            value
        };
        flags.push_str(&format!(" --{name}={value}"));
    };
    let mut it = argv.iter().skip(1);
    while let Some(a) = it.next() {
        if a == "--" {
            words.extend(it.by_ref().map(String::as_str));
            break;
        }
        let (arg, given, inline) = if let Some(long) = a.strip_prefix("--") {
            let (n, v) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            (by_long(n), n.to_string(), v.map(str::to_string))
        } else if let Some(short) = a.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut chars = short.chars();
            let c = chars.next().unwrap_or('-');
            let rest = chars.as_str();
            let arg = by_short(c);
            let inline = match rest.strip_prefix('=') {
                Some(v) => Some(v.to_string()),
                None if !rest.is_empty() => Some(rest.to_string()),
                None => None,
            };
            (arg, c.to_string(), inline)
        } else {
            words.push(a.as_str());
            continue;
        };
        let value = match inline {
            Some(v) => v,
            None if arg.is_some_and(next_word_value) => it.next().cloned().unwrap_or_default(),
            None => "true".to_string(),
        };
        push(arg, &given, &value);
    }
    let base = argv
        .first()
        .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
        .unwrap_or_default();
    let mut out = base;
    if !words.is_empty() {
        out.push(' ');
        out.push_str(&words.join(" "));
    }
    out + &flags
}

/// `ChangeCauseRecorder.MakeRecordMergePatch`: the merge patch that sets the change cause on
/// `obj` (`{}` when it is already there).
pub(crate) fn record_patch(obj: &Value, cause: &str) -> Vec<u8> {
    if obj["metadata"]["annotations"][CHANGE_CAUSE].as_str() == Some(cause) {
        return b"{}".to_vec();
    }
    let patch = serde_json::json!({"metadata": {"annotations": {CHANGE_CAUSE: cause}}});
    crate::apply::to_go_json(&patch).into_bytes()
}

// ---- Flags of the commands that reach into a pod (attach, exec, run, debug, cp, logs) and of
// the object generators (run, expose, create configmap/secret). kubectl declares each in every
// command with its own words; here each is declared once with the most common wording, and a
// command whose text or default differs sets it with `mut_arg(id, ..)`.

/// `-c/--container`: the container to use (attach, exec, cp; debug and logs reword it).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ContainerFlag {
    /// Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen
    #[arg(
        verbatim_doc_comment,
        id = "container",
        value_name = "CONTAINER",
        short = 'c',
        long = "container",
        default_value = ""
    )]
    pub value: String,
}

/// `--detach-keys` of the commands that attach to a container (`attach`; `run` ends the
/// sentence with a period).
#[derive(Debug, Clone, clap::Args)]
pub struct DetachKeysFlag {
    /// Override the key sequence for detaching a container
    #[arg(
        verbatim_doc_comment,
        id = "detach_keys",
        value_name = "DETACH_KEYS",
        long = "detach-keys",
        default_value = "ctrl-p,ctrl-q"
    )]
    pub value: String,
}

/// `--image-pull-policy` of the commands that make a container (`run`; `debug` words it with
/// one space after the first sentence).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ImagePullPolicyFlag {
    /// The image pull policy for the container.  If left empty, this value will not be specified by the client and defaulted by the server.
    #[arg(
        verbatim_doc_comment,
        id = "image_pull_policy",
        value_name = "IMAGE_PULL_POLICY",
        long = "image-pull-policy",
        default_value = ""
    )]
    pub value: String,
}

impl ImagePullPolicyFlag {
    /// kubectl's check of the policy (`""`: the server's default): the message it refuses
    /// another value with.
    pub fn check(&self) -> Result<(), String> {
        match self.value.as_str() {
            "Always" | "IfNotPresent" | "Never" | "" => Ok(()),
            other => Err(format!("invalid image pull policy: {other}")),
        }
    }
}

/// `-c/--containers` of `set env` and `set resources`: the containers to change, a name
/// pattern with `*` wildcards (every container by default); `set resources` words it with
/// `mut_arg`.
#[derive(Debug, Clone, clap::Args)]
pub struct ContainerSelectorFlag {
    /// The names of containers in the selected pod templates to change - may use wildcards
    #[arg(
        verbatim_doc_comment,
        id = "containers",
        value_name = "CONTAINERS",
        short = 'c',
        long = "containers",
        default_value = "*"
    )]
    pub value: String,
}

/// `--pod-running-timeout` (default 1m0s; logs and cluster-info dump set 20s with `mut_arg`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PodRunningTimeoutFlag {
    /// The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running
    #[arg(
        verbatim_doc_comment,
        id = "pod_running_timeout",
        value_name = "POD_RUNNING_TIMEOUT",
        long = "pod-running-timeout",
        default_value = "1m0s"
    )]
    pub value: String,
}

impl PodRunningTimeoutFlag {
    /// The timeout as pflag parses the flag (`0` is zero): pflag's invalid-argument error,
    /// pointing at `kubectl-rs COMMAND --help`, for text that is no duration. Refusing zero
    /// (`cmdutil.GetPodRunningTimeoutFlag`) stays with the command, whose error kind it is.
    pub fn duration(&self, command: &str) -> Result<Duration, CliError> {
        let v = &self.value;
        if v == "0" {
            return Ok(Duration::ZERO);
        }
        parse_go_duration(v).ok_or_else(|| {
            CliError::Raw(format!(
                "error: invalid argument {v:?} for \"--pod-running-timeout\" flag: time: invalid duration {v:?}\nSee 'kubectl-rs {command} --help' for usage."
            ))
        })
    }
}

/// `-q/--quiet` (attach and exec's words; run, debug and auth can-i reword it).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct QuietFlag {
    /// Only print output from the remote session
    #[arg(
        verbatim_doc_comment,
        id = "quiet",
        value_name = "QUIET",
        short = 'q',
        long = "quiet",
        go_bool(false)
    )]
    pub value: bool,
}

/// `-i/--stdin` (attach and exec's words; run and debug reword it).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StdinFlag {
    /// Pass stdin to the container
    #[arg(
        verbatim_doc_comment,
        id = "stdin",
        value_name = "STDIN",
        short = 'i',
        long = "stdin",
        go_bool(false)
    )]
    pub value: bool,
}

/// `-t/--tty` (attach and exec's words; run and debug reword it).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TtyFlag {
    /// Stdin is a TTY
    #[arg(
        verbatim_doc_comment,
        id = "tty",
        value_name = "TTY",
        short = 't',
        long = "tty",
        go_bool(false)
    )]
    pub value: bool,
}

/// `--overrides` and `--override-type`: a patch applied to a generated object (run, expose).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OverrideFlags {
    /// An inline JSON override for the generated object. If this is non-empty, it is used to override the generated object. Requires that the object supply a valid apiVersion field.
    #[arg(
        verbatim_doc_comment,
        value_name = "OVERRIDES",
        long,
        default_value = ""
    )]
    pub overrides: String,
    /// The method used to override the generated object: json, merge, or strategic.
    #[arg(
        verbatim_doc_comment,
        value_name = "OVERRIDE_TYPE",
        long,
        default_value = "merge"
    )]
    pub override_type: String,
}

/// `-l/--labels`: labels for a generated object (run's words; expose rewords it).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LabelsFlag {
    /// Comma separated labels to apply to the pod. Will override previous values.
    #[arg(
        verbatim_doc_comment,
        id = "labels",
        value_name = "LABELS",
        short = 'l',
        long = "labels",
        default_value = ""
    )]
    pub value: String,
}

/// `--append-hash` of the configmap and secret generators (the secrets' words; `create
/// configmap` rewords it).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AppendHashFlag {
    /// Append a hash of the secret to its name.
    #[arg(
        verbatim_doc_comment,
        id = "append_hash",
        value_name = "APPEND_HASH",
        long = "append-hash",
        go_bool(false)
    )]
    pub value: bool,
}

/// `--from-file` of the configmap and secret generators (`create configmap`'s words; the
/// secrets reword it).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FromFileFlag {
    /// Key file can be specified using its file path, in which case file basename will be used as configmap key, or optionally with a key and file path, in which case the given key will be used.  Specifying a directory will iterate each named file in the directory whose basename is a valid configmap key.
    #[arg(
        verbatim_doc_comment,
        id = "from_file",
        value_name = "FROM_FILE",
        long = "from-file",
        value_delimiter = ','
    )]
    pub value: Vec<String>,
}

/// The flags `label` and `annotate` share (kubectl's LabelOptions/AnnotateOptions flags): the
/// commands flatten this group and word the flags their own way with `mut_arg`.
#[derive(Debug, Clone, clap::Args)]
pub struct MetadataUpdateArgs {
    /// `TYPE NAME…` or `TYPE/NAME…`, then `KEY_1=VAL_1 … KEY_N=VAL_N` (`KEY-` removes).
    pub args: Vec<String>,
    #[command(flatten)]
    pub builder: BuilderFlags,
    #[command(flatten)]
    pub field_selector: FieldSelectorFlag,
    #[command(flatten)]
    pub all: AllFlag,
    #[command(flatten)]
    pub all_namespaces: AllNamespacesFlag,
    #[command(flatten)]
    pub overwrite: OverwriteFlag,
    #[command(flatten)]
    pub record: RecordFlag,
    #[command(flatten)]
    pub list: ListFlag,
    #[command(flatten)]
    pub local: LocalFlag,
    #[command(flatten)]
    pub dry_run: DryRunFlag,
    #[command(flatten)]
    pub resource_version: ResourceVersionFlag,
    #[command(flatten)]
    pub field_manager: FieldManagerFlag,
    #[command(flatten)]
    pub print: PrintFlags,
}

impl MetadataUpdateArgs {
    /// The update of `field` these flags ask for.
    pub fn spec(&self, field: crate::ops::metadata::Field) -> crate::ops::metadata::UpdateSpec {
        use crate::ops::metadata::non_blank;
        crate::ops::metadata::UpdateSpec {
            field,
            args: self.args.clone(),
            filename: self.builder.files.filename.clone(),
            recursive: self.builder.files.recursive,
            kustomize: self.builder.kustomize.dir.clone(),
            selector: non_blank(&self.builder.selector.value),
            field_selector: non_blank(&self.field_selector.value),
            all: self.all.value,
            all_namespaces: self.all_namespaces.value,
            overwrite: self.overwrite.value,
            list: self.list.value,
            local: self.local.value,
            dry_run: self.dry_run.value.clone(),
            change_cause: None,
            resource_version: self.resource_version.value.clone(),
            field_manager: self.field_manager.as_str().to_string(),
            output: self.print.output.clone(),
            template: self.print.template.clone(),
            show_managed_fields: self.print.show_managed_fields,
            allow_missing_template_keys: self.print.allow_missing_template_keys,
        }
    }

    /// `label` and `annotate`: the update of `field`, recording the change cause `--record`
    /// asks for.
    pub async fn run(
        &self,
        ctx: &Context,
        field: crate::ops::metadata::Field,
    ) -> Result<(), CliError> {
        let mut spec = self.spec(field);
        spec.change_cause = self.record.change_cause(ctx);
        spec.run(ctx).await
    }
}

/// `top`'s `--sort-by` (`cpu` or `memory`; kubectl words it per subcommand).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TopSortByFlag {
    /// If non-empty, sort list using specified field. The field can be either 'cpu' or 'memory'.
    #[arg(
        verbatim_doc_comment,
        id = "top_sort_by",
        value_name = "SORT_BY",
        long = "sort-by",
        default_value = ""
    )]
    pub value: String,
}

/// `top`'s `--use-protocol-buffers`: how the Metrics API answers travel. kubectl-rs always
/// reads them as JSON, which carries the same objects, so the flag changes nothing visible.
#[derive(Debug, Clone, clap::Args)]
pub struct UseProtocolBuffersFlag {
    /// Enables using protocol-buffers to access Metrics API.
    #[arg(
        verbatim_doc_comment,
        id = "use_protocol_buffers",
        value_name = "USE_PROTOCOL_BUFFERS",
        long = "use-protocol-buffers",
        go_bool(true)
    )]
    pub value: bool,
}

/// `top`'s `--show-swap` (kubectl words it per subcommand).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ShowSwapFlag {
    /// Print resources related to swap memory.
    #[arg(
        verbatim_doc_comment,
        id = "show_swap",
        value_name = "SHOW_SWAP",
        long = "show-swap",
        go_bool(false)
    )]
    pub value: bool,
}

#[cfg(test)]
mod tests {
    #[test]
    fn go_durations_as_go_takes_them() {
        use super::parse_go_duration as p;
        use std::time::Duration;
        assert_eq!(p("0"), Some(Duration::ZERO));
        assert_eq!(p("-0"), Some(Duration::ZERO));
        assert_eq!(p("+1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(p("1h30m"), Some(Duration::from_secs(5400)));
        for bad in ["", "10", "-1s", "1d", ".s"] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }

    use super::*;

    #[test]
    fn dry_run_values() {
        assert_eq!(DryRun::parse("client").unwrap(), DryRun::Client);
        assert_eq!(
            DryRun::parse("server").unwrap().suffix(),
            " (server dry run)"
        );
        let e = DryRun::parse("bogus").unwrap_err();
        assert_eq!(
            crate::error::render(&e).stderr,
            "error: Invalid dry-run value (bogus). Must be \"none\", \"server\", or \"client\".\n"
        );
    }

    #[test]
    fn validate_values() {
        assert_eq!(field_validation("true").unwrap(), "Strict");
        assert_eq!(field_validation("warn").unwrap(), "Warn");
        assert_eq!(field_validation("false").unwrap(), "Ignore");
        assert!(field_validation("maybe").is_err());
    }

    use clap::Parser;

    #[derive(Debug, Parser)]
    struct T {
        #[command(flatten)]
        g: GlobalArgs,
        rest: Vec<String>,
    }

    fn parse(args: &[&str]) -> GlobalArgs {
        T::try_parse_from(std::iter::once("t").chain(args.iter().copied()))
            .unwrap()
            .g
    }

    #[test]
    fn request_timeouts() {
        assert_eq!(parse_request_timeout("0"), Ok(Duration::ZERO));
        assert_eq!(parse_request_timeout("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_request_timeout("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_request_timeout("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(
            parse_request_timeout("100ms"),
            Ok(Duration::from_millis(100))
        );
        assert_eq!(parse_request_timeout("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_request_timeout("abc"), Err(TIMEOUT_ERROR.into()));
        assert_eq!(parse_request_timeout("5x"), Err(TIMEOUT_ERROR.into()));
        assert_eq!(parse_request_timeout("-1s"), Err(TIMEOUT_ERROR.into()));
        assert_eq!(
            parse_request_timeout("9999999999999999999999h"),
            Err(TIMEOUT_ERROR.into())
        );
        assert_eq!(parse_request_timeout("1.5.5s"), Err(TIMEOUT_ERROR.into()));
    }

    #[test]
    fn flag_forms() {
        let g = parse(&[
            "-n",
            "kube-system",
            "--v=6",
            "--insecure-skip-tls-verify",
            "x",
        ]);
        assert_eq!(g.namespace.as_deref(), Some("kube-system"));
        assert_eq!(g.v, 6);
        assert!(g.insecure_skip_tls_verify);
        let g = parse(&[
            "--insecure-skip-tls-verify=false",
            "-v",
            "8",
            "--namespace=a",
        ]);
        assert!(!g.insecure_skip_tls_verify);
        assert_eq!(g.v, 8);
        assert_eq!(g.namespace.as_deref(), Some("a"));
        let g = parse(&[
            "--as=jane",
            "--as-group=a",
            "--as-group",
            "b",
            "-s",
            "https://x:1",
            "--request-timeout=5s",
        ]);
        let o = g.overrides().unwrap();
        assert_eq!(o.impersonate.as_deref(), Some("jane"));
        assert_eq!(o.impersonate_groups, ["a", "b"]);
        assert_eq!(o.server.as_deref(), Some("https://x:1"));
        assert_eq!(o.request_timeout, Some(Duration::from_secs(5)));
        let g = parse(&[
            "--token",
            "t",
            "--context",
            "c",
            "--cluster",
            "cl",
            "--user",
            "u",
            "--kubeconfig",
            "k",
        ]);
        let o = g.overrides().unwrap();
        assert_eq!(
            (
                o.token.as_deref(),
                o.context.as_deref(),
                o.cluster.as_deref(),
                o.user.as_deref()
            ),
            (Some("t"), Some("c"), Some("cl"), Some("u"))
        );
        assert_eq!(g.kubeconfig, Some(PathBuf::from("k")));
        assert!(parse(&["--request-timeout", "zz"]).overrides().is_err());
    }

    proptest::proptest! {
        #[test]
        fn timeouts_never_panic(s in "\\PC{0,24}") {
            let _ = parse_request_timeout(&s);
        }
    }

    /// The `-f`/`-R` group parses the same in every command that flattens it: `-f` is a
    /// comma-separated slice (pflag's StringSlice), `-R` takes an optional `=value`, and a
    /// command changes only its help sentence (or, for `wait`, the default).
    #[test]
    fn filename_flags_parse_alike_in_every_command() {
        use crate::cmd::{Cli, Command};
        fn files(argv: &[&str]) -> FilenameFlags {
            let cli =
                Cli::try_parse_from(std::iter::once("kubectl-rs").chain(argv.iter().copied()))
                    .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
            match cli.command {
                Command::Annotate(a) => a.update.builder.files,
                Command::Label(a) => a.update.builder.files,
                Command::Delete(a) => a.builder.files,
                Command::Describe(a) => a.builder.files,
                Command::Wait(a) => a.files,
                other => panic!("unexpected {other:?}"),
            }
        }
        for cmd in ["annotate", "label", "delete", "describe", "wait"] {
            let f = files(&[cmd, "-f", "a.yaml,b.yaml", "-f", "c.yaml", "-R=false"]);
            assert_eq!(f.filename, ["a.yaml", "b.yaml", "c.yaml"], "{cmd}");
            assert!(!f.recursive, "{cmd}");
            assert!(files(&[cmd, "-R"]).recursive, "{cmd}");
            assert!(files(&[cmd, "--recursive=true"]).recursive, "{cmd}");
        }
        assert!(
            files(&["wait"]).recursive,
            "kubectl wait recurses by default"
        );
        assert!(!files(&["describe"]).recursive);
        // describe's -A takes an optional value like every other bool flag.
        let cli = Cli::try_parse_from(["kubectl-rs", "describe", "-A=true", "-l", "a=b", "pods"])
            .unwrap();
        let Command::Describe(d) = cli.command else {
            panic!("not describe")
        };
        assert!(d.all_namespaces.value);
        assert_eq!(d.builder.selector.value.as_deref(), Some("a=b"));
    }

    /// `--dry-run` and `--field-manager` come from one definition each; the field manager's
    /// default stays the command's own name, and a bare `--dry-run` keeps its `unchanged` marker.
    #[test]
    fn dry_run_and_field_manager_per_command() {
        use crate::cmd::{Cli, Command};
        fn parse(argv: &[&str]) -> Command {
            Cli::try_parse_from(std::iter::once("kubectl-rs").chain(argv.iter().copied()))
                .unwrap_or_else(|e| panic!("{argv:?}: {e}"))
                .command
        }
        let (dry, manager) = match parse(&["label", "--dry-run", "pods", "a=b"]) {
            Command::Label(a) => (a.update.dry_run.value, a.update.field_manager.value),
            other => panic!("{other:?}"),
        };
        assert_eq!(dry, "unchanged");
        assert_eq!(manager.as_deref(), Some("kubectl-label"));
        match parse(&["annotate", "--dry-run=server", "pods", "a=b"]) {
            Command::Annotate(a) => {
                assert_eq!(a.update.dry_run.value, "server");
                assert_eq!(a.update.field_manager.as_str(), "kubectl-annotate");
            }
            other => panic!("{other:?}"),
        }
        match parse(&["patch", "pods", "x", "-p", "{}", "--field-manager=me"]) {
            Command::Patch(a) => {
                assert_eq!(a.dry_run.value, "none");
                assert_eq!(a.field_manager.as_str(), "me");
            }
            other => panic!("{other:?}"),
        }
        match parse(&["apply", "-f", "x.yaml"]) {
            Command::Apply(a) => assert_eq!(a.field_manager.value, None),
            other => panic!("{other:?}"),
        }
    }

    /// `delete` and `apply` share one definition of the deletion flags; only `--wait`'s
    /// default differs (true for `delete`, false for `apply`), as in kubectl.
    #[test]
    fn deletion_flags_shared_by_delete_and_apply() {
        use crate::cmd::{Cli, Command};
        fn deletion(argv: &[&str]) -> DeletionArgs {
            let cli =
                Cli::try_parse_from(std::iter::once("kubectl-rs").chain(argv.iter().copied()))
                    .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
            match cli.command {
                Command::Delete(a) => a.deletion,
                Command::Apply(a) => a.deletion,
                other => panic!("{other:?}"),
            }
        }
        let d = deletion(&["delete", "pods", "x"]);
        assert!(d.wait);
        assert_eq!(
            (d.cascade.as_str(), d.grace_period, d.force),
            ("background", -1, false)
        );
        assert_eq!(d.wait_flags.timeout, "0s");
        assert!(!deletion(&["apply", "-f", "x.yaml"]).wait);
        let a = deletion(&[
            "apply",
            "-f",
            "x.yaml",
            "--cascade=orphan",
            "--grace-period",
            "-5",
            "--force",
            "--wait",
        ]);
        assert_eq!(
            (a.cascade.as_str(), a.grace_period, a.force, a.wait),
            ("orphan", -5, true, true)
        );
        let d = deletion(&[
            "delete",
            "pods",
            "x",
            "--cascade",
            "--wait=false",
            "--timeout=5s",
        ]);
        assert_eq!(
            (d.cascade.as_str(), d.wait, d.wait_flags.timeout.as_str()),
            ("background", false, "5s")
        );
    }
}

/// The flags every `set` subcommand shares (kubectl's `Set*Options` each add `-f`, `--all`,
/// `--local`, `--dry-run`, `--field-manager` and the printer): the group defaults the field
/// manager to `kubectl-set` and words `--all` as most of them do; each command words
/// `--local` (and where it differs `--all` and `-f`) with `mut_arg`.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-set")))]
#[command(mut_arg("all", |a| a.help("Select all resources, in the namespace of the specified resource types")))]
pub struct SetCommonFlags {
    #[command(flatten)]
    pub print: PrintFlags,
    #[command(flatten)]
    pub files: FilenameFlags,
    #[command(flatten)]
    pub all: AllFlag,
    #[command(flatten)]
    pub local: LocalFlag,
    #[command(flatten)]
    pub dry_run: DryRunFlag,
    #[command(flatten)]
    pub field_manager: FieldManagerFlag,
}

/// What the `set` subcommands but `selector` name their objects with: `TYPE NAME` arguments
/// (then the subcommand's own), kubectl's `FilenameOptions` (`-f`, `-k`, `-R`) and the flags
/// they all share.
#[derive(Debug, Clone, clap::Args)]
pub struct SetTargetFlags {
    /// `TYPE NAME…` or `TYPE/NAME…`, then the subcommand's arguments.
    pub args: Vec<String>,
    #[command(flatten)]
    pub common: SetCommonFlags,
    #[command(flatten)]
    pub kustomize: KustomizeFlag,
}

/// The flags of the commands that connect to a running container's streams (`attach`,
/// `exec`): how long to wait for the pod, `-q`, `-i` and `-t`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ContainerStreamFlags {
    #[command(flatten)]
    pub pod_running_timeout: PodRunningTimeoutFlag,
    #[command(flatten)]
    pub quiet: QuietFlag,
    #[command(flatten)]
    pub stdin: StdinFlag,
    #[command(flatten)]
    pub tty: TtyFlag,
}

/// The rule flags of `create role` and `create clusterrole` (kubectl's `CreateRoleOptions`,
/// which `CreateClusterRoleOptions` embeds).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RuleFlags {
    /// Verb that applies to the resources contained in the rule
    #[arg(verbatim_doc_comment, long, value_delimiter = ',')]
    pub verb: Vec<String>,
    /// Resource that the rule applies to
    #[arg(verbatim_doc_comment, long, value_delimiter = ',')]
    pub resource: Vec<String>,
    /// Resource in the white list that the rule applies to, repeat this flag for multiple items
    #[arg(verbatim_doc_comment, long)]
    pub resource_name: Vec<String>,
}

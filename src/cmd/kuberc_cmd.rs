//! `kubectl-rs kuberc view|set` (kubectl v1.36 `pkg/cmd/kuberc`): show the preferences file
//! (`~/.kube/kuberc`, `--kuberc`, `$KUBERC`) in a `-o` format, and add or replace its
//! `defaults`, `aliases` and credential-plugin entries. The file is read as kubectl's
//! `v1beta1.Preference` struct (unknown fields are dropped) and written back as
//! `sigs.k8s.io/yaml` marshals it (sorted keys), atomically: a temporary file, fsync, rename,
//! the old file's mode kept. (How the preferences apply to other commands: `kuberc.rs`.)

use std::io::Write;

use serde_json::{json, Map, Value};

use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::error::CliError;

/// kubectl's long help of `kuberc`.
pub const KUBERC_LONG: &str = "Manage user preferences (kuberc) file.\n\n The kuberc file allows you to customize your kubectl experience.";
/// kubectl's examples of `kuberc`.
pub const KUBERC_EXAMPLES: &str = r"Examples:
  # View the current kuberc configuration
  kubectl kuberc view
  
  # Set a default value for a command flag
  kubectl kuberc set --section defaults --command get --option output=wide
  
  # Create an alias for a command
  kubectl kuberc set --section aliases --name getn --command get --prependarg nodes --option output=wide";
/// kubectl's usage line of `kuberc`.
pub const KUBERC_USAGE: &str = "kuberc SUBCOMMAND";

/// kubectl's long help of `kuberc view`.
pub const VIEW_LONG: &str =
    "Display the contents of the kuberc file in the specified output format.";
/// kubectl's examples of `kuberc view`.
pub const VIEW_EXAMPLES: &str = r"Examples:
  # View kuberc configuration in YAML format (default)
  kubectl kuberc view
  
  # View kuberc configuration in JSON format
  kubectl kuberc view --output json
  
  # View a specific kuberc file
  kubectl kuberc view --kuberc /path/to/kuberc";
/// kubectl's usage line of `kuberc view`.
pub const VIEW_USAGE: &str = "view";

/// kubectl's long help of `kuberc set`.
pub const SET_LONG: &str = "Set values in the kuberc configuration file.\n\n Use --section to specify whether to set defaults or aliases.\n\n For defaults: Sets default flag values for kubectl commands. The --command flag should specify only the command (e.g., \"get\", \"create\", \"set env\"), not resources.\n\n For aliases: Creates command aliases with optional default flag values and arguments. Use --prependarg and --appendarg to include resources or other arguments.";
/// kubectl's examples of `kuberc set`.
pub const SET_EXAMPLES: &str = r#"Examples:
  # Set default output format for 'get' command
  kubectl kuberc set --section defaults --command get --option output=wide
  
  # Set default output format for a subcommand
  kubectl kuberc set --section defaults --command "set env" --option output=yaml
  
  # Create an alias 'getn' for 'get' command with prepended 'nodes' resource
  kubectl kuberc set --section aliases --name getn --command get --prependarg nodes --option output=wide
  
  # Create an alias 'runx' for 'run' command with appended arguments
  kubectl kuberc set --section aliases --name runx --command run --option image=nginx --appendarg "--" --appendarg custom-arg1
  
  # Overwrite an existing default
  kubectl kuberc set --section defaults --command get --option output=json --overwrite
  
  # Set the credential plugin policy and allowlist
  kubectl kuberc set --section credentialplugin --policy Allowlist --allowlist-entry command=cloud-credential-helper"#;
/// kubectl's usage line of `kuberc set`.
pub const SET_USAGE: &str = "set --section (defaults|aliases) --command COMMAND";

/// Manage kuberc configuration files.
#[derive(Debug, Clone, clap::Args)]
pub struct KubercArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub command: KubercCommand,
}

/// `kuberc` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum KubercCommand {
    /// Display the current kuberc configuration
    #[command(long_about = VIEW_LONG, after_help = VIEW_EXAMPLES, override_usage = VIEW_USAGE)]
    View(ViewArgs),
    /// Set values in the kuberc configuration
    #[command(long_about = SET_LONG, after_help = SET_EXAMPLES, override_usage = SET_USAGE)]
    Set(SetArgs),
}

/// `kuberc view`.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("output", |a| a.default_value("yaml")))]
pub struct ViewArgs {
    #[command(flatten)]
    pub print: super::flags::PrintFlags,
}

/// `kuberc set`.
#[derive(Debug, Clone, clap::Args)]
pub struct SetArgs {
    /// Allowlist entry the form field=value (can be specified multiple times)
    #[arg(verbatim_doc_comment, long, value_name = "stringArray")]
    pub allowlist_entry: Vec<String>,
    /// Argument to append to the command (can be specified multiple times, for aliases only)
    #[arg(
        verbatim_doc_comment,
        long,
        value_name = "stringArray",
        allow_hyphen_values = true
    )]
    pub appendarg: Vec<String>,
    /// Command to configure (e.g., 'get', 'create', 'set env')
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub command: String,
    /// Alias name (required for --section=aliases)
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub name: String,
    /// Flag option in the form flag=value (can be specified multiple times)
    #[arg(
        verbatim_doc_comment,
        long,
        value_name = "stringArray",
        allow_hyphen_values = true
    )]
    pub option: Vec<String>,
    /// Allow overwriting existing entries
    #[arg(verbatim_doc_comment, long, value_parser = clap::builder::BoolishValueParser::new(), go_bool(false))]
    pub overwrite: bool,
    /// Plugin policy to use for exec credential plugins, must be one of 'AllowAll', 'DenyAll' or 'Allowlist'
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub policy: String,
    /// Argument to prepend to the command (can be specified multiple times, for aliases only)
    #[arg(
        verbatim_doc_comment,
        long,
        value_name = "stringArray",
        allow_hyphen_values = true
    )]
    pub prependarg: Vec<String>,
    /// Section to modify: 'defaults', 'aliases', or 'credentialplugin'
    #[arg(verbatim_doc_comment, long)]
    pub section: Option<String>,
}

impl KubercArgs {
    /// Runs the subcommand.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        match &self.command {
            KubercCommand::View(a) => a.run(ctx),
            KubercCommand::Set(a) => a.run(ctx),
        }
    }
}

/// kubectl's `LoadKuberc`: the file, whether it was named explicitly; `None`: `KUBERC=off`.
fn kuberc_file(ctx: &Context) -> Result<Option<(String, bool)>, CliError> {
    let flag = ctx
        .global
        .kuberc
        .as_ref()
        .map(|p| p.display().to_string())
        .filter(|p| !p.is_empty());
    if ctx.env.get("KUBERC") == Some("off") {
        if flag.is_some() {
            return Err(CliError::msg(
                "disabling kuberc via KUBERC=off and passing kuberc flag are mutually exclusive",
            ));
        }
        return Ok(None);
    }
    let recommended = format!("{}/.kube/kuberc", ctx.env.get("HOME").unwrap_or(""));
    Ok(Some(
        match (flag, ctx.env.get("KUBERC").filter(|v| !v.is_empty())) {
            (Some(f), _) => (f, true),
            (None, Some(k)) => (k.to_string(), true),
            (None, None) => (recommended, false),
        },
    ))
}

fn disabled() -> CliError {
    CliError::msg("KUBERC is disabled via KUBERC=off environment variable")
}

/// Go's `json.Unmarshal` of one field into a typed slot: the error names the struct field.
fn type_error(found: &Value, field: &str, go_type: &str) -> CliError {
    let what = match found {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    };
    CliError::msg(format!(
        "error parsing kuberc file: json: cannot unmarshal {what} into Go struct field {field} of type {go_type}"
    ))
}

fn string_at(v: &Value, key: &str, field: &str) -> Result<Option<String>, CliError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(type_error(other, field, "string")),
    }
}

/// A `[]T` field: `None` when absent or null (Go's nil slice).
fn array_at<'a>(
    v: &'a Value,
    key: &str,
    field: &str,
    go_type: &str,
) -> Result<Option<&'a Vec<Value>>, CliError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(other) => Err(type_error(other, field, go_type)),
    }
}

fn options_of(v: Option<&Vec<Value>>, field: &str) -> Result<Option<Value>, CliError> {
    let Some(items) = v else { return Ok(None) };
    let mut out = Vec::new();
    for o in items {
        if !o.is_object() && !o.is_null() {
            return Err(type_error(o, field, "v1beta1.CommandOptionDefault"));
        }
        out.push(json!({
            "name": string_at(o, "name", &format!("{field}.name"))?.unwrap_or_default(),
            "default": string_at(o, "default", &format!("{field}.default"))?.unwrap_or_default(),
        }));
    }
    Ok(Some(Value::Array(out)))
}

fn strings_of(v: Option<&Vec<Value>>, field: &str) -> Result<Vec<Value>, CliError> {
    let mut out = Vec::new();
    for s in v.into_iter().flatten() {
        match s {
            Value::String(_) => out.push(s.clone()),
            Value::Null => out.push(Value::String(String::new())),
            other => return Err(type_error(other, field, "string")),
        }
    }
    Ok(out)
}

/// The document as kubectl's `v1beta1.Preference` holds it, in Go's JSON shape: `defaults`
/// and `aliases` always present (null when nil), the rest omitted when empty.
fn to_preference(doc: &Value) -> Result<Value, CliError> {
    if !doc.is_object() {
        let what = match doc {
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            _ => "array",
        };
        return Err(CliError::msg(format!(
            "error parsing kuberc file: json: cannot unmarshal {what} into Go value of type v1beta1.Preference"
        )));
    }
    let mut pref = Map::new();
    if let Some(k) = string_at(doc, "kind", "Preference.kind")?.filter(|s| !s.is_empty()) {
        pref.insert("kind".into(), Value::String(k));
    }
    if let Some(a) =
        string_at(doc, "apiVersion", "Preference.apiVersion")?.filter(|s| !s.is_empty())
    {
        pref.insert("apiVersion".into(), Value::String(a));
    }
    let defaults = match array_at(
        doc,
        "defaults",
        "Preference.defaults",
        "[]v1beta1.CommandDefaults",
    )? {
        None => Value::Null,
        Some(items) => {
            let mut out = Vec::new();
            for d in items {
                let options = options_of(
                    array_at(
                        d,
                        "options",
                        "Preference.defaults.options",
                        "[]v1beta1.CommandOptionDefault",
                    )?,
                    "Preference.defaults.options",
                )?;
                out.push(json!({
                    "command": string_at(d, "command", "Preference.defaults.command")?.unwrap_or_default(),
                    "options": options.unwrap_or(Value::Null),
                }));
            }
            Value::Array(out)
        }
    };
    pref.insert("defaults".into(), defaults);
    let aliases = match array_at(
        doc,
        "aliases",
        "Preference.aliases",
        "[]v1beta1.AliasOverride",
    )? {
        None => Value::Null,
        Some(items) => {
            let mut out = Vec::new();
            for a in items {
                let mut alias = Map::new();
                alias.insert(
                    "name".into(),
                    Value::String(
                        string_at(a, "name", "Preference.aliases.name")?.unwrap_or_default(),
                    ),
                );
                alias.insert(
                    "command".into(),
                    Value::String(
                        string_at(a, "command", "Preference.aliases.command")?.unwrap_or_default(),
                    ),
                );
                for key in ["prependArgs", "appendArgs"] {
                    let field = format!("Preference.aliases.{key}");
                    let list = strings_of(array_at(a, key, &field, "[]string")?, &field)?;
                    if !list.is_empty() {
                        alias.insert(key.into(), Value::Array(list));
                    }
                }
                let options = options_of(
                    array_at(
                        a,
                        "options",
                        "Preference.aliases.options",
                        "[]v1beta1.CommandOptionDefault",
                    )?,
                    "Preference.aliases.options",
                )?;
                if let Some(o) = options.filter(|o| o.as_array().is_some_and(|a| !a.is_empty())) {
                    alias.insert("options".into(), o);
                }
                out.push(Value::Object(alias));
            }
            Value::Array(out)
        }
    };
    pref.insert("aliases".into(), aliases);
    if let Some(p) = string_at(
        doc,
        "credentialPluginPolicy",
        "Preference.credentialPluginPolicy",
    )?
    .filter(|s| !s.is_empty())
    {
        pref.insert("credentialPluginPolicy".into(), Value::String(p));
    }
    if let Some(items) = array_at(
        doc,
        "credentialPluginAllowlist",
        "Preference.credentialPluginAllowlist",
        "[]v1beta1.AllowlistEntry",
    )?
    .filter(|a| !a.is_empty())
    {
        let mut out = Vec::new();
        for e in items {
            let mut entry = Map::new();
            for key in ["name", "command"] {
                let field = format!("Preference.credentialPluginAllowlist.{key}");
                if let Some(v) = string_at(e, key, &field)?.filter(|s| !s.is_empty()) {
                    entry.insert(key.into(), Value::String(v));
                }
            }
            out.push(Value::Object(entry));
        }
        pref.insert("credentialPluginAllowlist".into(), Value::Array(out));
    }
    Ok(Value::Object(pref))
}

/// `sigs.k8s.io/yaml.Unmarshal`: the first document of the file.
fn parse(text: &str) -> Result<Value, CliError> {
    let docs = crate::manifest::yaml::documents_to_json(text);
    match docs.into_iter().next() {
        None => Ok(Value::Null),
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(CliError::msg(format!(
            "error parsing kuberc file: error converting YAML to JSON: {e}"
        ))),
    }
}

/// kubectl's `SavePreference`: `Updated FILE`.
fn save(ctx: &Context, pref: &Value, file: &str) -> Result<(), CliError> {
    let text = crate::print::yaml::to_yaml_string(pref);
    crate::kubeconfig::edit::write_file_atomic(std::path::Path::new(file), &text, 0o644)
        .map_err(|e| CliError::msg(format!("failed to write kuberc file: {e}")))?;
    writeln!(ctx.out(), "Updated {file}")?;
    Ok(())
}

/// kubectl's `CreateDefaultPreference`.
fn default_preference() -> Value {
    json!({
        "apiVersion": "kubectl.config.k8s.io/v1beta1",
        "kind": "Preference",
        "defaults": [
            {"command": "apply", "options": [{"name": "server-side", "default": "true"}]},
            {"command": "delete", "options": [{"name": "interactive", "default": "true"}]},
        ],
        "aliases": null,
    })
}

fn io_reason(e: &std::io::Error) -> String {
    crate::kubeconfig::resolve::io_text(e)
}

impl ViewArgs {
    fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let Some((file, explicit)) = kuberc_file(ctx)? else {
            return Err(disabled());
        };
        let p = &self.print;
        let output = if p.output.is_empty() {
            "yaml"
        } else {
            &p.output
        };
        let spec = super::flags::PrintSpec::parse(
            ctx,
            output,
            p.template.as_deref(),
            p.allow_missing_template_keys,
            p.show_managed_fields,
        )?;
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(CliError::msg(format!(
                    "error reading kuberc file: read {file}: {}",
                    io_reason(&e)
                )))
            }
            Err(_) if explicit => {
                return Err(CliError::msg(format!("kuberc file not found at {file}")))
            }
            Err(_) => {
                {
                    let mut out = ctx.out();
                    write!(out, "kuberc file not found at {file}\nWould you like to generate a default kuberc file with recommended options? (y/N): ")?;
                    out.flush()?;
                }
                // Go's `fmt.Fscanln`: one word, then the end of the line.
                let mut line = String::new();
                {
                    use std::io::BufRead;
                    let mut input = ctx.stdin();
                    let mut reader = std::io::BufReader::new(&mut **input);
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return Ok(());
                    }
                }
                let words: Vec<&str> = line.split_whitespace().collect();
                if words.len() == 1 && words[0].eq_ignore_ascii_case("y") {
                    return save(ctx, &default_preference(), &file);
                }
                // kubectl v1.36 goes on to decode the file it did not read, into a nil
                // pointer, and panics; kubectl-rs ends here, as after no answer.
                return Ok(());
            }
        };
        let mut pref = to_preference(&match parse(&text)? {
            Value::Null => json!({}),
            v => v,
        })?;
        for key in ["aliases", "defaults"] {
            if pref[key].is_null() {
                pref[key] = json!([]);
            }
        }
        let mut printer = spec.printer()?.map(crate::print::GenericPrinter::typed);
        let checks_kind = matches!(
            printer,
            Some(
                crate::print::GenericPrinter::Json { .. }
                    | crate::print::GenericPrinter::Yaml { .. }
                    | crate::print::GenericPrinter::Kyaml { .. }
            )
        );
        if checks_kind && pref.get("kind").is_none() && pref.get("apiVersion").is_none() {
            return Err(CliError::msg("missing apiVersion or kind; try GetObjectKind().SetGroupVersionKind() if you know the type"));
        }
        spec.print(ctx, printer.as_mut(), &pref, "")
    }
}

const DEFAULTS: &str = "defaults";
const ALIASES: &str = "aliases";
const CREDENTIAL_PLUGIN: &str = "credentialplugin";

impl SetArgs {
    /// kubectl's `Validate`.
    fn validate(&self, section: &str) -> Result<(), CliError> {
        if section != DEFAULTS && section != ALIASES && section != CREDENTIAL_PLUGIN {
            return Err(CliError::msg(format!(
                "--section must be {DEFAULTS:?}, {ALIASES:?}, or {CREDENTIAL_PLUGIN:?}, got: {section}"
            )));
        }
        if section == ALIASES && self.name.is_empty() {
            return Err(CliError::msg(format!(
                "--name is required when --section={ALIASES}"
            )));
        }
        if section == DEFAULTS && !self.name.is_empty() {
            return Err(CliError::msg(format!(
                "--name should not be specified when --section={DEFAULTS}"
            )));
        }
        if section == DEFAULTS && (!self.prependarg.is_empty() || !self.appendarg.is_empty()) {
            return Err(CliError::msg(format!(
                "--prependarg and --appendarg are only valid for --section={ALIASES}"
            )));
        }
        if section != CREDENTIAL_PLUGIN && self.command.is_empty() {
            return Err(CliError::msg(format!(
                "--command is required when --section={ALIASES} or --section={DEFAULTS}"
            )));
        }
        if section == CREDENTIAL_PLUGIN {
            if self.policy.is_empty() {
                return Err(CliError::msg(format!(
                    "--policy is required when --section={CREDENTIAL_PLUGIN}"
                )));
            }
            match self.policy.as_str() {
                "AllowAll" | "DenyAll" => {
                    if !self.allowlist_entry.is_empty() {
                        return Err(CliError::msg(format!("--allowlist-entry may only be used when --section={CREDENTIAL_PLUGIN} and --policy=Allowlist")));
                    }
                }
                "Allowlist" => {
                    if self.allowlist_entry.is_empty() {
                        return Err(CliError::msg(format!("--allowlist-entry is required when --section={CREDENTIAL_PLUGIN} and --policy=Allowlist")));
                    }
                }
                other => {
                    return Err(CliError::msg(format!(
                    " --policy must be  \"AllowAll\", \"DenyAll\", or \"Allowlist\", got: {other}"
                )))
                }
            }
        }
        Ok(())
    }

    /// kubectl's `parseOptions`.
    fn options(&self) -> Result<Vec<Value>, CliError> {
        let mut out = Vec::new();
        for opt in &self.option {
            let Some((name, value)) = opt.split_once('=') else {
                return Err(CliError::msg(format!(
                    "invalid option format {}, expected flag=value",
                    kcore::gofmt::go_quote(opt)
                )));
            };
            out.push(json!({"name": name.trim_start_matches('-'), "default": value}));
        }
        Ok(out)
    }

    fn run(&self, ctx: &Context) -> Result<(), CliError> {
        // cobra's check of a required flag, before Complete.
        let Some(section) = self.section.clone() else {
            return Err(CliError::msg("required flag(s) \"section\" not set"));
        };
        let Some((file, _)) = kuberc_file(ctx)? else {
            return Err(disabled());
        };
        self.validate(&section)?;
        let mut pref = match std::fs::read_to_string(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(CliError::msg(format!(
                    "error reading kuberc file: read {file}: {}",
                    io_reason(&e)
                )))
            }
            Ok(t) if !t.is_empty() => match parse(&t)? {
                Value::Null => to_preference(&json!({}))?,
                v => to_preference(&v)?,
            },
            _ => to_preference(&json!({
                "apiVersion": "kubectl.config.k8s.io/v1beta1",
                "kind": "Preference",
            }))?,
        };
        let options = self.options()?;
        match section.as_str() {
            DEFAULTS => self.set_defaults(&mut pref, options)?,
            ALIASES => self.set_alias(&mut pref, options)?,
            _ => self.set_credential_plugin(&mut pref)?,
        }
        save(ctx, &pref, &file)
    }

    fn set_defaults(&self, pref: &mut Value, options: Vec<Value>) -> Result<(), CliError> {
        let opts = |o: Vec<Value>| {
            if o.is_empty() {
                Value::Null
            } else {
                Value::Array(o)
            }
        };
        if let Some(items) = pref["defaults"].as_array_mut() {
            for d in items.iter_mut() {
                if d["command"].as_str() == Some(self.command.as_str()) {
                    if !self.overwrite {
                        return Err(CliError::msg(format!(
                            "defaults for command {} already exist, use --overwrite to replace",
                            kcore::gofmt::go_quote(&self.command)
                        )));
                    }
                    if !options.is_empty() {
                        d["options"] = Value::Array(options);
                    }
                    return Ok(());
                }
            }
        }
        let entry = json!({"command": self.command, "options": opts(options)});
        match pref["defaults"].as_array_mut() {
            Some(items) => items.push(entry),
            None => pref["defaults"] = json!([entry]),
        }
        Ok(())
    }

    fn set_alias(&self, pref: &mut Value, options: Vec<Value>) -> Result<(), CliError> {
        let strings =
            |v: &[String]| Value::Array(v.iter().map(|s| Value::String(s.clone())).collect());
        let build = |old: Option<&Value>| {
            let mut alias = Map::new();
            alias.insert("name".into(), Value::String(self.name.clone()));
            alias.insert("command".into(), Value::String(self.command.clone()));
            let keep = |key: &str, new: &[String]| -> Option<Value> {
                if !new.is_empty() {
                    Some(strings(new))
                } else {
                    old.and_then(|o| o.get(key)).cloned()
                }
            };
            if let Some(v) = keep("prependArgs", &self.prependarg) {
                alias.insert("prependArgs".into(), v);
            }
            if let Some(v) = keep("appendArgs", &self.appendarg) {
                alias.insert("appendArgs".into(), v);
            }
            let opts = if !options.is_empty() {
                Some(Value::Array(options.clone()))
            } else {
                old.and_then(|o| o.get("options")).cloned()
            };
            if let Some(o) = opts {
                alias.insert("options".into(), o);
            }
            Value::Object(alias)
        };
        if let Some(items) = pref["aliases"].as_array_mut() {
            for a in items.iter_mut() {
                if a["name"].as_str() == Some(self.name.as_str()) {
                    if !self.overwrite {
                        return Err(CliError::msg(format!(
                            "alias {} already exists, use --overwrite to replace",
                            kcore::gofmt::go_quote(&self.name)
                        )));
                    }
                    *a = build(Some(a));
                    return Ok(());
                }
            }
        }
        let entry = build(None);
        match pref["aliases"].as_array_mut() {
            Some(items) => items.push(entry),
            None => pref["aliases"] = json!([entry]),
        }
        Ok(())
    }

    fn set_credential_plugin(&self, pref: &mut Value) -> Result<(), CliError> {
        if self.policy == "Allowlist" {
            let mut errs = Vec::new();
            let mut entries = Vec::new();
            for pairs in &self.allowlist_entry {
                for pair in pairs.split(',') {
                    let Some((field, value)) = pair.split_once('=') else {
                        errs.push(format!(
                            "improperly formatted allowlist entry: {}",
                            kcore::gofmt::go_quote(pair)
                        ));
                        continue;
                    };
                    match field {
                        "name" => {
                            errs.push(
                                "allowlist entry field \"name\" is deprecated, use \"command\" instead"
                                    .to_string(),
                            );
                            continue;
                        }
                        "command" => {}
                        other => {
                            errs.push(format!(
                                "unrecognized allowlist entry field: {}",
                                kcore::gofmt::go_quote(other)
                            ));
                            continue;
                        }
                    }
                    if value.trim().is_empty() {
                        errs.push(format!(
                            "empty value in allowlist entry for field {}",
                            kcore::gofmt::go_quote(field)
                        ));
                        continue;
                    }
                    entries.push(json!({"command": value}));
                }
            }
            match errs.len() {
                0 => {}
                1 => return Err(CliError::msg(errs.remove(0))),
                _ => return Err(CliError::msg(format!("[{}]", errs.join(", ")))),
            }
            if let Some(obj) = pref.as_object_mut() {
                if entries.is_empty() {
                    obj.remove("credentialPluginAllowlist");
                } else {
                    obj.insert("credentialPluginAllowlist".into(), Value::Array(entries));
                }
            }
        }
        pref["credentialPluginPolicy"] = Value::String(self.policy.clone());
        Ok(())
    }
}

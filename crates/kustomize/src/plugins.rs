//! Built-in plugin configs in a kustomization's `generators`, `transformers` and `validators`
//! (objects with `apiVersion: builtin`, `internal/plugins/loader`, `internal/builtins/*`), and
//! the origin/transformation annotations of `buildMetadata` (`api/resource/origin.go`).
//!
//! Each config is read as kustomize's plugin reads it (`yaml.Unmarshal` into the plugin's
//! struct: field names match case-insensitively, unknown fields are ignored) and runs the same
//! code as the kustomization field of the same transformer, with the config's own field specs
//! (no defaults are merged in).

use kcore::gopath;
use serde_json::Value;

use crate::fieldspec::FieldSpec;
use crate::generators::GenArgs;
use crate::resource::{scalar_string, string_map, Res};
use crate::target::{self as t, Acc, Loader};
use crate::transformers::{self as tr, Image, Selector, SubjectMode};
use crate::Error;

pub const ORIGIN_KEY: &str = "config.kubernetes.io/origin";
pub const TRANSFORMATIONS_KEY: &str = "alpha.config.kubernetes.io/transformations";

/// `resource.Origin`: where a resource was read (`path`, and `repo`/`ref` when it came from a
/// git base), or where the generator or transformer that made or changed it was configured
/// and by what.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub path: String,
    pub repo: String,
    pub git_ref: String,
    pub configured_in: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

/// A scalar as yaml.v3 writes it in a block mapping (plain unless that would read back as
/// something else).
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`', ' ',
        ])
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(char::is_control)
        && s.parse::<f64>().is_err()
        && ![
            "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
        ]
        .contains(&s.to_lowercase().as_str());
    if plain {
        s.to_string()
    } else {
        format!("{s:?}")
    }
}

impl Origin {
    /// `Origin.Append`: the origin of `input` (a path or a git URL) read from this origin's
    /// directory. A git URL starts over in its repository: `path` is the kustomization root
    /// in it, cut out of kustomize's placeholder clone directory the way kustomize cuts it
    /// (so a repository's own root comes out as `notCloned`, as in kustomize).
    pub fn append(&self, input: &str) -> Origin {
        let mut out = self.clone();
        let mut input = input.to_string();
        if let Ok(spec) = crate::remote::RepoSpec::parse(input.as_str()) {
            out.repo = spec.clone_spec();
            out.git_ref = spec.git_ref.clone();
            out.path = String::new();
            let abs = gopath::join("/notCloned", &spec.kust_root_path);
            let from = abs[1..].find('/').map_or(0, |i| i + 1);
            input = abs[from..][1..].to_string();
        }
        out.path = gopath::join(&out.path, &input);
        out
    }

    /// The origin of a generator or transformer configured in `file` of the directory this
    /// origin names (`configureBuiltinGenerators`/`Transformers`).
    pub fn configured(&self, file: &str, kind: &str) -> Origin {
        Origin {
            repo: self.repo.clone(),
            git_ref: self.git_ref.clone(),
            configured_in: gopath::join(&self.path, file),
            api_version: "builtin".into(),
            kind: kind.into(),
            ..Default::default()
        }
    }

    /// `kyaml.Marshal(origin)`, as lines (every field is `omitempty`).
    fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in [
            ("path", &self.path),
            ("repo", &self.repo),
            ("ref", &self.git_ref),
            ("configuredIn", &self.configured_in),
        ] {
            if !v.is_empty() {
                out.push(format!("{k}: {}", yaml_scalar(v)));
            }
        }
        let by = [
            ("apiVersion", &self.api_version),
            ("kind", &self.kind),
            ("name", &self.name),
            ("namespace", &self.namespace),
        ];
        if by.iter().any(|(_, v)| !v.is_empty()) {
            out.push("configuredBy:".to_string());
        }
        for (k, v) in by {
            if !v.is_empty() {
                out.push(format!("  {k}: {}", yaml_scalar(v)));
            }
        }
        out
    }

    /// Reads back what [`Origin::annotation`] wrote (the fields kustomize's `GetOrigin` reads).
    pub fn parse(annotation: &str) -> Origin {
        let mut o = Origin::default();
        for l in annotation.lines() {
            let Some((k, v)) = l.split_once(": ") else {
                continue;
            };
            let v = match serde_yaml_ng::from_str::<Value>(v) {
                Ok(Value::String(s)) => s,
                _ => v.to_string(),
            };
            match k {
                "path" => o.path = v,
                "repo" => o.repo = v,
                "ref" => o.git_ref = v,
                _ => {}
            }
        }
        o
    }

    /// The `config.kubernetes.io/origin` annotation's value.
    pub fn annotation(&self) -> String {
        self.lines().iter().map(|l| format!("{l}\n")).collect()
    }

    /// One item of the `alpha.config.kubernetes.io/transformations` list.
    fn list_item(&self) -> String {
        self.lines()
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{}{l}\n", if i == 0 { "- " } else { "  " }))
            .collect()
    }
}

fn annotation(r: &Res, key: &str) -> Option<String> {
    r.string_map("annotations")
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

fn set_annotation(r: &mut Res, key: &str, value: String) {
    let mut anns = r.string_map("annotations");
    match anns.iter_mut().find(|(k, _)| k == key) {
        Some(e) => e.1 = value,
        None => anns.push((key.to_string(), value)),
    }
    anns.sort();
    r.set_string_map("annotations", anns);
    r.annotated = true;
}

/// `resWrangler.AddTransformerAnnotation` for one resource: a resource without an origin was
/// made by the transformer (it becomes its origin); otherwise the transformer is appended to
/// its transformations.
pub fn add_transformer_annotation(r: &mut Res, o: &Origin) {
    if r.is_empty() {
        return;
    }
    if annotation(r, ORIGIN_KEY).is_none() {
        set_annotation(r, ORIGIN_KEY, o.annotation());
        return;
    }
    let mut list = annotation(r, TRANSFORMATIONS_KEY).unwrap_or_default();
    list.push_str(&o.list_item());
    set_annotation(r, TRANSFORMATIONS_KEY, list);
}

/// `resWrangler.AddOriginAnnotation` for one generated resource.
pub fn add_origin_annotation(r: &mut Res, o: &Origin) {
    if annotation(r, ORIGIN_KEY).is_none() {
        set_annotation(r, ORIGIN_KEY, o.annotation());
    }
}

/// A built-in plugin, configured.
pub(crate) enum Plugin {
    /// `PrefixTransformer`, `SuffixTransformer`, or both (`PrefixSuffixTransformer`).
    Affix {
        prefix: Option<String>,
        suffix: Option<String>,
        specs: Vec<FieldSpec>,
    },
    Labels(Vec<(String, String)>, Vec<FieldSpec>),
    Annotations(Vec<(String, String)>, Vec<FieldSpec>),
    Namespace {
        ns: String,
        specs: Vec<FieldSpec>,
        unset_only: bool,
        mode: SubjectMode,
    },
    Image(Image, Vec<FieldSpec>),
    Replicas(String, i64, Vec<FieldSpec>),
    Patch(Value),
    Smp(Vec<Value>),
    Json6902(Selector, Value),
    Replacements(Vec<Value>),
    Hash,
    ConfigMap(Value),
    Secret(Value),
    /// `IAMPolicyGenerator`'s config (`types.IAMPolicyGeneratorArgs`).
    IamPolicy(Value),
}

/// A configured plugin and where it was configured (when origins are tracked).
pub(crate) struct Configured {
    pub plugin: Plugin,
    pub origin: Option<Origin>,
    /// `ResId.String()` of the config, as kustomize names the plugin in errors.
    pub id: String,
}

/// A field of a plugin config, matched as Go's `encoding/json` matches it (exact name first,
/// then case-insensitively).
fn field<'a>(c: &'a Value, name: &str) -> Option<&'a Value> {
    let m = c.as_object()?;
    m.get(name)
        .or_else(|| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
        .filter(|v| !v.is_null())
}

fn str_field(c: &Value, name: &str) -> String {
    field(c, name).map(scalar_string).unwrap_or_default()
}

fn field_specs(c: &Value) -> Option<Vec<FieldSpec>> {
    field(c, "fieldSpecs")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(FieldSpec::from_value).collect())
}

/// The kinds kustomize links in as built-in plugins (`builtinhelpers`).
const GENERATORS: &[&str] = &[
    "ConfigMapGenerator",
    "IAMPolicyGenerator",
    "SecretGenerator",
    "HelmChartInflationGenerator",
];
const TRANSFORMERS: &[&str] = &[
    "AnnotationsTransformer",
    "HashTransformer",
    "ImageTagTransformer",
    "LabelTransformer",
    "NamespaceTransformer",
    "PatchJson6902Transformer",
    "PatchStrategicMergeTransformer",
    "PatchTransformer",
    "PrefixSuffixTransformer",
    "PrefixTransformer",
    "SuffixTransformer",
    "ReplacementTransformer",
    "ReplicaCountTransformer",
    "ValueAddTransformer",
];

/// `Loader.loadAndConfigurePlugin` + the generator/transformer check of `LoadGenerator` /
/// `LoadTransformer`, for one config with `apiVersion: builtin`.
pub(crate) fn configure(
    ldr: &Loader,
    config: &Value,
    want_generator: bool,
) -> Result<Configured, Error> {
    let probe = Res::new(config.clone());
    let kind = probe.kind();
    let id = probe.org_id().id_string();
    let is_gen = GENERATORS.contains(&kind.as_str());
    if !is_gen && !TRANSFORMERS.contains(&kind.as_str()) {
        return Err(Error::new(format!(
            "unable to load builtin {}",
            probe.gvk().id_string()
        )));
    }
    let fails = |e: Error| e.wrap(format!("plugin {id} fails configuration"));
    if let Some(e) = crate::kusttypes::plugin_field_error(&kind, config) {
        let e = Error::new(e);
        return Err(fails(if kind == "NamespaceTransformer" {
            e.wrap("unmarshalling NamespaceTransformer config")
        } else {
            e
        }));
    }
    let plugin = match kind.as_str() {
        // kubectl never enables helm: the plugin refuses its config.
        "HelmChartInflationGenerator" => {
            return Err(fails(Error::new("must specify --enable-helm")))
        }
        "ValueAddTransformer" => {
            return Err(Error::new(format!(
                "plugin {id}: the built-in {kind} is not supported by kubectl-rs"
            )))
        }
        "IAMPolicyGenerator" => Plugin::IamPolicy(config.clone()),
        "ConfigMapGenerator" => Plugin::ConfigMap(config.clone()),
        "SecretGenerator" => Plugin::Secret(config.clone()),
        "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
            let Some(specs) = field_specs(config) else {
                return Err(fails(Error::new("fieldSpecs is not expected to be nil")));
            };
            let prefix = str_field(config, "prefix");
            let suffix = str_field(config, "suffix");
            Plugin::Affix {
                prefix: (kind != "SuffixTransformer").then_some(prefix),
                suffix: (kind != "PrefixTransformer").then_some(suffix),
                specs,
            }
        }
        "LabelTransformer" => Plugin::Labels(
            string_map(field(config, "labels")),
            field_specs(config).unwrap_or_default(),
        ),
        "AnnotationsTransformer" => Plugin::Annotations(
            string_map(field(config, "annotations")),
            field_specs(config).unwrap_or_default(),
        ),
        "NamespaceTransformer" => {
            let mode = match str_field(config, "setRoleBindingSubjects").as_str() {
                "" | "defaultOnly" => SubjectMode::DefaultOnly,
                "allServiceAccounts" => SubjectMode::AllServiceAccounts,
                "none" => SubjectMode::None,
                other => {
                    return Err(fails(Error::new(format!(
                        "invalid value {other:?} for setRoleBindingSubjects: must be one of \"defaultOnly\", \"none\" or \"allServiceAccounts\""
                    ))))
                }
            };
            Plugin::Namespace {
                ns: field(config, "metadata")
                    .map(|m| str_field(m, "namespace"))
                    .unwrap_or_default(),
                specs: field_specs(config).unwrap_or_default(),
                unset_only: field(config, "unsetOnly")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                mode,
            }
        }
        "ImageTagTransformer" => Plugin::Image(
            Image::from_value(field(config, "imageTag").unwrap_or(&Value::Null)),
            field_specs(config).unwrap_or_default(),
        ),
        "ReplicaCountTransformer" => {
            let r = field(config, "replica");
            Plugin::Replicas(
                r.map(|r| str_field(r, "name")).unwrap_or_default(),
                r.and_then(|r| field(r, "count"))
                    .and_then(Value::as_i64)
                    .unwrap_or(0),
                field_specs(config).unwrap_or_default(),
            )
        }
        "PatchTransformer" => Plugin::Patch(config.clone()),
        "PatchStrategicMergeTransformer" => {
            let paths: Vec<Value> = field(config, "paths")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let patches = str_field(config, "patches");
            if paths.is_empty() && patches.is_empty() {
                return Err(fails(Error::new("empty file path and empty patch content")));
            }
            let mut loaded = t::load_smp_paths(ldr, &paths).map_err(fails)?;
            if !patches.is_empty() {
                loaded.extend(crate::yamlio::resources_from_bytes(&patches).map_err(fails)?);
            }
            if loaded.is_empty() {
                let files: Vec<String> = paths.iter().map(scalar_string).collect();
                return Err(fails(Error::new(format!(
                    "patch appears to be empty; files=[{}], Patch={patches}",
                    files.join(" ")
                ))));
            }
            Plugin::Smp(loaded)
        }
        "PatchJson6902Transformer" => {
            let target = field(config, "target")
                .map(Selector::from_value)
                .unwrap_or_default();
            let ops = t::json6902_ops(
                ldr,
                &target,
                &str_field(config, "path"),
                str_field(config, "jsonOp"),
            )
            .map_err(fails)?;
            Plugin::Json6902(target, ops)
        }
        "ReplacementTransformer" => Plugin::Replacements(
            field(config, "replacements")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        ),
        "HashTransformer" => Plugin::Hash,
        _ => unreachable!("kind checked above"),
    };
    let generator = matches!(
        plugin,
        Plugin::ConfigMap(_) | Plugin::Secret(_) | Plugin::IamPolicy(_)
    );
    if want_generator && !generator {
        return Err(Error::new(format!("plugin {id} not a generator")));
    }
    if !want_generator && generator {
        return Err(Error::new(format!("plugin {id} not a transformer")));
    }
    // `OriginFromCustomPlugin`: the config's own origin annotation names where it was read.
    let origin = annotation(&probe, ORIGIN_KEY).map(|a| {
        let o = Origin::parse(&a);
        Origin {
            path: String::new(),
            repo: o.repo,
            git_ref: o.git_ref,
            configured_in: o.path,
            api_version: "builtin".into(),
            kind: kind.clone(),
            name: probe.name(),
            namespace: probe.namespace(),
        }
    });
    Ok(Configured { plugin, origin, id })
}

/// A generator plugin's `Generate`: the resource it makes.
pub(crate) fn generate(ldr: &Loader, c: &Configured) -> Result<Res, Error> {
    let (cfg, is_cm) = match &c.plugin {
        Plugin::ConfigMap(v) => (v, true),
        Plugin::Secret(v) => (v, false),
        Plugin::IamPolicy(v) => {
            let mut r = iam_policy(v)?;
            if let Some(o) = &c.origin {
                add_origin_annotation(&mut r, o);
            }
            return Ok(r);
        }
        _ => unreachable!("generators are configured as generators"),
    };
    // The plugin struct embeds ObjectMeta: the args' name and namespace default to the
    // config's own.
    let mut args = GenArgs::from_value(cfg, None);
    if args.name.is_empty() {
        args.name = Res::new(cfg.clone()).name();
    }
    if args.namespace.is_empty() {
        args.namespace = Res::new(cfg.clone()).namespace();
    }
    let mut r = if is_cm {
        crate::generators::make_config_map(ldr, &args)?
    } else {
        crate::generators::make_secret(ldr, &args)?
    };
    if let Some(o) = &c.origin {
        add_origin_annotation(&mut r, o);
    }
    Ok(r)
}

/// `iampolicygenerator.Filter`: for `cloud: gke`, the Kubernetes service account bound to a
/// Google service account (kustomize writes it as YAML text and parses it back, so the values
/// are read as YAML too); any other cloud is refused.
fn iam_policy(cfg: &Value) -> Result<Res, Error> {
    let cloud = str_field(cfg, "cloud");
    if cloud != "gke" {
        return Err(Error::new(format!(
            "cloud provider {cloud} not supported yet"
        )));
    }
    let ks = field(cfg, "kubernetesService").unwrap_or(&Value::Null);
    let sa = field(cfg, "serviceAccount").unwrap_or(&Value::Null);
    let mut text = format!(
        "\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  annotations:\n    iam.gke.io/gcp-service-account: {}@{}.iam.gserviceaccount.com\n  name: {}\n",
        str_field(sa, "name"),
        str_field(sa, "projectId"),
        str_field(ks, "name"),
    );
    let ns = str_field(ks, "namespace");
    if !ns.is_empty() {
        text.push_str(&format!("\n  namespace: {ns}"));
    }
    let doc = crate::yamlio::parse_documents(&text)
        .map_err(Error::new)?
        .into_iter()
        .next()
        .unwrap_or(Value::Null);
    Ok(Res::new(doc))
}

/// A transformer plugin's `Transform` over everything accumulated.
pub(crate) fn transform(ldr: &Loader, acc: &mut Acc, c: &Configured) -> Result<(), Error> {
    match &c.plugin {
        Plugin::Affix {
            prefix,
            suffix,
            specs,
        } => {
            if let Some(p) = prefix {
                tr::prefix_suffix(&mut acc.res, p, specs, true)?;
            }
            if let Some(s) = suffix {
                tr::prefix_suffix(&mut acc.res, s, specs, false)?;
            }
        }
        Plugin::Labels(pairs, specs) | Plugin::Annotations(pairs, specs) => {
            tr::set_map_entries(&mut acc.res, pairs, specs)?
        }
        Plugin::Namespace {
            ns,
            specs,
            unset_only,
            mode,
        } => {
            if !ns.is_empty() {
                tr::namespace(&mut acc.res, ns, specs, *unset_only, *mode)?;
                t::check_unique_ids(acc)?;
            }
        }
        Plugin::Image(img, specs) => tr::images(&mut acc.res, img, specs)?,
        Plugin::Replicas(name, count, specs) => tr::replicas(&mut acc.res, name, *count, specs)?,
        Plugin::Patch(cfg) => {
            let id = c.id.clone();
            t::patch_transformer(ldr, acc, cfg, &move |e: Error| {
                e.wrap(format!("plugin {id} fails configuration"))
            })?
        }
        Plugin::Smp(patches) => t::smp_transformer(acc, patches)?,
        Plugin::Json6902(target, ops) => t::json6902_transformer(acc, target, ops)?,
        Plugin::Replacements(reps) => {
            if !reps.is_empty() {
                crate::replacements::apply(ldr, &mut acc.res, reps, &|e: Error| {
                    e.wrap(format!("plugin {} fails configuration", c.id))
                })?
            }
        }
        Plugin::Hash => t::add_hashes(acc),
        Plugin::ConfigMap(_) | Plugin::Secret(_) | Plugin::IamPolicy(_) => {
            unreachable!("transformers are configured as transformers")
        }
    }
    if let Some(o) = &c.origin {
        for r in acc.res.iter_mut() {
            add_transformer_annotation(r, o);
        }
    }
    acc.res.retain(|r| !r.is_empty());
    Ok(())
}

//! `kubectl-rs autoscale` (kubectl v1.36 `pkg/cmd/autoscale/autoscale.go`): a
//! HorizontalPodAutoscaler for a deployment, replica set, stateful set or replication
//! controller (anything whose resource has a `scale` subresource), created as autoscaling/v2
//! and, when that fails and the flags fit v1, as autoscaling/v1.

use serde_json::{json, Map, Value};

use crate::client::ApiRequest;
use crate::cmd::flags::{dry_run_flag, DryRun};
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::CliError;
use crate::ops::generated::TypedPrinter;
use crate::resource::targets::{visit, FindSpec};
use crate::resource::{read_objects, ReadSpec};
use kcore::gofmt::go_quote;

/// kubectl's long help of `autoscale`.
pub const AUTOSCALE_LONG: &str = "Creates an autoscaler that automatically chooses and sets the number of pods that run in a Kubernetes cluster. The command will attempt to use the autoscaling/v2 API first, in case of an error, it will fall back to autoscaling/v1 API.\n\n Looks up a deployment, replica set, stateful set, or replication controller by name and creates an autoscaler that uses the given resource as a reference. An autoscaler can automatically increase or decrease number of pods deployed within the system as needed.";

/// kubectl's examples of `autoscale`.
pub const AUTOSCALE_EXAMPLES: &str = r#"Examples:
  # Auto scale a deployment "foo", with the number of pods between 2 and 10, no target CPU utilization specified so a default autoscaling policy will be used
  kubectl autoscale deployment foo --min=2 --max=10
  
  # Auto scale a replication controller "foo", with the number of pods between 1 and 5, target CPU utilization at 80%
  kubectl autoscale rc foo --max=5 --cpu=80%
  
  # Auto scale a deployment "bar", with the number of pods between 3 and 6, target average CPU of 500m and memory of 200Mi
  kubectl autoscale deployment bar --min=3 --max=6 --cpu=500m --memory=200Mi
  
  # Auto scale a deployment "bar", with the number of pods between 2 and 8, target CPU utilization 60% and memory utilization 70%
  kubectl autoscale deployment bar --min=3 --max=6 --cpu=60% --memory=70%"#;

/// kubectl's usage line of `autoscale`.
pub const AUTOSCALE_USAGE: &str = "autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu=CPU] [--memory=MEMORY]";

/// cobra's notice for the deprecated `--cpu-percent`.
const CPU_PERCENT_DEPRECATED: &str = "Flag --cpu-percent has been deprecated, Use --cpu with percentage or resource quantity format (e.g., '70%' for utilization or '500m' for milliCPU).\n";

/// Auto-scale a deployment, replica set, stateful set, or replication controller
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Auto-scale a deployment, replica set, stateful set, or replication controller")]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files identifying the resource to autoscale.")))]
#[command(mut_arg("field_manager", |a| a.default_value("kubectl-autoscale")))]
pub struct AutoscaleArgs {
    /// `TYPE NAME` or `TYPE/NAME`.
    pub args: Vec<String>,
    #[command(flatten)]
    pub record: crate::cmd::flags::RecordFlag,
    #[command(flatten)]
    pub print: crate::cmd::flags::PrintFlags,
    /// The lower limit for the number of pods that can be set by the autoscaler. If it's not specified or negative, the server will apply a default value.
    #[arg(
        verbatim_doc_comment,
        long,
        default_value = "-1",
        allow_negative_numbers = true,
        value_name = "int32"
    )]
    pub min: String,
    /// The upper limit for the number of pods that can be set by the autoscaler. Required.
    #[arg(
        verbatim_doc_comment,
        long,
        allow_negative_numbers = true,
        value_name = "int32"
    )]
    pub max: Option<String>,
    /// The target average CPU utilization (represented as a percent of requested CPU) over all the pods. If it's not specified or negative, a default autoscaling policy will be used.
    #[arg(
        verbatim_doc_comment,
        long,
        allow_negative_numbers = true,
        value_name = "int32",
        hide = true
    )]
    pub cpu_percent: Option<String>,
    /// Target CPU utilization over all the pods. When specified as a percentage (e.g."70%" for 70% of requested CPU) it will target average utilization. When specified as quantity (e.g."500m" for 500 milliCPU) it will target average value. Value without units is treated as a quantity with miliCPU being the unit (e.g."500" is "500m").
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub cpu: String,
    /// Target memory utilization over all the pods. When specified  as a percentage (e.g."60%" for 60% of requested memory) it will target average utilization. When specified as quantity (e.g."200Mi" for 200 MiB, "1Gi" for 1 GiB) it will target average value. Value without units is treated as a quantity with mebibytes being the unit (e.g."200" is "200Mi").
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub memory: String,
    /// The name for the newly created object. If not specified, the name of the input resource will be used.
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub name: String,
    #[command(flatten)]
    pub dry_run: crate::cmd::flags::DryRunFlag,
    #[command(flatten)]
    pub files: crate::cmd::flags::FilenameFlags,
    #[command(flatten)]
    pub kustomize: crate::cmd::flags::KustomizeFlag,
    #[command(flatten)]
    pub save_config: crate::cmd::flags::SaveConfigFlag,
    #[command(flatten)]
    pub field_manager: crate::cmd::flags::FieldManagerFlag,
}

/// A parsed `--cpu`/`--memory` target (kubectl's `parseResourceInput`).
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Utilization(i64),
    AverageValue(String),
}

/// The flags after parsing (kubectl's `AutoscaleOptions`).
struct Options {
    name: String,
    min: i64,
    max: i64,
    cpu_percent: i64,
    cpu: String,
    memory: String,
    namespace: String,
    enforce: bool,
    dry_run: DryRun,
    record: Option<String>,
}

/// One object to autoscale: its name and resource mapping.
struct Mapped {
    name: String,
    resource: ApiResource,
}

impl AutoscaleArgs {
    /// kubectl's `Complete`, `Validate` and `Run`.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        // pflag parses every flag (and cobra warns about deprecated ones) before the
        // required-flag check.
        let min = self.int32("min", &self.min)?;
        let max = self
            .max
            .as_deref()
            .map(|m| self.int32("max", m))
            .transpose()?;
        let cpu_percent = match &self.cpu_percent {
            Some(c) => {
                ctx.eprint(CPU_PERCENT_DEPRECATED);
                self.int32("cpu-percent", c)?
            }
            None => -1,
        };
        if self.record.value.is_some() {
            ctx.eprint(crate::cmd::flags::RECORD_DEPRECATED);
        }
        let Some(max) = max else {
            return Err(CliError::msg("required flag(s) \"max\" not set"));
        };
        let dry_run = dry_run_flag(ctx, &self.dry_run.value)?;
        let (namespace, enforce) = ctx.namespace()?;
        let record = (self.record.value == Some(true)).then(|| {
            let argv: Vec<String> = std::env::args().collect();
            crate::cmd::flags::change_cause(&argv)
        });
        let o = Options {
            name: self.name.clone(),
            min,
            max,
            cpu_percent,
            cpu: self.cpu.clone(),
            memory: self.memory.clone(),
            namespace,
            enforce,
            dry_run,
            record,
        };
        o.validate()?;
        let targets = self.targets(ctx).await?;
        let mut count = 0;
        let mut errs = Vec::new();
        for t in targets {
            let result = match t {
                Ok(m) => self.autoscale_one(ctx, &o, &m).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => count += 1,
                Err(e) => errs.push(e),
            }
        }
        match errs.len() {
            0 if count == 0 => Err(CliError::msg("no objects passed to autoscale")),
            0 => Ok(()),
            1 => Err(errs.remove(0)),
            _ => crate::resource::collected_errors(
                Vec::new(),
                errs.into_iter().map(CliError::into_bare).collect(),
            ),
        }
    }

    /// A pflag int32 flag's value, or cobra's error for it.
    fn int32(&self, flag: &str, value: &str) -> Result<i64, CliError> {
        let why = match kcore::gofmt::go_parse_int(value) {
            Ok(v) if i32::try_from(v).is_ok() => return Ok(v),
            Ok(_) => format!(
                "strconv.ParseInt: parsing {}: value out of range",
                go_quote(value)
            ),
            Err(e) if e.contains("value out of range") => e,
            Err(e) => e,
        };
        Err(crate::cmd::flags::invalid_flag_value(
            "autoscale",
            flag,
            value,
            why,
        ))
    }

    /// The builder: `-f`/`-k` objects as read (kubectl does not fetch them), or the named
    /// objects from the server; each mapped to its resource.
    async fn targets(&self, ctx: &Context) -> Result<Vec<Result<Mapped, CliError>>, CliError> {
        if !self.files.filename.is_empty() || self.kustomize.dir.is_some() {
            crate::resource::check_path_args(&self.args)?;
            let spec = ReadSpec {
                // No `Schema` in kubectl's builder here: a missing kind is a decode error.
                validate: false,
                ..self.files.read_spec(&self.kustomize)
            };
            let (infos, errors) = read_objects(ctx, &spec).await;
            let mut out: Vec<Result<Mapped, CliError>> = errors.into_iter().map(Err).collect();
            out.extend(infos.into_iter().map(|i| {
                Ok(Mapped {
                    name: i.name,
                    resource: i.resource,
                })
            }));
            return Ok(out);
        }
        let spec = FindSpec {
            args: self.args.clone(),
            ..FindSpec::default()
        };
        Ok(visit(ctx, &spec)
            .await?
            .into_iter()
            .map(|t| {
                let t = t?;
                let resource = t
                    .resource
                    .ok_or_else(|| CliError::msg("the object has no resource mapping"))?;
                Ok(Mapped {
                    name: t.name,
                    resource,
                })
            })
            .collect())
    }

    async fn autoscale_one(&self, ctx: &Context, o: &Options, m: &Mapped) -> Result<(), CliError> {
        let r = &m.resource;
        if !r.subresources.iter().any(|s| s == "scale") {
            return Err(CliError::msg(format!(
                "cannot autoscale a {}: could not find scale subresource for {}/{}, Resource={} in discovery information",
                r.kind, r.group, r.version, r.resource
            )));
        }
        let v2 = o.hpa_v2(&m.name, r)?;
        if self.handle(ctx, o, v2).await.is_ok() {
            return Ok(());
        }
        // kubectl falls back on any error of the v2 attempt, when the flags fit v1.
        if let Err(e) = o.can_create_v1() {
            return Err(CliError::msg(format!(
                "failed to create autoscaling/v2 HPA and the configuration is incompatible with autoscaling/v1: {e}"
            )));
        }
        self.handle(ctx, o, o.hpa_v1(&m.name, r)).await
    }

    /// kubectl's `handleHPA`: record, print (client dry run) or create and print.
    async fn handle(&self, ctx: &Context, o: &Options, mut hpa: Value) -> Result<(), CliError> {
        if let Some(cause) = &o.record {
            hpa["metadata"]["annotations"][crate::cmd::flags::CHANGE_CAUSE] = json!(cause);
        }
        if o.dry_run == DryRun::Client {
            let mut printer = self.printer(ctx, "created", o.dry_run)?;
            printer.print(ctx, &hpa)?;
            return printer.finish(ctx);
        }
        self.save_config.annotate(&mut hpa)?;
        let version = if hpa["apiVersion"] == "autoscaling/v1" {
            "v1"
        } else {
            "v2"
        };
        let path = crate::client::ResourcePath {
            group: "autoscaling",
            version,
            resource: "horizontalpodautoscalers",
            namespace: Some(&o.namespace),
            name: None,
            subresource: None,
        }
        .build()?;
        let req = o
            .dry_run
            .query(ApiRequest::post_go_json(path, &hpa))
            .query("fieldManager", self.field_manager.as_str());
        let created = ctx.client()?.send_json(&req).await?;
        let mut printer = self.printer(ctx, "autoscaled", o.dry_run)?;
        printer.print(ctx, &created)?;
        printer.finish(ctx)
    }

    fn printer(
        &self,
        ctx: &Context,
        operation: &str,
        dry_run: DryRun,
    ) -> Result<TypedPrinter, CliError> {
        self.print.typed_printer(ctx, operation, dry_run)
    }
}

impl Options {
    /// kubectl's `Validate`.
    fn validate(&self) -> Result<(), CliError> {
        if self.max < 1 {
            return Err(CliError::msg(format!(
                "--max=MAXPODS is required and must be at least 1, max: {}",
                self.max
            )));
        }
        if self.max < self.min {
            return Err(CliError::msg(format!(
                "--max=MAXPODS must be larger or equal to --min=MINPODS, max: {}, min: {}",
                self.max, self.min
            )));
        }
        if self.cpu_percent > 0 && !self.cpu.is_empty() {
            return Err(CliError::msg(
                "--cpu-percent and --cpu are mutually exclusive",
            ));
        }
        if !self.cpu.is_empty() {
            parse_resource_input(&self.cpu, "cpu").map_err(CliError::msg)?;
        }
        if !self.memory.is_empty() {
            parse_resource_input(&self.memory, "memory").map_err(CliError::msg)?;
        }
        Ok(())
    }

    /// kubectl's `canCreateHPAV1` (its `--cpu` is parsed first, so an empty one is an
    /// "empty input" error whatever else was given).
    fn can_create_v1(&self) -> Result<(), String> {
        let target = parse_resource_input(&self.cpu, "cpu")?;
        let ok = (self.cpu_percent >= 0 && self.memory.is_empty())
            || (self.memory.is_empty() && matches!(target, Target::Utilization(_)));
        if ok {
            Ok(())
        } else {
            // kubectl wraps the nil error with %w.
            Err("%!w(<nil>)".into())
        }
    }

    fn metadata(&self, ref_name: &str) -> Value {
        let name = if self.name.is_empty() {
            ref_name
        } else {
            &self.name
        };
        let mut meta = Map::new();
        meta.insert("name".into(), json!(name));
        if self.enforce {
            meta.insert("namespace".into(), json!(self.namespace));
        }
        Value::Object(meta)
    }

    fn scale_target_ref(ref_name: &str, r: &ApiResource) -> Value {
        json!({"kind": r.kind, "name": ref_name, "apiVersion": r.api_version()})
    }

    /// kubectl's `createHorizontalPodAutoscalerV2`.
    fn hpa_v2(&self, ref_name: &str, r: &ApiResource) -> Result<Value, CliError> {
        let mut spec = Map::new();
        spec.insert("scaleTargetRef".into(), Self::scale_target_ref(ref_name, r));
        if self.min > 0 {
            spec.insert("minReplicas".into(), json!(self.min));
        }
        spec.insert("maxReplicas".into(), json!(self.max));
        let mut metrics = Vec::new();
        let resource_metric = |name: &str, target: Target| {
            let target = match target {
                Target::Utilization(u) => json!({"type": "Utilization", "averageUtilization": u}),
                Target::AverageValue(q) => json!({"type": "AverageValue", "averageValue": q}),
            };
            json!({"type": "Resource", "resource": {"name": name, "target": target}})
        };
        if self.cpu_percent > 0 {
            metrics.push(resource_metric(
                "cpu",
                Target::Utilization(self.cpu_percent),
            ));
        }
        if !self.cpu.is_empty() {
            let t = parse_resource_input(&self.cpu, "cpu").map_err(CliError::msg)?;
            metrics.push(resource_metric("cpu", t));
        }
        if !self.memory.is_empty() {
            let t = parse_resource_input(&self.memory, "memory").map_err(CliError::msg)?;
            metrics.push(resource_metric("memory", t));
        }
        if !metrics.is_empty() {
            spec.insert("metrics".into(), json!(metrics));
        }
        Ok(json!({
            "kind": "HorizontalPodAutoscaler",
            "apiVersion": "autoscaling/v2",
            "metadata": self.metadata(ref_name),
            "spec": spec,
            "status": {"desiredReplicas": 0, "currentMetrics": null},
        }))
    }

    /// kubectl's `createHorizontalPodAutoscalerV1`.
    fn hpa_v1(&self, ref_name: &str, r: &ApiResource) -> Value {
        let mut spec = Map::new();
        spec.insert("scaleTargetRef".into(), Self::scale_target_ref(ref_name, r));
        if self.min > 0 {
            spec.insert("minReplicas".into(), json!(self.min));
        }
        spec.insert("maxReplicas".into(), json!(self.max));
        if self.cpu_percent >= 0 {
            spec.insert(
                "targetCPUUtilizationPercentage".into(),
                json!(self.cpu_percent),
            );
        }
        json!({
            "kind": "HorizontalPodAutoscaler",
            "apiVersion": "autoscaling/v1",
            "metadata": self.metadata(ref_name),
            "spec": spec,
            "status": {"currentReplicas": 0, "desiredReplicas": 0},
        })
    }
}

/// kubectl's `parseResourceInput`: `70%` is a utilization; a bare number gets the resource's
/// unit (`m` for cpu, `Mi` for memory); anything else must be a quantity.
fn parse_resource_input(input: &str, resource: &str) -> Result<Target, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("empty input".into());
    }
    if let Some(digits) = input.strip_suffix('%') {
        return match go_parse_int_base10_32(digits) {
            Some(v) if v >= 0 => Ok(Target::Utilization(v)),
            _ => Err(format!("invalid percentage value: {digits}")),
        };
    }
    use crate::describe::quantity::Quantity;
    const QUANTITY_SYNTAX: &str =
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    if let Some(f) = go_parse_float(input) {
        let unit = if resource == "cpu" { "m" } else { "Mi" };
        let text = format!("{}{unit}", go_format_g(f));
        return match Quantity::parse(&text) {
            Some(q) => Ok(Target::AverageValue(q.to_string())),
            None => Err(QUANTITY_SYNTAX.into()),
        };
    }
    match Quantity::parse(input) {
        Some(q) => Ok(Target::AverageValue(q.to_string())),
        None => Err(format!("invalid resource {resource} value: {input}")),
    }
}

/// `strconv.ParseFloat(s, 64)` for decimal input (and Go's inf/nan spellings).
fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return s.parse::<f64>().ok();
    }
    let decimal = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.');
    if !decimal {
        return None;
    }
    s.parse::<f64>().ok()
}

/// Go's `%g` for the values a flag gives (integers below 1e21 without exponent).
fn go_format_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{}", f as i128);
    }
    format!("{f}")
}

/// `strconv.ParseInt(s, 10, 32)`.
fn go_parse_int_base10_32(s: &str) -> Option<i64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().filter(|v| i32::try_from(*v).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_inputs() {
        assert_eq!(
            parse_resource_input("70%", "cpu"),
            Ok(Target::Utilization(70))
        );
        assert_eq!(
            parse_resource_input("-5%", "cpu"),
            Err("invalid percentage value: -5".into())
        );
        assert_eq!(
            parse_resource_input("x%", "cpu"),
            Err("invalid percentage value: x".into())
        );
        assert_eq!(
            parse_resource_input("500", "cpu"),
            Ok(Target::AverageValue("500m".into()))
        );
        assert_eq!(
            parse_resource_input("200", "memory"),
            Ok(Target::AverageValue("200Mi".into()))
        );
        assert_eq!(
            parse_resource_input("1Gi", "memory"),
            Ok(Target::AverageValue("1Gi".into()))
        );
        assert_eq!(
            parse_resource_input("lots", "memory"),
            Err("invalid resource memory value: lots".into())
        );
        assert_eq!(parse_resource_input(" ", "cpu"), Err("empty input".into()));
    }
}

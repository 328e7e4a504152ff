//! What the commands that generate one typed object (`expose`, `run`) share: kubectl's
//! `--overrides` (cmdutil `OverrideOptions`: a JSON merge patch, JSON patch or strategic
//! merge patch applied to the generated object) and the printer for typed objects (Go struct
//! order; without `-o`, `kind/name OPERATION`).

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::Value;

use crate::context::Context;
use crate::error::CliError;
use crate::ops::dryrun::DryRun;
use crate::print::{GenericOptions, GenericPrinter, OutputFormat};

/// cmdutil `Overrider.Apply`: `overrides` (inline JSON) applied to `obj` as `kind` says
/// (`json`, `merge` or `strategic`).
pub fn apply_overrides(obj: &Value, overrides: &str, kind: &str) -> Result<Value, CliError> {
    if overrides.is_empty() {
        return Ok(obj.clone());
    }
    let kind = if kind.is_empty() { "merge" } else { kind };
    let patched = match kind {
        "merge" => {
            // evanphx/json-patch `MergePatch`: a syntax error is "Invalid JSON Patch".
            let patch: Value =
                serde_json::from_str(overrides).map_err(|_| CliError::msg("Invalid JSON Patch"))?;
            if patch.is_array() {
                // The patch replaces the document; decoding it then fails.
                return Err(CliError::msg("couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }"));
            }
            if !patch.is_object() {
                return Err(CliError::msg("Invalid JSON Patch"));
            }
            kcore::patch::merge::apply_merge_patch(obj, &patch)
        }
        "json" => {
            let patch: Value =
                serde_json::from_str(overrides).map_err(|e| CliError::msg(format!("{e}")))?;
            kcore::patch::jsonpatch::apply_json_patch(obj, &patch)
                .map_err(|e| CliError::msg(e.to_string()))?
        }
        "strategic" => {
            let patch: Value =
                serde_json::from_str(overrides).map_err(|e| CliError::msg(format!("{e}")))?;
            let api_version = obj["apiVersion"].as_str().unwrap_or_default();
            let k = obj["kind"].as_str().unwrap_or_default();
            kcore::patch::strategic::apply_strategic_merge_patch(api_version, k, obj, &patch)
                .map_err(|e| CliError::msg(e.to_string()))?
        }
        other => return Err(CliError::msg(format!("invalid override type: {other}"))),
    };
    Ok(patched)
}

/// kubectl's `PrintFlags.ToPrinter` for typed objects, with `PrintFlagsWithDryRunStrategy`'s
/// operation suffix.
pub struct TypedPrinter {
    operation: String,
    generic: Option<GenericPrinter>,
}

impl TypedPrinter {
    /// Builds the printer (a bad `-o` is refused before anything is sent).
    pub fn new(
        ctx: &Context,
        output: &str,
        template: Option<&str>,
        allow_missing_keys: bool,
        show_managed_fields: bool,
        operation: &str,
        dry_run: DryRun,
    ) -> Result<TypedPrinter, CliError> {
        let operation = format!("{operation}{}", dry_run.suffix());
        if output.is_empty() && template.unwrap_or("").is_empty() {
            return Ok(TypedPrinter {
                operation,
                generic: None,
            });
        }
        let kyaml = ctx.env.get("KUBECTL_KYAML") != Some("false");
        let format = OutputFormat::parse_generic(output, template, kyaml)?;
        let opts = GenericOptions {
            allow_missing_keys,
            no_headers: false,
            show_managed_fields,
        };
        let read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
        let generic = GenericPrinter::new(&format, &opts, &read)?.typed();
        Ok(TypedPrinter {
            operation,
            generic: Some(generic),
        })
    }

    /// Prints one object (kubectl decodes what the server returns into the typed object).
    pub fn print(&mut self, ctx: &Context, obj: &Value) -> Result<(), CliError> {
        let mut out = ctx.out();
        match &mut self.generic {
            Some(p) => p.print(obj, &mut **out)?,
            None => crate::print::name::print_name(obj, &self.operation, false, &mut **out)?,
        }
        Ok(())
    }

    /// Flushes what the printer buffered.
    pub fn finish(&mut self, ctx: &Context) -> Result<(), CliError> {
        if let Some(p) = &mut self.generic {
            let mut out = ctx.out();
            p.finish(&mut **out)?;
            out.flush()?;
        }
        Ok(())
    }
}

/// generate `ParseLabels` (`--labels` of `expose` and `run`): `k=v,…`.
pub fn parse_labels(spec: &str) -> Result<BTreeMap<String, String>, CliError> {
    let mut out = BTreeMap::new();
    for item in spec.split(',') {
        let kv: Vec<&str> = item.split('=').collect();
        if kv.len() != 2 {
            return Err(CliError::msg(format!("unexpected label spec: {item}")));
        }
        if kv[0].is_empty() {
            return Err(CliError::msg("unexpected empty label key"));
        }
        out.insert(kv[0].to_string(), kv[1].to_string());
    }
    Ok(out)
}

/// Go's `strconv.Atoi` with its error text (the ports of `expose` and `run`).
pub fn go_atoi(s: &str) -> Result<i64, CliError> {
    let err = |why: &str| {
        CliError::msg(format!(
            "strconv.Atoi: parsing {}: {why}",
            crate::print::gofmt::go_quote(s)
        ))
    };
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("invalid syntax"));
    }
    s.parse::<i64>().map_err(|_| err("value out of range"))
}

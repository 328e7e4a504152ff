//! kubectl's `-o name` (cli-runtime `NamePrinter`): `daemonset.apps/node-exporter`,
//! `pod/web-0`; lists print one line per item; with an operation (apply, delete…) and not
//! `-o name`, the operation follows (`configmap/cfg created`).

use std::io::Write;

use serde_json::Value;

use super::table::lower_group_kind;
use super::PrintError;

/// The group of an `apiVersion` (`apps/v1` → `apps`, `v1` → ``).
pub fn api_group(api_version: &str) -> &str {
    match api_version.split_once('/') {
        Some((group, _)) => group,
        None => "",
    }
}

/// `kind.group/name` of one object (`<unknown>` when it has no name).
pub fn object_name(obj: &Value) -> Result<String, PrintError> {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if kind.is_empty() && api_version.is_empty() {
        return Err(PrintError::missing_kind());
    }
    let name = obj
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .unwrap_or("<unknown>");
    if kind.is_empty() {
        return Err(PrintError::InvalidObject(format!(
            "missing kind for resource with name {name}"
        )));
    }
    Ok(format!(
        "{}/{}",
        lower_group_kind(api_group(api_version), kind),
        name
    ))
}

/// Prints `obj` (each item if it is a list) as `-o name` does; `operation` is appended
/// (`created`, `configured`…) unless `short` (`-o name`).
pub fn print_name(
    obj: &Value,
    operation: &str,
    short: bool,
    w: &mut dyn Write,
) -> Result<(), PrintError> {
    if let Some(Value::Array(items)) = obj.get("items") {
        for item in items {
            print_name(item, operation, short, w)?;
        }
        return Ok(());
    }
    let mut line = object_name(obj)?;
    if !short && !operation.is_empty() {
        line.push(' ');
        line.push_str(operation);
    }
    line.push('\n');
    w.write_all(line.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::testutil::fixture;
    use serde_json::json;

    fn name_of(obj: &Value, op: &str, short: bool) -> String {
        let mut out = Vec::new();
        print_name(obj, op, short, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn reference_get_ds_name() {
        let ds: Value = serde_json::from_str(&fixture("reference/12-get-ds-json.stdout")).unwrap();
        let list = crate::print::json::list_wrapper(vec![ds]);
        assert_eq!(
            name_of(&list, "", true),
            fixture("reference/13-get-ds-name.stdout")
        );
    }

    /// apply's messages (reference 01, 07, 08, 33, 34, 41) are the name printer with an
    /// operation.
    #[test]
    fn apply_messages() {
        let ds: Value = serde_json::from_str(&fixture("reference/12-get-ds-json.stdout")).unwrap();
        for op in [
            "created",
            "unchanged",
            "configured",
            "configured (dry run)",
            "configured (server dry run)",
            "serverside-applied",
        ] {
            assert_eq!(
                name_of(&ds, op, false),
                format!("daemonset.apps/node-exporter {op}\n")
            );
        }
    }

    #[test]
    fn core_group_operation_and_errors() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}});
        assert_eq!(name_of(&cm, "created", false), "configmap/cfg created\n");
        assert_eq!(name_of(&cm, "created", true), "configmap/cfg\n");
        let anon = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {}});
        assert_eq!(name_of(&anon, "", true), "widget.example.com/<unknown>\n");
        assert!(print_name(&json!({"metadata": {}}), "", true, &mut Vec::new()).is_err());
        let err = object_name(&json!({"apiVersion": "v1", "metadata": {"name": "x"}})).unwrap_err();
        assert_eq!(err.to_string(), "missing kind for resource with name x");
    }
}

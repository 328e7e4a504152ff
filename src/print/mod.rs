//! Output printers: server-side Tables through kubectl's tabwriter, json, yaml, kyaml, name,
//! jsonpath, custom-columns, go-template, `--sort-by`, and ages.
//!
//! How `get` uses it: parse `-o` once with [`OutputFormat::parse`]. For a table
//! ([`OutputFormat::is_human_readable`]) feed every response, in order, to one
//! [`table::HumanPrinter`] with its [`table::ResourceType`], then `finish`; if nothing was
//! written print [`table::no_resources_message`] on stderr. Otherwise build a
//! [`GenericPrinter`], print [`generic_object`]`(items, single_item_implied)` once, then `finish`.
//!
//! Error messages are kubectl's text without the `error: ` prefix (the caller adds it, and a
//! final newline only when the message lacks one, as kubectl does).

pub mod age;
pub mod custom_columns;
pub mod go_template;
pub mod gofmt;
pub mod goorder;
pub mod json;
pub mod jsonpath;
pub mod kyaml;
pub mod metrics;
pub mod name;
pub mod sort;
pub mod spool;
pub mod spooled;
pub mod stream;
pub mod table;
pub mod tabwriter;
pub mod yaml;

use std::io::Write;

use serde_json::Value;

/// Errors of the printers; `Display` is kubectl's message (without `error: `).
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// Writing to the output failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The object to print does not have the expected shape.
    #[error("{0}")]
    InvalidObject(String),
    /// A template (jsonpath, go-template, custom-columns) failed to parse or execute; the text
    /// is kubectl's whole message, which may end with newlines (print it without adding one).
    #[error("{0}")]
    Template(String),
    /// `-o` named no known printer.
    #[error("unable to match a printer suitable for the output format {}, allowed formats are: {}", crate::print::gofmt::go_quote(.format), .allowed.join(","))]
    UnknownFormat {
        /// The format as given.
        format: String,
        /// Allowed formats, sorted.
        allowed: Vec<String>,
    },
}

impl PrintError {
    /// apimachinery's missing-kind error, as the JSON, YAML, KYAML and name printers report it.
    pub fn missing_kind() -> Self {
        PrintError::InvalidObject(
            "missing apiVersion or kind; try GetObjectKind().SetGroupVersionKind() if you know the type"
                .to_string(),
        )
    }
}

/// The check of the JSON, YAML and KYAML printers: an object without `kind` is not printed.
pub(crate) fn require_kind(obj: &Value) -> Result<(), PrintError> {
    match obj.get("kind").and_then(Value::as_str) {
        Some(kind) if !kind.is_empty() => Ok(()),
        _ => Err(PrintError::missing_kind()),
    }
}

/// The printer chosen by `-o`/`--output` (and `--template`), parsed once as kubectl's
/// `get` does (`get_flags.go` `PrintFlags.ToPrinter`). File variants carry the path; the caller
/// reads it (kubectl's error: `error reading --template <path>, <err>`, or for
/// custom-columns-file `error reading template <path>, <err>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputFormat {
    /// Human-readable table (`-o` empty), or `-o wide`.
    Table {
        /// `-o wide`.
        wide: bool,
    },
    /// `-o json`.
    Json,
    /// `-o yaml`.
    Yaml,
    /// `-o kyaml` (v1.36 lists it unless `KUBECTL_KYAML=false`).
    Kyaml,
    /// `-o name`.
    Name,
    /// `-o jsonpath=…` or `-o jsonpath-as-json=…`.
    JsonPath {
        /// The template text.
        template: String,
        /// `jsonpath-as-json`.
        as_json: bool,
    },
    /// `-o jsonpath-file=<path>`.
    JsonPathFile {
        /// Path of the template file.
        path: String,
    },
    /// `-o go-template=…` / `-o template=…` / `--template` alone.
    GoTemplate {
        /// The template text.
        template: String,
    },
    /// `-o go-template-file=<path>` / `-o templatefile=<path>`.
    GoTemplateFile {
        /// Path of the template file.
        path: String,
    },
    /// `-o custom-columns=<spec>`.
    CustomColumns {
        /// `HEADER:path,…`.
        spec: String,
    },
    /// `-o custom-columns-file=<path>`.
    CustomColumnsFile {
        /// Path of the columns file.
        path: String,
    },
}

/// Splits `fmt=value` for one of `names` (or takes `--template`'s value).
fn split_template_format<'a>(
    output: &'a str,
    template: Option<&'a str>,
    names: &[&'a str],
) -> (&'a str, &'a str) {
    match template {
        Some(t) if !t.is_empty() => (output, t),
        _ => {
            for name in names {
                if let Some(rest) = output.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                    return (name, rest);
                }
            }
            (output, "")
        }
    }
}

/// The formats of cli-runtime's `PrintFlags` without tables (json/yaml, name, templates),
/// sorted as kubectl's "unable to match a printer" error lists them.
pub fn generic_formats(kyaml: bool) -> Vec<&'static str> {
    let mut v = vec![
        "go-template",
        "go-template-file",
        "json",
        "jsonpath",
        "jsonpath-as-json",
        "jsonpath-file",
        "name",
        "template",
        "templatefile",
        "yaml",
    ];
    if kyaml {
        v.push("kyaml");
    }
    v.sort_unstable();
    v
}

impl OutputFormat {
    /// The formats `get` accepts, sorted (kubectl's error lists them this way): the generic
    /// ones and the tables.
    pub fn allowed_formats(kyaml_enabled: bool) -> Vec<String> {
        let tables = ["custom-columns", "custom-columns-file", "wide"];
        let mut v: Vec<String> = generic_formats(kyaml_enabled)
            .into_iter()
            .chain(tables)
            .map(str::to_string)
            .collect();
        v.sort();
        v
    }

    /// [`OutputFormat::parse`] for commands whose printer is cli-runtime's `PrintFlags` alone
    /// (no table, no custom columns: `create`, `set`, `label`): anything else is
    /// `unable to match a printer` with the formats they do have.
    pub fn parse_generic(
        output: &str,
        template: Option<&str>,
        kyaml_enabled: bool,
    ) -> Result<Self, PrintError> {
        let unknown = || PrintError::UnknownFormat {
            format: output.to_string(),
            allowed: OutputFormat::allowed_formats(kyaml_enabled)
                .into_iter()
                .filter(|f| {
                    !matches!(
                        f.as_str(),
                        "wide" | "custom-columns" | "custom-columns-file"
                    )
                })
                .collect(),
        };
        match OutputFormat::parse(output, template, kyaml_enabled) {
            Ok(OutputFormat::Table { .. })
            | Ok(OutputFormat::CustomColumns { .. })
            | Ok(OutputFormat::CustomColumnsFile { .. })
            | Err(PrintError::UnknownFormat { .. }) => Err(unknown()),
            other => other,
        }
    }

    /// Parses `-o` (`output`) with `--template` (`template`); `kyaml_enabled` is false only when
    /// `KUBECTL_KYAML=false`.
    pub fn parse(
        output: &str,
        template: Option<&str>,
        kyaml_enabled: bool,
    ) -> Result<Self, PrintError> {
        let has_template = template.is_some_and(|t| !t.is_empty());
        let output = if has_template && output.is_empty() {
            "go-template"
        } else {
            output
        };
        let no_template =
            || PrintError::Template("template format specified but no template given".to_string());

        if has_template || !output.is_empty() {
            let (fmt, value) = split_template_format(
                output,
                template,
                &[
                    "go-template-file",
                    "templatefile",
                    "go-template",
                    "template",
                ],
            );
            if matches!(
                fmt,
                "template" | "go-template" | "go-template-file" | "templatefile"
            ) {
                if value.is_empty() {
                    return Err(no_template());
                }
                return Ok(match fmt {
                    "go-template-file" | "templatefile" => OutputFormat::GoTemplateFile {
                        path: value.to_string(),
                    },
                    _ => OutputFormat::GoTemplate {
                        template: value.to_string(),
                    },
                });
            }
            let (fmt, value) = split_template_format(
                output,
                template,
                &["jsonpath-file", "jsonpath-as-json", "jsonpath"],
            );
            if matches!(fmt, "jsonpath" | "jsonpath-file" | "jsonpath-as-json") {
                if value.is_empty() {
                    return Err(no_template());
                }
                return Ok(match fmt {
                    "jsonpath-file" => OutputFormat::JsonPathFile {
                        path: value.to_string(),
                    },
                    f => OutputFormat::JsonPath {
                        template: value.to_string(),
                        as_json: f == "jsonpath-as-json",
                    },
                });
            }
        }
        match output.to_lowercase().as_str() {
            "json" => return Ok(OutputFormat::Json),
            "yaml" => return Ok(OutputFormat::Yaml),
            "kyaml" if kyaml_enabled => return Ok(OutputFormat::Kyaml),
            _ => {}
        }
        if output.is_empty() || output == "wide" {
            return Ok(OutputFormat::Table {
                wide: output == "wide",
            });
        }
        let (fmt, value) =
            split_template_format(output, template, &["custom-columns-file", "custom-columns"]);
        if matches!(fmt, "custom-columns" | "custom-columns-file") {
            if value.is_empty() {
                return Err(PrintError::Template(
                    "custom-columns format specified but no custom columns given".to_string(),
                ));
            }
            return Ok(if fmt == "custom-columns" {
                OutputFormat::CustomColumns {
                    spec: value.to_string(),
                }
            } else {
                OutputFormat::CustomColumnsFile {
                    path: value.to_string(),
                }
            });
        }
        if output.eq_ignore_ascii_case("name") {
            return Ok(OutputFormat::Name);
        }
        Err(PrintError::UnknownFormat {
            format: output.to_string(),
            allowed: Self::allowed_formats(kyaml_enabled),
        })
    }

    /// Whether `get` asks the server for Tables (`-o` empty or `wide`).
    pub fn is_human_readable(&self) -> bool {
        matches!(self, OutputFormat::Table { .. })
    }
}

/// What `get` prints with a non-table format (`get.go` `printGeneric`): the single object
/// when one was named (`single_item_implied`), else a `List` of all items (see
/// [`json::list_wrapper`]); a single object that is itself a list is re-wrapped keeping its
/// `resourceVersion`.
pub fn generic_object(items: Vec<Value>, single_item_implied: bool) -> Value {
    if !single_item_implied || items.len() != 1 {
        return json::list_wrapper(items);
    }
    let obj = items.into_iter().next().unwrap_or(Value::Null);
    match obj.get("items") {
        Some(Value::Array(list_items)) => {
            let rv = obj
                .get("metadata")
                .and_then(|m| m.get("resourceVersion"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let mut list = json::list_wrapper(list_items.clone());
            list["metadata"]["resourceVersion"] = Value::String(rv);
            list
        }
        _ => obj,
    }
}

/// Options of the non-table printers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericOptions {
    /// `--allow-missing-template-keys` (kubectl's default: true).
    pub allow_missing_keys: bool,
    /// `--no-headers` (custom-columns).
    pub no_headers: bool,
    /// `--show-managed-fields` (json/yaml keep `metadata.managedFields`).
    pub show_managed_fields: bool,
}

impl Default for GenericOptions {
    fn default() -> Self {
        GenericOptions {
            allow_missing_keys: true,
            no_headers: false,
            show_managed_fields: false,
        }
    }
}

/// A ready printer for every format except the table (`-o` json, yaml, name, jsonpath*,
/// go-template*, custom-columns*).
#[derive(Debug)]
pub enum GenericPrinter {
    /// `-o json`.
    Json {
        /// Keep `metadata.managedFields`.
        show_managed_fields: bool,
        /// The object is typed in kubectl: keys in Go struct order ([`goorder`]), not sorted.
        typed: bool,
    },
    /// `-o yaml`.
    Yaml {
        /// The YAML printer (separates objects with `---`).
        printer: yaml::YamlPrinter,
        /// Keep `metadata.managedFields`.
        show_managed_fields: bool,
    },
    /// `-o kyaml`.
    Kyaml {
        /// Keep `metadata.managedFields`.
        show_managed_fields: bool,
    },
    /// `-o name`.
    Name,
    /// `-o jsonpath…`.
    JsonPath(jsonpath::JsonPathPrinter),
    /// `-o go-template…`.
    GoTemplate(go_template::GoTemplatePrinter),
    /// `-o custom-columns…`.
    CustomColumns(custom_columns::CustomColumnsPrinter),
}

impl GenericPrinter {
    /// Builds the printer for `format`. `read_file` reads template files for the `*-file`
    /// formats and returns Go-style error text (`open f: no such file or directory`).
    /// `Table` is not a generic printer and gives an error.
    pub fn new(
        format: &OutputFormat,
        opts: &GenericOptions,
        read_file: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Self, PrintError> {
        let read_template = |path: &str| {
            read_file(path)
                .map_err(|e| PrintError::Template(format!("error reading --template {path}, {e}")))
        };
        Ok(match format {
            OutputFormat::Json => GenericPrinter::Json {
                show_managed_fields: opts.show_managed_fields,
                typed: false,
            },
            OutputFormat::Yaml => GenericPrinter::Yaml {
                printer: yaml::YamlPrinter::new(),
                show_managed_fields: opts.show_managed_fields,
            },
            OutputFormat::Kyaml => GenericPrinter::Kyaml {
                show_managed_fields: opts.show_managed_fields,
            },
            OutputFormat::Name => GenericPrinter::Name,
            OutputFormat::JsonPath { template, as_json } => GenericPrinter::JsonPath(
                jsonpath::JsonPathPrinter::new(template, opts.allow_missing_keys, *as_json)?,
            ),
            OutputFormat::JsonPathFile { path } => {
                GenericPrinter::JsonPath(jsonpath::JsonPathPrinter::new(
                    &read_template(path)?,
                    opts.allow_missing_keys,
                    false,
                )?)
            }
            OutputFormat::GoTemplate { template } => GenericPrinter::GoTemplate(
                go_template::GoTemplatePrinter::new(template, opts.allow_missing_keys)?,
            ),
            OutputFormat::GoTemplateFile { path } => {
                GenericPrinter::GoTemplate(go_template::GoTemplatePrinter::new(
                    &read_template(path)?,
                    opts.allow_missing_keys,
                )?)
            }
            OutputFormat::CustomColumns { spec } => {
                GenericPrinter::CustomColumns(custom_columns::CustomColumnsPrinter::new(
                    custom_columns::parse_spec(spec)?,
                    opts.no_headers,
                )?)
            }
            OutputFormat::CustomColumnsFile { path } => {
                let text = read_file(path).map_err(|e| {
                    PrintError::Template(format!("error reading template {path}, {e}\n"))
                })?;
                // kubectl ignores --no-headers for column files.
                GenericPrinter::CustomColumns(custom_columns::CustomColumnsPrinter::new(
                    custom_columns::parse_template_file(&text)?,
                    false,
                )?)
            }
            OutputFormat::Table { .. } => {
                return Err(PrintError::InvalidObject(format!(
                    "{format:?} is not printed by GenericPrinter"
                )))
            }
        })
    }

    /// For commands whose objects are typed in kubectl (generators, rollout): JSON keeps Go
    /// struct order.
    pub fn typed(mut self) -> Self {
        if let GenericPrinter::Json { typed, .. } = &mut self {
            *typed = true;
        }
        self
    }

    /// Prints one object (use [`generic_object`] to build what `get` prints).
    pub fn print(&mut self, obj: &Value, w: &mut dyn Write) -> Result<(), PrintError> {
        match self {
            GenericPrinter::Json {
                show_managed_fields,
                typed,
            } => {
                let obj = shown(obj, *show_managed_fields);
                if *typed {
                    json::print_json_typed(&obj, w)
                } else {
                    json::print_json(&obj, w)
                }
            }
            GenericPrinter::Yaml {
                printer,
                show_managed_fields,
            } => {
                let obj = shown(obj, *show_managed_fields);
                printer.print(&obj, w)
            }
            GenericPrinter::Kyaml {
                show_managed_fields,
            } => {
                let obj = shown(obj, *show_managed_fields);
                kyaml::print_kyaml(&obj, w)
            }
            GenericPrinter::Name => name::print_name(obj, "", true, w),
            GenericPrinter::JsonPath(p) => p.print(obj, w),
            GenericPrinter::GoTemplate(p) => p.print(obj, w),
            GenericPrinter::CustomColumns(p) => p.print(obj),
        }
    }

    /// `get --watch --output-watch-events` with a non-table format: prints a
    /// `metav1.WatchEvent{type, object}` as kubectl does (JSON compact on one line, templates
    /// run on `{"type", "object"}`, `-o name` prints the object). kubectl does not strip
    /// managedFields from events.
    pub fn print_watch_event(
        &mut self,
        event_type: &str,
        obj: &Value,
        w: &mut dyn Write,
    ) -> Result<(), PrintError> {
        let mut event = serde_json::Map::new();
        event.insert("object".into(), obj.clone());
        event.insert("type".into(), Value::String(event_type.to_string()));
        let event = Value::Object(event);
        match self {
            GenericPrinter::Json { .. } => {
                // Struct field order: type first.
                let mut line = String::from("{\"type\":");
                json::go_json_string(event_type, &mut line);
                line.push_str(",\"object\":");
                line.push_str(&json::to_go_json(obj));
                line.push_str("}\n");
                w.write_all(line.as_bytes())?;
                Ok(())
            }
            GenericPrinter::Yaml { printer, .. } => printer.print_value(&event, w),
            GenericPrinter::Kyaml { .. } => {
                w.write_all(kyaml::watch_event_kyaml(event_type, obj).as_bytes())?;
                Ok(())
            }
            GenericPrinter::Name => name::print_name(obj, "", true, w),
            GenericPrinter::JsonPath(p) => p.print(&event, w),
            GenericPrinter::GoTemplate(p) => p.print(&event, w),
            GenericPrinter::CustomColumns(p) => p.print(&event),
        }
    }

    /// Flushes buffered output (custom-columns aligns all rows first).
    pub fn finish(&mut self, w: &mut dyn Write) -> Result<(), PrintError> {
        if let GenericPrinter::CustomColumns(p) = self {
            p.finish(w)?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Reading reference fixtures copied from /work/shared/reference.

    /// Contents of `tests/fixtures/<rel>`.
    pub fn fixture(rel: &str) -> String {
        let path = format!("{}/tests/fixtures/{}", env!("CARGO_MANIFEST_DIR"), rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    /// A JSON fixture.
    pub fn json_fixture(rel: &str) -> serde_json::Value {
        serde_json::from_str(&fixture(rel)).expect("fixture is JSON")
    }

    /// The object of the kubectl.1.33 jsonpath and go-template experiments (see
    /// tests/fixtures/README.md).
    pub fn experiment_object() -> serde_json::Value {
        serde_json::json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j","namespace":"default","labels":{"b":"2","a":"1<&>"}},"data":{"k":"v"},
            "x":{"n":null,"arr":[{"type":"Ready","status":"True","p":1},{"type":"Other","status":"False","p":2.5},{"type":"Third","p":3}],"e":[],"m":{},"s":"str","num":5}})
    }

    /// Runs each `(template, expected output)` case, naming the template on a failure.
    pub fn assert_outputs<E: std::fmt::Display>(
        run: impl Fn(&str) -> Result<String, E>,
        cases: &[(&str, &str)],
    ) {
        for (t, want) in cases {
            assert_eq!(
                run(t).unwrap_or_else(|e| panic!("{t}: {e}")),
                *want,
                "template {t}"
            );
        }
    }
}

/// The object as `-o json|yaml|kyaml` print it: without `managedFields` unless asked for.
fn shown(obj: &Value, show_managed_fields: bool) -> Value {
    let mut obj = obj.clone();
    if !show_managed_fields {
        json::strip_managed_fields(&mut obj);
    }
    obj
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(o: &str) -> Result<OutputFormat, PrintError> {
        OutputFormat::parse(o, None, true)
    }

    #[test]
    fn parses_every_format() {
        let jsonpath = |t: &str, as_json| OutputFormat::JsonPath {
            template: t.into(),
            as_json,
        };
        let go_template = |t: &str| OutputFormat::GoTemplate { template: t.into() };
        let cases = [
            ("", OutputFormat::Table { wide: false }),
            ("wide", OutputFormat::Table { wide: true }),
            ("json", OutputFormat::Json),
            ("JSON", OutputFormat::Json),
            ("yaml", OutputFormat::Yaml),
            ("kyaml", OutputFormat::Kyaml),
            ("name", OutputFormat::Name),
            ("jsonpath={.a}", jsonpath("{.a}", false)),
            ("jsonpath-as-json={.a}", jsonpath("{.a}", true)),
            (
                "jsonpath-file=f",
                OutputFormat::JsonPathFile { path: "f".into() },
            ),
            ("go-template={{.a}}", go_template("{{.a}}")),
            ("template=x=y", go_template("x=y")),
            (
                "templatefile=f",
                OutputFormat::GoTemplateFile { path: "f".into() },
            ),
            (
                "go-template-file=f",
                OutputFormat::GoTemplateFile { path: "f".into() },
            ),
            (
                "custom-columns=A:.a",
                OutputFormat::CustomColumns {
                    spec: "A:.a".into(),
                },
            ),
            (
                "custom-columns-file=f",
                OutputFormat::CustomColumnsFile { path: "f".into() },
            ),
        ];
        for (o, want) in cases {
            assert_eq!(p(o).unwrap(), want, "-o {o}");
        }
        // --template alone, or with -o jsonpath/-o json.
        let with_template = [
            ("", "{{.a}}", go_template("{{.a}}")),
            ("jsonpath", "{.a}", jsonpath("{.a}", false)),
            ("json", "{.a}", OutputFormat::Json),
        ];
        for (o, t, want) in with_template {
            assert_eq!(
                OutputFormat::parse(o, Some(t), true).unwrap(),
                want,
                "-o {o}"
            );
        }
        assert!(p("").unwrap().is_human_readable());
        assert!(!p("json").unwrap().is_human_readable());
    }

    fn print_all(format: &str, objs: Vec<Value>, single: bool) -> Result<String, PrintError> {
        let files = |p: &str| -> Result<String, String> {
            match p {
                "cols" => Ok("NAME\n.metadata.name\n".to_string()),
                "tpl" => Ok("{{.metadata.name}};".to_string()),
                _ => Err(format!("open {p}: no such file or directory")),
            }
        };
        let mut printer = GenericPrinter::new(&p(format)?, &GenericOptions::default(), &files)?;
        let mut out = Vec::new();
        printer.print(&generic_object(objs, single), &mut out)?;
        printer.finish(&mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn generic_printing() {
        let pod = |n: &str| serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": n, "managedFields": [{"manager": "x"}]}});
        assert_eq!(
            print_all("name", vec![pod("a"), pod("b")], false).unwrap(),
            "pod/a\npod/b\n"
        );
        assert_eq!(
            print_all("yaml", vec![pod("a")], true).unwrap(),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n"
        );
        assert!(print_all("json", vec![], false)
            .unwrap()
            .contains("\"items\": [],"));
        assert_eq!(
            print_all(
                "jsonpath={.items[*].metadata.name}",
                vec![pod("a"), pod("b")],
                false
            )
            .unwrap(),
            "a b"
        );
        assert_eq!(
            print_all("jsonpath={.metadata.name}", vec![pod("a")], true).unwrap(),
            "a"
        );
        assert_eq!(
            print_all("go-template-file=tpl", vec![pod("a")], true).unwrap(),
            "a;"
        );
        assert_eq!(
            print_all("custom-columns-file=cols", vec![pod("a")], false).unwrap(),
            "NAME\na\n"
        );
        assert_eq!(
            print_all("jsonpath-file=nope", vec![pod("a")], true)
                .unwrap_err()
                .to_string(),
            "error reading --template nope, open nope: no such file or directory"
        );
        let kind_pod = serde_json::json!({"kind": "Pod"});
        let watch = |format: &str, events: &[(&str, &Value)]| {
            let mut printer =
                GenericPrinter::new(&p(format).unwrap(), &GenericOptions::default(), &|_| {
                    Err(String::new())
                })
                .unwrap();
            let mut out = Vec::new();
            for (ty, obj) in events {
                printer.print_watch_event(ty, obj, &mut out).unwrap();
            }
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            watch("json", &[("ADDED", &pod("a"))]),
            "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"managedFields\":[{\"manager\":\"x\"}],\"name\":\"a\"}}}\n"
        );
        assert_eq!(
            watch("yaml", &[("ADDED", &kind_pod), ("DELETED", &kind_pod)]),
            "object:\n  kind: Pod\ntype: ADDED\n---\nobject:\n  kind: Pod\ntype: DELETED\n"
        );
        assert_eq!(
            watch(
                "jsonpath={.type} {.object.metadata.name}",
                &[("MODIFIED", &pod("a"))]
            ),
            "MODIFIED a"
        );
        assert_eq!(
            watch("kyaml", &[("ADDED", &kind_pod)]),
            "---\n{\n  type: \"ADDED\",\n  object: {\n    kind: \"Pod\",\n  },\n}\n"
        );
        let list = serde_json::json!({"kind": "PodList", "metadata": {"resourceVersion": "7"}, "items": [pod("a")]});
        assert_eq!(
            generic_object(vec![list], true)["metadata"]["resourceVersion"],
            "7"
        );
    }

    /// kubectl.1.33 `get configmaps -o …` over the same List (tests/fixtures/README.md).
    #[test]
    fn list_outputs_match_kubectl() {
        let list_json = testutil::fixture("kubectl-1.33/get-list.json");
        let list: Value = serde_json::from_str(&list_json).unwrap();
        let cases = [
            ("json", "get-list.json"),
            ("yaml", "get-list.yaml"),
            (
                r#"go-template={{range .items}}{{.metadata.name}}{{if .x}} num={{.x.num}}{{end}}{{"\n"}}{{end}}"#,
                "get-list.gotemplate",
            ),
            (
                r#"jsonpath={range .items[*]}{.metadata.name}{"\t"}{.x.num}{"\n"}{end}"#,
                "get-list.jsonpath",
            ),
            (
                "jsonpath-as-json={.items[*].metadata.name}",
                "get-list.jsonpath-as-json",
            ),
        ];
        for (format, file) in cases {
            let mut printer =
                GenericPrinter::new(&p(format).unwrap(), &GenericOptions::default(), &|_| {
                    Err(String::new())
                })
                .unwrap();
            let mut out = Vec::new();
            printer.print(&list, &mut out).unwrap();
            printer.finish(&mut out).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                testutil::fixture(&format!("kubectl-1.33/{file}")),
                "{format}"
            );
        }
    }

    #[test]
    fn errors_match_kubectl() {
        assert_eq!(
            p("foo").unwrap_err().to_string(),
            "unable to match a printer suitable for the output format \"foo\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,wide,yaml"
        );
        assert!(!OutputFormat::parse("kyaml", None, false)
            .unwrap_err()
            .to_string()
            .contains("kyaml,"));
        assert_eq!(
            p("jsonpath").unwrap_err().to_string(),
            "template format specified but no template given"
        );
        assert_eq!(
            p("go-template=").unwrap_err().to_string(),
            "template format specified but no template given"
        );
        assert_eq!(
            p("custom-columns=").unwrap_err().to_string(),
            "custom-columns format specified but no custom columns given"
        );
        assert!(matches!(p("custom-columns"), Err(PrintError::Template(_))));
    }
}

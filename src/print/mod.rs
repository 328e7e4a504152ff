//! Output printers: server-side Tables through kubectl's tabwriter, json, yaml, name, jsonpath,
//! custom-columns, go-template, and ages.
//!
//! Error messages are kubectl's text without the `error: ` prefix (the caller adds it).

pub mod age;
pub mod custom_columns;
pub mod go_template;
pub mod gofmt;
pub mod json;
pub mod jsonpath;
pub mod name;
pub mod sort;
pub mod table;
pub mod tabwriter;
pub mod yaml;

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

impl OutputFormat {
    /// The formats `get` accepts, sorted (kubectl's error lists them this way).
    pub fn allowed_formats(kyaml_enabled: bool) -> Vec<String> {
        let mut v: Vec<String> = [
            "custom-columns",
            "custom-columns-file",
            "go-template",
            "go-template-file",
            "json",
            "jsonpath",
            "jsonpath-as-json",
            "jsonpath-file",
            "name",
            "template",
            "templatefile",
            "wide",
            "yaml",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if kyaml_enabled {
            v.push("kyaml".to_string());
        }
        v.sort();
        v
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(o: &str) -> Result<OutputFormat, PrintError> {
        OutputFormat::parse(o, None, true)
    }

    #[test]
    fn parses_every_format() {
        assert_eq!(p("").unwrap(), OutputFormat::Table { wide: false });
        assert_eq!(p("wide").unwrap(), OutputFormat::Table { wide: true });
        assert_eq!(p("json").unwrap(), OutputFormat::Json);
        assert_eq!(p("JSON").unwrap(), OutputFormat::Json);
        assert_eq!(p("yaml").unwrap(), OutputFormat::Yaml);
        assert_eq!(p("kyaml").unwrap(), OutputFormat::Kyaml);
        assert_eq!(p("name").unwrap(), OutputFormat::Name);
        assert_eq!(
            p("jsonpath={.a}").unwrap(),
            OutputFormat::JsonPath {
                template: "{.a}".into(),
                as_json: false
            }
        );
        assert_eq!(
            p("jsonpath-as-json={.a}").unwrap(),
            OutputFormat::JsonPath {
                template: "{.a}".into(),
                as_json: true
            }
        );
        assert_eq!(
            p("jsonpath-file=f").unwrap(),
            OutputFormat::JsonPathFile { path: "f".into() }
        );
        assert_eq!(
            p("go-template={{.a}}").unwrap(),
            OutputFormat::GoTemplate {
                template: "{{.a}}".into()
            }
        );
        assert_eq!(
            p("template=x=y").unwrap(),
            OutputFormat::GoTemplate {
                template: "x=y".into()
            }
        );
        assert_eq!(
            p("templatefile=f").unwrap(),
            OutputFormat::GoTemplateFile { path: "f".into() }
        );
        assert_eq!(
            p("go-template-file=f").unwrap(),
            OutputFormat::GoTemplateFile { path: "f".into() }
        );
        assert_eq!(
            p("custom-columns=A:.a").unwrap(),
            OutputFormat::CustomColumns {
                spec: "A:.a".into()
            }
        );
        assert_eq!(
            p("custom-columns-file=f").unwrap(),
            OutputFormat::CustomColumnsFile { path: "f".into() }
        );
        assert_eq!(
            OutputFormat::parse("", Some("{{.a}}"), true).unwrap(),
            OutputFormat::GoTemplate {
                template: "{{.a}}".into()
            }
        );
        assert_eq!(
            OutputFormat::parse("jsonpath", Some("{.a}"), true).unwrap(),
            OutputFormat::JsonPath {
                template: "{.a}".into(),
                as_json: false
            }
        );
        assert_eq!(
            OutputFormat::parse("json", Some("{.a}"), true).unwrap(),
            OutputFormat::Json
        );
        assert!(p("").unwrap().is_human_readable());
        assert!(!p("json").unwrap().is_human_readable());
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

//! kubectl's `-o custom-columns=HEADER:.path,…` and `-o custom-columns-file=` (kubectl
//! `pkg/cmd/get/customcolumn.go`): one JSONPath per column (braces and leading dot optional),
//! values joined by `,`, `<none>` when nothing matches, aligned by kubectl's tabwriter.

use std::io::Write;

use serde_json::Value;

use super::gofmt::sprint;
use super::jsonpath::JsonPath;
use super::table::escape_terminal;
use super::tabwriter::TabWriter;
use super::PrintError;

/// One column: its header and its normalised JSONPath (`{.metadata.name}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Header text, printed as given.
    pub header: String,
    /// JSONPath template of the column.
    pub field_spec: String,
}

/// kubectl `RelaxedJSONPathExpression`: `a.b`, `.a.b`, `{a.b}` and `{.a.b}` all become
/// `{.a.b}`.
pub fn relaxed_jsonpath(expr: &str) -> Result<String, PrintError> {
    if expr.is_empty() {
        return Ok(String::new());
    }
    let inner = match expr.strip_prefix('{').and_then(|e| e.strip_suffix('}')) {
        Some(inner) => inner,
        None => expr,
    };
    // The regex's optional dot backtracks when it is the only character (`.` → `{..}`).
    let body = match inner.strip_prefix('.') {
        Some(rest) if !rest.is_empty() => rest,
        _ => inner,
    };
    if body.is_empty() || body.contains(['{', '}']) {
        return Err(PrintError::Template(
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'"
                .to_string(),
        ));
    }
    Ok(format!("{{.{body}}}"))
}

/// Parses `-o custom-columns=<spec>`.
pub fn parse_spec(spec: &str) -> Result<Vec<Column>, PrintError> {
    if spec.is_empty() {
        return Err(PrintError::Template(
            "custom-columns format specified but no custom columns given".to_string(),
        ));
    }
    spec.split(',')
        .map(|part| {
            let Some((header, path)) = part.split_once(':') else {
                return Err(PrintError::Template(format!(
                    "unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
                )));
            };
            Ok(Column {
                header: header.to_string(),
                field_spec: relaxed_jsonpath(path)?,
            })
        })
        .collect()
}

/// Parses the contents of a `-o custom-columns-file=` file: a line of headers and a line of
/// paths, both whitespace-separated.
pub fn parse_template_file(text: &str) -> Result<Vec<Column>, PrintError> {
    let mut lines = text.lines();
    let headers: Vec<&str> = match lines.next() {
        Some(l) => l.split_whitespace().collect(),
        None => return Err(PrintError::Template("invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs.".to_string())),
    };
    let specs: Vec<&str> = match lines.next() {
        Some(l) => l.split_whitespace().collect(),
        None => return Err(PrintError::Template("invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs.".to_string())),
    };
    if headers.len() != specs.len() {
        return Err(PrintError::Template(format!(
            "number of headers ({}) and field specifications ({}) don't match",
            headers.len(),
            specs.len()
        )));
    }
    headers
        .iter()
        .zip(specs)
        .map(|(h, s)| {
            Ok(Column {
                header: h.to_string(),
                field_spec: relaxed_jsonpath(s)?,
            })
        })
        .collect()
}

/// The custom-columns printer of one invocation; call [`CustomColumnsPrinter::finish`] at the
/// end to flush the aligned text.
#[derive(Debug)]
pub struct CustomColumnsPrinter {
    columns: Vec<Column>,
    parsers: Vec<JsonPath>,
    no_headers: bool,
    printed_headers: bool,
    tw: TabWriter,
}

impl CustomColumnsPrinter {
    /// A printer for `columns`; `no_headers` is `--no-headers` (ignored by kubectl for
    /// `custom-columns-file`, which always prints headers: pass false there).
    pub fn new(columns: Vec<Column>, no_headers: bool) -> Result<Self, PrintError> {
        let parsers = columns
            .iter()
            .map(|c| {
                JsonPath::parse(&c.field_spec)
                    .map(|p| p.allow_missing_keys(true))
                    .map_err(PrintError::Template)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CustomColumnsPrinter {
            columns,
            parsers,
            no_headers,
            printed_headers: false,
            tw: TabWriter::kubectl(),
        })
    }

    /// Adds the rows of one object, or of each item of a list.
    pub fn print(&mut self, obj: &Value) -> Result<(), PrintError> {
        if !self.no_headers && !self.printed_headers {
            let headers: Vec<&str> = self.columns.iter().map(|c| c.header.as_str()).collect();
            self.tw.write_str(&headers.join("\t"));
            self.tw.write_str("\n");
            self.printed_headers = true;
        }
        match obj.get("items") {
            Some(Value::Array(items)) => {
                for item in items {
                    self.print_one(item)?;
                }
            }
            _ => self.print_one(obj)?,
        }
        Ok(())
    }

    fn print_one(&mut self, obj: &Value) -> Result<(), PrintError> {
        let mut cells = Vec::with_capacity(self.parsers.len());
        for parser in &self.parsers {
            let values = parser.find_results(obj).map_err(PrintError::Template)?;
            let mut strings: Vec<String> = Vec::new();
            if values.first().is_none_or(|v| v.is_empty()) {
                strings.push("<none>".to_string());
            }
            for group in &values {
                for v in group {
                    strings.push(escape_terminal(&sprint(v)));
                }
            }
            cells.push(strings.join(","));
        }
        self.tw.write_str(&cells.join("\t"));
        self.tw.write_str("\n");
        Ok(())
    }

    /// Writes the aligned output.
    pub fn finish(&mut self, w: &mut dyn Write) -> Result<(), PrintError> {
        self.tw.flush(w)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::testutil::fixture;
    use serde_json::json;

    fn render(spec: &str, obj: &Value, no_headers: bool) -> Result<String, PrintError> {
        let mut p = CustomColumnsPrinter::new(parse_spec(spec)?, no_headers)?;
        p.print(obj)?;
        let mut out = Vec::new();
        p.finish(&mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    fn pods() -> Value {
        let pod = |name: &str, node: &str| json!({"kind": "Pod", "metadata": {"name": name, "labels": {"a": "1", "b": "2"}}, "spec": {"nodeName": node, "containers": [{"name": "c1"}, {"name": "c2"}]}});
        crate::print::json::list_wrapper(vec![
            pod("node-exporter-hhrkk", "kind-multinodes-worker"),
            pod("node-exporter-zbw5h", "kind-multinodes-worker2"),
        ])
    }

    #[test]
    fn reference_custom_columns() {
        let got = render("NAME:.metadata.name,NODE:.spec.nodeName", &pods(), false).unwrap();
        assert_eq!(got, fixture("reference/17-get-pods-custom-columns.stdout"));
    }

    #[test]
    fn values_none_and_headers() {
        let got = render(
            "N:metadata.name,C:{.spec.containers[*].name},X:.nope,L:.metadata.labels",
            &pods(),
            true,
        )
        .unwrap();
        assert_eq!(
            got,
            "node-exporter-hhrkk   c1,c2   <none>   map[a:1 b:2]\nnode-exporter-zbw5h   c1,c2   <none>   map[a:1 b:2]\n"
        );
    }

    /// kubectl.1.33 `get configmaps -o custom-columns=…` over four ConfigMaps.
    #[test]
    fn matches_kubectl_over_a_list() {
        let cm = |name: &str, i: i64| json!({"kind": "ConfigMap", "metadata": {"name": name, "labels": {"i": i.to_string()}}, "x": {"num": i * 10}});
        let j = json!({"kind": "ConfigMap", "metadata": {"name": "j", "labels": {"b": "2", "a": "1<&>"}},
            "x": {"n": null, "arr": [{"type": "Ready", "p": 1}, {"type": "Other", "p": 2.5}, {"type": "Third", "p": 3}], "e": [], "m": {}, "s": "str", "num": 5}});
        let list = crate::print::json::list_wrapper(vec![
            cm("a-much-longer-name", 2),
            cm("alpha", 0),
            cm("b", 1),
            j,
        ]);
        let got = render(
            "NAME:.metadata.name,LABELS:.metadata.labels,ARR:.x.arr[*].type,E:.x.e,M:.x.m,N:.x.n,NOPE:.x.nope,NUM:.x.arr[*].p",
            &list,
            false,
        )
        .unwrap();
        let want = "NAME                 LABELS            ARR                 E        M        N        NOPE     NUM\n\
                    a-much-longer-name   map[i:2]          <none>              <none>   <none>   <none>   <none>   <none>\n\
                    alpha                map[i:0]          <none>              <none>   <none>   <none>   <none>   <none>\n\
                    b                    map[i:1]          <none>              <none>   <none>   <none>   <none>   <none>\n\
                    j                    map[a:1<&> b:2]   Ready,Other,Third   []       map[]    <nil>    <none>   1,2.5,3\n";
        assert_eq!(got, want);
        assert_eq!(
            render("A:{.x.s},B:x.num", &list, false).unwrap(),
            "A        B\n<none>   20\n<none>   0\n<none>   10\nstr      5\n"
        );
        // kubectl prints the rows before the failing one, then the error.
        let mut p = CustomColumnsPrinter::new(parse_spec("A:.x.arr[5]").unwrap(), false).unwrap();
        let err = p.print(&list).unwrap_err();
        let mut out = Vec::new();
        p.finish(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "A\n<none>\n<none>\n<none>\n"
        );
        assert_eq!(
            err.to_string(),
            "array index out of bounds: index 5, length 3"
        );
    }

    #[test]
    fn spec_errors() {
        assert_eq!(
            parse_spec("").unwrap_err().to_string(),
            "custom-columns format specified but no custom columns given"
        );
        assert_eq!(
            parse_spec("NAME").unwrap_err().to_string(),
            "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"
        );
        assert!(parse_spec("A:{.a}{.b}").is_err());
        assert_eq!(relaxed_jsonpath("{a.b}").unwrap(), "{.a.b}");
        assert_eq!(relaxed_jsonpath(".a.b").unwrap(), "{.a.b}");
        assert_eq!(relaxed_jsonpath("").unwrap(), "");
        let err = render("A:.spec.containers[5]", &pods(), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "array index out of bounds: index 5, length 2"
        );
    }

    #[test]
    fn template_file() {
        let cols = parse_template_file("NAME   NODE\n.metadata.name {.spec.nodeName}\n").unwrap();
        assert_eq!(
            cols,
            parse_spec("NAME:.metadata.name,NODE:.spec.nodeName").unwrap()
        );
        assert!(parse_template_file("A B\n.a\n")
            .unwrap_err()
            .to_string()
            .contains("(2) and field specifications (1)"));
        assert!(parse_template_file("").is_err());
        assert!(parse_template_file("A\n").is_err());
    }
}

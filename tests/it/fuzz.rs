//! Property-based fuzzing of every parser that reads user input: the manifest reader, the
//! kubeconfig loader, label and field selectors, JSONPath, go-templates and the patch engines.
//! Each target must return (a value or an error) without panicking, hanging or blowing up,
//! whatever it is fed. Inputs are built from the grammar's own hostile pieces (brackets,
//! quotes, operators, anchors, escapes, huge numbers, unicode, deep nesting) rather than
//! random bytes alone, so they reach deep into each parser. The case counts are fixed, so the
//! whole file runs in seconds in CI and finds the same things every time.

use kubectl_rs::apply::{jsonpatch, merge, strategic};
use kubectl_rs::kubeconfig::model::Kubeconfig;
use kubectl_rs::manifest::{parse_stream, yaml};
use kubectl_rs::print::go_template::GoTemplate;
use kubectl_rs::print::jsonpath::JsonPath;
use kubectl_rs::sandbox::selectors::{FieldSelector, LabelSelector};
use kubectl_rs::sandbox::store::GroupResource;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Runs `f` on a thread with the stack the binary gives its command (src/main.rs): nesting
/// that kubectl accepts (10000 levels, ranges inside ranges) recurses once per level.
fn on_command_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        // Same cases on every run: CI is reproducible, and a failure is one `cargo test` away.
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6b75_6265),
        ..ProptestConfig::default()
    }
}

/// Text assembled from `pieces`, with optional deep nesting of one opener.
fn hostile(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let flat = prop::collection::vec(prop::sample::select(pieces), 0..max).prop_map(|v| v.concat());
    let deep = (
        prop::sample::select(pieces),
        0usize..3000,
        prop::sample::select(pieces),
    )
        .prop_map(|(open, n, tail)| format!("{}{tail}", open.repeat(n)));
    prop_oneof![4 => flat, 1 => deep]
}

const COMMON: &[&str] = &[
    " ",
    "\t",
    "\n",
    "\r\n",
    "\0",
    "\u{feff}",
    "\u{fffd}",
    "é",
    "☃",
    "\u{10ffff}",
    "\"",
    "'",
    "\\",
    "\\u",
    "\\x",
    "`",
    "99999999999999999999999",
    "-1",
    "0x",
    "1e999",
    ".",
    "..",
    ",",
    ":",
    "=",
    "!",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "*",
    "?",
    "@",
    "$",
    "#",
    "&",
    "|",
    "~",
    "a",
    "name",
    "metadata",
    "-",
];

const YAML_PIECES: &[&str] = &[
    "---\n",
    "...\n",
    "- ",
    "? ",
    ": ",
    "key: ",
    "&a ",
    "*a",
    "&b [*a,*a,*a]\n",
    "<<: *a\n",
    "!!str ",
    "!!int ",
    "!!binary ",
    "!!merge ",
    "!custom ",
    "|\n",
    ">-\n",
    "  ",
    "    ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "#",
    "%YAML 1.1\n",
    "%TAG ! tag:x:\n",
    "\t",
    "\n",
    "\0",
    "\u{1}",
    "\u{85}",
    "\u{feff}",
    "\u{fffe}",
    "yes",
    "0o17",
    "1_0",
    ".nan",
    "~",
    "null",
    "apiVersion: v1\n",
    "kind: ConfigMap\n",
    "metadata:\n  name: x\n",
    "items:\n",
    "\\",
    "\"\\u12\"",
    "\"\\xZZ\"",
    "2024-01-02",
    "é",
    "{\"a\": ",
    "[1, ",
    "\"}",
    "99999999999999999999",
];

const PREFIXES: &[&[u8]] = &[b"", b"\xFF\xFE", b"\xFE\xFF", b"\xEF\xBB\xBF", b"{"];

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::from)),
        prop::sample::select(COMMON).prop_map(Value::from),
        prop::sample::select(
            &[
                "$setElementOrder/containers",
                "$patch",
                "$retainKeys",
                "$deleteFromPrimitiveList/args",
                "replace",
                "delete",
                "merge",
                "name",
                "containers",
                "ports",
                "containerPort",
                "env",
                "volumes",
                "op",
                "path",
                "value",
                "from",
                "/a",
                "/a/0",
                "/a/-",
                "add",
                "remove",
                "move",
                "copy",
                "test",
                "~1",
                "~0",
                "/"
            ][..]
        )
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(
                    &[
                        "$patch",
                        "$retainKeys",
                        "$setElementOrder/containers",
                        "$deleteFromPrimitiveList/args",
                        "name",
                        "containers",
                        "ports",
                        "spec",
                        "template",
                        "metadata",
                        "labels",
                        "env",
                        "value",
                        "op",
                        "path",
                        "from",
                        "containerPort",
                        "protocol",
                        "args",
                        "a",
                        "b",
                        "items",
                        "kind",
                        "apiVersion"
                    ][..]
                ),
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// A value nested `n` levels deep through lists and maps.
fn deep_value(n: usize) -> Value {
    let mut v = json!("x");
    for i in 0..n {
        // Not `json!`, which would copy the value at every level.
        v = if i % 2 == 0 {
            Value::Array(vec![v])
        } else {
            Value::Object([("a".to_string(), v)].into_iter().collect())
        };
    }
    v
}

proptest! {
    #![proptest_config(config(200))]

    /// The manifest reader returns objects or kubectl's errors for any stream.
    #[test]
    fn manifest_reader(text in hostile(YAML_PIECES, 60)) {
        // JSON nests 10000 levels deep legally, recursing per level (src/main.rs).
        let errors = std::thread::Builder::new().stack_size(512 << 20).spawn(move || {
            parse_stream("fuzz.yaml", &text, true)
                .into_iter()
                .filter_map(|r| r.err().map(|e| e.to_string()))
                .collect::<Vec<_>>()
        }).unwrap().join().unwrap();
        for msg in errors {
            prop_assert!(msg.starts_with("error parsing fuzz.yaml: ")
                || msg.starts_with("error validating \"fuzz.yaml\"")
                || msg.starts_with("unable to decode \"fuzz.yaml\""), "{msg}");
        }
    }

    /// Byte-level garbage goes through the same decoding as files (BOMs, UTF-16, bad UTF-8).
    #[test]
    fn manifest_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300),
                      prefix in prop::sample::select(PREFIXES)) {
        let mut all = prefix.to_vec();
        all.extend(bytes);
        let text = kubectl_rs::manifest::source::decode_text(&all);
        on_command_stack(move || {
            let _ = parse_stream("STDIN", &text, false);
        });
    }

    /// Alias-heavy documents never expand beyond go-yaml's budget.
    #[test]
    fn yaml_aliases(levels in 1usize..12, fanout in 1usize..12, seq in any::<bool>()) {
        let mut text = String::from("a0: &a0 [x, y]\n");
        for i in 1..levels {
            let refs = vec![format!("*a{}", i - 1); fanout].join(", ");
            text += &if seq {
                format!("a{i}: &a{i} [{refs}]\n")
            } else {
                let pairs: Vec<String> = (0..fanout).map(|j| format!("k{j}: *a{}", i - 1)).collect();
                format!("a{i}: &a{i} {{{}}}\n", pairs.join(", "))
            };
        }
        match yaml::yaml_to_json(&text) {
            Ok(v) => prop_assert!(serde_json::to_string(&v).unwrap().len() < 100_000_000),
            Err(e) => prop_assert_eq!(
                e.to_string(),
                "error converting YAML to JSON: yaml: document contains excessive aliasing"
            ),
        }
    }

    /// The kubeconfig loader accepts or refuses any file.
    #[test]
    fn kubeconfig_loader(text in hostile(YAML_PIECES, 60)) {
        let _ = Kubeconfig::from_yaml(&text);
        let prefixed = format!("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {text}\n");
        let _ = Kubeconfig::from_yaml(&prefixed);
    }

    /// Label selectors: parse, and a parsed selector can match anything.
    #[test]
    fn label_selectors(text in hostile(&[" ", ",", "=", "==", "!=", "!", "in", "notin", "(", ")",
        "a", "b/c", "example.com/", "-", "_", ".", "x", "1", "é", "\0", "exists", "<", ">", "gt",
        "lt", "99999999999999999999", "\"", "'"], 40), labels in arb_json()) {
        if let Ok(sel) = LabelSelector::parse(&text) {
            let _ = sel.matches(&labels);
            let _ = sel.matches(&json!({"a": "1", "b/c": "x"}));
        }
        let _ = LabelSelector::from_label_selector_json(&labels);
    }

    /// Field selectors for a few resources, matched against any object.
    #[test]
    fn field_selectors(text in hostile(&["metadata.name", "metadata.namespace", "spec.nodeName",
        "status.phase", "=", "==", "!=", ",", "\\", "\\,", "\\=", "a", " ", "", ".", "é", "\0",
        "(", ")"], 30), obj in arb_json(),
        res in prop::sample::select(&["pods", "nodes", "events", "configmaps", "secrets", "widgets"][..])) {
        let gr = GroupResource { group: String::new(), resource: res.to_string() };
        if let Ok(sel) = FieldSelector::parse(&gr, &text) {
            let _ = sel.matches(&obj);
        }
    }

    /// JSONPath templates: parse, then run against any object.
    #[test]
    fn jsonpath(text in hostile(&["{", "}", ".", "..", "[", "]", "*", "@", "?", "(", ")", "==",
        "!=", "<", ">=", "&&", "||", "'", "\"", "\\", ":", "-1", "0", "2", "99999999999999999999",
        ",", "$", "range", "end", "metadata", "name", "items", " ", "\n", "\\n", "é", "\0",
        "{.items[*]}", "{range .items[*]}", "{end}", "[?(@.a)]", "[-1:]", "[::0]", "[1:2:-1]",
        "{@}", "{$}", "'\\''", "\"\\\"\"", "{.a.b[0]['c']}"], 40), data in arb_json()) {
        on_command_stack(move || {
            if let Ok(jp) = JsonPath::parse(&text) {
                let mut out = Vec::new();
                let _ = jp.execute(&data, &mut out);
                let mut out = Vec::new();
                let _ = JsonPath::parse(&text).unwrap().allow_missing_keys(true).output_json(true)
                    .execute(&data, &mut out);
            }
        });
    }

    /// Go templates: parse, then run against any object.
    #[test]
    fn go_template(text in hostile(&["{{", "}}", "{{-", "-}}", ".", "$", "$x", ":=", "=", "|",
        "(", ")", "range", "end", "if", "else", "with", "define", "template", "block", "\"a\"",
        "`raw`", "'c'", "\"\\u00e9\"", "printf", "\"%v\"", "\"%*d\"", "len", "index", "slice",
        "base64decode", "and", "or", "not", "eq", "lt", "html", "js", "urlquery", "print",
        "println", "call", "nil", "true", "1", "-1", "0x1p-2", "1e999", "99999999999999999999",
        "/*", "*/", "metadata", "name", "items", " ", "\n", "é", "\0", "break", "continue"], 40),
        data in arb_json()) {
        on_command_stack(move || {
            if let Ok(t) = GoTemplate::parse(&text) {
                let _ = t.execute(&data);
                let _ = GoTemplate::parse(&text).unwrap().allow_missing_keys(true).execute(&data);
            }
        });
    }

    /// Strategic merge patch (built-in schema and unknown kinds), JSON merge patch and JSON
    /// patch: any document, any patch.
    #[test]
    fn patch_engines(original in arb_json(), patch in arb_json(), modified in arb_json(),
        kind in prop::sample::select(&[("apps/v1", "Deployment"), ("v1", "Pod"), ("v1", "ConfigMap"),
            ("example.com/v1", "Widget")][..])) {
        let (api_version, kind) = kind;
        let _ = strategic::apply_strategic_merge_patch(api_version, kind, &original, &patch);
        let _ = strategic::create_two_way_merge_patch(api_version, kind, &original, &modified);
        let _ = strategic::create_three_way_merge_patch(api_version, kind, Some(&original), &modified, &patch, true);
        let _ = strategic::create_three_way_merge_patch(api_version, kind, None, &modified, &original, false);
        let _ = merge::apply_merge_patch(&original, &patch);
        let _ = merge::create_merge_patch(&original, &modified);
        let _ = jsonpatch::apply_json_patch(&original, &patch);
    }
}

proptest! {
    #![proptest_config(config(16))]

    /// Deeply nested documents and patches (up to kubectl's 10000 levels are legal input).
    #[test]
    fn deep_documents(n in 0usize..10_000) {
        on_command_stack(move || {
            let v = deep_value(n);
            let text = serde_json::to_string(&v).unwrap();
            let _ = yaml::yaml_to_json(&text);
            let _ = merge::apply_merge_patch(&v, &v);
            let _ = strategic::apply_strategic_merge_patch("v1", "ConfigMap", &json!({"data": v.clone()}), &json!({"data": v}));
        });
    }
}

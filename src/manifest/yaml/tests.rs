//! Tests for YAML → JSON conversion, against outputs of the real kubectl.
use super::*;
use crate::apply::to_go_json;
use serde_json::json;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Converts `manifest/NAME.yaml` and compares it, key by key under `data` first for a
/// readable failure, with kubectl's `manifest/NAME.json`.
fn assert_converts_as_kubectl(name: &str) {
    let docs = documents_to_json(&fixture(&format!("manifest/{name}.yaml")));
    let expected: Value = serde_json::from_str(&fixture(&format!("manifest/{name}.json"))).unwrap();
    assert_eq!(docs.len(), 1, "{name}");
    let got = docs[0].clone().unwrap();
    for (k, v) in expected["data"].as_object().unwrap() {
        assert_eq!(&got["data"][k], v, "{name}: data.{k}");
    }
    assert_eq!(got, expected, "{name}");
}

#[test]
fn yaml11_resolution_matches_kubectl() {
    assert_converts_as_kubectl("yaml11");
}

#[test]
fn crlf_block_scalars_and_escapes_match_kubectl() {
    assert_converts_as_kubectl("edge");
}

#[test]
fn merges_binary_and_numbers_match_kubectl() {
    assert_converts_as_kubectl("more");
}

#[test]
fn errors_match_kubectl() {
    let table = fixture("manifest/errors.tsv");
    let mut failures = Vec::new();
    for line in table.lines() {
        let (file, stderr) = line.split_once('\t').unwrap();
        let text = fixture(&format!("manifest/errors/{file}"));
        let prefix = format!("error: error parsing {file}: ");
        let want = stderr.strip_prefix(&prefix).unwrap();
        let docs = documents_to_json(&text);
        let got = match docs.iter().find_map(|d| d.as_ref().err()) {
            Some(e) => e.to_string(),
            None => format!("no error in {docs:?}"),
        };
        if got != want {
            failures.push(format!("{file}:\n  want {want}\n  got  {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn multi_document_streams() {
    let text = "# leading comment\n---\na: 1\n---\n# only a comment\n---   # trailing comment\nb: 2\n...\n---\n\n";
    let docs: Vec<Value> = documents_to_json(text)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(docs, vec![json!({"a": 1}), json!({"b": 2})]);
    // `---` that is not at the start of a line belongs to the document.
    let docs = documents_to_json("a: |\n  ---\n  x\n");
    assert_eq!(docs[0].as_ref().unwrap(), &json!({"a": "---\nx\n"}));
    assert_eq!(
        split_documents("a\n---\nb\n---\n").unwrap(),
        vec!["a\n", "b\n"]
    );
    assert!(documents_to_json("").is_empty());
    assert!(documents_to_json("---\nnull\n---\n~\n").is_empty());
}

#[test]
fn good_documents_before_a_bad_one_are_kept() {
    let docs = documents_to_json("a: 1\n---\nb: [\n---\nc: 3\n");
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].as_ref().unwrap(), &json!({"a": 1}));
    assert!(docs[1].is_err());
}

#[test]
fn json_streams() {
    let docs: Vec<Value> = documents_to_json(" {\"a\": 1}\n{\"b\": [1, 2]}")
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(docs, vec![json!({"a": 1}), json!({"b": [1, 2]})]);
    let bad = documents_to_json("{\"a\": 1");
    assert_eq!(bad[0].as_ref().unwrap_err().to_string(), "unexpected EOF");
    // Observed with kubectl 1.33 (`-f -` on these inputs).
    let yaml = documents_to_json("{\"a\": x}");
    assert_eq!(yaml[0].as_ref().unwrap(), &json!({"a": "x"}));
    let bad = documents_to_json("{\"a\": 1,,}");
    assert_eq!(
        bad[0].as_ref().unwrap_err().to_string(),
        "json: offset 9: invalid character ',' looking for beginning of object key string"
    );
    let mixed = documents_to_json("{\"a\": 1}\n---\nb: 2\n");
    assert_eq!(mixed.len(), 2);
    assert_eq!(mixed[1].as_ref().unwrap(), &json!({"b": 2}));
    let trailing = documents_to_json("{\"a\": 1}}");
    assert_eq!(trailing[0].as_ref().unwrap(), &json!({"a": 1}));
    assert_eq!(
        trailing[1].as_ref().unwrap_err().to_string(),
        "json: offset 9: invalid character '}' looking for beginning of value"
    );
    let raw = documents(" {\"b\": 1,  \"a\": 2}");
    assert_eq!(
        raw[0].as_ref().unwrap().raw.as_deref(),
        Some("{\"b\": 1,  \"a\": 2}")
    );
}

#[test]
fn special_floats_are_errors_and_nesting_is_bounded() {
    let e = yaml_to_json("a: .nan\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "error converting YAML to JSON: json: unsupported value: NaN"
    );
    let deep = "[".repeat(20_000);
    assert!(yaml_to_json(&deep).is_err());
}

/// `a` holds 10 scalars, `b` 10 aliases of `a`, `c` `k` aliases of `b`: kubectl 1.33 reads
/// it with k = 157 and refuses it with k = 158 (go-yaml's alias ratio passes 99%).
fn nested_aliases(k: usize) -> String {
    let mut s = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
    s += &format!("a: &a [{}]\n", ["x"; 10].join(","));
    s += &format!("b: &b [{}]\n", ["*a"; 10].join(","));
    s += &format!("c: [{}]\n", vec!["*b"; k].join(","));
    s
}

#[test]
fn alias_expansion_follows_go_yamls_budget() {
    let ok = yaml_to_json(&nested_aliases(157)).unwrap();
    assert_eq!(ok["c"].as_array().unwrap().len(), 157);
    assert_eq!(ok["c"][156][9][9], json!("x"));
    assert_eq!(
        yaml_to_json(&nested_aliases(158)).unwrap_err().to_string(),
        "error converting YAML to JSON: yaml: document contains excessive aliasing"
    );
}

#[test]
fn billion_laughs_are_refused_before_expanding() {
    // 9 levels of 9 aliases: 387 million scalars if expanded.
    let mut text = String::from("a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        text += &format!("a{i}: &a{i} [{refs}]\n");
    }
    assert_eq!(
        yaml_to_json(&text).unwrap_err().to_string(),
        "error converting YAML to JSON: yaml: document contains excessive aliasing"
    );
    // A parse error later in the document wins, as go-yaml parses before decoding.
    let e = yaml_to_json(&format!("{text}z: [\n")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "error converting YAML to JSON: yaml: line 11: did not find expected node content"
    );
}

#[test]
fn anchors_containing_themselves_are_named() {
    for text in ["a: &x {b: *x}\n", "a: &x [1, [*x]]\n"] {
        assert_eq!(
            yaml_to_json(text).unwrap_err().to_string(),
            "error converting YAML to JSON: yaml: anchor 'x' value contains itself"
        );
    }
}

#[test]
fn merges_apply_in_place_like_go_yaml_v2() {
    // Observed with kubectl 1.33: a merge overwrites keys set before it, later keys
    // overwrite merged ones, and of a merged sequence the earlier maps win.
    let v = yaml_to_json(
        "b: &b {a: 2, c: 3}\nb2: &b2 {a: 5, d: 6, c: 7}\n\
         one: {a: 1, <<: *b, e: x}\ntwo: {<<: [*b, *b2], e: x}\nthree: {<<: *b, a: 9}\n",
    )
    .unwrap();
    assert_eq!(v["one"], json!({"a": 2, "c": 3, "e": "x"}));
    assert_eq!(v["two"], json!({"a": 2, "c": 3, "d": 6, "e": "x"}));
    assert_eq!(v["three"], json!({"a": 9, "c": 3}));
    assert_eq!(
        yaml_to_json("a: {<<: [{x: 1}, 2]}\n").unwrap_err().to_string(),
        "error converting YAML to JSON: yaml: map merge requires map or sequence of maps as the value"
    );
}

/// Runs `f` on a thread with the stack the binary gives its command thread.
fn with_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn block_nesting_is_limited_like_go_yaml() {
    with_big_stack(|| {
        // Each `- ` opens an indentation level; go-yaml allows 10000.
        let ok = yaml_to_json(&format!("{}z\n", "- ".repeat(10_000))).unwrap();
        let mut v = &ok;
        for _ in 0..10_000 {
            v = &v[0];
        }
        assert_eq!(v, &json!("z"));
        assert_eq!(
            yaml_to_json(&format!("{}z\n", "- ".repeat(10_001)))
                .unwrap_err()
                .to_string(),
            "error converting YAML to JSON: yaml: exceeded max depth of 10000"
        );
        // Observed with kubectl 1.33: the line of the level that is one too many.
        let text = format!("x:\n  {}z\n", "- ".repeat(10_000));
        assert_eq!(
            yaml_to_json(&text).unwrap_err().to_string(),
            "error converting YAML to JSON: yaml: line 2: exceeded max depth of 10000"
        );
        // A sequence at its key's indentation has no level of its own, so go-yaml reads
        // 10000 mappings and the sequence; the JSON step then finds 10001 levels (observed
        // with kubectl 1.33).
        let mut text = String::new();
        for i in 0..10_000 {
            text += &format!("{}k:\n", " ".repeat(i));
        }
        text += &format!("{}- z\n", " ".repeat(9_999));
        assert_eq!(
            yaml_to_json(&text).unwrap_err().to_string(),
            "error unmarshaling JSON: while decoding JSON: invalid character '[' exceeded max depth"
        );
        // Flow levels count towards the JSON limit too.
        let text = format!("{}{{a: [1]}}\n", "- ".repeat(9_999));
        assert_eq!(
            yaml_to_json(&text).unwrap_err().to_string(),
            "error unmarshaling JSON: while decoding JSON: invalid character '[' exceeded max depth"
        );
        assert!(yaml_to_json(&format!("{}{{a: 1}}\n", "- ".repeat(9_999))).is_ok());
    });
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[ -~]{0,8}".prop_map(Value::from),
            "(yes|no|on|off|y|n|~|null|0755|1_000|0x1F|1e3|2024-01-02|<<)".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map("[a-z<]{1,4}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// JSON text is YAML: quoted strings stay strings whatever they look like, and
        /// integers, booleans and nulls keep their JSON meaning.
        #[test]
        fn json_text_reads_back_unchanged(v in arb_json()) {
            let text = serde_json::to_string(&v).unwrap();
            prop_assert_eq!(yaml_to_json(&text).unwrap(), v.clone());
            let pretty = serde_json::to_string_pretty(&v).unwrap();
            prop_assert_eq!(yaml_to_json(&pretty).unwrap(), v);
        }
    }
}
/// 150 random documents of tricky scalars in block and flow collections
/// (tests/fixtures/manifest/gen_random.py), compared as kubectl's JSON bytes.
#[test]
fn random_documents_match_kubectl() {
    let text = fixture("manifest/random1.yaml");
    let raw = fixture("manifest/random1.json");
    let want: Vec<Value> = serde_json::Deserializer::from_str(&raw)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect();
    let docs = documents_to_json(&text);
    assert_eq!(docs.len(), want.len());
    let mut bad = Vec::new();
    for (d, w) in docs.iter().zip(&want) {
        let name = &w["metadata"]["name"];
        match d {
            Ok(v) => {
                for (k, wv) in w["data"].as_object().unwrap() {
                    let (got, exp) = (to_go_json(&v["data"][k]), to_go_json(wv));
                    if got != exp {
                        bad.push(format!("{name} {k}: got {got} want {exp}"));
                    }
                }
            }
            Err(e) => bad.push(format!("{name}: {e}")),
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
/// 240 one-line mutations of the reference manifest (bad indentation, tabs, stray colons,
/// quotes, brackets, dashes): same verdict and same error text as kubectl.
#[test]
fn mutated_manifests_fail_like_kubectl() {
    let base = fixture("reference/node-exporter-daemonset-v2.yaml");
    let lines: Vec<&str> = base.split('\n').collect();
    let mut bad = Vec::new();
    for row in fixture("manifest/mutations.tsv").lines() {
        let mut cols = row.splitn(3, '\t');
        let (k, kind, want) = (
            cols.next().unwrap(),
            cols.next().unwrap(),
            cols.next().unwrap(),
        );
        let k: usize = k.parse().unwrap();
        // OTHER: kubectl parsed it and failed later, decoding the object.
        let want = if want == "OTHER" { "" } else { want };
        let mut ls: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let l = &ls[k];
        ls[k] = match kind {
            "dedent" => l.strip_prefix(' ').unwrap_or(l).to_string(),
            "indent" => format!(" {l}"),
            "tab" => format!("\t{}", l.trim_start_matches(' ')),
            "colon" => format!("{l}: x"),
            "quote" => format!("{l} \""),
            "bracket" => format!("{l} ["),
            "dash" => format!("- {l}"),
            "delcolon" => l.replacen(':', "", 1),
            other => panic!("unknown mutation {other}"),
        };
        let text = ls.join("\n");
        let got = documents_to_json(&text)
            .iter()
            .find_map(|d| d.as_ref().err().map(|e| e.to_string()))
            .unwrap_or_default();
        if got != want {
            bad.push(format!("line {k} {kind}:\n  want {want}\n  got  {got}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} mismatches\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// encoding/json's 10000 levels, not serde_json's 128 (offsets observed with kubectl 1.33).
#[test]
fn json_nesting_is_limited_like_encoding_json() {
    with_big_stack(|| {
        let ok = format!("{{\"a\":{}{}}}", "[".repeat(9_999), "]".repeat(9_999));
        let docs = documents_to_json(&ok);
        assert!(docs[0].is_ok(), "{docs:?}");
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(
            documents_to_json(&deep)[0]
                .as_ref()
                .unwrap_err()
                .to_string(),
            "json: offset 10005: invalid character '[' exceeded max depth"
        );
        let mixed = format!(
            "{{\"a\":{}1{}}}",
            "[{\"b\":".repeat(5_000),
            "}]".repeat(5_000)
        );
        assert_eq!(
            documents_to_json(&mixed)[0]
                .as_ref()
                .unwrap_err()
                .to_string(),
            "json: offset 30001: invalid character '{' exceeded max depth"
        );
        // Brackets inside strings do not count; a syntax error before the limit wins.
        let quoted = format!("{{\"a\":\"{}\"}}", "[".repeat(20_000));
        assert!(documents_to_json(&quoted)[0].is_ok());
        let early = format!("{{\"a\":,{}", "[".repeat(20_000));
        assert_eq!(
            documents_to_json(&early)[0]
                .as_ref()
                .unwrap_err()
                .to_string(),
            "json: offset 6: invalid character ',' looking for beginning of value"
        );
    });
}

//! Tests for reading `-f` inputs, checked against kubectl's recorded and observed messages.

use super::*;
use serde_json::json;
use std::io::Write;

fn reference(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/reference/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn cm(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n")
}

fn names(results: &[Result<Manifest, ManifestError>]) -> Vec<String> {
    results
        .iter()
        .map(|r| match r {
            Ok(m) => m.object["metadata"]["name"]
                .as_str()
                .unwrap_or("?")
                .to_string(),
            Err(e) => format!("ERR {e}"),
        })
        .collect()
}

/// Sources relative to `base`, as kubectl would name them from that working directory.
fn rel(base: &std::path::Path, sources: Vec<Result<Manifest, ManifestError>>) -> Vec<String> {
    let prefix = format!("{}/", base.to_string_lossy());
    sources
        .iter()
        .map(|r| r.as_ref().unwrap().source.replace(&prefix, ""))
        .collect()
}

#[test]
fn reference_bad_yaml_and_missing_kind() {
    let mut out = parse_stream("bad-syntax.yaml", &reference("bad-syntax.yaml"), true);
    out.extend(parse_stream(
        "missing-kind.yaml",
        &reference("missing-kind.yaml"),
        true,
    ));
    assert_eq!(out.len(), 2);
    let msgs: Vec<String> = out
        .iter()
        .map(|r| format!("error: {}\n", r.as_ref().unwrap_err()))
        .collect();
    assert_eq!(msgs[0], reference("30-apply-bad-yaml.stderr"));
    assert_eq!(msgs[1], reference("31-apply-missing-kind.stderr"));
}

#[test]
fn directories_are_walked_in_lexical_order() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "d/b.yaml", &cm("b"));
    write(
        dir.path(),
        "d/a.json",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}"#,
    );
    write(dir.path(), "d/c.txt", "not yaml");
    write(dir.path(), "d/sub/s.yml", &cm("s"));
    write(
        dir.path(),
        "d/Z.yaml",
        &format!("{}---\n{}", cm("z1"), cm("z2")),
    );
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let base = dir.path();
    let p = |s: &str| format!("{}/{s}", base.to_string_lossy());
    let flat = read_manifests(&[p("d")], false, &mut std::io::empty());
    assert_eq!(names(&flat), ["z1", "z2", "a", "b"]);
    assert_eq!(flat[1].as_ref().unwrap().index, 1);
    assert_eq!(
        rel(base, flat),
        ["d/Z.yaml", "d/Z.yaml", "d/a.json", "d/b.yaml"]
    );
    let deep = read_manifests(&[p("d/")], true, &mut std::io::empty());
    assert_eq!(names(&deep), ["z1", "z2", "a", "b", "s"]);
    assert_eq!(rel(base, deep)[4], "d/sub/s.yml");
    // Observed: `error reading [d/empty]: recognized file extensions are [.json .yaml .yml]`.
    let empty = read_manifests(&[p("empty")], false, &mut std::io::empty());
    assert_eq!(
        names(&empty),
        [format!(
            "ERR error reading [{}]: recognized file extensions are [.json .yaml .yml]",
            p("empty")
        )]
    );
    // A file named explicitly is read whatever its extension.
    let txt = read_manifests(&[p("d/c.txt")], false, &mut std::io::empty());
    assert!(matches!(txt[0], Err(ManifestError::Validation { .. })));
    // Globs.
    let globbed = read_manifests(&[p("d/*.yaml")], false, &mut std::io::empty());
    assert_eq!(names(&globbed), ["z1", "z2", "b"]);
}

#[test]
fn missing_paths_stop_everything() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.yaml", &cm("ok"));
    let ok = format!("{}/ok.yaml", dir.path().to_string_lossy());
    let nope = format!("{}/nope.yaml", dir.path().to_string_lossy());
    let out = read_manifests(
        &[ok, nope.clone(), "nope2.yaml".into()],
        false,
        &mut std::io::empty(),
    );
    assert_eq!(
        names(&out),
        [
            format!("ERR the path {nope:?} does not exist"),
            "ERR the path \"nope2.yaml\" does not exist".to_string()
        ]
    );
}

#[test]
fn stdin_lists_and_decode_errors() {
    let text = "apiVersion: v1\nkind: ConfigMapList\nitems:\n- metadata:\n    name: a\n  data: {x: \"<&>\"}\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n---\nmetadata:\n  name: nokind\ndata: {x: \"<&>\"}\n---\n".to_string()
        + &cm("last");
    let opts = ReadOptions {
        recursive: false,
        validate: false,
    };
    let out = read_manifests_with(&["-".into()], opts, &mut text.as_bytes());
    assert_eq!(out.len(), 4);
    let a = out[0].as_ref().unwrap();
    assert_eq!(a.source, "STDIN");
    assert_eq!(a.object["kind"], "ConfigMap");
    assert_eq!(a.object["apiVersion"], "v1");
    assert_eq!(out[1].as_ref().unwrap().object["kind"], "Secret");
    // Observed with kubectl 1.33: the object is quoted as Go-encoded JSON, reading goes on.
    assert_eq!(
        out[2].as_ref().unwrap_err().to_string(),
        r#"unable to decode "STDIN": Object 'Kind' is missing in '{"data":{"x":"\u003c\u0026\u003e"},"metadata":{"name":"nokind"}}'"#
    );
    assert_eq!(out[3].as_ref().unwrap().object["metadata"]["name"], "last");
    assert_eq!(out[3].as_ref().unwrap().index, 2);

    // With validation, the same stream stops at the bad document.
    let out = read_manifests(&["-".into()], false, &mut text.as_bytes());
    assert_eq!(out.len(), 3);
    assert_eq!(
        out[2].as_ref().unwrap_err().to_string(),
        "error validating \"STDIN\": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false"
    );
}

#[test]
fn json_decode_errors_quote_the_raw_text() {
    let opts = ReadOptions {
        recursive: false,
        validate: false,
    };
    let out = read_manifests_with(&["-".into()], opts, &mut "{\"a\": 1}}".as_bytes());
    assert_eq!(
        names(&out),
        [
            "ERR unable to decode \"STDIN\": Object 'Kind' is missing in '{\"a\": 1}'",
            "ERR error parsing STDIN: json: offset 9: invalid character '}' looking for beginning of value"
        ]
    );
    let out = read_manifests_with(&["-".into()], opts, &mut "[1, 2]".as_bytes());
    assert_eq!(
        names(&out),
        ["ERR unable to decode \"STDIN\": json: cannot unmarshal array into Go value of type unstructured.detector"]
    );
    let out = read_manifests_with(&["-".into()], opts, &mut "".as_bytes());
    assert!(out.is_empty());
}

/// Serves one canned HTTP response per connection, for `count` connections.
fn serve(responses: Vec<&'static str>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for body in responses {
            let Ok((mut conn, _)) = listener.accept() else {
                return;
            };
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut conn, &mut buf);
            let _ = conn.write_all(body.as_bytes());
        }
    });
    format!("http://{addr}/m.yaml")
}

#[test]
fn urls() {
    let ok = serve(vec![
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: u\n",
    ]);
    let out = read_manifests(std::slice::from_ref(&ok), false, &mut std::io::empty());
    assert_eq!(names(&out), ["u"]);
    assert_eq!(out[0].as_ref().unwrap().source, ok);
    let missing = serve(vec![
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    ]);
    let out = read_manifests(std::slice::from_ref(&missing), false, &mut std::io::empty());
    assert_eq!(
        names(&out),
        [format!(
            "ERR unable to read URL {missing:?}, server reported 404 Not Found, status code=404"
        )]
    );
}

#[test]
fn flattening_rules() {
    let list = json!({"apiVersion": "v1", "kind": "List", "items": [
        {"metadata": {"name": "x"}},
        {"kind": "Pod", "metadata": {"name": "p"}},
        {"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Service"}]}
    ]});
    let items = flatten(list);
    // `List` minus `List` is empty: the item only gets the apiVersion (kubectl then fails it).
    assert_eq!(
        items[0],
        json!({"apiVersion": "v1", "metadata": {"name": "x"}})
    );
    assert_eq!(items[1], json!({"kind": "Pod", "metadata": {"name": "p"}}));
    assert_eq!(items[2], json!({"apiVersion": "v1", "kind": "Service"}));
    assert_eq!(flatten(json!({"kind": "X", "items": "nope"})).len(), 1);
}

/// Observed with kubectl 1.33 against a server with OpenAPI (validation on).
#[test]
fn validation_messages() {
    let cases = [
        (
            "metadata:\n  name: a\n",
            "[apiVersion not set, kind not set]",
        ),
        (
            "kind: ConfigMap\nmetadata:\n  name: a\n",
            "apiVersion not set",
        ),
        ("[1,2]\n", "invalid object to validate"),
        (
            "apiVersion: 5\nkind: ConfigMap\n",
            "apiVersion isn't string type",
        ),
        (
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  metadata: {name: a}\n",
            "kind not set",
        ),
    ];
    for (text, msg) in cases {
        let out = parse_stream("f.yaml", text, true);
        assert_eq!(
            out[0].as_ref().unwrap_err().to_string(),
            format!("error validating \"f.yaml\": error validating data: {msg}; if you choose to ignore these errors, turn validation off with --validate=false"),
            "{text}"
        );
    }
}

/// Files and stdin are read as cli-runtime's FileVisitor reads them (BOMOverride); every
/// verdict below was observed with kubectl 1.33 (`create -f DIR`).
#[test]
fn encodings_are_read_like_kubectl() {
    let dir = tempfile::tempdir().unwrap();
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: enc\ndata:\n  k: \"h\u{e9}llo \u{2603}\"\n";
    let utf16 = |little: bool| -> Vec<u8> {
        let mut out = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            out.extend(if little {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            });
        }
        out
    };
    let put = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().into_owned()
    };
    let read = |path: &str| read_manifests(&[path.to_string()], false, &mut std::io::empty());
    let value = |path: &str| {
        let r = read(path);
        assert_eq!(r.len(), 1, "{r:?}");
        r[0].as_ref().unwrap().object["data"]["k"].clone()
    };
    let error = |path: &str| {
        let r = read(path);
        r.iter()
            .find_map(|r| r.as_ref().err().map(|e| e.to_string()))
            .unwrap()
    };
    assert_eq!(
        value(&put("le.yaml", &utf16(true))),
        json!("h\u{e9}llo \u{2603}")
    );
    assert_eq!(
        value(&put("be.yaml", &utf16(false))),
        json!("h\u{e9}llo \u{2603}")
    );
    let mut bom8 = b"\xEF\xBB\xBF".to_vec();
    bom8.extend(text.as_bytes());
    assert_eq!(value(&put("u8.yaml", &bom8)), json!("h\u{e9}llo \u{2603}"));
    // Ill-formed UTF-8 becomes U+FFFD, in YAML and in JSON.
    let bad = text.replace("h\u{e9}llo", "h\u{1}llo").into_bytes();
    let bad: Vec<u8> = bad
        .iter()
        .map(|b| if *b == 1 { 0xE9 } else { *b })
        .collect();
    assert_eq!(
        value(&put("bad.yaml", &bad)),
        json!("h\u{fffd}llo \u{2603}")
    );
    let json = put(
        "bad.json",
        b"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"j\"},\"data\":{\"k\":\"v\xff\"}}",
    );
    assert_eq!(value(&json), json!("v\u{fffd}"));
    // UTF-16 without a byte order mark is read as UTF-8: NULs, which YAML refuses, and
    // which JSON names in Go's quoting.
    let no_bom = &utf16(true)[2..];
    let le = put("nobom.yaml", no_bom);
    assert!(error(&le)
        .ends_with("error converting YAML to JSON: yaml: control characters are not allowed"));
    let mut json16 = Vec::new();
    for u in "{\"a\": 1}".encode_utf16() {
        json16.extend(u.to_le_bytes());
    }
    let j = put("nobom.json", &json16);
    assert!(error(&j).ends_with(
        "json: offset 2: invalid character '\\x00' looking for beginning of object key string"
    ));
    // Binary garbage, control characters and NULs in a later document: the documents before
    // it are kept.
    let garbage: Vec<u8> = (0..=255u8).cycle().take(1024).collect();
    assert!(error(&put("garbage.yaml", &garbage)).ends_with("control characters are not allowed"));
    let mut multi = cm("m1").into_bytes();
    multi.extend(b"---\n\x00\x01garbage\n---\n");
    multi.extend(cm("m3").into_bytes());
    let r = read(&put("multi.yaml", &multi));
    assert_eq!(r.len(), 2);
    assert_eq!(
        r[0].as_ref().unwrap().object["metadata"]["name"],
        json!("m1")
    );
    assert!(r[1]
        .as_ref()
        .unwrap_err()
        .to_string()
        .ends_with("control characters are not allowed"));
    // A lone surrogate at the end of UTF-16 text is U+FFFD, which YAML then trips over.
    let mut lone = utf16(true);
    lone.extend([0x00, 0xD8]);
    assert!(error(&put("lone.yaml", &lone)).ends_with("yaml: line 8: could not find expected ':'"));
}

#[test]
fn stdin_read_once() {
    // cli-runtime's builder refuses a second `-f -` before reading anything.
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
    let args = ["-".to_string(), "-".to_string()];
    let out = read_manifests(&args, false, &mut text.as_bytes());
    assert_eq!(out, [Err(ManifestError::StdinMultiUse)]);
    let out = read_manifests(&args[..1], false, &mut text.as_bytes());
    assert_eq!(names(&out), ["a"]);
}

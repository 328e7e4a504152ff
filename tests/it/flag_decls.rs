//! Each flag is declared once (issue 12): a long flag name that two commands share comes from
//! one group in `src/cmd/flags.rs`, flattened into both (and reworded with `mut_arg` where
//! kubectl's text differs). This reads the sources: every `#[arg(..)]` field with a long name
//! and every builder `.long("..")` is one declaration, and a name declared twice fails the test
//! unless it is listed in `DISTINCT` with the reason the two flags are different flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Long names declared more than once on purpose: the same spelling, a different flag.
const DISTINCT: &[(&str, &str)] = &[
    // `config set-cluster`/`set-credentials`/`set-context` write these into the kubeconfig;
    // the global flags of the same names override it for one invocation.
    (
        "certificate-authority",
        "kubeconfig entry vs global override",
    ),
    ("client-certificate", "kubeconfig entry vs global override"),
    ("client-key", "kubeconfig entry vs global override"),
    ("cluster", "kubeconfig entry vs global override"),
    (
        "insecure-skip-tls-verify",
        "kubeconfig entry vs global override",
    ),
    (
        "namespace",
        "kubeconfig entry vs global override (and completion's own parser)",
    ),
    ("password", "kubeconfig entry vs global override"),
    ("server", "kubeconfig entry vs global override"),
    ("tls-server-name", "kubeconfig entry vs global override"),
    ("token", "kubeconfig entry vs global override"),
    (
        "user",
        "kubeconfig entry vs global override vs a binding's subject",
    ),
    ("username", "kubeconfig entry vs global override"),
    ("context", "completion's own pre-parser of the global flag"),
    // Same spelling, other meaning or value type.
    (
        "address",
        "port-forward: addresses to listen on (list); proxy: one IP",
    ),
    (
        "all-namespaces",
        "cluster-info dump: dump every namespace, --namespaces ignored",
    ),
    (
        "attach",
        "run waits for the pod, debug for the debug container (own defaults)",
    ),
    (
        "chunk-size",
        "drain keeps it as text to report pflag's parse error itself",
    ),
    (
        "clusterrole",
        "rolebinding: the role it references; clusterrolebinding: required",
    ),
    (
        "command",
        "kuberc alias command vs run's args-are-the-command switch",
    ),
    (
        "containers",
        "top pod: show containers (bool); set env/resources: a name pattern",
    ),
    (
        "env",
        "kustomize: build env; run/debug: container env; set env: a name=value list",
    ),
    (
        "filename",
        "exec/debug/view-last-applied: -f without -R (FilenameFlags adds -R)",
    ),
    ("for", "wait --for=condition vs events --for=object"),
    (
        "force",
        "drain: continue on unmanaged pods; delete: immediate; certificate: re-approve",
    ),
    (
        "from",
        "create job: the CronJob to copy; set env: the object to read env from",
    ),
    (
        "grace-period",
        "drain: the eviction's grace period, its own words",
    ),
    (
        "image",
        "create job/cronjob: one image; create deployment: a list; run/debug own",
    ),
    (
        "list",
        "label --list shows labels; set env --list shows env vars",
    ),
    (
        "name",
        "expose/autoscale: the generated object; kuberc: the alias; sandbox: the cluster",
    ),
    (
        "output",
        "printer formats vs explain's plaintext/plaintext-openapiv2 and completion",
    ),
    ("overwrite", "label/annotate vs kuberc set --overwrite"),
    (
        "port",
        "expose/run/create service port vs proxy/sandbox listen port",
    ),
    (
        "prefix",
        "logs: prefix lines with the source; set env: a name prefix",
    ),
    (
        "raw",
        "get/create/replace/delete raw URI vs config view --raw",
    ),
    (
        "recursive",
        "explain's field tree vs -R of the filename group",
    ),
    ("replicas", "scale's target vs create deployment's spec"),
    (
        "restart",
        "run: the pod's restart policy; create cronjob: the job's",
    ),
    (
        "selector",
        "label selector vs expose/pdb's selector of the generated object",
    ),
    (
        "show-managed-fields",
        "printer flag vs diff's (include them in the diff)",
    ),
    ("sort-by", "get's JSONPath sort vs top's cpu|memory"),
    (
        "timeout",
        "drain: the whole drain; delete/wait group: the wait",
    ),
    ("type", "patch type vs expose/create service type"),
];

/// The declarations of each long name: `file:line` of every one.
fn declarations(root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut files = Vec::new();
    collect(root, &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source file");
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (line, long) in longs_of(&text) {
            out.entry(long).or_default().push(format!("{shown}:{line}"));
        }
    }
    out
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("source dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, files);
        } else if p.extension().is_some_and(|e| e == "rs") {
            files.push(p);
        }
    }
}

/// `(line, long name)` of each declaration in one file.
fn longs_of(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    // Builder declarations: `.long("name")`.
    for (at, _) in text.match_indices(".long(\"") {
        let rest = &text[at + 7..];
        if let Some(end) = rest.find('"') {
            found.push((line_of(at), rest[..end].to_string()));
        }
    }
    // Derive declarations: `#[arg(...)]`, then (after docs/attributes) the field.
    for (at, _) in text.match_indices("#[arg(") {
        let Some(attr) = balanced(&text[at + 5..]) else {
            continue;
        };
        let after = &text[at + 5 + attr.len()..];
        let Some(field) = field_after(after) else {
            continue;
        };
        if let Some(long) = long_of(attr, &field) {
            found.push((line_of(at), long));
        }
    }
    found
}

/// The parenthesised text at the start of `s` (its parentheses included).
fn balanced(s: &str) -> Option<&str> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&s[..=i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The field name after an attribute: the first line that is not an attribute or a comment.
fn field_after(s: &str) -> Option<String> {
    let line = s
        .lines()
        .skip(1)
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("#[") && !l.starts_with("//"))?;
    let line = line.strip_prefix("pub(crate) ").unwrap_or(line);
    let line = line.strip_prefix("pub ").unwrap_or(line);
    let name = line.split(':').next()?.trim();
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        .then(|| name.to_string())
}

/// The long name an `#[arg(..)]` gives: `long = "x"`, or the field's name for a bare `long`.
fn long_of(attr: &str, field: &str) -> Option<String> {
    let inner = &attr[1..attr.len() - 1];
    for part in inner.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("long") {
            let v = v.trim();
            if v.is_empty() {
                return Some(field.replace('_', "-"));
            }
            if let Some(v) = v.strip_prefix('=') {
                return Some(v.trim().trim_matches('"').to_string());
            }
        }
    }
    None
}

#[test]
fn every_long_flag_is_declared_once() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let decls = declarations(&root);
    assert!(
        decls.len() > 200,
        "the scan found only {} long flags: it no longer reads the declarations",
        decls.len()
    );
    let mut twice = Vec::new();
    for (long, at) in &decls {
        let allowed = DISTINCT.iter().any(|(n, _)| n == long);
        if at.len() > 1 && !allowed {
            twice.push(format!("--{long}: {}", at.join(", ")));
        }
    }
    assert!(
        twice.is_empty(),
        "long flags declared more than once (make them one group in src/cmd/flags.rs, \
         reworded with mut_arg, or list them in DISTINCT with the reason):\n{}",
        twice.join("\n")
    );
    // The list stays true: each entry is still declared more than once.
    let stale: Vec<&str> = DISTINCT
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| decls.get(*n).map_or(0, Vec::len) < 2)
        .collect();
    assert!(
        stale.is_empty(),
        "DISTINCT lists flags declared once: {stale:?}"
    );
}

//! Translated help (`LANG=de_DE.UTF-8 kubectl help`), as kubectl's `i18n.T` prints it, compared
//! with the oracle (kubectl v1.33). Where kubectl-rs's English help equals the oracle's, the
//! translated help must be byte-identical too; elsewhere (v1.33→v1.36 changes, `sandbox`) the
//! lines the translation changes must be the same in both.

use std::process::Command;

use crate::common;

/// kubectl-rs behind a symlink named `kubectl` (kept alive by the returned TempDir).
fn as_kubectl() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("kubectl");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kubectl-rs"), &link).unwrap();
    (dir, link)
}

/// stdout of `program words...` with exactly the locale variables `locale`.
fn run(program: &std::path::Path, words: &[&str], locale: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(program);
    cmd.args(words)
        .env("HOME", "/nonexistent-home")
        .env_remove("KUBECONFIG")
        .env_remove("KUBECTL_KYAML")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    for (k, v) in locale {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{program:?} {words:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The lines only in `en` (marked `-`) and only in `tr` (marked `+`), in order.
fn changed_lines(en: &str, tr: &str) -> Vec<String> {
    let en_lines: Vec<&str> = en.lines().collect();
    let tr_lines: Vec<&str> = tr.lines().collect();
    let mut out: Vec<String> = en_lines
        .iter()
        .filter(|l| !tr_lines.contains(l))
        .map(|l| format!("-{l}"))
        .collect();
    out.extend(
        tr_lines
            .iter()
            .filter(|l| !en_lines.contains(l))
            .map(|l| format!("+{l}")),
    );
    out
}

const LANGS: &[&str] = &[
    "de_DE", "fr_FR", "it_IT", "ja_JP", "ko_KR", "pt_BR", "zh_CN", "zh_TW",
];

#[test]
fn translated_help_matches_kubectl() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    let oracle = std::path::Path::new(oracle);
    let (_dir, ours) = as_kubectl();
    let english = [("LANG", "C")];
    let mut cases: Vec<(&str, Vec<&str>)> = Vec::new();
    for lang in LANGS {
        cases.push((lang, vec!["help"]));
        cases.push((lang, vec!["config", "--help"]));
        cases.push((lang, vec!["uncordon", "--help"]));
    }
    // Long descriptions, examples and flag usages.
    for words in [
        vec!["top", "node", "--help"],
        vec!["explain", "--help"],
        vec!["drain", "--help"],
        vec!["annotate", "--help"],
    ] {
        cases.push(("de_DE", words.clone()));
        cases.push(("it_IT", words));
    }
    // `set resources` prints --limits/--requests with a catalog text kubectl never translates.
    cases.push(("it_IT", vec!["set", "resources", "--help"]));
    let mut translated_lines = 0;
    for (lang, words) in &cases {
        let locale = format!("{lang}.UTF-8");
        let tr = [("LANG", locale.as_str())];
        let (ours_en, ours_tr) = (run(&ours, words, &english), run(&ours, words, &tr));
        let (their_en, their_tr) = (run(oracle, words, &english), run(oracle, words, &tr));
        if ours_en == their_en {
            assert_eq!(ours_tr, their_tr, "LANG={locale} kubectl {words:?}");
        }
        let changed = changed_lines(&their_en, &their_tr);
        translated_lines += changed.len();
        assert_eq!(
            changed_lines(&ours_en, &ours_tr),
            changed,
            "LANG={locale} kubectl {words:?}: translated lines"
        );
    }
    assert!(
        translated_lines > 100,
        "the oracle translated {translated_lines} lines"
    );
}

/// The strings Kubernetes' test/cmd `run_kubectl_help_tests` looks for.
#[test]
fn test_cmd_help_strings() {
    let (_dir, ours) = as_kubectl();
    for (lang, want) in [
        ("de_DE.UTF8", "Verändere kubeconfig Dateien"),
        ("en_US.UTF8", "Modify kubeconfig files"),
        ("fr_FR.UTF8", "Modifier des fichiers kubeconfig"),
        ("ja_JP.UTF8", "kubeconfigを変更する"),
        ("zh_TW.UTF8", "修改 kubeconfig 檔案"),
    ] {
        let out = run(&ours, &["help"], &[("LANG", lang)]);
        assert!(out.contains(want), "LANG={lang}: {out}");
    }
    let out = run(&ours, &["uncordon", "--help"], &[("LANG", "pt_BR.UTF-8")]);
    assert!(out.contains("Remove a restrição de execução de workloads no node."));
}

/// kubectl's language choice: LC_ALL, then LC_MESSAGES, then LANG; `lang.encoding` only.
#[test]
fn locale_selection_follows_kubectl() {
    let (_dir, ours) = as_kubectl();
    let english = run(&ours, &["help"], &[]);
    let german = run(&ours, &["help"], &[("LANG", "de_DE.UTF-8")]);
    assert_ne!(english, german);
    for locale in [
        vec![("LANG", "de_DE")],
        vec![("LANG", "de_DE.UTF-8.1")],
        vec![("LANG", "C")],
        vec![("LANG", "xx_XX.UTF-8")],
        vec![("LC_ALL", "C.UTF-8"), ("LANG", "de_DE.UTF-8")],
        vec![("LC_MESSAGES", "en_US.UTF-8"), ("LANG", "de_DE.UTF-8")],
    ] {
        assert_eq!(run(&ours, &["help"], &locale), english, "{locale:?}");
    }
    for locale in [
        vec![("LC_ALL", "de_DE.UTF-8"), ("LANG", "C")],
        vec![
            ("LC_ALL", ""),
            ("LC_MESSAGES", "de_DE.x"),
            ("LANG", "fr_FR.UTF-8"),
        ],
    ] {
        assert_eq!(run(&ours, &["help"], &locale), german, "{locale:?}");
    }
}

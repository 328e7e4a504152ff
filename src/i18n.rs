//! kubectl's message translations (`k8s.io/kubectl/pkg/util/i18n`): the language comes from
//! `LC_ALL`, then `LC_MESSAGES`, then `LANG` (the first one set and non-empty), and is the part
//! before the `.` of a `lang_COUNTRY.encoding` value; any other shape (`C`, `de_DE`,
//! `de_DE.UTF-8.x`) or a language kubectl has no catalog for means English.
//!
//! The catalogs in `data/i18n/` are kubectl v1.36's `k8s.po` files (`translations/kubectl/
//! <lang>/LC_MESSAGES/k8s.po`: kubectl reads the `.po`, not the `.mo`), parsed with the gettext
//! parser kubectl uses, by `tools/i18ngen` (see its README). Each entry holds the message id and
//! its translation, raw as `i18n.T` sees them, and, where kubectl's `templates.LongDesc`
//! changes the id, both normalised as a command's `Long` prints them. `default` and `en_US`
//! translate nothing, so they have no file. No catalog uses plural forms.
//!
//! kubectl translates only the strings it wraps in `i18n.T`: command descriptions, examples
//! (`templates.Examples(i18n.T(...))`) and most flag usages; the help headings are not
//! translated. [`Lang::t`] looks a text up as the help prints it.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::context::Env;

/// kubectl's languages with a non-empty catalog, and their catalogs.
const CATALOGS: &[(&str, &str)] = &[
    ("de_DE", include_str!("../data/i18n/de_DE.json")),
    ("fr_FR", include_str!("../data/i18n/fr_FR.json")),
    ("it_IT", include_str!("../data/i18n/it_IT.json")),
    ("ja_JP", include_str!("../data/i18n/ja_JP.json")),
    ("ko_KR", include_str!("../data/i18n/ko_KR.json")),
    ("pt_BR", include_str!("../data/i18n/pt_BR.json")),
    ("zh_CN", include_str!("../data/i18n/zh_CN.json")),
    ("zh_TW", include_str!("../data/i18n/zh_TW.json")),
];

/// Catalog ids kubectl v1.36 never passes through `i18n.T` (its `set resources` prints
/// `--limits` and `--requests` with this text untranslated), found by
/// `tools/i18ngen/unwrapped.py`.
const NEVER_TRANSLATED: &[&str] = &["The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges."];

/// The language messages are printed in: English, or one of [`CATALOGS`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lang(Option<usize>);

#[derive(serde::Deserialize)]
struct Entry {
    id: String,
    str: String,
    #[serde(default)]
    long: Option<String>,
    #[serde(default)]
    long_str: Option<String>,
}

impl Lang {
    /// English: no translation.
    pub const ENGLISH: Lang = Lang(None);

    /// The language kubectl's `loadSystemLanguage`/`findLanguage` pick from `env`.
    pub fn from_env(env: &Env) -> Lang {
        let value = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| env.get(k))
            .find(|v| !v.is_empty())
            .unwrap_or("");
        let pieces: Vec<&str> = value.split('.').collect();
        match pieces.as_slice() {
            [lang, _] => Lang(CATALOGS.iter().position(|(name, _)| name == lang)),
            _ => Lang::ENGLISH,
        }
    }

    /// `text` in this language: its translation when the catalog has one, else `text`.
    pub fn t(self, text: &str) -> &str {
        let Some(ix) = self.0 else {
            return text;
        };
        static LOADED: [OnceLock<HashMap<String, String>>; CATALOGS.len()] =
            [const { OnceLock::new() }; CATALOGS.len()];
        let catalog = LOADED[ix].get_or_init(|| load(CATALOGS[ix].1));
        catalog.get(text).map(String::as_str).unwrap_or(text)
    }
}

/// A catalog's lookup table: each id as `i18n.T` sees it, as `templates.LongDesc` prints it,
/// and as `templates.Examples` prints it, each to its translation in the same form.
fn load(json: &str) -> HashMap<String, String> {
    // The catalogs are compiled in and checked by the tests: a bad one is a build defect.
    let entries: Vec<Entry> = serde_json::from_str(json).unwrap_or_default();
    let mut map = HashMap::new();
    for e in entries {
        if NEVER_TRANSLATED.contains(&e.id.as_str()) {
            continue;
        }
        if let (Some(long), Some(long_str)) = (&e.long, &e.long_str) {
            map.entry(long.clone()).or_insert_with(|| long_str.clone());
        }
        let ex = examples(&e.id);
        if ex != e.id {
            map.entry(ex).or_insert_with(|| examples(&e.str));
        }
        map.insert(e.id, e.str);
    }
    map
}

/// kubectl's `templates.Examples`: the text trimmed, each line trimmed and indented by two.
fn examples(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    s.trim()
        .split('\n')
        .map(|l| format!("  {}", l.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(pairs: &[(&str, &str)]) -> Lang {
        Lang::from_env(&Env::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn language_follows_kubectl_priority_and_shape() {
        let de = lang(&[("LANG", "de_DE.UTF-8")]);
        assert_eq!(
            de.t("Modify kubeconfig files"),
            "Verändere kubeconfig Dateien"
        );
        assert_eq!(lang(&[("LANG", "de_DE")]), Lang::ENGLISH);
        assert_eq!(lang(&[("LANG", "de_DE.UTF-8.x")]), Lang::ENGLISH);
        assert_eq!(lang(&[("LANG", "C")]), Lang::ENGLISH);
        assert_eq!(lang(&[("LANG", "en_US.UTF-8")]), Lang::ENGLISH);
        assert_eq!(lang(&[("LANG", "xx_YY.UTF-8")]), Lang::ENGLISH);
        assert_eq!(
            lang(&[("LC_ALL", "C"), ("LANG", "de_DE.UTF-8")]),
            Lang::ENGLISH
        );
        assert_eq!(
            lang(&[
                ("LC_ALL", ""),
                ("LC_MESSAGES", "fr_FR.x"),
                ("LANG", "de_DE.UTF-8")
            ]),
            lang(&[("LANG", "fr_FR.UTF-8")])
        );
        assert_eq!(
            Lang::ENGLISH.t("Modify kubeconfig files"),
            "Modify kubeconfig files"
        );
    }

    #[test]
    fn every_catalog_parses() {
        for (name, json) in CATALOGS {
            let entries: Vec<Entry> = serde_json::from_str(json).expect(name);
            assert!(!entries.is_empty(), "{name}");
        }
    }

    #[test]
    fn examples_are_indented_as_kubectl_prints_them() {
        assert_eq!(examples("\n\t\t# a\n\t\tkubectl b"), "  # a\n  kubectl b");
    }
}

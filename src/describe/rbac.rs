//! `describe role|clusterrole|rolebinding|clusterrolebinding`: rules broken down per
//! group/resource/verb, compacted and sorted as kubectl's `pkg/util/rbac` does.

use serde_json::Value;

use super::text::{arr, print_cluster_meta_header, s, value_string};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};

/// A policy rule as plain string lists (also what `auth can-i --list` prints).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

impl Rule {
    fn from_json(v: &Value) -> Rule {
        let list = |f: &str| arr(v, f).iter().map(value_string).collect::<Vec<_>>();
        Rule {
            verbs: list("verbs"),
            api_groups: list("apiGroups"),
            resources: list("resources"),
            resource_names: list("resourceNames"),
            non_resource_urls: list("nonResourceURLs"),
        }
    }

    /// The generated protobuf `String()` kubectl sorts by.
    pub fn go_string(&self) -> String {
        format!(
            "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
            go_list(&self.verbs),
            go_list(&self.api_groups),
            go_list(&self.resources),
            go_list(&self.resource_names),
            go_list(&self.non_resource_urls)
        )
    }
}

/// Go's `%v` of a `[]string`.
pub fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// `rbac.BreakdownRule`: one rule per group × resource × verb (× name), then per URL × verb.
pub fn breakdown(rule: &Rule) -> Vec<Rule> {
    let mut out = Vec::new();
    let one = |s: &String| vec![s.clone()];
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                let base = Rule {
                    verbs: one(verb),
                    api_groups: one(group),
                    resources: one(resource),
                    ..Rule::default()
                };
                if rule.resource_names.is_empty() {
                    out.push(base);
                } else {
                    for name in &rule.resource_names {
                        out.push(Rule {
                            resource_names: one(name),
                            ..base.clone()
                        });
                    }
                }
            }
        }
    }
    for url in &rule.non_resource_urls {
        for verb in &rule.verbs {
            out.push(Rule {
                verbs: one(verb),
                non_resource_urls: one(url),
                ..Rule::default()
            });
        }
    }
    out
}

/// `rbac.CompactRules`: simple rules (one group, one resource, at most one name) sharing a
/// resource merge their verbs; the others stay as they are, first.
pub fn compact(rules: Vec<Rule>) -> Vec<Rule> {
    let mut others = Vec::new();
    type Keyed = ((String, String, Option<String>), Rule);
    let mut simple: Vec<Keyed> = Vec::new();
    for rule in rules {
        let is_simple = rule.resource_names.len() <= 1
            && rule.non_resource_urls.is_empty()
            && rule.api_groups.len() == 1
            && rule.resources.len() == 1;
        if !is_simple {
            others.push(rule);
            continue;
        }
        let key = (
            rule.api_groups[0].clone(),
            rule.resources[0].clone(),
            rule.resource_names.first().cloned(),
        );
        match simple.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => {
                for verb in rule.verbs {
                    if !existing.verbs.contains(&verb) {
                        existing.verbs.push(verb);
                    }
                }
            }
            None => simple.push((key, rule)),
        }
    }
    others.extend(simple.into_iter().map(|(_, r)| r));
    others
}

/// `CombineResourceGroup`: `resource.group/subresource` of the first resource and group.
pub fn combine_resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else {
        return String::new();
    };
    let (res, sub) = match first.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (first.as_str(), None),
    };
    let mut out = res.to_string();
    if let Some(g) = groups.first().filter(|g| !g.is_empty()) {
        out.push('.');
        out.push_str(g);
    }
    if let Some(sub) = sub {
        out.push('/');
        out.push_str(sub);
    }
    out
}

/// Renders a Role or ClusterRole.
pub fn describe_role(role: &Value) -> String {
    let broken: Vec<Rule> = arr(role, "rules")
        .iter()
        .flat_map(|r| breakdown(&Rule::from_json(r)))
        .collect();
    let mut rules = compact(broken);
    // sort.Stable by the rule's string form.
    rules.sort_by_cached_key(Rule::go_string);
    let mut w = PrefixWriter::new();
    print_cluster_meta_header(&mut w, role);
    w.write(LEVEL_0, "PolicyRule:\n");
    w.write(
        LEVEL_1,
        "Resources\tNon-Resource URLs\tResource Names\tVerbs\n",
    );
    w.write(
        LEVEL_1,
        "---------\t-----------------\t--------------\t-----\n",
    );
    for r in rules {
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t{}\t{}\n",
                combine_resource_group(&r.resources, &r.api_groups),
                go_list(&r.non_resource_urls),
                go_list(&r.resource_names),
                go_list(&r.verbs)
            ),
        );
    }
    w.finish()
}

/// Renders a RoleBinding or ClusterRoleBinding.
pub fn describe_binding(binding: &Value) -> String {
    let mut w = PrefixWriter::new();
    print_cluster_meta_header(&mut w, binding);
    w.write(LEVEL_0, "Role:\n");
    w.field(LEVEL_1, "Kind", s(binding, "roleRef.kind"));
    w.field(LEVEL_1, "Name", s(binding, "roleRef.name"));
    w.write(LEVEL_0, "Subjects:\n");
    w.write(LEVEL_1, "Kind\tName\tNamespace\n");
    w.write(LEVEL_1, "----\t----\t---------\n");
    for sub in arr(binding, "subjects") {
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t{}\n",
                s(sub, "kind"),
                s(sub, "name"),
                s(sub, "namespace")
            ),
        );
    }
    w.finish()
}

//! `kubectl-rs api-resources`: the resources the server offers (kubectl
//! `pkg/cmd/apiresources`), printed through kubectl's tabwriter.

use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::discovery::{partial_failure, ApiResource};
use crate::error::CliError;
use crate::print::tabwriter::tabwrite;
use std::io::Write;

/// Print the supported API resources on the server.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(mut_arg("sort_by", |a| a.help("If non-empty, sort list of resources using specified field. The field can be either 'name' or 'kind'.")))]
#[command(mut_arg("output", |a| a.help("Output format. One of: (wide, name).")))]
pub struct ApiResourcesArgs {
    #[command(flatten)]
    pub no_headers: crate::cmd::flags::NoHeadersFlag,
    #[command(flatten)]
    pub output: crate::cmd::flags::OutputFlag,
    /// Limit to resources in the specified API group.
    #[arg(verbatim_doc_comment, long)]
    pub api_group: Option<String>,
    /// If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.
    #[arg(verbatim_doc_comment, long, go_bool_opt())]
    pub namespaced: Option<bool>,
    /// Limit to resources that support the specified verbs.
    #[arg(verbatim_doc_comment, long, value_delimiter = ',')]
    pub verbs: Vec<String>,
    #[command(flatten)]
    pub sort_by: crate::cmd::flags::SortByFlag,
    /// Use the cached list of resources if available.
    #[arg(verbatim_doc_comment, long, go_bool(false))]
    pub cached: bool,
    /// Limit to resources that belong to the specified categories.
    #[arg(verbatim_doc_comment, long, value_delimiter = ',')]
    pub categories: Vec<String>,
    /// Unexpected positional arguments (rejected with kubectl's usage error).
    #[arg(verbatim_doc_comment, hide = true)]
    pub args: Vec<String>,
}

impl ApiResourcesArgs {
    /// Checks flags (kubectl `Complete` + `Validate`), no I/O.
    pub fn validate(&self) -> Result<(), CliError> {
        if !self.args.is_empty() {
            return Err(CliError::Usage {
                message: format!("unexpected arguments: [{}]", self.args.join(" ")),
                command: "kubectl-rs api-resources".into(),
            });
        }
        if !["", "wide", "name"].contains(&self.output.value.as_str()) {
            return Err(CliError::msg(format!(
                "--output {} is not available",
                self.output.value
            )));
        }
        if !["", "name", "kind"].contains(&self.sort_by.value.as_str()) {
            return Err(CliError::msg("--sort-by accepts only name or kind"));
        }
        Ok(())
    }

    /// The rows to print, filtered and sorted as kubectl does.
    pub fn select<'a>(
        &self,
        resources: impl Iterator<Item = &'a ApiResource>,
    ) -> Vec<&'a ApiResource> {
        let mut out: Vec<&ApiResource> = resources
            .filter(|r| !r.verbs.is_empty())
            .filter(|r| self.api_group.as_ref().is_none_or(|g| *g == r.group))
            .filter(|r| self.namespaced.is_none_or(|n| n == r.namespaced))
            .filter(|r| self.verbs.iter().all(|v| r.verbs.contains(v)))
            .filter(|r| self.categories.iter().all(|c| r.categories.contains(c)))
            .collect();
        let key = |r: &ApiResource| -> String {
            match self.sort_by.value.as_str() {
                "name" => r.resource.clone(),
                "kind" => r.kind.clone(),
                _ => r.group.clone(),
            }
        };
        out.sort_by(|a, b| {
            key(a)
                .cmp(&key(b))
                .then_with(|| a.resource.cmp(&b.resource))
        });
        out
    }

    /// The text kubectl prints for `rows`.
    pub fn render(&self, rows: &[&ApiResource]) -> String {
        if self.output.value == "name" {
            return rows
                .iter()
                .map(|r| format!("{}\n", r.group_resource()))
                .collect();
        }
        let wide = self.output.value == "wide";
        let mut table = Vec::new();
        if !self.no_headers.value {
            let mut h: Vec<String> = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            if wide {
                h.push("VERBS".into());
                h.push("CATEGORIES".into());
            }
            table.push(h);
        }
        for r in rows {
            let mut row = vec![
                r.resource.clone(),
                r.short_names.join(","),
                r.api_version(),
                r.namespaced.to_string(),
                r.kind.clone(),
            ];
            if wide {
                row.push(r.verbs.join(","));
                row.push(r.categories.join(","));
            }
            table.push(row);
        }
        tabwrite(&table)
    }

    /// Runs the command.
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        self.validate()?;
        let disc = ctx.discovery()?;
        let data = if self.cached {
            disc.data().await?
        } else {
            disc.refresh().await?
        };
        let rows = self.select(data.preferred_resources());
        let text = self.render(&rows);
        ctx.out().write_all(text.as_bytes())?;
        if let Some(msg) = partial_failure(&data) {
            return Err(CliError::msg(msg));
        }
        Ok(())
    }
}

/// `kubectl api-resources`: kubectl's description.
pub const API_RESOURCES_LONG: &str = r"Print the supported API resources on the server.";

/// `kubectl api-resources`: kubectl's examples.
pub const API_RESOURCES_EXAMPLES: &str = r"Examples:
  # Print the supported API resources
  kubectl api-resources
  
  # Print the supported API resources with more information
  kubectl api-resources -o wide
  
  # Print the supported API resources sorted by a column
  kubectl api-resources --sort-by=name
  
  # Print the supported namespaced resources
  kubectl api-resources --namespaced=true
  
  # Print the supported non-namespaced resources
  kubectl api-resources --namespaced=false
  
  # Print the supported API resources with a specific APIGroup
  kubectl api-resources --api-group=rbac.authorization.k8s.io";

/// `kubectl api-resources`: kubectl's usage (`Use`).
pub const API_RESOURCES_USAGE: &str = r"api-resources [flags]";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::reference_discovery as data;

    fn golden(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/kubectl-1.33/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn render(args: &ApiResourcesArgs) -> String {
        let d = data();
        args.render(&args.select(d.preferred_resources()))
    }

    #[test]
    fn matches_real_kubectl() {
        assert_eq!(
            render(&ApiResourcesArgs::default()),
            golden("api-resources.stdout")
        );
        let wide = ApiResourcesArgs {
            output: "wide".into(),
            ..Default::default()
        };
        assert_eq!(render(&wide), golden("api-resources-wide.stdout"));
        let name = ApiResourcesArgs {
            output: "name".into(),
            ..Default::default()
        };
        assert_eq!(render(&name), golden("api-resources-name.stdout"));
        let apps = ApiResourcesArgs {
            sort_by: crate::cmd::flags::SortByFlag {
                value: "kind".into(),
            },
            api_group: Some("apps".into()),
            no_headers: crate::cmd::flags::NoHeadersFlag { value: true },
            ..Default::default()
        };
        assert_eq!(
            render(&apps),
            golden("api-resources-apps-kind-noheaders.stdout")
        );
    }

    #[test]
    fn filters() {
        let a = ApiResourcesArgs {
            namespaced: Some(false),
            verbs: vec!["list".into(), "watch".into()],
            ..Default::default()
        };
        let d = data();
        let rows = a.select(d.preferred_resources());
        assert!(rows.iter().all(|r| !r.namespaced && r.supports("watch")));
        assert!(rows.iter().any(|r| r.resource == "nodes"));
        let a = ApiResourcesArgs {
            categories: vec!["all".into()],
            ..Default::default()
        };
        assert_eq!(a.select(d.preferred_resources()).len(), 10);
    }

    #[test]
    fn validation() {
        let e = |a: ApiResourcesArgs| crate::error::render(&a.validate().unwrap_err()).stderr;
        assert_eq!(
            e(ApiResourcesArgs {
                sort_by: crate::cmd::flags::SortByFlag {
                    value: "foo".into(),
                },
                ..Default::default()
            }),
            "error: --sort-by accepts only name or kind\n"
        );
        assert_eq!(
            e(ApiResourcesArgs {
                output: "json".into(),
                ..Default::default()
            }),
            "error: --output json is not available\n"
        );
        assert_eq!(
            e(ApiResourcesArgs { args: vec!["x".into()], ..Default::default() }),
            "error: unexpected arguments: [x]\nSee 'kubectl-rs api-resources -h' for help and examples\n"
        );
    }

    #[test]
    fn tabwriter_rules() {
        let rows = vec![
            vec!["CURRENT".to_string(), "NAME".into(), "NS".into()],
            vec!["*".to_string(), "a".into(), "".into()],
        ];
        assert_eq!(tabwrite(&rows), "CURRENT   NAME   NS\n*         a      \n");
    }
}

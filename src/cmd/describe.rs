//! `kubectl describe`: fetch the objects, run the describer's related lists concurrently
//! (kubectl runs them one after another), render with `crate::describe`.

use std::io::Write;

use clap::ArgAction;
use futures_util::future::join_all;
use serde_json::Value;

use crate::client::{ApiPath, ApiRequest, Client, ClientError};
use crate::cmd::flags::GoBoolArg;
use crate::context::Context;
use crate::describe::{describe, related_queries, DescribeOptions, Related, RelatedQuery};
use crate::discovery::ApiResource;
use crate::error::CliError;

/// Show details of a specific resource or group of resources.
///
/// Print a detailed description of the selected resources, including related resources such
/// as events or controllers. You may select a single object by name, all objects of that
/// type, provide a name prefix, or label selector. For example:
///
///   $ kubectl-rs describe TYPE NAME_PREFIX
///
/// will first check for an exact match on TYPE and NAME_PREFIX. If no such resource exists, it
/// will output details for every resource that has a name prefixed with NAME_PREFIX.
///
/// Use "kubectl-rs api-resources" for a complete list of supported resources.
#[derive(Debug, Clone, clap::Args)]
#[command(verbatim_doc_comment)]
#[command(mut_arg("filename", |a| a.help("Filename, directory, or URL to files containing the resource to describe")))]
pub struct DescribeArgs {
    /// (TYPE[.VERSION][.GROUP] [NAME_PREFIX | -l label] | TYPE[.VERSION][.GROUP]/NAME)
    #[arg(verbatim_doc_comment, value_name = "TYPE")]
    pub args: Vec<String>,
    #[command(flatten)]
    pub builder: crate::cmd::flags::BuilderFlags,
    #[command(flatten)]
    pub all_namespaces: crate::cmd::flags::AllNamespacesFlag,
    /// If true, display events related to the described object. Defaults to true for a single object, false for multiple objects and prefix matching.
    #[arg(verbatim_doc_comment, long, action = ArgAction::Set, go_bool_opt())]
    pub show_events: Option<bool>,
    #[command(flatten)]
    pub chunk_size: crate::cmd::flags::ChunkSizeFlag,
}

/// One object to describe.
struct Target {
    resource: ApiResource,
    object: Value,
}

impl DescribeArgs {
    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        if self.args.is_empty() && !self.builder.from_files() {
            return Err(CliError::Raw(
                "You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl describe -h' for help and examples\n"
                    .into(),
            ));
        }
        let (namespace, _) = ctx.namespace()?;
        let client = ctx.client()?;
        let mut errors: Vec<CliError> = Vec::new();
        let mut targets: Vec<Target> = Vec::new();

        if self.builder.from_files() {
            self.targets_from_files(ctx, &namespace, &mut targets, &mut errors)
                .await?;
        } else {
            let resolved = crate::resource::resolve_args(ctx, &self.args, "kubectl").await?;
            for rt in resolved {
                let ns = (rt.resource.namespaced && !self.all_namespaces.value)
                    .then_some(namespace.as_str());
                if rt.names.is_empty() {
                    for object in self
                        .list(
                            client,
                            &rt.resource,
                            ns,
                            self.builder.selector.value.as_deref(),
                        )
                        .await?
                    {
                        targets.push(Target {
                            resource: rt.resource.clone(),
                            object,
                        });
                    }
                    continue;
                }
                if self.all_namespaces.value && rt.resource.namespaced {
                    return Err(crate::resource::name_across_namespaces_error());
                }
                for name in &rt.names {
                    match get_object(client, &rt.resource, ns, name).await {
                        Ok(object) => targets.push(Target {
                            resource: rt.resource.clone(),
                            object,
                        }),
                        Err(e) => errors.push(e),
                    }
                }
            }
        }

        // kubectl falls back to a name-prefix match for `describe TYPE NAME` when NAME is
        // not found (and nothing else was asked).
        let prefix_match = self.args.len() == 2
            && !self.args[0].contains('/')
            && !self.builder.from_files()
            && targets.is_empty()
            && errors.len() == 1
            && is_not_found(&errors[0]);
        // kubectl v1.36 ("Skip events for multi-object kubectl describe"): unless
        // --show-events is given, events are shown only for a single object found cleanly.
        let show_events = self
            .show_events
            .unwrap_or(targets.len() <= 1 && errors.is_empty());
        if prefix_match {
            let resolved = crate::resource::resolve_args(ctx, &self.args[..1], "kubectl").await?;
            let mut found = false;
            for rt in resolved {
                let ns = rt.resource.namespaced.then_some(namespace.as_str());
                for object in self.list(client, &rt.resource, ns, None).await? {
                    let name = object["metadata"]["name"].as_str().unwrap_or_default();
                    if name.starts_with(&self.args[1]) {
                        found = true;
                        let s = self
                            .render(ctx, client, &rt.resource, &object, show_events)
                            .await;
                        ctx.out().write_all(format!("{s}\n").as_bytes())?;
                    }
                }
            }
            if found {
                return Ok(());
            }
            return Err(errors.remove(0));
        }

        for (i, t) in targets.iter().enumerate() {
            let s = self
                .render(ctx, client, &t.resource, &t.object, show_events)
                .await;
            let text = if i == 0 { s } else { format!("\n\n{s}") };
            ctx.out().write_all(text.as_bytes())?;
        }
        if targets.is_empty() && errors.is_empty() {
            if self.all_namespaces.value {
                ctx.eprint("No resources found\n");
            } else {
                ctx.eprint(&format!("No resources found in {namespace} namespace.\n"));
            }
        }
        match errors.len() {
            0 => Ok(()),
            // What reading `-f` met comes back inside kubectl's aggregate: even alone, no
            // `error: ` prefix (a request path error is returned as it is).
            1 if self.builder.from_files() => Err(errors.remove(0).into_bare()),
            1 => Err(errors.remove(0)),
            _ => Err(CliError::Aggregate(errors)),
        }
    }

    async fn targets_from_files(
        &self,
        ctx: &Context,
        namespace: &str,
        targets: &mut Vec<Target>,
        errors: &mut Vec<CliError>,
    ) -> Result<(), CliError> {
        crate::resource::check_path_args(&self.args)?;
        let spec = crate::resource::ReadSpec {
            ..self.builder.read_spec()
        };
        let (infos, read_errors) = crate::resource::read_objects(ctx, &spec).await;
        errors.extend(read_errors);
        let client = ctx.client()?;
        for info in infos {
            let ns = info.namespace.as_deref().or(Some(namespace));
            let ns = info.resource.namespaced.then_some(ns).flatten();
            match get_object(client, &info.resource, ns, &info.name).await {
                Ok(object) => targets.push(Target {
                    resource: info.resource,
                    object,
                }),
                Err(e) => errors.push(e),
            }
        }
        Ok(())
    }

    /// Lists all objects of a type (following `continue` tokens).
    async fn list(
        &self,
        client: &Client,
        resource: &ApiResource,
        namespace: Option<&str>,
        selector: Option<&str>,
    ) -> Result<Vec<Value>, CliError> {
        let q = RelatedQuery {
            key: "",
            group: resource.group.clone(),
            version: resource.version.clone(),
            resource: resource.resource.clone(),
            namespace: namespace.map(str::to_string),
            label_selector: selector.map(str::to_string),
            field_selector: None,
        };
        Ok(list_all(client, &q, self.chunk_size.value).await?)
    }

    async fn render(
        &self,
        ctx: &Context,
        client: &Client,
        r: &ApiResource,
        obj: &Value,
        show_events: bool,
    ) -> String {
        let queries = related_queries(&r.group, &r.kind, obj, show_events);
        let results = join_all(
            queries
                .iter()
                .map(|q| list_all(client, q, self.chunk_size.value)),
        )
        .await;
        let mut related = Related::new();
        for (q, res) in queries.iter().zip(results) {
            match res {
                Ok(items) => related.insert(q.key, items),
                Err(e) => related.insert_error(q.key, crate::error::render(&e.into()).stderr),
            }
        }
        describe(
            &r.group,
            &r.kind,
            obj,
            &related,
            &DescribeOptions::new(show_events, ctx.now),
        )
    }
}

/// GETs one object; a NotFound in a missing namespace becomes the namespace's NotFound, as
/// kubectl reports it.
async fn get_object(
    client: &Client,
    r: &ApiResource,
    namespace: Option<&str>,
    name: &str,
) -> Result<Value, CliError> {
    match client.get_json(&r.path(namespace, Some(name))?).await {
        Ok(v) => Ok(v),
        Err(e) if e.is_not_found() => match namespace {
            Some(ns) if ns != "default" => match client.get_json(&ApiPath::namespace(ns)?).await {
                Err(nse) if nse.is_not_found() => Err(nse.into()),
                _ => Err(e.into()),
            },
            _ => Err(e.into()),
        },
        Err(e) => Err(e.into()),
    }
}

fn is_not_found(e: &CliError) -> bool {
    matches!(e, CliError::Client(c) if c.is_not_found())
}

/// Runs one list query to the end, `chunk` items a request (0: all at once).
async fn list_all(
    client: &Client,
    q: &RelatedQuery,
    chunk: i64,
) -> Result<Vec<Value>, ClientError> {
    let mut req = ApiRequest::get(q.path()?);
    // The query's own `limit` gives way to `--chunk-size`.
    for (k, v) in q.query_pairs().into_iter().filter(|(k, _)| *k != "limit") {
        req = req.query(k, v);
    }
    client.list_items(&req, chunk).await
}

/// `kubectl describe`: kubectl's description.
pub const DESCRIBE_LONG: &str = r#"Show details of a specific resource or group of resources.

 Print a detailed description of the selected resources, including related resources such as events or controllers. You may select a single object by name, all objects of that type, provide a name prefix, or label selector. For example:

        $ kubectl describe TYPE NAME_PREFIX
        
 will first check for an exact match on TYPE and NAME_PREFIX. If no such resource exists, it will output details for every resource that has a name prefixed with NAME_PREFIX.

Use "kubectl api-resources" for a complete list of supported resources."#;

/// `kubectl describe`: kubectl's examples.
pub const DESCRIBE_EXAMPLES: &str = r#"Examples:
  # Describe a node
  kubectl describe nodes kubernetes-node-emt8.c.myproject.internal
  
  # Describe a pod
  kubectl describe pods/nginx
  
  # Describe a pod identified by type and name in "pod.json"
  kubectl describe -f pod.json
  
  # Describe all pods
  kubectl describe pods
  
  # Describe pods by label name=myLabel
  kubectl describe pods -l name=myLabel
  
  # Describe all pods managed by the 'frontend' replication controller
  # (rc-created pods get the name of the rc as a prefix in the pod name)
  kubectl describe pods frontend"#;

/// `kubectl describe`: kubectl's usage (`Use`).
pub const DESCRIBE_USAGE: &str =
    r"describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)";

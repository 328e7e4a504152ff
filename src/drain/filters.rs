//! Which pods of a node drain removes (kubectl `pkg/drain/filters.go`): each pod goes
//! through the filters in order (deleted long ago, DaemonSet, mirror, emptyDir, unmanaged);
//! the first that keeps it decides, otherwise the last one's verdict stands (so an earlier
//! warning can be replaced by a later "okay", as in kubectl).

use serde_json::Value;

use crate::context::Context;

const DAEMONSET_FATAL: &str = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_WARNING: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL: &str =
    "Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_STORAGE_WARNING: &str = "deleting Pods with local storage";
const UNMANAGED_FATAL: &str = "Pods that declare no controller (use --force to override)";
const UNMANAGED_WARNING: &str = "deleting Pods that declare no controller";

/// A filter's verdict on one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Remove it.
    Okay,
    /// Leave it alone, silently.
    Skip,
    /// Remove it (or not) and say why.
    Warning { delete: bool, message: String },
    /// It blocks the drain.
    Error(String),
}

impl Status {
    fn deletes(&self) -> bool {
        match self {
            Status::Okay => true,
            Status::Warning { delete, .. } => *delete,
            _ => false,
        }
    }
}

/// One pod and its verdict.
#[derive(Debug, Clone)]
pub struct PodDelete {
    pub pod: Value,
    pub status: Status,
}

/// The verdicts on a node's pods, in list order.
#[derive(Debug, Clone, Default)]
pub struct PodDeleteList {
    pub items: Vec<PodDelete>,
}

/// Groups `namespace/name` by message, in the order messages first appear (kubectl ranges
/// over a map, so its order between messages is random).
fn grouped<'a>(items: impl Iterator<Item = (&'a str, &'a Value)>) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (msg, pod) in items {
        let id = format!(
            "{}/{}",
            pod["metadata"]["namespace"].as_str().unwrap_or_default(),
            pod["metadata"]["name"].as_str().unwrap_or_default()
        );
        match out.iter_mut().find(|(m, _)| m == msg) {
            Some((_, v)) => v.push(id),
            None => out.push((msg.to_string(), vec![id])),
        }
    }
    out
}

impl PodDeleteList {
    /// The pods to remove.
    pub fn pods(&self) -> Vec<Value> {
        self.items
            .iter()
            .filter(|i| i.status.deletes())
            .map(|i| i.pod.clone())
            .collect()
    }

    /// `Warnings()`: `message: ns/a, ns/b; message2: ...`, empty when none.
    pub fn warnings(&self) -> String {
        let w = grouped(self.items.iter().filter_map(|i| match &i.status {
            Status::Warning { message, .. } => Some((message.as_str(), &i.pod)),
            _ => None,
        }));
        w.into_iter()
            .map(|(m, pods)| format!("{m}: {}", pods.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// `errors()`: one `cannot delete <message>: ns/a, ns/b` per message.
    pub fn errors(&self) -> Vec<String> {
        grouped(self.items.iter().filter_map(|i| match &i.status {
            Status::Error(m) => Some((
                if m.is_empty() {
                    "unexpected error"
                } else {
                    m.as_str()
                },
                &i.pod,
            )),
            _ => None,
        }))
        .into_iter()
        .map(|(m, pods)| format!("cannot delete {m}: {}", pods.join(", ")))
        .collect()
    }
}

/// The drain settings the filters read.
#[derive(Debug, Clone, Default)]
pub struct FilterOptions {
    pub force: bool,
    pub ignore_daemonsets: bool,
    pub delete_emptydir_data: bool,
    pub skip_wait_for_delete_timeout: i64,
}

fn phase_done(pod: &Value) -> bool {
    matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded") | Some("Failed")
    )
}

fn controller_of(pod: &Value) -> Option<&Value> {
    pod["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"].as_bool() == Some(true))
}

/// `shouldSkipPod`: deleted more than `timeout` seconds ago (wall clock, as kubectl).
pub fn should_skip(pod: &Value, timeout: i64) -> bool {
    if timeout <= 0 {
        return false;
    }
    let Some(ts) = pod["metadata"]["deletionTimestamp"].as_str() else {
        return false;
    };
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(ts) else {
        return false;
    };
    (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds() > timeout
}

/// Runs the filters over `pods` (the DaemonSet filter GETs the owning DaemonSet).
pub async fn filter_pods(ctx: &Context, pods: Vec<Value>, o: &FilterOptions) -> PodDeleteList {
    let mut items = Vec::new();
    for mut pod in pods {
        pod["kind"] = Value::from("Pod");
        pod["apiVersion"] = Value::from("v1");
        let mut status = Status::Okay;
        for f in 0..5 {
            status = match f {
                0 => skip_deleted(&pod, o),
                1 => daemonset(ctx, &pod, o).await,
                2 => mirror(&pod),
                3 => local_storage(&pod, o),
                _ => unreplicated(&pod, o),
            };
            if !status.deletes() {
                break;
            }
        }
        items.push(PodDelete { pod, status });
    }
    PodDeleteList { items }
}

fn skip_deleted(pod: &Value, o: &FilterOptions) -> Status {
    if should_skip(pod, o.skip_wait_for_delete_timeout) {
        Status::Skip
    } else {
        Status::Okay
    }
}

async fn daemonset(ctx: &Context, pod: &Value, o: &FilterOptions) -> Status {
    let Some(owner) = controller_of(pod) else {
        return Status::Okay;
    };
    if owner["kind"] != "DaemonSet" || owner["apiVersion"] != "apps/v1" || phase_done(pod) {
        return Status::Okay;
    }
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = owner["name"].as_str().unwrap_or_default();
    let path = crate::client::ResourcePath {
        group: "apps",
        version: "v1",
        resource: "daemonsets",
        namespace: Some(ns),
        name: Some(name),
        subresource: None,
    }
    .build();
    let got = match path {
        Ok(path) => match ctx.client() {
            Ok(c) => c
                .get_json(&path)
                .await
                .map_err(crate::error::CliError::from),
            Err(e) => Err(e),
        },
        Err(e) => Err(e.into()),
    };
    match got {
        Ok(_) if !o.ignore_daemonsets => Status::Error(DAEMONSET_FATAL.into()),
        Ok(_) => Status::Warning {
            delete: false,
            message: DAEMONSET_WARNING.into(),
        },
        Err(e) => {
            let not_found = matches!(&e, crate::error::CliError::Client(c) if c.is_not_found());
            let text = super::go_error_text(&e);
            if not_found && o.force {
                Status::Warning {
                    delete: true,
                    message: text,
                }
            } else {
                Status::Error(text)
            }
        }
    }
}

fn mirror(pod: &Value) -> Status {
    if pod["metadata"]["annotations"]
        .get("kubernetes.io/config.mirror")
        .is_some()
    {
        Status::Skip
    } else {
        Status::Okay
    }
}

fn local_storage(pod: &Value, o: &FilterOptions) -> Status {
    let has = pod["spec"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|v| v.get("emptyDir").is_some_and(|e| !e.is_null()));
    if !has || phase_done(pod) {
        return Status::Okay;
    }
    if !o.delete_emptydir_data {
        return Status::Error(LOCAL_STORAGE_FATAL.into());
    }
    Status::Warning {
        delete: true,
        message: LOCAL_STORAGE_WARNING.into(),
    }
}

fn unreplicated(pod: &Value, o: &FilterOptions) -> Status {
    if phase_done(pod) || controller_of(pod).is_some() {
        return Status::Okay;
    }
    if o.force {
        return Status::Warning {
            delete: true,
            message: UNMANAGED_WARNING.into(),
        };
    }
    Status::Error(UNMANAGED_FATAL.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(name: &str, status: Status) -> PodDelete {
        PodDelete {
            pod: json!({"metadata": {"name": name, "namespace": "default"}}),
            status,
        }
    }

    #[test]
    fn warnings_and_errors_group_by_message() {
        let warn = |m: &str, d| Status::Warning {
            delete: d,
            message: m.into(),
        };
        let l = PodDeleteList {
            items: vec![
                item("a", warn(DAEMONSET_WARNING, false)),
                item("b", Status::Okay),
                item("c", warn(DAEMONSET_WARNING, false)),
                item("d", Status::Error(UNMANAGED_FATAL.into())),
                item("e", Status::Error(String::new())),
            ],
        };
        assert_eq!(
            l.warnings(),
            "ignoring DaemonSet-managed Pods: default/a, default/c"
        );
        assert_eq!(
            l.errors(),
            vec![
                "cannot delete Pods that declare no controller (use --force to override): default/d",
                "cannot delete unexpected error: default/e"
            ]
        );
        let names: Vec<_> = l
            .pods()
            .iter()
            .map(|p| p["metadata"]["name"].clone())
            .collect();
        assert_eq!(names, vec![json!("b")]);
    }

    #[test]
    fn local_storage_and_unmanaged() {
        let pod = json!({"spec": {"volumes": [{"name": "x", "emptyDir": {}}]}, "status": {"phase": "Running"}});
        let mut o = FilterOptions::default();
        assert_eq!(
            local_storage(&pod, &o),
            Status::Error(LOCAL_STORAGE_FATAL.into())
        );
        o.delete_emptydir_data = true;
        assert!(local_storage(&pod, &o).deletes());
        assert_eq!(
            unreplicated(&pod, &o),
            Status::Error(UNMANAGED_FATAL.into())
        );
        o.force = true;
        assert!(unreplicated(&pod, &o).deletes());
        let done = json!({"status": {"phase": "Succeeded"}});
        assert_eq!(unreplicated(&done, &FilterOptions::default()), Status::Okay);
    }
}

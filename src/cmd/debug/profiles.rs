//! `kubectl debug --profile` (kubectl `pkg/cmd/debug/profiles.go`): what each built-in
//! profile changes in the debugging pod, per debugging style (ephemeral container, pod copy,
//! node), plus the `--keep-*` flags that decide what a pod copy keeps of the original.

use serde_json::{json, Value};

/// The profiles `--profile` accepts (v1.36 defaults to `general`; `legacy` is deprecated).
pub const PROFILE_LEGACY: &str = "legacy";
pub const PROFILE_GENERAL: &str = "general";

/// How the debugging pod relates to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// An ephemeral container added to the target pod.
    Ephemeral,
    /// A copy of the target pod.
    PodCopy,
    /// A new pod on the target node.
    Node,
}

/// What a pod copy keeps of the original (`KeepFlags`).
#[derive(Debug, Clone, Copy, Default)]
pub struct KeepFlags {
    pub labels: bool,
    pub annotations: bool,
    pub liveness: bool,
    pub readiness: bool,
    pub startup: bool,
    pub init_containers: bool,
}

/// A built-in profile (`NewProfileApplier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Legacy,
    General,
    Baseline,
    Restricted,
    Netadmin,
    Sysadmin,
}

impl Profile {
    /// The profile of that name, or kubectl's `unknown profile: X`.
    pub fn parse(name: &str) -> Result<Profile, String> {
        Ok(match name {
            "legacy" => Profile::Legacy,
            "general" => Profile::General,
            "baseline" => Profile::Baseline,
            "restricted" => Profile::Restricted,
            "netadmin" => Profile::Netadmin,
            "sysadmin" => Profile::Sysadmin,
            _ => return Err(format!("unknown profile: {name}")),
        })
    }

    /// `Apply`: changes `pod` for the debugging container `container`.
    pub fn apply(self, pod: &mut Value, container: &str, style: Style, keep: KeepFlags) {
        let copy_common = |pod: &mut Value, keep: KeepFlags| {
            remove_labels(pod, keep);
            remove_annotations(pod, keep);
            remove_probes(pod, keep);
            remove_init_containers(pod, keep);
        };
        match self {
            Profile::Legacy => match style {
                Style::Node => {
                    mount_root_partition(pod, container);
                    use_host_namespaces(pod);
                }
                Style::PodCopy => remove_labels(
                    pod,
                    KeepFlags {
                        labels: false,
                        ..keep
                    },
                ),
                Style::Ephemeral => {}
            },
            Profile::General => match style {
                Style::Node => {
                    mount_root_partition(pod, container);
                    clear_security_context(pod, container);
                    use_host_namespaces(pod);
                }
                Style::PodCopy => {
                    copy_common(pod, keep);
                    add_capabilities(pod, container, &["SYS_PTRACE"]);
                    share_process_namespace(pod);
                }
                Style::Ephemeral => add_capabilities(pod, container, &["SYS_PTRACE"]),
            },
            Profile::Baseline => {
                clear_security_context(pod, container);
                if style == Style::PodCopy {
                    copy_common(pod, keep);
                    share_process_namespace(pod);
                }
            }
            Profile::Restricted => {
                clear_security_context(pod, container);
                with_security_context(pod, container, |sc| {
                    sc["runAsNonRoot"] = json!(true);
                });
                with_security_context(pod, container, |sc| {
                    sc["capabilities"]["drop"] = json!(["ALL"]);
                    if let Some(c) = sc["capabilities"].as_object_mut() {
                        c.remove("add");
                    }
                });
                with_security_context(pod, container, |sc| {
                    sc["allowPrivilegeEscalation"] = json!(false);
                });
                with_security_context(pod, container, |sc| {
                    sc["seccompProfile"] = json!({"type": "RuntimeDefault"});
                });
                if style == Style::PodCopy {
                    copy_common(pod, keep);
                    share_process_namespace(pod);
                }
            }
            Profile::Netadmin => {
                add_capabilities(pod, container, &["NET_ADMIN", "NET_RAW"]);
                match style {
                    Style::Node => use_host_namespaces(pod),
                    Style::PodCopy => {
                        copy_common(pod, keep);
                        share_process_namespace(pod);
                    }
                    Style::Ephemeral => {}
                }
            }
            Profile::Sysadmin => {
                with_security_context(pod, container, |sc| {
                    sc["privileged"] = json!(true);
                });
                match style {
                    Style::Node => {
                        use_host_namespaces(pod);
                        mount_root_partition(pod, container);
                    }
                    Style::PodCopy => {
                        copy_common(pod, keep);
                        share_process_namespace(pod);
                    }
                    Style::Ephemeral => {}
                }
            }
        }
    }
}

fn remove_labels(pod: &mut Value, keep: KeepFlags) {
    if !keep.labels {
        if let Some(m) = pod["metadata"].as_object_mut() {
            m.remove("labels");
        }
    }
}

fn remove_annotations(pod: &mut Value, keep: KeepFlags) {
    if !keep.annotations {
        if let Some(m) = pod["metadata"].as_object_mut() {
            m.remove("annotations");
        }
    }
}

fn remove_probes(pod: &mut Value, keep: KeepFlags) {
    let Some(list) = pod["spec"]["containers"].as_array_mut() else {
        return;
    };
    for c in list {
        let Some(c) = c.as_object_mut() else { continue };
        for (probe, kept) in [
            ("livenessProbe", keep.liveness),
            ("readinessProbe", keep.readiness),
            ("startupProbe", keep.startup),
        ] {
            if !kept {
                c.remove(probe);
            }
        }
    }
}

fn remove_init_containers(pod: &mut Value, keep: KeepFlags) {
    if !keep.init_containers {
        if let Some(m) = pod["spec"].as_object_mut() {
            m.remove("initContainers");
        }
    }
}

/// `podutils.VisitContainers` with `AllContainers` (init, regular, ephemeral), stopping at
/// the first container named `name`.
fn container_mut<'a>(pod: &'a mut Value, name: &str, lists: &[&str]) -> Option<&'a mut Value> {
    let spec = pod.get_mut("spec")?;
    let list = lists.iter().copied().find(|l| {
        spec[*l]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["name"] == name))
    })?;
    spec[list]
        .as_array_mut()?
        .iter_mut()
        .find(|c| c["name"] == name)
}

const ALL: &[&str] = &["initContainers", "containers", "ephemeralContainers"];

/// Runs `f` on the container's securityContext, created when missing.
fn with_security_context(pod: &mut Value, name: &str, f: impl FnOnce(&mut Value)) {
    if let Some(c) = container_mut(pod, name, ALL) {
        if !c["securityContext"].is_object() {
            c["securityContext"] = json!({});
        }
        f(&mut c["securityContext"]);
    }
}

fn clear_security_context(pod: &mut Value, name: &str) {
    if let Some(c) = container_mut(pod, name, ALL).and_then(Value::as_object_mut) {
        c.remove("securityContext");
    }
}

/// `addCapability` for each capability, in order.
fn add_capabilities(pod: &mut Value, name: &str, caps: &[&str]) {
    with_security_context(pod, name, |sc| {
        if !sc["capabilities"].is_object() {
            sc["capabilities"] = json!({});
        }
        let mut add = sc["capabilities"]["add"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        add.extend(caps.iter().map(|c| json!(c)));
        sc["capabilities"]["add"] = Value::Array(add);
    });
}

/// `mountRootPartition`: the host's `/` as volume `host-root`, mounted at `/host` in the
/// (regular) container.
fn mount_root_partition(pod: &mut Value, name: &str) {
    let mut volumes = pod["spec"]["volumes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    volumes.push(json!({"name": "host-root", "hostPath": {"path": "/"}}));
    pod["spec"]["volumes"] = Value::Array(volumes);
    if let Some(c) = container_mut(pod, name, &["containers"]) {
        let mut mounts = c["volumeMounts"].as_array().cloned().unwrap_or_default();
        mounts.push(json!({"name": "host-root", "mountPath": "/host"}));
        c["volumeMounts"] = Value::Array(mounts);
    }
}

fn use_host_namespaces(pod: &mut Value) {
    pod["spec"]["hostNetwork"] = json!(true);
    pod["spec"]["hostPID"] = json!(true);
    pod["spec"]["hostIPC"] = json!(true);
}

fn share_process_namespace(pod: &mut Value) {
    if pod["spec"]["shareProcessNamespace"].is_null() {
        pod["spec"]["shareProcessNamespace"] = json!(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> Value {
        json!({"metadata": {"name": "p", "labels": {"a": "b"}, "annotations": {"x": "y"}},
            "spec": {"initContainers": [{"name": "i", "image": "busybox"}],
                "containers": [{"name": "c", "image": "nginx",
                    "livenessProbe": {"exec": {"command": ["true"]}},
                    "securityContext": {"runAsUser": 1000}}]}})
    }

    #[test]
    fn unknown_profiles_are_refused_with_kubectls_words() {
        assert_eq!(Profile::parse("x"), Err("unknown profile: x".to_string()));
        assert_eq!(Profile::parse("sysadmin"), Ok(Profile::Sysadmin));
    }

    #[test]
    fn general_copy_drops_what_is_not_kept_and_allows_tracing() {
        let mut p = pod();
        let keep = KeepFlags {
            annotations: true,
            ..KeepFlags::default()
        };
        Profile::General.apply(&mut p, "c", Style::PodCopy, keep);
        assert!(p["metadata"]["labels"].is_null());
        assert_eq!(p["metadata"]["annotations"]["x"], "y");
        assert!(p["spec"]["initContainers"].is_null());
        let c = &p["spec"]["containers"][0];
        assert!(c["livenessProbe"].is_null());
        assert_eq!(
            c["securityContext"]["capabilities"]["add"],
            json!(["SYS_PTRACE"])
        );
        assert_eq!(c["securityContext"]["runAsUser"], 1000);
        assert_eq!(p["spec"]["shareProcessNamespace"], true);
    }

    #[test]
    fn restricted_replaces_the_security_context() {
        let mut p = pod();
        Profile::Restricted.apply(&mut p, "c", Style::Ephemeral, KeepFlags::default());
        assert_eq!(
            p["spec"]["containers"][0]["securityContext"],
            json!({"runAsNonRoot": true, "capabilities": {"drop": ["ALL"]},
                "allowPrivilegeEscalation": false, "seccompProfile": {"type": "RuntimeDefault"}})
        );
    }

    #[test]
    fn node_profiles_use_the_host() {
        let mut p = json!({"spec": {"containers": [{"name": "debugger", "image": "busybox"}]}});
        Profile::Sysadmin.apply(&mut p, "debugger", Style::Node, KeepFlags::default());
        assert_eq!(p["spec"]["hostPID"], true);
        assert_eq!(
            p["spec"]["volumes"],
            json!([{"name": "host-root", "hostPath": {"path": "/"}}])
        );
        let c = &p["spec"]["containers"][0];
        assert_eq!(
            c["volumeMounts"],
            json!([{"name": "host-root", "mountPath": "/host"}])
        );
        assert_eq!(c["securityContext"], json!({"privileged": true}));
        let mut b = json!({"spec": {"containers": [{"name": "d", "securityContext": {"privileged": true}}]}});
        Profile::Baseline.apply(&mut b, "d", Style::Node, KeepFlags::default());
        assert!(b["spec"]["hostPID"].is_null());
        assert!(b["spec"]["containers"][0]["securityContext"].is_null());
    }
}

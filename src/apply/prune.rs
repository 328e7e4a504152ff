//! What `apply --prune` and `diff --prune` share (kubectl `pkg/util/prune/prune.go`).

/// kubectl's default prune allowlist (`pkg/util/prune/prune.go`): namespaced kinds, then
/// cluster-scoped ones, in kubectl's order (group, version, kind, namespaced).
pub const DEFAULT_PRUNE: &[(&str, &str, &str, bool)] = &[
    ("", "v1", "ConfigMap", true),
    ("", "v1", "Endpoints", true),
    ("", "v1", "PersistentVolumeClaim", true),
    ("", "v1", "Pod", true),
    ("", "v1", "ReplicationController", true),
    ("", "v1", "Secret", true),
    ("", "v1", "Service", true),
    ("batch", "v1", "Job", true),
    ("batch", "v1", "CronJob", true),
    ("networking.k8s.io", "v1", "Ingress", true),
    ("apps", "v1", "DaemonSet", true),
    ("apps", "v1", "Deployment", true),
    ("apps", "v1", "ReplicaSet", true),
    ("apps", "v1", "StatefulSet", true),
    ("", "v1", "Namespace", false),
    ("", "v1", "PersistentVolume", false),
];

/// The klog warning `GetRESTMappings` prints when the default allowlist is used with a
/// namespace in effect (always, in kubectl's commands: their namespace is never empty).
pub fn namespaced_default_warning() -> String {
    let now = chrono::Local::now();
    format!(
        "W{} {:>7} prune.go:71] Deprecated: kubectl apply will no longer prune non-namespaced resources by default when used with the --namespace flag in a future release. To preserve the current behaviour, list the resources you want to target explicitly in the --prune-allowlist flag.\n",
        now.format("%m%d %H:%M:%S%.6f"),
        std::process::id()
    )
}

//! Go struct field order of the typed objects kubectl prints. kubectl's JSON printer writes a
//! typed object (what `create deployment` builds, what `rollout restart` decodes) in struct
//! order, but an unstructured one (`get`, `patch`, `label`) with sorted keys; this table serves
//! the first kind through [`super::json::to_go_json_ordered`].

/// HorizontalPodAutoscaler (autoscaling/v1 and v2), PodDisruptionBudget and PriorityClass.
fn policy_order(kind: &str, path: &[&str]) -> Option<&'static [&'static str]> {
    const METRIC: &[&str] = &[
        "type",
        "object",
        "pods",
        "resource",
        "containerResource",
        "external",
    ];
    const RULES: &[&str] = &[
        "stabilizationWindowSeconds",
        "selectPolicy",
        "policies",
        "tolerance",
    ];
    Some(match (kind, path) {
        ("HorizontalPodAutoscaler", ["spec"]) => &[
            "scaleTargetRef",
            "minReplicas",
            "maxReplicas",
            "targetCPUUtilizationPercentage",
            "metrics",
            "behavior",
        ],
        ("HorizontalPodAutoscaler", ["spec", "scaleTargetRef"] | [.., "describedObject"]) => {
            &["kind", "name", "apiVersion"]
        }
        ("HorizontalPodAutoscaler", ["spec", "metrics"] | ["status", "currentMetrics"]) => METRIC,
        ("HorizontalPodAutoscaler", ["spec", "metrics", "object"]) => {
            &["describedObject", "target", "metric"]
        }
        ("HorizontalPodAutoscaler", ["spec", "metrics", "containerResource"]) => {
            &["name", "target", "container"]
        }
        ("HorizontalPodAutoscaler", ["spec", "metrics", _, "target"]) => {
            &["type", "value", "averageValue", "averageUtilization"]
        }
        ("HorizontalPodAutoscaler", ["spec", "metrics", _]) => &["name", "metric", "target"],
        ("HorizontalPodAutoscaler", [.., "metric"]) => &["name", "selector"],
        ("HorizontalPodAutoscaler", ["status", "currentMetrics", _]) => {
            &["name", "metric", "current", "describedObject", "container"]
        }
        ("HorizontalPodAutoscaler", ["status", "currentMetrics", _, "current"]) => {
            &["value", "averageValue", "averageUtilization"]
        }
        ("HorizontalPodAutoscaler", ["spec", "behavior"]) => &["scaleUp", "scaleDown"],
        ("HorizontalPodAutoscaler", ["spec", "behavior", _]) => RULES,
        ("HorizontalPodAutoscaler", ["spec", "behavior", _, "policies"]) => {
            &["type", "value", "periodSeconds"]
        }
        ("HorizontalPodAutoscaler", ["status"]) => &[
            "observedGeneration",
            "lastScaleTime",
            "currentReplicas",
            "desiredReplicas",
            "currentCPUUtilizationPercentage",
            "currentMetrics",
            "conditions",
        ],
        ("HorizontalPodAutoscaler", ["status", "conditions"]) => {
            &["type", "status", "lastTransitionTime", "reason", "message"]
        }
        ("PodDisruptionBudget", ["spec"]) => &[
            "minAvailable",
            "selector",
            "maxUnavailable",
            "unhealthyPodEvictionPolicy",
        ],
        ("PodDisruptionBudget", ["status"]) => &[
            "observedGeneration",
            "disruptedPods",
            "disruptionsAllowed",
            "currentHealthy",
            "desiredHealthy",
            "expectedPods",
            "conditions",
        ],
        ("PriorityClass", []) => &[
            "kind",
            "apiVersion",
            "metadata",
            "value",
            "globalDefault",
            "description",
            "preemptionPolicy",
        ],
        _ => return None,
    })
}

/// The Go struct field order of the object of `kind` at `path` (keys from the root, list
/// indices left out); None: sorted.
pub fn field_order(kind: &str, path: &[&str]) -> Option<&'static [&'static str]> {
    // A typed list (`NodeList`): its own fields, then each item as its kind.
    if let Some(item) = kind.strip_suffix("List").filter(|k| !k.is_empty()) {
        match path {
            [] => return Some(&["kind", "apiVersion", "metadata", "items"]),
            ["metadata"] => {
                return Some(&[
                    "selfLink",
                    "resourceVersion",
                    "continue",
                    "remainingItemCount",
                ])
            }
            ["items", rest @ ..] => return field_order(item, rest),
            _ => {}
        }
    }
    if kind == "Pod" {
        if let Some(order) = pod_status_order(path) {
            return Some(order);
        }
    }
    if kind == "Node" {
        if let Some(order) = node_order(path) {
            return Some(order);
        }
    }
    if kind == "Preference" {
        return preference_order(path);
    }
    const OBJECT: &[&str] = &[
        "kind",
        "apiVersion",
        "metadata",
        "spec",
        "immutable",
        "data",
        "stringData",
        "binaryData",
        "type",
        "secrets",
        "imagePullSecrets",
        "automountServiceAccountToken",
        "status",
    ];
    const META: &[&str] = &[
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    ];
    const EVENT: &[&str] = &[
        "kind",
        "apiVersion",
        "metadata",
        "involvedObject",
        "reason",
        "message",
        "source",
        "firstTimestamp",
        "lastTimestamp",
        "count",
        "type",
        "eventTime",
        "series",
        "action",
        "related",
        "reportingComponent",
        "reportingInstance",
    ];
    const OBJECT_REFERENCE: &[&str] = &[
        "kind",
        "namespace",
        "name",
        "uid",
        "apiVersion",
        "resourceVersion",
        "fieldPath",
    ];
    const MANAGED: &[&str] = &[
        "manager",
        "operation",
        "apiVersion",
        "time",
        "fieldsType",
        "fieldsV1",
        "subresource",
    ];
    const DEPLOYMENT_SPEC: &[&str] = &[
        "replicas",
        "selector",
        "template",
        "strategy",
        "minReadySeconds",
        "revisionHistoryLimit",
        "paused",
        "progressDeadlineSeconds",
    ];
    const POD_SPEC: &[&str] = &[
        "volumes",
        "initContainers",
        "containers",
        "ephemeralContainers",
        "restartPolicy",
        "terminationGracePeriodSeconds",
        "activeDeadlineSeconds",
        "dnsPolicy",
        "nodeSelector",
        "serviceAccountName",
        "serviceAccount",
        "automountServiceAccountToken",
        "nodeName",
        "hostNetwork",
        "hostPID",
        "hostIPC",
        "shareProcessNamespace",
        "securityContext",
        "imagePullSecrets",
        "hostname",
        "subdomain",
        "affinity",
        "schedulerName",
        "tolerations",
        "hostAliases",
        "priorityClassName",
        "priority",
        "dnsConfig",
        "readinessGates",
        "runtimeClassName",
        "enableServiceLinks",
        "preemptionPolicy",
        "overhead",
        "topologySpreadConstraints",
        "setHostnameAsFQDN",
        "os",
        "hostUsers",
        "schedulingGates",
        "resourceClaims",
        "resources",
        "hostnameOverride",
    ];
    const CONTAINER: &[&str] = &[
        "name",
        "image",
        "command",
        "args",
        "workingDir",
        "ports",
        "envFrom",
        "env",
        "resources",
        "resizePolicy",
        "restartPolicy",
        "restartPolicyRules",
        "volumeMounts",
        "volumeDevices",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "lifecycle",
        "terminationMessagePath",
        "terminationMessagePolicy",
        "imagePullPolicy",
        "securityContext",
        "stdin",
        "stdinOnce",
        "tty",
    ];
    const DEPLOYMENT_STATUS: &[&str] = &[
        "observedGeneration",
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
        "unavailableReplicas",
        "terminatingReplicas",
        "conditions",
        "collisionCount",
    ];
    const CONDITION: &[&str] = &[
        "type",
        "status",
        "lastUpdateTime",
        "lastTransitionTime",
        "reason",
        "message",
    ];
    const JOB_SPEC: &[&str] = &[
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "podFailurePolicy",
        "successPolicy",
        "backoffLimit",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
        "selector",
        "manualSelector",
        "template",
        "ttlSecondsAfterFinished",
        "completionMode",
        "suspend",
        "podReplacementPolicy",
        "managedBy",
    ];
    const CRONJOB_SPEC: &[&str] = &[
        "schedule",
        "timeZone",
        "startingDeadlineSeconds",
        "concurrencyPolicy",
        "suspend",
        "jobTemplate",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    ];
    const JOB_STATUS: &[&str] = &[
        "conditions",
        "startTime",
        "completionTime",
        "active",
        "succeeded",
        "failed",
        "terminating",
        "completedIndexes",
        "failedIndexes",
        "uncountedTerminatedPods",
        "ready",
    ];
    const OWNER: &[&str] = &[
        "apiVersion",
        "kind",
        "name",
        "uid",
        "controller",
        "blockOwnerDeletion",
    ];
    const DAEMONSET_STATUS: &[&str] = &[
        "currentNumberScheduled",
        "numberMisscheduled",
        "desiredNumberScheduled",
        "numberReady",
        "observedGeneration",
        "updatedNumberScheduled",
        "numberAvailable",
        "numberUnavailable",
        "collisionCount",
        "conditions",
    ];
    const STATEFULSET_SPEC: &[&str] = &[
        "replicas",
        "selector",
        "template",
        "volumeClaimTemplates",
        "serviceName",
        "podManagementPolicy",
        "updateStrategy",
        "revisionHistoryLimit",
        "minReadySeconds",
        "persistentVolumeClaimRetentionPolicy",
        "ordinals",
    ];
    const STATEFULSET_STATUS: &[&str] = &[
        "observedGeneration",
        "replicas",
        "readyReplicas",
        "currentReplicas",
        "updatedReplicas",
        "currentRevision",
        "updateRevision",
        "collisionCount",
        "conditions",
        "availableReplicas",
    ];
    const REPLICASET_STATUS: &[&str] = &[
        "replicas",
        "fullyLabeledReplicas",
        "readyReplicas",
        "availableReplicas",
        "terminatingReplicas",
        "observedGeneration",
        "conditions",
    ];
    // A Volume: its name, then the inlined VolumeSource's fields.
    const VOLUME: &[&str] = &[
        "name",
        "hostPath",
        "emptyDir",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "secret",
        "nfs",
        "iscsi",
        "glusterfs",
        "persistentVolumeClaim",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "downwardAPI",
        "fc",
        "azureFile",
        "configMap",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "projected",
        "portworxVolume",
        "scaleIO",
        "storageos",
        "csi",
        "ephemeral",
        "image",
    ];
    const PROBE: &[&str] = &[
        "exec",
        "httpGet",
        "tcpSocket",
        "grpc",
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
        "terminationGracePeriodSeconds",
    ];
    const SERVICE_SPEC: &[&str] = &[
        "ports",
        "selector",
        "clusterIP",
        "clusterIPs",
        "type",
        "externalIPs",
        "sessionAffinity",
        "loadBalancerIP",
        "loadBalancerSourceRanges",
        "externalName",
        "externalTrafficPolicy",
        "healthCheckNodePort",
        "publishNotReadyAddresses",
        "sessionAffinityConfig",
        "ipFamilies",
        "ipFamilyPolicy",
        "allocateLoadBalancerNodePorts",
        "loadBalancerClass",
        "internalTrafficPolicy",
        "trafficDistribution",
    ];
    const VOLUME_MOUNT: &[&str] = &[
        "name",
        "readOnly",
        "recursiveReadOnly",
        "mountPath",
        "subPath",
        "mountPropagation",
        "subPathExpr",
    ];
    if let Some(order) = policy_order(kind, path) {
        return Some(order);
    }
    match (kind, path) {
        ("Service", ["spec"]) => return Some(SERVICE_SPEC),
        ("Service", ["spec", "ports"]) => {
            return Some(&[
                "name",
                "protocol",
                "appProtocol",
                "port",
                "targetPort",
                "nodePort",
            ])
        }
        ("Service", ["status"]) => return Some(&["loadBalancer", "conditions"]),
        ("Pod", ["spec"]) => return Some(POD_SPEC),
        ("Role" | "ClusterRole", []) => {
            return Some(&["kind", "apiVersion", "metadata", "rules", "aggregationRule"])
        }
        ("Role" | "ClusterRole", ["rules"]) => {
            return Some(&[
                "verbs",
                "apiGroups",
                "resources",
                "resourceNames",
                "nonResourceURLs",
            ])
        }
        ("RoleBinding" | "ClusterRoleBinding", []) => {
            return Some(&["kind", "apiVersion", "metadata", "subjects", "roleRef"])
        }
        ("RoleBinding" | "ClusterRoleBinding", ["subjects"]) => {
            return Some(&["kind", "apiGroup", "name", "namespace"])
        }
        ("RoleBinding" | "ClusterRoleBinding", ["roleRef"]) => {
            return Some(&["apiGroup", "kind", "name"])
        }
        ("ClusterRole", ["aggregationRule"]) => return Some(&["clusterRoleSelectors"]),
        // authentication/v1 UserInfo (what `auth whoami -o json` prints).
        ("SelfSubjectReview", ["status", "userInfo"]) => {
            return Some(&["username", "uid", "groups", "extra"])
        }
        ("Ingress", ["spec"]) => {
            return Some(&["ingressClassName", "defaultBackend", "tls", "rules"])
        }
        ("Ingress", ["spec", "tls"]) => return Some(&["hosts", "secretName"]),
        ("Ingress", ["spec", "rules"]) => return Some(&["host", "http"]),
        ("Ingress", ["spec", "rules", "http", "paths"]) => {
            return Some(&["path", "pathType", "backend"])
        }
        ("Ingress", [.., "defaultBackend" | "backend"]) => return Some(&["service", "resource"]),
        ("Ingress", [.., "backend" | "defaultBackend", "service"]) => {
            return Some(&["name", "port"])
        }
        ("Ingress", [.., "service", "port"]) => return Some(&["name", "number"]),
        ("TokenRequest", ["spec"]) => {
            return Some(&["audiences", "expirationSeconds", "boundObjectRef"])
        }
        ("TokenRequest", ["spec", "boundObjectRef"]) => {
            return Some(&["kind", "apiVersion", "name", "uid"])
        }
        ("TokenRequest", ["status"]) => return Some(&["token", "expirationTimestamp"]),
        ("ResourceQuota", ["spec"]) => return Some(&["hard", "scopes", "scopeSelector"]),
        ("ResourceQuota", ["status"]) => return Some(&["hard", "used"]),
        ("ControllerRevision", []) => {
            return Some(&["kind", "apiVersion", "metadata", "data", "revision"])
        }
        ("DaemonSet", ["spec"]) => {
            return Some(&[
                "selector",
                "template",
                "updateStrategy",
                "minReadySeconds",
                "revisionHistoryLimit",
            ])
        }
        ("DaemonSet", ["status"]) => return Some(DAEMONSET_STATUS),
        ("StatefulSet", ["spec"]) => return Some(STATEFULSET_SPEC),
        ("StatefulSet", ["status"]) => return Some(STATEFULSET_STATUS),
        ("StatefulSet", ["spec", "updateStrategy", "rollingUpdate"]) => {
            return Some(&["partition", "maxUnavailable"])
        }
        ("StatefulSet", ["spec", "persistentVolumeClaimRetentionPolicy"]) => {
            return Some(&["whenDeleted", "whenScaled"])
        }
        // core/v1 Event and EventList (what `kubectl events` decodes).
        ("EventList", []) => return Some(&["kind", "apiVersion", "metadata", "items"]),
        ("EventList", ["items"]) | ("Event", []) => return Some(EVENT),
        ("EventList", ["items", "involvedObject"]) | ("Event", ["involvedObject"]) => {
            return Some(OBJECT_REFERENCE)
        }
        ("EventList", ["items", "source"]) | ("Event", ["source"]) => {
            return Some(&["component", "host"])
        }
        ("EventList", ["items", "series"]) | ("Event", ["series"]) => {
            return Some(&["count", "lastObservedTime"])
        }
        ("ReplicaSet", ["spec"]) => {
            return Some(&["replicas", "minReadySeconds", "selector", "template"])
        }
        ("ReplicaSet", ["status"]) => return Some(REPLICASET_STATUS),
        (_, ["spec", "updateStrategy"]) => return Some(&["type", "rollingUpdate"]),
        (_, ["spec", "updateStrategy", "rollingUpdate"]) => {
            return Some(&["maxUnavailable", "maxSurge"])
        }
        (_, [.., "livenessProbe" | "readinessProbe" | "startupProbe"]) => return Some(PROBE),
        (_, [.., "httpGet"]) => return Some(&["path", "port", "host", "scheme", "httpHeaders"]),
        (_, [.., "volumeMounts"]) => return Some(VOLUME_MOUNT),
        (_, [.., "env"]) => return Some(&["name", "value", "valueFrom"]),
        (_, [.., "env", "valueFrom"]) => {
            return Some(&[
                "fieldRef",
                "resourceFieldRef",
                "configMapKeyRef",
                "secretKeyRef",
                "fileKeyRef",
            ])
        }
        (_, [.., "configMapKeyRef" | "secretKeyRef"]) => return Some(&["name", "key", "optional"]),
        (_, [.., "tolerations"]) => {
            return Some(&["key", "operator", "value", "effect", "tolerationSeconds"])
        }
        (_, [.., "hostPath"]) => return Some(&["path", "type"]),
        (_, [.., "volumes"]) => return Some(VOLUME),
        (_, [.., "initContainers" | "ephemeralContainers"]) => return Some(CONTAINER),
        (_, [.., "volumes", "projected"]) => return Some(&["sources", "defaultMode"]),
        (_, [.., "sources", "configMap" | "secret"]) => {
            return Some(&["name", "items", "optional"])
        }
        (_, [.., "volumes", "configMap"]) => {
            return Some(&["name", "items", "defaultMode", "optional"])
        }
        (_, [.., "downwardAPI"]) => return Some(&["items", "defaultMode"]),
        (_, [.., "downwardAPI", "items"]) => {
            return Some(&["path", "fieldRef", "resourceFieldRef", "mode"])
        }
        (_, [.., "configMap" | "secret", "items"]) => return Some(&["key", "path", "mode"]),
        (_, [.., "fieldRef"]) => return Some(&["apiVersion", "fieldPath"]),
        (_, [.., "serviceAccountToken"]) => {
            return Some(&["audience", "expirationSeconds", "path"])
        }
        ("Job", ["spec"]) | ("CronJob", ["spec", "jobTemplate", "spec"]) => return Some(JOB_SPEC),
        ("Job", ["status"]) => return Some(JOB_STATUS),
        ("CronJob", ["spec"]) => return Some(CRONJOB_SPEC),
        ("CronJob", ["status"]) => {
            return Some(&["active", "lastScheduleTime", "lastSuccessfulTime"])
        }
        ("CronJob", ["spec", "jobTemplate"]) => return Some(&["metadata", "spec"]),
        (_, [.., "template", "spec"]) => return Some(POD_SPEC),
        (_, [.., "template"]) => return Some(&["metadata", "spec"]),
        (_, [.., "ownerReferences"]) => return Some(OWNER),
        _ => {}
    }
    Some(match path {
        [] => OBJECT,
        [.., "metadata"] => META,
        [.., "managedFields"] => MANAGED,
        ["spec"] => DEPLOYMENT_SPEC,
        ["spec", "selector"] => &["matchLabels", "matchExpressions"],
        ["spec", "strategy"] => &["type", "rollingUpdate"],
        ["spec", "strategy", "rollingUpdate"] => &["maxUnavailable", "maxSurge"],
        ["spec", "template"] => &["metadata", "spec"],
        ["spec", "template", "spec"] => POD_SPEC,
        [.., "containers"] => CONTAINER,
        [.., "ports"] => &["name", "hostPort", "containerPort", "protocol", "hostIP"],
        [.., "resources"] => &["limits", "requests", "claims"],
        ["status"] => DEPLOYMENT_STATUS,
        ["status", "conditions"] => CONDITION,
        _ => return None,
    })
}

/// core/v1 NodeSpec, NodeStatus and what they hold (v1.36).
fn node_order(path: &[&str]) -> Option<&'static [&'static str]> {
    Some(match path {
        ["spec"] => &[
            "podCIDR",
            "podCIDRs",
            "providerID",
            "unschedulable",
            "taints",
            "configSource",
            "externalID",
        ],
        ["spec", "taints"] => &["key", "value", "effect", "timeAdded"],
        ["status"] => &[
            "capacity",
            "allocatable",
            "phase",
            "conditions",
            "addresses",
            "daemonEndpoints",
            "nodeInfo",
            "images",
            "volumesInUse",
            "volumesAttached",
            "config",
            "runtimeHandlers",
            "features",
            "declaredFeatures",
        ],
        ["status", "conditions"] => &[
            "type",
            "status",
            "lastHeartbeatTime",
            "lastTransitionTime",
            "reason",
            "message",
        ],
        ["status", "addresses"] => &["type", "address"],
        ["status", "nodeInfo"] => &[
            "machineID",
            "systemUUID",
            "bootID",
            "kernelVersion",
            "osImage",
            "containerRuntimeVersion",
            "kubeletVersion",
            "kubeProxyVersion",
            "operatingSystem",
            "architecture",
            "swap",
        ],
        ["status", "images"] => &["names", "sizeBytes"],
        ["status", "runtimeHandlers"] => &["name", "features"],
        ["status", "runtimeHandlers", "features"] => &["recursiveReadOnlyMounts", "userNamespaces"],
        _ => return None,
    })
}

/// core/v1 PodStatus and what it holds (v1.36).
fn pod_status_order(path: &[&str]) -> Option<&'static [&'static str]> {
    const STATUSES: &[&str] = &[
        "name",
        "state",
        "lastState",
        "ready",
        "restartCount",
        "image",
        "imageID",
        "containerID",
        "started",
        "allocatedResources",
        "resources",
        "volumeMounts",
        "user",
        "allocatedResourcesStatus",
        "stopSignal",
    ];
    Some(match path {
        ["status"] => &[
            "observedGeneration",
            "phase",
            "conditions",
            "message",
            "reason",
            "nominatedNodeName",
            "hostIP",
            "hostIPs",
            "podIP",
            "podIPs",
            "startTime",
            "initContainerStatuses",
            "containerStatuses",
            "qosClass",
            "ephemeralContainerStatuses",
            "resize",
            "resourceClaimStatuses",
            "extendedResourceClaimStatus",
        ],
        ["status", "conditions"] => &[
            "type",
            "observedGeneration",
            "status",
            "lastProbeTime",
            "lastTransitionTime",
            "reason",
            "message",
        ],
        ["status", s] if s.ends_with("ontainerStatuses") => STATUSES,
        ["status", s, "state" | "lastState"] if s.ends_with("ontainerStatuses") => {
            &["waiting", "running", "terminated"]
        }
        ["status", s, "state" | "lastState", "waiting"] if s.ends_with("ontainerStatuses") => {
            &["reason", "message"]
        }
        ["status", s, "state" | "lastState", "terminated"] if s.ends_with("ontainerStatuses") => &[
            "exitCode",
            "signal",
            "reason",
            "message",
            "startedAt",
            "finishedAt",
            "containerID",
        ],
        ["status", s, "volumeMounts"] if s.ends_with("ontainerStatuses") => {
            &["name", "mountPath", "readOnly", "recursiveReadOnly"]
        }
        _ => return None,
    })
}

/// kubectl's `config/v1beta1.Preference` (`kuberc view -o json`).
fn preference_order(path: &[&str]) -> Option<&'static [&'static str]> {
    Some(match path {
        [] => &[
            "kind",
            "apiVersion",
            "defaults",
            "aliases",
            "credentialPluginPolicy",
            "credentialPluginAllowlist",
        ],
        ["defaults"] => &["command", "options"],
        ["aliases"] => &["name", "command", "prependArgs", "appendArgs", "options"],
        ["defaults", "options"] | ["aliases", "options"] => &["name", "default"],
        ["credentialPluginAllowlist"] => &["name", "command"],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::json::to_go_json_ordered;
    use serde_json::json;

    #[test]
    fn json_in_struct_order() {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "strategy": {},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"resources": {}, "name": "n", "image": "nginx"}]}}},
            "status": {}});
        let text = to_go_json_ordered(&d, "", &|p: &[&str]| field_order("Deployment", p));
        assert_eq!(
            text,
            r#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"n","image":"nginx","resources":{}}]}},"strategy":{}},"status":{}}"#
        );
    }
}

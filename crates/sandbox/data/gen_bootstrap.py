#!/usr/bin/env python3
"""Derives bootstrap.json (the objects a fresh kube-apiserver v1.36 creates for itself) from
`kubectl get RESOURCE -A -o json` dumps of a real, freshly started v1.36 control plane.

Usage: gen_bootstrap.py DUMP_DIR > bootstrap.json
DUMP_DIR holds clusterroles.json, clusterrolebindings.json, roles.json, rolebindings.json,
flowschemas.json, prioritylevelconfigurations.json, priorityclasses.json,
serviceaccounts.json (kube-system's), apiservices.json and servicecidrs.json.

Kept: the RBAC bootstrap policy (everything labelled kubernetes.io/bootstrapping=rbac-defaults),
the API Priority and Fairness defaults (FlowSchemas and PriorityLevelConfigurations that the
apiserver maintains: annotation apf.kubernetes.io/autoupdate-spec) and the system PriorityClasses
(system-cluster-critical, system-node-critical), and the service accounts
kube-controller-manager creates in kube-system for its controllers
(--use-service-account-credentials), the Local APIServices kube-aggregator registers for every
served group version, and the default ServiceCIDR. Dropped: what the sandbox's store assigns
(uid, resourceVersion, creationTimestamp, managedFields). The rules of aggregated ClusterRoles
are not part of the bootstrap policy (the aggregation controller computes them); they go to
the second output, `bootstrap-aggregated.json` next to this script, which the sandbox's unit
test compares its aggregation controller with. Condition times become null: the sandbox stamps
them with its own clock when it creates the objects.
"""
import json
import os
import sys

RBAC = {
    "clusterroles": "rbac.authorization.k8s.io",
    "clusterrolebindings": "rbac.authorization.k8s.io",
    "roles": "rbac.authorization.k8s.io",
    "rolebindings": "rbac.authorization.k8s.io",
}
APF = {
    "prioritylevelconfigurations": "flowcontrol.apiserver.k8s.io",
    "flowschemas": "flowcontrol.apiserver.k8s.io",
}
PRIORITY = {"priorityclasses": "scheduling.k8s.io"}
CONTROLLER_SAS = {"serviceaccounts": ""}
AGGREGATOR = {"apiservices": "apiregistration.k8s.io"}
SERVICE_CIDRS = {"servicecidrs": "networking.k8s.io"}
DROP = ["uid", "resourceVersion", "creationTimestamp", "managedFields"]


def clean(obj, kind, api_version):
    obj = dict(obj)
    obj["kind"] = kind
    obj["apiVersion"] = api_version
    meta = {k: v for k, v in obj["metadata"].items() if k not in DROP}
    obj["metadata"] = meta
    for c in (obj.get("status") or {}).get("conditions") or []:
        if "lastTransitionTime" in c:
            c["lastTransitionTime"] = None
    return obj


def load(dump, resource):
    doc = json.load(open(os.path.join(dump, resource + ".json")))
    kind = doc.get("kind", "List")
    items = doc["items"]
    return items


def main(dump):
    out = []
    aggregated = {}
    for table, keep in [
        (RBAC, lambda o: (o["metadata"].get("labels") or {}).get("kubernetes.io/bootstrapping")
         == "rbac-defaults"),
        (APF, lambda o: "apf.kubernetes.io/autoupdate-spec" in (o["metadata"].get("annotations") or {})),
        (PRIORITY, lambda o: o["metadata"]["name"] in ("system-cluster-critical", "system-node-critical")),
        (CONTROLLER_SAS, lambda o: o["metadata"].get("namespace") == "kube-system"
         and o["metadata"]["name"] != "default"),
        (AGGREGATOR, lambda o: (o["metadata"].get("labels") or {}).get(
            "kube-aggregator.kubernetes.io/automanaged") == "onstart"),
        (SERVICE_CIDRS, lambda o: o["metadata"]["name"] == "kubernetes"),
    ]:
        for resource, group in table.items():
            items = sorted(
                load(dump, resource),
                key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]),
            )
            for o in items:
                if not keep(o):
                    continue
                o = clean(o, o["kind"], o["apiVersion"])
                if resource == "clusterroles" and o.get("aggregationRule"):
                    aggregated[o["metadata"]["name"]] = o.get("rules") or []
                    o.pop("rules", None)
                out.append({"group": group, "resource": resource, "object": o})
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "bootstrap-aggregated.json"), "w") as f:
        json.dump(aggregated, f, indent=1, sort_keys=True)
        f.write("\n")
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""Derives resources.json (the sandbox's table of served resources) from a real v1.36
kube-apiserver's aggregated discovery documents.

Usage: gen_resources.py REFERENCE_DIR > resources.json
REFERENCE_DIR holds discovery-api-aggregated.json and discovery-apis-aggregated.json.

The group order, version order (preferred first), resource order, names, kinds, scopes, short
names, categories, verbs and subresources are the real server's. Two things discovery does not
carry are added here: the storage version hash (the apiserver's StorageVersionHash: the first
8 bytes of sha256("group/version/Kind") of the storage version, base64; only stored, watchable
resources have one) and whether the registry maintains metadata.generation.
"""
import base64
import hashlib
import json
import sys

# Registries whose PrepareForCreate sets metadata.generation = 1 and bump it on spec changes.
GENERATION = {
    ("apps", r) for r in ["daemonsets", "deployments", "replicasets", "statefulsets"]
} | {
    ("batch", "cronjobs"), ("batch", "jobs"), ("", "replicationcontrollers"),
    ("networking.k8s.io", "ingresses"), ("networking.k8s.io", "networkpolicies"),
    ("policy", "poddisruptionbudgets"),
    ("apiextensions.k8s.io", "customresourcedefinitions"),
    ("admissionregistration.k8s.io", "validatingadmissionpolicies"),
    ("admissionregistration.k8s.io", "mutatingadmissionpolicies"),
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"),
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ("flowcontrol.apiserver.k8s.io", "flowschemas"),
    ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"),
    ("resource.k8s.io", "deviceclasses"), ("resource.k8s.io", "resourceslices"),
}
# Resources stored under another group/resource (and so hashed with its storage version).
STORAGE = {("events.k8s.io", "events"): ("", "v1", "events", "Event")}
# Storage versions that differ from the (only or preferred) served version.
STORAGE_VERSION = {("autoscaling", "horizontalpodautoscalers"): "v2"}


def svh(group, version, kind):
    d = hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()
    return base64.b64encode(d[:8]).decode()


def main(ref):
    groups = []
    for f in ["discovery-api-aggregated.json", "discovery-apis-aggregated.json"]:
        doc = json.load(open(f"{ref}/{f}"))
        for item in doc["items"]:
            name = item["metadata"].get("name", "")
            versions = []
            for v in item["versions"]:
                res = []
                for r in v["resources"]:
                    key = (name, r["resource"])
                    e = {
                        "resource": r["resource"],
                        "singular": r.get("singularResource", ""),
                        "kind": r["responseKind"]["kind"],
                        "namespaced": r["scope"] == "Namespaced",
                        "shortNames": r.get("shortNames", []),
                        "categories": r.get("categories", []),
                        "verbs": r["verbs"],
                        "subresources": [
                            {
                                "name": s["subresource"],
                                "group": s["responseKind"].get("group", ""),
                                "version": s["responseKind"].get("version", ""),
                                "kind": s["responseKind"]["kind"],
                                "verbs": s["verbs"],
                            }
                            for s in r.get("subresources", [])
                        ],
                        "generation": key in GENERATION,
                        "hash": "",
                    }
                    if "watch" in r["verbs"]:
                        if key in STORAGE:
                            sg, sv, sr, sk = STORAGE[key]
                            e["storage"] = [sg, sr]
                            e["hash"] = svh(sg, sv, sk)
                        else:
                            sv = STORAGE_VERSION.get(key, v["version"])
                            e["hash"] = svh(name, sv, e["kind"])
                    res.append(e)
                versions.append({"version": v["version"], "resources": res})
            groups.append({"group": name, "versions": versions})
    out = ['{"groups": [']
    for gi, g in enumerate(groups):
        out.append(f'  {{"group": {json.dumps(g["group"])}, "versions": [')
        for vi, v in enumerate(g["versions"]):
            out.append(f'    {{"version": {json.dumps(v["version"])}, "resources": [')
            rs = [f"      {json.dumps(r)}" for r in v["resources"]]
            out.append(",\n".join(rs))
            out.append("    ]}" + ("," if vi + 1 < len(g["versions"]) else ""))
        out.append("  ]}" + ("," if gi + 1 < len(groups) else ""))
    out.append("]}")
    print("\n".join(out))


main(sys.argv[1])

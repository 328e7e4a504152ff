#!/usr/bin/env python3
"""Regenerates patchmeta.tsv (the compiled-in patch metadata) from the OpenAPI v3 documents of a
kube-apiserver. Usage: gen_patchmeta.py openapi-v3-api-v1.json openapi-v3-apis-apps-v1.json > patchmeta.tsv

Rows:  K <apiVersion> <kind> <schema>            (root schema of a kind)
       F <schema> <field> <shape> <child> <strategy> <mergeKey> <listType>
shape: o = struct, a = array, m = map, p = primitive/opaque; child = element/struct schema or '-'.
Only fields that lead to a struct or carry patch metadata are listed. Schema names lose the
'io.k8s.api.' / 'io.k8s.apimachinery.pkg.apis.' prefixes."""
import json
import sys

PREFIXES = ("io.k8s.api.", "io.k8s.apimachinery.pkg.apis.")

# Built-in kinds kubectl knows whose schemas are not in the documents above: hand-written facts
# from k8s.io/api (batch/v1 types.go), enough to reach the embedded pod template.
EXTRA = """K	batch/v1	Job	batch.v1.Job
K	batch/v1	CronJob	batch.v1.CronJob
F	batch.v1.Job	metadata	o	meta.v1.ObjectMeta	-	-	-
F	batch.v1.Job	spec	o	batch.v1.JobSpec	-	-	-
F	batch.v1.Job	status	o	batch.v1.JobStatus	-	-	-
F	batch.v1.JobSpec	template	o	core.v1.PodTemplateSpec	-	-	-
F	batch.v1.JobSpec	selector	o	meta.v1.LabelSelector	-	-	-
F	batch.v1.JobStatus	conditions	a	-	merge	type	atomic
F	batch.v1.CronJob	metadata	o	meta.v1.ObjectMeta	-	-	-
F	batch.v1.CronJob	spec	o	batch.v1.CronJobSpec	-	-	-
F	batch.v1.CronJobSpec	jobTemplate	o	batch.v1.JobTemplateSpec	-	-	-
F	batch.v1.JobTemplateSpec	metadata	o	meta.v1.ObjectMeta	-	-	-
F	batch.v1.JobTemplateSpec	spec	o	batch.v1.JobSpec	-	-	-"""


def short(name):
    for p in PREFIXES:
        if name.startswith(p):
            return name[len(p):]
    return name


def ref_of(prop):
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[1]
    for sub in prop.get("allOf", []):
        if "$ref" in sub:
            return sub["$ref"].rsplit("/", 1)[1]
    return None


schemas = {}
for path in sys.argv[1:]:
    schemas.update(json.load(open(path))["components"]["schemas"])

kinds, fields = set(), set()
for name, sc in schemas.items():
    for gvk in sc.get("x-kubernetes-group-version-kind", []):
        api_version = (gvk["group"] + "/" if gvk["group"] else "") + gvk["version"]
        kinds.add((api_version, gvk["kind"], short(name)))
    for field, prop in sc.get("properties", {}).items():
        strategy = prop.get("x-kubernetes-patch-strategy", "-")
        merge_key = prop.get("x-kubernetes-patch-merge-key", "-")
        list_type = prop.get("x-kubernetes-list-type", "-")
        child, shape = None, "p"
        if prop.get("type") == "array":
            shape, child = "a", ref_of(prop.get("items", {}))
        elif prop.get("type") == "object" and "additionalProperties" in prop:
            shape, child = "m", ref_of(prop["additionalProperties"])
        else:
            child = ref_of(prop)
            if child:
                shape = "o"
        if child and "properties" not in schemas.get(child, {}):
            child = None  # opaque (Quantity, Time, IntOrString, RawExtension...)
        if child is None and (strategy, merge_key, list_type) == ("-", "-", "-"):
            continue
        fields.add((short(name), field, shape, short(child) if child else "-", strategy, merge_key, list_type))

for k in sorted(kinds):
    print("K\t" + "\t".join(k))
for f in sorted(fields):
    print("F\t" + "\t".join(f))
print(EXTRA)

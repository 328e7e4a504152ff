#!/usr/bin/env bash
# Dumps a freshly started real kube-apiserver v1.36's bootstrap objects and regenerates
# bootstrap.json (and bootstrap-aggregated.json) from them.
# Usage: KUBECONFIG=... dump_bootstrap.sh KUBECTL [DUMP_DIR]
set -euo pipefail
KUBECTL=$1
DUMP=${2:-$(mktemp -d)}
HERE=$(cd "$(dirname "$0")" && pwd)
for r in clusterroles clusterrolebindings roles rolebindings flowschemas \
  prioritylevelconfigurations priorityclasses apiservices servicecidrs; do
  "$KUBECTL" get "$r" -A -o json > "$DUMP/$r.json"
done
"$KUBECTL" get serviceaccounts -n kube-system -o json > "$DUMP/serviceaccounts.json"
python3 "$HERE/gen_bootstrap.py" "$DUMP" > "$HERE/bootstrap.json"
echo "dumped to $DUMP" >&2

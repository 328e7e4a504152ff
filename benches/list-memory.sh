#!/usr/bin/env bash
# Peak RSS of every output format of `get pods` over big lists (issue 18), kubectl-rs only:
# whether memory stays bounded whatever the list size. Not a timing benchmark (see
# compare.sh's `stream` cases for times against kubectl and the curl floor).
#
#     SIZES="5000 20000" benches/list-memory.sh
#
# A sandbox with no nodes is started (pods stay Pending, so the sandbox stays small and
# quiet), pods are created through the API with curl (8 processes), then each format runs
# once under GNU time at each size. Environment: RS (the kubectl-rs binary to measure,
# default target/debug/kubectl-rs), SANDBOX_RS (the binary serving the sandbox, default
# $RS), SIZES (default "5000 20000"), CHUNK (--chunk-size, default kubectl's 500), OUT
# (markdown table, default /dev/stdout), ONLY (an extended regex: only the cases it matches),
# BEFORE (another kubectl-rs binary measured on the same cases, shown in parentheses).
set -euo pipefail
cd "$(dirname "$0")/.."
RS=${RS:-target/debug/kubectl-rs}
SANDBOX_RS=${SANDBOX_RS:-$RS}
SIZES=${SIZES:-5000 20000}
CHUNK=${CHUNK:-500}
OUT=${OUT:-/dev/stdout}
WORK=$(mktemp -d)
SBX=
cleanup() { [ -n "$SBX" ] && kill "$SBX" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

"$SANDBOX_RS" sandbox --port 0 --nodes 0 --kubeconfig-out "$WORK/kc" >"$WORK/sandbox.log" 2>&1 &
SBX=$!
for _ in $(seq 1 1200); do [ -s "$WORK/kc" ] && break; sleep 0.05; done
[ -s "$WORK/kc" ] || { echo "no kubeconfig: $(cat "$WORK/sandbox.log")" >&2; exit 1; }
export KUBECONFIG=$WORK/kc HOME=$WORK/home KUBECACHEDIR=$WORK/cache
mkdir -p "$HOME"
j() { "$RS" config view --raw --minify -o "jsonpath={$1}"; }
SERVER=$(j .clusters[0].cluster.server)
j .clusters[0].cluster.certificate-authority-data | base64 -d >"$WORK/ca"
j .users[0].user.client-certificate-data | base64 -d >"$WORK/crt"
j .users[0].user.client-key-data | base64 -d >"$WORK/key"
chmod 600 "$WORK/key"

# create FROM TO: pods bulk-FROM..bulk-TO in default (no node: they stay Pending).
create() {
    rm -f "$WORK"/bulk-*.curl
    local i
    for i in $(seq -f %06g "$1" "$2"); do
        cat <<EOF >>"$WORK/bulk-$((10#$i % 8)).curl"
next
url = "$SERVER/api/v1/namespaces/default/pods"
data-binary = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"bulk-$i\",\"labels\":{\"app\":\"bulk\",\"tier\":\"t$((10#$i % 7))\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1.36\",\"env\":[{\"name\":\"N\",\"value\":\"$i\"}]}]}}"
cacert = "$WORK/ca"
cert = "$WORK/crt"
key = "$WORK/key"
header = "Content-Type: application/json"
output = "/dev/null"
fail
EOF
    done
    sed -i 1d "$WORK"/bulk-*.curl
    local pids=() f p
    for f in "$WORK"/bulk-*.curl; do curl -sS -K "$f" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p"; done
}

# One case a line, its arguments separated by `|`.
FORMATS=(
    ""
    "-o|wide"
    "-o|json"
    "-o|yaml"
    "-o|kyaml"
    "-o|name"
    "-o|jsonpath={.items[*].metadata.name}"
    "-o|jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}"
    "-o|jsonpath-as-json={.items[*].metadata.name}"
    "-o|custom-columns=NAME:.metadata.name,TIER:.metadata.labels.tier"
    "-o|go-template={{range .items}}{{.metadata.name}}{{\"\\n\"}}{{end}}"
    "-o|go-template={{len .items}} {{(index .items 0).metadata.name}}"
    "--sort-by=.metadata.labels.tier"
    "-o|json|--sort-by=.metadata.labels.tier"
    "-o|yaml|--sort-by=.metadata.labels.tier"
    "-o|name|--sort-by=.metadata.labels.tier"
    "-o|go-template={{range .items}}{{.metadata.name}}{{\"\\n\"}}{{end}}|--sort-by=.metadata.labels.tier"
    "-o|jsonpath-as-json={.items[*].metadata.name}|--sort-by=.metadata.labels.tier"
    "-o|jsonpath={.kind} {.items[*].metadata.name}"
    "-o|jsonpath={.items[0].metadata.name} {.items[-1].metadata.name}"
    "-o|jsonpath={.items[?(@.metadata.labels.tier==\"t3\")].metadata.name}"
    "-o|jsonpath={range .items[*]}{.metadata.name}{range .spec.containers[*]} {.image}{end}{\"\\n\"}{end}"
    "-o|jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}|--allow-missing-template-keys=false"
)
if [ -n "${ONLY:-}" ]; then
    picked=()
    for f in "${FORMATS[@]}"; do [[ $f =~ $ONLY ]] && picked+=("$f"); done
    FORMATS=("${picked[@]}")
fi
declare -A RSS
have=0
for size in $SIZES; do
    create $((have + 1)) "$size"
    have=$size
    n=$("$RS" get pods -o name | wc -l)
    echo "== $n pods" >&2
    for f in "${FORMATS[@]}"; do
        IFS='|' read -r -a extra <<<"$f"
        set -- get pods --chunk-size="$CHUNK" "${extra[@]}"
        /usr/bin/time -f %M -o "$WORK/rss" "$RS" "$@" >"$WORK/out" 2>"$WORK/err" || {
            echo "failed: $f: $(head -3 "$WORK/err")" >&2
        }
        RSS["$size|$f"]=$(awk '{printf "%.1f", $1 / 1024}' "$WORK/rss" | tail -1)
        if [ -n "${BEFORE:-}" ]; then
            /usr/bin/time -f %M -o "$WORK/rss" "$BEFORE" "$@" >"$WORK/out2" 2>&1 || true
            cmp -s "$WORK/out" "$WORK/out2" || echo "   output differs from BEFORE's: $f" >&2
            RSS["$size|$f"]+=" ($(awk '{printf "%.1f", $1 / 1024}' "$WORK/rss" | tail -1))"
        fi
        echo "   ${RSS["$size|$f"]} MB  $f ($(wc -c <"$WORK/out") bytes out)" >&2
    done
done
{
    printf '| `get pods …` |'
    for size in $SIZES; do printf ' %s pods |' "$size"; done
    printf '\n| --- |'
    for _ in $SIZES; do printf ' ---: |'; done
    printf '\n'
    for f in "${FORMATS[@]}"; do
        printf '| `%s` |' "$(echo "${f:-(table)}" | tr '|' ' ')"
        for size in $SIZES; do printf ' %s MB |' "${RSS["$size|$f"]}"; done
        printf '\n'
    done
} >"$OUT"

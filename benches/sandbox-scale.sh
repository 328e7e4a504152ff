#!/usr/bin/env bash
# benches/sandbox-scale.sh: memory and speed of `kubectl-rs sandbox` holding many pods (issue 13).
#
# How to run (from anywhere; a 50,000-pod run takes several minutes):
#     benches/sandbox-scale.sh                       # 51 nodes, 5,000 pods
#     PODS=50000 benches/sandbox-scale.sh            # the 1,000-node, 50,000-pod target
#     PROFILE=debug benches/sandbox-scale.sh         # target/debug/kubectl-rs (default: release)
# Environment knobs: NODES (simulated nodes, `sandbox --nodes`; default PODS/100 + 1 so that
# every pod can run, a node taking 110, and the issue's 1,000 from 50,000 pods), PODS (default 5000),
# PROFILE (release or debug; the binary is target/PROFILE/kubectl-rs), NO_BUILD=1 (use that
# binary as is, otherwise `cargo build [--release]` first), PARALLEL (curl processes creating
# pods, default 8), RUNS (timed requests per list/watch case, best kept, default 3),
# WAIT_RUNNING (seconds to wait for every pod to be Running before the lists, default 0:
# created pods are listed and watched at once).
#
# Needs curl, jq and GNU awk/sed (Debian: apt-get install curl jq gawk).
#
# What it does: starts `kubectl-rs sandbox --port 0 --nodes NODES` (killed on exit) and reads
# its address and client certificate from the kubeconfig it writes; creates PODS pods in
# `default` through the API (PARALLEL curl processes, each sending its share over one
# kept-alive connection; no nodeName: the sandbox's scheduler places them, its kubelets run
# them); waits until they are Running; then times with curl (time_total, best of RUNS):
#   - a list of all pods as JSON,
#   - the same list as a Table (Accept: application/json;as=Table;v=v1;g=meta.k8s.io),
#   - a watch from resourceVersion 0 until its PODS-th ADDED event has arrived;
# and reports the sandbox's resident memory (VmRSS) after creation, after the lists and
# watches, and its peak (VmHWM, from /proc/PID/status) at the end. Output: one markdown
# table on stdout, progress on stderr.
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PODS=${PODS:-5000}
NODES=${NODES:-$((PODS >= 50000 ? 1000 : PODS / 100 + 1))}
PROFILE=${PROFILE:-release}
PARALLEL=${PARALLEL:-8}
RUNS=${RUNS:-3}
WAIT_RUNNING=${WAIT_RUNNING:-0}
RS=$ROOT/target/$PROFILE/kubectl-rs
TABLE='application/json;as=Table;v=v1;g=meta.k8s.io'

die() { echo "sandbox-scale.sh: $*" >&2; exit 1; }
for t in curl jq awk; do command -v "$t" >/dev/null || die "$t not found (apt-get install $t)"; done

if [ -z "${NO_BUILD:-}" ]; then
    echo "== cargo build ($PROFILE)" >&2
    if [ "$PROFILE" = release ]; then
        (cd "$ROOT" && cargo build --release --locked --bin kubectl-rs) >&2
    else
        (cd "$ROOT" && cargo build --locked --bin kubectl-rs) >&2
    fi
fi
[ -x "$RS" ] || die "$RS not found (build it, or set PROFILE)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sandbox-scale.XXXXXX")
SBX_PID=
cleanup() {
    [ -n "$SBX_PID" ] && kill "$SBX_PID" 2>/dev/null && wait "$SBX_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}'; }
mem_mb() { awk -v k="$2:" '$1 == k {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

echo "== starting the sandbox: $NODES nodes" >&2
t0=$(date +%s.%N)
"$RS" sandbox --port 0 --nodes "$NODES" --kubeconfig-out "$WORK/kc" >"$WORK/sandbox.log" 2>&1 &
SBX_PID=$!
for _ in $(seq 1 2400); do
    [ -s "$WORK/kc" ] && break
    kill -0 "$SBX_PID" 2>/dev/null || die "sandbox exited early: $(cat "$WORK/sandbox.log")"
    sleep 0.05
done
[ -s "$WORK/kc" ] || die "the sandbox wrote no kubeconfig within 120 s"
START_S=$(since "$t0")

# The kubeconfig is YAML with one cluster and one user; take the fields curl needs.
field() { awk -v k="$1:" '$1 == k {print $2; exit}' "$WORK/kc"; }
SERVER=$(field server)
field certificate-authority-data | base64 -d >"$WORK/ca"
field client-certificate-data | base64 -d >"$WORK/crt"
field client-key-data | base64 -d >"$WORK/key"
chmod 600 "$WORK/key"
api() {
    local path=$1
    shift
    curl -sS --fail --cacert "$WORK/ca" --cert "$WORK/crt" --key "$WORK/key" "$@" "$SERVER$path"
}
api /api/v1/namespaces/default >/dev/null || die "the API does not answer at $SERVER"

# Waits for the simulated nodes to be registered (the sandbox creates them at start).
for _ in $(seq 1 600); do
    n=$(api /api/v1/nodes | jq '.items | length')
    [ "$n" -ge "$NODES" ] && break
    sleep 0.1
done
echo "   $n nodes after $(since "$t0") s" >&2

echo "== creating $PODS pods ($PARALLEL curl processes)" >&2
for i in $(seq -f %05g 1 "$PODS"); do
    cat <<EOF >>"$WORK/pods-$((10#$i % PARALLEL)).curl"
next
url = "$SERVER/api/v1/namespaces/default/pods"
data-binary = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"scale-$i\",\"labels\":{\"app\":\"scale\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"registry.k8s.io/pause:3.10\"}]}}"
cacert = "$WORK/ca"
cert = "$WORK/crt"
key = "$WORK/key"
header = "Content-Type: application/json"
output = "/dev/null"
fail
EOF
done
# A trailing `next` would be an empty request, so each file drops its first one.
sed -i 1d "$WORK"/pods-*.curl
t0=$(date +%s.%N)
cpids=()
for f in "$WORK"/pods-*.curl; do
    curl -sS -K "$f" &
    cpids+=($!)
done
for p in "${cpids[@]}"; do wait "$p" || die "creating pods failed"; done
CREATE_S=$(since "$t0")
echo "   created in $CREATE_S s" >&2

RUNNING=-
RUNNING_S=-
if [ "$WAIT_RUNNING" -gt 0 ]; then
    last=-1
    while :; do
        RUNNING=$(api '/api/v1/namespaces/default/pods?labelSelector=app%3Dscale' -H "Accept: $TABLE" \
            | jq '[.rows[] | select(.cells[2] == "Running")] | length')
        [ "$RUNNING" -ge "$PODS" ] && break
        [ "$RUNNING" != "$last" ] && echo "   $RUNNING Running after $(since "$t0") s" >&2 && last=$RUNNING
        [ "$(awk -v a="$t0" -v b="$(date +%s.%N)" -v w="$WAIT_RUNNING" 'BEGIN {print (b - a > w)}')" = 1 ] && break
        sleep 1
    done
    RUNNING_S=$(since "$t0")
    echo "   $RUNNING of $PODS Running after $RUNNING_S s" >&2
fi
RSS_CREATED=$(mem_mb "$SBX_PID" VmRSS)
HWM_CREATED=$(mem_mb "$SBX_PID" VmHWM)

# best CMD...: the smallest of RUNS wall-clock times (seconds) of CMD.
best() {
    local b= t s
    for _ in $(seq 1 "$RUNS"); do
        s=$(date +%s.%N)
        "$@" >/dev/null
        t=$(since "$s")
        b=$(awk -v a="$t" -v b="${b:-$t}" 'BEGIN {print (a < b ? a : b)}')
    done
    echo "$b"
}
list_json() { api /api/v1/namespaces/default/pods -o /dev/null; }
list_table() { api /api/v1/namespaces/default/pods -H "Accept: $TABLE" -o /dev/null; }
# A watch from 0 starts with one ADDED event per existing object; stop at the PODS-th. curl
# writes into a FIFO that `grep -m` reads (grep handles lines as they arrive, where mawk
# waits for a full input buffer that a quiet watch never fills: the old reader hung there);
# once grep has its PODS-th line, curl is killed (in a pipe it would only notice at its next
# write, which a quiet cluster never makes). timeoutSeconds bounds a watch that falls short.
watch0() {
    rm -f "$WORK/watch.fifo"
    mkfifo "$WORK/watch.fifo"
    curl -sS -N --cacert "$WORK/ca" --cert "$WORK/crt" --key "$WORK/key" \
        "$SERVER/api/v1/namespaces/default/pods?watch=1&resourceVersion=0&timeoutSeconds=900" \
        >"$WORK/watch.fifo" 2>/dev/null &
    local cpid=$!
    local got
    got=$(grep -m "$PODS" -cF '"type":"ADDED"' <"$WORK/watch.fifo" || true)
    kill "$cpid" 2>/dev/null || true
    wait "$cpid" 2>/dev/null || true
    [ "$got" -ge "$PODS" ] || echo "   watch ended after $got of $PODS ADDED" >&2
}
echo "== timing lists and watches (best of $RUNS)" >&2
JSON_S=$(best list_json)
JSON_MB=$(api /api/v1/namespaces/default/pods | wc -c | awk '{printf "%.1f", $1 / 1048576}')
TABLE_S=$(best list_table)
TABLE_MB=$(api /api/v1/namespaces/default/pods -H "Accept: $TABLE" | wc -c | awk '{printf "%.1f", $1 / 1048576}')
WATCH_S=$(best watch0)
RSS_END=$(mem_mb "$SBX_PID" VmRSS)
HWM_END=$(mem_mb "$SBX_PID" VmHWM)

per_pod() { awk -v s="$1" -v n="$PODS" 'BEGIN {printf "%.1f", s * 1e6 / n}'; }
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $commit; $PROFILE build; $(nproc) CPUs;" \
    "$(awk '/MemTotal/ {printf "%d MB RAM", $2 / 1024}' /proc/meminfo);" \
    "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $NODES nodes, $PODS pods."
echo
echo "| measure | value |"
echo "| --- | ---: |"
echo "| sandbox start (kubeconfig written) | $START_S s |"
echo "| create $PODS pods (API, $PARALLEL curl processes) | $CREATE_S s |"
echo "| pods Running (waited up to $WAIT_RUNNING s) | $RUNNING after $RUNNING_S s |"
echo "| RSS after creation / peak so far | $RSS_CREATED MB / $HWM_CREATED MB |"
echo "| list as JSON ($JSON_MB MB) | $JSON_S s ($(per_pod "$JSON_S") µs a pod) |"
echo "| list as Table ($TABLE_MB MB) | $TABLE_S s ($(per_pod "$TABLE_S") µs a pod) |"
echo "| watch from 0 until $PODS ADDED | $WATCH_S s ($(per_pod "$WATCH_S") µs a pod) |"
echo "| RSS at the end | $RSS_END MB |"
echo "| peak RSS (VmHWM) | $HWM_END MB |"

#!/usr/bin/env bash
# benches/compare.sh: kubectl-rs against the real kubectl, measured in the same run.
#
# How to run (from anywhere; takes several minutes):
#     benches/compare.sh                 # all cases, table on stdout
#     RUNS=5 benches/compare.sh          # fewer timed runs per case (default 10)
#     CASES='version get' benches/compare.sh   # only cases whose id contains one of the words
#     SKIP_SCALE=1 benches/compare.sh    # without the 500-node sandbox scale test
#     CASES=stream benches/compare.sh    # only the big-list formats (5,000 and 50,000 pods)
#     CASES=many benches/compare.sh      # events, describe, wait, label, annotate, get of several types, get -f over BULK pods
# Environment knobs: KUBECTL (real kubectl, default /usr/lib/google-cloud-sdk/bin/kubectl.1.33),
# RUNS (hyperfine runs, default 10), MEM_RUNS (GNU time runs for peak RSS, default 5),
# WARMUP (hyperfine warm-up runs, default 3), LARGE_RUNS / LARGE_WARMUP / LARGE_MEM_RUNS (the
# same for the `stream` cases over more than 5,000 pods, where one kubectl run takes tens of
# seconds; defaults 3 / 1 / 1), LARGE_CASES (the stream cases run over more than 5,000 pods,
# by the last word of their id, e.g. "table json name sorted"; default all), LARGE_KUBECTL_CASES
# (of those, the ones kubectl is timed on too, the others kubectl-rs alone; default all),
# MANY_RUNS (timed runs of the `many` cases, default 3; 1 for those that patch or wait on every pod),
# BULK (pods for the "many pods" cases, default 5000), STREAM_SIZES (pod counts of the
# `stream` cases, default "5000 50000"), OUT (markdown table file, default
# $TMPDIR/kubectl-rs-bench/results.md), NO_BUILD=1 (use target/release/kubectl-rs as is), RS
# (with NO_BUILD: another kubectl-rs binary, e.g. a baseline's; it serves the sandbox too).
#
# Needs hyperfine, GNU time (/usr/bin/time), curl and jq (Debian: apt-get install hyperfine time curl jq).
#
# What it does: builds the release binary, starts `kubectl-rs sandbox` (2 simulated nodes,
# killed on exit), gives each CLI its own HOME and KUBECACHEDIR (one shared KUBECONFIG), applies
# the seed manifest, then for each case runs hyperfine on both CLIs (--warmup 3) and GNU time
# for the peak RSS (max over MEM_RUNS runs), and prints: case, kubectl ms, kubectl-rs ms,
# speedup, kubectl MB, kubectl-rs MB, memory ratio (kubectl-rs / kubectl). A case our CLI cannot
# run yet (command missing or failing) is skipped with the reason in the table. Setup steps
# (deleting between runs, creating the bulk pods) use the real kubectl or the API via curl, so
# they never depend on kubectl-rs. Finally (no kubectl involved) it times a 500-node sandbox
# until the seed DaemonSet has 500 Running pods, and a Deployment scaled to 1,000 Running pods.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KUBECTL=${KUBECTL:-/usr/lib/google-cloud-sdk/bin/kubectl.1.33}
RS=${RS:-$ROOT/target/release/kubectl-rs}
RUNS=${RUNS:-10}
MEM_RUNS=${MEM_RUNS:-5}
WARMUP=${WARMUP:-3}
BULK=${BULK:-5000}
CASES=${CASES:-}
SEED=$ROOT/examples/node-exporter-daemonset.yaml

die() { echo "compare.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found; install it with: $2"; }
need hyperfine "apt-get install hyperfine  (or: cargo install hyperfine)"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) not found; install it with: apt-get install time"
need curl "apt-get install curl"
need jq "apt-get install jq"
[ -x "$KUBECTL" ] || die "real kubectl not found at $KUBECTL (set KUBECTL=...)"

WORK=${TMPDIR:-/tmp}/kubectl-rs-bench
rm -rf "$WORK"
mkdir -p "$WORK"
OUT=${OUT:-$WORK/results.md}
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${NO_BUILD:-}" ]; then
    echo "== cargo build --release" >&2
    (cd "$ROOT" && cargo build --release --quiet)
fi
[ -x "$RS" ] || die "$RS missing (build failed?)"

# --- sandbox -------------------------------------------------------------------------------
# start_sandbox KUBECONFIG_OUT LOG [extra flags...]: starts a sandbox in the background, waits
# for its kubeconfig, sets SBX_PID and SBX_START (seconds it took to serve).
start_sandbox() {
    local kc=$1 log=$2 t0
    shift 2
    t0=$(date +%s.%N)
    "$RS" sandbox --port 0 --kubeconfig-out "$kc" "$@" >"$log" 2>&1 &
    SBX_PID=$!
    PIDS+=("$SBX_PID")
    local i
    for i in $(seq 1 1200); do
        [ -s "$kc" ] && break
        kill -0 "$SBX_PID" 2>/dev/null || die "sandbox exited early: $(cat "$log")"
        sleep 0.05
    done
    [ -s "$kc" ] || die "sandbox wrote no kubeconfig within 60 s"
    SBX_START=$(since "$t0")
}

# since T0: seconds elapsed since T0 (from `date +%s.%N`), two decimals.
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}'; }

stop_sandbox() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# Peak RSS of a running process in MB (VmHWM).
peak_rss_mb() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# api_setup KUBECONFIG PREFIX: extracts server URL and client credentials for curl.
api_setup() {
    local kc=$1 p=$2
    "$KUBECTL" --kubeconfig "$kc" config view --raw --minify -o 'jsonpath={.clusters[0].cluster.server}' >"$p.server"
    "$KUBECTL" --kubeconfig "$kc" config view --raw --minify -o 'jsonpath={.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$p.ca"
    "$KUBECTL" --kubeconfig "$kc" config view --raw --minify -o 'jsonpath={.users[0].user.client-certificate-data}' | base64 -d >"$p.crt"
    "$KUBECTL" --kubeconfig "$kc" config view --raw --minify -o 'jsonpath={.users[0].user.client-key-data}' | base64 -d >"$p.key"
    chmod 600 "$p.key"
}

# api PREFIX PATH [curl args...]: one API request with the client certificate.
api() {
    local p=$1 path=$2
    shift 2
    curl -sS --fail-with-body --cacert "$p.ca" --cert "$p.crt" --key "$p.key" "$@" "$(cat "$p.server")$path"
}

# count_running PREFIX LABELSELECTOR: Running pods in default with that label.
count_running() {
    api "$1" "/api/v1/namespaces/default/pods?labelSelector=$2" |
        jq '[.items[] | select(.status.phase == "Running")] | length'
}

# wait_running PREFIX LABELSELECTOR TARGET: polls until TARGET pods are Running, or the count
# has not moved for 60 s (a stalled sandbox); prints the last count.
wait_running() {
    local n=0 last=-1 since_change
    since_change=$(date +%s)
    while :; do
        n=$(count_running "$1" "$2")
        [ "$n" -ge "$3" ] && break
        if [ "$n" != "$last" ]; then
            last=$n
            since_change=$(date +%s)
        elif [ $(($(date +%s) - since_change)) -ge 60 ]; then
            echo "   stalled at $n of $3 Running pods" >&2
            break
        fi
        sleep 0.25
    done
    echo "$n"
}

echo "== starting the sandbox" >&2
KC=$WORK/kc
start_sandbox "$KC" "$WORK/sandbox.log" --name kind-multinodes
MAIN_PID=$SBX_PID
api_setup "$KC" "$WORK/api"
export KUBECONFIG=$KC
mkdir -p "$WORK/home-kubectl" "$WORK/home-rs"
CACHE_K=$WORK/cache-kubectl
CACHE_R=$WORK/cache-rs
# Each CLI gets its own HOME and cache dir; commands run through `sh -c` in hyperfine, which
# subtracts the shell's own start-up time.
ENV_K="HOME=$WORK/home-kubectl KUBECACHEDIR=$CACHE_K"
ENV_R="HOME=$WORK/home-rs KUBECACHEDIR=$CACHE_R"
K="$ENV_K $KUBECTL"
R="$ENV_R $RS"
# Setup steps always use the real kubectl, with a cache of its own.
KS="HOME=$WORK/home-setup KUBECACHEDIR=$WORK/cache-setup $KUBECTL"
mkdir -p "$WORK/home-setup"
ks() { env HOME="$WORK/home-setup" KUBECACHEDIR="$WORK/cache-setup" "$KUBECTL" "$@"; }

ks apply -f "$SEED" >/dev/null
ks rollout status ds/node-exporter --timeout=60s >/dev/null || echo "warning: seed DaemonSet not rolled out" >&2

# --- generated manifests ---------------------------------------------------------------------
OBJS=$WORK/objects-200.yaml
for i in $(seq -w 1 100); do
    cat <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: bench-cm-$i
  labels: {bench: objs200}
data:
  index: "$i"
  payload: "some configuration text for entry $i"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bench-deploy-$i
  labels: {bench: objs200}
spec:
  replicas: 1
  selector:
    matchLabels: {app: bench-deploy-$i}
  template:
    metadata:
      labels: {app: bench-deploy-$i, bench: objs200}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
---
EOF
done >"$OBJS"

# --- cases -----------------------------------------------------------------------------------
ROWS=()
NOTES=()

# Rows also go to $WORK/rows.md as each case ends, so an interrupted run keeps its results.
row() {
    ROWS+=("$1")
    printf '%s\n' "$1" >>"$WORK/rows.md"
}

selected() {
    [ -z "$CASES" ] && return 0
    local w
    for w in $CASES; do [[ $1 == *"$w"* ]] && return 0; done
    return 1
}

# ms VALUE_SECONDS
ms() { awk -v s="$1" 'BEGIN {printf "%.1f", s * 1000}'; }

# bench ID LABEL ARGS [PREPARE_K PREPARE_R]
# ARGS are the CLI arguments (shell words, same for both CLIs); PREPARE_* run before every
# timed run of that CLI (and before each memory run).
bench() {
    local id=$1 label=$2 args=$3 prep_k=${4:-} prep_r=${5:-}
    selected "$id" || return 0
    if [ -n "${SIZE_CASES:-}" ]; then
        local w hit=
        for w in $SIZE_CASES; do [[ $id == *"-$w" ]] && hit=1; done
        [ -n "$hit" ] || return 0
    fi
    echo "== $label" >&2
    # Our CLI must run the command at all; otherwise skip with its error.
    [ -n "$prep_r" ] && { sh -c "$prep_r" >/dev/null 2>&1 || true; }
    local err
    if ! err=$(sh -c "$R $args" 2>&1 >/dev/null); then
        row "| $label | | | | | | | skipped: kubectl-rs: $(echo "$err" | head -1 | cut -c1-90) |"
        echo "   skipped: $err" | head -3 >&2
        return 0
    fi
    local only_r=${BENCH_ONLY_R:-} why="kubectl v1.33 has no such format"
    if [ -z "$only_r" ] && [ -n "${SIZE_KUBECTL_CASES+x}" ]; then
        # Over 5,000 pods one kubectl run takes tens of seconds (and GBs): LARGE_KUBECTL_CASES
        # limits which cases time it there; the others run kubectl-rs alone.
        only_r=1 why="kubectl not run at this size (LARGE_KUBECTL_CASES)"
        for w in $SIZE_KUBECTL_CASES; do [[ $id == *"-$w" ]] && only_r=; done
    fi
    if [ -n "$only_r" ]; then
        # A format kubectl v1.33 does not have (kyaml), or a size kubectl is not run at: kubectl-rs alone.
        local json=$WORK/$id.json mr=0 v i
        hyperfine --warmup "$WARMUP" --runs "$RUNS" --export-json "$json" --style basic -n kubectl-rs "$R $args >/dev/null" >&2
        for i in $(seq 1 "$MEM_RUNS"); do
            /usr/bin/time -f %M -o "$WORK/rss" sh -c "exec env $R $args" >/dev/null 2>&1 || true
            v=$(tail -1 "$WORK/rss")
            [ "$v" -gt "$mr" ] && mr=$v
        done
        row "$(awk -v l="$label" -v tr="$(jq '.results[0].mean' "$json")" -v sr="$(jq '.results[0].stddev' "$json")" -v mr="$mr" -v f="${BENCH_FLOOR:-0}" -v w="${BENCH_FLOOR_WHAT:+$BENCH_FLOOR_WHAT }" -v why="$why" 'BEGIN {
            note = f > 0 ? sprintf("%sfloor %.1f ms, %.2f× the floor; ", w, f*1000, tr/f) : ""
            printf "| %s | | %.1f ± %.1f | | | %.1f | | %s%s |", l, tr*1000, sr*1000, mr/1024, note, why }')"
        return 0
    fi
    [ -n "$prep_k" ] && { sh -c "$prep_k" >/dev/null 2>&1 || true; }
    if ! err=$(sh -c "$K $args" 2>&1 >/dev/null); then
        row "| $label | | | | | | | skipped: kubectl failed: $(echo "$err" | head -1 | cut -c1-90) |"
        return 0
    fi
    local json=$WORK/$id.json
    local hf=(hyperfine --warmup "$WARMUP" --runs "$RUNS" --export-json "$json" --style basic -n kubectl -n kubectl-rs)
    if [ -n "$prep_k" ]; then
        hf+=(--prepare "$prep_k >/dev/null 2>&1" --prepare "$prep_r >/dev/null 2>&1")
    fi
    "${hf[@]}" "$K $args >/dev/null" "$R $args >/dev/null" >&2
    local tk tr
    tk=$(jq '.results[0].mean' "$json")
    tr=$(jq '.results[1].mean' "$json")
    local mk=0 mr=0 i v
    for i in $(seq 1 "$MEM_RUNS"); do
        [ -n "$prep_k" ] && { sh -c "$prep_k" >/dev/null 2>&1 || true; }
        /usr/bin/time -f %M -o "$WORK/rss" sh -c "exec env $K $args" >/dev/null 2>&1 || true
        v=$(tail -1 "$WORK/rss")
        [ "$v" -gt "$mk" ] && mk=$v
        [ -n "$prep_r" ] && { sh -c "$prep_r" >/dev/null 2>&1 || true; }
        /usr/bin/time -f %M -o "$WORK/rss" sh -c "exec env $R $args" >/dev/null 2>&1 || true
        v=$(tail -1 "$WORK/rss")
        [ "$v" -gt "$mr" ] && mr=$v
    done
    # BENCH_FLOOR (seconds, optional): the curl floor of the case; the note gives our time
    # over it (BENCH_FLOOR_WHAT: which floor, when not the case's plain list).
    local note=""
    if [ -n "${BENCH_FLOOR:-}" ]; then
        note=$(awk -v f="$BENCH_FLOOR" -v tr="$tr" -v w="${BENCH_FLOOR_WHAT:+$BENCH_FLOOR_WHAT }" 'BEGIN {printf "%sfloor %.1f ms, %.2f× the floor", w, f*1000, tr/f}')
    fi
    row "$(awk -v l="$label" -v tk="$tk" -v tr="$tr" -v mk="$mk" -v mr="$mr" -v note="$note" -v sk="$(jq '.results[0].stddev' "$json")" -v sr="$(jq '.results[1].stddev' "$json")" 'BEGIN {
        printf "| %s | %.1f ± %.1f | %.1f ± %.1f | %.1f× | %.1f | %.1f | %.2f | %s |", l, tk*1000, sk*1000, tr*1000, sr*1000, tk/tr, mk/1024, mr/1024, mr/mk, note }')"
}

COLD_K="rm -rf $CACHE_K"
COLD_R="rm -rf $CACHE_R"
DEL_SEED="$KS delete -f $SEED --ignore-not-found --wait"
ADD_SEED="$KS apply -f $SEED"
# Deleting 200 objects one by one with kubectl takes about a minute, so between runs they go
# with two deletecollection calls, then we wait for their ReplicaSets and pods to be gone.
cat >"$WORK/del-objs.sh" <<EOF
#!/bin/sh
c() { curl -sS --cacert $WORK/api.ca --cert $WORK/api.crt --key $WORK/api.key "\$@"; }
s=$(cat "$WORK/api.server")
q=labelSelector=bench%3Dobjs200
c -X DELETE "\$s/api/v1/namespaces/default/configmaps?\$q" >/dev/null
c -X DELETE "\$s/apis/apps/v1/namespaces/default/deployments?\$q" >/dev/null
for i in \$(seq 1 200); do
    n=\$(c "\$s/apis/apps/v1/namespaces/default/replicasets?\$q" | jq '.items | length')
    m=\$(c "\$s/api/v1/namespaces/default/pods?\$q" | jq '.items | length')
    [ "\$n\$m" = 00 ] && exit 0
    sleep 0.1
done
echo "objects not gone after 20 s" >&2
exit 1
EOF
chmod +x "$WORK/del-objs.sh"
DEL_OBJS="$WORK/del-objs.sh"

bench version "version --client" "version --client"
bench get-ds-warm "get ds (warm cache)" "get ds"
bench get-ds-cold "get ds (cold cache)" "get ds" "$COLD_K" "$COLD_R"
bench get-pods-warm "get pods -o wide -l app=node-exporter (warm)" "get pods -o wide -l app=node-exporter"
bench get-pods-cold "get pods -o wide -l app=node-exporter (cold)" "get pods -o wide -l app=node-exporter" "$COLD_K" "$COLD_R"
bench describe "describe daemonset node-exporter" "describe daemonset node-exporter"
bench apply-seed-create "apply -f seed (create)" "apply -f $SEED" "$DEL_SEED" "$DEL_SEED"
ks apply -f "$SEED" >/dev/null
bench apply-seed-unchanged "apply -f seed (unchanged)" "apply -f $SEED"
bench delete-seed "delete -f seed --wait" "delete -f $SEED --wait" "$ADD_SEED" "$ADD_SEED"
ks apply -f "$SEED" >/dev/null
bench apply-200-create "apply -f 200 objects (create)" "apply -f $OBJS" "$DEL_OBJS" "$DEL_OBJS"
ks apply -f "$OBJS" >/dev/null
bench apply-200-unchanged "apply -f 200 objects (unchanged)" "apply -f $OBJS"
"$DEL_OBJS" || echo "warning: the 200 objects are not all gone" >&2

# Bulk pods: created straight through the API (curl, parallel), pinned round-robin to nodes
# added for them (at most 100 pods a node, under the kubelet's 110).
# create_bulk FROM TO: pods bulk-FROM … bulk-TO (numbered with 5 digits), and the nodes
# bulk-node-1 … for them; waits until TO pods are Running.
BULK_NODES=0
create_bulk() {
    local from=$1 to=$2 i n node p f t0
    echo "== creating pods $from to $to" >&2
    # Eight curl processes, each sending its share sequentially over one kept-alive connection
    # (`next` separates requests; per-request options must be repeated after it).
    server=$(cat "$WORK/api.server")
    # A node runs at most 110 pods (as a real kubelet): add nodes through the API until the
    # bulk pods fit; the sandbox's kubelets make them Ready.
    NODES=$(( (to + 99) / 100 ))
    for n in $(seq $((BULK_NODES + 1)) "$NODES"); do
        curl -sS --fail -o /dev/null --cacert "$WORK/api.ca" --cert "$WORK/api.crt" --key "$WORK/api.key" \
            -H "Content-Type: application/json" "$server/api/v1/nodes" \
            --data-binary "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"bulk-node-$n\"}}" \
            || die "creating node bulk-node-$n failed"
    done
    [ "$NODES" -gt "$BULK_NODES" ] && BULK_NODES=$NODES
    rm -f "$WORK"/bulk-*.curl
    for i in $(seq -f %05g "$from" "$to"); do
        node=bulk-node-$(( 10#$i % NODES + 1 ))
        cat <<EOF >>"$WORK/bulk-$((10#$i % 8)).curl"
next
url = "$server/api/v1/namespaces/default/pods"
data-binary = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"bulk-$i\",\"labels\":{\"app\":\"bulk\"}},\"spec\":{\"nodeName\":\"$node\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1.36\"}]}}"
cacert = "$WORK/api.ca"
cert = "$WORK/api.crt"
key = "$WORK/api.key"
header = "Content-Type: application/json"
output = "/dev/null"
fail
EOF
    done
    # A trailing `next` would be an empty request (an error), so each file drops its first one.
    sed -i 1d "$WORK"/bulk-*.curl
    t0=$(date +%s.%N)
    cpids=()
    for f in "$WORK"/bulk-*.curl; do
        curl -sS -K "$f" &
        cpids+=($!)
    done
    for p in "${cpids[@]}"; do wait "$p" || die "creating bulk pods failed"; done
    n=$(wait_running "$WORK/api" app%3Dbulk "$to")
    echo "   $n of $to bulk pods Running after $(since "$t0") s" >&2
    NOTES+=("Bulk pods: $n of $to Running (created through the API with curl, spread over $NODES added nodes).")
}

# floor ACCEPT [QUERY]: seconds (hyperfine mean) for curl to fetch every pod of default in one
# request with that Accept header (and query): what any client must at least spend on the same
# bytes.
floor() {
    local accept=$1 query=${2:+?$2} json=$WORK/floor.json
    hyperfine --warmup 2 --runs "$RUNS" --export-json "$json" --style none \
        "curl -sS --fail -o /dev/null --compressed --cacert $WORK/api.ca --cert $WORK/api.crt --key $WORK/api.key -H 'Accept: $accept' '$(cat "$WORK/api.server")/api/v1/namespaces/default/pods$query'" >&2
    jq '.results[0].mean' "$json"
}

if selected bulk || selected complete; then
    create_bulk 1 "$BULK"
    bench bulk-get-warm "get pods -o wide, $BULK pods (warm)" "get pods -o wide"
    bench bulk-get-cold "get pods -o wide, $BULK pods (cold)" "get pods -o wide" "$COLD_K" "$COLD_R"
    bench bulk-complete "__complete get pods \"\" ($BULK pods)" "__complete get pods ''"
fi

# Every output format of `get pods` over big lists (issue 18): each printed page by page in
# kubectl-rs, timed against kubectl and against the curl floor for the same bytes (the note
# column), with peak RSS; STREAM_SIZES grows the bulk pods (default 5,000 then 50,000: the
# second run shows whether memory grows with the list). `--sort-by` needs the whole list: its
# row shows what it costs.
# (`CASES='stream-5000-tablesorted stream-5000-widesorted'`: only those stream cases.)
if selected stream || [[ " $CASES " == *" stream-"* ]]; then
    have=0
    if selected bulk || selected complete; then have=$BULK; fi
    SMALL=("$RUNS" "$WARMUP" "$MEM_RUNS")
    for size in ${STREAM_SIZES:-5000 50000}; do
        [ "$size" -gt "$have" ] && create_bulk $((have + 1)) "$size" && have=$size
        if [ "$size" -gt 5000 ]; then
            RUNS=${LARGE_RUNS:-3} WARMUP=${LARGE_WARMUP:-1} MEM_RUNS=${LARGE_MEM_RUNS:-1}
            SIZE_CASES=${LARGE_CASES:-}
            [ -n "${LARGE_KUBECTL_CASES+x}" ] && SIZE_KUBECTL_CASES=$LARGE_KUBECTL_CASES
        else
            unset SIZE_KUBECTL_CASES
            RUNS=${SMALL[0]} WARMUP=${SMALL[1]} MEM_RUNS=${SMALL[2]}
            SIZE_CASES=
        fi
        TABLE_FLOOR=$(floor 'application/json;as=Table;v=v1;g=meta.k8s.io')
        JSON_FLOOR=$(floor 'application/json')
        # A sorted table asks for every row's object (kubectl does too): its floor is that Table.
        TABLE_OBJECT_FLOOR=$(floor 'application/json;as=Table;v=v1;g=meta.k8s.io' 'includeObject=Object')
        BENCH_FLOOR=$TABLE_FLOOR bench "stream-$size-table" "get pods, $size pods" "get pods"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-json" "get pods -o json, $size pods" "get pods -o json"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-yaml" "get pods -o yaml, $size pods" "get pods -o yaml"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-name" "get pods -o name, $size pods" "get pods -o name"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-jsonpath" "get pods -o jsonpath={.items[*].metadata.name}, $size pods" "get pods -o 'jsonpath={.items[*].metadata.name}'"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-range" "get pods -o jsonpath={range .items[*]}…{end}, $size pods" "get pods -o 'jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}'"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-cc" "get pods -o custom-columns=NAME:.metadata.name, $size pods" "get pods -o custom-columns=NAME:.metadata.name"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-sorted" "get pods -o json --sort-by=.metadata.name, $size pods (whole list)" "get pods -o json --sort-by=.metadata.name"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-sortname" "get pods -o name --sort-by=.metadata.name, $size pods (whole list)" "get pods -o name --sort-by=.metadata.name"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-gotemplate" "get pods -o go-template={{range .items}}…{{end}}, $size pods" "get pods -o 'go-template={{range .items}}{{.metadata.name}}{{\"\\n\"}}{{end}}'"
        BENCH_FLOOR=$TABLE_FLOOR bench "stream-$size-wide" "get pods -o wide, $size pods" "get pods -o wide"
        BENCH_FLOOR=$TABLE_OBJECT_FLOOR BENCH_FLOOR_WHAT=Table+Object bench "stream-$size-tablesorted" "get pods --sort-by=.metadata.name, $size pods (whole list)" "get pods --sort-by=.metadata.name"
        BENCH_FLOOR=$JSON_FLOOR BENCH_ONLY_R=1 bench "stream-$size-kyaml" "get pods -o kyaml, $size pods" "get pods -o kyaml"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-jpjson" "get pods -o jsonpath-as-json={.items[*].metadata.name}, $size pods" "get pods -o 'jsonpath-as-json={.items[*].metadata.name}'"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-jpwhole" "get pods -o jsonpath={.kind} {.items[*].metadata.name}, $size pods (whole list)" "get pods -o 'jsonpath={.kind} {.items[*].metadata.name}'"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-gotlen" "get pods -o go-template={{len .items}} {{(index .items 0).metadata.name}}, $size pods" "get pods -o 'go-template={{len .items}} {{(index .items 0).metadata.name}}'"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-gotsorted" "get pods -o go-template={{range .items}}…{{end}} --sort-by=.metadata.name, $size pods" "get pods -o 'go-template={{range .items}}{{.metadata.name}}{{\"\\n\"}}{{end}}' --sort-by=.metadata.name"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-yamlsorted" "get pods -o yaml --sort-by=.metadata.name, $size pods" "get pods -o yaml --sort-by=.metadata.name"
        BENCH_FLOOR=$JSON_FLOOR bench "stream-$size-ccsorted" "get pods -o custom-columns=NAME:.metadata.name --sort-by=.metadata.name, $size pods" "get pods -o custom-columns=NAME:.metadata.name --sort-by=.metadata.name"
        BENCH_FLOOR=$TABLE_OBJECT_FLOOR BENCH_FLOOR_WHAT=Table+Object bench "stream-$size-widesorted" "get pods -o wide --sort-by=.metadata.name, $size pods" "get pods -o wide --sort-by=.metadata.name"
    done
fi

# The other commands over many objects (issue 18): events, describe, wait, label, annotate,
# several types in one get, get -f, over the BULK pods (and the events their kubelets
# record: ~4 per pod). The slow ones (each run patches or waits on every pod) take MANY_RUNS
# timed runs (default 1, no warm-up) and one GNU time run.
if selected many; then
    have_bulk=$(api "$WORK/api" "/api/v1/namespaces/default/pods?labelSelector=app%3Dbulk&limit=1" | jq -r '.metadata.remainingItemCount // 0')
    [ "$have_bulk" -ge $((BULK - 1)) ] || create_bulk 1 "$BULK"
    jq -n --argjson n "$BULK" '{apiVersion: "v1", kind: "List", items: [range(1; $n + 1) |
        {apiVersion: "v1", kind: "Pod", metadata: {name: ("bulk-" + ("0000" + tostring | .[-5:]))}}]}' >"$WORK/bulk-pods.json"
    SAVED=("$RUNS" "$WARMUP" "$MEM_RUNS")
    RUNS=${MANY_RUNS:-3} WARMUP=1 MEM_RUNS=1
    bench many-events "events, $BULK pods" "events"
    bench many-getevents "get events, $BULK pods" "get events"
    bench many-eventsjson "events -o json, $BULK pods (whole list)" "events -o json"
    bench many-multijson "get pods,svc -o json, $BULK pods" "get pods,svc -o json"
    bench many-multitable "get pods,svc, $BULK pods (whole list)" "get pods,svc"
    bench many-getf "get -f (a List of $BULK pods) -o name" "get -f $WORK/bulk-pods.json -o name"
    RUNS=${MANY_RUNS:-1} WARMUP=0
    # kubectl describes each pod with its own GET (and, v1.33, an events list per pod): over
    # ten minutes for 5,000 pods on the sandbox; kubectl-rs alone.
    BENCH_ONLY_R=1 bench many-describe "describe pods, $BULK pods (kubectl: >10 min, not run)" "describe pods"
    # Each pod is waited on with its own list and watch (as kubectl does): memory is the
    # point here; both stop at the timeout.
    bench many-wait "wait --for=jsonpath={.status.phase}=Running pods --all --timeout=20s, $BULK pods (memory; both time out)" "wait --for=jsonpath={.status.phase}=Running pods --all --timeout=20s"
    bench many-label "label pods --all --overwrite, $BULK pods" "label pods --all --overwrite bench=\$(date +%s%N)"
    bench many-annotate "annotate pods --all --overwrite, $BULK pods" "annotate pods --all --overwrite bench=\$(date +%s%N)"
    RUNS=${SAVED[0]} WARMUP=${SAVED[1]} MEM_RUNS=${SAVED[2]}
fi

MAIN_RSS=$(peak_rss_mb "$MAIN_PID")
stop_sandbox "$MAIN_PID"

# --- sandbox scale (no kubectl) --------------------------------------------------------------
SCALE=()
if [ -z "${SKIP_SCALE:-}" ] && selected scale; then
    echo "== sandbox scale: 500 nodes" >&2
    SKC=$WORK/kc-scale
    start_sandbox "$SKC" "$WORK/sandbox-scale.log" --name scale --nodes 500
    SPID=$SBX_PID
    api_setup "$SKC" "$WORK/sapi"
    SCALE+=("| 500-node sandbox serving (kubeconfig written) | $SBX_START s |")
    t0=$(date +%s.%N)
    ks --kubeconfig "$SKC" apply -f "$SEED" >/dev/null
    n=$(wait_running "$WORK/sapi" app%3Dnode-exporter 500)
    SCALE+=("| seed DaemonSet applied → $n/500 pods Running | $(since "$t0") s |")
    ks --kubeconfig "$SKC" create deployment scale --image=nginx:1.27 --replicas=1 >/dev/null
    ks --kubeconfig "$SKC" rollout status deploy/scale --timeout=60s >/dev/null || true
    t0=$(date +%s.%N)
    ks --kubeconfig "$SKC" scale deploy/scale --replicas=1000 >/dev/null ||
        ks --kubeconfig "$SKC" patch deploy/scale -p '{"spec":{"replicas":1000}}' >/dev/null
    n=$(wait_running "$WORK/sapi" app%3Dscale 1000)
    SCALE+=("| Deployment scaled 1 → 1,000 replicas → $n/1000 pods Running | $(since "$t0") s |")
    SCALE+=("| 500-node sandbox peak RSS | $(peak_rss_mb "$SPID") MB |")
    stop_sandbox "$SPID"
fi

# --- report ----------------------------------------------------------------------------------
{
    echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; $(free -m | awk '/^Mem:/ {print $2}') MB RAM;" \
        "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); kubectl: $("$KUBECTL" version --client 2>/dev/null | head -1);" \
        "hyperfine --warmup $WARMUP --runs $RUNS; peak RSS = max of $MEM_RUNS GNU time runs" \
        "(stream cases over 5,000 pods: --warmup ${LARGE_WARMUP:-1} --runs ${LARGE_RUNS:-3}, ${LARGE_MEM_RUNS:-1} GNU time runs)."
    echo
    echo "| case | kubectl ms | kubectl-rs ms | speedup | kubectl MB | kubectl-rs MB | memory ratio | note |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "Main sandbox (kind-multinodes, 2 nodes) peak RSS: $MAIN_RSS MB."
    for n in "${NOTES[@]}"; do echo "$n"; done
    if [ ${#SCALE[@]} -gt 0 ]; then
        echo
        echo "| sandbox scale (kubectl-rs sandbox only) | result |"
        echo "| --- | ---: |"
        printf '%s\n' "${SCALE[@]}"
    fi
} | tee "$OUT"
echo "(table also in $OUT; hyperfine JSON in $WORK)" >&2

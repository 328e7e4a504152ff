#!/usr/bin/env bash
# benches/startup.sh: start-up and short-command latency, kubectl-rs against the real kubectl
# and a trivial binary (the floor of starting a process), in one run.
#
#     benches/startup.sh                      # version --client only (no cluster needed)
#     KUBECONFIG=... NS=startup benches/startup.sh   # also get pods, describe daemonset
#
# Knobs: RS (kubectl-rs binary, default target/release/kubectl-rs), KUBECTL (default
# kubectl.1.33), KUBECTL2 (a second kubectl to time, e.g. the real v1.36; optional), RS_BASE
# (an older kubectl-rs build to time beside RS, to measure a change; optional), RUNS
# (default 200 for version, RUNS_CLUSTER 60 for the cluster cases), WARMUP (default 20),
# NS (namespace holding the seed DaemonSet `node-exporter`, default `default`).
# Prints one table row per command and CLI: mean, median, min, max, σ (ms), then the load
# average. The discovery caches (kubectl's and kubectl-rs's subdirectories of one fresh
# KUBECACHEDIR) are warmed before timing.
# Needs hyperfine, jq and rustc (for the floor binary).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RS=${RS:-$ROOT/target/release/kubectl-rs}
KUBECTL=${KUBECTL:-/usr/lib/google-cloud-sdk/bin/kubectl.1.33}
KUBECTL2=${KUBECTL2:-}
RS_BASE=${RS_BASE:-}
RUNS=${RUNS:-200}
RUNS_CLUSTER=${RUNS_CLUSTER:-60}
WARMUP=${WARMUP:-20}
NS=${NS:-default}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-rs-startup.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export KUBECACHEDIR=$WORK/cache

for t in hyperfine jq rustc; do
    command -v "$t" >/dev/null || { echo "startup.sh: $t not found" >&2; exit 1; }
done
[ -x "$RS" ] || { echo "startup.sh: $RS missing (cargo build --release)" >&2; exit 1; }

# The floor: a Rust binary that prints one line.
echo 'fn main() { println!("Client Version: v0"); }' >"$WORK/floor.rs"
rustc -O -o "$WORK/floor" "$WORK/floor.rs"

CLIS=("kubectl-rs=$RS")
[ -n "$RS_BASE" ] && CLIS+=("kubectl-rs-base=$RS_BASE")
CLIS+=("kubectl=$KUBECTL")
[ -n "$KUBECTL2" ] && CLIS+=("kubectl2=$KUBECTL2")

echo "| command | binary | mean ms | median ms | min ms | max ms | σ ms |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"

# run LABEL RUNS CMD...: hyperfine over the given commands (name=command), one row each.
run() {
    local label=$1 runs=$2
    shift 2
    local hf=(hyperfine -N --warmup "$WARMUP" --runs "$runs" --export-json "$WORK/r.json" --style none)
    local c
    for c in "$@"; do hf+=(-n "${c%%=*}" "${c#*=}"); done
    "${hf[@]}" >/dev/null 2>&1
    jq -r --arg l "$label" '.results[] | "| \($l) | \(.command) | \(.mean*1000*10|round/10) | \(.median*1000*10|round/10) | \(.min*1000*10|round/10) | \(.max*1000*10|round/10) | \(.stddev*1000*10|round/10) |"' "$WORK/r.json"
}

cmds=()
for c in "${CLIS[@]}"; do cmds+=("${c%%=*}=${c#*=} version --client"); done
run "version --client" "$RUNS" "${cmds[@]}" "floor=$WORK/floor"

if [ -n "${KUBECONFIG:-}" ]; then
    for case in "get pods" "describe daemonset node-exporter"; do
        cmds=()
        for c in "${CLIS[@]}"; do
            # Warms the CLI's discovery cache.
            "${c#*=}" -n "$NS" $case >/dev/null
            cmds+=("${c%%=*}=${c#*=} -n $NS $case")
        done
        run "$case" "$RUNS_CLUSTER" "${cmds[@]}"
    done
fi
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"

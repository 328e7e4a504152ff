#!/usr/bin/env bash
# benches/test-cmd.sh: Kubernetes' own kubectl suite (test/cmd, `make test-cmd`) with kubectl-rs as `kubectl`.
#
# Not part of `cargo test` or CI: it needs a real v1.36 control plane built from source (the realk8s kit,
# ../shared/tools/realk8s/README.md, about 12 minutes on 2 cores, once per machine).
#
#     KIT=/path/to/kit benches/test-cmd.sh              # the whole upstream flow, per-function PASS/FAIL
#     WHAT="kubectl_get pod" KIT=… benches/test-cmd.sh  # some test functions only
#     NO_BUILD=1 KIT=… benches/test-cmd.sh              # use target/release/kubectl-rs as it is
#     KUBECTL=$KIT/bin-1.36/kubectl KIT=… benches/test-cmd.sh   # the real kubectl, for the baseline
# Environment: KIT (the kit dir: bin-1.36/ and src/), RUNNER (the test-cmd runner, default
# ../shared/tools/test-cmd/run.sh next to the checkout), OUT_DIR (logs and results.txt; default a temp dir),
# ETCD_PORT/SECURE_API_PORT/SECURE_CTLRMGR_PORT (see the runner). Prints "PASS|FAIL function (secs)", the first
# failing assertion of each FAIL, and "N passed, M failed"; exits non-zero when any function fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KIT=${KIT:?set KIT to the realk8s kit directory (it holds bin-1.36/ and src/)}
RUNNER=${RUNNER:-$ROOT/../shared/tools/test-cmd/run.sh}
KUBE_SRC=$KIT/src/deps/github.com/openshift/kubernetes

[[ -x "$RUNNER" ]] || { echo "test-cmd.sh: runner not found at $RUNNER (set RUNNER)" >&2; exit 2; }
[[ -x "$KIT/bin-1.36/kube-apiserver" && -d "$KUBE_SRC/test/cmd" ]] ||
  { echo "test-cmd.sh: $KIT is not a built realk8s kit (run its build.sh first)" >&2; exit 2; }

if [[ -z "${KUBECTL:-}" ]]; then
  [[ -n "${NO_BUILD:-}" ]] || (cd "$ROOT" && cargo build --release --locked)
  KUBECTL=$ROOT/target/release/kubectl-rs
fi
exec "$RUNNER" "$KUBE_SRC" "$KIT/bin-1.36" "$KUBECTL"

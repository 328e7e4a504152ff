#!/usr/bin/env python3
"""Records a golden transcript from a REAL server: runs each step of STEPS (one JSON array of
kubectl arguments a line) with KUBECTL in the steps' folder, against the cluster of
$KUBECONFIG, and writes to OUT, per step, `=== <the JSON line>`, what kubectl printed (stdout
then stderr) and `--- rc=N`. Each CLEANUP (a JSON array too) runs afterwards, unrecorded.

usage: KUBECONFIG=F record.py STEPS OUT KUBECTL [CLEANUP ...]
tests/it/fidelity.rs replays the transcripts against the sandbox.
"""
import json, os, subprocess, sys


def run(kubectl, args, cwd):
    return subprocess.run([kubectl] + args, cwd=cwd, capture_output=True, text=True, timeout=120)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    steps, out, kubectl, cleanups = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    cwd = os.path.dirname(os.path.abspath(steps))
    blocks = []
    for line in filter(None, (l.strip() for l in open(steps))):
        p = run(kubectl, json.loads(line), cwd)
        text = (p.stdout + p.stderr).rstrip("\n")
        blocks.append(f"=== {line}\n" + (f"{text}\n" if text else "") + f"--- rc={p.returncode}\n")
    for c in cleanups:
        run(kubectl, json.loads(c), cwd)
    open(out, "w").write("".join(blocks))


if __name__ == "__main__":
    main()

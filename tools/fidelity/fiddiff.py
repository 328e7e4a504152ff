#!/usr/bin/env python3
"""Runs one clidiff scenario with the same kubectl against two clusters (a real server and the
sandbox) and prints a unified diff of each differing step's normalised output.

usage: fiddiff.py SCENARIO MANIFEST_DIR --kubectl K --ref-kubeconfig F --test-kubeconfig F [--out DIR]
Normalisation is clidiff's (/work/shared/tools/clidiff.py, or CLIDIFF=path/to/clidiff.py).
With --out, the raw outputs of both sides are kept as DIR/{ref,test}/NN.{out,err,rc}.
"""
import argparse, difflib, importlib.util, os, shlex, sys

spec = importlib.util.spec_from_file_location(
    "clidiff", os.environ.get("CLIDIFF", "/work/shared/tools/clidiff.py"))
cd = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("manifests")
    ap.add_argument("--kubectl", required=True)
    ap.add_argument("--ref-kubeconfig", required=True)
    ap.add_argument("--test-kubeconfig", required=True)
    ap.add_argument("--out")
    a = ap.parse_args()
    steps = [l.strip() for l in open(a.scenario) if l.strip() and not l.lstrip().startswith("#")]
    sides = {}
    for side, kc in (("ref", a.ref_kubeconfig), ("test", a.test_kubeconfig)):
        env = dict(os.environ, KUBECONFIG=kc)

        def reset(env=env):
            import subprocess, time
            k = a.kubectl
            subprocess.run([k, "delete", "namespace", "-l", "clidiff=scratch", "--wait=true", "--timeout=60s"],
                           capture_output=True, env=env)
        sides[side] = cd.run_scenario(a.kubectl, steps, a.manifests, reset, env)
    passed = failed = 0
    for n, ((step, ro, re_, rc), (_, to, te, tc)) in enumerate(zip(sides["ref"], sides["test"])):
        if a.out:
            for side, (o, e, c) in (("ref", (ro, re_, rc)), ("test", (to, te, tc))):
                d = os.path.join(a.out, side)
                os.makedirs(d, exist_ok=True)
                for ext, text in (("out", o), ("err", e), ("rc", str(c))):
                    open(os.path.join(d, f"{n:02}.{ext}"), "w").write(text)
        diffs = []
        if rc != tc:
            diffs.append(f"  exit {tc}, want {rc}")
        for name, want, got in (("stdout", ro, to), ("stderr", re_, te)):
            w, g = cd.normalise(want), cd.normalise(got)
            if w != g:
                diffs.extend("  " + l for l in difflib.unified_diff(
                    w.splitlines(), g.splitlines(), f"real {name}", f"sandbox {name}", n=2, lineterm=""))
        if diffs:
            failed += 1
            print(f"FAIL  [{n:02}] kubectl {step}")
            print("\n".join(diffs))
        else:
            passed += 1
            print(f"ok    [{n:02}] kubectl {step}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()

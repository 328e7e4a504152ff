#!/usr/bin/env python3
"""Lists catalog ids that kubectl's source uses as a string literal without `i18n.T(`
around it (such a text prints untranslated there): candidates for NEVER_TRANSLATED in
src/i18n.rs. Usage: tools/i18ngen/unwrapped.py /path/to/kubernetes"""
import ast, glob, json, os, re, sys

k8s = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
ids = set()
for f in glob.glob(os.path.join(here, "../../data/i18n/*.json")):
    ids.update(e["id"] for e in json.load(open(f)))
lit = re.compile(r'(i18n\.T\(\s*)?("(?:[^"\\\n]|\\.)*"|`[^`]*`)')
uses = {}
for root in ["kubectl/pkg", "cli-runtime/pkg", "component-base/logs"]:
    for f in glob.glob(os.path.join(k8s, "staging/src/k8s.io", root, "**/*.go"), recursive=True):
        if f.endswith("_test.go"):
            continue
        text = open(f).read()
        for m in lit.finditer(text):
            raw = m.group(2)
            try:
                val = raw[1:-1] if raw[0] == "`" else ast.literal_eval(raw)
            except (ValueError, SyntaxError):
                continue
            if val in ids:
                line = text.count("\n", 0, m.start()) + 1
                uses.setdefault(val, []).append((f"{f}:{line}", bool(m.group(1))))
for val, sites in sorted(uses.items()):
    for site, wrapped in sites:
        if not wrapped:
            print(f"{site}: {val!r}")

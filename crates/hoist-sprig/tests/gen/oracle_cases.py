#!/usr/bin/env python3
"""Render template expressions with the real Helm (the oracle) and store what they print.

usage: oracle_cases.py CASES.txt OUT.json

CASES.txt holds one template expression per line (no braces; `#` starts a comment line).
Each becomes templates/cNNN.yaml = "{{ EXPR }}" in one scratch chart, rendered once with
/work/shared/oracle/helm-template --json. A case that fails makes the whole render fail, so its
error is recorded and the render is repeated without it. OUT.json is a list of
{"expr": ..., "out": text} or {"expr": ..., "err": Helm's error message}.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ORACLE = "/work/shared/oracle/helm-template"


def main():
    cases_path, out_path = sys.argv[1], sys.argv[2]
    exprs = []
    for line in open(cases_path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.strip() and not line.lstrip().startswith("#"):
            exprs.append(line)
    results = {}
    pending = set(range(len(exprs)))
    with tempfile.TemporaryDirectory() as tmp:
        chart = os.path.join(tmp, "t")
        os.makedirs(os.path.join(chart, "templates"))
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: t\nversion: 0.1.0\n")
        while pending:
            tdir = os.path.join(chart, "templates")
            for name in os.listdir(tdir):
                os.remove(os.path.join(tdir, name))
            for i in pending:
                with open(os.path.join(tdir, f"c{i:03}.yaml"), "w", encoding="utf-8") as f:
                    f.write("{{ " + exprs[i] + " }}")
            p = subprocess.run([ORACLE, "t", chart, "--json"], capture_output=True, text=True)
            if p.returncode == 0:
                rendered = json.loads(p.stdout)
                for i in pending:
                    results[i] = {"expr": exprs[i], "out": rendered[f"t/templates/c{i:03}.yaml"]}
                break
            err = p.stderr.strip()
            m = re.search(r"t/templates/c(\d{3})\.yaml", err)
            if not m:
                sys.exit("oracle failed without naming a case: " + err)
            i = int(m.group(1))
            results[i] = {"expr": exprs[i], "err": err.removeprefix("Error: ")}
            pending.discard(i)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump([results[i] for i in range(len(exprs))], f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()

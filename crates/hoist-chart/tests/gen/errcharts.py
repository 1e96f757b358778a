#!/usr/bin/env python3
"""Write small charts that Helm refuses (or accepts oddly) into tests/data/errcharts/<case>/ and
record what real Helm v4.2.3 (../shared/oracle/helm-template) prints for each into
tests/data/errcharts/expected.json: {case: {"args": [...], "error": "Error: ..." | null}}."""
import json, os, shutil, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "errcharts")
ORACLE = "/work/shared/oracle/helm-template"
CY = "apiVersion: v2\nname: c\nversion: 0.1.0\n"
T = {"templates/a.yaml": "x: 1\n"}
SUB = "apiVersion: v2\nname: sub\nversion: 1.0.0\n"

cases = {
 "bad-type": {"Chart.yaml": CY + "type: Library\n", **T},
 "bad-type-sub": {"Chart.yaml": CY, **T, "charts/sub/Chart.yaml": SUB + "type: foo\n"},
 "no-name": {"Chart.yaml": "apiVersion: v2\nversion: 0.1.0\n", **T},
 "no-version": {"Chart.yaml": "apiVersion: v2\nname: c\n", **T},
 "bad-api-version": {"Chart.yaml": "apiVersion: v9\nname: c\nversion: 0.1.0\n", **T},
 "bad-version": {"Chart.yaml": "apiVersion: v2\nname: c\nversion: abc\n", **T},
 "version-list": {"Chart.yaml": "apiVersion: v2\nname: c\nversion: [1]\n", **T},
 "version-float": {"Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.10\n", "templates/a.yaml": "v: {{ .Chart.Version }}\n"},
 "name-dotdot": {"Chart.yaml": "apiVersion: v2\nname: ..\nversion: 0.1.0\n", **T},
 "name-slash": {"Chart.yaml": "apiVersion: v2\nname: a/b\nversion: 0.1.0\n", **T},
 "maintainer-null": {"Chart.yaml": CY + "maintainers:\n- ~\n", **T},
 "maintainer-name-list": {"Chart.yaml": CY + "maintainers:\n- name: [1]\n", **T},
 "maintainers-string": {"Chart.yaml": CY + "maintainers: x\n", **T},
 "dependency-null": {"Chart.yaml": CY + "dependencies:\n- ~\n", **T},
 "dependencies-map": {"Chart.yaml": CY + "dependencies: {a: 1}\n", **T},
 "dependency-dup": {"Chart.yaml": CY + "dependencies:\n- name: sub\n  version: 1.0.0\n  repository: ''\n- name: sub\n  version: 1.0.0\n  repository: ''\n", **T, "charts/sub/Chart.yaml": SUB},
 "dependency-bad-alias": {"Chart.yaml": CY + "dependencies:\n- name: sub\n  version: 1.0.0\n  repository: ''\n  alias: a.b\n", **T, "charts/sub/Chart.yaml": SUB},
 "deprecated-string": {"Chart.yaml": CY + "deprecated: 'yes'\n", **T},
 "keywords-string": {"Chart.yaml": CY + "keywords: x\n", **T},
 "annotations-list": {"Chart.yaml": CY + "annotations: [1]\n", **T},
 "chart-yaml-list": {"Chart.yaml": "- a\n", **T},
 "chart-yaml-bad": {"Chart.yaml": "apiVersion: v2\nname: [c\n", **T},
 "values-list": {"Chart.yaml": CY, **T, "values.yaml": "- a\n"},
 "values-string": {"Chart.yaml": CY, **T, "values.yaml": "hello\n"},
 "values-separator": {"Chart.yaml": CY, **T, "values.yaml": "a: 1\n--- x\n"},
 "values-bad-yaml": {"Chart.yaml": CY, **T, "values.yaml": "a: [1\n"},
 "values-inf": {"Chart.yaml": CY, **T, "values.yaml": "a: .inf\n"},
 "stray-file-in-charts": {"Chart.yaml": CY, **T, "charts/README.md": "hi\n"},
 "nested-stray-file": {"Chart.yaml": CY, **T, "charts/sub/Chart.yaml": SUB, "charts/sub/charts/notes.txt": "x\n"},
 "skipped-subchart-dirs": {"Chart.yaml": CY, **T, "charts/_x/junk": "x", "charts/.y/junk": "x", "charts/z.prov": "sig"},
 "helmignore-doublestar": {"Chart.yaml": CY, **T, ".helmignore": "a/**/b\n"},
 "helmignore-bad-pattern": {"Chart.yaml": CY, **T, ".helmignore": "[\n"},
 "helmignore-ignores-values": {"Chart.yaml": CY, "templates/a.yaml": "x: {{ .Values.a }}\n", "values.yaml": "a: 1\n", ".helmignore": "values.yaml\n"},
 "kube-version": {"Chart.yaml": CY + "kubeVersion: '<1.20.0'\n", **T},
 "library": {"Chart.yaml": CY + "type: library\n", "templates/_a.tpl": "{{ define \"x\" }}{{ end }}\n"},
 "missing-dependency": {"Chart.yaml": CY + "dependencies:\n- name: sub\n  version: 1.0.0\n  repository: ''\n", **T},
 "dependency-version-mismatch": {"Chart.yaml": CY + "dependencies:\n- name: sub\n  version: 2.0.0\n  repository: ''\n", "templates/a.yaml": "x: {{ toJson .Values }}\n", "charts/sub/Chart.yaml": SUB, "charts/sub/values.yaml": "k: v\n"},
 "set-sub-string": {"Chart.yaml": CY, **T, "charts/sub/Chart.yaml": SUB, "args": ["--set", "sub=foo"]},
 "set-sub-list": {"Chart.yaml": CY, **T, "charts/sub/Chart.yaml": SUB, "args": ["--set-json", "sub=[1,\"a\"]"]},
}

def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for name, files in sorted(cases.items()):
        d = os.path.join(OUT, name)
        if os.path.exists(d):
            shutil.rmtree(d)
        args = files.get("args", [])
        for rel, text in files.items():
            if rel == "args":
                continue
            p = os.path.join(d, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
        r = subprocess.run([ORACLE, d, "--json", *args], capture_output=True, text=True)
        err = None
        if r.returncode != 0:
            lines = [l for l in r.stderr.splitlines() if l.startswith("Error: ")]
            err = lines[-1] if lines else r.stderr.strip()
        expected[name] = {"args": args, "error": err,
                          "output": json.loads(r.stdout) if r.returncode == 0 else None}
        print(name, err, flush=True)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"source": "real Helm v4.2.3 via shared/oracle/helm-template", "cases": expected}, f, indent=1, sort_keys=True)

main()

#!/usr/bin/env python3
"""Makes tests/data/errors.json: charts that Helm refuses, with real Helm's error text.

Each case is a small chart (files by path) and the arguments after `template`. The expected
stderr comes from the oracle (../../../../shared/oracle/helm-template, Helm v4.2.3). The oracle
renders through Helm's SDK, so for errors raised after the release object exists (render and
manifest-parse errors) `helm template` appends "\\n\\nUse --debug flag to render out invalid YAML"
(pkg/cmd/template.go); `stage: render` marks those. Manifest YAML errors are not here: the oracle assembles manifests itself and
does not reproduce them; Helm's own golden (template-with-invalid-yaml.txt) covers them.
Run: python3 tests/gen/errors.py
"""
import json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, "..", "..", "..", "..", "..", "shared", "oracle", "helm-template")
CHART = "apiVersion: v2\nname: err\nversion: 0.1.0\n"

CASES = [
    ("parse error: unclosed action", "render", {"templates/a.yaml": "a: {{ .Values.x\n"}, []),
    ("parse error: undefined function", "render", {"templates/a.yaml": "a: {{ nosuch 1 }}\n"}, []),
    ("parse error: unexpected end", "render", {"templates/a.yaml": "{{ if .Values.x }}\na: 1\n"}, []),
    ("exec error: nil pointer", "render", {"templates/a.yaml": "a: {{ .Values.a.b.c }}\n"}, []),
    ("exec error: nested include", "render", {
        "templates/_h.tpl": '{{- define "err.inner" }}{{ .Values.a.b.c }}{{ end }}\n',
        "templates/a.yaml": 'a: {{ include "err.inner" . }}\n'}, []),
    ("exec error: wrong comparison", "render", {"values.yaml": "x: 1\n",
        "templates/a.yaml": "a: {{ eq .Values.x 1 }}\n"}, []),
    ("exec error: index out of range", "render", {"values.yaml": "l: [1]\n",
        "templates/a.yaml": "a: {{ index .Values.l 3 }}\n"}, []),
    ("required fails", "render", {"templates/a.yaml": 'a: {{ required "x is required" .Values.x }}\n'}, []),
    ("required fails inside include", "render", {
        "templates/_h.tpl": '{{- define "err.r" }}{{ required "need y" .Values.y }}{{ end }}\n',
        "templates/a.yaml": 'a: {{ include "err.r" . }}\n'}, []),
    ("fail", "render", {"templates/a.yaml": '{{ fail "stop here" }}\n'}, []),
    ("tpl error", "render", {"values.yaml": "t: '{{ .Values.a.b }}'\n",
        "templates/a.yaml": "a: {{ tpl .Values.t . }}\n"}, []),
    ("malformed values.yaml", "load", {"values.yaml": "a: b: c\n", "templates/a.yaml": "a: 1\n"}, []),
    ("malformed values.yaml list", "load", {"values.yaml": "- a\n  b: [\n", "templates/a.yaml": "a: 1\n"}, []),
    ("malformed -f file", "values-file", {"templates/a.yaml": "a: 1\n", "bad.yaml": "x: [1, 2\n"}, ["-f", "{chart}/bad.yaml"]),
    ("bad chart type", "load", {"Chart.yaml": CHART + "type: Library\n", "templates/a.yaml": "a: 1\n"}, []),
    ("missing chart name", "load", {"Chart.yaml": "apiVersion: v2\nversion: 0.1.0\n", "templates/a.yaml": "a: 1\n"}, []),
    ("malformed Chart.yaml", "load", {"Chart.yaml": "apiVersion: v2\nname: [\n", "templates/a.yaml": "a: 1\n"}, []),
    ("bad --set", "values-set", {"templates/a.yaml": "a: 1\n"}, ["--set", "a"]),
    ("schema violation", "values", {"values.yaml": "age: -5\n",
        "values.schema.json": '{"type":"object","properties":{"age":{"type":"integer","minimum":0}}}',
        "templates/a.yaml": "a: 1\n"}, []),
]


def main():
    out = []
    for name, stage, files, args in CASES:
        files = dict(files)
        files.setdefault("Chart.yaml", CHART)
        with tempfile.TemporaryDirectory() as d:
            chart = os.path.join(d, "err")
            for path, text in files.items():
                p = os.path.join(chart, path)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                open(p, "w").write(text)
            real_args = [a.replace("{chart}", chart) for a in args]
            p = subprocess.run([sys.executable, ORACLE, chart, *real_args], capture_output=True, text=True)
            if p.returncode == 0:
                sys.exit(f"{name}: Helm accepted the chart")
            err = p.stderr.replace(chart, "{chart}")
            # The CLI wraps value-flag errors (pkg/cli/values/options.go MergeValues); the SDK
            # entry point the oracle uses does not, and its values reader skips LoadValues (load.go),
            # which adds "cannot unmarshal yaml document: ".
            if stage == "values-file":
                err = err.replace("Error: ", "Error: failed to parse {chart}/bad.yaml: cannot unmarshal yaml document: ", 1)
            if stage == "values-set":
                err = err.replace("Error: ", "Error: failed parsing --set data: ", 1)
            if stage == "render":
                err = err.rstrip("\n") + "\n\nUse --debug flag to render out invalid YAML\n"
            out.append({"name": name, "files": files, "args": args, "stderr": err})
            print(name, "->", err.strip().splitlines()[0][:100])
    with open(os.path.join(HERE, "..", "data", "errors.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()

"""Shared helpers: build a throwaway chart, render it with the Helm oracle, return the raw map."""
import json, os, shutil, subprocess, tempfile

ORACLE = "/work/shared/oracle/helm-template"


def render(files, values=None):
    """files: {relative path: text}. Returns {template path: rendered text}."""
    d = tempfile.mkdtemp(prefix="goyaml-gen-")
    try:
        chart = os.path.join(d, "t")
        os.makedirs(os.path.join(chart, "templates"))
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: t\nversion: 0.1.0\n")
        if values is not None:
            with open(os.path.join(chart, "values.yaml"), "w") as f:
                f.write(values)
        for rel, text in files.items():
            p = os.path.join(chart, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        out = subprocess.run([ORACLE, chart, "--json"], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit("oracle failed: " + out.stderr)
        return json.loads(out.stdout)
    finally:
        shutil.rmtree(d)

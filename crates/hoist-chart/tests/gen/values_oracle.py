#!/usr/bin/env python3
"""Generate tests/data/oracle/<chart-id>.json: what real Helm v4.2.3 gives for `.Values` and
`.Chart` of every (sub)chart of every corpus chart, by default and with the corpus variant values.

For each chart in ../shared/corpus/charts, a copy is made in which every chart directory's
templates are replaced by `values.json` = `{{ toJson .Values }}` and `chart.json` =
`{{ toJson .Chart }}`; the oracle renders it with --json.
usage: values_oracle.py [CHART-ID...]"""
import json, os, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.abspath(os.path.join(HERE, "../../../../../shared/corpus/charts"))
if not os.path.isdir(CORPUS):
    CORPUS = "/work/shared/corpus/charts"
ORACLE = os.path.join(os.path.dirname(CORPUS), "..", "oracle", "helm-template")
OUT = os.path.join(HERE, "..", "data", "oracle")
TMP = "/tmp/hoist-chart-oracle"


def prepare(src, dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=False)
    for root, dirs, files in os.walk(dst):
        if "Chart.yaml" in files:
            t = os.path.join(root, "templates")
            if os.path.isdir(t):
                shutil.rmtree(t)
            os.makedirs(t)
            with open(os.path.join(t, "values.json"), "w") as f:
                f.write("{{ toJson .Values }}\n")
            with open(os.path.join(t, "chart.json"), "w") as f:
                f.write("{{ toJson .Chart }}\n")


def render(chart, extra):
    p = subprocess.run([ORACLE, chart, "--json", *extra], capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "failed"}
    return {"files": json.loads(p.stdout)}


# Helm's own test charts (pkg/cmd/testdata/testcharts), with extra value scenarios.
TESTCHARTS = os.path.join(os.path.dirname(CORPUS), "helm-testdata", "testcharts")
EXTRA = {
    "subchart": [["--set", "subcharta.enabled=false"], ["--set", "tags.front-end=false,subchart1.enabled=true"],
                 ["--set", "global.harbor=x,subcharta.global.local=y"],
                 ["--set", "service.name=apache"], ["--set-string", "replicaCount=7"]],
    "issue-9027": [["--set", "global.hash.key3=null"], ["--set", "subchart.global.hash.key1=null"]],
    "chart-with-subchart-update": [],
    "chart-with-schema-and-subchart": [],
    "chart-with-lib-dep": [],
    "chart-with-subchart-notes": [],
    "chart-with-template-lib-dep": [],
    "chart-with-template-lib-archive-dep": [],
    "upgradetest": [],
    "object-order": [],
    "chart-with-secret": [],
    "alpine": [["--set", "a.b[2].c=1"]],
}


def testcharts():
    os.makedirs(OUT, exist_ok=True)
    for name, extra in sorted(EXTRA.items()):
        src = os.path.join(TESTCHARTS, name)
        dst = os.path.join(TMP, "helm-testdata", name)
        prepare(src, dst)
        res = {"chart": name, "default": render(dst, [])}
        for i, args in enumerate(extra):
            r = render(dst, args)
            r["args"] = args
            res["extra%d" % i] = r
        with open(os.path.join(OUT, "helm-testdata--" + name + ".json"), "w") as f:
            json.dump(res, f, indent=0, sort_keys=True)
        print(name, "ok" if "files" in res["default"] else res["default"], flush=True)


def main():
    if sys.argv[1:] == ["--testcharts"]:
        return testcharts()
    ids = sys.argv[1:] or sorted(os.listdir(CORPUS))
    os.makedirs(OUT, exist_ok=True)
    for cid in ids:
        d = os.path.join(CORPUS, cid)
        names = [n for n in os.listdir(d) if n != "expected"]
        if len(names) != 1:
            continue
        dst = os.path.join(TMP, cid, names[0])
        prepare(os.path.join(d, names[0]), dst)
        res = {"chart": names[0], "default": render(dst, [])}
        variant = os.path.join(d, "expected", "variant.values.yaml")
        if os.path.exists(variant):
            res["variant"] = render(dst, ["-f", variant])
        with open(os.path.join(OUT, cid + ".json"), "w") as f:
            json.dump(res, f, indent=0, sort_keys=True)
        print(cid, "ok" if "files" in res["default"] else res["default"], flush=True)


main()

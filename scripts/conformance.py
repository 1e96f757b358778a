#!/usr/bin/env python3
"""Differential conformance: hoist's `chart template` against real Helm v4.2.3.

usage:
  conformance.py CHART_DIR... [-- EXTRA_ARGS]
      render each chart with hoist and with the oracle (../shared/oracle/helm-template), diff them
  conformance.py --corpus CORPUS_DIR [--baseline FILE] [--write-baseline FILE] [--only SUBSTR]
      CORPUS_DIR/charts/<id>/<chart> against CORPUS_DIR/charts/<id>/expected/*.yaml (default values
      and the variant.values.yaml variation), and every chart in CORPUS_DIR/helm-testdata/testcharts
      against the oracle; lines that differ between helm-template.yaml and helm-template.alt.yaml
      are volatile (random or clock functions) and may hold any value.

With --baseline, exits 1 when a case listed in FILE no longer matches (a regression); cases that
newly match are reported so the baseline can be raised with --write-baseline.
"""
import argparse
import difflib
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ORACLE = os.environ.get("HOIST_ORACLE", os.path.join(ROOT, "..", "shared", "oracle", "helm-template"))
HOIST = os.environ.get("HOIST_BIN", os.path.join(ROOT, "target", "release", "hoist"))


# Where the oracle (Helm's SDK) and the `helm template` command part ways, hoist follows the
# command. These cases say how each is checked instead.
CORPUS_ARGS = {
    # Chart.yaml says kubeVersion "< 1.24.0-0": `helm template` refuses it under the default
    # Kubernetes v1.36.0 (hoist does too: tests/errors.rs); the SDK skips that check. With a
    # Kubernetes version the chart accepts, the output must equal the corpus.
    "labring-actions--rancher": ["--kube-version", "1.23.0"],
}
SDK_ONLY = {
    # The command checks dependencies before rendering; the SDK does not (golden:
    # upgrade-with-missing-dependencies.txt, tests/errors.rs).
    "testcharts/chart-missing-deps": "missing dependency is refused by the command",
    "testcharts/issue-7233": "missing dependency is refused by the command",
    # The oracle assembles manifests in Python and accepts documents `helm template` refuses
    # (golden: template-with-invalid-yaml.txt; a plain-string document fails SimpleHead decoding).
    "testcharts/chart-with-template-with-invalid-yaml": "invalid YAML is refused by the command",
    "testcharts/compressedchart-0.1.0.tgz": "a plain-text document is refused by the command",
    "testcharts/compressedchart-0.2.0.tgz": "a plain-text document is refused by the command",
    "testcharts/compressedchart-0.3.0.tgz": "a plain-text document is refused by the command",
    "testcharts/compressedchart-with-hyphens-0.1.0.tgz": "a plain-text document is refused by the command",
    # The command's loader reads Chart.yaml first to pick the chart API version and reports that
    # failure; the SDK calls the v2 loader directly ("Chart.yaml file is missing").
    "testcharts/upgradetest": "the command reports the missing Chart.yaml differently",
}
CLI_SUFFIX = "\n\nUse --debug flag to render out invalid YAML"
# The corpus was rendered at this instant; charts that print `now` need the same clock.
CORPUS_NOW = "2026-11-24T15:39:33Z"


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace")
    return p.returncode, p.stdout, p.stderr


def hoist_template(chart, extra, env=None):
    p = subprocess.run([HOIST, "chart", "template", chart, *extra], capture_output=True,
                       text=True, errors="replace", env={**os.environ, **(env or {})})
    return p.returncode, p.stdout, p.stderr


def oracle_template(chart, extra):
    return run([sys.executable, ORACLE, chart, *extra])


def volatile_match(got, expected, alt):
    """True when got equals expected, except at lines where expected and alt differ."""
    if got == expected:
        return True
    if alt is None:
        return False
    g, e, a = got.split("\n"), expected.split("\n"), alt.split("\n")
    if not (len(g) == len(e) == len(a)):
        return False
    return all(x == y or y != z for x, y, z in zip(g, e, a))


def first_diff(got, expected, name):
    lines = list(difflib.unified_diff(expected.splitlines(), got.splitlines(),
                                      f"helm:{name}", f"hoist:{name}", lineterm="", n=1))
    return "\n".join(lines[:24])


def read(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def corpus_cases(corpus, only):
    charts = os.path.join(corpus, "charts")
    for cid in sorted(os.listdir(charts)) if os.path.isdir(charts) else []:
        if only and only not in cid:
            continue
        exp_dir = os.path.join(charts, cid, "expected")
        chart = [d for d in sorted(os.listdir(os.path.join(charts, cid))) if d != "expected"]
        if not chart:
            continue
        chart_dir = os.path.join(charts, cid, chart[0])
        args = CORPUS_ARGS.get(cid, [])
        yield (f"corpus/{cid}", chart_dir, args,
               read(os.path.join(exp_dir, "helm-template.yaml")),
               read(os.path.join(exp_dir, "helm-template.alt.yaml")))
        variant = os.path.join(exp_dir, "variant.values.yaml")
        if os.path.exists(variant):
            yield (f"corpus/{cid}#variant", chart_dir, args + ["-f", variant],
                   read(os.path.join(exp_dir, "variant-helm-template.yaml")),
                   read(os.path.join(exp_dir, "variant-helm-template.alt.yaml")))


def testchart_cases(corpus, only):
    tc = os.path.join(corpus, "helm-testdata", "testcharts")
    for name in sorted(os.listdir(tc)) if os.path.isdir(tc) else []:
        path = os.path.join(tc, name)
        if only and only not in name:
            continue
        if os.path.isdir(path) or name.endswith(".tgz"):
            yield (f"testcharts/{name}", path, [], None, None)


def check_case(case_id, chart, extra, expected, alt, verbose):
    if case_id in SDK_ONLY:
        return None, SDK_ONLY[case_id], 0.0
    env = {"HOIST_NOW": CORPUS_NOW} if case_id.startswith("corpus/") else {}
    t0 = time.perf_counter()
    code, out, err = hoist_template(chart, extra, env)
    hoist_secs = time.perf_counter() - t0
    if expected is None:
        ocode, oout, oerr = oracle_template(chart, extra)
        if ocode != 0:
            # Both must refuse the chart with the same message.
            ok = code != 0 and err.strip() in (oerr.strip(), oerr.strip() + CLI_SUFFIX)
            detail = f"helm: {oerr.strip()}\nhoist: {err.strip()}"
            return ok, detail, hoist_secs
        expected = oout
    if code != 0:
        return False, f"hoist failed: {err.strip()[:2000]}", hoist_secs
    ok = volatile_match(out, expected, alt)
    return ok, ("" if ok else first_diff(out, expected, case_id)), hoist_secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("charts", nargs="*")
    ap.add_argument("--corpus")
    ap.add_argument("--baseline")
    ap.add_argument("--write-baseline")
    ap.add_argument("--only")
    ap.add_argument("-v", "--verbose", action="store_true")
    args, extra = ap.parse_known_args()
    if extra and extra[0] == "--":
        extra = extra[1:]

    if not os.path.exists(HOIST):
        sys.exit(f"conformance: no hoist binary at {HOIST} (cargo build --release -p hoist)")

    cases = []
    if args.corpus:
        if not os.path.isdir(args.corpus):
            print(f"conformance: skipped, no corpus at {args.corpus}")
            return 0
        cases += list(corpus_cases(args.corpus, args.only))
        cases += list(testchart_cases(args.corpus, args.only))
    for chart in args.charts:
        cases.append((chart, chart, extra, None, None))

    passed, failed, skipped = [], [], []
    total_secs = 0.0
    for case_id, chart, cextra, expected, alt in cases:
        ok, detail, secs = check_case(case_id, chart, cextra, expected, alt, args.verbose)
        total_secs += secs
        if ok is None:
            skipped.append(case_id)
            print(f"skip {case_id}: {detail}", flush=True)
            continue
        (passed if ok else failed).append(case_id)
        print(f"{'ok  ' if ok else 'FAIL'} {case_id}", flush=True)
        if not ok and (args.verbose or not args.corpus):
            print("    " + detail.replace("\n", "\n    "))

    print(f"conformance: {len(passed)} of {len(passed) + len(failed)} cases identical to Helm "
          f"({len(failed)} differ, {len(skipped)} checked elsewhere); hoist time {total_secs:.2f}s")
    status = 0
    if args.baseline:
        want = [l.strip() for l in open(args.baseline) if l.strip() and not l.startswith("#")]
        regressed = [c for c in want if c not in passed]
        newly = [c for c in passed if c not in want]
        for c in regressed:
            print(f"conformance: REGRESSION {c} is in the baseline but no longer matches")
        if newly:
            print(f"conformance: {len(newly)} case(s) match that the baseline does not list yet")
        status = 1 if regressed else 0
    if args.write_baseline:
        with open(args.write_baseline, "w") as f:
            f.write("# cases that render byte-identical to Helm v4.2.3 (scripts/conformance.py)\n")
            for c in passed:
                f.write(c + "\n")
    if not args.baseline and not args.write_baseline and failed:
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())

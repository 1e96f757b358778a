#!/usr/bin/env python3
"""Benchmark: hoist `chart template` against Helm v4.2.3's in-process render, per chart and total.

For every chart of the corpus (default ../shared/corpus/charts) it measures, in one run:
  helm   load + render + `helm template` assembly inside one Python process that has the Helm SDK
         already loaded (Helm's in-process cost, with no process start-up), best of --repeat;
  hoist  the same work in-process (`cargo bench -p hoist-render --bench corpus`: load, values,
         render, sort and print), best of --repeat; and the whole `hoist chart template` process
         (start-up included), best of --repeat;
and the peak resident memory of each side (hoist: the process; Helm: the worker process after
rendering that chart, minus nothing: it is what a `helm template` process would hold at least).

usage: bench-chart-render.py [--corpus DIR] [--repeat N] [--only SUBSTR]
Not a test: prints a table and the total ratio. Run it on an otherwise idle machine.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ORACLE = os.path.join(ROOT, "..", "shared", "oracle", "helm-template")
HOIST = os.environ.get("HOIST_BIN", os.path.join(ROOT, "target", "release", "hoist"))
VENV = os.environ.get("HOIST_ORACLE_VENV", os.path.expanduser("~/.cache/hoist-oracle/venv"))

WORKER = r"""
import json, resource, sys, time, importlib.util
spec = importlib.util.spec_from_file_location("oracle", sys.argv[1])
src = open(sys.argv[1]).read()
oracle = {}
exec(compile(src.split('if __name__ == "__main__":')[0], sys.argv[1], "exec"), oracle)
helm = oracle["helm"]
repeat = int(sys.argv[2])
for line in sys.stdin:
    chart = line.strip()
    best = None
    err = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        try:
            with helm.Chart.load(chart) as c:
                files = c.render(None, name="release-name", namespace="default", revision=1,
                                 is_install=True, is_upgrade=False)
            oracle["helm_template"](files)
        except Exception as e:  # a chart Helm refuses still costs its time
            err = str(e)[:80]
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"chart": chart, "secs": best, "rss_kib": rss, "error": err}), flush=True)
"""


def hoist_run(chart, repeat):
    best, rss = None, 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = subprocess.Popen([HOIST, "chart", "template", chart], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
        rss = max(rss, usage.ru_maxrss)
    return best, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus", "charts"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only")
    args = ap.parse_args()
    charts = []
    for cid in sorted(os.listdir(args.corpus)):
        if args.only and args.only not in cid:
            continue
        sub = [d for d in sorted(os.listdir(os.path.join(args.corpus, cid))) if d != "expected"]
        if sub:
            charts.append((cid, os.path.join(args.corpus, cid, sub[0])))

    inproc = {}
    bench = subprocess.run(["cargo", "bench", "-q", "-p", "hoist-render", "--bench", "corpus", "--",
                            args.corpus, str(args.repeat)], cwd=ROOT, capture_output=True, text=True)
    for line in bench.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            inproc[row["chart"]] = row["secs"]

    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, ORACLE, "--help"], capture_output=True)
    worker = subprocess.Popen([py, "-c", WORKER, ORACLE, str(args.repeat)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    rows = []
    print(f"{'chart':48} {'helm ms':>9} {'hoist ms':>9} {'ratio':>7} {'process':>9} {'helm MiB':>9} {'hoist MiB':>9}")
    for cid, chart in charts:
        worker.stdin.write(chart + "\n")
        worker.stdin.flush()
        h = json.loads(worker.stdout.readline())
        ps, hrss = hoist_run(chart, args.repeat)
        hs = inproc.get(cid, ps)
        rows.append((cid, h["secs"], hs, h["rss_kib"], hrss, ps))
        print(f"{cid:48} {h['secs']*1000:9.1f} {hs*1000:9.1f} {h['secs']/hs:7.1f} {ps*1000:9.1f} "
              f"{h['rss_kib']/1024:9.1f} {hrss/1024:9.1f}", flush=True)
    worker.stdin.close()
    worker.wait()
    th = sum(r[1] for r in rows)
    to = sum(r[2] for r in rows)
    tp = sum(r[5] for r in rows)
    print(f"total in-process: helm {th*1000:.0f} ms, hoist {to*1000:.0f} ms, ratio {th/to:.1f}x over {len(rows)} charts; "
          f"hoist as a process {tp*1000:.0f} ms (ratio {th/tp:.1f}x); "
          f"peak RSS helm {max(r[3] for r in rows)/1024:.0f} MiB, hoist {max(r[4] for r in rows)/1024:.0f} MiB")


if __name__ == "__main__":
    main()

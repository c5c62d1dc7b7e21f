#!/usr/bin/env python3
"""End to end, as a user times it: the whole command (`samovar run ...`, `node web/node-run.mjs run
...`, `python3 bench/python/SCENARIO.py`) or the whole run in the page, with the guide's lines
printed, as the median of several runs. Each row is one figure of the speed issue's table, taken
from what the run reports (its wall time, its metrics) and, for memory, from the operating system's
account of the finished process (its peak resident set).

    python3 bench/end_to_end.py                 # every row, 5 runs each
    python3 bench/end_to_end.py --runs 3 --only gather-100k,race-lock
    python3 bench/end_to_end.py --markdown out.md

Chromium's figures come from bench/in_chromium.mjs (playwright-core, Debian's chromium), which this
runs once per row with the page served by `samovar serve`.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMOVAR = Path(os.environ.get("SAMOVAR_BIN", ROOT / "build/native/native/samovar"))
NODE_RUN = ROOT / "web/node-run.mjs"
PYTHON_DIR = ROOT / "bench/python"
IN_CHROMIUM = ROOT / "bench/in_chromium.mjs"


def gather(tasks, spans=False):
    return {"scenario": "gather", "params": {"tasks": tasks, "delay": 1}, "trace": "spans" if spans else "off"}


# id: (what the user runs, the request, the figure: (name, unit, how to read it from a report),
#      the targets it is measured on)
ROWS = {
    "gather-100k": ("gather, 100,000 tasks, 0.1 s of sleep, no spans: overhead per task",
                    gather(100_000), ("overhead per task", "µs", lambda r: (r["wall_s"] - 0.1) / 100_000 * 1e6),
                    ("native", "node", "chromium", "cpython")),
    "gather-1m": ("gather, 1,000,000 tasks, no spans: wall", gather(1_000_000),
                  ("wall", "s", lambda r: r["wall_s"]), ("native", "node", "chromium")),
    # 100,000 switches, not the default million: CPython takes 30 s over those, and the overhead
    # per task is measured apart from them.
    "scale": ("scale (asyncio), 100,000 tasks: overhead per task, as reported",
              {"scenario": "scale", "model": "asyncio", "params": {"switches": 100_000}},
              ("overhead per task", "µs", lambda r: r["metrics"]["overhead_us_per_task"]),
              ("native", "node", "chromium", "cpython")),
    "scale-wall": ("scale (asyncio), spans on: wall", {"scenario": "scale", "model": "asyncio",
                                                       "params": {"switches": 100_000}},
                   ("wall", "s", lambda r: r["wall_s"]), ("native", "node", "chromium")),
    "http-1000": ("http-get, 1,000 concurrent GETs of /delay/0.2: overhead over 0.2 s",
                  {"scenario": "http-get", "params": {"requests": 1000}},
                  ("overhead", "s", lambda r: r["wall_s"] - 0.2), ("native", "cpython")),
    "gather-spans": ("gather, 100,000 tasks, spans on: wall (tracing's cost beside gather-100k's)",
                     gather(100_000, spans=True), ("wall", "s", lambda r: r["wall_s"]),
                     ("native", "node", "chromium")),
    "gather-off": ("gather, 100,000 tasks, spans off: wall", gather(100_000),
                   ("wall", "s", lambda r: r["wall_s"]), ("native", "node", "chromium")),
    "race-lock": ("race sync=lock, 2 x 100,000 increments: ns per increment",
                  {"scenario": "race", "params": {"sync": "lock", "increments": 100_000}},
                  ("per increment", "ns", lambda r: r["metrics"]["ns_per_increment"]),
                  ("native", "node", "chromium", "cpython")),
    "thread-start": ("scale (threading): thread start + join", {"scenario": "scale", "model": "threading",
                                                                "params": {"tasks": 10_000, "switches": 100_000}},
                     ("start + join", "µs", lambda r: r["metrics"]["thread_start_join_us"]),
                     ("native", "node", "chromium", "cpython")),
    "process-round-trip": ("scale (multiprocessing): a call to a pool's process and back",
                           {"scenario": "scale", "model": "multiprocessing",
                                                            "params": {"tasks": 10_000, "switches": 100_000}},
                           ("round trip", "µs", lambda r: r["metrics"]["process_round_trip_us"]),
                           ("native", "node", "chromium", "cpython")),
    "page-timeline": ("the page: gather, 100,000 tasks (scale 0.01), Run pressed to the results and timeline drawn",
                      {"scenario": "gather", "params": {"tasks": 100_000}, "scale": 0.01},
                      ("drawing, beyond the engine's wall", "s", lambda r: r["page_s"] - r["wall_s"]),
                      ("chromium-page",)),
}


def cli_args(request):
    args = ["run", request["scenario"]]
    if "model" in request:
        args += ["--model", request["model"]]
    for name, value in request.get("params", {}).items():
        args += ["--set", f"{name}={json.dumps(value) if not isinstance(value, str) else value}"]
    if "scale" in request:
        args += ["--scale", str(request["scale"])]
    if request.get("trace") == "off":
        args.append("--no-spans")
    return args + ["--json"]


def run_process(argv):
    """Runs argv to its end; returns (its stdout, wall seconds, peak RSS in MB), the last two from
    the kernel's account of that process (wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=ROOT)
    out = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    # A child's peak counts the memory of this process it was forked from: a peak no higher than
    # ours says only "at most this", so it is left out.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak = usage.ru_maxrss / 1024 if usage.ru_maxrss > own else None
    return out.decode(), time.perf_counter() - start, peak


def report_of(target, request):
    if target == "native":
        out, wall, rss = run_process([str(SAMOVAR)] + cli_args(request))
        return json.loads(out), wall, rss
    if target == "node":
        out, wall, rss = run_process(["node", str(NODE_RUN)] + cli_args(request))
        return json.loads(out), wall, rss
    if target == "cpython":
        program = PYTHON_DIR / f"{request['scenario'].replace('-', '_')}.py"
        full = {"schema_version": 1, **request}
        out, wall, rss = run_process([sys.executable, str(program), json.dumps(full)])
        summary = next(line for line in out.splitlines() if line.startswith("@samovar-summary "))
        return json.loads(summary.split(" ", 1)[1]), wall, rss
    raise ValueError(target)


def in_chromium(request, runs, via_page=False):
    argv = ["node", str(IN_CHROMIUM)] + (["--page"] if via_page else []) + [json.dumps(request), str(runs)]
    out = subprocess.run(argv, cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "in_chromium failed")
    return json.loads(out.stdout)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def measure(row_id, runs, targets):
    what, request, (figure, unit, read), row_targets = ROWS[row_id]
    result = {"row": row_id, "what": what, "figure": figure, "unit": unit, "targets": {}}
    for target in row_targets:
        if targets and target not in targets:
            continue
        try:
            if target.startswith("chromium"):
                reports = in_chromium(request, runs, via_page=target == "chromium-page")
                values = [read(r) for r in reports]
                walls, peaks = [r.get("page_s") for r in reports], []
            else:
                values, walls, peaks = [], [], []
                report_of(target, request)  # warm-up: caches, the first page faults of a binary
                for _ in range(runs):
                    report, wall, rss = report_of(target, request)
                    values.append(read(report))
                    walls.append(wall)
                    peaks.append(rss)
            result["targets"][target] = {"median": median(values), "min": min(values), "max": max(values),
                                         "process_s": median(walls), "peak_rss_mb": median(peaks)}
        except Exception as e:  # a target that cannot run here is reported, not fatal
            result["targets"][target] = {"error": str(e)}
        print(f"{row_id:20} {target:9} {json.dumps(result['targets'][target])}", file=sys.stderr)
    return result


def fmt(v):
    if v is None:
        return "—"
    return f"{v:.3g}" if abs(v) < 100 else f"{v:,.0f}"


def markdown(results, runs):
    lines = [f"Medians of {runs} runs; each target's process time (the command as typed) and peak memory beside.", "",
             "| row | figure | native | node | chromium | CPython |", "|---|---|---:|---:|---:|---:|"]
    for r in results:
        cells = []
        for target in ("native", "node", "chromium", "cpython"):
            t = r["targets"].get(target) or r["targets"].get(f"{target}-page")
            if t is None:
                cells.append("")
            elif "error" in t:
                cells.append(f"not run: {t['error'][:60]}")
            else:
                extra = []
                if t.get("process_s") is not None:
                    extra.append(f"{fmt(t['process_s'])} s")
                if t.get("peak_rss_mb") is not None:
                    extra.append(f"{fmt(t['peak_rss_mb'])} MB")
                cells.append(f"{fmt(t['median'])} {r['unit']}" + (f" ({', '.join(extra)})" if extra else ""))
        lines.append(f"| {r['what']} | {r['figure']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, choices=range(1, 21), metavar="1..20")
    parser.add_argument("--only", default="", help="rows, comma-separated: " + ", ".join(ROWS))
    parser.add_argument("--targets", default="", help="native,node,chromium,cpython (default: all)")
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args()
    rows = [r for r in args.only.split(",") if r] or list(ROWS)
    unknown = [r for r in rows if r not in ROWS]
    if unknown:
        parser.error(f"--only: unknown rows {unknown}; allowed: {', '.join(ROWS)}")
    targets = [t for t in args.targets.split(",") if t]
    results = [measure(r, args.runs, targets) for r in rows]
    table = markdown(results, args.runs)
    print(table)
    if args.markdown:
        tmp = Path(args.markdown + ".tmp")
        tmp.write_text(table)
        tmp.replace(args.markdown)


if __name__ == "__main__":
    main()

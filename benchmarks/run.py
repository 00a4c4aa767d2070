#!/usr/bin/env python
"""Benchmark snnzoo against Brian2 (cython and cpp_standalone) on the WORKLOADS.md workloads.

    python benchmarks/run.py [--workloads W1,W2,W6] [--repeat K]
                             [--brian2-python /path/to/brian2venv/bin/python]
                             [--targets cython,cpp_standalone] [--json out.json] [--quick]

For each workload, one after the other (never in parallel):

* snnzoo, each measurement in a FRESH Python subprocess running this file in
  worker mode, the networks coming from ``benchmarks/workloads.py``:
  - cold build: empty temporary ``SNNZOO_CACHE_DIR``; time of ``net.build()`` plus
    a one-step ``net.run`` (kernel generation + numba compilation), once;
  - warm build: same cache folder, now filled; time of ``net.build()`` plus a
    one-step run (loading the numba-cached kernel); median of K subprocesses;
  - run: median over K fresh networks (kernel already loaded in that process)
    of the wall time of ``net.run(duration)``, i.e. without compilation.
* Brian2, via ``benchmarks/brian2_reference.py`` run by the Brian2 venv's
  python, one subprocess per target; its ``run_s`` (median of K) is Brian2's own
  timing of the simulation loop (cpp_standalone: std::clock CPU time of the loop).

Prints a Markdown table and the target checks; ``--json`` writes all raw numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "brian2_reference.py"
DEFAULT_BRIAN2_PYTHON = "/work/brianvenv/bin/python"
ALL_WORKLOADS = ["W1", "W2", "W6"]
QUICK_N = {"W2": 50, "W6": 2000}
TARGETS = {"W6_vs_cython": 0.8, "W2_vs_cpp": 0.8, "warm_build_s": 1.0}


# ---------------------------------------------------------------------------
# worker mode: runs inside a fresh subprocess, prints one JSON line
# ---------------------------------------------------------------------------

def worker(name: str, n: int | None, repeat: int) -> dict:
    import gc

    began = time.perf_counter()
    import snnzoo  # noqa: F401
    from snnzoo import ureg as u

    sys.path.insert(0, str(HERE))
    import workloads

    imported = time.perf_counter()
    net = workloads.build(name, n)
    constructed = time.perf_counter()
    net.build()
    net.run(net.dt * u.s)  # one step: loads (or compiles) the kernel
    built = time.perf_counter()
    out = {"import_s": imported - began, "construct_s": constructed - imported, "build_s": built - constructed,
           "n_neurons": sum(p.size for p in net.populations.values()), "run_s": [], "spike_count": None}
    for _ in range(repeat):
        net = workloads.build(name, n)
        net.build()
        gc.collect()
        start = time.perf_counter()
        net.run(workloads.DURATIONS[name])
        out["run_s"].append(time.perf_counter() - start)
        out["spike_count"] = int(sum(int(r.spike_counts.sum()) for r in net.records()))
    return out


# ---------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------

def _last_json_line(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in the output")


def _subprocess_json(cmd: list[str], env: dict | None = None, timeout: float = 3600) -> dict:
    began = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE.parent, timeout=timeout)
    wall = time.perf_counter() - began
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{tail}")
    result = _last_json_line(proc.stdout)
    result["subprocess_wall_s"] = wall
    return result


def snnzoo_side(name: str, n: int | None, repeat: int) -> dict:
    cache = tempfile.mkdtemp(prefix="snnzoo_bench_cache_")
    env = {**os.environ, "SNNZOO_CACHE_DIR": cache}
    base = [sys.executable, str(Path(__file__).resolve()), "--worker", name]
    if n is not None:
        base += ["--n", str(n)]
    try:
        cold = _subprocess_json(base + ["--repeat", "0"], env)
        main = _subprocess_json(base + ["--repeat", str(repeat)], env)
        warm = [main["build_s"]] + [_subprocess_json(base + ["--repeat", "0"], env)["build_s"]
                                    for _ in range(max(repeat, 1) - 1)]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return {"n_neurons": main["n_neurons"], "run_s": main["run_s"],
            "run_s_median": statistics.median(main["run_s"]) if main["run_s"] else None,
            "spike_count": main["spike_count"], "build_warm_s": warm,
            "build_warm_s_median": statistics.median(warm), "build_cold_s": cold["build_s"],
            "import_s": main["import_s"], "construct_s": main["construct_s"]}


def brian2_side(python: str, name: str, target: str, n: int | None, repeat: int) -> dict:
    cmd = [python, str(REFERENCE), name, "--target", target, "--repeat", str(repeat)]
    if n is not None:
        cmd += ["--n", str(n)]
    result = _subprocess_json(cmd)
    result["run_s_median"] = statistics.median(result["run_s"]) if result.get("run_s") else None
    return result


def _fmt(x, digits=3) -> str:
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}g}"


def _ratio(a, b) -> str:
    return f"{a / b:.2f}" if a is not None and b else "n/a"


def table(results: dict) -> str:
    head = ("| workload | snnzoo run s | Brian2 cython run s | Brian2 cpp_standalone run s | ratio snnzoo/cython "
            "| ratio snnzoo/cpp | spikes (snnzoo vs brian2) | snnzoo build warm s | snnzoo build cold s |")
    lines = [head, "|" + "---|" * 9]
    for name, r in results.items():
        s = r["snnzoo"]
        cy = r.get("brian2", {}).get("cython", {})
        cpp = r.get("brian2", {}).get("cpp_standalone", {})
        cy_run, cpp_run = cy.get("run_s_median"), cpp.get("run_s_median")
        brian_counts = sorted({str(x.get("spike_count")) for x in (cy, cpp) if x.get("spike_count") is not None})
        spikes = f"{s['spike_count']} vs {' / '.join(brian_counts) or 'n/a'}"
        label = f"{name} (N={s['n_neurons']})"
        lines.append(f"| {label} | {_fmt(s['run_s_median'])} | {_fmt(cy_run)} | {_fmt(cpp_run)} | "
                     f"{_ratio(s['run_s_median'], cy_run)} | {_ratio(s['run_s_median'], cpp_run)} | {spikes} | "
                     f"{_fmt(s['build_warm_s_median'])} | {_fmt(s['build_cold_s'])} |")
    return "\n".join(lines)


def target_checks(results: dict) -> list[str]:
    out = []

    def check(label, value, limit, unit=""):
        if value is None:
            out.append(f"- {label}: not measured")
        else:
            verdict = "MET" if value <= limit else "MISSED"
            out.append(f"- {label}: {value:.3g}{unit} (target <= {limit}{unit}) -> {verdict}")

    def ratio(name, target):
        r = results.get(name)
        if not r:
            return None
        b = r.get("brian2", {}).get(target, {}).get("run_s_median")
        return r["snnzoo"]["run_s_median"] / b if b else None

    if "W6" in results:
        check("W6 snnzoo/Brian2 cython", ratio("W6", "cython"), TARGETS["W6_vs_cython"], "x")
    if "W2" in results:
        check("W2 snnzoo/Brian2 cpp_standalone", ratio("W2", "cpp_standalone"), TARGETS["W2_vs_cpp"], "x")
    for name, r in results.items():
        check(f"{name} warm build", r["snnzoo"]["build_warm_s_median"], TARGETS["warm_build_s"], " s")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", default=",".join(ALL_WORKLOADS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--brian2-python", default=DEFAULT_BRIAN2_PYTHON if os.path.exists(DEFAULT_BRIAN2_PYTHON) else None,
                    help="python of a venv with Brian2 (omit the Brian2 side if not given)")
    ap.add_argument("--targets", default="cython,cpp_standalone")
    ap.add_argument("--json", default=None, help="write all raw results to this file")
    ap.add_argument("--quick", action="store_true", help=f"smaller sizes for a smoke test: {QUICK_N}")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.n, args.repeat)))
        return 0

    names = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in names if w not in ALL_WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; known: {ALL_WORKLOADS}")
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    results = {}
    for name in names:
        n = QUICK_N.get(name) if args.quick else None
        print(f"[{name}] snnzoo ...", file=sys.stderr, flush=True)
        entry = {"snnzoo": snnzoo_side(name, n, args.repeat), "brian2": {}}
        if args.brian2_python:
            for target in targets:
                print(f"[{name}] brian2 {target} ...", file=sys.stderr, flush=True)
                try:
                    entry["brian2"][target] = brian2_side(args.brian2_python, name, target, n, args.repeat)
                except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
                    print(f"[{name}] brian2 {target} failed: {error}", file=sys.stderr, flush=True)
                    entry["brian2"][target] = {"error": str(error)}
        results[name] = entry
    text = table(results) + "\n\nTargets:\n" + "\n".join(target_checks(results))
    print(text)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"argv": sys.argv, "quick": args.quick, "repeat": args.repeat, "results": results},
                      handle, indent=1)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

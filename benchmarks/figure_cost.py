#!/usr/bin/env python
"""Benchmark: what the figure of a run costs, this checkout against another (e.g. the commit before a change).

    .venv/bin/python benchmarks/figure_cost.py --before DIR [--rounds 5] [NAME ...]

For each experiment NAME (default: adex-firing-patterns, stdp-song-2000, balanced-poisson-input,
vogels-2011-istdp), a fresh process runs it and then makes its figure and the PNG bytes
(``Experiment.figure`` and ``snnzoo.results.plotting.png_bytes``, matplotlib imported before): the CPU and
wall time of that step only. Besides, ``snnzoo run adex-firing-patterns -q`` end to end (CPU = user + system
from ``os.wait4``, warm kernel cache). Every command runs once to warm up, then in interleaved rounds with
the order rotated; the table shows medians and the machine's load before each round. Python writes its
bytecode as it does by default (``PYTHONDONTWRITEBYTECODE`` is dropped from the environment), as on a user's
machine. The result is written to ``benchmarks/RESULTS_FIGURE.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORT = HERE / "RESULTS_FIGURE.md"
EXPERIMENTS = ("adex-firing-patterns", "stdp-song-2000", "balanced-poisson-input", "vogels-2011-istdp")

FIGURE_STEP = """
import json, sys, time
import matplotlib.figure, matplotlib.backends.backend_agg
from snnzoo.catalog.experiment import Experiment
from snnzoo.results.plotting import png_bytes
experiment = Experiment.load(sys.argv[1])
tree = experiment.run(progress=False)
cpu, wall = time.process_time(), time.perf_counter()
png = png_bytes(experiment.figure(tree))
print(json.dumps({"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "bytes": len(png)}))
"""


def environment(source: Path, cache: Path) -> dict[str, str]:
    """snnzoo and its plugins from ``source`` first on the path, kernels cached in ``cache``."""
    path = [source, *sorted(source.glob("plugins/*/src"))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, path)), "SNNZOO_CACHE_DIR": str(cache)}


def figure_step(env: dict[str, str], name: str) -> dict[str, float]:
    """CPU and wall seconds of making ``name``'s figure and PNG in a fresh process, after its run."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run([sys.executable, "-c", FIGURE_STEP, name], cwd=folder, env=env,
                              capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def whole_run(env: dict[str, str], name: str) -> dict[str, float]:
    """CPU (user + system) and wall seconds of ``snnzoo run NAME -q`` in a fresh empty folder."""
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "snnzoo", "run", name, "-q"], cwd=folder, env=env,
                                   stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"snnzoo run {name} failed")
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": time.perf_counter() - began}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(EXPERIMENTS))
    parser.add_argument("--before", type=Path, required=True, help="checkout to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python writes bytecode: warm runs use it
    with tempfile.TemporaryDirectory() as cache:
        checkouts = {"before": environment(args.before.resolve(), Path(cache)),
                     "now": environment(HERE.parent, Path(cache))}
        jobs = {}
        for label, env in checkouts.items():
            jobs[f"snnzoo run {EXPERIMENTS[0]} -q ({label})"] = lambda e=env: whole_run(e, EXPERIMENTS[0])
            for name in args.names:
                jobs[f"figure + PNG of {name} ({label})"] = lambda e=env, n=name: figure_step(e, n)
        for job in jobs.values():  # warm-up: kernels compiled and cached, bytecode written
            job()
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in jobs}
        loads, names = [], list(jobs)
        for r in range(args.rounds):
            loads.append(" ".join(Path("/proc/loadavg").read_text().split()[:3]))
            for name in names[r % len(names):] + names[: r % len(names)]:
                samples[name].append(jobs[name]())
    lines = ["# Figure cost", "", f"`benchmarks/figure_cost.py --before {args.before.name} --rounds {args.rounds}`, "
             f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; load (1/5/15 min) before each "
             f"round: {'; '.join(loads)}.", "", "| command or step | CPU s (median) | wall s (median) | CPU s, every round |",
             "|---|---|---|---|"]
    for name, rows in samples.items():
        cpu = [row["cpu"] for row in rows]
        lines.append(f"| {name} | {statistics.median(cpu):.3f} | {statistics.median(r['wall'] for r in rows):.3f} | "
                     f"{', '.join(f'{c:.3f}' for c in cpu)} |")
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

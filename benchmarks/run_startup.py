#!/usr/bin/env python
"""Benchmark: what a user waits for before anything is simulated, whole processes timed.

    .venv/bin/python benchmarks/run_startup.py GROUP [--rounds 5] [--before DIR]

Groups (run each through the quiet slot on a shared machine; every group keeps its results in
``benchmarks/startup_results.json`` and ``benchmarks/RESULTS_STARTUP.md`` is written from all):

- ``light``: ``python -c "import numpy, pint, xarray"`` (the reference), ``snnzoo --help``,
  ``snnzoo list`` (plugin index written by a warm-up run);
- ``run``: ``snnzoo run adex-firing-patterns -q`` with a warm kernel cache, and Brian2's W1 script
  (``benchmarks/brian2_reference.py W1 --target cython --repeat 0``, the Brian2 venv, warm Cython
  cache): build + run of the same 8 AdEx neurons for 550 ms, end to end;
- ``network``: ``snnzoo run coba-adex-network -q`` with a warm cache (100 AdEx neurons with two
  projections, 60 s simulated): what a warm network run costs beyond its simulation;
- ``cold``: ``snnzoo run adex-firing-patterns -q`` with an empty cache folder each time
  (``SNNZOO_CACHE_DIR``: no kernels, no plugin index, no model summaries: a fresh install), with an
  empty kernel cache only (a copy of the warm cache folder without ``kernels/``: a model whose
  kernel is new), and warm;
- ``imports``: ``python -X importtime`` of ``import snnzoo`` and of the warm run: the import time
  of each top-level package (the self times of its modules summed, so nothing counts twice);
- ``figure``: the PNG of the adex-firing-patterns figure made by ``figure.savefig(dpi=100)`` and
  by ``snnzoo.results.plotting.png_bytes`` (the Agg canvas), each in a fresh process after the run and the
  figure are made: CPU and wall time of that step only.

snnzoo and its plugins run from this checkout (``PYTHONPATH``: the installed plugins may be another
checkout's); ``--before DIR`` adds the same snnzoo commands run from another checkout (e.g. the
commit before the start-up work), interleaved with the others. Every command is a fresh process started from an empty working folder; CPU time is the
process's user + system time from ``os.wait4`` (its children included), wall time from start to
exit. Rounds are interleaved with the order rotated; the tables show medians, and the machine's
load (``/proc/loadavg``) is recorded before every round. Python writes its bytecode as it does by
default (``PYTHONDONTWRITEBYTECODE`` is dropped from the environment), so that warm means warm for
Python's ``.pyc`` files too, as on a user's machine.
"""

from __future__ import annotations

import argparse
import datetime
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
REPO = HERE.parent
RESULTS = HERE / "startup_results.json"
REPORT = HERE / "RESULTS_STARTUP.md"
BRIAN2_PYTHON = os.environ.get("BRIAN2_PYTHON", "/work/brian2-venv/bin/python")
EXPERIMENT = "adex-firing-patterns"
NETWORK_EXPERIMENT = "coba-adex-network"
TARGETS = {"run_vs_brian2": 0.5, "light_vs_import": 1.5, "cold_extra_cpu": 3.0}


def timed(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall and CPU seconds of ``command`` run to its end in a fresh empty folder."""
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - began
        error = process.stderr.read().decode()
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {error}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime}


class Snnzoo:
    """The ``snnzoo`` command run from the source checkout ``source`` with kernel cache ``cache``."""

    def __init__(self, source: Path, cache: Path):
        self.source, self.cache = source, cache
        self.script = str(Path(sys.executable).parent / "snnzoo")

    def env(self, cache: Path | None = None) -> dict[str, str]:
        """The checkout's snnzoo and plugins first on the path (the installed plugins may be another checkout's)."""
        path = [self.source, *sorted(self.source.glob("plugins/*/src"))]
        return {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, path)),
                "SNNZOO_CACHE_DIR": str(cache or self.cache)}

    def command(self, *args: str) -> list[str]:
        return [self.script, *args]

    def run(self, *args: str) -> dict[str, float]:
        return timed(self.command(*args), self.env())

    def cold_run(self) -> dict[str, float]:
        with tempfile.TemporaryDirectory() as empty:
            return timed(self.command("run", EXPERIMENT, "-q"), self.env(Path(empty)))

    def new_kernel_run(self) -> dict[str, float]:
        """The run with the warm cache folder's plugin index, model summaries and units, and no kernels."""
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "cache"
            shutil.copytree(self.cache, copy, ignore=lambda where, names: ["kernels"] if Path(where) == self.cache else [])
            return timed(self.command("run", EXPERIMENT, "-q"), self.env(copy))


IMPORTED = {"import snnzoo": ["-c", "import snnzoo"], f"snnzoo run {EXPERIMENT} -q": ["-m", "snnzoo.cli", "run", EXPERIMENT, "-q"]}
"""The commands whose imports the ``imports`` group times (``python -X importtime ARGS``)."""


def import_times(snnzoo: Snnzoo, args: list[str]) -> dict[str, float]:
    """Seconds of import time per top-level package of ``python -X importtime ARGS`` (self times summed)."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=folder, env=snnzoo.env(),
                              capture_output=True, text=True, check=True)
    packages: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and not line.endswith("| imported package"):
            own, _, name = (part.strip() for part in line[len("import time:"):].split("|"))
            package = name.partition(".")[0]
            packages[package] = packages.get(package, 0.0) + int(own) * 1e-6
    return packages


PNG_STEP = """
import io, json, sys, time
from snnzoo.catalog.experiment import Experiment
from snnzoo.results.plotting import png_bytes
experiment = Experiment.load({experiment!r})
figure = experiment.figure(experiment.run())
cpu, wall = time.process_time(), time.perf_counter()
if sys.argv[1] == "savefig":
    figure.savefig(io.BytesIO(), format="png", dpi=100)
else:
    png_bytes(figure)
print(json.dumps({{"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}}))
"""


def png_step(snnzoo: Snnzoo, how: str) -> dict[str, float]:
    """CPU and wall seconds of writing the figure's PNG ``how`` ("savefig" or "png_bytes") in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run([sys.executable, "-c", PNG_STEP.format(experiment=EXPERIMENT), how], cwd=folder,
                              env=snnzoo.env(), capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def jobs(group: str, variants: dict[str, Snnzoo]) -> dict[str, callable]:
    """The commands of ``group``, by name."""
    python = sys.executable
    found = {}
    if group == "light":
        found["python -c 'import numpy, pint, xarray'"] = lambda: timed(
            [python, "-c", "import numpy, pint, xarray"], dict(os.environ))
    for label, snnzoo in variants.items():
        if group == "light":
            found[f"snnzoo --help ({label})"] = lambda s=snnzoo: s.run("--help")
            found[f"snnzoo list ({label})"] = lambda s=snnzoo: s.run("list")
        elif group in ("run", "cold"):
            found[f"snnzoo run {EXPERIMENT} -q, warm ({label})"] = lambda s=snnzoo: s.run("run", EXPERIMENT, "-q")
        elif group == "network":
            found[f"snnzoo run {NETWORK_EXPERIMENT} -q, warm ({label})"] = lambda s=snnzoo: s.run(
                "run", NETWORK_EXPERIMENT, "-q")
        if group == "cold":
            found[f"snnzoo run {EXPERIMENT} -q, empty cache ({label})"] = lambda s=snnzoo: s.cold_run()
            found[f"snnzoo run {EXPERIMENT} -q, empty kernel cache ({label})"] = lambda s=snnzoo: s.new_kernel_run()
        if group == "figure" and label == "this checkout":
            for how in ("savefig", "png_bytes"):
                found[f"PNG of the {EXPERIMENT} figure by {how}"] = lambda s=snnzoo, h=how: png_step(s, h)
        if group == "imports":
            for what, args in IMPORTED.items():
                found[f"{what} ({label})"] = lambda s=snnzoo, a=args: import_times(s, a)
    if group == "run":
        found["Brian2 cython W1 script, warm"] = lambda: timed(
            [BRIAN2_PYTHON, str(HERE / "brian2_reference.py"), "W1", "--target", "cython", "--repeat", "0"],
            dict(os.environ))
    return found


def measure(group: str, rounds: int, variants: dict[str, Snnzoo]) -> dict:
    """Every command of ``group`` once to warm up, then ``rounds`` interleaved rounds, order rotated."""
    commands = jobs(group, variants)
    for job in commands.values():
        job()
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    loads = []
    names = list(commands)
    for r in range(rounds):
        loads.append(Path("/proc/loadavg").read_text().split()[:3])
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            samples[name].append(commands[name]())
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "rounds": rounds, "loads": loads, "samples": samples,
            "sources": {label: _commit(s.source) for label, s in variants.items()}}


def _commit(source: Path) -> str:
    done = subprocess.run(["git", "-C", str(source), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    return done.stdout.strip()[:90] or str(source)


def median(group: dict, name: str, key: str) -> float:
    return statistics.median(sample[key] for sample in group["samples"][name])


def report(results: dict) -> str:
    """The markdown page of every group measured so far, with the targets checked."""
    lines = ["# Start-up benchmark", "",
             "Written by `benchmarks/run_startup.py` (whole processes: CPU = user + system from `os.wait4`, "
             "wall = start to exit; medians over interleaved rounds, order rotated). Command: "
             "`.venv/bin/python benchmarks/run_startup.py GROUP --before DIR` (machine otherwise idle) for GROUP in "
             "light, run, network, cold, imports and figure, with DIR a checkout of the commit before the start-up work.", ""]
    for group, data in results.items():
        if group == "imports":
            lines += _import_table(data)
            continue
        lines += [f"## {group}", "", f"{data['date']}, {data['rounds']} rounds, load (1/5/15 min) before each round: "
                  + "; ".join("/".join(load) for load in data["loads"]) + ".", ""]
        lines += [f"- {label}: {commit}" for label, commit in data["sources"].items()] + [""]
        lines += ["| command | CPU s (median) | wall s (median) | CPU s (all rounds) |", "|---|---|---|---|"]
        for name, samples in data["samples"].items():
            lines.append(f"| {name} | {median(data, name, 'cpu'):.2f} | {median(data, name, 'wall'):.2f} | "
                         + ", ".join(f"{s['cpu']:.2f}" for s in samples) + " |")
        lines += [""] + _targets(group, data) + [""]
    return "\n".join(lines)


def _import_table(data: dict) -> list[str]:
    """Per command, the total import time and the costliest packages, one column per checkout."""
    labels = list(data["sources"])
    lines = ["## imports", "", f"{data['date']}, {data['rounds']} rounds, load before each round: "
             + "; ".join("/".join(load) for load in data["loads"]) + ". Seconds of import time (`python -X "
             "importtime`, the self times of each top-level package's modules summed; medians).", ""]
    lines += [f"- {label}: {commit}" for label, commit in data["sources"].items()] + [""]
    for what in IMPORTED:
        rows = {label: data["samples"][f"{what} ({label})"] for label in labels}
        packages = {name for samples in rows.values() for sample in samples for name in sample}
        cost = {name: {label: statistics.median(sample.get(name, 0.0) for sample in rows[label]) for label in labels}
                for name in packages}
        total = {label: statistics.median(sum(sample.values()) for sample in rows[label]) for label in labels}
        top = sorted(packages, key=lambda name: -max(cost[name].values()))[:10]
        lines += [f"`{what}`:", "", "| package | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
        lines += [f"| {name} | " + " | ".join(f"{cost[name][label]:.3f}" for label in labels) + " |" for name in top]
        lines += ["| **total** | " + " | ".join(f"**{total[label]:.3f}**" for label in labels) + " |", ""]
    return lines


def _targets(group: str, data: dict) -> list[str]:
    """One line per target of ``group``: the ratio or difference found and whether it holds."""
    names = data["samples"]
    found = []
    for label in data["sources"]:
        if group == "light":
            reference = median(data, "python -c 'import numpy, pint, xarray'", "cpu")
            for command in ("--help", "list"):
                ratio = median(data, f"snnzoo {command} ({label})", "cpu") / reference
                found.append((f"snnzoo {command} ({label}) / import numpy, pint, xarray, CPU", ratio,
                              TARGETS["light_vs_import"], "×"))
        elif group == "run":
            name = f"snnzoo run {EXPERIMENT} -q, warm ({label})"
            for key in ("cpu", "wall"):
                ratio = median(data, name, key) / median(data, "Brian2 cython W1 script, warm", key)
                found.append((f"warm run ({label}) / Brian2 cython W1, {key}", ratio, TARGETS["run_vs_brian2"], "×"))
        elif group == "cold":
            for kind in ("empty cache", "empty kernel cache"):
                if f"snnzoo run {EXPERIMENT} -q, {kind} ({label})" in names:
                    extra = (median(data, f"snnzoo run {EXPERIMENT} -q, {kind} ({label})", "cpu")
                             - median(data, f"snnzoo run {EXPERIMENT} -q, warm ({label})", "cpu"))
                    found.append((f"{kind} minus warm ({label}), CPU s", extra, TARGETS["cold_extra_cpu"], " s"))
    return [f"- {what}: {value:.2f}{unit} (target ≤ {target:g}{unit}): {'met' if value <= target else 'NOT met'}"
            for what, value, target, unit in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=("light", "run", "network", "cold", "imports", "figure"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a checkout of snnzoo to compare with (e.g. the previous commit)")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python writes bytecode: warm runs use it
    with tempfile.TemporaryDirectory() as caches:
        variants = {"this checkout": Snnzoo(REPO, Path(caches) / "now")}
        if args.before:
            variants["before"] = Snnzoo(args.before.resolve(), Path(caches) / "before")
        measured = measure(args.group, args.rounds, variants)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[args.group] = measured
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    REPORT.write_text(report(results) + "\n")
    print(REPORT.read_text())


if __name__ == "__main__":
    main()

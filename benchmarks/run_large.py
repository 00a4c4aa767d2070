#!/usr/bin/env python
"""W7 (large networks) and the cost per synaptic event over network size, snnzoo against Brian2 cpp_standalone.

Three steps, so that each timed part fits in a short quiet run:

    python benchmarks/run_large.py build-brian2 --sizes 4000,200000 --dir /tmp/w7
    python benchmarks/run_large.py measure --sizes 4000,200000 --rounds 3 --brian2-dir /tmp/w7 --json a.json
    python benchmarks/run_large.py report a.json [b.json ...]

The network is W7 of WORKLOADS.md at ``n`` neurons (80 % excitatory, in-degree 400 excitatory + 100
inhibitory without replacement and without autapses; W7 itself is n = 200 000, 100 M synapses).

* ``build-brian2`` builds one Brian2 cpp_standalone project per size (benchmarks/brian2_reference.py,
  kept in ``--dir``): Brian2 is built once.
* ``measure``: in each round, for each size (the order of the simulators rotated between rounds),
  one fresh snnzoo worker process and one run of Brian2's compiled binary. The snnzoo worker
  times the construction of the network (connectivity included: ``construct_s``), the kernel
  build, and ``net.run(1 s)`` (wall and CPU); its memory is the peak resident size
  (``ru_maxrss``) after construction minus the one before it (the process after importing
  snnzoo and warming the connectivity functions on a tiny network), so ``bytes_per_synapse``
  is what building the network costs, stored synapses included. ``--int32`` keeps 4-byte
  target indices (the storage before the narrow index type) for the before/after comparison.
  Brian2's binary reports the CPU time of its simulation loop (std::clock); its whole run
  (connectivity generation, loop, writing results) is timed as wall time, and its peak
  resident size comes from ``wait4``. The cost per event counts the CPU time beyond that of the
  same neurons run without synapses and without drive (silent: the update cost alone).
* ``report`` prints medians: per-neuron-step and per-event costs (events = spikes x
  outgoing synapses of the spiking neuron, exact for snnzoo; Brian2: spikes x mean out-degree),
  rates, build time and memory per synapse, with the load average of each run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "brian2_reference.py"
DEFAULT_BRIAN2_PYTHON = "/work/brian2-venv/bin/python"
DURATION_S = 1.0
DT_S = 1e-4


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _maxrss() -> int:
    """This process's peak resident size in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def worker(name: str, n: int, int32: bool) -> dict:
    """One snnzoo measurement of workload ``name`` (W7 or W3) at ``n`` neurons (run in a fresh process)."""
    import gc

    import numpy as np

    import snnzoo  # noqa: F401
    from snnzoo.network import connectivity
    from snnzoo import ureg as u

    sys.path.insert(0, str(HERE))
    import workloads

    if int32:
        connectivity.index_type = lambda n_target: np.dtype(np.int32)
    workloads.build(name, 1000)  # compiles (or loads) the connectivity functions
    gc.collect()
    baseline = _maxrss()
    began = time.perf_counter()
    net = workloads.build(name, n)
    constructed = time.perf_counter()
    after_construct = _maxrss()
    net.build()
    net.run(net.dt * u.s)
    built = time.perf_counter()
    start, start_cpu = time.perf_counter(), time.process_time()
    net.run(DURATION_S * u.s)
    run_s, run_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
    counts = next(rec.spike_counts for rec in net.records() if rec.name == "G")
    synapses = sum(p.size for p in net.projections.values())
    events = sum(int((counts * np.diff(p.synapses.indptr)).sum()) for p in net.projections.values())
    index_bytes = int(next(iter(net.projections.values())).synapses.post.itemsize)
    run_peak = _maxrss() - baseline
    del net
    gc.collect()
    neurons_only = workloads.coba_neurons(n)  # the same neurons, no synapses, no drive: the update cost alone
    neurons_only.population("G").set("I", 0 * u.mV)
    neurons_only.run(neurons_only.dt * u.s)
    start_cpu = time.process_time()
    neurons_only.run(DURATION_S * u.s)
    update_cpu_s = time.process_time() - start_cpu
    return {"workload": name, "n": n, "int32": int32, "synapses": synapses, "construct_s": constructed - began,
            "build_s": built - constructed, "run_s": run_s, "run_cpu_s": run_cpu_s, "update_cpu_s": update_cpu_s,
            "spikes": int(counts.sum()), "events": events, "index_bytes": index_bytes,
            "construct_peak_bytes": after_construct - baseline, "run_peak_bytes": run_peak,
            "bytes_per_synapse": (after_construct - baseline) / synapses}


def _project(directory: Path, n: int) -> Path:
    return directory / f"W7_{n}"


def build_brian2(python: str, sizes: list[int], directory: Path) -> None:
    """One Brian2 cpp_standalone project per size, built (and run once) by brian2_reference.py."""
    directory.mkdir(parents=True, exist_ok=True)
    for n in sizes:
        target = _project(directory, n)
        shutil.rmtree(target, ignore_errors=True)
        out = subprocess.run([python, str(REFERENCE), "W7", "--target", "cpp_standalone", "--n", str(n),
                              "--repeat", "1", "--keep-dirs"], capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        built = Path(result["project_dirs"][-1])
        shutil.move(str(built), target)
        (target / "snnzoo_build.json").write_text(json.dumps(result))
        print(f"Brian2 W7 n={n}: built in {result['build_s']:.1f} s -> {target}", file=sys.stderr)


def brian2_run(directory: Path, n: int) -> dict:
    """Run Brian2's compiled W7 binary once: loop CPU time, whole-run wall time, peak memory."""
    project = _project(directory, n)
    began = time.perf_counter()
    process = subprocess.Popen(["./main"], cwd=project, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    if status != 0:
        raise RuntimeError(f"Brian2 binary in {project} failed with status {status}")
    loop_s = float((project / "results" / "last_run_info.txt").read_text().split()[0])
    build = json.loads((project / "snnzoo_build.json").read_text())
    return {"n": n, "loop_cpu_s": loop_s, "binary_wall_s": wall, "peak_bytes": usage.ru_maxrss * 1024,
            "spikes": build["spike_count"]}


def measure(sizes: list[int], rounds: int, brian2_dir: Path | None, int32: bool, w3: bool) -> list[dict]:
    rows = []
    for r in range(rounds):
        runs = [("W3", 4000)] if w3 else []
        runs += [("W7", n) for n in sizes]
        for name, n in runs:
            sides = ["snnzoo", "brian2"] if brian2_dir and name == "W7" else ["snnzoo"]
            for side in sides[r % len(sides):] + sides[:r % len(sides)]:
                load = _load()
                print(f"round {r + 1}, {name} n={n}, {side} (load {load})", file=sys.stderr, flush=True)
                if side == "snnzoo":
                    cmd = [sys.executable, str(Path(__file__).resolve()), "worker", "--workload", name, "--n", str(n)]
                    out = subprocess.run(cmd + (["--int32"] if int32 else []), capture_output=True, text=True,
                                         check=True)
                    row = json.loads(out.stdout.strip().splitlines()[-1])
                else:
                    row = {"workload": name, **brian2_run(brian2_dir, n)}
                rows.append({"side": side, "round": r, "load": load, **row})
    return rows


def _median(rows: list[dict], key: str):
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def report(rows: list[dict]) -> str:
    """Medians per workload, size and index type: snnzoo's costs, then Brian2's on the same size."""
    steps = round(DURATION_S / DT_S)
    lines = ["| workload | neurons | synapses | index bytes | snnzoo run s wall / CPU | ns per neuron-step (CPU) "
             "| ns per event (CPU, beyond the neuron updates) | rate Hz | construct s (ns per synapse) "
             "| construct peak bytes per synapse (whole run) | Brian2 cpp loop s (CPU) | Brian2 ns per neuron-step "
             "| Brian2 rate Hz | snnzoo/Brian2 loop (CPU) | Brian2 binary wall s (peak GB) | rounds | load (1 min) |",
             "|" + "---|" * 17]
    keys = sorted({(r["workload"], r["n"], r.get("int32", False)) for r in rows if r["side"] == "snnzoo"})
    for name, n, int32 in keys:
        mine = [r for r in rows if r["side"] == "snnzoo" and r["workload"] == name and r["n"] == n
                and r.get("int32", False) == int32]
        theirs = [r for r in rows if r["side"] == "brian2" and r["workload"] == name and r["n"] == n]
        synapses, cpu, wall = mine[0]["synapses"], _median(mine, "run_cpu_s"), _median(mine, "run_s")
        per_event = statistics.median((r["run_cpu_s"] - r["update_cpu_s"]) / r["events"] for r in mine)
        construct = _median(mine, "construct_s")
        memory = (f"{_median(mine, 'bytes_per_synapse'):.3g} "
                  f"({_median(mine, 'run_peak_bytes') / synapses:.3g})")
        loop = _median(theirs, "loop_cpu_s")
        brian = (f"{loop:.3g} | {loop / (n * steps) * 1e9:.3g} | {_median(theirs, 'spikes') / n / DURATION_S:.3g} | "
                 f"{cpu / loop:.2f} | {_median(theirs, 'binary_wall_s'):.3g} ({_median(theirs, 'peak_bytes') / 1e9:.3g})"
                 if loop else "– | – | – | – | –")
        loads = ", ".join(sorted({r["load"].split()[0] for r in mine + theirs}))
        lines.append(
            f"| {name} | {n} | {synapses} | {mine[0]['index_bytes']} | {wall:.3g} / {cpu:.3g} | "
            f"{cpu / (n * steps) * 1e9:.3g} | {per_event * 1e9:.3g} | {_median(mine, 'spikes') / n / DURATION_S:.3g} | "
            f"{construct:.3g} ({construct / synapses * 1e9:.3g}) | {memory} | {brian} | {len(mine)} | {loads} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("step", choices=["build-brian2", "measure", "report", "worker"])
    ap.add_argument("files", nargs="*", help="report: JSON files written by measure")
    ap.add_argument("--sizes", default="4000,16000,64000,200000")
    ap.add_argument("--n", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--int32", action="store_true", help="snnzoo with 4-byte target indices at every size")
    ap.add_argument("--w3", action="store_true", help="measure W3 (4000 neurons) in each round too")
    ap.add_argument("--workload", default="W7", help=argparse.SUPPRESS)
    ap.add_argument("--brian2-python", default=DEFAULT_BRIAN2_PYTHON)
    ap.add_argument("--dir", "--brian2-dir", dest="dir", default=None, help="the Brian2 projects' folder")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.step == "worker":
        print(json.dumps(worker(args.workload, args.n, args.int32)))
    elif args.step == "build-brian2":
        build_brian2(args.brian2_python, sizes, Path(args.dir))
    elif args.step == "measure":
        rows = measure(sizes, args.rounds, Path(args.dir) if args.dir else None, args.int32, args.w3)
        if args.json:
            Path(args.json).write_text(json.dumps({"argv": sys.argv, "rows": rows}, indent=1) + "\n")
        print(report(rows))
    else:
        rows = [row for f in args.files for row in json.loads(Path(f).read_text())["rows"]]
        print(report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Benchmark: a 4 x 3 sweep of ``coba-adex-network`` at 2 s through each executor, and the per-run overhead.

    .venv/bin/python benchmarks/run_sweeps.py [--rounds 3] [--before DIR] [--modes M1,M2] [--out benchmarks/RESULTS_SWEEPS.md]

(run it with the machine to itself: on the shared development machine through its quiet-slot wrapper)

The sweep: ``projections.excitatory.weight`` = 1, 1.5, 2, 2.5 nS x seeds 0-2 (12 runs of 100 COBA
AdEx neurons, 2 s simulated each, per-run summaries written to a fresh folder store). Modes:

- ``serial-loop``: the plain loop a user writes, in one process (``Experiment.load(...).run(seed)``
  per run, nothing written);
- ``serial-sweep``: ``snnzoo.sweep(..., executor="serial")`` with the store, after a warm-up
  sweep: the same work as the executors below (summaries, one netCDF file per run, the combined
  file) in one process. Its per-run overhead is the wall time minus the simulation loop's time
  (build, kernel lookup, result, summary, netCDF file), per run;
- ``local-warm``: ``snnzoo.sweep`` through a ``LocalExecutor(2)`` whose workers already ran one
  small sweep (imports, plugins and the kernel loaded);
- ``local-warm-memory``: the same without a store (no ``out``): the sweep returns its Dataset and
  writes nothing, as the loop writes nothing;
- ``local-cold``: ``snnzoo.sweep(..., workers=2)`` in a fresh process, including its warm-up and
  starting the two worker processes;
- ``dask-warm``: through a ``distributed.Client`` of a 2-worker, 1-thread ``LocalCluster``
  (processes) that already ran one small sweep;
- ``dask-warm-no-profiler``: the same with the workers' statistical profiler off
  (``distributed.worker.profile.enabled: false``, as docs/sweeps.md advises for sweeps of short runs:
  it samples the running task's stack every 10 ms).

Two more modes run only when asked (``--modes ei-network-rates,large-grid-warm``):

- ``ei-network-rates``: the catalog's own sweep, ``snnzoo.sweep("ei-network-rates", workers=2, out=...)``
  in a fresh process (7 afferent rates x 4 seeds of a 5 100-neuron network, 2 s each), as ``snnzoo sweep
  ei-network-rates`` runs it without its figure: warm-up, starting the workers, checking the grid points,
  the runs and the combined file;
- ``large-grid-warm``: 8 afferent rates of ``zerlaut2019-ei-network`` (10 000 neurons, 5.1 M synapses
  drawn per network) at 10 ms each, through a ``LocalExecutor(2)`` whose workers already ran it: a grid
  of large networks and short runs, where checking each point (building its network) costs about as much
  as running it.

Each mode runs in its own fresh Python process, rounds interleaved with the order rotated (with
``--before DIR``, each mode also from the checkout DIR right after or before it, alternately, with
kernel caches of their own, warmed by one untimed sweep each);
wall time and CPU time (the process and its worker processes, from /proc) of the timed part
only; medians over rounds. The machine's load (``uptime``) is recorded before every round, and
the CPU time other processes took during each timed part (all CPU time in /proc/stat minus ours)
is reported next to it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GRID = {"projections.excitatory.weight": ["1 nS", "1.5 nS", "2 nS", "2.5 nS"]}
SEEDS = 3
DURATION = "2 s"
MODES = ("serial-loop", "serial-sweep", "local-warm", "local-warm-memory", "local-cold", "dask-warm",
         "dask-warm-no-profiler")
ON_REQUEST = ("ei-network-rates", "large-grid-warm")
ABOUT = {"ei-network-rates": "`ei-network-rates`: the catalog's sweep as its file sets it",
         "large-grid-warm": "`large-grid-warm`: 8 points of `zerlaut2019-ei-network` at 10 ms"}
LARGE_GRID = {"sources.afferents4.rate": [f"{rate} Hz" for rate in range(2, 10)], "duration": ["10 ms"]}


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of live processes, from /proc/PID/stat."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _machine_cpu_seconds() -> float:
    """CPU time all processes have used so far (user, nice, system, irq, softirq, steal), from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    busy = sum(int(fields[k]) for k in (0, 1, 2, 5, 6, 7))
    return busy / os.sysconf("SC_CLK_TCK")


def _settings(duration: str) -> list[str]:
    return [f"duration={duration}"]


def _timed(work, pids) -> dict:
    """Wall and CPU time of ``work()``: CPU of the live processes ``pids`` plus of the child processes
    that ended meanwhile (the workers a cold executor starts and stops)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine0, cpu0, wall0 = _machine_cpu_seconds(), _cpu_seconds(pids), time.perf_counter()
    extra = work()
    wall, cpu, machine = time.perf_counter() - wall0, _cpu_seconds(pids) - cpu0, _machine_cpu_seconds() - machine0
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += (ended.ru_utime + ended.ru_stime) - (children.ru_utime + children.ru_stime)
    return {"wall": wall, "cpu": cpu, "others_cpu": max(machine - cpu, 0.0), **(extra or {})}


def measure(mode: str, duration: str) -> dict:
    """Time one mode in this process (see the module docstring)."""
    import snnzoo as sz
    from snnzoo.catalog.experiment import Experiment
    from snnzoo.sweeps import LocalExecutor

    settings = _settings(duration)
    experiment = Experiment.load("coba-adex-network", settings)
    small = {"projections.excitatory.weight": ["1 nS", "2 nS"]}
    me = [os.getpid()]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "sweep"
        if mode == "serial-loop":
            experiment.run(seed=99)

            def loop():
                for weight in GRID["projections.excitatory.weight"]:
                    for seed in range(SEEDS):
                        Experiment.load("coba-adex-network", settings + [f"projections.excitatory.weight={weight}"]
                                        ).run(seed=seed)
            return _timed(loop, me)
        if mode == "ei-network-rates":
            return _timed(lambda: sz.sweep("ei-network-rates", workers=2, out=out) and None, me)
        if mode == "large-grid-warm":
            executor = LocalExecutor(2)
            sz.sweep("zerlaut2019-ei-network", {"duration": ["1 ms"]}, executor=executor)
            pids = me + [p.pid for p in executor._pool._processes.values()]
            result = _timed(lambda: sz.sweep("zerlaut2019-ei-network", LARGE_GRID, executor=executor) and None, pids)
            executor.close()
            return result
        if mode == "local-cold":
            return _timed(lambda: sz.sweep(experiment, GRID, seeds=SEEDS, workers=2, out=out) and None, me)
        if mode in ("local-warm", "local-warm-memory"):
            executor = LocalExecutor(2)
            sz.sweep(experiment, small, executor=executor)
            pids = me + [p.pid for p in executor._pool._processes.values()]
            stored = {"out": out} if mode == "local-warm" else {}
            result = _timed(lambda: sz.sweep(experiment, GRID, seeds=SEEDS, executor=executor, **stored) and None, pids)
            executor.close()
            return result
        if mode.startswith("dask-warm"):
            import dask
            import distributed

            profiler = {"distributed.worker.profile.enabled": mode == "dask-warm"}  # the workers take it at start
            with dask.config.set(profiler), distributed.LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                    distributed.Client(cluster) as client:
                sz.sweep(experiment, small, executor=client)
                pids = me + list(client.run(os.getpid).values())
                return _timed(lambda: sz.sweep(experiment, GRID, seeds=SEEDS, executor=client, out=out) and None, pids)
        if mode == "serial-sweep":
            sz.sweep(experiment, small, executor="serial", out=Path(folder) / "warm")
            held = {}

            def run():
                held["result"] = sz.sweep(experiment, GRID, seeds=SEEDS, executor="serial", out=out)
            timing = _timed(run, me)
            summary = held["result"]
            simulated = float((summary["wall_seconds"] - summary["overhead_seconds"]).sum())
            runs = summary["status"].size
            return {**timing, "per_run_overhead": (timing["wall"] - simulated) / runs,
                    "per_run_simulation": simulated / runs}
    raise SystemExit(f"unknown mode {mode!r}")


def _checkouts(before: Path | None, caches: Path) -> dict[str, dict[str, str] | None]:
    """The code each variant runs: this process's environment (None), and with ``--before`` that checkout's
    snnzoo and plugins first on the path, with its own kernel cache."""
    from run_startup import Snnzoo

    variants: dict[str, dict[str, str] | None] = {"now": None}
    if before is not None:
        variants["before"] = Snnzoo(before.resolve(), caches / "before").env()
    return variants


def _measured(mode: str, duration: str, env: dict[str, str] | None) -> dict:
    done = subprocess.run([sys.executable, __file__, "--measure", mode, "--duration", duration],
                          capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"{mode} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ratios(median: dict[str, dict[str, float]]) -> list[str]:
    """The target ratios of one variant's medians."""
    loop, serial, warm = median["serial-loop"]["wall"], median["serial-sweep"]["wall"], median["local-warm"]["wall"]
    return [
        f"- local executor (warm) vs serial loop: {loop / warm:.2f}x faster (target >= 1.8x); the bound for two "
        f"cores doing the sweep's work (half the serial sweep's time): {loop / (serial / 2):.2f}x",
        f"- local executor (warm) vs the same sweep in one process: {serial / warm:.2f}x faster (2 cores: at most 2x)",
        f"- local executor (warm) without a store vs serial loop: {loop / median['local-warm-memory']['wall']:.2f}x "
        f"faster (both write nothing)",
        f"- local executor (cold: warm-up and starting its workers) vs serial loop: "
        f"{loop / median['local-cold']['wall']:.2f}x",
        f"- dask LocalCluster (2 workers, warm) vs local executor (warm): "
        f"{median['dask-warm']['wall'] / warm:.2f}x the time (target <= 1.2x); with the workers' profiler off: "
        f"{median['dask-warm-no-profiler']['wall'] / warm:.2f}x",
        f"- per-run overhead after warm-up (100 neurons; build, kernel lookup, result, summary, netCDF file): "
        f"{median['serial-sweep']['per_run_overhead']:.3f} s (target <= 0.1 s); the simulation loop itself "
        f"{median['serial-sweep']['per_run_simulation']:.3f} s per run",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(HERE / "RESULTS_SWEEPS.md"))
    parser.add_argument("--duration", default=DURATION, help="simulated time per run (default %(default)s)")
    parser.add_argument("--before", type=Path, help="a checkout of snnzoo to compare with, interleaved (e.g. the "
                                                    "commit before a change)")
    parser.add_argument("--modes", default=",".join(MODES),
                        help=f"modes to time, comma-separated, from {', '.join(MODES + ON_REQUEST)} (default: "
                             "the first six; the target ratios are given only with all of those)")
    parser.add_argument("--measure", choices=MODES + ON_REQUEST, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.duration)))
        return
    modes = tuple(args.modes.split(","))
    unknown = set(modes) - set(MODES + ON_REQUEST)
    if unknown:
        parser.error(f"--modes: unknown {', '.join(sorted(unknown))}; expected some of {', '.join(MODES + ON_REQUEST)}")
    warm_ups = (["serial-sweep"] if set(modes) & set(MODES) else []) + [m for m in ON_REQUEST if m in modes]
    with tempfile.TemporaryDirectory() as caches:
        variants = _checkouts(args.before, Path(caches))
        for env in variants.values():  # untimed: a fresh kernel cache compiles the kernels once
            for mode in warm_ups:
                _measured(mode, args.duration, env)
        timings = {name: {mode: [] for mode in modes} for name in variants}
        loads = []
        for round_index in range(args.rounds):
            order = modes[round_index % len(modes):] + modes[:round_index % len(modes)]
            names = list(variants)[::1 if round_index % 2 == 0 else -1]
            loads.append(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
            for mode in order:
                for name in names:
                    timings[name][mode].append(_measured(mode, args.duration, variants[name]))
                    print(name, mode, timings[name][mode][-1], flush=True)
        loads.append(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    median = {name: {mode: {key: statistics.median(t[key] for t in runs) for key in runs[0]}
                     for mode, runs in modes.items()} for name, modes in timings.items()}
    command = f"benchmarks/run_sweeps.py --rounds {args.rounds}" + (f" --duration '{args.duration}'"
                                                                   if args.duration != DURATION else "") + \
        (" --before DIR" if args.before else "") + (f" --modes {args.modes}" if modes != MODES else "")
    about = ([f"4 x 3 sweep of `coba-adex-network`, {args.duration} simulated per run"] if set(modes) & set(MODES)
             else []) + [ABOUT[mode] for mode in modes if mode in ABOUT]
    columns = list(variants) if args.before else ["now"]
    header = " | ".join(f"{name}: wall (s) | CPU (s) | others' CPU (s)" if args.before else
                        "wall (s) | CPU (s) | others' CPU (s)" for name in columns)
    lines = [
        "# Sweep benchmark",
        "",
        f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores with "
        f"`.venv/bin/python {command}` (see the script's docstring"
        + ("; 'before' is DIR, a checkout of the code before the change, run interleaved with this one" if args.before
           else "") + ").",
        "",
        "; ".join(about) + f" (medians over {args.rounds} rounds; CPU includes the workers; 'others' is the CPU time other processes "
        "took meanwhile):",
        "",
        f"| mode | {header} |",
        "|---|" + "---|" * 3 * len(columns),
        *["| " + " | ".join([mode] + [f"{median[name][mode][key]:.2f}" for name in columns
                                      for key in ("wall", "cpu", "others_cpu")]) + " |" for mode in modes],
        "",
    ]
    for name in columns if set(MODES) <= set(modes) else []:
        lines += ([f"{name}:", ""] if args.before else []) + _ratios(median[name]) + [""]
    lines += [
        "Load (`uptime`) before each round and at the end:",
        "",
        *[f"    {load}" for load in loads],
        "",
        "Raw timings (s) per round: " + json.dumps(timings if args.before else timings["now"]),
        "",
    ]
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

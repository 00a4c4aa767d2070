#!/usr/bin/env python
"""Benchmark: 1000 ball-and-stick neurons with receptor input, snnzoo vs Brian2, side by side.

    /work/venv/bin/python benchmarks/run_dendrites.py [--n 1000] [--duration 1] [--repeat 3]
        [--targets cython,cpp_standalone] [--brian2-python /work/brianvenv/bin/python]
        [--out benchmarks/RESULTS_DENDRITES.md] [--json raw.json]

The network (the same in both simulators, see ``benchmark_network`` here and in
``benchmarks/brian2_dendrites.py``): N ``ball_and_stick`` neurons (euler, dt 0.1 ms), a pool of
10000 Poisson sources at 10.2 Hz onto ``glu_d`` (1 nS; AMPA + NMDA) and 10000 at 3 Hz onto
``gaba_d`` (4 nS; GABAa + GABAb), each connected with probability 0.1: every neuron gets about
the SNN.jl tutorial's 1000 + 1000 inputs. Only spikes are recorded.

snnzoo is timed in this process: one warm-up network (kernel generation and numba
compilation, or loading it from the disk cache), then ``--repeat`` fresh networks; "run" is
the wall time of ``net.run(duration)`` (kernel loaded, no compilation), "build" the wall time
of ``net.build()`` (connectivity, arrays, cached kernel). Brian2 runs one target at a time in
a subprocess of the Brian2 venv (``benchmarks/brian2_dendrites.py benchmark``); its "run" is
Brian2's ``device._last_run_time`` (the time-step loop; cpp_standalone: std::clock CPU time
inside the binary). Medians over the repeats. Heavy steps run one after the other.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BRIAN2_SCRIPT = HERE / "brian2_dendrites.py"
DEFAULT_BRIAN2_PYTHON = "/work/brianvenv/bin/python"
KEEP = "<!-- notes: kept when run_dendrites.py rewrites this file -->"

POOLS = (  # name, target, pool size, rate (Hz), connection probability, weight (nS)
    ("exc", "glu_d", 10_000, 10.2, 0.1, 1.0),
    ("inh", "gaba_d", 10_000, 3.0, 0.1, 4.0),
)


def benchmark_network(n: int, seed: int):
    import snnzoo as sz
    from snnzoo import ureg as u

    net = sz.Network(dt=0.1 * u.ms, seed=seed, threads=1)
    net.add_population("E", "ball_and_stick", n)
    for name, on, size, rate, p, weight in POOLS:
        net.add_source(name, sz.stimulus("poisson_group", size=size, rate=rate * u.Hz))
        net.connect(name, "E", on=on, weight=weight * u.nS, p=p)
    return net


def time_snnzoo(n: int, duration: float, repeat: int) -> dict:
    import numba

    import snnzoo
    from snnzoo import ureg as u

    began = time.perf_counter()
    warm = benchmark_network(n, seed=1000)
    warm.build()
    warm.run(0.1 * u.ms)
    first_build = time.perf_counter() - began
    builds, runs, cpus, counts, synapses = [], [], [], [], []
    for k in range(repeat):
        net = benchmark_network(n, seed=k + 1)
        t0 = time.perf_counter()
        net.build()
        t1, c1 = time.perf_counter(), time.process_time()
        net.run(duration * u.s)
        t2, c2 = time.perf_counter(), time.process_time()
        builds.append(t1 - t0)
        runs.append(t2 - t1)
        cpus.append(c2 - c1)
        counts.append(int(next(r for r in net.records() if r.name == "E").spike_times.size))
        synapses.append(sum(p.size for p in net.projections.values()))
    return {"simulator": "snnzoo", "version": snnzoo.__version__, "numba": numba.__version__,
            "python": platform.python_version(), "n_neurons": n, "duration_s": duration,
            "first_build_s": first_build, "build_s": builds, "run_s": runs,
            "run_s_median": statistics.median(runs), "run_cpu_s": cpus,
            "run_cpu_s_median": statistics.median(cpus), "spike_counts": counts, "synapses": synapses,
            "rate_Hz": statistics.mean(counts) / n / duration}


def time_brian2(python: str, target: str, n: int, duration: float, repeat: int) -> dict:
    command = [python, str(BRIAN2_SCRIPT), "benchmark", "--target", target, "--n", str(n),
               "--duration", str(duration), "--repeat", str(repeat)]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent)
    if done.returncode != 0:
        return {"target": target, "error": done.stderr.strip().splitlines()[-1:] or ["failed"],
                "command": " ".join(command)}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = time.perf_counter() - began
    return result


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=HERE.parent).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True,
                               cwd=HERE.parent).stdout.strip()
        return rev + (" plus uncommitted changes" if dirty else "")
    except OSError:
        return "unknown"


def markdown(args, ours: dict, brian: list[dict], started: str, loads: list[str]) -> str:
    first = brian[0] if brian else {}
    rows = [("snnzoo (numba)", ours)] + [(f"Brian2 {b['target']}", b) for b in brian]
    lines = [
        "# Ball-and-stick benchmark: snnzoo vs Brian2",
        "",
        f"- Date: {started} (UTC)",
        f"- Command (from the repo root): `/work/venv/bin/python benchmarks/run_dendrites.py {' '.join(args.argv)}`",
        f"- Machine: {os.cpu_count()} cores ({cpu_name()}), shared with other engineers; load average "
        f"(1/5/15 min) at start {loads[0]}, after snnzoo {loads[1]}, at end {loads[-1]}",
        f"- snnzoo {ours['version']} (git {git_revision()}), numba {ours['numba']}, Python {ours['python']}, "
        "single thread, float64",
        f"- Brian2 {first.get('version', '?')} (numpy {first.get('numpy', '?')}, default compiler flags), float64",
        "",
        f"Network: {args.n} `ball_and_stick` neurons (euler, dt 0.1 ms, {args.duration:g} s simulated); "
        "10000 Poisson sources at 10.2 Hz onto `glu_d` (1 nS) and 10000 at 3 Hz onto `gaba_d` (4 nS), "
        f"each connected with p = 0.1 ({ours['synapses'][0] / args.n:.0f} input synapses per neuron, exc + inh); "
        "spikes recorded.",
        "",
        "| simulator | run s (median) | runs s | ratio snnzoo/this | output rate Hz | notes |",
        "|---|---|---|---|---|---|",
    ]
    for label, r in rows:
        if "error" in r:
            lines.append(f"| {label} | failed | | | | {' '.join(r['error'])} |")
            continue
        # against cpp_standalone's CPU-time clock, compare snnzoo's CPU time too
        mine = ours["run_cpu_s_median"] if r.get("target") == "cpp_standalone" else ours["run_s_median"]
        ratio = mine / r["run_s_median"]
        runs = ", ".join(f"{x:.3g}" for x in r["run_s"])
        if r is ours:
            note = (f"wall time of net.run; its CPU time (process_time) {ours['run_cpu_s_median']:.3g} s; "
                    f"build (cached kernel) {statistics.median(ours['build_s']):.2f} s; first network incl. "
                    f"compile or cache load {ours['first_build_s']:.1f} s")
        elif r["target"] == "cpp_standalone":
            binary = statistics.median(r["binary_wall_s"]) if r.get("binary_wall_s") else float("nan")
            note = (f"std::clock CPU time of the loop; wall time of the whole binary {binary:.3g} s; "
                    f"first build+compile+run {r['first_wall_s']:.0f} s")
        else:
            note = f"device._last_run_time; first run (code generation, cache) {r['first_wall_s']:.1f} s"
        lines.append(f"| {label} | {r['run_s_median']:.3g} | {runs} | {ratio:.2f} | {r['rate_Hz']:.2f} | {note} |")
    lines += [
        "",
        "Ratios are snnzoo's median over the other's median: wall times against Brian2 cython "
        "(both the time-step loop), CPU times against cpp_standalone (whose loop clock is std::clock); "
        "under machine load CPU time is the fairer of the two.",
        "",
        "The output rates differ a little because the Poisson draws and the random connectivity differ "
        "between simulators (and between repeats: seeds 1..K); `tests/test_dendrites.py` checks the "
        "statistics against Brian2 on independent neurons and the traces on identical input spikes.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=1.0, help="seconds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--targets", default="cython,cpp_standalone")
    parser.add_argument("--brian2-python", default=DEFAULT_BRIAN2_PYTHON)
    parser.add_argument("--out", default=str(HERE / "RESULTS_DENDRITES.md"))
    parser.add_argument("--json", default=None, help="also write the raw numbers here")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    loads = [load()]
    print(f"snnzoo: N = {args.n}, {args.duration} s, {args.repeat} repeats (load {loads[0]})", file=sys.stderr)
    ours = time_snnzoo(args.n, args.duration, args.repeat)
    loads.append(load())
    print(f"  run {ours['run_s']}", file=sys.stderr)
    brian = []
    for target in [t for t in args.targets.split(",") if t]:
        print(f"Brian2 {target} (load {load()})", file=sys.stderr)
        brian.append(time_brian2(args.brian2_python, target, args.n, args.duration, args.repeat))
        print(f"  {brian[-1].get('run_s', brian[-1].get('error'))}", file=sys.stderr)
    loads.append(load())
    text = markdown(args, ours, brian, started, loads)
    out = Path(args.out)
    previous = out.read_text() if out.exists() else ""
    if KEEP in previous:  # hand-written notes below the marker survive a re-run
        text = text + "\n" + previous[previous.index(KEEP):]
    out.write_text(text)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps({"snnzoo": ours, "brian2": brian, "loads": loads}, indent=1))


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Benchmark snnzoo against Brian2 (cython and cpp_standalone), NEST and ANNarchy on the WORKLOADS.md workloads.

    python benchmarks/run.py [--workloads W1,W2,W6] [--repeat K]
                             [--brian2-python /path/to/brian2venv/bin/python]
                             [--targets cython,cpp_standalone] [--json out.json] [--quick]
    python benchmarks/run.py --workloads W3,W4,W5 --simulators brian2,nest,annarchy
                             [--seeds S] [--nest-python ...] [--annarchy-python ...]

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

* NEST (networks W3, W4, W5 only), via ``benchmarks/nest_workloads.py`` run by
  the NEST venv's python: ``run_s`` is the wall time of ``nest.Simulate``, one
  fresh kernel per run (seeds 1, 2, ...).
* ANNarchy (W3, W4, W5), via ``benchmarks/annarchy_workloads.py`` with the
  ANNarchy venv's ``bin/`` first on PATH: one network compiled once (cold, new
  directory), ``run_s`` the wall time of ``net.simulate`` of K runs with a reset
  in between; a second call with S independent copies in one network gives the
  rate statistics.

Networks (W3, W4, W5): population rates (all, excitatory, inhibitory neurons)
are compared over S network realisations (``--seeds``; default per workload in
``SEEDS``): snnzoo and NEST runs use seeds 1..S (NEST at most ``NEST_MAX_RUNS``),
Brian2 its K timing runs at seed 1 (cython and cpp_standalone) plus cython runs at
seeds 2..S, ANNarchy S copies (at most ``ANNARCHY_MAX_COPIES``). snnzoo also
reports the time to construct the network (connectivity included) and its bytes
per synapse.

Prints Markdown tables and the target checks; ``--json`` writes all raw numbers.

    python benchmarks/run.py --threads 1,2 [--workloads W4,W6] [--rounds R]
    python benchmarks/run.py --precision double,single [--workloads W6] [--rounds R]

compares thread counts instead: in each of R rounds, for every thread count T
(the order rotated from round to round), one fresh snnzoo worker runs the
workload with ``Network(threads=T)`` (kernel cache warmed first) and one
Brian2 cpp_standalone run uses T OpenMP threads (plus one Brian2 cython run per
round; ``--targets cpp_standalone`` leaves it out, as for W7); medians of wall and
CPU time of the simulation loop, with the load average. ``--precision double,single`` compares
precisions the same way (``Network(precision=P)``, one fresh worker per run and precision, the
order rotated), with one Brian2 cpp_standalone run per round as the reference; the load average is
recorded before every snnzoo run.
"""

from __future__ import annotations

import argparse
import contextlib
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
NEST_SCRIPT = HERE / "nest_workloads.py"
ANNARCHY_SCRIPT = HERE / "annarchy_workloads.py"
DEFAULT_BRIAN2_PYTHON = "/work/brianvenv/bin/python"
DEFAULT_NEST_PYTHON = "/work/nestvenv/bin/python"
DEFAULT_ANNARCHY_PYTHON = "/work/annarchyvenv/bin/python"
ALL_WORKLOADS = ["W1", "W2", "W3", "W4", "W5", "W6", "W7"]  # W7 in detail: benchmarks/run_large.py
DEFAULT_WORKLOADS = ["W1", "W2", "W6"]
NETWORKS = ["W3", "W4", "W5"]
SIMULATORS = ["brian2", "nest", "annarchy"]
QUICK_N = {"W2": 50, "W3": 400, "W4": 1000, "W6": 2000, "W7": 4000}
# network realisations for the rate comparison (rates differ by ~2 % (W3), ~20 % (W4), ~10 % (W5) between seeds)
SEEDS = {"W3": 5, "W4": 10, "W5": 20}
QUICK_SEEDS = 2
NEST_MAX_RUNS = {"W3": 3, "W4": 2, "W5": 20}  # NEST needs ~15 s (W3), ~50 s (W4), ~4 s (W5) per run
ANNARCHY_MAX_COPIES = {"W3": 5, "W4": 3, "W5": 20}  # W4: 5.1 M synapses per copy
SEED = 1
TARGETS = {"W6_vs_cython": 0.8, "W2_vs_cpp": 0.8, "warm_build_s": 1.0, "W3_vs_cpp": 0.7, "W4_vs_cpp": 0.7,
           "W5_vs_annarchy": 1.0, "W4_construct_s": 2.0, "bytes_per_synapse": 16.0, "rate_rel": 0.05}


# ---------------------------------------------------------------------------
# worker mode: runs inside a fresh subprocess, prints one JSON line
# ---------------------------------------------------------------------------

def _rates(counts, groups: dict, duration_s: float) -> dict:
    return {g: float(counts[a:b].sum() / ((b - a) * duration_s)) for g, (a, b) in groups.items()}


def worker(name: str, n: int | None, repeat: int, seeds: int = 1, threads: int = 1,
           precision: str = "double") -> dict:
    """Build and run workload ``name``; networks run max(repeat, seeds) times with seeds 1, 2, ..."""
    import gc

    began = time.perf_counter()
    import snnzoo  # noqa: F401
    from snnzoo import ureg as u

    sys.path.insert(0, str(HERE))
    import workloads

    imported = time.perf_counter()
    net = workloads.build(name, n, threads=threads, precision=precision)
    constructed = time.perf_counter()
    net.build()
    net.run(net.dt * u.s)  # one step: loads (or compiles) the kernel
    built = time.perf_counter()
    out = {"import_s": imported - began, "construct_s": constructed - imported, "build_s": built - constructed,
           "n_neurons": sum(p.size for p in net.populations.values()), "run_s": [], "run_cpu_s": [],
           "spike_count": None}
    network = name in NETWORKS
    if network:
        synapses = sum(p.size for p in net.projections.values())
        out.update(synapses=synapses, seeds=[], construct_warm_s=[], build_warm_inproc_s=[], spike_counts=[],
                   rates_hz=[], bytes_per_synapse=sum(p.bytes_per_synapse() * p.size
                                                      for p in net.projections.values()) / max(synapses, 1))
        groups = workloads.groups(name, n)
        duration_s = workloads.DURATIONS[name].to("s").magnitude
    runs = max(repeat, seeds) if network and repeat > 0 else repeat
    for r in range(runs):
        seed = SEED + r if network else workloads.SEED
        del net
        gc.collect()
        began = time.perf_counter()
        net = workloads.build(name, n, seed=seed, threads=threads, precision=precision)
        constructed = time.perf_counter()
        net.build()
        built = time.perf_counter()
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        net.run(workloads.DURATIONS[name])
        out["run_s"].append(time.perf_counter() - start)
        out["run_cpu_s"].append(time.process_time() - start_cpu)
        records = net.records()
        out["spike_count"] = int(sum(int(rec.spike_counts.sum()) for rec in records if rec.name in net.populations))
        if network:
            counts = next(rec.spike_counts for rec in records if rec.name == "G")
            out["seeds"].append(seed)
            out["construct_warm_s"].append(constructed - began)
            out["build_warm_inproc_s"].append(built - constructed)
            out["spike_counts"].append(int(counts.sum()))
            out["rates_hz"].append(_rates(counts, groups, duration_s))
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


def snnzoo_side(name: str, n: int | None, repeat: int, seeds: int = 1) -> dict:
    cache = tempfile.mkdtemp(prefix="snnzoo_bench_cache_")
    env = {**os.environ, "SNNZOO_CACHE_DIR": cache}
    base = [sys.executable, str(Path(__file__).resolve()), "--worker", name]
    if n is not None:
        base += ["--n", str(n)]
    try:
        cold = _subprocess_json(base + ["--repeat", "0"], env)
        main = _subprocess_json(base + ["--repeat", str(repeat), "--seeds", str(seeds)], env)
        warm = [main["build_s"]] + [_subprocess_json(base + ["--repeat", "0"], env)["build_s"]
                                    for _ in range(max(repeat, 1) - 1)]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    out = {"n_neurons": main["n_neurons"], "run_s": main["run_s"],
           "run_s_median": statistics.median(main["run_s"]) if main["run_s"] else None,
           "run_cpu_s": main["run_cpu_s"],
           "run_cpu_s_median": statistics.median(main["run_cpu_s"]) if main["run_cpu_s"] else None,
           "spike_count": main["spike_count"], "build_warm_s": warm,
           "build_warm_s_median": statistics.median(warm), "build_cold_s": cold["build_s"],
           "import_s": main["import_s"], "construct_s": main["construct_s"]}
    for key in ("synapses", "bytes_per_synapse", "seeds", "spike_counts", "rates_hz", "construct_warm_s",
                "build_warm_inproc_s"):
        if key in main:
            out[key] = main[key]
    if "construct_warm_s" in main:
        out["construct_warm_s_median"] = statistics.median(main["construct_warm_s"])
        # a fresh process with a warm kernel cache: network construction (connectivity) + build
        out["first_network_s"] = statistics.median(
            [main["construct_s"] + main["build_s"]] + [c + b for c, b in zip(main["construct_warm_s"], warm[1:])])
    return out


def _counts_from_spikes(path: str, n: int) -> list[int]:
    with open(path) as handle:
        spikes = json.load(handle)["spikes"]
    return [len(spikes.get(str(k), [])) for k in range(n)]


def brian2_side(python: str, name: str, target: str, n: int | None, repeat: int, seed: int | None = None) -> dict:
    cmd = [python, str(REFERENCE), name, "--target", target, "--repeat", str(repeat)]
    if n is not None:
        cmd += ["--n", str(n)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    spikes = None
    if name in NETWORKS:  # per-neuron counts for the exc/inh rates (records spike times; cheap at these rates)
        handle, spikes = tempfile.mkstemp(prefix=f"brian2_{name}_spikes_", suffix=".json")
        os.close(handle)
        cmd += ["--spikes-out", spikes]
    try:
        result = _subprocess_json(cmd)
        if spikes:
            import numpy as np

            sys.path.insert(0, str(HERE))
            import workloads

            size = result["n_neurons"]
            counts = np.array(_counts_from_spikes(spikes, size))
            duration_s = workloads.DURATIONS[name].to("s").magnitude
            result["rates_hz"] = [_rates(counts, workloads.groups(name, size), duration_s)]
            result["seeds"] = [seed]
    finally:
        if spikes:
            os.unlink(spikes)
    result["run_s_median"] = statistics.median(result["run_s"]) if result.get("run_s") else None
    return result


def brian2_extra_seeds(python: str, name: str, n: int | None, seeds: list[int]) -> dict:
    """Brian2 cython, one run per seed (its first run: build + run), for the rate statistics."""
    rates, counts = [], []
    for seed in seeds:
        r = brian2_side(python, name, "cython", n, 0, seed)
        rates += r["rates_hz"]
        counts.append(r["spike_count"])
    return {"seeds": seeds, "rates_hz": rates, "spike_counts": counts}


def nest_side(python: str, name: str, n: int | None, runs: int) -> dict:
    cmd = [python, str(NEST_SCRIPT), name, "--repeat", str(runs), "--seed", str(SEED)]
    if n is not None:
        cmd += ["--size", str(n)]
    return _subprocess_json(cmd)


def _annarchy_env(python: str) -> dict:
    # ANNarchy's CMake build must find this venv's python3 first on PATH
    return {**os.environ, "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def annarchy_side(python: str, name: str, n: int | None, repeat: int, copies: int) -> dict:
    base = [python, str(ANNARCHY_SCRIPT), name, "--seed", str(SEED)]
    if n is not None:
        base += ["--size", str(n)]
    env = _annarchy_env(python)
    timing = _subprocess_json(base + ["--repeat", str(repeat)], env)
    if copies > 1:
        stats = _subprocess_json(base + ["--repeat", "1", "--copies", str(copies), "--seed", str(SEED + 1)], env)
        timing["rates_timing_runs_hz"] = timing["rates_hz"]
        timing["rates_hz"] = stats["rates_hz"]
        timing["copies_build_s"] = stats["build_s"]
    return timing


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


def _sides(r: dict) -> dict:
    """Simulator label -> its result dict (only the ones that ran without error)."""
    sides = {"snnzoo": r["snnzoo"]}
    for target, label in (("cython", "Brian2 cython"), ("cpp_standalone", "Brian2 cpp")):
        x = r.get("brian2", {}).get(target)
        if x and "error" not in x:
            sides[label] = x
    for key, label in (("nest", "NEST"), ("annarchy", "ANNarchy")):
        x = r.get(key)
        if x and "error" not in x:
            sides[label] = x
    return sides


def _run_cpu(x: dict):
    """Median CPU seconds of the run (Brian2 cpp_standalone's run_s is already std::clock CPU time)."""
    if x.get("target") == "cpp_standalone":
        return x.get("run_s_median")
    return x.get("run_cpu_s_median")


def network_tables(results: dict) -> str:
    """Run times and ratios, build and memory, rates: for the network workloads."""
    nets = {k: v for k, v in results.items() if k in NETWORKS}
    if not nets:
        return ""
    others = ["Brian2 cython", "Brian2 cpp", "NEST", "ANNarchy"]
    lines = ["| workload | snnzoo run s wall / CPU | Brian2 cython run s wall | Brian2 cpp run s CPU (std::clock) "
             "| NEST run s wall / CPU | ANNarchy run s wall / CPU | snnzoo/cython (wall) | snnzoo/cpp (CPU) "
             "| snnzoo/NEST (CPU) | snnzoo/ANNarchy (CPU) |", "|" + "---|" * 10]
    for name, r in nets.items():
        sides = _sides(r)
        s = r["snnzoo"]
        mine_wall, mine_cpu = s["run_s_median"], s.get("run_cpu_s_median")
        cy, cpp, nest, ann = (sides.get(o, {}) for o in others)

        def both(x):
            return f"{_fmt(x.get('run_s_median'))} / {_fmt(x.get('run_cpu_s_median'))}" if x else "n/a"

        lines.append(f"| {name} (N={s['n_neurons']}) | {_fmt(mine_wall)} / {_fmt(mine_cpu)} | "
                     f"{_fmt(cy.get('run_s_median'))} | {_fmt(cpp.get('run_s_median'))} | {both(nest)} | {both(ann)} | "
                     f"{_ratio(mine_wall, cy.get('run_s_median'))} | {_ratio(mine_cpu, _run_cpu(cpp))} | "
                     f"{_ratio(mine_cpu, _run_cpu(nest))} | {_ratio(mine_cpu, _run_cpu(ann))} |")
    lines += ["", "| workload | synapses | snnzoo bytes/synapse | snnzoo construct s (connectivity) "
              "| snnzoo build warm s | snnzoo build cold s | snnzoo fresh process: construct + warm build s "
              "| Brian2 cython first run s | Brian2 cpp build+run s | NEST build s | ANNarchy build (compile) s |",
              "|" + "---|" * 11]
    for name, r in nets.items():
        s, sides = r["snnzoo"], _sides(r)
        nest_build = sides.get("NEST", {}).get("build_s")
        ann = sides.get("ANNarchy", {})
        ann_text = f"{_fmt(ann.get('build_s'))} ({_fmt(ann.get('compile_s'))})" if ann else "n/a"
        lines.append(f"| {name} | {s.get('synapses')} | {_fmt(s.get('bytes_per_synapse'))} | "
                     f"{_fmt(s.get('construct_warm_s_median'))} | {_fmt(s['build_warm_s_median'])} | "
                     f"{_fmt(s['build_cold_s'])} | {_fmt(s.get('first_network_s'))} | "
                     f"{_fmt(sides.get('Brian2 cython', {}).get('build_s'))} | "
                     f"{_fmt(sides.get('Brian2 cpp', {}).get('build_s'))} | "
                     f"{_fmt(statistics.median(nest_build) if nest_build else None)} | {ann_text} |")
    lines += ["", "Rates in Hz: mean ± standard error / median (number of network realisations); "
              "Brian2 cython pools its timing run (seed 1) and the extra seeds.", "",
              "| workload | neurons | snnzoo | Brian2 cython | Brian2 cpp | NEST | ANNarchy "
              "| snnzoo/Brian2 mean | verdict (within 5 %) |", "|" + "---|" * 9]
    for name, r in nets.items():
        sides = _sides(r)
        for group in ("all", "exc", "inh"):
            stats = {label: rate_stats(x.get("rates_hz"), group) for label, x in sides.items()}
            brian = rate_stats(brian2_rates(r), group)
            mine = stats["snnzoo"]
            cells = [_stat_text(mine)] + [_stat_text(brian if o == "Brian2 cython" else stats.get(o))
                                          for o in others]
            lines.append(f"| {name} | {group} | " + " | ".join(cells) + f" | {_rate_ratio(mine, brian)} | "
                         f"{_rate_verdict(mine, brian)} |")
    for name, r in nets.items():
        failed = r.get("nest", {}).get("failed")
        if failed:
            lines.append(f"\n{name}: NEST runs that stopped (left out above): "
                         + "; ".join(f"seed {f['seed']}: {f['error'][:80]}" for f in failed))
    return "\n".join(lines)


def brian2_rates(r: dict) -> list:
    """Brian2 cython rates over all seeds: the timing run (seed 1) and the extra seeds."""
    first = r.get("brian2", {}).get("cython", {}).get("rates_hz") or []
    return list(first) + list(r.get("brian2_seeds", {}).get("rates_hz", []))


def rate_stats(rates, group: str):
    """(mean, standard error, number, median) of the rates of ``group`` over runs, or None."""
    if not rates:
        return None
    values = [x[group] for x in rates]
    mean = statistics.fmean(values)
    sem = statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else None
    return mean, sem, len(values), statistics.median(values)


def _stat_text(stats) -> str:
    if stats is None:
        return "n/a"
    mean, sem, count, median = stats
    if sem is None:
        return f"{mean:.3g} (n=1)"
    return f"{mean:.3g} ± {sem:.2g} / {median:.3g} (n={count})"


def _rate_ratio(mine, ref) -> str:
    return f"{mine[0] / ref[0]:.3f}" if mine and ref and ref[0] else "n/a"


def _rate_verdict(mine, ref) -> str:
    """Means (and medians) within 5 %? Says how many standard errors the difference of the means is;
    when the seed-to-seed noise alone (standard error of the difference) exceeds 5 %, the
    comparison cannot resolve 5 % and is marked so."""
    if not mine or not ref or not ref[0]:
        return "n/a"
    limit = TARGETS["rate_rel"]
    rel, rel_median = mine[0] / ref[0] - 1, (mine[3] / ref[3] - 1 if ref[3] else None)
    sems = [x[1] for x in (mine, ref) if x[1] is not None]
    error = (sum(e * e for e in sems) ** 0.5) if len(sems) == 2 else None
    z = abs(mine[0] - ref[0]) / error if error else None
    detail = (f"mean {rel:+.1%}" + (f" = {z:.1f} SE" if z is not None else "")
              + (f", median {rel_median:+.1%}" if rel_median is not None else "")
              + (f", SE of diff {error / ref[0]:.1%}" if error else ""))
    if abs(rel) <= limit:
        verdict = "OK"
    elif rel_median is not None and abs(rel_median) <= limit:
        verdict = "OK (median)"
    elif error is not None and error / ref[0] > limit and z < 2:
        verdict = "UNRESOLVED, consistent"
    else:
        verdict = "OFF"
    return f"{verdict} ({detail})"


def target_checks(results: dict) -> list[str]:
    out = []

    def check(label, value, limit, unit=""):
        if value is None:
            out.append(f"- {label}: not measured")
        else:
            verdict = "MET" if value <= limit else "MISSED"
            out.append(f"- {label}: {value:.3g}{unit} (target <= {limit}{unit}) -> {verdict}")

    def ratio(name, label):
        r = results.get(name)
        if not r:
            return None
        if name in NETWORKS and label != "Brian2 cython":  # CPU time against CPU time
            b = _run_cpu(_sides(r).get(label, {}))
            mine = r["snnzoo"].get("run_cpu_s_median")
            return mine / b if b and mine else None
        b = _sides(r).get(label, {}).get("run_s_median")
        return r["snnzoo"]["run_s_median"] / b if b else None

    if "W6" in results:
        check("W6 snnzoo/Brian2 cython", ratio("W6", "Brian2 cython"), TARGETS["W6_vs_cython"], "x")
    if "W2" in results:
        check("W2 snnzoo/Brian2 cpp_standalone", ratio("W2", "Brian2 cpp"), TARGETS["W2_vs_cpp"], "x")
    for name in ("W3", "W4"):
        if name in results:
            check(f"{name} snnzoo/Brian2 cpp_standalone (CPU time)", ratio(name, "Brian2 cpp"),
                  TARGETS[f"{name}_vs_cpp"], "x")
    if "W5" in results:
        check("W5 snnzoo/ANNarchy (CPU time)", ratio("W5", "ANNarchy"), TARGETS["W5_vs_annarchy"], "x")
    if "W4" in results:
        check("W4 network construction (5.1 M synapses) + warm build, fresh process",
              results["W4"]["snnzoo"].get("first_network_s"), TARGETS["W4_construct_s"], " s")
    for name in NETWORKS:
        if name in results:
            check(f"{name} bytes per synapse", results[name]["snnzoo"].get("bytes_per_synapse"),
                  TARGETS["bytes_per_synapse"], " B")
    for name, r in results.items():
        check(f"{name} warm build", r["snnzoo"]["build_warm_s_median"], TARGETS["warm_build_s"], " s")
    return out


@contextlib.contextmanager
def _fresh_kernel_cache():
    """The environment of workers sharing a new, empty kernel cache (removed afterwards)."""
    cache = tempfile.mkdtemp(prefix="snnzoo_bench_cache_")
    try:
        yield {**os.environ, "SNNZOO_CACHE_DIR": cache}
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _worker_command(name: str, n: int | None) -> list[str]:
    """The command of a worker process running workload ``name`` (``n`` neurons, default if None)."""
    return [sys.executable, str(Path(__file__).resolve()), "--worker", name] + (["--n", str(n)] if n else [])


def _rotated(values: list, k: int) -> list:
    """``values`` in the order of round ``k``: rotated by one place per round."""
    return values[k % len(values):] + values[:k % len(values)]


def _timed_worker(command: list[str], env: dict, row: dict, label: str) -> dict:
    """One timed run of a fresh snnzoo worker (``command`` plus ``--repeat 1``): the load before it
    and its spike count go into ``row``; returns the worker's numbers."""
    row["load"].append(_load())
    print(f"{label} (load {row['load'][-1]})", file=sys.stderr, flush=True)
    mine = _subprocess_json(command + ["--repeat", "1"], env)
    row["spikes"].append(mine["spike_count"])
    return mine


def thread_comparison(names: list[str], counts: list[int], rounds: int, n_of, brian2_python: str | None,
                      targets: list[str]) -> dict:
    """Interleaved rounds of snnzoo (fresh worker per run) and Brian2 cpp_standalone with each thread count
    (and one Brian2 cython run per round), the Brian2 targets limited to ``targets``."""
    results = {}
    with _fresh_kernel_cache() as env:
        for name in names:
            n = n_of(name)
            base = _worker_command(name, n)
            for threads in counts:  # compile every kernel once, outside the timed runs
                _subprocess_json(base + ["--repeat", "0", "--worker-threads", str(threads)], env)
            entry = {str(t): {"snnzoo_wall": [], "snnzoo_cpu": [], "spikes": [], "brian2_wall": [], "brian2_cpu": [],
                              "load": []} for t in counts}
            entry["brian2_cython"] = {"wall": [], "spikes": []}
            for k in range(rounds):
                if brian2_python and "cython" in targets:  # one Brian2 cython run per round, between the others
                    cmd = [brian2_python, str(REFERENCE), name, "--target", "cython", "--repeat", "1"]
                    theirs = _run_side("brian2 cython", name, lambda: _subprocess_json(cmd + (["--n", str(n)] if n else [])))
                    entry["brian2_cython"]["wall"] += theirs.get("run_s", [])
                    entry["brian2_cython"]["spikes"].append(theirs.get("spike_count"))
                for threads in _rotated(counts, k):
                    row = entry[str(threads)]
                    mine = _timed_worker(base + ["--worker-threads", str(threads)], env, row,
                                         f"[{name}] round {k + 1}, {threads} thread(s)")
                    row["snnzoo_wall"] += mine["run_s"]
                    row["snnzoo_cpu"] += mine["run_cpu_s"]
                    if brian2_python and "cpp_standalone" in targets:
                        cmd = [brian2_python, str(REFERENCE), name, "--target", "cpp_standalone", "--repeat", "1",
                               "--openmp-threads", str(threads if threads > 1 else 0)] + (["--n", str(n)] if n else [])
                        theirs = _run_side("brian2 cpp_standalone", name, lambda: _subprocess_json(cmd))
                        row["brian2_wall"] += theirs.get("run_wall_s", [])
                        row["brian2_cpu"] += theirs.get("run_s", [])
            results[name] = entry
    return results


def thread_table(results: dict, counts: list[int]) -> str:
    """Median wall and CPU seconds per workload and thread count, and ratios to one thread.

    Brian2's loop time (``run_s``) is ``omp_get_wtime`` wall time with OpenMP (T > 1) and
    ``std::clock`` CPU time without (T = 1: about the wall time on a quiet machine); its binary's
    wall time also holds the set-up (synapse creation, file output)."""
    lines = ["| workload | threads | snnzoo wall s | snnzoo CPU s | wall vs 1 thread | Brian2 cpp loop s | "
             "Brian2 cpp binary wall s | snnzoo / cpp (loop) | Brian2 cython s | snnzoo / cython (wall) | spikes |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    median = lambda values: statistics.median(values) if values else None  # noqa: E731
    for name, entry in results.items():
        one = median(entry[str(counts[0])]["snnzoo_wall"])
        cython = median(entry["brian2_cython"]["wall"])
        for threads in counts:
            row = entry[str(threads)]
            wall, cpu = median(row["snnzoo_wall"]), median(row["snnzoo_cpu"])
            cpp_binary, cpp_loop = median(row["brian2_wall"]), median(row["brian2_cpu"])
            lines.append(f"| {name} | {threads} | {_fmt(wall)} | {_fmt(cpu)} | {_ratio(wall, one)} | {_fmt(cpp_loop)} | "
                         f"{_fmt(cpp_binary)} | {_ratio(wall, cpp_loop) if cpp_loop else '–'} | {_fmt(cython)} | "
                         f"{_ratio(wall, cython) if cython else '–'} | {sorted(set(row['spikes']))} |")
    return "\n".join(lines)


def precision_comparison(names: list[str], precisions: list[str], rounds: int, n_of,
                         brian2_python: str | None) -> dict:
    """Interleaved rounds of snnzoo in each precision (fresh worker per run, order rotated from
    round to round) and, as the reference, one Brian2 cpp_standalone run (double precision) per round."""
    results = {}
    with _fresh_kernel_cache() as env:
        for name in names:
            n = n_of(name)
            base = _worker_command(name, n)
            for precision in precisions:  # compile every kernel once, outside the timed runs
                _subprocess_json(base + ["--repeat", "0", "--worker-precision", precision], env)
            entry = {p: {"wall": [], "cpu": [], "spikes": [], "load": []} for p in precisions}
            entry["brian2_cpp"] = {"wall": [], "cpu": [], "spikes": []}
            for k in range(rounds):
                for precision in _rotated(precisions, k):
                    row = entry[precision]
                    mine = _timed_worker(base + ["--worker-precision", precision], env, row,
                                         f"[{name}] round {k + 1}, {precision} precision")
                    row["wall"] += mine["run_s"]
                    row["cpu"] += mine["run_cpu_s"]
                if brian2_python:
                    cmd = [brian2_python, str(REFERENCE), name, "--target", "cpp_standalone", "--repeat", "1"]
                    theirs = _run_side("brian2 cpp_standalone", name,
                                       lambda: _subprocess_json(cmd + (["--n", str(n)] if n else [])))
                    entry["brian2_cpp"]["wall"] += theirs.get("run_wall_s", [])
                    entry["brian2_cpp"]["cpu"] += theirs.get("run_s", [])
                    entry["brian2_cpp"]["spikes"].append(theirs.get("spike_count"))
            results[name] = entry
    return results


def precision_table(results: dict, precisions: list[str]) -> str:
    """Median wall and CPU seconds per workload and precision, ratios to the first precision, and Brian2's."""
    lines = ["| workload | precision | runs | snnzoo CPU s | snnzoo wall s | CPU vs " + precisions[0] + " | wall vs "
             + precisions[0] + " | spikes | Brian2 cpp CPU s | Brian2 cpp wall s | Brian2 spikes |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    median = lambda values: statistics.median(values) if values else None  # noqa: E731
    for name, entry in results.items():
        first = entry[precisions[0]]
        cpp = entry["brian2_cpp"]
        for precision in precisions:
            row = entry[precision]
            cpu, wall = median(row["cpu"]), median(row["wall"])
            lines.append(f"| {name} | {precision} | {len(row['cpu'])} | {_fmt(cpu)} | {_fmt(wall)} | "
                         f"{_ratio(cpu, median(first['cpu']))} | {_ratio(wall, median(first['wall']))} | "
                         f"{sorted(set(row['spikes']))} | {_fmt(median(cpp['cpu']))} | {_fmt(median(cpp['wall']))} | "
                         f"{sorted(set(s for s in cpp['spikes'] if s is not None))} |")
    return "\n".join(lines)


def _run_side(label: str, name: str, call):
    print(f"[{name}] {label} ...", file=sys.stderr, flush=True)
    try:
        return call()
    except (OSError, RuntimeError, ValueError, KeyError, subprocess.TimeoutExpired) as error:
        print(f"[{name}] {label} failed: {error}", file=sys.stderr, flush=True)
        return {"error": str(error)}


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", default=",".join(DEFAULT_WORKLOADS), help=f"any of {','.join(ALL_WORKLOADS)}")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--simulators", default="brian2",
                    help=f"which of {','.join(SIMULATORS)} to compare with (NEST and ANNarchy: W3, W4, W5 only)")
    ap.add_argument("--brian2-python", default=DEFAULT_BRIAN2_PYTHON if os.path.exists(DEFAULT_BRIAN2_PYTHON) else None,
                    help="python of a venv with Brian2 (omit the Brian2 side if not given)")
    ap.add_argument("--nest-python", default=DEFAULT_NEST_PYTHON, help="python of a venv with nest-simulator")
    ap.add_argument("--annarchy-python", default=DEFAULT_ANNARCHY_PYTHON, help="python of a venv with ANNarchy")
    ap.add_argument("--targets", default="cython,cpp_standalone")
    ap.add_argument("--seeds", type=int, default=None,
                    help=f"network realisations for the rate comparison (default {SEEDS}; --quick: {QUICK_SEEDS})")
    ap.add_argument("--json", default=None, help="write all raw results to this file")
    ap.add_argument("--quick", action="store_true", help=f"smaller sizes for a smoke test: {QUICK_N}")
    ap.add_argument("--threads", default=None, help="compare these thread counts (e.g. 1,2) instead")
    ap.add_argument("--precision", default=None,
                    help="compare these precisions (double,single) instead, interleaved over --rounds rounds")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the thread or precision comparison")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--worker-threads", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--worker-precision", default="double", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.n, args.repeat, args.seeds or 1, args.worker_threads,
                                args.worker_precision)))
        return 0

    names = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in names if w not in ALL_WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; known: {ALL_WORKLOADS}")
    simulators = [x.strip().lower() for x in args.simulators.split(",") if x.strip()]
    if set(simulators) - set(SIMULATORS):
        ap.error(f"unknown simulator(s) {sorted(set(simulators) - set(SIMULATORS))}; known: {SIMULATORS}")
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    if args.precision:
        precisions = [p.strip() for p in args.precision.split(",") if p.strip()]
        loads = {"start": _load()}
        results = precision_comparison(names, precisions, args.rounds,
                                       lambda name: QUICK_N.get(name) if args.quick else None,
                                       args.brian2_python if "brian2" in simulators else None)
        loads["end"] = _load()
        print(precision_table(results, precisions))
        print(f"\nLoad average (1, 5, 15 min): {loads['start']} at start, {loads['end']} at end")
        if args.json:
            with open(args.json, "w") as handle:
                json.dump({"argv": sys.argv, "precisions": precisions, "load": loads, "results": results}, handle,
                          indent=1)
                handle.write("\n")
        return 0
    if args.threads:
        counts = [int(t) for t in args.threads.split(",")]
        loads = {"start": _load()}
        results = thread_comparison(names, counts, args.rounds, lambda name: QUICK_N.get(name) if args.quick else None,
                                    args.brian2_python if "brian2" in simulators else None, targets)
        loads["end"] = _load()
        print(thread_table(results, counts))
        print(f"\nLoad average (1, 5, 15 min): {loads['start']} at start, {loads['end']} at end")
        if args.json:
            with open(args.json, "w") as handle:
                json.dump({"argv": sys.argv, "threads": counts, "load": loads, "results": results}, handle, indent=1)
                handle.write("\n")
        return 0
    results, loads = {}, {"start": _load()}
    for name in names:
        n = QUICK_N.get(name) if args.quick else None
        network = name in NETWORKS
        seeds = (args.seeds or (QUICK_SEEDS if args.quick else SEEDS[name])) if network else 1
        print(f"[{name}] snnzoo ... (load {_load()})", file=sys.stderr, flush=True)
        entry = {"snnzoo": snnzoo_side(name, n, args.repeat, seeds), "brian2": {}}
        if "brian2" in simulators and args.brian2_python:
            for target in targets:
                entry["brian2"][target] = _run_side(
                    f"brian2 {target}", name,
                    lambda: brian2_side(args.brian2_python, name, target, n, args.repeat,
                                        SEED if network else None))
            if network and seeds > 1 and "cython" in targets:
                entry["brian2_seeds"] = _run_side(
                    f"brian2 cython, seeds {SEED + 1}..{SEED + seeds - 1}", name,
                    lambda: brian2_extra_seeds(args.brian2_python, name, n, list(range(SEED + 1, SEED + seeds))))
        if network and "nest" in simulators:
            entry["nest"] = _run_side("nest", name, lambda: nest_side(
                args.nest_python, name, n, min(seeds, NEST_MAX_RUNS[name])))
        if network and "annarchy" in simulators:
            entry["annarchy"] = _run_side("annarchy", name, lambda: annarchy_side(
                args.annarchy_python, name, n, args.repeat, min(seeds, ANNARCHY_MAX_COPIES[name])))
        results[name] = entry
    loads["end"] = _load()
    plain = {k: v for k, v in results.items() if k not in NETWORKS}
    parts = []
    if plain:
        parts.append(table(plain))
    if len(plain) < len(results):
        parts.append(network_tables(results))
    text = "\n\n".join(parts) + "\n\nTargets:\n" + "\n".join(target_checks(results))
    text += f"\n\nLoad average (1, 5, 15 min): {loads['start']} at start, {loads['end']} at end"
    print(text)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"argv": sys.argv, "quick": args.quick, "repeat": args.repeat, "load": loads,
                       "results": results}, handle, indent=1)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

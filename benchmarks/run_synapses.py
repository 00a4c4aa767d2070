#!/usr/bin/env python
"""Benchmark plastic synapses: the Song, Miller & Abbott (2000) STDP network, snnzoo vs Brian2 cpp_standalone.

    python benchmarks/run_synapses.py --brian2-python /work/brian2-venv/bin/python [--rounds 3]
                                      [--variants song,song1000] [--duration 10] [--json out.json]

Variants (Brian2 2.9's STDP example: 15 Hz Poisson inputs, pair STDP with all-to-all traces,
euler, dt 0.1 ms, initial weights uniform in [0, gmax]):

* ``song``: 1000 inputs -> 1 neuron (all to all);
* ``song1000``: 1000 inputs -> 1000 neurons, p = 0.1.

Each round runs snnzoo and Brian2 one after the other, each in a fresh subprocess, the order
alternating between rounds (A B, B A, ...). snnzoo: the kernel is built (and cached) first,
then ``net.run(duration)`` is timed (wall and process CPU). Brian2: cpp_standalone, one
project per round; its run time is ``device._last_run_time``, the simulation loop as the
binary measures it (``std::clock()``: CPU time), and the wall time of running the binary is
reported beside it. Medians over the rounds; the load average before and after is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

VARIANTS = {"song": (1000, 1, None), "song1000": (1000, 1000, 0.1)}
RATE_HZ, GMAX, SEED = 15.0, 0.01, 1


def snnzoo_worker(variant: str, duration: float) -> dict:
    import numpy as np

    import snnzoo as sz
    from snnzoo import ureg as u

    n_in, n_out, p = VARIANTS[variant]
    net = sz.Network(dt=0.1 * u.ms, seed=SEED, threads=1)
    net.add_population("n", "lif_song", n_out)
    net.add_source("in", sz.stimulus("poisson_group", size=n_in, rate=RATE_HZ * u.Hz))
    rule = {"all_to_all": True} if p is None else {"p": p}
    net.connect("in", "n", synapse="stdp", weight={"distribution": "uniform", "low": 0, "high": GMAX}, name="S", **rule)
    began = time.perf_counter()
    net.build()
    net.run(0.1 * u.ms)
    build_s = time.perf_counter() - began
    wall, cpu = time.perf_counter(), time.process_time()
    net.run(duration * u.s)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    weights = net.projections["S"].weights().magnitude
    spikes = int(net.result()["n"].dataset.spike_count.values.sum())
    return {"run_wall_s": wall, "run_cpu_s": cpu, "build_s": build_s, "synapses": int(weights.size),
            "bytes_per_synapse": net.projections["S"].bytes_per_synapse(), "post_spikes": spikes,
            "mean_w_over_gmax": float(weights.mean() / GMAX)}


def brian2_worker(variant: str, duration: float) -> dict:
    import brian2 as b
    import numpy as np

    n_in, n_out, p = VARIANTS[variant]
    directory = tempfile.mkdtemp(prefix=f"brian2_stdp_{variant}_")
    b.set_device("cpp_standalone", build_on_run=False, directory=directory)
    b.prefs.core.default_float_dtype = np.float64
    b.seed(SEED)
    b.defaultclock.dt = 0.1 * b.ms
    namespace = {"taum": 10 * b.ms, "taupre": 20 * b.ms, "taupost": 20 * b.ms, "Ee": 0 * b.mV, "vt": -54 * b.mV,
                 "vr": -60 * b.mV, "El": -74 * b.mV, "taue": 5 * b.ms, "gmax": GMAX, "dApre": 0.01 * GMAX,
                 "dApost": -0.01 * GMAX * 1.05}
    inputs = b.PoissonGroup(n_in, rates=RATE_HZ * b.Hz)
    neurons = b.NeuronGroup(n_out, "dv/dt = (ge * (Ee-v) + El - v) / taum : volt\ndge/dt = -ge / taue : 1",
                            threshold="v>vt", reset="v = vr", method="euler", namespace=namespace)
    neurons.v = -60 * b.mV
    synapses = b.Synapses(inputs, neurons,
                          "w : 1\ndApre/dt = -Apre / taupre : 1 (event-driven)\n"
                          "dApost/dt = -Apost / taupost : 1 (event-driven)",
                          on_pre="ge += w\nApre += dApre\nw = clip(w + Apost, 0, gmax)",
                          on_post="Apost += dApost\nw = clip(w + Apre, 0, gmax)", namespace=namespace)
    synapses.connect(p=1.0 if p is None else p)
    synapses.w = "rand() * gmax"
    spikes = b.SpikeMonitor(neurons)
    b.run(duration * b.second)
    began = time.perf_counter()
    b.device.build(directory=directory, compile=True, run=False)
    compile_s = time.perf_counter() - began
    began = time.perf_counter()
    b.device.run(directory=directory, with_output=False, run_args=[])
    run_wall = time.perf_counter() - began
    return {"run_cpu_s": b.device._last_run_time, "binary_wall_s": run_wall, "compile_s": compile_s,
            "synapses": int(len(synapses)), "post_spikes": int(spikes.num_spikes),
            "mean_w_over_gmax": float(synapses.w[:].mean() / GMAX)}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _call(python: str, simulator: str, variant: str, duration: float) -> dict:
    command = [python, os.path.abspath(__file__), "--worker", simulator, "--variant", variant,
               "--duration", str(duration)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brian2-python", default="/work/brian2-venv/bin/python")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variants", default="song,song1000")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--json")
    parser.add_argument("--worker", choices=["snnzoo", "brian2"])
    parser.add_argument("--variant", choices=list(VARIANTS))
    args = parser.parse_args()
    if args.worker:
        worker = snnzoo_worker if args.worker == "snnzoo" else brian2_worker
        print(json.dumps(worker(args.variant, args.duration)))
        return 0
    pythons = {"snnzoo": sys.executable, "brian2": args.brian2_python}
    results = {"load_before": _load(), "command": " ".join(sys.argv), "variants": {}}
    for variant in args.variants.split(","):
        runs = {"snnzoo": [], "brian2": []}
        for r in range(args.rounds):
            order = ["snnzoo", "brian2"] if r % 2 == 0 else ["brian2", "snnzoo"]
            for simulator in order:
                runs[simulator].append(_call(pythons[simulator], simulator, variant, args.duration))
        results["variants"][variant] = runs
    results["load_after"] = _load()
    print(f"load average before: {results['load_before']}, after: {results['load_after']}")
    print("| variant | synapses | snnzoo run s wall / CPU | Brian2 cpp run s CPU (std::clock) / binary wall "
          "| snnzoo/cpp (CPU) | bytes/synapse | post spikes snnzoo / Brian2 | mean w/gmax snnzoo / Brian2 |")
    print("|---|---|---|---|---|---|---|---|")
    for variant, runs in results["variants"].items():
        z, b = runs["snnzoo"], runs["brian2"]
        median = lambda rows, key: statistics.median(row[key] for row in rows)  # noqa: E731
        ratio = median(z, "run_cpu_s") / median(b, "run_cpu_s")
        print(f"| {variant} | {z[0]['synapses']} | {median(z, 'run_wall_s'):.3g} / {median(z, 'run_cpu_s'):.3g} | "
              f"{median(b, 'run_cpu_s'):.3g} / {median(b, 'binary_wall_s'):.3g} | {ratio:.2f} | "
              f"{z[0]['bytes_per_synapse']:.1f} | {median(z, 'post_spikes'):.0f} / {median(b, 'post_spikes'):.0f} | "
              f"{median(z, 'mean_w_over_gmax'):.3f} / {median(b, 'mean_w_over_gmax'):.3f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

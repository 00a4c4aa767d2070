#!/usr/bin/env python
"""PoissonInput against the same input built from explicit Poisson sources.

    python benchmarks/poisson_input.py [--neurons 10000] [--inputs 1000] [--rate 5] [--duration 0.02] [--rounds 3]

Each neuron of a population of ``--neurons`` LIF neurons receives ``--inputs`` independent
Poisson inputs at ``--rate`` Hz adding 0.1 mV to v: once through ``add_poisson_input`` (one
binomial draw per neuron and step) and once through a ``poisson_group`` of neurons x inputs
sources, each connected to one neuron. Each measurement runs in a fresh subprocess (kernel
compiled beforehand, not timed); the two variants alternate, the order rotating every round
(A B, B A, ...). Prints the median wall and CPU time of ``net.run`` per variant, their
ratio, the mean membrane potential of both (same distribution), and the machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def network(variant: str, neurons: int, inputs: int, rate: float):
    import numpy as np

    import snnzoo as sz
    from snnzoo import ureg as u

    model = sz.NeuronModel("lif", "dv/dt = -v/tau : volt", {"tau": "20 ms"})
    net = sz.Network(dt=0.1 * u.ms, seed=1, threads=1)
    net.add_population("neurons", model, neurons)
    if variant == "poisson_input":
        net.add_poisson_input("neurons", "v", N=inputs, rate=rate * u.Hz, weight=0.1 * u.mV)
    else:
        sources = neurons * inputs
        net.add_source("inputs", sz.stimulus("poisson_group", size=sources, rate=rate * u.Hz))
        net.connect("inputs", "neurons", on="v", weight=0.1 * u.mV, i=np.arange(sources),
                    j=np.arange(sources) // inputs)
    return net


def worker(variant: str, neurons: int, inputs: int, rate: float, duration: float) -> dict:
    from snnzoo import ureg as u

    net = network(variant, neurons, inputs, rate)
    net.run(0.1 * u.ms)  # compile or load the kernel: not timed
    start, start_cpu = time.perf_counter(), time.process_time()
    net.run(duration * u.second)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    v = net.populations["neurons"].get("v").magnitude
    return {"wall_s": wall, "cpu_s": cpu, "mean_v": float(v.mean())}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--neurons", type=int, default=10000)
    parser.add_argument("--inputs", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--duration", type=float, default=0.02)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", choices=["poisson_input", "explicit_sources"])
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.neurons, args.inputs, args.rate, args.duration)))
        return 0
    variants = ["poisson_input", "explicit_sources"]
    results: dict[str, list[dict]] = {v: [] for v in variants}
    loads = [os.getloadavg()[0]]
    for r in range(args.rounds):
        for variant in variants if r % 2 == 0 else variants[::-1]:
            cmd = [sys.executable, __file__, "--worker", variant, "--neurons", str(args.neurons), "--inputs",
                   str(args.inputs), "--rate", str(args.rate), "--duration", str(args.duration)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            results[variant].append(json.loads(done.stdout.strip().splitlines()[-1]))
        loads.append(os.getloadavg()[0])
    median = {v: {k: statistics.median(x[k] for x in results[v]) for k in ("wall_s", "cpu_s", "mean_v")}
              for v in variants}
    print(f"{args.neurons} neurons x {args.inputs} inputs at {args.rate} Hz, {args.duration} s simulated, "
          f"{args.rounds} rounds; 1-min load average {min(loads):.1f}-{max(loads):.1f} (2 cores)")
    print("| variant | wall (s) | CPU (s) | mean v (mV) |")
    print("|---|---|---|---|")
    for v in variants:
        m = median[v]
        print(f"| {v} | {m['wall_s']:.4f} | {m['cpu_s']:.4f} | {m['mean_v'] * 1e3:.3f} |")
    print(f"speed-up (explicit / PoissonInput): wall {median['explicit_sources']['wall_s'] / median['poisson_input']['wall_s']:.0f}x, "
          f"CPU {median['explicit_sources']['cpu_s'] / median['poisson_input']['cpu_s']:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

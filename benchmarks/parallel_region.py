#!/usr/bin/env python
"""What a shared loop costs per step: numba's threading layers and OpenMP spin counts.

    python benchmarks/parallel_region.py [--sizes 1000,20000,100000] [--steps 5000] [--rounds 3]

Each configuration runs in a fresh subprocess (the threading layer and ``GOMP_SPINCOUNT``
are fixed when the first parallel loop starts): a compiled loop of ``--steps`` steps, each
step one ``prange`` over one block per thread of a simple update of ``size`` doubles, the
shape of the kernels' shared loops. Prints the median over ``--rounds`` (configurations
interleaved) of the wall and CPU microseconds per step, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CONFIGS = [  # (label, threading layer, environment)
    ("omp, GOMP_SPINCOUNT=10000", "omp", {"GOMP_SPINCOUNT": "10000"}),
    ("omp, GOMP_SPINCOUNT=1000", "omp", {"GOMP_SPINCOUNT": "1000"}),
    ("omp, GOMP_SPINCOUNT=100", "omp", {"GOMP_SPINCOUNT": "100"}),
    ("omp, OpenMP's default spin", "omp", {}),
    ("omp, OMP_WAIT_POLICY=passive", "omp", {"OMP_WAIT_POLICY": "passive"}),
    ("workqueue", "workqueue", {}),
]


def worker(layer: str, size: int, steps: int, threads: int) -> dict:
    """Time ``steps`` steps of one shared loop over ``size`` doubles with ``threads`` threads."""
    import resource
    import time

    import numba
    import numpy as np
    from numba import njit, prange

    numba.config.THREADING_LAYER = layer

    @njit(nogil=True)
    def block(x, first, last):
        for i in range(first, last):
            x[i] = x[i] * 0.999 + 0.001

    @njit(parallel=True, nogil=True)
    def run(x, steps, blocks):
        for _ in range(steps):
            for b in prange(blocks):
                block(x, (x.shape[0] * b) // blocks, (x.shape[0] * (b + 1)) // blocks)

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    x = np.ones(size)
    numba.set_num_threads(threads)
    run(x, 10, threads)  # compile and start the threads
    wall, used = time.perf_counter(), cpu()
    run(x, steps, threads)
    wall, used = time.perf_counter() - wall, cpu() - used
    return {"wall_us": 1e6 * wall / steps, "cpu_us": 1e6 * used / steps, "layer": numba.threading_layer()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,20000,100000")
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        layer, size, steps, threads = args.worker
        print(json.dumps(worker(layer, int(size), int(steps), int(threads))))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    runs: dict[tuple, list[dict]] = {}
    loads = [os.getloadavg()]
    for k in range(args.rounds):
        for label, layer, env in CONFIGS[k % len(CONFIGS):] + CONFIGS[:k % len(CONFIGS)]:
            for size in sizes:
                for threads in (1, 2):
                    environment = {key: value for key, value in os.environ.items()
                                   if key not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY", "NUMBA_THREADING_LAYER")}
                    out = subprocess.run([sys.executable, __file__, "--worker", layer, str(size), str(args.steps),
                                          str(threads)], env={**environment, **env}, capture_output=True, text=True,
                                         check=True)
                    runs.setdefault((label, size, threads), []).append(json.loads(out.stdout))
        loads.append(os.getloadavg())
    print("| configuration | neurons | threads | wall µs/step | CPU µs/step |\n|---|---|---|---|---|")
    labels = [label for label, _, _ in CONFIGS]
    for (label, size, threads), rows in sorted(runs.items(), key=lambda kv: (kv[0][1], labels.index(kv[0][0]), kv[0][2])):
        wall = statistics.median(r["wall_us"] for r in rows)
        cpu = statistics.median(r["cpu_us"] for r in rows)
        print(f"| {label} ({rows[0]['layer']}) | {size} | {threads} | {wall:.2f} | {cpu:.2f} |")
    print("\nload averages (1, 5, 15 min) before and after each round: "
          + "; ".join(" ".join(f"{x:.2f}" for x in load) for load in loads))


if __name__ == "__main__":
    main()

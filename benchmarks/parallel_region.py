#!/usr/bin/env python
"""What a shared loop costs per step: numba's threading layers, OpenMP spin counts, and threads
that stay in one parallel region for all the steps.

    python benchmarks/parallel_region.py [--sizes 1000,20000,100000] [--steps 5000] [--rounds 3]
                                         [--configs 0,6]

Each configuration runs in a fresh subprocess (the threading layer and ``GOMP_SPINCOUNT``
are fixed when the first parallel loop starts): a compiled loop of ``--steps`` steps, each
step one ``prange`` over one block per thread of a simple update of ``size`` doubles, the
shape of the kernels' shared loops. The configuration "one region, barrier per step" starts
one ``prange`` for all the steps instead: each thread updates its block step after step and
waits at a spin barrier (atomic counter) for the other threads at the end of every step, as a
kernel whose threads live as long as the kernel call would. Prints the median over ``--rounds``
(configurations interleaved) of the wall and CPU microseconds per step, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

PER_STEP, ONE_REGION = "per-step", "one-region"
"""A ``prange`` started in every step, or one for all the steps with a barrier per step."""

CONFIGS = [  # (label, threading layer, environment, regions)
    ("omp, GOMP_SPINCOUNT=10000", "omp", {"GOMP_SPINCOUNT": "10000"}, PER_STEP),
    ("omp, GOMP_SPINCOUNT=1000", "omp", {"GOMP_SPINCOUNT": "1000"}, PER_STEP),
    ("omp, GOMP_SPINCOUNT=100", "omp", {"GOMP_SPINCOUNT": "100"}, PER_STEP),
    ("omp, OpenMP's default spin", "omp", {}, PER_STEP),
    ("omp, OMP_WAIT_POLICY=passive", "omp", {"OMP_WAIT_POLICY": "passive"}, PER_STEP),
    ("workqueue", "workqueue", {}, PER_STEP),
    ("omp, one region, barrier per step", "omp", {"GOMP_SPINCOUNT": "10000"}, ONE_REGION),
]


SPINS = 10_000
"""Looks at the barrier before a waiting thread starts to give its core away (as ``GOMP_SPINCOUNT``)."""


def barrier_wait():
    """A compiled ``wait(barrier, threads)``: returns once all ``threads`` threads have called it for the
    current round. ``barrier`` is an int64 array of 16 zeros shared by the threads: a counter of the
    threads that arrived (element 0) and the round (element 8, on another cache line), both atomic.
    A waiting thread spins ``SPINS`` times, then gives its core away (``sched_yield``) between looks:
    on a busy machine the thread it waits for may need that core."""
    import ctypes

    from numba import njit, types
    from numba.core import cgutils
    from numba.extending import intrinsic

    def pointer(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        return cgutils.get_item_pointer(context, builder, signature.args[0], array, [args[1]], wraparound=False)

    @intrinsic
    def atomic_add(typingctx, values, index, amount):
        """``values[index] += amount`` as one atomic operation; the old value."""
        def codegen(context, builder, signature, args):
            return builder.atomic_rmw("add", pointer(context, builder, signature, args), args[2], "seq_cst")
        return types.int64(values, index, amount), codegen

    @intrinsic
    def atomic_load(typingctx, values, index):
        """``values[index]``, read from memory every time (it may change under a spinning loop)."""
        def codegen(context, builder, signature, args):
            return builder.load_atomic(pointer(context, builder, signature, args), "acquire", 8)
        return types.int64(values, index), codegen

    sched_yield = ctypes.CDLL(None).sched_yield
    sched_yield.restype, sched_yield.argtypes = ctypes.c_int, []
    count, round_ = 0, 8

    @njit(nogil=True)
    def wait(barrier, threads):
        current = atomic_load(barrier, round_)
        if atomic_add(barrier, count, 1) == threads - 1:  # the last to arrive starts the next round
            barrier[count] = 0
            atomic_add(barrier, round_, 1)
        else:
            spins = 0
            while atomic_load(barrier, round_) == current:
                spins += 1
                if spins > SPINS:
                    sched_yield()

    return wait


def worker(layer: str, size: int, steps: int, threads: int, regions: str) -> dict:
    """Time ``steps`` steps of one shared loop over ``size`` doubles with ``threads`` threads,
    with a parallel region per step or one for all the steps (``regions``)."""
    import resource
    import time

    import numba
    import numpy as np
    from numba import njit, prange

    numba.config.THREADING_LAYER = layer
    wait = barrier_wait()

    @njit(nogil=True)
    def block(x, first, last):
        for i in range(first, last):
            x[i] = x[i] * 0.999 + 0.001

    @njit(parallel=True, nogil=True)
    def run(x, steps, blocks, barrier):
        for _ in range(steps):
            for b in prange(blocks):
                block(x, (x.shape[0] * b) // blocks, (x.shape[0] * (b + 1)) // blocks)

    @njit(nogil=True)
    def steps_of_block(x, steps, b, blocks, barrier):
        for _ in range(steps):
            block(x, (x.shape[0] * b) // blocks, (x.shape[0] * (b + 1)) // blocks)
            wait(barrier, blocks)

    @njit(parallel=True, nogil=True)
    def run_in_one_region(x, steps, blocks, barrier):
        for b in prange(blocks):
            steps_of_block(x, steps, b, blocks, barrier)

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    timed = run if regions == PER_STEP else run_in_one_region
    x, barrier = np.ones(size), np.zeros(16, np.int64)
    numba.set_num_threads(threads)
    timed(x, 10, threads, barrier)  # compile and start the threads
    wall, used = time.perf_counter(), cpu()
    timed(x, steps, threads, barrier)
    wall, used = time.perf_counter() - wall, cpu() - used
    return {"wall_us": 1e6 * wall / steps, "cpu_us": 1e6 * used / steps, "layer": numba.threading_layer()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,20000,100000")
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--configs", default=",".join(str(k) for k in range(len(CONFIGS))),
                    help="which configurations, by number: " + "; ".join(f"{k} {c[0]}" for k, c in enumerate(CONFIGS)))
    ap.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        layer, size, steps, threads, regions = args.worker
        print(json.dumps(worker(layer, int(size), int(steps), int(threads), regions)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = [CONFIGS[int(k)] for k in args.configs.split(",")]
    runs: dict[tuple, list[dict]] = {}
    loads = [os.getloadavg()]
    for k in range(args.rounds):
        for label, layer, env, regions in configs[k % len(configs):] + configs[:k % len(configs)]:
            for size in sizes:
                for threads in (1, 2):
                    environment = {key: value for key, value in os.environ.items()
                                   if key not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY", "NUMBA_THREADING_LAYER")}
                    out = subprocess.run([sys.executable, __file__, "--worker", layer, str(size), str(args.steps),
                                          str(threads), regions], env={**environment, **env}, capture_output=True, text=True,
                                         check=True)
                    runs.setdefault((label, size, threads), []).append(json.loads(out.stdout))
        loads.append(os.getloadavg())
    print("| configuration | neurons | threads | wall µs/step | CPU µs/step |\n|---|---|---|---|---|")
    labels = [label for label, _, _, _ in CONFIGS]
    for (label, size, threads), rows in sorted(runs.items(), key=lambda kv: (kv[0][1], labels.index(kv[0][0]), kv[0][2])):
        wall = statistics.median(r["wall_us"] for r in rows)
        cpu = statistics.median(r["cpu_us"] for r in rows)
        print(f"| {label} ({rows[0]['layer']}) | {size} | {threads} | {wall:.2f} | {cpu:.2f} |")
    print("\nload averages (1, 5, 15 min) before and after each round: "
          + "; ".join(" ".join(f"{x:.2f}" for x in load) for load in loads))


if __name__ == "__main__":
    main()

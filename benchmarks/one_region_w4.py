#!/usr/bin/env python
"""W4's step run by threads that stay in one parallel region for the whole kernel call, against
the kernels snnzoo generates (serial, and two threads with a parallel region per shared loop).

    python benchmarks/one_region_w4.py [--rounds 5] [--duration 1.0]

A question for the engine, not a feature: snnzoo's kernels start a ``prange`` for each shared loop
in every step (W4: one, the neuron update), and on two cores that costs about as much as W4's
step of 10 000 neurons (``benchmarks/parallel_region.py``). Here the step is written by hand from
W4's generated two-thread kernel (its block functions are used as they are): each thread runs every
step, updates its block of neurons and waits at a spin barrier; thread 0 books the spikes, draws the
Poisson sources and delivers the synapses (shared by target blocks when a step has at least
2048 synaptic events, as the generated kernel does), then all threads meet again. Decisions that
every thread must agree on are read after a barrier (spike flags, whether the state is finite)
or written by thread 0 before one (which deliveries are shared).

The results are checked first: the state and spike counts after the run must equal the serial
kernel's bit for bit. Then R interleaved rounds (order rotated) each build a fresh network per
kernel and time ``net.run`` (wall and CPU), with the thread count fixed (the driver's probe of one
thread against two is turned off). Prints medians and ratios to the serial kernel, with the load.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit, prange

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import parallel_region  # noqa: E402
import workloads  # noqa: E402

from snnzoo import ureg as u  # noqa: E402
from snnzoo.engine import thread_choice  # noqa: E402
from snnzoo.engine.kernel_key import kernel_module  # noqa: E402
from snnzoo.engine.runtime import block_start, site_key, start_draws, uniform  # noqa: E402

wait = parallel_region.barrier_wait()
block0 = block1 = block2 = block3 = None
"""W4's block functions (update; deliveries of the three projections), taken from its generated
two-thread kernel module by :func:`main` before the first call compiles the functions below."""


@njit(nogil=True)
def book(i, n, ns, spiking, last_spike, counts, steps, neurons, buffered) -> None:
    """Book neuron ``i``'s spike in step ``n``, the ``ns``-th of the step."""
    spiking[ns] = i
    last_spike[i] = n
    counts[i] += 1
    steps[buffered[0]] = n
    neurons[buffered[0]] = i
    buffered[0] += 1


@njit(nogil=True)
def events(starts, count, queue) -> int:
    """The synapses of the presynaptic neurons due now (``count[0]`` of them, in ``queue[0]``)."""
    total = 0
    for q in range(count[0]):
        total += starts[queue[0, q] + 1] - starts[queue[0, q]]
    return total


@njit(nogil=True)
def deliver_serially(starts, targets, weights, count, queue, state, row) -> None:
    """Add the weight to row ``row`` of ``state`` for every synapse due now, in spike order."""
    for q in range(count[0]):
        pre = queue[0, q]
        for s in range(starts[pre], starts[pre + 1]):
            state[row, targets[s]] += weights[0]


@njit(error_model='numpy', nogil=True)
def steps(thread, threads, barrier, found, shared, shared_steps, ctrl, clock, rng, L0, C0, SS0, SI0, SN0, SP0, S0, P0, H0, F0, Z0, L1, C1, SS1, SI1, SN1, SP1, G1R, R0P, R0J, R0W, R0Q, R0N, R0B, R1P, R1J, R1W, R1Q, R1N, R1B, R2P, R2J, R2W, R2Q, R2N, R2B):
    """The steps of thread ``thread`` of ``threads`` (the arrays are the generated kernel's; ``found``
    holds each thread's spike and finiteness flags, 8 apart, ``shared`` what thread 0 decided; thread 0
    counts the steps whose deliveries were shared in ``shared_steps[0]``)."""
    draws = np.empty(1, dtype=np.uint64)
    stream0 = site_key(rng, 4813799597162309142)
    dt = clock[0]
    n0 = ctrl[0]
    n1 = ctrl[1]
    N0 = C0.shape[0]
    p0_gL = P0[1]
    p0_EL = P0[2]
    p0_Vr = P0[3]
    p0_Ee = P0[4]
    p0_Ei = P0[5]
    _h0_0 = 1/P0[0]
    _h0_1 = -1/P0[6]
    _h0_2 = -1/P0[7]
    N1 = C1.shape[0]
    first, last = block_start(N0, thread, threads), block_start(N0, thread + 1, threads)
    for n in range(n0, n1):
        if SN0[0] + N0 > SS0.shape[0] or SN1[0] + N1 > SS1.shape[0]:  # every thread reads the same counts
            if thread == 0:
                ctrl[2] = 1
                ctrl[3] = n
            return
        s, b = block0(first, last, F0, H0, L0, S0, SP0, _h0_0, _h0_1, _h0_2, dt, n, p0_EL, p0_Ee, p0_Ei, p0_gL)
        found[thread * 8] = s
        found[thread * 8 + 1] = b
        wait(barrier, threads)
        spiking = False
        bad = False
        for t in range(threads):
            spiking |= found[t * 8] != 0
            bad |= found[t * 8 + 1] != 0
        if bad:
            for i in range(N0):
                if not (math.isfinite(S0[0, i]) and math.isfinite(S0[1, i]) and math.isfinite(S0[2, i])):
                    if thread == 0:
                        ctrl[2] = 2
                        ctrl[3] = n
                        ctrl[4] = 0
                        ctrl[5] = i
                        ctrl[7] = 0
                        ctrl[8] = 0
                    return
        if thread == 0:
            ns0 = 0
            if spiking:
                for block in range(threads):
                    for c in range(block_start(N0, block, threads), block_start(N0, block + 1, threads)):
                        i = SP0[c]
                        if i < 0:
                            break
                        book(i, n, ns0, SP0, L0, C0, SS0, SI0, SN0)
                        ns0 += 1
            ns1 = 0
            for i in range(N1):
                start_draws(draws, stream0, n, i)
                if uniform(draws) < G1R[0, i] * clock[0]:
                    book(i, n, ns1, SP1, L1, C1, SS1, SI1, SN1)
                    ns1 += 1
            R0N[0] = ns1
            for q in range(ns1):
                R0Q[0, q] = SP1[q]
            R1N[0] = ns0
            R2N[0] = ns0
            for q in range(ns0):
                R1Q[0, q] = SP0[q]
                R2Q[0, q] = SP0[q]
            shared[0] = events(R0P, R0N, R0Q) >= 2048
            shared[1] = events(R1P, R1N, R1Q) >= 2048
            shared[3] = ns0
            shared[4] = shared[0] or shared[1]
            if not shared[4]:  # every delivery serial: this thread does them and the reset before the others go on
                deliver_serially(R0P, R0J, R0W, R0N, R0Q, S0, 1)
                deliver_serially(R1P, R1J, R1W, R1N, R1Q, S0, 1)
                deliver_serially(R2P, R2J, R2W, R2N, R2Q, S0, 2)
                for q in range(ns0):
                    S0[0, SP0[q]] = p0_Vr
        wait(barrier, threads)
        if shared[4]:  # deliveries in projection order, a barrier after each
            if thread == 0:
                shared_steps[0] += 1
            if shared[0]:
                block1(first, last, R0B, R0J, R0N, R0Q, R0W, S0, 0)
            elif thread == 0:
                deliver_serially(R0P, R0J, R0W, R0N, R0Q, S0, 1)
            wait(barrier, threads)
            if shared[1]:
                block2(first, last, R1B, R1J, R1N, R1Q, R1W, S0, 0)
                block3(first, last, R2B, R2J, R2N, R2Q, R2W, S0, 0)
            elif thread == 0:
                deliver_serially(R1P, R1J, R1W, R1N, R1Q, S0, 1)
                deliver_serially(R2P, R2J, R2W, R2N, R2Q, S0, 2)
            wait(barrier, threads)
            if thread == 0:
                for q in range(shared[3]):
                    S0[0, SP0[q]] = p0_Vr
            wait(barrier, threads)
    if thread == 0:
        ctrl[2] = 0
        ctrl[3] = n1


@njit(error_model='numpy', nogil=True, parallel=True)
def kernel_one_region(shared_steps, ctrl, clock, rng, L0, C0, SS0, SI0, SN0, SP0, S0, P0, H0, F0, Z0, L1, C1, SS1, SI1, SN1, SP1, G1R, R0P, R0J, R0W, R0Q, R0N, R0B, R1P, R1J, R1W, R1Q, R1N, R1B, R2P, R2J, R2W, R2Q, R2N, R2B):
    """W4's kernel (the generated one's arguments after ``shared_steps``): one parallel region, each
    thread running every step."""
    threads = ctrl[6]
    barrier = np.zeros(16, np.int64)
    found = np.zeros(8 * threads, np.int64)
    shared = np.zeros(8, np.int64)
    for thread in prange(threads):
        steps(thread, threads, barrier, found, shared, shared_steps, ctrl, clock, rng, L0, C0, SS0, SI0, SN0, SP0, S0, P0, H0, F0, Z0, L1, C1, SS1, SI1, SN1, SP1, G1R, R0P, R0J, R0W, R0Q, R0N, R0B, R1P, R1J, R1W, R1Q, R1N, R1B, R2P, R2J, R2W, R2Q, R2N, R2B)


KERNELS = ("serial", "prange per step", "one region")


SHARED_STEPS = np.zeros(1, np.int64)
"""Steps of the one-region kernel whose deliveries were shared among the threads."""


def network(kind: str):
    """A fresh W4 network, built and run for one step, that runs with the kernel ``kind``."""
    net = workloads.build("W4", None, threads=1 if kind == "serial" else 2)
    net.build()
    net.run(net.dt * u.s)
    if kind == "one region":
        net._simulation.kernel = lambda *arrays: kernel_one_region(SHARED_STEPS, *arrays)
    return net


def outcome(net) -> tuple[np.ndarray, list[np.ndarray]]:
    """The state and spike counts a run left."""
    return net._simulation.arrays["S0"].copy(), [record.spike_counts.copy() for record in net.records()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=float, default=1.0, help="seconds of simulated time per run")
    args = ap.parse_args()
    thread_choice.ThreadChoice.next = lambda self, steps: (self.threads, steps)  # the count as given
    generated = kernel_module(workloads.build("W4", None, threads=2)._plan(), 2)
    globals().update(block0=generated.block0, block1=generated.block1, block2=generated.block2,
                     block3=generated.block3)
    outcomes = {}
    for kind in KERNELS:
        net = network(kind)
        net.run(args.duration * u.s)
        outcomes[kind] = outcome(net)
    state, counts = outcomes["serial"]
    for kind in KERNELS[1:]:
        other_state, other_counts = outcomes[kind]
        if not (np.array_equal(state, other_state) and all(map(np.array_equal, counts, other_counts))):
            sys.exit(f"{kind}: the run differs from the serial kernel's")
    print(f"all three kernels: the same state and {sum(int(c.sum()) for c in counts)} spikes, bit for bit "
          f"({SHARED_STEPS[0]} steps of the one-region run delivered their spikes in shared blocks)")
    wall = {kind: [] for kind in KERNELS}
    cpu = {kind: [] for kind in KERNELS}
    loads = [os.getloadavg()]
    for k in range(args.rounds):
        for kind in KERNELS[k % 3:] + KERNELS[:k % 3]:
            net = network(kind)
            began, began_cpu = time.perf_counter(), time.process_time()
            net.run(args.duration * u.s)
            wall[kind].append(time.perf_counter() - began)
            cpu[kind].append(time.process_time() - began_cpu)
        loads.append(os.getloadavg())
    serial = statistics.median(wall["serial"])
    print("| kernel | wall s | CPU s | wall vs serial | wall s of each round |\n|---|---|---|---|---|")
    for kind in KERNELS:
        median = statistics.median(wall[kind])
        print(f"| {kind} | {median:.4f} | {statistics.median(cpu[kind]):.4f} | {median / serial:.2f} | "
              f"{', '.join(f'{x:.4f}' for x in wall[kind])} |")
    print("\nload averages (1, 5, 15 min) before and after each round: "
          + "; ".join(" ".join(f"{x:.2f}" for x in load) for load in loads))


if __name__ == "__main__":
    main()

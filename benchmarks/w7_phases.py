#!/usr/bin/env python
"""Where W7's step goes with one thread and with two, and how much memory bandwidth a second thread adds.

    python benchmarks/w7_phases.py [--n 200000] [--start 0] [--window 9999] [--rounds 3] [--neurons-only]
    python benchmarks/w7_phases.py --bandwidth [--rounds 5]

Phases: W7 at ``--n`` neurons is run for ``--start`` seconds (at least one step); then its serial
kernel and its two-thread kernel are copied with a read of the processor's cycle counter at each
boundary between the phases of a step, compiled in memory and called directly on the
simulation's arrays for ``--window`` steps from there (the state restored before each call; a
call stopped by a full spike buffer is resumed with the buffer emptied), the serial kernel with
one thread and the other with two, interleaved with the order rotated from round to round.
Printed, medians over the rounds: wall and CPU microseconds per step and each phase's
microseconds per step (cycles converted at the counter's rate over the call), then the time per
step by the number of spikes in the step (W7 spikes in volleys). The phases:

* update: the neuron update and the threshold test (shared: with each block's list of its spikes);
* finite check: the search for the neuron that became NaN or infinite (runs only when one did);
* booking: the step's spikes written in neuron order to the spike buffer, counts and last-spike
  steps (one thread);
* queue and count: the spikes copied to each projection's queue and, with two threads, the
  synaptic events counted (one thread);
* delivery: both projections' synapses of the spiking neurons;
* reset.

The spike counts of the two kernels at the end of the window are printed: they must agree.
``--neurons-only`` runs the same neurons without synapses and without drive (the update alone).

``--bandwidth``: ``a[i] = b[i] + 2 c[i]`` over three arrays of doubles of 600 MB in all (main
memory), of 6.6 MB (the size of W7's neuron state) and of 1.2 MB (within one core's 2 MB L2
cache), with one thread and with two (each its own half), interleaved: microseconds per pass,
GB/s and the ratio of the times.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
import types
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils
from numba.core import types as numba_types
from numba.extending import intrinsic

HERE = Path(__file__).resolve().parent

PHASES = ("update", "finite check", "booking", "queue and count", "delivery", "reset")
RESET_START = re.compile(r"^ {8}for q in range\(ns\d+\):$")
RESET_FIRST = re.compile(r"^ {12}i = SP\d+\[q\]$")


@intrinsic
def _read_cycle_counter(typingctx):
    def codegen(context, builder, signature, args):
        counter = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(64), []),
                                                 "llvm.readcyclecounter")
        return builder.call(counter, [])

    return numba_types.int64(), codegen


@numba.njit
def cycles() -> int:
    """The processor's cycle counter (time stamp counter on x86)."""
    return _read_cycle_counter()


def with_timers(source: str) -> str:
    """The kernel module ``source`` with the kernel taking one more argument, ``spent`` (int64[len(PHASES)]),
    to which each step adds the cycles of each phase. The boundaries are found in the lines of W7's kernel."""
    lines = source.replace("@njit(cache=True", "@njit(cache=False").split("\n")
    head = next(i for i, line in enumerate(lines) if line.startswith("def kernel("))
    lines[head] = lines[head].removesuffix("):") + ", spent, step_cycles, step_spikes):"
    out, phase = lines[:head + 1], None

    def enter(name: str | None) -> None:
        nonlocal phase
        step = " " * 8
        if phase is None:
            out.extend([f"{step}then = cycles()", f"{step}begun = then"])
        else:
            out.extend(step + statement for statement in
                       ("now = cycles()", f"spent[{PHASES.index(phase)}] += now - then", "then = now"))
        if name is None:
            out.extend([f"{step}step_cycles[n] = now - begun", f"{step}step_spikes[n] = ns0"])
        phase = name

    body = lines[head + 1:]
    for k, line in enumerate(body):
        following = body[k + 1] if k + 1 < len(body) else ""
        if line == "        if bad:" and phase == "update":
            enter("finite check")
        elif line == "        if spiking:" and phase == "finite check":
            enter("booking")
        elif line.startswith("        slot = n % "):
            enter("queue and count")
        elif line.startswith("        if events >= "):
            enter("delivery")
        elif RESET_START.match(line) and RESET_FIRST.match(following):
            enter("reset")
        elif line.startswith("    ctrl[") and phase not in (None, "done"):  # the status lines after the loop
            enter(None)
            phase = "done"
        out.append(line)
        if line == "        t = n * dt":
            enter("update")
        elif line.startswith("        due = ") and not following.startswith("        events = 0"):
            enter("delivery")  # the serial kernel counts no events
    if phase != "done":
        raise ValueError("the kernel's phases were not all found: not the kernel of W7's network")
    return "\n".join(out)


def compiled_kernel(source: str):
    """The ``kernel`` function of module ``source`` (compiled in memory, the cycle counter in reach)."""
    module = types.ModuleType("timed_kernel")
    module.cycles = cycles
    exec(compile(source, "<timed kernel>", "exec"), module.__dict__)  # noqa: S102 - made from our own codegen
    return module.kernel


SPIKE_BINS = (0, 100, 1000, 10_000, 1 << 62)
"""Steps are grouped by their spikes, [0, 100), [100, 1000), ...: W7 spikes in volleys."""


@dataclass
class TimedCall:
    """One timed run of a kernel over the window."""

    wall: float
    cpu: float
    phases: np.ndarray
    """Seconds spent in each of ``PHASES``."""
    step_seconds: np.ndarray
    step_spikes: np.ndarray
    spikes: int
    """Spikes of the network at the end of the window (the same for every kernel)."""


def phase_split(n: int, start: float, window: int, rounds: int, neurons_only: bool) -> str:
    """Medians of the wall, CPU and per-phase microseconds per step of W7's serial and two-thread kernels,
    and of the time per step by the step's number of spikes."""
    sys.path.insert(0, str(HERE))
    import workloads

    from snnzoo import ureg as u
    from snnzoo.engine import codegen, layout
    from snnzoo.engine.layout import group_arrays
    from snnzoo.engine.simulation import use_threading_layer

    if neurons_only:
        net = workloads.coba_neurons(n, threads=2)
        net.population("G").set("I", 0 * u.mV)
    else:
        net = workloads.build("W7", n, threads=2)
    net.run(max(start, net.dt) * u.s)
    simulation = net._simulation
    use_threading_layer()
    plan, arrays = simulation.plan, simulation.arrays
    variants = {"serial kernel, 1 thread": 1, "two-thread kernel, 2 threads": 2}
    kernels = {name: compiled_kernel(with_timers(codegen.generate(plan, threads)))
               for name, threads in variants.items()}
    group = group_arrays(plan.population_named("G"))
    saved = {name: array.copy() for name, array in arrays.items() if array.nbytes < 64_000_000}
    first = simulation.step

    def call(name: str, steps: int) -> TimedCall:
        """Run kernel ``name`` over ``steps`` steps from ``first`` (calling it again where it stopped
        with a full spike buffer, emptied)."""
        for key, array in saved.items():
            arrays[key][...] = array
        threads = variants[name]
        numba.set_num_threads(threads)
        spent = np.zeros(len(PHASES), dtype=np.int64)
        step_cycles, step_spikes = np.zeros(first + steps, dtype=np.int64), np.zeros(first + steps, dtype=np.int64)
        arguments = [arrays[a] for a in layout.arguments(plan, threads)] + [spent, step_cycles, step_spikes]
        ctrl, wall, cpu, counted, step = arrays[layout.CTRL], 0.0, 0.0, 0, first
        while step < first + steps:
            arrays[group.buffered][0] = 0
            ctrl[[layout.START, layout.END, layout.THREADS]] = (step, first + steps, threads)
            began, began_cpu, began_cycles = time.perf_counter(), time.process_time(), cycles()
            kernels[name](*arguments)
            wall, cpu = wall + time.perf_counter() - began, cpu + time.process_time() - began_cpu
            counted += cycles() - began_cycles
            if ctrl[layout.STATUS] not in (layout.STATUS_DONE, layout.STATUS_BUFFER_FULL):
                raise RuntimeError(f"{name}: the kernel stopped with status {ctrl[layout.STATUS]}")
            step = ctrl[layout.REACHED]
        per_cycle = wall / counted
        return TimedCall(wall, cpu, spent * per_cycle, step_cycles[first:] * per_cycle, step_spikes[first:],
                         int(arrays[group.spike_counts].sum()))

    for name in variants:
        call(name, 10)  # compiles
    calls: dict[str, list[TimedCall]] = {name: [] for name in variants}
    order = list(variants)
    for r in range(rounds):
        for name in order[r % 2:] + order[:r % 2]:
            calls[name].append(call(name, window))
    return _phase_tables(calls, f"W7{' neurons only' if neurons_only else ''}, {n} neurons, {window} steps "
                                f"from step {first}, {rounds} rounds", window)


def _phase_tables(calls: dict[str, list[TimedCall]], title: str, window: int) -> str:
    """The phase table and the table by spikes per step, medians over the rounds."""
    def median_us(values) -> float:
        return statistics.median(values) / window * 1e6

    spikes = ", ".join(f"{name} {sorted({c.spikes for c in timed})}" for name, timed in calls.items())
    lines = [f"{title}; spikes at the end: {spikes}",
             "| kernel | wall µs per step | CPU µs per step | " + " | ".join(PHASES) + " |",
             "|---|---|---|" + "---|" * len(PHASES)]
    for name, timed in calls.items():
        phases = [median_us(c.phases[p] for c in timed) for p in range(len(PHASES))]
        lines.append(f"| {name} | {median_us(c.wall for c in timed):.1f} | {median_us(c.cpu for c in timed):.1f} | "
                     + " | ".join(f"{value:.1f}" for value in phases) + " |")
    lines += ["", "| spikes in the step | steps | " + " | ".join(f"{name}: µs per step (share of the time)"
                                                            for name in calls) + " |",
              "|---|---|" + "---|" * len(calls)]
    spikes_per_step = next(iter(calls.values()))[0].step_spikes
    for low, high in zip(SPIKE_BINS, SPIKE_BINS[1:]):
        steps = (spikes_per_step >= low) & (spikes_per_step < high)
        if not steps.any():
            continue
        cells = []
        for timed in calls.values():
            per_step = statistics.median(c.step_seconds[steps].mean() for c in timed) * 1e6
            share = statistics.median(c.step_seconds[steps].sum() / c.step_seconds.sum() for c in timed)
            cells.append(f"{per_step:.1f} ({share:.0%})")
        label = f"{low}-{high - 1}" if high < SPIKE_BINS[-1] else f"{low} or more"
        lines.append(f"| {label} | {int(steps.sum())} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@numba.njit(parallel=True, cache=False)
def _triad(a, b, c, blocks):
    """a = b + 2 c, one block per thread (unsigned bounds, so that the loop vectorises)."""
    size = a.shape[0]
    for block in numba.prange(blocks):
        for i in range(np.uint64(size * block // blocks), np.uint64(size * (block + 1) // blocks)):
            a[i] = b[i] + 2.0 * c[i]


def bandwidth(rounds: int) -> str:
    """GB/s of the triad with one and two threads at three working-set sizes."""
    from snnzoo.engine.simulation import use_threading_layer

    use_threading_layer()
    lines = ["| working set | one thread µs (GB/s) | two threads µs (GB/s) | two / one |", "|---|---|---|---|"]
    for size, passes in ((25_000_000, 3), (275_000, 300), (50_000, 2000)):
        a, b, c = np.zeros(size), np.ones(size), np.ones(size)
        times: dict[int, list[float]] = {1: [], 2: []}
        for threads in (1, 2):
            numba.set_num_threads(threads)
            _triad(a, b, c, threads)
        for r in range(rounds):
            for threads in ((1, 2) if r % 2 == 0 else (2, 1)):
                numba.set_num_threads(threads)
                began = time.perf_counter()
                for _ in range(passes):
                    _triad(a, b, c, threads)
                times[threads].append((time.perf_counter() - began) / passes)
        one, two = statistics.median(times[1]), statistics.median(times[2])
        moved = 3 * a.nbytes
        lines.append(f"| {moved / 1e6:.1f} MB | {one * 1e6:.1f} ({moved / one / 1e9:.1f}) | "
                     f"{two * 1e6:.1f} ({moved / two / 1e9:.1f}) | {two / one:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200_000, help="neurons (W7: 200 000)")
    ap.add_argument("--start", type=float, default=0.0, help="seconds simulated before the window (at least a step)")
    ap.add_argument("--window", type=int, default=9999, help="steps timed (W7 spikes in volleys: whole ones)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--neurons-only", action="store_true", help="the neurons without synapses and drive")
    ap.add_argument("--bandwidth", action="store_true", help="memory bandwidth with one and two threads instead")
    args = ap.parse_args(argv)
    print(f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(bandwidth(args.rounds) if args.bandwidth else phase_split(args.n, args.start, args.window, args.rounds,
                                                                      args.neurons_only))
    print(f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

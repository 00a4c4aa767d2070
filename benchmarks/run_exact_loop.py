#!/usr/bin/env python
"""Benchmark: ``exact`` on variables that feed each other, with a coupling that differs from neuron to neuron.

    .venv/bin/python benchmarks/run_exact_loop.py [--rounds 3] [--neurons 20000] [--duration 1]
        [--brian2-python /path/to/brian2venv/bin/python] [--out benchmarks/RESULTS_EXACT_LOOP.md]

(run it with the machine to itself: on the shared development machine through its quiet-slot wrapper)

The model is a leaky neuron with a linear adaptation current, v and w feeding each other::

    dv/dt = (E_L - v - R*w)/tau_m : volt
    dw/dt = (a*(v - E_L) - w)/tau_w : amp

with E_L = -70 mV, R = 100 Mohm, tau_m = 10 ms, tau_w = 100 ms, v starting at -50 mV, and the coupling a
from 1 to 20 nS across the neurons (real rates: no oscillation), integrated by ``exact`` at dt = 0.1 ms, no
spikes. Variants, each in a fresh process, rounds interleaved with the order rotated:

- ``snnzoo-parameter``: ``a`` a parameter of the model, given per neuron (``parameters={"a": ...}``);
- ``snnzoo-variable``: ``a : siemens`` declared in the equations, as a Brian2 user writes it, set per neuron;
- ``snnzoo-shared``: one ``a`` for all (5 nS), for scale;
- ``brian2-cython``: Brian2 with ``a : siemens`` set per neuron, ``method='exact'``, cython target.

Each process times its own run (after a 10 ms run that compiles or loads the kernel): CPU time
(``time.process_time``) and wall time, medians over rounds, and prints v of three neurons at the end, which the
report compares with Brian2's. The machine's load (``uptime``) is recorded before every round.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VARIANTS = ("snnzoo-parameter", "snnzoo-variable", "snnzoo-shared", "brian2-cython")
DEFAULT_BRIAN2_PYTHON = "/work/brianvenv/bin/python"
EQUATIONS = """
dv/dt = (E_L - v - R*w)/tau_m : volt
dw/dt = (a*(v - E_L) - w)/tau_w : amp
"""
PROBES = (0, "middle", -1)


def _couplings(neurons: int):
    import numpy as np

    return np.linspace(1.0, 20.0, neurons)


def _probe_indices(neurons: int) -> list[int]:
    return [neurons // 2 if probe == "middle" else probe % neurons for probe in PROBES]


def _measure_snnzoo(variant: str, neurons: int, duration: float) -> dict:
    import snnzoo as sz
    from snnzoo import ureg as u

    parameters = {"E_L": "-70 mV", "R": "100 Mohm", "tau_m": "10 ms", "tau_w": "100 ms"}
    equations = EQUATIONS
    if variant == "snnzoo-variable":
        equations += "a : siemens\n"
    else:
        parameters["a"] = "5 nS"
    model = sz.NeuronModel("adaptive_leak", equations, parameters, initial={"v": "-50 mV"}, integrator="exact")
    network = sz.Network(dt=0.1 * u.ms, seed=1, threads=1)
    per_neuron = _couplings(neurons) * u.nS
    given = {"snnzoo-parameter": {"parameters": {"a": per_neuron}}, "snnzoo-variable": {"initial": {"a": per_neuron}},
             "snnzoo-shared": {}}[variant]
    population = network.add_population("p", model, neurons, **given)
    network.run(10 * u.ms)
    return _timed(lambda: network.run(duration * u.s), lambda: population.get("v").to("volt").magnitude, neurons)


def _measure_brian2(neurons: int, duration: float) -> dict:
    import brian2 as b2

    b2.prefs.codegen.target = "cython"
    b2.defaultclock.dt = 0.1 * b2.ms
    namespace = {"E_L": -70 * b2.mV, "R": 100 * b2.Mohm, "tau_m": 10 * b2.ms, "tau_w": 100 * b2.ms}
    group = b2.NeuronGroup(neurons, EQUATIONS + "a : siemens\n", method="exact", namespace=namespace)
    group.v = -50 * b2.mV
    group.a = _couplings(neurons) * b2.nS
    network = b2.Network(group)
    network.run(10 * b2.ms)
    return _timed(lambda: network.run(duration * b2.second), lambda: group.v[:] / b2.volt, neurons)


def _timed(run, final_v, neurons: int) -> dict:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    run()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    values = final_v()
    return {"cpu": cpu, "wall": wall, "v": [float(values[k]) for k in _probe_indices(neurons)]}


def _measured(variant: str, args: argparse.Namespace) -> dict:
    python = args.brian2_python if variant == "brian2-cython" else sys.executable
    done = subprocess.run([python, __file__, "--measure", variant, "--neurons", str(args.neurons),
                           "--duration", str(args.duration)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{variant} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--neurons", type=int, default=20000)
    parser.add_argument("--duration", type=float, default=1.0, help="simulated seconds (default %(default)s)")
    parser.add_argument("--brian2-python", default=DEFAULT_BRIAN2_PYTHON,
                        help="python of a venv with Brian2 (default %(default)s)")
    parser.add_argument("--out", default=str(HERE / "RESULTS_EXACT_LOOP.md"))
    parser.add_argument("--measure", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        result = (_measure_brian2(args.neurons, args.duration) if args.measure == "brian2-cython"
                  else _measure_snnzoo(args.measure, args.neurons, args.duration))
        print(json.dumps(result))
        return
    if not os.path.exists(args.brian2_python):
        raise SystemExit(f"--brian2-python {args.brian2_python}: no such file; give the python of a Brian2 venv")
    timings: dict[str, list[dict]] = {variant: [] for variant in VARIANTS}
    loads = []
    for round_index in range(args.rounds):
        order = VARIANTS[round_index % len(VARIANTS):] + VARIANTS[:round_index % len(VARIANTS)]
        loads.append(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
        for variant in order:
            timings[variant].append(_measured(variant, args))
            print(variant, timings[variant][-1], flush=True)
    loads.append(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    median = {variant: {key: statistics.median(t[key] for t in runs) for key in ("cpu", "wall")}
              for variant, runs in timings.items()}
    brian2 = timings["brian2-cython"][0]["v"]
    command = (f"benchmarks/run_exact_loop.py --rounds {args.rounds} --neurons {args.neurons} "
               f"--duration {args.duration:g}")
    lines = [
        "# `exact` on a loop with a coupling per neuron",
        "",
        f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores with "
        f"`.venv/bin/python {command}` (see the script's docstring): {args.neurons} neurons, {args.duration:g} s "
        f"simulated at dt = 0.1 ms, one thread; medians over {args.rounds} rounds of the run's own time.",
        "",
        "| variant | CPU (s) | wall (s) | CPU / Brian2's | v at the end, largest relative difference from Brian2 |",
        "|---|---|---|---|---|",
        *[f"| {variant} | {median[variant]['cpu']:.2f} | {median[variant]['wall']:.2f} | "
          f"{median[variant]['cpu'] / median['brian2-cython']['cpu']:.2f} | "
          + (f"{max(abs(a / b - 1) for a, b in zip(timings[variant][0]['v'], brian2)):.1e} |"
             if variant not in ("brian2-cython", "snnzoo-shared") else "– |")
          for variant in VARIANTS],
        "",
        "Load (`uptime`) before each round and at the end:",
        "",
        *[f"    {load}" for load in loads],
        "",
        "Raw timings (s) per round: " + json.dumps(timings),
        "",
    ]
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Brian2 reference data for the ports of Brian2's example scripts in ``examples/brian2/``.

Run from the repository root with the Python of a venv that has Brian2 2.9.0 (numpy target):

    /work/brian2-venv/bin/python benchmarks/brian2_example_references.py all
    /work/brian2-venv/bin/python benchmarks/brian2_example_references.py cuba --seeds 1 2 3 4 5

Each sub-command runs the Brian2 example with its own model and parameters (the durations
and seeds given below) and writes ``tests/reference/brian2_example_<name>.json``;
``tests/test_brian2_examples.py`` runs the snnzoo port and compares. Deterministic examples
are compared spike for spike, stochastic ones on statistics over seeds, computed by the
numpy-only functions here (the tests import them).
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_files  # noqa: E402

DT = 1e-4


# ---------------------------------------------------------------------------------------------
# statistics (numpy only; shared with the tests)
# ---------------------------------------------------------------------------------------------


def population_stats(steps: np.ndarray, n_neurons: int, n_steps: int, bin_steps: int = 4) -> dict[str, float]:
    """Mean rate (Hz) and the coefficient of variation of the population rate in bins of
    ``bin_steps`` steps (0.4 ms: how synchronous the network is)."""
    counts = np.bincount(np.asarray(steps, dtype=np.int64) // bin_steps, minlength=n_steps // bin_steps)
    counts = counts[: n_steps // bin_steps].astype(float)
    rate = len(steps) / (n_neurons * n_steps * DT)
    return {"rate_hz": float(rate), "rate_cv": float(counts.std() / counts.mean()) if counts.mean() > 0 else 0.0}


def summarise(per_seed: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    keys = per_seed[0].keys()
    return {k: {"mean": float(np.mean([s[k] for s in per_seed])), "sd": float(np.std([s[k] for s in per_seed], ddof=1)),
                "n": len(per_seed)} for k in keys}


# ---------------------------------------------------------------------------------------------
# Brian2 runs
# ---------------------------------------------------------------------------------------------


def brian():
    import brian2

    brian2.prefs.codegen.target = "numpy"
    brian2.prefs.core.default_float_dtype = np.float64
    return brian2


def steps_of(b, monitor) -> np.ndarray:
    return np.rint(np.asarray(monitor.t[:] / b.second) / DT).astype(np.int64)


def lif_fi_curve(args) -> dict:
    """examples/IF_curve_LIF.py: 1000 LIF neurons, v0 from 0 to 20 mV, 1 s."""
    b = brian()
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    n = 1000
    group = b.NeuronGroup(n, "dv/dt = (v0 - v) / tau : volt (unless refractory)\nv0 : volt",
                          threshold="v > 10*mV", reset="v = 0*mV", refractory=5 * b.ms, method="exact",
                          namespace={"tau": 10 * b.ms, "n": n})
    group.v = 0 * b.mV
    group.v0 = "20*mV * i / (n-1)"
    monitor = b.SpikeMonitor(group)
    b.Network(group, monitor).run(1 * b.second)
    return {"method": "Brian2 examples/IF_curve_LIF.py: 1000 neurons, dv/dt = (v0 - v)/tau (unless refractory), "
                      "tau 10 ms, threshold v > 10 mV, reset 0 mV, refractory 5 ms, exact, v0 = 20 mV*i/(n-1), 1 s "
                      "at dt 0.1 ms.", "duration": 1.0,
            "counts": np.asarray(monitor.count[:]).tolist(),
            "first_spike_steps": [int(np.rint(monitor.spike_trains()[k][0] / b.second / DT))
                                  if len(monitor.spike_trains()[k]) else -1 for k in range(n)]}


def cuba_seed(b, seed: int, duration: float) -> dict[str, float]:
    b.start_scope()
    b.seed(seed)
    b.defaultclock.dt = DT * b.second
    eqs = """
    dv/dt = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    ns = {"taum": 20 * b.ms, "taue": 5 * b.ms, "taui": 10 * b.ms, "Vt": -50 * b.mV, "Vr": -60 * b.mV,
          "El": -49 * b.mV, "we": (60 * 0.27 / 10) * b.mV, "wi": (-20 * 4.5 / 10) * b.mV}
    P = b.NeuronGroup(4000, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * b.ms, method="exact", namespace=ns)
    P.v = "Vr + rand() * (Vt - Vr)"
    Ce = b.Synapses(P, P, on_pre="ge += we", namespace=ns)
    Ci = b.Synapses(P, P, on_pre="gi += wi", namespace=ns)
    Ce.connect("i<3200", p=0.02)
    Ci.connect("i>=3200", p=0.02)
    s_mon = b.SpikeMonitor(P)
    b.Network(P, Ce, Ci, s_mon).run(duration * b.second)
    return population_stats(steps_of(b, s_mon), 4000, int(round(duration / DT)))


def brunel_hakim_seed(b, seed: int, duration: float) -> dict[str, float]:
    b.start_scope()
    b.seed(seed)
    b.defaultclock.dt = DT * b.second
    N, C = 5000, 1000
    ns = {"Vr": 10 * b.mV, "theta": 20 * b.mV, "tau": 20 * b.ms, "J": 0.1 * b.mV, "muext": 25 * b.mV,
          "sigmaext": 1 * b.mV}
    group = b.NeuronGroup(N, "dV/dt = (-V+muext + sigmaext * sqrt(tau) * xi)/tau : volt", threshold="V>theta",
                          reset="V=Vr", refractory=2 * b.ms, method="euler", namespace=ns)
    group.V = ns["Vr"]
    conn = b.Synapses(group, group, on_pre="V += -J", delay=2 * b.ms, namespace=ns)
    conn.connect(p=float(C) / N)
    M = b.SpikeMonitor(group)
    b.Network(group, conn, M).run(duration * b.second)
    return population_stats(steps_of(b, M), N, int(round(duration / DT)))


def brunel_2000_seed(b, seed: int, duration: float) -> dict[str, float]:
    """Panel C of examples/frompapers/Brunel_2000.py (g = 5, nu_ext = 2 nu_thr)."""
    b.start_scope()
    b.seed(seed)
    b.defaultclock.dt = DT * b.second
    N_E, N_I, epsilon, g = 10000, 2500, 0.1, 5.0
    C_E = int(epsilon * N_E)
    ns = {"tau": 20 * b.ms, "theta": 20 * b.mV, "V_r": 10 * b.mV, "J": 0.1 * b.mV, "g": g}
    nu_thr = ns["theta"] / (ns["J"] * C_E * ns["tau"])
    neurons = b.NeuronGroup(N_E + N_I, "dv/dt = -v/tau : volt (unless refractory)", threshold="v > theta",
                            reset="v = V_r", refractory=2 * b.ms, method="exact", namespace=ns)
    exc = b.Synapses(neurons[:N_E], neurons, on_pre="v += J", delay=1.5 * b.ms, namespace=ns)
    exc.connect(p=epsilon)
    inh = b.Synapses(neurons[N_E:], neurons, on_pre="v += -g*J", delay=1.5 * b.ms, namespace=ns)
    inh.connect(p=epsilon)
    external = b.PoissonInput(neurons, "v", N=C_E, rate=2 * nu_thr, weight=ns["J"])
    M = b.SpikeMonitor(neurons)
    b.Network(neurons, exc, inh, external, M).run(duration * b.second)
    return population_stats(steps_of(b, M), N_E + N_I, int(round(duration / DT)))


def spike_train_stats(steps: np.ndarray, duration: float) -> dict[str, float]:
    """Rate (Hz) and ISI coefficient of variation of one spike train."""
    isi = np.diff(np.sort(np.asarray(steps, dtype=float)))
    return {"rate_hz": float(len(steps) / duration), "isi_cv": float(isi.std() / isi.mean()) if isi.size > 1 else 0.0}


def adaptive_threshold_seed(b, seed: int, duration: float) -> dict[str, float]:
    """examples/adaptive_threshold.py: one neuron, its threshold jumps 3 mV per spike."""
    b.start_scope()
    b.seed(seed)
    b.defaultclock.dt = DT * b.second
    eqs = "dv/dt = -v/(10*ms) : volt\ndvt/dt = (10*mV-vt)/(15*ms) : volt"
    IF = b.NeuronGroup(1, model=eqs, reset="v = 0*mV\nvt += 3*mV", threshold="v>vt")
    IF.vt = 10 * b.mV
    PG = b.PoissonGroup(1, 500 * b.Hz)
    C = b.Synapses(PG, IF, on_pre="v += 3*mV")
    C.connect()
    M = b.SpikeMonitor(IF)
    b.Network(IF, PG, C, M).run(duration * b.second)
    return spike_train_stats(steps_of(b, M), duration)


def timed_array_stimulus() -> tuple[np.ndarray, np.ndarray]:
    """The stimulus and initial v of the TimedArray example: each of 100 random levels held for
    3 of 5 steps of 10 ms (as in Brian2's documentation, 'Timed arrays'), and v0 in [0, 0.5)."""
    levels = np.random.RandomState(1).rand(100)
    return np.hstack([[c, c, c, 0, 0] for c in levels]), 0.5 * np.random.RandomState(2).rand(100)


def timed_array_input(args) -> dict:
    """Brian2's documentation example for TimedArray: 100 neurons driven by a stepped stimulus."""
    b = brian()
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    values, v0 = timed_array_stimulus()
    stimulus = b.TimedArray(values, dt=10 * b.ms)
    G = b.NeuronGroup(100, "dv/dt = (-v + stimulus(t))/(10*ms) : 1", threshold="v>0.5", reset="v=0",
                      namespace={"stimulus": stimulus})
    G.v = v0
    M = b.SpikeMonitor(G)
    b.Network(G, M).run(1 * b.second)
    steps = steps_of(b, M)
    return {"method": "Brian2 documentation, 'Timed arrays': stimulus = TimedArray(hstack([[c, c, c, 0, 0] for c in "
                      "RandomState(1).rand(100)]), dt=10*ms); NeuronGroup(100, 'dv/dt = (-v + stimulus(t))/(10*ms) : 1', "
                      "threshold='v>0.5' (the documentation's 'v>1' is never reached: the stimulus stays below 1), "
                      "reset='v=0') (default method: exact), v0 = 0.5*RandomState(2).rand(100); 1 s.",
            "duration": 1.0, "spike_steps": steps.tolist(), "spike_neurons": np.asarray(M.i[:]).tolist()}


def seeded(run, duration: float, describe: str):
    def build(args) -> dict:
        b = brian()
        per_seed = [run(b, seed, duration) for seed in args.seeds]
        return {"method": describe, "duration": duration, "seeds": args.seeds, "per_seed": per_seed,
                "summary": summarise(per_seed)}
    return build


EXAMPLES = {
    "lif-fi-curve": lif_fi_curve,
    "timed-array-input": timed_array_input,
    "cuba": seeded(cuba_seed, 0.5, "Brian2 examples/CUBA.py (4000 neurons, exact, p = 0.02, we = 1.62 mV, wi = -9 mV, "
                   "v0 = Vr + rand()*(Vt - Vr)), 0.5 s at dt 0.1 ms; per seed: rate and CV of the 0.4 ms "
                   "population rate."),
    "brunel-hakim": seeded(brunel_hakim_seed, 0.1, "Brian2 examples/frompapers/Brunel_Hakim_1999.py (5000 "
                           "inhibitory LIF, C = 1000 (p = 0.2), J = 0.1 mV, delay 2 ms, mu 25 mV, sigma 1 mV, "
                           "refractory 2 ms, euler), 0.1 s at dt 0.1 ms; per seed: rate and CV of the 0.4 ms "
                           "population rate (the fast oscillation)."),
    "adaptive-threshold": seeded(adaptive_threshold_seed, 2.0, "Brian2 examples/adaptive_threshold.py: dv/dt = "
                                 "-v/(10*ms), dvt/dt = (10*mV - vt)/(15*ms), threshold v > vt, reset v = 0*mV; "
                                 "vt += 3*mV, vt0 = 10 mV, PoissonGroup(1, 500 Hz) with on_pre v += 3*mV "
                                 "(default method: exact); 2 s at dt 0.1 ms; per seed: rate and ISI CV."),
    "brunel-2000": seeded(brunel_2000_seed, 0.2, "Brian2 examples/frompapers/Brunel_2000.py, panel C: 10000 exc + "
                          "2500 inh LIF (exact), p = 0.1, J = 0.1 mV, g = 5, delay 1.5 ms, refractory 2 ms, "
                          "PoissonInput(N = 1000, rate = 2 nu_thr = 20 Hz, weight J) on v; 0.2 s at dt 0.1 ms; "
                          "per seed: rate and CV of the 0.4 ms population rate."),
}


if __name__ == "__main__":
    sys.exit(reference_files.main(__doc__.split("\n")[0], "brian2_example_references.py", EXAMPLES, "example_", DT))

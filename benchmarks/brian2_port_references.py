#!/usr/bin/env python
"""Brian2 reference data for the models ``tests/test_brian2_ports.py`` ports from Brian2 scripts.

Run from the repository root with the Python of a venv that has Brian2 2.9.0 (numpy target):

    /work/brian2-venv/bin/python benchmarks/brian2_port_references.py all
    /work/brian2-venv/bin/python benchmarks/brian2_port_references.py synfire-chain --seeds 1 2 3 4 5

Each sub-command writes the model as a Brian2 user would (after Brian2's examples and papers:
Izhikevich 2003, gap junctions, a saturating NMDA-like synapse, non-reliability, the Diesmann
et al. 1999 synfire chain) and writes ``tests/reference/brian2_port_<name>.json``.
Deterministic models are compared spike for spike, stochastic ones on statistics over seeds.
The inputs both sides need (spike times of the synfire chain's packet) are made here from fixed
numpy seeds, and the test makes the same ones with the same functions.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_files  # noqa: E402
from brian2_example_references import brian, seeded, steps_of  # noqa: E402

DT = 1e-4

IZHIKEVICH_TYPES = {  # Izhikevich (2003), Fig. 2: a (1/ms), b (1/ms), c (mV), d (mV/ms)
    "regular_spiking": (0.02, 0.2, -65.0, 8.0),
    "intrinsically_bursting": (0.02, 0.2, -55.0, 4.0),
    "chattering": (0.02, 0.2, -50.0, 2.0),
    "fast_spiking": (0.1, 0.2, -65.0, 2.0),
}
IZHIKEVICH_EQUATIONS = """
dv/dt = (0.04/ms/mV)*v**2 + (5/ms)*v + 140*mV/ms - u + I : volt
du/dt = a*(b*v - u) : volt/second
a : 1/second
b : 1/second
c : volt
d : volt/second
I : volt/second
"""

GAP_JUNCTION_NEURON = """
dv/dt = (v0 - v + Igap)/tau : 1
Igap : 1
"""
GAP_JUNCTION_SYNAPSE = """
w : 1
Igap_post = w*(v_pre - v_post) : 1 (summed)
"""

NMDA_SYNAPSE = """
dg_syn/dt = -a*g_syn + b*x*(1 - g_syn) : 1 (clock-driven)
dx/dt = -c*x : 1 (clock-driven)
g_post = g_syn : 1 (summed)
w : 1
"""

NON_RELIABILITY = "dx/dt = (1.1 - x)/tau + sigma*(2/tau)**.5*xi : 1 (unless refractory)"

SYNFIRE_EQUATIONS = """
dV/dt = (-(V - Vr) + x)*(1./taum) : volt
dx/dt = (-x + y)*(1./taupsp) : volt
dy/dt = -y*(1./taupsp) + 25.27*mV/ms + (39.24*mV/ms**0.5)*xi : volt
"""
JEFFRESS = {"dt": 2e-5, "detectors": 30, "max_delay": 0.2 / 300.0, "tau": 1e-3, "sigma": 0.1}
"""Jeffress model: dt 0.02 ms, 30 coincidence detectors, the interaural delay 20 cm / (300 m/s)."""
JEFFRESS_EARS = """
dx/dt = (sound(t - delay) - x)/tau_ear + sigma_ear*(2./tau_ear)**.5*xi : 1 (unless refractory)
delay = distance*sin(theta) : second
distance : second
dtheta/dt = angular_speed : radian
"""
JEFFRESS_DETECTORS = "dv/dt = -v/tau + sigma*(2/tau)**.5*xi : 1"


def jeffress_sound(seed: int, duration: float) -> np.ndarray:
    """White noise, one value per step, 10*randn (as the example's TimedArray)."""
    return 10 * np.random.RandomState(seed).randn(int(round(duration / JEFFRESS["dt"])))


def jeffress_stats(times: np.ndarray, neurons: np.ndarray, duration: float) -> dict[str, float]:
    """The detectors' rate and how well the firing neuron tracks the source: the correlation of its index with
    sin(theta(t)) (theta turns once per second), after the first 50 ms."""
    times, neurons = np.asarray(times), np.asarray(neurons)
    later = times > 0.05
    return {"rate_hz": float(times.size / (JEFFRESS["detectors"] * duration)),
            "tracking": float(np.corrcoef(neurons[later], np.sin(2 * np.pi * times[later]))[0, 1])}


SYNFIRE = {"groups": 10, "group_size": 100, "packet": 60, "packet_sd": 1e-3, "packet_time": 0.02, "delay": 2e-3}


def synfire_packet(seed: int) -> np.ndarray:
    """The input packet's spike times (s): ``packet`` neurons, normal around ``packet_time``."""
    times = np.random.RandomState(seed).randn(SYNFIRE["packet"]) * SYNFIRE["packet_sd"] + SYNFIRE["packet_time"]
    return np.round(times / DT) * DT  # on the grid: both simulators then agree on the step of each spike


def synfire_stats(steps: np.ndarray, neurons: np.ndarray) -> dict[str, float]:
    """What the chain does with the packet: the spikes of the last group in the packet's window and their
    spread, and the rate of the whole chain before the packet (the background)."""
    size, groups = SYNFIRE["group_size"], SYNFIRE["groups"]
    t = np.asarray(steps) * DT
    before = t < SYNFIRE["packet_time"] - 0.005
    last = (np.asarray(neurons) // size == groups - 1) & (t > SYNFIRE["packet_time"])
    return {"background_hz": float(before.sum() / (size * groups * (SYNFIRE["packet_time"] - 0.005))),
            "last_group_spikes": float(last.sum()),
            "last_group_spread_ms": float(np.std(t[last]) * 1e3) if last.sum() > 1 else 0.0}


def pooled_isi_stats(steps: np.ndarray, neurons: np.ndarray, n: int, duration: float) -> dict[str, float]:
    """The mean rate (Hz), the mean ISI CV over neurons, and the population rate's CV in 1 ms bins (how
    synchronous the neurons stay)."""
    steps, neurons = np.asarray(steps), np.asarray(neurons)
    cvs = []
    for k in range(n):
        isi = np.diff(np.sort(steps[neurons == k]).astype(float))
        if isi.size > 1:
            cvs.append(isi.std() / isi.mean())
    counts = np.bincount(steps // 10, minlength=int(round(duration / DT)) // 10).astype(float)
    return {"rate_hz": float(steps.size / (n * duration)), "isi_cv": float(np.mean(cvs)),
            "rate_cv": float(counts.std() / counts.mean())}


def izhikevich(args) -> dict:
    """Izhikevich (2003): four neuron types under I = 10 mV/ms, euler, 300 ms."""
    b = brian()
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    G = b.NeuronGroup(4, IZHIKEVICH_EQUATIONS, threshold="v >= 30*mV", reset="v = c; u += d", method="euler")
    a, bb, c, d = (np.array(column) for column in zip(*IZHIKEVICH_TYPES.values()))
    G.a, G.b, G.c, G.d = a / b.ms, bb / b.ms, c * b.mV, d * b.mV / b.ms
    G.I = 10 * b.mV / b.ms
    G.v = -65 * b.mV
    G.u = "b*v"
    M = b.SpikeMonitor(G)
    b.Network(G, M).run(0.3 * b.second)
    return {"method": "Izhikevich (2003) in Brian2: dv/dt = (0.04/ms/mV)*v**2 + (5/ms)*v + 140*mV/ms - u + I, "
                      "du/dt = a*(b*v - u), threshold v >= 30*mV, reset v = c; u += d, euler; the four types "
                      f"{list(IZHIKEVICH_TYPES)}, I = 10 mV/ms, v0 = -65 mV, u0 = b*v0; 0.3 s at dt 0.1 ms.",
            "duration": 0.3, "types": list(IZHIKEVICH_TYPES), "spike_steps": steps_of(b, M).tolist(),
            "spike_neurons": np.asarray(M.i[:]).tolist(), "v_end": np.asarray(G.v[:] / b.volt).tolist(),
            "u_end": np.asarray(G.u[:] / (b.volt / b.second)).tolist()}


def gap_junctions(args) -> dict:
    """Brian2's synapses/gapjunctions example: 10 neurons coupled all to all by gap junctions."""
    b = brian()
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    ns = {"v0": 1.05, "tau": 10 * b.ms}
    G = b.NeuronGroup(10, GAP_JUNCTION_NEURON, threshold="v > 1", reset="v = 0", method="exact", namespace=ns)
    G.v = "i * 1.0 / (N - 1)"
    S = b.Synapses(G, G, GAP_JUNCTION_SYNAPSE)
    S.connect()
    S.w = 0.02
    M = b.SpikeMonitor(G)
    V = b.StateMonitor(G, "v", record=[0, 9])
    b.Network(G, S, M, V).run(0.2 * b.second)
    return {"method": "Brian2 examples/synapses/gapjunctions.py (our own script): 10 neurons, dv/dt = "
                      "(v0 - v + Igap)/tau, v0 = 1.05, tau = 10 ms, threshold v > 1, reset v = 0, exact; all to all "
                      "(autapses too) with Igap_post = w*(v_pre - v_post) (summed), w = 0.02; v0 = i/(N - 1); 0.2 s.",
            "duration": 0.2, "spike_steps": steps_of(b, M).tolist(), "spike_neurons": np.asarray(M.i[:]).tolist(),
            "v_0": np.asarray(V.v[0]).tolist(), "v_9": np.asarray(V.v[1]).tolist()}


def nmda_synapse(args) -> dict:
    """Brian2's synapses/nonlinear example: a saturating NMDA-like synapse, clock-driven, summed into g."""
    b = brian()
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    ns = {"a": 1 / (10 * b.ms), "b": 1 / (10 * b.ms), "c": 1 / (10 * b.ms)}
    source = b.NeuronGroup(2, "dv/dt = 1/(10*ms) : 1", threshold="v > 1", reset="v = 0", method="euler")
    target = b.NeuronGroup(1, "dv/dt = (g - v)/(10*ms) : 1\ng : 1", method="euler")
    S = b.Synapses(source, target, NMDA_SYNAPSE, on_pre="x += w", method="euler", namespace=ns)
    S.connect()
    S.w = [1.0, 10.0]
    source.v = [0.0, 0.5]
    M = b.StateMonitor(target, ["v", "g"], record=True)
    MS = b.SpikeMonitor(source)
    b.Network(source, target, S, M, MS).run(0.1 * b.second)
    return {"method": "Brian2 examples/synapses/nonlinear.py (our own script): 2 sources dv/dt = 1/(10 ms), "
                      "threshold v > 1, reset v = 0, v0 = [0, 0.5]; one target dv/dt = (g - v)/(10 ms); synapses "
                      "dg_syn/dt = -a*g_syn + b*x*(1 - g_syn), dx/dt = -c*x (clock-driven), g_post = g_syn (summed), "
                      "on_pre x += w, w = [1, 10], a = b = c = 1/(10 ms); euler everywhere; 0.1 s.",
            "duration": 0.1, "source_spike_steps": steps_of(b, MS).tolist(),
            "source_spike_neurons": np.asarray(MS.i[:]).tolist(),
            "v": np.asarray(M.v[0]).tolist(), "g": np.asarray(M.g[0]).tolist()}


def non_reliability_seed(b, seed: int, duration: float) -> dict[str, float]:
    b.start_scope()
    b.seed(seed)
    b.defaultclock.dt = DT * b.second
    G = b.NeuronGroup(25, NON_RELIABILITY, threshold="x > 1", reset="x = 0", refractory=5 * b.ms, method="euler",
                      namespace={"tau": 20 * b.ms, "sigma": 0.015})
    M = b.SpikeMonitor(G)
    b.Network(G, M).run(duration * b.second)
    return pooled_isi_stats(steps_of(b, M), np.asarray(M.i[:]), 25, duration)


def synfire_seed(b, seed: int, duration: float) -> dict[str, float]:
    b.start_scope()
    b.seed(seed)
    b.defaultclock.dt = DT * b.second
    size, groups = SYNFIRE["group_size"], SYNFIRE["groups"]
    ns = {"Vr": -70 * b.mV, "Vt": -55 * b.mV, "taum": 10 * b.ms, "taupsp": 0.325 * b.ms, "weight": 4.86 * b.mV,
          "group_size": size}
    P = b.NeuronGroup(size * groups, SYNFIRE_EQUATIONS, threshold="V > Vt", reset="V = Vr", refractory=1 * b.ms,
                      method="euler", namespace=ns)
    P.V = "Vr + rand()*(Vt - Vr)"
    packet = b.SpikeGeneratorGroup(SYNFIRE["packet"], np.arange(SYNFIRE["packet"]), synfire_packet(seed) * b.second)
    S = b.Synapses(P, P, on_pre="y += weight", delay=SYNFIRE["delay"] * b.second, namespace=ns)
    S.connect(j="k for k in range((int(i/group_size) + 1)*group_size, (int(i/group_size) + 2)*group_size) "
                "if i < N_pre - group_size")
    S_in = b.Synapses(packet, P[:size], on_pre="y += weight", namespace=ns)
    S_in.connect()
    M = b.SpikeMonitor(P)
    b.Network(P, packet, S, S_in, M).run(duration * b.second)
    return synfire_stats(steps_of(b, M), np.asarray(M.i[:]))


def jeffress_seed(b, seed: int, duration: float) -> dict[str, float]:
    b.start_scope()
    b.seed(seed)
    b.defaultclock.dt = JEFFRESS["dt"] * b.second
    n, max_delay = JEFFRESS["detectors"], JEFFRESS["max_delay"] * b.second
    sound = b.TimedArray(jeffress_sound(seed, duration), dt=JEFFRESS["dt"] * b.second)
    ears = b.NeuronGroup(2, JEFFRESS_EARS, threshold="x > 1", reset="x = 0", refractory=2.5 * b.ms, method="euler",
                         namespace={"sound": sound, "tau_ear": 1 * b.ms, "sigma_ear": 0.1,
                                    "angular_speed": 2 * np.pi / b.second})
    ears.distance = [-0.5 * max_delay, 0.5 * max_delay]
    neurons = b.NeuronGroup(n, JEFFRESS_DETECTORS, threshold="v > 1", reset="v = 0", method="euler",
                            namespace={"tau": JEFFRESS["tau"] * b.second, "sigma": JEFFRESS["sigma"]})
    synapses = b.Synapses(ears, neurons, on_pre="v += .5")
    synapses.connect()
    synapses.delay["i==0"] = "(1.0*j)/(n - 1)*max_delay"
    synapses.delay["i==1"] = "(1.0*(n - j - 1))/(n - 1)*max_delay"
    M = b.SpikeMonitor(neurons)
    b.Network(ears, neurons, synapses, M).run(duration * b.second)
    return jeffress_stats(np.asarray(M.t[:] / b.second), np.asarray(M.i[:]), duration)


PORTS = {
    "izhikevich": izhikevich,
    "gap-junctions": gap_junctions,
    "nmda-synapse": nmda_synapse,
    "non-reliability": seeded(non_reliability_seed, 1.0, "Brian2 examples/non_reliability.py (our own script): 25 "
                              "neurons dx/dt = (1.1 - x)/tau + sigma*(2/tau)**.5*xi (unless refractory), tau = 20 ms, "
                              "sigma = 0.015, threshold x > 1, reset x = 0, refractory 5 ms, euler, x0 = 0; 1 s at "
                              "dt 0.1 ms; per seed: rate, mean ISI CV, CV of the 1 ms population rate."),
    "synfire-chain": seeded(synfire_seed, 0.08, "Diesmann et al. (1999) synfire chain after Brian2's "
                            "examples/frompapers/Diesmann_et_al_1999.py (our own script): 10 groups of 100 neurons "
                            "dV/dt = (-(V - Vr) + x)/taum, dx/dt = (-x + y)/taupsp, dy/dt = -y/taupsp + 25.27*mV/ms + "
                            "(39.24*mV/ms**0.5)*xi, Vr = -70 mV, Vt = -55 mV, taum = 10 ms, taupsp = 0.325 ms, "
                            "refractory 1 ms, euler; each group all to all onto the next, y += 4.86 mV, delay 2 ms; "
                            "a packet of 60 spikes (times from synfire_packet(seed)) onto the first group; "
                            "V0 = Vr + rand()*(Vt - Vr); 80 ms at dt 0.1 ms; per seed: synfire_stats."),
    "jeffress": seeded(jeffress_seed, 1.0, "Brian2 examples/synapses/jeffress.py (our own script): a white-noise "
                       "sound (jeffress_sound(seed)) reaches two ears, dx/dt = (sound(t - delay) - x)/tau_ear + "
                       "sigma_ear*(2/tau_ear)**.5*xi (unless refractory), delay = distance*sin(theta), dtheta/dt = "
                       "2*pi/second : radian, distance = -+0.5*max_delay, threshold x > 1, reset x = 0, refractory "
                       "2.5 ms; 30 detectors dv/dt = -v/tau + sigma*(2/tau)**.5*xi, tau 1 ms, sigma 0.1, threshold "
                       "v > 1, reset v = 0; every ear onto every detector, v += .5, delays set after connecting: "
                       "delay['i==0'] = j/(n-1)*max_delay, delay['i==1'] = (n-j-1)/(n-1)*max_delay (Brian2 rounds "
                       "them to steps); euler, 1 s at dt 0.02 ms; per seed: jeffress_stats."),
}


if __name__ == "__main__":
    sys.exit(reference_files.main(__doc__.split("\n")[0], "brian2_port_references.py", PORTS, "port_", DT))

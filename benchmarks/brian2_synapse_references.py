#!/usr/bin/env python
"""Brian2 reference data for synapse models (issue: synapse models as plugins).

Run from the repository root with the Python of a venv that has Brian2 2.9.0 (numpy target):

    /work/brian2-venv/bin/python benchmarks/brian2_synapse_references.py stdp
    /work/brian2-venv/bin/python benchmarks/brian2_synapse_references.py tsodyks-markram
    /work/brian2-venv/bin/python benchmarks/brian2_synapse_references.py stored-traces
    /work/brian2-venv/bin/python benchmarks/brian2_synapse_references.py all

- ``stdp``: Brian2 2.9's STDP example (Song, Miller & Abbott 2000; euler, dt 0.1 ms) with the
  Poisson inputs replaced by a SpikeGeneratorGroup fed the trains of :func:`stdp_inputs` (numpy
  seed, so snnzoo's test regenerates the very same trains) and initial weights from the same
  seed. Writes the postsynaptic spike steps and the final weights.
- ``tsodyks-markram``: Brian2's Tsodyks, Pawelzik & Markram (1998) example, panels A
  (depressing) and B (facilitating): clock-driven x, y, u (exponential_euler) summed into I_syn.
  Writes the membrane trace v of each panel.
- ``stored-traces``: pair and triplet STDP (:data:`STORED_TRACES`) from 20 fixed input trains onto
  3 neurons of the STDP example, postsynaptic delay 0.5 ms: the event-driven traces as Brian2
  stores them per synapse (as of each synapse's last event), recorded every 1 ms and at the end.

The input trains and parameters are defined here in plain numpy (no Brian2 import at module
level); tests/test_synapse_networks.py imports this file for them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

REFERENCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference")
DT = 1e-4

STDP = {"N": 1000, "rate": 15.0, "duration": 5.0, "seed": 2000, "taum": 10e-3, "taupre": 20e-3,
        "taupost": 20e-3, "Ee": 0.0, "vt": -54e-3, "vr": -60e-3, "El": -74e-3, "taue": 5e-3, "gmax": 0.01}
STDP["dApre"] = 0.01 * STDP["gmax"]
STDP["dApost"] = -STDP["dApre"] * STDP["taupre"] / STDP["taupost"] * 1.05

TM_PANELS = {
    "A": {"tau_mem": 40e-3, "R_in": 100e6, "tau_inact": 3e-3, "A_SE": 250e-12, "tau_rec": 800e-3, "U_SE": 0.6,
          "tau_facil": None, "start": 0.1, "stop": 1.1, "frequency": 20.0, "duration": 1.2},
    "B": {"tau_mem": 60e-3, "R_in": 1e9, "tau_inact": 1.5e-3, "A_SE": 1540e-12, "tau_rec": 130e-3, "U_SE": 0.03,
          "tau_facil": 530e-3, "start": 0.1, "stop": 1.1, "frequency": 20.0, "duration": 1.2},
}


STORED_TRACES = {
    "n_inputs": 20, "n_neurons": 3, "rate": 150.0, "duration": 0.2, "seed": 5, "post_delay": 0.5e-3,
    "weight": "0.02 + 0.001*i + 0.005*j", "recorded": [0, 5, 23, 40, 59], "record_every": 1e-3,
    "models": {
        "pair": {"equations": "w : 1\ndApre/dt = -Apre/(20*ms) : 1 (event-driven)\n"
                              "dApost/dt = -Apost/(20*ms) : 1 (event-driven)",
                 "on_pre": "ge += w; Apre += 0.001; w = clip(w + Apost, 0, 0.05)",
                 "on_post": "Apost += -0.00105; w = clip(w + Apre, 0, 0.05)", "traces": ["Apre", "Apost"]},
        "triplet": {"equations": "w : 1\ndr1/dt = -r1/(16.8*ms) : 1 (event-driven)\n"
                                 "dr2/dt = -r2/(101*ms) : 1 (event-driven)\ndo1/dt = -o1/(33.7*ms) : 1 (event-driven)\n"
                                 "do2/dt = -o2/(125*ms) : 1 (event-driven)",
                    "on_pre": "ge += w; w = clip(w - 0.05*o1*(0.07 + 0.023*r2), 0, 0.05); r1 += 1; r2 += 1",
                    "on_post": "w = clip(w + 0.05*r1*(0.005 + 0.062*o2), 0, 0.05); o1 += 1; o2 += 1",
                    "traces": ["r1", "r2", "o1", "o2"]},
    },
}
"""Pair and triplet STDP whose stored traces are compared (all-to-all synapses, w an expression of i, j)."""


def stored_traces_inputs() -> tuple[np.ndarray, np.ndarray]:
    """(spike steps, input indices) of :data:`STORED_TRACES`: Bernoulli(rate*dt) per input and step, numpy seed."""
    p = STORED_TRACES
    rng = np.random.default_rng(p["seed"])
    spikes = rng.random((int(round(p["duration"] / DT)), p["n_inputs"])) < p["rate"] * DT
    steps, indices = np.nonzero(spikes)
    return steps.astype(np.int64), indices.astype(np.int64)


def stdp_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(spike steps, input indices, initial weights): Bernoulli(rate*dt) per input and step, numpy seed."""
    rng = np.random.default_rng(STDP["seed"])
    n_steps = int(round(STDP["duration"] / DT))
    spikes = rng.random((n_steps, STDP["N"])) < STDP["rate"] * DT
    steps, indices = np.nonzero(spikes)
    weights = rng.random(STDP["N"]) * STDP["gmax"]
    return steps.astype(np.int64), indices.astype(np.int64), weights


def tm_input_steps(panel: dict) -> np.ndarray:
    """The steps of the regular presynaptic train of a Tsodyks-Markram panel (as Brian2's example builds it)."""
    times_ms = np.arange(panel["start"] * 1e3, panel["stop"] * 1e3, 1e3 / panel["frequency"])
    return np.round(times_ms * 1e-3 / DT).astype(np.int64)


def _write(name: str, data: dict) -> None:
    import brian2

    data.update(brian2_version=brian2.__version__, target="numpy", dt=DT,
                generated_by=f"python benchmarks/brian2_synapse_references.py {sys.argv[1]}")
    path = os.path.join(REFERENCE_DIR, name)
    with open(path, "w") as f:
        json.dump(data, f)
    print("wrote", path)


def stdp() -> None:
    import brian2 as b

    b.prefs.codegen.target = "numpy"
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    p = STDP
    steps, indices, weights = stdp_inputs()
    namespace = {k: v for k, v in p.items() if k in ("taum", "taupre", "taupost", "taue", "gmax", "dApre", "dApost")}
    namespace.update(taum=p["taum"] * b.second, taupre=p["taupre"] * b.second, taupost=p["taupost"] * b.second,
                     taue=p["taue"] * b.second, Ee=p["Ee"] * b.volt, vt=p["vt"] * b.volt, vr=p["vr"] * b.volt,
                     El=p["El"] * b.volt)
    inputs = b.SpikeGeneratorGroup(p["N"], indices, steps * DT * b.second)
    neurons = b.NeuronGroup(1, "dv/dt = (ge * (Ee-v) + El - v) / taum : volt\ndge/dt = -ge / taue : 1",
                            threshold="v>vt", reset="v = vr", method="euler", namespace=namespace)
    synapses = b.Synapses(inputs, neurons,
                          """w : 1
                             dApre/dt = -Apre / taupre : 1 (event-driven)
                             dApost/dt = -Apost / taupost : 1 (event-driven)""",
                          on_pre="""ge += w
                                    Apre += dApre
                                    w = clip(w + Apost, 0, gmax)""",
                          on_post="""Apost += dApost
                                     w = clip(w + Apre, 0, gmax)""", namespace=namespace)
    synapses.connect()
    synapses.w = weights
    neurons.v = p["vr"] * b.volt  # snnzoo's lif_song starts at V_reset; Brian2's example starts at 0 V
    spikes = b.SpikeMonitor(neurons)
    b.run(p["duration"] * b.second)
    _write("brian2_stdp_fixed_inputs.json", {
        "parameters": p, "post_spike_steps": np.round(np.asarray(spikes.t / b.second) / DT).astype(int).tolist(),
        "final_weights": np.asarray(synapses.w[:]).tolist(), "n_input_spikes": int(steps.size)})


def tsodyks_markram() -> None:
    import brian2 as b

    b.prefs.codegen.target = "numpy"
    out = {}
    for name, p in TM_PANELS.items():
        b.start_scope()
        b.defaultclock.dt = DT * b.second
        neuron = b.NeuronGroup(1, "tau_mem : second\nI_syn : ampere\nR_in : ohm\n"
                                  "dv/dt = -v/tau_mem + (R_in*I_syn)/tau_mem : volt", method="exact")
        neuron.tau_mem, neuron.R_in = p["tau_mem"] * b.second, p["R_in"] * b.ohm
        equations = """dx/dt = z/tau_rec : 1 (clock-driven)
                       dy/dt = -y/tau_inact : 1 (clock-driven)
                       A_SE : ampere
                       U_SE : 1
                       tau_inact : second
                       tau_rec : second
                       z = 1 - x - y : 1
                       I_syn_post = A_SE*y : ampere (summed)"""
        if p["tau_facil"]:
            equations += "\ndu/dt = -u/tau_facil : 1 (clock-driven)\ntau_facil : second"
            action = "u += U_SE*(1-u)\ny += u*x\nx += -u*x"
        else:
            action = "y += U_SE*x\nx += -U_SE*x"
        stimulus = b.SpikeGeneratorGroup(1, np.zeros(tm_input_steps(p).size, dtype=int),
                                         tm_input_steps(p) * DT * b.second)
        synapses = b.Synapses(stimulus, neuron, model=equations, on_pre=action, method="exponential_euler")
        synapses.connect()
        synapses.x = 1
        synapses.tau_inact, synapses.A_SE = p["tau_inact"] * b.second, p["A_SE"] * b.amp
        synapses.U_SE, synapses.tau_rec = p["U_SE"], p["tau_rec"] * b.second
        if p["tau_facil"]:
            synapses.tau_facil = p["tau_facil"] * b.second
        monitor = b.StateMonitor(neuron, "v", record=True)
        b.run(p["duration"] * b.second)
        out[name] = {"parameters": p, "v": np.asarray(monitor.v[0] / b.volt).tolist()}
    _write("brian2_tsodyks_markram.json", out)


def stored_traces() -> None:
    import brian2 as b

    b.prefs.codegen.target = "numpy"
    p, neuron = STORED_TRACES, STDP
    out = {"parameters": p}
    steps, indices = stored_traces_inputs()
    for name, model in p["models"].items():
        b.start_scope()
        b.defaultclock.dt = DT * b.second
        namespace = {"taum": neuron["taum"] * b.second, "taue": neuron["taue"] * b.second, "Ee": neuron["Ee"] * b.volt,
                     "vt": neuron["vt"] * b.volt, "vr": neuron["vr"] * b.volt, "El": neuron["El"] * b.volt}
        inputs = b.SpikeGeneratorGroup(p["n_inputs"], indices, steps * DT * b.second)
        neurons = b.NeuronGroup(p["n_neurons"], "dv/dt = (ge * (Ee-v) + El - v) / taum : volt\ndge/dt = -ge / taue : 1",
                                threshold="v>vt", reset="v = vr", method="euler", namespace=namespace)
        neurons.v = neuron["vr"] * b.volt
        synapses = b.Synapses(inputs, neurons, model["equations"], on_pre=model["on_pre"], on_post=model["on_post"])
        synapses.connect()
        synapses.w = p["weight"]
        synapses.post.delay = p["post_delay"] * b.second
        monitor = b.StateMonitor(synapses, model["traces"], record=p["recorded"], dt=p["record_every"] * b.second)
        spikes = b.SpikeMonitor(neurons)
        b.run(p["duration"] * b.second)
        out[name] = {"recorded": {v: np.asarray(getattr(monitor, v)).T.tolist() for v in model["traces"]},
                     "final": {v: np.asarray(getattr(synapses, v)[:]).tolist() for v in model["traces"]},
                     "final_weights": np.asarray(synapses.w[:]).tolist(), "n_post_spikes": int(spikes.num_spikes)}
    _write("brian2_stdp_stored_traces.json", out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=["stdp", "tsodyks-markram", "stored-traces", "all"])
    which = parser.parse_args().which
    if which in ("stdp", "all"):
        stdp()
    if which in ("tsodyks-markram", "all"):
        tsodyks_markram()
    if which in ("stored-traces", "all"):
        stored_traces()

#!/usr/bin/env python
"""Brian2 reference data for the model-language features: ``exact`` integration, the Heun and
Milstein integrators, writes dropped during refractoriness, variables integrated while another is held,
linked variables.

Run from the repository root with the Python of a venv that has Brian2 2.9.0 (numpy target):

    /work/brian2-venv/bin/python benchmarks/brian2_language_references.py all
    /work/brian2-venv/bin/python benchmarks/brian2_language_references.py exact-cuba-neuron

Each sub-command writes ``tests/reference/brian2_<name>.json`` (hyphens as underscores), one line
per top-level key; ``tests/test_language.py`` compares snnzoo with it. The models are defined
here as Brian2 code and described in ``method``; the snnzoo side writes the same equations.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_files  # noqa: E402

DT = 1e-4  # 0.1 ms unless a sub-command says otherwise

#: CUBA (Brian2 example ``CUBA.py``): the neuron and its parameters.
CUBA_EQUATIONS = """
dv/dt = (ge + gi - (v - El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt
"""
CUBA_PARAMETERS = {"taum": 20e-3, "taue": 5e-3, "taui": 10e-3, "Vt": -50e-3, "Vr": -60e-3, "El": -49e-3}
#: input spike times (s) of the deterministic CUBA neuron: onto ge (excitatory) and gi
CUBA_EXC_TIMES = [0.0021, 0.0050, 0.0052, 0.0113, 0.0180, 0.0181, 0.0182, 0.0260, 0.0333, 0.0411]
CUBA_INH_TIMES = [0.0070, 0.0215, 0.0301, 0.0302, 0.0450]
CUBA_WEIGHTS = {"we": 1.62e-3, "wi": -9e-3}  # (60*0.27/10) mV and (-20*4.5/10) mV
CUBA_INITIAL_V = [-60e-3, -55e-3, -51e-3]
CUBA_DURATION = 0.1

#: geometric Brownian motion dx = mu*x dt + sigma*x dW (Stratonovich for heun and milstein)
GBM = {"mu": 0.5, "sigma": 0.5, "dt": 1e-3, "duration": 1.0, "n": 2000}

#: a LIF neuron with 5 ms refractoriness and an input spike every 1 ms that adds 4 mV to v
REFRACTORY_INPUT = {"tau": 10e-3, "El": -70e-3, "Vt": -50e-3, "Vr": -70e-3, "refractory": 5e-3,
                    "jump": 4e-3, "first": 0.5e-3, "interval": 1e-3, "count": 200, "duration": 0.2}

#: refractoriness as a per-neuron period ('tref') and as a condition; drive above threshold
REFRACTORY_FORMS = {"tau": 10e-3, "v_inf": -45e-3, "Vt": -50e-3, "Vr": -70e-3, "tref": [1e-3, 2.5e-3, 7e-3],
                    "tau_w": 30e-3, "jump_v": -30e-3, "jump_w": 20e-3, "duration": 0.2}

#: linked variable: y of 'reader' is linked to x of 'source'
LINKED = {"tau_x": 5e-3, "tau_v": 2e-3, "duration": 0.02}


def brian():
    import brian2

    brian2.prefs.codegen.target = "numpy"
    brian2.prefs.core.default_float_dtype = np.float64
    return brian2


def spike_steps(b, monitor) -> tuple[list[int], list[int]]:
    return (np.rint(np.asarray(monitor.t[:] / b.second) / DT).astype(np.int64).tolist(),
            np.asarray(monitor.i[:], dtype=np.int64).tolist())


def exact_cuba_neuron(args) -> dict:
    b = brian()
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    namespace = {k: v * (b.second if k.startswith("tau") else b.volt) for k, v in CUBA_PARAMETERS.items()}
    G = b.NeuronGroup(len(CUBA_INITIAL_V), CUBA_EQUATIONS, threshold="v > Vt", reset="v = Vr",
                      refractory=5 * b.ms, method="exact", namespace=namespace, name="cuba")
    G.v = np.array(CUBA_INITIAL_V) * b.volt
    exc = b.SpikeGeneratorGroup(1, [0] * len(CUBA_EXC_TIMES), np.array(CUBA_EXC_TIMES) * b.second)
    inh = b.SpikeGeneratorGroup(1, [0] * len(CUBA_INH_TIMES), np.array(CUBA_INH_TIMES) * b.second)
    Se = b.Synapses(exc, G, on_pre=f"ge += {CUBA_WEIGHTS['we']}*volt")
    Si = b.Synapses(inh, G, on_pre=f"gi += {CUBA_WEIGHTS['wi']}*volt")
    Se.connect(p=1)
    Si.connect(p=1)
    M = b.StateMonitor(G, ["v", "ge", "gi"], record=True)
    S = b.SpikeMonitor(G)
    net = b.Network(G, exc, inh, Se, Si, M, S)
    net.run(CUBA_DURATION * b.second)
    steps, neurons = spike_steps(b, S)
    return {
        "method": "Brian2 CUBA neuron (examples/CUBA.py equations and parameters), 3 neurons with v0 = -60, -55, "
                  "-51 mV, method='exact', refractory 5 ms, SpikeGeneratorGroups onto ge (+1.62 mV) and gi (-9 mV) "
                  "at the given times; 100 ms at dt 0.1 ms; StateMonitor every step.",
        "parameters": CUBA_PARAMETERS, "exc_times": CUBA_EXC_TIMES, "inh_times": CUBA_INH_TIMES,
        "weights": CUBA_WEIGHTS, "initial_v": CUBA_INITIAL_V, "duration": CUBA_DURATION,
        "state_update_code": G.state_updater.abstract_code,
        "spike_steps": steps, "spike_neurons": neurons,
        "traces": {var: np.asarray(getattr(M, var)).tolist() for var in ("v", "ge", "gi")},
    }


def stratonovich_gbm(args) -> dict:
    b = brian()
    result = {}
    for method in ("heun", "milstein"):
        per_seed = []
        for seed in args.seeds:
            b.start_scope()
            b.seed(seed)
            b.defaultclock.dt = GBM["dt"] * b.second
            G = b.NeuronGroup(GBM["n"], "dx/dt = mu*x + sigma*x*xi : 1", method=method,
                              namespace={"mu": GBM["mu"] / b.second, "sigma": GBM["sigma"] / b.second**0.5})
            G.x = 1
            b.run(GBM["duration"] * b.second)
            final = np.asarray(G.x[:])
            per_seed.append({"mean_x": float(final.mean()), "mean_log_x": float(np.log(final).mean()),
                             "sd_log_x": float(np.log(final).std(ddof=1))})
        result[method] = per_seed
    return {"method": "Brian2: NeuronGroup(2000, 'dx/dt = mu*x + sigma*x*xi : 1') with mu = 0.5/s, "
                      "sigma = 0.5/sqrt(s), x0 = 1, dt 1 ms, 1 s, methods heun and milstein; statistics of x(1 s) "
                      "over the 2000 neurons for each seed.",
            **GBM, "seeds": args.seeds, "per_seed": result}


def refractory_input(args) -> dict:
    b = brian()
    p = REFRACTORY_INPUT
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    G = b.NeuronGroup(1, "dv/dt = (El - v)/tau : volt (unless refractory)", threshold="v > Vt", reset="v = Vr",
                      refractory=p["refractory"] * b.second, method="exact",
                      namespace={"El": p["El"] * b.volt, "tau": p["tau"] * b.second, "Vt": p["Vt"] * b.volt,
                                 "Vr": p["Vr"] * b.volt})
    G.v = p["El"] * b.volt
    times = p["first"] + p["interval"] * np.arange(p["count"])
    inp = b.SpikeGeneratorGroup(1, [0] * p["count"], times * b.second)
    S = b.Synapses(inp, G, on_pre=f"v += {p['jump']}*volt")
    S.connect(p=1)
    M = b.StateMonitor(G, "v", record=True)
    sp = b.SpikeMonitor(G)
    b.Network(G, inp, S, M, sp).run(p["duration"] * b.second)
    steps, _ = spike_steps(b, sp)
    return {"method": "Brian2: LIF dv/dt = (El - v)/tau (unless refractory), tau 10 ms, El = Vr = -70 mV, "
                      "Vt -50 mV, refractory 5 ms, exact; an input spike every 1 ms from 0.5 ms adds 4 mV to v; "
                      "200 ms at dt 0.1 ms.",
            **p, "spike_steps": steps, "v": np.asarray(M.v[0]).tolist()}


def refractory_forms(args) -> dict:
    b = brian()
    p = REFRACTORY_FORMS
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    namespace = {"tau": p["tau"] * b.second, "v_inf": p["v_inf"] * b.volt, "Vt": p["Vt"] * b.volt,
                 "Vr": p["Vr"] * b.volt, "tau_w": p["tau_w"] * b.second, "jump_v": p["jump_v"] * b.volt,
                 "jump_w": p["jump_w"] * b.volt}
    period = b.NeuronGroup(3, "dv/dt = (v_inf - v)/tau : volt (unless refractory)\ntref : second (constant)",
                           threshold="v > Vt", reset="v = Vr", refractory="tref", method="exact",
                           namespace=namespace, name="period")
    period.v = p["Vr"] * b.volt
    period.tref = np.array(p["tref"]) * b.second
    # after a spike v jumps *above* threshold and w pushes it down: refractory while v > Vt
    condition = b.NeuronGroup(1, "dv/dt = (v_inf - w - v)/tau : volt\ndw/dt = -w/tau_w : volt",
                              threshold="v > Vt", reset="v = jump_v; w += jump_w", refractory="v > Vt",
                              method="exact", namespace=namespace, name="condition")
    condition.v = p["Vr"] * b.volt
    sp_period, sp_condition = b.SpikeMonitor(period), b.SpikeMonitor(condition)
    M = b.StateMonitor(condition, "v", record=True)
    b.Network(period, condition, sp_period, sp_condition, M).run(p["duration"] * b.second)
    steps, neurons = spike_steps(b, sp_period)
    return {"method": "Brian2: 'period': 3 LIF dv/dt = (v_inf - v)/tau (unless refractory), tau 10 ms, v_inf -45 mV, "
                      "Vt -50 mV, Vr -70 mV, refractory='tref' with tref = 1, 2.5, 7 ms per neuron; 'condition': "
                      "dv/dt = (v_inf - w - v)/tau, dw/dt = -w/tau_w (30 ms), reset v = -30 mV; w += 20 mV, "
                      "refractory='v > Vt'; exact, 200 ms at dt 0.1 ms.",
            **p, "period_spike_steps": steps, "period_spike_neurons": neurons,
            "condition_spike_steps": spike_steps(b, sp_condition)[0], "condition_v": np.asarray(M.v[0]).tolist()}


#: refractory='tref + 0.5*ms*i' read in every step while the reset ('reset') or a regular operation every
#: 10 ms ('regular') lengthens tref
REFRACTORY_CHANGING = {"tau": 5e-3, "v_inf": -40e-3, "Vt": -50e-3, "Vr": -70e-3, "tref": 1e-3, "duration": 0.1}


#: an adaptive LIF whose v is held while refractory and feeds w: w is integrated with v constant then
REFRACTORY_COUPLED = {"E_L": -70e-3, "R": 100e6, "tau_m": 10e-3, "a": 1e-9, "tau_w": 20e-3, "I": 0.3e-9,
                      "V_th": -50e-3, "V_r": -60e-3, "refractory": 5e-3, "duration": 0.05,
                      "methods": ["exact", "rk2", "rk4", "euler", "heun", "exponential_euler"]}
COUPLED_EQUATIONS = """
dv/dt = (E_L - v - R*w + R*I)/tau_m : volt (unless refractory)
dw/dt = (a*(v - E_L) - w)/tau_w : amp
"""


#: refractory periods that are not whole numbers of steps, per neuron and as one time
BETWEEN_STEPS = {"tref": [0.25e-3, 0.27e-3, 0.35e-3, 0.3e-3, 0.199e-3], "refractory": 0.27e-3, "duration": 0.004}


def refractory_between_steps(args) -> dict:
    b = brian()
    p = BETWEEN_STEPS
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    equations = "dv/dt = 1/ms : 1 (unless refractory)"  # above threshold whenever not refractory
    per_neuron = b.NeuronGroup(len(p["tref"]), equations + "\ntref : second (constant)", threshold="v > -1",
                               reset="v = 0", refractory="tref", method="euler", name="per_neuron")
    per_neuron.tref = np.array(p["tref"]) * b.second
    one = b.NeuronGroup(1, equations, threshold="v > -1", reset="v = 0", refractory=p["refractory"] * b.second,
                        method="euler", name="one")
    sp_per_neuron, sp_one = b.SpikeMonitor(per_neuron), b.SpikeMonitor(one)
    b.Network(per_neuron, one, sp_per_neuron, sp_one).run(p["duration"] * b.second)
    steps, neurons = spike_steps(b, sp_per_neuron)
    return {"method": "Brian2: neurons above threshold whenever not refractory (dv/dt = 1/ms, threshold v > -1, "
                      "reset v = 0), refractory='tref' with tref = 0.25, 0.27, 0.35, 0.3, 0.199 ms per neuron, and "
                      "refractory=0.27*ms for one neuron; euler, 4 ms at dt 0.1 ms.",
            **p, "per_neuron_spike_steps": steps, "per_neuron_spike_neurons": neurons,
            "one_spike_steps": spike_steps(b, sp_one)[0]}


#: synaptic delays as expressions of i and j: multiples of dt, and values Brian2 rounds
DELAYS = {"exact": "1*ms + 0.1*ms*(i + 2*j)", "rounded": "0.25*ms*(i + 1) + 0.05*ms*j", "spike_times": [1e-3, 2e-3, 3e-3],
          "duration": 0.01}


def delay_expressions(args) -> dict:
    b = brian()
    p = DELAYS
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    source = b.SpikeGeneratorGroup(3, [0, 1, 2], np.array(p["spike_times"]) * b.second)
    targets = {name: b.NeuronGroup(4, "v : 1", name=name) for name in ("exact", "rounded")}
    synapses = [b.Synapses(source, targets[name], on_pre="v += 10**i") for name in targets]
    for syn, name in zip(synapses, targets):
        syn.connect()
        syn.delay = p[name]
    monitors = {name: b.StateMonitor(group, "v", record=True) for name, group in targets.items()}
    b.Network(source, *targets.values(), *synapses, *monitors.values()).run(p["duration"] * b.second)
    return {"method": "Brian2: SpikeGeneratorGroup(3) firing at 1, 2, 3 ms, all-to-all Synapses onto two groups of "
                      "4 'v : 1' neurons with on_pre 'v += 10**i' and delay expressions (see keys 'exact', "
                      "'rounded'); v every step (its jumps show each arrival step).",
            **p, "v": {name: np.asarray(m.v).tolist() for name, m in monitors.items()}}


#: regular operations: a deterministic kick (dropped while refractory) and a redraw of v
REGULAR = {"tau": 10e-3, "El": -70e-3, "Vt": -50e-3, "Vr": -75e-3, "refractory": 5e-3, "kick": 3e-3,
           "initial_v": [-70e-3, -60e-3], "sigma": 2e-3, "n_redraw": 1000, "duration": 0.1}


def regular_operations(args) -> dict:
    b = brian()
    p = REGULAR
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    namespace = {"tau": p["tau"] * b.second, "El": p["El"] * b.volt, "Vt": p["Vt"] * b.volt, "Vr": p["Vr"] * b.volt,
                 "kick": p["kick"] * b.volt, "sigma": p["sigma"] * b.volt}
    kicked = b.NeuronGroup(2, "dv/dt = (El - v)/tau : volt (unless refractory)", threshold="v > Vt", reset="v = Vr",
                           refractory=p["refractory"] * b.second, method="exact", namespace=namespace, name="kicked")
    kicked.v = np.array(p["initial_v"]) * b.volt
    kicked.run_regularly("v += kick", dt=1 * b.ms)
    redrawn = b.NeuronGroup(p["n_redraw"], "dv/dt = (El - v)/tau : volt", method="exact", namespace=namespace,
                            name="redrawn")
    redrawn.v = p["El"] * b.volt
    redrawn.run_regularly("v = El + sigma*randn()", dt=1 * b.ms)
    spikes = b.SpikeMonitor(kicked)
    trace = b.StateMonitor(kicked, "v", record=True)
    samples = b.StateMonitor(redrawn, "v", record=True, dt=1 * b.ms)
    b.seed(1)
    b.Network(kicked, redrawn, spikes, trace, samples).run(p["duration"] * b.second)
    drawn = np.asarray(samples.v)
    return {"method": "Brian2: 'kicked': 2 LIF (tau 10 ms, El -70 mV, Vt -50 mV, Vr -75 mV, refractory 5 ms, exact) "
                      "with run_regularly('v += kick', dt=1*ms), kick 3 mV; 'redrawn': 1000 neurons with "
                      "run_regularly('v = El + sigma*randn()', dt=1*ms), sigma 2 mV, sampled every 1 ms; "
                      "100 ms at dt 0.1 ms, seed 1.",
            **p, "spike_steps": spike_steps(b, spikes)[0], "spike_neurons": spike_steps(b, spikes)[1],
            "v": np.asarray(trace.v).tolist(), "redrawn_mean": float(drawn.mean()),
            "redrawn_sd": float(drawn.std(ddof=1))}


#: a 2-D TimedArray (steps x neurons) read with a per-neuron delay: I = stim(t - delay, i)
TIMED_2D = {"dt_stim": 1e-3, "steps": 20, "delay": [0.0, 0.5e-3, 1.3e-3], "tau": 5e-3, "duration": 0.025}


def timed_array_2d(args) -> dict:
    b = brian()
    p = TIMED_2D
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    values = 10e-3 * np.random.RandomState(3).rand(p["steps"], 3)
    stim = b.TimedArray(values * b.volt, dt=p["dt_stim"] * b.second)
    G = b.NeuronGroup(3, "dv/dt = (u - v)/tau : volt\nu = stim(t - delay, i) : volt\ndelay : second",
                      method="euler", namespace={"stim": stim, "tau": p["tau"] * b.second})
    G.delay = np.array(p["delay"]) * b.second
    M = b.StateMonitor(G, ["v", "u"], record=True)
    b.Network(G, M).run(p["duration"] * b.second)
    return {"method": "Brian2: TimedArray(10 mV * RandomState(3).rand(20, 3), dt=1*ms) read as u = stim(t - delay, i) "
                      "with delay = 0, 0.5, 1.3 ms per neuron; dv/dt = (u - v)/tau, tau 5 ms, euler; 25 ms; v and u "
                      "every step.",
            **p, "values": values.tolist(), "v": np.asarray(M.v).tolist(), "u": np.asarray(M.u).tolist()}


def linked_variable(args) -> dict:
    b = brian()
    p = LINKED
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    # the reader is added to the network before its source: its update reads the value the
    # source had at the start of the step (Brian2 orders objects of one slot as added)
    reader = b.NeuronGroup(1, "dv/dt = (y - v)/tau_v : 1\ny : 1 (linked)", method="euler",
                           namespace={"tau_v": p["tau_v"] * b.second}, name="reader")
    source = b.NeuronGroup(1, "dx/dt = (1 - x)/tau_x : 1", method="euler",
                           namespace={"tau_x": p["tau_x"] * b.second}, name="source")
    reader.y = b.linked_var(source, "x")
    M = b.StateMonitor(reader, ["v", "y"], record=True)
    b.Network(reader, source, M).run(p["duration"] * b.second)
    return {"method": "Brian2: source dx/dt = (1 - x)/tau_x (tau_x 5 ms, x0 0), reader dv/dt = (y - v)/tau_v "
                      "(tau_v 2 ms) with y linked to source.x; reader added to the Network first; euler, "
                      "20 ms at dt 0.1 ms; v and y every step.",
            **p, "v": np.asarray(M.v[0]).tolist(), "y": np.asarray(M.y[0]).tolist()}


def refractory_changing(args) -> dict:
    b = brian()
    p = REFRACTORY_CHANGING
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    namespace = {"tau": p["tau"] * b.second, "v_inf": p["v_inf"] * b.volt, "Vt": p["Vt"] * b.volt,
                 "Vr": p["Vr"] * b.volt}
    equations = "dv/dt = (v_inf - v)/tau : volt (unless refractory)\ntref : second"
    reset = b.NeuronGroup(2, equations, threshold="v > Vt", reset="v = Vr; tref += 1*ms",
                          refractory="tref + 0.5*ms*i", method="exact", namespace=namespace, name="reset")
    regular = b.NeuronGroup(2, equations, threshold="v > Vt", reset="v = Vr", refractory="tref + 0.5*ms*i",
                            method="exact", namespace=namespace, name="regular")
    regular.run_regularly("tref += 2*ms", dt=10 * b.ms)
    for group in (reset, regular):
        group.v = p["Vr"] * b.volt
        group.tref = p["tref"] * b.second
    monitors = {"reset": b.SpikeMonitor(reset), "regular": b.SpikeMonitor(regular)}
    b.Network(reset, regular, *monitors.values()).run(p["duration"] * b.second)
    spikes = {}
    for name, monitor in monitors.items():
        steps, neurons = spike_steps(b, monitor)
        spikes[name] = {"spike_steps": steps, "spike_neurons": neurons}
    return {"method": "Brian2: 2 + 2 LIF dv/dt = (v_inf - v)/tau (unless refractory), tau 5 ms, v_inf -40 mV, Vt -50 mV, "
                      "Vr -70 mV, tref : second starting at 1 ms, refractory='tref + 0.5*ms*i'; 'reset': reset "
                      "'v = Vr; tref += 1*ms'; 'regular': reset 'v = Vr' and run_regularly('tref += 2*ms', dt=10*ms); "
                      "exact, 100 ms at dt 0.1 ms.",
            **p, "groups": spikes}


def refractory_coupled(args) -> dict:
    b = brian()
    p = REFRACTORY_COUPLED
    traces = {}
    for method in p["methods"]:
        b.start_scope()
        b.defaultclock.dt = DT * b.second
        namespace = {"E_L": p["E_L"] * b.volt, "R": p["R"] * b.ohm, "tau_m": p["tau_m"] * b.second,
                     "a": p["a"] * b.siemens, "tau_w": p["tau_w"] * b.second, "I": p["I"] * b.amp,
                     "V_th": p["V_th"] * b.volt, "V_r": p["V_r"] * b.volt}
        G = b.NeuronGroup(1, COUPLED_EQUATIONS, threshold="v > V_th", reset="v = V_r",
                          refractory=p["refractory"] * b.second, method=method, namespace=namespace)
        G.v = p["E_L"] * b.volt
        M, sp = b.StateMonitor(G, ["v", "w"], record=True), b.SpikeMonitor(G)
        b.Network(G, M, sp).run(p["duration"] * b.second)
        traces[method] = {"spike_steps": spike_steps(b, sp)[0], "v": np.asarray(M.v[0]).tolist(),
                          "w": np.asarray(M.w[0]).tolist()}
    return {"method": "Brian2: adaptive LIF dv/dt = (E_L - v - R*w + R*I)/tau_m (unless refractory), dw/dt = "
                      "(a*(v - E_L) - w)/tau_w, E_L -70 mV, R 100 Mohm, tau_m 10 ms, a 1 nS, tau_w 20 ms, I 300 pA, "
                      "threshold v > -50 mV, reset v = -60 mV, refractory 5 ms, v0 = E_L; with each of 'methods', "
                      "50 ms at dt 0.1 ms; v and w every step.",
            **p, "traces": traces}


EXPERIMENTS = {
    "exact-cuba-neuron": exact_cuba_neuron,
    "stratonovich-gbm": stratonovich_gbm,
    "refractory-input": refractory_input,
    "linked-variable": linked_variable,
    "refractory-forms": refractory_forms,
    "refractory-between-steps": refractory_between_steps,
    "delay-expressions": delay_expressions,
    "regular-operations": regular_operations,
    "timed-array-2d": timed_array_2d,
    "refractory-coupled": refractory_coupled,
    "refractory-changing": refractory_changing,
}


if __name__ == "__main__":
    sys.exit(reference_files.main(__doc__.split("\n")[0], "brian2_language_references.py", EXPERIMENTS, "", DT))

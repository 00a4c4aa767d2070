#!/usr/bin/env python
"""Brian2 reference data for the catalog experiments that reproduce the Brian2 seed tutorials.

Run from the repository root with the Python of a venv that has Brian2 2.9.0 (numpy target):

    /work/brianvenv/bin/python benchmarks/brian2_seed_references.py lif-spike-input
    /work/brianvenv/bin/python benchmarks/brian2_seed_references.py all

Each sub-command builds the tutorial's model in Brian2 with the parameters and dt of the
snnzoo experiment of the same name and writes ``tests/reference/brian2_<experiment>.json``
(hyphens as underscores):

- deterministic experiments (lif-spike-input, lif-synaptic-current, adaptive-threshold-lif,
  hh-synaptic-input): spike steps per population and the recorded state traces;
- stochastic experiments (reliable-spike-timing, lif-poisson-inputs): summary statistics
  per population for each of ``--seeds`` Brian2 seeds, with their mean and standard deviation.

The statistics are defined here in plain numpy (no Brian2 import at module level), and
tests/test_seed_experiments.py imports this file to compute the very same statistics on
snnzoo's results.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

REFERENCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference")
DT = 1e-4  # 0.1 ms, every experiment here

# ---------------------------------------------------------------------------------------------
# statistics (numpy only; shared with the tests)
# ---------------------------------------------------------------------------------------------


def spike_rate(steps: np.ndarray, n_neurons: int, duration: float) -> float:
    """Mean firing rate (Hz) of a population."""
    return float(len(steps)) / (n_neurons * duration)


def mean_isi_cv(steps: np.ndarray, neurons: np.ndarray, n_neurons: int) -> float:
    """Mean over neurons with at least 3 spikes of std(ISI)/mean(ISI) (population std, as
    snnzoo's ``isi_cv``); NaN if no neuron has 3 spikes."""
    cvs = []
    for k in range(n_neurons):
        own = np.sort(steps[neurons == k])
        if own.size >= 3:
            isi = np.diff(own).astype(float)
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs)) if cvs else float("nan")


def reliability(steps: np.ndarray, neurons: np.ndarray, n_neurons: int, start: int, stop: int,
                sigma_steps: float = 20.0) -> float:
    """Schreiber et al. (2003) correlation reliability: spike trains binned at dt in
    [start, stop) steps, smoothed with a Gaussian of sd ``sigma_steps`` (2 ms), then the mean
    cosine similarity over all pairs of trials (neurons without spikes are left out)."""
    length = stop - start
    trains = np.zeros((n_neurons, length))
    inside = (steps >= start) & (steps < stop)
    np.add.at(trains, (neurons[inside], steps[inside] - start), 1.0)
    half = int(4 * sigma_steps)
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma_steps) ** 2)
    smooth = np.array([np.convolve(row, kernel, mode="same") for row in trains])
    norms = np.linalg.norm(smooth, axis=1)
    smooth = smooth[norms > 0] / norms[norms > 0, None]
    n = smooth.shape[0]
    if n < 2:
        return float("nan")
    gram = smooth @ smooth.T
    return float((gram.sum() - np.trace(gram)) / (n * (n - 1)))


def trace_stats(v: np.ndarray, start: int) -> tuple[float, float]:
    """Mean and standard deviation of a recorded trace from sample ``start`` on."""
    part = np.asarray(v[start:], dtype=float)
    return float(part.mean()), float(part.std())


def reliable_timing_stats(steps: np.ndarray, neurons: np.ndarray) -> dict[str, float]:
    """Statistics of one condition of reliable-spike-timing (25 trials, 1 s, input 10-950 ms)."""
    return {
        "rate_hz": spike_rate(steps, 25, 1.0),
        "isi_cv": mean_isi_cv(steps, neurons, 25),
        "reliability": reliability(steps, neurons, 25, 100, 9500),
    }


def lif_poisson_stats(spikes: dict, traces: dict) -> dict[str, float]:
    """Statistics of lif-poisson-inputs: ``spikes[name]`` = (steps, neurons) for populations and
    sources, ``traces[name]`` = v (V) of each population's neuron 0, one sample per step."""
    stats = {}
    # 2: the EPSP of the one connected source: median over its input spikes (at step s, felt
    # from step s + 1) of max(v[s+1 .. s+150]) - v[s], in mV; the median ignores the rare
    # overlapping EPSPs and inputs too close to the end
    source0 = spikes["poisson_e"][0][spikes["poisson_e"][1] == 0]
    v = traces["exc_poisson"]
    peaks = [v[s + 1:s + 151].max() - v[s] for s in source0 if s + 151 <= v.size]
    stats["exc_poisson_inputs"] = float(source0.size)
    stats["exc_poisson_epsp_mV"] = float(np.median(peaks)) * 1e3 if peaks else float("nan")
    stats["exc_poisson_spikes"] = float(spikes["exc_poisson"][0].size)
    # 3: inhibition: mean and sd of v after 100 ms
    mean, sd = trace_stats(traces["inh_poisson"], 1000)
    stats["inh_poisson_v_mean_mV"], stats["inh_poisson_v_sd_mV"] = mean * 1e3, sd * 1e3
    stats["inh_poisson_spikes"] = float(spikes["inh_poisson"][0].size)
    # 4: balanced input: output rate, mean and sd of v after 100 ms
    stats["balanced_rate_hz"] = spike_rate(spikes["balanced"][0], 1, 1.0)
    mean, sd = trace_stats(traces["balanced"], 1000)
    stats["balanced_v_mean_mV"], stats["balanced_v_sd_mV"] = mean * 1e3, sd * 1e3
    # the Poisson sources themselves
    stats["poisson_e_rate_hz"] = spike_rate(spikes["poisson_e"][0], 100, 1.0)
    stats["poisson_i_rate_hz"] = spike_rate(spikes["poisson_i"][0], 100, 1.0)
    stats["pool_e_rate_hz"] = spike_rate(spikes["pool_e"][0], 1, 1.0)
    stats["pool_i_rate_hz"] = spike_rate(spikes["pool_i"][0], 1, 1.0)
    return stats


def summarise(per_seed: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean and sample standard deviation over seeds of each statistic (NaNs left out)."""
    out = {}
    for key in per_seed[0]:
        values = np.array([s[key] for s in per_seed], dtype=float)
        values = values[np.isfinite(values)]
        out[key] = {"mean": float(values.mean()), "std": float(values.std(ddof=1)), "n": int(values.size)}
    return out


# ---------------------------------------------------------------------------------------------
# Brian2 models (imported lazily so that the tests can use the statistics above)
# ---------------------------------------------------------------------------------------------


def brian():
    import brian2

    brian2.prefs.codegen.target = "numpy"
    brian2.prefs.core.default_float_dtype = np.float64
    return brian2


def steps_of(monitor, dt) -> list[int]:
    return np.rint(np.asarray(monitor.t[:] / dt)).astype(np.int64).tolist()


def spikes_of(b, monitor) -> tuple[np.ndarray, np.ndarray]:
    return (np.rint(np.asarray(monitor.t[:] / b.second) / DT).astype(np.int64),
            np.asarray(monitor.i[:], dtype=np.int64))


def abstract_code(group) -> str | None:
    try:
        return group.state_updater.abstract_code
    except Exception:  # noqa: BLE001 - documentation only
        return None


def notebook_spike_input(b, eqs, on_pre, n_out, separation, duration, init=None, threshold="v>1",
                         reset="v=0", record=("v",)):
    """The notebook's integrate-and-fire examples: a SpikeGeneratorGroup with 100 spikes every
    ``separation`` into NeuronGroup(n_out, eqs)."""
    b.start_scope()
    b.defaultclock.dt = DT * b.second
    G_out = b.NeuronGroup(n_out, eqs, threshold=threshold, reset=reset, method="euler", name="out")
    for var, value in (init or {}).items():
        setattr(G_out, var, value)
    n_in = 100
    G_in = b.SpikeGeneratorGroup(1, [0] * n_in, (1 + np.arange(n_in)) * separation, name="input")
    S = b.Synapses(G_in, G_out, on_pre=on_pre, name="input_to_out")
    S.connect(p=1)
    M = b.StateMonitor(G_out, list(record), record=True, name="state")
    sp_out = b.SpikeMonitor(G_out, name="out_spikes")
    sp_in = b.SpikeMonitor(G_in, name="input_spikes")
    net = b.Network(G_out, G_in, S, M, sp_out, sp_in)
    net.run(duration)
    spikes = {"out": spikes_of(b, sp_out), "input": spikes_of(b, sp_in)}
    return {
        "spike_steps": {name: steps.tolist() for name, (steps, _) in spikes.items()},
        "spike_neurons": {name: neurons.tolist() for name, (_, neurons) in spikes.items()},
        "traces": {"out": {var: np.asarray(getattr(M, var)).tolist() for var in record}},
        "trace_every_steps": 1,
        "state_update_code": {"out": abstract_code(G_out)},
    }


def lif_spike_input(args):
    b = brian()
    data = notebook_spike_input(b, "dv/dt = -v/(15*ms) : 1", "v += 0.6", 1, 10 * b.ms, 50 * b.ms)
    data["method"] = ("Brian2 neuron-models notebook, 'Leaky integrate and fire neuron': "
                      "NeuronGroup(1, 'dv/dt = -v/(15*ms) : 1', threshold='v>1', reset='v=0', method='euler'); "
                      "SpikeGeneratorGroup(1, [0]*100, (1+arange(100))*10*ms); Synapses on_pre='v += 0.6', "
                      "connect(p=1); StateMonitor of v (all steps); 50 ms at dt 0.1 ms.")
    data["duration"] = 0.05
    return data


def lif_synaptic_current(args):
    b = brian()
    eqs = """
    dv/dt = (4*I-v)/(15*ms) : 1
    dI/dt = -I/(5*ms) : 1
    """
    data = notebook_spike_input(b, eqs, "I += 0.6", 1, 10 * b.ms, 50 * b.ms, record=("v", "I"))
    data["method"] = ("Brian2 neuron-models notebook, 'LIF with synapses': dv/dt = (4*I-v)/(15*ms), "
                      "dI/dt = -I/(5*ms), threshold 'v>1', reset 'v=0', euler; input every 10 ms, "
                      "on_pre='I += 0.6'; StateMonitor of v and I; 50 ms at dt 0.1 ms.")
    data["duration"] = 0.05
    return data


def adaptive_threshold_lif(args):
    b = brian()
    eqs = """
    dv/dt = -v/(15*ms) : 1
    dvt/dt = (1-vt)/(50*ms) : 1
    """
    data = notebook_spike_input(b, eqs, "v += 0.3", 2, 2 * b.ms, 150 * b.ms, init={"vt": 1},
                                threshold="v>vt", reset="v=0; vt+=0.4*i", record=("v", "vt"))
    data["method"] = ("Brian2 neuron-models notebook, 'Adaptive threshold LIF neuron': NeuronGroup(2) "
                      "dv/dt = -v/(15*ms), dvt/dt = (1-vt)/(50*ms), vt = 1, threshold 'v>vt', reset "
                      "'v=0; vt+=0.4*i', euler; input every 2 ms, on_pre='v += 0.3'; StateMonitor of v, vt; "
                      "150 ms at dt 0.1 ms.")
    data["duration"] = 0.15
    return data


def hh_synaptic_input(args):
    b = brian()
    from brian2 import NeuronGroup, Network, SpikeMonitor, StateMonitor, Synapses, Equations
    from brian2 import cm, mV, ms, msiemens, nS, siemens, ufarad, umetre

    b.start_scope()
    b.defaultclock.dt = DT * b.second
    duration = 200 * ms
    area = 20000 * umetre**2
    namespace = {
        "Cm": (1 * ufarad * cm**-2) * area, "gl": (5e-5 * siemens * cm**-2) * area,
        "El": -65 * mV, "EK": -90 * mV, "ENa": 50 * mV,
        "g_na": (100 * msiemens * cm**-2) * area, "g_kd": (30 * msiemens * cm**-2) * area,
        "VT": -63 * mV, "taue": 5 * ms, "taui": 10 * ms, "Ee": 0 * mV, "Ei": -80 * mV,
        "we": 2 * nS, "wi": 67 * nS,
    }
    eqs = Equations("""
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
             g_na*(m*m*m)*h*(v-ENa)-
             g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    """)
    group = NeuronGroup(1, eqs, threshold="v>-20*mV", refractory=3 * ms, method="exponential_euler",
                        namespace=namespace, name="hh")
    group.v = namespace["El"]
    inp_sp = NeuronGroup(1, "dv/dt=int(t<150*ms)*t/(50*ms)**2:1", threshold="v>1", reset="v=0",
                         method="euler", name="input")
    S = Synapses(inp_sp, group, on_pre="ge += we", namespace=namespace, name="input_to_hh")
    S.connect(p=1)
    every = 10
    M = StateMonitor(group, ["v", "ge"], record=True, dt=every * DT * b.second, name="state")
    sp_hh, sp_in = SpikeMonitor(group, name="hh_spikes"), SpikeMonitor(inp_sp, name="input_spikes")
    net = Network(group, inp_sp, S, M, sp_hh, sp_in)
    net.run(duration)
    spikes = {"hh": spikes_of(b, sp_hh), "input": spikes_of(b, sp_in)}
    return {
        "method": ("Brian2 neuron-models notebook, 'Biological neurons': Traub-Miles HH with exponential "
                   "conductances ge, gi (area 20000 um2), exponential_euler, threshold 'v>-20*mV', "
                   "refractory 3 ms, v = El (m = n = h = ge = gi = 0); input NeuronGroup "
                   "'dv/dt=int(t<150*ms)*t/(50*ms)**2:1', threshold 'v>1', reset 'v=0', euler; Synapses "
                   "on_pre='ge += we' (we = 2 nS), connect(p=1); 200 ms at dt 0.1 ms (Brian's default). "
                   "Traces: StateMonitor of v and ge every 10 steps (samples at steps 0, 10, 20, ...)."),
        "duration": 0.2,
        "parameters_si": {k: float(v) for k, v in namespace.items()},
        "spike_steps": {name: steps.tolist() for name, (steps, _) in spikes.items()},
        "spike_neurons": {name: neurons.tolist() for name, (_, neurons) in spikes.items()},
        "traces": {"hh": {"v": np.asarray(M.v / b.volt).tolist(), "ge": np.asarray(M.ge / b.siemens).tolist()}},
        "trace_every_steps": every,
        "state_update_code": {"hh": abstract_code(group), "input": abstract_code(inp_sp)},
    }


RELIABLE_CONDITIONS = {
    # name: (equation of the neurons, input is frozen noise?)
    "lif_const": ("dx/dt = (.65*I - x) / tau + sigma * (2 / tau)**.5 * xi : 1", False),
    "lif_frozen": ("dx/dt = (.65*I - x) / tau + sigma * (2 / tau)**.5 * xi : 1", True),
    "pif_const": ("dx/dt = (.15*I) / tau + sigma * (2 / tau)**.5 * xi : 1", False),
    "pif_frozen": ("dx/dt = (.15*I) / tau + sigma * (2 / tau)**.5 * xi : 1", True),
}


def reliable_spike_timing_seed(b, seed: int) -> dict[str, dict[str, float]]:
    """The four conditions of the notebook in one network (each with its own input group)."""
    from brian2 import NeuronGroup, Network, SpikeMonitor, linked_var, ms

    b.start_scope()
    b.defaultclock.dt = DT * b.second
    b.seed(seed)
    namespace = {"tau": 10 * ms, "sigma": 0.03, "tau_input": 3 * ms}
    objects, monitors = [], {}
    for name, (equation, frozen) in RELIABLE_CONDITIONS.items():
        eqs = equation + """
        I = I_shared*int((t>10*ms) and (t<950*ms)) : 1
        I_shared : 1 (linked)
        """
        # names 'input_*' sort before the neuron groups: inputs are updated first, as in the
        # notebook (where the input group is 'neurongroup' and the neurons 'neurongroup_1')
        if frozen:
            neuron_input = NeuronGroup(1, "dx/dt = (1.5-x) / tau_input + (2 /tau_input)**.5 * xi : 1",
                                       method="euler", namespace=namespace, name=f"input_{name}")
        else:
            neuron_input = NeuronGroup(1, "x = 1.5 : 1", method="euler", name=f"input_{name}")
        neurons = NeuronGroup(25, model=eqs, threshold="x > 1", reset="x = 0", refractory=5 * ms,
                              method="euler", namespace=namespace, name=name)
        neurons.x = "rand()*0.2"
        neurons.I_shared = linked_var(neuron_input, "x")
        monitors[name] = SpikeMonitor(neurons, name=f"{name}_spikes")
        objects += [neuron_input, neurons, monitors[name]]
    Network(*objects).run(1000 * ms)
    return {name: reliable_timing_stats(*spikes_of(b, mon)) for name, mon in monitors.items()}


def reliable_spike_timing(args):
    b = brian()
    per_seed = {name: [] for name in RELIABLE_CONDITIONS}
    for seed in args.seeds:
        for name, stats in reliable_spike_timing_seed(b, seed).items():
            per_seed[name].append(stats)
        print(f"reliable-spike-timing: seed {seed} done", file=sys.stderr)
    return {
        "method": ("Brian2 neuron-models notebook, 'Reliable spike timing' (Mainen & Sejnowski 1995): for "
                   "each of 4 conditions, NeuronGroup(25) with tau 10 ms, sigma 0.03, threshold 'x > 1', "
                   "reset 'x = 0', refractory 5 ms, x = rand()*0.2, I = I_shared*int((t>10*ms) and "
                   "(t<950*ms)), I_shared linked to an input group: 'x = 1.5 : 1' (const) or "
                   "'dx/dt = (1.5-x)/tau_input + (2/tau_input)**.5*xi : 1', tau_input 3 ms (frozen); "
                   "LIF 'dx/dt = (.65*I - x)/tau + ...' or perfect IF 'dx/dt = (.15*I)/tau + ...'; all four "
                   "in one Network, euler, 1000 ms at dt 0.1 ms, brian2.seed(seed) for each seed. "
                   "Statistics (see this script): rate_hz = spikes/(25 x 1 s); isi_cv = mean over "
                   "neurons with >= 3 spikes of std/mean of the ISIs; reliability = Schreiber et al. "
                   "(2003) mean pairwise cosine similarity of the spike trains in 10-950 ms smoothed "
                   "with a Gaussian of sd 2 ms."),
        "duration": 1.0,
        "seeds": list(args.seeds),
        "per_seed": per_seed,
        "summary": {name: summarise(values) for name, values in per_seed.items()},
    }


def lif_poisson_inputs_seed(b, seed: int):
    from brian2 import Hz, NeuronGroup, Network, PoissonGroup, SpikeGeneratorGroup, SpikeMonitor
    from brian2 import StateMonitor, Synapses, array, mV, ms

    b.start_scope()
    b.defaultclock.dt = DT * b.second
    b.seed(seed)
    ns = {"taum": 20 * ms, "E_l": -70 * mV, "E_e": 0 * mV, "E_i": -80 * mV, "tau_e": 5 * ms,
          "tau_i": 10 * ms, "Vr": -70 * mV, "Vth": -50 * mV, "w_e1": 1, "w_e": 0.1, "w_i": 0.1,
          "w_e4": 0.1, "w_i4": 0.4}
    eqs_e = """
    dv/dt = ( E_l - v + g_e*(E_e-v) ) / taum : volt (unless refractory)
    dg_e/dt = -g_e/tau_e : 1
    """
    eqs_i = """
    dv/dt = ( E_l - v + g_i*(E_i-v) ) / taum : volt (unless refractory)
    dg_i/dt = -g_i/tau_i : 1
    """
    eqs_ei = """
    dv/dt = ( E_l - v + g_e*(E_e-v) + g_i*(E_i-v) ) / taum : volt (unless refractory)
    dg_e/dt = -g_e/tau_e : 1
    dg_i/dt = -g_i/tau_i : 1
    """
    groups = {}
    for name, eqs in (("exc_spikes", eqs_e), ("exc_poisson", eqs_e), ("inh_poisson", eqs_i), ("balanced", eqs_ei)):
        groups[name] = NeuronGroup(1, model=eqs, threshold="v>Vth", reset="v=Vr", refractory="5*ms",
                                   method="euler", namespace=ns, name=name)
        groups[name].v = ns["E_l"]
    sources = {
        "spike_times": SpikeGeneratorGroup(1, array([0, 0, 0]), array([25, 50, 75]) * ms, name="spike_times"),
        "poisson_e": PoissonGroup(100, 5 * Hz, name="poisson_e"),
        "poisson_i": PoissonGroup(100, 5 * Hz, name="poisson_i"),
        "pool_e": PoissonGroup(1, 10 * Hz * 800, name="pool_e"),
        "pool_i": PoissonGroup(1, 10 * Hz * 200, name="pool_i"),
    }
    syn = [
        Synapses(sources["spike_times"], groups["exc_spikes"], "w: 1", on_pre="g_e += w_e1", namespace=ns, name="s1"),
        Synapses(sources["poisson_e"], groups["exc_poisson"], "w: 1", on_pre="g_e += w_e", namespace=ns, name="s2"),
        # the lab writes on_pre='g_i += w' with the synaptic variable w never set (= 0); we use w_i
        Synapses(sources["poisson_i"], groups["inh_poisson"], "w: 1", on_pre="g_i += w_i", namespace=ns, name="s3"),
        Synapses(sources["pool_e"], groups["balanced"], "w: 1", on_pre="g_e += w_e4", namespace=ns, name="s4e"),
        Synapses(sources["pool_i"], groups["balanced"], "w: 1", on_pre="g_i += w_i4", namespace=ns, name="s4i"),
    ]
    syn[0].connect(i=0, j=0)
    syn[1].connect(i=0, j=0)  # as in the lab: only source 0 of the 100
    syn[2].connect(p=1)
    syn[3].connect(p=1)
    syn[4].connect(p=1)
    state = {name: StateMonitor(g, "v", record=True, name=f"{name}_v") for name, g in groups.items()}
    spikemons = {name: SpikeMonitor(g, name=f"{name}_spikes") for name, g in {**groups, **sources}.items()}
    net = Network(*groups.values(), *sources.values(), *syn, *state.values(), *spikemons.values())
    net.run(1000 * ms)
    spikes = {name: spikes_of(b, mon) for name, mon in spikemons.items()}
    traces = {name: np.asarray(mon.v[0] / b.volt) for name, mon in state.items()}
    return spikes, traces, groups


def lif_poisson_inputs(args):
    b = brian()
    per_seed = []
    deterministic = None
    for seed in args.seeds:
        spikes, traces, groups = lif_poisson_inputs_seed(b, seed)
        per_seed.append(lif_poisson_stats(spikes, traces))
        if deterministic is None:
            deterministic = {
                "spike_steps": spikes["exc_spikes"][0].tolist(),
                "input_spike_steps": spikes["spike_times"][0].tolist(),
                "v": traces["exc_spikes"][:1500].tolist(),
            }
            code = {name: abstract_code(g) for name, g in groups.items()}
        print(f"lif-poisson-inputs: seed {seed} done", file=sys.stderr)
    return {
        "method": ("Brian2 lab 'Spiking neuron models in Brian', simulations 1-4 as four NeuronGroup(1) in one "
                   "Network: LIF taum = 20 ms, E_l = -70 mV, E_e = 0 mV, E_i = -80 mV, tau_e = 5 ms, "
                   "tau_i = 10 ms, threshold 'v>Vth' (-50 mV), reset 'v=Vr' (E_l), refractory 5 ms with "
                   "'(unless refractory)' on v, v = E_l, method 'euler'. (1) exc_spikes: SpikeGeneratorGroup "
                   "at 25, 50, 75 ms, g_e += 1, connect(i=0, j=0); (2) exc_poisson: PoissonGroup(100, 5 Hz), "
                   "g_e += 0.1, connect(i=0, j=0) as in the lab; (3) inh_poisson: PoissonGroup(100, 5 Hz), "
                   "g_i += w_i = 0.1 (the lab's 'g_i += w' uses an unset synaptic w = 0), connect(p=1); "
                   "(4) balanced: PoissonGroup(1, 8 kHz) g_e += 0.1 and PoissonGroup(1, 2 kHz) g_i += 0.4, "
                   "connect(p=1). 1000 ms at dt 0.1 ms for each seed (brian2.seed(seed)). 'exc_spikes' holds "
                   "the deterministic simulation 1 (spike steps, input spike steps, v at steps 0..1499). "
                   "Statistics: see lif_poisson_stats in this script (v means and sds over steps 1000..9999)."),
        "duration": 1.0,
        "seeds": list(args.seeds),
        "exc_spikes": deterministic,
        "state_update_code": code,
        "per_seed": per_seed,
        "summary": summarise(per_seed),
    }


EXPERIMENTS = {
    "lif-spike-input": lif_spike_input,
    "lif-synaptic-current": lif_synaptic_current,
    "adaptive-threshold-lif": adaptive_threshold_lif,
    "hh-synaptic-input": hh_synaptic_input,
    "reliable-spike-timing": reliable_spike_timing,
    "lif-poisson-inputs": lif_poisson_inputs,
}


def reference_path(experiment: str) -> str:
    return os.path.join(REFERENCE_DIR, f"brian2_{experiment.replace('-', '_')}.json")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("experiment", choices=[*EXPERIMENTS, "all"])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 11)),
                        help="Brian2 seeds for the stochastic experiments (default 1..10)")
    parser.add_argument("--out", default=None, help="output file (default tests/reference/brian2_<experiment>.json)")
    args = parser.parse_args(argv)
    names = list(EXPERIMENTS) if args.experiment == "all" else [args.experiment]
    for name in names:
        import brian2

        data = EXPERIMENTS[name](args)
        command = "python benchmarks/brian2_seed_references.py " + name
        if name in ("reliable-spike-timing", "lif-poisson-inputs") and args.seeds != list(range(1, 11)):
            command += " --seeds " + " ".join(map(str, args.seeds))
        payload = {"brian2_version": brian2.__version__, "generated_by": command, "target": "numpy",
                   "experiment": name, "dt": DT, **data}
        path = args.out if args.out and len(names) == 1 else reference_path(name)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as handle:  # one line per top-level key: compact, still diffable
            handle.write("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in payload.items()) + "\n}\n")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Brian2 transcription of snnzoo's ``ball_and_stick`` neuron (plugin snnzoo-dendrites).

Run with the Python of the Brian2 venv, from the repository root:

    /work/brianvenv/bin/python benchmarks/brian2_dendrites.py reference \
        --out tests/reference/brian2_ball_and_stick.json
    /work/brianvenv/bin/python benchmarks/brian2_dendrites.py benchmark --target cython --n 1000

The equations are those printed by ``snnzoo info ball_and_stick`` (an AdEx soma with a
post-spike threshold increase, a passive 160 um x 4 um dendrite with human membrane
physiology, double-exponential AMPA/GABAa receptors on the soma and AMPA/NMDA/GABAa/GABAb on
the dendrite, Jahr-Stevens magnesium block), written out by hand in Brian2 syntax below.
Same integrator (euler), dt (0.1 ms), threshold, reset, refractory period (0.2 ms, v_s held)
and synaptic effects (``a += w*g0*norm; b += w*g0*norm`` on every receptor of the target).

Modes
-----
reference  -> a JSON file with
  * ``deterministic``: one neuron driven by fixed input spike times (drawn here once with
    numpy's default_rng(DETERMINISTIC_SEED), stored as integer steps); Brian2's v_s, v_d
    traces (every step), w_s, theta, g_NMDA_d (every 10th step) and output spike steps.
    Brian2 numpy target, so the result does not depend on compiler flags.
  * ``statistics``: the SNN.jl tutorial's ball-and-stick input (1000 excitatory Poisson
    sources at 10.2 Hz, 1 nS onto glu_d; 1000 inhibitory at 3 Hz, 4 nS onto gaba_d) given
    to N neurons, each with its OWN 2000 sources (source block k -> neuron k), so the N
    neurons are independent samples. Per-neuron output rate, mean/std of v_s and v_d and
    mean g_NMDA_d over [t_skip, duration), and their mean and sample std over neurons.
benchmark  -> one JSON line on stdout: N neurons, Poisson pools of 10000 exc (10.2 Hz, 1 nS
  onto glu_d) and 10000 inh sources (3 Hz, 4 nS onto gaba_d) connected with probability 0.1,
  so each neuron gets about the tutorial's 1000 + 1000 inputs (10 % shared with any other
  neuron); spikes recorded only. Brian2's own loop time (``device._last_run_time``), median
  of --repeat fresh networks after one warm-up run (cpp_standalone: a fresh build each).
  (With a 1000-source pool, p = 0.1 and weights x10, forward Euler at 0.1 ms diverges:
  the 10 pF dendrite then sees conductance jumps of 13 nS per NMDA spike.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time

import numpy as np

import brian2
from brian2 import (
    Hz,
    Network,
    NeuronGroup,
    PoissonGroup,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    cm,
    defaultclock,
    device,
    mM,
    ms,
    mV,
    nS,
    ohm,
    pA,
    pF,
    prefs,
    second,
    set_device,
    uF,
    um,
)

DT = 0.1 * ms
DETERMINISTIC_SEED = 20240611
DETERMINISTIC_DURATION_STEPS = 5000  # 0.5 s

# -- the model ------------------------------------------------------------------------------------------------------

SOMA = dict(C=281 * pF, gl=40 * nS, Er=-70.6 * mV, Vr=-55.6 * mV, Vt=-50.4 * mV, DeltaT=2 * mV, a=4 * nS,
            b=80.5 * pA, tau_w=144 * ms, A=10 * mV, tau_A=30 * ms, V_spike=0 * mV)
PHYSIOLOGY = dict(Cm=0.5 * uF / cm**2, Rm=38907 * ohm * cm**2, Ri=200 * ohm * cm)
MG_BLOCK = dict(mg=1 * mM, b_nmda=3.36 * mM, k_nmda=-0.077 / mV)
GEOMETRY = dict(length_d=160 * um, diameter_d=4 * um)
# receptor: (reversal, rise, decay, gain, magnesium block)
RECEPTORS = {
    "s": {"AMPA": (0 * mV, 0.26 * ms, 2 * ms, 0.73, False),
          "GABAa": (-70 * mV, 0.1 * ms, 15 * ms, 0.38, False)},
    "d": {"AMPA": (0 * mV, 0.26 * ms, 2 * ms, 0.73, False),
          "NMDA": (0 * mV, 8 * ms, 35 * ms, 1.31, True),
          "GABAa": (-70 * mV, 4.8 * ms, 29 * ms, 0.27, False),
          "GABAb": (-90 * mV, 30 * ms, 400 * ms, 0.0006, False)},
}
GROUPS = {"glu": ("AMPA", "NMDA"), "gaba": ("GABAa", "GABAb")}
REFRACTORY = 0.2 * ms


def peak_normalisation(tau_r, tau_d):
    """1 / peak of exp(-t/tau_d) - exp(-t/tau_r): a spike of weight w peaks at w*g0."""
    t_peak = tau_d * tau_r / (tau_d - tau_r) * np.log(tau_d / tau_r)
    return 1.0 / (np.exp(-t_peak / tau_d) - np.exp(-t_peak / tau_r))


def model():
    """Equations, namespace and per-target on_pre statements (``w`` = the weight constant)."""
    namespace = {**SOMA, **PHYSIOLOGY, **MG_BLOCK, **GEOMETRY}
    lines, on_pre = [], {}
    for c, table in RECEPTORS.items():
        currents = []
        for r, (e_rev, tau_r, tau_d, g0, nmda) in table.items():
            x = f"{r}_{c}"
            namespace.update({f"E_{x}": e_rev, f"tau_r_{x}": tau_r, f"tau_d_{x}": tau_d, f"g0_{x}": g0,
                              f"norm_{x}": float(peak_normalisation(tau_r, tau_d))})
            lines += [f"da_{x}/dt = -a_{x}/tau_d_{x} : siemens",
                      f"db_{x}/dt = -b_{x}/tau_r_{x} : siemens",
                      f"g_{x} = a_{x} - b_{x} : siemens"]
            block = f"*1/(1 + mg/b_nmda*exp(k_nmda*v_{c}))" if nmda else ""
            currents.append(f"g_{x}*(v_{c} - E_{x}){block}")
            on_pre[x] = f"a_{x}_post += w*g0_{x}*norm_{x}; b_{x}_post += w*g0_{x}*norm_{x}"
        lines.append(f"I_syn_{c} = {' + '.join(currents)} : amp")
        for group, members in GROUPS.items():
            present = [on_pre[f"{m}_{c}"] for m in members if m in table]
            on_pre[f"{group}_{c}"] = "; ".join(present)
    lines += [
        "C_d = Cm*pi*diameter_d*length_d : farad",
        "gm_d = pi*diameter_d*length_d/Rm : siemens",
        "gax_d = pi*diameter_d**2/(4*Ri*length_d) : siemens",
        "I_ax_d = gax_d*(v_s - v_d) : amp",
        "dv_d/dt = (gm_d*(Er - v_d) - I_syn_d + I_ax_d + I_d)/C_d : volt",
        "I_d : amp",
        "dv_s/dt = (gl*(Er - v_s) + gl*DeltaT*exp((v_s - theta)/DeltaT) - w_s - I_syn_s - (I_ax_d) + I_s)/C"
        " : volt (unless refractory)",
        "dw_s/dt = (a*(v_s - Er) - w_s)/tau_w : amp",
        "dtheta/dt = (Vt - theta)/tau_A : volt",
        "I_s : amp",
    ]
    return "\n".join(lines), namespace, on_pre


def neurons(n, name="E"):
    equations, namespace, on_pre = model()
    group = NeuronGroup(n, equations, threshold="v_s > V_spike", reset="v_s = Vr; w_s += b; theta += A",
                        refractory=REFRACTORY, method="euler", namespace=namespace, name=name)
    group.v_s = SOMA["Er"]
    group.v_d = SOMA["Er"]
    group.theta = SOMA["Vt"]
    return group, (equations, namespace, on_pre)


def project(source, target, model_, on, weight, name, **connect):
    """Synapses doing ``model_[2][on]`` with the constant weight ``w``."""
    _, namespace, on_pre = model_
    syn = Synapses(source, target, on_pre=on_pre[on], namespace={**namespace, "w": weight}, name=name)
    syn.connect(**connect)
    return syn


def parameters_si():
    """Every constant of the model, in SI units (the test checks snnzoo's defaults against them)."""
    _, namespace, _ = model()
    out = {}
    for key, value in namespace.items():
        if key.startswith("norm_"):
            continue
        out[key] = float(np.asarray(value))
    return out


# -- reference: deterministic input ---------------------------------------------------------------------------------

DETERMINISTIC_INPUTS = (  # name, target, number of spikes, weight
    ("exc_d", "glu_d", 200, 10 * nS),
    ("inh_d", "gaba_d", 50, 20 * nS),
    ("exc_s", "AMPA_s", 40, 10 * nS),
    ("inh_s", "GABAa_s", 20, 20 * nS),
)


def deterministic_spikes():
    """Input spike steps, one source neuron per spike, drawn once with a fixed numpy seed."""
    rng = np.random.default_rng(DETERMINISTIC_SEED)
    steps = np.arange(1, DETERMINISTIC_DURATION_STEPS - 1)
    return {name: np.sort(rng.choice(steps, count, replace=False)) for name, _, count, _ in DETERMINISTIC_INPUTS}


def run_deterministic():
    prefs.codegen.target = "numpy"
    defaultclock.dt = DT
    group, spec = neurons(1)
    spikes = deterministic_spikes()
    objects = [group]
    for name, on, count, weight in DETERMINISTIC_INPUTS:
        gen = SpikeGeneratorGroup(count, np.arange(count), spikes[name] * DT, name=f"gen_{name}")
        objects += [gen, project(gen, group, spec, on, weight, f"syn_{name}", i=np.arange(count), j=0)]
    state = StateMonitor(group, ["v_s", "v_d", "w_s", "theta", "g_NMDA_d"], record=True)
    out = SpikeMonitor(group)
    net = Network(*objects, state, out)
    net.run(DETERMINISTIC_DURATION_STEPS * DT)
    every = 10
    return {
        "duration_steps": DETERMINISTIC_DURATION_STEPS,
        "input_seed": DETERMINISTIC_SEED,
        "inputs": {name: {"on": on, "weight_S": float(weight / brian2.siemens), "steps": spikes[name].tolist()}
                   for name, on, _, weight in DETERMINISTIC_INPUTS},
        "target": "numpy",
        "output_spike_steps": np.rint(np.asarray(out.t / DT)).astype(int).tolist(),
        "v_s": _rounded(state.v_s[0] / brian2.volt),
        "v_d": _rounded(state.v_d[0] / brian2.volt),
        "every": every,
        "w_s": _rounded(state.w_s[0][::every] / brian2.amp),
        "theta": _rounded(state.theta[0][::every] / brian2.volt),
        "g_NMDA_d": _rounded(state.g_NMDA_d[0][::every] / brian2.siemens),
    }


def _rounded(values):
    return [float(f"{x:.13g}") for x in np.asarray(values, dtype=float)]


# -- reference: statistics of the tutorial's Poisson input -----------------------------------------------------------

TUTORIAL_INPUT = (  # name, target, sources per neuron, rate, weight
    ("exc", "glu_d", 1000, 10.2 * Hz, 1 * nS),
    ("inh", "gaba_d", 1000, 3 * Hz, 4 * nS),
)


def neuron_statistics(spike_i, spike_t, t, v_s, v_d, g_nmda, n, t_skip, duration):
    """Per-neuron statistics over [t_skip, duration) (times in s, states (neurons, samples) in SI)."""
    keep = t >= t_skip - 1e-12
    counts = np.bincount(spike_i[spike_t >= t_skip - 1e-12], minlength=n)
    return {
        "rate_Hz": counts / (duration - t_skip),
        "v_s_mean": v_s[:, keep].mean(axis=1), "v_s_std": v_s[:, keep].std(axis=1),
        "v_d_mean": v_d[:, keep].mean(axis=1), "v_d_std": v_d[:, keep].std(axis=1),
        "g_NMDA_d_mean": g_nmda[:, keep].mean(axis=1),
    }


def run_statistics(n, duration_s, t_skip_s, seed, target):
    prefs.codegen.target = target
    defaultclock.dt = DT
    brian2.seed(seed)
    group, spec = neurons(n)
    objects = [group]
    for name, on, sources, rate, weight in TUTORIAL_INPUT:
        pool = PoissonGroup(sources * n, rate, name=f"pool_{name}")
        i = np.arange(sources * n)
        objects += [pool, project(pool, group, spec, on, weight, f"syn_{name}", i=i, j=i // sources)]
    state = StateMonitor(group, ["v_s", "v_d", "g_NMDA_d"], record=True)
    out = SpikeMonitor(group)
    net = Network(*objects, state, out)
    began = time.perf_counter()
    net.run(duration_s * second)
    wall = time.perf_counter() - began
    per_neuron = neuron_statistics(np.asarray(out.i), np.asarray(out.t / second), np.asarray(state.t / second),
                                   np.asarray(state.v_s / brian2.volt), np.asarray(state.v_d / brian2.volt),
                                   np.asarray(state.g_NMDA_d / brian2.siemens), n, t_skip_s, duration_s)
    return {
        "target": target, "seed": seed, "n_neurons": n, "duration_s": duration_s, "t_skip_s": t_skip_s,
        "wall_s": wall,
        "inputs": {name: {"on": on, "sources_per_neuron": sources, "rate_Hz": float(rate / Hz),
                          "weight_S": float(weight / brian2.siemens)}
                   for name, on, sources, rate, weight in TUTORIAL_INPUT},
        "per_neuron": {k: [float(f"{x:.10g}") for x in v] for k, v in per_neuron.items()},
        "mean": {k: float(np.mean(v)) for k, v in per_neuron.items()},
        "std_over_neurons": {k: float(np.std(v, ddof=1)) for k, v in per_neuron.items()},
    }


# -- benchmark --------------------------------------------------------------------------------------------------------

BENCHMARK_INPUT = (  # name, target, pool size, rate, connection probability, weight
    ("exc", "glu_d", 10_000, 10.2 * Hz, 0.1, 1 * nS),
    ("inh", "gaba_d", 10_000, 3 * Hz, 0.1, 4 * nS),
)


def benchmark_network(n):
    group, spec = neurons(n)
    objects = [group]
    for name, on, size, rate, p, weight in BENCHMARK_INPUT:
        pool = PoissonGroup(size, rate, name=f"pool_{name}")
        objects += [pool, project(pool, group, spec, on, weight, f"syn_{name}", p=p)]
    out = SpikeMonitor(group)
    return Network(*objects, out), out


def run_benchmark(target, n, duration_s, repeat, seed):
    result = {"simulator": "brian2", "version": brian2.__version__, "target": target, "n_neurons": n,
              "duration_s": duration_s, "repeat": repeat, "python": platform.python_version(),
              "numpy": np.__version__}
    loops, walls, counts, binaries = [], [], [], []
    if target == "cpp_standalone":
        set_device("cpp_standalone", build_on_run=False)
        directory = tempfile.mkdtemp(prefix="brian2_dendrites_")
    else:
        prefs.codegen.target = target
    for k in range(repeat + 1):  # the first run warms the caches (or is the first standalone build)
        if target == "cpp_standalone" and k > 0:
            device.reinit()
            device.activate(build_on_run=False)
        prefs.core.default_float_dtype = np.float64
        defaultclock.dt = DT
        brian2.seed(seed + k)
        began = time.perf_counter()
        net, out = benchmark_network(n)
        net.run(duration_s * second)
        if target == "cpp_standalone":
            device.build(directory=directory, compile=True, run=True, debug=False, clean=True)
        wall = time.perf_counter() - began
        if k == 0:
            result["first_wall_s"] = wall
            continue
        loops.append(float(device._last_run_time))
        walls.append(wall)
        if target == "cpp_standalone":
            binaries.append(float(device.timers.get("run_binary", float("nan"))))
        counts.append(int(np.asarray(out.num_spikes)))
    result.update({"run_s": loops, "run_s_median": statistics.median(loops), "wall_s": walls,
                   "spike_counts": counts, "rate_Hz": float(np.mean(counts)) / n / duration_s})
    if target == "cpp_standalone":
        result["run_s_clock"] = "std::clock() CPU time of the simulation loop (inside the binary)"
        result["binary_wall_s"] = binaries  # wall time of running the binary (loading, loop, writing results)
    return result


# -- main -------------------------------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    ref = sub.add_parser("reference", help="write the reference JSON")
    ref.add_argument("--out", required=True)
    ref.add_argument("--n", type=int, default=64, help="independent neurons for the statistics")
    ref.add_argument("--duration", type=float, default=3.0, help="seconds")
    ref.add_argument("--skip", type=float, default=0.5, help="seconds left out of the statistics")
    ref.add_argument("--seed", type=int, default=1)
    ref.add_argument("--target", default="cython", help="target of the statistics run")
    bench = sub.add_parser("benchmark", help="time N neurons with Poisson input, print one JSON line")
    bench.add_argument("--target", default="cython", choices=["cython", "numpy", "cpp_standalone"])
    bench.add_argument("--n", type=int, default=1000)
    bench.add_argument("--duration", type=float, default=1.0, help="seconds")
    bench.add_argument("--repeat", type=int, default=3)
    bench.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    prefs.core.default_float_dtype = np.float64
    if args.mode == "benchmark":
        print(json.dumps(run_benchmark(args.target, args.n, args.duration, args.repeat, args.seed)))
        return
    began = time.perf_counter()
    payload = {
        "brian2_version": brian2.__version__,
        "generated_by": "/work/brianvenv/bin/python benchmarks/brian2_dendrites.py " + " ".join(
            sys.argv[1:] if argv is None else argv),
        "model": "snnzoo ball_and_stick (snnzoo-dendrites), transcribed in benchmarks/brian2_dendrites.py",
        "dt": float(DT / second),
        "integrator": "euler",
        "refractory": float(REFRACTORY / second),
        "parameters_si": parameters_si(),
        "brian2_equations": model()[0],
        "on_pre": model()[2],
        "norm": {k[5:]: v for k, v in model()[1].items() if k.startswith("norm_")},
        "deterministic": run_deterministic(),
        "statistics": run_statistics(args.n, args.duration, args.skip, args.seed, args.target),
    }
    payload["generation_wall_s"] = time.perf_counter() - began
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as handle:
        json.dump(payload, handle, indent=1)
        handle.write("\n")
    print(f"wrote {args.out}: {len(payload['deterministic']['output_spike_steps'])} deterministic output spikes, "
          f"statistics {payload['statistics']['mean']}", file=sys.stderr)


if __name__ == "__main__":
    main()

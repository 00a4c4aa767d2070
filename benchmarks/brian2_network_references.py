#!/usr/bin/env python
"""Brian2 references for the network experiments of the snnzoo catalog: population rates over seeds.

Run from the repository root with the Python of a Brian2 2.9 virtualenv, e.g.

    /work/brianvenv/bin/python benchmarks/brian2_network_references.py coba-adex-network \\
        --durations 2,60 --seeds 1-10 --out tests/reference/brian2_coba-adex-network_rates.json

Experiments (definitions: ../shared/benchmarks/WORKLOADS.md and the catalog TOML files):

* ``coba-adex-network`` (W5, any duration): 100 COBA AdEx neurons with white-noise current,
  80 excitatory (0-79) / 20 inhibitory (80-99), p = 0.05 without autapses, we = 2 nS, wi = 8 nS,
  tau_g = 7 ms, no refractory period, Euler-Maruyama, dt 0.1 ms. ``--quirk`` uses the Brian2
  notebook's inhibitory group G[81:] instead (neuron 80 projects nowhere).
* ``zerlaut2019-ei-network`` (W4 with afferents at 4 Hz and 10 Hz, any duration): 8000 + 2000
  conductance-based LIF, p = 0.05, E -> all ge += 2 nS, I -> all gi += 10 nS, tau_e = tau_i = 5 ms,
  Vt = -50 mV (E) / -53 mV (I), Vr = EL = -70 mV, refractory 2 ms, v0 ~ U(-70, -55) mV,
  100 Poisson afferents -> all 10 000 with p = 0.1, ge += 4 nS; forward Euler, dt 0.1 ms.
  Each afferent rate is a separate network (as the two independent copies of the catalog
  experiment); the populations are reported as E4, I4, E10, I10.

For every duration and seed the script records, per population, the mean rate (spikes per neuron
per second over the whole run), the mean ISI CV (neurons with >= 3 spikes) and the standard
deviation of the population rate in 10 ms bins; then mean and standard deviation (ddof = 1) over
the seeds. The JSON file also stores the exact command, Brian2/numpy versions, the target and the
wall time of each run. The default target is cython (Brian2's default flags).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

import brian2 as b2
from brian2 import Hz, NeuronGroup, Network, PoissonGroup, SpikeMonitor, Synapses, mV, ms, nS, pA, pF, second

DT = 0.1 * ms


def _stats(spike_t: np.ndarray, spike_i: np.ndarray, lo: int, hi: int, duration: float) -> dict:
    """Rate, ISI CV and binned-rate std of neurons lo..hi-1 (spike times in s)."""
    inside = (spike_i >= lo) & (spike_i < hi)
    t, i = spike_t[inside], spike_i[inside] - lo
    n = hi - lo
    counts = np.bincount(i, minlength=n)
    cvs = []
    order = np.lexsort((t, i))
    t, i = t[order], i[order]
    bounds = np.cumsum(counts)[:-1]
    for train in np.split(t, bounds):
        if train.size >= 3:
            isi = np.diff(train)
            cvs.append(isi.std() / isi.mean())
    bins = int(round(duration / 0.01))
    binned = np.bincount(np.minimum((t / 0.01 + 1e-9).astype(int), bins - 1), minlength=bins) / (n * 0.01)
    return {"rate_hz": float(counts.sum() / (n * duration)),
            "isi_cv": float(np.mean(cvs)) if cvs else float("nan"),
            "rate_std_10ms_hz": float(binned.std())}


def coba_adex_network(duration: float, seed: int, quirk: bool = False) -> dict:
    """W5: 100 AdEx COBA neurons with noise; returns per-population statistics."""
    b2.start_scope()
    b2.defaultclock.dt = DT
    b2.seed(seed)
    N, Ne = 100, 80
    namespace = dict(C=104 * pF, gL=4.3 * nS, EL=-65 * mV, VT=-52 * mV, DeltaT=0.8 * mV, Vs=40 * mV, Vr=-53 * mV,
                     a=-0.8 * nS, b=65 * pA, tau_w=88 * ms, Ee=0 * mV, Ei=-80 * mV, tau_g=7 * ms,
                     Iext=8 * pA * second ** 0.5, we=10 * nS / (N * 0.05), wi=4 * 10 * nS / (N * 0.05))
    eqs = """
    dV/dt = (-gL*(V - EL) + gL*DeltaT*exp((V - VT)/DeltaT) - I - w - Iext*xi)/C : volt
    dw/dt = (a*(V - EL) - w)/tau_w : amp
    I = ge*(V - Ee) + gi*(V - Ei) : amp
    dge/dt = -ge/tau_g : siemens
    dgi/dt = -gi/tau_g : siemens
    """
    G = NeuronGroup(N, eqs, threshold="V > Vs", reset="V = Vr; w += b", method="euler", namespace=namespace)
    G.V = namespace["EL"]
    first_inh = Ne + 1 if quirk else Ne
    Se = Synapses(G[:Ne], G, on_pre="ge += we", namespace=namespace)
    Si = Synapses(G[first_inh:], G, on_pre="gi += wi", namespace=namespace)
    Se.connect(condition="i != j", p=0.05)
    Si.connect(condition=f"(i + {first_inh}) != j", p=0.05)
    S = SpikeMonitor(G)
    net = Network(G, Se, Si, S)
    began = time.perf_counter()
    net.run(duration * second)
    wall = time.perf_counter() - began
    t, i = np.asarray(S.t / second), np.asarray(S.i)
    return {"E": _stats(t, i, 0, Ne, duration), "I": _stats(t, i, Ne, N, duration),
            "all": _stats(t, i, 0, N, duration),
            "synapses": {"excitatory": int(len(Se)), "inhibitory": int(len(Si))}, "wall_s": wall}


def zerlaut_network(duration: float, seed: int, afferent_rate: float) -> dict:
    """W4 with 100 Poisson afferents at ``afferent_rate`` Hz; returns E and I statistics."""
    b2.start_scope()
    b2.defaultclock.dt = DT
    b2.seed(seed)
    NE, NI = 8000, 2000
    namespace = dict(C=200 * pF, gL=10 * nS, EL=-70 * mV, Vr=-70 * mV, Ee=0 * mV, Ei=-80 * mV,
                     tau_e=5 * ms, tau_i=5 * ms)
    eqs = """
    dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v))/C : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    Vt : volt (constant)
    """
    G = NeuronGroup(NE + NI, eqs, threshold="v > Vt", reset="v = Vr", refractory=2 * ms, method="euler",
                    namespace=namespace)
    G.Vt[:NE] = -50 * mV
    G.Vt[NE:] = -53 * mV
    G.v = "-70*mV + 15*mV*rand()"
    P = PoissonGroup(100, afferent_rate * Hz)
    Se = Synapses(G[:NE], G, on_pre="ge += 2*nS")
    Si = Synapses(G[NE:], G, on_pre="gi += 10*nS")
    Sp = Synapses(P, G, on_pre="ge += 4*nS")
    Se.connect(p=0.05)
    Si.connect(p=0.05)
    Sp.connect(p=0.1)
    S = SpikeMonitor(G)
    net = Network(G, P, Se, Si, Sp, S)
    began = time.perf_counter()
    net.run(duration * second)
    wall = time.perf_counter() - began
    t, i = np.asarray(S.t / second), np.asarray(S.i)
    tag = f"{afferent_rate:g}"
    return {f"E{tag}": _stats(t, i, 0, NE, duration), f"I{tag}": _stats(t, i, NE, NE + NI, duration),
            "synapses": {f"E{tag}": int(len(Se)), f"I{tag}": int(len(Si)), f"afferents{tag}": int(len(Sp))},
            "wall_s": wall}


def run_seed(experiment: str, duration: float, seed: int, quirk: bool) -> dict:
    if experiment == "coba-adex-network":
        return coba_adex_network(duration, seed, quirk)
    four, ten = zerlaut_network(duration, seed, 4.0), zerlaut_network(duration, seed, 10.0)
    return {**{k: v for k, v in four.items() if k not in ("synapses", "wall_s")},
            **{k: v for k, v in ten.items() if k not in ("synapses", "wall_s")},
            "synapses": {**four["synapses"], **ten["synapses"]}, "wall_s": four["wall_s"] + ten["wall_s"]}


def summary(per_seed: list[dict]) -> dict:
    """Mean and std (ddof=1) over seeds of every population statistic."""
    out = {}
    for population in per_seed[0]:
        if population in ("synapses", "wall_s", "seed"):
            continue
        out[population] = {}
        for key in per_seed[0][population]:
            values = np.array([s[population][key] for s in per_seed], dtype=float)
            out[population][key] = {"mean": float(np.nanmean(values)),
                                    "std": float(np.nanstd(values, ddof=1)) if values.size > 1 else 0.0,
                                    "values": values.tolist()}
    return out


def parse_seeds(text: str) -> list[int]:
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("experiment", choices=["coba-adex-network", "zerlaut2019-ei-network"])
    parser.add_argument("--durations", default="2", help="comma-separated durations in seconds, e.g. 2,60")
    parser.add_argument("--seeds", default="1-5", help="e.g. 1-10 or 1,2,3")
    parser.add_argument("--long-seeds", default=None,
                        help="seeds for durations longer than 5 s (default: --seeds)")
    parser.add_argument("--target", default="cython", choices=["cython", "numpy"])
    parser.add_argument("--quirk", action="store_true", help="coba-adex-network: inhibitory group G[81:] as in the notebook")
    parser.add_argument("--out", default=None, help="write the JSON here (default: stdout)")
    args = parser.parse_args(argv)
    b2.prefs.codegen.target = args.target
    b2.prefs.core.default_float_dtype = np.float64
    result = {
        "experiment": args.experiment,
        "generated_by": sys.executable + " " + " ".join(["benchmarks/brian2_network_references.py", *sys.argv[1:]]),
        "brian2_version": b2.__version__,
        "numpy_version": np.__version__,
        "target": args.target,
        "dt_s": float(DT / second),
        "quirk_inhibitory_from_81": bool(args.quirk),
        "statistics": "rate_hz: spikes/(neurons*duration) over [0, duration); isi_cv: mean over neurons with >= 3 "
                      "spikes; rate_std_10ms_hz: std of the population rate in 10 ms bins. mean/std over seeds (ddof=1).",
        "durations": {},
    }
    for duration in (float(d) for d in args.durations.split(",")):
        seeds = parse_seeds(args.long_seeds if (args.long_seeds and duration > 5) else args.seeds)
        per_seed = []
        for seed in seeds:
            began = time.perf_counter()
            stats = run_seed(args.experiment, duration, seed, args.quirk)
            stats["seed"] = seed
            per_seed.append(stats)
            print(f"{args.experiment} {duration:g} s seed {seed}: "
                  + ", ".join(f"{p} {v['rate_hz']:.3f} Hz" for p, v in stats.items() if isinstance(v, dict) and "rate_hz" in v)
                  + f" (run {stats['wall_s']:.1f} s, total {time.perf_counter() - began:.1f} s)", file=sys.stderr)
        result["durations"][f"{duration:g}"] = {"duration_s": duration, "seeds": seeds,
                                               "summary": summary(per_seed), "per_seed": per_seed}
    text = json.dumps(result, indent=1)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

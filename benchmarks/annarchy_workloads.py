#!/usr/bin/env python
"""ANNarchy implementation of the network workloads W3, W4, W5 of WORKLOADS.md.

Run with the Python of a virtualenv that has ``ANNarchy`` (5.0.4) installed, with
that venv's ``bin/`` first on PATH (CMake otherwise finds the system python3):

    PATH=/work/annarchyvenv/bin:$PATH /work/annarchyvenv/bin/python \\
        benchmarks/annarchy_workloads.py W3 --repeat 3 --seed 1

Output: exactly one JSON line on stdout, e.g.
    {"simulator": "annarchy", "version": "5.0.4", "workload": "W3", "n_neurons": 4000,
     "seeds": [...], "build_s": [...], "compile_s": [...], "run_s": [...],
     "spike_counts": [...], "rates_hz": [{"all": ..., "exc": ..., "inh": ...}, ...]}

Each of the ``--repeat`` runs is a fresh ``ann.Network`` with seed ``--seed + r``
compiled into the same directory (a new temporary one per invocation, so the
first compilation is cold, later ones find the unchanged code). ``build_s`` is
the wall time of creating and connecting the network plus ``compile``;
``compile_s`` the compile part alone; ``run_s`` the wall time of
``net.simulate`` (single thread, double precision, ANNarchy's default
``-march=native -O2``).

Definitions (WORKLOADS.md), in ANNarchy's units (ms, mV, pF, nS, pA):
* explicit (forward) Euler for all variables; the default spiking synapse
  ``g_target += w`` is applied at the start of the next step, i.e. Brian2's
  zero-delay schedule; refractoriness holds v (ANNarchy integrates only the
  conductances ``g_*`` during it).
* W5's noise: ``800*Normal(0, 1)`` pA inside the Euler step, i.e.
  v += dt/C * 800 pA * N(0, 1); connectivity drawn with numpy (pairwise
  Bernoulli, no autapses) and passed with ``from_sparse``, because ANNarchy's
  ``fixed_probability`` only excludes autapses when pre and post are the same
  population object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

WORKLOADS = {
    "W3": {"n": 4000, "duration_ms": 1000.0},
    "W4": {"n": 10000, "duration_ms": 1000.0},
    "W5": {"n": 100, "duration_ms": 10000.0},
}
DT_MS = 0.1


def _n_exc(n: int) -> int:
    return int(round(0.8 * n))


def build_w3(ann, net, n, rng):
    n_exc = _n_exc(n)
    neuron = ann.Neuron(
        parameters=dict(taum=20.0, taue=5.0, taui=10.0, Vt=-50.0, Vr=-60.0, El=-60.0, Ee=0.0, Ei=-80.0, I=20.0),
        equations=[
            ann.Variable("taum * dv/dt = g_exc*(Ee - v) + g_inh*(Ei - v) - (v - El) + I", init=-60.0),
            ann.Variable("taue * dg_exc/dt = -g_exc"),
            ann.Variable("taui * dg_inh/dt = -g_inh"),
        ],
        spike="v > Vt", reset="v = Vr", refractory=5.0, name="w3_coba",
    )
    G = net.create(geometry=n, neuron=neuron, name="G")
    G.v = rng.normal(-55.0, 5.0, size=n)
    net.connect(G[:n_exc], G, "exc").fixed_probability(0.02, weights=0.6, allow_self_connections=True)
    net.connect(G[n_exc:], G, "inh").fixed_probability(0.02, weights=6.7, allow_self_connections=True)
    return G


def build_w4(ann, net, n, rng):
    n_exc = _n_exc(n)
    neuron = ann.Neuron(
        parameters=dict(C=200.0, gL=10.0, EL=-70.0, Vr=-70.0, Ee=0.0, Ei=-80.0, tau_e=5.0, tau_i=5.0,
                        Vt=ann.Parameter(-50.0, locality="local")),
        equations=[
            ann.Variable("C * dv/dt = gL*(EL - v) + g_exc*(Ee - v) + g_inh*(Ei - v)", init=-70.0),
            ann.Variable("tau_e * dg_exc/dt = -g_exc"),
            ann.Variable("tau_i * dg_inh/dt = -g_inh"),
        ],
        spike="v > Vt", reset="v = Vr", refractory=2.0, name="w4_zerlaut",
    )
    G = net.create(geometry=n, neuron=neuron, name="G")
    vt = np.full(n, -50.0)
    vt[n_exc:] = -53.0
    G.Vt = vt
    G.v = rng.uniform(-70.0, -55.0, size=n)
    P = net.create(ann.PoissonPopulation(100, rates=4.0))
    net.connect(P, G, "exc").fixed_probability(0.1, weights=4.0)
    net.connect(G[:n_exc], G, "exc").fixed_probability(0.05, weights=2.0, allow_self_connections=True)
    net.connect(G[n_exc:], G, "inh").fixed_probability(0.05, weights=10.0, allow_self_connections=True)
    return G


def build_w5(ann, net, n, rng):
    import scipy.sparse

    n_exc, p = _n_exc(n), 0.05
    we = 10.0 / (n * p)
    neuron = ann.Neuron(
        parameters=dict(C=104.0, gL=4.3, EL=-65.0, VT=-52.0, DeltaT=0.8, Vs=40.0, Vr=-53.0, a=-0.8, b=65.0,
                        tau_w=88.0, Ee=0.0, Ei=-80.0, tau_g=7.0, noise=800.0),
        equations=[
            ann.Variable("C * dv/dt = gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) + g_exc*(Ee - v)"
                         " + g_inh*(Ei - v) - w + noise*Normal(0.0, 1.0)", init=-65.0),
            ann.Variable("tau_w * dw/dt = a*(v - EL) - w", init=0.0),
            ann.Variable("tau_g * dg_exc/dt = -g_exc"),
            ann.Variable("tau_g * dg_inh/dt = -g_inh"),
        ],
        spike="v > Vs", reset="v = Vr\nw += b", name="w5_adex",
    )
    G = net.create(geometry=n, neuron=neuron, name="G")
    connected = (rng.random((n, n)) < p) & ~np.eye(n, dtype=bool)  # [pre, post], no autapses
    exc = scipy.sparse.lil_matrix(np.where(connected[:n_exc], we, 0.0))
    inh = scipy.sparse.lil_matrix(np.where(connected[n_exc:], 4.0 * we, 0.0))
    net.connect(G[:n_exc], G, "exc").from_sparse(exc)
    net.connect(G[n_exc:], G, "inh").from_sparse(inh)
    return G


BUILDERS = {"W3": build_w3, "W4": build_w4, "W5": build_w5}


def one_run(ann, workload, n, seed, directory):
    began = time.perf_counter()
    net = ann.Network(dt=DT_MS, seed=seed)
    G = BUILDERS[workload](ann, net, n, np.random.default_rng(seed))
    monitor = net.monitor(G, ["spike"])
    compiling = time.perf_counter()
    net.compile(directory=directory, silent=True)
    built = time.perf_counter()
    net.simulate(WORKLOADS[workload]["duration_ms"])
    done = time.perf_counter()
    spikes = monitor.get("spike")
    counts = np.zeros(n, dtype=np.int64)
    for rank, times in spikes.items():
        counts[rank] = len(times)
    synapses = int(sum(proj.nb_synapses for proj in net.get_projections()))
    return {"build_s": built - began, "compile_s": built - compiling, "run_s": done - built,
            "counts": counts, "synapses": synapses, "net": net}


def rates(counts, n, duration_s):
    n_exc = _n_exc(n)
    return {"all": float(counts.sum() / (n * duration_s)),
            "exc": float(counts[:n_exc].sum() / (n_exc * duration_s)),
            "inh": float(counts[n_exc:].sum() / ((n - n_exc) * duration_s))}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    ap.add_argument("--repeat", type=int, default=1, help="number of runs, seeds seed..seed+repeat-1")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=None, help="override the number of neurons")
    args = ap.parse_args(argv)

    import ANNarchy as ann

    ann.setup(num_threads=1, precision="double")
    n = args.n or WORKLOADS[args.workload]["n"]
    duration_s = WORKLOADS[args.workload]["duration_ms"] / 1000.0
    out = {"simulator": "annarchy", "version": ann.__version__, "workload": args.workload, "n_neurons": n,
           "seeds": [], "build_s": [], "compile_s": [], "run_s": [], "spike_counts": [], "rates_hz": []}
    directory = tempfile.mkdtemp(prefix=f"annarchy_{args.workload}_")
    try:
        for r in range(max(args.repeat, 1)):
            seed = args.seed + r
            result = one_run(ann, args.workload, n, seed, directory)
            out["seeds"].append(seed)
            for key in ("build_s", "compile_s", "run_s"):
                out[key].append(result[key])
            out["spike_counts"].append(int(result["counts"].sum()))
            out["rates_hz"].append(rates(result["counts"], n, duration_s))
            out["synapses"] = result["synapses"]
            result["net"].clear()
            del result
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    out["run_s_median"] = statistics.median(out["run_s"])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

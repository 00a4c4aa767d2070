#!/usr/bin/env python
"""ANNarchy implementation of the network workloads W3, W4, W5 of WORKLOADS.md.

Run with the Python of a virtualenv that has ``ANNarchy`` (5.0.4) installed, with
that venv's ``bin/`` first on PATH (CMake otherwise finds the system python3):

    PATH=/work/annarchyvenv/bin:$PATH /work/annarchyvenv/bin/python \\
        benchmarks/annarchy_workloads.py W3 --repeat 3 --seed 1

Output: exactly one JSON line on stdout, e.g.
    {"simulator": "annarchy", "version": "5.0.4", "workload": "W3", "n_neurons": 4000,
     "build_s": ..., "compile_s": ..., "run_s": [...], "spike_counts": [...],
     "rates_hz": [{"all": ..., "exc": ..., "inh": ...}, ...]}

Two modes:
* timing (``--copies 1``, default): one ``ann.Network`` (seed ``--seed``) is built and
  compiled once into a new temporary directory (a cold compilation: ANNarchy names
  the library after the network id, so it never reuses an earlier build), then
  simulated ``--repeat`` times, with ``net.reset()`` and fresh initial values in
  between (the random streams of Poisson input and noise continue, the
  connectivity stays). ``build_s`` is the wall time of creating and connecting
  the network plus ``compile`` (``compile_s`` the compile part alone); ``run_s``
  the wall time of each ``net.simulate`` (single thread, double precision,
  ANNarchy's default ``-march=native -O2``), ``run_cpu_s`` its CPU time.
* rates (``--copies C``): the network holds C independent copies of the workload
  (own connectivity, initial values and random streams), simulated once;
  ``rates_hz`` has one entry per copy. Used for rate statistics over network
  realisations at the price of a single compilation; its ``run_s`` is not a
  benchmark number.

Definitions (WORKLOADS.md), in ANNarchy's units (ms, mV, pF, nS, pA):
* explicit (forward) Euler for all variables; the default spiking synapse
  ``g_target += w`` is applied at the start of the next step, i.e. Brian2's
  zero-delay schedule. Refractoriness holds v and disables the threshold while
  the conductances keep integrating; ANNarchy holds v for ``refractory/dt``
  steps after the spike step where Brian2 holds it for ``t_ref/dt - 1``, so
  ``refractory = t_ref - dt`` reproduces Brian2's schedule exactly
  (4.9 ms for W3, 1.9 ms for W4).
* W5's noise: ``800*Normal(0, 1)`` pA inside the Euler step, i.e.
  v += dt/C * 800 pA * N(0, 1); connectivity drawn with numpy (pairwise
  Bernoulli, no autapses) and passed with ``from_sparse``, because ANNarchy's
  ``fixed_probability`` only excludes autapses when pre and post are the same
  population object.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

from network_workloads_common import DT_MS, WORKLOADS, argument_parser, n_excitatory, rates  # noqa: E402



def build_w3(ann, net, n, rng, name="G"):
    n_exc = n_excitatory(n)
    neuron = ann.Neuron(
        parameters=dict(taum=20.0, taue=5.0, taui=10.0, Vt=-50.0, Vr=-60.0, El=-60.0, Ee=0.0, Ei=-80.0, I=20.0),
        equations=[
            ann.Variable("taum * dv/dt = g_exc*(Ee - v) + g_inh*(Ei - v) - (v - El) + I", init=-60.0),
            ann.Variable("taue * dg_exc/dt = -g_exc"),
            ann.Variable("taui * dg_inh/dt = -g_inh"),
        ],
        spike="v > Vt", reset="v = Vr", refractory=5.0 - DT_MS, name="w3_coba",
    )
    G = net.create(geometry=n, neuron=neuron, name=name)
    net.connect(G[:n_exc], G, "exc").fixed_probability(0.02, weights=0.6, allow_self_connections=True)
    net.connect(G[n_exc:], G, "inh").fixed_probability(0.02, weights=6.7, allow_self_connections=True)
    return G


def build_w4(ann, net, n, rng, name="G"):
    n_exc = n_excitatory(n)
    neuron = ann.Neuron(
        parameters=dict(C=200.0, gL=10.0, EL=-70.0, Vr=-70.0, Ee=0.0, Ei=-80.0, tau_e=5.0, tau_i=5.0,
                        Vt=ann.Parameter(-50.0, locality="local")),
        equations=[
            ann.Variable("C * dv/dt = gL*(EL - v) + g_exc*(Ee - v) + g_inh*(Ei - v)", init=-70.0),
            ann.Variable("tau_e * dg_exc/dt = -g_exc"),
            ann.Variable("tau_i * dg_inh/dt = -g_inh"),
        ],
        spike="v > Vt", reset="v = Vr", refractory=2.0 - DT_MS, name="w4_zerlaut",
    )
    G = net.create(geometry=n, neuron=neuron, name=name)
    vt = np.full(n, -50.0)
    vt[n_exc:] = -53.0
    G.Vt = vt
    P = net.create(ann.PoissonPopulation(100, rates=4.0, name=f"{name}_poisson"))
    net.connect(P, G, "exc").fixed_probability(0.1, weights=4.0)
    net.connect(G[:n_exc], G, "exc").fixed_probability(0.05, weights=2.0, allow_self_connections=True)
    net.connect(G[n_exc:], G, "inh").fixed_probability(0.05, weights=10.0, allow_self_connections=True)
    return G


def build_w5(ann, net, n, rng, name="G"):
    import scipy.sparse

    n_exc, p = n_excitatory(n), 0.05
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
    G = net.create(geometry=n, neuron=neuron, name=name)
    connected = (rng.random((n, n)) < p) & ~np.eye(n, dtype=bool)  # [pre, post], no autapses
    exc = scipy.sparse.lil_matrix(np.where(connected[:n_exc], we, 0.0))
    inh = scipy.sparse.lil_matrix(np.where(connected[n_exc:], 4.0 * we, 0.0))
    net.connect(G[:n_exc], G, "exc").from_sparse(exc)
    net.connect(G[n_exc:], G, "inh").from_sparse(inh)
    return G


BUILDERS = {"W3": build_w3, "W4": build_w4, "W5": build_w5}


def initial_v(workload, n, rng):
    """Initial membrane potentials (mV) of one copy."""
    if workload == "W3":
        return rng.normal(-55.0, 5.0, size=n)
    if workload == "W4":
        return rng.uniform(-70.0, -55.0, size=n)
    return np.full(n, -65.0)


def counts_of(monitor, n):
    counts = np.zeros(n, dtype=np.int64)
    for rank, times in monitor.get("spike").items():
        counts[rank] = len(times)
    return counts



def main(argv=None):
    ap = argument_parser(__doc__.split("\n")[0], "number of timed runs of the compiled network")
    ap.add_argument("--copies", type=int, default=1, help="independent copies in one network (rate statistics)")
    args = ap.parse_args(argv)

    from importlib.metadata import version

    import ANNarchy as ann

    n = args.size or WORKLOADS[args.workload]["n"]
    duration_s = WORKLOADS[args.workload]["duration_ms"] / 1000.0
    rng = np.random.default_rng(args.seed)
    out = {"simulator": "annarchy", "version": version("ANNarchy"), "workload": args.workload,
           "n_neurons": n, "seed": args.seed, "copies": args.copies, "run_s": [], "run_cpu_s": [],
           "spike_counts": [], "rates_hz": []}
    directory = tempfile.mkdtemp(prefix=f"annarchy_{args.workload}_")
    try:
        began = time.perf_counter()
        net = ann.Network(dt=DT_MS, seed=args.seed)
        groups = [BUILDERS[args.workload](ann, net, n, rng, name=f"G{c}") for c in range(args.copies)]
        monitors = [net.monitor(G, ["spike"]) for G in groups]
        compiling = time.perf_counter()
        net.compile(directory=directory, silent=True)
        built = time.perf_counter()
        out.update(build_s=built - began, compile_s=built - compiling,
                   synapses=int(sum(proj.nb_synapses for proj in net.get_projections())) // args.copies,
                   num_threads=net._get_config("num_threads"), dtype=str(net._get_config("dtype")))
        for r in range(max(args.repeat, 1)):
            if r:
                net.reset(populations=True, monitors=True, reseed_rng=False)
            for G in groups:
                G.v = initial_v(args.workload, n, rng)
            start, start_cpu = time.perf_counter(), time.process_time()
            net.simulate(WORKLOADS[args.workload]["duration_ms"])
            out["run_s"].append(time.perf_counter() - start)
            out["run_cpu_s"].append(time.process_time() - start_cpu)
            for monitor in monitors:
                counts = counts_of(monitor, n)
                out["spike_counts"].append(int(counts.sum()))
                out["rates_hz"].append(rates(counts, n, duration_s))
        net.clear()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    out["run_s_median"] = statistics.median(out["run_s"])
    out["run_cpu_s_median"] = statistics.median(out["run_cpu_s"])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Brian2 reference implementation of the snnzoo benchmark workloads.

Run with the Python of a virtualenv that has Brian2 2.9.0 installed, e.g.

    /work/brianvenv/bin/python benchmarks/brian2_reference.py W1 --target cython --repeat 3

The workloads W1..W6 follow benchmarks/WORKLOADS.md (shared/benchmarks/WORKLOADS.md).
One extra pseudo-workload, HH_STEP, reproduces the last Hodgkin-Huxley experiment
of the Brian2 "neuron models" example notebook (reference data only, runtime
targets only).

Output: exactly one JSON line on stdout, e.g.
    {"simulator": "brian2", "version": "2.9.0", "target": "cython", "workload": "W1",
     "n_neurons": 8, "build_s": ..., "run_s": [...], "spike_count": ..., "rate_hz": ...,
     ...extra diagnostic keys...}

Timing methodology
------------------
* Runtime targets (cython, numpy): the first run (object construction + code
  generation + Cython compilation or cache lookup + simulation) is timed with a wall
  clock and reported as ``build_s``; it also warms the Cython cache.  Then ``--repeat``
  runs are made, each on a *fresh* set of objects (same object names, so the
  generated code is identical and the compiled extensions are taken from the cache).
  ``run_s`` is Brian2's ``device._last_run_time`` for each of them: the wall time of the
  time-step loop inside ``Network.run`` only, i.e. *after* ``Network.before_run`` (code
  generation, cache look-up, module loading), which is thus excluded.  The full wall
  time of each ``Network.run`` call is reported as ``run_total_s``.
  With ``--cold-cache`` the Cython cache is a new empty temporary directory, so
  ``build_s`` includes the full Cython compilation; otherwise the user cache
  (~/.cython/brian_extensions) is used and ``build_s`` depends on its state.
* cpp_standalone: ``set_device('cpp_standalone', build_on_run=False)``; each of the
  ``--repeat`` runs builds the network from scratch in a fresh project directory
  (``device.reinit()`` + ``device.activate()``), generates code, compiles and runs the
  binary via ``device.build``.  ``build_s`` is the wall time of the first of those
  (construction + code generation + compilation + running the binary).  ``run_s`` is
  ``device._last_run_time`` of each build, i.e. the time of the simulation loop measured
  inside the binary (network.cpp).  NOTE: without OpenMP Brian2 2.9 measures this with
  ``std::clock()``, i.e. *CPU time of the process* during the loop, not wall time.  The
  wall time of running the binary (process start, loading arrays, simulation, writing
  results) is reported as ``run_wall_s`` and the make time as ``compile_s``.

All runs use float64 and a fixed seed (``--seed``) for Brian2's and numpy's RNGs.
"""

import argparse
import json
import os
import shutil
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
    SpikeMonitor,
    StateMonitor,
    Synapses,
    TimedArray,
    cm,
    defaultclock,
    device,
    mV,
    ms,
    msiemens,
    nA,
    nS,
    pA,
    pF,
    prefs,
    second,
    set_device,
    siemens,
    ufarad,
    umetre,
)

# ---------------------------------------------------------------------------
# Workload metadata (defaults from WORKLOADS.md)
# ---------------------------------------------------------------------------
WORKLOADS = {
    "W1": {"n": 8, "duration_ms": 550.0, "dt_ms": 0.1},
    "W2": {"n": 1000, "duration_ms": 1000.0, "dt_ms": 0.01},
    "W3": {"n": 4000, "duration_ms": 1000.0, "dt_ms": 0.1},
    "W4": {"n": 10000, "duration_ms": 1000.0, "dt_ms": 0.1},
    "W5": {"n": 100, "duration_ms": 10000.0, "dt_ms": 0.1},
    "W6": {"n": 100000, "duration_ms": 1000.0, "dt_ms": 0.1},
    "W7": {"n": 200000, "duration_ms": 1000.0, "dt_ms": 0.1},
    "HH_STEP": {"n": 1, "duration_ms": 3.0, "dt_ms": 0.01},
}

# W1: Naud et al. 2008 firing patterns (table of WORKLOADS.md)
#        name               C pF  gL nS  EL mV  a nS  tau_w ms  b pA  Vr mV  I pA
W1_TABLE = [
    ("tonic",           200.0, 10.0, -70.0,   2.0,  30.0,   0.0, -58.0, 500.0),
    ("adapting",        200.0, 12.0, -70.0,   2.0, 300.0,  60.0, -58.0, 500.0),
    ("init_burst",      130.0, 18.0, -58.0,   4.0, 150.0, 120.0, -50.0, 400.0),
    ("bursting",        200.0, 10.0, -58.0,   2.0, 120.0, 100.0, -46.0, 210.0),
    ("irregular",       200.0, 12.0, -70.0, -10.0, 300.0,   0.0, -58.0, 300.0),
    ("transient",       200.0, 12.0, -70.0,  -6.0, 300.0,   0.0, -58.0, 110.0),
    ("delayed",         100.0, 10.0, -65.0, -10.0,  90.0,  30.0, -47.0, 350.0),
    ("delayed_regular", 100.0, 12.0, -60.0, -11.0, 130.0,  30.0, -48.0, 160.0),
]

# Traub-Miles HH model of the Brian2 examples (W2 and HH_STEP).  The rate
# expressions keep the (mV**-1)*...*mV form of Brian's example.
HH_EQS = """
dv/dt = (gl*(El - v) - g_na*(m*m*m)*h*(v - ENa) - g_kd*(n*n*n*n)*(v - EK) + I)/Cm : volt
dm/dt = 0.32*(mV**-1)*4*mV/exprel((13.*mV - v + VT)/(4*mV))/ms*(1 - m) - 0.28*(mV**-1)*5*mV/exprel((v - VT - 40.*mV)/(5*mV))/ms*m : 1
dn/dt = 0.032*(mV**-1)*5*mV/exprel((15.*mV - v + VT)/(5*mV))/ms*(1. - n) - .5*exp((10.*mV - v + VT)/(40.*mV))/ms*n : 1
dh/dt = 0.128*exp((17.*mV - v + VT)/(18.*mV))/ms*(1. - h) - 4./(1 + exp((40.*mV - v + VT)/(5.*mV)))/ms*h : 1
"""


def hh_namespace(I):
    area = 20000 * umetre**2
    return {
        "Cm": 1 * ufarad * cm**-2 * area,          # 200 pF
        "gl": 5e-5 * siemens * cm**-2 * area,      # 10 nS
        "El": -65 * mV,
        "EK": -90 * mV,
        "ENa": 50 * mV,
        "g_na": 100 * msiemens * cm**-2 * area,    # 20 uS
        "g_kd": 30 * msiemens * cm**-2 * area,     # 6 uS
        "VT": -63 * mV,
        "I": I,
    }


# ---------------------------------------------------------------------------
# Network builders.  Each returns a dict with at least
#   objects  : list of Brian objects for the Network
#   group    : the main NeuronGroup
#   spikemon : SpikeMonitor of the main group (or None)
#   duration : run duration (Quantity)
# All objects get fixed names so that generated code is identical between
# repeated constructions (Cython cache hits).
# ---------------------------------------------------------------------------

def build_w1(n, record):
    # I(t): TimedArray with two values of 500 ms each.  TimedArray rounds t to the
    # group's time grid, so steps 0..4999 (t < 500 ms) get 1, steps >= 5000 get 0.
    stim = TimedArray(np.array([1.0, 0.0]), dt=500 * ms, name="w1_stim")
    eqs = """
    dv/dt = (-gL*(v - EL) + gL*DeltaT*exp((v - VT)/DeltaT) + I - w)/C : volt (unless refractory)
    dw/dt = (a*(v - EL) - w)/tau_w : amp
    I = I_amp*w1_stim(t) : amp
    C : farad (constant)
    gL : siemens (constant)
    EL : volt (constant)
    a : siemens (constant)
    tau_w : second (constant)
    b : amp (constant)
    Vr : volt (constant)
    I_amp : amp (constant)
    """
    G = NeuronGroup(
        n,
        eqs,
        threshold="v >= 0*mV",
        reset="v = Vr\nw += b",
        refractory=2 * ms,
        method="euler",
        namespace={"VT": -50 * mV, "DeltaT": 2 * mV, "w1_stim": stim},
        name="w1_adex",
    )
    rows = [W1_TABLE[i % len(W1_TABLE)] for i in range(n)]
    col = lambda k: np.array([r[k] for r in rows], dtype=np.float64)
    G.C = col(1) * pF
    G.gL = col(2) * nS
    G.EL = col(3) * mV
    G.a = col(4) * nS
    G.tau_w = col(5) * ms
    G.b = col(6) * pA
    G.Vr = col(7) * mV
    G.I_amp = col(8) * pA
    G.v = col(3) * mV  # v0 = EL
    G.w = 0 * pA
    mon = SpikeMonitor(G, record=record, name="w1_spikes")
    return {"objects": [G, mon], "group": G, "spikemon": mon, "duration": 550 * ms}


def build_w2(n, record):
    G = NeuronGroup(
        n,
        HH_EQS,
        threshold="v > -20*mV",
        refractory=3 * ms,
        method="exponential_euler",
        namespace=hh_namespace(0.7 * nA),
        name="w2_hh",
    )
    G.v = -65 * mV
    G.m = 0
    G.n = 0
    G.h = 0
    mon = SpikeMonitor(G, record=record, name="w2_spikes")
    return {"objects": [G, mon], "group": G, "spikemon": mon, "duration": 1000 * ms}


def _coba_group(n, name):
    """W3's neurons (also W7's)."""
    ns = {
        "taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms,
        "Vt": -50 * mV, "Vr": -60 * mV, "El": -60 * mV,
        "Ee": 0 * mV, "Ei": -80 * mV, "I": 20 * mV,
    }
    eqs = """
    dv/dt = (ge*(Ee - v) + gi*(Ei - v) - (v - El) + I)/taum : volt (unless refractory)
    dge/dt = -ge/taue : 1
    dgi/dt = -gi/taui : 1
    """
    G = NeuronGroup(n, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                    method="euler", namespace=ns, name=name)
    G.v = "-55*mV + 5*mV*randn()"
    G.ge = 0
    G.gi = 0
    return G


def build_w3(n, record):
    n_exc = int(round(0.8 * n))
    G = _coba_group(n, "w3_coba")
    Se = Synapses(G[:n_exc], G, on_pre="ge_post += 0.6", name="w3_syn_e")
    Se.connect(p=0.02)
    Si = Synapses(G[n_exc:], G, on_pre="gi_post += 6.7", name="w3_syn_i")
    Si.connect(p=0.02)
    mon = SpikeMonitor(G, record=record, name="w3_spikes")
    return {"objects": [G, Se, Si, mon], "group": G, "spikemon": mon,
            "duration": 1000 * ms}


def build_w7(n, record):
    """W3's neurons, fixed in-degree 400 exc + 100 inh without replacement and without autapses.

    Brian2's sample() cannot take a size that depends on the target, so each of the two
    projections is two Synapses objects: onto the other group (k from all sources) and onto
    its own group (k from the N - 1 others: k >= j is shifted by one)."""
    n_exc = int(round(0.8 * n))
    G = _coba_group(n, "w7_coba")
    exc, inh = G[:n_exc], G[n_exc:]
    objects = [G]
    for name, source, size, in_degree, on_pre in (("e", exc, n_exc, 400, "ge_post += %r" % (0.6 * 64 / 400)),
                                                  ("i", inh, n - n_exc, 100, "gi_post += %r" % (6.7 * 16 / 100 / 2))):
        for target in (exc, inh):
            S = Synapses(source, target, on_pre=on_pre, name="w7_syn_%s_%s" % (name, "e" if target is exc else "i"))
            if target is source:
                S.connect(i="k + int(k >= j) for k in sample(%d, size=%d)" % (size - 1, in_degree))
            else:
                S.connect(i="k for k in sample(%d, size=%d)" % (size, in_degree))
            objects.append(S)
    mon = SpikeMonitor(G, record=record, name="w7_spikes")
    return {"objects": objects + [mon], "group": G, "spikemon": mon, "duration": 1000 * ms}


def build_w4(n, record):
    n_exc = int(round(0.8 * n))
    ns = {"C": 200 * pF, "gL": 10 * nS, "EL": -70 * mV, "Vr": -70 * mV,
          "Ee": 0 * mV, "Ei": -80 * mV, "tau_e": 5 * ms, "tau_i": 5 * ms}
    eqs = """
    dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v))/C : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    Vt : volt (constant)
    """
    G = NeuronGroup(n, eqs, threshold="v > Vt", reset="v = Vr", refractory=2 * ms,
                    method="euler", namespace=ns, name="w4_zerlaut")
    vt = np.full(n, -50.0)
    vt[n_exc:] = -53.0
    G.Vt = vt * mV
    G.v = "-70*mV + 15*mV*rand()"
    G.ge = 0 * nS
    G.gi = 0 * nS
    P = PoissonGroup(100, rates=4 * Hz, name="w4_poisson")
    Sp = Synapses(P, G, on_pre="ge_post += 4*nS", name="w4_syn_p")
    Sp.connect(p=0.1)
    Se = Synapses(G[:n_exc], G, on_pre="ge_post += 2*nS", name="w4_syn_e")
    Se.connect(p=0.05)
    Si = Synapses(G[n_exc:], G, on_pre="gi_post += 10*nS", name="w4_syn_i")
    Si.connect(p=0.05)
    mon = SpikeMonitor(G, record=record, name="w4_spikes")
    return {"objects": [G, P, Sp, Se, Si, mon], "group": G, "spikemon": mon,
            "duration": 1000 * ms}


def build_w5(n, record):
    n_exc = int(round(0.8 * n))
    p = 0.05
    we = 10 * nS / (n * p)
    ns = {"C": 104 * pF, "gL": 4.3 * nS, "EL": -65 * mV, "VT": -52 * mV,
          "DeltaT": 0.8 * mV, "Vs": 40 * mV, "Vr": -53 * mV, "a": -0.8 * nS,
          "b": 65 * pA, "tau_w": 88 * ms, "Ee": 0 * mV, "Ei": -80 * mV,
          "tau_g": 7 * ms, "sigma": 8 * pA * second**0.5,
          "we": we, "wi": 4 * we, "N_exc": n_exc}
    eqs = """
    dv/dt = (gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) + ge*(Ee - v) + gi*(Ei - v) - w)/C + sigma*xi/C : volt
    dw/dt = (a*(v - EL) - w)/tau_w : amp
    dge/dt = -ge/tau_g : siemens
    dgi/dt = -gi/tau_g : siemens
    """
    G = NeuronGroup(n, eqs, threshold="v > Vs", reset="v = Vr\nw += b",
                    method="euler", namespace=ns, name="w5_adexnet")
    G.v = -65 * mV
    G.w = 0 * pA
    G.ge = 0 * nS
    G.gi = 0 * nS
    # one Synapses object per presynaptic type, over the full group so that the
    # autapse exclusion i != j uses absolute indices
    Se = Synapses(G, G, on_pre="ge_post += we", namespace=ns, name="w5_syn_e")
    Se.connect(condition="i < N_exc and i != j", p=p)
    Si = Synapses(G, G, on_pre="gi_post += wi", namespace=ns, name="w5_syn_i")
    Si.connect(condition="i >= N_exc and i != j", p=p)
    mon = SpikeMonitor(G, record=record, name="w5_spikes")
    return {"objects": [G, Se, Si, mon], "group": G, "spikemon": mon,
            "duration": 10000 * ms}


def build_w6(n, record):
    ns = {"C": 200 * pF, "gL": 10 * nS, "EL": -70 * mV, "VT": -50 * mV,
          "DeltaT": 2 * mV, "a": 2 * nS, "tau_w": 30 * ms, "b": 0 * pA,
          "Vr": -58 * mV}
    eqs = """
    dv/dt = (-gL*(v - EL) + gL*DeltaT*exp((v - VT)/DeltaT) + I - w)/C : volt (unless refractory)
    dw/dt = (a*(v - EL) - w)/tau_w : amp
    I : amp (constant)
    """
    G = NeuronGroup(n, eqs, threshold="v >= 0*mV", reset="v = Vr\nw += b",
                    refractory=2 * ms, method="euler", namespace=ns, name="w6_adex")
    # I_i = 600 pA * i/(N-1), computed in numpy float64 as (600e-12*i)/(N-1)
    G.I = (600e-12 * np.arange(n, dtype=np.float64)) / max(n - 1, 1) * brian2.amp
    G.v = -70 * mV
    G.w = 0 * pA
    # only spike counts are kept
    mon = SpikeMonitor(G, record=False, name="w6_spikes")
    return {"objects": [G, mon], "group": G, "spikemon": mon, "duration": 1000 * ms}


BUILDERS = {"W1": build_w1, "W2": build_w2, "W3": build_w3, "W4": build_w4, "W7": build_w7,
            "W5": build_w5, "W6": build_w6}


def state_update_code(group):
    """Brian2's abstract state-update code (documentation for the reference files)."""
    try:
        return group.state_updater.abstract_code
    except Exception:  # pragma: no cover - diagnostic only
        return None


def generated_update_code(group):
    """The generated 'run' block of the state updater (numpy target only).

    It shows the exact floating-point evaluation order Brian2 used, including its
    loop-invariant optimisations (e.g. 1/DeltaT or dt/C precomputed as _lio_k).
    """
    if prefs.codegen.target != "numpy":
        return None
    try:
        return str(group.state_updater.codeobj.code.run)
    except Exception:  # pragma: no cover - diagnostic only
        return None


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

def setup_runtime(target, cold_cache):
    prefs.codegen.target = target
    prefs.core.default_float_dtype = np.float64
    cache_dir = None
    if target == "cython" and cold_cache:
        cache_dir = tempfile.mkdtemp(prefix="brian2_cython_cache_")
        prefs.codegen.runtime.cython.cache_dir = cache_dir
    return cache_dir


def one_runtime_run(workload, n, record, seed, dt):
    """Construct a fresh network and run it (runtime targets)."""
    brian2.seed(seed)
    np.random.seed(seed)
    defaultclock.dt = dt
    t0 = time.perf_counter()
    spec = BUILDERS[workload](n, record)
    net = Network(*spec["objects"])
    t1 = time.perf_counter()
    net.run(spec["duration"], namespace={})
    t2 = time.perf_counter()
    spec["net"] = net
    spec["wall_total"] = t2 - t0
    spec["run_total"] = t2 - t1
    spec["loop_s"] = float(device._last_run_time)
    return spec


def one_standalone_run(workload, n, record, seed, dt, directory, first):
    """Construct a fresh network in a fresh standalone project and build/run it."""
    if not first:
        device.reinit()
        device.activate(build_on_run=False)
    prefs.core.default_float_dtype = np.float64
    defaultclock.dt = dt
    brian2.seed(seed)
    np.random.seed(seed)
    t0 = time.perf_counter()
    spec = BUILDERS[workload](n, record)
    net = Network(*spec["objects"])
    net.run(spec["duration"], namespace={})
    device.build(directory=directory, compile=True, run=True, debug=False, clean=True)
    t1 = time.perf_counter()
    spec["net"] = net
    spec["wall_total"] = t1 - t0
    spec["loop_s"] = float(device._last_run_time)
    spec["run_wall"] = float(device.timers.get("run_binary", float("nan")))
    comp = device.timers.get("compile", {})
    spec["compile"] = float(sum(v for v in comp.values() if v is not None)) if comp else None
    return spec


def spike_data(spec, dt_s):
    mon = spec["spikemon"]
    counts = np.asarray(mon.count[:], dtype=np.int64)
    out = {"counts": counts.tolist()}
    if mon.record:
        i = np.asarray(mon.i[:])
        t = np.asarray(mon.t[:] / second, dtype=np.float64)
        spikes, steps = {}, {}
        for k in range(len(counts)):
            sel = i == k
            spikes[str(k)] = t[sel].tolist()
            steps[str(k)] = np.rint(t[sel] / dt_s).astype(np.int64).tolist()
        out["spikes"] = spikes
        out["steps"] = steps
    return out


# ---------------------------------------------------------------------------
# HH_STEP: the notebook's HH current-step experiment (runtime targets only)
# ---------------------------------------------------------------------------

def run_hh_step(seed):
    dt = 0.01 * ms
    defaultclock.dt = dt
    brian2.seed(seed)
    # (a) exactly the notebook experiment: 3 ms, no threshold, v recorded each step
    G = NeuronGroup(1, HH_EQS, method="exponential_euler",
                    namespace=hh_namespace(0.7 * nA * 8), name="hhstep_group")
    G.v = -65 * mV
    M = StateMonitor(G, "v", record=True, name="hhstep_v")
    net = Network(G, M)
    t0 = time.perf_counter()
    net.run(3 * ms, namespace={})
    t1 = time.perf_counter()
    trace_t = np.asarray(M.t / second, dtype=np.float64)
    trace_v = np.asarray(M.v[0] / brian2.volt, dtype=np.float64)
    su_code = state_update_code(G)
    gen_code = generated_update_code(G)
    # (b) same neuron for 100 ms with threshold v > -20 mV and refractory 3 ms
    G2 = NeuronGroup(1, HH_EQS, threshold="v > -20*mV", refractory=3 * ms,
                     method="exponential_euler",
                     namespace=hh_namespace(0.7 * nA * 8), name="hhstep_group100")
    G2.v = -65 * mV
    S2 = SpikeMonitor(G2, name="hhstep_spikes100")
    net2 = Network(G2, S2)
    net2.run(100 * ms, namespace={})
    t100 = np.asarray(S2.t / second, dtype=np.float64)
    return {
        "build_s": t1 - t0,
        "trace_t": trace_t,
        "trace_v": trace_v,
        "spikes_100ms": t100,
        "dt": float(dt / second),
        "state_update_code": su_code,
        "generated_code": gen_code,
    }


FP_NOTE = (
    "The numpy target evaluates the generated expressions in plain IEEE double "
    "(no compiler flags); 'generated_numpy_update_code' shows the exact evaluation "
    "order. Brian2's compiled targets (cython, cpp_standalone) are built with "
    "-O3 -ffast-math -march=native by default and may differ in the last bits, "
    "which can shift spikes of sensitive neurons (see tests/reference/README.md)."
)


# ---------------------------------------------------------------------------
# Reference-file writers
# ---------------------------------------------------------------------------

def command_string():
    return "python benchmarks/brian2_reference.py " + " ".join(sys.argv[1:])


def write_json(path, obj):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def reference_payload(workload, target, spec, data, dt_s, n):
    base = {
        "brian2_version": brian2.__version__,
        "generated_by": command_string(),
        "target": target,
        "workload": workload,
        "dt": dt_s,
        "duration": float(spec["duration"] / second),
        "n_neurons": n,
        "state_update_code": state_update_code(spec["group"]),
        "generated_numpy_update_code": generated_update_code(spec["group"]),
        "fp_note": FP_NOTE,
    }
    if workload == "W1":
        base["method"] = (
            "Brian2 NeuronGroup, method='euler', threshold 'v >= 0*mV', reset "
            "'v = Vr; w += b', refractory=2*ms with '(unless refractory)' on v; "
            "per-neuron parameters are NeuronGroup parameters; I(t) = I_amp*stim(t) "
            "with stim = TimedArray([1, 0], dt=500*ms) (1 for steps 0..4999, 0 from "
            "step 5000 on); single run of 550 ms. Spike in step n recorded at t = n*dt; "
            "'steps' holds n."
        )
        base["neurons"] = [
            {"idx": k, "name": r[0], "C_pF": r[1], "gL_nS": r[2], "EL_mV": r[3],
             "a_nS": r[4], "tau_w_ms": r[5], "b_pA": r[6], "Vr_mV": r[7], "I_pA": r[8]}
            for k, r in ((k, W1_TABLE[k % len(W1_TABLE)]) for k in range(n))
        ]
        base["spike_counts"] = data["counts"]
        base["spikes"] = data["spikes"]
        base["steps"] = data["steps"]
    elif workload == "W2":
        ns = hh_namespace(0.7 * nA)
        base["method"] = (
            "Brian2 NeuronGroup, Traub-Miles HH of the Brian2 examples, "
            "method='exponential_euler', dt=0.01*ms, threshold 'v > -20*mV', "
            "refractory=3*ms (no 'unless refractory': only blocks re-detection), "
            "I = 0.7 nA, v0 = -65 mV, m = n = h = 0; 1 s. Spike in step n recorded "
            "at t = n*dt; 'steps' holds n. Only neuron 0 (all copies are identical)."
        )
        base["parameters_si"] = {k: float(v) for k, v in ns.items()}
        base["spike_count_neuron0"] = data["counts"][0]
        base["spikes"] = {"0": data["spikes"]["0"]}
        base["steps"] = {"0": data["steps"]["0"]}
    elif workload == "W6":
        base["method"] = (
            "Brian2 NeuronGroup, AdEx 'tonic' parameters, method='euler', threshold "
            "'v >= 0*mV', reset 'v = Vr; w += b' (b = 0), refractory=2*ms with "
            "'(unless refractory)' on v, I_i = (600e-12*i)/(N-1) A, v0 = EL, w0 = 0, "
            "dt 0.1 ms, 1 s. N = %d." % n
        )
        base["counts"] = data["counts"]
        base["total_spikes"] = int(np.sum(data["counts"]))
    else:
        base["spike_counts"] = data["counts"]
        if "spikes" in data:
            base["spikes"] = data["spikes"]
            base["steps"] = data["steps"]
    return base


def spikes_out_payload(workload, data, dt_s):
    out = {"workload": workload, "dt": dt_s}
    if workload == "W6":
        out["counts"] = data["counts"]
    elif workload == "W2":
        out["spikes"] = {"0": data["spikes"]["0"]}
    else:
        out["spikes"] = data["spikes"]
    return out


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    ap.add_argument("--target", choices=["cython", "cpp_standalone", "numpy"],
                    default="cython")
    ap.add_argument("--repeat", type=int, default=1,
                    help="number of timed runs (runtime targets: after one warm-up "
                         "run; cpp_standalone: number of builds)")
    ap.add_argument("--n", type=int, default=None, help="override population size")
    ap.add_argument("--spikes-out", default=None, help="write spike trains/counts here")
    ap.add_argument("--reference-out", default=None,
                    help="write a reference JSON file (tests/reference format)")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--cold-cache", action="store_true",
                    help="cython: use an empty temporary Cython cache")
    ap.add_argument("--openmp-threads", type=int, default=0,
                    help="cpp_standalone: OpenMP threads (0: none, Brian2's default)")
    ap.add_argument("--keep-dirs", action="store_true",
                    help="cpp_standalone: keep the project directories")
    args = ap.parse_args(argv)

    wl = args.workload
    meta = WORKLOADS[wl]
    n = args.n if args.n is not None else meta["n"]
    dt = meta["dt_ms"] * ms
    dt_s = float(dt / second)
    record = bool(args.spikes_out or args.reference_out) and wl != "W6"
    result = {"simulator": "brian2", "version": brian2.__version__,
              "target": args.target, "workload": wl, "n_neurons": n}

    if wl == "HH_STEP":
        if args.target == "cpp_standalone":
            ap.error("HH_STEP is only supported for the runtime targets")
        cache_dir = setup_runtime(args.target, args.cold_cache)
        r = run_hh_step(args.seed)
        if args.reference_out:
            write_json(args.reference_out, {
                "brian2_version": brian2.__version__,
                "generated_by": command_string(),
                "target": args.target,
                "dt": r["dt"],
                "method": (
                    "Last HH experiment of the Brian2 neuron-models notebook: "
                    "Traub-Miles HH, I = 0.7*nA*8, method='exponential_euler', "
                    "dt=0.01*ms, v0 = El = -65 mV, m = n = h = 0. 't'/'v': StateMonitor "
                    "of v (recorded at the start of each step, before its update) for "
                    "3 ms, no threshold. 'spikes_100ms': same neuron run for 100 ms "
                    "with threshold 'v > -20*mV' and refractory=3*ms."),
                "parameters_si": {k: float(v) for k, v in
                                  hh_namespace(0.7 * nA * 8).items()},
                "state_update_code": r["state_update_code"],
                "generated_numpy_update_code": r["generated_code"],
                "fp_note": FP_NOTE,
                "t": r["trace_t"].tolist(),
                "v": r["trace_v"].tolist(),
                "spikes_100ms": r["spikes_100ms"].tolist(),
                "spike_steps_100ms": np.rint(r["spikes_100ms"] / r["dt"]).astype(
                    np.int64).tolist(),
            })
        result.update({"build_s": r["build_s"], "run_s": [],
                       "spike_count": int(len(r["spikes_100ms"])),
                       "rate_hz": float(len(r["spikes_100ms"]) / 0.1)})
        if cache_dir:
            shutil.rmtree(cache_dir, ignore_errors=True)
        print(json.dumps(result))
        return 0

    if args.target in ("cython", "numpy"):
        cache_dir = setup_runtime(args.target, args.cold_cache)
        result["cython_cache"] = (
            None if args.target == "numpy" else ("cold" if args.cold_cache else "user"))
        first = one_runtime_run(wl, n, record, args.seed, dt)
        result["build_s"] = first["wall_total"]
        result["first_run_loop_s"] = first["loop_s"]
        last = first
        run_s, run_total = [], []
        n_rep = 0 if args.reference_out else args.repeat
        for _ in range(n_rep):
            del last
            last = one_runtime_run(wl, n, record, args.seed, dt)
            run_s.append(last["loop_s"])
            run_total.append(last["run_total"])
        result["run_s"] = run_s
        result["run_total_s"] = run_total
        spec = last
        if cache_dir:
            shutil.rmtree(cache_dir, ignore_errors=True)
    else:
        set_device("cpp_standalone", build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = args.openmp_threads
        prefs.core.default_float_dtype = np.float64
        n_rep = max(1, 1 if args.reference_out else args.repeat)
        run_s, run_wall, compile_s, builds = [], [], [], []
        dirs = []
        spec = None
        for k in range(n_rep):
            d = tempfile.mkdtemp(prefix="brian2_%s_standalone_%d_" % (wl, k))
            dirs.append(d)
            spec = one_standalone_run(wl, n, record, args.seed, dt, d, first=(k == 0))
            builds.append(spec["wall_total"])
            run_s.append(spec["loop_s"])
            run_wall.append(spec["run_wall"])
            compile_s.append(spec["compile"])
            if k < n_rep - 1 and not args.keep_dirs:
                shutil.rmtree(d, ignore_errors=True)
        result["build_s"] = builds[0]
        result["run_s"] = run_s
        result["run_s_clock"] = "std::clock() CPU time of the simulation loop"
        result["run_wall_s"] = run_wall
        result["compile_s"] = compile_s
        result["build_total_s"] = builds
        if args.keep_dirs:
            result["project_dirs"] = dirs

    data = spike_data(spec, dt_s)
    total = int(np.sum(data["counts"]))
    duration_s = float(spec["duration"] / second)
    result["spike_count"] = total
    result["rate_hz"] = total / (n * duration_s)
    if result["run_s"]:
        result["run_s_median"] = statistics.median(result["run_s"])
    if args.spikes_out:
        write_json(args.spikes_out, spikes_out_payload(wl, data, dt_s))
    if args.reference_out:
        write_json(args.reference_out,
                   reference_payload(wl, args.target, spec, data, dt_s, n))
    if args.target == "cpp_standalone" and not args.keep_dirs:
        shutil.rmtree(dirs[-1], ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

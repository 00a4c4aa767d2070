"""The benchmark workloads of WORKLOADS.md, built with the snnzoo Python API.

Each ``wN(...)`` returns a ready (not yet built) :class:`snnzoo.Network`;
``DURATIONS[name]`` is how long it is run. Only what WORKLOADS.md asks for is
set up: the benchmark records nothing but spike counts (the spike counter is
always on), examples may ask for state variables with ``record=``.

    import workloads
    net = workloads.w1(record=["v", "w"])
    net.run(workloads.DURATIONS["W1"])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import snnzoo as sz
from snnzoo import ureg as u

SEED = 1

# W1: Naud et al. (2008) firing patterns (table of WORKLOADS.md).
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

DURATIONS = {"W1": 550 * u.ms, "W2": 1 * u.s, "W3": 1 * u.s, "W4": 1 * u.s, "W5": 10 * u.s, "W6": 1 * u.s,
             "W7": 1 * u.s}
SIZES = {"W1": 8, "W2": 1000, "W3": 4000, "W4": 10_000, "W5": 100, "W6": 100_000, "W7": 200_000}
QUICK_SIZES = {"W1": 8, "W2": 50, "W3": 400, "W4": 1000, "W5": 100, "W6": 2000, "W7": 4000}
# Networks: the first EXC_FRACTION of the neurons are excitatory (WORKLOADS.md: 3200/800, 8000/2000, 80/20).
EXC_FRACTION = 0.8


def _column(k: int) -> np.ndarray:
    return np.array([row[k] for row in W1_TABLE])


def w1(record: Sequence[str] = (), seed: int = SEED, threads: int = 1,
       precision: str = "double") -> sz.Network:
    """8 uncoupled AdEx neurons, one per Naud firing pattern; I for 500 ms then 0; run 550 ms."""
    net = sz.Network(dt=0.1 * u.ms, seed=seed, threads=threads, precision=precision, integrator="euler")
    net.add_population(
        "adex", "adex", len(W1_TABLE),
        parameters={
            "C_m": _column(1) * u.pF, "g_L": _column(2) * u.nS, "E_L": _column(3) * u.mV,
            "V_th": -50 * u.mV, "Delta_T": 2 * u.mV, "a": _column(4) * u.nS,
            "tau_w": _column(5) * u.ms, "b": _column(6) * u.pA, "V_reset": _column(7) * u.mV,
            "V_spike": 0 * u.mV,
        },
        initial={"v": "E_L", "w": 0 * u.pA},
        labels=[row[0] for row in W1_TABLE],
        integrator="euler",
        refractory=2 * u.ms,
    )
    amplitudes = np.stack([_column(8), np.zeros(len(W1_TABLE))])
    net.add_stimulus(sz.stimulus("step_current", times=[0, 500] * u.ms, amplitudes=amplitudes * u.pA), "adex")
    if record:
        net.record("adex", list(record))
    return net


def w2(n: int = SIZES["W2"], record: Sequence[str] = (), seed: int = SEED,
       threads: int = 1, precision: str = "double") -> sz.Network:
    """``n`` identical Traub-Miles HH neurons, I = 0.7 nA, dt 0.01 ms, exponential Euler; run 1 s."""
    net = sz.Network(dt=0.01 * u.ms, seed=seed, threads=threads, precision=precision)
    # hh_traub is exactly the W2 model: v0 = E_L = -65 mV, m = n = h = 0, threshold
    # v > -20 mV, refractory 3 ms (counting only), exponential Euler by default.
    net.add_population("hh", "hh_traub", n, integrator="exponential_euler", refractory=3 * u.ms)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=0.7 * u.nA), "hh")
    if record:
        net.record("hh", list(record), neurons=[0])
    return net


def w6(n: int = SIZES["W6"], seed: int = SEED, threads: int = 1,
       precision: str = "double") -> sz.Network:
    """``n`` independent AdEx 'tonic' neurons with I_i = 600 pA*i/(n-1); run 1 s; spike counts only."""
    net = sz.Network(dt=0.1 * u.ms, seed=seed, threads=threads, precision=precision)
    # the adex defaults are the tonic parameters of W1 (C_m 200 pF, g_L 10 nS, E_L -70 mV,
    # V_th -50 mV, Delta_T 2 mV, a 2 nS, tau_w 30 ms, b 0, V_reset -58 mV, V_spike 0 mV).
    net.add_population("adex", "adex", n, integrator="euler", refractory=2 * u.ms,
                       initial={"v": "E_L", "w": 0 * u.pA})
    amplitudes = (600e-12 * np.arange(n, dtype=float)) / max(n - 1, 1)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=amplitudes * u.A), "adex")
    return net


def _n_exc(n: int) -> int:
    return int(round(EXC_FRACTION * n))


def coba_neurons(n: int, seed: int = SEED, threads: int = 1,
                 precision: str = "double") -> sz.Network:
    """A network with population "G": ``n`` neurons of the catalog experiment ``vogels-abbott-coba``
    (its equations, parameters, threshold, reset, refractory 5 ms and v0 ~ N(-55 mV, 5 mV))."""
    from snnzoo.catalog.experiment import Experiment

    model = Experiment.load("vogels-abbott-coba").models()["coba"]
    net = sz.Network(dt=0.1 * u.ms, seed=seed, threads=threads, precision=precision, integrator="euler")
    net.add_population("G", model, n, integrator="euler", refractory=5 * u.ms)
    return net


def w3(n: int = SIZES["W3"], seed: int = SEED, threads: int = 1,
       precision: str = "double") -> sz.Network:
    """Vogels-Abbott COBA (I = 20 mV variant): ``n`` LIF, 80 % excitatory, p = 0.02; run 1 s.

    The model is the one of the catalog experiment ``vogels-abbott-coba``; only its voltage
    monitor is left out. Population "G", projections "excitatory" and "inhibitory".
    """
    net = coba_neurons(n, seed, threads, precision)
    n_exc = _n_exc(n)
    net.connect(f"G[:{n_exc}]", "G", on="ge", weight=0.6, p=0.02, name="excitatory")
    net.connect(f"G[{n_exc}:]", "G", on="gi", weight=6.7, p=0.02, name="inhibitory")
    return net


# W7: fixed in-degree, 400 excitatory + 100 inhibitory inputs per neuron (WORKLOADS.md)
W7_IN_DEGREE = {"exc": 400, "inh": 100}
W7_WEIGHTS = {"exc": 0.6 * 64 / 400, "inh": 6.7 * 16 / 100 / 2}


def w7(n: int = SIZES["W7"], seed: int = SEED, threads: int = 1,
       precision: str = "double") -> sz.Network:
    """W3's neurons at scale: ``n`` LIF (80 % excitatory), each with 400 excitatory and 100 inhibitory
    inputs drawn without replacement, no autapses; ge += 0.096, gi += 0.536 (about 15 Hz); run 1 s.

    Population "G", projections "excitatory", "inhibitory".
    """
    net = coba_neurons(n, seed, threads, precision)
    n_exc = _n_exc(n)
    net.connect(f"G[:{n_exc}]", "G", on="ge", weight=W7_WEIGHTS["exc"], fixed_in_degree=W7_IN_DEGREE["exc"],
                autapses=False, name="excitatory")
    net.connect(f"G[{n_exc}:]", "G", on="gi", weight=W7_WEIGHTS["inh"], fixed_in_degree=W7_IN_DEGREE["inh"],
                autapses=False, name="inhibitory")
    return net


W4_MODEL = sz.NeuronModel(
    "w4_cond_lif",
    """
    dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v))/C : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    """,
    {"C": "200 pF", "gL": "10 nS", "EL": "-70 mV", "Vt": "-50 mV", "Vr": "-70 mV",
     "Ee": "0 mV", "Ei": "-80 mV", "tau_e": "5 ms", "tau_i": "5 ms"},
    threshold="v > Vt",
    reset="v = Vr",
    refractory="2 ms",
    description="WORKLOADS.md W4: conductance LIF (Zerlaut et al. network), no input current",
)


def w4(n: int = SIZES["W4"], seed: int = SEED, n_poisson: int = 100,
       threads: int = 1, precision: str = "double") -> sz.Network:
    """Zerlaut network: ``n`` conductance LIF (80 % exc, Vt -50 mV; inh Vt -53 mV), p = 0.05
    recurrent, 100 Poisson sources at 4 Hz with p = 0.1 onto all; run 1 s.

    Population "G", source "P", projections "afferent", "excitatory", "inhibitory".
    """
    n_exc = _n_exc(n)
    vt = np.full(n, -50.0)
    vt[n_exc:] = -53.0
    net = sz.Network(dt=0.1 * u.ms, seed=seed, threads=threads, precision=precision, integrator="euler")
    net.add_population("G", W4_MODEL, n, integrator="euler", refractory=2 * u.ms,
                       parameters={"Vt": vt * u.mV},
                       initial={"v": "-70*mV + 15*mV*rand()", "ge": 0 * u.nS, "gi": 0 * u.nS})
    net.add_source("P", sz.stimulus("poisson_group", size=n_poisson, rate=4 * u.Hz))
    net.connect("P", "G", on="ge", weight=4 * u.nS, p=0.1, name="afferent")
    net.connect(f"G[:{n_exc}]", "G", on="ge", weight=2 * u.nS, p=0.05, name="excitatory")
    net.connect(f"G[{n_exc}:]", "G", on="gi", weight=10 * u.nS, p=0.05, name="inhibitory")
    return net


W5_MODEL = sz.NeuronModel(
    "w5_adex_cond_noise",
    """
    dv/dt = (gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) + ge*(Ee - v) + gi*(Ei - v) - w)/C + sigma*xi/C : volt
    dw/dt = (a*(v - EL) - w)/tau_w : amp
    dge/dt = -ge/tau_g : siemens
    dgi/dt = -gi/tau_g : siemens
    """,
    {"C": "104 pF", "gL": "4.3 nS", "EL": "-65 mV", "VT": "-52 mV", "DeltaT": "0.8 mV", "Vs": "40 mV",
     "Vr": "-53 mV", "a": "-0.8 nS", "b": "65 pA", "tau_w": "88 ms", "Ee": "0 mV", "Ei": "-80 mV",
     "tau_g": "7 ms", "sigma": 8 * u.pA * u.s**0.5},
    threshold="v > Vs",
    reset="v = Vr; w += b",
    initial={"v": "EL"},
    description="WORKLOADS.md W5: AdEx with exponential conductances and white current noise",
)


def w5(n: int = SIZES["W5"], seed: int = SEED, threads: int = 1,
       precision: str = "double") -> sz.Network:
    """``n`` noisy AdEx COBA neurons (80 % exc), p = 0.05 without autapses,
    we = 10 nS/(n p), wi = 4 we; Euler-Maruyama, no refractory period; run 10 s.

    Population "G", projections "excitatory", "inhibitory".
    """
    n_exc, p = _n_exc(n), 0.05
    we = 10.0 / (n * p)  # nS
    net = sz.Network(dt=0.1 * u.ms, seed=seed, threads=threads, precision=precision, integrator="euler")
    net.add_population("G", W5_MODEL, n, integrator="euler", initial={"v": "EL", "w": 0 * u.pA})
    net.connect(f"G[:{n_exc}]", "G", on="ge", weight=we * u.nS, p=p, autapses=False, name="excitatory")
    net.connect(f"G[{n_exc}:]", "G", on="gi", weight=4 * we * u.nS, p=p, autapses=False, name="inhibitory")
    return net


BUILDERS = {"W1": lambda n=None, **options: w1(**options),
            "W2": lambda n=None, **options: w2(n or SIZES["W2"], **options),
            "W3": lambda n=None, **options: w3(n or SIZES["W3"], **options),
            "W4": lambda n=None, **options: w4(n or SIZES["W4"], **options),
            "W5": lambda n=None, **options: w5(n or SIZES["W5"], **options),
            "W6": lambda n=None, **options: w6(n or SIZES["W6"], **options),
            "W7": lambda n=None, **options: w7(n or SIZES["W7"], **options)}


def groups(name: str, n: int | None = None) -> dict[str, tuple[int, int]]:
    """``{"all": (0, n), "exc": (0, n_exc), "inh": (n_exc, n)}`` for the networks, ``{"all": ...}`` otherwise."""
    n = n or SIZES[name]
    if name in ("W3", "W4", "W5", "W7"):
        return {"all": (0, n), "exc": (0, _n_exc(n)), "inh": (_n_exc(n), n)}
    return {"all": (0, n)}


def build(name: str, n: int | None = None, seed: int = SEED, threads: int = 1,
          precision: str = "double") -> sz.Network:
    """The network of workload ``name`` ("W1" ... "W7"), ``n`` neurons (default: WORKLOADS.md),
    ``threads`` threads (default: one, as the reference simulators), in ``precision`` ("double" or "single")."""
    return BUILDERS[name](n, seed=seed, threads=threads, precision=precision)

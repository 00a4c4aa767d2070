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

DURATIONS = {"W1": 550 * u.ms, "W2": 1 * u.s, "W6": 1 * u.s}
SIZES = {"W1": 8, "W2": 1000, "W6": 100_000}
QUICK_SIZES = {"W1": 8, "W2": 50, "W6": 2000}


def _column(k: int) -> np.ndarray:
    return np.array([row[k] for row in W1_TABLE])


def w1(record: Sequence[str] = (), seed: int = SEED) -> sz.Network:
    """8 uncoupled AdEx neurons, one per Naud firing pattern; I for 500 ms then 0; run 550 ms."""
    net = sz.Network(dt=0.1 * u.ms, seed=seed, integrator="euler")
    net.add_population(
        "adex", "adex", len(W1_TABLE),
        parameters={
            "C": _column(1) * u.pF, "gL": _column(2) * u.nS, "EL": _column(3) * u.mV,
            "VT": -50 * u.mV, "DeltaT": 2 * u.mV, "a": _column(4) * u.nS,
            "tau_w": _column(5) * u.ms, "b": _column(6) * u.pA, "Vr": _column(7) * u.mV,
            "Vcut": 0 * u.mV,
        },
        initial={"v": "EL", "w": 0 * u.pA},
        labels=[row[0] for row in W1_TABLE],
        integrator="euler",
        refractory=2 * u.ms,
    )
    amplitudes = np.stack([_column(8), np.zeros(len(W1_TABLE))])
    net.add_stimulus(sz.stimulus("step_current", times=[0, 500] * u.ms, amplitudes=amplitudes * u.pA), "adex")
    if record:
        net.record("adex", list(record))
    return net


def w2(n: int = SIZES["W2"], record: Sequence[str] = (), seed: int = SEED) -> sz.Network:
    """``n`` identical Traub-Miles HH neurons, I = 0.7 nA, dt 0.01 ms, exponential Euler; run 1 s."""
    net = sz.Network(dt=0.01 * u.ms, seed=seed)
    # hh_traub is exactly the W2 model: v0 = El = -65 mV, m = n = h = 0, threshold
    # v > -20 mV, refractory 3 ms (counting only), exponential Euler by default.
    net.add_population("hh", "hh_traub", n, integrator="exponential_euler", refractory=3 * u.ms)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=0.7 * u.nA), "hh")
    if record:
        net.record("hh", list(record), neurons=[0])
    return net


def w6(n: int = SIZES["W6"], seed: int = SEED) -> sz.Network:
    """``n`` independent AdEx 'tonic' neurons with I_i = 600 pA*i/(n-1); run 1 s; spike counts only."""
    net = sz.Network(dt=0.1 * u.ms, seed=seed)
    # the adex defaults are the tonic parameters of W1 (C 200 pF, gL 10 nS, EL -70 mV,
    # VT -50 mV, DeltaT 2 mV, a 2 nS, tau_w 30 ms, b 0, Vr -58 mV, Vcut 0 mV).
    net.add_population("adex", "adex", n, integrator="euler", refractory=2 * u.ms,
                       initial={"v": "EL", "w": 0 * u.pA})
    amplitudes = (600e-12 * np.arange(n, dtype=float)) / max(n - 1, 1)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=amplitudes * u.A), "adex")
    return net


BUILDERS = {"W1": lambda n=None, seed=SEED: w1(seed=seed),
            "W2": lambda n=None, seed=SEED: w2(n or SIZES["W2"], seed=seed),
            "W6": lambda n=None, seed=SEED: w6(n or SIZES["W6"], seed=seed)}


def build(name: str, n: int | None = None, seed: int = SEED) -> sz.Network:
    """The network of workload ``name`` ("W1", "W2", "W6"), ``n`` neurons (default: WORKLOADS.md)."""
    return BUILDERS[name](n, seed)

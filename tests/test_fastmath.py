"""The kernels' branch-free math (snnzoo.engine.runtime.fexp/exprel) against libm, and a kernel-level check.

``fexp`` replaces ``math.exp`` and ``exprel`` no longer calls ``math.expm1`` so that numba/LLVM can
vectorise the neuron loop; both must stay as accurate as the libm functions they replace.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from numba import njit

from snnzoo.catalog.experiment import Experiment
from snnzoo.engine.printer import to_code
from snnzoo.engine.runtime import exprel, fexp
from snnzoo.language.expressions import parse_expression

REFERENCE = Path(__file__).parent / "reference"


# the functions are inlined into compiled loops, as in a kernel (error_model='numpy' as there too)
@njit(error_model="numpy")
def _fexp_loop(x):
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = fexp(x[i])
    return out


@njit(error_model="numpy")
def _libm_exp_loop(x):
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = math.exp(x[i])
    return out


@njit(error_model="numpy")
def _exprel_loop(x):
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = exprel(x[i])
    return out


def ulps(mine: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """|mine - exact| in units of the last place of ``exact`` (the subnormal spacing below 2.2e-308)."""
    return np.abs(mine - exact) / np.spacing(exact)


def test_fexp_within_2_ulp_of_libm_on_a_dense_grid():
    rng = np.random.default_rng(7)
    x = np.concatenate([np.linspace(-700.0, 700.0, 4_000_001), rng.uniform(-700.0, 700.0, 1_000_000),
                        np.linspace(-1.0, 1.0, 200_001), [0.0, -0.0, 1.0, -1.0, math.log(2.0), 1e-300, -1e-300]])
    mine, exact = _fexp_loop(x), _libm_exp_loop(x)
    assert ulps(mine, exact).max() <= 2.0
    assert fexp(0.0) == 1.0
    # Python-level calls compile the same function
    assert abs(fexp(1.0) - math.e) <= 2 * np.spacing(math.e)


def test_fexp_subnormal_and_underflow_like_libm():
    x = np.concatenate([np.linspace(-745.2, -700.0, 1_000_001), [-708.39, -708.4, -744.44, -745.13, -745.14]])
    mine, exact = _fexp_loop(x), _libm_exp_loop(x)
    assert (exact[: 1000] < 2.2250738585072014e-308).all()  # the grid reaches the subnormal range...
    assert (exact == 0.0).any()  # ...and the underflow to 0
    assert ulps(mine, exact).max() <= 2.0
    np.testing.assert_array_equal(_fexp_loop(np.array([-746.0, -800.0, -1e5, -1e308, -math.inf])), 0.0)


def test_fexp_overflow_and_nan():
    below = np.array([709.0, 709.5, 709.78, 709.782712893384])  # the last is just below ln(DBL_MAX)
    mine, exact = _fexp_loop(below), _libm_exp_loop(below)
    assert np.isfinite(mine).all() and ulps(mine, exact).max() <= 2.0
    above = np.array([709.7827128933841, 709.79, 710.0, 1000.0, 1e308, math.inf])
    assert np.isposinf(_fexp_loop(above)).all()
    assert np.isnan(_fexp_loop(np.array([math.nan, -math.nan]))).all()
    assert math.isnan(fexp(math.nan))


def _expm1_over_x(x: np.ndarray) -> np.ndarray:
    return np.array([math.expm1(v) / v if v != 0.0 else 1.0 for v in x.tolist()])


def test_exprel_within_1e_15_of_expm1_over_x():
    tiny = [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1e-20, -1e-20, 1e-16, -1e-16, 1e-10, -1e-10, 1e-5, -1e-5]
    edge = [0.5, -0.5, float(np.nextafter(0.5, 0.0)), float(np.nextafter(-0.5, 0.0)), 0.25, -0.25]
    x = np.concatenate([np.linspace(-60.0, 60.0, 240_001), np.linspace(-1.0, 1.0, 100_001),
                        np.linspace(-700.0, 700.0, 14_001), tiny, edge])
    mine, exact = _exprel_loop(x), _expm1_over_x(x)
    rel = np.abs(mine - exact) / np.abs(exact)
    assert rel.max() <= 1e-15, f"max relative error {rel.max():.3g} at x = {x[rel.argmax()]!r}"
    assert exprel(0.0) == 1.0 and exprel(-0.0) == 1.0
    assert exprel(1e-300) == 1.0
    assert math.isnan(exprel(math.nan))


def test_kernel_printer_uses_fexp_and_exprel():
    expr = parse_expression("exp((v - VT)/DeltaT) + exprel(v/VT)", where="test")
    code = to_code(expr)
    assert "fexp((" in code and "exprel(" in code and "math.exp" not in code


def test_w1_spike_counts_still_equal_brian2_with_fast_exp():
    """W1 (AdEx, exp in every step) keeps Brian2's spike counts exactly with the fast exp."""
    ref = json.loads((REFERENCE / "brian2_w1_adex_patterns.json").read_text())
    tree = Experiment.load("adex-firing-patterns").run(seed=1)
    np.testing.assert_array_equal(tree["adex"]["spike_count"].values, ref["spike_counts"])


"""The counter-based random numbers of the kernels: keyed by seed, site, step and element,
with the moments, independence and distribution of good uniform and normal deviates."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from scipy import stats

from snnzoo.engine.runtime import normal, seed_key, site_key, start_draws, uniform

STEPS, ELEMENTS = 200, 1000
"""200 000 draws per sample: moments are checked to within 5 standard errors."""


@njit(cache=True)
def _draws(key, site, steps, elements, gaussian, per_element):
    """``per_element`` draws of each element in each step, at ``site``: (steps, elements, per_element)."""
    out = np.empty((steps, elements, per_element))
    draws = np.empty(1, dtype=np.uint64)
    k = site_key(key, site)
    for n in range(steps):
        for i in range(elements):
            start_draws(draws, k, n, i)
            for d in range(per_element):
                out[n, i, d] = normal(draws) if gaussian else uniform(draws)
    return out


def sample(gaussian: bool, seed: int = 1, site: int = 7, per_element: int = 1) -> np.ndarray:
    return _draws(seed_key(seed), site, STEPS, ELEMENTS, gaussian, per_element)


def within(value: float, expected: float, standard_error: float) -> bool:
    return abs(value - expected) < 5 * standard_error


def lag_one_correlation(x: np.ndarray, axis: int) -> float:
    a, b = np.moveaxis(x, axis, 0)[:-1].ravel(), np.moveaxis(x, axis, 0)[1:].ravel()
    return float(np.corrcoef(a, b)[0, 1])


@pytest.mark.parametrize("gaussian", [False, True], ids=["uniform", "normal"])
def test_moments(gaussian):
    x = sample(gaussian).ravel()
    size = x.size
    mean, variance = (0.0, 1.0) if gaussian else (0.5, 1 / 12)
    fourth = 3.0 if gaussian else 1 / 80  # E[(x - mean)**4]
    assert within(x.mean(), mean, np.sqrt(variance / size))
    assert within(x.var(), variance, np.sqrt((fourth - variance**2) / size))
    if gaussian:
        assert within(stats.skew(x), 0.0, np.sqrt(6 / size))
        assert within(stats.kurtosis(x), 0.0, np.sqrt(24 / size))
    else:
        assert x.min() >= 0.0 and x.max() < 1.0


@pytest.mark.parametrize("gaussian", [False, True], ids=["uniform", "normal"])
def test_distribution(gaussian):
    x = sample(gaussian).ravel()
    assert stats.kstest(x, "norm" if gaussian else "uniform").pvalue > 1e-4
    counts = np.histogram(stats.norm.cdf(x) if gaussian else x, bins=100, range=(0, 1))[0]
    assert stats.chisquare(counts).pvalue > 1e-4


@pytest.mark.parametrize("gaussian", [False, True], ids=["uniform", "normal"])
def test_no_correlation_between_neighbours(gaussian):
    """Along neurons, along steps, between successive draws of one neuron, between sites and seeds."""
    x = sample(gaussian, per_element=2)
    bound = 5 / np.sqrt(x[..., 0].size)
    assert abs(lag_one_correlation(x[..., 0], axis=1)) < bound  # neuron i and i + 1, same step
    assert abs(lag_one_correlation(x[..., 0], axis=0)) < bound  # step n and n + 1, same neuron
    assert abs(np.corrcoef(x[..., 0].ravel(), x[..., 1].ravel())[0, 1]) < bound  # a neuron's 1st and 2nd draw
    other_site, other_seed = sample(gaussian, site=8), sample(gaussian, seed=2)
    assert abs(np.corrcoef(x[..., 0].ravel(), other_site.ravel())[0, 1]) < bound
    assert abs(np.corrcoef(x[..., 0].ravel(), other_seed.ravel())[0, 1]) < bound


def test_numbers_depend_only_on_seed_site_step_and_element():
    x = sample(True)
    assert np.array_equal(x, sample(True))
    # the numbers of neuron 5 in step 3 do not depend on which other neurons or steps are drawn
    alone = _draws(seed_key(1), 7, 4, 6, True, 1)
    assert np.array_equal(alone, x[:4, :6])
    assert not np.array_equal(x, sample(True, seed=2))
    assert not np.array_equal(x, sample(True, site=8))

"""Compiled helpers the generated kernels call: math functions and the random stream.

The random stream is splitmix64 with its state in a per-simulation ``uint64``
array, so a simulation's numbers depend only on its own seed (never on other
simulations in the same process). Normal deviates use the Box–Muller pair
with the spare one kept in a ``float64`` array.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TWO_M53 = 1.0 / 9007199254740992.0


@njit(inline="always", cache=True)
def exprel(x: float) -> float:
    """(exp(x) - 1)/x, equal to 1 at x = 0."""
    if abs(x) < 1e-16:
        return 1.0
    return math.expm1(x) / x


@njit(inline="always", cache=True)
def uniform(state) -> float:
    """A uniform deviate in [0, 1) from the stream ``state`` (uint64[1])."""
    z = state[0] + _GOLDEN
    state[0] = z
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return float(z >> _S11) * _TWO_M53


@njit(cache=True)
def normal(state, spare) -> float:
    """A standard normal deviate; ``spare`` (float64[2]) caches the second of each pair."""
    if spare[0] != 0.0:
        spare[0] = 0.0
        return spare[1]
    u1 = 1.0 - uniform(state)
    u2 = uniform(state)
    radius = math.sqrt(-2.0 * math.log(u1))
    angle = 2.0 * math.pi * u2
    spare[0] = 1.0
    spare[1] = radius * math.sin(angle)
    return radius * math.cos(angle)


def new_stream(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (state, spare) arrays of a fresh random stream for ``seed``."""
    mixed = np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)
    return mixed.astype(np.uint64), np.zeros(2)

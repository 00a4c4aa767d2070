"""Stimuli and the drive primitives the engine understands.

A stimulus plugin is a class with ``name``, ``description`` and ``to_dict()``,
and one of:

- ``drives(size, unit)``: a list of drives feeding a variable. Drives are what
  the kernel executes: :class:`PiecewiseDrive` (values switching at given
  times, free between switches), :class:`FunctionDrive` (any function of time
  and neuron index, evaluated by numpy once per chunk of steps),
  :class:`GaussianDrive` (mean + std * N(0, 1) every step) and :class:`OUDrive`
  (an Ornstein-Uhlenbeck process). Several drives on one variable add up; a
  driven variable is overwritten at every step.
- ``source()``: a spike source (:class:`SpikeTimes` or :class:`PoissonRates`),
  added with ``Network.add_source`` and connected with ``Network.connect``.
- ``attach(network, population, target)``: anything built from the above
  (e.g. a Poisson input layer = a Poisson source plus a projection).

Times become steps here, by one rule for every stimulus and spike source: a spike is emitted
in the step containing its time (:func:`step_containing`), a switch of a value takes effect at
the first step at or after it (:func:`first_step_from`), and a time within ``GRID_TOLERANCE``
of a step is on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

GRID_TOLERANCE = 1e-3
"""A time within this fraction of dt of a step's start is on the grid, in that step: 0.3 ms at dt = 0.1 ms
is step 3 though 0.3 / 0.1 = 2.9999999999999996 (Brian2's SpikeGeneratorGroup shifts times by 1e-3 dt)."""


def step_containing(times, dt: float) -> np.ndarray:
    """The step ``n`` with ``n*dt <= t < (n + 1)*dt`` of each time ``t`` (s): the step a spike at ``t`` is
    emitted in, as in Brian2's SpikeGeneratorGroup (1.15 ms at dt = 0.1 ms: step 11, at 1.1 ms)."""
    return np.floor(np.asarray(times, dtype=float) / dt + GRID_TOLERANCE).astype(np.int64)


def first_step_from(times, dt: float) -> np.ndarray:
    """The first step ``n`` with ``n*dt >= t`` of each time ``t`` (s): the step a value switching at ``t``
    takes effect in, so that every step sees the value the schedule has at its start, as a function of
    ``t`` or Brian2's TimedArray does (0.25 ms at dt = 0.1 ms: step 3, at 0.3 ms). On the grid (within
    ``GRID_TOLERANCE``) it is :func:`step_containing`; between two steps it is the later one."""
    return np.ceil(np.asarray(times, dtype=float) / dt - GRID_TOLERANCE).astype(np.int64)


@dataclass
class PiecewiseDrive:
    """Value ``values[k]`` from ``times[k]`` (seconds) until the next time; 0 before the first.
    A switch takes effect at the first step at or after its time (:func:`first_step_from`).

    ``values`` has shape ``(len(times), 1)`` for one value for all neurons or
    ``(len(times), N)`` for per-neuron values, in SI units.
    """

    times: np.ndarray
    values: np.ndarray


@dataclass
class FunctionDrive:
    """``function(t, i)`` with ``t`` in seconds (column) and ``i`` neuron indices (row) -> quantities of the
    target's dimension, or plain SI values."""

    function: Callable[[np.ndarray, np.ndarray], np.ndarray]
    per_neuron: bool = True


@dataclass
class GaussianDrive:
    """White current noise: ``mean + std * N(0, 1)`` drawn afresh every step (SI, shape (1,) or (N,))."""

    mean: np.ndarray
    std: np.ndarray


@dataclass
class OUDrive:
    """Ornstein-Uhlenbeck process with mean, stationary std ``sigma`` and time constant ``tau`` (s).

    ``shared``: one process feeds every neuron (frozen common input) instead of one per neuron.
    """

    mean: np.ndarray
    sigma: np.ndarray
    tau: float
    shared: bool = False


@dataclass
class SpikeTimes:
    """A source emitting spikes of neuron ``indices[k]`` at ``times[k]`` (s), each in the step that
    contains its time (:func:`step_containing`)."""

    size: int
    times: np.ndarray
    indices: np.ndarray


@dataclass
class PoissonRates:
    """A source of independent Poisson spike trains: constant ``rates`` (Hz, one or per neuron),
    or ``function(t, i)`` giving rates (frequencies, or plain numbers in Hz) for times ``t`` (column) and
    neurons ``i`` (row)."""

    size: int
    rates: np.ndarray | None = None
    function: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None


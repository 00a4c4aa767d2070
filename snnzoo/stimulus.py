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

Times become steps by the rules of :mod:`snnzoo.time_steps`: a spike is emitted in the step
containing its time, a switch of a value takes effect at the first step at or after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

@dataclass
class PiecewiseDrive:
    """Value ``values[k]`` from ``times[k]`` (seconds) until the next time; 0 before the first.
    A switch takes effect at the first step at or after its time (:func:`~snnzoo.time_steps.first_step_from`).

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
    contains its time (:func:`~snnzoo.time_steps.step_containing`)."""

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


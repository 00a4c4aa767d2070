"""Stimuli and the drive primitives the engine understands.

A stimulus plugin is a class with ``name``, ``description``, ``to_dict()`` and
``drives(size, dt, unit)`` returning a list of drives. Drives are what the
kernel executes: :class:`PiecewiseDrive` (values switching at given times,
free between switches) and :class:`FunctionDrive` (any function of time and
neuron index, evaluated by numpy once per chunk of steps). Several drives on
one variable add up; a driven variable is overwritten at every step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


@dataclass
class PiecewiseDrive:
    """Value ``values[k]`` from ``times[k]`` (seconds) until the next time; 0 before the first.

    ``values`` has shape ``(len(times), 1)`` for one value for all neurons or
    ``(len(times), N)`` for per-neuron values, in SI units.
    """

    times: np.ndarray
    values: np.ndarray


@dataclass
class FunctionDrive:
    """``function(t, i)`` with ``t`` in seconds (column) and ``i`` neuron indices (row) -> SI values."""

    function: Callable[[np.ndarray, np.ndarray], np.ndarray]
    per_neuron: bool = True


Drive = PiecewiseDrive | FunctionDrive


class Stimulus(Protocol):
    """What a stimulus plugin provides."""

    name: str
    description: str

    def drives(self, size: int, unit: Any) -> list[Drive]:
        """The drives feeding a population of ``size`` neurons; ``unit`` is the target's unit."""

    def to_dict(self) -> dict[str, Any]:
        """The stimulus settings as plain data, for provenance."""

"""Plain containers for what a simulation recorded, before it becomes xarray.

The engine fills these with SI floats; :mod:`snnzoo.results.tree` turns them into an
``xarray.DataTree``. Keeping them free of xarray lets the engine stay small.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class StateRecord:
    """Samples of some state variables of some neurons of one population.

    ``data[var]`` has shape ``(len(times), len(neurons))`` and holds SI values;
    ``units[var]`` is the SI unit string of that variable ("V", "A", "S", "1").
    """

    name: str
    neurons: np.ndarray
    times: np.ndarray
    data: dict[str, np.ndarray]
    units: dict[str, str]


@dataclass
class PopulationRecord:
    """Everything recorded from one population (or spike source)."""

    name: str
    size: int
    spike_times: np.ndarray
    spike_neurons: np.ndarray
    states: list[StateRecord] = field(default_factory=list)
    labels: list[str] | None = None
    model: str = ""
    spike_counts: np.ndarray | None = None

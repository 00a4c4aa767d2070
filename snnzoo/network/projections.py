"""Spike sources, population slices and projections (synapses between groups)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, UnknownAttributeError, UnknownNameError
from ..language.stimulus import PoissonRates, SpikeTimes, call_stimulus, stimulus_settings
from ..time_steps import step_containing
from ..units import as_data, ureg
from .connectivity import Synapses

if TYPE_CHECKING:
    import scipy.sparse


class SpikeSource:
    """A group of neurons that only emit spikes (spike generator, Poisson group)."""

    def __init__(self, name: str, stimulus, dt: float):
        self.name, self.stimulus = name, stimulus
        self.settings = stimulus_settings(stimulus)
        self.spec = call_stimulus(stimulus, "source")
        if not isinstance(self.spec, (SpikeTimes, PoissonRates)):
            raise ConfigError(f"source {name!r}: {stimulus.name!r}.source() returned {self.spec!r}, "
                              "expected SpikeTimes or PoissonRates")
        self.size = int(self.spec.size)
        if self.size <= 0:
            raise ConfigError(f"source {name!r}: size must be a positive integer, got {self.size}")
        self.labels = None
        self.where = f"source {name!r} ({stimulus.name})"
        if isinstance(self.spec, SpikeTimes):
            indices = np.asarray(self.spec.indices, dtype=np.int64)
            outside = indices[(indices < 0) | (indices >= self.size)]
            if outside.size:
                raise ConfigError(f"{self.where}: spike indices must lie in 0..{self.size - 1} (its size is "
                                  f"{self.size}), got {', '.join(map(str, np.unique(outside).tolist()))}")
            self._check_one_spike_per_step(indices, dt)
        if isinstance(self.spec, PoissonRates) and self.spec.rates is not None:
            rates = np.asarray(self.spec.rates, dtype=float)
            if (rates < 0).any() or not np.isfinite(rates).all() or rates.size not in (1, self.size):
                raise ConfigError(f"{self.where}: rates must be finite, >= 0, one or {self.size} values")
            if (rates * dt > 1).any():
                raise ConfigError(f"{self.where}: a rate of {rates.max():g} Hz exceeds 1/dt = {1 / dt:g} Hz")

    def _check_one_spike_per_step(self, indices: np.ndarray, dt: float) -> None:
        """Refuse spike times that put two spikes of one neuron in one step (Brian2 refuses them too):
        the kernel would emit one."""
        steps = step_containing(self.spec.times, dt)
        order = np.lexsort((steps, indices))
        repeated = np.flatnonzero((np.diff(steps[order]) == 0) & (np.diff(indices[order]) == 0))
        if repeated.size:
            neuron, step = indices[order[repeated[0]]], steps[order[repeated[0]]]
            times = np.asarray(self.spec.times, dtype=float)[(indices == neuron) & (steps == step)]
            raise ConfigError(f"{self.where}: neuron {neuron} spikes {times.size} times in the step at "
                              f"{step * dt * 1e3:g} ms (times {', '.join(f'{t * 1e3:g}' for t in times)} ms); "
                              f"a neuron spikes at most once per step: dt = {dt * 1e3:g} ms is too coarse, "
                              "or remove the duplicates")

    def __getitem__(self, item) -> PopulationView:
        return view(self, item)

    def to_dict(self) -> dict[str, Any]:
        """Provenance of this source."""
        return {"size": self.size, **self.settings}


@dataclass
class PopulationView:
    """A subset of a population's (or source's) neurons, e.g. ``net.population("G")[:80]``."""

    group: Any
    indices: np.ndarray

    def set(self, name: str, value: Any) -> None:
        """Set a parameter or variable of these neurons only: one value, one per neuron of the slice, or an
        expression (whose ``i`` and ``N`` are, as everywhere, the index and size of the whole population)."""
        self._population().set(name, value, neurons=self.indices)

    def get(self, name: str) -> Any:
        """The current values of a parameter or variable for these neurons, as a quantity in SI units."""
        return self._population().get(name)[self.indices]

    def __setattr__(self, name: str, value: Any) -> None:
        """``G[:10].v = -60 * mV`` sets ``v`` of these neurons, as in Brian2 (like :meth:`set`)."""
        if name in self.__dataclass_fields__ and name not in self.__dict__:
            object.__setattr__(self, name, value)
            return
        self._check_known(name, UnknownNameError)
        self.set(name, value)

    def __getattr__(self, name: str) -> Any:
        """``G[:10].v`` reads ``v`` of these neurons, as in Brian2 (like :meth:`get`)."""
        if name.startswith("_") or "group" not in self.__dict__:  # Python's own probes (__deepcopy__, ...)
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        self._check_known(name, UnknownAttributeError)
        return self.get(name)

    def _check_known(self, name: str, error: type[UnknownNameError]) -> None:
        """Refuse, as ``error``, a name that is no parameter, variable or subexpression of the group
        (``set`` and ``get`` say why a subexpression cannot be set or read)."""
        values = getattr(self.group, "values", None)
        if values is None:
            raise error(f"parameter or variable of {self.group.where}", name, [], "a spike source has none")
        if name not in values and name not in self.group.model.subexpressions:
            raise error(f"parameter or variable of {self.group.where}", name, values)

    def _population(self):
        """The population of this slice; a spike source's slice has no values to set or read."""
        if not hasattr(self.group, "values"):
            raise ConfigError(f"{self.group.where}: a spike source has no parameters or variables to set or read")
        return self.group

    @property
    def name(self) -> str:
        """The name of the whole group."""
        return self.group.name


NAME = re.compile(r"[A-Za-z_][\w\-]*")
"""What a population, source or projection may be called (letters, digits, ``_`` and ``-``; not a digit first)."""

_SLICE = re.compile(rf"^\s*({NAME.pattern})\s*\[\s*(-?\d*)\s*:\s*(-?\d*)\s*\]\s*$")


def parse_view(text: str) -> tuple[str, slice | None]:
    """``"G[:80]"`` -> ``("G", slice(None, 80))``; ``"G"`` -> ``("G", None)``."""
    match = _SLICE.match(text)
    if not match:
        if "[" in text:
            raise ConfigError(f"{text!r}: a slice of a group is NAME[start:stop], e.g. 'E[:80]' (no step)")
        return text, None
    start, stop = (int(x) if x else None for x in match.group(2, 3))
    return match.group(1), slice(start, stop)


def view(group: Any, item: Any) -> PopulationView:
    """``group[item]``: the neurons a slice, an index or a list of indices selects; none, an index
    outside the group, or one given twice (it would double synapses), is an error (not an empty projection)."""
    try:
        indices = np.atleast_1d(np.arange(group.size)[item])
    except (IndexError, TypeError, ValueError) as error:
        raise ConfigError(f"{group.name}[{_shown(item)}]: not a slice or indices of its {group.size} neurons "
                          f"({error})") from None
    if indices.size == 0:
        raise ConfigError(f"{group.name}[{_shown(item)}]: selects none of its {group.size} neurons")
    unique, counts = np.unique(indices, return_counts=True)
    if (counts > 1).any():
        raise ConfigError(f"{group.name}[{_shown(item)}]: selects neuron {unique[counts > 1][0]} more than once; "
                          "give each neuron once")
    return PopulationView(group, indices)


def _shown(item: Any) -> str:
    """``item`` as it was written between the brackets (``30:`` for ``slice(30, None)``)."""
    if not isinstance(item, slice):
        return repr(item)
    parts = [item.start, item.stop] + ([item.step] if item.step is not None else [])
    return ":".join("" if part is None else str(part) for part in parts)


@dataclass
class Projection:
    """Synapses from ``source`` to ``target``; ``on`` names what a spike does there (``effects``),
    or the synapse model that runs them (``plastic``)."""

    name: str
    source: Any
    target: Any
    on: str
    effects: list
    synapses: Synapses
    delay_steps: np.ndarray
    unit: str
    rule: dict[str, Any]
    plastic: Any = None
    """The synapse model and per-synapse values (:class:`snnzoo.network.synapses.SynapticState`), or None."""

    def __setattr__(self, name: str, value: Any) -> None:
        """Only the fields may be set: Brian2's ``S.w = 'rand()*gmax'`` set an attribute nothing reads."""
        if name not in self.__dataclass_fields__:
            raise ConfigError(f"projection {self.name!r}: cannot set {name!r}; synaptic values are given when the "
                              "projection is made, connect(..., weight=..., parameters={...}, initial={...}): one "
                              "value, one per synapse, a distribution or an expression of i and j such as "
                              "'rand()*gmax'")
        object.__setattr__(self, name, value)

    @property
    def size(self) -> int:
        """The number of synapses."""
        return int(self.synapses.post.size)

    def matrix(self) -> scipy.sparse.csr_matrix:
        """Weights as a (source size, target size) scipy.sparse matrix, in SI units (``unit``)."""
        return self.synapses.matrix(self.target.size)

    def weights(self):
        """Per-synapse weights as a quantity."""
        return ureg.Quantity(np.broadcast_to(self.synapses.weights, (self.size,)).copy(), self.unit)

    def bytes_per_synapse(self) -> float:
        """Memory the kernel holds per synapse (target index, weights, delays; for a synapse model
        also its variables, per-neuron traces, the postsynaptic index and the spike queue)."""
        if self.plastic is not None:
            from .synapses import kernel_bytes, plan

            return kernel_bytes(plan(0, self, 0, None, self.target, 0)) / max(self.size, 1)
        total = self.synapses.post.nbytes + self.synapses.weights.nbytes + self.delay_steps.nbytes
        return total / max(self.size, 1)

    @property
    def statement(self) -> str:
        """What a spike does, as text (``"ge += w"``; a synapse model's on_pre statements)."""
        if self.plastic is not None:
            return self.plastic.model.pathway_text["on_pre"]
        return "; ".join(f"{var} {op} {'w' if c == 1 else f'{c}*w'}" for var, op, c in self.effects)

    def to_dict(self) -> dict[str, Any]:
        """Provenance of this projection."""
        provenance = {"source": self.source.name, "target": self.target.name, "on": self.statement,
                      "synapses": self.size, **{k: as_data(v) for k, v in self.rule.items()}}
        if self.plastic is not None:
            provenance.update(synapse_model=self.plastic.model.to_dict(), post_delay_steps=self.plastic.post_delay)
        return provenance

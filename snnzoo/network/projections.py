"""Spike sources and projections (synapses between groups)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, UnknownAttributeError, UnknownNameError
from ..language.stimulus import PoissonRates, SpikeTimes, call_stimulus, stimulus_settings
from ..time_steps import UNREACHED_STEP, step_containing
from ..units import ureg, whole_numbers
from . import connectivity
from ..language.arguments import arguments_checked, refuse_read_only
from .connectivity import Synapses
from .population import PopulationView, view, written_back

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
            indices = whole_numbers(self.spec.indices, what=f"{self.where}: spike indices", size=self.size,
                                    items="neurons")
            self._check_one_spike_per_step(indices, dt)
        if isinstance(self.spec, PoissonRates) and self.spec.rates is not None:
            rates = np.asarray(self.spec.rates, dtype=float)
            if (rates < 0).any() or not np.isfinite(rates).all() or rates.size not in (1, self.size):
                raise ConfigError(f"{self.where}: rates must be finite, >= 0, one or {self.size} values")
            if (rates * dt > 1).any():
                raise ConfigError(f"{self.where}: a rate of {rates.max():g} Hz exceeds 1/dt = {1 / dt:g} Hz")
        self._ready = True

    def __setattr__(self, name: str, value: Any) -> None:
        """A source is fixed once added: its own attributes (``size``, ``name``, ``spec``...) are read-only, and
        ``src.rates = ...`` (a new attribute, which nothing read) is an error."""
        if not self.__dict__.get("_ready"):
            object.__setattr__(self, name, value)
            return
        refuse_read_only(self, name, self.where, "when the source is added by add_source")
        raise ConfigError(f"{self.where}: a spike source has no parameters or variables to set ({name!r}); "
                          "give its settings to the stimulus it is added with")

    def _check_one_spike_per_step(self, indices: np.ndarray, dt: float) -> None:
        """Refuse spike times that put two spikes of one neuron in one step (Brian2 refuses them too):
        the kernel would emit one."""
        steps = step_containing(self.spec.times, dt)
        order = np.lexsort((steps, indices))
        reached = steps[order][1:] < UNREACHED_STEP  # times after any run are never emitted
        repeated = np.flatnonzero((np.diff(steps[order]) == 0) & (np.diff(indices[order]) == 0) & reached)
        if repeated.size:
            neuron, step = indices[order[repeated[0]]], steps[order[repeated[0]]]
            times = np.asarray(self.spec.times, dtype=float)[(indices == neuron) & (steps == step)]
            raise ConfigError(f"{self.where}: neuron {neuron} spikes {times.size} times in the step at "
                              f"{step * dt * 1e3:g} ms (times {', '.join(f'{t * 1e3:g}' for t in times)} ms); "
                              f"a neuron spikes at most once per step: dt = {dt * 1e3:g} ms is too coarse, "
                              "or remove the duplicates")

    def __getitem__(self, item) -> PopulationView:
        return view(self, item)

    def __len__(self) -> int:
        """The number of neurons, as Brian2's ``len(G)``."""
        return self.size

    def to_dict(self) -> dict[str, Any]:
        """Provenance of this source."""
        return {"size": self.size, **self.settings}


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


FIXED_PER_SYNAPSE = ("delay", "i", "j")
"""What :meth:`Projection.get` reads but no one sets: the delays and the pre- and postsynaptic indices."""


@arguments_checked({})
@dataclass
class Projection:
    """Synapses from ``source`` to ``target``; ``on`` names what a spike does there (``effects``),
    or the synapse model that runs them (``plastic``). :meth:`set` and :meth:`get` (or ``S.w``)
    reach the synapses' values."""

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
    network: Any = field(default=None, repr=False, compare=False)
    """The :class:`~snnzoo.network.network.Network` that made it."""
    rng: np.random.Generator | None = field(default=None, repr=False, compare=False)
    """Its random stream: weights drawn when it was made, then values :meth:`set` draws."""

    def __setattr__(self, name: str, value: Any) -> None:
        """``S.w = 'rand()*gmax'`` sets ``w`` of every synapse, like :meth:`set` (Brian's habit); the projection's
        own attributes (``source``, ``size``, ``name``...) are read-only once it is made, and any other new attribute
        is an error (a misspelt name must not be silently ignored)."""
        if name in self.__dataclass_fields__ and name not in self.__dict__:
            object.__setattr__(self, name, value)
            return
        if name not in self._settable():
            refuse_read_only(self, name, f"projection {self.name!r}", "when the projection is made by connect")
        self.set(name, value)

    def __getattr__(self, name: str) -> Any:
        """``S.w`` reads ``w`` of every synapse, like :meth:`get`; ``S.w[0] = ...`` sets the first synapse's."""
        if name.startswith("_") or "synapses" not in self.__dict__:  # Python's own probes (__deepcopy__, ...)
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        if name not in self._settable() + list(FIXED_PER_SYNAPSE):
            raise UnknownAttributeError(f"synaptic value of projection {self.name!r}", name,
                                        self._settable() + list(FIXED_PER_SYNAPSE))
        return written_back(self.get(name), lambda given: self.set(name, given), f"projection {self.name!r}", name,
                            "synapses", fixed=self._fixed_reason(name) if name in FIXED_PER_SYNAPSE else None)

    def _settable(self) -> list[str]:
        """The names :meth:`set` takes: the weight ``w``, or a synapse model's parameters and state variables."""
        if self.plastic is None:
            return ["w"]
        return [*self.plastic.model.parameters, *self.plastic.model.state_variables]

    def set(self, name: str, value: Any) -> None:
        """Set ``name`` (the weight ``w``, or a parameter or state variable of the synapse model) of every
        synapse: one value, one per synapse (in the order :meth:`get` gives them), a distribution table, or
        an expression of ``i``, ``j``, ``N_pre``, ``N_post``, ``N_incoming``, ``N_outgoing`` (``rand()``
        draws per synapse), as ``connect`` takes a weight. Before the first run, or, for a projection
        without a synapse model, between runs (the kernel is rebuilt at the next run)."""
        where = f"projection {self.name!r}: {name!r}"
        if name in FIXED_PER_SYNAPSE:
            raise ConfigError(self._fixed_reason(name))
        if name not in self._settable():
            raise UnknownNameError(f"synaptic value of projection {self.name!r}", name, self._settable())
        has_run = self.network._simulation is not None or self.network._stale is not None
        if self.plastic is not None and has_run:
            raise ConfigError(f"{where}: cannot set a synapse model's values after the network has run (the kernel "
                              "holds them from the first run on); set them before it")
        unit = self.unit if self.plastic is None else self.plastic.unit(name)
        array = connectivity.values(value, self.size, unit, self.rng, where, self.synapses.pre, self.synapses.post,
                                    sizes=(self.source.size, self.target.size), clock=self.network.clock())
        if self.plastic is None:
            # a weight onto a target that takes only weights >= 0 (connect refused "-=" onto one)
            self.target.model.check_weights(self.on, "+=", array, unit, f"projection {self.name!r}")
            self.network._invalidate()  # between runs: the next run uses the new weights
        else:
            self.plastic.assign(name, array, value, f"projection {self.name!r}")
        if name == "w":
            self.synapses.weights = array
            self.rule["weight"] = connectivity.as_provenance(value)

    def _fixed_reason(self, name: str) -> str:
        """Why no one sets ``name``, one of :data:`FIXED_PER_SYNAPSE`."""
        return (f"projection {self.name!r}: {name!r} is fixed when the projection is made; give delays in "
                "connect(..., delay=...) and choose the synapses by its connectivity rule")

    def get(self, name: str) -> Any:
        """The current values of ``name`` for every synapse, in the projection's synapse order: the weight
        ``w`` or a synapse model's parameter or state variable (as the last run left it), or ``delay``,
        as quantities in SI units; ``i`` and ``j``, each synapse's pre- and postsynaptic neuron (integers)."""
        if name in ("i", "j"):
            return (self.synapses.pre if name == "i" else self.synapses.post).astype(np.int64)
        if name == "delay":
            return ureg.Quantity(np.broadcast_to(self.delay_steps * self.network.dt, (self.size,)).copy(), "s")
        if name not in self._settable():
            raise UnknownNameError(f"synaptic value of projection {self.name!r}", name,
                                   self._settable() + list(FIXED_PER_SYNAPSE))
        values, unit = ((self.synapses.weights, self.unit) if self.plastic is None
                        else (self.plastic.values[name], self.plastic.unit(name)))
        return ureg.Quantity(np.broadcast_to(values, (self.size,)).copy(), unit)

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
                      "synapses": self.size, **{k: connectivity.as_provenance(v) for k, v in self.rule.items()}}
        if self.plastic is not None:
            provenance.update(synapse_model=self.plastic.model.to_dict(), post_delay_steps=self.plastic.post_delay,
                              **self.plastic.given_as_data())
        return provenance

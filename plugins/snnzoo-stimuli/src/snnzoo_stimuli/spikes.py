"""Spike sources: explicit spike times, Poisson groups, and Poisson input layers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from snnzoo.errors import ConfigError
from snnzoo.language.stimulus import NO_UNIT, TARGET_UNIT, PoissonRates, Setting, SpikeTimes
from snnzoo.units import is_quantity_text, to_si, whole_number, whole_numbers

from .currents import expression_function, expression_parameters, per_neuron_si, provenance_value


class SpikeGenerator:
    """Spikes of neuron ``indices[k]`` at ``times[k]`` (Brian2's SpikeGeneratorGroup)."""

    name = "spike_generator"
    description = "spikes at explicit times and neuron indices"
    example = {"times": ["1 ms", "1.5 ms"], "indices": [0, 1]}
    """Settings that make a small working instance (the conformance kit uses them)."""
    setting_specs = {"times": Setting("s", "the spike times, >= 0"),
                     "indices": Setting("1", "the neuron of each spike (default: neuron 0)"),
                     "size": Setting("1", "the number of neurons (default: the largest index + 1)")}

    def __init__(self, times: Any, indices: Any = None, size: int | None = None):
        self.times = np.atleast_1d(to_si(times, "s", what=f"{self.name}: times"))
        size = whole_number(size, what=f"{self.name}: size", minimum=1) if size is not None else None
        self.indices = (np.zeros(self.times.size, dtype=np.int64) if indices is None
                        else self._neurons(indices, size))
        if self.times.ndim != 1 or self.indices.ndim != 1:
            raise ConfigError(f"{self.name}: times and indices are flat lists, one entry per spike; got shapes "
                              f"{self.times.shape} and {self.indices.shape}")
        if self.indices.shape != self.times.shape:
            raise ConfigError(f"{self.name}: {self.times.size} times but {self.indices.size} indices")
        if (self.times < 0).any():
            raise ConfigError(f"{self.name}: spike times must be >= 0")
        self.size = size if size is not None else int(self.indices.max(initial=0)) + 1

    def _neurons(self, indices: Any, size: int | None) -> np.ndarray:
        """The neuron of each spike: an index of the ``size`` neurons, or, without a size (the largest index + 1),
        any index from 0 to the largest a 64-bit integer holds."""
        what = f"{self.name}: indices"
        if size is not None:
            return whole_numbers(indices, what=what, size=size, items="neurons")
        largest = np.iinfo(np.int64).max - 1  # the size, one more, is a 64-bit integer too
        return whole_numbers(indices, what=what, size=largest + 1, items="neurons at most; without size=, "
                             "the generator has one more than its largest index")

    def source(self) -> SpikeTimes:
        return SpikeTimes(self.size, self.times, self.indices)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.name, "spikes": int(self.times.size), "size": self.size}


class PoissonGroup:
    """``size`` independent Poisson spike trains with a constant rate (one or one per neuron),
    or a time-varying rate: a callable ``f(t, i)`` returning frequencies (or plain numbers in Hz),
    or an expression of ``t`` and ``i`` with ``parameters`` (quantities), e.g. ``"r0*(1 + sin(2*pi*f*t))"``."""

    name = "poisson_group"
    description = "independent Poisson spike trains, constant or time-varying rate"
    example = {"size": 5, "rate": "50 Hz"}
    """Settings that make a small working instance (the conformance kit uses them)."""
    setting_specs = {"size": Setting("1", "the number of neurons"),
                     "rate": Setting("Hz", "one, one per neuron, a callable f(t, i) or an expression of t and i"),
                     "parameters": Setting(NO_UNIT, "the rate expression's symbols: names to quantities")}

    def __init__(self, size: int, rate: Any, parameters: Mapping[str, Any] | None = None):
        self.size = whole_number(size, what=f"{self.name}: size", minimum=1)
        self.rate, self.parameters = rate, expression_parameters(parameters, self.name)
        if self.parameters and not isinstance(rate, str):
            raise ConfigError(f"{self.name}: parameters {sorted(self.parameters)} are for a rate expression such as "
                              f"'r0*(t > 1*s)'; a rate of {type(rate).__name__} takes none")

    def source(self) -> PoissonRates:
        if callable(self.rate):
            return PoissonRates(self.size, function=self.rate)
        if isinstance(self.rate, str) and (self.parameters or not is_quantity_text(self.rate)):
            return PoissonRates(self.size, function=expression_function(self.rate, self.parameters, "Hz",
                                                                        f"{self.name}: rate"))
        return PoissonRates(self.size, rates=per_neuron_si(self.rate, "Hz", self.size, what=f"{self.name}: rate"))

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.name, "size": self.size, "rate": provenance_value(self.rate),
                "parameters": {k: provenance_value(v) for k, v in self.parameters.items()}}


class PoissonLayer:
    """SNN.jl's Poisson input layer: ``N`` Poisson sources at ``rate``, each connected with
    probability ``p`` to every target neuron, adding ``weight`` to the target variable."""

    name = "poisson_layer"
    description = "N Poisson sources at a rate, connected with probability p and weight onto a variable"
    example = {"rate": "50 Hz", "N": 10, "p": 0.5, "weight": "1 mV", "target": "v"}
    """Settings that make a small working instance (the conformance kit uses them)."""
    setting_specs = {"rate": Setting("Hz", "the rate of each source"),
                     "N": Setting("1", "the number of sources"),
                     "p": Setting("1", "the probability of a connection from a source to a neuron"),
                     "weight": Setting(TARGET_UNIT, "added to the target variable by each spike"),
                     "label": Setting(NO_UNIT, "the name of the source (default: POPULATION_TARGET_poisson)")}

    def __init__(self, rate: Any, N: int, p: float, weight: Any, label: str | None = None):
        self.group = PoissonGroup(whole_number(N, what=f"{self.name}: N", minimum=1), rate)
        self.p, self.weight, self.label = p, weight, label  # connect() checks p

    def attach(self, network, population, target: str) -> None:
        """Add the source and its projection to ``network``."""
        name = self.label or f"{population.name}_{target}_poisson"
        network.add_source(name, self.group)
        network.connect(name, population, on=target, weight=self.weight, p=self.p, name=f"{name}_synapses")

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.name, "rate": provenance_value(self.group.rate), "N": self.group.size, "p": self.p,
                "weight": provenance_value(self.weight)}


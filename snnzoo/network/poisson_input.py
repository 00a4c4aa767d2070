"""Poisson inputs summed onto a variable: Brian2's ``PoissonInput``.

``N`` independent Poisson spike trains of rate ``rate`` each add ``weight`` to a variable
of every neuron of a population. Instead of simulating the ``N`` sources and their
synapses, every step draws how many of them fired for each neuron from
Binomial(N, rate*dt) and adds ``weight`` times that number: one draw per neuron and step,
whatever ``N`` (the only way when N*rate*dt > 1). Like Brian2, the draw uses the normal
approximation when both N*p and N*(1 - p) exceed 5, and it acts where synaptic effects do
(after the threshold, before the reset); a write to an ``(unless refractory)`` variable
of a refractory neuron is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, UnknownNameError
from ..units import one_si, si_unit_string, whole_number


MAX_COUNT = 2**53
"""The most inputs one Poisson input draws from: the kernel keeps N as a float64 (exact up to 2**53) and
draws into an int64 (N = 2**63 was an OverflowError, 2**70 a numba TypingError)."""


@dataclass(frozen=True)
class PoissonInput:
    """A validated Poisson input: ``count`` sources at ``rate`` Hz, each adding ``weight`` (SI)
    to ``target`` of ``population`` (a :class:`~snnzoo.network.network.Population`)."""

    name: str
    population: Any
    target: str
    count: int
    rate: float
    weight: float

    @classmethod
    def checked(cls, name: str, population, target: str, count: Any, rate: Any, weight: Any,
                dt: float) -> PoissonInput:
        """Check every argument against the population's model; errors name ``name``."""
        where = f"Poisson input {name!r}"
        model = population.model
        targets = model.state_variables + model.variables
        if target in model.synapses_text:
            raise ConfigError(f"{where}: {target!r} is a synaptic target of {population.where}, not a variable; a "
                              f"Poisson input adds its weight to one variable: connect a poisson_group source "
                              f"with on={target!r} instead")
        if target not in targets:
            raise UnknownNameError(f"target variable of {where} on {population.where}", target, targets)
        count = whole_number(count, what=f"{where}: N (the number of inputs)", minimum=1)
        if count > MAX_COUNT:
            raise ConfigError(f"{where}: N (the number of inputs) = {count} is more than the {MAX_COUNT} (2**53) a "
                              "draw can count exactly; expected fewer inputs")
        hz = one_si(rate, "Hz", what=f"{where}: rate", sign="non-negative")  # 0 Hz adds nothing, as in Brian2
        if hz * dt >= 1:
            raise ConfigError(f"{where}: rate {rate} gives a spike probability rate*dt = {hz * dt:g} per step; "
                              "expected rate*dt < 1")
        unit = model.units[target]
        what = f"{where}: weight (onto {target!r}, in {si_unit_string(unit)})"
        value = population.one_value(weight, unit, what) if isinstance(weight, str) else one_si(weight, unit, what=what)
        return cls(name, population, target, count, hz, value)

    def to_dict(self) -> dict[str, Any]:
        """Provenance."""
        unit = si_unit_string(self.population.model.units[self.target])
        return {"population": self.population.name, "target": self.target, "N": self.count,
                "rate_hz": self.rate, "weight": self.weight, "weight_unit": unit}

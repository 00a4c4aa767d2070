"""Refractoriness: how long a neuron stays refractory after a spike (Brian2's ``refractory``).

Three forms:

- a period: a time (``"2 ms"``), one time per neuron (an array given to
  ``add_population(refractory=...)``), or an expression of parameters, declared variables, ``i`` and
  ``N`` and the time step ``dt`` (``"tref"``, ``"2*tau_ref"``, ``"(1 + i)*ms"``, ``"2*dt"``: two steps), evaluated per neuron when the network is built and again when one
  of its parameters is set between runs, and in every step where it reads a declared variable that the run may
  change (``Population.refractory_period_read_every_step``);
- a condition (``"v > -40*mV"``): after a spike the neuron stays refractory until the
  condition is false at the start of a step (Brian2's ``not_refractory = not_refractory
  or not (condition)``).

While refractory, ``(unless refractory)`` variables are held, writes to them from
synapses and other inputs are dropped, and the threshold is disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from typing import TYPE_CHECKING

import numpy as np

from ..errors import ConfigError, UnitError
from ..time_steps import step_containing
from ..units import is_quantity_text, show, to_si, ureg

if TYPE_CHECKING:
    import sympy

    from .expressions import DimensionChecker


@dataclass(frozen=True)
class Refractoriness:
    """A parsed ``refractory`` setting: ``period`` (seconds: a float or one per neuron),
    ``expression`` (a time expression of parameters) or ``condition`` (a sympy condition)."""

    text: str | None
    period: float | np.ndarray = 0.0
    expression: sympy.Basic | None = None
    condition: sympy.Basic | None = None

    @property
    def kind(self) -> str:
        """"condition", "per_neuron" (an array or an expression) or "steps" (one period for all)."""
        if self.condition is not None:
            return "condition"
        return "per_neuron" if self.expression is not None or np.ndim(self.period) == 1 else "steps"


def parse_refractoriness(value: Any, checker_at: Callable[[str], DimensionChecker], constants, *, where: str,
                         size: int | None = None, functions=None) -> Refractoriness:
    """Read ``value`` (None, a time, times per neuron, or an expression) for a model or a
    population of ``size`` neurons; ``checker_at(where)`` knows the model's units and ``constants``
    the names a period may use (parameters and declared variables); ``functions`` the model's
    timed arrays, which a condition may call. Errors name ``where`` and what was expected; those about an
    expression that parses quote it as written (``"model 'm': refractory 'tau*2 + 1*mV': ..."``: sympy
    reorders terms)."""
    if not (isinstance(value, str) and not is_quantity_text(value)):
        return period_refractoriness(value, where=where, size=size)
    import sympy

    from .expressions import parse_expression, rand, randn, same_dimension, shown_unit

    expr = parse_expression(value, where=where, functions=functions)
    where = f"{where} '{value}'"
    checker = checker_at(where)
    unit = checker.unit_of(expr)
    if isinstance(expr, (sympy.core.relational.Relational, sympy.And, sympy.Or, sympy.Not)):
        return Refractoriness(value, condition=expr)
    if not same_dimension(unit, ureg.second):
        raise UnitError(f"{where}: a value in {shown_unit(unit)}; expected a time (e.g. '2 ms' or 'tref') "
                        "or a condition (e.g. 'v > -40*mV')")
    others = sorted(s.name for s in expr.free_symbols if s.name in checker.units and s.name not in constants)
    if others:
        raise UnitError(f"{where}: uses {', '.join(others)}; a refractory period may use parameters, "
                        "declared variables, i, N and dt only (for a state-dependent refractoriness give a condition "
                        "such as 'v > -40*mV')")
    if expr.atoms(rand, randn):
        raise ConfigError(f"{where}: draws random numbers, but a refractory period is evaluated once "
                          "per neuron (Brian2 draws anew at every step); give periods drawn once per neuron as "
                          "add_population(refractory=array)")
    return Refractoriness(value, expression=expr)


def period_refractoriness(value: Any, *, where: str, size: int | None = None) -> Refractoriness:
    """Read ``value`` when it is None, a time or times per neuron (no expression: nothing to parse)."""
    if value is None:
        return Refractoriness(None)
    seconds = np.asarray(to_si(value, "s", what=where), dtype=float)
    if seconds.ndim > 1 or (seconds.ndim == 1 and (size is None or seconds.size != size)):
        expected = "one time" if size is None else f"one time or {size} times"
        raise UnitError(f"{where}: expected {expected}, got shape {seconds.shape}")
    if not (seconds >= 0).all():
        raise UnitError(f"{where}: must be >= 0, got {show(value)}")
    return Refractoriness(_text(value), period=seconds if seconds.ndim else float(seconds))


MAX_REFRACTORY_STEPS = 2**31 - 1
"""The longest refractory period in steps: a neuron that has not spiked yet keeps its last spike at step
-2**31 (``engine.layout.NEVER``), so a longer period held it refractory from the start and it never spiked
(and a period past 2**63 steps wrapped around to a negative one: the neuron spiked at every step)."""


def refractory_steps(refractoriness: Refractoriness, evaluate, size: int, dt: float, where: str) -> np.ndarray:
    """The refractory period of each neuron in whole steps: the steps it contains, as in Brian2
    (:mod:`snnzoo.time_steps`; 0.27 ms at dt = 0.1 ms is 2 steps, where rounding gave 3);
    ``evaluate(text)`` gives an expression's per-neuron values in seconds; ``where`` names the population."""
    seconds = evaluate(refractoriness.text) if refractoriness.expression is not None else refractoriness.period
    seconds = np.broadcast_to(np.asarray(seconds, dtype=float), (size,))
    wrong = np.flatnonzero(~(seconds >= 0) | ~np.isfinite(seconds))  # negative, NaN or infinite
    if wrong.size:
        raise UnitError(f"{where}: refractory {refractoriness.text!r} is {seconds[wrong[0]]:g} s for neuron "
                        f"{wrong[0]}; expected finite times >= 0")
    steps = step_containing(seconds, dt)
    if steps.max(initial=0) > MAX_REFRACTORY_STEPS:
        longest = seconds.max()
        raise ConfigError(f"{where}: refractory {refractoriness.text!r}: a period of {longest:g} s is "
                          f"{longest / dt:.3g} steps of dt = {dt * 1e3:g} ms; at most {MAX_REFRACTORY_STEPS} steps are "
                          "supported")
    return steps


def _text(value: Any) -> str:
    if hasattr(value, "units") and np.ndim(getattr(value, "magnitude", 0)) == 1:
        return f"{list(value.magnitude)} {value.units:~}"
    return f"{value:~}" if hasattr(value, "units") else str(value)

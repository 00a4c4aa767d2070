"""Why a model's units may not add up: the usual cause is a parameter's default, not the equation.

A default written without its unit (``"taupre": 20`` for ``"20 ms"``) makes the parameter dimensionless,
and one with a unit symbol in the wrong case (``"10 mS"``, millisiemens, for ``"10 ms"``) gives it another
dimension; the dimension error then names the equation alone. :func:`default_hint` adds which default is
the likely culprit, for neuron and synapse models alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pint

from ..errors import EquationError
from ..units import as_quantity, dimension_of, respellings, ureg

if TYPE_CHECKING:
    import sympy

    from .expressions import DimensionChecker


def default_hint(expr: sympy.Basic, want: pint.Unit, parameters: Mapping[str, Any],
                 checker: Callable[[Mapping[str, pint.Unit]], DimensionChecker]) -> str:
    """A note for the error about ``expr`` (which must be in ``want``): the dimensionless ``parameters`` (a model's
    :class:`~snnzoo.language.model.ParameterSpec` by name) it reads,
    or a respelling of one default with which it checks out (``checker(respelt)`` checks with the units
    ``respelt`` of some parameters changed); empty when neither is found."""
    from .expressions import same_dimension

    names = sorted(s.name for s in expr.free_symbols if s.name in parameters)
    unitless = [name for name in names if same_dimension(parameters[name].unit, ureg.dimensionless)]
    if unitless:
        return (f" (dimensionless parameters in it: {', '.join(unitless)}; did a default lose its unit, "
                "e.g. '100' for '100 pF'?)")
    for name in names:
        text = parameters[name].default_text
        fitting = [spelling for group in respellings(text) for spelling in group
                   if _checks_out(expr, want, checker({name: as_quantity(spelling, what=name).units}))]
        if fitting:
            return (f" (parameter {name}'s default {text!r} is in {dimension_of(parameters[name].unit)}; "
                    f"did you mean {' or '.join(map(repr, fitting))}?)")
    return ""


def _checks_out(expr: sympy.Basic, want: pint.Unit, checker: DimensionChecker) -> bool:
    """Whether ``checker`` finds ``expr`` in ``want``."""
    from .expressions import same_dimension

    try:
        return same_dimension(checker.unit_of(expr), want)
    except EquationError:
        return False

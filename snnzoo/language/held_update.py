"""The update of a refractory neuron: ``(unless refractory)`` variables held for the whole step, as in Brian2.

Brian2 multiplies the right-hand side of an ``(unless refractory)`` equation by ``not_refractory``, so
while a neuron is refractory such a variable has no derivative in any stage of the integrator, and the
other variables are integrated with it constant. Holding the variable only at the end of the step gives
the same result for integrators that read the start-of-step values of the other variables (``euler``,
``exponential_euler``), but not for those that read it mid-step (``rk2``, ``rk4``, ``heun``) or solve the
variables together (``exact``: an adaptation current fed by a held ``v`` kept integrating a moving ``v``).

:func:`refractory_update` integrates the system a second time with the held variables' equations set to
zero, and keeps from it the updates of the other variables that come out different: a refractory neuron
takes those, an active one the usual ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from .expressions import symbol
from .integrators import OdeSystem, Statements, integrated, new_symbol

HELD_PREFIX = "_held"
"""The prefix of the temporaries of the refractory update (``_held_new_w``, ``_held_k1_w``...)."""


@dataclass
class RefractoryUpdate:
    """The update statements of an active neuron followed by those a refractory one needs, and for each
    variable that a refractory neuron updates differently (not held itself), the symbol of its value."""

    statements: Statements
    while_refractory: dict[str, sympy.Symbol]


def refractory_update(integrator: object, system: OdeSystem, held: list[str]) -> RefractoryUpdate:
    """The update of ``system`` by ``integrator`` for active neurons, and for refractory ones with the variables
    ``held`` constant through the step (see the module docstring)."""
    statements = integrated(integrator, system)
    held_symbols = {symbol(name) for name in held}
    others = [x for x in system.variables if x not in held_symbols]
    if not held_symbols or not others:
        return RefractoryUpdate(statements, {})
    frozen = OdeSystem(system.variables,
                       {x: sympy.Integer(0) if x in held_symbols else f for x, f in system.drift.items()},
                       {x: {} if x in held_symbols else terms for x, terms in system.noise.items()},
                       system.normals, system.where, system.texts)
    renamed = _renamed(integrated(integrator, frozen))
    active, refractory = _inlined(statements), _inlined(renamed)
    differing = [x for x in others if active[new_symbol(x)] != refractory[_held(new_symbol(x))]]
    needed = _needed(renamed, {_held(new_symbol(x)) for x in differing})
    return RefractoryUpdate(statements + needed, {x.name: _held(new_symbol(x)) for x in differing})


def _held(name: sympy.Symbol) -> sympy.Symbol:
    return symbol(f"{HELD_PREFIX}{name.name}")


def _renamed(statements: Statements) -> Statements:
    """``statements`` with every symbol they assign prefixed by :data:`HELD_PREFIX` (wherever it is read too)."""
    names = {target: _held(target) for target, _ in statements}
    return [(names[target], expr.xreplace(names)) for target, expr in statements]


def _inlined(statements: Statements) -> dict[sympy.Symbol, sympy.Basic]:
    """Each assigned symbol's value in terms of the start-of-step values (the temporaries substituted)."""
    values: dict[sympy.Symbol, sympy.Basic] = {}
    for target, expr in statements:
        values[target] = expr.xreplace(values)
    return values


def _needed(statements: Statements, wanted: set[sympy.Symbol]) -> Statements:
    """The statements that the values ``wanted`` are computed from, in order."""
    keep = set(wanted)
    kept = []
    for target, expr in reversed(statements):
        if target in keep:
            kept.append((target, expr))
            keep |= expr.free_symbols
    return kept[::-1]

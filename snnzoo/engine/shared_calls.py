"""Costly calls that several update statements share, each computed once per element and step.

``exact`` writes the propagators of variables that feed each other, and of chains with three
rates or more, with divided differences of ``exp`` at the system's rates
(:class:`~snnzoo.language.expressions.exp_divided_difference`). Every entry of the propagators
holds some of the same few, so a neuron's update repeats each call several times (twenty calls
where four are distinct, for v and an adaptation current). Where the rates are the same for
every neuron the hoister computes them once per kernel call; where they are not, this names each
distinct call as a temporary that the statements then read, and the neuron update keeps those
that depend on parameters alone (given per neuron) in an array filled once per kernel call, and
those that also depend on declared variables in one it fills again where they change.
"""

from __future__ import annotations

from typing import Callable

import sympy

from ..language.expressions import exp_divided_difference, symbol
from ..language.integrators import Statements


def name_shared_calls(statements: Statements, prefix: str,
                      computed_once: Callable[[sympy.Basic], bool] = lambda call: False) -> tuple[Statements, Statements]:
    """The distinct divided differences in ``statements`` (but those ``computed_once`` says are computed once
    for all elements anyway) as temporaries ``PREFIX0``, ``PREFIX1``... in the order they first appear, and the
    statements with each call replaced by its temporary."""
    names: dict[sympy.Basic, sympy.Symbol] = {}
    for _, expr in statements:
        for node in sympy.preorder_traversal(expr):
            if isinstance(node, exp_divided_difference) and node not in names and not computed_once(node):
                names[node] = symbol(f"{prefix}{len(names)}")
    if not names:
        return [], statements
    return [(name, call) for call, name in names.items()], [(target, expr.xreplace(names)) for target, expr in statements]

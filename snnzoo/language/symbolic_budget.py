"""Limits on symbolic work, so no equation can hang the process or exhaust the stack.

Three budgets: the size of one expression (characters and syntax nodes), the
size of a number written in it (``10**10**10`` would make sympy compute a
ten-billion-digit integer), and the wall-clock time of the symbolic work on one
model or kernel (``SNNZOO_SYMBOLIC_SECONDS``, default 120 s; enforced in the
main thread). Exceeding one is an :class:`EquationError` naming the equation.
"""

from __future__ import annotations

import ast
import math
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..errors import EquationError

if TYPE_CHECKING:
    import sympy

MAX_CHARACTERS = 20_000
MAX_NODES = 2_000
"""Syntax nodes in one expression: far above any neuron model, far below what sympy handles slowly."""
MAX_EXPONENT = 1_000
"""Integer powers of numbers are evaluated exactly only up to this exponent, else in floating point."""
DEFAULT_SECONDS = 120.0


def parse_within_budget(text: str, where: str) -> ast.Expression:
    """``ast.parse(text, mode="eval")`` with the size budget; errors name ``where``."""
    if len(text) > MAX_CHARACTERS:
        raise EquationError(f"{where}: the expression has {len(text)} characters; at most {MAX_CHARACTERS} "
                            "are supported (split it into subexpressions)")
    try:
        tree = ast.parse(text, mode="eval")
        nodes = sum(1 for _ in ast.walk(tree))
    except RecursionError:
        raise EquationError(f"{where}: the expression is nested too deeply to parse") from None
    if nodes > MAX_NODES:
        raise EquationError(f"{where}: the expression has {nodes} terms and operators; at most {MAX_NODES} are "
                            "supported (split it into subexpressions)")
    return tree


def power(base: sympy.Basic, exponent: sympy.Basic, where: str) -> sympy.Basic:
    """``base**exponent``, with a power of two numbers kept to a size the budget allows."""
    import sympy

    if isinstance(base, sympy.Number) and isinstance(exponent, sympy.Number) and abs(exponent) > MAX_EXPONENT:
        try:
            value = math.pow(float(base), float(exponent))
        except (OverflowError, ValueError):
            value = math.inf
        if not math.isfinite(value):
            raise EquationError(f"{where}: {base}**{exponent} is not a finite number")
        return sympy.Float(value)
    return base**exponent


@contextmanager
def time_budget(where: str) -> Iterator[None]:
    """Raise EquationError naming ``where`` if the block runs longer than the symbolic time budget."""
    seconds = float(os.environ.get("SNNZOO_SYMBOLIC_SECONDS", DEFAULT_SECONDS))
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return
    previous_delay, _ = signal.getitimer(signal.ITIMER_REAL)
    if previous_delay:  # someone else's timer is running: leave it alone
        yield
        return

    def expire(number, frame):
        raise EquationError(f"{where}: symbolic work took longer than {seconds:g} s "
                            "(simplify the equations, or raise SNNZOO_SYMBOLIC_SECONDS)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

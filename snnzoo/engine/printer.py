"""Prints sympy expressions as the Python source of kernel statements."""

from __future__ import annotations

import math
from collections.abc import Mapping

import sympy
from sympy.printing.pycode import PythonCodePrinter

from .layout import CLOCK, DRAWS, timed_array_name
from .precision import float32_constant


class KernelPrinter(PythonCodePrinter):
    """Prints sympy expressions as numba-compilable Python using ``math``.

    ``exp`` and ``exprel`` become calls of the branch-free ``fexp``/``exprel`` of
    :mod:`snnzoo.engine.runtime` (which the kernel module imports), so the loops around
    them can be vectorised; ``rand()`` and ``randn()`` draw from the stream ``draws``, which the
    code around them points at the element's numbers (:func:`snnzoo.engine.runtime.start_draws`).
    """

    exp_function, exprel_function, float_type = "fexp", "exprel", "float"

    def _number(self, value: float) -> str:
        """The literal of a float constant."""
        return repr(value)

    def _print_Float(self, expr):
        return self._number(float(expr))

    def _print_exp(self, expr):
        return f"{self.exp_function}({self._print(expr.args[0])})"

    def _print_exprel(self, expr):
        return f"{self.exprel_function}({self._print(expr.args[0])})"

    def _print_exp_divided_difference(self, expr):
        """A call with a tuple of float64 points (numba takes a tuple of one type), in float64
        in either precision: it runs once per run for shared parameters."""
        points = ", ".join(f"float({self._print(point)})" for point in expr.args)
        return f"{self.float_type}(exp_divided_difference(({points},)))"

    def _print_int_(self, expr):
        arg = expr.args[0]
        if isinstance(arg, (sympy.core.relational.Relational, sympy.And, sympy.Or, sympy.Not)):
            return f"({self._number(1.0)} if {self._print(arg)} else {self._number(0.0)})"
        return f"{self.float_type}(int({self._print(arg)}))"

    def _print_rand(self, expr):
        return f"uniform({DRAWS})"

    def _print_randn(self, expr):
        return f"normal({DRAWS})"

    def _print_TimedArrayBase(self, expr):
        timed = expr.func.timed_array
        column = f"int({self._print(expr.args[1])})" if timed.columns > 1 else "0"
        return f"timed_array({timed_array_name(timed)}, {timed.dt!r}, {CLOCK}[0], {self._time(expr.args[0])}, {column})"

    def _time(self, expr) -> str:
        """A timed array's time argument (the kernel's ``t`` is already float64 here)."""
        return self._print(expr)

    def _print_BooleanTrue(self, expr):
        return "True"

    def _print_BooleanFalse(self, expr):
        return "False"

    def _print_Pi(self, expr):
        return self._number(math.pi)

    def _print_Exp1(self, expr):
        return self._number(math.e)


MODEL_EQUATIONS = "a model's equations"
"""What printed code computes unless the caller says more (a constant float32 cannot hold is refused naming it)."""


class SinglePrecisionPrinter(KernelPrinter):
    """Prints for a single-precision kernel: every number is a float32 literal and ``exp``/``exprel``
    are the float32 ``fexp32``/``exprel32``, so that no operation promotes the float32 maths to
    float64 (numba, like numpy, widens float32 combined with a Python float or an integer).
    Whole-numbered powers stay ``x**n`` (repeated multiplication in float32)."""

    exp_function, exprel_function, float_type = "fexp32", "exprel32", "np.float32"

    printing = MODEL_EQUATIONS
    """What the printed code computes, as an error names it."""

    def _number(self, value: float) -> str:
        return float32_constant(value, self.printing)

    def _print_Integer(self, expr):
        return self._number(float(expr))

    _print_Rational = _print_Half = _print_Integer

    def _time(self, expr) -> str:
        """A timed array's time argument with ``t`` as the float64 ``t_exact``: a float32 ``t`` is
        off by more than a grid step's rounding margin after about 2**19 steps."""
        return self._print(expr.xreplace({s: sympy.Symbol("t_exact", real=True)
                                          for s in expr.free_symbols if s.name == "t"}))

    def _print_floor(self, expr):
        return f"np.floor({self._print(expr.args[0])})"

    def _print_ceiling(self, expr):
        return f"np.ceil({self._print(expr.args[0])})"

    def _print_Pow(self, expr, rational=False):
        if expr.exp.is_Integer and expr.exp not in (sympy.S.NegativeOne, sympy.S.One):
            return f"{self.parenthesize(expr.base, sympy.printing.precedence.PRECEDENCE['Pow'], strict=True)}" \
                   f"**{int(expr.exp)}"
        return super()._print_Pow(expr, rational=rational)


def to_code(expr: sympy.Basic, names: Mapping[str, str] | None = None, precision: str = "double",
            printing: str = MODEL_EQUATIONS) -> str:
    """Python source for ``expr`` in ``precision`` ("double" or "single"); ``names`` renames symbols
    to kernel variables; ``printing`` says what ``expr`` computes (a constant float32 cannot hold names it)."""
    if names:
        expr = expr.xreplace({s: sympy.Symbol(names[s.name], real=True) for s in expr.free_symbols if s.name in names})
    printer = (SinglePrecisionPrinter if precision == "single" else KernelPrinter)(
        {"standard": "python3", "fully_qualified_modules": True})
    printer.printing = printing
    return printer.doprint(expr)

"""Brian-style expressions: parsing to sympy, dimension checking, evaluating with numpy.

Expressions use Python syntax (``exp((v - VT)/DeltaT)``, ``int(t < 150*ms)``,
``t > 10*ms and t < 950*ms``). They are parsed with :mod:`ast` so every name
becomes a plain sympy symbol (no surprises from sympy's own ``I``, ``E``, ``N``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping

import numpy as np
import pint
import sympy

from ..errors import ConfigError, EquationError, SnnzooError
from ..units import as_quantity, check_value, dimension_of, same_dimension, ureg
from .symbolic_budget import parse_within_budget, power


class exprel(sympy.Function):
    """``(exp(x) - 1)/x``, continuous at 0 (as in Brian2)."""

    nargs = 1


class exp_divided_difference(sympy.Function):
    """``exp[z0, ..., zk]``, the divided difference of the exponential at its arguments, finite
    where they coincide (:func:`snnzoo.engine.runtime.exp_divided_difference`); the engine writes
    it, a model cannot."""

    is_real = True


class int_(sympy.Function):
    """Truncation to an integer of a dimensionless value (``int(v/mV)``, as Brian2);
    ``int(condition)`` is 1 or 0."""

    nargs = 1
    is_real = True  # so that min(), max() and clip() accept it

    def _sympystr(self, printer) -> str:
        """Shown in messages as the user writes it: ``int(t > 1*ms)``, not ``int_(...)``."""
        return f"int({printer._print(self.args[0])})"


class _RandomDraw(sympy.Function):
    """A random number drawn where the expression is evaluated (per neuron, per step), never
    while it is parsed: sympy would otherwise evaluate a call named like an mpmath function
    (``mpmath.rand``) to a number, so ``rand() < 0.3`` became a constant True or False.

    The user writes ``rand()``; the parser adds the call's place in the text as the one
    argument, so that two calls are two draws (sympy would make ``rand() - rand()`` zero)."""

    nargs = 1
    is_real = True
    is_number = False

    def _eval_evalf(self, precision):
        return None

    def _sympystr(self, printer) -> str:
        """Shown in messages as the user wrote it, ``rand()``: the call's place in the text is no argument of
        theirs (a message quoted ``5*rand(100009)``)."""
        return f"{type(self).__name__}()"


class rand(_RandomDraw):
    """A uniform random number in [0, 1)."""


class randn(_RandomDraw):
    """A standard normal random number."""


FUNCTIONS: dict[str, Callable] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "log10": lambda x: sympy.log(x, 10),
    "sqrt": sympy.sqrt,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "arctan": sympy.atan,
    "abs": sympy.Abs,
    "floor": sympy.floor,
    "ceil": sympy.ceiling,
    "sign": sympy.sign,
    "exprel": exprel,
    "int": int_,
    "rand": rand,
    "randn": randn,
    "min": sympy.Min,
    "max": sympy.Max,
    "clip": lambda x, low, high: sympy.Min(sympy.Max(x, low), high),
}

ARGUMENT_COUNTS: dict[str, tuple[int, int | None]] = {
    **{name: (1, 1) for name in FUNCTIONS if name not in ("rand", "randn", "min", "max", "clip")},
    "min": (2, None), "max": (2, None), "clip": (3, 3),
}
"""How many arguments each built-in function takes (least, most; None: any number), as Brian2 counts
them: sympy would take ``log(v, 2)`` as a logarithm to base 2, ``sqrt(v, 1)`` as ``sqrt(v)``, ``min(v)`` as ``v``."""

CONSTANTS = {"pi": sympy.pi, "e": sympy.E}
"""Names of mathematical constants in expressions (reserved as model names), as in Brian2."""

#: Functions whose argument and result are dimensionless.
_DIMENSIONLESS_FUNCTIONS = (
    sympy.exp, sympy.log, sympy.sin, sympy.cos, sympy.tan, sympy.sinh, sympy.cosh,
    sympy.tanh, sympy.atan, exprel, int_,
)

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.Mod: lambda a, b: sympy.Mod(a, b),
    ast.FloorDiv: lambda a, b: sympy.floor(a / b),  # Brian2's floor division, 'j == i // 2'
}
_COMPARE = {
    ast.Lt: sympy.StrictLessThan,
    ast.LtE: sympy.LessThan,
    ast.Gt: sympy.StrictGreaterThan,
    ast.GtE: sympy.GreaterThan,
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
}


def is_condition(expr: sympy.Basic) -> bool:
    """Whether ``expr`` is true or false rather than a number: a comparison, ``and``/``or``/``not`` of
    comparisons, or ``True``/``False``."""
    return isinstance(expr, (sympy.core.relational.Relational, sympy.And, sympy.Or, sympy.Not,
                             sympy.logic.boolalg.BooleanAtom))


def symbol(name: str) -> sympy.Symbol:
    """The one sympy symbol snnzoo uses for ``name`` (real-valued)."""
    return sympy.Symbol(name, real=True)


def parse_expression(text: str, *, where: str, functions: Mapping[str, Callable] | None = None) -> sympy.Expr:
    """Parse one expression; ``where`` names the equation or statement in errors.
    ``functions`` adds functions by name (a model's timed arrays) to the built-in ones."""
    try:
        tree = parse_within_budget(text.strip(), where)
    except SyntaxError as err:
        raise _unparsable(text, err, where) from None
    try:
        return _convert(tree.body, where, {**FUNCTIONS, **(functions or {})})
    except RecursionError:
        raise EquationError(f"{where}: the expression is nested too deeply") from None
    except (TypeError, ValueError, AttributeError) as err:  # sympy refuses the combination (e.g. a condition in log)
        raise EquationError(f"{where}: {text.strip()!r} is not a valid expression ({err})") from None


_NUMBER_AND_UNIT = re.compile(r"^\s*[+\-\u2212\u2013\u2014]?(?:inf|nan|\d*\.?\d+(?:e[+-]?\d+)?)\s*[^\W\d]",
                              re.IGNORECASE)  # a sign may be a minus or dash copied from a document


def _unparsable(text: str, err: SyntaxError, where: str) -> SnnzooError:
    """The error for a text that is no expression. One that starts with a number and a name (``"20 degC"``,
    ``"inf ms"``, ``"5 mv"``, ``"\u221270 mV"``) was meant as a quantity, and the reading of it as one says
    what is wrong (it said "cannot parse '20 degC' (invalid syntax)", and for a minus sign from a document
    "invalid character", without saying what to write)."""
    if _NUMBER_AND_UNIT.match(text):
        try:
            quantity = as_quantity(text, what=where)
            check_value(quantity.magnitude, what=where, shown=text)
        except SnnzooError as refused:
            return refused
    return EquationError(f"{where}: cannot parse {text.strip()!r} ({err.msg})")


def _convert(node: ast.AST, where: str, functions: Mapping[str, Callable]) -> sympy.Basic:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return sympy.Integer(node.value) if isinstance(node.value, int) else sympy.Float(node.value)
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return sympy.true if node.value else sympy.false
    if isinstance(node, ast.Name):
        return CONSTANTS[node.id] if node.id in CONSTANTS else symbol(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _number(_convert(node.left, where, functions)), _number(_convert(node.right, where, functions))
        if isinstance(node.op, ast.Pow):
            return power(left, right, where)
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_number(_convert(node.operand, where, functions))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
        return _convert(node.operand, where, functions)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return sympy.Not(_convert(node.operand, where, functions))
    if isinstance(node, ast.BoolOp):
        parts = [_convert(v, where, functions) for v in node.values]
        return sympy.And(*parts) if isinstance(node.op, ast.And) else sympy.Or(*parts)
    if isinstance(node, ast.Compare):
        terms = [_number(_convert(node.left, where, functions))] + [_number(_convert(c, where, functions))
                                                                    for c in node.comparators]
        relations = [
            _COMPARE[type(op)](terms[k], terms[k + 1]) for k, op in enumerate(node.ops) if type(op) in _COMPARE
        ]
        if len(relations) != len(node.ops):
            raise EquationError(f"{where}: unsupported comparison in {ast.unparse(node)!r}")
        return sympy.And(*relations) if len(relations) > 1 else relations[0]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        name = node.func.id
        if name not in functions:
            known = ", ".join(sorted(functions))
            raise EquationError(f"{where}: unknown function {name!r} (known: {known})")
        if isinstance(functions[name], type) and issubclass(functions[name], _RandomDraw):
            if node.args:
                raise EquationError(f"{where}: {name}() takes no arguments, got {ast.unparse(node)!r}")
            return functions[name](sympy.Integer(node.lineno * 100_000 + node.col_offset))
        _check_argument_count(name, functions[name], len(node.args), where)
        args = [_convert(a, where, functions) if name == "int" else _number(_convert(a, where, functions))
                for a in node.args]
        try:
            return functions[name](*args)
        except TypeError as err:
            raise EquationError(f"{where}: wrong arguments for {name}() ({err})") from None
    raise EquationError(f"{where}: unsupported syntax {ast.unparse(node)!r}")


def _check_argument_count(name: str, function: Callable, given: int, where: str) -> None:
    """Refuse a call of ``function`` (a built-in, or a sympy function with ``nargs`` such as a timed
    array) with a number of arguments it does not take, naming it as the user wrote it."""
    nargs = getattr(function, "nargs", None)
    if name in ARGUMENT_COUNTS:
        least, most = ARGUMENT_COUNTS[name]
    elif isinstance(nargs, sympy.FiniteSet):
        least, most = int(min(nargs)), int(max(nargs))
    else:
        return
    if least <= given and (most is None or given <= most):
        return
    expected = (f"{least} or more arguments" if most is None else
                "3 arguments (x, low, high)" if name == "clip" else
                f"{least} or {most} arguments" if most == least + 1 else
                f"{least} argument{'s' if least > 1 else ''}")
    raise EquationError(f"{where}: {name}() takes {expected}, got {given}")


_UNIT_BASES = frozenset({
    "volt", "ampere", "siemens", "farad", "second", "hertz", "ohm", "meter", "liter", "molar",
    "mole", "coulomb", "watt", "gram", "kelvin",
})


def _number(value: sympy.Basic) -> sympy.Basic:
    """A condition used in arithmetic counts as 1 or 0 (as in Brian: ``r0*(t > 1*second)``)."""
    if isinstance(value, (sympy.core.relational.Relational, sympy.And, sympy.Or, sympy.Not,
                          sympy.logic.boolalg.BooleanAtom)):
        return int_(value)
    return value


_SYMBOL_PREFIXES = frozenset({"femto", "pico", "nano", "micro", "milli", "centi", "kilo"})
_ONE_LETTER_SYMBOLS = frozenset("VASFsmM")
"""The one-letter unit symbols usable inside equations, each only with one of the prefixes
``_SYMBOL_PREFIXES`` (``mV``, ``pA``, ``nS``, ``uF``, ``ms``, ``cm``, ``mM``); other units by name
(``volt``, ``second``, ``mgram``, ``kelvin``, ``Mohm``)."""


def is_unit_name(name: str) -> bool:
    """Whether ``name`` is a unit usable inside equations (``mV``, ``nS``, ``umetre``, ``Mohm``...).

    Only SI electrical, time, length and amount units (with prefixes) count, so
    a typo such as ``h`` (hour) or ``b`` (barn) is reported as undefined. A one-letter
    symbol alone (``V``, ``s``, ``M``), another one (``mg``, ``C``) or one with another prefix
    (``EL``, exalitre; ``EK``, exakelvin; ``Ms``) is a model name, as in Brian2: an undefined
    ``EL`` is reported as undefined, not as a volume, and ``mg`` may name a concentration.
    """
    if name.startswith("_") or not name.isidentifier():
        return False
    try:
        unit = ureg.Unit(name)
    except Exception:  # noqa: BLE001 - pint raises several kinds for non-units
        return False
    parts = [ureg.parse_unit_name(u) for u in unit._units]
    if not (parts and all(p and p[0][1] in _UNIT_BASES for p in parts)):
        return False
    prefix = parts[0][0][0]
    one_letter_symbol = len(name) == 1 + (prefix != "")
    return not one_letter_symbol or (prefix in _SYMBOL_PREFIXES and name[-1] in _ONE_LETTER_SYMBOLS)


def unit_hint(name: str) -> str:
    """For an undefined one-letter unit symbol (``s``, ``V``), how to write the unit; else ''."""
    if name not in _ONE_LETTER_SYMBOLS:
        return ""
    return f" (as a unit, write '{ureg.Unit(name):D}')"


BRIAN2_INTERNALS = frozenset({"lastspike", "not_refractory"})
"""Names Brian2 gives its neurons' refractoriness bookkeeping (reserved here, never readable)."""


class DimensionChecker:
    """Computes the unit of an expression and reports inconsistent terms.

    ``units`` maps every model symbol name to its pint unit; names not in it
    are looked up as units (``mV``); anything else is an undefined symbol.
    """

    def __init__(self, units: Mapping[str, pint.Unit], where: str):
        self.units = units
        self.where = where

    def unit_of(self, expr: sympy.Basic) -> pint.Unit:
        """The unit of ``expr``; raises EquationError naming the offending term."""
        if isinstance(expr, sympy.Symbol):
            if expr.name in self.units:
                return self.units[expr.name]
            if is_unit_name(expr.name):
                return ureg.Unit(expr.name)
            if expr.name in BRIAN2_INTERNALS:
                raise EquationError(f"{self.where}: {expr.name!r} is one of Brian2's internal variables, which "
                                    "snnzoo models cannot read; give refractory= a time, a parameter or a condition")
            if expr.name == "xi" or expr.name.startswith("xi_"):
                raise EquationError(f"{self.where}: white noise {expr.name!r} may only appear in differential "
                                    "equations (for a random number per step use rand() or randn())")
            raise EquationError(f"{self.where}: undefined symbol {expr.name!r}{unit_hint(expr.name)}")
        if expr in (sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
            raise EquationError(f"{self.where}: a term is infinite or undefined ({shown(expr)}), as from log(0) or 1/0")
        if expr == sympy.I:  # sympy's I, never a model's variable I (a symbol): "cannot check the units of I" read so
            raise EquationError(f"{self.where}: a term is not a real number (it holds the imaginary unit), as from "
                                "log(-1) or sqrt(-2); expected real values")
        if expr.is_Number or isinstance(expr, (sympy.logic.boolalg.BooleanAtom, sympy.NumberSymbol)):
            return ureg.dimensionless
        if isinstance(expr, sympy.Add):
            return self._same(expr.args, "terms", expr)
        if isinstance(expr, sympy.Mul):
            result = ureg.dimensionless
            for factor in expr.args:
                result = result * self.unit_of(factor)
            return result
        if isinstance(expr, sympy.Pow):
            base_unit = self.unit_of(expr.base)
            exp_unit = self.unit_of(expr.exp)
            if not _dimensionless(exp_unit):
                raise EquationError(f"{self.where}: exponent {shown(expr.exp)} must be dimensionless, "
                                    f"it is in {exp_unit:~}")
            if _dimensionless(base_unit):
                return ureg.dimensionless
            if not expr.exp.is_Number:
                raise EquationError(f"{self.where}: {shown(expr)} raises a quantity in {base_unit:~} "
                                    "to a non-constant power")
            return base_unit ** float(expr.exp)
        if isinstance(expr, sympy.core.relational.Relational):
            self._same(expr.args, "sides of the comparison", expr)
            return ureg.dimensionless
        if isinstance(expr, (sympy.And, sympy.Or, sympy.Not)):
            for arg in expr.args:
                self.unit_of(arg)
            return ureg.dimensionless
        if isinstance(expr, sympy.Piecewise):
            for value, condition in expr.args:
                self.unit_of(condition)
            return self._same([value for value, _ in expr.args], "branches", expr)
        if isinstance(expr, (rand, randn)):
            return ureg.dimensionless
        if hasattr(expr, "timed_array"):
            return expr.timed_array.unit_of_call(expr, self)
        if isinstance(expr, (sympy.Min, sympy.Max)):
            return self._same(expr.args, "arguments", expr)
        if isinstance(expr, (sympy.Abs, sympy.floor, sympy.ceiling)):
            return self.unit_of(expr.args[0])
        if isinstance(expr, sympy.sign):  # the sign of a quantity of any unit is -1, 0 or 1
            self.unit_of(expr.args[0])
            return ureg.dimensionless
        if isinstance(expr, sympy.Mod):
            return self._same(expr.args, "sides of %", expr)
        if isinstance(expr, _DIMENSIONLESS_FUNCTIONS) or (
            isinstance(expr, sympy.Function) and expr.func in _DIMENSIONLESS_FUNCTIONS
        ):
            for arg in expr.args:
                unit = self.unit_of(arg)
                if not _dimensionless(unit):
                    raise EquationError(
                        f"{self.where}: the argument of {expr.func.__name__.rstrip('_')}() must be dimensionless, "
                        f"but {shown(arg)} is in {unit:~}"
                    )
            return ureg.dimensionless
        raise EquationError(f"{self.where}: cannot check the units of {shown(expr)}")

    def _same(self, parts, what: str, whole) -> pint.Unit:
        # ``0*mV`` parses to the number 0, which fits every dimension ('v > 0*mV')
        parts = [p for p in parts if not is_zero(p)] or [sympy.Integer(0)]
        units = [self.unit_of(p) for p in parts]
        first = units[0]
        for part, unit in zip(parts[1:], units[1:]):
            if not same_dimension(unit, first):
                raise EquationError(
                    f"{self.where}: inconsistent units between {what}: '{shown(parts[0])}' is in "
                    f"{shown_unit(first)} but '{shown(part)}' is in {shown_unit(unit)}"
                )
        return first


def shown(expr: sympy.Basic) -> str:
    """An expression (a term of one) as a message quotes it: ``0.1``, not sympy's ``0.100000000000000``,
    and ``rand()``, ``int(...)`` as written (see their ``_sympystr``)."""
    return sympy.sstr(expr, full_prec=False)


def is_zero(expr: sympy.Basic) -> bool:
    """Whether ``expr`` is the number 0 (what ``0*mV`` parses to): it has every dimension."""
    return isinstance(expr, sympy.Number) and expr == 0


def _dimensionless(unit: pint.Unit) -> bool:
    return ureg.Quantity(1, unit).dimensionless


def shown_unit(unit: pint.Unit) -> str:
    """A unit with its dimension for messages (``mV [voltage]``), or ``dimensionless``."""
    return f"{unit:~} {dimension_of(unit)}" if not _dimensionless(unit) else "dimensionless"


def number_magnitudes(expr: sympy.Basic) -> tuple[float, float] | None:
    """The smallest and largest magnitude of the finite non-zero numbers in ``expr`` (None if it has
    none): the constants a kernel computing ``expr`` holds."""
    magnitudes = [abs(float(n)) for n in expr.atoms(sympy.Number) if n.is_finite and n != 0]
    return (min(magnitudes), max(magnitudes)) if magnitudes else None


def substitute_units(expr: sympy.Basic, model_names) -> sympy.Basic:
    """Replace every unit symbol (``mV``) by its SI value as a float."""
    replacements = {
        s: sympy.Float(ureg.Quantity(1, s.name).to_base_units().magnitude)
        for s in expr.free_symbols
        if s.name not in model_names and is_unit_name(s.name)
    }
    return expr.xreplace(replacements) if replacements else expr


def numpy_function(expr: sympy.Basic, names: list[str]):
    """A numpy function of the symbols ``names`` (in that order) evaluating ``expr``."""
    helpers = {
        "int_": lambda x: np.trunc(np.asarray(x, dtype=float)),
        "exprel": lambda x: np.where(np.abs(x) < 1e-16, 1.0, np.expm1(x) / np.where(x == 0, 1.0, x)),
    }
    symbols = [sympy.Symbol(n, real=True) for n in names]
    return sympy.lambdify(symbols, expr, modules=[helpers, "numpy"])


class NumericExpression:
    """An expression, parsed and checked for units, evaluated with numpy on SI values.

    Units in the text (``5*mV``) become their SI values; ``rand()`` and
    ``randn()`` become one uniform or normal draw per element.
    """

    def __init__(self, text: str, units: Mapping[str, pint.Unit], *, where: str,
                 expected: pint.Unit | None = None, expected_what: str = "the target",
                 draws: bool = False, instead: str = ""):
        """``units`` gives the unit of every symbol the text may use; with ``expected``
        the result must have that dimension (``expected_what`` names it in the error).
        Unless ``draws`` (the caller gives a random generator and a size), ``rand()`` and
        ``randn()`` are refused, with ``instead`` saying what to use."""
        expr = parse_expression(text, where=where)
        if not draws and expr.atoms(rand, randn):
            raise ConfigError(f"{where}: {text!r} draws random numbers, which this expression cannot"
                              + (f"; {instead}" if instead else ""))
        undefined = sorted(s.name for s in expr.free_symbols
                           if s.name not in units and not is_unit_name(s.name) and s.name not in BRIAN2_INTERNALS)
        if undefined:
            raise EquationError(f"{where}: undefined symbol {undefined[0]!r}{unit_hint(undefined[0])} in {text!r} (it may use "
                                f"{', '.join(sorted(units)) or 'no names'}, units and numbers)")
        self.unit = DimensionChecker(units, f"{where} = {text.strip()!r}").unit_of(expr)  # the text, as given
        self.is_condition = is_condition(expr)
        """Whether the value is true or false (a comparison) rather than a number."""
        if expected is not None and not same_dimension(self.unit, expected):
            raise ConfigError(f"{where}: {text!r} is in {shown_unit(self.unit)} but {expected_what} is in {shown_unit(expected)}")
        numeric = substitute_units(expr, set(units))
        self.randoms = sorted(numeric.atoms(rand, randn), key=lambda call: (type(call).__name__, str(call.args[0])))
        numeric = numeric.xreplace({call: symbol(f"_random{k}") for k, call in enumerate(self.randoms)})
        self.names = sorted(s.name for s in numeric.free_symbols)
        """The symbols the expression reads, in call order."""
        self._function = numpy_function(numeric, self.names)

    def __call__(self, values: Mapping[str, object], rng: np.random.Generator | None = None,
                 size: int | None = None) -> np.ndarray:
        """The value for ``values`` (symbol name -> SI number or array); random calls draw
        ``size`` numbers each from ``rng``."""
        env = dict(values)
        for k, call in enumerate(self.randoms):
            env[f"_random{k}"] = (rng.random if isinstance(call, rand) else rng.standard_normal)(size)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # NaN and infinity: every caller
            return np.asarray(self._function(*[env[n] for n in self.names]), dtype=float)  # names them


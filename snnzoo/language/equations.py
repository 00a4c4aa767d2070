"""Brian-style model equations: one line each, parsed once.

Forms::

    dv/dt = (EL - v)/tau : volt (unless refractory)   # differential equation
    I_syn = g*(E - v) : amp                            # subexpression
    I : amp                                            # per-neuron variable (input)
    I_shared : 1 (linked)                              # filled from another population

Synapse models (:class:`snnzoo.language.synapse_model.SynapseModel`) add three flags:
``(event-driven)`` and ``(clock-driven)`` on differential equations, and
``(summed)`` on ``x_post = expression : unit`` lines.

Comments start with ``#``. Units after the colon use pint spelling (``volt``,
``mV``, ``siemens``, ``1`` for dimensionless).
"""

from __future__ import annotations

import difflib
import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pint
import sympy

from ..errors import EquationError
from ..units import parse_unit
from .expressions import FUNCTIONS, is_unit_name, parse_expression, rand, randn

_DIFFERENTIAL = re.compile(r"^d\s*([A-Za-z_]\w*)\s*/\s*dt\s*=\s*(.+)$")
_SUBEXPRESSION = re.compile(r"^([A-Za-z_]\w*)\s*=\s*(.+)$")
_DECLARATION = re.compile(r"^([A-Za-z_]\w*)$")
_FLAGS = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")

KNOWN_FLAGS = frozenset({"unless refractory", "linked", "constant", "event-driven", "clock-driven", "summed"})
BRIAN2_ONLY_FLAGS = {
    "shared": "a value shared by all neurons (or synapses) is a parameter here (one value unless given per neuron)",
    "constant over dt": "rand() and randn() draw in thresholds, resets and run_regularly; for noise in "
                        "equations use xi, or a noise stimulus",
}
"""Brian2 flags snnzoo does not have, with what to write instead."""
RESERVED = frozenset({"t", "dt", "i", "N", "xi", "not_refractory", "lastspike", "pi", "e", "True", "False"})
ENGINE_PREFIX = "_"
"""Names the engine generates (``_new_v``, ``_h0_1``...) start with this; model names may not."""


def check_model_name(name: str, where: str) -> None:
    """Refuse a variable or parameter name the engine reserves (``t``, ``dt``, ``N``, ``xi_1``...) or
    generates (``_...``), and one that expressions read as something else, as Brian2 does: a unit
    (``ms``: ``5*ms`` would use the parameter), a function (``exp``) or a Python keyword (``if``)."""
    if name in RESERVED or name.startswith("xi_"):
        raise EquationError(f"{where}: {name!r} is a reserved name ({', '.join(sorted(RESERVED))}, "
                            "and xi_... for white noise)")
    if keyword.iskeyword(name):
        raise EquationError(f"{where}: {name!r} is a Python keyword, which expressions cannot use as a name; rename it")
    if name in FUNCTIONS:
        raise EquationError(f"{where}: {name!r} is the name of a function ({name}() in expressions); rename it")
    if is_unit_name(name):
        raise EquationError(f"{where}: {name!r} is the name of a unit (as in '5*{name}' in expressions); rename it")
    if name.startswith(ENGINE_PREFIX):
        raise EquationError(f"{where}: {name!r} starts with {ENGINE_PREFIX!r}, which is kept for names the engine "
                            "generates; rename it")


@dataclass(frozen=True)
class Equation:
    """One parsed line: ``kind`` is "differential", "subexpression" or "variable"."""

    kind: str
    name: str
    expr: sympy.Expr | None
    unit: pint.Unit
    unit_text: str
    flags: frozenset[str]
    text: str

    @property
    def where(self) -> str:
        """How errors refer to this equation."""
        return f"equation '{self.text}'"


def parse_equations(text: str, *, where: str, functions: Mapping[str, Callable] | None = None) -> list[Equation]:
    """Parse a block of equations; errors name the model (``where``, e.g. ``"model 'lif'"``) and the
    offending line. ``functions`` adds callable names (a model's timed arrays)."""
    equations: list[Equation] = []
    seen: set[str] = set()
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        equation = _parse_line(line, functions, where)
        if equation.name in seen:
            raise EquationError(f"{where}: {equation.where}: {equation.name!r} is defined twice")
        if equation.name in (functions or {}):
            raise EquationError(f"{where}: {equation.where}: {equation.name!r} is also the name of a timed array "
                                "the model calls; rename one")
        seen.add(equation.name)
        equations.append(equation)
    if not equations:
        raise EquationError(f"{where}: equations: no equation given (expected lines such as 'dv/dt = -v/tau : volt')")
    return equations


def _parse_line(line: str, functions: Mapping[str, Callable] | None, owner: str) -> Equation:
    where = f"{owner}: equation '{line}'"
    if ":" not in line:
        raise EquationError(f"{where}: missing ': unit' (e.g. 'dv/dt = -v/tau : volt')")
    body, unit_part = line.rsplit(":", 1)
    body = body.strip()
    flags: frozenset[str] = frozenset()
    match = _FLAGS.match(unit_part.strip())
    if match:
        unit_part = match.group(1)
        flags = frozenset(f.strip() for f in match.group(2).split(",") if f.strip())
        brian2_only = sorted(flags & set(BRIAN2_ONLY_FLAGS))
        if brian2_only:
            raise EquationError(f"{where}: Brian2's flag '({brian2_only[0]})' is not supported: "
                                f"{BRIAN2_ONLY_FLAGS[brian2_only[0]]}")
        unknown = sorted(flags - KNOWN_FLAGS)
        if unknown:
            close = difflib.get_close_matches(unknown[0], sorted(KNOWN_FLAGS), n=1)
            raise EquationError(f"{where}: unknown flag(s) {unknown}" + (f"; did you mean {close[0]!r}?" if close else "")
                                + f" (known: {sorted(KNOWN_FLAGS)})")
    unit_text = unit_part.strip()
    if not unit_text:
        raise EquationError(f"{where}: no unit after ':' (write ': 1' for a dimensionless quantity)")
    unit = parse_unit(unit_text, what=where)
    for pattern, kind in ((_DIFFERENTIAL, "differential"), (_SUBEXPRESSION, "subexpression"), (_DECLARATION, "variable")):
        m = pattern.match(body)
        if m:
            name = m.group(1)
            check_model_name(name, where)
            expr = parse_expression(m.group(2), where=where, functions=functions) if kind != "variable" else None
            if expr is not None and expr.atoms(rand, randn):
                raise EquationError(f"{where}: rand() and randn() cannot appear in equations (Brian2's "
                                    "'(constant over dt)' is not supported); use xi for white noise, or rand() in "
                                    "a threshold, reset or run_regularly")
            if "unless refractory" in flags and kind != "differential":
                raise EquationError(f"{where}: '(unless refractory)' only applies to differential equations")
            if "linked" in flags and kind != "variable":
                raise EquationError(f"{where}: '(linked)' only applies to declarations such as 'I : amp (linked)'")
            if "constant" in flags and kind != "variable":
                raise EquationError(f"{where}: '(constant)' only applies to declarations such as 'tau : second (constant)'")
            if "linked" in flags and len(flags) > 1:  # as Brian2 refuses it
                raise EquationError(f"{where}: '(linked)' goes with no other flag, got {sorted(flags)}: a linked "
                                    "variable takes its source's values every step (set the source's flags there)")
            if flags & {"event-driven", "clock-driven"} and kind != "differential":
                raise EquationError(f"{where}: '(event-driven)' and '(clock-driven)' only apply to differential equations")
            if "summed" in flags and kind != "subexpression":
                raise EquationError(f"{where}: '(summed)' only applies to 'x_post = expression : unit' lines")
            return Equation(kind, name, expr, unit, unit_text, flags, line)
    raise EquationError(f"{where}: expected 'dx/dt = ... : unit', 'x = ... : unit' or 'x : unit'")


def statement_texts(text: str) -> list[str]:
    """The statements of ``text`` as written (separated by ``;`` or line breaks; comments and empty ones left
    out): what messages about one quote."""
    return [part for part in (piece.split("#", 1)[0].strip() for piece in re.split(r"[;\n]", text)) if part]


def parse_statements(text: str, *, where: str,
                     functions: Mapping[str, Callable] | None = None) -> list[tuple[str, str, sympy.Expr]]:
    """Parse reset statements ``v = Vr; w += b`` into (target, operator, expression), one per
    :func:`statement_texts`; ``functions`` adds callable names (a model's timed arrays)."""
    statements = []
    for part in statement_texts(text):
        m = re.match(r"^([A-Za-z_]\w*)\s*(\+=|-=|\*=|/=|=)\s*(.+)$", part)
        if not m:
            raise EquationError(f"{where}: cannot parse statement {part!r} (expected 'v = Vr' or 'w += b')")
        statements.append((m.group(1), m.group(2), parse_expression(m.group(3), where=f"{where} '{part}'",
                                                                    functions=functions)))
    return statements

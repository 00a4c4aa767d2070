"""Synapse models: per-synapse state with units, event-driven and clock-driven
equations, ``on_pre``/``on_post`` pathways and summed variables.

A :class:`SynapseModel` is pure data, parsed and dimension-checked when it is
made, like a :class:`snnzoo.language.model.NeuronModel`. Names in its equations and
statements are, in this order of lookup:

- its own variables, parameters and subexpressions (``w``, ``Apre``, ``taupre``); ``t``, ``dt``,
  and ``i``, ``j``: the synapse's pre- and postsynaptic neuron indices;
- ``x_pre`` / ``x_post``: variable ``x`` of the presynaptic / postsynaptic neuron;
- any other name: a variable of the postsynaptic neuron (``ge += w`` is ``ge_post += w``),
  as in Brian2.

References to neuron variables are checked (existence, units) when a projection
binds the model to its neuron models (:meth:`SynapseModel.bind`), before
anything runs.

Equation flags:

- ``(event-driven)``: linear in the variable itself, with parameters as
  coefficients (``dApre/dt = -Apre/taupre``); updated exactly, only at the
  synapse's events (as Brian2 does): a pathway first advances every
  event-driven variable over the time since the synapse's last event, then runs
  its statements.
- ``(clock-driven)``: integrated every step with the model's integrator.
- ``(summed)``: ``x_post = expression : unit`` sets the postsynaptic variable
  ``x`` (declared ``x : unit`` in the neuron model) to the sum of ``expression``
  over the neuron's incoming synapses (of every projection summing into ``x``) at the start of every step.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pint
import sympy

from ..errors import ConfigError, EquationError, UnusedParameterWarning
from ..units import dimension_of, quantity_text, to_si, unit_text, ureg
from .arguments import constructor_checked
from .default_hint import default_hint
from .equations import Equation, parse_equations, parse_statements, statement_texts
from .expressions import (BRIAN2_INTERNALS, DimensionChecker, is_unit_name, is_zero, number_magnitudes,
                          same_dimension, substitute_units, symbol)
from .integrators import OdeSystem
from .model import (NeuronModel, ParameterSpec, check_argument_kinds, checked_references, page_heading, parameter_specs, parameter_table,
                    parameters_dict, parameters_used_nowhere, reference_lines,
                    stacklevel_outside_snnzoo)

Statement = tuple[str, str, sympy.Basic]
"""``(target, operator, expression)``, e.g. ``("w", "=", clip(w + Apost, 0, wmax))``."""

PATHWAYS = ("on_pre", "on_post")
SYNAPSE_FLAGS = ("event-driven", "clock-driven", "summed", "constant")
NEURON_ONLY_FLAGS = frozenset({"unless refractory", "linked"})
"""Flags a synapse model refuses (Brian2 refuses them in Synapses too): it has no refractoriness and no links."""
BRIAN2_SYNAPSE_VARIABLES = {
    "lastupdate": "the time of the synapse's last event (event-driven variables are advanced over the time since it)",
    "N_incoming": "the number of synapses onto the postsynaptic neuron (declare a parameter and give it the value "
                  "'N_incoming' in connect: parameters={'n_in': 'N_incoming'})",
    "N_outgoing": "the number of synapses from the presynaptic neuron (declare a parameter and give it the value "
                  "'N_outgoing' in connect: parameters={'n_out': 'N_outgoing'})",
}
"""Variables Brian2 gives every Synapses object that snnzoo synapse models do not have, with what they hold."""
BUILTIN_NAMES = {"t": ureg.second, "dt": ureg.second, "i": ureg.dimensionless, "j": ureg.dimensionless}
"""Names every synapse model may read: the time, the time step, and the synapse's presynaptic (``i``) and
postsynaptic (``j``) neuron indices in their groups (as in weight expressions)."""


def reference(name: str) -> tuple[str, str]:
    """``"ge_post"`` -> ``("post", "ge")``, ``"v_pre"`` -> ``("pre", "v")``, else ``("", name)``."""
    for side in ("pre", "post"):
        if name.endswith(f"_{side}") and len(name) > len(side) + 1:
            return side, name[: -len(side) - 1]
    return "", name


def _shown(unit: pint.Unit) -> str:
    return "dimensionless units" if unit == ureg.dimensionless else f"{unit:~} {dimension_of(unit)}"


@constructor_checked
class SynapseModel:
    """A synapse model declared as Brian-style equations with units.

    Parameters
    ----------
    name: registry name, e.g. ``"stdp"``.
    equations: per-synapse variables (``w : 1``), ``(event-driven)`` and
        ``(clock-driven)`` differential equations, subexpressions and
        ``x_post = ... : unit (summed)`` lines.
    parameters: name -> default (quantity, ``"20 ms"``, number or
        :class:`snnzoo.Parameter`); a projection may give one value per synapse.
    on_pre: statements run for each synapse of a presynaptic spike (after its
        delay), e.g. ``"ge += w; Apre += dApre; w = clip(w + Apost, 0, wmax)"``.
    on_post: statements run for each synapse of a postsynaptic spike.
    initial: variable -> initial value (quantity or number).
    integrator: the integrator of the clock-driven equations (default: the network's).
    """

    def __init__(
        self,
        name: str,
        equations: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        on_pre: str | None = None,
        on_post: str | None = None,
        initial: Mapping[str, Any] | None = None,
        integrator: str | None = None,
        description: str = "",
        references: Sequence[str] = (),
    ):
        self.name = name
        self.where = f"synapse model {name!r}"
        check_argument_kinds({"name": name, "parameters": parameters, "initial": initial, "integrator": integrator,
                              "description": description}, self.where)  # the texts of the model: self._text
        self.description = description.strip()
        self.references = checked_references(references, self.where)
        self.integrator = integrator
        equations = self._text(equations, "equations")
        on_pre, on_post = (self._text(text, pathway) for text, pathway in ((on_pre, "on_pre"), (on_post, "on_post")))
        self.equations_text = equations.strip("\n")
        self.equations: list[Equation] = parse_equations(equations, where=self.where)
        self.parameters: dict[str, ParameterSpec] = parameter_specs(self.where, self.equations, parameters or {})
        self.constants = {e.name for e in self.equations if "constant" in e.flags}
        self.event_driven = [e.name for e in self.equations if "event-driven" in e.flags]
        self.clock_driven = [e.name for e in self.equations if "clock-driven" in e.flags]
        self.variables = [e.name for e in self.equations if e.kind == "variable" and e.name not in self.parameters]
        self.subexpressions = {e.name: e.expr for e in self.equations
                               if e.kind == "subexpression" and "summed" not in e.flags}
        self.summed = {e.name: e for e in self.equations if "summed" in e.flags}
        self.units: dict[str, pint.Unit] = {e.name: e.unit for e in self.equations if e.name not in self.summed}
        self.units.update({p.name: p.unit for p in self.parameters.values()})
        self.pathway_text = {"on_pre": (on_pre or "").strip(), "on_post": (on_post or "").strip()}
        self.pathways: dict[str, list[Statement]] = {
            pathway: parse_statements(text, where=f"{self.where}: {pathway}") if text else []
            for pathway, text in self.pathway_text.items()
        }
        if not self.pathways["on_pre"] and not self.pathways["on_post"] and not self.summed:
            raise EquationError(f"{self.where}: give on_pre (and/or on_post) statements, e.g. on_pre='ge += w', "
                                "or a summed variable (a gap junction: 'I_gap_post = w*(v_pre - v_post) : amp (summed)')")
        self._check_equations()
        self.initial = {var: to_si(value, self.units[var], what=f"{self.where}: initial value of {var!r}")
                        for var, value in self._known_initial(initial or {}).items()}
        self.initial_text = {var: quantity_text(value) for var, value in (initial or {}).items()}
        # the synapse's own names must check out without any neuron model
        self._check_statements(own_only=True)
        for problem in self.unused_parameters():
            warnings.warn(problem, UnusedParameterWarning, stacklevel=stacklevel_outside_snnzoo())

    def unused_parameters(self) -> list[str]:
        """One line per parameter that appears nowhere in the equations, pathways or initial values (as a neuron
        model's :meth:`~snnzoo.language.model.NeuronModel.unused_parameters`)."""
        texts = [self.equations_text, *self.pathway_text.values(), *map(str, self.initial_text.values())]
        return parameters_used_nowhere(self.where, self.parameters, texts, "equations, on_pre, on_post or initial values")

    @property
    def state_variables(self) -> list[str]:
        """Per-synapse values that change during a run (declared variables and differential equations)."""
        return self.variables + self.event_driven + self.clock_driven

    @property
    def recordables(self) -> list[str]:
        """What ``record_synapses`` can record: state variables and parameters."""
        return self.state_variables + list(self.parameters)

    # -- checks ---------------------------------------------------------------------------
    def _text(self, value: Any, what: str) -> Any:
        """``value`` if it is text (or None, for a pathway left out); anything else is refused,
        a table of pathways (Brian2's ``on_pre={'up': ..., 'down': ...}``) with what to do instead."""
        if (value is None and what in PATHWAYS) or isinstance(value, str):
            return value
        if isinstance(value, Mapping) and what in PATHWAYS:
            raise ConfigError(f"{self.where}: {what} is a table of pathways {sorted(map(str, value))}, but a synapse "
                              f"model has one {what} text (statements separated by ';' or lines); make one "
                              "projection per pathway")
        raise ConfigError(f"{self.where}: {what} must be text, got {type(value).__name__} {value!r}")

    def _known_initial(self, initial: Mapping[str, Any]) -> Mapping[str, Any]:
        for var in initial:
            if var not in self.state_variables:
                raise EquationError(f"{self.where}: initial value for {var!r}, which is not a state variable "
                                    f"(state variables: {', '.join(self.state_variables)})")
        return initial

    def _check_equations(self) -> None:
        for eq in self.equations:
            neuron_only = sorted(eq.flags & NEURON_ONLY_FLAGS)
            if neuron_only:
                raise EquationError(f"{self.where}: {eq.where}: the flag(s) {neuron_only} belong in neuron models "
                                    f"(a synapse model's flags: {', '.join(SYNAPSE_FLAGS)})")
            if {"event-driven", "clock-driven"} <= eq.flags:
                raise EquationError(f"{self.where}: {eq.where}: give '(event-driven)' or '(clock-driven)', not both")
            if eq.expr is not None and any(s.name == "xi" or s.name.startswith("xi_") for s in eq.expr.free_symbols):
                raise EquationError(f"{self.where}: {eq.where}: white noise (xi) is not supported in synapse models; "
                                    "put the noise in the neuron model")
            if eq.kind == "differential" and not eq.flags & {"event-driven", "clock-driven"}:
                raise EquationError(f"{self.where}: {eq.where}: a synaptic differential equation needs "
                                    "'(event-driven)' or '(clock-driven)'")
            if eq.name in self.summed and reference(eq.name)[0] != "post":
                raise EquationError(f"{self.where}: {eq.where}: a summed variable is written 'x_post = ...' "
                                    "(the postsynaptic variable x)")
            if "event-driven" in eq.flags:
                self._check_event_driven(eq)
            if eq.name in self.summed or "clock-driven" in eq.flags:
                self._check_reads_no_event_driven(eq)

    def _check_reads_no_event_driven(self, eq: Equation) -> None:
        """A summed variable or a clock-driven equation is evaluated every step, but an event-driven
        variable is brought up to date only at the synapse's events: it would read a stale value
        (Brian2 refuses this too)."""
        stale = sorted(s.name for s in self.expand(eq.expr).free_symbols if s.name in self.event_driven)
        if stale:
            what = "summed variable" if eq.name in self.summed else "clock-driven equation"
            raise EquationError(
                f"{self.where}: {eq.where}: this {what} is evaluated every step but reads the event-driven "
                f"{', '.join(map(repr, stale))}, which is brought up to date only when the synapse gets a spike; "
                f"declare {', '.join(map(repr, stale))} (clock-driven)")

    def _check_event_driven(self, eq: Equation) -> None:
        x = symbol(eq.name)
        rhs = self.expand(eq.expr)
        slope = sympy.diff(rhs, x)
        others = sorted(s.name for s in rhs.free_symbols
                        if s != x and s.name not in self.parameters and not is_unit_name(s.name))
        if x in slope.free_symbols or others:
            found = f"it uses {', '.join(others)}" if others else f"it is not linear in {eq.name}"
            raise EquationError(
                f"{self.where}: {eq.where}: an event-driven equation must be linear in its own variable "
                f"with parameters as coefficients (dx/dt = a*x + b), but {found}; use '(clock-driven)'")

    def expand(self, expr: sympy.Basic) -> sympy.Basic:
        """``expr`` with the synapse's subexpressions substituted in (repeatedly)."""
        for _ in range(len(self.subexpressions) + 1):
            replaced = expr.xreplace({symbol(n): e for n, e in self.subexpressions.items()})
            if replaced == expr:
                return expr
            expr = replaced
        raise EquationError(f"{self.where}: subexpressions {sorted(self.subexpressions)} refer to each other in a cycle")

    def _canonical(self, name: str) -> str:
        """A name as the engine sees it: synaptic names as they are, neuron variables as ``x_pre``/``x_post``."""
        if name in self.units or name in BUILTIN_NAMES or is_unit_name(name) and not reference(name)[0]:
            return name
        side, base = reference(name)
        return f"{base}_{side or 'post'}"

    def _external(self, expr: sympy.Basic) -> set[str]:
        """The neuron references (canonical names) an expression uses."""
        names = set()
        for s in self.expand(expr).free_symbols:
            if s.name not in self.units and s.name not in BUILTIN_NAMES and not (is_unit_name(s.name) and not reference(s.name)[0]):
                names.add(self._canonical(s.name))
        return names

    def _checks(self) -> list[tuple[str, str | None, sympy.Basic, pint.Unit, str]]:
        """Everything to dimension-check: (where, target, expression, expected unit, operator)."""
        items = []
        for eq in self.equations:
            if eq.expr is None:
                continue
            want = eq.unit / ureg.second if eq.kind == "differential" else eq.unit
            items.append((f"{self.where}: {eq.where}", eq.name if eq.name in self.summed else None, eq.expr, want, "="))
        for pathway, statements in self.pathways.items():
            for (target, op, expr), text in zip(statements, statement_texts(self.pathway_text[pathway])):
                items.append((f"{self.where}: {pathway} '{text}'", target, expr, None, op))
        return items

    def _check_statements(self, own_only: bool, neuron_units: Mapping[str, pint.Unit] | None = None,
                          prefix: str = "") -> None:
        """Dimension checks; ``own_only`` skips everything that refers to neuron variables;
        ``prefix`` (the projection) starts every error."""
        units = dict(self.units)
        units.update(BUILTIN_NAMES)
        for where, target, expr, want, op in self._checks():
            where = prefix + where
            external = self._external(expr)
            target_name = None
            if target is not None:
                target_name = target if target in self.units else self._canonical(target)
                if target_name in BUILTIN_NAMES:
                    raise EquationError(f"{where}: {target!r} is given by the simulation ({', '.join(BUILTIN_NAMES)}: "
                                        "the time, the time step and the synapse's neuron indices); it cannot be written")
                if target_name in self.constants:
                    raise EquationError(f"{where}: {target!r} is declared (constant), so no pathway may change it; "
                                        "give its value with initial= when connecting")
                if target_name in self.parameters:
                    raise EquationError(f"{where}: {target!r} is a parameter (constant); declare it "
                                        f"'{target} : {unit_text(self.parameters[target].unit)}' to make it a variable")
                if target_name not in self.units:
                    external.add(target_name)
            if own_only and external:
                continue
            known = dict(units)
            if neuron_units is not None:
                known.update(neuron_units)
            got = DimensionChecker(known, where).unit_of(self.canonical(expr))
            if want is None:
                want = known[target_name]
                if op in ("*=", "/="):
                    want = ureg.dimensionless
            if not same_dimension(got, want) and not is_zero(expr):
                said = f"the value is in {_shown(got)} but {target} must be in" if target else \
                    f"the right-hand side is in {_shown(got)} but must be in"
                hint = default_hint(self.canonical(expr), want, self.parameters,
                                    lambda respelt: DimensionChecker({**known, **respelt}, where))
                raise EquationError(f"{where}: {said} {_shown(want)} (inconsistent units){hint}")

    # -- binding to neuron models ------------------------------------------------------------
    def bind(self, pre: NeuronModel | None, post: NeuronModel, where: str) -> BoundSynapse:
        """Check the model against its presynaptic (None for a spike source) and postsynaptic
        neuron models: every neuron variable it reads or writes exists, units agree, summed
        variables are declared by the target. ``where`` names the projection in errors."""
        here = f"{where}: {self.where}"
        for name, eq in self.summed.items():
            base = reference(name)[1]
            if base not in post.variables:
                problem = (f"{base!r} has a differential equation in the postsynaptic model {post.name!r}; a sum "
                           f"sets a variable declared without one (a line '{base} : {eq.unit_text}' in its equations)"
                           if base in post.state_variables else
                           f"the postsynaptic model {post.name!r} does not declare {base!r} (expected a line "
                           f"'{base} : {eq.unit_text}' in its equations)")
                raise EquationError(f"{here}: summed variable {name!r}: {problem}")
            if not same_dimension(eq.unit, post.units[base]):
                raise EquationError(f"{here}: summed variable {name!r} is in {_shown(eq.unit)} but the postsynaptic "
                                    f"model {post.name!r} declares {base!r} in {_shown(post.units[base])} "
                                    "(inconsistent units)")
            post.check_written(base, f"{here}: summed variable {name!r}")
        neuron_units: dict[str, pint.Unit] = {}
        for where_used, target, expr, _, _ in self._checks():
            names = self._external(expr)
            if target is not None and target not in self.units:
                names.add(self._canonical(target))
            for name in sorted(names):
                side, base = reference(name)
                model = pre if side == "pre" else post
                if model is None:
                    raise EquationError(f"{where}: {where_used}: {name!r} refers to the presynaptic neuron, "
                                        "but the source is a spike source without variables")
                available = model.state_variables + model.variables + list(model.parameters)
                role = "presynaptic" if side == "pre" else "postsynaptic"
                verb = "writes" if target is not None and self._canonical(target) == name else "reads"
                if base in model.subexpressions:  # the kernel reads neuron arrays and parameters only
                    raise EquationError(f"{where}: {where_used} {verb} {name!r}, but {base!r} is a subexpression of "
                                        f"the {role} model {model.name!r} ({base} = {model.subexpressions[base]}); "
                                        f"a synapse model reads neuron variables and parameters: write the "
                                        f"expression out with '_{side}' names")
                if base in BRIAN2_INTERNALS and base not in available:
                    raise EquationError(f"{where}: {where_used} {verb} {name!r}: {base!r} is one of Brian2's internal "
                                        f"variables of the {role} neuron, which snnzoo synapse models cannot read; keep "
                                        f"what you need in the synapse model (a variable 't{side} : second' and "
                                        f"'t{side} = t' in on_{side})")
                if base in BRIAN2_SYNAPSE_VARIABLES and base not in available:
                    raise EquationError(f"{where}: {where_used} reads {base!r}, which Brian2 defines for its synapses: "
                                        f"{BRIAN2_SYNAPSE_VARIABLES[base]}; snnzoo synapse models do not have it")
                if base not in available:
                    close = difflib.get_close_matches(base, available, n=1)
                    hint = f"; did you mean {close[0] + '_' + side!r}?" if close else ""
                    raise EquationError(f"{where}: {where_used} {verb} {name!r}, but the {role} model "
                                        f"{model.name!r} has no variable {base!r}{hint}")
                neuron_units[name] = model.units[base]
        for pathway, statements in self.pathways.items():
            for (target, _, _), text in zip(statements, statement_texts(self.pathway_text[pathway])):
                name = self._canonical(target)
                side, base = reference(name)
                if side == "pre" and name not in self.units:
                    raise EquationError(f"{where}: {self.where}: {pathway} '{text}': "
                                        "writing presynaptic variables is not supported")
                if side == "post" and base not in post.state_variables + post.variables:
                    raise EquationError(f"{where}: {self.where}: {pathway} '{text}' writes "
                                        f"{base!r}, which is not a variable of the postsynaptic model {post.name!r}")
                if side == "post":
                    post.check_written(base, f"{where}: {self.where}: {pathway} '{text}'")
        self._check_statements(own_only=False, neuron_units=neuron_units, prefix=f"{where}: ")
        return BoundSynapse(self, pre, post, neuron_units)

    def canonical_statements(self, pathway: str) -> list[Statement]:
        """A pathway's statements with neuron references as ``x_pre``/``x_post`` and
        subexpressions substituted in."""
        return [(self._canonical(target), op, self.canonical(expr)) for target, op, expr in self.pathways[pathway]]

    def neuron_write_magnitudes(self) -> list[tuple[str, float, float]]:
        """Each statement whose value goes into a neuron variable (a pathway writing one, a summed variable's
        equation) with the smallest and largest magnitude of the non-zero numbers it is computed with: units as
        SI numbers and subexpressions substituted in (a single-precision neuron holds what it writes in float32)."""
        statements = [(f"{pathway} '{text}'", expr) for pathway, written in self.pathways.items()
                      for (target, _, expr), text in zip(written, statement_texts(self.pathway_text[pathway]))
                      if self._canonical(target) not in self.units]
        statements += [(eq.where, eq.expr) for eq in self.summed.values()]
        found = []
        for statement, expr in statements:
            magnitudes = number_magnitudes(substitute_units(self.canonical(expr), [*self.units, *BUILTIN_NAMES]))
            if magnitudes is not None:
                found.append((statement, *magnitudes))
        return found

    def clock_driven_system(self) -> OdeSystem:
        """The clock-driven equations as the system an integrator advances every step."""
        variables = [symbol(v) for v in self.clock_driven]
        equations = {x: next(e for e in self.equations if e.name == x.name) for x in variables}
        return OdeSystem(variables, {x: self.canonical(e.expr) for x, e in equations.items()},
                         {x: {} for x in variables}, {}, self.where, {x: e.text for x, e in equations.items()})

    def canonical(self, expr: sympy.Basic) -> sympy.Basic:
        """``expr`` with neuron references as ``x_pre``/``x_post`` and subexpressions substituted in."""
        expr = self.expand(expr)
        return expr.xreplace({s: symbol(self._canonical(s.name)) for s in expr.free_symbols})

    # -- documentation ------------------------------------------------------------------------
    def describe(self) -> str:
        """A human-readable page: description, equations, pathways, parameter table, references."""
        lines = page_heading(self.name, self.description) + ["", "Synapse model. Equations:"] + [f"    {e.text}" for e in self.equations]
        for pathway in PATHWAYS:
            if self.pathway_text[pathway]:
                lines.append(f"{pathway}:")
                lines += [f"    {text}" for text in statement_texts(self.pathway_text[pathway])]
        if self.integrator:
            lines.append(f"Integrator of clock-driven equations: {self.integrator}")
        lines += parameter_table(self.parameters)
        lines += ["", "Per-synapse state: " + ", ".join(self.state_variables)]
        if self.summed:
            lines.append("Summed into the postsynaptic neuron: " + ", ".join(self.summed))
        if self.initial_text:
            lines.append("Initial values: " + ", ".join(f"{k} = {v}" for k, v in self.initial_text.items()))
        return "\n".join(lines + reference_lines(self.references))

    def to_dict(self) -> dict[str, Any]:
        """The full spec as plain data (stored in result provenance)."""
        return {
            "name": self.name,
            "equations": self.equations_text,
            "parameters": parameters_dict(self.parameters),
            "on_pre": self.pathway_text["on_pre"],
            "on_post": self.pathway_text["on_post"],
            "initial": dict(self.initial_text),
            "integrator": self.integrator,
            "references": list(self.references),
        }

    def __repr__(self) -> str:
        return f"SynapseModel({self.name!r}, state={self.state_variables}, parameters={list(self.parameters)})"


@dataclass(frozen=True)
class BoundSynapse:
    """A synapse model checked against the neuron models of one projection.

    ``neuron_units`` maps every neuron reference the model uses (``"ge_post"``) to its unit.
    """

    model: SynapseModel
    pre: NeuronModel | None
    post: NeuronModel
    neuron_units: dict[str, pint.Unit]


__all__ = ["BoundSynapse", "SynapseModel", "reference"]

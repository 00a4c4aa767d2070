"""Neuron models: equations with units, parameters with defaults, documentation.

A :class:`NeuronModel` is pure data. It is parsed and dimension-checked when it
is made, so a unit mistake is reported before anything runs. Plugin models and
models written inline by users are the same kind of object. A model made again
from arguments an earlier parse accepted reads what that parse found from the
cache folder instead (:mod:`snnzoo.language.model_summary`) and parses its
equations only when something reads them (code generation, ``describe()``).
"""

from __future__ import annotations

import copy
import difflib
import functools
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pint

from ..errors import (ConfigError, DeprecatedNameWarning, EquationError, UnitError, UnknownNameError,
                      UnusedParameterWarning, ValueRangeError)
from ..units import (Sign, as_quantity, dimension_of, is_quantity_text, parameter_sign, parse_unit, quantity_text,
                     show, show_si, to_si, unit_text, ureg)
from . import model_summary
from .arguments import constructor_checked
from .default_hint import default_hint
from .refractory import Refractoriness, period_refractoriness
from .symbolic_budget import time_budget

if TYPE_CHECKING:
    import sympy

    from .equations import Equation
    from .expressions import DimensionChecker

NOISE_UNIT = ureg.second**-0.5
SYNAPTIC_FLAGS = frozenset({"event-driven", "clock-driven", "summed"})
"""Equation flags only synapse models use."""


_PACKAGE_FOLDER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "")
"""The folder of the snnzoo package (this module is in its ``language/``): warnings point at the first frame outside it."""


def stacklevel_outside_snnzoo() -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside snnzoo (the user's
    line), however deep inside snnzoo it is raised: ``add_population``, ``set`` and ``NeuronModel``
    reach the same warning through different numbers of frames."""
    frame, level = sys._getframe(1), 1  # level 1: the function that calls warnings.warn
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_FOLDER):
        frame, level = frame.f_back, level + 1
    return level


@constructor_checked
@dataclass(frozen=True)
class Parameter:
    """A documented parameter default, e.g. ``Parameter("200 pF", "membrane capacitance")``.

    ``positive``: values must be > 0 (lengths, conductances...); ``non_negative``: values must be
    >= 0 (a concentration or a gain that may be 0). Parameters in units of time or capacitance
    are always required to be positive.
    """

    default: Any
    description: str = ""
    positive: bool = False
    non_negative: bool = False


@dataclass(frozen=True)
class ParameterSpec:
    """A model parameter: its unit, its default (SI float or None) and what it means."""

    name: str
    unit: pint.Unit
    default: float | None
    default_text: str
    description: str
    positive: bool = False
    non_negative: bool = False

    @property
    def sign(self) -> Sign | None:
        """The sign every value must have: "positive", "non-negative" or None (any)."""
        return "positive" if self.positive else "non-negative" if self.non_negative else None


_PARSING = threading.RLock()
"""Held while a model parses: another thread reading a parsed attribute waits for the parse to end."""


class _Parsed:
    """An attribute of a :class:`NeuronModel` that holds what sympy parsed (equations, threshold...):
    a model made from its summary parses itself when one is first read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, model: NeuronModel | None, owner: type | None = None) -> Any:
        if model is None:
            return self
        if model.__dict__.get("_parse_state") == "parsing":  # read before the parse set it
            raise AttributeError(self.name)
        model._parse()
        return model.__dict__[self.name]


class _UnparsedSubexpressions(Mapping):
    """The subexpressions of a model made from its summary: their names are known, reading one parses the model."""

    def __init__(self, model: NeuronModel):
        self.model = model

    def __getitem__(self, name: str) -> Any:
        self.model._parse()
        return self.model.subexpressions[name]

    def __contains__(self, name: object) -> bool:
        return name in self.model.subexpression_names

    def __iter__(self):
        return iter(self.model.subexpression_names)

    def __len__(self) -> int:
        return len(self.model.subexpression_names)


@constructor_checked
class NeuronModel:
    """A neuron model declared as Brian-style equations with units.

    Parameters
    ----------
    name: registry name, e.g. ``"adex"``.
    equations: the equations block (see :mod:`snnzoo.language.equations`).
    parameters: name -> default (quantity, ``"20 ms"`` string, plain number for
        dimensionless ones, or :class:`Parameter`). Parameters declared in the
        equations as ``C : farad`` take their unit from there.
    threshold: spike condition, e.g. ``"v > Vt"``.
    reset: statements run at a spike, e.g. ``"v = Vr; w += b"``.
    refractory: refractory period (time quantity); ``(unless refractory)``
        variables are held and the threshold is disabled during it.
    initial: state variable -> initial value (quantity or expression such as ``"EL"``).
    integrator: the default integrator name for this model.
    functions: name -> :class:`~snnzoo.language.timed_array.TimedArray` the equations call
        (``I = stim(t - delay, i) : amp``).
    synapses: named synaptic targets: name -> statements run on the postsynaptic
        neuron for each presynaptic spike, linear in the weight ``w``
        (e.g. ``{"glu": "g_ampa += w; g_nmda += 0.5*w"}``); a projection's ``on``
        may name one of them; ``op="-="`` subtracts what it adds.
    non_negative_targets: named synaptic targets that take only weights >= 0 (a receptor adding
        to a conductance: a negative weight, or ``op="-="``, would make the conductance negative);
        ``Network.connect`` refuses anything else, naming the projection and the target.
    aliases: old parameter name -> current name; the old name is still accepted
        (with a :class:`DeprecatedNameWarning`) for one release.
    presets: named parameter sets, e.g. ``{"chattering": {"C_m": "50 pF", ...}}``;
        ``Network.add_population(..., preset="chattering")`` starts from one.
    """

    def __init__(
        self,
        name: str,
        equations: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        threshold: str | None = None,
        reset: str | None = None,
        refractory: Any = None,
        initial: Mapping[str, Any] | None = None,
        integrator: str | None = None,
        description: str = "",
        references: Sequence[str] = (),
        synapses: Mapping[str, str] | None = None,
        non_negative_targets: Iterable[str] = (),
        functions: Mapping[str, Any] | None = None,
        aliases: Mapping[str, str] | None = None,
        presets: Mapping[str, Mapping[str, Any]] | None = None,
    ):
        given = {"name": name, "equations": equations, "parameters": parameters, "threshold": threshold,
                 "reset": reset, "refractory": refractory, "initial": initial, "integrator": integrator,
                 "description": description, "references": references, "synapses": synapses,
                 "non_negative_targets": non_negative_targets, "functions": functions, "aliases": aliases,
                 "presets": presets}
        check_argument_kinds(given, f"model {name!r}")
        self.arguments = copy.deepcopy({**given, "non_negative_targets": tuple(non_negative_targets)})
        """Everything the model was made from, as it was then (a copy: a dict the caller changes afterwards changes
        no model): all the rest follows from it (the kernel's structure key reads it)."""
        self.name = name
        self.description = description.strip()
        self.references = checked_references(references, f"model {name!r}")
        self.integrator = integrator
        self.equations_text = equations.strip("\n")
        self.functions = dict(functions or {})
        self.threshold_text = threshold
        self.reset_text = reset
        key = model_summary.summary_key("NeuronModel", self.arguments) if type(self) is NeuronModel else None
        self._summary_key = key
        summary = model_summary.read(key) if key else None
        if summary is None:
            self._parse()
            if key:
                model_summary.save(key, self._summary())
        else:
            self._adopt(summary)
        self._check_parameters_used()

    # -- parsing ----------------------------------------------------------------
    def _parse(self) -> None:
        """Parse and check the equations, threshold, reset, refractory period, synaptic targets, initial
        values, aliases and presets (errors name the model and what is wrong), setting every attribute
        that depends on the parse."""
        with _PARSING:
            if self.__dict__.get("_parse_state") is not None:
                return
            self._parse_state = "parsing"
            try:
                self._parse_and_check()
            except BaseException:
                del self._parse_state
                raise
            self._parse_state = "parsed"

    def _parse_and_check(self) -> None:
        from .equations import parse_equations
        from .expressions import FUNCTIONS
        from .timed_array import TimedArray

        name = self.name
        for fname, timed in self.functions.items():
            if not isinstance(timed, TimedArray) or timed.name != fname:
                raise EquationError(f"model {name!r}: functions[{fname!r}] must be a snnzoo.TimedArray named {fname!r}")
            if fname in FUNCTIONS:
                raise EquationError(f"model {name!r}: TimedArray {fname!r} is named like the function {fname}() of "
                                    "expressions, which it would replace; rename it")
        self.function_calls = {name: timed.function for name, timed in self.functions.items()}
        """Name -> the sympy function of each timed array, for parsing equations, thresholds and statements."""
        self.equations: list[Equation] = parse_equations(self.arguments["equations"], where=f"model {name!r}",
                                                         functions=self.function_calls)
        for eq in self.equations:
            if eq.flags & SYNAPTIC_FLAGS:
                raise EquationError(f"model {name!r}: {eq.where}: the flags {sorted(SYNAPTIC_FLAGS)} "
                                    "belong in synapse models (snnzoo.SynapseModel)")
        by_kind = {k: [e for e in self.equations if e.kind == k] for k in ("differential", "subexpression", "variable")}
        self.state_variables = [e.name for e in by_kind["differential"]]
        self.variables = [e.name for e in by_kind["variable"]]
        self.linked_variables = [e.name for e in by_kind["variable"] if "linked" in e.flags]
        self.constant_variables = [e.name for e in by_kind["variable"] if "constant" in e.flags]
        self.unless_refractory = [e.name for e in by_kind["differential"] if "unless refractory" in e.flags]
        self.parameters = self._parameter_specs(self.arguments["parameters"] or {})
        self.units: dict[str, pint.Unit] = {e.name: e.unit for e in self.equations}
        self.units.update({p.name: p.unit for p in self.parameters.values()})
        self.subexpressions = {e.name: e.expr for e in by_kind["subexpression"]}
        self.subexpression_names = list(self.subexpressions)
        names = {s.name for e in self.equations if e.expr is not None for s in e.expr.free_symbols}
        self.noise_names = sorted(n for n in names if n == "xi" or n.startswith("xi_"))
        """Names of the white-noise symbols (``xi``, ``xi_1``...) the equations use."""
        with time_budget(f"model {name!r}"):
            self._check_equations()
        threshold, reset = self.threshold_text, self.reset_text
        self.threshold = self._checked_condition(threshold) if threshold else None
        if reset and not threshold:
            raise EquationError(f"model {name!r}: reset {reset!r} without a threshold would never run (no neuron "
                                "spikes); give threshold= too, e.g. 'v > V_th'")
        self.reset = self.checked_statements(reset, f"model {name!r}: reset") if reset else []
        self.refractoriness = self.parse_refractory(self.arguments["refractory"], where=f"model {name!r}: refractory")
        self.refractory_text = self.refractoriness.text
        self.synapses_text = dict(self.arguments["synapses"] or {})
        self.synapses = {name: self._effects_of(text, "+=", f"model {name!r}: synaptic target {name!r}")
                         for name, text in self.synapses_text.items()}
        self.non_negative_targets = frozenset(self.arguments["non_negative_targets"])
        for target in sorted(self.non_negative_targets - set(self.synapses)):
            raise EquationError(f"model {name!r}: non_negative_targets names {target!r}, which is not one of its "
                                f"synaptic targets ({', '.join(self.synapses) or 'none'})")
        self.initial = dict(self.arguments["initial"] or {})
        for var in self.initial:
            if var not in self.state_variables and var not in self.variables:
                raise EquationError(f"model {name!r}: initial value for unknown variable {var!r}")
        self.aliases = dict(self.arguments["aliases"] or {})
        for old, new in self.aliases.items():
            if new not in self.parameters or old in self.units:
                raise EquationError(f"model {name!r}: alias {old!r} -> {new!r} must map a free name to a parameter")
        self.presets = {preset: self._checked_preset(preset, values)
                        for preset, values in (self.arguments["presets"] or {}).items()}
        self.parameter_subexpression_names = list(self.parameter_subexpressions)

    @property
    def constant_magnitudes(self) -> list[tuple[str, float, float]]:
        """Each statement of the model (an equation, the threshold, the reset, a refractory condition) with the
        smallest and largest magnitude of the non-zero numbers a kernel computes it with: units as SI numbers and
        subexpressions substituted in, as the engine prints it (a single-precision kernel must hold them). Found
        when first read (only single precision reads it), then kept in the model's summary."""
        if "_constant_magnitudes" not in self.__dict__:
            self._constant_magnitudes = self._find_constant_magnitudes()
            self._keep_summary()
        return self._constant_magnitudes

    def _find_constant_magnitudes(self) -> list[tuple[str, float, float]]:
        statements = [(e.where, e.expr) for e in self.equations if e.expr is not None]
        statements += [(f"threshold '{self.threshold_text}'", self.threshold)] if self.threshold is not None else []
        statements += [(f"reset '{self.reset_text}'", expr) for _, _, expr in self.reset]
        if self.refractoriness.condition is not None:
            statements.append((f"refractory '{self.refractory_text}'", self.refractoriness.condition))
        found = []
        for statement, expr in statements:
            magnitudes = self.number_magnitudes(expr)
            if magnitudes is not None:
                found.append((statement, *magnitudes))
        return found

    def number_magnitudes(self, expr: sympy.Basic) -> tuple[float, float] | None:
        """The smallest and largest magnitude of the non-zero numbers a kernel computes ``expr`` (on this model's
        names) with: units as SI numbers and subexpressions substituted in; None if it holds none."""
        from .expressions import number_magnitudes, substitute_units

        return number_magnitudes(substitute_units(self.expand(expr), self.defined_names))

    def _summary(self) -> dict[str, Any]:
        """What the parse found that a run needs, as plain data (see :mod:`snnzoo.language.model_summary`)."""
        refractoriness = self.refractoriness
        parameters = [{**vars(spec), "default": model_summary.scalar(spec.default)} for spec in self.parameters.values()]
        return {**{field: list(getattr(self, field)) for field in model_summary.LIST_FIELDS},
                "units": dict(self.units), "parameters": parameters,
                "refractory_text": self.refractory_text,
                "refractory_period": float(refractoriness.period) if refractoriness.kind == "steps" else None,
                "automatic_integrator": self.__dict__.get("_automatic_integrator"),
                "constant_magnitudes": self.__dict__.get("_constant_magnitudes")}

    def _keep_summary(self) -> None:
        """Write the model's summary again, with what was found since it was written (what is found only when
        first asked: the integrator choice, the constants' magnitudes)."""
        if self._summary_key:
            model_summary.save(self._summary_key, self._summary())

    def _adopt(self, summary: dict[str, Any]) -> None:
        """Take what an earlier parse of the same arguments found (see :meth:`_summary`); the
        attributes that hold sympy expressions are parsed when first read."""
        given = self.arguments
        self.synapses_text, self.initial, self.aliases = (dict(given[kind] or {}) for kind in ("synapses", "initial",
                                                                                                 "aliases"))
        self.non_negative_targets = frozenset(given["non_negative_targets"])
        self.presets = {preset: dict(values) for preset, values in (given["presets"] or {}).items()}
        for field in model_summary.LIST_FIELDS:
            setattr(self, field, summary[field])
        self.parameters = {spec["name"]: ParameterSpec(**spec) for spec in summary["parameters"]}
        self.units = summary["units"]
        self.subexpressions = _UnparsedSubexpressions(self)
        if summary["constant_magnitudes"] is not None:
            self._constant_magnitudes = [tuple(found) for found in summary["constant_magnitudes"]]
        self.refractory_text = summary["refractory_text"]
        if summary["refractory_period"] is not None:
            self.refractoriness = Refractoriness(self.refractory_text, period=summary["refractory_period"])
        if summary["automatic_integrator"] is not None:
            self._automatic_integrator = tuple(summary["automatic_integrator"])

    def automatic_integrator(self) -> tuple[str, str]:
        """The integrator this model gets when no one names one, and why
        (:func:`snnzoo.language.integrators.choose_integrator`). Chosen when first asked, not when the
        model is made (trying ``exact`` on a linear system can take seconds: 1.9 s for ``lif_curr_exp``,
        which every start with an empty cache paid while loading the plugins), and then kept in the
        model's summary, so that a warm run knows it without parsing."""
        if "_automatic_integrator" not in self.__dict__:
            from .integrators import automatic_integrator

            self._automatic_integrator = automatic_integrator(self)
            self._keep_summary()
        return self._automatic_integrator

    function_calls = _Parsed()
    equations = _Parsed()
    threshold = _Parsed()
    reset = _Parsed()
    refractoriness = _Parsed()
    synapses = _Parsed()

    # -- construction helpers -------------------------------------------------
    def _check_parameters_used(self) -> None:
        """Warn of every parameter that appears nowhere in the model (see :meth:`unused_parameters`)."""
        for problem in self.unused_parameters():
            warnings.warn(problem, UnusedParameterWarning, stacklevel=stacklevel_outside_snnzoo())

    def unused_parameters(self) -> list[str]:
        """One line per parameter that appears nowhere in the equations, threshold, reset, refractory
        period, initial values or synaptic targets: it changes nothing, and is often a misspelling."""
        texts = [self.equations_text, self.threshold_text or "", self.reset_text or "", self.refractory_text or "",
                 *map(str, self.initial.values()), *self.synapses_text.values()]
        return parameters_used_nowhere(f"model {self.name!r}", self.parameters, texts,
                                       "equations, threshold, reset, refractory period or initial values")

    def _parameter_specs(self, given: Mapping[str, Any]) -> dict[str, ParameterSpec]:
        return parameter_specs(f"model {self.name!r}", self.equations, given)

    def _checked_preset(self, preset: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """A preset's values, each a known parameter of the right dimension."""
        for pname, value in values.items():
            where = f"model {self.name!r}: preset {preset!r}: parameter {pname!r}"
            if pname not in self.parameters:
                raise UnknownNameError(f"parameter of model {self.name!r} (preset {preset!r})", pname, self.parameters)
            to_si(value, self.parameters[pname].unit, what=where)
        return dict(values)

    def parameter_name(self, name: str, where: str) -> str:
        """The current name of parameter ``name``: ``name`` itself, or what an old name (alias) stands for.

        An old name is accepted with a :class:`DeprecatedNameWarning` naming the new one.
        """
        if name not in self.aliases:
            return name
        new = self.aliases[name]
        warnings.warn(f"{where}: parameter {name!r} of model {self.name!r} is now called {new!r}; "
                      "the old name is accepted until the next release", DeprecatedNameWarning,
                      stacklevel=stacklevel_outside_snnzoo())
        return new

    def preset(self, name: str) -> dict[str, Any]:
        """The parameter values of preset ``name``; :class:`UnknownNameError` if the model has none by that name."""
        if name not in self.presets:
            raise UnknownNameError(f"preset of model {self.name!r}", name, self.presets)
        return dict(self.presets[name])

    def _checker(self, where: str, *, noise: bool = False, respelt: Mapping[str, pint.Unit] | None = None
                 ) -> DimensionChecker:
        """A dimension checker for the model's names; white noise (``xi``) only with ``noise``
        (differential equations); ``respelt`` replaces the units of some of them."""
        from .expressions import DimensionChecker

        units = {**self.units, **(respelt or {})}
        units.update({"t": ureg.second, "dt": ureg.second, "i": ureg.dimensionless, "N": ureg.dimensionless})
        if noise:
            units.update({s: NOISE_UNIT for s in self.noise_names})
        return DimensionChecker(units, where)

    def _check_equations(self) -> None:
        """Dimension-check every equation; errors name the model and the equation."""
        from .expressions import is_zero, same_dimension

        for eq in self.equations:
            if eq.expr is None:
                continue
            where = f"model {self.name!r}: {eq.where}"
            if eq.kind == "subexpression" and any(s.name.startswith("xi") for s in eq.expr.free_symbols):
                raise EquationError(f"{where}: white noise xi may only appear in differential equations")
            self._check_noise_is_linear(eq, where)
            want = eq.unit / ureg.second if eq.kind == "differential" else eq.unit
            try:
                got = self._checker(where, noise=True).unit_of(eq.expr)
            except EquationError as error:
                raise EquationError(f"{error}{self._default_hint(eq.expr, want)}") from None
            if not same_dimension(got, want) and not is_zero(eq.expr):
                lhs = f"d{eq.name}/dt" if eq.kind == "differential" else eq.name
                raise EquationError(
                    f"{where}: the right-hand side is in {got:~} {dimension_of(got)} "
                    f"but {lhs} must be in {want:~} {dimension_of(want)}{self._default_hint(eq.expr, want)}"
                )
        self.resolved_subexpressions()  # detects cycles early

    def _check_noise_is_linear(self, eq: Equation, where: str) -> None:
        """Refuse white noise that is not a sum of terms ``g*xi`` with ``g`` free of noise (``exp(xi)``,
        ``xi_1*xi_2``, ``floor(xi)``): the integrators take such a term as the noise increment."""
        import sympy

        noises = {s for s in eq.expr.free_symbols if s.name in self.noise_names}
        if not noises:  # nothing to check: expanding the expression would be most of a model's parse
            return
        coefficients = {n: sympy.diff(eq.expr, n) for n in noises}
        rest = sympy.expand(eq.expr - sum(c * n for n, c in coefficients.items()))
        for noise in sorted(noises, key=str):
            if (coefficients[noise].free_symbols | rest.free_symbols) & noises:
                raise EquationError(f"{where}: the white noise {noise.name!r} must enter linearly, as a "
                                    f"term g*{noise.name} whose g holds no noise (as in Brian2)")

    def _default_hint(self, expr: sympy.Basic, want: pint.Unit) -> str:
        """Which default may make ``expr``'s units not add up (:func:`~snnzoo.language.default_hint.default_hint`)."""
        return default_hint(expr, want, self.parameters, lambda respelt: self._checker("", noise=True, respelt=respelt))

    @property
    def refractory(self) -> float | None:
        """The refractory period in seconds when it is one time (0.0 if none); None for an
        expression or a condition (see ``refractoriness``)."""
        ref = self.refractoriness
        return float(ref.period) if ref.kind == "steps" else None

    def parse_refractory(self, value: Any, *, where: str, size: int | None = None) -> Refractoriness:
        """A ``refractory`` setting for this model: a time, ``size`` times, an expression of
        parameters, declared variables, the neuron's index ``i``, the size ``N`` and the time step ``dt``
        (``"tref"``, ``"(1 + i)*ms"``, ``"2*dt"``) or a condition (``"v > -40*mV"``); see :mod:`snnzoo.language.refractory`."""
        if not (isinstance(value, str) and not is_quantity_text(value)):
            return period_refractoriness(value, where=where, size=size)  # a time or times: no parse
        from .refractory import parse_refractoriness

        constants = set(self.parameters) | set(self.variables) | {"i", "N", "dt"}
        return parse_refractoriness(value, self._checker, constants, where=where, size=size,
                                    functions=self.function_calls)

    def _checked_condition(self, text: str) -> sympy.Basic:
        import sympy

        from .expressions import parse_expression

        where = f"model {self.name!r}: threshold '{text}'"
        expr = parse_expression(text, where=where, functions=self.function_calls)
        self._checker(where).unit_of(expr)
        if not isinstance(expr, (sympy.core.relational.Relational, sympy.And, sympy.Or, sympy.Not)):
            raise EquationError(f"{where}: expected a condition such as 'v > Vt'")
        return expr

    def check_written(self, name: str, where: str) -> None:
        """Refuse a write during the run (a reset, a regular operation, a synaptic effect, a stimulus)
        to a ``(constant)`` variable, which keeps the value it is given, or a ``(linked)`` one, which
        takes its source's value every step (the write would be ignored)."""
        if name in self.constant_variables:
            raise EquationError(f"{where}: {name!r} is declared (constant) in model {self.name!r}, so nothing may "
                                "change it during a run; give its value with initial= or pop.set before the run")
        if name in self.linked_variables:
            raise EquationError(f"{where}: {name!r} is (linked) in model {self.name!r}: it takes the value of the "
                                "variable it is linked to every step; change that variable instead")

    def checked_statements(self, text: str, where: str) -> list[tuple[str, str, sympy.Basic]]:
        """Statements on the model's variables (a reset, a regular operation), parsed and
        dimension-checked: ``[(target, op, expression)]``; ``rand()`` and ``randn()`` draw."""
        from .equations import parse_statements, statement_texts
        from .expressions import is_zero, same_dimension, shown_unit

        statements = parse_statements(text, where=where, functions=self.function_calls)
        for written, (target, op, expr) in zip(statement_texts(text), statements):
            here = f"{where} '{written}'"  # as the user wrote it (sympy reorders terms)
            if target not in self.state_variables and target not in self.variables:
                raise EquationError(f"{here}: {target!r} {self._not_writable(target)}")
            self.check_written(target, here)
            got = self._checker(here).unit_of(expr)
            want = ureg.dimensionless if op in ("*=", "/=") else self.units[target]
            if not same_dimension(got, want) and not is_zero(expr):
                needed = (f"{target} is in {shown_unit(want)}" if op not in ("*=", "/=")
                          else f"'{op}' takes a dimensionless factor")
                raise EquationError(f"{here}: the value is in {shown_unit(got)} but {needed}")
        return statements

    def _not_writable(self, name: str) -> str:
        """Why a statement cannot write ``name``, which is no state variable or declared variable."""
        if name in self.parameters:
            return (f"is a parameter (constant during a run); declare it '{name} : {unit_text(self.units[name])}' "
                    "in the equations to make it a variable")
        if name in self.subexpressions:
            return "is a subexpression (computed from its equation every step); write a state variable it uses"
        if name in {"t", "dt", "i", "N"}:
            return "is given by the simulation (the time, the time step, the neuron index, the size); it cannot be written"
        return f"is not a variable of model {self.name!r} (its state variables: {', '.join(self.state_variables + self.variables)})"

    def synaptic_effects(self, on: str, op: str, where: str) -> tuple[pint.Unit, list]:
        """What a presynaptic spike does for ``on``: (unit of the weight, [(variable, op, coefficient)]).

        ``on`` is a named synaptic target, a variable (``variable op w``; its coefficient is the number 1,
        so that a model read from its summary needs no parse for it), or statements linear in ``w``
        (``"ge += w; gi += 0.1*w"``).
        """
        if not isinstance(on, str):
            raise ConfigError(f"{where}: on: expected the name of a variable or synaptic target (e.g. 'v') or "
                              f"statements linear in w (e.g. 'ge += w'), got {show(on)}")
        if on in self.synapses_text:
            unit, effects = self.synapses[on]
            flipped = {"+=": "-=", "-=": "+="}
            return unit, effects if op == "+=" else [(target, flipped[o], c) for target, o, c in effects]
        return self._effects_of(on, op, where)

    def _effects_of(self, on: str, op: str, where: str) -> tuple[pint.Unit, list]:
        """:meth:`synaptic_effects` of a variable or of statements (what a named synaptic target holds)."""
        targets = self.state_variables + self.variables
        if on in targets:
            self.check_written(on, where)
            return self.units[on], [(on, op, 1)]
        if "=" not in on:
            from ..errors import UnknownNameError

            raise UnknownNameError(f"target of {where} (model {self.name!r})", on, targets + list(self.synapses_text))
        import sympy

        from .equations import parse_statements, statement_texts
        from .expressions import same_dimension, symbol

        w = symbol("w")
        unit, effects = None, []
        for written, (target, statement_op, expr) in zip(statement_texts(on), parse_statements(on, where=where)):
            here = f"{where}: '{written}'"
            if target not in targets or statement_op not in ("+=", "-="):
                raise EquationError(f"{here}: expected 'variable += ...' or '-=' on a variable of {self.name!r}")
            self.check_written(target, here)
            coefficient = sympy.diff(expr, w)
            if w in coefficient.free_symbols or sympy.simplify(expr - coefficient * w) != 0:
                raise EquationError(f"{here}: the effect must be linear in the weight w (e.g. 'ge += w')")
            if coefficient.free_symbols & {symbol(v) for v in targets}:
                raise EquationError(f"{here}: the coefficient of w may use parameters only, not state variables")
            coefficient_unit = self._checker(here).unit_of(coefficient)
            weight_unit = self.units[target] / coefficient_unit
            if unit is not None and not same_dimension(unit, weight_unit):
                raise EquationError(f"{here}: the statements need weights of different units ({unit:~}, {weight_unit:~})")
            unit = unit or weight_unit
            effects.append((target, statement_op, coefficient))
        return unit, effects

    def check_weights(self, on: str, op: str, weights: Any, unit: pint.Unit, where: str) -> None:
        """Refuse weights (SI values in ``unit``) below 0, or ``op="-="``, onto a target of
        :attr:`non_negative_targets`: it adds to a conductance, which would become negative."""
        if on not in self.non_negative_targets:
            return
        lowest = float(np.min(weights, initial=0.0))
        if op == "-=" or lowest < 0:
            given = "op '-='" if op == "-=" else f"a weight of {show_si(lowest, unit)}"
            raise ValueRangeError(f"{where}: {given} onto {on!r} of model {self.name!r} would make a "
                                  f"{dimension_of(unit)} negative; the model takes weights >= 0 with op '+=' there "
                                  "(inhibition comes from a receptor's reversal potential)")

    # -- derived views used by the engine ------------------------------------
    def resolved_subexpressions(self) -> dict[str, sympy.Basic]:
        """Subexpressions with other subexpressions substituted in."""
        return dict(self._resolved_subexpressions)

    @functools.cached_property
    def _resolved_subexpressions(self) -> dict[str, sympy.Basic]:
        """:meth:`resolved_subexpressions`, found once: a model's equations never change (checking them, finding
        the subexpressions of parameters alone and every :meth:`expand` of the code generators all need them)."""
        from .expressions import symbol

        resolved: dict[str, sympy.Basic] = {}
        pending = dict(self.subexpressions)
        while pending:
            progressed = False
            for name, expr in list(pending.items()):
                deps = {s.name for s in expr.free_symbols} & set(pending)
                if deps - {name} and not (deps - {name}) <= set(resolved):
                    continue
                if name in deps:
                    raise EquationError(f"model {self.name!r}: subexpression {name!r} refers to itself")
                resolved[name] = expr.xreplace({symbol(d): resolved[d] for d in {s.name for s in expr.free_symbols} if d in resolved})
                del pending[name]
                progressed = True
            if not progressed:
                raise EquationError(f"model {self.name!r}: subexpressions {sorted(pending)} refer to each other in a cycle")
        return resolved

    def expand(self, expr: sympy.Basic) -> sympy.Basic:
        """``expr`` with every subexpression substituted in."""
        from .expressions import symbol

        return expr.xreplace({symbol(n): e for n, e in self._resolved_subexpressions.items()})

    @functools.cached_property
    def parameter_subexpressions(self) -> dict[str, sympy.Basic]:
        """The subexpressions computed from parameters alone (a receptor's time to peak), units as SI numbers."""
        from .expressions import rand, randn, substitute_units

        derived = {}
        for name, expr in self.resolved_subexpressions().items():
            numeric = substitute_units(expr, self.defined_names)
            reads = {s.name for s in numeric.free_symbols}
            if reads and reads <= set(self.parameters) and not numeric.atoms(rand, randn):
                derived[name] = numeric
        return derived

    def check_parameter_values(self, values: Mapping[str, np.ndarray], where: str) -> None:
        """Refuse per-neuron parameter ``values`` (SI) that make a subexpression of parameters alone NaN or
        infinite, naming it, the first such neuron and the parameters it reads: equal rise and decay
        times of a receptor make its time to peak 0/0, which the run found only at the first spike."""
        if not self.parameter_subexpression_names:
            return
        for name, expr in self.parameter_subexpressions.items():
            reads = tuple(sorted(s.name for s in expr.free_symbols))
            with np.errstate(all="ignore"):
                result = np.atleast_1d(_parameter_function(expr, reads)(*(values[p] for p in reads)))
            wrong = np.flatnonzero(~np.isfinite(result))
            if wrong.size:
                neuron = int(wrong[0])
                given = ", ".join(f"{p} = {show_si(np.broadcast_to(values[p], result.shape)[neuron], self.units[p])}"
                                  for p in reads)
                raise ValueRangeError(f"{where}: {name} is {result[neuron]} for neuron {neuron}, where {given}; "
                                      "expected parameters that make it finite")

    @property
    def defined_names(self) -> set[str]:
        """Every symbol name the model defines itself (variables, parameters, t, dt, i, N, noise)."""
        return set(self.units) | {"t", "dt", "i", "N"} | set(self.noise_names)

    @property
    def recordables(self) -> list[str]:
        """Everything a monitor can record: state variables, variables, subexpressions."""
        return self.state_variables + self.variables + list(self.subexpressions)

    # -- documentation --------------------------------------------------------
    def describe(self) -> str:
        """A human-readable page: description, equations, parameter table, references."""
        lines = page_heading(self.name, self.description) + ["", "Equations:"] + [f"    {e.text}" for e in self.equations]
        if self.threshold_text:
            lines.append(f"Threshold: {self.threshold_text}")
        if self.reset_text:
            lines.append(f"Reset: {self.reset_text}")
        if self.refractory_text:
            lines.append(f"Refractory: {self.refractory_text}")
        if self.integrator:
            lines.append(f"Default integrator: {self.integrator}")
        else:
            lines.append("Default integrator: {} (chosen automatically: {})".format(*self.automatic_integrator()))
        lines += parameter_table(self.parameters)
        lines += ["", "Recordable: " + ", ".join(self.recordables)]
        if self.synapses_text:
            lines += ["Synaptic targets (a projection's 'on'):"]
            lines += [f"    {name}: {text}{' (weights >= 0)' if name in self.non_negative_targets else ''}"
                      for name, text in self.synapses_text.items()]
        if self.initial:
            lines.append("Initial values: " + ", ".join(f"{k} = {quantity_text(v)}" for k, v in self.initial.items()))
        if self.presets:
            lines += ["", "Presets (preset = NAME):"]
            lines += [f"    {preset}: " + ", ".join(f"{k} = {quantity_text(v)}" for k, v in values.items())
                      for preset, values in self.presets.items()]
        if self.aliases:
            lines.append("Old parameter names (accepted until the next release): "
                         + ", ".join(f"{old} -> {new}" for old, new in self.aliases.items()))
        return "\n".join(lines + reference_lines(self.references))

    def to_dict(self) -> dict[str, Any]:
        """The full spec as plain data (stored in result provenance)."""
        return {
            "name": self.name,
            "equations": self.equations_text,
            "parameters": parameters_dict(self.parameters),
            "threshold": self.threshold_text,
            "reset": self.reset_text,
            "refractory": self.refractory_text,
            "initial": {k: quantity_text(v) for k, v in self.initial.items()},
            "integrator": self.integrator,
            "synapses": self.synapses_text,
            "functions": {name: timed.to_dict() for name, timed in self.functions.items()},
            "presets": {preset: {k: quantity_text(v) for k, v in values.items()} for preset, values in self.presets.items()},
            "references": list(self.references),
        }

    def __repr__(self) -> str:
        return f"NeuronModel({self.name!r}, state={self.state_variables}, parameters={list(self.parameters)})"


def _parameter_function(expr: sympy.Basic, names: tuple[str, ...]):
    """A numpy function of parameters ``names`` evaluating ``expr``, made once per expression."""
    from .expressions import numpy_function

    return numpy_function(expr, list(names))


def parameter_specs(owner: str, equations: Sequence[Equation], given: Mapping[str, Any]) -> dict[str, ParameterSpec]:
    """The parameter table of a model: units from ``name : unit`` declarations in
    ``equations`` or from the defaults, defaults in SI, positivity checked.

    ``owner`` names the model in errors (``"model 'lif'"``).
    """
    from .equations import check_model_name

    declared = {e.name: e for e in equations}
    specs: dict[str, ParameterSpec] = {}
    for pname, value in given.items():
        description, positive, non_negative = "", False, False
        if isinstance(value, Parameter):
            description, positive, non_negative = value.description, value.positive, value.non_negative
            value = value.default
        where = f"{owner}: parameter {pname!r}"
        check_model_name(pname, f"{owner}: parameter")
        if pname in declared and declared[pname].kind != "variable":
            raise EquationError(f"{where} is also defined by {declared[pname].where}")
        if pname in declared:
            unit = declared[pname].unit
        elif value is None:
            raise UnitError(f"{where}: no default and no declaration 'name : unit' in the equations")
        else:
            unit = as_quantity(value, what=where).units
        positive = positive or parameter_sign(unit) == "positive"
        spec = ParameterSpec(pname, unit, None, "", description, positive, non_negative)
        if value is not None:
            spec = replace(spec, default=to_si(value, unit, what=where, sign=spec.sign), default_text=quantity_text(value))
        specs[pname] = spec
    return specs


def page_heading(name: str, description: str) -> list[str]:
    """The first lines of a model page: the name with the description's first line, then the rest."""
    lines = [f"{name}: {description.splitlines()[0] if description else ''}".rstrip(": ")]
    if description and "\n" in description:
        lines += ["", description]
    return lines


_TEXTS = ("name", "equations", "description", "threshold", "reset", "integrator", "on_pre", "on_post")
_DICTIONARIES = ("parameters", "initial", "synapses", "functions", "aliases", "presets")
_OPTIONAL = ("threshold", "reset", "integrator", "on_pre", "on_post", *_DICTIONARIES)


def parameters_used_nowhere(where: str, parameters: Mapping[str, Any], texts: list[str], parts: str) -> list[str]:
    """One line per parameter whose name appears in none of the model's ``texts`` (its ``parts``): it changes
    nothing, and is often a misspelling, which the line suggests a correction for."""
    names = set(re.findall(r"[A-Za-z_]\w*", " ".join(texts)))
    problems = []
    for parameter in parameters:
        if parameter not in names:
            close = difflib.get_close_matches(parameter, sorted(names), n=1)
            problems.append(f"{where}: parameter {parameter!r} is used nowhere in the model (its {parts})"
                            + (f"; did you mean {close[0]!r}?" if close else ""))
    return problems


def check_argument_kinds(arguments: Mapping[str, Any], where: str) -> None:
    """Refuse, in one line naming it, an argument of a neuron or synapse model of the wrong kind: text where
    text goes (a non-empty ``name``), a dictionary where names map to values (``presets``: to dictionaries),
    names for ``non_negative_targets``; None where the argument is optional. They were Python's errors from
    deep in the parse (``parameters=[("tau", ...)]``: "'list' object has no attribute 'items'"), or taken
    (``name=""``, ``name=None``)."""
    for argument, value in arguments.items():
        if value is None and argument in _OPTIONAL:
            continue
        if argument in _TEXTS and not (isinstance(value, str) and (value.strip() or argument != "name")):
            expected = "a name (non-empty text)" if argument == "name" else "text"
            raise ConfigError(f"{where}: {argument}: expected {expected}, got {show(value)}")
        if argument in _DICTIONARIES and not isinstance(value, Mapping):
            raise ConfigError(f"{where}: {argument}: expected a dictionary of names and values, got {show(value)}")
        if argument == "presets" and not all(isinstance(values, Mapping) for values in value.values()):
            wrong = next(preset for preset, values in value.items() if not isinstance(values, Mapping))
            raise ConfigError(f"{where}: presets: preset {wrong!r}: expected a dictionary of parameters and values, "
                              f"got {show(value[wrong])}")
        if argument == "non_negative_targets" and (isinstance(value, str) or not isinstance(value, Iterable)):
            raise ConfigError(f"{where}: non_negative_targets: expected a list of synaptic target names, "
                              f"got {show(value)}")


def checked_references(references: Sequence[str], where: str) -> tuple[str, ...]:
    """A model's ``references`` as a tuple of strings; a single string (whose characters would each
    become a reference) or anything else that is not a list of strings is refused."""
    listed = None if isinstance(references, str) or not isinstance(references, Iterable) else tuple(references)
    if listed is None or not all(isinstance(reference, str) for reference in listed):
        raise ConfigError(f"{where}: references: expected a list of strings, e.g. "
                          f"['Izhikevich EM (2003) ...'], got {references!r}")
    return listed


def reference_lines(references: Sequence[str]) -> list[str]:
    """The closing lines of a model page: its references, if any."""
    return ["", "References:"] + [f"    {r}" for r in references] if references else []


def parameter_table(parameters: Mapping[str, ParameterSpec]) -> list[str]:
    """The lines of a model page's parameter table (name, default, unit, description)."""
    rows = [(p.name, p.default_text or REQUIRED, unit_text(p.unit), p.description) for p in parameters.values()]
    return page_table("Parameters", rows)


REQUIRED = "(required)"
"""The default column of a page's table for a value that has no default."""


def page_table(title: str, rows: Sequence[tuple[str, str, str, str]]) -> list[str]:
    """The lines of a page's table of name, default, unit and description under ``title``, its columns lined
    up (a model's parameters, a stimulus's settings)."""
    widths = [max([minimum] + [len(row[column]) for row in rows]) for column, minimum in enumerate((10, 14, 10))]
    return ["", f"{title}:"] + [
        f"    {name:<{widths[0]}} {default:<{widths[1]}} {unit:<{widths[2]}} {description}"
        for name, default, unit, description in [("name", "default", "unit", "description"), *rows]]


def parameters_dict(parameters: Mapping[str, ParameterSpec]) -> dict[str, dict[str, str]]:
    """A parameter table as plain data for provenance: name -> default text and unit."""
    return {p.name: {"default": p.default_text, "unit": unit_text(p.unit)} for p in parameters.values()}


__all__ = ["NeuronModel", "Parameter", "ParameterSpec", "parse_unit"]

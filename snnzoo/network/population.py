"""A population of neurons of one model (:class:`Population`), with per-neuron parameters and state
that ``set`` and ``get`` reach before and between runs, and slices of it (:class:`PopulationView`)."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pint

from ..errors import ConfigError, UnknownAttributeError, UnknownNameError
from ..language.model import NeuronModel
from ..language.refractory import refractory_steps
from ..time_steps import CLOCK_NAMES
from ..units import (as_data, as_quantity, check_value, is_quantity_text, one_si, same_dimension, show, si_unit_string, to_si,
                     ureg, whole_numbers)
from ..language.arguments import arguments_checked, refuse_read_only

if TYPE_CHECKING:
    import sympy


class _WrittenBack(np.ndarray):
    """Values ``G.v`` or ``S.w`` read: assigning to items (``G.v[0] = 5*mV``, Brian's habit) sets them in the
    population or projection through ``write_back``, not in a copy nothing reads; so does assigning to items of
    a part of them (``G.v[1:3][0] = ...``). Arrays computed from them do not write back.

    An item that is not there (``G.v[10**30]``, ``G.v[1.5]``), read or assigned, is an error naming the values
    (``indexed``), the index and the range of its ``items`` (``"neurons"``), as ``G[10**30]`` is."""

    def __array_finalize__(self, obj) -> None:
        self.write_back, self.what, self.indexed, self.items, self.fixed = None, None, None, "", None

    def __getitem__(self, key) -> Any:
        part = self._at(key, super().__getitem__, key)
        if isinstance(part, _WrittenBack) and self.write_back is not None:
            part.write_back, part.what = (lambda values: self.__setitem__(key, values)), self.what
            part.indexed, part.items = f"{self.indexed}[{_shown(key)}]", self.items
        return part

    def __iter__(self):
        """The values one by one (numpy's own iteration reads items until an IndexError, which an index outside
        these values no longer is)."""
        return iter(self.view(np.ndarray))

    def __setitem__(self, key, value) -> None:
        self.refuse_if_fixed()
        self._at(key, super().__setitem__, key, value)
        if self.write_back is not None:
            self.write_back(np.array(self))

    def refuse_if_fixed(self) -> None:
        """Refuse to assign items of values that no one sets (a projection's delays and indices), saying why."""
        if self.fixed is not None:
            raise ConfigError(self.fixed)

    def refuse_condition(self, key: Any) -> None:
        """Refuse a condition as an index (Brian2's ``S.w['i>j'] = ...``), naming these values."""
        if isinstance(key, str):
            raise ConfigError(f"{self.indexed or ''}[{_shown(key)}]: an index is a position, a slice or a list of "
                              "them, not a condition (Brian2's S.w['i>j'] = ...); pick positions from get('i') and "
                              "get('j'), or set an expression")

    def _at(self, key: Any, operation, *arguments) -> Any:
        """``operation(*arguments)``, numpy's reading or assigning of the items ``key`` selects, with its errors
        as one line naming these values and the index."""
        shown = f"{self.indexed or ''}[{_shown(key)}]"
        self.refuse_condition(key)
        if self.indexed is None:  # values computed from those read: the caller's own array
            return operation(*arguments)
        try:
            return operation(*arguments)
        except (IndexError, TypeError, ValueError, OverflowError) as error:
            if not isinstance(key, (slice, tuple)) and key is not Ellipsis and key is not None and not _is_mask(key):
                whole_numbers(key, what=shown, size=len(self), items=self.items, from_end=True)  # outside, 1.5, ...
            raise ConfigError(f"{shown}: {error}") from None


class _WrittenBackQuantity(ureg.Quantity):
    """A quantity whose magnitude is :class:`_WrittenBack`: an item assigned is checked as :meth:`Population.set`
    checks a value (``G.v[0] = 1*ms`` names ``v``, its dimension and what was given; pint's own error named
    neither the variable nor snnzoo's rule), then converted to the quantity's units."""

    def __setitem__(self, key, value) -> None:
        what = getattr(self._magnitude, "what", None) or "value"  # None: computed from the values
        if isinstance(self._magnitude, _WrittenBack):  # before the value: S.w['i==0'] = 'j*nS' is about the index
            self._magnitude.refuse_if_fixed()
            self._magnitude.refuse_condition(key)
        to_si(value, self.units, what=what)  # the one-line error for a wrong dimension, no unit, NaN or infinity
        self._magnitude[key] = as_quantity(value, what=what).to(self.units).magnitude


def written_back(values: Any, write_back, where: str, name: str, items: str, fixed: str | None = None) -> Any:
    """``values`` (a quantity or an array) of ``name`` (``"v"``) in ``where`` (``"population 'G'"``), one per item
    of ``items`` (``"neurons"``), whose item assignments call ``write_back`` with all the values, as a quantity in
    the same units if ``values`` is one (see :class:`_WrittenBack`); or, with ``fixed`` (why no one sets them),
    are refused with that reason."""
    magnitude = np.asarray(getattr(values, "magnitude", values)).view(_WrittenBack)
    magnitude.fixed = fixed
    magnitude.what = f"{where}: value {name!r}" + (f" (in {values.units:~})" if isinstance(values, pint.Quantity) else "")
    magnitude.indexed, magnitude.items = f"{where}: {name}", items
    if isinstance(values, pint.Quantity):
        magnitude.write_back = lambda array: write_back(ureg.Quantity(array, values.units))
        return _WrittenBackQuantity(magnitude, values.units)
    magnitude.write_back = write_back
    return magnitude


@arguments_checked({})
class Population:
    """A group of ``size`` neurons of one model, with per-neuron parameters and state, in ``network``
    (the :class:`~snnzoo.network.network.Network` that made it)."""

    def __init__(self, network: Any, name: str, model: NeuronModel, size: int,
                 parameters: Mapping[str, Any], initial: Mapping[str, Any], labels, integrator, refractory=None,
                 preset: str | None = None):
        self.network, self.name, self.model, self.size = network, name, model, size
        self.preset = preset
        self.refractoriness = (model.refractoriness if refractory is None
                               else model.parse_refractory(refractory, where=f"population {name!r}: refractory",
                                                           size=size))
        if labels is not None and (isinstance(labels, str) or not all(isinstance(label, str) for label in labels)):
            raise ConfigError(f"population {name!r}: labels: expected a list of texts, one per neuron, got {show(labels)}")
        self.labels = list(labels) if labels is not None else None
        if self.labels is not None and len(self.labels) != size:
            raise ConfigError(f"population {name!r}: {len(self.labels)} labels for {size} neurons")
        self.integrator = integrator
        self.where = f"population {name!r} (model {model.name!r})"
        self.rng = network.random("initial values", len(network.groups))
        self.links: dict[str, tuple[Any, str]] = {}
        self.values: dict[str, np.ndarray] = {}
        self.heterogeneous: set[str] = set()
        self.parameter_text: dict[str, Any] = {}
        for pname, spec in model.parameters.items():
            if spec.default is not None:
                self.values[pname] = np.full(size, spec.default)
        for var in model.state_variables + model.variables:
            self.values[var] = np.zeros(size)
        given = self._renamed_once(parameters)
        preset_values = model.preset(preset) if preset is not None else {}
        for pname, value in self._in_reading_order({**{name: value for name, value in preset_values.items()
                                                       if name not in given}, **parameters}, "parameter"):
            self._assign(pname, value, kind="parameter")
        missing = [p for p in model.parameters if p not in self.values]
        if missing:
            raise ConfigError(f"{self.where}: parameter(s) {missing} have no default; give them in parameters")
        model.check_parameter_values(self.values, self.where)
        for var, value in self._in_reading_order({**model.initial, **dict(initial)}, "initial value"):
            self._assign(var, value, kind="initial value")
        self._ready = True

    def one_value(self, text: str, unit: pint.Unit, what: str) -> float:
        """One value for every neuron, in SI: a quantity (``"0.1 mV"``) or an expression of the model's
        parameters (``"J"``, as Brian2's ``weight='J'``) that is the same for all of them."""
        if not self._is_expression(text):
            return one_si(text, unit, what=what)
        variables = sorted(self._names_read(text) - set(self.model.parameters) - {"dt"})
        if variables:
            raise ConfigError(f"{what}: {text!r} reads {variables[0]!r}, which changes during the run; "
                              "expected a quantity or an expression of parameters")
        values = self._evaluate(text, unit, what)
        if np.any(values != values[0]):
            raise ConfigError(f"{what}: {text!r} differs between the neurons of {self.name!r}; expected one value")
        check_value(values[:1], what=what, shown=text, unit=unit)
        return float(values[0])

    def _refuse_subexpression(self, name: str, action: str) -> None:
        """A subexpression (``I_syn = g*(E - v) : amp``) has no stored values to read or set: say so, and how."""
        if name in self.model.subexpressions:
            instead = (f"record it (net.record({self.name!r}, {name!r})) to see its values" if action == "read"
                       else "set what its equation reads")
            raise ConfigError(f"{self.where}: {name!r} is a subexpression, computed from its equation during the "
                              f"run, so it cannot be {action} here; {instead}")

    def _names_read(self, value: Any) -> set[str]:
        """The parameters and variables (current names), ``t`` and ``dt`` an expression reads; none for a quantity."""
        if not isinstance(value, str):
            return set()
        names = {self.model.aliases.get(word, word) for word in re.findall(r"[A-Za-z_]\w*", value)}
        return names & {*self.model.units, *CLOCK_NAMES}

    def _is_expression(self, value: Any) -> bool:
        """Whether ``value`` is an expression (``"E_L + 5*mV"``, ``"2*h"`` of a parameter ``h``) rather than a
        quantity (``"-70 mV"``, ``"2 h"``): in an expression a model's names, ``t`` and ``dt`` win over units of the same
        name (``"2*dt"`` is two time steps, not two decitonnes)."""
        if not isinstance(value, str):
            return False
        if not is_quantity_text(value):
            return True
        try:
            ast.parse(value.strip(), mode="eval")
        except SyntaxError:  # "2 h" is a quantity, whatever the model's names
            return False
        return bool(self._names_read(value))

    def _renamed_once(self, parameters: Mapping[str, Any]) -> set[str]:
        """The current names of the ``parameters`` given; a parameter given under both its name and its old name
        is an error (one of the two values was dropped in silence, the last given)."""
        current: dict[str, str] = {}
        for name in parameters:
            new = self.model.aliases.get(name, name)
            if new in current:
                old = name if new != name else current[new]
                raise ConfigError(f"{self.where}: parameters {current[new]!r} and {name!r} are one parameter ({old!r} "
                                  f"is the old name of {new!r}); give it once, as {new!r}")
            current[new] = name
        return set(current)

    def _in_reading_order(self, values: Mapping[str, Any], kind: str) -> list[tuple[str, Any]]:
        """``values`` in the given order, except that an expression comes after the values it reads
        (``{"v": "E_L + R*I", "I": ...}`` sets ``I`` first); a circle of expressions is an error."""
        given = {self.model.aliases.get(name, name): (name, value) for name, value in values.items()}
        ordered: list[tuple[str, Any]] = []
        placed: set[str] = set()

        def place(name: str, readers: list[str]) -> None:
            if name in placed:
                return
            if name in readers:
                circle = " -> ".join(readers[readers.index(name):] + [name])
                raise ConfigError(f"{self.where}: the {kind}s {circle} read each other in a circle; "
                                  "give one of them a value")
            value = given[name][1]
            read = self._names_read(value) if self._is_expression(value) else set()
            for other in sorted(read & set(given) - {name}, key=list(given).index):
                place(other, readers + [name])
            placed.add(name)
            ordered.append(given[name])

        for name in given:
            place(name, [])
        return ordered

    def __getattr__(self, name: str) -> pint.Quantity:
        """``pop.v`` reads a parameter or variable, like :meth:`get` (Brian's habit); ``pop.v[0] = ...``
        sets neuron 0's."""
        values = self.__dict__.get("values", {})
        if name in values:
            return written_back(self.get(name), lambda given: self.set(name, given), self.where, name, "neurons")
        if name.startswith("_") or not values:  # Python's own probes (__array__, __deepcopy__, ...)
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        raise UnknownAttributeError(f"parameter or variable of {self.where}", name, values)

    @property
    def N(self) -> int:
        """The number of neurons, as Brian2's ``G.N`` (and ``len(G)``)."""
        return self.size

    @property
    def i(self) -> np.ndarray:
        """The neurons' indices, 0 to N - 1, as Brian2's ``G.i`` (read-only)."""
        indices = np.arange(self.size)
        indices.flags.writeable = False
        return indices

    def __setattr__(self, name: str, value: Any) -> None:
        """``pop.v = -60 * mV`` sets a parameter or variable, like :meth:`set`; the population's own attributes
        (``size``, ``N``, ``name``, ``model``, ``set``...) are read-only once it is made, and any other new
        attribute is an error (a misspelt variable must not be silently ignored)."""
        if not self.__dict__.get("_ready"):
            object.__setattr__(self, name, value)
            return
        refuse_read_only(self, name, self.where, "when the population is made by add_population")
        if name in self.values or name in self.model.subexpressions:
            self.set(name, value)
        else:
            raise UnknownNameError(f"parameter or variable of {self.where}", name, self.values)

    def _assign(self, name: str, value: Any, *, kind: str, neurons: np.ndarray | None = None) -> None:
        """Set ``name`` to ``value`` for every neuron, or for the ``neurons`` given (the others keep theirs)."""
        name, array = self._checked(name, value, what=f"{self.where}: {kind} {name!r}", kind=kind, neurons=neurons)
        if neurons is None:
            values = np.broadcast_to(array, (self.size,)).astype(float).copy()
        else:
            values = self.values[name].copy()
            values[neurons] = array
        if name in self.model.parameters and self.__dict__.get("_ready"):  # the first check is once all are given
            self.model.check_parameter_values({**self.values, name: values}, self.where)
        if (array.ndim == 1 or neurons is not None) and name in self.model.parameters:
            self.heterogeneous.add(name)
        self.values[name] = values
        if name in self.model.parameters:  # an expression as written ("100*dt" is not 100 decitonnes)
            given = value if neurons is None else ureg.Quantity(values, si_unit_string(self.model.units[name]))
            self.parameter_text[name] = given if self._is_expression(given) else as_data(given)

    def check_setting(self, name: str, value: Any, what: str) -> None:
        """Refuse what :meth:`set` would refuse (an unknown name, a value of the wrong unit or shape,
        an expression that does not fit), without setting anything; an expression is checked, not
        evaluated (it may draw random numbers)."""
        self._refuse_computed(self.model.parameter_name(name, self.where))
        self._checked(name, value, what=what, kind="value", evaluate=False)

    def _refuse_computed(self, name: str) -> None:
        """A variable the run computes every step, from its link or its stimuli, cannot be set: the value
        would be replaced at once."""
        if name in self.model.linked_variables:
            raise ConfigError(f"{self.where}: {name!r} is (linked): it takes the value of the variable it is linked "
                              "to every step; set that variable instead")
        if any(binding.population is self and binding.variable == name for binding in self.network._drives):
            raise ConfigError(f"{self.where}: {name!r} is the sum of its stimuli, computed every step, so a value "
                              "set here would be replaced at once; add a stimulus (constant_current) instead")

    def _checked(self, name: str, value: Any, *, what: str, kind: str, evaluate: bool = True,
                 neurons: np.ndarray | None = None) -> tuple[str, np.ndarray | None]:
        """The current name of ``name`` and ``value`` as SI values (None for an expression not evaluated):
        one value, or one per neuron (per neuron of ``neurons``, if given)."""
        name = self.model.parameter_name(name, self.where)
        self._refuse_subexpression(name, "set")
        variables = self.model.state_variables + self.model.variables
        known = list(self.model.parameters) + variables
        if name not in known:  # listing the names of the kind asked for (a parameter or a variable)
            listed = {"parameter": list(self.model.parameters), "initial value": variables}.get(kind, known)
            raise UnknownNameError(f"{kind} of {self.where}", name, listed)
        if kind == "parameter" and name not in self.model.parameters:  # the model's initial value would replace it
            raise ConfigError(f"{what}: {name!r} is a variable of the model, not a parameter; give its starting "
                              "value in initial")
        unit = self.model.units[name]
        if self._is_expression(value):
            array = self._evaluate(value, unit, what, evaluate)
            if array is None:
                return name, None
            array = array if neurons is None else array[neurons]
        else:
            array = np.asarray(to_si(value, unit, what=what), dtype=float)
        count = self.size if neurons is None else neurons.size
        if array.ndim > 1 or (array.ndim == 1 and array.shape[0] != count):
            raise ConfigError(f"{what}: expected one value or {count} values"
                              + (" (one per neuron of the slice)" if neurons is not None else "")
                              + f", got shape {array.shape}")
        spec = self.model.parameters.get(name)
        check_value(array, what=what, shown=value, unit=unit,
                    sign=spec.sign if spec is not None else None)
        return name, array

    def _evaluate(self, text: str, unit: pint.Unit, what: str, evaluate: bool = True) -> np.ndarray | None:
        """Evaluate an expression such as ``"E_L"`` or ``"E_L + 5*mV"`` per neuron (old parameter names work
        too); with ``evaluate=False`` only check it."""
        names = {n: n for n in self.model.units if n in self.values}
        names.update({old: self.model.parameter_name(old, what) for old in self.model.aliases
                      if re.search(rf"\b{re.escape(old)}\b", text)})
        units = {n: self.model.units[canonical] for n, canonical in names.items()}
        units.update({"i": ureg.dimensionless, "N": ureg.dimensionless, **dict.fromkeys(CLOCK_NAMES, ureg.second)})
        subexpressions = sorted(self._names_read(text) & set(self.model.subexpressions))  # Brian2 reads them
        if subexpressions:
            name = subexpressions[0]
            raise ConfigError(f"{what}: {text!r} reads {name!r}, a subexpression ({name} = "
                              f"{self.model.subexpressions[name]}), which is computed during the run; write it out "
                              "with the parameters and variables it reads")
        plain = text.strip() if text.strip() in units and same_dimension(units[text.strip()], unit) else None
        if plain is None:  # an expression to parse (a plain name of the right unit, such as "E_L", needs no parse)
            from ..language.expressions import NumericExpression

            expression = NumericExpression(text, units, where=what, expected=unit, expected_what="the variable",
                                           draws=True)
        if not evaluate:
            return None
        env = {n: self.values[canonical] for n, canonical in names.items()}
        env.update({"i": np.arange(self.size, dtype=float), "N": float(self.size),
                    **dict(zip(CLOCK_NAMES, self.network.clock()))})
        values = np.asarray(env[plain], dtype=float) if plain is not None else expression(env, self.rng, self.size)
        return np.broadcast_to(values, (self.size,))

    def __getitem__(self, item) -> PopulationView:
        """A slice of the population, e.g. ``pop[:80]`` as a projection source or target."""
        return view(self, item)

    def __len__(self) -> int:
        """The number of neurons, as Brian2's ``len(G)``."""
        return self.size

    def set(self, name: str, value: Any, *, neurons: np.ndarray | None = None) -> None:
        """Set a parameter or variable (all neurons, or one value per neuron), also between runs; with
        ``neurons`` (indices, as ``pop[1:3].set`` gives them) only theirs, from one value or one per neuron."""
        name = self.model.parameter_name(name, self.where)
        self._refuse_computed(name)
        if neurons is not None:  # indices, or a slice's (its own, or those a slice of the population gives)
            shown = f"{self.where}: set {name!r}: neurons"
            indices = whole_numbers(neurons, what=shown, size=self.size, items="neurons", from_end=True)
            neurons = checked_selection(np.where(indices < 0, indices + self.size, indices), shown, self.size)
        if neurons is not None and self.network._simulation is not None:
            self.values.update(self.network._simulation.read_state(self.name))  # the others keep their current values
        period = self.refractoriness.expression
        in_period = period is not None and name in {s.name for s in period.free_symbols}  # a parameter or declared variable
        if self.network._simulation is not None and (
                in_period or (name in self.model.parameters and name not in self.heterogeneous)):
            self.network._invalidate()  # per-neuron values or refractory periods change: rebuilt at the next run
        self._assign(name, value, kind="value", neurons=neurons)
        if self.network._simulation is not None:
            self.network._simulation.write(self.name, name, self.values[name])

    def get(self, name: str) -> pint.Quantity:
        """The current values of a parameter or variable, as a quantity in SI units (of a linked
        variable: its source's values, which the run reads)."""
        name = self.model.parameter_name(name, self.where)
        if name in self.links:
            source, source_variable = self.links[name]
            values = np.broadcast_to(source.get(source_variable).magnitude, (self.size,)).copy()
            return ureg.Quantity(values, si_unit_string(self.model.units[name]))
        if self.network._simulation is not None:
            self.values.update(self.network._simulation.read_state(self.name))
        self._refuse_subexpression(name, "read")
        if name not in self.values:
            raise UnknownNameError(f"variable of {self.where}", name, self.values)
        return ureg.Quantity(self.values[name].copy(), si_unit_string(self.model.units[name]))

    def to_dict(self) -> dict[str, Any]:
        """Provenance of this population."""
        return {"model": self.model.name, "size": self.size, "preset": self.preset,
                "parameters": dict(self.parameter_text),
                "integrator": self.integrator.name, "labels": self.labels, "refractory": self.refractoriness.text}

    def refractory_period_read_every_step(self) -> sympy.Basic | None:
        """The refractory period's expression where it reads a declared variable that is not ``(constant)``,
        which a reset, a synapse or a regular operation may change during a run: the kernel evaluates it in
        every step, as Brian2 does (else None: it is evaluated when the network is built and between runs)."""
        expression = self.refractoriness.expression
        changing = set(self.model.variables) - set(self.model.constant_variables)
        return expression if expression is not None and {s.name for s in expression.free_symbols} & changing else None

    def refractory_steps(self, dt: float) -> np.ndarray:
        """Each neuron's refractory period in steps of ``dt``."""
        return refractory_steps(self.refractoriness,
                                lambda text: self._evaluate(text, ureg.second, f"{self.where}: refractory"),
                                self.size, dt, self.where)


@arguments_checked({})
@dataclass
class PopulationView:
    """A subset of a population's (or source's) neurons, e.g. ``net.population("G")[:80]``."""

    group: Any
    indices: np.ndarray

    def __getitem__(self, item) -> PopulationView:
        """A slice of this slice, as Brian2's subgroup of a subgroup: ``pop[10:20][:5]`` is ``pop[10:15]``."""
        return view(self.group, item, within=self.indices)

    def __len__(self) -> int:
        """The number of neurons of the slice."""
        return int(self.indices.size)

    @property
    def N(self) -> int:
        """The number of neurons of the slice, as Brian2's ``G[10:20].N`` (and ``len``)."""
        return len(self)

    def set(self, name: str, value: Any) -> None:
        """Set a parameter or variable of these neurons only: one value, one per neuron of the slice, or an
        expression (whose ``i`` and ``N`` are, as everywhere, the index and size of the whole population)."""
        self._population().set(name, value, neurons=self.indices)

    def get(self, name: str) -> Any:
        """The current values of a parameter or variable for these neurons, as a quantity in SI units."""
        return self._population().get(name)[self.indices]

    def __setattr__(self, name: str, value: Any) -> None:
        """``G[:10].v = -60 * mV`` sets ``v`` of these neurons, as in Brian2 (like :meth:`set`); the slice's own
        attributes (``indices``, ``N``, ``name``...) are read-only."""
        if name in self.__dataclass_fields__ and name not in self.__dict__:
            object.__setattr__(self, name, value)
            return
        refuse_read_only(self, name, f"{self.group.where}: a slice", f"when it is taken; take another, e.g. {self.name}[:2]")
        self._check_known(name, UnknownNameError)
        self.set(name, value)

    def __getattr__(self, name: str) -> Any:
        """``G[:10].v`` reads ``v`` of these neurons, as in Brian2 (like :meth:`get`); ``G[:10].v[0] = ...``
        sets the first one's."""
        if name.startswith("_") or "group" not in self.__dict__:  # Python's own probes (__deepcopy__, ...)
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        if name == "i":  # Brian2 numbers a subgroup's neurons from 0; set and expressions number them in the group
            raise UnknownAttributeError(f"attribute of a slice of {self.group.where}", name, ["N", "indices"],
                                        "its neurons' indices in the whole group are .indices (expressions read "
                                        "those as i); Brian2's subgroup i counts from 0: numpy.arange(len(...))")
        self._check_known(name, UnknownAttributeError)
        return written_back(self.get(name), lambda given: self.set(name, given), self.group.where,
                            f"{self.name}[...].{name}", "neurons of the slice")

    def _check_known(self, name: str, error: type[UnknownNameError]) -> None:
        """Refuse, as ``error``, a name that is no parameter, variable or subexpression of the group
        (``set`` and ``get`` say why a subexpression cannot be set or read)."""
        values = getattr(self.group, "values", None)
        if values is None:
            raise error(f"parameter or variable of {self.group.where}", name, [], "a spike source has none")
        if name not in values and name not in self.group.model.subexpressions:
            raise error(f"parameter or variable of {self.group.where}", name, values)

    def _population(self):
        """The population of this slice; a spike source's slice has no values to set or read."""
        if not hasattr(self.group, "values"):
            raise ConfigError(f"{self.group.where}: a spike source has no parameters or variables to set or read")
        return self.group

    @property
    def name(self) -> str:
        """The name of the whole group."""
        return self.group.name


def view(group: Any, item: Any, within: np.ndarray | None = None) -> PopulationView:
    """``group[item]``, or ``group[...][item]`` of the slice whose neurons are ``within``: the neurons a slice, an
    index or a list of indices selects; none, an index outside the group, or one given twice (it would double
    synapses), is an error (not an empty projection)."""
    neurons = np.arange(group.size) if within is None else within
    shown = f"{group.name}{'' if within is None else '[...]'}[{_shown(item)}]"
    if not isinstance(item, slice) and item is not Ellipsis and not _is_mask(item):  # an index or a list of them
        item = whole_numbers(item, what=shown, size=neurons.size, items="neurons", from_end=True)
    try:
        indices = np.atleast_1d(neurons[item])
    except (IndexError, TypeError, ValueError) as error:
        raise ConfigError(f"{shown}: not a slice or indices of its {neurons.size} neurons ({error})") from None
    return PopulationView(group, checked_selection(indices, shown, neurons.size))


def checked_selection(indices: np.ndarray, shown: str, size: int) -> np.ndarray:
    """``indices``, the neurons a slice or ``set(..., neurons=)`` selects among ``size``, if there is at least one and
    none is given twice (a slice would double synapses; ``set`` would keep the last of two values)."""
    if indices.size == 0:
        raise ConfigError(f"{shown}: selects none of its {size} neurons")
    unique, counts = np.unique(indices, return_counts=True)
    if (counts > 1).any():
        raise ConfigError(f"{shown}: selects neuron {unique[counts > 1][0]} more than once; give each neuron once")
    return indices


def _is_mask(item: Any) -> bool:
    """Whether ``item`` is a list or array of booleans (one per neuron), which selects the neurons that are True."""
    try:
        array = np.asarray(item)
    except (TypeError, ValueError, OverflowError):
        return False
    return array.dtype == bool and array.ndim > 0


def _shown(item: Any) -> str:
    """``item`` as it was written between the brackets (``30:`` for ``slice(30, None)``)."""
    if not isinstance(item, slice):
        return repr(item)
    parts = [item.start, item.stop] + ([item.step] if item.step is not None else [])
    return ":".join("" if part is None else str(part) for part in parts)

"""A sweep's own checks: the ``[[sweep.expected]]`` items of an experiment, made concrete at each grid point.

An experiment's ``[[expected]]`` items describe its own point (``fi-curve``: 63 Hz at 400 pA), so at
the other points of a sweep they fail, and say nothing. The items of its ``[sweep]`` table replace them
in every run of a sweep. Each reads like an ``[[expected]]`` item, and may also give

- ``at``, the grid values where it applies (``at = { afferents_rate = "10 Hz" }``, or a list of them,
  ``["10 Hz", "20 Hz"]``, each a value of the grid), and
- ``value``, ``tolerance``, ``min`` or ``max`` as an expression of the grid's values at the run's point
  (``"1/(2*ms + 20*ms*log(...))"``), unit-checked like a model's expressions.

Both name the values of the experiment's own ``[sweep]`` grid, as the result names them
(``lif_input_amplitude`` for ``stimuli.lif_input.amplitude``). A sweep over other paths reads, for the
paths it does not vary, the values the experiment sets. A run's experiment holds its items with their
values worked out, as its ``[[expected]]`` (its file, and ``snnzoo rerun`` of it, show them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..catalog.experiment import item_text
from ..catalog.schema import CHECK_UNITS
from ..errors import ConfigError, UnknownNameError
from ..units import is_quantity_text, parse_unit, si_unit_string, to_si, ureg
from .grid import Parameter, make_grid, value_at, value_items

COMPUTED_KEYS = ("value", "tolerance", "min", "max")
"""The keys of a ``[[sweep.expected]]`` item that may be expressions of the grid's values."""


class PointChecks:
    """The ``[[sweep.expected]]`` items of an experiment, ready to be made concrete at any point."""

    def __init__(self, spec: Mapping[str, Any], where: str):
        """``spec`` is the experiment (its ``[sweep]`` table has ``expected`` items); ``where`` names it in errors.
        Every expression and ``at`` table is checked here, before any run."""
        from ..language.expressions import NumericExpression

        table = spec["sweep"]
        if not table.get("grid"):
            raise ConfigError(f"{where}: [[sweep.expected]] reads the values of the [sweep] grid, but the "
                              "[sweep] table has no grid")
        own = make_grid(spec, table["grid"], table.get("zip", False))
        self._spec = spec
        self._parameters: dict[str, Parameter] = {p.name: p for axis in own.axes for p in axis.parameters}
        units = {name: parse_unit(p.unit, what=name) if p.unit is not None else ureg.dimensionless
                 for name, p in self._parameters.items() if p.unit is not None or _all_numbers(p.values)}
        self._items = []
        for k, item in enumerate(table["expected"]):
            here = f"{where}: [[sweep.expected]] #{k + 1}"
            if item in table["expected"][:k]:  # its label would name two checks in the sweep's result
                raise ConfigError(f"{here}: repeats [[sweep.expected]] #{table['expected'].index(item) + 1}")
            unit = CHECK_UNITS.get(item["check"])
            expressions = {key: NumericExpression(item[key], units, where=f"{here}: {key}",
                                                  expected=None if unit is None else parse_unit(unit, what=key),
                                                  expected_what=f"a {item['check']} check")
                           for key in COMPUTED_KEYS if _is_expression(item.get(key))}
            at = {name: self._at_values(name, value, f"{here}: at") for name, value in item.get("at", {}).items()}
            self._items.append((here, item, expressions, at))

    @property
    def labels(self) -> list[str]:
        """Each item as written (its check, what it is about, what it expects): the same at every point."""
        return [item_text(item) for _, item, _, _ in self._items]

    def at_point(self, settings: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
        """The items that apply where the grid paths have the values ``settings`` (path -> value as written
        into the experiment; paths not in it keep the experiment's values), with their expressions worked
        out there; and their labels (:attr:`labels`)."""
        items, labels = [], []
        for (here, item, expressions, at), label in zip(self._items, self.labels):
            if not all(any(_same(self._value(name, settings, here), one) for one in wanted)
                       for name, wanted in at.items()):
                continue
            concrete = {key: value for key, value in item.items() if key != "at"}
            for key, expression in expressions.items():
                values = {name: np.float64(self._value(name, settings, here)) for name in expression.names}
                with np.errstate(all="ignore"):  # a value that is not finite is refused below, naming the point
                    result = float(expression(values))
                if not math.isfinite(result):
                    shown = ", ".join(f"{name} = {settings.get(self._parameters[name].path)}" for name in values)
                    raise ConfigError(f"{here}: {key} = {item[key]!r} is {result} at {shown}; expected a finite "
                                      "value at every point of the sweep (use 'at' to leave points out)")
                concrete[key] = result if expression.unit == ureg.dimensionless else \
                    f"{result!r} {si_unit_string(expression.unit)}"
            items.append(concrete)
            labels.append(label)
        return items, labels

    def _at_values(self, name: str, value: Any, where: str) -> tuple[Any, ...]:
        """The grid values an ``at`` entry names, one or a list read as a grid's values are (``"300 pA"``,
        ``["300 pA", "400 pA"]``, ``{ values = [300, 400], unit = "pA" }``, ``"300, 400 pA"``), each in the
        unit of the grid value it is compared with (SI), or as written. Each must be a value of the grid:
        a value between its points (or a typo) left the check out of every run."""
        if name not in self._parameters:
            error = UnknownNameError("grid value", name, list(self._parameters))
            error.args = (f"{where}: {error}",)  # it read "unknown experiment 'NAME': ...: grid value 'x'"
            raise error
        parameter = self._parameters[name]
        where = f"{where}: {name}"
        grid = [self._si(parameter, parameter.setting(k), where) for k in range(len(parameter.values))]
        wanted = []
        for one in value_items(value, where):
            converted = self._si(parameter, one, where)
            if not any(_same(point, converted) for point in grid):
                shown = ", ".join(map(str, parameter.values)) + (f" {parameter.unit}" if parameter.unit else "")
                raise ConfigError(f"{where}: {one!r} is not a value of the [sweep] grid ({shown}); give one of them")
            wanted.append(converted)
        return tuple(wanted)

    @staticmethod
    def _si(parameter: Parameter, value: Any, where: str) -> Any:
        """``value`` of the grid value ``parameter`` in SI units when it has a unit, else as written."""
        return value if parameter.unit is None else to_si(value, parameter.unit, what=where)

    def _value(self, name: str, settings: Mapping[str, Any], where: str) -> Any:
        """The value of the grid value ``name`` at a point: in SI units when it has a unit, else as written."""
        parameter = self._parameters[name]
        value = settings[parameter.path] if parameter.path in settings else value_at(self._spec, parameter.path)
        if value is None:
            raise ConfigError(f"{where}: reads {name!r} ({parameter.path}), which this sweep does not vary and the "
                              "experiment does not set; give it in the grid")
        return self._si(parameter, value, f"{where}: {name}")


def _is_expression(value: Any) -> bool:
    """Whether a bound is an expression (text that is not a quantity such as ``"63 Hz"``)."""
    return isinstance(value, str) and not is_quantity_text(value)


def _all_numbers(values: tuple[Any, ...]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(value, float) and isinstance(wanted, float):
        return math.isclose(value, wanted, rel_tol=1e-9, abs_tol=0.0)
    return value == wanted

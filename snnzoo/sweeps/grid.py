"""The runs of a sweep: swept paths with their values (and units), zipped axes, seeds.

A grid maps dotted experiment paths (as ``--set`` takes them) to values. Each
path, or each group of zipped paths, is one axis of the result; ``seed`` is the
last. Values are checked against what the path holds in the experiment (or the
model's unit for a parameter the file leaves at its default) before anything runs.
"""

from __future__ import annotations

import builtins
import copy
import numbers
import re
import tomllib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pint

from ..catalog.experiment import set_value, toml_value
from ..errors import ConfigError, UnitError, UnknownNameError
from ..units import MAX_SEED, as_quantity, dimension_of, is_quantity_text, parse_unit, seed_number, ureg, whole_number

RESERVED_NAMES = frozenset({
    # the summary: its dimensions and variables
    "seed", "population", "check", "status", "error", "total_spikes", "mean_rate", "isi_cv", "check_value", "check_expected",
    "check_passed", "wall_seconds", "overhead_seconds", "kernels_loaded", "worker",
    # the stacked population and projection groups of record="spikes" or "traces"
    "cell", "spike", "spike_time", "spike_neuron", "spike_count", "time", "neuron", "label", "duration_seconds",
    "synapse", "pre", "post", "weight", "delay", "recorded_synapse"})
"""Names of the result's own dimensions and variables; a swept axis or coordinate never takes one."""

_TIME_KEYS = ("dt", "duration", "refractory", "delay")

UNSIMULATED_KEYS = ("name", "title", "description", "references", "figure", "expected", "sweep")
"""Top-level keys of an experiment that change nothing its runs simulate: a grid over one ran every run again."""


@dataclass(frozen=True)
class Parameter:
    """One swept path: its values as the experiment receives them, and their unit (None for plain values)."""

    path: str
    values: tuple[Any, ...]
    unit: str | None
    name: str = ""
    """Its name in the result: ``"P_rate"`` for ``sources.P.rate`` (see :func:`_names`)."""

    def setting(self, k: int) -> Any:
        """The value of run ``k`` as written into the experiment: ``"65.0 pA"``, a number or text."""
        value = self.values[k]
        return f"{value!r} {self.unit}" if self.unit is not None else value

    def data(self, k: int) -> Any:
        """The value of run ``k`` as data: ``{"value": 65.0, "unit": "pA"}`` or the plain value."""
        return {"value": self.values[k], "unit": self.unit} if self.unit is not None else self.values[k]


@dataclass(frozen=True)
class Axis:
    """One dimension of the sweep: one path, or several zipped paths that vary together."""

    name: str
    parameters: tuple[Parameter, ...]

    def __len__(self) -> int:
        return len(self.parameters[0].values)


@dataclass(frozen=True)
class Run:
    """One simulation of the sweep: its position, its values and its seed."""

    index: tuple[int, ...]
    settings: dict[str, Any]
    seed: int

    @property
    def key(self) -> str:
        """A file-name-safe name of the run, e.g. ``"2-0-seed3"``."""
        return "-".join(map(str, self.index[:-1])) + ("-" if len(self.index) > 1 else "") + f"seed{self.seed}"


@dataclass(frozen=True)
class Grid:
    """The axes and seeds of a sweep."""

    axes: tuple[Axis, ...]
    seeds: tuple[int, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(axis) for axis in self.axes) + (len(self.seeds),)

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(axis.name for axis in self.axes) + ("seed",)

    def runs(self) -> list[Run]:
        """Every run, in grid order (the seed varies fastest)."""
        runs = []
        for index in np.ndindex(self.shape):
            settings = {p.path: p.setting(k) for axis, k in zip(self.axes, index) for p in axis.parameters}
            runs.append(Run(tuple(int(i) for i in index), settings, self.seeds[index[-1]]))
        return runs

    def named_apart_from(self, taken: Collection[str]) -> Grid:
        """This grid with each axis and swept coordinate whose name is one of ``taken`` renamed with ``swept_``
        in front (a build function's path ``v`` beside a recorded variable ``v`` becomes ``swept_v``)."""
        originals = {p.name for axis in self.axes for p in axis.parameters}
        names: dict[str, str] = {}
        for parameter in (p for axis in self.axes for p in axis.parameters):
            names[parameter.name] = parameter.name if parameter.name not in taken else \
                _free(parameter.name, {*taken, *originals, *names.values()})
        return Grid(tuple(Axis(names[axis.name], tuple(replace(p, name=names[p.name]) for p in axis.parameters))
                          for axis in self.axes), self.seeds)

    def to_dict(self) -> dict[str, Any]:
        """The grid as plain data (stored with the sweep, compared on resume)."""
        return {"axes": [{"name": a.name, "parameters": [{"path": p.path, "values": list(p.values), "unit": p.unit}
                                                         for p in a.parameters]} for a in self.axes],
                "seeds": list(self.seeds)}


def make_grid(spec: Mapping[str, Any] | None, grid: Mapping[str, Any], zip: bool | Sequence[Sequence[str]] = False,
              seeds: int | Sequence[int] | None = None) -> Grid:
    """Check and order a sweep's grid against the experiment ``spec`` (None: a Python builder, no checks).

    ``zip=True`` zips every path into one axis; a list of path groups zips each group.
    ``seeds`` is a number of runs (seeds 0..N-1), a list of seeds, or None (the experiment's seed).
    """
    if not isinstance(grid, Mapping) or not grid:
        raise ConfigError("grid: give at least one PATH with a list of values, e.g. {'sources.P.rate': '2, 4 Hz'}")
    names = dict(builtins.zip(map(str, grid), _names([str(path) for path in grid])))
    parameters = {str(path): replace(_parameter(spec, str(path), values), name=names[str(path)])
                  for path, values in grid.items()}
    axes = []
    for group in _zip_groups(list(parameters), zip):
        lengths = {path: len(parameters[path].values) for path in group}
        if len(set(lengths.values())) > 1:
            raise ConfigError(f"zip: zipped paths need equally many values, got {lengths}")
        axes.append(Axis(names[group[0]], tuple(parameters[path] for path in group)))
    return Grid(tuple(axes), seed_list(seeds, spec))


def _zip_groups(paths: list[str], zip: bool | Sequence[Sequence[str]]) -> list[list[str]]:
    if zip is True:
        return [paths]
    if zip is False or zip is None:
        return [[path] for path in paths]
    if not _is_list(zip) or not all(_is_list(group) for group in zip):
        example = f" (e.g. [{paths[:2]}])" if len(paths) >= 2 else ""  # a group of one path is refused below
        raise ConfigError(f"zip: expected True, False or a list of groups of grid paths{example}, got {zip!r}")
    groups, seen = [], set()
    for group in zip:
        group = [str(path) for path in group]
        unknown, distinct = [path for path in group if path not in paths], set(group)
        if unknown or len(distinct) < 2 or len(distinct) < len(group) or seen & distinct:  # [[W, W]] was ignored
            raise ConfigError(f"zip: each group lists two or more distinct grid paths once, got {group} "
                              f"(grid paths: {', '.join(paths)})")
        seen |= distinct
        groups.append(group)
    return groups + [[path] for path in paths if path not in seen]


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _names(paths: list[str]) -> list[str]:
    """Short unique names that are also valid CF/netCDF names: ``duration``, ``P_rate`` for
    ``sources.P.rate``, ``G_a`` for ``populations.G.parameters.a``; the whole path (dots as ``_``)
    if those clash; and ``swept_`` before a name that is still one of :data:`RESERVED_NAMES` or
    taken by an earlier path (a build function's path ``population`` is ``swept_population``)."""
    def short(path: str) -> str:
        keys = path.split(".")
        return _identifier(f"{keys[1]}_{keys[-1]}" if len(keys) >= 3 else keys[-1])

    for path in paths:
        if path == "seed" or path.startswith("seed."):
            raise ConfigError("grid: 'seed' is swept with seeds=, not as a grid path")
    shorts = [short(path) for path in paths]
    names: list[str] = []
    for name, path in zip(shorts, paths):
        name = name if shorts.count(name) == 1 and name not in RESERVED_NAMES else _identifier(path)
        names.append(_free(name, RESERVED_NAMES | set(names)))
    return names


def _free(name: str, taken: Collection[str]) -> str:
    """``name`` with ``swept_`` in front as many times as it takes to be none of ``taken``."""
    while name in taken:
        name = f"swept_{name}"
    return name


def _identifier(text: str) -> str:
    """``text`` with every character other than a letter, digit or ``_`` replaced by ``_``."""
    return re.sub(r"\W", "_", text)


RUN_BYTES = 2048
"""Memory a run takes before the sweep starts, beyond its own experiment: its settings, key and task."""

SEED_BYTES = 40
"""Memory a seed takes in the list of a sweep's seeds."""


def check_runs_fit(runs: int, bytes_per_run: int, what: str) -> None:
    """Refuse a sweep of ``runs`` runs whose descriptions (``bytes_per_run`` each), all made before the first
    run, would not fit in memory: a mistyped ``--seeds 100000000`` took the machine's memory before anything ran."""
    from ..engine.memory import memory_limit

    limit, source = memory_limit()
    if runs * bytes_per_run > limit:
        raise ConfigError(f"{what}: {runs:,} runs would take about {runs * bytes_per_run / 2**30:.3g} GiB of memory "
                          f"before the first run, more than the {limit / 2**30:.3g} GiB allowed ({source}); "
                          "sweep fewer values or seeds, or split the sweep")


def seed_list(seeds: int | Sequence[int] | None, spec: Mapping[str, Any] | None) -> tuple[int, ...]:
    """The seeds of the runs, each checked as every master seed is (:func:`~snnzoo.units.seed_number`)."""
    expected = "seeds: expected a number of runs (>= 1) or a list of distinct non-negative integers"
    if seeds is None:
        return (seed_number((spec or {}).get("seed", 0)),)
    if isinstance(seeds, np.ndarray):  # np.arange(5), as grid values may be arrays
        seeds = seeds.tolist()
    if isinstance(seeds, numbers.Real) and not isinstance(seeds, bool):  # 4 or 4.0, as every whole number
        count = whole_number(seeds, what="seeds", minimum=1)  # -1 said ">= 0", and 0 was then refused
        if count > MAX_SEED + 1:  # it named the last seed, count - 1, not the number given
            raise ConfigError(f"seeds: expected a number of runs from 1 to 2**63 (seeds 0..N-1), got {count}")
        check_runs_fit(count, SEED_BYTES, "seeds")
        return tuple(range(count))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or not seeds:
        raise ConfigError(f"{expected}, got {seeds!r}")
    if any(isinstance(s, bool) or not isinstance(s, numbers.Real) or s < 0 for s in seeds):
        raise ConfigError(f"{expected}, got {list(seeds)!r}")
    checked = tuple(seed_number(s, what="seeds") for s in seeds)
    if len(set(checked)) != len(checked):
        raise ConfigError(f"{expected}, got {list(seeds)!r}")
    return checked


def _parameter(spec: Mapping[str, Any] | None, path: str, values: Any) -> Parameter:
    where = f"grid {path}"
    if spec is not None:
        _refuse_unsimulated(path, where)
        set_value(copy.deepcopy(dict(spec)), path, None, what=where)  # the path exists or may be added
    items = value_items(values, where)
    magnitudes, unit = _values_and_unit(spec, path, items, where)
    _check_distinct(magnitudes, items, where)
    return Parameter(path, magnitudes, unit)


def _refuse_unsimulated(path: str, where: str) -> None:
    """Refuse a path under one of :data:`UNSIMULATED_KEYS` (``title``, ``sweep.seeds``), naming what may be swept."""
    from ..catalog.schema import TOP

    key = path.split(".")[0]
    if key in UNSIMULATED_KEYS:
        simulated = [k.name for k in TOP.keys if k.name not in (*UNSIMULATED_KEYS, "seed")]
        raise ConfigError(f"{where}: '{key}' changes nothing the runs simulate, so each value would run the same "
                          f"runs again; sweep paths under {', '.join(simulated)}")


def _values_and_unit(spec: Mapping[str, Any] | None, path: str, items: list[Any],
                     where: str) -> tuple[tuple[Any, ...], str | None]:
    """The values of one path in one unit (magnitudes and the unit's text), or plain values and None."""
    expected = None if spec is None else _expected_unit(spec, path)
    if expected is None:  # free values: quantities keep their unit, text and numbers stay as they are
        quantities = [isinstance(v, pint.Quantity) or (isinstance(v, str) and is_quantity_text(v)) for v in items]
        if not any(quantities):
            return tuple(_plain(v, where) for v in items), None
        if not all(quantities):
            raise UnitError(f"{where}: mix of values with and without units: {items!r}")
        expected = as_quantity(items[0], what=where).units
    if expected == ureg.dimensionless and not any(isinstance(v, (pint.Quantity, str)) for v in items):
        return tuple(_plain(v, where) for v in items), None  # plain numbers (a probability, a size)
    quantities = []
    for value in items:
        if not isinstance(value, (pint.Quantity, str)):
            raise UnitError(f"{where}: the value {value!r} has no unit; expected {dimension_of(expected)}, "
                            f"e.g. '{value if _is_real(value) else 1} {expected:~}'")
        quantity = as_quantity(value, what=where)
        if quantity.dimensionality != ureg.Quantity(1, expected).dimensionality:
            raise UnitError(f"{where}: expected {dimension_of(expected)}, got {quantity:~} "
                            f"of dimension {dimension_of(quantity.units)}")
        quantities.append(quantity)
    unit = quantities[0].units
    return tuple(float(q.to(unit).magnitude) for q in quantities), f"{unit:~}" or "1"


def _check_distinct(values: tuple[Any, ...], items: list[Any], where: str) -> None:
    """Refuse two values of one path that are the same (``100 pA`` and ``0.1 nA``: ``values`` are in one
    unit, compared to 1e-9 relative, as unit conversions round): they would run one grid point twice.
    The first pair in the order given is named."""
    pairs = _same_value_pairs(values)
    if pairs:
        i, j = min(pairs, key=lambda pair: (pair[1], pair[0]))
        raise ConfigError(f"{where}: the values {_shown(items[i])} and {_shown(items[j])} are the same; "
                          "give each value once")


def _same_value_pairs(values: tuple[Any, ...]) -> list[tuple[int, int]]:
    """Positions ``(i, j)``, ``i < j``, of values that are the same: numbers within 1e-9 relative of each
    other, found next to each other once sorted (every pair was compared, one call each: 1 999 000 calls
    for 2000 values), and any other values by their ``repr``."""
    reals = [k for k, value in enumerate(values) if _is_real(value)]
    numbers = np.array([values[k] for k in reals], dtype=float)
    order = np.argsort(numbers, kind="stable")
    close = np.isclose(numbers[order][:-1], numbers[order][1:], rtol=1e-9, atol=0)
    pairs = [(min(reals[order[k]], reals[order[k + 1]]), max(reals[order[k]], reals[order[k + 1]]))
             for k in np.flatnonzero(close)]
    first_of: dict[str, int] = {}
    for k, value in enumerate(values):
        if not _is_real(value):
            first = first_of.setdefault(repr(value), k)
            if first != k:
                pairs.append((first, k))
    return pairs


def _shown(item: Any) -> str:
    return f"'{item:~}'" if isinstance(item, pint.Quantity) else repr(item)


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def value_items(values: Any, where: str) -> list[Any]:
    """The values of one path as a list: a quantity array, a list, ``{"values": [...], "unit": "Hz"}``."""
    if isinstance(values, Mapping):
        if set(values) not in ({"values", "unit"}, {"value", "unit"}):
            raise ConfigError(f"{where}: a table of values needs exactly 'values' and 'unit', got {sorted(values)}")
        numbers = values.get("values", values.get("value"))
        listed = list(numbers) if isinstance(numbers, (Sequence, np.ndarray)) and not isinstance(numbers, str) \
            else [numbers]
        if not all(_is_real(number) for number in listed):
            raise ConfigError(f"{where}: a table's values are numbers (its 'unit' gives their unit), got {numbers!r}")
        values = ureg.Quantity(np.asarray(listed, dtype=float), parse_unit(str(values["unit"]), what=where))
    array = values.magnitude if isinstance(values, pint.Quantity) else values
    if isinstance(array, np.ndarray) and array.ndim > 1:
        raise ConfigError(f"{where}: expected a list of values, got an array of shape {array.shape}")
    if isinstance(values, pint.Quantity):
        items = [values] if np.ndim(values.magnitude) == 0 else list(values)
    elif isinstance(values, str):  # "2, 4 Hz" is two values, as at the command line (pint read 8 Hz)
        items = values_of_text(values, where)
    elif isinstance(values, (set, frozenset)):
        raise ConfigError(f"{where}: expected a list of values, got a set (its order is not the one given, and the "
                          "runs and the result's coordinate follow the values' order)")
    elif isinstance(values, Iterable) and not isinstance(values, bytes):  # a list, an array, a generator
        items = list(values)
    else:
        items = [values]
    if not items:
        raise ConfigError(f"{where}: the list of values is empty")
    return items


def values_of_text(text: str, where: str) -> list[Any]:
    """The values a text gives, at the command line (``--grid PATH=TEXT``) and in ``grid`` alike:
    ``"2, 4, 8 Hz"`` (the unit after the last value is every bare number's; with values of two units it is
    unclear, refused), ``"[2 4 8] Hz"``,
    ``"true, false"``, ``"'a', 'b'"``; a text without a comma is one value. ``where`` names the
    values in errors."""
    text = text.strip()
    if text.startswith("["):  # one list: TOML's [1, 2] or a quantity's [2 4] Hz (a comma may be inside)
        try:
            listed = toml_value(text, what=where)
        except tomllib.TOMLDecodeError:
            try:
                quantity = as_quantity(text, what=where)
            except UnitError:
                raise UnitError(f"{where}: cannot read {text!r} as a list of values; expected e.g. '[2, 4, 8] Hz' "
                                "or '2, 4, 8 Hz'") from None
            listed = list(quantity) if quantity.units != ureg.dimensionless else quantity.magnitude.tolist()
        return listed
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise ConfigError(f"{where}: give one or more comma-separated values, got {text!r}")
    last = items[-1].split(maxsplit=1)
    if len(last) == 2 and is_quantity_text(items[-1]):
        units = {item.split(maxsplit=1)[-1] for item in items if is_quantity_text(item) and not _is_number_text(item)}
        if len(units) > 1 and any(_is_number_text(item) for item in items):  # "1, 2 nS, 3 pS": 1 took pS
            raise ConfigError(f"{where}: {text!r} has bare numbers and the units {', '.join(sorted(units))}, so the "
                              f"unit of a bare number is unclear; give each value its unit, or one unit after the "
                              f"last value, e.g. '1, 2, 3 {last[1]}'")
        items = [f"{item} {last[1]}" if _is_number_text(item) else item for item in items]
    return [_text_value(item, where) for item in items]


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _text_value(text: str, where: str) -> Any:
    """One value of a text: a quantity text as it is, else what TOML reads (a number, a boolean, a quoted
    text), else the text itself (a name)."""
    if is_quantity_text(text) and not _is_number_text(text):
        return text
    try:
        return toml_value(text, what=where)
    except tomllib.TOMLDecodeError:
        return text


def _plain(value: Any, where: str) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (bool, int, float, str)):
        return value
    raise ConfigError(f"{where}: cannot sweep over the value {value!r} (expected numbers, text or quantities)")


def value_at(spec: Mapping[str, Any], path: str) -> Any:
    """The value the experiment ``spec`` gives the dotted ``path``, or None where it gives none."""
    node: Any = spec
    for key in path.split("."):
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _expected_unit(spec: Mapping[str, Any], path: str) -> pint.Unit | None:
    """The unit a path takes: from its value in the file, the model's unit, or its key; None if free."""
    keys = path.split(".")
    node = value_at(spec, path)
    if isinstance(node, str) and is_quantity_text(node):
        return as_quantity(node, what=path).units
    if isinstance(node, Mapping) and set(node) == {"value", "unit"}:
        return parse_unit(str(node["unit"]), what=path)
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return ureg.dimensionless
    if node is None and len(keys) == 4 and keys[0] in _MODEL_OF and keys[2] in ("parameters", "initial"):
        return _model_unit(spec, keys[0], keys[1], keys[3])
    if node is None and keys[-1] in _TIME_KEYS:
        return ureg.second
    return None


_MODEL_OF = {"populations": ("model", "model"), "projections": ("synapse", "synapse model")}
"""Where a grid path's table names its model: the key, and what the model is called in errors."""


def _model_unit(spec: Mapping[str, Any], table: str, name: str, variable: str) -> pint.Unit | None:
    """The unit of ``variable`` in the model of ``[table.name]`` (None: an inline model, or no synapse model)."""
    key, kind = _MODEL_OF[table]
    model = spec[table][name].get(key)
    if not isinstance(model, str) or model in spec.get("models", {}):
        return None  # an inline model, or a projection without one: checked when the experiment is built
    from ..plugins.loader import get_registry

    registry = get_registry()
    units = (registry.model(model) if table == "populations" else registry.synapse_model(model)).units
    if variable not in units:
        raise UnknownNameError(f"parameter or variable of {kind} {model!r} (grid path {table}.{name})",
                               variable, list(units))
    return units[variable]


"""Experiments from the catalog: TOML files that plugins ship, built into networks and run.

An experiment file names models (from plugins, or written inline), populations,
stimuli, monitors, a protocol (runs and value changes), a figure and an
``expected`` block of checked outcomes. See the README for the format.
"""

from __future__ import annotations

import copy
import difflib
import functools
import inspect
import math
import os
import re
import tomllib
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, SimulationError, SnnzooError, UnknownNameError, a_or_an
from ..results import analysis  # (importing it also registers the .snn accessor)
from ..time_steps import GRID_TOLERANCE
from ..units import (Sign, as_quantity, is_quantity_text, is_whole_number, positive_si, si_unit_string, to_si, ureg,
                     whole_number, whole_numbers)
from .schema import (MONITOR, PANEL_KINDS, POPULATION, PROJECTION, TOP, check_experiment,
                             configured_stimulus, did_you_mean)

if TYPE_CHECKING:  # imported where used: reading an experiment needs neither sympy nor numba
    from ..language.model import NeuronModel
    from ..network.network import Network

_TOP_LEVEL = frozenset(key.name for key in TOP.keys)
_RULE_KEYS = frozenset(key.name for key in PROJECTION.keys)

def load_toml(path: Path) -> dict[str, Any]:
    """Read an experiment file; bad TOML is an error naming the file and line."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"experiment file {path}: invalid TOML ({err})") from None
    except RecursionError:  # tomllib reads nested arrays and inline tables by recursion
        raise ConfigError(f"experiment file {path}: invalid TOML (arrays or tables nested too deeply to read)") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"experiment file {path}: not UTF-8 text (byte {err.start}: {err.reason}); "
                          "TOML files are UTF-8") from None
    except OSError as err:
        raise ConfigError(f"experiment file {path}: cannot read it ({err.strerror})") from None


def _what_is_at(path: Path) -> str | None:
    """``"file"``, ``"folder"`` or None (nothing, or a name no file can have, such as one too long)."""
    try:
        return "file" if path.is_file() else "folder" if path.is_dir() else None
    except OSError:
        return None


# Keys a table of each kind may hold, so ``--set`` and sweep grids can add one the file leaves at its
# default (None: any key, checked when the experiment is built).
_TABLE_KEYS: dict[str, set[str] | None] = {
    "populations": {key.name for key in POPULATION.keys},
    "projections": set(_RULE_KEYS),
    "monitors": {key.name for key in MONITOR.keys},
    "models": None,
}


def apply_override(spec: dict[str, Any], assignment: str) -> None:
    """Apply one ``--set PATH=VALUE`` to the experiment dictionary.

    PATH is dotted (``populations.adex.parameters.C``); see :func:`set_value`
    for which paths may be new. VALUE is read as TOML (``3``, ``[1, 2]``,
    ``"text"``) or else taken as text (``250 pF``).
    """
    if "=" not in assignment:
        raise ConfigError(f"--set {assignment!r}: expected PATH=VALUE, e.g. populations.adex.size=16")
    path, raw = (part.strip() for part in assignment.split("=", 1))
    if not path:
        raise ConfigError(f"--set {assignment!r}: the path before '=' is empty; expected PATH=VALUE, e.g. "
                          "populations.adex.size=16")
    try:
        value = toml_value(raw, what=f"--set {path}")
    except tomllib.TOMLDecodeError:
        value = raw
    keys = path.split(".")
    table = _parameter_table(spec, keys)
    if table is not None:  # the override replaces the value the file gives under the parameter's other name
        for other in _names_of_parameter(spec, keys) - {keys[-1]}:
            table.pop(other, None)
    set_value(spec, path, value, what=f"--set {path}")


def _is_parameter_path(keys: list[str]) -> bool:
    """Whether the path ``keys`` sets a population's parameter (``populations.P.parameters.NAME``)."""
    return len(keys) == 4 and keys[0] == "populations" and keys[2] == "parameters"


def _parameter_table(spec: dict[str, Any], keys: list[str]) -> dict[str, Any] | None:
    """The ``parameters`` table of a population that the path ``keys`` sets a value in, if it is one."""
    if not _is_parameter_path(keys):
        return None
    table = spec.get("populations", {}).get(keys[1], {}).get("parameters") if isinstance(spec.get("populations"),
                                                                                          dict) else None
    return table if isinstance(table, dict) else None


def _names_of_parameter(spec: dict[str, Any], keys: list[str]) -> set[str]:
    """Every name of the parameter that the path ``keys`` (``populations.P.parameters.NAME``) sets: NAME, and its
    current and old names when P's model is a registered one with aliases."""
    population = spec.get("populations", {}).get(keys[1]) if isinstance(spec.get("populations"), dict) else None
    model_name = population.get("model") if isinstance(population, dict) else None
    if not isinstance(model_name, str) or model_name in (spec.get("models") or {}):
        return {keys[-1]}
    from ..plugins.loader import get_registry

    try:
        aliases = get_registry().model(model_name).aliases
    except SnnzooError:  # an unknown model: the build says so
        return {keys[-1]}
    current = aliases.get(keys[-1], keys[-1])
    return {current, *(old for old, new in aliases.items() if new == current)}


def toml_value(text: str, *, what: str) -> Any:
    """The value TOML reads ``text`` as (``3``, ``[1, 2]``, ``"a"``; :class:`tomllib.TOMLDecodeError` when it reads
    none); arrays nested too deeply for tomllib (which reads them by recursion) are one line naming ``what``."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except RecursionError:
        raise ConfigError(f"{what}: the value's arrays are nested too deeply to read") from None


def _refuse_repeated_paths(overrides: Sequence[str], spec: dict[str, Any]) -> None:
    """Refuse two ``--set`` of one path, or of one parameter under its name and its old name: the last one won
    in silence (``--grid`` refuses a path given twice)."""
    given: dict[tuple[str, ...], tuple[str, str]] = {}
    for assignment in overrides:
        path, _, raw = (part.strip() for part in assignment.partition("="))
        keys = path.split(".")
        same = (*keys[:-1], min(_names_of_parameter(spec, keys))) if _is_parameter_path(keys) else tuple(keys)
        if same in given:
            first, value = given[same]
            if first == path:
                raise ConfigError(f"--set {path}: given twice ({value!r} and {raw!r}); give each path once")
            raise ConfigError(f"--set {path}: {first} sets the same parameter ({value!r} and {raw!r}: one is its "
                              "old name); give it once")
        given[same] = (path, raw)


def set_value(spec: dict[str, Any], path: str, value: Any, *, what: str) -> None:
    """Set the dotted ``path`` of an experiment dictionary to ``value``.

    The path must exist, or name a key the experiment format knows at that place
    and the file leaves at its default: a top-level setting (``integrator``), a
    key of a population, projection or monitor (``populations.E.integrator``),
    any setting of a source or stimulus, any name under a population's or a
    projection's ``parameters`` or ``initial``. An item of a list is named by its
    position from 0 (``protocol.1.run``), and a key holding dots by itself
    (``protocol.1.set.decay.x``). Anything else is an error suggesting the
    closest existing path.
    """
    keys = path.split(".")
    node: Any = spec
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        if not isinstance(node, (dict, list)):
            above = ".".join(keys[:depth])
            raise ConfigError(f"{what}: {above!r} is a single value ({node!r}), not a table; set it with "
                              f"--set {above}=VALUE")
        if isinstance(node, list):
            position = _list_position(node, keys[:depth + 1], what)
            if last:
                node[position] = value
                return
            node = node[position]
            continue
        rest = ".".join(keys[depth:])
        if not last and key not in node and rest in node:  # a key holding dots ("decay.x")
            node[rest] = value
            return
        addable = _addable(keys[:depth], node)
        if key not in node and (addable is None or key in addable):
            if last:
                break
            if _addable(keys[:depth + 1], {}) == set():
                added = ".".join(keys[:depth + 1])
                raise ConfigError(f"{what}: {added!r} is not in the experiment, and a path adds no table there; give "
                                  f"its whole value with --set {added}=VALUE")
            node[key] = {}
        if key not in node:
            here = ".".join(keys[: depth + 1])
            choices = sorted(set(node) | (addable or set()))
            close = difflib.get_close_matches(key, choices, n=1)
            hint = f"; did you mean {'.'.join(keys[:depth] + close)!r}?" if close else ""
            raise ConfigError(f"{what}: {here!r} does not exist in the experiment{hint} "
                              f"(choices here: {', '.join(choices) or 'none'})")
        if not last:
            node = node[key]
    node[keys[-1]] = value


def _addable(parents: list[str], table: Any) -> set[str] | None:
    """The keys that may be added to ``table`` at ``parents`` (None: any key; see :func:`set_value`)."""
    if not parents:
        return _TOP_LEVEL - {"populations", "models", "expected", "figure", "protocol"}
    if len(parents) == 2 and parents[0] in ("sources", "stimuli") and isinstance(table, dict):
        return _stimulus_settings(table.get("type"), parents[0])
    if len(parents) == 2 and parents[0] in _TABLE_KEYS:
        return _TABLE_KEYS[parents[0]]
    if (len(parents) == 3 and parents[0] in ("populations", "models", "projections")
            and parents[2] in ("parameters", "initial")):
        return None
    return set()


def _list_position(items: list, keys: list[str], what: str) -> int:
    """The position ``keys[-1]`` names in the list ``items`` (at the dotted path ``keys``): 0 to its length - 1."""
    here, key = ".".join(keys), keys[-1]
    if not items:
        raise ConfigError(f"{what}: {'.'.join(keys[:-1])!r} is an empty list; set the whole list instead")
    if not (key.isascii() and key.isdigit()) or int(key) >= len(items):
        raise ConfigError(f"{what}: {here!r} does not exist in the experiment ({'.'.join(keys[:-1])!r} is a list "
                          f"of {len(items)}: its items are {'.'.join(keys[:-1])}.0 to .{len(items) - 1})")
    return int(key)


def _stimulus_settings(kind: Any, table: str) -> set[str] | None:
    """The settings a stimulus type takes (its constructor's arguments); None if it takes any or is unknown."""
    from ..plugins.loader import get_registry

    if kind not in get_registry().names("stimulus"):
        return None  # reported when the experiment is built
    parameters = inspect.signature(get_registry().stimulus(kind)).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters} | {"type"} | ({"population", "target"} if table == "stimuli" else set())


@dataclass
class CheckResult:
    """One line of the ``expected`` block: what was checked, the value found, and whether it held."""

    description: str
    found: float
    """The value found, in SI units."""
    passed: bool
    shown: str = ""
    """The value found as the check's own values are written (``-41.2 mV`` for bounds in mV)."""
    expected: float = math.nan
    """The check's ``value`` in SI units (NaN for a check with bounds only)."""


class Experiment:
    """A catalog experiment, read from its TOML file (with optional overrides)."""

    def __init__(self, name: str, spec: dict[str, Any], source: str = "", where: str = ""):
        """``where`` names the experiment in every error (default ``experiment 'NAME'``; a file given
        by path is ``experiment file PATH``)."""
        if not isinstance(name, str) or not name or Path(name).name != name or name in (".", ".."):
            raise ConfigError(f"{where + ': ' if where else ''}experiment name {name!r}: expected a plain name (it "
                              "names the output files), without folders or '..'")
        self.where = where or f"experiment {name!r}"
        check_experiment(spec, self.where)
        if not spec["populations"]:
            raise ConfigError(f"{self.where}: needs a [populations.NAME] table")
        self.name, self.spec, self.source = name, spec, source
        self.title = spec.get("title", name)
        self.description = spec.get("description", "").strip()
        self.check_names: list[str] | None = None
        """How errors name the ``[[expected]]`` items when they come from elsewhere (a sweep's run: its
        ``[[sweep.expected]]`` items); None: ``[[expected]] #1``, ..."""

    @classmethod
    def load(cls, name_or_path: str | os.PathLike, overrides: list[str] = ()) -> Experiment:
        """An experiment by catalog name or TOML path (text or a ``pathlib.Path``), with ``--set`` overrides
        applied."""
        if isinstance(name_or_path, os.PathLike):
            name_or_path = os.fspath(name_or_path)
        if not isinstance(name_or_path, str) or not name_or_path.strip():  # "" is the current folder to Path
            raise ConfigError(f"experiment: expected a catalog experiment's name ('snnzoo list' shows them) or an "
                              f"experiment file's path, got {name_or_path!r}")
        path = Path(name_or_path)
        where = ""
        if name_or_path.lower().endswith(".toml"):
            where = f"experiment file {name_or_path}"
            if not path.exists():
                raise ConfigError(f"{where}: no such file")
        else:
            from ..plugins.loader import get_registry

            try:
                path = get_registry().experiment(name_or_path).path
            except UnknownNameError:
                found = _what_is_at(path)
                if found == "file":
                    raise ConfigError(f"experiment {name_or_path!r}: not a catalog experiment, and the file of that "
                                      "name is not an experiment file (their names end in .toml)") from None
                if found == "folder":
                    raise ConfigError(f"experiment {name_or_path!r}: a folder, not a catalog experiment or an "
                                      "experiment file (their names end in .toml)") from None
                raise
        spec = copy.deepcopy(load_toml(path))
        _refuse_repeated_paths(overrides, spec)
        for assignment in overrides:
            apply_override(spec, assignment)
        return cls(spec.get("name", path.stem), spec, str(path), where)

    @classmethod
    def from_result(cls, path: str | Path) -> Experiment:
        """The experiment that wrote the result file ``path``, rebuilt from the file alone.

        The file's provenance holds the experiment exactly as it ran (overrides
        and sweep values applied) and its seed; ``run()`` on the returned
        experiment reproduces the file's data bit for bit.
        """
        from ..results.tree import open_result, provenance

        recorded = provenance(open_result(path))
        if not isinstance(recorded, dict):
            raise ConfigError(f"result {path}: its provenance is {a_or_an(type(recorded).__name__)}, not a table, so the "
                              "experiment cannot be rebuilt from it")
        if "sweep" in recorded:
            raise ConfigError(f"result {path}: holds a whole sweep; rebuild one of its runs (its runs/*.nc files)")
        spec = recorded.get("experiment_spec")
        if spec is None:
            raise ConfigError(f"result {path}: it was not made from an experiment (no 'experiment_spec' in its "
                              "provenance), so it cannot be rebuilt; networks built in Python are rerun by their script")
        if not isinstance(spec, dict):
            raise ConfigError(f"result {path}: the 'experiment_spec' of its provenance is "
                              f"{a_or_an(type(spec).__name__)}, not a table, so the experiment cannot be rebuilt from it")
        if "seed" not in recorded:
            raise ConfigError(f"result {path}: its provenance has no 'seed', so the run cannot be reproduced")
        _warn_if_newer(path, recorded.get("snnzoo_version"))
        spec = {**spec, "seed": recorded["seed"]}
        name = recorded.get("experiment", Path(path).stem)
        return cls(name, spec, str(path), f"result {path}: experiment {name!r}")

    # -- building and running ------------------------------------------------------
    def check_models_known(self) -> None:
        """Refuse a population whose model is neither written in the file nor registered, as a run does
        (``snnzoo info`` printed "E (4 x liff)" and exited 0), without building the network."""
        inline = self.spec.get("models", {})
        for name, p in self.spec["populations"].items():
            if p["model"] not in inline:
                with self._located(f"[populations.{name}]"):
                    _registered_model(p["model"])

    def models(self) -> dict[str, NeuronModel]:
        """Models written inline in the experiment file."""
        from ..errors import UnusedParameterWarning
        from ..language.model import NeuronModel

        models = {}
        for name, m in self.spec.get("models", {}).items():
            with warnings.catch_warnings(), self._located(f"[models.{name}]"):
                warnings.simplefilter("error", UnusedParameterWarning)  # in a file it is a mistake, not a shared dict
                try:
                    models[name] = NeuronModel(name, m["equations"], m.get("parameters", {}),
                                               threshold=m.get("threshold"), reset=m.get("reset"),
                                               refractory=m.get("refractory"), initial=m.get("initial"),
                                               integrator=m.get("integrator"), description=m.get("description", ""))
                except UnusedParameterWarning as unused:
                    raise ConfigError(str(unused)) from None
        return models

    def build(self, seed: int | None = None, threads: int | None = None) -> Network:
        """The network of this experiment, ready to run (``threads``: see :class:`Network`)."""
        from ..network.network import Network

        spec = self.spec
        with self._located():
            net = Network(spec.get("dt", "0.1 ms"), seed=seed if seed is not None else spec.get("seed"),
                          integrator=spec.get("integrator"), threads=threads,
                          precision=spec.get("precision", "double"))
        inline = self.models()
        for name, p in spec["populations"].items():
            with self._located(f"[populations.{name}]"):
                model = inline[p["model"]] if p["model"] in inline else _registered_model(p["model"])
                net.add_population(name, model, p["size"], parameters=p.get("parameters", {}),
                                   initial=p.get("initial", {}), labels=p.get("labels"),
                                   integrator=p.get("integrator"), refractory=p.get("refractory"),
                                   preset=p.get("preset"))
        for name, s in spec.get("sources", {}).items():
            with self._located(f"[sources.{name}]"):
                net.add_source(name, self._stimulus(s, ("type",)))
        for name, proj in spec.get("projections", {}).items():
            with self._located(f"[projections.{name}]"):
                missing = {"on", "weight"} - set(proj) if "synapse" not in proj else set()
                if missing:
                    raise ConfigError(f"missing {sorted(missing)} (needed without a 'synapse' model)")
                rule = {k: v for k, v in proj.items() if k not in ("source", "target")}
                net.connect(proj["source"], proj["target"], name=name, **rule)
        for name, link in spec.get("links", {}).items():
            with self._located(f"[links.{name}]"):
                net.link(*(link[k] for k in ("population", "variable", "source", "source_variable")))
        for name, s in spec.get("stimuli", {}).items():
            with self._located(f"[stimuli.{name}]"):
                stimulus = self._stimulus(s, ("type", "population", "target"))
                net.add_stimulus(stimulus, s["population"], s.get("target", "I"), name=name)
        for name, m in spec.get("monitors", {}).items():
            with self._located(f"[monitors.{name}]"):
                neurons = self._recorded_neurons(name, m, net)
                net.record(m["population"], m["variables"], neurons=neurons, rate=m.get("rate"), name=name)
        for name, m in spec.get("synapse_monitors", {}).items():
            with self._located(f"[synapse_monitors.{name}]"):
                synapses = m.get("synapses")
                if synapses is not None and m["projection"] in net.projections:
                    synapses = selected_indices(synapses, net.projections[m["projection"]].size, "synapses")
                net.record_synapses(m["projection"], m["variables"], synapses=synapses, rate=m.get("rate"),
                                    name=name)
        return net

    @contextmanager
    def _located(self, table: str = "", *, running: bool = False) -> Iterator[None]:
        """An snnzoo error raised in the block names the experiment (its file) and ``table``
        (``[populations.E]``) first, unless it already names the experiment: errors of the network's
        methods name their argument (``rate``, ``weight``), and this adds where the file gives it.
        With ``running`` (the block simulates ``table``'s time), a simulation's failure is the model's, not the
        table's: it names a protocol phase as "while running [[protocol]] #2", and no ``duration``."""
        try:
            yield
        except SnnzooError as error:
            message = str(error)
            if not message.startswith(self.where):
                if running and isinstance(error, SimulationError):
                    table = f"while running {table}" if table.startswith("[[protocol]]") else ""
                error.args = (f"{self.where}: {table + ': ' if table else ''}{message}",)
            raise

    def _recorded_neurons(self, name: str, monitor: dict[str, Any], net: Network) -> np.ndarray | None:
        """The neurons a ``[monitors.NAME]`` table records (None: all, or an unknown population,
        which :meth:`Network.record` names)."""
        if "neurons" not in monitor or monitor["population"] not in net.populations:
            return None
        return selected_indices(monitor["neurons"], net.populations[monitor["population"]].size,
                                f"{self.where}: [monitors.{name}]: neurons")

    def _recorded(self, population: str, variable: str, net: Network) -> set[int]:
        """The neurons of ``population`` whose ``variable`` the checks and traces panels read: those of the
        first monitor that records it (empty: not recorded)."""
        name = self._reading_monitor(population, variable)
        if name is None:
            return set()
        neurons = self._recorded_neurons(name, self.spec["monitors"][name], net)
        return set(range(net.groups[population].size) if neurons is None else neurons.tolist())

    def _reading_monitor(self, population: str, variable: str) -> str | None:
        """The first ``[monitors.NAME]`` that records ``variable`` of ``population``: checks and traces panels
        read its recording (a later monitor's is stored as well, as ``VARIABLE_NAME``)."""
        return next((name for name, monitor in self.spec.get("monitors", {}).items()
                     if monitor["population"] == population and variable in np.atleast_1d(monitor["variables"])), None)

    def _stored_name(self, population: str, variable: str) -> str:
        """The name of that recording in the result: ``v`` from the population's first monitor, ``v_NAME``
        from its monitor NAME (:func:`snnzoo.results.tree.build_result` names them so)."""
        reading = self._reading_monitor(population, variable)
        first = next((name for name, monitor in self.spec.get("monitors", {}).items()
                      if monitor["population"] == population), None)
        return variable if reading in (None, first) else f"{variable}_{reading}"

    def _stimulus(self, table: dict[str, Any], reserved: tuple[str, ...]):
        """A configured stimulus from a table with ``type`` and its settings (the other keys but ``reserved``)."""
        from ..plugins.loader import get_registry

        settings = {k: v for k, v in table.items() if k not in reserved}
        return configured_stimulus(get_registry().stimulus(table["type"]), settings, table["type"])

    def protocol(self) -> list[dict[str, Any]]:
        """The phases to run: ``[{"set": {...}, "run": "100 ms"}, ...]``."""
        if "protocol" in self.spec:
            return self.spec["protocol"]
        if "duration" not in self.spec:
            raise ConfigError(f"{self.where}: needs 'duration' or a [[protocol]] list")
        return [{"run": self.spec["duration"]}]

    def steps(self, net: Network) -> int:
        """The time steps of ``net`` that the protocol (or ``duration``) runs in all."""
        return sum(net.steps_of(phase["run"]) for phase in self.protocol() if "run" in phase)

    def run(self, seed: int | None = None, progress: bool = False, threads: int | None = None, checks: bool = True,
            figure: bool = False, with_projections: bool = True):
        """Build, validate the protocol, figure and (unless ``checks`` is false: they will not be
        evaluated) the checks, run every phase, and return the result tree. ``figure``: the figure will be
        drawn from the result (``snnzoo run``), so what only drawing needs is checked too (:meth:`validate`).
        ``with_projections``: see :meth:`Network.result`."""
        net = self.build(seed, threads)
        self.validate(net, checks, figure)
        for k, phase in enumerate(self.protocol()):
            table = f"[[protocol]] #{k + 1}" if "protocol" in self.spec else "duration"
            with self._located(table, running=True):
                for target, value in phase.get("set", {}).items():
                    population, _, variable = target.partition(".")
                    net.population(population).set(variable, value)
                if "run" in phase:
                    net.run(phase["run"], progress=progress)
            if not net.complete:  # interrupted: keep what ran, skip the remaining phases
                if net.step == 0:
                    raise KeyboardInterrupt  # interrupted before any step: nothing to keep
                break
        return net.result(with_projections=with_projections, experiment=self.name, experiment_spec=self.spec)

    def validate(self, net: Network, checks: bool = True, figure: bool = False) -> None:
        """Everything that would otherwise fail after the run, checked on the built network:
        protocol targets and durations, figure populations and time windows (and, if the ``figure`` will
        be drawn, that each rates panel's bin fits in what it shows), and every ``[[expected]]``
        item (its population or projection, recorded variable, neurons, times within the run, and the
        unit of each bound and tolerance); in single precision, that float32 holds every value."""
        with self._located():
            net.check_precision_fits()
        total = 0.0  # the simulated time, in seconds
        for k, phase in enumerate(self.protocol()):
            table = f"[[protocol]] #{k + 1}" if "protocol" in self.spec else "duration"
            here = f"{self.where}: {table}"
            for target in phase.get("set", {}):
                population, _, variable = target.partition(".")
                if not variable:
                    raise ConfigError(f"{here}: 'set' keys are POPULATION.VARIABLE, got {target!r}")
                with self._located(f"{table}: 'set' {target!r}"):
                    pop = net.population(population)
                if variable not in pop.values:
                    raise ConfigError(f"{here}: 'set' {target!r}: {pop.where} has no variable "
                                      f"{variable!r}{did_you_mean(variable, pop.values)}")
                pop.check_setting(variable, phase["set"][target], f"{here}: 'set' {target!r}")
            if "run" in phase:
                total += positive_si(phase["run"], "s", what=f"{here}: run" if "protocol" in self.spec else here)
                with self._located(table):
                    net.steps_of(phase["run"])
        drawn = self.spec.get("figure", {})
        panels = [("[figure]", drawn)] + [(f"[[figure.panels]] #{k + 1}", panel)
                                          for k, panel in enumerate(drawn.get("panels", []))]
        for table, panel in panels:
            here = f"{self.where}: {table}"
            for name in panel.get("populations", [panel.get("population")]):
                if name is not None and name not in net.groups:
                    raise ConfigError(f"{here}: unknown population {name!r}{did_you_mean(name, net.groups)}")
            _check_times(panel, total, here, stop_may_pass_end=True)
            if figure and (table != "[figure]" or "panels" not in panel):
                _check_bin(panel, total, here)
                self._validate_drawing(panel, net, here)
            self._validate_traces(panel, net, here)
        for k, item in enumerate(self.spec.get("expected", []) if checks else []):
            self._validate_check(item, net, total, self._check_where(k, item))

    def _validate_traces(self, panel: dict[str, Any], net: Network, where: str) -> None:
        """A traces panel (or a panel without kind, drawn as traces when its variable is recorded):
        its neurons are recorded, and its unit (default mV) fits the variable."""
        population = panel.get("population", next(iter(self.spec["populations"])))
        variable = panel.get("variable", "v")
        if panel.get("kind", "traces") != "traces" or "panels" in panel or population not in net.populations:
            return
        recorded = self._recorded(population, variable, net)
        if not recorded:
            if "kind" in panel:
                raise ConfigError(f"{where}: {variable!r} is not recorded for {population!r} "
                                  "(add it to a [monitors.NAME] table)")
            return  # drawn as a raster
        if "neurons" in panel:
            chosen = selected_indices(panel["neurons"], net.groups[population].size, f"{where}: neurons")
            missing = sorted(set(chosen.tolist()) - recorded)
            if missing:
                raise ConfigError(f"{where}: neurons {missing} of {population!r} are not recorded for {variable!r} "
                                  f"(recorded: {sorted(recorded)}, by [monitors.{self._reading_monitor(population, variable)}], "
                                  "the first monitor of that variable, which figures read)")
        unit = si_unit_string(net.groups[population].model.units[variable])
        shown = panel.get("unit", "mV")
        to_si(f"1 {shown}", unit, what=f"{where}: unit {shown!r}" + ("" if "unit" in panel else " (the default of a "
              f"traces panel; give unit = \"{unit}\" for {variable!r})"))

    def _validate_drawing(self, panel: dict[str, Any], net: Network, where: str) -> None:
        """The values a panel is drawn with, as its plotting function takes them (checked when the figure
        will be drawn: they failed only after the run): a traces panel's ``titles`` and ``spike_peak``, a
        raster's ``every``, a rates panel's ``smooth``, a currents panel's variables, and a synapse panel's
        projection, variable, monitor, ``scale``, ``bins`` and ``x``."""
        population = panel.get("population", next(iter(self.spec["populations"])))
        variable = panel.get("variable", "v")
        recorded = self._recorded(population, variable, net) if population in net.populations else set()
        kind = panel.get("kind", "traces" if recorded else "raster")
        if "kind" not in panel and not recorded:
            traces_only = sorted(set(panel) & set(PANEL_KINDS["traces"]) - set(PANEL_KINDS["raster"]))
            if traces_only:
                raise ConfigError(f"{where}: {variable!r} is not recorded for {population!r} (add it to a "
                                  f"[monitors.NAME] table), so the panel would be a raster, which takes no "
                                  f"{', '.join(map(repr, traces_only))}")
        if kind == "traces" and recorded:
            shown = len(selected_indices(panel["neurons"], net.groups[population].size, f"{where}: neurons")
                        if "neurons" in panel else recorded)
            if "titles" in panel:
                from ..results.plotting import check_titles  # the figure will be drawn: matplotlib is needed anyway

                check_titles(panel["titles"], shown, what=f"{where}: titles")
            if "spike_peak" in panel:
                to_si(panel["spike_peak"], si_unit_string(net.groups[population].model.units[variable]),
                      what=f"{where}: spike_peak")
        elif kind == "raster" and "every" in panel:
            whole_number(panel["every"], what=f"{where}: every", minimum=1)
        elif kind == "rates" and "smooth" in panel:
            positive_si(panel["smooth"], "s", what=f"{where}: smooth")
        elif kind == "currents":
            self._validate_currents(panel, net, population, where)
        elif kind in ("weights", "synapse_values", "synapse_traces"):
            _validate_synapse_panel(kind, panel, net, where)

    def _validate_currents(self, panel: dict[str, Any], net: Network, population: str, where: str) -> None:
        """A currents panel: conductances and ``v`` recorded together by the population's first monitor (the
        one figures read), in siemens and volts; reversal potentials in volts; ``neuron`` recorded; ``unit``
        a current."""
        voltage, conductances = panel.get("v", "v"), panel.get("conductances", {})
        if not conductances:
            raise ConfigError(f"{where}: conductances: give at least one conductance name and its reversal potential")
        first = next((name for name, m in self.spec.get("monitors", {}).items() if m["population"] == population), None)
        for name, unit in [(voltage, "V"), *((g, "S") for g in conductances)]:
            if self._reading_monitor(population, name) is None or self._stored_name(population, name) != name:
                raise ConfigError(f"{where}: {name!r} is not recorded for {population!r} by its first monitor"
                                  f"{f' [monitors.{first}]' if first else ''}, which currents panels read; record "
                                  f"{voltage!r} and the conductances there")
            role = "conductance" if unit == "S" else "v ="
            to_si(f"1 {si_unit_string(net.groups[population].model.units[name])}", unit, what=f"{where}: {role} {name!r}")
        for name, reversal in conductances.items():
            to_si(reversal, "V", what=f"{where}: reversal potential of {name!r}")
        to_si(f"1 {panel.get('unit', 'nA')}", "A", what=f"{where}: unit")
        recorded = self._recorded(population, voltage, net)
        if "neuron" in panel and whole_number(panel["neuron"], what=f"{where}: neuron") not in recorded:
            raise ConfigError(f"{where}: neuron {panel['neuron']} of {population!r} is not recorded for "
                              f"{voltage!r} (recorded: {sorted(recorded)})")

    def _validate_check(self, item: dict[str, Any], net: Network, total: float, where: str) -> None:
        kind, unit = item["check"], None
        _check_times(item, total, where)
        if kind.startswith("synapse_"):
            if item["projection"] not in net.projections:
                raise ConfigError(f"{where}: unknown projection {item['projection']!r}"
                                  f"{did_you_mean(item['projection'], net.projections)}")
            projection = net.projections[item["projection"]]
            if "synapses" in item:
                selected_indices(item["synapses"], projection.size, f"{where}: synapses")
            if kind != "synapse_count":
                unit = _check_synapse_variable(item, projection, where)
            if kind == "synapse_fraction":
                low, high = (to_si(item[k], unit, what=f"{where}: {k}") for k in ("low", "high"))
                if low > high:
                    raise ConfigError(f"{where}: low = {item['low']!r} is above high = {item['high']!r}, so no "
                                      "synapse could be counted")
                unit = None
        else:
            if item["population"] not in net.groups:
                raise ConfigError(f"{where}: unknown population {item['population']!r}"
                                  f"{did_you_mean(item['population'], net.groups)}")
            group = net.groups[item["population"]]
            cells = _cells(item, group.size, where)
            unit = "Hz" if kind == "mean_rate" else None
            if kind in ("mean_value", "value_at"):
                recorded = self._recorded(item["population"], item["variable"], net)
                if not recorded:
                    raise ConfigError(f"{where}: {item['variable']!r} is not recorded for {item['population']!r} "
                                      "(add it to a [monitors.NAME] table)")
                missing = sorted(set(cells.tolist()) - recorded)
                if missing:
                    raise ConfigError(f"{where}: neuron(s) {missing} of {item['population']!r} are not recorded "
                                      f"for {item['variable']!r} (recorded: {sorted(recorded)}, by [monitors."
                                      f"{self._reading_monitor(item['population'], item['variable'])}], the first "
                                      "monitor of that variable, which checks read)")
                unit = si_unit_string(group.model.units[item["variable"]])
            if kind == "value_at":
                self._validate_sample_time(item, net.dt, total, where)
        _verdict(item, math.nan, unit, "", where)

    def _validate_sample_time(self, item: dict[str, Any], dt: float, total: float, where: str) -> None:
        """A ``value_at`` check's time is one the recording samples (:func:`_sample_time` checks it again on the
        result), known before the run from the monitor's ``rate``: the multiples of its interval before the end
        of the run (``total`` seconds)."""
        interval = sampling_interval(self.spec, item["population"], item["variable"])
        at = to_si(item["time"], "s", what=f"{where}: time")
        below = math.floor(at / interval * (1 + 1e-12))
        near = np.arange(max(below - 1, 0), below + 2) * interval
        _sample_time(near[near < total - GRID_TOLERANCE * dt], at, dt, item["time"], where)

    # -- outcomes -----------------------------------------------------------------
    def check(self, tree, isi_cv: Mapping[str, np.ndarray] | None = None) -> list[CheckResult]:
        """Evaluate the ``expected`` block on a result. ``isi_cv`` holds each population's per-neuron ISI CV
        (:func:`~snnzoo.results.analysis.isi_cv` of its group) when the caller has computed it already (a
        sweep run's summary reads it too); the ``isi_cv`` checks then read it instead of computing it again."""
        return [_check(item, tree, self._check_where(k, item),
                       self._stored_name(item.get("population"), item.get("variable")), isi_cv or {})
                for k, item in enumerate(self.spec.get("expected", []))]

    def _check_where(self, index: int, item: dict[str, Any]) -> str:
        """How errors name the ``index``-th ``[[expected]]`` item: its place in the file and its kind."""
        name = self.check_names[index] if self.check_names is not None else f"[[expected]] #{index + 1}"
        return f"{self.where}: {name} ({item.get('check')})"

    def figure(self, tree):
        """The experiment's figure: one panel, or a column of ``[[figure.panels]]``."""
        from matplotlib.figure import Figure

        from ..results.layout import MeasuredLayout

        fig_spec = dict(self.spec.get("figure", {}))
        panels = fig_spec.pop("panels", None)
        size = fig_spec.pop("size", None)
        if panels is None:
            with self._located("[figure]"):
                fig = self._panel(tree, fig_spec, None)
            if size:
                fig.set_size_inches(*size)
            fig.set_layout_engine(MeasuredLayout())
        else:
            fig = Figure(figsize=tuple(size or [10, 3 * len(panels)]), layout=MeasuredLayout())
            for k, (ax, panel) in enumerate(zip(fig.subplots(len(panels), 1, squeeze=False)[:, 0], panels)):
                with self._located(f"[[figure.panels]] #{k + 1}"):
                    self._panel(tree, dict(panel), ax)
        fig.suptitle(self.title)
        return fig

    def _panel(self, tree, spec: dict[str, Any], ax):
        from ..results import plotting

        kind = spec.pop("kind", None)
        title = spec.pop("title", None)
        if kind in ("weights", "synapse_values", "synapse_traces"):
            fig = self._synapse_panel(tree, kind, spec, ax)
            if title and ax is not None:
                ax.set_title(title)
            return fig
        names = spec.pop("populations", None) or [spec.pop("population", next(iter(self.spec["populations"])))]
        for name in names:
            if name not in tree.children:
                raise ConfigError(f"unknown population {name!r}")
        datasets = [tree[name].to_dataset() for name in names]
        ds = datasets[0]
        if "neurons" in spec:
            spec["neurons"] = selected_indices(spec["neurons"], ds.sizes["cell"], "neurons")
        stored = self._stored_name(names[0], spec.get("variable", "v"))
        if kind is None:  # default: traces if the variable was recorded, else a spike raster
            kind = "traces" if stored in ds.data_vars else "raster"
        if kind == "traces" and stored != spec.get("variable", "v"):  # shown under its own name (v, not v_NAME)
            ds = ds.rename_vars({stored: spec.get("variable", "v")})
        for key in ("spike_peak", "bin", "smooth", "start", "stop"):
            if key in spec:
                spec[key] = as_quantity(spec[key], what=f"figure.{key}")
        if "stop" in spec:  # the panel ends with the run (see _check_times)
            spec["stop"] = min(spec["stop"], ureg.Quantity(float(tree.attrs["duration"]), "s"))
        plots = {
            "traces": lambda: plotting.plot_traces(ds, ax=ax, **spec),
            "raster": lambda: plotting.plot_raster(ds, ax=ax, **spec),
            "rates": lambda: plotting.plot_rates(datasets, ax=ax, labels=names, **spec),
            "currents": lambda: plotting.plot_synaptic_currents(
                ds, {g: as_quantity(e, what=f"figure.conductances.{g}") for g, e in spec.pop("conductances", {}).items()},
                ax=ax, **spec),
        }
        if kind not in plots:
            raise ConfigError(f"unknown figure kind {kind!r} (known: {', '.join(plots)})")
        try:
            fig = plots[kind]()
        except TypeError as err:
            raise ConfigError(f"panel of kind {kind!r}: {err}") from None
        if title and ax is not None:
            ax.set_title(title)
        return fig

    def _synapse_panel(self, tree, kind: str, spec: dict[str, Any], ax):
        """``weights``: histogram of a projection's final ``variable``; ``synapse_values``: the variable
        against the synapse index or ``x``; ``synapse_traces``: a synapse monitor against time."""
        from ..results import plotting

        where = f"panel of kind {kind!r}"
        path = f"projections/{spec.pop('projection', '?')}"
        if kind == "synapse_traces":
            path += f"/{spec.pop('monitor', 'record0')}"
        try:
            ds = tree[path].to_dataset()
        except KeyError:
            raise ConfigError(f"{where}: no {path!r} in the result") from None
        draw = {"weights": plotting.plot_synapse_histogram, "synapse_values": plotting.plot_synapse_values,
                "synapse_traces": plotting.plot_synapse_traces}[kind]
        try:
            return draw(ds, ax=ax, **spec)
        except TypeError as err:
            raise ConfigError(f"{where}: {err}") from None


def _synapse_check(kind: str, item: dict[str, Any], tree, where: str) -> CheckResult:
    """``synapse_value``: a projection's final ``variable`` (mean over ``synapses``), or with ``monitor`` and
    ``time`` a recorded value; ``synapse_fraction``: the fraction of synapses whose final value lies in
    [``low``, ``high``]."""
    projections = tree["projections"].children if "projections" in tree.children else {}
    name = item.get("projection")
    if name not in projections:
        raise ConfigError(f"{where}: unknown projection {name!r}")
    ds = projections[name].to_dataset()
    variable = item.get("variable", "weight")
    if "monitor" in item:
        if item["monitor"] not in projections[name].children:
            raise ConfigError(f"{where}: projection {name!r} has no synapse monitor {item['monitor']!r}")
        ds = projections[name][item["monitor"]].to_dataset()
    if variable not in ds.data_vars:
        raise ConfigError(f"{where}: {variable!r} is not stored for projection {name!r} (stored: {sorted(ds.data_vars)})")
    da = ds[variable]
    unit = da.attrs.get("units", "1")
    if "monitor" in item:
        da = da.sel(time=to_si(item["time"], "s", what=f"{where}: time"), method="nearest")
        chosen = da.sel(recorded_synapse=selected_indices(item["synapses"], ds.sizes["synapse"], where)) \
            if "synapses" in item else da
    else:
        values = np.broadcast_to(da.values, (ds.sizes["synapse"],))
        chosen = values[selected_indices(item["synapses"], values.size, where)] if "synapses" in item else values
    values = np.asarray(chosen, dtype=float)
    if kind == "synapse_value":
        return _verdict(item, float(values.mean()), unit, f"{variable} of {name}", where)
    low, high = (to_si(item[k], unit, what=f"{where}: {k}") if unit != "1" else float(item[k]) for k in ("low", "high"))
    found = float(np.mean((values >= low) & (values <= high)))
    return _verdict(item, found, None, f"fraction of {name}'s synapses with {variable} in [{item['low']}, {item['high']}]",
                    where)


def _registered_model(name: str) -> NeuronModel:
    from ..plugins.loader import get_registry

    return get_registry().model(name)


def _check(item: dict[str, Any], tree, where: str, stored: str, isi_cv: Mapping[str, np.ndarray]) -> CheckResult:
    """Evaluate one ``[[expected]]`` item (named ``where`` in errors) on the result ``tree``; ``stored`` is
    the name of its recorded ``variable`` there (see :meth:`Experiment._stored_name`); ``isi_cv`` the
    per-neuron ISI CVs of the populations that have them computed already (see :meth:`Experiment.check`)."""
    kind = item.get("check")
    population = item.get("population")
    if kind in ("synapse_value", "synapse_fraction"):
        return _synapse_check(kind, item, tree, where)
    if kind == "synapse_count":
        projections = tree["projections"].children if "projections" in tree.children else {}
        if item.get("projection") not in projections:
            raise ConfigError(f"{where}: unknown projection {item.get('projection')!r}")
        found = float(projections[item["projection"]].dataset.sizes["synapse"])
        return _verdict(item, found, None, f"synapses of {item['projection']}", where)
    if population not in tree.children:
        raise ConfigError(f"{where}: unknown population {population!r}")
    ds = tree[population].to_dataset()
    cells = _cells(item, ds["spike_count"].sizes["cell"], where)
    label_cells = f"{population}[{item['neuron']}]" if "neuron" in item else (
        f"{population}[{item['neurons']}]" if "neurons" in item else population)
    if kind == "spike_count":
        found = float(ds["spike_count"].values[cells].sum())
        label, unit = f"spike count of {label_cells}", None
    elif kind == "mean_rate":
        window = {k: as_quantity(item[k], what=f"{where}: {k}") for k in ("start", "stop") if k in item}
        found = float(ds.snn.mean_rates(**window).values[cells].mean())
        label, unit = f"mean rate of {label_cells} (Hz)", "Hz"
    elif kind == "isi_cv":
        values = isi_cv[population] if population in isi_cv else ds.snn.isi_cv().values
        defined = values[cells][np.isfinite(values[cells])]  # neurons with two or more intervals
        found = float(defined.mean()) if defined.size else math.nan  # NaN fails the check (numpy warned of it)
        label, unit = f"mean ISI CV of {label_cells}", None
    elif kind in ("mean_value", "value_at"):
        if stored not in ds.data_vars:
            raise ConfigError(f"{where}: {item.get('variable')!r} was not recorded for {population!r}")
        da = ds[stored]
        time_dim, neuron_dim = da.dims
        missing = sorted(set(cells.tolist()) - set(da[neuron_dim].values.tolist()))
        if missing:
            raise ConfigError(f"{where}: neuron(s) {missing} of {population!r} were not recorded "
                              f"(recorded: {da[neuron_dim].values.tolist()})")
        da = da.sel({neuron_dim: cells})
        unit = da.attrs.get("units")
        if kind == "mean_value":  # samples in [start, stop), as mean_rate counts spikes
            begin, end = (to_si(item[k], "s", what=f"{where}: {k}") if k in item else default
                          for k, default in (("start", 0.0), ("stop", float(tree.attrs["duration"]))))
            found = float(da.isel({time_dim: analysis.in_window(da[time_dim].values, begin, end)}).mean())
            label = f"mean {item['variable']} of {label_cells}"
        else:
            at = to_si(item["time"], "s", what=f"{where}: time")
            found = float(da.sel({time_dim: _sample_time(da[time_dim].values, at, float(tree.attrs["dt"]),
                                                         item["time"], where)}).mean())
            label = f"{item['variable']} of {label_cells} at {item['time']}"
    else:
        raise ConfigError(f"{where}: unknown check {kind!r} "
                          "(known: spike_count, mean_rate, isi_cv, value_at, mean_value, synapse_count, synapse_value, "
                          "synapse_fraction)")
    return _verdict(item, found, unit, label, where)


def sampling_interval(spec: dict[str, Any], population: Any, variable: Any) -> float:
    """The time between the samples of ``variable`` of ``population`` (s): dt, or the period of the ``rate`` of
    the first monitor that records it (the one checks read). Its samples are at the multiples of it."""
    dt = to_si(spec.get("dt", "0.1 ms"), "s", what="dt")
    for monitor in spec.get("monitors", {}).values():
        if monitor.get("population") == population and variable in np.atleast_1d(monitor.get("variables", [])):
            if "rate" in monitor:
                return dt * round(1.0 / (to_si(monitor["rate"], "Hz", what="rate") * dt))
            break
    return dt


def _sample_time(times: np.ndarray, at: float, dt: float, written: Any, where: str) -> float:
    """The recorded sample time ``at`` (s, within a thousandth of a step): a time between samples is an error
    naming the samples around it (the nearest sample was read, even one after a protocol phase's change)."""
    nearest = int(np.argmin(np.abs(times - at))) if times.size else -1
    if nearest < 0 or abs(times[nearest] - at) > GRID_TOLERANCE * dt:
        around = times[max(nearest - 1, 0):nearest + 2] if nearest >= 0 else times
        shown = ", ".join(f"{t * 1e3:g} ms" for t in around if abs(t - at) <= 2 * np.max(np.diff(times), initial=dt))
        raise ConfigError(f"{where}: time {written!r} is no sample time of the recording (samples near it: "
                          f"{shown or 'none'}); give a time it sampled, or record more often")
    return float(times[nearest])


def _cells(item: dict[str, Any], size: int, where: str) -> np.ndarray:
    """The neuron indices a check is about: ``neuron = 3``, ``neurons = "0:80"`` or a list; default all."""
    key = "neuron" if "neuron" in item else "neurons"
    return selected_indices(item[key], size, f"{where}: {key}") if key in item else np.arange(size)


_SLICE = re.compile(r"^\s*(\d*)\s*:\s*(\d*)\s*$")


def selected_indices(value: Any, size: int, what: str) -> np.ndarray:
    """The indices an experiment file selects among ``size`` (neurons of monitors, checks and figures,
    synapses): one index, a list of distinct indices, or ``"start:stop"`` (stop excluded; either may be
    left out), all in 0..size-1."""
    expected = 'expected an index, a list of indices or "start:stop" (whole numbers >= 0, e.g. "0:80")'
    if isinstance(value, str):
        match = _SLICE.match(value)
        if match is None:
            raise ConfigError(f"{what}: {expected}, got {value!r}")
        start, stop = (int(bound) if bound else None for bound in match.groups())
        chosen = np.arange(size)[start:stop]
    else:
        items = value if isinstance(value, list) else [value]
        if not all(is_whole_number(k) for k in items):
            raise ConfigError(f"{what}: {expected}, got {value!r}")
        chosen = whole_numbers(items, what=what, size=size)  # 10**30 too: it was numpy's OverflowError
        if len(set(chosen.tolist())) != len(items):
            raise ConfigError(f"{what}: {value!r} names an index twice")
    if chosen.size == 0:
        raise ConfigError(f"{what}: {value!r} selects none of 0..{size - 1}")
    return chosen


def _check_synapse_variable(item: dict[str, Any], projection, where: str) -> str:
    """The ``variable`` of a synapse check is stored for the projection, or recorded by its ``monitor``;
    its SI unit, as the result will store it."""
    from ..results.tree import synapse_state_variables

    variable = item.get("variable", "weight")
    if "monitor" in item:
        monitors = {m.name: m for m in projection.plastic.monitors} if projection.plastic is not None else {}
        if item["monitor"] not in monitors:
            raise ConfigError(f"{where}: projection {projection.name!r} has no synapse monitor {item['monitor']!r}"
                              f"{did_you_mean(item['monitor'], monitors)}")
        stored = monitors[item["monitor"]].variables
    else:
        stored = ["weight", "delay", *(synapse_state_variables(projection) if projection.plastic is not None else ())]
    if variable not in stored:
        raise ConfigError(f"{where}: {variable!r} is not stored for projection {projection.name!r}"
                          f"{did_you_mean(variable, stored)} (stored: {', '.join(sorted(stored))})")
    if variable in ("weight", "delay"):
        return projection.unit if variable == "weight" else "s"
    return projection.plastic.unit(variable)


def _validate_synapse_panel(kind: str, panel: dict[str, Any], net: Network, where: str) -> None:
    """A ``weights``, ``synapse_values`` or ``synapse_traces`` panel: its projection, the variable stored for
    it (or recorded by its ``monitor``), ``scale`` in that variable's unit, ``bins`` and one ``x`` per synapse."""
    name = panel["projection"]
    if name not in net.projections:
        raise ConfigError(f"{where}: unknown projection {name!r}{did_you_mean(name, net.projections)}")
    projection = net.projections[name]
    shown = {"variable": panel.get("variable", "w" if kind == "synapse_traces" else "weight")}
    if kind == "synapse_traces":
        shown["monitor"] = panel.get("monitor", "record0")
    unit = _check_synapse_variable(shown, projection, where)
    if "scale" in panel:
        to_si(panel["scale"], unit, what=f"{where}: scale")
    if "bins" in panel:
        whole_number(panel["bins"], what=f"{where}: bins", minimum=1)
    x = panel.get("x")
    if x is not None and not (isinstance(x, list) and len(x) == projection.size
                              and all(isinstance(k, (int, float)) and not isinstance(k, bool) for k in x)):
        raise ConfigError(f"{where}: x: expected {projection.size} numbers (one per synapse), got {x!r}")


def _check_times(item: dict[str, Any], total: float, where: str, stop_may_pass_end: bool = False) -> None:
    """The ``time``, ``start`` and ``stop`` of a check or figure panel lie in the simulated span
    [0, ``total``] seconds, and ``start`` comes before ``stop``. A figure panel's ``stop`` may pass the
    end (``stop_may_pass_end``): the panel ends with the run, as after ``--set duration=...``."""
    times = {key: to_si(item[key], "s", what=f"{where}: {key}", sign="non-negative")
             for key in ("time", "start", "stop") if key in item}
    for key, seconds in times.items():
        if seconds > total * (1 + 1e-12) and not (key == "stop" and stop_may_pass_end):
            raise ConfigError(f"{where}: {key} = {item[key]!r} is after the end of the run "
                              f"({total:g} s are simulated)")
    if times.get("start", -math.inf) >= times.get("stop", math.inf):
        raise ConfigError(f"{where}: start = {item['start']!r} must come before stop = {item['stop']!r}")


def _check_bin(panel: dict[str, Any], total: float, where: str) -> None:
    """A rates panel's ``bin`` fits at least once in what it shows: from ``start`` to ``stop`` or the end of
    the run (``total`` seconds), whichever comes first (after ``--set duration=...`` the run may be shorter)."""
    if "bin" not in panel:
        return
    begin = to_si(panel.get("start", "0 s"), "s", what=f"{where}: start")
    end = min(total, to_si(panel["stop"], "s", what=f"{where}: stop")) if "stop" in panel else total
    if positive_si(panel["bin"], "s", what=f"{where}: bin") > (end - begin) * (1 + 1e-12):
        raise ConfigError(f"{where}: bin = {panel['bin']!r} is longer than the {end - begin:g} s the panel shows "
                          "(from start to stop or the end of the run); give a shorter bin or run longer")


def _verdict(item: dict[str, Any], found: float, unit: str | None, label: str, where: str) -> CheckResult:
    """Compare ``found`` (SI) with ``value`` ± ``tolerance``/``rel_tolerance``, or with ``min``/``max`` bounds."""
    def si(value: Any, what: str = "", unit: str | None = unit, sign: Sign | None = None) -> float:
        return _bound_si(value, unit or "1", f"{where}: {what}" if what else where, sign)

    if "value" not in item and not {"min", "max"} & set(item):
        raise ConfigError(f"{where}: give 'value' (with tolerance) or 'min'/'max'")
    passed, target = math.isfinite(found), math.nan
    if "value" in item:
        target = si(item["value"], "value")
        tolerance = si(item["tolerance"], "tolerance", sign="non-negative") if "tolerance" in item else 0.0
        if "rel_tolerance" in item:
            relative = si(item["rel_tolerance"], "rel_tolerance", unit="1", sign="non-negative")
            tolerance = max(tolerance, abs(target) * relative)
        passed &= abs(found - target) <= tolerance + 1e-12 * abs(target)
    if "min" in item and "max" in item and si(item["min"], "min") > si(item["max"], "max"):
        raise ConfigError(f"{where}: min = {item['min']!r} is above max = {item['max']!r}, so the check can never hold")
    if "min" in item:
        passed &= found >= si(item["min"], "min")
    if "max" in item:
        passed &= found <= si(item["max"], "max")
    return CheckResult(f"{label} {bounds_text(item)}", found, bool(passed), _shown(found, item, unit), target)


def bounds_text(item: Mapping[str, Any]) -> str:
    """What an ``[[expected]]`` item expects, as written: ``= 63.05 Hz ± 1 Hz`` or ``>= 1 Hz and <= 5 Hz``."""
    parts = []
    if "value" in item:
        spread = (f" ± {item['tolerance']}" if "tolerance" in item else "") + (
            f" ± {100 * float(item['rel_tolerance']):g}%" if "rel_tolerance" in item else "")
        parts.append(f"= {item['value']}{spread}")
    parts += [f"{relation} {item[key]}" for key, relation in (("min", ">="), ("max", "<=")) if key in item]
    return " and ".join(parts)


def _bound_si(value: Any, unit: str, what: str, sign: Sign | None) -> float:
    """A check's bound or tolerance in SI units (:func:`to_si`); a text or number is converted once per process
    (every run of a sweep checks the same bounds, and pint takes milliseconds to read them)."""
    if isinstance(value, (str, int, float)):
        return _bound_si_of_text_or_number(value, unit, what, sign)
    return to_si(value, unit, what=what, sign=sign)


@functools.lru_cache(maxsize=1024, typed=True)
def _bound_si_of_text_or_number(value: str | int | float, unit: str, what: str, sign: Sign | None) -> float:
    return to_si(value, unit, what=what, sign=sign)


def _shown(found: float, item: dict[str, Any], unit: str | None) -> str:
    """``found`` (SI) in the unit of the check's ``value`` (or ``min``, ``max``) when that is a quantity
    text, so that it reads like the expected value (``-41.2 mV``, not ``-0.0412``); else the number."""
    written = [item[key] for key in ("value", "min", "max") if isinstance(item.get(key), str)]
    if unit and written and math.isfinite(found) and is_quantity_text(written[0]):
        wanted = as_quantity(written[0], what="value").units
        if wanted != ureg.dimensionless:
            return f"{ureg.Quantity(found, unit).to(wanted):~.6g}"
    return f"{found:g}"


def _warn_if_newer(path: str | Path, written_by: Any) -> None:
    """Warn that the result ``path`` was written by a newer snnzoo than this one (``written_by``: the version
    its provenance records): this version may lack what it used, or compute it otherwise."""
    from packaging.version import InvalidVersion, Version

    from ..version import __version__

    try:
        newer = Version(str(written_by)) > Version(__version__)
    except InvalidVersion:  # a version neither of us can compare (or none recorded): nothing to say
        return
    if newer:
        warnings.warn(f"result {path}: written by snnzoo {written_by}, newer than this snnzoo {__version__}; "
                      "its experiment may use what this version lacks or computes otherwise, so a rerun may "
                      "differ (update snnzoo to rerun it as it ran)", stacklevel=3)


def describe(name: str) -> str:
    """The text ``snnzoo info`` prints for an experiment."""
    exp = Experiment.load(name)
    exp.check_models_known()
    lines = [f"{exp.name}: {exp.title}", ""]
    if exp.description:
        lines += [exp.description, ""]
    for ref in exp.spec.get("references", []):
        lines.append(f"Reference: {ref}")
    pops = ", ".join(f"{n} ({p['size']} x {p['model']})" for n, p in exp.spec["populations"].items())
    lines += [f"Populations: {pops}", f"dt: {exp.spec.get('dt', '0.1 ms')}"]
    lines += [f"Checks of a run: {item_text(item)}" for item in exp.spec.get("expected", [])]
    table = exp.spec.get("sweep", {})
    if table.get("grid"):
        grid = "; ".join(f"{path} = {_values_text(values)}" for path, values in table["grid"].items())
        together = " (varied together)" if table.get("zip") is True else ""
        lines.append(f"Sweep (snnzoo sweep {exp.name} -o OUT): {grid}{together}; seeds {table.get('seeds', 1)}")
        lines += [f"Checks of a sweep's run: {item_text(item)}" for item in table.get("expected", [])]
    return "\n".join(lines + [f"File: {exp.source}"])


def item_text(item: Mapping[str, Any]) -> str:
    """An ``[[expected]]`` (or ``[[sweep.expected]]``) item on one line, every key as written:
    ``mean_rate (population=lif) = 63.05 Hz ± 1 Hz``, ``... at afferents_rate = 10 Hz``."""
    about = ", ".join(f"{key}={value}" for key, value in item.items()
                      if key not in ("check", "at", "value", "tolerance", "rel_tolerance", "min", "max"))
    at = " at " + ", ".join(f"{name} = {value}" for name, value in item["at"].items()) if item.get("at") else ""
    return f"{item['check']} ({about}) {bounds_text(item)}{at}"


def _values_text(values: Any) -> str:
    """A grid path's values as the file gives them: ``0, 100, 150 pA`` for ``{values = [...], unit = "pA"}``."""
    if isinstance(values, Mapping) and "values" in values:
        return ", ".join(f"{value:g}" if isinstance(value, float) else str(value) for value in values["values"]) \
            + (f" {values['unit']}" if values.get("unit") else "")
    return ", ".join(map(str, values)) if isinstance(values, list) else str(values)


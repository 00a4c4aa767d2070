"""The registry plugins fill: neuron models, synapse models, stimuli, integrators and experiments by name.

Every entry remembers the plugin that added it. The plugin loader sets
:attr:`Registry.current_plugin` while a plugin's hooks run (see
:meth:`Registry.registering_as`), so the plugins themselves never name themselves.

What a plugin adds is checked against the protocol of its kind
(:mod:`snnzoo.plugins.protocols`) when it is added, so a wrong object is refused there,
naming the plugin. Two plugins may register the same name: both are kept, the
clash is reported (:meth:`Registry.clashes`), and a plain name means the
preferred entry: the one :attr:`Registry.preferences` chooses, else the first
built-in one, else the first registered. ``plugin:name`` (e.g.
``izh:izhikevich``) always means that plugin's entry.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from snnzoo.errors import ConfigError, PluginError, UnknownNameError, a_or_an
from snnzoo.language.brian2_names import brian2_integrator_note
from snnzoo.plugins.protocols import (
    ExperimentCatalog,
    IntegratorSpec,
    NeuronModelSpec,
    StimulusKind,
    SynapseModelSpec,
    form_signature_problem,
    missing_members,
    stimulus_form,
)

KINDS = ("model", "synapse", "stimulus", "integrator", "experiment")
"""The kinds of things a registry holds, in the order they are listed."""

CONTRACTS: dict[str, tuple[type, str]] = {
    "model": (NeuronModelSpec, "a snnzoo.NeuronModel"),
    "synapse": (SynapseModelSpec, "a snnzoo.SynapseModel"),
    "stimulus": (StimulusKind, "a stimulus class (see snnzoo.plugins.protocols.StimulusKind)"),
    "integrator": (IntegratorSpec, "an integrator (see snnzoo.plugins.protocols.IntegratorSpec)"),
}
"""The protocol each kind's objects must satisfy, and how to name it in errors."""

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
"""What a registered name looks like: a letter, then letters, digits, ``_`` or ``-``."""

QUALIFIER = ":"
"""Separates a plugin name from an entry name in a qualified name: ``izh:izhikevich``."""

DIRECT = "<direct>"
"""The plugin name of entries added outside any plugin (from a script or a test)."""


@dataclass(frozen=True)
class ExperimentFile:
    """An experiment a plugin ships: a TOML file, not yet read."""

    name: str
    path: Path
    plugin: str


@dataclass(frozen=True)
class Entry:
    """One registered thing: its name, description, the plugin that added it and the object.

    For experiments ``obj`` is an :class:`ExperimentFile` and ``description`` is
    empty (the catalog reads it from the file).
    """

    kind: str
    name: str
    description: str
    plugin: str
    obj: object
    builtin: bool = False
    """Whether the plugin is one of snnzoo's own distributions."""

    @property
    def qualified_name(self) -> str:
        """``plugin:name``, which always finds this entry."""
        return f"{self.plugin}{QUALIFIER}{self.name}"


class IndexedEntry(Entry):
    """An entry read from the plugin index (:mod:`snnzoo.plugins.index`): its object is made by
    loading its plugin (:attr:`Registry.load_indexed`) the first time it is used."""

    def __init__(self, kind: str, name: str, description: str, plugin: str, builtin: bool, registry: Registry):
        for key, value in (("kind", kind), ("name", name), ("description", description), ("plugin", plugin),
                           ("builtin", builtin), ("_registry", registry)):
            object.__setattr__(self, key, value)

    @property
    def obj(self) -> object:  # type: ignore[override]
        return self._registry.loaded(self).obj


@dataclass(frozen=True)
class Clash:
    """A name registered by more than one plugin: which entry a plain name uses, and why."""

    kind: str
    name: str
    used: Entry
    ignored: Entry
    reason: str

    def __str__(self) -> str:
        return (f"{self.kind} {self.name!r} from plugin {self.ignored.plugin!r} ignored: {self.reason} "
                f"(use {self.ignored.qualified_name!r}, or SNNZOO_PREFER={self.ignored.qualified_name})")


class Registry:
    """Neuron models, synapse models, stimuli, integrators and experiment files, each kind keyed by name."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, list[Entry]]] = {kind: {} for kind in KINDS}
        self.current_plugin: str = DIRECT
        """The plugin whose hooks are running; new entries are attributed to it."""
        self.current_builtin: bool = False
        """Whether that plugin is one of snnzoo's own."""
        self.preferences: dict[str, str] = {}
        """Name -> plugin whose entry a plain name means when several plugins register it."""
        self.load_indexed: Callable[[str], None] | None = None
        """Loads a plugin whose entries were read from the plugin index (set by :mod:`snnzoo.plugins.loader`)."""
        self.failures: dict[str, str] = {}
        """Plugin -> why it failed to load (set by :mod:`snnzoo.plugins.loader`): named when a name is unknown,
        since the missing entry may be that plugin's."""

    @contextmanager
    def registering_as(self, plugin: str, *, builtin: bool = False) -> Iterator[Registry]:
        """Attribute what is added inside the block to ``plugin`` (a built-in one if ``builtin``).

        If the block raises, everything ``plugin`` added is removed again, so a
        failing plugin leaves nothing half-registered.
        """
        previous = self.current_plugin, self.current_builtin
        self.current_plugin, self.current_builtin = plugin, builtin
        try:
            yield self
        except BaseException:
            self.remove_plugin(plugin)
            raise
        finally:
            self.current_plugin, self.current_builtin = previous

    def add_indexed(self, kind: str, name: str, description: str, path: str | None = None) -> None:
        """Register what the plugin index says the current plugin registers: an experiment file
        ``path``, or an entry whose object comes from loading the plugin when first used."""
        plugin, builtin = self.current_plugin, self.current_builtin
        entry = (Entry(kind, name, description, plugin, ExperimentFile(name, Path(path), plugin), builtin)
                 if kind == "experiment" else IndexedEntry(kind, name, description, plugin, builtin, self))
        self._entries[kind].setdefault(name, []).append(entry)

    def loaded(self, entry: Entry) -> Entry:
        """``entry`` itself, or for an indexed one the entry its plugin registers once loaded."""
        if not isinstance(entry, IndexedEntry):
            return entry
        self.load_indexed(entry.plugin)
        return self.entry(entry.kind, entry.qualified_name)

    def take_plugin(self, plugin: str, loaded: Registry) -> None:
        """Put the entries ``loaded`` holds (``plugin`` loaded alone) in place of ``plugin``'s entries here."""
        for kind, table in self._entries.items():
            for name, entries in table.items():
                table[name] = [loaded._entries[kind][name][0] if entry.plugin == plugin else entry
                               for entry in entries]

    def remove_plugin(self, plugin: str) -> None:
        """Forget every entry ``plugin`` added."""
        for table in self._entries.values():
            for name, entries in list(table.items()):
                kept = [entry for entry in entries if entry.plugin != plugin]
                if kept:
                    table[name] = kept
                else:
                    del table[name]

    def add_model(self, model: NeuronModelSpec) -> None:
        """Register a neuron model (a :class:`snnzoo.NeuronModel`)."""
        self._add("model", model)

    def add_synapse_model(self, model: SynapseModelSpec) -> None:
        """Register a synapse model (a :class:`snnzoo.SynapseModel`)."""
        self._add("synapse", model)

    def add_stimulus(self, stimulus: StimulusKind) -> None:
        """Register a stimulus kind: a class whose instances have ``drives``, ``source`` or ``attach``."""
        self._add("stimulus", stimulus)

    def add_integrator(self, integrator: IntegratorSpec) -> None:
        """Register an integration method (an object with ``name``, ``description`` and ``update``)."""
        self._add("integrator", integrator)

    def add_experiment(self, path: str | os.PathLike[str]) -> None:
        """Register the experiment in TOML file ``path``, named after the file's stem."""
        path = Path(path)
        if path.suffix != ".toml" or not path.is_file():
            raise PluginError(
                f"plugin {self.current_plugin!r} registered experiment file {str(path)!r}, "
                "which is not an existing .toml file"
            )
        self._add("experiment", ExperimentFile(path.stem, path, self.current_plugin), "")

    def add_catalog(self, folder: str | ExperimentCatalog) -> None:
        """Register every ``*.toml`` file directly in ``folder`` as an experiment."""
        if not isinstance(folder, (str, os.PathLike)) or not Path(folder).is_dir():
            raise PluginError(
                f"plugin {self.current_plugin!r} registered catalog folder {str(folder)!r}, "
                "which is not an existing folder"
            )
        for path in sorted(Path(folder).glob("*.toml")):
            self.add_experiment(path)

    def _add(self, kind: str, obj: object, description: object = None) -> None:
        plugin = self.current_plugin
        name = getattr(obj, "name", None)
        if kind in CONTRACTS and not hasattr(obj, "name"):
            self._check_contract(kind, None, obj)  # not even named: say all it lacks
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise PluginError(
                f"plugin {plugin!r} registered {a_or_an(kind)} with invalid name {name!r}: "
                "expected a letter, then letters, digits, '_' or '-'"
            )
        if description is None:
            description = getattr(obj, "description", None)
        if not isinstance(description, str):
            raise PluginError(
                f"plugin {plugin!r} registered {kind} {name!r} without a str description"
            )
        if kind in CONTRACTS:
            self._check_contract(kind, name, obj)
        entries = self._entries[kind].setdefault(name, [])
        if any(entry.plugin == plugin for entry in entries):
            raise PluginError(f"plugin {plugin!r} registered {kind} {name!r} twice")
        entries.append(Entry(kind, name, description, plugin, obj, self.current_builtin))

    def _check_contract(self, kind: str, name: str | None, obj: object) -> None:
        """Refuse ``obj`` unless it has what the protocol of ``kind`` asks for; a neuron or synapse model must be
        made with its class, which the engine reads beyond the protocol (a neuron model has what a synapse
        model's protocol asks, and was taken as one: using it was an internal error)."""
        protocol, expected = CONTRACTS[kind]
        made_with = MODEL_CLASSES.get(kind)
        if made_with is not None and not _made_with(obj, *made_with) and not missing_members(obj, protocol):
            raise PluginError(f"plugin {self.current_plugin!r} registered {type(obj).__name__}"
                              f"{f' {name!r}' if name else ''} as {a_or_an(kind)}, but it is not a "
                              f"snnzoo.{made_with[1]}: expected {expected}")
        missing = missing_members(obj, protocol)
        if kind == "stimulus" and not missing and isinstance(obj, type) and stimulus_form(obj) is None:
            missing = ["one of drives(), source(), attach()"]
        if kind == "stimulus" and not missing and isinstance(obj, type) and not callable(getattr(obj, "to_dict", None)):
            missing = ["to_dict()"]
        if missing:
            raise PluginError(
                f"plugin {self.current_plugin!r} registered {type(obj).__name__}{f' {name!r}' if name else ''} as {a_or_an(kind)}, "
                f"but it lacks {', '.join(missing)}: expected {expected}"
            )
        signature_problem = form_signature_problem(obj) if kind == "stimulus" and isinstance(obj, type) else None
        if signature_problem:
            raise PluginError(f"plugin {self.current_plugin!r} registered stimulus {name!r}, but {signature_problem}")

    def _table(self, kind: str) -> dict[str, list[Entry]]:
        if kind not in self._entries:
            raise UnknownNameError("kind", kind, KINDS)
        return self._entries[kind]

    def _choose(self, entries: list[Entry]) -> tuple[Entry, str]:
        """The entry a plain name means, and why (for clash reports)."""
        preferred = self.preferences.get(entries[0].name)
        for entry in entries:
            if entry.plugin == preferred:
                return entry, f"SNNZOO_PREFER chooses plugin {preferred!r}"
        for entry in entries:
            if entry.builtin:
                return entry, f"built-in plugin {entry.plugin!r} keeps the name"
        return entries[0], f"plugin {entries[0].plugin!r} registered it first"

    def entry(self, kind: str, name: str) -> Entry:
        """The entry ``name`` (or ``plugin:name``) means in ``kind``; :class:`UnknownNameError` if none."""
        table = self._table(kind)
        if not isinstance(name, str):
            raise ConfigError(f"{kind}: expected the name of a registered {kind}, got {name!r}")
        if QUALIFIER in name:
            plugin, _, bare = name.partition(QUALIFIER)
            for entry in table.get(bare, []):
                if entry.plugin == plugin:
                    return self.loaded(entry)
            qualified = [entry.qualified_name for entries in table.values() for entry in entries]
            raise UnknownNameError(kind, name, qualified, self.failure_note())
        if name not in table:
            brian2 = brian2_integrator_note(name) if kind == "integrator" else ""
            raise UnknownNameError(kind, name, table, "; ".join(filter(None, (brian2, self.failure_note()))))
        return self.loaded(self._choose(table[name])[0])

    def failure_note(self) -> str:
        """One line naming each plugin that failed to load and why, or "" if none did."""
        return "; ".join(f"plugin {plugin!r} failed to load, so nothing it registers is here: {failure}"
                         for plugin, failure in sorted(self.failures.items()))

    def qualified_names(self) -> set[str]:
        """``plugin:name`` of every entry of every kind, including those a clash hides."""
        return {entry.qualified_name for table in self._entries.values() for entries in table.values()
                for entry in entries}

    def clashes(self) -> list[Clash]:
        """Every entry a plain name does not reach because another plugin registered the same name."""
        found = []
        for kind, table in self._entries.items():
            for name, entries in sorted(table.items()):
                if len(entries) > 1:
                    used, reason = self._choose(entries)
                    found += [Clash(kind, name, used, entry, reason) for entry in entries if entry is not used]
        return found

    def get(self, kind: str, name: str) -> object:
        """The object registered as ``name`` (or ``plugin:name``) in ``kind``; :class:`UnknownNameError` if none."""
        return self.entry(kind, name).obj

    def model(self, name: str) -> NeuronModelSpec:
        """The model registered as ``name``."""
        return self.get("model", name)  # type: ignore[return-value]

    def synapse_model(self, name: str) -> SynapseModelSpec:
        """The synapse model registered as ``name``."""
        return self.get("synapse", name)  # type: ignore[return-value]

    def stimulus(self, name: str) -> StimulusKind:
        """The stimulus kind registered as ``name``."""
        return self.get("stimulus", name)  # type: ignore[return-value]

    def integrator(self, name: str) -> IntegratorSpec:
        """The integrator registered as ``name``."""
        return self.get("integrator", name)  # type: ignore[return-value]

    def experiment(self, name: str) -> ExperimentFile:
        """The experiment file registered as ``name``."""
        return self.get("experiment", name)  # type: ignore[return-value]

    def names(self, kind: str) -> list[str]:
        """The names registered in ``kind``, sorted (each once, however many plugins register it)."""
        return [entry.name for entry in self.entries(kind)]

    def entries(self, kind: str) -> list[Entry]:
        """The entries plain names mean in ``kind``, sorted by name."""
        table = self._table(kind)
        return [self._choose(table[name])[0] for name in sorted(table)]

    def plugin_entries(self, plugin: str) -> list[Entry]:
        """Every entry ``plugin`` added, including those a clash hides."""
        return [entry for table in self._entries.values() for entries in table.values() for entry in entries
                if entry.plugin == plugin]

    def counts(self, plugin: str) -> dict[str, int]:
        """How many entries of each kind ``plugin`` added (kinds with none left out)."""
        counts = {
            kind: sum(entry.plugin == plugin for entries in table.values() for entry in entries)
            for kind, table in self._entries.items()
        }
        return {kind: n for kind, n in counts.items() if n}


MODEL_CLASSES = {"model": ("snnzoo.language.model", "NeuronModel"),
                 "synapse": ("snnzoo.language.synapse_model", "SynapseModel")}
"""The module and class a registered object of a kind must be made with (other kinds: the protocol is enough)."""


def _made_with(obj: object, module: str, name: str) -> bool:
    """Whether ``obj`` is an instance of class ``name`` of ``module``, without importing it (a warm run imports
    no synapse models, nor sympy with them): an object made with the class has imported its module."""
    cls = getattr(sys.modules.get(module), name, None)
    return cls is not None and isinstance(obj, cls)

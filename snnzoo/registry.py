"""The registry plugins fill: models, stimuli, integrators and experiments by name.

Every entry remembers the plugin that added it. The plugin loader sets
:attr:`Registry.current_plugin` while a plugin's hooks run (see
:meth:`Registry.registering_as`), so the plugins themselves never name themselves.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from snnzoo.errors import PluginError, UnknownNameError

KINDS = ("model", "stimulus", "integrator", "experiment")
"""The kinds of things a registry holds, in the order they are listed."""

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
"""What a registered name looks like: a letter, then letters, digits, ``_`` or ``-``."""

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


class Registry:
    """Models, stimuli, integrators and experiment files, each kind keyed by name."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Entry]] = {kind: {} for kind in KINDS}
        self.current_plugin: str = DIRECT
        """The plugin whose hooks are running; new entries are attributed to it."""

    @contextmanager
    def registering_as(self, plugin: str) -> Iterator[Registry]:
        """Attribute what is added inside the block to ``plugin``.

        If the block raises, everything ``plugin`` added is removed again, so a
        failing plugin leaves nothing half-registered.
        """
        previous, self.current_plugin = self.current_plugin, plugin
        try:
            yield self
        except BaseException:
            self.remove_plugin(plugin)
            raise
        finally:
            self.current_plugin = previous

    def remove_plugin(self, plugin: str) -> None:
        """Forget every entry ``plugin`` added."""
        for table in self._entries.values():
            for name in [name for name, entry in table.items() if entry.plugin == plugin]:
                del table[name]

    def add_model(self, model: object) -> None:
        """Register a neuron or synapse model (an object with ``name`` and ``description``)."""
        self._add("model", model)

    def add_stimulus(self, stimulus: object) -> None:
        """Register a stimulus kind (an object with ``name`` and ``description``)."""
        self._add("stimulus", stimulus)

    def add_integrator(self, integrator: object) -> None:
        """Register an integration method (an object with ``name`` and ``description``)."""
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

    def add_catalog(self, folder: str | os.PathLike[str]) -> None:
        """Register every ``*.toml`` file directly in ``folder`` as an experiment."""
        folder = Path(folder)
        if not folder.is_dir():
            raise PluginError(
                f"plugin {self.current_plugin!r} registered catalog folder {str(folder)!r}, "
                "which does not exist"
            )
        for path in sorted(folder.glob("*.toml")):
            self.add_experiment(path)

    def _add(self, kind: str, obj: object, description: object = None) -> None:
        plugin = self.current_plugin
        name = getattr(obj, "name", None)
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise PluginError(
                f"plugin {plugin!r} registered a {kind} with invalid name {name!r}: "
                "expected a letter, then letters, digits, '_' or '-'"
            )
        if description is None:
            description = getattr(obj, "description", None)
        if not isinstance(description, str):
            raise PluginError(
                f"plugin {plugin!r} registered {kind} {name!r} without a str description"
            )
        table = self._entries[kind]
        if name in table:
            warnings.warn(
                f"{kind} {name!r} from plugin {plugin!r} ignored: "
                f"plugin {table[name].plugin!r} registered it first",
                RuntimeWarning,
                stacklevel=3,
            )
            return
        table[name] = Entry(kind, name, description, plugin, obj)

    def _table(self, kind: str) -> dict[str, Entry]:
        if kind not in self._entries:
            raise UnknownNameError("kind", kind, KINDS)
        return self._entries[kind]

    def get(self, kind: str, name: str) -> object:
        """The object registered as ``name`` in ``kind``; :class:`UnknownNameError` if none."""
        table = self._table(kind)
        if name not in table:
            raise UnknownNameError(kind, name, table)
        return table[name].obj

    def model(self, name: str) -> object:
        """The model registered as ``name``."""
        return self.get("model", name)

    def stimulus(self, name: str) -> object:
        """The stimulus kind registered as ``name``."""
        return self.get("stimulus", name)

    def integrator(self, name: str) -> object:
        """The integrator registered as ``name``."""
        return self.get("integrator", name)

    def experiment(self, name: str) -> ExperimentFile:
        """The experiment file registered as ``name``."""
        return self.get("experiment", name)  # type: ignore[return-value]

    def names(self, kind: str) -> list[str]:
        """The names registered in ``kind``, sorted."""
        return [entry.name for entry in self.entries(kind)]

    def entries(self, kind: str) -> list[Entry]:
        """The entries of ``kind``, sorted by name."""
        return sorted(self._table(kind).values(), key=lambda entry: entry.name)

    def counts(self, plugin: str) -> dict[str, int]:
        """How many entries of each kind ``plugin`` added (kinds with none left out)."""
        counts = {
            kind: sum(entry.plugin == plugin for entry in table.values())
            for kind, table in self._entries.items()
        }
        return {kind: n for kind, n in counts.items() if n}

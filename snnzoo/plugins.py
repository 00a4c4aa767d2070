"""Finding and loading plugins, and the registry they fill.

A plugin is whatever an entry point of the group ``snnzoo`` names, usually a
module with :data:`snnzoo.hookimpl` functions (see :mod:`snnzoo.hookspecs`).
The core's own plugins (:data:`BUILTIN_PLUGINS`, the integrators) are
registered in code, so the core works without any entry point; the built-in
models and stimuli come through the entry point group, declared by the plugin
distributions.

Each entry point is loaded and its hooks are called on their own: if the import
or a hook raises, that plugin's registrations are undone, its failure is kept
for :func:`plugin_report` (and warned about once), and the other plugins load
as usual. The built-in plugins load first, then the core distribution's entry
points, then the others by entry point name; when two plugins register the same
name, the first one wins.

Environment:
    ``SNNZOO_DISABLE_PLUGINS``: comma-separated entry point names not to load,
    e.g. ``SNNZOO_DISABLE_PLUGINS=hh,my_plugin``. They are listed as disabled
    in :func:`plugin_report`.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, PackageNotFoundError, entry_points, version

import pluggy

from snnzoo import hookspecs
from snnzoo.errors import PluginError
from snnzoo.registry import Registry

GROUP = "snnzoo"
"""The entry point group (and pluggy project name) of snnzoo plugins."""

DISABLE_VARIABLE = "SNNZOO_DISABLE_PLUGINS"
"""Environment variable naming entry points not to load, comma-separated."""

BUILTIN_PLUGINS = {"integrators": "snnzoo.integrators"}
"""The core's plugins (name -> module), registered in code before any entry point."""


@dataclass(frozen=True)
class PluginInfo:
    """What became of one plugin: where it comes from, what it added, or why it failed."""

    name: str
    """The entry point name (or the name given to :func:`register_plugin`)."""
    distribution: str | None
    """The distribution declaring the entry point; None for a plugin registered in code."""
    version: str | None
    """That distribution's version."""
    hooks: tuple[str, ...] = ()
    """The hooks the plugin implements, sorted."""
    registered: Mapping[str, int] = field(default_factory=dict)
    """How many entries of each kind it added ("model": 3, ...), kinds with none left out."""
    failure: str | None = None
    """One line saying why it failed to load, None if it loaded."""
    disabled: bool = False
    """True if ``SNNZOO_DISABLE_PLUGINS`` skipped it."""


@dataclass
class _Loaded:
    registry: Registry
    report: list[PluginInfo]


_loaded: _Loaded | None = None


def get_registry() -> Registry:
    """The registry of every installed plugin, loaded on first use and then cached."""
    return _load().registry


def plugin_report() -> list[PluginInfo]:
    """One record per plugin entry point found (and per plugin registered in code)."""
    return list(_load().report)


def refresh() -> None:
    """Forget the cached registry, so the next use finds and loads the plugins again.

    Plugins added with :func:`register_plugin` are forgotten too.
    """
    global _loaded
    _loaded = None


def register_plugin(plugin: object, name: str) -> PluginInfo:
    """Load ``plugin`` (a module or object with hook implementations) into the cached registry.

    For tests and notebooks; installed plugins use an entry point instead.
    Raises :class:`PluginError` if ``name`` is taken or the plugin fails, in
    which case nothing it registered is kept.
    """
    loaded = _load()
    if any(info.name == name for info in loaded.report):
        raise PluginError(f"plugin name {name!r} is already taken")
    info = _install(plugin, name, None, None, loaded.registry)
    if info.failure is not None:
        raise PluginError(f"plugin {name!r} failed to load: {info.failure}")
    loaded.report.append(info)
    return info


def _load() -> _Loaded:
    global _loaded
    if _loaded is None:
        registry = Registry()
        disabled = {name.strip() for name in os.environ.get(DISABLE_VARIABLE, "").split(",")}
        report = [_install(importlib.import_module(module), name, "snnzoo", _core_version(), registry)
                  for name, module in BUILTIN_PLUGINS.items()]
        for entry_point in sorted(entry_points(group=GROUP), key=_load_order):
            info = _load_entry_point(entry_point, registry, report, disabled)
            if info.failure is not None:
                warnings.warn(
                    f"snnzoo plugin {info.name!r} ({info.distribution} {info.version}) "
                    f"failed to load: {info.failure}",
                    RuntimeWarning,
                    stacklevel=3,
                )
            report.append(info)
        _loaded = _Loaded(registry, report)
    return _loaded


def _core_version() -> str | None:
    try:
        return version("snnzoo")
    except PackageNotFoundError:  # running from a source tree
        return None


def _load_order(entry_point: EntryPoint) -> tuple[bool, str]:
    dist = entry_point.dist
    return (dist is None or dist.name != "snnzoo", entry_point.name)


def _load_entry_point(
    entry_point: EntryPoint, registry: Registry, earlier: list[PluginInfo], disabled: set[str]
) -> PluginInfo:
    name, dist = entry_point.name, entry_point.dist
    source = (dist.name, dist.version) if dist is not None else (None, None)
    taken = [info.distribution for info in earlier if info.name == name]
    if taken:
        return PluginInfo(
            name, *source, failure=f"entry point name {name!r} is already used by {taken[0]}"
        )
    if name in disabled:
        return PluginInfo(name, *source, disabled=True)
    try:
        plugin = entry_point.load()
    except Exception as exc:
        return PluginInfo(name, *source, failure=f"importing {entry_point.value}: {_one_line(exc)}")
    return _install(plugin, name, *source, registry)


def _install(
    plugin: object, name: str, distribution: str | None, version: str | None, registry: Registry
) -> PluginInfo:
    """Call the hooks of ``plugin`` alone, on a plugin manager holding just it."""
    manager = pluggy.PluginManager(GROUP)
    manager.add_hookspecs(hookspecs)
    hooks: tuple[str, ...] = ()
    step = "checking hooks"
    try:
        manager.register(plugin, name)
        manager.check_pending()  # a misspelt hook name is an error, not silence
        callers = sorted(manager.get_hookcallers(plugin) or [], key=lambda caller: caller.name)
        hooks = tuple(caller.name for caller in callers)
        with registry.registering_as(name):
            for caller in callers:
                step = caller.name
                caller(registry=registry)
    except Exception as exc:
        return PluginInfo(name, distribution, version, hooks, failure=f"{step}: {_one_line(exc)}")
    return PluginInfo(name, distribution, version, hooks, registry.counts(name))


def _one_line(exc: Exception) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())

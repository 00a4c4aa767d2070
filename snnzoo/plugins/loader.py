"""Finding and loading plugins, and the registry they fill.

A plugin is whatever an entry point of the group ``snnzoo`` names, usually a
module with :data:`snnzoo.hookimpl` functions (see :mod:`snnzoo.plugins.hookspecs`).
The core's own plugins (:data:`BUILTIN_PLUGINS`, the integrators) are
registered in code, so the core works without any entry point; the built-in
models and stimuli come through the entry point group, declared by the plugin
distributions.

Each entry point is loaded and its hooks are called on their own: if the import
or a hook raises, that plugin's registrations are undone, its failure is kept
for :func:`plugin_report` (and warned about once), and the other plugins load
as usual. The built-in plugins load first, then the core distribution's entry
points, then the others by entry point name.

Every plugin declares the version of the hook contract it was written for
(``HOOK_API_VERSION = 1`` in its module); one that declares none, or a version
this snnzoo does not provide, is reported as failed with the version it needs.
Hook names are checked too: a misspelt ``snnzoo_register_modles`` fails the
plugin rather than being silently ignored.

When two plugins register the same name, both entries are kept and the clash is
warned about (:func:`clash_report`): a plain name means the built-in plugin's
entry (snnzoo's own distributions, :data:`BUILTIN_DISTRIBUTIONS`) over a
third-party one, else the first loaded; ``plugin:name`` always means that
plugin's entry.

Environment:
    ``SNNZOO_DISABLE_PLUGINS``: comma-separated entry point names not to load,
    e.g. ``SNNZOO_DISABLE_PLUGINS=hh,my_plugin``. They are listed as disabled
    in :func:`plugin_report`.
    ``SNNZOO_PREFER``: comma-separated ``plugin:name`` choices for clashing
    names, e.g. ``SNNZOO_PREFER=izh:izhikevich`` makes the plain name
    ``izhikevich`` mean plugin ``izh``'s model.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import inspect
import os
import re
import signal
import threading
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, PackageNotFoundError, distributions, entry_points, version
from types import ModuleType

import pluggy

from snnzoo.errors import PluginError, a_or_an
from snnzoo.plugins import hookspecs
from snnzoo.plugins import index as plugin_index
from snnzoo.plugins.registry import NAME_PATTERN, QUALIFIER, IndexedEntry, Registry
from snnzoo.version import __version__

GROUP = "snnzoo"
"""The entry point group (and pluggy project name) of snnzoo plugins."""

DISABLE_VARIABLE = "SNNZOO_DISABLE_PLUGINS"
"""Environment variable naming entry points not to load, comma-separated."""

BUILTIN_PLUGINS = {"integrators": "snnzoo.plugins.builtin_integrators", "catalog": "snnzoo.plugins.builtin_catalog"}
"""The core's plugins (name -> module), registered in code before any entry point."""

PREFER_VARIABLE = "SNNZOO_PREFER"
"""Environment variable choosing plugins for clashing names: ``plugin:name,...``."""

BUILTIN_DISTRIBUTIONS = frozenset(
    {"snnzoo", "snnzoo-lif", "snnzoo-adex", "snnzoo-hh", "snnzoo-stimuli", "snnzoo-dendrites", "snnzoo-plasticity"}
)
"""snnzoo's own distributions: their names win clashes with third-party plugins."""

HOOK_NAMES = tuple(sorted(name for name in vars(hookspecs) if name.startswith("snnzoo_")))
"""The hooks a plugin may implement (the specs of :mod:`snnzoo.plugins.hookspecs`)."""

REGISTRY_METHODS = {"snnzoo_register_models": "add_model", "snnzoo_register_synapses": "add_synapse_model",
                    "snnzoo_register_stimuli": "add_stimulus", "snnzoo_register_integrators": "add_integrator",
                    "snnzoo_register_catalog": "add_catalog"}
"""The registry method each hook adds its objects with (named when a hook returns them instead)."""


@dataclass(frozen=True)
class PluginInfo:
    """What became of one plugin: where it comes from, what it added, or why it failed."""

    name: str
    """The entry point name (or the name given to :func:`register_plugin`)."""
    distribution: str | None
    """The distribution declaring the entry point; None for a plugin registered in code."""
    version: str | None
    """That distribution's version."""
    hook_api_version: object = None
    """The ``HOOK_API_VERSION`` the plugin declares (None if it declares none)."""
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
    preference_problems: list[str]


_loaded: _Loaded | None = None
_loading = threading.RLock()
"""Held while a plugin known from the index is loaded."""


def get_registry() -> Registry:
    """The registry of every installed plugin, loaded on first use and then cached."""
    return _load().registry


def plugin_report() -> list[PluginInfo]:
    """One record per plugin entry point found (and per plugin registered in code)."""
    return list(_load().report)


def clash_report() -> list[str]:
    """One line per name clash between plugins and per unusable ``SNNZOO_PREFER`` or ``SNNZOO_DISABLE_PLUGINS`` item."""
    loaded = _load()
    return [str(clash) for clash in loaded.registry.clashes()] + loaded.preference_problems


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
    info = load_plugin(plugin, name, loaded.registry)
    if info.failure is not None:
        raise PluginError(f"plugin {name!r} failed to load: {info.failure}")
    loaded.report.append(info)
    return info


def _load() -> _Loaded:
    global _loaded
    if _loaded is None:
        found = sorted(entry_points(group=GROUP), key=_load_order)
        key = plugin_index.fingerprint(found, BUILTIN_PLUGINS.values())
        _loaded = _from_index(key, found) or _load_all(key, found)
        _warn_failures(_loaded.report, stacklevel=3)
        for line in clash_report():
            warnings.warn(line, RuntimeWarning, stacklevel=3)
    return _loaded


def _load_all(key: str, found: list[EntryPoint]) -> _Loaded:
    """Every plugin loaded; the plugin index is written if every one of them loaded."""
    registry = Registry()
    report, problems = _fill(registry, found)
    _save_index(key, report, registry)
    return _Loaded(registry, report, problems)


def _fill(registry: Registry, found: list[EntryPoint]) -> tuple[list[PluginInfo], list[str]]:
    """Load the built-in plugins, then the entry points ``found`` (in load order), into ``registry``."""
    disabled = _disabled_names()
    registry.preferences, problems = _preferences(os.environ.get(PREFER_VARIABLE, ""))
    report = [load_plugin(importlib.import_module(module), name, registry, "snnzoo", _core_version())
              for name, module in BUILTIN_PLUGINS.items()]
    for entry_point in found:
        report.append(_load_entry_point(entry_point, registry, report, disabled))
    registry.failures = {info.name: info.failure for info in report if info.failure is not None}
    return report, problems + _unused_settings(registry, report)


def _disabled_names() -> set[str]:
    """The plugin names ``SNNZOO_DISABLE_PLUGINS`` lists."""
    return {name.strip() for name in os.environ.get(DISABLE_VARIABLE, "").split(",")} - {""}


def _unused_settings(registry: Registry, report: list[PluginInfo]) -> list[str]:
    """A line for each ``SNNZOO_PREFER`` choice and each ``SNNZOO_DISABLE_PLUGINS`` name that has no effect
    (a misspelt plugin name would otherwise be ignored in silence)."""
    entry_points_loaded = [info.name for info in report if info.name not in BUILTIN_PLUGINS]
    lines = _unused_preferences(registry)
    for name in sorted(_disabled_names() - set(entry_points_loaded)):
        reason = ("snnzoo's own plugin always loads" if name in BUILTIN_PLUGINS else
                  "no installed plugin has that name" + _closest(name, entry_points_loaded))
        lines.append(f"{DISABLE_VARIABLE} item {name!r} ignored: {reason}")
    return lines


def _closest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _warn_failures(report: list[PluginInfo], stacklevel: int) -> None:
    """Warn once per plugin of ``report`` that failed (``stacklevel`` counted from the caller)."""
    for info in report:
        if info.failure is not None:
            warnings.warn(f"snnzoo plugin {info.name!r} ({info.distribution} {info.version}) "
                          f"failed to load: {info.failure}", RuntimeWarning, stacklevel=stacklevel + 1)


def _save_index(key: str, report: list[PluginInfo], registry: Registry) -> None:
    """Write the plugin index, unless a plugin failed (a failure is found again, and reported, at every load)."""
    if all(info.failure is None for info in report):
        plugin_index.save(key, [{"name": info.name, "distribution": info.distribution, "version": info.version,
                                 "hook_api_version": info.hook_api_version, "hooks": list(info.hooks),
                                 "registered": dict(info.registered), "disabled": info.disabled,
                                 "entries": _entry_records(registry, info.name)} for info in report])


def _entry_records(registry: Registry, plugin: str) -> list[list]:
    """What ``plugin`` registered, as the index stores it: kind, name, description, experiment file."""
    return sorted([entry.kind, entry.name, entry.description, str(entry.obj.path) if entry.kind == "experiment"
                   else None] for entry in registry.plugin_entries(plugin))


def _from_index(key: str, found: list[EntryPoint]) -> _Loaded | None:
    """The registry and report the plugin index holds for ``key`` (objects loaded on first use), or None."""
    records = plugin_index.read(key)
    if records is None:
        return None
    registry = Registry()
    registry.preferences, problems = _preferences(os.environ.get(PREFER_VARIABLE, ""))
    report = []
    try:
        for record in records:
            info = PluginInfo(record["name"], record["distribution"], record["version"], record["hook_api_version"],
                              tuple(record["hooks"]), dict(record["registered"]), None, bool(record["disabled"]))
            with registry.registering_as(info.name, builtin=info.distribution in BUILTIN_DISTRIBUTIONS):
                for kind, name, description, path in record["entries"]:
                    registry.add_indexed(kind, name, description, path)
            report.append(info)
    except (KeyError, TypeError, ValueError):  # a damaged index: load everything
        return None
    loaded = _Loaded(registry, report, problems + _unused_settings(registry, report))
    indexed = {info.name for info in report}
    registry.load_indexed = lambda name: _load_indexed(loaded, indexed, name, found, key)
    return loaded


def _load_indexed(loaded: _Loaded, indexed: set[str], name: str, found: list[EntryPoint], key: str) -> None:
    """Load plugin ``name`` alone and put its objects into ``loaded.registry``; if it no longer
    registers what the index says, forget the index and load every plugin again (those of
    ``indexed``; plugins registered in code since are kept). One thread at a time; a plugin
    another thread has loaded meanwhile is not loaded again."""
    with _loading:
        if any(isinstance(entry, IndexedEntry) for entry in loaded.registry.plugin_entries(name)):
            _load_indexed_alone(loaded, indexed, name, found, key)


def _load_indexed_alone(loaded: _Loaded, indexed: set[str], name: str, found: list[EntryPoint], key: str) -> None:
    alone = Registry()
    if name in BUILTIN_PLUGINS:
        info = load_plugin(importlib.import_module(BUILTIN_PLUGINS[name]), name, alone, "snnzoo", _core_version())
    else:
        info = _load_entry_point(next(ep for ep in found if ep.name == name), alone, [], set())
    if [record for record in loaded.report if record.name == name] == [info] and (
            _entry_records(alone, name) == _entry_records(loaded.registry, name)):
        loaded.registry.take_plugin(name, alone)
        return
    plugin_index.forget(key)
    registry, from_code = loaded.registry, [info for info in loaded.report if info.name not in indexed]
    for plugin in indexed:
        registry.remove_plugin(plugin)
    report, problems = _fill(registry, found)
    loaded.report[:], loaded.preference_problems[:] = report + from_code, problems
    _save_index(key, report, registry)
    _warn_failures(report, stacklevel=2)


def unplugged_distributions() -> list[str]:
    """One line per installed distribution that requires snnzoo but declares no entry point in the
    group ``snnzoo`` (a misspelt group, say), naming the groups it does declare: no plugin of it loads."""
    lines = {}
    for dist in distributions():
        requirements = [re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")
                        for requirement in dist.requires or []]
        groups = sorted({entry_point.group for entry_point in dist.entry_points})
        if GROUP in requirements and GROUP not in groups and dist.name not in lines:
            lines[dist.name] = (f"{dist.name} {dist.version} requires snnzoo but declares no entry point in group "
                                f"{GROUP!r} (its groups: {', '.join(groups) or 'none'}), so none of it loads")
    return [lines[name] for name in sorted(lines)]


def _core_version() -> str | None:
    try:
        return version("snnzoo")
    except PackageNotFoundError:  # running from a source tree
        return None


def _preferences(text: str) -> tuple[dict[str, str], list[str]]:
    """``SNNZOO_PREFER`` as name -> plugin, and a line for each item that is not ``plugin:name``."""
    chosen: dict[str, str] = {}
    problems = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        plugin, _, name = item.partition(QUALIFIER)
        if not plugin or not NAME_PATTERN.fullmatch(name):
            problems.append(f"{PREFER_VARIABLE} item {item!r} ignored: expected plugin:name, e.g. izh:izhikevich")
        else:
            chosen[name] = plugin
    return chosen, problems


def _unused_preferences(registry: Registry) -> list[str]:
    """A line for each ``SNNZOO_PREFER`` choice naming an entry no plugin registered."""
    registered = registry.qualified_names()
    return [f"{PREFER_VARIABLE} item '{plugin}{QUALIFIER}{name}' ignored: plugin {plugin!r} registers no {name!r}"
            for name, plugin in registry.preferences.items() if f"{plugin}{QUALIFIER}{name}" not in registered]


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
        with _ctrl_c_passed_on():
            plugin = entry_point.load()
    except PressedCtrlC:
        raise
    except (Exception, SystemExit, KeyboardInterrupt) as exc:
        return PluginInfo(name, *source, failure=f"importing {entry_point.value}: {_one_line(exc)}")
    return load_plugin(plugin, name, registry, *source)


def load_plugin(
    plugin: object, name: str, registry: Registry, distribution: str | None = None, version: str | None = None
) -> PluginInfo:
    """Check ``plugin`` and call its hooks alone, adding to ``registry``, as the loader does.

    Returns what became of it; on failure (wrong hook API version, unknown or
    undecorated hook, a hook raising, an invalid registration) nothing it
    registered is kept and :attr:`PluginInfo.failure` says why in one line.
    """
    declared = getattr(plugin, "HOOK_API_VERSION", None)
    problem = not_a_plugin_problem(plugin) or api_version_problem(declared) or hook_name_problem(plugin)
    if problem:
        return PluginInfo(name, distribution, version, declared, failure=problem)
    manager = pluggy.PluginManager(GROUP)
    manager.add_hookspecs(hookspecs)
    hooks: tuple[str, ...] = ()
    step = "checking hooks"
    builtin = distribution in BUILTIN_DISTRIBUTIONS
    try:
        manager.register(plugin, name)
        manager.check_pending()
        callers = sorted(manager.get_hookcallers(plugin) or [], key=lambda caller: caller.name)
        hooks = tuple(caller.name for caller in callers)
        with registry.registering_as(name, builtin=builtin), _ctrl_c_passed_on():
            for caller in callers:
                step = caller.name
                _check_returned_nothing(caller.name, caller(registry=registry))
    except PressedCtrlC:
        raise
    except (Exception, SystemExit, KeyboardInterrupt) as exc:
        failure = f"{step}: {_one_line(exc)}"
        return PluginInfo(name, distribution, version, declared, hooks, failure=failure)
    return PluginInfo(name, distribution, version, declared, hooks, registry.counts(name))


class PressedCtrlC(KeyboardInterrupt):
    """Ctrl-C pressed while a plugin's code ran: the user's, so it stops the program (a plugin that raises
    ``KeyboardInterrupt`` itself fails to load, as any other plugin that raises)."""


@contextlib.contextmanager
def _ctrl_c_passed_on() -> Iterator[None]:
    """While the block runs a plugin's code, Ctrl-C raises :class:`PressedCtrlC` (Python's own handler
    raised a ``KeyboardInterrupt`` that was taken for the plugin's failure: the command went on without the
    plugin, or with a half-imported module such as sympy). Only where Python's handler is in place: not in
    other threads, nor in a process that ignores Ctrl-C (a sweep's worker)."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return

    def pressed(signum: int, frame: object) -> None:
        raise PressedCtrlC

    signal.signal(signal.SIGINT, pressed)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _check_returned_nothing(hook: str, results: list) -> None:
    """Refuse a hook that returned its objects instead of adding them: they would be lost silently."""
    if results:
        raise PluginError(f"returned {a_or_an(type(results[0]).__name__)} instead of nothing; a hook adds each object "
                          f"with registry.{REGISTRY_METHODS[hook]}(...) and returns nothing")


def not_a_plugin_problem(plugin: object) -> str | None:
    """Why ``plugin`` is no plugin at all (an entry point naming the wrong module or object), or None."""
    if hasattr(plugin, "HOOK_API_VERSION") or any(attribute.startswith("snnzoo_") for attribute in dir(plugin)):
        return None
    what = f"module {plugin.__name__!r}" if isinstance(plugin, ModuleType) else a_or_an(type(plugin).__name__)
    return (f"{what} is not a plugin: it has no HOOK_API_VERSION and no snnzoo_register_* hook "
            "(the entry point must name the module that has them, e.g. izh = \"snnzoo_izh\")")


def api_version_problem(declared: object) -> str | None:
    """Why a plugin declaring ``HOOK_API_VERSION = declared`` cannot load, or None if it can."""
    provided = hookspecs.HOOK_API_VERSION
    if declared is None:
        return f"declares no HOOK_API_VERSION (add 'HOOK_API_VERSION = {provided}' to the plugin module)"
    if type(declared) is not int:  # '1', 1.0 or True would pass for 1 or read as another version
        return f"HOOK_API_VERSION = {declared!r} is not an integer (write 'HOOK_API_VERSION = {provided}')"
    if declared not in hookspecs.SUPPORTED_HOOK_API_VERSIONS:
        return (f"needs hook API version {declared!r}, but snnzoo {__version__} provides version "
                f"{provided} (supported: {', '.join(map(str, hookspecs.SUPPORTED_HOOK_API_VERSIONS))})")
    return None


def hook_name_problem(plugin: object) -> str | None:
    """Why the hook functions of ``plugin`` are wrong (misspelt, not decorated), or None."""
    for attribute in dir(plugin):
        if attribute in HOOK_NAMES and not callable(getattr(plugin, attribute)):
            return (f"{attribute} is {a_or_an(type(getattr(plugin, attribute)).__name__)}, not a function: write "
                    f"@snnzoo.hookimpl def {attribute}(registry): ...")
        if not attribute.startswith("snnzoo_") or not callable(getattr(plugin, attribute)):
            continue
        if attribute not in HOOK_NAMES:
            close = difflib.get_close_matches(attribute, HOOK_NAMES, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            return f"unknown hook {attribute!r} ({hint}known hooks: {', '.join(HOOK_NAMES)})"
        if _hookimpl_options(plugin, attribute) is None:
            return f"hook {attribute!r} is not decorated with @snnzoo.hookimpl, so it would never be called"
        arguments = _required_arguments(getattr(plugin, attribute))
        if arguments is not None and arguments != ["registry"]:
            return (f"hook {attribute!r} takes ({', '.join(arguments)}); a hook takes the one argument "
                    f"'registry': def {attribute}(registry)")
    return None


def _required_arguments(function: object) -> list[str] | None:
    """The names of the arguments ``function`` must be given (those without a default; not ``self`` of a
    bound method), as pluggy passes them; None if it has no signature."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    return [parameter.name for parameter in parameters if parameter.default is parameter.empty
            and parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)]


def _hookimpl_options(plugin: object, attribute: str) -> object:
    """The ``@hookimpl`` options of ``plugin.attribute``, None if it is not marked as a hook."""
    return getattr(getattr(plugin, attribute), f"{GROUP}_impl", None)


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())

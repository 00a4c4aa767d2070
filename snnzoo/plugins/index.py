"""The plugin index: what every installed plugin registered, kept on disk between runs.

Loading the plugins imports them and builds their models (parsing equations
with sympy); ``snnzoo list`` or a run that needs two plugins should not pay for
all of them. After a full load in which every plugin loaded, :func:`save` writes
the report and the registered names and descriptions to a file named after a
:func:`fingerprint` of everything that decides what the plugins register: the
Python and snnzoo versions, ``SNNZOO_DISABLE_PLUGINS`` and ``SNNZOO_PREFER``,
the distributions installed in each folder of ``sys.path`` (names and times of
their metadata), each entry point and its distribution's metadata
files, and the source files (contents) of every plugin package and of snnzoo.

:func:`read` gives the stored index of a fingerprint, if there is one; a missing, corrupt
or foreign file reads as no index, and the next full load rewrites it. Each fingerprint has
a file of its own (:func:`index_path`), so commands that see the plugins differently (another
virtual environment, another ``sys.path``, other settings) keep their own indexes and do not
rewrite one for each other. The index only names things: objects always come from
loading their plugin (:mod:`snnzoo.plugins.loader` checks then that the plugin still
registers exactly what the index says, and loads everything again if not).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterable
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

from ..cache_folder import cache_root, source_digest
from ..errors import SnnzooError
from ..safe_write import write_atomically
from ..version import __version__

FORMAT = 1
"""Version of the file's layout; a file of another layout is ignored."""

DISTRIBUTION_SUFFIXES = (".dist-info", ".egg-info", ".egg-link", ".pth")
"""What an installed distribution leaves in a folder of ``sys.path``."""

VARIABLES = ("SNNZOO_DISABLE_PLUGINS", "SNNZOO_PREFER")


KEPT_PER_ENVIRONMENT = 8
"""How many indexes of one Python environment :func:`save` keeps (the most recently written)."""


def index_path(key: str) -> Path:
    """The index file of fingerprint ``key`` (it may not exist): ``plugins/ENVIRONMENT/KEY.json``,
    ENVIRONMENT a hash of ``sys.prefix``. With one file for every command, commands that see the plugins
    differently rewrote it for each other, and the next one found it stale and loaded every plugin again:
    two virtual environments sharing the cache folder, or ``python`` started in a folder holding an
    ``.egg-info`` (such a folder is on ``sys.path``, so it enters the fingerprint)."""
    environment = hashlib.sha256(os.fsencode(sys.prefix)).hexdigest()[:16]
    return cache_root() / "plugins" / environment / f"{key[:32]}.json"


def fingerprint(entry_points: Iterable[EntryPoint], modules: Iterable[str]) -> str:
    """A hash of everything that decides what the plugins register: ``entry_points`` (of the
    ``snnzoo`` group) and the code-registered plugin ``modules`` included."""
    digest = hashlib.sha256()

    def feed(*parts: object) -> None:
        digest.update(repr(parts).encode())
        digest.update(b"\0")

    feed(FORMAT, sys.version, sys.prefix, __version__, *(os.environ.get(v) for v in VARIABLES))
    for folder in sys.path:
        installed = _distributions(Path(folder or "."))
        if installed:  # other folders (the script's, the working directory) change nothing plugins register
            feed("path", folder, installed)
    packages = {module.partition(".")[0] for module in modules}
    for entry_point in sorted(entry_points, key=lambda ep: (ep.name, ep.value)):
        dist = entry_point.dist
        feed("entry point", entry_point.name, entry_point.value,
             None if dist is None else (dist.name, dist.version, str(getattr(dist, "_path", ""))))
        metadata = getattr(dist, "_path", None)
        if metadata is not None:
            feed("files", str(metadata), source_digest(Path(metadata)))
        packages.add(entry_point.module.partition(".")[0])
    for package in sorted(packages):
        spec = _find_spec(package)
        feed("package", package, spec and spec.origin, spec and list(spec.submodule_search_locations or []))
        if spec is not None:
            for location in spec.submodule_search_locations or [spec.origin]:
                if location:
                    feed("files", location, source_digest(Path(location)))
    return digest.hexdigest()


def read(key: str) -> list[dict[str, Any]] | None:
    """The stored plugin records if the index holds ``key``'s, else None (never raises)."""
    try:
        stored = json.loads(index_path(key).read_text())
        if stored["format"] == FORMAT and stored["fingerprint"] == key and isinstance(stored["plugins"], list):
            return stored["plugins"]
    except Exception:  # noqa: BLE001 - missing, unreadable or damaged: no index
        pass
    return None


def save(key: str, plugins: list[dict[str, Any]]) -> None:
    """Store ``plugins`` (see :func:`snnzoo.plugins.loader.plugin_report`) under ``key``, and delete the
    environment's indexes beyond the :data:`KEPT_PER_ENVIRONMENT` newest; an unusable cache folder is skipped."""
    text = json.dumps({"format": FORMAT, "fingerprint": key, "plugins": plugins})
    path = index_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text.encode)
        _keep_newest(path.parent, KEPT_PER_ENVIRONMENT)
    except (OSError, SnnzooError):
        pass


def forget(key: str) -> None:
    """Delete the index of ``key`` (it turned out stale)."""
    try:
        index_path(key).unlink(missing_ok=True)
    except OSError:
        pass


def _keep_newest(folder: Path, count: int) -> None:
    """Delete the index files of ``folder`` but the ``count`` most recently written (stale fingerprints:
    an index is written again whenever what it describes changed)."""
    files = []
    for file in folder.glob("*.json"):
        try:
            files.append((file.stat().st_mtime_ns, file))
        except OSError:  # deleted meanwhile by another process
            pass
    for _, file in sorted(files, reverse=True)[count:]:
        file.unlink(missing_ok=True)


def _find_spec(package: str):
    try:
        return importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None


def _distributions(folder: Path) -> list[tuple[str, int]]:
    """The distributions' metadata (and ``.pth`` files) installed in ``folder``, with their times."""
    found = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(DISTRIBUTION_SUFFIXES):
                    found.append((entry.name, entry.stat().st_mtime_ns))
    except OSError:
        pass
    return sorted(found)

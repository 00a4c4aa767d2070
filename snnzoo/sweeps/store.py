"""A sweep's output folder: one netCDF file per finished run, plus what the sweep was.

::

    OUT/sweep.json        the experiment (name, a hash of its spec and one of its models' specs; or the build
                          function's module, name and a hash of its source, and the duration), the grid, seeds
                          and record mode
    OUT/runs/KEY.nc       one complete result per finished run (status ok or failed), written atomically; resume
                      checks that each is that run (its settings and seed) before it runs anything
    OUT/sweep.nc          every run combined into one object, rewritten at the end of each sweep
    OUT/reruns/           what ``snnzoo rerun OUT/runs/KEY.nc`` writes (KEY-rerun.nc), outside the runs

Only files named like a run (:data:`RUN_KEY`) are runs: resume, and the count of runs done, never take
another file there (a copy, a rerun) for one.

Each run's file is made in memory by the worker that ran it; this process places
it whole (:mod:`snnzoo.safe_write`: an unnamed temporary file linked into place,
signals deferred meanwhile), so a crash or Ctrl-C never leaves a half-written run, and ``resume`` skips exactly
the runs whose files exist. Runs whose worker died are not stored: resume runs them again.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pint
import xarray as xr

from ..errors import SnnzooError, a_or_an
from ..units import as_quantity, is_quantity_text, si_unit_string
from ..results.tree import open_result, provenance, write_netcdf
from ..safe_write import write_atomically

MANIFEST = "sweep.json"
RUNS = "runs"
COMBINED = "sweep.nc"
RERUNS = "reruns"
RUN_KEY = re.compile(r"(\d+-)*seed\d+")
"""The name of a run's file (without ``.nc``): its grid indices and seed, ``0-2-seed1`` (:attr:`.grid.Run.key`)."""


def identity(name: str, spec: dict[str, Any] | None, grid: dict[str, Any], record: str,
             builder: Callable | None = None, duration_seconds: float | None = None,
             models: dict[str, Any] | None = None) -> dict[str, Any]:
    """What makes two sweeps the same sweep (compared on resume): the experiment's settings and the
    specs of the models it uses (``models``: a plugin release may change a registered model), or the
    build function and the duration it runs for; the grid and seeds; the record mode. Values are kept
    as :func:`comparable` makes them, so that ``50 ms`` and ``0.05 s`` are the same setting."""
    if spec is not None:
        made_by = {"settings": comparable(spec),
                   "models_sha256": _sha256(json.dumps(models or {}, sort_keys=True, default=str).encode())}
    else:
        made_by = {"build_function": _build_function(builder), "duration_seconds": duration_seconds}
    return {"experiment": name, **made_by, "grid": _comparable_grid(grid), "record": record}


def comparable(value: Any) -> Any:
    """``value`` (a spec, or part of one) with every quantity in SI base units to 12 significant digits
    (``"50 ms"``, ``"0.05 s"`` and ``{value = 50, unit = "ms"}`` are all ``"0.05 s"``) and every
    number to 12 significant digits (unit conversions round), so that equal settings compare equal."""
    if isinstance(value, dict) and set(value) == {"value", "unit"} and isinstance(value["unit"], str):
        return _si_text(f"{value['value']} {value['unit']}", value)
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, str) and is_quantity_text(value):
        return _si_text(value, value)
    return value


def _si_text(text: str, written: Any) -> Any:
    """The quantity ``text`` as ``"MAGNITUDE UNIT"`` in SI base units, or ``written`` if it is not one number."""
    try:
        quantity = as_quantity(text, what="value")
        unit = si_unit_string(quantity.units)
        magnitude = quantity.to(unit if unit != "1" else "dimensionless").magnitude
    except (SnnzooError, pint.PintError, ValueError, TypeError):
        return written
    if np.ndim(magnitude) != 0:
        return written
    return f"{float(magnitude):.12g} {unit}"


def _comparable_grid(grid: dict[str, Any]) -> dict[str, Any]:
    """The grid of :meth:`.grid.Grid.to_dict` as :func:`comparable` values: each path's values in SI units
    (``1000, 2000 pS`` and ``1, 2 nS`` are one grid), by axis (its zipped paths), and the seeds."""
    def values(parameter: dict[str, Any]) -> list[Any]:
        unit = parameter["unit"]
        return [comparable(value if unit is None else f"{value!r} {unit}") for value in parameter["values"]]

    parameters = [parameter for axis in grid["axes"] for parameter in axis["parameters"]]
    return {"axes": [[parameter["path"] for parameter in axis["parameters"]] for axis in grid["axes"]],
            "grid": {parameter["path"]: values(parameter) for parameter in parameters}, "seeds": grid["seeds"]}


def _build_function(builder: Callable) -> dict[str, Any]:
    """A build function as a sweep folder knows it: its module, qualified name and a hash of its
    source (of its pickle when Python cannot read the source, e.g. a ``functools.partial``: its
    function and arguments; None when neither can be had, e.g. a lambda typed at the prompt)."""
    try:
        code = inspect.getsource(builder).encode()
    except (OSError, TypeError):
        try:
            code = pickle.dumps(builder)
        except Exception:  # noqa: BLE001 - pickle raises several kinds
            code = None
    return {"module": getattr(builder, "__module__", None),
            "name": getattr(builder, "__qualname__", type(builder).__qualname__),
            "code_sha256": _sha256(code) if code is not None else None}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Store:
    """The output folder of one sweep (see the module docstring), checked when made and created with
    the first file it receives."""

    def __init__(self, folder: str | os.PathLike, sweep: dict[str, Any], *, resume: bool = False):
        if not isinstance(folder, (str, os.PathLike)) or not os.fspath(folder).strip():  # '' is not the current folder
            raise SnnzooError(f"output: expected the path of a folder, got {folder!r}")
        self.folder = Path(folder).expanduser()
        holder = sweep_holding_runs(self.folder)
        if holder is not None:  # -o OUT/runs/sub put a sweep among another sweep's runs
            raise SnnzooError(f"output {self.folder}: {holder / RUNS} holds the runs of the sweep in {holder} alone; "
                              "write the sweep elsewhere")
        manifest = self.folder / MANIFEST
        if self.folder.exists() and not self.folder.is_dir():
            raise SnnzooError(f"output {self.folder}: is a file; a sweep writes into a folder")
        if manifest.exists():
            stored = self._read_manifest(manifest)
            if stored != sweep:
                raise SnnzooError(f"output {self.folder}: holds a different sweep ({_difference(stored, sweep)}); "
                                  "choose another folder")
            if not resume:
                raise SnnzooError(f"output {self.folder}: already holds this sweep "
                                  f"({len(self.finished())} runs done); pass --resume to continue it")
        elif self.folder.exists() and any(self.folder.iterdir()):
            raise SnnzooError(f"output {self.folder}: exists and is not a sweep folder (no {MANIFEST})")
        elif self.folder.suffix == ".nc":  # 'snnzoo sweep -o out.nc' made a folder of that name
            raise SnnzooError(f"output {self.folder}: a sweep writes a folder (one file per run in runs/, and "
                              f"sweep.nc), not a file; give a folder's name, e.g. {self.folder.with_suffix('')}")
        elif not self.folder.parent.is_dir():
            raise SnnzooError(f"output {self.folder}: {self.folder.parent} " + (
                "is a file, not a folder" if self.folder.parent.exists() else "does not exist"))
        writable = self.folder if self.folder.exists() else self.folder.parent
        if not os.access(writable, os.W_OK | os.X_OK):
            raise SnnzooError(f"output {self.folder}: the folder {writable} is not writable")
        self._sweep = sweep
        self._manifest = json.dumps(sweep, indent=1, sort_keys=True).encode()

    def _read_manifest(self, manifest: Path) -> dict[str, Any]:
        try:
            stored = json.loads(manifest.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise SnnzooError(f"output {self.folder}: cannot read {MANIFEST} ({error})") from None
        if not isinstance(stored, dict):
            raise SnnzooError(f"output {self.folder}: {MANIFEST} holds {a_or_an(type(stored).__name__)}, not the "
                              "table a sweep writes there; choose another folder")
        return stored

    def _created(self) -> Path:
        """The folder, made with its manifest before the first file goes in (so that a sweep that
        stops before any run finishes, e.g. on an unreachable scheduler, leaves nothing behind).

        Before each file goes in, the manifest there must still be this sweep's: another sweep
        given the same new folder while this one ran put its runs among this one's (and its
        ``sweep.nc``), the folder's manifest saying it held one of them."""
        manifest = self.folder / MANIFEST
        if not manifest.exists():
            try:
                (self.folder / RUNS).mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise SnnzooError(f"output {self.folder}: cannot create it ({error.strerror or error})") from None
            write_atomically(manifest, lambda: self._manifest)
        elif manifest.read_bytes() != self._manifest and self._read_manifest(manifest) != self._sweep:
            raise SnnzooError(f"output {self.folder}: another sweep started writing into it while this one ran "
                              f"({_difference(self._read_manifest(manifest), self._sweep)}); give each sweep "
                              "a folder of its own")
        return self.folder

    def finished(self) -> dict[str, Path]:
        """The runs already stored, by key (files of other names there are no runs)."""
        return {path.stem: path for path in sorted((self.folder / RUNS).glob("*.nc")) if RUN_KEY.fullmatch(path.stem)}

    def load(self, key: str, recorded: dict[str, Any]) -> xr.DataTree:
        """The stored run ``key``, checked to be that run of this sweep: a sweep run's result (with its
        summary) whose provenance holds ``recorded`` (its settings and seed; see :func:`.worker.run_provenance`).
        Anything else there (a copy of another run, another result) is refused: resume never takes it
        for this run's result, and never overwrites it."""
        path = self.folder / RUNS / f"{key}.nc"
        try:
            tree = open_result(path)
        except SnnzooError as error:
            raise SnnzooError(f"output {self.folder}: {error}; move it away and resume") from None
        found = provenance(tree)
        if "summary" not in tree.children or not isinstance(found, dict) \
                or any(comparable(found.get(name)) != comparable(value) for name, value in recorded.items()):
            raise SnnzooError(f"output {self.folder}: {RUNS}/{key}.nc is not run {key} of this sweep (another "
                              "run's file or another result: its settings or seed differ); move it away and resume")
        return tree

    def write(self, key: str, content: bytes) -> Path:
        """Store one finished run's netCDF file (made by its worker), atomically."""
        return write_atomically(self._created() / RUNS / f"{key}.nc", lambda: content)

    def write_combined(self, combined: xr.Dataset | xr.DataTree) -> Path:
        """Store the combined object of every run as ``sweep.nc``."""
        tree = combined if isinstance(combined, xr.DataTree) else xr.DataTree(combined)
        return write_netcdf(tree, self._created() / COMBINED)


def sweep_folder_of(path: str | os.PathLike) -> Path | None:
    """The sweep folder whose ``runs/`` holds the file ``path`` (its ``sweep.json`` is there), or None;
    relative if ``path`` is (``OUT`` for ``OUT/runs/0-seed1.nc``, ``..`` for ``0-seed1.nc`` in ``OUT/runs``)."""
    runs = Path(path).expanduser().parent
    if runs.absolute().name != RUNS or not (runs / os.pardir / MANIFEST).is_file():
        return None
    return Path(os.path.normpath(runs / os.pardir))


def sweep_holding_runs(folder: str | os.PathLike) -> Path | None:
    """The sweep folder whose ``runs/`` is ``folder`` or holds it at any depth, or None."""
    path = Path(os.path.abspath(Path(folder).expanduser()))
    for runs in (path, *path.parents):
        if runs.name == RUNS and (runs.parent / MANIFEST).is_file():
            return runs.parent
    return None


def refuse_sweep_files(path: str | os.PathLike, option: str) -> None:
    """Refuse to write the file ``path`` (given as ``option``) over a sweep's combined ``sweep.nc`` or into its
    ``runs/`` (or a folder there), which holds its runs alone (``open_results("OUT/runs/*.nc")`` would stack the
    file with them)."""
    target = Path(path).expanduser()
    holder = sweep_holding_runs(target.parent)
    if holder is not None:
        raise SnnzooError(f"{option} {path}: {holder / RUNS} holds the runs of the sweep in {holder} alone; "
                          "write the file elsewhere")
    if target.name == COMBINED and (target.parent / MANIFEST).is_file():
        raise SnnzooError(f"{option} {path}: this is the combined result of the sweep in {target.parent}; "
                          "write the file elsewhere")


def _difference(stored: dict[str, Any], wanted: dict[str, Any]) -> str:
    if stored.get("experiment") != wanted["experiment"]:
        return f"written by experiment {stored.get('experiment')!r}, not {wanted['experiment']!r}"
    missing = sorted(set(wanted) - set(stored))
    if missing and ("settings" in stored) == ("settings" in wanted):  # both an experiment's, or both not
        return f"its {MANIFEST} has no {', '.join(missing)}: written by another version of snnzoo"
    if stored.get("settings") != wanted.get("settings"):
        difference = _first_difference(stored.get("settings"), wanted.get("settings"))
        return f"experiment {wanted['experiment']!r} with other settings: {difference}"
    if stored.get("models_sha256") != wanted.get("models_sha256"):
        return f"experiment {wanted['experiment']!r} with models whose equations or parameters have changed"
    if stored.get("build_function") != wanted.get("build_function"):
        return f"another build function {wanted['experiment']!r} (its module, name or source differ)"
    if stored.get("duration_seconds") != wanted.get("duration_seconds"):
        return f"duration {stored.get('duration_seconds')} s, not {wanted['duration_seconds']} s"
    if stored.get("grid") != wanted["grid"]:
        return f"another grid or other seeds: {_first_difference(stored.get('grid'), wanted['grid'])}"
    return f"record mode {stored.get('record')!r}, not {wanted['record']!r}"


_ABSENT = object()


def _first_difference(stored: Any, wanted: Any, path: str = "") -> str:
    """Where two settings (or grids) first differ: ``duration is '0.1 s' in it, '0.05 s' in this sweep``."""
    if isinstance(stored, dict) and isinstance(wanted, dict):
        for key in [*stored, *(key for key in wanted if key not in stored)]:
            if stored.get(key, _ABSENT) != wanted.get(key, _ABSENT):
                return _first_difference(stored.get(key, _ABSENT), wanted.get(key, _ABSENT),
                                         f"{path}.{key}" if path else str(key))
    if isinstance(stored, list) and isinstance(wanted, list) and len(stored) == len(wanted):
        for k, (one, other) in enumerate(zip(stored, wanted)):
            if one != other:
                return _first_difference(one, other, f"{path}[{k}]")
    if wanted is _ABSENT:
        return f"{path} is set in it, not in this sweep" + (_CHECKS_DROPPED if path.endswith("expected") else "")
    if stored is _ABSENT:
        return f"{path} is set in this sweep, not in it"
    return f"{path} is {stored!r} in it, {wanted!r} in this sweep"


_CHECKS_DROPPED = " (checks=False, --no-check, drops the checks: its runs were checked)"

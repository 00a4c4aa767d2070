"""A sweep's output folder: one netCDF file per finished run, plus what the sweep was.

::

    OUT/sweep.json        the experiment (name and a hash of its spec), the grid, seeds and record mode
    OUT/runs/KEY.nc       one complete result per finished run (status ok or failed), written atomically
    OUT/sweep.nc          every run combined into one object, rewritten at the end of each sweep

A run's file appears only once it is complete (temporary file, then rename), so
a crash or Ctrl-C never leaves a half-written run, and ``resume`` skips exactly
the runs whose files exist. Runs whose worker died are not stored: resume runs them again.
"""

from __future__ import annotations

import hashlib
import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import xarray as xr

from ..errors import SnnzooError
from ..results import open_result, write_netcdf
from ..safe_write import write_atomically

MANIFEST = "sweep.json"
RUNS = "runs"
COMBINED = "sweep.nc"


def identity(name: str, spec: dict[str, Any] | None, grid: dict[str, Any], record: str) -> dict[str, Any]:
    """What makes two sweeps the same sweep (compared on resume)."""
    text = json.dumps(spec, sort_keys=True) if spec is not None else "python builder"
    return {"experiment": name, "spec_sha256": hashlib.sha256(text.encode()).hexdigest(), "grid": grid,
            "record": record}


class Store:
    """The output folder of one sweep (see the module docstring)."""

    def __init__(self, folder: str | Path, sweep: dict[str, Any], *, resume: bool = False):
        self.folder = Path(folder).expanduser()
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
        else:
            if not self.folder.parent.is_dir():
                raise SnnzooError(f"output {self.folder}: the folder {self.folder.parent} does not exist")
            (self.folder / RUNS).mkdir(parents=True, exist_ok=True)
            write_atomically(manifest, lambda: json.dumps(sweep, indent=1, sort_keys=True).encode())

    def _read_manifest(self, manifest: Path) -> dict[str, Any]:
        try:
            return json.loads(manifest.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise SnnzooError(f"output {self.folder}: cannot read {MANIFEST} ({error})") from None

    def finished(self) -> dict[str, Path]:
        """The runs already stored, by key."""
        return {path.stem: path for path in sorted((self.folder / RUNS).glob("*.nc"))}

    def load(self, key: str) -> xr.DataTree:
        """A stored run."""
        return open_result(self.folder / RUNS / f"{key}.nc")

    def write(self, key: str, tree: xr.DataTree) -> Path:
        """Store one finished run (atomically; a Ctrl-C during the write takes effect after it)."""
        with _interrupts_deferred():
            return write_netcdf(tree, self.folder / RUNS / f"{key}.nc")

    def write_combined(self, combined: xr.Dataset | xr.DataTree) -> Path:
        """Store the combined object of every run as ``sweep.nc``."""
        tree = combined if isinstance(combined, xr.DataTree) else xr.DataTree(combined)
        return write_netcdf(tree, self.folder / COMBINED)


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C until the block is done, then raise it.

    A KeyboardInterrupt inside a netCDF write can leave xarray's HDF5 lock taken, so
    the next write (even the cleanup of this one) would wait for it forever.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda *_: received.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def _difference(stored: dict[str, Any], wanted: dict[str, Any]) -> str:
    if stored.get("experiment") != wanted["experiment"]:
        return f"written by experiment {stored.get('experiment')!r}, not {wanted['experiment']!r}"
    if stored.get("spec_sha256") != wanted["spec_sha256"]:
        return f"experiment {wanted['experiment']!r} with other settings"
    if stored.get("grid") != wanted["grid"]:
        return "another grid or other seeds"
    return f"record mode {stored.get('record')!r}, not {wanted['record']!r}"

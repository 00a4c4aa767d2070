"""What a worker process does: warm up once, then run one task after another.

A task is small plain data (the experiment as a dict with the run's values set,
the seed, what to record), so it travels cheaply to a local process or a dask
worker. The worker returns the run's result tree, reduced to what was asked for,
with a ``/summary`` group; the client writes it. Kernels are loaded once per
model structure and process (parameter values are data), plugins once per process.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

RECORD_CHOICES = ("summary", "spikes", "traces")
"""What a sweep keeps of each run: per-run summaries only, plus spikes, or plus recorded traces too."""

KERNEL_PREFIX = "snnzoo_kernel_"


@dataclass(frozen=True)
class Task:
    """One run to do: an experiment (as data) or a builder, a seed and what to record."""

    key: str
    name: str
    seed: int
    record: str
    spec: dict[str, Any] | None = None
    builder: Callable | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    duration: Any = None


def warm_up() -> int:
    """Import snnzoo and load the plugins (once per worker process); returns the process id."""
    from ..plugins import get_registry

    get_registry()
    return os.getpid()


def ignore_interrupts() -> None:
    """Warm up a local worker that ignores Ctrl-C while idle; the client decides what stops.

    A running simulation still stops at the end of its chunk on SIGINT (``Network.run``
    handles it), and its incomplete result is not stored.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()


def run_task(task: Task) -> xr.DataTree:
    """Run one task and return its result tree with a ``/summary`` group (status ``ok`` or ``failed``)."""
    from ..catalog import Experiment

    started = time.perf_counter()
    kernels_before = _kernels_loaded()
    try:
        if task.builder is not None:
            network = task.builder(builder_parameters(task.settings), task.seed)
            network.run(task.duration)
            tree, checks = network.result(sweep_settings=task.settings), []
        else:
            experiment = Experiment(task.name, task.spec)
            tree = experiment.run(seed=task.seed)
            checks = experiment.check(tree)
    except Exception as error:  # noqa: BLE001 - any failure of one run is recorded, the sweep goes on
        return failed_run(task, f"{type(error).__name__}: {error}" if not _is_snnzoo(error) else str(error),
                          time.perf_counter() - started)
    simulated = sum(run["wall_seconds"] for run in _runs(tree))
    status = "ok" if tree.attrs.get("complete", 1) else "interrupted"
    summary = summarize(tree, checks, status=status)
    summary["wall_seconds"] = ((), time.perf_counter() - started, {"units": "s", "long_name": "wall time of the run"})
    summary["overhead_seconds"] = ((), time.perf_counter() - started - simulated,
                                   {"units": "s", "long_name": "wall time outside the simulation loop "
                                                               "(build, kernel load, result, summary)"})
    summary["kernels_loaded"] = ((), _kernels_loaded() - kernels_before,
                                 {"units": "1", "long_name": "kernels this run had to load in its worker"})
    summary["worker"] = ((), f"{os.uname().nodename}:{os.getpid()}", {"long_name": "worker that ran it"})
    return _with_summary(_reduce(tree, task.record), xr.Dataset(summary))


def builder_parameters(settings: dict[str, Any]) -> dict[str, Any]:
    """A run's settings as a build function receives them: quantities for values with units."""
    from ..units import as_quantity, is_quantity_text

    return {path: as_quantity(value, what=path) if isinstance(value, str) and is_quantity_text(value) else value
            for path, value in settings.items()}


def failed_run(task: Task, error: str, seconds: float = float("nan"), status: str = "failed") -> xr.DataTree:
    """The record of a run that gave no result: its status, error and enough provenance to rerun it."""
    from ..results import build_result

    provenance = {"experiment": task.name, "seed": task.seed, "sweep_settings": task.settings}
    if task.spec is not None:
        provenance["experiment_spec"] = task.spec
    summary = {"status": ((), status), "error": ((), error),
               "wall_seconds": ((), seconds, {"units": "s", "long_name": "wall time of the run"})}
    return _with_summary(build_result([], provenance), xr.Dataset(summary))


def _with_summary(tree: xr.DataTree, summary: xr.Dataset) -> xr.DataTree:
    nodes = {node.path: node.to_dataset(inherit=False) for node in tree.subtree}
    return xr.DataTree.from_dict({**nodes, "/summary": summary})


def summarize(tree: xr.DataTree, checks: list, *, status: str) -> dict[str, Any]:
    """Per-population spike totals, mean rates and mean ISI CV, and the checks' values and verdicts."""
    from ..results import populations

    groups = populations(tree)
    names = list(groups)
    duration = float(tree.attrs["duration"])
    totals = [int(ds["spike_count"].sum()) for ds in groups.values()]
    sizes = [ds.sizes["cell"] for ds in groups.values()]
    cvs = [ds.snn.isi_cv().values for ds in groups.values()]
    variables: dict[str, Any] = {
        "status": ((), status),
        "error": ((), ""),
        "total_spikes": ("population", np.array(totals, dtype=np.int64),
                         {"units": "1", "long_name": "spikes of the population"}),
        "mean_rate": ("population", np.array([t / (n * duration) if n else np.nan for t, n in zip(totals, sizes)]),
                      {"units": "Hz", "long_name": "mean firing rate of the population"}),
        "isi_cv": ("population", np.array([np.nanmean(cv) if np.isfinite(cv).any() else np.nan for cv in cvs]),
                   {"units": "1", "long_name": "mean ISI CV of the neurons with two or more intervals"}),
        "population": ("population", np.array(names, dtype=str)),
    }
    if checks:
        variables["check"] = ("check", np.array([c.description for c in checks], dtype=str))
        variables["check_value"] = ("check", np.array([c.found for c in checks], dtype=float),
                                    {"long_name": "value the expected check found (SI units)"})
        variables["check_passed"] = ("check", np.array([c.passed for c in checks], dtype=np.int8),
                                     {"long_name": "whether the expected check held",
                                      "flag_values": np.array([0, 1], dtype=np.int8), "flag_meanings": "failed held"})
    return variables


def _reduce(tree: xr.DataTree, record: str) -> xr.DataTree:
    """The tree with only what ``record`` keeps: spike counts, also spikes, or everything (traces and
    connectivity too)."""
    from ..results import populations

    nodes = {node.path: node.to_dataset(inherit=False) for node in tree.subtree}
    if record == "traces":
        return tree
    for name in populations(tree):
        ds = nodes[f"/{name}"]
        keep = {"spike_count", "spike_time", "spike_neuron"} if record == "spikes" else {"spike_count"}
        nodes[f"/{name}"] = ds.drop_vars([v for v in ds.data_vars if v not in keep]).drop_dims(
            [d for d in ds.dims if d not in ("cell", "spike")] + ([] if record == "spikes" else ["spike"]))
    return xr.DataTree.from_dict({path: ds for path, ds in nodes.items() if not path.startswith("/projections")})


def _runs(tree: xr.DataTree) -> list[dict[str, Any]]:
    from ..results import provenance

    return provenance(tree).get("runs", [])


def _kernels_loaded() -> int:
    return sum(1 for name in sys.modules if name.startswith(KERNEL_PREFIX))


def _is_snnzoo(error: Exception) -> bool:
    from ..errors import SnnzooError

    return isinstance(error, SnnzooError)

"""What a worker process does: warm up once, then run one task after another.

A task is small plain data (the experiment as a dict with the run's values set,
the seed, what to record), so it travels cheaply to a local process or a dask
worker. The worker does all the work of a run: it builds and runs the network,
summarises the result, and makes the run's netCDF file in memory; it sends back
an :class:`Outcome` (the summary and the file's bytes, plus the result tree when
spikes or traces are recorded), and the client only places the file. Kernels are
loaded once per model structure and process (parameter values are data), plugins
once per process. Every run uses one kernel thread: the workers are the parallelism.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

if TYPE_CHECKING:
    from ..catalog.experiment import Experiment

RECORD_CHOICES = ("summary", "spikes", "traces")
"""What a sweep keeps of each run: per-run summaries only, plus spikes, or plus recorded traces too."""

STORED_STATUSES = ("ok", "failed")
"""Runs with these statuses are stored; ``lost`` and ``interrupted`` runs run again on resume."""

KERNEL_THREADS = 1
"""Kernel threads of each run (``threads=`` of the experiment's network): the workers are the parallelism."""

PARENT_CHECK_SECONDS = 0.5
"""How often a local worker checks that the sweep's process that started it is still there."""


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
    keep_file: bool = False
    """Whether the worker makes the run's netCDF file (the sweep has an output folder)."""
    check_labels: tuple[str, ...] | None = None
    """How the summary names the run's checks, when they are ``[[sweep.expected]]`` items worked out at its point
    (:mod:`.point_checks`: the same names at every point); else each check's own description."""


@dataclass(frozen=True)
class Outcome:
    """What a worker sends back for one run."""

    key: str
    summary: xr.Dataset
    """The run's ``/summary`` group: status, error, rates, checks, timings."""
    file: bytes | None = None
    """The run's netCDF file (when the task keeps one and the run is stored)."""
    tree: xr.DataTree | None = None
    """The run's result, reduced to what the sweep records (only when that is more than the summary)."""

    @property
    def status(self) -> str:
        return str(self.summary["status"].values)

    @classmethod
    def of(cls, task: Task, groups: dict[str, xr.Dataset]) -> Outcome:
        """The outcome of ``task`` whose result (with its ``/summary`` group) has the groups ``groups``
        (:func:`result_groups`). Its file is made from the groups: no tree is made unless the sweep keeps it."""
        from ..results.tree import netcdf_bytes

        summary = groups["/summary"]
        stored = task.keep_file and str(summary["status"].values) in STORED_STATUSES
        return cls(task.key, summary, netcdf_bytes(groups) if stored else None,
                   xr.DataTree.from_dict(groups) if task.record != "summary" else None)


@dataclass(frozen=True)
class PointCheck:
    """What checking one grid point's experiment found (:func:`check_point`)."""

    error: str | None
    """The one-line error that refuses the point, or None."""
    sizes: dict[str, int] = field(default_factory=dict)
    """Its populations' sizes, by name."""
    models: dict[str, dict] = field(default_factory=dict)
    """The neuron and synapse models it uses, as their specs (``to_dict``), by ``"model NAME"``."""
    trace_bytes: int = 0
    """The bytes its recordings hold after a whole run (:meth:`Network.recording_bytes`)."""


def check_point(task: Task) -> PointCheck:
    """Check a task's experiment as ``snnzoo run --set`` checks one before running: the schema, the network
    built (each value against its model, stimulus or rule), and its protocol, figure and ``[[expected]]``
    items validated. A point's runs differ only in their seed, so one task checks its point."""
    from ..errors import SnnzooError

    try:
        experiment = task_experiment(task)
        network = experiment.build(task.seed, threads=KERNEL_THREADS)
        experiment.validate(network)
        steps = experiment.steps(network)
    except SnnzooError as error:
        return PointCheck(str(error))
    models = {f"model {pop.model.name}": pop.model for pop in network.populations.values()}
    models.update({f"synapse model {proj.plastic.model.name}": proj.plastic.model
                   for proj in network.projections.values() if proj.plastic is not None})
    return PointCheck(None, {name: group.size for name, group in network.groups.items()},
                      {name: model.to_dict() for name, model in models.items()}, network.recording_bytes(steps))


def task_experiment(task: Task) -> Experiment:
    """The experiment of a task's run. When its ``[[expected]]`` items are the ``[[sweep.expected]]`` items that
    apply at its point, errors name them so ("[[sweep.expected]] #2", not "[[expected]] #1")."""
    from ..catalog.experiment import Experiment, item_text

    experiment = Experiment(task.name, task.spec)
    if task.check_labels is not None:
        own = [item_text(item) for item in task.spec["sweep"]["expected"]]
        experiment.check_names = [f"[[sweep.expected]] #{own.index(label) + 1}" for label in task.check_labels]
    return experiment


def warm_up(task: Task | None = None) -> None:
    """Make this process ready for fast runs.

    Imports snnzoo and loads the plugins; given a task, also goes once through all that a
    run of it does, on one time step (the kernel's machine code, the result, the summary and
    the netCDF file), so that no run after it pays for a first time. That step's outcome is
    dropped, and so is any error it meets: the task's real run records it. Ctrl-C during the
    step is passed on (KeyboardInterrupt). A process that went through that step for the same
    configuration already (a dask worker kept from an earlier sweep) skips it.
    """
    from ..plugins.loader import get_registry

    get_registry()
    if task is None or _configuration(task) in _warmed:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statistics of a one-step run warn of empty slices
        try:
            interrupted = _run(replace(task, keep_file=True), one_step=True).status == "interrupted"
        except Exception:  # noqa: BLE001 - see the docstring
            interrupted = False
    if interrupted:
        raise KeyboardInterrupt
    _warmed.add(_configuration(task))


_warmed: set[bytes] = set()
"""The configurations (:func:`_configuration`) this process has gone through a warm-up step of."""


def _configuration(task: Task) -> bytes:
    """What a task runs, bar its key and seed (runs of one sweep point differ only in these)."""
    spec = None if task.spec is None else {name: value for name, value in task.spec.items() if name != "seed"}
    return pickle.dumps((task.name, spec, task.builder, task.settings, task.duration, task.record))


def start_worker(task: Task | None) -> int:
    """Set up a worker process (local or dask) for fast runs; returns its process id.

    It is warmed up with ``task`` (a forked worker is warm already: None). Then every object
    it holds is left out of its garbage collections: they live as long as the worker, and a
    full collection walks them all, again and again (in a forked worker it also copies the
    pages shared with the parent: the first run after the fork took 0.16 s longer).
    """
    import gc

    warm_up(task)
    gc.freeze()
    return os.getpid()


def start_local_worker(task: Task | None) -> None:
    """Set up a local worker process: :func:`start_worker`, ignoring Ctrl-C while idle and exiting
    when the sweep's process is gone (:func:`_exit_with_parent`).

    The client decides what stops; a running simulation still stops at the end of its chunk
    on SIGINT, and its incomplete result is not stored.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    start_worker(task)


def _exit_with_parent() -> None:
    """Make this worker exit within :data:`PARENT_CHECK_SECONDS` once the process that started it is gone
    (killed by SIGKILL or SIGTERM, or its terminal closed). A pool's worker waits for its next run on a
    queue whose writing end it holds itself (forked from the sweep's process), so it waited forever,
    holding the sweep's output open: ``snnzoo sweep ... | tee log`` never ended. A run it was simulating
    is dropped (nothing of it is written: the sweep's process places every file)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="snnzoo-parent-watch", daemon=True).start()


def run_task(task: Task) -> Outcome:
    """Run one task; its outcome has status ``ok``, ``failed`` or ``interrupted``."""
    return _run(task, one_step=False)


def run_tasks(tasks: list[Task]) -> list[Outcome]:
    """Run several tasks one after the other (one executor task for a few runs); their outcomes."""
    return [run_task(task) for task in tasks]


def start_and_run_tasks(warm_with: Task, tasks: list[Task]) -> list[Outcome]:
    """:func:`run_tasks` in a worker that is set up (:func:`start_worker`, with the sweep's first run
    ``warm_with``) by the first of them it gets, unless it went through that already: a sweep on a warm
    dask cluster sends no round of set-up tasks first."""
    if _configuration(warm_with) not in _warmed:
        start_worker(warm_with)
    return run_tasks(tasks)


def _run(task: Task, one_step: bool) -> Outcome:
    started = time.perf_counter()
    kernels_before = _kernels_loaded()
    try:
        tree, cvs, checks = _simulate(task, one_step)
    except (Exception, SystemExit) as error:  # noqa: BLE001 - any failure of one run is recorded, the sweep goes
        # on (a build function's sys.exit() too: it ended the whole sweep, in its workers and in this process)
        return failed_run(task, f"{type(error).__name__}: {error}" if not _is_snnzoo(error) else str(error),
                          time.perf_counter() - started)
    simulated = sum(run["wall_seconds"] for run in _runs(tree))
    status = "ok" if tree.attrs.get("complete", 1) else "interrupted"
    summary = summarize(tree, checks, cvs, status=status, labels=task.check_labels)
    summary["wall_seconds"] = ((), time.perf_counter() - started, {"units": "s", "long_name": "wall time of the run"})
    summary["overhead_seconds"] = ((), time.perf_counter() - started - simulated,
                                   {"units": "s", "long_name": "wall time outside the simulation loop "
                                                               "(build, kernel load, result, summary)"})
    summary["kernels_loaded"] = ((), _kernels_loaded() - kernels_before,
                                 {"units": "1", "long_name": "kernels this run had to load in its worker"})
    summary["worker"] = ((), f"{os.uname().nodename}:{os.getpid()}", {"long_name": "worker that ran it"})
    try:
        return Outcome.of(task, _reduced(tree, task.record, xr.Dataset(summary)))
    except Exception as error:  # noqa: BLE001 - netCDF refused something of this run: the run fails
        return failed_run(task, f"cannot make the run's netCDF file ({error})", time.perf_counter() - started)


def _simulate(task: Task, one_step: bool) -> tuple[xr.DataTree, dict[str, np.ndarray], list]:
    """Build and run the task's network (for its duration, or one time step); its result, each population's
    per-neuron ISI CV (:func:`isi_cvs`: computed once, for the summary and the checks) and its checks."""
    from ..errors import ConfigError
    from ..network.network import Network
    from ..units import ureg

    if task.builder is not None:
        network = task.builder(builder_parameters(task.settings), task.seed)
        if not isinstance(network, Network):
            raise ConfigError(f"the build function {getattr(task.builder, '__name__', task.builder)!r} returned "
                              f"{type(network).__name__}, expected an snnzoo.Network")
        network.run(network.dt * ureg.s if one_step else task.duration)
        tree = network.result(**run_provenance(task))
        return tree, isi_cvs(tree), []
    experiment = task_experiment(task)
    if one_step:
        network = experiment.build(task.seed, threads=KERNEL_THREADS)
        network.run(network.dt * ureg.s)
        tree = network.result(with_projections=_keeps_projections(task), experiment=task.name,
                              experiment_spec=task.spec)
    else:
        tree = experiment.run(seed=task.seed, threads=KERNEL_THREADS, with_projections=_keeps_projections(task))
    cvs = isi_cvs(tree)
    return tree, cvs, experiment.check(tree, isi_cv=cvs)


def _keeps_projections(task: Task) -> bool:
    """Whether a run's result needs its ``/projections`` groups: ``record="traces"`` keeps them, and an
    ``[[expected]]`` item that names a projection reads them; otherwise they are not made (the run's file
    never held them)."""
    return task.record == "traces" or any("projection" in item for item in task.spec.get("expected", []))


def builder_parameters(settings: dict[str, Any]) -> dict[str, Any]:
    """A run's settings as a build function receives them: quantities for values with units."""
    from ..units import as_quantity, is_quantity_text

    return {path: as_quantity(value, what=path) if isinstance(value, str) and is_quantity_text(value) else value
            for path, value in settings.items()}


def run_provenance(task: Task) -> dict[str, Any]:
    """What the file of a task's run records of the task, and what resume checks a stored run by: the
    experiment as it ran (its seed included), or a build function's settings and seed."""
    from ..units import as_data

    if task.spec is not None:
        return {"experiment_spec": task.spec}
    return {"sweep_settings": {path: as_data(value) for path, value in task.settings.items()}, "sweep_seed": task.seed}


def failed_run(task: Task, error: str, seconds: float = float("nan"), status: str = "failed") -> Outcome:
    """The outcome of a run that gave no result: its status, error and enough provenance to rerun it."""
    from ..results.tree import build_result

    provenance = {"experiment": task.name, "seed": task.seed, **run_provenance(task)}  # what an ok run's file holds
    summary = {"status": ((), status), "error": ((), error),
               "wall_seconds": ((), seconds, {"units": "s", "long_name": "wall time of the run"})}
    return Outcome.of(task, _reduced(build_result([], provenance), task.record, xr.Dataset(summary)))


def isi_cvs(tree: xr.DataTree) -> dict[str, np.ndarray]:
    """Each population's per-neuron ISI CV (NaN for neurons with fewer than two intervals): ``ds.snn.isi_cv()``
    of its group, computed from the run's spike arrays (one fresh run: no padding, nothing stacked to check)."""
    from ..results.analysis import isi_cv_values
    from ..results.tree import populations

    return {name: isi_cv_values(ds["spike_time"].values, ds["spike_neuron"].values, int(ds.attrs["size"]))
            for name, ds in populations(tree).items()}


def summarize(tree: xr.DataTree, checks: list, isi_cv: dict[str, np.ndarray], *, status: str,
              labels: Sequence[str] | None = None) -> dict[str, Any]:
    """Per-population spike totals, mean rates and mean ISI CV (of the per-neuron ``isi_cv``, :func:`isi_cvs`),
    and the checks' values and verdicts, named by ``labels`` (default: their descriptions)."""
    from ..results.tree import populations

    groups = populations(tree)
    names = list(groups)
    duration = float(tree.attrs["duration"])
    totals = [int(ds["spike_count"].values.sum()) for ds in groups.values()]
    sizes = [ds.sizes["cell"] for ds in groups.values()]
    cvs = [isi_cv[name] for name in names]
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
        variables["check"] = ("check", np.array(labels or [c.description for c in checks], dtype=str))
        variables["check_value"] = ("check", np.array([c.found for c in checks], dtype=float),
                                    {"long_name": "value the expected check found (SI units)"})
        variables["check_expected"] = ("check", np.array([c.expected for c in checks], dtype=float),
                                       {"long_name": "value the expected check expected (SI units; NaN for "
                                                     "a check with bounds only)"})
        variables["check_passed"] = ("check", np.array([c.passed for c in checks], dtype=np.int8),
                                     {"long_name": "whether the expected check held",
                                      "flag_values": np.array([0, 1], dtype=np.int8), "flag_meanings": "failed held"})
    return variables


def result_groups(tree: xr.DataTree) -> dict[str, xr.Dataset]:
    """The groups of a result tree by path, root first (what :meth:`xarray.DataTree.from_dict` takes)."""
    return {node.path: node.to_dataset(inherit=False) for node in tree.subtree}


def _reduced(tree: xr.DataTree, record: str, summary: xr.Dataset) -> dict[str, xr.Dataset]:
    """The groups of the tree with its ``summary`` group and only what ``record`` keeps: spike counts, also
    spikes, or everything (traces and connectivity too). Groups, not a tree: each tree xarray makes costs a run
    time, and the run's file is written from its groups."""
    from ..results.tree import populations

    nodes = result_groups(tree)
    if record != "traces":
        for name in populations(tree):
            ds = nodes[f"/{name}"]
            keep = {"spike_count", "spike_time", "spike_neuron"} if record == "spikes" else {"spike_count"}
            nodes[f"/{name}"] = ds.drop_vars([v for v in ds.data_vars if v not in keep]).drop_dims(
                [d for d in ds.dims if d not in ("cell", "spike")] + ([] if record == "spikes" else ["spike"]))
        nodes = {path: ds for path, ds in nodes.items() if not path.startswith("/projections")}
    return {**nodes, "/summary": summary}


def _runs(tree: xr.DataTree) -> list[dict[str, Any]]:
    from ..results.tree import provenance

    return provenance(tree).get("runs", [])


def _kernels_loaded() -> int:
    from ..engine.kernel_cache import modules_loaded

    return modules_loaded()


def _is_snnzoo(error: Exception) -> bool:
    from ..errors import SnnzooError

    return isinstance(error, SnnzooError)

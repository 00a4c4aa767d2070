"""``snnzoo.sweep``: many runs of one experiment over a grid of parameters and seeds, into one xarray object."""

from __future__ import annotations

import contextlib
import copy
import json
import math
import pickle
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import xarray as xr

from ..catalog.experiment import Experiment, set_value
from ..errors import ConfigError, SnnzooError
from ..language.arguments import checked_function
from ..results.tree import build_result, provenance
from ..safe_write import signals_deferred
from ..units import positive_si
from .combine import check_population_sizes, combine
from .executors import WorkerDied, lost_run, make_executor
from .grid import RUN_BYTES, Grid, check_runs_fit, make_grid, seed_list
from .memory import KeptRuns, check_traces_fit
from .point_checks import PointChecks
from .store import Store, identity
from .worker import RECORD_CHOICES, Outcome, Task, check_point, failed_run, result_groups, run_provenance


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a sweep; the message says how many runs were kept and how to resume."""


@checked_function
def sweep(experiment: str | Experiment | Callable, grid: Mapping[str, Any] | None = None, *,
          zip: bool | Sequence[Sequence[str]] | None = None,
          seeds: int | Sequence[int] | None = None, executor: Any = None, workers: int | None = None,
          record: str | None = None, out: str | None = None, resume: bool = False, duration: Any = None,
          checks: bool = True, progress: bool = False) -> xr.Dataset | xr.DataTree:
    """Run ``experiment`` for every point of ``grid`` and every seed; return one xarray object.

    ``experiment`` is a catalog name, a TOML path, an :class:`Experiment`, or a
    callable ``build(params, seed) -> Network`` (then give ``duration``; ``params``
    maps each grid path to its quantity). ``grid`` maps dotted paths (as
    ``--set`` takes them) to values with units: ``[2, 4] * u.Hz``, ``["2 Hz", "4 Hz"]``,
    ``{"values": [2, 4], "unit": "Hz"}`` or a text, ``"2, 4 Hz"`` (as ``--grid`` reads it);
    without it, the experiment's own ``[sweep]`` table gives the grid and ``zip``. ``zip=True`` varies all paths together
    (or give groups of paths). ``seeds`` is a number of runs (seeds 0..N-1) or a list;
    ``seeds`` and ``record`` not given are the ``[sweep]`` table's, if it has them.

    ``executor`` is None (local processes, ``workers`` of them, default one per
    core), ``"serial"`` (this process), a dask scheduler address, a
    ``distributed.Client``, or an executor of :mod:`snnzoo.sweeps.executors`
    (``LocalExecutor(2)`` keeps its warm workers from one sweep to the next).
    ``record`` keeps per-run ``"summary"`` values only,
    or also ``"spikes"``, or also ``"traces"`` (then a DataTree is returned).
    With ``out`` (a folder) every run is written as it finishes and ``resume=True``
    skips the runs already there. A failed run is recorded with its error; the others complete.

    Each run is checked by the experiment's ``[[sweep.expected]]`` items, worked out at its point
    (:mod:`.point_checks`), or else by its ``[[expected]]`` items; ``checks=False`` checks nothing.
    """
    if resume and out is None:
        raise ConfigError("resume: continues the sweep stored in out, but no out folder is given")
    if workers is not None and executor is not None:
        raise ConfigError("workers: only for the default local executor; an executor brings its own workers")
    name, spec, builder, duration_seconds = _resolve(experiment, duration)
    grid, zip, seeds, record = sweep_options(name, spec, grid, zip, seeds, record)
    checked_record(record)
    if builder is not None and executor != "serial":
        _check_picklable(builder)
    plan = make_grid(spec, grid, zip, seeds)
    check_runs_fit(math.prod(plan.shape), RUN_BYTES + 2 * len(pickle.dumps(spec)), "grid and seeds")
    if spec is not None and not checks:
        spec = without_checks(spec)
    point_checks = PointChecks(spec, f"experiment {name!r}") if spec and spec.get("sweep", {}).get("expected") \
        else None
    tasks = _tasks(name, spec, builder, plan, record, duration, keep_files=out is not None, point_checks=point_checks)
    runner = make_executor(executor, workers)
    owned = runner is not executor  # an executor the caller made keeps its warm workers for the next sweep
    try:
        runner.start(next(iter(tasks.values())))
        models = _check_points(list(tasks.values()), record, runner)
        sweep_identity = identity(name, spec, plan.to_dict(), record, builder, duration_seconds, models)
        store = Store(out, sweep_identity, resume=resume) if out is not None else None
        stored = store.finished() if store is not None else {}
        results: dict[str, Outcome] = {key: _stored(store, tasks[key]) for key in stored if key in tasks}
        todo = [task for key, task in tasks.items() if key not in results]
        if todo:
            _execute(todo, runner, results, store, progress, total=len(tasks))
    except BaseException:  # an error or Ctrl-C: the sweep stops here, its runs still in flight are not waited for
        if owned:
            runner.close(cancel=True)
        raise
    if owned:
        runner.close()
    combined = combine(plan, [results.get(key) for key in tasks], record)
    about = {"experiment": name, "sweep": plan.to_dict(), "record": record}
    combined.attrs.update(build_result([], about if spec is None else {**about, "experiment_spec": spec}).attrs)
    if store is not None:
        store.write_combined(combined)
    return combined


def sweep_options(name: str, spec: dict | None, grid: Mapping[str, Any] | None, zip: Any, seeds: Any,
                  record: str | None) -> tuple[Mapping[str, Any], Any, Any, str]:
    """A sweep's grid, zip, seeds and record, with what is not given (None) taken from the experiment's own
    ``[sweep]`` table: its grid and zip when no grid is given, its seeds and record whenever these are not given."""
    table = (spec or {}).get("sweep", {})
    if grid is None:
        if not table.get("grid"):
            raise ConfigError(f"grid: experiment {name!r} has no [sweep] grid of its own; give one, "
                              "e.g. {'sources.P.rate': ['2 Hz', '4 Hz']}")
        grid, zip = table["grid"], table.get("zip", False) if zip is None else zip
        with _in_sweep_table(name):
            make_grid(spec, grid, zip)
    if seeds is None and "seeds" in table:
        seeds = table["seeds"]
        with _in_sweep_table(name):
            seed_list(seeds, spec)
    if record is None and "record" in table:
        record = table["record"]
        with _in_sweep_table(name):
            checked_record(record)
    return grid, False if zip is None else zip, seeds, "summary" if record is None else record


def checked_record(record: Any) -> str:
    """``record`` if it is one of :data:`RECORD_CHOICES`, else a ConfigError naming them."""
    if record not in RECORD_CHOICES:
        raise ConfigError(f"record: expected one of {', '.join(RECORD_CHOICES)}, got {record!r}")
    return record


@contextlib.contextmanager
def _in_sweep_table(name: str) -> Iterator[None]:
    """An error about a value of the experiment's own ``[sweep]`` table names the experiment and the table."""
    try:
        yield
    except ConfigError as error:
        error.args = (f"experiment {name!r}: [sweep]: {error}",)
        raise


def _resolve(experiment: Any, duration: Any) -> tuple[str, dict | None, Callable | None, float | None]:
    """The experiment's name, and its spec or build function with the duration in seconds (checked)."""
    if isinstance(experiment, str):
        experiment = Experiment.load(experiment)
    if isinstance(experiment, Experiment):
        if duration is not None:
            raise ConfigError("duration: an experiment has its own; sweep 'duration' as a grid path instead")
        return experiment.name, copy.deepcopy(experiment.spec), None, None
    if callable(experiment):
        if duration is None:
            raise ConfigError("duration: a build(params, seed) function needs the simulated duration, e.g. '1 s'")
        seconds = positive_si(duration, "s", what="duration")  # before any run, not in every run
        return getattr(experiment, "__name__", "build"), None, experiment, seconds
    raise ConfigError(f"experiment: expected a catalog name, a TOML path, an Experiment or a build(params, seed) "
                      f"function, got {experiment!r}")


def _stored(store: Store, task: Task) -> Outcome:
    """The outcome of a run read back from the store (its file is there already, and must be this run's)."""
    recorded = provenance(build_result([], run_provenance(task)))  # as the run's file holds it
    return Outcome.of(replace(task, keep_file=False), result_groups(store.load(task.key, recorded)))


def _check_picklable(builder: Callable) -> None:
    try:
        pickle.dumps(builder)
    except Exception:  # noqa: BLE001 - pickle raises several kinds
        raise ConfigError(f"experiment: the build function {builder!r} cannot be sent to worker processes; define it "
                          "at module level (not a lambda or a nested function), or use executor='serial'") from None


def _tasks(name: str, spec: dict | None, builder: Callable | None, plan: Grid, record: str,
           duration: Any, keep_files: bool, point_checks: PointChecks | None) -> dict[str, Task]:
    tasks = {}
    for run in plan.runs():
        run_spec, labels = None, None
        if spec is not None:
            run_spec = copy.deepcopy(spec)
            for path, value in run.settings.items():
                set_value(run_spec, path, value, what=f"grid {path}")
            run_spec["seed"] = run.seed
            if point_checks is not None:
                run_spec["expected"], labels = point_checks.at_point(run.settings)
        tasks[run.key] = Task(run.key, name, run.seed, record, run_spec, builder, run.settings, duration, keep_files,
                              check_labels=labels)
    return tasks


def without_checks(spec: dict[str, Any]) -> dict[str, Any]:
    """The experiment ``spec`` with no ``[[expected]]`` or ``[[sweep.expected]]`` items (``checks=False``)."""
    spec = {key: value for key, value in spec.items() if key != "expected"}  # the same sweep if it had none
    if "expected" in spec.get("sweep", {}):
        spec["sweep"] = {key: value for key, value in spec["sweep"].items() if key != "expected"}
    return spec


def _check_points(tasks: list[Task], record: str, executor) -> dict[str, Any]:
    """Check every grid point's experiment (:func:`.worker.check_point`) before any run, in the executor's
    workers: one point after another in this process took longer than the runs on a cluster. The first point
    that fails is one line naming its values. Then the points' population sizes, which must agree when spikes
    or traces are stacked (:func:`check_population_sizes`), and with ``record="traces"`` the memory all runs'
    traces take (:func:`check_traces_fit`). (A build function's points are only known by running it.)

    Returns the neuron and synapse models the points use, as their specs (``to_dict``): an experiment
    names registered models, whose equations a plugin release may change."""
    points: dict[str, Task] = {}  # each point's first run, by its settings (the seed changes no setting)
    runs: Counter[str] = Counter()
    for task in tasks:
        if task.spec is not None:
            point = json.dumps(task.settings, sort_keys=True)
            points.setdefault(point, task)
            runs[point] += 1
    if not points:
        return {}
    try:
        checks = executor.map(check_point, list(points.values()))
    except WorkerDied as death:
        raise SnnzooError(f"checking the grid points: {death}") from None
    sizes, models = [], {}
    for task, check in zip(points.values(), checks):
        where = "grid point " + ", ".join(f"{path} = {value}" for path, value in task.settings.items())
        if check.error is not None:
            raise ConfigError(f"{where}: {check.error}")
        sizes.append((where, check.sizes))
        models.update(check.models)
    check_population_sizes(record, sizes)
    if record == "traces":
        check_traces_fit(sum(runs[point] * check.trace_bytes for point, check in zip(points, checks)), len(tasks))
    return models


def _execute(tasks: list[Task], executor, results: dict, store: Store | None, progress: bool, total: int) -> None:
    """Run ``tasks`` through ``executor``, storing each finished run's file as it arrives.

    The workers do all the work of a run (see :mod:`.worker`); this process only places
    each run's file, counts it, and keeps its summary. Runs go to the executor a few at a time, in grid
    order (the executor's ``task_sizes``: equal shares for its workers), and at most two such tasks per
    worker are in flight. Each run of a task has its own outcome: a failed run is recorded alone. When a
    worker process dies (local, or a dask worker: dask then fails every task it held), each run it held
    is retried alone, so the run that kills its worker is the one recorded as ``lost``; the others complete.
    A sweep whose kept spikes or traces would not fit in memory stops as soon as its finished runs show it
    (:class:`.memory.KeptRuns`).
    """
    from tqdm import tqdm

    queue, alone, in_flight = deque(tasks), deque(), {}
    not_ok = sum(outcome.status != "ok" for outcome in results.values())  # counted once, not at every run
    kept = KeptRuns(total, store.folder if store is not None else None)
    for outcome in results.values():  # runs stored by an earlier, interrupted sweep
        kept.add(outcome)
    kept.check()
    bar = None
    try:
        sizes = deque(executor.task_sizes(len(tasks)))
        bar = tqdm(total=total, initial=total - len(tasks), unit="run", disable=not progress, leave=False)
        while queue or alone or in_flight:
            if alone and not in_flight:
                batch = [alone.popleft()]
                in_flight[executor.submit(batch)] = (batch, True)
            while queue and not alone and len(in_flight) < 2 * executor.workers:
                batch = [queue.popleft() for _ in range(sizes.popleft())]
                in_flight[executor.submit(batch)] = (batch, False)
            for future in executor.wait(in_flight):
                batch, isolated = in_flight.pop(future)
                try:
                    outcomes = executor.outcomes(future)
                except WorkerDied as death:
                    if not isolated:
                        alone.extend(batch)
                        continue
                    outcomes = [lost_run(batch[0], str(death))]
                except Exception as error:  # noqa: BLE001 - the runs could not be sent or their results not returned
                    outcomes = [failed_run(task, f"{type(error).__name__}: {error}") for task in batch]
                for task, outcome in zip(batch, outcomes):
                    if store is not None and outcome.file is not None:
                        store.write(task.key, outcome.file)
                    results[task.key] = outcome
                    not_ok += outcome.status != "ok"
                    bar.update(1)
                    kept.add(outcome)
                bar.set_postfix_str(f"{not_ok} not ok", refresh=False)
            kept.check()  # once every run that has come back is stored
    except KeyboardInterrupt:
        with contextlib.suppress(KeyboardInterrupt), signals_deferred():  # a second Ctrl-C: already stopping
            executor.close(cancel=True)
        kept = f" and stored in {store.folder}; run again with --resume to finish" if store and results else ""
        raise SweepInterrupted(f"{len(results)} of {total} runs finished{kept}") from None
    finally:
        if bar is not None:
            bar.close()

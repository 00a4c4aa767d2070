"""Where the runs of a sweep execute: this process, local worker processes, or a dask.distributed cluster.

All three offer the same futures-style interface to the sweep loop: ``start``
with the sweep's first run (the workers are warmed up with it), ``map`` a function over
tasks (the grid points' checks), ``submit`` a few runs as one
task (``task_sizes`` says how many), ``wait`` for the first finished futures, read
each one's ``outcomes``. The local executor is
``concurrent.futures.ProcessPoolExecutor``; the dask executor uses a
``distributed.Client`` (given, or connected to a scheduler address). No
scheduling of our own beyond keeping a bounded number of runs in flight.
"""

from __future__ import annotations

import concurrent.futures
import gc
import multiprocessing
import os
import signal
import sys
import uuid
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import SnnzooError
from ..units import whole_number
from .worker import Outcome, Task, failed_run, run_tasks, start_and_run_tasks, start_local_worker, warm_up

DEFAULT_CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a dask scheduler, and for a first worker of it, before giving up."""

MAX_RUNS_PER_TASK = 4
"""At most this many runs go to a worker as one task (a finished task's runs are stored together)."""

TASKS_PER_WORKER = 2
"""Runs are grouped into tasks only while each worker still gets at least this many (a worker that finishes
early takes the next: runs of unequal cost still end together)."""

CANCEL_GRACE_SECONDS = 10.0
"""Seconds a local worker gets to finish its chunk and exit when a sweep is cancelled."""

FORK_WORKERS = sys.platform.startswith("linux")
"""Whether local workers are forked from the warm client (Linux) or spawned and warmed each (elsewhere:
macOS and Windows have no fork that is safe with the libraries snnzoo loads)."""


class WorkerDied(Exception):
    """The process running a task died (killed, out of memory, segfault); the task gave no outcome."""


class SerialExecutor:
    """Runs each task in this process when it is submitted (for debugging and as the baseline)."""

    workers = 1
    description = "this process"

    def start(self, task: Task) -> None:
        """Nothing to warm up: the first run does it here."""

    def task_sizes(self, runs: int) -> list[int]:
        """One run per task: nothing is handed over."""
        return [1] * runs

    def map(self, function: Callable[[Task], Any], tasks: list[Task]) -> list[Any]:
        """``function`` of each task, in order, called here."""
        return [function(task) for task in tasks]

    def submit(self, tasks: list[Task]) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        future.set_result(run_tasks(tasks))
        return future

    def wait(self, futures: Iterable) -> set:
        return set(futures)

    def outcomes(self, future) -> list[Outcome]:
        return future.result()

    def close(self, cancel: bool = False) -> None:
        pass


class LocalExecutor:
    """``workers`` local processes (default, and at most: the cores this process may run on), warm from their start.

    On Linux they are forked from this process once it has gone through one time step of
    the sweep's first run (imports, plugins, the kernel's machine code, result and file),
    so they start with all of that loaded. Elsewhere they are spawned, and each imports
    snnzoo and goes through that step itself before its first run.
    """

    def __init__(self, workers: int | None = None):
        from ..engine.simulation import available_cores

        cores = available_cores()
        self.workers = whole_number(workers, what="workers", minimum=1) if workers is not None else cores
        if self.workers > cores:  # each run uses one core whole: more workers only share them and take memory
            warnings.warn(f"workers = {self.workers} is more than the {cores} cores here; using {cores}", stacklevel=2)
            self.workers = cores
        self.description = f"{self.workers} local worker process{'es' if self.workers > 1 else ''}"
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def start(self, task: Task) -> None:
        """Start the workers, warmed up with ``task`` (workers kept from an earlier sweep stay)."""
        if self._pool is None:
            self._pool = self._new_pool(task)

    def _new_pool(self, task: Task | None) -> concurrent.futures.ProcessPoolExecutor:
        if FORK_WORKERS and task is not None and task.spec is not None:  # an experiment: no code of the user's runs
            warm_up(task)
            context, warm_with = "fork", None
        elif FORK_WORKERS:  # a build function may kill the process running it: let that be a worker, never this one
            warm_up(None)
            context, warm_with = "fork", task
        else:
            context, warm_with = "spawn", task
        return concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(context),
                                                      initializer=start_local_worker, initargs=(warm_with,))

    def task_sizes(self, runs: int) -> list[int]:
        """One run per task: a run is stored as soon as it finishes, so Ctrl-C or a crash loses no finished
        run (tasks of several runs saved about 2 ms per run here, not worth a finished run redone)."""
        return [1] * runs

    def submit(self, tasks: list[Task]) -> concurrent.futures.Future:
        if self._pool is None:  # a worker died and broke the pool: new workers, not warmed with a task that may kill
            self._pool = self._new_pool(None)
        try:
            return self._pool.submit(run_tasks, tasks)
        except concurrent.futures.process.BrokenProcessPool as broken:  # a worker died since the last result came
            refused: concurrent.futures.Future = concurrent.futures.Future()
            refused.set_exception(broken)  # as for the runs the dead worker held: :meth:`outcomes` says so
            return refused

    def map(self, function: Callable[[Task], Any], tasks: list[Task]) -> list[Any]:
        """``function`` of each task, in order, called by the workers (after :meth:`start`)."""
        try:
            return list(self._pool.map(function, tasks))
        except concurrent.futures.process.BrokenProcessPool:
            self.close(cancel=True)
            raise WorkerDied("a worker process died (killed, out of memory or crashed)") from None

    def wait(self, futures: Iterable) -> set:
        done, _ = concurrent.futures.wait(list(futures), return_when=concurrent.futures.FIRST_COMPLETED)
        return done

    def outcomes(self, future) -> list[Outcome]:
        try:
            return future.result()
        except concurrent.futures.process.BrokenProcessPool:
            self.close(cancel=True)  # a broken pool takes no more work; the next submit starts a new one
            raise WorkerDied("the worker process running it died (killed, out of memory or crashed)") from None

    def close(self, cancel: bool = False) -> None:
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        if not cancel:
            pool.shutdown(wait=True)
            return
        # Cancel: running simulations stop at the end of their chunk on SIGINT (their results are not
        # stored), queued runs are dropped, and a worker that has not exited after a grace period is
        # terminated, so that a stuck worker can never hold the sweep (or the interpreter's exit) forever.
        processes = [p for p in (getattr(pool, "_processes", None) or {}).values() if p.is_alive()]
        for process in processes:
            try:
                os.kill(process.pid, signal.SIGINT)
            except ProcessLookupError:  # it exited meanwhile (a broken pool stops its workers itself)
                pass
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(CANCEL_GRACE_SECONDS)
            if process.is_alive():
                process.terminate()
                process.join()


class DaskExecutor:
    """A ``distributed.Client``: given by the caller, or connected to a scheduler ``address``.

    Finished runs arrive through ``distributed.as_completed`` with their outcomes gathered
    in the background, so this process never waits for one run's data after another.
    """

    def __init__(self, client_or_address: Any):
        try:
            import distributed
        except ImportError:  # pragma: no cover - a dependency of snnzoo
            raise SnnzooError("a dask scheduler was given but dask.distributed is not installed") from None
        self._distributed = distributed
        if isinstance(client_or_address, str):
            self.client = _connect(distributed, client_or_address)
            self._owned = True
        else:
            self.client, self._owned = client_or_address, False
            if self.client.status in ("closing", "closed"):  # it was "AttributeError: 'NoneType' ... 'ncores'"
                raise SnnzooError("executor: the distributed.Client given is closed; pass an open one")
        threads = _worker_threads(self.client)
        self.workers = max(threads, 1)
        self.description = f"dask scheduler {self.client.scheduler.address} ({threads} worker threads)"
        self._finished = distributed.as_completed(loop=self.client.loop, with_results=True, raise_errors=False)
        self._gathered: dict[Any, Any] = {}
        self._unread: set = set()
        self._warm_with: Task | None = None

    def start(self, task: Task) -> None:
        """Keep ``task``, the sweep's first run: every task sent sets its worker up with it
        (:func:`.worker.start_and_run_tasks`) when that worker has not been set up for it yet."""
        self._warm_with = task

    def task_sizes(self, runs: int) -> list[int]:
        """Runs per dask task (:func:`task_sizes`): each task costs the scheduler, the worker and this
        process some milliseconds of CPU time (as much as a small run's work on a busy machine)."""
        return task_sizes(runs, self.workers)

    def submit(self, tasks: list[Task]):
        future = self.client.submit(start_and_run_tasks, self._warm_with, tasks, pure=False,
                                    key=f"snnzoo-run-{tasks[0].key}-{len(tasks)}-{uuid.uuid4().hex}")
        self._finished.add(future)
        self._unread.add(future)
        return future

    def map(self, function: Callable[[Task], Any], tasks: list[Task]) -> list[Any]:
        """``function`` of each task, in order, called by the cluster's workers."""
        futures = self.client.map(function, tasks, pure=False,
                                  key=[f"snnzoo-{function.__name__}-{task.key}-{uuid.uuid4().hex}" for task in tasks])
        try:
            return self.client.gather(futures)
        except self._distributed.KilledWorker as error:
            raise WorkerDied(f"dask workers running it died ({_first_line(error)})") from None
        finally:
            self.client.cancel(futures)  # released: finished, or dropped when it failed or Ctrl-C stopped it

    def wait(self, futures: Iterable) -> set:
        batch = self._finished.next_batch(block=True)
        self._gathered.update(batch)
        return {future for future, _ in batch}

    def outcomes(self, future) -> list[Outcome]:
        self._unread.discard(future)
        result = self._gathered.pop(future)
        if future.status == "finished":
            return result
        error = result[1] if isinstance(result, tuple) else result  # (type, error, traceback), or a cancellation
        if isinstance(error, self._distributed.KilledWorker):
            raise WorkerDied(f"dask workers running it died ({_first_line(error)})") from None
        raise error

    def close(self, cancel: bool = False) -> None:
        """Drop the sweep's runs left on the cluster (``cancel``) and close a client this executor made.
        A second call does nothing: Ctrl-C closes the executor where it stopped the runs and again as the
        sweep ends, and a closed client's calls fail ("RuntimeError: IOLoop is closed")."""
        if self.client.status in ("closing", "closed"):
            return
        if cancel:  # runs still queued or running on the cluster are dropped
            self.client.cancel(list(self._unread))
            self._finished.clear()
            self._gathered.clear()
            self._unread.clear()
        if self._owned:
            self.client.close()


def _connect(distributed: Any, address: str):
    """A ``distributed.Client`` of the scheduler at ``address``, or a one-line error.

    The address is checked with dask's own parser first. A Client that fails half-way is
    collected at once: collected later, its clean-up waits on a lock that the next Client being
    made holds, and that process hangs. The client is not made the process's default, so dask's
    global scheduler setting stays as it was (a failed Client left it at ``dask.distributed``,
    and every later netCDF write in the process failed)."""
    from distributed.comm import parse_address
    from distributed.comm.registry import get_backend

    if not address.strip():
        raise SnnzooError("scheduler: expected the address of a dask scheduler, e.g. tcp://HOST:8786, got ''")
    try:
        scheme, location = parse_address(address)
        if scheme != "inproc":
            port = get_backend(scheme).get_address_host_port(location)[1]
            if not 0 < port < 65536:
                raise ValueError(f"port {port} is not in 1..65535")
    except NotImplementedError:  # a transport that cannot tell its port: the Client finds out
        pass
    except ValueError as error:
        raise SnnzooError(f"scheduler {address!r}: not a dask scheduler address ({_first_line(error)}); "
                          "expected e.g. tcp://HOST:8786") from None
    try:
        return distributed.Client(address, timeout=DEFAULT_CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        failure = (f"scheduler {address}: cannot reach a dask scheduler there within {DEFAULT_CONNECT_TIMEOUT:g} s "
                   f"({_first_line(error)})")
    gc.collect()  # the half-made Client closes now (see the docstring), freed with the exception above
    raise SnnzooError(failure)


def _worker_threads(client: Any) -> int:
    """The worker threads of the cluster of ``client``. A cluster without workers gets
    :data:`DEFAULT_CONNECT_TIMEOUT` seconds for a first one to join, then a warning that the runs wait
    for one: a sweep sent to a scheduler that no worker joins waited in silence (an adaptive cluster
    starts its workers once runs are queued, so the runs are sent all the same)."""
    threads = sum(client.nthreads().values())
    if threads == 0:
        try:
            client.wait_for_workers(1, timeout=DEFAULT_CONNECT_TIMEOUT)
        except TimeoutError:
            warnings.warn(f"scheduler {client.scheduler.address}: no dask worker has joined it within "
                          f"{DEFAULT_CONNECT_TIMEOUT:g} s; the runs wait for one (start workers for it, "
                          "dask worker ADDRESS, or press Ctrl-C)", stacklevel=3)
        threads = sum(client.nthreads().values())
    return threads


def make_executor(executor: Any = None, workers: int | None = None):
    """The executor for ``executor``: None (local processes), ``"serial"``, an address or a ``distributed.Client``."""
    if executor is None:
        return LocalExecutor(workers)
    if executor == "serial":
        return SerialExecutor()
    if isinstance(executor, (SerialExecutor, LocalExecutor, DaskExecutor)):
        return executor
    if isinstance(executor, str) or type(executor).__name__ == "Client":
        return DaskExecutor(executor)
    raise SnnzooError(f"executor: expected None, 'serial', a dask scheduler address or a distributed.Client, "
                      f"got {executor!r}")


def task_sizes(runs: int, workers: int) -> list[int]:
    """How ``runs`` runs are grouped into tasks for ``workers`` workers: as few tasks as keep at least
    :data:`TASKS_PER_WORKER` per worker (one run each when there are fewer runs) with at most
    :data:`MAX_RUNS_PER_TASK` runs in one; their number a multiple of ``workers`` and their sizes equal or
    one apart, larger first, so that every worker gets an equal share (12 runs on 2 workers: 4 tasks of 3)."""
    if runs <= 0:
        return []
    tasks = max(-(-runs // MAX_RUNS_PER_TASK), TASKS_PER_WORKER * workers)
    tasks = min(-(-tasks // workers) * workers, runs)
    size, larger = divmod(runs, tasks)
    return [size + 1] * larger + [size] * (tasks - larger)


def lost_run(task: Task, error: str) -> Outcome:
    """The record of a run whose worker died."""
    return failed_run(task, error, status="lost")


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__

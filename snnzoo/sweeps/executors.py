"""Where the runs of a sweep execute: this process, local worker processes, or a dask.distributed cluster.

All three offer the same futures-style interface to the sweep loop: ``submit``
a task, ``wait`` for the first finished futures, read each ``outcome``. The
local executor is ``concurrent.futures.ProcessPoolExecutor`` (spawned workers
that import snnzoo and load the plugins once); the dask executor uses a
``distributed.Client`` (given, or connected to a scheduler address). No
scheduling of our own beyond keeping a bounded number of runs in flight.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
from collections.abc import Iterable
from typing import Any

import xarray as xr

from ..errors import SnnzooError
from .worker import Task, failed_run, ignore_interrupts, run_task, warm_up

DEFAULT_CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a dask scheduler before giving up."""

CANCEL_GRACE_SECONDS = 10.0
"""Seconds a local worker gets to finish its chunk and exit when a sweep is cancelled."""


class WorkerDied(Exception):
    """The process running a task died (killed, out of memory, segfault); the task gave no outcome."""


class SerialExecutor:
    """Runs each task in this process when it is submitted (for debugging and as the baseline)."""

    workers = 1
    description = "this process"

    def submit(self, task: Task) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        future.set_result(run_task(task))
        return future

    def wait(self, futures: Iterable) -> set:
        return set(futures)

    def outcome(self, future) -> xr.DataTree:
        return future.result()

    def close(self, cancel: bool = False) -> None:
        pass


class LocalExecutor:
    """``workers`` spawned local processes (default: the number of cores)."""

    def __init__(self, workers: int | None = None):
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
            raise SnnzooError(f"workers: expected a positive number of processes, got {workers!r}")
        self.workers = workers or os.cpu_count() or 1
        self.description = f"{self.workers} local worker process{'es' if self.workers > 1 else ''}"
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def _ensure_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=ignore_interrupts)
        return self._pool

    def submit(self, task: Task) -> concurrent.futures.Future:
        return self._ensure_pool().submit(run_task, task)

    def wait(self, futures: Iterable) -> set:
        done, _ = concurrent.futures.wait(list(futures), return_when=concurrent.futures.FIRST_COMPLETED)
        return done

    def outcome(self, future) -> xr.DataTree:
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
            os.kill(process.pid, signal.SIGINT)
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(CANCEL_GRACE_SECONDS)
            if process.is_alive():
                process.terminate()
                process.join()


class DaskExecutor:
    """A ``distributed.Client``: given by the caller, or connected to a scheduler ``address``."""

    def __init__(self, client_or_address: Any):
        try:
            import distributed
        except ImportError:  # pragma: no cover - a dependency of snnzoo
            raise SnnzooError("a dask scheduler was given but dask.distributed is not installed") from None
        self._distributed = distributed
        if isinstance(client_or_address, str):
            try:
                self.client = distributed.Client(client_or_address, timeout=DEFAULT_CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as error:
                raise SnnzooError(f"scheduler {client_or_address}: cannot reach a dask scheduler there within "
                                  f"{DEFAULT_CONNECT_TIMEOUT:g} s ({_first_line(error)})") from None
            self._owned = True
        else:
            self.client, self._owned = client_or_address, False
        self.client.run(warm_up)  # every worker imports snnzoo and loads the plugins before the first run
        threads = sum(self.client.nthreads().values())
        self.workers = max(threads, 1)
        self.description = f"dask scheduler {self.client.scheduler.address} ({threads} worker threads)"

    def submit(self, task: Task):
        return self.client.submit(run_task, task, pure=False, key=f"snnzoo-run-{task.key}-{os.getpid()}-{id(task)}")

    def wait(self, futures: Iterable) -> set:
        done, _ = self._distributed.wait(list(futures), return_when="FIRST_COMPLETED")
        return done

    def outcome(self, future) -> xr.DataTree:
        try:
            return future.result()
        except self._distributed.KilledWorker as error:
            raise WorkerDied(f"dask workers running it died ({_first_line(error)})") from None

    def close(self, cancel: bool = False) -> None:
        if self._owned:
            self.client.close()


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


def lost_run(task: Task, error: str):
    """The record of a run whose worker died."""
    return failed_run(task, error, status="lost")


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__

"""Test-session set-up: one kernel cache for the whole session, and which tests are slow.

Kernel cache: every test, and every ``snnzoo`` subprocess a test starts, uses one
cache folder, so a kernel compiled by one test is reused by all the others.
It is ``$SNNZOO_CACHE_DIR`` if that is set, else ``.pytest_cache/d/snnzoo-kernels``
(kept between sessions, so a second session recompiles nothing), or a folder made
for the session when pytest's cache is off (``-p no:cacheprovider``). The worker
processes of ``-n auto`` (pytest-xdist; the README's command) share it too. The tests
never read or fill the user's ``~/.cache/snnzoo``.

Process state: a test that leaves a signal handler, the working folder or an
environment variable changed fails (``process_state_restored``), and the state is
put back for the tests after it.

Slow tests carry the ``slow`` marker (registered in ``pyproject.toml``): the
modules below, and the catalog experiments below in ``test_catalog.py``.
``python -m pytest -n auto`` runs everything; ``-m "not slow"`` skips them.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

SLOW_MODULES = {
    "test_dendrites.py": "dendrites: Brian2 comparisons under Poisson input, the 1000-neuron benchmark",
    "test_examples.py": "every example script in a subprocess",
    "test_brian2_reference.py": "Brian2 references: W1, W2 (1 s of HH at 0.01 ms), W6",
    "test_seed_experiments.py": "Brian2 references of the seed tutorials, statistics over seeds",
    "test_network_experiments.py": "Brian2 references of the network experiments, rates over many seeds",
    "test_benchmark_workloads.py": "the benchmark networks W3-W5 built at reduced size",
    "test_brian2_examples.py": "ports of Brian2's examples (up to 12 500 neurons) against Brian2, over seeds",
}
"""Test modules whose every test is slow, and why."""

SLOW_EXPERIMENTS = {
    "coba-adex-network",  # 60 s of network
    "zerlaut2019-ei-network",  # 10 000 neurons for 10 s
    "ball-and-stick-nmda",  # 3 s with 2000 Poisson inputs onto a dendrite
    "nmda-plateau",  # 2 s, 2000 Poisson inputs
    "coba-vs-cuba",  # two 10 000-neuron networks
    "vogels-abbott-coba",  # 4000 neurons, 1 s
    "balanced-poisson-input",  # 2000 Poisson inputs, 1 s
    "reliable-spike-timing",  # 25 trials x 4 conditions
}
"""Catalog experiments whose full run in ``test_catalog.py`` is slow."""


@pytest.fixture(scope="session", autouse=True)
def kernel_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session's kernel cache folder, exported as ``SNNZOO_CACHE_DIR`` for subprocesses too."""
    folder = os.environ.get("SNNZOO_CACHE_DIR")
    if not folder:
        cache = getattr(request.config, "cache", None)
        folder = str(cache.mkdir("snnzoo-kernels") if cache is not None else _session_folder(tmp_path_factory))
    os.environ["SNNZOO_CACHE_DIR"] = folder
    return folder


def _session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernel cache folder for this session, shared by the worker processes of ``-n`` (pytest-xdist gives
    each worker a temporary folder of its own, below one for the whole session)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "snnzoo-kernels"
    folder.mkdir(exist_ok=True)
    return folder


_HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM)
"""Signals whose handlers a test must leave as it found them."""

_SET_FOR_THE_PROCESS = {"PYTEST_CURRENT_TEST", "GOMP_SPINCOUNT", "HDF5_PLUGIN_PATH"}
"""Environment variables that may change during a test: pytest's own, the OpenMP spin count that
snnzoo sets once per process before its first multi-threaded loop (``engine.simulation.use_threading_layer``;
the OpenMP runtime reads it only then, so putting it back would not undo it), and the folder of HDF5's
filters that ``netCDF4`` sets when it is first imported (whichever test that is: with ``-n``, each
worker process runs the tests in another order)."""


_SIGINT_HANDLER_AT_START = signal.getsignal(signal.SIGINT)
"""The Ctrl-C handler before any test module was imported (Python's own, unless pytest was started otherwise)."""


@pytest.fixture(autouse=True)
def process_state_restored() -> Iterator[None]:
    """Fail a test that leaves process-wide state changed: a signal handler, the working folder or an
    environment variable (later tests would run in a state no user has). The state is put back first,
    so one leak fails one test only. A Ctrl-C handler changed outside any test (by an import or a module
    fixture) fails the test that finds it."""
    if signal.getsignal(signal.SIGINT) is not _SIGINT_HANDLER_AT_START:
        found = signal.signal(signal.SIGINT, _SIGINT_HANDLER_AT_START)
        pytest.fail(f"the Ctrl-C handler was changed before this test (by an import or a fixture): {found!r}")
    handlers = {number: signal.getsignal(number) for number in _HANDLED_SIGNALS}
    cwd, environ = os.getcwd(), dict(os.environ)
    yield
    changed = [f"{signal.Signals(number).name} handler" for number, handler in handlers.items()
               if signal.getsignal(number) is not handler]
    for number, handler in handlers.items():
        if handler is not None:  # None: set outside Python, which cannot put it back
            signal.signal(number, handler)
    if os.getcwd() != cwd:
        changed.append("working folder")
        os.chdir(cwd)
    variables = [name for name in sorted(set(environ) | set(os.environ))
                 if environ.get(name) != os.environ.get(name) and name not in _SET_FOR_THE_PROCESS]
    for name in variables:
        if name in environ:
            os.environ[name] = environ[name]
        else:
            del os.environ[name]
    changed += [f"environment variable {name}" for name in variables]
    if changed:
        pytest.fail(f"the test left process state changed: {', '.join(changed)}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow modules' tests and the slow catalog experiments with ``slow``."""
    for item in items:
        experiment = getattr(item, "callspec", None) and item.callspec.params.get("name")
        if item.path.name in SLOW_MODULES or (item.path.name == "test_catalog.py" and experiment in SLOW_EXPERIMENTS):
            item.add_marker(pytest.mark.slow)

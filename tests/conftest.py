"""Test-session set-up: one kernel cache for the whole session, and which tests are slow.

Kernel cache: every test, and every ``snnzoo`` subprocess a test starts, uses one
cache folder, so a kernel compiled by one test is reused by all the others.
It is ``$SNNZOO_CACHE_DIR`` if that is set, else ``.pytest_cache/d/snnzoo-kernels``
(kept between sessions, so a second session recompiles nothing), or a folder made
for the session when pytest's cache is off (``-p no:cacheprovider``). The tests
never read or fill the user's ``~/.cache/snnzoo``.

Slow tests carry the ``slow`` marker (registered in ``pyproject.toml``): the
modules below, and the catalog experiments below in ``test_catalog.py``.
``python -m pytest`` runs everything; ``python -m pytest -m "not slow"`` skips them.
"""

from __future__ import annotations

import os

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
        folder = str(cache.mkdir("snnzoo-kernels") if cache is not None else tmp_path_factory.mktemp("snnzoo-kernels"))
    os.environ["SNNZOO_CACHE_DIR"] = folder
    return folder


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow modules' tests and the slow catalog experiments with ``slow``."""
    for item in items:
        experiment = getattr(item, "callspec", None) and item.callspec.params.get("name")
        if item.path.name in SLOW_MODULES or (item.path.name == "test_catalog.py" and experiment in SLOW_EXPERIMENTS):
            item.add_marker(pytest.mark.slow)

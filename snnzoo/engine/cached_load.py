"""snnzoo's compiled functions loaded from numba's cache without refreshing numba's registries.

Before numba loads a compiled function from its cache it refreshes its target context: it imports
every implementation module (arrays, lists, dicts, sets, random generators, polynomials, ...) and
installs their registries, then refreshes the typing context likewise: 0.1-0.15 s of CPU in a warm
run, though the loaded machine code needs none of it, only numba's runtime (NRT), which the
refresh starts. :func:`load_without_refresh` makes a dispatcher's cache start the runtime and load;
when nothing is cached numba compiles, and its compiler refreshes everything first as usual (after
:func:`snnzoo.engine.numba_blas.import_arraymath`, so that this does not import scipy.linalg either).
The loaded code is the same either way.
"""

from __future__ import annotations

from typing import Any

from numba.core.dispatcher import Dispatcher
from numba.core.runtime import nrt

from . import numba_blas


def load_without_refresh(dispatcher: Any) -> None:
    """Make ``dispatcher`` (an ``@njit(cache=True)`` function) load its cached code without numba's
    registry refresh; nothing changes for another kind of dispatcher or cache."""
    cache = getattr(dispatcher, "_cache", None)
    load = getattr(cache, "_load_overload", None)
    guard = getattr(cache, "_guard_against_spurious_io_errors", None)
    if not isinstance(dispatcher, Dispatcher) or load is None or guard is None:
        return

    def load_overload(signature: Any, target_context: Any) -> Any:
        nrt.rtsys.initialize(target_context)  # what the refresh does that running the loaded code needs
        loaded = None
        with guard():
            loaded = load(signature, target_context)
        if loaded is None:  # numba compiles next, refreshing its registries first
            numba_blas.import_arraymath()
        return loaded

    cache.load_overload = load_overload


def load_module_without_refresh(namespace: dict[str, Any]) -> None:
    """:func:`load_without_refresh` for every dispatcher defined in the module of ``namespace`` (its globals)."""
    for value in list(namespace.values()):
        if isinstance(value, Dispatcher) and value.py_func.__module__ == namespace["__name__"]:
            load_without_refresh(value)

"""pint imported without dask.

Whenever dask is installed (it is, for sweeps on a cluster), ``import pint`` imports ``dask.base``
(with ``yaml``, ``jinja2``, ``toolz``, ``psutil``, ``cloudpickle`` and ``importlib_metadata``: 0.1-0.15 s
of CPU in every process) only to bind dask's ``compute``, ``persist`` and ``visualize`` for quantities
whose magnitudes are dask arrays, which snnzoo never makes. :func:`import_pint_without_dask` imports
pint with those three bound to functions that import ``dask.base`` at their first call and then call
dask's own; ``dask.base`` itself stays unimported until something imports it, and is then dask's own.
A user who makes dask arrays of quantities afterwards gets dask's behaviour unchanged.

While pint is being imported (0.2-0.3 s, once per process), ``dask.base`` stands for these three
only: this runs at ``import snnzoo``, before any of its modules imports pint, and does nothing when
pint or dask is already imported.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

DEFERRED = ("compute", "persist", "visualize")
"""The names pint imports from ``dask.base``."""


def _deferred(name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module("dask.base"), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"``dask.base.{name}``, imported at the first call."
    return call


class _DaskBaseStandIn(ModuleType):
    """``dask.base`` while pint is imported: its :data:`DEFERRED` functions, imported when first called."""

    def __init__(self) -> None:
        super().__init__("dask.base")
        self.__dict__.update({name: _deferred(name) for name in DEFERRED})


def import_pint_without_dask() -> ModuleType:
    """Import pint (if not yet imported) without importing dask; see the module docstring. A pint that
    imports anything else from ``dask.base`` is imported as usual, with dask."""
    if "pint" in sys.modules or "dask" in sys.modules or "dask.base" in sys.modules:
        return importlib.import_module("pint")
    stand_in = _DaskBaseStandIn()
    sys.modules["dask.base"] = stand_in
    try:
        return importlib.import_module("pint")
    except ImportError:  # another name from dask.base: pint's modules that failed are gone, import them as usual
        pass
    finally:
        if sys.modules.get("dask.base") is stand_in:
            del sys.modules["dask.base"]
    return importlib.import_module("pint")

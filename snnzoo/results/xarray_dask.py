"""xarray's questions about dask answered without importing dask while no dask object can exist.

xarray asks of nearly every array it handles whether it is a dask array or collection, and its
answers import dask to ask (``dask.base``, with ``yaml``, ``jinja2``, ``toolz``, ``psutil``: 0.1 s of
CPU; ``dask.array``, with ``scipy.fft`` and ``scipy.special``: 0.3 s) in a process whose results hold
no dask objects. Importing this module puts two stand-ins in xarray's place, each giving xarray's
own answer, unchanged, for anything that could be a dask object:

- :class:`_DaskRecordOnceImported` for xarray's record of dask (``array_type("dask")``): no type
  while ``dask.array`` is not imported, since nothing is a dask array before;
- :func:`_checked_on_sight` of ``xarray.namedarray.utils.is_dask_collection``: no for an object
  without a callable ``__dask_graph__`` method (or a class), as dask's own check says on sight.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from xarray.namedarray import pycompat
from xarray.namedarray import utils as namedarray_utils


class _DaskRecordOnceImported:
    """Stands in xarray's record of dask (``xarray.namedarray.pycompat``) while dask.array is not imported.

    xarray asks whether the data of every variable it makes is a dask array (``array_type("dask")``),
    and its record imports dask.array to answer: 0.3 s of CPU (with scipy.fft and scipy.special)
    in a process's first result, which holds no dask arrays. Nothing is a dask array before
    dask.array is imported, so until then the answer is "no type"; any other question, or the
    first one after dask.array is imported, puts xarray's own record in this one's place."""

    def __getattr__(self, name: str) -> Any:
        if name == "type" and sys.modules.get("dask.array") is None:
            return ()
        record = pycompat._cached_duck_array_modules["dask"] = pycompat.DuckArrayModule("dask")
        return getattr(record, name)


def _ask_for_dask_arrays_once_imported() -> None:
    """Put :class:`_DaskRecordOnceImported` in xarray's records, unless xarray made its own already
    (or keeps them elsewhere: then nothing changes)."""
    records = getattr(pycompat, "_cached_duck_array_modules", None)
    if isinstance(records, dict) and hasattr(pycompat, "DuckArrayModule"):
        records.setdefault("dask", _DaskRecordOnceImported())


def _checked_on_sight(xarray_check: Callable[[object], bool]) -> Callable[[object], bool]:
    def is_dask_collection(x: object) -> bool:
        """Whether ``x`` is a dask collection: xarray's answer, without importing dask for an object that
        has no callable ``__dask_graph__`` method or is a class (dask's own check says no to those first)."""
        graph = getattr(x, "__dask_graph__", None)
        if isinstance(x, type) or not callable(graph):
            return False
        return xarray_check(x)

    return is_dask_collection


def _check_dask_collections_on_sight() -> None:
    """Put :func:`_checked_on_sight` of xarray's ``is_dask_collection`` in its place (nothing changes
    for an xarray that checks elsewhere)."""
    xarray_check = getattr(namedarray_utils, "is_dask_collection", None)
    if callable(xarray_check):
        namedarray_utils.is_dask_collection = _checked_on_sight(xarray_check)


_ask_for_dask_arrays_once_imported()
_check_dask_collections_on_sight()

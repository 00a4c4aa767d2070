"""numba's BLAS check answered without importing scipy.linalg, which no snnzoo kernel uses.

The first kernel numba compiles or loads from its cache imports ``numba.np.arraymath``, which
asks at import whether BLAS is available by importing ``scipy.linalg.cython_blas``; that
imports the whole of ``scipy.linalg`` (and, through it, ``numpy.testing`` and ``numpy.f2py``):
0.15-0.2 s of CPU in every run. :func:`import_arraymath` imports ``numba.np.arraymath`` with that
question answered by finding the module's file instead; the answer is the same, and a kernel
that does use linear algebra (``np.dot``) still imports scipy.linalg when numba compiles it.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
from pathlib import Path


def cython_blas_installed() -> bool:
    """Whether scipy's ``scipy.linalg.cython_blas`` extension module is installed (its file found,
    nothing of scipy.linalg imported)."""
    try:
        spec = importlib.util.find_spec("scipy")
    except (ImportError, ValueError):
        return False
    folders = [] if spec is None else spec.submodule_search_locations or []
    return any((Path(folder) / "linalg" / f"cython_blas{suffix}").is_file()
               for folder in folders for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def import_arraymath() -> None:
    """Import ``numba.np.arraymath`` (if not yet imported) with its BLAS check made by
    :func:`cython_blas_installed`; numba's own check is back in place afterwards."""
    if "numba.np.arraymath" in sys.modules:
        return
    from numba.np import linalg

    numba_check = getattr(linalg, "ensure_blas", None)
    if numba_check is None:  # a numba that checks BLAS another way: import as numba does
        importlib.import_module("numba.np.arraymath")
        return

    def ensure_blas() -> None:
        if not cython_blas_installed():
            raise ImportError("scipy 0.16+ is required for linear algebra")
        width_check = getattr(linalg, "_check_lapack_int_width", None)  # numba's own check of scipy's build
        if width_check is not None:
            width_check()

    linalg.ensure_blas = ensure_blas
    try:
        from numba.np import arraymath
    finally:
        linalg.ensure_blas = numba_check
    arraymath.ensure_blas = numba_check

"""Generated kernels are written as modules into a cache folder and compiled by numba.

The module's file name is the hash of its source (plus the runtime helpers'
source), and numba's ``cache=True`` keeps the machine code next to it, so the
second run of the same model neither regenerates nor recompiles anything.
Set ``SNNZOO_CACHE_DIR`` to move the folder (default ``~/.cache/snnzoo``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from . import runtime

_RUNTIME_HASH = hashlib.sha256(Path(runtime.__file__).read_bytes()).hexdigest()[:12]


def cache_dir() -> Path:
    """The folder holding generated kernel modules."""
    root = os.environ.get("SNNZOO_CACHE_DIR") or os.path.join(Path.home(), ".cache", "snnzoo")
    path = Path(root) / "kernels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_kernel_module(source: str) -> ModuleType:
    """Import (writing it first if new) the kernel module for ``source``."""
    source = f"# runtime {_RUNTIME_HASH}\n{source}"
    digest = hashlib.sha256(source.encode()).hexdigest()[:24]
    name = f"snnzoo_kernel_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    path = cache_dir() / f"{name}.py"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            handle.write(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

"""Generated kernels are written as modules into a cache folder and compiled by numba.

The module's file name is the hash of its source (plus the runtime helpers'
source), and numba's ``cache=True`` keeps the machine code next to it, so the
second run of the same model neither regenerates nor recompiles anything.
Set ``SNNZOO_CACHE_DIR`` to move the folder (default ``~/.cache/snnzoo``).

The cache heals itself and never stops a run: a module is written atomically
(so concurrent processes and crashes leave either no file or a whole one),
checked against the source it must hold before it is imported (a truncated or
corrupted file is rewritten), and numba's compiled files for it are deleted (and
rebuilt by numba) when they cannot be read. A cache folder that cannot be created or
written falls back to compiling in memory, with a one-line notice on stderr.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import pickle
import sys
from pathlib import Path
from types import ModuleType

from ..cache_folder import cache_root
from ..errors import SnnzooError
from ..safe_write import write_atomically
from . import cached_load, numba_blas, runtime

PREFIX = "snnzoo_kernel_"
"""The start of every kernel module's name."""

_RUNTIME_HASH = hashlib.sha256(Path(runtime.__file__).read_bytes()).hexdigest()[:12]
_noticed: set[str] = set()
_loaded = 0
"""How many kernel modules this process has imported or compiled (see :func:`modules_loaded`)."""


def modules_loaded() -> int:
    """How many kernel modules this process has loaded so far (a sweep run reports how many it had to load)."""
    return _loaded


def cache_dir() -> Path:
    """The folder holding generated kernel modules (created if needed; may be unwritable)."""
    return cache_root() / "kernels"


def load_kernel_module(source: str) -> ModuleType:
    """Import the kernel module for ``source``: from the cache, writing or repairing it first
    if needed, or compiled in memory when the cache folder cannot be used."""
    source = f"# runtime {_RUNTIME_HASH}\n{source}"
    name = _module_name(source.encode())
    if name in sys.modules:
        return sys.modules[name]
    folder = cache_dir()
    path = folder / f"{name}.py"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not _holds(path, source):
            write_atomically(path, source.encode)
    except (OSError, SnnzooError) as error:
        _notice(folder, error)
        return _compile_in_memory(name, source)
    return _import_checked(name, path)


def load_cached_module(name: str) -> ModuleType | None:
    """The kernel module called ``name`` if the cache holds it whole (its file hashes to its name),
    else None."""
    if name in sys.modules:
        return sys.modules[name]
    path = cache_dir() / f"{name}.py"
    try:
        whole = name.startswith(PREFIX) and _module_name(path.read_bytes()) == name
    except OSError:
        return None
    return _import_checked(name, path) if whole else None


def _module_name(source: bytes) -> str:
    return f"{PREFIX}{hashlib.sha256(source).hexdigest()[:24]}"


def _import_checked(name: str, path: Path) -> ModuleType:
    """Import the module at ``path``, deleting numba's compiled files for it first if they are damaged
    (its index ``.nbi`` and data ``.nbc`` files; Python's own ``.pyc`` beside them is not numba's)."""
    compiled = [file for file in (path.parent / "__pycache__").glob(f"{name}.*") if file.suffix in (".nbi", ".nbc")]
    if not all(_readable(file) for file in compiled):  # numba would fail on them: let it rebuild
        for file in compiled:
            file.unlink(missing_ok=True)
    return _import(name, path)


def _holds(path: Path, source: str) -> bool:
    """Whether ``path`` holds exactly ``source`` (missing, truncated or corrupted files do not)."""
    try:
        return path.read_bytes() == source.encode()
    except OSError:
        return False


def _readable(file: Path) -> bool:
    """Whether numba can read its cache file: an index (.nbi) unpickles, a data file (.nbc) is whole."""
    try:
        data = file.read_bytes()
        if file.suffix == ".nbi":
            stream = io.BytesIO(data)
            pickle.load(stream)
            pickle.loads(stream.read())
            return True
        return data.endswith(pickle.STOP)
    except Exception:  # noqa: BLE001 - any failure to read or unpickle means "rebuild"
        return False


def _import(name: str, path: Path) -> ModuleType:
    global _loaded
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    cached_load.load_module_without_refresh(vars(module))  # its kernel, loaded when first called
    _loaded += 1
    return module


def _compile_in_memory(name: str, source: str) -> ModuleType:
    """The kernel module made without a file (numba then keeps no machine code on disk)."""
    global _loaded
    numba_blas.import_arraymath()  # before numba compiles the module's kernel
    module = ModuleType(name)
    code = compile(source.replace("@njit(cache=True", "@njit(cache=False"), f"<snnzoo kernel {name}>", "exec")
    exec(code, module.__dict__)  # noqa: S102 - the source is generated by snnzoo.engine.codegen
    sys.modules[name] = module
    _loaded += 1
    return module


def _notice(folder: Path, error: BaseException) -> None:
    if str(folder) not in _noticed:
        _noticed.add(str(folder))
        reason = getattr(error, "strerror", None) or error
        print(f"snnzoo: notice: kernel cache {folder} is not usable ({reason}); compiling in memory "
              "(set SNNZOO_CACHE_DIR to a writable folder to keep compiled kernels)", file=sys.stderr)

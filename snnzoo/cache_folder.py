"""Where snnzoo keeps what it caches between runs (compiled kernels, the plugin index), and the
hash of source files that keys those caches."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

CACHE_VARIABLE = "SNNZOO_CACHE_DIR"
"""Environment variable moving the cache folder (default ``~/.cache/snnzoo``)."""


def cache_root() -> Path:
    """The cache folder: ``$SNNZOO_CACHE_DIR`` if set, else ``~/.cache/snnzoo`` (it may not exist yet)."""
    return Path(os.environ.get(CACHE_VARIABLE) or os.path.join(Path.home(), ".cache", "snnzoo"))


HASHED_SUFFIXES = frozenset({".py", ".toml", ".txt", ".json", ".cfg"})
"""Files whose contents enter :func:`source_digest` (others by size and modification time)."""


def source_digest(root: Path) -> str:
    """A hash of the file ``root`` or of every file under the folder ``root`` (``__pycache__`` left
    out): names, sizes and modification times, and the contents of source files."""
    digest = hashlib.sha256()
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if "__pycache__" not in p.parts)
    for file in files:
        try:
            stat = file.stat()
            if not file.is_file():
                continue
            content = hashlib.sha256(file.read_bytes()).hexdigest() if file.suffix in HASHED_SUFFIXES else None
        except OSError:
            stat, content = None, None
        digest.update(repr((str(file.relative_to(root)) if file != root else file.name,
                            stat and (stat.st_size, stat.st_mtime_ns), content)).encode())
    return digest.hexdigest()


@cache
def snnzoo_digest() -> str:
    """:func:`source_digest` of the snnzoo package itself, once per process."""
    return source_digest(Path(__file__).resolve().parent)

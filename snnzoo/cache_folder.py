"""Where snnzoo keeps what it caches between runs (compiled kernels, the plugin index)."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_VARIABLE = "SNNZOO_CACHE_DIR"
"""Environment variable moving the cache folder (default ``~/.cache/snnzoo``)."""


def cache_root() -> Path:
    """The cache folder: ``$SNNZOO_CACHE_DIR`` if set, else ``~/.cache/snnzoo`` (it may not exist yet)."""
    return Path(os.environ.get(CACHE_VARIABLE) or os.path.join(Path.home(), ".cache", "snnzoo"))

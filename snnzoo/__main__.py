"""``python -m snnzoo``: the ``snnzoo`` command (for an environment whose scripts are not on PATH)."""

from .cli import entry

entry()

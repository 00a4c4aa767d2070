"""The top-level catalog (``catalog/`` in the source tree, ``snnzoo/experiments`` when installed): experiments
that belong to no single plugin, such as sweeps and comparisons across models. The core registers it like
any plugin's catalog."""

from __future__ import annotations

from pathlib import Path

from .hookspecs import hookimpl

HOOK_API_VERSION = 1
"""The hook contract this built-in plugin is written for (checked by the loader)."""

FOLDER = Path(__file__).resolve().parents[1] / "experiments"
"""The catalog folder (a link to the top-level ``catalog/`` in a source checkout)."""


@hookimpl
def snnzoo_register_catalog(registry) -> None:
    """Register every experiment of the top-level catalog."""
    registry.add_catalog(FOLDER)

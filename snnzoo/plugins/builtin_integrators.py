"""The core's integrators as a plugin: registered in code (``plugins.BUILTIN_PLUGINS``) through the same
hook a third-party integrator plugin implements, so the integrators themselves know nothing of plugins."""

from __future__ import annotations

from ..language.core_integrators import CORE_INTEGRATORS
from .hookspecs import hookimpl

HOOK_API_VERSION = 1
"""The hook contract this built-in plugin is written for (checked by the loader)."""


@hookimpl
def snnzoo_register_integrators(registry) -> None:
    """Register the built-in integrators."""
    for integrator in CORE_INTEGRATORS:
        registry.add_integrator(integrator)

"""Dendrites and receptors for snnzoo: ball-and-stick neurons with AMPA, NMDA, GABA-A and GABA-B.

An snnzoo plugin: the entry point ``dendrites`` of group ``snnzoo`` names this module.
``ball_and_stick(...)`` builds variants (other geometry, receptor sets, several dendrites).
"""

from importlib.resources import files

from snnzoo import hookimpl

from .ball_and_stick import ball_and_stick
from .geometry import HUMAN
from .receptors import DENDRITE_RECEPTORS, NMDA_BLOCK, SOMA_RECEPTORS, Receptor, mg_block

HOOK_API_VERSION = 1
"""The snnzoo hook contract this plugin is written for (checked by the loader)."""

__all__ = ["ball_and_stick", "HUMAN", "DENDRITE_RECEPTORS", "SOMA_RECEPTORS", "NMDA_BLOCK", "Receptor", "mg_block"]


@hookimpl
def snnzoo_register_models(registry) -> None:
    """Register ``ball_and_stick`` (one 160 um dendrite) and ``tripod`` (two dendrites)."""
    registry.add_model(ball_and_stick())
    registry.add_model(ball_and_stick("tripod", {"d1": ("200 um", "4 um"), "d2": ("400 um", "4 um")}))


@hookimpl
def snnzoo_register_catalog(registry) -> None:
    """Register the dendritic experiments."""
    registry.add_catalog(files(__package__) / "catalog")

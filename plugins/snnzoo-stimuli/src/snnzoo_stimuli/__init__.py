"""Stimuli for snnzoo: currents (constant, steps, any function of time and neuron, Gaussian
noise, Ornstein-Uhlenbeck) and spike sources (spike generator, Poisson group, Poisson layer).

An snnzoo plugin: the entry point ``stimuli`` of group ``snnzoo`` names this module.
Each stimulus is a class; ``snnzoo.stimulus("step_current", ...)`` makes one.
"""

from snnzoo import hookimpl

from .currents import ConstantCurrent, FunctionCurrent, StepCurrent
from .noise import NoiseCurrent, OUCurrent
from .spikes import PoissonGroup, PoissonLayer, SpikeGenerator

HOOK_API_VERSION = 1
"""The snnzoo hook contract this plugin is written for (checked by the loader)."""


@hookimpl
def snnzoo_register_stimuli(registry) -> None:
    """Register the currents and spike sources."""
    for stimulus in (ConstantCurrent, StepCurrent, FunctionCurrent, NoiseCurrent, OUCurrent,
                     SpikeGenerator, PoissonGroup, PoissonLayer):
        registry.add_stimulus(stimulus)

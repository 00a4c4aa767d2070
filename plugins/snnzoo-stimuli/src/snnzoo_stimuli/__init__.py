"""Input currents for snnzoo: constant, step schedules, any function of time and neuron.

An snnzoo plugin: the entry point ``stimuli`` of group ``snnzoo`` names this module.
Each stimulus is a class; ``snnzoo.stimulus("step_current", ...)`` makes one.
"""

from snnzoo import hookimpl

from .currents import ConstantCurrent, FunctionCurrent, StepCurrent


@hookimpl
def snnzoo_register_stimuli(registry) -> None:
    """Register the current stimuli."""
    for stimulus in (ConstantCurrent, StepCurrent, FunctionCurrent):
        registry.add_stimulus(stimulus)

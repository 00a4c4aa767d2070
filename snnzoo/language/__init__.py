"""The model language (DESIGN.md layers 2 and 3): Brian-style equations with units, parsed and
dimension-checked into neuron and synapse model specs, stimulus specs, and the integrators that turn
a model's equations into update statements. Pure data and sympy: nothing here knows of plugins,
networks or the engine."""

from ..lazy import lazy_package

lazy_package(__name__, {})  # its submodules on first use: snnzoo.language.NAME after a bare import snnzoo

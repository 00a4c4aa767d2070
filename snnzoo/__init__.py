"""snnzoo: a model zoo for spiking neurons.

Pick a model by name (or write one as equations with units), set parameters
with units, run it in one compiled kernel, and get an xarray result::

    import snnzoo as sz
    from snnzoo import ureg as u

    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("n", "adex", 1)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=500 * u.pA), "n")
    net.record("n", "v")
    net.run(200 * u.ms)
    tree = net.result()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .pint_import import import_pint_without_dask

import_pint_without_dask()  # before the modules below import pint: pint without dask (snnzoo.pint_import)

from .errors import (ConfigError, DeprecatedNameWarning, EquationError, PluginError, SimulationError,
                     SnnzooError, UnitError, UnusedParameterWarning)
from .language.arguments import checked_function
from .lazy import lazy_package
from .plugins.hookspecs import hookimpl
from .results import analysis  # noqa: F401  (registers the ``ds.snn`` accessor)
from .units import Quantity, ureg
from .version import __version__

# models, networks and the engine need sympy, numba and scipy: imported on first use
lazy_package(__name__, {
    "NeuronModel": "language.model", "Parameter": "language.model", "SynapseModel": "language.synapse_model",
    "TimedArray": "language.timed_array", "Network": "network.network", "Population": "network.population",
})
if TYPE_CHECKING:
    from .language.model import NeuronModel, Parameter
    from .language.synapse_model import SynapseModel
    from .language.timed_array import TimedArray
    from .network.network import Network
    from .network.population import Population


@checked_function
def sweep(experiment, grid=None, **options):
    """Many runs of an experiment over a grid of parameters and seeds; see :func:`snnzoo.sweeps.sweep`."""
    from .sweeps import sweep as run_sweep

    return run_sweep(experiment, grid, **options)


@checked_function
def open_results(paths, dim: str = "seed", values=None):
    """Stack result files (a list, or a glob pattern like ``"runs/*.nc"``) along ``dim``; see
    :func:`snnzoo.results.tree.open_results`."""
    from .results.tree import open_results as stack

    return stack(paths, dim, values)


@checked_function
def model(name: str) -> NeuronModel:
    """The neuron model registered as ``name`` by an installed plugin, e.g. ``snnzoo.model("adex")``."""
    from .plugins.loader import get_registry

    return get_registry().model(name)


@checked_function
def synapse_model(name: str) -> SynapseModel:
    """The synapse model registered as ``name`` by an installed plugin, e.g. ``snnzoo.synapse_model("stdp")``."""
    from .plugins.loader import get_registry

    return get_registry().synapse_model(name)


@checked_function
def stimulus(name: str, *by_position: object, **settings: object) -> object:
    """A stimulus of the type registered as ``name``, configured with ``settings``, e.g.
    ``snnzoo.stimulus("constant_current", amplitude="0.5 nA")``. The settings are checked
    against what the type takes: an unknown or missing one is an error naming it, and so is a
    setting given by position (Brian2's ``SpikeGeneratorGroup(N, indices, times)``)."""
    from .catalog.schema import configured_stimulus, stimulus_settings
    from .plugins.loader import get_registry

    factory = get_registry().stimulus(name)
    if by_position:
        taken = ", ".join(f"{setting}=..." for setting in stimulus_settings(factory) or ())
        raise ConfigError(f"stimulus {name!r}: give its settings by name ({taken}), not by position (got "
                          f"{len(by_position)} after the name)")
    return configured_stimulus(factory, settings, f"stimulus {name!r}", noun="setting")


@checked_function
def integrator(name: str):
    """The integrator registered as ``name``, e.g. ``snnzoo.integrator("rk4")``."""
    from .plugins.loader import get_registry

    return get_registry().integrator(name)


__all__ = [
    "ConfigError", "DeprecatedNameWarning", "EquationError", "NeuronModel", "Network", "Parameter", "PluginError",
    "Population", "Quantity", "SimulationError", "SnnzooError", "SynapseModel", "TimedArray", "UnitError",
    "UnusedParameterWarning", "hookimpl", "integrator", "model", "open_results", "stimulus", "sweep", "synapse_model",
    "ureg", "__version__",
]

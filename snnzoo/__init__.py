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

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

try:
    __version__ = version("snnzoo")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.1.0+source"

from . import analysis  # noqa: F401  (registers the ``ds.snn`` accessor)
from .errors import ConfigError, EquationError, PluginError, SimulationError, SnnzooError, UnitError
from .hookspecs import hookimpl
from .lazy import lazy_package
from .units import Quantity, ureg

# models, networks and the engine need sympy, numba and scipy: imported on first use
# ``model``, ``synapse_model`` and ``stimulus`` are the submodules of those names, called as their function
# of that name: snnzoo.model("adex"), snnzoo.stimulus("step_current", ...) (see snnzoo/lazy.py)
lazy_package(__name__, {
    "NeuronModel": "model", "Parameter": "model", "Network": "network", "Population": "network",
    "SynapseModel": "synapse_model", "TimedArray": "timed_array",
    "model": "model", "synapse_model": "synapse_model", "stimulus": "stimulus",
})
if TYPE_CHECKING:
    from .model import NeuronModel, Parameter
    from .network import Network, Population
    from .synapse_model import SynapseModel
    from .timed_array import TimedArray


def sweep(experiment, grid=None, **options):
    """Many runs of an experiment over a grid of parameters and seeds; see :func:`snnzoo.sweeps.sweep`."""
    from .sweeps import sweep as run_sweep

    return run_sweep(experiment, grid, **options)


def open_results(paths, dim: str = "seed", values=None):
    """Stack result files (a list, or a glob pattern like ``"runs/*.nc"``) along ``dim``; see
    :func:`snnzoo.results.open_results`."""
    from .results import open_results as stack

    return stack(paths, dim, values)


def integrator(name: str):
    """The registered integrator called ``name``."""
    from .plugins import get_registry

    return get_registry().integrator(name)


__all__ = [
    "ConfigError", "EquationError", "NeuronModel", "Network", "Parameter", "PluginError", "Population",
    "Quantity", "SimulationError", "SnnzooError", "SynapseModel", "TimedArray", "UnitError", "hookimpl",
    "integrator", "model", "open_results", "stimulus", "sweep", "synapse_model", "ureg", "__version__",
]

"""Conformance kit for plugin authors: call these from your plugin's own tests.

Example (in a third-party plugin's test file)::

    from snnzoo.testing import check_plugin
    import my_plugin

    def test_conforms():
        check_plugin(my_plugin)

Each check raises ``AssertionError`` with a message saying what is missing.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from .model import NeuronModel
from .network import Network
from .registry import Registry
from .stimulus import FunctionDrive, PiecewiseDrive
from .units import ureg


def check_model(model: NeuronModel, *, steps: int = 100) -> None:
    """A model documents itself and runs: description, references, documented
    parameters with defaults, and ``steps`` steps from its initial state stay finite."""
    assert isinstance(model, NeuronModel), f"{model!r} is not a snnzoo.NeuronModel"
    assert model.description, f"model {model.name!r}: give it a description"
    assert model.references, f"model {model.name!r}: give at least one reference"
    for spec in model.parameters.values():
        assert spec.default is not None, f"model {model.name!r}: parameter {spec.name!r} has no default"
        assert spec.description, f"model {model.name!r}: parameter {spec.name!r} has no description"
    assert model.describe().startswith(model.name)
    net = Network(dt=0.1 * ureg.ms, seed=0)
    net.add_population("p", model, 2)
    net.record("p", model.recordables)
    net.run(steps * 0.1 * ureg.ms)
    for state in net.records()[0].states:
        for var, data in state.data.items():
            assert np.all(np.isfinite(data)), f"model {model.name!r}: {var} is not finite from its defaults"


def check_stimulus(stimulus, size: int = 3, unit="A") -> None:
    """A configured stimulus describes itself and yields drives the engine understands."""
    assert stimulus.name and stimulus.description, "a stimulus needs a name and a description"
    assert isinstance(stimulus.to_dict(), dict), f"stimulus {stimulus.name!r}: to_dict() must return a dict"
    drives = stimulus.drives(size, ureg.Unit(unit))
    assert drives, f"stimulus {stimulus.name!r}: drives() returned nothing"
    for drive in drives:
        assert isinstance(drive, (PiecewiseDrive, FunctionDrive)), f"stimulus {stimulus.name!r}: unknown drive {drive!r}"


def check_plugin(module: ModuleType) -> Registry:
    """A plugin module registers only valid, documented things; returns the filled registry."""
    registry = Registry()
    hooks = [name for name in dir(module) if name.startswith("snnzoo_register_")]
    assert hooks, f"plugin {module.__name__}: implements no snnzoo_register_* hook"
    with registry.registering_as(module.__name__):
        for hook in hooks:
            getattr(module, hook)(registry)
    for entry in registry.entries("model"):
        check_model(entry.obj)
    for entry in registry.entries("stimulus") + registry.entries("integrator"):
        assert entry.description, f"plugin {module.__name__}: {entry.kind} {entry.name!r} has no description"
    return registry

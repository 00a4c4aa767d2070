"""The built-in plugins pass the conformance kit third-party authors use."""

import importlib

import pytest

from snnzoo import testing


@pytest.mark.parametrize(
    "module", ["snnzoo_lif", "snnzoo_adex", "snnzoo_hh", "snnzoo_stimuli", "snnzoo_dendrites", "snnzoo.integrators"]
)
def test_builtin_plugin_conforms(module):
    registry = testing.check_plugin(importlib.import_module(module))
    assert sum(len(registry.entries(kind)) for kind in ("model", "stimulus", "integrator", "experiment")) > 0


def test_kit_rejects_an_undocumented_model():
    from snnzoo import NeuronModel

    bare = NeuronModel("bare", "dv/dt = -v/tau : volt", {"tau": "10 ms"})
    with pytest.raises(AssertionError, match="description"):
        testing.check_model(bare)


def test_kit_rejects_a_plugin_without_hooks():
    import types

    with pytest.raises(AssertionError, match="no snnzoo_register"):
        testing.check_plugin(types.ModuleType("empty_plugin"))


def test_stimuli_conform():
    from snnzoo import stimulus, ureg

    testing.check_stimulus(stimulus("constant_current", amplitude=1 * ureg.nA))
    testing.check_stimulus(stimulus("step_current", times=[0, 1] * ureg.ms, amplitudes=[1, 0] * ureg.nA))
    testing.check_stimulus(stimulus("function_current", function="A*sin(t/tau)", parameters={"A": "1 nA", "tau": "1 s"}))

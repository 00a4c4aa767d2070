"""The built-in plugins pass the conformance kit third-party authors use."""

import importlib
import types

import pytest

from snnzoo import testing


PUBLISHED_NAMES = {"hh_traub": ["VT"]}  # Traub and Miles's rate offset, not the threshold V_th


@pytest.mark.parametrize(
    "module", ["snnzoo_lif", "snnzoo_adex", "snnzoo_hh", "snnzoo_stimuli", "snnzoo_dendrites", "snnzoo_plasticity",
               "snnzoo.plugins.builtin_integrators", "snnzoo.plugins.builtin_catalog"]
)
def test_builtin_plugin_conforms(module):
    registry = testing.check_plugin(importlib.import_module(module), published_names=PUBLISHED_NAMES)
    assert sum(len(registry.entries(kind)) for kind in ("model", "stimulus", "integrator", "experiment")) > 0


def test_kit_rejects_an_undocumented_model():
    from snnzoo import NeuronModel

    bare = NeuronModel("bare", "dv/dt = -v/tau : volt", {"tau": "10 ms"})
    with pytest.raises(AssertionError, match="description"):
        testing.check_model(bare)


NAMING_PLUGIN = """
from snnzoo import NeuronModel, Parameter, hookimpl

HOOK_API_VERSION = 1

@hookimpl
def snnzoo_register_models(registry):
    registry.add_model(NeuronModel(
        "naming_lif", "dv/dt = (E_L - v)/tau_m : volt", {
            "E_L": Parameter("-70 mV", "resting potential"), "tau_m": Parameter("10 ms", "membrane time constant"),
            "PARAMETER": Parameter("VALUE", "a parameter")},
        threshold="v > PARAMETER", reset="v = E_L", description="A LIF neuron.", references=["a reference"]))
"""


@pytest.mark.parametrize(("parameter", "value", "conventional", "meaning"), [
    ("Vt", "-50 mV", "V_th", "spike threshold"), ("Vth", "-50 mV", "V_th", "spike threshold"),
    ("VT", "-50 mV", "V_th", "spike threshold"), ("v_reset", "-50 mV", "V_reset", "reset potential"),
])
def test_kit_rejects_a_parameter_named_against_the_convention(parameter, value, conventional, meaning):
    """The kit never looked at parameter names: a plugin's 'Vt' passed next to the built-ins' 'V_th'."""
    source = NAMING_PLUGIN.replace("PARAMETER", parameter).replace("VALUE", value)
    with pytest.raises(AssertionError, match=rf"^plugin 'naming_plugin_{parameter}': model 'naming_lif': parameter "
                                             rf"'{parameter}' does not follow the naming convention \(docs/naming.md\): "
                                             rf"the {meaning} is called '{conventional}'; rename it and keep the old name "
                                             rf"with aliases={{'{parameter}': '{conventional}'}}"):
        testing.check_plugin(plugin_module(f"naming_plugin_{parameter}", source))


def test_kit_takes_a_name_published_with_another_meaning_or_of_another_dimension():
    source = NAMING_PLUGIN.replace("PARAMETER", "VT").replace("VALUE", "-50 mV")
    testing.check_plugin(plugin_module("naming_plugin_published", source), published_names={"naming_lif": ["VT"]})
    testing.check_plugin(plugin_module("naming_plugin_V_th", NAMING_PLUGIN.replace("PARAMETER", "V_th")
                                       .replace("VALUE", "-50 mV")))


def test_kit_rejects_a_model_with_a_parameter_it_never_uses():
    from snnzoo import NeuronModel, Parameter

    with pytest.warns(UserWarning, match="'tua' is used nowhere"):
        typo = NeuronModel("typo", "dv/dt = -v/tau : volt", {"tau": Parameter("10 ms", "time constant"),
                           "tua": Parameter("20 ms", "time constant, misspelt")}, description="d", references=["r"])
    with pytest.raises(AssertionError, match="model 'typo': parameter 'tua' is used nowhere in the model"):
        testing.check_model(typo)


def test_kit_rejects_a_synapse_model_with_a_parameter_it_never_uses():
    """A neuron model's unused parameter failed the kit; a synapse model's passed with a warning."""
    from snnzoo import Parameter, SynapseModel

    with pytest.warns(UserWarning, match="'tau_x' is used nowhere"):
        unused = SynapseModel("unused", "w : volt", {"tau_x": Parameter("5 ms", "a time constant")},
                              on_pre="v_post += w", description="d", references=["r"])
    with pytest.raises(AssertionError, match="synapse model 'unused': parameter 'tau_x' is used nowhere in the model"):
        testing.check_synapse_model(unused)


def test_kit_rejects_an_undocumented_synapse_model():
    source = """
from snnzoo import SynapseModel
BARE = SynapseModel("bare_synapse", "w : 1", {"gmax": "1 nS"}, on_pre="g_post += w*gmax", description="d",
                    references=["r"])
@hookimpl
def snnzoo_register_synapses(registry):
    registry.add_synapse_model(BARE)
"""
    message = "synapse model 'bare_synapse': parameter 'gmax' has no description"
    with pytest.raises(AssertionError, match=message):
        testing.check_plugin(plugin_module("synapse_plugin", source))


def test_kit_rejects_a_plugin_whose_name_a_builtin_plugin_keeps():
    source = HEADER.replace('"ok_model"', '"lif"') + """
@hookimpl
def snnzoo_register_models(registry):
    registry.add_model(MODEL)
"""
    module = types.ModuleType("shadowed")
    exec(source, module.__dict__)
    with pytest.raises(AssertionError) as failure:
        testing.check_plugin(module)
    assert str(failure.value) == ("plugin 'shadowed': model 'lif' from plugin 'shadowed' ignored: built-in plugin "
                                  "'lif' keeps the name (use 'shadowed:lif', or SNNZOO_PREFER=shadowed:lif); "
                                  "give it a name of its own")


def test_kit_rejects_a_plugin_without_hooks():
    import types

    with pytest.raises(AssertionError, match="no snnzoo_register"):
        testing.check_plugin(types.ModuleType("empty_plugin"))


def test_stimuli_conform():
    from snnzoo import stimulus, ureg

    testing.check_stimulus(stimulus("constant_current", amplitude=1 * ureg.nA))
    testing.check_stimulus(stimulus("step_current", times=[0, 1] * ureg.ms, amplitudes=[1, 0] * ureg.nA))
    testing.check_stimulus(stimulus("function_current", function="A*sin(t/tau)", parameters={"A": "1 nA", "tau": "1 s"}))


def test_noise_current_and_poisson_group_conform():
    from snnzoo import stimulus, ureg

    testing.check_stimulus(stimulus("noise_current", mean=0.1 * ureg.nA, std=0.05 * ureg.nA))
    testing.check_stimulus(stimulus("poisson_group", size=4, rate=20 * ureg.Hz))
    testing.check_stimulus(stimulus("poisson_layer", rate=20 * ureg.Hz, N=5, p=1.0, weight=1 * ureg.mV))


def test_builtin_distribution_conforms_by_name():
    registry = testing.check_plugin("snnzoo-hh", published_names=PUBLISHED_NAMES)
    assert registry.qualified_names() == {"hh:hh_traub", "hh:hh-current-step", "hh:hh-synaptic-input"}
    with pytest.raises(AssertionError, match=r"distribution 'snnzoo-nothing' is not installed \(install it, e.g. "
                                             r"pip install -e the folder holding its pyproject.toml\)"):
        testing.check_plugin("snnzoo-nothing")


# -- deliberately broken plugins: the kit names the plugin and what is wrong --------------------------------------

HEADER = """
from snnzoo import NeuronModel, Parameter, hookimpl
from snnzoo.language.stimulus import PiecewiseDrive
HOOK_API_VERSION = 1
MODEL = NeuronModel("ok_model", "dv/dt = (E_L - v)/tau : volt", {"E_L": Parameter("-70 mV", "rest"),
                    "tau": Parameter("10 ms", "time constant")}, initial={"v": "E_L"},
                    description="a fine model", references=["nobody (2026)"])
"""

BROKEN = {
    "misspelt hook": ("""
@hookimpl
def snnzoo_register_modles(registry):
    registry.add_model(MODEL)
""", "unknown hook 'snnzoo_register_modles' (did you mean 'snnzoo_register_models'?"),
    "future hook API": ("""
HOOK_API_VERSION = 7
@hookimpl
def snnzoo_register_models(registry):
    registry.add_model(MODEL)
""", "needs hook API version 7"),
    "not a model": ("""
@hookimpl
def snnzoo_register_models(registry):
    registry.add_model(MODEL.to_dict())
""", "registered dict"),
    "undocumented model": ("""
BARE = NeuronModel("bare", "dv/dt = -v/tau : volt", {"tau": Parameter("10 ms", "time constant")},
                   references=["nobody (2026)"])
@hookimpl
def snnzoo_register_models(registry):
    registry.add_model(BARE)
""", "plugin 'broken_undocumented_model': model 'bare': give it a description"),
    "model blows up": ("""
BOOM = NeuronModel("boom", "dv/dt = v**2/(tau*mV) : volt", {"tau": Parameter("0.01 ms", "fast")},
                   initial={"v": "1 V"}, description="diverges", references=["nobody (2026)"])
@hookimpl
def snnzoo_register_models(registry):
    registry.add_model(BOOM)
""", "model 'boom'"),
    "stimulus without example": ("""
class Flat:
    name, description = "flat", "a flat current"
    def __init__(self, amplitude):
        self.amplitude = amplitude
    def drives(self, size, unit):
        return [PiecewiseDrive([0.0], [[1e-10]])]
    def to_dict(self):
        return {"type": self.name}
@hookimpl
def snnzoo_register_stimuli(registry):
    registry.add_stimulus(Flat)
""", "stimulus 'flat': give the class an 'example' dict"),
    "stimulus with an unknown drive": ("""
class Odd:
    name, description, example = "odd", "an odd current", {}
    def drives(self, size, unit):
        return [("not", "a drive")]
    def to_dict(self):
        return {"type": self.name}
@hookimpl
def snnzoo_register_stimuli(registry):
    registry.add_stimulus(Odd)
""", "stimulus 'odd' (drives): cannot act on the probe neuron: stimulus 'odd': drives() returned [('not', 'a drive')]; expected a list of PiecewiseDrive"),
    "composite stimulus that adds nothing": ("""
class Idle:
    name, description, example = "idle", "attaches nothing", {}
    def attach(self, network, population, target):
        pass
    def to_dict(self):
        return {"type": self.name}
@hookimpl
def snnzoo_register_stimuli(registry):
    registry.add_stimulus(Idle)
""", "stimulus 'idle' (attach): attach() added nothing to the network (no source, projection or drive)"),
    "stimulus whose to_dict returns nothing": ("""
class Quiet:
    name, description, example = "quiet", "a current", {}
    def drives(self, size, unit):
        return [PiecewiseDrive([0.0], [[1e-10]])]
    def to_dict(self):
        pass
@hookimpl
def snnzoo_register_stimuli(registry):
    registry.add_stimulus(Quiet)
""", "stimulus 'quiet' (drives): cannot act on the probe neuron: stimulus 'quiet': to_dict() returned None; "
     "expected a dict of its settings"),
    "integrator whose update raises": ("""
class Broken:
    name, description = "broken", "raises"
    def update(self, system):
        return [(x, 1 / 0) for x in system.variables]
@hookimpl
def snnzoo_register_integrators(registry):
    registry.add_integrator(Broken())
""", "integrator 'broken': update() raised ZeroDivisionError: division by zero"),
    "integrator that sets no new value": ("""
class Forgetful:
    name, description = "forgetful", "assigns the old value to nothing"
    def update(self, system):
        return [(x, x) for x in system.variables]
@hookimpl
def snnzoo_register_integrators(registry):
    registry.add_integrator(Forgetful())
""", "integrator 'forgetful': update() sets no _new_x (the updated value of each variable, new_symbol(x))"),
    "integrator that does nothing": ("""
from snnzoo.language.integrators import new_symbol
class Still:
    name, description = "still", "never moves"
    def update(self, system):
        return [(new_symbol(x), x) for x in system.variables]
@hookimpl
def snnzoo_register_integrators(registry):
    registry.add_integrator(Still())
""", "integrator 'still': dx/dt = -x/tau gave x(tau) = 1"),
}


def plugin_module(name, source, tmp_path=None):
    import types

    module = types.ModuleType(name)
    exec(HEADER + source.replace("CATALOG", str(tmp_path)), module.__dict__)
    return module


@pytest.mark.parametrize("case", BROKEN)
def test_kit_rejects_a_broken_plugin(case):
    """Each failure is one line naming the plugin first (a model's, stimulus's or integrator's named only that
    object: "model 'bare': give it a description")."""
    source, message = BROKEN[case]
    name = f"broken_{case.replace(' ', '_')}"
    with pytest.raises(AssertionError) as failure:
        testing.check_plugin(plugin_module(name, source))
    assert str(failure.value).startswith(f"plugin {name!r}") and message in str(failure.value)
    assert "\n" not in str(failure.value)


CATALOG_PLUGIN = """
@hookimpl
def snnzoo_register_models(registry):
    registry.add_model(MODEL)
@hookimpl
def snnzoo_register_catalog(registry):
    registry.add_catalog(r"CATALOG")
"""

GOOD_EXPERIMENT = """
title = "ok"
duration = "20 ms"
[populations.p]
model = "ok_model"
size = 2
[[expected]]
check = "spike_count"
population = "p"
value = 0
"""


@pytest.mark.parametrize(("change", "message"), [
    (("ok_model", "ok_modle"), "unknown model 'ok_modle'; did you mean 'ok_model'?"),
    (("value = 0", "value = 0\ntolerence = 1"), "unknown key 'tolerence'; did you mean 'tolerance'?"),
    (("spike_count", "spike_counts"), "unknown check 'spike_counts'"),
    (("value = 0", "value = 1"), "expected checks fail: spike count of p = 1 (found 0)"),
    (("value = 0", 'value = 0\n[sweep]\ngrid = { "populations.p.sise" = [1, 2] }'),
     "grid populations.p.sise: 'populations.p.sise' does not exist in the experiment; did you mean 'populations.p.size'?"),
    (("value = 0", 'value = 0\n[sweep]\ngrid = { duration = ["10 ms", "20 ms"] }\n[[sweep.expected]]\n'
                   'check = "spike_count"\npopulation = "p"\nvalue = "duration"'),
     "[[sweep.expected]] #1: value: 'duration' is in ms [time] but a spike_count check is in"),
    (("value = 0", 'value = 0\n[sweep]\ngrid = { duration = ["0 ms", "20 ms"] }\n[[sweep.expected]]\n'
                   'check = "spike_count"\npopulation = "p"\nvalue = "ms/duration"'),
     "[[sweep.expected]] #1: value = 'ms/duration' is inf at duration = 0.0 ms"),
])
def test_kit_rejects_a_broken_catalog_experiment(tmp_path, change, message):
    (tmp_path / "ok-experiment.toml").write_text(GOOD_EXPERIMENT.replace(*change))
    module = plugin_module("catalog_plugin", CATALOG_PLUGIN, tmp_path)
    with pytest.raises(AssertionError) as failure:
        testing.check_plugin(module, full_runs=True)
    where = f"plugin 'catalog_plugin': experiment file {tmp_path / 'ok-experiment.toml'}: "
    assert str(failure.value).startswith(where) and message in str(failure.value)
    assert str(failure.value).count(str(tmp_path)) == 1  # it named the file twice


def test_kit_accepts_the_good_catalog_plugin_and_leaves_the_registry_as_it_was(tmp_path):
    from snnzoo.plugins.loader import get_registry

    (tmp_path / "ok-experiment.toml").write_text(GOOD_EXPERIMENT)
    registry = testing.check_plugin(plugin_module("catalog_plugin", CATALOG_PLUGIN, tmp_path), full_runs=True)
    assert registry.names("experiment") == ["ok-experiment"]
    assert "ok_model" not in get_registry().names("model")


def test_cli_names_the_experiment_and_population_of_an_unknown_model(tmp_path, capsys):
    from snnzoo import cli

    path = tmp_path / "bad.toml"
    path.write_text('duration = "10 ms"\n[populations.p]\nmodel = "adx"\nsize = 1\n')
    assert cli.main(["run", str(path), "-q", "-o", str(tmp_path / "bad.nc")]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(f"snnzoo: error: experiment file {path}: [populations.p]: unknown model 'adx'; did you mean "
                          "'adex'?")
    assert not (tmp_path / "bad.nc").exists()

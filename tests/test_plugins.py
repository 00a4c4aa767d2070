"""Plugin loading through entry points, failure isolation, and the registry's checks."""

from __future__ import annotations

import signal
import sys
import textwrap
from types import SimpleNamespace

import numpy as np
import pytest

from snnzoo import NeuronModel, cli
from snnzoo.plugins import loader as plugins
from snnzoo.errors import PluginError, UnknownNameError
from snnzoo.plugins.hookspecs import hookimpl
from snnzoo.plugins.registry import Registry

GOOD = """
from snnzoo import NeuronModel
from snnzoo.plugins.hookspecs import hookimpl

HOOK_API_VERSION = 1

@hookimpl
def snnzoo_register_models(registry):
    registry.add_model(NeuronModel("{model}", "dv/dt = -v/tau : volt", {{"tau": "10 ms"}}, description="a test model"))
"""

HOOK_RAISES = """
from snnzoo import NeuronModel
from snnzoo.plugins.hookspecs import hookimpl

HOOK_API_VERSION = 1

@hookimpl
def snnzoo_register_models(registry):
    registry.add_model(NeuronModel("half_done", "dv/dt = -v/tau : volt", {"tau": "10 ms"}, description="rolled back"))

@hookimpl
def snnzoo_register_stimuli(registry):
    raise ValueError("stimulus table is corrupt")
"""


@pytest.fixture
def install(tmp_path, monkeypatch):
    """Install fake distributions: ``install(dist, version, {entry_point: module source})``."""
    modules: list[str] = []
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins.refresh()

    def install(dist: str, version: str, sources: dict[str, str]) -> None:
        info = tmp_path / f"{dist}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        lines = [f"{entry} = {dist}_{entry}" for entry in sources]
        (info / "entry_points.txt").write_text("[snnzoo]\n" + "\n".join(lines) + "\n")
        for entry, source in sources.items():
            module = f"{dist}_{entry}"
            (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
            modules.append(module)
        plugins.refresh()

    yield install
    for module in modules:
        sys.modules.pop(module, None)
    plugins.refresh()


def report_of(name: str) -> plugins.PluginInfo:
    (info,) = [info for info in plugins.plugin_report() if info.name == name]
    return info


def test_third_party_plugin_is_registered_and_reported(install):
    install("zoo_extra", "1.2.3", {"extra": GOOD.format(model="fancy_neuron")})
    registry = plugins.get_registry()
    assert registry.model("fancy_neuron").description == "a test model"
    (entry,) = [e for e in registry.entries("model") if e.name == "fancy_neuron"]
    assert entry.plugin == "extra"
    info = report_of("extra")
    assert (info.distribution, info.version, info.failure) == ("zoo_extra", "1.2.3", None)
    assert info.hooks == ("snnzoo_register_models",)
    assert info.registered == {"model": 1}


def test_broken_plugins_are_reported_and_others_still_load(install):
    install(
        "zoo_mixed",
        "0.5",
        {
            "good": GOOD.format(model="still_here"),
            "noimport": "raise ImportError('needs libfoo')\n",
            "hookfails": HOOK_RAISES,
        },
    )
    with pytest.warns(RuntimeWarning, match="failed to load"):
        registry = plugins.get_registry()
    assert "still_here" in registry.names("model")
    assert "half_done" not in registry.names("model")  # rolled back
    assert report_of("good").failure is None
    noimport = report_of("noimport")
    assert "ImportError: needs libfoo" in noimport.failure
    assert noimport.version == "0.5"
    hookfails = report_of("hookfails")
    assert hookfails.failure == "snnzoo_register_stimuli: ValueError: stimulus table is corrupt"
    assert hookfails.registered == {}


def test_an_unknown_name_says_which_plugins_failed_to_load(install, capsys):
    install("zoo_broken", "0.5", {"broken": "raise ImportError('needs libfoo')\n" + GOOD.format(model="lost")})
    with pytest.warns(RuntimeWarning, match="failed to load"):
        registry = plugins.get_registry()
    note = "plugin 'broken' failed to load, so nothing it registers is here: importing zoo_broken_broken: " \
           "ImportError: needs libfoo"
    for name in ("lost", "broken:lost"):
        with pytest.raises(UnknownNameError) as error:
            registry.model(name)
        assert str(error.value).startswith(f"unknown model {name!r}") and str(error.value).endswith(f"; {note}")
    assert cli.main(["info", "lost"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("snnzoo: error: unknown model, synapse model") and err.endswith(note) and "\n" not in err


def test_a_distribution_requiring_snnzoo_without_a_plugin_entry_point_is_named(install, tmp_path, capsys):
    from snnzoo import testing

    info = tmp_path / "zoo_unplugged-0.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: zoo-unplugged\nVersion: 0.2\n"
                                   "Requires-Dist: snnzoo>=0.1\n")
    (info / "entry_points.txt").write_text("[snnz00]\nizh = zoo_unplugged\n")
    line = ("zoo-unplugged 0.2 requires snnzoo but declares no entry point in group 'snnzoo' (its groups: snnz00), "
            "so none of it loads")
    assert plugins.unplugged_distributions() == [line]
    assert cli.main(["plugins"]) == 0
    assert f"Distributions without a plugin entry point:\n  {line}\n" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="distribution 'zoo-unplugged' declares no entry point in group 'snnzoo' "
                                             "\\(its groups: snnz00\\); declare \\[project.entry-points.snnzoo\\]"):
        testing.check_plugin("zoo-unplugged")


def test_disabled_plugin_is_skipped(install, monkeypatch):
    monkeypatch.setenv(plugins.DISABLE_VARIABLE, "off, other")
    install("zoo_off", "1.0", {"off": GOOD.format(model="never_seen")})
    assert "never_seen" not in plugins.get_registry().names("model")
    assert report_of("off").disabled


def test_a_disabled_name_that_has_no_effect_is_reported(install, monkeypatch):
    """A misspelt name in SNNZOO_DISABLE_PLUGINS was ignored in silence, and the plugin loaded."""
    monkeypatch.setenv(plugins.DISABLE_VARIABLE, "of, integrators")
    install("zoo_off", "1.0", {"off": GOOD.format(model="still_seen")})
    with pytest.warns(RuntimeWarning, match="SNNZOO_DISABLE_PLUGINS item 'of' ignored"):
        assert "still_seen" in plugins.get_registry().names("model")
    assert plugins.clash_report() == [
        "SNNZOO_DISABLE_PLUGINS item 'integrators' ignored: snnzoo's own plugin always loads",
        "SNNZOO_DISABLE_PLUGINS item 'of' ignored: no installed plugin has that name (did you mean 'off'?)",
    ]


def test_core_works_with_every_entry_point_disabled(install, monkeypatch):
    from importlib.metadata import entry_points

    import snnzoo as sz
    from snnzoo import ureg as u

    names = sorted(ep.name for ep in entry_points(group=plugins.GROUP))
    monkeypatch.setenv(plugins.DISABLE_VARIABLE, ",".join(names))
    plugins.refresh()
    assert all(info.disabled for info in plugins.plugin_report() if info.name in names)
    registry = plugins.get_registry()
    assert registry.names("model") == []
    assert {"euler", "rk2", "rk4", "exponential_euler", "euler_maruyama"} <= set(registry.names("integrator"))
    model = sz.NeuronModel("decay", "dx/dt = -x/tau : 1", {"tau": 10 * u.ms})
    for method in ("euler", "rk4"):
        net = sz.Network(dt=0.1 * u.ms, seed=0, integrator=method)
        pop = net.add_population("p", model, 1, initial={"x": 1})
        net.run(10 * u.ms)
        assert pop.get("x").magnitude[0] == pytest.approx(np.exp(-1), rel=1e-2)  # euler: 0.99**100


def test_duplicate_name_warns_and_keeps_first(install):
    install("zoo_a", "1.0", {"alpha": GOOD.format(model="twin")})
    install("zoo_b", "1.0", {"beta": GOOD.format(model="twin")})
    with pytest.warns(RuntimeWarning, match="model 'twin' from plugin 'beta' ignored: plugin 'alpha'"):
        registry = plugins.get_registry()
    (entry,) = [e for e in registry.entries("model") if e.name == "twin"]
    assert entry.plugin == "alpha"


def tiny_model(name: str, description: str = "a test model") -> NeuronModel:
    return NeuronModel(name, "dv/dt = -v/tau : volt", {"tau": "10 ms"}, description=description)


class NotebookPlugin:
    """A plugin written in a notebook cell rather than installed."""

    HOOK_API_VERSION = 1

    @hookimpl
    def snnzoo_register_models(self, registry):
        registry.add_model(tiny_model("from_code", "made in code"))


def test_register_plugin_in_code(install):
    plugin = NotebookPlugin()
    info = plugins.register_plugin(plugin, "notebook")
    assert info.registered == {"model": 1}
    assert plugins.get_registry().model("from_code").description == "made in code"
    with pytest.raises(PluginError, match="already taken"):
        plugins.register_plugin(plugin, "notebook")
    plugins.refresh()
    assert "from_code" not in plugins.get_registry().names("model")


def test_unknown_name_suggests_closest():
    registry = Registry()
    for name in ("adex", "lif", "hodgkin_huxley"):
        registry.add_model(tiny_model(name))
    with pytest.raises(UnknownNameError, match="did you mean 'adex'"):
        registry.model("adx")
    with pytest.raises(UnknownNameError, match="unknown kind"):
        registry.names("neuron")
    with pytest.raises(UnknownNameError, match="none registered"):
        registry.experiment("naud2008")


@pytest.mark.parametrize("name", ["", "2fast", "has space", None, "dot.ted"])
def test_invalid_name_names_the_plugin(name):
    registry = Registry()
    with pytest.raises(PluginError, match="plugin 'sloppy'.*invalid name"):
        with registry.registering_as("sloppy"):
            registry.add_stimulus(SimpleNamespace(name=name, description=""))


def test_invalid_name_fails_the_plugin_at_load(install):
    install("zoo_bad", "1.0", {"bad": GOOD.format(model="no good")})
    with pytest.warns(RuntimeWarning, match="failed to load"):
        plugins.get_registry()
    assert "plugin 'bad'" in report_of("bad").failure


def test_misspelt_hook_fails_the_plugin(install):
    source = GOOD.format(model="typo").replace("snnzoo_register_models", "snnzoo_register_model")
    install("zoo_typo", "1.0", {"typo": source})
    with pytest.warns(RuntimeWarning, match="failed to load"):
        plugins.get_registry()
    assert "snnzoo_register_model" in report_of("typo").failure


@pytest.mark.parametrize("decorated", [True, False])
def test_misspelt_hook_is_named_with_the_closest_hook(install, decorated):
    source = GOOD.format(model="typo").replace("snnzoo_register_models", "snnzoo_register_modles")
    if not decorated:
        source = source.replace("@hookimpl\n", "")
    install("zoo_typo", "1.0", {"typo": source})
    with pytest.warns(RuntimeWarning, match="failed to load"):
        registry = plugins.get_registry()
    assert "typo" not in registry.names("model")
    failure = report_of("typo").failure
    assert "unknown hook 'snnzoo_register_modles' (did you mean 'snnzoo_register_models'?" in failure


def test_an_entry_point_naming_something_that_is_no_plugin_fails_it(install):
    install("zoo_wrong", "1.0", {"wrong": "import math\nCONSTANT = 1\n"})
    with pytest.warns(RuntimeWarning, match="failed to load"):
        plugins.get_registry()
    assert report_of("wrong").failure == (
        "module 'zoo_wrong_wrong' is not a plugin: it has no HOOK_API_VERSION and no snnzoo_register_* hook "
        "(the entry point must name the module that has them, e.g. izh = \"snnzoo_izh\")")
    info = plugins.load_plugin(tiny_model("a_model"), "model_object", Registry())
    assert info.failure.startswith("a NeuronModel is not a plugin: it has no HOOK_API_VERSION")


@pytest.mark.parametrize("arguments", ["reg", "registry, extra", ""])
def test_a_hook_with_other_arguments_than_registry_fails_the_plugin(install, arguments):
    install("zoo_args", "1.0", {"args": GOOD.format(model="args").replace("(registry):", f"({arguments}):")})
    with pytest.warns(RuntimeWarning, match="failed to load"):
        plugins.get_registry()
    assert report_of("args").failure == (f"hook 'snnzoo_register_models' takes ({arguments}); a hook takes the one "
                                         "argument 'registry': def snnzoo_register_models(registry)")


def test_a_hook_name_given_to_something_else_than_a_function_fails_the_plugin(install):
    source = GOOD.format(model="listed") + "\nMODELS = [1]\nsnnzoo_register_models = MODELS\n"
    install("zoo_listed", "1.0", {"listed": source})
    with pytest.warns(RuntimeWarning, match="failed to load"):
        plugins.get_registry()
    assert report_of("listed").failure == ("snnzoo_register_models is a list, not a function: write "
                                           "@snnzoo.hookimpl def snnzoo_register_models(registry): ...")
    info = plugins.load_plugin(SimpleNamespace(HOOK_API_VERSION=1, snnzoo_register_models=1), "numbered", Registry())
    assert info.failure.startswith("snnzoo_register_models is an int, not a function")  # it said "a int"


def test_a_hook_may_have_arguments_with_defaults_besides_registry(install):
    install("zoo_defaults", "1.0", {"defaults": GOOD.format(model="defaults").replace("(registry):", "(registry, n=1):")})
    assert report_of("defaults").failure is None
    assert "defaults" in plugins.get_registry().names("model")


def test_undecorated_hook_fails_the_plugin(install):
    install("zoo_plain", "1.0", {"plain": GOOD.format(model="plain").replace("@hookimpl\n", "")})
    with pytest.warns(RuntimeWarning, match="failed to load"):
        plugins.get_registry()
    assert "'snnzoo_register_models' is not decorated with @snnzoo.hookimpl" in report_of("plain").failure


@pytest.mark.parametrize(
    ("declaration", "expected"),
    [
        ("", "declares no HOOK_API_VERSION (add 'HOOK_API_VERSION = 1'"),
        ("HOOK_API_VERSION = 2", "needs hook API version 2, but snnzoo 0.1.0 provides version 1"),
        ("HOOK_API_VERSION = '1'", "HOOK_API_VERSION = '1' is not an integer (write 'HOOK_API_VERSION = 1')"),
        ("HOOK_API_VERSION = True", "HOOK_API_VERSION = True is not an integer"),
    ],
)
def test_hook_api_version_is_checked(install, declaration, expected):
    install("zoo_future", "3.0", {"future": GOOD.format(model="future").replace("HOOK_API_VERSION = 1", declaration)})
    with pytest.warns(RuntimeWarning, match="failed to load"):
        registry = plugins.get_registry()
    assert "future" not in registry.names("model")
    info = report_of("future")
    assert expected in info.failure
    assert info.version == "3.0"


def test_a_hook_returning_its_objects_instead_of_adding_them_fails_the_plugin(install):
    source = GOOD.format(model="returned").replace("    registry.add_model(", "    return [").replace(
        'description="a test model"))', 'description="a test model")]')
    install("zoo_return", "1.0", {"returns": source, "good": GOOD.format(model="still_fine")})
    with pytest.warns(RuntimeWarning, match="'returns' .* failed to load"):
        registry = plugins.get_registry()
    assert "returned" not in registry.names("model") and "still_fine" in registry.names("model")
    assert report_of("returns").failure == (
        "snnzoo_register_models: PluginError: returned a list instead of nothing; a hook adds each object "
        "with registry.add_model(...) and returns nothing")


@pytest.mark.parametrize("stopper", ["SystemExit(3)", "KeyboardInterrupt()"])
@pytest.mark.parametrize("where", ["import", "hook"])
def test_system_exit_and_interrupt_in_a_plugin_are_failures(install, stopper, where):
    source = GOOD.format(model="stops")
    if where == "import":
        source = f"raise {stopper}\n" + source
    else:
        source = source.replace("    registry.add_model(", f"    raise {stopper}\n    registry.add_model(")
    install("zoo_stop", "1.0", {"stops": source, "good": GOOD.format(model="still_fine")})
    with pytest.warns(RuntimeWarning, match="'stops' .* failed to load"):
        registry = plugins.get_registry()
    assert "still_fine" in registry.names("model") and "stops" not in registry.names("model")
    assert stopper.split("(")[0] in report_of("stops").failure


@pytest.mark.parametrize("where", ["import", "hook"])
def test_ctrl_c_pressed_while_a_plugin_loads_stops_the_program(install, where):
    """A real Ctrl-C (SIGINT) while a plugin imported was taken for the plugin's failure: the command went on
    without it (or with a half-imported sympy: "internal error: AttributeError: module 'sympy' has no attribute
    'core'"). Pressed then, it stops the program as anywhere else."""
    press = "import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(5)\n"
    source = GOOD.format(model="pressed")
    if where == "import":
        source = press + source
    else:
        source = source.replace("    registry.add_model(", textwrap.indent(press, "    ") + "    registry.add_model(")
    install("zoo_pressed", "1.0", {"pressed": source})
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a command; an earlier test may differ
    try:
        with pytest.raises(KeyboardInterrupt):
            plugins.get_registry()
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize(
    ("register", "expected"),
    [
        ("registry.add_model(SimpleNamespace(name='fake', description='not a model'))",
         "plugin 'wrong' registered SimpleNamespace 'fake' as a model, but it lacks parameters, equations, "
         "references, describe, to_dict: expected a snnzoo.NeuronModel"),
        ("registry.add_stimulus(SimpleNamespace(name='fake', description='not callable'))",
         "plugin 'wrong' registered SimpleNamespace 'fake' as a stimulus, but it lacks __call__"),
        ("registry.add_integrator(SimpleNamespace(name='fake', description='no update'))",
         "plugin 'wrong' registered SimpleNamespace 'fake' as an integrator, but it lacks update"),
    ],
)
def test_wrong_objects_are_refused_at_registration(register, expected):
    registry = Registry()
    with pytest.raises(PluginError) as error, registry.registering_as("wrong"):
        exec(register, {"registry": registry, "SimpleNamespace": SimpleNamespace})
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def test_a_neuron_model_registered_as_a_synapse_model_is_refused_and_the_reverse():
    """Each has what the other's protocol asks: the loader took them, and using one was an internal error
    ("'NeuronModel' object has no attribute 'bind'") or named a listed model as no model."""
    from snnzoo import NeuronModel, SynapseModel

    neuron = NeuronModel("leaky", "dv/dt = -v/tau : volt", {"tau": "10 ms"})
    synapse = SynapseModel("delta", "w : volt", on_pre="v_post += w")
    registry = Registry()
    with registry.registering_as("wrong"):
        with pytest.raises(PluginError, match=r"^plugin 'wrong' registered NeuronModel 'leaky' as a synapse, but it "
                                              r"is not a snnzoo.SynapseModel: expected a snnzoo.SynapseModel$"):
            registry.add_synapse_model(neuron)
        with pytest.raises(PluginError, match=r"^plugin 'wrong' registered SynapseModel 'delta' as a model, but it is "
                                              r"not a snnzoo.NeuronModel: expected a snnzoo.NeuronModel$"):
            registry.add_model(synapse)


def test_stimulus_class_without_a_form_is_refused():
    class Shapeless:
        name, description = "shapeless", "neither drives, source nor attach"

        def to_dict(self):
            return {}

    registry = Registry()
    with pytest.raises(PluginError, match="lacks one of drives\\(\\), source\\(\\), attach\\(\\)"):
        with registry.registering_as("odd"):
            registry.add_stimulus(Shapeless)


@pytest.mark.parametrize(("method", "expected"), [
    ("def drives(self, size):", "its drives(self, size) cannot be called as drives(size, unit) "
                                "(define it as drives(self, size, unit))"),
    ("def attach(self, network):", "its attach(self, network) cannot be called as attach(network, population, target)"),
    ("def source(self, rate):", "its source(self, rate) cannot be called as source()"),
])
def test_stimulus_class_whose_method_snnzoo_cannot_call_is_refused(method, expected):
    namespace: dict = {}
    exec(f"class Sloppy:\n    name, description = 'sloppy', 'd'\n    {method}\n        return []\n"
         "    def to_dict(self):\n        return {}\n", namespace)
    registry = Registry()
    with pytest.raises(PluginError) as error, registry.registering_as("odd"):
        registry.add_stimulus(namespace["Sloppy"])
    assert str(error.value).startswith("plugin 'odd' registered stimulus 'sloppy', but ") and expected in str(error.value)


def test_builtin_name_wins_a_clash_and_qualified_names_reach_both(install, capsys):
    install("zoo_clash", "1.0", {"aaa": GOOD.format(model="lif")})
    with pytest.warns(RuntimeWarning, match="model 'lif' from plugin 'aaa' ignored: built-in plugin 'lif'"):
        registry = plugins.get_registry()
    assert registry.model("lif").description.startswith("Leaky integrate-and-fire")
    assert registry.model("aaa:lif").description == "a test model"
    assert registry.model("lif:lif") is registry.model("lif")
    assert registry.names("model").count("lif") == 1
    (line,) = plugins.clash_report()
    assert line == ("model 'lif' from plugin 'aaa' ignored: built-in plugin 'lif' keeps the name "
                    "(use 'aaa:lif', or SNNZOO_PREFER=aaa:lif)")
    assert cli.main(["plugins"]) == 0
    out, err = capsys.readouterr()
    assert f"Name clashes:\n  {line}" in out
    assert f"snnzoo: warning: {line}" in err
    assert cli.main(["info", "aaa:lif"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("lif: a test model")
    assert f"snnzoo: warning: {line}" in err


def test_prefer_variable_chooses_the_third_party_entry(install, monkeypatch):
    monkeypatch.setenv(plugins.PREFER_VARIABLE, "aaa:lif, nobody:nothing, garbled")
    install("zoo_clash", "1.0", {"aaa": GOOD.format(model="lif")})
    with pytest.warns(RuntimeWarning):
        registry = plugins.get_registry()
    assert registry.model("lif").description == "a test model"
    assert registry.model("lif:lif").description.startswith("Leaky integrate-and-fire")
    assert plugins.clash_report() == [
        "model 'lif' from plugin 'lif' ignored: SNNZOO_PREFER chooses plugin 'aaa' (use 'lif:lif', or SNNZOO_PREFER=lif:lif)",
        "SNNZOO_PREFER item 'garbled' ignored: expected plugin:name, e.g. izh:izhikevich",
        "SNNZOO_PREFER item 'nobody:nothing' ignored: plugin 'nobody' registers no 'nothing'",
    ]


def test_unknown_qualified_name_lists_the_qualified_names():
    registry = Registry()
    with registry.registering_as("izh"):
        registry.add_model(tiny_model("izhikevich"))
    assert registry.model("izh:izhikevich").name == "izhikevich"
    with pytest.raises(UnknownNameError, match="unknown model 'other:izhikevich'.*known: izh:izhikevich"):
        registry.model("other:izhikevich")
    with pytest.raises(PluginError, match="plugin 'izh' registered model 'izhikevich' twice"):
        with registry.registering_as("izh"):
            registry.add_model(tiny_model("izhikevich"))


def test_experiments_are_files_named_by_stem(tmp_path):
    (tmp_path / "naud_tonic.toml").write_text("")
    (tmp_path / "notes.txt").write_text("")
    registry = Registry()
    with registry.registering_as("catalog_plugin"):
        registry.add_catalog(tmp_path)
    record = registry.experiment("naud_tonic")
    assert (record.path, record.plugin) == (tmp_path / "naud_tonic.toml", "catalog_plugin")
    assert registry.names("experiment") == ["naud_tonic"]
    with pytest.raises(PluginError, match="not an existing .toml file"):
        registry.add_experiment(tmp_path / "missing.toml")

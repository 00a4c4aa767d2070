"""The catalogue of bad inputs (docs/bad-input.md): each class gets a clear snnzoo error, or works.

One test (or one parametrized table) per class of issue 12; each asserts the error class
and the words that name what is at fault, or, where the input is now accepted, the right result.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.catalog.experiment import Experiment
from snnzoo.catalog.schema import markdown
from snnzoo.cli import EXIT_INTERRUPTED, main
from snnzoo.engine import kernel_cache
from snnzoo.errors import (ConfigError, EquationError, PluginError, SimulationError, SnnzooError, UnitError,
                           UnknownNameError)
from snnzoo import UnusedParameterWarning
from snnzoo.language.stimulus import GaussianDrive, OUDrive, PiecewiseDrive
from snnzoo.plugins.loader import get_registry
from snnzoo.results.tree import open_result
from snnzoo.units import as_quantity, to_si

ROOT = Path(__file__).parent.parent
SMALL = """
dt = "0.1 ms"
duration = "{duration}"
seed = 1
[models.decay]
equations = "dx/dt = -x/tau : 1"
parameters = {{ tau = "20 ms" }}
[populations.p]
model = "decay"
size = {size}
initial = {{ x = 1 }}
[monitors.x]
population = "p"
variables = ["x"]
{extra}
"""


def experiment_file(folder: Path, extra: str = "", duration: str = "5 ms", size: int = 2, head: str = "") -> Path:
    path = folder / "e.toml"
    path.write_text(head + SMALL.format(extra=extra, duration=duration, size=size))
    return path


def decay(tau="10 ms", equations="dv/dt = -v/tau : 1", size=1, **parameters):
    model = sz.NeuronModel("m", equations, {"tau": tau, **parameters})
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("p", model, size)
    return net


# -- names reserved by the engine -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["t", "dt", "N", "i", "xi"])
def test_reserved_names_are_refused_as_parameters(name):
    with pytest.raises(EquationError, match=f"'{name}' is a reserved name"):
        sz.NeuronModel("m", "dv/dt = -v/tau : 1", {"tau": "10 ms", name: 1})


@pytest.mark.parametrize("equations, parameters, fragment", [
    ("dv/dt = -v/ms : volt", {"ms": "10 ms"}, "'ms' is the name of a unit (as in '5*ms' in expressions)"),
    ("dv/dt = -v/tau*mV : volt\nmV : 1", {"tau": "10 ms"}, "'mV' is the name of a unit"),
    ("dv/dt = -v/tau*exp : volt\nexp : 1", {"tau": "10 ms"}, "'exp' is the name of a function (exp() in expressions)"),
    ("dv/dt = -v/tau*xi_1 : volt\nxi_1 : 1", {"tau": "10 ms"}, "'xi_1' is a reserved name"),
    ("dv/dt = -v/tau : volt\nif : 1", {"tau": "10 ms"}, "'if' is a Python keyword"),
])
def test_names_expressions_read_otherwise_are_refused(equations, parameters, fragment):
    """As in Brian2: a parameter 'ms' made every '5*ms' of the model 5 times the parameter, a declared
    'xi_1' was read as white noise, and 'exp' or 'if' could not be used in any expression."""
    with pytest.raises(EquationError, match=re.escape(fragment)):
        sz.NeuronModel("m", equations, parameters)


@pytest.mark.parametrize("make, fragment", [
    (lambda: sz.NeuronModel("m", "dv/dt = -v/(10*ms) : ", {}), "no unit after ':' (write ': 1'"),
    (lambda: sz.NeuronModel("m", "dv/dt = -v/(10*ms) : volt", {}, threshold="t - lastspike > 5*ms"),
     "'lastspike' is one of Brian2's internal variables"),
    (lambda: sz.NeuronModel("m", "dv/dt = -v/(10*ms) * int(not_refractory) : volt", {}),
     "'not_refractory' is one of Brian2's internal variables"),
    (lambda: sz.NeuronModel("m", "dv/dt = log(0)/ms : 1", {}), "a term is infinite or undefined (zoo), as from log(0)"),
    (lambda: sz.SynapseModel("s", "w : 1\ndy/dt = -y/(1*ms) + xi/sqrt(ms) : 1 (clock-driven)", on_pre="y += 1"),
     "white noise (xi) is not supported in synapse models"),
])
def test_model_mistakes_that_read_as_something_else_are_named(make, fragment):
    """An empty unit (read as dimensionless), Brian2's internal names (reported as undefined), an infinite
    term (reported as units of 'zoo'), noise in a synapse model (an error about 'xi_post' at connect)."""
    with pytest.raises(EquationError, match=re.escape(fragment)):
        make()


def test_a_parameter_the_model_never_uses_is_named_in_a_warning():
    """In Python one dictionary of values often serves several models, so it is a warning there (an
    error for a model in an experiment file): a misspelt 'tua' was silently kept and changed nothing."""
    with pytest.warns(UnusedParameterWarning, match=re.escape(
            "model 'm': parameter 'tua' is used nowhere in the model (its equations, threshold, reset, refractory "
            "period or initial values); did you mean 'tau'?")):
        sz.NeuronModel("m", "dv/dt = -v/tau : 1", {"tau": "10 ms", "tua": "5 ms"})


def test_a_synapse_model_parameter_used_nowhere_is_named_in_a_warning_too():
    """A neuron model warned; a synapse model kept a misspelt 'tua' in silence."""
    with pytest.warns(UnusedParameterWarning, match=re.escape(
            "synapse model 's': parameter 'tua' is used nowhere in the model (its equations, on_pre, on_post or "
            "initial values)")):
        sz.SynapseModel("s", "w : volt", {"tua": "20 ms"}, on_pre="ge += w")
    for name in ("stdp", "stdp_nearest", "triplet_stdp", "vogels_istdp", "nmda_saturating",
                 "tsodyks_markram_depressing", "tsodyks_markram_facilitating"):
        assert get_registry().synapse_model(name).unused_parameters() == [], name


@pytest.mark.parametrize("default, hint", [
    (20, "(dimensionless parameters in it: taupre; did a default lose its unit, e.g. '100' for '100 pF'?)"),
    ("20 mS", "(parameter taupre's default '20 mS' is in [conductance]; did you mean '20 ms' or '20 Ms'?)"),
])
def test_a_synapse_model_default_that_lost_its_unit_is_named_as_a_neuron_model_names_it(default, hint):
    with pytest.raises(EquationError) as refused:
        sz.SynapseModel("s", "w : 1\ndApre/dt = -Apre/taupre : 1 (event-driven)", {"taupre": default},
                        on_pre="Apre += 0.01; ge_post += w")
    assert str(refused.value).endswith(f"(inconsistent units) {hint}")


@pytest.mark.parametrize("equations", ["dv/dt = -v/tau : 1\n_new_v : 1", "d_v/dt = -_v/tau : 1"])
def test_names_in_the_engine_namespace_are_refused(equations):
    with pytest.raises(EquationError, match="kept for names the engine generates"):
        sz.NeuronModel("m", equations, {"tau": "10 ms"})


def test_a_parameter_named_like_a_hoisted_constant_keeps_its_meaning():
    # h0_0 was the name of the kernel's first hoisted constant: it silently replaced the parameter
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("p", sz.NeuronModel("m", "dv/dt = (h0_0 - v)/tau : 1", {"tau": "10 ms", "h0_0": 3}), 1,
                       integrator="euler")
    net.record("p", "v")
    net.run(1 * u.ms)
    v = net.result()["p"]["v"].values[:, 0]
    np.testing.assert_allclose(v, 3 * (1 - 0.99 ** np.arange(10)), rtol=1e-12)  # forward Euler, dt/tau = 0.01


# -- TOML tables against the schema ------------------------------------------------------------------------------


def test_the_schema_page_is_current():
    assert (ROOT / "docs" / "experiment-schema.md").read_text() == markdown(), \
        "regenerate it: python -m snnzoo.catalog.schema > docs/experiment-schema.md"


def test_every_catalog_experiment_follows_the_schema():
    for entry in get_registry().entries("experiment"):
        Experiment.load(entry.name)  # raises on any key the schema lacks


@pytest.mark.parametrize("extra, replace, fragment", [
    ("", ("parameters = {{", "parameter = {{"), "[models.decay]: unknown key 'parameter'; did you mean 'parameters'?"),
    ('[sources.s]\ntype = "poisson_group"\nsize = 2\nrat = "10 Hz"', None, "unknown key 'rat'; did you mean 'rate'?"),
    ('[[expected]]\ncheck = "spike_count"\npopulation = "p"\nvalue = 0\ntolerence = 3', None,
     "unknown key 'tolerence'; did you mean 'tolerance'?"),
    ('[monitors.y]\npopulation = "p"\nvariable = ["x"]', None, "unknown key 'variable'; did you mean 'variables'?"),
    ('[figure]\nkind = "traces"\nvariabel = "x"', None, "unknown key 'variabel'; did you mean 'variable'?"),
    ('[figure]\nkind = "raster"\nvariable = "x"', None, "'variable' does not apply to a 'raster' panel"),
    ('[[expected]]\ncheck = "spike_cont"\npopulation = "p"\nvalue = 0', None, "did you mean 'spike_count'?"),
    ('[[expected]]\ncheck = "value_at"\npopulation = "p"\nvariable = "x"\nvalue = 0', None, "needs 'time'"),
    ("", ("size = 2", 'size = "two"'), "'size' must be a whole number"),
    ("", ("seed = 1", "seed = 1.5"), "'seed' must be a whole number"),
    ('[sweep]\ngrid = { duration = ["1 ms", "2 ms"] }\nseed = 3', None,
     "[sweep]: unknown key 'seed'; did you mean 'seeds'?"),
    ('[sweep.figure]\nx = "duration"\nkind = "traces"', None, "[sweep.figure]: unknown key 'kind'"),
    ('[sweep.figure]\nvariable = "mean_rate"', None, "[sweep.figure]: missing 'x'"),
    # the article goes with the kind: it said "must be a index", "a array of tables", "a true or false"
    ("", ('variables = ["x"]', 'variables = ["x"]\nneurons = true'),
     "[monitors.x]: 'neurons' must be an index, list of indices, or `\"start:stop\"`, got True"),
    ('[figure]\npanels = 3', None, "[figure]: 'panels' must be an array of tables, got 3"),
    ('[projections.s]\nsource = "p"\ntarget = "p"\non = "x"\nweight = 1\np = 1.0\nautapses = "no"', None,
     "[projections.s]: 'autapses' must be a boolean: true or false, got 'no'"),
    ('[[expected]]\ncheck = "isi_cv"\npopulation = "p"\nmin = 0\nvariable = "x"', None,
     "'variable' does not apply to an 'isi_cv' check"),
])
def test_misspelt_or_misplaced_keys_in_any_table(tmp_path, capsys, extra, replace, fragment):
    path = experiment_file(tmp_path, extra)
    if replace:
        path.write_text(path.read_text().replace(replace[0].replace("{{", "{"), replace[1].replace("{{", "{")))
    assert main(["run", str(path), "-q", "-o", str(tmp_path / "r.nc")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]


# -- quantities: finiteness, sign, dimension ---------------------------------------------------------------------


@pytest.mark.parametrize("make, error, fragment", [
    (lambda: decay(tau="-10 ms"), UnitError, "'tau': must be positive"),
    (lambda: decay(tau=float("inf") * u.ms), UnitError, "'tau': must be finite"),
    (lambda: decay(C="0 pF"), UnitError, "'C': must be positive"),
    (lambda: sz.NeuronModel("m", "dv/dt = -v/tau : 1", {"tau": "10 ms"}, refractory=-1 * u.ms), UnitError, ">= 0"),
    (lambda: decay().add_population("q", "lif", 1, refractory=-2 * u.ms), UnitError, "refractory: must be >= 0"),
    (lambda: decay(T0="20 degC", equations="dT/dt = (T0 - T)/tau : kelvin"), UnitError, "offset unit"),
    (lambda: sz.Network(dt=float("nan") * u.ms), UnitError, "dt"),
    (lambda: sz.Network(seed=1.5), ConfigError, "seed: expected a whole number, got 1.5"),
    (lambda: sz.Network(seed=-1), ConfigError, "seed: expected a whole number >= 0"),
    (lambda: sz.Network(seed=True), ConfigError, "seed"),
    (lambda: sz.Network(seed=2**63), ConfigError, "seed: expected a whole number from 0 to 2.*stored as a 64-bit integer"),
    (lambda: decay().add_source("s", sz.stimulus("spike_generator", times=[1, float("nan")] * u.ms)),
     ConfigError, "times: must be finite"),
    (lambda: decay().connect("p", "p", "v", 0.1, p=1.0, delay=float("nan") * u.ms), ConfigError, "delay: must be finite"),
    (lambda: decay().connect("p", "p", "v", 0.1, p=1.0, delay=float("inf") * u.ms), ConfigError, "delay: must be finite"),
    (lambda: decay().connect("p", "p", "v", 0.1, p=1.0, delay=-1 * u.ms), ConfigError, "delay: must be >= 0"),
    (lambda: decay().connect("p", "p", "v", 0.1, p=1.0, delay=1e12 * u.s), ConfigError, "at most 2147483647 steps"),
    (lambda: decay().connect("p", "p", "v", {"distribution": "normal", "mean": 1, "std": -1}, p=1.0),
     ConfigError, "std: must be >= 0"),
    (lambda: decay().connect("p", "p", "v", 0.1, p=None, condition="i != j", autapses=True), None, None),
    (lambda: decay().connect("p", "p", "v", 0.1, p="half"), EquationError, "p: undefined symbol 'half'"),
    (lambda: decay().connect("p", "p", "v", 0.1, p=[0.5]), ConfigError, "p must be a number in [0, 1] or an expression"),
    (lambda: decay().add_population("q", "lif", 1, parameters={"tau_m": [1, 2] * u.ms}), ConfigError, "shape"),
    (lambda: decay().add_population("a b", "lif", 1), ConfigError, "name 'a b': expected letters, digits"),
    (lambda: decay().add_population("q", 3, 1), ConfigError, "model: expected the name of a registered model, got 3"),
    (lambda: decay().connect("p", "p", synapse=3, p=1.0), ConfigError,
     "synapse: expected the name of a registered synapse, got 3"),
    (lambda: decay().connect("p[5:]", "p", "v", 0.1, p=1.0), ConfigError, "p[5:]: selects none of its 1 neurons"),
    (lambda: decay().population("p")[7], ConfigError, "p[7]: index 7 is outside 0..0"),
    (lambda: decay().connect("p[::2]", "p", "v", 0.1, p=1.0), ConfigError, "NAME[start:stop], e.g. 'E[:80]' .no step."),
    (lambda: sz.stimulus("step_current", amplitude=1 * u.nA), ConfigError,
     "stimulus 'step_current': unknown setting 'amplitude'; did you mean 'amplitudes'?"),
    (lambda: decay().result(), ConfigError, "result: the network has not run yet; call run.duration. first"),
])
def test_quantities_are_validated_where_the_model_needs_it(make, error, fragment):
    if error is None:
        make()  # p=None with a condition means p = 1 (it raised a TypeError)
        return
    with pytest.raises(error, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        make()


@pytest.mark.parametrize("text, expected", [
    ("[10 20 30] ms", [10, 20, 30]), ("[10, 20, 30] ms", [10, 20, 30]), ("[1.5e1] ms", [15]), ("20 ms", 20)])
def test_quantity_text(text, expected):
    q = as_quantity(text, what="x")
    np.testing.assert_allclose(q.to("ms").magnitude, expected)


def test_parameters_that_make_a_subexpression_of_parameters_infinite_are_refused():
    """Any model's: a time constant computed from two was infinite for neuron 2 and nothing said so."""
    model = sz.NeuronModel("m", "dv/dt = -v/tau_eff : 1\ntau_eff = tau_1*tau_2/(tau_2 - tau_1) : second",
                           {"tau_1": "5 ms", "tau_2": "20 ms"})
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    with pytest.raises(ConfigError, match=r"^population 'p' \(model 'm'\): tau_eff is inf for neuron 2, where "
                                          r"tau_1 = 5 ms, tau_2 = 5 ms; expected parameters that make it finite$"):
        net.add_population("p", model, 3, parameters={"tau_2": [20, 10, 5] * u.ms})
    assert "p" not in net.populations


@pytest.mark.parametrize("text", ["[10 abc] ms", "[10 20] parsec**0.5*", "ms ms ms ]", "1j ms", "True"])
def test_unreadable_quantity_text(text):
    with pytest.raises(UnitError):
        to_si(text, "s", what="x")


def test_attribute_assignment_on_a_population_sets_the_variable():
    net = decay(equations="dv/dt = -v/tau : volt")
    group = net.population("p")
    group.v = -60 * u.mV
    assert group.v.to("mV").magnitude.tolist() == pytest.approx([-60.0])
    with pytest.raises(SnnzooError, match="'vv'; did you mean 'v'"):
        group.vv = -60 * u.mV
    with pytest.raises(AttributeError, match="parameter or variable of population 'p' .*'vv'; did you mean 'v'") as read:
        group.vv  # was Python's bare "'Population' object has no attribute 'vv'"
    assert isinstance(read.value, SnnzooError) and not hasattr(group, "vv")
    net.record("p", "v")
    net.run(0.2 * u.ms)
    group.v = -50 * u.mV  # after the first run the kernel's copy changes too
    net.run(0.1 * u.ms)
    assert net.result()["p"]["v"].values[-1, 0] == pytest.approx(-0.05)  # sampled at the start of the step


def test_a_subexpression_is_neither_read_nor_set_on_a_population():
    # pop.get("I_syn") said "unknown variable ... 'I_syn'" of a subexpression the model defines (and record takes)
    model = sz.NeuronModel("m", "dv/dt = (I_syn*R - v)/tau : volt\nI_syn = g*(E - v) : amp\ng : siemens",
                           {"tau": "10 ms", "R": "100 Mohm", "E": "0 mV"})
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    group = net.add_population("p", model, 2)
    start = "population 'p' (model 'm'): 'I_syn' is a subexpression, computed from its equation during the run, so "
    with pytest.raises(ConfigError, match=re.escape(start + "it cannot be read here; record it (net.record('p', "
                                                    "'I_syn')) to see its values")):
        group.get("I_syn")
    with pytest.raises(ConfigError, match=re.escape(start + "it cannot be set here; set what its equation reads")):
        group.I_syn = 1 * u.nA
    assert not hasattr(group, "I_syn")


def test_a_variable_given_as_a_parameter_is_refused():
    # parameters={"v": -60 mV} was taken, then replaced by the model's initial value: v started at -70 mV
    model = sz.NeuronModel("m", "dv/dt = (E_L - v)/tau : volt", {"E_L": "-70 mV", "tau": "10 ms"}, initial={"v": "E_L"})
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    with pytest.raises(ConfigError, match=re.escape("population 'p' (model 'm'): parameter 'v': 'v' is a variable of "
                                                    "the model, not a parameter; give its starting value in initial")):
        net.add_population("p", model, 2, parameters={"v": -60 * u.mV})
    assert net.add_population("q", model, 2, initial={"v": -60 * u.mV}).v.m_as("mV").tolist() == [-60.0, -60.0]


def test_parameters_and_initial_values_are_dictionaries():
    # parameters=[("tau_m", ...)] was Python's "TypeError: 'list' object is not a mapping"
    with pytest.raises(ConfigError, match=re.escape("population 'q': parameters: expected a dictionary of names and "
                                                    "values, got [('tau_m', ")):
        decay().add_population("q", "lif", 2, parameters=[("tau_m", 5 * u.ms)])
    with pytest.raises(ConfigError, match=re.escape("population 'q': initial: expected a dictionary")):
        decay().add_population("q", "lif", 2, initial="v = -60*mV")


@pytest.mark.parametrize("labels", ["ab", [1, 2]])
def test_labels_are_a_list_of_texts(labels):
    # labels="ab" of 2 neurons became ['a', 'b'], one letter each; [1, 2] were taken as labels
    with pytest.raises(ConfigError, match=re.escape(f"population 'q': labels: expected a list of texts, one per "
                                                    f"neuron, got {labels!r}")):
        decay().add_population("q", "lif", 2, labels=labels)


def test_setting_a_variable_its_stimuli_compute_is_refused():
    # pop.set("I", 5 nA) read back as 5 nA, but the run replaced it by the stimulus (0.1 nA) at the next step
    model = sz.NeuronModel("m", "dv/dt = (R*I - v)/tau : volt\nI : amp", {"R": "100 Mohm", "tau": "10 ms"})
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    group = net.add_population("p", model, 1)
    group.set("I", 0.3 * u.nA)  # no stimulus yet: I keeps it
    net.add_stimulus(sz.stimulus("constant_current", amplitude=0.1 * u.nA), "p", "I")
    net.run(0.3 * u.ms)
    with pytest.raises(ConfigError, match=re.escape("population 'p' (model 'm'): 'I' is the sum of its stimuli, "
                                                    "computed every step, so a value set here would be replaced at "
                                                    "once; add a stimulus (constant_current) instead")):
        group.set("I", 5 * u.nA)
    with pytest.raises(ConfigError, match="'I' is the sum of its stimuli"):  # a protocol's 'set', before any run
        group.check_setting("I", 5 * u.nA, "protocol 'set' 'p.I'")


def test_a_slice_sets_and_reads_only_its_neurons_and_refuses_what_it_cannot():
    # G[1:3].v = ... set an attribute of the view and left v as it was, later it was refused ("a slice cannot
    # set 'v'"), and reading G[1:3].v was Python's bare AttributeError; Brian2 sets and reads a subgroup's values
    net = decay(equations="dv/dt = -v/tau : volt\nI_leak = v/(10*Mohm) : amp", size=4)
    group = net.population("p")
    group[1:3].v = -60 * u.mV
    assert group.v.to("mV").magnitude.tolist() == [0.0, -60.0, -60.0, 0.0]
    assert group[2:].v.to("mV").magnitude.tolist() == [-60.0, 0.0]
    with pytest.raises(ConfigError, match=re.escape("population 'p' (model 'm'): value 'v': expected one value or 2 "
                                                    "values (one per neuron of the slice), got shape (3,)")):
        group[1:3].v = [1, 2, 3] * u.mV
    with pytest.raises(UnitError, match=re.escape("value 'tau': expected dimension [time], got 5 mV")):
        group[1:3].tau = 5 * u.mV
    with pytest.raises(UnknownNameError, match=re.escape("unknown parameter or variable of population 'p' (model "
                                                         "'m') 'vv'; did you mean 'v'?")):
        group[1:3].vv = 1 * u.mV
    with pytest.raises(AttributeError, match="'vv'; did you mean 'v'?"):
        group[1:3].vv
    assert not hasattr(group[1:3], "size")  # the population's own attributes are not per neuron
    with pytest.raises(ConfigError, match="'I_leak' is a subexpression, computed from its equation during the run, "
                                          "so it cannot be read here; record it"):
        group[1:3].I_leak
    source = net.add_source("s", sz.stimulus("poisson_group", size=3, rate=5 * u.Hz))
    with pytest.raises(ConfigError, match=re.escape("source 's' (poisson_group): a spike source has no parameters or "
                                                    "variables to set or read")):
        source[1:].set("v", 1 * u.mV)
    assert not hasattr(source[1:], "v")
    assert group.v.to("mV").magnitude.tolist() == [0.0, -60.0, -60.0, 0.0]


def test_an_initial_value_reading_a_subexpression_says_so():
    # Brian2's G.v = 'a/2' of a subexpression a: "undefined symbol 'a' in 'a/2' (it may use N, i, ...)"
    model = sz.NeuronModel("m", "dv/dt = (a - v)/(10*ms) : 1\na = 1.5*b : 1\nb = 1 : 1")
    with pytest.raises(ConfigError, match=re.escape("population 'p' (model 'm'): initial value 'v': 'a/2' reads 'a', a "
                                                    "subexpression (a = 1.5*b), which is computed during the run; write "
                                                    "it out with the parameters and variables it reads")):
        sz.Network(dt=0.1 * u.ms).add_population("p", model, 2, initial={"v": "a/2"})


@pytest.mark.parametrize("neurons", [True, [0.5], [[0]]])
def test_record_needs_neuron_indices(neurons):
    with pytest.raises(ConfigError, match="neurons"):
        decay(size=3).record("p", "v", neurons=neurons)


def _plastic_network() -> sz.Network:
    net = decay(size=3, equations=_WITH_CONDUCTANCE)
    net.connect("p", "p", synapse="stdp", weight=0.1, all_to_all=True, name="S")
    return net


def test_attribute_assignment_on_a_projection_sets_its_synapses_and_a_misspelt_name_is_refused():
    # Brian2's S.w = 'rand()*gmax' set an attribute of the projection that nothing read (then it was refused):
    # it sets w of every synapse, as connect(..., weight='rand()*gmax') does
    net = _plastic_network()
    projection = net.projections["S"]
    projection.w = "rand()*0.01"
    w = projection.weights().magnitude
    assert w.size == 9 and np.all((w >= 0) & (w < 0.01)) and np.unique(w).size == 9
    with pytest.raises(UnknownNameError, match=re.escape("unknown synaptic value of projection 'S' 'ww'; did you mean "
                                                         "'w'? (known: Apost, Apre, dApost, dApre, taupost, taupre, w, "
                                                         "wmax)")):
        projection.ww = 0.1
    with pytest.raises(AttributeError, match="'ww'; did you mean 'w'?"):
        projection.ww
    assert projection.weights().magnitude.tolist() == w.tolist()


def test_assigning_to_items_of_the_values_read_sets_them_like_brian2():
    # Brian2's G.v[0] = 5*mV sets neuron 0 and S.w[0] = ... synapse 0: here they set an item of a copy nothing read
    net = decay(size=4, equations="dv/dt = -v/tau : volt")
    group = net.population("p")
    group.v[0] = 5 * u.mV
    group[1:3].v[1] = 2 * u.mV
    group.v[3] += 1 * u.mV
    assert group.v.to("mV").magnitude.tolist() == pytest.approx([5, 0, 2, 1], rel=1e-12)
    doubled = group.v * 2
    doubled[0] = 1 * u.V  # computed values are the caller's own
    assert group.v.to("mV").magnitude[0] == pytest.approx(5)
    projection = _plastic_network().projections["S"]
    projection.w[0] = 0.5
    assert projection.get("w").magnitude.tolist() == [0.5] + [0.1] * 8
    with pytest.raises(ConfigError, match=re.escape("projection 'S': 'delay' is fixed when the projection is made")):
        projection.delay[0] = 1 * u.ms
    with pytest.raises(ConfigError, match=re.escape("['i>j']: an index is a position, a slice or a list of them, not "
                                                    "a condition (Brian2's S.w['i>j'] = ...)")):
        projection.w["i>j"] = 0
    assert projection.get("w").magnitude.tolist() == [0.5] + [0.1] * 8


@pytest.mark.parametrize("give, message", [
    (lambda s: s.set("delay", 1 * u.ms), "projection 'S': 'delay' is fixed when the projection is made; give delays "
                                         "in connect(..., delay=...) and choose the synapses by its connectivity rule"),
    (lambda s: s.set("i", [0] * 9), "projection 'S': 'i' is fixed when the projection is made"),
    (lambda s: s.set("w", [0.1, 0.2]),
     "projection 'S': 'w': expected one value or 9 values (one per synapse), got shape (2,)"),
    (lambda s: s.set("taupre", 5 * u.mV), "projection 'S': 'taupre': expected dimension [time], got 5 mV"),
    (lambda s: s.set("taupre", "-1*ms*(1 + i)"), "projection 'S': parameter 'taupre': must be positive (a [time] "
                                                 "quantity > 0), got '-1*ms*(1 + i)'"),
    (lambda s: s.set("w", "x_pre"), "projection 'S': 'w'"),
    (lambda s: s.get("Apr"), "unknown synaptic value of projection 'S' 'Apr'; did you mean 'Apre'? (known: Apost, "
                             "Apre, dApost, dApre, delay, i, j, taupost, taupre, w, wmax)"),
    (lambda s: s.set(w=0.1), "unknown Projection.set() keyword 'w' (known: name, value)"),
])
def test_synaptic_values_set_wrongly_are_named_and_nothing_is_set(give, message):
    net = _plastic_network()
    with pytest.raises(SnnzooError, match=f"^{re.escape(message)}"):
        give(net.projections["S"])
    assert net.projections["S"].w.magnitude.tolist() == [0.1] * 9 and "taupre" not in net.projections["S"].plastic.per_synapse


def test_synaptic_values_after_a_run_are_set_only_without_a_synapse_model():
    # the kernel holds a synapse model's values from the first run on (Brian2 sets them between runs: a difference)
    net = _plastic_network()
    net.connect("p", "p", on="ge", weight=0.5, one_to_one=True, name="fixed")
    net.run(1 * u.ms)
    with pytest.raises(ConfigError, match=re.escape("projection 'S': 'w': cannot set a synapse model's values after "
                                                    "the network has run (the kernel holds them from the first run "
                                                    "on); set them before it")):
        net.projections["S"].w = 0.2
    net.projections["fixed"].w = [1, 2, 3]
    assert net.projections["fixed"].get("w").magnitude.tolist() == [1, 2, 3]


def test_a_weight_set_onto_a_target_that_takes_only_non_negative_weights_is_checked():
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("p", "ball_and_stick", 2)
    projection = net.connect("p", "p", on="AMPA_d", weight=1 * u.nS, all_to_all=True, name="S")
    with pytest.raises(ConfigError, match=re.escape("projection 'S': a weight of -1 nS onto 'AMPA_d' of model "
                                                    "'ball_and_stick' would make a [conductance] negative")):
        projection.w = "(i - 1)*nS"
    assert projection.w.magnitude.tolist() == [1e-9] * 4


_WITH_CONDUCTANCE = "dv/dt = -v/tau : 1\ndge/dt = -ge/tau : 1\nI : amp"


@pytest.mark.parametrize("give, message", [
    (lambda net: net.connect("p", "p", synapse="stdp", weight=0.1, all_to_all=True, post_delay=[1, 2] * u.ms),
     "projection 'p_to_p': post_delay: expected a single value (e.g. '1 s'), got an array of 2"),
    (lambda net: net.add_poisson_input("p", "v", N=10, rate=5 * u.Hz, weight=[1, 2, 3]),
     "Poisson input 'poisson_input_0': weight (onto 'v', in 1): expected a single value (e.g. 1), got an array of 3"),
    (lambda net: net.add_stimulus(sz.stimulus("step_current", times=[] * u.ms, amplitudes=[] * u.nA), "p"),
     "step_current: expected at least one time and amplitude, got none"),
    (lambda net: net.add_source("g", sz.stimulus("spike_generator", times=[1, 2, 3, 4] * u.ms, indices=[[0, 1], [1, 0]])),
     "spike_generator: times and indices are flat lists, one entry per spike; got shapes (4,) and (2, 2)"),
    (lambda net: net.add_population("q", "lif", 2, parameters={"tau_m": (10 + 1j) * u.ms}),
     "population 'q' (model 'lif'): parameter 'tau_m': expected real numbers with a unit, got (10+1j) ms"),
    (lambda net: net.connect("p", "p", on="v", weight=1.0, i=[0, 1]),
     "projection 'p_to_p': i needs j, the postsynaptic indices (index arrays i and j of the same length)"),
])
def test_arguments_of_the_wrong_shape_or_kind_get_one_line_errors(give, message):
    """They were raw errors from deep inside: pint's 'truth value of an array', numpy's 'only 0-dimensional
    arrays', 'cannot reshape', float() of a complex number, int() of None."""
    net = decay(size=3, equations=_WITH_CONDUCTANCE)
    with pytest.raises(SnnzooError, match=f"^{re.escape(message)}$"):
        give(net)
    assert len(net.groups) == 1 and not net.projections and not net.stimuli


@pytest.mark.parametrize("give, message", [
    (lambda net: net.run_regularly("p", "v = 0", when="start"),
     "unknown Network.run_regularly() keyword 'when' (known: code, dt, name, population)"),
    (lambda net: net.record("p", "v", neuron=[0]),
     "unknown Network.record() keyword 'neuron'; did you mean 'neurons'? (known: name, neurons, population, rate, "
     "variables)"),
    (lambda net: net.add_population("q", "lif", 2, parameter={}),
     "unknown Network.add_population() keyword 'parameter'; did you mean 'parameters'? (known: initial, integrator, "
     "labels, model, name, parameters, preset, refractory, size)"),
    (lambda net: net.add_poisson_input("p", "v", N=10, rates=5 * u.Hz, weight=0.1),
     "unknown Network.add_poisson_input() keyword 'rates'; did you mean 'rate'? (known: N, name, population, rate, "
     "target, weight)"),
    # a keyword of connect is one of its own or a connectivity rule's (it said "unknown connectivity argument(s)")
    (lambda net: net.connect("p", "p", on="v", weights=0.1, all_to_all=True),
     "unknown Network.connect() keyword 'weights'; did you mean 'weight'? (known: all_to_all, autapses, condition, "
     "delay, fixed_in_degree, fixed_out_degree, i, initial, j, matrix, name, on, one_to_one, op, p, parameters, "
     "post_delay, round_delays, source, synapse, target, weight)"),
    (lambda net: net.run_regularly("p"),
     "Network.run_regularly(): missing a required argument: 'code' (it takes population, code, dt, name)"),
])
def test_an_argument_a_network_method_does_not_take_is_named_with_those_it_takes(give, message):
    """Brian2's run_regularly(..., when="start") was Python's bare "TypeError: Network.run_regularly() got an
    unexpected keyword argument 'when'", with no word of the keywords there are."""
    net = decay(size=3)
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        give(net)
    assert len(net.groups) == 1 and not net.projections and not net._regular_operations


PUBLIC_CALLABLES = [name for name in sz.__all__ if callable(getattr(sz, name)) and name not in
                    {"Quantity", "ureg", "hookimpl", "stimulus"} and not name.endswith(("Error", "Warning"))]
"""What ``import snnzoo`` offers to call with keywords of its own: the classes and functions of the user's API (pint's
Quantity and registry and pluggy's hook marker are theirs; ``stimulus`` takes the settings of the stimulus type named,
which ``test_plugins.py`` checks)."""


@pytest.mark.parametrize("name", PUBLIC_CALLABLES)
def test_every_callable_of_the_package_names_a_keyword_it_does_not_take(name):
    """NeuronModel(..., treshold=...), SynapseModel(..., on_psot=...), Parameter(..., postive=True),
    TimedArray(..., dtt=...), sz.model("adex", foo=1) and open_results(..., dims=...) were Python's bare
    "TypeError: ... got an unexpected keyword argument", with no word of the keywords there are."""
    first = ("fi-curve",) if name == "sweep" else ()  # sweep's other keywords go on to the sweep itself
    with pytest.raises(ConfigError, match=rf"^unknown {name}\(\) keyword 'no_such_keyword' \(known: .+\)$"):
        getattr(sz, name)(*first, no_such_keyword=1)


@pytest.mark.parametrize("call, message", [
    (lambda: sz.stimulus(), "stimulus(): missing a required argument: 'name' (it takes name)"),
    (lambda: sz.sweep(), "sweep(): missing a required argument: 'experiment' (it takes experiment, grid)"),
    (lambda: sz.integrator("rk4", 3), "integrator(): too many positional arguments (it takes name)"),
    (lambda: sz.NeuronModel("m"), "NeuronModel(): missing a required argument: 'equations' (it takes name, "
                                  "equations, parameters, threshold, reset, refractory, initial, integrator, "
                                  "description, references, synapses, non_negative_targets, functions, aliases, "
                                  "presets)"),
])
def test_a_missing_or_extra_argument_of_the_package_s_functions_is_one_line(call, message):
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        call()


def test_a_misspelt_keyword_of_a_model_is_named_with_the_closest():
    with pytest.raises(ConfigError, match=r"^unknown NeuronModel\(\) keyword 'treshold'; did you mean 'threshold'\?"):
        sz.NeuronModel("m", "dv/dt = -v/tau : volt", {"tau": 10 * u.ms}, treshold="v > 1*mV")
    with pytest.raises(ConfigError, match=r"^unknown SynapseModel\(\) keyword 'on_psot'; did you mean 'on_post'\?"):
        sz.SynapseModel("s", "w : 1", on_pre="v_post += w*mV", on_psot="")


@pytest.mark.parametrize("give, message", [
    (lambda pop: pop.set(tau=5 * u.ms), "unknown Population.set() keyword 'tau' (known: name, neurons, value)"),
    (lambda pop: pop.set("v", 1, neuron=[1]),
     "unknown Population.set() keyword 'neuron'; did you mean 'neurons'? (known: name, neurons, value)"),
    (lambda pop: pop.get("v", units="mV"), "unknown Population.get() keyword 'units' (known: name)"),
    (lambda pop: pop[:2].set(v=1), "unknown PopulationView.set() keyword 'v' (known: name, value)"),
    (lambda pop: pop[:2].get(), "PopulationView.get(): missing a required argument: 'name' (it takes name)"),
])
def test_an_argument_a_population_method_does_not_take_is_named_with_those_it_takes(give, message):
    """pop.set(tau=...) and pop[:2].set(v=...) were Python's bare "TypeError: Population.set() got an unexpected
    keyword argument 'tau'", as Network's methods were before they checked their arguments."""
    pop = decay(size=3).population("p")
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        give(pop)
    assert pop.v.magnitude.tolist() == [0.0] * 3 and pop.tau.to("ms").magnitude.tolist() == [10.0] * 3


@pytest.mark.parametrize("give, fragment", [
    (lambda net, x: net.connect("p", "p", on="v", weight=1.0, i=x, j=[1, 2]), "projection 'p_to_p': index array i"),
    (lambda net, x: net.connect("p", "p", on="v", weight=1.0, i=[1, 2], j=x), "projection 'p_to_p': index array j"),
    (lambda net, x: net.add_source("g", sz.stimulus("spike_generator", times=[1, 2] * u.ms, indices=x)),
     "spike_generator: indices"),
    (lambda net, x: net.record("p", "v", neurons=x), "record 'p': neurons"),
    (lambda net, x: _plastic_network().record_synapses("S", "w", synapses=x), "record_synapses 'S': synapses"),
])
def test_every_index_input_refuses_fractions_and_takes_whole_floats(give, fragment):
    """[0.5, 2.9] was truncated to [0, 2] (synapses (0, 1), (2, 3) from i=[0.5, 2.9], j=[1.7, 3.2])."""
    with pytest.raises(ConfigError, match=rf"^{re.escape(fragment)}: expected whole-number indices, got 0\.5, 2\.9 "
                                          r"\(an index is never rounded\)$"):
        give(decay(size=3), [0.5, 2.9])
    give(decay(size=3), [0.0, 2.0])


@pytest.mark.parametrize("arguments, fragment", [
    ({"neurons": [0, 0]}, "record 'p': neurons must not repeat, got [0, 0]"),
    ({"neurons": [3]}, "record 'p': neurons: index 3 is outside 0..2 (3 neurons)"),
    ({"neurons": []}, "record 'p': neurons must be indices in 0..2, got []"),
    ({"variables": ["v", "v"]}, "record 'p': expected one or more distinct variables to record, got ['v', 'v']"),
    ({"variables": []}, "record 'p': expected one or more distinct variables to record, got []"),
    ({"name": "a/b"}, "record 'p': name 'a/b': expected letters, digits"),
    # was "rate 8 kilohertz is not dt/k for an integer k (dt = 0.0001 s)", which says neither what is wrong nor what works
    ({"rate": 8 * u.kHz}, "record 'p': rate 8 kHz samples every 1.25 steps of dt = 0.1 ms; expected a rate of "
                          "1/(k*dt) for a whole number k >= 1, written exactly, such as 1/(0.1 ms) for every step"),
    # it suggested "3333 Hz", which it then refused: the suggestion is now a rate written exactly
    ({"rate": 3333 * u.Hz}, "record 'p': rate 3333 Hz samples every 3.0003 steps of dt = 0.1 ms; expected a rate of "
                            "1/(k*dt) for a whole number k >= 1, written exactly, such as 1/(0.3 ms) for every 3 steps"),
    ({"rate": "20 kHz"}, "record 'p': rate '20 kHz' samples every 0.5 steps of dt = 0.1 ms; expected a rate of 1/(k*dt)"),
])
def test_record_refuses_at_once_what_the_result_would_refuse(arguments, fragment):
    net = decay(size=3)
    with pytest.raises(ConfigError) as refused:
        net.record("p", **{"variables": "v", **arguments})
    assert str(refused.value).startswith(fragment)
    net.run(1 * u.ms)
    assert "v" not in net.result()["p"].dataset  # nothing of the refused monitor was kept


def test_record_refuses_a_name_another_monitor_of_the_population_has():
    # two monitors of 'p' named 'fast' (or a given 'm2' and the default 'm2' of the third monitor) were taken,
    # and result() failed after the run: "names ['neuron_fast', 'time_fast', 'v_fast'] are used twice"
    net = decay(size=3)
    net.record("p", "v")
    net.record("p", "v", neurons=[0], name="fast")
    with pytest.raises(ConfigError, match=re.escape("record 'p': the name 'fast' is taken (give each a name of its "
                                                    "own)")):
        net.record("p", "v", neurons=[1], name="fast")
    net.record("p", "v", neurons=[1], name="m3")
    net.record("p", "v", neurons=[2])  # the default 'm3' is taken: 'm4'
    net.run(1 * u.ms)
    data = net.result()["p"].dataset
    assert data["neuron_fast"].values.tolist() == [0]
    assert data["neuron_m3"].values.tolist() == [1] and data["neuron_m4"].values.tolist() == [2]


def test_poisson_inputs_and_regular_operations_need_names_of_their_own():
    # two Poisson inputs (or regular operations) named 'x' both ran, but the provenance, keyed by name, kept one
    net = decay(size=3)
    net.add_poisson_input("p", "v", N=10, rate=10 * u.Hz, weight=0.1, name="x")
    net.run_regularly("p", "v = 0", dt=1 * u.ms, name="x")
    with pytest.raises(ConfigError, match=re.escape("Poisson input: the name 'x' is taken (give each a name of its own)")):
        net.add_poisson_input("p", "v", N=10, rate=20 * u.Hz, weight=0.1, name="x")
    with pytest.raises(ConfigError, match=re.escape("regular operation: the name 'x' is taken")):
        net.run_regularly("p", "v = 1", dt=1 * u.ms, name="x")
    with pytest.raises(ConfigError, match=re.escape("Poisson input: name 'a/b': expected letters")):
        net.add_poisson_input("p", "v", N=10, rate=20 * u.Hz, weight=0.1, name="a/b")
    net.add_poisson_input("p", "v", N=10, rate=20 * u.Hz, weight=0.1, name="poisson_input_1")
    assert net.add_poisson_input("p", "v", N=10, rate=20 * u.Hz, weight=0.1).name == "poisson_input_2"


@pytest.mark.parametrize("synapses, name, fragment", [
    ([0.7], None, "synapses: expected whole-number indices, got 0.7"),  # was truncated to synapse 0
    (True, None, "synapses=True is not a list of indices"),  # was synapse 1
    ([0, 0], None, "synapses must not repeat, got [0, 0]"),
    (None, "a/b", "name 'a/b': expected letters"),  # made a group 'a' holding a group 'b'
])
def test_record_synapses_refuses_what_it_took_silently(synapses, name, fragment):
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_source("pre", sz.stimulus("poisson_group", size=3, rate=20 * u.Hz))
    net.add_population("post", sz.NeuronModel("post", "dv/dt = -v/tau : 1\ndge/dt = -ge/tau : 1", {"tau": "10 ms"}), 2)
    net.connect("pre", "post", synapse="stdp", weight=0.005, all_to_all=True, name="S")
    with pytest.raises(ConfigError, match=re.escape(f"record_synapses 'S': {fragment}")):
        net.record_synapses("S", "w", synapses=synapses, name=name)


# -- memory ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("build, fragment", [
    (lambda net: net.add_population("huge", "hh_traub", 10**9), "population 'huge' (1000000000 neurons) would need"),
    (lambda net: net.connect("p", "p", "v", 0.1, all_to_all=True), "synapses while they are drawn) would need"),
    (lambda net: (net.record("p", "v"), net.run(100 * u.s)), "monitor 'm0' on population 'p' would need"),
])
def test_what_does_not_fit_in_memory_is_refused_before_allocation(monkeypatch, build, fragment):
    net = decay(size=30_000)
    monkeypatch.setenv("SNNZOO_MEMORY_LIMIT", "64 MiB")
    with pytest.raises(SimulationError, match=r"would need .* but the limit is 64 MiB \(SNNZOO_MEMORY_LIMIT\)") as info:
        build(net)
    assert fragment in str(info.value)


# -- symbolic work -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("equations, fragment", [
    ("dv/dt = (10**10**10 - v)/tau : 1", "is not a finite number"),
    ("dv/dt = (" + " + ".join(["v"] * 20_000) + ")/tau : 1", "characters"),
    ("dv/dt = (" + " + ".join(["v"] * 2_000) + ")/tau : 1", "terms and operators"),
    ("dv/dt = " + "(" * 300 + "v" + ")" * 300 + "/tau : 1", "too many nested parentheses"),
    ("dv/dt = (" + "+".join(["v"] * 9_000) + ")/tau : 1", "nested too deeply|terms and operators"),
])
def test_symbolic_work_has_a_size_budget(equations, fragment):
    with pytest.raises(EquationError, match=fragment):
        sz.NeuronModel("m", equations, {"tau": "10 ms"})


def test_exact_powers_of_numbers_within_the_budget():
    model = sz.NeuronModel("m", "dv/dt = (2**10 - v)/tau : 1", {"tau": "10 ms"})
    assert "1024" in str(model.equations[0].expr)


def test_symbolic_work_has_a_time_budget(monkeypatch):
    monkeypatch.setenv("SNNZOO_SYMBOLIC_SECONDS", "0.001")
    with pytest.raises(EquationError, match="symbolic work took longer than 0.001 s"):
        sz.NeuronModel("m", "\n".join(f"dv{k}/dt = -v{k}*exp(v{k})/tau : 1" for k in range(200)), {"tau": "10 ms"})


# -- output files ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra, args, fragment", [
    ('[[expected]]\ncheck = "spike_count"\npopulation = "p"\nvalu = 0', [], "unknown key 'valu'"),
    ('[[expected]]\ncheck = "value_at"\npopulation = "p"\nvariable = "y"\ntime = "1 ms"\nvalue = 0', [],
     "'y' is not recorded"),
    ('[[expected]]\ncheck = "value_at"\npopulation = "p"\nvariable = "x"\ntime = "1 ms"\nvalue = "3 mV"', [],
     "dimension"),
    ('[[expected]]\ncheck = "spike_count"\npopulation = "q"\nvalue = 0', [], "unknown population 'q'"),
    ('[[expected]]\ncheck = "mean_rate"\npopulation = "p"\nstop = "1 s"\nmin = "0 Hz"', [],
     "stop = '1 s' is after the end of the run (0.005 s are simulated)"),
    ("", ["--figure", "."], "it is a folder"),
])
def test_a_failing_command_leaves_no_output(tmp_path, capsys, monkeypatch, extra, args, fragment):
    monkeypatch.chdir(tmp_path)
    experiment_file(tmp_path, extra)
    assert main(["run", "e.toml", "-q", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and fragment in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]


NO_DURATION = ('duration = "5 ms"\n', "")


@pytest.mark.parametrize("replace, message", [
    (("size = 2", "size = 0"), "[populations.p]: population 'p': size must be a whole number >= 1, got 0"),
    (('dt = "0.1 ms"', 'dt = "0.1 mV"'), "dt: expected dimension [time], got 0.1 mV"),
    (('duration = "5 ms"', 'duration = "5 Hz"'), "duration: expected dimension [time], got 5 Hz"),
    (('duration = "5 ms"', 'duration = "5.05 ms"'),
     "duration: duration 5.05 ms is 50.5 steps of dt = 0.1 ms; expected a whole number of steps"),
    (('variables = ["x"]', 'variables = ["x"]\nrate = "3 kHz"'), "[monitors.x]: record 'p': rate '3 kHz' samples every"),
    (('model = "decay"', 'model = "decya"'), "[populations.p]: unknown model 'decya'"),
    (('seed = 1', 'seed = 1\nintegrator = "eulr"'), "unknown integrator 'eulr'; did you mean 'euler'?"),  # blamed [populations.p]
    (('size = 2', 'size = 2\npreset = ""'), "[populations.p]: unknown preset of model 'decay' ''"),  # ignored
    (('tau = "20 ms"', 'tau = "20 mV"'),
     "[models.decay]: model 'decay': equation 'dx/dt = -x/tau : 1': the right-hand side"),
    (('initial = { x = 1 }', 'initial = { x = "1 mV" }'), "[populations.p]: population 'p' (model 'decay'): initial "
     "value 'x': expected dimension dimensionless"),
    # a check or panel of a variable the population's second monitor records: validated against every monitor,
    # read from the first one's only (the second's is stored as x_NAME): refused after the run
    (('variables = ["x"]', 'variables = ["x"]\nneurons = [0]\n[monitors.late]\npopulation = "p"\nvariables = ["x"]\n'
      'neurons = [1]\n[[expected]]\ncheck = "value_at"\npopulation = "p"\nvariable = "x"\nneuron = 1\ntime = "1 ms"\n'
      'max = 2'), "[[expected]] #1 (value_at): neuron(s) [1] of 'p' are not recorded for 'x' (recorded: [0], by "
     "[monitors.x], the first monitor of that variable, which checks read)"),
    (('variables = ["x"]', 'variables = ["x"]\n[figure]\nkind = "traces"\nvariable = "x"\nunit = "1"\ntitles = ["a"]'),
     "[figure]: titles: expected one title per plotted neuron, 2 in all; got 1"),
    (('variables = ["x"]', 'variables = ["x"]\n[projections.self]\nsource = "p"\ntarget = "p"\non = "x"\nweight = 0.1\n'
      'p = 1.0\n[figure]\nkind = "weights"\nprojection = "self"\nbins = 0'), "[figure]: bins: expected a whole number >= 1"),
])
def test_errors_of_building_an_experiment_name_its_file_and_table(tmp_path, capsys, monkeypatch, replace, message):
    """Errors of the network's methods said only 'dt: ...', "population 'p': N must be ...", "record 'p': ...":
    with several files and tables the user had to guess which one was meant."""
    monkeypatch.chdir(tmp_path)
    path = experiment_file(tmp_path)
    assert replace[0] in path.read_text()
    path.write_text(path.read_text().replace(*replace))
    assert main(["run", "e.toml", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"snnzoo: error: experiment file e.toml: {message}") and len(err.splitlines()) == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]


CONDUCTANCES = '[populations.q]\nmodel = "lif_cond_exp"\nsize = 2\n[monitors.q]\npopulation = "q"\nvariables = ["v", "ge"]\n' \
               'neurons = [0]\n'
CURRENTS_PANEL = CONDUCTANCES + '[figure]\nkind = "currents"\npopulation = "q"\nconductances = '
SELF = '[projections.self]\nsource = "p"\ntarget = "p"\non = "x"\nweight = 0.1\np = 1.0\n'


@pytest.mark.parametrize("extra, replace, args, fragment", [
    ('[[protocol]]\nrun = "1 ms"', None, [], "give 'duration' or [[protocol]], not both"),
    ("", ('tau = "20 ms" }', 'tau = "20 ms", tua = "5 ms" }'), [],
     "[models.decay]: model 'decay': parameter 'tua' is used nowhere in the model (its equations, threshold, reset, "
     "refractory period or initial values); did you mean 'tau'?"),
    ("", None, ["--set", "models.decay.parameters.tua=3 ms"], "parameter 'tua' is used nowhere in the model"),
    ('[[expected]]\ncheck = "mean_value"\npopulation = "p"\nvariable = "x"\nmin = 0\nneurons = "a:b"', None, [], 'neurons: expected an index, a list of indices or "start:stop"'),
    ('[[expected]]\ncheck = "mean_value"\npopulation = "p"\nvariable = "x"\nmin = 0\nneurons = "0:2:1"', None, [], "neurons: expected an index, a list of indices or"),
    ('[[expected]]\ncheck = "mean_value"\npopulation = "p"\nvariable = "x"\nmin = 0\nneuron = "x"', None, [], "neuron: expected an index, a list of indices or"),
    ('[[expected]]\ncheck = "mean_value"\npopulation = "p"\nvariable = "x"\nmin = 0\nneurons = [0, 0]', None, [], "neurons: [0, 0] names an index twice"),
    ("", None, ["--set", 'monitors.x.neurons="5:9"'], "[monitors.x]: neurons: '5:9' selects none of 0..1"),
    ("", None, ["--set", "monitors.x.variables=[]"], "record 'p': expected one or more distinct variables to record, got []"),
    ("", None, ["--set", 'monitors.x.variables=["x", "x"]'], "expected one or more distinct variables to record, got ['x', 'x']"),
    ("", None, ["--figure", "fig.pdf"], "--figure fig.pdf: the figure is a PNG image; give a name ending in .png"),
    ('[[expected]]\ncheck = "value_at"\npopulation = "p"\nvariable = "x"\nneuron = 1\ntime = "1 ms"\nmin = 0', None,
     ["--set", "monitors.x.neurons=[0]"], "neuron(s) [1] of 'p' are not recorded for 'x' (recorded: [0], by [monitors.x]"),
    ('[sources.s]\ntype = "poisson_group"\nsize = 2\nrate = "10 Hz"\n[projections.s_p]\nsource = "s"\ntarget = "p"\n'
     'on = "x"\nweight = 0.1\none_to_one = true\n'
     '[[expected]]\ncheck = "synapse_value"\nprojection = "s_p"\nvariable = "wieght"\nvalue = 0.1', None, [],
     "'wieght' is not stored for projection 's_p'; did you mean 'weight'? (stored: delay, weight)"),
    ('[figure]\nkind = "traces"\nvariable = "x"', None, [],
     "[figure]: unit 'mV' (the default of a traces panel; give unit = \"1\" for 'x'): expected dimension dimensionless"),
    ('[figure]\nkind = "traces"\nvariable = "x"\nunit = "1"\nneurons = [1]', None, ["--set", "monitors.x.neurons=[0]"],
     "[figure]: neurons [1] of 'p' are not recorded for 'x' (recorded: [0], by [monitors.x]"),
    ('[[protocol]]\nrun = "1 ms"\n[[protocol]]\nset = { "p.x" = "1 mV" }\nrun = "1 ms"', NO_DURATION, [],
     "[[protocol]] #2: 'set' 'p.x': expected dimension dimensionless, got 1 mV"),  # it failed after the first phase
    ('[[protocol]]\nrun = "1 ms"', NO_DURATION, ["--set", "duration=1 ms"], "give 'duration' or [[protocol]], not both"),
    ("", ('duration = "5 ms"', "protocol = []"), [], "[[protocol]] has no phase with 'run'"),
    ('[[protocol]]\nset = { "p.x" = 1 }', NO_DURATION, [], "[[protocol]] has no phase with 'run'"),
    ('[[protocol]]\nrun = "1 ms"\n[[protocol]]\nset = { "p.x" = 1 }', NO_DURATION, [],
     "[[protocol]] #2: its 'set' comes after the last run, so it would change nothing"),  # silently ignored
    ('[[protocol]]\nrun = "1 ms"\n[[protocol]]\nrun = "1.05 ms"', NO_DURATION, [],
     "[[protocol]] #2: duration 1.05 ms is 10.5 steps of dt = 0.1 ms; expected a whole number of steps"),  # refused after the first phase ran
    ('[[expected]]\ncheck = "value_at"\npopulation = "p"\nvariable = "x"\ntime = "10 s"\nvalue = 1', None, [],
     "time = '10 s' is after the end of the run (0.005 s are simulated)"),  # it used the last sample
    ('[[expected]]\ncheck = "mean_rate"\npopulation = "p"\nstart = "10 s"\nstop = "20 s"\nmax = "1 Hz"', None, [],
     "start = '10 s' is after the end of the run"),
    ('[[expected]]\ncheck = "mean_value"\npopulation = "p"\nvariable = "x"\nstart = "4 ms"\nstop = "1 ms"\nmin = 0',
     None, [], "start = '4 ms' must come before stop = '1 ms'"),
    ('[figure]\nkind = "raster"\nstart = "4 ms"\nstop = "1 ms"', None, [], "[figure]: start = '4 ms' must come before"),
    ('[figure]\nkind = "rates"\nbin = "2 ms"', None, ["--set", "duration=1 ms"],  # refused after the run
     "[figure]: bin = '2 ms' is longer than the 0.001 s the panel shows (from start to stop or the end of the run)"),
    ('[figure]\nkind = "rates"\nbin = "2 ms"\nstart = "4 ms"\nstop = "10 ms"', None, [],
     "[figure]: bin = '2 ms' is longer than the 0.001 s the panel shows"),
    ('[[expected]]\ncheck = "mean_value"\npopulation = "p"\nvariable = "x"\nvalue = 0.9\nrel_tolerance = nan', None,
     [], "rel_tolerance: must be finite"),
    ('[[expected]]\ncheck = "mean_value"\npopulation = "p"\nvariable = "x"\nvalue = 0.9\ntolerance = -0.1', None,
     [], "tolerance: must be >= 0"),
    ('[[expected]]\ncheck = "mean_value"\npopulation = "p"\nvariable = "x"\nvalue = 0.9\nrel_tolerance = -0.5', None,
     [], "rel_tolerance: must be >= 0"),
    ('[projections.self]\nsource = "p"\ntarget = "p"\non = "x"\nweight = 0.1\ni = "0:1"\nj = [0]', None, [],
     "[projections.self]: 'i' must be a list of indices (whole numbers; one may repeat), got '0:1'"),  # exit 70
    ('[sources.s]\ntype = "poisson_group"\nsize = 2\nrate = "5 mV"', None, [],  # "cannot parse '5 mV'"
     "poisson_group: rate: expected dimension [frequency], got 5 mV of dimension [voltage]"),
    ('[populations.q]\nmodel = "lif"\nsize = 1\n[stimuli.f]\ntype = "function_current"\npopulation = "q"\n'
     'function = "2 mV"', None, [], "function_current: function: expected dimension [current], got 2 mV of dimension [voltage]"),
    # checks that could never hold or said more than they checked: an internal error, or silently ignored keys
    ('[[expected]]\ncheck = "spike_count"\npopulation = "p"\nvalue = [1, 2]', None, [], "[[expected]] #1: 'value' must be a single quantity"),  # exit 70
    ('[[expected]]\ncheck = "spike_count"\npopulation = "p"\nmin = 5\nmax = 1', None, [], "[[expected]] #1 (spike_count): min = 5 is above max = 1"),  # failed after the run
    ('[[expected]]\ncheck = "spike_count"\npopulation = "p"\nmin = 0\nvariable = "x"', None, [], "'variable' does not apply to a 'spike_count' check (it takes: population"),
    ('[[expected]]\ncheck = "spike_count"\npopulation = "p"\nmin = 0\nneuron = 0\nneurons = "0:2"', None, [], "give 'neuron' or 'neurons', not both"),  # neurons ignored
    ('[[expected]]\ncheck = "spike_count"\npopulation = "p"\nmin = 0\nrel_tolerance = 0.1', None, [], "'rel_tolerance' goes with 'value', which this check lacks"),
    ('[projections.self]\nsource = "p"\ntarget = "p"\non = "x"\nweight = 0.1\np = 1.0\n[[expected]]\ncheck = "synapse_fraction"\nprojection = "self"\nvalue = 0\nlow = "1 nS"\nhigh = "2 nS"', None, [], "(synapse_fraction): low: expected dimension dimensionless"),  # after the run
    ('[projections.self]\nsource = "p"\ntarget = "p"\non = "x"\nweight = 0.1\np = 1.0\n[[expected]]\ncheck = "synapse_fraction"\nprojection = "self"\nvalue = 0\nlow = 2\nhigh = 1', None, [], "low = 2 is above high = 1, so no synapse could be counted"),  # found 0
    # figures matplotlib refused after the run (internal errors) or whose keys were ignored
    ('[figure]\nsize = [0, -1]\nkind = "raster"', None, [], "[figure]: 'size' must be a [width, height] in inches "
     "(positive numbers), got [0, -1]"),
    ('[figure]\npanels = []', None, [], "[figure]: 'panels' is empty"),
    ('[figure]\nkind = "rates"\n[[figure.panels]]\nkind = "raster"', None, [], "[figure]: 'kind' belongs in each "
     "[[figure.panels]] table"),
    ('[figure]\nkind = "rates"\nsmooth = "1 ms"', None, [], "[figure]: a 'rates' panel needs 'bin'"),
    ("", None, ["-o", "out.txt"], "-o out.txt: the result is a netCDF file; give a name ending in .nc"),  # written
    ("", None, ["-o", "out"], "-o out: the result is a netCDF file; give a name ending in .nc"),
    # values a panel is drawn with: each was refused after the whole run
    ('[figure]\nkind = "traces"\nvariable = "x"\nunit = "1"\nspike_peak = "1 mV"', None, [],
     "[figure]: spike_peak: expected dimension dimensionless, got 1 mV"),
    ('[figure]\nkind = "traces"\nvariable = "x"\nunit = "1"\ntitles = ["a"]', None, [],
     "[figure]: titles: expected one title per plotted neuron, 2 in all; got 1"),  # "1 titles for 2 neurons"
    ('[figure]\nkind = "rates"\nbin = "1 ms"\nsmooth = "1 mV"', None, [], "[figure]: smooth: expected dimension [time]"),
    ('[figure]\nkind = "raster"\nevery = 0', None, [], "[figure]: every: expected a whole number >= 1, got 0"),
    ('[figure]\nvariable = "y"', None, [], "[figure]: 'y' is not recorded for 'p' (add it to a [monitors.NAME] "
     "table), so the panel would be a raster, which takes no 'variable'"),  # "plot_raster() got an unexpected keyword"
    (CURRENTS_PANEL + '{ gx = "0 mV" }', None, [],
     "[figure]: 'gx' is not recorded for 'q' by its first monitor [monitors.q], which currents panels read"),
    (CURRENTS_PANEL + '{ v = "0 mV" }', None, [],
     "[figure]: conductance 'v': expected dimension [conductance], got 1 V"),
    (CURRENTS_PANEL + '{ ge = "0 ms" }', None, [],
     "[figure]: reversal potential of 'ge': expected dimension [voltage], got 0 ms"),
    (CURRENTS_PANEL + '{ ge = "0 mV" }\nneuron = 1', None,
     [], "[figure]: neuron 1 of 'q' is not recorded for 'v' (recorded: [0])"),
    (CURRENTS_PANEL + '{ ge = "0 mV" }\nunit = "mV"', None,
     [], "[figure]: unit: expected dimension [current], got 1 mV"),
    (SELF + '[figure]\nkind = "weights"\nprojection = "slef"', None, [],
     "[figure]: unknown projection 'slef'; did you mean 'self'?"),
    (SELF + '[figure]\nkind = "weights"\nprojection = "self"\nscale = "1 ms"', None, [],
     "[figure]: scale: expected dimension dimensionless, got 1 ms"),
    (SELF + '[figure]\nkind = "synapse_values"\nprojection = "self"\nx = [1]', None, [],
     "[figure]: x: expected 4 numbers (one per synapse), got [1]"),
    (SELF + '[figure]\nkind = "synapse_traces"\nprojection = "self"', None, [],
     "[figure]: projection 'self' has no synapse monitor 'record0'"),
])
def test_experiment_mistakes_are_refused_before_the_run(tmp_path, capsys, monkeypatch, extra, replace, args, fragment):
    """Mistakes that were ignored, or found only after the run: one line, nothing simulated or written."""
    monkeypatch.chdir(tmp_path)
    path = experiment_file(tmp_path, extra)
    if replace:
        path.write_text(path.read_text().replace(*replace))
    monkeypatch.setattr(sz.Network, "run", lambda *args, **kwargs: pytest.fail("the network ran"))
    assert main(["run", "e.toml", "-q", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and fragment in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]


def test_a_shortened_run_keeps_its_figure_and_runs_without_its_checks(tmp_path, capsys, monkeypatch):
    """--set duration=... shortens an experiment: a figure window past the new end ends with the run
    (refusing it made catalog experiments unrunnable with a shorter duration), and --no-check runs
    even when a check's window lies past the end (that check is refused while checks are evaluated)."""
    monkeypatch.chdir(tmp_path)
    experiment_file(tmp_path, '[figure]\nkind = "traces"\nvariable = "x"\nunit = "1"\nstop = "5 ms"\n'
                    '[[expected]]\ncheck = "mean_value"\npopulation = "p"\nvariable = "x"\nstart = "3 ms"\nmin = 0')
    shorter = ["--set", "duration=2 ms"]
    assert main(["run", "e.toml", "-q", *shorter]) == 2
    assert "start = '3 ms' is after the end of the run" in capsys.readouterr().err
    assert main(["run", "e.toml", "-q", "--no-check", *shorter]) == 0, capsys.readouterr().err
    assert (tmp_path / "e.png").is_file() and open_result(tmp_path / "e.nc").attrs["duration"] == pytest.approx(2e-3)


def test_start_stop_selects_neurons_in_monitors_checks_and_figures(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    experiment_file(tmp_path, '[figure]\nkind = "traces"\nvariable = "x"\nunit = "1"\nneurons = "1:"\n'
                    '[[expected]]\ncheck = "value_at"\npopulation = "p"\nvariable = "x"\nneurons = "1:2"\n'
                    'time = "0 ms"\nvalue = 1', size=3)
    assert main(["run", "e.toml", "-q", "--set", 'monitors.x.neurons="1:"']) == 0, capsys.readouterr().err
    assert "[ok] x of p[1:2] at 0 ms = 1" in capsys.readouterr().out
    assert open_result(tmp_path / "e.nc")["p"]["x"].coords["neuron"].values.tolist() == [1, 2]


@pytest.mark.parametrize("command", ["run", "rerun"])
@pytest.mark.parametrize("output, fragment", [("missing/x.nc", "the folder"), (".", "it is a folder")])
def test_an_unwritable_output_is_refused_before_the_run(tmp_path, capsys, monkeypatch, command, output, fragment):
    monkeypatch.chdir(tmp_path)
    experiment_file(tmp_path, "")
    assert main(["run", "e.toml", "-q", "-o", "first.nc"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(Experiment, "run", lambda *args, **kwargs: pytest.fail("the experiment ran"))
    source = "e.toml" if command == "run" else "first.nc"
    assert main([command, source, "-q", "-o", output]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and f"cannot write {output}" in err and fragment in err, err


def test_a_rerun_output_not_named_nc_is_refused_before_the_run(tmp_path, capsys, monkeypatch):
    """``-o out.txt`` wrote netCDF bytes under that name."""
    monkeypatch.chdir(tmp_path)
    experiment_file(tmp_path, "")
    assert main(["run", "e.toml", "-q", "-o", "first.nc"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(Experiment, "run", lambda *args, **kwargs: pytest.fail("the experiment ran"))
    assert main(["rerun", "first.nc", "-q", "-o", "again.txt"]) == 2
    assert capsys.readouterr().err == ("snnzoo: error: -o again.txt: the result is a netCDF file; give a name "
                                       "ending in .nc\n")
    assert not (tmp_path / "again.txt").exists()


@pytest.mark.parametrize("args, fragment", [
    (["-o", "out.png"], "-o out.png: the result is a netCDF file; give a name ending in .nc"),  # it said "cannot
    # write out.png twice": the default figure name, out.png too, was made of it before its suffix was checked
    (["-o", "res.nc", "--figure", "./res.nc"], "cannot write res.nc twice"),
    (["-o", "res.nc", "--figure", "alias.png"], "both res.nc and alias.png: they are one file"),
    (["-o", ""], "cannot write '': expected a file name"),  # it fell back to the default name
])
def test_one_file_for_the_result_and_the_figure_is_refused_before_the_run(tmp_path, capsys, monkeypatch,
                                                                          args, fragment):
    monkeypatch.chdir(tmp_path)
    experiment_file(tmp_path)
    (tmp_path / "alias.png").symlink_to("res.nc")
    monkeypatch.setattr(Experiment, "run", lambda *args, **kwargs: pytest.fail("the experiment ran"))
    assert main(["run", "e.toml", "-q", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and fragment in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alias.png", "e.toml"]


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _character_device(path: Path) -> None:
    try:
        os.mknod(path, 0o644 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("making a device needs privileges")


@pytest.mark.parametrize("make", [_fifo, _character_device])
@pytest.mark.parametrize("option", ["-o", "--figure"])
def test_an_output_that_is_not_a_regular_file_is_refused_and_kept(tmp_path, capsys, monkeypatch, make, option):
    monkeypatch.chdir(tmp_path)
    experiment_file(tmp_path)
    make(tmp_path / "special")
    monkeypatch.setattr(Experiment, "run", lambda *args, **kwargs: pytest.fail("the experiment ran"))
    assert main(["run", "e.toml", "-q", option, "special"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "cannot write special: it is not a regular file" in err, err
    assert not (tmp_path / "special").is_file() and (tmp_path / "special").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml", "special"]


@pytest.mark.parametrize("existing", [True, False])
def test_an_output_that_is_a_symbolic_link_writes_the_file_it_points_to(tmp_path, capsys, monkeypatch, existing):
    monkeypatch.chdir(tmp_path)
    experiment_file(tmp_path)
    (tmp_path / "data").mkdir()
    if existing:
        (tmp_path / "data" / "real.nc").write_text("old")
    (tmp_path / "link.nc").symlink_to("data/real.nc")
    assert main(["run", "e.toml", "-q", "-o", "link.nc"]) == 0
    data = Path(os.path.realpath(tmp_path / "data"))
    assert f"wrote {data}/real.nc and {data}/real.png" in capsys.readouterr().out
    assert os.readlink(tmp_path / "link.nc") == "data/real.nc"
    assert open_result(tmp_path / "link.nc").attrs["experiment"] == "e"
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["real.nc", "real.png"]


@pytest.mark.parametrize("name", ["../escaped", "sub/x", "..", "/tmp/x"])
def test_an_experiment_name_cannot_write_outside_the_working_directory(tmp_path, capsys, monkeypatch, name):
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    experiment_file(tmp_path / "work", head=f'name = "{name}"\n')
    assert main(["run", "e.toml", "-q"]) == 2
    assert "expected a plain name" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["e.toml", "work"]


def test_disk_full_is_one_line_and_leaves_nothing(tmp_path):
    experiment_file(tmp_path)
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            "resource.setrlimit(resource.RLIMIT_FSIZE, (4000, 4000)); "
            "from snnzoo.cli import main; sys.exit(main(['run', 'e.toml', '-q']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "File too large" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]


def test_an_interrupted_run_exits_130_and_does_not_evaluate_its_checks(tmp_path):
    experiment_file(tmp_path, '[populations.q]\nmodel = "decay"\nsize = 20000\n'
                    '[[expected]]\ncheck = "spike_count"\npopulation = "p"\nvalue = 0', duration="100 s")
    process = subprocess.Popen([sys.executable, "-m", "snnzoo.cli", "run", "e.toml"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err = wait_for(process, "simulated")  # the progress bar: the run has started
    time.sleep(2)
    process.send_signal(signal.SIGINT)
    out, rest = process.communicate(timeout=120)
    err += rest
    assert process.returncode == EXIT_INTERRUPTED, err
    assert "checks not evaluated" in out and "checks hold" not in out
    tree = open_result(tmp_path / "e.nc")
    assert tree.attrs["complete"] == 0 and 0 < tree.attrs["duration"] < 1000
    assert (tmp_path / "e.png").exists()


def wait_for(process: subprocess.Popen, text: str, timeout: float = 300) -> str:
    """Read ``process``'s stderr until ``text`` appears; return what was read."""
    seen = ""
    deadline = time.monotonic() + timeout
    while text not in seen and time.monotonic() < deadline:
        chunk = os.read(process.stderr.fileno(), 4096).decode(errors="replace")
        if not chunk:
            break
        seen += chunk
    assert text in seen, seen
    return seen


# -- kernel cache ------------------------------------------------------------------------------------------------


def unique_run(constant: float) -> float:
    """Run a model whose kernel source is new to this process (the constant is in the source)."""
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("p", sz.NeuronModel("m", f"dv/dt = ({constant} - v)/tau : 1", {"tau": "10 ms"}), 1,
                       integrator="euler")
    net.record("p", "v")
    net.run(0.3 * u.ms)
    return float(net.result()["p"]["v"].values[-1, 0])


def forget_kernels():
    for name in [n for n in sys.modules if n.startswith("snnzoo_kernel_")]:
        del sys.modules[name]


@pytest.mark.parametrize("damage", ["module", "index", "data", "truncated module"])
def test_a_corrupted_kernel_cache_heals(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("SNNZOO_CACHE_DIR", str(tmp_path))
    constant = 1.0 + len(damage) / 1000
    expected = unique_run(constant)
    folder = kernel_cache.cache_dir()
    files = {"module": folder.glob("*.py"), "truncated module": folder.glob("*.py"),
             "index": folder.glob("__pycache__/*.nbi"), "data": folder.glob("__pycache__/*.nbc")}[damage]
    for file in files:
        file.write_bytes(file.read_bytes()[:40] if damage.startswith("truncated") else b"garbage\n")
    forget_kernels()
    assert unique_run(constant) == expected
    forget_kernels()
    assert unique_run(constant) == expected  # and it stays healed


def test_an_unusable_cache_folder_compiles_in_memory_with_a_notice(tmp_path, monkeypatch, capsys):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("SNNZOO_CACHE_DIR", str(tmp_path / "file"))  # a file where the folder should be
    kernel_cache._noticed.clear()
    assert unique_run(2.5) == pytest.approx(2.5 * (1 - 0.99**2))
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "kernel cache" in err[0] and "compiling in memory" in err[0]


def test_concurrent_processes_share_a_fresh_cache(tmp_path):
    script = textwrap.dedent("""
        import snnzoo as sz
        from snnzoo import ureg as u
        net = sz.Network(dt=0.1 * u.ms, seed=1)
        net.add_population("p", sz.NeuronModel("m", "dv/dt = (7.25 - v)/tau : 1", {"tau": "10 ms"}), 4)
        net.record("p", "v")
        net.run(1 * u.ms)
        print(net.result()["p"]["v"].values[-1, 0])
    """)
    env = {**os.environ, "SNNZOO_CACHE_DIR": str(tmp_path)}
    processes = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    assert len({out for out, _ in outputs}) == 1
    assert not list(tmp_path.rglob("*.tmp"))


# -- the simulation's own limits and the user's functions -------------------------------------------------------


def test_a_run_of_more_steps_than_can_be_counted_is_refused():
    net = sz.Network(dt=1e-300 * u.s)
    net.add_population("p", "lif", 1)
    with pytest.raises(ConfigError, match="1e\\+297 steps of dt"):
        net.run(1 * u.ms)


@pytest.mark.parametrize("function, fragment", [
    (lambda t, i: 1 / 0, "raised ZeroDivisionError"),
    (lambda t, i: np.zeros((3, 7)), "returned shape (3, 7)"),
    (lambda t, i: np.full(t.shape, np.nan), "NaN or infinite"),
    (lambda t, i: "text", "raised ValueError"),
])
def test_a_user_function_that_fails_is_named(function, fragment):
    net = decay(equations="dv/dt = (I*ohm/volt - v)/tau : 1\nI : amp")
    net.add_stimulus(sz.stimulus("function_current", function=function), "p")
    with pytest.raises(SimulationError, match="^stimulus 'function_current' on population 'p' \\(variable 'I'\\)") \
            as info:
        net.run(1 * u.ms)
    assert fragment in str(info.value)


def test_a_stimulus_function_of_an_experiment_that_fails_is_named_by_its_table(tmp_path):
    """It was named "input function of population 'cell' (variable 'I')": which of several stimuli was unclear."""
    path = tmp_path / "nan.toml"
    path.write_text('''dt = "0.1 ms"
duration = "20 ms"
[populations.cell]
model = "lif"
size = 2
[stimuli.steady]
type = "constant_current"
population = "cell"
amplitude = "0.1 nA"
[stimuli.wave]
type = "function_current"
population = "cell"
function = "amplitude*log(1 - t/(10*ms))"
parameters = { amplitude = "1 nA" }
''')
    with pytest.raises(SimulationError) as info:
        Experiment.load(path).run()
    assert str(info.value) == (f"experiment file {path}: stimulus 'wave' (function_current) on population 'cell' "
                               "(variable 'I'): the function gave NaN or infinite values")


@pytest.mark.parametrize("equations, parameters, message", [
    ("dv/dt = (E_L - v + I/g_L)/tau : volt", {"E_L": "-70 mV", "g_L": "10", "tau": "10 ms"},
     "inconsistent units between terms: 'E_L' is in mV [voltage] but 'I/g_L' is in A [current]"),
    ("dv/dt = (E_L - v)/tau : volt", {"E_L": "-70 mV", "tau": "10"},
     "the right-hand side is in mV [voltage] but dv/dt must be in V / s [voltage] / [time]"),
])
def test_an_equation_whose_units_fail_names_its_dimensionless_parameters(equations, parameters, message):
    with pytest.raises(EquationError) as info:
        sz.NeuronModel("m", equations + "\nI : amp", parameters)
    unitless = [name for name, value in parameters.items() if " " not in value]
    assert str(info.value).endswith(f"{message} (dimensionless parameters in it: {', '.join(unitless)}; did a "
                                    "default lose its unit, e.g. '100' for '100 pF'?)")


@pytest.mark.parametrize("make", [sz.NeuronModel, sz.SynapseModel])
@pytest.mark.parametrize("references", ["Izhikevich EM (2003)", [2003], 2003])
def test_references_that_are_not_a_list_of_strings_are_refused(make, references):
    with pytest.raises(ConfigError) as info:
        make("m", "x : 1", references=references)
    assert str(info.value).endswith(f"'m': references: expected a list of strings, e.g. ['Izhikevich EM (2003) ...'], "
                                    f"got {references!r}")


class _Fragile:
    """A third-party stimulus whose constructor fails on its setting."""

    name, description = "fragile", "breaks when made"

    def __init__(self, amplitude):
        float(amplitude)

    def drives(self, size, unit):
        return []

    def to_dict(self):
        return {"type": self.name}


class _Bare(_Fragile):
    """A third-party stimulus that takes no settings."""

    name = "bare"

    def __init__(self):
        pass


@pytest.mark.parametrize("kind, settings, error, message", [
    (_Fragile, {"amplitude": "1 nA"}, PluginError,
     "stimulus 'fragile': making it raised ValueError: could not convert string to float: '1 nA'"),
    (_Bare, {"amplitude": "1 nA"}, ConfigError, "stimulus 'bare': unknown setting 'amplitude' (it takes no settings)"),
])
def test_a_plugin_stimulus_that_cannot_be_made_is_named(kind, settings, error, message):
    registry = get_registry()
    with registry.registering_as("stimulus_plugin"):
        registry.add_stimulus(kind)
    try:
        with pytest.raises(error) as info:
            sz.stimulus(kind.name, **settings)
        assert str(info.value) == message
    finally:
        registry.remove_plugin("stimulus_plugin")


class _PluginStimulus:
    """A third-party stimulus whose drives() returns ``made()``."""

    name, description = "plugin_current", "a plugin's current"

    def __init__(self, made):
        self.made = made

    def drives(self, size, unit):
        return self.made()

    def to_dict(self):
        return {"type": self.name}


@pytest.mark.parametrize("made, fragment", [
    (lambda: 1 / 0, "drives() raised ZeroDivisionError: division by zero"),
    (lambda: PiecewiseDrive([0.0], [[1e-10]]),
     "drives() returned PiecewiseDrive(times=[0.0], values=[[1e-10]]); expected a list of PiecewiseDrive, "
     "FunctionDrive, GaussianDrive, OUDrive"),
    (lambda: [("not", "a drive")], "drives() returned [('not', 'a drive')]; expected a list of PiecewiseDrive"),
    (lambda: [PiecewiseDrive([0.0], [[1e-10] * 7])],
     "drives() returned a PiecewiseDrive: 'values' has shape (1, 7); expected (1, 1) or (1, 3) for 3 neurons"),
    (lambda: [PiecewiseDrive([0.0, 1e-3], [[0.0], [np.nan]])],
     "drives() returned a PiecewiseDrive: 'values' is not finite: [[0.0], [nan]]"),
    (lambda: [PiecewiseDrive([1e-3, 0.0], [[0.0], [1e-10]])],
     "'times' are [0.001, 0.0]; expected increasing times (s)"),
    (lambda: [GaussianDrive(0.0, -1e-10)], "drives() returned a GaussianDrive: 'std' is negative"),
    (lambda: [OUDrive(0.0, 1e-10, 0.0)], "'tau' is 0.0 s; expected a positive time constant"),
    (lambda: [OUDrive(0.0, [1e-10] * 3, 1e-3, shared=True)],  # numpy's broadcast ValueError in the engine
     "drives() returned an OUDrive: 'sigma' has shape (3,); expected () or (1,) for 3 neurons"),
])
def test_a_plugin_stimulus_whose_drives_are_wrong_is_named_when_added(made, fragment):
    net = sz.Network(seed=1)
    net.add_population("p", "lif", 3)
    with pytest.raises(PluginError) as info:
        net.add_stimulus(_PluginStimulus(made), "p", "I")
    assert str(info.value).startswith("stimulus 'plugin_current': drives() ") and fragment in str(info.value)
    assert "\n" not in str(info.value)


class _FailingStimulus:
    """A third-party stimulus of form ``form`` whose methods raise, and whose to_dict() returns ``settings``."""

    name, description = "plugin_current", "a plugin's current"

    def __init__(self, form, settings):
        self.form, self.settings = form, settings

    def __getattr__(self, method):
        if method != self.form:
            raise AttributeError(method)
        return lambda *arguments: [][0]

    def to_dict(self):
        return self.settings


@pytest.mark.parametrize("form, settings, message", [
    ("attach", {}, "stimulus 'plugin_current': attach() raised IndexError: list index out of range"),
    ("source", {}, "stimulus 'plugin_current': source() raised IndexError: list index out of range"),
    ("drives", None, "stimulus 'plugin_current': to_dict() returned None; expected a dict of its settings"),
])
def test_a_plugin_stimulus_whose_methods_fail_is_named(form, settings, message):
    net = sz.Network(seed=1)
    net.add_population("p", "lif", 3)
    stimulus = _FailingStimulus(form, settings)
    with pytest.raises(PluginError) as info:
        net.add_source("s", stimulus) if form == "source" else net.add_stimulus(stimulus, "p", "I")
    assert str(info.value) == message


class _BrokenIntegrator:
    """A third-party integrator whose update() divides by zero."""

    name, description = "broken", "raises"

    def update(self, system):
        return [(x, 1 / 0) for x in system.variables]


def test_a_run_with_a_broken_plugin_integrator_names_it():
    """The engine asked the integrator for its update directly: a bug in it was a raw ZeroDivisionError from
    the code generator. It goes through the check the conformance kit uses (integrators.integrated)."""
    net = sz.Network(seed=1, integrator=_BrokenIntegrator())
    net.add_population("p", "lif", 3)
    with pytest.raises(PluginError) as info:
        net.run(1 * u.ms)
    assert str(info.value) == "integrator 'broken': update() raised ZeroDivisionError: division by zero"


def _two_populations() -> sz.Network:
    net = sz.Network(seed=1)
    net.add_population("a", "lif", 3)
    net.add_population("b", "lif", 3)
    return net


@pytest.mark.parametrize("make, shown", [
    (lambda: sz.Network(seed=1).add_population("p", "lif", 3, refractory=-2 * u.ms), "got -2 ms"),
    (lambda: sz.Network(seed=5 * u.ms), "got 5 ms"),
    (lambda: sz.Network(seed=1).add_population("p", "lif", 3 * u.ms), "got 3 ms"),
    (lambda: _two_populations().connect("a", "b", on="v", weight=1 * u.mV, p=2 * u.ms), "got 2 ms"),
    (lambda: _two_populations().add_poisson_input("b", "v", N=3 * u.ms, rate=5 * u.Hz, weight=1 * u.mV), "got 3 ms"),
])
def test_errors_show_a_quantity_as_its_value_and_unit(make, shown):
    with pytest.raises(SnnzooError) as error:
        make()
    assert str(error.value).endswith(shown) and "Quantity" not in str(error.value)


@pytest.mark.parametrize("arguments, message", [
    ({"parameters": {"tauu": 5 * u.ms}},
     "unknown parameter of population 'p' (model 'm') 'tauu'; did you mean 'tau'? (known: tau)"),
    ({"initial": {"w": 1 * u.mV}}, "unknown initial value of population 'p' (model 'm') 'w' (known: v)"),
])
def test_an_unknown_parameter_or_initial_value_lists_the_names_of_its_kind(arguments, message):
    """Both listed every parameter and variable ('known: tau, v'), so that v looked like a parameter to give."""
    net = sz.Network(dt=0.1 * u.ms)
    with pytest.raises(UnknownNameError) as refused:
        net.add_population("p", sz.NeuronModel("m", "dv/dt = -v/tau : volt", {"tau": "10 ms"}), 2, **arguments)
    assert str(refused.value) == message


@pytest.mark.parametrize("setting", ["abc", "2 kg", "-1 GiB"])
def test_a_bad_memory_limit_setting_is_named_as_the_environments_not_an_experiments(setting, monkeypatch, capsys):
    """'abc' was "experiment 'lif-decay': [populations.decay]: SNNZOO_MEMORY_LIMIT: cannot read 'abc' as a
    quantity ...; did you mean 'abC'?" (abcoulomb)."""
    monkeypatch.setenv("SNNZOO_MEMORY_LIMIT", setting)
    assert main(["run", "lif-spike-input", "-q"]) == 2
    assert capsys.readouterr().err == (f"snnzoo: error: SNNZOO_MEMORY_LIMIT: expected an amount of memory such as "
                                       f"'2 GiB', got {setting!r}\n")

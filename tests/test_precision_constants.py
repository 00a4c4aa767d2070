"""Numbers written in a model's statements that float32 cannot hold: refused before anything runs or is
written, naming the population, its model and the statement (it named none of them: "a constant of the
model's equations = 1e+300 overflows"), in Python, in an experiment file and at the command line."""

from __future__ import annotations

import re

import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.catalog.experiment import Experiment
from snnzoo.cli import main
from snnzoo.errors import ConfigError

BIG = "dv/dt = -v/tau + 1e300*x/second : 1"
EQUATIONS = f"{BIG}\nx : 1"


def _single(model: sz.NeuronModel, **population) -> sz.Network:
    net = sz.Network(precision="single", seed=0)
    net.add_population("p", model, 2, **population)
    return net


def test_a_constant_of_an_equation_names_the_population_model_and_equation_without_parsing_a_summarised_model(
        tmp_path, monkeypatch):
    monkeypatch.setenv("SNNZOO_CACHE_DIR", str(tmp_path))
    arguments = {"name": "big", "equations": EQUATIONS, "parameters": {"tau": 10 * u.ms}}
    message = (f"population 'p' (model 'big'): equation '{BIG}': the constant (in SI units) = 1e+300 overflows in "
               "single precision (float32 holds magnitudes from 1.18e-38 to 3.4e+38); use precision 'double'")
    assert "equations" in vars(sz.NeuronModel(**arguments))  # parsed, and summarised without its constants
    models = []
    for _ in range(2):  # the first check finds the constants and keeps them in the summary, for the next start
        models.append(sz.NeuronModel(**arguments))
        net = _single(models[-1])
        with pytest.raises(ConfigError) as error:
            net.run(1 * u.ms)
        assert str(error.value) == message and net.step == 0
    parsed, summarised = models
    assert "equations" in vars(parsed)  # made from a summary without the constants: parsed to find them
    assert "equations" not in vars(summarised)  # the check read the summary: no sympy parse on a warm start
    double = sz.Network(seed=0)
    double.add_population("p", parsed, 2)
    double.run(1 * u.ms)


@pytest.mark.parametrize("model, statement, value", [
    (sz.NeuronModel("m", "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 1e-45"), "reset 'v = 1e-45'",
     "1e-45 underflows"),
    (sz.NeuronModel("m", "dv/dt = -v/(10*ms) : 1", threshold="v > 1e39"), "threshold 'v > 1e39'", "1e+39 overflows"),
    # a subexpression's number times the one of the equation that reads it: the kernel holds the product
    (sz.NeuronModel("m", "dv/dt = 1e-30*I/second : 1\nI = 1e-20*v : 1"), "equation 'dv/dt = 1e-30*I/second : 1'",
     "1e-50 underflows"),
    (sz.NeuronModel("m", "dv/dt = -v/(1e-40*second) : 1"), "equation 'dv/dt = -v/(1e-40*second) : 1'",
     "1e+40 overflows"),
    (sz.NeuronModel("m", "dv/dt = -v/(10*ms) : volt", threshold="v > 1*mV", refractory="v > 1e-41*mV"),
     "refractory 'v > 1e-41*mV'", "1e-44 underflows"),
])
def test_each_kind_of_model_statement_is_named(model, statement, value):
    with pytest.raises(ConfigError, match=re.escape(f"population 'p' (model 'm'): {statement}: the constant "
                                                    f"(in SI units) = {value} in single precision")):
        _single(model).run(1 * u.ms)


def test_a_projections_effect_a_regular_operation_and_a_populations_refractory_condition_are_named():
    model = sz.NeuronModel("m", "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0")
    projection = _single(model)
    projection.connect("p", "p", "v += 1e-50*w", all_to_all=True, weight=1.0, name="S")
    with pytest.raises(ConfigError, match=re.escape("projection 'S' onto 'p' (model 'm'): effect 'v += 1.0e-50*w': "
                                                    "the constant (in SI units) = 1e-50 underflows in single")):
        projection.run(1 * u.ms)
    operation = _single(model)
    operation.run_regularly("p", "v += 1e45*v", 1 * u.ms)
    with pytest.raises(ConfigError, match=re.escape("population 'p' (model 'm'): regular operation "
                                                    "'v += 1.0e+45*v': the constant (in SI units) = 1e+45 overflows")):
        operation.run(1 * u.ms)
    refractory = _single(model, refractory="v > 1e-40")
    with pytest.raises(ConfigError, match=re.escape("population 'p' (model 'm'): refractory condition "
                                                    "'v > 1.0e-40': the constant (in SI units) = 1e-40 underflows")):
        refractory.run(1 * u.ms)


EXPERIMENT = f"""duration = "1 ms"
[models.big]
equations = '''
{EQUATIONS}
'''
parameters = {{ tau = "10 ms" }}
[populations.p]
model = "big"
size = 2
"""


def test_an_experiment_and_the_command_line_refuse_it_in_one_line_and_write_nothing(tmp_path, capsys):
    spec = tmp_path / "big.toml"
    spec.write_text(EXPERIMENT)
    named = f"population 'p' (model 'big'): equation '{BIG}': the constant (in SI units) = 1e+300 overflows"
    with pytest.raises(ConfigError, match=re.escape(named)):
        Experiment.load(str(spec), ['precision="single"']).run()
    single = tmp_path / "single.toml"
    single.write_text('precision = "single"\n' + EXPERIMENT)
    for argv in (["run", str(spec), "--precision", "single"], ["run", str(single)]):
        output = tmp_path / "out.nc"
        assert main([*argv, "-q", "-o", str(output)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and err.startswith("snnzoo: error: ") and named in err, err
        assert sorted(path.name for path in tmp_path.iterdir()) == ["big.toml", "single.toml"]
    assert Experiment.load(str(spec)).run().attrs["precision"] == "double"


def test_a_constant_the_integrator_derives_is_refused_naming_the_population_and_model():
    """Every number written fits, but rk4's dt/2 halves 2e-38 into one float32 cannot hold as a normal number."""
    model = sz.NeuronModel("edge", "dv/dt = -2e-38*v/second + 1/second : 1")
    with pytest.raises(ConfigError, match=re.escape("population 'p' (model 'edge'): its equations as its integrator "
                                                    "computes them: a constant (in SI units) = 1e-38 underflows in "
                                                    "single precision")):
        _single(model, integrator="rk4").run(1 * u.ms)
    euler = _single(model, integrator="euler")
    euler.run(1 * u.ms)
    assert euler.population("p").v.magnitude == pytest.approx([1e-3, 1e-3], rel=1e-6)



def test_a_statement_of_the_network_that_reads_a_subexpression_is_checked_with_it_substituted_in():
    """The kernel computes 1e-45*I with I = 2*v substituted in: it holds 2e-45."""
    model = sz.NeuronModel("leaky", "dv/dt = (I - v)/tau : 1\nI = 2*v : 1", {"tau": 10 * u.ms})
    net = _single(model)
    net.run_regularly("p", "v += 1e-45*I", 1 * u.ms, name="reads")
    with pytest.raises(ConfigError, match=re.escape("population 'p' (model 'leaky'): regular operation 'v += 1.0e-45*I': "
                                                    "the constant (in SI units) = 2e-45 underflows")):
        net.check_precision_fits()


def _stdp_like(on_pre: str, equations: str = "w : 1\ndApre/dt = -Apre/taupre : 1 (event-driven)") -> sz.Network:
    net = sz.Network(precision="single", seed=0)
    net.add_source("pre", sz.stimulus("spike_generator", times=[1] * u.ms))
    net.add_population("post", "lif_song", 1)
    net.connect("pre", "post", synapse=sz.SynapseModel("jump", equations, {"taupre": "20 ms"}, on_pre=on_pre),
                all_to_all=True, initial={"w": 1.0}, name="drive")
    return net


@pytest.mark.parametrize("on_pre, equations", [
    ("ge += 1e40*w", "w : 1\ndApre/dt = -Apre/taupre : 1 (event-driven)"),
    ("ge_post += w*big", "w : 1\nbig = 1e40 : 1\ndApre/dt = -Apre/taupre : 1 (event-driven)"),  # substituted in
])
def test_a_synapse_statement_writing_a_neuron_with_a_constant_float32_cannot_hold_is_refused_before_the_run(
        on_pre, equations):
    """The neuron's ge is float32: 1e40*w made it infinite at the first spike, the error naming the step."""
    net = _stdp_like(on_pre, equations)
    with pytest.raises(ConfigError, match=re.escape(f"projection 'drive': synapse model 'jump': on_pre '{on_pre}': the "
                                                    "constant (in SI units) = 1e+40 overflows in single precision")):
        net.run(3 * u.ms)
    assert net.step == 0


def test_a_summed_variable_is_checked_and_the_synapses_own_state_is_not():
    cell = sz.NeuronModel("cell", "dv/dt = (g_total - v)/(10*ms) : 1\ng_total : 1")
    net = sz.Network(precision="single", seed=0)
    net.add_population("post", cell, 1)
    net.connect("post", "post", synapse=sz.SynapseModel("sum", "w : 1\ng_total_post = 1e50*w : 1 (summed)"),
                all_to_all=True, initial={"w": 1e-45}, name="gap")
    with pytest.raises(ConfigError, match=re.escape("projection 'gap': synapse model 'sum': equation 'g_total_post = "
                                                    "1e50*w : 1 (summed)': the constant (in SI units) = 1e+50")):
        net.check_precision_fits()
    own = _stdp_like("Apre += 1e40; ge += w")  # Apre is float64, as every synaptic variable
    own.run(3 * u.ms)
    assert own.population("post").ge.magnitude[0] > 0

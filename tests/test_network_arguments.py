"""Malformed arguments of a network's groups and projections: the error names the argument and what is
wrong with it (docs/bad-input.md, "malformed expressions" and "quantity texts read as expressions")."""

from __future__ import annotations

import re

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import ConfigError, EquationError, UnitError, ValueRangeError


def _network() -> sz.Network:
    net = sz.Network(seed=1)
    net.add_population("A", "lif", 3)
    return net


def test_a_projection_with_neither_on_nor_synapse_says_neither():
    with pytest.raises(ConfigError, match=r"^projection 'A_to_A': give on \(what a spike does, e\.g\. on='v' or "
                                          r"on='ge \+= w'\) or synapse \(a synapse model\); got neither$"):
        _network().connect("A", "A", weight=1 * u.mV, p=1.0)  # it said "..., not both"
    with pytest.raises(ConfigError, match="not both"):
        _network().connect("A", "A", on="v", synapse="stdp", p=1.0)


IMAGINARY = "a term is not a real number (it holds the imaginary unit), as from log(-1) or sqrt(-2)"


@pytest.mark.parametrize("make", [
    lambda: _network().connect("A", "A", on="v", weight="log(-1)*mV", p=1.0),
    lambda: _network().connect("A", "A", on="v", weight=1 * u.mV, p="sqrt(-1)"),
    lambda: sz.NeuronModel("m", "dv/dt = sqrt(-2)*v/tau : 1", {"tau": "10 ms"}),
    lambda: sz.NeuronModel("m", "dv/dt = -v/tau : 1", {"tau": "10 ms"}, threshold="v > 1", reset="v = log(-2)"),
])
def test_an_imaginary_constant_is_named_as_such_not_as_a_variable_I(make):
    with pytest.raises(EquationError, match=re.escape(IMAGINARY)) as caught:
        make()  # "cannot check the units of I", as if the input current I were at fault
    assert "cannot check the units" not in str(caught.value)


def test_a_model_may_still_call_its_current_I():
    model = sz.NeuronModel("m", "dv/dt = (I - v)/tau : 1\nI : 1", {"tau": "10 ms"})
    assert "I" in model.variables


@pytest.mark.parametrize("where, value, error, said", [
    ("initial", "20 degC", UnitError, "initial value 'v': '20 degC': the offset unit degree_Celsius is not supported"),
    ("parameters", "inf ms", ValueRangeError, "parameter 'tau_m': must be finite (not NaN or infinite), got 'inf ms'"),
    ("refractory", "nan ms", ValueRangeError, "refractory: must be finite (not NaN or infinite), got 'nan ms'"),
    ("refractory", "5 mv", UnitError, "refractory: cannot read '5 mv' as a quantity ('mv' is not defined in the unit "
                                      "registry); did you mean '5 mV'?"),
])
def test_a_quantity_text_the_units_refuse_gets_their_reason_not_a_syntax_error(where, value, error, said):
    arguments = {"refractory": value} if where == "refractory" else {where: {"tau_m" if where == "parameters" else "v":
                                                                            value}}
    with pytest.raises(error, match=r"^population 'B'") as caught:
        _network().add_population("B", "lif", 2, **arguments)  # "cannot parse '20 degC' (invalid syntax)"
    assert said in str(caught.value)


@pytest.mark.parametrize("weight, said", [
    ("5 mv", "weight: cannot read '5 mv' as a quantity ('mv' is not defined in the unit registry); did you mean '5 mV'?"),
    ("inf mV", "weight: must be finite (not NaN or infinite), got 'inf mV'"),
    ("2 +", "weight: cannot parse '2 +' (invalid syntax)"),  # no unit: a broken expression
    ("v +", "weight: cannot parse 'v +' (invalid syntax)"),
])
def test_a_weight_text_is_refused_for_what_is_wrong_with_it(weight, said):
    with pytest.raises(sz.SnnzooError) as caught:
        _network().connect("A", "A", on="v", weight=weight, p=1.0)
    assert str(caught.value) == f"projection 'A_to_A': {said}"


def test_a_dense_matrix_is_counted_for_the_memory_check_without_a_copy(monkeypatch):
    """60 000 x 60 000 booleans (3.6 GB) were made sparse to count them: numpy's MemoryError for 53.6 GiB,
    before the memory check could refuse the 3.6e9 synapses."""
    import tracemalloc

    from snnzoo.network.connectivity import expected_count

    matrix = np.ones((2000, 2000), dtype=bool)
    tracemalloc.start()
    try:
        assert expected_count({"matrix": matrix}, 2000, 2000) == 4_000_000
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # the sparse copy took 106 MB
    monkeypatch.setenv("SNNZOO_MEMORY_LIMIT", "50MB")
    net = sz.Network(seed=1)
    net.add_population("A", "lif", 2000)
    with pytest.raises(sz.SimulationError, match=r"^projection 'A_to_A' \(about 4e\+06 synapses while they are drawn\) "
                                                 "would need"):
        net.connect("A", "A", on="v", weight=1 * u.mV, matrix=matrix)


@pytest.mark.parametrize("name, value", [("dt", 0.05 * u.ms), ("precision", "half"), ("seed", "x"), ("threads", 1),
                                         ("integrator", "rk4"), ("groups", {})])
def test_a_networks_settings_and_parts_are_read_only(name, value):
    """``net.dt = 0.05*ms`` (Brian2's defaultclock.dt = ...) replaced dt in silence (a kernel already built kept
    the old one; seconds divided by a quantity before), ``net.seed = "x"`` was numpy's TypeError at the run."""
    net = _network()
    before = getattr(net, name)
    with pytest.raises(ConfigError, match=rf"^Network: {name} is read-only \(fixed "):
        setattr(net, name, value)
    assert getattr(net, name) is before
    net.run(0.2 * u.ms)
    assert net.t.to("ms").magnitude == pytest.approx(0.2)


@pytest.mark.parametrize("count", [2**53 + 1, 2**63, 2**70])
def test_a_poisson_input_of_more_inputs_than_a_draw_counts_is_refused(count):
    net = _network()
    with pytest.raises(ConfigError, match=rf"^Poisson input 'poisson_input_0': N \(the number of inputs\) = {count} "
                                          r"is more than the 9007199254740992 \(2\*\*53\)"):
        net.add_poisson_input("A", "v", count, 1 * u.Hz, 1 * u.uV)  # an OverflowError or numba's TypingError
    net.add_poisson_input("A", "v", 2**53, 1e-12 * u.Hz, 1 * u.uV)
    net.run(0.2 * u.ms)


@pytest.mark.parametrize("weight", [np.bool_(True), np.array([True, False] * 6)])
def test_a_numpy_boolean_weight_is_refused_as_a_boolean_is(weight):
    net = sz.Network(seed=1)
    net.add_population("G", "lif_song", 4)
    with pytest.raises(UnitError, match="^projection 'G_to_G': weight: expected a quantity with a unit, got the boolean"):
        net.connect("G", "G", on="ge", weight=weight, p=1.0)  # np.True_ was taken as the weight 1


def test_on_of_the_wrong_kind_and_an_effect_whose_weight_is_per_unit_say_what_is_expected():
    net = sz.Network(seed=1)
    net.add_population("G", "lif_song", 4)
    with pytest.raises(ConfigError, match=r"^projection 'G_to_G': on: expected the name of a variable or synaptic "
                                          r"target \(e\.g\. 'v'\) or statements linear in w \(e\.g\. 'ge \+= w'\), got 3$"):
        net.connect("G", "G", on=3, weight=1, p=1.0)  # Python's "argument of type 'int' is not iterable"
    # it said "... of dimension [time] ** 3 * [current] / [mass] / [length] ** 2 (e.g. '1 1 / mV')"
    with pytest.raises(UnitError, match=r"^projection 'G_to_G': weight: expected a quantity of dimension "
                                        r"1 / \[voltage\] \(e\.g\. '1/mV'\), got the plain number 1$"):
        net.connect("G", "G", on="ge += w*mV", weight=1, p=1.0)


@pytest.mark.parametrize("integrator", [3, object(), None.__class__])
def test_an_integrator_that_is_no_integrator_is_refused_where_it_is_given(integrator):
    # it failed at the first run: "integrator 'int': update() raised AttributeError: ..."
    said = r"^integrator: expected a registered integrator's name \(e\.g\. 'rk4'\) or an integrator object with a name "
    with pytest.raises(ConfigError, match=said):
        sz.Network(integrator=integrator)
    with pytest.raises(ConfigError, match=said):
        _network().add_population("B", "lif", 2, integrator=integrator)


@pytest.mark.parametrize("variables", [3, ["v", 3], None])
def test_recorded_variables_of_the_wrong_kind_are_named(variables):
    with pytest.raises(ConfigError, match=r"^record 'A': expected one or more distinct variables to record, got "):
        _network().record("A", variables)  # 3 was Python's "'int' object is not iterable"


@pytest.mark.parametrize("i, j", [([[0, 1]], [1, 2]), ([0, 1], [[1], [2]])])
def test_index_arrays_of_more_than_one_dimension_are_refused_not_flattened(i, j):
    """[[0, 1]] was flattened to [0, 1] in silence: which pairs a nested list means is a guess."""
    net = sz.Network()
    net.add_population("A", "lif", 3)
    with pytest.raises(ConfigError, match=r"^projection 'A_to_A': index array [ij]: expected a list of indices \(one "
                                          r"dimension\), got an array of shape \((1, 2|2, 1)\)$"):
        net.connect("A", "A", on="v", weight=1 * u.mV, i=i, j=j)
    assert net.projections == {}

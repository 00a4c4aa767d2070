"""Units at the API boundary: pint arithmetic, parameter checks, clear errors for bad sizes and names."""

from __future__ import annotations

import numpy as np
import pint
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import ConfigError, SnnzooError, UnitError, UnknownNameError
from snnzoo.units import dimension_of, show_si

# -- pint arithmetic through snnzoo's registry -------------------------------------------------------------


def test_ohms_law_gives_millivolts():
    v = 1 * u.nA * 5 * u.Mohm
    assert v.to(u.mV).magnitude == pytest.approx(5.0, rel=1e-12)
    assert v == 5 * u.mV


def test_adding_current_and_voltage_is_a_dimensionality_error():
    with pytest.raises(pint.DimensionalityError):
        1 * u.nA + 5 * u.mV


def test_neuroscience_unit_spellings_exist():
    assert (1 * u.Gohm).to(u.Mohm).magnitude == pytest.approx(1000)
    assert (1 * u.umetre).to(u.meter).magnitude == pytest.approx(1e-6)
    # the registry is pint's application registry, so quantities made elsewhere mix with snnzoo's
    other = pint.get_application_registry().Quantity(2, "mV")
    assert (other + 1 * u.mV).to("mV").magnitude == pytest.approx(3)


# -- parameters -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, value, unit", [("C", 200, u.pF), ("gL", 10, u.nS), ("tau_w", 30, u.ms), ("Vr", -58, u.mV)])
def test_plain_number_for_a_parameter_with_a_unit_is_rejected(name, value, unit):
    with pytest.raises(UnitError) as info:
        sz.Network().add_population("a", "adex", 1, parameters={name: value})
    message = str(info.value)
    assert repr(name) in message
    assert dimension_of(unit) in message  # the expected dimension, e.g. [capacitance]
    assert str(value) in message


@pytest.mark.parametrize("value", [200 * u.mV, "200 mV", {"value": 200, "unit": "mV"}])
def test_wrong_dimension_for_a_parameter_is_rejected(value):
    with pytest.raises(UnitError) as info:
        sz.Network().add_population("a", "adex", 1, parameters={"C": value})
    message = str(info.value)
    assert "'C'" in message
    assert dimension_of(u.pF) in message
    assert dimension_of(u.mV) in message
    assert "200" in message


def test_wrong_dimension_in_a_per_neuron_array_is_rejected():
    with pytest.raises(UnitError, match="'gL'"):
        sz.Network().add_population("a", "adex", 2, parameters={"gL": [10, 12] * u.pA})


@pytest.mark.parametrize("value", [0.2 * u.nF, "200 pF", "0.0002 uF", {"value": 200, "unit": "pF"}])
def test_parameters_are_converted_to_si(value):
    pop = sz.Network().add_population("a", "adex", 3, parameters={"C": value})
    got = pop.get("C")
    assert got.units == u.farad
    np.testing.assert_allclose(got.magnitude, [2e-10] * 3, rtol=1e-12)


def test_per_neuron_parameters_and_wrong_length():
    pop = sz.Network().add_population("a", "adex", 3, parameters={"C": [100, 150, 200] * u.pF})
    np.testing.assert_allclose(pop.get("C").magnitude, [1e-10, 1.5e-10, 2e-10], rtol=1e-12)
    with pytest.raises(ConfigError, match="3 values"):
        sz.Network().add_population("b", "adex", 3, parameters={"C": [100, 200] * u.pF})


def test_dimensionless_parameters_take_plain_numbers():
    model = sz.NeuronModel("scaled", "dx/dt = -k*x/tau : 1", {"k": 2, "tau": 10 * u.ms})
    pop = sz.Network().add_population("a", model, 2, parameters={"k": 3})
    np.testing.assert_allclose(pop.get("k").magnitude, [3, 3])
    with pytest.raises(UnitError, match="'k'"):
        sz.Network().add_population("b", model, 2, parameters={"k": 3 * u.mV})


def test_unknown_parameter_name_suggests_the_closest():
    with pytest.raises(UnknownNameError, match="did you mean 'C_m'"):
        sz.Network().add_population("a", "adex", 1, parameters={"C_x": 1 * u.pF})


def test_initial_values_as_expressions_per_neuron():
    pop = sz.Network().add_population(
        "a", "adex", 2, parameters={"EL": [-70, -60] * u.mV}, initial={"v": "EL + 5*mV", "w": 10 * u.pA}
    )
    np.testing.assert_allclose(pop.get("v").to("mV").magnitude, [-65, -55], rtol=1e-12)
    np.testing.assert_allclose(pop.get("w").magnitude, [1e-11, 1e-11], rtol=1e-12)
    with pytest.raises(SnnzooError, match="'v'"):
        sz.Network().add_population("b", "adex", 1, initial={"v": "EL/ms"})


def test_stimulus_amplitude_needs_a_current():
    net = sz.Network()
    net.add_population("a", "adex", 1)
    with pytest.raises(UnitError, match="amplitude"):
        net.add_stimulus(sz.stimulus("constant_current", amplitude=500), "a")
    with pytest.raises(UnitError, match="amplitude"):
        net.add_stimulus(sz.stimulus("constant_current", amplitude=500 * u.mV), "a")


def test_refractory_needs_a_time():
    with pytest.raises(UnitError, match="refractory"):
        sz.Network().add_population("a", "adex", 1, refractory=2 * u.mV)
    with pytest.raises(UnitError, match="refractory"):
        sz.NeuronModel("m", "dv/dt = -v/tau : volt", {"tau": 10 * u.ms}, refractory=-1 * u.ms)


# -- dt, duration, sizes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("dt", [0 * u.ms, -0.1 * u.ms, float("nan") * u.ms, float("inf") * u.ms])
def test_non_positive_or_non_finite_dt(dt):
    with pytest.raises(UnitError, match="dt"):
        sz.Network(dt=dt)


@pytest.mark.parametrize("dt", [0.1, 0.1 * u.mV])
def test_dt_needs_a_time(dt):
    with pytest.raises(UnitError, match=r"dt.*\[time\]"):
        sz.Network(dt=dt)


def test_dt_as_text():
    assert sz.Network(dt="0.05 ms").dt == pytest.approx(5e-5, rel=1e-12)


@pytest.mark.parametrize("duration", [0 * u.ms, -5 * u.ms, 5, 5 * u.mV])
def test_bad_durations(duration):
    net = sz.Network(dt=0.1 * u.ms)
    net.add_population("a", "lif", 1)
    with pytest.raises(UnitError, match="duration"):
        net.run(duration)


def test_duration_must_be_whole_steps():
    net = sz.Network(dt=0.1 * u.ms)
    net.add_population("a", "lif", 1)
    with pytest.raises(ConfigError, match="whole number of steps"):
        net.run(0.15 * u.ms)


@pytest.mark.parametrize("size", [0, -3, 2.5, True, "4"])
def test_population_size_must_be_a_positive_integer(size):
    with pytest.raises(ConfigError, match=r"size must be a whole number >= 1") as info:
        sz.Network().add_population("a", "lif", size)
    assert repr(size) in str(info.value)


def test_numpy_integer_sizes_are_fine():
    pop = sz.Network().add_population("a", "lif", np.int64(3))
    assert pop.size == 3


# -- unknown names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, kind, suggestion",
    [
        (lambda: sz.Network().add_population("a", "adexx", 1), "model", "adex"),
        (lambda: sz.model("hh_trub"), "model", "hh_traub"),
        (lambda: sz.stimulus("constant_curent", amplitude=1 * u.nA), "stimulus", "constant_current"),
        (lambda: sz.Network().add_population("a", "lif", 1, integrator="rk5"), "integrator", "rk4"),
        (lambda: sz.Network(integrator="eular").add_population("a", "lif", 1), "integrator", "euler"),
        (lambda: sz.integrator("exponential_euer"), "integrator", "exponential_euler"),
    ],
)
def test_unknown_names_suggest_the_closest(make, kind, suggestion):
    with pytest.raises(UnknownNameError) as info:
        make()
    message = str(info.value)
    assert message.startswith(f"unknown {kind} ")
    assert f"did you mean {suggestion!r}?" in message
    assert isinstance(info.value, KeyError) and isinstance(info.value, SnnzooError)


def test_unknown_name_without_a_close_match_lists_the_known_ones():
    with pytest.raises(UnknownNameError) as info:
        sz.model("zzzzzzzz")
    assert "did you mean" not in str(info.value)
    assert "adex" in str(info.value) and "lif" in str(info.value)


def test_unknown_population_and_recordable():
    net = sz.Network()
    net.add_population("cells", "adex", 1)
    with pytest.raises(UnknownNameError, match="did you mean 'cells'"):
        net.record("cell", "v")
    with pytest.raises(UnknownNameError, match="did you mean 'w'"):
        net.record("cells", "ww")


def test_text_read_again_is_fresh_also_where_pint_makes_arrays(monkeypatch):
    """pint_xarray (imported by .pint.quantify()) makes the registry give arrays for numbers; the remembered
    reading's array was then shared, and q *= 2 of one reading doubled every later one (-140 mV for '-70 mV')."""
    from snnzoo.units import as_quantity

    monkeypatch.setattr(u, "force_ndarray_like", True)
    first = as_quantity("-71.5 mV", what="v")
    first *= 2
    assert as_quantity("-71.5 mV", what="v") == -71.5 * u.mV


def test_text_read_again_gives_a_fresh_equal_quantity():
    """Reading a quantity's text is remembered; each reading is still its own object, so changing
    one in place cannot change the next."""
    from snnzoo.units import as_quantity

    first = as_quantity("-70 mV", what="v")
    first *= 2
    second = as_quantity("-70 mV", what="v")
    assert second is not first and second == -70 * u.mV
    with pytest.raises(UnitError, match="cannot read"):
        as_quantity("3 foo", what="x")
    with pytest.raises(UnitError, match="cannot read"):
        as_quantity("3 foo", what="x")


def test_show_si_gives_the_prefix_even_when_pint_keeps_magnitudes_as_arrays(monkeypatch):
    # errors showed "0.005 s" and "-1e-09 S" in a process that had imported pint_xarray, which makes
    # pint's application registry keep magnitudes as arrays (its to_compact then leaves them alone)
    cases = [(0.002, "ms", "2 ms"), (-1e-9, "nS", "-1 nS"), (3.2e-10, "pF", "320 pF"), (7.0, "1", "7"),
             (0.0, "mV", "0 V"), (2.5e3, "Hz", "2.5 kHz")]
    for forced in (False, True):
        monkeypatch.setattr(u, "force_ndarray_like", forced)
        assert [show_si(value, unit) for value, unit, _ in cases] == [shown for _, _, shown in cases]


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_an_infinite_count_is_not_said_to_be_truncated(value):
    with pytest.raises(ConfigError, match=rf"^threads: expected a whole number, got {value}$"):
        sz.Network(threads=value)  # "... got inf (it would be truncated)"
    with pytest.raises(ConfigError, match=r"^threads: expected a whole number, got 2.5 \(it would be truncated\)$"):
        sz.Network(threads=2.5)

"""Brian-style equations: parsing, dimension checks with precise errors, and inline models that run."""

from __future__ import annotations

import re

import numpy as np
import pytest

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.errors import EquationError, SnnzooError, UnitError
from snnzoo.units import dimension_of

TAU = {"tau": 10 * u.ms}


def model(equations, parameters=None, **kwargs):
    return sz.NeuronModel("m", equations, TAU if parameters is None else parameters, **kwargs)


# -- malformed equations -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "equations, fragment",
    [
        ("dv/dt = -v/tau volt", "missing ': unit'"),
        ("dv/dt = (-v/tau : volt", "cannot parse"),
        ("3v = 2*mV : volt", "expected 'dx/dt = ... : unit'"),
        ("dv/dt = -v/tau : volt\ndv/dt = -2*v/tau : volt", "defined twice"),
        ("dv/dt = v[0]/tau : volt", "unsupported syntax"),
        ("dv/dt = -v/tau if v > 0 else 0 : volt", "unsupported syntax"),
        ("dt/dt = 1 : second", "reserved name"),
        ("di/dt = -i/tau : 1", "reserved name"),
    ],
)
def test_malformed_lines_name_the_equation(equations, fragment):
    with pytest.raises(EquationError) as info:
        model(equations)
    message = str(info.value)
    assert fragment in message
    assert "equation '" in message


def test_no_equations_at_all():
    with pytest.raises(EquationError, match="no equation given"):
        model("   # only a comment\n\n")


def test_comments_and_blank_lines_are_ignored():
    m = model("\n  # leak only\n  dv/dt = -v/tau : volt  # decays\n\n")
    assert m.state_variables == ["v"]


def test_unknown_unit():
    with pytest.raises(UnitError, match=r"equation 'dv/dt = -v/tau : foo'.*'foo'"):
        model("dv/dt = -v/tau : foo")


@pytest.mark.parametrize("name", ["taux", "h", "b", "EL", "EK", "V", "C", "Ms"])
# pint units, not model symbols: hour, barn, a one-letter symbol alone or with a large prefix (exalitre, exakelvin)
def test_undefined_symbol(name):
    with pytest.raises(EquationError, match=f"undefined symbol '{name}'") as info:
        model(f"dv/dt = -v/{name} : volt")
    assert f"dv/dt = -v/{name} : volt" in str(info.value)


@pytest.mark.parametrize("name, unit", [("s", "second"), ("V", "volt")])
def test_an_undefined_one_letter_unit_symbol_says_how_to_write_the_unit(name, unit):
    """Brian2 has no unit 's' or 'V' either; they were read as units, so 'EL' or 'Ms' were too."""
    with pytest.raises(EquationError, match=re.escape(f"undefined symbol '{name}' (as a unit, write '{unit}')")):
        model(f"dv/dt = -v/(10*{name})*{unit} : volt")


def test_e_is_eulers_number_as_in_brian2():
    """'e' was reserved but undefined ("undefined symbol 'e'"); Brian2 reads it as 2.718..."""
    decay = model("dv/dt = -v/tau*e : volt", {"tau": 1 * u.ms}, integrator="euler", initial={"v": "1*mV"})
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("p", decay, 1)
    net.record("p", "v")
    net.run(0.2 * u.ms)
    assert net.records()[0].states[0].data["v"][1, 0] == pytest.approx(1e-3 * (1 - 0.1 * np.e), rel=1e-14)


def test_inconsistent_terms_name_the_equation_and_the_term():
    text = "dv/dt = (EL - v + I)/tau : volt"
    with pytest.raises(EquationError) as info:
        model(text + "\nI : amp", {"tau": 10 * u.ms, "EL": -70 * u.mV})
    message = str(info.value)
    assert f"equation '{text}'" in message
    assert "'I'" in message
    assert dimension_of(u.amp) in message and dimension_of(u.volt) in message


def test_right_hand_side_of_the_wrong_dimension():
    text = "dv/dt = EL - v : volt"
    with pytest.raises(EquationError) as info:
        model(text, {"EL": -70 * u.mV})
    message = str(info.value)
    assert f"equation '{text}'" in message
    assert "dv/dt" in message and dimension_of(u.volt / u.second) in message


@pytest.mark.parametrize("make, start", [
    (lambda: sz.NeuronModel("qif", "dv/dt = (v + I)/tau : volt\nI : amp", TAU),
     "model 'qif': equation 'dv/dt = (v + I)/tau : volt': inconsistent units between terms"),
    (lambda: sz.NeuronModel("qif", "dv/dt = (v + q)/tau : volt", TAU),
     "model 'qif': equation 'dv/dt = (v + q)/tau : volt': undefined symbol 'q'"),
    (lambda: sz.NeuronModel("qif", "dv/dt = EL - v : volt", {"EL": -70 * u.mV}),
     "model 'qif': equation 'dv/dt = EL - v : volt': the right-hand side is in"),
    (lambda: sz.NeuronModel("qif", "dv/dt = (v/tau : volt", TAU),
     "model 'qif': equation 'dv/dt = (v/tau : volt': cannot parse"),
    (lambda: sz.NeuronModel("qif", "dv/dt = -v/tau : volt\nx = xi*second**0.5 : 1", TAU),
     "model 'qif': equation 'x = xi*second**0.5 : 1': white noise xi may only appear"),
    (lambda: sz.NeuronModel("qif", "dv/dt = -v/tau + exp(xi*second**0.5)*mV/tau : volt", TAU),
     "model 'qif': equation 'dv/dt = -v/tau + exp(xi*second**0.5)*mV/tau : volt': the white noise 'xi' must"),
    (lambda: sz.SynapseModel("stdp", "dw/dt = (w/tau : 1 (clock-driven)", TAU, on_pre="ge += w"),
     "synapse model 'stdp': equation 'dw/dt = (w/tau : 1 (clock-driven)': cannot parse"),
])
def test_equation_errors_name_the_model_as_parameter_errors_do(make, start):
    """A unit or parse error of an equation said "equation 'dv/dt = ...': ..." without the model, where a
    parameter's error says "model 'qif': parameter ...": with several models the user had to guess."""
    with pytest.raises(EquationError) as info:
        make()
    assert str(info.value).startswith(start), str(info.value)


def test_dimensionless_default_in_a_dimensional_equation_is_caught():
    # a plain number as a model default makes the parameter dimensionless; the equation check catches it
    with pytest.raises(EquationError, match="dv/dt"):
        model("dv/dt = -v/tau : volt", {"tau": 10})


def test_subexpression_unit_mismatch():
    with pytest.raises(EquationError, match=r"equation 'I_leak = gL\*\(EL - v\) : volt'"):
        model("I_leak = gL*(EL - v) : volt\ndv/dt = I_leak/C : volt", {"gL": 10 * u.nS, "EL": -70 * u.mV, "C": 200 * u.pF})


def test_unknown_function():
    with pytest.raises(EquationError, match="unknown function 'foo'") as info:
        model("dv/dt = foo(v)/tau : volt")
    assert "exp" in str(info.value)  # lists the known ones


def test_function_of_a_dimensional_argument():
    with pytest.raises(EquationError, match=r"argument of exp\(\) must be dimensionless"):
        model("dv/dt = exp(v)*mV/tau : volt")


def test_sign_int_and_remainder_follow_brian2s_unit_rules():
    """sign() of any quantity is dimensionless (it kept the unit: 'sign(w)*mV' was refused as V*mV),
    int() needs a dimensionless argument and '%' two sides of one dimension (both were accepted)."""
    signed = model("dv/dt = (abs(w)*sign(w) - v)/tau : volt\ndw/dt = -w/tau : volt")
    assert "sign(w)" in signed.equations_text
    with pytest.raises(EquationError, match=r"argument of int\(\) must be dimensionless, but v is in V"):
        model("dv/dt = int(v)/tau : volt")
    with pytest.raises(EquationError, match=r"inconsistent units between sides of %: 'v' is in V .* 'tau' is in ms"):
        model("dv/dt = (v % tau)/tau : volt")
    model("dv/dt = (int(v/mV) + int(v > 1*mV))*mV/tau + (v % (2*mV))/tau : volt")


@pytest.mark.parametrize("call, expected", [
    ("exprel(v/mV, 1)", "exprel() takes 1 argument, got 2"),
    # the message said "int_ takes exactly 1 argument", sympy's name for it
    ("int(v/mV, 2)", "int() takes 1 argument, got 2"),
    # each was taken otherwise, where Brian2 refuses it: a logarithm to base 2, sqrt(v/mV), v/mV itself
    ("log(v/mV, 2)", "log() takes 1 argument, got 2"),
    ("sqrt(v/mV, 1)", "sqrt() takes 1 argument, got 2"),
    ("min(v/mV)", "min() takes 2 or more arguments, got 1"),
    # '<lambda>() missing 2 required positional arguments'
    ("clip(v/mV)", "clip() takes 3 arguments (x, low, high), got 1"),
    ("abs(v/mV, 1)", "abs() takes 1 argument, got 2"),  # 'Abs takes exactly 1 argument'
])
def test_functions_refuse_a_wrong_number_of_arguments_by_the_users_name(call, expected):
    with pytest.raises(EquationError, match=re.escape(f"equation 'dv/dt = {call}*mV/tau : volt': {expected}")):
        model(f"dv/dt = {call}*mV/tau : volt")


def test_a_timed_array_takes_one_or_two_arguments():
    stim = sz.TimedArray([1, 2] * u.nA, dt=1 * u.ms, name="stim")  # it said "stim takes at least 1 argument (3 given)"
    with pytest.raises(EquationError, match=re.escape("stim() takes 1 or 2 arguments, got 3")):
        sz.NeuronModel("m", "dv/dt = (stim(t, i, 3)/nA - v)/(10*ms) : 1", functions={"stim": stim})


def test_non_constant_power_of_a_quantity():
    with pytest.raises(EquationError, match="non-constant power"):
        model("dv/dt = v**x/tau : volt\ndx/dt = -x/tau : 1")


@pytest.mark.parametrize(
    "equations, fragment",
    [
        ("dv/dt = -v/tau : volt (unless refactory)", "unknown flag(s) ['unless refactory']; did you mean 'unless refractory'?"),
        ("dv/dt = -v/tau : volt\nI : amp (shared)", "Brian2's flag '(shared)' is not supported: a value shared by all "
                                                     "neurons (or synapses) is a parameter here"),
        ("dv/dt = -v/tau : volt\nI : amp (constant over dt)", "Brian2's flag '(constant over dt)' is not supported: rand() "
                                                               "and randn() draw in thresholds, resets and run_regularly"),
        ("dv/dt = -v/tau + I/nF : volt\nI = randn()*nA : amp", "rand() and randn() cannot appear in equations"),
        ("dv/dt = -v/tau : volt (linked)", "'(linked)' only applies"),
        ("dv/dt = -v/tau : volt\nu = 2*v : volt (unless refractory)", "only applies to differential equations"),
        # accepted, though a constant that takes its source's values every step is a contradiction (Brian2 2.9:
        # "The 'linked' flag cannot be combined with other flags")
        ("dv/dt = -v/tau : volt\nI : amp (constant, linked)", "equation 'I : amp (constant, linked)': '(linked)' goes "
                                                              "with no other flag, got ['constant', 'linked']: a linked "
                                                              "variable takes its source's values every step"),
    ],
)
def test_bad_flags(equations, fragment):
    with pytest.raises(EquationError, match=re.escape(fragment)):
        model(equations)


def test_known_flags_are_kept():
    m = model("dv/dt = -v/tau : volt (unless refractory)\nI : amp (linked)")
    assert m.unless_refractory == ["v"]
    assert m.linked_variables == ["I"]


def test_subexpression_cycle():
    with pytest.raises(EquationError, match="cycle"):
        model("dv/dt = -v/tau + s/tau : volt\ns = q*2 : volt\nq = s/2 : volt")


def test_noise_only_in_differential_equations_and_with_the_right_unit():
    with pytest.raises(EquationError, match="xi may only appear"):
        model("dv/dt = -v/tau : volt\nnoise = xi*mV*sqrt(ms) : volt")
    with pytest.raises(EquationError, match="inconsistent units"):
        model("dv/dt = -v/tau + xi*mV : volt")
    m = model("dv/dt = -v/tau + sigma*xi/sqrt(tau) : volt", {"tau": 10 * u.ms, "sigma": 1 * u.mV})
    assert m.noise_names == ["xi"]


NOISY = "dv/dt = -v/tau + sigma*xi/sqrt(tau) : volt"


@pytest.mark.parametrize("where, arguments", [
    ("threshold", {"threshold": "xi*sqrt(tau) > 1"}),
    ("reset", {"threshold": "v > 1*mV", "reset": "v = sigma*xi*sqrt(tau)"}),
    ("refractory", {"threshold": "v > 1*mV", "refractory": "xi*sqrt(tau) > 0"}),
])
def test_noise_outside_differential_equations_is_named(where, arguments):
    """xi in a threshold, reset or refractory condition of a model with noise was accepted (a threshold
    'xi > 0' ran, spiking at random); it is white noise, which only differential equations have."""
    with pytest.raises(EquationError, match=rf"{where}.*white noise 'xi' may only appear in differential equations"):
        model(NOISY, {"tau": 10 * u.ms, "sigma": 1 * u.mV}, **arguments)


@pytest.mark.parametrize("term", ["mV*exp(xi*sqrt(tau))/tau", "sigma*xi*xi", "mV*floor(xi*sqrt(tau))/tau",
                                  "xi_1*xi_2*mV"])
def test_noise_must_enter_linearly(term):
    """As in Brian2: a term such as exp(xi) ran, its noise increment taken as its derivative at xi = 0."""
    with pytest.raises(EquationError, match=r"white noise 'xi(_1)?' must enter linearly, as a term g\*xi"):
        model(f"dv/dt = -v/tau + {term} : volt", {"tau": 10 * u.ms, "sigma": 1 * u.mV})
    model("dv/dt = (-v + v*xi*sqrt(tau) + 2*sigma*xi*sqrt(tau))/tau : volt", {"tau": 10 * u.ms, "sigma": 1 * u.mV})


def test_parameter_also_defined_by_an_equation():
    with pytest.raises(EquationError, match="also defined"):
        model("dv/dt = -v/tau : volt", {"tau": 10 * u.ms, "v": 1 * u.mV})


def test_initial_value_for_an_unknown_variable():
    with pytest.raises(EquationError, match="unknown variable 'q'"):
        model("dv/dt = -v/tau : volt", initial={"q": 1 * u.mV})


# -- threshold and reset -------------------------------------------------------------------------------------------


def test_reset_on_a_parameter_or_unknown_name():
    """Each says why the name cannot be written (all were "is not a state variable of the model")."""
    params = {"tau": 10 * u.ms, "Vr": -60 * u.mV, "Vt": -50 * u.mV}
    with pytest.raises(EquationError, match=re.escape("'Vr' is a parameter (constant during a run); declare it "
                                                      "'Vr : mV' in the equations to make it a variable")):
        model("dv/dt = -v/tau : volt", params, threshold="v > Vt", reset="Vr = -70*mV")
    with pytest.raises(EquationError, match=re.escape("'x' is not a variable of model 'm' (its state variables: v)")):
        model("dv/dt = -v/tau : volt", params, threshold="v > Vt", reset="v = Vr; x = 0")
    with pytest.raises(EquationError, match=re.escape("'I' is a subexpression (computed from its equation every step)")):
        model("dv/dt = -v/tau : volt\nI = v/ohm : amp", params, threshold="v > Vt", reset="I = 0*amp")
    with pytest.raises(EquationError, match=re.escape("'t' is given by the simulation")):
        model("dv/dt = -v/tau : volt", params, threshold="v > Vt", reset="t = 0*ms")


def test_a_reset_without_a_threshold_is_refused():
    """It was accepted and never ran (Brian2 refuses it too)."""
    with pytest.raises(EquationError, match=r"reset 'v = 0\*mV' without a threshold would never run"):
        model("dv/dt = -v/tau : volt", reset="v = 0*mV")


@pytest.mark.parametrize("reset, fragment", [("v = 3*nA", "nA"), ("v += tau", "ms"), ("v *= 2*mV", "mV"), ("v =", "cannot parse")])
def test_reset_unit_mismatch_or_syntax(reset, fragment):
    with pytest.raises(EquationError) as info:
        model("dv/dt = -v/tau : volt", threshold="v > 1*mV", reset=reset)
    assert "reset" in str(info.value) and fragment in str(info.value)


@pytest.mark.parametrize("reset, message", [
    ("v = 5", "the value is in dimensionless but v is in V [voltage]"),  # the unit was left blank: "is in  but"
    ("v *= 2*mV", "the value is in mV [voltage] but '*=' takes a dimensionless factor"),  # it said "but v is in V"
])
def test_reset_unit_messages_say_what_was_expected(reset, message):
    with pytest.raises(EquationError, match=re.escape(f"reset '{reset}': {message}")):
        model("dv/dt = -v/tau : volt", threshold="v > 1*mV", reset=reset)


def test_threshold_unit_mismatch():
    with pytest.raises(EquationError) as info:
        model("dv/dt = -v/tau : volt", threshold="v > 1*nA")
    message = str(info.value)
    assert "threshold 'v > 1*nA'" in message
    assert dimension_of(u.volt) in message and dimension_of(u.amp) in message


@pytest.mark.parametrize("threshold, fragment", [("v + 1*mV", "expected a condition"), ("v > vt", "undefined symbol 'vt'")])
def test_bad_thresholds(threshold, fragment):
    with pytest.raises(EquationError, match=fragment):
        model("dv/dt = -v/tau : volt", threshold=threshold)


def test_zero_with_a_unit_in_threshold_reset_and_equations():
    # '0*mV' is parsed as the number 0; Brian-style models write 'v > 0*mV' and 'v = 0*mV'
    m = sz.NeuronModel(
        "ramp",
        "dv/dt = slope + 0*mV/ms : volt (unless refractory)\nI_zero = 0*nA : amp",
        {"slope": 1 * u.mV / u.ms},
        threshold="v > 0*mV",
        reset="v = 0*mV",
        refractory=0 * u.ms,
        initial={"v": -2.05 * u.mV},
    )
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("r", m, 1)
    net.run(10 * u.ms)
    # from -2.05 mV at 0.1 mV per step, v first exceeds 0 in step 20 (the 21st update)
    steps = np.round(net.records()[0].spike_times / 1e-4).astype(int)
    assert steps[0] == 20
    assert np.all(np.diff(steps) == 1)  # after a reset to 0 mV, the next step is > 0 again
    with pytest.raises(EquationError):
        sz.NeuronModel("bad", "dv/dt = -v/tau : volt", TAU, threshold="v > 1*nA")


# -- inline models that run ---------------------------------------------------------------------------------------


def test_brian_notebook_dimensionless_decay():
    decay = sz.NeuronModel("decay", "dx/dt = -x/tau : 1", {"tau": 10 * u.ms}, initial={"x": 1})
    assert decay.state_variables == ["x"] and list(decay.parameters) == ["tau"]
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("d", decay, 1)
    net.record("d", "x")
    net.run(20 * u.ms)
    x = net.records()[0].states[0].data["x"][:, 0]
    n = np.arange(x.size)
    np.testing.assert_allclose(x, np.exp(-0.01 * n), rtol=1e-12, atol=0)  # 'exact', Brian2's default for linear equations
    assert net.result()["d"]["x"].attrs["units"] == "1"


def test_subexpressions_are_recordable():
    m = sz.NeuronModel(
        "leak", "dv/dt = I_leak/C : volt\nI_leak = gL*(EL - v) : amp",
        {"gL": 10 * u.nS, "EL": -70 * u.mV, "C": 200 * u.pF}, initial={"v": -60 * u.mV},
    )
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("p", m, 1)
    net.record("p", ["v", "I_leak"])
    net.run(1 * u.ms)
    state = net.records()[0].states[0]
    np.testing.assert_allclose(state.data["I_leak"], 10e-9 * (-0.070 - state.data["v"]), rtol=1e-12, atol=1e-24)
    assert state.units["I_leak"] == "A"


def test_adaptive_threshold_with_per_neuron_index_in_reset():
    """Brian's adaptive-threshold LIF: threshold 'v > vt', reset 'v = 0; vt += 0.4*i' (i = neuron index)."""
    m = sz.NeuronModel(
        "adaptive",
        """
        dv/dt = (drive - v)/tau : 1 (unless refractory)
        dvt/dt = (1 - vt)/tau_t : 1
        """,
        {"drive": 1.5, "tau": 10 * u.ms, "tau_t": 50 * u.ms},
        threshold="v > vt",
        reset="v = 0; vt += 0.4*i",
        refractory=1 * u.ms,
        initial={"v": 0, "vt": 1},
    )
    dt, tau_t = 1e-4, 0.05
    net = sz.Network(dt=dt * u.second, seed=0)
    net.add_population("n", m, 3)
    net.record("n", ["v", "vt"])
    net.run(200 * u.ms)
    rec = net.records()[0]
    vt, v = rec.states[0].data["vt"], rec.states[0].data["v"]
    counts = rec.spike_counts
    assert counts[0] > counts[1] > counts[2] > 0  # a larger index raises the threshold more per spike
    np.testing.assert_array_equal(vt[:, 0], 1.0)  # neuron 0: vt += 0, and dvt/dt = 0 at vt = 1
    steps = np.round(rec.spike_times / dt).astype(int)
    for i in (1, 2):
        spike_steps = steps[rec.spike_neurons == i]
        # samples are taken at the start of each step: vt[n+1] = exact(vt[n]) (+ 0.4*i after a spike in step n)
        jump = vt[1:, i] - (1 + (vt[:-1, i] - 1) * np.exp(-dt / tau_t))
        expected = np.zeros_like(jump)
        expected[spike_steps[spike_steps < jump.size]] = 0.4 * i
        np.testing.assert_allclose(jump, expected, atol=1e-12)
        assert np.all(v[spike_steps[spike_steps + 1 < v.shape[0]] + 1, i] == 0.0)


def test_plugin_adaptive_threshold_model_runs():
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("n", "lif_adaptive_threshold", 1)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=100 * u.pA), "n")
    net.record("n", ["vt"])
    net.run(300 * u.ms)
    rec = net.records()[0]
    isi = np.diff(rec.spike_times)
    assert rec.spike_counts[0] >= 3
    assert isi[-1] > isi[0]  # the threshold builds up, so the firing slows down
    assert rec.states[0].data["vt"].max() > -0.050 + 0.008 - 1e-12  # jumped by delta_vt at least once


def test_model_documentation_lists_equations_and_parameters():
    m = sz.model("adex")
    page = m.describe()
    for eq in m.equations:
        assert eq.text in page
    for name, spec in m.parameters.items():
        assert name in page and spec.default_text in page
    assert "Brette" in page
    assert isinstance(m.to_dict()["equations"], str)


def test_errors_are_snnzoo_errors():
    for bad in ("dv/dt = -v/tau volt", "dv/dt = foo(v) : volt"):
        with pytest.raises(SnnzooError):
            model(bad)

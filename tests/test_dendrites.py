"""The snnzoo-dendrites ball-and-stick neuron: closed forms, NMDA block, receptor kinetics, bad input, Brian2.

Brian2 reference: tests/reference/brian2_ball_and_stick.json, written by
``/work/brianvenv/bin/python benchmarks/brian2_dendrites.py reference --out tests/reference/brian2_ball_and_stick.json``
(the exact command is stored in the file as ``generated_by``).
"""

from __future__ import annotations

import json
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import curve_fit

import snnzoo as sz
import snnzoo_dendrites as sd
from snnzoo import ureg as u
from snnzoo.errors import ConfigError, SnnzooError, UnitError, UnknownNameError

REFERENCE = Path(__file__).parent / "reference" / "brian2_ball_and_stick.json"
MODEL = sz.model("ball_and_stick")
DEFAULT = {name: spec.default for name, spec in MODEL.parameters.items()}  # SI floats


def record_of(net, name):
    return next(r for r in net.records() if r.name == name)


# -- a. passive two-compartment closed forms ----------------------------------------------------------------------

PASSIVE_DT = 1e-5  # 0.01 ms
PASSIVE_STEPS = 25_000  # 250 ms: the slow mode (~7 ms) has decayed to below 1e-15
LENGTHS = np.array([160e-6, 160e-6, 300e-6])  # m, per neuron (the third has another geometry)
DIAMETERS = np.array([4e-6, 4e-6, 2e-6])
I_SOMA = np.array([100e-12, 0.0, -30e-12])  # A
I_DEND = np.array([0.0, 50e-12, 80e-12])


# human dendrite physiology and the soma, in SI by hand: 0.5 uF/cm**2, 38907 ohm cm**2, 200 ohm cm, 40 nS, 281 pF
CM, RM, RI, GL, C_SOMA = 0.5e-6 / 1e-4, 38907 * 1e-4, 200 * 1e-2, 40e-9, 281e-12


def hand_matrices(length, diameter):
    """Capacitances and conductance matrix of the passive soma + cylinder, from the SI formulas."""
    c_d = CM * math.pi * diameter * length
    gm = math.pi * diameter * length / RM
    gax = math.pi * diameter**2 / (4 * RI * length)
    G = np.array([[GL + gax, -gax], [-gax, gm + gax]])
    return np.diag([C_SOMA, c_d]), G, (c_d, gm, gax)


def test_model_defaults_in_si():
    got = [DEFAULT[name] for name in ("c_m", "r_m", "r_i", "g_L", "C_m", "length_d", "diameter_d")]
    np.testing.assert_allclose(got, [CM, RM, RI, GL, C_SOMA, 160e-6, 4e-6], rtol=1e-12)


def analytic_relaxation(C, G, current, t):
    """u(t) = v(t) - Er for u(0) = 0 and a constant current switched on at t = 0: (2, len(t))."""
    u_inf = np.linalg.solve(G, current)
    rates, vectors = np.linalg.eig(np.linalg.solve(C, G))
    rates, vectors = rates.real, vectors.real
    coefficients = np.linalg.solve(vectors, u_inf)
    return u_inf[:, None] - vectors @ (coefficients[:, None] * np.exp(-rates[:, None] * t[None, :])), np.sort(rates)


@pytest.fixture(scope="module")
def passive():
    net = sz.Network(dt=PASSIVE_DT * u.s, seed=0, integrator="rk4")
    net.add_population("P", MODEL, 3, integrator="rk4", parameters={
        # a passive soma: the exponential term is below 1e-200 and never spikes, no adaptation
        "V_th": 1 * u.V, "V_spike": 1 * u.V, "a": 0 * u.nS, "b": 0 * u.pA,
        "length_d": LENGTHS * u.m, "diameter_d": DIAMETERS * u.m,
    }, initial={"I_s": I_SOMA * u.A, "I_d": I_DEND * u.A})
    net.record("P", ["v_s", "v_d", "C_d", "gm_d", "gax_d"])
    net.run(PASSIVE_STEPS * PASSIVE_DT * u.s)
    rec = record_of(net, "P")
    assert rec.spike_times.size == 0
    return rec.states[0]


@pytest.mark.parametrize("k", range(3))
def test_geometry_subexpressions_equal_hand_formulas(passive, k):
    _, _, (c_d, gm, gax) = hand_matrices(LENGTHS[k], DIAMETERS[k])
    for name, want in (("C_d", c_d), ("gm_d", gm), ("gax_d", gax)):
        np.testing.assert_allclose(passive.data[name][:, k], want, rtol=1e-13, err_msg=name)
    if k == 0:  # the model's default cylinder: 10.05 pF, 0.517 nS, 39.3 nS
        assert c_d == pytest.approx(10.053e-12, rel=1e-4)
        assert gm == pytest.approx(0.5168e-9, rel=1e-3) and gax == pytest.approx(39.27e-9, rel=1e-3)


@pytest.mark.parametrize("k", range(3))
def test_passive_steady_state_solves_the_linear_system(passive, k):
    C, G, _ = hand_matrices(LENGTHS[k], DIAMETERS[k])
    want = DEFAULT["E_L"] + np.linalg.solve(G, [I_SOMA[k], I_DEND[k]])
    got = np.array([passive.data["v_s"][-1, k], passive.data["v_d"][-1, k]])
    deviation = want - DEFAULT["E_L"]
    # relative to the deflection from rest (the quantity the linear system gives)
    assert np.abs(got - want).max() <= 1e-6 * np.abs(deviation).max(), (got, want)


@pytest.mark.parametrize("k", range(3))
def test_passive_relaxation_equals_the_two_exponential_solution(passive, k):
    C, G, _ = hand_matrices(LENGTHS[k], DIAMETERS[k])
    t = passive.times  # the state at the start of step n, t = n dt
    want, _ = analytic_relaxation(C, G, np.array([I_SOMA[k], I_DEND[k]]), t)
    got = np.stack([passive.data["v_s"][:, k], passive.data["v_d"][:, k]]) - DEFAULT["E_L"]
    step = np.abs(want[:, -1]).max()
    assert np.abs(got - want).max() <= 1e-6 * step


def test_fitted_time_constants_are_the_eigenvalues(passive):
    """Fit two exponentials (shared time constants) to the simulated relaxation towards the steady state."""
    k = 1  # current into the dendrite: both modes have large amplitudes
    C, G, _ = hand_matrices(LENGTHS[k], DIAMETERS[k])
    _, rates = analytic_relaxation(C, G, np.array([I_SOMA[k], I_DEND[k]]), np.zeros(1))
    t_ms = passive.times[:5000] * 1e3  # the first 50 ms
    # distance from the steady state (reached at 250 ms) in mV: a_fast exp(-t/tau_1) + a_slow exp(-t/tau_2)
    target = np.concatenate([(passive.data[v][-1, k] - passive.data[v][:5000, k]) * 1e3 for v in ("v_s", "v_d")])

    def model(_, a_s, b_s, a_d, b_d, tau_1, tau_2):
        fast, slow = np.exp(-t_ms / tau_1), np.exp(-t_ms / tau_2)
        return np.concatenate([a_s * fast + b_s * slow, a_d * fast + b_d * slow])

    guess = (1.0, 1.0, 1.0, 1.0, 1.0, 20.0)  # ms: far from the answer (0.24 ms and 7.2 ms)
    with np.errstate(over="ignore"):  # trial steps of the fit may try tiny time constants
        parameters, _ = curve_fit(model, None, target, p0=guess, maxfev=20_000)
    fitted = np.sort(1.0 / np.array(parameters[4:]) * 1e3)  # 1/s
    np.testing.assert_allclose(fitted, rates, rtol=1e-4)
    # default cylinder: 0.2439 ms (dendrite charging through gax) and 7.187 ms (soma + dendrite)
    assert 1 / rates[1] == pytest.approx(0.24387e-3, rel=1e-4) and 1 / rates[0] == pytest.approx(7.1871e-3, rel=1e-4)


# -- b. NMDA magnesium block --------------------------------------------------------------------------------------

def numpy_block(v):
    return 1.0 / (1.0 + DEFAULT["mg"] / DEFAULT["b_nmda"] * np.exp(DEFAULT["k_nmda"] * v))


def test_mg_block_expression_equals_jahr_stevens():
    model = sz.NeuronModel("mg_block_probe", f"v : volt\nB = {sd.mg_block('v')} : 1", dict(sd.NMDA_BLOCK))
    v = np.linspace(-120e-3, 60e-3, 181)
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("p", model, v.size, initial={"v": v * u.V})
    net.record("p", ["B"])
    net.run(0.2 * u.ms)
    got = record_of(net, "p").states[0].data["B"]
    np.testing.assert_allclose(got, np.broadcast_to(numpy_block(v), got.shape), rtol=1e-12, atol=0)


def test_mg_block_known_values():
    # 1/(1 + (1 mM/3.36 mM) exp(0.077*70)) = 1/(1 + 65.24) = 0.0150968...
    assert numpy_block(-70e-3) == pytest.approx(0.015096822829312411, rel=1e-12)
    half = math.log(3.36) / -77.0  # V: mg/b exp(k v) = 1 at v = ln(b/mg)/k = -15.74 mV
    assert half == pytest.approx(-15.7395e-3, rel=1e-5) and numpy_block(half) == pytest.approx(0.5, rel=1e-12)
    assert DEFAULT["mg"] == pytest.approx(1.0) and DEFAULT["b_nmda"] == pytest.approx(3.36)  # mol/m**3 = mM
    assert DEFAULT["k_nmda"] == pytest.approx(-77.0)  # 1/V


# -- c. receptor kinetics -----------------------------------------------------------------------------------------

KINETICS_DT = 1e-5
KINETICS_SPIKE_STEP = 500  # the presynaptic spike at 5 ms
KINETICS_STEPS = 25_000  # 250 ms (GABAb peaks at 84 ms)
WEIGHT = 2e-9
# neuron k gets one spike onto TARGETS[k], which drives the receptors MEMBERS[k]
TARGETS = ["AMPA_s", "GABAa_s", "glu_d", "gaba_d"]
MEMBERS = [("AMPA_s",), ("GABAa_s",), ("AMPA_d", "NMDA_d"), ("GABAa_d", "GABAb_d")]
RECEPTORS = [r for members in MEMBERS for r in members]
NEURON_OF = {r: k for k, members in enumerate(MEMBERS) for r in members}


@pytest.fixture(scope="module")
def kinetics():
    """Neuron k gets one spike onto TARGETS[k] (weight 2 nS); rk4 at 0.01 ms.

    (Group targets: one projection per neuron keeps the kernel, and its compile time, small.)
    """
    net = sz.Network(dt=KINETICS_DT * u.s, seed=0, integrator="rk4")
    net.add_population("R", MODEL, len(TARGETS), integrator="rk4")
    net.add_source("spike", sz.stimulus("spike_generator", times=[KINETICS_SPIKE_STEP * KINETICS_DT] * u.s))
    for k, on in enumerate(TARGETS):
        net.connect("spike", f"R[{k}:{k + 1}]", on=on, weight=WEIGHT * u.S, all_to_all=True, name=f"to_{on}")
    recorded = [f"g_{r}" for r in RECEPTORS] + ["v_d", "I_syn_d"]
    net.record("R", recorded)
    net.run(KINETICS_STEPS * KINETICS_DT * u.s)
    return record_of(net, "R").states[0]


def peak_normalisation(receptor):
    """t_peak of exp(-t/tau_d) - exp(-t/tau_r) and 1 / its value there."""
    tau_r, tau_d = DEFAULT[f"tau_r_{receptor}"], DEFAULT[f"tau_d_{receptor}"]
    t_peak = tau_d * tau_r / (tau_d - tau_r) * math.log(tau_d / tau_r)
    return t_peak, 1.0 / (math.exp(-t_peak / tau_d) - math.exp(-t_peak / tau_r))


def double_exponential(receptor, t):
    tau_r, tau_d = DEFAULT[f"tau_r_{receptor}"], DEFAULT[f"tau_d_{receptor}"]
    t_peak, norm = peak_normalisation(receptor)
    shape = np.where(t >= 0, np.exp(-np.maximum(t, 0) / tau_d) - np.exp(-np.maximum(t, 0) / tau_r), 0.0)
    return WEIGHT * DEFAULT[f"g0_{receptor}"] * norm * shape, t_peak


@pytest.mark.parametrize("receptor", RECEPTORS)
def test_single_spike_gives_the_normalised_double_exponential(kinetics, receptor):
    k = NEURON_OF[receptor]
    g = kinetics.data[f"g_{receptor}"][:, k]
    # the spike acts after the update of its step: the sample of the next step (t_spike + dt) holds a = b
    onset = (KINETICS_SPIKE_STEP + 1) * KINETICS_DT
    want, t_peak = double_exponential(receptor, kinetics.times - onset)
    peak = WEIGHT * DEFAULT[f"g0_{receptor}"]
    assert np.abs(g - want).max() <= 1e-5 * peak
    assert peak * (1 - 1e-4) <= g.max() <= peak * (1 + 1e-9)  # normalised: the peak is w * g0
    assert abs(kinetics.times[np.argmax(g)] - onset - t_peak) <= KINETICS_DT
    others = [r for r in RECEPTORS if r not in MEMBERS[k]]
    assert all(np.abs(kinetics.data[f"g_{r}"][:, k]).max() == 0 for r in others)


def test_group_targets_are_their_members_effects():
    text = MODEL.synapses_text
    for c in ("s", "d"):
        assert text[f"glu_{c}"] == "; ".join(text[f"{r}_{c}"] for r in ("AMPA", "NMDA") if f"{r}_{c}" in text)
        assert text[f"gaba_{c}"] == "; ".join(text[f"{r}_{c}"] for r in ("GABAa", "GABAb") if f"{r}_{c}" in text)
    assert text["NMDA_d"] == "a_NMDA_d += w*g0_NMDA_d*norm_NMDA_d; b_NMDA_d += w*g0_NMDA_d*norm_NMDA_d"


def test_nmda_current_is_blocked_at_the_dendritic_potential(kinetics):
    k = NEURON_OF["NMDA_d"]  # AMPA and NMDA
    g, g_ampa, v, current = (kinetics.data[x][:, k] for x in ("g_NMDA_d", "g_AMPA_d", "v_d", "I_syn_d"))
    want = g * (v - DEFAULT["E_NMDA_d"]) * numpy_block(v) + g_ampa * (v - DEFAULT["E_AMPA_d"])
    active = np.abs(want) > 1e-3 * np.abs(want).max()
    np.testing.assert_allclose(current[active], want[active], rtol=1e-12)
    assert v.max() - DEFAULT["E_L"] > 0.1e-3  # the NMDA spike depolarises the dendrite


# -- d. bad input -------------------------------------------------------------------------------------------------

def network_with(**parameters):
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("E", "ball_and_stick", 1, parameters=parameters)
    return net


@pytest.mark.parametrize(("on", "suggestion"), [("glu_x", "glu_s"), ("NMDA_s", "NMDA_d"), ("GABAb_s", "GABAb_d"),
                                                ("AMPA_dd", "AMPA_d")])
def test_unknown_receptor_target_names_it_and_suggests(on, suggestion):
    net = network_with()
    net.add_source("src", sz.stimulus("spike_generator", times=[1] * u.ms))
    with pytest.raises(UnknownNameError) as error:
        net.connect("src", "E", on=on, weight=1 * u.nS, all_to_all=True)
    message = str(error.value)
    assert repr(on) in message and f"did you mean {suggestion!r}" in message


@pytest.mark.parametrize("target", ["glu_d", "GABAb_d"])
def test_poisson_input_onto_a_synaptic_target_points_to_connect(target):
    # it said "unknown target variable" ('GABAb_d': "did you mean 'b_GABAb_d'?", whose conductance a - b is then < 0)
    net = network_with()
    with pytest.raises(ConfigError, match=rf"'{target}' is a synaptic target of population 'E'.*"
                                          rf"connect a poisson_group source with on='{target}'"):
        net.add_poisson_input("E", target, N=100, rate=10 * u.Hz, weight=1 * u.nS)


def receptor_conductance(model, weight, op="+=", on="AMPA_d"):
    """The smallest and largest g_AMPA_d of two neurons, each sent one spike of ``weight`` (one or one each)."""
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    net.add_population("E", model, 2)
    net.add_source("src", sz.stimulus("spike_generator", times=[1, 1] * u.ms, indices=[0, 1]))
    net.connect("src", "E", on=on, weight=weight, op=op, one_to_one=True, name="inputs")
    net.record("E", "g_AMPA_d")
    net.run(4 * u.ms)
    g = net.result()["E"]["g_AMPA_d"].values
    return g.min(), g.max()


@pytest.mark.parametrize(("on", "weight", "op", "given"), [
    ("AMPA_d", -1 * u.nS, "+=", "a weight of -1 nS"),
    ("glu_d", [1, -2] * u.nS, "+=", "a weight of -2 nS"),
    ("AMPA_d", "(i - 1)*nS", "+=", "a weight of -1 nS"),
    ("GABAb_d", {"distribution": "normal", "mean": "0 nS", "std": "1 nS"}, "+=", "a weight of -"),
    ("AMPA_d", 1 * u.nS, "-=", "op '-='"),
])
def test_a_negative_weight_onto_a_receptor_is_refused(on, weight, op, given):
    """A receptor's conductance went below zero silently (a - b < 0: no inhibition, an unphysical conductance)."""
    with pytest.raises(ConfigError, match=rf"^projection 'inputs': {re.escape(given)}.* onto {on!r} of model "
                                          r"'ball_and_stick' would make a \[conductance\] negative; the model takes "
                                          r"weights >= 0 with op '\+=' there"):
        receptor_conductance("ball_and_stick", weight, op, on)


def test_a_model_built_with_negative_weights_takes_them_as_brian2_does():
    """``negative_weights=True``: a negative weight adds a negative conductance, as Brian2 would; op '-='
    subtracts what '+=' adds (it was ignored on a named target, so '-=' added)."""
    model = sd.ball_and_stick(negative_weights=True)
    lowest, highest = receptor_conductance("ball_and_stick", 1 * u.nS)
    assert lowest == 0 and highest > 0.7e-9
    assert receptor_conductance(model, -1 * u.nS) == (-highest, 0)
    assert receptor_conductance(model, 1 * u.nS, op="-=") == (-highest, 0)
    assert "AMPA_d: a_AMPA_d += w*g0_AMPA_d*norm_AMPA_d; b_AMPA_d += w*g0_AMPA_d*norm_AMPA_d (weights >= 0)" in MODEL.describe()


def test_geometry_without_units_names_the_parameter_and_dimension():
    with pytest.raises(UnitError, match=r"'length_d'.*\[length\].*plain number 160"):
        network_with(length_d=160)
    with pytest.raises(UnitError, match=r"'diameter_d'.*\[length\]"):
        network_with(diameter_d=4 * u.mV)


@pytest.mark.parametrize("value", [0, -160])
def test_non_positive_geometry_is_refused(value):
    with pytest.raises(ConfigError, match=r"'length_d'.*must be positive"):
        network_with(length_d=value * u.um)
    with pytest.raises(ConfigError, match=r"'diameter_d'.*must be positive"):
        network_with(diameter_d=[value] * u.um)


@pytest.mark.parametrize("value", [0, -3.36])
def test_non_positive_mg_block_scale_is_refused(value):
    # mg/b_nmda: b_nmda = 0 blocked every NMDA channel silently (or gave NaN with mg = 0)
    with pytest.raises(ConfigError, match=r"'b_nmda'.*must be positive"):
        network_with(b_nmda=value * u.mM)


@pytest.mark.parametrize("parameters", [{"mg": -1 * u.mM}, {"g0_AMPA_d": -0.5}, {"g0_GABAb_d": [-0.1]}])
def test_negative_magnesium_or_receptor_gain_is_refused(parameters):
    # mg < 0 put a pole into the block 1/(1 + mg/b exp(k v)); g0 < 0 made a receptor's conductance negative
    (name,) = parameters
    with pytest.raises(ConfigError, match=rf"parameter '{name}': must be >= 0"):
        network_with(**parameters)


def test_magnesium_free_and_silent_receptor_are_allowed():
    network_with(mg=0 * u.mM, g0_GABAb_d=0)  # zero is a value a modeller means (Mg-free solution, a blocked receptor)
    assert MODEL.parameters["mg"].sign == MODEL.parameters["g0_NMDA_d"].sign == "non-negative"
    with pytest.raises(ConfigError, match=r"parameter 'mg': must be >= 0"):
        sz.NeuronModel("probe", f"v : volt\nB = {sd.mg_block('v')} : 1",
                       {**sd.NMDA_BLOCK, "mg": sz.Parameter("-1 mM", "magnesium", non_negative=True)})


@pytest.mark.parametrize(("dendrites", "pattern"), [
    ({"d": ("160", "4 um")}, r"'length_d'.*\[length\]"),
    ({"d": ("160 um", "4 mV")}, r"'diameter_d'.*\[length\]"),
    ({"d": ("-160 um", "4 um")}, r"'length_d'.*positive"),
    ({"d": ("160 um", "0 um")}, r"'diameter_d'.*positive"),
    ({"s": ("160 um", "4 um")}, r"'s'.*soma"),
    ({}, r"at least one dendrite"),
    ({"d": ("160 um",)}, r"dendrite 'd': expected a pair \(length, diameter\).*got \('160 um',\)"),
    ({"d": "160 um"}, r"dendrite 'd': expected a pair \(length, diameter\)"),
])
def test_bad_geometry_in_the_model_builder(dendrites, pattern):
    with pytest.raises(SnnzooError, match=pattern):
        sd.ball_and_stick("bad", dendrites)


@pytest.mark.parametrize(("parameters", "neuron", "receptor", "time"), [
    ({"tau_r_AMPA_d": 2 * u.ms}, 0, "AMPA_d", "2 ms"),
    ({"tau_r_AMPA_d": [0.26, 2] * u.ms}, 1, "AMPA_d", "2 ms"),
    ({"tau_d_GABAb_d": "30*ms + 370*ms*i"}, 0, "GABAb_d", "30 ms"),
])
def test_equal_rise_and_decay_times_per_neuron_are_refused_when_given(parameters, neuron, receptor, time):
    """Equal times given to a population (one for all, or one neuron's) made the time to peak 0/0: the run
    stopped at the first spike with "variable a_AMPA_d of neuron 1 became nan"."""
    with pytest.raises(ConfigError, match=rf"^population 'E' \(model 'ball_and_stick'\): tpeak_{receptor} is nan for "
                                          rf"neuron {neuron}, where tau_d_{receptor} = {time}, tau_r_{receptor} = {time}; "
                                          "expected parameters that make it finite$"):
        sz.Network(dt=0.1 * u.ms).add_population("E", "ball_and_stick", 2, parameters=parameters)


def test_equal_rise_and_decay_times_set_between_runs_are_refused_and_change_nothing():
    net = sz.Network(dt=0.1 * u.ms, seed=0)
    population = net.add_population("E", "ball_and_stick", 2)
    net.run(1 * u.ms)
    with pytest.raises(ConfigError, match=r"tpeak_NMDA_d is nan for neuron 1, where tau_d_NMDA_d = 35 ms, "
                                          r"tau_r_NMDA_d = 35 ms"):
        population.set("tau_r_NMDA_d", [8, 35] * u.ms)
    assert population.get("tau_r_NMDA_d").to("ms").magnitude.tolist() == [8, 8]
    net.run(1 * u.ms)


def test_a_variant_without_nmda_has_no_magnesium_block_parameters():
    """Their UnusedParameterWarning (mg, b_nmda, k_nmda used nowhere) came with every variant without NMDA, and
    the conformance kit failed it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = sd.ball_and_stick("ampa_only", dendrite_receptors={"AMPA": sd.DENDRITE_RECEPTORS["AMPA"]})
    assert not {"mg", "b_nmda", "k_nmda"} & set(model.parameters)
    assert {"mg", "b_nmda", "k_nmda"} <= set(MODEL.parameters)


@pytest.mark.parametrize(("name", "receptor", "error", "pattern"), [
    ("AMPA", sd.Receptor("0 mV", "2 ms", "2 ms", 1.0), ConfigError, r"'AMPA' on compartment 'd'.*tau_r and tau_d"),
    ("AMPA", sd.Receptor("0 mV", "2 mV", "5 ms", 1.0), UnitError, r"'AMPA' on compartment 'd': tau_r.*\[time\]"),
    ("AMPA", sd.Receptor("0 mV", "1 ms", "-5 ms", 1.0), UnitError, r"tau_d: expected a positive finite"),
    ("AMPA", sd.Receptor("0 ms", "1 ms", "5 ms", 1.0), UnitError, r"E_rev: expected dimension \[voltage\]"),
    ("AMPA", sd.Receptor("0 mV", "1 ms", "5 ms", -1.0), ConfigError, r"g0: must be >= 0"),
    ("AM PA", sd.Receptor("0 mV", "1 ms", "5 ms", 1.0), ConfigError, r"'AM PA'.*expected an identifier"),
    # the group target glu_d (AMPA + NMDA) replaced the receptor's own target glu_d silently
    ("glu", sd.Receptor("0 mV", "1 ms", "5 ms", 1.0), ConfigError, r"'glu' on compartment 'd': expected an identifier "
                                                                   r"as the receptor name, such as 'AMPA', other than "
                                                                   r"the group names glu, gaba"),
])
def test_bad_receptor_in_the_model_builder(name, receptor, error, pattern):
    with pytest.raises(error, match=pattern):
        sd.ball_and_stick("bad", dendrite_receptors={name: receptor})


def test_tripod_targets_name_each_dendrite():
    tripod = sz.model("tripod")
    assert {"glu_d1", "glu_d2", "gaba_d1", "gaba_d2", "glu_s", "gaba_s"} <= set(tripod.synapses_text)
    assert "I_ax_d1 + I_ax_d2" in tripod.equations_text
    assert "NMDA_s" not in tripod.synapses_text


# -- Brian2 validation --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def brian2():
    return json.loads(REFERENCE.read_text())


def renamed(text: str) -> str:
    """``text`` with the model's old parameter names (the Brian2 transcription's) replaced by the current ones."""
    return re.sub(r"\b\w+\b", lambda word: MODEL.aliases.get(word.group(), word.group()), text)


def test_brian2_transcription_matches_the_model(brian2):
    """Brian2 ran the same equations (norm and tpeak became constants there) and the same parameter values.

    The transcription uses the parameter names from before the naming convention; the model's
    aliases map them to the current names.
    """
    ours = set(MODEL.equations_text.splitlines())
    theirs = [renamed(line) for line in brian2["brian2_equations"].splitlines()]
    assert [line for line in theirs if line not in ours] == []
    extra = [line for line in ours if line not in theirs]
    assert extra and all(line.startswith(("tpeak_", "norm_")) for line in extra)
    parameters = {renamed(name): value for name, value in brian2["parameters_si"].items()}
    assert parameters.keys() <= DEFAULT.keys()
    for name, value in parameters.items():
        assert DEFAULT[name] == pytest.approx(value, rel=1e-12, abs=0), name
    assert brian2["dt"] == 1e-4 and brian2["integrator"] == MODEL.integrator == "euler"
    assert brian2["refractory"] == pytest.approx(MODEL.refractory)
    assert MODEL.threshold_text == "v_s > V_spike" and MODEL.reset_text == "v_s = V_reset; w_s += b; theta += A"


def test_brian2_normalisation_constants(brian2):
    """Brian2 used constants for the model's norm_* subexpressions (checked by the peak tests above)."""
    for receptor in RECEPTORS:
        assert brian2["norm"][receptor] == pytest.approx(peak_normalisation(receptor)[1], rel=1e-12)


@pytest.fixture(scope="module")
def deterministic(brian2):
    ref, dt = brian2["deterministic"], brian2["dt"]
    net = sz.Network(dt=dt * u.s, seed=0)
    net.add_population("E", "ball_and_stick", 1)
    for name, spec in ref["inputs"].items():
        steps = np.asarray(spec["steps"])
        net.add_source(name, sz.stimulus("spike_generator", times=steps * dt * u.s, indices=np.arange(steps.size)))
        net.connect(name, "E", on=spec["on"], weight=spec["weight_S"] * u.S, all_to_all=True)
    net.record("E", ["v_s", "v_d", "w_s", "theta", "g_NMDA_d"])
    net.run(ref["duration_steps"] * dt * u.s)
    return ref, record_of(net, "E"), dt


def test_brian2_same_input_spikes_same_output_spikes(deterministic):
    ref, rec, dt = deterministic
    steps = np.round(rec.spike_times / dt).astype(np.int64)
    assert len(ref["output_spike_steps"]) >= 5
    np.testing.assert_array_equal(steps, ref["output_spike_steps"])


@pytest.mark.parametrize("variable", ["v_s", "v_d", "w_s", "theta", "g_NMDA_d"])
def test_brian2_same_input_spikes_same_traces(deterministic, variable):
    ref, rec, _ = deterministic
    ours = rec.states[0].data[variable][:, 0]
    theirs = np.asarray(ref[variable])
    if variable not in ("v_s", "v_d"):
        ours = ours[:: ref["every"]]
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() <= 1e-9 * np.abs(theirs).max()


STATISTICS_NEURONS = 16
STATISTICS = ["rate_Hz", "v_s_mean", "v_s_std", "v_d_mean", "v_d_std", "g_NMDA_d_mean"]


@pytest.fixture(scope="module")
def statistics(brian2):
    """The tutorial's Poisson input, each neuron with its own 1000 + 1000 sources (independent samples)."""
    ref, dt = brian2["statistics"], brian2["dt"]
    n = STATISTICS_NEURONS
    net = sz.Network(dt=dt * u.s, seed=7)
    net.add_population("E", "ball_and_stick", n)
    for name, spec in ref["inputs"].items():
        size = spec["sources_per_neuron"]
        net.add_source(name, sz.stimulus("poisson_group", size=size * n, rate=spec["rate_Hz"] * u.Hz))
        i = np.arange(size * n)
        net.connect(name, "E", on=spec["on"], weight=spec["weight_S"] * u.S, i=i, j=i // size)
    net.record("E", ["v_s", "v_d", "g_NMDA_d"])
    net.run(ref["duration_s"] * u.s)
    rec = record_of(net, "E")
    state, skip = rec.states[0], ref["t_skip_s"]
    keep = state.times >= skip - 1e-12
    counts = np.bincount(rec.spike_neurons[rec.spike_times >= skip - 1e-12], minlength=n)
    per_neuron = {
        "rate_Hz": counts / (ref["duration_s"] - skip),
        "v_s_mean": state.data["v_s"][keep].mean(axis=0), "v_s_std": state.data["v_s"][keep].std(axis=0),
        "v_d_mean": state.data["v_d"][keep].mean(axis=0), "v_d_std": state.data["v_d"][keep].std(axis=0),
        "g_NMDA_d_mean": state.data["g_NMDA_d"][keep].mean(axis=0),
    }
    return ref, per_neuron


@pytest.mark.parametrize("statistic", STATISTICS)
def test_brian2_poisson_input_statistics(statistics, statistic):
    """Means over independent neurons agree within 4 standard errors (from Brian2's neuron-to-neuron spread)."""
    ref, ours = statistics
    n_ref, n_ours = ref["n_neurons"], STATISTICS_NEURONS
    spread = ref["std_over_neurons"][statistic]
    tolerance = 4 * spread * math.sqrt(1 / n_ref + 1 / n_ours)
    difference = ours[statistic].mean() - ref["mean"][statistic]
    assert abs(difference) <= tolerance, (
        f"{statistic}: snnzoo {ours[statistic].mean():.6g} vs Brian2 {ref['mean'][statistic]:.6g} "
        f"(difference {difference / (tolerance / 4):.2f} standard errors)")
    # the neuron-to-neuron spread itself agrees (loosely: the sample std of 16 values is uncertain by ~20 %)
    assert 0.5 <= ours[statistic].std(ddof=1) / spread <= 2.0
